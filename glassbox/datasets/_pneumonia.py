"""A simulated community-acquired pneumonia cohort whose shapes reproduce published findings.

The real cohort behind the classic glass-box findings (Cooper et al. 1997; Fine et al. 1997;
Caruana et al., KDD 2015; Lengerich et al. 2022) is not public. This simulator writes down a
generating model, on the log-odds scale, whose shapes follow the odds ratios an Explainable
Boosting Machine found on that cohort, including the artefacts of treatment:

* treatment in the mechanism, not in X: patients with asthma, a history of chest pain, heart
  disease or chronic lung disease are admitted to intensive care more readily, which lowers
  their observed risk below that of other patients (the "asthma paradox");
* a creatinine paradox: risk rises with creatinine up to about 5 mg/dL, where dialysis starts,
  and falls above it;
* "death by round numbers": steps at the thresholds treatment protocols use (BUN 30/40,
  respiratory rate 40, systolic BP 80, creatinine 3.5 and 5, age 65);
* labs and vitals recorded mostly when abnormal, as in the real data;
* sex, race and insurance (a proxy for race and age) for the fairness case study.

The cohort is simulated: it is not patient data.
"""

import numpy as np
import pandas as pd

from ._cohort import Cohort, intercept_for_rate, loader_output, logistic

N_PATIENTS = 14_199
MORTALITY = 0.109
RACES = ["White", "Black", "Hispanic", "Asian", "Other"]
RACE_SHARES = [0.62, 0.18, 0.12, 0.05, 0.03]
INSURANCE = ["Medicare", "Medicaid", "Private", "Uninsured"]


def _curve(x, points):
    """Piecewise-linear curve through (x, log-odds) points, flat beyond the ends."""
    xs, ys = zip(*points)
    return np.interp(x, xs, ys)


def _record_when_abnormal(rng, values, abnormal, p_normal=0.35, p_abnormal=0.95):
    """The value where it was recorded and NaN elsewhere: abnormal values are recorded with
    probability `p_abnormal`, normal ones with `p_normal`."""
    recorded = rng.random(len(values)) < np.where(abnormal, p_abnormal, p_normal)
    return np.where(recorded, values, np.nan)


# The treatment mechanisms, as data: the flags whose patients get aggressive care, and the
# creatinine level at which dialysis starts. Each protective flag's observed effect (log-odds)
# is its untreated effect plus the effect of the care it triggers.
CARE = {  # flag: (prevalence, untreated effect, effect of aggressive care)
    "asthma": (0.08, 0.20, -0.45),
    "chest_pain_history": (0.15, 0.15, -0.48),
    "heart_disease": (0.22, 0.25, -0.41),
    "chronic_lung_disease": (0.20, 0.30, -0.44),
}
DIALYSIS = {"threshold": 5.2, "slope": 4.0}
"""Probability of dialysis at creatinine x: logistic(slope · (x − threshold))."""

HARMFUL = {  # flag: (prevalence, effect); the first four are the published EBM's odds ratios
    "cancer": (0.07, 0.62), "pneumothorax": (0.02, 0.55), "altered_mental_status": (0.12, 0.43),
    "congestive_heart_failure": (0.18, 0.25), "nursing_home_resident": (0.10, 0.70),
    "liver_disease": (0.04, 0.60), "renal_disease": (0.10, 0.20),
    "cerebrovascular_disease": (0.10, 0.30), "immunosuppressed": (0.06, 0.50),
    "pleural_effusion": (0.15, 0.45), "multilobar_infiltrate": (0.25, 0.50),
}
NULL_FLAGS = {"diabetes": 0.18, "smoker": 0.25, "alcohol_use": 0.08,
              "prior_pneumonia_admission": 0.15}


def _creatinine_untreated(x):
    """Untreated creatinine effect: U-shaped at the low end (frailty), rising with renal failure,
    with a small step at the scoring-system cutoff of 3.5 mg/dL."""
    return (_curve(x, [(0.3, 0.37), (0.5, 0.25), (0.8, 0.14), (1.2, 0.14), (2.0, 0.30),
                       (2.5, 0.45), (4.5, 0.56), (5.0, 0.64), (6.0, 0.75), (8.0, 0.90),
                       (12.0, 1.00)])
            + 0.06 * (x >= 3.5))


def _creatinine_treated(x):
    """Effect with dialysis: risk of the kidney failure largely removed."""
    return _curve(x, [(5.0, 0.30), (5.5, 0.18), (8.0, 0.12), (10.0, 0.0)])


def _simulate(n, rng):
    age = np.clip(rng.normal(70, 15, n), 18, 104).round()
    male = rng.random(n) < 0.52
    race = rng.choice(RACES, size=n, p=RACE_SHARES)
    black_or_hispanic = np.isin(race, ["Black", "Hispanic"])
    insurance = np.where(age >= 65, "Medicare", np.where(
        rng.random(n) < np.where(black_or_hispanic, 0.45, 0.18), "Medicaid",
        np.where(rng.random(n) < np.where(black_or_hispanic, 0.25, 0.12), "Uninsured",
                 "Private")))
    acuity = rng.normal(size=n)  # how sick on arrival: moves vitals, labs and findings together
    flags = {name: rng.random(n) < prevalence
             for name, (prevalence, *_) in {**CARE, **HARMFUL}.items()}
    for name in ("altered_mental_status", "multilobar_infiltrate", "pleural_effusion"):
        prevalence = HARMFUL[name][0]  # more likely the sicker the patient
        flags[name] = rng.random(n) < logistic(np.log(prevalence / (1 - prevalence))
                                               + 1.3 * acuity)
    flags["renal_disease"] = rng.random(n) < np.where(race == "Black", 0.16, 0.09)
    flags.update({name: rng.random(n) < p for name, p in NULL_FLAGS.items()})

    resp = np.clip(rng.normal(25, 5.5, n) + 6.5 * acuity, 10, 60).round()
    sbp = np.clip(rng.normal(128, 18, n) - 20 * acuity, 45, 230).round()
    dbp = np.clip(0.55 * sbp + rng.normal(4, 9, n), 25, 130).round()
    heart_rate = np.clip(rng.normal(98, 14, n) + 15 * acuity, 40, 180).round()
    temperature = np.clip(rng.normal(37.9, 1.0, n), 34.0, 41.5).round(1)
    o2_saturation = np.clip(rng.normal(93, 3, n) - 4 * acuity, 60, 100).round()
    renal = flags["renal_disease"]
    creatinine = np.clip(rng.lognormal(np.log(np.where(renal, 2.6, 1.05)),
                                       np.where(renal, 0.75, 0.55), n), 0.2, 15)
    bun = np.clip(rng.lognormal(np.log(np.where(renal, 45, 20)) + 0.35 * acuity, 0.45, n)
                  + 2.0 * np.log(creatinine + 1), 2, 180)
    sodium = np.clip(rng.normal(137, 5, n), 112, 160).round()
    glucose = np.clip(rng.lognormal(np.log(135), 0.4, n), 35, 900).round()
    ph = np.clip(rng.normal(7.40, 0.035, n) - 0.065 * acuity, 6.9, 7.7).round(2)
    hematocrit = np.clip(rng.normal(38, 5.5, n), 15, 60).round(1)
    wbc = np.clip(rng.lognormal(np.log(11), 0.45, n), 0.5, 60).round(1)
    po2 = np.clip(rng.normal(72, 12, n) - 15 * acuity, 30, 200).round()
    potassium = np.clip(rng.normal(4.2, 0.6, n), 2.2, 7.5).round(1)
    albumin = np.clip(rng.normal(3.4, 0.6, n), 1.2, 5.2).round(1)
    platelets = np.clip(rng.lognormal(np.log(240), 0.35, n), 10, 900).round()
    bicarbonate = np.clip(rng.normal(24, 4, n), 8, 40).round()

    p_dialysis = logistic(DIALYSIS["slope"] * (creatinine - DIALYSIS["threshold"]))
    untreated_creatinine = _creatinine_untreated(creatinine)
    bun_women = 0.05 + 0.51 * np.clip((bun - 30) / 20, 0, 1)  # continuous rise, 30 to 50
    bun_men = 0.05 + 0.20 * np.clip((bun - 30) / 7, 0, 1) + 0.36 * (bun >= 40)  # step at 40
    effects = {
        "age": _curve(age, [(18, 0.0), (65, 0.0), (70, 0.30), (75, 0.47), (83, 0.59),
                            (90, 0.74), (104, 0.80)]),
        "sex_bun": (bun_women, bun_men),
        "creatinine": (1 - p_dialysis) * untreated_creatinine
        + p_dialysis * _creatinine_treated(creatinine),
        "respiration_rate": _curve(resp, [(28, 0.0), (32, 0.26), (36, 0.53), (39.9, 0.53)])
        + np.where(resp >= 40, _curve(resp, [(40, 0.74), (44, 0.88)]) - 0.53, 0.0),
        "systolic_bp": _curve(sbp, [(54, 1.10), (55, 0.69), (65, 0.69), (70, 0.53), (78, 0.53),
                                    (79.9, 0.45), (85, 0.37), (95, 0.0)])
        + 0.08 * (sbp < 80),
        "heart_rate": 0.50 * logistic((heart_rate - 125) / 4),
        "temperature": 0.40 * (temperature < 36.0) + 0.25 * (temperature > 40.0),
        "o2_saturation": 0.60 * logistic((90 - o2_saturation) / 2),
        "sodium": 0.50 * (sodium < 130) + 0.30 * (sodium > 148),
        "glucose": 0.40 * (glucose >= 250),
        "ph": 1.00 * logistic((7.35 - ph) / 0.02),
        "hematocrit": 0.40 * (hematocrit < 30),
        "wbc": 0.40 * (wbc < 4) + 0.30 * (wbc > 25),
        "po2": 0.70 * logistic((60 - po2) / 4),
        "albumin": 0.60 * (albumin < 2.5),
        "race": np.where(race == "Black", 0.20, 0.0),  # unmeasured access to care
        "insurance": np.where(insurance == "Uninsured", 0.15, 0.0),
    }
    effects.update({name: np.where(flags[name], untreated + care, 0.0)
                    for name, (_, untreated, care) in CARE.items()})
    effects.update({name: np.where(flags[name], effect, 0.0)
                    for name, (_, effect) in HARMFUL.items()})

    # BUN × sex, purified: BUN's main effect is the average over sexes, the pair holds the rest
    share = male.mean()
    women, men = effects.pop("sex_bun")
    difference = men - women
    effects["bun"] = women + share * difference
    effects["sex"] = np.where(male, 0.10, 0.0) + (male - share) * difference.mean()
    effects["bun & sex"] = (male - share) * (difference - difference.mean())

    columns = {
        "age": age, "sex": np.where(male, "male", "female"), "race": race,
        "insurance": insurance,
        **{name: flags[name].astype(np.int64) for name in [*CARE, *HARMFUL, *NULL_FLAGS]},
        "respiration_rate": resp, "systolic_bp": sbp, "diastolic_bp": dbp,
        "heart_rate": heart_rate, "temperature": temperature,
        "o2_saturation": o2_saturation,
        "bun": _record_when_abnormal(rng, bun, bun >= 30),
        "creatinine": _record_when_abnormal(rng, creatinine, creatinine >= 1.5, 0.85, 0.97),
        "sodium": _record_when_abnormal(rng, sodium, (sodium < 130) | (sodium > 148)),
        "glucose": _record_when_abnormal(rng, glucose, glucose >= 250),
        "ph": _record_when_abnormal(rng, ph, ph < 7.35),
        "hematocrit": _record_when_abnormal(rng, hematocrit, hematocrit < 30),
        "wbc": _record_when_abnormal(rng, wbc, (wbc < 4) | (wbc > 25)),
        "po2": _record_when_abnormal(rng, po2, po2 < 60),
        "potassium": _record_when_abnormal(rng, potassium, (potassium < 3.0) | (potassium > 5.5)),
        "albumin": _record_when_abnormal(rng, albumin, albumin < 2.5),
        "platelets": _record_when_abnormal(rng, platelets, platelets < 100),
        "bicarbonate": _record_when_abnormal(rng, bicarbonate, bicarbonate < 18),
    }
    X = pd.DataFrame(columns)
    for name, levels in (("sex", ["female", "male"]), ("race", RACES),
                         ("insurance", INSURANCE)):
        X[name] = pd.Categorical(X[name], categories=levels)
    names = [c for c in X.columns if c in effects] + ["bun & sex"]
    truth = pd.DataFrame({name: effects.get(name, np.zeros(n)) for name in X.columns}
                         | {"bun & sex": effects["bun & sex"]})
    truth = truth[list(X.columns) + ["bun & sex"]]
    truth = truth - truth.mean()
    logit = truth.sum(axis=1).to_numpy()
    y = (rng.random(n) < logistic(logit + intercept_for_rate(logit, MORTALITY))).astype(np.int64)
    mechanisms = {
        "aggressive_care": {name: {"prevalence": p, "untreated_effect": u, "care_effect": c,
                                   "observed_effect": u + c} for name, (p, u, c) in CARE.items()},
        "dialysis": {**DIALYSIS, "feature": "creatinine",
                     "untreated_effect": untreated_creatinine - untreated_creatinine.mean(),
                     "p_dialysis": p_dialysis},
        "recorded_when_abnormal": ["bun", "creatinine", "sodium", "glucose", "ph", "hematocrit",
                                   "wbc", "po2", "potassium", "albumin", "platelets",
                                   "bicarbonate"],
        "terms_with_effect": [name for name in names if np.ptp(truth[name]) > 0],
    }
    return Cohort(X, y, truth, mechanisms)


DESCR = """Simulated community-acquired pneumonia cohort (glassbox.datasets.load_pneumonia)
=========================================================================================

SIMULATED DATA, NOT PATIENT DATA. 14,199 inpatients, 30-day mortality about 10.9 %, 41
features: age, sex, race, insurance; 19 history and chest x-ray flags; 6 vital signs; 12 labs
(recorded mostly when abnormal, missing otherwise).

The generating model is additive on the log-odds scale; `return_truth=True` gives every term's
contribution per row and the treatment mechanisms. Its shapes follow the odds ratios an
Explainable Boosting Machine found on the real cohort of 14,199 patients (Cooper et al. 1997;
Caruana et al., KDD 2015; Lengerich et al. 2022): age (1.0 to 65, 1.35 at 70, 1.6 at 75, 1.8 at
82-85, 2.1 at 88-95), BUN (steep rise from 30 to 37, plateau 1.75 from 40; a step at 40 in men,
a continuous rise in women), creatinine (frailty U-shape below 0.5, peak 1.9 near 5, a fall to
1.2 above 5.5 and 1.0 above 10 as dialysis starts), respiration rate (a jump at 40), systolic BP
(3.0 below 55 ... 1.45 at 80-85), protective-looking asthma 0.78, chest-pain history 0.72,
chronic lung disease 0.87 and heart disease (their patients get aggressive care), harmful
cancer 1.85, pneumothorax 1.73, altered mental status 1.53, congestive heart failure 1.28.
Race has a small direct effect (unmeasured access to care) and insurance is a proxy for race
and age. See data/pneumonia.md for the full data card.
"""


def load_pneumonia(*, return_X_y=False, as_frame=True, return_truth=False,
                   n_samples=N_PATIENTS, random_state=0):
    """Load the simulated pneumonia-mortality cohort (see `DESCR`, and data/pneumonia.md).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return `(X, y)` (and `truth` with `return_truth=True`) instead of a Bunch.
    as_frame : bool, default=True
        pandas DataFrame and Series (categorical sex, race, insurance); False gives numpy arrays.
    return_truth : bool, default=False
        Also return each true term's centred contribution to the log-odds per row (a DataFrame,
        one column per feature and one for the pair "bun & sex") and, in the Bunch, the
        treatment mechanisms (`mechanisms`).
    n_samples : int, default=14_199
    random_state : int, default=0
        The cohort is a deterministic function of the seed.

    Returns
    -------
    Bunch with data, target (1 = died within 30 days), frame, feature_names, target_names,
    DESCR (and truth, mechanisms), or a tuple.
    """
    cohort = _simulate(int(n_samples), np.random.default_rng(random_state))
    return loader_output(cohort, name="pneumonia", target_name="died", description=DESCR,
                         return_X_y=return_X_y, as_frame=as_frame, return_truth=return_truth)
