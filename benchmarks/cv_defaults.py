"""Choose the boosted GAM's defaults by cross-validation on training splits only.

For each candidate setting, 5-fold cross-validated score on the *training* split of real datasets
(one 80/20 split, ``random_state=0``, stratified for classification), so the held-out 20 % are
never used for tuning: ROC AUC for binary targets, macro one-vs-rest ROC AUC for multiclass
targets, R² for regression. Prints one line per setting. With ``--log-loss`` the classification
tables are scored by their log loss instead (lower is better; the mean is over them alone) and
regression tables are left out: how well the probabilities are calibrated, which AUC ignores.

    .venv/bin/python -m benchmarks.cv_defaults '{}' '{"max_leaves": 3}' '{"smoothing_rounds": 0}'
    .venv/bin/python -m benchmarks.cv_defaults --datasets maternal-health,auto-mpg '{}'
    .venv/bin/python -m benchmarks.cv_defaults --repeats 5 --datasets auto-mpg '{}'
    .venv/bin/python -m benchmarks.cv_defaults --log-loss '{}' '{"min_hessian": 0.01}'

Each argument is a JSON object of keyword arguments applied on top of the defaults.
``--repeats R`` averages R cross-validations: repeat r shuffles the folds with
``random_state=1 + r`` and seeds the model with ``random_state=r`` (R=1, the default, is the
single cross-validation above), so a setting is not judged on one lucky draw of folds and bags.
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor

from . import _data

DATASETS = ("maternal-health", "auto-mpg", "heart-failure", "diabetes", "fetal-health",
            "framingham", "stroke")
SCORING = {"binary": "roc_auc", "multiclass": "roc_auc_ovr", "regression": "r2"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", help="JSON objects of keyword arguments")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated subset of {', '.join(_data.DATASETS)} "
                             f"(default: {','.join(DATASETS)})")
    parser.add_argument("--data-dir", default=str(_data.DATA_DIR),
                        help="folder holding benchmarks/ (see benchmarks/_data.py)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="cross-validations averaged, each with its own folds and model "
                             "seed (default: 1)")
    parser.add_argument("--log-loss", action="store_true",
                        help="score the classification tables by log loss; skip regression")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    warnings.filterwarnings("ignore", category=UserWarning)
    train_sets = {}
    for name in args.datasets.split(","):
        dataset = _data.DATASETS[name]
        if args.log_loss and dataset.regression:
            continue
        X, y = dataset.load(args.data_dir)
        X_train, _, y_train, _ = train_test_split(
            X, y, test_size=0.2, stratify=None if dataset.regression else y, random_state=0)
        train_sets[name] = (dataset, X_train, y_train)
    for setting in args.settings:
        params = json.loads(setting)
        started = time.perf_counter()
        scores = {}
        for name, (dataset, X, y) in train_sets.items():
            cls = BoostedGAMRegressor if dataset.regression else BoostedGAMClassifier
            splitter = KFold if dataset.regression else StratifiedKFold
            scoring = "neg_log_loss" if args.log_loss else SCORING[dataset.task]
            scores[name] = (-1 if args.log_loss else 1) * np.mean([
                cross_val_score(cls(n_jobs=-1, random_state=r, **params), X, y,
                                cv=splitter(5, shuffle=True, random_state=1 + r),
                                scoring=scoring).mean()
                for r in range(args.repeats)])
        cells = "  ".join(f"{name} {score:.4f}" for name, score in scores.items())
        print(f"{json.dumps(params):<45} {cells}  mean {np.mean(list(scores.values())):.4f}  "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
