"""Fast bulk inserts inside the caller's SQLAlchemy transaction.

Imports write hundreds of thousands of rows; SQLAlchemy's per-row parameter processing then costs more than
the database itself. Both drivers have a faster native path on the same connection and transaction: SQLite's
``executemany`` with plain tuples, and PostgreSQL's ``COPY ... FROM STDIN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``."""
    if not rows:
        return
    names = ", ".join(columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})", rows)
    finally:
        cursor.close()


def insert_dicts(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as dicts (every row with the same keys as the first)."""
    if not rows:
        return
    columns = list(rows[0])
    insert_rows(connection, table, columns, [tuple(row[c] for c in columns) for row in rows])
