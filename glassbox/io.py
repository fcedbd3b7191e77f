"""The JSON model format: a fitted model as data, never as a pickle.

A file holds the contract every glassbox model exposes (see `glassbox.terms`): the estimator and
its parameters, provenance, link, classes, features, terms (bins, scores, standard deviations,
counts, weights), intercept and edit log, plus what the model's family needs beyond that to
predict (`_family_state`: a monotonic network's layers, weights and input encoding). Data only,
nothing that runs; `load_model(save_model(m))` predicts exactly as `m`. docs/model-format.md
documents every field. Version-1 files (written before the format carried link and provenance)
still load.
"""

import json

import numpy as np

from ._additive import model_class
from ._binning import Bins
from ._losses import LOSSES, link_of
from .terms import Feature, Term, model_link, validate_model

FORMAT = "glassbox-model"
VERSION = 2


def save_model(model, path):
    """Write a fitted model to `path` as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(model_to_dict(model), handle, indent=1)


def load_model(path):
    """Read a model written by `save_model` (format version 1 or 2)."""
    with open(path, encoding="utf-8") as handle:
        return model_from_dict(json.load(handle))


def model_to_dict(model):
    """The JSON-ready dict of a fitted glassbox model."""
    params = {k: _plain(v) for k, v in model.get_params().items() if k != "random_state"
              or isinstance(v, (int, type(None)))}
    features = model.features_
    terms = getattr(model, "terms_", None)
    names = getattr(model, "feature_names_in_", None)
    return {
        "format": FORMAT,
        "version": VERSION,
        "estimator": type(model).__name__,
        "params": params,
        "provenance": _plain(model.provenance_),
        "link": model_link(model),
        "classes": _plain(model.classes_) if hasattr(model, "classes_") else None,
        "feature_names_in": None if names is None else [str(n) for n in names],
        "features": [{"name": f.name, "kind": f.kind, "bins": _bins_to_dict(f.bins),
                      "has_missing": bool(f.has_missing)} for f in features],
        "intercept": None if terms is None else _plain(model.intercept_),
        "terms": None if terms is None else [_term_to_dict(t, features) for t in terms],
        "edit_log": _plain(getattr(model, "edit_log_", [])),
        "family_state": _plain(model._family_state()),
    }


def model_from_dict(data):
    """The model of a dict written by `model_to_dict` (format version 1 or 2)."""
    if data.get("format") != FORMAT or data.get("version") not in (1, VERSION):
        raise ValueError(f"Not a {FORMAT} file of version 1 or {VERSION} (got format "
                         f"{data.get('format')!r}, version {data.get('version')!r}).")
    if data["version"] == 1:
        data = _from_version_1(data)
    model = model_class(data["estimator"])(**_params(data["params"]))
    model.features_ = [Feature(f["name"], f["kind"], _bins_from_dict(f["bins"]),
                               f["has_missing"]) for f in data["features"]]
    model.n_features_in_ = len(model.features_)
    if data["feature_names_in"] is not None:
        model.feature_names_in_ = np.asarray(data["feature_names_in"], dtype=object)
    if data["classes"] is not None:
        model.classes_ = np.asarray(data["classes"])
    if data["terms"] is not None:
        model.terms_ = [_term_from_dict(t, model.features_) for t in data["terms"]]
        intercept = data["intercept"]
        model.intercept_ = (float(intercept) if np.ndim(intercept) == 0
                            else np.asarray(intercept, dtype=float))
    model.edit_log_ = list(data["edit_log"])
    if data["provenance"] is not None:
        model.provenance_ = data["provenance"]
    model._restore_family_state(data["family_state"])
    if model_link(model) != data["link"]:
        raise ValueError(f"The file's link {data['link']!r} disagrees with the "
                         f"{data['estimator']} it describes (link {model_link(model)!r}).")
    if data["terms"] is not None:
        validate_model(model)
    return model


def _term_to_dict(term, features):
    """A term; a bins entry is null where the term uses its feature's own binning."""
    return {"name": term.name, "features": [int(f) for f in term.features],
            "bins": [None if bins is features[f].bins else _bins_to_dict(bins)
                     for f, bins in zip(term.features, term.bins)],
            "scores": _plain(term.scores), "stds": _plain(term.stds),
            "counts": _plain(term.counts), "weights": _plain(term.weights)}


def _term_from_dict(data, features):
    bins = tuple(_shared_bins(features[f], b) for f, b in zip(data["features"], data["bins"]))
    return Term(data["name"], tuple(data["features"]), bins,
                *(np.asarray(data[k], dtype=float) for k in ("scores", "stds", "counts",
                                                              "weights")))


def _shared_bins(feature, data):
    """A term's bins, as the very object of its feature when they are the same binning, so that
    prediction bins each column once for all terms that share it."""
    if data is None:
        return feature.bins
    bins = _bins_from_dict(data)
    return feature.bins if _bins_to_dict(feature.bins) == _bins_to_dict(bins) else bins


def _from_version_1(data):
    """A version-1 dict in the layout of version 2. Version 1 held the same features, terms and
    parameters, no link or provenance, and the family state under "state" (a boosted GAM's
    "bag_rounds" is now the attribute name "bag_rounds_")."""
    estimator = data["estimator"]
    classes = data.get("classes")
    if classes is not None:
        link = "logit" if len(classes) == 2 else "softmax"
    else:
        link = link_of(LOSSES[data["params"].get("loss", "squared_error")])
    state = data["state"]
    if "bag_rounds" in state:
        state = {"bag_rounds_": state["bag_rounds"]}
    return {**data, "version": VERSION, "link": link, "classes": classes,
            "provenance": {"library": "glassbox", "estimator": estimator, "format_version": 1},
            "terms": data["terms"] if data["intercept"] is not None else None,
            "edit_log": data.get("edit_log", []), "family_state": state}


def _bins_to_dict(bins):
    if bins.kind == "continuous":
        return {"kind": bins.kind, "edges": bins.edges.tolist()}
    data = {"kind": bins.kind, "categories": _plain(bins.categories)}
    if bins.groups is not None:
        data["groups"] = list(bins.groups)
    return data


def _bins_from_dict(data):
    if data["kind"] == "continuous":
        return Bins("continuous", edges=data["edges"])
    return Bins("categorical", categories=data["categories"], groups=data.get("groups"))


def _params(params):
    restored = dict(params)
    for key in ("interactions", "monotonic_cst", "categorical_features"):
        value = restored.get(key)
        if isinstance(value, list):
            restored[key] = [tuple(v) if isinstance(v, list) else v for v in value]
    return restored


def _plain(value):
    """JSON-ready Python values from numpy scalars and arrays."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value
