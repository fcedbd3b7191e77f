"""Monotonic networks: the compiled gradient, monotonicity by construction, the estimators."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassbox import _losses as L
from glassbox import _netkernels as N
from glassbox.datasets import make_risk_cohort
from glassbox.monotonic import (MonotonicNetClassifier, MonotonicNetRegressor, _architecture,
                                _initial_params)


def _random_network(rng, n_inputs, monotone, hidden, n_out=1, additive=False):
    modes = np.zeros(n_inputs, dtype=np.int64)
    modes[monotone] = 1
    network = _architecture(modes, hidden, n_out, additive)
    x = rng.normal(size=(64, n_inputs))
    return network, _initial_params(network, x, 0.0, rng) + rng.normal(
        scale=0.3, size=network.n_params)


@pytest.mark.parametrize("loss, n_out", [(L.SQUARED_ERROR, 1), (L.LOG_LOSS, 1), (L.MULTINOMIAL, 3),
                                         (L.POISSON, 1), (L.GAMMA, 1)])
def test_backward_pass_matches_finite_differences(loss, n_out):
    rng = np.random.default_rng(0)
    network, params = _random_network(rng, 5, [0, 2], [6, 4], n_out=n_out)
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


def _violations(network, params, x, feature, direction):
    grid = np.linspace(-4, 4, 41)
    rows = np.repeat(x, len(grid), axis=0)
    rows[:, feature] = np.tile(grid, len(x))
    out = network.forward(params, rows)
    steps = np.diff(out.reshape(len(x), len(grid), -1), axis=1)
    return int((direction * steps < -1e-12).sum())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2 ** 31 - 1), n_inputs=st.integers(2, 6),
       depth=st.integers(0, 3), width=st.integers(1, 12), additive=st.booleans())
def test_constrained_networks_are_monotone_for_every_input(seed, n_inputs, depth, width,
                                                           additive):
    rng = np.random.default_rng(seed)
    monotone = sorted(rng.choice(n_inputs, size=rng.integers(1, n_inputs + 1), replace=False))
    network, params = _random_network(rng, n_inputs, monotone, [width] * depth,
                                      additive=additive)
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


def test_full_mode_has_no_terms():
    X, y, _ = make_risk_cohort(n_samples=500, n_features=4, random_state=0)
    model = MonotonicNetClassifier(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="explain needs an additive model.*additive=True"):
        model.explain(X)


def test_multiclass_and_regression():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=1500), "b": rng.normal(size=1500)})
    label = np.digitize(X["a"] + 0.3 * rng.normal(size=1500), [-0.5, 0.5])
    clf = MonotonicNetClassifier(monotonic_cst={"a": 1}, random_state=0).fit(X, label)
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


def test_zero_weights_are_removed_rows_and_seeds_reproduce(cohort):
    X, y, _ = cohort
    weight = np.ones(len(y))
    weight[::5] = 0.0
    keep = weight > 0
    params = dict(monotonic_cst={"age": 1}, max_iter=30, random_state=3)
    weighted = MonotonicNetClassifier(**params).fit(X, y, sample_weight=weight)
    removed = MonotonicNetClassifier(**params).fit(X[keep], y[keep])
    np.testing.assert_allclose(weighted.decision_function(X), removed.decision_function(X),
                               atol=1e-10)
    again = MonotonicNetClassifier(n_jobs=2, **params).fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(again.decision_function(X), weighted.decision_function(X))


FAST = dict(random_state=0)


@parametrize_with_checks(
    [MonotonicNetClassifier(**FAST), MonotonicNetRegressor(**FAST),
     MonotonicNetClassifier(additive=True, **FAST), MonotonicNetRegressor(additive=True, **FAST)],
    expected_failed_checks=lambda est: est._expected_failed_checks(),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [MonotonicNetClassifier, MonotonicNetRegressor])
@pytest.mark.parametrize("additive", [False, True])
def test_json_round_trip_predicts_identically(tmp_path, estimator, additive):
    from glassbox.io import load_model, save_model

    X, y, truth = make_risk_cohort(n_samples=800, n_features=10, random_state=2)
    target = y if estimator is MonotonicNetClassifier else truth.sum(axis=1).to_numpy()
    model = estimator(monotonic_cst={"age": 1}, additive=additive, n_seeds=2, max_iter=20,
                      random_state=0).fit(X, target)
    save_model(model, tmp_path / "net.json")
    loaded = load_model(tmp_path / "net.json")
    predict = "decision_function" if estimator is MonotonicNetClassifier else "predict"
    np.testing.assert_array_equal(getattr(loaded, predict)(X), getattr(model, predict)(X))
    if additive:
        np.testing.assert_array_equal(loaded.explain(X).to_numpy(), model.explain(X).to_numpy())
