"""The closed vocabularies of the record: kinds, strengths, verdict scales and statuses.

They are ``StrEnum``s so that bundles, SQL rows and JSON all carry the plain word.
"""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    PERSON = "person"
    STATE = "state"
    GOVERNMENT = "government"
    LEGISLATURE = "legislature"
    COURT = "court"
    MINISTRY = "ministry"
    MILITARY_UNIT = "military_unit"
    ORGANISATION = "organisation"


class RelationType(StrEnum):
    HEAD_OF = "head_of"
    MEMBER_OF = "member_of"
    PART_OF = "part_of"
    COMMANDS = "commands"
    SPEAKS_FOR = "speaks_for"


class StatementKind(StrEnum):
    COMMITMENT = "commitment"
    ASSERTION = "assertion"


class Strength(StrEnum):
    """How binding a commitment is, strongest first."""

    RATIFIED_TREATY = "ratified_treaty"
    SIGNED_AGREEMENT = "signed_agreement"
    OFFICIAL_ASSURANCE = "official_assurance"
    REMARK = "remark"

    @property
    def rank(self) -> int:
        """0 for the strongest; comparing ranks orders commitments by how binding they were."""
        return list(Strength).index(self)


class CommitmentVerdict(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    BROKEN = "broken"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    UNASSESSABLE = "unassessable"


class AssertionVerdict(StrEnum):
    ACCURATE = "accurate"
    MISLEADING = "misleading"
    FALSE = "false"
    UNPROVEN = "unproven"
    RETRACTED = "retracted"


VERDICT_SCALES: dict[StatementKind, frozenset[str]] = {
    StatementKind.COMMITMENT: frozenset(v.value for v in CommitmentVerdict),
    StatementKind.ASSERTION: frozenset(v.value for v in AssertionVerdict),
}
ALL_VERDICTS: frozenset[str] = (
    VERDICT_SCALES[StatementKind.COMMITMENT] | VERDICT_SCALES[StatementKind.ASSERTION]
)


def verdict_fits(kind: StatementKind | str, verdict: str) -> bool:
    """Whether ``verdict`` belongs to the scale used for statements of ``kind``."""
    return verdict in VERDICT_SCALES[StatementKind(kind)]


class AgreementStatus(StrEnum):
    SIGNED = "signed"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    DENOUNCED = "denounced"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    NEVER_IN_FORCE = "never_in_force"


class Verification(StrEnum):
    """How far the facts of a record were checked against its sources (carried from the research notes)."""

    VERIFIED = "verified"
    PARTIAL = "partial"
    UNVERIFIED = "unverified"
