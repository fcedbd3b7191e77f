"""The faithfulness benchmark's tuning mode: settings are scored on draws the benchmark never
reports, every setting is scored against the same truth, and the report names a command
that runs as written."""

import shlex

import numpy as np
import pytest

pytest.importorskip("interpret")
pytest.importorskip("pygam")

from benchmarks import bench_faithfulness as bench  # noqa: E402
from glassbox.datasets import make_null_cohort  # noqa: E402


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_tuning_scores_each_setting_on_the_tuning_draw_only(task):
    seeds = []

    def draw(n, seed):
        seeds.append(seed)
        return make_null_cohort(n_samples=n, random_state=seed)

    cohort = bench.Cohort(draw, 1_000, 2, "null cohort, 1,000 rows")
    settings = [{"outer_bags": 2}, {"outer_bags": 2, "max_bins": 4}]
    rows = bench.tune_cohort("null", cohort, 2_000, settings, bench.new_task(task))
    assert seeds == [2 + bench.TUNING_SEED_OFFSET]
    assert [row[1] for row in rows] == ['`{"outer_bags": 2}`',
                                        '`{"outer_bags": 2, "max_bins": 4}`']
    errors = [float(row[2]) for row in rows]
    assert all(0 < e < 0.5 for e in errors) and errors[0] != errors[1]
    assert all(0.5 < float(row[5]) < 1 for row in rows)  # fresh-row AUC or R²


def test_the_regression_target_is_the_true_terms_plus_noise_of_the_asked_size():
    X, y, truth = make_null_cohort(n_samples=20_000, random_state=0)
    total = truth.sum(axis=1).to_numpy()
    target = bench.new_task("regression", noise=0.5).target(y, truth, seed=0)
    noise = target - total
    assert noise.std() / total.std() == pytest.approx(0.5, abs=0.02)
    assert abs(np.corrcoef(noise, total)[0, 1]) < 0.03
    assert np.array_equal(bench.new_task("regression", noise=0.5).target(y, truth, seed=0), target)
    np.testing.assert_array_equal(bench.new_task("regression", noise=0).target(y, truth, 0), total)
    assert bench.new_task("classification").target(y, truth, seed=0) is y


def test_training_rows_set_every_cohort_and_bad_options_are_refused():
    assert {c.n_train for c in bench.cohorts(False, train_rows=400).values()} == {400}
    assert bench.cohorts(False)["small-n"].n_train == 2_000
    for argv in (["--task", "regression", "--noise", "-1"], ["--noise", "0.5"],
                 ["--train-rows", "100"]):
        with pytest.raises(SystemExit):
            bench.parse_args(argv)


def test_tuning_settings_must_be_json_objects():
    assert bench.parse_args(["--tune", '{"outer_bags": 2}']).tune == [{"outer_bags": 2}]
    for bad in ["3", "{outer_bags: 2}"]:
        with pytest.raises(SystemExit):
            bench.parse_args(["--tune", bad])


def test_the_recorded_command_runs_as_written_in_a_shell():
    argv = ["--tune", "{}", '{"smoothing_rounds": 0}', "--output", "report.md"]
    command = bench.provenance_line(argv).split("command `")[1].rstrip("`")
    assert shlex.split(command) == ["python", "-m", "benchmarks.bench_faithfulness", *argv]
