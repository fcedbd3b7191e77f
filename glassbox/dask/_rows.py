"""The row store of one bag's stage whose rows are held by shards (`_boosting.StageBooster`
reads it as it reads `ThreadedBlocks`)."""

import numpy as np

from .._boosting import CHANCE_ROWS


class ShardedRows:
    """One bag's stage ("main" or "pairs") over the shards of `workers`."""

    def __init__(self, workers, n_chunks, bag, stage, seed, validates, class_shape):
        self.workers, self.n_chunks = workers, n_chunks
        self.bag, self.stage, self.seed, self.validates = bag, stage, seed, validates
        self.class_shape = class_shape

    def _sum(self, method, *args):
        return self.workers.tree_sum(self.n_chunks, method, self.bag, self.stage, *args)

    def counts(self):
        return self.workers.tree_sum(self.n_chunks, "bin_sums", self.stage, "train", self.bag)

    def pass_(self, apply, t, following, factors, grad, hess):
        sums = self._sum("pass_", bool(apply), int(t), int(following), factors)
        size = sums.shape[1]
        grad[:] = 0.0
        hess[:] = 0.0
        grad[:size] = sums[0]
        hess[:size] = sums[1]

    def validation_loss(self):
        total, weight = self._sum("validation_loss")
        return float(total / weight) if weight > 0 else 0.0

    def chance_sample(self, rng):
        """Every row of positive weight, or the CHANCE_ROWS of smallest hash of (bag seed, row):
        in row order, as `_boosting.local_chance_sample` returns them."""
        parts = self.workers.broadcast("chance_sample", self.bag, self.stage, self.seed,
                                       CHANCE_ROWS)
        keys, rows, codes, state, y, weight = (np.concatenate([p[i] for p in parts])
                                               for i in range(6))
        keep = np.lexsort((rows, keys))[:CHANCE_ROWS]
        keep = keep[np.argsort(rows[keep])]
        return np.asfortranarray(codes[keep]), state[keep], y[keep], weight[keep]

    def close(self):
        pass
