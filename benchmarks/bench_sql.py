"""Scoring in the database: the query of ``glassbox.export.to_sql`` against ``predict_proba``.

Protocol
--------
``make_risk_cohort(n_samples=--train-rows + --rows, random_state=0)``: 20 features (numbers with
missing values, a bool and a string category), 3 planted pairs. A
``BoostedGAMClassifier(random_state=0, n_jobs=-1)`` at its defaults is fitted on the first
``--train-rows`` rows; the other ``--rows`` rows are scored:

* **Python**: ``predict_proba`` on the DataFrame (after a warm-up call on 1,000 rows);
* **SQLite**: the rows in an in-memory database (stdlib ``sqlite3``, written by pandas);
* **PostgreSQL**: the rows in a throwaway local cluster (``tests/postgres.py``: initdb in a
  temporary directory, fsync off, Unix socket), COPY'd in and ANALYZEd, once with JIT
  compilation off for the session (``SET jit = off``) and once at the server's default (on).

Each database time is the query alone: ``CREATE TEMPORARY TABLE ... AS`` the query, so neither
loading the data nor sending the scores to Python is timed. Every time is the best of
``--repeats`` runs. The scores are then read back ordered by row id and compared with
``predict_proba``: the largest absolute difference must be at most 1e-9.

Command line
------------
From the repository root::

    .venv/bin/python -m benchmarks.bench_sql [--rows 1000000] [--train-rows 20000]
        [--repeats 2] [--output benchmarks/results/bench_sql.md]
"""

import argparse
import os
import platform
import sqlite3
import sys
import time

import numpy as np
import pandas as pd

import glassbox
from glassbox import BoostedGAMClassifier
from glassbox.datasets import make_risk_cohort
from glassbox.export import to_sql

from benchmarks._report import commit, publish
from tests.postgres import Unavailable, cluster, write_frame

TOLERANCE = 1e-9


def best_of(repeats, run):
    """The shortest wall-clock time of `repeats` calls of `run()`."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def time_query(connection, query, repeats):
    """Seconds to run `query` into a temporary table (best of `repeats`), and the scores read
    back in row order."""
    def run():
        connection.execute("DROP TABLE IF EXISTS scored")
        connection.execute(f"CREATE TEMPORARY TABLE scored AS {query}")
    seconds = best_of(repeats, run)
    rows = connection.execute('SELECT "proba_0", "proba_1" FROM scored ORDER BY "row_id"')
    return seconds, np.asarray(rows.fetchall(), dtype=float)


def score_sqlite(model, rows, repeats):
    connection = sqlite3.connect(":memory:")
    rows.to_sql("patients", connection, index=False)
    seconds, scores = time_query(connection, to_sql(model, "patients", keep="row_id"), repeats)
    return [("SQLite " + sqlite3.sqlite_version + " (in memory)", seconds, scores)]


def score_postgres(model, rows, repeats):
    import psycopg

    with cluster() as url, psycopg.connect(url, autocommit=True) as connection:
        write_frame(connection, rows, "patients")
        connection.execute("ANALYZE patients")
        version = connection.execute("SHOW server_version").fetchone()[0].split()[0]
        query = to_sql(model, "patients", dialect="postgresql", keep="row_id")
        results = []
        for jit in ("off", "on"):
            connection.execute(f"SET jit = {jit}")
            seconds, scores = time_query(connection, query, repeats)
            results.append((f"PostgreSQL {version} (jit {jit})", seconds, scores))
        return results


def report(argv, args, model, query_chars, python_seconds, results, skipped, load):
    pairs = [t.name for t in model.terms_ if t.is_pair]
    lines = [
        "## Scoring in the database: `to_sql` against `predict_proba`", "",
        f"- commit {commit()}; command "
        f"`{' '.join(['python -m benchmarks.bench_sql', *argv])}`",
        f"- python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}, glassbox {glassbox.__version__}; nproc "
        f"{len(os.sched_getaffinity(0))}; load average at the start "
        f"{', '.join(f'{x:.1f}' for x in load)}",
        f"- {args.rows:,} rows × 20 columns scored; the model: {len(model.terms_)} terms "
        f"({len(pairs)} pairs: {', '.join(pairs)}), fitted on {args.train_rows:,} rows; the "
        f"SQLite query is {query_chars:,} characters",
        "- database seconds are the query alone (CREATE TEMPORARY TABLE ... AS the query: no "
        "data loading, no transfer to Python); best of "
        f"{args.repeats}; max |difference| against `predict_proba` over both columns", "",
        "| engine | seconds | rows/s | × Python's time | max abs difference |",
        "|---|---:|---:|---:|---:|",
        f"| Python `predict_proba` | {python_seconds:.3f} | {args.rows / python_seconds:,.0f} "
        "| 1 | (reference) |",
    ]
    for name, seconds, difference in results:
        flag = "" if difference <= TOLERANCE else " **(above 1e-9)**"
        lines.append(f"| {name} | {seconds:.2f} | {args.rows / seconds:,.0f} | "
                     f"{seconds / python_seconds:.0f}× | {difference:.1e}{flag} |")
    lines += [f"| PostgreSQL | not run: {reason} | | | |" for reason in skipped]
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows scored")
    parser.add_argument("--train-rows", type=int, default=20_000,
                        help="rows the model is fitted on")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs; the best counts")
    parser.add_argument("--output", metavar="PATH", help="also write the report to this file")
    return parser.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    load = os.getloadavg()
    X, y, _ = make_risk_cohort(n_samples=args.train_rows + args.rows, random_state=0)
    model = BoostedGAMClassifier(n_jobs=-1, random_state=0).fit(X[:args.train_rows],
                                                                y[:args.train_rows])
    rows = X[args.train_rows:].reset_index(drop=True)
    model.predict_proba(rows[:1000])
    python_seconds = best_of(args.repeats, lambda: model.predict_proba(rows))
    expected = model.predict_proba(rows)
    print(f"python: {python_seconds:.3f} s", file=sys.stderr)
    rows = rows.assign(row_id=np.arange(len(rows)))
    results = score_sqlite(model, rows, args.repeats)
    skipped = []
    try:
        results += score_postgres(model, rows, args.repeats)
    except Unavailable as missing:
        skipped.append(str(missing))
    for name, seconds, _ in results:
        print(f"{name}: {seconds:.2f} s", file=sys.stderr)
    differences = [(name, seconds, float(np.abs(scores - expected).max()))
                   for name, seconds, scores in results]
    text = report(argv, args, model, len(to_sql(model, "patients", keep="row_id")),
                  python_seconds, differences, skipped, load)
    publish(text, args.output)


if __name__ == "__main__":
    main()
