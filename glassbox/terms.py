"""The vocabulary of a fitted additive model, and the contract every consumer reads.

An additive model is an intercept plus a list of terms on a link scale. A `Term` maps one feature
(a main effect) or two (a pair) to scores on the term's own bins. A fitted additive model exposes:

- `features_`: one `Feature` per input column (name, kind, main-effect `Bins`, has_missing);
- `terms_`: the `Term`s, main effects usually first;
- `intercept_`: a float, or one value per class for a "softmax" model;
- `link_`: the scale the terms add up on: "logit" (binary classifier, log-odds), "softmax"
  (multiclass, one logit per class), "identity" or "log" (regressors; the prediction is the raw
  score or its exponential);
- `classes_` (classifiers only), `edit_log_` (edits made with `glassbox.edit`), `provenance_`
  (a dict: where the model came from), `n_features_in_` and, when fitted on named columns,
  `feature_names_in_`.

Explanations, plots, edits, the anomaly finder and the JSON format read (and edits write) this
structure only, so none of them needs to know how a model was trained; `glassbox.build_model`
makes a predicting model from these pieces alone. `find_term` is the one way every consumer looks
a term up, and `validate_model` checks that the pieces fit together.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._binning import Bins
from ._kernels import add_class_scores, add_scores
from ._losses import CLASSIFIER_LINKS, check_link


@dataclass(eq=False, repr=False)
class Feature:
    """One input feature of a model: its name, kind, main-effect binning, and whether training
    saw missing values (a missing value at prediction time is then expected, not a surprise)."""

    name: str
    kind: str
    bins: Bins
    has_missing: bool

    def __repr__(self):
        return (f"Feature({self.name!r}, {self.kind!r}, bins={self.bins!r}, "
                f"has_missing={self.has_missing})")


@dataclass(eq=False, repr=False)
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
        """Add this term's score to `out`, (n_rows,) or (n_rows, n_classes), in one compiled
        pass over the rows."""
        first = binned.codes(self.features[0], self.bins[0])
        second, n_second = ((binned.codes(self.features[1], self.bins[1]), self.bin_shape[1])
                            if self.is_pair else (first, 0))
        if out.ndim == 1:
            add_scores(first, second, n_second, self.scores.ravel(), out)
        else:
            add_class_scores(first, second, n_second,
                             self.scores.reshape(-1, out.shape[1]), out)

    def __repr__(self):
        shape = tuple(b.n_bins for b in self.bins)
        classes = (f", classes={self.scores.shape[-1]}"
                   if np.ndim(self.scores) > len(self.bins) else "")
        scores = (f"scores {np.min(self.scores):.4g}..{np.max(self.scores):.4g}"
                  if np.size(self.scores) else "no scores")
        return (f"Term({self.name!r}, features={tuple(self.features)}, bins={shape}{classes}, "
                f"{scores})")

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


# --------------------------------------------------------------------------------------------------
# the contract: looking terms up, checking a model
# --------------------------------------------------------------------------------------------------

def require_terms(model, what):
    """Raise a clear TypeError unless `model` is an additive model (has `terms_`)."""
    if hasattr(model, "terms_"):
        return
    if hasattr(model, "fit") and hasattr(model, "get_params"):
        check_is_fitted(model)
    hint = (" (fit it with additive=True for one)"
            if "additive" in getattr(model, "get_params", dict)() else "")
    if hasattr(model, "steps") and hasattr(model[-1], "terms_"):  # a scikit-learn Pipeline
        hint = (" (its last step is: pass pipeline[-1], with data transformed by "
                "pipeline[:-1].transform(X))")
    raise TypeError(f"{what} needs an additive model, made of terms; this "
                    f"{type(model).__name__} has no terms_{hint}.")


def _pair_of(model, features):
    """Index of the pair term of two features given by name."""
    names = [f.name for f in model.features_]
    wanted = {names.index(f) for f in features if f in names}
    index = term_of(model, *wanted) if len(wanted) == 2 else None
    if index is None:
        pairs = [t.name for t in model.terms_ if t.is_pair]
        raise ValueError(f"The model has no pair term of {features[0]!r} and {features[1]!r}; "
                         f"its pairs are {pairs}.")
    return index


def find_term(model, key, *, what="this", main=False):
    """Index in `model.terms_` of the term given by name, by index (negative indices count from
    the end, as for a list), for a main effect by its feature's name, or for a pair by its two
    features' names (a tuple, or "a & b", in either order).

    `main=True` requires a main effect (a pair is an error naming `what` needs it).
    """
    require_terms(model, what)
    terms = model.terms_
    names = [t.name for t in terms]
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        if not -len(terms) <= key < len(terms):
            raise ValueError(f"Term index {key} is out of range for {len(terms)} terms.")
        index = int(key) % len(terms)
    elif isinstance(key, str):
        if key in names:
            index = names.index(key)
        else:
            features = [f.name for f in getattr(model, "features_", [])]
            index = term_of(model, features.index(key)) if key in features else None
            parts = key.split(" & ")
            if index is None and len(parts) == 2 and set(parts) <= set(features):
                index = _pair_of(model, tuple(parts))  # "b & a" for the pair "a & b"
            if index is None:
                pairs = [t.name for t in terms if t.is_pair and key in
                         (model.features_[f].name for f in t.features)]
                only = f" ({key!r} is only in the pairs {pairs})" if pairs else ""
                raise ValueError(f"Unknown term {key!r}{only}; the model's terms are {names}.")
    elif isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key):
        index = _pair_of(model, key)
    else:
        raise ValueError(f"Terms are given by name or index, got {key!r}.")
    if main and terms[index].is_pair:
        raise ValueError(f"{terms[index].name!r} is a pair; {what} needs a main effect.")
    return index


def term_of(model, *features):
    """Index in `model.terms_` of the term on exactly the features of these indices (a main
    effect for one, a pair in either order for two), or None."""
    wanted = sorted(features)
    for index, term in enumerate(model.terms_):
        if sorted(term.features) == wanted:
            return index
    return None


def model_link(model):
    """The link of a model's raw score: its `link_`, else (for a plain object carrying the
    terms) "logit"/"softmax" for one with `classes_` and "identity" otherwise."""
    link = getattr(model, "link_", None)
    if link is not None:
        return link
    classes = getattr(model, "classes_", None)
    if classes is None:
        return "identity"
    return "logit" if len(classes) == 2 else "softmax"


def validate_model(model):
    """Check that a model's features, terms, intercept, link and classes fit together; raise a
    ValueError naming the first term (or part) that does not. Returns the model.

    Checked: every term reads 1 or 2 distinct features in range, with one `Bins` per feature of
    that feature's kind whose bins are the feature's own or a coarsening of them (every cut a
    cut of the feature, the same categories), scores and stds of shape `bin_shape` (+ classes
    for "softmax"), counts and weights of shape `bin_shape` and non-negative, every number
    finite; the intercept a finite float, or one per class for "softmax"; classes as many as the
    link needs (2 for "logit", at least 3 for "softmax", none for a regressor); features named
    as `feature_names_in_` names their columns; no term twice (the same name and features), and
    a term named after a feature reads it (or is the pair "a & b" of features a and b).
    """
    features, terms = list(model.features_), list(model.terms_)
    link = check_link(model_link(model))
    classes = getattr(model, "classes_", None)
    if link in CLASSIFIER_LINKS:
        if classes is None:
            raise ValueError(f"A {link!r} model needs classes_.")
        needed_ok = len(classes) == 2 if link == "logit" else len(classes) >= 3
        if not needed_ok:
            raise ValueError(f"link {link!r} needs {'2' if link == 'logit' else 'at least 3'} "
                             f"classes, got {len(classes)}.")
        if len(set(np.asarray(classes).tolist())) != len(classes):
            raise ValueError(f"classes must be distinct, got {list(classes)}.")
    elif classes is not None:
        raise ValueError(f"A regressor (link {link!r}) has no classes, got {list(classes)}.")
    outputs = (len(classes),) if link == "softmax" else ()
    intercept = np.asarray(model.intercept_, dtype=float)
    if intercept.shape != outputs or not np.isfinite(intercept).all():
        raise ValueError(f"intercept_ must be finite of shape {outputs} for link {link!r}, got "
                         f"{model.intercept_!r}.")
    for j, feature in enumerate(features):
        if feature.kind != feature.bins.kind:
            raise ValueError(f"Feature {j} ({feature.name!r}) is {feature.kind} but its bins "
                             f"are {feature.bins.kind}.")
        if feature.kind == "continuous" and not _strictly_increasing(feature.bins.edges):
            raise ValueError(f"Feature {j} ({feature.name!r}): bin edges must be finite and "
                             "strictly increasing.")
    names = getattr(model, "feature_names_in_", None)
    if names is not None and len(names) != len(features):
        raise ValueError(f"feature_names_in_ names {len(names)} columns for {len(features)} "
                         "features.")
    for j, (feature, name) in enumerate(zip(features, [] if names is None else names)):
        if feature.name != name:
            raise ValueError(f"Feature {j} is named {feature.name!r} but reads the column "
                             f"{name!r} (feature_names_in_[{j}]); the two must agree.")
    by_name = {feature.name: j for j, feature in enumerate(features)}
    seen = set()
    for t, term in enumerate(terms):
        label = f"Term {t} ({term.name!r})"
        _validate_term(term, features, outputs, label)
        read = [features[f].name for f in term.features]
        if term.name in by_name and by_name[term.name] not in term.features \
                and term.name != " & ".join(read):
            raise ValueError(f"{label}: it is named after the feature {term.name!r} but reads "
                             f"{read}.")
        if (term.name, tuple(term.features)) in seen:
            raise ValueError(f"{label}: an earlier term of the same name reads the same "
                             "features; a term given twice counts them twice.")
        seen.add((term.name, tuple(term.features)))
    return model


def _validate_term(term, features, outputs, label):
    feats = tuple(term.features)
    if len(feats) not in (1, 2) or len(set(feats)) != len(feats):
        raise ValueError(f"{label}: features must be one feature or two distinct ones, got "
                         f"{feats}.")
    for f in feats:
        if not isinstance(f, (int, np.integer)) or not 0 <= f < len(features):
            raise ValueError(f"{label}: feature index {f!r} is out of range for "
                             f"{len(features)} features.")
    if len(term.bins) != len(feats):
        raise ValueError(f"{label}: {len(term.bins)} bins for {len(feats)} features.")
    for f, bins in zip(feats, term.bins):
        feature = features[f]
        if not isinstance(bins, Bins):
            raise ValueError(f"{label}: its bins on {feature.name!r} are {bins!r}, not a Bins "
                             "(use the feature's own `bins`, or a coarsening of them).")
        if bins.kind != feature.kind or bins.lookup_from(feature.bins) is None:
            raise ValueError(f"{label}: its bins on {feature.name!r} are not the feature's bins "
                             "nor a coarsening of them (every cut a cut of the feature's, the "
                             "same categories).")
    shape = tuple(b.n_bins for b in term.bins)
    for field, expected in (("scores", shape + outputs), ("stds", shape + outputs),
                            ("counts", shape), ("weights", shape)):
        value = np.asarray(getattr(term, field), dtype=float)
        if value.shape != expected:
            raise ValueError(f"{label}: {field} has shape {value.shape}, expected {expected} "
                             f"(bins {shape}{' x classes' if outputs else ''}).")
        if not np.isfinite(value).all():
            raise ValueError(f"{label}: {field} holds values that are not finite.")
        if field in ("stds", "counts", "weights") and (value < 0).any():
            raise ValueError(f"{label}: {field} holds negative values.")


def _strictly_increasing(edges):
    return bool(np.isfinite(edges).all() and (np.diff(edges) > 0).all())
