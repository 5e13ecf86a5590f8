"""ModelCard: every section, self-contained HTML, JSON round trip, saved with the model,
and the sentences it writes from the evidence."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.exceptions import NotFittedError, ParameterError
from lemma.explain import (
    ModelCard,
    coefficient_table,
    global_surrogate,
    linear_shap,
    permutation_importance,
)
from lemma.explain.card import BY_AUTHOR, SECTIONS
from lemma.io.persist import load_file
from lemma.models.linear import LinearRegression, LogisticRegression
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, StandardScaler, profile
from lemma.selection import corrected_t_interval

AUDIT = {
    "verdict": "Concern: selection rates differ by sex.",
    "sensitive_features": ["sex"],
    "disparate_impact": {"sex": {"ratio": 0.55, "four_fifths_rule": False}},
    "by_group": [
        {"group": "F", "n": 43, "metric": "accuracy", "ci_low": 0.55, "ci_high": 0.85},
        {"group": "M", "n": 357, "metric": "accuracy", "ci_low": 0.76, "ci_high": 0.84},
    ],
}


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(2019)
    n = 300
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "sex": rng.choice(["F", "M"], n),
            "hours": rng.normal(35, 5, n),
        }
    )
    y = pd.Series((0.1 * (frame["age"] - 40) + rng.logistic(size=n) > 0).astype(int), name="income")
    prep = ColumnTransformer(
        [("num", StandardScaler(), ["age", "hours"]), ("cat", OneHotEncoder(), ["sex"])]
    )
    model = Pipeline([("prep", prep), ("model", LogisticRegression())]).fit(frame, y)
    return frame, y, model


@pytest.fixture(scope="module")
def card(study):
    frame, y, model = study
    explanations = {
        "importance": permutation_importance(model, frame, y, n_repeats=3, random_state=0),
        "surrogate": global_surrogate(model, frame, random_state=0),
        "coefficients": coefficient_table(model, frame),
        "shapley": linear_shap(model, frame),
    }
    return ModelCard.from_evaluation(
        model,
        X_train=frame,
        y_train=y,
        metrics={
            "roc_auc": {"estimate": 0.8, "ci_low": 0.76, "ci_high": 0.84, "method": "bootstrap"},
            "ece": 0.07,
            "recall | group F": 0.6,
        },
        fairness=AUDIT,
        explanations=explanations,
        intended_use="Teaching the model card.",
        limitations="Trained on synthetic data | not real people.",
        name="income model",
        version="2.1",
    )


# ------------------------------------------------------------------ rendering
def test_markdown_has_every_section_in_order(card):
    text = card.to_markdown()
    assert text.startswith("# Model card: income model\n")
    positions = [text.index(f"\n## {title}\n") for title in SECTIONS]
    assert positions == sorted(positions)
    assert "Mitchell et al." in text
    assert "- Trained on synthetic data | not real people." in text
    assert "| recall \\| group F | 0.6 | — | — |" in text  # a pipe inside a table cell


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [(tag, k, v) for k, v in attrs if k in ("src", "href")]


def test_html_is_self_contained(card):
    page = card.to_html()
    parser = _Resources()
    parser.feed(page)
    assert page.startswith("<!DOCTYPE html>") and "style" in parser.tags
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert all(not str(v).startswith(("http://", "https://", "//")) for _, _, v in parser.links)
    assert [t for t in parser.tags if t == "h2"] == ["h2"] * len(SECTIONS)
    assert "&lt;" not in card.title and "Fails the four-fifths rule for sex" in page
    assert card._repr_html_().startswith("<div class='lemma-card'>")


def test_json_round_trip_and_saved_with_the_model(card, study, tmp_path):
    data = json.loads(json.dumps(card.to_dict(), allow_nan=False))
    assert ModelCard.from_dict(data) == card
    assert ModelCard.from_dict(data).to_dict() == card.to_dict()
    path = lemma.save(study[2], tmp_path / "model.lemma", card=card.to_dict())
    loaded = load_file(path)
    assert ModelCard.from_dict(loaded.card) == card
    assert loaded.model.predict(study[0]).tolist() == study[2].predict(study[0]).tolist()


# ------------------------------------------------------------------ content
def test_model_details_come_from_the_estimator(card, study):
    details = card.model_details
    assert details["name"] == "income model" and details["version"] == "2.1"
    assert details["type"] == "Pipeline (ColumnTransformer → LogisticRegression)"
    assert details["objective"].startswith("Logistic regression: binary (sigmoid)")
    assert details["formula"].startswith("minimise over (B, b)")
    assert details["parameters"]["penalty"] == "l2" and details["classes"] == [0, 1]
    ols = LinearRegression().fit(study[0][["age"]], study[1])
    plain = ModelCard.from_evaluation(ols, X_train=study[0][["age"]], y_train=study[1], metrics={})
    assert plain.model_details["objective"] == "Ordinary (and weighted) least squares."
    assert plain.model_details["formula"] == "minimise over (b, β)   Σᵢ wᵢ (yᵢ − b − xᵢᵀβ)²"
    assert plain.intended_use["out_of_scope_uses"] == [BY_AUTHOR]
    assert plain.factors == [BY_AUTHOR]
    assert plain.training_data["target"]["task"] == "regression"


def test_training_data_summary(card, study):
    y = study[1]
    data = card.training_data
    assert (data["n_rows"], data["n_columns"]) == (300, 3)
    assert data["target"]["column"] == "income"
    counts = y.value_counts()
    assert data["target"]["class_counts"] == {str(k): int(v) for k, v in counts.items()}
    assert [c["kind"] for c in data["columns"]] == ["numeric", "text", "numeric"]


def test_sentences_from_the_evidence(card):
    ethics = [e["text"] for e in card.ethical_considerations if e["source"] == "evidence"]
    assert any(t.startswith("Fails the four-fifths rule for sex: ") and "0.55" in t for t in ethics)
    assert "Performance on group F has a wide interval (accuracy 0.55 to 0.85): n = 43." in ethics
    assert not any("group M" in t for t in ethics)
    caveats = {e["source"]: e["text"] for e in card.caveats}
    assert caveats["author"] == "Trained on synthetic data | not real people."
    generated = [e["text"] for e in card.caveats if e["source"] == "evidence"]
    assert any(t.startswith("Calibration gap of 0.070 (ece)") for t in generated)
    assert card.factors == ["Groups defined by sex (see the fairness audit)."]


def test_data_findings_rare_class_and_missing_audit(study):
    frame, _, _ = study
    y = pd.Series(np.r_[np.ones(15), np.zeros(285)].astype(int), name="rare")
    leaky = frame.assign(code=y.to_numpy() * 3.0 + np.linspace(0, 0.1, 300))
    model = LogisticRegression().fit(leaky[["age", "hours", "code"]], y)
    card = ModelCard.from_evaluation(
        model,
        X_train=leaky[["age", "hours", "code"]],
        y_train=y,
        metrics={"accuracy": corrected_t_interval([0.7, 0.95, 0.8], n_train=200, n_test=100)},
        training_data=profile(leaky.assign(rare=y), target="rare"),
    )
    ethics = [e["text"] for e in card.ethical_considerations]
    assert ethics == [
        "No fairness audit was supplied: how the model performs for different groups of people "
        "is unknown."
    ]
    caveats = " ".join(e["text"] for e in card.caveats)
    assert "The class '1' is rare (5.0% of the training rows)" in caveats
    assert "Training data: Column 'code' predicts the target almost perfectly" in caveats
    assert "The accuracy estimate is uncertain" in caveats
    assert card.metrics["accuracy"]["estimate"] == pytest.approx(0.8166666666666667)


def test_explanations_render_as_tables(card, study):
    text = card.to_markdown()
    assert "| feature | mean | ci_low | ci_high |" in text
    assert "|--- age <= " in text  # the surrogate's rules
    assert "| term | coef | ci_low | ci_high | std_coef | odds_ratio |" in text
    assert "| feature | mean \\|φ\\| |" in text
    frame, y, model = study
    table = permutation_importance(model, frame, y, n_repeats=2, random_state=1).to_frame()
    from_frame = ModelCard.from_evaluation(
        model, X_train=frame, y_train=y, metrics={}, explanations={"importance": table}
    )
    assert from_frame.explanations["importance"]["features"][0]["feature"] == table.index[0]
    assert "| feature | mean | ci_low | ci_high |" in from_frame.to_markdown()


def test_low_fidelity_surrogate_is_called_out(study):
    frame, y, model = study
    surrogate = {
        "method": "global surrogate tree",
        "fidelity": 0.55,
        "verdict": "poor",
        "rules": "",
    }
    card = ModelCard.from_evaluation(
        model, X_train=frame, y_train=y, metrics={}, explanations={"tree": surrogate}
    )
    assert any("fidelity 0.55 only" in e["text"] for e in card.caveats)


# ------------------------------------------------------------------ bad input
def test_bad_input(study):
    frame, y, model = study
    with pytest.raises(ParameterError, match="metrics must be a dict"):
        ModelCard.from_evaluation(model, X_train=frame, y_train=y, metrics=[0.9])
    with pytest.raises(NotFittedError):
        ModelCard.from_evaluation(LogisticRegression(), X_train=frame, y_train=y, metrics={})
    with pytest.raises(ParameterError, match="not a lemma model card"):
        ModelCard.from_dict({"title": "x"})
    data = ModelCard.from_evaluation(model, X_train=frame, y_train=y, metrics={}).to_dict()
    with pytest.raises(ParameterError, match="upgrade lemma"):
        ModelCard.from_dict({**data, "format_version": 99})
    del data["metrics"]
    with pytest.raises(ParameterError, match=r"missing the fields \['metrics'\]"):
        ModelCard.from_dict(data)


def test_card_reads_a_fairness_audit(study):
    from lemma.fairness import audit

    frame, y, model = study
    rng = np.random.default_rng(7)
    group = pd.Series(np.r_[np.repeat(["F", "M"], 130), np.repeat("X", 40)], name="sex")
    y_pred = (rng.random(300) < np.where(group == "F", 0.15, 0.5)).astype(int)
    result = audit(y.to_numpy(), y_pred, sensitive_features=group, n_boot=100, random_state=0)
    card = ModelCard.from_evaluation(model, X_train=frame, y_train=y, metrics={}, fairness=result)
    assert card.fairness == json.loads(json.dumps(result.to_dict()))
    ethics = [e["text"] for e in card.ethical_considerations]
    impact = result.disparate_impact
    assert ethics[0] == (
        f"Fails the four-fifths rule for sex: sex = {impact['lowest_group']} is selected at "
        f"{impact['ratio']:.2f} times the rate of sex = {impact['highest_group']} (below 0.8; "
        f"interval {impact['ci_low']:.2f} to {impact['ci_high']:.2f})."
    )
    assert any(
        t.startswith("Performance on group X has a wide interval (accuracy ") for t in ethics
    )
    assert any(t.endswith("n = 40.") for t in ethics)
    failed = [
        i.name for i in result.checklist if i.status == "fail" and i.name != "four-fifths rule"
    ]
    assert all(any(f"'{name}'" in t for t in ethics) for name in failed)
    text = card.to_markdown()
    assert f"Verdict: {result.verdict}" in text
    assert "| group | n | selection_rate |" in text and "| X | 40 |" in text
    assert "| status | check | evidence |" in text
    assert card.factors == ["Groups defined by sex (see the fairness audit)."]
