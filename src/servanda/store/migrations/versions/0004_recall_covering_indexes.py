"""Recall on PostgreSQL: index-only reads of an actor's statements; speakers and recency in the GIN index.

- ``ix_statements_actor_date`` includes ``doc`` and ``ix_statements_on_behalf_of`` becomes
  (on_behalf_of, date_start) including ``doc``: recall learns an actor's docs from these indexes alone.
  On SQLite the rowid (doc) is in every index already; only on_behalf_of gains date_start.
- ``statement_terms`` carries the statement's speaker (``actor_id``, ``on_behalf_of``) and first day
  (``date_start``, so that text alone is answered from this table alone), and on PostgreSQL its
  tsvector gains lexemes that no search word can spell: ``@speaker`` for each, and ``#N`` for the statement's
  doc // 50,000 (its "recency bucket"). A search for a word by an actor then intersects the word with the
  actor's speakers inside the GIN index, and a search for a word alone asks for the newest buckets first:
  either way only a few table rows are read, not one for each of the word's thousands of matches.
- The GIN index keeps at most 256 kB of not-yet-merged entries (the default is 4 MB): every search reads
  that whole pending list, which after an import was ~290 pages, about 1.2 ms a query.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GIN_PENDING_LIST_KIB = 256
# must equal servanda.record.recall.RECENCY_BUCKET
_TSV = (
    "to_tsvector('simple', terms) || array_to_tsvector(array_remove(ARRAY["
    "'#' || (doc / 50000)::text, '@' || actor_id, '@' || on_behalf_of], NULL))"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_actor_date")
        batch_op.drop_index("ix_statements_on_behalf_of")
        batch_op.create_index(
            "ix_statements_actor_date", ["actor_id", "date_start"], unique=False, postgresql_include=["doc"]
        )
        batch_op.create_index(
            "ix_statements_on_behalf_of",
            ["on_behalf_of", "date_start"],
            unique=False,
            postgresql_include=["doc"],
        )
    if postgresql:
        # dropped first, so that filling the new columns does not recompute every tsvector twice
        op.execute("DROP INDEX ix_statement_terms_tsv")
        op.execute("ALTER TABLE statement_terms DROP COLUMN tsv")
    # plain ADD COLUMN (no batch): on SQLite a batch would rebuild the FTS5 content table under its triggers
    op.add_column("statement_terms", sa.Column("actor_id", sa.String(length=128), nullable=True))
    op.add_column("statement_terms", sa.Column("on_behalf_of", sa.String(length=128), nullable=True))
    op.add_column("statement_terms", sa.Column("date_start", sa.String(length=10), nullable=True))
    if postgresql:
        op.execute(
            "UPDATE statement_terms SET actor_id = s.actor_id, on_behalf_of = s.on_behalf_of, "
            "date_start = s.date_start FROM statements s WHERE s.doc = statement_terms.doc"
        )
        op.execute(f"ALTER TABLE statement_terms ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({_TSV}) STORED")
        op.execute(
            "CREATE INDEX ix_statement_terms_tsv ON statement_terms USING gin (tsv) "
            f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KIB})"
        )
    else:
        op.execute(
            "UPDATE statement_terms SET "
            "actor_id = (SELECT actor_id FROM statements s WHERE s.doc = statement_terms.doc), "
            "on_behalf_of = (SELECT on_behalf_of FROM statements s WHERE s.doc = statement_terms.doc), "
            "date_start = (SELECT date_start FROM statements s WHERE s.doc = statement_terms.doc)"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP INDEX ix_statement_terms_tsv")
        op.execute("ALTER TABLE statement_terms DROP COLUMN tsv")
    op.drop_column("statement_terms", "date_start")
    op.drop_column("statement_terms", "on_behalf_of")
    op.drop_column("statement_terms", "actor_id")
    if postgresql:
        op.execute(
            "ALTER TABLE statement_terms ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED"
        )
        op.execute("CREATE INDEX ix_statement_terms_tsv ON statement_terms USING gin (tsv)")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_on_behalf_of")
        batch_op.drop_index("ix_statements_actor_date")
        batch_op.create_index("ix_statements_actor_date", ["actor_id", "date_start"], unique=False)
        batch_op.create_index("ix_statements_on_behalf_of", ["on_behalf_of"], unique=False)
