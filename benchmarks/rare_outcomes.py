"""The hessian floor on rare outcomes, against simulated truth.

Binary outcomes at three prevalences (about 1 %, 4 % and 11 %): a linear effect, a sine and a
pair on six normal features, 20,000 training and 20,000 fresh rows per seed. For each prevalence,
the boosted GAM with and without the floor (`min_hessian` 0.1 and 0): the excess log loss of its
fresh-row probabilities over the true ones (the expected Kullback-Leibler divergence per row)
and the fresh-row AUC, each the mean over the seeds. A low-risk leaf's hessian is small at a rare
outcome for a reason other than near certainty, so this is where the floor could cost.

    .venv/bin/python -m benchmarks.rare_outcomes
"""

import argparse

import numpy as np
from sklearn.metrics import roc_auc_score

from glassbox import BoostedGAMClassifier

INTERCEPTS = (-6.0, -4.5, -3.0)


def draw(intercept, n, seed):
    """Features, outcomes and true probabilities of one simulated cohort."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    logit = intercept + 1.5 * X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * X[:, 2] * X[:, 3]
    p = 1 / (1 + np.exp(-logit))
    return X, (rng.random(n) < p).astype(int), p


def excess_log_loss(p, q):
    """Expected log loss of probabilities `q` over that of the true `p`, per row."""
    return float(np.mean(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="training rows (and fresh rows)")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    print("intercept  prevalence  min_hessian  excess log loss  AUC")
    for intercept in INTERCEPTS:
        for floor in (0.1, 0.0):
            measured = []
            for seed in range(args.seeds):
                X, y, p = draw(intercept, 2 * args.rows, seed)
                train, fresh = slice(0, args.rows), slice(args.rows, None)
                model = BoostedGAMClassifier(min_hessian=floor, random_state=seed)
                q = model.fit(X[train], y[train]).predict_proba(X[fresh])[:, 1]
                measured.append((excess_log_loss(p[fresh], q), roc_auc_score(y[fresh], q),
                                 y.mean()))
            loss, auc, prevalence = np.mean(measured, axis=0)
            print(f"{intercept:9.1f}  {prevalence:10.4f}  {floor:11.1f}  {loss:15.5f}  {auc:.5f}")


if __name__ == "__main__":
    main()
