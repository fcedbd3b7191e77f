"""What a full monotonic network learned: ICE curves and partial dependence, Shapley values, the
monotonicity certificate, and the plots drawn from them."""

import copy

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from glassbox import plot  # noqa: E402
from glassbox.monotonic import MonotonicNetClassifier, MonotonicNetRegressor  # noqa: E402

CONSTRAINTS = {"dose": 1, "lab": -1}
SMALL = dict(monotonic_cst=CONSTRAINTS, hidden_layer_sizes=(8, 8), max_iter=5, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({"dose": rng.normal(size=n), "lab": rng.normal(size=n),
                      "age": rng.normal(60, 10, n), "site": rng.choice(["a", "b", "c"], n)})
    X.loc[::9, "lab"] = np.nan
    X.loc[::13, "site"] = None
    score = X["dose"] - X["lab"].fillna(0) * (1 + X["age"] / 60) + (X["site"] == "b")
    return X, score


@pytest.fixture(scope="module")
def models(data):
    X, score = data
    return {"binary": MonotonicNetClassifier(**SMALL).fit(X, (score > 0).astype(int)),
            "regressor": MonotonicNetRegressor(**SMALL).fit(X, score),
            "multiclass": MonotonicNetClassifier(**{**SMALL, "monotonic_cst": None}).fit(
                X, np.digitize(score, [-0.5, 0.5]))}  # constraints need two classes


def _randomised(model, seed):
    """The model with two random weight vectors (seeds): monotone still, by construction."""
    rng = np.random.default_rng(seed)
    model = copy.deepcopy(model)
    model.params_ = [rng.normal(scale=1.5, size=model.network_.n_params) for _ in range(2)]
    return model


def _with(X, **values):
    return X.assign(**values)


# --- partial dependence --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["binary", "regressor"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ice_curves_are_monotone_along_constrained_features(models, data, kind, seed):
    X, _ = data
    model = _randomised(models[kind], seed)
    for feature, direction in CONSTRAINTS.items():
        dependence = model.partial_dependence(feature, X, grid_size=25, n_rows=60,
                                              random_state=seed)
        assert dependence.direction == direction and dependence.monotone
        steps = direction * np.diff(dependence.ice, axis=1)
        assert dependence.ice.shape[:2] == (60, 25)
        assert (steps >= -1e-12).all() and dependence.max_violation <= 1e-12
        assert (np.abs(steps) > 1e-6).any()  # the curves do move
    lab = model.partial_dependence("lab", X, n_rows=60)
    assert lab.missing.shape == lab.ice[:, 0].shape  # the missing value, apart from the order
    free = model.partial_dependence("age", X, n_rows=60)
    assert free.direction == 0 and free.max_violation is None and free.monotone is None


def test_ice_curves_are_the_models_own_scores_and_give_probabilities(models, data):
    X, _ = data
    rows = X.iloc[:5]
    for kind, model in models.items():
        dependence = model.partial_dependence("dose", rows, grid_size=7)
        for k, value in enumerate(dependence.grid):
            raw = (model.decision_function if kind != "regressor" else model.predict)(
                _with(rows, dose=value))
            np.testing.assert_allclose(dependence.ice[:, k], raw, rtol=0, atol=1e-12)
        np.testing.assert_allclose(dependence.average, dependence.ice.mean(axis=0))
        site = model.partial_dependence("site", rows)
        assert list(site.grid) == ["a", "b", "c"] and site.missing is not None
        probability = dependence.ice_probability
        if kind == "regressor":
            assert probability is None and dependence.average_probability is None
        elif kind == "binary":
            np.testing.assert_allclose(probability, 1 / (1 + np.exp(-dependence.ice)))
        else:
            np.testing.assert_allclose(probability.sum(axis=-1), 1.0)


def test_pair_dependence_averages_the_model_over_a_two_feature_grid(models, data):
    X, _ = data
    model, rows = models["binary"], X.iloc[:8]
    pair = model.pair_dependence(("lab", "site"), rows, grid_size=5)
    assert pair.features == ("lab", "site") and pair.has_missing == (True, True)
    assert np.isnan(pair.grids[0][0]) and pair.grids[1][0] is None
    assert pair.values.shape == (len(pair.grids[0]), len(pair.grids[1]))
    for a in (0, 3):
        for b in (0, 2):
            expected = model.decision_function(_with(rows, lab=pair.grids[0][a],
                                                     site=pair.grids[1][b])).mean()
            assert pair.values[a, b] == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(
        pair.probability[1, 1],
        model.predict_proba(_with(rows, lab=pair.grids[0][1], site=pair.grids[1][1]))[:, 1].mean())
    assert model.pair_dependence("dose & age", rows).values.shape == (12, 12)


# --- Shapley values ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["binary", "regressor", "multiclass"])
def test_attributions_add_up_to_the_raw_score_minus_the_baseline(models, data, kind):
    X, _ = data
    model, rows, background = models[kind], X.iloc[:30], X.iloc[100:110]
    raw = model.decision_function(rows) if kind != "regressor" else model.predict(rows)
    base = (model.decision_function(background) if kind != "regressor"
            else model.predict(background)).mean(axis=0)
    for max_exact in (10, 0):  # exact, then sampled: the sum is exact either way
        found = model.attributions(rows, background, max_exact=max_exact)
        assert found.exact == (max_exact == 10)
        np.testing.assert_allclose(found.baseline, base, rtol=0, atol=1e-12)
        if kind == "multiclass":
            sums = np.column_stack([found.frame[c].sum(axis=1) for c in model.classes_])
            assert list(found.frame.columns.get_level_values("feature")[:4]) == list(X.columns)
        else:
            sums = found.frame.sum(axis=1).to_numpy()
            assert list(found.frame.columns) == list(X.columns)
        np.testing.assert_allclose(sums + np.asarray(found.baseline), raw, rtol=0, atol=1e-9)
    explained = model.explain(rows, background)
    assert explained.attrs["exact"] and "exact Shapley" in explained.attrs["method"]
    pd.testing.assert_frame_equal(explained, model.attributions(rows, background).frame)


def test_sampled_attributions_stay_within_their_standard_errors(models, data):
    X, _ = data
    model, rows, background = _randomised(models["binary"], 4), X.iloc[:40], X.iloc[200:215]
    exact = model.attributions(rows, background).frame
    sampled = model.attributions(rows, background, max_exact=0, n_permutations=6, random_state=1)
    assert not sampled.exact and "sampled" in sampled.method
    error = (sampled.frame - exact).abs().to_numpy()
    se = sampled.standard_error.to_numpy()
    assert (error <= 4 * se + 1e-12).all() and error.max() < 0.5 * np.abs(exact.to_numpy()).max()


def test_shapley_axioms_dummy_symmetry_and_additive_functions(data):
    X, score = data
    twins = X.assign(twin=X["age"])
    model = MonotonicNetClassifier(**SMALL).fit(twins, (score > 0).astype(int))
    columns = model.encoder_.column_feature
    n_in, n_out = model.network_.shapes[0, :2]
    for params in model.params_:
        first = params[:n_in * n_out].reshape(n_out, n_in)
        first[:, columns == 4] = first[:, columns == 2]  # the twin's weights are age's
        first[:, columns == 0] = 0.0  # the network ignores dose
    found = model.attributions(twins.iloc[:25], twins.iloc[300:310]).frame
    np.testing.assert_allclose(found["dose"], 0.0, atol=1e-12)  # dummy
    np.testing.assert_allclose(found["twin"], found["age"], atol=1e-12)  # symmetry
    assert found["age"].abs().max() > 1e-3
    # an additive function: each value is the feature's term at the row minus its mean over
    # the background, exactly and (every ordering agreeing) when sampled
    additive = MonotonicNetClassifier(**{**SMALL, "additive": True}).fit(X, (score > 0).astype(int))
    rows, background = X.iloc[:20], X.iloc[300:312]
    expected = additive.explain(rows) - additive.explain(background).mean()
    for max_exact in (10, 0):
        found = additive.attributions(rows, background, max_exact=max_exact).frame
        pd.testing.assert_frame_equal(found, expected, rtol=0, atol=1e-9)


# --- the certificate -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["binary", "regressor", "multiclass"])
def test_certificate_verifies_the_guarantee_and_reports_the_rest(models, data, kind):
    X, _ = data
    model = _randomised(models[kind], 7)
    certificate = model.monotonicity_certificate(X, grid_size=20, n_rows=40)
    assert list(certificate.index) == list(X.columns)
    outputs = 3 if kind == "multiclass" else 1
    constrained = {} if kind == "multiclass" else CONSTRAINTS
    for feature, direction in constrained.items():
        row = certificate.loc[feature]
        assert row.declared == direction and row.verified is True
        assert row.guarantee == ("non-decreasing" if direction > 0 else "non-increasing")
        assert "non-negative weights" in row.reason and row.max_violation <= 1e-12
        assert (row.rows, row.grid_points, row.curves) == (40, 22, 40 * outputs)
    if constrained:
        assert "multiplied by -1" in certificate.loc["lab", "reason"]
        assert "missing is its own level" in certificate.loc["lab", "reason"]
    else:
        assert (certificate.guarantee == "none").all()
    age = certificate.loc["age"]
    assert age.guarantee == "none" and "not constrained" in age.reason
    assert pd.isna(age.max_violation) and pd.isna(age.verified)
    # the observed shares, recomputed from the model's predictions on the same rows and grid
    rows = X.iloc[:40]
    grid = np.asarray(model.partial_dependence("age", rows, grid_size=20).grid)
    span = np.ptp(grid)
    grid = np.r_[grid[0] - span, grid, grid[-1] + span]
    scores = np.stack([(model.decision_function if kind != "regressor" else model.predict)(
        _with(rows, age=value)) for value in grid], axis=1)
    curves = scores.transpose(0, 2, 1).reshape(-1, len(grid)) if scores.ndim == 3 else scores
    steps = np.diff(curves[:, 1:-1], axis=1)  # over the training range
    checked = model.monotonicity_certificate(rows, grid_size=20, n_rows=40).loc["age"]
    assert checked.increasing == (steps >= -1e-12).all(axis=1).mean()
    assert checked.decreasing == (steps <= 1e-12).all(axis=1).mean()
    assert f"{checked.increasing:.0%} of the ICE curves" in checked.observed
    site = certificate.loc["site"]
    assert site.guarantee == "none" and site.reason.startswith("categorical")


def test_certificate_catches_a_network_without_the_guarantee(models, data):
    X, _ = data
    model = _randomised(models["binary"], 8)
    dose = int(np.flatnonzero(model.encoder_.column_feature == 0)[0])
    model.network_.modes = model.network_.modes.copy()
    model.network_.modes[dose] = 0  # dose's first-layer weights used as they are, negative
    n_in, n_out = model.network_.shapes[0, :2]
    for params in model.params_:
        params[:n_in * n_out].reshape(n_out, n_in)[:, dose] = -1.0
    row = model.monotonicity_certificate(X, n_rows=30).loc["dose"]
    assert row.guarantee == "none" and row.reason.startswith("declared, but")
    assert row.verified is False and row.max_violation > 0.01
    assert model.partial_dependence("dose", X).direction == 0


def test_default_rows_are_drawn_from_the_fitted_bins(models):
    model = models["binary"]
    certificate = model.monotonicity_certificate()
    assert certificate.verified.loc[list(CONSTRAINTS)].tolist() == [True, True]
    assert certificate.loc["dose", "rows"] == 200
    dependence = model.partial_dependence("lab")
    assert dependence.ice.shape == (100, 30) and dependence.monotone
    explained = model.explain(pd.DataFrame({"dose": [0.3], "lab": [np.nan], "age": [50.0],
                                            "site": ["b"]}))
    assert "against 20 background rows" in explained.attrs["method"]
    importances = model.term_importances()
    assert set(importances.index) == set(CONSTRAINTS) | {"age", "site"}
    assert (np.diff(importances.to_numpy()) <= 0).all() and importances.iloc[0] > 0


def test_bad_arguments_name_the_parameter(models, data):
    X, _ = data
    model = models["binary"]
    with pytest.raises(ValueError, match="feature: unknown feature 'weight'"):
        model.partial_dependence("weight")
    with pytest.raises(ValueError, match="grid_size must be an integer of at least 2"):
        model.partial_dependence("dose", grid_size=1)
    with pytest.raises(ValueError, match="features must be two different features"):
        model.pair_dependence(("dose", 0))
    with pytest.raises(ValueError, match="n_permutations must be"):
        model.attributions(X.iloc[:2], n_permutations=1)
    with pytest.raises(ValueError, match="background must hold at least one row"):
        model.explain(X.iloc[:2], X.iloc[:0])
    with pytest.raises(ValueError, match="X is missing the column"):
        model.monotonicity_certificate(X.drop(columns="age"))


# --- additive networks keep their terms ----------------------------------------------------------

def test_an_additive_network_still_explains_through_its_terms(data):
    X, score = data
    model = MonotonicNetRegressor(**{**SMALL, "additive": True}).fit(X, score)
    explained = model.explain(X)
    assert list(explained.columns) == [t.name for t in model.terms_] and not explained.attrs
    np.testing.assert_allclose(explained.sum(axis=1) + model.intercept_, model.predict(X),
                               atol=1e-9)
    assert list(model.term_importances().index) == list(
        pd.Series({t.name: t.importance() for t in model.terms_}).sort_values(
            ascending=False, kind="stable").index)
    with pytest.raises(ValueError, match="background is for a full network"):
        model.explain(X, X)
    with pytest.raises(ValueError, match="additive network's importances are its terms"):
        model.term_importances(X)
    with pytest.raises(ValueError, match="X is for a full network"):
        plot.plot_shape(model, "dose", X=X)
    assert model.monotonicity_certificate(X, n_rows=30).verified.loc[list(CONSTRAINTS)].all()


# --- plots ---------------------------------------------------------------------------------------

def _artist(ax, gid):
    return next(a for a in [*ax.lines, *ax.collections] if a.get_gid() == gid)


def test_plot_shape_draws_the_partial_dependence_and_its_ice_curves(models, data):
    X, _ = data
    model = models["binary"]
    dependence = model.partial_dependence("lab", X)
    ax = plot.plot_shape(model, "lab", X=X)
    np.testing.assert_allclose(_artist(ax, "pdp").get_ydata(), dependence.average)
    np.testing.assert_allclose(_artist(ax, "pdp").get_xdata(), dependence.grid)
    segments = np.array(_artist(ax, "ice").get_segments())
    np.testing.assert_allclose(segments[..., 1], dependence.ice)
    assert "monotone non-increasing by construction" in ax.get_title()
    side = next(a for a in ax.figure.axes if a is not ax)
    missing = next(line for line in side.lines if line.get_gid() == "missing")
    assert missing.get_ydata()[0] == pytest.approx(dependence.missing.mean())
    assert [t.get_text() for t in side.get_xticklabels()] == ["missing"]
    ax = plot.plot_shape(model, "age", scale="odds", X=X)
    np.testing.assert_allclose(_artist(ax, "pdp").get_ydata(),
                               np.exp(model.partial_dependence("age", X).average))
    assert "not constrained: no monotone guarantee" in ax.get_title()
    ax = plot.plot_shape(model, "site", X=X)
    site = model.partial_dependence("site", X)
    np.testing.assert_allclose(_artist(ax, "pdp").get_ydata(), site.average)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    ax = plot.plot_shape(models["multiclass"], "dose", X=X, class_=models["multiclass"].classes_[2])
    np.testing.assert_allclose(_artist(ax, "pdp:2").get_ydata(),
                               models["multiclass"].partial_dependence("dose", X).average[:, 2])
    plt.close("all")


def test_plot_importances_of_a_full_network_draws_its_shapley_importances(models, data):
    X, _ = data
    model, rows = models["binary"], X.iloc[:30]
    ax = plot.plot_importances(model, rows, top=3)
    expected = model.term_importances(rows).iloc[:3]
    bars = [patch for patch in ax.patches if patch.get_gid() == "importance"]
    np.testing.assert_allclose([bar.get_width() for bar in bars], expected.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(expected.index)
    assert "Shapley" in ax.get_xlabel() and ax.get_title() == "Feature importance over 30 rows"
    plt.close("all")


def test_plot_interaction_and_contributions_on_a_full_network(models, data):
    X, _ = data
    model = models["binary"]
    ax = plot.plot_interaction(model, ("dose", "site"), X=X)
    pair = model.pair_dependence(("dose", "site"), X)
    np.testing.assert_allclose(_artist(ax, "heatmap").get_array().reshape(
        len(pair.grids[1]), len(pair.grids[0])), pair.values.T)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["missing", "a", "b", "c"]
    with pytest.raises(ValueError, match="one class at a time"):
        plot.plot_interaction(models["multiclass"], ("dose", "site"))
    row, background = X.iloc[[5]], X.iloc[50:70]
    ax = plot.plot_contributions(model, row, background=background)
    explained = model.explain(row, background).iloc[0]
    order = explained.abs().sort_values(ascending=False).index
    bars = [p for p in ax.patches if p.get_gid() == "contributions"]
    np.testing.assert_allclose([b.get_width() for b in bars], explained[order])
    baseline = next(line for line in ax.lines if line.get_gid() == "baseline")
    prediction = next(line for line in ax.lines if line.get_gid() == "prediction")
    assert baseline.get_xdata()[0] == pytest.approx(model.decision_function(background).mean())
    assert prediction.get_xdata()[0] == pytest.approx(model.decision_function(row)[0])
    assert "exact Shapley values against 20 background rows" in ax.get_title()
    assert max(len(line) for line in ax.get_title().splitlines()) <= 70  # wrapped to fit
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("baseline") and f"site = {row.site.iloc[0]}" in labels
    plt.close("all")
