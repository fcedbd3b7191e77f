"""Data-parallel boosted GAMs on Dask: each worker holds its rows for the whole fit.

`DaskBoostedGAMClassifier` and `DaskBoostedGAMRegressor` take Dask DataFrames and Arrays (or
tables in memory) and fit the model a `BoostedGAMClassifier` / `BoostedGAMRegressor` would,
bitwise identically whatever the number of workers or the partitioning (docs/scaling.md).
Importing this module does not import Dask; fitting on a Dask collection needs a Dask client.
"""

from ._estimators import DaskBoostedGAMClassifier, DaskBoostedGAMRegressor
from ._workers import ClusterOverheadWarning, WorkerLostError

__all__ = ["ClusterOverheadWarning", "DaskBoostedGAMClassifier", "DaskBoostedGAMRegressor",
           "WorkerLostError"]
