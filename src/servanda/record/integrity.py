"""``log verify``: recompute everything from the stored entries and say whether it all holds.

Checks, in order, stopping the report at the first failure of each kind:

1. the entries: numbered 0..n-1 without gaps, each in canonical form and holding its own seq;
2. the stored node hashes: each equals the hash recomputed from the entries, and none is missing;
3. the checkpoints: each signature verifies, each root is the recomputed root at its size, and each is
   consistent with the one before it (an RFC 9162 consistency proof between the two);
4. the projection: every SQL table a reader sees holds exactly the rows the log implies, and the columns
   derived from several records (whom a statement speaks for) hold what the other tables imply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from servanda.ledger.log import Entry, LogStorage
from servanda.ledger.merkle import MerkleTree, ProofError, node_from_key, verify_consistency
from servanda.ledger.note import NoteError, Verifier, open_note, parse_checkpoint
from servanda.store.schema import DERIVED_COLUMNS, PROJECTION_TABLES
from servanda.store.voices import check_voices

from .replay import expected_rows, latest_records

Progress = Callable[[str, int, int], None]
_PROJECTION_CHUNK = 2000


@dataclass
class VerifyReport:
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    connection: Connection,
    storage: LogStorage,
    verifiers: Iterable[Verifier],
    *,
    check_projection: bool = True,
    progress: Progress | None = None,
) -> VerifyReport:
    report = VerifyReport()
    tree = MerkleTree()
    # the seq of the last entry that set each record: all the projection check needs to keep in memory
    latest: dict[str, int] = {}
    for expected_seq, (seq, data) in enumerate(storage.iter_entry_data()):
        if seq != expected_seq:
            report.problems.append(
                f"entry {expected_seq} is missing: the log jumps from entry {expected_seq - 1} to {seq}"
                if seq > expected_seq
                else f"entry {seq} appears out of order"
            )
            break
        try:
            entry = Entry.decode(data)
        except ValueError as exc:
            report.problems.append(f"entry {seq} was altered: {exc}")
            break
        if entry.seq != seq:
            report.problems.append(f"entry {seq} holds seq {entry.seq}: entries were moved or swapped")
            break
        tree.append(data)
        if entry.kind.endswith(".put") and entry.record_id is not None:
            latest[entry.record_id] = seq
        if progress and tree.size % 10000 == 0:
            progress("entries", tree.size, 0)
    report.entries = tree.size
    if report.problems:
        return report
    _check_nodes(storage, tree, report)
    if report.problems:
        return report
    _check_checkpoints(storage, tree, list(verifiers), report)
    if report.problems or not check_projection:
        return report
    _check_projection(connection, storage, latest, report)
    if not report.problems and (problem := check_voices(connection)):
        report.problems.append(problem)
    return report


def _check_nodes(storage: LogStorage, tree: MerkleTree, report: VerifyReport) -> None:
    size = tree.size
    expected = sum(size >> level for level in range(size.bit_length()))
    seen = 0
    for key, digest in storage.iter_nodes():
        level, index = node_from_key(key)
        if (index + 1) << level > size:
            report.problems.append(
                f"stored node ({level}, {index}) does not belong to a log of {size} entries"
            )
            return
        if tree.node(level, index) != digest:
            if level == 0:
                report.problems.append(f"entry {index} does not match its stored leaf hash: it was edited")
            else:
                first = index << level
                report.problems.append(
                    f"stored node ({level}, {index}) over entries {first}..{first + (1 << level) - 1} "
                    "does not match the entries: the log or its hashes were edited"
                )
            return
        seen += 1
    report.nodes = seen
    if seen != expected:
        report.problems.append(
            f"{expected - seen} stored node hashes are missing (found {seen} of {expected})"
        )


def _check_checkpoints(
    storage: LogStorage, tree: MerkleTree, verifiers: list[Verifier], report: VerifyReport
) -> None:
    stored = storage.checkpoints()
    if stored and not verifiers:
        report.problems.append("no verifier key to check the checkpoints' signatures: give --key")
        return
    previous: tuple[int, int, bytes] | None = None
    for checkpoint in stored:
        label = f"checkpoint #{checkpoint.id} (size {checkpoint.size})"
        try:
            note = open_note(checkpoint.note, verifiers)
            body = parse_checkpoint(note.text)
        except NoteError as exc:
            report.problems.append(f"{label} does not verify: {exc}")
            return
        if body.size != checkpoint.size:
            report.problems.append(f"{label} signs size {body.size}, not the size it is stored under")
            return
        if body.size > tree.size:
            report.problems.append(
                f"{label} is for a larger log than the {tree.size} entries stored: entries were deleted"
            )
            return
        if body.root != tree.root(body.size):
            report.problems.append(
                f"{label} does not match the entries: the log was rewritten since it was signed"
            )
            return
        if previous is not None:
            prev_id, prev_size, prev_root = previous
            if body.size < prev_size:
                report.problems.append(f"{label} is smaller than checkpoint #{prev_id} before it")
                return
            if prev_size > 0:
                try:
                    proof = tree.consistency_proof(prev_size, body.size)
                    verify_consistency(prev_size, body.size, prev_root, body.root, proof)
                except ProofError as exc:
                    report.problems.append(f"{label} is not consistent with checkpoint #{prev_id}: {exc}")
                    return
        previous = (checkpoint.id, body.size, body.root)
        report.checkpoints += 1


def _normalise(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _check_projection(
    connection: Connection, storage: LogStorage, latest: dict[str, int], report: VerifyReport
) -> None:
    """Compare every projection table with the rows the log implies, a chunk of records at a time.

    Each chunk's records are rebuilt from their last entries and projected; the table rows of those records
    must be exactly those. Rows of records the log does not hold are caught by counting each table's rows.
    Memory stays bounded by the chunk, whatever the size of the record.
    """
    report.records = len(latest)
    totals: Counter[str] = Counter()
    ids = sorted(latest)
    for start in range(0, len(ids), _PROJECTION_CHUNK):
        chunk = ids[start : start + _PROJECTION_CHUNK]
        stored = storage.entries_data([latest[rid] for rid in chunk])
        entries = [Entry.decode(stored[latest[rid]]) for rid in chunk]
        expected = expected_rows(latest_records(entries))
        for table, owner in PROJECTION_TABLES:
            derived = DERIVED_COLUMNS.get(table.name, frozenset())
            columns = [column.name for column in table.columns if column.name not in derived]
            want = Counter(
                tuple(_normalise(row.get(name)) for name in columns) for row in expected.get(table.name, [])
            )
            totals[table.name] += sum(want.values())
            have = Counter(
                tuple(_normalise(value) for value in row)
                for row in connection.execute(
                    select(*(table.c[name] for name in columns)).where(table.c[owner].in_(chunk))
                )
            )
            if want != have:
                owner_index = columns.index(owner)
                extra, lacking = have - want, want - have
                sample = next(iter(extra or lacking))
                what = "holds a row the log does not imply" if extra else "lacks a row the log implies"
                report.problems.append(
                    f"table {table.name} {what} (record {sample[owner_index]!r}): the projection was edited; "
                    "run 'servanda rebuild' to restore it from the log"
                )
                return
    for table, _owner in PROJECTION_TABLES:
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if count != totals[table.name]:
            report.problems.append(
                f"table {table.name} holds {count - totals[table.name]} rows of records the log does not "
                "hold: the projection was edited; run 'servanda rebuild' to restore it from the log"
            )
            return
