"""Edits of a fitted additive model, each returning a new model and recording itself.

Every function leaves its input untouched, returns an edited deep copy, and appends one entry
(what, which term, why, when, details) to the copy's `edit_log_`, so that a reviewer can see every
change made to what the model learned. The functions read and write only the terms structure
(`terms_`, `intercept_`, `features_`), so they work for any glassbox additive model.
"""

import copy
import numbers
from datetime import datetime, timezone

import numpy as np
from sklearn.isotonic import isotonic_regression

from .terms import Term, find_term, require_terms, term_of, weighted_mean

MEASURES = ("training", "marginals", "uniform")
"""The named purification measures (an array of weights per pair cell is the alternative)."""


def monotonize(model, feature, direction, *, reason=""):
    """Make the model monotone in a continuous feature, by weighted isotonic regression of every
    term that reads it along the feature's value bins.

    The main effect is fitted as a whole; a pair with the feature is fitted one slice at a time,
    a slice being the pair's scores along the feature at one bin of the other feature. Each
    term or slice keeps its weighted mean (bin weights are the training weights), so the average
    link-scale score (log-odds for a classifier) is kept, and a sum of monotone terms is
    monotone: every row's prediction then
    moves with the feature in `direction` (+1 or -1). The missing and unseen bins are left as
    they are; bins without training data take the value of their nearest neighbour with data.
    A multiclass model is refused: its class probabilities need not follow a direction that
    each class's score follows (fit one binary model per class instead).
    """
    if isinstance(direction, (bool, np.bool_)) or direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}.")
    direction = int(direction)
    edited = _copy(model)
    term = edited.terms_[find_term(edited, feature, what="monotonize", main=True)]
    if term.bins[0].kind != "continuous":
        raise ValueError(f"monotonize: {term.name!r} is categorical; a direction needs an ordered "
                         "(numeric) feature.")
    if term.scores.ndim > 1:
        raise ValueError("monotonize: this model has one score per class "
                         f"({term.scores.shape[1]} classes), and a class's probability need not "
                         "follow a direction that its score follows; fit a binary model per "
                         "class (one-vs-rest) and monotonize those.")
    increasing = direction == 1
    values = slice(1, term.bin_shape[0] - 1)
    term.scores[values] = _weighted_isotonic(term.scores[values], term.weights[values],
                                             increasing)
    pairs = []
    for pair in (t for t in edited.terms_ if t.is_pair and term.features[0] in t.features):
        axis = pair.features.index(term.features[0])
        scores, weights = np.moveaxis(pair.scores, axis, 0), np.moveaxis(pair.weights, axis, 0)
        along = slice(1, pair.bin_shape[axis] - 1)
        for b in range(scores.shape[1]):
            scores[along, b] = _weighted_isotonic(scores[along, b], weights[along, b], increasing)
        pairs.append(pair.name)
    return _logged(edited, "monotonize", term.name, reason,
                   {"direction": direction, "pairs": pairs})


def purify(model, *, measure="training", pairs=None, reason=""):
    """Functional-ANOVA purification of pairs (Lengerich et al., AISTATS 2020).

    Each pair's weighted row and column means are moved into the two main effects, and the
    main effects' (training-weighted) means into the intercept, until the pair has zero
    marginals under the measure. The prediction of every row is unchanged. `measure` is
    "training" (the pair's training weights, the default), "marginals" (the product of the
    pair's two training marginals, as if its features were independent: the pair then averages
    to zero over either feature's training distribution, whatever the other's value),
    "uniform", or an array of weights per pair cell (applied to every pair). `pairs` (names or
    indices) limits the purification to those pairs; all by default. Pair bins nest inside
    main-effect bins, so a pair's marginal maps exactly onto the main effect through the bins'
    lookup table; a feature of a pair without a main effect gets one, on the pair's bins.
    """
    edited = _copy(model)
    chosen = (range(len(edited.terms_)) if pairs is None
              else sorted({find_term(edited, p) for p in _as_list(pairs)}))
    purified = [edited.terms_[i] for i in chosen if edited.terms_[i].is_pair]
    if pairs is not None and len(purified) < len(chosen):
        raise ValueError("pairs names a main effect; purify moves pairs into main effects.")
    if pairs is not None and not purified:
        raise ValueError("pairs selects no pair; give the names or indices of pair terms, or "
                         "leave it out to purify every pair.")
    for pair in purified:
        mains = [edited.terms_[_main_of(edited, pair, axis)] for axis in (0, 1)]
        lookups = [_pair_bins_lookup(pair.bins[axis], mains[axis].bins[0]) for axis in (0, 1)]
        _purify_pair(pair, _measure(pair, measure), mains, lookups)
    for term in (t for t in edited.terms_ if not t.is_pair):
        mean = weighted_mean(term.scores, term.weights)
        term.scores = term.scores - mean
        edited.intercept_ = edited.intercept_ + mean
    if np.ndim(edited.intercept_) == 0:
        edited.intercept_ = float(edited.intercept_)
    details = {"measure": measure if isinstance(measure, str) else "custom",
               "pairs": [p.name for p in purified]}
    return _logged(edited, "purify", None, reason, details)


def remove_terms(model, terms, *, reason=""):
    """Drop terms (names or indices). Terms are centred, so the average link-scale score
    (log-odds for a classifier; not the average probability) is kept."""
    edited = _copy(model)
    indices = sorted({find_term(edited, t) for t in _as_list(terms)})
    names = [edited.terms_[i].name for i in indices]
    edited.terms_ = [t for i, t in enumerate(edited.terms_) if i not in indices]
    return _logged(edited, "remove_terms", names, reason, {})


def scale_term(model, term, factor, *, reason=""):
    """Multiply a term's scores (and its standard deviations, by |factor|)."""
    edited = _copy(model)
    target = edited.terms_[find_term(edited, term)]
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
        raise ValueError(f"scale_term {target.name!r}: factor must be one number, got "
                         f"{factor!r}.")
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        scaled = target.scores * factor
    if not np.isfinite(factor) or not np.isfinite(scaled).all():
        raise ValueError(f"scale_term {target.name!r}: factor must be a finite number that "
                         f"keeps the scores finite, got {factor!r}.")
    target.scores = scaled
    target.stds = target.stds * abs(factor)
    return _logged(edited, "scale_term", target.name, reason, {"factor": float(factor)})


def set_term_scores(model, term, scores, *, bins=None, between=None, reason=""):
    """Overwrite scores of a term: all of them, chosen `bins` (indices or a boolean mask), or the
    value bins of a continuous main effect lying inside `between=(low, high)`.

    An expert's correction of a region of a shape, e.g. flattening a counter-causal drop:
    `set_term_scores(m, "creatinine", level, between=(5, None), reason=...)`. The term is not
    re-centred, so the values set are exactly the values used, and their standard deviations
    become 0 (a value set by hand has no spread over bags). The log records the bins changed
    (bin indices, or [row, column] cells of a pair) with their previous and new scores.
    """
    edited = _copy(model)
    target = edited.terms_[find_term(edited, term)]
    if bins is not None and between is not None:
        raise ValueError("Give bins or between, not both.")
    if between is not None:
        if (isinstance(between, (str, bytes)) or np.ndim(between) != 1 or len(between) != 2
                or not all(b is None or (isinstance(b, numbers.Real) and not isinstance(b, bool))
                           for b in between)
                or (None not in between and between[0] > between[1])):
            raise ValueError(f"set_term_scores {target.name!r}: between is a (low, high) pair "
                             "of numbers, low <= high, None for an open end, e.g. "
                             f"between=(60, None); got {between!r}.")
        bins = _bins_between(target, *between)
    new = target.scores.copy()
    scores = np.asarray(scores, dtype=np.float64)
    if not np.isfinite(scores).all():
        raise ValueError(f"set_term_scores {target.name!r}: scores must be finite numbers "
                         "(a missing or infinite score has no prediction).")
    try:
        chosen = new if bins is None else new[bins]
    except IndexError as error:
        raise ValueError(f"set_term_scores {target.name!r}: bins {bins!r} do not index its "
                         f"{new.shape[:len(target.bin_shape)]} bins ({error}).") from None
    try:
        chosen = np.broadcast_to(scores, chosen.shape)
    except ValueError:
        raise ValueError(f"set_term_scores {target.name!r}: {scores.shape} scores do not fit the "
                         f"{chosen.shape} scores chosen (the term's {new.shape}, by bins or "
                         "between); give one number, or one per chosen score.") from None
    if bins is None:
        new[...] = chosen
    else:
        new[bins] = chosen
    changed = (new != target.scores).reshape(target.bin_shape + (-1,)).any(axis=-1)
    details = {"bins": [c.tolist() if target.is_pair else int(c[0])
                        for c in np.argwhere(changed)],
               "between": list(between) if between else None,
               "previous": target.scores[changed].tolist(), "scores": new[changed].tolist()}
    target.scores = new
    target.stds = np.where(changed.reshape(changed.shape + (1,) * (new.ndim - changed.ndim)),
                           0.0, target.stds)
    return _logged(edited, "set_term_scores", target.name, reason, details)


# --------------------------------------------------------------------------------------------------


def _copy(model):
    require_terms(model, "Editing")
    edited = copy.deepcopy(model)
    edited.edit_log_ = list(getattr(model, "edit_log_", []))
    return edited


def _logged(model, edit, term, reason, details):
    model.edit_log_.append({"edit": edit, "term": term, "reason": reason,
                            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            "details": details})
    return model


def _as_list(items):
    return [items] if isinstance(items, (str, int, np.integer)) else list(items)


def _main_of(model, pair, axis):
    """Index of the main effect of the pair's feature on `axis`; one is added (zero scores, on
    the pair's bins for that feature) when the model has none."""
    feature = pair.features[axis]
    index = term_of(model, feature)
    if index is not None:
        return index
    weights = pair.weights.sum(axis=1 - axis)
    counts = pair.counts.sum(axis=1 - axis)
    shape = weights.shape + pair.scores.shape[2:]
    model.terms_.append(Term(model.features_[feature].name, (feature,), (pair.bins[axis],),
                             np.zeros(shape), np.zeros(shape), counts, weights))
    return len(model.terms_) - 1


def _weighted_isotonic(values, weights, increasing):
    """Isotonic fit on bins with weight; weightless bins copy their nearest weighted neighbour
    (when no bin has weight, all weigh the same, so the result is monotone all the same)."""
    fitted = values.copy()
    has_data = weights > 0
    if not has_data.any():
        weights, has_data = np.ones_like(values), np.ones(len(values), dtype=bool)
    fitted[has_data] = isotonic_regression(values[has_data], sample_weight=weights[has_data],
                                           increasing=increasing)
    positions = np.flatnonzero(has_data)
    nearest = positions[np.clip(np.searchsorted(positions, np.arange(len(values))), 0,
                                len(positions) - 1)]
    fitted[~has_data] = fitted[nearest[~has_data]]
    return fitted


def _measure(pair, measure):
    if isinstance(measure, str):
        if measure == "training":
            return pair.weights
        if measure == "marginals":
            total = pair.weights.sum()
            return (np.outer(pair.weights.sum(axis=1), pair.weights.sum(axis=0)) / total
                    if total > 0 else pair.weights)
        if measure == "uniform":
            return np.ones(pair.bin_shape)
        raise ValueError(f"measure must be one of {MEASURES} or an array, got {measure!r}.")
    weights = np.asarray(measure, dtype=float)
    if weights.shape != pair.bin_shape or (weights < 0).any():
        raise ValueError(f"measure must be non-negative with the pair's shape {pair.bin_shape}.")
    return weights


def _pair_bins_lookup(pair_bins, main_bins):
    """Main-effect bin -> pair bin; an error if the pair's bins do not nest in the main ones."""
    lookup = pair_bins.lookup_from(main_bins)
    if lookup is None:
        raise ValueError("A pair's bins do not nest inside its feature's main-effect bins, so "
                         "its marginal cannot be moved into the main effect exactly.")
    return lookup


def _purify_pair(pair, weights, mains, lookups, tol=1e-12, max_sweeps=1000):
    """Alternately move the pair's weighted means over each axis into that axis' main effect
    until they vanish (alternating projections converge for any non-negative weights)."""
    w = weights.reshape(weights.shape + (1,) * (pair.scores.ndim - 2))
    for _ in range(max_sweeps):
        largest = 0.0
        for axis in (0, 1):
            total = w.sum(axis=1 - axis)
            weighted = (pair.scores * w).sum(axis=1 - axis)
            mean = np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0)
            pair.scores = pair.scores - np.expand_dims(mean, 1 - axis)
            mains[axis].scores = mains[axis].scores + mean[lookups[axis]]
            largest = max(largest, float(np.abs(mean).max()))
        if largest < tol:
            return


def _bins_between(term, low, high):
    """The value bins of a continuous main effect lying inside [low, high]; when none does, an
    error naming the bins that straddle a bound and the edges to use instead."""
    if term.is_pair:
        raise ValueError(f"between= selects value bins of a continuous main effect; {term.name!r} "
                         "is a pair: pass bins= (its cells' indices or a boolean mask).")
    if term.bins[0].kind != "continuous":
        raise ValueError(f"between= selects value bins of a continuous main effect; {term.name!r} "
                         "is categorical: pass bins=, a mask over its bins, e.g. "
                         "bins=[label in ('a', 'b') for label in term.bins[0].labels()] for "
                         "categories a and b.")
    edges = term.bins[0].edges
    lower = np.concatenate([[-np.inf], edges])
    upper = np.concatenate([edges, [np.inf]])
    low = -np.inf if low is None else low
    high = np.inf if high is None else high
    inside = np.flatnonzero((lower >= low) & (upper <= high)) + 1
    if len(inside) == 0:
        raise ValueError(f"No value bin lies inside [{low:.6g}, {high:.6g}]"
                         + _straddling(lower, upper, low, high) + ".")
    return inside


def _straddling(lower, upper, low, high):
    """Which bins straddle the bounds of `between`, and the bounds on bin edges to use instead."""
    notes, choices = [], []
    for bound in (low, high):
        at = np.flatnonzero((lower < bound) & (bound < upper))
        if len(at):
            a, b = lower[at[0]], upper[at[0]]
            notes.append(f"the bin [{a:.6g}, {b:.6g}) straddles {bound:.6g}")
            choices.append((a, b))
        else:
            choices.append((bound,))
    usable = [(lo, hi) for lo in choices[0] for hi in choices[1]
              if ((lower >= lo) & (upper <= hi)).any()]
    if usable:
        notes.append("use between=" + " or ".join(_between(option) for option in usable))
    return ": " + "; ".join(notes) if notes else ""


def _between(bounds):
    return "(" + ", ".join("None" if np.isinf(v) else f"{v:.6g}" for v in bounds) + ")"
