"""Model edits: exact invariants (purify, monotonize), untouched inputs, the edit log."""

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, edit
from glassbox.datasets import make_risk_cohort
from glassbox.io import load_model, save_model


def _model(seed, regression=False, multiclass=False):
    X, y, truth = make_risk_cohort(n_samples=1500, n_features=6, n_interactions=2,
                                   random_state=seed)
    params = dict(outer_bags=2, max_rounds=150, interactions=3, min_interaction_gain_ratio=0,
                  random_state=seed)
    if regression:
        return BoostedGAMRegressor(**params).fit(X, truth.sum(axis=1)), X
    if multiclass:
        return BoostedGAMClassifier(**params).fit(X, np.digitize(truth.sum(axis=1),
                                                                 [-0.3, 0.3])), X
    return BoostedGAMClassifier(**params).fit(X, y), X


def _raw(model, X):
    return model.decision_function(X) if hasattr(model, "classes_") else model.predict(X)


def _snapshot(model):
    return copy.deepcopy((model.intercept_, [(t.name, t.scores, t.stds) for t in model.terms_],
                          list(model.edit_log_)))


def _same(a, b):
    np.testing.assert_array_equal(a[0], b[0])
    assert [t[0] for t in a[1]] == [t[0] for t in b[1]] and a[2] == b[2]
    for (_, sa, da), (_, sb, db) in zip(a[1], b[1]):
        np.testing.assert_array_equal(sa, sb)
        np.testing.assert_array_equal(da, db)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), kind=st.sampled_from(["binary", "regression", "multiclass"]))
def test_purify_keeps_predictions_and_zeroes_pair_marginals(seed, kind):
    model, X = _model(seed, regression=kind == "regression", multiclass=kind == "multiclass")
    before = _snapshot(model)
    purified = edit.purify(model, reason="property test")
    _same(before, _snapshot(model))
    np.testing.assert_allclose(_raw(purified, X), _raw(model, X), rtol=0, atol=1e-9)
    pairs = [t for t in purified.terms_ if t.is_pair]
    assert pairs
    for pair in pairs:
        w = pair.weights.reshape(pair.weights.shape + (1,) * (pair.scores.ndim - 2))
        scale = max(1.0, float(np.abs(pair.scores).max()))
        assert np.abs((pair.scores * w).sum(axis=1)).max() <= 1e-9 * scale * w.sum()
        assert np.abs((pair.scores * w).sum(axis=0)).max() <= 1e-9 * scale * w.sum()
    assert len(purified.edit_log_) == 1 and purified.edit_log_[0]["edit"] == "purify"


def test_purify_with_uniform_measure_keeps_predictions():
    model, X = _model(3)
    purified = edit.purify(model, measure="uniform")
    np.testing.assert_allclose(purified.decision_function(X), model.decision_function(X),
                               rtol=0, atol=1e-9)
    for pair in (t for t in purified.terms_ if t.is_pair):
        np.testing.assert_allclose(pair.scores.mean(axis=0), 0, atol=1e-9)
        np.testing.assert_allclose(pair.scores.mean(axis=1), 0, atol=1e-9)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), direction=st.sampled_from([1, -1]),
       feature=st.sampled_from(["age", "bmi", "sbp", "creatinine"]))
def test_monotonize_is_monotone_and_keeps_the_weighted_mean(seed, direction, feature):
    model, X = _model(seed)
    before = _snapshot(model)
    edited = edit.monotonize(model, feature, direction, reason="clinical prior")
    _same(before, _snapshot(model))
    old = next(t for t in model.terms_ if t.name == feature)
    new = next(t for t in edited.terms_ if t.name == feature)
    values = new.scores[1:-1]
    assert (direction * np.diff(values) >= -1e-12).all()
    assert np.isclose((new.scores * new.weights).sum(), (old.scores * old.weights).sum(),
                      rtol=0, atol=1e-9 * new.weights.sum())
    assert new.scores[0] == old.scores[0] and new.scores[-1] == old.scores[-1]
    pairs = [t.name for t in model.terms_ if t.is_pair and new.features[0] in t.features]
    assert edited.edit_log_[-1]["details"] == {"direction": direction, "pairs": pairs}
    # the model, pairs included, is monotone: every row's score moves with the feature
    rows = X.iloc[:40]
    grid = np.linspace(X[feature].min() - 1, X[feature].max() + 1, 200)
    swept = rows.loc[rows.index.repeat(len(grid))].assign(**{feature: np.tile(grid, len(rows))})
    scores = edited.decision_function(swept).reshape(len(rows), len(grid))
    assert (direction * np.diff(scores, axis=1) >= -1e-12).all()
    for pair in (t for t in edited.terms_ if t.name in pairs):
        before = next(t for t in model.terms_ if t.name == pair.name)
        assert np.isclose((pair.scores * pair.weights).sum(), (before.scores * before.weights).sum(),
                          rtol=0, atol=1e-9 * pair.weights.sum())


def test_monotonize_orders_a_pair_slice_without_training_rows():
    """A slice no training row falls in still scores the rows that reach it later."""
    model, _ = _model(3)
    pair = next(t for t in model.terms_ if t.is_pair)
    feature = model.features_[pair.features[0]].name
    pair.weights[:, 1] = 0.0
    pair.scores[1:-1, 1] = np.linspace(1.0, -1.0, pair.bin_shape[0] - 2)
    edited = edit.monotonize(model, feature, 1)
    sliced = next(t for t in edited.terms_ if t.name == pair.name).scores[1:-1, 1]
    assert (np.diff(sliced) >= 0).all()


def test_every_edit_leaves_its_input_alone_and_logs_once():
    model, X = _model(0)
    edits = [
        lambda m: edit.monotonize(m, "age", 1, reason="r"),
        lambda m: edit.purify(m, reason="r"),
        lambda m: edit.remove_terms(m, [m.terms_[-1].name], reason="r"),
        lambda m: edit.scale_term(m, "bmi", 0.5, reason="r"),
        lambda m: edit.set_term_scores(m, "sbp", 0.0, between=(150, None), reason="r"),
    ]
    for apply in edits:
        before = _snapshot(model)
        edited = apply(model)
        _same(before, _snapshot(model))
        assert len(edited.edit_log_) == len(model.edit_log_) + 1
        entry = edited.edit_log_[-1]
        assert set(entry) == {"edit", "term", "reason", "when", "details"}
        assert entry["reason"] == "r" and entry["when"].endswith("+00:00")


def test_scale_remove_and_set_change_what_they_say():
    model, X = _model(1)
    scaled = edit.scale_term(model, "bmi", -2.0)
    old = model.terms_[1]
    np.testing.assert_array_equal(scaled.terms_[1].scores, -2.0 * old.scores)
    np.testing.assert_array_equal(scaled.terms_[1].stds, 2.0 * old.stds)

    removed = edit.remove_terms(model, ["bmi", 0])
    assert [t.name for t in removed.terms_] == [t.name for t in model.terms_[2:]]
    contributions = model.explain(X)
    np.testing.assert_allclose(removed.decision_function(X), model.decision_function(X)
                               - contributions["age"] - contributions["bmi"], atol=1e-12)

    flat = edit.set_term_scores(model, "sbp", 0.25, between=(150, None), reason="flatten")
    term = flat.terms_[2]
    bounds = term.bins[0].edges
    inside = np.flatnonzero(np.concatenate([[-np.inf], bounds]) >= 150) + 1
    assert (term.scores[inside] == 0.25).all()
    untouched = np.setdiff1d(np.arange(term.bin_shape[0]), inside)
    np.testing.assert_array_equal(term.scores[untouched], model.terms_[2].scores[untouched])
    details = flat.edit_log_[-1]["details"]
    assert details["bins"] == inside.tolist() and details["scores"] == [0.25] * len(inside)
    assert details["previous"] == model.terms_[2].scores[inside].tolist()
    assert (term.stds[inside] == 0).all()  # a value set by hand has no spread over bags
    np.testing.assert_array_equal(term.stds[untouched], model.terms_[2].stds[untouched])
    pair = next(t for t in model.terms_ if t.is_pair)
    cells = edit.set_term_scores(model, pair.name, 0.0, bins=(slice(1, 3), 2))
    assert cells.edit_log_[-1]["details"]["bins"] == [
        c for c in ([1, 2], [2, 2]) if pair.scores[tuple(c)] != 0.0]


def test_edit_errors_name_the_problem():
    model, _ = _model(2)
    with pytest.raises(ValueError, match="Unknown term 'nope'"):
        edit.scale_term(model, "nope", 2)
    pair = next(t.name for t in model.terms_ if t.is_pair)
    with pytest.raises(ValueError, match="is a pair"):
        edit.monotonize(model, pair, 1)
    with pytest.raises(ValueError, match="direction"):
        edit.monotonize(model, "age", 0)
    multiclass, _ = _model(2, multiclass=True)
    with pytest.raises(ValueError, match="one score per class .3 classes.*one-vs-rest"):
        edit.monotonize(multiclass, "age", 1)
    with pytest.raises(ValueError, match="bins or between"):
        edit.set_term_scores(model, "age", 0.0, bins=[1], between=(0, 1))
    with pytest.raises(ValueError, match="is a pair: pass bins="):
        edit.set_term_scores(model, pair, 0.0, between=(0, 1))
    for bad in (np.nan, np.inf):  # refused when made, not when the model is saved or used
        with pytest.raises(ValueError, match="set_term_scores 'age': scores must be finite"):
            edit.set_term_scores(model, "age", bad, bins=[1])
        with pytest.raises(ValueError, match="scale_term 'age': factor must be a finite"):
            edit.scale_term(model, "age", bad)
    n_bins = model.terms_[[t.name for t in model.terms_].index("age")].scores.shape[0]
    with pytest.raises(ValueError, match=rf"'age': \(2,\) scores do not fit the \(3,\) scores "
                                         rf"chosen \(the term's \({n_bins},\)"):
        edit.set_term_scores(model, "age", [1.0, 2.0], bins=[1, 2, 3])
    with pytest.raises(ValueError, match="keeps the scores finite, got 1e\\+300"):
        edit.scale_term(edit.scale_term(model, "age", 1e300), "age", 1e300)  # overflows
    with pytest.raises(ValueError, match=rf"'age': bins \[{n_bins}\] do not index its"):
        edit.set_term_scores(model, "age", 0.0, bins=[n_bins])
    for direction in (True, 2, "1"):
        with pytest.raises(ValueError, match="direction must be \\+1 or -1"):
            edit.monotonize(model, "age", direction)
    assert edit.monotonize(model, "age", 1.0).edit_log_[-1]["details"]["direction"] == 1
    for factor in ("2", [1, 2], True):
        with pytest.raises(ValueError, match="scale_term 'age': factor must be one number"):
            edit.scale_term(model, "age", factor)
    for between in (60, "60", (1, 2, 3), (70, 60), (60, "x")):
        with pytest.raises(ValueError, match=r"between is a \(low, high\) pair"):
            edit.set_term_scores(model, "age", 0.0, between=between)
    with pytest.raises(ValueError, match="pairs selects no pair"):
        edit.purify(model, pairs=[])


def test_a_categorical_term_is_set_by_the_bins_its_error_suggests():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"ward": rng.choice(["icu", "medical", "surgical"], 600),
                      "age": rng.normal(60, 10, 600)})
    y = rng.random(600) < np.where(X["ward"] == "icu", 0.4, 0.2)
    model = BoostedGAMClassifier(outer_bags=2, interactions=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"'ward' is categorical: pass bins=, a mask over its "
                                         r"bins, e\.g\. bins=\[label in \('a', 'b'\) for label "
                                         r"in term\.bins\[0\]\.labels\(\)\]"):
        edit.set_term_scores(model, "ward", 0.0, between=(0, 1))
    with pytest.raises(ValueError, match="'ward' is categorical; a direction needs an ordered"):
        edit.monotonize(model, "ward", 1)
    term = model.terms_[0]
    edited = edit.set_term_scores(model, "ward", 0.0,
                                  bins=[label in ("icu",) for label in term.bins[0].labels()])
    icu = X["ward"] == "icu"
    np.testing.assert_allclose(edited.decision_function(X)[icu],
                               model.decision_function(X)[icu] - model.explain(X)["ward"][icu])
    np.testing.assert_array_equal(edited.decision_function(X)[~icu],
                                  model.decision_function(X)[~icu])


def test_the_edit_log_is_saved_with_the_model(tmp_path):
    model, X = _model(4)
    edited = edit.purify(edit.monotonize(model, "age", 1, reason="age never protects"))
    save_model(edited, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert loaded.edit_log_ == edited.edit_log_
    np.testing.assert_array_equal(loaded.predict_proba(X), edited.predict_proba(X))
