"""Where the record lives, and who is writing: read once from options and the environment, then passed on.

Nothing to configure for the embedded default: a folder ``servanda-data`` in the current directory holds the
SQLite database, the log's signing key and the captured files. ``SERVANDA_HOME`` moves that folder;
``SERVANDA_DB`` (or ``--db``) points at another database, such as ``postgresql://user@host/servanda``.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "servanda-data"


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    db_url: str
    key_path: Path
    captures_dir: Path
    origin: str
    author: str

    @classmethod
    def load(
        cls,
        *,
        db: str | None = None,
        home: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        base = Path(home or env.get("SERVANDA_HOME") or DEFAULT_HOME).expanduser()
        url = db or env.get("SERVANDA_DB") or str(base / "servanda.sqlite3")
        key = Path(env.get("SERVANDA_KEY") or base / "log.key").expanduser()
        captures = Path(env.get("SERVANDA_CAPTURES") or base / "captures").expanduser()
        origin = env.get("SERVANDA_ORIGIN") or f"{socket.gethostname() or 'localhost'}/servanda"
        author = env.get("SERVANDA_AUTHOR") or _default_author()
        return cls(base, url, key, captures, origin, author)


def _default_author() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):
        return "unknown"
