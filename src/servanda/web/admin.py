"""Managing accounts on the web: the admin's page and API, and every signed-in user's own account page.

- ``/admin/accounts`` (admin): the accounts, adding one, changing a role or a password, disabling and
  enabling, and the latest changes to accounts (``account_events``);
- ``/account`` (anyone signed in): who they are and what their role allows, their API tokens (create, shown
  once; revoke), and changing their own password;
- ``/api/accounts`` (admin): the same account changes as JSON, in the OpenAPI description.

Every change goes through ``AccountService``, as the ``servanda user`` commands do, in one transaction that
also records who made it. Forms carry the session's CSRF token; the API takes an API token, or a session
with the ``X-CSRF-Token`` header, as the other write routes do.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servanda.accounts.model import Account
from servanda.accounts.roles import Role, require_admin
from servanda.accounts.service import AccountEvent
from servanda.accounts.tokens import TokenInfo
from servanda.errors import InvalidInput, NotAuthenticated, RateLimited

from .auth import SESSION_COOKIE, Identified, accounts, check_csrf, identify, signed_in
from .reads import context_of
from .rendering import JSON

pages = APIRouter(include_in_schema=False, dependencies=[Depends(identify)])
api = APIRouter(prefix="/api/accounts", tags=["accounts"], dependencies=[Depends(identify)])

AccountName = Annotated[str, PathParam(max_length=64, description="The account's name.")]
TokenId = Annotated[str, PathParam(max_length=16, description="The token's public id.")]
MAX_NOTICE = 200

# What each role adds to the one below it, in plain words (the ladder is in ``accounts.roles``).
ROLE_ALLOWS = {
    Role.READER: "read the record, as anyone may, signed in or not",
    Role.EDITOR: "add and correct records, and propose verdicts for review",
    Role.REVIEWER: "publish or reject verdicts that someone else proposed",
    Role.ADMIN: "manage accounts: add them, change their roles and passwords, disable and enable them",
}


def account_dict(account: Account) -> dict[str, Any]:
    # Built field by field, never from the row: a password hash must not reach a page or a response.
    return {
        "name": account.name,
        "display_name": account.display_name,
        "role": account.role.value,
        "active": not account.disabled,
        "created_at": account.created_at,
    }


def token_dict(info: TokenInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "label": info.label,
        "created_at": info.created_at,
        "last_used_at": info.last_used_at,
        "revoked_at": info.revoked_at,
        "active": info.active,
    }


def event_dict(event: AccountEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "by": event.actor,
        "account": event.account,
        "action": event.action,
        "detail": event.detail,
    }


def allows(role: Role) -> list[str]:
    return [ROLE_ALLOWS[step] for step in Role if role.at_least(step)]


# --- shared steps -------------------------------------------------------------------------------------------


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _need_sign_in(request: Request) -> Response:
    return RedirectResponse(f"/login?{urlencode({'next': request.url.path})}", status_code=303)


def _done(path: str, notice: str) -> Response:
    """Back to the page, saying what was done (the page shows it escaped, and only as text)."""
    return RedirectResponse(f"{path}?{urlencode({'done': notice})}", status_code=303)


def _notice(request: Request) -> str | None:
    return request.query_params.get("done", "")[:MAX_NOTICE] or None


def _twice(values: dict[str, str]) -> str:
    password = values.get("password", "")
    if password != values.get("password2", ""):
        raise InvalidInput("the two passwords differ: type the same password twice")
    return password


def _role_text(text: str) -> str:
    # parse_role echoes what it was given: keep a pasted novel out of the error message
    return text.strip()[:32]


def _private(response: Response) -> Response:
    # Account pages hold the CSRF token and, once, a new API token: no cache or proxy may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _renew_session(request: Request, response: Response, account: Account) -> None:
    """A password change ends every session of the account, the one making it too: a user who changed
    their own password gets a fresh session here, rather than being signed out by their own change."""
    if request.state.session is None:
        return
    session_id, _csrf = accounts(request).open_session(account)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


# --- the admin's page ---------------------------------------------------------------------------------------


def _admin_page(
    request: Request,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    service = accounts(request)
    safe_typed = {k: v for k, v in (typed or {}).items() if "password" not in k and k != "csrf"}
    data = {
        "accounts": [account_dict(a) for a in service.list_users()],
        "events": [event_dict(e) for e in service.events()],
        "roles": [role.value for role in Role],
        "error": error,
        "typed": safe_typed,
        "done": None if error else _notice(request),
    }
    return _private(context_of(request).render(request, "admin_accounts.html", data, status))


def _admin_form(request: Request, account: Account | None, values: dict[str, str]) -> Account:
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))
    return require_admin(who)


@pages.get("/admin/accounts")
def admin_accounts(request: Request, account: Identified) -> Response:
    if account is None:
        return _need_sign_in(request)
    require_admin(account)
    return _admin_page(request)


@pages.post("/admin/accounts")
async def admin_add(request: Request, account: Identified) -> Response:
    values = await _form(request)
    who = _admin_form(request, account, values)
    try:
        added = accounts(request).add_user(
            values.get("name", "").strip(),
            _twice(values),
            _role_text(values.get("role", "")),
            values.get("display_name") or None,
            by=who.name,
        )
    except InvalidInput as exc:
        return _admin_page(request, error=str(exc), typed=values, status=422)
    return _done("/admin/accounts", f"added {added.name} as {added.role.value}")


@pages.post("/admin/accounts/{name}/role")
async def admin_role(request: Request, name: AccountName, account: Identified) -> Response:
    values = await _form(request)
    who = _admin_form(request, account, values)
    try:
        changed = accounts(request).set_role(name, _role_text(values.get("role", "")), by=who.name)
    except InvalidInput as exc:
        return _admin_page(request, error=str(exc), status=422)
    return _done("/admin/accounts", f"{changed.name} is now {changed.role.value}")


@pages.post("/admin/accounts/{name}/disable")
async def admin_disable(request: Request, name: AccountName, account: Identified) -> Response:
    values = await _form(request)
    who = _admin_form(request, account, values)
    try:
        accounts(request).disable(name, by=who.name)
    except InvalidInput as exc:
        return _admin_page(request, error=str(exc), status=422)
    return _done("/admin/accounts", f"disabled {name}")


@pages.post("/admin/accounts/{name}/enable")
async def admin_enable(request: Request, name: AccountName, account: Identified) -> Response:
    values = await _form(request)
    who = _admin_form(request, account, values)
    accounts(request).enable(name, by=who.name)
    return _done("/admin/accounts", f"enabled {name}")


@pages.post("/admin/accounts/password")
async def admin_password(request: Request, account: Identified) -> Response:
    # The account is a field, not in the path: one form with a choice of account works without scripts.
    values = await _form(request)
    who = _admin_form(request, account, values)
    name = values.get("account", "").strip()
    service = accounts(request)
    try:
        service.set_password(name, _twice(values), by=who.name)
    except InvalidInput as exc:
        return _admin_page(request, error=str(exc), status=422)
    response = _done("/admin/accounts", f"set a new password for {name}; their sessions ended")
    if name == who.name:
        _renew_session(request, response, service.get(name))
    return response


# --- my account ---------------------------------------------------------------------------------------------


def _account_page(
    request: Request,
    who: Account,
    *,
    new_token: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    data = {
        "me": account_dict(who),
        "allows": allows(who.role),
        "tokens": [token_dict(t) for t in accounts(request).list_tokens(who.name)],
        "new_token": new_token,
        "error": error,
        "done": None if error or new_token else _notice(request),
    }
    return _private(context_of(request).render(request, "account.html", data, status))


def _own_form(request: Request, account: Account | None, values: dict[str, str]) -> Account:
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))
    return who


@pages.get("/account")
def my_account(request: Request, account: Identified) -> Response:
    if account is None:
        return _need_sign_in(request)
    return _account_page(request, account)


@pages.post("/account/tokens")
async def my_new_token(request: Request, account: Identified) -> Response:
    values = await _form(request)
    who = _own_form(request, account, values)
    try:
        token, _info = accounts(request).create_token(who, values.get("label", ""), by=who.name)
    except InvalidInput as exc:
        return _account_page(request, who, error=str(exc), status=422)
    # Shown on this response and never again: the store keeps only its hash.
    return _account_page(request, who, new_token=token)


@pages.post("/account/tokens/{token_id}/revoke")
async def my_revoke_token(request: Request, token_id: TokenId, account: Identified) -> Response:
    values = await _form(request)
    who = _own_form(request, account, values)
    info = accounts(request).revoke_token(token_id, by=who.name, owner=who.name)
    return _done("/account", f"revoked the token {info.id} ({info.label})")


@pages.post("/account/password")
async def my_password(request: Request, account: Identified) -> Response:
    values = await _form(request)
    who = _own_form(request, account, values)
    service = accounts(request)
    client = request.client.host if request.client else None
    try:
        password = _twice(values)
        try:
            # the same check as signing in, with its limits: a stolen session cannot guess its way on
            service.authenticate(who.name, values.get("current", ""), client)
        except RateLimited:
            raise  # answered with 429 and Retry-After by the app
        except NotAuthenticated:
            raise InvalidInput("the current password is not right: nothing was changed") from None
        service.set_password(who.name, password, by=who.name)
    except InvalidInput as exc:
        return _account_page(request, who, error=str(exc), status=422)
    response = _done("/account", "changed your password; your other sessions ended")
    _renew_session(request, response, who)
    return response


# --- JSON API -----------------------------------------------------------------------------------------------


class NewAccount(BaseModel):
    name: str = Field(max_length=64, description="2 to 64 lowercase letters, digits, '.', '_' or '-'.")
    role: str = Field("editor", max_length=16, description="reader, editor, reviewer or admin.")
    password: str = Field(max_length=1024, description="At least 12 characters, not the name.")
    display_name: str | None = Field(None, max_length=200)


class RoleChange(BaseModel):
    role: str = Field(max_length=16, description="reader, editor, reviewer or admin.")


def _api_admin(request: Request, account: Account | None) -> Account:
    who = signed_in(account)
    check_csrf(request, None)
    return require_admin(who)


@api.get("", summary="The accounts (admin)")
def api_accounts(request: Request, account: Identified) -> Response:
    require_admin(signed_in(account))
    return JSON({"accounts": [account_dict(a) for a in accounts(request).list_users()]})


@api.get("/events", summary="The latest changes to accounts, newest first (admin)")
def api_events(request: Request, account: Identified) -> Response:
    require_admin(signed_in(account))
    return JSON({"events": [event_dict(e) for e in accounts(request).events()]})


@api.post("", summary="Add an account (admin)", status_code=201)
def api_add(request: Request, body: NewAccount, account: Identified) -> Response:
    who = _api_admin(request, account)
    added = accounts(request).add_user(body.name, body.password, body.role, body.display_name, by=who.name)
    return JSON(account_dict(added), status_code=201)


@api.post("/{name}/role", summary="Change an account's role (admin)")
def api_role(request: Request, name: AccountName, body: RoleChange, account: Identified) -> Response:
    who = _api_admin(request, account)
    return JSON(account_dict(accounts(request).set_role(name, body.role, by=who.name)))


@api.post("/{name}/disable", summary="Stop an account's sign-ins, sessions and tokens (admin)")
def api_disable(request: Request, name: AccountName, account: Identified) -> Response:
    who = _api_admin(request, account)
    return JSON(account_dict(accounts(request).disable(name, by=who.name)))


@api.post("/{name}/enable", summary="Let a disabled account work again (admin)")
def api_enable(request: Request, name: AccountName, account: Identified) -> Response:
    who = _api_admin(request, account)
    return JSON(account_dict(accounts(request).enable(name, by=who.name)))
