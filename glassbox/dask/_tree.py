"""Sums over fixed row chunks in a fixed tree, so that where the chunks live changes nothing.

The rows are cut into chunks of `chunk_rows` consecutive rows (by global row number). A sum over
the chunks (a histogram, a loss) is the sum of the chunks' own sums in one binary tree fixed by
the number of chunks N: node (level l, index i) covers chunks [i 2^l, min((i + 1) 2^l, N)), and its
value is its left child's plus its right child's (or its left child's alone when the right one
would be empty). A holder of chunks first..last - 1 adds up the largest nodes inside its range
(`nodes_within`); the driver adds those up the same tree (`combine`). Floating-point addition is
not associative, but every sum is done in the same order whatever the number of workers, the
partitioning of the input or the assignment of chunks to workers: the fit is bitwise identical.
"""

import numpy as np


def _root(n_chunks):
    return (max(0, int(np.ceil(np.log2(n_chunks)))) if n_chunks > 1 else 0), 0


def _span(level, index, n_chunks):
    return index << level, min((index + 1) << level, n_chunks)


def nodes_within(n_chunks, first, last):
    """The largest tree nodes whose chunks all lie in first..last - 1, left to right, as
    (level, index, lo, hi)."""
    out = []

    def visit(level, index):
        lo, hi = _span(level, index, n_chunks)
        if hi <= first or lo >= last or lo >= hi:
            return
        if first <= lo and hi <= last:
            out.append((level, index, lo, hi))
            return
        visit(level - 1, 2 * index)
        visit(level - 1, 2 * index + 1)
    visit(*_root(n_chunks))
    return out


class ChunkSum:
    """Streams chunk sums of one node in chunk order and returns the node's value: a binary
    counter that merges two siblings as soon as both are complete, then folds what is left
    from the right (the node's right edge at the last chunk), in O(log chunks) memory."""

    def __init__(self):
        self.stack = []  # (level, value), levels strictly decreasing

    def add(self, value):
        level = 0
        while self.stack and self.stack[-1][0] == level:
            left = self.stack.pop()[1]
            value = left + value
            level += 1
        self.stack.append((level, value))

    def value(self):
        level, total = self.stack[-1]
        for _, left in reversed(self.stack[:-1]):
            total = left + total
        return total


def combine(n_chunks, nodes):
    """The tree's root value from {(level, index): value} of nodes that cover every chunk."""
    def visit(level, index):
        if (level, index) in nodes:
            return nodes[(level, index)]
        left = visit(level - 1, 2 * index)
        lo, hi = _span(level - 1, 2 * index + 1, n_chunks)
        return left + visit(level - 1, 2 * index + 1) if lo < hi else left
    return visit(*_root(n_chunks))
