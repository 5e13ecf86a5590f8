"""Nested cross-validation: equals a hand-written outer loop, any search object works."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.model_selection as skms
from scipy import stats
from sklearn.base import clone as sk_clone
from sklearn.linear_model import Ridge

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import DataTypeError
from lemma.models.linear import Ridge as LemmaRidge
from lemma.selection import GroupKFold, KFold, cross_val_score, nested_cross_validate


class BestAlpha(RegressorMixin, BaseEstimator):
    """A minimal search: the ridge alpha with the best 3-fold R², refitted on all rows."""

    def __init__(self, alphas=(0.01, 1.0, 100.0)):
        self.alphas = alphas

    def fit(self, X, y):
        means = [cross_val_score(LemmaRidge(alpha=a), X, y, cv=3).mean() for a in self.alphas]
        best = int(np.argmax(means))
        self.best_params_ = {"alpha": self.alphas[best]}
        self.best_score_ = means[best]
        self.best_estimator_ = LemmaRidge(alpha=self.alphas[best]).fit(X, y)
        return self

    def predict(self, X):
        return self.best_estimator_.predict(X)


class NoChoice(RegressorMixin, BaseEstimator):
    """Fits and predicts but records no best_params_ (not a search)."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def data():
    """Fixed data for the reference comparisons (generated once)."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(120, 5))
    y = X @ [2.0, 0.0, -1.0, 0.5, 0.0] + 1.5 * rng.normal(size=120)
    groups = np.repeat(np.arange(24), 5)
    return X, y, groups


def test_equals_the_hand_written_outer_loop(data):
    X, y, _ = data
    search = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 30.0, 300.0]}, cv=4)
    outer = KFold(5, shuffle=True, random_state=2)
    result = nested_cross_validate(search, X, y, outer_cv=outer)
    expected_scores, expected_params = [], []
    for train, test in outer.split(X):
        fitted = sk_clone(search).fit(X[train], y[train])
        expected_scores.append(fitted.score(X[test], y[test]))
        expected_params.append(fitted.best_params_)
    np.testing.assert_allclose(result.scores, expected_scores, rtol=1e-12)
    assert result.best_params == expected_params
    theirs = skms.cross_validate(search, X, y, cv=outer)
    np.testing.assert_allclose(result.scores, theirs["test_score"], rtol=1e-12)


def test_interval_is_corrected_t_over_outer_splits(data):
    X, y, _ = data
    result = nested_cross_validate(BestAlpha(), X, y, outer_cv=6, scoring="r2")
    scores = result.scores
    std_err = math.sqrt(np.var(scores, ddof=1) * (1 / 6 + 20 / 100))
    half = stats.t.ppf(0.975, 5) * std_err
    assert result.interval().conf_int == pytest.approx(
        (scores.mean() - half, scores.mean() + half), rel=1e-12
    )
    frame = result.to_frame()
    expected = ["split", "outer_score", "inner_best_score", "optimism", "param_alpha"]
    assert list(frame.columns) == expected
    np.testing.assert_allclose(frame["optimism"], frame["inner_best_score"] - scores)
    assert result.params_counts().sum() == 6
    assert "estimator" not in result.outer
    assert "Nested CV over 6 outer splits" in str(result)


def test_groups_reach_the_inner_search(data):
    X, y, groups = data
    search = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=skms.GroupKFold(3))
    outer = GroupKFold(4)
    result = nested_cross_validate(search, X, y, groups=groups, outer_cv=outer, n_jobs=2)
    for k, (train, test) in enumerate(outer.split(X, groups=groups)):
        fitted = sk_clone(search).fit(X[train], y[train], groups=groups[train])
        assert result.scores[k] == pytest.approx(fitted.score(X[test], y[test]), rel=1e-12)
        assert result.best_params[k] == fitted.best_params_


def test_refuses_objects_that_are_not_searches(data):
    X, y, _ = data
    with pytest.raises(DataTypeError, match="no best_params_"):
        nested_cross_validate(NoChoice(), X, y)
    with pytest.raises(DataTypeError, match="search must be"):
        nested_cross_validate(object(), X, y)
