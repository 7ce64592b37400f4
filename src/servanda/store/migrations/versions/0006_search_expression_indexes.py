"""PostgreSQL's search: two expression indexes, and no stored tsvector.

- ``ix_statement_terms_recent``: each term of a statement once more, spelled with its recency bucket,
  ``term#B`` for B = doc // 10,000. Text alone ranks a word's most recently recorded matches; since 0004 it
  asked the GIN index for the word *and* a recency lexeme (``#N``, doc // 50,000) per window of newest docs,
  and GIN decoded the whole posting list of each ``#N`` (50,000 docs) to intersect it with a word that had
  perhaps thirty matches there: about 0.2 ms a window, and a rare word needs four. The posting list of
  ``word#B`` holds exactly the word's matches among those docs, so windows can also be narrow: a common
  word reads a few hundred rows, not its whole newest 60,000 docs' worth. It holds no positions: a phrase is
  still checked with the index below.
- ``ix_statement_terms_tsv`` indexes the same tsvector as before, now computed in the index instead of stored
  in each row. The stored one (positions and all) made up more than half of the table (529 MB of 1M rows,
  225 MB without), and every search reads rows of this table: half as many pages for the same rows stay in
  memory. The table is rewritten in doc order (``CLUSTER``), so the newest statements share the last pages;
  it is locked meanwhile (the whole migration took 60 s on a million statements). Only a phrase needs the
  tsvector of a row it reads, and computes it then.

Recall spells both expressions (``servanda.record.recall._TERMS_TSV``, ``_RECENT_TERMS``): PostgreSQL uses an
expression index only for a query that spells its expression. The tsvector loses the ``#N`` lexemes of 0004,
which nothing reads any more.

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
# must equal servanda.record.recall._TERMS_TSV: the tsvector of 0005 without its "#N" recency lexemes
TERMS_TSV = (
    "(to_tsvector('simple', terms) || array_to_tsvector(array_remove(ARRAY["
    "'@' || actor_id, '@' || on_behalf_of], NULL) || "
    "coalesce(string_to_array('@' || replace(voices, ' ', ' @'), ' '), '{}')))"
)
TSV_0005 = (
    "(to_tsvector('simple', terms) || array_to_tsvector(array_remove(ARRAY["
    "'#' || (doc / 50000)::text, '@' || actor_id, '@' || on_behalf_of], NULL) || "
    "coalesce(string_to_array('@' || replace(voices, ' ', ' @'), ' '), '{}')))"
)
# must equal servanda.record.recall._RECENT_TERMS (and RECENCY_BUCKET)
RECENT_TERMS = (
    "array_to_tsvector(string_to_array("
    "regexp_replace(terms, '(\\S+)', '\\1#' || (doc / 10000)::text, 'g'), ' '))"
)


def _gin(name: str, expression: str) -> None:
    op.execute(
        f"CREATE INDEX {name} ON statement_terms USING gin ({expression}) "
        f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KIB})"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 keeps its own index, and walks a word's matches newest first by itself
    op.execute("DROP INDEX ix_statement_terms_tsv")
    op.execute("ALTER TABLE statement_terms DROP COLUMN tsv")
    # dropping a column frees no space until the table is rewritten: rewrite it, in doc order
    op.execute("CLUSTER statement_terms USING statement_terms_pkey")
    _gin("ix_statement_terms_tsv", f"({TERMS_TSV})")
    _gin("ix_statement_terms_recent", f"({RECENT_TERMS})")
    # the planner needs statistics on the expressions to prefer the indexes over reading the table
    op.execute("ANALYZE statement_terms")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_statement_terms_recent")
    op.execute("DROP INDEX ix_statement_terms_tsv")
    op.execute(f"ALTER TABLE statement_terms ADD COLUMN tsv tsvector GENERATED ALWAYS AS {TSV_0005} STORED")
    _gin("ix_statement_terms_tsv", "tsv")
