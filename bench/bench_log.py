"""Benchmark: servanda's durable log against pymerkle 7's SQLite tree, side by side, in one run.

Not a test. Run from the repository root:

    python bench/bench_log.py                   # 1,000,000 entries, SQLite
    python bench/bench_log.py --size 100000
    SERVANDA_BENCH_PG=postgresql://postgres@127.0.0.1:54329/postgres python bench/bench_log.py

Both sides get one million entries of ~300 bytes from a fixed seed. Ours are real log entries (canonical
JSON of seq, kind, body, author, recorded_at, hashed as Merkle leaves, stored with every perfect-subtree hash
they complete, one transaction per batch); pymerkle's ``SqliteTree.append_entries`` stores each entry with its
leaf hash only (no interior nodes). Figures: durable append throughput, proof generation and verification
p50 from the stored hashes, disk bytes per entry.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_merkle import bench_pymerkle_sqlite
from servanda.ledger.log import Log
from servanda.ledger.merkle import verify_consistency, verify_inclusion
from servanda.store import migrate
from servanda.store.database import Store
from servanda.store.log_storage import SqlLogStorage

SEED = 6962
BATCH = 10_000


def make_drafts(n: int, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    """Log bodies whose entries come to ~300 bytes, like a small source record."""
    rng = random.Random(seed)
    return [
        ("source.put", {"record": {"id": f"src-{i}", "title": rng.randbytes(rng.randint(60, 110)).hex()}})
        for i in range(n)
    ]


def p50_us(fn: Callable[[Any], Any], args: Sequence[Any]) -> float:
    times = []
    for a in args:
        t0 = time.perf_counter_ns()
        fn(a)
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1000


def durable_append(store: Store, drafts: Sequence[tuple[str, dict[str, Any]]]) -> float:
    with store.write() as connection:
        migrate.upgrade(connection)
    t0 = time.perf_counter()
    for start in range(0, len(drafts), BATCH):
        with store.write() as connection:
            Log(SqlLogStorage(connection)).append(
                drafts[start : start + BATCH], "bench", "2026-11-25T00:00:00Z"
            )
    return time.perf_counter() - t0


def proofs(store: Store, n: int, samples: int) -> dict[str, float]:
    rng = random.Random(SEED + 1)
    with store.read() as connection:
        log = Log(SqlLogStorage(connection))
        root = log.root(n)
        indices = [rng.randrange(n) for _ in range(samples)]
        olds = [rng.randint(1, n - 1) for _ in range(samples)]
        leaf_hashes = {i: log.entry(i).leaf_hash for i in indices}
        inclusion = {i: log.inclusion_proof(i, n) for i in indices}
        old_roots = {o: log.root(o) for o in olds}
        consistency = {o: log.consistency_proof(o, n) for o in olds}
        return {
            "root p50 (µs)": p50_us(lambda _: log.root(n), range(samples)),
            "inclusion proof p50 (µs)": p50_us(lambda i: log.inclusion_proof(i, n), indices),
            "consistency proof p50 (µs)": p50_us(lambda o: log.consistency_proof(o, n), olds),
            "verify inclusion p50 (µs)": p50_us(
                lambda i: verify_inclusion(leaf_hashes[i], i, n, inclusion[i], root), indices
            ),
            "verify consistency p50 (µs)": p50_us(
                lambda o: verify_consistency(o, n, old_roots[o], root, consistency[o]), olds
            ),
        }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="durable log vs pymerkle SqliteTree")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args(argv)
    n = args.size
    drafts = make_drafts(n)
    raw = [f"{kind}{body}".encode() for kind, body in drafts]  # same count, similar size, for pymerkle
    print(f"durable log, {n:,} entries (~300 B), batches of {BATCH:,}; Python {sys.version.split()[0]}")

    peer = bench_pymerkle_sqlite(raw)
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.sqlite3"
        store = Store(str(path))
        ours = durable_append(store, drafts)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        rows.append(("append, SQLite (s)", f"{ours:.2f}", f"{peer:.2f}", f"{peer / ours:.2f}×"))
        rows.append(("append, SQLite (entries/s)", f"{n / ours:,.0f}", f"{n / peer:,.0f}", ""))
        rows.append(("disk, SQLite (bytes/entry)", f"{size / n:.0f}", "", ""))
        rows += [(name, f"{v:.1f}", "", "") for name, v in proofs(store, n, args.samples).items()]
        store.dispose()
    pg = os.environ.get("SERVANDA_BENCH_PG")
    if pg:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(make_url(Store(pg).url), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS servanda_bench_log"))
            c.execute(text("CREATE DATABASE servanda_bench_log"))
        store = Store(make_url(Store(pg).url).set(database="servanda_bench_log").render_as_string(False))
        ours_pg = durable_append(store, drafts)
        with store.read() as c:
            pg_size = c.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        rows.append(("append, PostgreSQL (s)", f"{ours_pg:.2f}", f"{peer:.2f}", f"{peer / ours_pg:.2f}×"))
        rows.append(("append, PostgreSQL (entries/s)", f"{n / ours_pg:,.0f}", "", ""))
        rows.append(("disk, PostgreSQL (bytes/entry)", f"{pg_size / n:.0f}", "", ""))
        rows += [
            (name.replace("p50", "p50 PG"), f"{v:.1f}", "", "")
            for name, v in proofs(store, n, args.samples).items()
        ]
        store.dispose()
        with admin.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS servanda_bench_log"))
    print(f"\n| {'figure':<36} | {'servanda':>12} | {'pymerkle':>10} | peer/ours |")
    print(f"|{'-' * 38}|{'-' * 14}|{'-' * 12}|-----------|")
    for name, mine, theirs, ratio in rows:
        print(f"| {name:<36} | {mine:>12} | {theirs:>10} | {ratio:>9} |")


if __name__ == "__main__":
    main()
