"""A record together with where it came from, so that every error can name the file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from servanda.domain.records import Record
from servanda.errors import Problem
from servanda.ledger.canonical import canonical_json


@dataclass(frozen=True)
class Located:
    """A record with where it came from, so that errors can name the file and line."""

    record: Record
    file: str | None = None
    line: int | None = None
    field_lines: dict[str, int] = field(default_factory=dict)

    @cached_property
    def body(self) -> dict[str, Any]:
        """The record as it goes into the log, made once per write."""
        return self.record.body()

    @cached_property
    def body_text(self) -> str:
        """Canonical JSON of ``body``: compared with the store, stored in the projection, spliced into the
        entry — made once, because an import of 100,000 records would otherwise make it three times."""
        return canonical_json(self.body).decode("utf-8")

    def problem(self, message: str, field_path: str | None = None) -> Problem:
        line = self.line
        if field_path is not None:
            line = nearest_line(self.field_lines, field_path) or line
        return Problem(message, self.file, line, field_path)


def nearest_line(field_lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, or of the nearest enclosing field that has one."""
    while path:
        if path in field_lines:
            return field_lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
