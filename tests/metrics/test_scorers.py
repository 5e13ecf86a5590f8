"""Scorers against scikit-learn's get_scorer on fitted scikit-learn estimators."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import LinearSVC

import lemma.metrics as lm
from lemma.exceptions import ParameterError
from lemma.metrics import SCORERS, Scorer, get_scorer

REGRESSION = {
    "r2",
    "explained_variance",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
    "neg_mean_absolute_percentage_error",
}
BINARY_ONLY = {"roc_auc", "f1", "precision", "recall"}
CLASSIFICATION = sorted(set(SCORERS) - REGRESSION)


@pytest.fixture(scope="module")
def data():
    """Fixed data for the reference comparison (generated once)."""
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(120, 3))
    margin = X @ [1.0, -2.0, 0.5] + rng.normal(size=120)
    y_binary = (margin > 0).astype(int)
    y_multi = np.array(["ant", "bee", "cat"])[np.digitize(margin, [-1.0, 1.0])]
    y_value = margin + 3.0
    weight = rng.uniform(0.2, 2.0, size=120)
    return X, y_binary, y_multi, y_value, weight


def test_table_has_the_issue_names():
    wanted = {
        "accuracy", "balanced_accuracy", "f1", "f1_macro", "f1_weighted", "precision",
        "recall", "roc_auc", "roc_auc_ovr", "average_precision", "neg_log_loss",
        "neg_brier_score", "matthews_corrcoef", "r2", "neg_mean_squared_error",
        "neg_root_mean_squared_error", "neg_mean_absolute_error", "explained_variance",
        "neg_mean_absolute_percentage_error",
    }  # fmt: skip
    assert wanted <= set(SCORERS)
    assert set(SCORERS) <= set(skm.get_scorer_names())


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_classifier_matches_sklearn(data, name, weighted):
    X, y, _, _, weight = data
    w = weight if weighted else None
    model = LogisticRegression().fit(X, y)
    ours = get_scorer(name)(model, X, y, sample_weight=w)
    theirs = skm.get_scorer(name)(model, X, y, sample_weight=w)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(set(CLASSIFICATION) - BINARY_ONLY))
@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_string_classifier_matches_sklearn(data, name, weighted):
    X, _, y, _, weight = data
    w = weight if weighted else None
    model = LogisticRegression().fit(X, y)
    if name.startswith("roc_auc_ovo") and weighted:  # refused by both libraries
        with pytest.raises(ParameterError, match="sample_weight is not supported"):
            get_scorer(name)(model, X, y, sample_weight=w)
        return
    ours = get_scorer(name)(model, X, y, sample_weight=w)
    theirs = skm.get_scorer(name)(model, X, y, sample_weight=w)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(REGRESSION))
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_matches_sklearn(data, name, weighted):
    X, _, _, y, weight = data
    w = weight if weighted else None
    model = LinearRegression().fit(X, y)
    ours = get_scorer(name)(model, X, y, sample_weight=w)
    theirs = skm.get_scorer(name)(model, X, y, sample_weight=w)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
    if name.startswith("neg_"):
        assert ours < 0


@pytest.mark.parametrize("name", ["roc_auc", "average_precision"])
def test_decision_function_when_no_predict_proba(data, name):
    X, y, _, _, _ = data
    model = LinearSVC().fit(X, y)
    assert not hasattr(model, "predict_proba")
    assert get_scorer(name)(model, X, y) == pytest.approx(
        skm.get_scorer(name)(model, X, y), rel=1e-12
    )


def test_negative_class_first_flips_the_margin(data):
    """With pos_label = classes_[0] the margin is negated, probabilities take column 0."""
    X, y, _, _, _ = data
    model = LogisticRegression().fit(X, y)
    for response in ("decision_function", "predict_proba"):
        scorer = Scorer("ap0", lm.average_precision_score, response=response, pos_label=0)
        expected = skm.average_precision_score(y, model.predict_proba(X)[:, 0], pos_label=0)
        assert scorer(model, X, y) == pytest.approx(expected, rel=1e-12)


def test_brier_with_string_binary_classes(data):
    """The positive class of the probability column is passed on to the metric."""
    X, y, _, _, _ = data
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(X, labels)
    expected = skm.brier_score_loss(labels, model.predict_proba(X)[:, 1], pos_label="yes")
    assert get_scorer("neg_brier_score")(model, X, labels) == pytest.approx(-expected, rel=1e-12)
    assert get_scorer("roc_auc")(model, X, labels) == pytest.approx(
        skm.get_scorer("roc_auc")(model, X, labels), rel=1e-12
    )


def test_scorer_repr_and_copy():
    scorer = get_scorer("f1_macro")
    assert "average='macro'" in repr(scorer)
    scorer.kwargs["average"] = "micro"
    assert SCORERS["f1_macro"].kwargs["average"] == "macro"


def test_callable_and_none_pass_through():
    def my_scorer(estimator, X, y):
        return 1.0

    assert get_scorer(my_scorer) is my_scorer
    assert get_scorer(None) is None


# ---------------------------------------------------------------------- bad input
def test_unknown_name_lists_valid_names():
    with pytest.raises(ParameterError, match=r"did you mean 'accuracy'\? Valid names are \["):
        get_scorer("acuracy")
    with pytest.raises(ParameterError, match="Unknown scoring 3"):
        get_scorer(3)


def test_missing_response_method(data):
    X, _, _, y, _ = data
    model = LinearRegression().fit(X, y)
    with pytest.raises(ParameterError, match="needs predict_proba, which LinearRegression"):
        get_scorer("neg_log_loss")(model, X, y)


def test_bad_response_name():
    with pytest.raises(ParameterError, match="response must be one of"):
        Scorer("x", lm.accuracy_score, response="proba")


def test_pos_label_not_a_class(data):
    X, y, _, _, _ = data
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(X, labels)
    with pytest.raises(ParameterError, match="pos_label=1 is not a valid label"):
        get_scorer("average_precision")(model, X, labels)
