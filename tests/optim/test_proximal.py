"""Proximal gradient and FISTA on the lasso, against scikit-learn and the KKT conditions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso

from lemma.exceptions import ParameterError
from lemma.optim import minimize


class LeastSquares:
    """f(w) = ½n⁻¹‖y − Xw‖², ∇f(w) = −n⁻¹Xᵀ(y − Xw)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def value_and_gradient(self, w):
        r = self.y - self.X @ w
        n = len(self.y)
        return 0.5 * float(r @ r) / n, -(self.X.T @ r) / n


class L1:
    """h(w) = α‖w‖₁, prox = soft-thresholding at αt."""

    is_smooth = False

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, w):
        return self.alpha * float(np.abs(w).sum())

    def prox(self, w, step):
        return np.sign(w) * np.maximum(np.abs(w) - self.alpha * step, 0.0)


def _lasso_problem(rng, n=100, p=20):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 2.0, size=p)
    coef = np.where(rng.random(p) < 0.4, rng.normal(scale=2.0, size=p), 0.0)
    y = X @ coef + rng.normal(size=n)
    alpha = 0.1 * np.abs(X.T @ y).max() / n
    return X, y, alpha


def _kkt_violation(X, y, w, alpha):
    """max over j of the KKT residual of ½n⁻¹‖y − Xw‖² + α‖w‖₁ at w."""
    grad = -(X.T @ (y - X @ w)) / len(y)
    active = w != 0
    on = np.abs(grad[active] + alpha * np.sign(w[active]))
    off = np.maximum(np.abs(grad[~active]) - alpha, 0.0)
    return max(on.max(initial=0.0), off.max(initial=0.0))


@pytest.mark.parametrize(
    ("method", "options"),
    [("proximal", {}), ("fista", {}), ("fista", {"restart": False}), ("fista", {"monotone": True})],
)
def test_lasso_matches_sklearn_and_kkt(rng, method, options):
    X, y, alpha = _lasso_problem(rng)
    reference = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100000).fit(X, y)
    result = minimize(LeastSquares(X, y), np.zeros(X.shape[1]), method=method, penalty=L1(alpha),
                      tol=1e-10, max_iter=20000, **options)  # fmt: skip
    assert result.converged
    np.testing.assert_allclose(result.x, reference.coef_, rtol=0, atol=1e-6)
    assert 0 < np.count_nonzero(result.x) < X.shape[1]
    assert _kkt_violation(X, y, result.x, alpha) <= 1e-9
    np.testing.assert_array_equal(result.x == 0, reference.coef_ == 0)


def test_unpenalised_intercept_matches_sklearn_fit_intercept(rng):
    """penalty_size=p leaves the last entry (a column of ones) unpenalised, as Lasso does."""
    X, y, alpha = _lasso_problem(rng)
    y = y + 5.0
    p = X.shape[1]
    design = np.column_stack([X, np.ones(len(y))])
    reference = Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, y)
    result = minimize(LeastSquares(design, y), np.zeros(p + 1), method="fista",
                      penalty=L1(alpha), penalty_size=p, tol=1e-10, max_iter=20000)  # fmt: skip
    np.testing.assert_allclose(result.x[:p], reference.coef_, atol=1e-6)
    assert result.x[p] == pytest.approx(reference.intercept_, abs=1e-6)


@pytest.mark.parametrize(("method", "options"), [("proximal", {}), ("fista", {"monotone": True})])
def test_monotone_methods_never_increase_the_objective(rng, method, options):
    X, y, alpha = _lasso_problem(rng)
    result = minimize(LeastSquares(X, y), np.zeros(X.shape[1]), method=method, penalty=L1(alpha),
                      tol=1e-10, max_iter=20000, **options)  # fmt: skip
    assert np.all(np.diff(result.history) <= 1e-13 * np.abs(result.history[1:]))


def test_fun_and_grad_norm_are_those_of_the_returned_point(rng):
    X, y, alpha = _lasso_problem(rng)
    objective, penalty = LeastSquares(X, y), L1(alpha)
    result = minimize(objective, np.zeros(X.shape[1]), method="fista", penalty=penalty,
                      max_iter=5, warn=False)  # fmt: skip
    f, _ = objective.value_and_gradient(result.x)
    assert result.fun == pytest.approx(f + penalty.value(result.x), rel=1e-12)
    assert result.history[-1] == result.fun
    # the gradient mapping with some t > 0 is zero only at the solution; here it is not small
    assert result.grad_norm > 1e-6 and "gradient-mapping norm" in result.message


def test_without_penalty_the_mapping_is_the_gradient(quadratic):
    class Zero:
        def value(self, w):
            return 0.0

        def prox(self, w, step):
            return w

    expected = np.linalg.solve(quadratic.A, quadratic.b)
    for method in ("proximal", "fista"):
        result = minimize(quadratic, np.zeros(20), method=method, penalty=Zero(), tol=1e-9,
                          max_iter=5000)  # fmt: skip
        assert result.converged
        np.testing.assert_allclose(result.x, expected, atol=1e-6 * np.abs(expected).max())


def test_proximal_methods_need_a_prox(quadratic):
    with pytest.raises(ParameterError, match="needs a penalty with a prox"):
        minimize(quadratic, np.zeros(20), method="fista")

    class Smooth:
        is_smooth = True

        def value(self, w):
            return 0.0

    with pytest.raises(ParameterError, match="needs the penalty's prox"):
        minimize(quadratic, np.zeros(20), method="proximal", penalty=Smooth())
    with pytest.raises(ParameterError, match="'restart' parameter"):
        minimize(quadratic, np.zeros(20), method="fista", penalty=L1(1.0), restart="yes")
