"""The ``.json`` twin of every page: the data the page shows, and the loaders both share.

A loader computes a page's data at the log's current size and caches it under that size (see ``ViewCache``),
so a busy actor page costs one query for the size until the record changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import Connection

from servanda.errors import NotFound
from servanda.record.outcomes import RecordOutcome, record_outcomes
from servanda.record.queries import get_record
from servanda.record.recall import RecallQuery

from . import views
from .context import WebContext
from .rendering import JSON, url_for_record

router = APIRouter(tags=["read"])

PageNumber = Annotated[int, Field(ge=1, le=100_000)]
Seq = Annotated[int, PathParam(ge=0, le=2**53, description="The entry's sequence number in the log.")]
Page = Annotated[PageNumber, Query(description="Page of the statement timeline, from 1.")]


def context_of(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


def today() -> Any:
    return datetime.now(UTC).date()


def cached(context: WebContext, connection: Connection, size: int, name: str, *args: Any) -> dict[str, Any]:
    """Page ``name``'s data for ``args`` at log size ``size``, read through ``connection`` when not cached."""
    return context.cache.get((name, size, *args), lambda: LOADERS[name](context, connection, *args))


def load(request: Request, name: str, *args: Any) -> dict[str, Any]:
    """Page ``name``'s data for ``args``, as the record stands now."""
    context = context_of(request)
    with context.read() as connection:
        return cached(context, connection, context.log_size(connection), name, *args)


def outcomes(context: WebContext, connection: Connection) -> list[RecordOutcome]:
    """The record's coded outcomes, computed once per log size for every actor page."""
    size = context.log_size(connection)
    return context.cache.get(("outcomes", size), lambda: record_outcomes(connection))


LOADERS: dict[str, Any] = {
    "home": lambda _ctx, c: views.home(c),
    "actors": lambda _ctx, c, kind: views.actors_index(c, kind),
    "actor": lambda ctx, c, actor_id, page, day: views.actor_page(
        c, actor_id, today=day, page=page, outcomes=outcomes(ctx, c)
    ),
    "statement": lambda _ctx, c, sid: views.statement_page(c, sid),
    "agreement": lambda _ctx, c, aid: views.agreement_page(c, aid),
    "record": lambda _ctx, c, rid, rtype: views.record_page(c, rid, rtype),
    "institutions": lambda _ctx, c: views.institutions_page(c),
    "log": lambda ctx, c: views.log_page(c, ctx.verifier_key(), ctx.settings.origin),
}


def search_query(
    q: Annotated[str | None, Query(max_length=500, description="Words to find (en, ru, uk)")] = None,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    kind: Annotated[str | None, Query(description="commitment or assertion")] = None,
    topic: Annotated[str | None, Query(max_length=128)] = None,
    verdict: str | None = None,
    since: str | None = None,
    until: str | None = None,
    ago: Annotated[str | None, Query(description="1w, 1m, 1y, 5y…")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecallQuery:
    """The search form's fields as a recall query (a dependency shared by the page and its twin)."""

    def clean(value: str | None) -> str | None:
        return value.strip() or None if value else None

    return RecallQuery(
        actor=clean(actor),
        text=clean(q),
        kind=clean(kind),
        topic=clean(topic),
        verdict=clean(verdict),
        since=clean(since),
        until=clean(until),
        ago=clean(ago),
        today=today(),
        limit=limit,
    )


SearchQuery = Annotated[RecallQuery, Depends(search_query)]


def search_data(request: Request, query: RecallQuery) -> dict[str, Any]:
    """A search's results, cached like a page until the log grows (the same search asked again — a link
    shared in an article — costs one query)."""
    context = context_of(request)
    with context.read() as connection:
        size = context.log_size(connection)
        return context.cache.get(("search", size, query), lambda: views.search_page(connection, query))


# --- routes -------------------------------------------------------------------------------------------------
# Each is declared before its HTML page in the app, so "/actors/ru.json" is not taken for an actor "ru.json".


@router.get("/index.json", summary="The home page: overview, latest entries, latest checkpoint")
def home_json(request: Request) -> Response:
    return JSON(load(request, "home"))


@router.get("/actors.json", summary="Every actor, with how many statements each made")
def actors_json(request: Request, kind: str | None = None) -> Response:
    return JSON(load(request, "actors", kind))


@router.get("/actors/{actor_id}.json", summary="An actor: relations, credibility, timeline, recall")
def actor_json(request: Request, actor_id: str, page: Page = 1) -> Response:
    return JSON(load(request, "actor", actor_id, page, today()))


@router.get("/statements/{statement_id}.json", summary="A statement: quote, sources, verdicts, entries")
def statement_json(request: Request, statement_id: str) -> Response:
    return JSON(load(request, "statement", statement_id))


@router.get(
    "/statements/{statement_id}/proof/{seq}.json",
    summary="Inclusion proof of one of the record's entries in the latest signed checkpoint",
)
def proof_json(request: Request, statement_id: str, seq: Seq) -> Response:
    return entry_proof(request, statement_id, seq)


@router.get("/records/{record_id}/proof/{seq}.json", summary="Inclusion proof of any record's entry")
def record_proof_json(request: Request, record_id: str, seq: Seq) -> Response:
    return entry_proof(request, record_id, seq)


def entry_proof(request: Request, record_id: str, seq: int) -> Response:
    context = context_of(request)
    with context.read() as connection:
        seqs = {entry["seq"] for entry in views.entries_with_proofs(connection, record_id)}
        if seq not in seqs:
            raise NotFound(f"entry {seq} did not set {record_id!r}")
        proof = views.proof_for(connection, seq, views.latest_checkpoint(connection))
    if proof is None:
        raise NotFound(f"entry {seq} came after the latest signed checkpoint: no proof against it yet")
    return JSON(
        proof,
        headers={"Content-Disposition": f'attachment; filename="servanda-proof-{record_id}-{seq}.json"'},
    )


@router.get(
    "/agreements/{agreement_id}.json", summary="An agreement: parties, signatures, status, provisions"
)
def agreement_json(request: Request, agreement_id: str) -> Response:
    return JSON(load(request, "agreement", agreement_id))


def _record_json(record_type: str):  # type: ignore[no-untyped-def]
    def read(request: Request, record_id: str) -> Response:
        return JSON(load(request, "record", record_id, record_type))

    read.__name__ = f"{record_type}_json"
    return read


for _type, _section in (
    ("event", "events"),
    ("source", "sources"),
    ("capture", "captures"),
    ("assessment", "assessments"),
):
    router.add_api_route(
        f"/{_section}/{{record_id}}.json",
        _record_json(_type),
        methods=["GET"],
        summary=f"One {_type}, what points at it, and the entries that set it",
    )


@router.get("/records/{record_id}.json", summary="Any record by id, as stored")
def record_json(request: Request, record_id: str) -> Response:
    context = context_of(request)
    with context.read() as connection:
        record, seq = get_record(connection, record_id)
    return JSON(
        {
            "type": record.TYPE,
            "seq": seq,
            "url": url_for_record(record.id, record.TYPE),
            "record": record.model_dump(mode="json", exclude_none=True),
        }
    )


@router.get("/search.json", summary="Full-text search and filters over statements (recall)")
def search_json(request: Request, query: SearchQuery) -> Response:
    return JSON(search_data(request, query))


@router.get("/institutions.json", summary="What courts and monitors asked, and whether it was done")
def institutions_json(request: Request) -> Response:
    return JSON(load(request, "institutions"))


@router.get("/log.json", summary="The log: size, checkpoints, the verifier key")
def log_json(request: Request) -> Response:
    return JSON(load(request, "log"))
