"""The app as an import string for ASGI servers: ``uvicorn servanda.web.asgi:app``.

Settings come from the environment, as for the command line (SERVANDA_HOME, SERVANDA_DB, ...).
``servanda serve`` uses it so that it can start several worker processes."""

from __future__ import annotations

from servanda.settings import Settings

from .app import create_app

app = create_app(Settings.load())
