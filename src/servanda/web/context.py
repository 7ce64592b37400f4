"""What every request handler shares: the opened record, the templates, the cache of computed views."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from servanda.errors import ConfigError
from servanda.ledger.note import NoteError
from servanda.record.bootstrap import RecordHandle
from servanda.record.checkpoints import local_verifier
from servanda.store.log_storage import SqlLogStorage

from .rendering import environment

T = TypeVar("T")
CACHE_ENTRIES = 4096  # pages of a few kilobytes: tens of megabytes at most, per worker


def cache_entries() -> int:
    """How many computed pages each worker keeps: ``SERVANDA_WEB_CACHE`` (0 turns the cache off)."""
    value = os.environ.get("SERVANDA_WEB_CACHE", "")
    try:
        return max(0, int(value)) if value else CACHE_ENTRIES
    except ValueError:
        raise ConfigError(
            f"SERVANDA_WEB_CACHE={value!r}: give a number of pages (0 turns the cache off)"
        ) from None


class ViewCache:
    """Computed views keyed by what they depend on and by the log's size.

    The record changes only by appending to the log, so a view computed at size N is right until the log
    grows: no invalidation to forget. Bounded, least recently used first out.
    """

    def __init__(self, capacity: int = CACHE_ENTRIES) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
        if self.capacity <= 0:
            return make()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return value


class WebContext:
    def __init__(self, handle: RecordHandle) -> None:
        self.handle = handle
        self.settings = handle.settings
        self.store = handle.store
        self.service = handle.service
        self.env = environment()
        self.cache = ViewCache(cache_entries())

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.store.read() as connection:
            yield connection

    def log_size(self, connection: Connection) -> int:
        return SqlLogStorage(connection).log_size()

    def verifier_key(self) -> str | None:
        try:
            verifier = local_verifier(self.settings)
        except (ConfigError, NoteError):
            return None
        return verifier.key() if verifier else None

    def render(
        self, request: Request, template: str, data: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        account = getattr(request.state, "account", None)
        page = self.env.get_template(template).render(
            data=data,
            request_path=request.url.path,
            query=dict(request.query_params),
            account=account,
            csrf=getattr(request.state, "csrf", None),
            origin=self.settings.origin,
        )
        return HTMLResponse(page, status_code=status)
