"""The advisor's rules: what it proposes and what it skips, each with a reason."""

from __future__ import annotations

import pytest

from lemma.study import advisor
from lemma.study.advisor import DataFacts, advise


def _facts(**kw):
    base = dict(task="classification", n_rows=5000, n_numeric=5, n_categorical=3, n_classes=2)
    return DataFacts(**(base | kw))


def test_linear_baseline_comes_first_with_a_reason():
    advice = advise(_facts())
    assert advice.candidates[0].estimator == "LogisticRegression"
    assert "interpretable" in advice.candidates[0].reason
    assert advise(_facts(task="regression", n_classes=0)).candidates[0].estimator == "Ridge"


def test_count_targets_get_a_poisson_model():
    advice = advise(_facts(task="regression", n_classes=0, target_is_count=True))
    assert advice.candidates[0].estimator == "PoissonRegressor"


def test_kernel_svm_is_skipped_on_large_data_with_the_cost_named():
    skipped = dict(advise(_facts(n_rows=45_222)).skipped)
    assert "O(n²)" in skipped["kernel SVM"] and "45,222" in skipped["kernel SVM"]


def test_missing_families_are_reported_not_silently_dropped(monkeypatch):
    monkeypatch.setattr(advisor, "PUBLIC", {"LogisticRegression": "lemma.models.linear"})
    advice = advise(_facts())
    assert [c.estimator for c in advice.candidates] == ["LogisticRegression"]
    reasons = dict(advice.skipped)
    assert "not available" in reasons["gradient boosting"]


@pytest.mark.parametrize("cap", [1, 2])
def test_shortlist_is_capped(cap, monkeypatch):
    monkeypatch.setattr(advisor, "PUBLIC", {name: "x" for name in (
        "LogisticRegression", "GradientBoostingClassifier", "RandomForestClassifier",
        "MLPClassifier", "SVC", "KNeighborsClassifier")})
    advice = advise(_facts(n_rows=3000, n_numeric=5, n_categorical=0), max_candidates=cap)
    assert len(advice.candidates) == cap
    assert any("capped" in why for _, why in advice.skipped)


def test_summary_and_dict_mention_every_family():
    advice = advise(_facts(n_rows=100_000, n_numeric=40, n_categorical=0))
    text = advice.summary()
    names = [c.label for c in advice.candidates] + [name for name, _ in advice.skipped]
    assert all(name in text for name in names)
    assert set(advice.to_dict()) == {"task", "candidates", "skipped"}
