"""cross_validate, cross_val_score, cross_val_predict against scikit-learn's on the same folds."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn.model_selection as skms
from scipy import stats
from sklearn.exceptions import FitFailedWarning as SkFitFailedWarning
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.models.linear import LinearRegression
from lemma.selection import (
    FitFailedError,
    FitFailedWarning,
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
    cross_validate,
)


@pytest.fixture(scope="module")
def data():
    """Fixed data for the reference comparisons (generated once)."""
    rng = np.random.default_rng(2024)
    X = rng.normal(size=(160, 4))
    margin = X @ [1.0, -1.5, 0.5, 0.0] + rng.normal(size=160)
    y_class = (margin > 0).astype(int)
    y_multi = np.digitize(margin, [-1.0, 1.0])
    y_value = margin + 2.0
    weight = rng.uniform(0.2, 3.0, size=160)
    groups = rng.integers(0, 12, size=160)
    return X, y_class, y_multi, y_value, weight, groups


def _same_scores(ours, theirs, tol=1e-12):
    score_keys = {k for k in theirs if k.startswith(("test_", "train_"))}
    assert score_keys == {k for k in ours if k.startswith(("test_", "train_"))}
    for key in score_keys:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=tol, atol=tol)


CLASSIFICATION = [None, "accuracy", ["accuracy", "roc_auc", "neg_log_loss", "f1", "precision"]]
REGRESSION = [
    None,
    "neg_mean_squared_error",
    ["r2", "neg_mean_absolute_error", "explained_variance"],
]


@pytest.mark.parametrize("scoring", CLASSIFICATION)
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_regression_matches_sklearn(data, scoring, weighted):
    X, y, _, _, weight, _ = data
    params = {"sample_weight": weight} if weighted else None
    kwargs = {"scoring": scoring, "cv": 5, "params": params, "return_train_score": True}
    ours = cross_validate(LogisticRegression(), X, y, **kwargs)
    theirs = skms.cross_validate(LogisticRegression(), X, y, **kwargs)
    _same_scores(ours, theirs)
    assert set(ours) == set(theirs)


@pytest.mark.parametrize("scoring", REGRESSION)
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_matches_sklearn(data, scoring, weighted):
    X, _, _, y, weight, _ = data
    params = {"sample_weight": weight} if weighted else None
    cv = KFold(4, shuffle=True, random_state=3)
    ours = cross_validate(Ridge(alpha=2.0), X, y, scoring=scoring, cv=cv, params=params)
    theirs = skms.cross_validate(Ridge(alpha=2.0), X, y, scoring=scoring, cv=cv, params=params)
    _same_scores(ours, theirs)


def test_multiclass_groups_and_returned_objects_match_sklearn(data):
    X, _, y, _, _, groups = data
    kwargs = {
        "groups": groups,
        "cv": GroupKFold(4),
        "scoring": ["accuracy", "f1_macro", "roc_auc_ovr"],
        "return_estimator": True,
        "return_indices": True,
    }
    ours = cross_validate(LogisticRegression(), X, y, **kwargs)
    theirs = skms.cross_validate(LogisticRegression(), X, y, **kwargs)
    _same_scores(ours, theirs)
    for a, b in zip(ours["estimator"], theirs["estimator"], strict=True):
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)
    for part in ("train", "test"):
        for a, b in zip(ours["indices"][part], theirs["indices"][part], strict=True):
            assert np.array_equal(a, b)


def test_cross_val_score_matches_sklearn(data):
    X, y, *_ = data
    ours = cross_val_score(SVC(), X, y, scoring="balanced_accuracy", cv=StratifiedKFold(3))
    theirs = skms.cross_val_score(SVC(), X, y, scoring="balanced_accuracy", cv=StratifiedKFold(3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_cross_val_predict_matches_sklearn(data, method):
    X, _, y, *_ = data
    cv = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_predict(LogisticRegression(), X, y, cv=cv, method=method)
    theirs = skms.cross_val_predict(LogisticRegression(), X, y, cv=cv, method=method)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_cross_val_predict_fills_classes_missing_from_a_fold():
    X = np.arange(12.0).reshape(-1, 1)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    with pytest.warns(LemmaWarning, match="has 2 of the 3 classes"):
        proba = cross_val_predict(LogisticRegression(), X, y, cv=KFold(3), method="predict_proba")
    assert proba.shape == (12, 3)
    np.testing.assert_allclose(proba[:4, 0], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_lemma_estimator_and_dataframe_input(data):
    X, _, _, y, *_ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    ours = cross_validate(LinearRegression(), frame, pd.Series(y), scoring="r2", cv=5)
    theirs = skms.cross_validate(SkLinearRegression(), X, y, scoring="r2", cv=5)
    np.testing.assert_allclose(ours["test_score"], theirs["test_score"], rtol=1e-9)


def test_interval_in_summary_is_the_nadeau_bengio_formula(data):
    X, _, _, y, *_ = data
    result = cross_validate(Ridge(), X, y, scoring=["r2", "neg_mean_squared_error"], cv=8)
    summary = result.summary(confidence=0.9).set_index(["metric", "method"])
    for name in ("r2", "neg_mean_squared_error"):
        scores = result[f"test_{name}"]
        J, n_test = scores.size, 160 / 8
        std_err = math.sqrt(np.var(scores, ddof=1) * (1 / J + n_test / (160 - n_test)))
        half = stats.t.ppf(0.95, J - 1) * std_err
        row = summary.loc[(name, "corrected_t")]
        assert row["mean"] == pytest.approx(scores.mean(), rel=1e-13)
        assert row["std"] == pytest.approx(np.std(scores, ddof=1), rel=1e-13)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (scores.mean() - half, scores.mean() + half), rel=1e-12
        )
        boot = summary.loc[(name, "bootstrap")]
        assert boot["ci_low"] <= boot["mean"] <= boot["ci_high"]


def test_result_frame_repr_and_pickle(data):
    X, _, _, y, *_ = data
    result = cross_validate(Ridge(), X, y, cv=4, return_train_score=True)
    frame = result.to_frame()
    assert list(frame["n_test"]) == [40] * 4 and list(frame["n_train"]) == [120] * 4
    assert {"fit_time", "score_time", "test_score", "train_score"} <= set(frame.columns)
    assert "corrected t" in repr(result) and "<table" in result._repr_html_()
    assert result.interval(part="train").mean == pytest.approx(result["train_score"].mean())
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, dict) and copy.metrics == ["score"]
    assert np.array_equal(copy["test_score"], result["test_score"])


# ------------------------------------------------------------------------- fit failures
class FailsOnRow(RegressorMixin, BaseEstimator):
    """Predicts the training mean; fit fails when the training rows contain ``row``."""

    def __init__(self, row=0):
        self.row = row

    def fit(self, X, y):
        if np.any(np.asarray(X)[:, 0] == self.row):
            raise ValueError(f"row {self.row} is poison")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_failed_fits_warn_and_record_nan():
    X = np.arange(20.0).reshape(-1, 1)
    y = np.arange(20.0)
    with pytest.warns(FitFailedWarning, match="4 fits failed out of a total of 5"):
        result = cross_validate(FailsOnRow(0), X, y, cv=5)
    assert np.isnan(result["test_score"][1:]).all() and np.isfinite(result["test_score"][0])
    assert result.fit_errors[0] is None and "row 0 is poison" in result.fit_errors[1]
    assert math.isnan(result.interval().mean)


def test_failed_fit_warning_is_sklearns_too():
    X = np.arange(20.0).reshape(-1, 1)
    with pytest.warns(SkFitFailedWarning):
        cross_validate(FailsOnRow(0), X, np.arange(20.0), cv=5)


def test_error_score_raise_and_all_failed():
    X = np.arange(20.0).reshape(-1, 1)
    y = np.arange(20.0)
    with pytest.raises(ValueError, match="row 0 is poison"):
        cross_validate(FailsOnRow(0), X, y, cv=5, error_score="raise")
    with pytest.raises(FitFailedError, match="All the 5 fits failed"):
        cross_validate(FailsOnRow(0), np.zeros((20, 1)), y, cv=5)


# ---------------------------------------------------------------------------- bad input
def test_unknown_scoring_name(data):
    X, _, _, y, *_ = data
    with pytest.raises(ParameterError, match="Unknown scoring 'rsquared'"):
        cross_validate(Ridge(), X, y, scoring="rsquared")
    with pytest.raises(ParameterError, match="distinct metric names"):
        cross_validate(Ridge(), X, y, scoring=["r2", "r2"])
    with pytest.raises(ParameterError, match="one metric"):
        cross_val_score(Ridge(), X, y, scoring=["r2"])


def test_bad_arguments(data):
    X, _, _, y, *_ = data
    with pytest.raises(DataValidationError, match="y has 10"):
        cross_validate(Ridge(), X, y[:10])
    with pytest.raises(ParameterError, match="error_score"):
        cross_validate(Ridge(), X, y, error_score="ignore")
    with pytest.raises(DataValidationError, match="only works for partitions"):
        cross_val_predict(Ridge(), X, y, cv=ShuffleSplit(3, random_state=0))
    with pytest.raises(ParameterError, match="method must be one of"):
        cross_val_predict(Ridge(), X, y, method="transform")
    with pytest.raises(ParameterError, match="has no score method"):
        cross_validate(object(), X, y)
