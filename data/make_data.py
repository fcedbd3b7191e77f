"""Regenerate the CSV files in data/ from glassbox's simulated-cohort loaders.

    python data/make_data.py              # every cohort
    python data/make_data.py maternal_morbidity

Each CSV is a cohort at its loader's default seed and size: the features and the target, one row
per simulated record, written so that reading it back gives the loader's frame exactly (see
`read_cohort`). To add a cohort, add its loader to COHORTS; its data card (<name>.md) is written
by hand.
"""

import sys
from pathlib import Path

import pandas as pd

from glassbox.datasets import load_maternal_morbidity, load_pneumonia

HERE = Path(__file__).resolve().parent

COHORTS = {
    "maternal_morbidity": load_maternal_morbidity,
    "pneumonia": load_pneumonia,
}


def cohort_frame(name):
    """The cohort's features and target as its loader gives them at the defaults."""
    return COHORTS[name](as_frame=True).frame


def read_cohort(name, directory=HERE):
    """A CSV written by `write_cohort`, with the loader's dtypes (categories and their order)."""
    expected = cohort_frame(name).dtypes
    categorical = {column: dtype for column, dtype in expected.items()
                   if isinstance(dtype, pd.CategoricalDtype)}
    # pandas 3 parses floats to the nearest double by default (and deprecates the option);
    # pandas 2 needs "round_trip" for the values to come back bit for bit.
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(Path(directory) / f"{name}.csv", dtype=categorical, **exact)


def write_cohort(name, directory=HERE):
    path = Path(directory) / f"{name}.csv"
    cohort_frame(name).to_csv(path, index=False, lineterminator="\n")
    return path


def main(names):
    for name in names or list(COHORTS):
        if name not in COHORTS:
            raise SystemExit(f"unknown cohort {name!r}; known: {', '.join(COHORTS)}")
        print(write_cohort(name))


if __name__ == "__main__":
    main(sys.argv[1:])
