"""Pairs on many-level categorical features: coarsened to `max_interaction_bins`, with the
stored counts of every cell equal to the data's (training and prediction see the same cells)."""

import numpy as np
import pandas as pd
import pytest

from glassbox import BoostedGAMClassifier
from glassbox.io import model_from_dict, model_to_dict
from glassbox.terms import BinnedColumns


def _crosstab(model, term, X):
    """Rows per cell of a pair term, from the prediction path's bin codes."""
    binned = BinnedColumns(model._prediction_columns(X), model.features_)
    first = binned.codes(term.features[0], term.bins[0]).astype(np.intp)
    second = binned.codes(term.features[1], term.bins[1]).astype(np.intp)
    table = np.zeros(term.bin_shape)
    np.add.at(table, (first, second), 1.0)
    return table


def _cohort(n, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 300, n)
    b = rng.integers(0, 300, n)
    c = rng.zipf(1.3, n) % 2000
    x = rng.normal(size=n)
    logit = 0.8 * ((a % 2) == (b % 2)) + 0.5 * x * (c % 3 == 0) - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"a": pd.Categorical(a), "b": pd.Categorical(b),
                      "c": pd.Categorical(c), "x": x})
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _cohort(30_000)
    model = BoostedGAMClassifier(interactions=[("a", "b"), ("c", "x")], outer_bags=2,
                                 max_rounds=30, random_state=0).fit(X, y)
    return model, X


def test_many_level_categoricals_are_coarsened_in_pairs(fitted):
    model, _ = fitted
    for term in (t for t in model.terms_ if t.is_pair):
        assert all(b.n_values <= model.max_interaction_bins for b in term.bins), term
    main = {t.name: t for t in model.terms_}
    assert main["a"].bins[0].n_values == 300  # the main effects keep every category


def test_pair_counts_equal_the_data(fitted):
    model, X = fitted
    for term in (t for t in model.terms_ if t.is_pair):
        np.testing.assert_array_equal(term.counts, _crosstab(model, term, X))


def test_grouped_bins_survive_the_file_format(fitted):
    model, X = fitted
    loaded = model_from_dict(model_to_dict(model))
    np.testing.assert_array_equal(loaded.decision_function(X), model.decision_function(X))


def test_grouping_keeps_the_most_frequent_categories(fitted):
    model, X = fitted
    term = next(t for t in model.terms_ if t.name == "c & x")
    bins = term.bins[0]
    frequent = X["c"].value_counts().index[:model.max_interaction_bins - 1]
    own = {c for c, g in zip(bins.categories, bins.groups) if g < bins.n_values}
    assert own == set(frequent)
