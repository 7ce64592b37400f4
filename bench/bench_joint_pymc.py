"""Benchmark: servanda's joint actor + strength + kind model against PyMC's NUTS on the same model (issue 6).

Not a test. Run from the repository root (PyMC is a bench-only dependency):

    python bench/bench_joint_pymc.py               # 2,000 actors (about 20,000 outcomes) for both
    python bench/bench_joint_pymc.py --big         # also servanda alone on 10,000 actors, 100,000 outcomes

Fixed seed. logit P(kept) = 0.3 + u_actor + β_strength + γ_kind, u ~ Normal(0, 0.8²), four strengths
(β = 1, 0.5, 0, −0.7) and six kinds (γ = −0.5 … 0.6); each actor has a geometric number of outcomes (mean
10), each of a random strength and kind, kept 1 or broken 0. No decay.

The reference is the same model with σ given a prior instead of being fitted (ln σ ~ Normal(ln 0.5, 1)),
β, γ ~ Normal(0, 1.5²) and μ ~ Normal(0, 10²) as in servanda, sampled with NUTS. Printed: seconds for each,
the ratio, the largest and mean absolute difference between the posterior means of P(kept) for every
actor × strength × kind with outcomes, and the share of those whose 90% interval covers the true P.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from servanda.analysis.credibility import OutcomeColumns
from servanda.analysis.joint import EFFECT_SD, INTERCEPT_SD, estimate_joint

SEED = 6
STRENGTHS = ("ratified_treaty", "signed_agreement", "official_assurance", "remark")
KINDS = ("territorial", "ceasefire", "arms_control", "humanitarian", "trade", "security")
BETA = np.array([1.0, 0.5, 0.0, -0.7])
GAMMA = np.array([-0.5, -0.2, 0.0, 0.2, 0.4, 0.6])


def simulate(
    actors: int,
) -> tuple[OutcomeColumns, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    u = rng.normal(0.0, 0.8, actors)
    who = np.repeat(np.arange(actors), rng.geometric(1 / 10, actors))
    s = rng.integers(0, 4, who.size)
    k = rng.integers(0, 6, who.size)
    p = 1 / (1 + np.exp(-(0.3 + u[who] + BETA[s] + GAMMA[k])))
    kept = (rng.random(who.size) < p).astype(float)
    columns = OutcomeColumns(
        [f"s{i}" for i in range(who.size)],
        [f"a{i:05d}" for i in who],
        kept,
        np.zeros(who.size, dtype=np.int64) + 730_000,
        [STRENGTHS[i] for i in s],
        [KINDS[i] for i in k],
    )
    return columns, who, s, k, kept, u


def run_servanda(columns: OutcomeColumns, runs: int = 5) -> tuple[float, dict[tuple[str, str, str], object]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        _, found = estimate_joint(columns, half_life_years=None)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), {e.key: e for e in found}


def run_pymc(
    who: np.ndarray, s: np.ndarray, k: np.ndarray, kept: np.ndarray, actors: int
) -> tuple[float, float, list[tuple[str, str, str]], np.ndarray]:
    import pymc as pm

    cells = np.unique((who * 4 + s) * 6 + k)
    ca, cs, ck = cells // 24, (cells // 6) % 4, cells % 6
    t0 = time.perf_counter()
    with pm.Model():
        mu = pm.Normal("mu", 0.0, INTERCEPT_SD)
        beta = pm.Normal("beta", 0.0, EFFECT_SD, shape=4)
        gamma = pm.Normal("gamma", 0.0, EFFECT_SD, shape=6)
        log_sd = pm.Normal("log_sd", np.log(0.5), 1.0)
        z = pm.Normal("z", 0.0, 1.0, shape=actors)
        u = z * pm.math.exp(log_sd)
        pm.Bernoulli("y", logit_p=mu + u[who] + beta[s] + gamma[k], observed=kept)
        pm.Deterministic("p_cell", pm.math.sigmoid(mu + u[ca] + beta[cs] + gamma[ck]))
        idata = pm.sample(1000, tune=1000, chains=2, cores=2, random_seed=SEED, progressbar=False)
    total = time.perf_counter() - t0
    draws = float(idata.posterior.attrs["sampling_time"])
    samples = idata.posterior["p_cell"].values.reshape(-1, cells.size)
    keys = [(f"a{a:05d}", STRENGTHS[x], KINDS[y]) for a, x, y in zip(ca, cs, ck, strict=True)]
    return total, draws, keys, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=2_000)
    parser.add_argument("--big", action="store_true")
    args = parser.parse_args()

    columns, who, s, k, kept, u = simulate(args.actors)
    print(f"{args.actors} actors, {who.size} outcomes, 4 strengths × 6 kinds; seed {SEED}")
    estimate_joint(columns, half_life_years=None)  # warm up
    ours, found = run_servanda(columns)
    total, draws, keys, samples = run_pymc(who, s, k, kept, args.actors)
    assert sorted(keys) == sorted(found)
    ours_mean = np.array([found[key].mean for key in keys])  # type: ignore[attr-defined]
    nuts_mean = samples.mean(axis=0)
    nuts_low, nuts_high = np.quantile(samples, [0.05, 0.95], axis=0)
    truth = np.array(
        [
            1 / (1 + np.exp(-(0.3 + u[int(a[1:])] + BETA[STRENGTHS.index(st)] + GAMMA[KINDS.index(kd)])))
            for a, st, kd in keys
        ]
    )
    low = np.array([found[key].low for key in keys])  # type: ignore[attr-defined]
    high = np.array([found[key].high for key in keys])  # type: ignore[attr-defined]
    diff = np.abs(ours_mean - nuts_mean)
    print()
    print("| figure                                          |   servanda |   PyMC NUTS |")
    print("|-------------------------------------------------|------------|-------------|")
    print(f"| seconds (NUTS: build + compile + sample)        | {ours:>10.3f} | {total:>11.2f} |")
    print(f"| seconds (NUTS: tuning + drawing only)           |            | {draws:>11.2f} |")
    print(f"| speed-up (NUTS total / servanda)                | {total / ours:>9.0f}× |             |")
    print(f"| cells (actor × strength × kind with outcomes)   | {len(keys):>10} |             |")
    print(f"| posterior mean of P, max abs difference         | {diff.max():>10.4f} |             |")
    print(f"| posterior mean of P, mean abs difference        | {diff.mean():>10.4f} |             |")
    cover_s = np.mean((low <= truth) & (truth <= high))
    cover_p = np.mean((nuts_low <= truth) & (truth <= nuts_high))
    print(f"| 90% interval covers true P (share of cells)     | {cover_s:>10.3f} | {cover_p:>11.3f} |")
    if args.big:
        big, *_ = simulate(10_000)
        seconds, _ = run_servanda(big, runs=3)
        print(f"| seconds, 10,000 actors, {len(big.value):,} outcomes    | {seconds:>10.3f} |             |")


if __name__ == "__main__":
    main()
