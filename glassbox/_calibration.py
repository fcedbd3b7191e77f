"""Statistics of predicted risks against observed binary outcomes: calibration and clinical
utility, as clinical reporting standards ask for them.

Calibration (Van Calster et al., J Clin Epidemiol 2016; BMC Med 2019): calibration in the large
(observed / expected, and the calibration intercept), the calibration slope, and a flexible
calibration curve (a logistic regression of the outcome on a restricted cubic spline of the
predicted log-odds) with its summary errors ICI and E90. Clinical utility: net benefit at risk
thresholds (Vickers & Elkin, Med Decis Making 2006), for the model, treat-all and treat-none.
All logistic fits are small Newton iterations written here, so no optional package is needed.
"""

import numpy as np
from scipy.stats import rankdata

EPS = 1e-12
SPLINE_KNOTS = (0.05, 0.35, 0.65, 0.95)
"""Quantiles of the predicted log-odds at which the flexible curve's spline has its knots (four
knots, Harrell's default placement)."""

MIN_EVENTS_FOR_CURVE = 100
"""Fewer events (or non-events) than this make a flexible calibration curve unreliable; Van
Calster et al. (2016) advise at least 100, preferably 200."""


def logit(p):
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def logistic(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # no overflow for large |z|


def logistic_fit(design, y, offset=None, iterations=100):
    """Coefficients of a logistic regression of 0/1 `y` on `design` (with `offset` added to the
    linear predictor), by Newton's method; NaN when they diverge (separated data)."""
    design = np.asarray(design, dtype=float)
    offset = np.zeros(len(y)) if offset is None else offset
    beta = np.zeros(design.shape[1])
    for _ in range(iterations):
        mu = logistic(offset + design @ beta)
        hessian = design.T @ (design * (mu * (1 - mu))[:, None])
        step = np.linalg.lstsq(hessian, design.T @ (y - mu), rcond=None)[0]
        beta = beta + step
        if not np.isfinite(beta).all() or np.abs(beta).max() > 1e3:
            return np.full(design.shape[1], np.nan)
        if np.abs(step).max() < 1e-10:
            break
    return beta


def _binary(y):
    y = np.asarray(y, dtype=float)
    return y if 0 < y.sum() < len(y) else None


def auroc(y, p):
    """Area under the ROC curve of risks `p` for 0/1 outcomes `y`; NaN with one outcome class.
    The Mann-Whitney statistic on mid-ranks: the trapezoidal ROC area (ties count a half), as
    scikit-learn's roc_auc_score, without its input validation (called thousands of times by
    the bootstraps)."""
    y = np.asarray(y) == 1
    events = int(y.sum())
    if not 0 < events < len(y):
        return np.nan
    ranks = rankdata(np.asarray(p, dtype=float))
    return float((ranks[y].sum() - events * (events + 1) / 2) / (events * (len(y) - events)))


def calibration_slope(y, p):
    """Slope of the logistic regression of the outcome on the predicted log-odds: 1 when
    calibrated, below 1 when the predictions are too extreme (overfitting); NaN when it cannot
    be estimated (one outcome class, constant or separating predictions)."""
    y = _binary(y)
    z = logit(p)
    if y is None or np.ptp(z) == 0:
        return np.nan
    return float(logistic_fit(np.column_stack([np.ones_like(z), z]), y)[1])


def calibration_intercept(y, p):
    """Calibration in the large on the log-odds scale: the intercept of the logistic regression
    of the outcome with the predicted log-odds as offset. 0 when the mean risk is right,
    positive when the model under-predicts."""
    y = _binary(y)
    if y is None:
        return np.nan
    return float(logistic_fit(np.ones((len(y), 1)), y, offset=logit(p))[0])


def observed_expected(y, p):
    """Observed events over expected events (the sum of the predicted risks)."""
    expected = float(np.sum(p))
    return float(np.sum(y)) / expected if expected > 0 else np.nan


def _spline_basis(z, knots):
    """Restricted cubic spline basis of `z` (linear term first): linear beyond the outer knots."""
    k = np.asarray(knots, dtype=float)
    scale = (k[-1] - k[0]) ** 2
    columns = [z]
    for j in range(len(k) - 2):
        columns.append((np.maximum(z - k[j], 0) ** 3
                        - np.maximum(z - k[-2], 0) ** 3 * (k[-1] - k[j]) / (k[-1] - k[-2])
                        + np.maximum(z - k[-1], 0) ** 3 * (k[-2] - k[j]) / (k[-1] - k[-2]))
                       / scale)
    return np.column_stack(columns)


class CalibrationCurve:
    """The flexible calibration curve: observed risk as a smooth function of predicted risk.

    A logistic regression of the outcome on a restricted cubic spline of the predicted log-odds
    (knots at SPLINE_KNOTS quantiles). `observed(p)` is the curve at predicted risks `p`;
    `ici` (integrated calibration index) and `e90` are the mean and 90th percentile of
    |observed − predicted| over the data's own predictions.
    """

    def __init__(self, y, p):
        y = np.asarray(y, dtype=float)
        z = logit(p)
        knots = np.unique(np.quantile(z, SPLINE_KNOTS))
        self.knots = knots if len(knots) >= 3 else None
        basis = self._design(z)
        self.coef = logistic_fit(basis, y) if _binary(y) is not None else np.full(
            basis.shape[1], np.nan)
        gap = np.abs(self.observed(p) - np.asarray(p, dtype=float))
        self.ici = float(np.mean(gap))
        self.e90 = float(np.quantile(gap, 0.9))

    def _design(self, z):
        spline = z[:, None] if self.knots is None else _spline_basis(z, self.knots)
        return np.column_stack([np.ones_like(z), spline])

    def observed(self, p):
        return logistic(self._design(logit(p)) @ self.coef)


def net_benefit(y, p, thresholds):
    """Net benefit of treating those with predicted risk ≥ t, per threshold t:
    TP/n − FP/n · t / (1 − t)."""
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=float)
    n = len(y)
    out = []
    for t in np.asarray(thresholds, dtype=float):
        treated = p >= t
        out.append((y & treated).sum() / n - (~y & treated).sum() / n * t / (1 - t))
    return np.array(out)


def net_benefit_treat_all(y, thresholds):
    """Net benefit of treating everyone: prevalence − (1 − prevalence) · t / (1 − t)."""
    prevalence = float(np.mean(y))
    t = np.asarray(thresholds, dtype=float)
    return prevalence - (1 - prevalence) * t / (1 - t)
