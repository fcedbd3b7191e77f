"""Statistics of predicted risks against known answers: calibration on data drawn from the
model's own probabilities, overfitting, the closed form of treat-all, interval coverage."""

import numpy as np
import pytest

from glassbox._calibration import (CalibrationCurve, auroc, calibration_intercept,
                                   calibration_slope, logistic, net_benefit,
                                   net_benefit_treat_all, observed_expected)


def _draw(n, seed, scale=1.5, shift=-1.0):
    rng = np.random.default_rng(seed)
    z = shift + rng.normal(0, scale, n)
    p = logistic(z)
    return (rng.random(n) < p).astype(float), p, z


def test_calibrated_risks_have_slope_one_and_intercept_zero():
    y, p, _ = _draw(50_000, 0)
    assert calibration_slope(y, p) == pytest.approx(1, abs=0.04)
    assert calibration_intercept(y, p) == pytest.approx(0, abs=0.03)
    assert observed_expected(y, p) == pytest.approx(1, abs=0.03)
    curve = CalibrationCurve(y, p)
    assert curve.ici < 0.01 and curve.e90 < 0.02
    grid = np.linspace(0.05, 0.8, 7)
    np.testing.assert_allclose(curve.observed(grid), grid, atol=0.03)


def test_overfit_and_miscalibrated_models_are_caught():
    y, _, z = _draw(50_000, 1)
    overfit = logistic(2 * z)  # too extreme: the slope halves
    assert calibration_slope(y, overfit) == pytest.approx(0.5, abs=0.03)
    too_low = logistic(z - 0.5)  # under-predicts: positive intercept, O/E above 1
    assert calibration_intercept(y, too_low) == pytest.approx(0.5, abs=0.04)
    assert observed_expected(y, too_low) > 1.2
    assert CalibrationCurve(y, overfit).ici > 0.03
    assert np.isnan(calibration_slope(np.ones(10), np.full(10, 0.3)))


def test_net_benefit_of_treat_all_is_its_closed_form():
    y, p, _ = _draw(2_000, 2)
    thresholds = np.linspace(0.01, 0.6, 25)
    np.testing.assert_allclose(net_benefit(y, np.ones_like(p), thresholds),
                               net_benefit_treat_all(y, thresholds), rtol=0, atol=1e-12)
    assert (net_benefit(y, np.zeros_like(p), thresholds) == 0).all()  # treat none
    # a calibrated model is worth at least treating all or none at every threshold, up to noise
    model = net_benefit(y, p, thresholds)
    assert (model >= np.maximum(net_benefit_treat_all(y, thresholds), 0) - 0.01).all()


def test_bootstrap_intervals_cover_at_their_nominal_rate():
    from glassbox.report._measures import bootstrap
    covered = 0
    trials = 200
    for seed in range(trials):
        y, p, _ = _draw(400, 100 + seed)  # the truth: observed / expected = 1 for these risks
        low, high = bootstrap(lambda r: observed_expected(y[r], p[r]), len(y), 200,
                              np.random.default_rng(seed), confidence=0.9)
        covered += low <= 1 <= high
    assert 0.84 <= covered / trials <= 0.95  # nominal 0.90; binomial SE about 0.02


@pytest.mark.parametrize("seed", range(5))
def test_auroc_is_scikit_learns_with_ties_and_nan_with_one_class(seed):
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.2
    p = np.round(rng.random(300), 1)  # many ties
    assert auroc(y.astype(float), p) == pytest.approx(roc_auc_score(y, p), abs=1e-14)
    assert np.isnan(auroc(np.zeros(5), np.arange(5.0)))
