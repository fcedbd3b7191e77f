"""pyGAM models with tensor terms, imported with ``glassbox.interop.from_pygam`` at its defaults.

Protocol
--------
Each model below is a pyGAM GAM with one tensor term ``te()`` of two continuous features, fitted
on the complete rows' training part (``train_test_split(test_size=0.3, random_state=0)``,
stratified by a binary outcome) and imported with ``from_pygam(gam, X_train, feature_names=...)``
at the default grids. Reported: the distinct training values of the tensor term's two features;
the import's own figures (``provenance_["max_discrepancy_link"]`` on the reference rows and
``["max_discrepancy_link_between"]`` between them); the largest link-scale difference from
pyGAM on the held-out rows whose values lie within the reference range; the tensor term's
value cells; the model file's size (``glassbox.io.save_model``); the import's seconds.

* framingham: ``LogisticGAM(s(age) + l(cigsPerDay) + s(BMI) + f(education) + f(sex)
  + te(sysBP, heartRate))`` of ``TenYearCHD``; ``LinearGAM(te(age, totChol) + s(BMI))`` of
  ``sysBP``; ``LogisticGAM(te(BMI, glucose) + s(age))`` of ``TenYearCHD``;
* heart-failure: ``LogisticGAM(te(platelets, serum_creatinine) + s(ejection_fraction)
  + s(age))`` of ``DEATH_EVENT``;
* fetal-health: ``LogisticGAM(te(abnormal_short_term_variability,
  mean_value_of_long_term_variability) + s(histogram_mean))`` of pathological (class 3) or not;
* stroke: ``LogisticGAM(te(age, avg_glucose_level) + s(bmi))`` of ``stroke``;
* simulated: ``make_risk_cohort(n_samples=2000, n_features=6, random_state=0)`` (missing values
  filled with the medians), ``LinearGAM(te(bmi, creatinine))`` of 0.5 · bmi · log(creatinine)
  (a surface steep at low creatinine, no noise); and ``make_risk_cohort(n_samples=20000,
  n_features=6, random_state=1)``, ``LogisticGAM(te(bmi, creatinine) + s(age) + s(sbp))`` of its
  outcome.

Command line
------------
From the repository root::

    .venv/bin/python -m benchmarks.bench_pygam_import [--data-dir DIR]
        [--output benchmarks/results/bench_pygam_import.md]
"""

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import glassbox
from glassbox.datasets import make_risk_cohort
from glassbox.interop import from_pygam
from glassbox.io import save_model

from benchmarks._data import DATA_DIR, DATASETS
from benchmarks._report import commit, publish


def cases(data_dir):
    """(name, pyGAM model, its feature columns with the tensor term's two first, target, split
    stratified?) per model."""
    from pygam import LinearGAM, LogisticGAM, f, l, s, te

    framingham, chd = DATASETS["framingham"].load(data_dir)
    framingham = framingham.assign(TenYearCHD=chd).dropna()
    yield ("framingham: te(sysBP, heartRate) + 5 mains", LogisticGAM(
        te(0, 1) + s(2) + l(3) + s(4) + f(5) + f(6)),
        framingham[["sysBP", "heartRate", "age", "cigsPerDay", "BMI", "education", "sex"]],
        framingham["TenYearCHD"], True)
    yield ("framingham: te(age, totChol) + s(BMI), of sysBP", LinearGAM(te(0, 1) + s(2)),
           framingham[["age", "totChol", "BMI"]], framingham["sysBP"], False)
    yield ("framingham: te(BMI, glucose) + s(age)", LogisticGAM(te(0, 1) + s(2)),
           framingham[["BMI", "glucose", "age"]], framingham["TenYearCHD"], True)
    failure, death = DATASETS["heart-failure"].load(data_dir)
    yield ("heart-failure: te(platelets, serum_creatinine) + 2 mains",
           LogisticGAM(te(0, 1) + s(2) + s(3)),
           failure[["platelets", "serum_creatinine", "ejection_fraction", "age"]],
           pd.Series(death), True)
    fetal, health = DATASETS["fetal-health"].load(data_dir)
    yield ("fetal-health: te(abnormal STV, mean LTV) + s(histogram_mean)",
           LogisticGAM(te(0, 1) + s(2)),
           fetal[["abnormal_short_term_variability", "mean_value_of_long_term_variability",
                  "histogram_mean"]], pd.Series((health == 3).astype(int)), True)
    stroke, outcome = DATASETS["stroke"].load(data_dir)
    stroke = stroke.assign(stroke=outcome).dropna(subset=["bmi"])
    yield ("stroke: te(age, avg_glucose_level) + s(bmi)", LogisticGAM(te(0, 1) + s(2)),
           stroke[["age", "avg_glucose_level", "bmi"]], stroke["stroke"], True)
    cohort, _, _ = make_risk_cohort(n_samples=2000, n_features=6, random_state=0)
    cohort = cohort.fillna(cohort.median())
    yield ("simulated, 2,000 rows: te(bmi, creatinine), steep", LinearGAM(te(0, 1)),
           cohort[["bmi", "creatinine"]], 0.5 * cohort["bmi"] * np.log(cohort["creatinine"]),
           False)
    cohort, outcome, _ = make_risk_cohort(n_samples=20000, n_features=6, random_state=1)
    cohort = cohort.fillna(cohort.median())
    yield ("simulated, 20,000 rows: te(bmi, creatinine) + 2 mains",
           LogisticGAM(te(0, 1) + s(2) + s(3)), cohort[["bmi", "creatinine", "age", "sbp"]],
           pd.Series(outcome), True)


def measure(name, gam, X, y, stratified):
    X_train, X_test, y_train, _ = train_test_split(
        X, np.asarray(y), test_size=0.3, random_state=0,
        stratify=np.asarray(y) if stratified else None)
    gam.fit(X_train.to_numpy(dtype=float), y_train)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, X_train, feature_names=list(X.columns))
    seconds = time.perf_counter() - started
    inside = X_test[((X_test >= X_train.min()) & (X_test <= X_train.max())).all(axis=1)]
    link_scale = getattr(model, "decision_function", model.predict)  # identity-link regressors
    held_out = np.abs(link_scale(inside)
                      - gam._linear_predictor(inside.to_numpy(dtype=float))).max()
    pair = next(t for t in model.terms_ if t.is_pair)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        save_model(model, path)
        megabytes = path.stat().st_size / 1e6
    provenance = model.provenance_
    distinct = " × ".join(str(X_train.iloc[:, j].nunique()) for j in (0, 1))
    return (f"| {name} | {len(X_train):,} | {distinct} | "
            f"{provenance['max_discrepancy_link']:.1e} | "
            f"{provenance['max_discrepancy_link_between']:.3g} | {held_out:.1e} ({len(inside)}) | "
            f"{int(np.prod([b.n_values for b in pair.bins])):,} | {megabytes:.1f} | "
            f"{seconds:.1f} |")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=DATA_DIR,
                        help="data directory holding benchmarks/ (default: %(default)s)")
    parser.add_argument("--output", metavar="PATH", help="also write the report to this file")
    args = parser.parse_args(argv)
    import pygam
    lines = [
        "## pyGAM tensor terms imported at the default grids", "",
        f"- commit {commit()}; command "
        f"`{' '.join(['python -m benchmarks.bench_pygam_import', *argv])}`",
        f"- python {platform.python_version()}, numpy {np.__version__}, pygam "
        f"{pygam.__version__}, glassbox {glassbox.__version__}; nproc "
        f"{len(os.sched_getaffinity(0))}",
        "- link-scale differences from pyGAM: on the reference (training) rows and between "
        "their values as `from_pygam` reports them, and on the held-out rows within the "
        "reference range (their number in brackets)", "",
        "| model | reference rows | distinct values of the pair | on the reference rows | "
        "between them | held-out rows | pair cells | file MB | import s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases(args.data_dir):
        lines.append(measure(*case))
        print(lines[-1], file=sys.stderr)
    publish("\n".join(lines) + "\n", args.output)


if __name__ == "__main__":
    main()
