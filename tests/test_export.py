"""glassbox.export.to_sql: the query scores rows as `predict_proba` / `predict` do, to 1e-9, in
SQLite and in a real PostgreSQL server (a throwaway cluster, see tests/postgres.py).

Fitted boosted GAMs (binary with pairs on coarse and merged bins, multiclass, Poisson, the
pneumonia cohort) and random models from `build_model` are scored on held-out rows plus rows on
every bin edge, rows missing each feature (NULL, and in PostgreSQL also float 'NaN') and rows with
categories training never saw, stored as TEXT (string categories) or numbers (numeric ones).
"""

import sqlite3
import warnings
from contextlib import ExitStack
from functools import lru_cache
from itertools import count

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassbox import (BoostedGAMClassifier, BoostedGAMRegressor, MonotonicNetClassifier,
                      UnseenValueWarning, build_model, edit)
from glassbox._binning import Bins
from glassbox.datasets import load_pneumonia, make_risk_cohort
from glassbox.export import to_sql
from glassbox.terms import Feature, Term
from postgres import Unavailable, cluster, write_frame
from test_io import LINKS, random_model, random_rows


def _sqlite_has_exp():
    try:
        sqlite3.connect(":memory:").execute("SELECT exp(0)")
    except sqlite3.OperationalError:
        return False
    return True


needs_exp = pytest.mark.skipif(
    not _sqlite_has_exp(),
    reason=f"this SQLite ({sqlite3.sqlite_version}) has no exp(): the query needs SQLite 3.35 "
           "or later built with its math functions (SQLITE_ENABLE_MATH_FUNCTIONS)")
_tables = count()


@pytest.fixture(scope="session")
def postgres_url():
    """The connection string of a throwaway PostgreSQL cluster, for the whole session."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(cluster())
        except Unavailable as missing:
            pytest.skip(str(missing))
        yield url


@pytest.fixture
def postgres(postgres_url):
    import psycopg  # present: postgres_url skips without it

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        yield connection


# --------------------------------------------------------------------------------------------------
# models and rows
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def fitted(name):
    """(model, rows to score) of a small fitted model: "binary" (explicit pairs on 3 bins, so a
    pair merges categories), "multiclass", "poisson" or "pneumonia"."""
    settings_ = dict(outer_bags=2, max_rounds=200, random_state=0)
    if name == "pneumonia":
        X, y = load_pneumonia(return_X_y=True, n_samples=3000)
        model = BoostedGAMClassifier(**settings_).fit(X[:2500], y[:2500])
        return model, probe_rows(model, X[2500:])
    X, y, _ = make_risk_cohort(n_samples=3000, n_features=12, random_state=0)
    rng = np.random.default_rng(0)
    X["stage"] = np.where(rng.random(len(X)) < 0.05, np.nan, rng.integers(1, 5, len(X)))
    categorical = ["smoker", "admission_type", "stage"]
    train, test = slice(0, 2500), slice(2500, None)
    if name == "binary":
        model = BoostedGAMClassifier(
            interactions=[("age", "admission_type"), ("sbp", "bmi"), ("stage", "creatinine")],
            max_interaction_bins=3, categorical_features=categorical, **settings_)
        model.fit(X[train], y[train])
    elif name == "multiclass":
        classes = np.array(["low", "middle", "high"])[y + (X["age"].to_numpy() > 70)]
        model = BoostedGAMClassifier(max_interaction_bins=8, categorical_features=categorical,
                                     **settings_).fit(X[train], classes[train])
    else:
        rate = np.exp(0.03 * (X["age"].fillna(60) - 60) + 0.4 * (X["stage"].fillna(2) > 2))
        model = BoostedGAMRegressor(loss="poisson", categorical_features=categorical,
                                    min_interaction_gain_ratio=0,  # pairs in the SQL too
                                    **settings_).fit(X[train], rng.poisson(rate)[train])
    return model, probe_rows(model, X[test])


def probe_rows(model, X):
    """X, then rows on every bin edge of each continuous feature, a row missing each feature
    and a row with a category training never saw (a string for text categories, a number for
    numeric ones)."""
    base = X.astype({c: object for c in X if isinstance(X[c].dtype, pd.CategoricalDtype)})
    base = base.reset_index(drop=True)
    probes = []
    for feature in model.features_:
        bins = feature.bins
        if bins.kind == "continuous":
            values = [*bins.edges, None]
        elif all(isinstance(c, (bool, np.bool_)) for c in bins.categories):
            values = [None]
        elif all(isinstance(c, (int, float, np.integer, np.floating)) for c in bins.categories):
            values = [max(bins.categories) + 99, None]
        else:
            values = ["never seen", None]
        rows = base.sample(len(values), replace=True, random_state=len(probes))
        rows[feature.name] = pd.Series(values, index=rows.index,
                                       dtype=float if bins.kind == "continuous" else object)
        probes.append(rows)
    return pd.concat([base, *probes], ignore_index=True)


def with_nulls(X):
    """X with every other missing number as None (NULL in PostgreSQL) instead of NaN ('NaN')."""
    X = X.copy()
    for name in X:
        if X[name].dtype.kind == "f" and X[name].isna().any():
            column = X[name].astype(object)
            column.iloc[np.flatnonzero(X[name].isna())[::2]] = None
            X[name] = column
    return X


# --------------------------------------------------------------------------------------------------
# scoring and comparing
# --------------------------------------------------------------------------------------------------

def score_sqlite(model, X, **options):
    connection = sqlite3.connect(":memory:")
    X.assign(row_id=np.arange(len(X))).to_sql("patients", connection, index=False)
    query = to_sql(model, "patients", keep="row_id", **options) + ' ORDER BY "row_id"'
    return pd.read_sql_query(query, connection)


def score_postgres(connection, model, X):
    table = f"patients_{next(_tables)}"
    write_frame(connection, with_nulls(X).assign(row_id=np.arange(len(X))), table)
    cursor = connection.execute(to_sql(model, table, dialect="postgresql", keep="row_id")
                                + ' ORDER BY "row_id"')
    return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def assert_parity(model, X, out):
    """The query's probabilities / predictions and raw scores equal Python's to 1e-9."""
    np.testing.assert_array_equal(out["row_id"], np.arange(len(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        if hasattr(model, "classes_"):
            expected, raw = model.predict_proba(X), model.decision_function(X)
            got = out[[f"proba_{c}" for c in model.classes_]]
            got_raw = out[["raw_score"] if raw.ndim == 1 else [f"raw_{c}" for c in model.classes_]]
        else:
            expected, raw = model.predict(X), model.explain(X).sum(axis=1) + model.intercept_
            got, got_raw = out["prediction"], out["raw_score"]
    np.testing.assert_allclose(got.to_numpy(float), expected, atol=1e-9, rtol=0)
    np.testing.assert_allclose(got_raw.to_numpy(float).reshape(np.shape(raw)), raw, atol=1e-9,
                               rtol=0)


FITTED = ["binary", "multiclass", "poisson", "pneumonia"]


@needs_exp
@pytest.mark.parametrize("name", FITTED)
def test_fitted_models_score_alike_in_sqlite(name):
    model, X = fitted(name)
    assert_parity(model, X, score_sqlite(model, X))


@pytest.mark.parametrize("name", FITTED)
def test_fitted_models_score_alike_in_postgresql(postgres, name):
    model, X = fitted(name)
    assert_parity(model, X, score_postgres(postgres, model, X))


def test_the_fitted_models_cover_pairs_merged_categories_and_numeric_categories():
    model, X = fitted("binary")
    pairs = [t for t in model.terms_ if t.is_pair]
    assert len(pairs) == 3 and all(b.n_values <= 3 for t in pairs for b in t.bins)
    assert any(b.groups for t in pairs for b in t.bins)  # admission_type's 4 categories in 3
    stage = next(f for f in model.features_ if f.name == "stage")
    assert stage.kind == "categorical" and stage.has_missing
    assert all(isinstance(c, float) for c in stage.bins.categories)
    assert X["admission_type"].eq("never seen").any() and X["stage"].gt(50).any()
    assert len(fitted("multiclass")[0].classes_) == 3


@needs_exp
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), link=st.sampled_from(LINKS))
def test_random_models_score_alike_in_sqlite(seed, link):
    rng = np.random.default_rng(seed)
    model = random_model(rng, link)
    X = random_rows(rng, model)
    assert_parity(model, X, score_sqlite(model, X))


@pytest.mark.parametrize("seed", range(24))
def test_random_models_score_alike_in_postgresql(postgres, seed):
    rng = np.random.default_rng(seed)
    model = random_model(rng, LINKS[seed % len(LINKS)])
    X = random_rows(rng, model)
    assert_parity(model, X, score_postgres(postgres, model, X))


@lru_cache(maxsize=None)
def fine_pair():
    """(model, rows) of a pair of 252 × 252 bins whose every cell has a score of its own, as an
    imported pyGAM tensor term has."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(3000, 2)), columns=["a", "b"])
    model = BoostedGAMRegressor(interactions=[("a", "b")], max_interaction_bins=250, outer_bags=1,
                                max_rounds=20, random_state=0).fit(X, X["a"] * X["b"])
    pair = next(t for t in model.terms_ if t.is_pair)
    assert pair.bin_shape == (252, 252)
    model = edit.set_term_scores(model, pair.name, rng.normal(size=pair.scores.shape),
                                 reason="every cell its own score")
    return model, X


@needs_exp
def test_a_fine_pair_scores_alike_in_sqlite_within_create_table_as():
    model, X = fine_pair()
    connection = sqlite3.connect(":memory:")
    X.assign(row_id=np.arange(len(X))).to_sql("patients", connection, index=False)
    connection.execute("CREATE TABLE scores AS " + to_sql(model, "patients", keep="row_id"))
    assert_parity(model, X, pd.read_sql_query('SELECT * FROM scores ORDER BY "row_id"',
                                              connection))


def test_a_fine_pair_scores_alike_in_postgresql(postgres):
    model, X = fine_pair()
    postgres.execute("SET jit = off")  # as docs/sql.md advises: LLVM would compile for minutes
    assert_parity(model, X, score_postgres(postgres, model, X))


# --------------------------------------------------------------------------------------------------
# names, quoting and errors
# --------------------------------------------------------------------------------------------------

def hostile_model():
    """A model whose feature names, categories and classes try to break out of the query."""
    names = ['age"; DROP TABLE patients; --', "ward'"]
    bins = [Bins("continuous", edges=[40.0, 65.0]),
            Bins("categorical", categories=["a'); DROP TABLE patients; --", "b\\'", "c"])]
    features = [Feature(n, b.kind, b, True) for n, b in zip(names, bins)]
    terms = [Term(n, (j,), (b,), np.arange(b.n_bins) / 4.0, np.zeros(b.n_bins),
                  np.ones(b.n_bins), np.ones(b.n_bins))
             for j, (n, b) in enumerate(zip(names, bins))]
    return build_model(features, terms, -1.0, link="logit", classes=['no"', "yes"],
                       feature_names_in=names)


def hostile_rows():
    return pd.DataFrame({'age"; DROP TABLE patients; --': [30.0, 40.0, 65.0, np.nan],
                         "ward'": ["a'); DROP TABLE patients; --", "b\\'", "d", None]})


@needs_exp
def test_names_and_categories_are_quoted_in_sqlite():
    model, X = hostile_model(), hostile_rows()
    out = score_sqlite(model, X)
    assert list(out.columns) == ["row_id", 'proba_no"', "proba_yes", "raw_score"]
    assert_parity(model, X, out)  # sqlite3 runs one statement at a time: this was one


def test_names_and_categories_are_quoted_in_postgresql(postgres):
    model, X = hostile_model(), hostile_rows()
    assert_parity(model, X, score_postgres(postgres, model, X))
    for conforming in ("on", "off"):  # backslashes mean the same either way
        postgres.execute(f"SET standard_conforming_strings = {conforming}")
        assert_parity(model, X, score_postgres(postgres, model, X))


INTERPRET_CODES = (["1", 1.0, "2", 2.0, "x"], [1, 1, 2, 2, 3])
"""Categories as an EBM imported from interpret knows them: each code as text and as a number."""
PYTHON_MIXED = ([1, "unknown"], None)
"""Categories fitted in Python from a column of numbers and text: the number 1 is not "1"."""


@pytest.mark.parametrize("categories, values", [
    (INTERPRET_CODES, ["1", "2", "x", "3", None]),
    (INTERPRET_CODES, [1.0, 2.0, 3.0, np.nan, 2.0, np.nan]),
    (PYTHON_MIXED, ["1", "unknown", None, "2"]),
    (PYTHON_MIXED, [1.0, 5.0, np.nan, np.nan, 1.0])])
def test_categories_of_text_and_numbers_score_in_postgresql(postgres, categories, values):
    """A feature whose categories are text and numbers: on a text column only its text
    categories match, on a numeric one only its numbers (a float NaN and NULL are missing), as
    in Python; the query runs on either."""
    bins = Bins("categorical", categories=categories[0], groups=categories[1])
    term = Term("code", (0,), (bins,), np.arange(bins.n_bins, dtype=float), np.zeros(bins.n_bins),
                np.ones(bins.n_bins), np.ones(bins.n_bins))
    model = build_model([Feature("code", "categorical", bins, True)], [term], 0.0,
                        link="identity", feature_names_in=["code"])
    X = pd.DataFrame({"code": pd.Series(values, dtype=object if isinstance(values[0], str)
                                        else float)})
    assert_parity(model, X, score_postgres(postgres, model, X))


@needs_exp
@pytest.mark.parametrize("categories, values", [(["1", "2"], [1, 2, 3]),
                                                ([1, 2], ["1", "2", "3"])])
def test_sqlite_compares_categories_as_stored_like_python(categories, values):
    """The number 1 is not the category "1" (nor the reverse), whatever the column's type
    affinity would make of it in SQLite."""
    bins = Bins("categorical", categories=categories)
    term = Term("code", (0,), (bins,), np.arange(bins.n_bins, dtype=float), np.zeros(bins.n_bins),
                np.ones(bins.n_bins), np.ones(bins.n_bins))
    model = build_model([Feature("code", "categorical", bins, False)], [term], 0.0,
                        link="identity", feature_names_in=["code"])
    X = pd.DataFrame({"code": values})
    out = score_sqlite(model, X)
    assert_parity(model, X, out)
    assert out["prediction"].tolist() == [bins.unseen_bin] * 3


@needs_exp
def test_keep_passes_columns_through_in_order():
    model, X = fitted("binary")
    connection = sqlite3.connect(":memory:")
    X.assign(row_id=np.arange(len(X))[::-1]).to_sql("patients", connection, index=False)
    query = to_sql(model, ("main", "patients"), keep=["row_id", "age"]) + ' ORDER BY "row_id"'
    out = pd.read_sql_query(query, connection)
    assert list(out.columns) == ["row_id", "age", "proba_0", "proba_1", "raw_score"]
    np.testing.assert_array_equal(out["row_id"], np.arange(len(X)))
    np.testing.assert_array_equal(out["age"], X["age"].to_numpy()[::-1])
    assert pd.read_sql_query(to_sql(model, "patients"), connection).shape == (len(X), 3)


@needs_exp
def test_a_column_the_table_lacks_is_an_error_in_sqlite_too():
    """SQLite reads an unknown double-quoted name as a string: unqualified, a missing feature
    would score every row as an unseen category, and a misspelt keep column as its name."""
    model, X = fitted("binary")
    connection = sqlite3.connect(":memory:")
    X.drop(columns="age").assign(row_id=0).to_sql("patients", connection, index=False)
    with pytest.raises(pd.errors.DatabaseError, match="no such column: glassbox_input.age"):
        pd.read_sql_query(to_sql(model, "patients"), connection)
    X.assign(row_id=0).to_sql("complete", connection, index=False)
    with pytest.raises(pd.errors.DatabaseError, match="no such column: glassbox_input.pid"):
        pd.read_sql_query(to_sql(model, "complete", keep="pid"), connection)


@needs_exp
def test_a_model_without_terms_scores_its_intercept():
    model = build_model([Feature("x", "continuous", Bins("continuous", edges=[0.0]), False)],
                        [], 0.25, link="identity", feature_names_in=["x"])
    X = pd.DataFrame({"x": [1.0, np.nan]})
    assert_parity(model, X, score_sqlite(model, X))
    connection = sqlite3.connect(":memory:")
    X.to_sql("patients", connection, index=False)
    out = pd.read_sql_query(to_sql(model, "patients"), connection)  # no column read at all
    assert out.to_numpy().tolist() == [[0.25, 0.25]] * 2


@pytest.mark.parametrize("dialect", ["mysql", "SQLite", None])
def test_an_unknown_dialect_is_an_error_naming_it(dialect):
    with pytest.raises(ValueError, match="dialect"):
        to_sql(fitted("binary")[0], "patients", dialect=dialect)


@pytest.mark.parametrize("table", ["", "pat\x00ients", 42, ("a", "b", "c"), ("a", ""),
                                   "\ud800"])
def test_a_table_name_that_cannot_be_quoted_is_an_error_naming_table(table):
    with pytest.raises(ValueError, match="table"):
        to_sql(fitted("binary")[0], table)


@pytest.mark.parametrize("keep", [["row_id", ""], ["id\x00"], [3], ["proba_1"],
                                  ["id", "id"], 3, {"id"}])
def test_bad_or_clashing_keep_columns_are_errors_naming_keep(keep):
    with pytest.raises(ValueError, match="keep"):
        to_sql(fitted("binary")[0], "patients", keep=keep)


def test_a_full_monotonic_network_does_not_export():
    X, y, _ = make_risk_cohort(n_samples=300, n_features=4, random_state=0)
    net = MonotonicNetClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="Only models made of terms export"):
        to_sql(net, "patients")


@needs_exp
def test_text_in_a_numeric_sqlite_column_scores_null_not_a_number():
    """SQLite keeps text it cannot convert in a REAL column, where Python refuses the row: the
    query scores such a row NULL (never as a number in some bin), main effects and pairs."""
    model, X = fitted("binary")
    pair_feature = next(t for t in model.terms_ if t.is_pair and model.features_[
        t.features[0]].kind == "continuous" and model.features_[t.features[0]].name != "age"
    ).features[0]
    # without its main effect, only the pair reads the feature: its NULL index must score NULL
    model = edit.remove_terms(model, model.features_[pair_feature].name, reason="test")
    connection = sqlite3.connect(":memory:")
    columns = ", ".join(f'"{c}" {"REAL" if X[c].dtype.kind == "f" else ""}' for c in X.columns)
    connection.execute(f"CREATE TABLE patients ({columns}, row_id INTEGER)")
    X.assign(row_id=np.arange(len(X))).to_sql("patients", connection, index=False,
                                              if_exists="append")
    names = {"age": "age", "pair": model.features_[pair_feature].name}
    for row, column in enumerate(names.values()):
        connection.execute(f'UPDATE patients SET "{column}" = \'N/A\' WHERE row_id = {row}')
    out = pd.read_sql_query(to_sql(model, "patients", keep="row_id") + " ORDER BY row_id",
                            connection)
    assert out.loc[:1, "proba_1"].isna().all() and out.loc[:1, "raw_score"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        expected = model.predict_proba(X.iloc[2:])[:, 1]
    np.testing.assert_allclose(out.loc[2:, "proba_1"], expected, rtol=0, atol=1e-9)
