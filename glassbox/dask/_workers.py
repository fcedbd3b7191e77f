"""Where the shards live, behind one small interface: `Workers.map(method, args per shard)`.

`InMemory` holds the shards in this process (a fit on a DataFrame or array); `OnCluster` holds
each in a Dask actor on its worker and talks to it through Dask's own connections (no other
port). Either way, the results come back in shard order. On a cluster, a call that does not
answer within `timeout` seconds, or whose worker has left the cluster, ends the fit with a
`WorkerLostError` naming the worker, instead of waiting for ever.
"""

import asyncio
import threading
import time
from concurrent.futures import CancelledError

from ._tree import combine

_POLL_S = 0.5
_COALESCE_S = 0.01
_NOTICE_S = 5


class WorkerLostError(RuntimeError):
    """A worker holding rows of a data-parallel fit died, left, or did not answer in time."""


class ClusterOverheadWarning(UserWarning):
    """A fit on a cluster with so few rows a worker that the round trip of every boosting step
    costs more than the step: the same model fits faster in memory."""


_REFIT = ("Each worker holds its rows in memory for the whole fit, so a lost worker cannot be "
          "replaced mid-fit: fit again.")
_TIMEOUTS = (TimeoutError, asyncio.TimeoutError)  # one class from Python 3.11


def client_gone(when):
    """The error for a client closed (or a scheduler silent) `when`."""
    return WorkerLostError(f"The Dask client was closed, or its scheduler stopped answering, "
                           f"{when}; the fit was stopped.")


def workers_now(client, timeout):
    """The client's workers now (address -> threads), asked of the scheduler; None for a
    closed client or a scheduler silent for `timeout` seconds. (`Client.scheduler_info()` is a
    cache that a periodic refresh can leave without its workers.)"""
    if client.status != "running":
        return None
    try:
        return client.nthreads(callback_timeout=timeout)
    except (AttributeError, OSError, RuntimeError, CancelledError, *_TIMEOUTS):
        return None  # closed while asking


def await_computed(client, futures, timeout):
    """Wait for Dask computations (the binned partitions; Dask computes a lost worker's again
    elsewhere), raising the first one's error; a `WorkerLostError` if the client closes."""
    while True:
        done = _poll(futures)
        _raise_errors(futures)
        if done:
            return
        if workers_now(client, timeout) is None:
            raise client_gone("while the partitions were read")


def await_actors(client, futures, addresses, timeout):
    """The actors of `futures` (one per worker of `addresses`, their rows computed) once they
    are made; a `WorkerLostError` if a worker leaves or the client closes first, or an actor is
    not made within `timeout` seconds."""
    started = time.monotonic()
    while True:
        done = _poll(futures)
        alive = workers_now(client, timeout)
        if alive is None:
            raise client_gone("while the workers took their rows")
        gone = [a for f, a in zip(futures, addresses) if f.status == "cancelled" or a not in alive]
        if gone:
            raise WorkerLostError(f"worker(s) {', '.join(gone)} left the cluster while taking "
                                  f"their rows of the fit; the fit was stopped. {_REFIT}")
        _raise_errors(futures)  # their workers are still there: the errors are their own
        if done:
            return [f.result() for f in futures]
        if time.monotonic() - started > timeout:
            waiting = [a for f, a in zip(futures, addresses) if not f.done()]
            raise WorkerLostError(f"worker(s) {', '.join(waiting)} did not take their rows "
                                  f"within timeout={timeout} s; the fit was stopped.")


def _poll(futures):
    """Whether all `futures` are done, after waiting up to _POLL_S for them."""
    from distributed import wait
    try:
        wait(futures, timeout=_POLL_S)
        return True
    except (*_TIMEOUTS, CancelledError, OSError, RuntimeError):  # not yet, or a closing client
        return False


def _raise_errors(futures):
    for future in futures:
        if future.status == "error":
            future.result()  # raises its error


class _Workers:
    """What both kinds of shard holders offer on top of `map(method, args per shard)`.

    On a cluster, workers are listed with `Client.nthreads()`, a call to the scheduler:
    `Client.scheduler_info()` is a cache that a periodic refresh can leave without its
    workers."""

    def broadcast(self, method, *args):
        """The same call on every shard; the results in shard order."""
        return self.map(method, [args] * self.n_shards)

    def expect_callers(self, n):
        """`n` threads (the bags of a stage) will call at once until each calls `leave`."""

    def leave(self):
        """One of the expected callers has no more calls."""

    def tree_sum(self, n_chunks, method, *args):
        """A sum over all chunks (`_tree`) from every shard's node sums."""
        nodes = {}
        for part in self.broadcast(method, *args):
            nodes.update(part)
        return combine(n_chunks, nodes)


class InMemory(_Workers):
    """Shards in this process, called directly."""

    def __init__(self, shards):
        self.shards = shards
        self.n_shards = len(shards)

    def map(self, method, args):
        return [getattr(shard, method)(*a) for shard, a in zip(self.shards, args)]

    def close(self):
        pass


class _Request:
    """One `map` call waiting for the dispatcher."""

    def __init__(self, method, args):
        self.method, self.args = method, args
        self.done = threading.Event()
        self.results = self.error = None


class OnCluster(_Workers):
    """Shards in Dask actors, one per worker (`addresses`).

    Calls from the bags' threads are coalesced: one dispatcher thread sends the waiting calls
    as one message per worker (`ShardActor.call_many`) once every expected caller has one
    waiting (or after _COALESCE_S), so a step of eight bags costs one round trip, not eight.
    """

    def __init__(self, client, actors, futures, addresses, timeout):
        self.client, self.actors, self.futures = client, actors, futures
        self.addresses, self.timeout = addresses, timeout
        self.n_shards = len(actors)
        self._queue = []
        self._wake = threading.Condition()
        self._failed = None
        self._closed = False
        self._callers = 0
        self._dispatcher = threading.Thread(target=self._dispatch, daemon=True,
                                            name="glassbox-dask-dispatcher")
        self._dispatcher.start()

    def map(self, method, args):
        request = _Request(method, args)
        with self._wake:
            if self._failed is not None:
                raise self._failed
            self._queue.append(request)
            self._wake.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.results

    def expect_callers(self, n):
        with self._wake:
            self._callers = n

    def leave(self):
        with self._wake:
            self._callers -= 1
            self._wake.notify()

    def _dispatch(self):
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                self._wake.wait_for(lambda: len(self._queue) >= self._callers or self._closed,
                                    timeout=_COALESCE_S)
                if self._closed:
                    return
                batch, self._queue = self._queue, []
            try:
                replies = self._send(batch)
            except Exception as error:  # every waiting bag gets it
                with self._wake:
                    self._failed = error
                    batch += self._queue
                    self._queue = []
                for request in batch:
                    request.error = error
                    request.done.set()
                return
            for i, request in enumerate(batch):
                request.results = [reply[i] for reply in replies]
                request.done.set()

    def _send(self, batch):
        """The batch to every worker at once; their replies, waited for together."""
        method = batch[0].method
        try:
            calls = [actor.call_many([(r.method, r.args[s]) for r in batch])
                     for s, actor in enumerate(self.actors)]
        except RuntimeError as error:  # Dask: "Worker holding Actor was lost"
            raise self._lost(method, error) or error

        async def replies():
            return await asyncio.gather(*calls)
        started = time.monotonic()
        while True:
            try:
                return self.client.sync(replies, callback_timeout=_POLL_S)
            except _TIMEOUTS:
                waiting = [a for a, call in zip(self.addresses, calls) if not call.done()]
                if waiting:
                    self._check_alive(waiting, method, started)
            except Exception as error:  # a lost worker's, a closed client's, or the call's own
                lost = self._lost(method, error)
                if lost is None:
                    raise
                raise lost from error

    def _lost(self, method, error):
        """The `WorkerLostError` that `error` during `method` means, or None if the client and
        every worker of the fit are still there. A connection's error gives the scheduler up
        to _NOTICE_S seconds to notice a worker's death."""
        patience = _NOTICE_S if isinstance(error, (OSError, RuntimeError, CancelledError)) else 0
        deadline = time.monotonic() + patience
        while True:
            alive = workers_now(self.client, self.timeout)
            if alive is None:
                return client_gone(f"during {method!r} ({error})")
            lost = [a for a, f in zip(self.addresses, self.futures)
                    if a not in alive or f.status not in ("finished", "pending")]
            if lost:
                return WorkerLostError(f"worker(s) {', '.join(lost)} holding rows of the fit "
                                       f"could not be reached during {method!r} ({error}); the "
                                       f"fit was stopped. {_REFIT}")
            if time.monotonic() >= deadline:
                return None
            time.sleep(_POLL_S)

    def _check_alive(self, waiting, method, started):
        """A `WorkerLostError` if the workers `waiting` to answer have taken longer than the
        timeout, or one of the fit's workers, or the client, is gone."""
        if time.monotonic() - started > self.timeout:
            raise WorkerLostError(f"worker(s) {', '.join(waiting)} did not answer {method!r} "
                                  f"within timeout={self.timeout} s; the fit was stopped.")
        lost = self._lost(method, "no answer yet")
        if lost is not None:
            raise lost

    def close(self):
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._dispatcher.join()
        if self.client.status == "running":
            for future in self.futures:
                future.release()
