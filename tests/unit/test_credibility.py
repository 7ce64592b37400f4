"""Credibility estimates reproduce the reference numbers (models.md §5) and recover simulated truths."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servanda.analysis.credibility import (
    Coding,
    Estimate,
    Outcome,
    OutcomeColumns,
    beta_interval,
    beta_posterior,
    code,
    decay_weight,
    decay_weights,
    estimate,
    estimate_columns,
    fit_beta_prior,
)

DAY = date(2020, 1, 1)
NO_DEADLINE = settings(deadline=None)
"""How long an example takes is for bench/, not these tests (a shared machine can stall one for 300 ms)."""
YEAR = 365.2425


def outcome(actor: str, value: float, decided: date = DAY, **fields: object) -> Outcome:
    statement = str(fields.pop("statement", f"{actor}-{decided}-{value}-{id(fields)}"))
    strength = str(fields.pop("strength", "official_assurance"))
    kind = fields.pop("kind", None)
    assert kind is None or isinstance(kind, str)
    return Outcome(
        statement,
        actor,
        strength,
        kind,
        date(1990, 1, 1),
        decided,
        value,
        bool(fields.pop("disputed", False)),
    )


def simulated(
    seed: int, actors: int = 200, a: float = 4.0, b: float = 2.0
) -> tuple[list[Outcome], np.ndarray]:
    """Actors whose true P(kept) is drawn from Beta(a, b), each with 1 to 30 outcomes decided on one day."""
    rng = np.random.default_rng(seed)
    truth = rng.beta(a, b, actors)
    outcomes = [
        Outcome(f"{i}-{j}", f"actor{i:03d}", "remark", None, DAY, DAY, float(rng.random() < truth[i]))
        for i in range(actors)
        for j in range(int(rng.integers(1, 31)))
    ]
    return outcomes, truth


# --- Reference numbers --------------------------------------------------------------------------------------


def test_seven_of_ten_kept_under_a_uniform_prior_gives_two_thirds_and_the_reference_interval() -> None:
    a, b = beta_posterior([1] * 7 + [0] * 3)
    assert (a, b) == (8.0, 4.0)
    assert a / (a + b) == pytest.approx(0.6667, abs=5e-5)
    low, high = beta_interval(a, b)
    assert float(low) == pytest.approx(0.4356, abs=5e-5)
    assert float(high) == pytest.approx(0.8649, abs=5e-5)


def test_a_two_year_half_life_turns_an_improving_record_into_the_reference_numbers() -> None:
    ages = np.array([0.5, 1, 2, 3, 5, 8]) * YEAR
    a, b = beta_posterior([0, 0, 1, 1, 1, 1], decay_weights(ages, 2.0))
    assert a == pytest.approx(2.0928, abs=5e-5)
    assert b == pytest.approx(2.5480, abs=5e-5)
    assert a / (a + b) == pytest.approx(0.4510, abs=5e-5)
    undecayed = beta_posterior([0, 0, 1, 1, 1, 1])
    assert undecayed[0] / sum(undecayed) == pytest.approx(0.625)


def test_a_strong_prior_pulls_one_of_three_towards_the_population() -> None:
    a, b = beta_posterior([1, 0, 0], prior=(6.0, 4.0))
    assert a / (a + b) == pytest.approx(0.5385, abs=5e-5)


def test_decay_weight_halves_every_half_life_and_none_means_no_decay() -> None:
    assert decay_weight(0, 2.0) == 1.0
    assert decay_weight(2 * YEAR, 2.0) == pytest.approx(0.5)
    assert decay_weight(6 * YEAR, 2.0) == pytest.approx(0.125)
    assert decay_weight(50 * YEAR, None) == 1.0
    with pytest.raises(ValueError, match="half-life"):
        decay_weight(1, 0.0)


# --- Coding -------------------------------------------------------------------------------------------------


def test_verdicts_are_coded_kept_one_partial_half_broken_and_withdrawn_zero() -> None:
    assert [code(v) for v in ("kept", "partially_kept", "broken", "withdrawn")] == [1.0, 0.5, 0.0, 0.0]


def test_open_unknowable_and_superseded_verdicts_are_left_out() -> None:
    assert {code(v) for v in ("pending", "in_progress", "unassessable", "superseded")} == {None}


def test_the_coding_policy_can_leave_out_withdrawn_and_disputed_verdicts() -> None:
    assert code("withdrawn", coding=Coding(withdrawn="exclude")) is None
    assert code("kept", disputed=True) == 1.0
    assert code("kept", disputed=True, coding=Coding(disputed="exclude")) is None
    assert "withdrawn counts as broken" in Coding().describe()


def test_assertion_verdicts_are_not_commitment_outcomes() -> None:
    with pytest.raises(ValueError, match="not a commitment verdict"):
        code("accurate")


def test_an_outcome_value_other_than_zero_half_or_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"0, 0\.5 or 1"):
        outcome("a", 0.7)


# --- The prior ----------------------------------------------------------------------------------------------


def test_the_fitted_prior_recovers_the_population_it_was_drawn_from() -> None:
    rng = np.random.default_rng(1)
    p = rng.beta(3.0, 2.0, 5000)
    n = rng.integers(5, 40, 5000).astype(float)
    a, b = fit_beta_prior(rng.binomial(n.astype(int), p).astype(float), n)
    assert a / (a + b) == pytest.approx(0.6, abs=0.01)
    assert a + b == pytest.approx(5.0, rel=0.15)


def test_with_fewer_than_two_groups_the_prior_is_weak_and_centred_on_the_pooled_rate() -> None:
    assert fit_beta_prior(np.array([]), np.array([])) == (1.0, 1.0)
    a, b = fit_beta_prior([8.0], [8.0])
    assert a + b == pytest.approx(2.0)
    assert a / (a + b) == pytest.approx(0.9)


def test_identical_actors_get_a_prior_concentrated_on_their_common_rate() -> None:
    a, b = fit_beta_prior([5.0] * 50, [10.0] * 50)
    assert a / (a + b) == pytest.approx(0.5)
    assert a + b > 1000


# --- Estimates ----------------------------------------------------------------------------------------------


def test_an_actor_with_three_outcomes_is_pulled_towards_the_others() -> None:
    record = [outcome(f"big{i}", float(j % 2)) for i in range(10) for j in range(40)]
    record += [outcome("small", 1.0) for _ in range(3)]
    small = next(e for e in estimate(record) if e.key == ("small",))
    assert 0.5 < small.mean < 0.8
    assert small.low < small.mean < small.high
    assert small.count == 3 and small.effective_n == pytest.approx(3.0)


def test_only_outcomes_decided_by_as_of_count_and_age_is_measured_from_as_of() -> None:
    record = [outcome("a", 1.0, DAY), outcome("a", 0.0, DAY + timedelta(days=10))]
    (before,) = estimate(record, as_of=DAY + timedelta(days=5), half_life_years=1.0)
    assert before.count == 1
    assert before.total == pytest.approx(decay_weight(5, 1.0))
    assert estimate(record, as_of=DAY - timedelta(days=1)) == []


def test_groups_by_strength_and_kind_key_on_the_actor_and_the_value() -> None:
    record = [
        outcome("a", 1.0, strength="remark", kind="ceasefire"),
        outcome("a", 0.0, strength="ratified_treaty"),
        outcome("b", 1.0, strength="remark"),
    ]
    assert [e.key for e in estimate(record, by="strength")] == [
        ("a", "ratified_treaty"),
        ("a", "remark"),
        ("b", "remark"),
    ]
    assert [e.key for e in estimate(record, by="kind")] == [
        ("a", "ceasefire"),
        ("a", "unspecified"),
        ("b", "unspecified"),
    ]


def test_a_strength_shared_by_five_actors_gets_its_own_prior_and_a_rare_one_the_actor_prior() -> None:
    record = [outcome(f"a{i}", float(j < 9), strength="ratified_treaty") for i in range(6) for j in range(10)]
    record += [outcome(f"a{i}", float(j < 2 + i), strength="remark") for i in range(6) for j in range(10)]
    record += [outcome("a0", 1.0, strength="signed_agreement")]
    estimates = {e.key: e for e in estimate(record, by="strength")}
    actor_prior = estimate(record)[0].prior
    assert estimates[("a0", "signed_agreement")].prior == actor_prior
    treaty, remark = estimates[("a0", "ratified_treaty")].prior, estimates[("a0", "remark")].prior
    assert treaty[0] / sum(treaty) > 0.8 > 0.5 > remark[0] / sum(remark)


def test_the_most_influential_commitments_are_named_with_the_sign_of_their_effect() -> None:
    record = [outcome("a", 1.0, DAY - timedelta(days=3000), statement="old kept")]
    record += [outcome("a", 0.0, DAY, statement=f"broken {i}") for i in range(3)]
    record += [outcome("a", 1.0, DAY, statement="new kept")]
    record += [outcome("b", float(i % 2), DAY) for i in range(10)]
    (a, _) = estimate(record, half_life_years=2.0)
    names = [name for name, _ in a.influential]
    assert len(names) == 3 and "old kept" not in names
    assert dict(a.influential)["new kept"] > 0
    assert all(change < 0 for name, change in a.influential if name.startswith("broken"))


def test_disputed_outcomes_are_counted_and_shown() -> None:
    (a,) = estimate([outcome("a", 1.0, disputed=True), outcome("a", 0.0)])
    assert a.disputed == 1 and a.count == 2


# --- Properties ---------------------------------------------------------------------------------------------

records = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 8000)),
    min_size=1,
    max_size=40,
)


def _record(rows: list[tuple[str, float, int]]) -> list[Outcome]:
    return [
        outcome(actor, value, DAY + timedelta(days=day), statement=str(i))
        for i, (actor, value, day) in enumerate(rows)
    ]


@NO_DEADLINE
@given(records, st.sampled_from(["actor", "strength", "kind"]), st.none() | st.floats(0.1, 50))
def test_every_estimate_is_a_probability_inside_its_own_interval(
    rows: list[tuple[str, float, int]], by: str, half_life: float | None
) -> None:
    for e in estimate(_record(rows), by=by, half_life_years=half_life):  # type: ignore[arg-type]
        assert 0.0 <= e.low <= e.mean <= e.high <= 1.0
        assert 0.0 <= e.kept <= e.total + 1e-12


@NO_DEADLINE
@given(st.integers(0, 20), st.integers(0, 20), st.integers(2, 5))
def test_more_of_the_same_record_narrows_the_interval(kept: int, broken: int, factor: int) -> None:
    values = [1.0] * kept + [0.0] * broken
    low, high = beta_interval(*beta_posterior(values))
    more_low, more_high = beta_interval(*beta_posterior(values * factor))
    assert more_high - more_low <= high - low + 1e-12


@NO_DEADLINE
@given(records, st.floats(0.1, 50), st.floats(0.1, 50))
def test_decay_never_increases_the_effective_number_of_outcomes(
    rows: list[tuple[str, float, int]], h1: float, h2: float
) -> None:
    shorter, longer = sorted((h1, h2))
    record = _record(rows)
    for none, long, short in zip(
        estimate(record, half_life_years=None),
        estimate(record, half_life_years=longer),
        estimate(record, half_life_years=shorter),
        strict=True,
    ):
        assert none.effective_n == pytest.approx(none.count)
        assert short.effective_n <= long.effective_n * (1 + 1e-12) <= none.effective_n * (1 + 1e-12)


# --- Columns ----------------------------------------------------------------------------------------------


@NO_DEADLINE
@given(
    records,
    st.sampled_from(["actor", "strength", "kind"]),
    st.none() | st.floats(0.1, 50),
    st.none() | st.integers(0, 8000),
)
def test_columns_give_exactly_the_estimates_the_objects_give(
    rows: list[tuple[str, float, int]], by: str, half_life: float | None, as_of: int | None
) -> None:
    record = [
        outcome(actor, value, DAY + timedelta(days=day), statement=str(i), kind=("ceasefire", None)[i % 2])
        for i, (actor, value, day) in enumerate(rows)
    ]
    when = None if as_of is None else DAY + timedelta(days=as_of)
    options = {"by": by, "as_of": when, "half_life_years": half_life}
    assert estimate_columns(OutcomeColumns.of(record), **options) == estimate(record, **options)  # type: ignore[arg-type]


def test_estimates_are_equal_to_ones_built_by_the_dataclass_constructor() -> None:
    # estimate() fills each Estimate's __dict__ directly for speed; it must be indistinguishable
    for e in estimate([outcome("a", 1.0), outcome("a", 0.0), outcome("b", 0.5)]):
        rebuilt = Estimate(**{name: getattr(e, name) for name in Estimate.__dataclass_fields__})
        assert e == rebuilt and hash(e) == hash(rebuilt) and repr(e) == repr(rebuilt)


def test_columns_without_strength_or_kind_can_be_estimated_only_by_actor() -> None:
    columns = OutcomeColumns(["s1", "s2"], ["a", "a"], [1.0, 0.0], [DAY.toordinal()] * 2)
    (a,) = estimate_columns(columns)
    assert a.count == 2 and a.disputed == 0
    with pytest.raises(ValueError, match="needs the kind column"):
        estimate_columns(columns, by="kind")


def test_columns_of_unequal_length_or_with_values_other_than_zero_half_one_are_refused() -> None:
    with pytest.raises(ValueError, match="one entry per outcome"):
        estimate_columns(OutcomeColumns(["s1"], ["a", "b"], [1.0, 0.0], [1, 1]))
    with pytest.raises(ValueError, match=r"0, 0\.5 or 1"):
        estimate_columns(OutcomeColumns(["s1"], ["a"], [0.7], [1]))
    assert estimate_columns(OutcomeColumns([], [], [], [])) == []


def test_the_interval_of_repeated_and_broadcast_parameters_is_the_elementwise_one() -> None:
    low, high = beta_interval([8.0, 2.0, 8.0], 4.0)
    assert low.shape == (3,) and low[0] == low[2] and high[0] == high[2]
    single = beta_interval(8.0, 4.0)
    assert single[0].shape == () and float(single[0]) == low[0]


def test_the_prior_fitted_on_repeated_records_is_the_prior_fitted_on_each_once_as_many_times() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 12, 300).astype(float)
    k = np.floor(rng.random(300) * (n + 1))
    order = rng.permutation(300)
    assert fit_beta_prior(k, n) == pytest.approx(fit_beta_prior(k[order], n[order]), rel=1e-9)


# --- Recovery on simulated records --------------------------------------------------------------------------


def test_ninety_percent_intervals_cover_the_true_rate_of_about_ninety_percent_of_actors() -> None:
    coverage = []
    for seed in range(5):
        record, truth = simulated(seed)
        estimates = estimate(record, half_life_years=None)
        low = np.array([e.low for e in estimates])
        high = np.array([e.high for e in estimates])
        coverage.append(np.mean((low <= truth) & (truth <= high)))
    assert 0.85 <= float(np.mean(coverage)) <= 0.95


def test_pooled_estimates_are_closer_to_the_truth_than_raw_frequencies() -> None:
    for seed in range(5):
        record, truth = simulated(seed)
        estimates = estimate(record, half_life_years=None)
        pooled = np.array([e.mean for e in estimates])
        raw = np.array([e.kept / e.total for e in estimates])
        assert np.mean(np.abs(pooled - truth)) < np.mean(np.abs(raw - truth))


def test_a_hundred_thousand_outcomes_by_ten_thousand_actors_give_one_estimate_per_actor() -> None:
    # how fast is measured in bench/bench_credibility.py, not asserted here
    rng = np.random.default_rng(0)
    truth = rng.beta(3.0, 2.0, 10_000)
    actors = rng.integers(0, 10_000, 100_000)
    days = rng.integers(0, 30 * 365, 100_000)
    kept = rng.random(100_000) < truth[actors]
    record = [
        Outcome(
            str(i), f"a{actors[i]}", "remark", None, DAY, DAY + timedelta(days=int(days[i])), float(kept[i])
        )
        for i in range(100_000)
    ]
    estimates = estimate(record)
    assert len(estimates) == len(set(actors.tolist()))
    assert all(0.0 <= e.low <= e.mean <= e.high <= 1.0 for e in estimates)
