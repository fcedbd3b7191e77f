"""DaskBoostedGAMClassifier and DaskBoostedGAMRegressor: boosted GAMs fitted data-parallel.

The rows stay where they are read: each Dask worker holds its chunks of binned rows and their
training state for the whole fit (a `_shard.Shard` in an actor), and the driver (this process)
runs the boosting decisions on histograms combined in a fixed order (`_tree`). A table in memory
is fitted the same way in this process.
"""

import numbers
import time
import warnings
from concurrent.futures import CancelledError, ThreadPoolExecutor

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_random_state

from .. import _kernels as K
from .. import _losses as L
from .._additive import UnseenValueWarning, collect_unseen
from .._boosting import Settings, Stage, StageBooster, boost_lockstep, unless_past
from .._tabular import (CATEGORICAL, ConstantFeatureWarning, check_class_rows, class_labels,
                        monotone_directions, numeric_target, outside_stacklevel,
                        refuse_multiclass_constraints, refuse_pair_names, resolve_categorical,
                        table_columns, warn_uninformative_counts)
from ..explain import contribution_columns
from ..gam import (MIN_HESSIAN, REGRESSION_LOSSES, BoostedGAMClassifier, BoostedGAMRegressor,
                   _average_bags, auto_min_samples_leaf, auto_outer_bags,
                   boost_main_effects, check_loss_target, hessian_floor, max_step)
from ..terms import Feature
from . import _data as D
from ._rows import ShardedRows
from ._shard import Shard, ShardActor
from ._workers import (ClusterOverheadWarning, InMemory, OnCluster, WorkerLostError,
                       await_actors, await_computed, client_gone, workers_now)

CHUNK_ROWS = 1 << 14
"""Default rows per chunk: the unit whose histograms are summed in a fixed order."""
FEW_ROWS_A_WORKER = 50_000
"""Below this many rows a worker, a fit on a cluster is several times slower than in memory
(docs/scaling.md: with 8 bags the break-even is about 150,000)."""


class _DataParallel:
    """What the two data-parallel estimators add to the boosted GAMs: fitting on partitions."""

    _extra_constraints = {
        "subsample": [Interval(numbers.Real, 0, 1, closed="right")],
        "compress": ["boolean", StrOptions({"auto"})],
        "chunk_rows": [Interval(numbers.Integral, 1, None, closed="left")],
        "timeout": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def _fit_data_parallel(self, X, y, sample_weight, classifier):
        self._validate_params()
        if not _is_dask(X):
            return self._fit_partitions(X, y, sample_weight, classifier, None)
        client = _client()
        try:
            return self._fit_partitions(X, y, sample_weight, classifier, client)
        except WorkerLostError:
            raise
        except (CancelledError, OSError, RuntimeError) as error:
            if workers_now(client, float(self.timeout)) is None:  # Dask's own error of it
                raise client_gone("during the fit") from error
            raise

    def _fit_partitions(self, X, y, sample_weight, classifier, client):
        started = time.time()
        source = _DaskSource(X, y, sample_weight) if client is not None else None
        if source is None:
            names, kinds, parts, lengths, dtypes = self._in_memory(X, y, sample_weight,
                                                                   classifier)
        else:
            names, kinds, parts, lengths, dtypes = source.schema(self.categorical_features)
            refuse_pair_names(names)
            self.n_features_in_ = len(names)
            if source.named:
                self.feature_names_in_ = np.asarray(names, dtype=object)
        n_bags = (auto_outer_bags(int(np.sum(lengths))) if self.outer_bags == "auto"
                  else int(self.outer_bags))
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max,
                                                              size=n_bags + 1)
        column_seeds = [int(s) for s in np.random.SeedSequence(seeds[-1]).generate_state(
            len(names))]
        row0s = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        n_rows = int(np.sum(lengths))
        summary = _run_summaries(client, parts, row0s, names, kinds, column_seeds, classifier)
        if classifier:
            target = self._classes_from(summary)
        else:
            target = numeric_target
        bins = D.merge_bins(summary, kinds, self.max_bins, dtypes)
        n_classes = len(self.classes_) if classifier and len(self.classes_) > 2 else 0
        loss = L.MULTINOMIAL if n_classes else self._loss_id()
        if not classifier:
            check_loss_target(loss, summary.lowest, summary.any_positive)
        binned = _run_binning(client, parts, row0s, names, kinds, bins, target)
        workers = _place_shards(client, binned, lengths, n_rows, int(self.chunk_rows), loss,
                                n_classes, [b.n_bins for b in bins],
                                effective_n_jobs(self.n_jobs), float(self.timeout),
                                self.compress)
        try:
            self._boost(workers, started, names, kinds, bins, n_rows, loss, n_classes,
                        seeds[:-1])
        finally:
            workers.close()
        return self

    def _in_memory(self, X, y, sample_weight, classifier):
        """A table in memory as one partition: validated as every glassbox estimator validates
        its input."""
        y_checked = self._encode_classes(y) if classifier else numeric_target(y)
        names, columns, weight = self._validated_table(X, len(y_checked), sample_weight)
        with warnings.catch_warnings():  # the fit warns from the bin counts, as on a cluster
            warnings.simplefilter("ignore", ConstantFeatureWarning)
            kinds = resolve_categorical(self.categorical_features, names, columns)
        prepared = [D.as_kind(c, kind, name) for c, kind, name in zip(columns, kinds, names)]
        dtypes = [c.dtype if isinstance(c, pd.Categorical) else None for c in prepared]
        return names, kinds, [(prepared, y, weight)], [len(y_checked)], dtypes

    def _classes_from(self, summary):
        labels = class_labels(np.array(list(summary.classes), dtype=object))
        # numpy's dtype for them: text as <U
        classes, index = np.unique(np.array(labels.tolist()), return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"The target needs at least two classes; got {len(classes)} "
                             "class(es).")
        self.classes_ = classes
        check_class_rows(classes, np.bincount(index, weights=list(summary.classes.values()),
                                              minlength=len(classes)))
        return _ClassIndices(classes)

    def _boost(self, workers, started, names, kinds, bins, n_rows, loss, n_classes, bag_seeds):
        """Both stages in every bag, with the rows on the shards: `gam._BoostedGAM._fit`'s
        algorithm, each pass over the rows made by the shards."""
        n_chunks = -(-n_rows // int(self.chunk_rows))
        deadline = started + self.max_time if self.max_time is not None else None
        n_units = sum(units for _, units in workers.broadcast("units"))
        if n_units == n_rows:  # compression shrank nothing: boost the rows themselves
            workers.broadcast("uncompress")
        totals = workers.tree_sum(n_chunks, "totals")
        total_weight, weighted_y, n_present = totals[:3]
        if not total_weight > 0:
            raise ValueError("sample_weight must have a positive sum.")
        if n_classes:
            init = L.initial_score(loss, np.arange(n_classes, dtype=np.float64), totals[3:],
                                   n_classes)
        else:
            init = L.initial_score(loss, np.array([weighted_y / total_weight]), np.ones(1))
        class_shape = (n_classes,) if n_classes else ()
        settings = Settings(loss, float(self.learning_rate), int(self.max_rounds),
                            int(self.early_stopping_rounds), float(self.tol),
                            int(self.max_leaves),
                            auto_min_samples_leaf(int(n_present))
                            if self.min_samples_leaf == "auto" else int(self.min_samples_leaf),
                            float(self.l2_regularization),
                            max_step(loss, float(self.learning_rate)),
                            hessian_floor(self.min_hessian, loss, total_weight, weighted_y,
                                          n_present))
        monotone = monotone_directions(self.monotonic_cst, names, kinds)
        refuse_multiclass_constraints(monotone, n_classes, names)
        sizes = [b.n_bins for b in bins]
        mains = _stage([(s, 1) for s in sizes], [k == CATEGORICAL for k in kinds], monotone)
        present = workers.tree_sum(n_chunks, "bin_sums", "main", "present")
        counts = [mains.term_scores(present, j) for j in range(len(names))]
        warn_uninformative_counts(names, [(min(2, int(np.count_nonzero(c[1:-1]))), c[0] > 0)
                                          for c in counts])
        bags = list(range(len(bag_seeds)))
        fraction = float(self.validation_fraction or 0.0)
        negative = self._negative_subsample(n_classes)
        validates = [sum(workers.broadcast("add_bag", b, int(seed), fraction,
                                           float(self.subsample), negative)) > 0
                     for b, seed in zip(bags, bag_seeds)]

        def boosters(stage, name, smoothing, offset, cyclic=False):
            out = []
            for b, seed in zip(bags, bag_seeds):
                workers.broadcast("start", b, name, init)
                rows = ShardedRows(workers, n_chunks, b, name, int(seed) + offset, validates[b],
                                   class_shape)
                out.append(StageBooster(stage, None, None, None, None, settings, smoothing,
                                        np.random.default_rng(int(seed) + offset), rows=rows,
                                        cyclic=cyclic))
            return out

        schedules, unchecked = self._smoothing_schedules(deadline, validates)
        schedule, main_results, schedule_losses = boost_main_effects(
            schedules, lambda s: self._run_stage(
                workers, boosters(mains, "main", self.smoothing_rounds, 0, s == "cyclic"),
                deadline))
        cut = "main effects" if any(r.timed_out for r in main_results) else None
        for b, result in zip(bags, main_results):
            workers.broadcast("set_main_scores", b, result.scores, init)
        pair_bins = self._pair_bins(bins, counts)
        candidates, n_pairs, explicit = self._pair_choice(names, monotone)
        lookups = [coarse.lookup_from(fine) for coarse, fine in zip(pair_bins, bins)]
        pair_sizes = [b.n_bins for b in pair_bins]
        pairs, pair_ratios, cut = self._choose_pairs(
            cut, deadline, explicit, candidates, n_pairs, loss, names,
            lambda: [unless_past(deadline, self._pair_gains, workers, n_chunks, b, int(seed) + 2,
                                 candidates, lookups, pair_sizes, settings)
                     for b, seed in zip(bags, bag_seeds)])
        pair_results = [None] * len(bags)
        pair_stage = None
        if pairs:
            workers.broadcast("set_pairs", pairs, pair_sizes, lookups)
            pair_stage = _stage([(pair_sizes[a], pair_sizes[b]) for a, b in pairs],
                                np.zeros(len(pairs), dtype=bool), np.zeros(len(pairs), np.int64))
            pair_results = self._run_stage(workers, boosters(pair_stage, "pairs", 0, 1),
                                           deadline)
            if any(r.timed_out for r in pair_results):
                cut = "interactions"
        self.fit_report_ = self._report(started, cut, n_pairs, len(candidates) if n_pairs else 0,
                                        pairs, pair_ratios, explicit, main_results, pair_results,
                                        names, any(monotone), self._gain_ratio(loss),
                                        (schedule, schedule_losses, unchecked))
        self.fit_report_.update(rows=n_rows, units=int(n_units), chunks=n_chunks,
                                shards=workers.n_shards)
        self.features_ = [Feature(name, kind, b, bool(c[0] > 0))
                          for name, kind, b, c in zip(names, kinds, bins, counts)]
        self.intercept_, self.terms_ = _average_bags(
            init, mains, [r.scores for r in main_results], names, bins, pairs, pair_bins,
            pair_results, pair_stage,
            lambda stage, what: workers.tree_sum(n_chunks, "bin_sums",
                                                 "main" if stage is mains else "pairs", what))
        if negative < 1.0:
            self.intercept_ += float(np.log(negative))
        self._leave_out_unused_pairs(explicit)
        self._record_fit(main_results, pair_results, settings)

    def _negative_subsample(self, n_classes):
        """The share of class-0 rows each bag keeps (1 but for a binary classifier)."""
        rate = float(getattr(self, "negative_subsample", 1.0))
        if rate < 1.0 and n_classes:
            raise ValueError("negative_subsample needs a binary target; for more classes use "
                             "subsample.")
        return rate

    def _run_stage(self, workers, boosters, deadline):
        """Every bag's booster to its end (bags at once on threads), or all in lockstep under a
        time budget."""
        if deadline is not None:
            return boost_lockstep(boosters, deadline, len(boosters))

        def run(booster):
            try:
                booster.run()
                return booster.result()
            finally:
                workers.leave()
        workers.expect_callers(len(boosters))
        with ThreadPoolExecutor(max_workers=len(boosters)) as pool:
            return list(pool.map(run, boosters))

    def _pair_gains(self, workers, n_chunks, bag, seed, candidates, lookups, pair_sizes,
                    settings):
        """(2, candidates): each candidate pair's FAST gain in the bag and its chance level,
        from the pair histograms of all chunks."""
        cells = workers.tree_sum(n_chunks, "pair_histograms", bag, candidates, lookups,
                                 pair_sizes, seed)
        n_out = max(1, self.classes_.size if settings.loss == L.MULTINOMIAL else 1)
        gains = np.zeros((2, len(candidates)))
        offset = 0
        for i, (a, b) in enumerate(candidates):
            na, nb = pair_sizes[a], pair_sizes[b]
            size = 6 * n_out * na * nb
            pair = cells[offset:offset + size].reshape(2, n_out, 3, na, nb)
            offset += size
            for s in range(2):
                for c in range(n_out):
                    gains[s, i] += K.fast_pair_gain_of(*pair[s, c], settings.min_samples_leaf,
                                                       settings.l2)
        return gains

    # prediction on Dask collections -----------------------------------------------------------

    def predict(self, X):
        """Predictions; for a Dask DataFrame or Array a lazy Dask array, one block per
        partition (`.compute()` gives what the same rows in memory give)."""
        return self._map_rows("predict", X) if _is_dask(X) else super().predict(X)

    def explain(self, X):
        """Per-row contributions of every term (link scale); for a Dask DataFrame or Array a
        lazy Dask DataFrame, one partition per partition (`.compute()` gives what the same rows
        in memory give)."""
        if not _is_dask(X):
            return super().explain(X)
        import dask.array as da
        import dask.dataframe as dd
        if isinstance(X, da.Array):
            if X.ndim != 2:
                raise ValueError(f"X must be 2-dimensional, got {X.ndim} dimension(s).")
            X = dd.from_dask_array(X.rechunk({1: -1}))
        call = _PartitionCall(self, "explain",
                              contribution_columns(self.terms_, getattr(self, "classes_", None)))
        return X.map_partitions(call, meta=call.empty(X._meta))

    def _map_rows(self, method, X):
        """`method` on every partition of a Dask collection: a Dask array of its results."""
        import dask
        import dask.array as da
        source = _DaskSource(X, None, None)
        parts, lengths = source.x_parts, source.lengths
        head = source.head()
        with collect_unseen():  # the partitions warn
            first = getattr(self, method)(head.iloc[:1] if hasattr(head, "iloc") else head[:1])
        call = _PartitionCall(self, method)
        blocks = [da.from_delayed(dask.delayed(call)(part),
                                  shape=(int(n),) + first.shape[1:], dtype=first.dtype)
                  for part, n in zip(parts, lengths)]
        return da.concatenate(blocks)


class _PartitionCall:
    """A fitted model's `method` on one partition. Values training never saw warn once per
    prediction in a process (the local schedulers share this object among the partitions; each
    task on a cluster has its own copy, so a worker's stderr may hold one per partition), with the
    first partition's message: the same values usually recur in every partition."""

    def __init__(self, model, method, columns=None):
        self.model = model
        self.method = method
        self.columns = columns  # of a frame per partition (`explain`)
        self.warned = False

    def empty(self, part):
        """The frame of a partition without rows."""
        return pd.DataFrame(np.zeros((0, len(self.columns))), columns=self.columns,
                            index=part.index)

    def __call__(self, part):
        if self.columns is not None and len(part) == 0:
            return self.empty(part)
        with collect_unseen() as messages:
            out = getattr(self.model, self.method)(part)
        if messages and not self.warned:
            self.warned = True
            warnings.warn(messages[0] + " (the first partition with such values; others may hold "
                          "other values)", UnseenValueWarning, stacklevel=2)
        return out


class _ClassIndices:
    """A classifier's target as class indices (picklable, for the workers)."""

    def __init__(self, classes):
        self.classes = classes

    def __call__(self, y):
        return D.class_indices(self.classes, y)


def _stage(shapes, categorical, monotone):
    dims_a = np.array([s[0] for s in shapes], dtype=np.int64)
    dims_b = np.array([s[1] for s in shapes], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(dims_a * dims_b)]).astype(np.int64)
    return Stage(None, offsets, dims_a, dims_b, np.asarray(categorical, dtype=np.bool_),
                 np.asarray(monotone, dtype=np.int64))


# --------------------------------------------------------------------------------------------------
# the input's partitions
# --------------------------------------------------------------------------------------------------

def _is_dask(X):
    module = type(X).__module__
    return module.startswith("dask.") or module.startswith("dask_expr")


class _DaskSource:
    """The partitions of Dask inputs, aligned: X's, y's and the weights'."""

    def __init__(self, X, y, sample_weight):
        import dask.array as da
        self.named = not isinstance(X, da.Array)
        if self.named:
            self.x_parts = list(X.to_delayed())
            self.lengths = np.asarray(X.map_partitions(len).compute(), dtype=np.int64)
            self.names = [str(c) for c in X.columns]
            self.dtypes = [d if isinstance(d, pd.CategoricalDtype) and d.categories is not None
                           and "__UNKNOWN_CATEGORIES__" not in list(d.categories) else None
                           for d in X.dtypes]
        else:
            if X.ndim != 2:
                raise ValueError(f"X must be 2-dimensional, got {X.ndim} dimensions.")
            if any(np.isnan(c) for c in X.chunks[0]):
                X = X.compute_chunk_sizes()
            X = X.rechunk({1: -1})
            self.x_parts = [block[0] for block in X.to_delayed()]
            self.lengths = np.asarray(X.chunks[0], dtype=np.int64)
            self.names = [f"x{j}" for j in range(X.shape[1])]
            self.dtypes = [None] * X.shape[1]
        self.X = X
        self.y_parts = self._aligned(y, "y")
        self.w_parts = self._aligned(sample_weight, "sample_weight")

    def _aligned(self, values, what):
        """Per-partition pieces of y or the weights, cut like X's partitions."""
        if values is None:
            return [None] * len(self.x_parts)
        if _is_dask(values):
            import dask.array as da
            if isinstance(values, da.Array):
                if any(np.isnan(c) for c in values.chunks[0]):
                    values = values.compute_chunk_sizes()
                lengths = np.asarray(values.chunks[0])
                parts = list(values.to_delayed().ravel())
            else:
                lengths = np.asarray(values.map_partitions(len).compute())
                parts = list(values.to_delayed())
            if len(lengths) != len(self.lengths) or (lengths != self.lengths).any():
                raise ValueError(f"{what} must be partitioned like X: partition lengths "
                                 f"{lengths.tolist()} against X's {self.lengths.tolist()}. "
                                 "Take it from the same frame as X (frame[column]), or pass "
                                 "it as an array in memory.")
            return parts
        array = np.asarray(values)
        if len(array) != self.lengths.sum():
            raise ValueError("Found input variables with inconsistent numbers of samples: "
                             f"[{self.lengths.sum()}, {len(array)}].")
        return np.split(array, np.cumsum(self.lengths)[:-1])

    def head(self):
        """The first non-empty partition, computed."""
        for part, n in zip(self.x_parts, self.lengths):
            if n:
                return part.compute()
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")

    def schema(self, categorical_features):
        """Names, kinds (from the first non-empty partition), partitions, lengths, dtypes."""
        head = self.head()
        if not self.named:
            head = np.asarray(head)
        _, columns = table_columns(head)
        with warnings.catch_warnings():  # one partition cannot tell: the fit warns from all
            warnings.simplefilter("ignore", ConstantFeatureWarning)
            kinds = resolve_categorical(categorical_features, self.names, columns)
        parts = list(zip(self.x_parts, self.y_parts, self.w_parts))
        return self.names, kinds, parts, self.lengths, self.dtypes


def _client():
    from distributed import get_client
    try:
        return get_client()
    except ValueError:
        raise ValueError("Fitting on Dask collections needs a Dask client: create one "
                         "(distributed.Client(...)) before calling fit.") from None


def _run_summaries(client, parts, row0s, names, kinds, seeds, classifier):
    """The first pass: the partitions' summaries, merged (on the cluster, in a tree; without a
    client, the one partition in memory)."""
    if client is None:
        (X, y, w), = parts
        return D.summarise(X, y, w, 0, names, kinds, seeds, classifier)
    import dask
    level = [dask.delayed(D.summarise)(X, y, w, int(r), names, kinds, seeds, classifier)
             for (X, y, w), r in zip(parts, row0s)]
    while len(level) > 1:
        level = [dask.delayed(D.merge_summaries)(level[i], level[i + 1])
                 if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return client.compute(level[0]).result()


def _run_binning(client, parts, row0s, names, kinds, bins, target):
    """The second pass: binned partitions (futures on the cluster)."""
    if client is None:
        (X, y, w), = parts
        return [D.bin_partition(X, y, w, 0, names, kinds, bins, target)]
    import dask
    return client.compute([dask.delayed(D.bin_partition)(X, y, w, int(r), names, kinds, bins,
                                                         target)
                           for (X, y, w), r in zip(parts, row0s)])


def _place_shards(client, binned, lengths, n_rows, chunk_rows, loss, n_classes, sizes, threads,
                  timeout, compress):
    """The shards: one in this process for a table in memory, else one per worker, each
    holding a contiguous range of chunks (in worker order)."""
    n_chunks = -(-n_rows // chunk_rows)
    spec = {"n_chunks": n_chunks, "chunk_rows": chunk_rows, "n_rows": n_rows, "loss": loss,
            "n_classes": n_classes, "compress": compress,
            "main_offsets": np.concatenate([[0], np.cumsum(sizes)]).tolist()}
    if client is None:
        return InMemory([Shard(dict(spec, first=0, last=n_chunks, threads=threads), *binned)])
    await_computed(client, binned, timeout)  # a worker lost until then is not given rows
    workers = workers_now(client, timeout)
    if workers is None:
        raise client_gone("before the workers took their rows")
    if not workers:
        raise ValueError("The Dask cluster has no workers.")
    addresses = sorted(workers)
    n_shards = max(1, min(len(addresses), n_chunks))
    if n_rows / n_shards < FEW_ROWS_A_WORKER:
        warnings.warn(f"{n_rows:,} rows on {n_shards} worker(s): a fit on a cluster pays a "
                      "round trip to the workers for every boosting step, which below about "
                      f"{FEW_ROWS_A_WORKER:,} rows a worker costs several times the step. The "
                      "same model fits faster in memory: fit(X.compute(), y.compute()).",
                      ClusterOverheadWarning, stacklevel=outside_stacklevel())
    edges = np.linspace(0, n_chunks, n_shards + 1).round().astype(np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    futures = []
    for s in range(n_shards):
        first, last = int(edges[s]), int(edges[s + 1])
        row0, row1 = first * chunk_rows, min(last * chunk_rows, n_rows)
        holding = [f for f, lo, hi in zip(binned, starts, ends) if lo < row1 and hi > row0]
        shard_spec = dict(spec, first=first, last=last, threads=int(workers[addresses[s]]))
        futures.append(client.submit(ShardActor, shard_spec, *holding, actor=True,
                                     workers=[addresses[s]], allow_other_workers=False,
                                     pure=False))
    try:
        actors = await_actors(client, futures, addresses[:n_shards], timeout)
    except BaseException:
        if client.status == "running":
            client.cancel(futures + list(binned))
        raise
    for f in binned:
        f.release()
    return OnCluster(client, actors, futures, addresses[:n_shards], timeout)


# --------------------------------------------------------------------------------------------------
# the estimators
# --------------------------------------------------------------------------------------------------

_PREDICT_METHODS = ("predict", "predict_proba", "decision_function")


class DaskBoostedGAMClassifier(_DataParallel, BoostedGAMClassifier):
    """A `BoostedGAMClassifier` fitted data-parallel: on a Dask DataFrame or
    Array (with y and sample_weight as Dask collections partitioned alike, or arrays in
    memory), each worker of the current Dask client holds its rows for the whole fit; on a table
    in memory, the same algorithm runs in this process.

    The model does not depend on the number of workers or the partitioning: histograms are
    summed over chunks of `chunk_rows` rows in a fixed order, and bags, validation rows and
    samples are drawn by a hash of (seed, row number). It differs from `BoostedGAMClassifier`'s
    on the same data in three documented ways (see docs/scaling.md): validation rows are drawn
    row by row (not stratified), bins of more than 200,000 values come from a hash sample, and
    sums are in chunk order. Extra parameters:

    subsample : float in (0, 1], default=1.0
        Share of the rows each bag trains (and validates) on, drawn per bag by the hash of
        (seed, row): a cheaper fit on data much larger than the model needs.
    negative_subsample : float in (0, 1], default=1.0
        For a rare outcome: the share of class-0 rows (`classes_[0]`) each bag keeps, on top of
        `subsample`; every class-1 row is kept. A model fitted on such a sample over-states the
        log-odds by exactly -log(negative_subsample) in its intercept (case-control sampling
        shifts a logistic model's intercept only), and the fitted intercept is corrected by
        that amount; the shapes are unbiased.
    compress : bool or "auto", default="auto"
        Rows of a chunk that share every bin code (and class) are boosted as one unit carrying
        their sums: the same model, summed in another order, in fewer passes' work. "auto"
        compresses a chunk only where that at least halves it (tables of coded features: age
        bands, sex, region, diagnosis groups; a continuous feature makes nearly every row
        distinct); where no chunk of the table shrinks, the rows themselves are boosted, as
        with False. `fit_report_["units"]` says how many units the rows became.
    chunk_rows : int, default=16384
        Rows per chunk.
    timeout : float, default=600
        Seconds to wait for a worker's answer to one request, for the workers to take their
        binned rows, or for the scheduler to answer, before the fit fails with
        `WorkerLostError` (a worker that leaves the cluster, or a closed client, fails it at
        once).
    """

    _parameter_constraints = {**BoostedGAMClassifier._parameter_constraints,
                              **_DataParallel._extra_constraints,
                              "negative_subsample": [Interval(numbers.Real, 0, 1,
                                                              closed="right")]}

    def __init__(self, *, learning_rate=0.04, max_rounds=5000, early_stopping_rounds=50,
                 tol=1e-5, validation_fraction=0.15, outer_bags="auto", interactions="3x",
                 min_interaction_gain_ratio="auto", max_bins=255, max_interaction_bins=32,
                 min_samples_leaf="auto", max_leaves=2, smoothing_rounds=50,
                 smoothing_schedule="greedy", l2_regularization=0.0, min_hessian=MIN_HESSIAN,
                 monotonic_cst=None, categorical_features="auto", max_time=None, n_jobs=None,
                 random_state=None, verbose=0, subsample=1.0, negative_subsample=1.0,
                 compress="auto", chunk_rows=CHUNK_ROWS, timeout=600.0):
        super().__init__(
            learning_rate=learning_rate, max_rounds=max_rounds,
            early_stopping_rounds=early_stopping_rounds, tol=tol,
            validation_fraction=validation_fraction, outer_bags=outer_bags,
            interactions=interactions, min_interaction_gain_ratio=min_interaction_gain_ratio,
            max_bins=max_bins, max_interaction_bins=max_interaction_bins,
            min_samples_leaf=min_samples_leaf, max_leaves=max_leaves,
            smoothing_rounds=smoothing_rounds, smoothing_schedule=smoothing_schedule,
            l2_regularization=l2_regularization, min_hessian=min_hessian,
            monotonic_cst=monotonic_cst,
            categorical_features=categorical_features,
            max_time=max_time, n_jobs=n_jobs, random_state=random_state, verbose=verbose)
        self.subsample = subsample
        self.negative_subsample = negative_subsample
        self.compress = compress
        self.chunk_rows = chunk_rows
        self.timeout = timeout

    def fit(self, X, y, sample_weight=None):
        """Fit on a Dask DataFrame or Array, or a table in memory."""
        return self._fit_data_parallel(X, y, sample_weight, classifier=True)

    def _loss_id(self):
        return L.LOG_LOSS

    def predict_proba(self, X):
        """Class probabilities; for a Dask DataFrame or Array a lazy Dask array (rows x
        classes), one block per partition."""
        return (self._map_rows("predict_proba", X) if _is_dask(X)
                else super().predict_proba(X))

    def predict_log_proba(self, X):
        """Logarithms of the class probabilities; lazy for Dask collections, as
        `predict_proba`."""
        return (self._map_rows("predict_log_proba", X) if _is_dask(X)
                else super().predict_log_proba(X))

    def decision_function(self, X):
        """Log-odds (binary) or class logits; for a Dask DataFrame or Array a lazy Dask
        array, one block per partition."""
        return (self._map_rows("decision_function", X) if _is_dask(X)
                else super().decision_function(X))


class DaskBoostedGAMRegressor(_DataParallel, BoostedGAMRegressor):
    """A `BoostedGAMRegressor` fitted data-parallel; see `DaskBoostedGAMClassifier`."""

    _parameter_constraints = {**BoostedGAMRegressor._parameter_constraints,
                              **_DataParallel._extra_constraints}

    def __init__(self, loss="squared_error", *, learning_rate=0.04, max_rounds=5000,
                 early_stopping_rounds=50, tol=1e-5, validation_fraction=0.15, outer_bags="auto",
                 interactions="3x", min_interaction_gain_ratio="auto", max_bins=255,
                 max_interaction_bins=32, min_samples_leaf="auto", max_leaves=2,
                 smoothing_rounds=500, smoothing_schedule="auto", l2_regularization=0.0,
                 min_hessian=MIN_HESSIAN, monotonic_cst=None, categorical_features="auto",
                 max_time=None, n_jobs=None, random_state=None, verbose=0, subsample=1.0,
                 compress="auto",
                 chunk_rows=CHUNK_ROWS,
                 timeout=600.0):
        super().__init__(
            loss, learning_rate=learning_rate, max_rounds=max_rounds,
            early_stopping_rounds=early_stopping_rounds, tol=tol,
            validation_fraction=validation_fraction, outer_bags=outer_bags,
            interactions=interactions, min_interaction_gain_ratio=min_interaction_gain_ratio,
            max_bins=max_bins, max_interaction_bins=max_interaction_bins,
            min_samples_leaf=min_samples_leaf, max_leaves=max_leaves,
            smoothing_rounds=smoothing_rounds, smoothing_schedule=smoothing_schedule,
            l2_regularization=l2_regularization, min_hessian=min_hessian,
            monotonic_cst=monotonic_cst,
            categorical_features=categorical_features,
            max_time=max_time, n_jobs=n_jobs, random_state=random_state, verbose=verbose)
        self.subsample = subsample
        self.compress = compress
        self.chunk_rows = chunk_rows
        self.timeout = timeout

    def fit(self, X, y, sample_weight=None):
        """Fit on a Dask DataFrame or Array, or a table in memory; y numeric."""
        return self._fit_data_parallel(X, y, sample_weight, classifier=False)

    def _loss_id(self):
        return REGRESSION_LOSSES[self.loss]
