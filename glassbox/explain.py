"""Explanations of any additive model built from `terms.Term`: contributions and importances."""

import numpy as np
import pandas as pd


def explain_frame(terms, binned, classes=None, index=None):
    """Per-row contribution of every term as a DataFrame (columns: term names, or (class, term)
    pairs for a multiclass model), from a `terms.BinnedColumns`. Adding the intercept to a row's
    sum gives its raw score."""
    values = [term.contributions(binned) for term in terms]
    names = [term.name for term in terms]
    n_rows = len(binned.columns[0])
    if values and values[0].ndim == 2:
        stacked = np.stack(values, axis=1)  # rows, terms, classes
        frame = stacked.transpose(0, 2, 1).reshape(n_rows, -1)
        header = pd.MultiIndex.from_product([list(classes), names], names=["class", "term"])
        return pd.DataFrame(frame, columns=header, index=index)
    data = np.column_stack(values) if values else np.zeros((n_rows, 0))
    return pd.DataFrame(data, columns=names, index=index)


def importances(terms):
    """Mean absolute contribution of each term on the training data, largest first."""
    series = pd.Series({term.name: term.importance() for term in terms}, dtype=float,
                       name="importance")
    return series.sort_values(ascending=False, kind="stable")
