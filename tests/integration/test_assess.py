"""``servanda assess`` end to end on the starter record and the UCDP sample, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servanda.cli.main import app
from servanda.errors import BundleError
from servanda.record.bootstrap import RecordHandle
from servanda.record.bundles import read_bundle
from servanda.record.importers.ucdp import import_ucdp
from servanda.record.proposals import assess_proposal, load_proposal, parse_proposal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "examples" / "ceasefire-ru.yaml"
GUARANTEED = ROOT / "data" / "examples" / "ceasefire-ru-guaranteed.yaml"


@pytest.fixture
def loaded(handle: RecordHandle) -> RecordHandle:
    handle.service.apply(read_bundle(ROOT / "data" / "starter"), "tester")
    import_ucdp(handle.service, ROOT / "tests" / "fixtures" / "ucdp-sample.csv", "tester")
    return handle


def _run(handle: RecordHandle, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(handle.settings.db_url), *args])
    return result.exit_code, result.stdout, result.stderr


def test_assess_prints_the_verdict_first(loaded: RecordHandle) -> None:
    code, out, _ = _run(loaded, "assess", str(EXAMPLE))
    assert code == 0, out
    first = out.splitlines()[0]
    assert "Not worth entering without a guarantee enforcing at least" in first
    assert "no agreement is self-enforcing" in first
    assert "judgements, not facts" in out


def test_assess_json_has_the_numbers_and_the_evidence(loaded: RecordHandle) -> None:
    code, out, _ = _run(loaded, "assess", str(GUARANTEED), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["verdict"].startswith("Worth entering only with the guarantee")
    terms = {t["term"]: t for t in data["numbers"]["terms"]}
    assert terms["hold-fire"]["group"] == ["ru", "ceasefire"]
    assert 0 < terms["hold-fire"]["mean"] < 1
    evidence = {t["term"]: t["outcomes"] for t in data["evidence"]}
    assert evidence["hold-fire"] and all(o["kind"] == "ceasefire" for o in evidence["hold-fire"])
    assert data["agreements"]["analysed"] >= 5
    # the sample holds too few ended agreements for a Cox model: the report says so instead of a ratio
    assert data["agreements"]["cox"]["ratios"] == []
    assert "Cox" in data["agreements"]["guarantees"][0]["statement"]
    assert data["proposal"]["inputs_are"] == "the analyst's judgement, not facts from the record"


def test_the_library_function_the_web_app_calls(loaded: RecordHandle) -> None:
    report = assess_proposal(loaded, load_proposal(EXAMPLE).proposal)
    assert report.evaluation.required_enforcement is not None
    assert json.dumps(report.to_dict())


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_assess_writes_a_report(loaded: RecordHandle, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"report{suffix}"
    code, _, _ = _run(loaded, "assess", str(EXAMPLE), "--report", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert "Not worth entering without a guarantee" in text
    assert text.count("<svg") >= 2  # the tornado and the survival curves
    assert "ru-" in text  # the record entries behind the estimates


def test_html_report_escapes_user_text(loaded: RecordHandle, tmp_path: Path) -> None:
    proposal = tmp_path / "p.yaml"
    proposal.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "title: Ceasefire along the line of contact (illustrative)", 'title: "<script>alert(1)</script>"'
        ),
        encoding="utf-8",
    )
    target = tmp_path / "r.html"
    assert _run(loaded, "assess", str(proposal), "--report", str(target))[0] == 0
    text = target.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_a_report_with_another_suffix_is_refused(loaded: RecordHandle, tmp_path: Path) -> None:
    code, _, err = _run(loaded, "assess", str(EXAMPLE), "--report", str(tmp_path / "r.pdf"))
    assert code == 2 and ".md or .html" in err


def _with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "proposal.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_an_unknown_actor_is_named_with_file_and_line(loaded: RecordHandle, tmp_path: Path) -> None:
    path = _with(tmp_path, "counterpart: ru", "counterpart: atlantis")
    code, _, err = _run(loaded, "assess", str(path))
    assert code == 2
    assert f"{path}:{_line_of(path, 'atlantis')} [counterpart]" in err
    assert "no actor 'atlantis'" in err


def test_a_term_kind_with_no_record_is_refused_not_invented(loaded: RecordHandle, tmp_path: Path) -> None:
    path = _with(tmp_path, "kind: humanitarian", "kind: cyber_security")
    code, _, err = _run(loaded, "assess", str(path))
    assert code == 2
    assert f"{path}:{_line_of(path, 'cyber_security')} [terms.counterpart[1].kind]" in err
    assert "does not invent a probability" in err and "ceasefire" in err


def test_a_malformed_proposal_names_the_field(tmp_path: Path) -> None:
    path = _with(tmp_path, "discount: 0.9", "discount: 1.5")
    with pytest.raises(BundleError) as caught:
        load_proposal(path)
    [problem] = caught.value.problems
    assert problem.field == "commitment_problem.discount" and problem.line == _line_of(path, "discount: 1.5")
    with pytest.raises(BundleError, match="unknown field"):
        parse_proposal(EXAMPLE.read_text(encoding="utf-8") + "colour: red\n", "p.yaml")
    with pytest.raises(BundleError, match="not valid YAML"):
        parse_proposal("title: [", "p.yaml")
