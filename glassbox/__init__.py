"""glassbox: glass-box tabular models for healthcare."""

from ._additive import UnseenValueWarning
from .gam import BoostedGAMClassifier, BoostedGAMRegressor
from .monotonic import MonotonicNetClassifier, MonotonicNetRegressor

__version__ = "0.1.0"

__all__ = ["BoostedGAMClassifier", "BoostedGAMRegressor", "MonotonicNetClassifier",
           "MonotonicNetRegressor", "UnseenValueWarning", "__version__"]
