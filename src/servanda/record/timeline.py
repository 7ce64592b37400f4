"""A statement's timeline, and an actor's contradictions — the record set against its own account.

Timeline: said → assessed (each verdict, in order) → the events and later statements that bear on it.

Contradictions (the "bubble report"): an actor's assertions that the record shows to be false, or that
it later retracted, and its commitments that were broken — each beside the evidence its verdict cites:
the documented event, the finding, the later admission. The report calls nobody a liar; it sets what was
said beside what the record shows, with the sources of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from servanda.domain.records import Statement
from servanda.store.schema import assessments, links, statements

from .queries import assessment_history, current_verdicts, describe, speaker_conditions, statement_record
from .recall import Hit, attach_history

CONTRADICTED = {"assertion": ("false", "retracted"), "commitment": ("broken",)}


@dataclass(slots=True)
class TimelineItem:
    date: str | None
    kind: str  # said, verdict, event, statement, agreement
    id: str
    text: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    sort: str = ""


def statement_timeline(connection: Connection, statement_id: str) -> tuple[Statement, list[TimelineItem]]:
    statement = statement_record(connection, statement_id)
    earliest = statement.date.earliest
    items = [
        TimelineItem(
            str(statement.date),
            "said",
            statement.id,
            statement.english,
            {"actor": statement.actor},
            earliest.isoformat() if earliest else "",
        )
    ]
    bearing: set[str] = set(statement.about)
    for assessment in assessment_history(connection, statement_id):
        start = assessment.as_of.earliest
        items.append(
            TimelineItem(
                str(assessment.as_of),
                "verdict",
                assessment.id,
                assessment.rationale,
                {
                    "verdict": assessment.verdict,
                    "disputed_by": assessment.disputed_by,
                    "evidence": assessment.evidence,
                },
                start.isoformat() if start else "",
            )
        )
        bearing.update(assessment.evidence)
    # later statements that say they are about this one
    about_it = connection.execute(
        select(links.c.owner_id).where(links.c.role == "about", links.c.target == statement_id)
    ).all()
    bearing.update(owner for (owner,) in about_it)
    bearing.discard(statement_id)
    for rid, info in describe(connection, sorted(bearing)).items():
        if info["type"] in ("event", "statement", "agreement"):
            items.append(
                TimelineItem(info["date"], info["type"], rid, info["title"], info, info["sort"] or "")
            )
    items.sort(
        key=lambda item: (item.sort, ["said", "event", "agreement", "statement", "verdict"].index(item.kind))
    )
    return statement, items


def contradictions(connection: Connection, actor: str) -> list[Hit]:
    """The actor's statements whose current verdict the record contradicts, with the evidence for each."""
    rows = connection.execute(
        select(
            statements.c.id,
            statements.c.kind,
            statements.c.actor_id,
            statements.c.date_text,
            statements.c.language,
            statements.c.text,
            statements.c.text_en,
            statements.c.summary,
        )
        .where(speaker_conditions(actor))
        # only statements with some contradicting verdict can have one in force: a state's page need not
        # fetch the verdicts of its ten thousand statements
        .where(
            statements.c.id.in_(
                select(assessments.c.statement_id).where(
                    assessments.c.verdict.in_(sorted({v for vs in CONTRADICTED.values() for v in vs}))
                )
            )
        )
        .order_by(statements.c.date_start, statements.c.id)
    ).all()
    verdicts = current_verdicts(connection, [row.id for row in rows])
    hits = []
    for row in rows:
        current = verdicts.get(row.id)
        if current is None or current.verdict not in CONTRADICTED[row.kind]:
            continue
        hit = Hit(
            row.id,
            row.kind,
            row.actor_id,
            None,
            row.date_text,
            row.language,
            row.text,
            row.text_en,
            row.summary,
            current.verdict,
            current.disputed,
        )
        hits.append(hit)
    attach_history(connection, hits)
    return hits
