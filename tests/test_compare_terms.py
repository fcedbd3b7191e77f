"""The term-sharing comparison: each feature's strongest correlations and both libraries'
main-effect importances, measured, for binary and regression tables only."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("interpret")

from benchmarks import compare_terms  # noqa: E402


def test_the_report_names_correlated_features_and_measures_both_models():
    rng = np.random.default_rng(0)
    a = rng.normal(size=600)
    X = pd.DataFrame({"a": a, "twin": a + 0.3 * rng.normal(size=600),
                      "null": rng.normal(size=600)})
    y = 2 * a + rng.normal(size=600)
    text = compare_terms.report("toy", X, y, True, "python -m benchmarks.compare_terms")
    cells = [[cell.strip() for cell in line.strip("|").split("|")]
             for line in text.splitlines() if line.startswith("| ") and "feature |" not in line]
    rows = {cells_[0]: cells_ for cells_ in cells}
    assert set(rows) == {"a", "twin", "null"}
    assert rows["a"][1].startswith("twin 0.9")
    shared = {name: float(rows[name][2]) + float(rows[name][3]) for name in rows}
    assert shared["a"] + shared["twin"] > 10 * shared["null"]


def test_multiclass_and_simulated_sets_are_refused():
    for name in ("fetal-health", "simulated"):
        with pytest.raises(SystemExit):
            compare_terms.main(["--dataset", name])
