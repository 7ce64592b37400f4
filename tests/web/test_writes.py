"""Writing on the web: roles, the review rule, CSRF, attribution in the log, all-or-nothing errors."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from servanda.record.queries import history

from .conftest import PASSWORD, Site

NEW_STATEMENT: dict[str, Any] = {
    "type": "statement",
    "id": "ru-web-test-2026-11-25",
    "kind": "assertion",
    "actor": "ru",
    "date": "2026-11-25",
    "language": "ru",
    "text": "Мы никогда не нападали ни на кого.",
    "text_en": "We have never attacked anyone.",
    "sources": ["pdfslide-budapest-memorandum"],
}


def verdict(**extra: Any) -> dict[str, Any]:
    return {
        "id": "a-ru-web-test-2026",
        "statement": NEW_STATEMENT["id"],
        "verdict": "false",
        "as_of": "2026-11-25",
        "rationale": "The record holds the 2014 and 2022 invasions.",
        "evidence": ["crimea-incorporation-2014"],
        "sources": ["pdfslide-budapest-memorandum"],
        **extra,
    }


def csrf_of(client: TestClient, path: str = "/edit") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_an_editor_adds_a_statement_attributed_to_them(site: Site) -> None:
    before = site.log_size()
    response = site.client.post("/api/records", json={"record": NEW_STATEMENT}, headers=site.as_user("eve"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["appended"] == 1 and body["url"] == f"/statements/{NEW_STATEMENT['id']}"
    assert site.log_size() == before + 1
    with site.handle.store.read() as connection:
        entries = history(connection, NEW_STATEMENT["id"])
    assert [e.author for e in entries] == ["eve"]
    again = site.client.post("/api/records", json={"record": NEW_STATEMENT}, headers=site.as_user("eve"))
    assert again.status_code == 200 and again.json()["appended"] == 0
    shown = site.client.get(f"/statements/{NEW_STATEMENT['id']}.json").json()
    assert shown["statement"]["text"] == NEW_STATEMENT["text"]


def test_readers_cannot_write(site: Site) -> None:
    before = site.log_size()
    anonymous = site.client.post("/api/records", json={"record": NEW_STATEMENT})
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["detail"].lower()
    reader = site.client.post("/api/records", json={"record": NEW_STATEMENT}, headers=site.as_user("red"))
    assert reader.status_code == 403 and "editor" in reader.json()["detail"]
    forged = site.client.post(
        "/api/records", json={"record": NEW_STATEMENT}, headers={"Authorization": "Bearer x"}
    )
    assert forged.status_code == 401
    assert site.client.get("/edit", follow_redirects=False).headers["location"].startswith("/login")
    assert site.log_size() == before


def test_bad_records_name_the_field_and_change_nothing(site: Site) -> None:
    before = site.log_size()
    broken = {**NEW_STATEMENT, "date": "last tuesday"}
    response = site.client.post("/api/records", json={"record": broken}, headers=site.as_user("eve"))
    assert response.status_code == 422
    assert "[date]" in response.json()["detail"]
    missing_ref = {**NEW_STATEMENT, "actor": "nobody-at-all"}
    response = site.client.post("/api/records", json={"record": missing_ref}, headers=site.as_user("eve"))
    assert response.status_code == 422 and "nobody-at-all" in response.json()["detail"]
    no_type = {k: v for k, v in NEW_STATEMENT.items() if k != "type"}
    response = site.client.post("/api/records", json={"record": no_type}, headers=site.as_user("eve"))
    assert response.status_code == 422 and "[type]" in response.json()["detail"]
    direct_verdict = {"type": "assessment", **verdict()}
    response = site.client.post("/api/records", json={"record": direct_verdict}, headers=site.as_user("rita"))
    assert response.status_code == 422 and "review" in response.json()["detail"]
    assert site.log_size() == before


def test_an_editor_proposes_and_another_reviewer_publishes(site: Site) -> None:
    site.client.post("/api/records", json={"record": NEW_STATEMENT}, headers=site.as_user("eve"))
    before = site.log_size()
    draft = site.client.post("/api/drafts", json={"assessment": verdict()}, headers=site.as_user("eve"))
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    assert site.log_size() == before, "a draft is not in the record until it is published"
    editor_tries = site.client.post(f"/api/drafts/{draft_id}/publish", json={}, headers=site.as_user("eve"))
    assert editor_tries.status_code == 403
    pending = site.client.get("/api/drafts", headers=site.as_user("rita")).json()["drafts"]
    assert [d["id"] for d in pending] == [draft_id]
    published = site.client.post(
        f"/api/drafts/{draft_id}/publish", json={"note": "checked"}, headers=site.as_user("rita")
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["reviewer"] == "rita"
    assert site.log_size() == before + 1
    with site.handle.store.read() as connection:
        entry = history(connection, "a-ru-web-test-2026")[-1]
    assert entry.author == "eve" and "rita" in (entry.body.get("reason") or "")
    shown = site.client.get(f"/statements/{NEW_STATEMENT['id']}.json").json()
    assert shown["verdict"]["verdict"] == "false"


def test_a_reviewer_cannot_publish_their_own_verdict(site: Site) -> None:
    site.client.post("/api/records", json={"record": NEW_STATEMENT}, headers=site.as_user("eve"))
    draft = site.client.post("/api/drafts", json={"assessment": verdict()}, headers=site.as_user("rita"))
    assert draft.status_code == 201
    own = site.client.post(f"/api/drafts/{draft.json()['id']}/publish", json={}, headers=site.as_user("rita"))
    assert own.status_code == 403 and "cannot also publish it" in own.json()["detail"]
    other = site.client.post(
        f"/api/drafts/{draft.json()['id']}/publish", json={}, headers=site.as_user("rob")
    )
    assert other.status_code == 200


def test_forms_need_the_session_csrf_token(site: Site) -> None:
    editor = site.sign_in("eve")
    before = site.log_size()
    values = {
        "id": "ru-form-test-2026",
        "kind": "assertion",
        "actor": "ru",
        "date": "2026-11-24",
        "language": "en",
        "text": "A statement entered in the form.",
        "sources": "pdfslide-budapest-memorandum",
    }
    forged = editor.post("/edit/statement", data=values, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    forged = editor.post("/edit/statement", data={**values, "csrf": "nope"}, follow_redirects=False)
    assert forged.status_code == 403
    assert site.log_size() == before
    done = editor.post("/edit/statement", data={**values, "csrf": csrf_of(editor)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/statements/ru-form-test-2026"
    assert site.log_size() == before + 1


def test_a_form_error_keeps_what_was_typed_and_writes_nothing(site: Site) -> None:
    editor = site.sign_in("eve")
    before = site.log_size()
    values = {
        "csrf": csrf_of(editor),
        "id": "ru-form-test-2026",
        "kind": "assertion",
        "actor": "ru",
        "date": "2026-11-24",
        "language": "ru",
        "text": "Заявление без перевода.",
        "sources": "pdfslide-budapest-memorandum",
    }
    response = editor.post("/edit/statement", data=values)
    assert response.status_code == 422
    assert "text_en" in response.text and "Заявление без перевода." in response.text
    assert site.log_size() == before


def test_signing_in_and_out(site: Site) -> None:
    client = TestClient(site.client.app)
    wrong = client.post("/login", data={"name": "eve", "password": "not the password!"})
    assert wrong.status_code == 401 and "Signed in as" not in wrong.text
    client = site.sign_in("eve")
    assert "Signed in as <strong>eve</strong>" in client.get("/").text
    cookie = client.cookies.get("servanda_session")
    assert cookie and cookie not in json.dumps(site.client.get("/log.json").json())
    out = client.post("/logout", data={"csrf": csrf_of(client, "/")}, follow_redirects=False)
    assert out.status_code == 303
    again = TestClient(site.client.app, cookies={"servanda_session": cookie})
    assert "Signed in as" not in again.get("/").text


def test_repeated_failed_sign_ins_are_slowed_down(site: Site) -> None:
    client = TestClient(site.client.app)
    statuses = [
        client.post("/login", data={"name": "eve", "password": f"wrong guess {n}"}).status_code
        for n in range(8)
    ]
    assert statuses[0] == 401 and statuses[-1] in (401, 429)
    locked = client.post("/login", data={"name": "eve", "password": PASSWORD})
    assert locked.status_code in (401, 429) and "try again" in locked.text.lower()


def test_a_captured_file_is_kept_and_served_as_a_download(site: Site) -> None:
    payload = b"<html><script>alert(1)</script>captured</html>"
    response = site.client.post(
        "/api/captures",
        data={"source": "pdfslide-budapest-memorandum"},
        files={"file": ("page.html", payload, "text/html")},
        headers=site.as_user("eve"),
    )
    assert response.status_code == 201, response.text
    capture = response.json()
    assert capture["sha256"] == hashlib.sha256(payload).hexdigest()
    served = site.client.get(f"/captures/{capture['id']}/file")
    assert served.content == payload
    assert served.headers["content-type"] == "application/octet-stream"
    assert "sandbox" in served.headers["content-security-policy"]
    source = site.client.get("/sources/pdfslide-budapest-memorandum.json").json()
    assert any(ref["id"] == capture["id"] for ref in source["referenced_by"])


def test_an_oversized_body_is_refused_before_it_is_read(site: Site) -> None:
    before = site.log_size()
    huge = {**NEW_STATEMENT, "text": "x" * (5 * 1024 * 1024)}
    response = site.client.post("/api/records", json={"record": huge}, headers=site.as_user("eve"))
    assert response.status_code == 413
    assert site.log_size() == before
