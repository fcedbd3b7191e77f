"""Simulated cohorts with known generating models."""

from ._interacting import make_interacting_cohort
from ._maternal import load_maternal_morbidity
from ._pneumonia import load_pneumonia
from ._simulated import (make_coded_cohort, make_null_cohort, make_proxy_cohort,
                         make_risk_cohort, make_threshold_cohort)

__all__ = ["load_maternal_morbidity", "load_pneumonia", "make_coded_cohort",
           "make_interacting_cohort", "make_null_cohort", "make_proxy_cohort", "make_risk_cohort",
           "make_threshold_cohort"]
