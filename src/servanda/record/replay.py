"""Replaying the log: the state it implies, the projection rows of that state, and ``rebuild``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete

from servanda.domain.records import Record, record_from_body
from servanda.ledger.log import Entry
from servanda.store.projection import project
from servanda.store.schema import PROJECTION_TABLES
from servanda.store.search_index import rebuilding_search_index

from .service import body_json, write_projection


def latest_records(entries: Iterable[Entry]) -> dict[str, tuple[Record, int]]:
    """Fold the log into the current state: for each id, the record its last put entry set, and that seq."""
    state: dict[str, tuple[Record, int]] = {}
    for entry in entries:
        if not entry.kind.endswith(".put"):
            continue
        record_type = entry.kind[: -len(".put")]
        state[entry.body["record"]["id"]] = (record_from_body(record_type, entry.body["record"]), entry.seq)
    return state


def expected_rows(state: dict[str, tuple[Record, int]]) -> dict[str, list[dict[str, Any]]]:
    """All projection rows the log implies, table by table."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record, seq in state.values():
        for table_name, rows in project(record, seq, body_json(record)).items():
            grouped[table_name].extend(rows)
    return grouped


def rebuild_projection(connection: Connection, entries: Iterable[Entry]) -> int:
    """Drop every projection row and replay the log; returns the number of records."""
    state = latest_records(entries)
    with rebuilding_search_index(connection):
        for table, _owner in PROJECTION_TABLES:
            connection.execute(delete(table))
        write_projection(connection, [(record, seq, body_json(record)) for record, seq in state.values()], [])
    return len(state)


def decode_entries(rows: Iterable[tuple[int, bytes]]) -> Iterable[Entry]:
    for _seq, data in rows:
        yield Entry.decode(data)
