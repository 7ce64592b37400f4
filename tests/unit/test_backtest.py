"""The rolling-origin backtest forecasts only from the past, and beats the base rate only when it should."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from servanda.analysis.backtest import backtest
from servanda.analysis.credibility import Outcome, estimate

START = date(2000, 1, 1)


def simulated(seed: int, spread: bool, actors: int = 100, per_actor: int = 40) -> list[Outcome]:
    """Outcomes of actors who differ (true rates from Beta(1, 1)) or not (all 0.6), spread over 20 years."""
    rng = np.random.default_rng(seed)
    truth = rng.beta(1.0, 1.0, actors) if spread else np.full(actors, 0.6)
    return [
        Outcome(
            f"{i}-{j}",
            f"actor{i}",
            "remark",
            None,
            START,
            START + timedelta(days=int(rng.integers(0, 20 * 365))),
            float(rng.random() < truth[i]),
        )
        for i in range(actors)
        for j in range(per_actor)
    ]


def test_the_first_day_is_forecast_one_half_by_every_method() -> None:
    record = [Outcome(str(i), "a", "remark", None, START, START, 1.0) for i in range(3)]
    report = backtest(record)
    assert {(f.model, f.base_rate, f.raw_frequency) for f in report.forecasts} == {(0.5, 0.5, 0.5)}


def test_an_actor_without_history_gets_the_base_rate_as_raw_frequency_and_the_prior_mean_as_forecast() -> (
    None
):
    record = [Outcome(f"b{i}", "b", "remark", None, START, START, float(i < 3)) for i in range(4)]
    record.append(Outcome("new", "a", "remark", None, START, START + timedelta(days=1), 1.0))
    last = backtest(record).forecasts[-1]
    assert last.statement == "new"
    assert last.base_rate == last.raw_frequency == pytest.approx(0.75)
    assert 0.5 < last.model < 1.0


def test_outcomes_decided_the_same_day_do_not_inform_each_other() -> None:
    record = [Outcome("a1", "a", "remark", None, START, START, 1.0)]
    record += [
        Outcome(f"a{i}", "a", "remark", None, START, START + timedelta(days=5), 0.0) for i in range(2, 5)
    ]
    forecasts = backtest(record).forecasts[1:]
    assert len({(f.model, f.base_rate, f.raw_frequency) for f in forecasts}) == 1
    assert forecasts[0].raw_frequency == 1.0


def test_refitting_every_day_reproduces_the_estimate_made_the_day_before() -> None:
    record = simulated(0, spread=True, actors=15, per_actor=8)
    report = backtest(record, half_life_years=3.0, refit_growth=0.0)
    for forecast in report.forecasts[::10]:
        before = forecast.decided - timedelta(days=1)
        known = {e.key[0]: e for e in estimate(record, as_of=before, half_life_years=3.0)}
        if forecast.actor in known:
            assert forecast.model == pytest.approx(known[forecast.actor].mean, abs=1e-5)


def test_the_model_beats_the_base_rate_when_actors_differ() -> None:
    for seed in range(3):
        report = backtest(simulated(seed, spread=True))
        assert report.skill_vs_base_rate > 0.1
        assert report.skill_vs_raw_frequency > 0.0


def test_the_model_matches_the_base_rate_when_actors_do_not_differ() -> None:
    for seed in range(3):
        report = backtest(simulated(seed, spread=False))
        assert abs(report.skill_vs_base_rate) < 0.01
        assert report.skill_vs_raw_frequency > 0.0


def test_the_report_carries_decomposition_calibration_and_every_forecast() -> None:
    report = backtest(simulated(1, spread=True, actors=30, per_actor=10))
    assert report.n == len(report.forecasts) == 300
    assert [f.decided for f in report.forecasts] == sorted(f.decided for f in report.forecasts)
    assert sum(row.count for row in report.calibration) == 300
    assert report.decomposition.brier == pytest.approx(report.brier_model)


def test_an_empty_record_cannot_be_backtested() -> None:
    with pytest.raises(ValueError, match="nothing"):
        backtest([])


def test_ten_thousand_outcomes_are_all_forecast() -> None:
    # how fast is measured in bench/bench_credibility.py, not asserted here
    record = simulated(2, spread=True, actors=1000, per_actor=10)
    report = backtest(record)
    assert report.n == len(record) == len(report.forecasts)
