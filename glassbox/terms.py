"""The vocabulary of a fitted additive model: an intercept plus a list of terms.

A `Term` maps one feature (a main effect) or two (a pair) to scores on the term's own bins.
Explanations, plots, edits, the JSON format and reports read and write this structure only, so none
of them needs to know how a model was trained.
"""

from dataclasses import dataclass

import numpy as np

from ._binning import Bins
from ._kernels import add_scores


@dataclass(eq=False)
class Feature:
    """One input feature of a model: its name, kind, main-effect binning, and whether training
    saw missing values (a missing value at prediction time is then expected, not a surprise)."""

    name: str
    kind: str
    bins: Bins
    has_missing: bool


@dataclass(eq=False)
class Term:
    """One additive term.

    Attributes
    ----------
    name : str
        The feature name, or "a & b" for a pair.
    features : tuple of int
        Indices of the features the term reads.
    bins : tuple of Bins
        The binning of each of those features, as this term sees it.
    scores : ndarray
        Score per bin, shape `bin_shape` (+ (n_classes,) for a multiclass model); centred so that
        its mean over the training data (weighted by sample weight) is zero.
    stds : ndarray
        Standard deviation of each score across the outer bags (its uncertainty).
    counts : ndarray
        Training rows per bin, shape `bin_shape`.
    weights : ndarray
        Sum of training sample weights per bin, shape `bin_shape`.
    """

    name: str
    features: tuple
    bins: tuple
    scores: np.ndarray
    stds: np.ndarray
    counts: np.ndarray
    weights: np.ndarray

    @property
    def bin_shape(self):
        return tuple(b.n_bins for b in self.bins)

    @property
    def is_pair(self):
        return len(self.features) == 2

    def codes(self, binned):
        """Flat bin index per row of this term, from a `BinnedColumns`."""
        flat = None
        for feature, bins in zip(self.features, self.bins):
            codes = binned.codes(feature, bins)
            flat = codes if flat is None else flat.astype(np.intp) * bins.n_bins + codes
        return flat

    def contributions(self, binned):
        """This term's score for every row: shape (n_rows,) or (n_rows, n_classes)."""
        flat_scores = self.scores.reshape((-1,) + self.scores.shape[len(self.bins):])
        return flat_scores[self.codes(binned)]

    def add_to(self, binned, out):
        """Add this term's score to `out` row by row (a compiled pass for one-output models)."""
        if self.scores.ndim > len(self.bins):
            out += self.contributions(binned)
            return
        first = binned.codes(self.features[0], self.bins[0])
        if self.is_pair:
            add_scores(first, binned.codes(self.features[1], self.bins[1]), self.bin_shape[1],
                       self.scores.ravel(), out)
        else:
            add_scores(first, first, 0, self.scores, out)

    def importance(self):
        """Mean absolute score over the training data (averaged over classes for multiclass)."""
        magnitude = np.abs(self.scores)
        if magnitude.ndim > len(self.bins):
            magnitude = magnitude.mean(axis=-1)
        total = self.weights.sum()
        return float((magnitude * self.weights).sum() / total) if total > 0 else 0.0


class BinnedColumns:
    """Bin codes of prepared columns, computed once per (feature, binning) and shared by terms.

    A binning whose cuts are a subset of its feature's main-effect cuts (a pair's coarse bins) is
    read off the main codes through a lookup table instead of binning the column again.
    """

    def __init__(self, columns, features):
        self.columns = columns
        self.features = features
        self._codes = {}

    def codes(self, feature, bins):
        key = (feature, id(bins))
        if key not in self._codes:
            main = self.features[feature].bins
            lookup = bins.lookup_from(main) if bins is not main else None
            if lookup is not None:
                self._codes[key] = lookup[self.codes(feature, main)]
            else:
                self._codes[key] = bins.codes(self.columns[feature])
        return self._codes[key]


def weighted_mean(scores, weights):
    """Mean of a term's scores over the training data (per class for multiclass scores)."""
    w = weights.reshape(weights.shape + (1,) * (scores.ndim - weights.ndim))
    total = weights.sum()
    axes = tuple(range(weights.ndim))
    return (scores * w).sum(axis=axes) / total if total > 0 else np.zeros(scores.shape[weights.ndim:])


def center(scores, weights):
    """Scores with zero weighted mean (per class), and the removed mean; bins of zero weight in
    the missing or unseen position of a feature are set to exactly zero (no data, no effect)."""
    mean = weighted_mean(scores, weights)
    centred = scores - mean
    centred[_empty_edge_bins(weights)] = 0.0
    return centred, mean


def _empty_edge_bins(weights):
    """Mask of the missing/unseen slices (first/last index along an axis) that hold no weight."""
    mask = np.zeros(weights.shape, dtype=bool)
    for axis in range(weights.ndim):
        for position in (0, weights.shape[axis] - 1):
            index = [slice(None)] * weights.ndim
            index[axis] = position
            index = tuple(index)
            if weights[index].sum() == 0:
                mask[index] = True
    return mask
