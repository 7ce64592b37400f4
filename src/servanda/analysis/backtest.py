"""Would the credibility model have foreseen what actors did? A rolling-origin backtest.

Each outcome, taken in the order it was decided, is forecast from what the record knew the day before: the
model's posterior mean for its actor fitted on outcomes decided strictly earlier (ages measured to that day
before). Two simple forecasters are scored beside it:

* the base rate — the share kept of all earlier outcomes, whoever the actor;
* the raw frequency — the share kept of the actor's own earlier outcomes (the base rate when it has none).

When nothing at all was decided earlier, every method forecasts ½: the first day's outcomes then add the same
amount to every score and favour no one.

Speed: rather than refitting from scratch for each day, the per-actor decayed sums are carried forward (an
exponential decay can be advanced by multiplying), so each day costs only the actors it touches. The pooled
prior is refitted whenever the number of earlier outcomes has grown by ``refit_growth`` (5% by default) since
the last fit; between refits the latest prior is used. It was fitted on earlier outcomes only, so nothing is
seen ahead of time; ``refit_growth=0`` refits every day and reproduces ``estimate`` exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from servanda.analysis.credibility import (
    DAYS_PER_YEAR,
    FloatArray,
    Outcome,
    check_half_life,
    fit_beta_prior,
)
from servanda.analysis.scoring import (
    CalibrationBin,
    Decomposition,
    brier,
    brier_decomposition,
    calibration_table,
    skill,
)

BINS = 10
"""Equal-width bins for the decomposition and the calibration table: backtest forecasts are continuous."""


@dataclass(frozen=True)
class Forecast:
    """One outcome and what each method forecast for it the day before it was decided."""

    statement: str
    actor: str
    decided: date
    value: float
    model: float
    base_rate: float
    raw_frequency: float


@dataclass(frozen=True)
class BacktestReport:
    """Scores of the model and of the two simple forecasters over the same outcomes.

    Skills are Brier skill scores of the model against each reference (positive: the model is better); they
    are NaN when the reference scored a perfect 0.
    """

    n: int
    half_life_years: float | None
    brier_model: float
    brier_base_rate: float
    brier_raw_frequency: float
    skill_vs_base_rate: float
    skill_vs_raw_frequency: float
    decomposition: Decomposition
    calibration: tuple[CalibrationBin, ...]
    forecasts: tuple[Forecast, ...]


class _Record:
    """Per-actor sums of everything decided so far, the decayed ones as of each actor's last update."""

    def __init__(self, actors: int, half_life_days: float | None) -> None:
        self.half_life_days = half_life_days
        self.kept = np.zeros(actors)  # Σw·v, decayed to `updated`
        self.total = np.zeros(actors)  # Σw
        self.total_sq = np.zeros(actors)  # Σw², for the effective counts the prior is fitted on
        self.updated = np.zeros(actors)
        self.raw_kept = np.zeros(actors)
        self.raw_total = np.zeros(actors)
        self.seen = 0
        self.seen_kept = 0.0

    def _decay(self, actors: npt.NDArray[np.intp] | slice, day: float) -> FloatArray:
        if self.half_life_days is None:
            return np.ones_like(self.updated[actors])
        return np.power(0.5, (day - self.updated[actors]) / self.half_life_days)

    def prior(self, day: float) -> tuple[float, float]:
        """The pooled prior fitted on all actors' records as they stood on ``day``."""
        known = np.flatnonzero(self.raw_total > 0)
        factor = self._decay(known, day)
        total, total_sq = self.total[known] * factor, self.total_sq[known] * factor**2
        scale = total / total_sq
        return fit_beta_prior(self.kept[known] * factor * scale, total * scale)

    def forecast(
        self, actors: npt.NDArray[np.intp], day: float, prior: tuple[float, float]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Model, base-rate and raw-frequency forecasts for ``actors`` as of ``day``."""
        if self.seen == 0:
            half = np.full(actors.size, 0.5)
            return half, half, half
        factor = self._decay(actors, day)
        alpha, beta = prior
        model = (alpha + self.kept[actors] * factor) / (alpha + beta + self.total[actors] * factor)
        base = np.full(actors.size, self.seen_kept / self.seen)
        raw_total = self.raw_total[actors]
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(raw_total > 0, self.raw_kept[actors] / raw_total, base)
        return model, base, raw

    def add(self, actors: npt.NDArray[np.intp], values: FloatArray, day: float) -> None:
        """Record outcomes decided on ``day`` (after advancing the actors' decayed sums to that day)."""
        touched = np.unique(actors)
        factor = self._decay(touched, day)
        self.kept[touched] *= factor
        self.total[touched] *= factor
        self.total_sq[touched] *= factor**2
        self.updated[touched] = day
        np.add.at(self.kept, actors, values)
        np.add.at(self.total, actors, 1.0)
        np.add.at(self.total_sq, actors, 1.0)
        np.add.at(self.raw_kept, actors, values)
        np.add.at(self.raw_total, actors, 1.0)
        self.seen += actors.size
        self.seen_kept += float(values.sum())


def _skill(score: float, reference: float) -> float:
    return skill(score, reference) if reference > 0 else math.nan


def backtest(
    outcomes: Sequence[Outcome], *, half_life_years: float | None = 10.0, refit_growth: float = 0.05
) -> BacktestReport:
    """Forecast every outcome from the record as it stood the day before, and score the forecasts."""
    check_half_life(half_life_years)
    if refit_growth < 0:
        raise ValueError("refit_growth cannot be negative")
    if not outcomes:
        raise ValueError("nothing to backtest")
    rows = sorted(outcomes, key=lambda o: o.decided)
    size = len(rows)
    days = np.fromiter((o.decided.toordinal() for o in rows), dtype=np.int64, count=size)
    values = np.fromiter((o.value for o in rows), dtype=np.float64, count=size)
    codes: dict[str, int] = {}
    actors = np.fromiter((codes.setdefault(o.actor, len(codes)) for o in rows), dtype=np.intp, count=size)

    record = _Record(len(codes), None if half_life_years is None else half_life_years * DAYS_PER_YEAR)
    model, base, raw = np.empty(size), np.empty(size), np.empty(size)
    prior, fitted_on = (1.0, 1.0), 0
    _, starts = np.unique(days, return_index=True)
    for start, stop in zip(starts, [*starts[1:], size], strict=True):
        day = float(days[start])
        if record.seen > fitted_on and record.seen - fitted_on >= refit_growth * fitted_on:
            prior, fitted_on = record.prior(day - 1), record.seen
        here = actors[start:stop]
        model[start:stop], base[start:stop], raw[start:stop] = record.forecast(here, day - 1, prior)
        record.add(here, values[start:stop], day)

    scores = brier(model, values), brier(base, values), brier(raw, values)
    return BacktestReport(
        n=size,
        half_life_years=half_life_years,
        brier_model=scores[0],
        brier_base_rate=scores[1],
        brier_raw_frequency=scores[2],
        skill_vs_base_rate=_skill(scores[0], scores[1]),
        skill_vs_raw_frequency=_skill(scores[0], scores[2]),
        decomposition=brier_decomposition(model, values, bins=BINS),
        calibration=tuple(calibration_table(model, values, bins=BINS)),
        forecasts=tuple(
            Forecast(o.statement, o.actor, o.decided, o.value, float(m), float(b), float(r))
            for o, m, b, r in zip(rows, model, base, raw, strict=True)
        ),
    )
