"""Roles and what each may do.

The roles form one ladder, and each role may do everything the roles below it may:

    reader  <  editor  <  reviewer  <  admin

- reader: reads the record (anyone, signed in or not, is a reader).
- editor: adds and corrects records, and proposes verdicts as drafts.
- reviewer: also publishes or rejects verdict drafts, but never a draft they wrote themselves (four eyes).
- admin: also manages accounts; an admin reviews too, under the same four-eyes rule.

A ladder, rather than separate permissions, because every higher role in the issue is described as the one
below plus something: a reviewer who could not correct a typo, or an admin who could not review, would only
push people to keep two accounts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from servanda.errors import Forbidden, InvalidInput

if TYPE_CHECKING:
    from .model import Account


class Role(StrEnum):
    READER = "reader"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _LADDER.index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_LADDER = (Role.READER, Role.EDITOR, Role.REVIEWER, Role.ADMIN)


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"no role {text!r}: use one of {', '.join(role.value for role in _LADDER)}"
        ) from None


def role_of(account: Account | None) -> Role:
    """The role an account acts with; no account (anonymous) or a disabled one is a reader."""
    if account is None or account.disabled:
        return Role.READER
    return account.role


def can_write(role: Role) -> bool:
    return role.at_least(Role.EDITOR)


def can_review(role: Role) -> bool:
    return role.at_least(Role.REVIEWER)


def can_manage_accounts(role: Role) -> bool:
    return role.at_least(Role.ADMIN)


def can_publish_verdict(account: Account | None, assessment_author: str) -> bool:
    """A reviewer (or admin) may publish a verdict, unless they wrote it."""
    return account is not None and can_review(role_of(account)) and account.name != assessment_author


def require_write(account: Account | None) -> Account:
    return _require(account, Role.EDITOR, "add or correct records")


def require_review(account: Account | None) -> Account:
    return _require(account, Role.REVIEWER, "publish or reject verdicts")


def require_admin(account: Account | None) -> Account:
    return _require(account, Role.ADMIN, "manage accounts")


def require_publish(account: Account | None, assessment_author: str) -> Account:
    """The account, if it may publish a verdict written by ``assessment_author``; else ``Forbidden``."""
    reviewer = require_review(account)
    if reviewer.name == assessment_author:
        raise Forbidden(
            f"{reviewer.name} wrote this verdict and cannot also publish it: another reviewer must"
        )
    return reviewer


def _require(account: Account | None, needed: Role, action: str) -> Account:
    role = role_of(account)
    if account is None or not role.at_least(needed):
        who = "a reader" if account is None else f"{account.name} ({role.value})"
        raise Forbidden(f"only {_roles_from(needed)} may {action}; {who} may not")
    return account


def _roles_from(needed: Role) -> str:
    """'an editor, reviewer or admin': the roles that may, lowest first."""
    names = [role.value for role in _LADDER[needed.rank :]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return ("an " if listed[0] in "aeiou" else "a ") + listed
