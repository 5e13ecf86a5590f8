"""PoissonRegressor against scikit-learn, its optimality condition, and its contract.

Maximum-likelihood inference (alpha = 0) is tested against statsmodels in
test_glm_inference.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.linear import PoissonRegressor


def _data(rng, n=200, d=4):
    X = rng.normal(size=(n, d)) * rng.uniform(0.3, 1.5, size=d)
    y = rng.poisson(np.exp(0.5 + X @ rng.normal(scale=0.4, size=d))).astype(float)
    return X, y


@pytest.mark.parametrize("solver", ["auto", "newton", "lbfgs"])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_scikit_learn(rng, solver, weighted):
    from sklearn.linear_model import PoissonRegressor as SkPoisson

    X, y = _data(rng)
    w = rng.uniform(0.5, 2.0, size=y.size) if weighted else None
    tol = 1e-7 if solver == "lbfgs" else 1e-10
    ours = PoissonRegressor(alpha=0.3, solver=solver, tol=tol).fit(X, y, sample_weight=w)
    theirs = SkPoisson(alpha=0.3, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    theirs.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)
    np.testing.assert_allclose(ours.score(X, y, w), theirs.score(X, y, w), atol=1e-8)


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_gradient_vanishes_at_solution(rng, alpha):
    """Xᵀ(w ⊙ (μ − y))/Σw + αβ = 0 and Σ wᵢ(μᵢ − yᵢ) = 0 (the intercept's condition)."""
    X, y = _data(rng)
    w = rng.uniform(0.5, 2.0, size=y.size)
    model = PoissonRegressor(alpha=alpha, tol=1e-10).fit(X, y, sample_weight=w)
    residual = w * (np.exp(X @ model.coef_ + model.intercept_) - y) / w.sum()
    np.testing.assert_allclose(X.T @ residual + alpha * model.coef_, 0, atol=1e-9)
    np.testing.assert_allclose(residual.sum(), 0, atol=1e-9)


def test_predict_is_the_exponential_of_the_linear_predictor(rng):
    X, y = _data(rng)
    model = PoissonRegressor().fit(X, y)
    np.testing.assert_allclose(model.predict(X), np.exp(X @ model.coef_ + model.intercept_))


def test_duplicated_rows_equal_doubled_weights(rng):
    X, y = _data(rng)
    twice = rng.random(y.size) < 0.3
    a = PoissonRegressor(alpha=0.2, tol=1e-10).fit(X, y, np.where(twice, 2.0, 1.0))
    b = PoissonRegressor(alpha=0.2, tol=1e-10).fit(np.vstack([X, X[twice]]),
                                                    np.r_[y, y[twice]])  # fmt: skip
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-9)


@pytest.mark.parametrize("solver", ["newton", "lbfgs+newton"])
def test_history_never_increases(rng, solver):
    X, y = _data(rng)
    model = PoissonRegressor(alpha=0.1, solver=solver, tol=1e-10).fit(X, y)
    assert model.history_.size == model.n_iter_ + 1 and model.n_iter_ > 1
    assert np.all(np.diff(model.history_) <= 1e-13 * np.abs(model.history_[:-1]))


def test_large_alpha_leaves_only_the_intercept(rng):
    X, y = _data(rng)
    model = PoissonRegressor(alpha=1e8, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_, 0, atol=1e-6)  # β ≈ ∇(loss)/α = O(1e-8)
    np.testing.assert_allclose(model.intercept_, np.log(y.mean()), rtol=1e-8)


def test_warm_start_and_float32(rng):
    X, y = _data(rng)
    model = PoissonRegressor(alpha=0.1, tol=1e-10, warm_start=True).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_ <= 1
    single = PoissonRegressor(alpha=0.1).fit(X.astype(np.float32), y)
    assert single.coef_.dtype == np.float32
    np.testing.assert_allclose(single.coef_, model.coef_, atol=1e-3)


def test_penalised_summary_has_no_p_values(rng):
    X, y = _data(rng)
    summary = PoissonRegressor(alpha=0.5).fit(X, y).summary()
    assert list(summary.to_frame().columns) == ["coef"]
    assert "Penalised fit" in str(summary)
    assert "p_value" in PoissonRegressor(alpha=0).fit(X, y).summary().to_frame()


def test_negative_target_is_refused(rng):
    X, y = _data(rng)
    y[3] = -1.0
    with pytest.raises(DataValidationError, match=r"needs y >= 0.*row 3"):
        PoissonRegressor().fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"), [({"alpha": -1.0}, "'alpha' parameter"), ({"solver": "x"}, "'solver'")]
)
def test_bad_parameters_are_refused(rng, params, match):
    X, y = _data(rng)
    with pytest.raises(ParameterError, match=match):
        PoissonRegressor(**params).fit(X, y)
