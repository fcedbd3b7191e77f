"""The scikit-learn estimator contract, with each expected failure's reason taken from the estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor
from glassbox.dask import DaskBoostedGAMClassifier, DaskBoostedGAMRegressor
from glassbox.fairness import ConstrainedLoss, DropSensitive, TestTimeBlind, TrainThenClean

# Small settings keep the ~80 checks per estimator fast; the contract does not depend on them.
FAST = dict(outer_bags=2, max_rounds=200, early_stopping_rounds=10, random_state=0)
# The data-parallel estimators make one Python call per boosting step (built for big tables):
# fewer rounds keep their checks as fast.
FAST_STEPS = dict(outer_bags=2, max_rounds=30, early_stopping_rounds=5, random_state=0)


# The fairness strategies wrap an estimator; their sensitive feature is the first column.
STRATEGIES = [Strategy(inner(**FAST), [0]) for Strategy in (DropSensitive, TrainThenClean,
                                                             TestTimeBlind)
              for inner in (BoostedGAMClassifier, BoostedGAMRegressor)]


@parametrize_with_checks(
    [BoostedGAMClassifier(**FAST), BoostedGAMRegressor(**FAST),
     DaskBoostedGAMClassifier(**FAST_STEPS), DaskBoostedGAMRegressor(**FAST_STEPS), *STRATEGIES,
     ConstrainedLoss(BoostedGAMClassifier(**FAST), [0])],
    expected_failed_checks=lambda est: est._expected_failed_checks(),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
