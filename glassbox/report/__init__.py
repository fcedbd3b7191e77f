"""Audit reports: one self-contained HTML file per model, mapped to the clinical reporting
standards (TRIPOD+AI, ONC HTI-1, the CHAI Applied Model Card)."""

from ._audit import audit_report
from ._card import HUMAN_FIELDS, NEEDS_INPUT

__all__ = ["HUMAN_FIELDS", "NEEDS_INPUT", "audit_report"]
