"""Server-side sessions for the web: a random id in the cookie, its SHA-256 in the store, and a CSRF token.

The session id is 32 random bytes; like an API token it is stored hashed (SHA-256 suffices for the same
reason), so a copy of the database lets nobody sign in as anyone.

The CSRF token is derived from the session id (HMAC-SHA-256 keyed by it) rather than stored: the server can
recompute it on every request from the cookie it receives, a page that leaks the token does not leak the
session id, and a site that cannot read the cookie cannot compute it. It changes with every new session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, delete, insert, or_, select, update

from servanda.store.schema import sessions

from .model import parse_stamp, stamp

_CSRF_CONTEXT = b"servanda csrf v1"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lasts: ``idle`` after its last use, and never longer than ``absolute``."""

    idle: timedelta = timedelta(hours=12)
    absolute: timedelta = timedelta(days=7)
    # Recording every request's time would make every page view a write; a few minutes' precision on a
    # twelve-hour idle limit costs nothing.
    touch_every: timedelta = timedelta(minutes=5)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token(session_id: str) -> str:
    return hmac.new(session_id.encode("utf-8"), _CSRF_CONTEXT, hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, token: str | None) -> bool:
    # compare_digest: the time taken must not tell how many leading characters of a guess were right
    return token is not None and hmac.compare_digest(csrf_token(session_id), token)


def insert_session(connection: Connection, account: str, now: datetime) -> str:
    session_id = new_session_id()
    moment = stamp(now)
    connection.execute(
        insert(sessions).values(
            id_hash=hash_session_id(session_id), account=account, created_at=moment, last_seen_at=moment
        )
    )
    return session_id


def find_session(connection: Connection, session_id: str) -> RowMapping | None:
    return (
        connection.execute(select(sessions).where(sessions.c.id_hash == hash_session_id(session_id)))
        .mappings()
        .first()
    )


def is_expired(row: RowMapping, now: datetime, policy: SessionPolicy) -> bool:
    return (
        now - parse_stamp(row["last_seen_at"]) > policy.idle
        or now - parse_stamp(row["created_at"]) > policy.absolute
    )


def needs_touch(row: RowMapping, now: datetime, policy: SessionPolicy) -> bool:
    return now - parse_stamp(row["last_seen_at"]) >= policy.touch_every


def touch(connection: Connection, session_id: str, now: datetime) -> None:
    connection.execute(
        update(sessions)
        .where(sessions.c.id_hash == hash_session_id(session_id))
        .values(last_seen_at=stamp(now))
    )


def delete_session(connection: Connection, session_id: str) -> int:
    return connection.execute(
        delete(sessions).where(sessions.c.id_hash == hash_session_id(session_id))
    ).rowcount


def delete_sessions_of(connection: Connection, account: str) -> int:
    return connection.execute(delete(sessions).where(sessions.c.account == account)).rowcount


def delete_expired(connection: Connection, now: datetime, policy: SessionPolicy) -> int:
    return connection.execute(
        delete(sessions).where(
            or_(
                sessions.c.last_seen_at < stamp(now - policy.idle),
                sessions.c.created_at < stamp(now - policy.absolute),
            )
        )
    ).rowcount
