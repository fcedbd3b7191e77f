"""Benchmark datasets: each loader returns ``(X, y)`` with X a DataFrame and y an array of 0/1.

The public CSV files are read from a data directory outside the repository (they are never copied
into it). Columns are kept as read: missing values stay NaN and string columns stay strings, so
every model receives the same raw frame and does its own preprocessing.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

from glassbox.datasets import make_risk_cohort

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = (REPO_ROOT / ".." / "shared" / "data" / "benchmarks").resolve()


def _read_csv(data_dir, filename, target, drop=(), na_values=None):
    path = Path(data_dir) / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; point --data-dir at the benchmark data.")
    frame = pd.read_csv(path, na_values=na_values).drop(columns=list(drop))
    y = frame.pop(target).to_numpy(dtype=np.int64)
    return frame, y


def load_simulated(data_dir):
    """125,000 simulated rows × 20 features, 3 interactions (the 80% train split is 100,000)."""
    X, y, _ = make_risk_cohort(n_samples=125_000, n_features=20, n_interactions=3, random_state=0)
    return X, y


def load_framingham(data_dir):
    """Framingham Heart Study extract: 10-year coronary heart disease; numeric, with NaN."""
    return _read_csv(data_dir, "framingham.csv", target="TenYearCHD")


def load_stroke(data_dir):
    """Stroke prediction: mixed string and numeric columns; `bmi` holds "N/A" for missing."""
    return _read_csv(data_dir, "stroke.csv", target="stroke", drop=["id"], na_values=["N/A"])


def load_breast_cancer_frame(data_dir):
    """Wisconsin diagnostic breast cancer: 569 rows × 30 numeric features, bundled with sklearn."""
    X, y = load_breast_cancer(as_frame=True, return_X_y=True)
    return X, y.to_numpy(dtype=np.int64)


LOADERS = {
    "simulated": load_simulated,
    "framingham": load_framingham,
    "stroke": load_stroke,
    "breast-cancer": load_breast_cancer_frame,
}
