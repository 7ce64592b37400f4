"""Bundles: the folder of YAML, JSON and CSV files that servanda imports, exports and exchanges.

A bundle file is a mapping of sections (``actors``, ``sources``, ``agreements``, ``statements``, ``events``,
``assessments``, ``captures``) to lists of records. A CSV file holds one section, named by the file
(``statements.csv``, ``statements-2022.csv``): one record a row, list fields separated by ``;``, nested fields
as dotted columns (``commitment.strength``). The format is documented in ``docs/bundles.md`` and described by
the JSON Schema that ``servanda schema`` prints.

Reading collects every problem in the bundle, each with its file, line and field, before anything is
written: a bundle is accepted whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from servanda.domain.records import SECTIONS, TYPE_ORDER, Record
from servanda.errors import BundleError, Problem

from .located import Located, nearest_line
from .located_yaml import LocatedError, load_located

BUNDLE_SUFFIXES = (".yaml", ".yml", ".json", ".csv")
LIST_SEPARATOR = ";"
FILES_FOLDER = "files"


def bundle_files(path: Path) -> list[Path]:
    """The files a bundle consists of, in a stable order; a single file is a bundle of one."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise BundleError([Problem("no such file or folder", str(path))])
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in BUNDLE_SUFFIXES
        and FILES_FOLDER not in p.relative_to(path).parts[:-1]
    )
    if not found:
        raise BundleError([Problem("the folder holds no .yaml, .yml, .json or .csv files", str(path))])
    return found


def read_bundle(path: Path, *, max_problems: int = 50) -> list[Located]:
    """Every record in the bundle at ``path``, or a BundleError listing what is wrong and where."""
    located: list[Located] = []
    problems: list[Problem] = []
    root = path if path.is_dir() else path.parent
    for file in bundle_files(path):
        name = str(file.relative_to(root)) if file != path else str(file)
        try:
            text = _read_text(file, name)
            if file.suffix.lower() == ".csv":
                items, found = _read_csv(text, name, file.stem)
            else:
                items, found = _read_mapping(text, name, is_json=file.suffix.lower() == ".json")
        except LocatedError as exc:
            problems.append(exc.problem)
            continue
        located.extend(items)
        problems.extend(found)
        if len(problems) >= max_problems:
            break
    if problems:
        raise BundleError(problems[:max_problems])
    return located


def _read_text(file: Path, name: str) -> str:
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LocatedError(
            Problem(f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8", name, line)
        ) from exc
    return text.removeprefix("\ufeff")


def _read_mapping(text: str, name: str, *, is_json: bool) -> tuple[list[Located], list[Problem]]:
    if is_json:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise LocatedError(
                Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", name, exc.lineno)
            ) from exc
    value, lines = load_located(text, name)
    if value is None:
        return [], []
    if not isinstance(value, dict):
        raise LocatedError(
            Problem("a bundle file is a mapping of sections (actors:, statements:, ...) to lists", name, 1)
        )
    items: list[Located] = []
    problems: list[Problem] = []
    # Group the line of every path by the record it belongs to, once: (section, index) -> [(path, line)].
    by_record: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], int]]] = {}
    for path, line in lines.items():
        if len(path) > 2:
            by_record.setdefault(path[:2], []).append((path[2:], line))
    for section, entries in value.items():
        cls = SECTIONS.get(section) if isinstance(section, str) else None
        if cls is None:
            known = ", ".join(sorted(SECTIONS))
            problems.append(
                Problem(
                    f"unknown section {section!r}; sections are {known}",
                    name,
                    lines.get((section,)),
                    str(section),
                )
            )
            continue
        if entries is None:
            continue
        if not isinstance(entries, list):
            problems.append(
                Problem(
                    f"section {section!r} must be a list of records", name, lines.get((section,)), section
                )
            )
            continue
        for index, data in enumerate(entries):
            base = (section, index)
            field_lines = {_path_text(path): line for path, line in by_record.get(base, ())}
            record, found = _validate(cls, data, name, lines.get(base), field_lines)
            problems.extend(found)
            if record is not None:
                items.append(Located(record, name, lines.get(base), field_lines))
    return items, problems


def validate_record(cls: type[Record], data: Any, where: str) -> Record:
    """One record from plain data (a form, a request): the record, or ``BundleError`` naming each field."""
    record, problems = _validate(cls, data, where, None, {})
    if record is None:
        raise BundleError(problems)
    return record


def _validate(
    cls: type[Record], data: Any, name: str, line: int | None, field_lines: dict[str, int]
) -> tuple[Record | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(f"each {cls.TYPE} is a mapping of fields", name, line)]
    try:
        return cls.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            path = _path_text(error["loc"])
            message = _message(error)
            # Checks across fields report the field they are about as "field: message".
            named = _FIELD_PREFIX.match(message)
            if named and error["type"] == "value_error":
                path = f"{path}.{named[1]}" if path else named[1]
                message = named[2]
            problems.append(Problem(message, name, nearest_line(field_lines, path) or line, path or None))
        return None, problems


_FIELD_PREFIX = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*): (.+)$", re.DOTALL)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check its spelling in docs/bundles.md)"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _path_text(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# --- CSV ----------------------------------------------------------------------------------------------------

_LIST_FIELDS = {
    "sources",
    "counterparties",
    "topics",
    "about",
    "parties",
    "guarantors",
    "evidence",
    "disputed_by",
    "found_by",
}


def _read_csv(text: str, name: str, stem: str) -> tuple[list[Located], list[Problem]]:
    section = stem.split("-", 1)[0].split(".", 1)[0]
    cls = SECTIONS.get(section)
    if cls is None:
        raise LocatedError(
            Problem(
                f"a CSV file is named after its section (statements.csv, statements-2022.csv), not {stem!r}",
                name,
                1,
            )
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return [], []
    items: list[Located] = []
    problems: list[Problem] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"not valid CSV: {exc}", name, reader.line_num))
            break
        line = reader.line_num
        if None in row:
            problems.append(Problem("the row has more cells than the header", name, line))
            continue
        data: dict[str, Any] = {}
        for column, cell in row.items():
            if cell is None or cell == "":
                continue
            target = data
            parts = column.strip().split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            leaf = parts[-1]
            target[leaf] = (
                [v.strip() for v in cell.split(LIST_SEPARATOR) if v.strip()] if leaf in _LIST_FIELDS else cell
            )
        field_lines = {key: line for key in row}
        record, found = _validate(cls, data, name, line, field_lines)
        problems.extend(found)
        if record is not None:
            items.append(Located(record, name, line, field_lines))
    return items, problems


# --- writing ------------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def write_bundle(records: Iterable[Record], folder: Path) -> dict[str, int]:
    """Write records as a bundle: one YAML file per section, in the order imports need. Returns counts."""
    folder.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[Record]] = {}
    for record in records:
        by_type.setdefault(record.TYPE, []).append(record)
    counts: dict[str, int] = {}
    for position, record_type in enumerate(TYPE_ORDER, 1):
        items = by_type.get(record_type)
        if not items:
            continue
        items.sort(key=lambda r: (r.sort_date(), r.id))
        section = items[0].SECTION
        document = {section: [record.body() for record in items]}
        text = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
        (folder / f"{position:02d}-{section}.yaml").write_text(text, encoding="utf-8")
        counts[section] = len(items)
    return counts
