"""Choose the boosted GAM's defaults by cross-validation on training splits only.

For each candidate setting, 5-fold cross-validated score on the *training* split of real datasets
(one 80/20 split, ``random_state=0``, stratified for classification), so the held-out 20 % are
never used for tuning: ROC AUC for binary targets, macro one-vs-rest ROC AUC for multiclass
targets, R² for regression. Prints one line per setting.

    .venv/bin/python -m benchmarks.cv_defaults '{}' '{"max_leaves": 3}' '{"smoothing_rounds": 0}'
    .venv/bin/python -m benchmarks.cv_defaults --datasets maternal-health,auto-mpg '{}'

Each argument is a JSON object of keyword arguments applied on top of the defaults.
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
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    train_sets = {}
    for name in args.datasets.split(","):
        dataset = _data.DATASETS[name]
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
            folds = (KFold if dataset.regression else StratifiedKFold)(5, shuffle=True,
                                                                       random_state=1)
            scores[name] = cross_val_score(cls(n_jobs=-1, random_state=0, **params), X, y,
                                           cv=folds, scoring=SCORING[dataset.task]).mean()
        cells = "  ".join(f"{name} {score:.4f}" for name, score in scores.items())
        print(f"{json.dumps(params):<45} {cells}  mean {np.mean(list(scores.values())):.4f}  "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
