"""A simulated cohort whose monotone effects interact, with its generating model written down.

Built to show what a monotone model with interactions can learn that an additive one cannot.
The cohort is simulated: it is not patient data.
"""

import numpy as np
import pandas as pd

from ._cohort import intercept_for_rate, logistic

BASE_RATE = 0.30
AGE_SLOPE, SBP_SLOPE, AGE_SBP = 0.1, 0.1, 0.5
EGFR_SLOPE, DIABETES_LOG_OR, EGFR_DIABETES = 0.3, 0.4, 0.6
BMI_CURVE = 0.5
MONOTONIC_CST = {"age": +1, "sbp": +1, "egfr": -1}
"""The true directions, as `monotonic_cst` takes them."""


def interacting_effects(X):
    """Each true term's contribution to the log-odds (not centred), from the feature columns."""
    d = np.maximum(X["age"] - 45.0, 0.0) / 10.0
    h = np.maximum(X["sbp"] - 120.0, 0.0) / 20.0
    k = np.maximum(90.0 - X["egfr"], 0.0) / 15.0
    diabetes = X["diabetes"].astype(float)
    zero = np.zeros(len(X))
    return pd.DataFrame({
        "age": AGE_SLOPE * d, "sbp": SBP_SLOPE * h, "age & sbp": AGE_SBP * d * h,
        "egfr": EGFR_SLOPE * k, "diabetes": DIABETES_LOG_OR * diabetes,
        "egfr & diabetes": EGFR_DIABETES * k * diabetes,
        "bmi": BMI_CURVE * ((X["bmi"] - 27.0) / 6.0) ** 2,
        **{f"lab_{j}": zero for j in (1, 2, 3)},
    }, index=X.index)


def make_interacting_cohort(n_samples=5_000, random_state=None, return_truth=False):
    """A simulated binary-outcome cohort whose monotone effects interact: risk rises with age,
    faster when systolic blood pressure is high, and rises as kidney function (eGFR) falls,
    faster in diabetics. Every monotone effect keeps its direction everywhere, so
    `monotonic_cst={"age": +1, "sbp": +1, "egfr": -1}` declares the truth.

    Features: age ~ N(60, 12) years, clipped to 35–90; sbp ~ N(130 + 0.5 (age − 60), 18) mmHg,
    clipped to 85–220; egfr ~ N(85 − 0.8 (age − 60), 18) mL/min/1.73 m², clipped to 10–130;
    diabetes 0/1 (25 %); bmi log-normal around 27 kg/m²; lab_1, lab_2, lab_3 standard normal.

    Generating model (log-odds; d = max(age − 45, 0) / 10, decades past 45; h = max(sbp − 120,
    0) / 20, steps of 20 mmHg past 120; k = max(90 − egfr, 0) / 15, steps of 15 below 90; every
    term centred over the cohort, the intercept set so that the mean risk is 30 %)::

        age               0.1 d
        sbp               0.1 h
        age & sbp         0.5 d h          per decade of age: 0.1 + 0.5 h
        egfr              0.3 k
        diabetes          0.4 diabetes
        egfr & diabetes   0.6 k diabetes   per step of eGFR: 0.3, or 0.9 in diabetics
        bmi               0.5 ((bmi − 27) / 6)²   U-shaped, not monotone
        lab_1 .. lab_3    0                noise features

    So per decade of age past 45 the log-odds rise by 0.1 at sbp ≤ 120, 0.6 at 140 and 1.6 at
    180; they never fall as age or sbp rise or as egfr falls, whatever the other features are.

    Returns
    -------
    X : DataFrame with age, sbp, egfr, diabetes, bmi, lab_1, lab_2, lab_3 (numeric, no NaN)
    y : ndarray of 0/1
    truth : with `return_truth=True`, each term's true, centred contribution to the log-odds per
        row (columns as in the generating model; their sum plus one intercept is the log-odds).
    """
    rng = np.random.default_rng(random_state)
    n = n_samples
    age = np.clip(rng.normal(60, 12, n), 35, 90).round()
    X = pd.DataFrame({
        "age": age,
        "sbp": np.clip(rng.normal(130 + 0.5 * (age - 60), 18), 85, 220).round(),
        "egfr": np.clip(rng.normal(85 - 0.8 * (age - 60), 18), 10, 130).round(),
        "diabetes": (rng.random(n) < 0.25).astype(np.int64),
        "bmi": np.clip(rng.lognormal(np.log(27), 0.18, n), 16, 50).round(1),
        **{f"lab_{j}": rng.normal(size=n) for j in (1, 2, 3)},
    })
    truth = interacting_effects(X)
    truth = truth - truth.mean()
    logit = truth.sum(axis=1).to_numpy()
    y = (rng.random(n) < logistic(logit + intercept_for_rate(logit, BASE_RATE))).astype(np.int64)
    if return_truth:
        return X, y, truth
    return X, y
