"""Reading the record: one record and its history, lists with filters, an actor's timeline, the overview.

Queries read the projection (and the log for history); they never write.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Connection,
    and_,
    bindparam,
    func,
    or_,
    select,
    union,
)

from servanda.domain.dates import FuzzyDate
from servanda.domain.records import Assessment, Record, Statement, record_from_body
from servanda.errors import InvalidInput, NotFound
from servanda.ledger.log import Entry
from servanda.store.schema import (
    actors,
    agreements,
    assessments,
    events,
    links,
    log_checkpoints,
    log_entries,
    records,
    relations,
    sources,
    statements,
)
from servanda.store.voices import SPEAKING_RELATIONS

_CHUNK = 500
# The columns a list of statements shows.
_LISTED = (
    statements.c.id,
    statements.c.kind,
    statements.c.actor_id,
    statements.c.date_text,
    statements.c.date_start,
    statements.c.text,
    statements.c.text_en,
    statements.c.summary,
    statements.c.strength,
    statements.c.verification,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The current verdict on a statement, and the assessment that gave it."""

    verdict: str
    assessment_id: str
    as_of: str
    disputed: bool


def get_record(connection: Connection, record_id: str) -> tuple[Record, int]:
    """The record with this id as it stands now, and the seq of the entry that set it."""
    row = connection.execute(
        select(records.c.type, records.c.body, records.c.seq).where(records.c.id == record_id)
    ).first()
    if row is None:
        raise NotFound(f"nothing in the record has the id {record_id!r}")
    return record_from_body(row.type, json.loads(row.body)), int(row.seq)


def history(connection: Connection, record_id: str) -> list[Entry]:
    """Every entry that set this record, oldest first."""
    rows = connection.execute(
        select(log_entries.c.data).where(log_entries.c.record_id == record_id).order_by(log_entries.c.seq)
    )
    entries = [Entry.decode(bytes(data)) for (data,) in rows]
    if not entries:
        raise NotFound(f"nothing in the record has the id {record_id!r}")
    return entries


def referenced_by(connection: Connection, record_id: str) -> list[tuple[str, str, str]]:
    """(record id, type, role) of every record that points at ``record_id``, by any field."""
    rows = connection.execute(
        select(links.c.owner_id, records.c.type, links.c.role)
        .join(records, records.c.id == links.c.owner_id)
        .where(links.c.target == record_id)
    ).all()
    return sorted({(owner, rtype, role) for owner, rtype, role in rows})


class AssessmentRow(NamedTuple):
    """What ``current_verdict_of`` needs of an assessment: ``VERDICT_COLUMNS``, in this order."""

    statement_id: str
    id: str
    verdict: str
    as_of_text: str
    as_of_end: str
    seq: int
    supersedes: str | None
    disputed: bool


VERDICT_COLUMNS = tuple(assessments.c[name] for name in AssessmentRow._fields)


def current_verdicts(connection: Connection, statement_ids: Sequence[str]) -> dict[str, Verdict]:
    """The verdict in force for each statement: the latest assessment that no other supersedes."""
    rows: list[Any] = []
    ids = list(statement_ids)
    for start in range(0, len(ids), _CHUNK):
        rows += connection.execute(
            select(*VERDICT_COLUMNS).where(assessments.c.statement_id.in_(ids[start : start + _CHUNK]))
        ).all()
    return current_verdict_of(rows)


def current_verdict_of(rows: Sequence[Any]) -> dict[str, Verdict]:
    """The verdict in force for each statement among assessment rows (``VERDICT_COLUMNS``, every
    assessment of each statement): the latest by the date it speaks for, then by entry, not superseded."""
    superseded = {row.supersedes for row in rows if row.supersedes}
    best: dict[str, Any] = {}
    for row in rows:
        if row.id in superseded:
            continue
        key = (row.as_of_end, row.seq)
        held = best.get(row.statement_id)
        if held is None or key > (held.as_of_end, held.seq):
            best[row.statement_id] = row
    return {
        sid: Verdict(row.verdict, row.id, row.as_of_text, bool(row.disputed)) for sid, row in best.items()
    }


def assessment_history(connection: Connection, statement_id: str) -> list[Assessment]:
    """Every assessment of a statement, in the order of the dates they speak for."""
    rows = connection.execute(
        select(records.c.body)
        .join(assessments, assessments.c.id == records.c.id)
        .where(assessments.c.statement_id == statement_id)
        .order_by(assessments.c.as_of_start, assessments.c.seq)
    )
    return [Assessment.model_validate(json.loads(body)) for (body,) in rows]


def list_records(connection: Connection, record_type: str | None = None) -> list[Record]:
    query = select(records.c.type, records.c.body).order_by(records.c.type, records.c.sort_date, records.c.id)
    if record_type:
        query = query.where(records.c.type == record_type)
    return [record_from_body(t, json.loads(b)) for t, b in connection.execute(query)]


def list_actors(connection: Connection, kind: str | None = None) -> list[dict[str, Any]]:
    counts = select(statements.c.actor_id, func.count().label("n")).group_by(statements.c.actor_id).subquery()
    query = (
        select(actors.c.id, actors.c.kind, actors.c.name, func.coalesce(counts.c.n, 0).label("statements"))
        .outerjoin(counts, counts.c.actor_id == actors.c.id)
        .order_by(actors.c.kind, actors.c.id)
    )
    if kind:
        query = query.where(actors.c.kind == kind)
    return [dict(row._mapping) for row in connection.execute(query)]


def day_bound(value: str, *, end: bool, name: str) -> str:
    """The first (or last) day a user's date may mean, as ISO text; open ends go to the ends of time."""
    try:
        parsed = FuzzyDate.parse(value)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {exc}") from exc
    bound = parsed.latest if end else parsed.earliest
    return bound.isoformat() if bound else ("9999-12-31" if end else "0001-01-01")


def list_statements(
    connection: Connection,
    *,
    actor: str | None = None,
    kind: str | None = None,
    verdict: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Statements with their current verdicts, newest first, filtered as asked."""
    query = select(*_LISTED).order_by(statements.c.date_start.desc(), statements.c.id)
    if actor:
        query = query.where(statements.c.actor_id == actor)
    if kind:
        query = query.where(statements.c.kind == kind)
    if since:
        start = day_bound(since, end=False, name="--since")
        query = query.where(statements.c.date_end >= start)
    if until:
        stop = day_bound(until, end=True, name="--until")
        query = query.where(statements.c.date_start <= stop)
    rows = [dict(row._mapping) for row in connection.execute(query)]
    verdicts = current_verdicts(connection, [row["id"] for row in rows])
    out = []
    for row in rows:
        current = verdicts.get(row["id"])
        row["verdict"] = current.verdict if current else None
        row["disputed"] = current.disputed if current else False
        if verdict and row["verdict"] != verdict:
            continue
        out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


def overview(connection: Connection) -> dict[str, Any]:
    """How much the record holds, and of the log."""
    counts: dict[str, int] = dict(
        connection.execute(select(records.c.type, func.count()).group_by(records.c.type)).all()
    )
    size = connection.execute(select(func.count()).select_from(log_entries)).scalar() or 0
    verdict_rows = connection.execute(select(assessments.c.statement_id)).all()
    checkpoint = connection.execute(
        select(log_checkpoints.c.size, log_checkpoints.c.created_at)
        .order_by(log_checkpoints.c.id.desc())
        .limit(1)
    ).first()
    verdicts = current_verdicts(connection, sorted({sid for (sid,) in verdict_rows}))
    tally: dict[str, int] = {}
    for verdict in verdicts.values():
        tally[verdict.verdict] = tally.get(verdict.verdict, 0) + 1
    return {
        "records": {str(k): int(v) for k, v in sorted(counts.items())},
        "log_size": int(size),
        "verdicts": dict(sorted(tally.items())),
        "latest_checkpoint": (
            {"size": int(checkpoint.size), "created_at": checkpoint.created_at} if checkpoint else None
        ),
    }


def statement_record(connection: Connection, statement_id: str) -> Statement:
    record, _seq = get_record(connection, statement_id)
    if not isinstance(record, Statement):
        raise NotFound(f"{statement_id!r} is a {record.TYPE}, not a statement")
    return record


SHORT_SPAN_DAYS = 366  # statements dated to a day, a month or a year; longer spans are rare


def speaker_conditions(
    actor: str, spokespeople: bool = True, window: tuple[str, str] | None = None
) -> ColumnElement[bool]:
    """Statements that count as the actor's (see ``speaker_docs``)."""
    return statements.c.doc.in_(speaker_docs(actor, spokespeople, window).scalar_subquery())


def speaker_docs(
    actor: str, spokespeople: bool = True, window: tuple[str, str] | None = None
) -> CompoundSelect[tuple[int]]:
    """The docs of the statements that count as the actor's: its own, on its behalf, and its speakers'
    while in office (``speaker_docs_shape`` with its parameters filled in)."""
    return speaker_docs_shape(spokespeople, window is not None).params(speaker_docs_params(actor, window))


def speaker_docs_params(actor: str, window: tuple[str, str] | None = None) -> dict[str, str]:
    """The values of ``speaker_docs_shape``'s parameters: ``actor``, ``window_low``, ``window_high`` and
    ``window_earliest`` (the first day a statement overlapping the window may start on, if it spans at
    most SHORT_SPAN_DAYS)."""
    low, high = window or ("0001-01-01", "9999-12-31")
    earliest = _days_before(low, SHORT_SPAN_DAYS) if window else low
    return {"actor": actor, "window_low": low, "window_high": high, "window_earliest": earliest}


@cache
def speaker_docs_shape(spokespeople: bool, windowed: bool) -> CompoundSelect[tuple[int]]:
    """The actor's statements as SQL with named parameters (``speaker_docs_params``), built once per shape.

    One SQL shape whatever the number of speakers (a state may have hundreds), so it is compiled once and
    cached, and every branch seeks the (actor, date) index. With a window (first day, last day), a
    statement belongs to it when its dates overlap it; statements spanning more than a year are looked up
    apart (an index on actor and span), so that the others can be sought by their first day alone.
    """
    actor: BindParameter[str] = bindparam("actor")
    high: BindParameter[str] = bindparam("window_high")
    earliest_start: BindParameter[str] = bindparam("window_earliest")
    starts = statements.c.date_start
    own = or_(statements.c.actor_id == actor, statements.c.on_behalf_of == actor)
    # its own statements and those on its behalf as two branches, not one OR: PostgreSQL answers an OR with
    # a bitmap scan, which reads every matching table row; each branch alone is an index-only scan
    branches = [
        select(statements.c.doc).where(speaker == actor, starts >= earliest_start, starts <= high)
        for speaker in (statements.c.actor_id, statements.c.on_behalf_of)
    ]
    if windowed:
        branches.append(
            select(statements.c.doc).where(
                own, statements.c.span_days > SHORT_SPAN_DAYS, func.substr(starts, 1, 10) <= high
            )
        )
    if spokespeople:
        in_office = and_(
            statements.c.actor_id == relations.c.owner_id,
            starts >= func.coalesce(relations.c.since_start, "0001-01-01"),
            starts <= func.coalesce(relations.c.until_end, "9999-12-31"),
            starts <= high,
        )
        speaking = and_(relations.c.target == actor, relations.c.type.in_(SPEAKING_RELATIONS))
        branches.append(
            select(statements.c.doc)
            .select_from(relations)
            .join(statements, and_(in_office, starts >= earliest_start))
            .where(speaking)
        )
        if windowed:
            # The tenure is compared on substr(date_start) so that no planner walks a speaker's whole tenure
            # on the (actor, date) index: the (actor, span) index finds the few long spans directly.
            first_day = func.substr(starts, 1, 10)
            in_office_long = and_(
                statements.c.actor_id == relations.c.owner_id,
                statements.c.span_days > SHORT_SPAN_DAYS,
                first_day >= func.coalesce(relations.c.since_start, "0001-01-01"),
                first_day <= func.coalesce(relations.c.until_end, "9999-12-31"),
                first_day <= high,
            )
            branches.append(
                select(statements.c.doc)
                .select_from(relations)
                .join(statements, in_office_long)
                .where(speaking)
            )
    return union(*branches)


@cache
def spoken_for(spokespeople: bool = True) -> ColumnElement[bool]:
    """Row by row, what ``speaker_docs`` lists for the parameter ``actor``: the statement is the actor's
    own, on its behalf, or (with ``spokespeople``) said by one of its speakers while the relation held.

    For a few candidates already found by other means; ``speaker_docs`` is the way to list them all. With a
    window, both give the same statements once the window's own date condition is applied.
    """
    actor: BindParameter[str] = bindparam("actor")
    own = or_(statements.c.actor_id == actor, statements.c.on_behalf_of == actor)
    if not spokespeople:
        return own
    starts = statements.c.date_start
    in_office = (
        select(relations.c.owner_id)
        .where(
            relations.c.owner_id == statements.c.actor_id,
            relations.c.target == actor,
            relations.c.type.in_(SPEAKING_RELATIONS),
            starts >= func.coalesce(relations.c.since_start, "0001-01-01"),
            starts <= func.coalesce(relations.c.until_end, "9999-12-31"),
        )
        .exists()
    )
    return or_(own, in_office)


def _days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat() if day > "0001-12-31" else day


def statements_for_actor(
    connection: Connection,
    actor_id: str,
    *,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """What the actor said, and what those who spoke for it said while they did, oldest first (or newest
    first); ``limit`` and ``offset`` take one page, so a state's page need not fetch its ten thousand."""
    order = (
        (statements.c.date_start.desc(), statements.c.id.desc())
        if newest_first
        else (statements.c.date_start, statements.c.id)
    )
    query = (
        select(*_LISTED, actors.c.name.label("actor_name"))
        .outerjoin(actors, actors.c.id == statements.c.actor_id)
        .where(speaker_conditions(actor_id))
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in connection.execute(query)]


def count_statements_for_actor(connection: Connection, actor_id: str) -> int:
    """How many statements ``statements_for_actor`` holds."""
    query = select(func.count()).select_from(speaker_docs(actor_id).subquery())
    return int(connection.execute(query).scalar() or 0)


def describe(connection: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """A title and a date for each record, to show it in a list: what an event was, what a statement said."""
    # (type, the table's columns for id, title, date as written, first day, and any extras)
    kinds: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("event", (events.c.id, events.c.title, events.c.date_text, events.c.date_start)),
        (
            "statement",
            (
                statements.c.id,
                func.coalesce(statements.c.text_en, statements.c.text),
                statements.c.date_text,
                statements.c.date_start,
                statements.c.actor_id.label("actor"),
            ),
        ),
        (
            "agreement",
            (agreements.c.id, agreements.c.title, agreements.c.signed_text, agreements.c.signed_start),
        ),
        ("source", (sources.c.id, sources.c.title, sources.c.date_text, sources.c.date_start, sources.c.url)),
    )
    out: dict[str, dict[str, Any]] = {}
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for record_type, (key, title, written, first_day, *extras) in kinds:
            query = select(
                key.label("id"), title.label("title"), written.label("date"), first_day.label("sort"), *extras
            ).where(key.in_(chunk))
            for row in connection.execute(query):
                out[row.id] = {"type": record_type, **row._mapping}
    for rid in ids:
        out.setdefault(rid, {"id": rid, "type": None, "title": None, "date": None, "sort": None})
    return out
