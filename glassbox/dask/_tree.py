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


def node_value(values):
    """The value of a tree node from its chunks' values, an iterable in chunk order, folded as
    they come (at most log2(chunks) + 1 held at once): two neighbours of equal size are added
    as soon as both exist, and what is left at the end is added from the right. These are the
    tree's own pairs, since the node starts at a multiple of its size."""
    stack = []
    for value in values:
        size = 1
        while stack and stack[-1][0] == size:
            value = stack.pop()[1] + value
            size *= 2
        stack.append((size, value))
    value = stack.pop()[1]
    while stack:
        value = stack.pop()[1] + value
    return value


def combine(n_chunks, nodes):
    """The tree's root value from {(level, index): value} of nodes that cover every chunk."""
    def visit(level, index):
        if (level, index) in nodes:
            return nodes[(level, index)]
        left = visit(level - 1, 2 * index)
        lo, hi = _span(level - 1, 2 * index + 1, n_chunks)
        return left + visit(level - 1, 2 * index + 1) if lo < hi else left
    return visit(*_root(n_chunks))
