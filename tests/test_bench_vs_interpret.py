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
