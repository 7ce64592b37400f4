"""Text alone on PostgreSQL: a word's newest matches straight from an index (``ix_statement_terms_recent``).

A search for a word alone ranks the word's most recently recorded matches. Since 0004 it asked the GIN index
for the word *and* a recency lexeme (``#N``, doc // 50,000) per window of newest docs. GIN decoded the whole
posting list of each ``#N`` (50,000 docs) to intersect it with a word that had perhaps thirty matches
there: about 0.2 ms per window, and a rare word needs four windows.

This index holds each term of a statement once more, spelled with its recency bucket: ``term#B`` for
B = doc // 10,000. The newest matches of a word are then the posting lists of ``word#101``, ``word#100`` and
so on, which hold exactly those matches and nothing else; windows can be narrow (a common word reads a few
hundred rows, not its whole newest 60,000 docs' worth). Recall writes the same expression
(``servanda.record.recall._RECENT_TERMS``): PostgreSQL only uses an expression index for a query that spells
its expression.

The index carries no positions, so a phrase is still checked against ``tsv``. The ``#N`` lexemes of 0004
stay in ``tsv``: taking them out would rewrite every row of the table for a few bytes each.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 20:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GIN_PENDING_LIST_KIB = 256
# must equal servanda.record.recall._RECENT_TERMS (and RECENCY_BUCKET)
RECENT_TERMS = (
    "array_to_tsvector(string_to_array("
    "regexp_replace(terms, '(\\S+)', '\\1#' || (doc / 10000)::text, 'g'), ' '))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 walks a word's matches newest first by itself
    op.execute(
        f"CREATE INDEX ix_statement_terms_recent ON statement_terms USING gin (({RECENT_TERMS})) "
        f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KIB})"
    )
    # the planner needs statistics on the expression to prefer the index over reading the table backwards
    op.execute("ANALYZE statement_terms")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_statement_terms_recent")
