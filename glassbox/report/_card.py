"""The model card an audit report carries: what a person must supply, what glassbox computes, and
how the report's sections map to the clinical reporting standards.

Field names follow the element names of the Coalition for Health AI's Applied Model Card schema
(v0.2), so the card exports to JSON under the names review tools expect.
"""

import difflib
import json
import warnings
from pathlib import Path

from .._tabular import outside_stacklevel

HUMAN_FIELDS = {  # CHAI element: what the person supplying it should say
    "ModelName": "the model's name",
    "ModelDeveloper": "who developed it",
    "DeveloperContact": "whom to contact",
    "ReleaseStage": "e.g. research, pilot, deployed",
    "IntendedUseAndWorkflow": "the decision it supports, where in the clinical workflow",
    "PrimaryIntendedUsers": "who uses its output",
    "HowToUse": "how its output should be read and acted on",
    "TargetedPatientPopulation": "the patients it is meant for",
    "CautionedOutOfScopeSettings": "uses and settings it is not meant for",
    "InputDataSource": "where the development data came from (provenance)",
    "DevelopmentDataCharacterization": "the development cohort: period, sites, inclusion",
    "KnownRisksAndLimitations": "what can go wrong",
    "KnownBiasesOrEthicalConsiderations": "groups it may serve worse, and why",
    "ClinicalRiskLevel": "the harm a wrong output can do",
    "BiasMitigationApproaches": "what was done about bias",
    "OngoingMaintenance": "the monitoring and update plan",
    "FundingSource": "who paid",
    "StakeholdersConsulted": "patients, clinicians and others consulted",
}

NEEDS_INPUT = "needs input"

# report section: (TRIPOD+AI items, ONC HTI-1 source attributes, CHAI card elements, how filled)
CROSSWALK = {
    "Model card": ("3b, 5, 6, 17-19", "intended use, cautioned uses, developer, funding",
                   "BasicInfo, UsesAndDirections, Warnings, TransparencyInformation",
                   "person"),
    "Model and software": ("12c, 18f, 22", "model type, version, inputs and outputs",
                           "ReleaseInfo, AISystemFacts.ModelType, OutputAndInputDataTypes",
                           "automatic"),
    "Cohort": ("20a-c, 21, 27a-b", "development data: description, missingness",
               "AISystemFacts.DevelopmentDataCharacterization", "automatic + person"),
    "Discrimination and calibration": ("12e, 23a", "validity and performance measures",
                                       "KeyMetrics.UsefulnessUsabilityEfficacy", "automatic"),
    "Clinical utility": ("12e, 23a", "performance measures (net benefit)",
                         "KeyMetrics.UsefulnessUsabilityEfficacy", "automatic"),
    "Subgroups and fairness": ("3c, 14, 23a, 25", "fairness approach and results",
                               "KeyMetrics.FairnessEquity, BiasMitigationApproaches",
                               "automatic"),
    "The glass box": ("12c, 22", "how the output is derived from the inputs",
                      "AISystemFacts.Transparency", "automatic"),
    "Anomalies and edits": ("14, 22", "review and update of the model",
                            "KeyMetrics.SafetyReliability, OngoingMaintenance",
                            "automatic + person"),
}


def read_model_card(card):
    """The card's fields from a dict, a JSON file, or a flat YAML file of `Field: text` lines
    (a subset of YAML: one field per line, no nesting); unknown fields are kept."""
    if card is None:
        return {}
    if isinstance(card, dict):
        return {str(k): str(v) for k, v in card.items()}
    path = Path(card)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return {str(k): str(v) for k, v in json.loads(text).items()}
    fields = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if ":" not in line or line[0].isspace():
            raise ValueError(f"{path}, line {number}: expected 'Field: text' (a flat YAML "
                             f"mapping), got {line!r}.")
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip().strip("'\"")
    return fields


def card_status(fields):
    """Each human field with its text or NEEDS_INPUT, and whether the card is complete; a
    field the card does not know is a warning naming it (a misspelling would drop it)."""
    unknown = sorted(set(fields) - set(HUMAN_FIELDS))
    if unknown:
        named = ", ".join(repr(name) + _did_you_mean(name) for name in unknown)
        warnings.warn(f"Model-card fields {named} are not card fields and are ignored; the "
                      f"fields are {list(HUMAN_FIELDS)}.", UserWarning,
                      stacklevel=outside_stacklevel())
    filled = {name: fields.get(name, "").strip() or NEEDS_INPUT for name in HUMAN_FIELDS}
    return filled, all(value != NEEDS_INPUT for value in filled.values())


def _did_you_mean(name):
    """' (did you mean ...?)' naming the card field `name` abbreviates or misspells, or ''."""
    lowered = {field.lower(): field for field in HUMAN_FIELDS}
    close = ([field for low, field in lowered.items() if low.startswith(name.lower())]
             or [lowered[low] for low in difflib.get_close_matches(name.lower(), lowered, n=1)])
    return f" (did you mean {close[0]!r}?)" if close else ""


def crosswalk(complete):
    """The crosswalk as rows: section, TRIPOD+AI, HTI-1, CHAI, status."""
    rows = []
    for section, (tripod, hti, chai, how) in CROSSWALK.items():
        status = ("filled automatically" if how == "automatic" else
                  "filled by a person" if complete else "missing: needs input")
        if how == "automatic + person":
            status = ("filled automatically; the reviewer's decisions go to the edit log"
                      if section == "Anomalies and edits" else
                      "filled automatically" + ("; person's part filled" if complete
                                                else "; person's part needs input"))
        rows.append({"section": section, "TRIPOD+AI items": tripod, "HTI-1 attributes": hti,
                     "CHAI model card": chai, "status": status})
    return rows


def chai_json(filled, computed):
    """The card as JSON following the CHAI Applied Model Card element names; a field that
    needs input is null."""
    filled = {k: None if v == NEEDS_INPUT else v for k, v in filled.items()}
    return {
        "BasicInfo": {k: filled[k] for k in ("ModelName", "ModelDeveloper", "DeveloperContact")},
        "ReleaseInfo": {"ReleaseStage": filled["ReleaseStage"],
                        "ReleaseVersion": computed["version"],
                        "ReleaseDate": computed["date"]},
        "ModelSummary": {"Summary": computed["summary"], "Keywords": computed["keywords"]},
        "UsesAndDirections": {k: filled[k] for k in (
            "IntendedUseAndWorkflow", "PrimaryIntendedUsers", "HowToUse",
            "TargetedPatientPopulation", "CautionedOutOfScopeSettings")},
        "Warnings": {k: filled[k] for k in ("KnownRisksAndLimitations",
                                            "KnownBiasesOrEthicalConsiderations",
                                            "ClinicalRiskLevel")},
        "TrustIngredients": {
            "AISystemFacts": {
                "OutcomesAndOutputs": computed["outputs"], "ModelType": computed["model_type"],
                "InputDataSource": filled["InputDataSource"],
                "OutputAndInputDataTypes": computed["inputs"],
                "DevelopmentDataCharacterization": filled["DevelopmentDataCharacterization"],
                "BiasMitigationApproaches": filled["BiasMitigationApproaches"],
                "OngoingMaintenance": filled["OngoingMaintenance"],
                "Transparency": computed["transparency"]},
            "TransparencyInformation": {k: filled[k] for k in ("FundingSource",
                                                               "StakeholdersConsulted")}},
        "KeyMetrics": computed["metrics"],
    }
