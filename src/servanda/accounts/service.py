"""``AccountService``: accounts, sign-in, API tokens and sessions — the calls the web layer and the CLI make.

Every change is one transaction, and bad input changes nothing. Every change to an account is also recorded in
``account_events`` in that same transaction, naming who made it (``by``: the acting account's name, or None
for the operator at the command line), so the trail neither misses a change nor records one that failed.
Account writes touch no log table, so they do not take the log's lock (see ``Store.write``). Checks that only
read (a session or token on each request) read; they write only when a last-use time is due an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, update

from servanda.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from servanda.store.database import Store
from servanda.store.schema import account_events, accounts

from . import ratelimit, sessions, tokens
from .model import Account, parse_stamp, stamp, validate_name
from .passwords import Passwords, check_policy
from .ratelimit import LoginLimits
from .roles import Role, parse_role
from .sessions import SessionPolicy
from .tokens import TokenInfo

Clock = Callable[[], datetime]
_WRONG = "wrong account name or password"
EVENTS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """One change to an account: ``actor`` None means the operator, at the command line."""

    id: int
    at: str
    actor: str | None
    account: str
    action: str
    detail: str | None


def utc_now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    def __init__(
        self,
        store: Store,
        *,
        passwords: Passwords | None = None,
        clock: Clock = utc_now,
        limits: LoginLimits | None = None,
        session_policy: SessionPolicy | None = None,
    ) -> None:
        self.store = store
        self.passwords = passwords or Passwords()
        self.clock = clock
        self.limits = limits or LoginLimits()
        self.session_policy = session_policy or SessionPolicy()

    # --- accounts ---------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        password: str,
        role: Role | str,
        display_name: str | None = None,
        *,
        by: str | None = None,
    ) -> Account:
        validate_name(name)
        chosen = parse_role(role) if isinstance(role, str) else role
        check_policy(password, name)
        display = _clean_display_name(display_name)
        hashed = self.passwords.hash(password)  # slow: before the transaction, not inside it
        moment = stamp(self.clock())
        with self.store.write(lock_log=False) as connection:
            if _row(connection, name) is not None:
                raise InvalidInput(f"there is already an account named {name!r}")
            connection.execute(
                insert(accounts).values(
                    name=name,
                    display_name=display,
                    role=chosen.value,
                    password_hash=hashed,
                    disabled=False,
                    created_at=moment,
                    password_changed_at=moment,
                )
            )
            _record(connection, self.clock(), by, name, "added", f"as {chosen.value}")
        return Account(name, chosen, display, False, moment)

    def get(self, name: str) -> Account:
        with self.store.read() as connection:
            return _account(_existing(connection, name))

    def list_users(self) -> list[Account]:
        with self.store.read() as connection:
            rows = connection.execute(select(accounts).order_by(accounts.c.name)).mappings()
            return [_account(row) for row in rows]

    def set_role(self, name: str, role: Role | str, *, by: str | None = None) -> Account:
        chosen = parse_role(role) if isinstance(role, str) else role
        with self.store.write(lock_log=False) as connection:
            row = _existing(connection, name)
            if row["role"] == Role.ADMIN and chosen is not Role.ADMIN and not row["disabled"]:
                _keep_an_admin(connection, name, "lose the admin role")
            connection.execute(update(accounts).where(accounts.c.name == name).values(role=chosen.value))
            if row["role"] != chosen.value:  # setting the role it has changes nothing worth a line
                _record(connection, self.clock(), by, name, "role", f"{row['role']} to {chosen.value}")
            return _account({**row, "role": chosen.value})

    def set_password(self, name: str, password: str, *, by: str | None = None) -> None:
        """Replace the password and end every session of the account (API tokens stay: revoke them apart)."""
        check_policy(password, name)
        hashed = self.passwords.hash(password)
        with self.store.write(lock_log=False) as connection:
            _existing(connection, name)
            connection.execute(
                update(accounts)
                .where(accounts.c.name == name)
                .values(password_hash=hashed, password_changed_at=stamp(self.clock()))
            )
            sessions.delete_sessions_of(connection, name)
            ratelimit.clear(connection, self.limits.keys(name, None)[0][0])
            detail = "changed by its owner" if by == name else "set"
            _record(connection, self.clock(), by, name, "password", detail)

    def disable(self, name: str, *, by: str | None = None) -> Account:
        """Stop the account signing in or using its tokens, and end its sessions; its past writes stay."""
        with self.store.write(lock_log=False) as connection:
            row = _existing(connection, name)
            if row["role"] == Role.ADMIN and not row["disabled"]:
                _keep_an_admin(connection, name, "be disabled")
            connection.execute(update(accounts).where(accounts.c.name == name).values(disabled=True))
            sessions.delete_sessions_of(connection, name)
            if not row["disabled"]:
                _record(connection, self.clock(), by, name, "disabled", None)
            return _account({**row, "disabled": True})

    def enable(self, name: str, *, by: str | None = None) -> Account:
        with self.store.write(lock_log=False) as connection:
            row = _existing(connection, name)
            connection.execute(update(accounts).where(accounts.c.name == name).values(disabled=False))
            if row["disabled"]:
                _record(connection, self.clock(), by, name, "enabled", None)
            return _account({**row, "disabled": False})

    def events(self, limit: int = EVENTS_SHOWN) -> list[AccountEvent]:
        """The latest changes to accounts, newest first."""
        with self.store.read() as connection:
            rows = connection.execute(
                select(account_events).order_by(account_events.c.id.desc()).limit(limit)
            ).mappings()
            return [
                AccountEvent(row["id"], row["at"], row["actor"], row["account"], row["action"], row["detail"])
                for row in rows
            ]

    # --- signing in -------------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, client_ip: str | None = None) -> Account:
        """The account, if the name and password are right; otherwise ``NotAuthenticated`` (or its
        ``RateLimited``, when too many attempts failed — the password is then not even checked)."""
        now = self.clock()
        key_name = name.strip().lower()
        keys = self.limits.keys(key_name, client_ip)
        with self.store.read() as connection:
            ratelimit.check(connection, keys, now)
            row = _row(connection, key_name)
        # the slow hash runs outside any transaction, so that it holds no lock
        if row is None:
            self.passwords.verify_nobody(password)
            right = False
        else:
            right = self.passwords.verify(row["password_hash"], password)
        if not right:
            with self.store.write(lock_log=False) as connection:
                ratelimit.record_failure(connection, keys, now, self.limits.longest_window)
            raise NotAuthenticated(_WRONG)
        if row is None:  # pragma: no cover - a right password implies a row; this tells the type checker
            raise NotAuthenticated(_WRONG)
        if row["disabled"]:
            raise NotAuthenticated(f"the account {key_name!r} is disabled: ask an admin")
        rehashed = (
            self.passwords.hash(password) if self.passwords.needs_rehash(row["password_hash"]) else None
        )
        with self.store.write(lock_log=False) as connection:
            ratelimit.clear(connection, keys[0][0])
            if rehashed is not None:
                # the costs were raised since this hash was made: store one at today's costs
                connection.execute(
                    update(accounts).where(accounts.c.name == key_name).values(password_hash=rehashed)
                )
        return _account(row)

    # --- API tokens -------------------------------------------------------------------------------------

    def create_token(
        self, account: Account | str, label: str, *, by: str | None = None
    ) -> tuple[str, TokenInfo]:
        """A new token for the account: (the token, shown this once and never again; what may be listed)."""
        name = account.name if isinstance(account, Account) else account
        label = " ".join(label.split())
        if not label:
            raise InvalidInput("give the token a label saying what uses it (e.g. 'newsroom importer')")
        if len(label) > tokens.MAX_LABEL:
            raise InvalidInput(f"the token's label is too long: use at most {tokens.MAX_LABEL} characters")
        with self.store.write(lock_log=False) as connection:
            row = _existing(connection, name)
            if row["disabled"]:
                raise InvalidInput(f"the account {name!r} is disabled: enable it before giving it tokens")
            token, info = tokens.insert_token(connection, name, label, self.clock())
            _record(connection, self.clock(), by, name, "token created", f"{info.id} ({label})")
            return token, info

    def list_tokens(self, name: str) -> list[TokenInfo]:
        with self.store.read() as connection:
            _existing(connection, name)
            return tokens.list_tokens(connection, name)

    def revoke_token(self, token_id: str, *, by: str | None = None, owner: str | None = None) -> TokenInfo:
        """Revoke a token. With ``owner``, only a token of that account: so that someone revoking "their own"
        token by its (public) id cannot revoke another's."""
        with self.store.write(lock_log=False) as connection:
            info = tokens.get_token(connection, token_id)
            if info is None:
                raise NotFound(f"no API token with id {token_id!r}")
            if owner is not None and info.account != owner:
                raise Forbidden(
                    f"the API token {token_id!r} is not {owner}'s: only its owner or an admin may revoke it"
                )
            if info.active:
                tokens.set_revoked(connection, token_id, self.clock())
                _record(
                    connection, self.clock(), by, info.account, "token revoked", f"{info.id} ({info.label})"
                )
                info = tokens.get_token(connection, token_id)
            assert info is not None
            return info

    def account_for_token(self, token: str) -> Account:
        """The active account a token belongs to; ``NotAuthenticated`` if the token is unknown, revoked, or
        its account disabled."""
        now = self.clock()
        with self.store.read() as connection:
            info = tokens.find_token(connection, token)
            if info is None or not info.active:
                raise NotAuthenticated("this API token is not valid (unknown or revoked)")
            row = _row(connection, info.account)
        account = _active(row)
        last = info.last_used_at
        if last is None or now - parse_stamp(last) >= self.session_policy.touch_every:
            with self.store.write(lock_log=False) as connection:
                tokens.set_used(connection, info.id, now)
        return account

    # --- sessions ---------------------------------------------------------------------------------------

    def open_session(self, account: Account) -> tuple[str, str]:
        """Start a session after sign-in: (the session id for the cookie, its CSRF token for forms)."""
        now = self.clock()
        with self.store.write(lock_log=False) as connection:
            _active(_row(connection, account.name))
            sessions.delete_expired(connection, now, self.session_policy)
            session_id = sessions.insert_session(connection, account.name, now)
        return session_id, sessions.csrf_token(session_id)

    def account_for_session(self, session_id: str) -> Account:
        """The active account of a session; ``NotAuthenticated`` if it is unknown, closed or expired."""
        now = self.clock()
        with self.store.read() as connection:
            row = sessions.find_session(connection, session_id)
            if row is None:
                raise NotAuthenticated("not signed in (the session is unknown or was closed)")
            if sessions.is_expired(row, now, self.session_policy):
                raise NotAuthenticated("the session has expired: sign in again")
            owner = _row(connection, row["account"])
        account = _active(owner)
        if sessions.needs_touch(row, now, self.session_policy):
            with self.store.write(lock_log=False) as connection:
                sessions.touch(connection, session_id, now)
        return account

    @staticmethod
    def csrf_token(session_id: str) -> str:
        """The CSRF token of a session, to put in the forms of its pages."""
        return sessions.csrf_token(session_id)

    @staticmethod
    def check_csrf(session_id: str, token: str | None) -> None:
        """Raise ``Forbidden`` unless ``token`` is the session's CSRF token (a form from our own page)."""
        if not sessions.csrf_matches(session_id, token):
            raise Forbidden(
                "the form's CSRF token does not match this session: reload the page and try again"
            )

    def close_session(self, session_id: str) -> bool:
        """Sign out: the session stops working at once. Returns whether there was one to close."""
        with self.store.write(lock_log=False) as connection:
            return sessions.delete_session(connection, session_id) > 0


def _row(connection: Connection, name: str) -> RowMapping | None:
    return connection.execute(select(accounts).where(accounts.c.name == name)).mappings().first()


def _existing(connection: Connection, name: str) -> RowMapping:
    row = _row(connection, name)
    if row is None:
        raise NotFound(f"no account named {name!r}")
    return row


def _active(row: RowMapping | None) -> Account:
    if row is None:
        raise NotAuthenticated("the account no longer exists")
    if row["disabled"]:
        raise NotAuthenticated(f"the account {row['name']!r} is disabled")
    return _account(row)


def _account(row: RowMapping | dict[str, Any]) -> Account:
    return Account(
        row["name"], Role(row["role"]), row["display_name"], bool(row["disabled"]), row["created_at"]
    )


def _record(
    connection: Connection, now: datetime, by: str | None, name: str, action: str, detail: str | None
) -> None:
    connection.execute(
        insert(account_events).values(at=stamp(now), actor=by, account=name, action=action, detail=detail)
    )


def _keep_an_admin(connection: Connection, name: str, change: str) -> None:
    """Refuse a change that would leave no active admin: nobody could then manage accounts from the web."""
    others = connection.execute(
        select(func.count())
        .select_from(accounts)
        .where(accounts.c.role == Role.ADMIN.value, accounts.c.disabled.is_(False), accounts.c.name != name)
    ).scalar_one()
    if others == 0:
        raise InvalidInput(f"{name!r} is the only active admin and cannot {change}: make another admin first")


def _clean_display_name(display_name: str | None) -> str | None:
    if display_name is None:
        return None
    cleaned = " ".join(display_name.split())
    if len(cleaned) > 200:
        raise InvalidInput("the display name is too long: use at most 200 characters")
    return cleaned or None
