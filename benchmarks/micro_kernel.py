"""Cost per row of the fused boosting pass (apply one term's update, histogram the next term).

One core, log-loss, `--rows` rows (default 100,000) with random bin codes over 258 bins;
prints ns per row. The same cost at 100,000 rows (whose arrays fit the caches) and at
1,000,000 (whose do not) says the pass is bound by compute, not memory traffic.

    .venv/bin/python -m benchmarks.micro_kernel [--rows 1000000]
"""

import argparse
import time

import numpy as np

from glassbox import _kernels as K
from glassbox._losses import LOG_LOSS

BINS, ROW_PASSES = 258, 200_000_000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args(argv).rows
    repeats = max(1, ROW_PASSES // rows)
    rng = np.random.default_rng(0)
    codes = np.asfortranarray(rng.integers(0, BINS, (rows, 2)).astype(np.uint16))
    state = np.exp(-rng.normal(size=rows))
    y = (rng.random(rows) < 0.2).astype(float)
    weight = np.ones(rows)
    grad, hess = np.zeros(BINS), np.zeros(BINS)
    factors = np.exp(rng.normal(size=BINS) * 0.01)
    run = lambda: K._apply_then_histogram(LOG_LOSS, codes[:, 0], factors, codes[:, 1],  # noqa: E731
                                          state, y, weight, grad, hess)
    run()
    started = time.perf_counter()
    for _ in range(repeats):
        run()
    print(f"fused apply + histogram: {(time.perf_counter() - started) / repeats / rows * 1e9:.2f}"
          " ns per row (one core)")


if __name__ == "__main__":
    main()
