"""The record's commitments as outcomes for the credibility model: who is credited, when it was decided.

Each commitment with a current verdict becomes one ``Outcome``, coded by ``servanda.analysis.credibility``
(kept 1, partially kept ½, broken 0, withdrawn as the coding policy says; pending, in progress and
unassessable are left out). It is credited to its **principal** — the actor it was made on behalf of, or
the state its maker was head of or spoke for on that day, or else its maker — so that a state's record
includes what its leaders promised while in office, and each commitment counts once in the pooling.
``decided`` is the first day of the verdict's as-of date: the backtest predicts each outcome from what the
record knew the day before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from servanda.analysis.credibility import Coding, Outcome, code
from servanda.domain.dates import FuzzyDate
from servanda.errors import InvalidInput
from servanda.store.schema import assessments, relations, statements
from servanda.store.voices import SPEAKING_RELATIONS

from .queries import current_verdicts


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """An outcome, with the maker and principal kept apart (a person's own record vs. its state's)."""

    outcome: Outcome
    maker: str
    principal: str


_CHUNK = 500


def record_outcomes(connection: Connection, coding: Coding | None = None) -> list[RecordOutcome]:
    coding = coding or Coding()
    # Only assessed commitments can be outcomes. Asking for the assessed ids first, then for those statements,
    # costs what the assessments cost, whatever the planner knows: on a large record most statements are not
    # (yet) assessed, and a join may be planned as a walk over all of them.
    assessed = sorted({sid for (sid,) in connection.execute(select(assessments.c.statement_id).distinct())})
    rows: list[Any] = []
    for start in range(0, len(assessed), _CHUNK):
        rows += connection.execute(
            select(
                statements.c.id,
                statements.c.actor_id,
                statements.c.on_behalf_of,
                statements.c.date_start,
                statements.c.strength,
                statements.c.category,
            ).where(statements.c.id.in_(assessed[start : start + _CHUNK]), statements.c.kind == "commitment")
        ).all()
    offices: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for owner, target, since, until in connection.execute(
        select(
            relations.c.owner_id, relations.c.target, relations.c.since_start, relations.c.until_end
        ).where(relations.c.type.in_(SPEAKING_RELATIONS))
    ):
        offices.setdefault(owner, []).append((target, since, until))
    verdicts = current_verdicts(connection, [row.id for row in rows])
    as_of = (
        dict(
            connection.execute(
                select(assessments.c.id, assessments.c.as_of_start).where(
                    assessments.c.id.in_([v.assessment_id for v in verdicts.values()])
                )
            ).all()
        )
        if verdicts
        else {}
    )
    out = []
    for row in rows:
        verdict = verdicts.get(row.id)
        if verdict is None:
            continue
        value = code(verdict.verdict, verdict.disputed, coding)
        if value is None:
            continue
        principal = (
            row.on_behalf_of or _office_on(offices.get(row.actor_id, []), row.date_start) or row.actor_id
        )
        decided = date.fromisoformat(as_of.get(verdict.assessment_id) or row.date_start)
        outcome = Outcome(
            statement=row.id,
            actor=principal,
            strength=row.strength or "remark",
            kind=row.category,
            made=date.fromisoformat(row.date_start),
            decided=decided,
            value=value,
            disputed=verdict.disputed,
        )
        out.append(RecordOutcome(outcome, row.actor_id, principal))
    return out


def _office_on(offices: Sequence[tuple[str, str | None, str | None]], day: str) -> str | None:
    for target, since, until in offices:
        if (since is None or since <= day) and (until is None or day <= until):
            return target
    return None


def outcomes_for(records: Sequence[RecordOutcome], actor: str) -> list[Outcome]:
    """The outcomes credited to ``actor``: as principal (a state) or as maker (a person)."""
    return [
        r.outcome if r.principal == actor else _as(r.outcome, actor)
        for r in records
        if actor in (r.principal, r.maker)
    ]


def pooled(records: Sequence[RecordOutcome]) -> list[Outcome]:
    """Every outcome once, credited to its principal: what the pooled prior is fitted on."""
    return [r.outcome for r in records]


def _as(outcome: Outcome, actor: str) -> Outcome:
    return replace(outcome, actor=actor)


def parse_as_of(value: str | None) -> date | None:
    """The last day a user's ``--as-of`` may mean: what the record knew by the end of it."""
    if value is None:
        return None
    try:
        return FuzzyDate.parse(value).latest
    except ValueError as exc:
        raise InvalidInput(f"--as-of: {exc}") from exc
