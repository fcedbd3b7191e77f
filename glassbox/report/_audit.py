"""audit_report: one self-contained HTML file a model-review board can read, print and keep."""

import hashlib
import html
import json
import numbers
import platform
import warnings
from datetime import datetime, timezone
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone

from .. import __version__
from .. import inspect as anomalies
from ..fairness import fairness_report, flip_test, gap_decomposition
from ..fairness._assessment import FEW_EVENTS_WARNING
from ..fairness._sensitive import (SMALL_GROUP, SmallGroupWarning, _are_values, group_labels,
                                   sensitive_frame)
from .._model import _Assembled
from .._tabular import each_warning_once, outside_stacklevel, target_array
from ..io import check_classes, model_to_dict
from ..plot import plot_importances, plot_interaction, plot_shape
from ..terms import BinnedColumns, require_terms
from . import _card, _html
from ._measures import (MIN_CLASS_ROWS, SCALARS, cohort_table, performance,
                        subgroup_table)

DEFAULT_THRESHOLDS = np.round(np.arange(0.01, 0.51, 0.01), 2)
OPTIMISM_REFITS = 20


@each_warning_once
def audit_report(model, X, y, *, X_dev=None, y_dev=None, sensitive_features=None,
                 model_card=None, threshold=None, capacity=None, thresholds=DEFAULT_THRESHOLDS,
                 expected_directions=None, n_bootstrap=200, optimism_refits=OPTIMISM_REFITS,
                 outcome=None, title=None, path=None, random_state=0):
    """An audit report of a fitted binary glass-box classifier, as one self-contained HTML file.

    Parameters
    ----------
    model : fitted additive binary classifier (BoostedGAMClassifier, an additive
        MonotonicNetClassifier, a model from `build_model` or a cleaned fairness model)
    X, y : evaluation data (or the development data, when no other is given)
    X_dev, y_dev : development (training) data, shown beside the evaluation data. Without
        them, X and y are taken as the development data: every figure is then apparent (on the
        data the model learned from), the report says so, and the discrimination and
        calibration figures are also corrected for optimism by `optimism_refits` bootstrap
        refits of the model (each refit weights the rows by their bootstrap counts).
    sensitive_features : names of columns of X whose groups the subgroup and fairness sections
        compare (intersections when several)
    model_card : dict, or a path to a JSON file or a flat YAML file of `Field: text` lines; the
        fields are the CHAI Applied Model Card's (see `glassbox.report.HUMAN_FIELDS`). Missing
        fields show as "needs input" and the report is marked DRAFT until all are filled.
    threshold, capacity : the decision for the confusion figures and fairness metrics: a risk
        threshold (0.5 by default) or the share of highest-risk rows flagged
    thresholds : the risk thresholds of the decision curve
    expected_directions : {feature: +1 or -1} for the anomaly finder's wrong-way check
    n_bootstrap : bootstrap replicates for every interval
    outcome : what the positive class means, e.g. "death within 30 days" (default: its label)
    title : the report's title (default: "Audit report: " and the card's ModelName, or the
        model class)
    path : where to write the HTML file (the text is returned either way)

    Returns
    -------
    str
        The HTML text.
    """
    require_terms(model, "audit_report")
    classes = getattr(model, "classes_", None)
    if classes is None or len(classes) != 2:
        raise ValueError("audit_report needs a fitted binary classifier.")
    if threshold is not None and capacity is not None:
        raise ValueError("Give a threshold or a capacity, not both.")
    if capacity is not None and not 0 < capacity < 1:
        raise ValueError(f"capacity is the share of rows flagged, in (0, 1); got {capacity!r}.")
    if threshold is not None and not 0 < threshold < 1:
        raise ValueError(f"threshold is a risk, in (0, 1); got {threshold!r}.")
    if not isinstance(n_bootstrap, numbers.Integral) or n_bootstrap < 1:
        raise ValueError("n_bootstrap is the number of bootstrap replicates behind every "
                         f"interval, a whole number of at least 1; got {n_bootstrap!r}.")
    if not isinstance(optimism_refits, numbers.Integral) or optimism_refits < 0:
        raise ValueError("optimism_refits is the number of refits of the optimism correction, a "
                         f"whole number of at least 0; got {optimism_refits!r}.")
    risks = np.asarray(thresholds, dtype=float)
    if risks.ndim != 1 or not ((risks > 0) & (risks < 1)).all():
        raise ValueError(f"thresholds are the risks of the decision curve, each in (0, 1); got "
                         f"{thresholds!r}.")
    anomalies._expected_terms(model, expected_directions or {})  # before the work, not after
    X, X_dev = _frame(X, model), None if X_dev is None else _frame(X_dev, model)
    y = _outcome(y, classes, len(X), "y")
    if y.min() == y.max():
        raise ValueError(f"y holds only {str(classes[int(y[0])])!r}: discrimination and "
                         "calibration need rows of both classes, so there is nothing to report.")
    if isinstance(classes[1], str) and y.mean() > 0.5:
        warnings.warn(f"The report takes {classes[1]!r}, the second of the model's classes in "
                      f"sorted order, as the event, and {y.mean():.1%} of the rows of y have it. "
                      f"If the event is {classes[0]!r}, code the outcome 0/1 with the event as "
                      f"1 and refit: every risk, flag and fairness figure here is of "
                      f"{classes[1]!r}.", UserWarning, stacklevel=outside_stacklevel())
    fields, complete = _card.card_status(_card.read_model_card(model_card))
    outcome = str(classes[1]) if outcome is None else str(outcome)
    development = X_dev is not None
    y_dev = _outcome(y_dev, classes, len(X_dev), "y_dev") if development else None
    trained_on = _training_rows(model)
    apparent = not development and (trained_on is None or _fills_training_bins(model, X))
    if not development and not apparent:
        warnings.warn(_not_development_data(len(X), trained_on), UserWarning,
                      stacklevel=outside_stacklevel())
    risk = model.predict_proba(X)[:, 1]
    perf = performance(y, risk, thresholds=thresholds, threshold=threshold, capacity=capacity,
                       n_bootstrap=n_bootstrap, random_state=random_state)
    model_json = json.dumps(model_to_dict(model), sort_keys=True)
    obstacle = _refit_obstacle(model)
    optimism = (_optimism_corrected(model, X, y, risk, optimism_refits, random_state)
                if apparent and optimism_refits and obstacle is None else None)
    computed = _computed(model, perf, development, apparent, optimism, outcome)
    name = fields["ModelName"] if fields["ModelName"] != _card.NEEDS_INPUT else _model_name(model)
    title = title or f"Audit report: {name}"
    sections = [
        ("Model card", _card_section(fields)),
        ("Model and software", _model_section(model, X, y, X_dev, y_dev, model_json)),
        ("Cohort", _cohort_section(X, y, X_dev, y_dev, sensitive_features)),
        ("Discrimination and calibration", _performance_section(
            y, risk, perf, optimism, optimism_refits, apparent, obstacle)),
        ("Clinical utility", _utility_section(perf, capacity, threshold)),
        ("Subgroups and fairness", _subgroup_section(model, X, y, risk, sensitive_features,
                                                     perf.threshold, n_bootstrap,
                                                     random_state)),
        ("The glass box", _glass_box_section(model)),
        ("Anomalies and edits", _anomaly_section(model, expected_directions)),
        ("Standards crosswalk", _crosswalk_section(complete)),
    ]
    banner = ('<p class="final">Model card complete: every field is filled. The reviewer\'s '
              "decisions on the anomalies are recorded in the edit log.</p>" if complete else
              '<p class="draft">DRAFT: model-card fields marked "needs input" are missing; the '
              "report is not complete until a person fills them.</p>")
    data = (f"Evaluation data: {len(y):,} rows, {int(y.sum()):,} with the outcome "
            f"({html.escape(outcome)})"
            + (f"; development data: {len(y_dev):,} rows." if development else
               ". No separate evaluation data: these are the development data, so every figure "
               "is apparent (measured on the data the model learned from), and the summary "
               "gives the optimism-corrected figures where they exist." if apparent else
               ". " + html.escape(_not_development_data(len(y), trained_on))))
    header = (banner + f'<p class="note">Generated {computed["date"]} by glassbox '
              f'{computed["version"]}. {data}</p>' + _summary(perf, optimism)
              + _decision_note(perf, threshold, capacity))
    text = _html.document(title, header, sections, {
        "model-json": model_json,
        "model-card-chai": json.dumps(_card.chai_json(fields, computed), indent=1)})
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _training_rows(model):
    """The rows the model's main effects count in their bins (a fitted model's training rows
    of positive weight), or None when they count none or disagree."""
    totals = {round(float(np.sum(t.counts))) for t in model.terms_ if not t.is_pair}
    return totals.pop() if len(totals) == 1 and 0 not in totals else None


def _fills_training_bins(model, X):
    """Whether the rows of X fall into every main effect's bins in the numbers its training
    rows did (the terms' counts): the development data do; held-out rows, even as many,
    almost never do."""
    binned = BinnedColumns(model._prediction_columns(X), model.features_)
    for term in (t for t in model.terms_ if not t.is_pair):
        counts = np.asarray(term.counts, dtype=float)
        codes = binned.codes(term.features[0], term.bins[0])
        if not np.allclose(np.bincount(codes, minlength=len(counts)), counts):
            return False
    return True


def _not_development_data(rows, trained_on):
    return (f"These {rows:,} rows do not fall into the model's bins as its {trained_on:,} "
            "training rows did (the bins' counts), so they are not its development data: "
            "their figures are given as measured, without an optimism correction (which "
            "corrects figures measured on the training rows). Whether they overlap the "
            "training rows cannot be told from them; pass the development data as X_dev "
            "(--dev) to show both.")


def _model_name(model):
    """The class, and for a model built from another (cleaned, imported) the estimator it was
    fitted as, e.g. "AdditiveClassifier from a BoostedGAMClassifier"."""
    name = type(model).__name__
    source = (getattr(model, "provenance_", None) or {}).get("estimator")
    if not source or source == name:
        return name
    return f"{name} from {'an' if source[0] in 'AEIOU' else 'a'} {source}"


def _frame(X, model):
    """Prediction data as a DataFrame (arrays get the model's feature names)."""
    if isinstance(X, pd.DataFrame):
        return X
    names = getattr(model, "feature_names_in_", None)
    return pd.DataFrame(np.asarray(X), columns=None if names is None else list(names))


def _decision_note(perf, threshold, capacity):
    flagged = float(perf.confusion.loc["share flagged", "value"])
    rule = (f"the highest-risk {capacity:.0%} flagged (risk ≥ {perf.threshold:.3f})"
            if capacity is not None else f"risk ≥ {perf.threshold:.3f}"
            + (" (the default, as no threshold or capacity was given)" if threshold is None
               else ""))
    note = f"<p>Decision rule for the confusion and fairness figures: {html.escape(rule)}.</p>"
    if not 0.01 <= flagged <= 0.99:
        note += (f'<p class="warn">Only {flagged:.1%} of the rows are flagged by this rule, so '
                 "the decision and fairness figures say little; give the threshold of the "
                 "decision the model supports, or a capacity.</p>")
    return note


def _summary(perf, optimism):
    """The key figures, first thing a reviewer sees (optimism-corrected where available)."""
    s = perf.scalars
    def with_ci(name):
        row = s.loc[name]
        if optimism is not None and name in optimism.index:
            return f"{optimism[name]:.3f} (optimism-corrected; apparent {row.estimate:.3f})"
        return f"{row.estimate:.3f} ({row.low:.3f} to {row.high:.3f})"
    items = [("AUROC", with_ci("AUROC")), ("observed / expected", with_ci("observed / expected")),
             ("calibration slope", with_ci("calibration slope")),
             ("ICI / E90", f"{_estimable(perf.ici)} / {_estimable(perf.e90)}"),
             ("flagged at the decision rule", perf.confusion.loc["share flagged", "value"])]
    return ("<table><tr>" + "".join(f"<th>{html.escape(k)}</th>" for k, _ in items) + "</tr><tr>"
            + "".join(f"<td>{html.escape(v)}</td>" for _, v in items) + "</tr></table>")


def _estimable(value):
    return "not estimable" if np.isnan(value) else f"{value:.4f}"


def _outcome(y, classes, n_rows, name):
    """1.0 where `y` is the model's event class, else 0.0; an error for a length other than
    X's, a missing outcome, or a value that is not one of the model's classes (0/1 given to a
    model of "alive"/"dead", or a misspelt label, would otherwise count as no event)."""
    y = target_array(y)
    if len(y) != n_rows:
        raise ValueError(f"{name} has {len(y):,} values but its X has {n_rows:,} rows.")
    check_classes(y, classes, name)
    return (y == classes[1]).astype(float)


def _digest(*parts):
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            part = pd.util.hash_pandas_object(part, index=False).to_numpy()
        h.update(np.ascontiguousarray(np.asarray(part)).tobytes())
    return h.hexdigest()


def _content_digest(model_json):
    """SHA-256 of what the model computes and how it was edited, without where and when it was
    made: two identical fits (or a refit of the same data and settings) give the same value,
    where the model JSON's own hash differs by its fit time."""
    data = json.loads(model_json)
    for key in ("provenance", "sha256"):
        data.pop(key, None)
    data["edit_log"] = [{k: v for k, v in entry.items() if k != "when"}
                        for entry in data.get("edit_log") or []]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _computed(model, perf, development, apparent, optimism, outcome):
    """The model card's computed fields; its results are the estimates with their intervals,
    and, where the refits gave them, the optimism-corrected estimates beside them."""
    scalars = perf.scalars
    if development:
        tested_on = "separate evaluation data"
    elif not apparent:
        tested_on = ("data other than the development data (they do not fill the model's "
                     "bins as its training rows did), without an optimism correction")
    elif optimism is not None:
        tested_on = ("development data: apparent estimates and intervals, with optimism-corrected "
                     "estimates (Harrell's bootstrap) where given")
    else:
        tested_on = "development data: apparent estimates and intervals, not corrected for optimism"

    def result(name, row):
        value = {"estimate": _plain(row.estimate), "low": _plain(row.low),
                 "high": _plain(row.high)}
        if optimism is not None and name in optimism.index:
            value["optimism_corrected"] = _plain(optimism[name])
        return {"Label": name, "ValueJson": json.dumps(value)}
    return {
        "version": __version__,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "model_type": f"{type(model).__name__}: additive model (intercept plus "
                      f"{len(model.terms_)} terms on the log-odds scale)",
        "summary": "A glass-box risk model whose prediction is the sum of per-feature shape "
                   "functions and pairwise terms.",
        "keywords": ["glass-box", "generalized additive model", "risk prediction"],
        "outputs": f"probability of {outcome}",
        "inputs": ", ".join(f"{f.name} ({f.kind})" for f in model.features_),
        "transparency": "every term's shape is shown in the report; the model file is embedded",
        "metrics": {"UsefulnessUsabilityEfficacy": {
            "Results": [result(name, row) for name, row in scalars.iterrows()],
            "TestingDataDescription": tested_on}},
    }


def _plain(value):
    return None if value is None or not np.isfinite(value) else float(value)


def _card_section(fields):
    frame = pd.DataFrame({"field": list(fields), "what it should say": [
        _card.HUMAN_FIELDS[k] for k in fields], "value": list(fields.values())})
    return ("<p>Fields a person supplies (names of the CHAI Applied Model Card). The card's JSON "
            "export is embedded in this file (element <code>model-card-chai</code>).</p>"
            + _html.table_html(frame, index=False, highlight=_card.NEEDS_INPUT))


def _model_section(model, X, y, X_dev, y_dev, model_json):
    provenance = dict(getattr(model, "provenance_", None) or {})
    fitted_params = provenance.pop("params", None)  # of the estimator an edited model came from
    resolved = provenance.pop("resolved", None)  # what "auto" and "3x" became in the fit
    resolved = resolved if isinstance(resolved, dict) else {}
    values = {}
    for k, v in (model.get_params() or fitted_params or {}).items():
        label = "pairs requested" if k == "interactions" else "used"
        values[k] = f"{v} ({label}: {resolved[k]})" if k in resolved else str(v)
    params = pd.DataFrame({"value": values})
    versions = {"glassbox": __version__,
                "python": platform.python_version(), "numpy": np.__version__,
                "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
                "matplotlib": matplotlib.__version__}
    hashes = {"model file (SHA-256, its sha256 field as save_model writes it)":
              json.loads(model_json)["sha256"],
              "model content (SHA-256, without provenance and times)": _content_digest(
                  model_json),
              "evaluation data (SHA-256)": _digest(X, y)}
    if X_dev is not None:
        hashes["development data (SHA-256)"] = _digest(X_dev, y_dev)
    log = getattr(model, "edit_log_", [])
    parts = [
        f"<p>{html.escape(_model_name(model))}; link <code>{html.escape(model.link_)}</code>; "
        f"{len(model.terms_)} terms, {sum(t.is_pair for t in model.terms_)} of them pairs.</p>",
        "<h3>Provenance</h3>", _html.table_html(pd.DataFrame({"value": {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v)
            for k, v in provenance.items()}})),
        "<h3>Hashes</h3>", _html.table_html(pd.DataFrame({"value": hashes})),
        "<h3>Software</h3>", _html.table_html(pd.DataFrame({"version": versions})),
        "<h3>Parameters</h3>" if model.get_params() or not fitted_params else
        f"<h3>Parameters (of the {html.escape(str(provenance.get('estimator')))} it was fitted "
        "as)</h3>", _html.table_html(params),
        "<h3>Edit log</h3>",
        _html.records_html(log, ["edit", "term", "reason", "when"]) if log else
        "<p>No edits: the terms are as fitted.</p>",
    ]
    return "".join(parts)


def _cohort_section(X, y, X_dev, y_dev, sensitive_features):
    blocks = []
    groups = None
    if sensitive_features is not None:
        groups = group_labels(sensitive_frame(X, sensitive_features))
    evaluation = cohort_table(X.reset_index(drop=True), y, groups)
    if X_dev is not None:
        development = cohort_table(X_dev.reset_index(drop=True), y_dev)
        blocks.append(_html.table_html(pd.concat(
            {"development": development["all"], "evaluation": evaluation["all"]}, axis=1)))
    else:
        blocks.append(_html.table_html(evaluation[["all"]]))
    if groups is not None:
        blocks += ["<h3>Evaluation data by group</h3>", _html.table_html(evaluation)]
    return "".join(blocks)


def _performance_section(y, risk, perf, optimism, refits, apparent, obstacle):
    """The discrimination and calibration table; `obstacle` says why the model could not be
    refitted, if it was not."""
    table = perf.scalars.copy()
    note = ("" if optimism is not None or refits == 0 or not apparent else
            f"<p class=\"note\">No separate evaluation data, and this model {obstacle}, so it "
            "cannot be refitted for an optimism correction: the figures are apparent.</p>")
    if optimism is not None:
        table["optimism-corrected"] = optimism
        note = (f"<p class=\"note\">No separate evaluation data: the estimates and intervals "
                f"are apparent (on the development data). The optimism-corrected column "
                f"subtracts the mean optimism of {refits} bootstrap refits (Harrell's method; "
                f"each refit weights the rows by their bootstrap counts).</p>")
    parts = ["<p>Estimates with 95 % percentile bootstrap intervals.</p>",
             _html.table_html(table), note,
             f"<p>Flexible calibration curve: ICI {_estimable(perf.ici)}, E90 "
             f"{_estimable(perf.e90)}.</p>"]
    if not perf.curve_reliable:
        parts.append('<p class="warn">Too few events (or non-events) for a flexible '
                     "calibration curve: read it as indicative only.</p>")
    parts += [_html.figure_html(_calibration_figure(perf), "Calibration curve with its 95 % "
                                "bootstrap band; the diagonal is perfect calibration"),
              _html.figure_html(_distribution_figure(y, risk),
                                "Predicted risk by outcome")]
    return "".join(parts)


def _refit_obstacle(model):
    """Why refits of the model's estimator would not estimate its optimism, or None: a refit
    does not repeat the edits made after a fit (a fairness cleaning among them), and a model
    assembled from terms has no training procedure."""
    edits = len([entry for entry in getattr(model, "edit_log_", None) or []
                 if entry.get("edit") != "import"])
    if edits:
        return (f"was edited after its fit ({edits} edit{'s' * (edits > 1)} in its log, which "
                "a refit would not repeat)")
    if isinstance(model, _Assembled):
        return "was assembled from terms rather than fitted"
    return None


def _optimism_corrected(model, X, y, risk, refits, random_state):
    """Harrell's bootstrap optimism correction of AUROC, AUPRC, observed/expected and slope.

    Each refit weights the rows by their bootstrap counts rather than repeating them, so that the
    model's own validation split never holds copies of its training rows (which would disable
    its early stopping and inflate the optimism)."""
    measures = {name: SCALARS[name] for name in ("AUROC", "AUPRC", "observed / expected",
                                                 "calibration slope")}
    rng = np.random.default_rng(random_state)
    optimism = {name: [] for name in measures}
    outcome = np.where(y == 1, model.classes_[1], model.classes_[0])
    for _ in range(refits):
        rows = rng.integers(0, len(y), len(y))
        if not 0 < y[rows].sum() < len(rows):
            continue
        counts = np.bincount(rows, minlength=len(y)).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the refits' own notes are not the user's
            on_all = clone(model).fit(X, outcome, sample_weight=counts).predict_proba(X)[:, 1]
        for name, measure in measures.items():
            optimism[name].append(measure(y[rows], on_all[rows]) - measure(y, on_all))
    apparent = {name: measure(y, risk) for name, measure in measures.items()}
    return pd.Series({name: apparent[name] - np.mean(values) if values else np.nan
                      for name, values in optimism.items()})


def _calibration_figure(perf):
    import matplotlib.pyplot as plt
    figure, ax = plt.subplots(figsize=(4.6, 4.2), layout="tight")
    curve = perf.curve
    ax.fill_between(curve.predicted, curve.low, curve.high, color="C0", alpha=0.25, lw=0)
    ax.plot(curve.predicted, curve.observed, color="C0", label="observed (smoothed)")
    band = curve.high[np.isfinite(curve.high)]  # none where too few events give no band
    top = float(max(curve.predicted.max(), band.max() if len(band) else 0.0))
    ax.plot([0, top], [0, top], color="0.4", lw=1, ls="--", label="perfect")
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("observed risk")
    ax.legend(loc="upper left", fontsize="small")
    return figure


def _distribution_figure(y, risk):
    import matplotlib.pyplot as plt
    figure, ax = plt.subplots(figsize=(4.6, 4.2), layout="tight")
    bins = np.linspace(0, float(risk.max()), 40)
    for outcome, label in ((0, "no event"), (1, "event")):
        ax.hist(risk[y == outcome], bins=bins, density=True, alpha=0.5, label=label)
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    return figure


def _utility_section(perf, capacity, threshold):
    import matplotlib.pyplot as plt
    d = perf.decision
    figure, ax = plt.subplots(figsize=(6, 4), layout="tight")
    ax.fill_between(d.threshold, d.low, d.high, color="C0", alpha=0.25, lw=0)
    ax.plot(d.threshold, d.model, color="C0", label="model")
    ax.plot(d.threshold, d["treat all"], color="C1", label="treat all")
    ax.plot(d.threshold, d["treat none"], color="0.3", label="treat none")
    ax.set_ylim(min(-0.01, float(np.nanmin(d.low))), float(np.nanmax(d.high)) * 1.1 + 1e-3)
    ax.set_xlabel("risk threshold")
    ax.set_ylabel("net benefit")
    ax.legend(fontsize="small")
    rule = (f"the highest-risk {capacity:.0%} flagged (risk ≥ {perf.threshold:.3f})"
            if capacity is not None else f"risk ≥ {perf.threshold:.3f}")
    return ("<p>Decision curve (Vickers & Elkin 2006): net benefit of acting on the model at "
            "each risk threshold, against treating everyone and no one, with 95 % bootstrap "
            "intervals.</p>"
            + _html.figure_html(figure, "Decision curve")
            + f"<h3>Decisions with {html.escape(rule)}</h3>"
            + _html.table_html(perf.confusion))


def _subgroup_section(model, X, y, risk, sensitive_features, threshold, n_bootstrap,
                      random_state):
    if sensitive_features is None:
        return "<p>No sensitive features were given.</p>"
    frame = sensitive_frame(X, sensitive_features)
    table = pd.concat([subgroup_table(y, risk, labels, min_rows=SMALL_GROUP,
                                      n_bootstrap=n_bootstrap, random_state=random_state)
                       for labels in _subgroup_labels(frame)])
    outcome = np.where(y == 1, model.classes_[1], model.classes_[0])
    with warnings.catch_warnings():  # the text below states the rule; the table, the events
        warnings.filterwarnings("ignore", FEW_EVENTS_WARNING, SmallGroupWarning)
        report = fairness_report(model, X, outcome, sensitive_features, threshold=threshold,
                                 n_bootstrap=n_bootstrap, min_group_events=MIN_CLASS_ROWS,
                                 random_state=random_state)
    given = frame.columns
    names = ("the sensitive values given" if _are_values(X, sensitive_features)
             else ", ".join(map(str, given)))
    several = (" (each alone, written 'feature = value', then their intersections, written "
               "'a | b')" if len(given) > 1 else "")
    parts = [f"<p>Groups by <b>{html.escape(names)}</b>{several}. Groups of fewer than "
             f"{SMALL_GROUP} rows, or with one outcome class, are not estimable; nor are the "
             f"AUROC and calibration slope of a group with fewer than {MIN_CLASS_ROWS} events or "
             f"{MIN_CLASS_ROWS} non-events, which also leave it out of the differences in the "
             "true- and false-positive rates below.</p>",
             _html.table_html(table),
             f"<h3>Fairness at risk ≥ {threshold:.3f}</h3>",
             _html.table_html(report.differences),
             '<p class="note">Each difference is the largest group rate minus the smallest. '
             "The noise of resampling widens such a gap more often than it narrows it, so its "
             "bootstrap interval seldom reaches zero even when the groups do not differ, and "
             "can lie above the estimate itself: read the estimate, not whether the interval "
             "reaches zero.</p>"]
    try:
        flips = flip_test(model, X, sensitive_features, threshold=threshold)
        parts.append("<p>Flip test (only the sensitive values changed): mean |Δ log-odds| "
                     f"{flips['mean_abs_logit_change']:.4f}, decisions changed "
                     f"{flips['decision_change_share']:.2%}.</p>")
    except ValueError as error:
        parts.append(f"<p>Flip test not run: {html.escape(str(error))}</p>")
    gaps = gap_decomposition(model, X, sensitive_features)
    terms = gaps.drop(index="total")
    top = terms.loc[terms.abs().max(axis=1).sort_values(ascending=False).index[:15]]
    shown = (f"The {len(top)} terms with the largest gaps" if len(top) < len(terms)
             else "Every term, largest gap first")
    sizes = report.by_group["rows"]  # the groups whose columns the gap table has
    few = [str(g) for g in sizes.index[sizes < SMALL_GROUP]]
    caveat = (f" The columns of {', '.join(map(repr, few))} (fewer than {SMALL_GROUP} rows) "
              "rest on those rows alone: read them as single cases, not as a group's gap."
              if few else "")
    parts += ["<h3>Which terms carry the gap between groups (log-odds)</h3>"
              f"<p class=\"note\">{shown}; the last row is the whole gap in mean log-odds, "
              f"which all terms add up to.{html.escape(caveat)}</p>",
              _html.table_html(pd.concat([top, gaps.loc[["total"]]]))]
    return "".join(parts)


def _subgroup_labels(frame):
    """The group labels of each sensitive feature alone (when there are several, "sex = F"),
    then of their intersections; a feature with one value in the data has no groups alone."""
    alone = []
    if frame.shape[1] > 1:
        for column in frame.columns:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # said once, of the intersections
                try:
                    alone.append(f"{column} = " + group_labels(frame[[column]]))
                except ValueError:
                    continue
    return [*alone, group_labels(frame)]


def _glass_box_section(model):
    import matplotlib.pyplot as plt
    parts = [_html.figure_html(plot_importances(model).figure, "Term importance")]
    shapes = []
    for term in model.terms_:
        figure, ax = plt.subplots(figsize=(4.2, 2.9), layout="tight")
        if term.is_pair:
            plt.close(figure)
            figure = plot_interaction(model, term.name).figure
            figure.set_size_inches(4.2, 3.2)
        else:
            plot_shape(model, term.name, ax=ax, scale="odds")
        shapes.append(_html.figure_html(figure, term.name, alt=f"shape of {term.name}", dpi=72))
    spread = "seeds" if "n_seeds" in model.get_params() else "bags"  # a network's, a GAM's
    return (f"<p>Every term on the odds-ratio scale, with ± 1 standard deviation over the "
            f"{spread}, the training data's density and the missing-value bin.</p>"
            + "".join(parts) + '<div class="shapes">' + "".join(shapes) + "</div>")


def _anomaly_section(model, expected_directions):
    settings = dict(min_jump=0.2, min_z=3.0)
    steps = anomalies.find_discontinuities(model, **settings)
    binary = {f.name for f in model.features_
              if f.kind != "categorical" and len(f.bins.edges) <= 1}
    steps = steps[~steps["term"].isin(binary)]  # a 0/1 flag's main effect is one step
    parts = ["<p>Each finding has a place for the reviewer's decision; decisions are recorded "
             "with <code>glassbox.edit</code>, whose log appears under Model and software. "
             "Findings are leads for review, not verdicts: a step can be real, an artefact of "
             "treatment, or noise.</p>",
             f"<h3>Sharp steps</h3><p class=\"note\">glassbox.inspect.find_discontinuities "
             f"(min_jump={settings['min_jump']}, min_z={settings['min_z']}); binary features "
             "left out.</p>"]
    parts.append(_findings_table(steps.head(30)) if len(steps) else "<p>None found.</p>")
    if expected_directions:
        wrong = anomalies.find_non_monotone(model, expected_directions)
        parts.append("<h3>Regions against the expected direction</h3><p class=\"note\">"
                     "glassbox.inspect.find_non_monotone, expected directions "
                     f"{html.escape(json.dumps(expected_directions, ensure_ascii=False))}.</p>")
        parts.append(_findings_table(wrong) if len(wrong) else "<p>None found.</p>")
    return "".join(parts)


def _findings_table(findings):
    frame = findings.copy()
    frame = frame.drop(columns=[c for c in ("class", "at")
                                if c in frame and frame[c].isna().all()])
    if "support" in frame:
        frame["support"] = frame["support"].astype(int)
    frame.columns = [c.replace("_", " ") for c in frame.columns]
    frame["reviewer's decision"] = ""
    return _html.table_html(frame, index=False)


def _crosswalk_section(complete):
    return ("<p>How each section serves the reporting standards: TRIPOD+AI (Collins et al., BMJ "
            "2024), the ONC HTI-1 source attributes (45 CFR 170.315(b)(11)) and the CHAI "
            "Applied Model Card (v0.2).</p>"
            + _html.records_html(_card.crosswalk(complete), ["section", "TRIPOD+AI items",
                                                             "HTI-1 attributes",
                                                             "CHAI model card", "status"]))
