"""The driver's contract: result fields, history, callbacks, warnings, errors, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from lemma.exceptions import ConvergenceWarning, DataTypeError, DataValidationError, ParameterError
from lemma.optim import (
    METHODS,
    FunctionObjective,
    OptimizationError,
    OptimizeResult,
    as_objective,
    minimize,
)

ROSEN = FunctionObjective(rosen, grad=rosen_der)
START = np.array([-1.2, 1.0])


def _check_fields(result: OptimizeResult, p: int) -> None:
    assert result.x.shape == (p,)
    assert isinstance(result.fun, float)
    assert isinstance(result.grad_norm, float)
    assert isinstance(result.n_iter, int)
    assert isinstance(result.n_fev, int)
    assert isinstance(result.converged, bool)
    assert isinstance(result.message, str) and result.message
    assert result.history.shape == (result.n_iter + 1,)


def test_result_is_frozen_and_readable(quadratic):
    result = minimize(quadratic, np.zeros(20), method="gd", tol=1e-8, max_iter=5000)
    _check_fields(result, 20)
    assert result.converged
    assert result.history[0] == quadratic.value(np.zeros(20))
    assert result.history[-1] == pytest.approx(result.fun)
    assert result.grad_norm == pytest.approx(np.abs(quadratic.gradient(result.x)).max())
    with pytest.raises(AttributeError):
        result.x = None
    text = repr(result)
    assert text.startswith("OptimizeResult(converged=True") and "n_iter=" in text


def test_history_records_every_iteration():
    """history[k] is f at the k-th iterate, checked by recomputing along the callback."""
    seen = []
    result = minimize(
        ROSEN,
        START,
        method="gd",
        max_iter=25,
        warn=False,
        callback=lambda r: seen.append((r.x, r.n_iter, r.history.copy())),
    )
    assert result.n_iter == 25 and len(seen) == 25
    for k, (x, n_iter, history) in enumerate(seen, start=1):
        assert n_iter == k and history.shape == (k + 1,)
        assert history[-1] == rosen(x)
    np.testing.assert_array_equal(seen[-1][2], result.history)


def test_already_optimal_start_takes_no_iteration():
    result = minimize(ROSEN, np.ones(2), method="gd")
    assert result.converged and result.n_iter == 0
    np.testing.assert_array_equal(result.history, [0.0])


def test_callback_stop_iteration_ends_early_without_warning():
    def stop_at_three(intermediate):
        if intermediate.n_iter == 3:
            raise StopIteration

    result = minimize(ROSEN, START, method="gd", max_iter=1000, callback=stop_at_three)
    assert result.n_iter == 3 and len(result.history) == 4
    assert not result.converged
    assert result.message == "stopped by callback"


def test_unconverged_run_warns_with_numbers():
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3 .*tol=1e-06") as record:
        result = minimize(ROSEN, START, method="gd", max_iter=3, owner="LogisticRegression")
    message = str(record[0].message)
    assert message.startswith("LogisticRegression: gd did not converge")
    assert "gradient norm" in message
    assert not result.converged and result.n_iter == 3
    assert "max_iter=3" in result.message


def test_warn_false_silences_the_warning():
    result = minimize(ROSEN, START, method="gd", max_iter=3, warn=False)
    assert not result.converged


def test_warning_is_sklearn_compatible_when_sklearn_is_loaded():
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

    with pytest.warns(SkConvergenceWarning):
        minimize(ROSEN, START, method="gd", max_iter=2)


def _nan_after(calls: int) -> FunctionObjective:
    count = [0]

    def fun(x):
        count[0] += 1
        value = float(x @ x) if count[0] <= calls else np.nan
        return value, 2 * x

    return FunctionObjective(fun)


def test_nan_objective_raises_with_iteration():
    # fixed learning rate: one evaluation per iteration, the third is iteration 2
    with pytest.raises(OptimizationError, match="became nan at iteration 2; use a smaller"):
        minimize(_nan_after(2), np.ones(3), method="gd", learning_rate=0.1)


def test_nan_at_start_names_iteration_zero():
    with pytest.raises(OptimizationError, match=r"starting point \(iteration 0\)"):
        minimize(_nan_after(0), np.ones(3), method="gd", owner="Ridge")


def test_optimization_error_is_runtime_error():
    assert issubclass(OptimizationError, RuntimeError)


def test_n_fev_counts_evaluations_or_trusts_the_objective():
    calls = []
    result = minimize(
        lambda x: (calls.append(1), (float(x @ x), 2 * x))[1],
        np.ones(2),
        method="gd",
        learning_rate=0.1,
        max_iter=5,
        warn=False,
    )
    assert result.n_fev == len(calls) == 6

    class Counting:
        n_fev = 100

        def value_and_gradient(self, x):
            self.n_fev += 2  # counts, say, a value and a gradient pass separately
            return float(x @ x), 2 * x

    result = minimize(
        Counting(), np.ones(2), method="gd", learning_rate=0.1, max_iter=5, warn=False
    )
    assert result.n_fev == 12


def test_x0_is_not_modified(quadratic):
    x0 = np.zeros(20)
    minimize(quadratic, x0, method="momentum", learning_rate=0.01, max_iter=10, warn=False)
    np.testing.assert_array_equal(x0, 0.0)


class _Ridge:
    is_smooth = True

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, w):
        return 0.5 * self.alpha * float(w @ w)

    def gradient(self, w):
        return self.alpha * w

    def hessian(self, w):
        return self.alpha * np.eye(w.size)


def test_smooth_penalty_is_added_to_the_first_entries(quadratic):
    """f + ½α‖x[:m]‖² has the minimiser solve(A + α·diag(1..1, 0..0), b)."""
    alpha, m = 3.0, 15
    result = minimize(
        quadratic,
        np.zeros(20),
        method="gd",
        tol=1e-10,
        max_iter=20000,
        penalty=_Ridge(alpha),
        penalty_size=m,
    )
    D = np.diag(np.r_[np.ones(m), np.zeros(20 - m)])
    expected = np.linalg.solve(quadratic.A + alpha * D, quadratic.b)
    np.testing.assert_allclose(result.x, expected, rtol=1e-7, atol=1e-9)
    assert result.fun == pytest.approx(
        quadratic.value(result.x) + 0.5 * alpha * result.x[:m] @ result.x[:m], rel=1e-12
    )


class _L1:
    is_smooth = False

    def value(self, w):
        return float(np.abs(w).sum())

    def prox(self, w, step):
        return np.sign(w) * np.maximum(np.abs(w) - step, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "bfgs"}, ParameterError, r"Unknown method 'bfgs'; choose one of \["),
        ({"method": "gd", "lr": 0.1}, ParameterError, "Unknown option 'lr' for method='gd'"),
        ({"tol": -1.0}, ParameterError, "'tol' parameter of minimize must be"),
        ({"max_iter": 0}, ParameterError, "'max_iter' parameter of minimize"),
        (
            {"method": "gd", "learning_rate": -1.0},
            ParameterError,
            r"'learning_rate' parameter of minimize\(method='gd'\)",
        ),
        ({"method": "momentum", "momentum": 1.0}, ParameterError, "'momentum' parameter"),
        ({"method": "gd", "penalty": _L1()}, ParameterError, "not smooth.*'proximal' or 'fista'"),
        ({"method": "gd", "penalty_size": 1}, ParameterError, "penalty_size was given without"),
        (
            {"method": "gd", "penalty": _Ridge(1.0), "penalty_size": 5},
            ParameterError,
            r"penalty_size must be an int in \[0, 2\]",
        ),
        ({"callback": 3}, ParameterError, "callback must be callable"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        minimize(ROSEN, START, **{"method": "gd", **kwargs})


@pytest.mark.parametrize("x0", [np.zeros((2, 2)), np.array([]), np.array([np.nan, 1.0])])
def test_bad_start_point(x0):
    with pytest.raises(DataValidationError, match="x0"):
        minimize(ROSEN, x0, method="gd")


def test_bad_objectives():
    with pytest.raises(DataTypeError, match="callable fun"):
        minimize(3.0, START, method="gd")
    with pytest.raises(DataTypeError, match="must return a pair"):
        minimize(rosen, START, method="gd")
    with pytest.raises(DataValidationError, match="gradient has shape"):
        minimize(lambda x: (1.0, np.zeros(3)), START, method="gd")
    with pytest.raises(DataValidationError, match="scalar value"):
        minimize(lambda x: (x, x), START, method="gd")
    with pytest.raises(ParameterError, match="already an objective"):
        as_objective(ROSEN, grad=rosen_der)


class _StochasticQuadratic:
    """The quadratic fixture seen as a one-row stochastic objective."""

    n_samples = 1

    def __init__(self, quadratic):
        self.quadratic = quadratic

    def value_and_gradient(self, x, batch=None):
        return self.quadratic.value_and_gradient(x)


class _NoPenalty:
    def value(self, w):
        return 0.0

    def prox(self, w, step):
        return w


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_returns_every_field(quadratic, method):
    cls = METHODS[method]
    objective = _StochasticQuadratic(quadratic) if cls.stochastic else quadratic
    penalty = _NoPenalty() if cls.uses_prox else None
    seen = []
    result = minimize(objective, np.zeros(20), method=method, max_iter=3, warn=False,
                      penalty=penalty, callback=seen.append)  # fmt: skip
    _check_fields(result, 20)
    assert result.n_iter == len(seen) <= 3
    assert result.history[0] == quadratic.value(np.zeros(20))
    for k, intermediate in enumerate(seen, start=1):
        _check_fields(intermediate, 20)
        assert intermediate.n_iter == k


@pytest.mark.parametrize("method", ["lbfgs", "newton", "adam"])
def test_smooth_penalty_with_other_methods(quadratic, method):
    alpha, m = 3.0, 15
    D = np.diag(np.r_[np.ones(m), np.zeros(20 - m)])
    expected = np.linalg.solve(quadratic.A + alpha * D, quadratic.b)
    stochastic = METHODS[method].stochastic
    objective = _StochasticQuadratic(quadratic) if stochastic else quadratic
    options = {"learning_rate": 0.01, "tol": 1e-12, "n_iter_no_change": 50} if stochastic else {}
    result = minimize(objective, np.zeros(20), method=method, max_iter=3000,
                      penalty=_Ridge(alpha), penalty_size=m, **options)  # fmt: skip
    atol = 1e-3 if stochastic else 1e-6  # Adam wanders at a scale set by its step (see Rosenbrock)
    np.testing.assert_allclose(result.x, expected, atol=atol * np.abs(expected).max())


def test_failed_line_search_stops_with_a_warning():
    """A jump of f away from x0 defeats every trial step: the run stops and says why."""
    start = np.ones(2)

    def fun(x):
        return float(x @ x) + (0.0 if np.array_equal(x, start) else 10.0), 2 * x

    with pytest.warns(ConvergenceWarning, match="gd stopped before converging: the Armijo"):
        result = minimize(fun, start, method="gd", max_backtracks=5)
    assert not result.converged and result.n_iter == 0 and result.n_fev == 1 + 6
    quiet = minimize(fun, start, method="gd", max_backtracks=5, warn=False)
    assert "line search found no decrease" in quiet.message
