"""`python -m glassbox.demo`: fit a boosted GAM on a simulated cohort, report it, save it as JSON."""

import argparse
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split

from .datasets import make_risk_cohort
from .gam import BoostedGAMClassifier
from .io import load_model, save_model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--output", type=Path, default=Path("demo-output"))
    args = parser.parse_args(argv)

    X, y, _ = make_risk_cohort(n_samples=args.rows, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=0)
    print(f"Simulated cohort (not patient data): {len(X_train)} training and {len(X_test)} test "
          f"rows, {X.shape[1]} features, outcome rate {y.mean():.1%}.")
    started = time.perf_counter()
    model = BoostedGAMClassifier(n_jobs=-1, random_state=0).fit(X_train, y_train)
    print(f"Fitted in {time.perf_counter() - started:.1f} s (the first fit in a new environment "
          "also compiles the kernels).")
    proba = model.predict_proba(X_test)[:, 1]
    print(f"Test ROC AUC {roc_auc_score(y_test, proba):.4f}, accuracy "
          f"{accuracy_score(y_test, model.predict(X_test)):.4f}")
    print("\nThe 15 most important terms (mean |contribution| to the log-odds):")
    print(model.term_importances().head(15).round(4).to_string())

    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / "risk_model.json"
    save_model(model, path)
    reloaded = load_model(path)
    assert (reloaded.predict_proba(X_test) == model.predict_proba(X_test)).all()
    print(f"\nModel saved as JSON to {path.resolve()} (reloaded: identical predictions).")


if __name__ == "__main__":
    main()
