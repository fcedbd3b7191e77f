"""The side-by-side benchmark's options: extra settings for either library are JSON objects,
and the report says which were used."""

import pytest

pytest.importorskip("interpret")

from benchmarks import _data  # noqa: E402
from benchmarks import bench_vs_interpret as bench  # noqa: E402


def test_extra_settings_for_either_library_are_json_objects_named_in_the_report():
    args = bench.parse_args(["--datasets", "diabetes", "--mode", "defaults",
                             "--glassbox-params", '{"interactions": 0}',
                             "--interpret-params", '{"interactions": 0}'])
    assert args.glassbox_params == args.interpret_params == {"interactions": 0}
    said = "\n".join(bench.settings_lines(args, [_data.DATASETS["diabetes"]]))
    assert 'plus {"interactions": 0}; interpret at its defaults' in said
    assert said.count('{"interactions": 0}') == 2
    for option in ("--glassbox-params", "--interpret-params"):
        for bad in ("3", "[1]", "{interactions: 0}"):
            with pytest.raises(SystemExit):
                bench.parse_args([option, bad])


@pytest.mark.parametrize("name", ["maternal-health", "diabetes"])
def test_folds_that_keep_copies_together_never_test_a_row_seen_in_training(name):
    """A table of repeated records scores recall of training rows on folds drawn row by row;
    with --copies-together every copy of a row, target included, is in one fold, every row is
    tested once per repeat, and the repeats differ."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.integers(0, 4, 400), "b": rng.integers(0, 3, 400)})
    y = ((X["a"] + rng.integers(0, 2, 400)) % 3).to_numpy()
    rows = pd.util.hash_pandas_object(X.assign(y=y), index=False).to_numpy()
    assert len(set(rows)) < 40  # hundreds of copies
    folds = list(bench.folds_for(_data.DATASETS[name], 5, 2, copies_together=True).split(X, y))
    for train, test in folds:
        assert not set(rows[train]) & set(rows[test])
    for repeat in (folds[:5], folds[5:]):
        assert sorted(np.concatenate([test for _, test in repeat])) == list(range(400))
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(folds[:5], folds[5:]))
