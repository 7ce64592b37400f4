"""Tokens, session ids and CSRF tokens: their shapes, hashes and comparisons, without a store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from servanda.accounts.model import stamp
from servanda.accounts.sessions import (
    SessionPolicy,
    csrf_matches,
    csrf_token,
    hash_session_id,
    is_expired,
    new_session_id,
)
from servanda.accounts.tokens import hash_token, new_token, token_id


def test_a_token_carries_its_public_id_and_hashes_with_sha256() -> None:
    identifier, token = new_token()
    assert token.startswith(f"svd_{identifier}_")
    assert token_id(token) == identifier
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) > 50  # 32 random bytes in base64url, plus the id
    assert new_token()[1] != token


def test_text_not_shaped_like_a_token_has_no_id() -> None:
    for text in ["", "svd_", "svd_abc_def", "xyz_0123456789ab_secret", "svd_0123456789ab_"]:
        assert token_id(text) is None


def test_session_ids_are_random_and_stored_hashed() -> None:
    first, second = new_session_id(), new_session_id()
    assert first != second
    assert hash_session_id(first) == hashlib.sha256(first.encode()).hexdigest()


def test_the_csrf_token_belongs_to_its_session_only() -> None:
    session, other = new_session_id(), new_session_id()
    token = csrf_token(session)
    assert token == csrf_token(session)
    assert csrf_matches(session, token)
    assert not csrf_matches(other, token)
    assert not csrf_matches(session, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not csrf_matches(session, None)
    assert not csrf_matches(session, "")
    assert session not in token


def test_sessions_expire_when_idle_or_too_old() -> None:
    policy = SessionPolicy(idle=timedelta(hours=12), absolute=timedelta(days=7))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    row = {"created_at": stamp(start), "last_seen_at": stamp(start + timedelta(days=6, hours=20))}
    assert not is_expired(row, start + timedelta(days=6, hours=23), policy)  # type: ignore[arg-type]
    assert is_expired(row, start + timedelta(days=7, minutes=1), policy)  # type: ignore[arg-type]
    idle = {"created_at": stamp(start), "last_seen_at": stamp(start)}
    assert not is_expired(idle, start + timedelta(hours=12), policy)  # type: ignore[arg-type]
    assert is_expired(idle, start + timedelta(hours=12, seconds=1), policy)  # type: ignore[arg-type]
