"""Who is asking: sign-in and sign-out pages, session cookies, API tokens, and the CSRF check.

Readers need no account. Editors and reviewers sign in with a password (a session cookie, with a CSRF token in
every form) or send an API token (``Authorization: Bearer …``; no cookie, so no CSRF to check). The rules of
who may do what live in ``servanda.accounts.roles``; this module only finds the account.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from servanda.accounts.model import Account
from servanda.accounts.service import AccountService
from servanda.errors import Forbidden, NotAuthenticated, RateLimited

from .reads import context_of

SESSION_COOKIE = "servanda_session"
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter(include_in_schema=False)


def accounts(request: Request) -> AccountService:
    service: AccountService = request.app.state.accounts
    return service


def identify(request: Request) -> Account | None:
    """Set ``request.state.account`` (None for an anonymous reader) and, for a session, its CSRF token."""
    request.state.account = None
    request.state.csrf = None
    request.state.session = None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <API token>'")
        request.state.account = accounts(request).account_for_token(token.strip())
        return request.state.account  # type: ignore[no-any-return]
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        try:
            request.state.account = accounts(request).account_for_session(session_id)
        except NotAuthenticated:
            return None  # an expired or closed session reads as an anonymous reader
        request.state.session = session_id
        request.state.csrf = AccountService.csrf_token(session_id)
    return request.state.account  # type: ignore[no-any-return]


Identified = Annotated[Account | None, Depends(identify)]


def check_csrf(request: Request, token: str | None) -> None:
    """A write made with a session cookie must carry the session's CSRF token (a form from our own page, or
    the header for scripts); a write with an API token carries no cookie, so a forged request cannot ride
    on it."""
    session_id = request.state.session
    if session_id is not None:
        AccountService.check_csrf(session_id, token or request.headers.get(CSRF_HEADER))


def signed_in(account: Account | None) -> Account:
    if account is None:
        raise NotAuthenticated("sign in first (or send an API token)")
    return account


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in link must not send the reader elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, account: Identified, next: str | None = None) -> Response:
    return context_of(request).render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    request.state.account = None
    request.state.csrf = None
    client = request.client.host if request.client else None
    try:
        account = accounts(request).authenticate(name.strip(), password, client)
    except RateLimited:
        raise  # answered with 429 and Retry-After by the app
    except (NotAuthenticated, Forbidden) as exc:
        data = {"next": _safe_next(next), "error": str(exc), "name": name}
        return context_of(request).render(request, "login.html", data, 401)
    session_id, _csrf = accounts(request).open_session(account)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, account: Identified, csrf: Annotated[str | None, Form()] = None) -> Response:
    if request.state.session is not None:
        check_csrf(request, csrf)
        accounts(request).close_session(request.state.session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
