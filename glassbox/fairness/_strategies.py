"""The invariance strategies as scikit-learn meta-estimators sharing one interface.

A strategy wraps an estimator and the names (or array positions) of the sensitive features. It
is fitted on an X that holds the sensitive columns; its predictions do not depend on their
values, and it predicts from X with or without them.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._losses import class_log_probabilities, class_probabilities, inverse_link
from .._tabular import outside_stacklevel
from ._clean import clean
from ..terms import model_link
from ._sensitive import SensitiveColumns, logits, tabular

MAX_REFERENCE = 100
"""Most combinations of sensitive values `TestTimeBlind` averages over; beyond it, a fixed sample
of that many training rows stands for the training distribution."""


def _inner_has(method):
    def check(self):
        return hasattr(self.estimator, method)
    return check


class _Strategy(MetaEstimatorMixin, BaseEstimator):
    """Fitting with the sensitive columns and predicting without depending on them."""

    def __init__(self, estimator, sensitive_features):
        self.estimator = estimator
        self.sensitive_features = sensitive_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.input_tags = inner.input_tags
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags = inner.target_tags
        # predictions that ignore a feature can score below scikit-learn's bar on its checks'
        # data, where every feature is informative
        for role in (tags.classifier_tags, tags.regressor_tags):
            if role is not None:
                role.poor_score = True
        return tags

    def _expected_failed_checks(self):
        """scikit-learn checks failed by design: those of the wrapped estimator."""
        inner = getattr(self.estimator, "_expected_failed_checks", None)
        return dict(inner()) if inner else {}

    def fit(self, X, y, sample_weight=None):
        """Fit on X holding the sensitive columns (and the targets y)."""
        if self.estimator is None:
            raise ValueError("estimator is None; give the estimator to make invariant.")
        X = tabular(X)
        self.columns_ = SensitiveColumns(X, self.sensitive_features, type(self).__name__)
        self.n_features_in_ = self.columns_.n_columns
        if self.columns_.frame:
            self.feature_names_in_ = np.asarray(self.columns_.names, dtype=object)
        rest, sensitive = self.columns_.split(X, required=True)
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        self._fit(X, rest, sensitive, y, fit_params)
        return self

    def _estimator_without_sensitive(self):
        """A clone of the estimator to fit on X without the sensitive columns: its settings
        that name features (`categorical_features`, `interactions`, `monotonic_cst`) may not
        name a sensitive column (an error saying so, rather than the estimator reporting an
        unknown feature), and their column positions, given in the X this strategy is fitted
        on, are moved to the positions of the columns left."""
        estimator = clone(self.estimator)
        params = estimator.get_params(deep=False)
        moved = {name: self._without_sensitive(name, params[name])
                 for name in ("interactions", "monotonic_cst", "categorical_features")
                 if name in params}
        return estimator.set_params(**moved)

    def _without_sensitive(self, name, value):
        """One feature-naming setting with its positions moved past the sensitive columns."""
        columns = self.columns_
        n, sensitive = columns.n_columns, set(columns.positions)

        def move(key):
            if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
                if not -n <= key < n:
                    return key  # the estimator says it is out of range
                position = int(key) % n
                if position in sensitive:
                    refuse([columns.names[position] if columns.frame else position])
                return position - sum(p < position for p in sensitive)
            if isinstance(key, str) and key in columns.labels:
                refuse([key])
            return key

        def refuse(named):
            raise ValueError(f"{type(self).__name__} fits the estimator without {named}, but its "
                             f"{name} names them; leave them out of {name}.")

        if isinstance(value, dict):
            return {move(key): direction for key, direction in value.items()}
        if value is None or isinstance(value, (str, int, float, np.integer, np.floating)):
            return value
        items = list(value)
        mask = len(items) == n and all(isinstance(v, (bool, np.bool_)) for v in items)
        if name == "monotonic_cst" or mask:  # one entry per column
            if len(items) != n:
                return value  # the estimator says what is wrong with its length
            named = [p for p in sorted(sensitive) if items[p] and not mask]
            if named:
                refuse([columns.names[p] if columns.frame else p for p in named])
            return [v for j, v in enumerate(items) if j not in sensitive]
        return [tuple(move(k) for k in item) if isinstance(item, (tuple, list)) else move(item)
                for item in items]

    def _fit_full(self, X, y, fit_params):
        """The wrapped estimator fitted with the sensitive columns."""
        return clone(self.estimator).fit(X, y, **fit_params)

    @property
    def classes_(self):
        check_is_fitted(self, "columns_")
        return self._predictor.classes_

    def _link(self):
        return model_link(self._predictor)

    def _additive(self):
        """The additive model that gives this strategy's predictions from X without the
        sensitive columns, or None when its predictions are not one additive model's."""
        check_is_fitted(self, "columns_")
        return self.estimator_ if hasattr(self.estimator_, "terms_") and \
            self._predicts_from_rest else None

    _predicts_from_rest = True

    def _rest(self, X):
        check_is_fitted(self, "columns_")
        return self.columns_.split(tabular(X))[0]

    def _raw(self, X):
        """Link-scale scores that do not depend on the sensitive values."""
        rest = self._rest(X)
        return logits(self._predictor, rest)

    @available_if(_inner_has("predict"))
    def predict(self, X):
        """Predictions from X with or without the sensitive columns."""
        raw = self._raw(X)
        link = self._link()
        if link == "logit":
            return self.classes_[(raw > 0).astype(np.intp)]
        if link == "softmax":
            return self.classes_[raw.argmax(axis=1)]
        return inverse_link(link, raw)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from X with or without the sensitive columns."""
        raw = self._raw(X)
        return class_probabilities(self._link(), raw)

    @available_if(_inner_has("predict_proba"))
    def predict_log_proba(self, X):
        """Logarithms of `predict_proba`, computed from the raw scores."""
        raw = self._raw(X)
        return class_log_probabilities(self._link(), raw)

    @available_if(_inner_has("predict_proba"))
    def decision_function(self, X):
        """Log-odds (binary) or one logit per class, not depending on the sensitive values."""
        return self._raw(X)

    def score(self, X, y, sample_weight=None):
        """Accuracy for a classifier, R² for a regressor (as scikit-learn's mixins)."""
        metric = accuracy_score if is_classifier(self) else r2_score
        return metric(y, self.predict(X), sample_weight=sample_weight)


class DropSensitive(_Strategy):
    """Fit the estimator without the sensitive columns.

    The simplest promise, and the weakest: the model never reads the sensitive features, but
    features correlated with them (proxies) can carry their signal, often more of it than with
    the sensitive features present (see `gap_decomposition`).

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn estimator.
    sensitive_features : str, int or list
        Column names (or positions, for an array X).

    Attributes
    ----------
    estimator_ : the estimator fitted on X without the sensitive columns.
    """

    def _fit(self, X, rest, sensitive, y, fit_params):
        self.estimator_ = self._estimator_without_sensitive().fit(rest, y, **fit_params)

    @property
    def _predictor(self):
        return self.estimator_


class TrainThenClean(_Strategy):
    """Fit with the sensitive columns, then remove what was learned from them.

    The other shapes are estimated while adjusting for the sensitive features; then
    `glassbox.fairness.clean` purifies every pair involving a sensitive feature and drops the
    sensitive terms. The result (`estimator_`) is an ordinary glass-box model without those
    terms: it plots, explains, edits and saves like any other, and its edit log records the
    cleaning. A model that is not additive (a full MonotonicNet) has no terms to drop: it is
    marginalised over the training distribution of the sensitive features instead (as
    `TestTimeBlind`), with a warning, and `method_` says which was done.

    Parameters
    ----------
    estimator : estimator
    sensitive_features : str, int or list
    measure : {"marginals", "training", "uniform"}, default="marginals"
        Purification measure (see `glassbox.edit.purify`). With the training marginals the
        cleaned model equals `TestTimeBlind(reference="marginal")` exactly.

    Attributes
    ----------
    full_estimator_ : the estimator fitted with the sensitive columns.
    estimator_ : the cleaned model (additive estimators), else the full one.
    method_ : "clean" or "marginalise".
    """

    def __init__(self, estimator, sensitive_features, *, measure="marginals"):
        super().__init__(estimator, sensitive_features)
        self.measure = measure

    def _fit(self, X, rest, sensitive, y, fit_params):
        self.full_estimator_ = self._fit_full(X, y, fit_params)
        if hasattr(self.full_estimator_, "terms_"):
            self.method_ = "clean"
            self.estimator_ = clean(self.full_estimator_, self.columns_.labels,
                                    measure=self.measure)
            return
        self.method_ = "marginalise"
        warnings.warn(f"{type(self.full_estimator_).__name__} is not additive, so it has no "
                      "sensitive terms to remove: TrainThenClean marginalises it over the "
                      "training distribution of the sensitive features instead (as "
                      "TestTimeBlind(reference='marginal')).", UserWarning,
                      stacklevel=outside_stacklevel())
        self.estimator_ = self.full_estimator_
        self.reference_ = _reference_distribution(sensitive, fit_params)

    @property
    def _predictor(self):
        return self.estimator_

    @property
    def _predicts_from_rest(self):
        return self.method_ == "clean"

    def _raw(self, X):
        rest = self._rest(X)
        if self.method_ == "clean":
            return logits(self.estimator_, rest)
        return _averaged_logits(self, rest)


class TestTimeBlind(_Strategy):
    """Fit with the sensitive columns; at prediction, neutralise them.

    `reference="marginal"` (default) averages the link-scale score over the training
    distribution of the sensitive features (their distinct training combinations, weighted by
    sample weight; a fixed sample of `MAX_REFERENCE` training rows when there are more). A dict
    ({feature: value}), or one value for a single sensitive feature, sets them to that value
    for everyone instead.

    Parameters
    ----------
    estimator : estimator
    sensitive_features : str, int or list
    reference : "marginal", dict or value, default="marginal"

    Attributes
    ----------
    estimator_ : the estimator fitted with the sensitive columns.
    reference_ : DataFrame of the sensitive values averaged over, with a "weight" column.
    """

    __test__ = False  # not a pytest test class, whatever its name says
    _predicts_from_rest = False

    def __init__(self, estimator, sensitive_features, *, reference="marginal"):
        super().__init__(estimator, sensitive_features)
        self.reference = reference

    def _fit(self, X, rest, sensitive, y, fit_params):
        self.estimator_ = self._fit_full(X, y, fit_params)
        if isinstance(self.reference, str) and self.reference == "marginal":
            self.reference_ = _reference_distribution(sensitive, fit_params)
            return
        labels = self.columns_.labels
        values = self.reference if isinstance(self.reference, dict) else (
            {labels[0]: self.reference} if len(labels) == 1 else None)
        if values is None or set(values) != set(labels):
            raise ValueError(f"reference must be 'marginal' or give a value for each sensitive "
                             f"feature {labels} (a dict), got {self.reference!r}.")
        for label in labels:
            seen = pd.unique(sensitive[label].dropna())
            numeric = pd.api.types.is_numeric_dtype(sensitive[label].dropna().infer_objects())
            if values[label] not in set(seen) and not (
                    numeric and isinstance(values[label], (int, float, np.number))):
                hint = (" (for the training distribution, reference='marginal')"
                        if isinstance(self.reference, str) else "")
                listed = ", ".join(map(repr, sorted(map(str, seen))))
                raise ValueError(f"reference: {values[label]!r} is not a value of {label!r} "
                                 f"seen in training ({listed}){hint}.")
        self.reference_ = pd.DataFrame([{**{k: values[k] for k in labels}, "weight": 1.0}])

    @property
    def _predictor(self):
        return self.estimator_

    def _raw(self, X):
        return _averaged_logits(self, self._rest(X))


def _reference_distribution(sensitive, fit_params):
    """The training distribution of the sensitive values: distinct combinations and their
    weight shares (or a fixed sample of MAX_REFERENCE rows drawn by weight when there are
    more)."""
    weight = np.asarray(fit_params.get("sample_weight", np.ones(len(sensitive))), dtype=float)
    frame = sensitive.reset_index(drop=True).astype(object)
    keys = frame.where(frame.notna(), None).apply(tuple, axis=1)
    totals = pd.Series(weight).groupby(keys.to_numpy(), sort=False).sum()
    totals = totals[totals > 0]
    if len(totals) > MAX_REFERENCE:
        rows = np.random.default_rng(0).choice(len(weight), MAX_REFERENCE, replace=False,
                                               p=weight / weight.sum())
        out = frame.iloc[np.sort(rows)].reset_index(drop=True)
        out["weight"] = 1.0 / MAX_REFERENCE
        return out
    out = pd.DataFrame(list(totals.index), columns=list(frame.columns))
    out["weight"] = totals.to_numpy() / totals.sum()
    return out


def _averaged_logits(strategy, rest):
    """The fitted estimator's link-scale score with the sensitive columns set to every reference
    combination in turn, averaged with the reference weights."""
    total = None
    labels = strategy.columns_.labels
    for row in strategy.reference_.itertuples(index=False):
        values = [np.nan if v is None else v for v in row[:len(labels)]]
        raw = logits(strategy.estimator_, strategy.columns_.rebuild(rest, values))
        part = row[len(labels)] * raw
        total = part if total is None else total + part
    return total
