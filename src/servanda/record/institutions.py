"""Institutional guarantees: did a legislature or a court ever bind its state — or undo what it had done?

For each legislature and court in the record: the agreements it ratified, the commitments of its state under
them and how many were kept or broken, and the acts it is recorded as responsible for that reversed an
agreement (a vote to terminate, to revoke a ratification), with how long after its state's executive asked,
where the record holds that request. Shown side by side for the institutions of every state in the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from servanda.analysis.credibility import code
from servanda.store.schema import (
    actors,
    agreements,
    events,
    links,
    ratifications,
    relations,
    responsibilities,
    statements,
)

from .queries import current_verdicts

REVERSING = ("terminat", "revok", "denounc", "withdr", "suspend", "annul", "cancel", "repeal")


@dataclass
class InstitutionRecord:
    id: str
    name: str
    kind: str
    state: str | None
    ratified: list[dict[str, Any]] = field(default_factory=list)
    commitments: int = 0
    kept: float = 0.0  # coded as for credibility: kept 1, partially kept ½
    broken: int = 0
    undecided: int = 0
    reversals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kept_share(self) -> float | None:
        decided = self.commitments - self.undecided
        return round(self.kept / decided, 3) if decided else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "state": self.state,
            "ratified": self.ratified,
            "commitments": self.commitments,
            "kept": self.kept,
            "broken": self.broken,
            "undecided": self.undecided,
            "kept_share": self.kept_share,
            "reversals": self.reversals,
        }


def institutions(connection: Connection) -> list[InstitutionRecord]:
    found = {
        row.id: InstitutionRecord(row.id, row.name, row.kind, None)
        for row in connection.execute(
            select(actors.c.id, actors.c.name, actors.c.kind).where(
                actors.c.kind.in_(("legislature", "court"))
            )
        )
    }
    if not found:
        return []
    for owner, target in connection.execute(
        select(relations.c.owner_id, relations.c.target).where(
            relations.c.owner_id.in_(list(found)), relations.c.type == "part_of"
        )
    ):
        found[owner].state = _top_state(connection, target)
    ratified = connection.execute(
        select(
            ratifications.c.owner_id,
            ratifications.c.party,
            ratifications.c.institution,
            ratifications.c.date_text,
            agreements.c.title,
        )
        .join(agreements, agreements.c.id == ratifications.c.owner_id)
        .where(ratifications.c.institution.in_(list(found)))
        .order_by(ratifications.c.date_start)
    ).all()
    for agreement, party, institution, day, title in ratified:
        record = found[institution]
        record.ratified.append({"agreement": agreement, "title": title, "party": party, "date": day})
        backed = (
            connection.execute(
                select(statements.c.id).where(
                    statements.c.agreement_id == agreement,
                    (statements.c.actor_id == party) | (statements.c.on_behalf_of == party),
                )
            )
            .scalars()
            .all()
        )
        verdicts = current_verdicts(connection, list(backed))
        for sid in backed:
            record.commitments += 1
            verdict = verdicts.get(sid)
            value = code(verdict.verdict, verdict.disputed) if verdict else None
            if value is None:
                record.undecided += 1
            else:
                record.kept += value
                record.broken += int(value == 0.0)
    acts = connection.execute(
        select(
            responsibilities.c.actor_id,
            responsibilities.c.role,
            events.c.id,
            events.c.title,
            events.c.date_text,
            events.c.date_start,
        )
        .join(events, events.c.id == responsibilities.c.owner_id)
        .where(responsibilities.c.actor_id.in_(list(found)))
        .order_by(events.c.date_start)
    ).all()
    for institution, role, event_id, title, day, start in acts:
        words = f"{role or ''} {title}".lower()
        if not any(stem in words for stem in REVERSING):
            continue
        record = found[institution]
        request = _request_before(connection, event_id, start)
        record.reversals.append(
            {
                "event": event_id,
                "title": title,
                "role": role,
                "date": day,
                "executive_request": request,
                "days_after_request": (date.fromisoformat(start) - date.fromisoformat(request["sort"])).days
                if request
                else None,
            }
        )
    return sorted(found.values(), key=lambda r: (r.state or "", r.id))


def _top_state(connection: Connection, actor: str, depth: int = 0) -> str | None:
    row = connection.execute(select(actors.c.kind).where(actors.c.id == actor)).first()
    if row is not None and row.kind == "state":
        return actor
    if depth > 5:
        return None
    parent = connection.execute(
        select(relations.c.target).where(relations.c.owner_id == actor, relations.c.type == "part_of")
    ).scalar()
    return _top_state(connection, parent, depth + 1) if parent else None


def _request_before(connection: Connection, event_id: str, start: str) -> dict[str, Any] | None:
    """The first statement about the act made before it: the request for it, where the record holds one.

    The record holds a request only where someone recorded it (a statement whose ``about`` names the act);
    otherwise the answer is None and the report says "not recorded" rather than guessing.
    """
    rows = connection.execute(
        select(statements.c.id, statements.c.actor_id, statements.c.date_text, statements.c.date_start)
        .join(links, (links.c.owner_id == statements.c.id) & (links.c.role == "about"))
        .where(links.c.target == event_id, statements.c.date_start <= start)
        .order_by(statements.c.date_start)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return {"statement": first.id, "actor": first.actor_id, "date": first.date_text, "sort": first.date_start}
