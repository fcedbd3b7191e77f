# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Case study: severe maternal morbidity
#
# A glass-box model on a simulated birth cohort (`glassbox.datasets.load_maternal_morbidity`;
# not patient data), grounded on what generalized additive models found in 32,203 nulliparous,
# term, singleton, vertex births. The strongest driver of severe maternal morbidity (SMM) was
# not a diagnosis but a proportion: the baby's weight over the mother's height. That is a
# lesson about what to measure as much as about what to predict.
#
# Run it as a script (`python case_studies/maternal_morbidity/maternal_morbidity.py`) or open it
# as a notebook with jupytext. Outputs go to `case_studies/maternal_morbidity/output/`;
# `--smoke` runs a fast version on a small sample.

# %%
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from common import Study, compare_models  # noqa: E402
from common import models as models_for  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from glassbox import BoostedGAMClassifier, edit, inspect  # noqa: E402
from glassbox.datasets import load_maternal_morbidity  # noqa: E402
from glassbox.fairness import compare_strategies  # noqa: E402
from glassbox.io import save_model  # noqa: E402
from glassbox.plot import plot_fairness_tradeoff, plot_importances, plot_shape  # noqa: E402
from glassbox.report import audit_report  # noqa: E402

study = Study("The severe maternal morbidity case study.", HERE, smoke_rows=8_000)
step, save, OUTPUT = study.step, study.save, study.output

# %% [markdown]
# ## The cohort
#
# 15 features: the mother's age, height, BMI and race, IVF, pre-eclampsia or gestational
# hypertension, gestational age, induction, epidural, the infant's sex and birthweight, the
# engineered ratio birthweight / maternal height (g/cm), and the durations of labour
# (admission to complete dilation, and the second stage). About 1.2 % of births have SMM.

# %%
cohort = load_maternal_morbidity(return_truth=True,
                                 **({"n_samples": study.rows} if study.smoke else {}))
X, y = cohort.data, cohort.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                    random_state=0)
step(f"{len(X):,} simulated births, {X.shape[1]} features, SMM {y.mean():.2%} "
     f"({int(y.sum())} events)")

# %% [markdown]
# ## Four models
#
# The boosted GAM, a monotonic network in which risk never falls as the ratio rises, and the
# two baselines.

# %%
fast = dict(outer_bags=2, max_rounds=300) if study.smoke else {}
models = models_for(study, X, {"birthweight_height_ratio": 1})
compare_models(study, models, X_train, y_train, X_test, y_test)

# %% [markdown]
# ## What the glass box reveals
#
# **The ratio ranks first**, ahead of pre-eclampsia: a small mother carrying a large baby is at
# the highest risk, more than either measurement alone says.

# %%
gam = models["BoostedGAMClassifier"]
importances = gam.term_importances()
rank = {name: int(np.flatnonzero(importances.index == name)[0]) + 1
        for name in ("birthweight_height_ratio", "preeclampsia")}
importances.round(4).to_csv(OUTPUT / "importances.csv")
save(plot_importances(gam, top=15).figure, "importances.png")
save(plot_shape(gam, "birthweight_height_ratio", scale="odds").figure, "ratio.png")
step(f"term importances (mean |log-odds|):\n{importances.head(8).round(3).to_string()}\n"
     f"the ratio ranks #{rank['birthweight_height_ratio']}, pre-eclampsia "
     f"#{rank['preeclampsia']}")

# %% [markdown]
# **The engineered ratio beats the raw measurements.** The same model without the ratio column
# has birthweight and height as separate shapes, which cannot express their proportion.

# %%
without = BoostedGAMClassifier(n_jobs=-1, random_state=0, **fast).fit(
    X_train.drop(columns="birthweight_height_ratio"), y_train)
ratio_table = pd.DataFrame({"test AUROC": [
    roc_auc_score(y_test, gam.predict_proba(X_test)[:, 1]),
    roc_auc_score(y_test, without.predict_proba(
        X_test.drop(columns="birthweight_height_ratio"))[:, 1])]},
    index=["with the ratio", "birthweight and height only"]).round(4)
ratio_table.to_csv(OUTPUT / "ratio_vs_raw.csv")
step(f"engineered ratio against the raw measurements:\n{ratio_table.to_string()}")
ratio_table

# %% [markdown]
# **Labour durations.** Risk rises smoothly once admission to complete dilation passes 12 hours,
# and steps up at 4 hours of second stage, where intervention is triggered. Operative deliveries
# end most long second stages just after 4 hours, so the fitted step is spread over 4.0-4.5 h;
# the anomaly finder reports the steps it finds sharp.

# %%
save(plot_shape(gam, "admission_to_dilation_h", scale="odds").figure, "admission_to_dilation.png")
save(plot_shape(gam, "second_stage_h", scale="odds").figure, "second_stage.png")
steps = inspect.find_discontinuities(gam, min_jump=0.1, min_samples=100, min_z=2.0)
steps.to_csv(OUTPUT / "discontinuities.csv", index=False)
step("sharp steps:\n" + (steps[["term", "location", "jump", "odds_ratio", "round_number"]]
                          .head(8).round(3).to_string(index=False) if len(steps)
                          else "none found at these settings"))

# %% [markdown]
# ## A clinician's edit
#
# The ratio's shape should never fall as the ratio rises; where the fitted shape wiggles down in
# the sparse upper tail, an obstetrician makes it monotone (weighted isotonic regression over its
# bins, which keeps the average prediction), with the reason logged.

# %%
edited = edit.monotonize(gam, "birthweight_height_ratio", +1,
                         reason="a larger baby for the mother's size never lowers risk")
auc = {name: roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
       for name, model in (("fitted", gam), ("edited", edited))}
step(f"edit logged: {edited.edit_log_[-1]['edit']} of {edited.edit_log_[-1]['term']}; test AUROC "
     f"{auc['fitted']:.4f} fitted, {auc['edited']:.4f} edited")
save(plot_shape(edited, "birthweight_height_ratio", scale="odds").figure, "ratio_edited.png")
pd.DataFrame(edited.edit_log_)[["edit", "term", "reason"]].to_csv(OUTPUT / "edit_log.csv",
                                                                  index=False)
save_model(edited, OUTPUT / "smm_model_edited.json")

# %% [markdown]
# ## Fairness: does the model depend on race?
#
# Race is linked to height, BMI and pre-eclampsia in this cohort, and has a small direct effect.
# With SMM this rare, a programme would flag the highest-risk 10 % of births.

# %%
fairness = compare_strategies(
    BoostedGAMClassifier(n_jobs=-1, random_state=0, **fast), X_train, y_train, ["race"],
    X_test=X_test, y_test=y_test, capacity=0.1,
    proxies=["maternal_height_cm", "bmi", "preeclampsia", "birthweight_height_ratio"])
columns = ["auroc", "demographic_parity_difference", "equal_opportunity_difference",
           "flip_mean_abs_logit", "sensitive_recovery_auc", "proxy_logit_gap", "fit_s"]
fairness[columns].round(4).to_csv(OUTPUT / "fairness.csv")
save(plot_fairness_tradeoff(fairness).figure, "fairness_tradeoff.png")
step("fairness strategies (race; top 10 % flagged):\n" + fairness[columns].round(3).to_string())

# %% [markdown]
# ## The audit report
#
# The report of the edited model. Its model card is left partly empty on purpose: the report is
# then marked DRAFT, and every missing field says "needs input".

# %%
audit_report(edited, X_test, y_test, X_dev=X_train, y_dev=y_train, sensitive_features=["race"],
             model_card={"ModelName": "Severe maternal morbidity (glassbox case study)",
                         "ReleaseStage": "demonstration on simulated data; not for clinical use"},
             capacity=0.1, outcome="severe maternal morbidity",
             n_bootstrap=50 if study.smoke else 200, path=OUTPUT / "audit_report.html")
step(f"audit report (a draft: its model card is incomplete): {OUTPUT / 'audit_report.html'}")

# %%
save_model(gam, OUTPUT / "smm_model.json")
step(f"done. Figures, tables, models and the audit report are in {OUTPUT}")
