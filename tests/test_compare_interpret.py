"""glassbox against interpret's EBM on data with known shapes, as scikit-learn's
test_compare_lightgbm does for its histogram boosting: same accuracy, same main-effect shapes."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from glassbox import BoostedGAMClassifier
from glassbox.datasets import make_risk_cohort

interpret_glassbox = pytest.importorskip("interpret.glassbox")


@pytest.fixture(scope="module")
def both_models():
    X, y, truth = make_risk_cohort(n_samples=12_000, n_features=10, n_interactions=2,
                                   random_state=7)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=0)
    ours = BoostedGAMClassifier(n_jobs=-1, random_state=0).fit(X_train, y_train)
    theirs = interpret_glassbox.ExplainableBoostingClassifier(n_jobs=-1, random_state=0)
    theirs.fit(X_train, y_train)
    return X_test, y_test, ours, theirs


def test_same_accuracy_as_interpret(both_models):
    X_test, y_test, ours, theirs = both_models
    auc_ours = roc_auc_score(y_test, ours.predict_proba(X_test)[:, 1])
    auc_theirs = roc_auc_score(y_test, theirs.predict_proba(X_test)[:, 1])
    print(f"\ntest AUC: glassbox {auc_ours:.4f}, interpret {auc_theirs:.4f}")
    assert abs(auc_ours - auc_theirs) < 0.01, (auc_ours, auc_theirs)


def test_same_main_effect_shapes_as_interpret(both_models):
    X_test, _, ours, theirs = both_models
    our_terms = ours.explain(X_test)
    their_terms = theirs.eval_terms(X_test)
    correlations = {name: np.corrcoef(our_terms[name], their_terms[:, j])[0, 1]
                    for j, name in enumerate(theirs.term_names_) if " & " not in name}
    print("\nmain-effect correlation with interpret:",
          {name: round(float(c), 3) for name, c in correlations.items()})
    assert all(c > 0.9 for c in correlations.values()), correlations
