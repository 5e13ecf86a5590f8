"""Finite-difference gradient and Hessian checks (lemma.calculus).

References: SciPy's Rosenbrock function with its analytic gradient and Hessian
(``scipy.optimize.rosen_der``, ``rosen_hess``), and quadratics written here.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen, rosen_der, rosen_hess

from lemma.calculus import (
    GradientCheck,
    check_grad,
    check_hessian,
    numerical_gradient,
    numerical_hessian,
)


def test_numerical_gradient_matches_rosenbrock_gradient(rng):
    x = rng.uniform(-2, 2, size=6)
    np.testing.assert_allclose(numerical_gradient(rosen, x), rosen_der(x), rtol=1e-8, atol=1e-7)


def test_numerical_hessian_from_gradient_matches_rosenbrock(rng):
    x = rng.uniform(-2, 2, size=5)
    H = numerical_hessian(rosen_der, x)
    np.testing.assert_allclose(H, rosen_hess(x), rtol=1e-7, atol=1e-6)
    np.testing.assert_array_equal(H, H.T)


def test_numerical_hessian_from_values_matches_rosenbrock(rng):
    x = rng.uniform(-2, 2, size=4)
    H = numerical_hessian(rosen, x, from_gradient=False)
    np.testing.assert_allclose(H, rosen_hess(x), rtol=1e-5, atol=1e-4)


def test_check_grad_and_check_hessian_pass_on_rosenbrock(rng):
    x = rng.uniform(-2, 2, size=5)
    assert check_grad(rosen, rosen_der, x).passed(1e-7)
    assert check_hessian(rosen_der, rosen_hess, x).passed(1e-7)


def test_check_grad_detects_a_wrong_gradient(rng):
    x = rng.uniform(-2, 2, size=5)
    wrong = check_grad(rosen, lambda z: rosen_der(z) * 1.001, x)
    assert not wrong.passed()
    assert 5e-4 < wrong.rel_error < 2e-3
    wrong_hess = check_hessian(rosen_der, lambda z: rosen_hess(z) + np.eye(5), x)
    assert not wrong_hess.passed()


def test_shapes_follow_x():
    A = np.arange(6.0).reshape(2, 3)

    def fun(W):
        return float(np.sum((W * A) ** 2))

    def grad(W):
        return 2 * W * A**2

    result = check_grad(fun, grad, np.ones((2, 3)))
    assert isinstance(result, GradientCheck)
    assert result.analytic.shape == result.numerical.shape == (2, 3)
    assert result.passed()
    hess = check_hessian(grad, lambda W: np.diag((2 * A**2).ravel()), np.ones((2, 3)))
    assert hess.analytic.shape == (6, 6)
    assert hess.passed()


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-3, 3), min_size=n * n, max_size=n * n),
            st.lists(st.floats(-1e3, 1e3), min_size=n, max_size=n),
        )
    )
)
def test_quadratic_gradient_and_hessian_are_recovered(data):
    entries, point = data
    n = len(point)
    M = np.array(entries).reshape(n, n)
    A = M @ M.T + np.eye(n)
    b = np.linspace(-1, 1, n)
    x = np.array(point)

    def fun(z):
        return 0.5 * z @ A @ z + b @ z

    def grad(z):
        return A @ z + b

    assert check_grad(fun, grad, x).passed(1e-6)
    assert check_hessian(grad, lambda z: A, x).passed(1e-8)


def test_explicit_step_and_tolerance():
    x = np.array([0.3, -1.2])
    result = check_grad(lambda z: np.sum(np.exp(z)), np.exp, x, eps=1e-3)
    # With a large step the central-difference error is h²/6 relative: ≈ 1.7e-7.
    assert 1e-8 < result.rel_error < 1e-6
    assert result.passed(1e-6)
    assert not result.passed(1e-9)
    assert "rel_error" in repr(result)


def test_zero_gradient_is_a_pass():
    result = check_grad(lambda z: 1.0, lambda z: np.zeros_like(z), np.zeros(3))
    assert result.rel_error == 0.0
    assert result.passed()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_point_is_not_modified(dtype):
    x = np.array([1.0, 2.0], dtype=dtype)
    before = x.copy()
    check_grad(lambda z: float(z @ z), lambda z: 2 * z, x)
    numerical_hessian(lambda z: 2 * z, x)
    np.testing.assert_array_equal(x, before)
