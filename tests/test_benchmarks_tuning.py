"""The faithfulness benchmark's tuning mode: settings are scored on draws the benchmark never
reports, every setting is scored against the same truth, and the report names a command
that runs as written."""

import shlex

import pytest

pytest.importorskip("interpret")
pytest.importorskip("pygam")

from benchmarks import bench_faithfulness as bench  # noqa: E402
from glassbox.datasets import make_null_cohort  # noqa: E402


def test_tuning_scores_each_setting_on_the_tuning_draw_only():
    seeds = []

    def draw(n, seed):
        seeds.append(seed)
        return make_null_cohort(n_samples=n, random_state=seed)

    cohort = bench.Cohort(draw, 1_000, 2, "null cohort, 1,000 rows")
    settings = [{"outer_bags": 2}, {"outer_bags": 2, "max_bins": 4}]
    rows = bench.tune_cohort("null", cohort, 2_000, settings)
    assert seeds == [2 + bench.TUNING_SEED_OFFSET]
    assert [row[1] for row in rows] == ['`{"outer_bags": 2}`',
                                        '`{"outer_bags": 2, "max_bins": 4}`']
    errors = [float(row[2]) for row in rows]
    assert all(0 < e < 0.5 for e in errors) and errors[0] != errors[1]


def test_tuning_settings_must_be_json_objects():
    assert bench.parse_args(["--tune", '{"outer_bags": 2}']).tune == [{"outer_bags": 2}]
    for bad in ["3", "{outer_bags: 2}"]:
        with pytest.raises(SystemExit):
            bench.parse_args(["--tune", bad])


def test_the_recorded_command_runs_as_written_in_a_shell():
    argv = ["--tune", "{}", '{"smoothing_rounds": 0}', "--output", "report.md"]
    command = bench.provenance_line(argv).split("command `")[1].rstrip("`")
    assert shlex.split(command) == ["python", "-m", "benchmarks.bench_faithfulness", *argv]
