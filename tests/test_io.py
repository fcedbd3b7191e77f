"""The JSON model format: any model made of terms saves and loads to identical predictions; files
of format versions 1, 2 and 3 load; and a damaged or tampered file is a ModelFileError naming the
field, never another exception (nor a model that cannot predict)."""

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassbox import BoostedGAMClassifier, UnseenValueWarning, build_model
from glassbox._binning import Bins
from glassbox.datasets import make_risk_cohort
from glassbox.io import (MAX_BYTES, VERSION, ModelFileError, load_model, model_from_dict,
                         model_to_dict, save_model, seal)
from glassbox.terms import Feature, Term, validate_model

FIXTURES = Path(__file__).parent / "fixtures"
LINKS = ("logit", "softmax", "identity", "log")


def random_model(rng, link):
    """A model built from random features (continuous and categorical, with and without
    missing values) and random terms: main effects and pairs on coarsened bins."""
    features = []
    for j in range(rng.integers(1, 5)):
        if rng.random() < 0.35:
            categories = [f"c{k}" for k in range(rng.integers(1, 5))]
            bins = Bins("categorical", categories=categories)
        else:
            bins = Bins("continuous", edges=np.unique(rng.normal(size=rng.integers(0, 12))))
        features.append(Feature(f"f{j}", bins.kind, bins, bool(rng.random() < 0.5)))
    n_classes = 2 if link == "logit" else int(rng.integers(3, 5)) if link == "softmax" else 0
    outputs = (n_classes,) if link == "softmax" else ()
    terms = []
    for j in range(len(features)):
        if rng.random() < 0.8:
            terms.append(_random_term(rng, features, (j,), outputs))
    for a in range(len(features)):
        for b in range(a + 1, len(features)):
            if rng.random() < 0.4:
                terms.append(_random_term(rng, features, (a, b), outputs))
    intercept = rng.normal(size=outputs) if outputs else float(rng.normal())
    classes = None if not n_classes else np.array([f"k{i}" for i in range(n_classes)])
    return build_model(features, terms, intercept, link=link, classes=classes,
                       edit_log=[{"edit": "scale_term", "term": "f0", "reason": "test"}],
                       provenance={"library": "test", "seed": int(rng.integers(1000))},
                       feature_names_in=[f.name for f in features])


def _random_term(rng, features, feats, outputs):
    bins = []
    for f in feats:
        own = features[f].bins
        if len(feats) == 2 and own.kind == "continuous" and rng.random() < 0.6:
            keep = rng.random(len(own.edges)) < 0.5
            bins.append(Bins("continuous", edges=own.edges[keep]))  # a coarsening
        else:
            bins.append(own)
    shape = tuple(b.n_bins for b in bins)
    weights = rng.exponential(size=shape) * (rng.random(shape) < 0.8)
    return Term(" & ".join(features[f].name for f in feats), feats, tuple(bins),
                rng.normal(size=shape + outputs), rng.exponential(size=shape + outputs),
                np.round(weights * 10), weights)


def random_rows(rng, model, n=60):
    """Prediction rows over each feature's bins, with missing values and unseen categories,
    under the column names the model reads (any distinct names for a model reading by
    position)."""
    columns = {}
    names = getattr(model, "feature_names_in_",
                    [f"column {j}" for j in range(len(model.features_))])
    for name, feature in zip(names, model.features_):
        bins = feature.bins
        if bins.kind == "continuous":
            span = np.r_[bins.edges, 0.0]
            values = rng.uniform(span.min() - 1, span.max() + 1, n)
            values[rng.random(n) < 0.1] = np.nan
            on_cuts = bins.edges[:n]
            values[:len(on_cuts)] = on_cuts  # exactly on the cut points
            columns[name] = values
        else:
            choices = np.array(list(bins.categories) + ["never seen", None], dtype=object)
            columns[name] = choices[rng.integers(0, len(choices), n)]
    return pd.DataFrame(columns)


def outputs(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnseenValueWarning)
        if hasattr(model, "classes_"):
            return model.decision_function(X), model.predict_proba(X), model.predict(X)
        return model.predict(X), model.explain(X).to_numpy()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), link=st.sampled_from(LINKS))
def test_save_then_load_predicts_identically(tmp_path_factory, seed, link):
    rng = np.random.default_rng(seed)
    model = random_model(rng, link)
    path = tmp_path_factory.mktemp("io") / "model.json"
    save_model(model, path)
    json.loads(path.read_text(), parse_constant=pytest.fail)  # strict JSON: no NaN or inf
    loaded = load_model(path)
    X = random_rows(rng, model)
    for expected, got in zip(outputs(model, X), outputs(loaded, X)):
        np.testing.assert_array_equal(got, expected)
    assert type(loaded) is type(model) and loaded.link_ == model.link_ == link
    assert loaded.provenance_ == model.provenance_ and loaded.edit_log_ == model.edit_log_
    assert [repr(t) for t in loaded.terms_] == [repr(t) for t in model.terms_]
    for term in loaded.terms_:  # a term on its feature's own bins shares the very object
        for f, bins in zip(term.features, term.bins):
            own = loaded.features_[f].bins
            assert (bins is own) == (bins.lookup_from(own) is not None
                                     and bins.n_bins == own.n_bins)


def test_the_file_holds_the_contract_the_version_and_its_hash():
    model = random_model(np.random.default_rng(0), "softmax")
    data = model_to_dict(model)
    assert data["version"] == VERSION == 3 and data["estimator"] == "AdditiveClassifier"
    assert data["link"] == "softmax" and data["classes"] == list(model.classes_)
    assert data["provenance"] == model.provenance_ and data["family_state"] == {}
    assert len(data["intercept"]) == len(model.classes_)
    assert len(data["sha256"]) == 64 and seal(data) == data


# --------------------------------------------------------------------------------------------------
# files written by earlier versions
# --------------------------------------------------------------------------------------------------

V3_NAMES = ["gam_binary", "gam_multiclass", "gam_poisson", "net_full_classifier",
            "net_additive_regressor", "built_classifier", "built_regressor"]


def fixture(name):
    """The dict of the version-3 fixture file `name`, a fresh copy."""
    return json.loads((FIXTURES / f"v3_{name}.json").read_text())


def fixture_outputs(model, rows):
    """What tests/fixtures/make_fixtures.py recorded for a model (see there)."""
    X = rows if hasattr(model, "feature_names_in_") else rows.to_numpy(dtype=object)
    return model.decision_function(X) if hasattr(model, "classes_") else model.predict(X)


def assert_as_recorded(actual, recorded):
    """The outputs a fixture recorded, to the last bit but one: a log link's prediction is
    numpy's `exp` of the score, whose last bit differs between processors with and without
    AVX-512 (the score itself, a sum of the same terms in the same order, does not)."""
    np.testing.assert_array_max_ulp(actual, np.asarray(recorded, dtype=float), maxulp=1)


@pytest.mark.parametrize("name", V3_NAMES)
def test_version_3_files_still_load_and_predict_as_they_did(name):
    expected = json.loads((FIXTURES / "v3_expected.json").read_text())
    rows = pd.DataFrame(expected["rows"])
    model = load_model(FIXTURES / f"v3_{name}.json")
    assert_as_recorded(fixture_outputs(model, rows), expected["outputs"][name])
    again = model_from_dict(json.loads(json.dumps(model_to_dict(model))))
    assert_as_recorded(fixture_outputs(again, rows), expected["outputs"][name])


def test_a_file_saved_before_smoothing_schedules_loads_as_greedy():
    # The regressor's default became "auto"; a file that does not name the parameter was
    # fitted with greedy smoothing, and says so once loaded.
    data = fixture("gam_poisson")
    assert "smoothing_schedule" not in data["params"]
    assert load_model(FIXTURES / "v3_gam_poisson.json").smoothing_schedule == "greedy"
    data = model_to_dict(load_model(FIXTURES / "v3_gam_poisson.json"))
    assert data["params"]["smoothing_schedule"] == "greedy"  # saved from now on
    data["params"]["smoothing_schedule"] = "auto"
    assert model_from_dict(seal(data)).smoothing_schedule == "auto"


def test_version_2_files_still_load_and_save_as_version_3():
    data = fixture("net_additive_regressor")
    del data["sha256"]
    with pytest.warns(UserWarning, match="version 2, written before files were sealed"):
        model = model_from_dict({**data, "version": 2})
    saved, expected = model_to_dict(model), fixture("net_additive_regressor")
    # parameters added since the fixture was written are saved at their defaults
    assert saved.pop("params").items() >= expected.pop("params").items()
    saved.pop("sha256"), expected.pop("sha256")  # a hash of the content, params included
    assert saved == expected


@pytest.mark.parametrize("name", ["gam_binary", "gam_multiclass", "gam_poisson",
                                  "net_full_classifier", "net_additive_regressor"])
def test_version_1_files_still_load_and_predict_as_they_did(name):
    X = make_risk_cohort(n_samples=200, n_features=10, random_state=7)[0]
    expected = json.loads((FIXTURES / "v1_expected.json").read_text())[name]
    model = load_model(FIXTURES / f"v1_{name}.json")
    assert_as_recorded(fixture_outputs(model, X), expected)
    assert model.provenance_["format_version"] == 1
    again = model_from_dict(json.loads(json.dumps(model_to_dict(model))))
    assert_as_recorded(fixture_outputs(again, X), expected)


def test_version_1_keeps_the_edit_log_and_bag_rounds():
    data = json.loads((FIXTURES / "v1_gam_binary.json").read_text())
    model = model_from_dict(data)
    assert model.edit_log_ == data["edit_log"] and model.edit_log_[0]["edit"] == "scale_term"
    assert model.get_params()["interactions"] == data["params"]["interactions"]


def test_the_first_version_1_layout_still_loads():
    """The first files held a boosted GAM's rounds at the top level, and no edit log."""
    data = json.loads((FIXTURES / "v1_gam_binary.json").read_text())
    data["bag_rounds"] = data.pop("state")["bag_rounds"]
    del data["edit_log"]
    model = model_from_dict(data)
    assert model.bag_rounds_.tolist() == data["bag_rounds"] and model.edit_log_ == []


# --------------------------------------------------------------------------------------------------
# rejections: every one a ModelFileError naming the field
# --------------------------------------------------------------------------------------------------

def load_bytes(tmp_path, raw, **kwargs):
    path = tmp_path / "model.json"
    path.write_bytes(raw)
    return load_model(path, **kwargs)


def fixture_bytes(name="gam_binary"):
    return (FIXTURES / f"v3_{name}.json").read_bytes()


def set_at(path, value):
    """An edit of a file's dict: the value at `path` (keys and indices) set, or deleted when
    `value` is DELETE."""
    def edit(data):
        *parents, last = path
        for key in parents:
            data = data[key]
        if value is DELETE:
            del data[last]
        else:
            data[last] = value(data[last]) if callable(value) else value
    return edit


DELETE = object()


def with_token(name, path, token):
    """The bytes of fixture `name` with the JSON text `token` written at `path`."""
    data = fixture(name)
    set_at(path, "@token@")(data)
    return json.dumps(data).replace('"@token@"', token).encode()


FILE_REJECTIONS = {
    "malformed JSON": (b'{"format": "glassbox-model",, }', r"not valid JSON: Expecting .* line 1"),
    "truncated": (fixture_bytes()[:5000],
                  r"not valid JSON: .*\(the text ends early: truncated\?\)"),
    "empty": (b"", r"not valid JSON: .*truncated"),
    "not UTF-8": (fixture_bytes().replace(b'"age"', b'"\xe4ge"', 1),
                  r"not UTF-8 text \(byte \d+ does not decode\)"),
    "not an object": (b"[1, 2]", "the JSON is a list, not an object"),
    "NaN": (fixture_bytes().replace(b"-0.", b"NaN, -0.", 1), "NaN is no JSON number"),
    "Infinity": (fixture_bytes().replace(b"-0.", b"-Infinity, -0.", 1),
                 "-Infinity is no JSON number"),
    "huge exponent": (b'{"format": "glassbox-model", "version": 3, "intercept": 1e999}',
                      r"intercept: inf is not a finite number"),
    "edge at infinity": (with_token("gam_binary", ("features", 0, "bins", "edges", 2), "1e999"),
                         r"features\[0\]\.bins\.edges\[2\]: inf is not a finite number"),
    "weight at minus infinity": (with_token("net_full_classifier",
                                            ("family_state", "weights", 1, 7), "-1e400"),
                                 r"family_state\.weights\[1\]\[7\]: -inf is not a finite"),
    "integer too long for Python": (b'{"version": 1' + b"0" * 5000 + b"}",
                                    "not valid JSON: Exceeds the limit"),
    "nested too deeply for Python": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "duplicate key": (b'{"format": "glassbox-model", "format": "x"}',
                      "the key 'format' appears twice"),
    "wrong format": (b'{"format": "pickle", "version": 3}', "format: not a glassbox-model file"),
    "missing format": (b'{"version": 3}', "format: not a glassbox-model file"),
    "newer version": (b'{"format": "glassbox-model", "version": 4}',
                      "version: 4 was written by a newer glassbox .* upgrade glassbox"),
    "version 0": (b'{"format": "glassbox-model", "version": 0}', r"version: expected 1 to 3"),
    "version as text": (b'{"format": "glassbox-model", "version": "3"}', "version: expected"),
    "version true": (b'{"format": "glassbox-model", "version": true}', "version: expected"),
    "modified after writing": (fixture_bytes().replace(b"-0.", b"-1.", 1),
                               r"sha256: the file was modified after it was written \(sha256 "
                               r"mismatch\).*glassbox.io.seal"),
    "hash removed": (json.dumps({k: v for k, v in fixture("gam_binary").items()
                                 if k != "sha256"}).encode(), "sha256: missing"),
}


@pytest.mark.parametrize("case", FILE_REJECTIONS)
def test_a_bad_file_is_a_model_file_error_naming_the_file_and_the_fault(tmp_path, case):
    raw, message = FILE_REJECTIONS[case]
    with pytest.raises(ModelFileError, match=message) as error:
        load_bytes(tmp_path, raw)
    assert str(error.value).startswith(f"{tmp_path / 'model.json'}: ")


def test_a_file_larger_than_max_bytes_is_refused_before_reading(tmp_path):
    raw = fixture_bytes()
    with pytest.raises(ModelFileError, match=f"larger than max_bytes=1,000 \\({len(raw):,} bytes"):
        load_bytes(tmp_path, raw, max_bytes=1000)
    assert load_bytes(tmp_path, raw, max_bytes=len(raw)).link_ == "logit"
    assert load_bytes(tmp_path, raw, max_bytes=None).link_ == "logit"
    assert MAX_BYTES == 200_000_000


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.json")


EDGES = ("features", 0, "bins", "edges")
SCORES = ("terms", 0, "scores")
NETWORK = ("family_state", "network")
ENCODER = ("family_state", "encoder")

# (fixture, edit, message): each edit made on purpose and sealed, so that the content is at fault
CONTENT_REJECTIONS = {
    "missing field": ("gam_binary", set_at(("intercept",), DELETE), "missing field 'intercept'"),
    "unknown field": ("gam_binary", set_at(("comment",), "hi"), "unknown field 'comment'"),
    "wrong-typed field": ("gam_binary", set_at(("features",), {}),
                          "features: expected a list, got an object"),
    "unknown estimator": ("gam_binary", set_at(("estimator",), "Pickle"),
                          r"estimator: expected one of \['AdditiveClassifier'"),
    "estimator not in the registry": ("gam_binary", set_at(("estimator",), "TabularModel"),
                                      "estimator: expected one of"),
    "unknown parameter": ("gam_binary", set_at(("params", "__class__"), "os.system"),
                          r"params\.__class__: not a parameter of BoostedGAMClassifier"),
    "invalid parameter": ("gam_binary", set_at(("params", "max_rounds"), -1),
                          "params: The 'max_rounds' parameter of BoostedGAMClassifier must be"),
    "link that disagrees": ("gam_binary", set_at(("link",), "log"),
                            "link: 'log' disagrees with the BoostedGAMClassifier"),
    "unknown link": ("gam_binary", set_at(("link",), "probit"), "link: expected one of"),
    "classes duplicated": ("gam_binary", set_at(("classes",), [1, 1]),
                           r"classes\[1\]: 1 repeats classes\[0\]"),
    "classes of mixed types": ("gam_binary", set_at(("classes",), [0, "1"]), "classes: .*mixed"),
    "one class": ("gam_binary", set_at(("classes",), ["a"]), "classes: 1 class"),
    "classes of a regressor": ("gam_poisson", set_at(("classes",), [0, 1]),
                               "classes: given, but the BoostedGAMRegressor is a regressor"),
    "no features": ("built_regressor", set_at(("features",), []), "features: empty"),
    "term named after another feature": ("gam_binary", set_at(("terms", 1, "name"), "age"),
                                         r"Term 1 \('age'\): it is named after the feature "
                                         r"'age' but reads \['bmi'\]"),
    "term given twice": ("gam_binary", lambda data: data["terms"].append(data["terms"][2]),
                         r"Term 7 \('creatinine'\): an earlier term of the same name reads the "
                         "same features"),
    "feature renamed": ("gam_binary", set_at(("features", 0, "name"), "sex"),
                        r"Feature 0 is named 'sex' but reads the column 'age'"),
    "constraint on no feature": ("gam_binary", set_at(("params", "monotonic_cst"), {"agee": 1}),
                                 r"params\.monotonic_cst: 'agee' is not a feature of the model"),
    "constraints for too few features": ("gam_binary", set_at(("params", "monotonic_cst"),
                                                              [1, 0]),
                                         r"params\.monotonic_cst: 2 entries for 5 features"),
    "feature kind": ("gam_binary", set_at(("features", 3, "kind"), "continuous"),
                     r"features\[3\]\.bins: categorical bins for a continuous feature"),
    "edges not increasing": ("gam_binary", set_at(EDGES + (2,), 53.0),
                             r"features\[0\]\.bins\.edges: not strictly increasing"),
    "edges as text": ("gam_binary", set_at(EDGES + (2,), "59"),
                      r"features\[0\]\.bins\.edges: holds a string where a number belongs"),
    "too many edges": ("gam_binary", set_at(EDGES, list(range(70_000))),
                       r"features\[0\]\.bins\.edges: 70000 edges; 16-bit bin codes allow"),
    "duplicate categories": ("gam_binary",
                             set_at(("features", 3, "bins", "categories"), [0, False]),
                             r"features\[3\]\.bins\.categories\[1\]: False repeats"),
    "unhashable category": ("gam_binary", set_at(("features", 4, "bins", "categories", 0), ["x"]),
                            r"features\[4\]\.bins\.categories\[0\]: expected a string, number"),
    "groups with a gap": ("gam_binary", set_at(("features", 4, "bins", "groups"), [1, 1, 3, 3]),
                          r"features\[4\]\.bins\.groups: must number the value bins 1, 2"),
    "groups asking for a huge grid": ("gam_binary",
                                      set_at(("features", 4, "bins", "groups"), [1, 2, 3, 10**9]),
                                      r"features\[4\]\.bins\.groups: must number"),
    "feature index out of range": ("gam_binary", set_at(("terms", 5, "features"), [0, 9]),
                                   r"terms\[5\]\.features\[1\]: 9 is out of range \[0, 4\]"),
    "feature twice in a term": ("gam_binary", set_at(("terms", 5, "features"), [2, 2]),
                                r"terms\[5\]\.features: feature 2 twice"),
    "term bins not a coarsening": ("gam_binary", set_at(("terms", 5, "bins", 0),
                                                      {"kind": "continuous", "edges": [50.0]}),
                                   r"terms\[5\]\.bins\[0\]: neither the bins of feature 'age'"),
    "scores shape": ("gam_binary", set_at(SCORES, lambda v: v[:-1]),
                     r"terms\[0\]\.scores: shape \(9,\) does not match its bins \(10,\)"),
    "scores without classes": ("gam_multiclass", set_at(SCORES, lambda v: [c[0] for c in v]),
                               r"terms\[0\]\.scores: shape \(10,\) does not match its bins and "
                               r"classes \(10, 3\)"),
    "ragged scores": ("gam_multiclass", set_at(SCORES + (1,), [0.0]),
                      r"terms\[0\]\.scores: not a rectangular array"),
    "stds shape": ("gam_binary", set_at(("terms", 5, "stds"), lambda v: v[1:]),
                   r"terms\[5\]\.stds: shape \(5, 4\) does not match its bins \(6, 4\)"),
    "counts shape": ("gam_binary", set_at(("terms", 1, "counts"), lambda v: v + [1]),
                     r"terms\[1\]\.counts: shape \(11,\) does not match its bins \(10,\)"),
    "weights shape": ("gam_binary", set_at(("terms", 1, "weights"), [[1.0]] * 10),
                      r"terms\[1\]\.weights: shape \(10, 1\) does not match its bins \(10,\)"),
    "negative counts": ("gam_binary", set_at(("terms", 1, "counts", 3), -1),
                        r"terms\[1\]\.counts: negative values"),
    "negative weights": ("gam_binary", set_at(("terms", 1, "weights", 3), -0.5),
                         r"terms\[1\]\.weights: negative values"),
    "null score": ("gam_binary", set_at(SCORES + (2,), None),
                   r"terms\[0\]\.scores: holds null where a number belongs"),
    "scores that overflow": ("gam_binary", set_at(("terms",), lambda terms: [
        {**t, "scores": np.full(np.shape(t["scores"]), 1e308).tolist()} for t in terms]),
        "terms: scores so large that predictions overflow"),
    "means that overflow": ("gam_poisson", set_at(("intercept",), 720.0),
                            "terms: scores so large .* the 'log' link allows 709.8"),
    "intercept shape": ("gam_binary", set_at(("intercept",), [0.5, 0.5]),
                        r"intercept: shape \(2,\) does not match link 'logit' \(\)"),
    "intercept per class": ("gam_multiclass", set_at(("intercept",), 0.5),
                            r"intercept: shape \(\) does not match link 'softmax' and its "
                            r"classes \(3,\)"),
    "terms missing": ("gam_binary", set_at(("terms",), None),
                      r"terms: null, but the BoostedGAMClassifier \(with these parameters\) "
                      "needs terms"),
    "terms of a full network": ("net_full_classifier", set_at(("terms",), []),
                                r"terms: given, but the MonotonicNetClassifier \(with "
                                r"these parameters\) has no terms"),
    "feature names": ("gam_binary", set_at(("feature_names_in",), ["age"]),
                      "feature_names_in: 1 names for 5 features"),
    "feature names repeated": ("gam_binary", set_at(("feature_names_in", 1), "age"),
                               r"feature_names_in\[1\]: 'age' repeats"),
    "edit log entry": ("gam_binary", set_at(("edit_log", 0), "scaled"),
                       r"edit_log\[0\]: expected an object, got a string"),
    "provenance": ("gam_binary", set_at(("provenance",), ["glassbox"]),
                   "provenance: expected an object"),
    "unknown family state": ("built_classifier", set_at(("family_state", "code"), "x"),
                             "family_state: unknown field 'code'"),
    "negative bag rounds": ("gam_binary", set_at(("family_state", "bag_rounds_", 0, 0), -3),
                            r"family_state\.bag_rounds_: negative values"),
    "layers that do not chain": ("net_full_classifier", set_at(NETWORK + ("shapes", 1, 0), 6),
                                 r"family_state\.network\.shapes: layers .* do not chain"),
    "layer offsets": ("net_full_classifier", set_at(NETWORK + ("shapes", 2, 2), 80),
                      r"family_state\.network\.shapes: offsets"),
    "output units": ("net_full_classifier", set_at(NETWORK + ("shapes", 2, 1), 2),
                     r"family_state\.network\.shapes: .* to the model's 1 output"),
    "mask length": ("net_full_classifier", set_at(NETWORK + ("mask",), lambda v: v[:-1]),
                    r"family_state\.network\.mask: shape \(88,\) does not match the layers' "
                    r"parameters \(89,\)"),
    "mask values": ("net_full_classifier", set_at(NETWORK + ("mask", 0), -1.0),
                    r"family_state\.network\.mask: values other than \(0, 1\)"),
    "unknown activation": ("net_full_classifier", set_at(NETWORK + ("activations", 1), 9),
                           r"family_state\.network\.activations: values other than"),
    "unit offsets": ("net_full_classifier", set_at(NETWORK + ("unit_offsets",), [0, 5, 9, 11]),
                     r"family_state\.network\.unit_offsets: expected \[0, 5, 9, 10\]"),
    "first layer not the encoder's": ("net_full_classifier", set_at(NETWORK + ("modes", 0), 0),
                                      r"family_state\.network: the first layer reads 11 inputs"),
    "encoder narrower than the first layer": (
        "net_full_classifier", set_at(ENCODER + ("missing", 1), False),
        r"family_state\.network: the first layer reads 11 inputs, which are not the "
        r"encoder's 10"),
    "weights length": ("net_full_classifier", set_at(("family_state", "weights", 1),
                                                   lambda v: v[:-1]),
                       r"family_state\.weights\[1\]: shape \(88,\) does not match the "
                       r"network's parameters \(89,\)"),
    "weights as text": ("net_full_classifier", set_at(("family_state", "weights", 0, 4), "0.1"),
                        r"family_state\.weights\[0\]: holds a string where a number belongs"),
    "no seeds": ("net_full_classifier", set_at(("family_state", "weights"), []),
                 r"family_state\.weights: empty"),
    "encoder kinds": ("net_full_classifier", set_at(ENCODER + ("kinds", 3), "continuous"),
                      r"family_state\.encoder\.kinds\[3\]: 'continuous' for a categorical"),
    "encoder scale zero": ("net_full_classifier", set_at(ENCODER + ("scales", 1), 0),
                           r"family_state\.encoder\.scales\[1\]: zero"),
    "encoder missing flags": ("net_full_classifier", set_at(ENCODER + ("missing",), [True] * 4),
                              r"family_state\.encoder\.missing: 4 entries for 5 features"),
    "knots not increasing": ("net_additive_regressor", set_at(ENCODER + ("knots", 0),
                                                            [1.0, 0.0, 2.0]),
                             r"family_state\.encoder\.knots\[0\]: not strictly increasing"),
    "regressor target": ("net_additive_regressor", set_at(("family_state", "target"), DELETE),
                         "family_state: missing field 'target'"),
}


@pytest.mark.parametrize("case", CONTENT_REJECTIONS)
def test_bad_content_is_a_model_file_error_naming_the_field(case):
    name, edit, message = CONTENT_REJECTIONS[case]
    data = fixture(name)
    edit(data)
    with pytest.raises(ModelFileError, match=message):
        model_from_dict(seal(data))


@pytest.mark.parametrize("value, message", [
    (float("nan"), r"terms\[0\]\.scores\[2\]: nan is not a finite number"),
    (float("inf"), r"terms\[0\]\.scores\[2\]: inf is not a finite number"),
    (10**400, r"terms\[0\]\.scores\[2\]: 1000000.* is not a finite number"),
    (np.float32(1.0), r"terms\[0\]\.scores\[2\]: a numpy.float32 is not a JSON value \(give "
                      r"Python values"),
    ((1.0,), r"terms\[0\]\.scores\[2\]: a tuple is not a JSON value"),
])
def test_a_dict_of_anything_but_plain_json_is_refused_with_the_path(value, message):
    data = fixture("gam_binary")
    data["terms"][0]["scores"][2] = value
    with pytest.raises(ModelFileError, match=message):
        model_from_dict(data)
    with pytest.raises(ModelFileError, match=message):
        seal(data)


def test_deep_nesting_is_refused_with_the_path():
    data = fixture("gam_binary")
    data["provenance"]["note"] = nested = []
    for _ in range(100):
        nested.append([])
        nested = nested[0]
    with pytest.raises(ModelFileError, match=r"provenance\.note(\[0\])+: nested more than 64"):
        model_from_dict(data)


def test_model_from_dict_checks_the_hash_of_a_dict_too():
    data = fixture("gam_binary")
    data["terms"][0]["scores"][2] += 1.0
    with pytest.raises(ModelFileError, match="sha256 mismatch"):
        model_from_dict(data)


def test_a_file_edited_by_hand_loads_once_resealed(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(fixture_bytes())
    data = json.loads(path.read_text())
    data["terms"][0]["scores"][2] += 1.0
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="modified after it was written"):
        load_model(path)
    path.write_text(json.dumps(seal(data), indent=1))
    assert load_model(path).terms_[0].scores[2] == data["terms"][0]["scores"][2]
    path.write_text(json.dumps(seal(data), indent=1), encoding="utf-8-sig")  # as Notepad saves
    assert load_model(path).terms_[0].scores[2] == data["terms"][0]["scores"][2]
    with pytest.raises(ModelFileError, match="seal takes the dict of a version-3 model file"):
        seal({**data, "version": 2})


# --------------------------------------------------------------------------------------------------
# fuzzing: damaged and tampered files
# --------------------------------------------------------------------------------------------------

def fuzz_sources():
    """Model files to damage: the version-3 fixtures (fitted boosted GAMs, monotonic networks,
    built models), the same without a hash (version 2: damage reaches the content checks), and
    the version-1 fixtures."""
    sources = [fixture_bytes(name) for name in V3_NAMES]
    for name in V3_NAMES:
        data = fixture(name)
        del data["sha256"]
        sources.append(json.dumps({**data, "version": 2}).encode())
    return sources + [path.read_bytes() for path in sorted(FIXTURES.glob("v1_*_*.json"))]


FUZZ_SOURCES = fuzz_sources()


JSON_BYTES = st.sampled_from([b"0", b"7", b"-", b".", b"e9", b",", b"[", b"]", b"{", b"}", b'"',
                              b":", b"null", b"true", b" ", b"\n"])
DAMAGE = st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate"]),
                            st.floats(0, 1, exclude_max=True),
                            JSON_BYTES | JSON_BYTES | st.binary(min_size=1, max_size=4)),
                  min_size=1, max_size=4)


def damage(raw, edits):
    """`raw` with bytes flipped, inserted or deleted, or cut short, at relative positions."""
    raw = bytearray(raw)
    for action, where, payload in edits:
        at = int(where * len(raw))
        if action == "flip":
            raw[at:at + 1] = payload[:1]
        elif action == "insert":
            raw[at:at] = payload
        elif action == "delete":
            del raw[at:at + len(payload) * 2]
        else:
            del raw[at:]
    return bytes(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(range(len(FUZZ_SOURCES))), edits=DAMAGE)
def test_a_damaged_file_loads_or_is_a_model_file_error(tmp_path_factory, source, edits):
    raw = damage(FUZZ_SOURCES[source], edits)
    try:
        model = load_bytes(tmp_path_factory.mktemp("fuzz"), raw)
    except ModelFileError:
        return
    assert_predicts(model, np.random.default_rng(0))


JSON_NUMBERS = st.integers(-3, 3) | st.integers(-8000, 8000).map(lambda i: i / 8)
JSON_WORDS = st.sampled_from(["continuous", "categorical", "logit", "softmax", "identity",
                              "log", "age", "BoostedGAMClassifier", ""]) | st.text(max_size=4)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | JSON_NUMBERS | JSON_WORDS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_WORDS, inner, max_size=3),
    max_leaves=6)


@st.composite
def tampered(draw):
    """The dict of a model file (a fitted model's or a random built one's) with a few
    deliberate edits anywhere in its tree, resealed: a value replaced by another JSON value
    (of any type or shape), a key deleted, a list element dropped or repeated."""
    if draw(st.booleans()):
        data = fixture(draw(st.sampled_from(V3_NAMES)))
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        data = model_to_dict(random_model(rng, draw(st.sampled_from(LINKS))))
    for _ in range(draw(st.integers(1, 3))):
        container, key = node(draw, data)
        if key is None:
            continue
        action = draw(st.sampled_from(["replace", "delete", "repeat"]))
        if action == "replace":
            container[key] = draw(JSON_VALUES)
        elif action == "delete":
            del container[key]
        elif isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
    return seal(data) if data.get("version") == VERSION else data


def node(draw, tree):
    """(container, key) of a node of the content of `tree` (format, version and hash aside:
    they have tests of their own), reached by a random walk from the root that stops at each
    level with probability 1/6 (key None for an empty container)."""
    container = tree
    while True:
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        keys = [k for k in keys if container is not tree or k not in ("format", "version",
                                                                       "sha256")]
        if not keys:
            return container, None
        key = draw(st.sampled_from(keys))
        child = container[key]
        if not isinstance(child, (dict, list)) or not child or draw(st.integers(0, 5)) == 0:
            return container, key
        container = child


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=tampered(), seed=st.integers(0, 2**32 - 1))
def test_a_tampered_file_is_a_model_file_error_or_a_valid_model(data, seed):
    try:
        model = model_from_dict(json.loads(json.dumps(data)))
    except ModelFileError:
        return
    assert_predicts(model, np.random.default_rng(seed))


def assert_predicts(model, rng):
    """A loaded model is valid and predicts finite values on random rows."""
    if hasattr(model, "terms_"):
        validate_model(model)
    X = random_rows(rng, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(model, "classes_"):
            got = [model.decision_function(X), model.predict_proba(X)]
            assert set(model.predict(X)) <= set(model.classes_)
        else:
            got = [model.predict(X)]
        if hasattr(model, "terms_"):
            got.append(model.explain(X).to_numpy(dtype=float))
    for values in got:
        assert np.isfinite(values).all()


def test_names_and_positions_that_fit_accepts_survive_a_file():
    """A name with '&' that is no pair's, a constraint by negative position, and a numpy
    integer seed."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "a & c"])
    y = (X["a"] * X["b"] + X["a & c"] > 0).astype(int)
    model = BoostedGAMClassifier(interactions=[("a", "b")], monotonic_cst={-1: 1}, outer_bags=2,
                                 max_rounds=50, random_state=np.int64(3)).fit(X, y)
    assert [t.name for t in model.terms_] == ["a", "b", "a & c", "a & b"]
    again = model_from_dict(model_to_dict(model))
    assert again.get_params() == {**model.get_params(), "random_state": 3}
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_a_network_comes_back_with_the_parameters_it_was_given():
    """Layer sizes are tuples, written as lists: a loaded network's get_params equals the
    fitted one's."""
    from glassbox import MonotonicNetRegressor
    X, y, _ = make_risk_cohort(n_samples=300, n_features=3, random_state=0)
    model = MonotonicNetRegressor(hidden_layer_sizes=(6, 4), max_iter=3, n_seeds=1,
                                  random_state=0).fit(X, y.astype(float))
    assert model_from_dict(model_to_dict(model)).get_params() == model.get_params()


def test_saving_a_pipeline_or_an_unfitted_model_says_what_a_file_holds(tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, _ = make_risk_cohort(n_samples=300, n_features=3, random_state=0)
    pipeline = make_pipeline(FunctionTransformer(), BoostedGAMClassifier(outer_bags=1,
                                                                         max_rounds=20))
    pipeline.fit(X, y)
    with pytest.raises(TypeError, match=r"got an unfitted or other Pipeline \(a Pipeline: save "
                                        r"its fitted glassbox step, e\.g\. pipeline\[-1\]"):
        save_model(pipeline, tmp_path / "pipeline.json")
    with pytest.raises(TypeError, match="got an unfitted or other BoostedGAMClassifier"):
        save_model(BoostedGAMClassifier(), tmp_path / "unfitted.json")
    save_model(pipeline[-1], tmp_path / "step.json")
    np.testing.assert_array_equal(load_model(tmp_path / "step.json").predict_proba(X),
                                  pipeline.predict_proba(X))
    # a refused model leaves the file it would have replaced as it was
    before = (tmp_path / "step.json").read_bytes()
    for wrong in (BoostedGAMClassifier(), pipeline):
        with pytest.raises(TypeError):
            save_model(wrong, tmp_path / "step.json")
        assert (tmp_path / "step.json").read_bytes() == before


def test_saving_a_fairness_strategy_points_to_the_model_inside(tmp_path):
    from glassbox.fairness import TrainThenClean
    X, y, _ = make_risk_cohort(n_samples=400, n_features=3, random_state=0)
    X = X.assign(group=np.arange(len(X)) % 2)
    strategy = TrainThenClean(BoostedGAMClassifier(outer_bags=1, max_rounds=20),
                              sensitive_features=["group"]).fit(X, y)
    with pytest.raises(TypeError, match=r"a fairness strategy: save the glass-box model "
                                        r"inside, its estimator_"):
        save_model(strategy, tmp_path / "strategy.json")
    save_model(strategy.estimator_, tmp_path / "model.json")
    np.testing.assert_array_equal(load_model(tmp_path / "model.json").predict_proba(X),
                                  strategy.predict_proba(X))
