"""Assessing a proposal on the web: the form, the report, its downloads and ``POST /api/assess``, against the
same function the command line calls, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from servanda.plots import tornado_svg
from servanda.record.proposals import AssessmentReport, assess_proposal, parse_proposal
from servanda.web.assess import EXAMPLES, EXAMPLES_DIR, MAX_PROPOSAL

from .conftest import ROOT, Site

EXAMPLE = (ROOT / "data" / "examples" / "ceasefire-ru.yaml").read_text(encoding="utf-8")
GUARANTEED = (ROOT / "data" / "examples" / "ceasefire-ru-guaranteed.yaml").read_text(encoding="utf-8")
EVIL = "<script>alert(1)</script>"


def direct(site: Site, text: str) -> AssessmentReport:
    return assess_proposal(site.handle, parse_proposal(text, "proposal"))


def main_of(page: str) -> str:
    found = re.search(r'<main id="main"[^>]*>(.*)</main>', page, re.S)
    assert found, "the page has no <main>"
    return found.group(1)


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="proposal"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, "the page has no proposal field"
    return html.unescape(found.group(1))


def text_of(fragment: str, between: str = " ") -> str:
    """The text a reader sees; ``between`` stands for each tag (a space between table cells, none inline)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", between, fragment)).split())


def as_json(report: AssessmentReport) -> Any:
    return json.loads(json.dumps(report.to_dict()))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_shipped_examples_are_the_ones_in_data_examples(name: str) -> None:
    # the package carries copies so that an installed servanda has them; they must never drift apart
    shipped = (EXAMPLES_DIR / f"{name}.yaml").read_bytes()
    assert shipped == (ROOT / "data" / "examples" / f"{name}.yaml").read_bytes()
    assert sorted(p.stem for p in Path(EXAMPLES_DIR).glob("*.yaml")) == sorted(EXAMPLES)


def test_the_form_explains_and_is_prefilled_with_the_example(site: Site) -> None:
    response = site.client.get("/assess")
    assert response.status_code == 200
    page = response.text
    assert textarea(page) == EXAMPLE
    assert '<label for="proposal">' in page
    assert 'href="#assumptions"' in page and 'id="assumptions"' in page
    assert "judgements, not facts" in page
    assert "No account is needed" in page
    other = site.client.get("/assess", params={"example": "ceasefire-ru-guaranteed"})
    assert other.status_code == 200 and textarea(other.text) == GUARANTEED
    missing = site.client.get("/assess", params={"example": "nope"})
    assert missing.status_code == 404 and "ceasefire-ru-guaranteed" in missing.text


def test_the_json_twin_of_the_form(site: Site) -> None:
    data = site.client.get("/assess.json", params={"example": "ceasefire-ru-guaranteed"}).json()
    assert data["proposal"] == GUARANTEED
    assert set(data["examples"]) == set(EXAMPLES)
    assert len(data["assumptions"]) >= 5


def test_the_report_puts_the_verdict_first_with_the_function_s_numbers(site: Site) -> None:
    before = site.log_size()
    response = site.client.post("/assess", data={"proposal": EXAMPLE})
    assert response.status_code == 200, response.text
    report = direct(site, EXAMPLE)
    e = report.evaluation
    main = main_of(response.text)
    # the first paragraph of the page is the verdict, in a status region, before any reason or table
    first = re.search(r"<p([^>]*)>(.*?)</p>", main, re.S)
    assert first is not None
    assert 'role="status"' in first.group(1)
    assert text_of(first.group(2)) == e.headline
    assert e.headline.startswith("Not worth entering without a guarantee enforcing at least")
    assert main.index(first.group(0)) < main.index("<h2>Reasons</h2>") < main.index("<table")
    text = text_of(main)
    for reason in e.reasons:
        assert reason in text
    for term in e.terms:
        assert f"{term.mean:.2f}" in text and f"{term.low:.2f}–{term.high:.2f}" in text
        assert f"{term.outcomes} ({term.effective_n:.1f} weighted)" in text
    assert e.required_enforcement is not None
    assert f"Smallest guarantee that makes it worth entering {e.required_enforcement:.3f}" in text
    assert f"Expected value of the agreement {e.expected_value:.3f}" in text
    assert e.break_even is not None and f"{e.break_even:.3f}" in text
    for row in e.sensitivity:
        assert f"{row.input} {row.low_setting:.3g} {row.high_setting:.3g} {row.net_at_low:+.3f}" in text
    for shift in e.commitment:
        assert f"{shift.guarantee:.3f}" in text
    for band in e.bargaining:
        assert f"{band.label} {band.low:.2f} {band.high:.2f}" in text
    for guarantee in report.guarantees:
        assert guarantee.statement in text
    for assumption in report.assumptions:
        assert assumption in text
    # the record behind the estimates, linked
    assert 'href="/actors/ru"' in main
    for evidence in report.evidence:
        for outcome in evidence.outcomes:
            assert f'href="/statements/{outcome.statement}"' in main
    assert report.evidence and any(t.outcomes for t in report.evidence)
    # accessible tables, and charts as images with a text alternative
    assert main.count("<table") == main.count("<caption>")
    assert main.count('<img src="data:image/svg+xml;base64,') == 3  # tornado, third parties, peacekeeping
    assert 'alt=""' not in main
    # the form comes back with the text, to change and assess again; nothing was written
    assert textarea(response.text) == EXAMPLE
    assert site.log_size() == before


def test_the_charts_are_svg_images_that_the_page_policy_cannot_break(site: Site) -> None:
    page = site.client.post("/assess", data={"proposal": GUARANTEED}).text
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2  # the tornado, and third parties (the only guarantee kind named)
    for image in images:
        svg = base64.b64decode(image).decode("utf-8")
        assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
        assert "<script" not in svg and "<foreignObject" not in svg


def test_a_signed_in_reader_assesses_without_a_csrf_token(site: Site) -> None:
    client = site.sign_in("red")
    response = client.post("/assess", data={"proposal": GUARANTEED})
    assert response.status_code == 200
    assert "Signed in as" in response.text


def _problem_page(site: Site, text: str) -> tuple[str, str]:
    before = site.log_size()
    response = site.client.post("/assess", data={"proposal": text})
    assert response.status_code == 422, response.text
    assert site.log_size() == before
    # the form comes back with exactly what was sent
    assert textarea(response.text) == text
    found = re.search(r'<ul id="problems" role="alert">(.*?)</ul>', response.text, re.S)
    assert found, "no list of problems"
    return response.text, text_of(found.group(1), between="")


def test_an_unknown_actor_is_named_by_line_and_field(site: Site) -> None:
    text = EXAMPLE.replace("counterpart: ru\n", "counterpart: nobody\n")
    line = text.splitlines().index("counterpart: nobody") + 1
    _page, problems = _problem_page(site, text)
    assert problems == (
        f"Line {line}, field counterpart: the record holds no actor 'nobody': add it first, or check the id"
    )


def test_a_term_kind_without_a_record_is_refused_not_invented(site: Site) -> None:
    text = EXAMPLE.replace("kind: humanitarian", "kind: trade")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "kind: trade" in row)
    _page, problems = _problem_page(site, text)
    assert problems.startswith(f"Line {line}, field terms.counterpart[1].kind: the record holds no assessed")
    assert "servanda does not invent a probability" in problems


def test_bad_yaml_and_bad_fields_name_their_lines(site: Site) -> None:
    _page, problems = _problem_page(site, "title: x\ncounterpart: [ru\n")
    assert problems.startswith("Line ")
    text = EXAMPLE.replace("alternative: {value: 0.0", "alternative: {value: 0.0, worth: 1")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("alternative:"))
    _page, problems = _problem_page(site, text)
    assert f"Line {line}, field alternative.worth: unknown field" in problems
    _page, problems = _problem_page(site, "   \n")
    assert "the proposal is empty" in problems
    # a control character is refused by the YAML reader before it has a position: still a line, not a 500
    api = site.client.post("/api/assess", json={"yaml": "title: a\nsummary: b\u001bc\n"})
    assert api.status_code == 422
    assert api.json()["problems"][0]["line"] == 2
    assert "character 0x001b is not allowed" in api.json()["detail"]


def test_an_oversized_proposal_is_refused(site: Site) -> None:
    text = EXAMPLE + "#" * (MAX_PROPOSAL - len(EXAMPLE) + 1) + "\n"
    _page, problems = _problem_page(site, text)
    assert f"the limit is {MAX_PROPOSAL:,}" in problems
    api = site.client.post("/api/assess", json={"yaml": text})
    assert api.status_code == 422 and api.json()["error"] == "Invalid input"


def test_user_text_is_escaped_everywhere(site: Site) -> None:
    data = yaml.safe_load(GUARANTEED)
    data["title"] = f"Title {EVIL}"
    data["summary"] = f"Summary {EVIL}"
    data["inputs_note"] = f"Note {EVIL}"
    data["terms"]["counterpart"][0]["text"] = f"Term {EVIL}"
    data["terms"]["own"][0]["text"] = f"Own {EVIL}"
    data["guarantors"][0]["note"] = f"Guarantor {EVIL}"
    data["commitment_problem"]["period"] = f"year {EVIL}"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    response = site.client.post("/assess", data={"proposal": text})
    assert response.status_code == 200, response.text
    page = response.text
    assert "<script" not in page.lower()
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7
    for image in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page):
        assert "<script" not in base64.b64decode(image).decode("utf-8")
    # the problem page and the downloads too
    bad = text.replace("counterpart: ru", f"counterpart: ru{EVIL}")
    problem = site.client.post("/assess", data={"proposal": bad})
    assert problem.status_code == 422 and "<script" not in problem.text.lower()
    assert "&lt;script&gt;" in problem.text
    download = site.client.post("/assess/report.html", data={"proposal": text})
    assert download.status_code == 200 and "<script" not in download.text.lower()


def test_matplotlib_escapes_the_text_it_writes_into_svg() -> None:
    # the charts hold only slugs and servanda's own labels today; this guards the day one carries user text
    svg = tornado_svg([(f"label {EVIL} & -->", -1.0, 1.0)], 0.0, f"about {EVIL}")
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_the_report_downloads(site: Site, fmt: str) -> None:
    response = site.client.post(f"/assess/report.{fmt}", data={"proposal": EXAMPLE})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="assessment-ceasefire-along-the-line-of-contact-illustrative.{fmt}"'
    )
    report = direct(site, EXAMPLE)
    if fmt == "json":
        assert response.json() == as_json(report)
        return
    assert report.evaluation.headline in response.text
    assert response.text.count("<svg") == 3
    if fmt == "html":
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        # it styles itself, so it gets its own policy: no script, nothing loaded, sandboxed
        assert response.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
        assert "<script" not in response.text
    else:
        assert response.headers["content-type"] == "text/markdown; charset=utf-8"


def test_a_download_with_problems_returns_the_form(site: Site) -> None:
    text = EXAMPLE.replace("counterpart: ru\n", "counterpart: nobody\n")
    response = site.client.post("/assess/report.md", data={"proposal": text})
    assert response.status_code == 422
    assert "content-disposition" not in response.headers
    assert textarea(response.text) == text


def test_the_api_gives_the_function_s_report_from_yaml_or_fields(site: Site) -> None:
    before = site.log_size()
    expected = as_json(direct(site, GUARANTEED))
    from_yaml = site.client.post("/api/assess", json={"yaml": GUARANTEED})
    assert from_yaml.status_code == 200
    assert from_yaml.json() == expected
    from_fields = site.client.post("/api/assess", json={"proposal": yaml.safe_load(GUARANTEED)})
    assert from_fields.status_code == 200
    data = from_fields.json()
    assert data["verdict"] == expected["verdict"]
    assert data["numbers"] == expected["numbers"]
    assert data["evidence"] == expected["evidence"]
    assert data["agreements"] == expected["agreements"]
    assert data["verdict"].startswith("Worth entering only with the guarantee")
    assert site.log_size() == before


def test_the_api_names_every_problem(site: Site) -> None:
    fields = yaml.safe_load(EXAMPLE)
    fields["counterpart"] = "nobody"
    fields["assessor"] = "nobody-else"
    response = site.client.post("/api/assess", json={"proposal": fields})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Invalid input"
    assert body["detail"].startswith("proposal [counterpart]: the record holds no actor 'nobody'")
    assert [(p["field"], p["line"]) for p in body["problems"]] == [("counterpart", None), ("assessor", None)]
    text = EXAMPLE.replace("counterpart: ru\n", "counterpart: nobody\n")
    line = text.splitlines().index("counterpart: nobody") + 1
    response = site.client.post("/api/assess", json={"yaml": text})
    assert response.status_code == 422
    assert [(p["field"], p["line"]) for p in response.json()["problems"]] == [("counterpart", line)]
    fields = yaml.safe_load(EXAMPLE)
    fields["terms"]["counterpart"][0]["strength"] = "pinky_swear"
    problems = site.client.post("/api/assess", json={"proposal": fields}).json()["problems"]
    assert [p["field"] for p in problems] == ["terms.counterpart[0].strength"]


@pytest.mark.parametrize(
    "body",
    [{}, {"yaml": EXAMPLE, "proposal": {}}, {"yaml": EXAMPLE, "other": 1}, {"proposal": "title: x"}],
)
def test_the_api_wants_exactly_one_of_yaml_or_proposal(site: Site, body: dict[str, Any]) -> None:
    response = site.client.post("/api/assess", json=body)
    assert response.status_code == 422
    assert set(response.json()) >= {"error", "detail"}


def test_the_api_is_described(site: Site) -> None:
    spec = site.client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/assess"]["post"]
    assert operation["tags"] == ["assess"]
    assert "Nothing is written to the record" in operation["description"]
    assert "/assess" not in spec["paths"]  # the HTML form is not part of the API
