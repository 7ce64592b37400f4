"""``--plot`` on ``credibility`` and ``backtest``: PNG or SVG by the suffix, a bad suffix refused, on both
databases; and the drawing functions themselves."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servanda.analysis.credibility import Outcome, estimate_history, history_dates
from servanda.cli.main import app
from servanda.errors import InvalidInput
from servanda.plots import calibration_plot, credibility_plot
from servanda.record.bootstrap import RecordHandle
from tests.integration.test_weighing import _record

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_svg(path: Path) -> bool:
    root = ET.parse(path).getroot()
    return root.tag.endswith("svg")


@pytest.fixture
def cli(handle: RecordHandle, db_url: str, tmp_path: Path) -> list[str]:
    handle.service.apply(_record(), "tester")  # type: ignore[arg-type]
    return ["--home", str(tmp_path / "home"), "--db", db_url]


@pytest.mark.parametrize("command", [["credibility", "ru"], ["credibility", "putin"], ["backtest"]])
def test_plot_writes_a_png_and_an_svg(cli: list[str], tmp_path: Path, command: list[str]) -> None:
    runner = CliRunner()
    png, svg = tmp_path / "chart.png", tmp_path / "chart.svg"
    for path in (png, svg):
        result = runner.invoke(app, [*cli, *command, "--plot", str(path)])
        assert result.exit_code == 0, result.stderr
        assert "plot written" in result.stderr
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 10_000
    assert _is_svg(svg) and svg.stat().st_size > 10_000


def test_plot_goes_with_json_and_a_breakdown(cli: list[str], tmp_path: Path) -> None:
    path = tmp_path / "ru.svg"
    options = ["--by", "strength", "--half-life", "0", "--json", "--plot", str(path)]
    result = CliRunner().invoke(app, [*cli, "credibility", "ru", *options])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.lstrip().startswith("{") and _is_svg(path)


@pytest.mark.parametrize("command", [["credibility", "ru"], ["backtest"]])
@pytest.mark.parametrize("name", ["chart.pdf", "chart", "chart.png.txt"])
def test_a_bad_suffix_exits_2_and_writes_nothing(
    cli: list[str], tmp_path: Path, command: list[str], name: str
) -> None:
    out = tmp_path / "plots"
    out.mkdir()
    result = CliRunner().invoke(app, [*cli, *command, "--plot", str(out / name)])
    assert result.exit_code == 2
    assert "--plot" in result.stderr and ".png" in result.stderr and ".svg" in result.stderr
    assert list(out.iterdir()) == []


def test_an_actor_without_outcomes_has_nothing_to_plot(cli: list[str], tmp_path: Path) -> None:
    path = tmp_path / "ua.png"
    result = CliRunner().invoke(app, [*cli, "credibility", "ua", "--plot", str(path)])
    assert result.exit_code == 2 and "no assessed commitments" in result.stderr
    assert not path.exists()


def _outcome(i: int, actor: str, decided: date, value: float) -> Outcome:
    return Outcome(f"s{i}", actor, "remark", None, decided, decided, value)


def test_history_runs_from_the_first_outcome_to_the_end() -> None:
    outcomes = [
        _outcome(0, "a", date(2000, 5, 1), 1.0),
        _outcome(1, "a", date(2010, 7, 1), 0.0),
        _outcome(2, "b", date(1995, 1, 1), 0.5),
        _outcome(3, "c", date(2020, 1, 1), 1.0),
    ]
    history = estimate_history(outcomes, "a", half_life_years=None)
    days = [day for day, _ in history]
    assert days[0] == date(2000, 5, 1) and days[-1] == date(2020, 1, 1)
    assert date(2010, 7, 1) in days and days == sorted(days)
    assert all(e.low <= e.mean <= e.high for _, e in history)
    assert estimate_history(outcomes, "a", until=date(1999, 1, 1)) == []
    assert estimate_history(outcomes, "nobody") == []
    assert history_dates(date(2000, 1, 1), date(2000, 1, 1)) == [date(2000, 1, 1)]
    assert len(history_dates(date(2000, 1, 31), date(2001, 1, 1))) == 13  # monthly for a short record


def test_the_drawing_functions_refuse_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\.png or \.svg"):
        credibility_plot(
            tmp_path / "x.jpg",
            actor="a",
            dates=[date(2000, 1, 1)],
            mean=[0.5],
            low=[0.1],
            high=[0.9],
            outcomes=[],
            description="",
        )
    with pytest.raises(InvalidInput):
        calibration_plot(tmp_path / "x.eps", bins=[], n=0, description="")
    calibration_plot(tmp_path / "empty.PNG", bins=[(0.0, 0.1, 0, 0.0, 0.0)], n=0, description="none")
    assert (tmp_path / "empty.PNG").read_bytes().startswith(PNG_SIGNATURE)
    assert not list(tmp_path.glob("x.*"))
