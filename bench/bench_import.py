"""Benchmark: importing a bundle of 100,000 statements, beside a plain executemany of the same rows.

Not a test. Run from the repository root:

    python bench/bench_import.py                  # 100,000 statements, SQLite
    SERVANDA_BENCH_PG=postgresql://postgres@127.0.0.1:54329/postgres python bench/bench_import.py

The bundle (fixed seed) has 1,000 actors, 1,000 sources and N statements in ``statements.csv`` — the bulk
format. "servanda" is the whole import as a user runs it: read and validate the bundle, check every reference
against the batch and the store, append one log entry per record (canonical JSON, Merkle nodes) and write the
projection, in one transaction. "plain executemany" inserts the same statement rows into an equivalent table
on the same database, with nothing else: the ratio is what the log, the checks and the projection cost.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, text
from sqlalchemy.engine import make_url

from servanda.record.bootstrap import open_record
from servanda.record.bundles import read_bundle
from servanda.settings import Settings
from servanda.store.database import normalise_url

SEED = 20261125
WORDS = [
    "ceasefire",
    "troops",
    "border",
    "treaty",
    "withdraw",
    "guarantee",
    "sovereignty",
    "referendum",
    "occupation",
    "negotiations",
    "humanitarian",
    "corridor",
    "grain",
    "nuclear",
    "inspection",
    "sanctions",
    "annexation",
    "aggression",
    "peace",
    "security",
]


def write_bundle(folder: Path, n: int, seed: int = SEED) -> list[tuple[str, ...]]:
    """Write the synthetic bundle; return the statement rows for the plain insert."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "01-base.yaml").open("w", encoding="utf-8") as out:
        out.write("sources:\n")
        for i in range(1000):
            out.write(f"  - {{id: src-{i}, title: Source {i}, url: 'https://example.org/{i}'}}\n")
        out.write("actors:\n")
        for i in range(1000):
            kind = rng.choice(["person", "state", "ministry"])
            out.write(f"  - {{id: actor-{i}, kind: {kind}, name: Actor {i}}}\n")
    rows = []
    with (folder / "statements.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "kind",
                "actor",
                "date",
                "text",
                "sources",
                "topics",
                "commitment.obligation",
                "commitment.strength",
            ]
        )
        for i in range(n):
            kind = rng.choice(["commitment", "assertion"])
            date = f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
            row = (
                f"st-{i}",
                kind,
                f"actor-{rng.randrange(1000)}",
                date,
                body,
                f"src-{rng.randrange(1000)}",
                rng.choice(WORDS),
                ("keep " + body[:40]) if kind == "commitment" else "",
                rng.choice(["remark", "official_assurance", "signed_agreement"])
                if kind == "commitment"
                else "",
            )
            writer.writerow(row)
            rows.append(row)
    return rows


def plain_insert(url: str, rows: Sequence[tuple[str, ...]]) -> float:
    """The same statement rows, inserted with one executemany into an equivalent bare table."""
    metadata = MetaData()
    table = Table(
        "plain_statements",
        metadata,
        *(
            Column(name, Text if name == "text" else String(128))
            for name in (
                "id",
                "kind",
                "actor_id",
                "date_text",
                "text",
                "source",
                "topic",
                "obligation",
                "strength",
            )
        ),
    )
    engine = create_engine(normalise_url(url))
    metadata.drop_all(engine)
    metadata.create_all(engine)
    names = [c.name for c in table.columns]
    t0 = time.perf_counter()
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        cursor.executemany(
            f"INSERT INTO plain_statements ({', '.join(names)}) VALUES ({', '.join(mark for _ in names)})",
            rows,
        )
        cursor.close()
    elapsed = time.perf_counter() - t0
    metadata.drop_all(engine)
    engine.dispose()
    return elapsed


def servanda_import(url: str, folder: Path, home: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    items = read_bundle(folder)
    handle = open_record(Settings.load(db=url, home=home, environ={}), create=True)
    result = handle.service.apply(items, "bench")
    elapsed = time.perf_counter() - t0
    handle.close()
    return elapsed, result.appended


def run(label: str, url: str, folder: Path, home: Path, rows: Sequence[tuple[str, ...]], n: int) -> None:
    ours, appended = servanda_import(url, folder, home)
    plain = plain_insert(url, rows)
    print(
        f"| {label:<10} | {n / ours:>18,.0f} | {n / plain:>22,.0f} | {ours / plain:>8.1f}× | {appended:>9,} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="import throughput")
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        rows = write_bundle(folder, args.size)
        print(
            f"import of {args.size:,} statements (+2,000 actors and sources), one transaction, "
            f"Python {sys.version.split()[0]}\n"
        )
        print("| store      | servanda statements/s | plain executemany rows/s | slowdown | entries   |")
        print("|------------|-----------------------|--------------------------|----------|-----------|")
        run("SQLite", str(Path(tmp) / "bench.sqlite3"), folder, Path(tmp) / "home", rows, args.size)
        pg = os.environ.get("SERVANDA_BENCH_PG")
        if pg:
            admin_url = make_url(pg).set(drivername="postgresql+psycopg")
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text("DROP DATABASE IF EXISTS servanda_bench_import"))
                c.execute(text("CREATE DATABASE servanda_bench_import"))
            url = admin_url.set(database="servanda_bench_import").render_as_string(hide_password=False)
            run("PostgreSQL", url, folder, Path(tmp) / "home-pg", rows, args.size)
            with admin.connect() as c:
                c.execute(text("DROP DATABASE IF EXISTS servanda_bench_import WITH (FORCE)"))
            admin.dispose()


if __name__ == "__main__":
    main()
