"""Reading the record on the web: every page, its .json twin, proofs that verify, and clear errors."""

from __future__ import annotations

import base64
import json
import re

import pytest

from servanda.ledger.merkle import verify_inclusion
from servanda.ledger.note import Verifier, open_note, parse_checkpoint
from servanda.record.checkpoints import load_signer

from .conftest import Site

STATEMENT = "ru-budapest-assurances-1994"


def test_home_shows_the_overview_latest_entries_and_checkpoint(site: Site) -> None:
    page = site.client.get("/")
    assert page.status_code == 200
    assert "Latest signed checkpoint" in page.text and "Latest entries" in page.text
    twin = site.client.get("/index.json").json()
    assert twin["overview"]["records"]["statement"] > 50
    assert twin["latest_checkpoint"]["size"] == twin["overview"]["log_size"]
    assert len(twin["latest_entries"]) == 15
    assert twin["latest_entries"][0]["seq"] == twin["overview"]["log_size"] - 1


def test_actor_page_and_its_twin_say_the_same(site: Site) -> None:
    page = site.client.get("/actors/ru")
    twin = site.client.get("/actors/ru.json").json()
    assert page.status_code == 200
    assert twin["actor"]["name"] == "Russian Federation"
    assert "<h1>Russian Federation" in page.text
    estimate = twin["credibility"]["estimate"]
    assert 0 < estimate["low"] < estimate["mean"] < estimate["high"] < 1
    assert f"{estimate['mean'] * 100:.0f}%" in page.text
    assert len(twin["credibility"]["history"]) > 1 and "<svg" in page.text
    assert twin["statements"]["total"] >= len(twin["statements"]["rows"]) > 0
    for row in twin["statements"]["rows"]:
        assert f'href="/statements/{row["id"]}"' in page.text
    assert [w["ago"] for w in twin["recall"]] == ["1w", "1m", "1y"]
    assert twin["contradictions"], "the starter record holds broken Russian commitments"
    broken = twin["contradictions"][0]
    assert broken["verdict"] in ("broken", "false", "retracted") and broken["history"]
    assert any(s["actor"] == "putin" for s in twin["spoken_for_by"])


def test_actor_timeline_pages(site: Site) -> None:
    first = site.client.get("/actors/ru.json?page=1").json()["statements"]
    assert first["page"] == 1
    assert site.client.get("/actors/ru.json?page=0").status_code == 422
    beyond = site.client.get(f"/actors/ru.json?page={first['pages'] + 1}").json()["statements"]
    assert beyond["rows"] == []


def test_statement_page_shows_quote_sources_verdicts_and_entries(site: Site) -> None:
    twin = site.client.get(f"/statements/{STATEMENT}.json").json()
    page = site.client.get(f"/statements/{STATEMENT}")
    assert page.status_code == 200
    assert twin["statement"]["id"] == STATEMENT
    assert twin["verdict"]["verdict"] == "broken"
    assert twin["verdict_history"] and twin["verdict_history"][0]["rationale"]
    assert twin["sources"] and all("title" in s for s in twin["sources"])
    assert twin["entries"] and twin["entries"][0]["in_checkpoint"]
    assert "Verdict history" in page.text and "inclusion proof" in page.text


def test_a_downloaded_proof_verifies_against_the_signed_checkpoint(site: Site) -> None:
    twin = site.client.get(f"/statements/{STATEMENT}.json").json()
    seq = twin["entries"][-1]["seq"]
    response = site.client.get(f"/records/{STATEMENT}/proof/{seq}.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    proof = response.json()
    verifier = Verifier.from_key(load_signer(site.handle.settings.key_path).verifier_key())
    checkpoint = parse_checkpoint(open_note(proof["checkpoint"], [verifier]).text)
    assert checkpoint.size == proof["tree_size"]
    leaf = base64.b64decode(proof["leaf_hash"])
    path = [base64.b64decode(h) for h in proof["proof"]]
    verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path, checkpoint.root)
    assert json.loads(proof["entry"])["body"]["record"]["id"] == STATEMENT


def test_a_proof_for_an_entry_of_another_record_is_refused(site: Site) -> None:
    response = site.client.get(f"/records/{STATEMENT}/proof/0.json")
    assert response.status_code == 404
    assert "did not set" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/agreements/budapest-memorandum-1994", "Budapest"),
        ("/events/crimea-incorporation-2014", "Crimea"),
        ("/assessments/a-ru-budapest-assurances-1994-2014", "broken"),
        ("/sources/pdfslide-budapest-memorandum", "Budapest"),
        ("/actors", "Russian Federation"),
        ("/institutions", "Institutions"),
        ("/log", "Verifier key"),
        ("/search?q=ceasefire", "ceasefire"),
    ],
)
def test_every_page_and_its_twin_render(site: Site, path: str, needle: str) -> None:
    page = site.client.get(path)
    assert page.status_code == 200, page.text
    assert needle.lower() in page.text.lower()
    base, _, query = path.partition("?")
    twin = site.client.get(f"{base}.json" + (f"?{query}" if query else ""))
    assert twin.status_code == 200 and twin.headers["content-type"].startswith("application/json")


def test_agreement_twin_lists_parties_and_provisions(site: Site) -> None:
    twin = site.client.get("/agreements/budapest-memorandum-1994.json").json()
    assert "ru" in twin["agreement"]["parties"] and twin["names"]["ru"] == "Russian Federation"
    assert isinstance(twin["provisions"], list)


def test_any_id_redirects_to_the_page_of_its_type(site: Site) -> None:
    response = site.client.get(f"/records/{STATEMENT}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/statements/{STATEMENT}"
    assert site.client.get(f"/records/{STATEMENT}.json").json()["type"] == "statement"


def test_search_filters_and_window(site: Site) -> None:
    found = site.client.get("/search.json", params={"q": "ceasefire", "actor": "ru"}).json()
    assert found["asked"] and found["hits"]
    assert all(hit["id"] for hit in found["hits"])
    window = site.client.get("/search.json", params={"actor": "ru", "since": "2014", "until": "2014"}).json()
    assert window["hits"] and all(hit["date"].startswith("2014") for hit in window["hits"])
    nothing = site.client.get("/search.json").json()
    assert nothing == {**nothing, "asked": False, "hits": []}


def test_unknown_ids_and_bad_input_get_clear_errors(site: Site) -> None:
    html = site.client.get("/actors/nobody")
    assert html.status_code == 404 and "nothing in the record has the id &#39;nobody&#39;" in html.text
    twin = site.client.get("/actors/nobody.json")
    assert twin.status_code == 404 and twin.json()["detail"] == "nothing in the record has the id 'nobody'"
    wrong_type = site.client.get(f"/actors/{STATEMENT}.json")
    assert wrong_type.status_code == 404 and "not an actor" in wrong_type.json()["detail"]
    bad = site.client.get("/search.json", params={"since": "yesterday-ish"})
    assert bad.status_code == 422 and "since" in bad.json()["detail"]


def test_pages_carry_security_headers_and_accessible_landmarks(site: Site) -> None:
    page = site.client.get("/actors/ru")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    for landmark in (
        '<header class="site" role="banner">',
        '<nav aria-label="Main">',
        '<main id="main"',
        "<footer",
    ):
        assert landmark in page.text
    assert re.search(r'<html lang="en">', page.text)
    assert '<meta name="viewport"' in page.text


def test_openapi_describes_every_json_read_and_write(site: Site) -> None:
    spec = site.client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    for expected in (
        "/actors/{actor_id}.json",
        "/statements/{statement_id}.json",
        "/agreements/{agreement_id}.json",
        "/search.json",
        "/log.json",
        "/api/records",
        "/api/drafts",
        "/api/drafts/{draft_id}/publish",
        "/api/captures",
    ):
        assert expected in paths
    assert not any(path in paths for path in ("/", "/actors/{actor_id}", "/login"))


def test_an_event_shows_who_was_found_responsible_by_whom_and_each_figure(site: Site) -> None:
    twin = site.client.get("/events/bucha-occupation-killings-2022.json").json()
    page = site.client.get("/events/bucha-occupation-killings-2022")
    assert page.status_code == 200
    finding = twin["event"]["responsible"][0]
    assert finding["found_by"] and twin["names"][finding["actor"]]
    assert "Who was found responsible, and by whom" in page.text
    assert f'href="/actors/{finding["found_by"][0]}"' in page.text
    for figure in twin["event"].get("figures", []):
        assert figure["value"] in page.text
