"""Plots of a fitted additive model: shape functions, interactions, importances and the
contributions behind one patient's prediction.

Every function draws with plain matplotlib on the `ax` (or `fig`) it is given, or on a new figure,
and returns it; nothing calls `plt.show`, so any backend works. Only the public terms structure is
read (the contract of `glassbox.terms`: `terms_`, `intercept_`, `features_`, `link_`,
`classes_` for classifiers, `explain`, `term_importances`), so any model exposing it can be
plotted. A full monotonic network has no terms: `plot_shape`, `plot_interaction`,
`plot_contributions` and `plot_importances` draw what it gives instead (its `partial_dependence`,
`pair_dependence`, Shapley-value `explain` and `term_importances`); the other plots need terms
and say so with a TypeError.

Artists carry a `gid` naming what they show, with ":<class>" appended for one class of a
multiclass model:

* `plot_shape`: "shape" (step curve, a StepPatch), "band" (its ± interval × std band, a StepPatch
  whose baseline is the lower bound), "bars" (category bars), "interval" (vertical error segments
  of bars and points), "missing" / "unseen" (points of the bins drawn apart, on a side panel),
  "density" (training counts on a strip beneath), "reference" (the line at 0 or 1);
* `plot_shape` of a full network: "pdp" (the partial dependence), "ice" (the ICE curves, a
  LineCollection, or markers for a categorical feature), "missing" / "missing_ice" (their values
  at the missing value, on a side panel);
* `plot_interaction`: "heatmap"; `plot_importances`: "importance";
* `plot_contributions`: "intercept" ("baseline" for a full network), "contributions",
  "prediction", "probability" (the text);
* `plot_fairness_tradeoff` (a table from `glassbox.fairness.compare_strategies`, no model):
  "strategies" (the points).
"""

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullLocator
from mpl_toolkits.axes_grid1 import make_axes_locatable

from ._additive import text_labels
from ._losses import CLASSIFIER_LINKS, class_probabilities, inverse_link
from .io import listed
from .terms import find_term, model_link, require_terms

SCALES = ("logit", "odds")
_RISK_UP, _RISK_DOWN = "#c0392b", "#2e86c1"
_MAX_EDGE_LABELS = 8
_MAX_RANGE_BINS = 3  # a continuous shape of this many value bins or fewer labels each bin's range
_DENSITY_BARS = 200  # the density strip's narrowest bar is this fraction of the range


# --------------------------------------------------------------------------------------------------
# public plots
# --------------------------------------------------------------------------------------------------

def plot_shape(model, term, *, ax=None, scale="logit", interval=1.0, density=True, class_=None,
               X=None):
    """Draw a main effect: a step curve (continuous) or bars (categorical) with a band of
    ± `interval` × the bag standard deviation, the training data's density on a strip beneath,
    and the missing bin (when training had missing values) and the unseen category bin on a
    side panel.

    `scale="odds"` (classifiers) draws exp(score), the odds ratio against the average patient,
    on a log axis; `scale="logit"` draws raw scores. A multiclass model draws one curve per class,
    or only `class_`.

    A full monotonic network (no terms) draws the feature's partial dependence over the rows of
    `X` (default: rows drawn from its fitted bins) with their ICE curves and the missing value,
    and says in the title whether the feature is monotone by construction; `interval` and
    `density` do not apply. `X` is for full networks only.
    """
    if _is_network(model):
        return _plot_dependence(model, term, ax, scale, class_, X)
    _no_rows(X)
    _check_interval(interval)
    term = _term(model, term, "plot_shape")
    if term.is_pair:
        raise ValueError(f"{term.name!r} is a pair; draw it with plot_interaction.")
    _check_scale(model, scale)
    ax = _axes(ax, (6.4, 4.2))
    bins = term.bins[0]
    outputs = _outputs(model, term, class_)
    if scale == "odds":
        ax.set_yscale("log")
        _ratio_ticks(ax.yaxis)
    divider = make_axes_locatable(ax)
    values = slice(1, bins.unseen_bin)
    if bins.kind == "continuous":
        x = _finite_edges(bins)
        for label, mid, low, high, color in _bands(outputs, values, scale, interval):
            _steps(ax, x, mid, low, high, color, label)
        ax.set_xlim(x[0], x[-1])
        density_at = (*_density_steps(x, term.counts[values]), True)
    else:
        positions = np.arange(bins.n_values)
        _bars(ax, positions, _bands(outputs, values, scale, interval), _reference(scale))
        ax.set_xlim(-0.6, bins.n_values - 0.4)
        density_at = (positions, term.counts[values], False)
    ax.axhline(_reference(scale), color="0.4", lw=0.8, zorder=0, gid="reference")
    special = _special_bins(term, bins)
    if special:
        _special_panel(divider, ax, term, outputs, special, scale, interval)
    bottom = _density_strip(divider, ax, *density_at) if density else ax
    if bins.kind == "categorical":
        _set_ticks(bottom.xaxis, positions, bins.labels()[1:-1])
    elif bins.n_values <= _MAX_RANGE_BINS:
        _set_ticks(bottom.xaxis, (x[:-1] + x[1:]) / 2, _range_labels(bins))
    bottom.set_xlabel(model.features_[term.features[0]].name)
    ax.set_ylabel(_value_label(model, scale))
    ax.set_title(term.name if class_ is None else f"{term.name} (class {class_})")
    if len(outputs) > 1:
        ax.legend(title="class", fontsize="small", title_fontsize="small")
    return ax


def plot_interaction(model, pair, *, ax=None, scale="logit", class_=None, X=None):
    """Draw a pair term as a heatmap with a diverging colormap centred at no effect.

    Each of the pair's bins is one equal-sized cell (the pair's bins are quantile bins, so cells
    hold similar numbers of patients); ticks give the bin edges or categories. The missing bin
    appears as the first row/column, set apart by a white line, when training had missing values;
    the unseen bin is left out (no training data, so it scores 0). A multiclass model needs
    `class_`.

    A full monotonic network (no terms) draws the two features' joint partial dependence over
    the rows of `X` (default: rows drawn from its fitted bins), `pair` naming two features, e.g.
    ("age", "sbp"), centred at its mean; `X` is for full networks only.
    """
    if _is_network(model):
        return _plot_pair_dependence(model, pair, ax, scale, class_, X)
    _no_rows(X)
    term = _term(model, pair, "plot_interaction")
    if not term.is_pair:
        raise ValueError(f"{term.name!r} is a main effect; draw it with plot_shape.")
    _check_scale(model, scale)
    outputs = _one_class(model, _outputs(model, term, class_))
    ax = _axes(ax, (5.6, 4.4))
    shown = [_heatmap_bins(term, axis) for axis in (0, 1)]
    scores = outputs[0][1][np.ix_(*shown)]
    limit = float(np.abs(scores).max()) or 1.0
    norm = (LogNorm(np.exp(-limit), np.exp(limit)) if scale == "odds"
            else Normalize(-limit, limit))
    mesh = ax.pcolormesh(_transform(scores, scale).T, cmap="RdBu_r", norm=norm, gid="heatmap")
    colorbar = ax.figure.colorbar(mesh, ax=ax, label=_value_label(model, scale))
    if scale == "odds":
        _ratio_ticks(colorbar.ax.yaxis)
    names = [model.features_[f].name for f in term.features]
    for axis, bins, bins_shown, name in zip((ax.xaxis, ax.yaxis), term.bins, shown, names):
        _cell_ticks(axis, bins, bins_shown)
        axis.set_label_text(name)
    ax.set_title(term.name if class_ is None else f"{term.name} (class {class_})")
    return ax


def plot_shapes(model, terms=None, *, ncols=3, fig=None, scale="logit", interval=1.0,
                density=True, class_=None):
    """A grid of terms (all, or the chosen names/indices) in order of importance: main effects
    by `plot_shape`, pairs by `plot_interaction`, with the given keyword arguments."""
    require_terms(model, "plot_shapes")
    chosen = model.terms_ if terms is None else [_term(model, t, "plot_shapes") for t in terms]
    rank = {name: i for i, name in enumerate(_importances(model).index)}
    chosen = sorted(chosen, key=lambda t: rank[t.name])
    if class_ is None and model_link(model) == "softmax" and any(t.is_pair for t in chosen):
        mains = [t.name for t in chosen if not t.is_pair]
        raise ValueError("plot_shapes: a multiclass model's pairs are drawn one class at a time; "
                         f"pass class_ (one of {listed(model.classes_)}), or terms= its main "
                         f"effects only, e.g. terms={mains[:3]}.")
    ncols = max(1, min(ncols, len(chosen)))
    nrows = math.ceil(len(chosen) / ncols)
    fig = fig if fig is not None else plt.figure(figsize=(4.6 * ncols, 3.5 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, term in zip(axes, chosen):
        if term.is_pair:
            plot_interaction(model, term.name, ax=ax, scale=scale, class_=class_)
        else:
            plot_shape(model, term.name, ax=ax, scale=scale, interval=interval, density=density,
                       class_=class_)
    for ax in axes[len(chosen):]:
        ax.remove()
    fig.tight_layout()
    return fig


def plot_importances(model, X=None, *, ax=None, top=None):
    """Horizontal bars of the terms' importances (mean |contribution|), largest at the top:
    over the training data, or over the rows of `X` (`term_importances(X)`). A full network's
    bars are its features' mean |Shapley value| over the rows of `X` (default: rows drawn from
    its fitted bins)."""
    network = _is_network(model)
    if not network:
        require_terms(model, "plot_importances")
    _check_top(top, none="every term")
    importances = _importances(model, X).iloc[:top]
    ax = _axes(ax, (6.4, 0.8 + 0.32 * len(importances)))
    positions = np.arange(len(importances))
    bars = ax.barh(positions, importances.to_numpy(), color="C0", gid="importance")
    ax.bar_label(bars, fmt="%.3g", padding=3, fontsize="small")
    ax.set_yticks(positions, importances.index)
    ax.set_ylim(len(importances) - 0.4, -0.6)
    ax.margins(x=0.12)
    scale = _value_label(model, "logit")
    ax.set_xlabel(f"mean |Shapley value| ({scale})" if network else f"mean |{scale}|")
    ax.set_title(("Feature importance" if network else "Term importance")
                 + (f" over {len(X):,} rows" if X is not None else ""))
    return ax


def plot_fairness_tradeoff(comparison, *, x="demographic_parity_difference", y="auroc",
                           ax=None):
    """Accuracy against parity: one labelled point per row of a
    `glassbox.fairness.compare_strategies` table (columns `x` and `y`). Down-left is fairer,
    up is more accurate; the reference (fitted with the sensitive features) is drawn hollow."""
    missing = [c for c in (x, y) if c not in comparison.columns]
    if missing:
        raise ValueError(f"The comparison has no column(s) {missing}; its columns are "
                         f"{list(comparison.columns)}.")
    ax = _axes(ax, (6.4, 4.4))
    names = list(comparison.index)
    hollow = ["none" if i == 0 else f"C{i}" for i in range(len(names))]
    ax.scatter(comparison[x], comparison[y], s=60, facecolors=hollow,
               edgecolors=[f"C{i}" for i in range(len(names))], gid="strategies")
    labels = {}  # strategies at the same point (e.g. equal predictions) share one label
    for name, point in zip(names, comparison[[x, y]].to_numpy()):
        labels.setdefault(tuple(np.round(point, 12)), []).append(name)
    for i, ((px, py), group) in enumerate(labels.items()):  # alternate above and below
        ax.annotate(" = ".join(group), (px, py), xytext=(6, 5 if i % 2 == 0 else -13),
                    textcoords="offset points", fontsize="small")
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.upper() if y in ("auroc", "auprc") else y.replace("_", " "))
    ax.set_xlim(left=0)
    ax.margins(x=0.25, y=0.15)
    ax.set_title("Accuracy and parity of the invariance strategies")
    return ax


def plot_contributions(model, x_row, *, ax=None, top=10, class_=None, background=None):
    """A waterfall for one patient (`x_row`: a one-row DataFrame, a Series or dict of values by
    column, or an array in the features' order): from the intercept, add each term's
    contribution (largest |contribution| first, the rest grouped as "other terms") to reach the
    raw score; classifiers also show the predicted probability. A multiclass model shows `class_`, by default the
    predicted class.

    A full monotonic network (no terms) starts from its baseline, the mean raw score of the
    `background` rows, and adds each feature's Shapley value (its `explain`); the title says
    whether they are exact. `background` is for full networks only.
    """
    _check_top(top)
    network = _is_network(model)
    if not network:
        require_terms(model, "plot_contributions")
        _no_rows(background, "background")
    given, row = _one_row(model, x_row)
    base, contributions, raw, probability, label, method = _explained_row(model, given, class_,
                                                                           background)
    order = contributions.abs().sort_values(ascending=False, kind="stable").index
    steps = contributions[order[:top]]
    names = [_step_label(model, name, row, network) for name in steps.index]
    if len(order) > top:
        steps = pd.concat([steps, pd.Series({"other": contributions[order[top:]].sum()})])
        names.append(f"other {'features' if network else 'terms'} ({len(order) - top})")
    names = [textwrap.fill(name, _LABEL_WIDTH) for name in names]  # long names: more lines
    longest = max(len(line) for name in names for line in name.split("\n"))
    lines = max(name.count("\n") + 1 for name in names)
    ax = _axes(ax, (max(7.0, 4.0 + 0.085 * longest),
                    1.4 + (0.36 + 0.2 * (lines - 1)) * (len(steps) + 2)))
    path = base + np.concatenate([[0.0], np.cumsum(steps.to_numpy())])
    positions = np.arange(1, len(steps) + 1)
    ax.barh(positions, steps.to_numpy(), left=path[:-1], gid="contributions",
            color=[_RISK_UP if c > 0 else _RISK_DOWN for c in steps])
    for position, change, right in zip(positions, steps, np.maximum(path[:-1], path[1:])):
        ax.annotate(f"{change:+.2f}", (right, position), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize="small")
    start = "baseline" if network else "intercept"
    for position, value, kind, shade in ((0, base, start, "0.5"),
                                         (len(steps) + 1, raw, "prediction", "0.1")):
        ax.plot(value, position, "D", color=shade, ms=7, gid=kind)
        ax.axvline(value, color=shade, ls=":", lw=1, zorder=0)
    ax.set_yticks(np.arange(len(steps) + 2),
                  [f"{start} ({base:.2f})", *names, f"raw score ({raw:.2f})"])
    ax.set_ylim(len(steps) + 1.6, -0.6)
    span = np.ptp(path) or 1.0
    ax.set_xlim(path.min() - 0.08 * span, path.max() + 0.2 * span)
    ax.set_xlabel(_value_label(model, "logit").replace("contribution", "score")
                  + "\n(red raises it, blue lowers it)")
    summary = f"raw score {raw:.2f}"
    if model_link(model) == "log":
        summary += f"  →  prediction {inverse_link('log', raw):.4g}"
    if probability is not None:
        target = "probability" if label is None else f"P({label}) ="
        summary += f"  →  {target} {probability:.1%}"
    if method is not None:
        summary += "\n" + "\n".join(textwrap.wrap(method, 70))
    ax.set_title(summary, fontsize="medium", gid="probability")
    return ax


# --------------------------------------------------------------------------------------------------
# full networks: what they give instead of terms
# --------------------------------------------------------------------------------------------------

def _is_network(model):
    """A full monotonic network: no terms, but views computed by evaluating it."""
    return not hasattr(model, "terms_") and hasattr(model, "partial_dependence")


def _no_rows(rows, name="X"):
    if rows is not None:
        raise ValueError(f"{name} is for a full network's partial dependence or attributions; a "
                         "model made of terms draws its terms.")


def _plot_dependence(model, feature, ax, scale, class_, X):
    """`plot_shape` of a full network: light ICE curves, their average in bold, the missing
    value on a side panel, and whether the feature is monotone by construction in the title."""
    _check_scale(model, scale)
    dependence = model.partial_dependence(feature, X)
    ax = _axes(ax, (6.4, 4.2))
    if scale == "odds":
        ax.set_yscale("log")
        _ratio_ticks(ax.yaxis)
    categorical = dependence.kind == "categorical"
    selected = _selected(model, dependence.ice.ndim == 2, class_)
    offsets, _ = _offsets(len(selected), width=0.5)
    side = (make_axes_locatable(ax).append_axes("right", size=0.75, pad=0.12, sharey=ax)
            if dependence.missing is not None else None)
    for i, (offset, (label, k)) in enumerate(zip(offsets, selected)):
        color = f"C{i}"
        ice = dependence.ice if k is None else dependence.ice[..., k]
        if categorical:
            x = np.arange(len(dependence.grid)) + offset
            ax.plot(np.tile(x, len(ice)), _transform(ice, scale).ravel(), "_", ms=9, color=color,
                    alpha=0.3, gid=_gid("ice", label))
        else:
            x = dependence.grid
            curves = np.stack(np.broadcast_arrays(x, _transform(ice, scale)), axis=-1)
            ax.add_collection(LineCollection(curves, colors=color, alpha=0.15, lw=0.7,
                                             gid=_gid("ice", label)))
        ax.plot(x, _transform(ice.mean(axis=0), scale), "D" if categorical else "-",
                color=color, lw=2.2, gid=_gid("pdp", label),
                label=label if label is not None else "_pdp")
        if side is not None:
            missing = dependence.missing if k is None else dependence.missing[..., k]
            side.plot(np.full(len(missing), offset), _transform(missing, scale), "_", ms=9,
                      color=color, alpha=0.3, gid=_gid("missing_ice", label))
            side.plot(offset, _transform(missing.mean(), scale), "o", color=color, ms=6,
                      gid=_gid("missing", label))
    ax.autoscale_view()
    if categorical:
        ax.set_xlim(-0.6, len(dependence.grid) - 0.4)
        _set_ticks(ax.xaxis, np.arange(len(dependence.grid)), [str(c) for c in dependence.grid])
    if side is not None:
        side.set_xticks([0], ["missing"], fontsize="small")
        side.set_xlim(-0.6, 0.6)
        side.tick_params(labelleft=False)
    ax.set_xlabel(dependence.feature)
    ax.set_ylabel(_dependence_label(model, scale))
    title = dependence.feature if class_ is None else f"{dependence.feature} (class {class_})"
    ax.set_title(f"{title}\n{_guarantee_caption(dependence)}", fontsize="medium")
    if len(selected) > 1:
        ax.legend(title="class", fontsize="small", title_fontsize="small")
    return ax


def _guarantee_caption(dependence):
    if not dependence.direction:
        return "not constrained: no monotone guarantee"
    way = "non-decreasing" if dependence.direction > 0 else "non-increasing"
    check = (f"all {dependence.ice.shape[0]} ICE curves checked" if dependence.monotone else
             f"ICE curves break it by up to {dependence.max_violation:.2g}")
    return f"monotone {way} by construction ({check})"


def _dependence_label(model, scale):
    if scale == "odds":
        return "odds (partial dependence)"
    return ("log-odds (partial dependence)" if _is_classifier(model)
            else "raw score, link scale (partial dependence)")


def _plot_pair_dependence(model, pair, ax, scale, class_, X):
    """`plot_interaction` of a full network: its two-feature partial dependence as a heatmap
    with a diverging colormap centred at the mean over the grid."""
    _check_scale(model, scale)
    dependence = model.pair_dependence(pair, X)
    ((label, k),) = _one_class(model, _selected(model, dependence.values.ndim == 2, class_))
    values = dependence.values if k is None else dependence.values[..., k]
    ax = _axes(ax, (5.6, 4.4))
    centre = float(values.mean())
    limit = float(np.abs(values - centre).max()) or 1.0
    norm = (LogNorm(np.exp(centre - limit), np.exp(centre + limit)) if scale == "odds"
            else Normalize(centre - limit, centre + limit))
    mesh = ax.pcolormesh(_transform(values, scale).T, cmap="RdBu_r", norm=norm, gid="heatmap")
    colorbar = ax.figure.colorbar(mesh, ax=ax, label=_dependence_label(model, scale))
    if scale == "odds":
        _ratio_ticks(colorbar.ax.yaxis)
    for axis, grid, has_missing, name in zip((ax.xaxis, ax.yaxis), dependence.grids,
                                             dependence.has_missing, dependence.features):
        _grid_ticks(axis, grid, has_missing)
        axis.set_label_text(name)
    title = " & ".join(dependence.features) + ": partial dependence"
    ax.set_title(title if label is None else f"{title} (class {label})")
    return ax


# --------------------------------------------------------------------------------------------------
# reading the model
# --------------------------------------------------------------------------------------------------

def _term(model, term, what):
    """The model's Term given by name, index or feature name (`terms.find_term`)."""
    index = find_term(model, term, what=what)
    return model.terms_[index]


def _importances(model, X=None):
    return model.term_importances(X).sort_values(ascending=False, kind="stable")


def _is_classifier(model):
    return model_link(model) in CLASSIFIER_LINKS


def _class_index(model, class_):
    classes = list(model.classes_)
    for k, candidate in enumerate(classes):
        if candidate == class_:
            return k
    text = [k for k, candidate in enumerate(classes) if str(candidate) == str(class_)]
    hint = f" (the class {listed([classes[text[0]]])} is not the text {class_!r})" if text else ""
    raise ValueError(f"Unknown class {class_!r}{hint}; the classes are {listed(classes)}.")


def _selected(model, single, class_):
    """(class label, class index) of every output to draw: (None, None) for the single output
    of a binary classifier or regressor, else each class of a multiclass model (or `class_`)."""
    if single:
        if class_ is not None:
            raise ValueError("class_ selects a class of a multiclass model; this model has a "
                             "single output.")
        return [(None, None)]
    classes = list(model.classes_) if class_ is None else [class_]
    return [(c, _class_index(model, c)) for c in classes]


def _outputs(model, term, class_):
    """(class label or None, scores, stds) of every output to draw (see `_selected`)."""
    return [(c, term.scores, term.stds) if k is None else
            (c, term.scores[..., k], term.stds[..., k])
            for c, k in _selected(model, term.scores.ndim == len(term.bins), class_)]


def _one_class(model, outputs):
    """The outputs of a heatmap, which shows one class at a time."""
    if len(outputs) > 1:
        raise ValueError("A multiclass pair is drawn one class at a time: pass class_, one of "
                         f"{listed(model.classes_)}.")
    return outputs


def _special_bins(term, bins):
    """(bin, name) of the bins drawn apart: missing when training had missing values or it
    scores, unseen for a categorical feature (where a new category can appear) or when it scores."""
    def in_use(b):
        return term.weights[b] > 0 or bool(np.any(term.scores[b] != 0))
    special = [(0, "missing")] if in_use(0) else []
    if bins.kind == "categorical" or in_use(bins.unseen_bin):
        special.append((bins.unseen_bin, "unseen"))
    return special


def _heatmap_bins(term, axis):
    """Bins of a pair's axis drawn in the heatmap: missing (if it has training weight), then the
    value bins."""
    bins = term.bins[axis]
    has_missing = np.take(term.weights, 0, axis=axis).sum() > 0
    return np.arange(0 if has_missing else 1, bins.unseen_bin)


def _one_row(model, x_row):
    """(the row as `explain` takes it, the row as a DataFrame named by the model's features) of a
    one-row DataFrame, a Series or dict of the row's values by column name, or a 1-D array in
    the order of `features_` (named for a model fitted on named columns)."""
    if isinstance(x_row, pd.DataFrame):
        if len(x_row) != 1:
            raise ValueError(f"x_row must hold one row, got {len(x_row)}.")
        names = getattr(model, "feature_names_in_", None)
        return x_row, x_row if names is None else text_labels(x_row, names)
    if isinstance(x_row, (pd.Series, dict)):
        frame = pd.DataFrame([dict(x_row)])
        return frame, frame
    values = np.asarray(x_row).ravel()
    names = [f.name for f in model.features_]
    if len(values) != len(names):
        raise ValueError(f"x_row has {len(values)} values but the model has {len(names)} "
                         "features.")
    frame = pd.DataFrame([dict(zip(names, values))])
    return (frame if hasattr(model, "feature_names_in_") else values.reshape(1, -1)), frame


def _explained_row(model, row, class_, background):
    """(intercept, contributions Series, raw score, probability or None, the class the score
    and probability are of (a binary classifier's second class) or None, how the contributions
    were computed or None) of one row, for `class_` (default: the predicted class) of a
    multiclass model. A full network's explanation starts from its
    baseline (`attrs`) instead of an intercept."""
    explained = model.explain(row) if background is None else model.explain(row, background)
    intercept = explained.attrs["baseline"] if "baseline" in explained.attrs else model.intercept_
    method = explained.attrs.get("method")
    if not isinstance(explained.columns, pd.MultiIndex):
        if class_ is not None:
            raise ValueError("class_ selects a class of a multiclass model; this model has a "
                             "single output.")
        contributions = explained.iloc[0]
        base = float(np.asarray(intercept))
        raw = base + contributions.sum()
        link = model_link(model)
        probability = float(inverse_link(link, raw)) if link == "logit" else None
        label = model.classes_[1] if link == "logit" else None
        return base, contributions, raw, probability, label, method
    classes = list(model.classes_)
    raws = np.array([intercept[k] + explained[c].iloc[0].sum() for k, c in enumerate(classes)])
    k = int(np.argmax(raws)) if class_ is None else _class_index(model, class_)
    probabilities = class_probabilities(model_link(model), raws)
    return (float(intercept[k]), explained[classes[k]].iloc[0], float(raws[k]),
            float(probabilities[k]), classes[k], method)


def _step_label(model, name, row, network):
    """'name = value' for each feature of a term (the one feature of a full network's
    attribution), from the patient's row; a value training never saw (which its terms score 0)
    is marked."""
    if network:
        return f"{name} = {_format_value(row[name].iloc[0])}"
    features = [model.features_[f] for f in _term(model, name, "plot_contributions").features]
    return " & ".join(f"{f.name} = {_format_value(row[f.name].iloc[0])}"
                      f"{_unseen_mark(f, row[f.name].iloc[0])}" for f in features)


def _unseen_mark(feature, value):
    if pd.isna(value):
        return "" if feature.has_missing else " (none in training)"
    bins = feature.bins
    if bins.kind == "categorical" and bins.codes(np.array([value], dtype=object))[0] == \
            bins.unseen_bin:  # the lookup that scores it
        return " (unseen)"
    return ""


def _format_value(value):
    if pd.isna(value):
        return "missing"
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)


# --------------------------------------------------------------------------------------------------
# scales
# --------------------------------------------------------------------------------------------------

def _check_interval(interval):
    if (isinstance(interval, bool) or not isinstance(interval, (int, float, np.number))
            or not 0 <= interval < np.inf):
        raise ValueError("interval must be a number >= 0 (the band's half-width in bag "
                         f"standard deviations; 0 draws none), got {interval!r}.")


def _check_top(top, none=None):
    if top is None and none:
        return
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        also = f" or None ({none})" if none else ""
        raise ValueError(f"top must be a positive whole number{also}, got {top!r}.")


def _check_scale(model, scale):
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}.")
    if scale == "odds" and not _is_classifier(model):
        raise ValueError("scale='odds' needs a classifier; a regressor's contributions are on "
                         "its link scale (scale='logit').")


def _transform(scores, scale):
    return np.exp(scores) if scale == "odds" else scores


def _reference(scale):
    """The value of no effect: 0 on the log-odds scale, an odds ratio of 1."""
    return 1.0 if scale == "odds" else 0.0


def _value_label(model, scale):
    """The name of a term's values on `scale`. A binary classifier's are for its second class,
    which the label names (with text labels it need not be the event); a multiclass model's
    are softmax scores, and exp of one is not that class's odds ratio, since the other classes'
    scores move too."""
    if not _is_classifier(model):
        return "contribution (link scale)"
    if len(model.classes_) > 2:
        return "exp(class score)" if scale == "odds" else "class score (softmax)"
    of = f" of class {model.classes_[1]}"
    return ("odds ratio" if scale == "odds" else "log-odds contribution") + of


def _ratio_ticks(axis):
    """Readable ratio ticks (0.5, 1, 2, ...) on a log axis, without minor ticks."""
    axis.set_major_locator(_OddsLocator())
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


class _OddsLocator(Locator):
    """Ticks of a log axis at readable ratios (…, 0.5, 1, 2, 5, …), denser on narrow ranges;
    on a range too narrow for any of them (a small effect), evenly spaced round values."""

    _MANTISSAS = ((1,), (1, 2, 5), (1, 1.5, 2, 3, 5, 7),
                  (1, 1.1, 1.2, 1.3, 1.5, 1.7, 2, 2.5, 3, 4, 5, 6, 7, 8, 9))

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((max(vmin, 1e-300), max(vmax, 1e-300)))
        decades = range(math.floor(math.log10(vmin)), math.ceil(math.log10(vmax)) + 1)
        for mantissas in self._MANTISSAS:
            ticks = [m * 10.0 ** d for d in decades for m in mantissas if vmin <= m * 10.0 ** d
                     <= vmax]
            if len(ticks) >= 3:
                break
        if len(ticks) < 2:
            even = MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax)
            ticks = [v for v in even if vmin <= v <= vmax]
        return np.array(ticks)


# --------------------------------------------------------------------------------------------------
# drawing helpers
# --------------------------------------------------------------------------------------------------

_LABEL_WIDTH = 48
"""Characters per line of a waterfall's row label; longer labels wrap."""


def _axes(ax, figsize):
    return ax if ax is not None else plt.subplots(figsize=figsize, layout="tight")[1]


def _gid(kind, label):
    return kind if label is None else f"{kind}:{label}"


def _bands(outputs, bins, scale, interval):
    """(label, value, lower, upper, colour) per output on the chosen bins and scale."""
    return [(label, _transform(s[bins], scale), _transform(s[bins] - interval * sd[bins], scale),
             _transform(s[bins] + interval * sd[bins], scale), f"C{i}")
            for i, (label, s, sd) in enumerate(outputs)]


def _offsets(n, width=0.8):
    """Positions of n side-by-side marks within a slot of `width`, and the width of each."""
    each = width / n
    return (np.arange(n) - (n - 1) / 2) * each, each


def _range_labels(bins):
    """Each value bin's range ("< 0.5", "[0.5, 2)", "≥ 2"), for a feature of few bins, such as a
    0/1 flag, whose axis would otherwise show values that no row has: the bins' own labels, with
    the open outer bins written as inequalities."""
    edges = bins.edges
    if len(edges) == 0:
        return ["all"]
    return [f"< {edges[0]:.4g}", *bins.labels()[2:-2], f"≥ {edges[-1]:.4g}"]


def _finite_edges(bins):
    """The value bins' boundaries with the open outer bins closed one typical bin width out."""
    edges = bins.edges
    if len(edges) == 0:
        return np.array([-0.5, 0.5])
    width = (edges[-1] - edges[0]) / (len(edges) - 1) if len(edges) > 1 else 1.0
    return np.concatenate([[edges[0] - width], edges, [edges[-1] + width]])


def _steps(ax, x, mid, low, high, color, label):
    """A step curve over bin boundaries `x` with its uncertainty band."""
    ax.stairs(high, x, baseline=low, fill=True, color=color, alpha=0.25, lw=0,
              gid=_gid("band", label))
    ax.stairs(mid, x, baseline=None, color=color, lw=1.8, gid=_gid("shape", label),
              label=label if label is not None else "_shape")


def _intervals(ax, positions, low, high, color, label):
    """Vertical segments from each lower to each upper bound."""
    ax.vlines(positions, low, high, color="0.15" if label is None else color, lw=1.2,
              gid=_gid("interval", label))


def _bars(ax, positions, bands, reference):
    """Bars from the reference line to each value, one group per position, with intervals."""
    offsets, width = _offsets(len(bands))
    for offset, (label, mid, low, high, color) in zip(offsets, bands):
        ax.bar(positions + offset, mid - reference, width, bottom=reference, color=color,
               alpha=0.8, gid=_gid("bars", label), label=label if label is not None else "_bars")
        _intervals(ax, positions + offset, low, high, color, label)


def _special_panel(divider, ax, term, outputs, special, scale, interval):
    """The missing/unseen bins as points with intervals on a panel right of the shape."""
    side = divider.append_axes("right", size=0.25 + 0.5 * len(special), pad=0.12, sharey=ax)
    bins = [b for b, _ in special]
    offsets, _ = _offsets(len(outputs), width=0.5)
    for offset, (label, mid, low, high, color) in zip(offsets, _bands(outputs, bins, scale,
                                                                      interval)):
        for position, (_, name) in enumerate(special):
            side.plot(position + offset, mid[position], "o", color=color, ms=5,
                      gid=_gid(name, label))
        _intervals(side, np.arange(len(special)) + offset, low, high, color, label)
    side.axhline(_reference(scale), color="0.4", lw=0.8, zorder=0, gid="reference")
    side.set_xticks(range(len(special)),
                    [f"{name}\n(n={term.counts[b]:.0f})" for b, name in special],
                    fontsize="small")
    side.set_xlim(-0.6, len(special) - 0.4)
    side.tick_params(labelleft=False)


def _density_steps(edges, counts):
    """Edges and heights of the density strip of continuous bins: adjacent bins merged until
    each step spans at least 1/_DENSITY_BARS of the range (a bin as narrow as a single value
    would be a spike no screen shows), each step's area the count of the bins it holds."""
    min_width = (edges[-1] - edges[0]) / _DENSITY_BARS
    kept = [0]
    for i in range(1, len(edges)):
        if edges[i] - edges[kept[-1]] >= min_width:
            kept.append(i)
    if kept[-1] != len(edges) - 1:  # a narrow last step joins the one before it
        kept[-1] = len(edges) - 1
    kept = np.asarray(kept)
    merged = np.add.reduceat(counts, kept[:-1])
    return edges[kept], merged / np.diff(edges[kept])


def _density_strip(divider, ax, at, heights, continuous):
    """Training counts as a thin strip beneath the shape: for continuous bins one filled step
    outline over the step edges `at` (each step's area is the count it spans, see
    `_density_steps`), else a bar per category at the positions `at`; returns the strip (which
    carries the x tick labels)."""
    strip = divider.append_axes("bottom", size="14%", pad=0.05, sharex=ax)
    if continuous:
        strip.stairs(heights, at, fill=True, color="0.55", lw=0, gid="density")
    else:
        strip.bar(at, heights, 0.6, color="0.55", lw=0, gid="density")
    strip.set_yticks([])
    strip.set_ylabel("data", rotation=0, ha="right", va="center", fontsize="small")
    ax.tick_params(labelbottom=False)
    return strip


def _set_ticks(axis, positions, labels):
    """Small tick labels, slanted on an x axis when they would not fit side by side."""
    slant = axis is axis.axes.xaxis and sum(len(label) for label in labels) > 40
    axis.set_ticks(positions, labels, fontsize="small",
                   **({"rotation": 30, "ha": "right"} if slant else {}))


def _edge_labels(edges):
    """Edges printed with the decimals their spacing needs (one significant digit of it)."""
    if len(edges) < 2:
        return [f"{e:.3g}" for e in edges]
    decimals = int(np.clip(1 - math.floor(math.log10(np.diff(edges).min())), 0, 6))
    return [f"{e:.{decimals}f}" for e in edges]


def _cell_ticks(axis, bins, shown):
    """Ticks of a heatmap axis with one unit cell per bin: categories (and "missing") at cell
    centres, the edges of continuous bins at cell boundaries (thinned to a readable number)."""
    offset = int(shown[0] == 0)
    positions, labels = ([0.5], ["missing"]) if offset else ([], [])
    if bins.kind == "categorical":
        positions += list(offset + np.arange(bins.n_values) + 0.5)
        labels += bins.labels()[1:-1]
    else:
        step = max(1, math.ceil(len(bins.edges) / _MAX_EDGE_LABELS))
        at = np.arange((1 + offset) * step - 1, len(bins.edges), step)  # clear of "missing"
        positions += list(offset + 1 + at)
        labels += _edge_labels(bins.edges[at])
    _set_ticks(axis, positions, labels)
    if offset:
        _missing_line(axis)


def _grid_ticks(axis, grid, has_missing):
    """Ticks of a partial-dependence heatmap axis with one unit cell per grid value: "missing"
    first when present, then the values at cell centres (thinned to a readable number)."""
    offset = int(has_missing)
    values = grid[offset:]
    at = np.arange(0, len(values), max(1, math.ceil(len(values) / _MAX_EDGE_LABELS)))
    labels = ([str(v) for v in values[at]] if values.dtype == object
              else _edge_labels(values[at].astype(float)))
    _set_ticks(axis, [0.5] * offset + list(offset + at + 0.5), ["missing"] * offset + labels)
    if offset:
        _missing_line(axis)


def _missing_line(axis):
    """The white line setting a heatmap's missing row/column apart."""
    line = axis.axes.axvline if axis is axis.axes.xaxis else axis.axes.axhline
    line(1, color="white", lw=1.5)
