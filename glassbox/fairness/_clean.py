"""Train-then-clean: remove what an additive model learned from its sensitive features."""

import numpy as np

from .. import edit
from .._model import build_model
from ..edit import MEASURES, _as_list, _logged
from ..terms import Term, model_link, require_terms, weighted_mean


def clean(model, sensitive_features, *, measure="marginals", reason=""):
    """An additive model without its sensitive features: predictions that cannot depend on them.

    Every pair of a sensitive feature with another feature is purified under `measure` (see
    `glassbox.edit.purify`), which moves the part of the pair that depends on the other feature
    alone into that feature's main effect; then the sensitive features' main effects, the pure
    remainders of those pairs and any pair of two sensitive features are removed. The other
    shapes keep what they learned while adjusting for the sensitive features.

    With the default measure, the training marginals, the cleaned model predicts exactly what
    the original predicts averaged over the training distribution of the sensitive features
    (`TestTimeBlind(reference="marginal")`): removed main effects and pairs of sensitive features
    leave their training means in the intercept, and a pure pair averages to zero over the
    sensitive feature's training distribution for every value of the other feature.

    Parameters
    ----------
    model : fitted additive glassbox model (anything carrying `terms_`)
    sensitive_features : str, int or list
        Feature names (or indices into `model.features_`).
    measure : {"marginals", "training", "uniform"} or array, default="marginals"
    reason : str
        Recorded in the edit log.

    Returns
    -------
    AdditiveClassifier or AdditiveRegressor
        Built through `glassbox.build_model` on the remaining features (it reads X with or
        without the sensitive columns when fitted on named columns; an array without them
        otherwise), with the original's edit log plus the purification and the cleaning, and
        its provenance.
    """
    require_terms(model, "clean")
    if isinstance(measure, str) and measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES} or an array, got {measure!r}.")
    names = [f.name for f in model.features_]
    removed = sorted({_feature_index(names, key) for key in _as_list(sensitive_features)})
    if len(removed) == len(names):
        raise ValueError("clean would remove every feature of the model.")
    why = reason or f"fairness: remove what was learned from {[names[j] for j in removed]}"
    mixed = [t.name for t in model.terms_
             if t.is_pair and sum(f in removed for f in t.features) == 1]
    purified = edit.purify(model, measure=measure, pairs=mixed, reason=why) if mixed \
        else edit._copy(model)
    intercept = np.asarray(purified.intercept_, dtype=float)
    kept, dropped = [], []
    for term in purified.terms_:
        sensitive = [f in removed for f in term.features]
        if not any(sensitive):
            kept.append(term)
            continue
        dropped.append(term.name)
        if all(sensitive):  # the term reads only sensitive features: keep its training mean
            intercept = intercept + weighted_mean(term.scores, term.weights)
    index = {old: new for new, old in enumerate(j for j in range(len(names)) if j not in removed)}
    terms = [Term(t.name, tuple(index[f] for f in t.features), t.bins, t.scores, t.stds,
                  t.counts, t.weights) for t in kept]
    features = [f for j, f in enumerate(purified.features_) if j not in removed]
    names_in = getattr(model, "feature_names_in_", None)
    log = _logged(purified, "clean", [names[j] for j in removed], why,
                  {"measure": measure if isinstance(measure, str) else "custom",
                   "purified_pairs": mixed, "removed_terms": dropped}).edit_log_
    provenance = dict(getattr(model, "provenance_", None) or {})
    if hasattr(model, "get_params"):  # the settings it was fitted with, which build_model lacks
        provenance.setdefault("params", model.get_params(deep=False))
    return build_model(features, terms, intercept if intercept.ndim else float(intercept),
                       link=model_link(model), classes=getattr(model, "classes_", None),
                       edit_log=log, provenance=provenance,
                       feature_names_in=None if names_in is None
                       else [n for j, n in enumerate(names_in) if j not in removed])


def _feature_index(names, key):
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        if not 0 <= key < len(names):
            raise ValueError(f"Feature index {key} is out of range for {len(names)} features.")
        return int(key)
    if key not in names:
        raise ValueError(f"{key!r} is not a feature of the model; its features are {names}.")
    return names.index(key)
