"""Monotonic networks: the compiled gradient, monotonicity by construction, the estimators."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassbox import _losses as L
from glassbox import _netkernels as N
from glassbox.datasets import make_interacting_cohort, make_risk_cohort
from glassbox.datasets._interacting import MONOTONIC_CST, interacting_effects
from glassbox.monotonic import (MonotonicNetClassifier, MonotonicNetRegressor, _architecture,
                                _initial_params)


def _random_network(rng, n_inputs, monotone, hidden, n_out=1, additive=False, groups=None):
    modes = np.zeros(n_inputs, dtype=np.int64)
    modes[monotone] = 1
    network = _architecture(modes, hidden, n_out, additive,
                            None if groups is None else [np.array(g) for g in groups])
    x = rng.normal(size=(64, n_inputs))
    return network, _initial_params(network, x, 0.0, rng) + rng.normal(
        scale=0.3, size=network.n_params)


GROUPS = [[0, 3], [1], [2, 4]]  # separate networks: sparse layers, a free-only group


@pytest.mark.parametrize("groups", [None, GROUPS])
@pytest.mark.parametrize("loss, n_out", [(L.SQUARED_ERROR, 1), (L.LOG_LOSS, 1), (L.MULTINOMIAL, 3),
                                         (L.POISSON, 1), (L.GAMMA, 1)])
def test_backward_pass_matches_finite_differences(loss, n_out, groups):
    rng = np.random.default_rng(0)
    network, params = _random_network(rng, 5, [0, 2], [6, 4], n_out=n_out, groups=groups)
    x = rng.normal(size=(9, 5))
    y = rng.integers(0, 3 if n_out == 3 else 2, 9).astype(float) + (loss == L.GAMMA)
    weight = rng.random(9)
    units = int(network.unit_offsets[-1])

    def loss_of(p):
        pre, post = np.empty((9, units)), np.empty((9, units))
        out = N.forward(p, *network.args(), x, pre, post)
        return N.loss_and_output_gradient(loss, out, y, weight), pre, post

    (value, out_grad), pre, post = loss_of(params)
    grad = np.zeros_like(params)
    N.backward(params, *network.args(), x, pre, post, out_grad, grad)
    h = 1e-6
    numeric = np.array([(loss_of(params + e)[0][0] - loss_of(params - e)[0][0]) / (2 * h)
                        for e in np.eye(len(params)) * h])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    masked = network.mask == 0
    assert masked.any() and (grad[masked] == 0).all()


def test_a_network_of_groups_adds_up_separate_networks():
    rng = np.random.default_rng(3)
    network, params = _random_network(rng, 5, [0, 2], [6, 4], groups=GROUPS)
    sparse = [layer for layer in range(len(network.shapes))
              if not N._is_dense(network.spans, network.unit_offsets[layer],
                                 network.shapes[layer, 1], network.shapes[layer, 0])]
    assert len(sparse) >= 2  # the span loops, not the dense products, are what is tested
    a, b = rng.normal(size=(2, 600, 5))  # rows over three of forward's blocks, the last partial
    for group in GROUPS:
        rest = [j for j in range(5) if j not in group]
        mixed = a.copy()
        mixed[:, rest] = b[:, rest]
        # f(a) - f(a with the others from b) is the same whatever `group` holds: no cross terms
        left = network.forward(params, a) - network.forward(params, mixed)
        swapped, swapped_mixed = b.copy(), b.copy()
        swapped[:, rest], swapped_mixed[:, rest] = a[:, rest], b[:, rest]
        right = network.forward(params, swapped) - network.forward(params, swapped_mixed)
        np.testing.assert_allclose(left, right, atol=1e-12)
    layers = []
    for n_in, n_out, offset in network.shapes:
        w = params[offset:offset + n_in * n_out].reshape(n_out, n_in) * network.mask[
            offset:offset + n_in * n_out].reshape(n_out, n_in)
        layers.append((w, params[offset + n_in * n_out:offset + n_in * n_out + n_out]))
    out = a  # the same network by NumPy's dense products
    for layer, (w, bias) in enumerate(layers):
        n_in = network.shapes[layer, 0]
        modes = network.modes[network.mode_offsets[layer]:network.mode_offsets[layer] + n_in]
        z = out @ np.where(modes == 1, np.abs(w), w).T + bias
        kinds = network.activations[network.unit_offsets[layer]:network.unit_offsets[layer + 1]]
        out = np.select([kinds == N.RELU, kinds == N.CONCAVE, kinds == N.SATURATED],
                        [np.maximum(z, 0), np.minimum(z, 0), np.clip(z, -1, 1)], z)
    np.testing.assert_allclose(network.forward(params, a), out, rtol=1e-12, atol=1e-12)


def _violations(network, params, x, feature, direction):
    grid = np.linspace(-4, 4, 41)
    rows = np.repeat(x, len(grid), axis=0)
    rows[:, feature] = np.tile(grid, len(x))
    out = network.forward(params, rows)
    steps = np.diff(out.reshape(len(x), len(grid), -1), axis=1)
    return int((direction * steps < -1e-12).sum())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2 ** 31 - 1), n_inputs=st.integers(2, 6),
       depth=st.integers(0, 3), width=st.integers(1, 12), additive=st.booleans(),
       grouped=st.booleans())
def test_constrained_networks_are_monotone_for_every_input(seed, n_inputs, depth, width,
                                                           additive, grouped):
    rng = np.random.default_rng(seed)
    monotone = sorted(rng.choice(n_inputs, size=rng.integers(1, n_inputs + 1), replace=False))
    groups = None
    if grouped and not additive:  # a random split of the inputs into separate networks
        cuts = np.sort(rng.choice(np.arange(1, n_inputs), size=rng.integers(0, n_inputs),
                                  replace=False))
        groups = [list(g) for g in np.split(rng.permutation(n_inputs), cuts)]
    network, params = _random_network(rng, n_inputs, monotone, [width] * depth,
                                      additive=additive, groups=groups)
    x = rng.normal(scale=2.0, size=(20, n_inputs))
    for feature in monotone:
        assert _violations(network, params, x, feature, +1) == 0


def test_the_monotonicity_test_fails_on_an_unconstrained_network():
    rng = np.random.default_rng(1)
    found = 0
    for _ in range(10):
        network, params = _random_network(rng, 3, [], [8, 8])
        x = rng.normal(scale=2.0, size=(20, 3))
        found += _violations(network, params, x, 0, +1) > 0
    assert found >= 8


@pytest.fixture(scope="module")
def cohort():
    X, y, truth = make_risk_cohort(n_samples=4000, n_features=10, random_state=5)
    return X, y, truth


@pytest.mark.parametrize("additive", [False, True])
def test_fitted_classifier_is_monotone_on_a_dense_grid(cohort, additive):
    X, y, _ = cohort
    constraints = {"age": 1, "sodium": -1}
    model = MonotonicNetClassifier(monotonic_cst=constraints, additive=additive,
                                   random_state=0).fit(X, y)
    rows = X.sample(100, random_state=0)
    for feature, direction in constraints.items():
        grid = np.linspace(X[feature].min() - 5, X[feature].max() + 5, 60)
        expanded = rows.loc[rows.index.repeat(len(grid))].reset_index(drop=True)
        expanded[feature] = np.tile(grid, len(rows))
        scores = model.decision_function(expanded).reshape(len(rows), len(grid))
        assert (direction * np.diff(scores, axis=1) >= -1e-9).all()


def test_additive_mode_explains_exactly_and_recovers_shapes(cohort):
    X, y, truth = cohort
    model = MonotonicNetClassifier(additive=True, monotonic_cst={"age": 1}, n_seeds=2,
                                   random_state=0).fit(X, y)
    contributions = model.explain(X)
    np.testing.assert_allclose(contributions.sum(axis=1) + model.intercept_,
                               model.decision_function(X), rtol=0, atol=1e-9)
    assert [t.name for t in model.terms_] == list(X.columns)
    assert np.corrcoef(contributions["age"], truth["age"])[0, 1] > 0.85
    assert (model.terms_[0].stds > 0).any()
    assert model.term_importances().index[0] in X.columns


def test_an_edited_additive_network_states_what_its_terms_guarantee(cohort):
    """An additive network predicts from its terms, so after an edit its guarantee is read off
    them: an edit that breaks the direction withdraws the proof, one that keeps it says so."""
    from glassbox import edit
    X, y, _ = cohort
    model = MonotonicNetClassifier(additive=True, monotonic_cst={"age": 1, "sodium": -1},
                                   n_seeds=1, random_state=0).fit(X, y)
    assert model.monotonicity_certificate(X).loc["age", "guarantee"] == "non-decreasing"
    age = next(t for t in model.terms_ if t.name == "age")
    broken = edit.set_term_scores(model, "age", np.sin(np.arange(age.scores.shape[0])))
    certificate = broken.monotonicity_certificate(X)
    assert certificate.loc["age", "guarantee"] == "none"
    assert "set_term_scores" in certificate.loc["age", "reason"]
    assert not certificate.loc["age", "verified"]
    assert certificate.loc["sodium", "guarantee"] == "non-increasing"  # its term untouched
    assert certificate.loc["sodium", "verified"]
    kept = edit.scale_term(model, "age", 2.0).monotonicity_certificate(X)
    assert kept.loc["age", "guarantee"] == "non-decreasing" and kept.loc["age", "verified"]
    assert "read off its term" in kept.loc["age", "reason"]


def test_plots_work_on_the_additive_mode(cohort):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from glassbox import plot

    X, y, _ = cohort
    model = MonotonicNetClassifier(additive=True, monotonic_cst={"age": 1},
                                   random_state=0).fit(X, y)
    ax = plot.plot_shape(model, "age", scale="odds")
    drawn = next(p for p in ax.patches if p.get_gid() == "shape")
    heights = drawn.get_data().values
    np.testing.assert_allclose(heights, np.exp(model.terms_[0].scores[1:-1]))
    assert (np.diff(heights) >= -1e-12).all()  # the monotone shape, drawn as odds ratios
    plot.plot_contributions(model, X.iloc[[0]])
    plt.close("all")


def test_full_mode_has_no_terms_but_explains_by_attributions():
    X, y, _ = make_risk_cohort(n_samples=500, n_features=4, random_state=0)
    model = MonotonicNetClassifier(max_iter=5, random_state=0).fit(X, y)
    assert not hasattr(model, "terms_")
    with pytest.raises(TypeError, match="summary needs an additive model.*additive=True"):
        model.summary()
    explained = model.explain(X.iloc[:3])
    assert explained.attrs["exact"] and list(explained.columns) == list(X.columns)


def test_multiclass_and_regression():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=1500), "b": rng.normal(size=1500)})
    label = np.digitize(X["a"] + 0.3 * rng.normal(size=1500), [-0.5, 0.5])
    with pytest.raises(ValueError, match=r"constrains \['a'\], but the target has 3 classes"):
        MonotonicNetClassifier(monotonic_cst={"a": 1}).fit(X, label)  # as the boosted GAM
    clf = MonotonicNetClassifier(random_state=0).fit(X, label)
    assert (clf.predict(X) == label).mean() > 0.8
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    target = 3 * np.tanh(X["a"]) + X["b"] ** 2 + 0.1 * rng.normal(size=1500)
    reg = MonotonicNetRegressor(monotonic_cst={"a": 1}, random_state=0).fit(X, target)
    assert reg.score(X, target) > 0.9
    additive = MonotonicNetRegressor(additive=True, monotonic_cst=[1, 0],
                                     random_state=0).fit(X, target)
    np.testing.assert_allclose(additive.explain(X).sum(axis=1) + additive.intercept_,
                               additive.predict(X), atol=1e-9)
    assert additive.score(X, target) > 0.9


def test_inputs_categories_missing_values_and_errors():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"dose": rng.normal(size=800), "site": rng.choice(["a", "b", "c"], 800),
                      "lab": rng.normal(size=800)})
    X.loc[::10, "lab"] = np.nan
    y = (X["dose"] + (X["site"] == "b") + X["lab"].isna() > 0.5).astype(int)
    model = MonotonicNetClassifier(monotonic_cst={"dose": 1}, random_state=0).fit(X, y)
    assert (model.predict(X) == y).mean() > 0.85
    with pytest.raises(ValueError, match="'site' is categorical"):
        MonotonicNetClassifier(monotonic_cst={"site": 1}).fit(X, y)
    with pytest.raises(ValueError, match="'dose' contains inf"):
        MonotonicNetClassifier().fit(X.assign(dose=np.inf), y)


@pytest.mark.parametrize("additive", [False, True])
def test_zero_weights_are_removed_rows_and_seeds_reproduce(cohort, additive):
    """For an additive network too: its terms are read at each bin's mean training value,
    which rows of weight 0 must not move."""
    X, y, _ = cohort
    weight = np.ones(len(y))
    weight[::5] = 0.0
    keep = weight > 0
    params = dict(monotonic_cst={"age": 1}, max_iter=30, random_state=3, additive=additive)
    weighted = MonotonicNetClassifier(**params).fit(X, y, sample_weight=weight)
    removed = MonotonicNetClassifier(**params).fit(X[keep], y[keep])
    np.testing.assert_allclose(weighted.decision_function(X), removed.decision_function(X),
                               atol=1e-10)
    again = MonotonicNetClassifier(n_jobs=2, **params).fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(again.decision_function(X), weighted.decision_function(X))


FAST = dict(random_state=0)


@parametrize_with_checks(
    [MonotonicNetClassifier(**FAST), MonotonicNetRegressor(**FAST),
     MonotonicNetClassifier(additive=True, **FAST), MonotonicNetRegressor(additive=True, **FAST),
     MonotonicNetClassifier(interactions=1, **FAST), MonotonicNetRegressor(interactions=1, **FAST)],
    expected_failed_checks=lambda est: est._expected_failed_checks(),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [MonotonicNetClassifier, MonotonicNetRegressor])
@pytest.mark.parametrize("additive, interactions", [(False, "all"), (True, "all"),
                                                    (False, [("age", "sodium")])])
def test_json_round_trip_predicts_identically(tmp_path, estimator, additive, interactions):
    from glassbox.io import load_model, save_model

    X, y, truth = make_risk_cohort(n_samples=800, n_features=10, random_state=2)
    target = y if estimator is MonotonicNetClassifier else truth.sum(axis=1).to_numpy()
    model = estimator(monotonic_cst={"age": 1}, additive=additive, interactions=interactions,
                      n_seeds=2, max_iter=20, random_state=0).fit(X, target)
    save_model(model, tmp_path / "net.json")
    loaded = load_model(tmp_path / "net.json")
    predict = "decision_function" if estimator is MonotonicNetClassifier else "predict"
    np.testing.assert_array_equal(getattr(loaded, predict)(X), getattr(model, predict)(X))
    assert loaded.interaction_groups_ == model.interaction_groups_
    if additive:
        np.testing.assert_array_equal(loaded.explain(X).to_numpy(), model.explain(X).to_numpy())


def test_interacting_cohort_reproduces_its_generating_model():
    X, y, truth = make_interacting_cohort(n_samples=40_000, random_state=0, return_truth=True)
    effects = interacting_effects(X)
    np.testing.assert_allclose(truth, effects - effects.mean())
    assert abs(y.mean() - 0.30) < 0.01
    again, y_again = make_interacting_cohort(n_samples=40_000, random_state=0)
    pd.testing.assert_frame_equal(again, X)
    np.testing.assert_array_equal(y_again, y)

    def log_odds(**values):
        row = {"age": 60.0, "sbp": 130.0, "egfr": 90.0, "diabetes": 0, "bmi": 27.0,
               "lab_1": 0.0, "lab_2": 0.0, "lab_3": 0.0, **values}
        return float(interacting_effects(pd.DataFrame([row])).sum(axis=1).iloc[0])

    age_slopes = [log_odds(age=65, sbp=sbp) - log_odds(age=55, sbp=sbp) for sbp in (120, 140, 180)]
    np.testing.assert_allclose(age_slopes, [0.1, 0.6, 1.6])  # per decade, as documented
    egfr_slopes = [log_odds(egfr=60, diabetes=d) - log_odds(egfr=75, diabetes=d) for d in (0, 1)]
    np.testing.assert_allclose(egfr_slopes, [0.3, 0.9])

    rows = X.sample(200, random_state=0)
    for feature, direction in MONOTONIC_CST.items():
        grid = np.linspace(X[feature].min() - 10, X[feature].max() + 10, 60)
        expanded = rows.loc[rows.index.repeat(len(grid))].reset_index(drop=True)
        expanded[feature] = np.tile(grid, len(rows))
        curves = interacting_effects(expanded).sum(axis=1).to_numpy().reshape(len(rows), -1)
        assert (direction * np.diff(curves, axis=1) >= 0).all()

    # the outcome follows the model: a logistic fit on the true terms gives the interactions
    # their stated sizes (a weight of 1 each)
    from sklearn.linear_model import LogisticRegression
    terms = effects.loc[:, effects.std() > 0]
    weights = pd.Series(LogisticRegression(C=1e6, max_iter=1000).fit(terms, y).coef_[0],
                        index=terms.columns)
    np.testing.assert_allclose(weights[["age & sbp", "egfr & diabetes"]], 1.0, atol=0.1)


def test_the_full_network_learns_the_interaction_the_additive_one_cannot():
    X, y, truth = make_interacting_cohort(n_samples=6000, random_state=1, return_truth=True)
    train, test = np.arange(5000), np.arange(5000, 6000)
    true = truth.sum(axis=1).to_numpy()[test]
    error, models = {}, {}
    for additive in (False, True):
        model = MonotonicNetClassifier(monotonic_cst=MONOTONIC_CST, additive=additive,
                                       random_state=0).fit(X.iloc[train], y[train])
        fitted = model.decision_function(X.iloc[test])
        error[additive] = np.sqrt(np.mean((fitted - fitted.mean() - true + true.mean()) ** 2))
        models[additive] = model
    assert error[False] < error[True] - 0.05

    def age_slope(model, sbp):  # mean rise of the log-odds from age 55 to 65 at a given sbp
        rows = X.iloc[test].assign(sbp=sbp)
        return np.mean(model.decision_function(rows.assign(age=65))
                       - model.decision_function(rows.assign(age=55)))

    full = models[False]
    assert age_slope(full, 170) > age_slope(full, 120) + 0.4  # truth: 1.35 vs 0.1
    additive = models[True]
    np.testing.assert_allclose(age_slope(additive, 170), age_slope(additive, 120))


def test_found_pairs_make_a_network_of_separate_networks():
    X, y = make_interacting_cohort(n_samples=5000, random_state=1)
    model = MonotonicNetClassifier(monotonic_cst=MONOTONIC_CST, interactions=2,
                                   random_state=0).fit(X, y)
    pairs = {("age", "sbp"), ("diabetes", "egfr")}
    assert set(model.interaction_search_["pairs_kept"]) == {"age & sbp", "egfr & diabetes"}
    assert min(model.interaction_search_["pair_gain_ratios"].values()) > 2  # well above chance
    assert {tuple(sorted(g)) for g in model.interaction_groups_ if len(g) == 2} == pairs
    assert sorted(g[0] for g in model.interaction_groups_ if len(g) == 1) == \
        ["bmi", "lab_1", "lab_2", "lab_3"]
    rows = X.sample(300, random_state=0)

    def rise(feature, low, high, **fixed):
        at = rows.assign(**fixed)
        return (model.decision_function(at.assign(**{feature: high}))
                - model.decision_function(at.assign(**{feature: low})))

    lab_effect = rise("lab_1", -1.0, 1.0)
    np.testing.assert_allclose(lab_effect, lab_effect[0], atol=1e-12)  # in no pair: additive
    bmi_effect = rise("bmi", 22.0, 34.0, sbp=170.0)
    np.testing.assert_allclose(bmi_effect, rise("bmi", 22.0, 34.0, sbp=120.0), atol=1e-12)
    age_rise_high, age_rise_low = rise("age", 55, 65, sbp=170.0), rise("age", 55, 65, sbp=120.0)
    assert age_rise_high.mean() > age_rise_low.mean() + 0.4  # truth: 1.35 against 0.1
    for feature, direction in MONOTONIC_CST.items():
        grid = np.linspace(X[feature].min() - 10, X[feature].max() + 10, 40)
        expanded = rows.loc[rows.index.repeat(len(grid))].reset_index(drop=True)
        expanded[feature] = np.tile(grid, len(rows))
        curves = model.decision_function(expanded).reshape(len(rows), -1)
        assert (direction * np.diff(curves, axis=1) >= -1e-9).all()
    certificate = model.monotonicity_certificate(X)
    assert (certificate.loc[list(MONOTONIC_CST), "verified"] == True).all()  # noqa: E712
    full = model.set_params(interactions="all", n_seeds=1, max_iter=2).fit(X, y)
    assert full.interaction_groups_ == [tuple(X.columns)]
    assert not hasattr(full, "interaction_search_")  # the refit made no search
    additive = MonotonicNetClassifier(additive=True, n_seeds=1, max_iter=2,
                                      random_state=0).fit(X, y)
    assert additive.interaction_groups_ == [(name,) for name in X.columns]


def test_no_pairs_asked_for_make_no_pair_search():
    """interactions=0 (or "0x") is interactions=[]: one network per feature, without the
    boosted GAM's pair search, which would find pairs only to keep none."""
    X, y = make_interacting_cohort(n_samples=600, random_state=3)
    fast = dict(max_iter=3, n_seeds=1, random_state=0)
    listed = MonotonicNetClassifier(interactions=[], **fast).fit(X, y)
    for zero in (0, "0x"):
        model = MonotonicNetClassifier(interactions=zero, **fast).fit(X, y)
        assert not hasattr(model, "interaction_search_")
        assert model.interaction_groups_ == listed.interaction_groups_
        np.testing.assert_array_equal(model.predict_proba(X), listed.predict_proba(X))


def test_given_groups_and_their_errors():
    X, y = make_interacting_cohort(n_samples=600, random_state=3)
    fast = dict(max_iter=3, n_seeds=1, random_state=0)
    model = MonotonicNetClassifier(interactions=[("sbp", "age"), (2, "diabetes", "bmi")],
                                   **fast).fit(X, y)
    assert model.interaction_groups_ == [("age", "sbp"), ("egfr", "diabetes", "bmi"),
                                         ("lab_1",), ("lab_2",), ("lab_3",)]
    assert not hasattr(model, "interaction_search_")
    for bad, message in (([("age",)], "not a group of two or more features"),
                         (["age"], "not a group of two or more features"),
                         ([("age", "age")], "names a feature twice"),
                         ([("age", "pulse")], "unknown feature 'pulse'"),
                         ([("age", 12)], "out of range")):
        with pytest.raises(ValueError, match=message):
            MonotonicNetClassifier(interactions=bad, **fast).fit(X, y)
    with pytest.raises(ValueError, match="needs additive=False"):
        MonotonicNetClassifier(interactions=2, additive=True, **fast).fit(X, y)
    for sizes in ((4, 0), (2.5,)):
        with pytest.raises(ValueError, match="group_hidden_layer_sizes must be positive whole"):
            MonotonicNetClassifier(interactions=2, group_hidden_layer_sizes=sizes,
                                   **fast).fit(X, y)
    with pytest.raises(ValueError, match="would add up to one linear model"):
        MonotonicNetClassifier(interactions=2, group_hidden_layer_sizes=(), **fast).fit(X, y)
    for bad in ("some", True, "x"):
        with pytest.raises(ValueError, match="use \"all\", a count, a multiple"):
            MonotonicNetClassifier(interactions=bad, **fast).fit(X, y)
    with pytest.raises(ValueError, match=r"takes a list of groups, e.g. \[\('age', 'sbp'\)\]"):
        MonotonicNetClassifier(interactions=("age", "sbp"), **fast).fit(X, y)
    share = MonotonicNetClassifier(interactions="0.25x", **fast).fit(X, y)  # 8 features: 2 pairs
    assert share.interaction_search_["pairs_requested"] == 2
    assert sum(len(g) == 2 for g in share.interaction_groups_) == 2


def test_seed_ensembles_are_reproducible_and_average_their_members():
    X, y = make_interacting_cohort(n_samples=1500, random_state=2)
    params = dict(monotonic_cst=MONOTONIC_CST, n_seeds=3, max_iter=20, random_state=7)
    model = MonotonicNetClassifier(**params).fit(X, y)
    assert len(model.params_) == 3 and model.n_iter_.shape == (3,)
    again = MonotonicNetClassifier(n_jobs=2, **params).fit(X, y)
    np.testing.assert_array_equal(again.decision_function(X), model.decision_function(X))
    other = MonotonicNetClassifier(**{**params, "random_state": 8}).fit(X, y)
    assert not np.allclose(other.decision_function(X), model.decision_function(X))
    x = model.encoder_.transform(model._binned(X).columns)
    members = [model.network_.forward(p, x)[:, 0] for p in model.params_]
    np.testing.assert_allclose(model.decision_function(X), np.mean(members, axis=0))
    assert np.std(members, axis=0).mean() > 0.01  # the members differ: averaging does work


def test_alpha_auto_and_parameter_validation():
    X, y = make_interacting_cohort(n_samples=400, random_state=3)
    assert MonotonicNetClassifier().get_params()["alpha"] == "auto"
    assert MonotonicNetClassifier().get_params()["n_seeds"] == 5
    fast = dict(max_iter=3, n_seeds=1, random_state=0)
    for additive, alpha in ((False, 1e-3), (True, 1e-5)):
        auto = MonotonicNetClassifier(additive=additive, **fast).fit(X, y)
        explicit = MonotonicNetClassifier(additive=additive, alpha=alpha, **fast).fit(X, y)
        np.testing.assert_array_equal(auto.decision_function(X), explicit.decision_function(X))
    for bad in (dict(alpha=-1.0), dict(alpha="strong"), dict(n_seeds=0)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            MonotonicNetClassifier(**bad).fit(X, y)
