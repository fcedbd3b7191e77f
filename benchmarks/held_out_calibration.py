"""How confident the classifier's held-out probabilities are, on the folds of `bench_vs_interpret`.

Reads held-out folds, so it explains a benchmark result and chooses nothing: per dataset, the
mean held-out AUC (macro one-vs-rest for several classes) and log loss of the boosted GAM at its
defaults (seeded as `bench_vs_interpret` seeds it), its largest |logit| on the held-out rows and
the most main-effect rounds a bag ran, beside scikit-learn's HistGradientBoostingClassifier and
a logistic regression on standardised columns, as references for the log loss, and (with
`--interpret`) interpret's ExplainableBoostingClassifier at its defaults, seeded by the fold.

    .venv/bin/python -m benchmarks.held_out_calibration --datasets iris,wine,breast-cancer
    .venv/bin/python -m benchmarks.held_out_calibration --datasets iris \
        --glassbox-params '{"interactions": 0}'
    .venv/bin/python -m benchmarks.held_out_calibration --datasets iris --interpret
"""

import json
import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from interpret.glassbox import ExplainableBoostingClassifier

from glassbox import BoostedGAMClassifier

from . import _data
from .bench_vs_interpret import folds_for, glassbox_params, held_out_parser, score

REFERENCES = {
    "hist-gradient-boosting": lambda seed: HistGradientBoostingClassifier(random_state=seed),
    "logistic": lambda seed: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
}


def main(argv=None):
    parser = held_out_parser(__doc__, "iris,wine", "classification datasets")
    parser.add_argument("--glassbox-params", type=json.loads, default={},
                        help="JSON object of settings for the boosted GAM")
    parser.add_argument("--interpret", action="store_true",
                        help="also fit interpret's EBM at its defaults (slow on some tables)")
    args = parser.parse_args(argv)
    references = dict(REFERENCES)
    if args.interpret:
        references["interpret"] = lambda seed: ExplainableBoostingClassifier(random_state=seed)
    warnings.filterwarnings("ignore", category=UserWarning)
    for name in args.datasets.split(","):
        dataset = _data.DATASETS[name]
        X, y = dataset.load(args.data_dir)
        measured = {"glassbox": [], **{r: [] for r in references}}
        largest_logit, most_rounds = 0.0, 0
        for seed, (train, test) in enumerate(
                folds_for(dataset, args.folds, args.repeats).split(X, y)):
            model = BoostedGAMClassifier(**glassbox_params(dataset, "defaults", seed,
                                                                args.glassbox_params))
            model.fit(X.iloc[train], y[train])
            largest_logit = max(largest_logit,
                                float(np.abs(model.decision_function(X.iloc[test])).max()))
            most_rounds = max(most_rounds, int(np.asarray(model.bag_rounds_)[:, 0].max()))
            models = {"glassbox": model, **{r: make(seed).fit(X.iloc[train], y[train])
                                            for r, make in references.items()}}
            for label, fitted in models.items():
                measured[label].append((score(dataset, fitted, X.iloc[test], y[test]),
                                        log_loss(y[test], fitted.predict_proba(X.iloc[test]),
                                                 labels=fitted.classes_)))
        print(f"{name} ({args.folds} folds x {args.repeats}): largest held-out |logit| "
              f"{largest_logit:.1f}, most main-effect rounds in a bag {most_rounds}")
        for label, pairs in measured.items():
            auc, loss = np.mean(pairs, axis=0)
            print(f"  {label:24s} AUC {auc:.4f}  log loss {loss:.3f}")


if __name__ == "__main__":
    main()
