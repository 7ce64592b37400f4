"""The starter record: it imports whole into both databases, verifies, and keeps what its sources say."""

from __future__ import annotations

from pathlib import Path

import pytest

from servanda.domain.records import Agreement, Statement
from servanda.record import queries
from servanda.record.bootstrap import RecordHandle
from servanda.record.bundles import read_bundle
from servanda.record.integrity import verify
from servanda.store.log_storage import SqlLogStorage

STARTER = Path(__file__).resolve().parents[2] / "data" / "starter"


@pytest.fixture
def starter(handle: RecordHandle) -> RecordHandle:
    handle.service.apply(read_bundle(STARTER), "tester")
    return handle


def test_imports_whole_verifies_and_imports_again_as_nothing(starter: RecordHandle) -> None:
    with starter.store.read() as connection:
        report = verify(connection, SqlLogStorage(connection), [])
        overview = queries.overview(connection)
    assert report.ok, report.problems
    assert overview["records"]["statement"] >= 29 and overview["records"]["assessment"] >= 29
    assert starter.service.apply(read_bundle(STARTER), "tester").appended == 0


def test_every_fact_cites_a_source_and_partial_rows_stay_partial(starter: RecordHandle) -> None:
    with starter.store.read() as connection:
        records = queries.list_records(connection)
    statements = [r for r in records if isinstance(r, Statement)]
    assert all(s.sources for s in statements)
    partial = {s.id for s in statements if s.verification and s.verification.value == "partial"}
    # research rows R08, R23, R24 and R28 were only partly verified
    assert {
        "ru-inf-range-moratorium-2019",
        "ru-mfa-new-start-caps-2023-02-21",
        "putin-victory-day-truce-2025",
    } <= partial


def test_spot_checks_against_the_research_rows(starter: RecordHandle) -> None:
    with starter.store.read() as connection:
        budapest, _ = queries.get_record(connection, "budapest-memorandum-1994")
        grain = queries.assessment_history(connection, "ru-black-sea-grain-initiative-2022")
        verdict = queries.current_verdicts(connection, ["ru-budapest-assurances-1994"])
    assert isinstance(budapest, Agreement)
    assert str(budapest.signed) == "1994-12-05" and set(budapest.parties) == {"ua", "ru", "us", "gb"}
    # the grain deal's outcomes are three dated verdicts, not one overwritten status
    assert [(str(a.as_of), a.verdict) for a in grain] == [
        ("2022-10-29", "withdrawn"),
        ("2022-11-02", "in_progress"),
        ("2023-07-17", "withdrawn"),
    ]
    assert grain[-1].disputed_by == ["ru"]
    assert verdict["ru-budapest-assurances-1994"].verdict == "broken"
