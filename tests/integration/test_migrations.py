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
    # the search index lives outside the declared metadata on purpose (FTS5 table / tsvector column)
    assert [d for d in differences if "statement_fts" not in str(d) and "tsv" not in str(d)] == []
