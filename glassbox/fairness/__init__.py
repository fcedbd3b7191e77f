"""Fairness invariance strategies, and the measurements that show what each achieves.

Four strategies, each a scikit-learn meta-estimator `Strategy(estimator, sensitive_features)`
fitted on an X holding the sensitive columns, whose predictions do not depend on their values
(X at prediction may hold them or not):

- `DropSensitive`: fit without the sensitive columns (proxies may carry their signal);
- `TrainThenClean`: fit with them, then remove what was learned from them (`clean`), leaving an
  ordinary glass-box model;
- `TestTimeBlind`: fit with them, average them out (or fix them) at prediction;
- `ConstrainedLoss`: train a boosted GAM whose loss enforces parity between groups.

Measurements: `fairness_report` (outcomes per group with bootstrap intervals), `flip_test`,
`sensitive_recovery_auc`, `gap_decomposition` (which terms carry the gap between groups) and
`compare_strategies` (everything side by side).
"""

from ._assessment import (FairnessReport, fairness_report, flip_test, gap_decomposition,
                          sensitive_recovery_auc)
from ._clean import clean
from ._compare import compare_strategies
from ._constrained import ConstrainedLoss
from ._sensitive import SmallGroupWarning
from ._strategies import DropSensitive, TestTimeBlind, TrainThenClean

__all__ = ["ConstrainedLoss", "DropSensitive", "FairnessReport", "SmallGroupWarning",
           "TestTimeBlind", "TrainThenClean", "clean", "compare_strategies", "fairness_report",
           "flip_test", "gap_decomposition", "sensitive_recovery_auc"]
