"""One bag's boosting: greedy rounds over a stage of terms with early stopping, and pair ranking.

A round is as many steps as the stage has terms. Each step goes to the term whose best update
gains most relative to that term's chance gain (`_kernels.boost_greedy`), every term's gain is
re-measured every `REFRESH_ROUNDS` rounds, and the first `smoothing_rounds` rounds apply random
cuts, to the chosen terms or (a *cyclic* booster) to every term in turn. Python here only
prepares flat arrays and runs the compiled rounds: the rounds between two measurements in one
call, which also stops on validation loss or on `max_rounds`; one round per call where Python
decides instead (a penalty, a row store, or the wall-clock deadline of `boost_lockstep`).

A bag may carry a *penalty* (a constraint on its predictions, e.g. `glassbox.fairness`'s parity
constraints): an object with `targets(raw)`, which returns the training targets of the next round
from the current raw scores of all rows (a constraint whose gradient is constant per row is the
loss's gradient at shifted targets), and `feasible`, whether the constraint held at those scores.
Only feasible rounds can become the bag's best round, and only they count towards the
early-stopping patience, so a constraint has time to be met (up to
`_kernels.INFEASIBLE_PATIENCE` times the patience in rounds since the best one).
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import _kernels as K
from . import _losses as L


REFRESH_ROUNDS = 10
"""Greedy rounds between two measurements of every term's gain. Between them a term's gain is
only re-measured when it leads, so a term whose gain grows because others changed waits at most
this many rounds; each measurement costs one pass per term, a tenth of the greedy steps."""

CHANCE_DRAWS = 8
"""Shuffles of the rows that measure each term's chance gain (`StageBooster._chance_gains`)."""

CHANCE_ROWS = 50_000
"""Rows sampled to measure chance gains on larger data."""

BLOCK_ROWS = 1 << 14
"""Rows per block when a bag's passes over the rows are split (data of at least BLOCKED_ROWS
rows): each block is histogrammed on its own and the blocks are added in order,
so a bag can use several threads (`Settings.row_threads`) and give the same result on any
number."""

BLOCKED_ROWS = 1 << 17
"""Fewer rows than this are passed over inside the compiled rounds (up to REFRESH_ROUNDS a call):
a pass is then too short for threads to pay for the Python step between passes."""


@dataclass
class Stage:
    """Terms boosted together, in the flat layout the kernels read (see `_kernels`); `codes` is
    None where the rows are held by a row store elsewhere (`glassbox.dask`)."""

    codes: np.ndarray
    offsets: np.ndarray
    dims_a: np.ndarray
    dims_b: np.ndarray
    categorical: np.ndarray
    monotone: np.ndarray

    @classmethod
    def build(cls, codes, shapes, categorical, monotone):
        """`codes`: (n_rows, n_terms) uint16 flat bin indices (main codes, or `pair_cells`);
        `shapes`: (dims_a, dims_b) per term. Other integer types are refused rather than cast,
        since a cast would wrap a bin index above 65,535 silently."""
        if codes.dtype != np.uint16:
            raise TypeError(f"Stage codes must be uint16 bin indices, got {codes.dtype}.")
        dims_a = np.array([s[0] for s in shapes], dtype=np.int64)
        dims_b = np.array([s[1] for s in shapes], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(dims_a * dims_b)]).astype(np.int64)
        return cls(np.asfortranarray(codes), offsets, dims_a, dims_b,
                   np.asarray(categorical, dtype=np.bool_), np.asarray(monotone, dtype=np.int64))

    @property
    def n_terms(self):
        return len(self.dims_a)

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


def pair_cells(columns, pairs, sizes):
    """The pair stage's codes: per pair (a, b), each row's cell `bin_a * sizes[b] + bin_b`,
    written column by column in the layout `Stage.build` keeps; `columns[j]` holds feature
    j's pair-bin codes of every row."""
    cells = np.empty((len(columns[pairs[0][0]]), len(pairs)), dtype=np.uint16, order="F")
    for k, (a, b) in enumerate(pairs):
        if sizes[a] * sizes[b] > np.iinfo(np.uint16).max + 1:
            raise ValueError("A term has more than 65,536 bins; lower max_bins or "
                             "max_interaction_bins.")
        cells[:, k] = columns[a].astype(np.int64) * sizes[b] + columns[b]
    return cells


@dataclass
class Settings:
    """What a bag's boosting needs beyond the data."""

    loss: int
    learning_rate: float
    max_rounds: int
    early_stopping_rounds: int
    tol: float
    max_leaves: int
    min_samples_leaf: int
    l2: float
    max_delta: float
    min_hessian: float
    row_threads: int = 1


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
    """A bag's stage: its best scores, the round they come from, the rounds run, whether the
    time budget cut it, and the validation loss at the best scores (inf without validation)."""

    scores: np.ndarray
    rounds: int
    rounds_run: int
    timed_out: bool
    loss: float = np.inf


class StageBooster:
    """One bag's boosting of one stage: `run` boosts the whole stage (`boost_stage`), `step`
    advances it one round, which a time-budgeted fit uses to advance all bags in lockstep
    (`boost_lockstep`), so the bags it keeps have done the same number of rounds.
    """

    def __init__(self, stage, raw, y, weight, bag, settings, smoothing_rounds, rng, penalty=None,
                 rows=None, cyclic=False):
        """`rows`, if given, is a row store that holds the rows elsewhere (`glassbox.dask`):
        then `raw`, `y`, `weight` and `bag` are not read, and the store makes the passes, the
        validation loss, the bin counts and the chance sample (see `ThreadedBlocks`). `cyclic`
        gives the smoothing rounds' random cuts to every term in turn instead of to the leader."""
        self.stage, self.y, self.weight, self.bag = stage, y, weight, bag
        self.targets, self.penalty = y, penalty
        self.settings, self.smoothing_rounds, self.rng = settings, smoothing_rounds, rng
        self.cyclic = cyclic
        self.multiclass = settings.loss == L.MULTINOMIAL
        n_terms = stage.n_terms
        class_shape = rows.class_shape if rows is not None else raw.shape[1:]
        self.scores = np.zeros((stage.offsets[-1],) + class_shape)
        largest = int((stage.dims_a * stage.dims_b).max())
        self.grad = np.zeros((largest,) + class_shape)
        self.hess = np.zeros_like(self.grad)
        self.update = np.zeros_like(self.grad)
        self.factors = np.zeros_like(self.grad)
        if rows is None:
            self.state = (K.probabilities_from_scores(raw) if self.multiclass
                          else K.state_from_scores(settings.loss, raw))
            if penalty is not None:
                self.targets = penalty.targets(raw)
            rows = ThreadedBlocks.for_booster(self)
        self.rows = rows
        self.counts = rows.counts() if rows is not None else stage.bin_sums(bag.train_indicator)
        self.gains = np.zeros(n_terms)
        self.leader = 0
        self.chance = np.ones(n_terms)  # raw gains while the chance gains are measured
        self.chance = self._chance_gains()
        self.best_cuts = np.full(n_terms, -1.0)
        self.validate = rows.validates if rows is not None else len(bag.validation_rows) > 0
        self.best_scores = self.scores.copy()
        # the early-stopping books (`_kernels.keep_books`): rounds, best round, best loss,
        # finished, feasible rounds since the best one, first loss
        first = self._validation_loss() if self.validate else np.inf
        self.progress = np.array([0.0, 0.0, first, 0.0, 0.0, first])
        self.timed_out = False

    @property
    def rounds(self):
        return int(self.progress[0])

    @property
    def finished(self):
        return bool(self.progress[3])

    def step(self):
        """One round (as many greedy steps as terms); False once the stage has finished."""
        st, stage = self.settings, self.stage
        measure = self.rounds % REFRESH_ROUNDS == 0
        draws = (self.rng.random(stage.n_terms) if self.rounds < self.smoothing_rounds
                 else self.best_cuts)
        if self.rows is not None:
            if measure:
                self.leader = self._measure_gains_in_blocks()
            self.leader = self._greedy_in_blocks(draws)
        else:
            self.leader = self._greedy(stage.codes, self.counts, self.state, self.targets,
                                       self.bag.train_weight, measure, draws[None])
        feasible = True
        if self.penalty is not None:
            self.targets = self.penalty.targets(L.raw_of(st.loss, self.state))
            feasible = self.penalty.feasible
        K.keep_books(self.progress, self.validate,
                     self._validation_loss() if self.validate else 0.0, feasible,
                     self.scores.reshape(-1), self.best_scores.reshape(-1), st.tol,
                     st.early_stopping_rounds, st.max_rounds)
        return not self.finished

    def run(self):
        """Rounds until the stage has finished. Without a penalty, a booster whose rows are in
        memory runs the rounds between two measurements of the gains (REFRESH_ROUNDS) in one
        compiled call, which also keeps the early-stopping books: the same rounds as `step`,
        without a Python step between them. (The kernel reads the validation loss against
        the targets, which only a penalty makes differ from `y`.)"""
        if self.rows is not None or self.penalty is not None:
            while self.step():
                pass
            return
        st, stage = self.settings, self.stage
        rows = self.bag.validation_rows if self.validate else np.zeros(0, np.intp)
        while not self.finished:  # from round 0, so every call starts with a measurement
            n = min(REFRESH_ROUNDS, st.max_rounds - self.rounds)
            draws = np.tile(self.best_cuts, (n, 1))
            for k in range(min(n, self.smoothing_rounds - self.rounds)):
                draws[k] = self.rng.random(stage.n_terms)
            self.leader = self._greedy(stage.codes, self.counts, self.state, self.targets,
                                       self.bag.train_weight, True, draws,
                                       (rows, self.weight, self.best_scores, self.progress))

    def _greedy(self, codes, counts, state, y, weight, measure, draws, books=None):
        """One compiled call: every term's gain re-measured first if `measure`, then a round
        of greedy steps per row of `draws`; returns the leader. `books`, if given, is
        (validation rows, their sample weights, best scores, progress) for the early-stopping
        books after each round (see `_kernels.boost_greedy`); without it no validation row
        is read, so nothing is written to the best scores."""
        st, stage = self.settings, self.stage
        rows, sample_weight, best_scores, progress = (
            books if books is not None else (np.zeros(0, np.intp), weight, self.scores,
                                             np.zeros(5)))
        common = (codes, stage.offsets, stage.dims_a, stage.dims_b, stage.categorical,
                  stage.monotone, self.scores, counts, state, y, weight, self.grad, self.hess,
                  self.update, self.factors, self.gains, self.chance, self.leader, measure, draws,
                  self.cyclic, st.max_leaves, st.min_samples_leaf, st.l2, st.learning_rate,
                  st.max_delta, st.min_hessian, rows, sample_weight, best_scores, progress, st.tol,
                  st.early_stopping_rounds, st.max_rounds)
        if self.multiclass:
            return K.boost_greedy_multiclass(*common)
        return K.boost_greedy(st.loss, *common)

    def _chance_gains(self):
        """Each term's gain when its bins are unrelated to the target, from the starting scores:
        the mean over CHANCE_DRAWS shuffles of the codes of (at most CHANCE_ROWS of) the rows.
        Greedy selection compares gains relative to these, so a feature offering many cuts
        (whose best cut fits noise well) does not crowd out one offering few (a binary risk
        factor) at equal real signal. A chance gain is a maximum of chi-square-like statistics
        and hardly depends on the number of rows, so a sample of them measures it."""
        stage = self.stage
        if self.rows is not None:
            codes, state, y, weight = self.rows.chance_sample(self.rng)
        else:
            codes, state, y, weight = local_chance_sample(self)
        indicator = (weight > 0).astype(np.float64)
        total = np.zeros(stage.n_terms)
        for _ in range(CHANCE_DRAWS):
            shuffled = Stage(np.asfortranarray(codes[self.rng.permutation(len(codes))]),
                             stage.offsets, stage.dims_a, stage.dims_b, stage.categorical,
                             stage.monotone)
            self._greedy(shuffled.codes, shuffled.bin_sums(indicator), state, y, weight, True,
                         np.zeros((0, 0)))
            total += self.gains
        chance = total / CHANCE_DRAWS
        positive = chance[chance > 0]  # a term that cannot cut has no chance gain: floor it
        floor = 0.1 * np.median(positive) if len(positive) else 1.0
        return np.maximum(chance, floor)

    def _pass(self, apply, t, following):
        """One pass over the rows: apply term t's last update (if `apply`: its per-bin state
        factors), then histogram term `following` into `grad` / `hess`."""
        self.rows.pass_(apply, t, following, self.factors, self.grad, self.hess)

    def _greedy_in_blocks(self, draws):
        """`_kernels.boost_greedy` with its passes over the rows made by the row store."""
        st, stage = self.settings, self.stage
        t = self.leader
        common = (stage.offsets, stage.dims_a, stage.dims_b, stage.categorical, stage.monotone,
                  self.scores, self.counts, self.grad, self.hess, self.update, self.factors)
        tail = (self.gains, self.chance, st.max_leaves, st.min_samples_leaf, st.l2,
                st.learning_rate, st.max_delta, st.min_hessian)
        for step, draw in enumerate(draws):
            turn = (draw, self.cyclic, step, len(draws))
            if self.multiclass:
                applied, following = K.greedy_choice_multiclass(t, *turn, *common, *tail)
            else:
                applied, following = K.greedy_choice(st.loss, t, *turn, *common, *tail)
            if following < 0:
                if applied:  # the update reaches the rows before the round ends
                    self._pass(True, t, t)
                break
            self._pass(applied, t, following)
            t = following
        return t

    def _measure_gains_in_blocks(self):
        """`_greedy`'s measurement with its passes over the rows made by the row store."""
        st, stage = self.settings, self.stage
        gain = K.term_gain_multiclass if self.multiclass else K.term_gain
        for t in range(stage.n_terms):
            self._pass(False, t, t)
            self.gains[t] = gain(
                t, self.grad, self.hess, self.counts, stage.offsets, stage.dims_a, stage.dims_b,
                stage.categorical, stage.monotone, st.max_leaves, st.min_samples_leaf, st.l2,
                st.learning_rate, st.max_delta, st.min_hessian, self.update) / self.chance[t]
        leader = int(np.argmax(self.gains))
        if leader != stage.n_terms - 1:
            self._pass(False, leader, leader)
        return leader

    def result(self):
        if self.rows is not None:
            self.rows.close()
        if not self.validate:
            return StageResult(self.scores, self.rounds, self.rounds, self.timed_out)
        return StageResult(self.best_scores, int(self.progress[1]), self.rounds, self.timed_out,
                           float(self.progress[2]))

    def _validation_loss(self):
        """Weighted mean loss of the bag's validation rows."""
        if self.rows is not None:
            return self.rows.validation_loss()
        rows = self.bag.validation_rows
        if self.multiclass:
            return K.mean_loss_multiclass(self.state, self.y, self.weight, rows)
        return K.mean_loss(self.settings.loss, self.state, self.y, self.weight, rows)


def local_chance_sample(booster):
    """The rows whose shuffles measure the chance gains, in memory: every row of positive
    weight, or CHANCE_ROWS of them drawn with the booster's generator. Returns their codes,
    state, targets and bag weights."""
    rows = np.flatnonzero(booster.weight > 0)  # rows of zero weight take no part
    if len(rows) > CHANCE_ROWS:
        rows = np.sort(booster.rng.choice(rows, CHANCE_ROWS, replace=False))
    return (booster.stage.codes[rows], booster.state[rows], booster.y[rows],
            booster.bag.train_weight[rows])


class ThreadedBlocks:
    """A row store for rows in memory: one bag's passes over the rows split into blocks of
    BLOCK_ROWS rows, shared by `Settings.row_threads` threads, the blocks' histograms added in
    block order (so the thread count changes nothing).

    The protocol of a row store, which `StageBooster` reads: `validates`, `class_shape` (the
    shape of a row's score: () or (n_classes,)), `counts()`,
    `pass_(apply, t, following, factors, grad, hess)`, `validation_loss()`,
    `chance_sample(rng)` and `close()`.
    """

    def __init__(self, booster):
        self.booster = booster
        n_rows = len(booster.y)
        self.starts = np.append(np.arange(0, n_rows, BLOCK_ROWS), n_rows).astype(np.int64)
        n_blocks = len(self.starts) - 1
        self.part_grad = np.zeros((n_blocks,) + booster.grad.shape)
        self.part_hess = np.zeros_like(self.part_grad)
        threads = max(1, min(booster.settings.row_threads, n_blocks))
        edges = np.linspace(0, n_blocks, threads + 1).astype(np.int64)
        self.spans = list(zip(edges[:-1], edges[1:]))
        self.validation_rows = booster.bag.validation_rows
        self.validates = len(self.validation_rows) > 0
        self.class_shape = booster.state.shape[1:]
        self.cuts = np.searchsorted(self.validation_rows, self.starts).astype(np.int64)
        self.validation_weights = np.array([booster.weight[self.validation_rows[a:b]].sum()
                                            for a, b in zip(self.cuts[:-1], self.cuts[1:])])
        self.part_losses = np.zeros(n_blocks)
        self.pool = ThreadPoolExecutor(max_workers=threads - 1) if threads > 1 else None

    @classmethod
    def for_booster(cls, booster):
        """The store of a booster's rows, or None for data of fewer than BLOCKED_ROWS rows
        (their passes run inside the compiled rounds)."""
        if len(booster.y) < BLOCKED_ROWS:
            return None
        return cls(booster)

    def counts(self):
        return self.booster.stage.bin_sums(self.booster.bag.train_indicator)

    def chance_sample(self, rng):
        return local_chance_sample(self.booster)

    def pass_(self, apply, t, following, factors, grad, hess):
        b = self.booster
        codes = b.stage.codes
        args = (b.settings.loss, apply, codes[:, t], factors, codes[:, following], b.state,
                b.targets, b.bag.train_weight, self.starts)
        self._on_threads(lambda first, last: K.block_pass(*args, first, last, self.part_grad,
                                                          self.part_hess))
        n_blocks = len(self.part_grad)
        K.sum_blocks(self.part_grad.reshape(n_blocks, -1), self.part_hess.reshape(n_blocks, -1),
                     grad.reshape(-1), hess.reshape(-1))

    def _on_threads(self, run):
        """`run(first, last)` over every thread's span of blocks; this thread takes the first."""
        others = [self.pool.submit(run, *span) for span in self.spans[1:]]
        run(*self.spans[0])
        for other in others:
            other.result()

    def validation_loss(self):
        """By blocks, added in order."""
        b = self.booster
        self._on_threads(lambda first, last: K.block_losses(
            b.settings.loss, b.state, b.y, b.weight, self.validation_rows, self.cuts, first,
            last, self.part_losses))
        return float(self.part_losses @ self.validation_weights / self.validation_weights.sum())

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def boost_stage(stage, raw, y, weight, bag, settings, smoothing_rounds, rng, penalty=None,
                cyclic=False):
    """Boost the terms of `stage` on top of the frozen raw scores `raw` until the stage stops;
    return the best scores."""
    booster = StageBooster(stage, raw, y, weight, bag, settings, smoothing_rounds, rng, penalty,
                           cyclic=cyclic)
    booster.run()
    return booster.result()


def past(deadline):
    """Whether the wall clock has passed `deadline` (None: no deadline)."""
    return deadline is not None and time.time() > deadline


def unless_past(deadline, function, *args):
    """`function(*args)`, or None without calling it once the wall clock has passed `deadline`:
    work queued behind a budget (one bag's pair ranking) is skipped rather than overrun it."""
    return None if past(deadline) else function(*args)


def boost_lockstep(boosters, deadline, n_jobs):
    """Advance every booster one round at a time, all together, on `n_jobs` threads, until all
    have finished or the wall clock passes `deadline` (the unfinished ones are then marked
    timed out). Returns the results in order."""
    active = list(boosters)
    with ThreadPoolExecutor(max_workers=max(1, min(n_jobs, len(active)))) as pool:
        while active:
            list(pool.map(lambda b: b.step(), active))
            active = [b for b in active if not b.finished]
            if active and past(deadline):
                for b in active:
                    b.timed_out = True
                break
    return [b.result() for b in boosters]


def shuffled_training_rows(indicator, seed):
    """Positions 0..n-1 with those of training rows (`indicator` > 0) permuted among
    themselves: held-out and zero-weight rows take no part in a chance level's shuffle."""
    order = np.arange(len(indicator))
    train = np.flatnonzero(indicator > 0)
    order[train] = train[np.random.default_rng(seed).permutation(len(train))]
    return order


def pair_gains(pair_codes, pair_sizes, candidates, raw, y, bag, loss, min_samples_leaf, l2,
               threads=1):
    """FAST gain of every candidate pair on the bag's training rows, at the raw scores `raw`,
    and its chance level: the same pair's gain with the second feature's values shuffled over
    the training rows, which keeps both features' distributions and removes any interaction.
    The candidates sharing a second feature share its shuffled copy; groups of them run on
    `threads` threads (each candidate's gains are its own, so the result does not depend on
    the thread count).

    Returns an array (2, n_candidates): gains, then chance gains.
    """
    if loss == L.MULTINOMIAL:
        p = L.inverse_link("softmax", raw)
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y.astype(np.intp)] = 1.0
        grads = (bag.train_weight[:, None] * (p - onehot)).T
        hesses = (bag.train_weight[:, None] * np.maximum(p * (1 - p), L.HESSIAN_FLOOR)).T
    else:
        g = np.empty(len(y))
        h = np.empty(len(y))
        K.gradients(loss, K.state_from_scores(loss, raw), y, bag.train_weight, g, h)
        grads, hesses = g[None], h[None]
    indicator = bag.train_indicator
    shuffle = shuffled_training_rows(indicator, bag.seed + 2)
    columns = {j: np.ascontiguousarray(pair_codes[:, j]) for pair in candidates for j in pair}
    grads = [np.ascontiguousarray(g) for g in grads]
    hesses = [np.ascontiguousarray(h) for h in hesses]
    gains = np.zeros((2, len(candidates)))
    by_second = {}
    for i, (_, b) in enumerate(candidates):
        by_second.setdefault(b, []).append(i)

    def rank(b):
        for second, out in ((columns[b], gains[0]), (columns[b][shuffle], gains[1])):
            for i in by_second[b]:
                a = candidates[i][0]
                for g, h in zip(grads, hesses):
                    out[i] += K.fast_pair_gain(columns[a], second, pair_sizes[a], pair_sizes[b],
                                               g, h, indicator, min_samples_leaf, l2)

    if threads > 1 and len(by_second) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(by_second))) as pool:
            list(pool.map(rank, by_second))
    else:
        for b in by_second:
            rank(b)
    return gains
