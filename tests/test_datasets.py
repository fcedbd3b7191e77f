"""The simulated cohorts: truth that is centred, null terms that are exactly zero, and draws that
depend only on the seed."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from glassbox.datasets import (make_coded_cohort, make_null_cohort, make_risk_cohort,
                               make_threshold_cohort)


def checksum(X, y):
    data = pd.util.hash_pandas_object(X, index=True).to_numpy().tobytes() + y.tobytes()
    return hashlib.sha256(data).hexdigest()[:16]


def assert_centred(truth):
    np.testing.assert_allclose(truth.mean().to_numpy(), 0.0, atol=1e-12)


def test_null_cohort_plants_what_it_documents():
    X, y, truth = make_null_cohort(n_samples=5000, random_state=0)
    nulls = ["z1", "z2", *[f"n{k}" for k in range(1, 13)]]
    assert X.shape == (5000, 20)
    assert list(truth.columns) == [*X.columns, "z1 & z2"]
    assert_centred(truth)
    assert (truth[nulls] == 0).all().all()
    assert (truth.drop(columns=nulls).std() > 0.2).all()
    assert 0.12 < y.mean() < 0.18
    assert X.isna().sum().sum() == 0
    assert np.corrcoef(X["n1"], X["s1"])[0, 1] > 0.85
    assert np.corrcoef(X["n5"], X["z1"])[0, 1] > 0.75


@pytest.mark.parametrize("feature", ["z1", "z2"])
def test_null_cohort_pair_has_no_main_effect(feature):
    """The pair averages to ~0 (sampling noise, < 0.1 log-odds) within every decile of either
    of its features, while its own spread is ~0.75."""
    X, _, truth = make_null_cohort(n_samples=20_000, random_state=1)
    deciles = pd.qcut(X[feature], 10, labels=False)
    decile_means = truth["z1 & z2"].groupby(deciles).mean()
    assert decile_means.abs().max() < 0.1
    assert truth["z1 & z2"].std() > 0.7


def test_null_cohort_is_reproducible():
    first = make_null_cohort(n_samples=2000, random_state=5)
    again = make_null_cohort(n_samples=2000, random_state=5)
    other = make_null_cohort(n_samples=2000, random_state=6)
    pd.testing.assert_frame_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    pd.testing.assert_frame_equal(first[2], again[2])
    assert not first[0].equals(other[0])


def test_risk_cohort_draws_are_unchanged():
    """Fixed-seed checksum taken before the truth docs changed: same seed, same rows."""
    X, y, _ = make_risk_cohort(n_samples=2000, n_features=20, n_interactions=3, random_state=3)
    assert checksum(X, y) == "d5b0e6d01a9ded23"


def test_risk_cohort_null_labs_act_only_through_missingness():
    X, y, truth = make_risk_cohort(n_samples=5000, n_features=20, random_state=0)
    assert_centred(truth)
    assert 0.1 < y.mean() < 0.2
    assert set(X.columns) <= set(truth.columns)
    for name in ["lab_14", "lab_19"]:
        observed = X[name].notna()
        assert truth.loc[observed, name].nunique() == 1
        missing_step = truth.loc[~observed, name].iloc[0] - truth.loc[observed, name].iloc[0]
        assert missing_step == pytest.approx(0.3)


def test_threshold_cohort_truth_matches_its_planted_steps():
    X, y, planted = make_threshold_cohort(n_samples=3000, random_state=1)
    assert checksum(X, y) == "b5ece787e54f69da"
    X_truth, y_truth, truth = make_threshold_cohort(n_samples=3000, random_state=1,
                                                    return_truth=True)
    pd.testing.assert_frame_equal(X, X_truth)
    np.testing.assert_array_equal(y, y_truth)
    assert list(truth.columns) == list(X.columns)
    assert_centred(truth)
    assert (truth[[f"lab_{k}" for k in range(1, 5)]] == 0).all().all()
    for feature, kind, location, size in planted.itertuples(index=False):
        if kind == "step":
            levels = truth[feature].groupby(X[feature] >= location).first()
            assert abs(levels[True] - levels[False]) == pytest.approx(abs(size))


def test_coded_cohort_repeats_rows_and_plants_what_it_documents():
    """Every row is one of 9 x 2 x 5 x 12 code combinations; the truth is the documented
    log-odds, centred; the draws are those the compression benchmark's figures were made with
    (checksum taken from the generator it replaced)."""
    X, y, truth = make_coded_cohort(n_samples=30_000, random_state=0, return_truth=True)
    assert checksum(X, y) == "2ea3c3b73d87e67a"
    assert len(X.drop_duplicates()) == 1080
    assert_centred(truth)
    logit = (0.2 * X.age_band + 0.3 * (X.sex == "m") + 0.1 * X.dx
             - 0.02 * X.age_band * X.dx)
    np.testing.assert_allclose(truth.sum(axis=1), logit - logit.mean(), atol=1e-12)
    assert "region" not in truth
