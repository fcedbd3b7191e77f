"""The case-study scripts run end to end (in their fast smoke mode) and write what they promise."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from glassbox.io import load_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("study", ["pneumonia"])
def test_case_study_runs_in_smoke_mode(study, tmp_path):
    script = ROOT / "case_studies" / study / f"{study}.py"
    run = subprocess.run([sys.executable, str(script), "--smoke", "--output", str(tmp_path)],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "done. Figures, tables and models are in" in run.stdout
    for name in ("models.csv", "importances.png", "creatinine.png", "edit_log.csv",
                 "fairness.csv", "fairness_tradeoff.png", "pneumonia_model.json",
                 "pneumonia_model_corrected.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    log = pd.read_csv(tmp_path / "edit_log.csv")
    assert list(log["term"]) == ["creatinine", "asthma", "chest_pain_history", "heart_disease",
                                 "chronic_lung_disease"]
    corrected = load_model(tmp_path / "pneumonia_model_corrected.json")
    assert len(corrected.edit_log_) == 5 and all(e["reason"] for e in corrected.edit_log_)
    models = pd.read_csv(tmp_path / "models.csv", index_col=0)
    assert (models["test AUROC"] > 0.7).all()
