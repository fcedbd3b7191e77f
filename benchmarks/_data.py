"""Benchmark datasets: public files read from a data directory, plus bundled and simulated sets.

Every loader returns ``(X, y)``: X a DataFrame with columns as read (missing values stay NaN and
string columns stay strings, so every model receives the same raw frame and does its own
preprocessing) and y an integer class array (classification) or a float array (regression).

Where the data live
-------------------
The public files are never part of the repository. They are read from a data directory holding
two sub-folders, ``benchmarks/`` and ``monotonic/``, at the paths listed below. The
directory is, in order of precedence: the ``--data-dir`` option of a benchmark script, the
``GLASSBOX_DATA`` environment variable, or ``shared/data`` in the parent folder of the repository
(``<repo>/../shared/data``). A missing file raises FileNotFoundError naming the file, its source
and the directory that was searched.

Sources: download each file from its source and save it under the path given.

* framingham (binary): ``benchmarks/framingham.csv``, the Framingham Heart Study teaching extract
  (4,240 rows, target ``TenYearCHD``),
  https://www.kaggle.com/datasets/aasheesh200/framingham-heart-study-dataset (licence: as stated
  on that page; de-identified NHLBI teaching data). Some copies name the sex column
  ``male``; rename it to ``sex``.
* stroke (binary): ``benchmarks/stroke.csv``, the Stroke Prediction Dataset (5,110 rows, target
  ``stroke``; the file ``healthcare-dataset-stroke-data.csv`` renamed),
  https://www.kaggle.com/datasets/fedesoriano/stroke-prediction-dataset (licence: as stated on
  that page).
* heart-failure (binary): ``benchmarks/heart_failure_clinical_records_dataset.csv``, Heart
  Failure Clinical Records (Chicco & Jurman, 2020; 299 rows, target ``DEATH_EVENT``),
  https://archive.ics.uci.edu/dataset/519 (CC BY 4.0). ``time`` (follow-up time) is dropped
  because it leaks the label.
* fetal-health (multiclass): ``benchmarks/fetal_health.csv``, Fetal Health Classification
  (2,126 cardiotocograms, target ``fetal_health``: 1 normal, 2 suspect, 3 pathological),
  https://www.kaggle.com/datasets/andrewmvd/fetal-health-classification, a CSV of UCI's
  Cardiotocography data (Ayres-de-Campos et al., 2000), https://archive.ics.uci.edu/dataset/193
  (CC BY 4.0).
* maternal-health (multiclass): ``benchmarks/maternal_health_risk.csv``, Maternal Health Risk
  (Ahmed, 2023; 1,014 rows, target ``RiskLevel``: low/mid/high risk),
  https://archive.ics.uci.edu/dataset/863 (CC BY 4.0).
* auto-mpg (regression): ``monotonic/train_auto.csv`` and ``monotonic/test_auto.csv``, UCI Auto
  MPG (https://archive.ics.uci.edu/dataset/9, CC BY 4.0) as split and standardised by the
  Certified Monotonic Networks paper (Liu et al., 2020),
  https://github.com/gnobitab/CertifiedMonotonicNetwork. The two splits are concatenated
  (392 rows, 7 numeric features, target ``ground_truth``, miles per gallon).
* breast-cancer (binary) and diabetes (regression): bundled with scikit-learn
  (``load_breast_cancer``, ``load_diabetes``; BSD-3).
* compas (binary): ``monotonic/train_compas.csv`` and ``monotonic/test_compas.csv``,
  ProPublica's COMPAS recidivism data as split and scaled by the Certified Monotonic Networks
  paper (link above), concatenated (6,172 rows, 13 features, target ``ground_truth``).
* iris and wine (multiclass): bundled with scikit-learn (``load_iris``, ``load_wine``; BSD-3).
  These three tables were added after the defaults were chosen, to check them on data no choice
  was made on.
* digits (multiclass): scikit-learn's ``load_digits`` (BSD-3): 1,797 8 × 8 images of
  handwritten digits, 64 pixel counts, 10 classes; added after the hessian floor was chosen, to
  check held-out probabilities on many classes.
* simulated (binary): ``glassbox.datasets.make_risk_cohort`` with 20 features and 3 planted
  interactions. simulated-regression: the true log-odds of another such cohort plus Gaussian
  noise (noise SD half the signal's SD, so the best achievable R² is about 0.8).
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine

from glassbox.datasets import make_risk_cohort

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ENV = "GLASSBOX_DATA"
DATA_DIR = Path(os.environ.get(DATA_ENV, REPO_ROOT.parent / "shared" / "data")).resolve()
DEFAULT_DATA_DIR = DATA_DIR / "benchmarks"
"""Folder of the healthcare CSV files (its sibling ``monotonic/`` holds the Auto MPG splits)."""

SIMULATED_FEATURES = 20
SIMULATED_INTERACTIONS = 3
SIMULATED_NOISE = 0.5
"""Noise SD of the simulated regression target, relative to the SD of its signal."""


def _read_csv(data_dir, relative_path, source, na_values=None):
    path = Path(data_dir) / relative_path
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found. Download it from {source} and save it as {relative_path} under "
            f"the data directory (--data-dir, or the {DATA_ENV} environment variable; searched "
            f"{Path(data_dir).resolve()}). See benchmarks/_data.py for every source.")
    return pd.read_csv(path, na_values=na_values)


def _framingham(data_dir):
    frame = _read_csv(data_dir, "benchmarks/framingham.csv",
                      "https://www.kaggle.com/datasets/aasheesh200/framingham-heart-study-dataset")
    return frame, frame.pop("TenYearCHD").to_numpy(dtype=np.int64)


def _stroke(data_dir):
    frame = _read_csv(data_dir, "benchmarks/stroke.csv",
                      "https://www.kaggle.com/datasets/fedesoriano/stroke-prediction-dataset",
                      na_values=["N/A"]).drop(columns=["id"])
    return frame, frame.pop("stroke").to_numpy(dtype=np.int64)


def _heart_failure(data_dir):
    frame = _read_csv(data_dir, "benchmarks/heart_failure_clinical_records_dataset.csv",
                      "https://archive.ics.uci.edu/dataset/519").drop(columns=["time"])
    return frame, frame.pop("DEATH_EVENT").to_numpy(dtype=np.int64)


def _fetal_health(data_dir):
    frame = _read_csv(data_dir, "benchmarks/fetal_health.csv",
                      "https://www.kaggle.com/datasets/andrewmvd/fetal-health-classification")
    return frame, frame.pop("fetal_health").to_numpy(dtype=np.int64)


def _maternal_health(data_dir):
    frame = _read_csv(data_dir, "benchmarks/maternal_health_risk.csv",
                      "https://archive.ics.uci.edu/dataset/863")
    levels = {"low risk": 0, "mid risk": 1, "high risk": 2}
    return frame, frame.pop("RiskLevel").map(levels).to_numpy(dtype=np.int64)


def _auto_mpg(data_dir):
    source = "https://github.com/gnobitab/CertifiedMonotonicNetwork"
    frame = pd.concat([_read_csv(data_dir, f"monotonic/{part}_auto.csv", source)
                       for part in ("train", "test")], ignore_index=True)
    return frame, frame.pop("ground_truth").to_numpy(dtype=np.float64)


def _compas(data_dir):
    source = "https://github.com/gnobitab/CertifiedMonotonicNetwork"
    frame = pd.concat([_read_csv(data_dir, f"monotonic/{part}_compas.csv", source)
                       for part in ("train", "test")], ignore_index=True)
    return frame, frame.pop("ground_truth").to_numpy(dtype=np.int64)


def _bundled(loader):
    def read(data_dir):
        X, y = loader(as_frame=True, return_X_y=True)
        return X, y.to_numpy(dtype=np.int64)
    return read


def _diabetes(data_dir):
    X, y = load_diabetes(as_frame=True, return_X_y=True)
    return X, y.to_numpy(dtype=np.float64)


def _simulated(n_samples):
    X, y, _ = make_risk_cohort(n_samples, SIMULATED_FEATURES, SIMULATED_INTERACTIONS,
                               random_state=0)
    return X, y.astype(np.int64)


def _simulated_regression(n_samples):
    """The cohort's true log-odds (mains, pairs, missingness effects) plus Gaussian noise."""
    X, _, truth = make_risk_cohort(n_samples, SIMULATED_FEATURES, SIMULATED_INTERACTIONS,
                                   random_state=1)
    signal = truth.sum(axis=1).to_numpy()
    noise = np.random.default_rng(1).normal(0.0, SIMULATED_NOISE * signal.std(), n_samples)
    return X, signal + noise


@dataclass(frozen=True)
class Dataset:
    """A benchmark dataset: its task ("binary", "multiclass" or "regression") and its reader."""

    name: str
    task: str
    reader: Callable
    simulated: bool = False

    @property
    def regression(self):
        return self.task == "regression"

    def load(self, data_dir=DATA_DIR, n_samples=None):
        """``(X, y)``; simulated sets need `n_samples`, the others are read from `data_dir`."""
        if self.simulated:
            if n_samples is None:
                raise ValueError(f"{self.name} is simulated: give n_samples.")
            return self.reader(n_samples)
        return self.reader(data_dir)


DATASETS = {d.name: d for d in [
    Dataset("framingham", "binary", _framingham),
    Dataset("stroke", "binary", _stroke),
    Dataset("heart-failure", "binary", _heart_failure),
    Dataset("breast-cancer", "binary", _bundled(load_breast_cancer)),
    Dataset("fetal-health", "multiclass", _fetal_health),
    Dataset("maternal-health", "multiclass", _maternal_health),
    Dataset("simulated", "binary", _simulated, simulated=True),
    Dataset("diabetes", "regression", _diabetes),
    Dataset("auto-mpg", "regression", _auto_mpg),
    Dataset("simulated-regression", "regression", _simulated_regression, simulated=True),
    Dataset("compas", "binary", _compas),
    Dataset("iris", "multiclass", _bundled(load_iris)),
    Dataset("wine", "multiclass", _bundled(load_wine)),
    Dataset("digits", "multiclass", _bundled(load_digits)),
]}
