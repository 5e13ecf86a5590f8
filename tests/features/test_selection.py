"""Selectors (variance, univariate, from a model, recursive elimination) against scikit-learn."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import feature_selection as skfs
from sklearn import linear_model as sklm

from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.features import (
    RFE,
    RFECV,
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    f_regression,
    mutual_info_regression,
)
from lemma.models.linear import Lasso, LinearRegression, LogisticRegression
from lemma.pipeline import Pipeline


def _regression(rng, n=150, d=8):
    X = rng.normal(size=(n, d))
    y = X @ np.linspace(2.0, 0.0, d) + rng.normal(size=n)
    return X, y


# ----------------------------------------------------------------------------- variance
def test_variance_threshold_matches_sklearn(rng):
    X = rng.normal(size=(40, 5)) * [1.0, 0.1, 2.0, 0.0, 0.5]
    X[:4, 2] = np.nan
    X[:, 3] = 0.1  # constant, its computed variance is rounding noise
    for threshold in (0.0, 0.05, 0.5):
        ours = VarianceThreshold(threshold).fit(X)
        theirs = skfs.VarianceThreshold(threshold).fit(X)
        np.testing.assert_allclose(ours.variances_, theirs.variances_, rtol=1e-12)
        np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
        np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))


def test_variance_threshold_refuses_when_nothing_passes():
    with pytest.raises(DataValidationError, match="only 1 sample"):
        VarianceThreshold().fit(np.array([[1.0, 2.0]]))
    with pytest.raises(DataValidationError, match=r"threshold 2\.00000"):
        VarianceThreshold(2.0).fit(np.array([[1.0], [2.0]]))


# ----------------------------------------------------------------------------- univariate
@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=12), st.data())
def test_kbest_and_percentile_masks_match_sklearn_with_ties(values, data):
    scores = np.asarray(values, dtype=float)
    k = data.draw(st.integers(0, scores.size))
    percentile = data.draw(st.sampled_from([0, 5, 10, 25, 33.3, 50, 90, 100]))
    ours_k, theirs_k = SelectKBest(k=k), skfs.SelectKBest(k=k)
    ours_p, theirs_p = (
        SelectPercentile(percentile=percentile),
        skfs.SelectPercentile(percentile=percentile),
    )
    for selector in (ours_k, theirs_k, ours_p, theirs_p):
        selector.scores_ = scores
        selector.n_features_in_ = scores.size
    np.testing.assert_array_equal(ours_k.get_support(), theirs_k._get_support_mask())
    np.testing.assert_array_equal(ours_p.get_support(), theirs_p._get_support_mask())


@pytest.mark.parametrize("score_func", ["f_regression", f_regression])
def test_kbest_with_a_named_or_given_score_function(rng, score_func):
    X, y = _regression(rng)
    ours = SelectKBest(score_func, k=3).fit(X, y)
    theirs = skfs.SelectKBest(skfs.f_regression, k=3).fit(X, y)
    np.testing.assert_allclose(ours.scores_, theirs.scores_, rtol=1e-9)
    np.testing.assert_allclose(ours.pvalues_, theirs.pvalues_, rtol=1e-9, atol=1e-300)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())


def test_kbest_with_mutual_information_has_no_p_values(rng):
    X, y = _regression(rng)
    score = partial(mutual_info_regression, random_state=0)
    ours = SelectKBest(score, k=2).fit(X, y)
    theirs = skfs.SelectKBest(partial(skfs.mutual_info_regression, random_state=0), k=2)
    assert ours.pvalues_ is None
    np.testing.assert_array_equal(ours.get_support(), theirs.fit(X, y).get_support())


def test_kbest_dataframe_names_inverse_and_warnings(rng):
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (X["b"] > 0).astype(int)
    selector = SelectKBest(k=1).fit(X, y)
    assert selector.get_feature_names_out().tolist() == ["b"]
    out = selector.transform(X)
    assert list(out.columns) == ["b"]
    back = selector.inverse_transform(out.to_numpy())
    np.testing.assert_array_equal(back[:, 1], X["b"])
    np.testing.assert_array_equal(back[:, [0, 2]], 0.0)
    with pytest.warns(LemmaWarning, match="more columns than X has"):
        SelectKBest(k=5).fit(X, y)
    with pytest.warns(LemmaWarning, match="No features were selected"):
        assert SelectKBest(k=0).fit(X, y).transform(X).shape == (60, 0)
    with pytest.raises(DataValidationError, match="kept 1"):
        selector.inverse_transform(np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="score_func"):
        SelectKBest("anova").fit(X, y)
    with pytest.raises(ParameterError, match="'k'"):
        SelectKBest(k=-1).fit(X, y)


# ----------------------------------------------------------------------------- from a model
@pytest.mark.parametrize("threshold", [None, "mean", "median", "0.5*mean", 0.2])
def test_select_from_lasso_matches_sklearn(rng, threshold):
    X, y = _regression(rng)
    ours = SelectFromModel(Lasso(alpha=0.2), threshold=threshold).fit(X, y)
    theirs = skfs.SelectFromModel(sklm.Lasso(alpha=0.2), threshold=threshold).fit(X, y)
    assert ours.threshold_ == pytest.approx(theirs.threshold_, rel=1e-6)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())


def test_select_from_model_l1_zeros_and_max_features(rng):
    X, y = _regression(rng)
    lasso = SelectFromModel(Lasso(alpha=0.5)).fit(X, y)
    assert lasso.threshold_ == 1e-5
    np.testing.assert_array_equal(lasso.get_support(), lasso.estimator_.coef_ != 0)
    y_clear = X @ [0.0, 3.0, 0.0, 0.5, 0.0, 2.0, 0.0, 1.0]
    top = SelectFromModel(LinearRegression(), threshold=-np.inf, max_features=2)
    assert top.fit(X, y_clear).get_support(indices=True).tolist() == [1, 5]
    fraction = SelectFromModel(LinearRegression(), max_features=lambda X: X.shape[1] // 4)
    assert fraction.fit(X, y).max_features_ == 2


def test_select_from_multiclass_logistic_uses_the_norm_over_classes(rng):
    X = rng.normal(size=(200, 4))
    y = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
    ours = SelectFromModel(LogisticRegression(C=10.0), norm_order=2).fit(X, y)
    np.testing.assert_allclose(
        ours.estimator_.coef_.shape, (3, 4)
    )  # one row per class, norms over rows
    expected = np.linalg.norm(ours.estimator_.coef_, axis=0)
    np.testing.assert_array_equal(ours.get_support(), expected >= expected.mean())


def test_select_from_prefit_model_and_errors(rng):
    X, y = _regression(rng)
    fitted = LinearRegression().fit(X, y)
    selector = SelectFromModel(fitted, prefit=True).fit(X)
    np.testing.assert_allclose(selector.estimator_.coef_, fitted.coef_)
    with pytest.raises(DataValidationError, match="gives 8 importances for 3 columns"):
        SelectFromModel(fitted, prefit=True).fit(X[:, :3])
    with pytest.raises(ParameterError, match="'mean', 'median'"):
        SelectFromModel(LinearRegression(), threshold="mode").fit(X, y)
    with pytest.raises(ParameterError, match="not a number"):
        SelectFromModel(LinearRegression(), threshold="big*mean").fit(X, y)
    with pytest.raises(ParameterError, match="neither coef_ nor"):
        SelectFromModel(Pipeline([("m", LinearRegression())])).fit(X, y)
    getter = SelectFromModel(Pipeline([("m", LinearRegression())]),
                             importance_getter="named_steps.m.coef_")  # fmt: skip
    assert getter.fit(X, y).get_support().sum() >= 1


# ----------------------------------------------------------------------------- elimination
@pytest.mark.parametrize(("n_select", "step"), [(None, 1), (3, 2), (0.5, 0.3), (1, 1)])
def test_rfe_matches_sklearn(rng, n_select, step):
    X, y = _regression(rng)
    ours = RFE(LinearRegression(), n_features_to_select=n_select, step=step).fit(X, y)
    theirs = skfs.RFE(sklm.LinearRegression(), n_features_to_select=n_select, step=step)
    theirs.fit(X, y)
    np.testing.assert_array_equal(ours.ranking_, theirs.ranking_)
    assert ours.n_features_ == theirs.n_features_
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-10)


def test_rfe_multiclass_classifier_delegates(rng):
    X = rng.normal(size=(200, 6))
    y = np.digitize(X[:, 1] + X[:, 4], [-1.0, 1.0])
    ours = RFE(LogisticRegression(), n_features_to_select=2).fit(X, y)
    theirs = skfs.RFE(sklm.LogisticRegression(), n_features_to_select=2).fit(X, y)
    np.testing.assert_array_equal(ours.ranking_, theirs.ranking_)
    assert ours.get_support(indices=True).tolist() == [1, 4]
    assert ours.classes_.tolist() == [0, 1, 2]
    np.testing.assert_allclose(ours.predict_proba(X).sum(axis=1), 1.0)
    assert ours.__lemma_tags__().estimator_type == "classifier"
    assert not hasattr(RFE(Lasso()), "predict_proba")


def test_rfe_keeps_columns_in_the_order_of_their_weights(rng):
    X = rng.normal(size=(300, 5))
    y = X @ [5.0, 1.0, 3.0, 0.0, 2.0]
    ranking = RFE(LinearRegression(), n_features_to_select=1).fit(X, y).ranking_
    np.testing.assert_array_equal(ranking, [1, 4, 2, 5, 3])


def test_rfecv_matches_sklearn(rng):
    X, y = _regression(rng, d=6)
    ours = RFECV(LinearRegression(), step=2, cv=4).fit(X, y)
    theirs = skfs.RFECV(sklm.LinearRegression(), step=2, cv=4).fit(X, y)
    assert ours.n_features_ == theirs.n_features_
    np.testing.assert_array_equal(ours.ranking_, theirs.ranking_)
    for key in ("mean_test_score", "std_test_score", "split0_test_score", "n_features"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-9)
    low, high = ours.cv_results_["conf_int_low"], ours.cv_results_["conf_int_high"]
    assert np.all(low <= ours.cv_results_["mean_test_score"])
    assert np.all(ours.cv_results_["mean_test_score"] <= high)


def test_rfecv_classifier_with_scoring(rng):
    X = rng.normal(size=(150, 5))
    y = (X[:, 0] - X[:, 3] + 0.3 * rng.normal(size=150) > 0).astype(int)
    ours = RFECV(LogisticRegression(), cv=3, scoring="accuracy").fit(X, y)
    theirs = skfs.RFECV(sklm.LogisticRegression(), cv=3, scoring="accuracy").fit(X, y)
    # the two logistic fits agree to their solvers' tolerance, so a row on the boundary
    # may fall on either side: accuracies within one test row (1/50) of each other
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.021
    )
    assert set(ours.get_support(indices=True)) >= {0, 3}


def test_elimination_bad_input(rng):
    X, y = _regression(rng, d=3)
    with pytest.raises(DataValidationError, match="minimum of 2"):
        RFE(LinearRegression()).fit(X[:, :1], y)
    with pytest.raises(ParameterError, match="'step'"):
        RFE(LinearRegression(), step=0).fit(X, y)
    with pytest.raises(ParameterError, match="n_features_to_select"):
        RFE(LinearRegression(), n_features_to_select=1.5).fit(X, y)
    with pytest.raises(ParameterError, match="one metric"):
        RFECV(LinearRegression(), scoring=["r2", "neg_mean_squared_error"]).fit(X, y)
