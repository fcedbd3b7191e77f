"""What a full monotonic network learned, read off by evaluating it.

A full network has no per-feature terms, so every view here comes from the model's own scoring of
modified rows (`model._scores`): partial dependence with ICE curves (one feature set to each point
of a grid, every other feature kept as in a reference row), the two-feature partial dependence,
Shapley values of each row against background rows, and a certificate stating, per feature, the
monotonicity that holds by construction and the grid check that verified it.

Reference and background rows are rows the caller passes or, without them, rows drawn from the
fitted bins, which stand in for data the model does not keep: every feature independently, a
continuous one at a random value bin (so roughly its training distribution, the bins being
quantiles), a categorical one at a random category, and missing in 10 % of the rows where
training had missing values.
"""

from dataclasses import dataclass
from math import comb

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._losses import CLASSIFIER_LINKS, inverse_link
from ._tabular import CATEGORICAL, feature_index
from .terms import BinnedColumns

_MISSING_SHARE = 0.1
_BACKGROUND_ROWS = 20
_MAX_EXACT = 10
_PERMUTATIONS = 4
_CHUNK = 1 << 16  # modified rows scored at once
_BLOCK = 1 << 22  # numbers held per block of explained rows
_TOLERANCE = 1e-12  # largest step against a guaranteed direction that counts as none (rounding)


# --------------------------------------------------------------------------------------------------
# rows and grids
# --------------------------------------------------------------------------------------------------

def _count(value, name, minimum):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}.")
    return int(value)


def _objects(values):
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _prepared(model, X, name):
    """X's columns in the fitted kinds (categories as object arrays); warns about values training
    never saw, as prediction does."""
    if X is None or len(X) == 0:
        raise ValueError(f"{name} must hold at least one row.")
    columns = model._binned(X).columns
    return [np.asarray(c, dtype=object) if f.kind == CATEGORICAL else c
            for c, f in zip(columns, model.features_)]


def _grid(model, j, size=None, beyond=False):
    """Values of feature `j` to evaluate: its categories, or one point inside each value bin (the
    outer bins closed one typical bin width out) thinned to `size` points evenly over the
    quantiles; `beyond` adds a point one whole range below and above."""
    feature = model.features_[j]
    if feature.kind == CATEGORICAL:
        return _objects(feature.bins.categories)
    edges = feature.bins.edges
    if len(edges) == 0:
        points = np.array([model.encoder_.centres[j][0]])  # a constant feature: its value
    else:
        width = (edges[-1] - edges[0]) / (len(edges) - 1) if len(edges) > 1 else 1.0
        bounds = np.concatenate([[edges[0] - width], edges, [edges[-1] + width]])
        points = (bounds[:-1] + bounds[1:]) / 2
    if size is not None:
        points = points[np.unique(np.linspace(0, len(points) - 1, size).round().astype(int))]
    if beyond:
        span = np.ptp(points) or 1.0
        points = np.concatenate([[points[0] - span], points, [points[-1] + span]])
    return points


def _missing(feature):
    return None if feature.kind == CATEGORICAL else np.nan


def _with_missing(model, j, grid, first):
    """`grid` with the missing value added first or last when training had missing values."""
    feature = model.features_[j]
    if not feature.has_missing:
        return grid
    missing = np.array([_missing(feature)], dtype=grid.dtype)
    return np.concatenate([missing, grid] if first else [grid, missing])


def drawn_rows(model, n_rows, rng):
    """`n_rows` reference rows drawn from the fitted bins (see the module's docstring)."""
    check_is_fitted(model)
    columns = []
    for j, feature in enumerate(model.features_):
        values = _grid(model, j)
        column = values[rng.integers(len(values), size=n_rows)]
        if feature.has_missing:
            column[rng.random(n_rows) < _MISSING_SHARE] = _missing(feature)
        columns.append(column)
    return columns


def _reference(model, X, n_rows, rng):
    """At most `n_rows` rows of X (a seeded sample), or as many drawn from the fitted bins."""
    if X is None:
        return drawn_rows(model, n_rows, rng)
    columns = _prepared(model, X, "X")
    if len(columns[0]) > n_rows:
        keep = np.sort(rng.choice(len(columns[0]), n_rows, replace=False))
        columns = [c[keep] for c in columns]
    return columns


def _score(model, columns):
    return model._scores(BinnedColumns(columns, model.features_))


def _on_points(model, columns, points):
    """Scores of every reference row with the features of `points` (feature -> one value per
    point) set to each point: (rows, points, outputs)."""
    n, size = len(columns[0]), len(next(iter(points.values())))
    step = max(1, _CHUNK // size)
    out = []
    for start in range(0, n, step):
        rows = np.arange(start, min(start + step, n))
        modified = [np.tile(points[j], len(rows)) if j in points else np.repeat(c[rows], size)
                    for j, c in enumerate(columns)]
        out.append(_score(model, modified).reshape(len(rows), size, -1))
    return np.concatenate(out)


def _squeeze(values):
    """Drop the output axis of a single-output model."""
    return values[..., 0] if values.shape[-1] == 1 else values


def _probability(link, values):
    return inverse_link(link, values) if link in CLASSIFIER_LINKS else None


# --------------------------------------------------------------------------------------------------
# the guarantee by construction
# --------------------------------------------------------------------------------------------------

def _non_negative_paths(network, inputs):
    """Whether every weight on every path from the network inputs `inputs` to the outputs is used
    as |W| (its input column has mode 1). Every activation the kernels know is non-decreasing, so
    the output is then non-decreasing in those inputs."""
    reached = np.zeros(network.shapes[0, 0], dtype=bool)
    reached[inputs] = True
    for layer, (n_in, n_out, offset) in enumerate(network.shapes):
        mask = network.mask[offset:offset + n_in * n_out].reshape(n_out, n_in) != 0
        modes = network.modes[network.mode_offsets[layer]:network.mode_offsets[layer] + n_in]
        if (modes[reached & mask.any(axis=0)] != 1).any():
            return False
        reached = mask[:, reached].any(axis=1)
    return True


def guarantees(model):
    """(direction, reason) per feature: the direction (+1, -1 or 0 for none) in which the fitted
    model is monotone by its layout, read off the layers (not taken from `monotonic_cst`), and
    why in words."""
    network, encoder = model.network_, model.encoder_
    edits = sorted({entry["edit"] for entry in getattr(model, "edit_log_", [])})
    out = []
    for j, feature in enumerate(model.features_):
        declared = int(encoder.directions[j])
        if feature.kind == CATEGORICAL:
            out.append((0, "categorical: unordered, its one-hot inputs have free weights"))
            continue
        if model.additive and edits:
            out.append(_edited_guarantee(model, j, declared, ", ".join(edits)))
            continue
        inputs = np.flatnonzero(encoder.column_feature == j)
        if encoder.missing[j]:
            inputs = inputs[:-1]  # the missing indicator, always last and free
        if not _non_negative_paths(network, inputs):
            out.append((0, "declared, but a path from its input crosses a free weight" if declared
                        else "not constrained: its input reaches the output through free weights"))
            continue
        flipped = "its input is multiplied by -1, then " if encoder.scales[j] < 0 else ""
        how = ("its own function is a sum of non-decreasing ramps with non-negative weights (|W|), "
               "added to the others" if model.additive else
               "every path from its input to the output has non-negative weights (|W|) and "
               "non-decreasing activations (ReLU, min(z, 0), clip)")
        missing = ("; among observed values (missing is its own level, through a free indicator)"
                   if encoder.missing[j] else "")
        seeds = "; an average over seeds keeps it" if len(model.params_) > 1 else ""
        out.append((int(np.sign(encoder.scales[j])), flipped + how + seeds + missing))
    return out


def _edited_guarantee(model, j, declared, edits):
    """(direction, reason) of an edited additive network's feature, read off its term: the
    model predicts from its terms, which the edits may have made non-monotone, so the layers'
    proof no longer applies."""
    terms = [t for t in model.terms_ if j in t.features]
    if not terms:
        return declared, f"edited ({edits}): it has no term, so the model is constant in it"
    steps = np.diff(terms[0].scores[1:-1], axis=0)  # between value bins
    rising, falling = bool((steps >= 0).all()), bool((steps <= 0).all())
    direction = (declared if (declared > 0 and rising) or (declared < 0 and falling)
                 else 1 if rising else -1 if falling else 0)
    if direction == 0:
        return 0, (f"edited ({edits}): its term's scores rise and fall between bins, so the "
                   "layers' proof no longer holds")
    return direction, (f"edited ({edits}): read off its term, whose scores never "
                       f"{'fall' if direction > 0 else 'rise'} from bin to bin")


# --------------------------------------------------------------------------------------------------
# partial dependence
# --------------------------------------------------------------------------------------------------

@dataclass
class PartialDependence:
    """Partial dependence of a model on one feature, with its ICE curves.

    Attributes
    ----------
    feature, kind : the feature's name and kind.
    grid : the feature's values evaluated (ascending; categories for a categorical feature).
    ice : (rows, grid[, classes]) raw score (link scale) of each reference row with the feature
        set to each grid value: one ICE curve per row (per row and class for multiclass).
    missing : (rows[, classes]) raw score of each row with the feature missing, or None when
        training had no missing values of it.
    link : the raw score's link ("logit", "softmax", "identity", "log").
    direction : +1 / -1 where the model is monotone in the feature by construction, else 0.
    max_violation : largest step of any ICE curve against `direction` (missing excluded, being
        unordered), or None without a guarantee; 0 up to rounding by the guarantee.
    """

    feature: str
    kind: str
    grid: np.ndarray
    ice: np.ndarray
    missing: np.ndarray
    link: str
    direction: int
    max_violation: float

    @property
    def average(self):
        """The partial dependence: the mean of the ICE curves (link scale)."""
        return self.ice.mean(axis=0)

    @property
    def ice_probability(self):
        """The ICE curves on the probability scale (classifiers; None for a regressor)."""
        return _probability(self.link, self.ice)

    @property
    def average_probability(self):
        """The mean of the probability ICE curves (classifiers; None for a regressor)."""
        probability = self.ice_probability
        return None if probability is None else probability.mean(axis=0)

    @property
    def monotone(self):
        """Whether every ICE curve is monotone in `direction` (None without a guarantee)."""
        return None if self.max_violation is None else self.max_violation <= _TOLERANCE


def _violation(curves, direction):
    """Largest step against `direction` along axis 1 of `curves` (0 for one-point grids)."""
    steps = -direction * np.diff(curves, axis=1)
    return float(max(steps.max(initial=0.0), 0.0))


def partial_dependence(model, feature, X=None, *, grid_size=30, n_rows=100, random_state=0):
    """ICE curves and their average for `feature` on a grid of its values (see
    `PartialDependence`), over at most `n_rows` rows of X (default: rows drawn from the fitted
    bins). `grid_size` points for a continuous feature, every category for a categorical one,
    and the missing value when training had it."""
    rng = np.random.default_rng(random_state)
    columns = _reference(model, X, _count(n_rows, "n_rows", 1), rng)
    j = feature_index(feature, [f.name for f in model.features_], len(model.features_), "feature")
    spec = model.features_[j]
    grid = _grid(model, j, _count(grid_size, "grid_size", 2))
    points = _with_missing(model, j, grid, first=False)
    scores = _squeeze(_on_points(model, columns, {j: points}))
    ice, missing = (scores[:, :-1], scores[:, -1]) if spec.has_missing else (scores, None)
    direction = guarantees(model)[j][0]
    return PartialDependence(spec.name, spec.kind, grid, ice, missing, model.link_, direction,
                             _violation(ice, direction) if direction else None)


@dataclass
class PairDependence:
    """Partial dependence of a model on two features jointly.

    Attributes
    ----------
    features : the two features' names.
    grids : each feature's values; the first is missing (NaN or None) when `has_missing`.
    has_missing : per feature, whether training had missing values of it.
    values : (len(grids[0]), len(grids[1])[, classes]) mean raw score (link scale) of the
        reference rows with the two features set to each pair of values.
    probability : the same mean on the probability scale (classifiers; None for a regressor).
    link : the raw score's link.
    """

    features: tuple
    grids: tuple
    has_missing: tuple
    values: np.ndarray
    probability: np.ndarray
    link: str


def pair_dependence(model, features, X=None, *, grid_size=12, n_rows=100, random_state=0):
    """Two-feature partial dependence on a grid of each feature's values (see `PairDependence`),
    over at most `n_rows` rows of X (default: rows drawn from the fitted bins). `features`: two
    names or indices, or "a & b"."""
    rng = np.random.default_rng(random_state)
    columns = _reference(model, X, _count(n_rows, "n_rows", 1), rng)
    if isinstance(features, str) and " & " in features:
        features = features.split(" & ")
    if isinstance(features, str) or np.ndim(features) != 1 or len(features) != 2:
        raise ValueError(f"features must name two features, e.g. ('age', 'sbp'), got "
                         f"{features!r}.")
    names = [f.name for f in model.features_]
    indices = [feature_index(f, names, len(names), "features") for f in features]
    if indices[0] == indices[1]:
        raise ValueError(f"features must be two different features, got {features!r}.")
    size = _count(grid_size, "grid_size", 2)
    grids = [_with_missing(model, j, _grid(model, j, size), first=True) for j in indices]
    a, b = np.meshgrid(np.arange(len(grids[0])), np.arange(len(grids[1])), indexing="ij")
    scores = _on_points(model, columns, {indices[0]: grids[0][a.ravel()],
                                         indices[1]: grids[1][b.ravel()]})
    scores = _squeeze(scores.reshape((len(columns[0]), *a.shape, -1)))
    probability = _probability(model.link_, scores)
    return PairDependence(tuple(names[j] for j in indices), tuple(grids),
                          tuple(model.features_[j].has_missing for j in indices),
                          scores.mean(axis=0),
                          None if probability is None else probability.mean(axis=0),
                          model.link_)


# --------------------------------------------------------------------------------------------------
# Shapley values
# --------------------------------------------------------------------------------------------------

@dataclass
class Attributions:
    """Shapley values of each feature for each row, against background rows.

    The game of a row x is v(S) = mean over background rows b of the raw score of x with the
    features outside S taken from b (interventional Shapley values). Every row's values add up
    to its raw score minus `baseline` (the background's mean raw score), exactly up to rounding
    with either method: the sampled method adds, along each sampled ordering, contributions that
    telescope, and uses every background row equally often. They are not the network's terms (it
    has none): a feature's value is its average marginal effect over the orders in which
    features could be switched from the background to the row.

    Attributes
    ----------
    frame : DataFrame, one column per feature (per (class, feature) for more than two classes).
    baseline : float, or one per class.
    exact : whether every coalition was enumerated (else orderings were sampled).
    standard_error : DataFrame like `frame` of the sampled values' standard errors (None when
        exact). It is conservative: it counts the spread between background rows, which the
        estimate averages over exactly.
    method : a sentence saying which.
    """

    frame: pd.DataFrame
    baseline: object
    exact: bool
    standard_error: pd.DataFrame
    method: str


def _hybrids(model, x_columns, b_columns, rows, backgrounds, from_x):
    """Scores of hybrid rows: feature j of hybrid i from explained row `rows[i]` where
    `from_x[i, j]`, else from background row `backgrounds[i]`."""
    return _score(model, [np.where(from_x[:, j], x[rows], b[backgrounds])
                          for j, (x, b) in enumerate(zip(x_columns, b_columns))])


def _exact(model, x_columns, b_columns, n_out):
    """Shapley values (rows, features, outputs) by enumerating every coalition."""
    d, n, m = len(x_columns), len(x_columns[0]), len(b_columns[0])
    masks = 1 << d
    bits = ((np.arange(masks)[:, None] >> np.arange(d)) & 1).astype(bool)
    game = np.empty((n * masks, n_out))
    step = max(1, _CHUNK // m)
    for start in range(0, n * masks, step):
        pairs = np.arange(start, min(start + step, n * masks))
        rows, coalitions = np.divmod(pairs, masks)
        scores = _hybrids(model, x_columns, b_columns, np.repeat(rows, m),
                          np.tile(np.arange(m), len(pairs)), np.repeat(bits[coalitions], m, axis=0))
        game[pairs] = scores.reshape(len(pairs), m, n_out).mean(axis=1)
    game = game.reshape(n, masks, n_out)
    weights = 1.0 / (d * np.array([comb(d - 1, s) for s in range(d)], dtype=float))
    values = np.empty((n, d, n_out))
    for j in range(d):
        without = np.flatnonzero(~bits[:, j])
        gains = game[:, without | (1 << j)] - game[:, without]
        values[:, j] = np.einsum("k,rko->ro", weights[bits[without].sum(axis=1)], gains)
    return values, None


def _sampled(model, x_columns, b_columns, n_out, n_permutations, rng):
    """Shapley values (rows, features, outputs) and their standard errors from `n_permutations`
    random orderings per (row, background row), each followed by its reverse."""
    d, n, m = len(x_columns), len(x_columns[0]), len(b_columns[0])
    orders = rng.permuted(np.tile(np.arange(d), (n * m * n_permutations, 1)), axis=1)
    orders = np.stack([orders, orders[:, ::-1]], axis=1).reshape(-1, d)
    ranks = np.argsort(orders, axis=1)
    rows = np.repeat(np.arange(n), m * n_permutations * 2)
    backgrounds = np.tile(np.repeat(np.arange(m), n_permutations * 2), n)
    steps = np.arange(d + 1)
    gains = np.empty((len(orders), d, n_out))
    chunk = max(1, _CHUNK // (d + 1))
    for start in range(0, len(orders), chunk):
        paths = np.arange(start, min(start + chunk, len(orders)))
        # point t of a path takes its first t features (in its order) from the row
        from_x = (ranks[paths, None, :] < steps[None, :, None]).reshape(-1, d)
        scores = _hybrids(model, x_columns, b_columns, np.repeat(rows[paths], d + 1),
                          np.repeat(backgrounds[paths], d + 1), from_x)
        along = np.diff(scores.reshape(len(paths), d + 1, n_out), axis=1)
        gains[paths] = np.take_along_axis(along, ranks[paths, :, None], axis=1)
    samples = gains.reshape(n, m * n_permutations, 2, d, n_out).mean(axis=2)
    spread = samples.std(axis=1, ddof=1) / np.sqrt(m * n_permutations)
    return samples.mean(axis=1), spread


def _frame(values, names, classes, index):
    """A (rows, features, outputs) array as explain's DataFrame layout."""
    if values.shape[-1] == 1:
        return pd.DataFrame(values[..., 0], columns=names, index=index)
    header = pd.MultiIndex.from_product([list(classes), names], names=["class", "feature"])
    return pd.DataFrame(values.transpose(0, 2, 1).reshape(len(values), -1), columns=header,
                        index=index)


def shapley_values(model, X, background=None, *, max_exact=_MAX_EXACT,
                   n_permutations=_PERMUTATIONS, random_state=0):
    """Shapley values of every feature for every row of X (link scale), against the rows of
    `background` (default: 20 rows drawn from the fitted bins); see `Attributions`.

    Exact, by enumerating all 2^d coalitions, for d <= `max_exact` features; beyond that
    sampled, with `n_permutations` random orderings (and their reverses) per row and background
    row, and standard errors. Cost: len(background) x 2^d model evaluations per row when exact,
    len(background) x 2 x n_permutations x (d + 1) when sampled.
    """
    _count(max_exact, "max_exact", 0)
    n_permutations = _count(n_permutations, "n_permutations", 2)
    rng = np.random.default_rng(random_state)
    return _shapley(model, _prepared(model, X, "X"), _background(model, background, rng),
                    X.index if isinstance(X, pd.DataFrame) else None, max_exact, n_permutations,
                    rng)


def _background(model, background, rng):
    if background is None:
        return drawn_rows(model, _BACKGROUND_ROWS, rng)
    return _prepared(model, background, "background")


def _shapley(model, x_columns, b_columns, index, max_exact, n_permutations, rng):
    d, m = len(x_columns), len(b_columns[0])
    baseline = _score(model, b_columns).mean(axis=0)
    n_out = len(baseline)
    exact = d <= max_exact
    per_row = (1 << d) if exact else m * 2 * n_permutations * d
    block = max(1, _BLOCK // (per_row * n_out))
    values, errors = [], []
    for start in range(0, len(x_columns[0]), block):
        rows = [c[start:start + block] for c in x_columns]
        found = (_exact(model, rows, b_columns, n_out) if exact else
                 _sampled(model, rows, b_columns, n_out, n_permutations, rng))
        values.append(found[0])
        errors.append(found[1])
    names = [f.name for f in model.features_]
    classes = getattr(model, "classes_", None)
    frame = _frame(np.concatenate(values), names, classes, index)
    standard_error = None if exact else _frame(np.concatenate(errors), names, classes, index)
    what = "background row" + ("s" if m > 1 else "")
    method = (f"exact Shapley values against {m} {what} (all {1 << d} coalitions)" if exact else
              f"sampled Shapley values against {m} {what} ({2 * n_permutations} orderings per "
              f"row and background row; largest standard error "
              f"{standard_error.to_numpy().max():.2g}); their sum is exact")
    frame.attrs.update(baseline=float(baseline[0]) if n_out == 1 else baseline.tolist(),
                       exact=exact, method=method)
    return Attributions(frame, frame.attrs["baseline"], exact, standard_error, method)


def importances(model, X=None, background=None):
    """Mean |Shapley value| of each feature (averaged over classes) over the rows of X, largest
    first. Without X, the rows explained are the background rows (without either, 20 rows drawn
    from the fitted bins): the features' importance over that population."""
    rng = np.random.default_rng(0)
    b_columns = _background(model, background, rng)
    x_columns = b_columns if X is None else _prepared(model, X, "X")
    frame = _shapley(model, x_columns, b_columns, None, _MAX_EXACT, _PERMUTATIONS, rng).frame
    magnitude = frame.abs().mean()
    if isinstance(frame.columns, pd.MultiIndex):
        magnitude = magnitude.groupby(level="feature", sort=False).mean()
    return magnitude.rename("importance").sort_values(ascending=False, kind="stable")


# --------------------------------------------------------------------------------------------------
# the certificate
# --------------------------------------------------------------------------------------------------

def monotonicity_certificate(model, X=None, *, grid_size=50, n_rows=200, random_state=0):
    """Per feature, the monotonicity that holds by construction and the check that verified it.

    The guarantee is read off the fitted layers (`guarantees`): a continuous feature whose every
    path to the output has non-negative weights is monotone for every input, in the direction of
    its sign flip. The check evaluates ICE curves of every continuous feature on `grid_size`
    points over its training range plus one point a whole range beyond each end, for at most
    `n_rows` rows of X (default: rows drawn from the fitted bins), each class's logit for a
    multiclass model, and measures the largest step against the declared direction.

    Columns: kind; declared (-1/0/+1); guarantee ("non-decreasing", "non-increasing" or "none");
    reason; rows, grid_points and curves checked; max_violation (declared features) and verified
    (max_violation <= 1e-12); increasing and decreasing (the share of ICE curves that never fall,
    never rise, over the training range); observed (those in words).
    """
    rng = np.random.default_rng(random_state)
    columns = _reference(model, X, _count(n_rows, "n_rows", 1), rng)
    size = _count(grid_size, "grid_size", 2)
    records = []
    for j, (feature, (direction, reason)) in enumerate(zip(model.features_, guarantees(model))):
        declared = int(model.encoder_.directions[j])
        record = {"feature": feature.name, "kind": feature.kind, "declared": declared,
                  "guarantee": {1: "non-decreasing", -1: "non-increasing"}.get(direction, "none"),
                  "reason": reason, "rows": len(columns[0]), "grid_points": 0, "curves": 0,
                  "max_violation": np.nan, "verified": pd.NA, "increasing": np.nan,
                  "decreasing": np.nan, "observed": "unordered (categorical)"}
        if feature.kind != CATEGORICAL:
            grid = _grid(model, j, size, beyond=True)
            curves = _on_points(model, columns, {j: grid}).transpose(0, 2, 1).reshape(-1,
                                                                                     len(grid))
            steps = np.diff(curves[:, 1:-1], axis=1)  # the training range
            rising = (steps >= -_TOLERANCE).all(axis=1)
            falling = (steps <= _TOLERANCE).all(axis=1)
            record.update(grid_points=len(grid), curves=len(curves),
                          increasing=float(rising.mean()), decreasing=float(falling.mean()),
                          observed=(f"non-decreasing on {rising.mean():.0%} of the ICE curves, "
                                    f"non-increasing on {falling.mean():.0%}, neither on "
                                    f"{1 - (rising | falling).mean():.0%}"))
            if declared:
                violation = _violation(curves, declared)
                record.update(max_violation=violation, verified=violation <= _TOLERANCE)
        records.append(record)
    return pd.DataFrame.from_records(records, index="feature")
