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


def _best_tree_by_enumeration(grad, hess, count, min_leaf, l2):
    """The largest gain of any four-leaf pair tree (cut one feature, then each side of it at
    its own cut of the other), every leaf holding `min_leaf` rows, found by trying them all;
    None when no tree respects `min_leaf`."""
    def gain(mask):
        return grad[mask].sum() ** 2 / (hess[mask].sum() + l2)
    best = None
    for g, h, c in ((grad, hess, count), (grad.T, hess.T, count.T)):
        n1, n2 = g.shape
        for i in range(1, n1):
            for lo in range(1, n2):
                for hi in range(1, n2):
                    leaves = [(slice(0, i), slice(0, lo)), (slice(0, i), slice(lo, None)),
                              (slice(i, None), slice(0, hi)), (slice(i, None), slice(hi, None))]
                    if min(c[leaf].sum() for leaf in leaves) < min_leaf:
                        continue
                    tree = sum(g[leaf].sum() ** 2 / (h[leaf].sum() + l2) for leaf in leaves)
                    best = tree if best is None else max(best, tree)
    return None if best is None else best - gain(np.ones_like(count, dtype=bool))


@pytest.mark.parametrize("l2", [0.0, 2.0])
@pytest.mark.parametrize("seed", range(12))
def test_pair_tree_is_the_best_four_leaf_tree(seed, l2):
    """The pair step's tree search finds the gain of the best tree among all of them, and its
    update is that tree's leaf values; with `l2`, also when one side's best cut loses gain
    against that side as a single leaf (the tree as a whole can still be the best)."""
    from glassbox._kernels import term_gain

    rng = np.random.default_rng(seed)
    na, nb = rng.integers(2, 12, size=2)
    count = rng.integers(0, 6, (na, nb)).astype(float)
    count[rng.random((na, nb)) < 0.3] = 0.0  # empty cells, as sparse pairs have
    count[rng.integers(na)] = 0.0  # an empty line and an empty column, the first or any
    count[:, 0 if seed % 3 == 0 else rng.integers(nb)] = 0.0
    grad = (rng.normal(size=(na, nb)) + 1.5 * (np.arange(na)[:, None] > na / 2)) * count
    hess = rng.uniform(0.1, 0.3, (na, nb)) * count
    min_leaf = float(rng.integers(1, 4))
    out = np.zeros(na * nb)
    gain = term_gain(0, grad.ravel(), hess.ravel(), count.ravel(), np.array([0, na * nb]),
                     np.array([na]), np.array([nb]), np.array([False]), np.array([0]), 3,
                     min_leaf, l2, 1.0, np.inf, 0.0, out)
    expected = _best_tree_by_enumeration(grad, hess, count, min_leaf, l2)
    if expected is None or expected < 0:
        assert gain == 0.0 and not out.any()
        return
    assert gain == pytest.approx(expected, rel=1e-9)
    values = out.reshape(na, nb)
    leaves = {value: (values == value) for value in np.unique(values)}
    assert len(leaves) <= 4
    for value, mask in leaves.items():  # each leaf's value is its Newton step
        assert value == pytest.approx(-grad[mask].sum() / (hess[mask].sum() + l2), rel=1e-9)
    # ... and the leaves written are the tree whose gain was reported
    leaf_gains = sum(grad[m].sum() ** 2 / (hess[m].sum() + l2) for m in leaves.values())
    assert leaf_gains - grad.sum() ** 2 / (hess.sum() + l2) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("pair", [False, True])
def test_a_leaf_below_the_hessian_floor_stays_still_and_adds_no_gain(pair):
    """A leaf whose hessian and gradient are below `min_hessian` (rows fitted with near
    certainty) gets no step, and the gain reported is that of the leaves that move, so a term
    cannot lead the greedy schedule on the gain of a step that changes nothing; a leaf of small
    hessian and large gradient (predicted confidently and wrongly) moves."""
    from glassbox._kernels import term_gain

    na, nb = (4, 4) if pair else (6, 1)
    count = np.full((na, nb), 5.0)
    certain = np.zeros((na, nb), dtype=bool)
    certain[: na // 2] = True  # nearly certain rows, right on one side: tiny gradient and hessian
    if not pair:  # a main effect's first bin is its missing bin: give it data like the rest
        certain[0] = False
    grad = np.where(certain, -0.01, 0.3)
    hess = np.where(certain, 0.01, 1.0)
    grad[na // 2:] = 2.0
    dims = (np.array([na]), np.array([nb]))

    def step(min_hessian, grad=grad):
        out = np.zeros(na * nb)
        gain = term_gain(0, grad.ravel(), hess.ravel(), count.ravel(), np.array([0, na * nb]),
                         *dims, np.array([False]), np.array([0]), 3, 1.0, 0.0, 1.0, np.inf,
                         min_hessian, out)
        return gain, out.reshape(na, nb)

    free_gain, free = step(0.0)
    floor = 1.5 * hess[certain].sum()  # above every leaf of nearly certain rows
    wrong = np.where(certain, -1.0, grad)  # the same hessian, but half its rows are events
    assert (step(floor, wrong)[1] == step(0.0, wrong)[1]).all()  # confidently wrong leaves move
    gain, out = step(floor)
    assert (free[certain] != 0.0).all() and (out[certain] == 0.0).all()
    moving = out != 0.0
    assert (out[moving] == free[moving]).all()  # the other leaves' steps are unchanged
    leaves = [out == v for v in np.unique(out[moving])]
    cover = np.logical_or.reduce(leaves)
    expected = (sum(grad[m].sum() ** 2 / hess[m].sum() for m in leaves)
                - grad[cover].sum() ** 2 / hess[cover].sum())
    assert gain == pytest.approx(expected, rel=1e-9) and gain < free_gain
