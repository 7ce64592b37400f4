"""What an account is, which names it may have, and how account times are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from servanda.errors import InvalidInput

from .roles import Role

# Lowercase so that "Alice" and "alice" cannot be two authors in the log; starting with a letter or digit so
# that a name never looks like an option ("-x") or a path (".", "..").
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def validate_name(name: str) -> str:
    """Return the account name if it is acceptable; raise ``InvalidInput`` saying why not."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"account name {name!r} is not allowed: use 2 to 64 lowercase letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class Account:
    """An account as the rest of servanda sees it: never its password hash."""

    name: str
    role: Role
    display_name: str | None = None
    disabled: bool = False
    created_at: str = ""

    @property
    def author(self) -> str:
        """What the log records as the author of this account's writes."""
        return self.name


def stamp(moment: datetime) -> str:
    """A UTC time as fixed-width ISO 8601 text, so that SQL compares times as strings on every database."""
    if moment.tzinfo is None:
        raise ValueError("account times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
