"""Simulated cohorts with known generating models."""

from ._pneumonia import load_pneumonia
from ._simulated import (make_null_cohort, make_proxy_cohort, make_risk_cohort,
                         make_threshold_cohort)

__all__ = ["load_pneumonia", "make_null_cohort", "make_proxy_cohort", "make_risk_cohort", "make_threshold_cohort"]
