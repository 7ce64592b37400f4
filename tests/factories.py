"""Small valid records for tests, so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from servanda.domain.records import Actor, Assessment, Event, Record, Source, Statement


def source(id: str = "src-un", **extra: Any) -> Source:
    return Source(id=id, title=extra.pop("title", f"Source {id}"), url=f"https://example.org/{id}", **extra)


def actor(id: str = "ru", **extra: Any) -> Actor:
    return Actor(id=id, kind=extra.pop("kind", "state"), name=extra.pop("name", id.upper()), **extra)


def commitment(id: str = "c1", actor: str = "ru", date: str = "1994-12-05", **extra: Any) -> Statement:
    return Statement(
        id=id,
        kind="commitment",
        actor=actor,
        date=date,
        text=extra.pop("text", f"we promise {id}"),
        sources=extra.pop("sources", ["src-un"]),
        commitment=extra.pop("commitment", {"obligation": "respect borders", "strength": "signed_agreement"}),
        **extra,
    )


def assertion(id: str = "a1", actor: str = "ru", date: str = "2022-03-04", **extra: Any) -> Statement:
    return Statement(
        id=id,
        kind="assertion",
        actor=actor,
        date=date,
        text=extra.pop("text", f"it is so {id}"),
        sources=extra.pop("sources", ["src-un"]),
        **extra,
    )


def assessment(id: str, statement: str, verdict: str, as_of: str, **extra: Any) -> Assessment:
    return Assessment(
        id=id,
        statement=statement,
        verdict=verdict,
        as_of=as_of,
        rationale=extra.pop("rationale", f"because {verdict}"),
        sources=extra.pop("sources", ["src-un"]),
        **extra,
    )


def event(id: str = "ev1", date: str = "2014-03-18", **extra: Any) -> Event:
    return Event(
        id=id,
        title=extra.pop("title", f"Event {id}"),
        kind=extra.pop("kind", "annexation"),
        date=date,
        sources=extra.pop("sources", ["src-un"]),
        **extra,
    )


def small_record() -> list[Record]:
    """A record with every type: two states, a commitment broken and an assertion found false."""
    return [
        source(),
        actor("ru", name="Russian Federation", external_ids={"wikidata": "Q159"}),
        actor("ua", name="Ukraine"),
        actor(
            "putin",
            kind="person",
            name="Vladimir Putin",
            relations=[{"type": "head_of", "target": "ru", "since": "2012-05-07"}],
        ),
        commitment("c1", counterparties=["ua"]),
        assertion(
            "a1",
            actor="putin",
            text="Наши планы не предусматривают оккупацию",
            language="ru",
            text_en="Our plans do not include occupation",
        ),
        event("ev1"),
        assessment("c1-broken", "c1", "broken", "2014-03-18", evidence=["ev1"]),
        assessment("a1-false", "a1", "false", "2022-09-30", disputed=True, disputed_by=["ru"]),
    ]
