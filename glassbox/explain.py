"""Explanations of any additive model built from `terms.Term`: contributions and importances."""

import numpy as np
import pandas as pd


def explain_frame(terms, binned, classes=None, index=None):
    """Per-row contribution of every term as a DataFrame (columns: term names, or (class, term)
    pairs for a multiclass model), from a `terms.BinnedColumns`. Adding the intercept to a row's
    sum gives its raw score."""
    values = [term.contributions(binned) for term in terms]
    n_rows = len(binned.columns[0])
    columns = contribution_columns(terms, classes)
    if isinstance(columns, pd.MultiIndex):
        stacked = np.stack(values, axis=1)  # rows, terms, classes
        return pd.DataFrame(stacked.transpose(0, 2, 1).reshape(n_rows, -1), columns=columns,
                            index=index)
    data = np.column_stack(values) if values else np.zeros((n_rows, 0))
    return pd.DataFrame(data, columns=columns, index=index)


def contribution_columns(terms, classes=None):
    """The columns of `explain_frame`: the term names (a list), or (class, term) pairs when
    the terms score each class (a multiclass model)."""
    names = [term.name for term in terms]
    if terms and terms[0].scores.ndim > len(terms[0].bin_shape):
        return pd.MultiIndex.from_product([list(classes), names], names=["class", "term"])
    return names


def importances(terms):
    """Mean absolute contribution of each term on the training data, largest first."""
    series = pd.Series([term.importance() for term in terms],
                       index=[term.name for term in terms], dtype=float, name="importance")
    return series.sort_values(ascending=False, kind="stable")
