"""The JSON model format: a fitted model as data, never as a pickle.

The file holds the estimator's class and parameters, its features, its terms (bins, scores,
standard deviations, counts, weights) and intercept when it has them, its edit log, and what
else its family needs to predict (a monotonic network's layer layout, weights per seed and input
encoding): data only, nothing that runs. `load_model(save_model(m))` predicts exactly as `m`.
"""

import json

import numpy as np

from ._binning import Bins
from .gam import BoostedGAMClassifier, BoostedGAMRegressor
from .monotonic import MonotonicNetClassifier, MonotonicNetRegressor, _Encoder, _Network
from .terms import Feature, Term

FORMAT = "glassbox-model"
VERSION = 1
_ESTIMATORS = {cls.__name__: cls for cls in (BoostedGAMClassifier, BoostedGAMRegressor,
                                             MonotonicNetClassifier, MonotonicNetRegressor)}
_NETWORK_FIELDS = ("shapes", "mask", "modes", "mode_offsets", "activations", "unit_offsets")


def save_model(model, path):
    """Write a fitted model to `path` as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(model_to_dict(model), handle, indent=1)


def load_model(path):
    """Read a model written by `save_model`."""
    with open(path, encoding="utf-8") as handle:
        return model_from_dict(json.load(handle))


def model_to_dict(model):
    params = {k: _plain(v) for k, v in model.get_params().items() if k != "random_state"
              or isinstance(v, (int, type(None)))}
    data = {
        "format": FORMAT,
        "version": VERSION,
        "estimator": type(model).__name__,
        "params": params,
        "intercept": _plain(getattr(model, "intercept_", None)),
        "features": [{"name": f.name, "kind": f.kind, "bins": _bins_to_dict(f.bins),
                      "has_missing": f.has_missing} for f in model.features_],
        "terms": [{"name": t.name, "features": list(t.features),
                   "bins": [_bins_to_dict(b) for b in t.bins], "scores": _plain(t.scores),
                   "stds": _plain(t.stds), "counts": _plain(t.counts),
                   "weights": _plain(t.weights)} for t in getattr(model, "terms_", [])],
        "edit_log": _plain(getattr(model, "edit_log_", [])),
        "state": _family_state(model),
        "feature_names_in": (list(model.feature_names_in_)
                             if hasattr(model, "feature_names_in_") else None),
    }
    if hasattr(model, "classes_"):
        data["classes"] = _plain(model.classes_)
    return data


def model_from_dict(data):
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"Not a {FORMAT} file of version {VERSION}.")
    if data["estimator"] not in _ESTIMATORS:
        raise ValueError(f"Unknown estimator {data['estimator']!r}.")
    model = _ESTIMATORS[data["estimator"]](**_params(data["params"]))
    model.features_ = [Feature(f["name"], f["kind"], _bins_from_dict(f["bins"]),
                               f["has_missing"]) for f in data["features"]]
    if data["intercept"] is not None:
        model.terms_ = [Term(t["name"], tuple(t["features"]),
                             tuple(_shared_bins(model.features_, f, b)
                                   for f, b in zip(t["features"], t["bins"])),
                             np.asarray(t["scores"], dtype=float),
                             np.asarray(t["stds"], dtype=float),
                             np.asarray(t["counts"], dtype=float),
                             np.asarray(t["weights"], dtype=float)) for t in data["terms"]]
        intercept = data["intercept"]
        model.intercept_ = float(intercept) if np.ndim(intercept) == 0 else np.asarray(intercept)
    model.edit_log_ = list(data.get("edit_log", []))
    _restore_family_state(model, data["state"])
    model.n_features_in_ = len(model.features_)
    if data["feature_names_in"] is not None:
        model.feature_names_in_ = np.asarray(data["feature_names_in"], dtype=object)
    if "classes" in data:
        model.classes_ = np.asarray(data["classes"])
    return model


def _family_state(model):
    """What a model family needs beyond features and terms to predict."""
    if isinstance(model, (BoostedGAMClassifier, BoostedGAMRegressor)):
        return {"bag_rounds": _plain(model.bag_rounds_)}
    encoder = model.encoder_
    state = {
        "network": {name: _plain(getattr(model.network_, name)) for name in _NETWORK_FIELDS},
        "weights": [_plain(p) for p in model.params_],
        "n_iter": _plain(model.n_iter_),
        "encoder": {"kinds": list(encoder.kinds), "directions": _plain(encoder.directions),
                    "centres": _plain(encoder.centres), "scales": _plain(encoder.scales),
                    "knots": [None if k is None else _plain(k) for k in encoder.knots],
                    "missing": list(encoder.missing)},
    }
    if hasattr(model, "y_mean_"):
        state["target"] = {"mean": model.y_mean_, "scale": model.y_scale_}
    return state


def _restore_family_state(model, state):
    if isinstance(model, (BoostedGAMClassifier, BoostedGAMRegressor)):
        model.bag_rounds_ = np.asarray(state["bag_rounds"], dtype=np.int64)
        return
    network = state["network"]
    model.network_ = _Network(**{name: np.asarray(network[name],
                                                  dtype=float if name == "mask" else np.int64)
                                 for name in _NETWORK_FIELDS})
    model.params_ = [np.asarray(p, dtype=float) for p in state["weights"]]
    model.n_iter_ = np.asarray(state["n_iter"], dtype=np.int64)
    encoder = state["encoder"]
    model.encoder_ = _Encoder(encoder["kinds"], np.asarray(encoder["directions"], dtype=np.int64),
                              [f.bins for f in model.features_], encoder["centres"],
                              encoder["scales"],
                              [None if k is None else np.asarray(k) for k in encoder["knots"]],
                              encoder["missing"])
    model.encoder_._layout()
    if "target" in state:
        model.y_mean_ = state["target"]["mean"]
        model.y_scale_ = state["target"]["scale"]


def _bins_to_dict(bins):
    if bins.kind == "continuous":
        return {"kind": bins.kind, "edges": bins.edges.tolist()}
    return {"kind": bins.kind, "categories": _plain(bins.categories)}


def _bins_from_dict(data):
    if data["kind"] == "continuous":
        return Bins("continuous", edges=data["edges"])
    return Bins("categorical", categories=data["categories"])


def _shared_bins(features, index, data):
    """A term's bins, as the very object of its feature when they are the same binning, so that
    prediction bins each column once for all terms that share it."""
    bins = _bins_from_dict(data)
    if _bins_to_dict(features[index].bins) == _bins_to_dict(bins):
        return features[index].bins
    return bins


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
