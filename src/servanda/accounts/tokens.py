"""API tokens: random, shown once, stored only as a SHA-256 hash, listed and revoked by a public id.

A token reads ``svd_<id>_<secret>``: ``id`` (12 hex digits) is public and names the token in lists and in
``revoke``; ``secret`` is 32 random bytes. The store keeps SHA-256 of the whole token. A fast hash is right
here, unlike for passwords: argon2 slows down guessing of secrets people choose, while a 256-bit random secret
cannot be guessed at any speed — and a fast hash lets every API request be checked without spending argon2's
tens of milliseconds and megabytes, which would make the API easy to overload.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select, update

from servanda.store.schema import api_tokens

from .model import stamp

PREFIX = "svd"
MAX_LABEL = 200


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a token, ever: never the token itself."""

    id: str
    account: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> tuple[str, str]:
    """A fresh (id, token)."""
    token_id = secrets.token_hex(6)
    return token_id, f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(token: str) -> str | None:
    """The public id inside a token, or None if the text is not shaped like one of ours."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def insert_token(connection: Connection, account: str, label: str, now: datetime) -> tuple[str, TokenInfo]:
    identifier, token = new_token()
    info = TokenInfo(identifier, account, label, stamp(now), None, None)
    connection.execute(
        insert(api_tokens).values(
            id=identifier,
            account=account,
            label=label,
            token_hash=hash_token(token),
            created_at=info.created_at,
        )
    )
    return token, info


def find_token(connection: Connection, token: str) -> TokenInfo | None:
    """The token's record if the token is one the store issued (revoked or not); else None."""
    identifier = token_id(token)
    if identifier is None:
        return None
    row = connection.execute(select(api_tokens).where(api_tokens.c.id == identifier)).mappings().first()
    # compare_digest: the time taken must not tell how much of a guessed hash matched
    if row is None or not hmac.compare_digest(row["token_hash"], hash_token(token)):
        return None
    return _info(row)


def get_token(connection: Connection, identifier: str) -> TokenInfo | None:
    row = connection.execute(select(api_tokens).where(api_tokens.c.id == identifier)).mappings().first()
    return None if row is None else _info(row)


def list_tokens(connection: Connection, account: str) -> list[TokenInfo]:
    rows = connection.execute(
        select(api_tokens).where(api_tokens.c.account == account).order_by(api_tokens.c.created_at)
    ).mappings()
    return [_info(row) for row in rows]


def set_revoked(connection: Connection, identifier: str, now: datetime) -> None:
    connection.execute(
        update(api_tokens)
        .where(api_tokens.c.id == identifier, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=stamp(now))
    )


def set_used(connection: Connection, identifier: str, now: datetime) -> None:
    connection.execute(
        update(api_tokens).where(api_tokens.c.id == identifier).values(last_used_at=stamp(now))
    )


def _info(row: RowMapping) -> TokenInfo:
    return TokenInfo(
        row["id"], row["account"], row["label"], row["created_at"], row["last_used_at"], row["revoked_at"]
    )
