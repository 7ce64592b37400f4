"""Login rate limiting, per account name and per client address, kept in the store.

Each failed login adds a row under ``name:<account>`` and one under ``ip:<address>``. When a key has
``limit`` failures within ``window``, further attempts under it are refused without checking the password
until the oldest of those failures leaves the window. Refused attempts are not counted, so a locked account
unlocks on time however often someone keeps trying. A successful login clears its account name's failures
(not its address's: one valid account must not reset an attacker's count for the others).

The store, not memory, holds the count, so that every process and worker of the web server shares it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from servanda.errors import RateLimited
from servanda.store.schema import login_failures

from .model import parse_stamp, stamp

_KEY_PART = 150  # a name or address longer than any real one is cut, so that the key fits its column


@dataclass(frozen=True, slots=True)
class RateLimit:
    limit: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class LoginLimits:
    # Per name, strict: nobody needs five wrong passwords in a row. Per address, looser: many people may
    # sign in from one office or one network address translator.
    per_name: RateLimit = RateLimit(5, timedelta(minutes=15))
    per_ip: RateLimit = RateLimit(20, timedelta(minutes=15))

    @property
    def longest_window(self) -> timedelta:
        return max(self.per_name.window, self.per_ip.window)

    def keys(self, name: str, client_ip: str | None) -> list[tuple[str, RateLimit, str]]:
        """(key, its limit, who it is in a message) for one login attempt."""
        keys = [(f"name:{name[:_KEY_PART]}", self.per_name, "this account")]
        if client_ip:
            keys.append((f"ip:{client_ip[:_KEY_PART]}", self.per_ip, "this address"))
        return keys


def check(connection: Connection, keys: list[tuple[str, RateLimit, str]], now: datetime) -> None:
    """Raise ``RateLimited`` if any key has used up its failures."""
    for key, rule, who in keys:
        times = connection.execute(
            select(login_failures.c.at)
            .where(login_failures.c.key == key, login_failures.c.at > stamp(now - rule.window))
            .order_by(login_failures.c.at.desc())
            .limit(rule.limit)
        ).scalars()
        recent = list(times)
        if len(recent) >= rule.limit:
            # the lock lifts when the limit-th most recent failure leaves the window
            wait = parse_stamp(recent[rule.limit - 1]) + rule.window - now
            seconds = max(1, math.ceil(wait.total_seconds()))
            minutes = max(1, math.ceil(seconds / 60))
            plural = "s" if minutes != 1 else ""
            raise RateLimited(
                f"too many failed sign-ins for {who}: try again in {minutes} minute{plural}", seconds
            )


def record_failure(
    connection: Connection, keys: list[tuple[str, RateLimit, str]], now: datetime, keep: timedelta
) -> None:
    """Count one failure under each key; ``keep`` is the longest window of any limit."""
    # forget what no window can see any more, so that the table stays small
    connection.execute(delete(login_failures).where(login_failures.c.at < stamp(now - keep)))
    connection.execute(insert(login_failures), [{"key": key, "at": stamp(now)} for key, _rule, _who in keys])


def clear(connection: Connection, key: str) -> None:
    connection.execute(delete(login_failures).where(login_failures.c.key == key))
