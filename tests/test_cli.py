"""The `glassbox` command on temporary CSV files. Most tests run `glassbox.cli.main`, the whole
command, in this process (a new process would spend seconds importing before each command); the
console script itself runs as a subprocess where the process is what is tested: the first fit and
its predictions, help, exit codes, warnings printed once per process, readers that stop early,
and every command of docs/cli.md in a shell."""

import contextlib
import json
import os
import sqlite3
import warnings
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassbox import cli
from glassbox.datasets import load_maternal_morbidity, load_pneumonia
from glassbox.io import load_model

COMMAND = Path(sys.executable).with_name("glassbox")
FAST = ["--param", "outer_bags=2", "--param", "max_rounds=300"]


def run_command(*args, cwd=None, ok=True):
    """Run the console script `glassbox args...`; returns the completed process (stdout and
    stderr as text)."""
    if not COMMAND.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable}: "
                    "pip install -e .")
    done = subprocess.run([str(COMMAND), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    return done


class Terminal(StringIO):
    """stderr as a terminal shows it: the command draws its progress there."""

    def isatty(self):
        return True


def run(*args, cwd=None, ok=True, terminal=False):
    """`glassbox args...` run by `cli.main` in this process, in `cwd`; returns it as a completed
    process (exit code, stdout and stderr as text), as `run_command` does."""
    out, err = StringIO(), Terminal() if terminal else StringIO()
    here = os.getcwd()
    try:
        os.chdir(cwd or here)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as done:  # argparse's --help and usage errors
                code = done.code
    finally:
        os.chdir(here)
    done = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A development and an evaluation CSV of the pneumonia cohort (with an id column, missing
    labs and text categories), and a model fitted on the first by the command."""
    folder = tmp_path_factory.mktemp("cli")
    frame = load_pneumonia(n_samples=1600, random_state=3).frame
    frame.insert(0, "id", np.arange(len(frame)) + 1000)
    dev, test = frame.iloc[:1000], frame.iloc[1000:]
    dev.to_csv(folder / "dev.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    run_command("fit", folder / "dev.csv", "--target", "died", "--drop", "id",
                "--monotone", "age=+1", *FAST, "-o", folder / "model.json")
    return folder


def test_fit_then_predict_gives_the_models_own_probabilities(files):
    done = run_command("predict", files / "model.json", files / "test.csv", "--keep", "id",
                       "-o", files / "scores.csv")
    assert "wrote 600 rows" in done.stderr
    scores = pd.read_csv(files / "scores.csv")
    model = load_model(files / "model.json")
    test = pd.read_csv(files / "test.csv")
    expected = model.predict_proba(test.drop(columns=["id", "died"]))
    assert list(scores.columns) == ["id", "proba_0", "proba_1", "predicted"]
    np.testing.assert_array_equal(scores["id"], test["id"])
    np.testing.assert_allclose(scores[["proba_0", "proba_1"]], expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(scores["predicted"], model.classes_[expected.argmax(axis=1)])


def test_keep_with_a_comma_separated_list_says_to_repeat_it(files):
    done = run("predict", files / "model.json", files / "test.csv", "--keep", "id,died", ok=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "repeat it: --keep id --keep died" in done.stderr


def test_predict_in_chunks_and_to_stdout_is_the_same(files):
    whole = run("predict", files / "model.json", files / "test.csv").stdout
    chunked = run("predict", files / "model.json", files / "test.csv", "--chunk-size", 7).stdout
    assert whole == chunked and len(whole.splitlines()) == 601


def test_fit_keeps_the_declared_direction_and_says_what_it_chose(files):
    model = load_model(files / "model.json")
    age = next(t for t in model.terms_ if t.name == "age")
    assert np.all(np.diff(age.scores[1:-1]) >= -1e-12)  # value bins, in order
    assert type(model).__name__ == "BoostedGAMClassifier"
    assert model.get_params()["verbose"] == 0  # the file refits quietly
    assert "id" not in model.feature_names_in_


def test_fit_with_a_sensitive_column_saves_a_model_that_cannot_use_it(files, tmp_path):
    run("fit", files / "dev.csv", "--target", "died", "--drop", "id", "--sensitive", "race",
        *FAST, "-o", tmp_path / "clean.json")
    model = load_model(tmp_path / "clean.json")
    assert "race" not in [f.name for f in model.features_]
    assert model.edit_log_[-1]["edit"] == "clean"
    test = pd.read_csv(files / "test.csv").drop(columns=["id", "race", "died"])
    done = run("predict", tmp_path / "clean.json", files / "test.csv")  # race column ignored
    np.testing.assert_allclose(pd.read_csv(StringIO(done.stdout))["proba_1"],
                               model.predict_proba(test)[:, 1], rtol=0, atol=1e-15)


def test_fit_uses_every_core_and_says_its_note_once_on_a_terminal(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    frame["y"] = (frame["a"] + rng.normal(size=300) > 0).astype(int)
    frame.to_csv(tmp_path / "t.csv", index=False)
    err = run("fit", "t.csv", "--target", "y", "--param", "outer_bags=2", "--param",
              "max_rounds=20", "-o", "m.json", cwd=tmp_path, terminal=True).stderr
    assert "[glassbox]" in err  # the fit printed its progress, and its note
    assert err.count("reached max_rounds=20 in the main-effect stage") == 1, err
    assert err.count("requested interactions") == 1, err
    assert "(a lower min_interaction_gain_ratio keeps more" in err
    assert load_model(tmp_path / "m.json").get_params()["n_jobs"] == -1  # "all cores"


def test_fit_tells_regression_from_classification_and_can_be_told(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=400), "grade": rng.integers(0, 3, 400)})
    frame["length_of_stay"] = np.exp(0.3 * frame["x"]) * 4 + rng.exponential(size=400)
    frame.to_csv(tmp_path / "stay.csv", index=False)
    done = run("fit", tmp_path / "stay.csv", "--target", "length_of_stay", *FAST,
               "--param", "loss=poisson", "-o", tmp_path / "r.json")
    assert "task: regression" in done.stderr and "--task overrides" in done.stderr
    assert "of the 6 requested interactions" in done.stderr  # the fit's note: 1 candidate pair
    assert "without trying cyclic: 2 bags cannot measure" in done.stderr  # "auto" with 2 bags
    done = run("fit", tmp_path / "stay.csv", "--target", "length_of_stay", "--param",
               "outer_bags=3", "--param", "max_rounds=300", "-o", tmp_path / "r3.json")
    assert done.stderr.count("smoothing schedule ") == 1  # which "auto" kept, not on a terminal
    kept = load_model(tmp_path / "r3.json").provenance_["resolved"]["smoothing_schedule"]
    assert f"smoothing schedule {kept} kept" in done.stderr
    assert type(load_model(tmp_path / "r.json")).__name__ == "BoostedGAMRegressor"
    done = run("fit", tmp_path / "stay.csv", "--target", "grade", *FAST, "-o", tmp_path / "c.json")
    assert "task: classification" in done.stderr
    assert "the 3 whole numbers of 'grade' are read as unordered classes" in done.stderr
    model = load_model(tmp_path / "c.json")
    assert list(model.classes_) == [0, 1, 2]
    run("fit", tmp_path / "stay.csv", "--target", "grade", "--task", "regression", *FAST,
        "-o", tmp_path / "g.json")
    assert type(load_model(tmp_path / "g.json")).__name__ == "BoostedGAMRegressor"


def test_a_whole_number_target_is_described_in_numeric_order(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=500), "visits": np.arange(500) % 10 + 1})
    frame.to_csv(tmp_path / "visits.csv", index=False)
    done = run("fit", tmp_path / "visits.csv", "--target", "visits", *FAST,
               "-o", tmp_path / "v.json")
    assert "'visits' has 10 distinct values: 1, 2, 3, 4, 5, ...); --task overrides" in done.stderr
    assert "pass --task regression" in done.stderr
    done = run("fit", tmp_path / "visits.csv", "--target", "visits", "--task", "regression",
               *FAST, "-o", tmp_path / "r.json")
    assert "read as unordered classes" not in done.stderr
    assert "task: regression (target 'visits' has 10 distinct values: 1, 2, 3, 4, 5, ...); as " \
           "--task says" in done.stderr


def test_a_monotonic_network_fits_and_predicts(files, tmp_path):
    run("fit", files / "dev.csv", "--target", "died", "--drop", "id", "--model", "monotonic-net",
        "--monotone", "age=+1", "--param", "max_iter=30", "-o", tmp_path / "net.json")
    model = load_model(tmp_path / "net.json")
    assert type(model).__name__ == "MonotonicNetClassifier"
    scores = pd.read_csv(StringIO(
        run("predict", tmp_path / "net.json", files / "test.csv").stdout))
    test = pd.read_csv(files / "test.csv").drop(columns=["id", "died"])
    np.testing.assert_allclose(scores["proba_1"], model.predict_proba(test)[:, 1], atol=1e-15)


def test_explain_adds_up_to_the_models_score(files):
    model = load_model(files / "model.json")
    test = pd.read_csv(files / "test.csv")
    raw = model.decision_function(test.drop(columns=["id", "died"]).iloc[[17]])[0]
    data = json.loads(run("explain", files / "model.json", files / "test.csv", "--row", 17,
                          "--json").stdout)
    total = data["intercept"] + sum(t["contribution"] for t in data["terms"])
    assert total == pytest.approx(raw, abs=1e-12)
    assert data["prediction"][1] == pytest.approx(1 / (1 + np.exp(-raw)), abs=1e-12)
    text = run("explain", files / "model.json", files / "test.csv", "--row", 17, "--top", 5).stdout
    assert "line 19 of the file" in text and "log-odds of class 1" in text
    assert f"every term ({len(model.terms_) - 5} smaller ones not shown): {raw:.4f}\n" in text
    assert data["raw_score"] == pytest.approx(raw, abs=1e-12) and data["classes"] == ["0", "1"]
    assert all(isinstance(t["values"], dict) for t in data["terms"])
    assert "smaller ones not shown" in text and len(text.splitlines()) == 1 + 1 + 6 + 2


def test_explain_shows_whole_numbers_as_written(tmp_path):
    """A row of number columns, some whole, some not, keeps each column's own type."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": np.arange(300) % 50 + 30, "bp": rng.normal(130, 15, 300)})
    frame["y"] = 0.1 * frame["age"] + 0.02 * frame["bp"] + rng.normal(size=300)
    frame.to_csv(tmp_path / "rows.csv", index=False)
    run("fit", tmp_path / "rows.csv", "--target", "y", *FAST, "-o", tmp_path / "m.json")
    data = json.loads(run("explain", tmp_path / "m.json", tmp_path / "rows.csv", "--row", 0,
                          "--json").stdout)
    values = {k: v for t in data["terms"] for k, v in t["values"].items()}
    assert values["age"] == 30 and isinstance(values["age"], int)
    assert values["bp"] == pytest.approx(frame["bp"][0])
    text = run("explain", tmp_path / "m.json", tmp_path / "rows.csv", "--row", 0).stdout
    assert "age=30 " in text or "age=30\n" in text


def test_report_writes_the_audit_report(files):
    run("report", files / "model.json", files / "test.csv", "--target", "died",
        "--dev", files / "dev.csv", "--sensitive", "race", "--capacity", 0.1,
        "--outcome", "death within 30 days", "--bootstrap", 20, "-o", files / "report.html")
    html = (files / "report.html").read_text()
    assert "Audit report: BoostedGAMClassifier" in html and "death within 30 days" in html
    assert "600 rows" in html and "1,000 rows" in html
    assert "White" in html  # the race subgroups


def test_export_sql_scores_like_the_model(files):
    query = run("export-sql", files / "model.json", "--table", "patients", "--keep", "id").stdout
    test = pd.read_csv(files / "test.csv")
    with sqlite3.connect(":memory:") as db:
        test.to_sql("patients", db, index=False)
        cursor = db.execute(f"{query} ORDER BY id")
        got = pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
    model = load_model(files / "model.json")
    np.testing.assert_array_equal(got["id"], test["id"])
    np.testing.assert_allclose(got[["proba_0", "proba_1"]],
                               model.predict_proba(test.drop(columns=["id", "died"])),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("cohort, rows, load", [("pneumonia", 2000, load_pneumonia),
                                                ("maternal", 6000, load_maternal_morbidity)])
def test_demo_writes_a_model_a_report_and_scores(cohort, rows, load, tmp_path):
    done = run("demo", cohort, "--rows", rows, "-o", tmp_path / "demo")
    assert "test AUROC" in done.stderr
    assert ("asthma" in done.stderr) == (cohort == "pneumonia")
    model = load_model(tmp_path / "demo" / "model.json")
    scores = pd.read_csv(tmp_path / "demo" / "test_scores.csv", index_col=0)
    X = load(return_X_y=True, n_samples=rows)[0].loc[scores.index]
    np.testing.assert_allclose(scores["proba_1"], model.predict_proba(X)[:, 1], atol=1e-15)
    assert "Audit report" in (tmp_path / "demo" / "report.html").read_text()


@pytest.mark.parametrize("command", ["fit", "predict", "report", "explain", "export-sql", "demo"])
def test_every_command_has_help(command):
    assert run(command, "--help").stdout.startswith(f"usage: glassbox {command}")


def test_the_console_script_prints_help():
    assert run_command("fit", "--help").stdout.startswith("usage: glassbox fit")


def test_no_command_prints_the_usage_and_fails():
    done = run_command(ok=False)
    assert done.returncode == 2 and "fit" in done.stderr and "export-sql" in done.stderr


@pytest.fixture(scope="module")
def other_models(files):
    """A regressor and a full monotonic network, for the commands that need neither."""
    run("fit", files / "dev.csv", "--target", "age", "--drop", "id", "--task", "regression",
        *FAST, "-o", files / "regressor.json")
    run("fit", files / "dev.csv", "--target", "died", "--drop", "id", "--model", "monotonic-net",
        "--param", "max_iter=5", "-o", files / "net.json")


def _bad_files(folder, good):
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("age,sex,died\n")
    frame = pd.read_csv(good)
    frame.assign(bun=frame["bun"].astype(object).where(frame.index % 7 != 0, "N/A")).to_csv(
        folder / "na_text.csv", index=False)
    frame.assign(died=frame["died"].astype(float).where(frame.index != 3)).to_csv(
        folder / "missing_target.csv", index=False)
    frame["age"] = frame["age"].astype(object)
    frame.loc[[5, 9], "age"] = ["unknown", "sixty"]
    frame.to_csv(folder / "text_in_age.csv", index=False)
    frame.drop(columns=["bun"]).assign(age=1.0).to_csv(folder / "no_bun.csv", index=False)
    (folder / "truncated.json").write_text((folder / "model.json").read_text()[:500])
    pd.read_csv(good).to_csv(folder / "semicolons.csv", sep=";", index=False)
    pd.read_csv(good).assign(died=lambda f: f["died"].map({0: "No", 1: "Yes"})).to_csv(
        folder / "yes_no.csv", index=False)
    frame = pd.read_csv(good)
    frame[frame["died"] == 0].to_csv(folder / "one_class.csv", index=False)
    repeated = pd.read_csv(good)
    repeated.insert(1, "bun ", repeated["bun"])
    repeated.to_csv(folder / "repeated.csv", index=False)
    lines = (folder / "repeated.csv").read_text().split("\n", 1)
    (folder / "repeated.csv").write_text(lines[0].replace("bun ", "bun") + "\n" + lines[1])


BAD = {
    "missing target column": (["fit", "dev.csv", "--target", "dead", "-o", "x.json"],
                              ["no column 'dead' (did you mean 'died'?)"]),
    "missing target values": (["fit", "missing_target.csv", "--target", "died", "-o", "x.json"],
                              ["'died'", "missing in 1 row", "row 3"]),
    "text in a numeric column": (["fit", "text_in_age.csv", "--target", "died", "-o", "x.json"],
                                 ["'age'", "text (2 rows", "row 5 'unknown'", "--categorical age"]),
    "text in a numeric column to score": (["predict", "model.json", "text_in_age.csv"],
                                          ["'age'", "row 9 'sixty'"]),
    "empty file": (["fit", "empty.csv", "--target", "died", "-o", "x.json"], ["empty.csv is empty"]),
    "empty file to score": (["predict", "model.json", "empty.csv"], ["empty.csv is empty"]),
    "header only": (["fit", "header.csv", "--target", "died", "-o", "x.json"], ["no rows"]),
    "a column named twice": (["fit", "repeated.csv", "--target", "died", "-o", "x.json"],
                             ["repeated.csv names the column(s) ['bun'] more than once"]),
    "a column named twice to score": (["predict", "model.json", "repeated.csv"],
                                      ["['bun'] more than once"]),
    "header only to score": (["predict", "model.json", "header.csv", "-o", "x.csv"],
                             ["no rows"]),
    "a column the model needs": (["predict", "model.json", "no_bun.csv"], ["no column 'bun'"]),
    "a model file cut short": (["predict", "truncated.json", "dev.csv"], ["truncated.json"]),
    "a CSV as the model file": (["explain", "dev.csv", "dev.csv", "--row", "1"], ["dev.csv"]),
    "no model file": (["export-sql", "nowhere.json", "--table", "t"],
                      ["nowhere.json: no such file or directory."]),
    "no data file": (["fit", "nowhere.csv", "--target", "died", "-o", "x.json"],
                     ["nowhere.csv: no such file or directory."]),
    "a bad direction": (["fit", "dev.csv", "--target", "died", "--monotone", "age=up", "-o",
                         "x.json"], ["--monotone 'age=up'", "NAME=+1"]),
    "two directions for one column": (["fit", "dev.csv", "--target", "died", "--monotone",
                                       "age=+1", "--monotone", "age=-1", "-o", "x.json"],
                                      ["--monotone names 'age' more than once"]),
    "a direction through --param": (["fit", "dev.csv", "--target", "died", "--param",
                                     'monotonic_cst={"age": 1}', "-o", "x.json"],
                                    ["--param monotonic_cst", "--monotone"]),
    "a direction with more than two classes": (["fit", "dev.csv", "--target", "race", "--model",
                                                "monotonic-net", "--monotone", "age=+1", "-o",
                                                "x.json"], ["['age']", "monotone constraints "
                                                            "need a binary or numeric target"]),
    "a dropped column constrained": (["fit", "dev.csv", "--target", "died", "--drop", "age",
                                      "--monotone", "age=+1", "-o", "x.json"],
                                     ["'age'", "--drop", "--monotone"]),
    "a sensitive column to clean out of a network without terms": (
        ["fit", "dev.csv", "--target", "died", "--model", "monotonic-net", "--sensitive", "race",
         "-o", "x.json"], ["--sensitive with --strategy clean needs a model made of terms",
                           "(additive=False)", "--strategy drop"]),
    "the target as sensitive": (["fit", "dev.csv", "--target", "died", "--sensitive", "died",
                                 "-o", "x.json"], ["--sensitive died", "is the target"]),
    "a missing-value code not declared": (["fit", "na_text.csv", "--target", "died", "-o",
                                           "x.json"], ["'bun'", "--na-value 'N/A'"]),
    "an output folder that does not exist": (["fit", "dev.csv", "--target", "died", "-o",
                                              "nowhere/x.json"], ["nowhere", "does not exist"]),
    "a direction for a missing column": (["fit", "dev.csv", "--target", "died", "--monotone",
                                          "agee=+1", "-o", "x.json"], ["no column 'agee'"]),
    "an unknown parameter": (["fit", "dev.csv", "--target", "died", "--param", "bags=2",
                              "-o", "x.json"], ["no parameter 'bags'", "outer_bags"]),
    "a bad parameter value": (["fit", "dev.csv", "--target", "died", "--param", "outer_bags=0",
                               "-o", "x.json"], ["outer_bags"]),
    "a target the loss cannot fit": (["fit", "dev.csv", "--target", "died", "--task",
                                      "regression", "--param", "loss=gamma", "-o", "x.json"],
                                     ["target column 'died' (lowest value 0)",
                                      "loss='gamma' needs y > 0"]),
    "a row outside the file": (["explain", "model.json", "test.csv", "--row", "600"],
                               ["--row 600", "0 to 599"]),
    "a target that is not the model's classes": (["report", "model.json", "test.csv",
                                                  "--target", "age", "-o", "r.html"], ["'age'"]),
    "a report of one class": (["report", "model.json", "one_class.csv", "--target", "died",
                               "-o", "r.html"], ["target column 'died' of one_class.csv holds "
                                                 "only 0", "both classes"]),
    "a report of a regression": (["report", "regressor.json", "test.csv", "--target", "age",
                                  "-o", "r.html"], ["binary classifier", "BoostedGAMRegressor"]),
    "a report of a full network": (["report", "net.json", "test.csv", "--target", "died",
                                    "-o", "r.html"], ["made of terms", "additive=true"]),
    "a case-different target": (["fit", "dev.csv", "--target", "DIED", "-o", "x.json"],
                                ["did you mean 'died'"]),
    "a chunk size of 0": (["predict", "model.json", "test.csv", "--chunk-size", "0"],
                          ["--chunk-size", "at least 1"]),
    "a target in other words than the model's classes": (
        ["report", "model.json", "yes_no.csv", "--target", "died", "-o", "r.html"],
        ["holds 'No', 'Yes', which are not classes of the model (0, 1)"]),
    "a file separated by semicolons": (["fit", "semicolons.csv", "--target", "died", "-o",
                                        "x.json"], ["separated by ';'", "comma-separated"]),
    "an expected direction for categories": (["report", "model.json", "test.csv", "--target",
                                              "died", "--expect", "sex=+1", "-o", "r.html"],
                                             ["--expect sex", "as categories"]),
    "an expected direction for a column the model does not read": (
        ["report", "model.json", "test.csv", "--target", "died", "--expect", "id=+1", "-o",
         "r.html"], ["the model has no column 'id'"]),
    "a report without bootstrap replicates": (["report", "model.json", "test.csv", "--target",
                                               "died", "--bootstrap", "0", "-o", "r.html"],
                                              ["--bootstrap", "at least 1"]),
    "a threshold that is not a risk": (["report", "model.json", "test.csv", "--target", "died",
                                        "--threshold", "1.5", "-o", "r.html"],
                                       ["threshold is a risk, in (0, 1); got 1.5"]),
    "a demo sample too small": (["demo", "pneumonia", "--rows", "10", "-o", "d"],
                                ["--rows 10", "pass more --rows"]),
    "text in a numeric column to report": (["report", "model.json", "text_in_age.csv",
                                            "--target", "died", "-o", "r.html"],
                                           ["'age'", "the model reads it as numbers"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_clear_line_and_exit_code_2(files, other_models, case):
    _bad_files(files, files / "dev.csv")
    for leftover in ("x.json", "x.csv"):
        (files / leftover).unlink(missing_ok=True)
    args, phrases = BAD[case]
    done = run(*args, cwd=files, ok=False)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"glassbox {args[0]}: error: ")
    for phrase in phrases:
        assert phrase in last, last
    assert not (files / "x.json").exists() and not (files / "x.csv").exists()
    assert not list(files.glob("*.partial"))


def test_a_bad_parameter_is_refused_before_the_fit_starts(files):
    done = run("fit", "dev.csv", "--target", "died", "--param", "learning_rate=-1", "-o",
               "x.json", cwd=files, ok=False)
    assert done.returncode == 2 and "learning_rate" in done.stderr.splitlines()[-1]
    assert "fitting" not in done.stderr
    done = run("fit", "dev.csv", "--target", "died", "--param", "bag=2", "-o", "x.json",
               cwd=files, ok=False)
    listed = done.stderr.splitlines()[-1].split("the ones --param sets: ")[1]
    assert "outer_bags" in listed and "random_state" not in listed and "n_jobs" not in listed


def test_a_true_false_column_is_fitted_as_categories(tmp_path):
    rng = np.random.default_rng(0)
    flag = rng.random(400) < 0.5
    pd.DataFrame({"flag": flag, "x": rng.normal(size=400),
                  "y": (flag ^ (rng.random(400) < 0.2)).astype(int)}).to_csv(
        tmp_path / "flags.csv", index=False)
    run("fit", tmp_path / "flags.csv", "--target", "y", *FAST, "-o", tmp_path / "m.json")
    model = load_model(tmp_path / "m.json")
    assert model.features_[0].kind == "categorical"
    got = pd.read_csv(StringIO(run("predict", tmp_path / "m.json", tmp_path / "flags.csv").stdout))
    X = pd.read_csv(tmp_path / "flags.csv").drop(columns="y")
    np.testing.assert_allclose(got["proba_1"], model.predict_proba(X)[:, 1], atol=1e-15)


def test_a_parameter_value_is_json_or_text_and_none_is_no_value():
    assert cli._params(["max_time=None", "tol=null", "interactions=0", "loss=poisson",
                        "additive=true", "interactions=[[0, 1]]"]) == {
        "max_time": None, "tol": None, "interactions": [[0, 1]], "loss": "poisson",
        "additive": True}


def test_a_parameter_of_the_other_task_names_the_task_to_pass(files):
    """A count target of few values reads as classes; asking for a regression loss says to pass
    --task regression instead of only listing the classifier's parameters."""
    done = run("fit", "dev.csv", "--target", "died", "--drop", "id", "--param", "loss=poisson",
               "-o", "x.json", cwd=files, ok=False)
    assert done.returncode == 2
    assert ("has no parameter 'loss' (a parameter of regression: pass --task regression)"
            in done.stderr.splitlines()[-1])


def test_predict_on_a_semicolon_separated_file_says_so(files):
    pd.read_csv(files / "test.csv").to_csv(files / "semi.csv", sep=";", index=False)
    done = run("predict", "model.json", "semi.csv", cwd=files, ok=False)
    assert done.returncode == 2 and "seem separated by ';'" in done.stderr.splitlines()[-1]


def test_the_console_script_exits_with_code_2_on_bad_input(files):
    done = run_command(*BAD["missing target column"][0], cwd=files, ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("glassbox fit: error: ") and "no column 'dead'" in last


def test_the_documented_commands_run_as_written(tmp_path):
    """Every ```sh block of docs/cli.md, in order, in an empty folder."""
    from test_docs import ROOT, code_blocks
    env = {**os.environ, "PATH": f"{COMMAND.parent}{os.pathsep}{os.environ['PATH']}"}
    text = (ROOT / "docs" / "cli.md").read_text()
    blocks = [(body, line) for tag, body, line in code_blocks(text) if tag == "sh"]
    assert len(blocks) >= 7
    for body, line in blocks:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"docs/cli.md line {line}:\n{done.stderr}"
        assert "Traceback" not in done.stderr and "warning" not in done.stderr.lower(), done.stderr
    assert {"model.json", "scores.csv", "report.html", "score.sql"} <= {
        p.name for p in tmp_path.iterdir()}


def test_only_blank_cells_and_declared_codes_are_missing(files, tmp_path):
    frame = pd.read_csv(files / "dev.csv")
    frame["bun"] = frame["bun"].astype(object).where(frame.index % 7 != 0, "N/A")
    frame["insurance"] = frame["insurance"].replace({"Medicare": "None"})
    frame.to_csv(tmp_path / "coded.csv", index=False)
    run("fit", tmp_path / "coded.csv", "--target", "died", "--drop", "id", "--na-value", "N/A",
        *FAST, "-o", tmp_path / "m.json")
    model = load_model(tmp_path / "m.json")
    insurance = next(f for f in model.features_ if f.name == "insurance")
    assert "None" in insurance.bins.categories  # a category, not a missing value
    scores = pd.read_csv(StringIO(run("predict", tmp_path / "m.json", tmp_path / "coded.csv",
                                      "--na-value", "N/A").stdout))
    X = frame.drop(columns=["id", "died"]).replace({"bun": {"N/A": np.nan}})
    X["bun"] = X["bun"].astype(float)
    np.testing.assert_allclose(scores["proba_1"], model.predict_proba(X)[:, 1], atol=1e-15)


def test_number_like_codes_of_a_categorical_column_are_read_as_written(tmp_path):
    """Ward "012" is not ward "12": a --categorical column is text in every file the model
    reads, scored whole or in chunks, and in training."""
    rng = np.random.default_rng(0)
    ward = rng.choice(["3A", "012", "12", "ICU"], 2000)
    risk = pd.Series(ward).map({"3A": -1, "012": 2, "12": -2, "ICU": 0}).to_numpy()
    y = (rng.random(2000) < 1 / (1 + np.exp(-risk))).astype(int)
    pd.DataFrame({"ward": ward, "age": rng.normal(60, 10, 2000).round(), "died": y}).to_csv(
        tmp_path / "train.csv", index=False)
    score = pd.DataFrame({"ward": ["012", "12", "012", "12"], "age": [60.0] * 4})
    score.to_csv(tmp_path / "score.csv", index=False)
    run("fit", tmp_path / "train.csv", "--target", "died", "--categorical", "ward", *FAST,
        "-o", tmp_path / "m.json")
    model = load_model(tmp_path / "m.json")
    assert {"012", "12"} <= set(next(f for f in model.features_ if f.name == "ward").bins.categories)
    expected = model.predict_proba(score)[:, 1]
    assert expected[0] > expected[1] + 0.3
    for chunks in ([], ["--chunk-size", 1]):
        got = pd.read_csv(StringIO(run("predict", tmp_path / "m.json", tmp_path / "score.csv",
                                       *chunks).stdout))
        np.testing.assert_allclose(got["proba_1"], expected, atol=1e-15)
    shown = json.loads(run("explain", tmp_path / "m.json", tmp_path / "score.csv", "--row", 0,
                           "--json").stdout)
    assert {"ward": "012"} in [t["values"] for t in shown["terms"]]
    # whole numbers as pandas writes them beside a missing value: "12.0" is ward "12"
    (tmp_path / "floats.csv").write_text("ward,age\n12.0,60\n,60\n012,60\n")
    got = pd.read_csv(StringIO(run("predict", tmp_path / "m.json", tmp_path / "floats.csv").stdout))
    expected = model.predict_proba(pd.DataFrame({"ward": ["12", None, "012"], "age": [60.0] * 3}))
    np.testing.assert_allclose(got["proba_1"], expected[:, 1], atol=1e-15)
    pd.DataFrame({"ward": ["012", "12", "7"] * 300, "died": [0, 1] * 450}).to_csv(
        tmp_path / "codes.csv", index=False)
    run("fit", tmp_path / "codes.csv", "--target", "died", "--categorical", "ward", *FAST,
        "-o", tmp_path / "codes.json")
    codes = load_model(tmp_path / "codes.json").features_[0].bins.categories
    assert {"012", "12", "7"} <= set(codes)


def test_categorical_codes_written_as_plain_numbers_stay_numbers(tmp_path):
    """--categorical on codes such as 0/1 or 43.7: the model's categories are numbers, so the
    command line, Python on pandas' reading of the file, and SQL on a numeric column agree."""
    rng = np.random.default_rng(0)
    n = 1500
    frame = pd.DataFrame({"hypertension": rng.integers(0, 2, n),
                          "grade": rng.choice([1.5, 2.0, 43.7], n), "age": rng.normal(60, 10, n)})
    logit = 1.5 * frame["hypertension"] - (frame["grade"] > 2) + 0.03 * (frame["age"] - 60)
    frame["died"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame.to_csv(tmp_path / "train.csv", index=False)
    run("fit", tmp_path / "train.csv", "--target", "died", "--categorical", "hypertension",
        "--categorical", "grade", *FAST, "-o", tmp_path / "m.json")
    model = load_model(tmp_path / "m.json")
    kinds = {f.name: (f.kind, f.kind == "categorical" and sorted(f.bins.categories))
             for f in model.features_}
    assert kinds["hypertension"] == ("categorical", [0, 1])
    assert kinds["grade"] == ("categorical", [1.5, 2, 43.7])
    X = pd.read_csv(tmp_path / "train.csv").drop(columns="died")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = model.predict_proba(X)[:, 1]
    got = pd.read_csv(StringIO(run("predict", tmp_path / "m.json", tmp_path / "train.csv").stdout))
    np.testing.assert_allclose(got["proba_1"], expected, atol=1e-15)
    query = run("export-sql", tmp_path / "m.json", "--table", "t").stdout
    with sqlite3.connect(":memory:") as db:
        X.to_sql("t", db, index=False)
        cursor = db.execute(query)
        scored = pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
    np.testing.assert_allclose(scored["proba_1"], expected, atol=1e-9)


def test_a_reader_that_stops_early_is_not_an_error(files):
    done = subprocess.run(f"'{COMMAND}' predict '{files / 'model.json'}' '{files / 'test.csv'}' "
                          "| head -2", shell=True, capture_output=True, text=True,
                          executable="/bin/bash")
    assert done.stdout.count("\n") == 2 and "error" not in done.stderr


def test_a_progress_reader_that_stops_early_does_not_stop_the_fit(files, tmp_path):
    model = tmp_path / "model.json"
    done = subprocess.run(f"'{COMMAND}' fit '{files / 'dev.csv'}' --target died --drop id "
                          f"{' '.join(FAST)} -o '{model}' 2>&1 | head -1; "
                          "exit ${PIPESTATUS[0]}", shell=True, capture_output=True, text=True,
                          executable="/bin/bash")
    assert done.returncode == 0 and model.exists()


def test_each_warning_is_printed_once(files, tmp_path):
    test = pd.read_csv(files / "test.csv")
    test.loc[:, "race"] = "never seen"
    test.to_csv(tmp_path / "unseen.csv", index=False)
    done = run_command("predict", files / "model.json", tmp_path / "unseen.csv",
                       "--chunk-size", 100)
    assert done.stderr.count("warning:") == 1 and "race" in done.stderr


def test_export_sql_takes_a_schema(files):
    query = run("export-sql", files / "model.json", "--table", "admissions", "--schema",
                "clinic", "--dialect", "postgresql").stdout
    assert 'FROM "clinic"."admissions"' in query
