"""What the case-study scripts share: the command line, progress, figures and the baselines.

Each script puts this folder on `sys.path` and imports it, so it runs from any directory.
"""

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.compose import make_column_transformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402


class Study:
    """A case study's options (`--smoke`, `--output`), its output folder and its progress."""

    def __init__(self, description, folder, smoke_rows):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--smoke", action="store_true",
                            help=f"a fast run on {smoke_rows:,} simulated records")
        parser.add_argument("--output", type=Path,
                            help="folder for figures, tables and the report (default: output/, "
                                 "output/smoke/ with --smoke, so a fast run keeps a full one's)")
        args = parser.parse_args([] if "ipykernel" in sys.modules else None)
        self.smoke = args.smoke
        self.output = args.output or Path(folder) / "output" / ("smoke" if args.smoke else "")
        self.rows = smoke_rows if self.smoke else None
        self.output.mkdir(parents=True, exist_ok=True)
        self.started = time.perf_counter()

    def step(self, message):
        print(f"[{time.perf_counter() - self.started:6.1f} s] {message}", flush=True)

    def save(self, figure, name):
        figure.savefig(self.output / name, dpi=100, bbox_inches="tight")
        plt.close(figure)
        return self.output / name


def models(study, X, monotonic_cst):
    """The case study's four models: the boosted GAM, a monotonic network constrained by
    `monotonic_cst`, and the two baselines (smaller settings under --smoke)."""
    from glassbox import BoostedGAMClassifier, MonotonicNetClassifier
    fast = dict(outer_bags=2, max_rounds=300) if study.smoke else {}
    label = ", ".join(f"{name} {direction:+d}" for name, direction in monotonic_cst.items())
    return {
        "BoostedGAMClassifier": BoostedGAMClassifier(n_jobs=-1, random_state=0, **fast),
        f"MonotonicNetClassifier ({label})": MonotonicNetClassifier(
            monotonic_cst=monotonic_cst, n_jobs=-1, random_state=0,
            **({"max_iter": 30} if study.smoke else {})),
        **baselines(X),
    }


def baselines(X):
    """A logistic regression (median-imputed with missing indicators, standardised, one-hot)
    and scikit-learn's histogram gradient boosting (a black box), for the columns of X."""
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    numeric = [c for c in X.columns if c not in categorical]
    linear = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                           StandardScaler()), numeric),
            (OneHotEncoder(handle_unknown="ignore"), categorical)),
        LogisticRegression(max_iter=2000))
    return {"LogisticRegression": linear,
            "HistGradientBoostingClassifier": HistGradientBoostingClassifier(
                categorical_features="from_dtype", random_state=0)}


def compare_models(study, models, X_train, y_train, X_test, y_test):
    """Fit every model, print and save its test AUROC and fit time; returns the table."""
    rows = []
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - started
        auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
        rows.append({"model": name, "test AUROC": round(auc, 4), "fit s": round(seconds, 1)})
        study.step(f"{name}: test AUROC {auc:.4f} ({seconds:.1f} s)")
    table = pd.DataFrame(rows).set_index("model")
    table.to_csv(study.output / "models.csv")
    return table
