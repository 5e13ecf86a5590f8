"""SimpleImputer against scikit-learn's SimpleImputer, and its documented edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import impute as sk_impute
from sklearn.utils.estimator_checks import check_estimator

from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning, ParameterError
from lemma.prep import SimpleImputer

TOL = 1e-10


def _numeric(rng, n=60, d=4, share=0.2):
    X = rng.normal(size=(n, d)) * [1.0, 10.0, 0.1, 3.0][:d]
    X[:, 3] = np.round(X[:, 3])  # ties for the mode
    X[rng.random((n, d)) < share] = np.nan
    return X


def _sk(**params):
    return sk_impute.SimpleImputer(**params)


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
@pytest.mark.parametrize("add_indicator", [False, True])
def test_numeric_matches_sklearn(rng, strategy, add_indicator):
    X, X_new = _numeric(rng), _numeric(rng, n=20)
    params = {"strategy": strategy, "add_indicator": add_indicator}
    ours = SimpleImputer(**params).fit(X)
    theirs = _sk(**params).fit(X)
    np.testing.assert_allclose(ours.statistics_, theirs.statistics_.astype(float), rtol=TOL)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=TOL)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


@pytest.mark.parametrize("strategy", ["most_frequent", "constant"])
def test_strings_match_sklearn(rng, strategy):
    n = 50
    X = np.empty((n, 2), dtype=object)
    X[:, 0] = rng.choice(["red", "green", "blue"], size=n)
    X[:, 1] = rng.choice(["a", "b"], size=n, p=[0.3, 0.7])
    X[rng.random((n, 2)) < 0.25] = np.nan
    ours = SimpleImputer(strategy=strategy, add_indicator=True).fit(X)
    theirs = _sk(strategy=strategy, add_indicator=True).fit(X)
    assert list(ours.statistics_) == list(theirs.statistics_)
    out, ref = ours.transform(X), theirs.transform(X)
    assert out.shape == ref.shape
    assert (out[:, :2] == ref[:, :2]).all()
    np.testing.assert_array_equal(out[:, 2:].astype(float), ref[:, 2:].astype(float))


def test_most_frequent_ties_go_to_smallest():
    X = np.array([[3.0, "b"], [1.0, "a"], [3.0, "a"], [1.0, "b"], [np.nan, None]], dtype=object)
    ours = SimpleImputer(strategy="most_frequent").fit(X)
    assert list(ours.statistics_) == [1.0, "a"]


def test_empty_column_dropped_with_warning_and_named():
    X = pd.DataFrame({"age": [1.0, np.nan, 3.0], "void": [np.nan] * 3, "w": [1.0, 2.0, 3.0]})
    with pytest.warns(LemmaWarning, match=r"Columns \['void'\] have no observed values"):
        imp = SimpleImputer().fit(X)
    out = imp.transform(X)
    assert list(out.columns) == ["age", "w"] == list(imp.get_feature_names_out())
    with pytest.warns(UserWarning, match="Skipping features without any observed values"):
        ref = _sk().fit(X).transform(X)
    np.testing.assert_allclose(out.to_numpy(), ref, rtol=TOL)


def test_keep_empty_features_matches_sklearn():
    X = np.array([[1.0, np.nan], [np.nan, np.nan], [3.0, np.nan]])
    for strategy in ["mean", "median", "most_frequent", "constant"]:
        ours = SimpleImputer(strategy=strategy, keep_empty_features=True, fill_value=7.0)
        theirs = _sk(strategy=strategy, keep_empty_features=True, fill_value=7.0)
        np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), rtol=TOL)


def test_constant_column_is_its_own_statistic():
    X = np.array([[5.0, 1.0], [5.0, np.nan], [np.nan, 2.0]])
    for strategy in ["mean", "median", "most_frequent"]:
        assert SimpleImputer(strategy=strategy).fit(X).statistics_[0] == 5.0


def test_other_missing_marker_matches_sklearn(rng):
    X = rng.integers(0, 5, size=(40, 3)).astype(float)
    X[X == 0] = -1.0
    ours = SimpleImputer(missing_values=-1.0, strategy="median").fit_transform(X)
    theirs = _sk(missing_values=-1.0, strategy="median").fit_transform(X)
    np.testing.assert_allclose(ours, theirs, rtol=TOL)


def test_float32_kept(rng):
    X = _numeric(rng).astype(np.float32)
    assert SimpleImputer().fit_transform(X).dtype == np.float32


def test_inverse_transform_restores_missing(rng):
    X = _numeric(rng)
    imp = SimpleImputer(add_indicator=True).fit(X)
    back = imp.inverse_transform(imp.transform(X))
    np.testing.assert_array_equal(np.isnan(back), np.isnan(X))
    np.testing.assert_array_equal(back[~np.isnan(X)], X[~np.isnan(X)])
    with pytest.raises(ParameterError, match="add_indicator=True"):
        SimpleImputer().fit(X).inverse_transform(X)


def test_dataframe_in_dataframe_out():
    X = pd.DataFrame(
        {"city": ["a", None, "a", "b"], "n": [1.0, 2.0, np.nan, 2.0]}, index=[5, 6, 7, 8]
    )
    out = SimpleImputer(strategy="most_frequent").fit_transform(X)
    assert list(out.index) == [5, 6, 7, 8]
    assert out["city"].tolist() == ["a", "a", "a", "b"]
    assert out["n"].dtype == np.float64 and out["n"].tolist() == [1.0, 2.0, 2.0, 2.0]


# ----------------------------------------------------------------------------- bad input
def test_mixed_types_most_frequent_documented():
    X = np.array([[1], ["a"], ["a"], [np.nan], [1], [1]], dtype=object)
    out = SimpleImputer(strategy="most_frequent").fit_transform(X)
    assert out[3, 0] == 1


def test_mean_refuses_text_naming_columns():
    X = pd.DataFrame({"city": ["a", "b"], "n": [1.0, 2.0]})
    with pytest.raises(DataTypeError, match=r"non-numeric columns \['city'\].*most_frequent"):
        SimpleImputer().fit(X)


def test_text_fill_value_on_numbers_refused():
    with pytest.raises(DataTypeError, match="fill_value='none' is text"):
        SimpleImputer(strategy="constant", fill_value="none").fit(np.array([[1.0], [np.nan]]))


def test_empty_dataframe_refused():
    with pytest.raises(DataValidationError, match="0 sample"):
        SimpleImputer().fit(pd.DataFrame({"a": []}, dtype=float))


def test_infinity_refused():
    with pytest.raises(DataValidationError, match="infinite"):
        SimpleImputer(strategy="most_frequent").fit(np.array([[1.0], [np.inf]]))


def test_sparse_refused():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(DataTypeError, match="sparse"):
        SimpleImputer().fit(sparse.csr_matrix(np.eye(3)))


@pytest.mark.parametrize("strategy", ["median", "most_frequent", "constant"])
def test_sklearn_checks_for_other_strategies(strategy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(SimpleImputer(strategy=strategy))
