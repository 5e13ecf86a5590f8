"""Successive halving: scikit-learn's schedule, the subsampling of the rows, the rounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge as SkRidge
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import HalvingGridSearchCV as SkHalvingGridSearchCV
from sklearn.model_selection import HalvingRandomSearchCV as SkHalvingRandomSearchCV

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import ParameterError
from lemma.selection import HalvingGridSearchCV, HalvingRandomSearchCV, KFold
from lemma.selection.distributions import loguniform

SCHEDULE = [
    "n_resources_",
    "n_candidates_",
    "n_iterations_",
    "n_required_iterations_",
    "n_possible_iterations_",
    "min_resources_",
    "max_resources_",
    "n_remaining_candidates_",
]


class MeanWithBudget(RegressorMixin, BaseEstimator):
    """Predicts mean(y) + shift; ``budget`` stands for an iteration count."""

    def __init__(self, budget=1, shift=0.0):
        self.budget = budget
        self.shift = shift

    def fit(self, X, y):
        self.mean_ = float(np.mean(y)) + self.shift / self.budget
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def data():
    """Fixed data for the comparisons with scikit-learn (generated once)."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, 4))
    y = X @ [1.0, -1.0, 0.5, 0.0] + rng.normal(size=400)
    return X, y


def _same_schedule(ours, theirs):
    for name in SCHEDULE:
        assert getattr(ours, name) == getattr(theirs, name), name


@pytest.mark.parametrize(
    ("n_candidates", "factor", "min_resources", "aggressive_elimination"),
    [
        (5, 3, "exhaust", False),
        (9, 3, "exhaust", False),
        (30, 3, "exhaust", False),
        (30, 2, "exhaust", False),
        (20, 4.5, "exhaust", False),
        (10, 3, "smallest", False),
        (30, 3, "smallest", False),
        (30, 2, 25, False),
        (30, 3, 150, False),
        (30, 3, 150, True),
        (20, 2, 100, True),
        (10, 4.5, "smallest", True),
    ],
)
def test_schedule_matches_sklearn(
    data, n_candidates, factor, min_resources, aggressive_elimination
):
    X, y = data
    grid = {"alpha": list(np.logspace(-3, 3, n_candidates))}
    kwargs = {
        "factor": factor,
        "min_resources": min_resources,
        "cv": 3,
        "random_state": 0,
        "aggressive_elimination": aggressive_elimination,
        "scoring": "neg_mean_squared_error",
    }
    ours = HalvingGridSearchCV(SkRidge(), grid, **kwargs).fit(X, y)
    theirs = SkHalvingGridSearchCV(SkRidge(), grid, **kwargs).fit(X, y)
    _same_schedule(ours, theirs)
    iters = ours.cv_results_["iter"]
    for itr, (resources, count) in enumerate(
        zip(ours.n_resources_, ours.n_candidates_, strict=True)
    ):
        assert np.sum(iters == itr) == count
        assert np.all(ours.cv_results_["n_resources"][iters == itr] == resources)
        if itr:
            assert count == math.ceil(ours.n_candidates_[itr - 1] / factor)


def test_schedule_for_a_classifier_and_for_a_parameter_resource(data):
    X, y = data
    labels = np.digitize(y, [-1.0, 1.0])  # three classes
    grid = {"alpha": [0.01, 0.1, 1.0, 10.0]}
    kwargs = {"min_resources": "smallest", "cv": 3, "random_state": 0}
    ours = HalvingGridSearchCV(RidgeClassifier(), grid, **kwargs).fit(X, labels)
    theirs = SkHalvingGridSearchCV(RidgeClassifier(), grid, **kwargs).fit(X, labels)
    _same_schedule(ours, theirs)
    assert ours.min_resources_ == 2 * 3 * 3
    grid = {"shift": list(np.linspace(0, 3, 12))}
    kwargs = {"resource": "budget", "max_resources": 30, "cv": 3, "factor": 2}
    ours = HalvingGridSearchCV(MeanWithBudget(), grid, **kwargs).fit(X, y)
    theirs = SkHalvingGridSearchCV(MeanWithBudget(), grid, **kwargs).fit(X, y)
    _same_schedule(ours, theirs)
    budgets = [p["budget"] for p in ours.cv_results_["params"]]
    assert sorted(set(budgets)) == ours.n_resources_
    assert ours.best_params_["budget"] == ours.n_resources_[-1]


@pytest.mark.parametrize("n_candidates", ["exhaust", 7])
def test_random_schedule_matches_sklearn(data, n_candidates):
    X, y = data
    space = {"alpha": loguniform(1e-3, 1e3)}
    kwargs = {"n_candidates": n_candidates, "min_resources": 30, "cv": 3, "random_state": 0}
    ours = HalvingRandomSearchCV(SkRidge(), space, **kwargs).fit(X, y)
    theirs = SkHalvingRandomSearchCV(SkRidge(), space, **kwargs).fit(X, y)
    _same_schedule(ours, theirs)


def _size(estimator, X, y):
    """A 'score' that is the number of rows it is computed on."""
    return float(len(y))


def test_each_round_thins_every_split_and_keeps_the_best(data, seed):
    X, y = data
    grid = {"alpha": list(np.logspace(-3, 4, 10))}
    search = HalvingGridSearchCV(
        SkRidge(), grid, cv=KFold(4), random_state=seed, min_resources=40
    ).fit(X, y)
    sizes = HalvingGridSearchCV(
        SkRidge(),
        grid,
        cv=KFold(4),
        random_state=seed,
        min_resources=40,
        scoring=_size,
        return_train_score=True,
    )
    sizes.fit(X, y)
    results = sizes.cv_results_
    for itr, resources in enumerate(sizes.n_resources_):
        rows = results["iter"] == itr
        fraction = resources / len(y)
        assert np.all(results["mean_test_score"][rows] == int(fraction * 100))
        assert np.all(results["mean_train_score"][rows] == int(fraction * 300))
    results = search.cv_results_
    for itr in range(1, search.n_iterations_):
        before = np.flatnonzero(results["iter"] == itr - 1)
        ranked = before[np.argsort(-results["mean_test_score"][before], kind="stable")]
        kept = [results["params"][i] for i in sorted(ranked[: search.n_candidates_[itr]])]
        now = [
            {"alpha": p["alpha"]}
            for p, i in zip(results["params"], results["iter"], strict=True)
            if i == itr
        ]
        assert now == kept
    last = np.flatnonzero(results["iter"] == search.n_iterations_ - 1)
    assert search.best_index_ == last[np.argmax(results["mean_test_score"][last])]
    for itr in range(search.n_iterations_):  # one best (p = 1) per round
        rows = results["iter"] == itr
        best = np.argmax(results["mean_test_score"][rows])
        assert results["p_value_vs_best_score"][rows][best] == 1.0


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"resource": "steps"}, "neither 'n_samples' nor a parameter"),
        ({"resource": "alpha", "max_resources": 10}, "also a searched parameter"),
        ({"resource": "max_iter"}, "max_resources='auto' only works"),
        ({"scoring": ["r2", "explained_variance"], "refit": "r2"}, "one metric"),
        ({"min_resources": 500}, "greater than max_resources_"),
        ({"factor": 1}, "'factor' parameter"),
    ],
)
def test_bad_options(data, options, match):
    X, y = data
    with pytest.raises(ParameterError, match=match):
        HalvingGridSearchCV(SkRidge(), {"alpha": [0.1, 1.0, 10.0]}, **options).fit(X, y)


def test_random_search_cannot_exhaust_twice(data):
    X, y = data
    search = HalvingRandomSearchCV(SkRidge(), {"alpha": [1.0, 2.0]}, min_resources="exhaust")
    with pytest.raises(ParameterError, match="cannot both be 'exhaust'"):
        search.fit(X, y)
