"""The ASGI app: pages, their ``.json`` twins, and the JSON API, over one opened record.

``create_app(settings)`` opens the record named by the settings (as the command line does) and mounts:

- ``pages``: server-rendered HTML that works without JavaScript, one stable URL per record;
- ``reads``: the ``.json`` twin of every page (the same data the page shows), in the OpenAPI description;
- ``writes``: the JSON API and the forms that change the record, all through ``RecordService``;
- ``auth``: sign-in, sessions and API tokens.
- ``assess``: the assessment of a proposed agreement (a form, its report, ``POST /api/assess``); reads only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servanda import __version__
from servanda.accounts.service import AccountService
from servanda.errors import (
    ConfigError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ServandaError,
    StoreBusy,
)
from servanda.record.bootstrap import RecordHandle, open_record
from servanda.settings import Settings

from .context import WebContext
from .rendering import wants_json

HERE = Path(__file__).parent
MAX_BODY_BYTES = 4 * 1024 * 1024

SECURITY_HEADERS = {
    # Quotes come from people who lie for a living: even if escaping ever failed, the browser runs no script
    # but our own file, loads nothing from elsewhere, and lets no other site frame the record.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The OpenAPI UI loads its script from a CDN; those two pages get a policy that allows it.
_DOCS_PATHS = ("/api/docs", "/api/redoc")


_ENCODED_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response that does not set its own. A plain ASGI middleware:
    Starlette's ``BaseHTTPMiddleware`` costs about a third of a small JSON response's time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_DOCS_PATHS):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(k, v) for k, v in _ENCODED_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings, *, handle: RecordHandle | None = None) -> FastAPI:
    """The app over the record named by ``settings`` (or over ``handle``, already opened)."""
    owned = handle is None
    opened = handle or open_record(settings)
    context = WebContext(opened)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            opened.close()

    app = FastAPI(
        title="servanda",
        version=__version__,
        summary="A verifiable public record of what political actors promised and asserted, what they did, "
        "and what their word is therefore worth.",
        description=(
            "Every page of the site has a `.json` twin holding exactly what the page shows. "
            "Reads are open to everyone; writes need an API token (`Authorization: Bearer …`) "
            "of an account with the right role. "
            "Every write goes through the same path as the command line and is attributed in the log."
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
        # No form or record needs more; a bigger body is refused (413) before it is read into memory.
        # Uploads of captured files have their own, larger limit (writes.MAX_CAPTURE_BYTES).
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.context = context

    from . import admin, assess, auth, pages, reads, writes

    app.state.accounts = AccountService(opened.store)
    app.include_router(reads.router)
    app.include_router(writes.files)
    app.include_router(writes.api)
    app.include_router(writes.forms)
    app.include_router(auth.router)
    app.include_router(admin.api)
    app.include_router(admin.pages)
    app.include_router(assess.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(SecurityHeaders)

    _install_error_handlers(app, context)
    return app


def _install_error_handlers(app: FastAPI, context: WebContext) -> None:
    def problem(request: Request, status: int, title: str, detail: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": title, "detail": detail}, status_code=status)
        return context.render(
            request, "error.html", {"status": status, "title": title, "detail": detail}, status
        )

    def plain(status: int, title: str):  # type: ignore[no-untyped-def]
        async def handler(request: Request, exc: Exception) -> Response:
            return problem(request, status, title, str(exc))

        return handler

    # The most specific class wins (Starlette looks handlers up along the exception's MRO).
    for error, status, title in (
        (NotFound, 404, "Not found"),
        (InvalidInput, 422, "Invalid input"),
        (Forbidden, 403, "Not allowed"),
        (StoreBusy, 503, "Busy"),
        (ConfigError, 500, "Not configured"),
        (ServandaError, 400, "Refused"),
    ):
        app.add_exception_handler(error, plain(status, title))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        if request.url.path == "/login" and not wants_json(request):
            data = {"next": "/", "error": str(exc), "name": None}
            response: Response = context.render(request, "login.html", data, 429)
        else:
            response = problem(request, 429, "Too many attempts", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        response = problem(request, 401, "Sign in needed", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {401: "Sign in needed", 403: "Not allowed", 404: "Not found", 405: "Method not allowed"}
        response = problem(request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg')}" for error in exc.errors()
        )
        return problem(request, 422, "Invalid input", details)
