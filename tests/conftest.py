"""Fixtures shared by the whole suite: a fresh store per test, on SQLite and on a real PostgreSQL server.

PostgreSQL tests need ``SERVANDA_TEST_PG``: a URL of a server where the tests may create databases
(``scripts/test`` starts a private one). Without it they are skipped on a developer's machine — and fail in
CI (``CI=true``), where skipping would hide that half of the storage was never tested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from servanda.record.bootstrap import RecordHandle, open_record
from servanda.settings import Settings

PG_ENV = "SERVANDA_TEST_PG"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must test against a real PostgreSQL server")
        return None
    return url


def _admin_engine(url: str):  # type: ignore[no-untyped-def]
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(parsed, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated PostgreSQL database that each test copies (CREATE DATABASE ... TEMPLATE is fast)."""
    url = _pg_admin_url()
    if url is None:
        yield None
        return
    name = f"servanda_tmpl_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    handle = open_record(Settings.load(db=target, environ={}), create=True)
    handle.close()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_pg_database(template: str | None) -> tuple[str, str]:
    url = _pg_admin_url()
    assert url is not None
    name = f"servanda_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(url)
    with admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        )
    admin.dispose()
    return name, make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    url = _pg_admin_url()
    assert url is not None
    admin = _admin_engine(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty-but-migrated store (SQLite file, or a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield str(tmp_path / "servanda.sqlite3")
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server to test against")
    name, url = new_pg_database(template)
    yield url
    drop_pg_database(name)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.load(
        db=db_url,
        home=tmp_path / "home",
        environ={"SERVANDA_ORIGIN": "test.servanda.example/log", "SERVANDA_AUTHOR": "tester"},
    )


@pytest.fixture
def handle(settings: Settings) -> Iterator[RecordHandle]:
    settings.home.mkdir(parents=True, exist_ok=True)
    record = open_record(settings, create=True)
    yield record
    record.close()
