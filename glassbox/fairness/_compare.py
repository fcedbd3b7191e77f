"""The strategies side by side on one split: accuracy, parity, invariance and fit time."""

import time

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from ._assessment import fairness_report, flip_test, gap_decomposition, sensitive_recovery_auc
from ._constrained import ConstrainedLoss
from ._sensitive import group_labels, logits, sensitive_frame
from ._strategies import DropSensitive, TestTimeBlind, TrainThenClean
from .._tabular import each_warning_once, target_array
from ..gam import BoostedGAMClassifier

REFERENCE = "with sensitive features"
STRATEGIES = ("DropSensitive", "TrainThenClean", "TestTimeBlind", "ConstrainedLoss")


def _require_binary(estimator, y, y_test):
    """An error, before any fit, unless the comparison's measures apply: they are a binary
    classifier's (AUROC, parity of decisions at a threshold)."""
    if not is_classifier(estimator):
        raise ValueError("compare_strategies compares binary classifiers (AUROC, parity of "
                         f"decisions); {type(estimator).__name__} is not a classifier. For a "
                         "regressor, fit the strategies and use flip_test and gap_decomposition.")
    for name, target in (("y", y), ("y_test", y_test)):
        n_classes = 2 if target is None else len(np.unique(target_array(target)))
        if n_classes != 2:
            raise ValueError(f"compare_strategies compares binary classifiers; {name} holds "
                             f"{n_classes} classes. For more, fit the strategies and use "
                             "flip_test and gap_decomposition.")


@each_warning_once
def compare_strategies(estimator, X, y, sensitive_features, *, X_test=None, y_test=None,
                       test_size=0.3, strategies=STRATEGIES, constraint="demographic_parity",
                       tolerance=0.02, threshold=0.5, capacity=None, proxies=(),
                       exponentiated_gradient=False, random_state=0):
    """Fit every strategy around `estimator` and measure them on held-out data.

    Rows: the estimator fitted with the sensitive features (the reference), then each strategy
    in `strategies`, then, with `exponentiated_gradient=True`, fairlearn's
    ExponentiatedGradient around the same estimator (the black-box peer). Columns: AUROC, AUPRC,
    Brier score; demographic-parity, equal-opportunity and equalized-odds differences at
    `threshold`, or with the `capacity` share of highest-risk rows selected (each model's own
    top rows); the flip test's mean |Δ logit| and share of changed decisions; the AUROC of
    recovering the sensitive attribute from the score; the mean-logit gap between the largest
    group and the second largest and, for additive models, the part of it carried by the
    `proxies` terms (names of terms) in logits and as a share; fit seconds.

    X, y are split (`test_size`, stratified) unless X_test, y_test are given. `constraint`,
    `tolerance`, `threshold` and `capacity` configure ConstrainedLoss; `constraint` and
    `tolerance` the peer, which constrains its own class predictions, so its parity columns
    count those (probability above 0.5), as do ConstrainedLoss's when the estimator is not a
    BoostedGAMClassifier (it then falls back to the same reduction). The `decision` column
    says which decision each row's parity columns count. A warning about the rows (an unseen
    category, a small group) is shown once, not once per strategy and measure.
    """
    _require_binary(estimator, y, y_test)
    decision = {"threshold": None if capacity is not None else threshold, "capacity": capacity}
    own = {"threshold": 0.5, "capacity": None}
    # another estimator makes ConstrainedLoss fall back to the reduction, which takes neither
    constrained_at = ({"threshold": threshold, "capacity": capacity}
                      if isinstance(estimator, BoostedGAMClassifier) else {})
    if X_test is None:
        X, X_test, y, y_test = train_test_split(X, y, test_size=test_size, stratify=y,
                                                random_state=random_state)
    makers = {
        REFERENCE: lambda: clone(estimator),
        "DropSensitive": lambda: DropSensitive(estimator, sensitive_features),
        "TrainThenClean": lambda: TrainThenClean(estimator, sensitive_features),
        "TestTimeBlind": lambda: TestTimeBlind(estimator, sensitive_features),
        "ConstrainedLoss": lambda: ConstrainedLoss(estimator, sensitive_features,
                                                   constraint=constraint, tolerance=tolerance,
                                                   **constrained_at),
    }
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise ValueError(f"Unknown strategies {unknown}; choose from {STRATEGIES}.")
    names = [REFERENCE, *strategies]
    if exponentiated_gradient:
        makers["ExponentiatedGradient"] = lambda: ConstrainedLoss(
            estimator, sensitive_features, constraint=constraint, tolerance=tolerance,
            method="exponentiated_gradient")
        names.append("ExponentiatedGradient")
    rows = {}
    for name in names:
        model = makers[name]()
        start = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - start
        falls_back = getattr(model, "method_", None) == "exponentiated gradient"
        rule = own if falls_back else decision
        rows[name] = {"decision": (f"capacity {rule['capacity']:g}" if rule["capacity"]
                                   is not None else f"threshold {rule['threshold']:g}"),
                      **_measure(model, X_test, y_test, sensitive_features, rule, proxies),
                      "fit_s": fit_s}
    return pd.DataFrame.from_dict(rows, orient="index")


def _measure(model, X, y, sensitive_features, decision, proxies):
    classes = model.classes_
    positive = (np.asarray(y) == classes[1]).astype(int)
    risk = model.predict_proba(X)[:, 1]
    report = fairness_report(model, X, y, sensitive_features, n_bootstrap=0, **decision)
    flips = flip_test(model, X, sensitive_features, threshold=report.threshold)
    row = {"auroc": roc_auc_score(positive, risk),
           "auprc": average_precision_score(positive, risk),
           "brier": brier_score_loss(positive, risk),
           **report.differences["value"].to_dict(),
           "flip_mean_abs_logit": flips["mean_abs_logit_change"],
           "flip_decision_share": flips["decision_change_share"],
           "sensitive_recovery_auc": sensitive_recovery_auc(model, X, sensitive_features)}
    labels = group_labels(sensitive_frame(X, sensitive_features))
    raw = pd.Series(logits(model, X)).groupby(labels.to_numpy()).mean()
    largest = labels.value_counts().index
    row["mean_logit_gap"] = raw[largest[1]] - raw[largest[0]]
    row["proxy_logit_gap"] = row["proxy_share_of_gap"] = np.nan
    additive = model._additive() if hasattr(model, "_additive") else model
    if proxies and hasattr(additive, "terms_"):
        gaps = gap_decomposition(model, X, sensitive_features, reference=largest[0])
        column = gaps[f"{largest[1]} − {largest[0]}"]
        carried = column[[t for t in column.index if t in proxies]].sum()
        row["proxy_logit_gap"] = carried
        row["proxy_share_of_gap"] = (carried / column["total"] if abs(column["total"]) >= 0.05
                                     else np.nan)  # a share of almost nothing means nothing
    return row
