"""Assessing a proposed agreement on the web: the form, its report, the report as a file, and the JSON API.

The same function as ``servanda assess`` (``assess_proposal``) reads the record and writes nothing to it, so
no account is needed and the forms carry no CSRF token: a forged request can make the server compute, but it
cannot change the record or act as anyone.

Routes:

- ``GET /assess``: what the assessment does, and a form prefilled with an example proposal
  (``?example=ceasefire-ru-guaranteed`` picks the other one); ``GET /assess.json`` is its JSON twin;
- ``POST /assess``: the report; a proposal with problems comes back in the form with every problem named by
  line and field (422);
- ``POST /assess/report.md|.html|.json``: the same report as a file to keep;
- ``POST /api/assess``: the report's data as JSON, from YAML text or from the proposal as a JSON object.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from servanda.errors import BundleError, InvalidInput, NotFound, Problem
from servanda.record.proposals import (
    ASSUMPTIONS,
    AssessmentReport,
    assess_proposal,
    parse_proposal,
    proposal_from_data,
)
from servanda.render import assessment as report_files

from .auth import identify
from .reads import context_of
from .rendering import JSON, json_bytes

router = APIRouter()

EXAMPLES_DIR = Path(__file__).parent / "examples"
"""Copies of data/examples/*.yaml shipped inside the package, so that an installed servanda has them (a test
checks that they equal the originals)."""
EXAMPLES = {
    "ceasefire-ru": "a ceasefire with Russia, no guarantor named",
    "ceasefire-ru-guaranteed": "the same ceasefire with a third-party guarantor",
}
DEFAULT_EXAMPLE = "ceasefire-ru"
MAX_PROPOSAL = 100_000
"""Characters of proposal text accepted: the examples are about 2,500; a proposal of many terms is still far
below this, and the bound keeps one request from tying up the server."""
PROPOSAL_NAME = "proposal"
"""The name problems are reported under (the CLI names the file; here there is only the text sent)."""

# matplotlib is not thread-safe, and ``charts`` sets its global rcParams for the duration of a drawing;
# requests run in a thread pool, so one chart is drawn at a time.
_CHART_LOCK = threading.Lock()


def example_text(name: str) -> str:
    if name not in EXAMPLES:
        raise NotFound(f"no example proposal named {name!r}; the examples are {', '.join(EXAMPLES)}")
    return (EXAMPLES_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def _check_size(text: str) -> None:
    if len(text) > MAX_PROPOSAL:
        raise InvalidInput(
            f"the proposal is {len(text):,} characters long; the limit is {MAX_PROPOSAL:,}. "
            "A proposal needs only its terms and the analyst's numbers"
        )


def _assess_text(request: Request, text: str) -> AssessmentReport:
    """The report on the proposal in ``text``; InvalidInput (a BundleError naming line and field) if not."""
    _check_size(text)
    if not text.strip():
        raise InvalidInput("the proposal is empty: paste or write one in YAML (the example shows the format)")
    located = parse_proposal(text, PROPOSAL_NAME)
    return assess_proposal(context_of(request).handle, located)


def _problems(exc: InvalidInput) -> list[Problem]:
    if isinstance(exc, BundleError) and exc.problems:
        return exc.problems
    return [Problem(str(exc))]


def _chart_images(report: AssessmentReport) -> dict[str, str]:
    """The report's charts as ``data:`` URLs for ``<img>``, not as inline SVG in the page.

    Why: matplotlib styles every element with a ``style`` attribute (and a ``<style>`` element), which the
    site's Content-Security-Policy (``style-src 'self'``) forbids in the page, so inline SVG would be drawn
    without its fills. An SVG shown as an image keeps its own styles, never runs script, and cannot inject
    markup into the page whatever text it holds; ``img-src 'self' data:`` allows it. (The text in the SVG is
    XML-escaped by matplotlib as well, and drawn as glyph paths; the tests check both.)
    """
    with _CHART_LOCK:
        svgs = report_files.charts(report)
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        for name, svg in svgs.items()
    }


def _form_page(
    request: Request, text: str, problems: list[Problem] | None = None, example: str | None = None
) -> Response:
    data = {
        "text": text,
        "problems": problems or [],
        "example": example,
        "examples": EXAMPLES,
        "assumptions": ASSUMPTIONS,
        "max_length": MAX_PROPOSAL,
    }
    return context_of(request).render(request, "assess.html", data, 422 if problems else 200)


@router.get("/assess", include_in_schema=False, dependencies=[Depends(identify)])
def assess_page(
    request: Request, example: Annotated[str, Query(max_length=100)] = DEFAULT_EXAMPLE
) -> Response:
    return _form_page(request, example_text(example), example=example)


@router.get("/assess.json", tags=["assess"], summary="The assessment form's data: an example proposal")
def assess_page_json(
    example: Annotated[str, Query(max_length=100, description="Which example proposal.")] = DEFAULT_EXAMPLE,
) -> Response:
    return JSON(
        {
            "example": example,
            "proposal": example_text(example),
            "examples": EXAMPLES,
            "assumptions": list(ASSUMPTIONS),
            "max_length": MAX_PROPOSAL,
            "api": "POST /api/assess with {'yaml': TEXT} or {'proposal': OBJECT}",
        }
    )


ProposalField = Annotated[str, Form(description="The proposal, in YAML (the format of docs/assessment.md).")]


@router.post("/assess", include_in_schema=False, dependencies=[Depends(identify)])
def assess_form(request: Request, proposal: ProposalField = "") -> Response:
    try:
        report = _assess_text(request, proposal)
    except InvalidInput as exc:
        return _form_page(request, proposal, _problems(exc))
    data = {
        "text": proposal,
        "r": report,
        "e": report.evaluation,
        "p": report.proposal,
        "charts": _chart_images(report),
        "max_length": MAX_PROPOSAL,
    }
    return context_of(request).render(request, "assess_report.html", data)


ReportFormat = Literal["md", "html", "json"]
_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
# The downloaded HTML report is the standalone one of ``servanda assess --report``: it carries its own
# <style> (so it reads well offline), which our page policy forbids. It is sent as an attachment, and should
# a browser show it anyway, this policy lets it style itself and show its charts but run nothing and load
# nothing (its text is autoescaped, and it holds no script).
_REPORT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.post("/assess/report.{fmt}", include_in_schema=False, dependencies=[Depends(identify)])
def assess_download(
    request: Request, fmt: Annotated[ReportFormat, PathParam()], proposal: ProposalField = ""
) -> Response:
    """The report as a file to keep: Markdown or standalone HTML (with the charts), or the JSON data."""
    try:
        report = _assess_text(request, proposal)
    except InvalidInput as exc:
        return _form_page(request, proposal, _problems(exc))
    if fmt == "json":
        body = json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    else:
        with _CHART_LOCK:
            body = report_files.render(report, f"report.{fmt}").encode("utf-8")
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(report)}.{fmt}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = _REPORT_POLICY
    return Response(body, media_type=_TYPES[fmt], headers=headers)


def _file_name(report: AssessmentReport) -> str:
    # ASCII letters, digits and hyphens only: the name goes into a header, and the title is user text
    title = re.sub(r"[^a-z0-9]+", "-", report.proposal.title.lower()).strip("-")[:60].strip("-")
    return f"assessment-{title or report.proposal.counterpart}"


# --- JSON API -----------------------------------------------------------------------------------------------


class AssessRequest(BaseModel):
    """A proposal to assess: either its YAML text, or the same fields as a JSON object (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    yaml: str | None = Field(
        None,
        max_length=MAX_PROPOSAL,
        description="The proposal as YAML text (the format of docs/assessment.md); problems name its lines.",
        examples=["title: Ceasefire\ncounterpart: ru\nterms:\n  counterpart:\n    - id: hold-fire\n  ..."],
    )
    proposal: dict[str, Any] | None = Field(
        None,
        description="The proposal's fields as a JSON object (title, counterpart, terms, alternative, ...); "
        "problems name the field.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> AssessRequest:
        if (self.yaml is None) == (self.proposal is None):
            raise ValueError("send exactly one of 'yaml' (the proposal's text) or 'proposal' (its fields)")
        return self


@router.post(
    "/api/assess",
    tags=["assess"],
    summary="Assess a proposed agreement against the record",
    description=(
        "The same assessment as `servanda assess --json`: the verdict first, its reasons, every number "
        "(each counterpart term's probability of being kept, from the record, with its 90% interval; "
        "expected value, break-even and the guarantee needed; Fearon's bargaining range; Powell's commitment "
        "test; the sensitivity of the verdict to every input), the record entries behind the estimates, the "
        "survival of the record's agreements, and the assumptions. Nothing is written to the record; no "
        "account is needed. A proposal with problems is refused (422) with every problem in `problems`, "
        "each naming its field (and, for YAML, its line)."
    ),
    response_class=JSON,
)
def api_assess(request: Request, body: AssessRequest) -> Response:
    try:
        if body.yaml is not None:
            report = _assess_text(request, body.yaml)
        else:
            assert body.proposal is not None
            _check_size(json_bytes(body.proposal).decode("utf-8"))
            located = proposal_from_data(body.proposal, PROPOSAL_NAME)
            report = assess_proposal(context_of(request).handle, located)
    except InvalidInput as exc:
        problems = [
            {"message": p.message, "line": p.line, "field": p.field, "text": str(p)} for p in _problems(exc)
        ]
        return JSON({"error": "Invalid input", "detail": str(exc), "problems": problems}, status_code=422)
    return JSON(report.to_dict())
