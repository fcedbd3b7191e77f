"""Raw columns -> integer bin codes.

A `Bins` object is the binning of one feature as a fitted term sees it: quantile cut points for a
continuous feature, the list of categories for a categorical one. Codes are laid out the same way for
both: 0 is the missing bin, 1..k are the value bins, k + 1 is the unseen bin (a category never seen in
training; always empty for a continuous feature).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._kernels import bin_continuous
from ._tabular import plain_value

_MAX_QUANTILE_ROWS = 200_000


@dataclass(eq=False)
class Bins:
    """The bins of one feature: `edges` (continuous) or `categories` (categorical)."""

    kind: str
    edges: np.ndarray = None
    categories: list = None
    groups: list = None
    _category_bins: dict = field(default=None, init=False, repr=False)
    _grid: tuple = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.kind == "continuous":
            self.edges = np.asarray(self.edges, dtype=np.float64)
        elif self.kind == "categorical":
            self.categories = list(self.categories)
            if self.groups is not None:
                self.groups = [int(g) for g in self.groups]
            bins = self.groups or range(1, len(self.categories) + 1)
            self._category_bins = dict(zip(self.categories, bins))
        else:
            raise ValueError(f"kind must be 'continuous' or 'categorical', got {self.kind!r}.")

    def __repr__(self):
        """One line: the kind, the value bins and their range or first categories."""
        if self.kind == "continuous":
            if len(self.edges) == 0:
                return "Bins(continuous, 1 value bin)"
            return (f"Bins(continuous, {self.n_values} value bins, edges "
                    f"{self.edges[0]:.4g}..{self.edges[-1]:.4g})")
        shown = ", ".join(repr(plain_value(c)) for c in self.categories[:4])
        more = ", ..." if len(self.categories) > 4 else ""
        grouped = f" in {self.n_values} groups" if self.groups else ""
        return (f"Bins(categorical, {len(self.categories)} categories{grouped}: "
                f"{shown}{more})")

    @property
    def n_values(self):
        """Number of value bins (between the missing and the unseen bin)."""
        if self.kind == "continuous":
            return len(self.edges) + 1
        return max(self.groups) if self.groups else len(self.categories)

    @property
    def n_bins(self):
        return self.n_values + 2

    @property
    def unseen_bin(self):
        return self.n_values + 1

    def codes(self, column):
        """uint16 bin codes of a column prepared by `glassbox._tabular` (float64 or object)."""
        if self.kind == "continuous":
            if not column.flags.writeable:  # one compiled specialisation, not two
                column = column.copy()
            return bin_continuous(column, self.edges, *self._search_grid())
        # Hash the column once, then place its few distinct values; factorize marks a missing
        # value -1, which indexes the missing bin appended last.
        positions, distinct = pd.factorize(column, use_na_sentinel=True)
        value_bins = np.array([self._category_bins.get(v, self.unseen_bin) for v in distinct]
                              + [0], dtype=np.uint16)
        return value_bins[positions]

    def lookup_from(self, finer):
        """Table mapping `finer`'s codes to this binning's codes when every bin of `finer` lies
        inside one of ours (every cut of ours is a cut of `finer`, or the same categories);
        None otherwise."""
        if self is finer:
            return np.arange(finer.n_bins, dtype=np.uint16)
        if self.kind == finer.kind == "categorical" and self.categories == finer.categories:
            table = np.zeros(finer.n_bins, dtype=np.uint16)  # the missing bin stays 0
            table[-1] = self.unseen_bin
            for fine, ours in zip(finer.groups or range(1, finer.n_values + 1),
                                  self.groups or range(1, self.n_values + 1)):
                if table[fine] not in (0, ours):  # a finer group split between two of ours
                    return None
                table[fine] = ours
            return table
        if self.kind != "continuous" or finer.kind != "continuous":
            return None
        at = np.searchsorted(finer.edges, self.edges)
        if (at >= len(finer.edges)).any() or (finer.edges[at] != self.edges).any():
            return None
        lower_edges = np.concatenate([[-np.inf], finer.edges])  # a value inside each finer bin
        table = np.empty(finer.n_bins, dtype=np.uint16)
        table[0] = 0
        table[1:-1] = self.codes(lower_edges)
        table[-1] = self.unseen_bin
        return table

    def _search_grid(self):
        """(start, cells per unit, edges at or below each cell start) of a uniform grid with
        eight cells per edge over the edges' range: the index `bin_continuous` searches from."""
        if self._grid is None:
            n_cells = max(8 * len(self.edges), 1)
            start = self.edges[0] if len(self.edges) else 0.0
            span = self.edges[-1] - start if len(self.edges) else 0.0
            scale = n_cells / span if span > 0 else 0.0
            cell_starts = start + np.arange(n_cells) / scale if scale > 0 else np.full(n_cells,
                                                                                        start)
            first = np.searchsorted(self.edges, cell_starts, side="right")
            self._grid = (float(start), float(scale),
                          np.append(first, len(self.edges)).astype(np.int64))
        return self._grid

    def labels(self):
        """A readable label per bin (interval or category), missing and unseen included."""
        if self.kind == "categorical" and self.groups:
            members = [[] for _ in range(self.n_values)]
            for category, group in zip(self.categories, self.groups):
                members[group - 1].append(str(category))
            values = [m[0] if len(m) == 1 else f"{len(m)} others ({', '.join(m[:3])}, ...)"
                      for m in members]
        elif self.kind == "categorical":
            values = [str(c) for c in self.categories]
        else:
            bounds = np.concatenate([[-np.inf], self.edges, [np.inf]])
            values = [f"[{lo:.4g}, {hi:.4g})" for lo, hi in zip(bounds[:-1], bounds[1:])]
        return ["missing", *values, "unseen"]


def fit_bins(column, kind, max_bins, rng):
    """Bins of one training column: at most `max_bins` quantile bins, or one bin per category.

    Every edge lies halfway between two neighbouring distinct training values, never on one: a
    quantile that falls among tied values moves down to the midpoint below them, which puts the
    same training rows in each bin. A value near an edge then bins alike whatever its float
    precision (a float32 copy of 19.97 is 19.969999..., which an edge at 19.97 would send to the
    bin below)."""
    if kind == "categorical":
        return Bins("categorical", categories=_observed_categories(column))
    values = column[~np.isnan(column)]
    if len(values) > _MAX_QUANTILE_ROWS:
        values = rng.choice(values, _MAX_QUANTILE_ROWS, replace=False)
    distinct = np.unique(values)
    if len(distinct) <= max_bins:
        return Bins("continuous", edges=(distinct[:-1] + distinct[1:]) / 2)
    quantiles = np.linspace(0, 100, max_bins + 1)[1:-1]
    edges = np.unique(np.percentile(values, quantiles, method="midpoint"))
    at = np.searchsorted(distinct, edges)
    on_value = (at > 0) & (distinct[np.minimum(at, len(distinct) - 1)] == edges)
    edges[on_value] = (distinct[at[on_value] - 1] + distinct[at[on_value]]) / 2
    return Bins("continuous", edges=np.unique(edges))


def coarsen(bins, value_counts, max_bins):
    """Coarser bins for a pair term whose cut points are a subset of `bins`' own.

    Cuts are chosen where the cumulative training count crosses multiples of 1/max_bins, so each
    coarse bin is a union of fine bins (a pair's marginals map exactly onto its main effects).
    A categorical feature with more than `max_bins` categories keeps its `max_bins - 1` most
    frequent categories as bins of their own and groups the rest into one: a pair's cells stay
    few enough to estimate, and within the 16-bit codes the kernels read.
    """
    if bins.n_values <= max_bins:
        return bins
    if bins.kind == "categorical":
        frequent = np.argsort(-np.asarray(value_counts), kind="stable")[:max_bins - 1]
        groups = np.full(bins.n_values, max_bins)
        groups[np.sort(frequent)] = np.arange(1, max_bins)
        return Bins("categorical", categories=bins.categories, groups=groups.tolist())
    cumulative = np.cumsum(value_counts)
    targets = cumulative[-1] * np.arange(1, max_bins) / max_bins
    positions = np.unique(np.searchsorted(cumulative, targets, side="left"))
    positions = positions[positions < len(bins.edges)]
    return Bins("continuous", edges=bins.edges[positions])


def _observed_categories(column):
    if isinstance(column, pd.Categorical):
        present = set(pd.unique(column.dropna()))
        return [c for c in column.categories if c in present]
    values = pd.unique(pd.Series(column, dtype=object).dropna())
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))
