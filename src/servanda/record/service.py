"""The one write path: validate, append to the log, and project — in one transaction, all or nothing.

Every interface (bundle import, the command line, the web forms, the API) hands records to ``RecordService``.
It checks what a single record cannot check alone (that referenced ids exist and have the right type, that a
verdict is on the scale of the statement it rates, that an id keeps its type), appends one entry per changed
record, and updates the SQL projection in the same transaction. A record whose content did not change
appends nothing, so importing the same bundle twice is a no-op.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from servanda.domain.records import TYPE_ORDER, Assessment, Record, Statement
from servanda.domain.vocabulary import StatementKind, verdict_fits
from servanda.errors import BundleError, Problem
from servanda.ledger.canonical import canonical_json
from servanda.ledger.log import Draft, Entry, Log
from servanda.store.bulk import insert_dicts
from servanda.store.database import Store
from servanda.store.log_storage import SqlLogStorage
from servanda.store.projection import project
from servanda.store.schema import PROJECTION_TABLES, assessments, metadata, records, statements
from servanda.store.voices import Office, fill_voices, offices_from_rows, refresh_voices

from .located import Located

_CHUNK = 500
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class ApplyResult:
    """What a write did: the entries appended, and how many records were already as given."""

    entries: list[Entry]
    unchanged: int

    @property
    def appended(self) -> int:
        return len(self.entries)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def body_json(record: Record) -> str:
    return canonical_json(record.body()).decode("utf-8")


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class _RollBack(Exception):
    """Raised inside a dry run's transaction so that it is rolled back, carrying what it would have done."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("dry run")
        self.result = result


class RecordService:
    """Writes to the record. Reads live in ``servanda.record.queries``."""

    def __init__(self, store: Store, clock: Callable[[], str] = now_utc) -> None:
        self.store = store
        self.clock = clock

    def put(self, record: Record, author: str, reason: str | None = None) -> ApplyResult:
        """Add or correct one record."""
        return self.apply([Located(record)], author, reason=reason)

    def apply(
        self,
        items: Sequence[Located | Record],
        author: str,
        *,
        reason: str | None = None,
        progress: Progress | None = None,
        dry_run: bool = False,
    ) -> ApplyResult:
        """Add or correct many records at once: all of them land, or none does.

        With ``dry_run`` the whole write runs — every check, the log, the projection — and is then rolled
        back: what it reports is exactly what a real write would do.
        """
        batch = _prepare(items, author)
        try:
            with self.store.write() as connection:
                result = self._apply(connection, batch, author, reason, progress)
                if dry_run:
                    raise _RollBack(result)
        except _RollBack as rolled_back:
            return rolled_back.result
        return result

    def apply_within(
        self,
        connection: Connection,
        items: Sequence[Located | Record],
        author: str,
        *,
        reason: str | None = None,
    ) -> ApplyResult:
        """``apply`` inside a write transaction the caller already holds (``store.write()``), so that the
        caller's own rows (a verdict draft marked published, say) land together with the entries, or neither
        does."""
        return self._apply(connection, _prepare(items, author), author, reason, None)

    def _apply(
        self,
        connection: Connection,
        batch: list[Located],
        author: str,
        reason: str | None,
        progress: Progress | None,
    ) -> ApplyResult:
        changed, unchanged, stored_types = changed_records(connection, batch)
        problems = self._check(connection, batch, changed, stored_types)
        if problems:
            raise BundleError(problems)
        changed.sort(key=lambda item: TYPE_ORDER.index(item[0].record.TYPE))
        reason_json = canonical_json(reason) if reason else b""
        drafts: list[Draft] = []
        for item, _existed in changed:
            body: dict[str, Any] = {"record": item.body}
            record_json = item.body_text.encode("utf-8")
            if reason:
                body["reason"] = reason
                body_json = b'{"reason":' + reason_json + b',"record":' + record_json + b"}"
            else:
                body_json = b'{"record":' + record_json + b"}"
            drafts.append(Draft(f"{item.record.TYPE}.put", body, body_json))
        if progress:
            progress("log", 0, len(drafts))
        entries = Log(SqlLogStorage(connection)).append(drafts, author, self.clock())
        if progress:
            progress("log", len(drafts), len(drafts))
        replaced = [item.record.id for item, existed in changed if existed]
        write_projection(
            connection,
            [
                (item.record, entry.seq, item.body_text)
                for (item, _), entry in zip(changed, entries, strict=True)
            ],
            replaced,
            progress,
        )
        return ApplyResult(entries, unchanged)

    def _check(
        self,
        connection: Connection,
        batch: list[Located],
        changed: list[tuple[Located, bool]],
        stored_types: dict[str, str],
    ) -> list[Problem]:
        problems: list[Problem] = []
        batch_types = {item.record.id: item.record.TYPE for item in batch}
        for item in batch:
            stored = stored_types.get(item.record.id)
            if stored is not None and stored != item.record.TYPE:
                problems.append(
                    item.problem(
                        f"id {item.record.id!r} already names {_article(stored)}; "
                        f"it cannot become {_article(item.record.TYPE)}",
                        "id",
                    )
                )
        wanted = {
            target
            for item, _ in changed
            for _path, _types, target in item.record.references()
            if target not in batch_types
        }
        known = dict(batch_types)
        known.update(_types_of(connection, sorted(wanted)))
        for item, _ in changed:
            for path, types, target in item.record.references():
                found = known.get(target)
                if found is None:
                    problems.append(
                        item.problem(f"{target!r} is not in the record (expected {_or(types)})", path)
                    )
                elif found not in types:
                    problems.append(item.problem(f"{target!r} is {_article(found)}, not {_or(types)}", path))
        problems.extend(self._check_assessments(connection, batch, changed))
        return problems

    def _check_assessments(
        self, connection: Connection, batch: list[Located], changed: list[tuple[Located, bool]]
    ) -> list[Problem]:
        rated = {item.record.statement for item, _ in changed if isinstance(item.record, Assessment)}
        if not rated:
            return []
        facts: dict[str, tuple[str, str]] = {}
        for item in batch:
            if isinstance(item.record, Statement):
                earliest = item.record.date.earliest
                facts[item.record.id] = (item.record.kind.value, earliest.isoformat() if earliest else "")
        missing = sorted(rated - set(facts))
        for chunk in _chunks(missing):
            rows = connection.execute(
                select(statements.c.id, statements.c.kind, statements.c.date_start).where(
                    statements.c.id.in_(chunk)
                )
            )
            facts.update({rid: (kind, start) for rid, kind, start in rows})
        problems: list[Problem] = []
        for item, _ in changed:
            record = item.record
            if not isinstance(record, Assessment) or record.statement not in facts:
                continue
            kind, said = facts[record.statement]
            if not verdict_fits(kind, record.verdict):
                scale = ", ".join(sorted(_scale(kind)))
                problems.append(
                    item.problem(
                        f"{record.verdict!r} is not a verdict for {_article(kind)} ({record.statement}); "
                        f"use one of {scale}",
                        "verdict",
                    )
                )
            latest = record.as_of.latest
            if latest is not None and said and latest.isoformat() < said:
                problems.append(
                    item.problem(
                        f"assessed as of {record.as_of}, before {record.statement} was made ({said})", "as_of"
                    )
                )
        problems.extend(_check_supersedes(connection, batch, changed))
        return problems


def changed_records(
    connection: Connection, batch: list[Located]
) -> tuple[list[tuple[Located, bool]], int, dict[str, str]]:
    """Split the batch into records that change the store (and whether they existed) and those that do not."""
    current = _current_bodies(connection, [item.record.id for item in batch])
    changed: list[tuple[Located, bool]] = []
    unchanged = 0
    for item in batch:
        old = current.get(item.record.id)
        if old is not None and old[0] == item.record.TYPE and old[1] == item.body_text:
            unchanged += 1
        else:
            changed.append((item, old is not None))
    return changed, unchanged, {rid: value[0] for rid, value in current.items()}


def _check_supersedes(
    connection: Connection, batch: list[Located], changed: list[tuple[Located, bool]]
) -> list[Problem]:
    """A verdict can only supersede an earlier verdict on the same statement."""
    rates = {item.record.id: item.record.statement for item in batch if isinstance(item.record, Assessment)}
    wanted = sorted(
        {
            item.record.supersedes
            for item, _ in changed
            if isinstance(item.record, Assessment)
            and item.record.supersedes
            and item.record.supersedes not in rates
        }
    )
    for chunk in _chunks(wanted):
        rows = connection.execute(
            select(assessments.c.id, assessments.c.statement_id).where(assessments.c.id.in_(chunk))
        )
        rates.update({aid: sid for aid, sid in rows})
    problems = []
    for item, _ in changed:
        record = item.record
        if not isinstance(record, Assessment) or not record.supersedes:
            continue
        if record.supersedes == record.id:
            problems.append(item.problem("an assessment cannot supersede itself", "supersedes"))
            continue
        other = rates.get(record.supersedes)
        if other is not None and other != record.statement:
            problems.append(
                item.problem(
                    f"{record.supersedes!r} rates {other}, not {record.statement}: a verdict only supersedes "
                    "one on the same statement",
                    "supersedes",
                )
            )
    return problems


def _scale(kind: str) -> frozenset[str]:
    from servanda.domain.vocabulary import VERDICT_SCALES

    return VERDICT_SCALES[StatementKind(kind)]


def _or(types: tuple[str, ...]) -> str:
    return " or ".join(_article(name) for name in types)


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _prepare(items: Sequence[Located | Record], author: str) -> list[Located]:
    if not author.strip():
        raise BundleError([Problem("every write names its author", field="author")])
    located = [item if isinstance(item, Located) else Located(item) for item in items]
    return _deduplicate(located)


def _deduplicate(items: list[Located]) -> list[Located]:
    """Keep one copy of records given twice; refuse an id given twice with different content."""
    seen: dict[str, tuple[Located, str]] = {}
    problems: list[Problem] = []
    out: list[Located] = []
    for item in items:
        text = item.body_text
        earlier = seen.get(item.record.id)
        if earlier is None:
            seen[item.record.id] = (item, text)
            out.append(item)
        elif earlier[1] != text or earlier[0].record.TYPE != item.record.TYPE:
            first = earlier[0]
            where = f"{first.file}:{first.line}" if first.file else "earlier in the batch"
            problems.append(
                item.problem(
                    f"id {item.record.id!r} is given twice with different content (also at {where})", "id"
                )
            )
    if problems:
        raise BundleError(problems)
    return out


def _current_bodies(connection: Connection, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(list(ids)):
        rows = connection.execute(
            select(records.c.id, records.c.type, records.c.body).where(records.c.id.in_(chunk))
        )
        found.update({rid: (rtype, body) for rid, rtype, body in rows})
    return found


def _types_of(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(ids)):
        rows = connection.execute(select(records.c.id, records.c.type).where(records.c.id.in_(chunk)))
        found.update({rid: rtype for rid, rtype in rows})
    return found


def write_projection(
    connection: Connection,
    changes: list[tuple[Record, int, str]],
    replaced: list[str],
    progress: Progress | None = None,
) -> None:
    """Replace the rows of ``replaced`` ids and insert the rows of every changed record."""
    for table, owner in PROJECTION_TABLES:
        for chunk in _chunks(replaced):
            connection.execute(delete(table).where(table.c[owner].in_(chunk)))
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    total = len(changes)
    for done, (record, seq, text) in enumerate(changes, 1):
        for table_name, rows in project(record, seq, text).items():
            grouped[table_name].extend(rows)
        if progress and done % 5000 == 0:
            progress("projection", done, total)
    # whom each statement speaks for depends on its author's offices, which this batch may also change
    written_actors = {row["id"] for row in grouped["actors"]}
    offices: dict[str, list[Office]] = {actor: [] for actor in written_actors}
    offices.update(offices_from_rows(grouped["relations"]))
    new_terms = grouped["statement_terms"]
    fill_voices(connection, new_terms, offices)
    for table_name, rows in grouped.items():
        insert_dicts(connection, metadata.tables[table_name], rows)
    # only an actor that was stored before can have statements outside this batch (a rebuild has none)
    refresh_voices(
        connection, written_actors.intersection(replaced), offices, skip={row["doc"] for row in new_terms}
    )
    if progress:
        progress("projection", total, total)
