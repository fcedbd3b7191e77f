"""Input handling at the edges: date and time columns, uninformative columns, empty data."""

import decimal
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning

from glassbox import (BoostedGAMClassifier, BoostedGAMRegressor, IdentifierWarning,
                      MonotonicNetClassifier, RareClassWarning, RepeatedRowsWarning)
from glassbox._tabular import (CATEGORICAL, CONTINUOUS, ConstantFeatureWarning, _warn_numeric_text,
                              infer_kind, warn_uninformative)
from glassbox.datasets import make_risk_cohort

MODELS = {
    "gam": lambda: BoostedGAMClassifier(max_rounds=30, outer_bags=2, interactions=0,
                                        random_state=0),
    "net": lambda: MonotonicNetClassifier(additive=True, max_iter=5, n_seeds=2, random_state=0),
}


@pytest.fixture(scope="module")
def cohort():
    X, y, _ = make_risk_cohort(n_samples=400, n_features=4, random_state=0)
    return X, y


@pytest.fixture(scope="module", params=sorted(MODELS))
def fitted_with_uninformative(request, cohort):
    """A model fitted with a constant and an all-missing column, and the warnings of its fit."""
    X, y = cohort
    X = X.assign(constant=7.0, all_missing=np.nan, site="north")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MODELS[request.param]().fit(X, y)
    return model, X, caught


# --------------------------------------------------------------------------------------------
# dates, times, durations and periods
# --------------------------------------------------------------------------------------------

_STAMPS = pd.to_datetime(["2020-01-03", "2021-06-30"] * 200)
TEMPORAL = {
    "datetime64": _STAMPS,
    "datetime64 with time zone": _STAMPS.tz_localize("Europe/Paris"),
    "timedelta64": _STAMPS - _STAMPS.min(),
    "period": _STAMPS.to_period("M"),
    "python dates": list(_STAMPS.date),
    "python times of day": list(_STAMPS.time),
    "python durations": list((_STAMPS - _STAMPS.min()).to_pytimedelta()),
    "timestamps as objects": pd.Series(_STAMPS, dtype=object),
    "zoned timestamps as objects": pd.Series(_STAMPS.tz_localize("UTC"), dtype=object),
    "periods as objects": pd.Series(_STAMPS.to_period("M"), dtype=object),
    "durations as objects": pd.Series(_STAMPS - _STAMPS.min(), dtype=object),
    "categorical of periods": pd.Categorical(_STAMPS.to_period("M")),
    "categorical of durations": pd.Categorical(_STAMPS - _STAMPS.min()),
    "categorical of dates": pd.Categorical(_STAMPS),
    "a duration among numbers": [float(i) for i in range(5)] + [np.timedelta64(3, "D")]
    + [float(i) for i in range(394)],
}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("kind", sorted(TEMPORAL))
def test_a_date_column_is_an_error_naming_it(cohort, name, kind):
    X, y = cohort
    X = X.assign(admitted=TEMPORAL[kind])
    with pytest.raises(ValueError, match=r"Column 'admitted' holds dates") as error:
        MODELS[name]().fit(X, y)
    # the conversion the message suggests runs on the column and gives numbers
    suggested = re.search(r"Convert it to a number first, for instance [^:]+: (.+)$",
                          str(error.value))
    if kind == "a duration among numbers":
        assert suggested is None and "make the column one type first" in str(error.value)
        return
    converted = eval(suggested.group(1), {"pd": pd, "X": X})
    assert pd.api.types.is_numeric_dtype(converted) and converted.notna().all()
    MODELS[name]().fit(X.assign(admitted=converted), y)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("unit", ["datetime64[D]", "timedelta64[s]"])
def test_a_numpy_date_array_is_an_error_naming_the_column(cohort, name, unit):
    X, y = cohort
    X = X.to_numpy(dtype=np.float64)
    dates = np.arange(len(X)).astype(unit).astype(object)
    mixed = np.column_stack([X.astype(object), dates])
    with pytest.raises(ValueError, match=r"Column 'x4' holds dates"):
        MODELS[name]().fit(mixed, y)
    with pytest.raises(ValueError, match=r"Column 'x0' holds dates"):
        MODELS[name]().fit(np.arange(len(X)).astype(unit).reshape(-1, 1), y)


def test_a_date_column_at_prediction_is_an_error(fitted_with_uninformative):
    model, X, _ = fitted_with_uninformative
    with pytest.raises(ValueError, match=r"Column 'age' holds dates"):
        model.predict_proba(X.assign(age=_STAMPS))


def test_year_as_a_number_is_accepted(cohort):
    """The documented conversion gives a continuous feature."""
    X, y = cohort
    X = X.assign(admitted=_STAMPS.year)
    model = MODELS["gam"]().fit(X, y)
    assert model.features_[-1].name == "admitted"
    assert model.features_[-1].kind == "continuous"


# --------------------------------------------------------------------------------------------
# constant and all-missing columns
# --------------------------------------------------------------------------------------------

def test_constant_and_all_missing_columns_warn_at_fit(fitted_with_uninformative):
    model, _, caught = fitted_with_uninformative
    uninformative = [w for w in caught if issubclass(w.category, ConstantFeatureWarning)]
    assert len(uninformative) == 1
    message = str(uninformative[0].message)
    assert "'constant' (constant)" in message
    assert "'all_missing' (all values missing)" in message
    assert "'site' (constant)" in message
    assert "'age'" not in message
    assert issubclass(ConstantFeatureWarning, UserWarning)
    assert uninformative[0].filename == __file__  # points at the caller's fit


def test_uninformative_columns_contribute_nothing(fitted_with_uninformative):
    model, X, _ = fitted_with_uninformative
    contributions = model.explain(X)
    for column in ("constant", "all_missing", "site"):
        np.testing.assert_allclose(contributions[column].to_numpy(), 0.0, atol=1e-12)


def test_prediction_does_not_repeat_the_warning(fitted_with_uninformative):
    model, X, _ = fitted_with_uninformative
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantFeatureWarning)
        model.predict_proba(X.iloc[[0]])  # one row: every column is constant


def test_which_columns_count_as_uninformative():
    n = 6
    informative = {
        "varied": np.linspace(0, 1, n),
        "one value and missing": np.array([1.0, np.nan] * 3),
        "two categories": pd.Categorical(["a", "b"] * 3),
        "bools": np.array([True, False] * 3, dtype=object),
        "strings with a missing one": np.array(["x"] * 5 + [None], dtype=object),
    }
    uninformative = {
        "zeros": np.zeros(n),
        "nans": np.full(n, np.nan),
        "one category": pd.Categorical(["a"] * n, categories=["a", "b"]),
        "all None": np.array([None] * n, dtype=object),
        "one string": np.array(["x"] * n, dtype=object),
        "all True": np.ones(n, dtype=bool),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_uninformative(list(informative), list(informative.values()))
    with pytest.warns(ConstantFeatureWarning) as record:
        warn_uninformative(list(uninformative), list(uninformative.values()))
    message = str(record[0].message)
    for name in uninformative:
        assert repr(name) in message
    assert "'nans' (all values missing)" in message and "'all None' (all values missing)" in message


# --------------------------------------------------------------------------------------------
# empty prediction data
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["predict_proba", "predict", "decision_function", "explain"])
def test_empty_prediction_data_is_an_error(fitted_with_uninformative, method):
    model, X, _ = fitted_with_uninformative
    if not hasattr(model, method):
        pytest.skip(f"{type(model).__name__} has no {method}")
    expected = r"Found array with 0 sample\(s\) .* while a minimum of 1 is required"
    with pytest.raises(ValueError, match=expected):
        getattr(model, method)(X.iloc[:0])
    with pytest.raises(ValueError, match=expected):
        getattr(model, method)(X.iloc[:0, ::-1])  # reordered, matched by name



def test_a_text_column_of_numbers_warns_and_a_listed_one_does_not(cohort):
    X, y = cohort
    X = X.assign(glucose=X["age"].round().astype(object).where(X.index % 7 > 0, "high"))
    with pytest.warns(DataConversionWarning, match=r"Column 'glucose' holds text, but 8\d% "):
        BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataConversionWarning)
        BoostedGAMClassifier(outer_bags=1, max_rounds=5,
                             categorical_features=["glucose"]).fit(X, y)


@pytest.mark.parametrize("first", [[1, 0], [True, False]])
def test_a_text_column_with_true_and_false_does_not_warn_whatever_comes_first(first):
    """True equals 1 when values are counted; the rows still decide that a flag column is one."""
    column = np.array(first + [1, 0, True, False] * 10 + ["x"], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataConversionWarning)
        _warn_numeric_text(["flag"], [column], [CATEGORICAL])


def test_duplicate_column_names_and_an_empty_fit_are_errors(cohort):
    X, y = cohort
    with pytest.raises(ValueError, match=r"duplicate column names \['age'\]"):
        BoostedGAMClassifier().fit(pd.concat([X, X[["age"]]], axis=1), y)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        BoostedGAMClassifier().fit(X.iloc[:0], y[:0])


@pytest.mark.parametrize("model", sorted(MODELS))
def test_a_column_named_as_a_pair_of_two_others_is_an_error(cohort, model):
    """'age & sbp' beside 'age' and 'sbp' would give two terms one name (one of them lost from
    term_importances); a name with '&' that is no pair's is fine."""
    X, y = cohort
    a, b = X.columns[:2]
    with pytest.raises(ValueError, match=f"Column '{a} & {b}' has the name of the pair term of "
                                         f"columns '{a}' and '{b}'"):
        MODELS[model]().fit(X.assign(**{f"{a} & {b}": 1.0 * np.arange(len(X))}), y)
    MODELS[model]().fit(X.assign(**{"heart & lung": np.arange(len(X)) % 3}), y)
    with pytest.raises(ValueError, match=f"Column '{a} & {b} & x' has the name of the pair "
                                         f"term of columns '{a}' and '{b} & x'"):
        MODELS[model]().fit(X.rename(columns={b: f"{b} & x"}).assign(
            **{f"{a} & {b} & x": 1.0 * np.arange(len(X))}), y)


@pytest.mark.parametrize("direction", [0.5, -0.3, 2, "+1", True, None])
@pytest.mark.parametrize("estimator", [BoostedGAMClassifier, MonotonicNetClassifier])
def test_a_direction_is_exactly_minus_one_zero_or_one(estimator, direction):
    """A fractional or textual direction would otherwise switch the constraint off quietly."""
    X = pd.DataFrame({"age": np.arange(200.0), "bp": np.arange(200.0)[::-1]})
    y = np.arange(200) % 2
    with pytest.raises(ValueError, match=r"direction of 'age' must be -1, 0 or 1, got"):
        estimator(monotonic_cst={"age": direction}).fit(X, y)
    with pytest.raises(ValueError, match=r"direction of 'bp' must be -1, 0 or 1"):
        estimator(monotonic_cst=[1, direction]).fit(X, y)


def test_one_text_cell_in_a_constrained_column_says_why_it_is_categorical():
    X = pd.DataFrame({"creatinine": np.linspace(0.5, 3, 300)}).astype(object)
    X.iloc[7, 0] = "1.2 mg/dL"
    y = np.arange(300) % 2
    with pytest.warns(DataConversionWarning, match=r"99\.7% of its values are numbers"), \
            pytest.raises(ValueError, match="categorical \\(it holds text, even one cell"):
        BoostedGAMClassifier(monotonic_cst={"creatinine": 1}).fit(X, y)


@pytest.mark.parametrize("values, kind", [
    ([1, 2, None], "continuous"), ([1.5, np.nan], "continuous"), ([1, 2.5], "continuous"),
    ([np.int64(3), np.float32(2.0)], "continuous"), ([pd.NA, 1], "continuous"),
    ([pd.NaT, 1], "continuous"), ([None, np.nan], "continuous"),
    ([True, 1], "categorical"), ([True, False], "categorical"), (["a", 1], "categorical"),
    ([1, "2"], "categorical"), ([decimal.Decimal(1)], "categorical"), ([1 + 2j], "categorical")])
def test_an_object_column_is_continuous_only_when_every_value_is_a_number(values, kind):
    expected = CONTINUOUS if kind == "continuous" else CATEGORICAL
    assert infer_kind(pd.Series(values, dtype=object).to_numpy()) == expected


def test_a_true_false_column_left_out_of_a_categorical_list_is_read_as_0_and_1():
    """As a bool array would be: a DataFrame's bool column reaches the fit as objects."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"flag": rng.random(300) < 0.5, "site": rng.choice(["a", "b"], 300)})
    y = (X["flag"] ^ (rng.random(300) < 0.2)).astype(int)
    model = BoostedGAMClassifier(categorical_features=["site"], outer_bags=1,
                                 random_state=0).fit(X, y)
    assert [f.kind for f in model.features_] == ["continuous", "categorical"]
    as_numbers = X.assign(flag=X["flag"].astype(float))
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(as_numbers))
    with pytest.raises(ValueError, match="'site' holds categories or strings but is not listed"):
        BoostedGAMClassifier(categorical_features=["flag"]).fit(X, y)


def test_a_column_of_record_numbers_warns_and_measurements_do_not():
    rng = np.random.default_rng(0)
    y = np.arange(2000) % 2
    base = pd.DataFrame({"age": rng.integers(20, 90, 2000).astype(float)})
    for ids in (np.arange(2000) + 1000,                                  # 1000 to 2999
                rng.permutation(2000) * 3.0,                              # float ids, shuffled
                rng.choice(10**6, 2000, replace=False)):                  # sampled, any range
        with pytest.warns(IdentifierWarning, match="'patient' holds a different whole number"):
            BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(base.assign(patient=ids), y)
    quiet = {"salary": rng.choice(10**6, 2000, replace=False)[:300] * 1.0,  # 300 rows, wide
             "dose": np.round(rng.normal(50, 10, 300), 1),                  # not whole
             "visits": rng.integers(0, 30, 300).astype(float)}              # repeats
    with warnings.catch_warnings():
        warnings.simplefilter("error", IdentifierWarning)
        BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(pd.DataFrame(quiet), y[:300])


def test_copies_of_records_warn_and_equal_discrete_rows_do_not():
    """A table with a row per count (copies of records with fine measurements) warns, naming
    sample_weight; the same records with the counts as weights, and many equal rows of coarse
    features (different patients), do not."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.normal(60, 10, 600).round(1), "sbp": rng.normal(130, 15, 600)})
    y = X["age"] / 10 + rng.normal(size=600)
    counts = rng.integers(1, 4, 600)
    copies, copied_y = X.loc[X.index.repeat(counts)], np.repeat(y.to_numpy(), counts)
    with pytest.warns(RepeatedRowsWarning, match=r"training rows \(\d+%\) repeat another row "
                                                 r"exactly.*sample_weight"):
        BoostedGAMRegressor(outer_bags=1, max_rounds=5).fit(copies, copied_y)
    coarse = pd.DataFrame(rng.integers(0, 2, (2000, 4)).astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RepeatedRowsWarning)
        BoostedGAMRegressor(outer_bags=1, max_rounds=5).fit(X, y, sample_weight=counts)
        BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(coarse, np.arange(2000) % 2)
        BoostedGAMRegressor(outer_bags=1, max_rounds=5, validation_fraction=None).fit(
            copies, copied_y)  # no validation split, nothing to fool


def test_a_class_of_a_few_rows_warns_naming_it():
    """A class of three rows among 2,000 is fitted as a near-certainty on its rows (and on new
    rows in their bins), so the fit warns naming the class and its rows; rows of weight 0 do not
    count, and classes of ten rows or more do not warn."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2000, 4)), columns=list("abcd"))
    y = np.where(X["a"] > 0, "yes", "no").astype(object)
    rare = rng.choice(2000, 3, replace=False)
    y[rare] = "rare"
    with pytest.warns(RareClassWarning, match=r"fewer than 10 training rows: 'rare' \(3 rows\)"):
        model = BoostedGAMClassifier(random_state=0).fit(X, y)
    assert model.predict_proba(X)[rare, list(model.classes_).index("rare")].min() > 0.9
    weight = np.ones(2000)
    common = np.where(y == "yes")[0]
    weight[common[:-9]] = 0.0  # nine rows of 'yes' keep their weight
    with pytest.warns(RareClassWarning, match=r"'rare' \(3 rows\), 'yes' \(9 rows\)"):
        BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(X, y, sample_weight=weight)
    y[rng.choice(np.where(y != "rare")[0], 7, replace=False)] = "rare"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RareClassWarning)
        BoostedGAMClassifier(outer_bags=1, max_rounds=5).fit(X, y)
        MonotonicNetClassifier(additive=True, max_iter=5, n_seeds=1).fit(X, y)
    with pytest.warns(RareClassWarning, match=r"\b1 \(1 row\)"):
        labels = np.where(X["a"] > 0, 2, 0)
        labels[4] = 1
        MonotonicNetClassifier(additive=True, max_iter=5, n_seeds=1).fit(X, labels)


@pytest.mark.parametrize("estimator", [BoostedGAMClassifier(outer_bags=1, max_rounds=5),
                                       MonotonicNetClassifier(max_iter=5, n_seeds=1)],
                         ids=["gam", "network"])
def test_weights_that_leave_one_class_are_an_error_as_removed_rows_would_be(estimator):
    """A row of weight 0 is the same as a removed row, and removing every row of a class leaves
    one class, which is an error: so is weighting every row of a class 0 (it fitted, warning
    of a class of "0 rows")."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    y = np.where(X["a"] > 0, "event", "none")
    with pytest.raises(ValueError, match=r"leaves only class\(es\) \['none'\] with rows of "
                                         "positive weight"):
        estimator.fit(X, y, sample_weight=(y == "none").astype(float))
    with pytest.raises(ValueError, match="at least two classes"):
        estimator.fit(X[y == "none"], y[y == "none"])


def test_pandas_missing_markers_among_numbers_are_missing_values():
    """pd.NA, NaT and None in a column of numbers (an object column, as replacing a sentinel
    code with pd.NA makes one) fit and predict as NaN does."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = (X["a"] + rng.normal(size=400) > 0).astype(int)
    marked = X.astype({"b": object})
    for start, marker in enumerate((pd.NA, pd.NaT, None)):
        marked.loc[start::7, "b"] = marker
    plain = X.assign(b=X["b"].where(marked["b"].notna()))
    params = dict(outer_bags=2, random_state=0)
    model = BoostedGAMClassifier(**params).fit(marked, y)
    np.testing.assert_array_equal(model.predict_proba(marked),
                                  BoostedGAMClassifier(**params).fit(plain, y).predict_proba(plain))


def test_an_unknown_constrained_name_lists_the_features_or_says_the_data_have_none():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.normal(60, 10, 200), "bp": rng.normal(130, 15, 200)})
    y = np.arange(200) % 2
    with pytest.raises(ValueError, match=r"unknown feature 'agee'\. The features are "
                                         r"\['age', 'bp'\]\."):
        BoostedGAMClassifier(monotonic_cst={"agee": 1}).fit(X, y)
    with pytest.raises(ValueError, match=r"unknown feature 'age'\. The data have no column "
                                         r"names .*set_output\(transform='pandas'\)"):
        BoostedGAMClassifier(monotonic_cst={"age": 1}).fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match=r"'flag' is categorical \(.*booleans.*\).*stored as 0/1"):
        BoostedGAMClassifier(monotonic_cst={"flag": 1}).fit(X.assign(flag=X["age"] > 60), y)
