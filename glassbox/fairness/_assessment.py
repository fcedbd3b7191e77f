"""What a model's predictions do across groups, and whether they depend on the sensitive features.

`fairness_report` measures outcomes per group (the measures of fairlearn's `MetricFrame`,
computed directly so that hundreds of bootstrap replicates take a moment) with bootstrap
intervals; `flip_test`, `sensitive_recovery_auc` and `gap_decomposition` measure
invariance: what changes when only the sensitive value changes, how much of the sensitive
attribute the score still reveals, and which terms of an additive model carry the gap between
groups.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from .._calibration import auroc, calibration_slope, logit
from .._tabular import outside_stacklevel
from ._sensitive import (MAX_GROUPS, SMALL_GROUP, SensitiveColumns, SmallGroupWarning,
                         group_labels, logits, sensitive_frame, warn_small_groups)

RATES = ("selection_rate", "tpr", "fpr", "fnr")
MIN_GROUP_EVENTS = 10
"""Fewest events (non-events) of a group whose true- (false-) positive rate enters the
differences between groups."""
FEW_EVENTS_WARNING = "Groups with too few events or non-events"
"""The start of the SmallGroupWarning naming such groups (for warning filters)."""


@dataclass
class FairnessReport:
    """Per-group measurements and the differences between groups.

    Attributes
    ----------
    by_group : DataFrame
        One row per group: rows, events, prevalence, mean predicted risk, observed/expected
        (calibration in the large), calibration slope, AUROC, selection rate, TPR, FPR, FNR;
        each measure with `_low`/`_high` bootstrap bounds.
    differences : DataFrame
        Demographic-parity (selection rates), equal-opportunity (TPR) and equalized-odds (the
        larger of the TPR and FPR differences) differences, max − min over groups, with bounds.
    threshold : float
        The probability at which rows were selected (from `capacity` when given).
    """

    by_group: pd.DataFrame
    differences: pd.DataFrame
    threshold: float


def fairness_report(model, X, y, sensitive_features, *, threshold=None, capacity=None,
                    n_bootstrap=200, confidence=0.95, min_group_rows=SMALL_GROUP,
                    min_group_events=MIN_GROUP_EVENTS, random_state=0):
    """Outcomes per group of a fitted binary classifier, with bootstrap intervals.

    Parameters
    ----------
    model : fitted binary classifier (with `predict_proba`)
    X, y : evaluation data; X as the model reads it. The event (the outcome the rates and
        prevalence count) is the model's `classes_[1]`, the larger of two sorted labels.
    sensitive_features : names or positions of columns of X, or the values themselves (a
        Series, list, array or DataFrame with a row per row of X). Several features define
        their intersections as groups.
    threshold : float, optional
        Rows with a predicted probability at or above it are selected; 0.5 (the rule of
        `predict`) when neither it nor `capacity` is given. With a rare outcome few rows reach
        0.5 and every group's rates are near 0 (a warning says so below 1 % selected).
    capacity : float, optional
        Instead of a threshold: the share of rows selected (those of highest risk), as a care
        programme with a fixed number of places does.
    n_bootstrap : int, default=200
        Bootstrap replicates (rows resampled within each group); 0 for no intervals. The
        intervals are percentile intervals; for a difference (a max − min over groups, biased
        upwards in resamples) an interval can lie above its point estimate.
    confidence : float, default=0.95
    min_group_rows : int, default=30
        Groups with fewer rows stay in `by_group` but are left out of the differences between
        groups (a SmallGroupWarning names them): one row's rate would decide the difference.
    min_group_events : int, default=10
        Groups with fewer events are also left out of the differences in the true-positive
        rate (equal opportunity, equalized odds), and groups with fewer non-events out of
        those in the false-positive rate (equalized odds): three events allow a true-positive
        rate of 0, 1/3, 2/3 or 1 only, which would decide the difference (a SmallGroupWarning
        names them).
    random_state : int, default=0

    Returns
    -------
    FairnessReport
    """
    if threshold is not None and capacity is not None:
        raise ValueError("Give a threshold or a capacity, not both.")
    sensitive = sensitive_frame(X, sensitive_features)
    labels = group_labels(sensitive)
    y = np.asarray(y)
    classes = getattr(model, "classes_", None)
    if classes is None or len(classes) != 2:
        raise ValueError("fairness_report needs a fitted binary classifier.")
    positive = (y == classes[1]).astype(float)
    risk = np.asarray(model.predict_proba(X), dtype=float)[:, 1]
    if capacity is not None:
        if not 0 < capacity < 1:
            raise ValueError(f"capacity must be a share in (0, 1), got {capacity!r}.")
        threshold = float(np.quantile(risk, 1 - capacity, method="higher"))
    threshold = 0.5 if threshold is None else float(threshold)
    selected_share = float(np.mean(risk >= threshold))
    if not 0.01 <= selected_share <= 0.99:
        warnings.warn(f"{selected_share:.1%} of the rows reach threshold={threshold:g}, so every "
                      "group's selection rate is near the same bound and the differences say "
                      "little; choose the threshold of the decision you will make, or a "
                      "capacity.", UserWarning, stacklevel=outside_stacklevel())
    counts = labels.value_counts()
    compared = counts.index[counts >= min_group_rows]
    warn_small_groups(labels, positive, "their measures are noisy (NaN where they cannot be "
                      f"computed), and groups of fewer than {min_group_rows} rows are left out "
                      "of the differences between groups")
    if len(compared) < 2:
        warnings.warn(f"Fewer than two groups have {min_group_rows} rows or more: the "
                      "differences between groups are NaN.", SmallGroupWarning,
                      stacklevel=outside_stacklevel())
    events = pd.Series(positive).groupby(labels.to_numpy()).sum().reindex(compared)
    non_events = counts.reindex(compared) - events
    rates = {"tpr": compared[(events >= min_group_events).to_numpy()],
             "fpr": compared[(non_events >= min_group_events).to_numpy()]}
    few = {g: f"{int(events[g])} events" if events[g] < min_group_events
           else f"{int(non_events[g])} non-events" for g in compared
           if g not in rates["tpr"] or g not in rates["fpr"]}
    if few:
        listed = "; ".join(f"{g!r}: {why}" for g, why in few.items())
        warnings.warn(f"{FEW_EVENTS_WARNING} (fewer than {min_group_events}: {listed}) are left "
                      "out of the differences in the true- or false-positive rate: a handful "
                      "of rows would decide them.", SmallGroupWarning,
                      stacklevel=outside_stacklevel())
    compared = {"selection_rate": compared, **rates}
    by_group, differences = _measure(positive, risk, risk >= threshold, labels, compared)
    if n_bootstrap:
        low, high = (1 - confidence) / 2, 1 - (1 - confidence) / 2
        rng = np.random.default_rng(random_state)
        members = [np.flatnonzero(labels.to_numpy() == g) for g in by_group.index]
        draws_g, draws_d = [], []
        for _ in range(n_bootstrap):
            rows = np.concatenate([rng.choice(m, len(m)) for m in members])
            g, d = _measure(positive[rows], risk[rows], risk[rows] >= threshold,
                            labels.iloc[rows].reset_index(drop=True), compared)
            draws_g.append(g)
            draws_d.append(d)
        by_group = _with_bounds(by_group, draws_g, low, high, skip=("rows", "events"))
        differences = _with_bounds(differences, draws_d, low, high)
    return FairnessReport(by_group, differences, threshold)


MEASURES = ("rows", "events", "prevalence", "mean_risk", "observed_expected",
            "calibration_slope", "auroc", "selection_rate", "tpr", "fpr", "fnr")


def _measure(positive, risk, selected, labels, compared):
    """Per-group measures, and the differences between the groups `compared` for each rate
    (selection_rate, tpr, fpr), for one sample."""
    groups, codes = np.unique(labels.to_numpy(), return_inverse=True)
    members = [codes == k for k in range(len(groups))]
    by_group = pd.DataFrame([_group_measures(positive[m], risk[m], selected[m]) for m in members],
                            index=pd.Index(groups, name="group"), columns=MEASURES, dtype=float)
    spread = {rate: _spread(by_group.loc[groups_compared, rate])
              for rate, groups_compared in compared.items()}
    differences = pd.DataFrame({"value": [
        spread["selection_rate"], spread["tpr"], np.fmax(spread["tpr"], spread["fpr"])]},
        index=["demographic_parity_difference", "equal_opportunity_difference",
               "equalized_odds_difference"]).astype(float)
    return by_group, differences


def _group_measures(positive, risk, selected):
    """The MEASURES of one group's rows: 0/1 outcomes, predicted risks, selections."""
    events, mean_risk = positive.sum(), risk.mean()
    has_events, has_non_events = events > 0, events < len(positive)
    tpr = selected[positive == 1].mean() if has_events else np.nan
    return (len(positive), events, positive.mean(), mean_risk,
            positive.mean() / mean_risk if mean_risk > 0 else np.nan,
            calibration_slope(positive, risk), auroc(positive, risk), selected.mean(), tpr,
            selected[positive == 0].mean() if has_non_events else np.nan, 1 - tpr)


def _spread(values):
    """max − min of the values that are defined; NaN for fewer than two."""
    values = values.dropna()
    return float(values.max() - values.min()) if len(values) >= 2 else np.nan


def _with_bounds(point, draws, low, high, skip=()):
    """`point` with `<column>_low` / `<column>_high` percentile columns from bootstrap draws
    (not for the columns in `skip`)."""
    stacked = np.stack([d.reindex(index=point.index, columns=point.columns).to_numpy()
                        for d in draws])
    out = {}
    for j, column in enumerate(point.columns):
        out[column] = point[column]
        if column in skip:
            continue
        values = stacked[:, :, j]
        finite = np.isfinite(values).any(axis=0)
        lo = np.full(len(point), np.nan)
        hi = np.full(len(point), np.nan)
        lo[finite] = np.nanquantile(values[:, finite], low, axis=0)
        hi[finite] = np.nanquantile(values[:, finite], high, axis=0)
        out[f"{column}_low"], out[f"{column}_high"] = lo, hi
    return pd.DataFrame(out, index=point.index)


def flip_test(model, X, sensitive_features, *, threshold=0.5):
    """What changes when only the sensitive values change: every row is scored with the
    sensitive features set to each combination of their values seen in X.

    Returns a dict: `mean_abs_logit_change` (over rows and the other combinations; for
    multiclass the largest change among the class logits, centred per row), `max_abs_logit_change`,
    and `decision_change_share` (rows × combinations whose decision changes: probability ≥
    `threshold` for a binary classifier, the top class for a multiclass one; NaN for a
    regressor, whose "logit" changes are changes of its raw score: the predicted mean, or its
    log for the Poisson and gamma losses). A model invariant to the sensitive features gives 0
    everywhere.
    """
    columns = SensitiveColumns(X, sensitive_features)
    rest, sensitive = columns.split(X, required=True)
    keys = sensitive.astype(object).where(sensitive.notna(), None).apply(tuple, axis=1)
    combos = list(dict.fromkeys(keys))
    if len(combos) > MAX_GROUPS:
        raise ValueError(f"The sensitive features take {len(combos)} combinations of values in "
                         f"X (at most {MAX_GROUPS}); band a continuous feature first.")
    base = logits(model, X)
    cut = logit(threshold)
    changes, flips = [], []
    for combo in combos:
        other = np.array([key != combo for key in keys])
        if not other.any():
            continue
        values = [np.nan if v is None else v for v in combo]
        moved = logits(model, columns.rebuild(rest, values))
        delta = np.abs(moved - base)
        delta = delta.max(axis=1) if delta.ndim == 2 else delta
        changes.append(delta[other])
        flips.append(_decisions(model, moved, cut)[other] != _decisions(model, base, cut)[other])
    change = np.concatenate(changes) if changes else np.zeros(0)
    flipped = np.concatenate(flips) if flips else np.zeros(0)
    return {"mean_abs_logit_change": float(change.mean()) if len(change) else 0.0,
            "max_abs_logit_change": float(change.max()) if len(change) else 0.0,
            "decision_change_share": (float(flipped.mean()) if len(flipped) else 0.0)
            if hasattr(model, "predict_proba") else np.nan}


def _decisions(model, raw, cut):
    if raw.ndim == 2:
        return raw.argmax(axis=1)
    return raw >= cut if hasattr(model, "predict_proba") else np.zeros(len(raw), bool)


def sensitive_recovery_auc(model, X, sensitive_features, *, cv=5, random_state=0):
    """How well the model's score reveals the sensitive attribute: the cross-validated AUROC
    (macro one-vs-rest over groups of more than two) of a logistic regression predicting the
    group from the link-scale score(s). 0.5 means the score tells nothing about the group; a
    model can be invariant (flip test 0) and still reveal it through proxies. Groups of fewer
    than `cv` rows are left out (with a SmallGroupWarning); NaN when fewer than two remain."""
    labels = group_labels(sensitive_frame(X, sensitive_features))
    scores = logits(model, X)
    scores = scores.reshape(len(scores), -1)
    counts = labels.value_counts()
    too_small = counts.index[counts < cv]
    if len(too_small):
        warnings.warn(f"Groups of fewer than {cv} rows ({', '.join(map(repr, too_small))}) "
                      "cannot be cross-validated and are left out of the recovery AUROC.",
                      SmallGroupWarning, stacklevel=outside_stacklevel())
        kept = ~labels.isin(too_small).to_numpy()
        labels, scores = labels[kept].reset_index(drop=True), scores[kept]
    if labels.nunique() < 2:
        return np.nan
    scores = (scores - scores.mean(axis=0)) / np.maximum(scores.std(axis=0), 1e-12)
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    proba = cross_val_predict(LogisticRegression(), scores, labels, cv=folds,
                              method="predict_proba")
    groups = np.unique(labels)
    if len(groups) == 2:
        return float(roc_auc_score(labels == groups[1], proba[:, 1]))
    return float(roc_auc_score(labels, proba, multi_class="ovr", average="macro",
                               labels=groups))


def gap_decomposition(model, X, sensitive_features, *, reference=None):
    """Which terms of an additive model carry the difference in mean score between groups.

    For every group g other than the reference and every term t: E[f_t | g] − E[f_t | reference]
    on X, on the link scale. The column sums to the difference in mean score (logit) between the
    two groups exactly; a large entry on a feature that is not sensitive marks a proxy.

    Parameters
    ----------
    model : an additive glassbox model, or a fairness strategy whose predictions are one's
        (DropSensitive, TrainThenClean and ConstrainedLoss around a boosted GAM)
    X : data with the sensitive columns
    sensitive_features : names or positions of columns of X, or their values
    reference : the group to compare with; default the largest

    Returns
    -------
    DataFrame
        One row per term (per (class, term) for multiclass) and a last row "total" (the mean
        score gap), one column per compared group, "<group> − <reference>". A multiclass
        model's contributions are centred over the classes first (each term's, row by row), as
        its class scores are defined only up to a constant per row.
    """
    additive, rows = model, X
    if hasattr(model, "_additive"):  # a strategy: the additive model behind its predictions
        additive, rows = model._additive(), model._rest(X)
    if not hasattr(additive, "terms_"):
        raise TypeError(f"gap_decomposition needs an additive model; {type(model).__name__} "
                        "gives no additive model's predictions.")
    labels = group_labels(sensitive_frame(X, sensitive_features))
    warn_small_groups(labels, None, "their mean contributions rest on few rows")
    contributions = additive.explain(rows).reset_index(drop=True)
    if isinstance(contributions.columns, pd.MultiIndex):  # (class, term): centred over classes
        by_term = contributions.T.groupby(level=1, sort=False)
        contributions = contributions - by_term.transform("mean").T
    means = contributions.groupby(labels.to_numpy()).mean()
    reference = labels.value_counts().idxmax() if reference is None else str(reference)
    if reference not in means.index:
        raise ValueError(f"reference {reference!r} is not a group; groups: {list(means.index)}.")
    out = pd.DataFrame({f"{g} − {reference}": means.loc[g] - means.loc[reference]
                        for g in means.index if g != reference})
    if isinstance(out.index, pd.MultiIndex):
        totals = out.groupby(level=0).sum()
        totals.index = pd.MultiIndex.from_product([totals.index, ["total"]])
        return pd.concat([out, totals])
    out.loc["total"] = out.sum()
    return out
