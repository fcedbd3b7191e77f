"""Simulated risk cohorts whose true log-odds is written down term by term.

Every effect is a known function of one or two features, so a fitted model's recovery of each shape
can be measured. The cohorts are simulated: they are not patient data.
"""

import numpy as np
import pandas as pd

from ._cohort import intercept_for_rate

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
    fifth of them (`lab_14`, `lab_19`, ...) has no effect of its value. `missing_rate` of the
    values of `bmi`, `creatinine` and `lab_*` columns are missing (not at random: the effect of
    missingness is +0.3 on the log-odds), so a null lab's truth column is constant wherever the
    lab is observed and differs only on its missing rows. The pairs are drawn by `random_state`:
    rows for checking a fit must come from the same call (e.g. a held-out block), not a new seed.

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
    logit = logit + intercept_for_rate(logit, base_rate)
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    frame = pd.DataFrame(X, columns=names)
    if "admission_type" in frame:
        frame["admission_type"] = pd.Categorical(frame["admission_type"],
                                                 categories=list(_ADMISSION_TYPES))
    return frame, y, truth


def _standardise(x):
    filled = np.where(np.isnan(x), np.nanmean(x), x)
    return (filled - filled.mean()) / filled.std()


def make_threshold_cohort(n_samples=30_000, random_state=None, return_truth=False):
    """A simulated cohort with planted treatment-threshold artefacts and known smooth effects.

    Planted, in log-odds: steps at round-number cutoffs (age >= 65: +0.7, systolic BP < 90:
    +0.9, respiratory rate >= 30: +0.6, BUN >= 40: +0.6) and a counter-causal drop (creatinine
    raises risk up to 5 mg/dL, then risk falls by 0.7 between 5 and 5.5 mg/dL and stays lower,
    as when severe values trigger dialysis; the shape reported for pneumonia mortality).
    heart_rate, sodium and glucose have smooth effects and lab_1 .. lab_4 none.

    Returns
    -------
    X : DataFrame
    y : ndarray of 0/1
    planted : DataFrame with columns feature, kind ("step" or "decline"), location, size
        (log-odds; for a decline, where it starts). With `return_truth=True`, instead a DataFrame
        of each feature's true, centred contribution to the log-odds per row (as
        `make_risk_cohort` returns; all zero for lab_1 .. lab_4).
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
    effects = {
        "age": 0.7 * (X["age"] >= 65),
        "sbp": 0.9 * (X["sbp"] < 90),
        "resp_rate": 0.6 * (X["resp_rate"] >= 30),
        "bun": 0.6 * (X["bun"] >= 40),
        "creatinine": 0.3 * np.minimum(creatinine, 5) - 0.7 * np.clip((creatinine - 5) / 0.5, 0, 1),
        "heart_rate": 0.6 / (1 + np.exp(-(X["heart_rate"] - 110) / 10)),
        "sodium": 0.01 * (X["sodium"] - 138) ** 2 / 2,
        "glucose": 0.3 * np.log(X["glucose"] / 120),
        **{f"lab_{k}": np.zeros(n) for k in range(1, 5)},
    }
    effects = {name: np.asarray(effect, dtype=float) for name, effect in effects.items()}
    logit = sum(effects.values())
    logit = logit + intercept_for_rate(logit, 0.15)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    if return_truth:
        return X, y, pd.DataFrame({k: v - v.mean() for k, v in effects.items()})
    planted = pd.DataFrame([
        ("age", "step", 65.0, 0.7), ("sbp", "step", 90.0, -0.9),
        ("resp_rate", "step", 30.0, 0.6), ("bun", "step", 40.0, 0.6),
        ("creatinine", "decline", 5.0, -0.7),
    ], columns=["feature", "kind", "location", "size"])
    return X, y, planted


_NULL_CORRELATIONS = {"n1": ("s1", 0.9), "n2": ("s2", 0.8), "n3": ("s4", 0.7),
                      "n4": ("s5", 0.85), "n5": ("z1", 0.8), "n6": ("s3", 0.75)}
_GROUP_EFFECT = {"a": -0.3, "b": 0.0, "c": 0.4, "d": 0.8}


def make_null_cohort(n_samples=20_000, base_rate=0.15, random_state=None):
    """A simulated cohort built to tempt a model into shapes that are not there.

    Twenty features; fourteen have no main effect. Planted, in log-odds:

    * main effects of six features: `s1` 0.6·sin(1.5·s1); `s2` a step of +0.7 above 0.8; `s3`
      linear 0.4·s3 (correlated r≈0.6 with s1); `s4` 0.25·s4²; `s5` a sigmoid rising by 0.9
      around 0.5 (correlated r≈0.5 with s4); `s6` a four-level category (a −0.3, b 0, c +0.4,
      d +0.8);
    * one pure interaction, 0.8·clip(z1·z2, −3, 3): `z1` and `z2` are independent standard
      normals, so the pair averages to zero along either feature and neither has a main effect;
    * twelve null features with no effect at all: `n1`..`n6` are correlated with a feature that
      has an effect (n1–s1 r=0.9, n2–s2 0.8, n3–s4 0.7, n4–s5 0.85, n5–z1 0.8, n6–s3 0.75);
      `n7`..`n12` are independent (uniform, skewed, counts, binary, normal, a category).

    Returns
    -------
    X : DataFrame (n_samples, 20); `s6` and `n12` are categorical, the rest numeric, no NaN.
    y : ndarray of 0/1
    truth : DataFrame of each term's true, centred contribution to the log-odds: one column per
        feature (all zero for the null features and for z1, z2) and one for "z1 & z2".
    """
    rng = np.random.default_rng(random_state)
    n = n_samples

    def correlated(parent, r):
        return r * parent + np.sqrt(1 - r ** 2) * rng.normal(size=n)

    X = {"s1": rng.normal(size=n), "s2": rng.normal(size=n), "s4": rng.normal(size=n),
         "z1": rng.normal(size=n), "z2": rng.normal(size=n)}
    X["s3"] = correlated(X["s1"], 0.6)
    X["s5"] = correlated(X["s4"], 0.5)
    X["s6"] = rng.choice(list(_GROUP_EFFECT), size=n, p=[0.4, 0.3, 0.2, 0.1])
    for name, (parent, r) in _NULL_CORRELATIONS.items():
        X[name] = correlated(X[parent], r)
    X.update({"n7": rng.uniform(0, 100, n), "n8": rng.lognormal(0, 0.8, n),
              "n9": rng.poisson(3, n).astype(float), "n10": (rng.random(n) < 0.3).astype(float),
              "n11": rng.normal(size=n), "n12": rng.choice(["x", "y", "z"], size=n)})

    effects = {
        "s1": 0.6 * np.sin(1.5 * X["s1"]),
        "s2": np.where(X["s2"] > 0.8, 0.7, 0.0),
        "s3": 0.4 * X["s3"],
        "s4": 0.25 * X["s4"] ** 2,
        "s5": 0.9 / (1 + np.exp(-3 * (X["s5"] - 0.5))),
        "s6": np.vectorize(_GROUP_EFFECT.get)(X["s6"]).astype(float),
        "z1 & z2": 0.8 * np.clip(X["z1"] * X["z2"], -3, 3),
    }
    names = ["s1", "s2", "s3", "s4", "s5", "s6", "z1", "z2", *[f"n{k}" for k in range(1, 13)]]
    truth = pd.DataFrame({name: effects.get(name, np.zeros(n)) for name in names}
                         | {"z1 & z2": effects["z1 & z2"]})
    truth = truth - truth.mean()
    logit = truth.sum(axis=1).to_numpy()
    logit = logit + intercept_for_rate(logit, base_rate)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    frame = pd.DataFrame({name: X[name] for name in names})
    frame["s6"] = pd.Categorical(frame["s6"], categories=list(_GROUP_EFFECT))
    frame["n12"] = pd.Categorical(frame["n12"], categories=["x", "y", "z"])
    return frame, y, truth


def make_proxy_cohort(n_samples=20_000, random_state=None, return_truth=False):
    """A simulated cohort where a sensitive attribute acts directly and through a proxy.

    `group` (A 70 %, B 30 %) is the sensitive attribute. Planted, in log-odds: age
    0.04·(age − 60), systolic BP 0.02·(sbp − 130), a lab value 0.5·sin(lab), group B +0.6, a
    group × age interaction (+0.3 per 12 years above 60 in group B), and an unmeasured social
    risk `u` (0.5·u, not in X). `deprivation` is the proxy: it depends on the group (+0.9 in B)
    and on the unmeasured risk (0.6·u), so a model without `group` can recover much of its
    effect from it, and some of it is genuine risk. `insurance` (public/private) depends on the
    group only and has no effect. The event rate is about 30 %, so decisions at a probability of
    0.5 select a sizeable share.

    Returns
    -------
    X : DataFrame with age, sbp, lab, deprivation, insurance (categorical), group (categorical)
    y : ndarray of 0/1
    truth : with `return_truth=True`, each term's true, centred contribution to the log-odds
        (columns age, sbp, lab, group, "age & group", and "unmeasured" for u).
    """
    rng = np.random.default_rng(random_state)
    n = n_samples
    b = rng.random(n) < 0.3
    u = rng.normal(size=n)
    age = np.clip(rng.normal(60, 12, n), 18, 95).round()
    sbp = np.clip(rng.normal(130, 18, n), 80, 210).round()
    lab = rng.normal(size=n)
    X = pd.DataFrame({
        "age": age, "sbp": sbp, "lab": lab,
        "deprivation": 0.9 * b + 0.6 * u + rng.normal(0, 0.6, n),
        "insurance": pd.Categorical(np.where(rng.random(n) < 0.3 + 0.4 * b, "public",
                                             "private"), categories=["private", "public"]),
        "group": pd.Categorical(np.where(b, "B", "A"), categories=["A", "B"]),
    })
    truth = pd.DataFrame({"age": 0.04 * (age - 60), "sbp": 0.02 * (sbp - 130),
                          "lab": 0.5 * np.sin(lab), "group": 0.6 * b,
                          "age & group": 0.3 * b * (age - 60) / 12, "unmeasured": 0.5 * u})
    truth = truth - truth.mean()
    logit = truth.sum(axis=1).to_numpy()
    logit = logit + intercept_for_rate(logit, 0.3)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    if return_truth:
        return X, y, truth
    return X, y


def make_coded_cohort(n_samples=30_000, random_state=None, return_truth=False):
    """A simulated cohort of coded features only, as claims and registry extracts hold them:
    every row is one of 1,080 combinations, so rows repeat (what the data-parallel estimators'
    `compress="auto"` exploits).

    Features: age_band 0–8 and dx (a diagnosis group) 0–11, both as numbers; sex ("f", "m");
    region ("a".."e", no effect). Planted, in log-odds: −2 + 0.2·age_band + 0.3·[sex = m] +
    0.1·dx − 0.02·age_band·dx (the last an interaction).

    Returns
    -------
    X : DataFrame with age_band, sex, region, dx
    y : ndarray of 0/1
    truth : with `return_truth=True`, each term's true, centred contribution to the log-odds
        (columns age_band, sex, dx, "age_band & dx").
    """
    rng = np.random.default_rng(random_state)
    n = n_samples
    X = pd.DataFrame({"age_band": rng.integers(0, 9, n).astype(float),
                      "sex": rng.choice(["f", "m"], n), "region": rng.choice(list("abcde"), n),
                      "dx": rng.integers(0, 12, n).astype(float)})
    truth = pd.DataFrame({"age_band": 0.2 * X.age_band, "sex": 0.3 * (X.sex == "m"),
                          "dx": 0.1 * X.dx, "age_band & dx": -0.02 * X.age_band * X.dx})
    logit = -2 + truth.sum(axis=1).to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    if return_truth:
        return X, y, truth - truth.mean()
    return X, y
