"""Scaling out: the bags of a fit run on a Dask cluster through joblib and give the same model."""

import numpy as np
import pytest
from joblib import parallel_config

from glassbox import BoostedGAMClassifier
from glassbox.datasets import make_risk_cohort

distributed = pytest.importorskip("dask.distributed")


def test_dask_backend_gives_the_same_model_as_a_local_fit():
    X, y, _ = make_risk_cohort(n_samples=2000, n_features=6, random_state=0)
    params = dict(outer_bags=3, max_rounds=200, interactions=2, random_state=0)
    local = BoostedGAMClassifier(n_jobs=1, **params).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
            remote = BoostedGAMClassifier(n_jobs=-1, **params).fit(X, y)
    assert len(stream.data) >= 2, "the bags did not run on the cluster"
    assert [t.name for t in remote.terms_] == [t.name for t in local.terms_]
    np.testing.assert_array_equal(remote.intercept_, local.intercept_)
    for a, b in zip(remote.terms_, local.terms_):
        np.testing.assert_array_equal(a.scores, b.scores)
        np.testing.assert_array_equal(a.stds, b.stds)
