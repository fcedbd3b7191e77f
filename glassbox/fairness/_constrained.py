"""ConstrainedLoss: a boosted GAM trained to predict alike across groups, inside its own boosting.

The constraint is a proxy-Lagrangian game (Cotter et al., 2019; as in FairGBM, Cruz et al., ICLR
2023). The constrained rates (selection rate for demographic parity, true-positive rate for equal
opportunity, and also false-positive rate for equalized odds) are step functions of the scores;
their differentiable proxy is each group's mean of a sigmoid of the distance (in log-odds) to the
decision cut, which only rows near the cut can move. A multiplier per group and rate weighs the
proxy in the loss; linearised at the current scores, its gradient is fixed for a round, so each
round simply trains on shifted targets (`_boosting`'s penalty protocol) and no kernel changes.
After every round the multipliers move by the true rate gaps, beyond half the tolerance
(projected gradient ascent), and only rounds whose training rates meet the tolerance can become
the bag's best round. The result is one glass-box model that does not read the sensitive
features.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from .._calibration import logistic, logit
from .._tabular import outside_stacklevel
from ..gam import BoostedGAMClassifier
from ._sensitive import MAX_GROUPS, SMALL_GROUP, group_labels, warn_small_groups
from ._strategies import _Strategy

CONSTRAINTS = ("demographic_parity", "equal_opportunity", "equalized_odds")


class ParityPenalty:
    """One bag's parity constraint (the penalty protocol of `glassbox._boosting`).

    Parameters
    ----------
    groups : int array
        Group index of every row; groups with fewer than SMALL_GROUP training rows in a rate's
        population are left out of that rate's constraint.
    y : float array
        Class index (0/1) of every row.
    train_weight : float array
        The bag's training weights (zero for validation rows).
    constraint, threshold, capacity, tolerance, strength, step : see `ConstrainedLoss`.
    """

    def __init__(self, groups, y, train_weight, constraint, threshold, capacity, tolerance,
                 strength, step):
        self.groups, self.y = groups, y
        self.train = train_weight > 0
        self.cut = logit(threshold)
        self.capacity = capacity
        self.tolerance, self.strength, self.step = tolerance, strength, step
        n_groups = int(groups.max()) + 1
        populations = {"demographic_parity": [None], "equal_opportunity": [1.0],
                       "equalized_odds": [1.0, 0.0]}[constraint]
        self.parts = []
        for label in populations:
            rows = np.ones(len(y), bool) if label is None else y == label
            w = np.where(rows, train_weight, 0.0)
            per_group = np.bincount(groups, weights=w, minlength=n_groups)
            counted = np.bincount(groups, weights=(w > 0).astype(float), minlength=n_groups)
            self.parts.append((rows, w, per_group, counted >= SMALL_GROUP))
        self.total = train_weight.sum()
        self.up = np.zeros((len(self.parts), n_groups))
        self.down = np.zeros_like(self.up)
        self.gap = 0.0
        self.feasible = True

    def decision_cut(self, raw):
        """The log-odds at which rows are selected: the threshold's, or the score above which
        the `capacity` share of the training rows lies."""
        if self.capacity is None:
            return self.cut
        return np.quantile(raw[self.train], 1.0 - self.capacity)

    def targets(self, raw):
        """Check the constraint at the raw scores `raw`, move the multipliers, and return the
        next round's training targets."""
        cut = self.decision_cut(raw)
        decided = (raw >= cut).astype(np.float64)
        # the proxy of a decision: a sigmoid of the distance to the cut, whose slope reaches
        # only rows near the cut (a row far below it cannot buy parity by falling further)
        near = logistic(raw - cut)
        slope = near * (1.0 - near)
        shift = np.zeros(len(raw))
        worst = 0.0
        for k, (rows, w, per_group, constrained) in enumerate(self.parts):
            if constrained.sum() < 2:  # fewer than two groups to compare
                continue
            selected = np.bincount(self.groups, weights=w * decided, minlength=len(per_group))
            rates = np.divide(selected, per_group, out=np.zeros_like(selected),
                              where=constrained)
            weight = per_group[constrained].sum()
            overall = selected[constrained].sum() / weight
            excess = np.where(constrained, rates - overall, 0.0)
            worst = max(worst, rates[constrained].max() - rates[constrained].min())
            if self.tolerance is None:
                multiplier = self.strength * excess
            else:
                half = self.tolerance / 2
                self.up[k] = np.maximum(0.0, self.up[k] + self.step * (excess - half))
                self.down[k] = np.maximum(0.0, self.down[k] + self.step * (-excess - half))
                multiplier = np.where(constrained, self.up[k] - self.down[k], 0.0)
            # gradient of sum_g multiplier_g * (group mean proxy - mean proxy), per unit weight
            per_group_shift = self.total * (
                np.divide(multiplier, per_group, out=np.zeros_like(multiplier),
                          where=constrained) - multiplier.sum() / weight)
            member = rows & constrained[self.groups]
            shift[member] += per_group_shift[self.groups[member]] * slope[member]
        self.gap = worst
        self.feasible = self.tolerance is None or worst <= self.tolerance
        return self.y - shift


class ConstrainedLoss(_Strategy):
    """Train so that predictions are alike across the groups of the sensitive features.

    With a binary `BoostedGAMClassifier` the constraint acts inside its boosting (see the module
    documentation): one glass-box model results, fitted on X without the sensitive columns, so
    its predictions cannot depend on their values; only the training loss sees the groups
    (intersections of the sensitive features' values). Any other binary classifier falls back to
    fairlearn's `ExponentiatedGradient` (a randomized mixture of models, not one glass box; a
    warning says so and `method_` records it).

    Parameters
    ----------
    estimator : estimator
    sensitive_features : str, int or list
    constraint : {"demographic_parity", "equal_opportunity", "equalized_odds"}
        Equal selection rates; equal true-positive rates (false-negative-rate parity); equal
        true- and false-positive rates.
    tolerance : float or None, default=0.02
        Largest difference between the groups' rates (max − min, as fairlearn's differences)
        the training data may show; multipliers grow until it holds. None uses a fixed
        `strength` instead.
    strength : float, default=1.0
        With `tolerance=None`: the penalty weight on the rate gaps (no guarantee on the gap).
    threshold : float, default=0.5
        Probability at which a row is selected (the decision the rates count, and the one
        `predict` makes). With a rare outcome few rows reach 0.5, the rates are all near 0 and
        there is nothing to equalise (a warning says so): choose a lower threshold or a
        `capacity`.
    capacity : float or None, default=None
        Instead of a threshold: the share of rows selected, those of highest risk (a programme
        with a fixed number of places). `predict` selects the rows whose log-odds reach those of
        the training rows' cut (`decision_threshold_`).
    multiplier_step : float, default=0.5
        Step of the multipliers' ascent per boosting round.
    method : {"auto", "exponentiated_gradient"}, default="auto"
        "auto" constrains the boosting of a binary BoostedGAMClassifier and uses fairlearn's
        ExponentiatedGradient for anything else; "exponentiated_gradient" always uses it (for
        a comparison).

    Attributes
    ----------
    estimator_ : the fitted model (a BoostedGAMClassifier without the sensitive columns, or
        fairlearn's ExponentiatedGradient).
    method_ : "constrained boosting" or "exponentiated gradient".
    decision_threshold_ : float
        The probability from which `predict` selects a row: `threshold`, or with `capacity`
        the fitted model's probability at the training cut; 0.5 for the fallback, whose
        constraint is on its own class predictions.
    constraint_report_ : dict
        The groups and those constrained (groups of fewer than 30 training rows are measured
        but not constrained), the fitted model's rate gap on the training rows, and per bag the
        rounds kept. A warning says when the fitted model's training gap exceeds the
        tolerance, and the fitted model's `provenance_` records the constraint.
    """

    def __init__(self, estimator, sensitive_features, *, constraint="demographic_parity",
                 tolerance=0.02, strength=1.0, threshold=0.5, capacity=None,
                 multiplier_step=0.5, method="auto"):
        super().__init__(estimator, sensitive_features)
        self.constraint = constraint
        self.tolerance = tolerance
        self.strength = strength
        self.threshold = threshold
        self.capacity = capacity
        self.multiplier_step = multiplier_step
        self.method = method

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self):
        if self.constraint not in CONSTRAINTS:
            raise ValueError(f"constraint must be one of {CONSTRAINTS}, got {self.constraint!r}.")
        if self.tolerance is not None and not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1) or None, got {self.tolerance!r}.")
        if not 0 < self.threshold < 1:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold!r}.")
        if self.capacity is not None and not 0 < self.capacity < 1:
            raise ValueError(f"capacity must be a share in (0, 1) or None, got "
                             f"{self.capacity!r}.")
        if self.method not in ("auto", "exponentiated_gradient"):
            raise ValueError("method must be 'auto' or 'exponentiated_gradient', got "
                             f"{self.method!r}.")
        if not self.multiplier_step > 0 or not self.strength >= 0:
            raise ValueError("multiplier_step must be positive and strength non-negative, got "
                             f"{self.multiplier_step!r} and {self.strength!r}.")

    def _expected_failed_checks(self):
        groups = ("scikit-learn's check data make the sensitive column continuous, with up to "
                  "100 distinct values (or one, for a single row); a parity constraint needs "
                  f"groups, 2 to {MAX_GROUPS}, and ConstrainedLoss raises a ValueError saying "
                  "so instead of guessing bands")
        return {**super()._expected_failed_checks(), "check_decision_proba_consistency": groups,
                "check_fit2d_1sample": groups}

    def _fit(self, X, rest, sensitive, y, fit_params):
        self._check_params()
        y = column_or_1d(y, warn=True)
        if type_of_target(y, raise_unknown=True) != "binary":
            raise ValueError("Only binary classification is supported: ConstrainedLoss "
                             f"constrains the rates of one decision, got a {type_of_target(y)} "
                             "target.")
        labels = group_labels(sensitive)
        warn_small_groups(labels, None, f"their rates are not constrained (groups of at least "
                          f"{SMALL_GROUP} training rows are)")
        names, codes = np.unique(labels.to_numpy(), return_inverse=True)
        if self.method == "auto" and isinstance(self.estimator, BoostedGAMClassifier):
            self._fit_boosted(rest, y, fit_params, codes, names)
        else:
            self._fit_reduction(rest, y, fit_params, labels)

    def _fit_boosted(self, rest, y, fit_params, codes, names):
        weight = fit_params.get("sample_weight")

        def penalty(classes, bag):
            return self._penalty(codes, classes, bag.train_weight)
        self.estimator_ = self._estimator_without_sensitive()._fit_labels(rest, y, weight,
                                                                           penalty)
        self.method_ = "constrained boosting"
        classes = (y == self.estimator_.classes_[1]).astype(np.float64)
        weight = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
        check = self._penalty(codes, classes, weight)
        raw = self.estimator_.decision_function(rest)
        check.targets(raw)
        self._cut = float(check.decision_cut(raw))
        self.decision_threshold_ = (float(self.threshold) if self.capacity is None
                                    else float(logistic(self._cut)))
        constrained = [str(g) for g, keep in zip(names, check.parts[0][3]) if keep]
        self.constraint_report_ = {
            "groups": [str(g) for g in names], "constrained_groups": constrained,
            "constraint": self.constraint, "tolerance": self.tolerance,
            "training_gap": float(check.gap),
            "training_selection_rate": float(np.mean(raw >= check.decision_cut(raw))),
            "bag_rounds_kept": [int(r) for r in self.estimator_.bag_rounds_[:, 0]]}
        self.estimator_.provenance_ = {**self.estimator_.provenance_, "constraint": {
            "kind": self.constraint, "sensitive_features": [str(f) for f in self.columns_.labels],
            "tolerance": self.tolerance, "threshold": self.threshold, "capacity": self.capacity,
            "training_gap": float(check.gap)}}
        self._warn_outcome()

    def _penalty(self, codes, classes, weight):
        return ParityPenalty(codes, classes, weight, self.constraint, self.threshold,
                             self.capacity, self.tolerance, self.strength, self.multiplier_step)

    def _warn_outcome(self):
        """Warnings about a constraint that had nothing to act on or was not met."""
        report = self.constraint_report_
        rate = report["training_selection_rate"]
        if self.capacity is None and not 0.01 <= rate <= 0.99:
            warnings.warn(f"Only {rate:.1%} of the training rows reach threshold="
                          f"{self.threshold}, so every group's rates are near the same bound and "
                          "the constraint has almost nothing to act on; for a rare or common "
                          "outcome choose a threshold near the decision you will make, or a "
                          "capacity.", UserWarning, stacklevel=outside_stacklevel())
        if self.tolerance is not None and report["training_gap"] > self.tolerance:
            warnings.warn(f"The fitted model's {self.constraint.replace('_', ' ')} gap on the "
                          f"training rows is {report['training_gap']:.4f}, above tolerance="
                          f"{self.tolerance}: each bag meets it on its own rows, but their "
                          "average does not. More outer_bags, a smaller tolerance or a larger "
                          "multiplier_step narrow it.", UserWarning,
                          stacklevel=outside_stacklevel())
        if 0 in report["bag_rounds_kept"]:
            warnings.warn("In some bags no boosting round met the constraint, so they kept no "
                          "main effects (bag_rounds_kept is 0): the tolerance may be out of "
                          "reach for these groups; see constraint_report_.", UserWarning,
                          stacklevel=outside_stacklevel())

    def _fit_reduction(self, rest, y, fit_params, labels):
        from fairlearn.reductions import (DemographicParity, EqualizedOdds,
                                          ExponentiatedGradient, TruePositiveRateParity)
        moment = {"demographic_parity": DemographicParity, "equal_opportunity":
                  TruePositiveRateParity, "equalized_odds": EqualizedOdds}[self.constraint]
        if self.method == "auto":
            warnings.warn(f"ConstrainedLoss acts inside the boosting of a binary "
                          f"BoostedGAMClassifier only; for {type(self.estimator).__name__} it "
                          "falls back to fairlearn's ExponentiatedGradient, whose result is a "
                          "randomized mixture of models rather than one glass-box model.",
                          UserWarning, stacklevel=outside_stacklevel())
        if fit_params:
            raise ValueError("fairlearn's ExponentiatedGradient takes no sample weights; fit "
                             "without them, or constrain a BoostedGAMClassifier, which does.")
        if self.threshold != 0.5 or self.capacity is not None:
            raise ValueError("fairlearn's ExponentiatedGradient constrains its own class "
                             "predictions, so threshold and capacity cannot apply to it; leave "
                             "them at their defaults, or constrain a binary "
                             "BoostedGAMClassifier, which takes them.")
        estimator = self._estimator_without_sensitive()
        if isinstance(estimator, Pipeline):
            estimator = _WeightsToLastStep(estimator)
        reduction = ExponentiatedGradient(
            estimator, moment(difference_bound=self.tolerance or 0.01))
        reduction.fit(rest, y, sensitive_features=labels.to_numpy())
        self.estimator_ = reduction
        self.method_ = "exponentiated gradient"
        self.decision_threshold_, self._cut = 0.5, 0.0
        self.constraint_report_ = {"groups": sorted(labels.unique()),
                                   "constraint": self.constraint, "tolerance": self.tolerance}

    @property
    def _predictor(self):
        return self.estimator_

    def predict(self, X):
        """The decision the constraint was placed on: the positive class where the log-odds
        reach the decision's cut (the probability `decision_threshold_`), as the constraint
        counted them; rows tied at a capacity's cut are all selected."""
        raw = self._raw(X)
        return self.classes_[(raw >= self._cut).astype(np.intp)]

    @property
    def classes_(self):
        if self.method_ == "exponentiated gradient":
            return self.estimator_.predictors_.iloc[0].classes_
        return self.estimator_.classes_

    def _link(self):
        return "logit"

    def _raw(self, X):
        rest = self._rest(X)
        if self.method_ == "exponentiated gradient":
            p = np.clip(self.estimator_._pmf_predict(rest)[:, 1], 1e-15, 1 - 1e-15)
            return np.log(p / (1 - p))
        return self.estimator_.decision_function(rest)


class _WeightsToLastStep(ClassifierMixin, BaseEstimator):
    """A Pipeline whose `fit` takes `sample_weight`, as fairlearn's reduction passes one in
    every round, and hands it to the pipeline's last step."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def fit(self, X, y, sample_weight=None):
        last = self.pipeline.steps[-1][0]
        weights = {} if sample_weight is None else {f"{last}__sample_weight": sample_weight}
        self.pipeline_ = clone(self.pipeline).fit(X, y, **weights)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X):
        return self.pipeline_.predict(X)

    def predict_proba(self, X):
        return self.pipeline_.predict_proba(X)
