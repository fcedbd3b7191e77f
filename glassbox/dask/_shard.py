"""A shard: the chunks of rows one worker holds for a whole data-parallel fit, and what it
computes on them at each step.

A shard keeps its rows' bin codes, targets and weights, and per bag and stage the rows' training
state, from the start of the fit to its end; the driver sends it one small message per boosting
step (which term's update to apply, which term to histogram) and gets back the sums of its
chunks (`_tree`). In a Dask cluster a shard lives in an actor (`ShardActor`); on in-memory data
the same class is called directly, so a fit on a cluster and one in memory are the same
arithmetic.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .. import _kernels as K
from .. import _losses as L
from .._boosting import pair_cells, shuffled_training_rows
from ._hashing import row_keys, row_uniforms, smallest_keys
from ._tree import node_value, nodes_within

_SAMPLE_STREAM = 0x5EED
"""Added to a bag's seed for its subsample draws, so that they are independent of its
validation draws."""


@dataclass
class _Rows:
    """Rows of a shard in chunk order: all of them, or a bag's subsample. `starts[k]` is where
    local chunk k starts (every chunk has an entry, empty or not)."""

    codes: dict
    y: np.ndarray
    weight: np.ndarray
    rows: np.ndarray
    starts: np.ndarray

    def subset(self, keep):
        """The rows at positions `keep` (sorted), with the chunks they fall in."""
        return _Rows({stage: np.asfortranarray(c[keep]) for stage, c in self.codes.items()},
                     self.y[keep], self.weight[keep], self.rows[keep],
                     np.searchsorted(keep, self.starts).astype(np.int64))


class Shard:
    """Chunks first..last - 1 of a table of `n_chunks` chunks of `chunk_rows` rows."""

    def __init__(self, spec, *parts):
        """`spec`: n_chunks, chunk_rows, first, last, n_rows, loss, n_classes, main_offsets,
        threads; `parts`: the binned partitions (`_data.BinnedPartition`) that hold its rows,
        in row order."""
        self.n_chunks, self.chunk_rows = spec["n_chunks"], spec["chunk_rows"]
        self.first, self.last, self.loss = spec["first"], spec["last"], spec["loss"]
        self.n_classes = spec.get("n_classes", 0)
        self.multiclass = self.loss == L.MULTINOMIAL
        row0 = self.first * self.chunk_rows
        row1 = min(self.last * self.chunk_rows, spec["n_rows"])
        pieces = [p.rows_between(row0, row1) for p in parts]
        pieces = [p for p in pieces if p is not None]
        y = np.concatenate([p[1] for p in pieces])
        if len(y) != row1 - row0:
            raise RuntimeError(f"shard of rows {row0}..{row1 - 1} received {len(y)} rows")
        rows = _Rows({"main": np.asfortranarray(np.concatenate([p[0] for p in pieces]))},
                     y, np.concatenate([p[2] for p in pieces]),
                     np.arange(row0, row1, dtype=np.int64),
                     np.append(np.arange(0, len(y), self.chunk_rows), len(y)).astype(np.int64))
        self.row_level = rows
        self.uncompress()
        if spec.get("compress", False):
            self._compress(spec["compress"] == "auto")
        self.nodes = nodes_within(self.n_chunks, self.first, self.last)
        self.offsets = {"main": np.asarray(spec["main_offsets"], dtype=np.int64)}
        self.bags = {}
        self.states = {}
        self.main_raw = {}

    def _compress(self, only_if_smaller):
        """Rows that share every bin code (and, for softmax, the class) become one unit per
        chunk, carrying their weight, weighted target, rows of positive weight and (per bag)
        training and validation sums: the same histograms and losses, summed in another order.
        With `only_if_smaller`, a chunk is compressed only where it has at most half as many
        distinct rows as rows (an upper bound from each column's distinct codes decides first
        whether counting them is worth it)."""
        rows = self.row_level
        codes = rows.codes["main"]
        key = (np.column_stack([codes, rows.y.astype(np.uint16)]) if self.multiclass
               else codes)
        unit_of_row, firsts, starts = np.empty(len(rows.y), np.int64), [], [0]
        for k in range(len(rows.starts) - 1):
            lo, hi = rows.starts[k], rows.starts[k + 1]
            block = key[lo:hi]
            hopeless = only_if_smaller and np.prod(
                [len(np.unique(c)) for c in block.T], dtype=np.float64) > 64 * (hi - lo)
            if not hopeless:
                _, first, inverse = np.unique(block, axis=0, return_index=True,
                                              return_inverse=True)
            if hopeless or (only_if_smaller and 2 * len(first) > hi - lo):
                first, inverse = np.arange(hi - lo), np.arange(hi - lo)
            unit_of_row[lo:hi] = starts[-1] + inverse.ravel()
            firsts.append(lo + first)
            starts.append(starts[-1] + len(first))
        first = np.concatenate(firsts)
        n_units = len(first)

        def per_unit(values):
            return np.bincount(unit_of_row, weights=values, minlength=n_units)
        weight = per_unit(rows.weight)
        self.weighted_y = per_unit(rows.weight * rows.y)
        self.present = per_unit((rows.weight > 0).astype(np.float64))
        y = (rows.y[first] if self.multiclass
             else np.divide(self.weighted_y, weight, out=np.zeros(n_units), where=weight > 0))
        self.unit_of_row = unit_of_row
        self.all = _Rows({"main": np.asfortranarray(codes[first])}, y, weight, rows.rows[first],
                         np.asarray(starts, dtype=np.int64))

    def uncompress(self):
        """Boost the rows themselves: the shard as built without compression (the driver asks
        for it when compression shrank no chunk of the whole table, so no shard holds a
        second copy of its codes and per-unit sums that sum one row each)."""
        rows = self.row_level
        self.unit_of_row = None
        self.all = rows
        self.present = (rows.weight > 0).astype(np.float64)
        self.weighted_y = rows.weight * rows.y

    def units(self):
        """(rows, units) this shard holds: how much compression shrank it."""
        return len(self.row_level.y), len(self.all.y)

    # sums over chunks --------------------------------------------------------------------------

    def _node_sums(self, per_chunk):
        """{(level, index): value} of this shard's tree nodes from `per_chunk(k)`, local chunk
        k's value, computed one chunk at a time and folded as they come: a shard holds a few
        chunk values at once, however many chunks it has (a pair ranking's are megabytes)."""
        return {(level, index): node_value(per_chunk(k - self.first) for k in range(lo, hi))
                for level, index, lo, hi in self.nodes}

    # set-up ------------------------------------------------------------------------------------

    def totals(self):
        """Per node: (sum of weights, sum of weight * y, rows of positive weight, then the
        weight of each class for softmax)."""
        rows = self.all

        def chunk(k):
            lo, hi = rows.starts[k], rows.starts[k + 1]
            w, y = rows.weight[lo:hi], rows.y[lo:hi]
            per_class = (np.bincount(y.astype(np.intp), weights=w, minlength=self.n_classes)
                         if self.multiclass else [])
            return np.concatenate([[w.sum(), self.weighted_y[lo:hi].sum(),
                                    self.present[lo:hi].sum()], per_class])
        return self._node_sums(chunk)

    def bin_sums(self, stage, what, bag=None):
        """Per node: each term's per-bin sum of `what`: "weight", "present" (rows of positive
        weight) or "train" (the bag's training rows)."""
        if what == "train":
            rows, values = self.bags[bag]["rows"], self._train_counts(self.bags[bag])
        else:
            rows = self.all
            values = rows.weight if what == "weight" else self.present
        codes, offsets = rows.codes[stage], self.offsets[stage]

        def chunk(k):
            lo, hi = rows.starts[k], rows.starts[k + 1]
            out = np.zeros(offsets[-1])
            K.bin_sums(codes[lo:hi], offsets, values[lo:hi], out)
            return out
        return self._node_sums(chunk)

    def add_bag(self, bag, seed, validation_fraction, subsample=1.0, negative_subsample=1.0):
        """A bag: each row of positive weight kept with probability `subsample` (times
        `negative_subsample` for a row of class 0), and of those, each held out for validation
        with probability `validation_fraction`; every draw by a hash of (seed, row). A bag of a
        subsample holds copies of its rows only, so its passes cost in proportion. Returns the
        held-out rows' count."""
        rows = self.row_level
        rate = np.full(len(rows.y), float(subsample))
        if negative_subsample < 1.0:
            rate[rows.y == 0] *= negative_subsample
        kept = rows.weight > 0
        sampled = bool((rate < 1.0).any())
        if sampled:
            kept &= row_uniforms(seed + _SAMPLE_STREAM, rows.rows) < rate
        held_out = (kept & (row_uniforms(seed, rows.rows) < validation_fraction)
                    if validation_fraction else np.zeros(len(rows.y), dtype=bool))
        record = (self._row_bag(rows, kept, held_out, sampled) if self.unit_of_row is None
                  else self._unit_bag(rows, kept, held_out, sampled))
        validation = record.pop("validation")
        cuts = np.searchsorted(validation, record["rows"].starts)
        record["parts"] = [validation[cuts[k]:cuts[k + 1]]
                           for k in range(len(cuts) - 1)]
        self.bags[bag] = record
        return int(np.count_nonzero(held_out))

    @staticmethod
    def _row_bag(rows, kept, held_out, sampled):
        """A bag over rows: the training weights (zero on held-out rows); the validation rows'
        weights are read from the rows' own, at the validation positions only, and the
        training rows' counts derived when needed (`_train_counts`), so a bag costs a shard 16
        bytes a row with its state."""
        keep = np.flatnonzero(kept) if sampled else None
        if keep is not None:
            rows, held_out = rows.subset(keep), held_out[keep]
        train_weight = rows.weight.copy()
        train_weight[held_out] = 0.0
        return {"rows": rows, "keep": keep, "train_weight": train_weight, "counts": None,
                "val_y": rows.y, "val_w": rows.weight, "validation": np.flatnonzero(held_out),
                "spread": None}

    @staticmethod
    def _train_counts(record):
        """Training rows per row or unit of a bag."""
        if record["counts"] is not None:
            return record["counts"]
        return (record["train_weight"] > 0).astype(np.float64)

    def _unit_bag(self, rows, kept, held_out, sampled):
        """A bag over compressed units: each unit's sums over its rows in the bag's training
        part and in its validation part."""
        units = self.all
        train = kept & ~held_out

        def per_unit(values):
            return np.bincount(self.unit_of_row, weights=values, minlength=len(units.y))

        def mean(weighted, weight):
            return np.divide(weighted, weight, out=np.zeros(len(weight)), where=weight > 0)
        w_train = per_unit(np.where(train, rows.weight, 0.0))
        w_val = per_unit(np.where(held_out, rows.weight, 0.0))
        spread = None
        if self.multiclass:
            y_train = y_val = units.y
        else:
            y_train = mean(per_unit(np.where(train, rows.weight * rows.y, 0.0)), w_train)
            y_val = mean(per_unit(np.where(held_out, rows.weight * rows.y, 0.0)), w_val)
            if self.loss == L.SQUARED_ERROR:  # the part of the loss a unit's mean leaves out
                spread = per_unit(np.where(held_out, rows.weight
                                           * (rows.y - y_val[self.unit_of_row]) ** 2, 0.0)) / 2
        record = {"rows": _Rows(units.codes, y_train, w_train, units.rows, units.starts),
                  "keep": None, "train_weight": w_train,
                  "counts": per_unit(train.astype(np.float64)), "val_y": y_val, "val_w": w_val,
                  "spread": spread, "row_kept": kept,
                  "row_train_weight": np.where(train, rows.weight, 0.0)}
        if sampled:
            keep = np.flatnonzero((w_train > 0) | (w_val > 0))
            record["rows"], record["keep"] = record["rows"].subset(keep), keep
            for name in ("train_weight", "counts", "val_y", "val_w", "spread"):
                if record[name] is not None:
                    record[name] = record[name][keep]
        record["validation"] = np.flatnonzero(record["val_w"] > 0)
        return record

    def start(self, bag, stage, init):
        """The bag's training state at the start of a stage: from the constant `init` (main
        effects) or from the bag's main-effect scores (pairs)."""
        raw = (self.main_raw.pop(bag) if stage == "pairs"
               else self._constant(init, len(self.bags[bag]["rows"].y)))
        self.states[(bag, stage)] = (K.probabilities_from_scores(raw) if self.multiclass
                                     else K.state_from_scores(self.loss, raw))

    def _constant(self, init, n):
        """n rows' raw scores at the constant `init` (a vector per row for softmax)."""
        if self.multiclass:
            return np.tile(np.asarray(init, dtype=np.float64), (n, 1))
        return np.full(n, float(init))

    def set_main_scores(self, bag, scores, init):
        """The bag's raw scores after the main effects: the pair stage starts from them."""
        rows = self.bags[bag]["rows"]
        raw = self._constant(init, len(rows.y))
        K.add_term_scores(rows.codes["main"], self.offsets["main"], scores, raw)
        self.main_raw[bag] = raw
        self.states.pop((bag, "main"), None)

    def set_pairs(self, pairs, pair_sizes, lookups):
        """The pair stage's codes: each pair's cell of the rows (`lookups` map a feature's main
        bins onto its pair bins), for all rows and every bag's subsample."""
        main = self.all.codes["main"]
        coarse = {j: np.asarray(lookups[j])[main[:, j]] for pair in pairs for j in pair}
        codes = pair_cells(coarse, pairs, pair_sizes)
        self.all.codes["pairs"] = codes
        for record in self.bags.values():
            if record["keep"] is not None:
                record["rows"].codes["pairs"] = np.asfortranarray(codes[record["keep"]])
        sizes = [pair_sizes[a] * pair_sizes[b] for a, b in pairs]
        self.offsets["pairs"] = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    # boosting ----------------------------------------------------------------------------------

    def pass_(self, bag, stage, apply, t, following, factors):
        """One step's pass: apply term t's update (if `apply`) to the rows' state, then
        histogram term `following` (`factors`: the update's per-bin state factors). Per node:
        gradient and hessian, (2, bins of `following`[, classes])."""
        rows = self.bags[bag]["rows"]
        codes, offsets = rows.codes[stage], self.offsets[stage]
        size = int(offsets[following + 1] - offsets[following])
        state = self.states[(bag, stage)]
        weight = self.bags[bag]["train_weight"]
        apply_codes, next_codes = codes[:, t], codes[:, following]

        if not self.multiclass:
            n_local = self.last - self.first
            parts = np.empty((n_local, 2, size))
            grad, hess = np.empty((n_local, size)), np.empty((n_local, size))
            K.block_pass(self.loss, apply, apply_codes, factors, next_codes, state, rows.y,
                         weight, rows.starts, 0, n_local, grad, hess)
            parts[:, 0], parts[:, 1] = grad, hess
            return self._node_sums(lambda k: parts[k])

        def chunk(k):
            lo, hi = rows.starts[k], rows.starts[k + 1]
            out = np.zeros((2, size, self.n_classes))
            K.apply_then_histogram_multiclass(apply, apply_codes[lo:hi], factors,
                                              next_codes[lo:hi], state[lo:hi], rows.y[lo:hi],
                                              weight[lo:hi], out[0], out[1])
            return out
        return self._node_sums(chunk)

    def validation_loss(self, bag, stage):
        """Per node: (sum of weight * loss, sum of weight) over the bag's validation rows."""
        record = self.bags[bag]
        y, w, spread, parts = record["val_y"], record["val_w"], record["spread"], record["parts"]
        state = self.states[(bag, stage)]

        def chunk(k):
            held_out = parts[k]
            if not len(held_out):
                return np.zeros(2)
            wsum = w[held_out].sum()
            mean = (K.mean_loss_multiclass(state, y, w, held_out) if self.multiclass
                    else K.mean_loss(self.loss, state, y, w, held_out))
            extra = spread[held_out].sum() if spread is not None else 0.0
            return np.array([mean * wsum + extra, wsum])
        return self._node_sums(chunk)

    def chance_sample(self, bag, stage, seed, k):
        """The bag's bottom-k rows of positive weight on this shard by the hash of (seed, row):
        their keys, rows, codes, state, targets and bag weights (the driver keeps the bottom k
        of all)."""
        record = self.bags[bag]
        if self.unit_of_row is not None:
            return self._unit_chance_sample(record, stage, seed, k, self.states[(bag, stage)])
        rows = record["rows"]
        present = np.flatnonzero((record["train_weight"] > 0) | (record["val_w"] > 0))
        keys = row_keys(seed, rows.rows[present])
        chosen = np.sort(present[smallest_keys(keys, rows.rows[present], k)])
        return (row_keys(seed, rows.rows[chosen]), rows.rows[chosen],
                rows.codes[stage][chosen], self.states[(bag, stage)][chosen], rows.y[chosen],
                self.bags[bag]["train_weight"][chosen])

    def _unit_chance_sample(self, record, stage, seed, k, state):
        """The chance sample of a compressed bag: the same rows an uncompressed one draws,
        each with its unit's codes and state (which every row of the unit shares)."""
        rows = self.row_level
        present = np.flatnonzero(record["row_kept"])
        keys = row_keys(seed, rows.rows[present])
        chosen = np.sort(present[smallest_keys(keys, rows.rows[present], k)])
        units = self.unit_of_row[chosen]
        if record["keep"] is not None:
            units = np.searchsorted(record["keep"], units)
        return (row_keys(seed, rows.rows[chosen]), rows.rows[chosen],
                record["rows"].codes[stage][units], state[units], rows.y[chosen],
                record["row_train_weight"][chosen])

    def pair_histograms(self, bag, candidates, lookups, pair_sizes, seed):
        """FAST histograms of every candidate pair at the bag's main-effect scores, and of the
        same pair with the second feature's values shuffled among each chunk's training rows
        (its chance level, as `_boosting.pair_gains` shuffles a bag's training rows). Per node:
        one flat array, candidate after candidate, each (2, classes, 3, na, nb) (one class but
        for softmax): real then shuffled; gradient, hessian, training rows."""
        record = self.bags[bag]
        rows, raw = record["rows"], self.main_raw[bag]
        real = self._pair_inputs(rows, raw, record["train_weight"],
                                 self._train_counts(record), candidates, lookups)
        shuffled = real if self.unit_of_row is None else self._row_pair_inputs(
            record, raw, candidates, lookups)
        n_out = len(real[0])
        sizes = [6 * n_out * pair_sizes[a] * pair_sizes[b] for a, b in candidates]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

        def chunk(k):
            out = np.zeros(offsets[-1])
            for s, (grads, hesses, indicator, coarse, starts) in enumerate((real, shuffled)):
                lo, hi = starts[k], starts[k + 1]
                order = slice(lo, hi) if s == 0 else \
                    shuffled_training_rows(indicator[lo:hi], [seed, self.first + k]) + lo
                for i, (a, b) in enumerate(candidates):
                    na, nb = pair_sizes[a], pair_sizes[b]
                    cells = out[offsets[i]:offsets[i + 1]].reshape(2, n_out, 3, na, nb)
                    for c, (grad, hess) in enumerate(zip(grads, hesses)):
                        K.pair_histogram(coarse[a][lo:hi], coarse[b][order], grad[lo:hi],
                                         hess[lo:hi], indicator[lo:hi], *cells[s, c])
            return out
        return self._node_sums(chunk)

    def _pair_inputs(self, rows, raw, weight, counts, candidates, lookups):
        """(gradients, hessians, training rows, pair codes by feature, chunk starts) of rows
        (or units) for the FAST histograms."""
        grads, hesses = self._gradients(rows.y, raw, weight)
        main = rows.codes["main"]
        coarse = {j: np.asarray(lookups[j])[main[:, j]] for pair in candidates for j in pair}
        return grads, hesses, counts, coarse, rows.starts

    def _row_pair_inputs(self, record, raw, candidates, lookups):
        """`_pair_inputs` of a compressed bag's rows themselves, each with its unit's codes and
        scores: the chance level shuffles rows, as an uncompressed fit does."""
        rows = self.row_level
        units = self.unit_of_row
        if record["keep"] is not None:
            kept = np.flatnonzero(record["row_kept"])
            rows, units = rows.subset(kept), np.searchsorted(record["keep"], units[kept])
            weight = record["row_train_weight"][kept]
        else:
            weight = record["row_train_weight"]
        expanded = _Rows({"main": record["rows"].codes["main"][units]}, rows.y, weight,
                         rows.rows, rows.starts)
        return self._pair_inputs(expanded, raw[units], weight,
                                 (weight > 0).astype(np.float64), candidates, lookups)

    def _gradients(self, y, raw, weight):
        """Per-row weighted gradients and hessians at raw scores `raw`, one array per class
        for softmax (as `_boosting.pair_gains` computes them)."""
        if self.multiclass:
            p = L.inverse_link("softmax", raw)
            onehot = np.zeros_like(p)
            onehot[np.arange(len(y)), y.astype(np.intp)] = 1.0
            grads = np.ascontiguousarray((weight[:, None] * (p - onehot)).T)
            hesses = np.ascontiguousarray(
                (weight[:, None] * np.maximum(p * (1 - p), L.HESSIAN_FLOOR)).T)
            return list(grads), list(hesses)
        grad, hess = np.empty(len(raw)), np.empty(len(raw))
        K.gradients(self.loss, K.state_from_scores(self.loss, raw), y, weight, grad, hess)
        return [grad], [hess]


class ShardActor:
    """A `Shard` as a Dask actor: its methods run on the shard's own threads, so the calls of
    several bags proceed at once on a worker (Dask runs an actor's plain methods one at a time
    on a single thread)."""

    def __init__(self, spec, *parts):
        self.shard = Shard(spec, *parts)
        self.threads = max(1, spec.get("threads", 1))
        self.calls = ThreadPoolExecutor(self.threads)

    async def call_many(self, requests):
        """[(method, args)] -> their results, run at once on the shard's threads (one job per
        thread, so a batch wakes the event loop once per thread, not once per call)."""
        loop = asyncio.get_running_loop()
        n_jobs = min(self.threads, len(requests))
        jobs = await asyncio.gather(*(
            loop.run_in_executor(self.calls, self._run, requests[j::n_jobs])
            for j in range(n_jobs)))
        results = [None] * len(requests)
        for j, done in enumerate(jobs):
            results[j::n_jobs] = done
        return results

    def _run(self, requests):
        return [getattr(self.shard, m)(*a) for m, a in requests]

    def ping(self):
        return True
