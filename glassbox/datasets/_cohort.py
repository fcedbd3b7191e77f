"""What the case-study loaders share: scikit-learn's loader conventions over a simulated cohort.

A case-study simulator returns a `Cohort`: the features (a DataFrame), the binary outcome, the
true per-term contributions to the log-odds (centred, one column per term) and a description of
its treatment mechanisms. `loader_output` turns it into what `load_*` functions return, as
scikit-learn's `load_*` do: a `Bunch`, or `(X, y)` with `return_X_y=True`.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.utils import Bunch


@dataclass
class Cohort:
    """A simulated cohort with its known generating model."""

    X: pd.DataFrame
    y: np.ndarray
    truth: pd.DataFrame
    mechanisms: dict = field(default_factory=dict)


def loader_output(cohort, *, name, target_name, description, return_X_y, as_frame,
                  return_truth):
    """scikit-learn's loader conventions.

    `return_X_y=True` gives `(X, y)`, or `(X, y, truth)` with `return_truth=True`. Otherwise a
    `Bunch` with `data`, `target`, `frame` (features and target, when `as_frame`),
    `feature_names`, `target_names`, `DESCR` and, with `return_truth=True`, `truth` (each true
    term's centred contribution to the log-odds per row) and `mechanisms` (the treatment
    mechanisms, as data). `as_frame=False` gives numpy arrays: numeric columns as float, and an
    object array when some columns are categorical.
    """
    X, y = cohort.X, pd.Series(cohort.y, name=target_name)
    if not as_frame:
        numeric = all(pd.api.types.is_numeric_dtype(X[c]) for c in X.columns)
        X = X.to_numpy(dtype=float if numeric else object)
        y = y.to_numpy()
    if return_X_y:
        return (X, y, cohort.truth) if return_truth else (X, y)
    bunch = Bunch(data=X, target=y, feature_names=list(cohort.X.columns),
                  target_names=np.array([f"no {target_name}", target_name]),
                  DESCR=description, name=name,
                  frame=pd.concat([cohort.X, y], axis=1) if as_frame else None)
    if return_truth:
        bunch.truth = cohort.truth
        bunch.mechanisms = cohort.mechanisms
    return bunch


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def intercept_for_rate(logit, rate):
    """The intercept that makes the mean risk equal `rate` (bisection on a monotone function)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(logistic(logit + mid)) < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
