"""ConstrainedLoss: a boosted GAM trained to predict alike across groups, inside its own boosting.

The constraint is a proxy-Lagrangian game (Cotter et al., 2019; as in FairGBM, Cruz et al., ICLR
2023). The constrained rates (selection rate for demographic parity, true-positive rate for equal
opportunity, and also false-positive rate for equalized odds) are step functions of the scores;
their differentiable proxy is each group's mean score on the log-odds scale. A multiplier per
group and rate weighs the proxy in the loss; its gradient is constant per row, so the boosting
rounds simply train on shifted targets (`_boosting`'s penalty protocol), and no kernel changes.
After every round the multipliers move by the true rate gaps, beyond the tolerance (projected
gradient ascent), and only rounds whose training rates meet the tolerance can become the bag's
best round. The result is one glass-box model that does not read the sensitive features.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from ..gam import BoostedGAMClassifier
from ._sensitive import MAX_GROUPS, group_labels, warn_small_groups
from ._strategies import _Strategy

CONSTRAINTS = ("demographic_parity", "equal_opportunity", "equalized_odds")


class ParityPenalty:
    """One bag's parity constraint (the penalty protocol of `glassbox._boosting`).

    Parameters
    ----------
    groups : int array
        Group index of every row.
    y : float array
        Class index (0/1) of every row.
    train_weight : float array
        The bag's training weights (zero for validation rows).
    constraint, threshold, tolerance, strength, step : see `ConstrainedLoss`.
    """

    def __init__(self, groups, y, train_weight, constraint, threshold, tolerance, strength, step):
        self.groups, self.y = groups, y
        self.weight = train_weight
        self.cut = np.log(threshold / (1.0 - threshold))
        self.tolerance, self.strength, self.step = tolerance, strength, step
        n_groups = int(groups.max()) + 1
        populations = {"demographic_parity": [None], "equal_opportunity": [1.0],
                       "equalized_odds": [1.0, 0.0]}[constraint]
        self.parts = []
        for label in populations:
            rows = np.ones(len(y), bool) if label is None else y == label
            w = np.where(rows, train_weight, 0.0)
            per_group = np.bincount(groups, weights=w, minlength=n_groups)
            self.parts.append((rows, w, per_group, per_group > 0))
        self.total = train_weight.sum()
        self.up = np.zeros((len(self.parts), n_groups))
        self.down = np.zeros_like(self.up)
        self.gap = 0.0
        self.feasible = True

    def targets(self, raw):
        """Check the constraint at the raw scores `raw`, move the multipliers, and return the
        next round's training targets."""
        decided = (raw >= self.cut).astype(np.float64)
        shift = np.zeros(len(raw))
        worst = 0.0
        for k, (rows, w, per_group, present) in enumerate(self.parts):
            selected = np.bincount(self.groups, weights=w * decided, minlength=len(per_group))
            rates = np.divide(selected, per_group, out=np.zeros_like(selected), where=present)
            overall = selected.sum() / per_group.sum()
            excess = np.where(present, rates - overall, 0.0)
            worst = max(worst, rates[present].max() - rates[present].min())
            if self.tolerance is None:
                multiplier = self.strength * excess
            else:
                half = self.tolerance / 2
                self.up[k] = np.maximum(0.0, self.up[k] + self.step * (excess - half))
                self.down[k] = np.maximum(0.0, self.down[k] + self.step * (-excess - half))
                multiplier = np.where(present, self.up[k] - self.down[k], 0.0)
            # gradient of sum_g multiplier_g * (group mean score - mean score), per unit weight
            per_row = self.total * (np.divide(multiplier, per_group,
                                              out=np.zeros_like(multiplier), where=present)
                                    - multiplier.sum() / per_group.sum())
            shift[rows] += per_row[self.groups[rows]]
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
        Probability at which a row is selected (the decision the rates count); `predict` uses
        0.5.
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
    constraint_report_ : dict
        Per bag: the training rate gap at the end of each stage and whether the tolerance held;
        the groups.
    """

    def __init__(self, estimator, sensitive_features, *, constraint="demographic_parity",
                 tolerance=0.02, strength=1.0, threshold=0.5, multiplier_step=0.5,
                 method="auto"):
        super().__init__(estimator, sensitive_features)
        self.constraint = constraint
        self.tolerance = tolerance
        self.strength = strength
        self.threshold = threshold
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
        warn_small_groups(labels, y, "constraint")
        names, codes = np.unique(labels.to_numpy(), return_inverse=True)
        if self.method == "auto" and isinstance(self.estimator, BoostedGAMClassifier):
            self._fit_boosted(rest, y, fit_params, codes, names)
        else:
            self._fit_reduction(rest, y, fit_params, labels)

    def _fit_boosted(self, rest, y, fit_params, codes, names):
        penalties = []

        def penalty(classes, bag):
            made = ParityPenalty(codes, classes, bag.train_weight, self.constraint,
                                 self.threshold, self.tolerance, self.strength,
                                 self.multiplier_step)
            penalties.append(made)
            return made
        self.estimator_ = clone(self.estimator)._fit_labels(
            rest, y, fit_params.get("sample_weight"), penalty)
        self.method_ = "constrained boosting"
        self.constraint_report_ = {
            "groups": list(names), "constraint": self.constraint, "tolerance": self.tolerance,
            "bag_final_gap": [p.gap for p in penalties],
            "bag_feasible": [p.feasible for p in penalties]}

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
                          UserWarning, stacklevel=3)
        if fit_params:
            raise ValueError("fairlearn's ExponentiatedGradient takes no sample weights; fit "
                             "without them, or constrain a BoostedGAMClassifier, which does.")
        reduction = ExponentiatedGradient(
            clone(self.estimator), moment(difference_bound=self.tolerance or 0.01))
        reduction.fit(rest, y, sensitive_features=labels.to_numpy())
        self.estimator_ = reduction
        self.method_ = "exponentiated gradient"
        self.constraint_report_ = {"groups": sorted(labels.unique()),
                                   "constraint": self.constraint, "tolerance": self.tolerance}

    @property
    def _predictor(self):
        return self.estimator_

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
