"""Full-text search over statements.

Adds ``statements.doc`` (the seq of the entry that set the statement: a stable integer key) and
``statement_terms`` (the stemmed search terms of each statement, computed by servanda.domain.text), then the
index each database searches them with: an FTS5 table kept in step by triggers on SQLite, a generated
tsvector column with a GIN index on PostgreSQL. Existing statements are indexed during the upgrade.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from servanda.store.projection import search_terms

    bind = op.get_bind()
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("doc", sa.BigInteger(), nullable=True))
    bind.execute(
        sa.text("UPDATE statements SET doc = (SELECT seq FROM records WHERE records.id = statements.id)")
    )
    with op.batch_alter_table("statements") as batch:
        batch.alter_column("doc", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_statements_doc", ["doc"])
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
    if bind.dialect.name == "sqlite":
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
    rows = bind.execute(sa.text("SELECT doc, id, language, text, text_en, summary FROM statements")).all()
    if rows:
        bind.execute(
            sa.text("INSERT INTO statement_terms (doc, statement_id, terms) VALUES (:doc, :id, :terms)"),
            [
                {"doc": doc, "id": sid, "terms": search_terms(text, language, text_en, summary)}
                for doc, sid, language, text, text_en, summary in rows
            ],
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS statement_terms_insert")
        op.execute("DROP TRIGGER IF EXISTS statement_terms_delete")
        op.execute("DROP TABLE IF EXISTS statement_fts")
    op.drop_table("statement_terms")
    with op.batch_alter_table("statements") as batch:
        batch.drop_constraint("uq_statements_doc", type_="unique")
        batch.drop_column("doc")
