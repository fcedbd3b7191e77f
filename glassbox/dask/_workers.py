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
_SCHEDULER_S = 10


class WorkerLostError(RuntimeError):
    """A worker holding rows of a data-parallel fit died, left, or did not answer in time."""


_REFIT = ("Each worker holds its rows in memory for the whole fit, so a lost worker cannot be "
          "replaced mid-fit: fit again.")


def workers_now(client):
    """The client's workers now (address -> threads), asked of the scheduler; None for a
    closed client or a scheduler silent for _SCHEDULER_S seconds. (`Client.scheduler_info()`
    is a cache that a periodic refresh can leave without its workers.)"""
    if client.status != "running":
        return None
    try:
        return client.nthreads(callback_timeout=_SCHEDULER_S)
    except (AttributeError, OSError, RuntimeError, TimeoutError):  # closed while asking
        return None


def await_actors(client, futures, addresses, timeout):
    """The actors of `futures` (one per worker of `addresses`) once they are made; a
    `WorkerLostError` if a worker leaves first, or does not make its actor within `timeout`
    seconds."""
    from distributed import wait
    started = time.monotonic()
    while True:
        try:
            wait(futures, timeout=_POLL_S)
            break
        except TimeoutError:
            pass
        alive = workers_now(client)
        if alive is None:
            raise WorkerLostError("the Dask client was closed, or its scheduler stopped "
                                  "answering, while the workers took their rows; the fit was "
                                  "stopped.")
        waiting = [a for f, a in zip(futures, addresses) if not f.done()]
        gone = [a for a in waiting if a not in alive]
        if gone:
            raise WorkerLostError(f"worker(s) {', '.join(gone)} left the cluster before taking "
                                  f"their rows of the fit; the fit was stopped. {_REFIT}")
        if time.monotonic() - started > timeout:
            raise WorkerLostError(f"worker(s) {', '.join(waiting)} did not take their rows "
                                  f"within timeout={timeout} s; the fit was stopped.")
    try:
        return [f.result() for f in futures]
    except CancelledError as error:  # the scheduler cancels the actor of a worker it lost
        raise WorkerLostError(f"a worker holding rows of the fit was lost while taking them "
                              f"({error}); the fit was stopped. {_REFIT}") from error


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
            raise self._lost(method, error, always=True) from error

        async def replies():
            return await asyncio.gather(*calls)
        started = time.monotonic()
        while True:
            try:
                return self.client.sync(replies, callback_timeout=_POLL_S)
            except TimeoutError:
                for s in range(len(calls)):
                    if not calls[s].done():
                        self._check_alive(s, method, started)
            except (OSError, RuntimeError) as error:
                lost = self._lost(method, error, always=isinstance(error, OSError))
                if lost is None:  # every worker is there: the call's own error
                    raise
                raise lost from error

    def _lost(self, method, error, always):
        """The `WorkerLostError` that `error` during `method` means; None if every worker of
        the fit is still in the cluster, unless `always`."""
        alive = workers_now(self.client)
        if alive is None:
            return WorkerLostError(f"the Dask client was closed, or its scheduler stopped "
                                   f"answering, during {method!r} ({error}); the fit was "
                                   "stopped.")
        lost = [a for a in self.addresses if a not in alive]
        if not lost and not always:
            return None
        who = (f"worker(s) {', '.join(lost)}" if lost else  # the scheduler has not noticed yet
               f"a worker of the fit ({', '.join(self.addresses)})")
        return WorkerLostError(f"{who} holding rows of the fit could not be reached during "
                               f"{method!r} ({error}); the fit was stopped. {_REFIT}")

    def _check_alive(self, i, method, started):
        address = self.addresses[i]
        if time.monotonic() - started > self.timeout:
            raise WorkerLostError(f"worker {address} did not answer {method!r} within "
                                  f"timeout={self.timeout} s; the fit was stopped.")
        alive = workers_now(self.client)
        if alive is None:
            raise self._lost(method, "no answer from the scheduler", always=True)
        if self.futures[i].status not in ("finished", "pending") or address not in alive:
            raise WorkerLostError(f"worker {address} holding rows of the fit was lost during "
                                  f"{method!r}; the fit was stopped. {_REFIT}")

    def close(self):
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._dispatcher.join()
        if self.client.status == "running":
            for future in self.futures:
                future.release()
