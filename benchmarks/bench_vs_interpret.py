"""Benchmark glassbox's boosted GAMs against interpret's EBMs, side by side, by repeated CV.

Protocol
--------
For each dataset (sources in ``_data.py``):

* **Folds.** Repeated k-fold cross-validation, ``--folds`` × ``--repeats`` (default 5 × 2):
  ``RepeatedStratifiedKFold`` for classification, ``RepeatedKFold`` for regression,
  ``random_state=0``. The two simulated sets use ``--simulated-folds`` ×
  ``--simulated-repeats`` instead (default 2 × 1: an interpret fit on 100,000 rows takes minutes)
  and are generated with 100,000 × k / (k − 1) rows, so every training fold has 100,000 rows.
  Both models see exactly the same folds and the same raw DataFrame (NaN and strings as they
  come). In fold i both get ``random_state=i``.
* **Metric.** Classification: ROC AUC of ``predict_proba`` on the held-out fold; for more than
  two classes the macro average of one-vs-rest AUCs. Regression: R² of ``predict``.
* **Paired difference.** Per fold, Δ = glassbox − interpret. The report gives the mean Δ over
  the n = k × r folds and two standard errors: the naive one, sd(Δ) / √n, which treats folds as
  independent and is too small because training sets overlap; and the corrected one of Nadeau &
  Bengio (2003, "Inference for the Generalization Error", Machine Learning 52:239-281),
  sd(Δ) × √(1/n + n_test/n_train), with n_test/n_train = 1/(k − 1), as recommended for repeated
  k-fold by Bouckaert & Frank (2004). Targets use the corrected SE.
* **Fit time.** Wall clock of ``fit`` per fold; the speed-up is interpret's mean fit time over
  glassbox's. Both models are first fitted once on a few hundred rows of the dataset, so
  glassbox's Numba compilation (or cache loading) and interpret's worker start-up are not timed.
* **Predict throughput.** Rows per second of ``predict_proba`` (``predict`` for regression) on
  the held-out fold tiled up to at least 10,000 rows, best of 3; the report gives the median
  over folds.
* **Cores.** glassbox runs with ``n_jobs=-1``. interpret's own default is ``n_jobs=-2`` (joblib:
  all cores but one, so one worker on a 2-core machine), which would hand glassbox twice the
  cores; the benchmark therefore also gives interpret ``n_jobs=-1`` (``--interpret-n-jobs``
  changes it). The report states both values.

Modes (``--mode``, default ``both``)
-------------------------------------
* ``defaults``: glassbox at its own defaults, interpret at its own defaults.
* ``equal-work``: interpret unchanged; glassbox configured with interpret's defaults, read at
  run time from ``inspect.signature`` of ``ExplainableBoostingClassifier`` /
  ``ExplainableBoostingRegressor`` (the report prints them and the mapping, ``EQUAL_WORK``).
  Steps: interpret boosts one term per step and expresses ``max_rounds`` and
  ``early_stopping_rounds`` in multiples of the number of terms (its patience is
  ``early_stopping_rounds × n_terms`` single-term steps); a glassbox round is n_terms
  single-term steps too, so the same numbers mean the same count of steps. Not mapped: how the
  steps are scheduled (interpret: one cyclic gain-measuring pass, then ``greedy_ratio ×
  n_terms`` steps on the term of best gain; glassbox: every step on the term of best gain
  relative to its chance gain but the smoothing steps of a cyclic ``smoothing_schedule``, every
  term re-measured every 10 rounds), random cuts in
  interpret's pair stage (``interaction_smoothing_rounds``) and a few regularisers glassbox
  lacks; the report lists them with their values.
* ``both``: both modes on the same folds; interpret is fitted once per fold and shared.

``--glassbox-params`` (a JSON object) is applied on top of glassbox's settings in every mode,
``--interpret-params`` on top of interpret's. Equal-work still maps interpret's *defaults*, so
to change both libraries alike (e.g. ``interactions=0`` on both sides, to tell whether a gap is
in the main effects or the pairs) pass the setting to both options. The per-fold CSV does not
record them: ``--resume`` only with the same command.

Targets (printed as met / not met with the margin, per mode)
------------------------------------------------------------
* classification: mean ΔAUC over the classification datasets ≥ 0, and no dataset's mean ΔAUC
  below −0.002 by more than its corrected SE;
* regression: mean ΔR² ≥ 0, and no dataset below −0.005 by more than its corrected SE;
* fit speed-up ≥ 5× on every dataset (≥ 8× on the 100,000-row simulated classification set);
* predict throughput ≥ interpret's on every dataset.

Output
------
The report (provenance: commit, command line, versions, nproc; interpret's defaults and the
equal-work mapping; one table per mode; targets) is printed to stdout, progress to stderr.
``--output PATH`` also writes it as Markdown and writes the per-fold figures to PATH with the
suffix ``.csv``.

Command line
------------
Run as a module from the repository root (so the working tree's ``glassbox`` is imported)::

    .venv/bin/python -m benchmarks.bench_vs_interpret \\
        --output benchmarks/results/bench_vs_interpret.md [--mode both|defaults|equal-work] \\
        [--folds 5] [--repeats 2] [--simulated-folds 2] [--simulated-repeats 1] \\
        [--datasets framingham,diabetes,...] [--data-dir DIR] [--glassbox-params JSON] \\
        [--interpret-params JSON] [--interpret-n-jobs -1] [--skip-interpret] [--resume] \\
        [--report-only] [--quick]

The per-fold CSV is rewritten after every fold; ``--resume`` (same command again) keeps the
folds it holds and measures only the rest, so an interrupted run can be completed, and
``--report-only`` writes the report of the folds measured so far without measuring anything.

``--quick`` is a smoke test: 3 folds × 1 repeat everywhere and simulated sets with 4,000-row
training folds. ``--skip-interpret`` runs glassbox only (interpret columns show "—").
"""

import argparse
import inspect
import json
import os
import platform
import shlex
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numba
import numpy as np
import pandas as pd
from interpret import __version__ as interpret_version
from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import (GroupKFold, RepeatedKFold, RepeatedStratifiedKFold,
                                     StratifiedGroupKFold)

import glassbox
from benchmarks._data import DATA_DIR, DATASETS
from benchmarks._report import commit, publish
from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, UnseenValueWarning

MODES = ("defaults", "equal-work")
SIMULATED_TRAIN_ROWS = 100_000
QUICK_SIMULATED_TRAIN_ROWS = 4_000
WARMUP_ROWS = 300
MIN_PREDICT_ROWS = 10_000
PREDICT_REPEATS = 3
NOT_RUN = "—"

AUC_TOLERANCE = 0.002
R2_TOLERANCE = 0.005
MIN_SPEEDUP = 5.0
MIN_SPEEDUP_LARGE = 8.0
LARGE_DATASET = "simulated"

EQUAL_WORK = [
    # (glassbox parameter, interpret parameter, how they correspond)
    ("outer_bags", "outer_bags", "same"),
    ("learning_rate", "learning_rate", "same"),
    ("max_rounds", "max_rounds", "interpret: max_rounds × n_terms single-term steps"),
    ("early_stopping_rounds", "early_stopping_rounds",
     "interpret: patience of early_stopping_rounds × n_terms single-term steps; a glassbox "
     "round is n_terms steps"),
    ("tol", "early_stopping_tolerance", "both relative to the best validation loss"),
    ("validation_fraction", "validation_size", "same"),
    ("interactions", "interactions", "'Nx' = N × n_features pairs in both"),
    ("max_bins", "max_bins", "same"),
    ("max_interaction_bins", "max_interaction_bins", "same"),
    ("min_samples_leaf", "min_samples_leaf", "same"),
    ("max_leaves", "max_leaves", "same"),
    ("smoothing_rounds", "smoothing_rounds",
     "random-cut rounds of the main effects; glassbox counts them in the early-stopping "
     "patience, interpret does not; interpret gives their cuts to every term in turn, glassbox "
     "keeps its default smoothing_schedule (greedy for classification, chosen by validation "
     "loss for regression)"),
    ("l2_regularization", "reg_lambda", "same"),
    ("min_hessian", "min_hessian",
     "interpret: a cut's leaves need this hessian; glassbox: a leaf needs it to move, in rows "
     "of the mean weight (the same numbers with unit weights)"),
]
EQUAL_WORK_FIXED = {"min_interaction_gain_ratio": (
    0.0, "interpret keeps its top-ranked pairs without a gain filter")}
NOT_MAPPED = {
    "greedy_ratio": "every glassbox step but cyclic smoothing's is greedy; every term's gain is "
                    "re-measured every 10 rounds",
    "cyclic_progress": "glassbox's gain-measuring passes never change the model",
    "interaction_smoothing_rounds": "glassbox's pair stage has no random-cut rounds",
    "inner_bags": "no counterpart",
    "reg_alpha": "no counterpart",
    "max_delta_step": "glassbox caps every step at 20 × learning_rate in raw-score units, "
                      "except for squared error",
    "gain_scale": "categorical handling differs",
    "min_cat_samples": "categorical handling differs",
    "cat_smooth": "categorical handling differs",
    "missing": "glassbox gives missing values their own bin",
}


def log(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# model settings
# --------------------------------------------------------------------------------------------------

def interpret_class(dataset):
    return ExplainableBoostingRegressor if dataset.regression else ExplainableBoostingClassifier


def glassbox_class(dataset):
    return BoostedGAMRegressor if dataset.regression else BoostedGAMClassifier


def interpret_defaults(cls):
    """interpret's constructor defaults, as installed."""
    return {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self"}


def equal_work_params(cls):
    """glassbox keyword arguments that reproduce `cls`'s defaults, per EQUAL_WORK."""
    defaults = interpret_defaults(cls)
    params = {ours: defaults[theirs] for ours, theirs, _ in EQUAL_WORK}
    if not isinstance(params["interactions"], (str, int)):
        raise ValueError(f"interpret's default interactions={params['interactions']!r} has no "
                         "glassbox counterpart; extend equal_work_params.")
    params.update({name: value for name, (value, _) in EQUAL_WORK_FIXED.items()})
    return params


def glassbox_params(dataset, mode, seed, extra):
    base = equal_work_params(interpret_class(dataset)) if mode == "equal-work" else {}
    return {**base, "n_jobs": -1, "random_state": seed, **extra}


# --------------------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------------------

def score(dataset, model, X, y):
    """R² (regression), ROC AUC (binary) or macro one-vs-rest ROC AUC (multiclass)."""
    if dataset.regression:
        return r2_score(y, model.predict(X))
    proba = model.predict_proba(X)
    if dataset.task == "binary":
        return roc_auc_score(y, proba[:, 1])
    return roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=model.classes_)


def predict_throughput(dataset, model, X_test):
    """Rows/s of prediction: best of PREDICT_REPEATS on X_test tiled to >= MIN_PREDICT_ROWS."""
    copies = -(-MIN_PREDICT_ROWS // len(X_test))
    X_rep = pd.concat([X_test] * copies, ignore_index=True) if copies > 1 else X_test
    predict = model.predict if dataset.regression else model.predict_proba
    best = float("inf")
    for _ in range(PREDICT_REPEATS):
        start = time.perf_counter()
        predict(X_rep)
        best = min(best, time.perf_counter() - start)
    return len(X_rep) / best


def measure(dataset, model, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    return {"metric": score(dataset, model, X_test, y_test), "fit_s": fit_s,
            "rows_per_s": predict_throughput(dataset, model, X_test)}


def warm_up(model, X, y):
    """Fit and predict on a few hundred rows, so compilation and start-up are not timed."""
    rows = np.random.default_rng(0).choice(len(y), size=min(WARMUP_ROWS, len(y)), replace=False)
    X_small, y_small = X.iloc[rows], y[rows]
    model.fit(X_small, y_small).predict(X_small)


def folds_for(dataset, n_splits, n_repeats, copies_together=False):
    """The repeated k-fold splits; with `copies_together`, rows that repeat one another in every
    column, target included, always fall in the same fold (`CopiesTogether`)."""
    if copies_together:
        return CopiesTogether(dataset, n_splits, n_repeats)
    cls = RepeatedKFold if dataset.regression else RepeatedStratifiedKFold
    return cls(n_splits=n_splits, n_repeats=n_repeats, random_state=0)


class CopiesTogether:
    """Repeated k-fold splits that never put a row in the test fold while a copy of it is in
    the training folds: a table of repeated records (maternal health: 562 of its 1,014 rows
    repeat another) otherwise scores how well a model remembers its training rows. Repeat r
    shuffles with `random_state=r`, stratified for classification."""

    def __init__(self, dataset, n_splits, n_repeats):
        self.regression, self.n_splits, self.n_repeats = dataset.regression, n_splits, n_repeats

    def split(self, X, y):
        rows = pd.util.hash_pandas_object(X.assign(_target=y), index=False).to_numpy()
        groups = pd.factorize(rows)[0]
        kind = GroupKFold if self.regression else StratifiedGroupKFold
        for r in range(self.n_repeats):
            yield from kind(n_splits=self.n_splits, shuffle=True, random_state=r).split(X, y,
                                                                                     groups)


def held_out_parser(doc, datasets, which):
    """The options of a script that reads this benchmark's held-out folds (`folds_for`) of
    tables that are not simulated: its datasets (`which` says what kind), data folder, folds
    and repeats."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--datasets", default=datasets,
                        help=f"comma-separated {which} that are not simulated")
    parser.add_argument("--data-dir", default=str(DATA_DIR))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    return parser


def run_dataset(dataset, args, done, save):
    """Per-fold records of one dataset, for every requested mode; folds whose index is in `done`
    (already measured, from --resume) are skipped, and `save` is called after each fold."""
    n_splits, n_repeats = ((args.simulated_folds, args.simulated_repeats) if dataset.simulated
                           else (args.folds, args.repeats))
    if len(done) == n_splits * n_repeats:
        return []
    n_samples = None
    if dataset.simulated:
        train_rows = QUICK_SIMULATED_TRAIN_ROWS if args.quick else SIMULATED_TRAIN_ROWS
        n_samples = -(-train_rows * n_splits // (n_splits - 1))
    X, y = dataset.load(args.data_dir, n_samples)
    log(f"[{dataset.name}] {X.shape[0]:,} rows × {X.shape[1]}, {n_splits} folds × {n_repeats}")

    ebm_params = {"n_jobs": args.interpret_n_jobs, **args.interpret_params}
    for mode in args.modes:
        warm_up(glassbox_class(dataset)(**glassbox_params(dataset, mode, 0,
                                                          args.glassbox_params)), X, y)
    if not args.skip_interpret:
        warm_up(interpret_class(dataset)(**ebm_params), X, y)

    records = []
    for fold, (train, test) in enumerate(folds_for(dataset, n_splits, n_repeats,
                                                   args.copies_together).split(X, y)):
        if fold in done:
            continue
        X_train, X_test, y_train, y_test = X.iloc[train], X.iloc[test], y[train], y[test]
        ebm = None
        if not args.skip_interpret:
            ebm = measure(dataset, interpret_class(dataset)(**{"random_state": fold,
                                                               **ebm_params}),
                          X_train, y_train, X_test, y_test)
            log(f"[{dataset.name}] fold {fold + 1}: interpret fit {ebm['fit_s']:.1f} s")
        for mode in args.modes:
            model = glassbox_class(dataset)(**glassbox_params(dataset, mode, fold,
                                                              args.glassbox_params))
            gb = measure(dataset, model, X_train, y_train, X_test, y_test)
            log(f"[{dataset.name}] fold {fold + 1}: glassbox ({mode}) fit {gb['fit_s']:.1f} s")
            records.append({
                "mode": mode, "dataset": dataset.name, "task": dataset.task,
                "n_splits": n_splits, "index": fold, "repeat": fold // n_splits,
                "fold": fold % n_splits,
                "n_train": len(train), "n_test": len(test), "n_features": X.shape[1],
                "glassbox_metric": gb["metric"],
                "interpret_metric": ebm["metric"] if ebm else np.nan,
                "delta": gb["metric"] - ebm["metric"] if ebm else np.nan,
                "glassbox_fit_s": gb["fit_s"], "interpret_fit_s": ebm["fit_s"] if ebm else np.nan,
                "glassbox_rows_per_s": gb["rows_per_s"],
                "interpret_rows_per_s": ebm["rows_per_s"] if ebm else np.nan,
            })
        save(records)
    return records


# --------------------------------------------------------------------------------------------------
# summarising
# --------------------------------------------------------------------------------------------------

def summarise(folds):
    """One row per (mode, dataset): means, paired Δ with naive and corrected SEs, ratios."""
    rows = []
    for (mode, name), group in folds.groupby(["mode", "dataset"], sort=False):
        n = len(group)
        k = group["n_splits"].iloc[0]
        sd = group["delta"].std(ddof=1) if n > 1 else np.nan
        rows.append({
            "mode": mode, "dataset": name, "task": group["task"].iloc[0], "folds": n,
            "n_train": int(group["n_train"].mean()), "n_features": group["n_features"].iloc[0],
            "glassbox_metric": group["glassbox_metric"].mean(),
            "interpret_metric": group["interpret_metric"].mean(),
            "delta": group["delta"].mean(),
            "se_naive": sd / np.sqrt(n),
            "se": sd * np.sqrt(1 / n + 1 / (k - 1)),
            "glassbox_fit_s": group["glassbox_fit_s"].mean(),
            "interpret_fit_s": group["interpret_fit_s"].mean(),
            "speedup": group["interpret_fit_s"].mean() / group["glassbox_fit_s"].mean(),
            "glassbox_rows_per_s": group["glassbox_rows_per_s"].median(),
            "interpret_rows_per_s": group["interpret_rows_per_s"].median(),
        })
    return pd.DataFrame(rows)


def verdict(met, detail):
    return f"{'met' if met else '**not met**'} ({detail})"


def accuracy_targets(summary, tasks, tolerance, label):
    group = summary[summary["task"].isin(tasks)]
    if group.empty:
        return []
    mean = group["delta"].mean()
    slack = group["delta"] + tolerance + group["se"].fillna(0.0)
    worst = group.loc[slack.idxmin()]
    tightest = (f"margin {slack.min():+.4f}; tightest {worst.dataset}: Δ {worst.delta:+.4f} "
                f"± {worst.se:.4f}")
    return [
        f"mean Δ{label} over {len(group)} dataset(s) ≥ 0: "
        f"{verdict(mean >= 0, f'margin {mean:+.4f}')}",
        f"no dataset's Δ{label} below −{tolerance} by more than its SE: "
        f"{verdict(slack.min() >= 0, tightest)}",
    ]


def target_lines(summary, mode):
    lines = accuracy_targets(summary, ("binary", "multiclass"), AUC_TOLERANCE, "AUC")
    lines += accuracy_targets(summary, ("regression",), R2_TOLERANCE, "R²")
    needed = np.where(summary["dataset"] == LARGE_DATASET, MIN_SPEEDUP_LARGE, MIN_SPEEDUP)
    if mode == "equal-work":
        needed = np.full(len(summary), MIN_SPEEDUP)
    spare = summary["speedup"].to_numpy() / needed
    worst = int(np.argmin(spare))
    rule = (f"≥ {MIN_SPEEDUP:g}× on every dataset"
            + (f" (≥ {MIN_SPEEDUP_LARGE:g}× on {LARGE_DATASET})" if mode == "defaults" else ""))
    tightest = (f"tightest {summary['dataset'].iloc[worst]}: "
                f"{summary['speedup'].iloc[worst]:.1f}×, needs {needed[worst]:g}×")
    lines.append(f"fit {rule}: {verdict(spare.min() >= 1, tightest)}")
    ratio = (summary["glassbox_rows_per_s"] / summary["interpret_rows_per_s"]).to_numpy()
    worst = summary.iloc[int(np.argmin(ratio))]
    tightest = f"tightest {worst.dataset}: {ratio.min():.2f}× interpret's"
    lines.append(f"predict throughput ≥ interpret's on every dataset: "
                 f"{verdict(ratio.min() >= 1, tightest)}")
    return [f"- {line}" for line in lines]


# --------------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------------

def provenance_lines(args):
    command = " ".join(["python -m benchmarks.bench_vs_interpret",
                        *map(shlex.quote, args.argv)])
    measured = (" (report only: the folds were measured by an earlier run of the same command; "
                "see its log for the commit it ran on)" if args.report_only else "")
    return [
        f"- commit: {commit()}{measured}",
        f"- command: `{command}`",
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: nproc {len(os.sched_getaffinity(0))}, {platform.machine()}, "
        f"python {platform.python_version()}",
        f"- versions: interpret {interpret_version}, glassbox {glassbox.__version__}, "
        f"numpy {np.__version__}, numba {numba.__version__}",
        f"- cores: glassbox n_jobs=-1; interpret n_jobs={args.interpret_n_jobs} (its own "
        f"default is n_jobs={interpret_defaults(ExplainableBoostingClassifier)['n_jobs']})",
        f"- folds: {args.folds} × {args.repeats} (simulated sets: {args.simulated_folds} × "
        f"{args.simulated_repeats})" + (" [--quick]" if args.quick else ""),
    ]


def settings_lines(args, datasets):
    """interpret's installed defaults, glassbox's settings per mode and the equal-work mapping."""
    lines = ["## Settings", ""]
    classes = {interpret_class(d) for d in datasets}
    ordered = [c for c in (ExplainableBoostingClassifier, ExplainableBoostingRegressor)
               if c in classes]
    for cls in ordered:
        defaults = interpret_defaults(cls)
        lines.append(f"interpret {cls.__name__} defaults (from its signature): "
                     + ", ".join(f"{k}={v!r}" for k, v in defaults.items()) + ".")
        lines.append("")
    if "defaults" in args.modes:
        lines += ["**defaults**: glassbox at its defaults with n_jobs=-1, random_state=fold"
                  + (f", plus {json.dumps(args.glassbox_params)}" if args.glassbox_params else "")
                  + "; interpret at its defaults with the n_jobs above, random_state=fold"
                  + (f", plus {json.dumps(args.interpret_params)}" if args.interpret_params
                     else "") + ".", ""]
    if "equal-work" in args.modes:
        lines += ["**equal-work**: interpret "
                  + ("with --interpret-params (below)" if args.interpret_params else "unchanged")
                  + "; glassbox takes interpret's defaults:", "",
                  "| glassbox parameter | interpret parameter | "
                  + " | ".join(c.__name__ for c in ordered) + " | correspondence |",
                  "|---|---|" + "---:|" * len(ordered) + "---|"]
        params = {cls: equal_work_params(cls) for cls in ordered}
        for ours, theirs, note in EQUAL_WORK:
            lines.append(f"| {ours} | {theirs} | "
                         + " | ".join(repr(params[c][ours]) for c in ordered) + f" | {note} |")
        for ours, (value, note) in EQUAL_WORK_FIXED.items():
            lines.append(f"| {ours} | — | " + " | ".join(repr(value) for _ in ordered)
                         + f" | {note} |")
        lines += ["", "Not mapped (interpret default: why): " + "; ".join(
            f"{name} {'/'.join(repr(interpret_defaults(c)[name]) for c in ordered)}: {why}"
            for name, why in NOT_MAPPED.items()) + "."]
        if args.glassbox_params:
            lines.append(f"--glassbox-params on top: {json.dumps(args.glassbox_params)}.")
        if args.interpret_params:
            lines.append(f"interpret with --interpret-params: {json.dumps(args.interpret_params)}.")
        lines.append("")
    return lines


def cell(value, fmt):
    return NOT_RUN if pd.isna(value) else format(value, fmt)


def table_lines(summary):
    header = ["dataset", "metric", "train rows × cols", "folds", "glassbox", "interpret",
              "Δ (glassbox − interpret)", "SE (corrected)", "SE (naive)", "glassbox fit s",
              "interpret fit s", "speed-up", "glassbox predict rows/s",
              "interpret predict rows/s"]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|"]
    metric = {"binary": "AUC", "multiclass": "macro OvR AUC", "regression": "R²"}
    for row in summary.itertuples():
        lines.append("| " + " | ".join([
            row.dataset, metric[row.task], f"{row.n_train:,} × {row.n_features}",
            str(row.folds), f"{row.glassbox_metric:.4f}", cell(row.interpret_metric, ".4f"),
            cell(row.delta, "+.4f"), cell(row.se, ".4f"), cell(row.se_naive, ".4f"),
            f"{row.glassbox_fit_s:.2f}", cell(row.interpret_fit_s, ".2f"),
            NOT_RUN if pd.isna(row.speedup) else f"{row.speedup:.1f}×",
            f"{row.glassbox_rows_per_s:,.0f}", cell(row.interpret_rows_per_s, ",.0f"),
        ]) + " |")
    return lines


def report(folds, args, datasets):
    summary = summarise(folds)
    lines = ["# glassbox BoostedGAM vs interpret EBM (repeated cross-validation)", "",
             *provenance_lines(args), "", *settings_lines(args, datasets)]
    titles = {"defaults": "glassbox defaults vs interpret defaults",
              "equal-work": "equal work: glassbox with interpret's settings vs interpret "
                            "defaults"}
    for mode in args.modes:
        part = summary[summary["mode"] == mode]
        lines += [f"## Mode `{mode}`: {titles[mode]}", "", *table_lines(part), ""]
        if not args.skip_interpret:
            lines += [f"Targets ({mode}):", "", *target_lines(part, mode), ""]
    lines += [
        "Δ is the mean over folds of the paired per-fold difference. Cross-validation folds "
        "share most of their training rows, so the per-fold differences are correlated and the "
        "naive SE, sd(Δ)/√n, is optimistic; the corrected SE of Nadeau & Bengio (2003), "
        "sd(Δ)·√(1/n + 1/(k−1)), is the one the targets use. Fit s is the mean wall clock of "
        "fit per fold, speed-up = interpret fit s / glassbox fit s; predict rows/s is the "
        "median over folds."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------------

def parse_args(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", metavar="LIST", default=",".join(DATASETS),
                        help=f"comma-separated subset of {', '.join(DATASETS)} (default: all)")
    parser.add_argument("--data-dir", metavar="DIR", default=str(DATA_DIR),
                        help="folder holding benchmarks/ and monotonic/ (default: $GLASSBOX_DATA "
                             "or ../shared/data beside the repository: %(default)s)")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--simulated-folds", type=int, default=2)
    parser.add_argument("--simulated-repeats", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 3 folds × 1 everywhere, 4,000-row simulated folds")
    parser.add_argument("--output", metavar="PATH",
                        help="also write the Markdown report to PATH and per-fold figures to "
                             "PATH with suffix .csv")
    parser.add_argument("--glassbox-params", metavar="JSON", type=json.loads, default={},
                        help="JSON object of extra glassbox keyword arguments (every mode)")
    parser.add_argument("--interpret-params", metavar="JSON", type=json.loads, default={},
                        help="JSON object of extra interpret keyword arguments (every mode; "
                             "equal-work still maps interpret's defaults)")
    parser.add_argument("--interpret-n-jobs", type=int, default=-1,
                        help="n_jobs for interpret (default: %(default)s, as glassbox)")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: write the report of the folds already in the "
                             "--output CSV (e.g. of a run still going or interrupted)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the folds already in the --output CSV of an interrupted run "
                             "of the same command and measure only the rest")
    parser.add_argument("--skip-interpret", action="store_true",
                        help="run glassbox only; interpret columns are shown as —")
    parser.add_argument("--copies-together", action="store_true",
                        help="keep rows that repeat one another (every column and the target) "
                             "in one fold, so no test row has a copy in training")
    args = parser.parse_args(argv)
    args.argv = argv
    args.datasets = [name.strip() for name in args.datasets.split(",") if name.strip()]
    unknown = sorted(set(args.datasets) - set(DATASETS))
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    for name in ("glassbox_params", "interpret_params"):
        if not isinstance(getattr(args, name), dict):
            parser.error(f"--{name.replace('_', '-')} must be a JSON object")
    if args.quick:
        args.folds = args.simulated_folds = 3
        args.repeats = args.simulated_repeats = 1
    for name in ("folds", "simulated_folds"):
        if getattr(args, name) < 2:
            parser.error(f"--{name.replace('_', '-')} must be at least 2")
    for name in ("repeats", "simulated_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    args.modes = list(MODES) if args.mode == "both" else [args.mode]
    return args


def main(argv=None):
    args = parse_args(argv)
    # Both libraries warn about expected conditions of these data: interpret that its plots omit
    # missing values, glassbox that a test fold holds NaN in a column with none in training.
    warnings.filterwarnings("ignore", message="Missing values detected", category=UserWarning)
    warnings.filterwarnings("ignore", category=UnseenValueWarning)
    datasets = [DATASETS[name] for name in args.datasets]
    csv_path = Path(args.output).with_suffix(".csv") if args.output else None
    records = earlier_records(csv_path, args) if args.resume else []

    def save(new_records):
        if csv_path:
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(records + new_records).to_csv(csv_path, index=False)

    if args.report_only:
        records = earlier_records(csv_path, args)
        datasets = [d for d in datasets if any(r["dataset"] == d.name for r in records)]
    for dataset in [] if args.report_only else datasets:
        done = {r["index"] for r in records if r["dataset"] == dataset.name}
        records += run_dataset(dataset, args, done, save)
    folds = pd.DataFrame(records)
    folds = folds[folds["dataset"].isin(args.datasets)]
    order = {name: i for i, name in enumerate(args.datasets)}
    folds = folds.sort_values(["dataset", "index"], key=lambda c: c.map(order)
                              if c.name == "dataset" else c, kind="stable")
    publish(report(folds, args, datasets), args.output)


def earlier_records(csv_path, args):
    """Per-fold records of an interrupted run of the same command (--resume): the folds written
    so far, which are not measured again."""
    if csv_path is None or not csv_path.is_file():
        return []
    folds = pd.read_csv(csv_path)
    modes = set(folds["mode"])
    if modes != set(args.modes):
        raise SystemExit(f"--resume: {csv_path} holds modes {sorted(modes)}, this run asks for "
                         f"{args.modes}; run the same command as before.")
    log(f"--resume: {len(folds)} fold records from {csv_path}")
    return folds.to_dict("records")


if __name__ == "__main__":
    main()
