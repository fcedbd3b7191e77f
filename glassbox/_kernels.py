"""Numba kernels for boosting additive terms over integer bin codes.

Every kernel is compiled lazily (nothing compiles at import), cached on disk and releases the GIL, so
the bags of one fit can run on threads that share the read-only bin matrix. The Python code in
`_boosting.py` prepares the flat arrays these kernels read and interprets what they return.

A first fit compiles every kernel it calls, and that dominates its time, so: kernels that only
other kernels call carry no Python wrapper (`_INNER`); a kernel's compiled code is optimised again
inside each kernel that calls it, so helpers are inlined only where that measured cheaper; and
loops take the place of NumPy calls that each compile an implementation of their own (`argmax`,
`arange`, `sum`, fancy indexing, `min`/`max`). The loops add in the same order, so the results
are the same to the bit.

Layout shared by all kernels
----------------------------
- `codes`: uint16 matrix (n_rows, n_terms) in column-major order; column t holds each row's flat bin
  index in term t (for a pair: `bin_a * dims_b[t] + bin_b`).
- `scores`, `counts`: flat float64 arrays; term t owns `offsets[t]:offsets[t + 1]`, laid out as
  (dims_a[t], dims_b[t]) with dims_b = 1 for a main effect. Multiclass scores carry a trailing class
  axis: shape (total_bins, n_classes).
- Bin 0 of every feature is the missing bin and the last bin the unseen bin; main-effect updates
  isolate the missing bin and never touch the unseen bin.
- `state`: one float64 per row whose meaning depends on the loss, chosen so that a term update is a
  product (or a sum) with a per-bin factor and no row needs an exp: for log-loss q = exp(-score),
  for Poisson and Gamma mu = exp(score), for squared error the score itself. For softmax it is
  (n_rows, n_classes): each row's class probabilities, which a step multiplies by exp(update) per
  class and renormalises.
"""

import numpy as np
from numba import njit
from numba.extending import overload

from ._losses import (HESSIAN_FLOOR, MULTINOMIAL, SQUARED_ERROR, softmax,
                      state_gradient_hessian, state_loss, state_of)

_JIT = dict(cache=True, nogil=True, error_model="numpy")
_INNER = dict(_JIT, no_cpython_wrapper=True)
_OVERLOAD = dict(nogil=True, error_model="numpy")  # compiled into their cached callers
_TINY = float(np.finfo(np.float64).tiny)


# --------------------------------------------------------------------------------------------------
# Per-row state: the loss algebra itself lives in `_losses`
# --------------------------------------------------------------------------------------------------

@njit(**_JIT)
def state_from_scores(loss, raw):
    """The per-row state (see module docstring) of raw additive scores."""
    out = np.empty_like(raw)
    for i in range(raw.shape[0]):
        out[i] = state_of(loss, raw[i])
    return out


@njit(**_INNER)
def _factors(loss, update, out):
    """Per-bin multiplier (or addend, for squared error) that applies `update` (bins, columns)
    to the state: for softmax, each class's multiplier exp(update) before renormalising. A
    tree's update takes a few values, and along the bins of a main effect or a row of a pair's
    cells it alternates between at most two, so the multipliers (an exp each) of the last two
    values are kept; the addend is the update itself."""
    for k in range(update.shape[1]):
        if loss == SQUARED_ERROR:
            for b in range(update.shape[0]):
                out[b, k] = update[b, k]
            continue
        last, factor = np.nan, 0.0  # no update equals NaN: the first bin computes its own
        other, other_factor = np.nan, 0.0
        for b in range(update.shape[0]):
            u = update[b, k]
            if u == other:
                last, other = other, last
                factor, other_factor = other_factor, factor
            elif u != last:
                other, other_factor = last, factor
                last, factor = u, state_of(loss, u)
            out[b, k] = factor


@njit(**_INNER)
def histogram(loss, codes, state, y, weight, grad, hess):
    """Gradient and hessian sums per bin of one term (rows with zero weight add nothing)."""
    grad[:] = 0.0
    hess[:] = 0.0
    for i in range(codes.shape[0]):
        g, h = state_gradient_hessian(loss, state[i], y[i])
        b = codes[i]
        grad[b] += weight[i] * g
        hess[b] += weight[i] * h


@njit(**_JIT)
def _apply_then_histogram(loss, apply_codes, factors, next_codes, state, y, weight, grad, hess):
    """Apply one term's update to every row, then histogram the next term: one pass over the rows."""
    grad[:] = 0.0
    hess[:] = 0.0
    additive = loss == SQUARED_ERROR
    for i in range(apply_codes.shape[0]):
        if additive:
            v = state[i] + factors[apply_codes[i]]
        else:
            v = state[i] * factors[apply_codes[i]]
        state[i] = v
        g, h = state_gradient_hessian(loss, v, y[i])
        b = next_codes[i]
        grad[b] += weight[i] * g
        hess[b] += weight[i] * h


@njit(**_JIT)
def mean_loss(loss, state, y, weight, rows):
    """Weighted mean loss over `rows` (the validation rows of a bag)."""
    total = 0.0
    wsum = 0.0
    for r in rows:
        total += weight[r] * state_loss(loss, state[r], y[r])
        wsum += weight[r]
    return total / wsum if wsum > 0 else 0.0


# --------------------------------------------------------------------------------------------------
# Trees on histograms: the update of one term in one boosting step
# --------------------------------------------------------------------------------------------------

@njit(inline="always", **_JIT)
def _settled(g, h, min_hessian):
    """Whether a leaf's rows are fitted with near certainty: its hessian and its gradient are both
    below `min_hessian`. Its steps would only push them further. A small hessian with a large
    gradient is a leaf predicted confidently and wrongly (a rare risk factor's carriers at a
    rare outcome's base rate), which must move."""
    return h < min_hessian and abs(g) < min_hessian


@njit(inline="always", **_JIT)
def _leaf_value(g, h, l2, learning_rate, max_delta, min_hessian):
    """A leaf's step: the Newton value times the learning rate, capped at `max_delta`; zero for
    a settled leaf (`_settled`)."""
    if _settled(g, h, min_hessian) or h + l2 <= 0.0:
        return 0.0
    v = -learning_rate * g / (h + l2)
    v = -max_delta if -max_delta > v else v
    return max_delta if max_delta < v else v


@njit(inline="always", **_JIT)
def _gain(g, h, l2):
    return g * g / (h + l2) if h + l2 > 0.0 else 0.0


@njit(**_INNER)
def _best_cut(grad, hess, count, lo, hi, min_leaf, l2, direction):
    """Best cut s in (lo, hi) of bins [lo, hi) into [lo, s) and [s, hi); (gain, s) or (-1, -1).

    A non-zero `direction` admits only cuts whose right leaf value is not below (+1) or not above
    (-1) the left one.
    """
    gt = 0.0
    ht = 0.0
    ct = 0.0
    for b in range(lo, hi):
        gt += grad[b]
        ht += hess[b]
        ct += count[b]
    parent = _gain(gt, ht, l2)
    best_gain = -1.0
    best_s = -1
    gl = 0.0
    hl = 0.0
    cl = 0.0
    for s in range(lo + 1, hi):
        if count[s - 1] == 0:
            continue  # an empty bin: the same cut as the one before it
        gl += grad[s - 1]
        hl += hess[s - 1]
        cl += count[s - 1]
        if cl < min_leaf or ct - cl < min_leaf:
            continue
        if direction != 0 and not _ordered(gl, hl, gt - gl, ht - hl, l2, direction):
            continue
        gain = _gain(gl, hl, l2) + _gain(gt - gl, ht - hl, l2) - parent
        if gain > best_gain:
            best_gain = gain
            best_s = s
    return best_gain, best_s


@njit(inline="always", **_JIT)
def _ordered(g_left, h_left, g_right, h_right, l2, direction):
    """Whether the Newton values of two adjacent leaves run in `direction` (+1 or -1)."""
    left = -g_left / (h_left + l2) if h_left + l2 > 0.0 else 0.0
    right = -g_right / (h_right + l2) if h_right + l2 > 0.0 else 0.0
    return direction * (right - left) >= 0.0


@njit(**_INNER)
def _leaf_sums(grad, hess, lo, hi):
    g = 0.0
    h = 0.0
    for b in range(lo, hi):
        g += grad[b]
        h += hess[b]
    return g, h


@njit(**_INNER)
def _random_cut(count, lo, hi, min_leaf, u):
    """A cut drawn uniformly (by `u` in [0, 1)) among the cuts that respect `min_leaf`; -1 if none."""
    ct = 0.0
    for b in range(lo, hi):
        ct += count[b]
    first = -1
    last = -1
    cl = 0.0
    for s in range(lo + 1, hi):
        cl += count[s - 1]
        if cl >= min_leaf and ct - cl >= min_leaf:
            if first < 0:
                first = s
            last = s
    if first < 0:
        return -1
    return first + int(u * (last - first + 1))


@njit(**_INNER)
def _fill_leaf(grad, hess, lo, hi, l2, learning_rate, max_delta, min_hessian, order, out):
    """Set the leaf's bins of `out` to its step; its gradient and hessian sums, or zeros if it
    is settled and does not move."""
    g, h = _leaf_sums(grad, hess, lo, hi)
    v = _leaf_value(g, h, l2, learning_rate, max_delta, min_hessian)
    for b in range(lo, hi):
        out[order[b]] = v
    return (0.0, 0.0) if _settled(g, h, min_hessian) else (g, h)


@njit(**_INNER)
def _stable_sort(keys, order, lo, hi):
    """Sort `order[lo:hi]` by `keys` of its entries, ties in their current order (a bottom-up
    merge sort: small to compile, unlike NumPy's argsort)."""
    n = hi - lo
    src = order[lo:hi].copy()
    dst = np.empty_like(src)
    width = 1
    while width < n:
        for start in range(0, n, 2 * width):
            mid = start + width if start + width < n else n
            end = start + 2 * width if start + 2 * width < n else n
            i, j = start, mid
            for k in range(start, end):
                if i < mid and (j >= end or keys[src[i]] <= keys[src[j]]):
                    dst[k] = src[i]
                    i += 1
                else:
                    dst[k] = src[j]
                    j += 1
        src, dst = dst, src
        width *= 2
    for k in range(n):
        order[lo + k] = src[k]


@njit(**_INNER)
def main_update(grad, hess, count, categorical, direction, max_leaves, min_leaf, l2, learning_rate,
                max_delta, min_hessian, cut_draw, out):
    """The per-bin update of a main effect: a tree of up to `max_leaves` leaves over its value bins
    (categories ordered by their shrunk Newton values), plus its own leaf for the missing bin.

    A `cut_draw` in [0, 1) picks the first cut at random (a smoothing step); a negative one picks
    the best cut. A non-zero `direction` keeps every update, hence the sum of all updates,
    monotone over the value bins. Returns the step's gain: the Newton loss reduction of its leaves
    over one leaf for the same bins (0 when the step changes nothing but a constant). A settled
    leaf (`_settled`) stays at zero and adds no gain.
    """
    nb = grad.shape[0]
    out[:] = 0.0
    order = np.empty(nb, dtype=np.int64)
    for b in range(nb):
        order[b] = b
    leaves = 0.0
    cover_g = 0.0
    cover_h = 0.0
    if count[0] >= min_leaf:  # the missing bin's own leaf
        cover_g, cover_h = _fill_leaf(grad, hess, 0, 1, l2, learning_rate, max_delta,
                                      min_hessian, order, out)
        leaves = _gain(cover_g, cover_h, l2)
    lo = np.int64(1)  # not a literal: one compiled specialisation of the helpers
    hi = nb - 1
    if hi - lo < 2:
        return 0.0
    if categorical:
        # each category's Newton value with one more row of the term's mean hessian and no
        # gradient, which draws small categories towards zero in any units of weight
        rows = count.sum()
        prior = hess.sum() / rows if rows > 0.0 else 0.0
        ratio = np.empty(nb)
        for b in range(lo, hi):
            shrunk = hess[b] + prior
            ratio[b] = grad[b] / shrunk if count[b] > 0 and shrunk > 0.0 else 0.0
        _stable_sort(ratio, order, lo, hi)
    g = np.empty(nb)
    h = np.empty(nb)
    c = np.empty(nb)
    for b in range(nb):
        g[b], h[b], c[b] = grad[order[b]], hess[order[b]], count[order[b]]
    if cut_draw >= 0.0:
        s1 = _random_cut(c, lo, hi, min_leaf, cut_draw)
        if s1 > 0 and direction != 0:
            gl, hl = _leaf_sums(g, h, lo, s1)
            gr, hr = _leaf_sums(g, h, s1, hi)
            if not _ordered(gl, hl, gr, hr, l2, direction):
                s1 = -1
    else:
        s1 = _best_cut(g, h, c, lo, hi, min_leaf, l2, direction)[1]
    if s1 < 0:
        return 0.0
    cuts = np.empty(4, dtype=np.int64)
    cuts[0], cuts[1], cuts[2], cuts[3] = lo, s1, hi, -1
    if max_leaves >= 3:
        gain_left, s_left = _best_cut(g, h, c, lo, s1, min_leaf, l2, direction)
        gain_right, s_right = _best_cut(g, h, c, s1, hi, min_leaf, l2, direction)
        if direction != 0:
            s_left, s_right = _monotone_third_leaf(g, h, lo, s1, hi, s_left, s_right, l2, direction)
        if s_left > 0 and gain_left >= gain_right:
            cuts[1], cuts[2], cuts[3] = s_left, s1, hi
        elif s_right > 0:
            cuts[2], cuts[3] = s_right, hi
    for k in range(3):
        if cuts[k + 1] < 0:
            break
        gk, hk = _fill_leaf(g, h, cuts[k], cuts[k + 1], l2, learning_rate, max_delta, min_hessian,
                            order, out)
        leaves += _gain(gk, hk, l2)
        cover_g += gk
        cover_h += hk
    return leaves - _gain(cover_g, cover_h, l2)


@njit(**_INNER)
def _monotone_third_leaf(g, h, lo, s1, hi, s_left, s_right, l2, direction):
    """Drop a second cut (return -1 for it) whose three leaves would not run in `direction`."""
    if s_left > 0:
        g1, h1 = _leaf_sums(g, h, s_left, s1)
        g2, h2 = _leaf_sums(g, h, s1, hi)
        if not _ordered(g1, h1, g2, h2, l2, direction):
            s_left = -1
    if s_right > 0:
        g1, h1 = _leaf_sums(g, h, lo, s1)
        g2, h2 = _leaf_sums(g, h, s1, s_right)
        if not _ordered(g1, h1, g2, h2, l2, direction):
            s_right = -1
    return s_left, s_right


@njit(inline="always", **_JIT)
def _quadrant_gain(g, h, c, min_leaf, l2):
    """A candidate leaf's gain, or -inf when it holds fewer than `min_leaf` rows."""
    return _gain(g, h, l2) if c >= min_leaf else -np.inf


@njit(**_INNER)
def _best_pair_tree(g2, h2, c2, min_leaf, l2):
    """Best tree 'cut one axis at i, then each side at its own cut of the other axis' of a pair
    histogram, over both orientations.

    Returns (gain, transposed, i, j_low, j_high): `transposed` when the first cut is of the
    second axis; gain -1 when no tree respects `min_leaf` or none gains more than -1 (possible
    under `l2`). One pass over the lines: the lines before i and the columns before s split the
    histogram into four quadrants, the candidate leaves of both orientations at (i, s). A side's
    cut is chosen by the sum of its two leaves' gains, which is never negative; its gain over
    the side as one leaf can be, under `l2`, while the tree is still the best.
    """
    n1, n2 = g2.shape
    col_g = np.zeros(n2 + 1)  # col_*[s]: the sums of the columns before s
    col_h = np.zeros(n2 + 1)
    col_c = np.zeros(n2 + 1)
    for a in range(n1):
        for b in range(n2):
            col_g[b + 1] += g2[a, b]
            col_h[b + 1] += h2[a, b]
            col_c[b + 1] += c2[a, b]
    for b in range(n2):
        col_g[b + 1] += col_g[b]
        col_h[b + 1] += col_h[b]
        col_c[b + 1] += col_c[b]
    total_g = col_g[n2]
    total_h = col_h[n2]
    total_c = col_c[n2]
    parent = _gain(total_g, total_h, l2)
    ll_g = np.zeros(n2 + 1)  # ll_*[s]: the sums over the lines before i, columns before s
    ll_h = np.zeros(n2 + 1)
    ll_c = np.zeros(n2 + 1)
    side_low = np.empty(n2)  # lines cut first at i: per cut s of the low side, its leaves' gains
    side_high = np.empty(n2)
    col_low = np.empty(n2)  # columns cut first at s: the best cut of the low side's lines
    col_high = np.empty(n2)
    col_cut_low = np.empty(n2, dtype=np.int64)
    col_cut_high = np.empty(n2, dtype=np.int64)
    for s in range(n2):
        col_low[s] = -np.inf
        col_high[s] = -np.inf
        col_cut_low[s] = -1
        col_cut_high[s] = -1
    best = (-1.0, False, -1, -1, -1)
    for i in range(1, n1):
        run_g = 0.0
        run_h = 0.0
        run_c = 0.0
        for b in range(n2):
            run_g += g2[i - 1, b]
            run_h += h2[i - 1, b]
            run_c += c2[i - 1, b]
            ll_g[b + 1] += run_g
            ll_h[b + 1] += run_h
            ll_c[b + 1] += run_c
        if run_c == 0:
            continue  # an empty line: the same trees as the line before it
        up_g = ll_g[n2]
        up_h = ll_h[n2]
        up_c = ll_c[n2]
        # The selections are branch-free (`x if better else y`): which candidate wins changes
        # from cell to cell, and mispredicted branches cost more than the divisions.
        for s in range(1, n2):
            hl_g = col_g[s] - ll_g[s]
            hl_h = col_h[s] - ll_h[s]
            hl_c = col_c[s] - ll_c[s]
            q_ll = _quadrant_gain(ll_g[s], ll_h[s], ll_c[s], min_leaf, l2)
            q_lh = _quadrant_gain(up_g - ll_g[s], up_h - ll_h[s], up_c - ll_c[s], min_leaf, l2)
            q_hl = _quadrant_gain(hl_g, hl_h, hl_c, min_leaf, l2)
            q_hh = _quadrant_gain(total_g - up_g - hl_g, total_h - up_h - hl_h,
                                  total_c - up_c - hl_c, min_leaf, l2)
            side_low[s] = q_ll + q_lh
            side_high[s] = q_hl + q_hh
            better = q_ll + q_hl > col_low[s]
            col_low[s] = q_ll + q_hl if better else col_low[s]
            col_cut_low[s] = i if better else col_cut_low[s]
            better = q_lh + q_hh > col_high[s]
            col_high[s] = q_lh + q_hh if better else col_high[s]
            col_cut_high[s] = i if better else col_cut_high[s]
        best_low = -np.inf
        best_high = -np.inf
        s_low = -1
        s_high = -1
        for s in range(1, n2):  # the first of equal gains: an empty column repeats the one before
            better = side_low[s] > best_low
            best_low = side_low[s] if better else best_low
            s_low = s if better else s_low
            better = side_high[s] > best_high
            best_high = side_high[s] if better else best_high
            s_high = s if better else s_high
        if s_low >= 0 and s_high >= 0 and best_low + best_high - parent > best[0]:
            best = (best_low + best_high - parent, False, i, s_low, s_high)
    for s in range(1, n2):  # kept only if better than every tree cutting the lines first
        gain = col_low[s] + col_high[s] - parent
        if col_cut_low[s] >= 0 and col_cut_high[s] >= 0 and gain > best[0]:
            best = (gain, True, s, col_cut_low[s], col_cut_high[s])
    return best


@njit(**_INNER)
def _fill_pair_tree(g2, h2, transposed, i, j_low, j_high, l2, learning_rate, max_delta,
                    min_hessian, out2):
    """Set every cell of `out2` to the value of its leaf in a tree of `_best_pair_tree`; returns
    the gain of the leaves that move over one leaf for their cells."""
    na, nb = g2.shape
    leaves = 0.0
    cover_g = 0.0
    cover_h = 0.0
    n_first, n_second = (nb, na) if transposed else (na, nb)
    for leaf in range(4):  # (low, low), (low, high), (high, low), (high, high)
        cut = j_low if leaf < 2 else j_high
        first_lo, first_hi = (0, i) if leaf < 2 else (i, n_first)
        second_lo, second_hi = (0, cut) if leaf % 2 == 0 else (cut, n_second)
        a_lo, a_hi, b_lo, b_hi = ((second_lo, second_hi, first_lo, first_hi) if transposed
                                  else (first_lo, first_hi, second_lo, second_hi))
        g = 0.0
        h = 0.0
        for a in range(a_lo, a_hi):
            for b in range(b_lo, b_hi):
                g += g2[a, b]
                h += h2[a, b]
        value = _leaf_value(g, h, l2, learning_rate, max_delta, min_hessian)
        for a in range(a_lo, a_hi):
            for b in range(b_lo, b_hi):
                out2[a, b] = value
        if not _settled(g, h, min_hessian):
            leaves += _gain(g, h, l2)
            cover_g += g
            cover_h += h
    return leaves - _gain(cover_g, cover_h, l2)


@njit(**_INNER)
def pair_update(grad, hess, count, na, nb, min_leaf, l2, learning_rate, max_delta, min_hessian,
                out):
    """The per-cell update of a pair: the best four-leaf tree of either orientation; returns its
    gain over one leaf for the whole pair."""
    g2 = grad.reshape(na, nb)
    h2 = hess.reshape(na, nb)
    c2 = count.reshape(na, nb)
    gain, transposed, i, j_low, j_high = _best_pair_tree(g2, h2, c2, min_leaf, l2)
    if gain < 0.0:
        out[:] = 0.0
        return 0.0
    return _fill_pair_tree(g2, h2, transposed, i, j_low, j_high, l2, learning_rate, max_delta,
                           min_hessian, out.reshape(na, nb))


# --------------------------------------------------------------------------------------------------
# Greedy boosting steps over the terms of a stage
# --------------------------------------------------------------------------------------------------

@njit(**_INNER)
def _term_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone, max_leaves,
                 min_leaf, l2, learning_rate, max_delta, min_hessian, cut_draw, update):
    lo = offsets[t]
    size = offsets[t + 1] - lo
    if dims_b[t] == 1:
        return main_update(grad[:size], hess[:size], counts[lo:lo + size], categorical[t],
                           monotone[t], max_leaves, min_leaf, l2, learning_rate, max_delta,
                           min_hessian, cut_draw, update[:size])
    return pair_update(grad[:size], hess[:size], counts[lo:lo + size], dims_a[t], dims_b[t],
                       min_leaf, l2, learning_rate, max_delta, min_hessian, update[:size])


@njit(**_INNER)
def _best_other(gains, t):
    """The largest gain among the terms other than t (-1 when t is the only term)."""
    best = -1.0
    for u in range(gains.shape[0]):
        if u != t and gains[u] > best:
            best = gains[u]
    return best


@njit(inline="always", **_JIT)
def _greedy_choice(loss, t, draw, cyclic, offsets, dims_a, dims_b, categorical, monotone, scores,
                   counts, grad, hess, update, factors, gains, chance, decay, max_leaves,
                   min_leaf, l2, learning_rate, max_delta, min_hessian):
    """One greedy step's decision from term t's fresh histogram (see `boost_greedy`): updates
    t's gain and, if t still leads (or the step is a `cyclic` smoothing step, which every term
    with a positive gain takes in turn), applies its update to `scores` and leaves the per-bin
    state factors in `factors`. Returns whether it applied."""
    lo = offsets[t]
    size = offsets[t + 1] - lo
    gain = _term_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone,
                        max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian, -1.0,
                        update) / chance[t]
    gains[t] = gain
    applied = gain > 0.0 and ((cyclic and draw >= 0.0) or gain >= _best_other(gains, t))
    if applied and draw >= 0.0:
        _term_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone,
                     max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian, draw, update)
    if applied:
        for b in range(size):
            scores[lo + b] += update[b]
        gains[t] = gain * decay
        _factors(loss, update[:size].reshape((size, 1)),
                 factors[:size].reshape((size, 1)))
    return applied


@njit(inline="always", **_JIT)
def _leader(gains):
    """The first term of the largest gain."""
    leader = 0
    for t in range(1, gains.shape[0]):
        if gains[t] > gains[leader]:
            leader = t
    return leader


@njit(inline="always", **_JIT)
def _next_term(gains):
    """The term of the next step, the leader; -1 when no term has a positive gain."""
    leader = _leader(gains)
    return leader if gains[leader] > 0.0 else -1


@njit(inline="always", **_JIT)
def _in_turn(cyclic, draw, t, step, steps, n_terms):
    """For a cyclic smoothing step (`cyclic` and a random cut `draw`), the term after t, or -1
    on a round's last step or when the step is greedy: the next step then goes to the leader."""
    return (t + 1) % n_terms if cyclic and draw >= 0.0 and step + 1 < steps else -1


@njit(**_JIT)
def boost_greedy(loss, codes, offsets, dims_a, dims_b, categorical, monotone, scores, counts, state,
                 y, weight, grad, hess, update, factors, gains, chance, current, measure,
                 cut_draws, cyclic, max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian,
                 validation_rows, sample_weight, best_scores, progress, tol, patience,
                 max_rounds):
    """Rounds of greedy steps, one row of `cut_draws` (rounds, steps) each, one pass over the
    rows per step; returns the term whose histogram `grad`/`hess` hold on exit (on entry they
    hold that of `current`, the leader of `gains`, unless `measure` re-measures every term's
    gain first: one pass per term, which changes nothing and starts from the new leader).

    Gains are measured relative to each term's `chance` gain (its gain on shuffled rows), so
    terms offering many cuts and terms offering few compete on equal terms.
    A step recomputes the gain of the leading term from its fresh histogram. If it still leads
    every other term's (stale) gain, its update is applied and its gain decays by the
    (1 - learning_rate)^2 a shrunk Newton step predicts; otherwise the pass only measured it. So
    the steps that change the model go to the terms of best gain, and a term without signal
    rarely moves. A step's `cut_draws` entry in [0, 1) applies a random cut instead of the best
    one (a smoothing step; the term is still chosen by its best cut's gain, or, if `cyclic`,
    every term of positive gain takes one in turn, as in the smoothing rounds of interpret's
    EBM). A greedy step ends the round early when no term has a positive gain.

    After each round the early-stopping books in `progress` are kept (`keep_books`, on the
    mean loss of `validation_rows` weighted by `sample_weight`), and the rounds end once the
    stage has finished.
    """
    decay = (1.0 - learning_rate) ** 2
    t = current
    if measure:
        t = _measure_gains(loss, codes, offsets, dims_a, dims_b, categorical, monotone, counts,
                           state, y, weight, grad, hess, update, gains, chance, max_leaves,
                           min_leaf, l2, learning_rate, max_delta, min_hessian)
    steps = cut_draws.shape[1]
    for r in range(cut_draws.shape[0]):
        for step in range(steps):
            draw = cut_draws[r, step]
            turn = _in_turn(cyclic, draw, t, step, steps, gains.shape[0])
            applied = _greedy_choice(loss, t, draw, cyclic, offsets, dims_a,
                                     dims_b, categorical, monotone, scores, counts, grad, hess,
                                     update, factors, gains, chance, decay, max_leaves, min_leaf,
                                     l2, learning_rate, max_delta, min_hessian)
            nxt = turn if turn >= 0 else _next_term(gains)
            size = offsets[t + 1] - offsets[t]
            if nxt < 0:
                if applied:  # the update reaches the rows before the round ends
                    _apply_then_histogram(loss, codes[:, t], factors[:size], codes[:, t], state,
                                          y, weight, grad, hess)
                break
            if applied:
                _apply_then_histogram(loss, codes[:, t], factors[:size], codes[:, nxt], state,
                                      y, weight, grad, hess)
            else:
                histogram(loss, codes[:, nxt], state, y, weight, grad, hess)
            t = nxt
        validates = validation_rows.shape[0] > 0
        validation_loss = (mean_loss(loss, state, y, sample_weight, validation_rows)
                           if validates else 0.0)
        if keep_books(progress, validates, validation_loss, True, scores.reshape(-1),
                      best_scores.reshape(-1), tol, patience, max_rounds):
            break
    return t


INFEASIBLE_PATIENCE = 10
"""Rounds since the best one, in multiples of the early-stopping patience, after which a stage
stops even if its penalty's constraint was not met in enough of them to exhaust the patience."""


@njit(**_JIT)
def keep_books(progress, validates, validation_loss, feasible, scores, best_scores, tol,
               patience, max_rounds):
    """Early stopping after a round; `progress` holds (rounds, best round, best loss, finished,
    feasible rounds since the best one, the stage's first validation loss). If the stage
    `validates`, a `feasible` round whose validation loss is below the best by more than `tol`
    of the first loss becomes the best, and `scores` are copied to `best_scores` (`tol` of the
    best loss would let a stage run on while held-out rows it separates, whose loss shrinks
    geometrically, keep improving by a steady share of a vanishing loss); the stage finishes
    `patience` feasible rounds after its best one, or INFEASIBLE_PATIENCE times that many rounds
    of any kind; any stage finishes at `max_rounds`. Returns whether it finished. The compiled
    rounds and `StageBooster.step` (where a penalty's feasibility takes part) both keep their
    books here."""
    rounds = progress[0] + 1.0
    progress[0] = rounds
    finished = rounds >= max_rounds
    if validates:
        if feasible and validation_loss < progress[2] - tol * abs(progress[5]):
            progress[1] = rounds
            progress[2] = validation_loss
            progress[4] = 0.0
            for b in range(scores.shape[0]):
                best_scores[b] = scores[b]
        else:
            progress[4] += 1.0 if feasible else 0.0
            if (progress[4] >= patience
                    or rounds - progress[1] >= INFEASIBLE_PATIENCE * patience):
                finished = True
    progress[3] = 1.0 if finished else 0.0
    return finished


@njit(**_JIT)
def greedy_choice(loss, t, draw, cyclic, step, steps, offsets, dims_a, dims_b, categorical,
                  monotone, scores, counts, grad, hess, update, factors, gains, chance,
                  max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian):
    """`boost_greedy`'s decision for step `step` of a round of `steps`, callable on its own:
    the row-block path runs the passes over the rows itself (`block_pass`). Returns
    (applied, next term or -1)."""
    turn = _in_turn(cyclic, draw, t, step, steps, gains.shape[0])
    applied = _greedy_choice(loss, t, draw, cyclic, offsets, dims_a, dims_b,
                             categorical, monotone, scores, counts, grad, hess, update, factors,
                             gains, chance, (1.0 - learning_rate) ** 2, max_leaves, min_leaf, l2,
                             learning_rate, max_delta, min_hessian)
    return applied, turn if turn >= 0 else _next_term(gains)


@njit(**_JIT)
def term_gain(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone, max_leaves,
              min_leaf, l2, learning_rate, max_delta, min_hessian, update):
    """Term t's gain from its histogram `grad` / `hess`, without changing the model."""
    return _term_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone,
                        max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian, -1.0,
                        update)


def _pass_block(loss, apply, apply_codes, factors, next_codes, state, y, weight, grad, hess):
    """One block's share of a step's pass, in compiled code only (`_pass_block_typed` picks
    the code): the softmax pass where `state` holds each row's class probabilities, else the
    single-output one."""
    raise NotImplementedError("compiled code only")


@overload(_pass_block, jit_options=_OVERLOAD)
def _pass_block_typed(loss, apply, apply_codes, factors, next_codes, state, y, weight, grad,
                      hess):
    if state.ndim == 2:
        def softmax(loss, apply, apply_codes, factors, next_codes, state, y, weight, grad, hess):
            apply_then_histogram_multiclass(apply, apply_codes, factors, next_codes, state, y,
                                            weight, grad, hess)
        return softmax

    def single(loss, apply, apply_codes, factors, next_codes, state, y, weight, grad, hess):
        if apply:
            _apply_then_histogram(loss, apply_codes, factors, next_codes, state, y, weight, grad,
                                  hess)
        else:
            histogram(loss, next_codes, state, y, weight, grad, hess)
    return single


def _rows_loss(loss, state, y, weight, rows):
    """`mean_loss`, or `mean_loss_multiclass` where `state` holds class probabilities, in
    compiled code only (`_rows_loss_typed` picks the code)."""
    raise NotImplementedError("compiled code only")


@overload(_rows_loss, jit_options=_OVERLOAD)
def _rows_loss_typed(loss, state, y, weight, rows):
    if state.ndim == 2:
        return lambda loss, state, y, weight, rows: mean_loss_multiclass(state, y, weight, rows)
    return lambda loss, state, y, weight, rows: mean_loss(loss, state, y, weight, rows)


@njit(**_JIT)
def block_pass(loss, apply, apply_codes, factors, next_codes, state, y, weight, starts, first,
               last, part_grad, part_hess):
    """The pass of one greedy step over row blocks `first` .. `last - 1` (block k holds rows
    `starts[k]:starts[k + 1]`): apply the last update if `apply`, then histogram the next term
    into the block's own `part_grad[k]` / `part_hess[k]`. Threads take disjoint blocks, and
    `sum_blocks` adds the blocks in order, so the sums do not depend on the thread count.
    Softmax where `state` is (n_rows, n_classes) (`factors` and the parts then have a class
    axis, and `loss` is not read)."""
    for k in range(first, last):
        lo, hi = starts[k], starts[k + 1]
        _pass_block(loss, apply, apply_codes[lo:hi], factors, next_codes[lo:hi], state[lo:hi],
                    y[lo:hi], weight[lo:hi], part_grad[k], part_hess[k])


@njit(**_JIT)
def block_losses(loss, state, y, weight, rows, cuts, first, last, part_losses):
    """The mean loss of blocks `first` .. `last - 1`'s validation rows (block k's are
    `rows[cuts[k]:cuts[k + 1]]`) into `part_losses[k]`; softmax as in `block_pass`."""
    for k in range(first, last):
        part_losses[k] = _rows_loss(loss, state, y, weight, rows[cuts[k]:cuts[k + 1]])


@njit(**_JIT)
def sum_blocks(part_grad, part_hess, grad, hess):
    """Blocks' histograms added in block order into `grad` / `hess`."""
    grad[:] = 0.0
    hess[:] = 0.0
    for k in range(part_grad.shape[0]):
        for b in range(part_grad.shape[1]):
            grad[b] += part_grad[k, b]
            hess[b] += part_hess[k, b]


@njit(inline="always", **_JIT)
def _measure_gains(loss, codes, offsets, dims_a, dims_b, categorical, monotone, counts, state, y,
                   weight, grad, hess, update, gains, chance, max_leaves, min_leaf, l2,
                   learning_rate, max_delta, min_hessian):
    """Every term's current gain, one histogram pass each, without changing the model; leaves the
    leader's histogram in `grad`/`hess` and returns the leader."""
    n_terms = codes.shape[1]
    for t in range(n_terms):
        histogram(loss, codes[:, t], state, y, weight, grad, hess)
        gains[t] = _term_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical,
                                monotone, max_leaves, min_leaf, l2, learning_rate, max_delta,
                                min_hessian, -1.0, update) / chance[t]
    leader = _leader(gains)
    if leader != n_terms - 1:
        histogram(loss, codes[:, leader], state, y, weight, grad, hess)
    return leader


# --------------------------------------------------------------------------------------------------
# Multiclass (softmax) variants: state holds each row's class probabilities
# --------------------------------------------------------------------------------------------------

@njit(**_JIT)
def probabilities_from_scores(raw):
    """The softmax state of raw per-class scores (n_rows, n_classes): each row's probabilities.
    A step multiplies them by its per-bin factors exp(update) and renormalises, so no row
    needs an exp (three a row per step cost two thirds of a step's time)."""
    out = np.empty_like(raw)
    for i in range(raw.shape[0]):
        softmax(raw[i], out[i])
    return out


@njit(inline="always", **_JIT)
def _add_softmax_row(grad, hess, b, k, w, p, target):
    grad[b, k] += w * (p - target)
    h = p * (1.0 - p)
    hess[b, k] += w * (HESSIAN_FLOOR if HESSIAN_FLOOR > h else h)


@njit(**_JIT)
def histogram_multiclass(codes, state, y, weight, grad, hess):
    """Per-class gradient and hessian sums per bin; `y` holds class indices."""
    grad[:] = 0.0
    hess[:] = 0.0
    for i in range(codes.shape[0]):
        b = codes[i]
        for k in range(state.shape[1]):
            _add_softmax_row(grad, hess, b, k, weight[i], state[i, k], 1.0 if y[i] == k else 0.0)


@njit(**_JIT)
def apply_then_histogram_multiclass(apply, apply_codes, factors, next_codes, state, y, weight,
                                    grad, hess):
    """One pass of a softmax step over some rows: apply the last update (if `apply`: multiply
    by its `factors` and renormalise), then histogram the next term."""
    if not apply:
        histogram_multiclass(next_codes, state, y, weight, grad, hess)
        return
    grad[:] = 0.0
    hess[:] = 0.0
    n_classes = state.shape[1]
    for i in range(apply_codes.shape[0]):
        a = apply_codes[i]
        total = 0.0
        for k in range(n_classes):
            v = state[i, k] * factors[a, k]
            state[i, k] = v
            total += v
        scale = 1.0 / total
        b = next_codes[i]
        for k in range(n_classes):
            p = state[i, k] * scale
            state[i, k] = p
            _add_softmax_row(grad, hess, b, k, weight[i], p, 1.0 if y[i] == k else 0.0)


@njit(**_JIT)
def mean_loss_multiclass(state, y, weight, rows):
    """Weighted mean of -log p(target class) over `rows` (a probability that underflowed to 0
    counts as the smallest normal float)."""
    total = 0.0
    wsum = 0.0
    for r in rows:
        p = state[r, int(y[r])]
        total -= weight[r] * np.log(p if p > _TINY else _TINY)
        wsum += weight[r]
    return total / wsum if wsum > 0 else 0.0


@njit(**_JIT)
def _multiclass_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone,
                       max_leaves, min_leaf, l2, rate, max_delta, min_hessian, cut_draw, update):
    """Term t's update per class (one tree each) into `update`; returns the summed gain."""
    size = offsets[t + 1] - offsets[t]
    total = 0.0
    uk = np.zeros(size)
    for k in range(grad.shape[1]):
        gk = np.ascontiguousarray(grad[:size, k])
        hk = np.ascontiguousarray(hess[:size, k])
        total += _term_update(t, gk, hk, counts, offsets, dims_a, dims_b, categorical, monotone,
                              max_leaves, min_leaf, l2, rate, max_delta, min_hessian, cut_draw, uk)
        update[:size, k] = uk
    return total


@njit(inline="always", **_JIT)
def _greedy_choice_multiclass(t, draw, cyclic, offsets, dims_a, dims_b, categorical, monotone,
                              scores, counts, grad, hess, update, factors, gains, chance,
                              max_leaves, min_leaf, l2, rate, decay, max_delta, min_hessian):
    """`_greedy_choice` for softmax: the step's gain is summed over the classes' trees; an
    applied update is added to `scores` and its probability factors left in `factors`."""
    lo = offsets[t]
    size = offsets[t + 1] - lo
    gain = _multiclass_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical,
                              monotone, max_leaves, min_leaf, l2, rate, max_delta, min_hessian,
                              -1.0, update) / chance[t]
    gains[t] = gain
    applied = gain > 0.0 and ((cyclic and draw >= 0.0) or gain >= _best_other(gains, t))
    if applied and draw >= 0.0:
        _multiclass_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical,
                           monotone, max_leaves, min_leaf, l2, rate, max_delta, min_hessian, draw,
                           update)
    if applied:
        for b in range(size):
            for k in range(scores.shape[1]):
                scores[lo + b, k] += update[b, k]
        gains[t] = gain * decay
        _factors(MULTINOMIAL, update[:size], factors[:size])
    return applied


@njit(**_JIT)
def greedy_choice_multiclass(t, draw, cyclic, step, steps, offsets, dims_a, dims_b, categorical,
                             monotone, scores, counts, grad, hess, update, factors, gains, chance,
                             max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian):
    """`greedy_choice` for softmax. Returns (applied, next term or -1)."""
    n_classes = grad.shape[1]
    rate = learning_rate * (n_classes - 1) / n_classes
    turn = _in_turn(cyclic, draw, t, step, steps, gains.shape[0])
    applied = _greedy_choice_multiclass(t, draw, cyclic, offsets, dims_a, dims_b,
                                        categorical, monotone, scores, counts, grad, hess, update,
                                        factors, gains, chance, max_leaves, min_leaf, l2, rate,
                                        (1.0 - rate) ** 2, max_delta, min_hessian)
    return applied, turn if turn >= 0 else _next_term(gains)


@njit(**_JIT)
def term_gain_multiclass(t, grad, hess, counts, offsets, dims_a, dims_b, categorical, monotone,
                         max_leaves, min_leaf, l2, learning_rate, max_delta, min_hessian, update):
    """`term_gain` for softmax."""
    n_classes = grad.shape[1]
    rate = learning_rate * (n_classes - 1) / n_classes
    return _multiclass_update(t, grad, hess, counts, offsets, dims_a, dims_b, categorical,
                              monotone, max_leaves, min_leaf, l2, rate, max_delta, min_hessian,
                              -1.0, update)


@njit(inline="always", **_JIT)
def _measure_gains_multiclass(codes, offsets, dims_a, dims_b, categorical, monotone, counts, state,
                              y, weight, grad, hess, update, gains, chance, max_leaves, min_leaf,
                              l2, rate, max_delta, min_hessian):
    """`_measure_gains` for softmax (`rate` is the per-class learning rate)."""
    n_terms = codes.shape[1]
    for t in range(n_terms):
        histogram_multiclass(codes[:, t], state, y, weight, grad, hess)
        gains[t] = _multiclass_update(t, grad, hess, counts, offsets, dims_a, dims_b,
                                      categorical, monotone, max_leaves, min_leaf, l2, rate,
                                      max_delta, min_hessian, -1.0, update) / chance[t]
    leader = _leader(gains)
    if leader != n_terms - 1:
        histogram_multiclass(codes[:, leader], state, y, weight, grad, hess)
    return leader


@njit(**_JIT)
def boost_greedy_multiclass(codes, offsets, dims_a, dims_b, categorical, monotone, scores, counts,
                            state, y, weight, grad, hess, update, factors, gains, chance, current,
                            measure, cut_draws, cyclic, max_leaves, min_leaf, l2, learning_rate,
                            max_delta, min_hessian, validation_rows, sample_weight, best_scores,
                            progress, tol, patience, max_rounds):
    """`boost_greedy` for softmax (the gain of a step is summed over the classes' trees)."""
    n_classes = state.shape[1]
    rate = learning_rate * (n_classes - 1) / n_classes
    decay = (1.0 - rate) ** 2
    t = current
    if measure:
        t = _measure_gains_multiclass(codes, offsets, dims_a, dims_b, categorical, monotone,
                                      counts, state, y, weight, grad, hess, update, gains, chance,
                                      max_leaves, min_leaf, l2, rate, max_delta, min_hessian)
    steps = cut_draws.shape[1]
    for r in range(cut_draws.shape[0]):
        for step in range(steps):
            draw = cut_draws[r, step]
            turn = _in_turn(cyclic, draw, t, step, steps, gains.shape[0])
            applied = _greedy_choice_multiclass(t, draw, cyclic, offsets, dims_a,
                                                dims_b, categorical, monotone, scores, counts,
                                                grad, hess, update, factors, gains, chance,
                                                max_leaves, min_leaf, l2, rate, decay, max_delta,
                                                min_hessian)
            nxt = turn if turn >= 0 else _next_term(gains)
            if nxt < 0:
                if applied:  # the update reaches the rows before the round ends
                    apply_then_histogram_multiclass(True, codes[:, t], factors, codes[:, t],
                                                    state, y, weight, grad, hess)
                break
            apply_then_histogram_multiclass(applied, codes[:, t], factors, codes[:, nxt], state,
                                            y, weight, grad, hess)
            t = nxt
        validates = validation_rows.shape[0] > 0
        validation_loss = (mean_loss_multiclass(state, y, sample_weight, validation_rows)
                           if validates else 0.0)
        if keep_books(progress, validates, validation_loss, True, scores.reshape(-1),
                      best_scores.reshape(-1), tol, patience, max_rounds):
            break
    return t


# --------------------------------------------------------------------------------------------------
# Binning, scoring, counting and pair ranking
# --------------------------------------------------------------------------------------------------

@njit(**_JIT)
def bin_continuous(values, edges, grid_start, grid_scale, grid_first):
    """Bin code of every value: 0 for NaN, else 1 + the number of edges <= value.

    A uniform grid over the edges' range tells in which few edges a value's answer lies
    (`grid_first[g]` edges are <= the start of cell g); a short binary search finishes. A full
    binary search over quantile edges mispredicts a branch at every level.
    """
    out = np.empty(values.shape[0], dtype=np.uint16)
    n_edges = edges.shape[0]
    n_cells = grid_first.shape[0] - 1
    for i in range(values.shape[0]):
        v = values[i]
        if np.isnan(v):
            out[i] = 0
            continue
        if n_edges == 0 or v < edges[0]:
            out[i] = 1
            continue
        cell = (v - grid_start) * grid_scale  # compared before int(): it may overflow int64
        g = int(cell) if cell < n_cells - 1 else n_cells - 1
        lo = grid_first[g] - 1 if grid_first[g] > 1 else 0
        hi = grid_first[g + 1] + 1 if grid_first[g + 1] + 1 < n_edges else n_edges
        while lo > 0 and edges[lo - 1] > v:
            lo -= 1
        while hi < n_edges and edges[hi] <= v:
            hi += 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if edges[mid] <= v:
                lo = mid + 1
            else:
                hi = mid
        out[i] = lo + 1
    return out


@njit(**_JIT)
def add_scores(first, second, n_second, scores, out):
    """out[i] += scores[first[i] * n_second + second[i]]: one term's scores added per row
    (for a main effect pass `second` = `first` and n_second = 0)."""
    for i in range(first.shape[0]):
        out[i] += scores[first[i] * n_second + second[i]]


@njit(**_JIT)
def add_class_scores(first, second, n_second, scores, out):
    """`add_scores` for one score per class: scores (bins, n_classes), out (n_rows, n_classes).
    (`add_scores` stays one-dimensional: a loop over one class made its pass 2.5x slower.)"""
    for i in range(first.shape[0]):
        j = first[i] * n_second + second[i]
        for k in range(out.shape[1]):
            out[i, k] += scores[j, k]


@njit(**_JIT)
def add_term_scores(codes, offsets, scores, out):
    """out[i] += sum over terms t of scores[offsets[t] + codes[i, t]] (scores 1-D or (bins, K))."""
    for t in range(codes.shape[1]):
        lo = offsets[t]
        column = codes[:, t]
        for i in range(column.shape[0]):
            out[i] += scores[lo + column[i]]


@njit(**_JIT)
def bin_sums(codes, offsets, weight, out):
    """Per-bin sums of `weight` for every term (counts when weight is 0/1)."""
    out[:] = 0.0
    for t in range(codes.shape[1]):
        lo = offsets[t]
        column = codes[:, t]
        for i in range(column.shape[0]):
            out[lo + column[i]] += weight[i]


@njit(**_JIT)
def fast_pair_gain(codes_a, codes_b, na, nb, grad, hess, count, min_leaf, l2):
    """FAST statistic of a pair (Lou et al., KDD 2013): the gain of the best 2 x 2 cut of its
    residual gradient histogram, for rows weighted by `count` (0 outside the bag's training rows)."""
    g2 = np.zeros((na, nb))
    h2 = np.zeros((na, nb))
    c2 = np.zeros((na, nb))
    pair_histogram(codes_a, codes_b, grad, hess, count, g2, h2, c2)
    return fast_pair_gain_of(g2, h2, c2, min_leaf, l2)


@njit(**_JIT)
def pair_histogram(codes_a, codes_b, grad, hess, count, g2, h2, c2):
    """Add the rows' gradients, hessians and counts to the pair's cells (na x nb)."""
    for i in range(codes_a.shape[0]):
        a = codes_a[i]
        b = codes_b[i]
        g2[a, b] += grad[i]
        h2[a, b] += hess[i]
        c2[a, b] += count[i]


@njit(inline="always", **_JIT)
def _margins(g2, h2, c2):
    """Column sums of a pair histogram's gradients, hessians and counts, its row counts, and its
    totals (summed in row-major order)."""
    n1, n2 = g2.shape
    col_g = np.zeros(n2)
    col_h = np.zeros(n2)
    col_c = np.zeros(n2)
    row_c = np.zeros(n1)
    total_g = 0.0
    total_h = 0.0
    total_c = 0.0
    for a in range(n1):
        for b in range(n2):
            col_g[b] += g2[a, b]
            col_h[b] += h2[a, b]
            col_c[b] += c2[a, b]
            row_c[a] += c2[a, b]
            total_g += g2[a, b]
            total_h += h2[a, b]
            total_c += c2[a, b]
    return col_g, col_h, col_c, row_c, total_g, total_h, total_c


@njit(inline="always", **_JIT)
def _add_row(g2, h2, c2, a, g, h, c):
    """Add row `a` of a pair histogram to the running sums `g`, `h`, `c`."""
    for b in range(g2.shape[1]):
        g[b] += g2[a, b]
        h[b] += h2[a, b]
        c[b] += c2[a, b]


@njit(**_JIT)
def fast_pair_gain_of(g2, h2, c2, min_leaf, l2):
    """The FAST statistic of a pair's histogram (`pair_histogram`)."""
    na, nb = g2.shape
    col_g, col_h, col_c, row_c, total_g, total_h, total_c = _margins(g2, h2, c2)
    parent = _gain(total_g, total_h, l2)
    best = 0.0
    lg = np.zeros(nb)
    lh = np.zeros(nb)
    lc = np.zeros(nb)
    for i in range(1, na):
        if row_c[i - 1] == 0:
            continue  # an empty row: the same cuts as the row before it
        _add_row(g2, h2, c2, i - 1, lg, lh, lc)
        low_g = 0.0
        low_h = 0.0
        low_c = 0.0
        for b in range(nb):
            low_g += lg[b]
            low_h += lh[b]
            low_c += lc[b]
        q_g = 0.0
        q_h = 0.0
        q_c = 0.0
        hq_g = 0.0
        hq_h = 0.0
        hq_c = 0.0
        for j in range(1, nb):
            if col_c[j - 1] == 0:
                continue  # an empty column: the same cut as the one before it
            q_g += lg[j - 1]
            q_h += lh[j - 1]
            q_c += lc[j - 1]
            hq_g += col_g[j - 1] - lg[j - 1]
            hq_h += col_h[j - 1] - lh[j - 1]
            hq_c += col_c[j - 1] - lc[j - 1]
            if (q_c < min_leaf or low_c - q_c < min_leaf or hq_c < min_leaf
                    or total_c - low_c - hq_c < min_leaf):
                continue
            gain = (_gain(q_g, q_h, l2) + _gain(low_g - q_g, low_h - q_h, l2)
                    + _gain(hq_g, hq_h, l2)
                    + _gain(total_g - low_g - hq_g, total_h - low_h - hq_h, l2) - parent)
            if gain > best:
                best = gain
    return best


@njit(**_JIT)
def gradients(loss, state, y, weight, grad, hess):
    """Per-row weighted gradient and hessian."""
    for i in range(state.shape[0]):
        g, h = state_gradient_hessian(loss, state[i], y[i])
        grad[i] = weight[i] * g
        hess[i] = weight[i] * h
