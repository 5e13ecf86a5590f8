"""Coordinate descent for the elastic net: against scikit-learn and SciPy, KKT, stopping rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize

from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError
from lemma.optim.coordinate import (
    GramProblem,
    ResidualProblem,
    enet_coordinate_descent,
    enet_gram_cd,
    enet_problem,
)


def _data(rng, n, p):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p) + rng.normal(size=p)
    y = 2 * X[:, 0] - X[:, 1] + rng.normal(size=n)
    return X, y


def _objective(X, y, w, beta, l1, l2):
    r = y - X @ beta
    return 0.5 * np.sum(w * r**2) / np.sum(w) + l1 * np.abs(beta).sum() + 0.5 * l2 * beta @ beta


def _kkt_violation(G, c, beta, l1, l2):
    """Largest distance from 0 to a coordinate's subdifferential (0 at a minimiser)."""
    grad = G @ beta - c + l2 * beta
    nonzero = beta != 0
    return max(
        np.max(np.abs(grad[nonzero] + l1 * np.sign(beta[nonzero])), initial=0.0),
        np.max(np.abs(grad[~nonzero]) - l1, initial=0.0),
    )


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize(("n", "p"), [(60, 8), (20, 35)])
@pytest.mark.parametrize(("l1", "l2"), [(0.3, 0.0), (0.05, 0.2), (0.0, 0.5)])
def test_matches_scikit_learn_without_intercept(rng, precompute, n, p, l1, l2):
    from sklearn.linear_model import ElasticNet

    X, y = _data(rng, n, p)
    w = rng.uniform(0.2, 3.0, size=n)
    alpha = l1 + l2
    theirs = ElasticNet(
        alpha=alpha, l1_ratio=l1 / alpha, fit_intercept=False, tol=1e-12, max_iter=100_000
    ).fit(X, y, sample_weight=w)
    result, gap = enet_coordinate_descent(
        X, y, l1, l2, sample_weight=w, precompute=precompute, tol=1e-12, max_iter=100_000
    )
    assert result.converged and gap == pytest.approx(theirs.dual_gap_, abs=1e-10)
    np.testing.assert_allclose(result.x, theirs.coef_, rtol=1e-6, atol=1e-9)
    assert result.fun == pytest.approx(_objective(X, y, w, result.x, l1, l2), rel=1e-12)


def test_offset_centres_the_rows_without_copying(rng):
    from sklearn.linear_model import Lasso

    X, y = _data(rng, 50, 6)
    m = X.mean(axis=0)
    theirs = Lasso(alpha=0.2, fit_intercept=False, tol=1e-12).fit(X - m, y - y.mean())
    for precompute in (True, False):
        result, _ = enet_coordinate_descent(
            X, y - y.mean(), 0.2, 0.0, x_offset=m, precompute=precompute, tol=1e-12
        )
        np.testing.assert_allclose(result.x, theirs.coef_, rtol=1e-8, atol=1e-10)


def test_stops_where_scikit_learn_stops(rng):
    """Same tol, same duality-gap test: the same number of sweeps (cyclic order)."""
    from sklearn.linear_model import ElasticNet

    X, y = _data(rng, 200, 10)
    theirs = ElasticNet(alpha=0.05, l1_ratio=0.7, fit_intercept=False, tol=1e-4).fit(X, y)
    result, gap = enet_coordinate_descent(X, y, 0.035, 0.015, tol=1e-4, precompute=False)
    assert result.n_iter == theirs.n_iter_
    assert gap <= 1e-4 * np.mean(y**2)


def test_gap_bounds_the_excess_objective(rng):
    X, y = _data(rng, 80, 12)
    w = np.ones(80)
    problem = enet_problem(X, y)
    exact, _ = problem.solve(0.1, 0.05, tol=1e-14, max_iter=100_000)
    for tol in (1e-1, 1e-2, 1e-3):
        result, gap = problem.solve(0.1, 0.05, tol=tol)
        excess = _objective(X, y, w, result.x, 0.1, 0.05) - exact.fun
        assert -1e-12 <= excess <= gap + 1e-12
        assert gap <= tol * problem.y_norm2


def test_history_is_monotone_and_starts_at_the_start(rng):
    X, y = _data(rng, 30, 50)
    result, _ = enet_coordinate_descent(X, y, 0.05, 0.01, tol=1e-10, max_iter=10_000)
    assert result.history[0] == pytest.approx(0.5 * np.mean(y**2))
    assert len(result.history) == result.n_iter + 1 == result.n_fev
    assert np.all(np.diff(result.history) <= 1e-13 * result.history[0])
    assert result.history[-1] == result.fun


def test_gram_cd_matches_a_smooth_reformulation(quadratic):
    """β = u − v with u, v ≥ 0 makes the L1 problem smooth: solve it with L-BFGS-B."""
    G, c = quadratic.A / 50, quadratic.b
    l1, l2 = 0.4, 0.1
    p = c.size

    def split(z):
        beta = z[:p] - z[p:]
        g = G @ beta - c + l2 * beta
        f = 0.5 * beta @ G @ beta - c @ beta + l1 * z.sum() + 0.5 * l2 * beta @ beta
        return f, np.concatenate([g + l1, -g + l1])

    reference = scipy_minimize(
        split,
        np.zeros(2 * p),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * (2 * p),
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    result, gap = enet_gram_cd(G, c, l1, l2, tol=1e-12)
    assert np.isnan(gap) and result.converged
    np.testing.assert_allclose(result.x, reference.x[:p] - reference.x[p:], atol=1e-6)
    assert result.fun <= reference.fun + 1e-12
    assert result.grad_norm == pytest.approx(_kkt_violation(G, c, result.x, l1, l2), abs=1e-13)
    assert result.grad_norm <= 1e-12


def test_gram_cd_with_y_norm2_is_the_least_squares_problem(rng):
    X, y = _data(rng, 40, 5)
    from_xy, gap_xy = enet_coordinate_descent(X, y, 0.2, 0.0, precompute=False, tol=1e-12)
    from_gram, gap = enet_gram_cd(
        X.T @ X / 40, X.T @ y / 40, 0.2, 0.0, y_norm2=y @ y / 40, tol=1e-12
    )
    np.testing.assert_allclose(from_gram.x, from_xy.x, rtol=1e-9)
    assert from_gram.fun == pytest.approx(from_xy.fun, rel=1e-12)
    assert gap == pytest.approx(gap_xy, abs=1e-10)


@pytest.mark.parametrize("precompute", [True, False])
def test_screening_drops_only_coordinates_zero_at_the_solution(rng, precompute):
    X, y = _data(rng, 30, 60)
    problem = enet_problem(X, y, precompute=precompute)
    exact, _ = problem.solve(0.05, 0.01, tol=1e-14, max_iter=100_000)
    for tol in (1e-6, 1e-9):
        rough, _ = problem.solve(0.05, 0.01, tol=tol, max_iter=100_000)
        beta, kept = rough.x.copy(), problem._start(rough.x)
        _, gap, _, nu, xtr = problem._measures(beta, kept, 0.05, 0.01, False)
        active = problem._screen(beta, kept, np.arange(60), gap, nu, xtr, 0.05, 0.01)
        dropped = np.setdiff1d(np.arange(60), active)
        assert dropped.size > 0 and np.all(exact.x[dropped] == 0) and np.all(beta[dropped] == 0)
        np.testing.assert_allclose(kept, problem._start(beta), atol=1e-12)


def test_positive_constraint_holds_and_is_optimal(rng):
    X, y = _data(rng, 60, 8)
    y = y - 3 * X[:, 2]
    G, c = X.T @ X / 60, X.T @ y / 60
    result, _ = enet_gram_cd(G, c, 0.1, 0.0, positive=True, tol=1e-12)
    beta = result.x
    assert np.all(beta >= 0) and beta[2] == 0
    grad = G @ beta - c
    np.testing.assert_allclose(grad[beta > 0], -0.1, atol=1e-9)
    assert np.all(grad[beta == 0] >= -0.1 - 1e-9)  # no descent direction into β > 0


def test_random_selection_same_seed_same_result(rng):
    X, y = _data(rng, 40, 30)
    options = {"selection": "random", "tol": 1e-6, "precompute": False}
    a, _ = enet_coordinate_descent(X, y, 0.05, 0.0, random_state=3, **options)
    b, _ = enet_coordinate_descent(X, y, 0.05, 0.0, random_state=3, **options)
    c, _ = enet_coordinate_descent(X, y, 0.05, 0.0, random_state=4, **options)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.n_iter == b.n_iter
    np.testing.assert_allclose(a.x, c.x, atol=1e-3)  # same solution, another path to it


def test_float32_data_in_the_residual_form(rng):
    X, y = _data(rng, 30, 20)
    exact, _ = enet_coordinate_descent(X, y, 0.1, 0.0, precompute=False, tol=1e-10)
    single, _ = enet_coordinate_descent(
        X.astype(np.float32), y.astype(np.float32), 0.1, 0.0, precompute=False, tol=1e-10
    )
    np.testing.assert_allclose(single.x, exact.x, atol=1e-4)


def test_constant_column_gets_zero(rng):
    X, y = _data(rng, 30, 4)
    X[:, 1] = 2.5
    m = X.mean(axis=0)
    for precompute in (True, False):
        result, _ = enet_coordinate_descent(
            X, y - y.mean(), 0.1, 0.1, [1.0, 1.0, 1.0, 1.0], x_offset=m, precompute=precompute
        )
        assert result.x[1] == 0


def test_auto_picks_the_gram_form_for_tall_data(rng):
    X, y = _data(rng, 50, 5)
    assert isinstance(enet_problem(X, y), GramProblem)
    assert isinstance(enet_problem(X[:8], y[:8]), ResidualProblem)
    assert isinstance(enet_problem(X, y, precompute=False), ResidualProblem)


def test_warns_at_max_iter_naming_it_and_the_gap(rng):
    X, y = _data(rng, 30, 40)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 .*duality gap .*tol=1e-08"):
        result, gap = enet_coordinate_descent(X, y, 0.01, 0.0, tol=1e-8, max_iter=2)
    assert not result.converged and result.n_iter == 2
    assert gap > 1e-8 * np.mean(y**2)
    assert "max_iter=2 reached" in result.message


def test_warm_start_from_the_solution_needs_no_sweep(rng):
    X, y = _data(rng, 50, 6)
    problem = enet_problem(X, y)
    first, _ = problem.solve(0.1, 0.0, tol=1e-8)
    again, _ = problem.solve(0.1, 0.0, first.x, tol=1e-8)
    assert again.n_iter == 0 and again.converged


def test_bad_input():
    G = np.eye(3)
    with pytest.raises(DataValidationError, match="square matrix matching c"):
        enet_gram_cd(G, np.ones(2), 0.1, 0.0)
    with pytest.raises(DataValidationError, match="beta0 must hold 3 finite"):
        enet_gram_cd(G, np.ones(3), 0.1, 0.0, np.ones(4))
    with pytest.raises(ParameterError, match="'l1' parameter"):
        enet_gram_cd(G, np.ones(3), -0.1, 0.0)
    with pytest.raises(ParameterError, match="'selection' parameter"):
        enet_gram_cd(G, np.ones(3), 0.1, 0.0, selection="greedy")
    with pytest.raises(DataValidationError, match="NaN or infinite"):
        enet_gram_cd(np.full((3, 3), np.nan), np.ones(3), 0.1, 0.0)
