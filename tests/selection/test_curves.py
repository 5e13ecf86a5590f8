"""Learning and validation curves against scikit-learn's; the fit verdict on known cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.model_selection as skms
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import LemmaWarning, ParameterError
from lemma.models.linear import LinearRegression
from lemma.models.linear import Ridge as LemmaRidge
from lemma.selection import (
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    diagnose_fit,
    learning_curve,
    validation_curve,
)


class OneNearestNeighbour(RegressorMixin, BaseEstimator):
    """Predicts the target of the closest training row: memorises, noise included."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        return self

    def predict(self, X):
        distances = ((np.asarray(X)[:, None, :] - self.X_[None, :, :]) ** 2).sum(axis=2)
        return self.y_[distances.argmin(axis=1)]


class Constant(RegressorMixin, BaseEstimator):
    """Predicts the training mean whatever X is."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def data():
    """Fixed data for the reference comparisons (generated once)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(150, 3))
    y_value = X @ [1.0, -2.0, 0.5] + rng.normal(size=150)
    y_class = (y_value > 0).astype(int)
    return X, y_value, y_class


# ------------------------------------------------------------------ scikit-learn's numbers
@pytest.mark.parametrize(
    ("train_sizes", "shuffle"), [(np.linspace(0.1, 1.0, 5), False), ([20, 50, 90, 120], True)]
)
def test_learning_curve_matches_sklearn(data, train_sizes, shuffle):
    X, y, _ = data
    kwargs = {"train_sizes": train_sizes, "cv": KFold(5), "shuffle": shuffle, "random_state": 4}
    ours = learning_curve(Ridge(alpha=0.5), X, y, scoring="neg_mean_squared_error", **kwargs)
    theirs = skms.learning_curve(Ridge(alpha=0.5), X, y, scoring="neg_mean_squared_error", **kwargs)
    sizes, train, test = ours
    assert np.array_equal(sizes, theirs[0])
    np.testing.assert_allclose(train, theirs[1], rtol=1e-12)
    np.testing.assert_allclose(test, theirs[2], rtol=1e-12)


def test_learning_curve_classifier_matches_sklearn(data):
    X, _, y = data
    ours = learning_curve(LogisticRegression(), X, y, cv=4, scoring="roc_auc")
    theirs = skms.learning_curve(LogisticRegression(), X, y, cv=4, scoring="roc_auc")
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_validation_curve_matches_sklearn(data):
    X, _, y = data
    kwargs = {"param_name": "max_depth", "param_range": [1, 3, None], "cv": StratifiedKFold(3)}
    model = DecisionTreeClassifier(random_state=0)
    ours = validation_curve(model, X, y, **kwargs)
    theirs = skms.validation_curve(model, X, y, **kwargs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert ours.train_scores.shape == (3, 3)


def test_point_interval_uses_the_training_size(data):
    X, y, _ = data
    curve = learning_curve(Ridge(), X, y, train_sizes=[30, 120], cv=5)
    scores = curve.test_scores[0]
    std_err = math.sqrt(np.var(scores, ddof=1) * (1 / 5 + 30 / 30))
    half = stats.t.ppf(0.975, 4) * std_err
    assert curve.interval(0).conf_int == pytest.approx(
        (scores.mean() - half, scores.mean() + half), rel=1e-12
    )
    frame = curve.to_frame()
    assert list(frame["train_size"]) == [30, 120]
    assert {"train_mean", "test_ci_low", "test_ci_high", "verdict"} <= set(frame.columns)


# --------------------------------------------------------------------------- the verdict
def test_memorising_model_on_noisy_data_over_fits(rng):
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(2 * X[:, 0]) + 0.5 * rng.normal(size=200)
    diagnosis = diagnose_fit(learning_curve(OneNearestNeighbour(), X, y, cv=5))
    assert diagnosis.verdict == "over-fitting", str(diagnosis)
    assert diagnosis.train_score == pytest.approx(1.0)
    assert diagnosis.gap.ci_low > 0 and diagnosis.relative_gap > 0.1
    assert "over-fitting at train size 160" in str(diagnosis)


def test_constant_predictor_under_fits(rng):
    X = rng.normal(size=(150, 3))
    y = X @ [1.0, 2.0, -1.0] + rng.normal(size=150)
    diagnosis = learning_curve(Constant(), X, y, cv=5).diagnose()
    assert diagnosis.verdict == "under-fitting", str(diagnosis)
    assert diagnosis.train_gain.mean == pytest.approx(0.0, abs=1e-12)


def test_well_specified_linear_model_is_fine(rng):
    X = rng.normal(size=(200, 3))
    y = X @ [2.0, -1.0, 1.5] + rng.normal(size=200)
    diagnosis = learning_curve(LinearRegression(), X, y, cv=5).diagnose()
    assert diagnosis.verdict == "fine", str(diagnosis)
    assert diagnosis.relative_gap < 0.1 and diagnosis.train_fraction > 0.5


def test_validation_curve_finds_over_regularisation(rng):
    X = rng.normal(size=(200, 3))
    y = X @ [2.0, -1.0, 1.5] + rng.normal(size=200)
    curve = validation_curve(LemmaRidge(), X, y, param_name="alpha", param_range=[0.01, 1e4])
    assert curve.diagnose(1).verdict == "under-fitting"
    assert curve.diagnose().at == "alpha=0.01" and curve.diagnose().verdict == "fine"
    assert list(curve.to_frame()["verdict"]) == ["fine", "under-fitting"]


def test_single_split_is_undetermined(data):
    X, y, _ = data
    curve = learning_curve(Ridge(), X, y, cv=ShuffleSplit(1, test_size=0.3, random_state=0))
    assert curve.diagnose().verdict == "undetermined"


def test_reference_score_changes_the_bar(data):
    X, y, _ = data
    curve = learning_curve(Ridge(), X, y, cv=5)
    train_r2 = curve.train_scores[-1].mean()
    assert curve.diagnose().verdict == "fine"
    assert curve.diagnose(reference_score=3 * train_r2).verdict == "under-fitting"


# ---------------------------------------------------------------------------- bad input
def test_bad_arguments(data):
    X, y, _ = data
    with pytest.raises(ParameterError, match=r"within \(0, 1\]"):
        learning_curve(Ridge(), X, y, train_sizes=[0.0, 0.5])
    with pytest.raises(ParameterError, match=r"within \(0, 120\]"):
        learning_curve(Ridge(), X, y, train_sizes=[10, 500])
    with pytest.raises(ParameterError, match="one metric"):
        learning_curve(Ridge(), X, y, scoring=["r2", "neg_mean_squared_error"])
    with pytest.raises(ParameterError, match="no parameter 'lambda'"):
        validation_curve(Ridge(), X, y, param_name="lambda", param_range=[1.0])
    with pytest.warns(LemmaWarning, match="duplicate entries"):
        learning_curve(Ridge(), X, y, train_sizes=[0.5, 0.501, 1.0])
