"""glassbox.plot: what is drawn equals the model's terms (scores, bands, bins, contributions)."""

import matplotlib

matplotlib.use("Agg")

import warnings  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, UnseenValueWarning  # noqa: E402
from glassbox.datasets import make_risk_cohort  # noqa: E402
from glassbox.plot import (plot_contributions, plot_importances, plot_interaction,  # noqa: E402
                           plot_shape, plot_shapes)

SMALL = dict(outer_bags=3, max_rounds=300, random_state=0)


@pytest.fixture(scope="module")
def cohort():
    X, y, _ = make_risk_cohort(n_samples=3000, n_features=10, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def classifier(cohort):
    X, y = cohort
    return BoostedGAMClassifier(interactions=[("bmi", "creatinine"), ("age", "sbp")],
                                **SMALL).fit(X, y)


@pytest.fixture(scope="module")
def regressor():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    y = X[:, 0] ** 2 + 0.5 * X[:, 1] + rng.normal(scale=0.3, size=600)
    return X, BoostedGAMRegressor(interactions=0, **SMALL).fit(X, y)


@pytest.fixture(scope="module")
def multiclass():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=900), "b": rng.normal(size=900),
                      "c": rng.choice(["x", "y", "z"], 900)})
    y = np.where(X["a"] > 0.5, "high", np.where(X["b"] > 0, "mid", "low"))
    return X, BoostedGAMClassifier(interactions=[("a", "b")], **SMALL).fit(X, y)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def drawn(ax, gid):
    """The artists of ax's figure carrying `gid`."""
    return ax.figure.findobj(lambda artist: artist.get_gid() == gid)


def one(ax, gid):
    found = drawn(ax, gid)
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def term_named(model, name):
    return next(t for t in model.terms_ if t.name == name)


def interval_segments(axes):
    """(lower, upper) of each vertical segment of the interval collection drawn on `axes`."""
    [collection] = [c for c in drawn(axes, "interval") if c.axes is axes]
    segments = collection.get_segments()
    return np.array([s[0, 1] for s in segments]), np.array([s[1, 1] for s in segments])


# --- continuous main effects ------------------------------------------------------------------


def test_step_heights_equal_the_value_bins_scores_over_their_edges(classifier):
    term = term_named(classifier, "age")
    ax = plot_shape(classifier, "age")
    steps = one(ax, "shape").get_data()
    np.testing.assert_array_equal(steps.values, term.scores[1:-1])
    edges = term.bins[0].edges
    np.testing.assert_array_equal(steps.edges[1:-1], edges)
    assert steps.edges[0] < edges[0] and steps.edges[-1] > edges[-1]
    assert np.isfinite(steps.edges).all()
    assert ax.get_xlim() == (steps.edges[0], steps.edges[-1])


def test_band_spans_score_plus_minus_interval_times_std(classifier):
    term = term_named(classifier, "age")
    band = one(plot_shape(classifier, "age", interval=2.0), "band").get_data()
    s, sd = term.scores[1:-1], term.stds[1:-1]
    np.testing.assert_allclose(band.values, s + 2 * sd)
    np.testing.assert_allclose(band.baseline, s - 2 * sd)
    assert (sd > 0).any()


@pytest.mark.parametrize("low, high", [(0.5, 3.0), (0.72, 1.02), (0.9, 1.05), (0.95, 1.01),
                                       (0.999, 1.0004)])
def test_odds_ticks_are_readable_and_at_least_two_on_any_range(low, high):
    from glassbox.plot import _OddsLocator
    ticks = _OddsLocator().tick_values(low, high)
    assert len(ticks) >= 2 and np.all((ticks >= low) & (ticks <= high))
    assert all(len(f"{t:g}") <= 6 for t in ticks)


def test_odds_scale_draws_exponentiated_scores_and_band_on_a_log_axis(classifier):
    term = term_named(classifier, "creatinine")
    ax = plot_shape(classifier, "creatinine", scale="odds")
    s, sd = term.scores[1:-1], term.stds[1:-1]
    np.testing.assert_allclose(one(ax, "shape").get_data().values, np.exp(s))
    band = one(ax, "band").get_data()
    np.testing.assert_allclose(band.values, np.exp(s + sd))
    np.testing.assert_allclose(band.baseline, np.exp(s - sd))
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "odds ratio of class 1"
    assert all(list(line.get_ydata()) == [1, 1] for line in drawn(ax, "reference"))
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert 1 in ticks and len(ticks) >= 3


def test_logit_scale_labels_and_reference_at_zero(classifier):
    ax = plot_shape(classifier, "age", density=False)
    assert ax.get_ylabel() == "log-odds contribution of class 1"
    assert ax.get_title() == "age" and ax.get_xlabel() == "age"
    assert all(list(line.get_ydata()) == [0, 0] for line in drawn(ax, "reference"))


def test_labels_name_the_class_the_scores_are_for(cohort, multiclass):
    """With text labels a binary model's scores are for the second label in sorted order, which
    need not be the event: every label says which class."""
    X, y = cohort
    words = BoostedGAMClassifier(**SMALL).fit(X, np.where(y == 1, "died", "survived"))
    assert plot_shape(words, "age", scale="odds").get_ylabel() == "odds ratio of class survived"
    ax = plot_contributions(words, X.iloc[[0]])
    survived = words.predict_proba(X.iloc[[0]])[0, 1]
    assert f"P(survived) = {survived:.1%}" in one(ax, "probability").get_text()
    _, three = multiclass
    assert plot_shape(three, "a", scale="odds").get_ylabel() == "exp(class score)"
    assert plot_shape(three, "a").get_ylabel() == "class score (softmax)"
    with pytest.raises(ValueError, match=r"pass class_ \(one of 'high', 'low', 'mid'\), or "
                                         r"terms= its main effects only, e.g. terms=\["):
        plot_shapes(three)
    assert len(plot_shapes(three, class_="high").axes) >= len(three.terms_)


def test_a_log_link_waterfall_gives_the_prediction(cohort):
    X, y = cohort
    poisson = BoostedGAMRegressor(loss="poisson", **SMALL).fit(X, y + 1.0)
    ax = plot_contributions(poisson, X.iloc[[0]])
    expected = poisson.predict(X.iloc[[0]])[0]
    assert f"prediction {expected:.4g}" in one(ax, "probability").get_text()


def test_missing_bin_is_drawn_apart_when_training_had_missing_values(classifier):
    term = term_named(classifier, "creatinine")
    assert term.weights[0] > 0
    ax = plot_shape(classifier, "creatinine")
    point = one(ax, "missing")
    assert point.axes is not ax
    assert point.get_ydata()[0] == term.scores[0]
    low, high = interval_segments(point.axes)
    np.testing.assert_allclose([low[0], high[0]],
                               [term.scores[0] - term.stds[0], term.scores[0] + term.stds[0]])
    labels = [t.get_text() for t in point.axes.get_xticklabels()]
    assert labels == [f"missing\n(n={term.counts[0]:.0f})"]
    # age has no missing values and a continuous feature has no unseen values: no side panel
    age = plot_shape(classifier, "age")
    assert not drawn(age, "missing") and not drawn(age, "unseen")


def test_density_strip_holds_the_training_counts_beneath_the_shape(classifier):
    term = term_named(classifier, "bmi")
    ax = plot_shape(classifier, "bmi")
    steps = one(ax, "density")
    strip = steps.axes
    assert strip is not ax and strip.get_xlabel() == "bmi"
    ax.figure.canvas.draw()  # the divider places the strip at draw time
    assert strip.get_position().y1 <= ax.get_position().y0
    heights, edges, baseline = steps.get_data()
    assert baseline == 0 and steps.get_fill()
    np.testing.assert_allclose(edges[[0, -1]], ax.get_xlim())
    assert_density_of(term, edges, heights)
    assert not drawn(plot_shape(classifier, "bmi", density=False), "density")


def test_density_strip_of_bins_as_narrow_as_a_value_stays_visible():
    """An imported pyGAM model gives each reference value a bin of its own, narrower than a
    millionth of the range, holding all of that value's rows: drawn bin by bin, the strip would
    be spikes no screen shows. Its steps merge bins up to 1/200 of the range instead."""
    pygam = pytest.importorskip("pygam")
    from glassbox.interop import from_pygam
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.choice(np.arange(40, 96), 300).astype(float),
                      "ejection_fraction": rng.normal(38, 10, 300)})
    y = (rng.random(300) < 1 / (1 + np.exp(-0.05 * (X["age"] - 60)))).astype(int)
    gam = pygam.LogisticGAM(pygam.s(0) + pygam.s(1)).fit(X.to_numpy(), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, X)
    term = term_named(model, "age")
    assert np.diff(term.bins[0].edges).min() < 1e-6 * (X["age"].max() - X["age"].min())
    heights, edges, _ = one(plot_shape(model, "age"), "density").get_data()
    assert_density_of(term, edges, heights)


def assert_density_of(term, edges, heights):
    """The strip's steps lie on the term's bin edges, none narrower than 1/200 of the range, and
    each step's area is the training count of the bins it spans."""
    bin_edges = term.bins[0].edges
    inner = edges[1:-1]
    assert np.isin(inner, bin_edges).all()
    assert np.diff(edges).min() >= (edges[-1] - edges[0]) / 200 * (1 - 1e-12)
    lefts = np.concatenate([edges[:1], bin_edges])  # each value bin's left edge
    owner = np.searchsorted(inner, lefts, side="right")  # the step holding each value bin
    expected = np.bincount(owner, weights=term.counts[1:-1], minlength=len(heights))
    np.testing.assert_allclose(heights * np.diff(edges), expected)


def test_a_flag_shows_its_two_ranges_not_values_no_row_has():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"asthma": rng.integers(0, 2, 2000), "age": rng.normal(60, 10, 2000)})
    y = rng.random(2000) < 0.2 + 0.2 * X["asthma"]
    model = BoostedGAMClassifier(interactions=0, **SMALL).fit(X, y)
    ax = plot_shape(model, "asthma")
    strip = one(ax, "density").axes
    labels = [t.get_text() for t in strip.get_xticklabels()]
    edge = term_named(model, "asthma").bins[0].edges[0]
    assert labels == [f"< {edge:.4g}", f"≥ {edge:.4g}"]
    heights, edges, _ = one(ax, "density").get_data()
    np.testing.assert_allclose(strip.get_xticks(), (edges[:-1] + edges[1:]) / 2)
    age = plot_shape(model, "age")
    age.figure.canvas.draw()
    labels = [t.get_text() for t in one(age, "density").axes.get_xticklabels()]
    assert labels and not any(label.startswith(("<", "≥")) for label in labels)  # many bins


# --- categorical main effects -----------------------------------------------------------------


@pytest.mark.parametrize("scale", ["logit", "odds"])
def test_categorical_bars_rise_from_the_reference_to_each_score(classifier, scale):
    term = term_named(classifier, "admission_type")
    ax = plot_shape(classifier, "admission_type", scale=scale)
    bars = drawn(ax, "bars")
    transform = np.exp if scale == "odds" else (lambda v: v)
    reference = 1.0 if scale == "odds" else 0.0
    s, sd = term.scores[1:-1], term.stds[1:-1]
    np.testing.assert_allclose([b.get_y() + b.get_height() for b in bars], transform(s))
    np.testing.assert_allclose([b.get_y() for b in bars], reference)
    low, high = interval_segments(ax)
    np.testing.assert_allclose(low[:len(s)], transform(s - sd))
    np.testing.assert_allclose(high[:len(s)], transform(s + sd))
    labels = [t.get_text() for t in drawn(ax, "density")[0].axes.get_xticklabels()]
    assert labels == [str(c) for c in term.bins[0].categories]


def test_unseen_category_bin_is_drawn_apart_at_no_effect(classifier):
    ax = plot_shape(classifier, "admission_type")
    assert one(ax, "unseen").get_ydata()[0] == 0.0
    assert not drawn(ax, "missing")  # admission_type has no missing values


# --- multiclass and regression ----------------------------------------------------------------


def test_multiclass_draws_one_curve_per_class_or_the_chosen_one(multiclass):
    _, model = multiclass
    term = term_named(model, "a")
    ax = plot_shape(model, "a")
    for k, label in enumerate(model.classes_):
        np.testing.assert_array_equal(one(ax, f"shape:{label}").get_data().values,
                                      term.scores[1:-1, k])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(model.classes_)
    chosen = plot_shape(model, "a", class_="mid")
    assert len(drawn(chosen, "shape:mid")) == 1 and not drawn(chosen, "shape:low")
    assert chosen.get_title() == "a (class mid)"


def test_regressor_shapes_are_on_the_link_scale(regressor):
    _, model = regressor
    ax = plot_shape(model, 0)
    assert ax.get_ylabel() == "contribution (link scale)"
    np.testing.assert_array_equal(one(ax, "shape").get_data().values,
                                  model.terms_[0].scores[1:-1])


# --- interactions -----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", ["logit", "odds"])
def test_heatmap_holds_the_pair_scores_with_the_missing_bins(classifier, scale):
    term = term_named(classifier, "bmi & creatinine")
    assert term.weights[0].sum() > 0 and term.weights[:, 0].sum() > 0
    ax = plot_interaction(classifier, "bmi & creatinine", scale=scale)
    mesh = one(ax, "heatmap")
    shown = np.arange(0, term.bin_shape[0] - 1), np.arange(0, term.bin_shape[1] - 1)
    expected = term.scores[np.ix_(*shown)].T
    transform = np.exp if scale == "odds" else (lambda v: v)
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape),
                               transform(expected))
    limit = np.abs(expected).max()
    np.testing.assert_allclose(np.log([mesh.norm.vmin, mesh.norm.vmax]) if scale == "odds"
                               else [mesh.norm.vmin, mesh.norm.vmax], [-limit, limit])
    assert mesh.get_cmap().name == "RdBu_r"
    assert ax.get_xlabel() == "bmi" and ax.get_ylabel() == "creatinine"
    assert ax.get_xticklabels()[0].get_text() == "missing"
    assert len(ax.figure.axes) == 2  # the heatmap and its colorbar


def test_heatmap_leaves_out_a_missing_bin_without_training_data(classifier):
    term = term_named(classifier, "age & sbp")
    mesh = one(plot_interaction(classifier, "age & sbp"), "heatmap")
    expected = term.scores[1:-1, 1:-1].T
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(expected.shape), expected)


def test_multiclass_heatmap_draws_the_chosen_class(multiclass):
    _, model = multiclass
    term = term_named(model, "a & b")
    mesh = one(plot_interaction(model, "a & b", class_="high"), "heatmap")
    k = list(model.classes_).index("high")
    expected = term.scores[1:-1, 1:-1, k].T
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(expected.shape), expected)


# --- grids and importances --------------------------------------------------------------------


def test_shape_grid_follows_the_importance_order(classifier):
    chosen = ["age", "bmi & creatinine", "admission_type", "creatinine"]
    fig = plot_shapes(classifier, chosen, ncols=2)
    order = [name for name in classifier.term_importances().index if name in chosen]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == order
    assert len(drawn(fig.axes[0], "heatmap")) == 1
    assert len(drawn(fig.axes[0], "bars")) == len(term_named(classifier, "admission_type")
                                                  .bins[0].categories)


def test_shape_grid_of_all_terms_passes_the_scale_on(classifier):
    fig = plot_shapes(classifier, scale="odds")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == list(classifier.term_importances().index)
    assert all(ax.get_yscale() == "log" for ax in fig.axes
               if ax.get_ylabel().startswith("odds ratio"))


def test_importance_bars_equal_term_importances_largest_on_top(classifier):
    importances = classifier.term_importances()
    ax = plot_importances(classifier, top=5)
    bars = drawn(ax, "importance")
    np.testing.assert_allclose([b.get_width() for b in bars], importances.iloc[:5])
    tops = [b.get_y() for b in bars]
    assert ax.yaxis_inverted() and tops == sorted(tops)  # first (largest) drawn at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == list(importances.index[:5])


def test_importance_bars_over_given_rows(cohort, classifier):
    """With rows, the bars are their mean |contribution| (`term_importances(X)`), and the title
    says how many rows."""
    X, _ = cohort
    rows = X.iloc[:200]
    importances = classifier.term_importances(rows)
    assert not np.allclose(importances, classifier.term_importances()[importances.index])
    ax = plot_importances(classifier, rows, top=4)
    np.testing.assert_allclose([b.get_width() for b in drawn(ax, "importance")],
                               importances.iloc[:4])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(importances.index[:4])
    assert ax.get_title() == "Term importance over 200 rows"


# --- one patient's contributions --------------------------------------------------------------


def test_waterfall_runs_from_the_intercept_to_the_decision_function(cohort, classifier):
    X, _ = cohort
    row = X.iloc[[11]]
    raw = classifier.decision_function(row)[0]
    ax = plot_contributions(classifier, row, top=4)
    assert one(ax, "intercept").get_xdata()[0] == classifier.intercept_
    assert one(ax, "prediction").get_xdata()[0] == pytest.approx(raw, abs=1e-9)
    bars = drawn(ax, "contributions")
    assert len(bars) == 5  # the four largest and "other terms"
    ends = [b.get_x() + b.get_width() for b in bars]
    assert ends[-1] == pytest.approx(raw, abs=1e-9)
    assert [b.get_x() for b in bars[1:]] == pytest.approx(ends[:-1])
    contributions = classifier.explain(row).iloc[0]
    widths = [b.get_width() for b in bars[:4]]
    np.testing.assert_allclose(widths, contributions[contributions.abs()
                                                     .sort_values(ascending=False).index[:4]])
    probability = classifier.predict_proba(row)[0, 1]
    assert f"{probability:.1%}" in one(ax, "probability").get_text()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("intercept") and labels[-1].startswith("raw score")
    assert labels[-2] == f"other terms ({len(classifier.terms_) - 4})"


def test_waterfall_takes_a_series_or_dict_row(cohort, classifier):
    X, _ = cohort
    raw = classifier.decision_function(X.iloc[[5]])[0]
    for row in (X.iloc[5], X.iloc[5].to_dict()):
        ax = plot_contributions(classifier, row, top=len(classifier.terms_))
        assert one(ax, "prediction").get_xdata()[0] == pytest.approx(raw, abs=1e-9)
        assert any(t.get_text() == f"age = {X['age'].iloc[5]:.3g}" for t in ax.get_yticklabels())


def test_waterfall_marks_values_training_never_saw(multiclass):
    """An unseen category, which its terms score 0, is marked in its step's label."""
    X, model = multiclass
    row = X.iloc[[0]].assign(c="w")
    with pytest.warns(UnseenValueWarning):
        ax = plot_contributions(model, row, top=len(model.terms_))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "c = w (unseen)" in labels
    assert not any("(unseen)" in label for label in labels if not label.startswith("c ="))


@pytest.mark.parametrize("bad", [-1, np.nan, np.inf, "1", True])
def test_a_band_width_that_is_not_a_number_at_least_0_is_an_error(classifier, bad):
    with pytest.raises(ValueError, match=r"interval must be a number >= 0 .* got"):
        plot_shape(classifier, "age", interval=bad)


@pytest.mark.parametrize("bad", [0, -2, 2.5, True])
def test_a_top_that_is_not_a_positive_whole_number_is_an_error(classifier, cohort, bad):
    with pytest.raises(ValueError, match=r"top must be a positive whole number, got"):
        plot_contributions(classifier, cohort[0].iloc[[0]], top=bad)
    with pytest.raises(ValueError, match=r"top must be a positive whole number or None"):
        plot_importances(classifier, top=bad)


def test_waterfall_of_a_regressor_takes_an_array_row(regressor):
    X, model = regressor
    ax = plot_contributions(model, X[0])
    assert one(ax, "prediction").get_xdata()[0] == pytest.approx(model.predict(X[:1])[0])
    assert "probability" not in one(ax, "probability").get_text()


def test_multiclass_waterfall_defaults_to_the_predicted_class(multiclass):
    X, model = multiclass
    raw = model.decision_function(X.iloc[[0]])[0]
    ax = plot_contributions(model, X.iloc[[0]])
    k = int(np.argmax(raw))
    assert one(ax, "prediction").get_xdata()[0] == pytest.approx(raw[k], abs=1e-9)
    assert f"P({model.classes_[k]})" in one(ax, "probability").get_text()
    other = (k + 1) % 3
    ax = plot_contributions(model, X.iloc[[0]], class_=model.classes_[other])
    assert one(ax, "prediction").get_xdata()[0] == pytest.approx(raw[other], abs=1e-9)


# --- the contract -----------------------------------------------------------------------------


def test_any_object_with_the_terms_structure_can_be_plotted(cohort, classifier):
    X, _ = cohort
    model = SimpleNamespace(terms_=classifier.terms_, intercept_=classifier.intercept_,
                            features_=classifier.features_, classes_=classifier.classes_,
                            explain=classifier.explain,
                            term_importances=classifier.term_importances)
    fig = plot_shapes(model, ["age", "bmi & creatinine"])
    assert len(fig.axes) > 2
    ax = plot_contributions(model, X.iloc[[0]])
    assert one(ax, "prediction").get_xdata()[0] == pytest.approx(
        classifier.decision_function(X.iloc[[0]])[0], abs=1e-9)


def test_plots_draw_on_the_given_axes_and_return_them(cohort, classifier):
    X, _ = cohort
    fig, axes = plt.subplots(2, 2)
    assert plot_shape(classifier, "age", ax=axes[0, 0]) is axes[0, 0]
    assert plot_interaction(classifier, "age & sbp", ax=axes[0, 1]) is axes[0, 1]
    assert plot_importances(classifier, ax=axes[1, 0]) is axes[1, 0]
    assert plot_contributions(classifier, X.iloc[[0]], ax=axes[1, 1]) is axes[1, 1]
    grid = plt.figure()
    assert plot_shapes(classifier, ["age"], fig=grid) is grid
    assert plt.get_fignums() == [fig.number, grid.number]


@pytest.mark.parametrize("call, message", [
    (lambda m: plot_shape(m, "no such term"), "Unknown term 'no such term'"),
    (lambda m: plot_shape(m, 99), "out of range"),
    (lambda m: plot_shape(m, "bmi & creatinine"), "is a pair; draw it with plot_interaction"),
    (lambda m: plot_interaction(m, "age"), "is a main effect; draw it with plot_shape"),
    (lambda m: plot_shape(m, "age", scale="probability"), "scale must be one of"),
    (lambda m: plot_shape(m, "age", class_=1), "single output"),
])
def test_clear_errors(classifier, call, message):
    with pytest.raises(ValueError, match=message):
        call(classifier)


def test_odds_on_a_regressor_is_an_error(regressor):
    _, model = regressor
    with pytest.raises(ValueError, match="needs a classifier"):
        plot_shape(model, 0, scale="odds")


def test_multiclass_errors_name_the_classes(multiclass):
    _, model = multiclass
    with pytest.raises(ValueError, match="pass class_"):
        plot_interaction(model, "a & b")
    with pytest.raises(ValueError, match="Unknown class 'none'; the classes are 'high', 'low', "
                                         "'mid'"):
        plot_shape(model, "a", class_="none")
    X, _ = multiclass
    numbered = BoostedGAMClassifier(interactions=0, **SMALL).fit(X, np.arange(len(X)) % 3 + 1)
    with pytest.raises(ValueError, match=r"Unknown class '1' \(the class 1 is not the text "
                                         r"'1'\); the classes are 1, 2, 3"):
        plot_shape(numbered, "a", class_="1")


def test_a_waterfall_with_long_labels_stays_inside_its_figure():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"average glucose level in the last admission (mg/dL)":
                          rng.normal(100, 20, 800),
                      "body mass index at the first visit (kg/m²)": rng.normal(27, 5, 800),
                      "a" * 160: rng.normal(size=800)})
    y = (X.iloc[:, 0] / 20 + rng.normal(size=800) > 5).astype(int)
    model = BoostedGAMClassifier(outer_bags=1, max_rounds=50, random_state=0).fit(X, y)
    ax = plot_contributions(model, X.iloc[[0]])
    figure = ax.figure
    figure.canvas.draw()
    inside = figure.bbox
    for text in [ax.xaxis.label, ax.title, *ax.get_yticklabels()]:
        box = text.get_window_extent()
        assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, text.get_text()
    plt.close(figure)
