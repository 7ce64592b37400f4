"""The HTML pages: each renders the data of its ``.json`` twin (``reads``) through a template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servanda.record.queries import get_record

from .auth import identify
from .reads import PageNumber, SearchQuery, cached, context_of, load, search_data, today
from .rendering import url_for_record

router = APIRouter(include_in_schema=False, dependencies=[Depends(identify)])


def page(request: Request, template: str, data: dict[str, object], status: int = 200) -> HTMLResponse:
    return context_of(request).render(request, template, data, status)


def record_page(request: Request, template: str, name: str, *args: object) -> Response:
    """A page of the record. For readers who are not signed in (nearly all of them) the rendered page is
    cached like its data, until the log grows; a signed-in page shows its account, so it is rendered anew."""
    context = context_of(request)
    # One read transaction: the size that keys the cache is the size the page is computed at.
    with context.read() as connection:
        size = context.log_size(connection)
        if request.state.account is not None:
            return page(request, template, cached(context, connection, size, name, *args))
        key = ("html", size, request.url.path, request.url.query)

        def render() -> bytes:
            return bytes(page(request, template, cached(context, connection, size, name, *args)).body)

        body = context.cache.get(key, render)
    return HTMLResponse(body)


@router.get("/")
def home(request: Request) -> Response:
    return record_page(request, "home.html", "home")


@router.get("/actors")
def actors(request: Request, kind: str | None = None) -> Response:
    return record_page(request, "actors.html", "actors", kind)


@router.get("/actors/{actor_id}")
def actor(
    request: Request, actor_id: str, page_number: Annotated[PageNumber, Query(alias="page")] = 1
) -> Response:
    return record_page(request, "actor.html", "actor", actor_id, page_number, today())


@router.get("/statements/{statement_id}")
def statement(request: Request, statement_id: str) -> Response:
    return record_page(request, "statement.html", "statement", statement_id)


@router.get("/agreements/{agreement_id}")
def agreement(request: Request, agreement_id: str) -> Response:
    return record_page(request, "agreement.html", "agreement", agreement_id)


# An event is laid out for readers (who was found responsible, by whom; figures by source); the other kinds
# of record show their fields as they are.
TEMPLATES = {"event": "event.html"}


def _record_page(record_type: str):  # type: ignore[no-untyped-def]
    def show(request: Request, record_id: str) -> Response:
        data = load(request, "record", record_id, record_type)
        template = TEMPLATES.get(record_type, "record.html")
        return page(request, template, {**data, "type": record_type, "record": data[record_type]})

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
def search(request: Request, query: SearchQuery) -> Response:
    return page(request, "search.html", search_data(request, query))


@router.get("/institutions")
def institutions(request: Request) -> Response:
    return page(request, "institutions.html", load(request, "institutions"))


@router.get("/log")
def log(request: Request) -> Response:
    return page(request, "log.html", load(request, "log"))
