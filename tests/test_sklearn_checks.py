"""The scikit-learn estimator contract, with each expected failure's reason taken from the estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassbox import BoostedGAMClassifier, BoostedGAMRegressor

# Small settings keep the ~80 checks per estimator fast; the contract does not depend on them.
FAST = dict(outer_bags=2, max_rounds=200, early_stopping_rounds=10, random_state=0)


@parametrize_with_checks(
    [BoostedGAMClassifier(**FAST), BoostedGAMRegressor(**FAST)],
    expected_failed_checks=lambda est: est._expected_failed_checks(),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
