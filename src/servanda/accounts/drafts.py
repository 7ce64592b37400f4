"""Verdict drafts: an editor proposes a verdict, a different reviewer publishes it (or rejects it).

A draft waits outside the log; publishing it appends the assessment through ``RecordService`` and marks the
draft published in the same transaction, so either both happen or neither does.

Attribution of a published verdict: the log entry's ``author`` is the draft's author — the person who wrote
the verdict and answers for its content — and its ``reason`` (also in the hashed entry) names the reviewer
who published it and the draft's number, after the author's own reason if they gave one, e.g.
``"UN report of 2024-03 confirms it; reviewed and published by carol (draft #7)"``. Both names are thus in
the public, verifiable log; the draft row keeps the rest of the review (when, any note).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from servanda.domain.records import Assessment, record_from_body
from servanda.errors import InvalidInput, NotFound
from servanda.ledger.canonical import canonical_json
from servanda.record.bundles import validate_record
from servanda.record.service import ApplyResult, RecordService
from servanda.store.schema import verdict_drafts

from .model import Account, stamp
from .roles import require_publish, require_review, require_write
from .service import utc_now

_MAX_NOTE = 2000


class DraftStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class VerdictDraft:
    id: int
    assessment: Assessment
    reason: str | None
    author: str
    created_at: str
    status: DraftStatus
    reviewer: str | None
    decided_at: str | None
    note: str | None
    seq: int | None  # the log entry that published it


class VerdictDrafts:
    """The review queue of verdicts. Publishing writes through ``records``, the one write path."""

    def __init__(self, records: RecordService, clock: Callable[[], datetime] = utc_now) -> None:
        self.records = records
        self.store = records.store
        self.clock = clock

    def submit(
        self, author: Account, assessment: Assessment | dict[str, Any], reason: str | None = None
    ) -> VerdictDraft:
        """Propose a verdict. It is checked now exactly as publishing will check it (its statement and
        sources exist, the verdict is on the statement's scale, ...), so that a reviewer sees only drafts
        that can be published."""
        require_write(author)
        record = assessment if isinstance(assessment, Assessment) else _assessment(assessment)
        reason = _clean(reason, "reason")
        trial = self.records.apply([record], author.name, reason=reason, dry_run=True)
        if trial.appended == 0:
            raise InvalidInput(
                f"the record already holds exactly this assessment ({record.id}): nothing to review"
            )
        body = canonical_json(record.body()).decode("utf-8")
        with self.store.write(lock_log=False) as connection:
            waiting = connection.execute(
                select(verdict_drafts.c.id).where(
                    verdict_drafts.c.assessment_id == record.id,
                    verdict_drafts.c.status == DraftStatus.PENDING.value,
                )
            ).first()
            if waiting is not None:
                raise InvalidInput(
                    f"draft #{waiting[0]} for assessment {record.id!r} is already waiting for review: "
                    "have it rejected, or wait for it to be published"
                )
            values = {
                "assessment_id": record.id,
                "body": body,
                "reason": reason,
                "author": author.name,
                "created_at": stamp(self.clock()),
                "status": DraftStatus.PENDING.value,
            }
            new_id = connection.execute(insert(verdict_drafts).values(**values)).inserted_primary_key
            assert new_id is not None
            return _get(connection, int(new_id[0]))

    def pending(self) -> list[VerdictDraft]:
        """Drafts waiting for review, oldest first."""
        with self.store.read() as connection:
            rows = connection.execute(
                select(verdict_drafts)
                .where(verdict_drafts.c.status == DraftStatus.PENDING.value)
                .order_by(verdict_drafts.c.id)
            ).mappings()
            return [_draft(row) for row in rows]

    def get(self, draft_id: int) -> VerdictDraft:
        with self.store.read() as connection:
            return _get(connection, draft_id)

    def publish(
        self, draft_id: int, reviewer: Account, note: str | None = None
    ) -> tuple[VerdictDraft, ApplyResult]:
        """Publish a pending draft: one log entry, attributed as the module describes. ``Forbidden`` if the
        reviewer may not (not a reviewer, or the draft's author); nothing is written then."""
        require_review(reviewer)
        note = _clean(note, "note")
        with self.store.write() as connection:  # the log's lock: this appends to the log
            draft = _pending(connection, draft_id)
            require_publish(reviewer, draft.author)
            published_by = f"reviewed and published by {reviewer.name} (draft #{draft.id})"
            reason = f"{draft.reason}; {published_by}" if draft.reason else published_by
            result = self.records.apply_within(connection, [draft.assessment], draft.author, reason=reason)
            if result.appended != 1:
                # someone wrote the very same assessment since: publishing would add nothing to the log
                raise InvalidInput(
                    f"the record already holds exactly this assessment ({draft.assessment.id}): "
                    f"reject draft #{draft.id} instead"
                )
            connection.execute(
                update(verdict_drafts)
                .where(verdict_drafts.c.id == draft.id)
                .values(
                    status=DraftStatus.PUBLISHED.value,
                    reviewer=reviewer.name,
                    decided_at=stamp(self.clock()),
                    note=note,
                    seq=result.entries[0].seq,
                )
            )
            return _get(connection, draft.id), result

    def reject(self, draft_id: int, reviewer: Account, note: str) -> VerdictDraft:
        """Turn a draft down, saying why; the log is not touched. The four-eyes rule applies here too: an
        author who wants their own draft gone asks a reviewer."""
        require_review(reviewer)
        cleaned = _clean(note, "note")
        if not cleaned:
            raise InvalidInput("say why the draft is rejected (a note), so that its author can fix it")
        with self.store.write(lock_log=False) as connection:
            draft = _pending(connection, draft_id)
            require_publish(reviewer, draft.author)
            connection.execute(
                update(verdict_drafts)
                .where(verdict_drafts.c.id == draft.id)
                .values(
                    status=DraftStatus.REJECTED.value,
                    reviewer=reviewer.name,
                    decided_at=stamp(self.clock()),
                    note=cleaned,
                )
            )
            return _get(connection, draft.id)


def _assessment(body: dict[str, Any]) -> Assessment:
    record = validate_record(Assessment, body, "verdict draft")
    assert isinstance(record, Assessment)
    return record


def _clean(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    cleaned = text.strip()
    if len(cleaned) > _MAX_NOTE:
        raise InvalidInput(f"the {what} is too long: use at most {_MAX_NOTE} characters")
    return cleaned or None


def _get(connection: Connection, draft_id: int) -> VerdictDraft:
    row = connection.execute(select(verdict_drafts).where(verdict_drafts.c.id == draft_id)).mappings().first()
    if row is None:
        raise NotFound(f"no verdict draft #{draft_id}")
    return _draft(row)


def _pending(connection: Connection, draft_id: int) -> VerdictDraft:
    draft = _get(connection, draft_id)
    if draft.status is not DraftStatus.PENDING:
        raise InvalidInput(
            f"draft #{draft.id} was already {draft.status.value} by {draft.reviewer} at {draft.decided_at}"
        )
    return draft


def _draft(row: RowMapping) -> VerdictDraft:
    record = record_from_body("assessment", json.loads(row["body"]))
    assert isinstance(record, Assessment)
    return VerdictDraft(
        id=row["id"],
        assessment=record,
        reason=row["reason"],
        author=row["author"],
        created_at=row["created_at"],
        status=DraftStatus(row["status"]),
        reviewer=row["reviewer"],
        decided_at=row["decided_at"],
        note=row["note"],
        seq=row["seq"],
    )
