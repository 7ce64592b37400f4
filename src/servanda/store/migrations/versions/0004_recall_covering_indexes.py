"""Recall on PostgreSQL: index-only reads of an actor's statements, and a short GIN pending list.

- ``ix_statements_actor_date`` includes ``doc`` and ``ix_statements_on_behalf_of`` becomes
  (on_behalf_of, date_start) including ``doc``: recall learns an actor's docs from these indexes alone.
  On SQLite the rowid (doc) is in every index already; only on_behalf_of gains date_start.
- The GIN index over the search terms keeps at most 256 kB of not-yet-merged entries (the default is 4 MB):
  every search reads that whole pending list, which after an import was ~290 pages, about 1.2 ms a query.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GIN_PENDING_LIST_KIB = 256


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
        op.execute(
            f"ALTER INDEX ix_statement_terms_tsv SET (gin_pending_list_limit = {GIN_PENDING_LIST_KIB})"
        )
        # merge what is pending now; later inserts merge whenever the list passes the limit
        op.execute("SELECT gin_clean_pending_list('ix_statement_terms_tsv'::regclass)")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER INDEX ix_statement_terms_tsv RESET (gin_pending_list_limit)")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_on_behalf_of")
        batch_op.drop_index("ix_statements_actor_date")
        batch_op.create_index("ix_statements_actor_date", ["actor_id", "date_start"], unique=False)
        batch_op.create_index("ix_statements_on_behalf_of", ["on_behalf_of"], unique=False)
