"""Benchmark glassbox's BoostedGAMClassifier against interpret's ExplainableBoostingClassifier.

Protocol
--------
For each dataset (see ``_data.py``):

* Split once into train/test, 80/20, stratified on the target, ``random_state=0``.
* Both models run at their defaults except ``n_jobs=-1`` and ``random_state=0`` (glassbox also
  takes any extra keyword arguments given with ``--glassbox-params``). Both get the same raw
  DataFrame: NaN stays NaN and string columns stay strings.
* Before glassbox is timed it is warmed up with a fit and predict_proba on the first 200 training
  rows, so Numba compilation (or cache loading) is not counted in its fit time; the warm-up time
  is reported separately in the notes.
* Fit time: wall clock (``time.perf_counter``) of ``fit`` on the training split.
* AUC: ROC AUC of ``predict_proba(X_test)[:, 1]`` on the test split.
* Predict throughput: rows per second of ``predict_proba``, best of 3 repeats, on the test split
  tiled (repeated) up to at least 10,000 rows so small test sets still give a measurable time.

The report (environment, then a Markdown table) is printed to stdout; progress goes to stderr.

Command line
------------
Run as a module from the repository root (so the working tree's ``glassbox`` is imported)::

    .venv/bin/python -m benchmarks.bench_vs_interpret \\
        [--datasets simulated,framingham,stroke,breast-cancer] [--data-dir DIR] \\
        [--output PATH] [--glassbox-params JSON] [--skip-interpret]

``--datasets`` takes a comma-separated subset (default: all four). ``--data-dir`` defaults to
``../shared/data/benchmarks`` relative to the repository root. ``--output`` also writes the
report to PATH (e.g. ``benchmarks/results/vs_interpret.md``, a git-ignored folder).
``--glassbox-params`` takes a JSON object of extra BoostedGAMClassifier keyword arguments (they
override the defaults above). ``--skip-interpret`` runs glassbox only (interpret columns show
"—"), for quick iteration on glassbox settings.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd
from interpret import __version__ as interpret_version
from interpret.glassbox import ExplainableBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import glassbox
from benchmarks._data import DEFAULT_DATA_DIR, LOADERS
from glassbox import BoostedGAMClassifier

SEED = 0
TEST_SIZE = 0.2
WARMUP_ROWS = 200
MIN_PREDICT_ROWS = 10_000
PREDICT_REPEATS = 3
NOT_RUN = "—"


def log(message):
    print(message, file=sys.stderr, flush=True)


def split(X, y):
    """The single 80/20 stratified train/test split used for every model."""
    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=SEED)


def predict_throughput(model, X_test):
    """Rows/s of predict_proba: best of PREDICT_REPEATS on X_test tiled to >= MIN_PREDICT_ROWS."""
    copies = -(-MIN_PREDICT_ROWS // len(X_test))
    X_rep = pd.concat([X_test] * copies, ignore_index=True) if copies > 1 else X_test
    best = float("inf")
    for _ in range(PREDICT_REPEATS):
        start = time.perf_counter()
        model.predict_proba(X_rep)
        best = min(best, time.perf_counter() - start)
    return len(X_rep) / best


def evaluate(model, X_train, X_test, y_train, y_test):
    """Fit `model` and return its fit seconds, test ROC AUC and predict rows/s."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    return {"fit_s": fit_s, "auc": auc, "rows_per_s": predict_throughput(model, X_test)}


def warm_up(params, X_train, y_train):
    """Fit and predict glassbox on a small slice so JIT compilation is out of the timed fit."""
    start = time.perf_counter()
    X_small, y_small = X_train.iloc[:WARMUP_ROWS], y_train[:WARMUP_ROWS]
    BoostedGAMClassifier(**params).fit(X_small, y_small).predict_proba(X_small)
    return time.perf_counter() - start


def run_dataset(name, data_dir, glassbox_params, skip_interpret):
    """Load, split and evaluate one dataset; return its row of results."""
    log(f"[{name}] loading")
    X, y = LOADERS[name](data_dir)
    X_train, X_test, y_train, y_test = split(X, y)
    row = {"dataset": name, "shape": X_train.shape}

    log(f"[{name}] glassbox warm-up on {WARMUP_ROWS} rows")
    row["warmup_s"] = warm_up(glassbox_params, X_train, y_train)
    log(f"[{name}] glassbox fit on {X_train.shape[0]:,} rows")
    row["glassbox"] = evaluate(BoostedGAMClassifier(**glassbox_params),
                               X_train, X_test, y_train, y_test)
    if not skip_interpret:
        log(f"[{name}] interpret fit on {X_train.shape[0]:,} rows")
        ebm = ExplainableBoostingClassifier(n_jobs=-1, random_state=SEED)
        row["interpret"] = evaluate(ebm, X_train, X_test, y_train, y_test)
    log(f"[{name}] done")
    return row


def environment_lines():
    return [
        f"- python {platform.python_version()}, numpy {np.__version__}, "
        f"interpret {interpret_version}, glassbox {glassbox.__version__}, "
        f"numba {numba.__version__}",
        f"- nproc: {len(os.sched_getaffinity(0))}",
    ]


def table_row(row):
    """One Markdown table line; interpret cells are NOT_RUN under --skip-interpret."""
    gb, ebm = row["glassbox"], row.get("interpret")
    n_rows, n_cols = row["shape"]
    cells = [row["dataset"], f"{n_rows:,} × {n_cols}", f"{gb['fit_s']:.2f}"]
    if ebm is None:
        cells += [NOT_RUN, NOT_RUN, f"{gb['auc']:.4f}", NOT_RUN, NOT_RUN,
                  f"{gb['rows_per_s']:,.0f}", NOT_RUN]
    else:
        cells += [f"{ebm['fit_s']:.2f}", f"{ebm['fit_s'] / gb['fit_s']:.1f}×",
                  f"{gb['auc']:.4f}", f"{ebm['auc']:.4f}", f"{gb['auc'] - ebm['auc']:+.4f}",
                  f"{gb['rows_per_s']:,.0f}", f"{ebm['rows_per_s']:,.0f}"]
    return "| " + " | ".join(cells) + " |"


def report(rows, glassbox_params):
    """The Markdown report: environment, results table, then the settings and warm-up notes."""
    header = ["dataset", "rows × cols (train)", "glassbox fit s", "interpret fit s",
              "speed-up (interpret/glassbox)", "glassbox AUC", "interpret AUC",
              "ΔAUC (glassbox − interpret)", "glassbox predict rows/s",
              "interpret predict rows/s"]
    lines = ["## glassbox vs interpret", "", *environment_lines(), "",
             "| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
             *[table_row(row) for row in rows], "",
             f"Notes: glassbox params {json.dumps(glassbox_params, sort_keys=True)}; "
             f"interpret ExplainableBoostingClassifier defaults with n_jobs=-1, "
             f"random_state={SEED}. Glassbox warm-up (fit + predict on {WARMUP_ROWS} rows, "
             "not included in fit s): "
             + ", ".join(f"{row['dataset']} {row['warmup_s']:.2f} s" for row in rows) + "."]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", metavar="LIST", default=",".join(LOADERS),
                        help=f"comma-separated subset of {', '.join(LOADERS)} (default: all)")
    parser.add_argument("--data-dir", metavar="DIR", default=str(DEFAULT_DATA_DIR),
                        help="directory holding the benchmark CSV files (default: %(default)s)")
    parser.add_argument("--output", metavar="PATH",
                        help="also write the Markdown report to this file")
    parser.add_argument("--glassbox-params", metavar="JSON", type=json.loads, default={},
                        help="JSON object of extra BoostedGAMClassifier keyword arguments")
    parser.add_argument("--skip-interpret", action="store_true",
                        help="run glassbox only; interpret columns are shown as —")
    args = parser.parse_args(argv)
    args.datasets = [name.strip() for name in args.datasets.split(",") if name.strip()]
    unknown = sorted(set(args.datasets) - set(LOADERS))
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(LOADERS)}")
    if not isinstance(args.glassbox_params, dict):
        parser.error("--glassbox-params must be a JSON object")
    return args


def main(argv=None):
    args = parse_args(argv)
    glassbox_params = {"n_jobs": -1, "random_state": SEED, **args.glassbox_params}
    rows = [run_dataset(name, args.data_dir, glassbox_params, args.skip_interpret)
            for name in args.datasets]
    text = report(rows, glassbox_params)
    print(text, end="")
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
