"""Choose BoostedGAMClassifier defaults by cross-validation on training splits only.

For each candidate setting, 5-fold cross-validated ROC AUC on the *training* split of the
benchmark's small real datasets (framingham, stroke, breast-cancer; one stratified 80/20 split,
``random_state=0``), so the held-out 20 % are never used for tuning. Prints one line per setting.

    .venv/bin/python -m benchmarks.cv_defaults '{}' '{"max_leaves": 3}' '{"smoothing_rounds": 0}'

Each argument is a JSON object of keyword arguments applied on top of the defaults.
"""

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from glassbox import BoostedGAMClassifier

from . import _data

DATASETS = ("framingham", "stroke", "breast-cancer")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", help="JSON objects of keyword arguments")
    parser.add_argument("--data-dir", default=str(_data.DATA_DIR),
                        help="folder holding benchmarks/ (see benchmarks/_data.py)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    train_sets = {}
    for name in DATASETS:
        X, y = _data.DATASETS[name].load(args.data_dir)
        X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, stratify=y,
                                                  random_state=0)
        train_sets[name] = (X_train, y_train)
    folds = StratifiedKFold(5, shuffle=True, random_state=1)
    for setting in args.settings:
        params = json.loads(setting)
        started = time.perf_counter()
        scores = {name: cross_val_score(BoostedGAMClassifier(n_jobs=-1, random_state=0, **params),
                                        X, y, cv=folds, scoring="roc_auc").mean()
                  for name, (X, y) in train_sets.items()}
        cells = "  ".join(f"{name} {auc:.4f}" for name, auc in scores.items())
        print(f"{json.dumps(params):<45} {cells}  mean {np.mean(list(scores.values())):.4f}  "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
