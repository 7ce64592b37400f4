"""Benchmark: servanda's empirical-Bayes credibility estimate against PyMC's NUTS on the same model (issue 6).

Not a test. Run from the repository root (PyMC is a bench-only dependency: ``pip install pymc``):

    python bench/bench_credibility_pymc.py       # 2,000 actors, 2 chains × (1,000 tune + 1,000 draws)

Fixed seed. Each actor's true keep rate p_i is drawn from Beta(3, 2); its number of assessed commitments
varies (a geometric count from 1, mean 10, so many actors have only a handful); each outcome is kept (1) or
broken (0) with probability p_i. No decay (servanda's ``half_life_years=None``), since the reference model has
none.

The reference is the full hierarchical Beta-Binomial model,

    μ ~ Beta(2, 2)                    population mean keep rate
    ln κ ~ Normal(ln 10, 1.5)         population concentration (α + β), weakly informative
    p_i ~ Beta(μκ, (1 − μ)κ)          each actor
    k_i ~ Binomial(n_i, p_i)

sampled with NUTS; servanda fits (α, β) by maximising the marginal likelihood instead of integrating over
them, then updates each actor conjugately. Printed: seconds for each (servanda: median of ``RUNS`` runs
of ``estimate`` on the outcomes, of ``estimate_columns`` on the same record as columns, and of its numerical
core on the per-actor counts; NUTS: with and without
compiling the model), the ratios, the largest and mean absolute difference between the two posterior means
of p_i, the share of actors whose central 90% interval covers the true p_i for each, and both populations.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from servanda.analysis.credibility import (
    Outcome,
    OutcomeColumns,
    beta_interval,
    estimate,
    estimate_columns,
    fit_beta_prior,
)

SEED = 6
RUNS = 21
"""servanda's times are the median of this many runs: single runs of a few milliseconds vary by tens of
percent on a shared machine."""


def simulate(actors: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Outcome]]:
    """True rates, commitments and kept counts per actor, and the same record as servanda outcomes."""
    rng = np.random.default_rng(seed)
    truth = rng.beta(3.0, 2.0, actors)
    n = rng.geometric(1 / 10, actors)  # 1, 2, ... commitments, mean 10
    start = date(1995, 1, 1)
    outcomes: list[Outcome] = []
    kept = np.zeros(actors, dtype=np.int64)
    for i in range(actors):
        values = rng.random(n[i]) < truth[i]
        kept[i] = int(values.sum())
        days = rng.integers(0, 30 * 365, n[i])
        outcomes.extend(
            Outcome(
                f"s{i}-{j}",
                f"a{i:05d}",
                "remark",
                None,
                start,
                start + timedelta(days=int(days[j])),
                float(values[j]),
            )
            for j in range(n[i])
        )
    return truth, n, kept, outcomes


def median_seconds(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def run_servanda(
    outcomes: list[Outcome], actors: int
) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray, tuple[float, float]]:
    """``estimate`` on the Outcome objects, and ``estimate_columns`` on the same record as columns (built
    once, outside the timing, as a caller holding arrays would have them); both give the same estimates."""
    found = estimate(outcomes, half_life_years=None)
    columns = OutcomeColumns.of(outcomes)
    assert estimate_columns(columns, half_life_years=None) == found
    assert len(found) == actors and [e.key[0] for e in found] == [f"a{i:05d}" for i in range(actors)]
    seconds = median_seconds(lambda: estimate(outcomes, half_life_years=None))
    columnar = median_seconds(lambda: estimate_columns(columns, half_life_years=None))
    mean = np.array([e.mean for e in found])
    low = np.array([e.low for e in found])
    high = np.array([e.high for e in found])
    return seconds, columnar, mean, low, high, found[0].prior


def run_core(n: np.ndarray, kept: np.ndarray) -> float:
    """servanda's numerical core on the per-actor counts PyMC is given: fit the prior, update, interval."""

    def core() -> None:
        alpha, beta = fit_beta_prior(kept, n)
        beta_interval(alpha + kept, beta + n - kept)

    return median_seconds(core)


def run_pymc(
    n: np.ndarray, kept: np.ndarray, draws: int, tune: int, chains: int
) -> tuple[float, float, float, np.ndarray, np.ndarray, np.ndarray, tuple[float, float], float, float]:
    import pymc as pm

    t0 = time.perf_counter()
    with pm.Model():
        mu = pm.Beta("mu", 2.0, 2.0)
        log_kappa = pm.Normal("log_kappa", np.log(10.0), 1.5)
        kappa = pm.Deterministic("kappa", pm.math.exp(log_kappa))
        p = pm.Beta("p", mu * kappa, (1.0 - mu) * kappa, shape=n.size)
        pm.Binomial("k", n=n, p=p, observed=kept)
        t1 = time.perf_counter()
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=chains,
            random_seed=SEED,
            progressbar=False,
            compute_convergence_checks=False,
        )
    t2 = time.perf_counter()
    draws_only = float(idata.posterior.attrs["sampling_time"])
    samples = idata.posterior["p"].values.reshape(-1, n.size)
    mean = samples.mean(axis=0)
    low, high = np.quantile(samples, [0.05, 0.95], axis=0)
    mu_s = idata.posterior["mu"].values.ravel()
    kappa_s = idata.posterior["kappa"].values.ravel()
    prior = (float(np.mean(mu_s * kappa_s)), float(np.mean((1 - mu_s) * kappa_s)))
    divergent = float(idata.sample_stats["diverging"].values.sum())
    import arviz as az

    rhat = float(az.rhat(idata, var_names=["mu", "log_kappa"]).to_array().max())
    return t2 - t0, t2 - t1, draws_only, mean, low, high, prior, divergent, rhat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=2_000)
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--tune", type=int, default=1_000)
    parser.add_argument("--chains", type=int, default=2)
    args = parser.parse_args()

    truth, n, kept, outcomes = simulate(args.actors)
    print(
        f"{args.actors} actors, {len(outcomes)} outcomes (per actor: min {n.min()}, "
        f"median {int(np.median(n))}, max {n.max()}); true rates ~ Beta(3, 2); seed {SEED}"
    )
    estimate(outcomes[:100], half_life_years=None)  # warm up imports and scipy
    ours, columnar, s_mean, s_low, s_high, s_prior = run_servanda(outcomes, args.actors)
    core = run_core(n.astype(np.float64), kept.astype(np.float64))
    total, sample_call, sampling, p_mean, p_low, p_high, p_prior, divergent, rhat = run_pymc(
        n, kept, args.draws, args.tune, args.chains
    )
    diff = np.abs(s_mean - p_mean)
    cover_s = float(np.mean((s_low <= truth) & (truth <= s_high)))
    cover_p = float(np.mean((p_low <= truth) & (truth <= p_high)))
    width_s = float(np.mean(s_high - s_low))
    width_p = float(np.mean(p_high - p_low))
    print(
        f"NUTS: {args.chains} chains × ({args.tune} tune + {args.draws} draws), {divergent:.0f} divergences, "
        f"max R-hat (μ, ln κ) {rhat:.3f}"
    )
    print()
    print("| figure                                          |   servanda |   PyMC NUTS |")
    print("|-------------------------------------------------|------------|-------------|")
    print(f"| seconds (NUTS: model build + compile + sample)  | {ours:>10.4f} | {total:>11.2f} |")
    print(f"| seconds (NUTS: pm.sample, compile + run)        |            | {sample_call:>11.2f} |")
    print(f"| seconds (NUTS: tuning + drawing only)           |            | {sampling:>11.2f} |")
    print(f"| seconds (servanda estimate_columns)             | {columnar:>10.4f} |             |")
    print(f"| seconds (servanda core on counts, no Outcomes)  | {core:>10.4f} |             |")
    print(f"| speed-up (NUTS total / servanda)                | {total / ours:>9.0f}× |             |")
    print(f"| speed-up (NUTS drawing only / servanda)         | {sampling / ours:>9.0f}× |             |")
    print(f"| speed-up (NUTS total / estimate_columns)        | {total / columnar:>9.0f}× |             |")
    print(f"| speed-up (NUTS total / servanda core)           | {total / core:>9.0f}× |             |")
    print(f"| posterior mean of p_i, max abs difference       | {diff.max():>10.4f} |             |")
    print(f"| posterior mean of p_i, mean abs difference      | {diff.mean():>10.4f} |             |")
    print(f"| 90% interval covers true p_i (share of actors)  | {cover_s:>10.3f} | {cover_p:>11.3f} |")
    print(f"| mean width of the 90% interval                  | {width_s:>10.3f} | {width_p:>11.3f} |")
    print(
        f"| population prior (α, β)                         | {s_prior[0]:>4.2f}, {s_prior[1]:>4.2f} | "
        f"{p_prior[0]:>5.2f}, {p_prior[1]:>4.2f} |"
    )


if __name__ == "__main__":
    main()
