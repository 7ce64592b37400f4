"""The HTML pages: each renders the data of its ``.json`` twin (``reads``) through a template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servanda.record.queries import get_record

from .auth import identify
from .reads import PageNumber, context_of, load, search_data, search_query, today
from .rendering import url_for_record

router = APIRouter(include_in_schema=False, dependencies=[Depends(identify)])


def page(request: Request, template: str, data: dict[str, object], status: int = 200) -> HTMLResponse:
    return context_of(request).render(request, template, data, status)


@router.get("/")
def home(request: Request) -> Response:
    return page(request, "home.html", load(request, "home"))


@router.get("/actors")
def actors(request: Request, kind: str | None = None) -> Response:
    return page(request, "actors.html", load(request, "actors", kind))


@router.get("/actors/{actor_id}")
def actor(
    request: Request, actor_id: str, page_number: Annotated[PageNumber, Query(alias="page")] = 1
) -> Response:
    return page(request, "actor.html", load(request, "actor", actor_id, page_number, today()))


@router.get("/statements/{statement_id}")
def statement(request: Request, statement_id: str) -> Response:
    return page(request, "statement.html", load(request, "statement", statement_id))


@router.get("/agreements/{agreement_id}")
def agreement(request: Request, agreement_id: str) -> Response:
    return page(request, "agreement.html", load(request, "agreement", agreement_id))


def _record_page(record_type: str):  # type: ignore[no-untyped-def]
    def show(request: Request, record_id: str) -> Response:
        data = load(request, "record", record_id, record_type)
        return page(request, "record.html", {**data, "type": record_type, "record": data[record_type]})

    show.__name__ = f"{record_type}_page"
    return show


for _type, _section in (
    ("event", "events"),
    ("source", "sources"),
    ("capture", "captures"),
    ("assessment", "assessments"),
):
    router.add_api_route(f"/{_section}/{{record_id}}", _record_page(_type), methods=["GET"])


@router.get("/records/{record_id}")
def any_record(request: Request, record_id: str) -> Response:
    """A stable URL for any id: sends the reader to the page of the record's type."""
    with context_of(request).read() as connection:
        record, _seq = get_record(connection, record_id)
    return RedirectResponse(url_for_record(record.id, record.TYPE), status_code=303)


@router.get("/search")
def search(
    request: Request,
    q: Annotated[str | None, Query(max_length=500)] = None,
    actor: str | None = None,
    kind: str | None = None,
    topic: str | None = None,
    verdict: str | None = None,
    since: str | None = None,
    until: str | None = None,
    ago: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    query = search_query(q, actor, kind, topic, verdict, since, until, ago, limit)
    data = search_data(request, query)
    return page(request, "search.html", data)


@router.get("/institutions")
def institutions(request: Request) -> Response:
    return page(request, "institutions.html", load(request, "institutions"))


@router.get("/log")
def log(request: Request) -> Response:
    return page(request, "log.html", load(request, "log"))
