"""Forecast scores reproduce the worked Brier example of the reference notes (models.md §5)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servanda.analysis.scoring import (
    brier,
    brier_decomposition,
    calibration_table,
    expected_calibration_error,
    skill,
)

FORECASTS = [0.9] * 4 + [0.7] * 3 + [0.3] * 2 + [0.1]
OUTCOMES = [1, 1, 1, 0, 1, 0, 1, 0, 0, 0]


def test_brier_score_of_the_worked_example_is_0_17() -> None:
    assert brier(FORECASTS, OUTCOMES) == pytest.approx(0.17)


def test_decomposition_by_distinct_forecasts_is_exact() -> None:
    parts = brier_decomposition(FORECASTS, OUTCOMES, bins="distinct")
    assert parts.reliability == pytest.approx(0.0283, abs=5e-5)
    assert parts.resolution == pytest.approx(0.1083, abs=5e-5)
    assert parts.uncertainty == pytest.approx(0.25)
    assert parts.brier == pytest.approx(0.17)
    assert parts.residual == pytest.approx(0.0, abs=1e-12)


def test_expected_calibration_error_is_0_14_with_either_binning() -> None:
    assert expected_calibration_error(FORECASTS, OUTCOMES, bins="distinct") == pytest.approx(0.14)
    assert expected_calibration_error(FORECASTS, OUTCOMES, bins=10) == pytest.approx(0.14)


def test_skill_against_the_base_rate_is_0_32() -> None:
    assert skill(brier(FORECASTS, OUTCOMES), brier([0.5] * 10, OUTCOMES)) == pytest.approx(0.32)


def test_calibration_table_lists_the_non_empty_bins_in_order() -> None:
    table = calibration_table(FORECASTS, OUTCOMES, bins=10)
    assert [(row.low, row.count) for row in table] == [(0.1, 1), (0.3, 2), (0.7, 3), (0.9, 4)]
    assert table[-1].high == pytest.approx(1.0)
    assert table[-1].mean_forecast == pytest.approx(0.9)
    assert table[-1].observed == pytest.approx(0.75)
    assert table[2].observed == pytest.approx(2 / 3)


def test_a_forecast_of_one_falls_in_the_last_bin() -> None:
    assert calibration_table([1.0, 0.0], [1, 0], bins=4)[-1].low == 0.75


def test_mismatched_empty_or_out_of_range_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="outcomes"):
        brier([0.5, 0.5], [1])
    with pytest.raises(ValueError, match="no forecasts"):
        brier([], [])
    with pytest.raises(ValueError, match="forecasts must lie"):
        brier([1.5], [1])
    with pytest.raises(ValueError, match="bins"):
        calibration_table([0.5], [1], bins=0)
    with pytest.raises(ValueError, match="reference"):
        skill(0.1, 0.0)


pairs = st.lists(st.tuples(st.floats(0, 1), st.sampled_from([0.0, 0.5, 1.0])), min_size=1, max_size=60)


@given(pairs)
def test_distinct_binning_decomposes_any_forecasts_exactly(data: list[tuple[float, float]]) -> None:
    f, o = np.array(data).T
    parts = brier_decomposition(f, o, bins="distinct")
    assert parts.residual == pytest.approx(0.0, abs=1e-9)
    assert parts.reliability >= 0 and parts.resolution >= 0


@given(pairs, st.integers(1, 20))
def test_calibration_table_counts_every_forecast_once(data: list[tuple[float, float]], bins: int) -> None:
    f, o = np.array(data).T
    table = calibration_table(f, o, bins=bins)
    assert sum(row.count for row in table) == len(data)
    assert all(row.low - 1e-9 <= row.mean_forecast <= row.high + 1e-9 for row in table)
