"""How a fitted additive model presents itself: a summary table for scripts and a compact HTML
view for notebooks (terms by importance, each with a small inline shape)."""

import html

import numpy as np
import pandas as pd

from .explain import importances

_SPARK_WIDTH, _SPARK_HEIGHT = 120, 28
_GRID = 12  # cells per side of a pair's heat grid


def summary_frame(model):
    """One row per term, most important first: its kind, feature types, bin count, importance,
    the range of its scores (link scale; over every class's scores for a multiclass model) and
    whether it scores missing values (of either feature, for a pair) learnt from training rows."""
    order = importances(model.terms_)
    rows = []
    for term in model.terms_:
        with_data = term.weights > 0
        scores = term.scores[with_data]  # (bins with data,) or (bins with data, classes)
        rows.append({
            "term": term.name,
            "kind": "pair" if term.is_pair else "main",
            "type": " × ".join(b.kind for b in term.bins),
            "bins": int(np.prod([b.n_values for b in term.bins])),
            "importance": order[term.name],
            "min_score": float(scores.min()) if with_data.any() else 0.0,
            "max_score": float(scores.max()) if with_data.any() else 0.0,
            "missing_scored": any(np.take(term.weights, 0, axis=a).sum() > 0
                                  for a in range(len(term.features))),
        })
    frame = pd.DataFrame(rows).set_index("term")
    return frame.loc[order.index]


def html_summary(model, max_terms=30):
    """A self-contained HTML table of the model's terms (no scripts, no external files)."""
    summary = summary_frame(model)
    terms = {t.name: t for t in model.terms_}
    top = summary.importance.max() or 1.0
    intercept = np.atleast_1d(model.intercept_)
    head = (f"<b>{html.escape(type(model).__name__)}</b>: {len(model.terms_)} terms "
            f"({int((summary.kind == 'pair').sum())} pairs), intercept "
            + ", ".join(f"{v:.4g}" for v in intercept))
    if hasattr(model, "classes_"):
        head += ", classes " + html.escape(", ".join(str(c) for c in model.classes_))
    rows = []
    for name, row in summary.head(max_terms).iterrows():
        bar = (f'<div style="background:#4c72b0;height:10px;'
               f'width:{100 * row.importance / top:.0f}px"></div>')
        rows.append(f"<tr><td style='text-align:left'>{html.escape(name)}</td>"
                    f"<td>{row.importance:.4f}</td><td>{bar}</td>"
                    f"<td>{_sparkline(terms[name])}</td>"
                    f"<td>{row.min_score:.3g} … {row.max_score:.3g}</td></tr>")
    more = len(summary) - max_terms
    tail = f"<p>… and {more} more terms (see <code>summary()</code>).</p>" if more > 0 else ""
    return (f"<div class='glassbox-summary'><p>{head}</p><table>"
            "<tr><th>term</th><th>importance</th><th></th><th>shape</th>"
            "<th>score range</th></tr>" + "".join(rows) + "</table>" + tail + "</div>")


def _sparkline(term):
    """An inline SVG of a term: its step curve over the value bins, or a heat grid for a pair."""
    scores = term.scores if term.scores.ndim == len(term.bins) else term.scores.mean(axis=-1)
    values = scores[(slice(1, -1),) * len(term.bins)]
    extent = float(np.abs(values).max()) or 1.0
    if term.is_pair:
        values = _block_means(values, _GRID)
        n_a, n_b = values.shape
        cells = []
        for a in range(n_a):
            for b in range(n_b):
                cells.append(f'<rect x="{b * _SPARK_WIDTH / n_b:.1f}" '
                             f'y="{a * _SPARK_HEIGHT / n_a:.1f}" '
                             f'width="{_SPARK_WIDTH / n_b + 0.5:.1f}" '
                             f'height="{_SPARK_HEIGHT / n_a + 0.5:.1f}" '
                             f'fill="{_diverging(values[a, b] / extent)}"/>')
        body = "".join(cells)
    else:
        x = np.repeat(np.linspace(0, _SPARK_WIDTH, len(values) + 1), 2)[1:-1]
        y = _SPARK_HEIGHT / 2 * (1 - np.repeat(values, 2) / extent)
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y))
        body = (f'<line x1="0" x2="{_SPARK_WIDTH}" y1="{_SPARK_HEIGHT / 2}" '
                f'y2="{_SPARK_HEIGHT / 2}" stroke="#bbb" stroke-width="0.5"/>'
                f'<polyline points="{points}" fill="none" stroke="#c44e52" stroke-width="1.2"/>')
    return (f'<svg width="{_SPARK_WIDTH}" height="{_SPARK_HEIGHT}" '
            f'xmlns="http://www.w3.org/2000/svg">{body}</svg>')


def _block_means(values, cells):
    """Average a 2-D array down to at most `cells` x `cells` blocks."""
    for axis in (0, 1):
        blocks = np.array_split(np.arange(values.shape[axis]), min(cells, values.shape[axis]))
        values = np.stack([values.take(b, axis=axis).mean(axis=axis) for b in blocks], axis=axis)
    return values


def _diverging(t):
    """Blue (negative) to white to red (positive) for t in [-1, 1]."""
    t = float(np.clip(t, -1, 1))
    if t >= 0:
        return f"rgb(255,{int(255 * (1 - t))},{int(255 * (1 - t))})"
    return f"rgb({int(255 * (1 + t))},{int(255 * (1 + t))},255)"
