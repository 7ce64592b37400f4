"""The UCDP Peace Agreement Dataset importer, on SQLite and PostgreSQL: what it maps, links, skips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from servanda.cli.main import app
from servanda.domain.records import Actor, Agreement
from servanda.domain.vocabulary import ActorKind, AgreementStatus
from servanda.errors import BundleError
from servanda.record import queries
from servanda.record.bootstrap import RecordHandle
from servanda.record.bundles import read_bundle
from servanda.record.importers.ucdp import SOURCE_ID, Existing, import_ucdp, map_rows, parse_ucdp, read_ucdp
from servanda.record.integrity import verify
from servanda.store.log_storage import SqlLogStorage
from servanda.store.schema import external_ids, log_entries

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "ucdp-sample.csv"
FULL = ROOT / "data" / "ucdp" / "ucdp-peace-agreements-221.csv"
STARTER = ROOT / "data" / "starter"


def _entries(handle: RecordHandle) -> int:
    with handle.store.read() as connection:
        return int(connection.execute(select(func.count()).select_from(log_entries)).scalar_one())


def _get(handle: RecordHandle, record_id: str) -> Any:
    with handle.store.read() as connection:
        return queries.get_record(connection, record_id)[0]


def _verifies(handle: RecordHandle) -> None:
    with handle.store.read() as connection:
        report = verify(connection, SqlLogStorage(connection), [])
    assert report.ok, report.problems


def _starter(handle: RecordHandle) -> None:
    handle.service.apply(read_bundle(STARTER), "tester")


def test_the_sample_imports_agreements_their_actors_and_the_dated_end(handle: RecordHandle) -> None:
    report = import_ucdp(handle.service, SAMPLE, "tester")

    assert report.counts()["agreements"] == 5
    assert report.source == "added"
    lusaka = _get(handle, "ucdp-pa-1023")
    assert isinstance(lusaka, Agreement)
    assert lusaka.title == "The Lusaka Protocol"
    assert lusaka.kind == "full_peace_agreement"
    assert str(lusaka.signed) == "1994-11-20"
    assert lusaka.external_ids == {"ucdp_paid": "1023"}
    assert lusaka.parties == ["ucdp-actor-99", "ucdp-actor-567"]
    assert [(t.actor, t.role) for t in lusaka.third_parties] == [("ucdp-actor-7052", "third_party")]
    assert lusaka.guarantors == []
    assert lusaka.sources == [SOURCE_ID]
    (end,) = lusaka.status_history
    assert end.status is AgreementStatus.TERMINATED
    assert str(end.date) == "1998-12-01"
    assert end.by is None
    assert end.note is not None and end.note.startswith("Implementation of the Lusaka Accord proved")
    assert lusaka.provisions[:4] == ["cease", "intarmy", "ddr", "withd"]
    government = _get(handle, "ucdp-actor-99")
    assert isinstance(government, Actor)
    assert (government.name, government.kind) == ("Government of Angola", ActorKind.GOVERNMENT)
    assert government.external_ids == {"ucdp_actor": "99"}
    assert _get(handle, "ucdp-actor-567").kind is ActorKind.ORGANISATION
    # a multi-line pa_comment arrives whole
    peshawar = _get(handle, "ucdp-pa-1565")
    assert peshawar.summary.startswith("Partial peace agreement") and "\n" in peshawar.summary
    # no party is given a commitment or a verdict
    with handle.store.read() as connection:
        assert queries.list_records(connection, "statement") == []
        assert queries.list_records(connection, "assessment") == []
    _verifies(handle)


def test_an_actor_name_with_a_comma_is_matched_to_its_id(handle: RecordHandle) -> None:
    import_ucdp(handle.service, SAMPLE, "tester")

    faction = _get(handle, "ucdp-actor-170")
    assert faction.name == "Military faction (forces of Honasan, Abenina & Zumel)"
    assert _get(handle, "ucdp-pa-1058").parties == ["ucdp-actor-154", "ucdp-actor-170"]


def test_an_actor_listed_twice_is_a_party_once(handle: RecordHandle) -> None:
    import_ucdp(handle.service, SAMPLE, "tester")

    assert _get(handle, "ucdp-pa-1128").parties == ["ucdp-actor-300", "ucdp-actor-130", "ucdp-actor-299"]


def test_an_end_without_a_date_is_a_warning_and_no_status(handle: RecordHandle) -> None:
    report = import_ucdp(handle.service, SAMPLE, "tester")

    assert _get(handle, "ucdp-pa-1470").status_history == []
    assert [(w.paid, w.line) for w in report.warnings] == [("1470", 69)]
    assert "gives no date" in report.warnings[0].message


def test_minsk_is_skipped_not_duplicated_when_the_starter_record_is_missing(handle: RecordHandle) -> None:
    report = import_ucdp(handle.service, SAMPLE, "tester")

    assert [(s.line, s.paid) for s in report.skipped] == [(79, "1536"), (86, "1537")]
    assert "minsk-protocol-2014, which is not in the store" in report.skipped[0].message
    with handle.store.read() as connection:
        ids = [r.id for r in queries.list_records(connection, "agreement")]
    assert "ucdp-pa-1536" not in ids and "ucdp-pa-1537" not in ids


def test_minsk_links_to_the_starter_records(handle: RecordHandle) -> None:
    _starter(handle)
    before = {rid: _get(handle, rid) for rid in ("minsk-protocol-2014", "minsk-ii-2015", SOURCE_ID)}

    report = import_ucdp(handle.service, SAMPLE, "tester")

    assert [(link.paid, link.agreement) for link in report.linked] == [
        ("1536", "minsk-protocol-2014"),
        ("1537", "minsk-ii-2015"),
    ]
    assert report.skipped == []
    assert report.source == "existing"
    for rid, record in before.items():
        assert _get(handle, rid) == record  # starter facts untouched


def test_a_starter_agreement_without_the_ucdp_id_gets_it_and_keeps_its_facts(handle: RecordHandle) -> None:
    minsk = Agreement(
        id="minsk-protocol-2014",
        title="Minsk Protocol",
        kind="ceasefire",
        parties=["ua"],
        signed="2014-09-05",
    )
    handle.service.apply([Actor(id="ua", kind=ActorKind.STATE, name="Ukraine"), minsk], "tester")

    report = import_ucdp(handle.service, SAMPLE, "tester")

    linked = _get(handle, "minsk-protocol-2014")
    assert linked.external_ids == {"ucdp_paid": "1536"}
    assert linked.model_copy(update={"external_ids": {}}) == minsk
    assert [(link.paid, link.how) for link in report.linked] == [
        ("1536", "external_ids.ucdp_paid added; nothing else changed")
    ]
    assert [s.paid for s in report.skipped] == ["1537"]


def test_the_full_dataset_imports_once_onto_the_starter_record(handle: RecordHandle) -> None:
    _starter(handle)
    starter_size = _entries(handle)

    report = import_ucdp(handle.service, FULL, "tester")

    counts = report.counts()
    assert counts["rows"] == 374
    assert (counts["agreements"], counts["linked"], counts["skipped"]) == (372, 2, 0)
    assert counts["actors"] == 270
    assert counts["appended"] == 372 + 270 == _entries(handle) - starter_size
    with handle.store.read() as connection:
        holders = connection.execute(
            select(external_ids.c.value, external_ids.c.owner_id).where(
                external_ids.c.scheme == "ucdp_paid", external_ids.c.value.in_(["1536", "1537"])
            )
        ).all()
    assert sorted(holders) == [("1536", "minsk-protocol-2014"), ("1537", "minsk-ii-2015")]
    _verifies(handle)

    again = import_ucdp(handle.service, FULL, "tester")

    assert again.appended == 0
    assert again.unchanged == 372 + 270
    assert _entries(handle) == starter_size + 642


def test_rows_that_cannot_be_mapped_are_reported_and_the_rest_import(handle: RecordHandle) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(",1992,1992-04-24,", ",1992,,", 1)  # Peshawar Accord loses its date
    rows = parse_ucdp(text.encode("utf-8"), "sample.csv")

    mapped = map_rows(rows, Existing(), "sample.csv")

    assert (2, "1565", "pa_date is empty: the agreement has no date") in [
        (s.line, s.paid, s.message) for s in mapped.report.skipped
    ]
    assert mapped.report.agreements == 4
    handle.service.apply(mapped.items, "tester")
    assert _get(handle, "ucdp-pa-1023").title == "The Lusaka Protocol"


def _refused(handle: RecordHandle, path: Path) -> BundleError:
    before = _entries(handle)
    with pytest.raises(BundleError) as caught:
        import_ucdp(handle.service, path, "tester")
    assert _entries(handle) == before
    return caught.value


def test_a_file_that_is_not_utf8_changes_nothing(handle: RecordHandle, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(SAMPLE.read_bytes() + b"caf\xe9\n")  # a Latin-1 byte after the real rows

    problem = _refused(handle, bad).problems[0]

    assert problem.file == str(bad)
    assert "not UTF-8" in problem.message and problem.line is not None and problem.line > 1


def test_a_file_without_a_required_column_changes_nothing(handle: RecordHandle, tmp_path: Path) -> None:
    bad = tmp_path / "no-date.csv"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace(",pa_date,", ",date,", 1), encoding="utf-8")

    problems = _refused(handle, bad).problems

    assert [(p.file, p.line, p.field) for p in problems] == [(str(bad), 1, "pa_date")]


def test_a_file_that_is_not_csv_changes_nothing(handle: RecordHandle, tmp_path: Path) -> None:
    bad = tmp_path / "broken.csv"
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(header + '\n1,"unclosed" quote,x\n', encoding="utf-8")

    problem = _refused(handle, bad).problems[0]

    assert "not a readable CSV file" in problem.message and problem.line == 2


def test_reading_keeps_the_line_each_row_starts_on() -> None:
    rows = read_ucdp(SAMPLE)

    assert [(row.line, row.get("paid")) for row in rows][:3] == [(2, "1565"), (11, "1128"), (30, "1023")]
    assert rows[0].get("ref") in ("0", "1") and rows[0].get("return") in ("0", "1")


def test_import_ucdp_on_the_command_line(tmp_path: Path, db_url: str) -> None:
    runner = CliRunner()
    base = ["--home", str(tmp_path / "home"), "--db", db_url, "--author", "tester"]

    result = runner.invoke(app, [*base, "import-ucdp", str(SAMPLE)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "5 agreements" in result.stdout and "skipped  line 79: UCDP 1536" in result.stdout

    result = runner.invoke(app, [*base, "import-ucdp", str(SAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["appended"] == 0 and report["counts"]["agreements"] == 5
    assert {"line": 79, "paid": "1536"}.items() <= report["skipped"][0].items()

    bad = tmp_path / "bad.csv"
    bad.write_text("paid,pa_name\n1,x\n", encoding="utf-8")
    result = runner.invoke(app, [*base, "import-ucdp", str(bad)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "nothing was written" in result.stderr and "missing required column 'pa_date'" in result.stderr
