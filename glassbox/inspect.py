"""The clinical anomaly finder: sharp steps and wrong-way regions in a model's shape functions.

Treatment thresholds leave marks in what a model learns. A sharp step at a round number, such as
systolic BP 90 or age 65, often reflects a guideline cutoff rather than biology ("death by round
numbers"). A region where risk falls as a marker rises, such as mortality dropping at very high
creatinine, often reflects aggressive treatment. Both functions read only the terms structure and
return DataFrames, one row per finding, for review and for the audit report.
"""

import numpy as np
import pandas as pd
from sklearn.isotonic import isotonic_regression

from .terms import find_term, model_link, require_terms

ROUND_MULTIPLES = (5, 10)


def find_discontinuities(model, *, min_jump=0.2, min_samples=None, min_z=3.0, sharpness=2.0):
    """Sharp steps in the continuous main effects.

    At every cut point the step is the difference between the weighted mean scores of the bins
    just above and just below it, each side widened outward bin by bin until it holds
    `min_samples` training rows (default: 2 % of them, at least 30). A cut is reported when
    - the step is at least `min_jump` (link scale: log-odds for a binary classifier, a class's
      softmax score for a multiclass one, the target's units for a squared-error regressor,
      the log of the mean for the Poisson and gamma losses; choose it for the model),
    - both sides could gather `min_samples` rows,
    - the step is at least `min_z` times its standard error (from the per-bin spread over bags),
    - it is at least `sharpness` times the steps at the cuts just beyond its two sides, and
      there are bins beyond both sides to compare with (a steady slope is not a step; in the
      tails, where bins are wide, equal-count sides make a slope look like one), and
    - no larger step of the same sign lies within its two sides (of equal ones, the first is
      reported: a step across bins without training rows is one step).
    A step whose cut point lies within a neighbouring bin's width of a multiple of 5 is flagged
    with that round number (and whether it is a multiple of 10). A feature with training rows at
    no more than two values (a 0/1 flag stored as a number) is left out: its one step is its
    whole effect, not a step within a shape.

    Returns a DataFrame with columns term, class, location, jump, odds_ratio (exp(jump) for a
    binary classifier, NaN otherwise), support (training rows on the thinner side), z,
    round_number (NaN when none) and multiple_of_10, sorted by |jump|.
    """
    require_terms(model, "find_discontinuities")
    rows = []
    for term, bins, label, scores, stds, counts in _continuous_shapes(model, model.terms_):
        if np.count_nonzero(counts) <= 2:
            continue
        needed = _min_samples(min_samples, term)
        steps = [_step(scores, stds, counts, e, needed) for e in range(len(scores) - 1)]
        for e in _step_cuts(steps, min_jump, needed, min_z, sharpness):
            jump, support, z = steps[e][:3]
            round_number = _round_number_near(bins.edges, e)
            rows.append({"term": term.name, "class": label, "location": float(bins.edges[e]),
                         "jump": jump, "odds_ratio": _odds(model, jump), "support": support,
                         "z": z, "round_number": round_number,
                         "multiple_of_10": bool(round_number == round_number
                                                and round_number % 10 == 0)})
    return _frame(rows, ["term", "class", "location", "jump", "odds_ratio", "support", "z",
                         "round_number", "multiple_of_10"], "jump")


def _expected_terms(model, expected):
    """`find_non_monotone`'s `expected` as {term index: +1 or -1}, checked: each key a
    continuous main effect, each direction +1 or -1 (callers that do more work first check it
    before that work)."""
    if getattr(model, "link_", None) == "softmax":
        raise ValueError("find_non_monotone: a multiclass model has no single direction of "
                         "risk: one class's probability falls where another's rises, and a "
                         "class's probability need not follow its score. Fit a binary model "
                         "for the outcome in question (e.g. y == 'high risk') and check that.")
    directions = {}
    for key, direction in expected.items():
        if direction not in (1, -1):
            raise ValueError(f"expected[{key!r}] must be +1 or -1, got {direction!r}.")
        index = find_term(model, key, what="find_non_monotone", main=True)
        if model.terms_[index].bins[0].kind != "continuous":
            raise ValueError(f"expected[{key!r}]: {model.terms_[index].name!r} is categorical; "
                             "an expected direction needs an ordered (numeric) feature.")
        directions[index] = direction
    return directions


def find_non_monotone(model, expected, *, min_drop=0.15, min_samples=None):
    """Regions where a feature's effect runs against its clinically expected direction.

    `expected` maps main effects (by name or index, or their feature's name) to +1 (risk should
    not fall as the value rises) or -1; a multiclass model is refused (no single direction of
    risk). The effect checked is the main effect and, where the
    feature is in pairs, also the main effect plus each pair's slice at every bin of the other
    feature (the effect for the rows in that bin; `at` names it). The candidate regions are the
    blocks that a weighted isotonic fit in the expected direction pools. In each block, the peak
    and trough bins of the largest counter-directional run are widened (the peak backwards, the
    trough forwards) until each holds `min_samples` training rows (default: 2 % of them, at
    least 30). The drop is the difference of their weighted mean scores; it is reported when it
    reaches `min_drop` (link scale). Along a pair slice, a main-effect bin's rows are taken to
    split between the other feature's bins as the pair cell holding it does.

    Returns a DataFrame with columns term, at (the other feature's bin, for a pair;
    None for a main effect), start (the value where the wrong-way run begins: the upper bound
    of the peak bin), end (the lower bound of the trough bin), drop (positive), odds_ratio
    (trough over peak for a binary classifier, NaN otherwise) and support (training rows from
    peak to trough), sorted by drop.
    """
    rows = []
    for index, direction in sorted(_expected_terms(model, expected).items()):
        main = model.terms_[index]
        needed = _min_samples(min_samples, main)
        bounds = np.concatenate([[-np.inf], main.bins[0].edges, [np.inf]])
        for name, at, scores, counts in _effects_along(model, main):
            for peak, trough in _wrong_way_runs(scores, counts, direction):
                drop = _sustained_drop(direction * scores, counts, peak, trough, needed)
                if drop < min_drop:
                    continue
                rows.append({"term": name, "at": at,
                             "start": float(bounds[peak + 1]), "end": float(bounds[trough]),
                             "drop": drop, "odds_ratio": _odds(model, -direction * drop),
                             "support": float(counts[peak:trough + 1].sum())})
    return _frame(rows, ["term", "at", "start", "end", "drop", "odds_ratio", "support"], "drop")


def _effects_along(model, main):
    """(term name, other feature's bin, scores, counts) over the value bins of a continuous
    main effect of a single-output model: the main effect itself, then, for each pair with its
    feature and each bin of the pair's other feature holding rows, the main effect plus that
    slice."""
    values = slice(1, main.bin_shape[0] - 1)
    counts = np.asarray(main.counts[values], dtype=float)
    yield main.name, None, main.scores[values], counts
    feature = main.features[0]
    for pair in (t for t in model.terms_ if t.is_pair and feature in t.features):
        axis = pair.features.index(feature)
        lookup = pair.bins[axis].lookup_from(main.bins[0])
        if lookup is None:
            continue
        cells = np.moveaxis(np.asarray(pair.counts, dtype=float), axis, 0)[lookup[values]]
        shares = cells / np.maximum(cells.sum(axis=1, keepdims=True), 1e-300)
        scores = np.moveaxis(pair.scores, axis, 0)[lookup[values]]
        other = model.features_[pair.features[1 - axis]].name
        bin_labels = pair.bins[1 - axis].labels()
        for b in np.flatnonzero(cells.sum(axis=0) > 0):
            yield (pair.name, f"{other} {bin_labels[b]}", main.scores[values] + scores[:, b],
                   counts * shares[:, b])


# --------------------------------------------------------------------------------------------------


def _continuous_shapes(model, terms):
    """(term, bins, class label, value-bin scores, stds, counts) of each continuous main effect
    among `terms`, once per class for a multiclass model."""
    classes = getattr(model, "classes_", None)
    for term in terms:
        if term.is_pair or term.bins[0].kind != "continuous":
            continue
        values = slice(1, term.bin_shape[0] - 1)
        counts = np.asarray(term.counts[values], dtype=float)
        scores, stds = term.scores[values], term.stds[values]
        if scores.ndim == 1:
            yield term, term.bins[0], None, scores, stds, counts
        else:
            for k in range(scores.shape[1]):
                yield term, term.bins[0], classes[k], scores[:, k], stds[:, k], counts


def _min_samples(min_samples, term):
    if min_samples is not None:
        return min_samples
    return max(30, 0.02 * float(term.counts.sum()))


def _step(scores, stds, counts, cut, needed):
    """(step, support, z, first bin, last bin) across cut `cut` (between value bins cut and
    cut + 1), each side widened until it holds `needed` rows."""
    # the nearest bins at which each side's cumulative count reaches `needed`
    below = np.cumsum(counts[cut::-1])
    above = np.cumsum(counts[cut + 1:])
    lo = max(cut - int(np.searchsorted(below, needed)), 0)
    hi = min(cut + 1 + int(np.searchsorted(above, needed)), len(counts) - 1)
    low, high = slice(lo, cut + 1), slice(cut + 1, hi + 1)
    c_low, c_high = counts[low].sum(), counts[high].sum()
    if c_low == 0 or c_high == 0:
        return 0.0, 0.0, 0.0, lo, hi
    step, z = _difference(scores, stds, counts, high, low)
    return step, float(min(c_low, c_high)), z, lo, hi


def _difference(scores, stds, counts, first, second):
    """(difference of the weighted mean scores of two bin ranges, its size over its standard
    error from the per-bin spread over bags)."""
    difference = (np.average(scores[first], weights=counts[first])
                  - np.average(scores[second], weights=counts[second]))
    error = np.hypot(np.average(stds[first], weights=counts[first]),
                     np.average(stds[second], weights=counts[second]))
    return float(difference), float(abs(difference) / error) if error > 0 else np.inf


def _step_cuts(steps, min_jump, needed, min_z, sharpness):
    """Cuts whose step passes every test of `find_discontinuities`."""
    size = np.array([abs(s[0]) for s in steps])
    passes = [size[e] >= min_jump and support >= needed and z >= min_z
              and 0 < lo and hi < len(steps)
              and size[e] >= sharpness * max(size[lo - 1], size[hi])
              for e, (_, support, z, lo, hi) in enumerate(steps)]
    kept = []
    for e in np.flatnonzero(passes):
        lo, hi = steps[e][3], steps[e][4]
        rivals = [c for c in range(lo, min(hi, len(steps))) if passes[c]
                  and np.sign(steps[c][0]) == np.sign(steps[e][0])]
        if e == max(rivals, key=lambda c: size[c]):  # the first of equals: one step, once
            kept.append(e)
    return kept


def _round_number_near(edges, cut):
    """The multiple of 5 closest to a cut point, if it lies within an adjacent bin's width."""
    widths = [edges[cut] - edges[cut - 1]] if cut > 0 else []
    widths += [edges[cut + 1] - edges[cut]] if cut + 1 < len(edges) else []
    tolerance = max(widths, default=0.0)
    nearest = ROUND_MULTIPLES[0] * np.round(edges[cut] / ROUND_MULTIPLES[0])
    return float(nearest) if abs(nearest - edges[cut]) <= tolerance else np.nan


def _wrong_way_runs(scores, counts, direction):
    """(peak, trough) bins of the largest counter-directional run in each pooled block of the
    weighted isotonic fit of the bins with data."""
    with_data = np.flatnonzero(counts > 0)
    if len(with_data) < 2:
        return []
    oriented = direction * scores[with_data]
    fitted = isotonic_regression(oriented, sample_weight=counts[with_data])
    block_starts = np.flatnonzero(np.diff(fitted, prepend=np.nan) != 0)
    runs = []
    for start, stop in zip(block_starts, np.append(block_starts[1:], len(fitted))):
        block = oriented[start:stop]
        trough = int(np.argmax(np.maximum.accumulate(block) - block))
        peak = int(np.argmax(block[:trough + 1]))
        if block[peak] > block[trough]:
            runs.append((with_data[start + peak], with_data[start + trough]))
    return runs


def _sustained_drop(oriented, counts, peak, trough, needed):
    """Weighted mean of the peak region minus that of the trough region. Each region grows away
    from the other until it holds `needed` rows, and towards the other (never past its extreme
    bin) when the data end first; 0 when they cannot."""
    peak_region = _grow(counts, peak, needed, outward=-1, limit=(0, trough))
    trough_region = _grow(counts, trough, needed, outward=+1, limit=(peak + 1, len(counts) - 1))
    if peak_region is None or trough_region is None:
        return 0.0
    return float(np.average(oriented[peak_region], weights=counts[peak_region])
                 - np.average(oriented[trough_region], weights=counts[trough_region]))


def _grow(counts, centre, needed, outward, limit):
    """A slice around bin `centre` holding `needed` rows: grown in the `outward` direction
    first, then the other way, within the inclusive bin range `limit`; None if impossible."""
    lo = hi = centre
    for step in (outward, -outward):
        while counts[lo:hi + 1].sum() < needed:
            if step < 0 and lo > limit[0]:
                lo -= 1
            elif step > 0 and hi < limit[1]:
                hi += 1
            else:
                break
    return slice(lo, hi + 1) if counts[lo:hi + 1].sum() >= needed else None


def _odds(model, change):
    """exp(change) for a binary classifier; NaN otherwise (exp of one class's softmax score
    is not that class's odds ratio)."""
    return float(np.exp(change)) if model_link(model) == "logit" else np.nan


def _frame(rows, columns, size_column):
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        frame = frame.reindex(frame[size_column].abs().sort_values(ascending=False).index)
    return frame.reset_index(drop=True)
