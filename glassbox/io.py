"""The JSON model format: a fitted model as data, never as a pickle.

A file holds the contract every glassbox model exposes (see `glassbox.terms`): the estimator and
its parameters, provenance, link, classes, features, terms (bins, scores, standard deviations,
counts, weights), intercept and edit log, plus what the model's family needs beyond that to
predict (`_family_state`: a monotonic network's layers, weights and input encoding), sealed with
the SHA-256 of its content. Data only, nothing that runs; `load_model(save_model(m))` predicts
exactly as `m`. Loading trusts nothing in the file: any content that is not a valid model is a
`ModelFileError` naming the field (`glassbox._model_file`). Files of versions 1 and 2 still load.
docs/model-format.md documents every field and every rejection.
"""

import json
import os

import numpy as np
import pandas as pd

from ._model_file import FORMAT, VERSION, ModelFileError, check_json, digest, read_model
from ._tabular import plain_value
from .terms import model_link

__all__ = ["FORMAT", "MAX_BYTES", "VERSION", "ModelFileError", "load_model", "model_from_dict",
           "model_to_dict", "save_model", "seal"]

MAX_BYTES = 200_000_000
"""Largest file `load_model` reads unless told otherwise (checked before reading): well above
the size of the models glassbox fits, small enough that a stray file cannot exhaust memory."""


def save_model(model, path):
    """Write a fitted model to `path` as JSON (format version 3, sealed with its hash). A model
    holding a number that is not finite (a diverged network) is a ModelFileError naming it."""
    text = json.dumps(model_to_dict(model), indent=1)  # before the file is opened (emptied)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def load_model(path, *, max_bytes=MAX_BYTES):
    """Read a model file of format version 1, 2 or 3.

    A file larger than `max_bytes` (None: no limit) is refused before it is read. Any content
    that is not a valid model raises `ModelFileError`, whose message names the file and the
    field; a file that cannot be opened raises the usual `OSError`.
    """
    with open(path, "rb") as handle:
        try:
            return model_from_dict(_parse(_read(handle, max_bytes)))
        except ModelFileError as error:
            raise ModelFileError(f"{path}: {error}") from None


def model_to_dict(model):
    """The JSON-ready dict of a fitted glassbox model, sealed (see `seal`)."""
    if not hasattr(model, "features_") or not hasattr(model, "provenance_"):
        step = (" (a Pipeline: save its fitted glassbox step, e.g. pipeline[-1], and rebuild "
                "the steps before it in code)" if hasattr(model, "steps") else
                " (a fairness strategy: save the glass-box model inside, its estimator_; "
                "docs/fairness.md, 'Saving and reusing what a strategy fitted', says what each "
                "one is)" if hasattr(model, "estimator_") else "")
        raise TypeError(f"A model file holds a fitted glassbox model; got an unfitted or other "
                        f"{type(model).__name__}{step}.")
    params = {k: _plain(v) for k, v in model.get_params().items() if k != "random_state"
              or isinstance(v, (int, np.integer, type(None))) and not isinstance(v, bool)}
    features = model.features_
    terms = getattr(model, "terms_", None)
    names = getattr(model, "feature_names_in_", None)
    return seal({
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
    })


def model_from_dict(data):
    """The model of the dict of a model file (format version 1, 2 or 3, as `json.load` returns
    it), every field checked; raises `ModelFileError` naming the first field that is wrong."""
    return read_model(data)


def seal(data):
    """The dict of a version-3 model file with its "sha256" set to the hash of the rest.

    Loading refuses a file whose content no longer matches its hash; after an edit made on
    purpose (a term's scores changed by hand, say), seal the edited dict and write it out
    again. Sealing checks only that `data` is plain JSON: loading checks the content.
    """
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ModelFileError(f"seal takes the dict of a version-{VERSION} model file (an older "
                             "file is upgraded by loading and saving it).")
    content = {key: value for key, value in data.items() if key != "sha256"}
    check_json(content)
    return {**content, "sha256": digest(content)}


def _read(handle, max_bytes):
    """The bytes of an open file, refused before reading when larger than `max_bytes` (and
    never more than that read, should the file grow or be no regular file)."""
    if max_bytes is None:
        return handle.read()
    size = os.fstat(handle.fileno()).st_size
    raw = handle.read(max_bytes + 1) if size <= max_bytes else b""
    if max(size, len(raw)) > max_bytes:
        raise ModelFileError(f"larger than max_bytes={max_bytes:,} ({max(size, len(raw)):,} "
                             "bytes or more); pass a larger max_bytes to load a model this large")
    return raw


def _parse(raw):
    """The JSON value of a file's bytes: strict JSON in UTF-8 (after a byte-order mark, which
    some editors write), without NaN or Infinity and without an object that repeats a key."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ModelFileError(f"not UTF-8 text (byte {error.start} does not decode)") from None
    try:
        return json.loads(text, parse_constant=_non_finite, object_pairs_hook=_unique_keys)
    except ModelFileError:
        raise
    except json.JSONDecodeError as error:
        ends = (error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"))
        raise ModelFileError(f"not valid JSON: {error.msg} at line {error.lineno} column "
                             f"{error.colno}{' (the text ends early: truncated?)' * ends}"
                             ) from None
    except RecursionError:
        raise ModelFileError("not a model file: JSON nested too deeply to read") from None
    except ValueError as error:  # an integer of more digits than Python converts
        raise ModelFileError(f"not valid JSON: {error}") from None


def _non_finite(token):
    raise ModelFileError(f"not valid JSON: {token} is no JSON number (model files hold only "
                         "finite numbers)")


def _unique_keys(pairs):
    data = dict(pairs)
    if len(data) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise ModelFileError(f"not a model file: the key {repeated!r} appears twice in one "
                             "object")
    return data


def _term_to_dict(term, features):
    """A term; a bins entry is null where the term uses its feature's own binning."""
    return {"name": term.name, "features": [int(f) for f in term.features],
            "bins": [None if bins is features[f].bins else _bins_to_dict(bins)
                     for f, bins in zip(term.features, term.bins)],
            "scores": _plain(term.scores), "stds": _plain(term.stds),
            "counts": _plain(term.counts), "weights": _plain(term.weights)}


def _bins_to_dict(bins):
    if bins.kind == "continuous":
        return {"kind": bins.kind, "edges": bins.edges.tolist()}
    data = {"kind": bins.kind, "categories": _plain(bins.categories)}
    if bins.groups is not None:
        data["groups"] = list(bins.groups)
    return data


def listed(values):
    """Values as a file shows them, for messages: 0 and 'No', not np.int64(0) and
    np.str_('No')."""
    return ", ".join(map(repr, _plain(list(values))))


def check_classes(y, classes, name, error=ValueError):
    """An `error` naming the values of `y` that are not among a model's `classes` (0/1 given
    to a model of "alive"/"dead", or a misspelt label)."""
    unknown = sorted(set(pd.unique(np.asarray(y, dtype=object))) - set(classes), key=str)
    if unknown:
        raise error(f"{name} holds {listed(unknown[:5])}{', ...' if len(unknown) > 5 else ''}, "
                    f"which are not classes of the model ({listed(classes)}).")


def _plain(value):
    """JSON-ready Python values from numpy scalars and arrays."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return plain_value(value)
