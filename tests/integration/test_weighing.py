"""Credibility, backtest and institutions computed from a real store, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from servanda.analysis.credibility import Coding
from servanda.cli.main import app
from servanda.domain.records import Agreement, Event
from servanda.record.bootstrap import RecordHandle
from servanda.record.institutions import institutions
from servanda.record.outcomes import outcomes_for, record_outcomes
from tests import factories as f


def _record() -> list[object]:
    return [
        f.source(),
        f.actor("ru"),
        f.actor("ua"),
        f.actor(
            "duma", kind="legislature", name="State Duma", relations=[{"type": "part_of", "target": "ru"}]
        ),
        f.actor("putin", kind="person", relations=[{"type": "head_of", "target": "ru", "since": "2000"}]),
        Agreement(
            id="treaty",
            title="A treaty",
            kind="treaty",
            parties=["ru", "ua"],
            sources=["src-un"],
            ratifications=[{"party": "ru", "institution": "duma", "date": "1999"}],
        ),
        f.commitment(
            "c-treaty",
            actor="ru",
            date="1997",
            commitment={
                "obligation": "respect borders",
                "strength": "ratified_treaty",
                "agreement": "treaty",
            },
        ),
        f.commitment("c-putin", actor="putin", date="2005"),
        f.commitment("c-pending", actor="putin", date="2020"),
        f.commitment("c-withdrawn", actor="putin", date="2010"),
        f.assessment("a-treaty", "c-treaty", "broken", "2014-03-18"),
        f.assessment("a-putin", "c-putin", "kept", "2006"),
        f.assessment("a-pending", "c-pending", "pending", "2021"),
        f.assessment("a-withdrawn", "c-withdrawn", "withdrawn", "2012", disputed=True, disputed_by=["ru"]),
        Event(
            id="duma-terminates",
            title="The Duma votes to terminate the treaty",
            kind="legislative_vote",
            date="2014-03-31",
            sources=["src-un"],
            responsible=[{"actor": "duma", "role": "voted to terminate"}],
        ),
    ]


def test_outcomes_are_coded_and_credited_to_the_state_the_maker_spoke_for(handle: RecordHandle) -> None:
    handle.service.apply(_record(), "tester")  # type: ignore[arg-type]
    with handle.store.read() as connection:
        records = record_outcomes(connection)
        strict = record_outcomes(connection, Coding(withdrawn="exclude"))
    by_statement = {r.outcome.statement: r for r in records}
    assert set(by_statement) == {"c-treaty", "c-putin", "c-withdrawn"}  # pending is no outcome
    assert by_statement["c-putin"].principal == "ru" and by_statement["c-putin"].maker == "putin"
    assert by_statement["c-withdrawn"].outcome.value == 0.0 and by_statement["c-withdrawn"].outcome.disputed
    assert {r.outcome.statement for r in strict} == {"c-treaty", "c-putin"}
    assert {o.statement for o in outcomes_for(records, "putin")} == {"c-putin", "c-withdrawn"}


def test_institutions_show_what_they_ratified_and_reversed(handle: RecordHandle) -> None:
    handle.service.apply(_record(), "tester")  # type: ignore[arg-type]
    with handle.store.read() as connection:
        [duma] = institutions(connection)
    assert (duma.id, duma.state, duma.commitments, duma.broken) == ("duma", "ru", 1, 1)
    assert [r["event"] for r in duma.reversals] == ["duma-terminates"]
    assert duma.reversals[0]["executive_request"] is None


def test_the_commands_answer_in_json(handle: RecordHandle, db_url: str, tmp_path: Path) -> None:
    handle.service.apply(_record(), "tester")  # type: ignore[arg-type]
    runner = CliRunner()
    base = ["--home", str(tmp_path / "home"), "--db", db_url]
    result = runner.invoke(app, [*base, "credibility", "ru", "--json", "--half-life", "0"])
    assert result.exit_code == 0, result.stderr
    [estimate] = json.loads(result.stdout)["estimates"]
    assert estimate["key"] == ["ru"] and 0 < estimate["mean"] < 1 and estimate["total"] == 3
    backtest = runner.invoke(app, [*base, "backtest", "--json"])
    assert backtest.exit_code == 0 and json.loads(backtest.stdout)["n"] == 3
    found = runner.invoke(app, [*base, "institutions", "--json"])
    assert json.loads(found.stdout)[0]["reversals"][0]["event"] == "duma-terminates"
    joint = runner.invoke(app, [*base, "credibility", "ru", "--json", "--by", "strength,kind"])
    assert joint.exit_code == 0, joint.stderr
    answer = json.loads(joint.stdout)
    assert {tuple(e["key"]) for e in answer["estimates"]} == {
        ("ru", "ratified_treaty", "unspecified"),
        ("ru", "signed_agreement", "unspecified"),
    }
    assert answer["model"]["outcomes"] == 3 and set(answer["model"]["strength_effects"]) == {
        "ratified_treaty",
        "signed_agreement",
    }
    table = runner.invoke(app, [*base, "credibility", "ru", "--by", "kind,strength", "--as-of", "1990"])
    assert table.exit_code == 0 and "no assessed commitments" in table.stdout
    bad = runner.invoke(app, [*base, "credibility", "ru", "--withdrawn", "maybe"])
    assert bad.exit_code == 2 and "--withdrawn" in bad.stderr
