"""Per-row pseudo-random numbers from a hash of (seed, global row number).

A row's draw depends on nothing but its seed and its row number, so bags, validation splits and
samples come out the same whatever the partitioning or the number of workers (a global
permutation would need every row in one place). SplitMix64's finaliser (Steele, Lea and Flood,
2014) mixes the bits.
"""

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def row_keys(seed, rows):
    """A 64-bit hash per global row number in `rows` (int64), for the given seed."""
    with np.errstate(over="ignore"):
        z = rows.astype(np.uint64) * _GOLDEN + np.uint64(seed & 0xFFFFFFFF) * _M2 + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def row_uniforms(seed, rows):
    """A uniform draw in [0, 1) per global row number."""
    return (row_keys(seed, rows) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def smallest_keys(keys, rows, k):
    """Positions of the (at most) k smallest keys, ties broken by row number: a bottom-k sample,
    which merges exactly (the bottom k of a union is the bottom k of the parts' bottom k)."""
    return np.lexsort((rows, keys))[:k]
