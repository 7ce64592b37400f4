"""The joint actor + strength + kind model recovers simulated truths and borrows where it should."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from servanda.analysis.credibility import Outcome, OutcomeColumns, estimate_columns
from servanda.analysis.joint import estimate_joint

DAY = date(2020, 1, 1)
STRENGTHS = ("ratified_treaty", "signed_agreement", "official_assurance", "remark")
KINDS = ("ceasefire", "territorial", "arms_control", "trade")
STRENGTH_EFFECT = np.array([1.0, 0.5, 0.0, -0.7])
KIND_EFFECT = np.array([-0.5, 0.0, 0.3, 0.6])
INTERCEPT = 0.3


def simulated(
    seed: int, actors: int = 200, mean_per_actor: int = 12, actor_sd: float = 0.8
) -> tuple[OutcomeColumns, dict[tuple[str, str, str], float]]:
    """logit P(kept) = 0.3 + u_actor + β_strength + γ_kind with u ~ Normal(0, actor_sd²); each actor has 1 to
    2·mean_per_actor − 1 outcomes of random strength and kind. Returns the record and every cell's true P."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0.0, actor_sd, actors)
    per_actor = rng.integers(1, 2 * mean_per_actor, actors)
    actor = np.repeat(np.arange(actors), per_actor)
    strength = rng.integers(0, 4, actor.size)
    kind = rng.integers(0, 4, actor.size)
    eta = INTERCEPT + u[actor] + STRENGTH_EFFECT[strength] + KIND_EFFECT[kind]
    kept = (rng.random(actor.size) < 1 / (1 + np.exp(-eta))).astype(float)
    columns = OutcomeColumns(
        [f"s{i}" for i in range(actor.size)],
        [f"a{i:04d}" for i in actor],
        kept,
        np.full(actor.size, DAY.toordinal()),
        [STRENGTHS[i] for i in strength],
        [KINDS[i] for i in kind],
    )
    truth = {
        (f"a{a:04d}", STRENGTHS[s], KINDS[k]): float(
            1 / (1 + np.exp(-(INTERCEPT + u[a] + STRENGTH_EFFECT[s] + KIND_EFFECT[k])))
        )
        for a in range(actors)
        for s in range(4)
        for k in range(4)
    }
    return columns, truth


def as_outcomes(record: OutcomeColumns) -> list[Outcome]:
    fields = (record.statement, record.actor, record.strength or [], record.kind or [], record.value)
    return [Outcome(s, a, st, k, DAY, DAY, float(v)) for s, a, st, k, v in zip(*fields, strict=True)]


def test_ninety_percent_intervals_cover_the_true_rate_of_about_ninety_percent_of_cells() -> None:
    coverage = []
    for seed in range(5):
        record, truth = simulated(seed)
        _, estimates = estimate_joint(record, half_life_years=None)
        coverage.append(np.mean([e.low <= truth[e.key] <= e.high for e in estimates]))
    assert 0.85 <= float(np.mean(coverage)) <= 0.95


def test_the_fit_recovers_the_spread_between_actors_and_the_differences_between_strengths_and_kinds() -> None:
    record, _ = simulated(7, actors=2000)
    fit, _ = estimate_joint(record, half_life_years=None)
    assert fit.actor_sd == pytest.approx(0.8, abs=0.1)
    strengths = np.array([fit.strength_effects[s] for s in STRENGTHS])
    kinds = np.array([fit.kind_effects[k] for k in KINDS])
    # only differences are identified: the intercept absorbs any common shift
    assert strengths - strengths[-1] == pytest.approx(STRENGTH_EFFECT - STRENGTH_EFFECT[-1], abs=0.15)
    assert kinds - kinds[0] == pytest.approx(KIND_EFFECT - KIND_EFFECT[0], abs=0.15)
    assert fit.outcomes == len(record.value)


def test_joint_estimates_are_closer_to_the_truth_than_estimates_by_kind_alone() -> None:
    for seed in range(3):
        record, truth = simulated(seed)
        _, joint = estimate_joint(record, half_life_years=None)
        by_kind = {e.key: e.mean for e in estimate_columns(record, by="kind", half_life_years=None)}
        joint_error = np.mean([abs(e.mean - truth[e.key]) for e in joint])
        kind_error = np.mean([abs(by_kind[(e.key[0], e.key[2])] - truth[e.key]) for e in joint])
        assert joint_error < kind_error


def test_an_actor_that_breaks_everything_else_is_not_trusted_on_its_one_kept_ceasefire() -> None:
    record = [
        Outcome(f"o{i}-{j}", f"other{i}", "remark", KINDS[j % 4], DAY, DAY, float(j % 3 != 0))
        for i in range(30)
        for j in range(12)
    ]
    record += [Outcome(f"b{j}", "breaker", "remark", "territorial", DAY, DAY, 0.0) for j in range(15)]
    record += [Outcome("c", "breaker", "remark", "ceasefire", DAY, DAY, 1.0)]
    _, estimates = estimate_joint(record, half_life_years=None)
    found = {e.key: e for e in estimates}
    ceasefire = found[("breaker", "remark", "ceasefire")]
    others = [e.mean for e in estimates if e.key[0] != "breaker" and e.key[2] == "ceasefire"]
    assert ceasefire.count == 1 and ceasefire.kept == 1.0
    assert ceasefire.mean < min(others)
    assert ceasefire.low < ceasefire.mean < ceasefire.high


def test_every_estimate_is_a_probability_inside_its_own_interval() -> None:
    record, _ = simulated(11, actors=100, mean_per_actor=3)
    for half_life in (None, 5.0):
        _, estimates = estimate_joint(record, half_life_years=half_life)
        for e in estimates:
            assert 0.0 < e.low <= e.mean <= e.high < 1.0
            assert 0.0 <= e.kept <= e.total and e.count >= 1


def test_the_named_commitments_move_the_estimate_about_as_much_as_removing_them_does() -> None:
    record, _ = simulated(3, actors=60)
    rows = as_outcomes(record)
    _, estimates = estimate_joint(rows, half_life_years=None, explain={"a0001"})
    assert all(not e.influential for e in estimates if e.key[0] != "a0001")
    mine = [e for e in estimates if e.key[0] == "a0001"]
    for e in mine:
        assert 1 <= len(e.influential) <= 3
        top, change = e.influential[0]
        value = next(o.value for o in rows if o.statement == top)
        assert (change > 0) == (value == 1.0)
        _, without = estimate_joint([o for o in rows if o.statement != top], half_life_years=None)
        after = next((x.mean for x in without if x.key == e.key), None)
        if after is not None:  # the cell still exists without it
            assert e.mean - after == pytest.approx(change, rel=0.35, abs=0.005)


def test_only_outcomes_decided_by_as_of_count_and_older_ones_weigh_less() -> None:
    record = [
        Outcome(f"s{i}", f"a{i % 5}", "remark", "trade", DAY, DAY + timedelta(days=i), float(i % 2))
        for i in range(40)
    ]
    fit, estimates = estimate_joint(record, as_of=DAY + timedelta(days=19), half_life_years=1.0)
    assert fit.outcomes == 20
    assert all(e.total < e.count for e in estimates)
    with pytest.raises(ValueError, match="no outcomes decided"):
        estimate_joint(record, as_of=DAY - timedelta(days=1))
    with pytest.raises(ValueError, match="half-life"):
        estimate_joint(record, half_life_years=0.0)


def test_a_missing_kind_counts_as_unspecified_and_keys_are_sorted() -> None:
    record = [
        Outcome("s1", "b", "remark", None, DAY, DAY, 1.0),
        Outcome("s2", "a", "ratified_treaty", "trade", DAY, DAY, 0.0),
        Outcome("s3", "a", "remark", None, DAY, DAY, 1.0),
    ]
    _, estimates = estimate_joint(record)
    assert [e.key for e in estimates] == [
        ("a", "ratified_treaty", "trade"),
        ("a", "remark", "unspecified"),
        ("b", "remark", "unspecified"),
    ]
    assert estimate_joint([replace(o, disputed=True) for o in record])[1][0].disputed == 1


def test_the_object_and_column_forms_give_the_same_fit() -> None:
    record, _ = simulated(5, actors=40)
    rows = as_outcomes(record)
    assert estimate_joint(rows) == estimate_joint(record)
