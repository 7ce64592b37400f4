"""Managing accounts on the web: the admin's page and API, each user's own account page, and the trail."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from servanda.accounts.roles import Role
from servanda.store.schema import ACCOUNT_TABLES, account_events, accounts, api_tokens

from .conftest import PASSWORD, Site
from .test_writes import csrf_of

NEW_PASSWORD = "a much longer new passphrase"


# Using a token or a session notes when: that is not a change to the account.
LAST_USE = ("last_used_at", "last_seen_at")


def dump(site: Site) -> dict[str, list[dict[str, Any]]]:
    """Every account table, to show that a refused change changed nothing."""
    with site.handle.store.read() as connection:
        return {
            table.name: sorted(
                (
                    {k: v for k, v in row.items() if k not in LAST_USE}
                    for row in connection.execute(select(table)).mappings()
                ),
                key=repr,
            )
            for table in ACCOUNT_TABLES
        }


def events(site: Site) -> list[tuple[str | None, str, str]]:
    with site.handle.store.read() as connection:
        rows = connection.execute(
            select(account_events.c.actor, account_events.c.account, account_events.c.action).order_by(
                account_events.c.id
            )
        ).all()
    return [(row.actor, row.account, row.action) for row in rows]


def add_form(csrf: str, **extra: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "name": "ed",
        "display_name": "Ed Itor",
        "role": "editor",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }


def test_an_admin_adds_an_editor_who_can_then_sign_in(site: Site) -> None:
    ada = site.sign_in("ada")
    page = ada.get("/admin/accounts")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "eve" in page.text and 'href="/admin/accounts"' in page.text and 'href="/account"' in page.text
    csrf = csrf_of(ada, "/admin/accounts")
    added = ada.post("/admin/accounts", data=add_form(csrf), follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/admin/accounts?done=added+ed+as+editor"
    shown = ada.get(added.headers["location"])
    assert '<p class="notice" role="status">Done: added ed as editor.</p>' in shown.text
    assert ("ada", "ed", "added") in events(site)
    assert "Ed Itor" in shown.text
    account = site.accounts.get("ed")
    assert account.role is Role.EDITOR and account.display_name == "Ed Itor" and not account.disabled
    ed = TestClient(site.client.app)
    signed = ed.post("/login", data={"name": "ed", "password": NEW_PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    assert ed.get("/api/me").json()["role"] == "editor"
    # nothing secret is on the page: no hash of a password or a token
    with site.handle.store.read() as connection:
        hashes = [row.password_hash for row in connection.execute(select(accounts.c.password_hash))]
        hashes += [row.token_hash for row in connection.execute(select(api_tokens.c.token_hash))]
    assert not any(h in shown.text for h in hashes)


def test_the_notice_is_shown_as_text(site: Site) -> None:
    page = site.sign_in("ada").get("/admin/accounts", params={"done": "<script>alert(1)</script>"})
    assert "<script>alert" not in page.text
    assert 'role="status">Done: &lt;script&gt;alert(1)&lt;/script&gt;.' in page.text


def test_the_admin_changes_role_disables_enables_and_sets_a_password(site: Site) -> None:
    ada = site.sign_in("ada")
    csrf = csrf_of(ada, "/admin/accounts")
    role = ada.post(
        "/admin/accounts/eve/role", data={"csrf": csrf, "role": "reviewer"}, follow_redirects=False
    )
    assert role.status_code == 303 and "eve+is+now+reviewer" in role.headers["location"]
    assert site.accounts.get("eve").role is Role.REVIEWER
    eve = site.sign_in("eve")
    disabled = ada.post("/admin/accounts/eve/disable", data={"csrf": csrf}, follow_redirects=False)
    assert disabled.status_code == 303 and site.accounts.get("eve").disabled
    assert eve.get("/api/me").status_code == 401  # the session ended
    assert site.client.get("/api/me", headers=site.as_user("eve")).status_code == 401  # and the token stops
    enabled = ada.post("/admin/accounts/eve/enable", data={"csrf": csrf}, follow_redirects=False)
    assert enabled.status_code == 303 and not site.accounts.get("eve").disabled
    reset = ada.post(
        "/admin/accounts/password",
        data={"csrf": csrf, "account": "eve", "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert reset.status_code == 303
    assert site.accounts.authenticate("eve", NEW_PASSWORD).name == "eve"
    assert events(site)[-4:] == [
        ("ada", "eve", "role"),
        ("ada", "eve", "disabled"),
        ("ada", "eve", "enabled"),
        ("ada", "eve", "password"),
    ]
    page = ada.get("/admin/accounts")
    assert "reviewer to" not in page.text and "editor to reviewer" in page.text


def test_bad_input_is_refused_with_the_reason_and_changes_nothing(site: Site) -> None:
    ada = site.sign_in("ada")
    csrf = csrf_of(ada, "/admin/accounts")
    before = dump(site)
    cases = {
        "weak": (add_form(csrf, password="short", password2="short"), "12 characters"),
        "differ": (add_form(csrf, password2=NEW_PASSWORD + "!"), "two passwords differ"),
        "name": (add_form(csrf, name="Bad Name"), "not allowed"),
        "taken": (add_form(csrf, name="eve"), "already an account named"),
        "role": (add_form(csrf, role="tsar"), "no role"),
    }
    for case, (form, message) in cases.items():
        response = ada.post("/admin/accounts", data=form)
        assert response.status_code == 422, case
        assert message in response.text, (case, response.text[:2000])
        assert 'role="alert"' in response.text
        assert NEW_PASSWORD not in response.text  # a typed password is never echoed back
    assert dump(site) == before


def test_the_last_admin_cannot_be_demoted_or_disabled(site: Site) -> None:
    ada = site.sign_in("ada")
    csrf = csrf_of(ada, "/admin/accounts")
    before = dump(site)
    demoted = ada.post("/admin/accounts/ada/role", data={"csrf": csrf, "role": "editor"})
    assert demoted.status_code == 422 and "only active admin" in demoted.text
    disabled = ada.post("/admin/accounts/ada/disable", data={"csrf": csrf})
    assert disabled.status_code == 422 and "only active admin" in disabled.text
    api = site.client.post("/api/accounts/ada/role", json={"role": "reader"}, headers=site.as_user("ada"))
    assert api.status_code == 422 and "only active admin" in api.json()["detail"]
    assert dump(site) == before
    assert site.accounts.get("ada").role is Role.ADMIN


def test_non_admins_get_403_and_anonymous_readers_are_sent_to_sign_in(site: Site) -> None:
    clients = {name: site.sign_in(name) for name in ("eve", "rita", "red")}
    before = dump(site)
    for name, client in clients.items():
        page = client.get("/admin/accounts")
        assert page.status_code == 403 and "only an admin may manage accounts" in page.text
        assert 'href="/admin/accounts"' not in page.text and 'href="/account"' in page.text
        csrf = csrf_of(client, "/account")
        form = client.post("/admin/accounts", data=add_form(csrf))
        assert form.status_code == 403
        assert client.post("/admin/accounts/eve/disable", data={"csrf": csrf}).status_code == 403
        headers = site.as_user(name)
        assert site.client.get("/api/accounts", headers=headers).status_code == 403
        body = {"name": "ed", "role": "admin", "password": NEW_PASSWORD}
        assert site.client.post("/api/accounts", json=body, headers=headers).status_code == 403
        assert site.client.post("/api/accounts/eve/disable", headers=headers).status_code == 403
    anonymous = site.client.get("/admin/accounts", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=%2Fadmin%2Faccounts"
    assert site.client.get("/account", follow_redirects=False).headers["location"].startswith("/login?next=")
    assert site.client.get("/api/accounts").status_code == 401
    assert site.client.post("/admin/accounts", data=add_form("x")).status_code == 401
    assert dump(site) == before


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    ada = site.sign_in("ada")
    before = dump(site)
    form = add_form("")
    del form["csrf"]
    assert ada.post("/admin/accounts", data=form).status_code == 403
    assert ada.post("/admin/accounts", data=add_form("forged")).status_code == 403
    assert ada.post("/admin/accounts/eve/role", data={"role": "admin"}).status_code == 403
    assert ada.post("/admin/accounts/eve/disable", data={}).status_code == 403
    assert ada.post("/account/tokens", data={"label": "x"}).status_code == 403
    assert ada.post("/account/password", data={"current": PASSWORD}).status_code == 403
    # the API with a session (not a token) needs the header
    body = {"name": "ed", "role": "editor", "password": NEW_PASSWORD}
    assert ada.post("/api/accounts", json=body).status_code == 403
    assert dump(site) == before
    csrf = csrf_of(ada, "/admin/accounts")
    with_header = ada.post("/api/accounts", json=body, headers={"X-CSRF-Token": csrf})
    assert with_header.status_code == 201


def test_the_api_manages_accounts_and_never_returns_hashes(site: Site) -> None:
    admin = site.as_user("ada")
    listed = site.client.get("/api/accounts", headers=admin)
    assert listed.status_code == 200
    names = [a["name"] for a in listed.json()["accounts"]]
    assert names == sorted(["ada", "eve", "rita", "rob", "red"])
    assert set(listed.json()["accounts"][0]) == {"name", "display_name", "role", "active", "created_at"}
    body = {"name": "ed", "role": "reviewer", "password": NEW_PASSWORD, "display_name": "Ed"}
    added = site.client.post("/api/accounts", json=body, headers=admin)
    assert added.status_code == 201 and added.json()["role"] == "reviewer" and added.json()["active"]
    assert "hash" not in added.text and NEW_PASSWORD not in added.text
    again = site.client.post("/api/accounts", json=body, headers=admin)
    assert again.status_code == 422 and "already" in again.json()["detail"]
    role = site.client.post("/api/accounts/ed/role", json={"role": "editor"}, headers=admin)
    assert role.status_code == 200 and role.json()["role"] == "editor"
    off = site.client.post("/api/accounts/ed/disable", headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    on = site.client.post("/api/accounts/ed/enable", headers=admin)
    assert on.status_code == 200 and on.json()["active"] is True
    missing = site.client.post("/api/accounts/nobody/disable", headers=admin)
    assert missing.status_code == 404
    trail = site.client.get("/api/accounts/events", headers=admin).json()["events"]
    assert [(e["by"], e["account"], e["action"]) for e in trail[:4]] == [
        ("ada", "ed", "enabled"),
        ("ada", "ed", "disabled"),
        ("ada", "ed", "role"),
        ("ada", "ed", "added"),
    ]
    schema = site.client.get("/api/openapi.json").json()
    assert "accounts" in schema["paths"]["/api/accounts"]["post"]["tags"]
    assert "/admin/accounts" not in schema["paths"] and "/account" not in schema["paths"]


def token_on_page(text: str) -> str:
    found = re.search(r'id="token-text" readonly size="60" value="(svd_[^"]+)"', text)
    assert found, text[:3000]
    return found.group(1)


def test_a_token_made_on_my_account_is_shown_once_works_and_can_be_revoked(site: Site) -> None:
    eve = site.sign_in("eve")
    page = eve.get("/account")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "an editor you may" in page.text and "add and correct records" in page.text
    assert "manage accounts" not in page.text
    csrf = csrf_of(eve, "/account")
    made = eve.post("/account/tokens", data={"csrf": csrf, "label": "my script"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    assert "Copy it now" in made.text
    token = token_on_page(made.text)
    assert site.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "eve"
    later = eve.get("/account")
    assert token not in later.text and "my script" in later.text
    secret = token.split("_", 2)[2]
    with site.handle.store.read() as connection:
        stored = [dict(row) for row in connection.execute(select(api_tokens)).mappings()]
    assert not any(token in str(row) or secret in str(row) for row in stored)
    token_id = token.split("_")[1]
    assert f"svd_{token_id}_" in later.text
    revoked = eve.post(f"/account/tokens/{token_id}/revoke", data={"csrf": csrf}, follow_redirects=False)
    assert revoked.status_code == 303 and "revoked+the+token" in revoked.headers["location"]
    assert site.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert ("eve", "eve", "token created") in events(site) and ("eve", "eve", "token revoked") in events(site)
    empty = eve.post("/account/tokens", data={"csrf": csrf, "label": "  "})
    assert (
        empty.status_code == 422
        and "label" in empty.text
        and "svd_" not in empty.text.split("</h1>")[1][:300]
    )


def test_a_user_cannot_revoke_another_users_token(site: Site) -> None:
    eve = site.sign_in("eve")
    csrf = csrf_of(eve, "/account")
    ritas = site.accounts.list_tokens("rita")[0]
    before = dump(site)
    refused = eve.post(f"/account/tokens/{ritas.id}/revoke", data={"csrf": csrf})
    assert refused.status_code == 403 and "is not eve" in refused.text
    assert eve.post("/account/tokens/000000000000/revoke", data={"csrf": csrf}).status_code == 404
    assert dump(site) == before
    assert site.client.get("/api/me", headers=site.as_user("rita")).status_code == 200


def test_changing_my_password_needs_the_current_one(site: Site) -> None:
    red = site.sign_in("red")
    other = site.sign_in("red")  # another browser, whose session the change ends
    csrf = csrf_of(red, "/account")
    before = dump(site)
    form = {"csrf": csrf, "current": "not my password", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    wrong = red.post("/account/password", data=form)
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    differ = red.post(
        "/account/password", data={**form, "current": PASSWORD, "password2": "something else 123"}
    )
    assert differ.status_code == 422 and "two passwords differ" in differ.text
    weak = red.post(
        "/account/password", data={**form, "current": PASSWORD, "password": "red", "password2": "red"}
    )
    assert weak.status_code == 422
    after = dump(site)
    after.pop("login_failures")  # the wrong guess is counted against sign-in, as at /login
    before.pop("login_failures")
    assert after == before
    changed = red.post("/account/password", data={**form, "current": PASSWORD}, follow_redirects=False)
    assert changed.status_code == 303 and "changed+your+password" in changed.headers["location"]
    assert red.get("/api/me").json()["name"] == "red"  # this browser stays signed in
    assert other.get("/api/me").status_code == 401  # the other one is signed out
    assert site.accounts.authenticate("red", NEW_PASSWORD).name == "red"
    assert events(site)[-1] == ("red", "red", "password")
    page = red.get(changed.headers["location"])
    assert 'role="status">Done: changed your password' in page.text
