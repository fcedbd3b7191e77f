"""5-fold cross-validated MSE of monotonic networks on the Auto MPG *training* split only.

Used to tell a generalisation gap between the benchmark's train and test splits from a tuning
problem (docs/benchmarks.md); it never reads the test split.

    .venv/bin/python -m benchmarks.cv_auto_mpg
"""

import time
import warnings

import pandas as pd
from sklearn.model_selection import KFold, cross_val_score

from glassbox import MonotonicNetRegressor

from ._data import DEFAULT_DATA_DIR

SETTINGS = [
    dict(hidden_layer_sizes=(32, 32), learning_rate_init=0.01, alpha=1e-5, batch_size=64,
         n_seeds=4),
    dict(hidden_layer_sizes=(32, 32), learning_rate_init=0.01, alpha=1e-2, batch_size=64,
         n_seeds=4),
    dict(hidden_layer_sizes=(32, 32), learning_rate_init=0.01, alpha=1e-1, batch_size=64,
         n_seeds=4),
    dict(additive=True, n_knots=16, learning_rate_init=0.003, alpha=1e-5, batch_size=256,
         n_seeds=4),
]


def main():
    warnings.filterwarnings("ignore", category=UserWarning)
    train = pd.read_csv(DEFAULT_DATA_DIR.parent / "monotonic" / "train_auto.csv")
    y = train.pop("ground_truth").to_numpy()
    constraints = {"Displacement": -1, "Horsepower": -1, "Weight": -1}
    folds = KFold(5, shuffle=True, random_state=0)
    for params in SETTINGS:
        started = time.perf_counter()
        model = MonotonicNetRegressor(monotonic_cst=constraints, random_state=0, **params)
        mse = -cross_val_score(model, train, y, cv=folds, scoring="neg_mean_squared_error")
        print(f"{params}  CV MSE {mse.mean():.2f} ± {mse.std():.2f}  "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
