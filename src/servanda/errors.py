"""One exception tree for the whole package.

    ServandaError
    ├── InvalidInput (ValueError)          bad input from a user, a bundle or a request; nothing was written
    │   ├── BundleError                    one or more problems in a bundle, each naming file, line and field
    │   └── ReferenceMissing               a record points at an id the record does not hold
    ├── NotFound (LookupError)             no record, entry or checkpoint with that id
    ├── ConfigError                        the store, key or settings are missing or unusable
    ├── StoreBusy                          another writer held the store for too long; retrying is safe
    ├── IntegrityError                     the log or the projection does not verify
    ├── NotAuthenticated                   no valid credentials: wrong password, unknown or expired session
    │   └── RateLimited                    too many failed logins; says when to try again
    └── Forbidden                          authenticated, but the account's role may not do this

Exit codes and HTTP statuses are attached at the edges (``cli``, ``web``), never here.
The ledger's own ``ProofError`` and ``NoteError`` are ``ValueError`` subclasses and live with the maths.
"""

from __future__ import annotations

from dataclasses import dataclass


class ServandaError(Exception):
    """Base class of every error servanda raises on purpose."""


class InvalidInput(ServandaError, ValueError):
    """Input was rejected; the record is unchanged."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
        if self.field:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return f"{where}: {self.message}" if where else self.message


class BundleError(InvalidInput):
    """A bundle (or a single record) could not be accepted; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid bundle"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class ReferenceMissing(InvalidInput):
    """A record refers to an id that is neither in the store nor in the same batch."""


class NotFound(ServandaError, LookupError):
    """Nothing with that id exists in the record."""


class ConfigError(ServandaError):
    """The store, the signing key or a setting is missing or unusable."""


class StoreBusy(ServandaError):
    """Another writer holds the store; the write was not applied and can be retried."""


class IntegrityError(ServandaError):
    """The log, a checkpoint or the projection does not verify."""


class NotAuthenticated(ServandaError):
    """The credentials given do not identify an active account; nothing was written."""


class RateLimited(NotAuthenticated):
    """Too many failed logins for this account name or address; the attempt was not even checked."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Forbidden(ServandaError):
    """The account is known, but its role does not allow this; the message names the role needed."""
