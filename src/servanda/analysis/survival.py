"""How long agreements last, and whether third parties and peacekeepers make them last longer.

Kaplan–Meier curves by group and a Cox proportional-hazards model of the time from signing until an
agreement ended, fitted with lifelines on plain data (``Spell``), so that the maths can be checked on
synthetic data with a known hazard ratio and the record layer only has to say what each agreement's spell is.

The hazard ratio of a covariate is how much more (HR > 1) or less (HR < 1) likely an agreement with it is to
end at any moment than one without it, the other covariates held fixed. It is an association in the
agreements observed, not the effect of adding a guarantor: the conflicts in which third parties or
peacekeepers are accepted differ from the others in many ways.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

DAYS_PER_YEAR = 365.2425
MIN_EVENTS_PER_COVARIATE = 10
"""Fewest ended agreements per covariate for a Cox fit (the usual rule of thumb of ten events per variable);
with fewer the model is not fitted and the report says why rather than print an unstable ratio."""
MIN_GROUP = 1
SURVIVAL_AT_YEARS = (1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Spell:
    """One agreement: how long it was observed (years), whether it ended then (else it was still in force
    when observation stopped: censored), and its binary covariates (e.g. ``third_party``, ``pko``)."""

    id: str
    years: float
    ended: bool
    covariates: dict[str, bool]


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: the share of agreements still in force after each time, with its 95% band."""

    label: str
    n: int
    events: int
    times: tuple[float, ...]
    survival: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    median_years: float | None
    at_years: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class HazardRatio:
    covariate: str
    ratio: float
    low: float
    high: float
    p_value: float
    with_covariate: int


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model (``ratios``), or the reason none was fitted (``skipped``)."""

    n: int
    events: int
    covariates: tuple[str, ...]
    ratios: tuple[HazardRatio, ...]
    concordance: float | None
    skipped: str | None = None


def _check(spells: Sequence[Spell]) -> None:
    for spell in spells:
        if not (spell.years >= 0 and math.isfinite(spell.years)):
            raise ValueError(
                f"{spell.id}: a duration must be a finite number of years ≥ 0, not {spell.years!r}"
            )


def kaplan_meier(spells: Sequence[Spell], label: str) -> Curve:
    """The Kaplan–Meier estimate of the share of ``spells`` still in force over time (Greenwood band)."""
    from lifelines import KaplanMeierFitter

    _check(spells)
    if not spells:
        raise ValueError(f"{label}: no agreements to estimate a survival curve from")
    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit([s.years for s in spells], [s.ended for s in spells], label=label)
    frame = fitter.survival_function_
    band = fitter.confidence_interval_survival_function_
    times = tuple(float(t) for t in frame.index)
    median = float(fitter.median_survival_time_)
    at = tuple((years, float(fitter.predict(years))) for years in SURVIVAL_AT_YEARS)
    return Curve(
        label=label,
        n=len(spells),
        events=sum(s.ended for s in spells),
        times=times,
        survival=tuple(float(v) for v in frame.iloc[:, 0]),
        low=tuple(float(v) for v in band.iloc[:, 0]),
        high=tuple(float(v) for v in band.iloc[:, 1]),
        median_years=median if math.isfinite(median) else None,
        at_years=at,
    )


def curves_by(spells: Sequence[Spell], covariate: str, names: tuple[str, str]) -> list[Curve]:
    """Kaplan–Meier curves of the spells without and with ``covariate`` (``names``: their labels)."""
    groups = (
        [s for s in spells if not s.covariates.get(covariate, False)],
        [s for s in spells if s.covariates.get(covariate, False)],
    )
    return [kaplan_meier(group, name) for group, name in zip(groups, names, strict=True) if group]


def cox(spells: Sequence[Spell], covariates: Sequence[str]) -> CoxResult:
    """A Cox proportional-hazards fit of time until an agreement ended on binary ``covariates``.

    A covariate that every spell has, or none has, cannot be estimated and is left out (the result says so);
    too few ended spells per covariate, and nothing is fitted.
    """
    _check(spells)
    n, events = len(spells), sum(s.ended for s in spells)
    usable = [c for c in covariates if 0 < sum(s.covariates.get(c, False) for s in spells) < n]
    dropped = [c for c in covariates if c not in usable]
    note = f"left out because every agreement or none has it: {', '.join(dropped)}. " if dropped else ""
    if not usable:
        return CoxResult(n, events, (), (), None, note + "no covariate varies between the agreements")
    if events < MIN_EVENTS_PER_COVARIATE * len(usable):
        return CoxResult(
            n,
            events,
            tuple(usable),
            (),
            None,
            note + f"{events} ended agreement{'s' if events != 1 else ''} for {len(usable)} covariate"
            f"{'s' if len(usable) != 1 else ''}: a Cox model needs at least {MIN_EVENTS_PER_COVARIATE} per "
            "covariate to give a stable ratio",
        )
    import pandas as pd
    from lifelines import CoxPHFitter

    frame = pd.DataFrame(
        {
            "years": [s.years for s in spells],
            "ended": [int(s.ended) for s in spells],
            **{c: [int(s.covariates.get(c, False)) for s in spells] for c in usable},
        }
    )
    fitter = CoxPHFitter()
    with warnings.catch_warnings():
        # lifelines warns (ConvergenceWarning) when a covariate nearly separates ended from lasting spells;
        # that is turned into an error here so the report states it instead of printing a runaway ratio
        warnings.simplefilter("error", category=_convergence_warning())
        try:
            fitter.fit(frame, duration_col="years", event_col="ended")
        except _convergence_warning() as exc:
            return CoxResult(
                n, events, tuple(usable), (), None, note + f"the Cox fit did not converge: {exc}"
            )
    summary = fitter.summary
    ratios = tuple(
        HazardRatio(
            covariate=c,
            ratio=float(summary.loc[c, "exp(coef)"]),
            low=float(summary.loc[c, "exp(coef) lower 95%"]),
            high=float(summary.loc[c, "exp(coef) upper 95%"]),
            p_value=float(summary.loc[c, "p"]),
            with_covariate=sum(s.covariates.get(c, False) for s in spells),
        )
        for c in usable
    )
    return CoxResult(n, events, tuple(usable), ratios, float(fitter.concordance_index_), note.strip() or None)


def _convergence_warning() -> type[Warning]:
    from lifelines.exceptions import ConvergenceWarning

    warning: type[Warning] = ConvergenceWarning
    return warning
