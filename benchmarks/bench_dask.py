"""Data-parallel boosting on Dask: communication, compute per step, a large fit, a cost model.

Four parts, each on a ``distributed.LocalCluster`` of ``--workers`` worker processes (default 2,
one thread each) on the machine the command runs on:

* **latency**: the round trip of one coalesced request through glassbox's own dispatcher
  (``glassbox.dask._workers.OnCluster``) to an actor on every worker, against the size of each
  worker's reply (a step's histogram is a few KB; a pair ranking's, megabytes); median of 200.
* **steps**: the time of one boosting step (one pass over the rows, its histograms combined)
  against rows per worker, on the cluster and in this process (the same engine, no
  communication), from two fits of ``outer_bags=1``, no pairs, no early stopping, 20 and 100
  rounds: (time(100) - time(20)) / (passes(100) - passes(20)), which leaves set-up out. Where the
  two columns meet, compute outweighs communication.
* **fit**: ``DaskBoostedGAMClassifier(random_state=0)`` (defaults: 8 bags, pairs, early
  stopping) on ``--rows`` rows × 20 features of ``make_risk_cohort``, generated on the workers
  partition by partition (``--partition-rows`` each, seeds 1, 2, ...); fit time, rounds, the
  median time of a step of all bags, each worker's resident memory before the fit and its
  peak, the test AUC on 200,000 fresh rows; and the same two figures for a
  ``BoostedGAMClassifier`` fit of the same rows in one process (generated there the same way;
  ``max_rounds=5``, since memory does not grow with rounds).
* **model**: a cost model fitted to the two first parts, extrapolated to 32 workers × 8
  threads (see docs/scaling.md).
* **compression**: in this process, the share of rows that stay distinct units with
  ``compress=True`` (16,384-row chunks) on the simulated risk cohort (50,000 rows), the
  pneumonia and maternal case-study cohorts, and those cohorts' columns of at most 10 distinct
  values; and fit times with ``compress=False`` and ``"auto"`` (4 bags, best of 2) on a simulated
  table of four coded features (100,000 rows), binary, three classes and regression.

Command line, from the repository root::

    .venv/bin/python -m benchmarks.bench_dask [--rows 10000000] [--workers 2]
        [--parts latency,steps,fit,model,compression]
        [--output benchmarks/results/bench_dask.md]
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

import glassbox
from benchmarks._report import commit, publish

N_FEATURES = 20
ROUNDS = (20, 100)
SIZES = (64, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304)


class Echo:
    """An actor answering a coalesced request with `size` bytes, as a shard answers."""

    async def call_many(self, requests):
        return [np.zeros(size // 8) for _, (size,) in requests]


def cluster(workers):
    from distributed import LocalCluster
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=":0")


def latency(workers):
    from distributed import Client
    from glassbox.dask._workers import OnCluster
    rows = []
    with cluster(workers) as local:
        for direct in (False, True):
            with Client(local, direct_to_workers=direct) as client:
                addresses = sorted(client.scheduler_info()["workers"])
                for n in range(1, workers + 1):
                    futures = [client.submit(Echo, actor=True, workers=[a], pure=False)
                               for a in addresses[:n]]
                    on = OnCluster(client, [f.result() for f in futures], futures,
                                   addresses[:n], 60)
                    for size in SIZES:
                        on.broadcast("echo", size)
                        times = []
                        for _ in range(200 if size <= 65_536 else 30):
                            started = time.perf_counter()
                            on.broadcast("echo", size)
                            times.append(time.perf_counter() - started)
                        rows.append({"workers": n, "direct": direct, "bytes": size,
                                     "ms": 1e3 * float(np.median(times))})
                    on.close()
    return rows


def risk_part(n, seed):
    """One partition: n rows of make_risk_cohort and their outcome."""
    from glassbox.datasets import make_risk_cohort
    X, y, _ = make_risk_cohort(n_samples=n, n_features=N_FEATURES, random_state=seed)
    return X.assign(outcome=y)


def partition_sizes(rows, partition_rows):
    return [partition_rows] * (rows // partition_rows) + (
        [rows % partition_rows] if rows % partition_rows else [])


def resident_kb():
    """This process's resident memory now (ru_maxrss gives its peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _partitions(rows, partition_rows):
    """A Dask DataFrame of `rows` rows of make_risk_cohort, generated on the workers
    partition by partition (seeds 1, 2, ...)."""
    import dask
    import dask.dataframe as dd
    return dd.from_delayed([dask.delayed(risk_part)(n, i + 1)
                            for i, n in enumerate(partition_sizes(rows, partition_rows))],
                           meta=risk_part(50, 0).iloc[:0])


def _counted_fit(estimator, X, y):
    """Fit; the number of passes over the rows it made (every step's and measurement's) and
    their median wall time as one bag saw it (a coalesced step of all bags)."""
    from glassbox.dask import _rows
    times = []
    original = _rows.ShardedRows.pass_

    def counting(self, *args):
        started = time.perf_counter()
        out = original(self, *args)
        times.append(time.perf_counter() - started)
        return out
    _rows.ShardedRows.pass_ = counting
    try:
        started = time.perf_counter()
        estimator.fit(X, y)
        return time.perf_counter() - started, len(times), float(np.median(times))
    finally:
        _rows.ShardedRows.pass_ = original


def steps(workers, per_worker_rows):
    from distributed import Client
    from glassbox.dask import DaskBoostedGAMClassifier
    from glassbox.datasets import make_risk_cohort
    params = dict(outer_bags=1, interactions=0, validation_fraction=None, random_state=0)
    out = []
    with cluster(workers) as local, Client(local):
        for per_worker in per_worker_rows:
            rows = per_worker * workers
            frame = _partitions(rows, max(per_worker // 2, 1)).persist()
            X, y = frame.drop(columns="outcome"), frame["outcome"]
            timed = [_counted_fit(DaskBoostedGAMClassifier(max_rounds=r, **params), X, y)
                     for r in ROUNDS]
            on_cluster = (timed[1][0] - timed[0][0]) / (timed[1][1] - timed[0][1])
            row = {"rows_per_worker": per_worker, "cluster_ms": 1e3 * on_cluster}
            if per_worker <= 1 << 20:
                Xm, ym, _ = make_risk_cohort(n_samples=per_worker, n_features=N_FEATURES,
                                             random_state=1)
                local_fits = [_counted_fit(DaskBoostedGAMClassifier(max_rounds=r, **params),
                                           Xm, ym) for r in ROUNDS]
                row["memory_ms"] = 1e3 * ((local_fits[1][0] - local_fits[0][0])
                                          / (local_fits[1][1] - local_fits[0][1]))
            out.append(row)
            del frame
    return out


LOCAL_MEMORY = r"""
import json, resource, sys
import pandas as pd
from glassbox import BoostedGAMClassifier
from benchmarks.bench_dask import partition_sizes, resident_kb, risk_part
frame = pd.concat([risk_part(n, i + 1) for i, n in
                   enumerate(partition_sizes(int(sys.argv[1]), int(sys.argv[2])))],
                  ignore_index=True)
data_kb = resident_kb()
BoostedGAMClassifier(max_rounds=5, random_state=0, n_jobs=-1).fit(
    frame.drop(columns="outcome"), frame["outcome"])
print(json.dumps({"after_data_kb": data_kb,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def big_fit(workers, rows, partition_rows):
    from distributed import Client, wait
    from sklearn.metrics import roc_auc_score
    from glassbox.dask import DaskBoostedGAMClassifier
    from glassbox.datasets import make_risk_cohort
    result = {"rows": rows}
    with cluster(workers) as local, Client(local) as client:
        frame = _partitions(rows, partition_rows).persist()
        wait(frame)
        X, y = frame.drop(columns="outcome"), frame["outcome"]
        before = client.run(resident_kb)
        model = DaskBoostedGAMClassifier(random_state=0)
        result["fit_s"], result["passes"], result["step_s"] = _counted_fit(model, X, y)
        peak = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        result["worker_peak_gb"] = [peak[a] / 2 ** 20 for a in sorted(peak)]
        result["worker_data_gb"] = [before[a] / 2 ** 20 for a in sorted(before)]
        result["report"] = {k: model.fit_report_[k] for k in
                            ("rounds_run_main", "rounds_run_pairs", "pairs_kept", "chunks",
                             "shards")}
    Xt, yt, _ = make_risk_cohort(n_samples=200_000, n_features=N_FEATURES, random_state=10**6)
    result["test_auc"] = float(roc_auc_score(yt, model.predict_proba(Xt)[:, 1]))
    out = subprocess.run([sys.executable, "-c", LOCAL_MEMORY, str(rows), str(partition_rows)],
                         capture_output=True, text=True, check=True).stdout
    local_memory = json.loads(out.strip().splitlines()[-1])
    result["local_peak_gb"] = local_memory["peak_kb"] / 2 ** 20
    result["local_data_gb"] = local_memory["after_data_kb"] / 2 ** 20
    return result


def coded_targets(n):
    """The coded cohort (`make_coded_cohort`) with three targets: its outcome, three classes and
    a numeric one (the true log-odds plus noise)."""
    from glassbox.datasets import make_coded_cohort
    X, y, truth = make_coded_cohort(n, random_state=0, return_truth=True)
    noise = np.random.default_rng(1).normal(size=n)
    return X, {"binary": y, "three classes": y + (X.dx > 8).astype(int).to_numpy(),
               "regression": truth.sum(axis=1).to_numpy() + noise}


def compression():
    from glassbox.dask import DaskBoostedGAMClassifier, DaskBoostedGAMRegressor
    from glassbox.datasets import load_maternal_morbidity, load_pneumonia, make_risk_cohort
    X, y, _ = make_risk_cohort(n_samples=50_000, random_state=0)
    tables = [("simulated risk cohort", X, y)]
    for name, loader in (("pneumonia cohort", load_pneumonia),
                         ("maternal cohort", load_maternal_morbidity)):
        data = loader()
        coded = [c for c in data.data.columns if data.data[c].nunique() <= 10]
        tables += [(name, data.data, data.target),
                   (f"{name}, its {len(coded)} columns of ≤ 10 values", data.data[coded],
                    data.target)]
    shares = []
    for name, X, y in tables:
        model = DaskBoostedGAMClassifier(compress=True, max_rounds=1, outer_bags=1,
                                         interactions=0).fit(X, y)
        shares.append({"table": name, "rows": len(X),
                       "units": model.fit_report_["units"]})
    X, targets = coded_targets(100_000)
    fits = []
    for task, target in targets.items():
        Estimator = DaskBoostedGAMRegressor if task == "regression" else DaskBoostedGAMClassifier
        row = {"task": task}
        for compress in (False, "auto"):
            times = []
            for _ in range(2):
                started = time.perf_counter()
                model = Estimator(outer_bags=4, random_state=0, compress=compress).fit(X, target)
                times.append(time.perf_counter() - started)
            row[str(compress)] = min(times)
            row["units"] = model.fit_report_["units"]
        fits.append(row)
    return {"shares": shares, "fits": fits}


def cost_model(latency_rows, step_rows):
    """t_step = a + b (workers - 1) + c rows_per_worker / threads: a and b from the latency
    of a 4 KB reply with 1 and 2 workers, c from the in-process step time per row."""
    small = {r["workers"]: r["ms"] for r in latency_rows
             if r["bytes"] == 4096 and not r["direct"]}
    a = small[1]
    b = small.get(2, a) - a
    per_row = [r["memory_ms"] / r["rows_per_worker"] for r in step_rows
               if "memory_ms" in r and r["rows_per_worker"] >= 250_000]
    c = float(np.median(per_row)) if per_row else float("nan")
    return {"a_ms": a, "b_ms": b, "c_ns_per_row": c * 1e6}


def report(args, lat, step_rows, fit, model, packed):
    lines = ["## Data-parallel boosting on Dask", "",
             f"- commit {commit()}; command `python -m benchmarks.bench_dask "
             f"{' '.join(args.argv)}`".rstrip(),
             f"- python {platform.python_version()}, numpy {np.__version__}, glassbox "
             f"{glassbox.__version__}; nproc {len(os.sched_getaffinity(0))}; LocalCluster of "
             f"{args.workers} worker processes × 1 thread", ""]
    if lat:
        heads = [f"{n} worker{'s' if n > 1 else ''}{', direct' if direct else ''}"
                 for direct in (False, True) for n in range(1, args.workers + 1)]
        lines += ["### Round trip of one request against reply size (median ms)", "",
                  "Through the scheduler (Dask's default), and with `Client(direct_to_workers="
                  "True)`.", "",
                  "| reply bytes per worker | " + " | ".join(heads) + " |",
                  "|---:|" + "---:|" * len(heads)]
        for size in SIZES:
            cells = [f"{r['ms']:.2f}" for direct in (False, True) for r in lat
                     if r["bytes"] == size and r["direct"] == direct]
            lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
        lines.append("")
    if step_rows:
        lines += ["### Time per boosting step against rows per worker (ms)", "",
                  "| rows per worker | on the cluster | in this process (no communication) |",
                  "|---:|---:|---:|"]
        for r in step_rows:
            memory = f"{r['memory_ms']:.2f}" if "memory_ms" in r else "—"
            lines.append(f"| {r['rows_per_worker']:,} | {r['cluster_ms']:.2f} | {memory} |")
        lines.append("")
    if fit:
        rep = fit["report"]
        lines += ["### A large fit at the defaults", "",
                  "| rows × cols | fit s | main rounds per bag | pair rounds per bag | pairs | "
                  "chunks | test AUC |", "|---:|---:|---|---|---:|---:|---:|",
                  f"| {fit['rows']:,} × {N_FEATURES} | {fit['fit_s']:.0f} | "
                  f"{rep['rounds_run_main']} | {rep['rounds_run_pairs']} | "
                  f"{len(rep['pairs_kept'])} | {rep['chunks']:,} | {fit['test_auc']:.4f} |", "",
                  f"Passes over the rows, all bags: {fit['passes']:,} "
                  f"({fit['passes'] / len(rep['rounds_run_main']):,.0f} per bag); a step of "
                  f"all bags took {1e3 * fit['step_s']:.1f} ms (median).", "",
                  "| process | peak resident memory GB | resident before the fit (the data loaded) |",
                  "|---|---:|---:|"]
        for i, (peak, data) in enumerate(zip(fit["worker_peak_gb"], fit["worker_data_gb"])):
            lines.append(f"| Dask worker {i + 1} | {peak:.2f} | {data:.2f} |")
        lines += [f"| one process, `BoostedGAMClassifier` | {fit['local_peak_gb']:.2f} | "
                  f"{fit['local_data_gb']:.2f} |", ""]
    if packed:
        lines += ["### Compression (in this process)", "",
                  "| table | rows | units with `compress=True` | share |", "|---|---:|---:|---:|"]
        lines += [f"| {r['table']} | {r['rows']:,} | {r['units']:,} | "
                  f"{r['units'] / r['rows']:.1%} |" for r in packed["shares"]]
        lines += ["", "Four coded features, 100,000 rows, 4 bags (best of 2 fits):", "",
                  "| target | units | fit s, `compress=False` | fit s, `\"auto\"` | speed-up |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {r['task']} | {r['units']:,} | {r['False']:.2f} | {r['auto']:.2f} | "
                  f"{r['False'] / r['auto']:.1f}× |" for r in packed["fits"]]
        lines.append("")
    if model:
        lines += ["### Cost model", "",
                  f"t_step = a + b (workers − 1) + c × rows per worker / threads, with "
                  f"a = {model['a_ms']:.2f} ms, b = {model['b_ms']:.2f} ms, "
                  f"c = {model['c_ns_per_row']:.2f} ns per row (docs/scaling.md).", ""]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partition-rows", type=int, default=500_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--step-rows", default="16384,65536,262144,1048576,4194304",
                        help="rows per worker of the steps part, comma-separated")
    parser.add_argument("--parts", default="latency,steps,fit,model,compression")
    parser.add_argument("--output", metavar="PATH")
    parser.add_argument("--json", metavar="PATH", help="also write the raw figures here")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    parts = {p.strip() for p in args.parts.split(",")}
    lat = latency(args.workers) if "latency" in parts else None
    step_rows = (steps(args.workers, [int(r) for r in args.step_rows.split(",")])
                 if "steps" in parts else None)
    fit = big_fit(args.workers, args.rows, args.partition_rows) if "fit" in parts else None
    model = cost_model(lat, step_rows) if "model" in parts and lat and step_rows else None
    packed = compression() if "compression" in parts else None
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"latency": lat, "steps": step_rows, "fit": fit, "model": model,
                       "compression": packed}, f, indent=1)
    publish(report(args, lat, step_rows, fit, model, packed), args.output)


if __name__ == "__main__":
    main()
