"""Input partitions -> bins from mergeable summaries -> binned partitions the shards hold.

A fit reads its input as partitions in row order: the partitions of a Dask DataFrame or Array,
or one partition for a table in memory. Two passes read them. The first summarises each
partition: its rows, its target values, and per feature the categories it holds or a bottom-k
sample of its values (the k rows of smallest hash of (seed, row) among its rows of positive
weight with a value), which merges exactly: the bins come from the bottom k of all rows, which is
every value up to k = 200,000 values, so the bins then equal those an in-memory fit makes. The
second pass bins each partition.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._binning import _MAX_QUANTILE_ROWS, Bins, _observed_categories, fit_bins
from .._tabular import CATEGORICAL, as_kind, table_columns, target_array
from ._hashing import row_keys, smallest_keys


@dataclass
class Summary:
    """What the first pass learns from one partition."""

    n_rows: int
    classes: dict  # a classifier's labels -> rows of positive weight; empty for regression
    values: list
    lowest: float = np.inf  # of a numeric target, over the rows of positive weight
    any_positive: bool = False  # whether a row of positive weight has y > 0


@dataclass
class BinnedPartition:
    """One partition's rows as the shards take them: global first row, codes, y, weights."""

    row0: int
    codes: np.ndarray
    y: np.ndarray
    weight: np.ndarray

    def rows_between(self, first, last):
        """Its rows within global rows first..last - 1, or None."""
        lo, hi = max(first, self.row0) - self.row0, min(last, self.row0 + len(self.y)) - self.row0
        if lo >= hi:
            return None
        return self.codes[lo:hi], self.y[lo:hi], self.weight[lo:hi]


def partition_columns(X, names, kinds, row0):
    """A partition's columns in the fitted order and kinds (errors name the column, and the
    partition by its first row)."""
    where = f"The partition of X from row {row0}"
    if isinstance(X, pd.DataFrame) and [str(c) for c in X.columns] != list(names):
        missing = [n for n in names if n not in set(map(str, X.columns))]
        extra = [str(c) for c in X.columns if str(c) not in set(names)]
        raise ValueError(f"{where} does not have X's columns in X's order"
                         + (f"; it lacks {missing}" if missing else "")
                         + (f"; X lacks {extra}" if extra else "")
                         + ". Every partition needs X's columns, in the same order (a file read "
                           "with other columns gives such a partition).")
    _, columns = table_columns(X)
    if len(columns) != len(names):
        raise ValueError(f"{where} has {len(columns)} columns; X has {len(names)}.")
    return [as_kind(c, kind, name) for c, kind, name in zip(columns, kinds, names)]


ALIKE = ("partition them alike. Columns taken from one frame can still differ: "
         "dd.read_parquet merges files when only a narrow column is read, so persist the "
         "frame first (frame = frame.persist()) or pass y and sample_weight as arrays in "
         "memory.")


def partition_weight(sample_weight, n_rows):
    if sample_weight is None:
        return np.ones(n_rows)
    weight = np.asarray(sample_weight, dtype=np.float64).ravel()
    if len(weight) != n_rows:
        raise ValueError(f"sample_weight has {len(weight)} rows in a partition where X has "
                         f"{n_rows}; {ALIKE}")
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    return weight


def summarise(X, y, sample_weight, row0, names, kinds, seeds, classifier):
    """The first pass over one partition (`Summary`). X may also be its columns already
    prepared (a list, for a table in memory)."""
    if len(X) == 0:
        return Summary(0, {}, [[] if kind == CATEGORICAL else (np.zeros(0, np.uint64),
                                                               np.zeros(0, np.int64),
                                                               np.zeros(0))
                               for kind in kinds])
    columns = X if isinstance(X, list) else partition_columns(X, names, kinds, row0)
    n_rows = len(columns[0])
    try:
        y = target_array(y)
    except ValueError as error:  # its positions are the partition's: say which one
        raise ValueError(f"In the partition of y from row {row0} (positions counted within "
                         f"it): {error}") from None
    if len(y) != n_rows:
        raise ValueError(f"y has {len(y)} rows in a partition where X has {n_rows}; {ALIKE}")
    present = partition_weight(sample_weight, n_rows) > 0
    counted = (y[present].astype(np.float64) if np.issubdtype(y.dtype, np.number)
               else np.zeros(0))
    rows = np.arange(row0, row0 + n_rows, dtype=np.int64)
    values = []
    for column, kind, seed in zip(columns, kinds, seeds):
        if kind == CATEGORICAL:
            values.append(_observed_categories(column[present]))
            continue
        keep = present & ~np.isnan(column)
        keys = row_keys(seed, rows[keep])
        chosen = smallest_keys(keys, rows[keep], _MAX_QUANTILE_ROWS)
        values.append((keys[chosen], rows[keep][chosen], column[keep][chosen]))
    classes = (pd.Series(present.astype(np.int64)).groupby(pd.Series(y, dtype=object),
                                                          sort=False, dropna=False).sum()
               if classifier else pd.Series(dtype=np.int64))
    return Summary(n_rows, classes.to_dict(), values, float(counted.min(initial=np.inf)),
                   bool((counted > 0).any()))


def merge_summaries(first, second):
    """Two partitions' summaries as one (the bottom k of the union of two bottom k)."""
    values = []
    for a, b in zip(first.values, second.values):
        if isinstance(a, list):
            values.append(list(pd.unique(pd.Series(a + b, dtype=object))))
            continue
        keys, rows, kept = (np.concatenate([a[i], b[i]]) for i in range(3))
        chosen = smallest_keys(keys, rows, _MAX_QUANTILE_ROWS)
        values.append((keys[chosen], rows[chosen], kept[chosen]))
    classes = dict(first.classes)
    for label, rows in second.classes.items():
        classes[label] = classes.get(label, 0) + rows
    return Summary(first.n_rows + second.n_rows, classes, values,
                   min(first.lowest, second.lowest), first.any_positive or second.any_positive)


def merge_bins(summary, kinds, max_bins, dtypes):
    """Each feature's bins from the merged summary of all partitions (`dtypes`: a feature's
    pandas categorical dtype, or None: categories ordered as an in-memory fit orders them)."""
    bins = []
    for j, kind in enumerate(kinds):
        if kind == CATEGORICAL:
            seen = np.asarray(summary.values[j], dtype=object)
            column = pd.Categorical(seen, dtype=dtypes[j]) if dtypes[j] is not None else seen
            bins.append(Bins("categorical", categories=_observed_categories(column)))
        else:
            bins.append(fit_bins(summary.values[j][2], kind, max_bins, None))
    return bins


def bin_partition(X, y, sample_weight, row0, names, kinds, bins, target):
    """The second pass over one partition: its codes, targets (`target(y)`: class indices for a
    classifier) and weights."""
    if len(X) == 0:
        return BinnedPartition(row0, np.zeros((0, len(names)), np.uint16), np.zeros(0),
                               np.zeros(0))
    columns = X if isinstance(X, list) else partition_columns(X, names, kinds, row0)
    n_rows = len(columns[0])
    codes = np.column_stack([b.codes(c) for b, c in zip(bins, columns)]).astype(np.uint16)
    return BinnedPartition(row0, codes, target(y), partition_weight(sample_weight, n_rows))


def class_indices(classes, y):
    """A classifier's target as class indices (float), for `bin_partition`."""
    return np.searchsorted(classes, target_array(y)).astype(np.float64)
