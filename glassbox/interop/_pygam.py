"""pyGAM models to glassbox models, by discretising each term on a fine grid.

A pyGAM term is a smooth function (a spline, a line, a tensor-product surface) or a per-level
constant (a factor); glassbox terms are constant per bin. A continuous feature is cut where its
main effects need it (between neighbouring reference values, or finely where the reference data
are dense or the effect is steep) and where its tensor terms need it (equal-width bins), and each
bin is scored with the pyGAM term at the centre of the reference values it holds; a factor's
levels become categories. The result approximates pyGAM within the grid's resolution, and the
largest difference on the reference data is measured and recorded.
"""

import warnings

import numpy as np

from .._binning import Bins
from .._model_file import MAX_VALUE_BINS
from .._tabular import outside_stacklevel, table_columns
from ..terms import Feature, Term, center
from ._common import check_version, imported_model, is_estimator, json_ready

SUPPORTED_VERSIONS = ((0, 9), (0, 12))
"""The pyGAM versions (major, minor) whose fitted state is read here."""

GRID_SIZE = 8192
"""Default number of bins per continuous feature that a main effect reads."""

PAIR_GRID_SIZE = 256
"""Default largest number of bins per feature of a tensor (pair) term."""

TOLERANCE = 1e-3
"""Link-scale discrepancy on the reference data above which `from_pygam` warns."""

_LINKS = {"IdentityLink": "identity", "LogitLink": "logit", "LogLink": "log"}
_BLOCK_ROWS = 65536  # grid points evaluated at a time (bounds memory for large pair grids)


def from_pygam(gam, X_reference, *, grid_size=GRID_SIZE, pair_grid_size=PAIR_GRID_SIZE):
    """A glassbox model approximating a fitted pyGAM model on a fine grid.

    Parameters
    ----------
    gam : fitted pyGAM GAM (LinearGAM, LogisticGAM, PoissonGAM, or any GAM with an identity,
        logit or log link) made of spline `s()`, linear `l()`, factor `f()` and two-feature
        tensor `te()` terms, of pyGAM 0.9 to 0.12
    X_reference : array-like or DataFrame of shape (n_samples, n_features)
        Data covering the range the model will be used on, typically the training data (no
        missing values, as for pyGAM). Its range sets the grid, its rows give each bin's count
        and weight and centre the terms, and the discrepancy is measured on it. Column names of
        a DataFrame become the feature names (the model then reads DataFrames by name).
    grid_size : int, default=8192
        Largest number of bins per continuous feature for its main effects (`s()`, `l()`).
        With at most this many distinct reference values, each value has a bin of its own
        (cut halfway to its neighbours), so the main effects are exact on the reference data;
        otherwise the bins are equally spaced in a measure averaging the shares of reference
        rows, of the range and of the main effects' variation, so that no bin spans more than
        3 / grid_size of any of them.
    pair_grid_size : int, default=256
        Bins of equal width over the reference range per continuous feature of a tensor term
        (a pair holds up to pair_grid_size² scores).

    Returns
    -------
    AdditiveClassifier or AdditiveRegressor
        Made by `glassbox.build_model`. Each bin is scored with the pyGAM term at the centre of
        the reference values it holds (of its part of the reference range when it holds none);
        the scores are centred on the reference data, the means going to the intercept, so a
        missing value or an unseen factor level scores 0 (the term's reference average). A
        value outside the reference range scores as the nearest edge bin (pyGAM
        extrapolates). `stds` are the terms' standard errors from pyGAM's coefficient
        covariance; `counts` and `weights` are reference rows per bin.
        `provenance_["max_discrepancy_link"]` is the largest absolute difference between the
        model's and pyGAM's link-scale predictions on `X_reference`; above 1e-3 a warning
        suggests a finer grid.
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
    names, X = _reference(X_reference, gam.statistics_["m_features"])
    labels = names or [f"x{j}" for j in range(X.shape[1])]
    pieces = [(i, t, _margins(t)) for i, t in enumerate(gam.terms)
              if type(t).__name__ != "Intercept"]
    features, pair_bins = _features(gam, X, labels, pieces, grid_size, pair_grid_size)
    intercept = sum(float(gam.coef_[gam.terms.get_coef_indices(i)][0])
                    for i, t in enumerate(gam.terms) if type(t).__name__ == "Intercept")
    terms, used = [], set()
    for i, term, margins in pieces:
        feature_idx = tuple(j for j, _, _ in margins)
        bins = tuple(pair_bins[j] if len(feature_idx) == 2 else features[j].bins
                     for j in feature_idx)
        name = " & ".join(labels[j] for j in feature_idx)
        name = name if name not in used else f"{name} ({term})"
        used.add(name)
        scores, stds = _evaluate(gam, i, term, feature_idx, bins, X)
        weights = _reference_counts(X, feature_idx, bins)
        scores, mean = center(scores, weights)
        intercept += float(mean)
        terms.append(Term(name, feature_idx, bins, scores, stds, weights.copy(), weights))
    source = {"library": "pygam", "version": pygam.__version__, "estimator": type(gam).__name__,
              "params": json_ready(gam.get_params()),
              "distribution": type(gam.distribution).__name__, "terms": str(gam.terms),
              "grid_size": int(grid_size), "pair_grid_size": int(pair_grid_size),
              "reference_rows": int(X.shape[0])}
    model = imported_model(features, terms, intercept, link=link,
                           classes=[0, 1] if link == "logit" else None,
                           feature_names_in=names, source=source,
                           details={"terms": len(terms), "grid_size": int(grid_size),
                                    "pair_grid_size": int(pair_grid_size)})
    read_as = X_reference if names is not None else X  # a frame is read by name
    discrepancy = float(np.abs(model._raw(read_as) - gam._linear_predictor(X)).max())
    model.provenance_ = {**model.provenance_, "max_discrepancy_link": discrepancy}
    if discrepancy > TOLERANCE:
        warnings.warn(f"The imported model differs from the pyGAM model by up to "
                      f"{discrepancy:.3g} on the link scale on X_reference; a larger grid_size "
                      "(main effects) or pair_grid_size (tensor terms) brings it closer.",
                      UserWarning, stacklevel=outside_stacklevel())
    return model


def _reference(X_reference, n_features):
    """(column names or None, float matrix) of the reference data, checked."""
    names, columns = table_columns(X_reference)
    if len(columns) != n_features:
        raise ValueError(f"X_reference has {len(columns)} columns; the pyGAM model reads "
                         f"{n_features}.")
    try:
        X = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    except (TypeError, ValueError):
        raise ValueError("X_reference must be numeric, as pyGAM's input is.") from None
    if not np.isfinite(X).all():
        raise ValueError("X_reference holds missing or infinite values; pyGAM takes neither.")
    return names, X


def _margins(term):
    """[(feature index, "numerical" or "categorical", pyGAM edge knots)] of a supported term."""
    kind = type(term).__name__
    if kind not in ("SplineTerm", "LinearTerm", "FactorTerm", "TensorTerm"):
        raise ValueError(f"gam: term {term} ({kind}) is not supported; supported are s(), l(), "
                         "f() and te() of two features.")
    if getattr(term, "by", None) is not None:
        raise ValueError(f"gam: term {term} has a 'by' variable, which is not supported.")
    parts = list(term) if kind == "TensorTerm" else [term]
    if len(parts) > 2:
        raise ValueError(f"gam: term {term} reads {len(parts)} features; glassbox terms read "
                         "one or two.")
    dtype = {"LinearTerm": "numerical", "FactorTerm": "categorical"}
    return [(int(p.feature), dtype.get(kind, getattr(p, "dtype", "numerical")),
             np.asarray(p.edge_knots_, dtype=float)) for p in parts]


def _features(gam, X, labels, pieces, grid_size, pair_grid_size):
    """(One Feature per column, {feature: the bins its tensor terms use}).

    A factor's bins are its levels. A continuous feature's cuts are those of its main effects
    (`_main_cuts`, at most `grid_size` bins) together with those of its tensor terms
    (`pair_grid_size` bins of equal width over the reference range); a feature no term reads
    has a single bin.
    """
    kinds, knots, mains, paired = {}, {}, {}, set()
    for i, term, margins in pieces:
        for j, dtype, edge_knots in margins:
            if kinds.setdefault(j, dtype) != dtype:
                raise ValueError(f"gam: feature {labels[j]!r} is numerical in one term and "
                                 "categorical in another, which glassbox cannot represent.")
            knots.setdefault(j, []).append(edge_knots)
        if len(margins) == 1:
            mains.setdefault(margins[0][0], []).append((i, term))
        else:
            paired.update(j for j, _, _ in margins)
    features, pair_bins = [], {}
    for j, label in enumerate(labels):
        column = X[:, j]
        if kinds.get(j) == "categorical":
            low, high = knots[j][0][0] + 0.5, knots[j][0][-1] - 0.5
            bins = pair = Bins("categorical", categories=np.arange(low, high + 1).tolist())
        else:
            _warn_narrow_range(label, column.min(), column.max(), knots.get(j, []))
            main = _main_cuts(gam, X, j, mains[j], grid_size) if j in mains else []
            tensor = _equal_width_cuts(column, pair_grid_size) if j in paired else []
            bins = Bins("continuous", edges=np.union1d(main, tensor))
            pair = (bins if np.array_equal(tensor, bins.edges)
                    else Bins("continuous", edges=tensor))
        features.append(Feature(label, bins.kind, bins, False))
        if j in paired:
            pair_bins[j] = pair
    return features, pair_bins


def _equal_width_cuts(column, n_bins):
    """Cuts of `n_bins` bins of equal width over the column's range."""
    low, high = column.min(), column.max()
    return np.unique(low + (high - low) * np.arange(1, n_bins) / n_bins) if high > low else []


def _main_cuts(gam, X, j, mains, n_bins):
    """Cuts of at most `n_bins` bins for feature j's main effects `mains`: one bin per distinct
    reference value when there are few enough (cut halfway between neighbours), else bins
    equally spaced in a measure averaging the share of reference rows, of the range and of the
    main effects' variation: a bin spans at most 3 / n_bins of each, so bins are narrow where
    the data are dense and where the effect is steep."""
    column = X[:, j]
    values = np.unique(column)
    if len(values) <= n_bins:
        return (values[:-1] + values[1:]) / 2
    low, high = values[0], values[-1]
    probe = np.linspace(low, high, 2 * n_bins + 1)
    effect = sum(_term_values(gam, i, term, _points(X, (j,), (probe,)))[0] for i, term in mains)
    variation = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(effect)))])
    shares = [(probe - low) / (high - low),
              np.searchsorted(np.sort(column), probe, side="right") / len(column),
              variation / variation[-1] if variation[-1] > 0 else variation]
    measure = np.mean(shares, axis=0)
    return np.unique(np.interp(np.arange(1, n_bins) / n_bins, measure, probe))


def _warn_narrow_range(label, low, high, knots):
    """Warn when pyGAM was fitted on a wider range of a feature than the reference data hold."""
    fitted_low = min((k[0] for k in knots), default=low)
    fitted_high = max((k[-1] for k in knots), default=high)
    if fitted_low < low or fitted_high > high:
        warnings.warn(f"X_reference covers [{low:.6g}, {high:.6g}] of feature {label!r}, but "
                      f"the pyGAM model was fitted on [{fitted_low:.6g}, {fitted_high:.6g}]; "
                      "outside the reference range the imported model repeats its edge bins' "
                      "scores (pyGAM extrapolates). Pass reference data covering the range "
                      "the model is used on.", UserWarning, stacklevel=outside_stacklevel())


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


def _evaluate(gam, index, term, feature_idx, bins, X):
    """(scores, stds) of pyGAM term `index` on every cell of `bins`: its value at the cells'
    centres and its standard error there; 0 in the missing and unseen bins."""
    grids = np.meshgrid(*(_centres(b, X[:, j]) for b, j in zip(bins, feature_idx)),
                        indexing="ij")
    values, errors = _term_values(gam, index, term, _points(X, feature_idx, grids), errors=True)
    shape = tuple(b.n_bins for b in bins)
    inner = tuple(slice(1, -1) for _ in bins)
    scores, stds = np.zeros(shape), np.zeros(shape)
    scores[inner] = values.reshape(grids[0].shape)
    stds[inner] = np.sqrt(np.clip(errors, 0, None)).reshape(grids[0].shape)
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
    flat = 0
    for j, b in zip(feature_idx, bins):
        column = X[:, j] if b.kind == "continuous" else X[:, j].astype(object)
        flat = flat * b.n_bins + b.codes(column).astype(np.intp)
    shape = tuple(b.n_bins for b in bins)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(float)
