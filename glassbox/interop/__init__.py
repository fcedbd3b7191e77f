"""Models from other libraries as glassbox models, and glassbox models as interpret EBMs.

`from_interpret` and `from_pygam` turn a fitted interpret EBM or pyGAM model into a glassbox model
made of terms, so that glassbox's explanations, plots, edits, anomaly finder, fairness cleaning,
SQL export and model files apply to it (and, for a binary classifier, the fairness report and
the audit report); `to_interpret` goes the other way for interpret's dashboard. Neither library
is a glassbox dependency (`pip install interpret-core pygam`), and neither is imported until one
of these functions is called.
"""

from ._interpret import from_interpret, to_interpret
from ._pygam import from_pygam

__all__ = ["from_interpret", "from_pygam", "to_interpret"]
