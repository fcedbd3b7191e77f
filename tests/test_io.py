"""The JSON model format: any model made of terms saves and loads to identical predictions, and
files of format version 1 still load."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassbox import UnseenValueWarning, build_model
from glassbox._binning import Bins
from glassbox.datasets import make_risk_cohort
from glassbox.io import VERSION, load_model, model_from_dict, model_to_dict, save_model
from glassbox.terms import Feature, Term

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
    """Prediction rows over each feature's bins, with missing values and unseen categories."""
    columns = {}
    for feature in model.features_:
        bins = feature.bins
        if bins.kind == "continuous":
            span = np.r_[bins.edges, 0.0]
            values = rng.uniform(span.min() - 1, span.max() + 1, n)
            values[rng.random(n) < 0.1] = np.nan
            if len(bins.edges):
                values[:len(bins.edges)] = bins.edges  # exactly on the cut points
            columns[feature.name] = values
        else:
            choices = np.array(list(bins.categories) + ["never seen", None], dtype=object)
            columns[feature.name] = choices[rng.integers(0, len(choices), n)]
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


def test_the_file_holds_the_contract_and_the_version():
    model = random_model(np.random.default_rng(0), "softmax")
    data = model_to_dict(model)
    assert data["version"] == VERSION == 2 and data["estimator"] == "AdditiveClassifier"
    assert data["link"] == "softmax" and data["classes"] == list(model.classes_)
    assert data["provenance"] == model.provenance_ and data["family_state"] == {}
    assert len(data["intercept"]) == len(model.classes_)


@pytest.mark.parametrize("name", ["gam_binary", "gam_multiclass", "gam_poisson",
                                  "net_full_classifier", "net_additive_regressor"])
def test_version_1_files_still_load_and_predict_as_they_did(name):
    X = make_risk_cohort(n_samples=200, n_features=10, random_state=7)[0]
    expected = json.loads((FIXTURES / "v1_expected.json").read_text())[name]
    model = load_model(FIXTURES / f"v1_{name}.json")
    got = model.decision_function(X) if hasattr(model, "classes_") else model.predict(X)
    np.testing.assert_array_equal(got, expected)
    assert model.provenance_["format_version"] == 1
    again = model_from_dict(json.loads(json.dumps(model_to_dict(model))))
    np.testing.assert_array_equal(
        again.decision_function(X) if hasattr(model, "classes_") else again.predict(X), got)


def test_version_1_keeps_the_edit_log_and_bag_rounds():
    data = json.loads((FIXTURES / "v1_gam_binary.json").read_text())
    model = model_from_dict(data)
    assert model.edit_log_ == data["edit_log"] and model.edit_log_[0]["edit"] == "scale_term"
    assert model.get_params()["interactions"] == data["params"]["interactions"]


def test_unknown_versions_and_estimators_are_errors():
    data = model_to_dict(random_model(np.random.default_rng(1), "identity"))
    with pytest.raises(ValueError, match="version 1 or 2"):
        model_from_dict({**data, "version": 3})
    with pytest.raises(ValueError, match="Unknown estimator 'Pickle'"):
        model_from_dict({**data, "estimator": "Pickle"})
    with pytest.raises(ValueError, match="link 'log' disagrees"):
        model_from_dict({**data, "link": "log"})


def test_an_inconsistent_file_is_rejected_naming_the_term():
    data = model_to_dict(random_model(np.random.default_rng(2), "identity"))
    data["terms"][0]["scores"] = data["terms"][0]["scores"][:-1]
    with pytest.raises(ValueError, match=f"Term 0 \\('{data['terms'][0]['name']}'\\): scores"):
        model_from_dict(data)
