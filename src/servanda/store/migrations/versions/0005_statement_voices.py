"""Whom each statement speaks for through its author's office (``statement_terms.voices``).

A state's words are those of its heads and spokespeople while in office. PostgreSQL's search index held one
``@speaker`` lexeme per author, so "Russia and a word" asked the index for every speaker Russia ever had
(about a hundred lookups, 2 ms before any row was read). Each statement now also carries the actors it spoke
for on its first day (``servanda.store.voices``), and the index holds them as ``@actor`` lexemes too: a
state and a word are then two lexemes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GIN_PENDING_LIST_KIB = 256
_BUCKET_AND_SPEAKERS = (
    "array_remove(ARRAY['#' || (doc / 50000)::text, '@' || actor_id, '@' || on_behalf_of], NULL)"
)
_VOICES = "coalesce(string_to_array('@' || replace(voices, ' ', ' @'), ' '), '{}')"
_TSV = f"to_tsvector('simple', terms) || array_to_tsvector({_BUCKET_AND_SPEAKERS} || {_VOICES})"
_TSV_0004 = f"to_tsvector('simple', terms) || array_to_tsvector({_BUCKET_AND_SPEAKERS})"
# the same rule as servanda.store.voices.voices_for, in SQL: distinct targets in code-point order
_FILL = """
UPDATE statement_terms SET voices = (
  SELECT string_agg(target, ' ' ORDER BY target COLLATE "C") FROM (
    SELECT DISTINCT r.target FROM relations r
    WHERE r.owner_id = statement_terms.actor_id AND r.type IN ('head_of', 'speaks_for')
      AND coalesce(statement_terms.date_start, '0001-01-01') >= coalesce(r.since_start, '0001-01-01')
      AND coalesce(statement_terms.date_start, '0001-01-01') <= coalesce(r.until_end, '9999-12-31')
  ) held
)
WHERE actor_id IN (SELECT owner_id FROM relations WHERE type IN ('head_of', 'speaks_for'))
"""


def _drop_tsv() -> None:
    op.execute("DROP INDEX ix_statement_terms_tsv")
    op.execute("ALTER TABLE statement_terms DROP COLUMN tsv")


def _add_tsv(expression: str) -> None:
    op.execute(
        f"ALTER TABLE statement_terms ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({expression}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_statement_terms_tsv ON statement_terms USING gin (tsv) "
        f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KIB})"
    )


def upgrade() -> None:
    connection = op.get_bind()
    # plain ADD COLUMN (no batch): on SQLite a batch would rebuild the FTS5 content table under its triggers
    op.add_column("statement_terms", sa.Column("voices", sa.Text(), nullable=True))
    if connection.dialect.name == "postgresql":
        # filled while the tsvector is away, so that every row is rewritten once and indexed once
        _drop_tsv()
        op.execute(_FILL)
        _add_tsv(_TSV)
    else:
        # SQLite 3.40 cannot order inside an aggregate: the write path's own function fills it
        from servanda.store.voices import load_offices, refresh_voices

        offices = load_offices(connection)
        refresh_voices(connection, offices, offices)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_tsv()
        _add_tsv(_TSV_0004)
    op.drop_column("statement_terms", "voices")
