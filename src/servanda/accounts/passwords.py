"""Passwords: argon2id hashes, a length policy, and a rehash when the cost parameters change.

Only the argon2 encoded hash is stored; it carries its own salt and cost parameters, so raising the costs
later needs no migration: ``needs_rehash`` says an old hash is due, and a successful login replaces it.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from servanda.errors import InvalidInput

MIN_LENGTH = 12
# Long enough for any passphrase; bounded so that a request cannot make the server hash megabytes.
MAX_LENGTH = 1024


def check_policy(password: str, name: str | None = None) -> None:
    """Raise ``InvalidInput`` naming what is wrong with a new password."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"the password is too short ({len(password)} characters): use at least {MIN_LENGTH}; "
            "a few unrelated words make a good one"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"the password is too long: use at most {MAX_LENGTH} characters")
    if not password.strip():
        raise InvalidInput("the password is only spaces")
    if name is not None and password.strip().lower() == name.lower():
        raise InvalidInput("the password must not be the account name")


class Passwords:
    """Hashes and checks passwords with argon2id (argon2-cffi's defaults unless a hasher is given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher(type=Type.ID)
        if self.hasher.type is not Type.ID:
            raise ValueError("servanda hashes passwords with argon2id only")
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)

    def verify_nobody(self, password: str) -> None:
        """Spend the time a real check takes, so that an unknown account name answers no faster than a
        wrong password and response times do not reveal which names exist."""
        if self._dummy is None:
            self._dummy = self.hasher.hash("servanda: no such account")
        self.verify(self._dummy, password)
