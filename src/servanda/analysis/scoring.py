"""Scores for probability forecasts of commitments: Brier score, its decomposition, calibration.

Outcomes may be 0, ½ or 1 (a partially kept commitment counts half); every formula here is written for
outcomes in [0, 1], and reduces to the textbook binary form when they are 0 or 1.

Binning is always explicit: ``bins="distinct"`` groups forecasts by their exact value (the decomposition is
then exact, BS = REL − RES + UNC), an integer ``k`` uses k equal-width bins on [0, 1] (the usual choice for
continuous forecasts; the identity then holds only up to within-bin terms, reported as ``residual``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Bins = int | Literal["distinct"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Decomposition:
    """Murphy's decomposition of the Brier score: ``brier ≈ reliability − resolution + uncertainty``.

    ``reliability`` (lower is better) is how far forecasts are from what happened when they were made;
    ``resolution`` (higher is better) is how much the forecasts separate outcomes from the base rate;
    ``uncertainty`` is the variance of the outcomes, which no forecaster controls.
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float

    @property
    def residual(self) -> float:
        """What the three terms miss: zero for distinct-value bins, the within-bin terms otherwise."""
        return self.brier - (self.reliability - self.resolution + self.uncertainty)


@dataclass(frozen=True)
class CalibrationBin:
    """One row of a calibration table: forecasts in [low, high) (the last bin includes 1)."""

    low: float
    high: float
    count: int
    mean_forecast: float
    observed: float


def _checked(forecasts: npt.ArrayLike, outcomes: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Both arrays as floats, after refusing what would give a meaningless score."""
    f = np.asarray(forecasts, dtype=np.float64).ravel()
    o = np.asarray(outcomes, dtype=np.float64).ravel()
    if f.shape != o.shape:
        raise ValueError(f"{f.size} forecasts but {o.size} outcomes")
    if f.size == 0:
        raise ValueError("no forecasts to score")
    for name, values in (("forecasts", f), ("outcomes", o)):
        if not np.all((values >= 0.0) & (values <= 1.0)):
            raise ValueError(f"{name} must lie in [0, 1]")
    return f, o


def brier(forecasts: npt.ArrayLike, outcomes: npt.ArrayLike) -> float:
    """Mean squared difference between forecast and outcome; 0 is perfect, 0.25 is always saying ½."""
    f, o = _checked(forecasts, outcomes)
    return float(np.mean((f - o) ** 2))


def skill(score: float, reference: float) -> float:
    """Brier skill score, ``1 − score/reference``: 1 is perfect, 0 no better than the reference."""
    if reference <= 0.0:
        raise ValueError("a reference score of 0 leaves no room for skill")
    return 1.0 - score / reference


def _bin_index(f: FloatArray, bins: Bins) -> tuple[npt.NDArray[np.intp], int]:
    """The bin of each forecast and the number of bins.

    Equal-width bins add a tiny tolerance so that a forecast of 0.7 (stored as 0.69999…) lands in the bin that
    starts at 0.7, as a reader of the table would expect.
    """
    if bins == "distinct":
        _, index = np.unique(f, return_inverse=True)
        return index.astype(np.intp), int(index.max()) + 1
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive integer or 'distinct', not {bins!r}")
    index = np.minimum(np.floor(f * bins + 1e-9), bins - 1).astype(np.intp)
    return index, bins


def _binned(
    f: FloatArray, o: FloatArray, bins: Bins
) -> tuple[npt.NDArray[np.intp], FloatArray, FloatArray, int]:
    """Per bin: the count, the mean forecast and the mean outcome (empty bins have NaN means)."""
    index, nbins = _bin_index(f, bins)
    counts = np.bincount(index, minlength=nbins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_f = np.bincount(index, weights=f, minlength=nbins) / counts
        mean_o = np.bincount(index, weights=o, minlength=nbins) / counts
    return counts, mean_f, mean_o, nbins


def brier_decomposition(
    forecasts: npt.ArrayLike, outcomes: npt.ArrayLike, bins: Bins = "distinct"
) -> Decomposition:
    """Reliability, resolution and uncertainty of a set of forecasts (see the module note on ``bins``)."""
    f, o = _checked(forecasts, outcomes)
    counts, mean_f, mean_o, _ = _binned(f, o, bins)
    used = counts > 0
    n = f.size
    base = float(np.mean(o))
    reliability = float(np.sum(counts[used] * (mean_f[used] - mean_o[used]) ** 2) / n)
    resolution = float(np.sum(counts[used] * (mean_o[used] - base) ** 2) / n)
    uncertainty = float(np.mean((o - base) ** 2))
    return Decomposition(float(np.mean((f - o) ** 2)), reliability, resolution, uncertainty)


def calibration_table(
    forecasts: npt.ArrayLike, outcomes: npt.ArrayLike, bins: int = 10
) -> list[CalibrationBin]:
    """What happened, bin by bin of forecast; empty bins are left out so that no row reports a NaN."""
    f, o = _checked(forecasts, outcomes)
    counts, mean_f, mean_o, nbins = _binned(f, o, bins)
    return [
        CalibrationBin(i / nbins, (i + 1) / nbins, int(counts[i]), float(mean_f[i]), float(mean_o[i]))
        for i in range(nbins)
        if counts[i] > 0
    ]


def expected_calibration_error(forecasts: npt.ArrayLike, outcomes: npt.ArrayLike, bins: Bins = 10) -> float:
    """Count-weighted mean gap between forecast and observed frequency across bins (0 is calibrated)."""
    f, o = _checked(forecasts, outcomes)
    counts, mean_f, mean_o, _ = _binned(f, o, bins)
    used = counts > 0
    return float(np.sum(counts[used] * np.abs(mean_f[used] - mean_o[used])) / f.size)
