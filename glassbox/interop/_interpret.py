"""interpret's Explainable Boosting Machines to glassbox models and back.

An EBM is already an intercept plus terms on a link scale, and its bins are laid out as
glassbox's are: bin 0 holds missing values, 1..k the values (a value equal to a cut goes to the
bin above it in both libraries), the last bin unseen categories. Each feature has one binning for
main effects (`bins_[f][0]`) and possibly a coarser one for pairs (`bins_[f][1]`), whose cuts
need not be among the main cuts. glassbox needs every term's bins to nest in its feature's bins
and a pair's bins to nest in the main effect's (purification moves a pair's marginal into the
main effect), so an imported feature's bins hold both sets of cuts and its main effect is spread
onto them.

interpret reads categories as text (the number 1 and the text "1" are both the category "1"); an
imported categorical feature therefore lists both the text and the number for a category that
reads as a number, in one bin.

A feature no term reads and interpret kept no bins for (interpret's `exclude=`) is left out of
the imported model, which reads DataFrames by name and so ignores that column, as interpret does.

`to_interpret` leaves the glassbox model's provenance and edit log on the EBM it writes
(`glassbox_provenance_`, `glassbox_edit_log_`, `glassbox_by_position_`, whether the model was
fitted on an array, and `glassbox_state_`, a digest of the state it wrote); `from_interpret`
restores them while the EBM's state still matches the digest.
"""

import copy
import hashlib
import json
import warnings

import numpy as np

from .._binning import Bins
from .._losses import CLASSIFIER_LINKS
from .._model_file import _same_bins
from .._tabular import outside_stacklevel
from ..terms import Feature, Term, model_link, require_terms
from ._common import check_version, imported_model, is_estimator, json_ready

SUPPORTED_VERSIONS = ((0, 6), (0, 7))
"""The interpret versions (major, minor) whose fitted state is read and written here."""

_ESTIMATORS = ("ExplainableBoostingClassifier", "ExplainableBoostingRegressor")
_LINKS = {"logit": "logit", "mlogit": "softmax", "identity": "identity", "log": "log"}
_KINDS = {"continuous": "continuous", "nominal": "categorical", "ordinal": "categorical"}
_OBJECTIVES = {"identity": "rmse", "log": "poisson_deviance"}


def from_interpret(ebm):
    """A glassbox model that predicts exactly as a fitted interpret EBM.

    Parameters
    ----------
    ebm : fitted interpret ExplainableBoostingClassifier (binary or multiclass) or
        ExplainableBoostingRegressor (identity or log link), of interpret 0.6 or 0.7

    Returns
    -------
    AdditiveClassifier or AdditiveRegressor
        Made by `glassbox.build_model`: the EBM's intercept and terms (mains and pairs), scores
        in the same bins, so `predict_proba` / `predict` / `decision_function` equal the EBM's
        on any input, missing values and unseen categories included. `stds` are interpret's
        `standard_deviations_` (the spread over outer bags), `weights` and `counts` its
        `bin_weights_`. The provenance names interpret, its version, the estimator, its
        parameters and monotone constraints (only for an EBM interpret fitted), and the import
        date; the edit log opens with an "import" entry. An EBM written by `to_interpret`
        (and unchanged since) instead gives back the provenance and edit log of the glassbox
        model it was written from, the edit log continued by the "import" entry. A feature no
        term reads and interpret kept no bins for (`exclude=`) is left out: the model reads
        DataFrames by name, so it predicts as the EBM on the full DataFrame; an array must
        leave that column out. An EBM fitted on an array (interpret names its features
        feature_0000, feature_0001, ...) gives a model that reads arrays and frames by
        position, as one fitted on an array does, its features keeping those names.
    """
    if not is_estimator(ebm, "interpret", _ESTIMATORS):
        raise TypeError("from_interpret takes an interpret ExplainableBoostingClassifier or "
                        f"ExplainableBoostingRegressor, got {type(ebm).__name__}.")
    if not getattr(ebm, "has_fitted_", False):
        raise ValueError(f"ebm: this {type(ebm).__name__} is not fitted; fit it before "
                         "importing it.")
    import interpret
    check_version("interpret", interpret.__version__, SUPPORTED_VERSIONS)
    if ebm.link_ not in _LINKS:
        raise ValueError(f"ebm: link {ebm.link_!r} is not supported; glassbox models add up on "
                         f"the links {sorted(_LINKS)}.")
    link = _LINKS[ebm.link_]
    for name, features in zip(ebm.term_names_, ebm.term_features_):
        if len(features) > 2:
            raise ValueError(f"ebm: term {name!r} reads {len(features)} features; glassbox terms "
                             "read one or two.")
    terms = [_imported_term(ebm, i) for i in range(len(ebm.term_features_))]
    read = {f for t in terms for f in t.features}
    kept = [j for j in range(len(ebm.feature_names_in_)) if j in read or len(ebm.bins_[j])]
    left_out = [str(ebm.feature_names_in_[j]) for j in range(len(ebm.feature_names_in_))
                if j not in kept]
    features, spread = [], []
    for j in kept:
        feature, levels, spread_main = _imported_feature(ebm, j, terms)
        features.append(feature)
        for term in terms:
            term.bins = tuple(levels[_level(term)] if f == j else b
                              for f, b in zip(term.features, term.bins))
        if spread_main:
            spread.append(feature.name)
            _spread_main(terms, j, feature.bins)
    position = {j: k for k, j in enumerate(kept)}
    for term in terms:
        term.features = tuple(position[f] for f in term.features)
    intercept = np.asarray(ebm.intercept_, dtype=float)
    intercept = intercept if link == "softmax" else float(intercept.ravel()[0])
    history = _carried_history(ebm)
    source = {"library": "interpret", "version": interpret.__version__,
              "estimator": type(ebm).__name__}
    details = {"terms": len(terms), "mains_spread_over_pair_cuts": spread}
    if left_out:
        details["features_without_terms"] = left_out
    if history is not None:
        details["history"] = ("provenance and edit log of the glassbox model that "
                              "glassbox.interop.to_interpret wrote, restored")
    else:
        if hasattr(ebm, "bagged_scores_"):  # fitted by interpret: its parameters trained it
            source["params"] = json_ready(ebm.get_params())
            constraints = ebm.monotone_constraints
            source["monotone_constraints"] = {
                name: int(d) for name, d in zip(ebm.feature_names_in_, constraints or ()) if d}
        else:
            source["trained"] = ("not by interpret (the EBM has no bagged_scores_): its "
                                 "parameters did not train it and are not recorded")
        if left_out:
            source["features_without_terms"] = left_out
    names = [str(ebm.feature_names_in_[j]) for j in kept]
    return imported_model(features, terms, intercept, link=link,
                          classes=getattr(ebm, "classes_", None),
                          feature_names_in=None if _by_position(ebm, names, history) else names,
                          source=source, details=details, history=history)


def _by_position(ebm, names, history):
    """Whether the imported model reads columns by position rather than by name: as the
    glassbox model `to_interpret` wrote the EBM from did (while its history is restored), or
    when the EBM was fitted on an array, its feature names being the ones interpret makes up
    (feature_0000, feature_0001, ...) — a model asking for those would refuse every frame."""
    if history is not None and hasattr(ebm, "glassbox_by_position_"):
        return bool(ebm.glassbox_by_position_)
    return names == [f"feature_{j:04d}" for j in range(len(ebm.feature_names_in_))]


def to_interpret(model):
    """An interpret EBM that predicts exactly as a glassbox model made of terms.

    For any glassbox model made of terms: a fitted BoostedGAM, an edited or cleaned model, one
    built with `build_model` or imported. The EBM
    carries the bins, scores, standard deviations and bin weights, so `predict`,
    `predict_proba`, `eval_terms`, `term_importances` and `explain_global` work (interpret's
    dashboard shows it); it holds no training data, and the plots' axis ranges come from the
    bins rather than the data. Its parameters are interpret's defaults, which did not train it:
    calling its `fit` trains a new EBM from scratch with them, discarding the exported terms.
    Categories are matched as interpret matches them, as text: a category 1.0 is interpret's
    "1", which the number 1, the text "1" and True all match.

    The EBM also carries the glassbox model's provenance (`glassbox_provenance_`, with the
    estimator's parameters for a fitted glassbox estimator) and edit log
    (`glassbox_edit_log_`), whether it reads columns by position (`glassbox_by_position_`),
    and `glassbox_state_`, a digest of the state written; while the
    EBM's state matches it, `from_interpret(to_interpret(model))` restores them, predicting
    exactly as `model`.

    Needs interpret 0.6 or 0.7, and one binning per feature for its main effects and one for its
    pairs (as every glassbox estimator fits them).
    """
    if not any(cls.__module__.split(".")[0] == "glassbox" for cls in type(model).__mro__):
        raise TypeError("to_interpret takes a glassbox model made of terms (an additive model: "
                        "a fitted BoostedGAM, an edited, built or imported model), got "
                        f"{type(model).__name__}.")
    require_terms(model, "to_interpret")
    import interpret
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    check_version("interpret", interpret.__version__, SUPPORTED_VERSIONS)
    link = model_link(model)
    features, terms = list(model.features_), list(model.terms_)
    names = [f.name for f in features]
    types = ["nominal" if f.kind == "categorical" else "continuous" for f in features]
    if link in CLASSIFIER_LINKS:
        ebm = ExplainableBoostingClassifier(feature_names=names, feature_types=types)
        ebm.classes_ = np.asarray(model.classes_)
    else:  # the objective only labels the EBM: interpret predicts through link_
        objective = ("gamma_deviance" if getattr(model, "loss", None) == "gamma"
                     else _OBJECTIVES[link])
        ebm = ExplainableBoostingRegressor(feature_names=names, feature_types=types,
                                           objective=objective)
    ebm.n_features_in_ = len(features)
    ebm.feature_names_in_ = names
    ebm.feature_types_in_ = types
    ebm.bins_ = [[_interpret_bins(b, f.name) for b in _feature_levels(terms, j, f)]
                 for j, f in enumerate(features)]
    ebm.term_features_ = [tuple(int(f) for f in t.features) for t in terms]
    ebm.term_names_ = [t.name for t in terms]
    ebm.term_scores_ = [np.array(t.scores, dtype=float) for t in terms]
    ebm.standard_deviations_ = [np.array(t.stds, dtype=float) for t in terms]
    ebm.bin_weights_ = [np.array(t.weights, dtype=float) for t in terms]
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=float))
    ebm.intercept_ = intercept if link in CLASSIFIER_LINKS else float(intercept[0])
    ebm.link_, ebm.link_param_ = {"softmax": "mlogit"}.get(link, link), np.nan
    ebm.has_fitted_ = True
    ebm.glassbox_provenance_ = _exported_provenance(model)
    ebm.glassbox_edit_log_ = copy.deepcopy(list(getattr(model, "edit_log_", [])))
    ebm.glassbox_by_position_ = not hasattr(model, "feature_names_in_")
    ebm.glassbox_state_ = _state_digest(ebm)
    return ebm


# --------------------------------------------------------------------------------------------------
# from interpret


def _level(term):
    """The level of `bins_` a term reads: 0 for a main effect, 1 for a pair (interpret falls
    back to a feature's last level when it has fewer)."""
    return len(term.features) - 1


def _imported_term(ebm, i):
    """Term i with its scores, stds and weights; its bins are filled in per feature later."""
    scores = np.array(ebm.term_scores_[i], dtype=float)
    shape = scores.shape[:len(ebm.term_features_[i])]
    stds = ebm.standard_deviations_[i]
    weights = ebm.bin_weights_[i]
    weights = np.zeros(shape) if weights is None else np.array(weights, dtype=float)
    return Term(str(ebm.term_names_[i]), tuple(int(f) for f in ebm.term_features_[i]),
                (None,) * len(shape), scores,
                np.zeros(scores.shape) if stds is None else np.array(stds, dtype=float),
                weights.copy(), weights)


def _imported_feature(ebm, j, terms):
    """(Feature j, its Bins per level of `bins_` the terms read, whether its main effect has to
    be spread over the pair cuts)."""
    name = str(ebm.feature_names_in_[j])
    kind = _KINDS.get(ebm.feature_types_in_[j])
    if kind is None:
        raise ValueError(f"ebm: feature {name!r} has type {ebm.feature_types_in_[j]!r}; "
                         f"supported types are {sorted(_KINDS)}.")
    stored = ebm.bins_[j]
    used = sorted({_level(t) for t in terms if j in t.features}) or [0]
    raw = {level: stored[min(level, len(stored) - 1)] for level in used}
    if kind == "categorical":  # a pair may group categories its main effect keeps apart
        levels = {level: _categorical_bins(raw[level], name) for level in used}
        bins = levels[used[0]]
        if any(levels[level].lookup_from(bins) is None for level in used):
            raise ValueError(f"ebm: feature {name!r} has categories in its pairs that are not "
                             "its main effect's, which glassbox cannot represent.")
    else:
        cuts = {level: np.asarray(raw[level], dtype=float) for level in used}
        bins = Bins("continuous", edges=np.unique(np.concatenate(list(cuts.values()))))
        levels = {level: bins if np.array_equal(cuts[level], bins.edges)
                  else Bins("continuous", edges=cuts[level]) for level in used}
    missing = any(_marginal(t, j)[0] > 0 for t in terms if j in t.features)
    spread = 0 in levels and levels[0] is not bins
    return Feature(name, kind, bins, missing), levels, spread


def _categorical_bins(mapping, name):
    """Bins of an interpret category dict {text: bin}: each text, and the number it reads as
    (when interpret writes that number as exactly this text), in the text's bin."""
    categories, groups = [], []
    for text, index in mapping.items():
        for category in (text, _number(text)):
            if category is not None:
                categories.append(category)
                groups.append(int(index))
    if groups and sorted(set(groups)) != list(range(1, max(groups) + 1)):
        raise ValueError(f"ebm: the categories of feature {name!r} do not number their bins "
                         "1, 2, ..., k.")
    identity = groups == list(range(1, len(groups) + 1))
    return Bins("categorical", categories=categories, groups=None if identity else groups)


def _number(text):
    """The number that interpret reads as the category `text`, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) and _category_text(value) == text else None


def _category_text(category):
    """The text interpret makes of a category value: booleans as "1"/"0", integers as written,
    floats without a trailing ".0" (and -0.0 as "0"), anything else as str()."""
    if isinstance(category, (bool, np.bool_)):
        return "1" if category else "0"
    if isinstance(category, (int, np.integer)):
        return str(int(category))
    if isinstance(category, (float, np.floating)):
        text = str(float(category) + 0.0)
        return text[:-2] if text.endswith(".0") else text
    return str(category)


def _marginal(term, feature):
    """A term's weights summed over all its features but `feature`."""
    axis = term.features.index(feature)
    return term.weights.sum(axis=tuple(a for a in range(term.weights.ndim) if a != axis))


def _spread_main(terms, j, fine):
    """Put feature j's main effect on the finer bins `fine` (main and pair cuts together).

    Every finer bin takes the score and std of the main bin holding it. Its weight comes from
    the cumulative weight below each cut: known from the main effect at a main cut, and from a
    pair's marginal at a pair cut (kept between the known values around it), so the main
    effect's weight per main bin is kept exactly.
    """
    main = next(t for t in terms if t.features == (j,))
    pair = next(t for t in terms if t.is_pair and j in t.features)
    coarse, pair_bins = main.bins[0], pair.bins[pair.features.index(j)]
    table = coarse.lookup_from(fine)
    below_main = np.concatenate([[0.0], np.cumsum(main.weights[1:-1])])
    below_pair = np.concatenate([[0.0], np.cumsum(_marginal(pair, j)[1:-1])])
    at = np.searchsorted(coarse.edges, fine.edges)
    is_main_cut = np.isin(fine.edges, coarse.edges)
    below = np.where(is_main_cut, below_main[at + is_main_cut],
                     np.clip(below_pair[np.searchsorted(pair_bins.edges, fine.edges) + 1],
                             below_main[at], below_main[at + 1]))
    values = np.diff(np.concatenate([[0.0], below, below_main[-1:]]))
    main.weights = np.concatenate([main.weights[:1], values, main.weights[-1:]])
    main.counts = main.weights.copy()
    main.scores, main.stds, main.bins = main.scores[table], main.stds[table], (fine,)


def _carried_history(ebm):
    """(provenance, edit log) that `to_interpret` left on the EBM, or None; a warning and None
    when the EBM's state has changed since (refitted or edited in interpret)."""
    provenance = getattr(ebm, "glassbox_provenance_", None)
    if provenance is None:
        return None
    if getattr(ebm, "glassbox_state_", None) != _state_digest(ebm):
        warnings.warn("This EBM carries the provenance and edit log of the glassbox model that "
                      "glassbox.interop.to_interpret wrote it from, but its state has changed "
                      "since (refitted or edited in interpret); that history no longer "
                      "describes it and is not restored.", UserWarning,
                      stacklevel=outside_stacklevel())
        return None
    return (copy.deepcopy(dict(provenance)),
            copy.deepcopy(list(getattr(ebm, "glassbox_edit_log_", []))))


def _state_digest(ebm):
    """sha256 of what an EBM predicts with: its link, intercept, term features and scores and
    bins."""
    digest = hashlib.sha256()
    digest.update(json.dumps([str(ebm.link_), [list(map(int, f)) for f in ebm.term_features_],
                              [str(n) for n in ebm.feature_names_in_]]).encode())
    for array in [ebm.intercept_, *ebm.term_scores_]:
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    for levels in ebm.bins_:
        for level in levels:
            if isinstance(level, dict):
                digest.update(json.dumps(sorted((str(k), int(v)) for k, v in level.items()))
                              .encode())
            else:
                digest.update(np.ascontiguousarray(level, dtype=np.float64).tobytes())
        digest.update(b"|")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------
# to interpret


def _exported_provenance(model):
    """The glassbox model's provenance, with the estimator's parameters when it is the fitted
    glassbox estimator that provenance names (they trained it)."""
    provenance = copy.deepcopy(dict(getattr(model, "provenance_", None) or {}))
    if ("params" not in provenance and provenance.get("library") == "glassbox"
            and provenance.get("estimator") == type(model).__name__
            and hasattr(model, "get_params")):
        params = json_ready(model.get_params())
        if params:
            provenance["params"] = params
    return provenance


def _feature_levels(terms, j, feature):
    """interpret's levels for feature j: its main effects' bins, then its pairs' bins when they
    differ (a feature without terms keeps its own bins)."""
    used = []
    for pairs in (False, True):
        bins = [t.bins[t.features.index(j)] for t in terms
                if j in t.features and t.is_pair == pairs]
        if any(not _same_bins(b, bins[0]) for b in bins):
            what = "pairs" if pairs else "main effects"
            raise ValueError(f"to_interpret: the {what} of feature {feature.name!r} use "
                             "different bins; interpret holds one binning per feature for "
                             f"its {what}.")
        used.append(bins[0] if bins else None)
    main, pair = used
    if main is not None and pair is not None and not _same_bins(main, pair):
        return [main, pair]
    return [main or pair or feature.bins]


def _interpret_bins(bins, name):
    """A level of interpret's `bins_`: the cuts, or a {category text: bin} dict."""
    if bins.kind == "continuous":
        return np.ascontiguousarray(bins.edges, dtype=np.float64)
    mapping = {}
    for category, index in zip(bins.categories, bins.groups or range(1, bins.n_values + 1)):
        text = _category_text(category)
        if mapping.setdefault(text, int(index)) != index:
            raise ValueError(f"to_interpret: feature {name!r} has categories that interpret "
                             f"reads as the same text {text!r} in different bins.")
    return mapping
