"""The boosting schedule: time budgets that keep shapes honest, and the pair filter."""

import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, ConstantFeatureWarning, _boosting
from glassbox import _kernels as K
from glassbox import _losses as L
from glassbox.gam import auto_min_samples_leaf, auto_outer_bags


def _linear_slope(model, X, feature=0):
    """Least-squares slope of a main effect's contributions against its feature."""
    contributions = model.explain(X).iloc[:, feature].to_numpy()
    return np.polyfit(X[:, feature], contributions, 1)[0]


def _linear_data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    logit = X[:, 0] + 0.5 * np.sin(2 * X[:, 1]) + 0.3 * X[:, 2] - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _fit_seconds(**params):
    """The quicker of two timed fits, so that a moment of load on the machine counts less."""
    X, y = params.pop("data")
    times = []
    for _ in range(2):
        started = time.perf_counter()
        model = BoostedGAMClassifier(**params).fit(X, y)
        times.append(time.perf_counter() - started)
    return min(times), model


@pytest.mark.timing
def test_budget_of_a_third_cuts_main_effects_in_lockstep():
    X, y = _linear_data(60_000)
    params = dict(interactions=0, outer_bags=4, n_jobs=2, random_state=0)
    BoostedGAMClassifier(**params, max_rounds=5).fit(X[:2000], y[:2000])  # compile first
    setup, _ = _fit_seconds(data=(X, y), **params, max_rounds=1)  # binning, splits: no rounds
    elapsed, full = _fit_seconds(data=(X, y), **params)
    assert full.fit_report_["cut_stage"] is None
    with pytest.warns(ConvergenceWarning, match="main effects"):
        budget = BoostedGAMClassifier(**params, max_time=setup + (elapsed - setup) / 3).fit(X, y)
    rounds = budget.fit_report_["rounds_run_main"]
    assert budget.fit_report_["cut_stage"] == "main effects"
    assert max(rounds) == min(rounds), rounds  # lockstep: every bag did the same work
    assert max(rounds) < np.mean(full.fit_report_["rounds_run_main"])
    # what the deadline left is exactly the model of the rounds it ran: nothing half-done
    same_work = BoostedGAMClassifier(**params, max_rounds=max(rounds)).fit(X, y)
    np.testing.assert_array_equal(budget.predict_proba(X), same_work.predict_proba(X))


def test_a_third_of_the_rounds_keeps_the_slope():
    X, y = _linear_data(60_000)
    params = dict(interactions=0, outer_bags=4, random_state=0)
    full = BoostedGAMClassifier(**params).fit(X, y)
    third = int(np.mean(full.fit_report_["rounds_run_main"]) / 3)
    short = BoostedGAMClassifier(**params, max_rounds=third).fit(X, y)
    assert _linear_slope(short, X) == pytest.approx(_linear_slope(full, X), rel=0.15)


@pytest.mark.timing
def test_budgeted_bags_advance_together():
    X, y = _linear_data(20_000, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BoostedGAMClassifier(interactions=0, outer_bags=6, n_jobs=2, random_state=0,
                                     max_time=0.3).fit(X, y)
    report = model.fit_report_
    assert report["cut_stage"] == "main effects"
    run = np.array(report["rounds_run_main"])
    best = model.bag_rounds_[:, 0]
    # the bags the deadline cut ran the same rounds; a bag that ran fewer stopped early on its own
    stopped_early = run - best == model.early_stopping_rounds
    assert ((run == run.max()) | stopped_early).all(), (run, best)
    assert (best <= run).all()


@pytest.mark.parametrize("jump_after, cut, said", [
    (1, "pair ranking", "while ranking the candidate pairs, after the main effects had converged"),
    (2, "interactions", "before the interaction stage began, after the main effects had converged"),
])
def test_a_deadline_after_the_main_effects_skips_the_pairs(monkeypatch, jump_after, cut, said):
    """The clock jumps past the deadline after the `jump_after`-th bag's pair ranking: the other
    bag's ranking, or the pair stage, is not started, and the main effects are those of a fit
    without pairs (each bag converged before the deadline)."""
    X, y = _pair_data(4, [(0, 1)], n=3000)
    params = dict(outer_bags=2, n_jobs=1, random_state=0)
    jump, calls, real_gains = [0.0], [], _boosting.pair_gains

    def ranked_then_late(*args):
        calls.append(1)
        gains = real_gains(*args)
        if len(calls) == jump_after:
            jump[0] = 1e6
        return gains
    clock = type("Clock", (), {"time": staticmethod(lambda: time.time() + jump[0])})
    monkeypatch.setattr(_boosting, "time", clock)
    monkeypatch.setattr("glassbox.gam.pair_gains", ranked_then_late)
    with pytest.warns(ConvergenceWarning, match=said):
        model = BoostedGAMClassifier(**params, max_time=60.0).fit(X, y)
    assert len(calls) == jump_after
    assert model.fit_report_["cut_stage"] == cut
    assert not any(t.is_pair for t in model.terms_)
    mains = BoostedGAMClassifier(**params, interactions=0).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), mains.predict_proba(X))


def _pair_data(n_features, pairs, n=8000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    logit = 0.3 * X[:, -1] - 1.0
    for a, b in pairs:
        logit = logit + 1.2 * X[:, a] * X[:, b]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.mark.parametrize("n_features, pairs", [
    (3, [(0, 1)]),
    (3, [(0, 1), (1, 2)]),       # most candidates are real: a median-based filter drops them
    (5, [(0, 1), (2, 3)]),
])
def test_real_pairs_among_few_features_are_kept(n_features, pairs):
    X, y = _pair_data(n_features, pairs)
    model = BoostedGAMClassifier(outer_bags=3, random_state=0).fit(X, y)
    kept = {t.features for t in model.terms_ if t.is_pair}
    assert set(pairs) <= kept, model.fit_report_


def test_fewer_pairs_than_asked_are_reported(capsys):
    X, y = _pair_data(5, [(0, 1)])
    model = BoostedGAMClassifier(outer_bags=3, interactions=4, random_state=0, verbose=1).fit(X, y)
    report = model.fit_report_
    assert report["pairs_requested"] == 4
    assert "x0 & x1" in report["pairs_kept"]
    assert len(report["pairs_kept"]) < 4
    n = len(report["pairs_kept"])
    said = f"{n} of the 4 requested interactions {'was' if n == 1 else 'were'} kept: "
    assert report["note"].startswith(said)
    assert "reach min_interaction_gain_ratio=3 times their chance level" in report["note"]
    assert said in capsys.readouterr().err


def test_pairs_dropped_for_no_gain_are_reported_as_such():
    """With the ratio at 0 a pair is dropped only when no cut of it improves the fit (here:
    pairs with a constant feature); the note says so rather than citing a ratio of 0."""
    X, y = _pair_data(3, [(0, 1)])
    X[:, 2] = 1.0
    with pytest.warns(ConstantFeatureWarning):
        model = BoostedGAMClassifier(outer_bags=2, interactions=3, min_interaction_gain_ratio=0,
                                     random_state=0).fit(X, y)
    note = model.fit_report_["note"]
    assert model.fit_report_["pairs_kept"] == ["x0 & x1"]
    ratios = model.fit_report_["pair_gain_ratios"]
    assert ratios["x0 & x2"] == ratios["x1 & x2"] == 0.0  # not infinite: no cut, no gain
    assert note == ("1 of the 3 requested interactions was kept: the other candidate pairs had "
                    "no positive gain: no 2 × 2 cut of them with min_samples_leaf rows per cell "
                    "improves the fit.")


def test_more_pairs_than_exist_are_reported_as_such():
    X, y = _pair_data(3, [(0, 1)])
    model = BoostedGAMClassifier(outer_bags=2, interactions=5, random_state=0).fit(X, y)
    report = model.fit_report_
    assert (report["pairs_requested"], report["pair_candidates"]) == (5, 3)
    assert "only 3 candidate pairs exist;" in report["note"]  # no monotone features to blame
    ratios = report["pair_gain_ratios"]
    assert len(ratios) == 3 and ratios["x0 & x1"] == max(ratios.values()) > 3
    no_pairs = BoostedGAMClassifier(outer_bags=2, interactions=0, random_state=0).fit(X, y)
    assert no_pairs.fit_report_["pair_candidates"] == 0


def test_multiclass_models_find_pairs():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9000, 4))
    logits = np.column_stack([np.zeros(9000), 1.5 * X[:, 0] * X[:, 1], 0.8 * X[:, 2]])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    model = BoostedGAMClassifier(outer_bags=3, random_state=0).fit(X, y)
    assert (0, 1) in {t.features for t in model.terms_ if t.is_pair}


def test_null_features_barely_move():
    """Steps go to the terms of best gain: a feature without effect keeps a flat shape, much
    flatter than a real effect of modest size."""
    X, y = _linear_data(20_000, seed=2)
    model = BoostedGAMClassifier(interactions=0, outer_bags=4, random_state=0).fit(X, y)
    spread = {t.name: np.average(np.abs(t.scores), weights=t.weights) for t in model.terms_}
    assert max(spread["x3"], spread["x4"], spread["x5"]) < 0.25 * spread["x2"]


@pytest.mark.parametrize("task, schedule", [
    ("binary", "greedy"), ("binary", "cyclic"), ("regression", "greedy"),
    ("regression", "cyclic"), ("multiclass", "greedy"), ("multiclass", "cyclic")])
def test_row_blocks_use_spare_cores_with_identical_results(monkeypatch, task, schedule):
    X, y = _pair_data(4, [(0, 1)], n=6000, seed=3)
    estimator = BoostedGAMRegressor if task == "regression" else BoostedGAMClassifier
    if task == "regression":
        y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + np.random.default_rng(0).normal(size=len(y))
    if task == "multiclass":
        y = y + (X[:, 2] > 0.5)
    params = dict(outer_bags=1, interactions=2, smoothing_schedule=schedule, random_state=0)
    whole = estimator(**params, n_jobs=1).fit(X, y)
    monkeypatch.setattr(_boosting, "BLOCK_ROWS", 1000)  # six blocks per pass
    monkeypatch.setattr(_boosting, "BLOCKED_ROWS", 1000)
    threads = []
    original = _boosting.ThreadedBlocks.__init__

    def recording(self, booster):
        original(self, booster)
        threads.append(len(self.spans))
    monkeypatch.setattr(_boosting.ThreadedBlocks, "__init__", recording)
    single = estimator(**params, n_jobs=1).fit(X, y)
    double = estimator(**params, n_jobs=2).fit(X, y)
    assert threads == [1, 1, 2, 2]  # main and pair stage of each fit
    assert len(single.terms_) == len(double.terms_)
    for a, b in zip(single.terms_, double.terms_):
        np.testing.assert_array_equal(a.scores, b.scores)  # the thread count changes nothing
    np.testing.assert_array_equal(single.intercept_, double.intercept_)
    np.testing.assert_array_equal(single.bag_rounds_, double.bag_rounds_)
    # blocks only reorder the sums: the model matches the one fitted in a single block
    np.testing.assert_allclose(single.predict(X[:500]) if estimator is BoostedGAMRegressor
                               else single.predict_proba(X[:500]),
                               whole.predict(X[:500]) if estimator is BoostedGAMRegressor
                               else whole.predict_proba(X[:500]), atol=1e-9)


@pytest.mark.parametrize("task, extra", [
    ("binary", {}), ("multiclass", {}), ("regression", {}),
    ("binary", {"early_stopping_rounds": 7}),  # stops inside a call's ten rounds
    ("binary", {"max_rounds": 37}),  # cut inside a call
    ("multiclass", {"validation_fraction": 0.0, "max_rounds": 23}),  # no validation rows
    ("binary", {"learning_rate": 1.0, "interactions": 0}),  # a step whose gain decays to 0
    ("binary", {"smoothing_schedule": "cyclic"}),
    ("multiclass", {"smoothing_schedule": "cyclic"}),
    ("regression", {"smoothing_schedule": "greedy"}),
])
def test_compiled_rounds_keep_the_same_books_as_python_steps(monkeypatch, task, extra):
    # A stage without a penalty runs ten rounds per compiled call, early stopping included;
    # stepping round by round in Python (the path of penalties and row stores) must agree.
    X, y = _pair_data(4, [(0, 1)], n=3000, seed=4)
    if task == "multiclass":
        y = y + (X[:, 2] > 0.5)
    estimator = BoostedGAMRegressor if task == "regression" else BoostedGAMClassifier
    if task == "regression":
        y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + np.random.default_rng(0).normal(size=len(y))
    params = {**dict(outer_bags=3, interactions=2, smoothing_rounds=15, random_state=0), **extra}
    compiled = estimator(**params).fit(X, y)

    def stepwise(self):
        while self.step():
            pass
    monkeypatch.setattr(_boosting.StageBooster, "run", stepwise)
    stepped = estimator(**params).fit(X, y)
    np.testing.assert_array_equal(compiled.bag_rounds_, stepped.bag_rounds_)
    for stage in ("rounds_run_main", "rounds_run_pairs"):
        assert compiled.fit_report_[stage] == stepped.fit_report_[stage]
    for a, b in zip(compiled.terms_, stepped.terms_):
        np.testing.assert_array_equal(a.scores, b.scores)
    rounds = compiled.fit_report_["rounds_run_main"]
    limit = params.get("max_rounds", 5000)
    assert min(rounds) > 20  # several compiled calls a bag
    if "max_rounds" in extra:
        assert rounds == [limit] * 3
    elif params.get("learning_rate") != 1.0:
        assert max(rounds) < limit  # early stopping ended every bag
    scores = (lambda m: m.predict(X)) if task == "regression" else (lambda m: m.predict_proba(X))
    np.testing.assert_array_equal(scores(compiled), scores(stepped))


@pytest.mark.parametrize("task", ["binary", "regression", "multiclass", "row blocks",
                                  "cyclic", "cyclic row blocks", "multiclass row blocks"])
def test_every_applied_step_reaches_the_rows(monkeypatch, task):
    # At a step size of 1 a step's gain decays to 0, so a round can end right after a step
    # that applied; its update must still reach the rows' state.
    X, y = _linear_data(2000, seed=5)
    if task.startswith("multiclass"):
        y = y + (X[:, 0] > 1)
    if task.endswith("row blocks"):
        monkeypatch.setattr(_boosting, "BLOCKED_ROWS", 1000)
    boosters = []
    original = _boosting.StageBooster.run

    def recording(self):
        original(self)
        boosters.append(self)
    monkeypatch.setattr(_boosting.StageBooster, "run", recording)
    estimator = BoostedGAMRegressor if task == "regression" else BoostedGAMClassifier
    rate = 1.5 if task.startswith("multiclass") else 1.0  # softmax steps are (K - 1) / K of it
    # cyclic smoothing steps are taken whatever their gain's rank: three features, all smoothing
    cyclic = dict(smoothing_schedule="cyclic", smoothing_rounds=30) if "cyclic" in task else {}
    estimator(learning_rate=rate, interactions=0, outer_bags=1, validation_fraction=0.0,
              max_rounds=30, random_state=0, **cyclic).fit(X[:, :3 if cyclic else 1], y)
    booster = boosters[0]
    assert (booster.rows is not None) == task.endswith("row blocks")
    raw = booster.stage.raw_scores(booster.scores, np.zeros(booster.state.shape))
    if task.startswith("multiclass"):  # probabilities proportional to exp(initial + raw)
        expected = np.exp(np.log(booster.state[0]) - raw[0] + raw)
        expected /= expected.sum(axis=1, keepdims=True)
    elif task == "regression":  # the initial score plus the raw scores
        expected = raw + (booster.state[0] - raw[0])
    else:  # exp(-(initial + raw))
        expected = K.state_from_scores(L.LOG_LOSS, raw) * booster.state[0] / np.exp(-raw[0])
    np.testing.assert_allclose(booster.state, expected, rtol=1e-9, atol=1e-12)


def _correlated_regression(n=1500, seed=6):
    """A target driven by one feature, with a strongly correlated copy and two weak effects."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    X = np.column_stack([x0, 0.9 * x0 + 0.45 * rng.normal(size=n), rng.normal(size=(n, 2))])
    y = 2 * x0 + 0.3 * X[:, 2] + 0.2 * np.sin(2 * X[:, 3]) + rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("estimator", [BoostedGAMRegressor, BoostedGAMClassifier])
def test_cyclic_smoothing_gives_every_term_a_step_each_round(estimator):
    # Greedy smoothing gives a round's random cuts to the leading term, which on these data is
    # the strong feature; cyclic smoothing gives every term one cut per round, in turn.
    X, y = _correlated_regression()
    if estimator is BoostedGAMClassifier:
        y = (y > 0).astype(int)
    params = dict(interactions=0, outer_bags=1, validation_fraction=0.0, max_rounds=1,
                  smoothing_rounds=1, random_state=0)  # one round
    moved = {}
    for schedule in ("greedy", "cyclic"):
        model = estimator(smoothing_schedule=schedule, **params).fit(X, y)
        moved[schedule] = [bool(np.any(t.scores != 0)) for t in model.terms_]
        assert model.fit_report_["smoothing_schedule"] == schedule
        assert model.fit_report_["smoothing_validation_loss"] is None
    assert moved["cyclic"] == [True] * 4
    assert moved["greedy"][0] and not all(moved["greedy"])


def _shared_signal(n=400, seed=0):
    """Three precise measurements of one latent quantity and a five-level coarsening of it (as
    cylinders stand for engine size): the coarse feature wins greedy steps, while spreading
    the signal over the measurements predicts better."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    X = np.column_stack([latent + 0.2 * rng.normal(size=n) for _ in range(3)]
                        + [np.digitize(latent, [-1, -0.3, 0.3, 1]).astype(float)])
    return X, 2 * latent + 0.3 * rng.normal(size=n)


def _separate_effects(n=400, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * rng.normal(size=n)


@pytest.mark.parametrize("data, kept", [(_shared_signal, "cyclic"), (_separate_effects, "greedy")])
def test_auto_schedule_keeps_cyclic_only_where_validation_says_it_predicts_better(data, kept,
                                                                                    capsys):
    # "auto" boosts the main effects both ways and keeps the cyclic run only if its bags'
    # validation losses lie at least two standard errors (paired over bags) below the
    # greedy run's; the model is then exactly the one that schedule fits alone.
    X, y = data()
    params = dict(interactions=0, random_state=0)
    auto = BoostedGAMRegressor(**params, verbose=1).fit(X, y)  # "auto": the regressor's default
    assert f"smoothing schedule {kept} kept" in capsys.readouterr().err
    assert auto.fit_report_["smoothing_choice"].startswith(f"smoothing schedule {kept} kept")
    assert auto.provenance_["smoothing_choice"] == auto.fit_report_["smoothing_choice"]
    comparison = auto.fit_report_["smoothing_validation_loss"]
    assert auto.fit_report_["smoothing_schedule"] == kept
    assert (comparison["cyclic_z"] >= 2.0) == (kept == "cyclic")
    assert (comparison["cyclic"] < comparison["greedy"]) or kept == "greedy"
    assert auto.provenance_["resolved"]["smoothing_schedule"] == kept
    alone = {s: BoostedGAMRegressor(smoothing_schedule=s, **params).fit(X, y)
             for s in ("greedy", "cyclic")}
    assert "resolved" not in alone[kept].provenance_ or (
        "smoothing_schedule" not in alone[kept].provenance_["resolved"])
    np.testing.assert_array_equal(auto.predict(X), alone[kept].predict(X))
    other = "greedy" if kept == "cyclic" else "cyclic"
    assert np.any(auto.predict(X) != alone[other].predict(X))


@pytest.mark.parametrize("task", ["binary", "multiclass", "squared_error", "poisson", "gamma"])
def test_auto_schedule_runs_on_every_loss(task):
    X, y = _separate_effects(n=900, seed=2)
    if task in ("binary", "multiclass"):
        y = np.digitize(y, [0.0] if task == "binary" else [-0.5, 0.5])
        estimator = BoostedGAMClassifier(smoothing_schedule="auto")
    else:
        y = np.exp(y / 2) if task != "squared_error" else y
        estimator = BoostedGAMRegressor(loss=task)
    model = estimator.set_params(interactions=0, outer_bags=3, random_state=0).fit(X, y)
    comparison = model.fit_report_["smoothing_validation_loss"]
    assert set(comparison) == {"greedy", "cyclic", "cyclic_z"}
    assert comparison["greedy"] > 0 and comparison["cyclic"] > 0


@pytest.mark.parametrize("params, why", [
    ({"validation_fraction": 0.0}, "left a bag without validation rows"),
    ({"smoothing_rounds": 0}, None),  # nothing to choose between: no note
    ({"max_time": 60.0}, "max_time is set"),
    ({"outer_bags": 2}, "2 bags cannot measure the spread between bags"),
    ({"validation_fraction": 0.0005}, "left a bag without validation rows")])  # rounds to 0
def test_auto_schedule_is_greedy_without_validation_smoothing_bags_or_time(params, why):
    X, y = _correlated_regression(n=600)
    params = {"interactions": 0, "outer_bags": 3, "random_state": 0, **params}
    model = BoostedGAMRegressor(**params).fit(X, y)
    assert model.fit_report_["smoothing_schedule"] == "greedy"
    assert model.fit_report_["smoothing_validation_loss"] is None
    assert "smoothing_choice" not in model.fit_report_
    note = model.fit_report_.get("note", "")
    if why is None:
        assert "smoothing_schedule" not in note
    else:
        assert "smoothing_schedule='auto' used greedy smoothing without trying cyclic" in note
        assert why in note
    greedy = BoostedGAMRegressor(smoothing_schedule="greedy", **params).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), greedy.predict(X))


@pytest.mark.parametrize("seed", [0, 3])
def test_a_binary_risk_factor_is_not_crowded_out_by_many_cut_features(seed):
    # A binary factor (log-OR 0.5) offers one cut; continuous features offer hundreds, so their
    # best cut fits noise better. Compared raw, the binary term's gain loses to the noise of
    # the others and its effect came out as 0; compared relative to chance, it is found.
    rng = np.random.default_rng(seed)
    n = 5000
    age = rng.uniform(20, 90, n)
    binary = (rng.random(n) < 1 / (1 + np.exp(-(age - 60) / 8))).astype(float)
    X = np.column_stack([age, binary, rng.normal(size=(n, 6))])
    logit = -6 + 0.05 * age + 0.5 * binary
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    scores = BoostedGAMClassifier(random_state=0).fit(X, y).terms_[1].scores
    assert scores[2] - scores[1] > 0.25


# --- row-count- and task-aware defaults (docs/benchmarks.md, "How the defaults were chosen") ---


@pytest.mark.parametrize("n_rows, leaf", [(100, 4), (313, 4), (450, 4), (811, 8), (1700, 17),
                                          (2000, 20), (100_000, 20)])
def test_auto_leaf_size_is_one_percent_of_the_rows_between_4_and_20(n_rows, leaf):
    assert auto_min_samples_leaf(n_rows) == leaf


def test_auto_leaf_size_counts_rows_of_positive_weight():
    X, y = _linear_data(600, seed=4)
    weight = np.r_[np.ones(300), np.zeros(300)]
    params = dict(outer_bags=2, interactions=0, random_state=0)
    weighted = BoostedGAMClassifier(**params).fit(X, y, sample_weight=weight)
    dropped = BoostedGAMClassifier(**params).fit(X[:300], y[:300])
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X))
    fixed = BoostedGAMClassifier(**params, min_samples_leaf=4).fit(X[:300], y[:300])
    np.testing.assert_allclose(fixed.predict_proba(X), dropped.predict_proba(X))


@pytest.mark.parametrize("n_rows, bags", [(100, 16), (499, 16), (500, 8), (100_000, 8)])
def test_auto_bags_are_16_below_500_rows_and_8_from_there(n_rows, bags):
    assert auto_outer_bags(n_rows) == bags


def test_auto_bags_count_rows_of_positive_weight():
    X, y = _linear_data(600, seed=4)
    params = dict(interactions=0, max_rounds=20, random_state=0)
    weight = np.r_[np.ones(450), np.zeros(150)]
    assert len(BoostedGAMClassifier(**params).fit(X, y).bag_rounds_) == 8
    assert len(BoostedGAMClassifier(**params).fit(X, y, sample_weight=weight).bag_rounds_) == 16
    assert len(BoostedGAMClassifier(**params, outer_bags=3).fit(X, y).bag_rounds_) == 3


def _small_planted(n=400, seed=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X[:, 0] * X[:, 1] + 0.5 * X[:, 2]


def test_auto_gain_ratio_keeps_the_real_pair_of_a_small_regression_table_and_drops_chance():
    X, signal = _small_planted()
    noise = np.random.default_rng(6).normal(scale=0.5, size=len(signal))
    regressor = BoostedGAMRegressor(outer_bags=2, random_state=0).fit(X, signal + noise)
    report = regressor.fit_report_
    ratios = report["pair_gain_ratios"]
    assert "x0 & x1" in report["pairs_kept"] and len(report["pairs_kept"]) < 6, report
    assert sorted(report["pairs_kept"]) == sorted(p for p, r in ratios.items() if r >= 1.5)
    unfiltered = BoostedGAMRegressor(outer_bags=2, random_state=0,
                                     min_interaction_gain_ratio=0).fit(X, signal + noise)
    assert len(unfiltered.fit_report_["pairs_kept"]) == 6  # "3x" asks 12; every candidate


@pytest.mark.parametrize("estimator, target, ratio", [
    (BoostedGAMClassifier(), "binary", 3.0),
    (BoostedGAMClassifier(), "three classes", 0.0),
    (BoostedGAMRegressor(), "normal", 1.5),
    (BoostedGAMRegressor(loss="poisson"), "counts", 1.5),
    (BoostedGAMRegressor(loss="gamma"), "positive", 1.5),
    (BoostedGAMRegressor(min_interaction_gain_ratio=2.5), "normal", 2.5),
])
def test_the_gain_ratio_used_is_reported_with_auto_resolved(estimator, target, ratio):
    X, signal = _small_planted()
    y = {"binary": signal > 0, "three classes": np.digitize(signal, [-0.5, 0.5]),
         "normal": signal, "counts": np.random.default_rng(0).poisson(np.exp(signal / 2)),
         "positive": np.exp(signal)}[target]
    model = estimator.set_params(outer_bags=2, max_rounds=20, random_state=0).fit(X, y)
    assert model.fit_report_["min_interaction_gain_ratio"] == ratio


def test_auto_gain_ratio_keeps_pairs_on_a_small_multiclass_table():
    X, signal = _small_planted()
    noise = np.random.default_rng(6).normal(scale=0.5, size=len(signal))
    y = np.digitize(signal + noise, np.quantile(signal, [1 / 3, 2 / 3]))
    classifier = BoostedGAMClassifier(outer_bags=2, random_state=0).fit(X, y)
    assert (0, 1) in {t.features for t in classifier.terms_ if t.is_pair}
    assert len(classifier.fit_report_["pairs_kept"]) == 6  # no filter for multiclass targets


def test_auto_gain_ratio_still_filters_a_binary_null_cohort():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 5))
    y = (rng.random(3000) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)  # no interaction
    model = BoostedGAMClassifier(outer_bags=3, random_state=0).fit(X, y)
    assert model.fit_report_["pairs_kept"] == [], model.fit_report_
    explicit = BoostedGAMClassifier(outer_bags=3, random_state=0,
                                    min_interaction_gain_ratio=0).fit(X, y)
    assert len(explicit.fit_report_["pairs_kept"]) == 10


def test_stage_codes_wider_than_uint16_are_refused_not_wrapped():
    codes = np.array([[0], [70_000]], dtype=np.int64)
    with pytest.raises(TypeError, match="uint16"):
        _boosting.Stage.build(codes, [(70_001, 1)], [False], [0])


def test_early_stopping_measures_progress_against_the_first_loss():
    """Held-out rows that a stage separates lose loss geometrically (a steady share of a
    vanishing loss each round): progress is measured against the stage's first loss, so such
    a stage stops once its gains are negligible, where a tolerance relative to the best loss
    let it run to max_rounds, its scores growing without bound (iris's logits reached 33)."""
    def rounds_run(losses, tol=1e-5, patience=50):
        progress = np.array([0.0, 0.0, losses[0], 0.0, 0.0, losses[0]])
        scores, best = np.zeros(1), np.zeros(1)
        for loss in losses[1:]:
            if K.keep_books(progress, True, loss, True, scores, best, tol, patience, 10**6):
                break
        return int(progress[0]), int(progress[1])
    for losses in (1.1 * 0.97 ** np.arange(20_000),  # separated held-out rows
                   1.1 - 0.4 * (1 - 0.99 ** np.arange(20_000))):  # an ordinary stage
        rounds, best = rounds_run(losses)
        assert rounds == best + 50 < 2000
        assert losses[best] - losses[rounds] <= 1e-5 * 1.1  # the patience window gained nothing
        assert losses[best - 50] - losses[best] > 1e-5 * 1.1  # the rounds before it did
