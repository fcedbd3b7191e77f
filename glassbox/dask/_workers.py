"""Where the shards live, behind one small interface: `Workers.map(method, args per shard)`.

`InMemory` holds the shards in this process (a fit on a DataFrame or array); `OnCluster` holds
each in a Dask actor on its worker and talks to it through Dask's own connections (no other
port). Either way, the results come back in shard order. On a cluster, a call that does not
answer within `timeout` seconds, or whose worker has left the cluster, ends the fit with a
`WorkerLostError` naming the worker, instead of waiting for ever.
"""

import time

from ._tree import combine

_POLL_S = 0.5


class WorkerLostError(RuntimeError):
    """A worker holding rows of a data-parallel fit died, left, or did not answer in time."""


class _Workers:
    def broadcast(self, method, *args):
        """The same call on every shard; the results in shard order."""
        return self.map(method, [args] * self.n_shards)

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
        for shard in self.shards:
            shard.pool.shutdown()


class OnCluster(_Workers):
    """Shards in Dask actors, one per worker (`addresses`)."""

    def __init__(self, client, actors, futures, addresses, timeout):
        self.client, self.actors, self.futures = client, actors, futures
        self.addresses, self.timeout = addresses, timeout
        self.n_shards = len(actors)

    def map(self, method, args):
        pending = [actor.call(method, *a) for actor, a in zip(self.actors, args)]
        started = time.monotonic()
        results = []
        for i, call in enumerate(pending):
            while True:
                try:
                    results.append(call.result(timeout=_POLL_S))
                    break
                except TimeoutError:
                    self._check_alive(i, method, started)
                except OSError as error:
                    raise WorkerLostError(f"worker {self.addresses[i]} holding rows of the fit "
                                          f"could not be reached during {method!r} ({error}); "
                                          "the fit was stopped.") from error
        return results

    def _check_alive(self, i, method, started):
        address = self.addresses[i]
        if time.monotonic() - started > self.timeout:
            raise WorkerLostError(f"worker {address} did not answer {method!r} within "
                                  f"timeout={self.timeout} s; the fit was stopped.")
        status = self.futures[i].status
        if status not in ("finished", "pending") or address not in self.client.scheduler_info()[
                "workers"]:
            raise WorkerLostError(
                f"worker {address} holding rows of the fit was lost during {method!r}; the fit "
                "was stopped. Each worker holds its rows in memory for the whole fit, so a lost "
                "worker cannot be replaced mid-fit: fit again.")

    def close(self):
        for future in self.futures:
            future.release()
