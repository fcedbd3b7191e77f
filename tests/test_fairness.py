"""Fairness strategies: invariance by construction, the marginal identity, exact gap
decompositions, parity under the constrained loss, and clear behaviour on small groups."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, MonotonicNetClassifier
from glassbox.datasets import make_proxy_cohort
from glassbox.fairness import (ConstrainedLoss, DropSensitive, SmallGroupWarning, TestTimeBlind,
                               TrainThenClean, clean, compare_strategies, fairness_report,
                               flip_test, gap_decomposition, sensitive_recovery_auc)
from glassbox.io import load_model, save_model

FAST = dict(outer_bags=2, max_rounds=300, early_stopping_rounds=20, random_state=0)
PAIRS = [("age", "group"), ("group", "insurance"), ("lab", "sbp"), ("deprivation", "insurance")]


@pytest.fixture(scope="module")
def cohort():
    return make_proxy_cohort(3000, random_state=0)


def _multiclass(y, X):
    """A three-class target: the binary outcome split by a second risk."""
    return np.where(y == 1, np.where(X["lab"] > 0.5, 2, 1), 0)


@pytest.fixture(scope="module", params=["binary", "multiclass"])
def target(request, cohort):
    X, y = cohort
    return y if request.param == "binary" else _multiclass(y, X)


@pytest.mark.parametrize("sensitive", [["group"], ["group", "insurance"]])
def test_clean_and_blind_are_invariant_and_equal(cohort, target, sensitive):
    X, _ = cohort
    estimator = BoostedGAMClassifier(interactions=PAIRS, **FAST)
    cleaned = TrainThenClean(estimator, sensitive).fit(X, target)
    blind = TestTimeBlind(estimator, sensitive).fit(X, target)
    for model in (cleaned, blind):
        flips = flip_test(model, X, sensitive)
        assert flips["max_abs_logit_change"] <= 1e-12
        assert flips["decision_change_share"] == 0
    # the known identity: purifying under the training marginals == averaging them out
    np.testing.assert_allclose(cleaned.predict_proba(X), blind.predict_proba(X), atol=1e-9)
    # the full model does depend on them, so the tests above could fail
    assert flip_test(cleaned.full_estimator_, X, sensitive)["mean_abs_logit_change"] > 0.01


def test_predict_with_or_without_the_sensitive_columns(cohort):
    X, y = cohort
    for Strategy in (DropSensitive, TrainThenClean, TestTimeBlind):
        model = Strategy(BoostedGAMClassifier(**FAST), ["group"]).fit(X, y)
        np.testing.assert_array_equal(model.predict_proba(X),
                                      model.predict_proba(X.drop(columns="group")))
    array = X.drop(columns=["insurance", "group"]).to_numpy()
    as_array = TrainThenClean(BoostedGAMClassifier(**FAST), [3]).fit(array, y)
    np.testing.assert_array_equal(as_array.predict(array), as_array.predict(array[:, :3]))
    with pytest.raises(ValueError, match="X has 2 features, but TrainThenClean is expecting 4"):
        as_array.predict(array[:, :2])
    with pytest.raises(ValueError, match="'group' is not a column of X"):
        DropSensitive(BoostedGAMClassifier(**FAST), ["group"]).fit(X.drop(columns="group"), y)
    fitted = DropSensitive(BoostedGAMClassifier(**FAST), ["group", "insurance"]).fit(X, y)
    with pytest.raises(ValueError, match=r"lacks the sensitive column\(s\) \['insurance'\]"):
        fitted.predict(X.drop(columns="insurance"))


def test_cleaned_model_is_an_ordinary_glass_box_model(cohort, tmp_path):
    X, y = cohort
    full = BoostedGAMClassifier(interactions=PAIRS, **FAST).fit(X, y)
    cleaned = clean(full, "group", reason="review board request")
    assert [f.name for f in cleaned.features_] == ["age", "sbp", "lab", "deprivation",
                                                   "insurance"]
    assert not any("group" in t.name for t in cleaned.terms_)
    assert [e["edit"] for e in cleaned.edit_log_] == ["purify", "clean"]
    purified = cleaned.edit_log_[-1]["details"]["purified_pairs"]
    assert sorted(purified) == ["age & group", "insurance & group"]
    contributions = cleaned.explain(X)
    np.testing.assert_allclose(contributions.sum(axis=1) + cleaned.intercept_,
                               cleaned.decision_function(X), atol=1e-12)
    save_model(cleaned, tmp_path / "cleaned.json")
    np.testing.assert_array_equal(load_model(tmp_path / "cleaned.json").predict_proba(X),
                                  cleaned.predict_proba(X))
    assert full.terms_ and any("group" in t.name for t in full.terms_)  # input untouched
    joint = clean(full, ["group"], measure="training")
    assert not np.allclose(joint.predict_proba(X), cleaned.predict_proba(X))
    flipped = X.assign(group=np.where(X["group"] == "A", "B", "A"))
    np.testing.assert_array_equal(joint.predict_proba(flipped), joint.predict_proba(X))


def test_train_then_clean_marginalises_a_full_network_and_says_so(cohort):
    X, y = cohort
    net = MonotonicNetClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    with pytest.warns(UserWarning, match="not additive"):
        model = TrainThenClean(net, ["group"]).fit(X, y)
    assert model.method_ == "marginalise"
    assert flip_test(model, X, ["group"])["max_abs_logit_change"] <= 1e-12


def test_gap_decomposition_sums_to_the_mean_logit_gap(cohort, target):
    X, _ = cohort
    model = BoostedGAMClassifier(interactions=PAIRS, **FAST).fit(X, target)
    gaps = gap_decomposition(model, X, ["group"])
    raw = model.decision_function(X)
    if raw.ndim == 2:  # class logits are defined up to a constant per row: centred
        raw = raw - raw.mean(axis=1, keepdims=True)
    b, a = X["group"] == "B", X["group"] == "A"
    expected = raw[b.to_numpy()].mean(axis=0) - raw[a.to_numpy()].mean(axis=0)
    column = gaps["B − A"]
    if raw.ndim == 1:
        assert abs(column.drop("total").sum() - expected) < 1e-9
        assert abs(column["total"] - expected) < 1e-9
    else:
        for k, cls in enumerate(model.classes_):
            terms = column.xs(cls, level=0)
            assert abs(terms.drop("total").sum() - expected[k]) < 1e-9


def test_multiclass_measures_ignore_what_changes_no_probability(cohort):
    """Adding one constant to every class's score of a bin changes no probability, so it
    changes neither the flip test nor the gap decomposition."""
    X, y = cohort
    model = BoostedGAMClassifier(**FAST).fit(X, _multiclass(y, X))
    shifted = copy.deepcopy(model)
    term = next(t for t in shifted.terms_ if t.name == "group")
    term.scores = term.scores + np.arange(term.scores.shape[0])[:, None] * 5.0
    np.testing.assert_allclose(shifted.predict_proba(X), model.predict_proba(X), atol=1e-12)
    for a, b in zip(flip_test(shifted, X, ["group"]).values(),
                    flip_test(model, X, ["group"]).values()):
        assert abs(a - b) < 1e-9
    pd.testing.assert_frame_equal(gap_decomposition(shifted, X, ["group"]),
                                  gap_decomposition(model, X, ["group"]), atol=1e-9)


def test_dropping_the_sensitive_feature_moves_its_gap_onto_the_proxy():
    X, y = make_proxy_cohort(8000, random_state=3)
    estimator = BoostedGAMClassifier(**FAST)
    full = clone(estimator).fit(X, y)
    dropped = DropSensitive(estimator, ["group"]).fit(X, y)
    share = {}
    for name, model in (("full", full), ("dropped", dropped)):
        gaps = gap_decomposition(model, X, ["group"])["B − A"]
        share[name] = gaps["deprivation"] / gaps["total"]
    assert share["dropped"] > share["full"] + 0.2
    assert flip_test(dropped, X, ["group"])["max_abs_logit_change"] == 0
    assert sensitive_recovery_auc(dropped, X, ["group"]) > 0.6  # invariant, yet revealing


def test_each_smoothing_schedule_gets_its_own_penalty():
    # "auto" boosts the main effects under both schedules; a penalty keeps state (its
    # multipliers), so each run needs its own, and the model must be the one the kept
    # schedule fits alone.
    X, y = make_proxy_cohort(3000, random_state=5)
    params = dict(FAST, outer_bags=3)
    auto = ConstrainedLoss(BoostedGAMClassifier(smoothing_schedule="auto", **params), ["group"],
                           tolerance=0.02).fit(X, y)
    kept = auto.estimator_.fit_report_["smoothing_schedule"]
    assert auto.estimator_.fit_report_["smoothing_validation_loss"] is not None
    alone = ConstrainedLoss(BoostedGAMClassifier(smoothing_schedule=kept, **params), ["group"],
                            tolerance=0.02).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), alone.predict_proba(X))


def test_constrained_loss_reaches_parity_as_one_glass_box_model():
    X, y = make_proxy_cohort(8000, random_state=4)
    estimator = BoostedGAMClassifier(**FAST)
    constrained = ConstrainedLoss(estimator, ["group"], tolerance=0.02).fit(X, y)
    free = DropSensitive(estimator, ["group"]).fit(X, y)
    gap = {name: fairness_report(m, X, y, ["group"], n_bootstrap=0).differences.loc[
        "demographic_parity_difference", "value"] for name, m in (("c", constrained),
                                                                  ("f", free))}
    assert gap["f"] > 0.06 and gap["c"] <= 0.025
    assert isinstance(constrained.estimator_, BoostedGAMClassifier)
    assert [f.name for f in constrained.estimator_.features_] == ["age", "sbp", "lab",
                                                                  "deprivation", "insurance"]
    report = constrained.constraint_report_
    assert report["training_gap"] <= 0.025 and min(report["bag_rounds_kept"]) > 0
    assert constrained.estimator_.provenance_["constraint"]["kind"] == "demographic_parity"
    on_two = ConstrainedLoss(BoostedGAMClassifier(n_jobs=2, **FAST), ["group"]).fit(X, y)
    np.testing.assert_array_equal(on_two.predict_proba(X), constrained.predict_proba(X))


def test_constrained_loss_with_a_fixed_strength_narrows_the_gap():
    X, y = make_proxy_cohort(8000, random_state=4)
    gaps = []
    for strength in (0.0, 20.0):
        model = ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"], tolerance=None,
                                strength=strength).fit(X, y)
        gaps.append(fairness_report(model, X, y, ["group"], n_bootstrap=0).differences.loc[
            "demographic_parity_difference", "value"])
    assert gaps[1] < gaps[0] / 2


@pytest.mark.parametrize("constraint, rate", [("equal_opportunity", "equal_opportunity"),
                                              ("equalized_odds", "equalized_odds")])
def test_constrained_loss_other_constraints(constraint, rate):
    X, y = make_proxy_cohort(8000, random_state=5)
    model = ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"], constraint=constraint,
                            tolerance=0.03).fit(X, y)
    free = DropSensitive(BoostedGAMClassifier(**FAST), ["group"]).fit(X, y)
    key = f"{rate}_difference"
    after = fairness_report(model, X, y, ["group"], n_bootstrap=0).differences.loc[key, "value"]
    before = fairness_report(free, X, y, ["group"], n_bootstrap=0).differences.loc[key, "value"]
    assert after < before / 2 and after <= 0.05


def test_constrained_loss_falls_back_to_exponentiated_gradient(cohort):
    X, y = cohort
    numeric = X.drop(columns=["insurance"]).assign(group=(X["group"] == "B").astype(float))
    with pytest.warns(UserWarning, match="ExponentiatedGradient"):
        model = ConstrainedLoss(LogisticRegression(max_iter=500), ["group"]).fit(numeric, y)
    assert model.method_ == "exponentiated gradient"
    assert model.predict_proba(numeric).shape == (len(y), 2)
    with pytest.raises(ValueError, match="threshold and capacity cannot apply"):
        ConstrainedLoss(LogisticRegression(), ["group"], threshold=0.2).fit(numeric, y)
    # a Pipeline takes the reduction's sample weights through its last step
    piped = ConstrainedLoss(make_pipeline(StandardScaler(), LogisticRegression()),
                            ["group"]).fit(numeric, y)
    assert piped.method_ == "exponentiated gradient" and piped.decision_threshold_ == 0.5
    with pytest.raises(ValueError, match="Only binary classification"):
        ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"]).fit(X, _multiclass(y, X))


class _WeightSpy(BoostedGAMClassifier):
    """Records the sample weights each fit receives."""
    received = []

    def fit(self, X, y, sample_weight=None):
        _WeightSpy.received.append(None if sample_weight is None else np.asarray(sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


def test_exponentiated_gradient_around_a_boosted_gam_runs_on_its_weights(cohort):
    X, y = cohort
    numeric = X.assign(group=(X["group"] == "B").astype(int))
    rest = numeric.drop(columns="group")
    _WeightSpy.received = []
    eg = ExponentiatedGradient(_WeightSpy(**FAST), DemographicParity(), max_iter=10)
    eg.fit(rest, y, sensitive_features=numeric["group"])
    # the reduction hands each round's costs over as sample weights, and they are used
    assert all(w is not None for w in _WeightSpy.received)
    assert any(np.ptp(w) > 0 for w in _WeightSpy.received)
    decisions = eg.predict(rest, random_state=0)
    free = BoostedGAMClassifier(**FAST).fit(rest, y).predict(rest)

    def parity_gap(d):
        return abs(d[numeric["group"] == 1].mean() - d[numeric["group"] == 0].mean())
    assert parity_gap(decisions) < parity_gap(free) / 2
    with pytest.raises(ValueError, match="takes no sample weights"):
        ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"],
                        method="exponentiated_gradient").fit(X, y, sample_weight=np.ones(len(y)))


def test_small_and_unseen_groups_warn_rather_than_fail(cohort):
    X, y = cohort
    model = TestTimeBlind(BoostedGAMClassifier(**FAST), ["group"]).fit(X, y)
    X_new = X.copy()
    X_new["group"] = X_new["group"].cat.add_categories(["C"])
    X_new.loc[X_new.index[:3], "group"] = "C"  # three rows, a level unseen in training
    with pytest.warns(SmallGroupWarning, match="'C': 3 rows"):
        report = fairness_report(model, X_new, y, ["group"], n_bootstrap=20)
    rates = report.by_group.loc["C"]
    assert rates["rows"] == 3 and np.isfinite(rates["selection_rate"])
    # three rows cannot decide the difference between groups: it is A's and B's
    both = report.by_group.loc[["A", "B"], "selection_rate"]
    assert report.differences.loc["demographic_parity_difference", "value"] == pytest.approx(
        both.max() - both.min())
    with pytest.warns(SmallGroupWarning, match="left out of the recovery"):
        assert 0.3 < sensitive_recovery_auc(model, X_new, ["group"]) < 0.7
    flips = flip_test(model, X_new, ["group"])
    assert flips["max_abs_logit_change"] <= 1e-12


def test_a_group_of_few_events_does_not_decide_the_true_positive_gap(cohort):
    """A group of 60 rows with 3 events has a true-positive rate of 0, 1/3, 2/3 or 1: it stays
    in the table and in the selection and false-positive gaps, not in the true-positive one."""
    X, y = cohort
    model = BoostedGAMClassifier(**FAST).fit(X, y)
    rows = np.r_[np.flatnonzero(y == 1)[:3], np.flatnonzero(y == 0)[:57]]
    group = X["group"].astype(str).to_numpy()
    group[rows] = "C"
    with pytest.warns(SmallGroupWarning, match=r"too few events or non-events \(fewer than "
                                               r"10: 'C': 3 events\)"):
        report = fairness_report(model, X, y, group, capacity=0.2, n_bootstrap=20)
    table, gaps = report.by_group, report.differences["value"]
    assert table.loc["C", "events"] == 3 and np.isfinite(table.loc["C", "tpr"])
    spread = {rate: (table.loc[groups, rate].max() - table.loc[groups, rate].min())
              for rate, groups in (("tpr", ["A", "B"]), ("fpr", ["A", "B", "C"]),
                                   ("selection_rate", ["A", "B", "C"]))}
    assert gaps["equal_opportunity_difference"] == pytest.approx(spread["tpr"])
    assert gaps["equalized_odds_difference"] == pytest.approx(max(spread["tpr"], spread["fpr"]))
    assert gaps["demographic_parity_difference"] == pytest.approx(spread["selection_rate"])


def test_fairness_report_intervals_and_capacity(cohort):
    X, y = cohort
    model = BoostedGAMClassifier(**FAST).fit(X, y)
    report = fairness_report(model, X, y, ["group", "insurance"], capacity=0.2, n_bootstrap=50)
    assert len(report.by_group) == 4  # intersections
    assert abs((model.predict_proba(X)[:, 1] >= report.threshold).mean() - 0.2) < 0.01
    table = report.by_group
    assert ((table["auroc_low"] <= table["auroc"]) & (table["auroc"] <= table["auroc_high"])).all()
    observed = pd.Series(y).groupby(X["group"].astype(str).str.cat(
        X["insurance"].astype(str), sep=" | ").to_numpy()).mean()
    np.testing.assert_allclose(table["prevalence"], observed.loc[table.index])


def test_strategies_work_in_pipelines_and_grid_search(cohort):
    X, y = cohort
    numeric = X.drop(columns=["insurance"]).assign(group=(X["group"] == "B").astype(float))
    pipe = make_pipeline(TrainThenClean(BoostedGAMClassifier(**FAST), ["group"]))
    pipe.fit(numeric, y)
    assert pipe.score(numeric, y) > 0.6
    search = GridSearchCV(DropSensitive(BoostedGAMClassifier(**FAST), ["group"]),
                          {"estimator__learning_rate": [0.04, 0.1]}, cv=2).fit(numeric, y)
    assert search.best_estimator_.estimator.learning_rate in (0.04, 0.1)
    regressor = TestTimeBlind(BoostedGAMRegressor(**FAST), ["group"]).fit(numeric, y)
    assert regressor.predict(numeric).shape == (len(y),)


def test_compare_strategies_table(cohort):
    X, y = cohort
    table = compare_strategies(BoostedGAMClassifier(**FAST), X, y, ["group"],
                               proxies=["deprivation", "insurance"])
    assert list(table.index) == ["with sensitive features", "DropSensitive", "TrainThenClean",
                                 "TestTimeBlind", "ConstrainedLoss"]
    assert (table.loc[table.index[1:], "flip_mean_abs_logit"] <= 1e-12).all()
    assert table.loc["with sensitive features", "flip_mean_abs_logit"] > 0
    assert {"auroc", "auprc", "brier", "demographic_parity_difference", "fit_s",
            "sensitive_recovery_auc", "proxy_share_of_gap"} <= set(table.columns)
    assert (table["decision"] == "threshold 0.5").all()
    numeric = X.drop(columns=["insurance"]).assign(group=(X["group"] == "B").astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        other = compare_strategies(LogisticRegression(max_iter=500), numeric, y, ["group"],
                                   strategies=("DropSensitive", "ConstrainedLoss"), capacity=0.2)
    # ConstrainedLoss falls back to the reduction, measured at its own decision
    assert other["decision"].tolist() == ["capacity 0.2", "capacity 0.2", "threshold 0.5"]


def test_compare_strategies_warns_once_about_the_test_rows(cohort):
    X, y = cohort
    X_test = X.iloc[:600].astype({"insurance": object})
    X_test.iloc[0, X_test.columns.get_loc("insurance")] = "unknown"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # what a reset once-per-line memory amounts to
        compare_strategies(BoostedGAMClassifier(**FAST), X.iloc[600:], y[600:], ["group"],
                           X_test=X_test, y_test=y[:600],
                           strategies=("DropSensitive", "TestTimeBlind"))
    unseen = [w for w in caught if "never saw" in str(w.message)]
    assert len(unseen) == 1 and "'unknown'" in str(unseen[0].message)
    assert unseen[0].filename == __file__  # pointed at the caller's line


def test_tradeoff_plot_labels_every_strategy_once():
    import matplotlib
    matplotlib.use("Agg")
    from glassbox.plot import plot_fairness_tradeoff
    table = pd.DataFrame({"auroc": [0.71, 0.70, 0.70, 0.69],
                          "demographic_parity_difference": [0.2, 0.1, 0.1, 0.02]},
                         index=["with sensitive features", "TrainThenClean", "TestTimeBlind",
                                "ConstrainedLoss"])
    ax = plot_fairness_tradeoff(table)
    points = [c for c in ax.collections if c.get_gid() == "strategies"][0]
    assert len(points.get_offsets()) == 4
    assert sorted(t.get_text() for t in ax.texts) == [
        "ConstrainedLoss", "TrainThenClean = TestTimeBlind", "with sensitive features"]
    with pytest.raises(ValueError, match="no column"):
        plot_fairness_tradeoff(table, y="accuracy")


def test_mistakes_get_errors_that_say_what_to_do(cohort):
    X, y = cohort
    gam = BoostedGAMClassifier(**FAST)
    with pytest.raises(ValueError, match="reference='marginal'"):
        TestTimeBlind(gam, ["group"], reference="marginals").fit(X, y)
    with pytest.raises(ValueError, match="'b' is not a value of 'group'"):
        TestTimeBlind(gam, ["group"], reference={"group": "b"}).fit(X, y)
    with pytest.raises(ValueError, match="measure must be one of"):
        TrainThenClean(BoostedGAMClassifier(interactions=0, **FAST), ["group"],
                       measure="train").fit(X, y)
    with pytest.raises(ValueError, match="its interactions names them"):
        DropSensitive(BoostedGAMClassifier(interactions=[("age", "group")], **FAST),
                      ["group"]).fit(X, y)
    model = gam.fit(X, y)
    with pytest.raises(ValueError, match="threshold or a capacity, not both"):
        fairness_report(model, X, y, ["group"], threshold=0.3, capacity=0.1)
    with pytest.raises(ValueError, match="BoostedGAMRegressor is not a classifier"):
        compare_strategies(BoostedGAMRegressor(**FAST), X, X["age"], ["group"])
    with pytest.raises(ValueError, match="y holds 3 classes"):
        compare_strategies(gam, X, _multiclass(y, X), ["group"])


def test_a_threshold_nobody_reaches_is_reported():
    X, y = make_proxy_cohort(4000, random_state=6)
    rare = (y == 1) & (np.random.default_rng(0).random(len(y)) < 0.15)  # about 5 % events
    with pytest.warns(UserWarning, match="nothing to act on"):
        model = ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"]).fit(X, rare)
    with pytest.warns(UserWarning, match="reach threshold=0.5"):
        fairness_report(model, X, rare, ["group"], n_bootstrap=0)
    capped = ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"], capacity=0.2).fit(X, rare)
    assert capped.constraint_report_["training_selection_rate"] == pytest.approx(0.2, abs=0.01)
    assert capped.estimator_.provenance_["constraint"]["capacity"] == 0.2
    # predict makes the decision that was constrained, not the 0.5 nobody reaches
    assert capped.predict(X).mean() == pytest.approx(0.2, abs=0.01)
    risk = capped.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(capped.predict(X), risk > capped.decision_threshold_)
    low = ConstrainedLoss(BoostedGAMClassifier(**FAST), ["group"], threshold=0.1).fit(X, rare)
    assert low.decision_threshold_ == 0.1
    np.testing.assert_array_equal(low.predict(X), low.predict_proba(X)[:, 1] > 0.1)
    assert low.predict(X).sum() > (low.predict_proba(X)[:, 1] > 0.5).sum()


def test_rows_tied_at_a_capacity_cut_are_predicted_as_the_constraint_counted_them():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.integers(0, 4, 3000) * 1.0, "b": rng.integers(0, 3, 3000) * 1.0,
                      "g": rng.choice(["f", "m"], 3000)})
    y = rng.random(3000) < 1 / (1 + np.exp(1.5 - 0.6 * X["a"] - 0.3 * X["b"]))
    model = ConstrainedLoss(BoostedGAMClassifier(interactions=0, **FAST), ["g"],
                            capacity=0.3).fit(X, y)
    selected = model.predict(X).mean()
    assert selected == pytest.approx(model.constraint_report_["training_selection_rate"])
    assert selected > 0.3  # a whole cell of tied rows sits at the cut


def test_settings_naming_columns_follow_them_when_the_sensitive_one_is_dropped(cohort):
    """With an array X, positions in the estimator's settings are positions in that X: the
    columns left after the sensitive one is dropped move down, and the settings with them."""
    X, y = cohort
    numeric = X.assign(group=(X["group"] == "B").astype(float),
                       insurance=X["insurance"].cat.codes.astype(float))
    columns = ["group", "age", "sbp", "lab", "deprivation", "insurance"]  # group first
    numeric = numeric[columns]
    sensitive, age, sbp, lab, insurance = (columns.index(c) for c in ("group", "age", "sbp",
                                                                       "lab", "insurance"))
    gam = BoostedGAMClassifier(categorical_features=[insurance], interactions=[(age, sbp)],
                               monotonic_cst={lab: 1}, **FAST)
    for strategy in (DropSensitive(gam, [sensitive]),
                     ConstrainedLoss(gam, [sensitive], tolerance=0.05)):
        fitted = strategy.fit(numeric.to_numpy(), y).estimator_
        rest = [c for c in columns if c != "group"]
        kinds = {rest[j]: f.kind for j, f in enumerate(fitted.features_)}
        assert kinds["insurance"] == "categorical" and kinds["age"] == "continuous"
        pair = next(t for t in fitted.terms_ if t.is_pair)
        assert [rest[j] for j in pair.features] == ["age", "sbp"]
        assert fitted.monotonic_cst == {rest.index("lab"): 1}
    last = DropSensitive(BoostedGAMClassifier(categorical_features=[-1], **FAST),
                         [sensitive]).fit(numeric.to_numpy(), y).estimator_
    assert [f.kind for f in last.features_][-1] == "categorical"  # insurance, the last column
    for setting in (dict(interactions=[(sensitive, age)]), dict(categorical_features=[sensitive]),
                    dict(monotonic_cst={sensitive - len(columns): 1}),
                    dict(monotonic_cst=[1 if j == sensitive else 0
                                        for j in range(len(columns))])):
        with pytest.raises(ValueError, match=r"without \[\d\], but its \w+ names them"):
            DropSensitive(BoostedGAMClassifier(**FAST, **setting),
                          [sensitive]).fit(numeric.to_numpy(), y)


def test_sensitive_values_may_be_given_as_any_array_or_list(cohort):
    X, y = cohort
    model = BoostedGAMClassifier(**FAST).fit(X, y)
    named = fairness_report(model, X, y, ["group"], n_bootstrap=0).differences
    group = X["group"].astype(str).astype("string")
    for given in (group.array, group.to_numpy(), list(group), group):
        pd.testing.assert_frame_equal(
            fairness_report(model, X, y, given, n_bootstrap=0).differences, named)
    with pytest.raises(ValueError, match="holds 2995 values but X has 3000 rows"):
        fairness_report(model, X, y, group.array[:-5], n_bootstrap=0)


def test_a_numeric_sensitive_feature_of_many_values_is_a_warning(cohort):
    X, y = cohort
    model = BoostedGAMClassifier(**FAST).fit(X, y)
    decades = (X["age"] // 10 * 10).clip(30, 80)
    with pytest.warns(UserWarning, match=r"'age' is numeric with \d+ distinct values, each a "
                                         r"group of its own; band it first"):
        fairness_report(model, X.assign(age=X["age"].clip(40, 80).round()), y, ["age"],
                        n_bootstrap=0)
    with pytest.warns(UserWarning, match=r"is numeric with \d+ distinct values"):
        fairness_report(model, X, y, X["age"].clip(40, 80).round().to_numpy(), n_bootstrap=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", SmallGroupWarning)
        fairness_report(model, X.assign(decade=decades), y, ["decade"], n_bootstrap=0)
