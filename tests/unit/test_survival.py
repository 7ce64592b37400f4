"""Survival of agreements: Kaplan–Meier by hand, and a Cox fit that recovers a known hazard ratio."""

from __future__ import annotations

import numpy as np
import pytest

from servanda.analysis.survival import MIN_EVENTS_PER_COVARIATE, Spell, cox, curves_by, kaplan_meier
from servanda.domain.records import Agreement
from servanda.record.agreement_spells import spells_of


def _simulate(hazard_ratio: float, n: int = 600, seed: int = 7) -> list[Spell]:
    """Exponential times with baseline hazard .3 per year, times ``hazard_ratio`` for the covariate, censored
    uniformly within eight years."""
    rng = np.random.default_rng(seed)
    guaranteed = rng.random(n) < 0.5
    times = rng.exponential(1.0 / np.where(guaranteed, 0.3 * hazard_ratio, 0.3))
    censor = rng.uniform(0.0, 8.0, n)
    return [
        Spell(f"a{i}", float(min(t, c)), bool(t <= c), {"third_party": bool(g)})
        for i, (t, c, g) in enumerate(zip(times, censor, guaranteed, strict=True))
    ]


def test_cox_recovers_a_known_hazard_ratio() -> None:
    result = cox(_simulate(0.5), ["third_party"])
    [ratio] = result.ratios
    assert ratio.low < 0.5 < ratio.high
    assert ratio.high < 1.0  # with 600 agreements the halving is detected
    assert result.skipped is None and result.concordance is not None


def test_no_effect_gives_an_interval_around_one() -> None:
    [ratio] = cox(_simulate(1.0, seed=11), ["third_party"]).ratios
    assert ratio.low < 1.0 < ratio.high


def test_kaplan_meier_by_hand() -> None:
    # ends at 1, 2 (censored), 3, 4: S = 3/4 after 1, then 3/4 · 1/2 after 3, then 0 after 4
    spells = [
        Spell("a", 1, True, {}),
        Spell("b", 2, False, {}),
        Spell("c", 3, True, {}),
        Spell("d", 4, True, {}),
    ]
    curve = kaplan_meier(spells, "all")
    survival = dict(zip(curve.times, curve.survival, strict=True))
    assert survival[1.0] == pytest.approx(0.75)
    assert survival[3.0] == pytest.approx(0.375)
    assert survival[4.0] == pytest.approx(0.0)
    assert curve.median_years == pytest.approx(3.0)
    assert (curve.n, curve.events) == (4, 3)


def test_curves_by_group() -> None:
    curves = curves_by(_simulate(0.5), "third_party", ("without", "with"))
    assert [c.label for c in curves] == ["without", "with"]
    assert dict(curves[1].at_years)[2.0] > dict(curves[0].at_years)[2.0]


def test_too_few_events_or_no_variation_fits_nothing() -> None:
    few = _simulate(0.5)[:12]
    result = cox(few, ["third_party"])
    assert not result.ratios and result.skipped is not None
    assert f"at least {MIN_EVENTS_PER_COVARIATE}" in result.skipped
    constant = [Spell(s.id, s.years, s.ended, {"third_party": True}) for s in _simulate(0.5)]
    assert "varies" in (cox(constant, ["third_party"]).skipped or "")


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="finite number of years"):
        kaplan_meier([Spell("a", -1.0, True, {})], "x")


def _agreement(id: str, signed: str, **fields: object) -> Agreement:
    return Agreement.model_validate(
        {"id": id, "title": id, "kind": "ceasefire", "parties": ["a"], "signed": signed, **fields}
    )


def test_agreements_become_spells() -> None:
    spells = spells_of(
        [
            _agreement(
                "ended",
                "2000-01-01",
                status_history=[{"status": "terminated", "date": "2001-01-01"}],
                provisions=["cease", "pko"],
            ),
            _agreement("lasting", "2000-01-01", third_parties=[{"actor": "un"}]),
            _agreement("expired", "2002-01-01", status_history=[{"status": "expired", "date": "2010-01-01"}]),
            _agreement("unknown-end", "2003-01-01", notes="UCDP codes it as ended but gives no date."),
            _agreement(
                "stillborn", "2004-01-01", status_history=[{"status": "never_in_force", "date": "2005"}]
            ),
        ]
    )
    by_id = {s.id: s for s in spells.spells}
    assert str(spells.observed_until) == "2010-01-01"
    assert by_id["ended"].ended and by_id["ended"].years == pytest.approx(1.0, abs=0.01)
    assert by_id["ended"].covariates == {"third_party": False, "pko": True}
    assert not by_id["lasting"].ended and by_id["lasting"].covariates["third_party"]
    assert by_id["lasting"].years == pytest.approx(10.0, abs=0.01)
    assert not by_id["expired"].ended
    assert set(spells.left_out) == {"unknown-end", "stillborn"}
