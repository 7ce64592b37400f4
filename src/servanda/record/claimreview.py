"""schema.org ``ClaimReview`` JSON-LD for assessed assertions, the format fact-checkers exchange.

Ratings are numbers on a 1–5 scale as ClaimReview expects, with servanda's own word in ``alternateName``:
false and retracted 1, misleading 2, unproven 3, accurate 5. Commitments are not claims, so they are left out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from servanda.domain.records import Actor, Assessment, Source, Statement
from servanda.store.schema import records

from .queries import current_verdicts

RATING = {"false": 1, "retracted": 1, "misleading": 2, "unproven": 3, "accurate": 5}


def claim_reviews(connection: Connection, publisher: str = "servanda") -> list[dict[str, Any]]:
    bodies = {
        rid: (rtype, json.loads(body))
        for rid, rtype, body in connection.execute(select(records.c.id, records.c.type, records.c.body))
    }
    assertions = [
        Statement.model_validate(body)
        for rtype, body in bodies.values()
        if rtype == "statement" and body.get("kind") == "assertion"
    ]
    verdicts = current_verdicts(connection, [s.id for s in assertions])
    reviews = []
    for statement in sorted(assertions, key=lambda s: (s.sort_date(), s.id)):
        current = verdicts.get(statement.id)
        if current is None:
            continue
        assessment = Assessment.model_validate(bodies[current.assessment_id][1])
        actor = Actor.model_validate(bodies[statement.actor][1])
        appearances = []
        for source_id in statement.sources:
            source = Source.model_validate(bodies[source_id][1])
            appearance: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
            if source.url:
                appearance["url"] = source.url
            if source.publisher:
                appearance["publisher"] = {"@type": "Organization", "name": source.publisher}
            appearances.append(appearance)
        author: dict[str, Any] = {
            "@type": "Person" if actor.kind.value == "person" else "Organization",
            "name": actor.name,
        }
        if "wikidata" in actor.external_ids:
            author["sameAs"] = f"https://www.wikidata.org/wiki/{actor.external_ids['wikidata']}"
        explanation = assessment.rationale
        if assessment.disputed:
            explanation += f" (disputed by {', '.join(assessment.disputed_by)})"
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "identifier": assessment.id,
                "claimReviewed": statement.english,
                "datePublished": str(assessment.as_of),
                "author": {"@type": "Organization", "name": assessment.author or publisher},
                "itemReviewed": {
                    "@type": "Claim",
                    "identifier": statement.id,
                    "author": author,
                    "datePublished": str(statement.date),
                    "firstAppearance": appearances[0] if appearances else None,
                    "appearance": appearances,
                },
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": RATING[assessment.verdict],
                    "bestRating": 5,
                    "worstRating": 1,
                    "alternateName": assessment.verdict,
                    "ratingExplanation": explanation,
                },
            }
        )
    return reviews
