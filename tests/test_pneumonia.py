"""The simulated pneumonia cohort reproduces its published anchors, and loads like scikit-learn's
datasets."""

import numpy as np
import pandas as pd
import pytest

from glassbox import BoostedGAMClassifier
from glassbox.datasets import load_pneumonia


@pytest.fixture(scope="module")
def cohort():
    return load_pneumonia(return_truth=True)


def _mean_where(series, mask):
    return float(series[np.asarray(mask)].mean())


def test_size_prevalence_and_columns(cohort):
    X, y = cohort.data, cohort.target
    assert X.shape == (14_199, 41) and len(y) == 14_199
    assert 0.10 <= y.mean() <= 0.12  # published 30-day mortality 10.9 %
    assert {"age", "bun", "creatinine", "respiration_rate", "systolic_bp", "asthma", "sex",
            "race", "insurance"} <= set(X.columns)
    assert "ICU" not in " ".join(X.columns) and "dialysis" not in " ".join(X.columns)


def test_loader_conventions():
    X, y = load_pneumonia(return_X_y=True, n_samples=500)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series) and y.name == "died"
    X_array, y_array = load_pneumonia(return_X_y=True, as_frame=False, n_samples=500)
    assert isinstance(X_array, np.ndarray) and X_array.shape == X.shape
    X_again, _, truth = load_pneumonia(return_X_y=True, return_truth=True, n_samples=500)
    pd.testing.assert_frame_equal(X, X_again)  # deterministic for a seed
    assert not X.equals(load_pneumonia(return_X_y=True, n_samples=500, random_state=1)[0])
    bunch = load_pneumonia(n_samples=500)
    assert "SIMULATED DATA, NOT PATIENT DATA" in bunch.DESCR
    assert list(bunch.frame.columns) == [*bunch.feature_names, "died"]


def test_truth_is_centred_and_carries_the_planted_shapes(cohort):
    X, truth = cohort.data, cohort.truth
    np.testing.assert_allclose(truth.mean(), 0, atol=1e-9)
    untreated = pd.Series(cohort.mechanisms["dialysis"]["untreated_effect"])
    p_dialysis = np.asarray(cohort.mechanisms["dialysis"]["p_dialysis"])
    c = truth["creatinine"]
    # the creatinine paradox: risk peaks near 5 and falls where dialysis starts
    observed = X["creatinine"]
    assert _mean_where(c, observed.between(4.5, 5.0)) - _mean_where(c, observed.between(6, 9)) > 0.3
    # ... while the untreated effect keeps rising
    assert (_mean_where(untreated, observed.between(6, 9))
            > _mean_where(untreated, observed.between(4.5, 5)))
    assert p_dialysis[np.asarray(observed > 7)].min() > 0.99
    # frailty: low creatinine carries more risk than the nadir
    assert _mean_where(c, observed < 0.5) > _mean_where(c, observed.between(0.7, 0.9)) + 0.15
    # the respiration-rate jump at 40
    r = truth["respiration_rate"]
    assert _mean_where(r, X["respiration_rate"] == 40) - _mean_where(
        r, X["respiration_rate"] == 39) > 0.15
    # BUN: a step at 40 in men, a continuous rise in women (main effect + pair)
    bun = truth["bun"] + truth["bun & sex"]
    men, women = X["sex"] == "male", X["sex"] == "female"
    b = X["bun"]
    step_men = (_mean_where(bun, men & b.between(40, 42))
                - _mean_where(bun, men & b.between(37, 39.9)))
    step_women = (_mean_where(bun, women & b.between(40, 42))
                  - _mean_where(bun, women & b.between(37, 39.9)))
    assert step_men > 0.25 and step_women < 0.15


def test_care_makes_risky_conditions_look_protective(cohort):
    care = cohort.mechanisms["aggressive_care"]
    for flag in ("asthma", "chest_pain_history", "chronic_lung_disease", "heart_disease"):
        assert care[flag]["untreated_effect"] > 0 > care[flag]["observed_effect"]
        present = cohort.data[flag] == 1
        assert _mean_where(cohort.truth[flag], present) < _mean_where(cohort.truth[flag], ~present)


def test_labs_are_recorded_mostly_when_abnormal(cohort):
    X = cohort.data
    assert X["bun"].isna().mean() > 0.3
    recorded = X["bun"].dropna()
    assert (recorded >= 30).mean() > 0.5  # abnormal values dominate what was recorded
    assert X[["age", "respiration_rate", "systolic_bp"]].notna().all().all()


def test_a_fitted_model_finds_the_paradoxes(cohort):
    X, y = cohort.data, cohort.target
    model = BoostedGAMClassifier(random_state=0, n_jobs=-1).fit(X, y)
    contributions = model.explain(X)
    asthma = contributions["asthma"]
    assert _mean_where(asthma, X["asthma"] == 1) < _mean_where(asthma, X["asthma"] == 0)
    c = contributions["creatinine"]
    assert _mean_where(c, X["creatinine"].between(4, 5)) > _mean_where(
        c, X["creatinine"].between(5.5, 8))
