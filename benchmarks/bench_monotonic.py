"""Benchmark monotone models under repeated splits: COMPAS, Auto MPG and a simulated cohort whose
monotone effects interact.

Datasets
--------
* COMPAS (binary; increasing in ``priors_count``, ``juv_fel_count``, ``juv_misd_count``,
  ``juv_other_count``) and Auto MPG (regression; decreasing in ``Displacement``, ``Horsepower``,
  ``Weight``): the train and test files of the monotonic-network literature (``monotonic/`` in
  the data folder; see ``benchmarks/_data.py``), pooled for the repeated splits. Inputs are
  already scaled; the label column is ``ground_truth``.
* Interacting cohort (binary; increasing in ``age`` and ``sbp``, decreasing in ``egfr``):
  ``glassbox.datasets.make_interacting_cohort(5000, random_state=0)``, simulated, with age ×
  systolic BP and eGFR × diabetes interactions, so the true log-odds is known.

Metrics: accuracy (%, the published metric) and log-loss for COMPAS; MSE for Auto MPG; log-loss,
expected log-loss, accuracy and the RMSE of the fitted log-odds against the true log-odds (both
centred on the test rows) for the interacting cohort. The first listed is each dataset's headline
metric. The expected log-loss is the log-loss with each test row's outcome replaced by its true
risk, the mean over rows of −p log q − (1 − p) log(1 − q) (p true, q predicted): the log-loss
expected over the outcomes the simulator could have drawn for the same rows, so it keeps the
rows' sampling but not the outcomes' coin flips, which no model can predict. Two models'
difference in it is their difference in divergence from the true risks.

Models
------
* ``MonotonicNet (full or pairs)`` and ``MonotonicNet (additive)``: ``MonotonicNetClassifier`` /
  ``MonotonicNetRegressor`` with ``additive=False`` / ``True``. The first chooses its structure
  in its grid: ``interactions="all"`` (one network over every feature) or ``interactions=3``
  (a separate network for each of the 3 pairs of largest gain in a boosted GAM's pair search on
  the training data, and one for each other feature);
* ``BoostedGAM (monotone)``: ``BoostedGAMClassifier`` / ``BoostedGAMRegressor`` with
  ``monotonic_cst`` (constrained features are never paired);
* ``BoostedGAM (unconstrained)``: the same without ``monotonic_cst`` (pairs among any features);
* ``HistGradientBoosting (monotone)``: scikit-learn's, with ``monotonic_cst`` and
  ``early_stopping=True``.

Every model gets ``random_state`` = the split's number; glassbox models get ``n_jobs=-1`` (their
seeds or bags in threads); BLAS and OpenMP run single-threaded (``threadpoolctl``), so
HistGradientBoosting uses one core. Each model has a small grid (``GRIDS``); everything else is
at its defaults.

Protocol
--------
1. **Outer splits.** 5-fold cross-validation repeated ``--repeats`` times (default 2, so 10
   splits; stratified for the binary sets; ``random_state=0``) over the pooled data.
2. **Selection on the training part only.** In each split, every setting of a model's grid is
   scored by 3-fold cross-validation (stratified for the binary sets, ``random_state`` = the
   split's number) on the split's training part: log-loss for classification, MSE for
   regression. The best setting is refitted on the whole training part and scored once on the
   split's test part, which no choice ever saw.
3. **Summary.** Mean ± standard error over splits (sd / √n). Comparisons between models are
   paired: per split Δ = network − other model, with the corrected standard error of
   Nadeau & Bengio (2003), sd(Δ) × √(1/n + 1/(k − 1)) for k-fold splits, which allows for the
   overlap between training parts (the naive sd(Δ)/√n is too small).
4. **Standard split.** For COMPAS and Auto MPG, the same selection on the train file, one fit
   (``random_state=0``), scored once on the test file: the figure comparable with published
   ones (which chose epochs or hyper-parameters on that test file, so are optimistic).
5. **Monotonicity.** For every final fit and every constrained feature: up to 200 test rows,
   the feature set to 50 evenly spaced values over its range in the pooled data widened by 10 %
   on each side, the other features fixed; a violation is a consecutive pair where the raw
   output (``decision_function`` for classifiers, ``predict`` for regressors) moves against the
   declared direction by more than 1e-9. The unconstrained BoostedGAM is checked too, for
   reference: nothing stops it from violating the directions.

Targets (stated as met / not met in the report): on the interacting cohort the network's
log-loss beats each additive model's (the additive network, both boosted GAMs) by more than the
paired standard error (reported for the observed and for the expected log-loss); on COMPAS and Auto MPG it is no worse than the best of them by more than
that standard error; zero violations for every constrained model.

Command line
------------
Run as a module from the repository root::

    .venv/bin/python -m benchmarks.bench_monotonic \\
        --output benchmarks/results/bench_monotonic.md [--repeats 2] [--quick] \\
        [--datasets compas,auto,interacting] [--data-dir DIR]

``--output`` also writes the report to PATH (``benchmarks/results/`` is git-ignored).
``--study SETTING [SETTING ...]`` instead scores ``MonotonicNet`` settings (JSON objects of
keyword arguments, e.g. ``'{"n_seeds": 1}'``) by repeated 5-fold cross-validation on training
data only: the COMPAS and Auto MPG train files (2 and 4 repeats) and another draw of the
interacting cohort (``random_state=1``, 2 repeats); one Markdown row per setting, mean ± SE over
folds. This is how the networks' defaults were chosen (docs/monotonic.md).
``--quick`` runs one repeat of 3-fold outer splits, 2-fold selection and one setting per model,
for smoke testing. ``--data-dir`` is the folder holding ``monotonic/`` (default: as in
``benchmarks/_data.py``). The report goes to stdout; progress to stderr.
"""

import argparse
import itertools
import json
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, RepeatedKFold, RepeatedStratifiedKFold, StratifiedKFold
from threadpoolctl import threadpool_limits

import glassbox
from glassbox import (BoostedGAMClassifier, BoostedGAMRegressor, MonotonicNetClassifier,
                      MonotonicNetRegressor)
from glassbox.datasets import make_interacting_cohort
from glassbox.datasets._cohort import intercept_for_rate
from glassbox.datasets._interacting import BASE_RATE, MONOTONIC_CST

from benchmarks._data import DATA_DIR
from benchmarks._report import commit, publish

LABEL = "ground_truth"
OUTER_FOLDS, INNER_FOLDS = 5, 3
QUICK_OUTER_FOLDS, QUICK_INNER_FOLDS = 3, 2
SIMULATED_ROWS = 5000
CHECK_ROWS, CHECK_POINTS, CHECK_WIDEN, CHECK_TOLERANCE = 200, 50, 0.1, 1e-9
EPS = 1e-12


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    classification: bool
    monotonic_cst: dict
    metrics: tuple
    """Reported metrics (of `METRICS`), the headline first."""


DATASETS = {
    "compas": Dataset("compas", "COMPAS", True,
                      {name: +1 for name in ("priors_count", "juv_fel_count", "juv_misd_count",
                                             "juv_other_count")}, ("accuracy", "log-loss")),
    "auto": Dataset("auto", "Auto MPG", False,
                    {name: -1 for name in ("Displacement", "Horsepower", "Weight")}, ("MSE",)),
    "interacting": Dataset("interacting", "Interacting cohort (simulated)", True, MONOTONIC_CST,
                           ("log-loss", "expected log-loss", "accuracy", "truth RMSE")),
}
METRICS = ("accuracy", "log-loss", "expected log-loss", "truth RMSE", "MSE")
HIGHER_IS_BETTER = {"accuracy"}
UNITS = {"accuracy": " %"}

NETWORK, ADDITIVE_NET = "MonotonicNet (full or pairs)", "MonotonicNet (additive)"
UNCONSTRAINED = "BoostedGAM (unconstrained)"
ADDITIVE = (ADDITIVE_NET, "BoostedGAM (monotone)", UNCONSTRAINED)
GRIDS = {
    NETWORK: {"alpha": [1e-4, 1e-3, 3e-3], "interactions": ["all", 3]},
    ADDITIVE_NET: {"alpha": [1e-5, 1e-3]},
    "BoostedGAM (monotone)": {"interactions": [0, "3x"]},
    UNCONSTRAINED: {"interactions": [0, "3x"]},
    "HistGradientBoosting (monotone)": {"learning_rate": [0.05, 0.1],
                                        "max_leaf_nodes": [7, 31]},
}
QUICK_GRIDS = {name: {key: values[:1] for key, values in grid.items()}
               for name, grid in GRIDS.items()}

PUBLISHED = [  # quoted by the data README for the standard split; chosen with the test file
    ("XGBoost", "68.5 %", "—"),
    ("Min-Max network", "67.8 %", "10.14"),
    ("Deep Lattice Network", "67.9 %", "13.34"),
    ("Certified monotonic network", "68.8 %", "—"),
    ("COMET", "—", "8.81"),
    ("Lipschitz monotonic network", "69.3 %", "7.58"),
    ("Constrained monotonic network (CMNN)", "69.2 %", "8.37"),
    ("Scalable monotonic network (SMNN)", "69.3 %", "7.44"),
]


def log(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# data and models
# --------------------------------------------------------------------------------------------------

@dataclass
class Data:
    X: pd.DataFrame
    y: np.ndarray
    truth: np.ndarray = None  # true log-odds per row, intercept included (simulated data only)
    standard: tuple = None  # (X_train, y_train, X_test, y_test) of the published split


def load(dataset, data_dir, simulated_seed=0):
    if dataset.name == "interacting":
        X, y, truth = make_interacting_cohort(SIMULATED_ROWS, random_state=simulated_seed,
                                              return_truth=True)
        logit = truth.sum(axis=1).to_numpy()
        return Data(X, y, logit + intercept_for_rate(logit, BASE_RATE))
    parts = []
    for part in ("train", "test"):
        path = Path(data_dir) / "monotonic" / f"{part}_{dataset.name}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; point --data-dir at the folder holding "
                                    "monotonic/ (see benchmarks/_data.py).")
        frame = pd.read_csv(path)
        y = frame.pop(LABEL).to_numpy(dtype=np.int64 if dataset.classification else np.float64)
        parts += [frame, y]
    return Data(pd.concat([parts[0], parts[2]], ignore_index=True),
                np.concatenate([parts[1], parts[3]]), standard=tuple(parts))


def make_model(name, dataset, setting, seed, columns):
    """An unfitted model of `name` with a grid `setting` (which may override `additive`)."""
    cst = dataset.monotonic_cst
    if name.startswith("MonotonicNet"):
        cls = MonotonicNetClassifier if dataset.classification else MonotonicNetRegressor
        return cls(monotonic_cst=cst, random_state=seed, n_jobs=-1,
                   **{"additive": name == ADDITIVE_NET, **setting})
    if name.startswith("BoostedGAM"):
        cls = BoostedGAMClassifier if dataset.classification else BoostedGAMRegressor
        return cls(monotonic_cst=None if name == UNCONSTRAINED else cst, random_state=seed,
                   n_jobs=-1, **setting)
    cls = HistGradientBoostingClassifier if dataset.classification else \
        HistGradientBoostingRegressor
    return cls(monotonic_cst=[cst.get(c, 0) for c in columns], early_stopping=True,
               random_state=seed, **setting)


def settings(grid):
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*grid.values())]


def raw_output(model, X, classification):
    return model.decision_function(X) if classification else model.predict(X)


def scores(model, dataset, X, y, truth):
    """Every metric of `dataset` for a fitted model on (X, y)."""
    if not dataset.classification:
        return {"MSE": float(np.mean((model.predict(X) - y) ** 2))}
    p = np.clip(model.predict_proba(X)[:, 1], EPS, 1 - EPS)
    out = {"accuracy": 100.0 * float(np.mean((p > 0.5) == y)), "log-loss": log_loss(y, p)}
    if truth is not None:
        risk = 1.0 / (1.0 + np.exp(-truth))
        out["expected log-loss"] = float(np.mean(-risk * np.log(p) - (1 - risk) * np.log(1 - p)))
        fitted = np.log(p / (1 - p))
        out["truth RMSE"] = float(np.sqrt(np.mean(
            ((fitted - fitted.mean()) - (truth - truth.mean())) ** 2)))
    return out


def selection_loss(model, dataset, X, y):
    return scores(model, dataset, X, y, None)["log-loss" if dataset.classification else "MSE"]


def folds(dataset, n_splits, seed):
    cls = StratifiedKFold if dataset.classification else KFold
    return cls(n_splits, shuffle=True, random_state=seed)


def select(name, dataset, grid, X, y, seed, inner_folds):
    """The grid setting of least mean loss over inner folds of (X, y) (the first if tied)."""
    candidates = settings(grid)
    if len(candidates) == 1:
        return candidates[0]
    losses = []
    for setting in candidates:
        fold_losses = []
        for fit, val in folds(dataset, inner_folds, seed).split(X, y):
            model = make_model(name, dataset, setting, seed, X.columns)
            model.fit(X.iloc[fit], y[fit])
            fold_losses.append(selection_loss(model, dataset, X.iloc[val], y[val]))
        losses.append(np.mean(fold_losses))
    return candidates[int(np.argmin(losses))]


def violations(model, dataset, rows, X_all):
    """(violations, consecutive pairs checked) over the constrained features of `dataset`."""
    found = pairs = 0
    for name, direction in dataset.monotonic_cst.items():
        lo, hi = X_all[name].min(), X_all[name].max()
        widen = CHECK_WIDEN * (hi - lo)
        values = np.linspace(lo - widen, hi + widen, CHECK_POINTS)
        grid = rows.iloc[np.repeat(np.arange(len(rows)), CHECK_POINTS)].reset_index(drop=True)
        grid[name] = np.tile(values, len(rows))
        output = raw_output(model, grid, dataset.classification)
        steps = direction * np.diff(output.reshape(len(rows), CHECK_POINTS), axis=1)
        found += int((steps < -CHECK_TOLERANCE).sum())
        pairs += steps.size
    return found, pairs


def evaluate(name, dataset, grid, X_train, y_train, X_test, y_test, truth, seed, inner_folds,
             X_all):
    """Select on the training part, refit, score once on the test part, check monotonicity."""
    setting = select(name, dataset, grid, X_train, y_train, seed, inner_folds)
    model = make_model(name, dataset, setting, seed, X_train.columns)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    found, pairs = violations(model, dataset, X_test.iloc[:CHECK_ROWS], X_all)
    return {"setting": setting, "fit_s": fit_s, "violations": found, "pairs": pairs,
            **scores(model, dataset, X_test, y_test, truth)}


def run_dataset(dataset, data_dir, grids, repeats, outer_folds, inner_folds):
    data = load(dataset, data_dir)
    splitter = (RepeatedStratifiedKFold if dataset.classification else RepeatedKFold)(
        n_splits=outer_folds, n_repeats=repeats, random_state=0)
    splits = list(splitter.split(data.X, data.y))
    rows = []
    for i, (train, test) in enumerate(splits):
        shuffled = np.random.default_rng(i).permutation(test)  # the check's rows: a random few
        truth = None if data.truth is None else data.truth[shuffled]
        for name, grid in grids.items():
            start = time.perf_counter()
            result = evaluate(name, dataset, grid, data.X.iloc[train], data.y[train],
                              data.X.iloc[shuffled], data.y[shuffled], truth, i, inner_folds,
                              data.X)
            rows.append({"dataset": dataset.name, "split": i, "model": name, **result})
            log(f"[{dataset.name}] split {i + 1}/{len(splits)} {name}: "
                f"{dataset.metrics[0]} {result[dataset.metrics[0]]:.4f} "
                f"({time.perf_counter() - start:.1f} s)")
    if data.standard is not None:
        X_train, y_train, X_test, y_test = data.standard
        for name, grid in grids.items():
            result = evaluate(name, dataset, grid, X_train, y_train, X_test, y_test, None, 0,
                              inner_folds, data.X)
            rows.append({"dataset": dataset.name, "split": "standard", "model": name, **result})
            log(f"[{dataset.name}] standard split {name}: {dataset.metrics[0]} "
                f"{result[dataset.metrics[0]]:.4f}")
    return rows


# --------------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------------

def mean_se(values):
    values = np.asarray(values, dtype=float)
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


def digits(metric):
    return 2 if metric in ("accuracy", "MSE") else 4 if metric.endswith("log-loss") else 3


def fmt(metric, value, se=None):
    d = digits(metric)
    text = f"{value:.{d}f}" + ("" if se is None else f" ± {se:.{d}f}")
    return text + UNITS.get(metric, "")


def paired(frame, metric, other, outer_folds):
    """Mean, corrected SE (Nadeau & Bengio) and naive SE of the per-split difference
    network − other."""
    a = frame[frame.model == NETWORK].set_index("split")[metric]
    b = frame[frame.model == other].set_index("split")[metric]
    delta = (a - b).to_numpy()
    n, sd = len(delta), delta.std(ddof=1)
    return delta.mean(), sd * np.sqrt(1 / n + 1 / (outer_folds - 1)), sd / np.sqrt(n)


def chosen(settings_list):
    counts = Counter(", ".join(f"{k}={v!r}" for k, v in s.items()) for s in settings_list)
    return "; ".join(f"{text} ×{n}" for text, n in counts.most_common())


def dataset_table(dataset, frame):
    splits = frame[frame.split != "standard"]
    standard = frame[frame.split == "standard"]
    header = ["model", *[f"{m}, mean ± SE" for m in dataset.metrics]]
    header += [f"standard split {dataset.metrics[0]}"] if len(standard) else []
    header += ["settings chosen (splits)", "fit s, mean (max)", "violations / pairs checked"]
    lines = ["| " + " | ".join(header) + " |",
             "|---|" + "---:|" * len(dataset.metrics) + ("---:|" if len(standard) else "")
             + "---|---:|---:|"]
    for name in splits.model.unique():
        rows = splits[splits.model == name]
        cells = [name, *[fmt(m, *mean_se(rows[m])) for m in dataset.metrics]]
        if len(standard):
            cells.append(fmt(dataset.metrics[0],
                             float(standard[standard.model == name][dataset.metrics[0]].iloc[0])))
        every = frame[frame.model == name]
        note = " (not constrained)" if name == UNCONSTRAINED else ""
        cells += [chosen(rows.setting), f"{rows.fit_s.mean():.2f} ({rows.fit_s.max():.2f})",
                  f"{every.violations.sum():,} / {every.pairs.sum():,}{note}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdict(ok):
    return "met" if ok else "**not met**"


def target_lines(results, outer_folds):
    """One row per comparison behind the targets, then the monotonicity target."""
    lines = ["| dataset | target | network − other, mean ± corrected SE (naive SE) | outcome |",
             "|---|---|---:|---|"]
    for dataset, frame in results:
        frame = frame[frame.split != "standard"]
        metric = dataset.metrics[0]
        sign = 1 if metric in HIGHER_IS_BETTER else -1  # sign * delta > 0: the network is better
        present = [m for m in ADDITIVE if m in set(frame.model)]
        if NETWORK not in set(frame.model) or not present:
            continue
        if dataset.name == "interacting":
            for metric in ("log-loss", "expected log-loss"):
                for other in present:
                    delta, se, naive = paired(frame, metric, other, outer_folds)
                    lines.append(f"| {dataset.title} | {metric}: beats {other} by more than the "
                                 f"SE | {fmt(metric, delta, se)} ({fmt(metric, naive)}) | "
                                 f"{verdict(sign * delta > se)} |")
        else:
            best = min(present, key=lambda m: -sign * frame[frame.model == m][metric].mean())
            delta, se, naive = paired(frame, metric, best, outer_folds)
            lines.append(f"| {dataset.title} | {metric}: no worse than the best additive model "
                         f"({best}) by more than the SE | {fmt(metric, delta, se)} "
                         f"({fmt(metric, naive)}) | {verdict(sign * delta >= -se)} |")
    constrained = pd.concat([f for _, f in results])
    constrained = constrained[constrained.model != UNCONSTRAINED]
    total, pairs = int(constrained.violations.sum()), int(constrained.pairs.sum())
    lines.append(f"| all | zero monotonicity violations, every constrained model and fit | "
                 f"{total:,} of {pairs:,} pairs | {verdict(total == 0)} |")
    return lines


def paired_table(results, outer_folds):
    """The network − each other model, per dataset and metric (negative: lower for the
    network), mean ± corrected SE."""
    lines = ["| dataset | other model | " + " | ".join(f"Δ {m}" for m in METRICS) + " |",
             "|---|---|" + "---:|" * len(METRICS)]
    for dataset, frame in results:
        frame = frame[frame.split != "standard"]
        for other in frame.model.unique():
            if other == NETWORK or NETWORK not in set(frame.model):
                continue
            cells = [fmt(m, *paired(frame, m, other, outer_folds)[:2])
                     if m in dataset.metrics else "—" for m in METRICS]
            lines.append(f"| {dataset.title} | {other} | " + " | ".join(cells) + " |")
    return lines


def published_table():
    lines = ["| method | COMPAS accuracy | Auto MPG MSE |", "|---|---:|---:|"]
    return lines + [f"| {method} | {compas} | {auto} |" for method, compas, auto in PUBLISHED]


def report(results, args, grids, outer_folds, inner_folds, total_s):
    n_splits = outer_folds * args.repeats
    lines = [
        "## Monotone models under repeated splits", "",
        f"- python {platform.python_version()}, numpy {np.__version__}, numba "
        f"{numba.__version__}, scikit-learn {sklearn.__version__}, glassbox "
        f"{glassbox.__version__} (commit {args.commit}); nproc "
        f"{len(os.sched_getaffinity(0))}",
        f"- protocol: {outer_folds}-fold × {args.repeats} outer splits ({n_splits}) over the "
        f"pooled data; each model's grid chosen per split by {inner_folds}-fold CV on the "
        "training part (log-loss / MSE); one refit scored once on the test part; ± is the "
        "standard error over splits; comparisons are paired, with the corrected SE of Nadeau & "
        "Bengio (2003)" + (" (--quick)" if args.quick else ""),
        f"- monotonicity: up to {CHECK_ROWS} test rows × {CHECK_POINTS} values of each "
        f"constrained feature over its range widened by {CHECK_WIDEN:.0%} per side, for every "
        f"fit; a violation is a step against the direction larger than {CHECK_TOLERANCE:g}", ""]
    for dataset, frame in results:
        lines += [f"### {dataset.title}", "", *dataset_table(dataset, frame), ""]
    lines += ["### Paired differences: network (full or pairs) − other model "
              "(mean ± corrected SE)", "",
              *paired_table(results, outer_folds), "",
              "### Targets", "", *target_lines(results, outer_folds), "",
              "### Published figures (standard split; chosen with its test file, so optimistic)",
              "", *published_table(), "", "### Grids", ""]
    lines += [f"- {name}: " + "; ".join(f"{k} ∈ {{{', '.join(repr(v) for v in values)}}}"
                                        for k, values in grid.items())
              for name, grid in grids.items()]
    lines += ["", f"Total run time: {total_s / 60:.1f} min."]
    return "\n".join(lines) + "\n"


STUDY_REPEATS = {"compas": 2, "auto": 4, "interacting": 2}


def study_row(setting, data_dir, names):
    """One Markdown row: a MonotonicNet setting's repeated 5-fold CV scores on training data."""
    cells, fit_s = [], []
    for name in names:
        dataset = DATASETS[name]
        data = load(dataset, data_dir, simulated_seed=1)
        X, y, truth = (data.X, data.y, data.truth) if data.standard is None else \
            (*data.standard[:2], None)
        splitter = (RepeatedStratifiedKFold if dataset.classification else RepeatedKFold)(
            n_splits=OUTER_FOLDS, n_repeats=STUDY_REPEATS[name], random_state=0)
        rows = []
        for i, (train, test) in enumerate(splitter.split(X, y)):
            model = make_model(NETWORK, dataset, setting, i, X.columns)
            start = time.perf_counter()
            model.fit(X.iloc[train], y[train])
            fit_s.append(time.perf_counter() - start)
            rows.append(scores(model, dataset, X.iloc[test], y[test],
                               None if truth is None else truth[test]))
        frame = pd.DataFrame(rows)
        cells += [fmt(m, *mean_se(frame[m])) for m in dataset.metrics]
        log(f"[study] {json.dumps(setting)} {name} done")
    return f"| `{json.dumps(setting)}` | " + " | ".join(cells) + f" | {np.mean(fit_s):.2f} |"


def study(args):
    header = [f"{DATASETS[n].title} {m}" for n in args.datasets for m in DATASETS[n].metrics]
    lines = ["| setting | " + " | ".join(header) + " | mean fit s |",
             "|---|" + "---:|" * (len(header) + 1)]
    with threadpool_limits(1):
        lines += [study_row(setting, args.data_dir, args.datasets) for setting in args.study]
    publish("\n".join(lines) + "\n", args.output)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", metavar="LIST", default=",".join(DATASETS),
                        help=f"comma-separated subset of {', '.join(DATASETS)} (default: all)")
    parser.add_argument("--data-dir", metavar="DIR", default=str(DATA_DIR),
                        help="folder holding monotonic/ (default: %(default)s)")
    parser.add_argument("--output", metavar="PATH", help="also write the report to this file")
    parser.add_argument("--repeats", metavar="N", type=int, default=2,
                        help="repeats of the outer 5-fold splits (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="one repeat of 3 outer folds, 2 inner folds, one setting per model")
    parser.add_argument("--study", metavar="SETTING", nargs="+", type=json.loads,
                        help="score MonotonicNet settings (JSON objects) by CV on training data")
    args = parser.parse_args(argv)
    args.datasets = [name.strip() for name in args.datasets.split(",") if name.strip()]
    unknown = sorted(set(args.datasets) - set(DATASETS))
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    if args.quick:
        args.repeats = 1
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.study:
        return study(args)
    args.commit = commit()  # at the start: another commit may land during the run
    start = time.perf_counter()
    grids = QUICK_GRIDS if args.quick else GRIDS
    outer, inner = (QUICK_OUTER_FOLDS, QUICK_INNER_FOLDS) if args.quick else \
        (OUTER_FOLDS, INNER_FOLDS)
    with threadpool_limits(1):  # no nested BLAS threads under the seeds' threads; and
        # OpenMP's waiting threads stall for seconds on a busy 2-core machine
        results = [(DATASETS[name], pd.DataFrame(run_dataset(
            DATASETS[name], args.data_dir, grids, args.repeats, outer, inner)))
            for name in args.datasets]
    publish(report(results, args, grids, outer, inner, time.perf_counter() - start),
            args.output)


if __name__ == "__main__":
    main()
