"""A predicting additive model assembled from its pieces, without fitting.

`build_model` is the one way to make a model from an intercept and terms: terms taken from another
glassbox model, edited by hand, imported from another library or read from a file. The result
predicts, explains, plots, edits and saves like a fitted estimator.
"""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._additive import AdditiveModel, LogitClassifierMixin
from ._losses import CLASSIFIER_LINKS, check_link, inverse_link
from .terms import validate_model


class _Assembled(AdditiveModel):
    """An additive model whose terms were given, not learned: it has no training procedure."""

    def fit(self, X, y=None, sample_weight=None):
        raise TypeError(f"{type(self).__name__} is assembled from terms by build_model and "
                        "cannot be fitted; fit a glassbox estimator (BoostedGAMClassifier, "
                        "BoostedGAMRegressor, ...) to learn terms from data.")


class AdditiveClassifier(LogitClassifierMixin, _Assembled):
    """A classifier made of given terms: log-odds (link "logit", two classes) or one logit per
    class (link "softmax"). Made by `build_model`."""

    def decision_function(self, X):
        """Raw scores: log-odds of the positive class, or one logit per class."""
        return self._raw(X)


class AdditiveRegressor(RegressorMixin, _Assembled):
    """A regressor made of given terms; the prediction is the raw score ("identity") or its
    exponential ("log"). Made by `build_model`.

    Parameters
    ----------
    link : {"identity", "log"}, default="identity"
    """

    def __init__(self, link="identity"):
        self.link = link

    @property
    def link_(self):
        check_is_fitted(self)
        return self.link

    def predict(self, X):
        """Predicted means: the inverse link of the raw score."""
        return inverse_link(self.link_, self._raw(X))


def build_model(features, terms, intercept, *, link, classes=None, edit_log=(), provenance=None,
                feature_names_in=None):
    """A fitted, predicting additive model from its pieces, without fitting.

    Parameters
    ----------
    features : list of terms.Feature
        One per input column, in the column order of prediction data.
    terms : list of terms.Term
        The model holds these objects (not copies); each term's bins must be its feature's bins
        or a coarsening of them.
    intercept : float or array of shape (n_classes,)
        One value per class for link "softmax".
    link : {"logit", "softmax", "identity", "log"}
        The scale the terms add up on (see `glassbox.terms`).
    classes : array-like, optional
        The class labels of a classifier (2 for "logit", at least 3 for "softmax"), in the order
        of the scores' class axis; None for a regressor.
    edit_log : sequence of dict, optional
        Edits already made to the terms (as `glassbox.edit` records them).
    provenance : dict, optional
        Where the terms came from, e.g. {"library": "interpret", "version": "0.6.2",
        "estimator": "ExplainableBoostingClassifier", "date": "2025-01-31"}. Default: glassbox
        and the class of the model built.
    feature_names_in : list of str, optional
        Column names the model reads from a DataFrame (matched by name); without them
        DataFrame columns are read by position, as for an array.

    Returns
    -------
    AdditiveClassifier or AdditiveRegressor
        Fitted (scikit-learn's `check_is_fitted` passes), with `features_`, `terms_`,
        `intercept_`, `link_`, `classes_` (classifiers), `edit_log_`, `provenance_`,
        `n_features_in_` and `feature_names_in_` (when given). The pieces are checked by
        `terms.validate_model`.
    """
    check_link(link)
    if link in CLASSIFIER_LINKS:
        if classes is None:
            raise ValueError(f"link {link!r} makes a classifier: give its classes.")
        model = AdditiveClassifier()
        model.classes_ = np.asarray(classes)
        if model.link_ != link:  # a classifier's link follows from its number of classes
            raise ValueError(f"link {link!r} needs {'2' if link == 'logit' else 'at least 3'} "
                             f"classes, got {len(classes)}.")
    else:
        if classes is not None:
            raise ValueError(f"link {link!r} makes a regressor, which has no classes.")
        model = AdditiveRegressor(link=link)
    model.features_ = list(features)
    model.terms_ = list(terms)
    model.intercept_ = (float(intercept) if np.ndim(intercept) == 0
                        else np.asarray(intercept, dtype=float))
    model.edit_log_ = [dict(entry) for entry in edit_log]
    if provenance is not None:
        model.provenance_ = provenance
    model.n_features_in_ = len(model.features_)
    if feature_names_in is not None:
        model.feature_names_in_ = np.asarray(feature_names_in, dtype=object)
    return validate_model(model)
