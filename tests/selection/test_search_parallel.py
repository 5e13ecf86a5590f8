"""Searches in parallel give the same results; Ctrl-C keeps the finished candidates."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import LemmaWarning
from lemma.selection import GridSearchCV, KFold, RandomizedSearchCV
from lemma.selection.distributions import randint


class InterruptOnFit(RegressorMixin, BaseEstimator):
    """Predicts mean(y) + shift; the k-th fit (counted over all instances) raises Ctrl-C."""

    calls = 0

    def __init__(self, k=3, shift=0.0):
        self.k = k
        self.shift = shift

    def fit(self, X, y):
        type(self).calls += 1
        if type(self).calls == self.k:
            raise KeyboardInterrupt
        self.mean_ = float(np.mean(y)) + self.shift
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(90, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=90)
    return X, y


def test_n_jobs_2_gives_identical_results(data, seed):
    X, y = data
    model = RandomForestRegressor(n_estimators=8, random_state=seed)
    cv = KFold(3, shuffle=True, random_state=seed)
    space = {"max_depth": randint(1, 6), "max_features": [1, 2, 4]}
    kwargs = {"n_iter": 4, "cv": cv, "random_state": seed, "return_train_score": True}
    one = RandomizedSearchCV(model, space, n_jobs=1, **kwargs).fit(X, y)
    two = RandomizedSearchCV(model, space, n_jobs=2, **kwargs).fit(X, y)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    for key, value in one.cv_results_.items():
        if "time" not in key and key != "params" and not key.startswith("param_"):
            np.testing.assert_array_equal(value, two.cv_results_[key], err_msg=key)
    assert one.best_params_ == two.best_params_


def test_interrupt_keeps_the_finished_candidates(data):
    X, y = data
    InterruptOnFit.calls = 0
    grid = {"shift": [0.0, 0.5, 1.0, 2.0]}
    search = GridSearchCV(InterruptOnFit(k=8), grid, cv=3)
    with pytest.warns(LemmaWarning, match="interrupted: 2 of the 4 candidates"):
        search.fit(X, y)  # fits 1-6 finish candidates 0 and 1; fit 8 is candidate 2's 2nd fold
    assert search.interrupted_
    assert search.cv_results_["params"] == [{"shift": 0.0}, {"shift": 0.5}]
    assert search.best_params_ == {"shift": 0.0}
    assert search.best_estimator_.mean_ == pytest.approx(np.mean(y))
    assert len(search.summary()) == 2


def test_interrupt_without_refit_keeps_results_only(data):
    X, y = data
    InterruptOnFit.calls = 0
    grid = {"shift": [0.0, 1.0, 2.0]}
    search = GridSearchCV(InterruptOnFit(k=4), grid, cv=2, refit=False)
    with pytest.warns(LemmaWarning, match="interrupted: 1 of the 3 candidates"):
        search.fit(X, y)
    assert search.cv_results_["params"] == [{"shift": 0.0}]
    assert search.best_index_ == 0
    assert not hasattr(search, "best_estimator_")


def test_interrupt_before_any_candidate_finished_is_raised(data):
    X, y = data
    InterruptOnFit.calls = 0
    with pytest.raises(KeyboardInterrupt):
        GridSearchCV(InterruptOnFit(k=2), {"shift": [0.0, 1.0]}, cv=3).fit(X, y)
