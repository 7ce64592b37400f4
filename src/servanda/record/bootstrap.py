"""Wiring: open the store named by the settings, create or migrate it, and hand out the services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.util.exc import CommandError
from sqlalchemy import inspect

from servanda.errors import ConfigError
from servanda.settings import Settings
from servanda.store import migrate
from servanda.store.database import Store

from .service import RecordService


@dataclass
class RecordHandle:
    """An opened record: its settings, its store and its one write path."""

    settings: Settings
    store: Store
    service: RecordService

    def close(self) -> None:
        self.store.dispose()


def open_record(settings: Settings, *, create: bool = False) -> RecordHandle:
    """Open the store; with ``create``, make it (and its folder) if it does not exist yet.

    An existing store is always brought to the newest schema, so that upgrading servanda needs no extra step.
    """
    store_url = settings.db_url
    if "://" not in store_url:
        path = Path(store_url)
        if not path.exists():
            if not create:
                raise ConfigError(
                    f"no record at {path}: run 'servanda init' (or 'servanda import') to create one"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(store_url)
    with store.read() as connection:
        current = migrate.current_revision(connection)
        holds_log = inspect(connection).has_table("log_entries")
    if current != migrate.head_revision():
        if not create and not holds_log:
            store.dispose()
            raise ConfigError(f"{store.describe()} holds no servanda record: run 'servanda init' first")
        try:
            with store.write() as connection:
                migrate.upgrade(connection)
        except CommandError as exc:
            store.dispose()
            raise ConfigError(
                f"{store.describe()} has schema revision {current!r}, which this version of servanda does "
                f"not know (it knows up to {migrate.head_revision()!r}): another version made it ({exc})"
            ) from exc
    return RecordHandle(settings, store, RecordService(store))
