"""The fairness strategies side by side, with fairlearn's ExponentiatedGradient as the peer.

Protocol
--------
For each dataset, 5-fold stratified cross-validation (``--folds``, ``random_state=0``). In every
fold ``glassbox.fairness.compare_strategies`` fits, on the training part, the boosted GAM with the
sensitive feature (the reference), DropSensitive, TrainThenClean, TestTimeBlind, ConstrainedLoss
(demographic parity, tolerance 0.02) and fairlearn's ExponentiatedGradient around the same
estimator with the same constraint and bound (``DemographicParity(difference_bound=0.02)``), and
measures them on the held-out part. The estimator is ``BoostedGAMClassifier(random_state=fold,
n_jobs=-1)`` at its defaults, warmed up first so Numba compilation is not timed.

Decisions are "probability ≥ 0.5", the rule of ``predict`` and the one ExponentiatedGradient's
mixture targets; ExponentiatedGradient's AUROC is that of its mixture's probability of a positive
decision. On data with few events (framingham 15 %, stroke 5 %) few rows are selected at 0.5, so
every model's demographic-parity difference there is small; the simulated cohort (30 % events)
is where the constraint has to work at that threshold. A second table per dataset therefore
selects the highest-risk 20 % of rows instead (``capacity=0.2``, ConstrainedLoss trained for
it); ExponentiatedGradient has no such rule and is left out of it.

Datasets
--------
* simulated: ``glassbox.datasets.make_proxy_cohort(20_000, random_state=0)``; sensitive
  ``group``; the proxy terms are ``deprivation`` and ``insurance``.
* framingham (``--data-dir``, see ``_data.py``): sensitive ``sex``.
* stroke: sensitive ``gender``; its one row of gender "Other" is dropped (a group of one row
  cannot be constrained or measured).
* pneumonia: ``glassbox.datasets.load_pneumonia()`` (the case-study cohort, simulated);
  sensitive ``race`` (five groups; the gap reported is Black − White); the proxy terms are
  ``insurance`` and ``renal_disease``.

On the real data the "proxy" part of the gap is everything the non-sensitive terms carry.

Targets (printed met / not met)
-------------------------------
* DropSensitive shows proxy absorption: the proxies carry more of the group gap (logits) than in
  the reference, on every dataset;
* ConstrainedLoss: demographic-parity difference ≤ 0.02 (mean over folds) with an AUROC at least
  ExponentiatedGradient's, at least 5× faster, and one glass-box model.

Command line
------------
From the repository root::

    .venv/bin/python -m benchmarks.bench_fairness \\
        [--output benchmarks/results/bench_fairness.md]
        [--datasets simulated,framingham,stroke,pneumonia]
        [--folds 5] [--data-dir DIR] [--quick]

``--quick``: 2 folds and a 4,000-row simulated cohort.
"""

import argparse
import os
import platform
import shlex
import sys
import warnings
from datetime import datetime, timezone

import fairlearn
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

import glassbox
from benchmarks._data import DATA_DIR, DATASETS
from benchmarks._report import commit, publish
from glassbox import BoostedGAMClassifier
from glassbox.datasets import load_pneumonia, make_proxy_cohort
from glassbox.fairness import compare_strategies

TOLERANCE = 0.02
MIN_SPEEDUP = 5.0
CAPACITY = 0.2
MIN_GAP = 0.05
"""Smallest mean logit gap between the groups at which proxy absorption can be measured."""
SIMULATED_ROWS = 20_000
QUICK_ROWS = 4_000
COLUMNS = {  # report column: (compare_strategies column, format)
    "AUROC": ("auroc", ".4f"), "AUPRC": ("auprc", ".4f"), "Brier": ("brier", ".4f"),
    "DP diff": ("demographic_parity_difference", ".4f"),
    "EO diff": ("equal_opportunity_difference", ".4f"),
    "flip |Δlogit|": ("flip_mean_abs_logit", ".4f"),
    "flip decisions": ("flip_decision_share", ".4f"),
    "group from score AUROC": ("sensitive_recovery_auc", ".3f"),
    "mean logit gap": ("mean_logit_gap", "+.3f"),
    "proxy logit gap": ("proxy_logit_gap", "+.3f"),
    "fit s": ("fit_s", ".2f"),
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def load(name, data_dir, quick):
    """(X, y, sensitive feature, proxy terms or None for 'every other feature')."""
    if name == "simulated":
        X, y = make_proxy_cohort(QUICK_ROWS if quick else SIMULATED_ROWS, random_state=0)
        return X, y, "group", ["deprivation", "insurance"]
    if name == "pneumonia":
        X, y = load_pneumonia(return_X_y=True, **({"n_samples": QUICK_ROWS} if quick else {}))
        return X, y.to_numpy(), "race", ["insurance", "renal_disease"]
    X, y = DATASETS[name].load(data_dir, None)
    sensitive = {"framingham": "sex", "stroke": "gender"}[name]
    if name == "stroke":
        keep = (X["gender"] != "Other").to_numpy()
        X, y = X[keep].reset_index(drop=True), y[keep]
    return X, y, sensitive, [c for c in X.columns if c != sensitive]


def run(name, args):
    X, y, sensitive, proxies = load(name, args.data_dir, args.quick)
    log(f"[{name}] {len(y):,} rows, sensitive {sensitive!r}, {y.mean():.1%} events")
    estimator = BoostedGAMClassifier(n_jobs=-1, random_state=0)
    estimator.fit(X.iloc[:300], y[:300])  # compile / load the kernels before timing
    tables = []
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    for fold, (train, test) in enumerate(folds.split(X, y)):
        for decision, peer in (({"threshold": 0.5}, True), ({"capacity": CAPACITY}, False)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", UserWarning)  # rare-outcome notes, reported
                table = compare_strategies(
                    estimator.set_params(random_state=fold), X.iloc[train], y[train],
                    [sensitive], X_test=X.iloc[test], y_test=y[test], tolerance=TOLERANCE,
                    proxies=proxies, exponentiated_gradient=peer, **decision)
            table["fold"] = fold
            tables.append(table)
            log(f"[{name}] fold {fold + 1} {table['decision'].iloc[0]}: " + ", ".join(
                f"{k} {v:.1f} s" for k, v in table["fit_s"].items()))
    return pd.concat(tables).rename_axis("strategy").reset_index()


def summary_lines(name, decision, folds):
    means = folds.groupby("strategy", sort=False).mean(numeric_only=True)
    header = ["strategy", *COLUMNS]
    lines = [f"### {name}, {decision} ({folds['fold'].nunique()} folds, mean)", "",
             "| " + " | ".join(header) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for strategy, row in means.iterrows():
        cells = ["—" if pd.isna(row[col]) else format(row[col], fmt)
                 for col, fmt in COLUMNS.values()]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return lines + [""], means


def target_lines(all_means):
    lines = []
    for (name, decision), means in all_means.items():
        if "ExponentiatedGradient" not in means.index:  # the capacity tables: no peer
            ours = means.loc["ConstrainedLoss", "demographic_parity_difference"]
            drop = means.loc["DropSensitive", "demographic_parity_difference"]
            lines.append(f"- {name}, {decision}: ConstrainedLoss DP diff {ours:.4f} (DropSensitive "
                         f"{drop:.4f}; informational, no peer)")
            continue
        ref = means.loc["with sensitive features", "proxy_logit_gap"]
        drop = means.loc["DropSensitive", "proxy_logit_gap"]
        gap = means.loc["with sensitive features", "mean_logit_gap"]
        verdict = ("not measurable (the groups' mean logit gap is below 0.05)"
                   if abs(gap) < MIN_GAP else
                   "met (absorption shown)" if abs(drop) > abs(ref) else "**not met**")
        lines.append(f"- {name}: DropSensitive's proxies carry {drop:+.3f} logits of the group "
                     f"gap against {ref:+.3f} in the reference: {verdict}")
        ours, peer = means.loc["ConstrainedLoss"], means.loc["ExponentiatedGradient"]
        speedup = peer["fit_s"] / ours["fit_s"]
        checks = [(ours["demographic_parity_difference"] <= TOLERANCE,
                   f"DP diff {ours['demographic_parity_difference']:.4f} ≤ {TOLERANCE}"),
                  (ours["auroc"] >= peer["auroc"],
                   f"AUROC {ours['auroc']:.4f} vs ExponentiatedGradient's {peer['auroc']:.4f} "
                   f"(DP diff {peer['demographic_parity_difference']:.4f})"),
                  (speedup >= MIN_SPEEDUP, f"{speedup:.1f}× faster (needs {MIN_SPEEDUP:g}×)")]
        lines.append(f"- {name}: ConstrainedLoss " + "; ".join(
            f"{text}: {'met' if ok else '**not met**'}" for ok, text in checks))
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="simulated,framingham,stroke,pneumonia")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir", default=str(DATA_DIR))
    parser.add_argument("--output")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.folds = 2
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    command = " ".join(["python -m benchmarks.bench_fairness", *map(shlex.quote, argv)])
    lines = ["# Fairness strategies (glassbox.fairness) with ExponentiatedGradient as the peer",
             "", f"- commit: {commit()}", f"- command: `{command}`",
             f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"- machine: nproc {len(os.sched_getaffinity(0))}, python "
             f"{platform.python_version()}; glassbox {glassbox.__version__}, fairlearn "
             f"{fairlearn.__version__}", ""]
    all_folds, all_means = [], {}
    for name in names:
        folds = run(name, args)
        folds.insert(0, "dataset", name)
        all_folds.append(folds)
        for decision, part in folds.groupby("decision", sort=False):
            table, means = summary_lines(name, decision, part)
            lines += table
            all_means[(name, decision)] = means
    lines += ["Targets:", "", *target_lines(all_means), "",
              f"Decisions at probability ≥ 0.5, or the top {CAPACITY:.0%} of each model's "
              "scores. DP/EO diff: demographic-parity and "
              "equal-opportunity differences (max − min over groups of the selection rate / "
              "true-positive rate). flip: mean |Δ logit| and share of changed decisions when "
              "only the sensitive value changes. Group from score AUROC: cross-validated AUROC "
              "of predicting the group from the score (0.5 = reveals nothing). Mean logit gap: "
              "mean score of the second largest group minus the largest; proxy logit gap: the "
              "part of it the proxy terms carry (additive models only). Fit s: wall clock of "
              "fit, mean over folds."]
    output = publish("\n".join(lines) + "\n", args.output)
    if output:
        pd.concat(all_folds).to_csv(output.with_suffix(".csv"), index=False)


if __name__ == "__main__":
    main()
