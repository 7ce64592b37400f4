"""Turning view data into responses: JSON as it is, HTML through Jinja2 with every value escaped."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from servanda.domain.vocabulary import ALL_VERDICTS, Strength

TEMPLATES = Path(__file__).parent / "templates"

# Where a record of each type lives on the site.
PATHS = {
    "actor": "actors",
    "statement": "statements",
    "agreement": "agreements",
    "event": "events",
    "source": "sources",
    "capture": "captures",
    "assessment": "assessments",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith("/api/")


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default).encode("utf-8")


class JSON(Response):
    """A JSON response encoded once, without FastAPI's generic (and slower) conversion."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else json_bytes(content)


def url_for_record(record_id: str, record_type: str | None) -> str:
    section = PATHS.get(record_type or "")
    return f"/{section}/{record_id}" if section else f"/records/{record_id}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def environment() -> Environment:
    # Autoescape on for every template: a quote, a title or a rationale is text, never markup.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["record_url"] = url_for_record
    env.globals["strengths"] = [strength.value for strength in Strength]
    env.globals["verdicts"] = sorted(ALL_VERDICTS)
    env.filters["percent"] = percent
    env.filters["pretty_json"] = lambda value: json.dumps(value, ensure_ascii=False, indent=2)
    return env
