"""Bayesian optimisation: the GP against scikit-learn's, test functions, BayesSearchCV."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.linear_model import Ridge as SkRidge

from lemma.calculus import check_grad
from lemma.exceptions import LemmaWarning, ParameterError
from lemma.selection import BayesSearchCV, GridSearchCV, KFold, minimize_bayes
from lemma.selection.bayes import BayesianOptimizer, expected_improvement
from lemma.selection.distributions import categorical, loguniform, randint, uniform
from lemma.selection.gp import JITTER, GaussianProcessSurrogate, log_marginal_likelihood


# ------------------------------------------------------------------------ the GP
def _sklearn_gp(theta, X, y):
    """scikit-learn's GP with the same kernel and fixed hyperparameters θ (ours)."""
    d = X.shape[1]
    kernel = ConstantKernel(math.exp(theta[d]), "fixed") * Matern(
        np.exp(theta[:d]), "fixed", nu=2.5
    ) + WhiteKernel(math.exp(theta[d + 1]), "fixed")
    return GaussianProcessRegressor(kernel, alpha=JITTER, optimizer=None).fit(X, y)


def test_log_marginal_likelihood_and_gradient_match_sklearn(rng):
    X = rng.uniform(size=(15, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=15)
    theta = np.r_[np.log(rng.uniform(0.1, 2.0, size=3)), math.log(1.5), math.log(0.01)]
    ours, grad = log_marginal_likelihood(theta, X, y)
    kernel = ConstantKernel(1.0) * Matern(np.ones(3), nu=2.5) + WhiteKernel(1.0)
    sk = GaussianProcessRegressor(kernel, alpha=JITTER, optimizer=None).fit(X, y)
    sk_theta = np.r_[theta[3], theta[:3], theta[4]]  # scikit-learn's order: σ_f², ℓ, σ_n²
    value, sk_grad = sk.log_marginal_likelihood(sk_theta, eval_gradient=True)
    assert ours == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(grad, np.r_[sk_grad[1:4], sk_grad[0], sk_grad[4]], rtol=1e-8)
    check = check_grad(
        lambda t: log_marginal_likelihood(t, X, y)[0],
        lambda t: log_marginal_likelihood(t, X, y)[1],
        theta,
    )
    assert check.passed()


def test_posterior_matches_sklearn_at_the_fitted_hyperparameters(rng):
    X = rng.uniform(size=(20, 2))
    y = 3.0 + np.cos(5 * X[:, 0]) * X[:, 1] + 0.1 * rng.normal(size=20)
    gp = GaussianProcessSurrogate(random_state=0).fit(X, y)
    z = (y - gp.y_mean_) / gp.y_scale_
    sk = _sklearn_gp(gp.theta_, X, z)
    X_new = rng.uniform(size=(30, 2))
    mean, std = gp.predict(X_new, return_std=True)
    sk_mean, sk_std = sk.predict(X_new, return_std=True)
    np.testing.assert_allclose(mean, gp.y_mean_ + gp.y_scale_ * sk_mean, rtol=1e-8)
    # scikit-learn's std includes the white noise; ours is the std of f
    noise = gp.noise_variance_
    np.testing.assert_allclose(std**2 / gp.y_scale_**2 + noise, sk_std**2, rtol=1e-7, atol=1e-12)
    assert gp.log_marginal_likelihood_ == pytest.approx(sk.log_marginal_likelihood_value_)
    best_by_restarts = log_marginal_likelihood(gp.theta_, X, z)[0]
    assert gp.log_marginal_likelihood_ == pytest.approx(best_by_restarts)


def test_posterior_mean_interpolates_noise_free_data(rng):
    X = rng.uniform(size=(12, 2))
    y = np.exp(X[:, 0]) * np.sin(3 * X[:, 1])
    gp = GaussianProcessSurrogate(noise_bounds=(1e-10, 1e-9), random_state=0).fit(X, y)
    mean, std = gp.predict(X, return_std=True)
    np.testing.assert_allclose(mean, y, atol=1e-5 * np.abs(y).max())
    assert std.max() < 1e-3 * y.std()
    far_mean, far_std = gp.predict(np.full((1, 2), 1e4), return_std=True)
    assert far_std[0] == pytest.approx(gp.y_scale_ * math.sqrt(gp.signal_variance_), rel=1e-6)
    assert far_mean[0] == pytest.approx(gp.y_mean_, abs=1e-6)  # back to the prior mean


def test_gradients_of_the_posterior_and_of_expected_improvement(rng):
    X = rng.uniform(size=(10, 3))
    y = np.sum(np.sin(3 * X), axis=1)
    gp = GaussianProcessSurrogate(random_state=0).fit(X, y)
    x = rng.uniform(size=3)
    mean, std, _, _ = gp.predict_with_gradient(x)
    np.testing.assert_allclose([mean, std], [v[0] for v in gp.predict(x[None], return_std=True)])
    assert check_grad(
        lambda u: gp.predict(u[None])[0], lambda u: gp.predict_with_gradient(u)[2], x
    ).passed()
    assert check_grad(
        lambda u: gp.predict(u[None], return_std=True)[1][0],
        lambda u: gp.predict_with_gradient(u)[3],
        x,
    ).passed()
    from lemma.selection.bayes import _expected_improvement_and_gradient

    best = float(y.max())
    ei = _expected_improvement_and_gradient(gp, x, best, 0.01)
    assert ei[0] == pytest.approx(
        expected_improvement(*gp.predict(x[None], return_std=True), best, 0.01)[0]
    )
    assert check_grad(
        lambda u: _expected_improvement_and_gradient(gp, u, best, 0.01)[0],
        lambda u: _expected_improvement_and_gradient(gp, u, best, 0.01)[1],
        x,
    ).passed()


def test_expected_improvement_closed_form():
    # E[max(f - b, 0)] for f ~ N(m, s²) by numerical integration
    m, s, b = 0.3, 0.7, 0.5
    grid = np.linspace(m - 12 * s, m + 12 * s, 200_001)
    integrand = np.maximum(grid - b, 0) * stats.norm.pdf(grid, m, s)
    expected = np.sum(integrand) * (grid[1] - grid[0])
    assert expected_improvement([m], [s], b, xi=0.0)[0] == pytest.approx(expected, rel=1e-6)
    assert expected_improvement([m], [s], b - 0.1, xi=0.1)[0] == pytest.approx(expected)


# ------------------------------------------------------------------------ test functions
def branin(x):
    """Branin–Hoo on [-5, 10] × [0, 15]; minimum 0.397887 at (−π, 12.275), (π, 2.275),
    (9.42478, 2.475) (Dixon & Szegő 1978; Surjanovic & Bingham's library)."""
    x1, x2 = x
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
HARTMANN_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
HARTMANN_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x):
    """Hartmann 6-D on [0, 1]^6; minimum −3.32237 at (0.20169, 0.150011, 0.476874,
    0.275332, 0.311652, 0.6573) (Dixon & Szegő 1978)."""
    inner = np.sum(HARTMANN_A * (np.asarray(x) - HARTMANN_P) ** 2, axis=1)
    return -float(HARTMANN_ALPHA @ np.exp(-inner))


def test_test_functions_have_their_published_minima():
    for point in ([-math.pi, 12.275], [math.pi, 2.275], [9.42478, 2.475]):
        assert branin(point) == pytest.approx(0.397887, abs=1e-6)
    optimum = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]
    assert hartmann6(optimum) == pytest.approx(-3.32237, abs=1e-5)


def _evaluations_to(best_so_far, tolerance):
    hits = np.flatnonzero(best_so_far <= tolerance)
    return hits[0] + 1 if hits.size else np.inf


@pytest.mark.slow
@pytest.mark.parametrize(
    ("func", "bounds", "minimum", "budget", "tolerance"),
    [
        (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887, 30, 0.2),
        (hartmann6, [(0.0, 1.0)] * 6, -3.32237, 40, 1.0),
    ],
)
def test_bayesian_optimisation_beats_random_search(seed, func, bounds, minimum, budget, tolerance):
    low, high = np.array(bounds).T
    bo_evals, bo_gaps, random_evals, random_gaps = [], [], [], []
    for run in range(5):
        run_seed = 1000 * seed + run
        result = minimize_bayes(func, bounds, n_calls=budget, random_state=run_seed)
        assert len(result.history) == result.n_iter == budget
        assert result.fun == pytest.approx(func(result.x))
        bo_gaps.append(result.fun - minimum)
        bo_evals.append(_evaluations_to(result.best_history - minimum, tolerance))
        draws = np.random.default_rng(run_seed).uniform(low, high, size=(2000, len(bounds)))
        best = np.minimum.accumulate([func(x) for x in draws]) - minimum
        random_gaps.append(best[budget - 1])
        random_evals.append(_evaluations_to(best, tolerance))
    assert np.median(bo_gaps) <= tolerance
    assert np.median(bo_gaps) < np.median(random_gaps)
    assert np.median(bo_evals) < np.median(random_evals)


def test_minimize_bayes_on_mixed_dimensions(seed):
    def cost(x):
        return (float(x[0]) - 3) ** 2 + (0.0 if x[1] == "b" else 1.0)

    space = [randint(-5, 6), categorical(["a", "b", "c"])]
    result = minimize_bayes(cost, space, n_calls=15, n_initial_points=5, random_state=seed)
    assert result.fun == 0.0
    assert list(result.x) == [3, "b"]
    assert len({tuple(p) for p in result.x_iters.tolist()}) == len(result.x_iters)  # no repeats


def test_small_discrete_space_is_exhausted_without_repeats(seed):
    opt = BayesianOptimizer([categorical([1, 2, 3])], n_initial_points=8, random_state=seed)
    points = opt.ask_initial()
    assert len(points) <= 3 and len({p[0] for p in points}) == len(points)
    for point in points:
        opt.tell(point, float(point[0]))
    while (point := opt.ask()) is not None:
        opt.tell(point, float(point[0]))
    assert sorted(p[0] for p in opt.points) == [1, 2, 3]


# ------------------------------------------------------------------------ BayesSearchCV
@pytest.fixture
def ridge_data(rng):
    X = rng.normal(size=(120, 30))
    y = X[:, :4] @ [2.0, -1.0, 1.0, 0.5] + 3 * rng.normal(size=120)
    return X, y


def test_bayes_search_finds_the_grid_optimum(ridge_data, seed):
    X, y = ridge_data
    cv = KFold(5, shuffle=True, random_state=seed)
    grid = GridSearchCV(SkRidge(), {"alpha": list(np.logspace(-3, 4, 71))}, cv=cv).fit(X, y)
    bayes = BayesSearchCV(
        SkRidge(),
        {"alpha": loguniform(1e-3, 1e4)},
        n_iter=12,
        n_initial_points=5,
        cv=cv,
        random_state=seed,
    ).fit(X, y)
    assert bayes.best_score_ >= grid.best_score_ - 2e-3
    assert len(bayes.cv_results_["params"]) == 12
    history = bayes.history_
    np.testing.assert_array_equal(history["score"], bayes.cv_results_["mean_test_score"])
    assert history["best_so_far"].iloc[-1] == bayes.best_score_
    assert history["best_so_far"].is_monotonic_increasing
    same = BayesSearchCV(
        SkRidge(),
        {"alpha": loguniform(1e-3, 1e4)},
        n_iter=12,
        n_initial_points=5,
        cv=cv,
        random_state=seed,
    ).fit(X, y)
    assert same.cv_results_["params"] == bayes.cv_results_["params"]
    assert "p_value_vs_best_score" in bayes.cv_results_


def test_bayes_search_with_scipy_and_categorical_spaces(ridge_data, seed):
    X, y = ridge_data
    space = {"alpha": stats.loguniform(1e-2, 1e3), "fit_intercept": [True, False]}
    search = BayesSearchCV(
        SkRidge(), space, n_iter=8, n_initial_points=4, cv=3, random_state=seed
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert all(1e-2 <= p["alpha"] <= 1e3 and p["fit_intercept"] in (True, False) for p in params)
    assert search.best_estimator_.alpha == search.best_params_["alpha"]


def test_bayes_search_on_a_tiny_space_stops_when_exhausted(ridge_data):
    X, y = ridge_data
    search = BayesSearchCV(
        SkRidge(),
        {"alpha": [0.1, 10.0], "fit_intercept": [True, False]},
        n_iter=10,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert len(search.history_) == 4


class StopAtFit(SkRidge):
    """scikit-learn's Ridge whose k-th fit (over all instances) raises KeyboardInterrupt."""

    calls = 0

    def __init__(self, alpha=1.0, k=10):
        super().__init__(alpha=alpha)
        self.k = k

    def fit(self, X, y, sample_weight=None):
        type(self).calls += 1
        if type(self).calls == self.k:
            raise KeyboardInterrupt
        return super().fit(X, y, sample_weight)


def test_bayes_search_interrupted_keeps_evaluated_candidates(ridge_data):
    X, y = ridge_data
    StopAtFit.calls = 0
    search = BayesSearchCV(
        StopAtFit(k=23),
        {"alpha": loguniform(1e-2, 1e2)},
        n_iter=10,
        n_initial_points=4,
        cv=3,
        random_state=0,
    )
    with pytest.warns(LemmaWarning, match="interrupted: 7 of the 8 candidates"):
        search.fit(X, y)  # 4 initial × 3 folds, then one candidate per 3 fits: fit 23 stops #8
    assert len(search.history_) == 7
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize(
    ("space", "options", "match"),
    [
        ({}, {}, "non-empty dict"),
        ({"alpha": object()}, {}, "list of values, a frozen scipy.stats"),
        ({"alpha": [1.0]}, {"n_iter": 0}, "'n_iter' parameter"),
        ({"alpha": [1.0]}, {"acq": "pi"}, "'acq' parameter"),
        ({"alpha": [1.0]}, {"initial_design": "sobol"}, "'initial_design' parameter"),
    ],
)
def test_bayes_search_bad_input(ridge_data, space, options, match):
    X, y = ridge_data
    with pytest.raises(ParameterError, match=match):
        BayesSearchCV(SkRidge(), space, **options).fit(X, y)


class RvsOnly:
    def rvs(self, size=None, random_state=None):
        return 1.0


def test_space_needs_quantiles_and_minimize_bayes_checks_its_input():
    with pytest.raises(ParameterError, match="has no cdf method"):
        BayesSearchCV(SkRidge(), {"alpha": RvsOnly()}).fit(np.zeros((10, 2)), np.zeros(10))
    with pytest.raises(ParameterError, match="bounds\\[0\\] must be a"):
        minimize_bayes(sum, [(0.0, 1.0, 2.0)])
    with pytest.raises(ParameterError, match="n_calls must be an int"):
        minimize_bayes(sum, [(0.0, 1.0)], n_calls=0)
    with pytest.raises(ParameterError, match="low < high"):
        minimize_bayes(sum, [uniform(1.0, 0.0)])
