"""A simulated severe-maternal-morbidity (SMM) cohort, after Lengerich, Caruana, Souter et al.

The cohort is SIMULATED: no row is a patient. Its generating model is written down here, term by
term, and grounded on the figures published for the real cohort (32,203 nulliparous, term,
singleton, vertex births in 17 hospitals; Am J Obstet Gynecol 2021 and AJOG MFM 2024), so that the
case study runs anywhere and every fitted shape can be checked against the shape that made the data.

The generating model, the published fact each effect reproduces and the columns are in `DESCR`
(and in the data card, data/maternal_morbidity.md). In short: the log-odds of SMM is an intercept
(set so that the mean risk is 1.2 %) plus one centred term per feature; birthweight and maternal
height act mainly through their ratio, a steep sigmoid in g/cm; admission-to-complete-dilation time
is flat to 12 h and rises smoothly after it; second-stage duration steps up at 4 h, the cutoff at
which intervention is triggered.
"""

import numpy as np
import pandas as pd

from ._cohort import Cohort, intercept_for_rate, loader_output, logistic

PREVALENCE = 0.012
HEIGHT_MEAN, HEIGHT_SD = 162.6, 6.4

# The true effects (log-odds), named so the docs, the truth and the tests share one set of numbers.
RATIO_RISE, RATIO_MIDPOINT, RATIO_SCALE = 2.2, 23.5, 0.6
DILATION_RISE, DILATION_ONSET, DILATION_SCALE = 2.0, 12.0, 4.0
SECOND_STAGE_SLOPE, SECOND_STAGE_CAP = 0.05, 6.0
SECOND_STAGE_CUTOFF, SECOND_STAGE_STEP = 4.0, 0.8
HEIGHT_SLOPE = -0.045
PREECLAMPSIA_LOG_OR = 1.0
IVF_LOG_OR = np.log(1.5)

RACES = ["White", "Black", "Hispanic", "Asian", "Other"]
_RACE_SHARE = np.array([0.50, 0.15, 0.20, 0.10, 0.05])
_RACE_HEIGHT = np.array([1.5, 1.0, -2.0, -3.5, 0.0])  # cm, before re-centring on HEIGHT_MEAN
_RACE_EFFECT = {"White": 0.0, "Black": 0.2, "Hispanic": 0.0, "Asian": 0.0, "Other": 0.0}

FEATURES = ["maternal_age", "paternal_age", "race", "maternal_height_cm", "bmi", "ivf",
            "preeclampsia", "gestational_age_wk", "induction", "epidural", "infant_male",
            "birthweight_g", "birthweight_height_ratio", "admission_to_dilation_h",
            "second_stage_h"]
NULL_FEATURES = ["paternal_age", "infant_male"]

DESCR = """\
Severe maternal morbidity (SMM), SIMULATED cohort
=================================================

SIMULATED DATA, NOT PATIENT DATA. Every row is drawn from the generating model below, which is
grounded on figures published for a real cohort (Lengerich, Caruana, Souter et al., Am J Obstet
Gynecol 2021; AJOG MFM 2024): 32,203 nulliparous, term, singleton, vertex births across 17
hospitals, SMM prevalence 1.2 %. The real cohort is not public; this one reproduces its published
findings with known true shapes, so a model's recovery of each effect can be measured.

Population: every birth is nulliparous, term (37-42 weeks), singleton and vertex, so these are not
columns. (Nulliparity's published aOR of about 1.5 therefore cannot act here.)

Target: smm (1 = severe maternal morbidity: hysterectomy, transfusion, DIC, amniotic-fluid embolism,
thromboembolism, eclampsia and similar). Prevalence 1.2 % (national rate 1.44 %).

Generating model (log-odds; each term centred over the cohort, intercept set so that the mean risk
is 1.2 %; sigma is the logistic function, softplus(x) = log(1 + e^x)):

  birthweight_height_ratio  2.2 * sigma((ratio - 23.5) / 0.6)        ratio in g/cm
  admission_to_dilation_h   2.0 * (1 - exp(-((max(t - 12, 0)) / 4)^2 / 2))
  maternal_height_cm        -0.045 * (height - 162.6)
  preeclampsia              +1.0 if pre-eclampsia / gestational hypertension
  second_stage_h            0.05 * min(s, 6) + 0.8 * [s >= 4]
  induction                 +0.2;  epidural +0.1
  maternal_age              0.04 * softplus(age - 32)
  gestational_age_wk        0.06 * (GA - 39)
  birthweight_g             0.3 * sigma((birthweight - 4000) / 150)
  race                      +0.2 for Black, 0 otherwise
  bmi                       0.03 * softplus(bmi - 30)
  ivf                       +log(1.5)
  paternal_age, infant_male 0 (null features)

Published facts reproduced:
  - Strongest predictors, in order: birthweight, admission-to-complete-dilation time, maternal
    height, pre-eclampsia / gestational hypertension, second-stage duration. The true terms' mean
    absolute contributions follow that order: ratio 0.57 (carrying birthweight), admission to
    dilation 0.33, height 0.23, pre-eclampsia 0.19, second stage 0.15; every other term <= 0.09.
  - The ratio birthweight / maternal height ranked #1, above pre-eclampsia: the truth depends on
    birthweight and height mainly through the ratio (a steep sigmoid that no sum of a birthweight
    and a height shape reproduces), with small separate effects of each.
  - Scale: ratio about 20.8 g/cm (SD 3.1); maternal height about 162.6 cm (SD 6.4).
  - Risk rises smoothly once admission-to-full-dilation passes 12 h (flat before), but steps up
    by 0.8 at 4 h of second stage, the cutoff at which intervention (operative delivery) is
    triggered; 75 % of labours that would pass 4 h end within about 0.4 h after it.
  - IVF aOR 1.5.
  Not from the publications: race's small effect and its links to height, BMI and pre-eclampsia
  (present for fairness analyses), the other small effects and the feature distributions.

Features (15):
  maternal_age (years), paternal_age (years; null, correlated with maternal age),
  race (categorical: White, Black, Hispanic, Asian, Other), maternal_height_cm (cm),
  bmi (pre-pregnancy, kg/m2), ivf (0/1), preeclampsia (0/1, pre-eclampsia or gestational
  hypertension), gestational_age_wk (weeks, whole days), induction (0/1), epidural (0/1),
  infant_male (0/1; null, raises birthweight), birthweight_g (g),
  birthweight_height_ratio (g/cm, = birthweight_g / maternal_height_cm),
  admission_to_dilation_h (h, admission to complete cervical dilation), second_stage_h (h).

With return_truth=True the loader also gives `truth`, each feature's true centred contribution to
the log-odds per row (zero for the null features), and `mechanisms`, the second-stage step.
"""


def _softplus(x):
    return np.logaddexp(0.0, x)


def ratio_effect(ratio):
    """Log-odds of the baby-size / maternal-height ratio (g/cm), before centring: a steep
    sigmoid, so at a given birthweight a shorter mother crosses it (disproportion)."""
    return RATIO_RISE * logistic((ratio - RATIO_MIDPOINT) / RATIO_SCALE)


def dilation_effect(hours):
    """Log-odds of admission-to-complete-dilation time, before centring: flat to 12 h, then
    rising smoothly (zero slope at 12 h) towards DILATION_RISE."""
    past = np.maximum(hours - DILATION_ONSET, 0.0) / DILATION_SCALE
    return DILATION_RISE * (1.0 - np.exp(-past ** 2 / 2))


def second_stage_effect(hours):
    """Log-odds of second-stage duration, before centring: a slow rise plus a step at the 4 h
    intervention cutoff."""
    return (SECOND_STAGE_SLOPE * np.minimum(hours, SECOND_STAGE_CAP)
            + SECOND_STAGE_STEP * (hours >= SECOND_STAGE_CUTOFF))


def _effects(X):
    """Each feature's true contribution to the log-odds (uncentred), one array per column of X."""
    n = len(X)
    col = {name: X[name].to_numpy() for name in FEATURES if name != "race"}
    effects = {
        "maternal_age": 0.04 * _softplus(col["maternal_age"] - 32.0),
        "paternal_age": np.zeros(n),
        "race": X["race"].map(_RACE_EFFECT).astype(float).to_numpy(),
        "maternal_height_cm": HEIGHT_SLOPE * (col["maternal_height_cm"] - HEIGHT_MEAN),
        "bmi": 0.03 * _softplus(col["bmi"] - 30.0),
        "ivf": IVF_LOG_OR * col["ivf"],
        "preeclampsia": PREECLAMPSIA_LOG_OR * col["preeclampsia"],
        "gestational_age_wk": 0.06 * (col["gestational_age_wk"] - 39.0),
        "induction": 0.2 * col["induction"],
        "epidural": 0.1 * col["epidural"],
        "infant_male": np.zeros(n),
        "birthweight_g": 0.3 * logistic((col["birthweight_g"] - 4000.0) / 150.0),
        "birthweight_height_ratio": ratio_effect(col["birthweight_height_ratio"]),
        "admission_to_dilation_h": dilation_effect(col["admission_to_dilation_h"]),
        "second_stage_h": second_stage_effect(col["second_stage_h"]),
    }
    return {name: np.asarray(effects[name], dtype=float) for name in FEATURES}


def _draw_features(rng, n):
    """The features, drawn in causal order (mother, pregnancy, baby, labour)."""
    age = np.clip(rng.normal(29.0, 5.5, n), 16, 48).round()
    paternal_age = np.clip(age + rng.normal(2.5, 4.0, n), 16, 70).round()
    race_code = rng.choice(len(RACES), size=n, p=_RACE_SHARE)
    black = race_code == RACES.index("Black")
    # Race shifts mean height; the within-group SD keeps the overall SD at HEIGHT_SD.
    shift = _RACE_HEIGHT - _RACE_SHARE @ _RACE_HEIGHT
    within_sd = np.sqrt(HEIGHT_SD ** 2 - _RACE_SHARE @ shift ** 2)
    height = np.clip(rng.normal(HEIGHT_MEAN + shift[race_code], within_sd), 140, 190).round(1)
    bmi = np.clip(rng.lognormal(np.log(25.0) + 0.05 * black, 0.2), 16, 55).round(1)
    ivf = rng.random(n) < logistic(-3.6 + 0.12 * (age - 30))
    preeclampsia = rng.random(n) < logistic(-2.3 + 0.06 * (bmi - 25) + 0.4 * ivf + 0.3 * black)
    ga = np.clip(rng.normal(39.4 - 0.5 * preeclampsia, 1.1), 37.0, 42.0)
    ga = np.round(ga * 7) / 7
    male = rng.random(n) < 0.51
    birthweight = (3390 + 150 * (ga - 39.4) + 11 * (height - HEIGHT_MEAN) + 20 * (bmi - 25.5)
                   + 120 * (male - 0.51) - 180 * preeclampsia + rng.normal(0, 450, n))
    birthweight = np.clip(birthweight, 2000, 5500).round()
    induction = rng.random(n) < logistic(-0.9 + 1.5 * preeclampsia + 0.9 * (ga >= 41)
                                         + 0.03 * (bmi - 25) + 0.4 * ivf + 0.03 * (age - 30))
    epidural = rng.random(n) < logistic(1.1 + 0.5 * induction)
    dilation = rng.lognormal(np.log(6.5) + 0.4 * induction + 0.1 * epidural
                             + 0.01 * (bmi - 25) + 0.0002 * (birthweight - 3390), 0.5)
    dilation = np.clip(dilation, 0.5, 48.0).round(1)
    natural = rng.lognormal(0.35 * epidural + 0.0004 * (birthweight - 3390)
                            - 0.02 * (height - HEIGHT_MEAN), 0.75)
    # Past the cutoff, most labours are ended by an operative delivery soon after it.
    intervened = (natural > SECOND_STAGE_CUTOFF) & (rng.random(n) < 0.75)
    second_stage = np.where(intervened, SECOND_STAGE_CUTOFF + rng.exponential(0.4, n), natural)
    second_stage = np.clip(second_stage, 0.05, 8.0).round(2)
    flag = lambda x: x.astype(np.int64)  # noqa: E731  (0/1 flags and whole years or grams)
    return pd.DataFrame({
        "maternal_age": flag(age), "paternal_age": flag(paternal_age),
        "race": pd.Categorical.from_codes(race_code, categories=RACES),
        "maternal_height_cm": height, "bmi": bmi, "ivf": flag(ivf),
        "preeclampsia": flag(preeclampsia), "gestational_age_wk": ga,
        "induction": flag(induction), "epidural": flag(epidural), "infant_male": flag(male),
        "birthweight_g": flag(birthweight), "birthweight_height_ratio": birthweight / height,
        "admission_to_dilation_h": dilation, "second_stage_h": second_stage,
    }, columns=FEATURES)


def _simulate(n_samples, random_state):
    """The cohort: features, SMM outcome, centred truth and the second-stage step."""
    rng = np.random.default_rng(random_state)
    X = _draw_features(rng, n_samples)
    truth = pd.DataFrame(_effects(X), index=X.index)
    truth = truth - truth.mean()
    logit = truth.sum(axis=1).to_numpy()
    logit = logit + intercept_for_rate(logit, PREVALENCE)
    y = (rng.random(n_samples) < logistic(logit)).astype(np.int64)
    mechanisms = {"second_stage_h": {
        "kind": "step", "location": SECOND_STAGE_CUTOFF, "size": SECOND_STAGE_STEP,
        "why": "intervention (operative delivery) is triggered at 4 h of second stage"}}
    return Cohort(X=X, y=y, truth=truth, mechanisms=mechanisms)


def load_maternal_morbidity(*, return_X_y=False, as_frame=True, return_truth=False,
                            n_samples=32_203, random_state=0):
    """Load the SIMULATED severe-maternal-morbidity cohort (not patient data).

    32,203 nulliparous, term, singleton, vertex births by default, SMM prevalence about 1.2 %,
    15 features; birthweight and maternal height act mainly through their ratio
    (`birthweight_height_ratio`, a column of X). The generating model and the published facts it
    reproduces are in the returned `DESCR` and in data/maternal_morbidity.md.

    Parameters
    ----------
    return_X_y : bool
        Return `(X, y)` (or `(X, y, truth)` with `return_truth=True`) instead of a Bunch.
    as_frame : bool
        X as a DataFrame (with `race` categorical) and y as a Series; otherwise numpy arrays
        (X an object array, because `race` is categorical).
    return_truth : bool
        Also return `truth`, each feature's true centred contribution to the log-odds per row
        (zero for `paternal_age` and `infant_male`), and in the Bunch `mechanisms`, the 4 h
        second-stage step as data.
    n_samples : int
        Number of births.
    random_state : int, Generator or None
        Seed of numpy's `default_rng`; the same seed gives the same cohort.

    Returns
    -------
    Bunch with data, target, frame, feature_names, target_names, DESCR, name (and truth,
    mechanisms), or a tuple as above. The target is named `smm`.
    """
    cohort = _simulate(n_samples, random_state)
    return loader_output(cohort, name="maternal_morbidity", target_name="smm",
                         description=DESCR, return_X_y=return_X_y, as_frame=as_frame,
                         return_truth=return_truth)
