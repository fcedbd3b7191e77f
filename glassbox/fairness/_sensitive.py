"""Sensitive columns: finding them in X, taking them out, putting chosen values back, grouping
rows by them, and reading a model's scores on its link scale."""

import warnings

import numpy as np
import pandas as pd
from sklearn.utils import check_array

from .._losses import CLASSIFIER_LINKS
from .._tabular import outside_stacklevel
from ..terms import model_link

MAX_GROUPS = 50
"""Most distinct groups a fairness measurement accepts; a continuous sensitive feature (e.g. age
in years) must be banded first."""

MAX_NUMERIC_LEVELS = 10
"""A numeric sensitive feature with more distinct values than this draws a warning: each value is
a group of its own, which is rarely what is meant by age or income."""

SMALL_GROUP = 30
"""Groups with fewer rows than this get a `SmallGroupWarning`: their rates and AUROC are too
noisy to compare."""


class SmallGroupWarning(UserWarning):
    """A group defined by the sensitive features is too small, or lacks an outcome class, for
    its measurements to mean much (they are NaN where they cannot be computed)."""


class SensitiveColumns:
    """Where the sensitive features sit in the X a strategy was fitted on.

    Built at fit from `sensitive_features` (names, or positions for an array); afterwards
    `split` accepts X with or without the sensitive columns and `rebuild` puts chosen values
    back in their places.
    """

    def __init__(self, X, sensitive_features, owner="the model"):
        self.owner = owner
        if isinstance(sensitive_features, (str, int, np.integer)):
            sensitive_features = [sensitive_features]
        wanted = list(sensitive_features)
        if not wanted:
            raise ValueError("sensitive_features is empty; name at least one column.")
        self.frame = isinstance(X, pd.DataFrame)
        self.n_columns = X.shape[1]
        self.names = list(X.columns) if self.frame else None
        positions = []
        for key in wanted:
            if self.frame and key in self.names:
                positions.append(self.names.index(key))
            elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
                if not 0 <= key < self.n_columns:
                    raise ValueError(f"sensitive_features: column position {key} is out of "
                                     f"range for X with {self.n_columns} columns.")
                positions.append(int(key))
            else:
                where = (f"X's columns are {self.names}" if self.frame else
                         "X is an array, so give column positions")
                raise ValueError(f"sensitive_features: {key!r} is not a column of X; {where}.")
        if len(set(positions)) != len(positions):
            raise ValueError(f"sensitive_features names a column twice: {wanted}.")
        if len(positions) == self.n_columns:
            raise ValueError(f"sensitive_features takes all {self.n_columns} feature(s) of X; "
                             "no column would be left to predict from.")
        self.positions = positions
        self.labels = [self.names[p] if self.frame else p for p in positions]
        self.rest = [j for j in range(self.n_columns) if j not in positions]

    def split(self, X, *, required=False):
        """(X without the sensitive columns, the sensitive columns as a DataFrame or None when X
        came without them). `required` makes their absence an error."""
        if isinstance(X, pd.DataFrame) and self.frame:
            present = [c for c in self.labels if c in X.columns]
            if len(present) == len(self.labels):
                return X.drop(columns=self.labels), X[self.labels]
            if present or required:
                missing = [c for c in self.labels if c not in X.columns]
                raise ValueError(f"X lacks the sensitive column(s) {missing}"
                                 + (" (give all of them, or none)." if present else "."))
            return X, None
        array = tabular(X)
        width = array.shape[1]
        if width == self.n_columns:
            if isinstance(array, pd.DataFrame):
                rest, sensitive = array.iloc[:, self.rest], array.iloc[:, self.positions]
            else:
                rest, sensitive = array[:, self.rest], pd.DataFrame(array[:, self.positions])
            sensitive = sensitive.set_axis(self.labels, axis=1)
            return rest, sensitive
        if width == len(self.rest) and not required:
            return array, None
        raise ValueError(f"X has {width} features, but {self.owner} is expecting {self.n_columns} "
                         f"features as input (with the sensitive ones) or {len(self.rest)} "
                         "(without them).")

    def rebuild(self, rest, values):
        """X in the fitted column layout: `rest` with each sensitive column set to its value in
        `values` (one per sensitive feature, the same for every row)."""
        n = len(rest)
        if self.frame:
            frame = pd.DataFrame(rest).copy()
            for label, value in zip(self.labels, values):
                frame[label] = pd.Series([value] * n, index=frame.index, dtype=object) \
                    if isinstance(value, str) else value
            return frame[self.names]
        rest = np.asarray(rest)
        out = np.empty((n, self.n_columns), dtype=object if rest.dtype == object or any(
            isinstance(v, str) for v in values) else np.float64)
        out[:, self.rest] = rest
        for position, value in zip(self.positions, values):
            out[:, position] = value
        return out


def tabular(X):
    """X as a DataFrame (kept) or a 2D array, with scikit-learn's errors for what is neither
    (sparse, 1D, empty or complex data)."""
    if isinstance(X, pd.DataFrame):
        return X
    return check_array(X, dtype=None, ensure_all_finite=False)


def sensitive_frame(X, sensitive_features):
    """The sensitive columns of X as a DataFrame: named columns of a DataFrame, positions of an
    array, or the values themselves (a Series, DataFrame, array or list of one value per X
    row)."""
    if _are_values(X, sensitive_features):
        if len(sensitive_features) != len(X):
            raise ValueError(f"sensitive_features holds {len(sensitive_features)} values but X "
                             f"has {len(X)} rows; give one value per row, or column names.")
        values = sensitive_features
        if not isinstance(values, (pd.Series, pd.DataFrame)):  # keeps numbers numeric
            values = pd.Series(values) if np.ndim(values) == 1 else pd.DataFrame(values)
        return pd.DataFrame(values).reset_index(drop=True)
    _, frame = SensitiveColumns(X, sensitive_features).split(X, required=True)
    return frame.reset_index(drop=True)


def _are_values(X, sensitive_features):
    """Whether `sensitive_features` holds values rather than column names or positions: a
    Series or DataFrame; any other sequence (list, numpy or pandas array) longer than X has
    columns (column labels cannot repeat), or as long as X's rows and not all column labels."""
    if isinstance(sensitive_features, (pd.Series, pd.DataFrame)):
        return True
    if isinstance(sensitive_features, (str, bytes, int, np.integer)) \
            or not hasattr(sensitive_features, "__len__"):
        return False
    n_columns = np.shape(X)[1]
    if len(sensitive_features) > n_columns:
        return True
    labels = set(X.columns) if isinstance(X, pd.DataFrame) else set(range(n_columns))
    try:
        all_labels = all(key in labels for key in sensitive_features)
    except TypeError:  # unhashable values
        return True
    return not all_labels and len(sensitive_features) == len(X)


def group_labels(sensitive):
    """One label per row: the value of the one sensitive feature, or the intersection of
    several ("a | b"); missing values form their own group, "missing". A numeric feature of more
    than MAX_NUMERIC_LEVELS values draws a warning (each value is a group)."""
    for name, column in sensitive.items():
        levels = column.nunique()
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) \
                and levels > MAX_NUMERIC_LEVELS:
            warnings.warn(f"The sensitive feature {name!r} is numeric with {levels} distinct "
                          "values, each a group of its own; band it first (e.g. pd.cut) for "
                          "groups large enough to compare.", UserWarning,
                          stacklevel=outside_stacklevel())
    text = sensitive.astype(object).where(sensitive.notna(), "missing").astype(str)
    labels = text.iloc[:, 0] if text.shape[1] == 1 else text.agg(" | ".join, axis=1)
    n_groups = labels.nunique()
    if n_groups > MAX_GROUPS:
        raise ValueError(f"The sensitive features {list(sensitive.columns)} define {n_groups} "
                         f"groups (at most {MAX_GROUPS}); band a continuous feature first.")
    if n_groups < 2:
        raise ValueError(f"The sensitive features {list(sensitive.columns)} define one group "
                         f"only ({labels.iloc[0]!r}); fairness needs two or more.")
    return labels.reset_index(drop=True)


def small_groups(labels, y=None):
    """Groups of fewer than SMALL_GROUP rows or, when y is given, with one outcome class only:
    {group: why}."""
    found = {g: f"{n} row{'' if n == 1 else 's'}" for g, n in labels.value_counts().items()
             if n < SMALL_GROUP}
    if y is not None:
        classes = pd.Series(np.asarray(y)).groupby(labels.to_numpy()).nunique()
        for g, k in classes.items():
            if k < 2:
                found[g] = ", ".join(filter(None, [found.get(g), "one outcome class only"]))
    return found


def warn_small_groups(labels, y, consequence):
    """Warn (SmallGroupWarning) about the `small_groups`, saying what follows for them."""
    found = small_groups(labels, y)
    if found:
        listed = "; ".join(f"{g!r}: {why}" for g, why in found.items())
        warnings.warn(f"Small or one-class groups ({listed}): {consequence}.",
                      SmallGroupWarning, stacklevel=outside_stacklevel())
    return found


def logits(model, X):
    """A fitted model's raw scores on its link scale: log-odds (binary), one logit per class
    (multiclass, centred so that each row's class logits sum to zero: a constant added to every
    class of a row changes no probability, and changes nothing here), the mean or its log
    (regressors). glassbox models give them directly; other classifiers through the log of their
    probabilities."""
    link = model_link(model)
    if hasattr(model, "link_") and link in CLASSIFIER_LINKS:
        raw = np.asarray(model.decision_function(X), dtype=float)
    elif link in CLASSIFIER_LINKS:
        proba = np.clip(np.asarray(model.predict_proba(X), dtype=float), 1e-15, 1.0)
        raw = np.log(proba[:, 1] / proba[:, 0]) if link == "logit" else np.log(proba)
    else:
        prediction = np.asarray(model.predict(X), dtype=float)
        return np.log(prediction) if link == "log" else prediction
    return raw - raw.mean(axis=1, keepdims=True) if raw.ndim == 2 else raw
