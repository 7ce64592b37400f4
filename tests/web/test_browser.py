"""The site in a real browser: what readers, editors and reviewers do; script injection never runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from servanda.record.bootstrap import open_record
from servanda.settings import Settings
from servanda.web.app import create_app

from .browser import CHROMIUM_FLAGS, artifacts_dir, chromium_path, live_server
from .conftest import PASSWORD, Site, make_site

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    """The starter record with one account per role, on SQLite, served on loopback."""
    settings = Settings.load(
        home=tmp_path / "home",
        environ={"SERVANDA_ORIGIN": "test.servanda.example/log", "SERVANDA_AUTHOR": "t"},
    )
    settings.home.mkdir(parents=True)
    handle = open_record(settings, create=True)
    site = make_site(handle)
    try:
        with live_server(create_app(settings, handle=handle)) as base:
            yield site, base
    finally:
        handle.close()


def sign_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def test_a_reader_finds_an_actor_opens_a_statement_and_its_proof(
    browser: Browser, served: tuple[Site, str]
) -> None:
    _site, base = served
    page = browser.new_page()
    page.goto(base)
    page.get_by_role("search").first.get_by_label("Search the record").fill("Russian Federation")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the record")
    page.get_by_role("region", name="Actors").get_by_role(
        "link", name="Russian Federation", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Russian Federation")
    expect(page.get_by_text("Probability that their next commitment is kept")).to_be_visible()
    page.screenshot(path=str(artifacts_dir() / "actor-ru.png"), full_page=True)
    page.locator("table.timeline a[href^='/statements/']").last.click()
    expect(page.get_by_role("heading", name="Verdict", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="inclusion proof").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("servanda-proof-")
    proof_text = Path(download.path()).read_text()
    assert '"tree_size"' in proof_text and '"checkpoint"' in proof_text
    page.close()


def test_the_actor_page_reads_well_on_a_phone(browser: Browser, served: tuple[Site, str]) -> None:
    _site, base = served
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{base}/actors/ru")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, "nothing may force a phone to scroll sideways"
    page.screenshot(path=str(artifacts_dir() / "actor-ru-phone.png"))
    page.close()


def test_an_editor_adds_a_statement_and_a_reviewer_publishes_its_verdict(
    browser: Browser, served: tuple[Site, str]
) -> None:
    site, base = served
    editor = browser.new_context().new_page()
    sign_in(editor, base, "eve")
    editor.get_by_role("link", name="Edit").click()
    form = editor.locator("form[action='/edit/statement']")
    form.get_by_label("Id (lowercase").fill("ru-browser-test-2026-11-25")
    form.get_by_label("Kind", exact=True).select_option("assertion")
    form.get_by_label("Actor id (who said it)").fill("ru")
    form.get_by_label("Date (YYYY").fill("2026-11-25")
    form.get_by_label("Language of the quote").fill("en")
    form.get_by_label("The quote, exactly as said").fill("Nobody attacked anyone.")
    form.get_by_label("Source ids (comma").fill("pdfslide-budapest-memorandum")
    form.get_by_role("button", name="Add the statement").click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Assertion by")
    expect(editor.locator("blockquote")).to_have_text("Nobody attacked anyone.")

    editor.goto(f"{base}/edit")
    verdict_form = editor.locator("form[action='/edit/verdict']")
    verdict_form.get_by_label("Id of the assessment").fill("a-ru-browser-test-2026")
    verdict_form.get_by_label("Statement id").fill("ru-browser-test-2026-11-25")
    verdict_form.get_by_label("Verdict").select_option("false")
    verdict_form.get_by_label("As of").fill("2026-11-25")
    verdict_form.get_by_label("Rationale").fill("The record shows the invasions of 2014 and 2022.")
    verdict_form.get_by_label("Evidence").fill("crimea-incorporation-2014")
    verdict_form.get_by_label("Source ids").fill("pdfslide-budapest-memorandum")
    verdict_form.get_by_role("button", name="Send for review").click()
    expect(editor.get_by_role("status")).to_contain_text("sent for review")
    expect(editor.get_by_role("button", name="Publish")).to_have_count(0)

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, base, "rita")
    reviewer.get_by_role("link", name="Review").click()
    reviewer.get_by_label("Note").first.fill("Checked against the events.")
    reviewer.get_by_role("button", name="Publish").first.click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Assertion by")
    expect(reviewer.locator(".verdict-false").first).to_be_visible()
    entries = httpx.get(f"{base}/assessments/a-ru-browser-test-2026.json").json()["entries"]
    assert [e["author"] for e in entries] == ["eve"] and "rita" in entries[0]["reason"]
    assert site.log_size() > 0


def test_a_reader_cannot_write(browser: Browser, served: tuple[Site, str]) -> None:
    _site, base = served
    page = browser.new_page()
    page.goto(f"{base}/actors/ru")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    page.goto(f"{base}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    status = page.evaluate(
        """async () => (await fetch('/api/records', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({record: {type: 'source', id: 'x', title: 'x'}})})).status"""
    )
    assert status == 401
    page.close()


def _payloads() -> list[str]:
    lines = (FIXTURES / "xss-payloads.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _hostile_records(payloads: list[str]) -> list[dict[str, Any]]:
    """Records whose every free-text field holds payloads (ids must be slugs, so they stay plain)."""
    joined = " ".join(payloads)
    return [
        {
            "type": "source",
            "id": "xss-source",
            "title": joined,
            "publisher": joined,
            "partisan": joined,
            "original": joined,
            "url": "https://example.org/x?q=%3Cscript%3E",
        },
        {
            "type": "actor",
            "id": "xss-actor",
            "kind": "person",
            "name": joined,
            "description": joined,
            "names": {"ru": joined},
            "relations": [{"type": "speaks_for", "target": "ru", "title": joined}],
        },
        {
            "type": "statement",
            "id": "xss-statement",
            "kind": "commitment",
            "actor": "xss-actor",
            "date": "2026-11-20",
            "language": "ru",
            "text": joined,
            "text_en": joined,
            "summary": joined,
            "locator": joined,
            "sources": ["xss-source"],
            "topics": ["xss"],
            "commitment": {
                "obligation": joined,
                "strength": "remark",
                "conditions": joined,
                "kept_if": joined,
            },
        },
        {
            "type": "event",
            "id": "xss-event",
            "title": joined,
            "kind": "attack",
            "date": "2026-11-21",
            "place": joined,
            "summary": joined,
            "sources": ["xss-source"],
            "responsible": [{"actor": "xss-actor", "role": joined, "notes": joined}],
        },
        {
            "type": "agreement",
            "id": "xss-agreement",
            "title": joined,
            "kind": "ceasefire",
            "parties": ["xss-actor"],
            "summary": joined,
            "place": joined,
            "provisions": ["xss-statement"],
            "sources": ["xss-source"],
            "status_history": [{"status": "signed", "date": "2026-11-21", "note": joined}],
        },
    ]


def test_script_injection_stored_in_every_text_field_never_runs(
    browser: Browser, served: tuple[Site, str]
) -> None:
    site, base = served
    payloads = _payloads()
    headers = site.as_user("eve")
    for record in _hostile_records(payloads):
        response = httpx.post(f"{base}/api/records", json={"record": record}, headers=headers)
        assert response.status_code == 201, response.text
    assessment = {
        "id": "xss-assessment",
        "statement": "xss-statement",
        "verdict": "broken",
        "as_of": "2026-11-22",
        "rationale": " ".join(payloads),
        "evidence": ["xss-event"],
        "sources": ["xss-source"],
    }
    draft = httpx.post(f"{base}/api/drafts", json={"assessment": assessment}, headers=headers)
    assert draft.status_code == 201, draft.text

    # bypass_csp: the test proves the escaping itself, not only that the browser's policy would catch a slip.
    context = browser.new_context(bypass_csp=True)
    dialogs: list[str] = []
    context.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page = context.new_page()
    sign_in(page, base, "rita")
    paths = [
        "/",
        "/actors/xss-actor",
        "/actors/ru",
        "/statements/xss-statement",
        "/events/xss-event",
        "/agreements/xss-agreement",
        "/sources/xss-source",
        "/review",
        "/search?q=script&actor=xss-actor",
        "/search?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
        "/actors/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]
    page.goto(f"{base}/review")
    page.get_by_label("Note").first.fill(" ".join(payloads[:5]))
    page.get_by_role("button", name="Publish").first.click()
    paths.append("/assessments/xss-assessment")
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("load")
        for link in page.locator("a[href^='javascript:']").all():
            raise AssertionError(f"{path}: a javascript: link was rendered: {link.get_attribute('href')}")
        injected = page.evaluate(
            """() => ({
                flag: window.__xss ?? null,
                handlers: document.querySelectorAll(
                    '[onerror],[onload],[onfocus],[ontoggle],[onmouseover]').length,
                scripts: document.querySelectorAll(
                    'script, iframe, object, embed, base, meta[http-equiv]').length,
            })"""
        )
        assert injected == {"flag": None, "handlers": 0, "scripts": 0}, (path, injected)
        if path.startswith(("/actors/xss", "/statements/xss", "/events/xss", "/agreements/xss")):
            assert "<script>window.__xss=1</script>" in page.inner_text("main"), path
    assert dialogs == []
    context.close()


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.type !== 'submit')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id)"""

LANDMARKS = """() => ({
    banner: document.querySelectorAll('header[role=banner]').length,
    main: document.querySelectorAll('main').length,
    nav: document.querySelectorAll('nav[aria-label]').length >= 1,
    h1: document.querySelectorAll('h1').length,
    unnamed_images: [...document.querySelectorAll('svg[role=img], img')]
        .filter(el => !el.getAttribute('aria-labelledby') && !el.getAttribute('alt')).length,
})"""


def test_every_page_has_landmarks_one_heading_and_labelled_fields(
    browser: Browser, served: tuple[Site, str]
) -> None:
    _site, base = served
    page = browser.new_context().new_page()
    sign_in(page, base, "ada")
    for path in (
        "/",
        "/actors",
        "/actors/ru",
        "/statements/ru-budapest-assurances-1994",
        "/agreements/budapest-memorandum-1994",
        "/events/crimea-incorporation-2014",
        "/search?q=ceasefire",
        "/institutions",
        "/log",
        "/edit",
        "/review",
    ):
        page.goto(base + path)
        assert page.evaluate(UNLABELLED) == [], path
        found = page.evaluate(LANDMARKS)
        assert found == {"banner": 1, "main": 1, "nav": True, "h1": 1, "unnamed_images": 0}, (path, found)
    page.close()
