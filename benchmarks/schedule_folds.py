"""Each smoothing schedule of the boosted GAM on the folds of `bench_vs_interpret`, fold by fold.

Reads held-out folds, so it explains a benchmark result and chooses nothing: per fold, the
held-out score of `smoothing_schedule="greedy"`, `"cyclic"` and `"auto"` (glassbox's defaults
otherwise, seeded as `bench_vs_interpret` seeds them), the schedule "auto" kept and its margin
in standard errors; then the means, and the mean of the better schedule per fold chosen with
hindsight (the most any choice between the two could score).

    .venv/bin/python -m benchmarks.schedule_folds --datasets auto-mpg,diabetes
"""

import warnings

import numpy as np

from . import _data
from .bench_vs_interpret import (folds_for, glassbox_class, glassbox_params, held_out_parser,
                                 score)

SCHEDULES = ("greedy", "cyclic", "auto")


def main(argv=None):
    parser = held_out_parser(__doc__, "auto-mpg,diabetes", "datasets")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    for name in args.datasets.split(","):
        dataset = _data.DATASETS[name]
        X, y = dataset.load(args.data_dir)
        print(f"{name}: held-out score per fold, {' / '.join(SCHEDULES)}; what auto kept")
        scores = []
        for fold, (train, test) in enumerate(
                folds_for(dataset, args.folds, args.repeats).split(X, y)):
            row = []
            for schedule in SCHEDULES:
                model = glassbox_class(dataset)(**glassbox_params(
                    dataset, "defaults", fold, {"smoothing_schedule": schedule}))
                model.fit(X.iloc[train], y[train])
                row.append(score(dataset, model, X.iloc[test], y[test]))
            report = model.fit_report_
            comparison = report["smoothing_validation_loss"]
            margin = f"{comparison['cyclic_z']:+.2f} SE" if comparison else "not compared"
            print(f"  fold {fold}: " + " / ".join(f"{s:.4f}" for s in row)
                  + f"; {report['smoothing_schedule']} ({margin})")
            scores.append(row)
        scores = np.array(scores)
        means = " / ".join(f"{m:.4f}" for m in scores.mean(axis=0))
        print(f"  mean: {means}; better of greedy and cyclic per fold, with hindsight: "
              f"{scores[:, :2].max(axis=1).mean():.4f}")


if __name__ == "__main__":
    main()
