"""Draw the plot gallery of docs/plots.md into docs/images/.

Run from the repository root:  .venv/bin/python docs/make_gallery.py
"""

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


if __name__ == "__main__":
    main()
