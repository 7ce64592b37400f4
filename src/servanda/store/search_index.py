"""Checks of the full-text index that each database keeps beside ``statement_terms``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError


def check_search_index(connection: Connection) -> str | None:
    """None if the search index agrees with ``statement_terms``; otherwise what is wrong.

    SQLite's FTS5 can compare its index with its content table itself; the check writes nothing but needs a
    write transaction. PostgreSQL keeps its GIN index consistent by itself.
    """
    if connection.dialect.name != "sqlite":
        return None
    try:
        connection.exec_driver_sql(
            "INSERT INTO statement_fts(statement_fts, rank) VALUES ('integrity-check', 1)"
        )
    except DatabaseError as exc:
        return f"the full-text index does not match the search terms ({exc.orig}); run 'servanda rebuild'"
    return None


# The triggers that keep SQLite's FTS5 index in step with statement_terms, as the first migration makes them.
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER statement_terms_insert AFTER INSERT ON statement_terms BEGIN "
    "INSERT INTO statement_fts(rowid, terms) VALUES (new.doc, new.terms); END",
    "CREATE TRIGGER statement_terms_delete AFTER DELETE ON statement_terms BEGIN "
    "INSERT INTO statement_fts(statement_fts, rowid, terms) VALUES ('delete', old.doc, old.terms); END",
)


@contextmanager
def rebuilding_search_index(connection: Connection) -> Iterator[None]:
    """Around a rebuild of the projection: rebuild the full-text index from scratch afterwards.

    Row-by-row upkeep through the triggers assumes the index is right; a rebuild must also work when it is
    not (that is one reason to rebuild), so the triggers are set aside and FTS5 re-reads its content table.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS statement_terms_insert")
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS statement_terms_delete")
    yield
    for statement in _SQLITE_TRIGGERS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("INSERT INTO statement_fts(statement_fts) VALUES ('rebuild')")
