"""The schema that migrations build is the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from servanda.record.bootstrap import RecordHandle
from servanda.store.schema import metadata


def test_migrations_build_exactly_the_declared_schema(handle: RecordHandle) -> None:
    with handle.store.read() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, metadata)
    # the search indexes live outside the declared metadata on purpose (FTS5 table; PostgreSQL's GIN indexes
    # over expressions, which SQLAlchemy's metadata cannot spell)
    search = ("statement_fts", "tsv", "ix_statement_terms_recent")
    assert [d for d in differences if not any(name in str(d) for name in search)] == []
