"""The durable log: entries and perfect-node hashes kept in a store, proofs served from stored hashes.

The log is the source of truth of the record. An entry is the RFC 8785 canonical JSON of
``{seq, kind, body, author, recorded_at}``; its bytes are the Merkle leaf. Each append writes the entries and
every perfect subtree they complete, so a root or a proof at any size is a handful of stored hashes folded
together (``merkle`` plans which), never a recomputation of the tree.

This module decides *what* to store; *where* is the ``LogStorage`` protocol, implemented over SQL by
``servanda.store``. The caller owns the transaction: a batch is appended inside the same transaction as the
projection, so both land or neither does.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .canonical import canonical_json
from .merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_plan,
    frontier_nodes,
    hash_range_from,
    inclusion_plan,
    leaf_hash,
    needed_nodes,
    node_from_key,
    node_key,
    perfect_subtrees,
    proof_from_nodes,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One append to the log, with the exact bytes that were hashed."""

    seq: int
    kind: str
    body: dict[str, Any]
    author: str
    recorded_at: str
    data: bytes

    @classmethod
    def create(
        cls,
        seq: int,
        kind: str,
        body: dict[str, Any],
        author: str,
        recorded_at: str,
        body_json: bytes | None = None,
    ) -> Entry:
        """Build an entry; ``body_json``, when the caller already has the body's canonical bytes, saves
        encoding it again (the entry's own keys are spliced around it in canonical order)."""
        if body_json is None:
            value = {"seq": seq, "kind": kind, "body": body, "author": author, "recorded_at": recorded_at}
            return cls(seq, kind, body, author, recorded_at, canonical_json(value))
        data = b"".join(
            (
                b'{"author":',
                canonical_json(author),
                b',"body":',
                body_json,
                b',"kind":',
                canonical_json(kind),
                b',"recorded_at":',
                canonical_json(recorded_at),
                b',"seq":',
                str(seq).encode("ascii"),
                b"}",
            )
        )
        return cls(seq, kind, body, author, recorded_at, data)

    @classmethod
    def decode(cls, data: bytes) -> Entry:
        """Parse stored bytes; raises ValueError when they are not a canonical entry."""
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an entry: {exc}") from exc
        if not isinstance(value, dict) or set(value) != {"seq", "kind", "body", "author", "recorded_at"}:
            raise ValueError("not an entry: it must hold exactly seq, kind, body, author and recorded_at")
        if canonical_json(value) != data:
            raise ValueError("not an entry: its bytes are not in canonical (RFC 8785) form")
        seq, kind, body = value["seq"], value["kind"], value["body"]
        author, recorded_at = value["author"], value["recorded_at"]
        if not (
            isinstance(seq, int)
            and isinstance(kind, str)
            and isinstance(body, dict)
            and isinstance(author, str)
            and isinstance(recorded_at, str)
        ):
            raise ValueError("not an entry: a field has the wrong type")
        return cls(seq, kind, body, author, recorded_at, data)

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.data)

    @property
    def record_id(self) -> str | None:
        """The id of the record this entry sets, if it sets one."""
        record = self.body.get("record")
        if isinstance(record, dict):
            rid = record.get("id")
            return rid if isinstance(rid, str) else None
        return None


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry to append: its kind and body, and optionally the body's canonical JSON already made."""

    kind: str
    body: dict[str, Any]
    body_json: bytes | None = None


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    id: int
    size: int
    note: str
    created_at: str


class LogStorage(Protocol):
    """What the log needs from a store, inside one transaction."""

    def log_size(self) -> int: ...

    def load_nodes(self, keys: Collection[int]) -> dict[int, bytes]: ...

    def store_entries(self, entries: Sequence[Entry]) -> None: ...

    def store_nodes(self, nodes: Sequence[tuple[int, bytes]]) -> None: ...

    def entry_data(self, seq: int) -> bytes | None: ...

    def entries_data(self, seqs: Collection[int]) -> dict[int, bytes]: ...

    def iter_entry_data(self, start: int = 0) -> Iterator[tuple[int, bytes]]: ...

    def iter_nodes(self) -> Iterator[tuple[int, bytes]]: ...

    def store_checkpoint(self, size: int, note: str, created_at: str) -> int: ...

    def checkpoints(self) -> list[StoredCheckpoint]: ...


class Log:
    """The log over one storage transaction."""

    def __init__(self, storage: LogStorage) -> None:
        self.storage = storage

    @property
    def size(self) -> int:
        return self.storage.log_size()

    def append(
        self, drafts: Sequence[Draft | tuple[str, dict[str, Any]]], author: str, recorded_at: str
    ) -> list[Entry]:
        """Append a batch of ``(kind, body)`` as consecutive entries, with the nodes they complete."""
        if not drafts:
            return []
        size = self.storage.log_size()
        keys = [node_key(level, index) for level, index in frontier_nodes(size)]
        stored = self.storage.load_nodes(keys)
        missing = [key for key in keys if key not in stored]
        if missing:
            level, index = node_from_key(missing[0])
            raise LookupError(f"the log's node ({level}, {index}) is missing from the store")
        frontier = Frontier(size, [stored[key] for key in keys])
        entries: list[Entry] = []
        nodes: list[tuple[int, bytes]] = []
        for offset, draft in enumerate(drafts):
            if isinstance(draft, Draft):
                entry = Entry.create(
                    size + offset, draft.kind, draft.body, author, recorded_at, draft.body_json
                )
            else:
                entry = Entry.create(size + offset, draft[0], draft[1], author, recorded_at)
            entries.append(entry)
            for level, index, digest in frontier.append(entry.leaf_hash):
                nodes.append((node_key(level, index), digest))
        self.storage.store_entries(entries)
        self.storage.store_nodes(nodes)
        return entries

    def _check_size(self, size: int | None) -> int:
        current = self.storage.log_size()
        if size is None:
            return current
        if size < 0 or size > current:
            raise ProofError(f"the log has {current} entries; size {size} is out of range")
        return size

    def _nodes(self, wanted: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        keys = {node_key(level, index): (level, index) for level, index in wanted}
        found = self.storage.load_nodes(list(keys))
        if len(found) != len(keys):
            lost = next(keys[k] for k in keys if k not in found)
            raise LookupError(f"the log's node {lost} is missing from the store")
        return {keys[key]: digest for key, digest in found.items()}

    def root(self, size: int | None = None) -> bytes:
        size = self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return hash_range_from(self._nodes(perfect_subtrees(0, size)), 0, size)

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        size = self._check_size(size)
        if not 0 <= seq < size:
            raise ProofError(f"entry {seq} is not in the log of size {size}")
        plan = inclusion_plan(seq, size)
        return proof_from_nodes(plan, self._nodes(needed_nodes(plan)))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        new_size = self._check_size(new_size)
        if old_size == 0:
            raise ProofError(
                "a consistency proof from size 0 is not defined: every log extends the empty one"
            )
        if not 0 < old_size <= new_size:
            raise ProofError(f"old size {old_size} must be between 1 and the new size {new_size}")
        plan = consistency_plan(old_size, new_size)
        return proof_from_nodes(plan, self._nodes(needed_nodes(plan)))

    def entry(self, seq: int) -> Entry:
        data = self.storage.entry_data(seq)
        if data is None:
            raise LookupError(f"the log has no entry {seq}")
        return Entry.decode(data)
