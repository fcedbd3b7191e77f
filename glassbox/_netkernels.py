"""Numba kernels for monotone-by-construction networks: forward, backward, Adam.

A network is a stack of dense layers over one flat parameter vector. Layer l maps n_in inputs to
n_out units: z = W' a + b, where each input column j has a mode: 0 (free: W'[:, j] = W[:, j]) or
1 (monotone: W'[:, j] = |W[:, j]|). A unit's activation is one of

- IDENTITY (output units), RELU (free block and convex units), CONCAVE: min(z, 0) (the
  reflection of the ReLU), SATURATED: clip(z, -1, 1).

Every activation is non-decreasing and every monotone weight non-negative, so the output is
non-decreasing in every input reached only through monotone columns (the constrained monotonic
network of Runje & Shankaranarayana, ICML 2023, with ReLU-based activations). Mixing convex,
concave and saturated units keeps such networks universal approximators of monotone functions.

Layout: `params` holds, layer after layer, W (n_out x n_in, row-major) then b (n_out);
`shapes[l] = (n_in, n_out, params offset)`; `mask` (aligned with `params`) is 1 where a weight
exists and 0 where a unit does not see an input (how a free block sits beside the monotone
inputs in one layer); `modes` concatenates every layer's input modes (`mode_offsets[l]`),
`activations` every layer's unit activations (`unit_offsets[l]`), and `spans` every unit's
[first, last + 1) input that its mask lets through. A layer whose spans cover at least half its
weights runs as dense matrix products; a sparser one (a network of separate groups of features
is block-diagonal) loops over each unit's span only, so its cost follows the weights that exist.
"""

import numpy as np
from numba import njit

from ._losses import MULTINOMIAL, gradient_hessian, multinomial_row, row_loss

_JIT = dict(cache=True, nogil=True, error_model="numpy")

IDENTITY = 0
RELU = 1
CONCAVE = 2
SATURATED = 3


@njit(**_JIT)
def _bounds(activations, u, n_out):
    """Every activation is a clip of z to [lo, hi] (IDENTITY: none; RELU: [0, inf); CONCAVE:
    (-inf, 0]; SATURATED: [-1, 1]), of slope 1 strictly inside and 0 outside: per unit of the
    layer starting at unit `u`, its (lo, hi), so the loops over units do not branch on kinds."""
    lo = np.full(n_out, -np.inf)
    hi = np.full(n_out, np.inf)
    for i in range(n_out):
        kind = activations[u + i]
        if kind == RELU:
            lo[i] = 0.0
        elif kind == CONCAVE:
            hi[i] = 0.0
        elif kind == SATURATED:
            lo[i], hi[i] = -1.0, 1.0
    return lo, hi


@njit(**_JIT)
def effective_weights(params, mask, shapes, modes, mode_offsets, layer):
    """W' of one layer: |W| on monotone input columns, W elsewhere, zero where masked."""
    n_in, n_out, offset = shapes[layer, 0], shapes[layer, 1], shapes[layer, 2]
    w = params[offset:offset + n_in * n_out].reshape((n_out, n_in)).copy()
    m = mask[offset:offset + n_in * n_out].reshape((n_out, n_in))
    for j in range(n_in):
        monotone = modes[mode_offsets[layer] + j] == 1
        for i in range(n_out):
            w[i, j] = (abs(w[i, j]) if monotone else w[i, j]) * m[i, j]
    return w


@njit(**_JIT)
def _is_dense(spans, u, n_out, n_in):
    """Whether a layer's spans cover at least half its weights: dense products are faster."""
    covered = 0
    for i in range(n_out):
        covered += spans[u + i, 1] - spans[u + i, 0]
    return 2 * covered >= n_out * n_in


@njit(**_JIT)
def _spanned_product(a, w, spans, u):
    """a @ w.T, summing each unit's span of inputs only (row-contiguous loops over the rows)."""
    a_t = np.ascontiguousarray(a.T)
    z_t = np.zeros((w.shape[0], a.shape[0]))
    for i in range(w.shape[0]):
        for j in range(spans[u + i, 0], spans[u + i, 1]):
            weight = w[i, j]
            for r in range(a.shape[0]):
                z_t[i, r] += weight * a_t[j, r]
    return np.ascontiguousarray(z_t.T)


@njit(**_JIT)
def forward(params, mask, shapes, modes, mode_offsets, activations, unit_offsets, spans, x, pre,
            post):
    """Run the network on rows `x`; `pre`/`post` (rows x total units) receive every layer's
    pre-activations and activations. Returns the output layer's values (rows x n_out)."""
    a = x
    for layer in range(shapes.shape[0]):
        n_in, n_out, offset = shapes[layer, 0], shapes[layer, 1], shapes[layer, 2]
        w = effective_weights(params, mask, shapes, modes, mode_offsets, layer)
        b = params[offset + n_in * n_out:offset + n_in * n_out + n_out]
        u = unit_offsets[layer]
        if _is_dense(spans, u, n_out, n_in):
            z = np.ascontiguousarray(a) @ np.ascontiguousarray(w.T)
        else:
            z = _spanned_product(a, w, spans, u)
        lo, hi = _bounds(activations, u, n_out)
        for r in range(z.shape[0]):
            for i in range(n_out):
                zi = z[r, i] + b[i]
                pre[r, u + i] = zi
                post[r, u + i] = min(max(zi, lo[i]), hi[i])
        a = post[:, u:u + n_out]
    return np.ascontiguousarray(a)


@njit(**_JIT)
def loss_and_output_gradient(loss, out, y, weight):
    """Weighted mean loss of outputs `out` and its gradient with respect to them.

    `loss` is a `_losses` id: one output unit for the single-output losses (`y` holds targets
    or 0/1 labels), one per class for MULTINOMIAL (`y` holds class indices)."""
    n = out.shape[0]
    grad = np.zeros_like(out)
    total = 0.0
    wsum = weight.sum()
    if wsum <= 0.0:
        return 0.0, grad
    for r in range(n):
        w = weight[r] / wsum
        if loss == MULTINOMIAL:
            total += w * multinomial_row(out[r], int(y[r]), grad[r])
            for c in range(out.shape[1]):
                grad[r, c] *= w
        else:
            total += w * row_loss(loss, out[r, 0], y[r])
            grad[r, 0] = w * gradient_hessian(loss, out[r, 0], y[r])[0]
    return total, grad


@njit(**_JIT)
def backward(params, mask, shapes, modes, mode_offsets, activations, unit_offsets, spans, x, pre,
             post, out_grad, grad):
    """Gradient of the loss with respect to `params` (into `grad`), given d loss / d output."""
    grad[:] = 0.0
    delta = out_grad
    for layer in range(shapes.shape[0] - 1, -1, -1):
        n_in, n_out, offset = shapes[layer, 0], shapes[layer, 1], shapes[layer, 2]
        u = unit_offsets[layer]
        dz = np.empty_like(delta)
        lo, hi = _bounds(activations, u, n_out)
        for r in range(delta.shape[0]):
            for i in range(n_out):
                dz[r, i] = delta[r, i] if lo[i] < pre[r, u + i] < hi[i] else 0.0
        a_in = x if layer == 0 else post[:, unit_offsets[layer - 1]:unit_offsets[layer - 1]
                                          + n_in]
        dense = _is_dense(spans, u, n_out, n_in)
        if dense:
            dw = dz.T @ np.ascontiguousarray(a_in)
        else:
            dz_t = np.ascontiguousarray(dz.T)
            a_t = np.ascontiguousarray(a_in.T)
            dw = np.zeros((n_out, n_in))
            for i in range(n_out):
                for j in range(spans[u + i, 0], spans[u + i, 1]):
                    s = 0.0
                    for r in range(dz.shape[0]):
                        s += dz_t[i, r] * a_t[j, r]
                    dw[i, j] = s
        raw = params[offset:offset + n_in * n_out].reshape((n_out, n_in))
        m = mask[offset:offset + n_in * n_out].reshape((n_out, n_in))
        g = grad[offset:offset + n_in * n_out].reshape((n_out, n_in))
        for i in range(n_out):
            for j in range(spans[u + i, 0], spans[u + i, 1]):
                if modes[mode_offsets[layer] + j] == 1:
                    g[i, j] = dw[i, j] * m[i, j] * (1.0 if raw[i, j] >= 0.0 else -1.0)
                else:
                    g[i, j] = dw[i, j] * m[i, j]
        for i in range(n_out):
            s = 0.0
            for r in range(dz.shape[0]):
                s += dz[r, i]
            grad[offset + n_in * n_out + i] = s
        if layer > 0:
            w = effective_weights(params, mask, shapes, modes, mode_offsets, layer)
            if dense:
                delta = dz @ w
            else:
                delta_t = np.zeros((n_in, dz.shape[0]))
                for i in range(n_out):
                    for j in range(spans[u + i, 0], spans[u + i, 1]):
                        weight = w[i, j]
                        for r in range(dz.shape[0]):
                            delta_t[j, r] += weight * dz_t[i, r]
                delta = np.ascontiguousarray(delta_t.T)


@njit(**_JIT)
def adam_step(params, grad, m, v, step, learning_rate, l2, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update (Kingma & Ba, 2015) with L2 weight decay added to the gradient."""
    c1 = 1.0 - beta1 ** step
    c2 = 1.0 - beta2 ** step
    for i in range(params.shape[0]):
        g = grad[i] + l2 * params[i]
        m[i] = beta1 * m[i] + (1.0 - beta1) * g
        v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
        params[i] -= learning_rate * (m[i] / c1) / (np.sqrt(v[i] / c2) + eps)


@njit(**_JIT)
def train_epoch(params, mask, shapes, modes, mode_offsets, activations, unit_offsets, spans, loss,
                x, y, weight, order, batch_size, m, v, step, learning_rate, l2, pre, post, grad):
    """One pass over the rows in `order`, one Adam step per minibatch; returns the step count."""
    n = order.shape[0]
    for start in range(0, n, batch_size):
        rows = order[start:min(start + batch_size, n)]
        xb = x[rows]
        out = forward(params, mask, shapes, modes, mode_offsets, activations, unit_offsets, spans,
                      xb, pre[:rows.shape[0]], post[:rows.shape[0]])
        _, out_grad = loss_and_output_gradient(loss, out, y[rows], weight[rows])
        backward(params, mask, shapes, modes, mode_offsets, activations, unit_offsets, spans, xb,
                 pre[:rows.shape[0]], post[:rows.shape[0]], out_grad, grad)
        step += 1
        adam_step(params, grad, m, v, step, learning_rate, l2)
    return step
