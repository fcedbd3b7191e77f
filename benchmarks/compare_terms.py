"""How glassbox and interpret's EBM share out what correlated features say.

Both libraries at their defaults (``random_state=0``) are fitted to the whole of one benchmark
dataset; for each feature the report gives the absolute correlations with the other features
and each model's importance of its main effect: the standard deviation of the term's
contribution over the rows, in the model's link units. Where features are strongly correlated,
two models of equal accuracy can divide their shared signal differently, and a shape read as
"this feature matters little" may only mean that a correlated feature took it.

    .venv/bin/python -m benchmarks.compare_terms --dataset auto-mpg \\
        --output benchmarks/results/compare_terms_auto_mpg.md
"""

import argparse
import shlex
import sys
import warnings

import pandas as pd
from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor

from . import _data
from ._report import commit, publish


def importances(X, y, regression):
    """Per-feature main-effect importance of each library's default model fitted to (X, y)."""
    ours = (BoostedGAMRegressor if regression else BoostedGAMClassifier)(random_state=0)
    theirs = (ExplainableBoostingRegressor if regression
              else ExplainableBoostingClassifier)(random_state=0)
    ours.fit(X, y)
    theirs.fit(X, y)
    return pd.DataFrame({
        "glassbox": ours.explain(X).std(axis=0).reindex(X.columns),
        "interpret": pd.Series(theirs.eval_terms(X).std(axis=0),
                               index=theirs.term_names_).reindex(X.columns),
    })


def report(name, X, y, regression, command):
    correlations = X.select_dtypes("number").corr().abs()
    table = importances(X, y, regression)
    lines = [f"## Main-effect importance on {name}: glassbox vs interpret's EBM", "",
             f"- commit {commit()}; command `{command}`",
             "- both at their defaults, random_state=0, fitted to every row; importance = SD of "
             "the term's contribution over the rows (link units)", "",
             "| feature | strongest correlations (abs) | glassbox | interpret |",
             "|---|---|---:|---:|"]
    for feature, row in table.iterrows():
        others = (correlations[feature].drop(feature).sort_values(ascending=False).head(3)
                  if feature in correlations else pd.Series(dtype=float))
        said = ", ".join(f"{other} {value:.2f}" for other, value in others.items())
        lines.append(f"| {feature} | {said} | {row['glassbox']:.2f} | {row['interpret']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="auto-mpg",
                        help="a binary or regression table of benchmarks/_data.py "
                             "(default: %(default)s)")
    parser.add_argument("--data-dir", default=str(_data.DATA_DIR),
                        help="folder holding benchmarks/ and monotonic/ (see benchmarks/_data.py)")
    parser.add_argument("--output", help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.dataset not in _data.DATASETS:
        parser.error(f"unknown dataset {args.dataset!r}; choose from {', '.join(_data.DATASETS)}")
    dataset = _data.DATASETS[args.dataset]
    if dataset.simulated or dataset.task == "multiclass":
        parser.error(f"{args.dataset} is {'simulated' if dataset.simulated else 'multiclass'}; "
                     "choose a binary or regression table read from the data folder")
    X, y = dataset.load(args.data_dir)
    warnings.filterwarnings("ignore", category=UserWarning)
    argv = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", "-m", "benchmarks.compare_terms", *argv])
    publish(report(dataset.name, X, y, dataset.regression, command), args.output)


if __name__ == "__main__":
    main()
