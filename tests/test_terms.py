"""The contract of a model made of terms: building a model from its pieces, checking them, one
term lookup shared by every consumer, compact reprs, and the shared losses."""

import copy
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from glassbox import (AdditiveClassifier, AdditiveRegressor, BoostedGAMClassifier,  # noqa: E402
                      BoostedGAMRegressor, MonotonicNetClassifier, MonotonicNetRegressor,
                      build_model, edit, inspect, plot, validate_model)
from glassbox import _losses as L  # noqa: E402
from glassbox._binning import Bins  # noqa: E402
from glassbox.datasets import make_risk_cohort  # noqa: E402
from glassbox.terms import find_term  # noqa: E402

SMALL = dict(outer_bags=2, max_rounds=80, interactions=2, min_interaction_gain_ratio=0,
             max_bins=32, random_state=0)


@pytest.fixture(scope="module")
def cohort():
    X, y, truth = make_risk_cohort(n_samples=1200, n_features=8, n_interactions=2,
                                   random_state=1)
    X["admission_type"] = make_risk_cohort(n_samples=1200, n_features=10,
                                           random_state=1)[0]["admission_type"]
    return X, y, truth.sum(axis=1).to_numpy()


@pytest.fixture(scope="module")
def binary(cohort):
    X, y, _ = cohort
    return BoostedGAMClassifier(**SMALL).fit(X, y)


def rebuilt(model):
    """A model built from another's pieces alone."""
    return build_model(model.features_, model.terms_, model.intercept_, link=model.link_,
                       classes=getattr(model, "classes_", None),
                       feature_names_in=model.feature_names_in_)


def raw(model, X):
    return model.decision_function(X) if hasattr(model, "classes_") else model.predict(X)


# --- build_model ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["binary", "multiclass", "poisson", "gamma", "squared_error"])
def test_a_model_built_from_a_boosted_gams_terms_predicts_identically(cohort, binary, kind):
    X, y, truth = cohort
    if kind == "binary":
        model = binary
    elif kind == "multiclass":
        model = BoostedGAMClassifier(**SMALL).fit(X, np.digitize(truth, [-0.3, 0.3]))
    else:
        model = BoostedGAMRegressor(loss=kind, **SMALL).fit(X, np.exp(truth))
    built = rebuilt(model)
    np.testing.assert_allclose(raw(built, X), raw(model, X), rtol=0, atol=1e-12)
    if hasattr(model, "classes_"):
        np.testing.assert_allclose(built.predict_proba(X), model.predict_proba(X), atol=1e-12)
        assert isinstance(built, AdditiveClassifier)
    else:
        assert isinstance(built, AdditiveRegressor) and built.link == model.link_
    np.testing.assert_array_equal(built.explain(X).to_numpy(), model.explain(X).to_numpy())
    assert built.term_importances().equals(model.term_importances())
    assert built.summary().equals(model.summary())
    np.testing.assert_array_equal(built.predict(X), model.predict(X))


@pytest.mark.parametrize("estimator", [MonotonicNetClassifier, MonotonicNetRegressor])
def test_a_model_built_from_an_additive_networks_terms_predicts_identically(cohort, estimator):
    X, y, truth = cohort
    model = estimator(additive=True, monotonic_cst={"age": 1}, max_iter=10, n_seeds=2,
                      random_state=0).fit(X, y if estimator is MonotonicNetClassifier else truth)
    np.testing.assert_allclose(raw(rebuilt(model), X), raw(model, X), rtol=0, atol=1e-12)


def test_a_built_model_is_a_fitted_estimator_that_cannot_be_refitted(cohort, binary):
    X, y, _ = cohort
    built = rebuilt(binary)
    check_is_fitted(built)
    assert built.provenance_["library"] == "glassbox" and built.edit_log_ == []
    assert built.n_features_in_ == len(binary.features_)
    with pytest.raises(TypeError, match="assembled from terms by build_model"):
        clone(built).fit(X, y)
    edited = edit.scale_term(built, "age", 0.5, reason="halve")
    assert edited.edit_log_[-1]["edit"] == "scale_term" and built.edit_log_ == []
    plot.plot_shape(edited, "age")
    plt.close("all")


def test_build_model_checks_its_link_and_classes(binary):
    parts = (binary.features_, binary.terms_, binary.intercept_)
    with pytest.raises(ValueError, match="link must be one of"):
        build_model(*parts, link="probit")
    with pytest.raises(ValueError, match="give its classes"):
        build_model(*parts, link="logit")
    with pytest.raises(ValueError, match="has no classes"):
        build_model(*parts, link="identity", classes=[0, 1])
    with pytest.raises(ValueError, match="'softmax' needs at least 3 classes"):
        build_model(*parts, link="softmax", classes=[0, 1])


# --- validate_model -----------------------------------------------------------------------------

def _broken(model, change):
    broken = copy.deepcopy(model)
    change(broken)
    return broken


@pytest.mark.parametrize("change, message", [
    (lambda m: setattr(m.terms_[1], "scores", m.terms_[1].scores[:-1]),
     r"Term 1 \('bmi'\): scores has shape"),
    (lambda m: m.terms_[0].stds.__setitem__(3, np.nan), r"Term 0 \('age'\): stds .*not finite"),
    (lambda m: m.terms_[2].counts.__setitem__(1, -1.0), r"Term 2 \('sbp'\): counts .*negative"),
    (lambda m: setattr(m.terms_[0], "features", (99,)), r"Term 0 \('age'\): feature index 99"),
    (lambda m: setattr(m.terms_[-1], "features", (1, 1)), r"two distinct ones"),
    (lambda m: setattr(m.terms_[0], "bins", (Bins("continuous", edges=[0.123456]),)),
     r"Term 0 \('age'\): its bins on 'age' are not the feature's bins nor a coarsening"),
    (lambda m: setattr(m.terms_[0], "bins", (None,)),
     r"Term 0 \('age'\): its bins on 'age' are None, not a Bins"),
    (lambda m: setattr(m, "intercept_", np.array([0.1, 0.2])), r"intercept_ must be finite"),
    (lambda m: setattr(m, "classes_", np.array([0, 1, 2])),
     r"intercept_ must be finite of shape \(3,\) for link 'softmax'"),
    (lambda m: setattr(m, "classes_", np.array([0])), r"'softmax' needs at least 3 classes"),
    (lambda m: setattr(m.features_[0], "kind", "categorical"), r"Feature 0 \('age'\)"),
])
def test_validation_names_what_is_inconsistent(binary, change, message):
    assert validate_model(binary) is binary
    with pytest.raises(ValueError, match=message):
        validate_model(_broken(binary, change))


def test_a_pairs_bins_must_coarsen_its_features_bins(binary):
    pair = next(i for i, t in enumerate(binary.terms_) if t.is_pair)
    f = binary.terms_[pair].features[0]
    shifted = binary.features_[f].bins.edges[:3] + 1e-3

    def change(m):
        m.terms_[pair].bins = (Bins("continuous", edges=shifted), m.terms_[pair].bins[1])
        m.terms_[pair].scores = np.zeros((5, m.terms_[pair].bin_shape[1]))
        for name in ("stds", "counts", "weights"):
            setattr(m.terms_[pair], name, np.zeros((5, m.terms_[pair].bin_shape[1])))
    with pytest.raises(ValueError, match=f"Term {pair} .*nor a coarsening"):
        validate_model(_broken(binary, change))


# --- one term lookup ------------------------------------------------------------------------------

def test_terms_are_found_by_name_index_negative_index_and_feature_name(binary):
    n = len(binary.terms_)
    assert find_term(binary, "age") == 0 and find_term(binary, 1) == 1
    assert find_term(binary, -1) == n - 1 and find_term(binary, -n) == 0
    with pytest.raises(ValueError, match="out of range"):
        find_term(binary, n)
    with pytest.raises(ValueError, match="out of range"):
        find_term(binary, -n - 1)
    renamed = _broken(binary, lambda m: setattr(m.terms_[0], "name", "age (years)"))
    assert find_term(renamed, "age") == 0 == find_term(renamed, "age (years)")
    with pytest.raises(ValueError, match="is a pair; monotonize needs a main effect"):
        edit.monotonize(binary, -1, 1)


def test_a_pair_is_found_by_its_two_features_in_either_order(binary):
    index, pair = next((i, t) for i, t in enumerate(binary.terms_) if t.is_pair)
    first, second = (binary.features_[j].name for j in pair.features)
    assert find_term(binary, (first, second)) == index == find_term(binary, (second, first))
    pairs = [t.name for t in binary.terms_ if t.is_pair]
    unpaired = next(f.name for j, f in enumerate(binary.features_)
                    if not any(j in t.features for t in binary.terms_ if t.is_pair))
    with pytest.raises(ValueError, match=re.escape(
            f"no pair term of {first!r} and {unpaired!r}; its pairs are {pairs}")):
        find_term(binary, (first, unpaired))
    assert find_term(binary, f"{second} & {first}") == index  # the name, either order
    without = edit.remove_terms(binary, [first])
    with pytest.raises(ValueError, match=re.escape(
            f"Unknown term {first!r} ({first!r} is only in the pairs [")):
        find_term(without, first)


def test_a_pipeline_is_pointed_to_its_last_step(cohort, binary):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    X, y, _ = cohort
    pipe = make_pipeline(FunctionTransformer(), BoostedGAMClassifier(**SMALL)).fit(X, y)
    with pytest.raises(TypeError, match=r"this Pipeline has no terms_ \(its last step is: pass "
                                        r"pipeline\[-1\]"):
        find_term(pipe, "age")


def test_edit_and_plot_read_a_negative_index_as_the_same_term(binary):
    last = binary.terms_[-1]
    scaled = edit.scale_term(binary, -1, 2.0)
    assert scaled.edit_log_[-1]["term"] == last.name
    np.testing.assert_array_equal(scaled.terms_[-1].scores, 2 * last.scores)
    removed = edit.remove_terms(binary, [-1])
    assert [t.name for t in removed.terms_] == [t.name for t in binary.terms_[:-1]]
    ax = plot.plot_interaction(binary, -1)
    assert ax.get_title() == last.name
    plt.close("all")
    runs = inspect.find_non_monotone(binary, {0: 1, "bmi": 1})
    # age's and bmi's main effects, or their pairs' slices
    assert len(runs) and all({"age", "bmi"} & set(term.split(" & ")) for term in runs.term)


# --- models without terms ------------------------------------------------------------------------

def test_a_full_network_is_a_clear_type_error_wherever_terms_are_needed(cohort):
    """(Its shapes, contributions, importances and explanations are read off the network
    instead: see tests/test_network_views.py.)"""
    X, y, _ = cohort
    model = MonotonicNetClassifier(max_iter=3, hidden_layer_sizes=(4,), random_state=0).fit(X, y)
    calls = [lambda: model.summary(), lambda: edit.scale_term(model, "age", 2),
             lambda: inspect.find_discontinuities(model), lambda: find_term(model, "age")]
    for call in calls:
        with pytest.raises(TypeError, match="needs an additive model.*additive=True"):
            call()
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


# --- reprs ---------------------------------------------------------------------------------------

def test_terms_features_and_bins_print_in_one_short_line(binary):
    for term in binary.terms_:
        text = repr(term)
        assert len(text) < 120 and "\n" not in text and text.startswith(f"Term({term.name!r}")
    assert repr(binary.terms_[0]) == (
        f"Term('age', features=(0,), bins=({binary.terms_[0].bin_shape[0]},), scores "
        f"{binary.terms_[0].scores.min():.4g}..{binary.terms_[0].scores.max():.4g})")
    age, admission = binary.features_[0], binary.features_[-1]
    assert repr(age).startswith("Feature('age', 'continuous', bins=Bins(continuous, ")
    assert repr(admission) == ("Feature('admission_type', 'categorical', bins=Bins(categorical, "
                               "4 categories: 'elective', 'urgent', 'emergency', 'transfer'), "
                               "has_missing=False)")


# --- set_term_scores between= -------------------------------------------------------------------

def test_between_names_the_bin_that_straddles_a_bound(binary):
    edges = binary.terms_[0].bins[0].edges
    inside_last = (edges[-1] + 1.0)
    with pytest.raises(ValueError, match=(
            rf"the bin \[{edges[-1]:.6g}, inf\) straddles {inside_last:.6g}; use "
            rf"between=\({edges[-1]:.6g}, None\)")):
        edit.set_term_scores(binary, "age", 0.0, between=(inside_last, None))
    low, high = edges[3] + 0.25 * (edges[4] - edges[3]), edges[3] + 0.75 * (edges[4] - edges[3])
    with pytest.raises(ValueError, match=(
            rf"\[{edges[3]:.6g}, {edges[4]:.6g}\) straddles {low:.6g}; the bin "
            rf"\[{edges[3]:.6g}, {edges[4]:.6g}\) straddles {high:.6g}; use "
            rf"between=\({edges[3]:.6g}, {edges[4]:.6g}\)\.$")):
        edit.set_term_scores(binary, "age", 0.0, between=(low, high))
    chosen = edit.set_term_scores(binary, "age", 7.0, between=(edges[3], edges[4]))
    expected = binary.terms_[0].scores.copy()
    expected[5] = 7.0  # bin 5 is [edges[3], edges[4]): after missing and (-inf, edges[0])
    np.testing.assert_array_equal(chosen.terms_[0].scores, expected)


# --- the shared losses ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [L.LOG_LOSS, L.SQUARED_ERROR, L.POISSON, L.GAMMA])
def test_gradient_and_hessian_are_the_derivatives_of_the_row_loss(loss):
    h = 1e-5
    for raw in (-2.0, -0.3, 0.0, 0.7, 2.5):
        for y in ((0.0, 1.0) if loss == L.LOG_LOSS else (0.4, 3.0)):
            g, hess = L.gradient_hessian(loss, raw, y)
            numeric_g = (L.row_loss(loss, raw + h, y) - L.row_loss(loss, raw - h, y)) / (2 * h)
            numeric_h = (L.gradient_hessian(loss, raw + h, y)[0]
                         - L.gradient_hessian(loss, raw - h, y)[0]) / (2 * h)
            assert g == pytest.approx(numeric_g, rel=1e-6, abs=1e-8)
            assert hess == pytest.approx(numeric_h, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("loss", [L.LOG_LOSS, L.SQUARED_ERROR, L.POISSON, L.GAMMA])
def test_the_loss_read_off_the_state_is_the_row_loss(loss):
    for raw in (-40.0, -30.0, -20.0, -2.0, -0.3, 0.0, 0.7, 2.5, 20.0, 30.0, 40.0):
        for y in ((0.0, 0.3, 1.0) if loss == L.LOG_LOSS else (0.4, 3.0)):  # 0.3: compressed rows
            state = L.state_of(loss, raw)
            # accurate in absolute terms, which is what a mean over validation rows needs
            assert L.state_loss(loss, state, y) == pytest.approx(L.row_loss(loss, raw, y),
                                                                 rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("loss", [L.LOG_LOSS, L.SQUARED_ERROR, L.POISSON, L.GAMMA,
                                  L.MULTINOMIAL])
def test_the_initial_score_zeroes_the_weighted_gradient(loss):
    rng = np.random.default_rng(0)
    y = (rng.integers(0, 3, 500) if loss == L.MULTINOMIAL else rng.integers(0, 2, 500)
         if loss == L.LOG_LOSS else rng.exponential(2.0, 500)).astype(float)
    weight = rng.random(500)
    init = L.initial_score(loss, y, weight, 3)
    if loss == L.MULTINOMIAL:
        grad = np.zeros(3)
        total = np.zeros(3)
        for target, w in zip(y.astype(int), weight):
            L.multinomial_row(init, target, grad)
            total += w * grad
        np.testing.assert_allclose(total, 0.0, atol=1e-9)
        return
    total = sum(w * L.gradient_hessian(loss, init, t)[0] for t, w in zip(y, weight))
    assert total == pytest.approx(0.0, abs=1e-9)


def test_inverse_links_give_probabilities_and_means():
    raw = np.array([[-1.0, 0.0, 2.0], [3.0, 3.0, 3.0]])
    probabilities = L.class_probabilities("softmax", raw)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(probabilities[1], 1 / 3)
    binary = L.class_probabilities("logit", np.array([0.0, np.log(3.0)]))
    np.testing.assert_allclose(binary, [[0.5, 0.5], [0.25, 0.75]])
    np.testing.assert_array_equal(L.inverse_link("log", raw), np.exp(raw))
    np.testing.assert_array_equal(L.inverse_link("identity", raw), raw)
    assert [L.link_of(name) for name in L.LOSSES] == ["logit", "identity", "log", "log",
                                                      "softmax"]
    with pytest.raises(ValueError, match="link must be one of"):
        L.inverse_link("probit", raw)
