"""Binning: codes agree with a plain search, pair bins nest in main bins."""

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from glassbox._binning import Bins, coarsen, fit_bins

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(edges=arrays(np.float64, st.integers(0, 300), elements=finite, unique=True),
       values=arrays(np.float64, st.integers(1, 200),
                     elements=st.one_of(finite, st.just(np.nan))))
# edges a tiny span apart: a value far above them lies beyond the int64 range of grid cells
@example(edges=np.array([0.0, 2.83206057e-267]), values=np.array([1.0]))
@example(edges=np.array([0.0, 5e-324]), values=np.array([0.0, 1.0]))
def test_continuous_codes_equal_a_plain_search(edges, values):
    edges = np.sort(edges)
    values = np.concatenate([values, edges, np.nextafter(edges, -np.inf)])
    expected = np.searchsorted(edges, values, side="right") + 1
    expected[np.isnan(values)] = 0
    np.testing.assert_array_equal(Bins("continuous", edges=edges).codes(values), expected)


def test_codes_on_heavy_tailed_quantile_edges():
    rng = np.random.default_rng(0)
    x = np.exp(rng.normal(0, 3, 50_000))
    bins = fit_bins(x, "continuous", 255, rng)
    expected = np.searchsorted(bins.edges, x, side="right") + 1
    np.testing.assert_array_equal(bins.codes(x), expected)


def test_pair_bins_are_a_coarsening_with_an_exact_lookup():
    rng = np.random.default_rng(1)
    x = rng.normal(size=5000)
    x[::50] = np.nan
    fine = fit_bins(x, "continuous", 255, rng)
    counts = np.bincount(fine.codes(x), minlength=fine.n_bins)[1:-1]
    coarse = coarsen(fine, counts, 16)
    assert coarse.n_values <= 16 and set(coarse.edges) <= set(fine.edges)
    lookup = coarse.lookup_from(fine)
    np.testing.assert_array_equal(lookup[fine.codes(x)], coarse.codes(x))
    assert Bins("continuous", edges=[0.123]).lookup_from(fine) is None


def test_a_grouping_of_groups_is_a_coarsening():
    """Categories grouped, then those groups grouped again: the lookup maps each finer group to
    the coarser one holding it; a finer group split between two coarser ones has none."""
    values = np.array(list("abcdef") * 10 + [None], dtype=object)
    fine = Bins("categorical", categories=list("abcdef"), groups=[1, 1, 2, 3, 4, 4])
    coarse = Bins("categorical", categories=list("abcdef"), groups=[1, 1, 1, 2, 2, 2])
    lookup = coarse.lookup_from(fine)
    np.testing.assert_array_equal(lookup[fine.codes(values)], coarse.codes(values))
    assert lookup[fine.unseen_bin] == coarse.unseen_bin
    split = Bins("categorical", categories=list("abcdef"), groups=[1, 2, 2, 2, 3, 3])
    assert split.lookup_from(fine) is None
    assert fine.lookup_from(coarse) is None


def test_categorical_codes_missing_and_unseen():
    bins = fit_bins(pd.Series(["b", "a", None, "b"], dtype=object).to_numpy(), "categorical",
                    255, None)
    assert bins.categories == ["a", "b"]
    codes = bins.codes(np.array(["a", "b", None, "zzz", np.nan], dtype=object))
    np.testing.assert_array_equal(codes, [1, 2, 0, bins.unseen_bin, 0])
    assert bins.labels() == ["missing", "a", "b", "unseen"]


def test_categorical_codes_of_an_all_missing_batch():
    bins = Bins("categorical", categories=["a", "b"])
    np.testing.assert_array_equal(bins.codes(np.array([None], dtype=object)), [0])
    np.testing.assert_array_equal(bins.codes(pd.Categorical([np.nan, np.nan])), [0, 0])


def test_quantile_edges_lie_between_values_so_float32_copies_bin_alike():
    """Quantiles falling among tied values (a BMI recorded to 0.01, many rows per value) move to
    the midpoint below the ties: no edge equals a training value, each value's rows share a bin
    as before, and a float32 copy of the column bins as the column does."""
    rng = np.random.default_rng(0)
    column = np.round(rng.normal(26, 4, 20_000), 2)
    bins = fit_bins(column, "continuous", 255, rng)
    assert not np.isin(bins.edges, column).any()
    old = np.unique(np.percentile(column, np.linspace(0, 100, 256)[1:-1], method="midpoint"))
    assert np.isin(old, column).sum() > 100  # the ties the rule is for
    assert len(bins.edges) == len(old)
    np.testing.assert_array_equal(bins.codes(column),
                                  1 + np.searchsorted(old, column, side="right"))
    np.testing.assert_array_equal(bins.codes(column.astype(np.float32).astype(np.float64)),
                                  bins.codes(column))
