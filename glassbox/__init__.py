"""glassbox: glass-box tabular models for healthcare."""

from ._additive import UnseenValueWarning
from .gam import BoostedGAMClassifier, BoostedGAMRegressor

__version__ = "0.1.0"

__all__ = ["BoostedGAMClassifier", "BoostedGAMRegressor", "UnseenValueWarning", "__version__"]
