"""The simulated severe-maternal-morbidity cohort reproduces the anchors its data card promises:
the published facts (prevalence, scales, the predictor order, the 12 h rise and the 4 h step, the
ratio ranked first) and the loader conventions, and data/maternal_morbidity.csv is the loader's
output."""


import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.utils import Bunch

from glassbox import BoostedGAMClassifier
from glassbox.datasets import load_maternal_morbidity
from glassbox.datasets._cohort import intercept_for_rate, logistic

RATIO = "birthweight_height_ratio"
NULLS = ["paternal_age", "infant_male"]
PUBLISHED_ORDER = [RATIO, "admission_to_dilation_h", "maternal_height_cm", "preeclampsia",
                   "second_stage_h"]


@pytest.fixture(scope="module")
def cohort():
    return load_maternal_morbidity(return_truth=True)


@pytest.fixture(scope="module")
def held_out():
    """A fresh draw from the same generating model, large enough that AUROC differences of a
    few thousandths are not test noise (about 2,400 events)."""
    return load_maternal_morbidity(return_X_y=True, return_truth=True, n_samples=200_000,
                                   random_state=1)


@pytest.fixture(scope="module")
def fitted(cohort):
    """The same model fitted with and without the engineered ratio."""
    models = {}
    for name, X in [("with", cohort.data), ("without", cohort.data.drop(columns=RATIO))]:
        models[name] = BoostedGAMClassifier(n_jobs=1, random_state=0, outer_bags=4).fit(
            X, cohort.target)
    return models


def test_size_prevalence_and_published_scales(cohort):
    X, y = cohort.data, cohort.target
    assert X.shape == (32_203, 15)
    assert 0.009 < y.mean() < 0.015
    assert X["maternal_height_cm"].mean() == pytest.approx(162.6, abs=0.3)
    assert X["maternal_height_cm"].std() == pytest.approx(6.4, abs=0.3)
    assert X[RATIO].mean() == pytest.approx(20.8, abs=0.3)
    assert X[RATIO].std() == pytest.approx(3.1, abs=0.2)
    assert X["gestational_age_wk"].between(37, 42).all()
    assert X.isna().sum().sum() == 0
    assert not any("parity" in c for c in X.columns)
    assert "SIMULATED" in cohort.DESCR and "not patient data" in cohort.DESCR.lower()


def test_ratio_column_is_birthweight_over_height(cohort):
    X = cohort.data
    ratio = X["birthweight_g"].to_numpy() / X["maternal_height_cm"].to_numpy()
    np.testing.assert_array_equal(X[RATIO].to_numpy(), ratio)


def test_same_seed_same_cohort_and_other_seed_differs():
    first = load_maternal_morbidity(return_X_y=True, return_truth=True, n_samples=3000,
                                    random_state=7)
    again = load_maternal_morbidity(return_X_y=True, return_truth=True, n_samples=3000,
                                    random_state=7)
    other = load_maternal_morbidity(return_X_y=True, n_samples=3000, random_state=8)
    for a, b in zip(first, again):
        (pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame)
         else pd.testing.assert_series_equal)(a, b)
    assert not first[0].equals(other[0])


def test_loader_conventions(cohort):
    X, y = load_maternal_morbidity(return_X_y=True, n_samples=500)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series) and y.name == "smm"
    assert isinstance(X["race"].dtype, pd.CategoricalDtype)
    X_np, y_np = load_maternal_morbidity(return_X_y=True, as_frame=False, n_samples=500)
    assert isinstance(X_np, np.ndarray) and X_np.shape == (500, 15) and X_np.dtype == object
    assert isinstance(y_np, np.ndarray)
    np.testing.assert_array_equal(y_np, y.to_numpy())
    assert len(load_maternal_morbidity(return_X_y=True, return_truth=True, n_samples=500)) == 3
    plain = load_maternal_morbidity(n_samples=500)
    assert isinstance(plain, Bunch) and "truth" not in plain and "mechanisms" not in plain
    assert plain.name == "maternal_morbidity"
    assert list(plain.frame.columns) == [*plain.feature_names, "smm"]
    assert list(cohort.target_names) == ["no smm", "smm"]
    step = cohort.mechanisms["second_stage_h"]
    assert (step["kind"], step["location"], step["size"]) == ("step", 4.0, 0.8)


def test_truth_is_centred_per_feature_with_nulls_at_zero(cohort):
    truth = cohort.truth
    assert list(truth.columns) == cohort.feature_names
    np.testing.assert_allclose(truth.mean().to_numpy(), 0.0, atol=1e-12)
    assert (truth[NULLS] == 0).all().all()
    assert (truth.drop(columns=NULLS).abs().max() > 0.05).all()
    ivf = truth["ivf"].groupby(cohort.data["ivf"]).first()
    assert ivf[1] - ivf[0] == pytest.approx(np.log(1.5))


def test_truth_importance_follows_the_published_order(cohort):
    importance = cohort.truth.abs().mean().sort_values(ascending=False)
    assert list(importance.index[:5]) == PUBLISHED_ORDER
    assert importance[RATIO] > 2 * importance["preeclampsia"]
    # Birthweight acts mainly through the ratio: its separate term is small.
    assert importance["birthweight_g"] < importance["second_stage_h"] / 2


def test_truth_plus_intercept_is_the_log_odds_that_drew_y(held_out):
    """On a fresh cohort, y regressed on the summed truth has slope ~1 and intercept ~b0, and the
    events per decile of risk match the risks the truth gives."""
    _, y, truth = held_out
    logit = truth.sum(axis=1).to_numpy()
    intercept = intercept_for_rate(logit, 0.012)
    fit = LogisticRegression(C=np.inf).fit(logit[:, None], y)
    assert fit.coef_[0, 0] == pytest.approx(1.0, abs=0.08)
    assert fit.intercept_[0] == pytest.approx(intercept, abs=0.1)
    risk = logistic(logit + intercept)
    deciles = pd.qcut(risk, 10, labels=False)
    expected = pd.Series(risk).groupby(deciles).sum()
    observed = pd.Series(y.to_numpy()).groupby(deciles).sum()
    assert ((observed - expected).abs() < 4 * np.sqrt(expected) + 1).all()


def test_second_stage_steps_up_at_four_hours(cohort):
    hours, effect = cohort.data["second_stage_h"], cohort.truth["second_stage_h"]
    level = effect.groupby(hours).first().sort_index()
    jumps = level.diff().dropna()
    step = jumps.loc[4.0]
    assert step == pytest.approx(0.8, abs=0.01)
    assert jumps.drop(index=4.0).abs().max() < 0.05  # a step at 4 h only, a slow rise elsewhere
    assert cohort.mechanisms["second_stage_h"]["location"] == 4.0


def test_admission_to_dilation_flat_to_12h_then_rising_smoothly(cohort):
    hours, effect = cohort.data["admission_to_dilation_h"], cohort.truth["admission_to_dilation_h"]
    level = effect.groupby(hours).first().sort_index()
    before, after = level[level.index <= 12.0], level[level.index > 12.0]
    assert np.ptp(before.to_numpy()) < 1e-12
    assert (np.diff(after.to_numpy()) >= 0).all()
    assert (np.diff(after[after.index <= 24.0].to_numpy()) > 0).all()  # rising, not flat
    assert level.diff().dropna().max() < 0.1  # smooth: no jump between 0.1 h steps
    assert level[level.index >= 24.0].iloc[0] - level.loc[12.0] > 1.5


def test_fitted_model_ranks_the_ratio_first(fitted):
    importance = fitted["with"].term_importances()
    assert importance.index[0] == RATIO
    assert importance[RATIO] > importance["preeclampsia"]
    assert importance[RATIO] > 2 * importance["birthweight_g"]


def test_engineered_ratio_beats_raw_features_on_held_out_rows(fitted, held_out):
    X, y, _ = held_out
    with_ratio = fitted["with"].predict_proba(X)[:, 1]
    without = fitted["without"].predict_proba(X.drop(columns=RATIO))[:, 1]
    assert roc_auc_score(y, with_ratio) > roc_auc_score(y, without)
    assert log_loss(y, with_ratio) < log_loss(y, without)


