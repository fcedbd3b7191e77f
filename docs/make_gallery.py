"""Draw the plot gallery of docs/plots.md into docs/images/.

Run from the repository root:  .venv/bin/python docs/make_gallery.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from glassbox import BoostedGAMClassifier  # noqa: E402
from glassbox.datasets import make_risk_cohort  # noqa: E402
from glassbox.plot import (plot_contributions, plot_importances, plot_interaction,  # noqa: E402
                           plot_shape, plot_shapes)

IMAGES = Path(__file__).parent / "images"
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


if __name__ == "__main__":
    main()
