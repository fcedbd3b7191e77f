"""Draw the plot gallery of docs/plots.md into docs/images/, and the audit report's pages of
docs/report.md (screenshots and a PDF printed by Chromium) from the pneumonia case study's report.

Run from the repository root, after the pneumonia case study for the report's pages:
    .venv/bin/python case_studies/pneumonia/pneumonia.py
    .venv/bin/python docs/make_gallery.py
"""

import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from glassbox import BoostedGAMClassifier  # noqa: E402
from glassbox.datasets import make_proxy_cohort, make_risk_cohort  # noqa: E402
from glassbox.fairness import compare_strategies  # noqa: E402
from glassbox.plot import (plot_contributions, plot_fairness_tradeoff,  # noqa: E402
                           plot_importances, plot_interaction, plot_shape, plot_shapes)

IMAGES = Path(__file__).parent / "images"
REPORT = (Path(__file__).parent.parent / "case_studies" / "pneumonia" / "output"
          / "audit_report.html")
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--hide-scrollbars"]
DPI = 100


def save(figure, name):
    figure.savefig(IMAGES / name, dpi=DPI, bbox_inches="tight", pil_kwargs={"optimize": True})
    plt.close(figure)
    print(f"wrote {IMAGES / name} ({(IMAGES / name).stat().st_size / 1024:.0f} KB)")


def main():
    IMAGES.mkdir(exist_ok=True)
    X, y, _ = make_risk_cohort(n_samples=20_000, random_state=0)
    model = BoostedGAMClassifier(n_jobs=-1, random_state=0).fit(X, y)
    importances = model.term_importances()
    top_pair = next(name for name in importances.index if " & " in name)

    save(plot_shape(model, "creatinine", scale="odds").figure, "shape_creatinine_odds.png")
    save(plot_shape(model, "admission_type", scale="odds").figure,
         "shape_admission_type_odds.png")
    save(plot_interaction(model, top_pair).figure, "interaction.png")
    save(plot_shapes(model, list(importances.index[:9])), "shapes_top9.png")
    save(plot_importances(model, top=15).figure, "importances.png")
    save(plot_contributions(model, X.iloc[[7]]).figure, "contributions.png")

    # docs/fairness.md: the strategies on the proxy cohort (its figures are quoted there)
    X, y = make_proxy_cohort(20_000, random_state=1)
    X_test, y_test = make_proxy_cohort(10_000, random_state=2)
    table = compare_strategies(BoostedGAMClassifier(n_jobs=-1, random_state=0), X, y,
                               ["group"], X_test=X_test, y_test=y_test,
                               proxies=["deprivation", "insurance"])
    print(table.drop(columns="fit_s").round(4).T.to_string())
    save(plot_fairness_tradeoff(table).figure, "fairness_tradeoff.png")


def report_pages():
    """Screenshots of the report's first pages and the whole report printed to PDF."""
    if not REPORT.is_file() or shutil.which("chromium") is None:
        print(f"skipped the report pages: needs {REPORT} and Debian's chromium")
        return
    from PIL import Image
    tall = IMAGES / "report_tall.png"
    subprocess.run([*CHROMIUM, "--window-size=1200,7200", f"--screenshot={tall}",
                    REPORT.as_uri()], check=True, capture_output=True)
    page = Image.open(tall)
    for number, top in enumerate((0, 2400, 4800), start=1):
        path = IMAGES / f"report_page{number}.png"
        page.crop((0, top, 1200, top + 2400)).convert("RGB").save(path, optimize=True)
        print(f"wrote {path}")
    tall.unlink()
    pdf = Path(__file__).parent / "report_example.pdf"
    subprocess.run([*CHROMIUM, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                    REPORT.as_uri()], check=True, capture_output=True)
    print(f"wrote {pdf} ({pdf.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
    report_pages()
