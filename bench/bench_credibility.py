"""Benchmark: fitting the credibility model at scale (issue 6).

Not a test. Run from the repository root:

    python bench/bench_credibility.py

Fixed seed: 100,000 outcomes by 10,000 actors, true keep rates drawn from Beta(3, 2), four strengths and six
kinds, decided over thirty years. Times ``estimate`` by actor, strength and kind, and ``backtest`` on 10,000
outcomes, and the joint actor + strength + kind model (``estimate_joint``) on the 100,000. The comparisons
with PyMC's NUTS are in bench_credibility_pymc.py and bench_joint_pymc.py.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from servanda.analysis.backtest import backtest
from servanda.analysis.credibility import Outcome, estimate
from servanda.analysis.joint import estimate_joint

STRENGTHS = ("ratified_treaty", "signed_agreement", "official_assurance", "remark")
KINDS = ("territorial", "ceasefire", "arms_control", "humanitarian", "trade", "security")


def record(n: int, actors: int, seed: int = 6) -> list[Outcome]:
    rng = np.random.default_rng(seed)
    truth = rng.beta(3.0, 2.0, actors)
    who = rng.integers(0, actors, n)
    days = rng.integers(0, 30 * 365, n)
    kept = rng.random(n) < truth[who]
    start = date(1995, 1, 1)
    return [
        Outcome(
            f"s{i}",
            f"a{who[i]}",
            STRENGTHS[i % 4],
            KINDS[i % 6],
            start,
            start + timedelta(days=int(days[i])),
            float(kept[i]),
        )
        for i in range(n)
    ]


def timed(label: str, fn: object) -> None:
    t0 = time.perf_counter()
    result = fn()  # type: ignore[operator]
    print(
        f"| {label:<44} | {time.perf_counter() - t0:>8.3f} | {len(result) if isinstance(result, list) else ''}"  # noqa: E501
    )


def main() -> None:
    big = record(100_000, 10_000)
    print("| task                                         | seconds  | groups")
    print("|----------------------------------------------|----------|-------")
    timed("estimate, 100,000 outcomes, by actor", lambda: estimate(big))
    timed("estimate, 100,000 outcomes, by strength", lambda: estimate(big, by="strength"))
    timed("estimate, 100,000 outcomes, by kind", lambda: estimate(big, by="kind"))
    timed("estimate_joint, 100,000 outcomes", lambda: estimate_joint(big)[1])
    timed("backtest, 10,000 outcomes (1,000 actors)", lambda: backtest(record(10_000, 1_000)).forecasts)


if __name__ == "__main__":
    main()
