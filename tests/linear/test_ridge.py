"""Ridge against scikit-learn, its optimality condition, and its limits in alpha."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.linear import LinearRegression, Ridge


def _data(rng, n, p, targets=None):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 5, size=p) + rng.normal(size=p)
    shape = (n,) if targets is None else (n, targets)
    y = rng.normal(size=shape) + (X[:, :1] if targets else X[:, 0])
    return X, y


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize(("n", "p"), [(120, 6), (15, 40)])
def test_matches_scikit_learn(rng, solver, n, p):
    from sklearn.linear_model import Ridge as SkRidge

    X, y = _data(rng, n, p)
    w = rng.uniform(0.2, 3.0, size=n)
    ours = Ridge(alpha=0.7, solver=solver).fit(X, y, sample_weight=w)
    theirs = SkRidge(alpha=0.7, solver="svd").fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-12)


def test_multi_target_with_one_alpha_per_target(rng):
    from sklearn.linear_model import Ridge as SkRidge

    X, Y = _data(rng, 80, 5, targets=3)
    alphas = np.array([0.1, 1.0, 10.0])
    ours = Ridge(alpha=alphas).fit(X, Y)
    theirs = SkRidge(alpha=alphas).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10)


def test_gradient_vanishes_at_solution(rng):
    """Stationarity: -2 X̃ᵀW(ỹ - X̃β) + 2αβ = 0 with X̃, ỹ centred by weighted means."""
    X, y = _data(rng, 60, 4)
    w = rng.uniform(0.5, 2.0, size=60)
    model = Ridge(alpha=3.0).fit(X, y, sample_weight=w)
    resid = y - model.predict(X)
    grad = -2 * X.T @ (w * resid) + 2 * 3.0 * model.coef_
    assert np.abs(grad).max() < 1e-9 * np.abs(X.T @ (w * y)).max()
    assert abs(np.sum(w * resid)) < 1e-9 * np.sum(w * np.abs(y))  # intercept condition


def test_alpha_to_zero_gives_least_squares(rng):
    X, y = _data(rng, 50, 4)
    ols = LinearRegression().fit(X, y)
    ridge = Ridge(alpha=1e-10).fit(X, y)
    np.testing.assert_allclose(ridge.coef_, ols.coef_, rtol=1e-7)
    exact_zero = Ridge(alpha=0.0).fit(X, y)
    np.testing.assert_allclose(exact_zero.coef_, ols.coef_, rtol=1e-9)


def test_alpha_to_infinity_gives_zero_slopes_and_mean_intercept(rng):
    X, y = _data(rng, 50, 4)
    model = Ridge(alpha=1e14).fit(X, y)
    assert np.abs(model.coef_).max() < 1e-9
    np.testing.assert_allclose(model.intercept_, y.mean(), rtol=1e-7)
    assert model.effective_df_ < 1e-9


def test_effective_df_between_zero_and_p(rng):
    X, y = _data(rng, 50, 4)
    dfs = [Ridge(alpha=a).fit(X, y).effective_df_ for a in (0.0, 1.0, 100.0)]
    assert dfs[0] == pytest.approx(4) and 4 > dfs[1] > dfs[2] > 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_duplicated_rows_equal_doubled_weights(seed):
    rng = np.random.default_rng(seed)
    X, y = _data(rng, 30, 3)
    twice = rng.integers(0, 2, size=30).astype(bool)
    a = Ridge(alpha=2.0).fit(np.vstack([X, X[twice]]), np.concatenate([y, y[twice]]))
    b = Ridge(alpha=2.0).fit(X, y, sample_weight=1.0 + twice)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9)


def test_float32_kept(rng):
    X, y = _data(rng, 40, 3)
    model = Ridge().fit(X.astype(np.float32), y.astype(np.float32))
    assert (
        model.coef_.dtype == np.float32 and model.predict(X.astype(np.float32)).dtype == np.float32
    )


def test_summary_refuses_p_values_and_says_why(rng):
    X, y = _data(rng, 40, 3)
    summary = Ridge(alpha=2.0).fit(X, y).summary()
    assert list(summary.to_frame().columns) == ["coef"]
    assert "Penalised fit" in summary.notes[0]


def test_bad_alpha():
    with pytest.raises(ParameterError, match="'alpha' parameter of Ridge"):
        Ridge(alpha=-1.0).fit([[1.0], [2.0]], [1.0, 2.0])
    with pytest.raises(DataValidationError, match="one per target"):
        Ridge(alpha=[1.0, 2.0]).fit([[1.0], [2.0], [3.0]], [1.0, 2.0, 2.5])
