"""Gradient descent and momentum methods against closed forms and SciPy's Rosenbrock."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from lemma.optim import FunctionObjective, OptimizationError, minimize

ROSEN = FunctionObjective(rosen, grad=rosen_der)
START = np.array([-1.2, 1.0])

# lr = 1/L and μ = (√κ − 1)/(√κ + 1) for the quadratic fixture (L = 100, κ = 100)
MOMENTUM = {"learning_rate": 0.01, "momentum": 9 / 11}


@pytest.mark.parametrize(
    ("method", "options"),
    [("gd", {}), ("gd", {"learning_rate": 0.01}), ("momentum", MOMENTUM), ("nesterov", MOMENTUM)],
)
def test_quadratic_minimiser_matches_solve(quadratic, method, options):
    """½xᵀAx − bᵀx is minimised at A⁻¹b; ‖x − x*‖ ≤ ‖∇f‖₂/λ_min = ‖∇f‖₂ here."""
    expected = np.linalg.solve(quadratic.A, quadratic.b)
    result = minimize(quadratic, np.zeros(20), method=method, tol=1e-9, max_iter=20000, **options)
    assert result.converged
    np.testing.assert_allclose(result.x, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_gd_with_armijo_is_monotone(quadratic):
    result = minimize(quadratic, np.zeros(20), method="gd", tol=1e-9, max_iter=20000)
    assert np.all(np.diff(result.history) <= 1e-13 * np.abs(result.history[1:]))
    result = minimize(ROSEN, START, method="gd", tol=1e-3, max_iter=20000)
    assert np.all(np.diff(result.history) <= 0)


@pytest.mark.parametrize(
    ("method", "options", "max_iter"),
    [
        ("gd", {}, 30000),
        ("momentum", {"learning_rate": 1e-3, "momentum": 0.9}, 30000),
        ("nesterov", {"learning_rate": 1e-3, "momentum": 0.9}, 30000),
    ],
)
def test_rosenbrock_reaches_the_minimum(method, options, max_iter):
    """From (−1.2, 1), every first-order method reaches (1, 1) within 1e-4.

    Near (1, 1) the Hessian has eigenvalues ≈ 0.4 and 1002, so a gradient ∞-norm
    below 1e-6 puts x within about 1e-5 of the minimum. Steps of 1e-3 are below
    2/λ_max along the valley; momentum 0.9 keeps them stable.
    """
    result = minimize(ROSEN, START, method=method, tol=1e-6, max_iter=max_iter, **options)
    assert result.converged
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-4)


def test_momentum_without_line_search_can_diverge():
    """lr far above 2/L makes the iterates explode: a clear error, not NaN coefficients."""

    def fun(x):
        value = float(x @ x)
        return (value if value < 1e200 else np.inf), 2 * x

    with pytest.raises(OptimizationError, match=r"diverged.*smaller learning_rate"):
        minimize(fun, np.ones(2), method="momentum", learning_rate=5.0, max_iter=10000)


def test_nesterov_reduces_to_gd_without_momentum(quadratic):
    options = {"learning_rate": 0.01, "max_iter": 50, "warn": False}
    a = minimize(quadratic, np.zeros(20), method="nesterov", momentum=0.0, **options)
    b = minimize(quadratic, np.zeros(20), method="momentum", momentum=0.0, **options)
    c = minimize(quadratic, np.zeros(20), method="gd", **options)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_allclose(b.x, c.x, rtol=1e-14)
