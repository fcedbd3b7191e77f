"""Raw tables (pandas or array-like) -> one typed column per feature.

A continuous column becomes a float64 array with NaN for missing values; a categorical column stays
a pandas Categorical or an object array. Every error names the offending column.
"""

import datetime
import functools
import numbers
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array

CONTINUOUS = "continuous"
CATEGORICAL = "categorical"


class ConstantFeatureWarning(UserWarning):
    """A training column is constant or entirely missing: no effect can be learnt from it."""


class IdentifierWarning(UserWarning):
    """A training column looks like a record number: the model would draw a shape over it."""


class RepeatedRowsWarning(UserWarning):
    """Many training rows repeat another row exactly: copies of one record let early stopping
    run on, since a bag's validation rows then hold copies of its training rows."""


class RareClassWarning(UserWarning):
    """A class has so few training rows that boosting can fit them as certainties."""


RARE_CLASS_ROWS = 10
"""Fewest training rows of positive weight a class may have without a `RareClassWarning`
(with 1-3 rows of a class among 2,000, the default classifier gave those rows, and fresh rows
in the same bins, probabilities near 1; with 5 or more it did not)."""


REPEATED_SHARE = 0.2
"""Share of the rows of positive weight repeating another (features and target) that warns."""
REPEATED_EXCESS = 10.0
"""How many times the repeats expected by coincidence the observed ones must reach to warn."""


IDENTIFIER_MIN_ROWS = 100
"""Fewest rows in which a column of distinct whole numbers may be taken for an identifier."""

IDENTIFIER_ANY_RANGE_ROWS = 1000
"""From this many rows, distinct whole numbers are an identifier whatever their range: n whole
numbers drawn from a range of R values are all distinct with probability about
exp(-n² / 2R), so a measurement would need a range of many millions."""


def outside_stacklevel():
    """The `stacklevel` that points a warning raised by the calling function at the first frame
    outside glassbox: the user's line, however deep inside the library the warning starts."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("glassbox."):
        frame, level = frame.f_back, level + 1
    return level


def each_warning_once(function):
    """`function` with each of its warnings (category and text) shown once: a report or a
    comparison scores the same rows many times (bootstraps, subgroups, refits, strategies), and
    a warning about those rows, such as an unseen category, would otherwise repeat for every
    pass (the warnings module's once-per-line memory is reset whenever any code changes the
    filters, as scikit-learn does)."""
    @functools.wraps(function)
    def once(*args, **kwargs):
        caught = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return function(*args, **kwargs)
        finally:  # shown once the filters are the caller's again
            shown = set()
            for w in caught:
                if (w.category, str(w.message)) not in shown:
                    shown.add((w.category, str(w.message)))
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return once


def table_columns(X, select=None):
    """(column names or None, list of raw columns) of a DataFrame or a 2-D array-like;
    `select` takes the named columns of a DataFrame, in that order, without copying it.
    Date, time and period columns are errors naming the column."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                             "of 1 is required.")
        if X.shape[1] == 0:
            raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                             "of 1 is required.")
        duplicated = X.columns[X.columns.duplicated()].unique().tolist()
        if duplicated:
            raise ValueError(f"X has duplicate column names {duplicated}: each feature needs a "
                             "name of its own.")
        if select is not None:
            names, series = list(select), [X[name] for name in select]
        else:
            names, series = [str(c) for c in X.columns], [X.iloc[:, j] for j in range(X.shape[1])]
        for name, s in zip(names, series):
            _reject_temporal(s.array, name)
        return names, [_frame_column(s) for s in series]
    array = check_array(X, dtype=None, ensure_all_finite=False)
    if array.dtype.kind in "biuf":
        array = array.astype(np.float64) if array.dtype.kind != "b" else array
    columns = [array[:, j] for j in range(array.shape[1])]
    for j, column in enumerate(columns):
        _reject_temporal(column, f"x{j}")
    return None, columns


_TEMPORAL_TYPES = (datetime.date, datetime.time, datetime.timedelta, np.datetime64,
                   np.timedelta64, pd.Period)
_TEMPORAL_KINDS = frozenset({"datetime64", "datetime", "date", "time", "timedelta64",
                             "timedelta", "period"})
"""pandas' inferred types of object columns of temporal values; a column of mixed types is
looked at value by value."""


def _types_in(values):
    """The distinct Python types of an object array's values (one pass in C, where a check per
    value would be a Python call per row)."""
    return set(map(type, values))


def _reject_temporal(values, name):
    """A ValueError naming the column if it holds dates, times, durations or periods: binning
    them as categories (one per timestamp) or as raw nanoseconds would be silently wrong. The
    message suggests a conversion that works for the column's type."""
    categorical = isinstance(values, pd.Categorical)
    if categorical:
        values = values.categories
    dtype = values.dtype
    if isinstance(dtype, pd.PeriodDtype):
        kind = "period"
    elif dtype.kind in "Mm" or isinstance(dtype, pd.DatetimeTZDtype):
        kind = "timedelta" if dtype.kind == "m" else "datetime"
    elif dtype.kind == "O":
        present = np.asarray(values, dtype=object)[~pd.isna(values)]
        kind = pd.api.types.infer_dtype(present, skipna=False)
        if kind.startswith("mixed") and any(issubclass(t, _TEMPORAL_TYPES)
                                            for t in _types_in(present)):
            kind = "mixed"
        elif kind not in _TEMPORAL_KINDS:
            return
    else:
        return
    # a datetime, timedelta or period column, which pandas' .dt reads as it is
    typed = not categorical and (dtype.kind != "O" or isinstance(dtype, pd.PeriodDtype))
    raise ValueError(f"Column {name!r} holds dates, times or durations ({dtype}); glassbox takes "
                     f"numbers and categories. {_temporal_advice(kind, name, typed)}")


def _temporal_advice(kind, name, typed):
    """How to turn a temporal column of pandas' inferred `kind` into numbers, as code that runs
    on it; `typed`: a datetime, timedelta or period column (not objects or a categorical)."""
    column = f"X[{name!r}]"
    if kind == "mixed":
        return ("It mixes them with other values: make the column one type first (numbers, or "
                "dates), then convert dates to numbers, e.g. days since a reference date.")
    if kind == "time":
        return ("Convert it to a number first, for instance hours since midnight: "
                f"pd.to_timedelta({column}.astype(str)).dt.total_seconds() / 3600")
    if kind.startswith("timedelta"):
        durations = column if typed else f"pd.to_timedelta({column}.astype(object))"
        return ("Convert it to a number first, for instance a duration in hours: "
                f"{durations}.dt.total_seconds() / 3600")
    if kind == "period":
        dates = (f"{column}.dt.start_time" if typed else
                 f"{column}.astype(object).map(lambda period: period.start_time)")
    else:
        dates = column if typed else f"{column}.astype(object)"
    return ("Convert it to a number first, for instance days since a reference date: "
            f"(pd.to_datetime({dates}, utc=True) - pd.Timestamp(\"2020-01-01\", tz=\"UTC\"))"
            ".dt.days")


def _frame_column(series):
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return series.array
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=object)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


_NUMERIC_OBJECTS = frozenset({"integer", "floating", "mixed-integer-float", "empty"})
"""pandas' inferred types of an object column whose values are all Python or NumPy numbers (not
booleans, decimals or complex), or that holds none."""


def infer_kind(column):
    """CONTINUOUS for numeric columns, CATEGORICAL for categories, strings and booleans."""
    if isinstance(column, pd.Categorical):
        return CATEGORICAL
    if column.dtype.kind in "iuf":
        return CONTINUOUS
    if column.dtype.kind == "b":
        return CATEGORICAL
    values = pd.Series(column, dtype=object).dropna()
    numeric = pd.api.types.infer_dtype(values, skipna=False) in _NUMERIC_OBJECTS
    return CONTINUOUS if numeric else CATEGORICAL


def as_kind(column, kind, name):
    """The column converted for a feature of `kind`; a ValueError naming `name` if impossible."""
    if kind == CATEGORICAL:
        if isinstance(column, pd.Categorical):
            return column
        return np.asarray(column, dtype=object)
    if isinstance(column, pd.Categorical):
        column = np.asarray(column, dtype=object)
    if column.dtype == object:  # pd.NA and NaT among numbers: missing, as None and NaN are
        column = np.where(pd.isna(column), np.nan, column)
    try:
        values = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"Column {name!r} is continuous but holds non-numeric values "
                         f"{_non_numeric(column)}; convert them to numbers (or missing), or fit "
                         "with the column in categorical_features.") from None
    if np.isinf(values).any():
        raise ValueError(f"Column {name!r} contains inf; only finite values and NaN (missing) "
                         "are accepted.")
    return values


def _non_numeric(column):
    """'such as 'high' in k of n rows (...)' for a column's non-numeric values."""
    values = pd.Series(np.asarray(column, dtype=object))
    bad = (pd.to_numeric(values, errors="coerce").isna() & values.notna()).to_numpy()
    return f"such as {values.iloc[int(np.argmax(bad))]!r} {_where(bad)}"


def resolve_categorical(categorical_features, names, columns):
    """The kind of every feature from the `categorical_features` parameter. Called once per
    fit, it also warns about columns that carry no information (`warn_uninformative`) and
    columns that look like record numbers (`warn_identifiers`)."""
    warn_uninformative(names, columns)
    warn_identifiers(names, columns)
    n = len(columns)
    inferred = [infer_kind(c) for c in columns]
    if isinstance(categorical_features, str) and categorical_features == "auto":
        _warn_numeric_text(names, columns, inferred)
        return inferred
    if categorical_features is None:
        chosen = np.zeros(n, dtype=bool)
    else:
        spec = np.asarray(categorical_features)
        if spec.dtype.kind == "b":
            if spec.shape != (n,):
                raise ValueError(f"categorical_features as a boolean mask must have length {n}, "
                                 f"got shape {spec.shape}.")
            chosen = spec
        else:
            chosen = np.zeros(n, dtype=bool)
            for item in spec.tolist():
                chosen[feature_index(item, names, n, "categorical_features")] = True
    kinds = []
    for j in range(n):
        if chosen[j]:
            kinds.append(CATEGORICAL)
        elif inferred[j] == CATEGORICAL and not _numeric_booleans(columns[j]):
            raise ValueError(f"Column {names[j]!r} holds categories or strings but is not listed "
                             "in categorical_features.")
        else:
            kinds.append(CONTINUOUS)
    return kinds


NUMERIC_TEXT_SHARE = 0.8
"""Share of a text column's values that parse as numbers above which "auto" warns."""


def _warn_numeric_text(names, columns, kinds):
    """Warn about text columns whose values are mostly numbers (a stray "high" or "<5" in a lab
    column read from a CSV): "auto" makes them categorical, one bin per distinct number."""
    for name, column, kind in zip(names, columns, kinds):
        if kind != CATEGORICAL or isinstance(column, pd.Categorical) or column.dtype.kind == "b":
            continue
        values = pd.Series(column, dtype=object).dropna()
        if len(values) == 0 or bool in _types_in(values):
            continue
        counts = values.value_counts(sort=False)  # each distinct value once: long columns
        numeric = pd.to_numeric(pd.Series(counts.index, dtype=object), errors="coerce").notna()
        share = counts.to_numpy()[numeric.to_numpy()].sum() / len(values)
        if share >= NUMERIC_TEXT_SHARE:
            warnings.warn(
                f"Column {name!r} holds text, but {_share_text(share)} of its values are numbers; "
                "it is "
                "modelled as categorical, one bin per distinct value. To model it as a "
                f"quantity, convert it (pd.to_numeric(X[{name!r}], errors='coerce') makes the "
                "rest missing); to keep it categorical, list it in categorical_features.",
                DataConversionWarning, stacklevel=outside_stacklevel())


def _share_text(share):
    """A share as a percentage that never rounds a part up to all, or down to none."""
    text = f"{share:.0%}"
    return f"{share:.1%}" if text in ("100%", "0%") and 0 < share < 1 else text


def warn_uninformative(names, columns):
    """A `ConstantFeatureWarning` naming the training columns that are entirely missing or
    hold a single value and no missing one (one value with some missing ones is informative:
    missing is a level of its own)."""
    described = []
    for column in columns:
        if column.dtype.kind == "f":
            missing = np.isnan(column)
            observed = column[~missing]
            n_values = 0 if len(observed) == 0 else 1 + int(observed.min() < observed.max())
        else:
            missing = pd.isna(column)
            n_values = pd.Series(column).nunique(dropna=True)
        described.append((n_values, bool(missing.any())))
    warn_uninformative_counts(names, described)


def warn_identifiers(names, columns):
    """An `IdentifierWarning` naming the numeric training columns that look like record
    numbers: a different whole number in every row, in at least IDENTIFIER_ANY_RANGE_ROWS rows,
    or in at least IDENTIFIER_MIN_ROWS rows within a range of at most 1.5 times the rows (ids
    1 to n, or most of them). A shape over such a column fits the order the rows were
    numbered in, not the patients."""
    found = []
    for name, column in zip(names, columns):
        if isinstance(column, pd.Categorical) or column.dtype.kind not in "fiu":
            continue
        values = column[~np.isnan(column)] if column.dtype.kind == "f" else column
        n = len(values)
        if n < IDENTIFIER_MIN_ROWS:
            continue
        span = values.max() - values.min() + 1
        if span < n or (n < IDENTIFIER_ANY_RANGE_ROWS and span > 1.5 * n):
            continue  # n distinct whole numbers do not fit, or a measurement could be them
        head = values[:IDENTIFIER_ANY_RANGE_ROWS]  # most columns repeat a value early
        if len(np.unique(head)) < len(head) or not (values == np.floor(values)).all():
            continue
        if len(np.unique(values)) == n:
            found.append(repr(name))
    if found:
        warnings.warn(f"{', '.join(found)} holds a different whole number in every row, like a "
                      "record number or identifier; if it is one, drop it before fitting (the "
                      "model would otherwise draw a shape over the order the rows were "
                      "numbered in).", IdentifierWarning, stacklevel=outside_stacklevel())


def refuse_pair_names(names):
    """A ValueError naming a column called as glassbox calls the pair of two other columns
    ("a & b"): its term and the pair's would share a name, the key of explanations and plots."""
    known = set(map(str, names))
    for name in map(str, names):
        parts = name.split(" & ")
        for k in range(1, len(parts)):
            first, second = " & ".join(parts[:k]), " & ".join(parts[k:])
            if {first, second} <= known and name not in (first, second):
                raise ValueError(f"Column {name!r} has the name of the pair term of columns "
                                 f"{first!r} and {second!r}, which would make two terms of one "
                                 "name: rename it (for instance with 'and' in place of '&').")


def check_class_rows(classes, counts):
    """The training rows of positive weight per class (`counts`): a `ValueError` when fewer
    than two classes have any, as removing the rows of weight 0 would leave one class (weight 0
    is the same as a removed row), and a `RareClassWarning` naming each class with fewer than
    RARE_CLASS_ROWS."""
    weighted = [c for c, k in zip(classes, counts) if k > 0]
    if len(weighted) < 2:
        kept = [plain_value(c) for c in weighted]
        raise ValueError(f"sample_weight leaves only class(es) {kept} with rows of positive "
                         "weight; a classifier needs rows of at least two classes.")
    rare = [f"{plain_value(c)!r} "
            f"({int(k)} row{'s' if k != 1 else ''})"
            for c, k in zip(classes, counts) if k < RARE_CLASS_ROWS]
    if rare:
        warnings.warn(f"Classes with fewer than {RARE_CLASS_ROWS} training rows: "
                      f"{', '.join(rare)}. Their probabilities cannot be learnt from so few "
                      "rows: boosting can fit them as near-certainties, on those rows and on "
                      "new rows that share their bins. Merge such a class with a related one, "
                      "or drop its rows.", RareClassWarning, stacklevel=outside_stacklevel())


def plain_value(value):
    """A value as Python shows it, without numpy's scalar type around it (a label, a category,
    a cell written to JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def warn_repeated_rows(columns, y, present):
    """A `RepeatedRowsWarning` when at least REPEATED_SHARE of the rows of positive weight
    repeat another exactly (`columns` as fitted, and the target), REPEATED_EXCESS times more
    than coincidence would give: were the columns independent, two rows would agree with the
    product of each column's chance that two of its values agree. Equal rows of coarse
    features (different patients) are that coincidence; copies of one record (a table with a
    row per count) far exceed it."""
    n = int(present.sum())
    if n < 2:
        return
    parts = [pd.util.hash_array(np.asarray(y)[present])]
    for column in columns:
        values = column.codes if isinstance(column, pd.Categorical) else np.asarray(column)
        parts.append(pd.util.hash_array(values[present]))
    hashes = parts[0]
    for part in parts[1:]:
        hashes = hashes * np.uint64(1_000_003) ^ part
    repeated = int(pd.Series(hashes).duplicated().sum())
    if repeated < REPEATED_SHARE * n:
        return
    agree = np.prod([float(((pd.Series(part).value_counts() / n) ** 2).sum()) for part in parts])
    if repeated > REPEATED_EXCESS * agree * n * (n - 1) / 2:
        warnings.warn(f"{repeated:,} of the {n:,} training rows ({repeated / n:.0%}) repeat "
                      "another row exactly, features and target, far more often than their "
                      "values coincide by chance. If they are copies of one record (a table "
                      "with a row per count), fit one row per record with the count as "
                      "sample_weight: copies on both sides of a validation split let early "
                      "stopping run on, and the model overfits.", RepeatedRowsWarning,
                      stacklevel=outside_stacklevel())


def warn_uninformative_counts(names, described):
    """`warn_uninformative` from each column's (number of distinct values, up to 2; whether it
    has missing values), for data seen in parts."""
    notes = []
    for name, (n_values, any_missing) in zip(names, described):
        if n_values == 0:
            notes.append(f"{name!r} (all values missing)")
        elif n_values == 1 and not any_missing:
            notes.append(f"{name!r} (constant)")
    if notes:
        warnings.warn("These training columns carry no information, so the model learns no "
                      "effect from them: " + ", ".join(notes) + ". Drop them, or check how the "
                      "data was loaded.", ConstantFeatureWarning, stacklevel=outside_stacklevel())


def _numeric_booleans(column):
    """Whether a column holds only booleans (as bools, or as the objects a DataFrame's bool
    column becomes), which a model may read as the numbers 0 and 1."""
    if isinstance(column, pd.Categorical):
        return False
    return column.dtype.kind == "b" or (
        column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "boolean")


def feature_index(item, names, n, parameter):
    """Position of a feature given by name or by index; errors name `parameter`."""
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
        if not -n <= item < n:
            raise ValueError(f"{parameter}: feature index {item} is out of range for {n} "
                             "features.")
        return int(item) % n
    if isinstance(item, str):
        if item not in names:
            raise ValueError(f"{parameter}: unknown feature {item!r}. {_known_names(names)}")
        return names.index(item)
    raise ValueError(f"{parameter}: features are given by name or index, got {item!r}.")


def _known_names(names):
    """What an unknown feature name can be instead: the features' names, or, for data without
    column names, how to keep them."""
    if list(names) == [f"x{j}" for j in range(len(names))]:
        return ("The data have no column names (an array, e.g. from an earlier Pipeline step, "
                "whose set_output(transform='pandas') keeps them), so the features are x0, x1, "
                "... or their positions.")
    shown = list(names) if len(names) <= 20 else [*names[:20], "..."]
    return f"The features are {shown}."


def monotone_directions(monotonic_cst, names, kinds):
    """-1/0/+1 per feature from `monotonic_cst` (an array, or a {name or index: direction}
    dict, as scikit-learn's HistGradientBoosting); constraints on categories are errors."""
    n = len(names)
    directions = np.zeros(n, dtype=np.int64)
    if monotonic_cst is None:
        return directions
    if isinstance(monotonic_cst, dict):
        given = {feature_index(key, names, n, "monotonic_cst"): value
                 for key, value in monotonic_cst.items()}
    else:
        values = list(monotonic_cst) if not isinstance(monotonic_cst, str) else None
        if values is None or len(values) != n:
            raise ValueError(f"monotonic_cst has {'no' if values is None else len(values)} "
                             f"entries but the data has {n} features.")
        given = dict(enumerate(values))
    for j, value in given.items():
        # exactly -1, 0 or 1: 0.5, "+1" or True would otherwise pass as a number
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float,
                                                                         np.floating)) \
                or value not in (-1, 0, 1):
            raise ValueError(f"monotonic_cst: the direction of {names[j]!r} must be -1, 0 or 1, "
                             f"got {value!r}.")
        directions[j] = int(value)
    for j in np.flatnonzero(directions):
        if kinds[j] == CATEGORICAL:
            raise ValueError(f"monotonic_cst: feature {names[j]!r} is categorical (it holds "
                             "text, even one cell of it, or booleans or pandas categories, or is "
                             "declared in categorical_features); a monotone constraint needs an "
                             "ordered (numeric) feature, e.g. a flag stored as 0/1.")
    return directions


def refuse_multiclass_constraints(directions, n_classes, names):
    """A monotone constraint with more than two classes is an error (as in scikit-learn): a
    class's probability need not follow a direction that every class's score follows."""
    if n_classes > 2 and np.any(directions):
        constrained = [names[j] for j in np.flatnonzero(directions)]
        raise ValueError(f"monotonic_cst constrains {constrained}, but the target has "
                         f"{n_classes} classes: monotone constraints need a binary or numeric "
                         "target, because a class's probability need not follow a direction "
                         "that each class's score follows. Fit one binary model per class "
                         "(one-vs-rest) with the directions each class needs.")


def target_array(y):
    """y as a 1-d array; NaN (or None) in it is an error."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    y = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected.",
                      DataConversionWarning)
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {y.shape}.")
    if len(y) == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={y.shape}) while a minimum of 1 "
                         "is required.")
    missing = np.asarray(pd.isna(y), dtype=bool)
    if missing.any():
        raise ValueError(f"y contains NaN {_where(missing)}; every target value must be known "
                         "(drop those rows, or impute them).")
    return y


def _where(mask):
    """'in k of n rows (first at position i)' for the rows a boolean mask marks."""
    return (f"in {int(mask.sum()):,} of {len(mask):,} rows (first at position "
            f"{int(np.argmax(mask))})")


def class_labels(y):
    """A classifier's target with labels of one type: text, numbers or booleans (as a model
    file holds them). Numbers or booleans held as objects become a numeric or boolean array
    (scikit-learn reads such an object array as "unknown"); a mix, where 1 and "1" would be two
    classes, is an error."""
    y = target_array(y)
    if y.dtype == object:
        kind = pd.api.types.infer_dtype(y, skipna=False)
        if kind in ("integer", "floating", "mixed-integer-float", "boolean"):
            y = np.array(y.tolist())
        elif kind.startswith("mixed"):
            kinds = sorted({_label_type(v) for v in pd.unique(y)})
            raise ValueError(f"y mixes labels of types {kinds}: give every label one type "
                             "(y.astype(str), or numbers), or 1 and '1' would be two classes.")
    check_classification_targets(y)
    return y


def _label_type(value):
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    return "number" if isinstance(value, numbers.Number) else type(value).__name__


def numeric_target(y):
    """A regression target as finite float64; clear errors otherwise."""
    y = target_array(y)
    try:
        y = y.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("y must be numeric for a regressor.") from None
    if not np.isfinite(y).all():
        raise ValueError(f"y contains NaN or inf {_where(~np.isfinite(y))}; every target value "
                         "must be finite.")
    return y
