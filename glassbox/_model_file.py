"""Reading a model file: its content checked, field by field, before it becomes a model.

A model file comes from outside and may be damaged, truncated or edited. `read_model` turns the
parsed JSON into a model only when it describes one exactly: plain JSON (finite numbers, bounded
nesting), the format and a version this glassbox reads, an intact hash (version 3), every field
present and of its type, bins and terms that fit their features and classes, a registered
estimator with valid parameters, and a family state whose parts fit together. Anything else is a
`ModelFileError` that names the field, e.g. `terms[3].scores: shape (12,) does not match its bins
(14,)`. Nothing in a file is executed, and no size is taken from a file without the data that
fills it: every array is written out in full, and the counts that are not (a categorical
feature's groups, a network's layer sizes) must agree with the arrays that are.
docs/model-format.md lists every rejection.
"""

import hashlib
import json
import math
import warnings
from itertools import accumulate

import numpy as np
from sklearn.base import is_classifier

from ._additive import model_class
from ._binning import Bins
from ._losses import CLASSIFIER_LINKS, LINKS, LOSSES, link_of
from ._netkernels import CONCAVE, IDENTITY, RELU, SATURATED
from ._tabular import outside_stacklevel
from .terms import Feature, Term, validate_model

FORMAT = "glassbox-model"
VERSION = 3

MAX_DEPTH = 64
"""Deepest nesting of lists and objects a file may hold (a model's own data needs 6 levels)."""

MAX_VALUE_BINS = 2**16 - 2
"""Most value bins of one binning: bin codes are 16-bit and include the missing and unseen bins."""

_FIELDS = ("format", "version", "estimator", "params", "provenance", "link", "classes",
           "feature_names_in", "features", "intercept", "terms", "edit_log", "family_state")
_KINDS = ("continuous", "categorical")
_TUPLE_PARAMS = ("interactions", "monotonic_cst", "categorical_features")
_SIZES_PARAMS = ("hidden_layer_sizes", "group_hidden_layer_sizes")  # tuples written as lists
_ADDED_PARAMS = {"smoothing_schedule": "greedy"}
"""Parameters added since version-3 files were first written, with the value that describes
how a model saved without them was fitted (the regressor's "auto" schedule came later)."""
_LARGEST = float(np.finfo(float).max)


class ModelFileError(ValueError):
    """A model file, or the dict of one, that does not describe a glassbox model this version
    can load. The message names the field at fault (`terms[3].scores: ...`)."""


def digest(data):
    """SHA-256 (hex) of the canonical JSON of `data` without its "sha256" field: the hash a
    version-3 file carries, independent of whitespace and key order."""
    content = {key: value for key, value in data.items() if key != "sha256"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_json(value):
    """Raise ModelFileError unless `value` is plain JSON: objects with string keys, lists,
    strings, finite numbers, booleans and null, nested at most MAX_DEPTH deep. (A number such as
    1e999 parses to infinity; an integer past the float range is no number a model holds.)"""
    stack = [(value, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    raise _error(_path(path), f"key {key!r} is not a string")
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        elif _scalar(value):
            continue
        else:
            raise _error(_path(path), _not_json(value))
        if len(path) >= MAX_DEPTH:
            raise _error(_path(path), f"nested more than {MAX_DEPTH} levels deep")
        for key, item in items:
            if isinstance(item, (dict, list)):
                stack.append((item, path + (key,)))
            elif not _scalar(item):
                raise _error(_path(path + (key,)), _not_json(item))


def read_model(data):
    """The model that the dict of a model file (format version 1, 2 or 3) describes, every field
    checked; raises ModelFileError naming the first field that is wrong."""
    fields = _current_layout(data)
    model = _estimator(fields["estimator"], fields["params"])
    model.features_ = _features(fields["features"])
    model.n_features_in_ = len(model.features_)
    _constrained_features(model)
    names = _feature_names(fields["feature_names_in"], len(model.features_))
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    classes = _classes(fields["classes"], model)
    if classes is not None:
        model.classes_ = np.asarray(classes)
    link = _one_of(fields["link"], "link", LINKS)
    if model.link_ != link:
        raise _error("link", f"{link!r} disagrees with the {type(model).__name__} it describes "
                             f"(link {_short(model.link_)})")
    if (link in CLASSIFIER_LINKS) != is_classifier(model):
        raise _error("link", f"{link!r} is a classifier's link; the {type(model).__name__} is "
                             "a regressor")
    if _has_terms(model, fields["terms"], fields["intercept"]):
        outputs = (len(classes),) if link == "softmax" else ()
        model.terms_ = [_term(t, f"terms[{i}]", model.features_, outputs)
                        for i, t in enumerate(_typed(fields["terms"], "terms", "a list"))]
        model.intercept_ = _intercept(fields["intercept"], outputs, link)
    model.edit_log_ = [_typed(entry, f"edit_log[{i}]", "an object")
                       for i, entry in enumerate(_typed(fields["edit_log"], "edit_log", "a list"))]
    if fields["provenance"] is not None:
        model.provenance_ = _typed(fields["provenance"], "provenance", "an object")
    _FAMILY_STATES[fields["estimator"]](model, fields["family_state"], "family_state")
    if hasattr(model, "terms_"):
        try:
            validate_model(model)
        except ValueError as error:
            raise ModelFileError(f"terms: {error}") from None
        _check_range(model)
    return model


# --------------------------------------------------------------------------------------------------
# the file: format, version, hash
# --------------------------------------------------------------------------------------------------

def _current_layout(data):
    """The fields of `data` in the current layout, once plain JSON, the format, a version this
    glassbox reads and (version 3) the hash are checked."""
    check_json(data)
    if not isinstance(data, dict):
        raise ModelFileError(f"not a model file: the JSON is {_describe(data)}, not an object")
    if data.get("format") != FORMAT:
        raise _error("format", f"not a {FORMAT} file (format {_short(data.get('format'))})")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _error("version", f"expected 1 to {VERSION}, got {_short(version)}")
    if version > VERSION:
        raise _error("version", f"{version} was written by a newer glassbox (this one reads "
                                f"versions 1 to {VERSION}); upgrade glassbox to load it")
    if version < VERSION:
        warnings.warn(f"This model file is of format version {version}, written before files "
                      "were sealed with a hash: its content is checked, but nothing shows that "
                      "it is unchanged since it was written. Save it again (save_model) to seal "
                      "it.", UserWarning, stacklevel=outside_stacklevel())
    if version == 1:
        return _from_version_1(data)
    if version == VERSION:
        if not isinstance(data.get("sha256"), str):
            raise _error("sha256", f"missing: a version-{VERSION} file carries the hash of its "
                                   "content")
        if data["sha256"] != digest(data):
            raise _error("sha256", "the file was modified after it was written (sha256 "
                                   "mismatch); a file edited on purpose is re-sealed with "
                                   "glassbox.io.seal (see docs/model-format.md)")
    return _fields(data, "", _FIELDS, ("sha256",) if version == VERSION else ())


def _from_version_1(data):
    """A version-1 dict in the current layout. Version 1 held the same estimator, parameters,
    features and terms; no link or provenance; terms [] and intercept null for a model without
    terms; the family state under "state" (the first files: "bag_rounds" at the top), where a
    boosted GAM's "bag_rounds" is now named after its attribute "bag_rounds_"."""
    fields = _fields(data, "", ("format", "version", "estimator", "params", "features", "terms",
                                "intercept", "feature_names_in"),
                     ("classes", "edit_log", "state", "bag_rounds"))
    classes = fields.get("classes")
    if classes is not None:
        link = "logit" if len(_typed(classes, "classes", "a list")) == 2 else "softmax"
    else:
        params = _typed(fields["params"], "params", "an object")
        link = link_of(_one_of(params.get("loss", "squared_error"), "params.loss", LOSSES))
    state = _typed(fields.get("state", {}), "state", "an object")
    if "bag_rounds" in fields:
        state = {"bag_rounds": fields["bag_rounds"]}
    return {**fields, "link": link, "classes": classes,
            "provenance": {"library": "glassbox", "estimator": fields["estimator"],
                           "format_version": 1},
            "terms": fields["terms"] if fields["intercept"] is not None else None,
            "edit_log": fields.get("edit_log", []),
            "family_state": {("bag_rounds_" if key == "bag_rounds" else key): value
                             for key, value in state.items()}}


# --------------------------------------------------------------------------------------------------
# the contract: estimator, features, classes, terms
# --------------------------------------------------------------------------------------------------

def _estimator(name, params):
    """An estimator of a registered family with the file's parameters, which must be its own
    and pass its scikit-learn parameter validation."""
    cls = model_class(_one_of(name, "estimator", tuple(_FAMILY_STATES)))
    params = dict(_typed(params, "params", "an object"))
    known = cls().get_params()
    params = {**{k: v for k, v in _ADDED_PARAMS.items() if k in known}, **params}
    for key, value in params.items():
        if key not in known:
            raise _error(f"params.{key}", f"not a parameter of {cls.__name__}")
        if key in _TUPLE_PARAMS and isinstance(value, list):
            params[key] = [tuple(v) if isinstance(v, list) else v for v in value]
        if key in _SIZES_PARAMS and isinstance(value, list):
            params[key] = tuple(value)
    model = cls(**params)
    try:
        model._validate_params()
    except ValueError as error:
        raise _error("params", str(error)) from None
    return model


def _constrained_features(model):
    """`params.monotonic_cst` names features of the file (a dict's keys: names, or positions,
    which JSON writes as text and which become numbers again) or has one entry per feature."""
    constraints = model.get_params().get("monotonic_cst")
    if constraints is None:
        return
    names = [feature.name for feature in model.features_]
    if not isinstance(constraints, dict):
        if len(constraints) != len(names):
            raise _error("params.monotonic_cst", f"{len(constraints)} entries for {len(names)} "
                                                 "features")
        return
    restored = {}
    for key, direction in constraints.items():
        text = str(key)
        position = text.lstrip("-").isdigit() and -len(names) <= int(text) < len(names)
        if key not in names and not position:
            raise _error("params.monotonic_cst", f"{key!r} is not a feature of the model "
                                                 f"({', '.join(map(repr, names))})")
        restored[key if key in names else int(text)] = direction
    model.set_params(monotonic_cst=restored)


def _features(value):
    features = _typed(value, "features", "a list")
    if not features:
        raise _error("features", "empty: a model reads at least one feature")
    return [_feature(f, f"features[{j}]") for j, f in enumerate(features)]


def _feature(value, path):
    fields = _fields(value, path, ("name", "kind", "bins", "has_missing"))
    kind = _one_of(fields["kind"], f"{path}.kind", _KINDS)
    bins = _bins(fields["bins"], f"{path}.bins")
    if bins.kind != kind:
        raise _error(f"{path}.bins", f"{bins.kind} bins for a {kind} feature")
    return Feature(_typed(fields["name"], f"{path}.name", "a string"), kind, bins,
                   _typed(fields["has_missing"], f"{path}.has_missing", "true or false"))


def _bins(value, path):
    """Bins of finite, strictly increasing edges, or of distinct categories whose groups (if
    any) number the value bins 1..k."""
    kind = _one_of(_typed(value, path, "an object").get("kind"), f"{path}.kind", _KINDS)
    if kind == "continuous":
        edges = _array(_fields(value, path, ("kind", "edges"))["edges"], f"{path}.edges",
                       (None,), "a list of numbers")
        if len(edges) >= MAX_VALUE_BINS:
            raise _error(f"{path}.edges", f"{len(edges)} edges; 16-bit bin codes allow at most "
                                          f"{MAX_VALUE_BINS - 1}")
        if not (np.diff(edges) > 0).all():
            raise _error(f"{path}.edges", "not strictly increasing")
        return Bins("continuous", edges=edges)
    fields = _fields(value, path, ("kind", "categories"), ("groups",))
    categories = _typed(fields["categories"], f"{path}.categories", "a list")
    for i, category in enumerate(categories):
        _typed(category, f"{path}.categories[{i}]", "a string, number or boolean")
    if len(categories) > MAX_VALUE_BINS:
        raise _error(f"{path}.categories", f"{len(categories)} categories; 16-bit bin codes "
                                           f"allow at most {MAX_VALUE_BINS}")
    _distinct(categories, f"{path}.categories")
    groups = fields.get("groups")
    if groups is not None:
        groups = _array(groups, f"{path}.groups", (len(categories),), "its categories",
                        integer=True)
        if set(groups.tolist()) != set(range(1, len(set(groups.tolist())) + 1)):
            raise _error(f"{path}.groups", "must number the value bins 1, 2, ..., k, each "
                                           "holding a category")
        groups = groups.tolist()
    return Bins("categorical", categories=categories, groups=groups)


def _same_bins(a, b):
    if a.kind == "continuous":
        return b.kind == "continuous" and np.array_equal(a.edges, b.edges)
    return b.kind == "categorical" and (a.categories, a.groups) == (b.categories, b.groups)


def _feature_names(value, n_features):
    if value is None:
        return None
    names = _typed(value, "feature_names_in", "a list")
    if len(names) != n_features:
        raise _error("feature_names_in", f"{len(names)} names for {n_features} features")
    for i, name in enumerate(names):
        _typed(name, f"feature_names_in[{i}]", "a string")
    _distinct(names, "feature_names_in")
    return names


def _classes(value, model):
    """A classifier's labels: at least two, distinct, all strings, all numbers or all booleans;
    null for a regressor."""
    if not is_classifier(model):
        if value is not None:
            raise _error("classes", f"given, but the {type(model).__name__} is a regressor "
                                    "(null)")
        return None
    classes = _typed(value, "classes", "a list")
    if len(classes) < 2:
        raise _error("classes", f"{len(classes)} class(es); a classifier has at least 2")
    for i, label in enumerate(classes):
        _typed(label, f"classes[{i}]", "a string, number or boolean")
    if len({_describe(label) for label in classes}) > 1:
        raise _error("classes", "labels of mixed types (all strings, all numbers or all "
                                "booleans)")
    _distinct(classes, "classes")
    return classes


def _has_terms(model, terms, intercept):
    """Whether the file gives the model terms, which it must exactly when the model is additive
    (every family but a network fitted with `additive=False`)."""
    additive = model.get_params().get("additive", True)
    for name, value in (("terms", terms), ("intercept", intercept)):
        if (value is not None) != additive:
            needed = "needs" if additive else "has no"
            raise _error(name, f"{'null' if value is None else 'given'}, but the "
                               f"{type(model).__name__} (with these parameters) {needed} {name}")
    return additive


def _term(value, path, features, outputs):
    fields = _fields(value, path, ("name", "features", "bins", "scores", "stds", "counts",
                                   "weights"))
    indices = _typed(fields["features"], f"{path}.features", "a list")
    if len(indices) not in (1, 2):
        raise _error(f"{path}.features", f"{len(indices)} features; a term reads 1 or 2")
    for i, index in enumerate(indices):
        _integer(index, f"{path}.features[{i}]", 0, len(features) - 1)
    if len(set(indices)) != len(indices):
        raise _error(f"{path}.features", f"feature {indices[0]} twice")
    written = _typed(fields["bins"], f"{path}.bins", "a list")
    if len(written) != len(indices):
        raise _error(f"{path}.bins", f"{len(written)} entries for {len(indices)} features")
    bins = tuple(_term_bins(b, f"{path}.bins[{i}]", features[f])
                 for i, (f, b) in enumerate(zip(indices, written)))
    shape = tuple(b.n_bins for b in bins)
    what = "its bins and classes" if outputs else "its bins"
    return Term(_typed(fields["name"], f"{path}.name", "a string"), tuple(indices), bins,
                _array(fields["scores"], f"{path}.scores", shape + outputs, what),
                _array(fields["stds"], f"{path}.stds", shape + outputs, what, nonnegative=True),
                _array(fields["counts"], f"{path}.counts", shape, "its bins", nonnegative=True),
                _array(fields["weights"], f"{path}.weights", shape, "its bins", nonnegative=True))


def _term_bins(value, path, feature):
    """A term's bins on one of its features: the feature's own object (null, or the same
    binning written out, so prediction bins the column once for all terms that share it), or a
    coarsening of them."""
    if value is None:
        return feature.bins
    bins = _bins(value, path)
    if _same_bins(bins, feature.bins):
        return feature.bins
    if bins.kind != feature.kind or bins.lookup_from(feature.bins) is None:
        raise _error(path, f"neither the bins of feature {_short(feature.name)} nor a "
                           "coarsening of them (every cut one of the feature's, the same "
                           "categories)")
    return bins


def _intercept(value, outputs, link):
    what = f"link {link!r}" + (" and its classes" if outputs else "")
    intercept = _array(value, "intercept", outputs, what)
    return intercept if outputs else float(intercept)


def _check_range(model):
    """Reject scores so large that a raw score, or the prediction of a "log" link, overflows."""
    with np.errstate(over="ignore"):
        largest = (np.abs(model.intercept_).max()
                   + sum(np.abs(term.scores).max() for term in model.terms_))
    limit = np.log(_LARGEST) if model.link_ == "log" else _LARGEST
    if not largest < limit:
        raise _error("terms", f"scores so large that predictions overflow (raw scores up to "
                              f"{largest:.4g}; the {model.link_!r} link allows {limit:.4g})")


# --------------------------------------------------------------------------------------------------
# family states: checked, then restored by the family
# --------------------------------------------------------------------------------------------------

def _no_state(model, state, path):
    model._restore_family_state(_fields(state, path, ()))


def _gam_state(model, state, path):
    """A boosted GAM's rounds kept per bag, (main, pair) each (not needed to predict)."""
    if "bag_rounds_" in _fields(state, path, (), ("bag_rounds_",)):
        _array(state["bag_rounds_"], f"{path}.bag_rounds_", (None, 2),
               "(main, pair) rounds per bag", integer=True, nonnegative=True)
    model._restore_family_state(state)


def _network_state(model, state, path):
    """A monotonic network: layers that chain, weights that fill them (one vector per seed), an
    encoding per feature whose inputs are the first layer's, and a regressor's target scale."""
    regressor = not is_classifier(model)
    fields = _fields(state, path, ("network", "weights", "n_iter", "encoder")
                     + (("target",) if regressor else ()))
    classes = getattr(model, "classes_", ())
    n_params = _layers(fields["network"], f"{path}.network", len(classes) if len(classes) > 2
                       else 1)
    weights = _typed(fields["weights"], f"{path}.weights", "a list")
    if not weights:
        raise _error(f"{path}.weights", "empty: a network has the weights of at least one seed")
    for s, vector in enumerate(weights):
        _array(vector, f"{path}.weights[{s}]", (n_params,), "the network's parameters")
    _array(fields["n_iter"], f"{path}.n_iter", (len(weights),), "its seeds", integer=True,
           nonnegative=True)
    _encoder(fields["encoder"], f"{path}.encoder", model.features_)
    if regressor:
        target = _fields(fields["target"], f"{path}.target", ("mean", "scale"))
        _typed(target["mean"], f"{path}.target.mean", "a number")
        if _typed(target["scale"], f"{path}.target.scale", "a number") == 0:
            raise _error(f"{path}.target.scale", "zero")
    encoded = model._encoder_from_state(fields["encoder"]).modes
    first = np.asarray(fields["network"]["modes"])[:fields["network"]["shapes"][0][0]]
    if not np.array_equal(first, encoded):
        raise _error(f"{path}.network", f"the first layer reads {len(first)} inputs, which are "
                                        f"not the encoder's {len(encoded)} (its width and "
                                        "monotone columns)")
    model._restore_family_state(state)


def _layers(value, path, n_outputs):
    """Check a network's layout (see `_netkernels`); the number of its parameters."""
    fields = _fields(value, path, ("shapes", "mask", "modes", "mode_offsets", "activations",
                                   "unit_offsets"))
    shapes = _array(fields["shapes"], f"{path}.shapes", (None, 3), "(inputs, units, offset) "
                    "per layer", integer=True, nonnegative=True).tolist()
    if not shapes:
        raise _error(f"{path}.shapes", "empty: a network has at least one layer")
    n_in, n_out, offsets = (list(column) for column in zip(*shapes))
    sizes = [i * o + o for i, o in zip(n_in, n_out)]
    if min(n_out) < 1 or n_in[1:] != n_out[:-1] or n_out[-1] != n_outputs:
        raise _error(f"{path}.shapes", f"layers of (inputs, units) {list(zip(n_in, n_out))} do "
                                       "not chain (each layer's inputs the previous layer's "
                                       f"units) to the model's {n_outputs} output(s)")
    if offsets != _starts(sizes)[:-1]:
        raise _error(f"{path}.shapes", "offsets do not lay the layers' parameters out back to "
                                       "back")
    for name, counts, what, allowed in (
            ("mask", sizes, "parameters", (0, 1)), ("modes", n_in, "inputs", (0, 1)),
            ("activations", n_out, "units", (IDENTITY, RELU, CONCAVE, SATURATED))):
        values = _array(fields[name], f"{path}.{name}", (sum(counts),), f"the layers' {what}",
                        integer=name != "mask")
        if not np.isin(values, allowed).all():
            raise _error(f"{path}.{name}", f"values other than {allowed}")
    for name, starts in (("mode_offsets", _starts(n_in)[:-1]), ("unit_offsets", _starts(n_out))):
        if _array(fields[name], f"{path}.{name}", (len(starts),), "the layers",
                  integer=True).tolist() != starts:
            raise _error(f"{path}.{name}", f"expected {starts} from the shapes")
    return sum(sizes)


def _starts(sizes):
    """Where each of consecutive blocks of `sizes` starts, and (last) where they end."""
    return list(accumulate(sizes, initial=0))


def _encoder(value, path, features):
    """The per-feature input encoding of a network: the features' kinds, directions in
    {-1, 0, 1}, (median, mean) centres, non-zero scales and strictly increasing knots for a
    continuous feature (null for a categorical one), and missing-indicator flags."""
    names = ("kinds", "directions", "centres", "scales", "knots", "missing")
    fields = _fields(value, path, names)
    for name in names:
        if len(_typed(fields[name], f"{path}.{name}", "a list")) != len(features):
            raise _error(f"{path}.{name}", f"{len(fields[name])} entries for {len(features)} "
                                           "features")
    for j, feature in enumerate(features):
        entry = {name: (fields[name][j], f"{path}.{name}[{j}]") for name in names}
        if entry["kinds"][0] != feature.kind:
            raise _error(entry["kinds"][1], f"{_short(entry['kinds'][0])} for a "
                                            f"{feature.kind} feature")
        _integer(*entry["directions"], -1, 1)
        _typed(*entry["missing"], "true or false")
        if feature.kind == "categorical":
            for name in ("centres", "scales", "knots"):
                if entry[name][0] is not None:
                    raise _error(entry[name][1], "must be null for a categorical feature")
            continue
        _array(*entry["centres"], (2,), "(median, mean)")
        if _typed(*entry["scales"], "a number") == 0:
            raise _error(entry["scales"][1], "zero")
        if entry["knots"][0] is not None:
            knots = _array(*entry["knots"], (None,), "a list of numbers")
            if not (np.diff(knots) > 0).all():
                raise _error(entry["knots"][1], "not strictly increasing")


_FAMILY_STATES = {
    "AdditiveClassifier": _no_state, "AdditiveRegressor": _no_state,
    "BoostedGAMClassifier": _gam_state, "BoostedGAMRegressor": _gam_state,
    "DaskBoostedGAMClassifier": _gam_state, "DaskBoostedGAMRegressor": _gam_state,
    "MonotonicNetClassifier": _network_state, "MonotonicNetRegressor": _network_state,
}
"""The estimators a file may name (a fixed list: nothing else is ever instantiated), each with
the check of its family state."""


# --------------------------------------------------------------------------------------------------
# the schema helpers
# --------------------------------------------------------------------------------------------------

_TYPES = {
    "an object": lambda v: isinstance(v, dict),
    "a list": lambda v: isinstance(v, list),
    "a string": lambda v: isinstance(v, str),
    "true or false": lambda v: isinstance(v, bool),
    "an integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "a number": lambda v: _is_number(v),
    "a string, number or boolean": lambda v: isinstance(v, (str, int, float)),
}


def _typed(value, path, expected):
    """`value`, if it is of the `expected` type (a key of _TYPES)."""
    if not _TYPES[expected](value):
        raise _error(path, f"expected {expected}, got {_describe(value)}")
    return value


def _fields(value, path, required, optional=()):
    """`value` as an object with every `required` field, perhaps `optional` ones, no other."""
    _typed(value, path, "an object")
    for name in required:
        if name not in value:
            raise _error(path, f"missing field {name!r}")
    for name in value:
        if name not in required and name not in optional:
            raise _error(path, f"unknown field {_short(name)}")
    return value


def _one_of(value, path, options):
    if not isinstance(value, str) or value not in options:
        raise _error(path, f"expected one of {sorted(options)}, got {_short(value)}")
    return value


def _integer(value, path, low, high):
    _typed(value, path, "an integer")
    if not low <= value <= high:
        raise _error(path, f"{_short(value)} is out of range [{low}, {high}]")
    return value


def _distinct(values, path):
    """Raise unless `values` are distinct (as dict keys: 1, 1.0 and true are the same)."""
    seen = {}
    for i, value in enumerate(values):
        if value in seen:
            raise _error(f"{path}[{i}]", f"{_short(value)} repeats {path}[{seen[value]}]")
        seen[value] = i


def _array(value, path, shape, what, *, integer=False, nonnegative=False):
    """Nested lists of numbers (of integers) with exactly `shape` (None: any length), which
    `what` dictates, as a float (int64) array."""
    actual, entries = _regular(value, path)
    if len(actual) != len(shape) or any(e is not None and e != a for a, e in zip(actual, shape)):
        expected = ", ".join("n" if e is None else str(e) for e in shape)
        raise _error(path, f"shape {actual} does not match {what} "
                           f"({expected}{',' if len(shape) == 1 else ''})")
    valid, kind = (_is_int64, "an integer") if integer else (_is_number, "a number")
    for entry in entries:
        if not valid(entry):
            raise _error(path, f"holds {_describe(entry)} where {kind} belongs")
    array = np.array(entries, dtype=np.int64 if integer else float).reshape(actual)
    if nonnegative and (array < 0).any():
        raise _error(path, "negative values")
    return array


def _regular(value, path):
    """(shape, entries in order) of nested lists whose lists at each depth have one length."""
    shape, level = [], [value]
    while level and all(isinstance(v, list) for v in level):
        lengths = {len(v) for v in level}
        if len(lengths) > 1:
            raise _error(path, f"not a rectangular array (lists of lengths {sorted(lengths)} at "
                               f"depth {len(shape)})")
        shape.append(lengths.pop())
        level = [entry for v in level for entry in v]
    return tuple(shape), level


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int64(value):
    return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63


def _scalar(value):
    """A JSON scalar a model file can hold: null, boolean, string or finite number."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -_LARGEST <= value <= _LARGEST
    return value is None or isinstance(value, (str, bool))


def _short(value):
    """The repr of a value from a file, cut short for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _not_json(value):
    if isinstance(value, (int, float)):
        return f"{_short(value)} is not a finite number"
    kind = type(value)
    if kind.__module__ == "builtins":
        return f"a {kind.__name__} is not a JSON value"
    return (f"a {kind.__module__}.{kind.__name__} is not a JSON value (give Python values: "
            "bool, int, float, str, list, dict)")


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value),
                                                                    type(value).__name__)


def _path(parts):
    """`terms[3].scores` from ("terms", 3, "scores")."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _error(path, message):
    return ModelFileError(f"{path}: {message}" if path else message)
