"""The anomaly finder on cohorts with planted threshold artefacts: it finds each planted effect
within one bin and reports no more than one spurious effect per ten terms, in classifiers and in
regressors at their defaults."""

import numpy as np
import pandas as pd
import pytest

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor
from glassbox.datasets import make_threshold_cohort
from glassbox.inspect import find_discontinuities, find_non_monotone

EXPECTED = {"age": 1, "sbp": -1, "resp_rate": 1, "bun": 1, "creatinine": 1, "heart_rate": 1,
            "glucose": 1}
SEEDS = range(5)
DROP_WIDTH = 0.5  # the planted creatinine drop runs from 5 to 5.5 mg/dL
REGRESSION_SEEDS = range(2)
REGRESSION_NOISE = 2.0  # × the SD of the true log-odds: the true terms explain 20 % of the target


def _bin(term, value):
    return int(np.searchsorted(term.bins[0].edges, value, side="right"))


def _matches(term, value, planted):
    """Within one bin of the planted effect (its whole extent, for the creatinine drop)."""
    end = planted.location + (DROP_WIDTH if planted.kind == "decline" else 0.0)
    return _bin(term, planted.location) - 1 <= _bin(term, value) <= _bin(term, end) + 1


def _findings(model, planted):
    """The planted features found, and the findings matching no planted effect."""
    terms = {t.name: t for t in model.terms_}
    found, spurious = set(), []
    steps = find_discontinuities(model)
    runs = find_non_monotone(model, EXPECTED)
    for kind, rows, where in (("step", steps, "location"), ("run", runs, "start")):
        for _, row in rows.iterrows():
            hits = {p.feature for p in planted.itertuples() if p.feature == row.term
                    and (kind == "step" or p.kind == "decline")
                    and _matches(terms[row.term], row[where], p)}
            found |= hits
            if not hits:
                spurious.append((kind, row.term, row[where]))
    return found, spurious, steps, runs


def _fit(kind, seed):
    """A model at its defaults on a threshold cohort, and the planted effects. The regressor's
    target is the cohort's true log-odds plus noise twice their SD (the truth explains 20 % of
    it): the regressor smooths its shapes for longer than the classifier, and must still show
    the steps."""
    X, y, planted = make_threshold_cohort(n_samples=30_000, random_state=seed)
    if kind == "classifier":
        return BoostedGAMClassifier(n_jobs=-1, random_state=0).fit(X, y), planted
    X_again, _, truth = make_threshold_cohort(n_samples=30_000, random_state=seed,
                                              return_truth=True)
    pd.testing.assert_frame_equal(X_again, X)
    log_odds = truth.sum(axis=1).to_numpy()
    rng = np.random.default_rng(seed + 1_000)  # not the cohort's seed: its draws made X
    target = log_odds + rng.normal(0, REGRESSION_NOISE * log_odds.std(), len(X))
    return BoostedGAMRegressor(n_jobs=-1, random_state=0).fit(X, target), planted


@pytest.fixture(scope="module", params=["classifier", "regressor"])
def findings(request):
    results = []
    for seed in SEEDS if request.param == "classifier" else REGRESSION_SEEDS:
        model, planted = _fit(request.param, seed)
        found, spurious, steps, runs = _findings(model, planted)
        results.append((seed, planted, found, spurious, len(model.terms_), steps, runs))
    return request.param, results


def test_every_planted_effect_is_found(findings):
    for seed, planted, found, _, _, _, _ in findings[1]:
        assert set(planted.feature) <= found, (seed, set(planted.feature) - found)


def test_no_more_than_one_spurious_effect_per_ten_terms(findings):
    spurious = sum(len(f[3]) for f in findings[1])
    terms = sum(f[4] for f in findings[1])
    assert spurious <= terms / 10, [f[3] for f in findings[1]]


def test_round_number_steps_are_flagged(findings):
    for _, _, _, _, _, steps, _ in findings[1]:
        for feature, threshold in [("age", 65), ("resp_rate", 30), ("bun", 40)]:
            row = steps[steps.term == feature].iloc[0]
            assert row.round_number == threshold
            assert row.multiple_of_10 == (threshold % 10 == 0)
        assert steps.loc[steps.term == "sbp", "jump"].iloc[0] < 0  # risk falls above 90


def test_non_monotone_reports_the_counter_causal_drop(findings):
    kind, results = findings
    for _, _, _, _, _, _, runs in results:
        drop = runs[runs.term == "creatinine"].iloc[0]
        assert drop["drop"] > 0 and drop.start < drop.end
        if kind == "classifier":
            assert drop.odds_ratio < 1  # falling odds
        else:
            assert np.isnan(drop.odds_ratio)  # a regressor's scale has no odds


def test_bad_expectations_are_errors():
    X, y, _ = make_threshold_cohort(n_samples=2000, random_state=0)
    model = BoostedGAMClassifier(outer_bags=2, max_rounds=50, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="Unknown term .nope."):
        find_non_monotone(model, {"nope": 1})
    with pytest.raises(ValueError, match=r"expected\['age'\] must be \+1 or -1"):
        find_non_monotone(model, {"age": 2})


def test_a_flag_stored_as_a_number_is_not_a_step():
    """A 0/1 column is continuous to the model, but its one step is its whole effect; a step
    within a real shape is still found beside it."""
    rng = np.random.default_rng(0)
    n = 20_000
    X = pd.DataFrame({"hypertension": rng.integers(0, 2, n).astype(float),
                      "age": rng.uniform(40, 90, n)})
    logit = -1.5 + 1.2 * X["hypertension"] + 0.9 * (X["age"] >= 65)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    model = BoostedGAMClassifier(interactions=0, n_jobs=-1, random_state=0).fit(X, y)
    flag = next(t for t in model.terms_ if t.name == "hypertension")
    assert flag.bins[0].kind == "continuous" and np.ptp(flag.scores[1:-1]) > 1.0
    steps = find_discontinuities(model)
    assert list(steps["term"]) == ["age"]
    assert abs(steps["location"].iloc[0] - 65) < 1.0


def test_a_steady_slope_is_not_a_step_in_the_tails():
    """Straight-line effects: in the tails the bins are wide, so equal-count sides differ by
    a lot even on a slope; with nothing beyond to compare against, no step is reported there."""
    found = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n = 20_000
        X = pd.DataFrame({"hr": rng.normal(80, 12, n), "bmi": rng.normal(27, 5, n),
                          "noise": rng.normal(0, 1, n)})
        y = 0.05 * X["hr"] + 0.1 * X["bmi"] + rng.normal(0, 1, n)
        model = BoostedGAMRegressor(interactions=0, random_state=seed).fit(X, y)
        found.append(find_discontinuities(model))
    assert sum(len(f) for f in found) == 0, pd.concat(found)


def test_a_step_across_empty_bins_is_reported_once():
    """Every cut between two bins without rows sees the same step; it is one finding."""
    X, y, _ = make_threshold_cohort(n_samples=4000, random_state=0)
    model = BoostedGAMClassifier(outer_bags=2, max_rounds=50, random_state=0).fit(X, y)
    age = next(t for t in model.terms_ if t.name == "age")
    middle = age.scores.shape[0] // 2
    age.scores = np.where(np.arange(age.scores.shape[0]) > middle, 1.0, 0.0)
    age.stds = np.full(age.scores.shape, 0.01)
    age.counts = age.counts.copy()
    age.counts[middle - 3:middle + 4] = 0
    steps = find_discontinuities(model, min_jump=0.5)
    assert list(steps["term"]).count("age") == 1, steps


def test_an_expected_direction_for_categories_is_an_error():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"ward": rng.choice(["icu", "medical", "surgical"], 800),
                      "age": rng.uniform(40, 90, 800)})
    y = rng.random(800) < 0.3
    model = BoostedGAMClassifier(outer_bags=2, interactions=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"expected\['ward'\]: 'ward' is categorical; an "
                                         r"expected direction needs an ordered"):
        find_non_monotone(model, {"ward": 1})


def test_a_multiclass_model_has_no_direction_to_check():
    """One class's score falls where another's rises: a direction given for every class at once
    reported the low-risk class falling with blood sugar as a finding. It is refused."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"sugar": rng.uniform(4, 19, 900), "age": rng.uniform(15, 60, 900)})
    y = np.digitize(X["sugar"] + rng.normal(0, 2, 900), [8, 12])
    model = BoostedGAMClassifier(outer_bags=2, interactions=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="multiclass model has no single direction of risk.*"
                                         "Fit a binary model"):
        find_non_monotone(model, {"sugar": 1})


def test_a_multiclass_step_has_no_odds_ratio():
    """exp of one class's softmax score is not that class's odds ratio."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"sugar": rng.uniform(4, 19, 6000), "age": rng.uniform(15, 60, 6000)})
    y = np.digitize(X["sugar"] + 3 * (X["age"] > 40) + rng.normal(0, 1, 6000), [9, 13])
    model = BoostedGAMClassifier(interactions=0, random_state=0).fit(X, y)
    steps = find_discontinuities(model)
    assert "age" in set(steps["term"]) and steps["odds_ratio"].isna().all()


def test_a_wrong_way_effect_inside_a_pair_is_found():
    """Risk rises with the dose in men and falls with it in women; the main effect alone looks
    monotone, so only the pair's slices show where the effect runs the wrong way."""
    rng = np.random.default_rng(0)
    n = 20_000
    X = pd.DataFrame({"dose": rng.uniform(0, 10, n), "female": rng.integers(0, 2, n) * 1.0})
    logit = -1.0 + np.where(X["female"] == 1, -0.25, 0.35) * X["dose"]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    model = BoostedGAMClassifier(interactions=[("dose", "female")], n_jobs=-1,
                                 random_state=0).fit(X, y)
    runs = find_non_monotone(model, {"dose": 1})
    assert "dose" not in set(runs.term)
    wrong = runs[runs.term == "dose & female"]
    assert len(wrong) == 1 and wrong.iloc[0]["at"].startswith("female [0.5,")
    assert wrong.iloc[0]["drop"] > 1.0 and wrong.iloc[0].odds_ratio < 1
