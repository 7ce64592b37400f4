"""Reading whole stores back, so tests can compare them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from servanda.ledger.log import Log
from servanda.record.bootstrap import RecordHandle
from servanda.store.log_storage import SqlLogStorage
from servanda.store.schema import PROJECTION_TABLES


def projection_dump(handle: RecordHandle) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, table by table, sorted: equal dumps mean equal stores."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with handle.store.read() as connection:
        for table, _owner in PROJECTION_TABLES:
            rows = [tuple(row) for row in connection.execute(select(*table.columns))]
            out[table.name] = sorted(rows, key=repr)
    return out


def log_size(handle: RecordHandle) -> int:
    with handle.store.read() as connection:
        return Log(SqlLogStorage(connection)).size


def bodies(handle: RecordHandle) -> dict[str, Any]:
    from servanda.record.queries import list_records

    with handle.store.read() as connection:
        return {record.id: record.body() for record in list_records(connection)}
