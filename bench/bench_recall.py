"""Benchmark: recall queries on a million statements, SQLite and PostgreSQL, beside Datasette's search.

Not a test. Run from the repository root:

    python bench/bench_recall.py                                   # SQLite, and Datasette on the same file
    SERVANDA_BENCH_PG=postgresql://postgres@127.0.0.1:54329/postgres python bench/bench_recall.py
    python bench/bench_recall.py --statements 100000 --actors 1000 # smaller

The synthetic record (fixed seed): 100 states and the rest persons who were head of or spoke for one of them
for a stretch of years; statements of 8–30 words drawn from a Zipf-distributed vocabulary, dated 1990–2025.
It is built once through the real import path (in batches of 100,000) and kept in bench/.work/ for reruns.

Queries (200 of each, fixed seed), through the recall service exactly as the command line calls it:
- actor + text: a state (with its heads and spokespeople) and a word of middling frequency;
- actor + window: a state, and the month around a date (what ``--ago`` asks);
- text alone: a word of middling frequency.
Datasette serves the same SQLite file; its JSON API is asked the same text-alone searches, with its default
settings and with counts and facet suggestions off, and its throughput measured over a bounded run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from servanda.domain.records import Actor, Source, Statement
from servanda.domain.text import analyze
from servanda.record.bootstrap import RecordHandle, open_record
from servanda.record.located import Located
from servanda.record.recall import RecallQuery, recall
from servanda.settings import Settings

SEED = 5_000_000
WORK = Path(__file__).resolve().parent / ".work"
VOCABULARY = 20_000


def _vocabulary(rng: random.Random) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    seen: dict[str, None] = {}
    while len(seen) < VOCABULARY:
        n = rng.randint(2, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(n)) + rng.choice("nrst")
        seen[word] = None
    return list(seen)


def build_records(statements: int, actors: int) -> tuple[list[list[Located]], list[str], list[str]]:
    """The record in import batches, the state ids, and the query words (middling frequency)."""
    rng = random.Random(SEED)
    words = _vocabulary(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))  # Zipf
    states = [f"state-{i}" for i in range(100)]
    base: list[Located] = [Located(Source(id="bench-source", title="Synthetic source"))]
    base += [Located(Actor(id=s, kind="state", name=f"State {s}")) for s in states]
    persons = []
    for i in range(actors - len(states)):
        start = rng.randint(1990, 2020)
        pid = f"person-{i}"
        persons.append(pid)
        relation = {
            "type": rng.choice(["head_of", "speaks_for"]),
            "target": rng.choice(states),
            "since": f"{start}",
            "until": f"{start + rng.randint(1, 10)}",
        }
        base.append(Located(Actor(id=pid, kind="person", name=f"Person {i}", relations=[relation])))
    batches = [base]
    batch: list[Located] = []
    for i in range(statements):
        author = rng.choice(persons) if rng.random() < 0.9 else rng.choice(states)
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 30)))
        day = date.fromordinal(rng.randint(date(1990, 1, 1).toordinal(), date(2025, 12, 31).toordinal()))
        kind = "assertion" if rng.random() < 0.6 else "commitment"
        terms = {"obligation": text[:60], "strength": "remark"} if kind == "commitment" else None
        batch.append(
            Located(
                Statement(
                    id=f"st-{i}",
                    kind=kind,
                    actor=author,
                    date=day.isoformat(),
                    text=text,
                    sources=["bench-source"],
                    commitment=terms,
                )
            )
        )
        if len(batch) == 100_000:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    query_words = words[200:3000]
    return batches, states, query_words


def ensure_store(url: str, home: Path, statements: int, actors: int, label: str) -> RecordHandle:
    handle = open_record(Settings.load(db=url, home=home, environ={}), create=True)
    from servanda.ledger.log import Log
    from servanda.store.log_storage import SqlLogStorage

    with handle.store.read() as connection:
        size = Log(SqlLogStorage(connection)).size
    if size < statements + actors + 1:
        batches, _, _ = build_records(statements, actors)
        t0 = time.perf_counter()
        for number, batch in enumerate(batches):
            handle.service.apply(batch, "bench")
            print(
                f"  {label}: imported batch {number + 1}/{len(batches)} ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    return handle


def latency(fn: Callable[[Any], Any], args: Sequence[Any]) -> tuple[float, float]:
    times = []
    for a in args:
        t0 = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _queries(
    seed: int, states: list[str], words: list[str], n: int
) -> tuple[list[tuple[str, str]], list[tuple[str, date]], list[str]]:
    rng = random.Random(seed)
    actor_text = [(rng.choice(states), rng.choice(words)) for _ in range(n)]
    windows = []
    for _ in range(n):
        center = date.fromordinal(rng.randint(date(1991, 1, 1).toordinal(), date(2025, 6, 1).toordinal()))
        windows.append((rng.choice(states), date.fromordinal(center.toordinal() + 15)))
    texts = [rng.choice(words) for _ in range(n)]
    return actor_text, windows, texts


def run_queries(
    handle: RecordHandle, states: list[str], words: list[str], n: int
) -> dict[str, tuple[float, float]]:
    actor_text, windows, texts = _queries(SEED + 1, states, words, n)
    out = {}
    with handle.store.read() as connection:
        # warm-up: 50 queries of each kind, drawn apart from the measured ones, so that a freshly started
        # server is measured in the state it reaches after a little use, not with empty caches
        warm_actor_text, warm_windows, warm_texts = _queries(SEED + 3, states, words, 50)
        for (actor, word), (state, day), text in zip(warm_actor_text, warm_windows, warm_texts, strict=True):
            recall(connection, RecallQuery(actor=actor, text=word, limit=20))
            recall(connection, RecallQuery(actor=state, ago="1m", today=day, limit=20))
            recall(connection, RecallQuery(text=text, limit=20))
        out["actor + text"] = latency(
            lambda q: recall(connection, RecallQuery(actor=q[0], text=q[1], limit=20)), actor_text
        )
        out["actor + window (1 month)"] = latency(
            lambda q: recall(connection, RecallQuery(actor=q[0], ago="1m", today=q[1], limit=20)), windows
        )
        out["text alone"] = latency(lambda q: recall(connection, RecallQuery(text=q, limit=20)), texts)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def datasette_throughput(
    path: Path, words: list[str], n: int, settings: list[str], params: str
) -> tuple[float, float]:
    """(requests/s with 4 client threads, p95 ms) of Datasette's search API on the same file."""
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(path), "--port", str(port), *settings]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/{path.stem}/statement_terms.json"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(SEED + 2)
        urls = [
            f"{base}?_search={urllib.parse.quote(analyze(rng.choice(words), 'en')[0])}{params}"
            for _ in range(n)
        ]

        def fetch(url: str) -> float:
            t0 = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
            return (time.perf_counter() - t0) * 1000

        fetch(urls[0])
        t0 = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            times = sorted(pool.map(fetch, urls))
        elapsed = time.perf_counter() - t0
        return n / elapsed, times[int(len(times) * 0.95) - 1]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="recall latency")
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    WORK.mkdir(exist_ok=True)
    _, states, words = build_records(0, 200)
    rows = []
    path = WORK / f"recall_{args.statements}_{args.actors}.sqlite3"
    print(
        f"recall over {args.statements:,} statements by {args.actors:,} actors; {args.queries} queries each"
    )
    handle = ensure_store(str(path), WORK / "home", args.statements, args.actors, "SQLite")
    for name, (p50, p95) in run_queries(handle, states, words, args.queries).items():
        rows.append(("SQLite", name, p50, p95))
    handle.close()
    pg = os.environ.get("SERVANDA_BENCH_PG")
    if pg:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"servanda_bench_recall_{args.statements}_{args.actors}"
        admin_url = make_url(pg).set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        handle = ensure_store(url, WORK / "home-pg", args.statements, args.actors, "PostgreSQL")
        with handle.store.read() as c:
            c.exec_driver_sql("ANALYZE")
        for query_name, (p50, p95) in run_queries(handle, states, words, args.queries).items():
            rows.append(("PostgreSQL", query_name, p50, p95))
        handle.close()
    print("\n| store      | query                    | p50 (ms) | p95 (ms) |")
    print("|------------|--------------------------|----------|----------|")
    for store, query_name, p50, p95 in rows:
        print(f"| {store:<10} | {query_name:<24} | {p50:>8.2f} | {p95:>8.2f} |")
    print(
        "\nDatasette on the same SQLite file, text alone (statement_terms.json?_search=), 4 client threads:"
    )
    default = datasette_throughput(path, words, args.queries, [], "")
    lean = datasette_throughput(
        path, words, args.queries, ["--setting", "suggest_facets", "off"], "&_nocount=1"
    )
    print("| Datasette settings              | requests/s | p95 (ms) |")
    print("|---------------------------------|------------|----------|")
    print(f"| default                         | {default[0]:>10.1f} | {default[1]:>8.1f} |")
    print(f"| counts and facet suggestions off| {lean[0]:>10.1f} | {lean[1]:>8.1f} |")
    rng = random.Random(SEED + 2)
    texts = [rng.choice(words) for _ in range(args.queries)]
    handle = open_record(Settings.load(db=str(path), home=WORK / "home", environ={}))
    t0 = time.perf_counter()
    with handle.store.read() as connection:
        for word in texts:
            recall(connection, RecallQuery(text=word, limit=20))
    ours = args.queries / (time.perf_counter() - t0)
    handle.close()
    print(
        f"\nservanda recall service, text alone, one thread: {ours:.1f} queries/s "
        f"({ours / max(default[0], lean[0]):.1f}× Datasette's best; the web API's search, measured with wrk, "
        "is in bench/bench_web.py)"
    )


if __name__ == "__main__":
    main()
