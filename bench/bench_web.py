"""Benchmark: the web app under wrk on a million statements, beside Datasette serving the same SQLite file.

Not a test. Run from the repository root (needs the Debian package ``wrk`` and the ``bench`` extra):

    python bench/bench_web.py                                    # 1M statements, 16 connections, 30 s each
    python bench/bench_web.py --statements 100000 --actors 1000 --duration 10

The record is bench_recall's synthetic one (fixed seed; built once into bench/.work/ and reused). Each server
runs alone on the machine while wrk (2 threads, 16 connections, on loopback) asks it for URLs drawn with a
fixed seed from a list, after a 15-second warm-up (long enough for each worker to have computed every sampled
page once):

- a statement's JSON: servanda ``/statements/ID.json`` (the page's twin: quote, sources, verdicts, timeline,
  entries) against Datasette's row JSON ``/DB/statements/DOC.json``, over the same 2,000 random statements;
- an actor page and its JSON: ``/actors/ID`` and ``/actors/ID.json`` over 200 random actors (states, with
  ~10,000 statements each counting their speakers', and persons);
- a search: servanda ``/search.json?q=WORD`` against Datasette's full-text search
  ``/DB/statement_terms.json?_search=WORD`` (default settings, and tuned: no counts, no facet suggestions),
  over the same 2,000 words of middling frequency.

servanda runs as ``servanda serve --workers 2``. Its pages are cached per worker until the log grows (the
record changes only by appending), so the actor page is also timed cold, in-process, without the cache.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text

from bench_recall import SEED, WORK, _free_port, build_records, ensure_store
from servanda.domain.text import analyze
from servanda.web import views

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_STATEMENTS = 2_000
SAMPLE_ACTORS = 200
SAMPLE_WORDS = 2_000


@dataclass
class Run:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> Run:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    total = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx[1])
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(socket[i]) for i in range(1, 5))
    return Run(rps, _ms(p50[1], p50[2]), _ms(p99[1], p99[2]), errors, total)  # type: ignore[index]


LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
function init(args) math.randomseed(%(seed)d) end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk(base: str, paths: list[str], duration: int, connections: int, warmup: int = 15) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(folder) / "paths.lua"
        script.write_text(LUA % {"paths": listing, "seed": SEED})
        common = ["wrk", "-t2", f"-c{connections}", "--latency", "-s", str(script), base]
        subprocess.run([*common[:3], "-d", f"{warmup}s", *common[3:]], capture_output=True, check=True)
        done = subprocess.run(
            [*common[:3], "-d", f"{duration}s", *common[3:]], capture_output=True, text=True
        )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return parse_wrk(done.stdout)


def wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.args}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def serve_servanda(
    path: Path, home: Path, workers: int, cache: bool = True
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    program = Path(sys.executable).with_name("servanda")
    env = {**os.environ, "SERVANDA_DB": str(path), "SERVANDA_HOME": str(home)}
    env["SERVANDA_WEB_CACHE"] = "4096" if cache else "0"
    server = subprocess.Popen(
        [str(program), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/log.json", server)
    return server, base


def serve_datasette(path: Path, settings: Sequence[str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(path), "--port", str(port), *settings]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/-/versions.json", server)
    return server, base


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def samples(
    path: Path, home: Path, statements: int, actors: int
) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    handle = ensure_store(str(path), home, statements, actors, "SQLite")
    rng = random.Random(SEED + 7)
    with handle.store.read() as connection:
        docs = rng.sample(range(statements), SAMPLE_STATEMENTS)
        ids = ",".join(f"'st-{d}'" for d in docs)
        rows = connection.execute(text(f"SELECT id, doc FROM statements WHERE id IN ({ids})")).all()
        actor_ids = [row[0] for row in connection.execute(text("SELECT id FROM actors ORDER BY id"))]
    handle.close()
    _, _, words = build_records(0, 200)
    chosen_actors = rng.sample(actor_ids, SAMPLE_ACTORS)
    chosen_words = [analyze(rng.choice(words), "en")[0] for _ in range(SAMPLE_WORDS)]
    return [(row[0], int(row[1])) for row in rows], chosen_actors, chosen_words


def cold_actor_pages(path: Path, home: Path, actors: list[str]) -> tuple[float, float]:
    """p50 and p99 (ms) of computing an actor page with no cache, in-process, one after another."""
    from servanda.record.bootstrap import open_record
    from servanda.settings import Settings

    handle = open_record(Settings.load(db=str(path), home=home, environ={}))
    today = datetime.now(UTC).date()
    times = []
    with handle.store.read() as connection:
        for actor in actors:
            t0 = time.perf_counter()
            views.actor_page(connection, actor, today=today)
            times.append((time.perf_counter() - t0) * 1000)
    handle.close()
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="web throughput against Datasette")
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds of each measured wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="servanda serve --workers")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    WORK.mkdir(exist_ok=True)
    path = WORK / f"recall_{args.statements}_{args.actors}.sqlite3"
    home = WORK / "home"
    statements, actors, words = samples(path, home, args.statements, args.actors)
    db = path.stem
    print(
        f"web over {args.statements:,} statements by {args.actors:,} actors; wrk -t2 -c{args.connections} "
        f"-d{args.duration}s on loopback after a 15 s warm-up; {len(statements):,} statements, "
        f"{len(actors)} actors, {len(words):,} words sampled (seed {SEED + 7}); {os.cpu_count()} cores"
    )
    results: dict[str, Run] = {}
    for cache in (True, False):
        suffix = "" if cache else " (no cache)"
        server, base = serve_servanda(path, home, args.workers, cache)
        try:
            results["servanda statement .json" + suffix] = wrk(
                base, [f"/statements/{sid}.json" for sid, _ in statements], args.duration, args.connections
            )
            results["servanda actor page" + suffix] = wrk(
                base, [f"/actors/{a}" for a in actors], args.duration, args.connections
            )
            results["servanda actor .json" + suffix] = wrk(
                base, [f"/actors/{a}.json" for a in actors], args.duration, args.connections
            )
            results["servanda search .json" + suffix] = wrk(
                base, [f"/search.json?q={w}&limit=20" for w in words], args.duration, args.connections
            )
        finally:
            stop(server)
    for label, settings, params in (
        ("Datasette", [], ""),
        ("Datasette tuned", ["--setting", "suggest_facets", "off"], "&_nocount=1"),
    ):
        server, base = serve_datasette(path, settings)
        try:
            if label == "Datasette":
                results["Datasette row .json"] = wrk(
                    base,
                    [f"/{db}/statements/{doc}.json" for _, doc in statements],
                    args.duration,
                    args.connections,
                )
            results[f"{label} search .json"] = wrk(
                base,
                [f"/{db}/statement_terms.json?_search={w}&_size=20{params}" for w in words],
                args.duration,
                args.connections,
            )
        finally:
            stop(server)
    cold = cold_actor_pages(path, home, actors[:50])

    print("\n| endpoint | requests/s | p50 (ms) | p99 (ms) | errors |")
    print("|---|---|---|---|---|")
    for name, run in results.items():
        print(f"| {name} | {run.requests_per_s:,.0f} | {run.p50_ms:.1f} | {run.p99_ms:.1f} | {run.errors} |")
    ours, theirs = results["servanda statement .json"], results["Datasette row .json"]
    best_search = max(
        results["Datasette search .json"],
        results["Datasette tuned search .json"],
        key=lambda r: r.requests_per_s,
    )
    cold_json = results["servanda statement .json (no cache)"]
    cold_search = results["servanda search .json (no cache)"]
    print(
        f"\nstatement .json / Datasette row .json: {ours.requests_per_s / theirs.requests_per_s:.2f}× "
        f"(no cache: {cold_json.requests_per_s / theirs.requests_per_s:.2f}×; goal ≥ 1.5×)"
        f"\nsearch / Datasette's best search: "
        f"{results['servanda search .json'].requests_per_s / best_search.requests_per_s:.2f}× "
        f"(no cache: {cold_search.requests_per_s / best_search.requests_per_s:.2f}×; goal ≥ 5×)"
        f"\nactor page: {results['servanda actor page'].requests_per_s:,.0f} requests/s, "
        f"p99 {results['servanda actor page'].p99_ms:.1f} ms (goal ≥ 500/s, p99 < 100 ms)"
        f"\nactor page computed without the cache (in-process, 50 actors): "
        f"p50 {cold[0]:.0f} ms, p99 {cold[1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
