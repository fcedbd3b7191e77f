"""glassbox.interop: interpret EBMs and pyGAM models as glassbox models, and glassbox models as
interpret EBMs, checked against the other library's own predictions."""

import sqlite3
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from glassbox import BoostedGAMClassifier, UnseenValueWarning, build_model, edit, inspect
from glassbox.datasets import load_pneumonia, make_risk_cohort
from glassbox.export import to_sql
from glassbox.fairness import clean, flip_test
from glassbox.interop import from_interpret, from_pygam, to_interpret
from glassbox.io import load_model, save_model
from glassbox.report import audit_report
from glassbox.terms import Term

ebm_classes = pytest.importorskip("interpret.glassbox")
pygam = pytest.importorskip("pygam")
from pygam import GAM, LinearGAM, LogisticGAM, PoissonGAM, f, l, s, te  # noqa: E402

EBM_SETTINGS = dict(outer_bags=2, max_rounds=300, random_state=0, n_jobs=1)
FEATURE_TYPES = ["continuous", "nominal", "nominal", "continuous", "continuous", "continuous",
                 "continuous", "nominal"]
PAIRS = [("sex", "age"), ("race", "creatinine"), ("age", "bun"), ("creatinine", "bun"),
         ("stage", "o2_saturation")]


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """pyGAM's many small matrix products run faster on one BLAS thread than on several."""
    with threadpool_limits(1, user_api="blas"):
        yield


def test_importing_glassbox_imports_neither_library():
    code = ("import glassbox, glassbox.interop, sys; "
            "assert 'interpret' not in sys.modules and 'pygam' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------------------
# interpret
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cohort():
    """Pneumonia rows with continuous features (some missing), text categories and a numeric
    category (stage 1-3, which interpret reads as the text "1", "2", "3")."""
    X, y = load_pneumonia(n_samples=2500, return_X_y=True)
    X = X[["age", "sex", "race", "asthma", "creatinine", "bun", "o2_saturation"]].copy()
    X["stage"] = np.digitize(X["age"], [50, 75]) + 1
    return X, np.asarray(y)


@pytest.fixture(scope="module")
def ebms(cohort):
    X, y = cohort
    rng = np.random.default_rng(0)
    targets = {
        "binary": y,
        "multiclass": np.where(y == 1, 2, (X["o2_saturation"] < 92).astype(int)),
        "regression": 0.05 * X["age"] + (X["sex"] == "male") + rng.normal(size=len(X)),
        "poisson": rng.poisson(np.exp(0.02 * (X["age"] - 60))),
    }
    fitted = {}
    for name, target in targets.items():
        if name in ("binary", "multiclass"):
            estimator = ebm_classes.ExplainableBoostingClassifier(
                **EBM_SETTINGS, monotone_constraints=[1, 0, 0, 0, 0, 0, 0, 0])
        else:
            estimator = ebm_classes.ExplainableBoostingRegressor(
                **EBM_SETTINGS, objective="poisson_deviance" if name == "poisson" else "rmse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # interpret's notes about missing values
            fitted[name] = estimator.set_params(feature_types=FEATURE_TYPES,
                                                interactions=PAIRS).fit(X, target)
    return fitted


@pytest.fixture(scope="module")
def imported(ebms):
    return {name: from_interpret(ebm) for name, ebm in ebms.items()}


def awkward_rows(X, ebm):
    """Rows both libraries must score alike: every cut point of every binning (main and pair),
    missing values in every column, unseen categories, and a numeric category given as text,
    as a float and as a boolean."""
    kinds = dict(zip(ebm.feature_names_in_, ebm.feature_types_in_))
    cuts = {name: np.concatenate([[], *(np.asarray(level, dtype=float) for level in levels)])
            for name, levels in zip(ebm.feature_names_in_, ebm.bins_)
            if kinds[name] == "continuous"}
    n = max(len(values) for values in cuts.values())
    rows = X.sample(n, replace=True, random_state=1).reset_index(drop=True)
    rows = rows.astype({name: object for name, kind in kinds.items() if kind != "continuous"})
    for name, values in cuts.items():
        rows[name] = np.resize(values, n)
    position = np.arange(n)
    for k, name in enumerate(rows.columns):
        rows.loc[position % 11 == k, name] = None
    rows.loc[position % 13 == 1, "sex"] = "unknown"
    rows.loc[position % 13 == 2, "race"] = "Martian"
    if kinds["stage"] != "continuous":
        chosen = position % 7 == 3
        rows.loc[chosen, "stage"] = np.resize(np.array(["2", 2.0, True, 9, "x", 3], dtype=object),
                                              chosen.sum())
    return rows


def predictions(model, X):
    """Probabilities and link-scale scores of a classifier, predictions of a regressor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        if hasattr(model, "predict_proba"):
            return [model.predict_proba(X), model.decision_function(X)]
        return [model.predict(X)]


def assert_same_predictions(ours, theirs, X):
    for mine, other in zip(predictions(ours, X), predictions(theirs, X)):
        np.testing.assert_allclose(mine, other, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name", ["binary", "multiclass", "regression", "poisson"])
def test_imported_ebm_predicts_as_interpret(cohort, ebms, imported, name):
    X, _ = cohort
    ebm, model = ebms[name], imported[name]
    assert model.link_ == {"binary": "logit", "multiclass": "softmax", "regression": "identity",
                           "poisson": "log"}[name]
    assert [t.name for t in model.terms_] == list(ebm.term_names_)
    assert_same_predictions(model, ebm, X)
    assert_same_predictions(model, ebm, awkward_rows(X, ebm))


def test_numeric_category_matches_as_interpret_reads_it(ebms, imported):
    """interpret reads the number 2, the float 2.0 and the text "2" as one category, and True
    as "1"; an unseen value scores the unseen bin."""
    stage = imported["binary"].features_[7].bins
    assert stage.categories == ["1", 1.0, "2", 2.0, "3", 3.0]
    codes = stage.codes(np.array(["2", 2.0, 2, True, "1.0", 9, None], dtype=object))
    np.testing.assert_array_equal(codes, [2, 2, 2, 1, 4, 4, 0])


def test_main_effects_spread_over_pair_cuts_keep_their_weights(cohort, ebms, imported):
    """Where interpret's pair cuts fall inside main bins, the feature's bins hold both sets of
    cuts, the main effect's scores repeat over them, and each finer bin's weight is exactly
    its number of training rows."""
    X, _ = cohort
    ebm, model = ebms["binary"], imported["binary"]
    spread = model.edit_log_[0]["details"]["mains_spread_over_pair_cuts"]
    assert spread  # the fixture exercises the spreading
    for name in spread:
        j = list(ebm.feature_names_in_).index(name)
        feature, term = model.features_[j], model.terms_[j]
        assert term.bins[0] is feature.bins
        assert set(ebm.bins_[j][0]) | set(ebm.bins_[j][1]) == set(feature.bins.edges)
        codes = feature.bins.codes(X[name].to_numpy(dtype=float))
        np.testing.assert_array_equal(term.weights, np.bincount(codes, minlength=len(term.weights)))
        assert term.weights.sum() == ebm.bin_weights_[j].sum()
        for pair in (t for t in model.terms_ if t.is_pair and j in t.features):
            assert pair.bins[pair.features.index(j)].lookup_from(feature.bins) is not None


def test_import_records_where_the_model_came_from(ebms, imported):
    import interpret
    model = imported["binary"]
    provenance = model.provenance_
    assert provenance["library"] == "interpret"
    assert provenance["version"] == interpret.__version__
    assert provenance["estimator"] == "ExplainableBoostingClassifier"
    assert provenance["monotone_constraints"] == {"age": 1}
    assert provenance["params"]["outer_bags"] == 2
    assert provenance["params"]["interactions"] == [list(pair) for pair in PAIRS]
    assert provenance["date"][:4].isdigit()
    entry = model.edit_log_[0]
    assert entry["edit"] == "import" and "interpret" in entry["reason"]
    np.testing.assert_array_equal(model.terms_[0].stds, ebms["binary"].standard_deviations_[0])


def test_imported_model_saves_and_loads_exactly(cohort, ebms, imported, tmp_path):
    X, _ = cohort
    rows = awkward_rows(X, ebms["multiclass"])
    for name in ("multiclass", "poisson"):
        save_model(imported[name], tmp_path / "model.json")
        loaded = load_model(tmp_path / "model.json")
        for a, b in zip(predictions(loaded, rows), predictions(imported[name], rows)):
            np.testing.assert_array_equal(a, b)
        assert loaded.provenance_ == imported[name].provenance_
        assert loaded.edit_log_ == imported[name].edit_log_


@pytest.fixture(scope="module")
def chain_model(cohort):
    """An imported binary EBM on the cohort without the numeric category, with one pair less."""
    X, y = cohort
    X = X.drop(columns="stage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = ebm_classes.ExplainableBoostingClassifier(
            **EBM_SETTINGS, interactions=PAIRS[:-1]).fit(X, y)
    return X, y, from_interpret(ebm)


def test_full_review_chain_on_an_imported_ebm(chain_model, tmp_path):
    """inspect -> set_term_scores -> fairness.clean -> audit_report -> SQL, predictions
    consistent at every step."""
    X, y, model = chain_model
    raw = model.decision_function(X)
    steps = inspect.find_discontinuities(model)
    assert {"term", "location", "jump"} <= set(steps.columns)
    inspect.find_non_monotone(model, {"bun": 1, "creatinine": 1})

    edited = edit.set_term_scores(model, "bun", 0.3, between=(60, None), reason="cap")
    term = model.terms_[5]
    codes = term.bins[0].codes(X["bun"].to_numpy(dtype=float))
    change = edited.terms_[5].scores[codes] - term.scores[codes]
    assert (change != 0).any()
    np.testing.assert_allclose(edited.decision_function(X) - raw, change, atol=1e-12)
    assert [e["edit"] for e in edited.edit_log_] == ["import", "set_term_scores"]

    cleaned = clean(edited, "sex")
    assert flip_test(cleaned, X, "sex")["max_abs_logit_change"] == 0
    shares = edited.terms_[1].weights / edited.terms_[1].weights.sum()
    sexes = X["sex"].cat.categories
    averaged = sum(shares[k] * edited.decision_function(X.assign(sex=pd.Categorical(
        [sex] * len(X), categories=sexes))) for k, sex in enumerate(sexes, start=1))
    np.testing.assert_allclose(cleaned.decision_function(X), averaged, atol=1e-12)

    path = tmp_path / "audit.html"
    audit_report(cleaned, X, y, path=path, n_bootstrap=20, optimism_refits=0, threshold=0.2)
    assert "<html" in path.read_text()[:500].lower()

    connection = sqlite3.connect(":memory:")
    X.assign(row_id=np.arange(len(X))).to_sql("patients", connection, index=False)
    scored = pd.read_sql_query(to_sql(cleaned, "patients", keep="row_id")
                               + ' ORDER BY "row_id"', connection)
    np.testing.assert_allclose(scored[["proba_0", "proba_1"]], cleaned.predict_proba(X),
                               atol=1e-9, rtol=0)


def test_audit_report_of_a_numeric_category(cohort, imported, tmp_path):
    """interpret reads categories as text, so the import puts the text '1' and the number 1 in
    one bin; the report's shape of that feature labels its ticks by bin."""
    X, y = cohort
    text = audit_report(imported["binary"], X, y, path=tmp_path / "audit.html", n_bootstrap=20,
                        optimism_refits=0, threshold=0.2)
    assert "stage" in text
    assert "AdditiveClassifier from an ExplainableBoostingClassifier" in text


@pytest.mark.parametrize("name", ["binary", "multiclass", "regression", "poisson"])
def test_to_interpret_of_an_imported_ebm_predicts_as_the_original(cohort, ebms, imported,
                                                                   name):
    X, _ = cohort
    back = to_interpret(imported[name])
    assert_same_predictions(back, ebms[name], awkward_rows(X, ebms[name]))


def test_to_interpret_round_trip_of_a_boosted_gam(cohort):
    X, y = cohort
    gam = BoostedGAMClassifier(outer_bags=2, max_rounds=200, interactions=3,
                               random_state=0).fit(X, y)
    back = to_interpret(gam)
    rows = awkward_rows(X, back)
    assert_same_predictions(back, gam, rows)
    assert back.explain_global() is not None
    assert back.explain_local(X.iloc[:5], y[:5]) is not None
    np.testing.assert_allclose(back.eval_terms(X).sum(axis=1) + back.intercept_,
                               gam.decision_function(X), atol=1e-9)
    again = from_interpret(back)
    for a, b in zip(predictions(again, rows), predictions(gam, rows)):
        np.testing.assert_array_equal(a, b)
    for ours, theirs in zip(again.terms_, gam.terms_):
        np.testing.assert_array_equal(ours.scores, theirs.scores)
        np.testing.assert_array_equal(ours.stds, theirs.stds)


def test_round_trip_of_a_pair_that_groups_rare_categories():
    """A pair's binning may group the rare categories its feature's main effect keeps apart
    (more categories than max_interaction_bins); interpret writes it as a second category
    map, which reads back as the same grouping."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"ward": rng.choice([f"w{k}" for k in range(8)], 3000,
                                         p=[0.3, 0.3, 0.2, 0.1, 0.04, 0.03, 0.02, 0.01]),
                      "dose": rng.normal(size=3000)})
    y = (rng.random(3000) < 1 / (1 + np.exp(-X["dose"] * (X["ward"] > "w3")))).astype(int)
    gam = BoostedGAMClassifier(outer_bags=2, max_interaction_bins=3, random_state=0,
                               interactions=[("ward", "dose")]).fit(X, y)
    pair = next(t for t in gam.terms_ if t.is_pair)
    assert pair.bins[0].n_values < gam.features_[0].bins.n_values  # grouped in the pair
    back = to_interpret(gam)
    again = from_interpret(back)
    rows = pd.concat([X.iloc[:200], pd.DataFrame({"ward": ["w9", None], "dose": [0.5, np.nan]})],
                     ignore_index=True)
    for model in (back, again):
        np.testing.assert_allclose(model.predict_proba(rows), gam.predict_proba(rows),
                                   rtol=0, atol=1e-12)


def test_imported_models_read_a_frame_labelled_by_position():
    """A DataFrame made from an array (columns 0, 1, ...): interpret and pyGAM name them "0",
    "1", ...; the imported model reads the same frame."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 3)))
    y = (X[0] + X[1] * X[2] + rng.normal(size=400) > 0).astype(int)
    ebm = ebm_classes.ExplainableBoostingClassifier(interactions=1, outer_bags=2,
                                                    random_state=0).fit(X, y)
    imported = from_interpret(ebm)
    np.testing.assert_allclose(imported.predict_proba(X), ebm.predict_proba(X), rtol=0,
                               atol=1e-12)
    from glassbox.plot import plot_contributions
    steps = [t.get_text() for t in plot_contributions(imported, X.iloc[[0]]).get_yticklabels()]
    assert f"0 = {X.iloc[0, 0]:.3g}" in steps
    gam = LogisticGAM(s(0) + s(1) + s(2)).fit(X.to_numpy(), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the grid's discrepancy warning
        imported = from_pygam(gam, X)
    np.testing.assert_allclose(imported.decision_function(X), gam._linear_predictor(X.to_numpy()),
                               atol=imported.provenance_["max_discrepancy_link"] + 1e-12)


def test_models_fitted_on_arrays_read_columns_by_position():
    """An EBM fitted on an array names its features feature_0000, ...; its import reads arrays
    and frames made from them without a warning, as the EBM does. A glassbox model fitted on an
    array keeps reading by position through to_interpret and back."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    ebm = ebm_classes.ExplainableBoostingClassifier(interactions=0, outer_bags=2,
                                                    random_state=0).fit(X, y)
    gam = BoostedGAMClassifier(outer_bags=1, max_rounds=100, random_state=0).fit(X, y)
    for model, expected in [(from_interpret(ebm), ebm.predict_proba(X)),
                            (from_interpret(to_interpret(gam)), gam.predict_proba(X))]:
        assert not hasattr(model, "feature_names_in_")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for rows in (X, pd.DataFrame(X)):
                np.testing.assert_allclose(model.predict_proba(rows), expected, rtol=0,
                                           atol=1e-12)
    named = pd.DataFrame(X, columns=["a", "b", "c"])
    gam = BoostedGAMClassifier(outer_bags=1, max_rounds=100, random_state=0).fit(named, y)
    assert list(from_interpret(to_interpret(gam)).feature_names_in_) == ["a", "b", "c"]


def test_to_interpret_needs_one_pair_binning_per_feature(imported):
    model = imported["binary"]
    pair = next(t for t in model.terms_ if t.features == (0, 5))
    fine = model.features_[0].bins
    table = pair.bins[0].lookup_from(fine)
    widened = Term("age & bun (fine)", pair.features, (fine, pair.bins[1]),
                   pair.scores[table], pair.stds[table], pair.counts[table], pair.weights[table])
    other = build_model(model.features_, model.terms_ + [widened], model.intercept_,
                        link="logit", classes=model.classes_)
    with pytest.raises(ValueError, match="pairs of feature 'age' use different bins"):
        to_interpret(other)


def test_excluded_features_are_left_out_and_predict_as_interpret(cohort):
    """interpret's exclude= leaves a feature without terms or bins; the imported model leaves it
    out, reads DataFrames by name, and predicts as the EBM on the full DataFrame."""
    X, y = cohort
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = ebm_classes.ExplainableBoostingClassifier(
            **EBM_SETTINGS, feature_types=FEATURE_TYPES, interactions=[("age", "bun")],
            exclude=["race", "creatinine", ("sex", "age")]).fit(X, y)
    assert len(ebm.bins_[2]) == 0  # what made the import crash
    model = from_interpret(ebm)
    assert [f.name for f in model.features_] == ["age", "sex", "asthma", "bun",
                                                  "o2_saturation", "stage"]
    assert list(model.feature_names_in_) == [f.name for f in model.features_]
    assert model.provenance_["features_without_terms"] == ["race", "creatinine"]
    assert model.edit_log_[-1]["details"]["features_without_terms"] == ["race", "creatinine"]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Extra columns present")  # interpret ignores them
        assert_same_predictions(model, ebm, X)
        assert_same_predictions(model, ebm, awkward_rows(X, ebm))
        back = to_interpret(model)
        assert_same_predictions(back, ebm, awkward_rows(X, ebm))


def test_round_trip_keeps_provenance_and_edit_log(cohort):
    """to_interpret leaves the glassbox model's provenance and edit log on the EBM;
    from_interpret restores them (never interpret's default parameters, which trained
    nothing) and adds an import entry."""
    X, y = cohort
    gam = BoostedGAMClassifier(outer_bags=2, max_rounds=150, interactions=2,
                               random_state=0).fit(X, y)
    edited = edit.set_term_scores(gam, "bun", 0.3, between=(60, None), reason="cap")
    back = to_interpret(edited)
    assert back.glassbox_provenance_["estimator"] == "BoostedGAMClassifier"
    assert back.glassbox_provenance_["params"]["max_rounds"] == 150
    assert [e["edit"] for e in back.glassbox_edit_log_] == ["set_term_scores"]
    again = from_interpret(back)
    assert again.provenance_ == back.glassbox_provenance_
    assert again.provenance_["params"]["outer_bags"] == 2  # glassbox's, not interpret's 14
    assert again.provenance_["params"]["learning_rate"] == gam.learning_rate != 0.015
    assert [e["edit"] for e in again.edit_log_] == ["set_term_scores", "import"]
    assert again.edit_log_[0] == edited.edit_log_[0]
    np.testing.assert_array_equal(again.predict_proba(X), edited.predict_proba(X))

    imported = from_interpret(to_interpret(again))  # twice round: the log grows, no defaults
    assert [e["edit"] for e in imported.edit_log_] == ["set_term_scores", "import", "import"]
    assert imported.provenance_ == edited.provenance_ | {"params": back.glassbox_provenance_[
        "params"]}


def test_a_changed_export_does_not_claim_the_old_history(cohort):
    """Refitting the exported EBM trains a new model from scratch with interpret's defaults;
    editing its scores in interpret changes it too: either way the carried history no longer
    describes it, so from_interpret warns and does not restore it, and reports parameters
    only for an EBM interpret fitted."""
    X, y = cohort
    gam = BoostedGAMClassifier(outer_bags=1, max_rounds=100, interactions=0,
                               random_state=0).fit(X, y)
    edited_in_interpret = to_interpret(gam)
    edited_in_interpret.term_scores_[0] = edited_in_interpret.term_scores_[0] + 0.1
    with pytest.warns(UserWarning, match="state has changed since"):
        model = from_interpret(edited_in_interpret)
    assert model.provenance_["library"] == "interpret" and "params" not in model.provenance_
    assert "not by interpret" in model.provenance_["trained"]
    assert [e["edit"] for e in model.edit_log_] == ["import"]

    refitted = to_interpret(gam)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refitted.set_params(outer_bags=1, max_rounds=50, n_jobs=1).fit(X, y)
    assert not np.array_equal(refitted.predict_proba(X), gam.predict_proba(X))
    with pytest.warns(UserWarning, match="state has changed since"):
        model = from_interpret(refitted)
    assert model.provenance_["params"]["max_rounds"] == 50  # what did train it


def test_interpret_errors_name_what_is_unsupported(cohort, monkeypatch):
    import interpret
    X, y = cohort
    with pytest.raises(ValueError, match="not fitted"):
        from_interpret(ebm_classes.ExplainableBoostingClassifier())
    with pytest.raises(TypeError, match="ExplainableBoostingClassifier"):
        from_interpret(LinearGAM())
    with pytest.raises(TypeError, match="additive model"):
        to_interpret(object())
    with pytest.raises(TypeError, match="to_interpret takes a glassbox model made of terms.*"
                                        "got LogisticGAM"):
        to_interpret(LogisticGAM(s(0)).fit(X[["age"]].to_numpy(), y))
    numbers = X[["age", "creatinine", "bun"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        triple = ebm_classes.ExplainableBoostingClassifier(
            outer_bags=1, max_rounds=20, interactions=[(0, 1, 2)]).fit(numbers, y)
    with pytest.raises(ValueError, match="reads 3 features"):
        from_interpret(triple)
    monkeypatch.setattr(interpret, "__version__", "0.9.0")
    with pytest.raises(ValueError, match=r"interpret 0\.9\.0 is not supported.*0\.6 to 0\.7"):
        from_interpret(triple)


# --------------------------------------------------------------------------------------------------
# pyGAM
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference():
    """Clinical columns without missing values (pyGAM takes none), and a factor (site 0-3)."""
    X, y, _ = make_risk_cohort(n_samples=2000, n_features=6, random_state=0)
    X = X.fillna(X.median())
    X["site"] = np.random.default_rng(0).integers(0, 4, len(X))
    return X, np.asarray(y)


# s(age) + l(sbp) + f(site) + s(creatinine) + te(heart_rate, resp_rate)
TERMS = s(0) + l(2) + f(6) + s(5) + te(3, 4)


def gam_targets(X, y):
    rng = np.random.default_rng(0)
    signal = 0.03 * (X["age"] - 60) + 0.2 * X["site"] + np.log(X["creatinine"])
    return {LinearGAM: signal + rng.normal(size=len(X)), LogisticGAM: y,
            PoissonGAM: rng.poisson(np.exp(0.5 * signal))}


def link_scale(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        return model._raw(X)


@pytest.mark.parametrize("family", [LinearGAM, LogisticGAM, PoissonGAM])
def test_imported_gam_is_within_1e_3_of_pygam(reference, family):
    """Spline, linear, factor and tensor terms; the tensor term reads two integer-valued
    features, so every reference value has a bin of its own on both axes."""
    X, y = reference
    gam = family(TERMS).fit(X.to_numpy(), gam_targets(X, y)[family])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the pair, between whole numbers
        model = from_pygam(gam, X)
    assert [t.name for t in model.terms_] == ["age", "sbp", "site", "creatinine",
                                              "heart_rate & resp_rate"]
    measured = np.abs(link_scale(model, X) - gam._linear_predictor(X.to_numpy())).max()
    assert measured == model.provenance_["max_discrepancy_link"] < 1e-3
    by_term = model.provenance_["max_discrepancy_link_by_term"]
    assert max(by_term, key=by_term.get) == "heart_rate & resp_rate"
    assert by_term["site"] < 1e-12  # factors are exact
    assert (measured <= model.provenance_["max_discrepancy_link_between"]
            <= sum(by_term.values()) + 1e-12)
    if family is LogisticGAM:
        assert list(model.classes_) == [0, 1]
        np.testing.assert_allclose(model.predict_proba(X)[:, 1], gam.predict_proba(X.to_numpy()),
                                   atol=1e-3)
    else:
        np.testing.assert_allclose(model.predict(X), gam.predict(X.to_numpy()), rtol=2e-3)


def test_fine_grid_of_many_distinct_values_is_within_1e_3():
    """With more distinct reference values than grid_size, bins follow the effects' curves;
    the default grid keeps effects varying by about 5 and 3 within 1e-3 on the reference rows
    and within about 1e-3 anywhere in the range."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12_000, 2))
    gam = LinearGAM(s(0) + s(1)).fit(x, np.sin(x[:, 0]) + 0.5 * x[:, 1]
                                     + rng.normal(size=len(x)) * 0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, x)
    assert 8000 < model.features_[0].bins.n_values <= 8192
    provenance = model.provenance_
    assert provenance["max_discrepancy_link"] < 1e-3
    assert provenance["max_discrepancy_link_between"] < 1.5e-3
    uniform = rng.uniform(x.min(axis=0), x.max(axis=0), size=(20_000, 2))
    measured = np.abs(link_scale(model, uniform) - gam._linear_predictor(uniform)).max()
    assert measured <= provenance["max_discrepancy_link_between"] + 1e-12


@pytest.fixture(scope="module")
def steep_tensor(reference):
    """A pyGAM tensor term on a surface steep at low creatinine, 0.5 * bmi * log(creatinine),
    and its import on a coarse pair grid (which warns that it differs)."""
    X, _ = reference
    columns = X[["bmi", "creatinine"]].to_numpy()
    gam = LinearGAM(te(0, 1)).fit(columns, 0.5 * columns[:, 0] * np.log(columns[:, 1]))
    with pytest.warns(UserWarning, match=r"most in term 'x0 & x1'.*; a larger pair_grid_size "
                                         "brings that tensor term closer, at a cost that grows "
                                         "with its square"):
        coarse = from_pygam(gam, columns, pair_grid_size=64)
    return columns, gam, coarse


def test_continuous_tensor_term_is_approximate_and_says_so(steep_tensor):
    columns, gam, coarse = steep_tensor
    with pytest.warns(UserWarning, match="differs .*by up to"):
        finer = from_pygam(gam, columns)
    measured = np.abs(link_scale(finer, columns) - gam._linear_predictor(columns)).max()
    assert measured == finer.provenance_["max_discrepancy_link"]
    assert finer.provenance_["max_discrepancy_link"] < coarse.provenance_["max_discrepancy_link"]
    assert 256 ** 2 < np.prod([b.n_values for b in finer.terms_[0].bins]) <= 2 * 256 ** 2


def test_a_grid_too_coarse_for_its_rows_scores_each_within_half_the_widest_spread(steep_tensor):
    """With 2 x 16² cells for 2,000 rows, rows sharing a cell differ by more than the tolerance
    allows; each cell's score then moves the least that puts it within half the widest spread
    of pyGAM's values among a cell's rows of each of its rows."""
    columns, gam, _ = steep_tensor
    with pytest.warns(UserWarning, match="differs from the pyGAM model by up to"):
        model = from_pygam(gam, columns, pair_grid_size=16)
    term = model.terms_[0]
    cells = np.ravel_multi_index([b.codes(columns[:, j]) for j, b in enumerate(term.bins)],
                                 term.bin_shape)
    spread = pd.Series(gam.partial_dependence(0, columns)).groupby(cells).agg(np.ptp).max()
    assert 5e-4 < model.provenance_["max_discrepancy_link"] <= spread / 2 + 1e-12


def test_tensor_term_of_recorded_values_is_within_1e_3_on_the_rows(reference):
    """Systolic BP in whole mmHg and BMI to 0.1 kg/m² (125 and 272 distinct values, more than a
    256 x 256 grid that follows the surface keeps apart): the grid is split where it scores
    reference rows off, so every reference row is scored within 1e-3 of pyGAM, in at most
    twice 256² cells."""
    X, y = reference
    columns = X[["sbp", "bmi"]].assign(bmi=X["bmi"].round(1)).to_numpy()
    gam = LogisticGAM(te(0, 1)).fit(columns, y)
    with pytest.warns(UserWarning, match=r"is within .* on X_reference's rows, but differs by "
                                         r"up to .* between its values.*new patients"):
        model = from_pygam(gam, columns)
    measured = np.abs(link_scale(model, columns) - gam._linear_predictor(columns)).max()
    assert measured == model.provenance_["max_discrepancy_link"] < 1e-3
    assert np.prod([b.n_values for b in model.terms_[0].bins]) <= 2 * 256 ** 2


def test_sparse_continuous_tensor_term_is_within_1e_3_on_the_rows(reference):
    """300 rows of two continuous features on a surface steep at low creatinine: cells are
    split until the rows sharing one lie within 1e-3 of each other, and each cell's score moves
    the least that puts it within half of that of each of its rows."""
    X, _ = reference
    columns = X[["bmi", "creatinine"]].to_numpy()[:300]
    gam = LinearGAM(te(0, 1)).fit(columns, 0.5 * columns[:, 0] * np.log(columns[:, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # between the reference values
        model = from_pygam(gam, columns)
    assert model.provenance_["max_discrepancy_link"] <= 5e-4 + 1e-12


def test_splits_of_one_tensor_term_are_not_held_back_by_another():
    """A tensor term of two factors already past the cell limit (6 x 8 levels against 2 x 4²)
    must not stop the splits of a tensor term of other features: with pair_grid_size=4 the
    continuous term still grows to 2 x 4² cells."""
    rng = np.random.default_rng(7)
    n = 3000
    X = np.column_stack([rng.integers(0, 6, n), rng.integers(0, 8, n),
                         rng.uniform(0, 1, n), rng.uniform(0, 1, n)]).astype(float)
    y = X[:, 0] * X[:, 1] + np.sin(5 * X[:, 2]) * X[:, 3]
    gam = LinearGAM(te(0, 1, dtype=["categorical"] * 2) + te(2, 3)).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, X, pair_grid_size=4)
    assert [np.prod([b.n_values for b in t.bins]) for t in model.terms_] == [48, 32]


def test_splits_leave_a_feature_within_the_bins_it_can_hold(monkeypatch):
    """Splits that would give a feature more bins than a feature holds stop there (the limit,
    65534, lowered here to 100) instead of failing the import: a continuous feature paired with
    a two-level factor could otherwise reach 2 x pair_grid_size² bins."""
    monkeypatch.setattr(sys.modules[from_pygam.__module__], "MAX_VALUE_BINS", 100)
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.uniform(0, 1, 2000), rng.integers(0, 2, 2000)]).astype(float)
    gam = LinearGAM(te(0, 1, dtype=["numerical", "categorical"])).fit(
        X, 300 * X[:, 0] * (2 * X[:, 1] - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, X, grid_size=64, pair_grid_size=16)
    assert model.features_[0].bins.n_values == 100


def test_tensor_term_with_a_categorical_axis(reference):
    """Ages are whole years, few enough for each to have a bin of its own centred on it:
    exact on them; the site axis keeps its levels."""
    X, y = reference
    columns = X[["age", "site"]].to_numpy()
    gam = LogisticGAM(te(0, 1, dtype=["numerical", "categorical"])).fit(columns, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # between whole years: about 0.01
        model = from_pygam(gam, columns)
    assert model.features_[1].kind == "categorical"
    assert model.terms_[0].bin_shape == (model.features_[0].bins.n_bins, 6)
    assert model.features_[0].bins.n_values <= 256
    assert model.provenance_["max_discrepancy_link"] < 1e-9


def test_missing_unseen_and_out_of_range_values(reference):
    """A missing value or an unseen factor level scores 0 (the term's reference average); a
    value beyond the reference range scores as the edge bin."""
    X, y = reference
    gam = LinearGAM(s(0) + f(6)).fit(X.to_numpy(), gam_targets(X, y)[LinearGAM])
    model = from_pygam(gam, X)
    rows = X.iloc[:4].copy()
    rows["age"] = [np.nan, X["age"].max(), X["age"].max() + 50, X["age"].min() - 50]
    rows["site"] = [7, 1, 1, 1]
    with pytest.warns(UnseenValueWarning):
        contributions = model.explain(rows)
    assert contributions.loc[rows.index[0], "age"] == 0
    assert contributions.loc[rows.index[0], "site"] == 0
    edges = model.terms_[0].scores[[-2, 1]]
    np.testing.assert_array_equal(contributions["age"].iloc[1:], [edges[0], edges[0], edges[1]])


def test_pygam_import_records_where_the_model_came_from(reference):
    X, y = reference
    gam = LogisticGAM(s(0) + f(6)).fit(X.to_numpy(), y)
    with pytest.warns(UserWarning, match="between its values"):
        model = from_pygam(gam, X.to_numpy(), grid_size=512)
    provenance = model.provenance_
    assert provenance["library"] == "pygam" and provenance["version"] == pygam.__version__
    assert provenance["estimator"] == "LogisticGAM"
    assert provenance["grid_size"] == 512 and provenance["reference_rows"] == len(X)
    assert provenance["terms"] == "s(0) + f(6) + intercept"
    assert provenance["term_features"] == {"s(0)": ["x0"], "f(6)": ["x6"]}
    assert provenance["reference_range"]["x0"] == [X["age"].min(), X["age"].max()]
    assert "x6" not in provenance["reference_range"]  # a factor: its levels are its categories
    by_term = provenance["max_discrepancy_link_by_term"]
    assert by_term["x6"] == 0.0 and str(by_term["x6"]) == "0.0"  # a factor is exact: not -0.0
    assert model.edit_log_[0]["edit"] == "import"
    assert [f.name for f in model.features_][:2] == ["x0", "x1"]
    assert not hasattr(model, "feature_names_in_")
    assert (model.terms_[0].stds[1:-1] > 0).all()  # standard errors from pyGAM's covariance


def test_narrow_reference_data_warn(reference):
    X, y = reference
    gam = LinearGAM(s(0)).fit(X.to_numpy(), gam_targets(X, y)[LinearGAM])
    with pytest.warns(UserWarning, match="X_reference covers .* of feature 'age'"):
        from_pygam(gam, X[X["age"] < 60])


@pytest.mark.parametrize("levels", [[-0.7, 0.3, 1.3], [0.5, 1.5], [-1.2346, 0.1, 0.9, 3.0],
                                    [-0.7165, 0.5262, 1.769], [0, 1, 5]])
def test_factor_levels_score_as_pygam_scores_them(levels):
    """pyGAM's f() cuts [lowest level - 0.5, highest + 0.5] into as many equal intervals as it
    saw levels and scores a value by its interval; the imported factor's categories are the
    reference levels, each scored as pyGAM scores it: non-integer, negative and unevenly spaced
    (two levels in one interval, [0, 1, 5]) levels alike, without an unseen-value warning."""
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.normal(size=600), rng.choice(levels, 600)])
    target = np.sin(x[:, 0]) + np.searchsorted(levels, x[:, 1]) + rng.normal(size=600) * 0.2
    gam = LinearGAM(s(0) + f(1)).fit(x, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnseenValueWarning)
        model = from_pygam(gam, x)
        rows = x[:len(levels)].copy()
        rows[:, 1] = levels
        np.testing.assert_allclose(model.predict(rows), gam.predict(rows), atol=1e-9)
    assert model.features_[1].bins.categories == sorted(float(v) for v in levels)
    np.testing.assert_allclose(model.predict(x), gam.predict(x), atol=1e-9)
    assert model.provenance_["max_discrepancy_link"] < 1e-9


def test_factor_levels_missing_from_the_reference_warn():
    rng = np.random.default_rng(4)
    x = rng.choice([-0.5, 0.5, 1.5], size=(300, 1))
    gam = LinearGAM(f(0)).fit(x, x[:, 0] + rng.normal(size=300))
    with pytest.warns(UserWarning, match="fitted on 3 levels, and X_reference holds 2"):
        model = from_pygam(gam, x[x[:, 0] < 1])
    assert model.features_[0].bins.categories == [-0.5, 0.5]


def sparse_reference(n=300, seed=0):
    """A small cohort of few, widely spread distinct values (as in the 299-row heart failure
    records): whole ages, ejection fractions on 17 levels, creatinine to one decimal, a skewed
    enzyme level."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.choice(np.arange(40, 96), n).astype(float),
        "ejection_fraction": rng.choice([14, 15, 17, 20, 25, 30, 35, 38, 40, 45, 50, 55, 60,
                                         62, 65, 70, 80], n).astype(float),
        "serum_creatinine": np.round(np.exp(rng.normal(0.2, 0.45, n)).clip(0.5, 9.4), 1),
        "cpk": np.round(np.exp(rng.normal(5.8, 1.1, n)).clip(23, 7861))})
    logit = (0.05 * (X["age"] - 60) - 0.06 * (X["ejection_fraction"] - 38)
             + 1.2 * np.log(X["serum_creatinine"]) + 0.0002 * (X["cpk"] - 580))
    y = (rng.random(n) < 1 / (1 + np.exp(-(logit - 0.8)))).astype(int)
    return X, y


def test_sparse_reference_discrepancy_is_measured_between_values():
    """Fitted on 224 rows of few distinct values, pyGAM's splines bend between them. The grid
    follows the curves, so held-out rows are as close as the reference rows; the figure
    reported between the reference values bounds the difference at any row within the range
    (a grid of one bin per reference value was off by 0.5 on held-out rows while reporting
    1e-15)."""
    X, y = sparse_reference()
    train, test = X.iloc[:224], X.iloc[224:]
    gam = LogisticGAM(s(0) + s(1) + s(2) + s(3)).fit(train.to_numpy(), y[:224])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = from_pygam(gam, train)
    provenance = model.provenance_
    assert provenance["max_discrepancy_link"] < 1e-9  # a bin centred on each reference value
    bound = provenance["max_discrepancy_link_between"]
    assert bound == pytest.approx(sum(provenance["max_discrepancy_link_by_term"].values()),
                                  rel=0.5)
    inside = test[((test >= train.min()) & (test <= train.max())).all(axis=1)]
    held_out = np.abs(link_scale(model, inside) - gam._linear_predictor(inside.to_numpy()))
    rng = np.random.default_rng(1)
    uniform = pd.DataFrame(rng.uniform(train.min(), train.max(), size=(20_000, 4)),
                           columns=train.columns)
    anywhere = np.abs(link_scale(model, uniform) - gam._linear_predictor(uniform.to_numpy()))
    assert held_out.max() <= anywhere.max() <= bound + 1e-12
    assert bound < 5e-3

    with pytest.warns(UserWarning, match=r"between its values \(most in term '[^&]*; a larger "
                                         "grid_size brings that term closer"):
        coarse = from_pygam(gam, train, grid_size=256)
    coarse_held_out = np.abs(link_scale(coarse, inside)
                             - gam._linear_predictor(inside.to_numpy())).max()
    assert coarse_held_out <= coarse.provenance_["max_discrepancy_link_between"]
    assert coarse.provenance_["max_discrepancy_link_between"] > 10 * bound


def test_pair_discrepancy_between_values_is_measured(steep_tensor):
    columns, gam, model = steep_tensor
    rng = np.random.default_rng(2)
    uniform = rng.uniform(columns.min(axis=0), columns.max(axis=0), size=(20_000, 2))
    measured = np.abs(link_scale(model, uniform) - gam._linear_predictor(uniform)).max()
    assert measured <= model.provenance_["max_discrepancy_link_between"] * 1.05


def test_feature_names_pick_columns_by_name(reference):
    """pyGAM reads features by position; a DataFrame in another order is an error naming
    feature_names (when a column lies outside the range pyGAM saw there), and feature_names
    reads it by name."""
    X, y = reference
    gam = LinearGAM(s(0) + l(2) + f(6)).fit(X.to_numpy(), gam_targets(X, y)[LinearGAM])
    model = from_pygam(gam, X)
    shuffled = X[list(reversed(X.columns))]
    with pytest.raises(ValueError, match="X_reference column 'site' .*feature_names="):
        from_pygam(gam, shuffled)
    named = from_pygam(gam, shuffled, feature_names=list(X.columns))
    assert [f.name for f in named.features_] == list(X.columns)
    np.testing.assert_array_equal(named.predict(shuffled), model.predict(X))
    from_array = from_pygam(gam, X.to_numpy(), feature_names=list(X.columns))
    np.testing.assert_array_equal(from_array.predict(shuffled), model.predict(X))
    with pytest.raises(ValueError, match="feature_names has 3 names"):
        from_pygam(gam, X, feature_names=["age", "sbp", "site"])
    with pytest.raises(ValueError, match="feature_names: X_reference has no column 'pulse'"):
        from_pygam(gam, X, feature_names=[*X.columns[:-1], "pulse"])


def test_reference_needs_rows_and_values(reference):
    X, y = reference
    gam = LinearGAM(s(0) + f(6)).fit(X.to_numpy(), gam_targets(X, y)[LinearGAM])
    with pytest.raises(ValueError, match="X_reference has 1 row; it needs at least 2"):
        from_pygam(gam, X.iloc[:1])
    few = X[X["age"].isin([60, 61, 62])]
    with pytest.warns(UserWarning, match="only 3 distinct value.* of feature 'age'"):
        from_pygam(gam, few)


def test_pygam_errors_name_what_is_unsupported(reference, monkeypatch):
    X, y = reference
    columns = X.to_numpy()
    target = gam_targets(X, y)[LinearGAM]
    with pytest.raises(ValueError, match="not fitted"):
        from_pygam(LinearGAM(s(0)), X)
    with pytest.raises(TypeError, match="pyGAM GAM"):
        from_pygam(ebm_classes.ExplainableBoostingRegressor(), X)
    with pytest.raises(ValueError, match="'by' variable"):
        from_pygam(LinearGAM(s(0, by=1)).fit(columns, target), X)
    with pytest.raises(ValueError, match="reads 3 features"):
        from_pygam(LinearGAM(te(0, 1, 2, n_splines=4)).fit(columns, target), X)
    positive = np.exp(0.1 * target)
    with pytest.raises(ValueError, match="link InverseLink is not supported"):
        from_pygam(GAM(s(0), distribution="gamma", link="inverse").fit(columns, positive), X)
    gam = LinearGAM(s(0)).fit(columns, target)
    with pytest.raises(ValueError, match="grid_size must be an integer"):
        from_pygam(gam, X, grid_size=0)
    with pytest.raises(ValueError, match="missing or infinite"):
        from_pygam(gam, X.assign(age=np.nan))
    with pytest.raises(ValueError, match="X_reference has 3 columns"):
        from_pygam(gam, X.iloc[:, :3])
    monkeypatch.setattr(pygam, "__version__", "0.8.0")
    with pytest.raises(ValueError, match=r"pygam 0\.8\.0 is not supported"):
        from_pygam(gam, X)
