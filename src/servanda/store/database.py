"""Opening a store: SQLite (the embedded default) or PostgreSQL, behind one small interface.

The two differ in exactly three places, all here: how a URL is spelled, how a writer takes the store for
itself, and how a busy store is reported. Everything above this module sees a ``Store`` with ``read()`` and
``write()`` transactions.

Writers are serialised, so the log never forks: SQLite takes its write lock at ``BEGIN IMMEDIATE`` (another
writer waits up to the busy timeout), PostgreSQL takes a transaction-scoped advisory lock. A writer that waits
too long gets ``StoreBusy``, with nothing written, and may retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

from servanda.errors import ConfigError, StoreBusy

# An arbitrary constant: the key of PostgreSQL's advisory lock that serialises writers of the log.
_PG_WRITE_LOCK = 0x5E7A_4DA
BUSY_TIMEOUT_S = 30.0
CACHE_KIB = 64 * 1024  # per connection: the indexes a busy page touches stay in memory


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and file paths, and name the driver SQLAlchemy should use."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    return url


class Store:
    """A database holding the log and its projection."""

    def __init__(self, url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigError(
                f"unsupported database {parsed.drivername!r}: use a SQLite path or postgresql://"
            )
        self.busy_timeout_s = busy_timeout_s
        self.engine = self._create_engine(parsed.database)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _create_engine(self, database: str | None) -> Engine:
        if self.is_sqlite:
            if database and database != ":memory:":
                folder = Path(database).parent
                if not folder.exists():
                    raise ConfigError(f"cannot open {database}: folder {folder} does not exist")
            # Pooled connections keep their page cache between requests: a web server opening a new connection
            # per request re-read every index page it touched (NullPool made a statement's JSON 3× slower).
            # A connection holds no lock between transactions, so pooling does not keep writers waiting.
            engine = create_engine(self.url, poolclass=QueuePool, pool_size=8, max_overflow=24)
            timeout_ms = int(self.busy_timeout_s * 1000)

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_connection: Any, _record: Any) -> None:
                # Let SQLAlchemy's begin() decide how a transaction starts (see _on_begin).
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _on_begin(connection: Connection) -> None:
                immediate = connection.info.get("servanda_write", False)
                connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        # prepare_threshold=None: psycopg would otherwise prepare a query after five runs, and PostgreSQL may
        # then switch it to a generic plan that ignores the selectivity of the search terms (on a million
        # statements that turned a 3 ms full-text recall into 26 ms at the 95th percentile).
        return create_engine(self.url, pool_pre_ping=True, connect_args={"prepare_threshold": None})

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: a consistent snapshot of the record."""
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except OperationalError as exc:
            raise _translate(exc) from exc

    @contextmanager
    def write(self, *, lock_log: bool = True) -> Iterator[Connection]:
        """The one kind of transaction that may change the record: exclusive, all or nothing.

        Writes that touch no log table (accounts, sessions, failed logins) pass ``lock_log=False``: on
        PostgreSQL they then do not queue behind an import holding the log's lock, so signing in stays quick
        while the record is being written. SQLite has a single writer whatever is asked.
        """
        try:
            with self.engine.connect() as connection:
                connection.info["servanda_write"] = True
                try:
                    with connection.begin():
                        if not self.is_sqlite and lock_log:
                            timeout_ms = int(self.busy_timeout_s * 1000)
                            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout_ms}")
                            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
                        yield connection
                finally:
                    connection.info.pop("servanda_write", None)
        except DBAPIError as exc:
            raise _translate(exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)


@contextmanager
def prepared(connection: Connection) -> Iterator[None]:
    """PostgreSQL: the queries run inside are prepared on first use and planned once per connection.

    Only for queries whose best plan does not depend on their values (a lookup by a list of ids, a search
    whose only possible path is the text index): planning them took longer than running them (0.5-0.8 ms
    each in recall). Elsewhere preparing stays off (see ``_create_engine``). SQLite prepares anyway.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    before = raw.prepare_threshold
    raw.prepare_threshold = 0
    try:
        yield
    finally:
        raw.prepare_threshold = before


def _translate(exc: DBAPIError) -> Exception:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "database is locked" in lowered or "lock timeout" in lowered or "deadlock" in lowered:
        return StoreBusy(f"another writer holds the store; nothing was written, try again ({text.strip()})")
    if isinstance(exc, OperationalError) and (
        "unable to open" in lowered
        or "could not connect" in lowered
        or ("connection" in lowered and "failed" in lowered)
    ):
        return ConfigError(f"cannot open the store: {text.strip()}")
    return exc
