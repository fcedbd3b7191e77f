"""Cost per row of the fused boosting pass (apply one term's update, histogram the next term).

One core, log-loss, 100,000 rows with random bin codes over 258 bins; prints ns per row.

    .venv/bin/python -m benchmarks.micro_kernel
"""

import time

import numpy as np

from glassbox import _kernels as K
from glassbox._losses import LOG_LOSS

ROWS, BINS, REPEATS = 100_000, 258, 2000


def main():
    rng = np.random.default_rng(0)
    codes = np.asfortranarray(rng.integers(0, BINS, (ROWS, 2)).astype(np.uint16))
    state = np.exp(-rng.normal(size=ROWS))
    y = (rng.random(ROWS) < 0.2).astype(float)
    weight = np.ones(ROWS)
    grad, hess = np.zeros(BINS), np.zeros(BINS)
    factors = np.exp(rng.normal(size=BINS) * 0.01)
    run = lambda: K._apply_then_histogram(LOG_LOSS, codes[:, 0], factors, codes[:, 1],  # noqa: E731
                                          state, y, weight, grad, hess)
    run()
    started = time.perf_counter()
    for _ in range(REPEATS):
        run()
    print(f"fused apply + histogram: {(time.perf_counter() - started) / REPEATS / ROWS * 1e9:.2f}"
          " ns per row (one core)")


if __name__ == "__main__":
    main()
