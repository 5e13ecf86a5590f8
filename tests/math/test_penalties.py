"""Penalties (lemma.penalties): derivatives, prox optimality, conventions, errors.

References: finite differences (lemma.calculus); the prox optimality condition
0 ∈ z − w + t·∂P(z); coordinate-wise brute-force minimisation with
``scipy.optimize.minimize_scalar``; scikit-learn's ``ElasticNet`` fit, whose
solution must be a fixed point of the proximal-gradient map with our penalty if
the (α, l1_ratio) conventions agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from lemma.calculus import check_grad, check_hessian
from lemma.exceptions import ParameterError
from lemma.penalties import (
    L1,
    L2,
    PENALTIES,
    ElasticNet,
    NoPenalty,
    Penalty,
    get_penalty,
    soft_threshold,
)


def all_penalties(alpha: float = 0.7, l1_ratio: float = 0.3) -> list[Penalty]:
    return [L2(alpha), L1(alpha), ElasticNet(alpha, l1_ratio), NoPenalty()]


def away_from_zero(rng, shape) -> np.ndarray:
    w = rng.normal(0, 2, shape)
    return w + 0.1 * np.sign(w)


@pytest.mark.parametrize("shape", [(6,), (3, 4)])
def test_gradients_match_finite_differences(shape, rng):
    w = away_from_zero(rng, shape)
    for penalty in all_penalties():
        # Non-smooth penalties are differentiable away from 0, where gradient is exact.
        result = check_grad(penalty.value, penalty.gradient, w)
        assert result.passed(1e-6), (penalty, result)
        smooth, _ = penalty.split()
        result = check_hessian(
            smooth.gradient, lambda z, s=smooth: np.diag(s.hessian_diag(z).ravel()), w
        )
        assert result.passed(1e-6), (smooth, result)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    alpha=st.floats(0.0, 50.0),
    l1_ratio=st.floats(0.0, 1.0),
)
def test_smooth_part_derivatives_at_random_points(seed, alpha, l1_ratio):
    w = np.random.default_rng(seed).normal(0, 3, (2, 5))
    smooth, nonsmooth = ElasticNet(alpha, l1_ratio).split()
    assert smooth.is_smooth and not nonsmooth.is_smooth
    assert check_grad(smooth.value, smooth.gradient, w).passed(1e-6)
    assert check_hessian(
        smooth.gradient, lambda z: np.diag(smooth.hessian_diag(z).ravel()), w
    ).passed(1e-6)
    total = ElasticNet(alpha, l1_ratio).value(w)
    assert smooth.value(w) + nonsmooth.value(w) == pytest.approx(total, rel=1e-12, abs=1e-300)


def test_values_follow_the_stated_formulas(rng):
    w = rng.normal(size=(3, 2))
    alpha, rho = 1.7, 0.25
    assert L2(alpha).value(w) == pytest.approx(alpha / 2 * np.sum(w**2))
    assert L1(alpha).value(w) == pytest.approx(alpha * np.sum(np.abs(w)))
    expected = alpha * (rho * np.sum(np.abs(w)) + (1 - rho) / 2 * np.sum(w**2))
    assert ElasticNet(alpha, rho).value(w) == pytest.approx(expected)
    assert NoPenalty().value(w) == 0.0
    np.testing.assert_array_equal(L1(alpha).gradient(np.array([0.0, -2.0])), [0.0, -alpha])


def in_subdifferential_residual(penalty: Penalty, z: np.ndarray, w: np.ndarray, step: float):
    """Distance of (w − z)/step from ∂P(z), elementwise (0 when the prox is right)."""
    alpha = penalty.alpha
    rho = {"l2": 0.0, "l1": 1.0, "elasticnet": getattr(penalty, "l1_ratio", 0.0), "none": 0.0}[
        penalty.name
    ]
    smooth_coef = alpha * (1 - rho) if penalty.name != "none" else 0.0
    g = (w - z) / step - smooth_coef * z  # must lie in α·ρ·∂|z|
    radius = alpha * rho
    at_zero = z == 0
    return np.where(at_zero, np.maximum(np.abs(g) - radius, 0), np.abs(g - radius * np.sign(z)))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    alpha=st.floats(0.0, 10.0),
    l1_ratio=st.floats(0.0, 1.0),
    step=st.floats(1e-3, 10.0),
)
def test_prox_satisfies_its_optimality_condition(seed, alpha, l1_ratio, step):
    w = np.random.default_rng(seed).normal(0, 3, (4, 3))
    for penalty in all_penalties(alpha, l1_ratio):
        z = penalty.prox(w, step)
        assert z.shape == w.shape
        residual = in_subdifferential_residual(penalty, z, w, step)
        assert np.all(residual <= 1e-10 * (1 + np.abs(w) / step)), penalty


@pytest.mark.parametrize("penalty", all_penalties(alpha=1.3, l1_ratio=0.6), ids=repr)
def test_prox_equals_coordinatewise_brute_force(penalty, rng):
    w = rng.normal(0, 2, 8)
    step = 0.8
    z = penalty.prox(w, step)
    for j, wj in enumerate(w):
        # P is a sum over coordinates, so the prox separates; minimise each 1-D problem.
        best = minimize_scalar(
            lambda v, wj=wj: 0.5 * (v - wj) ** 2 + step * penalty.value(np.array([v])),
            bounds=(-10, 10),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert z[j] == pytest.approx(best.x, abs=1e-7)


def test_elastic_net_convention_matches_scikit_learn(rng):
    from sklearn.linear_model import ElasticNet as SkElasticNet

    n, d = 80, 6
    X = rng.normal(size=(n, d))
    y = X @ np.array([2.0, -1.0, 0.0, 0.0, 0.5, 0.0]) + rng.normal(0, 0.5, n)
    alpha, rho = 0.2, 0.7
    coef = SkElasticNet(alpha=alpha, l1_ratio=rho, fit_intercept=False, tol=1e-14, max_iter=100000)
    coef = coef.fit(X, y).coef_
    # scikit-learn minimises (1/2n)‖y − Xw‖² + P(w); at its solution w* the proximal-gradient
    # map with our ElasticNet(α, ρ) must leave w* unchanged.
    step = 0.1
    grad = X.T @ (X @ coef - y) / n
    np.testing.assert_allclose(
        ElasticNet(alpha, rho).prox(coef - step * grad, step), coef, atol=1e-9
    )
    assert np.any(coef == 0) and np.any(coef != 0)


def test_soft_threshold_and_split():
    np.testing.assert_array_equal(soft_threshold([-3.0, -0.5, 0.0, 2.0], 1.0), [-2, 0, 0, 1])
    assert not np.any(np.signbit(soft_threshold(np.array([-0.5, 0.5]), 1.0)))
    smooth, nonsmooth = ElasticNet(2.0, 0.25).split()
    assert isinstance(smooth, L2) and smooth.alpha == pytest.approx(1.5)
    assert isinstance(nonsmooth, L1) and nonsmooth.alpha == pytest.approx(0.5)
    ridge = L2(1.0)
    np.testing.assert_array_equal(ridge.hessian(np.ones(3)), ridge.hessian_diag(np.ones(3)))
    assert ridge.split()[0] is ridge and isinstance(ridge.split()[1], NoPenalty)
    lasso = L1(1.0)
    assert lasso.split()[1] is lasso and isinstance(lasso.split()[0], NoPenalty)


def test_float32_is_kept():
    w = np.array([1.0, -2.0, 0.1], dtype=np.float32)
    for penalty in all_penalties():
        assert penalty.prox(w, 0.5).dtype == np.float32
        assert penalty.gradient(w).dtype == np.float32
    assert L2(1.0).hessian_diag(w).dtype == np.float32
    assert isinstance(L2(1.0).value(w), float)


def test_name_table_and_get_penalty():
    assert isinstance(get_penalty("l2", 2.0), L2)
    assert get_penalty("l1", 0.5).alpha == 0.5
    assert get_penalty("elasticnet", 1.0, 0.2).l1_ratio == 0.2
    assert isinstance(get_penalty(None), NoPenalty)
    assert isinstance(get_penalty("none"), NoPenalty)
    penalty = L1(3.0)
    assert get_penalty(penalty) is penalty
    assert set(PENALTIES) == {"l2", "l1", "elasticnet", "none", None}
    for name in ("l2", "l1", "elasticnet", "none"):
        assert get_penalty(name).name == name


def test_bad_input_raises_parameter_error():
    with pytest.raises(ParameterError, match=r"Unknown penalty 'l3'.*'l2', 'l1'"):
        get_penalty("l3")
    with pytest.raises(ParameterError, match="'alpha' parameter of L2"):
        L2(-1.0)
    with pytest.raises(ParameterError, match="'alpha' parameter of L1"):
        get_penalty("l1", alpha=-0.1)
    with pytest.raises(ParameterError, match=r"'l1_ratio' parameter of ElasticNet.*\[0, 1\]"):
        ElasticNet(1.0, 1.5)
    with pytest.raises(ParameterError, match=r"not smooth.*prox"):
        L1(1.0).hessian_diag(np.ones(2))
    with pytest.raises(ParameterError, match="not smooth"):
        ElasticNet(1.0).hessian_diag(np.ones(2))
