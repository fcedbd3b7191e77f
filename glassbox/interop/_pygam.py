"""pyGAM models to glassbox models, by discretising each term on a fine grid.

A pyGAM term is a smooth function (a spline, a line, a tensor-product surface) or a per-level
constant (a factor); glassbox terms are constant per bin. A continuous feature is cut where its
terms' curves change: the cuts are equally spaced in a measure dominated by the curve's own
variation over the reference range (so bins are narrow where the curve is steep and wide where
it is flat), together with a cut halfway between neighbouring reference values when there are
few enough of them (so each reference value has a bin of its own and is scored exactly). Each bin
is scored with the pyGAM term at the centre of the reference values it holds, or at its own
centre when it holds none. A tensor term's grid, a score per pair of bins, is then split where
it scores reference rows too far off, and each cell's score moved towards the reference rows
it holds, to within the tolerance of each (or within half the widest spread of pyGAM's values
among a cell's rows, where the splits could not narrow them that far). A factor's categories
are its levels in the reference data, each scored exactly as pyGAM scores it.

The result approximates pyGAM within the grid's resolution; the largest difference is measured
on the reference rows and at probe points between them (between neighbouring reference values,
and on both sides of every cut), and both are recorded.
"""

import math
import warnings

import numpy as np
import pandas as pd

from .._additive import UnseenValueWarning
from .._binning import Bins
from .._model_file import MAX_VALUE_BINS
from .._tabular import outside_stacklevel, table_columns
from ..terms import Feature, Term, center, find_term
from ._common import check_version, imported_model, is_estimator, json_ready

SUPPORTED_VERSIONS = ((0, 9), (0, 12))
"""The pyGAM versions (major, minor) whose fitted state is read here."""

GRID_SIZE = 8192
"""Default largest number of bins per continuous feature that a main effect reads."""

PAIR_GRID_SIZE = 256
"""Default largest number of bins per continuous feature of a tensor (pair) term."""

TOLERANCE = 1e-3
"""Link-scale discrepancy (on the reference rows or between them) above which `from_pygam`
warns."""

FEW_VALUES = 5
"""A spline's feature with fewer distinct reference values than this draws a warning."""

_LINKS = {"IdentityLink": "identity", "LogitLink": "logit", "LogLink": "log"}
_BLOCK_ROWS = 65536  # grid points evaluated at a time (bounds memory for large pair grids)
_CURVE_SHARE = 0.8  # share of the cut measure given to the curve's variation (rest: range, rows)
_PAIR_SPLIT_ROOM = 2  # splits may take a tensor term to twice pair_grid_size² value cells
_MAX_ROUNDS = 60  # rounds of splitting a tensor term's bins
_PAIR_LINES = 33  # lines across the other feature along which a surface's variation is probed


def from_pygam(gam, X_reference, *, feature_names=None, grid_size=GRID_SIZE,
               pair_grid_size=PAIR_GRID_SIZE):
    """A glassbox model approximating a fitted pyGAM model on a fine grid.

    Parameters
    ----------
    gam : fitted pyGAM GAM (LinearGAM, LogisticGAM, PoissonGAM, or any GAM with an identity,
        logit or log link) made of spline `s()`, linear `l()`, factor `f()` and two-feature
        tensor `te()` terms, of pyGAM 0.9 to 0.12
    X_reference : array-like or DataFrame of shape (n_samples, n_features)
        Data covering the range the model will be used on, typically the training data (at
        least 2 rows, no missing values, as for pyGAM). Its range sets the grid, its rows give
        each bin's count and weight and centre the terms, its levels are the factors'
        categories, and the discrepancy is measured on it and between its values. pyGAM keeps
        no column names and reads features by position, so the columns are taken by position
        (a DataFrame's names then become the feature names) unless `feature_names` is given.
        Each column is checked against the range pyGAM saw for the feature at its position:
        a column mostly outside it is an error (the columns are probably not in pyGAM's order).
    feature_names : list of str, optional
        The names of pyGAM's features, in the order pyGAM reads them (its column positions).
        A DataFrame `X_reference` is then read by these names, whatever its column order (other
        columns are ignored); an array is read by position and its columns get these names.
        The imported model reads DataFrames by name.
    grid_size : int, default=8192
        Largest number of bins per continuous feature for its main effects (`s()`, `l()`), up
        to 65534. The cuts are equally spaced in a measure that is 80% the main effects'
        variation over the reference range, 10% the range and 10% the reference rows, and no
        more are made than keep each bin's variation below about 1e-3 / (number of such
        features); with at most grid_size / 4 distinct reference values, each value also gets
        a bin of its own centred on it (exact on the reference rows).
    pair_grid_size : int, default=256
        Number of bins per continuous feature of a tensor (pair) term that follow the
        surface's largest variation along it, laid out as the main effects' are (up to
        65534). The grid is then split where it scores reference rows more than
        1e-3 / (2 × number of tensor terms) off, up to 2 × pair_grid_size² value cells per
        tensor term and 65534 bins per feature: first the cells whose rows' values spread more
        than twice that, then the bins whose centres are too far from a row's values.

    Returns
    -------
    AdditiveClassifier or AdditiveRegressor
        Made by `glassbox.build_model`. Each bin is scored with the pyGAM term at the centre of
        the reference values it holds (at its own centre when it holds none); a tensor term
        then has each cell's score moved the least that puts it within 1e-3 / (2 × number of
        tensor terms) of each reference row it holds, or within half the widest spread of the
        term's values among a cell's rows where that is wider. The scores are centred on the
        reference data, the means going to the intercept, so a missing value or an unseen
        factor level scores 0 (the term's reference average). A value outside the reference
        range scores as the nearest edge bin: constant extrapolation, where pyGAM
        extrapolates its curves. `stds` are the terms' standard errors from pyGAM's coefficient
        covariance; `counts` and `weights` are reference rows per bin. The provenance records
        `max_discrepancy_link`, the largest absolute difference between the model's and pyGAM's
        link-scale predictions on the reference rows, and `max_discrepancy_link_between`, the
        largest at any row within the reference range: the sum over terms of each term's
        largest difference at probe points between the reference values (both sides of every
        cut, halfway between neighbouring values, eight points per bin), per term in
        `max_discrepancy_link_by_term`; above 1e-3 either draws a warning. It also records
        `reference_range` per continuous feature and `term_features`, the feature names each
        pyGAM term reads.
    """
    if not is_estimator(gam, "pygam", ("GAM",)):
        raise TypeError(f"from_pygam takes a pyGAM GAM (LinearGAM, LogisticGAM, PoissonGAM, "
                        f"...), got {type(gam).__name__}.")
    if not getattr(gam, "_is_fitted", False):
        raise ValueError(f"gam: this {type(gam).__name__} is not fitted; fit it before "
                         "importing it.")
    import pygam
    check_version("pygam", pygam.__version__, SUPPORTED_VERSIONS)
    link = _LINKS.get(type(gam.link).__name__)
    if link is None:
        raise ValueError(f"gam: link {type(gam.link).__name__} is not supported; glassbox "
                         f"models add up on the links {sorted(_LINKS)}.")
    if link == "logit" and getattr(gam.distribution, "levels", 1) != 1:
        raise ValueError("gam: a binomial GAM with more than one trial per row is not "
                         "supported; glassbox classifiers predict one outcome per row.")
    for name, size in (("grid_size", grid_size), ("pair_grid_size", pair_grid_size)):
        if not isinstance(size, (int, np.integer)) or not 1 <= size <= MAX_VALUE_BINS:
            raise ValueError(f"{name} must be an integer from 1 to {MAX_VALUE_BINS}, got "
                             f"{size!r}.")
    n_features = gam.statistics_["m_features"]
    names, X = _reference(X_reference, n_features, feature_names)
    labels = names or [f"x{j}" for j in range(X.shape[1])]
    pieces = [(i, t, _margins(t)) for i, t in enumerate(gam.terms)
              if type(t).__name__ != "Intercept"]
    levels = _check_columns(X, labels, pieces)
    features, pair_bins = _features(gam, X, labels, pieces, levels, grid_size, pair_grid_size)
    intercept = sum(float(gam.coef_[gam.terms.get_coef_indices(i)][0])
                    for i, t in enumerate(gam.terms) if type(t).__name__ == "Intercept")
    terms, used, term_features, errors = [], set(), {}, {}
    for i, term, margins in pieces:
        feature_idx = tuple(j for j, _, _ in margins)
        bins = tuple(pair_bins[j] if len(feature_idx) == 2 else features[j].bins
                     for j in feature_idx)
        name = " & ".join(labels[j] for j in feature_idx)
        name = name if name not in used else f"{name} ({term!r})"
        used.add(name)
        term_features[repr(term)] = [labels[j] for j in feature_idx]
        scores, stds = _evaluate(gam, i, term, feature_idx, bins, X,
                                 _row_tolerance(pieces) if len(feature_idx) == 2 else None)
        low, high, at = _term_error(gam, i, term, feature_idx, bins, scores, X)
        errors[name] = (low, high, at)
        weights = _reference_counts(X, feature_idx, bins)
        scores, mean = center(scores, weights)
        intercept += float(mean)
        terms.append(Term(name, feature_idx, bins, scores, stds, weights.copy(), weights))
    source = {"library": "pygam", "version": pygam.__version__, "estimator": type(gam).__name__,
              "params": json_ready(gam.get_params()),
              "distribution": type(gam.distribution).__name__, "terms": str(gam.terms),
              "term_features": term_features,
              "grid_size": int(grid_size), "pair_grid_size": int(pair_grid_size),
              "reference_rows": int(X.shape[0]),
              "reference_range": {labels[j]: [float(X[:, j].min()), float(X[:, j].max())]
                                  for j, f in enumerate(features) if f.kind == "continuous"}}
    model = imported_model(features, terms, intercept, link=link,
                           classes=[0, 1] if link == "logit" else None,
                           feature_names_in=names, source=source,
                           details={"terms": len(terms), "grid_size": int(grid_size),
                                    "pair_grid_size": int(pair_grid_size)})
    on_rows = _rows_discrepancy(model, gam, X, levels)
    between = max(sum(high for _, high, _ in errors.values()),
                  -sum(low for low, _, _ in errors.values()), 0.0)
    # + 0.0: a term without error reads 0.0, where max() of two zeros can give -0.0
    by_term = {name: max(-low, high) + 0.0 for name, (low, high, _) in errors.items()}
    model.provenance_ = {**model.provenance_, "max_discrepancy_link": on_rows,
                         "max_discrepancy_link_between": between,
                         "max_discrepancy_link_by_term": by_term}
    if max(on_rows, between) > TOLERANCE:
        worst = max(by_term, key=by_term.get)
        point = ", ".join(f"{v:.6g}" for v in errors[worst][2])
        where = f" (most in term {worst!r}: {by_term[worst]:.3g} at {point})"
        remedy = ("a larger pair_grid_size brings that tensor term closer, at a cost that grows "
                  "with its square (pair_grid_size² scores per tensor term, and up to as many "
                  "again where the grid is split, in the model file and the SQL query)"
                  if model.terms_[find_term(model, worst)].is_pair
                  else "a larger grid_size brings that term closer")
        if on_rows > TOLERANCE:
            found = (f"differs from the pyGAM model by up to {on_rows:.3g} on the link scale on "
                     f"X_reference's rows and by up to {between:.3g} between its values{where}")
        else:
            found = (f"is within {on_rows:.3g} of the pyGAM model on the link scale on "
                     f"X_reference's rows, but differs by up to {between:.3g} between its "
                     f"values{where}, so rows with other values (such as new patients') can "
                     "score that far from pyGAM's")
        warnings.warn(f"The imported model {found}; {remedy}. The bins a feature gets from "
                      "grid_size and pair_grid_size can number at most 65534 together.",
                      UserWarning, stacklevel=outside_stacklevel())
    return model


# --------------------------------------------------------------------------------------------------
# the reference data


def _reference(X_reference, n_features, feature_names):
    """(feature names or None, float matrix in pyGAM's column order) of the reference data,
    checked."""
    if feature_names is not None:
        feature_names = _feature_names(feature_names, n_features)
        if isinstance(X_reference, pd.DataFrame):
            absent = [n for n in feature_names if n not in X_reference.columns]
            if absent:
                raise ValueError(f"feature_names: X_reference has no column "
                                 f"{', '.join(map(repr, absent))}; its columns are "
                                 f"{list(X_reference.columns)}.")
            _, columns = table_columns(X_reference, select=feature_names)
        else:
            _, columns = table_columns(X_reference)
        names = feature_names
    else:
        names, columns = table_columns(X_reference)
    if len(columns) != n_features:
        raise ValueError(f"X_reference has {len(columns)} columns; the pyGAM model reads "
                         f"{n_features}: pass the columns pyGAM was fitted on, in its order, "
                         "or name them with feature_names=.")
    try:
        X = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    except (TypeError, ValueError):
        raise ValueError("X_reference must be numeric, as pyGAM's input is.") from None
    if not np.isfinite(X).all():
        raise ValueError("X_reference holds missing or infinite values; pyGAM takes neither.")
    if X.shape[0] < 2:
        raise ValueError(f"X_reference has {X.shape[0]} row; it needs at least 2 (typically "
                         "the training data): its range sets the grid, its rows centre the "
                         "terms and check the import.")
    return names, X


def _feature_names(feature_names, n_features):
    if isinstance(feature_names, str):
        raise ValueError("feature_names must be a list of column names, got a string.")
    names = list(feature_names)
    if not all(isinstance(n, str) for n in names):
        raise ValueError(f"feature_names must be strings, got {names}.")
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names; the pyGAM model reads "
                         f"{n_features} features.")
    if len(set(names)) != len(names):
        raise ValueError(f"feature_names holds a name twice: {names}.")
    return names


def _margins(term):
    """[(feature index, "numerical" or "categorical", the pyGAM term part)] of a supported
    term."""
    kind = type(term).__name__
    if kind not in ("SplineTerm", "LinearTerm", "FactorTerm", "TensorTerm"):
        raise ValueError(f"gam: term {term!r} ({kind}) is not supported; supported are s(), l(), "
                         "f() and te() of two features.")
    if getattr(term, "by", None) is not None:
        raise ValueError(f"gam: term {term!r} has a 'by' variable, which is not supported.")
    parts = list(term) if kind == "TensorTerm" else [term]
    if len(parts) > 2:
        raise ValueError(f"gam: term {term!r} reads {len(parts)} features; glassbox terms read "
                         "one or two.")
    dtype = {"LinearTerm": "numerical", "FactorTerm": "categorical"}
    return [(int(p.feature), dtype.get(kind, getattr(p, "dtype", "numerical")), p)
            for p in parts]


def _fitted_range(part, dtype):
    """The range of a feature pyGAM saw when fitting a term part: its edge knots, which a
    categorical part widens by 0.5 on each side."""
    low, high = np.asarray(part.edge_knots_, dtype=float)[[0, -1]]
    return (low + 0.5, high - 0.5) if dtype == "categorical" else (low, high)


def _check_columns(X, labels, pieces):
    """Check each column against the range pyGAM saw for the feature at its position; return
    {factor feature: its levels}, the distinct reference values within pyGAM's range.

    A column of which fewer than half the values lie in pyGAM's fitted range (widened by 1%) is
    an error: it is probably another feature. A spline's feature with very few distinct values,
    and a factor missing levels pyGAM was fitted on or holding levels outside them, warn.
    """
    kinds, parts = {}, {}
    for _, term, margins in pieces:
        for j, dtype, part in margins:
            if kinds.setdefault(j, dtype) != dtype:
                raise ValueError(f"gam: feature {labels[j]!r} is numerical in one term and "
                                 "categorical in another, which glassbox cannot represent.")
            parts.setdefault(j, []).append((type(term).__name__, part))
    levels = {}
    for j in sorted(parts):
        column = X[:, j]
        ranges = [_fitted_range(part, kinds[j]) for _, part in parts[j]]
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        slack = 0.01 * (high - low) + 1e-9 * max(abs(low), abs(high), 1.0)
        inside = (column >= low - slack) & (column <= high + slack)
        if inside.mean() < 0.5:
            raise ValueError(
                f"X_reference column {labels[j]!r} (position {j}) does not look like the "
                f"feature pyGAM read at position {j}: {inside.mean():.0%} of its values lie in "
                f"[{low:.6g}, {high:.6g}], the range pyGAM was fitted on. pyGAM reads features "
                "by position: pass X_reference's columns in the order the GAM was fitted on, or "
                "name them in that order with feature_names=.")
        distinct = np.unique(column)
        if kinds[j] == "categorical":
            known = distinct[(distinct >= low - 1e-9 * max(abs(low), 1.0))
                             & (distinct <= high + 1e-9 * max(abs(high), 1.0))]
            levels[j] = known
            if len(known) < len(distinct):
                outside = distinct[~np.isin(distinct, known)]
                warnings.warn(
                    f"X_reference holds levels {outside[:5].tolist()} of factor {labels[j]!r} "
                    f"outside [{low:.6g}, {high:.6g}], the levels pyGAM was fitted on (pyGAM's "
                    "predict refuses them); the imported model scores them as unseen (0), and "
                    "the discrepancy is measured without those rows.", UserWarning,
                    stacklevel=outside_stacklevel())
            fitted = max((int(part.n_splines) for kind, part in parts[j]
                          if kind == "FactorTerm"), default=0)
            if len(known) < fitted:
                warnings.warn(
                    f"pyGAM's factor {labels[j]!r} was fitted on {fitted} levels, and "
                    f"X_reference holds {len(known)} of them; the imported model's categories "
                    "are the levels in X_reference, so a missing level scores as unseen (0). "
                    "Pass reference data holding every level (typically the training data).",
                    UserWarning, stacklevel=outside_stacklevel())
        else:
            if low < column.min() or high > column.max():
                warnings.warn(
                    f"X_reference covers [{column.min():.6g}, {column.max():.6g}] of feature "
                    f"{labels[j]!r}, but the pyGAM model was fitted on [{low:.6g}, "
                    f"{high:.6g}]; outside the reference range the imported model repeats its "
                    "edge bins' scores (pyGAM extrapolates). Pass reference data covering the "
                    "range the model is used on.", UserWarning, stacklevel=outside_stacklevel())
            splines = any(kind != "LinearTerm" for kind, _ in parts[j])
            if splines and len(distinct) < FEW_VALUES:
                warnings.warn(
                    f"X_reference holds only {len(distinct)} distinct value(s) of feature "
                    f"{labels[j]!r}, which a spline reads: the grid covers only their range, "
                    "and the centring and the discrepancy check rest on them. Pass more "
                    "reference rows (typically the training data).", UserWarning,
                    stacklevel=outside_stacklevel())
    return levels


# --------------------------------------------------------------------------------------------------
# the grid


def _features(gam, X, labels, pieces, levels, grid_size, pair_grid_size):
    """(One Feature per column, {feature: the bins its tensor terms use}).

    A factor's bins are its levels. A continuous feature's cuts are those of its main effects
    (`_cuts` of their summed curve, at most `grid_size` bins) together with those of its tensor
    terms (`_pair_cuts`, which leaves room for the main effects' within the 65534 bins a feature
    holds); a feature no term reads has a single bin.
    """
    mains, pairs = {}, {}
    for i, term, margins in pieces:
        if len(margins) == 1:
            mains.setdefault(margins[0][0], []).append((i, term))
        else:
            for axis, (j, _, _) in enumerate(margins):
                pairs.setdefault(j, []).append((i, term, margins, axis))
    continuous = [j for j in mains if j not in levels]
    step = TOLERANCE / max(len(continuous) + len(pairs), 1)
    main_cuts = {}
    for j in continuous:
        probe = _probe(X[:, j], grid_size)
        curve = sum(_term_values(gam, i, term, _points(X, (j,), (probe,)))[0]
                    for i, term in mains[j])
        main_cuts[j] = _cuts(X[:, j], probe, curve, grid_size, step)
    tensors = [(i, term, margins) for i, term, margins in pieces if len(margins) == 2]
    room = {j: MAX_VALUE_BINS - 1 - len(main_cuts.get(j, ())) for j in pairs}
    tensor_cuts = _pair_cuts(gam, X, pairs, tensors, levels, pair_grid_size, step, room)
    features, pair_bins = [], {}
    for j, label in enumerate(labels):
        if j in levels:
            bins = pair = Bins("categorical", categories=levels[j].tolist())
        else:
            tensor = tensor_cuts.get(j, np.empty(0))
            edges = np.union1d(main_cuts.get(j, np.empty(0)), tensor)
            if len(edges) >= MAX_VALUE_BINS:
                raise ValueError(f"grid_size and pair_grid_size together give feature "
                                 f"{label!r} {len(edges) + 1} bins; a feature holds at most "
                                 f"{MAX_VALUE_BINS}: lower one of them.")
            bins = Bins("continuous", edges=edges)
            pair = bins if np.array_equal(tensor, edges) else Bins("continuous", edges=tensor)
        features.append(Feature(label, bins.kind, bins, False))
        if j in pairs:
            pair_bins[j] = pair
    return features, pair_bins


def _probe(column, n_bins):
    """Points equally spaced over the column's range at which a curve is followed: eight per
    bin, at least 4097 and at most 2^18 + 1."""
    n_points = min(max(8 * n_bins, 4096), 2**18) + 1
    return np.linspace(column.min(), column.max(), n_points)


def _cuts(column, probe, curve, n_bins, step, steepness=None):
    """Cuts of at most `n_bins` bins over the column's range that follow a curve (its values at
    `probe`) or a steepness (its absolute change between neighbouring probe points).

    The curve's cuts are equally spaced in a measure that is 80% the curve's variation, 10% the
    range and 10% the reference rows (a bin spans at most 1.25 / n of the variation, 10 / n of
    the range and of the rows, for n such bins); n is the budget, or fewer when fewer keep each
    bin's variation below `step`. With at most n_bins / 4 distinct reference values, each value
    also gets a bin of its own centred on it (a cut halfway between each two neighbours, and
    one more so that the value's bin reaches as far on each side): scored at the value, the
    bin is exact there and no further off than its own half-width elsewhere.
    """
    values = np.unique(column)
    if len(values) < 2:
        return np.empty(0)
    low, high = values[0], values[-1]
    exact = len(values) <= n_bins // 4
    change = np.abs(np.diff(curve)) if steepness is None else steepness
    variation = np.concatenate([[0.0], np.cumsum(change)])
    total = variation[-1]
    budget = n_bins - 2 * len(values) if exact else n_bins
    wanted = math.ceil(total / (_CURVE_SHARE * step)) if total > 0 else 1
    n_curve = max(min(budget, wanted), 1)
    shares = (_CURVE_SHARE * (variation / total if total > 0 else (probe - low) / (high - low))
              + (1 - _CURVE_SHARE) / 2 * (probe - low) / (high - low)
              + (1 - _CURVE_SHARE) / 2 * np.searchsorted(np.sort(column), probe, side="right")
              / len(column))
    cuts = np.interp(np.arange(1, n_curve) / n_curve, shares, probe)
    if exact:
        cuts = np.union1d(cuts, (values[:-1] + values[1:]) / 2)
        cuts = cuts[(cuts > low) & (cuts < high)]
        above = np.searchsorted(cuts, values, side="right")
        lower = np.where(above > 0, cuts[np.maximum(above - 1, 0)], -np.inf)
        upper = np.where(above < len(cuts), cuts[np.minimum(above, len(cuts) - 1)], np.inf)
        below_room, above_room = values - lower, upper - values
        centred = np.where(below_room < above_room, 2 * values - lower, 2 * values - upper)
        centred[0] = (low + upper[0]) / 2 if np.isfinite(upper[0]) else np.nan
        centred[-1] = (lower[-1] + high) / 2 if np.isfinite(lower[-1]) else np.nan
        cuts = np.union1d(cuts, centred[np.isfinite(centred)])
    return cuts[(cuts > low) & (cuts <= high)]


def _pair_cuts(gam, X, pairs, tensors, levels, pair_grid_size, step, room):
    """{continuous feature of a tensor term: its cuts for them}, at most `room[feature]`.

    The grid first follows the surfaces with pair_grid_size bins per feature, as the main
    effects' grid follows their curves. Then it is split where it scores reference rows more
    than `_row_tolerance` off, no split taking a term past 2 × pair_grid_size² value cells:
    first the cells whose rows' values spread more than twice the tolerance (a cell whose rows
    spread less can be scored within the tolerance of each, see `_evaluate`), then, with the
    cells left, the bins whose centres lie too far from a row's values (so that fewer scores
    need moving).
    """
    if not tensors:
        return {}
    curves = {}
    for j in pairs:
        if j not in levels:
            probe = _probe(X[:, j], pair_grid_size)
            steepness = sum(_surface_variation(gam, X, j, probe, *entry) for entry in pairs[j])
            curves[j] = (probe, steepness)
    cuts = {j: _cuts(X[:, j], probe, None, pair_grid_size, step, steepness)
            for j, (probe, steepness) in curves.items()}
    split = _PairSplits(gam, X, tensors, levels, curves, _PAIR_SPLIT_ROOM * pair_grid_size ** 2,
                        room, _row_tolerance(tensors))
    return split.run(split.run(cuts, split.spread_out), split.off_centre)


def _row_tolerance(pieces):
    """How far off a tensor term may score a reference row: half the tolerance, shared among
    the tensor terms."""
    return TOLERANCE / (2 * max(sum(len(margins) == 2 for _, _, margins in pieces), 1))


class _PairSplits:
    """Splits of tensor terms' bins where they score reference rows too far off.

    A split cuts one feature's bin between two neighbouring reference values at the middle of
    the surfaces' variation over a range of its values. `run` splits round after round, the
    worst first, leaving out a split that would take a term reading the feature past
    `max_cells` value cells or the feature past `room` cuts, until nothing is off, no split
    fits or `_MAX_ROUNDS` rounds have run. `curves` holds each continuous feature's probe
    points and the surfaces' steepness between them.
    """

    def __init__(self, gam, X, tensors, levels, curves, max_cells, room, tolerance):
        self.X, self.tensors = X, tensors
        self.max_cells, self.room, self.tolerance = max_cells, room, tolerance
        self.variation = {j: (probe, np.concatenate([[0.0], np.cumsum(steepness)]))
                          for j, (probe, steepness) in curves.items()}
        self.values = {j: np.unique(X[:, j]) for j in curves}
        self.at_values = {j: np.interp(self.values[j], *self.variation[j]) for j in curves}
        self.positions = {j: np.searchsorted(self.values[j], X[:, j]) for j in curves}
        self.pygam = {i: _term_values(gam, i, term, X)[0] for i, term, _ in tensors}
        self.gam = gam
        self.factor_bins = {j: Bins("categorical", categories=levels[j].tolist())
                            for j in levels}

    def run(self, cuts, off):
        """`cuts` with splits added; `off` gives, for a term's grid, {(feature, lowest, highest
        index into its distinct values): how far off} of the value ranges to split."""
        for _ in range(_MAX_ROUNDS):
            bins = {**{j: Bins("continuous", edges=c) for j, c in cuts.items()},
                    **self.factor_bins}
            wanted = {}
            for i, term, margins in self.tensors:
                feature_idx = tuple(j for j, _, _ in margins)
                for key, by in off(i, term, feature_idx, [bins[j] for j in feature_idx]).items():
                    wanted[key] = max(wanted.get(key, 0.0), by)
            if not wanted:
                return cuts
            n_values = {j: b.n_values for j, b in bins.items()}
            added = {j: [] for j in cuts}
            for (j, lower, upper), _ in sorted(wanted.items(), key=lambda item: -item[1]):
                grown = {**n_values, j: n_values[j] + 1}
                if grown[j] - 1 > self.room[j] or any(
                        grown[m[0][0]] * grown[m[1][0]] > self.max_cells
                        for _, _, m in self.tensors if j in (m[0][0], m[1][0])):
                    continue
                n_values = grown
                added[j].append(self._middle(j, lower, upper))
            if not any(added.values()):
                return cuts
            cuts = {j: np.union1d(c, added[j]) for j, c in cuts.items()}
        return cuts

    def _middle(self, j, lower, upper):
        """The cut between two neighbouring values of feature j, from index `lower` to `upper`
        of its distinct values, nearest the middle of the surfaces' variation over them."""
        at = self.at_values[j]
        if at[upper] > at[lower]:
            k = np.searchsorted(at[lower:upper + 1], (at[lower] + at[upper]) / 2,
                                side="right") - 1 + lower
        else:
            k = (lower + upper) // 2
        k = min(max(k, lower), upper - 1)
        below, above = self.values[j][k], self.values[j][k + 1]
        middle = (below + above) / 2
        return middle if middle > below else above  # neighbours too close for a middle

    def _value_span(self, j, code, bins):
        """(lowest, highest) index into feature j's distinct values of those in bin `code`."""
        edges = bins.edges
        lower = np.searchsorted(self.values[j], edges[code - 2]) if code > 1 else 0
        upper = (np.searchsorted(self.values[j], edges[code - 1]) - 1 if code <= len(edges)
                 else len(self.values[j]) - 1)
        return int(lower), int(upper)

    def off_centre(self, i, term, feature_idx, bins):
        """The bins of rows scored more than the tolerance off at the centres of their bins,
        each split along the feature whose variation between the row's value and the bin's
        centre is larger."""
        codes = _codes(self.X, feature_idx, bins)
        inside = np.all([(c >= 1) & (c <= b.n_values) for c, b in zip(codes, bins)], axis=0)
        centres = [_centres(b, self.X[:, j])[np.clip(c - 1, 0, b.n_values - 1)]
                   for j, b, c in zip(feature_idx, bins, codes)]
        error = np.abs(_term_values(self.gam, i, term, _points(self.X, feature_idx, centres))[0]
                       - self.pygam[i])
        rows = np.flatnonzero(inside & (error > self.tolerance))
        shift = np.stack([np.where(self.X[rows, j] == centre[rows], -1.0,
                                   np.abs(np.interp(self.X[rows, j], *self.variation[j])
                                          - np.interp(centre[rows], *self.variation[j])))
                          if j in self.variation else np.full(len(rows), -1.0)
                          for j, centre in zip(feature_idx, centres)])
        off = {}
        for row, axis in zip(rows, np.argmax(shift, axis=0)):
            j = feature_idx[axis]
            lower, upper = self._value_span(j, codes[axis][row], bins[axis])
            if upper > lower:
                off[j, lower, upper] = max(off.get((j, lower, upper), 0.0), error[row])
        return off

    def spread_out(self, i, term, feature_idx, bins):
        """The cells whose rows' pyGAM values spread more than twice the tolerance, each split
        between its rows along the feature over whose range of the rows' values the surface
        varies more."""
        cell = _cells(self.X, feature_idx, bins)
        low, high = _cell_range(cell, self.pygam[i], bins)
        cells = np.flatnonzero(high - low > 2 * self.tolerance)
        spans = [_cell_range(cell, self.positions[j], bins) if j in self.variation else None
                 for j in feature_idx]
        extent = np.stack([np.where(span[1][cells] > span[0][cells],
                                    self.at_values[j][span[1][cells].astype(int)]
                                    - self.at_values[j][span[0][cells].astype(int)], -1.0)
                           if j in self.variation else np.full(len(cells), -1.0)
                           for j, span in zip(feature_idx, spans)])
        off = {}
        for flat, axis in zip(cells, np.argmax(extent, axis=0)):
            j, span = feature_idx[axis], spans[axis]
            lower, upper = int(span[0][flat]), int(span[1][flat])
            off[j, lower, upper] = max(off.get((j, lower, upper), 0.0), high[flat] - low[flat])
        return off


def _codes(X, feature_idx, bins):
    """Each row's bin code in each of the term's features (0 missing, then the value bins, then
    unseen)."""
    return [b.codes(X[:, j] if b.kind == "continuous" else X[:, j].astype(object))
            .astype(np.intp) for j, b in zip(feature_idx, bins)]


def _cells(X, feature_idx, bins):
    """Each row's cell in the grid of `bins` (missing and unseen bins included), as a flat
    index."""
    return np.ravel_multi_index(_codes(X, feature_idx, bins), tuple(b.n_bins for b in bins))


def _cell_range(cell, values, bins):
    """(smallest, largest) of `values` over the rows in each value cell of the grid of `bins`
    (inf, -inf in cells without rows and in the missing and unseen bins), flat."""
    size = int(np.prod([b.n_bins for b in bins]))
    inside = np.zeros(tuple(b.n_bins for b in bins), dtype=bool)
    inside[tuple(slice(1, -1) for _ in bins)] = True
    rows = inside.reshape(-1)[cell]
    low, high = np.full(size, np.inf), np.full(size, -np.inf)
    np.minimum.at(low, cell[rows], np.asarray(values, dtype=float)[rows])
    np.maximum.at(high, cell[rows], np.asarray(values, dtype=float)[rows])
    return low, high


def _surface_variation(gam, X, j, probe, index, term, margins, axis):
    """Absolute change of a tensor term between neighbouring `probe` points of feature j, the
    largest over lines across the other feature (its levels, or points spread over its
    range)."""
    other, other_dtype, _ = margins[1 - axis]
    column = X[:, other]
    if other_dtype == "categorical":
        across = np.unique(column)
    else:
        across = np.unique(np.quantile(column, np.linspace(0, 1, _PAIR_LINES)))
    grids = np.meshgrid(probe, across, indexing="ij")
    order = (grids[0], grids[1]) if axis == 0 else (grids[1], grids[0])
    feature_idx = (j, other) if axis == 0 else (other, j)
    values = _term_values(gam, index, term, _points(X, feature_idx, order))[0]
    values = values.reshape(len(probe), len(across))
    return np.abs(np.diff(values, axis=0)).max(axis=1)


# --------------------------------------------------------------------------------------------------
# scoring


def _centres(bins, column):
    """The point each value bin is scored at: a level, or the centre of the reference values in
    the bin (of the bin's part of the reference range when it holds none)."""
    if bins.kind == "categorical":
        return np.asarray(bins.categories, dtype=float)
    bounds = np.concatenate([[column.min()], bins.edges, [column.max()]])
    slots = bins.codes(column).astype(np.intp) - 1
    lowest, highest = np.full(bins.n_values, np.inf), np.full(bins.n_values, -np.inf)
    np.minimum.at(lowest, slots, column)
    np.maximum.at(highest, slots, column)
    centres = (bounds[:-1] + bounds[1:]) / 2
    held = np.isfinite(lowest)
    centres[held] = (lowest[held] + highest[held]) / 2
    return centres


def _evaluate(gam, index, term, feature_idx, bins, X, tolerance=None):
    """(scores, stds) of pyGAM term `index` on every cell of `bins`: its value at the cells'
    centres and its standard error there; 0 in the missing and unseen bins.

    With a `tolerance`, each cell's score moves the least that puts it within the tolerance of
    each reference row it holds, or within half the widest spread of the term's values among a
    cell's rows where that is wider (no score can be closer to all of that cell's rows).
    """
    grids = np.meshgrid(*(_centres(b, X[:, j]) for b, j in zip(bins, feature_idx)),
                        indexing="ij")
    values, errors = _term_values(gam, index, term, _points(X, feature_idx, grids), errors=True)
    shape = tuple(b.n_bins for b in bins)
    inner = tuple(slice(1, -1) for _ in bins)
    scores, stds = np.zeros(shape), np.zeros(shape)
    scores[inner] = values.reshape(grids[0].shape)
    stds[inner] = np.sqrt(np.clip(errors, 0, None)).reshape(grids[0].shape)
    if tolerance is not None:
        low, high = _cell_range(_cells(X, feature_idx, bins),
                                _term_values(gam, index, term, X)[0], bins)
        held = np.isfinite(low)
        low, high = low[held], high[held]
        reach = max(tolerance, float((high - low).max(initial=0.0)) / 2)
        flat = scores.reshape(-1)
        flat[held] = np.clip(flat[held], high - reach, low + reach)
    return scores, stds


def _points(X, feature_idx, grids):
    """Rows that hold the grids' values in the term's features (and the first reference row's
    elsewhere, which the term does not read)."""
    points = np.repeat(X[:1], np.size(grids[0]), axis=0)
    for j, grid in zip(feature_idx, grids):
        points[:, j] = np.ravel(grid)
    return points


def _term_values(gam, index, term, points, errors=False):
    """(value, variance or None) of pyGAM term `index` at each row of `points`: b'beta and
    b'Cb for the term's basis row b, coefficients beta and their covariance C."""
    coefs = gam.terms.get_coef_indices(index)
    beta = gam.coef_[coefs]
    covariance = gam.statistics_["cov"][np.ix_(coefs, coefs)] if errors else None
    values = np.empty(len(points))
    variances = np.empty(len(points)) if errors else None
    for start in range(0, len(points), _BLOCK_ROWS):
        block = slice(start, start + _BLOCK_ROWS)
        basis = term.build_columns(points[block])
        values[block] = basis @ beta
        if errors:
            variances[block] = np.asarray(basis.multiply(basis @ covariance).sum(axis=1)).ravel()
    return values, variances


def _reference_counts(X, feature_idx, bins):
    """Reference rows per cell of `bins`."""
    shape = tuple(b.n_bins for b in bins)
    return (np.bincount(_cells(X, feature_idx, bins), minlength=int(np.prod(shape)))
            .reshape(shape).astype(float))


# --------------------------------------------------------------------------------------------------
# the discrepancy


def _rows_discrepancy(model, gam, X, levels):
    """Largest link-scale difference between the model and pyGAM on the reference rows, those
    with a factor level pyGAM was not fitted on left out (pyGAM's predict refuses them)."""
    known = np.ones(len(X), dtype=bool)
    for j, kept in levels.items():
        known &= np.isin(X[:, j], kept)
    rows = X[known] if known.any() else X
    names = getattr(model, "feature_names_in_", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        ours = np.concatenate([
            model._raw(rows[s:s + _BLOCK_ROWS] if names is None
                       else pd.DataFrame(rows[s:s + _BLOCK_ROWS], columns=list(names)))
            for s in range(0, len(rows), _BLOCK_ROWS)])
    theirs = np.concatenate([gam._linear_predictor(rows[s:s + _BLOCK_ROWS])
                             for s in range(0, len(rows), _BLOCK_ROWS)])
    return float(np.abs(ours - theirs).max())


def _term_error(gam, index, term, feature_idx, bins, scores, X):
    """(smallest, largest) difference between a term's bin scores (before centring) and the
    pyGAM term, over probe points of its features within the reference range, and the point
    where it is largest in absolute value.

    A continuous feature's probe points are every cut of its bins and the value just below it
    (the two sides of a cut, where a bin's constant is furthest from a monotone curve), the
    points halfway between neighbouring reference values, and eight points per bin spread
    evenly over the range; a factor's are its levels. A pair is probed on the product of its
    features' points, at most 512 of them per continuous feature (evenly chosen).
    """
    axes = [_probe_points(X[:, j], b, limit=None if len(bins) == 1 else 512)
            for j, b in zip(feature_idx, bins)]
    grids = np.meshgrid(*axes, indexing="ij")
    points = _points(X, feature_idx, grids)
    pygam_values = _term_values(gam, index, term, points)[0]
    error = scores.reshape(-1)[_cells(points, feature_idx, bins)] - pygam_values
    at = int(np.argmax(np.abs(error)))
    return float(error.min()), float(error.max()), tuple(float(points[at, j])
                                                          for j in feature_idx)


def _probe_points(column, bins, limit=None):
    """Points of a feature within its reference range at which a term's error is probed."""
    values = np.unique(column)
    if bins.kind == "categorical":
        return np.asarray(bins.categories, dtype=float)
    low, high = values[0], values[-1]
    cuts = bins.edges[(bins.edges > low) & (bins.edges <= high)]
    spread = np.linspace(low, high, 8 * bins.n_values + 1)
    points = np.unique(np.concatenate([values[[0, -1]], (values[:-1] + values[1:]) / 2, cuts,
                                       np.nextafter(cuts, -np.inf), spread]))
    if limit is not None and len(points) > limit:
        keep = np.concatenate([np.nextafter(cuts, -np.inf), cuts, values[[0, -1]]])
        if len(keep) > limit:
            keep = keep[np.linspace(0, len(keep) - 1, limit).round().astype(int)]
        rest = np.setdiff1d(points, keep)
        extra = limit - len(np.unique(keep))
        if extra > 0 and len(rest):
            keep = np.concatenate([keep, rest[np.linspace(0, len(rest) - 1, extra)
                                              .round().astype(int)]])
        points = np.unique(keep)
    return points
