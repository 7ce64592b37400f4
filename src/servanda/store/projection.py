"""What the SQL tables hold for one record: a pure function of the record and the entry that set it.

The write path, ``rebuild`` and ``log verify`` all use this one function, so the live tables, a rebuilt store
and the check of the projection against the log cannot disagree about what a record looks like in SQL.
"""

from __future__ import annotations

import re
from typing import Any

from servanda.domain.dates import FuzzyDate
from servanda.domain.records import (
    Actor,
    Agreement,
    Assessment,
    Capture,
    Event,
    Record,
    Source,
    Statement,
)
from servanda.domain.text import analyze

from .schema import PROJECTION_TABLES

Rows = dict[str, list[dict[str, Any]]]


def _text(date: FuzzyDate | None) -> str | None:
    return str(date) if date is not None else None


def _start(date: FuzzyDate | None) -> str | None:
    if date is None or date.earliest is None:
        return None
    return date.earliest.isoformat()


def _end(date: FuzzyDate | None) -> str | None:
    if date is None or date.latest is None:
        return None
    return date.latest.isoformat()


def _start_or_open(date: FuzzyDate) -> str:
    return _start(date) or "0001-01-01"


def _end_or_open(date: FuzzyDate) -> str:
    return _end(date) or "9999-12-31"


# A reference's role is its field path without list positions, with the common plurals made singular.
_ROLE = {"sources": "source", "counterparties": "counterparty", "parties": "party", "guarantors": "guarantor"}
_POSITION = re.compile(r"\[\d+\]")


def _reference_links(rows: Rows, record: Record) -> None:
    """Every id the record points at (as ``Record.references`` declares them), so that "what cites X" is one
    indexed query whatever the field."""
    positions: dict[str, int] = {}
    for path, _types, target in record.references():
        role = _POSITION.sub("", path)
        role = _ROLE.get(role, role)
        position = positions.get(role, 0)
        positions[role] = position + 1
        rows["links"].append({"owner_id": record.id, "role": role, "position": position, "target": target})


def _links(rows: Rows, owner: str, role: str, targets: list[str]) -> None:
    for position, target in enumerate(targets):
        rows["links"].append({"owner_id": owner, "role": role, "position": position, "target": target})


OPEN_SPAN_DAYS = 10**6  # an interval open at either end spans more than any window


def span_days(date: FuzzyDate) -> int:
    """How many days lie between the first and the last day a date may mean."""
    if date.earliest is None or date.latest is None:
        return OPEN_SPAN_DAYS
    return (date.latest - date.earliest).days


def search_terms(text: str, language: str, text_en: str | None, summary: str | None) -> str:
    """The words a statement is found by: its own words stemmed in its language, and the English ones."""
    terms = analyze(text, language)
    if text_en:
        terms += analyze(text_en, "en")
    if summary:
        terms += analyze(summary, "en")
    return " ".join(terms)


def project(record: Record, seq: int, body_json: str) -> Rows:
    """All rows, table by table, that represent ``record`` as set by log entry ``seq``."""
    rows: Rows = {table.name: [] for table, _owner in PROJECTION_TABLES}
    rid = record.id
    rows["records"].append(
        {"id": rid, "type": record.TYPE, "seq": seq, "body": body_json, "sort_date": record.sort_date()}
    )
    if isinstance(record, Actor):
        rows["actors"].append(
            {"id": rid, "kind": record.kind.value, "name": record.name, "description": record.description}
        )
        for language, name in sorted(record.names.items()):
            rows["names"].append({"owner_id": rid, "language": language, "name": name})
        for scheme, value in sorted(record.external_ids.items()):
            rows["external_ids"].append({"owner_id": rid, "scheme": scheme, "value": value})
        for position, relation in enumerate(record.relations):
            rows["relations"].append(
                {
                    "owner_id": rid,
                    "position": position,
                    "type": relation.type.value,
                    "target": relation.target,
                    "since_text": _text(relation.since),
                    "since_start": _start(relation.since),
                    "until_text": _text(relation.until),
                    "until_end": _end(relation.until),
                    "title": relation.title,
                }
            )
    elif isinstance(record, Source):
        rows["sources"].append(
            {
                "id": rid,
                "url": record.url,
                "title": record.title,
                "publisher": record.publisher,
                "date_text": _text(record.date),
                "date_start": _start(record.date),
                "language": record.language,
                "partisan": record.partisan,
            }
        )
    elif isinstance(record, Capture):
        rows["captures"].append(
            {
                "id": rid,
                "sha256": record.sha256,
                "source_id": record.source,
                "size": record.size,
                "media_type": record.media_type,
                "filename": record.filename,
            }
        )
    elif isinstance(record, Statement):
        terms = record.commitment
        rows["statements"].append(
            {
                "id": rid,
                "kind": record.kind.value,
                "actor_id": record.actor,
                "on_behalf_of": record.on_behalf_of,
                "date_text": str(record.date),
                "date_start": _start_or_open(record.date),
                "date_end": _end_or_open(record.date),
                "language": record.language,
                "text": record.text,
                "text_en": record.text_en,
                "summary": record.summary,
                "strength": terms.strength.value if terms else None,
                "category": terms.category if terms else None,
                "agreement_id": terms.agreement if terms else None,
                "obligation": terms.obligation if terms else None,
                "deadline_text": _text(terms.deadline) if terms else None,
                "verification": record.verification.value if record.verification else None,
                "doc": seq,
                "span_days": span_days(record.date),
            }
        )
        rows["statement_terms"].append(
            {
                "doc": seq,
                "statement_id": rid,
                "terms": search_terms(record.text, record.language, record.text_en, record.summary),
                "actor_id": record.actor,
                "on_behalf_of": record.on_behalf_of,
                "date_start": _start_or_open(record.date),
            }
        )
        _links(rows, rid, "topic", record.topics)
    elif isinstance(record, Agreement):
        status = record.status
        rows["agreements"].append(
            {
                "id": rid,
                "title": record.title,
                "kind": record.kind,
                "signed_text": _text(record.signed),
                "signed_start": _start(record.signed),
                "entry_into_force_text": _text(record.entry_into_force),
                "status": status.value if status else None,
                "summary": record.summary,
            }
        )
        for position, ratification in enumerate(record.ratifications):
            rows["ratifications"].append(
                {
                    "owner_id": rid,
                    "position": position,
                    "party": ratification.party,
                    "institution": ratification.institution,
                    "date_text": str(ratification.date),
                    "date_start": _start_or_open(ratification.date),
                    "act": ratification.act,
                }
            )
        for position, change in enumerate(record.status_history):
            rows["agreement_status"].append(
                {
                    "owner_id": rid,
                    "position": position,
                    "status": change.status.value,
                    "date_text": str(change.date),
                    "date_start": _start_or_open(change.date),
                    "by_actor": change.by,
                    "note": change.note,
                }
            )
        for scheme, value in sorted(record.external_ids.items()):
            rows["external_ids"].append({"owner_id": rid, "scheme": scheme, "value": value})
        _links(rows, rid, "provision", record.provisions)
    elif isinstance(record, Event):
        rows["events"].append(
            {
                "id": rid,
                "title": record.title,
                "kind": record.kind,
                "date_text": str(record.date),
                "date_start": _start_or_open(record.date),
                "date_end": _end_or_open(record.date),
                "place": record.place,
                "summary": record.summary,
                "verification": record.verification.value if record.verification else None,
            }
        )
        for position, item in enumerate(record.responsible):
            rows["responsibilities"].append(
                {
                    "owner_id": rid,
                    "position": position,
                    "actor_id": item.actor,
                    "role": item.role,
                    "verification": item.verification.value if item.verification else None,
                }
            )
    elif isinstance(record, Assessment):
        rows["assessments"].append(
            {
                "id": rid,
                "statement_id": record.statement,
                "verdict": record.verdict,
                "as_of_text": str(record.as_of),
                "as_of_start": _start_or_open(record.as_of),
                "as_of_end": _end_or_open(record.as_of),
                "rationale": record.rationale,
                "author": record.author,
                "supersedes": record.supersedes,
                "disputed": record.disputed,
                "seq": seq,
            }
        )
    _reference_links(rows, record)
    return rows
