"""HuberRegressor: its objective's gradient, its optimum against scikit-learn, its contract."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize

from lemma.calculus import check_grad
from lemma.exceptions import NumericalWarning, ParameterError
from lemma.models.linear import HuberRegressor
from lemma.models.linear.huber import huber_objective


def _data(rng, n=150, d=3, outliers=12):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d)
    y = 0.7 + X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
    y[:outliers] += rng.choice([-1, 1], size=outliers) * rng.uniform(8, 20, size=outliers)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_matches_finite_differences(rng, fit_intercept):
    X, y = _data(rng)
    w = rng.uniform(0.5, 2.0, size=y.size)
    params = np.r_[rng.normal(size=X.shape[1] + fit_intercept), rng.uniform(0.5, 2.0)]

    def value(p):
        return huber_objective(p, X, y, w, 1.35, 0.3, fit_intercept)[0]

    def gradient(p):
        return huber_objective(p, X, y, w, 1.35, 0.3, fit_intercept)[1]

    assert check_grad(value, gradient, params).rel_error < 1e-6


def _reference(X, y, w, epsilon, alpha):
    """scikit-learn's objective, minimised by SciPy's L-BFGS-B without its early ftol stop."""
    from sklearn.linear_model._huber import _huber_loss_and_gradient

    start = np.r_[np.zeros(X.shape[1] + 1), 1.0]
    bounds = [(None, None)] * (X.shape[1] + 1) + [(1e-12, None)]
    out = scipy_minimize(_huber_loss_and_gradient, start, args=(X, y, epsilon, alpha, w),
                         jac=True, method="L-BFGS-B", bounds=bounds,
                         options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 10_000,
                                  "maxls": 100})  # fmt: skip
    return out.x


@pytest.mark.parametrize("weighted", [False, True])
def test_matches_scikit_learn(rng, weighted):
    """Against scikit-learn's objective run to a tight tolerance (1e-6), and against
    HuberRegressor itself (1e-4: its L-BFGS-B keeps SciPy's ftol, which stops it with a
    gradient of order 1e-3)."""
    from sklearn.linear_model import HuberRegressor as SkHuber

    X, y = _data(rng)
    w = rng.uniform(0.5, 2.0, size=y.size) if weighted else np.ones(y.size)
    ours = HuberRegressor(epsilon=1.5, alpha=0.01, tol=1e-6, max_iter=1000)
    ours.fit(X, y, sample_weight=w if weighted else None)
    fitted = np.r_[ours.coef_, ours.intercept_, ours.scale_]
    np.testing.assert_allclose(fitted, _reference(X, y, w, 1.5, 0.01), atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own convergence notices
        theirs = SkHuber(epsilon=1.5, alpha=0.01, tol=1e-10, max_iter=1000)
        theirs.fit(X, y, sample_weight=w if weighted else None)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, atol=1e-4)
    assert np.array_equal(ours.outliers_, theirs.outliers_)


def test_gradient_vanishes_at_the_solution(rng):
    X, y = _data(rng)
    w = rng.uniform(0.5, 2.0, size=y.size)
    model = HuberRegressor(alpha=0.05, tol=1e-7, max_iter=1000).fit(X, y, sample_weight=w)
    params = np.r_[model.coef_, model.intercept_, model.scale_]
    _, grad = huber_objective(params, X, y, w, model.epsilon, 0.05)
    assert np.abs(grad).max() <= 1e-7 * w.sum()


def test_outliers_are_the_rows_beyond_epsilon_scale(rng):
    X, y = _data(rng)
    model = HuberRegressor(tol=1e-6).fit(X, y)
    residual = np.abs(y - model.predict(X))
    assert np.array_equal(model.outliers_, residual > model.epsilon * model.scale_)
    assert model.outliers_[:12].all()  # the planted gross errors


def test_scale_equivariance(rng):
    """Multiplying y by c multiplies β, b and σ by c (with α = 0, where it is exact)."""
    X, y = _data(rng)
    a = HuberRegressor(alpha=0.0, tol=1e-7, max_iter=1000).fit(X, y)
    b = HuberRegressor(alpha=0.0, tol=1e-6, max_iter=1000).fit(X, 10 * y)
    np.testing.assert_allclose(b.coef_, 10 * a.coef_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.intercept_, 10 * a.intercept_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.scale_, 10 * a.scale_, rtol=1e-5)


def test_duplicated_rows_equal_doubled_weights(rng):
    X, y = _data(rng)
    twice = rng.random(y.size) < 0.3
    a = HuberRegressor(tol=1e-7, max_iter=1000).fit(X, y, np.where(twice, 2.0, 1.0))
    b = HuberRegressor(tol=1e-7, max_iter=1000).fit(np.vstack([X, X[twice]]), np.r_[y, y[twice]])
    np.testing.assert_allclose(np.r_[a.coef_, a.intercept_, a.scale_],
                               np.r_[b.coef_, b.intercept_, b.scale_], atol=1e-6)  # fmt: skip


def test_history_warm_start_and_no_intercept(rng):
    X, y = _data(rng)
    model = HuberRegressor(tol=1e-6, warm_start=True).fit(X, y)
    assert model.history_.size == model.n_iter_ + 1
    assert model.history_[-1] <= model.history_[0]
    first = model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < first
    plain = HuberRegressor(fit_intercept=False, tol=1e-6).fit(X, y)
    assert plain.intercept_ == 0.0
    assert "Outliers" in str(model.summary())


def test_float32_input(rng):
    X, y = _data(rng)
    model = HuberRegressor(tol=1e-4).fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32
    reference = HuberRegressor(tol=1e-6).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-3)


def test_exact_fit_collapses_the_scale_with_a_warning(rng):
    X = rng.normal(size=(40, 2))
    y = 1.5 + X @ np.array([2.0, -1.0])
    with pytest.warns(NumericalWarning, match="scale fell to"):
        model = HuberRegressor().fit(X, y)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-8)


def test_more_coefficients_than_rows_warns(rng):
    X, y = rng.normal(size=(6, 8)), rng.normal(size=6)
    with pytest.warns(NumericalWarning, match="6 rows with positive weight for 9 coefficients"):
        HuberRegressor().fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"epsilon": 0.9}, "'epsilon' parameter"), ({"alpha": -1.0}, "'alpha' parameter"),
     ({"max_iter": 0}, "'max_iter' parameter")],
)  # fmt: skip
def test_bad_parameters_are_refused(rng, params, match):
    X, y = _data(rng)
    with pytest.raises(ParameterError, match=match):
        HuberRegressor(**params).fit(X, y)
