"""Reading bundles: every problem is reported with its file, line and field; good bundles round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servanda.errors import BundleError
from servanda.record.bundles import read_bundle, write_bundle
from tests import factories as f

GOOD = """\
sources:
  - id: src-un
    title: UN document
actors:
  - id: ru
    kind: state
    name: Russian Federation
statements:
  - id: s1
    kind: assertion
    actor: ru
    date: 2022-02-24
    text: "We will not occupy"
    sources: [src-un]
"""


def _problems(
    tmp_path: Path, name: str, content: str | bytes
) -> list[tuple[str | None, int | None, str | None, str]]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        read_bundle(tmp_path)
    return [(p.file, p.line, p.field, p.message) for p in caught.value.problems]


def test_reads_a_good_bundle_with_lines(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    items = read_bundle(tmp_path)
    assert [i.record.id for i in items] == ["src-un", "ru", "s1"]
    statement = items[2]
    assert (statement.file, statement.line) == ("b.yaml", 9)
    assert str(statement.record.date) == "2022-02-24"  # type: ignore[attr-defined]


def test_names_the_line_of_malformed_yaml(tmp_path: Path) -> None:
    [(file, line, _field, message)] = _problems(
        tmp_path, "b.yaml", GOOD.replace("    title: UN document", "  title: [x")
    )
    assert file == "b.yaml" and line is not None and "not valid YAML" in message


def test_names_file_line_and_field_of_an_unknown_field(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "b.yaml", GOOD.replace("    name: Russian Federation", "    name: R\n    nmae: R")
    )
    assert problems == [("b.yaml", 8, "nmae", "unknown field (check its spelling in docs/bundles.md)")]


def test_names_the_line_of_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    [(file, line, field, message)] = _problems(tmp_path, "b.yaml", GOOD.replace("2022-02-24", "24.02.2022"))
    assert (file, line, field) == ("b.yaml", 12, "date")
    assert "is not a date" in message


def test_names_the_line_of_a_verdict_from_no_scale(tmp_path: Path) -> None:
    text = (
        GOOD + "assessments:\n  - id: a\n    statement: s1\n    verdict: wrong\n    as_of: 2023\n"
        "    rationale: r\n    sources: [src-un]\n"
    )
    [(_file, line, field, message)] = _problems(tmp_path, "b.yaml", text)
    assert (line, field) == (18, "verdict") and "is on no scale" in message


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    data = GOOD.replace("We will not occupy", "caf\xe9").encode("latin-1")
    [(file, line, _field, message)] = _problems(tmp_path, "b.yaml", data)
    assert (file, line) == ("b.yaml", 13)
    assert "not UTF-8" in message


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    [(_f, line, field, message)] = _problems(
        tmp_path, "b.yaml", GOOD.replace("    name: Russian Federation", "    name: A\n    name: B")
    )
    assert (line, field) == (8, "name") and "appears twice" in message


def test_unknown_sections_are_named(tmp_path: Path) -> None:
    [(_f, line, _field, message)] = _problems(tmp_path, "b.yaml", GOOD + "promises:\n  - id: x\n")
    assert line == 15 and "unknown section 'promises'" in message


def test_json_syntax_errors_name_the_line(tmp_path: Path) -> None:
    [(file, line, _field, message)] = _problems(
        tmp_path, "b.json", '{\n  "actors": [\n    {"id": "ru",}\n  ]\n}\n'
    )
    assert (file, line) == ("b.json", 3) and "not valid JSON" in message


def test_json_bundles_are_read_with_lines(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text('{"actors": [\n {"id": "ru", "kind": "state", "name": "R"}\n]}', "utf-8")
    [item] = read_bundle(tmp_path)
    assert (item.record.id, item.line) == ("ru", 2)


def test_csv_statements_split_lists_and_nest_dotted_columns(tmp_path: Path) -> None:
    (tmp_path / "statements.csv").write_text(
        "id,kind,actor,date,text,sources,commitment.obligation,commitment.strength\n"
        "c1,commitment,ru,1994-12-05,We promise,src-a; src-b,respect borders,signed_agreement\n"
        "a1,assertion,ru,2022,It is so,src-a,,\n",
        encoding="utf-8",
    )
    c1, a1 = (item.record for item in read_bundle(tmp_path))
    assert c1.sources == ["src-a", "src-b"]  # type: ignore[attr-defined]
    assert c1.commitment.strength.value == "signed_agreement"  # type: ignore[attr-defined]
    assert a1.commitment is None  # type: ignore[attr-defined]


def test_csv_problems_name_the_row_line_and_column(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        "statements.csv",
        "id,kind,actor,date,text,sources\nok,assertion,ru,2022,t,s\nbad,assertion,ru,someday,t,s\n",
    )
    assert problems[0][:3] == ("statements.csv", 3, "date")


def test_every_problem_in_a_bundle_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("2022-02-24", "never"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("actors:\n  - id: X\n    kind: state\n    name: x\n", encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        read_bundle(tmp_path)
    assert {p.file for p in caught.value.problems} == {"a.yaml", "b.yaml"}


_slug = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    ids=st.lists(_slug, min_size=1, max_size=6, unique=True),
    texts=st.lists(_text, min_size=6, max_size=6),
    years=st.lists(st.integers(1900, 2030), min_size=6, max_size=6),
)
def test_any_written_bundle_reads_back_to_the_same_records(
    tmp_path_factory: pytest.TempPathFactory, ids: list[str], texts: list[str], years: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("bundle")
    records = [f.source("src-un")] + [
        f.assertion(f"s-{rid}", text=texts[i], date=str(years[i]), summary=texts[-1 - i])
        for i, rid in enumerate(ids)
    ]
    write_bundle(records, folder)
    assert sorted((i.record for i in read_bundle(folder)), key=lambda r: r.id) == sorted(
        records, key=lambda r: r.id
    )
