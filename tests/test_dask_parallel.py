"""Data-parallel boosting (`glassbox.dask`): the fixed chunk tree, hash-drawn bags, bins from
mergeable summaries, bitwise-identical models for any number of workers or partitioning, and a
lost worker ending the fit with an error."""

import contextlib
import os
import signal
import threading
import time
import warnings
import weakref

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor, UnseenValueWarning
from glassbox.dask import (ClusterOverheadWarning, DaskBoostedGAMClassifier,
                           DaskBoostedGAMRegressor, WorkerLostError)
from glassbox.dask._hashing import row_uniforms
from glassbox.dask._tree import combine, node_value, nodes_within
from glassbox.datasets import make_coded_cohort, make_risk_cohort

distributed = pytest.importorskip("distributed", reason="pip install 'glassbox[dask]'")
dd = pytest.importorskip("dask.dataframe", reason="pip install 'glassbox[dask]'")

# The tests fit small tables on clusters, which the fit warns about (tested once, below).
pytestmark = pytest.mark.filterwarnings("ignore::glassbox.dask.ClusterOverheadWarning")

# Small chunks give many chunks on little data, so the tree and the shard boundaries matter.
FAST = dict(outer_bags=2, max_rounds=30, early_stopping_rounds=10, interactions=3,
            chunk_rows=1024, random_state=0)


def table(n=9000, seed=0):
    """Continuous features with missing values, a categorical one with missing values, a
    binary target, three classes, a numeric target and weights."""
    X, y, _ = make_risk_cohort(n_samples=n, n_features=6, random_state=seed)
    rng = np.random.default_rng(seed)
    X["ward"] = pd.Series(rng.choice(["a", "b", "c", None], n), dtype=object)
    three = (y + (X["age"] > 65)).astype(int)
    numeric = X["age"] / 10 + 2 * y + rng.normal(size=n)
    weight = rng.choice([0.0, 0.5, 1.0, 2.0], n, p=[0.05, 0.15, 0.6, 0.2])
    return X, y, three, numeric.to_numpy(), weight


def assert_same_model(a, b):
    np.testing.assert_array_equal(np.atleast_1d(a.intercept_), np.atleast_1d(b.intercept_))
    assert [t.name for t in a.terms_] == [t.name for t in b.terms_]
    for s, t in zip(a.terms_, b.terms_):
        np.testing.assert_array_equal(s.scores, t.scores, err_msg=s.name)
        np.testing.assert_array_equal(s.stds, t.stds, err_msg=s.name)
        np.testing.assert_array_equal(s.weights, t.weights, err_msg=s.name)
    np.testing.assert_array_equal(a.bag_rounds_, b.bag_rounds_)


# --------------------------------------------------------------------------------------------------
# the pieces
# --------------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.data())
def test_chunk_sums_do_not_depend_on_how_chunks_are_held(n_chunks, data):
    """Node sums from any split of the chunks among holders combine to the same bits as one
    holder of them all, though floating-point addition is not associative."""
    values = [np.array([v]) for v in
              data.draw(st.lists(st.floats(-1e6, 1e6), min_size=n_chunks, max_size=n_chunks))]

    def held(first, last):
        nodes = {}
        for level, index, lo, hi in nodes_within(n_chunks, first, last):
            nodes[(level, index)] = node_value(values[lo:hi])
        return nodes
    whole = combine(n_chunks, held(0, n_chunks))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, n_chunks - 1)), max_size=6)))
    edges = [0, *[c for c in cuts if c < n_chunks], n_chunks]
    nodes = {}
    for first, last in zip(edges[:-1], edges[1:]):
        nodes.update(held(first, last))
    assert combine(n_chunks, nodes).tobytes() == whole.tobytes()


def test_chunk_values_are_folded_as_they_come():
    """A shard never holds all its chunks' values at once (a pair ranking's are megabytes
    each): at most about log2(chunks) of them are alive while a node's value is summed."""
    alive = [0]

    def chunks():
        for k in range(1000):
            value = np.full(3, float(k))
            alive[0] += 1
            weakref.finalize(value, lambda: alive.__setitem__(0, alive[0] - 1))
            assert alive[0] <= 11
            yield value
    np.testing.assert_array_equal(node_value(chunks()), np.full(3, 499_500.0))


def test_hash_draws_depend_only_on_seed_and_row():
    rows = np.arange(100_000)
    u = row_uniforms(7, rows)
    np.testing.assert_array_equal(u[500:700], row_uniforms(7, rows[500:700]))
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert abs(np.mean(u < 0.15) - 0.15) < 0.005
    assert not np.array_equal(u, row_uniforms(8, rows))


@pytest.mark.parametrize("dask_class, parent", [(DaskBoostedGAMClassifier, BoostedGAMClassifier),
                                                (DaskBoostedGAMRegressor, BoostedGAMRegressor)])
def test_defaults_are_those_of_the_in_memory_estimator(dask_class, parent):
    """The same algorithm: every parameter the two share has the same default."""
    mine, theirs = dask_class().get_params(), parent().get_params()
    assert {name: mine[name] for name in theirs} == theirs


def test_bins_equal_an_in_memory_fit():
    """Up to 200,000 values per feature the bottom-k sample holds every value, so the bins are
    those `BoostedGAMClassifier` makes; categories too."""
    X, y, _, _, weight = table()
    parallel = DaskBoostedGAMClassifier(**FAST).fit(X, y, sample_weight=weight)
    local = BoostedGAMClassifier(outer_bags=2, max_rounds=30, random_state=0).fit(
        X, y, sample_weight=weight)
    for a, b in zip(parallel.features_, local.features_):
        assert a.kind == b.kind and a.has_missing == b.has_missing
        if a.kind == "continuous":
            np.testing.assert_array_equal(a.bins.edges, b.bins.edges)
        else:
            assert a.bins.categories == b.bins.categories


def test_in_memory_fit_is_as_accurate_as_the_local_one():
    from sklearn.metrics import roc_auc_score
    X, y, _, _, _ = table(20_000, seed=1)
    Xt, yt, _, _, _ = table(20_000, seed=2)
    params = dict(outer_bags=4, random_state=0)
    parallel = DaskBoostedGAMClassifier(**params).fit(X, y)
    local = BoostedGAMClassifier(**params).fit(X, y)
    a = roc_auc_score(yt, parallel.predict_proba(Xt)[:, 1])
    b = roc_auc_score(yt, local.predict_proba(Xt)[:, 1])
    assert abs(a - b) < 0.005
    assert parallel.fit_report_["pairs_kept"]


# --------------------------------------------------------------------------------------------------
# on a cluster
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_workers():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster


def frames(X, targets, weight, divisions):
    frame = X.assign(**{f"_t{i}": t for i, t in enumerate(targets)}, _w=weight)
    ddf = dd.from_pandas(frame, npartitions=1).repartition(divisions=divisions)
    return (ddf.drop(columns=[*[f"_t{i}" for i in range(len(targets))], "_w"]),
            [ddf[f"_t{i}"] for i in range(len(targets))], ddf["_w"])


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_bitwise_identical_for_any_workers_and_partitions(two_workers, task):
    """One worker, two workers, even and uneven partitions and the in-memory fit: the same
    model to the last bit, with missing values, a categorical feature and weights."""
    X, y, three, numeric, weight = table()
    target = {"binary": y, "multiclass": three, "regression": numeric}[task]
    Estimator = DaskBoostedGAMRegressor if task == "regression" else DaskBoostedGAMClassifier
    params = dict(FAST, min_interaction_gain_ratio=0)  # pairs whatever their gain
    if task == "regression":  # three bags: "auto" boosts both smoothing schedules
        params.update(monotonic_cst={"age": 1}, outer_bags=3)
    if task == "multiclass":
        params["smoothing_schedule"] = "cyclic"
    local = Estimator(**params).fit(X, target, sample_weight=weight)
    assert local.fit_report_["pairs_kept"]
    if task == "regression":
        assert local.fit_report_["smoothing_validation_loss"] is not None
    n = len(X)
    layouts = {"even": list(np.linspace(0, n - 1, 5).astype(int)),
               "uneven": [0, 3, 2500, 2501, 8000, n - 1]}
    with distributed.Client(two_workers):
        for name, divisions in layouts.items():
            features, (t,), w = frames(X, [target], weight, divisions)
            model = Estimator(**params).fit(features, t, sample_weight=w)
            assert model.fit_report_["shards"] == 2
            assert_same_model(model, local)
            predicted = (model.predict(features) if task == "regression"
                         else model.predict_proba(features)).compute()
            expected = local.predict(X) if task == "regression" else local.predict_proba(X)
            np.testing.assert_array_equal(predicted, expected)
    if task != "binary":
        return  # one worker: once is enough
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as one, distributed.Client(one):
        features, (t,), w = frames(X, [target], weight, layouts["uneven"])
        model = Estimator(**params).fit(features, t, sample_weight=w)
        assert model.fit_report_["shards"] == 1
        assert_same_model(model, local)


def test_a_log_link_target_is_checked_as_in_memory(two_workers):
    """Poisson needs y >= 0 and gamma y > 0 on the rows of positive weight, on a cluster and
    in memory, as BoostedGAMRegressor checks them."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(600, 2)), columns=["a", "b"])
    y = pd.Series(rng.poisson(2.0, 600) + 0.5)
    weight = pd.Series(np.where(np.arange(600) == 7, 0.0, 1.0))
    bad = y.where(np.arange(600) != 7, -1.0)
    Xd, (yd,), wd = frames(X, [bad], weight, [0, 300, 599])
    with distributed.Client(two_workers):
        for loss in ("poisson", "gamma"):
            with pytest.raises(ValueError, match=f"loss='{loss}' needs y"):
                DaskBoostedGAMRegressor(loss=loss, outer_bags=1).fit(Xd, yd)
            with pytest.raises(ValueError, match=f"loss='{loss}' needs y"):
                DaskBoostedGAMRegressor(loss=loss, outer_bags=1).fit(X, bad)
            DaskBoostedGAMRegressor(loss=loss, outer_bags=1, max_rounds=20).fit(Xd, yd, wd)


def test_a_rare_class_warns_on_a_cluster_as_in_memory(two_workers):
    """The partitions' class counts (rows of positive weight) add up across partitions: a class
    of four rows spread over three partitions warns, as in memory; a regressor's summaries carry
    no target values at all."""
    from glassbox import RareClassWarning
    from glassbox.dask import _data as D
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(900, 2)), columns=["a", "b"])
    y = pd.Series(np.where(X["a"] > 0, "high", "low"))
    y[[10, 400, 401, 850]] = "rare"
    weight = pd.Series(np.where(np.arange(900) == 400, 0.0, 1.0))
    Xd, (yd,), wd = frames(X, [y], weight, [0, 300, 600, 899])
    expected = r"fewer than 10 training rows: 'rare' \(3 rows\)"
    with distributed.Client(two_workers):
        with pytest.warns(RareClassWarning, match=expected):
            DaskBoostedGAMClassifier(**FAST).fit(Xd, yd, sample_weight=wd)
    with pytest.warns(RareClassWarning, match=expected):
        DaskBoostedGAMClassifier(**FAST).fit(X, y, sample_weight=weight)
    prepared = [X["a"].to_numpy(), X["b"].to_numpy()]
    summary = D.summarise(prepared, X["a"].to_numpy(), None, 0, ["a", "b"],
                          ["continuous", "continuous"], [1, 2], classifier=False)
    assert summary.classes == {}


def test_dask_arrays_and_in_memory_targets(two_workers):
    import dask.array as da
    X, y, _, _, _ = table(5000)
    numbers = X.drop(columns="ward").to_numpy()
    local = DaskBoostedGAMClassifier(**FAST).fit(numbers, y)
    with distributed.Client(two_workers):
        model = DaskBoostedGAMClassifier(**FAST).fit(da.from_array(numbers, chunks=(1300, 3)), y)
    assert_same_model(model, local)
    assert not hasattr(model, "feature_names_in_") and model.n_features_in_ == 6


def test_misaligned_partitions_are_an_error(two_workers):
    X, y, _, _, _ = table(3000)
    with distributed.Client(two_workers):
        features = dd.from_pandas(X, npartitions=3)
        target = dd.from_pandas(pd.Series(y), npartitions=2)
        with pytest.raises(ValueError, match="y must be partitioned like X"):
            DaskBoostedGAMClassifier(**FAST).fit(features, target)
        unknown = dd.from_pandas(pd.Series(y, dtype=float).where(np.arange(3000) != 2005),
                                 npartitions=3)
        with pytest.raises(ValueError, match=r"In the partition of y from row 2000 .*NaN in 1 "
                                             r"of 1,000 rows \(first at position 5\)"):
            DaskBoostedGAMClassifier(**FAST).fit(features, unknown)


def fit_interrupted(interrupt, timeout=60):
    """A long fit on a two-worker cluster, `interrupt(cluster, client)` six seconds in (the
    shards are boosting; the fit would take minutes): what it raised and when."""
    import dask
    X, y, _, _, _ = table(60_000)
    # A client closed inside its `with` leaves Dask's scheduler setting behind: restored here.
    with dask.config.set(scheduler=None), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        features = dd.from_pandas(X, npartitions=4)
        target = dd.from_pandas(pd.Series(y), npartitions=4)
        outcome = {}

        def fit():
            started = time.monotonic()
            try:
                DaskBoostedGAMClassifier(**dict(FAST, max_rounds=5000,
                                                early_stopping_rounds=5000),
                                         timeout=timeout).fit(
                    features, target)
            except Exception as error:  # noqa: BLE001 - the test inspects it
                outcome["error"] = error
            outcome["seconds"] = time.monotonic() - started
        thread = threading.Thread(target=fit)
        thread.start()
        time.sleep(6)
        interrupt(cluster, client)
        thread.join(90)
        assert not thread.is_alive()
        return outcome


@pytest.mark.timing
def test_a_lost_worker_ends_the_fit_with_an_error():
    """A worker killed mid-fit: WorkerLostError naming it, well within the timeout."""
    def kill(cluster, client):
        victim = sorted(cluster.workers.values(), key=lambda w: w.worker_address)[-1]
        os.kill(victim.process.process.pid, signal.SIGKILL)
    outcome = fit_interrupted(kill)
    assert isinstance(outcome.get("error"), WorkerLostError), outcome
    assert outcome["seconds"] < 60


@pytest.mark.timing
def test_a_worker_that_stops_answering_ends_the_fit_after_the_timeout():
    """A frozen worker (SIGSTOP: still in the cluster, silent): WorkerLostError naming it once
    a request has waited `timeout` seconds, not before and not much after."""
    frozen = []

    def freeze(cluster, client):
        victim = sorted(cluster.workers.values(), key=lambda w: w.worker_address)[-1]
        frozen.append(victim.process.process.pid)
        os.kill(frozen[0], signal.SIGSTOP)
        frozen.append(time.monotonic())
    try:
        outcome = fit_interrupted(freeze, timeout=3)
    finally:
        with contextlib.suppress(ProcessLookupError, IndexError):  # closing the cluster kills it
            os.kill(frozen[0], signal.SIGCONT)
    assert isinstance(outcome.get("error"), WorkerLostError), outcome
    assert "within timeout=3" in str(outcome["error"])
    assert 6 + 3 <= outcome["seconds"] < 6 + 3 + 5


@pytest.mark.timing
def test_a_client_closed_mid_fit_ends_it_with_an_error():
    """Closing the client (or its cluster) mid-fit: WorkerLostError saying so, not an error
    from inside Dask, and not after the timeout."""
    outcome = fit_interrupted(lambda cluster, client: client.close())
    assert isinstance(outcome.get("error"), WorkerLostError), outcome
    assert "client was closed" in str(outcome["error"])
    assert outcome["seconds"] < 60


@pytest.mark.timing
def test_rows_for_a_worker_that_left_end_the_fit_with_an_error(two_workers):
    """A shard sent to a worker that is no longer in the cluster (it died between the
    scheduler's answer and the shard's arrival) is not waited for: WorkerLostError naming it."""
    from glassbox.dask._workers import await_actors
    gone = "tcp://127.0.0.1:9"
    with distributed.Client(two_workers) as client:
        future = client.submit(dict, actor=True, workers=[gone], allow_other_workers=False,
                               pure=False)
        started = time.monotonic()
        with pytest.raises(WorkerLostError, match=f"{gone} left the cluster"):
            await_actors(client, [future], [gone], timeout=60)
        assert time.monotonic() - started < 10


@pytest.mark.timing
def test_waiting_for_rows_ends_when_the_client_closes_or_the_timeout_passes(two_workers):
    """Shards whose rows are slow to come: `timeout` bounds the wait, and closing the client
    ends it at once with WorkerLostError (not Dask's CancelledError)."""
    from glassbox.dask._workers import await_actors
    with distributed.Client(two_workers) as client:
        real = sorted(client.nthreads())[0]
        slow = client.submit(time.sleep, 30, workers=[real], pure=False)
        actor = client.submit(dict, rows=slow, actor=True, workers=[real], pure=False)
        started = time.monotonic()
        with pytest.raises(WorkerLostError, match="did not take their rows within timeout=1"):
            await_actors(client, [actor], [real], timeout=1)
        assert time.monotonic() - started < 5
        threading.Timer(1.0, client.close).start()
        started = time.monotonic()
        with pytest.raises(WorkerLostError, match="client was closed"):
            await_actors(client, [actor], [real], timeout=60)
        assert time.monotonic() - started < 10


def test_negative_subsampling_keeps_the_risk_calibrated():
    """A rare outcome fitted on a tenth of the negatives: the intercept is corrected by
    log(0.1), so the mean predicted risk matches the full fit's, and the shapes agree."""
    from sklearn.metrics import roc_auc_score
    X, y, _ = make_risk_cohort(n_samples=60_000, n_features=6, base_rate=0.03, random_state=3)
    Xt, yt, _ = make_risk_cohort(n_samples=60_000, n_features=6, base_rate=0.03,
                                 random_state=4)
    params = dict(outer_bags=4, interactions=0, random_state=0)
    full = DaskBoostedGAMClassifier(**params).fit(X, y)
    sampled = DaskBoostedGAMClassifier(**params, negative_subsample=0.1).fit(X, y)
    uncorrected = sampled.intercept_ - np.log(0.1)
    p_full, p_sampled = full.predict_proba(Xt)[:, 1], sampled.predict_proba(Xt)[:, 1]
    assert abs(p_sampled.mean() - p_full.mean()) < 0.1 * p_full.mean()
    assert 1 / (1 + np.exp(-uncorrected)) > 3 * p_full.mean()  # the sample's own base rate
    assert abs(roc_auc_score(yt, p_sampled) - roc_auc_score(yt, p_full)) < 0.01
    strongest = max(full.terms_, key=lambda t: np.ptp(t.scores[1:-1]))
    other = next(t for t in sampled.terms_ if t.name == strongest.name)
    assert np.corrcoef(strongest.scores[1:-1], other.scores[1:-1])[0, 1] > 0.9
    with pytest.raises(ValueError, match="negative_subsample needs a binary target"):
        _, _, three, _, _ = table(2000)
        DaskBoostedGAMClassifier(**FAST, negative_subsample=0.5).fit(table(2000)[0], three)


def test_subsampled_bags_are_identical_on_a_cluster(two_workers):
    X, y, _, _, weight = table()
    params = dict(FAST, subsample=0.6, negative_subsample=0.5)
    local = DaskBoostedGAMClassifier(**params).fit(X, y, sample_weight=weight)
    with distributed.Client(two_workers):
        features, (t,), w = frames(X, [y], weight, [0, 1000, 5000, len(X) - 1])
        assert_same_model(DaskBoostedGAMClassifier(**params).fit(features, t, sample_weight=w),
                          local)


def coded_table(n=30_000):
    """The coded cohort (few distinct rows) with a binary, a three-class and a numeric target,
    and weights."""
    X, y, truth = make_coded_cohort(n, random_state=0, return_truth=True)
    rng = np.random.default_rng(1)
    return X, y, y + (X.dx > 8).astype(int).to_numpy(), \
        truth.sum(axis=1).to_numpy() + rng.normal(size=n), rng.choice([0.5, 1.0, 2.0], n)


def test_pair_chance_level_shuffles_training_rows_only():
    """The values zero-weight rows hold, scrambled among themselves, change nothing: not the
    pairs' chance levels (a shuffle over all rows of a chunk moved them into training rows),
    not the model."""
    X, y, _, _, weight = table()
    weight = np.where(np.arange(len(X)) % 5 == 0, 0.0, weight)
    zero = weight == 0
    scrambled = X.copy()
    scrambled.loc[zero] = X.loc[zero].iloc[::-1].to_numpy()
    fits = [DaskBoostedGAMClassifier(**FAST).fit(data, y, sample_weight=weight)
            for data in (X, scrambled)]
    assert fits[0].fit_report_["pair_gain_ratios"] == fits[1].fit_report_["pair_gain_ratios"]
    assert_same_model(*fits)


def test_unseen_values_warn_once_per_prediction_not_per_partition():
    """A category training never saw in every one of six partitions: one warning for the
    prediction (under the "always" filter, which would show every one), and the scores of the
    in-memory model."""
    X, y = make_coded_cohort(3000, random_state=0)
    model = DaskBoostedGAMClassifier(outer_bags=1, max_rounds=5, interactions=0).fit(X, y)
    new = X.assign(region=np.where(np.arange(len(X)) % 7 == 0, "unknown", X["region"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        risk = model.predict_proba(dd.from_pandas(new, npartitions=6)).compute()
    unseen = [w for w in caught if issubclass(w.category, UnseenValueWarning)]
    assert len(unseen) == 1 and "'region': unseen categories ['unknown']" in str(unseen[0].message)
    with pytest.warns(UnseenValueWarning):
        np.testing.assert_array_equal(risk, model.predict_proba(new))


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_compression_is_exact(task):
    """Coded rows compressed to a fraction of the units: the same rounds, the same model to
    rounding (the sums are the same, added in another order)."""
    X, y, three, numeric, weight = coded_table()
    target = {"binary": y, "multiclass": three, "regression": numeric}[task]
    Estimator = DaskBoostedGAMRegressor if task == "regression" else DaskBoostedGAMClassifier
    params = dict(outer_bags=2, random_state=0, subsample=0.8, min_interaction_gain_ratio=0)
    plain = Estimator(**params, compress=False).fit(X, target, sample_weight=weight)
    packed = Estimator(**params).fit(X, target, sample_weight=weight)
    assert plain.fit_report_["pairs_kept"]
    assert plain.fit_report_["units"] == len(X)
    assert packed.fit_report_["units"] < 0.25 * len(X)
    np.testing.assert_array_equal(plain.bag_rounds_, packed.bag_rounds_)
    assert plain.fit_report_["pairs_kept"] == packed.fit_report_["pairs_kept"]
    for a, b in zip(plain.terms_, packed.terms_):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-12, err_msg=a.name)


def test_compressed_fit_is_identical_on_a_cluster(two_workers):
    X, y, _, _, weight = coded_table(12_000)
    params = dict(FAST, compress=True)
    local = DaskBoostedGAMClassifier(**params).fit(X, y, sample_weight=weight)
    with distributed.Client(two_workers):
        features, (t,), w = frames(X, [y], weight, [0, 700, 9000, len(X) - 1])
        model = DaskBoostedGAMClassifier(**params).fit(features, t, sample_weight=w)
    assert model.fit_report_["units"] == local.fit_report_["units"] < 0.7 * len(X)
    assert_same_model(model, local)


def test_rows_no_chunk_of_which_shrinks_are_boosted_uncompressed():
    """With a continuous feature nearly every row is distinct: "auto" then boosts the rows
    themselves, the very model of compress=False, bit for bit (a unit's mean target, its
    weighted sum over its weight, is not bitwise the target), and no second copy of them."""
    X, _, _, numeric, weight = table()
    weight = weight * 0.7  # not a power of two
    auto = DaskBoostedGAMRegressor(**FAST).fit(X, numeric, sample_weight=weight)
    plain = DaskBoostedGAMRegressor(**FAST, compress=False).fit(X, numeric, sample_weight=weight)
    assert auto.fit_report_["units"] == len(X)
    assert_same_model(auto, plain)


def test_model_file_loads_in_a_fresh_process(tmp_path):
    """A data-parallel model is saved as JSON like any boosted GAM, and loads where
    glassbox.dask was never imported."""
    import json
    import subprocess
    import sys
    from glassbox.io import save_model
    X, y, _, _, _ = table(3000)
    model = DaskBoostedGAMClassifier(**FAST).fit(X, y)
    path = tmp_path / "model.json"
    save_model(model, path)
    X.iloc[:50].to_csv(tmp_path / "rows.csv", index=False)
    code = ("import json, pandas as pd; from glassbox.io import load_model; "
            f"m = load_model({str(path)!r}); "
            f"p = m.predict_proba(pd.read_csv({str(tmp_path / 'rows.csv')!r}))[:, 1]; "
            "print(json.dumps([type(m).__name__, p.tolist()]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    name, risk = json.loads(out.strip().splitlines()[-1])
    assert name == "DaskBoostedGAMClassifier"
    np.testing.assert_allclose(risk, model.predict_proba(X.iloc[:50])[:, 1], rtol=1e-12)


def test_a_partition_without_a_column_is_an_error_naming_it(two_workers):
    """A partition lacking one of X's columns (or in another order): an error naming the column
    and where the partition starts, not a KeyError from inside a worker."""
    import dask
    X, y, _, _, _ = table(3000)
    first, second = X.iloc[:1500], X.iloc[1500:]
    with distributed.Client(two_workers):
        for other, says in [(second.drop(columns="ward"), r"from row 1500 .* lacks \['ward'\]"),
                            (second[X.columns[::-1]], "from row 1500 does not have X's columns "
                                                      "in X's order. Every")]:
            parts = [dask.delayed(lambda f: f)(first), dask.delayed(lambda f: f)(other)]
            features = dd.from_delayed(parts, meta=X.iloc[:0], verify_meta=False)
            with pytest.raises(ValueError, match=says):
                DaskBoostedGAMClassifier(**FAST).fit(features, y)


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_explain_on_a_dask_frame_is_lazy_and_equals_explain_in_memory(two_workers, task):
    """Contributions of a Dask DataFrame (or Array): a lazy Dask DataFrame, computed on the
    workers, equal to the same rows' contributions in memory, without warnings; and the
    importances over its rows equal those over the rows in memory."""
    import dask.array as da
    X, y, three, _, _ = table(4000)
    X = X.drop(columns="ward")
    target = y if task == "binary" else three
    with distributed.Client(two_workers), warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ClusterOverheadWarning)
        features = dd.from_pandas(X, npartitions=3)
        model = DaskBoostedGAMClassifier(**FAST).fit(features, target)
        contributions = model.explain(features)
        assert isinstance(contributions, dd.DataFrame)
        pd.testing.assert_frame_equal(contributions.compute(), model.explain(X))
        pd.testing.assert_series_equal(model.term_importances(features),
                                       model.term_importances(X))
        ordered = X.sort_values("age").reset_index(drop=True)
        old = ordered[ordered["age"] > ordered["age"].quantile(0.8)]
        some = dd.from_pandas(ordered, npartitions=3)
        some = some[some["age"] > ordered["age"].quantile(0.8)]  # two partitions without rows
        assert (some.map_partitions(len).compute() == 0).any()
        pd.testing.assert_frame_equal(model.explain(some).compute(), model.explain(old))
        pd.testing.assert_series_equal(model.term_importances(some), model.term_importances(old))
        array = da.from_array(X.to_numpy(), chunks=(1500, X.shape[1]))
        on_array = DaskBoostedGAMClassifier(**FAST).fit(array, target)
        np.testing.assert_array_equal(on_array.explain(array).compute().to_numpy(),
                                      on_array.explain(X.to_numpy()).to_numpy())


def test_labels_of_mixed_types_are_an_error_saying_so():
    """1 and "1" in one y would be two classes. (A Dask Series of them is text already: Dask
    stores an object column of text and numbers as text.)"""
    X = pd.DataFrame({"x": np.arange(30.0)})
    y = pd.Series([1, "1", 0] * 10, dtype=object)
    with pytest.raises(ValueError, match=r"y mixes labels of types \['number', 'text'\]"):
        DaskBoostedGAMClassifier().fit(X, y)


@pytest.mark.parametrize("labels", [np.array([False, True]), np.array([0, 1]),
                                    np.array([0.0, 2.0]), np.array(["no", "yes"])])
def test_labels_of_every_type_give_the_classes_a_fit_in_memory_gives(two_workers, labels):
    """Booleans, integers, floats and text, in memory or in one or three partitions: the
    classes (values and dtype) of `BoostedGAMClassifier` on the same y."""
    X, y, _, _, _ = table(3000)
    X = X.drop(columns="ward")
    target = labels[y.astype(int)]
    expected = BoostedGAMClassifier(max_rounds=5, outer_bags=1).fit(X, target).classes_
    fits = [DaskBoostedGAMClassifier(**FAST).fit(X, target)]
    with distributed.Client(two_workers):
        for n in (1, 3):
            fits.append(DaskBoostedGAMClassifier(**FAST).fit(
                dd.from_pandas(X, npartitions=n), dd.from_array(target, chunksize=-(-3000 // n))))
    for model in fits:
        np.testing.assert_array_equal(model.classes_, expected)
        assert model.classes_.dtype == expected.dtype


def test_a_table_too_small_for_a_cluster_warns_that_memory_is_faster(two_workers):
    """3,000 rows on two workers: a warning naming the rows and the fit in memory, which gives
    the same model; none in memory."""
    X, y, _, _, _ = table(3000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClusterOverheadWarning)
        local = DaskBoostedGAMClassifier(**FAST).fit(X, y)
    with distributed.Client(two_workers), \
            pytest.warns(ClusterOverheadWarning, match=r"3,000 rows on 2 worker\(s\).* fit\(X"
                                                       r"\.compute\(\), y\.compute\(\)\)") as record:
        remote = DaskBoostedGAMClassifier(**FAST).fit(dd.from_pandas(X, npartitions=2), y)
    assert record[0].filename == __file__
    assert_same_model(local, remote)


def test_importances_over_no_rows_are_an_error_not_nans():
    """A frame whose rows were all filtered away: the error an in-memory frame gives."""
    X, y, _, _, _ = table(3000)
    model = DaskBoostedGAMClassifier(**FAST).fit(X, y)
    frame = dd.from_pandas(X, npartitions=3)
    for empty in (X.iloc[:0], frame[frame["age"] > 1000]):
        with pytest.raises(ValueError, match="0 sample"):
            model.term_importances(empty)
