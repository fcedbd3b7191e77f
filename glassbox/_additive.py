"""What every additive glassbox model shares once fitted: preparing prediction data, scoring
through its terms, explanations, importances and how it presents itself.

A subclass sets `features_` (`terms.Feature` per input column), `terms_` and `intercept_`; the
estimators add their own `fit` and output link.
"""

import sys
import time
import warnings

import numpy as np
import pandas as pd
from joblib import Parallel
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils import estimator_html_repr
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._tabular import CATEGORICAL, as_kind, table_columns, target_array
from .display import html_summary, summary_frame
from .explain import explain_frame, importances
from .terms import BinnedColumns


class UnseenValueWarning(UserWarning):
    """Prediction data holds a category, or a missing value, that training never saw."""


class AdditiveModel(BaseEstimator):
    """Base of the glassbox estimators whose fitted state is the terms structure."""

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

    def _training_data(self, X, y, sample_weight):
        """Feature names and raw columns of X, and validated sample weights."""
        names, columns = table_columns(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        if names is None:
            names = [f"x{j}" for j in range(len(columns))]
        if len(columns[0]) != len(y):
            raise ValueError("Found input variables with inconsistent numbers of samples: "
                             f"[{len(columns[0])}, {len(y)}].")
        sample_weight = _check_sample_weight(sample_weight, columns[0], ensure_non_negative=True)
        if not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")
        return names, columns, sample_weight

    def _prediction_columns(self, X):
        """X's columns in the fitted order and kinds (matched by name for a DataFrame)."""
        check_is_fitted(self)
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"X is missing the column(s) {missing} the model was fitted on.")
            _, columns = table_columns(X, select=self.feature_names_in_)
        else:
            _, columns = table_columns(X)
            validate_data(self, X, skip_check_array=True, reset=False)
        return [as_kind(c, f.kind, f.name) for c, f in zip(columns, self.features_)]

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
                values = sorted({str(v) for v in np.asarray(column, dtype=object)[unseen]})[:5]
                notes.append(f"{feature.name!r}: unseen categories {values}")
            if not feature.has_missing and (codes == 0).any():
                notes.append(f"{feature.name!r}: missing values (none in training)")
        if notes:
            warnings.warn("Prediction data holds values training never saw; their terms score 0 "
                          "(the feature's average effect): " + "; ".join(notes),
                          UnseenValueWarning, stacklevel=3)

    def _raw(self, X):
        binned = self._binned(X)
        raw = np.zeros((len(binned.columns[0]),) + np.shape(self.intercept_))
        raw += self.intercept_
        for term in self.terms_:
            term.add_to(binned, raw)
        return raw

    def explain(self, X):
        """Per-row contributions of every term (link scale) as a DataFrame.

        The contributions of a row plus `intercept_` equal the model's raw score for that row
        (`decision_function` of a classifier, the link-scale prediction of a regressor).
        Multiclass models give one column per (class, term).
        """
        binned = self._binned(X)
        index = X.index if isinstance(X, pd.DataFrame) else None
        return explain_frame(self.terms_, binned, getattr(self, "classes_", None), index)

    def term_importances(self):
        """Mean absolute contribution of each term over the training data, largest first."""
        check_is_fitted(self)
        return importances(self.terms_)

    def summary(self):
        """One row per term, most important first (kind, types, bins, importance, score
        range, whether missing values are scored): the script-side view of `_repr_html_`."""
        check_is_fitted(self)
        return summary_frame(self)

    def _html_repr(self):
        """In a notebook, a fitted model shows its terms, importances and small inline shapes;
        an unfitted one shows scikit-learn's estimator diagram."""
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


class LogitClassifierMixin(ClassifierMixin):
    """Class encoding at fit, and probabilities and labels from `decision_function` (the
    log-odds of the positive class, or one logit per class)."""

    def _encode_classes(self, y):
        """Set `classes_`; y as float class indices."""
        y = target_array(y)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"The target needs at least two classes; got {len(self.classes_)} "
                             "class(es).")
        return encoded.astype(np.float64)

    def predict_proba(self, X):
        raw = self.decision_function(X)
        if raw.ndim == 1:
            p = 1.0 / (1.0 + np.exp(-raw))
            return np.column_stack([1.0 - p, p])
        shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict(self, X):
        raw = self.decision_function(X)
        index = (raw > 0).astype(np.intp) if raw.ndim == 1 else raw.argmax(axis=1)
        return self.classes_[index]
