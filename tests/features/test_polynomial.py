"""PolynomialFeatures and InteractionFeatures against scikit-learn and the monomial count."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import preprocessing as skp

from lemma.exceptions import DataValidationError, ParameterError
from lemma.features import InteractionFeatures, PolynomialFeatures
from lemma.features.polynomial import _PARALLEL_MIN_SIZE


@pytest.mark.parametrize("degree", [1, 2, 3, (2, 3), (0, 2), (3, 3)])
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("include_bias", [False, True])
def test_polynomial_matches_sklearn(rng, degree, interaction_only, include_bias):
    X = rng.normal(size=(50, 4))
    params = dict(degree=degree, interaction_only=interaction_only, include_bias=include_bias)
    ours = PolynomialFeatures(**params).fit(X)
    theirs = skp.PolynomialFeatures(**params).fit(X)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))  # same operations
    np.testing.assert_array_equal(ours.powers_, theirs.powers_)
    assert ours.n_output_features_ == theirs.n_output_features_
    assert ours.get_feature_names_out(list("abcd")).tolist() == (
        theirs.get_feature_names_out(list("abcd")).tolist()
    )


def test_polynomial_parallel_kernel_matches_sklearn(rng):
    n = _PARALLEL_MIN_SIZE // 20 + 10  # 21 output columns: past the parallel threshold
    X = rng.normal(size=(n, 5))
    ours = PolynomialFeatures(2).fit_transform(X)
    assert ours.size >= _PARALLEL_MIN_SIZE
    np.testing.assert_array_equal(ours, skp.PolynomialFeatures(2).fit_transform(X))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(0, 4), st.booleans(), st.booleans())
def test_polynomial_counts_and_powers(d, degree, interaction_only, include_bias):
    if degree == 0 and not include_bias:
        return
    poly = PolynomialFeatures(degree, interaction_only=interaction_only,
                              include_bias=include_bias).fit(np.ones((2, d)))  # fmt: skip
    if interaction_only:
        expected = sum(comb(d, k) for k in range(1, degree + 1))
    else:
        expected = comb(d + degree, degree) - 1
    assert poly.n_output_features_ == expected + include_bias
    degrees = poly.powers_.sum(axis=1)
    assert np.all(np.diff(degrees) >= 0) and degrees.max(initial=0) <= degree
    if interaction_only:
        assert poly.powers_.max(initial=0) <= 1


def test_polynomial_columns_are_the_monomials(rng):
    X = rng.normal(size=(20, 3))
    poly = PolynomialFeatures(3).fit(X)
    expected = np.prod(X[:, None, :] ** poly.powers_[None, :, :], axis=2)
    np.testing.assert_allclose(poly.transform(X), expected, rtol=1e-13)


def test_polynomial_float32_and_dataframe():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}, dtype=np.float32)
    out = PolynomialFeatures(2, include_bias=False).fit_transform(X)
    assert list(out.columns) == ["a", "b", "a^2", "a b", "b^2"]
    assert out.to_numpy().dtype == np.float32
    np.testing.assert_array_equal(out.to_numpy()[1], [2, 4, 4, 8, 16])


def test_polynomial_bad_input():
    with pytest.raises(ParameterError, match="degree"):
        PolynomialFeatures(-1).fit(np.ones((2, 2)))
    with pytest.raises(ParameterError, match="degree"):
        PolynomialFeatures((3, 2)).fit(np.ones((2, 2)))
    with pytest.raises(ParameterError, match="no column"):
        PolynomialFeatures(0, include_bias=False).fit(np.ones((2, 2)))
    with pytest.raises(DataValidationError, match="expecting 2 features"):
        PolynomialFeatures().fit(np.ones((2, 2))).transform(np.ones((2, 3)))
    with pytest.raises(DataValidationError, match="NaN"):
        PolynomialFeatures().fit(np.array([[1.0, np.nan]]))


# ----------------------------------------------------------------------------- interactions
def test_interactions_equal_sklearn_interaction_terms(rng):
    X = rng.normal(size=(30, 4))
    ours = InteractionFeatures().fit_transform(X)
    theirs = skp.PolynomialFeatures(2, interaction_only=True, include_bias=False).fit_transform(X)
    np.testing.assert_array_equal(ours, theirs)


def test_interactions_of_chosen_columns_and_pairs(rng):
    X = pd.DataFrame(rng.normal(size=(10, 4)), columns=["a", "b", "c", "d"])
    step = InteractionFeatures(columns=["a", "c", "d"], include_input=False).fit(X)
    assert step.get_feature_names_out().tolist() == ["a c", "a d", "c d"]
    out = step.transform(X)
    np.testing.assert_array_equal(out["c d"], X["c"] * X["d"])
    pairs = InteractionFeatures([("d", "a"), (1, 2)]).fit(X)
    assert pairs.get_feature_names_out().tolist() == ["a", "b", "c", "d", "d a", "b c"]
    np.testing.assert_array_equal(pairs.transform(X).to_numpy()[:, 4], X["d"] * X["a"])


def test_interactions_bad_input(rng):
    X = pd.DataFrame(rng.normal(size=(5, 2)), columns=["a", "b"])
    with pytest.raises(ParameterError, match="'z', which is not a column"):
        InteractionFeatures([("a", "z")]).fit(X)
    with pytest.raises(ParameterError, match="by itself"):
        InteractionFeatures([("a", "a")]).fit(X)
    with pytest.raises(ParameterError, match="column 5"):
        InteractionFeatures(columns=[0, 5]).fit(X)
    with pytest.raises(ParameterError, match="repeats"):
        InteractionFeatures(columns=["a", 0]).fit(X)
    with pytest.raises(DataValidationError, match="output nothing"):
        InteractionFeatures(columns=["a"], include_input=False).fit(X)
    with pytest.raises(ParameterError, match="pairs"):
        InteractionFeatures(pairs=[("a", "b", "c")]).fit(X)
