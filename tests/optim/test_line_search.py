"""Backtracking line searches: the accepted step satisfies its test; failures are reported."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.optim import as_objective
from lemma.optim.line_search import armijo, proximal_backtracking


def _quadratic(scale: float):
    return as_objective(lambda x: (0.5 * scale * float(x @ x), scale * x))


def test_armijo_halves_until_sufficient_decrease():
    """On f = 5x², steps 1, ½, ¼ fail and ⅛ passes: f(x − t·10x) ≤ f(x)(1 − 2e-4·10t)."""
    objective = _quadratic(10.0)
    x = np.array([1.0])
    f, g = objective.value_and_gradient(x)
    found = armijo(objective, x, f, g, -g)
    assert found.success and found.step == 0.125 and found.n_fev == 4
    assert found.fun <= f + 1e-4 * found.step * float(g @ -g)
    np.testing.assert_allclose(found.grad, 10 * found.x)


def test_armijo_refuses_an_ascent_direction():
    objective = _quadratic(1.0)
    x = np.array([1.0])
    f, g = objective.value_and_gradient(x)
    found = armijo(objective, x, f, g, g)
    assert not found.success and found.n_fev == 0 and found.x is x


def test_armijo_gives_up_after_max_backtracks():
    objective = as_objective(lambda x: (float(x @ x) if x[0] == 1.0 else np.inf, 2 * x))
    x = np.array([1.0])
    f, g = objective.value_and_gradient(x)
    found = armijo(objective, x, f, g, -g, max_backtracks=5)
    assert not found.success and found.n_fev == 6 and found.fun == f


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.01, 100.0), min_size=3, max_size=3),
    st.lists(st.floats(-10.0, 10.0), min_size=3, max_size=3),
    st.floats(1e-3, 1e3),
)
def test_armijo_condition_holds_on_quadratics(curvatures, x, step):
    h = np.array(curvatures)
    objective = as_objective(lambda z: (0.5 * float(z @ (h * z)), h * z))
    x = np.array(x)
    f, g = objective.value_and_gradient(x)
    if not g @ g > 0:  # at the minimum, or a gradient so small its square underflows
        return
    found = armijo(objective, x, f, g, -g, step=step)
    assert found.success
    assert found.fun <= f + 1e-4 * found.step * float(g @ -g) + 1e-12 * abs(f)
    assert found.step <= step


def test_proximal_backtracking_reaches_the_upper_bound():
    """f = 2‖x‖² has L = 4: the accepted t satisfies the bound; t = 1/4 always does."""
    objective = as_objective(lambda x: (2.0 * float(x @ x), 4.0 * x))

    def soft(v, t):
        return np.sign(v) * np.maximum(np.abs(v) - 0.1 * t, 0.0)

    y = np.array([1.0, -2.0, 0.01])
    f, g = objective.value_and_gradient(y)
    found = proximal_backtracking(objective, soft, y, f, g, step=4.0)
    assert found.success and 1 / 8 < found.step <= 1 / 4 + 1e-15
    d = found.x - y
    assert found.fun <= f + g @ d + d @ d / (2 * found.step)
    np.testing.assert_allclose(found.x, soft(y - found.step * g, found.step))
