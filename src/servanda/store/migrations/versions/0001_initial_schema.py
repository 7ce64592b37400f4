"""The initial schema: the log's tables, the projection, and the full-text index of statements.

The search index lives outside the declared metadata because each database builds it its own way: on
SQLite an FTS5 table over ``statement_terms`` kept in step by triggers, on PostgreSQL a generated tsvector
column with a GIN index.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 14:28:50.060804
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "agreement_status",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("date_text", sa.String(length=32), nullable=False),
        sa.Column("date_start", sa.String(length=10), nullable=False),
        sa.Column("by_actor", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("agreement_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_status_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("signed_text", sa.String(length=32), nullable=True),
        sa.Column("signed_start", sa.String(length=10), nullable=True),
        sa.Column("entry_into_force_text", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("statement_id", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("as_of_text", sa.String(length=32), nullable=False),
        sa.Column("as_of_start", sa.String(length=10), nullable=False),
        sa.Column("as_of_end", sa.String(length=10), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("supersedes", sa.String(length=128), nullable=True),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "captures",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=True),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_captures_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_captures_source_id"), ["source_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("date_text", sa.String(length=32), nullable=False),
        sa.Column("date_start", sa.String(length=10), nullable=False),
        sa.Column("date_end", sa.String(length=10), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("verification", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "external_ids",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
    )
    with op.batch_alter_table("external_ids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_ids_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_external_ids_value", ["scheme", "value"], unique=False)

    op.create_table(
        "links",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_owner", ["owner_id", "role"], unique=False)
        batch_op.create_index("ix_links_target", ["target", "role"], unique=False)

    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "log_entries",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.create_index("ix_log_entries_record", ["record_id", "seq"], unique=False)

    op.create_table(
        "log_nodes",
        sa.Column(
            "key", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "names",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_names_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "ratifications",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=128), nullable=False),
        sa.Column("institution", sa.String(length=128), nullable=False),
        sa.Column("date_text", sa.String(length=32), nullable=False),
        sa.Column("date_start", sa.String(length=10), nullable=False),
        sa.Column("act", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("ratifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratifications_institution"), ["institution"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratifications_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "records",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sort_date", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_type", ["type", "sort_date"], unique=False)

    op.create_table(
        "relations",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("since_text", sa.String(length=32), nullable=True),
        sa.Column("since_start", sa.String(length=10), nullable=True),
        sa.Column("until_text", sa.String(length=32), nullable=True),
        sa.Column("until_end", sa.String(length=10), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relations_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relations_target"), ["target"], unique=False)

    op.create_table(
        "responsibilities",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("verification", sa.String(length=16), nullable=True),
    )
    with op.batch_alter_table("responsibilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responsibilities_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_responsibilities_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("date_text", sa.String(length=32), nullable=True),
        sa.Column("date_start", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("partisan", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "statement_terms",
        sa.Column(
            "doc", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("statement_id", sa.String(length=128), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("doc"),
        sa.UniqueConstraint("statement_id"),
    )
    op.create_table(
        "statements",
        sa.Column(
            "doc", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=128), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=128), nullable=True),
        sa.Column("date_text", sa.String(length=32), nullable=False),
        sa.Column("date_start", sa.String(length=10), nullable=False),
        sa.Column("date_end", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("strength", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=128), nullable=True),
        sa.Column("agreement_id", sa.String(length=128), nullable=True),
        sa.Column("obligation", sa.Text(), nullable=True),
        sa.Column("deadline_text", sa.String(length=32), nullable=True),
        sa.Column("verification", sa.String(length=16), nullable=True),
        sa.Column("span_days", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("doc"),
        sa.UniqueConstraint("id"),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index("ix_statements_actor_date", ["actor_id", "date_start"], unique=False)
        batch_op.create_index("ix_statements_actor_span", ["actor_id", "span_days"], unique=False)
        batch_op.create_index(batch_op.f("ix_statements_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index("ix_statements_date", ["date_start"], unique=False)
        batch_op.create_index("ix_statements_on_behalf_of", ["on_behalf_of"], unique=False)

    _create_search_index()


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_on_behalf_of")
        batch_op.drop_index("ix_statements_date")
        batch_op.drop_index(batch_op.f("ix_statements_agreement_id"))
        batch_op.drop_index("ix_statements_actor_span")
        batch_op.drop_index("ix_statements_actor_date")

    op.drop_table("statements")
    op.drop_table("statement_terms")
    op.drop_table("sources")
    with op.batch_alter_table("responsibilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responsibilities_owner_id"))
        batch_op.drop_index(batch_op.f("ix_responsibilities_actor_id"))

    op.drop_table("responsibilities")
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relations_target"))
        batch_op.drop_index(batch_op.f("ix_relations_owner_id"))

    op.drop_table("relations")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_type")

    op.drop_table("records")
    with op.batch_alter_table("ratifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratifications_owner_id"))
        batch_op.drop_index(batch_op.f("ix_ratifications_institution"))

    op.drop_table("ratifications")
    with op.batch_alter_table("names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_names_owner_id"))

    op.drop_table("names")
    op.drop_table("log_nodes")
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_log_entries_record")

    op.drop_table("log_entries")
    op.drop_table("log_checkpoints")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_target")
        batch_op.drop_index("ix_links_owner")

    op.drop_table("links")
    with op.batch_alter_table("external_ids", schema=None) as batch_op:
        batch_op.drop_index("ix_external_ids_value")
        batch_op.drop_index(batch_op.f("ix_external_ids_owner_id"))

    op.drop_table("external_ids")
    op.drop_table("events")
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_captures_source_id"))
        batch_op.drop_index(batch_op.f("ix_captures_sha256"))

    op.drop_table("captures")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_statement_id"))

    op.drop_table("assessments")
    op.drop_table("agreements")
    with op.batch_alter_table("agreement_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_status_owner_id"))

    op.drop_table("agreement_status")
    op.drop_table("actors")


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE statement_fts USING fts5(terms, content='statement_terms', "
            "content_rowid='doc', tokenize='unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER statement_terms_insert AFTER INSERT ON statement_terms BEGIN "
            "INSERT INTO statement_fts(rowid, terms) VALUES (new.doc, new.terms); END"
        )
        op.execute(
            "CREATE TRIGGER statement_terms_delete AFTER DELETE ON statement_terms BEGIN "
            "INSERT INTO statement_fts(statement_fts, rowid, terms) "
            "VALUES ('delete', old.doc, old.terms); END"
        )
    else:
        op.execute(
            "ALTER TABLE statement_terms ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED"
        )
        op.execute("CREATE INDEX ix_statement_terms_tsv ON statement_terms USING gin (tsv)")


def _drop_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS statement_terms_insert")
        op.execute("DROP TRIGGER IF EXISTS statement_terms_delete")
        op.execute("DROP TABLE IF EXISTS statement_fts")
