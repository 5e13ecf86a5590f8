"""GridSearchCV and RandomizedSearchCV against scikit-learn's on the same folds."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.model_selection as skms
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from lemma.exceptions import LemmaWarning, ParameterError
from lemma.models.linear import Ridge
from lemma.selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
    nested_cross_validate,
)
from lemma.selection.distributions import loguniform


@pytest.fixture(scope="module")
def data():
    """Fixed data for the reference comparisons (generated once)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(150, 5))
    margin = X @ [1.0, -0.8, 0.5, 0.0, 0.0] + rng.normal(size=150)
    return X, margin + 1.0, (margin > 0).astype(int)


def _sklearn_columns(theirs):
    """scikit-learn's cv_results_ keys, without the timings (which differ run to run)."""
    return [k for k in theirs if "time" not in k]


def _same_results(ours, theirs, tol=1e-12):
    for key in _sklearn_columns(theirs):
        if key == "params":
            assert ours[key] == theirs[key]
        elif key.startswith("param_"):
            assert np.array_equal(np.ma.getmaskarray(ours[key]), np.ma.getmaskarray(theirs[key]))
            assert ours[key].dtype == theirs[key].dtype
            assert list(ours[key].compressed()) == list(theirs[key].compressed())
        elif key.startswith("rank_"):
            assert np.array_equal(ours[key], theirs[key]), key
        else:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=tol, atol=tol, err_msg=key)


ALPHAS = [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3]


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_grid_search_matches_sklearn_on_ridge(data, scoring):
    X, y, _ = data
    cv = list(KFold(5, shuffle=True, random_state=0).split(X))
    grid = {"alpha": ALPHAS, "fit_intercept": [True, False]}
    ours = GridSearchCV(SkRidge(), grid, cv=cv, scoring=scoring, return_train_score=True)
    theirs = skms.GridSearchCV(SkRidge(), grid, cv=cv, scoring=scoring, return_train_score=True)
    ours.fit(X, y)
    theirs.fit(X, y)
    _same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-12)
    assert ours.n_splits_ == theirs.n_splits_ == 5
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-12)


def test_grid_search_matches_sklearn_on_logistic_regression(data):
    X, _, labels = data
    grid = {"C": [1e-3, 1e-2, 0.1, 1.0, 10.0]}
    ours = GridSearchCV(LogisticRegression(), grid, cv=5, scoring="roc_auc").fit(X, labels)
    theirs = skms.GridSearchCV(LogisticRegression(), grid, cv=5, scoring="roc_auc")
    theirs.fit(X, labels)
    _same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    assert np.array_equal(ours.classes_, theirs.classes_)


def test_multimetric_refit_by_name_matches_sklearn(data):
    X, y, _ = data
    cv = KFold(4, shuffle=True, random_state=1)
    scoring = ["r2", "neg_mean_absolute_error"]
    kwargs = {"cv": cv, "scoring": scoring, "refit": "neg_mean_absolute_error"}
    ours = GridSearchCV(SkRidge(), {"alpha": ALPHAS}, **kwargs).fit(X, y)
    theirs = skms.GridSearchCV(SkRidge(), {"alpha": ALPHAS}, **kwargs).fit(X, y)
    _same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-12)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-12)
    for metric in scoring:
        assert f"p_value_vs_best_{metric}" in ours.cv_results_


def test_multimetric_without_refit_sets_no_best(data):
    X, y, _ = data
    search = GridSearchCV(
        SkRidge(), {"alpha": [0.1, 1.0]}, scoring=["r2", "explained_variance"], refit=False
    ).fit(X, y)
    assert not hasattr(search, "best_index_")
    assert not hasattr(search, "predict")
    assert "tied_with_best_explained_variance" in search.cv_results_


def test_list_of_grids_and_masked_params_match_sklearn(data):
    X, _, labels = data
    grid = [{"kernel": ["linear"], "C": [0.1, 1.0]}, {"kernel": ["rbf"], "gamma": [0.1, 1.0]}]
    ours = GridSearchCV(SVC(), grid, cv=3).fit(X, labels)
    theirs = skms.GridSearchCV(SVC(), grid, cv=3).fit(X, labels)
    _same_results(ours.cv_results_, theirs.cv_results_)
    assert list(ParameterGrid(grid)) == list(skms.ParameterGrid(grid))
    assert not hasattr(ours, "predict_proba")  # SVC without probability=True
    assert hasattr(ours, "decision_function")


def test_parameter_grid_indexing_and_length():
    grid = [{"a": [1, 2, 3], "b": ["x", "y"]}, {}, {"c": np.array([0.5, 1.5])}]
    listed = list(ParameterGrid(grid))
    assert listed == list(skms.ParameterGrid(grid))
    assert len(ParameterGrid(grid)) == len(listed) == 9
    assert [ParameterGrid(grid)[i] for i in range(9)] == listed
    with pytest.raises(IndexError):
        ParameterGrid(grid)[9]


def test_lemma_estimator_in_both_searches(data):
    X, y, _ = data
    cv = KFold(5, shuffle=True, random_state=2)
    grid = {"alpha": ALPHAS}
    ours = GridSearchCV(Ridge(), grid, cv=cv).fit(X, y)
    theirs = skms.GridSearchCV(Ridge(), grid, cv=cv).fit(X, y)
    _same_results(ours.cv_results_, theirs.cv_results_, tol=1e-10)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.best_estimator_.coef_, theirs.best_estimator_.coef_)


def test_pipeline_with_nested_names(data):
    X, y, _ = data
    pipe = make_pipeline(StandardScaler(), SkRidge())
    grid = {"ridge__alpha": [0.1, 10.0], "standardscaler__with_mean": [True, False]}
    ours = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    theirs = skms.GridSearchCV(pipe, grid, cv=3).fit(X, y)
    _same_results(ours.cv_results_, theirs.cv_results_)


def test_random_search_over_lists_samples_the_grid_without_replacement(data, seed):
    X, y, _ = data
    cv = KFold(5, shuffle=True, random_state=seed)
    space = {"alpha": ALPHAS, "fit_intercept": [True, False]}
    ours = RandomizedSearchCV(SkRidge(), space, n_iter=14, cv=cv, random_state=seed).fit(X, y)
    theirs = skms.GridSearchCV(SkRidge(), space, cv=cv).fit(X, y)
    order = [theirs.cv_results_["params"].index(p) for p in ours.cv_results_["params"]]
    assert sorted(order) == list(range(14))  # every grid point exactly once
    for key in _sklearn_columns(theirs.cv_results_):
        if key.startswith(("split", "mean_test", "std_test")):
            np.testing.assert_allclose(
                ours.cv_results_[key], theirs.cv_results_[key][order], rtol=1e-12
            )
    assert ours.best_params_ == theirs.best_params_
    few = list(ParameterSampler(space, n_iter=5, random_state=seed))
    assert len(few) == 5 and len({tuple(sorted(p.items())) for p in few}) == 5


def test_random_search_over_lists_warns_when_grid_is_small():
    with pytest.warns(LemmaWarning, match="only 2 distinct candidates"):
        draws = list(ParameterSampler({"a": [1, 2]}, n_iter=5, random_state=0))
    assert sorted(d["a"] for d in draws) == [1, 2]


@pytest.mark.parametrize("distribution", [stats.loguniform(1e-3, 1e3), loguniform(1e-3, 1e3)])
def test_random_search_with_distributions_scores_like_sklearn(data, seed, distribution):
    X, y, _ = data
    cv = KFold(5, shuffle=True, random_state=seed)
    space = {"alpha": distribution, "fit_intercept": [True, False]}
    ours = RandomizedSearchCV(SkRidge(), space, n_iter=6, cv=cv, random_state=seed).fit(X, y)
    again = RandomizedSearchCV(SkRidge(), space, n_iter=6, cv=cv, random_state=seed).fit(X, y)
    assert ours.cv_results_["params"] == again.cv_results_["params"]
    alphas = [p["alpha"] for p in ours.cv_results_["params"]]
    assert all(1e-3 <= a <= 1e3 for a in alphas)
    explicit = [{k: [v] for k, v in p.items()} for p in ours.cv_results_["params"]]
    theirs = skms.GridSearchCV(SkRidge(), explicit, cv=cv).fit(X, y)
    _same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_params_ == theirs.best_params_


def test_sampler_draws_a_list_of_spaces():
    spaces = [{"kernel": ["linear"]}, {"kernel": ["rbf"], "gamma": stats.uniform(0, 1)}]
    draws = list(ParameterSampler(spaces, n_iter=30, random_state=0))
    kinds = {d["kernel"] for d in draws}
    assert kinds == {"linear", "rbf"}
    assert all(("gamma" in d) == (d["kernel"] == "rbf") for d in draws)


def test_search_is_usable_by_sklearn_and_nested_cv(data):
    X, y, _ = data
    search = GridSearchCV(SkRidge(), {"alpha": [0.01, 100.0]}, cv=3)
    outer = skms.cross_val_score(search, X, y, cv=3)
    assert outer.shape == (3,)
    result = nested_cross_validate(search, X, y, outer_cv=3)
    assert len(result.best_params) == 3


def test_fit_params_are_sliced_per_fold_as_in_cross_validate(data):
    # Folds are fitted with their share of sample_weight and scored unweighted, as
    # cross_validate does (lemma's and scikit-learn's); scikit-learn's GridSearchCV
    # (1.9) also weighs the test scores, so the comparison is with cross_validate.
    X, y, _ = data
    weight = np.linspace(0.5, 2.0, len(y))
    cv = list(KFold(4, shuffle=True, random_state=3).split(X))
    ours = GridSearchCV(SkRidge(), {"alpha": ALPHAS}, cv=cv).fit(X, y, sample_weight=weight)
    for index, alpha in enumerate(ALPHAS):
        theirs = skms.cross_validate(
            SkRidge(alpha=alpha), X, y, cv=cv, params={"sample_weight": weight}
        )
        scores = [ours.cv_results_[f"split{j}_test_score"][index] for j in range(4)]
        np.testing.assert_allclose(scores, theirs["test_score"], rtol=1e-12)
    best = SkRidge(alpha=ours.best_params_["alpha"]).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(ours.best_estimator_.coef_, best.coef_, rtol=1e-12)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ([], "non-empty list of such dicts"),
        ({"alpha": []}, "non-empty list or 1-D array"),
        ({"alpha": 1.0}, r"Wrap a single value in a list"),
        (["alpha"], "must be a dict"),
    ],
)
def test_bad_grid(data, grid, match):
    X, y, _ = data
    with pytest.raises(ParameterError, match=match):
        GridSearchCV(SkRidge(), grid).fit(X, y)


def test_unknown_parameter_lists_the_valid_ones(data):
    X, y, _ = data
    with pytest.raises(ParameterError, match=r"Invalid parameter 'alpah'.*'alpha'.*'solver'"):
        GridSearchCV(SkRidge(), {"alpah": [1.0]}).fit(X, y)


def test_distribution_without_rvs(data):
    X, y, _ = data
    with pytest.raises(ParameterError, match="rvs"):
        RandomizedSearchCV(SkRidge(), {"alpha": object()}).fit(X, y)


@pytest.mark.parametrize("n_iter", [0, -3, 2.5])
def test_n_iter_below_one(data, n_iter):
    X, y, _ = data
    with pytest.raises(ParameterError, match="n_iter"):
        RandomizedSearchCV(SkRidge(), {"alpha": [1.0, 2.0]}, n_iter=n_iter).fit(X, y)
    with pytest.raises(ParameterError, match="n_iter"):
        ParameterSampler({"alpha": [1.0]}, n_iter=n_iter)


def test_multimetric_needs_a_refit_name(data):
    X, y, _ = data
    with pytest.raises(ParameterError, match="refit must be the name"):
        GridSearchCV(SkRidge(), {"alpha": [1.0]}, scoring=["r2", "explained_variance"]).fit(X, y)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"select": "smallest"}, "'select' parameter"),
        ({"confidence": 1.5}, "'confidence' parameter"),
        ({"error_score": "ignore"}, "'error_score' parameter"),
        ({"complexity": 3}, "'complexity' parameter"),
    ],
)
def test_bad_options(data, options, match):
    X, y, _ = data
    with pytest.raises(ParameterError, match=match):
        GridSearchCV(SkRidge(), {"alpha": [1.0]}, **options).fit(X, y)


def test_missing_target_is_refused_before_fitting(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        GridSearchCV(SkRidge(), {"alpha": [1.0]}).fit(X)
