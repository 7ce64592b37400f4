"""Whom each statement speaks for through its author's office: a derived column of ``statement_terms``.

A state's record includes what its heads and spokespeople said while in office. Recall asks for that often
("what did Russia say about X"), and answering it from the relations at query time means looking up every
speaker a state ever had — about a hundred entries in PostgreSQL's search index for each query. So each
statement's row carries ``voices``: the actors whose ``head_of``/``speaks_for`` relation held, for its author,
on the statement's first day (space-separated, in code-point order; NULL for none). PostgreSQL's search
index holds them as ``@actor`` lexemes beside the author's own, and one lexeme then finds a state's words.

Unlike the rest of the projection, ``voices`` depends on two records (the statement, and its author's
relations), so it is not part of ``project()``: the write path fills it for new statements and refreshes it
for the statements of every actor whose record changed, in the same transaction; ``log verify`` recomputes
it from the relations table and reports any difference. Recall still checks the office row by row, so a
voice can narrow a search but never add a statement to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select, update

from .schema import relations, statement_terms

SPEAKING_RELATIONS = ("head_of", "speaks_for")
_CHUNK = 500


class Office(NamedTuple):
    target: str
    since_start: str | None
    until_end: str | None


Offices = Mapping[str, Sequence[Office]]


def voices_for(offices: Iterable[Office], date_start: str | None) -> str | None:
    """The actors spoken for on ``date_start`` by an author who holds ``offices``, as stored."""
    day = date_start or "0001-01-01"
    held = {
        office.target
        for office in offices
        if (office.since_start or "0001-01-01") <= day <= (office.until_end or "9999-12-31")
    }
    return " ".join(sorted(held)) or None


def offices_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Office]]:
    """The speaking offices in ``relations`` rows (as the projection writes them), by holder."""
    out: dict[str, list[Office]] = defaultdict(list)
    for row in rows:
        if row["type"] in SPEAKING_RELATIONS:
            out[row["owner_id"]].append(Office(row["target"], row["since_start"], row["until_end"]))
    return out


def load_offices(connection: Connection, holders: Collection[str] | None = None) -> dict[str, list[Office]]:
    """The speaking offices stored for ``holders`` (everyone's when None), by holder."""
    query = select(
        relations.c.owner_id, relations.c.target, relations.c.since_start, relations.c.until_end
    ).where(relations.c.type.in_(SPEAKING_RELATIONS))
    out: dict[str, list[Office]] = defaultdict(list)
    if holders is None:
        chunks: list[Sequence[str] | None] = [None]
    else:
        ordered = sorted(holders)
        chunks = [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]
    for chunk in chunks:
        narrowed = query if chunk is None else query.where(relations.c.owner_id.in_(chunk))
        for owner, target, since, until in connection.execute(narrowed):
            out[owner].append(Office(target, since, until))
    return out


def fill_voices(connection: Connection, rows: list[dict[str, Any]], batch_offices: Offices) -> None:
    """Set ``voices`` on new ``statement_terms`` rows; ``batch_offices`` holds the offices of every actor
    written in the same batch (they replace whatever is stored for them)."""
    others = {row["actor_id"] for row in rows} - set(batch_offices)
    offices = {**load_offices(connection, others), **batch_offices}
    for row in rows:
        row["voices"] = voices_for(offices.get(row["actor_id"], ()), row["date_start"])


def refresh_voices(
    connection: Connection, holders: Collection[str], offices: Offices, skip: Collection[int] = ()
) -> int:
    """Recompute ``voices`` for the stored statements of ``holders`` (whose offices are in ``offices``,
    none if absent), except the docs in ``skip``; returns how many rows changed."""
    changes: list[dict[str, Any]] = []
    ordered = sorted(holders)
    for start in range(0, len(ordered), _CHUNK):
        rows = connection.execute(
            select(
                statement_terms.c.doc,
                statement_terms.c.date_start,
                statement_terms.c.voices,
                statement_terms.c.actor_id,
            ).where(statement_terms.c.actor_id.in_(ordered[start : start + _CHUNK]))
        )
        for doc, day, stored, holder in rows:
            wanted = voices_for(offices.get(holder, ()), day)
            if wanted != stored and doc not in skip:
                changes.append({"key": doc, "value": wanted})
    if changes:
        connection.execute(
            update(statement_terms)
            .where(statement_terms.c.doc == bindparam("key"))
            .values(voices=bindparam("value")),
            changes,
        )
    return len(changes)


def check_voices(connection: Connection) -> str | None:
    """None if every stored ``voices`` is what the stored relations imply; otherwise what is wrong."""
    offices = load_offices(connection)
    rows = connection.execute(
        select(
            statement_terms.c.statement_id,
            statement_terms.c.actor_id,
            statement_terms.c.date_start,
            statement_terms.c.voices,
        ).execution_options(yield_per=10_000)
    )
    for statement_id, holder, day, stored in rows:
        if stored != voices_for(offices.get(holder, ()), day):
            rows.close()
            return (
                f"table statement_terms: whom statement {statement_id!r} speaks for "
                f"({stored or 'nobody'}) is not what its author's offices imply: the projection was edited; "
                "run 'servanda rebuild'"
            )
    return None
