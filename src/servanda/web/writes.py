"""Changing the record from the web: the JSON API and the editors' and reviewers' forms.

Every write goes through ``RecordService`` (or ``VerdictDrafts``, which writes through it), exactly as the
command line does, and is attributed in the log to the account that made it. A verdict is never written
directly: an editor proposes it, and a reviewer other than its author publishes it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from servanda.accounts.drafts import VerdictDraft, VerdictDrafts
from servanda.accounts.model import Account
from servanda.accounts.roles import require_review, require_write
from servanda.domain.records import RECORD_TYPES, Assessment, Record
from servanda.errors import InvalidInput, NotFound
from servanda.record.bundles import validate_record
from servanda.record.capture import capture_file, capture_path
from servanda.record.queries import get_record
from servanda.record.service import ApplyResult

from .auth import Identified, check_csrf, identify, signed_in
from .reads import context_of
from .rendering import JSON, url_for_record

api = APIRouter(prefix="/api", tags=["write"], dependencies=[Depends(identify)])
forms = APIRouter(include_in_schema=False, dependencies=[Depends(identify)])
files = APIRouter(tags=["read"])

# Bounded so that no number a client sends overflows a database integer (a 500 instead of a 404).
DraftId = Annotated[int, PathParam(ge=1, le=2**53, description="The draft's number.")]
MAX_CAPTURE_BYTES = 200 * 1024 * 1024
MAX_TEXT = 200_000


# --- the shared steps ---------------------------------------------------------------------------------------


def parse_record(data: Any, where: str) -> Record:
    """A record from plain data that names its ``type``; verdicts are refused here (they go to review)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: a record is a mapping of fields, with its 'type'")
    fields = dict(data)
    record_type = fields.pop("type", None)
    if record_type not in RECORD_TYPES:
        known = ", ".join(sorted(RECORD_TYPES))
        raise InvalidInput(f"{where} [type]: say which kind of record this is ({known})")
    if record_type == "assessment":
        raise InvalidInput(
            f"{where} [type]: a verdict is proposed for review, not written directly "
            "(POST /api/drafts, or the 'Propose a verdict' form)"
        )
    return validate_record(RECORD_TYPES[record_type], fields, where)


def _assessment(data: Any, where: str) -> Assessment:
    record = validate_record(Assessment, data, where)
    assert isinstance(record, Assessment)
    return record


def write_record(request: Request, account: Account, record: Record, reason: str | None) -> ApplyResult:
    require_write(account)
    return context_of(request).service.put(record, account.author, reason=reason or None)


def drafts(request: Request) -> VerdictDrafts:
    return VerdictDrafts(context_of(request).service)


def draft_dict(draft: VerdictDraft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "status": draft.status.value,
        "author": draft.author,
        "created_at": draft.created_at,
        "reason": draft.reason,
        "reviewer": draft.reviewer,
        "decided_at": draft.decided_at,
        "note": draft.note,
        "seq": draft.seq,
        "assessment": draft.assessment.model_dump(mode="json", exclude_none=True),
    }


def applied(result: ApplyResult, record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "type": record.TYPE,
        "url": url_for_record(record.id, record.TYPE),
        "appended": result.appended,
        "unchanged": result.unchanged,
        "entries": [{"seq": e.seq, "author": e.author, "recorded_at": e.recorded_at} for e in result.entries],
    }


# --- JSON API -----------------------------------------------------------------------------------------------


class RecordWrite(BaseModel):
    record: dict[str, Any] = Field(
        description="The record's fields, with 'type' (actor, source, statement, agreement, event, capture). "
        "The same id again corrects the record; unchanged records append nothing.",
        examples=[
            {
                "type": "statement",
                "id": "ru-example-2026-11-25",
                "kind": "assertion",
                "actor": "ru",
                "date": "2026-11-25",
                "text": "…",
                "sources": ["a-source-id"],
            }
        ],
    )
    reason: str | None = Field(None, max_length=2000, description="Why, for a correction; kept in the log.")


class DraftWrite(BaseModel):
    assessment: dict[str, Any] = Field(description="An assessment's fields (statement, verdict, as_of, ...).")
    reason: str | None = Field(None, max_length=2000)


class Decision(BaseModel):
    note: str | None = Field(None, max_length=2000, description="For a rejection, say why (required).")


@api.get("/me", summary="The account the request is made as", tags=["accounts"])
def me(account: Identified) -> Response:
    who = signed_in(account)
    return JSON({"name": who.name, "role": who.role.value, "display_name": who.display_name})


@api.post("/records", summary="Add or correct a record (editor)", status_code=201)
def api_write_record(request: Request, body: RecordWrite, account: Identified) -> Response:
    who = signed_in(account)
    check_csrf(request, None)
    record = parse_record(body.record, "record")
    result = write_record(request, who, record, body.reason)
    return JSON(applied(result, record), status_code=201 if result.appended else 200)


@api.post("/drafts", summary="Propose a verdict for review (editor)", status_code=201)
def api_submit_draft(request: Request, body: DraftWrite, account: Identified) -> Response:
    who = signed_in(account)
    check_csrf(request, None)
    draft = drafts(request).submit(who, _assessment(body.assessment, "assessment"), body.reason)
    return JSON(draft_dict(draft), status_code=201)


@api.get("/drafts", summary="Verdicts waiting for review (reviewer)")
def api_pending(request: Request, account: Identified) -> Response:
    require_review(signed_in(account))
    return JSON({"drafts": [draft_dict(d) for d in drafts(request).pending()]})


@api.get("/drafts/{draft_id}", summary="One proposed verdict (editor)")
def api_draft(request: Request, draft_id: DraftId, account: Identified) -> Response:
    require_write(signed_in(account))
    return JSON(draft_dict(drafts(request).get(draft_id)))


@api.post("/drafts/{draft_id}/publish", summary="Publish a proposed verdict (a reviewer, not its author)")
def api_publish(request: Request, draft_id: DraftId, body: Decision, account: Identified) -> Response:
    who = signed_in(account)
    check_csrf(request, None)
    draft, result = drafts(request).publish(draft_id, who, body.note)
    return JSON({**draft_dict(draft), "entries": [{"seq": e.seq} for e in result.entries]})


@api.post("/drafts/{draft_id}/reject", summary="Turn down a proposed verdict, saying why (reviewer)")
def api_reject(request: Request, draft_id: DraftId, body: Decision, account: Identified) -> Response:
    who = signed_in(account)
    check_csrf(request, None)
    return JSON(draft_dict(drafts(request).reject(draft_id, who, body.note or "")))


@api.post(
    "/captures",
    summary="Capture a copy of a source's file (editor)",
    status_code=201,
    max_body_size=MAX_CAPTURE_BYTES + 1024 * 1024,  # the file and its multipart wrapping
)
def api_capture(
    request: Request,
    account: Identified,
    source: Annotated[str, Form(description="The id of the source the file is a copy of.")],
    file: Annotated[UploadFile, File(description="The file as retrieved (PDF, HTML, image, …).")],
) -> Response:
    who = signed_in(account)
    check_csrf(request, None)
    return JSON(capture_upload(request, who, source, file), status_code=201)


def capture_upload(request: Request, who: Account, source: str, file: UploadFile) -> dict[str, Any]:
    require_write(who)
    name = Path(file.filename or "upload").name or "upload"
    with tempfile.TemporaryDirectory(prefix="servanda-upload-") as folder:
        target = Path(folder) / name
        size = 0
        with target.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_CAPTURE_BYTES:
                    raise InvalidInput(f"file: larger than {MAX_CAPTURE_BYTES // (1024 * 1024)} MB")
                out.write(chunk)
        handle = context_of(request).handle
        result = capture_file(handle, target, source.strip(), who.author, media_type=file.content_type)
    return {
        "id": result.capture.id,
        "url": url_for_record(result.capture.id, "capture"),
        "sha256": result.capture.sha256,
        "size": result.capture.size,
        "duplicate": result.duplicate,
    }


# --- captured files -----------------------------------------------------------------------------------------


@files.get("/captures/{capture_id}/file", summary="The captured file itself")
def captured_file(request: Request, capture_id: str) -> Response:
    context = context_of(request)
    with context.read() as connection:
        record, _seq = get_record(connection, capture_id)
    if record.TYPE != "capture":
        raise NotFound(f"{capture_id!r} is a {record.TYPE}, not a capture")
    path = capture_path(context.settings.captures_dir, record.sha256)  # type: ignore[attr-defined]
    if not path.is_file():
        raise NotFound(
            f"the file of {capture_id} is not on this server (captures are kept in its home folder)"
        )
    # A captured web page may hold the very scripts it was captured for: never render it as ours.
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=record.filename or f"{record.sha256}",  # type: ignore[attr-defined]
        headers={"Content-Security-Policy": "sandbox; default-src 'none'"},
    )


# --- forms --------------------------------------------------------------------------------------------------


def _form_page(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    return context_of(request).render(request, template, data, status)


def _need_sign_in(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@forms.get("/edit")
def edit_page(request: Request, account: Identified) -> Response:
    if account is None:
        return _need_sign_in(request)
    require_write(account)
    return _form_page(request, "edit.html", {"error": None, "typed": {}, "form": None})


def listed_ids(text: str) -> list[str]:
    """Ids typed into one form field, separated by commas or new lines."""
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _statement_from_form(values: dict[str, str]) -> dict[str, Any]:
    def listed(name: str) -> list[str]:
        return listed_ids(values.get(name, ""))

    data: dict[str, Any] = {
        "id": values.get("id", "").strip(),
        "kind": values.get("kind", "").strip(),
        "actor": values.get("actor", "").strip(),
        "date": values.get("date", "").strip(),
        "text": values.get("text", ""),
        "language": values.get("language", "").strip() or "en",
        "sources": listed("sources"),
    }
    for optional in ("text_en", "summary", "locator", "on_behalf_of"):
        if values.get(optional, "").strip():
            data[optional] = values[optional].strip() if optional != "text_en" else values[optional]
    for many in ("counterparties", "topics"):
        if listed(many):
            data[many] = listed(many)
    if data["kind"] == "commitment":
        data["commitment"] = {
            "obligation": values.get("obligation", ""),
            "strength": values.get("strength", "").strip(),
        }
        if values.get("deadline", "").strip():
            data["commitment"]["deadline"] = values["deadline"].strip()
    return data


@forms.post("/edit/statement")
async def edit_statement(request: Request, account: Identified) -> Response:
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))
    try:
        record = parse_record({"type": "statement", **_statement_from_form(values)}, "statement form")
        write_record(request, who, record, values.get("reason"))
    except InvalidInput as exc:
        return _form_page(
            request, "edit.html", {"error": str(exc), "typed": values, "form": "statement"}, 422
        )
    return RedirectResponse(url_for_record(record.id, record.TYPE), status_code=303)


@forms.post("/edit/record")
async def edit_record(request: Request, account: Identified) -> Response:
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))
    text = values.get("document", "")
    try:
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"record: longer than {MAX_TEXT} characters")
        try:
            data = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"record:{mark.line + 1}" if mark else "record"
            raise InvalidInput(f"{where}: not valid YAML or JSON ({getattr(exc, 'problem', exc)})") from None
        record = parse_record(data, "record")
        write_record(request, who, record, values.get("reason"))
    except InvalidInput as exc:
        return _form_page(request, "edit.html", {"error": str(exc), "typed": values, "form": "record"}, 422)
    return RedirectResponse(url_for_record(record.id, record.TYPE), status_code=303)


@forms.post("/edit/verdict")
async def edit_verdict(request: Request, account: Identified) -> Response:
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))

    def listed(name: str) -> list[str]:
        return listed_ids(values.get(name, ""))

    data: dict[str, Any] = {
        "id": values.get("id", "").strip(),
        "statement": values.get("statement", "").strip(),
        "verdict": values.get("verdict", "").strip(),
        "as_of": values.get("as_of", "").strip(),
        "rationale": values.get("rationale", ""),
        "sources": listed("sources"),
        "author": who.name,
    }
    if listed("evidence"):
        data["evidence"] = listed("evidence")
    if values.get("supersedes", "").strip():
        data["supersedes"] = values["supersedes"].strip()
    try:
        drafts(request).submit(who, _assessment(data, "verdict form"), values.get("reason") or None)
    except InvalidInput as exc:
        return _form_page(request, "edit.html", {"error": str(exc), "typed": values, "form": "verdict"}, 422)
    return RedirectResponse("/review?submitted=1", status_code=303)


@forms.get("/review")
def review_page(request: Request, account: Identified, submitted: int = 0) -> Response:
    if account is None:
        return _need_sign_in(request)
    require_write(account)
    pending = drafts(request).pending()
    data = {
        "drafts": [draft_dict(d) for d in pending],
        "submitted": bool(submitted),
        "can_review": account.role.value in ("reviewer", "admin"),
        "error": None,
    }
    return _form_page(request, "review.html", data)


@forms.post("/review/{draft_id}")
async def review_decide(request: Request, draft_id: DraftId, account: Identified) -> Response:
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who = signed_in(account)
    check_csrf(request, values.get("csrf"))
    decision = values.get("decision")
    if decision == "publish":
        draft, _result = drafts(request).publish(draft_id, who, values.get("note") or None)
        return RedirectResponse(url_for_record(draft.assessment.statement, "statement"), status_code=303)
    if decision == "reject":
        drafts(request).reject(draft_id, who, values.get("note", ""))
        return RedirectResponse("/review", status_code=303)
    raise InvalidInput("decision: publish or reject")
