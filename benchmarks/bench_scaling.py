"""Scaling and first use: cores within a bag, a million rows, and the cost of compiling.

Three measurements, each on ``glassbox.datasets.make_risk_cohort`` (20 features, 3 planted
pairs), on the machine the command runs on:

* **Cores within a bag.** ``BoostedGAMClassifier(outer_bags=1, random_state=0)`` on
  ``--rows`` rows (default 1,000,000) with ``n_jobs=1`` and ``n_jobs=2``, best of
  ``--repeats`` fits each (after a warm-up fit); a single bag then splits its passes over the
  rows into blocks on both cores. The same on the first ``--multiclass-rows`` rows (default
  300,000, at most ``--rows``) with three classes (``multiclass_target``: no event, and events split at the median
  of the first numeric feature), whose passes cost about three times a binary pass. The report
  gives the speed-ups and whether each pair of models' scores are identical.
* **A million rows at the defaults.** ``BoostedGAMClassifier(n_jobs=-1, random_state=0)`` (8
  bags) on the same rows, one fit, with its ``fit_report_`` rounds.
* **First use.** In a fresh process with ``NUMBA_CACHE_DIR`` pointed at an empty folder:
  import, then the first fit of a 5,000-row model (``make_risk_cohort(5000)``, defaults), with
  the compile time of every kernel (Numba's compile events; a kernel's time includes the
  kernels it calls and compiles first); then the same in a second fresh process on the now warm
  cache, and a second fit in the first process (warm in memory). Compiling varies by a few
  tenths of a second from one process to the next, so the cold process runs
  ``--first-use-repeats`` times (each on its own empty cache); the report gives the median, the
  range, and the kernels of the median run.

Command line, from the repository root::

    .venv/bin/python -m benchmarks.bench_scaling [--rows 1000000] [--multiclass-rows 300000]
        [--repeats 2] [--first-use-repeats 5] [--output benchmarks/results/bench_scaling.md]
        [--parts first-use,cores,defaults]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

import glassbox
from glassbox import BoostedGAMClassifier
from glassbox.datasets import make_risk_cohort

from benchmarks._report import commit, publish

FIRST_USE = r"""
import json, sys, time
started = time.perf_counter()
from numba.core import event
import glassbox
from glassbox.datasets import make_risk_cohort
imported = time.perf_counter() - started
X, y, _ = make_risk_cohort(n_samples=5000, random_state=0)
recorder = event.RecordingListener()
with event.install_listener("numba:compile", recorder):
    started = time.perf_counter()
    glassbox.BoostedGAMClassifier(random_state=0).fit(X, y).predict_proba(X)
    first = time.perf_counter() - started
started = time.perf_counter()
glassbox.BoostedGAMClassifier(random_state=0).fit(X, y).predict_proba(X)
second = time.perf_counter() - started
opened, kernels = {}, {}
for stamp, record in recorder.buffer:
    dispatcher = record.data["dispatcher"]
    name = dispatcher.py_func.__module__ + "." + dispatcher.py_func.__qualname__
    key = (name, str(record.data["args"]))
    if record.is_start:
        opened[key] = stamp
    elif name.startswith("glassbox."):
        kernels[key[0]] = kernels.get(key[0], []) + [stamp - opened[key]]
print(json.dumps({"import_s": imported, "first_fit_s": first, "second_fit_s": second,
                  "kernels": kernels}))
"""


def first_use(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", FIRST_USE], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed_fit(X, y, **params):
    started = time.perf_counter()
    model = BoostedGAMClassifier(random_state=0, **params).fit(X, y)
    return time.perf_counter() - started, model


def multiclass_target(X, y):
    """Three classes from the binary outcome: 0 without the event, 1 and 2 with it, below and
    above the median of the first numeric feature."""
    first = X.select_dtypes("number").iloc[:, 0]
    return y * (1 + (first > first.median()).to_numpy())


def cores_within_a_bag(X, y, repeats):
    timed_fit(X[:200_000], y[:200_000], outer_bags=1, max_rounds=3)  # compile, warm the caches
    times, models = {}, {}
    for n_jobs in (1, 2):
        fits = [timed_fit(X, y, outer_bags=1, n_jobs=n_jobs) for _ in range(repeats)]
        times[n_jobs] = min(t for t, _ in fits)
        models[n_jobs] = fits[0][1]
    identical = all(np.array_equal(a.scores, b.scores)
                    for a, b in zip(models[1].terms_, models[2].terms_))
    return times, identical, models[1]


def cold_and_warm(repeats):
    """Cold first-use runs, each on an empty cache, and a warm run on the last one's cache;
    returns (median cold run, all cold first-fit seconds, warm run)."""
    colds = []
    for k in range(repeats):
        with tempfile.TemporaryDirectory() as cache_dir:
            colds.append(first_use(cache_dir))
            if k == repeats - 1:
                warm = first_use(cache_dir)
    colds.sort(key=lambda run: run["first_fit_s"])
    return colds[len(colds) // 2], [run["first_fit_s"] for run in colds], warm


def report(args, cores, million, first):
    lines = ["## Scaling and first use", "",
             f"- commit {commit()}; command `python -m benchmarks.bench_scaling "
             f"{' '.join(args.argv)}`".rstrip() + "",
             f"- python {platform.python_version()}, numpy {np.__version__}, glassbox "
             f"{glassbox.__version__}; nproc {len(os.sched_getaffinity(0))}", ""]
    if cores is not None:
        lines += ["### Cores within one bag (`outer_bags=1`)", "",
                  "| rows × cols | target | n_jobs=1 s | n_jobs=2 s | speed-up | "
                  "identical scores | rounds (main, pairs) |",
                  "|---:|---|---:|---:|---:|---|---|"]
        for rows, target, (times, identical, model) in zip(
                (args.rows, args.multiclass_rows), ("binary", "3 classes"), cores):
            lines.append(f"| {rows:,} × 20 | {target} | {times[1]:.1f} | {times[2]:.1f} | "
                         f"{times[1] / times[2]:.2f}× | {'yes' if identical else '**no**'} | "
                         f"{model.bag_rounds_[0].tolist()} |")
        lines.append("")
    if million is not None:
        elapsed, model = million
        report_ = model.fit_report_
        lines += ["### Defaults (8 bags, `n_jobs=-1`)", "",
                  "| rows × cols | fit s | rounds run per bag (main) | pairs kept |",
                  "|---:|---:|---|---|",
                  f"| {args.rows:,} × 20 | {elapsed:.1f} | {report_['rounds_run_main']} | "
                  f"{len(report_['pairs_kept'])} |", ""]
    if first is None:
        return "\n".join(lines) + "\n"
    cold, cold_fits, warm = first
    kernels = sorted(((max(v), k, len(v)) for k, v in cold["kernels"].items()), reverse=True)
    lines += ["### First use: 5,000 rows, defaults", "",
              f"Empty cache: median of {len(cold_fits)} fresh processes (first fit + predict: "
              + ", ".join(f"{v:.2f}" for v in cold_fits) + " s); the other rows are the "
              "median run's.", "",
              "| cache | import s | first fit + predict s | second fit + predict s |",
              "|---|---:|---:|---:|",
              f"| empty | {cold['import_s']:.1f} | {cold['first_fit_s']:.2f} | "
              f"{cold['second_fit_s']:.2f} |",
              f"| warm (new process) | {warm['import_s']:.1f} | {warm['first_fit_s']:.2f} | "
              f"{warm['second_fit_s']:.2f} |", "",
              "Compile time per kernel (the median run; includes the kernels it calls that were "
              "not compiled yet; specialisations in brackets):", "",
              "| kernel | compile s |", "|---|---:|"]
    lines += [f"| `{name.replace('glassbox.', '')}` ({count}) | {seconds:.2f} |"
              for seconds, name, count in kernels if seconds >= 0.05]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--multiclass-rows", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--first-use-repeats", type=int, default=5)
    parser.add_argument("--parts", default="first-use,cores,defaults",
                        help="comma-separated subset of first-use, cores, defaults")
    parser.add_argument("--output", metavar="PATH")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    parts = {part.strip() for part in args.parts.split(",")}
    first = cores = million = None
    if "first-use" in parts:
        first = cold_and_warm(args.first_use_repeats)
    if parts & {"cores", "defaults"}:
        X, y, _ = make_risk_cohort(n_samples=args.rows, random_state=0)
        if "cores" in parts:
            args.multiclass_rows = min(args.multiclass_rows, args.rows)
            few = X.iloc[:args.multiclass_rows]
            cores = (cores_within_a_bag(X, y, args.repeats),
                     cores_within_a_bag(few, multiclass_target(few, y[:args.multiclass_rows]),
                                        args.repeats))
        million = timed_fit(X, y, n_jobs=-1) if "defaults" in parts else None
    publish(report(args, cores, million, first), args.output)


if __name__ == "__main__":
    main()
