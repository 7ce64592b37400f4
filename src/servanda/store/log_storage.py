"""The log's storage over SQL: entries, perfect-node hashes and checkpoints, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from servanda.ledger.log import Entry, StoredCheckpoint

from .bulk import insert_rows
from .schema import log_checkpoints, log_entries, log_nodes

_CHUNK = 500  # keeps IN (...) lists within every database's parameter limit


class SqlLogStorage:
    """``LogStorage`` on an open SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def log_size(self) -> int:
        last = self._raw_one("SELECT max(seq) FROM log_entries")
        return 0 if last is None else int(last) + 1

    def load_nodes(self, keys: Collection[int]) -> dict[int, bytes]:
        return self._blobs("log_nodes", "key", "hash", keys)

    def _blobs(self, table: str, key: str, value: str, keys: Collection[int]) -> dict[int, bytes]:
        """``{key: value}`` for the given integer keys of a log table.

        Proofs ask for a handful of keys many times a second, verification for thousands at once: a plain
        driver query, a chunk of keys at a time, is several times cheaper than a SQLAlchemy statement.
        """
        keys = list(keys)
        found: dict[int, bytes] = {}
        mark = "?" if self.connection.dialect.name == "sqlite" else "%s"
        cursor = self._cursor()
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ", ".join(mark for _ in chunk)
                cursor.execute(f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})", chunk)
                found.update((int(k), bytes(v)) for k, v in cursor.fetchall())
        finally:
            cursor.close()
        return found

    def _cursor(self) -> Any:
        raw = self.connection.connection.driver_connection
        assert raw is not None
        return raw.cursor()

    def _raw_one(self, sql: str) -> Any:
        cursor = self._cursor()
        try:
            cursor.execute(sql)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else row[0]

    def store_entries(self, entries: Sequence[Entry]) -> None:
        insert_rows(
            self.connection,
            log_entries,
            ("seq", "data", "kind", "record_id"),
            [(e.seq, e.data, e.kind, e.record_id) for e in entries],
        )

    def store_nodes(self, nodes: Sequence[tuple[int, bytes]]) -> None:
        insert_rows(self.connection, log_nodes, ("key", "hash"), nodes)

    def entry_data(self, seq: int) -> bytes | None:
        data = self.connection.execute(select(log_entries.c.data).where(log_entries.c.seq == seq)).scalar()
        return bytes(data) if data is not None else None

    def entries_data(self, seqs: Collection[int]) -> dict[int, bytes]:
        """The stored bytes of many entries at once, by seq."""
        return self._blobs("log_entries", "seq", "data", seqs)

    def iter_entry_data(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        # Paged by key so that a million entries never sit in memory at once, on either database.
        position = start
        while True:
            rows = self.connection.execute(
                select(log_entries.c.seq, log_entries.c.data)
                .where(log_entries.c.seq >= position)
                .order_by(log_entries.c.seq)
                .limit(5000)
            ).all()
            if not rows:
                return
            for seq, data in rows:
                yield int(seq), bytes(data)
            position = int(rows[-1][0]) + 1

    def iter_nodes(self) -> Iterator[tuple[int, bytes]]:
        position = -1
        while True:
            rows = self.connection.execute(
                select(log_nodes.c.key, log_nodes.c.hash)
                .where(log_nodes.c.key > position)
                .order_by(log_nodes.c.key)
                .limit(20000)
            ).all()
            if not rows:
                return
            for key, digest in rows:
                yield int(key), bytes(digest)
            position = int(rows[-1][0])

    def store_checkpoint(self, size: int, note: str, created_at: str) -> int:
        result = self.connection.execute(
            log_checkpoints.insert().values(size=size, note=note, created_at=created_at)
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self.connection.execute(
            select(
                log_checkpoints.c.id,
                log_checkpoints.c.size,
                log_checkpoints.c.note,
                log_checkpoints.c.created_at,
            ).order_by(log_checkpoints.c.id)
        )
        return [StoredCheckpoint(int(i), int(s), str(n), str(c)) for i, s, n, c in rows]
