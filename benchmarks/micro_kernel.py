"""Cost per row of the fused boosting pass (apply one term's update, histogram the next term).

Log-loss, `--rows` rows (default 100,000) with random bin codes over 258 bins. Prints:

* ns per row on one core. The same cost at 100,000 rows (whose arrays fit the caches) and at
  1,000,000 (whose do not) says one core's pass is bound by compute, not memory traffic.
* with ``--threads``: the pass over all rows on one thread against its two halves on two
  threads at once, beside two loops without glassbox over the same rows: one that reads the
  state, target and weight arrays and adds up their gradients (the pass's memory reads, no
  histogram), and one of arithmetic only (no memory). Arithmetic that scales to two cores
  while the reads do not says the two cores share the memory system, which bounds how much
  faster one bag fits on two threads.

    .venv/bin/python -m benchmarks.micro_kernel [--rows 1000000] [--threads]
"""

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from glassbox import _kernels as K
from glassbox._losses import LOG_LOSS

BINS, ROW_PASSES = 258, 200_000_000
SPLIT_REPEATS = 5
"""Timings of `ROW_PASSES` rows each per loop and thread count; the best is reported."""


@njit(nogil=True)
def _read_rows(state, y, weight):
    """The rows' log-loss gradients added up: the pass's memory reads without its histogram."""
    total = 0.0
    for i in range(state.shape[0]):
        total += weight[i] * (1.0 / (1.0 + state[i]) - y[i])
    return total


@njit(nogil=True)
def _arithmetic(n):
    """Arithmetic without memory, `n` iterations."""
    x = 1.0
    for _ in range(n):
        x = x * 1.0000001 + 1.0 / (1.0 + x * 1e-9)
    return x


def best_seconds(run, repeats, times=1):
    """Best over `times` timings of `repeats` calls of `run`, per call."""
    best = np.inf
    for _ in range(times):
        started = time.perf_counter()
        for _ in range(repeats):
            run()
        best = min(best, (time.perf_counter() - started) / repeats)
    return best


def split_over_threads(loops, repeats):
    """{name: (seconds on one thread, seconds on two)} for loops `loop(part, parts)` that do
    part `part` of `parts` equal shares of the work."""
    timings = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        def halves(loop):
            other = pool.submit(loop, 1, 2)
            loop(0, 2)
            other.result()
        for name, loop in loops.items():
            loop(0, 1), halves(loop)  # compile, warm the caches
            timings[name] = (best_seconds(lambda: loop(0, 1), repeats, SPLIT_REPEATS),
                             best_seconds(lambda: halves(loop), repeats, SPLIT_REPEATS))
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--threads", action="store_true",
                        help="also time the pass and two control loops on one and two threads")
    args = parser.parse_args(argv)
    rows = args.rows
    repeats = max(1, ROW_PASSES // rows)
    rng = np.random.default_rng(0)
    codes = np.asfortranarray(rng.integers(0, BINS, (rows, 2)).astype(np.uint16))
    state = np.exp(-rng.normal(size=rows))
    y = (rng.random(rows) < 0.2).astype(float)
    weight = np.ones(rows)
    grad, hess = np.zeros((2, 4096)), np.zeros((2, 4096))  # one histogram per thread, apart
    factors = np.exp(rng.normal(size=BINS) * 0.01)

    def rows_of(part, parts):
        return slice(part * rows // parts, (part + 1) * rows // parts)

    def fused(part, parts):
        r = rows_of(part, parts)
        K._apply_then_histogram(LOG_LOSS, codes[r, 0], factors, codes[r, 1], state[r], y[r],
                                weight[r], grad[part, :BINS], hess[part, :BINS])

    fused(0, 1)
    print(f"fused apply + histogram: {best_seconds(lambda: fused(0, 1), repeats) / rows * 1e9:.2f}"
          " ns per row (one core)")
    if not args.threads:
        return
    loops = {"fused pass": fused,
             "read the rows' arrays only": lambda part, parts: _read_rows(
                 state[rows_of(part, parts)], y[rows_of(part, parts)],
                 weight[rows_of(part, parts)]),
             "arithmetic only": lambda part, parts: _arithmetic(rows // parts)}
    print(f"{rows:,} rows, one thread against two halves on two threads:")
    for name, (one, two) in split_over_threads(loops, repeats).items():
        print(f"  {name}: {one * 1e3:.3f} ms, {two * 1e3:.3f} ms, {one / two:.2f}x")


if __name__ == "__main__":
    main()
