"""One bag's boosting: greedy rounds over a stage of terms with early stopping, and pair ranking.

A round is as many steps as the stage has terms. Each step goes to the term whose best update
gains most (`_kernels.boost_greedy`), every term's gain is re-measured every `REFRESH_ROUNDS`
rounds, and the first `smoothing_rounds` rounds apply random cuts to the chosen terms. Python here
only prepares flat arrays, runs the compiled rounds one call a round, and decides when to stop: on
validation loss, on `max_rounds`, or on the wall-clock deadline.
"""

import time
from dataclasses import dataclass

import numpy as np

from . import _kernels as K


REFRESH_ROUNDS = 10
"""Greedy rounds between two measurements of every term's gain. Between them a term's gain is
only re-measured when it leads, so a term whose gain grows because others changed waits at most
this many rounds; each measurement costs one pass per term, a tenth of the greedy steps."""


@dataclass
class Stage:
    """Terms boosted together, in the flat layout the kernels read (see `_kernels`)."""

    codes: np.ndarray
    offsets: np.ndarray
    dims_a: np.ndarray
    dims_b: np.ndarray
    categorical: np.ndarray
    monotone: np.ndarray

    @classmethod
    def build(cls, codes, shapes, categorical, monotone):
        """`codes`: (n_rows, n_terms) flat bin indices; `shapes`: (dims_a, dims_b) per term."""
        dims_a = np.array([s[0] for s in shapes], dtype=np.int64)
        dims_b = np.array([s[1] for s in shapes], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(dims_a * dims_b)]).astype(np.int64)
        return cls(np.asfortranarray(codes, dtype=np.uint16), offsets, dims_a, dims_b,
                   np.asarray(categorical, dtype=np.bool_), np.asarray(monotone, dtype=np.int64))

    @property
    def n_terms(self):
        return self.codes.shape[1]

    def term_scores(self, flat_scores, t):
        """Term t's block of a flat score array, shaped (dims_a, dims_b[, n_classes])."""
        block = flat_scores[self.offsets[t]:self.offsets[t + 1]]
        shape = (self.dims_a[t],) if self.dims_b[t] == 1 else (self.dims_a[t], self.dims_b[t])
        return block.reshape(shape + block.shape[1:])

    def raw_scores(self, flat_scores, out):
        """Add every term's score per row to `out` (n_rows,) or (n_rows, n_classes)."""
        K.add_term_scores(self.codes, self.offsets, flat_scores, out)
        return out

    def bin_sums(self, weight):
        out = np.zeros(self.offsets[-1])
        K.bin_sums(self.codes, self.offsets, weight, out)
        return out


@dataclass
class Settings:
    """What a bag's boosting needs beyond the data; `deadline` is a time.time() value or None."""

    loss: int
    learning_rate: float
    max_rounds: int
    early_stopping_rounds: int
    tol: float
    max_leaves: int
    min_samples_leaf: int
    l2: float
    max_delta: float
    deadline: float = None


@dataclass
class Bag:
    """One outer bag: its rows for training (weights zero elsewhere) and for validation."""

    seed: int
    train_weight: np.ndarray
    validation_rows: np.ndarray

    @property
    def train_indicator(self):
        return (self.train_weight > 0).astype(np.float64)


def make_bag(seed, classes, weight, validation_fraction):
    """A bag: a validation split of the positive-weight rows, stratified by class if given.

    Rows of zero weight take no part, so they change nothing (the same as removing them).
    """
    rng = np.random.default_rng(seed)
    present = np.flatnonzero(weight > 0)
    groups = [present] if classes is None else [present[classes[present] == c]
                                                for c in np.unique(classes[present])]
    validation = []
    if validation_fraction:
        for rows in groups:
            n_val = min(int(round(validation_fraction * len(rows))), len(rows) - 1)
            validation.append(rng.permutation(rows)[:n_val])
    validation = np.sort(np.concatenate(validation)) if validation else np.zeros(0, np.intp)
    train_weight = weight.astype(np.float64).copy()
    train_weight[validation] = 0.0
    return Bag(int(seed), train_weight, validation.astype(np.intp))


@dataclass
class StageResult:
    scores: np.ndarray
    rounds: int
    timed_out: bool


def boost_stage(stage, raw, y, weight, bag, settings, smoothing_rounds, rng):
    """Boost the terms of `stage` on top of the frozen raw scores `raw`; return the best scores."""
    multiclass = settings.loss == K.MULTINOMIAL
    n_terms = stage.n_terms
    counts = stage.bin_sums(bag.train_indicator)
    class_shape = raw.shape[1:]
    scores = np.zeros((stage.offsets[-1],) + class_shape)
    largest = int((stage.dims_a * stage.dims_b).max())
    grad = np.zeros((largest,) + class_shape)
    hess = np.zeros_like(grad)
    update = np.zeros_like(grad)
    if multiclass:
        state = raw.copy()
    else:
        state = K.state_from_scores(settings.loss, raw)
        factors = np.zeros(largest)

    validate = len(bag.validation_rows) > 0
    best_loss = _validation_loss(settings.loss, state, y, weight, bag) if validate else np.inf
    best_scores = scores.copy()
    best_round = 0
    rounds = 0
    timed_out = False
    gains = np.zeros(n_terms)
    leader = 0
    common = (stage.codes, stage.offsets, stage.dims_a, stage.dims_b, stage.categorical,
              stage.monotone)
    tail = (settings.max_leaves, settings.min_samples_leaf, settings.l2, settings.learning_rate,
            settings.max_delta)
    best_cuts = np.full(n_terms, -1.0)
    for rounds in range(1, settings.max_rounds + 1):
        if (rounds - 1) % REFRESH_ROUNDS == 0:
            if multiclass:
                leader = K.measure_gains_multiclass(*common, counts, state, y, bag.train_weight,
                                                    grad, hess, update, gains, *tail)
            else:
                leader = K.measure_gains(settings.loss, *common, counts, state, y,
                                         bag.train_weight, grad, hess, update, gains, *tail)
        draws = rng.random(n_terms) if rounds <= smoothing_rounds else best_cuts
        if multiclass:
            leader = K.boost_greedy_multiclass(*common, scores, counts, state, y,
                                               bag.train_weight, grad, hess, update, gains,
                                               leader, draws, *tail)
        else:
            leader = K.boost_greedy(settings.loss, *common, scores, counts, state, y,
                                    bag.train_weight, grad, hess, update, factors, gains, leader,
                                    draws, *tail)
        if validate:
            loss = _validation_loss(settings.loss, state, y, weight, bag)
            if loss < best_loss - settings.tol * abs(best_loss):
                best_loss = loss
                best_round = rounds
                best_scores[:] = scores
            elif rounds - best_round >= settings.early_stopping_rounds:
                break
        if settings.deadline is not None and time.time() > settings.deadline:
            timed_out = True
            break
    if not validate:
        best_scores, best_round = scores, rounds
    return StageResult(best_scores, best_round, timed_out)


def _validation_loss(loss, state, y, weight, bag):
    if loss == K.MULTINOMIAL:
        return K.mean_loss_multiclass(state, y, weight, bag.validation_rows)
    return K.mean_loss(loss, state, y, weight, bag.validation_rows)


def pair_gains(pair_codes, pair_sizes, candidates, raw, y, bag, loss, min_samples_leaf, l2):
    """FAST gain of every candidate pair on the bag's training rows, at the raw scores `raw`."""
    if loss == K.MULTINOMIAL:
        shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
        p = shifted / shifted.sum(axis=1, keepdims=True)
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y.astype(np.intp)] = 1.0
        grads = (bag.train_weight[:, None] * (p - onehot)).T
        hesses = (bag.train_weight[:, None] * np.maximum(p * (1 - p), 1e-16)).T
    else:
        g = np.empty(len(y))
        h = np.empty(len(y))
        K.gradients(loss, K.state_from_scores(loss, raw), y, bag.train_weight, g, h)
        grads, hesses = g[None], h[None]
    indicator = bag.train_indicator
    gains = np.zeros(len(candidates))
    for i, (a, b) in enumerate(candidates):
        for g, h in zip(grads, hesses):
            gains[i] += K.fast_pair_gain(pair_codes[:, a], pair_codes[:, b], pair_sizes[a],
                                         pair_sizes[b], np.ascontiguousarray(g),
                                         np.ascontiguousarray(h), indicator, min_samples_leaf, l2)
    return gains
