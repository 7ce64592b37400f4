"""The SQL schema: the log's own tables, and the projection that readers query.

The ``log_*`` tables are the source of truth. Every other table is a projection of the log that ``rebuild``
can drop and replay; it has no foreign keys, because the write path checks references across the store and
the batch together, and because a rebuild must be able to insert in any order.

Dates are stored twice: as written (``*_text``, keeping their precision) and as ISO days (``*_start``,
``*_end``) so that range queries compare plain strings on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite makes a primary key the table's own row id only when it is declared exactly INTEGER; BIGINT would
# add a second index beside the table, doubling the writes of every append.
Key = BigInteger().with_variant(Integer(), "sqlite")

# --- the log ------------------------------------------------------------------------------------------------

log_entries = Table(
    "log_entries",
    metadata,
    Column("seq", Key, primary_key=True, autoincrement=False),
    # the leaf: RFC 8785 canonical JSON of {seq, kind, body, author, recorded_at}
    Column("data", LargeBinary, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("record_id", String(128)),
)
Index("ix_log_entries_record", log_entries.c.record_id, log_entries.c.seq)

log_nodes = Table(
    "log_nodes",
    metadata,
    # (level << 48) | index of a perfect subtree; its hash never changes once the subtree is complete
    Column("key", Key, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# --- the projection -----------------------------------------------------------------------------------------

records = Table(
    "records",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("type", String(16), nullable=False),
    Column("seq", BigInteger, nullable=False),  # the entry that last set this record
    Column("body", Text, nullable=False),  # canonical JSON of the record as last set
    Column("sort_date", String(10), nullable=False),
)
Index("ix_records_type", records.c.type, records.c.sort_date)

actors = Table(
    "actors",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text),
)

names = Table(
    "names",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("language", String(16), nullable=False),
    Column("name", Text, nullable=False),
)

external_ids = Table(
    "external_ids",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("scheme", String(32), nullable=False),
    Column("value", String(256), nullable=False),
)
Index("ix_external_ids_value", external_ids.c.scheme, external_ids.c.value)

relations = Table(
    "relations",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("target", String(128), nullable=False, index=True),
    Column("since_text", String(32)),
    Column("since_start", String(10)),
    Column("until_text", String(32)),
    Column("until_end", String(10)),
    Column("title", Text),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("publisher", Text),
    Column("date_text", String(32)),
    Column("date_start", String(10)),
    Column("language", String(16)),
    Column("partisan", Text),
)

captures = Table(
    "captures",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("source_id", String(128), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(128)),
    Column("filename", Text),
)

statements = Table(
    "statements",
    metadata,
    # the seq of the entry that set this statement: the row's key (SQLite's rowid), so that every index
    # carries it and the full-text index can point at it
    Column("doc", Key, primary_key=True, autoincrement=False),
    Column("id", String(128), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("actor_id", String(128), nullable=False),
    Column("on_behalf_of", String(128)),
    Column("date_text", String(32), nullable=False),
    Column("date_start", String(10), nullable=False),
    Column("date_end", String(10), nullable=False),
    Column("language", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("text_en", Text),
    Column("summary", Text),
    Column("strength", String(32)),
    Column("category", String(128)),
    Column("agreement_id", String(128), index=True),
    Column("obligation", Text),
    Column("deadline_text", String(32)),
    Column("verification", String(16)),
    # days between the first and the last day the date may mean (a day: 0; "2014": 364; open-ended: huge),
    # so that windows can seek the (actor, date) index and treat the rare long spans apart
    Column("span_days", Integer, nullable=False, server_default="0"),
)
# Recall reads an actor's docs from these two indexes alone: SQLite's carry the rowid (doc) anyway;
# PostgreSQL's include doc, so that its scans are index-only. Fetching the table row of each of a state's
# ~2,500 statements to learn its doc was most of a PostgreSQL recall once those pages were out of
# shared_buffers (migration 0004).
Index("ix_statements_actor_date", statements.c.actor_id, statements.c.date_start, postgresql_include=["doc"])
Index("ix_statements_date", statements.c.date_start)
# Recall asks for what was said on an actor's behalf as a (speaker, dates) branch of its own; every branch
# needs an index to be one seek.
Index(
    "ix_statements_on_behalf_of",
    statements.c.on_behalf_of,
    statements.c.date_start,
    postgresql_include=["doc"],
)
Index("ix_statements_actor_span", statements.c.actor_id, statements.c.span_days)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("title", Text, nullable=False),
    Column("kind", String(128), nullable=False),
    Column("signed_text", String(32)),
    Column("signed_start", String(10)),
    Column("entry_into_force_text", String(32)),
    Column("status", String(32)),
    Column("summary", Text),
)

ratifications = Table(
    "ratifications",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("party", String(128), nullable=False),
    Column("institution", String(128), nullable=False, index=True),
    Column("date_text", String(32), nullable=False),
    Column("date_start", String(10), nullable=False),
    Column("act", Text),
)

agreement_status = Table(
    "agreement_status",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("date_text", String(32), nullable=False),
    Column("date_start", String(10), nullable=False),
    Column("by_actor", String(128)),
    Column("note", Text),
)

events = Table(
    "events",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("title", Text, nullable=False),
    Column("kind", String(128), nullable=False),
    Column("date_text", String(32), nullable=False),
    Column("date_start", String(10), nullable=False),
    Column("date_end", String(10), nullable=False),
    Column("place", Text),
    Column("summary", Text),
    Column("verification", String(16)),
)

responsibilities = Table(
    "responsibilities",
    metadata,
    Column("owner_id", String(128), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("actor_id", String(128), nullable=False, index=True),
    Column("role", Text),
    Column("verification", String(16)),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("statement_id", String(128), nullable=False, index=True),
    Column("verdict", String(32), nullable=False),
    Column("as_of_text", String(32), nullable=False),
    Column("as_of_start", String(10), nullable=False),
    Column("as_of_end", String(10), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("author", Text),
    Column("supersedes", String(128)),
    Column("disputed", Boolean, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

# The search terms of each statement (stemmed words of its text, English rendering and summary; see
# servanda.domain.text). Each database indexes this column in its own way, created by the initial migration:
# SQLite an FTS5 table ``statement_fts`` (rowid = doc); PostgreSQL a GIN index over a tsvector of the terms
# with speaker lexemes (made by migration 0001 as a stored column, given those lexemes by 0004 and 0005,
# computed in the index since 0006), and a second GIN index of each term spelled with its recency bucket,
# for the newest matches of a word (0006).
statement_terms = Table(
    "statement_terms",
    metadata,
    Column("doc", Key, primary_key=True, autoincrement=False),
    Column("statement_id", String(128), nullable=False, unique=True),
    Column("terms", Text, nullable=False),
    # the statement's speaker and on whose behalf it spoke: on PostgreSQL the GIN index also holds them (as
    # ``@id`` lexemes), so that a search by an actor is intersected with its speakers inside the index
    Column("actor_id", String(128)),
    Column("on_behalf_of", String(128)),
    # the statement's first day, so that the newest matches of a word can be listed in date order from this
    # table alone (PostgreSQL's text-alone search)
    Column("date_start", String(10)),
    # whom the statement speaks for through its author's office on that day (``servanda.store.voices``):
    # derived from the author's relations, so it is filled by the write path, not by ``project()``
    Column("voices", Text),
)
# Columns that ``project()`` does not write because they depend on more than one record.
DERIVED_COLUMNS: dict[str, frozenset[str]] = {"statement_terms": frozenset({"voices"})}

# Every list of ids in every record, both ways: "what does X cite" and "what cites X" are one index each.
links = Table(
    "links",
    metadata,
    Column("owner_id", String(128), nullable=False),
    Column("role", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("target", String(128), nullable=False),
)
Index("ix_links_owner", links.c.owner_id, links.c.role)
Index("ix_links_target", links.c.target, links.c.role)

# --- accounts ----------------------------------------------------------------------------------------------
#
# Who may write, and their credentials. Not public record: these tables are neither in the log nor in its
# projection, so ``log verify`` does not compare them and ``rebuild`` leaves them alone. Times are UTC,
# ISO 8601 with milliseconds and a Z (fixed width), so that SQL compares them as plain strings. No secret is
# stored as given: passwords as argon2id hashes, session ids and API tokens as SHA-256 hashes.

accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),  # what the log records as the author of a write
    Column("display_name", Text),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("password_changed_at", String(32), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),  # the public part of the token, for listing and revoking
    Column("account", String(64), ForeignKey("accounts.name"), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32)),
    Column("revoked_at", String(32)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account", String(64), ForeignKey("accounts.name"), nullable=False, index=True),
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
)

# One row per failed login, keyed by "name:<account>" and by "ip:<address>"; rows older than the window are
# pruned as new ones arrive. In the store, so that every process and worker sees the same count.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", String(32), nullable=False, index=True),
)
Index("ix_login_failures_key", login_failures.c.key, login_failures.c.at)

# Verdicts proposed by an editor, waiting for a reviewer. A published draft becomes an assessment in the log
# (``seq`` names its entry); the draft row stays as the review's own trace.
verdict_drafts = Table(
    "verdict_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", String(128), nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON of the proposed assessment
    Column("reason", Text),  # the editor's why, carried into the log entry on publication
    Column("author", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reviewer", String(64)),
    Column("decided_at", String(32)),
    Column("note", Text),
    Column("seq", BigInteger),
)

# Every change made to an account (added, role, password, disabled or enabled, a token created or revoked):
# who made it and when, written in the change's own transaction, so the trail has no gaps and no phantoms.
# ``actor`` is None for a change made at the command line, by whoever runs ``servanda`` against the store.
# No secret is ever written here: a token is named by its public id, a password only by the fact of a change.
account_events = Table(
    "account_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(64)),
    Column("account", String(64), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("detail", Text),
)

LOG_TABLES = (log_entries, log_nodes, log_checkpoints)
ACCOUNT_TABLES = (accounts, api_tokens, sessions, login_failures, verdict_drafts, account_events)
# Each projection table with the column that names the record its rows came from.
PROJECTION_TABLES: tuple[tuple[Table, str], ...] = (
    (records, "id"),
    (actors, "id"),
    (names, "owner_id"),
    (external_ids, "owner_id"),
    (relations, "owner_id"),
    (sources, "id"),
    (captures, "id"),
    (statements, "id"),
    (statement_terms, "statement_id"),
    (agreements, "id"),
    (ratifications, "owner_id"),
    (agreement_status, "owner_id"),
    (events, "id"),
    (responsibilities, "owner_id"),
    (assessments, "id"),
    (links, "owner_id"),
)
