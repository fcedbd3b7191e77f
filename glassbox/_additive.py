"""What glassbox estimators share once fitted, in two layers.

`TabularModel` is the plumbing of every glassbox estimator: training and prediction columns,
warnings about values training never saw, scikit-learn tags, the parallel runner, the link and
provenance, and the per-family hook of the JSON format. `AdditiveModel` adds what a model made of
terms does (the contract of `glassbox.terms`): scoring through its terms, explanations,
importances and the summary. A subclass sets `features_` (`terms.Feature` per input column),
`terms_` and `intercept_`; the estimators add their own `fit` and output link.

The functions `raw_scores`, `explain`, `term_importances` and `summary` are that terms-based
behaviour for any model carrying the contract, so an estimator that is additive only in some
configurations (a monotonic network with `additive=True`) uses them without inheriting them.
"""

import numbers
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module

import numpy as np
import pandas as pd
from joblib import Parallel, effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils import check_random_state, estimator_html_repr
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._binning import fit_bins
from ._boosting import make_bag
from ._losses import LOSSES, class_log_probabilities, class_probabilities, link_of
from ._tabular import (CATEGORICAL, as_kind, check_class_rows, class_labels,
                       monotone_directions, outside_stacklevel, refuse_pair_names,
                       resolve_categorical, table_columns, warn_repeated_rows)
from .display import html_summary, summary_frame
from .explain import explain_frame, importances
from .terms import BinnedColumns, Feature, require_terms

_FAMILIES = {}


class UnseenValueWarning(UserWarning):
    """Prediction data holds a category, or a missing value, that training never saw."""


def _as_text(value):
    """A category as the warning shows it: a whole number without ".0" (an integer column's
    categories are held as floats)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _unseen_note(feature, values):
    """What the unseen-value warning says of a categorical feature's unseen `values`, with a
    hint when one reads as a training category of another type (100 against "100")."""
    distinct = pd.unique(pd.Series(values, dtype=object))
    shown = sorted({_as_text(v) for v in distinct})
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    note = f"{feature.name!r}: unseen categories {shown[:5]}{more}"
    texts = {_as_text(c): c for c in feature.bins.categories}
    retyped = [v for v in distinct if _as_text(v) in texts]
    if retyped:
        here, there = retyped[0], texts[_as_text(retyped[0])]
        note += (f" ({len(retyped)} of them a training category but for its type: "
                 f"{_typed(here)} here, {_typed(there)} in training; give the column one type "
                 "in training and prediction: text read as written, e.g. pd.read_csv(path, "
                 "dtype={column: str}), as numbers turned back into text lose leading zeros "
                 "such as 012)")
    return note


def _typed(value):
    """A category with its type in words: the number 0, the text '0'."""
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    return f"the number {_as_text(value)}"


_unseen = threading.local()


@contextmanager
def collect_unseen():
    """Within the block, this thread's unseen-value warnings go into the yielded list instead of
    being issued, so a caller scoring many pieces of one table can warn once for all of them."""
    outer = getattr(_unseen, "messages", None)
    messages = []
    _unseen.messages = messages
    try:
        yield messages
    finally:
        _unseen.messages = outer


def model_class(name):
    """The glassbox estimator class of a given name (how the JSON format finds a family)."""
    if name not in _FAMILIES and name.startswith("Dask"):
        import_module("glassbox.dask")  # registers the data-parallel estimators
    if name not in _FAMILIES:
        raise ValueError(f"Unknown estimator {name!r}; known: {sorted(_FAMILIES)}.")
    return _FAMILIES[name]


def text_labels(X, names):
    """X with its column labels as text when they are not all text and only their text matches
    `names`: an imported model names the columns of a frame labelled 0, 1, ... "0", "1", ...,
    as interpret does."""
    labels = [str(c) for c in X.columns]
    if (all(isinstance(c, str) for c in X.columns) or len(set(labels)) < len(labels)
            or not set(names) <= set(labels)):
        return X
    return X.set_axis(labels, axis=1)


@dataclass
class TrainingData:
    """What every fit starts from; see `TabularModel._training_data`."""
    names: list
    kinds: list
    columns: list
    weight: np.ndarray
    present: np.ndarray
    bins: list
    codes: np.ndarray
    features: list
    directions: np.ndarray
    bags: list


class TabularModel(BaseEstimator):
    """Base of every glassbox estimator: prediction plumbing shared by all model families."""

    _saved_attributes = ()  # fitted numbers or arrays beyond the contract that the format keeps

    _parameter_constraints = {  # the parameters `_training_data` reads, and those of every family
        "monotonic_cst": ["array-like", dict, None],
        "categorical_features": ["array-like", StrOptions({"auto"}), None],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        concrete = hasattr(cls, "predict") and not cls.__name__.startswith("_")
        if concrete and cls.__module__.startswith("glassbox."):
            _FAMILIES[cls.__name__] = cls

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags

    _expected_failures = {}  # scikit-learn check -> why this estimator fails it by design

    @classmethod
    def _expected_failed_checks(cls):
        """scikit-learn checks this estimator fails by design, each with its reason."""
        return dict(cls._expected_failures)

    def _training_data(self, X, y, sample_weight, *, n_bags, max_bins, stratify):
        """The first steps of every fit, shared by the model families: feature names and kinds
        (`categorical_features`), the columns converted to those kinds, validated sample weights,
        each feature's bins (fitted on the rows of positive weight) and codes, the monotone
        direction per feature (`monotonic_cst`), and one validation split per bag (`n_bags`, a
        number or a function of the count of rows of positive weight; stratified by `y` when
        `stratify`), all seeded from `random_state`."""
        names, columns, weight = self._validated_table(X, len(y), sample_weight)
        if callable(n_bags):
            n_bags = n_bags(int(np.count_nonzero(weight > 0)))
        kinds = resolve_categorical(self.categorical_features, names, columns)
        columns = [as_kind(c, kind, name) for c, kind, name in zip(columns, kinds, names)]
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max,
                                                              size=n_bags + 1)
        present = weight > 0
        if stratify:
            check_class_rows(self.classes_, np.bincount(y[present].astype(np.intp),
                                                        minlength=len(self.classes_)))
        if self.validation_fraction:
            warn_repeated_rows(columns, y, present)
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seeds[-1]).spawn(
            len(columns))]

        def binned(j):
            column_bins = fit_bins(columns[j][present], kinds[j], max_bins, rngs[j])
            return column_bins, column_bins.codes(columns[j])
        with ThreadPoolExecutor(max_workers=effective_n_jobs(self.n_jobs)) as pool:
            bins, columns_codes = zip(*pool.map(binned, range(len(columns))))
        codes = np.empty((len(weight), len(columns)), dtype=np.uint16, order="F")  # as boosted
        for j, column_codes in enumerate(columns_codes):
            codes[:, j] = column_codes
        return TrainingData(
            names, kinds, columns, weight, present, list(bins), codes,
            features=[Feature(name, kind, b, bool((codes[:, j] == 0)[present].any()))
                      for j, (name, kind, b) in enumerate(zip(names, kinds, bins))],
            directions=monotone_directions(self.monotonic_cst, names, kinds),
            bags=[make_bag(seed, y if stratify else None, weight, self.validation_fraction)
                  for seed in seeds[:-1]])

    def _validated_table(self, X, n_targets, sample_weight):
        """(names, raw columns, weights) of a training table, checked as scikit-learn checks
        it; sets `n_features_in_` and `feature_names_in_`."""
        names, columns = table_columns(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        if names is None:
            names = [f"x{j}" for j in range(len(columns))]
        refuse_pair_names(names)
        if len(columns[0]) != n_targets:
            raise ValueError("Found input variables with inconsistent numbers of samples: "
                             f"[{len(columns[0])}, {n_targets}].")
        weight = _check_sample_weight(sample_weight, columns[0], ensure_non_negative=True,
                                      dtype=np.float64)  # one compiled variant of the kernels
        if not weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")
        return names, columns, weight

    def _prediction_columns(self, X):
        """X's columns in the fitted order and kinds (matched by name for a DataFrame)."""
        check_is_fitted(self)
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            X = text_labels(X, self.feature_names_in_)
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"X is missing the column(s) {missing} the model was fitted on.")
            _, columns = table_columns(X, select=self.feature_names_in_)
            labels = [f.name for f in self.features_]
        else:  # matched by position: say so where a column does not fit its feature
            _, columns = table_columns(X)
            validate_data(self, X, skip_check_array=True, reset=False)
            labels = [f"{f.name} (column {j} of X, matched by position)"
                      for j, f in enumerate(self.features_)]
        return [as_kind(c, f.kind, label) for c, f, label in zip(columns, self.features_, labels)]

    def _binned(self, X):
        """The prediction data binned for the terms (`BinnedColumns`); warns about values
        training never saw."""
        binned = BinnedColumns(self._prediction_columns(X), self.features_)
        self._warn_unseen(binned)
        return binned

    def _warn_unseen(self, binned):
        notes = []
        for j, (feature, column) in enumerate(zip(self.features_, binned.columns)):
            codes = binned.codes(j, feature.bins)
            unseen = codes == feature.bins.unseen_bin if feature.kind == CATEGORICAL else None
            if unseen is not None and unseen.any():
                notes.append(_unseen_note(feature, np.asarray(column, dtype=object)[unseen]))
            if not feature.has_missing and (codes == 0).any():
                notes.append(f"{feature.name!r}: missing values (none in training)")
        if notes:
            treated = ("their terms score 0 (the feature's average effect)"
                       if hasattr(self, "terms_") else
                       "the network reads an unseen category as none of the known ones and a "
                       "missing number as the training median")
            message = (f"Prediction data holds values training never saw; {treated}: "
                       + "; ".join(notes))
            collected = getattr(_unseen, "messages", None)
            if collected is None:
                warnings.warn(message, UnseenValueWarning, stacklevel=outside_stacklevel())
            else:
                collected.append(message)

    @property
    def link_(self):
        """The scale the raw score lives on: "logit" or "softmax" for a classifier (by its
        number of classes), the link of the `loss` parameter for a regressor ("identity" for
        squared error, "log" for Poisson and Gamma)."""
        check_is_fitted(self)
        if hasattr(self, "classes_"):
            return "logit" if len(self.classes_) == 2 else "softmax"
        return link_of(LOSSES[getattr(self, "loss", "squared_error")])

    @property
    def provenance_(self):
        """Where the model came from: a dict with at least the library, its version and the
        estimator; models built or loaded from elsewhere say so (see `glassbox.build_model`)."""
        check_is_fitted(self)
        if "_provenance" in vars(self):
            return self._provenance
        from . import __version__
        return {"library": "glassbox", "version": __version__, "estimator": type(self).__name__}

    @provenance_.setter
    def provenance_(self, value):
        self._provenance = dict(value)

    def _family_state(self):
        """What this family needs to predict beyond the contract, as JSON-ready data (the JSON
        format's per-family hook): by default the attributes named in `_saved_attributes`."""
        return {name: np.asarray(getattr(self, name)).tolist() for name in self._saved_attributes
                if hasattr(self, name)}

    def _restore_family_state(self, state):
        """Set what `_family_state` wrote (after the contract's attributes are set)."""
        for name in self._saved_attributes:
            if name in state:
                value = np.asarray(state[name])
                setattr(self, name, value if value.ndim else value.item())

    def _html_repr(self):
        """In a notebook, a fitted model made of terms shows its terms, importances and small
        inline shapes; any other shows scikit-learn's estimator diagram."""
        if hasattr(self, "terms_"):
            return html_summary(self)
        return estimator_html_repr(self)

    def _run_parallel(self, stage, started, tasks, total, unit):
        """Run independent tasks (`unit`: bags, seeds) through joblib threads, drawing a
        progress bar under `verbose`."""
        results = []
        for result in Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(tasks):
            results.append(result)
            if self.verbose:
                done = len(results)
                bar = "#" * done + "." * (total - done)
                print(f"\r[glassbox] {stage:<12} [{bar}] {done}/{total} {unit} "
                      f"{time.time() - started:7.1f} s", end="", file=sys.stderr, flush=True)
        if self.verbose:
            print(file=sys.stderr, flush=True)
        return results


# --------------------------------------------------------------------------------------------------
# terms-based behaviour, for any model carrying the contract of `glassbox.terms`
# --------------------------------------------------------------------------------------------------

def raw_scores(model, binned):
    """The intercept plus every term's score, per row of a `terms.BinnedColumns` (link scale)."""
    raw = np.zeros((len(binned.columns[0]),) + np.shape(model.intercept_))
    raw += model.intercept_
    for term in model.terms_:
        term.add_to(binned, raw)
    return raw


def explain(model, X):
    """Per-row contributions of every term of `model` (link scale) as a DataFrame."""
    require_terms(model, "explain")
    binned = model._binned(X)
    index = X.index if isinstance(X, pd.DataFrame) else None
    return explain_frame(model.terms_, binned, getattr(model, "classes_", None), index)


def term_importances(model, X=None):
    """Mean absolute contribution of each term of `model`, largest first: over the training
    data, weighted by the sample weights (from the bins' training weights), or over the rows of
    `X`, each row counting once (averaged over the classes of a multiclass model, as on the
    training data; a score all classes share in a bin moves no probability but counts here).
    The index is named "term"."""
    require_terms(model, "term_importances")
    if X is None:
        return importances(model.terms_).rename_axis("term")
    mean = model.explain(X).abs().mean()
    if hasattr(mean, "compute"):  # a Dask model's contributions of a Dask DataFrame
        mean = mean.compute()
    if len(mean) and mean.isna().all():  # contributions are finite: X had no rows
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
    if isinstance(mean.index, pd.MultiIndex):  # (class, term): mean over classes
        mean = mean.groupby(level="term", sort=False).mean()
    return (mean.rename("importance").rename_axis("term")
            .sort_values(ascending=False, kind="stable"))


def summary(model):
    """One row per term of `model`, most important first."""
    require_terms(model, "summary")
    return summary_frame(model)


class AdditiveModel(TabularModel):
    """Base of the glassbox estimators whose fitted state is the terms structure."""

    def _raw(self, X):
        return raw_scores(self, self._binned(X))

    def explain(self, X):
        """Per-row contributions of every term (link scale) as a DataFrame.

        The contributions of a row plus `intercept_` equal the model's raw score for that row
        (`decision_function` of a classifier, the link-scale prediction of a regressor).
        Multiclass models give one column per (class, term).
        """
        return explain(self, X)

    def term_importances(self, X=None):
        """Mean absolute contribution of each term over the training data (weighted by the
        sample weights of the fit), or over the rows of `X` (e.g. a test set, unweighted),
        largest first."""
        return term_importances(self, X)

    def summary(self):
        """One row per term, most important first (kind, types, bins, importance, score
        range, whether missing values are scored): the script-side view of `_repr_html_`."""
        return summary(self)


class LogitClassifierMixin(ClassifierMixin):
    """Class encoding at fit, and probabilities and labels from `decision_function` (the
    log-odds of the positive class, or one logit per class)."""

    def _encode_classes(self, y):
        """Set `classes_`; y as float class indices."""
        y = class_labels(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"The target needs at least two classes; got {len(self.classes_)} "
                             "class(es).")
        return encoded.astype(np.float64)

    def predict_proba(self, X):
        return class_probabilities(self.link_, self.decision_function(X))

    def predict_log_proba(self, X):
        return class_log_probabilities(self.link_, self.decision_function(X))

    def predict(self, X):
        raw = self.decision_function(X)
        index = (raw > 0).astype(np.intp) if raw.ndim == 1 else raw.argmax(axis=1)
        return self.classes_[index]
