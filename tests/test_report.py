"""The audit report: self-contained, complete where it can be, honest where it cannot, and
readable by a real browser."""

import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassbox import BoostedGAMClassifier, UnseenValueWarning, build_model, edit
from glassbox.datasets import load_pneumonia
from glassbox.io import model_from_dict, model_to_dict
from glassbox.report import HUMAN_FIELDS, audit_report
from glassbox.report._audit import _content_digest

FAST = dict(outer_bags=2, max_rounds=200, random_state=0)
COLUMNS = ["age", "sex", "race", "insurance", "renal_disease", "diabetes", "respiration_rate",
           "heart_rate", "o2_saturation", "bun", "creatinine", "albumin"]
"""The pneumonia cohort's columns the tests read, and a few more: a report draws every term,
so a model of all 41 would spend most of each test on figures."""


@pytest.fixture(scope="module")
def fitted():
    X, y = load_pneumonia(return_X_y=True, n_samples=3000)
    X = X[COLUMNS]
    X_dev, y_dev, X_eval, y_eval = X.iloc[:2000], y[:2000], X.iloc[2000:], y[2000:]
    return BoostedGAMClassifier(**FAST).fit(X_dev, y_dev), X_dev, y_dev, X_eval, y_eval


@pytest.fixture(scope="module")
def report(fitted, tmp_path_factory):
    model, X_dev, y_dev, X_eval, y_eval = fitted
    path = tmp_path_factory.mktemp("report") / "report.html"
    text = audit_report(model, X_eval, y_eval, X_dev=X_dev, y_dev=y_dev,
                        sensitive_features=["race"], n_bootstrap=30, path=path,
                        expected_directions={"creatinine": 1},
                        model_card={"ModelName": "test model"})
    return text, path


def _embedded(text, key):
    match = re.search(rf'<script type="application/json" id="{key}">(.*?)</script>', text, re.S)
    return json.loads(match.group(1).replace("<\\/", "</"))


def test_report_is_self_contained_and_carries_its_model(fitted, report):
    model, _, _, X_eval, _ = fitted
    text, path = report
    assert path.read_text(encoding="utf-8") == text
    assert not re.search(r'(src|href)="(?!data:|#)', text)  # nothing fetched from anywhere
    assert "<script>" not in text and "<script src" not in text  # nothing runs
    assert _content_digest(json.dumps(model_to_dict(model), sort_keys=True)) in text
    loaded = model_from_dict(_embedded(text, "model-json"))
    np.testing.assert_array_equal(loaded.predict_proba(X_eval), model.predict_proba(X_eval))
    for term in model.terms_:
        assert f'alt="shape of {html.escape(term.name)}"' in text
    assert len(text) < 300_000 + 30_000 * len(model.terms_)  # the budget: 1.8 MB at 50 terms


def test_the_shape_bands_say_what_they_spread_over(fitted, report):
    """A boosted GAM's bands are its bags' spread, an additive network's its seeds'."""
    from glassbox import MonotonicNetClassifier
    from glassbox.report._audit import _glass_box_section
    assert "± 1 standard deviation over the bags" in report[0]
    _, X_dev, y_dev, _, _ = fitted
    columns = ["age", "bun", "sex"]
    net = MonotonicNetClassifier(additive=True, n_seeds=2, max_iter=5, random_state=0).fit(
        X_dev[columns], y_dev)
    assert "± 1 standard deviation over the seeds" in _glass_box_section(net)


def test_parameters_say_what_auto_became(fitted, report):
    model, X_dev, _, _, _ = fitted
    text, _ = report
    resolved = model.provenance_["resolved"]
    assert f"<td>auto (used: {resolved['min_samples_leaf']})</td>" in text
    assert f"<td>3x (pairs requested: {3 * X_dev.shape[1]})</td>" in text
    assert "outer_bags" not in resolved  # it was given
    assert text.count("(used: ") + text.count("(pairs requested: ") == len(resolved) == 3


def test_a_warning_about_the_rows_is_shown_once_not_per_pass(fitted):
    """The report scores the evaluation rows many times; an unseen category among them is
    one warning."""
    model, _, _, X_eval, y_eval = fitted
    X_new = X_eval.copy()
    X_new["insurance"] = X_new["insurance"].cat.add_categories(["never seen"])
    X_new.loc[X_new.index[0], "insurance"] = "never seen"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        audit_report(model, X_new, y_eval, sensitive_features=["insurance"], n_bootstrap=5,
                     optimism_refits=2)
    unseen = [w for w in caught if issubclass(w.category, UnseenValueWarning)]
    assert len(unseen) == 1, [str(w.message) for w in unseen]
    assert len({(w.category, str(w.message)) for w in caught}) == len(caught)


def test_draft_until_the_card_is_complete(fitted, report):
    text, _ = report
    assert "DRAFT" in text and text.count("needs input") >= len(HUMAN_FIELDS) - 1
    card = _embedded(text, "model-card-chai")
    assert card["BasicInfo"]["ModelName"] == "test model"
    assert card["UsesAndDirections"]["IntendedUseAndWorkflow"] is None  # needs input
    model, X_dev, y_dev, X_eval, y_eval = fitted
    complete = audit_report(model, X_eval, y_eval, n_bootstrap=5, optimism_refits=0,
                            model_card={k: "filled" for k in HUMAN_FIELDS})
    assert "DRAFT" not in complete and "needs input" not in complete


def test_model_card_from_a_flat_yaml_file(fitted, tmp_path):
    model, _, _, X_eval, y_eval = fitted
    card = tmp_path / "card.yaml"
    card.write_text("# the model card\nModelName: Pneumonia triage\nReleaseStage: 'research'\n"
                    "IntendedUse: triage\n")
    with pytest.warns(UserWarning, match="'IntendedUse' \\(did you mean "
                                         "'IntendedUseAndWorkflow'\\?\\) are not card fields"):
        text = audit_report(model, X_eval, y_eval, n_bootstrap=5, optimism_refits=0,
                            model_card=card)
    assert _embedded(text, "model-card-chai")["ReleaseInfo"]["ReleaseStage"] == "research"
    card.write_text("ModelName:\n  nested: no\n")
    with pytest.raises(ValueError, match="line 2: expected 'Field: text'"):
        audit_report(model, X_eval, y_eval, n_bootstrap=5, model_card=card)


def test_sections_and_not_estimable_groups(report):
    text, _ = report
    for section in ("Model card", "Model and software", "Cohort",
                    "Discrimination and calibration", "Clinical utility",
                    "Subgroups and fairness", "The glass box", "Anomalies and edits",
                    "Standards crosswalk"):
        assert f"<h2>{section}</h2>" in text
    assert "not estimable" in text  # the 'Other' race group of the evaluation rows is small
    for standard in ("TRIPOD+AI", "HTI-1", "CHAI"):
        assert standard in text


def test_optimism_correction_without_evaluation_data(fitted):
    from sklearn.model_selection import cross_val_score
    model, X_dev, y_dev, _, _ = fitted
    text = audit_report(model, X_dev, y_dev, n_bootstrap=5, optimism_refits=5)
    assert "these are the development data" in text and "apparent" in text
    corrected, apparent = map(float, re.search(
        r"([0-9.]+) \(optimism-corrected; apparent ([0-9.]+)\)", text).groups())
    # the correction estimates what cross-validation measures: performance on new rows
    cross_validated = cross_val_score(BoostedGAMClassifier(**FAST), X_dev, y_dev, cv=5,
                                      scoring="roc_auc").mean()
    assert corrected < apparent  # a model looks better on the rows it learned from
    assert abs(corrected - cross_validated) < 0.025
    metrics = _embedded(text, "model-card-chai")["KeyMetrics"]["UsefulnessUsabilityEfficacy"]
    assert metrics["TestingDataDescription"].startswith("development data: apparent estimates")
    auroc = json.loads(next(r["ValueJson"] for r in metrics["Results"] if r["Label"] == "AUROC"))
    assert (round(auroc["estimate"], 3), round(auroc["optimism_corrected"], 3)) == (apparent,
                                                                                    corrected)


def test_held_out_rows_alone_are_not_called_development_data(fitted):
    """Rows other than the training rows, given without development data, are reported as
    measured: not "apparent", not corrected for an optimism they do not have."""
    model, X_dev, y_dev, X_eval, y_eval = fitted
    with pytest.warns(UserWarning, match="These 1,000 rows do not fall into the model's bins as "
                                         "its 2,000 training rows did"):
        text = audit_report(model, X_eval, y_eval, n_bootstrap=5, optimism_refits=5)
    assert "these are the development data" not in text
    assert "optimism-corrected" not in text.split("<h2>")[0]  # the summary
    metrics = _embedded(text, "model-card-chai")["KeyMetrics"]["UsefulnessUsabilityEfficacy"]
    assert metrics["TestingDataDescription"].startswith("data other than the development data")
    assert all("optimism_corrected" not in r["ValueJson"] for r in metrics["Results"])
    half = BoostedGAMClassifier(**FAST).fit(X_dev.iloc[:1000], y_dev[:1000])  # as many rows
    with pytest.warns(UserWarning, match="These 1,000 rows do not fall into the model's bins"):
        text = audit_report(half, X_dev.iloc[1000:], y_dev[1000:], n_bootstrap=5,
                            optimism_refits=2)
    assert "these are the development data" not in text


def test_the_report_names_the_model_file_it_describes(fitted, tmp_path):
    from glassbox.io import load_model, save_model
    model, X_dev, y_dev, X_eval, y_eval = fitted
    save_model(model, tmp_path / "model.json")
    sealed = json.loads((tmp_path / "model.json").read_text())["sha256"]
    text = audit_report(load_model(tmp_path / "model.json"), X_eval, y_eval, X_dev=X_dev,
                        y_dev=y_dev, n_bootstrap=5)
    assert sealed in text


def test_several_sensitive_features_show_each_alone_and_their_intersections(fitted):
    model, _, _, X_eval, y_eval = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = audit_report(model, X_eval, y_eval, sensitive_features=["sex", "race"],
                            n_bootstrap=5, optimism_refits=0)
    section = text.split("<h2>Subgroups and fairness</h2>")[1].split("<h3>")[0]
    for sex in X_eval["sex"].unique():
        n = int((X_eval["sex"] == sex).sum())
        assert f"<th>sex = {sex}</th><td class=\"num\">{n}</td>" in section
    assert "race = White" in section and f"{X_eval['sex'].iloc[0]} | " in section


def test_names_are_written_as_given(fitted):
    _, X_dev, y_dev, X_eval, y_eval = fitted
    model = BoostedGAMClassifier(outer_bags=2, max_rounds=50, random_state=0).fit(
        X_dev.rename(columns={"age": "âge"}), y_dev)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = audit_report(model, X_eval.rename(columns={"age": "âge"}), y_eval, n_bootstrap=2,
                            optimism_refits=0, expected_directions={"âge": 1})
    anomalies = text.split("<h2>Anomalies and edits</h2>")[1].split("<h2>")[0].split("<script")[0]
    assert '{"âge": 1}' in html.unescape(anomalies) and "\\u00e2" not in anomalies


def test_what_cannot_be_estimated_is_said_in_words(fitted):
    """No "nan" for a reviewer to read: an all-missing column, calibration figures that three
    events cannot give; and no report at all from one class."""
    model, _, _, X_eval, y_eval = fitted
    y_eval = np.asarray(y_eval)
    rows = np.flatnonzero(y_eval == 0)[:300].tolist() + np.flatnonzero(y_eval == 1)[:3].tolist()
    X_few, y_few = X_eval.iloc[rows].assign(bun=np.nan), y_eval[rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = audit_report(model, X_few, y_few, n_bootstrap=5, optimism_refits=0)
    visible = re.sub(r"<script.*?</script>|<img[^>]*>", "", text, flags=re.S)
    assert not re.search(r"\bnan\b", visible, flags=re.I)
    assert "all 303 missing" in visible
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nobody = audit_report(model, X_few, y_few, n_bootstrap=5, optimism_refits=0,
                              threshold=0.999)  # flags no row: no predictive value
    assert not re.search(r"\bnan\b", re.sub(r"<script.*?</script>|<img[^>]*>", "", nobody,
                                                flags=re.S), flags=re.I)
    assert "not estimable (no such rows)" in nobody
    with pytest.raises(ValueError, match="y holds only '0'"):
        audit_report(model, X_few.iloc[:300], y_few[:300], n_bootstrap=5)


def test_a_text_event_that_most_rows_have_is_questioned(fitted):
    """"died" / "survived" sort "survived" second, so it is the report's event: the report
    warns that most rows have it and names the other class as the likely event."""
    _, X_dev, y_dev, X_eval, y_eval = fitted
    words, columns = {0: "survived", 1: "died"}, ["age", "bun", "race"]
    model = BoostedGAMClassifier(outer_bags=2, max_rounds=50, random_state=0).fit(
        X_dev[columns], pd.Series(y_dev).map(words))
    with pytest.warns(UserWarning, match=r"takes 'survived'.* 9\d\.\d% of the rows of y have "
                                         r"it\. If the event is 'died'"):
        text = audit_report(model, X_eval[columns], pd.Series(y_eval).map(words), X_dev=X_dev[
            columns], y_dev=pd.Series(y_dev).map(words), sensitive_features=["race"],
            n_bootstrap=5)
    assert "Every term, largest gap first" in text  # fewer terms than the table's 15


def test_the_gaps_of_a_group_of_few_rows_are_read_as_single_cases(fitted):
    from glassbox.report._audit import _subgroup_section
    model, _, _, X_eval, y_eval = fitted
    race = X_eval["race"].to_numpy()
    rows = np.r_[np.flatnonzero(race != "Other"), np.flatnonzero(race == "Other")[:10]]
    X, y = X_eval.iloc[rows], np.asarray(y_eval)[rows].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small group's own warnings, tested elsewhere
        text = _subgroup_section(model, X, y, model.predict_proba(X)[:, 1], ["race"], 0.5, 5, 0)
    assert ("The columns of &#x27;Other&#x27; (fewer than 30 rows) rest on those rows alone"
            in text)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
QUIET = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
"""Headless Chromium without the browser's own background requests, so any request the log
shows comes from the page."""


class _Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves the report's folder and records every request: path, host and referer."""
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        _Recorder.requests.append((self.path, self.headers.get("Host"),
                                   self.headers.get("Referer")))
        super().do_GET()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install chromium "
                                             "(.ci/run installs it)")
def test_chromium_renders_it_without_errors_or_network(report, tmp_path):
    _, path = report
    handler = functools.partial(_Recorder, directory=str(path.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/{path.name}"
    _Recorder.requests = []
    try:
        run = subprocess.run([CHROMIUM, *QUIET, "--enable-logging=stderr", "--v=1",
                              "--dump-dom", url], capture_output=True, text=True, timeout=120)
        pdf = tmp_path / "report.pdf"
        subprocess.run([CHROMIUM, *QUIET, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                        url], capture_output=True, timeout=120, check=True)
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stderr[-2000:]
    assert "<h2>The glass box</h2>" in run.stdout  # rendered
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    from_page = [r for r in _Recorder.requests if r[2] and r[0] != "/favicon.ico"]
    assert not from_page, from_page  # the page asked for nothing once loaded
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 50_000


def test_identical_fits_share_the_content_hash_not_the_file_hash(fitted):
    """Two fits of the same data and settings differ only in when they were made: the report's
    content hash says so; an edit changes it."""
    model, X_dev, y_dev, _, _ = fitted
    again = BoostedGAMClassifier(**FAST).fit(X_dev, y_dev)
    again.provenance_ = {**again.provenance_, "fitted": "another time"}

    def digests(m):
        text = json.dumps(model_to_dict(m), sort_keys=True)
        return _content_digest(text), text
    (first, first_text), (second, second_text) = digests(model), digests(again)
    assert first == second and first_text != second_text
    edited = edit.scale_term(model, "age", 0.5, reason="test")
    assert digests(edited)[0] != first


def test_a_direction_for_categories_is_refused_before_any_measurement(fitted, monkeypatch):
    model, _, _, X_eval, y_eval = fitted
    categorical = next(f.name for f in model.features_ if f.kind == "categorical")
    from glassbox.report import _audit
    monkeypatch.setattr(_audit, "performance", lambda *a, **k: pytest.fail("measured first"))
    with pytest.raises(ValueError, match=f"expected\\['{categorical}'\\]: .* is categorical"):
        audit_report(model, X_eval, y_eval, expected_directions={categorical: 1})


@pytest.mark.parametrize("bad, message", [
    ({"threshold": 1.5}, r"threshold is a risk, in \(0, 1\); got 1.5"),
    ({"threshold": 0.0}, r"threshold is a risk, in \(0, 1\); got 0.0"),
    ({"n_bootstrap": 0}, "n_bootstrap .* at least 1; got 0"),
    ({"n_bootstrap": 2.5}, "n_bootstrap .* at least 1; got 2.5"),
    ({"optimism_refits": -1}, "optimism_refits .* at least 0; got -1"),
    ({"thresholds": [0.1, 1.5]}, r"thresholds .* each in \(0, 1\)")])
def test_a_decision_or_interval_setting_out_of_range_is_refused(fitted, bad, message):
    model, _, _, X_eval, y_eval = fitted
    with pytest.raises(ValueError, match=message):
        audit_report(model, X_eval, y_eval, **bad)


def test_an_edited_model_is_not_corrected_with_refits_that_drop_its_edits(fitted):
    """A refit of the estimator learns the model again without its edits, so its optimism
    is not the edited model's: the figures stay apparent, and the report says why."""
    model, X_dev, y_dev, _, _ = fitted
    edited = edit.remove_terms(model, [model.terms_[0].name], reason="test")
    text = audit_report(edited, X_dev, y_dev, n_bootstrap=5, optimism_refits=3)
    assert "(optimism-corrected; apparent" not in text
    assert "was edited after its fit (1 edit in its log" in text
    metrics = _embedded(text, "model-card-chai")["KeyMetrics"]["UsefulnessUsabilityEfficacy"]
    assert metrics["TestingDataDescription"].endswith("not corrected for optimism")
    assert all("optimism_corrected" not in r["ValueJson"] for r in metrics["Results"])
    assembled = build_model(model.features_, model.terms_, model.intercept_, link="logit",
                            classes=model.classes_, feature_names_in=model.feature_names_in_)
    text = audit_report(assembled, X_dev, y_dev, n_bootstrap=5, optimism_refits=3)
    assert "this model was assembled from terms rather than fitted, so it cannot" in text


def test_outcomes_the_model_does_not_know_are_refused(fitted):
    """Labels of another coding, a missing outcome or a short y would otherwise count as
    non-events and give a report of wrong figures."""
    model, _, _, X_eval, y_eval = fitted
    words = np.where(y_eval == 1, "died", "survived")
    with pytest.raises(ValueError, match=r"y holds 'died', 'survived', which are not classes of "
                                         r"the model \(0, 1\)"):
        audit_report(model, X_eval, words, n_bootstrap=1)
    with pytest.raises(ValueError, match="y contains NaN"):
        audit_report(model, X_eval, np.where(np.arange(len(y_eval)) % 10, y_eval, np.nan),
                     n_bootstrap=1)
    with pytest.raises(ValueError, match="y has 999 values but its X has 1,000 rows"):
        audit_report(model, X_eval, y_eval[:-1], n_bootstrap=1)
    with pytest.raises(ValueError, match="y_dev holds 2"):
        audit_report(model, X_eval, y_eval, X_dev=X_eval, y_dev=y_eval + 1, n_bootstrap=1)


def test_a_group_with_few_events_has_no_auroc_or_slope():
    from glassbox.report._measures import subgroup_table
    rng = np.random.default_rng(0)
    labels = pd.Series(["large"] * 400 + ["few events"] * 50)
    y = np.r_[rng.random(400) < 0.3, np.arange(50) < 2].astype(float)
    p = np.clip(rng.random(450) * 0.6, 0.01, 0.99)
    table = subgroup_table(y, p, labels, min_rows=30, n_bootstrap=20, random_state=0)
    few = table.loc["few events"]
    assert few["AUROC"] == few["calibration slope"] == "not estimable (2 events, 48 non-events)"
    assert few["observed / expected"][0].isdigit()
    assert table.loc["large", "AUROC"][0].isdigit()
