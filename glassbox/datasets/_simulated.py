"""Simulated risk cohorts whose true log-odds is written down term by term.

Every effect is a known function of one or two features, so a fitted model's recovery of each shape
can be measured. The cohorts are simulated: they are not patient data.
"""

import numpy as np
import pandas as pd

_ADMISSION_TYPES = np.array(["elective", "urgent", "emergency", "transfer"])
_ADMISSION_EFFECT = {"elective": -0.4, "urgent": 0.0, "emergency": 0.5, "transfer": 0.3}


def _clinical_columns(rng, n):
    """Draw the named clinical columns and return them with their true main effects (log-odds)."""
    age = np.clip(rng.normal(62, 16, n), 18, 100).round()
    bmi = np.clip(rng.lognormal(np.log(27), 0.2, n), 14, 60)
    sbp = np.clip(rng.normal(128, 22, n), 60, 220).round()
    heart_rate = np.clip(rng.normal(88, 18, n), 35, 180).round()
    resp_rate = np.clip(rng.normal(20, 5, n), 8, 50).round()
    creatinine = np.clip(rng.lognormal(np.log(1.0), 0.55, n), 0.2, 12)
    bun = np.clip(rng.lognormal(np.log(18), 0.55, n), 3, 150)
    sodium = np.clip(rng.normal(138, 4.5, n), 115, 160).round()
    smoker = rng.random(n) < 0.25
    admission = rng.choice(_ADMISSION_TYPES, size=n, p=[0.35, 0.3, 0.3, 0.05])
    columns = {
        "age": (age, 0.045 * np.maximum(age - 50, 0) - 0.0004 * np.maximum(age - 50, 0) ** 2),
        "bmi": (bmi, 0.004 * (bmi - 25) ** 2 - 0.02 * (bmi - 25)),
        "sbp": (sbp, np.where(sbp < 90, 1.2, 0.0) + 0.01 * np.maximum(sbp - 150, 0)),
        "heart_rate": (heart_rate, 0.9 / (1 + np.exp(-(heart_rate - 120) / 6))),
        "resp_rate": (resp_rate, np.where(resp_rate >= 30, 0.8, 0.0)),
        "creatinine": (creatinine, 0.5 * np.log(creatinine) + 0.4 * np.sin(creatinine)),
        "bun": (bun, np.where(bun >= 30, 0.6, 0.0)),
        "sodium": (sodium, 0.015 * (sodium - 138) ** 2 / 4),
        "smoker": (smoker, np.where(smoker, 0.35, 0.0)),
        "admission_type": (admission, np.vectorize(_ADMISSION_EFFECT.get)(admission).astype(float)),
    }
    return columns


def make_risk_cohort(n_samples=10_000, n_features=20, n_interactions=3, missing_rate=0.05,
                     base_rate=0.15, random_state=None):
    """A simulated binary-outcome cohort with nonlinear main effects and pairwise interactions.

    The first ten columns carry clinical names (age, vitals, labs, a bool smoker flag, a string
    admission type); columns beyond ten are `lab_k` draws with smooth or step effects, and every
    fifth of them has no effect. `missing_rate` of the values of `bmi`, `creatinine` and `lab_*`
    columns are missing (not at random: the effect of missingness is +0.3 on the log-odds).

    Returns
    -------
    X : DataFrame (n_samples, n_features)
    y : ndarray of 0/1
    truth : DataFrame of each term's true, centred contribution to the log-odds, one column per
        main effect (named after its feature) and one per interaction ("a & b").
    """
    if n_features < 2:
        raise ValueError(f"n_features must be at least 2, got {n_features}.")
    rng = np.random.default_rng(random_state)
    columns = _clinical_columns(rng, n_samples)
    names = list(columns)[:n_features]
    X = {name: columns[name][0] for name in names}
    effects = {name: columns[name][1] for name in names}
    for k in range(len(names), n_features):
        name = f"lab_{k}"
        x = rng.normal(0, 1, n_samples)
        kind = k % 5
        effect = [np.sin(2 * x) * 0.5, np.where(x > 0.5, 0.5, 0.0), 0.3 * x, 0.2 * x ** 2,
                  np.zeros(n_samples)][kind]
        X[name], effects[name] = x, effect
        names.append(name)

    numeric = [n for n in names if n not in ("smoker", "admission_type")]
    for name in numeric:
        if name in ("bmi", "creatinine") or name.startswith("lab_"):
            missing = rng.random(n_samples) < missing_rate
            effects[name] = np.where(missing, 0.3, effects[name])
            X[name] = np.where(missing, np.nan, X[name])

    pair_candidates = [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1:]]
    chosen = rng.choice(len(pair_candidates), size=min(n_interactions, len(pair_candidates)),
                        replace=False)
    for idx in chosen:
        a, b = pair_candidates[idx]
        za = _standardise(X[a])
        zb = _standardise(X[b])
        effects[f"{a} & {b}"] = 0.6 * np.clip(za * zb, -3, 3)

    truth = pd.DataFrame({k: v - v.mean() for k, v in effects.items()})
    logit = truth.sum(axis=1).to_numpy()
    logit = logit + _intercept_for_rate(logit, base_rate)
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    frame = pd.DataFrame(X, columns=names)
    if "admission_type" in frame:
        frame["admission_type"] = pd.Categorical(frame["admission_type"],
                                                 categories=list(_ADMISSION_TYPES))
    return frame, y, truth


def _standardise(x):
    filled = np.where(np.isnan(x), np.nanmean(x), x)
    return (filled - filled.mean()) / filled.std()


def _intercept_for_rate(logit, rate):
    """The intercept that makes the mean risk equal `rate` (bisection on a monotone function)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(logit + mid)))) < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def make_threshold_cohort(n_samples=30_000, random_state=None):
    """A simulated cohort with planted treatment-threshold artefacts and known smooth effects.

    Planted, in log-odds: steps at round-number cutoffs (age >= 65: +0.7, systolic BP < 90:
    +0.9, respiratory rate >= 30: +0.6, BUN >= 40: +0.6) and a counter-causal drop (creatinine
    raises risk up to 5 mg/dL, then risk falls by 0.7 between 5 and 5.5 mg/dL and stays lower,
    as when severe values trigger dialysis; the shape reported for pneumonia mortality). heart_rate, sodium and glucose have smooth effects and
    lab_1 .. lab_4 none.

    Returns
    -------
    X : DataFrame
    y : ndarray of 0/1
    planted : DataFrame with columns feature, kind ("step" or "decline"), location, size
        (log-odds; for a decline, where it starts).
    """
    rng = np.random.default_rng(random_state)
    n = n_samples
    X = pd.DataFrame({
        "age": np.clip(rng.normal(62, 15, n), 18, 100).round(),
        "sbp": np.clip(rng.normal(125, 22, n), 60, 220).round(),
        "resp_rate": np.clip(rng.normal(22, 6, n), 8, 50).round(),
        "bun": np.clip(rng.lognormal(np.log(22), 0.6, n), 3, 150),
        "creatinine": np.clip(rng.lognormal(np.log(1.6), 0.7, n), 0.3, 12),
        "heart_rate": np.clip(rng.normal(90, 18, n), 35, 180).round(),
        "sodium": np.clip(rng.normal(138, 5, n), 115, 160).round(),
        "glucose": np.clip(rng.lognormal(np.log(120), 0.35, n), 40, 600),
        **{f"lab_{k}": rng.normal(size=n) for k in range(1, 5)},
    })
    creatinine = X["creatinine"].to_numpy()
    logit = (0.7 * (X["age"] >= 65) + 0.9 * (X["sbp"] < 90) + 0.6 * (X["resp_rate"] >= 30)
             + 0.6 * (X["bun"] >= 40)
             + 0.3 * np.minimum(creatinine, 5) - 0.7 * np.clip((creatinine - 5) / 0.5, 0, 1)
             + 0.6 / (1 + np.exp(-(X["heart_rate"] - 110) / 10))
             + 0.01 * (X["sodium"] - 138) ** 2 / 2 + 0.3 * np.log(X["glucose"] / 120)).to_numpy()
    logit = logit + _intercept_for_rate(logit, 0.15)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    planted = pd.DataFrame([
        ("age", "step", 65.0, 0.7), ("sbp", "step", 90.0, -0.9),
        ("resp_rate", "step", 30.0, 0.6), ("bun", "step", 40.0, 0.6),
        ("creatinine", "decline", 5.0, -0.7),
    ], columns=["feature", "kind", "location", "size"])
    return X, y, planted
