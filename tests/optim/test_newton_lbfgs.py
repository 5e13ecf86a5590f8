"""Newton (= IRLS) and L-BFGS against closed forms, SciPy's Rosenbrock, statsmodels and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize as scipy_minimize
from scipy.optimize import rosen, rosen_der, rosen_hess, rosen_hess_prod
from scipy.special import expit

from lemma.exceptions import ConvergenceWarning, ParameterError
from lemma.optim import FunctionObjective, OptimizationError, minimize
from lemma.optim.newton import newton_direction

START = np.array([-1.2, 1.0])


@pytest.mark.parametrize(("method", "tol"), [("newton", 1e-9), ("irls", 1e-9), ("lbfgs", 2e-7)])
def test_quadratic_minimiser_matches_solve(quadratic, method, tol):
    """x = A⁻¹b to 1e-6 relative.

    L-BFGS gets tol=2e-7: its Wolfe line search works on values of f, which stop
    resolving progress once ‖∇f‖ ≈ √(ε·|f|·L) ≈ 1e-7 here (see lemma.optim.lbfgs).
    """
    expected = np.linalg.solve(quadratic.A, quadratic.b)
    result = minimize(quadratic, np.zeros(20), method=method, tol=tol)
    assert result.converged
    np.testing.assert_allclose(result.x, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_newton_takes_one_step_on_a_quadratic(quadratic):
    result = minimize(quadratic, np.zeros(20), method="newton", tol=1e-9)
    assert result.n_iter == 1 and result.n_fev == 2


@pytest.mark.parametrize(
    "objective",
    [
        FunctionObjective(rosen, grad=rosen_der, hess=rosen_hess),
        FunctionObjective(rosen, grad=rosen_der, hessp=rosen_hess_prod),
    ],
    ids=["hessian", "hessp"],
)
def test_newton_on_rosenbrock_is_monotone_and_exact(objective):
    """Newton with line search reaches (1, 1) to 1e-10 from (−1.2, 1), never increasing f."""
    result = minimize(objective, START, method="newton", tol=1e-10)
    assert result.converged and result.n_iter < 50
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-10)
    assert np.all(np.diff(result.history) <= 0)


def test_lbfgs_on_rosenbrock_matches_scipy():
    """Same x as calling SciPy directly with the same options; (1, 1) within 1e-4."""
    objective = FunctionObjective(rosen, grad=rosen_der)
    result = minimize(objective, START, method="lbfgs", tol=1e-8)
    reference = scipy_minimize(
        lambda x: (rosen(x), rosen_der(x)), START, jac=True, method="L-BFGS-B",
        options={"gtol": 1e-8, "ftol": np.finfo(float).eps, "maxiter": 1000},
    )  # fmt: skip
    assert result.converged
    np.testing.assert_array_equal(result.x, reference.x)
    assert result.n_iter == reference.nit and result.n_fev == reference.nfev
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-4)
    assert result.history[0] == rosen(START) and result.history[-1] == result.fun


def test_lbfgs_respects_bounds_and_reports_the_projected_gradient():
    """min ‖x − 2‖² on x₀ ≤ 1, x₁ ≥ 0: x = (1, 2); the raw gradient (−2, 0) is not small."""
    fun = FunctionObjective(lambda x: (float((x - 2) @ (x - 2)), 2 * (x - 2)))
    result = minimize(fun, np.array([5.0, -3.0]), method="lbfgs", bounds=[(None, 1), (0, None)])
    np.testing.assert_allclose(result.x, [1.0, 2.0])
    assert result.converged and result.grad_norm <= 1e-6
    assert "projected gradient norm" in result.message


def test_lbfgs_callback_stops_and_max_iter_warns():
    objective = FunctionObjective(rosen, grad=rosen_der)

    def stop(intermediate):
        assert len(intermediate.history) == intermediate.n_iter + 1
        if intermediate.n_iter == 2:
            raise StopIteration

    result = minimize(objective, START, method="lbfgs", callback=stop)
    assert result.message == "stopped by callback" and result.n_iter == 2
    assert not result.converged
    with pytest.warns(ConvergenceWarning, match=r"lbfgs did not converge in max_iter=3 .*tol="):
        result = minimize(objective, START, method="lbfgs", max_iter=3, owner="Model")
    assert result.n_iter == 3 and len(result.history) == 4


def test_lbfgs_nan_raises_with_iteration():
    calls = [0]

    def fun(x):
        calls[0] += 1
        return (rosen(x) if calls[0] < 4 else np.nan), rosen_der(x)

    with pytest.raises(OptimizationError, match=r"lbfgs: .*NaN or infinite at iteration \d"):
        minimize(fun, START, method="lbfgs")


def test_bad_bounds_and_missing_hessian():
    fun = FunctionObjective(rosen, grad=rosen_der)
    with pytest.raises(ParameterError, match=r"bounds must be 2 \(low, high\) pairs"):
        minimize(fun, START, method="lbfgs", bounds=[(0, 1)])
    with pytest.raises(ParameterError, match=r"bounds\[1\] has low 2.0 > high 1.0"):
        minimize(fun, START, method="lbfgs", bounds=[(0, 1), (2, 1)])
    with pytest.raises(ParameterError, match="needs second derivatives"):
        minimize(fun, START, method="newton")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_newton_direction_is_a_descent_direction(seed, p):
    """For any symmetric H, (H + τI)d = −g with H + τI ≻ 0, so gᵀd < 0."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(p, p))
    H = M + M.T
    g = rng.normal(size=p)
    d, shift = newton_direction(H, g)
    np.testing.assert_allclose((H + shift * np.eye(p)) @ d, -g, atol=1e-8 * (1 + abs(shift)))
    assert np.linalg.eigvalsh(H + shift * np.eye(p)).min() > 0
    assert g @ d < 0
    if np.linalg.eigvalsh(H).min() > 0:
        assert shift == 0.0


class _Logistic:
    """Negative log-likelihood of logistic regression, f(β) = Σ log(1 + e^η) − yη, η = Xβ."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def value_and_gradient(self, beta):
        eta = self.X @ beta
        return float(np.sum(np.logaddexp(0, eta) - self.y * eta)), self.X.T @ (expit(eta) - self.y)

    def hessian(self, beta):
        mu = expit(self.X @ beta)
        return (self.X.T * (mu * (1 - mu))) @ self.X


def test_newton_is_irls_statsmodels_logit(rng):
    """Newton on the logistic likelihood gives statsmodels' Logit estimates to 1e-8."""
    n = 300
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    y = (rng.random(n) < expit(X @ np.array([0.3, 1.0, -0.5, 0.25]))).astype(float)
    reference = sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-14, maxiter=100)
    for method in ("newton", "irls"):
        result = minimize(_Logistic(X, y), np.zeros(4), method=method, tol=1e-10)
        assert result.converged and result.n_iter < 15
        np.testing.assert_allclose(result.x, reference.params, rtol=1e-8, atol=1e-10)
        assert result.fun == pytest.approx(-reference.llf, rel=1e-12)
