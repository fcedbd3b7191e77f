"""A self-contained HTML document: inline CSS, figures as inline PNG data, no scripts that run,
no network. It prints to PDF from any browser."""

import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c1c1c;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccc;
     margin-top: 2em; page-break-after: avoid; } h3 { page-break-after: avoid; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.needs { background: #fff3cd; color: #7a5b00; font-weight: 600; }
.draft { background: #b00020; color: white; padding: 0.6em 1em; font-weight: 700; }
.final { background: #1b5e20; color: white; padding: 0.6em 1em; font-weight: 700; }
.warn { background: #fff3cd; border-left: 4px solid #e0a800; padding: 0.5em 0.8em; }
.note { color: #555; font-size: 0.9em; }
figure { display: inline-block; margin: 0.3em; page-break-inside: avoid; }
figure img { max-width: 100%; }
.shapes figure { width: 32%; } .shapes img { width: 100%; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
@media print { body { max-width: none; margin: 0; } .shapes figure { width: 31%; }
               h2 { page-break-before: auto; } }
"""


def figure_html(figure, caption, *, alt=None, dpi=80):
    """A matplotlib figure as an inline PNG <figure> (the figure is closed). Every figure of the
    report has a tight layout, which fits it to its canvas: the layout is computed once, then the
    figure drawn once (saving a figure that keeps its layout engine, or with a tight bounding box,
    draws it twice)."""
    engine = figure.get_layout_engine()
    if engine is None:
        raise ValueError("a report figure needs a layout engine (layout='tight')")
    engine.execute(figure)
    figure.set_layout_engine("none")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt or caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def table_html(frame, *, index=True, digits=3, highlight=None):
    """A DataFrame as an HTML table; numbers rounded to `digits`, cells equal to `highlight`
    marked."""
    frame = frame if index else frame.reset_index(drop=True)
    head = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for label, values in frame.iterrows():
        cells = [f"<th>{html.escape(str(label))}</th>"] if index else []
        for value in values:
            cells.append(_cell(value, digits, highlight))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _cell(value, digits, highlight):
    if isinstance(value, (float, np.floating)):
        text = "—" if np.isnan(value) else f"{value:.{digits}f}"
        return f'<td class="num">{text}</td>'
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f'<td class="num">{value:,}</td>'
    text = html.escape(str(value))
    return f'<td class="needs">{text}</td>' if value == highlight else f"<td>{text}</td>"


def records_html(records, columns):
    return table_html(pd.DataFrame(records, columns=columns), index=False)


def document(title, header, sections, embedded):
    """The whole page: a `header` (html), `sections` as (heading, body html), and `embedded`
    mapping element ids to JSON text carried inertly in the page
    (`<script type="application/json">`, which browsers never run)."""
    data = "".join(f'<script type="application/json" id="{key}">{_inert(text)}</script>'
                   for key, text in embedded.items())
    body = "".join(f'<section id="{_slug(heading)}"><h2>{html.escape(heading)}</h2>{content}'
                   "</section>" for heading, content in sections)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{header}{body}{data}</body></html>")


def _inert(text):
    return text.replace("</", "<\\/")  # JSON inside <script> cannot close the element


def _slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
