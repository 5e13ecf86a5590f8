"""Stochastic update rules against scikit-learn's MLP optimizers, and the epoch loop."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from lemma.exceptions import ConvergenceWarning, DataTypeError, DataValidationError, ParameterError
from lemma.optim import SGD, AdaGrad, Adam, OptimizationError, RMSProp, minimize
from lemma.optim.schedules import ExponentialDecay, InverseScaling


class LeastSquares:
    """Stochastic f(w) = ½ mean over rows of (yᵢ − xᵢᵀw)²."""

    def __init__(self, X, y):
        self.X, self.y, self.n_samples = X, y, len(y)
        self.n_fev = 0

    def value_and_gradient(self, w, batch=None):
        self.n_fev += 1
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        r = y - X @ w
        return 0.5 * float(r @ r) / len(y), -(X.T @ r) / len(y)


def _regression(rng, n=1000, p=5):
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 0.5 * rng.normal(size=n)
    return X, y, np.linalg.lstsq(X, y, rcond=None)[0]


def _params_and_grads(rng, steps=12):
    params = [rng.normal(size=(3, 4)), rng.normal(size=4)]
    grads = [[rng.normal(size=(3, 4)), rng.normal(size=4)] for _ in range(steps)]
    return params, grads


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_sklearn_sgd_optimizer(rng, momentum, nesterov):
    params, grads = _params_and_grads(rng)
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    rule = SGD(learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    reference = SGDOptimizer(theirs, learning_rate_init=0.05, momentum=momentum,
                             nesterov=nesterov)  # fmt: skip
    for g in grads:
        rule.step(ours, g)
        reference.update_params(theirs, g)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_adam_matches_sklearn_adam_optimizer(rng):
    params, grads = _params_and_grads(rng)
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    rule = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-7)
    reference = AdamOptimizer(theirs, learning_rate_init=0.01, beta_1=0.8, beta_2=0.99,
                              epsilon=1e-7)  # fmt: skip
    for g in grads:
        rule.step(ours, g)
        reference.update_params(theirs, g)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert rule.t == reference.t == len(grads)


def test_adagrad_and_rmsprop_closed_form_on_a_constant_gradient():
    """With g constant, after k steps: AdaGrad moved η·Σⱼ 1/√j, RMSProp η·Σⱼ 1/√(1 − ρʲ)."""
    g, k, lr, rho = 2.0, 5, 0.1, 0.8
    theta = [np.zeros(1)]
    rule = AdaGrad(learning_rate=lr, eps=0.0 + 1e-300)
    for _ in range(k):
        rule.step(theta, [np.array([g])])
    assert theta[0][0] == pytest.approx(-lr * sum(1 / np.sqrt(j) for j in range(1, k + 1)))
    theta = [np.zeros(1)]
    rule = RMSProp(learning_rate=lr, rho=rho, eps=1e-300)
    for _ in range(k):
        rule.step(theta, [np.array([g])])
    expected = -lr * sum(1 / np.sqrt(1 - rho**j) for j in range(1, k + 1))
    assert theta[0][0] == pytest.approx(expected, rel=1e-12)


def test_schedule_and_weight_decay():
    """SGD with InverseScaling(1): θ_k = θ₀ − η Σ_t 1/(t+1)·g; weight decay = gradient + λθ."""
    theta = [np.zeros(2)]
    rule = SGD(learning_rate=0.3, schedule=InverseScaling(power_t=1.0))
    for _ in range(4):
        rule.step(theta, [np.ones(2)])
    np.testing.assert_allclose(theta[0], -0.3 * (1 + 1 / 2 + 1 / 3 + 1 / 4))
    assert rule.current_learning_rate() == pytest.approx(0.3 / 5)
    decayed, plain = [np.ones(2)], [np.ones(2)]
    a, b = SGD(learning_rate=0.1, weight_decay=0.5), SGD(learning_rate=0.1)
    for _ in range(3):
        g = np.array([0.2, -0.4])
        a.step(decayed, [g])
        b.step(plain, [g + 0.5 * plain[0]])
    np.testing.assert_allclose(decayed[0], plain[0], rtol=1e-15)


def test_reset_forgets_the_state(rng):
    params, grads = _params_and_grads(rng, steps=3)
    rule = Adam()
    first = [p.copy() for p in params]
    for g in grads:
        rule.step(first, g)
    rule.reset()
    second = [p.copy() for p in params]
    for g in grads:
        rule.step(second, g)
    np.testing.assert_array_equal(first[0], second[0])


CONFIGS = [
    ("sgd", {"learning_rate": 0.02, "momentum": 0.9, "nesterov": True,
             "schedule": ExponentialDecay(0.99)}),
    ("sgd", {"learning_rate": 0.1, "schedule": InverseScaling(0.5)}),
    ("adagrad", {"learning_rate": 0.5, "schedule": ExponentialDecay(0.995)}),
    ("rmsprop", {"learning_rate": 0.02, "schedule": ExponentialDecay(0.995)}),
    ("adam", {"learning_rate": 0.05, "schedule": ExponentialDecay(0.995)}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "options"), CONFIGS)
def test_stochastic_methods_reach_ols(rng, seed, method, options):
    """Within 2e-2 of the OLS solution (max-norm, relative to max|β|).

    With n = 1000, σ = 0.5 and batches of 50, a constant rate leaves a noise floor
    of a few percent; the decaying schedules bring it below 1e-2 (7e-3 at worst
    over seeds 0-19 for Adam).
    """
    X, y, ols = _regression(rng)
    objective = LeastSquares(X, y)
    result = minimize(objective, np.zeros(5), method=method, tol=1e-6, max_iter=300,
                      batch_size=50, random_state=seed, **options)  # fmt: skip
    assert result.converged and "epoch-mean loss" in result.message
    assert np.abs(result.x - ols).max() <= 2e-2 * np.abs(ols).max()
    assert len(result.history) == result.n_iter + 1
    assert result.history[0] == LeastSquares(X, y).value_and_gradient(np.zeros(5))[0]
    full_f, full_g = LeastSquares(X, y).value_and_gradient(result.x)
    assert result.fun == full_f and result.grad_norm == np.abs(full_g).max()
    # one full pass at x0, n/batch_size per epoch, one full pass at the end
    assert result.n_fev == objective.n_fev == 2 + 20 * result.n_iter


@pytest.mark.parametrize("method", ["sgd", "adagrad", "rmsprop", "adam"])
def test_same_seed_same_result(rng, method):
    X, y, _ = _regression(rng, n=300)
    runs = [minimize(LeastSquares(X, y), np.zeros(5), method=method, max_iter=5, warn=False,
                     batch_size=32, random_state=seed) for seed in (7, 7, 8)]  # fmt: skip
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    np.testing.assert_array_equal(runs[0].history, runs[1].history)
    assert not np.array_equal(runs[0].x, runs[2].x)


def test_stopping_rule_counts_epochs_without_improvement(rng):
    """With a huge tol only the first epoch improves (on an infinite best loss), then
    n_iter_no_change epochs without improvement end the run, as in scikit-learn."""
    X, y, _ = _regression(rng, n=100)
    result = minimize(LeastSquares(X, y), np.zeros(5), method="sgd", tol=1e10,
                      n_iter_no_change=4, random_state=0)  # fmt: skip
    assert result.converged and result.n_iter == 1 + 4


def test_unconverged_stochastic_run_warns_in_epochs(rng):
    X, y, _ = _regression(rng, n=100)
    with pytest.warns(
        ConvergenceWarning, match=r"adam did not converge in max_iter=3 epochs.*tol="
    ):
        minimize(LeastSquares(X, y), np.zeros(5), method="adam", max_iter=3, random_state=0)


def test_callback_stops_a_stochastic_run(rng):
    X, y, _ = _regression(rng, n=100)

    def stop(intermediate):
        if intermediate.n_iter == 2:
            raise StopIteration

    result = minimize(LeastSquares(X, y), np.zeros(5), method="adam", callback=stop,
                      random_state=0)  # fmt: skip
    assert result.n_iter == 2 and result.message == "stopped by callback"


def test_divergence_names_the_epoch(rng):
    X, y, _ = _regression(rng, n=100)
    objective = LeastSquares(X * 1e155, y)
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(OptimizationError, match=r"sgd diverged: .* at epoch \d; use a smaller"):
            minimize(objective, np.zeros(5), method="sgd", learning_rate=1.0, random_state=0)


def test_bad_input():
    X, y = np.ones((10, 2)), np.ones(10)
    quadratic = lambda w: (float(w @ w), 2 * w)  # noqa: E731
    with pytest.raises(ParameterError, match="needs a stochastic objective"):
        minimize(quadratic, np.zeros(2), method="adam")
    with pytest.raises(ParameterError, match="Unknown option 'beta1' for method='adam'"):
        minimize(LeastSquares(X, y), np.zeros(2), method="adam", beta1=0.9)
    with pytest.raises(ParameterError, match="'batch_size' parameter"):
        minimize(LeastSquares(X, y), np.zeros(2), method="sgd", batch_size=0)
    with pytest.raises(ParameterError, match="'beta_2' parameter of Adam"):
        Adam(beta_2=1.0)
    with pytest.raises(DataValidationError, match="2 parameter arrays but 1 gradients"):
        SGD().step([np.zeros(2), np.zeros(1)], [np.zeros(2)])
    with pytest.raises(DataValidationError, match=r"grads\[0\] has shape \(3,\)"):
        SGD().step([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(DataTypeError, match="float NumPy array"):
        SGD().step([np.zeros(2, dtype=int)], [np.zeros(2)])


class _Rosenbrock:
    """SciPy's Rosenbrock as a one-row stochastic objective (every batch is the full data)."""

    n_samples = 1

    def value_and_gradient(self, x, batch=None):
        from scipy.optimize import rosen, rosen_der

        return rosen(x), rosen_der(x)


def test_adam_on_rosenbrock_within_a_looser_tolerance():
    """Adam (η = 0.01) reaches (1, 1) within 1e-3, not the 1e-4 of the gradient methods.

    Adam's step m/√v has length about η per coordinate whatever the gradient's
    size, so it ends up wandering around the minimum at a scale set by η and the
    moment averages; and it stops on the loss-plateau rule of the stochastic
    methods, not on a gradient test. (It gets to about 1e-5 here: a margin of 100.)
    """
    result = minimize(_Rosenbrock(), np.array([-1.2, 1.0]), method="adam", learning_rate=0.01,
                      tol=1e-12, n_iter_no_change=100, max_iter=20000)  # fmt: skip
    assert result.converged
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-3)
