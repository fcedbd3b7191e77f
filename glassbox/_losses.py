"""The losses glassbox models train with, numbered once for every kernel, and their links.

A model's raw score is additive on its link scale: log-odds ("logit"), one logit per class
("softmax"), the mean itself ("identity") or the log of the mean ("log"). `inverse_link` turns raw
scores into predictions, `initial_score` gives the constant raw score that fits a target best, and
`gradient_hessian` / `row_loss` / `multinomial_row` are the per-row algebra on the raw-score scale,
inlined into the Numba kernels that train. Boosting keeps a per-row *state* instead of the raw
score (`state_of`), so its gradient and hessian are written once, on the state, and the raw-scale
ones derive from it; its validation loss is read off the state too (`state_loss`).
"""

import numpy as np
from numba import njit
from scipy.special import log_expit, log_softmax

from ._jit_cache import drop_stale

drop_stale()  # every module with kernels imports this one first, so no stale kernel loads

_JIT = dict(cache=True, nogil=True, error_model="numpy")

LOG_LOSS = 0
SQUARED_ERROR = 1
POISSON = 2
GAMMA = 3
MULTINOMIAL = 4

HESSIAN_FLOOR = 1e-16
"""Smallest hessian a row contributes, so a confident row cannot make a leaf's step infinite."""

LOSSES = {"log_loss": LOG_LOSS, "squared_error": SQUARED_ERROR, "poisson": POISSON,
          "gamma": GAMMA, "multinomial": MULTINOMIAL}
"""Loss id by its scikit-learn name."""

LINK_OF_LOSS = {LOG_LOSS: "logit", SQUARED_ERROR: "identity", POISSON: "log", GAMMA: "log",
                MULTINOMIAL: "softmax"}

CLASSIFIER_LINKS = ("logit", "softmax")
REGRESSOR_LINKS = ("identity", "log")
LINKS = CLASSIFIER_LINKS + REGRESSOR_LINKS


def link_of(loss):
    """The link name of a loss, given by id or by name."""
    return LINK_OF_LOSS[LOSSES[loss] if isinstance(loss, str) else loss]


def check_link(link):
    if link not in LINKS:
        raise ValueError(f"link must be one of {LINKS}, got {link!r}.")
    return link


def inverse_link(link, raw):
    """Predictions from raw scores: the positive class's probability (logit), class
    probabilities per row (softmax), or the mean (identity, log)."""
    raw = np.asarray(raw, dtype=np.float64)
    if link == "logit":
        return 1.0 / (1.0 + np.exp(-raw))
    if link == "softmax":
        shifted = np.exp(raw - raw.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)
    if link == "log":
        return np.exp(raw)
    check_link(link)
    return raw


def class_probabilities(link, raw):
    """(n_rows, n_classes) probabilities of a classifier's raw scores (one column of log-odds
    for "logit", one logit per class for "softmax")."""
    p = inverse_link(link, raw)
    return np.column_stack([1.0 - p, p]) if link == "logit" else p


def class_log_probabilities(link, raw):
    """`class_probabilities`' logarithms, computed from the raw scores without underflow."""
    if link == "logit":
        return np.column_stack([log_expit(-raw), log_expit(raw)])
    return log_softmax(raw, axis=1)


def initial_score(loss, y, weight, n_classes=0):
    """The constant raw score that best fits y under `loss` (y holds class indices for
    multinomial, 0/1 for log-loss): the intercept training starts from."""
    if loss == MULTINOMIAL:
        prior = np.bincount(y.astype(np.intp), weights=weight, minlength=n_classes) / weight.sum()
        return np.log(np.clip(prior, 1e-12, None))
    mean = np.average(y, weights=weight)
    if loss == LOG_LOSS:
        mean = np.clip(mean, 1e-12, 1 - 1e-12)
        return float(np.log(mean / (1 - mean)))
    if loss == SQUARED_ERROR:
        return float(mean)
    return float(np.log(mean))


@njit(inline="always", **_JIT)
def state_of(loss, raw):
    """The training state of a raw score: exp(-raw) for log-loss, exp(raw) for Poisson and
    Gamma, the raw score for squared error; for multinomial, a class's probability before
    normalising, exp(raw). Adding to a raw score multiplies its state (adds, for squared error),
    so a boosting step needs no exp per row."""
    if loss == LOG_LOSS:
        return np.exp(-raw)
    if loss == SQUARED_ERROR:
        return raw
    return np.exp(raw)


@njit(inline="always", **_JIT)
def raw_of(loss, state):
    """The raw score of a training state: the inverse of `state_of`."""
    if loss == LOG_LOSS:
        return -np.log(state)
    if loss == SQUARED_ERROR:
        return state
    return np.log(state)


@njit(inline="always", **_JIT)
def state_gradient_hessian(loss, v, y):
    """First and second derivative of one row's loss with respect to its raw score, from the
    row's state `v` (see `state_of`)."""
    if loss == LOG_LOSS:
        p = 1.0 / (1.0 + v)
        h = p * (1.0 - p)
        return p - y, HESSIAN_FLOOR if HESSIAN_FLOOR > h else h
    if loss == SQUARED_ERROR:
        return v - y, 1.0
    if loss == POISSON:
        return v - y, v
    r = y / v  # GAMMA
    return 1.0 - r, r


@njit(inline="always", **_JIT)
def gradient_hessian(loss, raw, y):
    """First and second derivative of one row's loss with respect to its raw score."""
    return state_gradient_hessian(loss, state_of(loss, raw), y)


@njit(inline="always", **_JIT)
def state_loss(loss, v, y):
    """`row_loss` from the row's state `v` (see `state_of`), with one logarithm fewer than the
    raw score needs (for log-loss two instead of log, exp and log1p: at state q the loss is
    log(1 + q) - (1 - y) log q, for any target in [0, 1], as compressed rows carry), since
    early stopping evaluates it on every validation row every round."""
    if loss == LOG_LOSS:
        return np.log(1.0 + v) - (1.0 - y) * np.log(v)
    if loss == SQUARED_ERROR:
        return 0.5 * (v - y) ** 2
    if loss == POISSON:
        return v - y * np.log(v) + _saturated(loss, y)
    return y / v + np.log(v) + _saturated(loss, y)  # GAMMA


@njit(inline="always", **_JIT)
def _saturated(loss, y):
    """The term that makes a Poisson or Gamma row loss half its deviance, 0 at a perfect fit:
    without it the loss carries an offset in the target's units (y log s for a target scaled
    by s), and early stopping's relative tolerance would depend on the units."""
    if loss == POISSON:
        return y * np.log(y) - y if y > 0.0 else 0.0
    return -1.0 - np.log(y)  # GAMMA


@njit(inline="always", **_JIT)
def row_loss(loss, raw, y):
    """One row's loss at raw score `raw` (every loss but multinomial): half the squared error,
    the log-loss, and half the Poisson and Gamma deviances."""
    if loss == LOG_LOSS:
        return (0.0 if 0.0 > raw else raw) - raw * y + np.log1p(np.exp(-abs(raw)))
    if loss == SQUARED_ERROR:
        return 0.5 * (raw - y) ** 2
    if loss == POISSON:
        return np.exp(raw) - y * raw + _saturated(loss, y)
    return y * np.exp(-raw) + raw + _saturated(loss, y)  # GAMMA


@njit(inline="always", **_JIT)
def softmax(raw, out):
    """Class probabilities of one row's per-class raw scores into `out`; returns their
    log-sum-exp, so a row's multinomial loss is the result minus the target class's raw score."""
    m = raw.max()
    s = 0.0
    for c in range(raw.shape[0]):
        out[c] = np.exp(raw[c] - m)
        s += out[c]
    for c in range(raw.shape[0]):
        out[c] /= s
    return m + np.log(s)


@njit(inline="always", **_JIT)
def multinomial_row(raw, target, grad):
    """One row's multinomial loss over its per-class raw scores `raw`, with its gradient
    (probability minus indicator of the `target` class) written into `grad`."""
    log_total = softmax(raw, grad)
    grad[target] -= 1.0
    return log_total - raw[target]
