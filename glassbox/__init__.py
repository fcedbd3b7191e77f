"""glassbox: glass-box tabular models for healthcare."""

from ._additive import UnseenValueWarning
from ._tabular import (ConstantFeatureWarning, IdentifierWarning, RareClassWarning,
                       RepeatedRowsWarning)
from ._model import AdditiveClassifier, AdditiveRegressor, build_model
from .gam import BoostedGAMClassifier, BoostedGAMRegressor
from .io import ModelFileError
from .monotonic import MonotonicNetClassifier, MonotonicNetRegressor
from .terms import validate_model

__version__ = "0.1.0"

__all__ = ["AdditiveClassifier", "AdditiveRegressor", "BoostedGAMClassifier",
           "BoostedGAMRegressor", "ConstantFeatureWarning", "IdentifierWarning", "ModelFileError",
           "MonotonicNetClassifier", "MonotonicNetRegressor", "RareClassWarning",
           "RepeatedRowsWarning", "UnseenValueWarning",
           "build_model", "validate_model", "__version__"]
