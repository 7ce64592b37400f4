"""Benchmark: servanda's Merkle tree against pymerkle 7, side by side, in one run.

Not a test. Run from the repository root:

    PYTHONPATH=src python bench/bench_merkle.py            # 1,000,000 entries
    PYTHONPATH=src python bench/bench_merkle.py --size 100000

pymerkle is a bench-only dependency (``pip install pymerkle``). Entries are ~300 random bytes from a fixed
seed, so runs are comparable. The garbage collector is off while trees are built, for both sides: that
helps pymerkle (millions of node objects) more than us, so the ratios are, if anything, conservative.

``bench_pymerkle_sqlite(entries)`` is importable by ``bench/bench_log.py`` to compare the durable log's
bulk append with pymerkle's SQLite tree.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

# The path is set up above so the script runs as is, without installing the package.
from servanda.ledger.merkle import (
    MerkleTree,
    consistency_plan,
    needed_nodes,
    proof_from_nodes,
    verify_consistency,
    verify_inclusion,
)

DEFAULT_SIZE = 1_000_000
DEFAULT_SAMPLES = 1_000
SEED = 6962


def make_entries(n: int, seed: int = SEED) -> list[bytes]:
    """``n`` entries of 250-350 random bytes (about the size of a canonical-JSON log entry)."""
    rng = random.Random(seed)
    return [rng.randbytes(rng.randint(250, 350)) for _ in range(n)]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        return time.perf_counter() - t0, result
    finally:
        gc.enable()


def _p50_us(fn: Callable[[Any], Any], args: Sequence[Any]) -> float:
    """Median wall time of ``fn(a)`` over ``args``, in microseconds (one call per sample)."""
    clock = time.perf_counter_ns
    times = []
    for a in args:
        t0 = clock()
        fn(a)
        times.append(clock() - t0)
    return statistics.median(times) / 1000


def bench_pymerkle_sqlite(entries: Sequence[bytes]) -> float:
    """Seconds for pymerkle's SqliteTree to bulk-append ``entries`` (``append_entries``) into a new file."""
    from pymerkle import SqliteTree

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        tree = SqliteTree(os.path.join(tmp, "merkle.db"))
        tree.append_entries(entries)
        elapsed = time.perf_counter() - t0
        tree.close()
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--size", type=int, default=DEFAULT_SIZE, help="entries in the tree (default 1,000,000)"
    )
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="proofs timed per figure")
    parser.add_argument("--no-sqlite", action="store_true", help="skip pymerkle's SQLite bulk append")
    args = parser.parse_args(argv)

    import pymerkle

    n = args.size
    print(
        f"servanda vs pymerkle {pymerkle.__version__}: {n:,} entries of ~300 bytes, seed {SEED}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    entries = make_entries(n)
    rng = random.Random(SEED + 1)
    indices = [rng.randrange(n) for _ in range(args.samples)]
    olds = [rng.randint(1, n) for _ in range(args.samples)]

    rows: list[tuple[str, float, float, str]] = []

    ours_build, ours = _timed(lambda: _build_ours(entries))
    peer_build, peer = _timed(lambda: pymerkle.InmemoryTree.init_from_entries(entries))
    rows.append(("build in-memory tree (s)", ours_build, peer_build, "InmemoryTree.append_entries"))
    root = ours.root()
    if peer.get_root() != root:
        raise SystemExit("pymerkle and servanda disagree on the root: not the same tree")

    rows.append(
        (
            "inclusion proof p50 (µs)",
            _p50_us(lambda i: ours.inclusion_proof(i), indices),
            _p50_us(lambda i: peer.prove_inclusion(i + 1), indices),
            "prove_inclusion",
        )
    )
    node = ours.node
    rows.append(
        (
            "  same, plan + node fetch (durable path)",
            _p50_us(lambda i: ours.inclusion_proof_planned(i), indices),
            float("nan"),
            "",
        )
    )
    rows.append(
        (
            "consistency proof p50 (µs)",
            _p50_us(lambda m: ours.consistency_proof(m, n), olds),
            _p50_us(lambda m: peer.prove_consistency(m, n), olds),
            "prove_consistency",
        )
    )
    rows.append(
        (
            "  same, plan + one dict of needed nodes",
            _p50_us(lambda m: _dict_path(m, n, node), olds),
            float("nan"),
            "",
        )
    )

    incl = {i: ours.inclusion_proof(i) for i in indices}
    leaves = {i: ours.leaf_hash_at(i) for i in indices}
    peer_incl = {i: peer.prove_inclusion(i + 1) for i in indices}
    peer_leaves = {i: peer.get_leaf(i + 1) for i in indices}
    rows.append(
        (
            "verify inclusion p50 (µs)",
            _p50_us(lambda i: verify_inclusion(leaves[i], i, n, incl[i], root), indices),
            _p50_us(lambda i: pymerkle.verify_inclusion(peer_leaves[i], root, peer_incl[i]), indices),
            "verify_inclusion",
        )
    )
    cons = {m: ours.consistency_proof(m, n) for m in olds}
    old_roots = {m: ours.root(m) for m in olds}
    peer_cons = {m: peer.prove_consistency(m, n) for m in olds}
    rows.append(
        (
            "verify consistency p50 (µs)",
            _p50_us(lambda m: verify_consistency(m, n, old_roots[m], root, cons[m]), olds),
            _p50_us(lambda m: pymerkle.verify_consistency(old_roots[m], root, peer_cons[m]), olds),
            "verify_consistency",
        )
    )

    print()
    print(f"| {'operation':<42} | {'servanda':>10} | {'pymerkle':>10} | {'peer/ours':>9} |")
    print(f"|{'-' * 44}|{'-' * 12}|{'-' * 12}|{'-' * 11}|")
    for name, mine, theirs, _ in rows:
        ratio = f"{theirs / mine:.1f}×" if theirs == theirs else ""
        peer_cell = f"{theirs:10.2f}" if theirs == theirs else f"{'':>10}"
        print(f"| {name:<42} | {mine:10.2f} | {peer_cell} | {ratio:>9} |")

    if not args.no_sqlite:
        print()
        print(
            f"pymerkle SqliteTree.append_entries, {n:,} entries: {bench_pymerkle_sqlite(entries):.2f} s "
            "(leaves only: pymerkle's SQLite tree stores no interior nodes)"
        )


def _build_ours(entries: Sequence[bytes]) -> MerkleTree:
    tree = MerkleTree()
    tree.extend(entries)
    return tree


def _dict_path(old: int, new: int, node: Callable[[int, int], bytes]) -> list[bytes]:
    """What the durable log does: plan, fetch all needed nodes at once, assemble."""
    plan = consistency_plan(old, new)
    fetched = {k: node(*k) for k in needed_nodes(plan)}
    return proof_from_nodes(plan, fetched)


if __name__ == "__main__":
    main()
