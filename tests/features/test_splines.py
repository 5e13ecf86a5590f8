"""SplineTransformer against scikit-learn; the B-spline basis against SciPy and its algebra."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.interpolate import BSpline
from sklearn import preprocessing as skp

from lemma.exceptions import DataValidationError, ParameterError
from lemma.features import SplineTransformer
from lemma.features.splines import bspline_basis

TOL = 1e-10


@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue", "periodic"])
@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("knots", ["uniform", "quantile"])
@pytest.mark.parametrize("include_bias", [True, False])
def test_splines_match_sklearn(rng, extrapolation, degree, knots, include_bias):
    X = np.column_stack([rng.normal(size=150), rng.exponential(size=150)])
    X_new = np.column_stack([rng.normal(size=60) * 2, rng.exponential(size=60) * 2 - 0.5])
    params = dict(n_knots=6, degree=degree, knots=knots, extrapolation=extrapolation,
                  include_bias=include_bias)  # fmt: skip
    if extrapolation == "linear" and degree == 1:
        # scikit-learn 1.9 raises its loop variable `degree` inside the loop over columns
        # when degree <= 1, so its second column is extrapolated from the wrong knot;
        # compare one column at a time there
        for j in range(2):
            ours = SplineTransformer(**params).fit(X[:, [j]]).transform(X_new[:, [j]])
            theirs = skp.SplineTransformer(**params).fit(X[:, [j]]).transform(X_new[:, [j]])
            np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)
        return
    ours = SplineTransformer(**params).fit(X)
    theirs = skp.SplineTransformer(**params).fit(X)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=TOL, atol=TOL)
    assert ours.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    for j in range(2):
        np.testing.assert_allclose(ours.knots_[:, j], theirs.bsplines_[j].t, rtol=TOL)


def test_splines_given_knots_and_weights_match_sklearn(rng):
    X = rng.uniform(0, 10, size=(100, 2))
    knots = np.array([[0.0, 1.0], [3.0, 4.0], [10.0, 9.0]])
    ours = SplineTransformer(knots=knots, degree=2).fit(X).transform(X)
    theirs = skp.SplineTransformer(knots=knots, degree=2).fit(X).transform(X)
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)
    w = rng.random(100)
    w[:10] = 0.0
    for kind in ("uniform", "quantile"):
        ours = SplineTransformer(knots=kind).fit(X, sample_weight=w).transform(X)
        theirs = skp.SplineTransformer(knots=kind).fit(X, sample_weight=w).transform(X)
        np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_basis_equals_scipy_bspline_and_derivative(rng, k):
    t = np.sort(rng.uniform(0, 5, size=12))
    x = rng.uniform(t[k], t[-k - 1], size=40)
    n_basis = t.size - k - 1
    for derivative in (False, True):
        expected = BSpline(t, np.eye(n_basis), k)(x, nu=int(derivative))
        np.testing.assert_allclose(bspline_basis(t, k, x, derivative), expected, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 4), st.integers(2, 9), st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_basis_is_a_partition_of_unity(k, n_knots, points):
    splines = SplineTransformer(n_knots, k).fit(np.array([[0.0], [1.0]]))
    out = splines.transform(np.asarray(points)[:, None])
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(out >= -1e-15)
    assert np.all(np.count_nonzero(out > 1e-15, axis=1) <= k + 1)


def test_linear_extrapolation_continues_the_tangent():
    X = np.linspace(0, 1, 20)[:, None]
    splines = SplineTransformer(4, 3, extrapolation="linear").fit(X)
    h = 1e-6
    right = splines.transform(np.array([[1.0 + h], [1.0 + 2 * h]]))
    inside = splines.transform(np.array([[1.0], [1.0 - h]]))
    # one-sided differences on both sides of the edge agree (C¹ continuation)
    np.testing.assert_allclose((right[1] - right[0]) / h, (inside[0] - inside[1]) / h, atol=1e-4)


def test_periodic_splines_repeat_with_the_period(rng):
    X = rng.uniform(0, 24, size=(200, 1))
    knots = np.linspace(0, 24, 7)[:, None]
    splines = SplineTransformer(knots=knots, extrapolation="periodic").fit(X)
    x = rng.uniform(0, 24, size=(30, 1))
    np.testing.assert_allclose(splines.transform(x), splines.transform(x + 24), atol=1e-12)
    np.testing.assert_allclose(splines.transform([[0.0]]), splines.transform([[24.0]]), atol=1e-12)


def test_splines_dataframe_float32_and_errors(rng):
    X = pd.DataFrame({"hour": rng.uniform(0, 24, 50).astype(np.float32)})
    out = SplineTransformer(n_knots=3, degree=1).fit_transform(X)
    assert list(out.columns) == ["hour_sp_0", "hour_sp_1", "hour_sp_2"]
    assert out.to_numpy().dtype == np.float32
    fitted = SplineTransformer(extrapolation="error").fit(X)
    with pytest.raises(DataValidationError, match="outside the knots"):
        fitted.transform(pd.DataFrame({"hour": [30.0]}))
    with pytest.raises(ParameterError, match="degree < n_knots"):
        SplineTransformer(n_knots=3, degree=3, extrapolation="periodic").fit(X)
    with pytest.raises(ParameterError, match="sorted"):
        SplineTransformer(knots=[[1.0], [0.0]]).fit(X)
    with pytest.raises(ParameterError, match="shape"):
        SplineTransformer(knots=[[1.0, 2.0], [3.0, 4.0]]).fit(X)
    with pytest.raises(ParameterError, match="n_knots"):
        SplineTransformer(n_knots=1).fit(X)
    with pytest.raises(DataValidationError, match="NaN"):
        SplineTransformer().fit(np.array([[1.0], [np.nan]]))
