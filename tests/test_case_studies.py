"""The case-study scripts run end to end (in their fast smoke mode) and write what they promise."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from glassbox.io import load_model

ROOT = Path(__file__).resolve().parent.parent


def run_smoke(study, output):
    script = ROOT / "case_studies" / study / f"{study}.py"
    run = subprocess.run([sys.executable, str(script), "--smoke", "--output", str(output)],
                         capture_output=True, text=True, timeout=600, cwd=output)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "done. Figures, tables" in run.stdout
    models = pd.read_csv(output / "models.csv", index_col=0)
    assert len(models) == 4 and (models["test AUROC"] > 0.65).all()
    for name in ("importances.png", "edit_log.csv", "fairness.csv", "fairness_tradeoff.png"):
        assert (output / name).stat().st_size > 0, name


def test_pneumonia_case_study(tmp_path):
    run_smoke("pneumonia", tmp_path)
    for name in ("creatinine.png", "flags.png", "pneumonia_model.json", "audit_report.html"):
        assert (tmp_path / name).stat().st_size > 0, name
    log = pd.read_csv(tmp_path / "edit_log.csv")
    assert list(log["term"]) == ["creatinine", "asthma", "chest_pain_history", "heart_disease",
                                 "chronic_lung_disease"]
    corrected = load_model(tmp_path / "pneumonia_model_corrected.json")
    assert len(corrected.edit_log_) == 5 and all(e["reason"] for e in corrected.edit_log_)


def test_maternal_morbidity_case_study(tmp_path):
    run_smoke("maternal_morbidity", tmp_path)
    importances = pd.read_csv(tmp_path / "importances.csv", index_col=0)
    assert importances.index[0] == "birthweight_height_ratio"
    ratio = pd.read_csv(tmp_path / "ratio_vs_raw.csv", index_col=0)["test AUROC"]
    assert ratio["with the ratio"] > ratio["birthweight and height only"]
    assert "DRAFT" in (tmp_path / "audit_report.html").read_text(encoding="utf-8")
    edited = load_model(tmp_path / "smm_model_edited.json")
    assert edited.edit_log_[-1]["edit"] == "monotonize"
