"""Shape faithfulness against known truth: glassbox vs interpret's EBM vs pyGAM.

Protocol
--------
Each cohort is a simulator from ``glassbox.datasets`` that returns every true term's centred
contribution to the log-odds per row. One call draws the training rows and, after them, FRESH
rows that no model sees in training (a held-out block of the same draw rather than a second seed,
because ``make_risk_cohort`` picks its planted pairs from the seed).

* glassbox: ``BoostedGAMClassifier(random_state=0, n_jobs=-1)``, warmed up on 200 rows first so
  Numba compilation is not in its fit time.
* interpret: ``ExplainableBoostingClassifier(random_state=0, n_jobs=-1)``; per-term scores from
  ``eval_terms``.
* pyGAM: ``LogisticGAM`` with one spline ``s()`` per numeric feature and a factor ``f()`` per
  categorical (integer codes); a numeric column with missing values is filled with its training
  median and gets a factor term on a 0/1 missing indicator. No pair terms (pyGAM is not told which
  pairs are planted), so its error on a true pair is the pair's own spread. Smoothing: ``gridsearch``
  over one shared ``lam`` in LAM_GRID on the training rows (UBRE), BLAS limited to one thread
  (on a shared machine threaded BLAS made each fit ~10x slower).

Metrics, on the fresh rows:

* Recovered contribution of a true term = the sum of the model's terms whose feature set equals
  the true term's (a main effect: the feature's main term, plus pyGAM's missing indicator; a
  pair: the model's term on that pair, 0 if it has none). Terms a model adds on other feature sets
  are not credited to any true term; their count and spread are reported as false pairs.
* Shape error = RMSE between recovered and true contribution, each centred on the fresh rows.
* Null term = a main effect whose truth is constant wherever its feature is observed (all-zero
  columns, and ``make_risk_cohort``'s null labs, which act only through missingness). Its range is
  max − min of the recovered contribution over the fresh rows where the feature is observed.
* Test AUC of ``predict_proba`` on the fresh rows; fit time is wall clock of ``fit`` (pyGAM: the
  whole grid search).

Regression (``--task regression``): the same cohorts and true terms, with a normal target in
place of the binary outcome: the sum of the true terms plus noise whose SD is ``--noise`` (default
0.5) times the sum's SD on the draw, so the true terms explain 1 / (1 + noise²) of the target's
variance (80 % by default). The models are ``BoostedGAMRegressor``,
``ExplainableBoostingRegressor`` and pyGAM's ``LinearGAM`` (same design and grid search), and
test R² on the fresh rows replaces AUC. The shape errors are in the target's units (the true
terms, and so the target, are the cohort's log-odds).

Targets: glassbox's mean shape error below both peers' on every cohort; glassbox ≤ the better
peer on ≥ 75 % of the terms (pooled over cohorts); no null term's glassbox range above EBM's by
more than 10 %.

Command line
------------
From the repository root::

    .venv/bin/python -m benchmarks.bench_faithfulness \\
        [--output benchmarks/results/bench_faithfulness.md]
        [--cohorts risk,threshold,null,small-n,pneumonia,maternal]
        [--quick]
        [--tune JSON [JSON ...]]
        [--task regression] [--noise SD] [--train-rows N]

``--tune`` fits glassbox alone, once per setting, on the tuning draws (each cohort's seed +
TUNING_SEED_OFFSET) and reports shape errors, for choosing defaults without the benchmark's draws.
``--quick`` trains on 2,000 rows, scores 5,000 fresh rows and by default runs only the null
cohort, for iteration. ``--train-rows`` sets every chosen cohort's training size.
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time
from dataclasses import dataclass, replace
from functools import reduce
from operator import add

import numpy as np
import pandas as pd
import pygam
from interpret import __version__ as interpret_version
from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
from pygam import LinearGAM, LogisticGAM, f, s
from sklearn.metrics import r2_score, roc_auc_score
from threadpoolctl import threadpool_limits

import glassbox
from glassbox import BoostedGAMClassifier, BoostedGAMRegressor
from glassbox.datasets import (load_maternal_morbidity, load_pneumonia, make_null_cohort,
                               make_risk_cohort, make_threshold_cohort)

from benchmarks._report import commit, publish

SEED = 0
WARMUP_ROWS = 200
LAM_GRID = np.logspace(-1, 3, 5)
MODELS = ["glassbox", "interpret", "pygam"]
NULL_RANGE_SLACK = 1.10
SHARE_TARGET = 0.75
TUNING_SEED_OFFSET = 10
"""Cohort seed + this = the draw on which settings are tuned (`--tune`); the benchmark reports
the cohort seeds themselves, which no choice of defaults has seen."""
NOISE_SEED_OFFSET = 1_000
"""The regression noise is drawn from the cohort's seed + this, apart from the cohort's own."""
NOISE = 0.5
"""Default regression noise SD, as a multiple of the true terms' sum's SD."""


@dataclass
class Cohort:
    """A simulator call `draw(n_rows, seed) -> (X, y, truth)` and its training size."""

    draw: object
    n_train: int
    seed: int
    about: str


@dataclass
class Task:
    """What the models learn from a cohort's draw and how their predictions are scored."""

    name: str
    glassbox: type
    interpret: type
    pygam: type
    score_name: str
    noise: float = None

    def target(self, y, truth, seed):
        """The training target: the drawn outcome, or for regression the true terms' sum plus
        normal noise of `noise` times the sum's SD."""
        if self.name == "classification":
            return y
        total = truth.sum(axis=1).to_numpy()
        rng = np.random.default_rng(seed + NOISE_SEED_OFFSET)
        return total + rng.normal(0.0, self.noise * total.std(), len(total))

    def score(self, model, X, y):
        if self.name == "classification":
            return roc_auc_score(y, model.predict_proba(X)[:, 1])
        return r2_score(y, model.predict(X))

    def describe(self):
        """The report line saying what the models learnt and on which scale the errors are."""
        if self.name == "classification":
            return ("- classification of the drawn outcome; errors are centred RMSE on the logit "
                    "scale")
        return (f"- regression: target = sum of the true terms + normal noise of {self.noise:g} "
                "× the sum's SD; errors are centred RMSE in the target's units (the true terms "
                "are the cohorts' log-odds)")


def new_task(name, noise=NOISE):
    if name == "classification":
        return Task(name, BoostedGAMClassifier, ExplainableBoostingClassifier, LogisticGAM, "AUC")
    return Task(name, BoostedGAMRegressor, ExplainableBoostingRegressor, LinearGAM, "R²", noise)


CLASSIFICATION = new_task("classification")


def _risk(n, seed):
    return make_risk_cohort(n_samples=n, n_features=20, n_interactions=3, random_state=seed)


def _threshold(n, seed):
    return make_threshold_cohort(n_samples=n, random_state=seed, return_truth=True)


def _null(n, seed):
    return make_null_cohort(n_samples=n, random_state=seed)


def _case_study(loader):
    def draw(n, seed):
        X, y, truth = loader(return_X_y=True, return_truth=True, n_samples=n, random_state=seed)
        return X, y.to_numpy(), truth
    return draw


def cohorts(quick, train_rows=None):
    """The cohorts by name; `quick` shrinks every training set, `train_rows` sets them all."""
    scale = 0.1 if quick else 1.0
    chosen = {
        "risk": Cohort(_risk, int(20_000 * scale), 0, "make_risk_cohort, 20 features, 3 pairs"),
        "threshold": Cohort(_threshold, int(20_000 * scale), 1,
                            "make_threshold_cohort(return_truth=True)"),
        "null": Cohort(_null, int(20_000 * scale), 2, "make_null_cohort"),
        "small-n": Cohort(_risk, 2_000, 3, "make_risk_cohort, 20 features, 3 pairs, few rows"),
        "pneumonia": Cohort(_case_study(load_pneumonia), int(14_199 * scale), 4,
                            "load_pneumonia, the pneumonia case-study cohort (41 features)"),
        "maternal": Cohort(_case_study(load_maternal_morbidity), int(32_203 * scale), 5,
                           "load_maternal_morbidity, the SMM case-study cohort (15 features)"),
    }
    if train_rows is None:
        return chosen
    return {name: replace(cohort, n_train=train_rows) for name, cohort in chosen.items()}


def log(message):
    print(message, file=sys.stderr, flush=True)


def feature_set(name):
    return frozenset(name.split(" & "))


# --- pyGAM: a numeric design matrix and its terms ---------------------------------------------

def _is_categorical(column):
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


class PyGAMDesign:
    """Turns a frame into pyGAM's numeric matrix: categoricals as integer codes (levels from
    training), NaN filled with the training median plus a 0/1 missing-indicator column."""

    def __init__(self, X):
        self.parts = []  # (source feature, "spline" | "factor" | "missing", levels or median)
        for name in X.columns:
            column = X[name]
            if _is_categorical(column):
                self.parts.append((name, "factor", pd.Index(sorted(column.dropna().unique()))))
            else:
                self.parts.append((name, "spline", float(column.median())))
                if column.isna().any():
                    self.parts.append((name, "missing", None))

    def matrix(self, X):
        out = np.empty((len(X), len(self.parts)))
        for j, (name, kind, info) in enumerate(self.parts):
            column = X[name]
            if kind == "factor":
                out[:, j] = info.get_indexer(column)
            elif kind == "spline":
                out[:, j] = column.fillna(info).to_numpy(dtype=float)
            else:
                out[:, j] = column.isna().to_numpy(dtype=float)
        return out

    def terms(self):
        return reduce(add, [s(j) if kind == "spline" else f(j)
                            for j, (_, kind, _) in enumerate(self.parts)])


class PyGAM:
    """A pyGAM model (LogisticGAM or LinearGAM) over a PyGAMDesign with lam chosen by grid
    search; `predict` gives its fitted mean (for LogisticGAM, the probability)."""

    def __init__(self, gam_class):
        self.gam_class = gam_class

    def fit(self, X, y):
        self.design_ = PyGAMDesign(X)
        with threadpool_limits(1):
            self.gam_ = self.gam_class(self.design_.terms()).gridsearch(
                self.design_.matrix(X), y, lam=LAM_GRID, progress=False)
        return self

    def predict(self, X):
        with threadpool_limits(1):
            return self.gam_.predict_mu(self.design_.matrix(X))

    def predict_proba(self, X):
        p = self.predict(X)
        return np.column_stack([1 - p, p])


# --- recovered contributions: {feature set: per-row contribution} -----------------------------

def _grouped(keys, columns):
    recovered = {}
    for key, values in zip(keys, columns):
        recovered[key] = recovered.get(key, 0.0) + np.asarray(values, dtype=float)
    return recovered


def recovered_glassbox(model, X):
    contributions = model.explain(X)
    names = model.feature_names_in_
    keys = [frozenset(names[j] for j in term.features) for term in model.terms_]
    return _grouped(keys, [contributions.iloc[:, i] for i in range(len(keys))])


def recovered_interpret(model, X):
    scores = model.eval_terms(X)
    names = model.feature_names_in_
    keys = [frozenset(names[j] for j in features) for features in model.term_features_]
    return _grouped(keys, scores.T)


def recovered_pygam(model, X):
    matrix = model.design_.matrix(X)
    keys = [frozenset([name]) for name, _, _ in model.design_.parts]
    with threadpool_limits(1):
        columns = [model.gam_.partial_dependence(term=i, X=matrix) for i in range(len(keys))]
    return _grouped(keys, columns)


RECOVER = {"glassbox": recovered_glassbox, "interpret": recovered_interpret,
           "pygam": recovered_pygam}


def new_model(name, task):
    if name == "glassbox":
        return task.glassbox(random_state=SEED, n_jobs=-1)
    if name == "interpret":
        return task.interpret(random_state=SEED, n_jobs=-1)
    return PyGAM(task.pygam)


# --- metrics ----------------------------------------------------------------------------------

def centred_rmse(recovered, true):
    diff = (recovered - recovered.mean()) - (true - true.mean())
    return float(np.sqrt(np.mean(diff ** 2)))


def null_rows(X, truth):
    """{null term: mask of fresh rows where its feature is observed} (see the module doc)."""
    nulls = {}
    for name in truth.columns:
        if " & " in name:
            continue
        observed = X[name].notna().to_numpy()
        values = truth[name].to_numpy()[observed]
        if np.ptp(values) < 1e-12:
            nulls[name] = observed
    return nulls


def score_terms(recovered, X, truth):
    """One row per true term: its kind, true spread, each model's shape error and null range."""
    nulls = null_rows(X, truth)
    rows = []
    for name in truth.columns:
        true = truth[name].to_numpy()
        row = {"term": name, "kind": "pair" if " & " in name else
               ("null" if name in nulls else "main"), "truth_sd": float(true.std())}
        for model, terms in recovered.items():
            values = np.broadcast_to(terms.get(feature_set(name), 0.0), true.shape)
            row[f"{model}_err"] = centred_rmse(values, true)
            if name in nulls:
                row[f"{model}_range"] = float(np.ptp(values[nulls[name]]))
        rows.append(row)
    return pd.DataFrame(rows)


def false_pairs(terms, truth):
    """Count and summed spread (sd on fresh rows) of a model's pair terms that are not true."""
    true_sets = {feature_set(name) for name in truth.columns}
    spreads = [np.std(values) for key, values in terms.items()
               if len(key) == 2 and key not in true_sets]
    return len(spreads), float(np.sum(spreads))


def draw_split(name, cohort, n_fresh, seed, task):
    """Training rows, then fresh rows and their true terms, from one draw of the cohort; the
    first glassbox fit (Numba compilation) done on a few training rows."""
    log(f"[{name}] drawing {cohort.n_train:,} training + {n_fresh:,} fresh rows (seed {seed})")
    X, y, truth = cohort.draw(cohort.n_train + n_fresh, seed)
    y = task.target(y, truth, seed)
    train, fresh = slice(0, cohort.n_train), slice(cohort.n_train, None)
    X_train, y_train = X.iloc[train], y[train]
    warm = np.arange(min(WARMUP_ROWS, cohort.n_train))
    if task.name == "classification":  # every class, however rare, or the fit refuses
        warm = np.sort(np.concatenate([np.flatnonzero(y_train == c)[:WARMUP_ROWS // 2]
                                       for c in np.unique(y_train)]))
    task.glassbox(random_state=SEED, n_jobs=-1).fit(X_train.iloc[warm], y_train[warm])
    return (X_train, y_train, X.iloc[fresh].reset_index(drop=True), y[fresh],
            truth.iloc[fresh].reset_index(drop=True))


def fit_and_score(model, X_train, y_train, X_fresh, y_fresh, task):
    """Fit `model`; its fit seconds (wall clock) and its score (AUC or R²) on the fresh rows."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    return fit_s, task.score(model, X_fresh, y_fresh)


def run_cohort(name, cohort, n_fresh, task=CLASSIFICATION):
    X_train, y_train, X_fresh, y_fresh, truth_fresh = draw_split(name, cohort, n_fresh,
                                                                 cohort.seed, task)
    result = {"name": name, "about": cohort.about, "shape": X_train.shape, "fit_s": {},
              "score": {}, "false_pairs": {}}
    recovered = {}
    for model_name in MODELS:
        log(f"[{name}] fitting {model_name}")
        model = new_model(model_name, task)
        result["fit_s"][model_name], result["score"][model_name] = fit_and_score(
            model, X_train, y_train, X_fresh, y_fresh, task)
        recovered[model_name] = RECOVER[model_name](model, X_fresh)
        result["false_pairs"][model_name] = false_pairs(recovered[model_name], truth_fresh)
        log(f"[{name}] {model_name}: {result['fit_s'][model_name]:.1f} s, "
            f"{task.score_name} {result['score'][model_name]:.4f}")
    result["terms"] = score_terms(recovered, X_fresh, truth_fresh)
    return result


def tune_cohort(name, cohort, n_fresh, settings, task=CLASSIFICATION):
    """glassbox alone on a tuning draw (seed + TUNING_SEED_OFFSET), one line per setting: mean
    shape error over all true terms, over the null ones, the largest null range, fresh-row AUC
    (R² for regression), fit seconds, mean rounds per bag (main effects, pairs) and the false
    pairs kept (count, summed SD on the fresh rows)."""
    X_train, y_train, X_fresh, y_fresh, truth_fresh = draw_split(
        name, cohort, n_fresh, cohort.seed + TUNING_SEED_OFFSET, task)
    lines = []
    for params in settings:
        model = task.glassbox(random_state=SEED, n_jobs=-1, **params)
        fit_s, score = fit_and_score(model, X_train, y_train, X_fresh, y_fresh, task)
        recovered = recovered_glassbox(model, X_fresh)
        terms = score_terms({"glassbox": recovered}, X_fresh, truth_fresh)
        nulls = terms[terms["kind"] == "null"]
        main_rounds, pair_rounds = model.bag_rounds_.mean(axis=0)
        n_false, false_sd = false_pairs(recovered, truth_fresh)
        lines.append([name, f"`{json.dumps(params)}`", _fmt(terms["glassbox_err"].mean()),
                      _fmt(nulls["glassbox_err"].mean()),
                      _fmt(nulls["glassbox_range"].max() if len(nulls) else None),
                      _fmt(score, 4), f"{fit_s:.1f}", f"{main_rounds:.0f} / {pair_rounds:.0f}",
                      f"{n_false} ({false_sd:.3f})"])
        log(" | ".join(lines[-1]))
    return lines


def provenance_line(argv):
    """The report line naming the commit and the command that wrote it, quoted for a shell."""
    command = shlex.join(["python", "-m", "benchmarks.bench_faithfulness", *argv])
    return f"- commit {commit()}; command `{command}`"


def tune_report(rows, argv, task=CLASSIFICATION):
    return "\n".join([
        "## Shape faithfulness of glassbox settings on the tuning draws", "",
        provenance_line(argv), task.describe(),
        f"- cohort seeds + {TUNING_SEED_OFFSET} (the reported benchmark uses the seeds "
        "themselves)", "",
        *_table(["cohort", "setting", "mean err", "null err", "max null range", task.score_name,
                 "fit s", "rounds main / pairs", "false pairs (summed sd)"], rows,
                ["---", "---"] + ["---:"] * 7)])


# --- summary and report -----------------------------------------------------------------------

def with_better_peer(terms):
    terms = terms.copy()
    terms["peer_err"] = terms[["interpret_err", "pygam_err"]].min(axis=1)
    terms["glassbox_wins"] = terms["glassbox_err"] <= terms["peer_err"]
    return terms


def summarise(result):
    terms = with_better_peer(result["terms"])
    mains = terms[terms["kind"] != "pair"]
    nulls = terms[terms["kind"] == "null"]
    ratios = nulls["glassbox_range"] / nulls["interpret_range"]
    return {
        "mean_err": {m: terms[f"{m}_err"].mean() for m in MODELS},
        "mean_err_mains": {m: mains[f"{m}_err"].mean() for m in MODELS},
        "wins": int(terms["glassbox_wins"].sum()), "n_terms": len(terms),
        "max_null_ratio": float(ratios.max()) if len(ratios) else float("nan"),
        "worst_null": nulls.loc[ratios.idxmax(), "term"] if len(ratios) else None,
    }


def _fmt(x, digits=3):
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def _table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|",
            *["| " + " | ".join(str(c) for c in row) + " |" for row in rows]]


def summary_lines(results, summaries, task):
    header = ["cohort", "train rows × cols",
              *[f"{m} mean err" for m in MODELS], *[f"{m} mean err (mains)" for m in MODELS],
              "glassbox ≤ better peer", "max null range glassbox/EBM",
              *[f"{m} {task.score_name}" for m in MODELS], *[f"{m} fit s" for m in MODELS]]
    rows = []
    for result, summary in zip(results, summaries):
        n, p = result["shape"]
        rows.append([result["name"], f"{n:,} × {p}",
                     *[_fmt(summary["mean_err"][m]) for m in MODELS],
                     *[_fmt(summary["mean_err_mains"][m]) for m in MODELS],
                     f"{summary['wins']}/{summary['n_terms']}",
                     f"{_fmt(summary['max_null_ratio'], 2)} ({summary['worst_null']})",
                     *[_fmt(result["score"][m], 4) for m in MODELS],
                     *[_fmt(result["fit_s"][m], 1) for m in MODELS]])
    return _table(header, rows)


def target_lines(summaries):
    below = [s_["mean_err"]["glassbox"] < min(s_["mean_err"]["interpret"],
                                              s_["mean_err"]["pygam"]) for s_ in summaries]
    margins = [min(s_["mean_err"]["interpret"], s_["mean_err"]["pygam"])
               - s_["mean_err"]["glassbox"] for s_ in summaries]
    wins = sum(s_["wins"] for s_ in summaries)
    n_terms = sum(s_["n_terms"] for s_ in summaries)
    worst = max((s_["max_null_ratio"] for s_ in summaries
                 if not np.isnan(s_["max_null_ratio"])), default=float("nan"))

    def verdict(ok):
        return "**met**" if ok else "**not met**"

    return [
        f"1. glassbox's mean shape error below both peers' on every cohort: {verdict(all(below))} "
        f"({sum(below)}/{len(below)} cohorts; margin to the better peer per cohort: "
        + ", ".join(f"{m:+.3f}" for m in margins) + "; positive = glassbox lower).",
        f"2. glassbox ≤ the better peer on ≥ {SHARE_TARGET:.0%} of terms: "
        f"{verdict(wins >= SHARE_TARGET * n_terms)} ({wins}/{n_terms} = {wins / n_terms:.0%}).",
        f"3. no null term's glassbox range above EBM's by more than "
        f"{NULL_RANGE_SLACK - 1:.0%}: {verdict(worst <= NULL_RANGE_SLACK)} "
        f"(largest ratio {_fmt(worst, 2)}).",
    ]


def cohort_lines(result):
    terms = with_better_peer(result["terms"])
    header = ["term", "kind", "truth sd", *[f"{m} err" for m in MODELS], "glassbox ≤ peer",
              *[f"{m} null range" for m in MODELS]]
    rows = [[t.term, t.kind, _fmt(t.truth_sd), *[_fmt(getattr(t, f"{m}_err")) for m in MODELS],
             "yes" if t.glassbox_wins else "no",
             *[_fmt(getattr(t, f"{m}_range", None)) if t.kind == "null" else ""
               for m in MODELS]]
            for t in terms.itertuples(index=False)]
    false = ", ".join(f"{m} {c} ({sd:.3f})" for m, (c, sd) in result["false_pairs"].items())
    return [f"### {result['name']}: {result['about']}", "",
            *_table(header, rows, ["---", "---"] + ["---:"] * (len(header) - 2)), "",
            f"False pairs (count, summed sd on fresh rows): {false}.", ""]


def report(results, n_fresh, argv, task=CLASSIFICATION):
    summaries = [summarise(r) for r in results]
    lines = [
        "## Shape faithfulness against known truth: glassbox vs interpret vs pyGAM", "",
        provenance_line(argv), task.describe(),
        f"- python {platform.python_version()}, numpy {np.__version__}, interpret "
        f"{interpret_version}, pygam {pygam.__version__}, glassbox {glassbox.__version__}; "
        f"nproc {len(os.sched_getaffinity(0))}",
        f"- {n_fresh:,} fresh rows per cohort. Protocol and rules: the docstring of "
        "`benchmarks/bench_faithfulness.py`. pyGAM has no pair terms, so its error on a true pair "
        "equals the pair's spread; the “mains” columns leave pairs out.", "",
        "### Summary", "", *summary_lines(results, summaries, task), "",
        "### Targets", "", *target_lines(summaries), "",
    ]
    for result in results:
        lines += cohort_lines(result)
    return "\n".join(lines)


def json_object(text):
    """A `--tune` setting: a JSON object of the glassbox estimator's keyword arguments."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not JSON ({error}): {text}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"not a JSON object of keyword arguments: {text}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cohorts", metavar="LIST",
                        help="comma-separated subset of risk, threshold, null, small-n, pneumonia, "
                             "maternal "
                             "(default: all; with --quick: null)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rows and cohorts, for iteration (< 2 minutes)")
    parser.add_argument("--output", metavar="PATH", help="also write the report to this file")
    parser.add_argument("--tune", metavar="JSON", nargs="+", type=json_object,
                        help="instead of the benchmark: glassbox alone with each of these "
                             "settings (JSON keyword arguments) on the tuning draws")
    parser.add_argument("--task", choices=["classification", "regression"],
                        default="classification",
                        help="classify the drawn outcome (default), or regress a normal target "
                             "built from the true terms")
    parser.add_argument("--noise", type=float, metavar="SD",
                        help="regression noise SD as a multiple of the true terms' sum's SD "
                             f"(default {NOISE})")
    parser.add_argument("--train-rows", type=int, metavar="N",
                        help="training rows for every chosen cohort (default: each cohort's own)")
    args = parser.parse_args(argv)
    if args.noise is not None and args.task != "regression":
        parser.error("--noise applies to --task regression only")
    if args.noise is not None and args.noise < 0:
        parser.error(f"--noise must be at least 0, got {args.noise}")
    if args.train_rows is not None and args.train_rows <= WARMUP_ROWS:
        parser.error(f"--train-rows must be above {WARMUP_ROWS}, got {args.train_rows}")
    available = cohorts(args.quick)
    default = "null" if args.quick else ",".join(available)
    args.cohorts = [c.strip() for c in (args.cohorts or default).split(",") if c.strip()]
    unknown = sorted(set(args.cohorts) - set(available))
    if unknown:
        parser.error(f"unknown cohort(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    task = new_task(args.task, NOISE if args.noise is None else args.noise)
    available = cohorts(args.quick, args.train_rows)
    n_fresh = 5_000 if args.quick else 20_000
    if args.tune:
        rows = [row for name in args.cohorts
                for row in tune_cohort(name, available[name], n_fresh, args.tune, task)]
        publish(tune_report(rows, argv, task) + "\n", args.output)
        return
    results = [run_cohort(name, available[name], n_fresh, task) for name in args.cohorts]
    publish(report(results, n_fresh, argv, task) + "\n", args.output)


if __name__ == "__main__":
    main()
