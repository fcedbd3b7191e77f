"""The numbers of an audit report: discrimination, calibration, clinical utility and the cohort,
each with percentile bootstrap intervals where it is an estimate."""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from .._calibration import (MIN_EVENTS_FOR_CURVE, CalibrationCurve, auroc,
                            calibration_intercept, calibration_slope, net_benefit, net_benefit_treat_all,
                            observed_expected)
from .._tabular import outside_stacklevel

CURVE_GRID = np.linspace(0.0, 1.0, 101)[1:-1]
LEVELS_SHOWN = 8
"""Levels of a categorical feature the cohort table lists, most frequent first."""


def bootstrap(statistic, n_rows, n_bootstrap, rng, confidence=0.95):
    """Percentile interval of `statistic(rows)` over `n_bootstrap` resamples of the rows (each
    a vector of row indices); resamples where it is undefined (NaN) are skipped. Returns
    (low, high), or NaNs when fewer than half the resamples give a value."""
    values = []
    for _ in range(n_bootstrap):
        values.append(statistic(rng.integers(0, n_rows, n_rows)))
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values).all(axis=tuple(range(1, values.ndim)))]
    if len(values) < n_bootstrap / 2:
        shape = np.shape(statistic(np.arange(n_rows)))
        return np.full(shape, np.nan), np.full(shape, np.nan)
    alpha = (1 - confidence) / 2
    return np.quantile(values, alpha, axis=0), np.quantile(values, 1 - alpha, axis=0)


def _auprc(y, p):
    return average_precision_score(y, p) if y.sum() > 0 else np.nan


SCALARS = {
    "AUROC": auroc,
    "AUPRC": _auprc,
    "observed / expected": observed_expected,
    "calibration intercept": calibration_intercept,
    "calibration slope": calibration_slope,
}


@dataclass
class Performance:
    """Discrimination, calibration and utility of risks `p` for outcomes `y`."""

    scalars: pd.DataFrame          # estimate, low, high per measure
    curve: pd.DataFrame            # predicted, observed, low, high
    ici: float
    e90: float
    curve_reliable: bool
    decision: pd.DataFrame         # threshold, model (low, high), treat all, treat none
    confusion: pd.DataFrame        # at the chosen threshold or capacity
    threshold: float


def performance(y, p, *, thresholds, threshold=None, capacity=None, n_bootstrap=200,
                random_state=0, confidence=0.95):
    """Every performance figure of the report for one dataset."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(random_state)
    rows = []
    for name, measure in SCALARS.items():
        low, high = bootstrap(lambda r: measure(y[r], p[r]), len(y), n_bootstrap, rng,
                              confidence)
        rows.append({"measure": name, "estimate": measure(y, p), "low": low, "high": high})
    curve = CalibrationCurve(y, p)
    grid = CURVE_GRID[(CURVE_GRID >= p.min()) & (CURVE_GRID <= p.max())]
    band = bootstrap(lambda r: CalibrationCurve(y[r], p[r]).observed(grid), len(y),
                     n_bootstrap, rng, confidence)
    events = int(y.sum())
    reliable = min(events, len(y) - events) >= MIN_EVENTS_FOR_CURVE
    if not reliable:
        warnings.warn(f"{min(events, len(y) - events)} events (or non-events) are too few for a "
                      f"flexible calibration curve (at least {MIN_EVENTS_FOR_CURVE} advised); "
                      "the report marks the curve as unreliable.", UserWarning,
                      stacklevel=outside_stacklevel())
    thresholds = np.asarray(thresholds, dtype=float)
    nb_low, nb_high = bootstrap(lambda r: net_benefit(y[r], p[r], thresholds), len(y),
                                n_bootstrap, rng, confidence)
    decision = pd.DataFrame({"threshold": thresholds, "model": net_benefit(y, p, thresholds),
                             "low": nb_low, "high": nb_high,
                             "treat all": net_benefit_treat_all(y, thresholds),
                             "treat none": 0.0})
    if capacity is not None:
        threshold = float(np.quantile(p, 1 - capacity, method="higher"))
    threshold = 0.5 if threshold is None else float(threshold)
    return Performance(
        scalars=pd.DataFrame(rows).set_index("measure"),
        curve=pd.DataFrame({"predicted": grid, "observed": curve.observed(grid),
                            "low": band[0], "high": band[1]}),
        ici=curve.ici, e90=curve.e90, curve_reliable=reliable, decision=decision,
        confusion=confusion(y, p, threshold), threshold=threshold)


def confusion(y, p, threshold):
    """Counts and rates when rows of risk ≥ `threshold` are flagged."""
    y = np.asarray(y, dtype=bool)
    flagged = np.asarray(p) >= threshold
    tp, fp = int((y & flagged).sum()), int((~y & flagged).sum())
    fn, tn = int((y & ~flagged).sum()), int((~y & ~flagged).sum())
    counts = [f"{n:,}" for n in (tp, fp, fn, tn)]
    rates = [f"{r:.3f}" if r == r else "not estimable (no such rows)"
             for r in (_ratio(tp, tp + fn), _ratio(tn, tn + fp), _ratio(tp, tp + fp),
                       _ratio(tn, tn + fn), _ratio(tp + fp, len(y)))]
    return pd.DataFrame({"value": counts + rates},
        index=["true positives", "false positives", "false negatives", "true negatives",
               "sensitivity", "specificity", "positive predictive value",
               "negative predictive value", "share flagged"])


def _ratio(a, b):
    return a / b if b else np.nan


def cohort_table(X, y, groups=None):
    """Per feature: kind, missing share, and the range (numeric) or the levels (categorical);
    with `groups` (a Series of group labels), one block of columns per group."""
    def describe(frame, outcome):
        rows = {"rows": {"value": f"{len(frame):,}"},
                "events": {"value": f"{int(np.sum(outcome)):,} ({np.mean(outcome):.1%})"}}
        for column in frame.columns:
            values = frame[column]
            missing = values.isna().mean()
            observed = values.dropna()
            count = int(values.isna().sum())
            if observed.empty:
                rows[column] = {"value": f"all {count:,} missing"}
                continue
            if pd.api.types.is_bool_dtype(values) or (
                    pd.api.types.is_numeric_dtype(values) and observed.isin([0, 1]).all()):
                text = f"{observed.astype(float).mean():.1%} yes"
            elif pd.api.types.is_numeric_dtype(values):
                q = values.quantile([0.0, 0.5, 1.0])
                text = f"median {q[0.5]:.3g} (range {q[0.0]:.3g} to {q[1.0]:.3g})"
            else:
                shares = values.astype(str).value_counts(normalize=True)
                shown = shares.head(LEVELS_SHOWN)
                text = ", ".join(f"{k} {v:.0%}" for k, v in shown.items()) + (
                    f", {len(shares) - len(shown)} more levels" if len(shares) > len(shown)
                    else "")
            rows[column] = {"value": text + (f"; {count:,} missing ({missing:.1%})" if count
                                             else "")}
        return pd.DataFrame(rows).T["value"]
    y = np.asarray(y)
    if groups is None:
        return describe(X, y).to_frame("all")
    labels = groups.to_numpy()
    columns = {"all": describe(X, y)}
    for group in sorted(groups.unique()):
        mask = labels == group
        columns[str(group)] = describe(X[mask], y[mask])
    return pd.DataFrame(columns)


MIN_CLASS_ROWS = 10
"""Fewest events, and fewest non-events, in a group for its AUROC and calibration slope: with
two events a group's AUROC is 0.99 or 0.5 by chance, and its bootstrap interval hides it."""


def subgroup_table(y, p, labels, *, min_rows, n_bootstrap, random_state, confidence=0.95):
    """Per group: n, events, AUROC, observed/expected and calibration slope with intervals;
    "not estimable" for groups under `min_rows` rows or with one outcome class, and the AUROC
    and calibration slope of groups with fewer than MIN_CLASS_ROWS events or non-events."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(random_state)
    rows = []
    for group in sorted(labels.unique()):
        mask = labels.to_numpy() == group
        yg, pg = y[mask], p[mask]
        row = {"group": str(group), "n": int(mask.sum()), "events": int(yg.sum())}
        estimable = mask.sum() >= min_rows and 0 < yg.sum() < mask.sum()
        fewer = min(yg.sum(), mask.sum() - yg.sum())
        for name in ("AUROC", "observed / expected", "calibration slope"):
            measure = SCALARS[name]
            if not estimable:
                row[name] = "not estimable"
                continue
            if name != "observed / expected" and fewer < MIN_CLASS_ROWS:
                row[name] = (f"not estimable ({int(yg.sum())} events, "
                             f"{int(mask.sum() - yg.sum())} non-events)")
                continue
            low, high = bootstrap(lambda r: measure(yg[r], pg[r]), len(yg), n_bootstrap, rng,
                                  confidence)
            row[name] = f"{measure(yg, pg):.3f} ({low:.3f} to {high:.3f})"
        rows.append(row)
    return pd.DataFrame(rows).set_index("group")
