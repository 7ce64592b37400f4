"""Accounts and roles: who may write to the record, how they prove it, and the review of verdicts.

Framework-free: the web layer wraps these calls (cookies, headers, status codes); the command line uses them
to manage accounts. Accounts are not public record and are kept outside the log (see ``store.schema``); what
the log keeps of them is the account name, as the author of every write.
"""

from __future__ import annotations

from .drafts import DraftStatus, VerdictDraft, VerdictDrafts
from .model import Account, validate_name
from .passwords import Passwords
from .ratelimit import LoginLimits, RateLimit
from .roles import (
    Role,
    can_manage_accounts,
    can_publish_verdict,
    can_review,
    can_write,
    parse_role,
    require_admin,
    require_publish,
    require_review,
    require_write,
)
from .service import AccountEvent, AccountService
from .sessions import SessionPolicy
from .tokens import TokenInfo

__all__ = [
    "Account",
    "AccountEvent",
    "AccountService",
    "DraftStatus",
    "LoginLimits",
    "Passwords",
    "RateLimit",
    "Role",
    "SessionPolicy",
    "TokenInfo",
    "VerdictDraft",
    "VerdictDrafts",
    "can_manage_accounts",
    "can_publish_verdict",
    "can_review",
    "can_write",
    "parse_role",
    "require_admin",
    "require_publish",
    "require_review",
    "require_write",
    "validate_name",
]
