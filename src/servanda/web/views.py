"""What each page shows, as plain data: the HTML page renders it and its ``.json`` twin returns it as is.

One function per page, reading the projection (and the log, for proofs) through ``servanda.record``. Keeping
the data apart from the markup is what makes every page's ``.json`` twin say exactly what the page says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from servanda.analysis.credibility import Estimate, estimate, estimate_history
from servanda.domain.records import Actor, Agreement, Assessment, Event, Source
from servanda.errors import InvalidInput, NotFound
from servanda.ledger.log import Entry, Log
from servanda.record.checkpoints import b64, inclusion_proof_document
from servanda.record.institutions import institutions
from servanda.record.outcomes import RecordOutcome, outcomes_for, pooled, record_outcomes
from servanda.record.queries import (
    count_statements_for_actor,
    current_verdicts,
    describe,
    get_record,
    history,
    list_actors,
    overview,
    statements_for_actor,
)
from servanda.record.recall import Hit, RecallQuery, attach_history, recall, window_for
from servanda.record.timeline import contradictions, statement_timeline
from servanda.store.log_storage import SqlLogStorage
from servanda.store.schema import actors, captures, links, records

LATEST_ENTRIES = 15
TIMELINE_PAGE = 100
RECALL_WINDOWS = (("1w", "a week ago"), ("1m", "a month ago"), ("1y", "a year ago"))


def _entry_summary(entry: Entry) -> dict[str, Any]:
    body = entry.body
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "author": entry.author,
        "recorded_at": entry.recorded_at,
        "record_id": entry.record_id,
        "type": entry.kind.partition(".")[0] if entry.record_id else None,
        "reason": body.get("reason"),
    }


def latest_checkpoint(connection: Connection) -> dict[str, Any] | None:
    stored = SqlLogStorage(connection).checkpoints()
    if not stored:
        return None
    last = stored[-1]
    return {"id": last.id, "size": last.size, "created_at": last.created_at, "note": last.note}


def home(connection: Connection) -> dict[str, Any]:
    storage = SqlLogStorage(connection)
    size = storage.log_size()
    first = max(0, size - LATEST_ENTRIES)
    latest = [
        _entry_summary(Entry.decode(data)) for _seq, data in storage.iter_entry_data(first) if _seq < size
    ]
    latest.reverse()
    described = describe(connection, [e["record_id"] for e in latest if e["record_id"]])
    for item in latest:
        info = described.get(item["record_id"] or "")
        item["title"] = info.get("title") if info else None
    return {
        "overview": overview(connection),
        "latest_entries": latest,
        "latest_checkpoint": latest_checkpoint(connection),
    }


def actors_index(connection: Connection, kind: str | None = None) -> dict[str, Any]:
    return {"actors": list_actors(connection, kind)}


def _estimate_dict(found: Estimate) -> dict[str, Any]:
    return {
        "mean": found.mean,
        "low": found.low,
        "high": found.high,
        "kept": found.kept,
        "total": found.total,
        "count": found.count,
        "disputed": found.disputed,
        "influential": [{"statement": sid, "change": delta} for sid, delta in found.influential],
    }


def credibility(records: Sequence[RecordOutcome], actor_id: str) -> dict[str, Any]:
    """The actor's pooled credibility now and as the record stood over time (``docs/credibility.md``), from
    the record's outcomes (``record_outcomes``: the same for every actor, so the web computes them once)."""
    mine = outcomes_for(records, actor_id)
    if not mine:
        return {"estimate": None, "history": [], "outcomes": 0}
    mine_ids = {o.statement for o in mine}
    outcomes = [*(o for o in pooled(records) if o.statement not in mine_ids), *mine]
    now = [e for e in estimate(outcomes) if e.key == (actor_id,)]
    over_time = estimate_history(outcomes, actor_id)
    return {
        "estimate": _estimate_dict(now[0]) if now else None,
        "history": [
            {"date": day.isoformat(), "mean": e.mean, "low": e.low, "high": e.high} for day, e in over_time
        ],
        "outcomes": len(mine),
        "model": "empirical-Bayes Beta, pooled across every actor; outcomes 10 years old weigh half",
    }


def actor_page(
    connection: Connection,
    actor_id: str,
    *,
    today: date,
    page: int = 1,
    outcomes: Sequence[RecordOutcome] | None = None,
) -> dict[str, Any]:
    record, seq = get_record(connection, actor_id)
    if not isinstance(record, Actor):
        raise NotFound(f"{actor_id!r} is a {record.TYPE}, not an actor")
    if page < 1:
        raise InvalidInput("page: pages are numbered from 1")
    total = count_statements_for_actor(connection, actor_id)
    pages = max(1, -(-total // TIMELINE_PAGE))
    shown = statements_for_actor(
        connection, actor_id, newest_first=True, limit=TIMELINE_PAGE, offset=(page - 1) * TIMELINE_PAGE
    )
    verdicts = current_verdicts(connection, [row["id"] for row in shown])
    for row in shown:
        current = verdicts.get(row["id"])
        row["verdict"] = current.verdict if current else None
        row["disputed"] = current.disputed if current else False
    relations = [relation.model_dump(mode="json", exclude_none=True) for relation in record.relations]
    names = _actor_names(connection, [relation["target"] for relation in relations])
    for relation in relations:
        relation["target_name"] = names.get(relation["target"])
    spoken_for = _speakers(connection, actor_id)
    recalled = []
    for code, label in RECALL_WINDOWS:
        low, high = window_for(code, today)
        found = recall(connection, RecallQuery(actor=actor_id, ago=code, today=today, limit=10))
        recalled.append(
            {
                "ago": code,
                "label": label,
                "window": [low.isoformat(), high.isoformat()],
                "hits": [_hit(hit.as_dict()) for hit in found.hits],
            }
        )
    contradicted = contradictions(connection, actor_id)
    return {
        "actor": record.model_dump(mode="json", exclude_none=True),
        "seq": seq,
        "relations": relations,
        "spoken_for_by": spoken_for,
        "credibility": credibility(record_outcomes(connection) if outcomes is None else outcomes, actor_id),
        "statements": {"total": total, "page": page, "pages": pages, "rows": shown},
        "contradictions": [_hit(hit.as_dict()) for hit in contradicted],
        "recall": recalled,
        "today": today.isoformat(),
    }


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    hit.pop("score", None)
    return hit


def _actor_names(connection: Connection, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = connection.execute(select(actors.c.id, actors.c.name).where(actors.c.id.in_(ids)))
    return {row.id: row.name for row in rows}


def _actors_pointing_at(connection: Connection, target: str) -> list[str]:
    """The actors whose records point at ``target``, asked of SQL: a state is pointed at by thousands of
    statements, and its page needs only the actors among them."""
    query = (
        select(links.c.owner_id)
        .join(records, records.c.id == links.c.owner_id)
        .where(links.c.target == target, records.c.type == "actor")
        .distinct()
        .order_by(links.c.owner_id)
    )
    return [owner for (owner,) in connection.execute(query)]


def _speakers(connection: Connection, actor_id: str) -> list[dict[str, Any]]:
    """Who spoke for the actor or led it, and when: the relations of other actors that name it."""
    owners = _actors_pointing_at(connection, actor_id)
    out = []
    for owner in owners:
        record, _seq = get_record(connection, owner)
        assert isinstance(record, Actor)
        for relation in record.relations:
            if relation.target == actor_id:
                out.append(
                    {
                        "actor": owner,
                        "name": record.name,
                        "type": relation.type.value,
                        "title": relation.title,
                        "since": str(relation.since) if relation.since else None,
                        "until": str(relation.until) if relation.until else None,
                    }
                )
    out.sort(key=lambda item: (item["since"] or "", item["actor"]))
    return out


def _sources(connection: Connection, ids: list[str]) -> list[dict[str, Any]]:
    """Each source with its captured copies, so a reader can check the quote against what was kept."""
    out = []
    for source_id in ids:
        try:
            record, _seq = get_record(connection, source_id)
        except NotFound:
            out.append({"id": source_id, "missing": True})
            continue
        item = record.model_dump(mode="json", exclude_none=True)
        kept = connection.execute(
            select(
                captures.c.id, captures.c.sha256, captures.c.size, captures.c.media_type, captures.c.filename
            )
            .where(captures.c.source_id == source_id)
            .order_by(captures.c.id)
        )
        item["captures"] = [dict(row._mapping) for row in kept]
        out.append(item)
    return out


def proof_for(connection: Connection, seq: int, checkpoint: dict[str, Any] | None) -> dict[str, Any] | None:
    """The inclusion proof of entry ``seq`` in the latest signed checkpoint, or None if it came later."""
    if checkpoint is None or seq >= checkpoint["size"]:
        return None
    log = Log(SqlLogStorage(connection))
    return {**inclusion_proof_document(log, seq, checkpoint["size"]), "checkpoint": checkpoint["note"]}


def entries_with_proofs(connection: Connection, record_id: str) -> list[dict[str, Any]]:
    checkpoint = latest_checkpoint(connection)
    out = []
    for entry in history(connection, record_id):
        item = _entry_summary(entry)
        item["leaf_hash"] = b64(entry.leaf_hash)
        item["in_checkpoint"] = checkpoint is not None and entry.seq < checkpoint["size"]
        out.append(item)
    return out


def statement_page(connection: Connection, statement_id: str) -> dict[str, Any]:
    statement, items = statement_timeline(connection, statement_id)
    verdicts = current_verdicts(connection, [statement_id])
    current = verdicts.get(statement_id)
    names = _actor_names(
        connection,
        [statement.actor, *([statement.on_behalf_of] if statement.on_behalf_of else [])],
    )
    probe = Hit(statement.id, statement.kind.value, statement.actor, None, "", "", "", None, None)
    attach_history(connection, [probe])
    return {
        "statement": statement.model_dump(mode="json", exclude_none=True),
        "actor_name": names.get(statement.actor),
        "on_behalf_of_name": names.get(statement.on_behalf_of or ""),
        "verdict": (
            {
                "verdict": current.verdict,
                "assessment": current.assessment_id,
                "as_of": current.as_of,
                "disputed": current.disputed,
            }
            if current
            else None
        ),
        "verdict_history": probe.history,
        "timeline": [
            {"date": item.date, "kind": item.kind, "id": item.id, "text": item.text} for item in items
        ],
        "sources": _sources(connection, statement.sources),
        "entries": entries_with_proofs(connection, statement_id),
        "latest_checkpoint": latest_checkpoint(connection),
    }


def agreement_page(connection: Connection, agreement_id: str) -> dict[str, Any]:
    record, _seq = get_record(connection, agreement_id)
    if not isinstance(record, Agreement):
        raise NotFound(f"{agreement_id!r} is a {record.TYPE}, not an agreement")
    provisions = describe(connection, record.provisions)
    provision_ids = [pid for pid in record.provisions if provisions[pid]["type"] == "statement"]
    verdicts = current_verdicts(connection, provision_ids)
    fate = [
        {
            **provisions[pid],
            "verdict": verdicts[pid].verdict if pid in verdicts else None,
            "disputed": verdicts[pid].disputed if pid in verdicts else False,
        }
        for pid in record.provisions
    ]
    parties = [*record.parties, *record.guarantors, *(t.actor for t in record.third_parties)]
    return {
        "agreement": record.model_dump(mode="json", exclude_none=True),
        "names": _actor_names(connection, parties),
        "provisions": fate,
        "sources": _sources(connection, record.sources),
        "entries": entries_with_proofs(connection, agreement_id),
    }


def record_page(connection: Connection, record_id: str, record_type: str) -> dict[str, Any]:
    """Any other record (event, source, capture, assessment): its fields, who points at it, its entries."""
    record, _seq = get_record(connection, record_id)
    if record_type != record.TYPE:
        raise NotFound(f"{record_id!r} is a {record.TYPE}, not a {record_type}")
    pointing, total = _pointing_at(connection, record_id)
    described = describe(connection, [owner for owner, _t, _r in pointing])
    out: dict[str, Any] = {
        record_type: record.model_dump(mode="json", exclude_none=True),
        "referenced_by": [
            {"id": owner, "type": rtype, "role": role, "title": described[owner].get("title")}
            for owner, rtype, role in pointing
        ],
        "referenced_by_total": total,
        "entries": entries_with_proofs(connection, record_id),
    }
    if isinstance(record, Event | Assessment):
        out["sources"] = _sources(connection, record.sources)
    if isinstance(record, Event):
        out["names"] = _actor_names(
            connection,
            [r.actor for r in record.responsible]
            + [a for r in record.responsible for a in r.found_by]
            + [f.according_to for f in record.figures if f.according_to],
        )
    if isinstance(record, Source):
        out["sources"] = []
    return out


ACTOR_MATCHES = 20


def matching_actors(connection: Connection, text: str) -> list[dict[str, Any]]:
    """Actors whose id or name holds the words, so a reader who types a name finds the actor's page."""
    words = text.strip().lower()
    if not words:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = connection.execute(
        select(actors.c.id, actors.c.name, actors.c.kind)
        .where((actors.c.id == words) | func.lower(actors.c.name).like(pattern, escape="\\"))
        .order_by(func.length(actors.c.name), actors.c.id)
        .limit(ACTOR_MATCHES)
    )
    return [dict(row._mapping) for row in rows]


REFERENCES_SHOWN = 200


def _pointing_at(connection: Connection, record_id: str) -> tuple[list[tuple[str, str, str]], int]:
    """The first records that point at ``record_id`` (by id), and how many there are in all."""
    where = links.c.target == record_id
    total = connection.execute(select(func.count(func.distinct(links.c.owner_id))).where(where)).scalar() or 0
    rows = connection.execute(
        select(links.c.owner_id, records.c.type, links.c.role)
        .join(records, records.c.id == links.c.owner_id)
        .where(where)
        .order_by(links.c.owner_id, links.c.position)
        .limit(REFERENCES_SHOWN * 4)
    ).all()
    seen: dict[str, tuple[str, str, str]] = {}
    for owner, rtype, role in rows:
        seen.setdefault(owner, (owner, rtype, role))
    return list(seen.values())[:REFERENCES_SHOWN], int(total)


def search_page(connection: Connection, query: RecallQuery) -> dict[str, Any]:
    if not any(
        (query.text, query.actor, query.topic, query.counterparty, query.since, query.until, query.ago)
    ):
        return {
            "query": _query_dict(query),
            "hits": [],
            "actors": [],
            "window": None,
            "terms": [],
            "asked": False,
        }
    found = recall(connection, query)
    return {
        "query": _query_dict(query),
        "actors": matching_actors(connection, query.text) if query.text and not query.actor else [],
        "hits": [_hit(hit.as_dict()) for hit in found.hits],
        "window": list(found.window) if found.window else None,
        "terms": found.query_terms,
        "asked": True,
    }


def _query_dict(query: RecallQuery) -> dict[str, Any]:
    return {
        "q": query.text,
        "actor": query.actor,
        "kind": query.kind,
        "topic": query.topic,
        "verdict": query.verdict,
        "since": query.since,
        "until": query.until,
        "ago": query.ago,
        "limit": query.limit,
    }


def institutions_page(connection: Connection) -> dict[str, Any]:
    return {"institutions": [item.as_dict() for item in institutions(connection)]}


def log_page(connection: Connection, verifier_key: str | None, origin: str) -> dict[str, Any]:
    storage = SqlLogStorage(connection)
    return {
        "size": storage.log_size(),
        "origin": origin,
        "verifier_key": verifier_key,
        "checkpoints": [
            {"id": c.id, "size": c.size, "created_at": c.created_at, "note": c.note}
            for c in reversed(storage.checkpoints())
        ],
    }
