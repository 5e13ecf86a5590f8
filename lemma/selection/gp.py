"""Gaussian-process regression: the surrogate model of Bayesian optimisation.

Observations ``y_i = f(x_i) + ε_i``, x_i ∈ [0, 1]^d, ε_i ~ N(0, σ_n²), with a
Gaussian-process prior f ~ GP(0, k) on the standardised targets and the Matérn
5/2 kernel with one length scale per dimension (ARD):

    r²(x, x') = Σ_j (x_j − x'_j)² / ℓ_j²,
    k(x, x')  = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r).

With ``K_y = K + σ_n² I = L Lᵀ`` and ``α = K_y⁻¹ y``, the log marginal likelihood
of θ = (log ℓ_1, …, log ℓ_d, log σ_f², log σ_n²) is

    log p(y | θ) = −½ yᵀα − Σ_i log L_ii − (n/2) log 2π,
    ∂ log p / ∂θ_k = ½ tr((ααᵀ − K_y⁻¹) ∂K_y/∂θ_k),

    ∂K_y/∂log σ_f² = K,    ∂K_y/∂log σ_n² = σ_n² I,
    ∂K_y/∂log ℓ_j  = σ_f² (5/3)(1 + √5 r) exp(−√5 r) (x_j − x'_j)²/ℓ_j².

θ maximises it (L-BFGS-B from :mod:`lemma.optim` within bounds, a few random
restarts). The posterior at x* (``k* = k(X, x*)``, ``v = L⁻¹k*``) is

    μ(x*) = k*ᵀα,    σ²(x*) = σ_f² − vᵀv,

and its gradient in x*, used to refine the acquisition, is
``∂μ/∂x* = (∂k*/∂x*)ᵀα`` and ``∂σ²/∂x* = −2 (∂k*/∂x*)ᵀ K_y⁻¹ k*`` with
``∂k(x*, x_i)/∂x*_j = −σ_f² (5/3)(1 + √5 r)exp(−√5 r)(x*_j − x_ij)/ℓ_j²``.

Reference: C. E. Rasmussen & C. K. I. Williams, *Gaussian Processes for Machine
Learning*, MIT Press (2006), §2.2 (posterior), §4.2 (Matérn), §5.4.1 (marginal
likelihood and its gradient).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular

from lemma.exceptions import DataValidationError
from lemma.optim import minimize
from lemma.validation import check_random_state

__all__ = ["GaussianProcessSurrogate", "log_marginal_likelihood", "matern52"]

SQRT5 = math.sqrt(5.0)
#: Added to the diagonal of K_y so its Cholesky factor exists in floating point.
JITTER = 1e-10


def _scaled_differences(A: np.ndarray, B: np.ndarray, length_scale: np.ndarray) -> np.ndarray:
    """``(a_j − b_j)/ℓ_j`` for every pair, shape (n_a, n_b, d)."""
    return (A[:, None, :] - B[None, :, :]) / length_scale


def matern52(A: Any, B: Any, length_scale: Any, signal_variance: float = 1.0) -> np.ndarray:
    """The Matérn 5/2 kernel matrix ``k(A_i, B_j)`` with ARD length scales.

    Parameters
    ----------
    A : array-like of shape (n_a, d)
    B : array-like of shape (n_b, d)
    length_scale : float or array-like of shape (d,)
    signal_variance : float, default=1.0
        σ_f², the kernel's value at r = 0.

    Returns
    -------
    ndarray of shape (n_a, n_b)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.gp import matern52
    >>> matern52(np.zeros((1, 2)), np.array([[0.0, 0.0], [1.0, 0.0]]), [1.0, 1.0]).round(4)
    array([[1.    , 0.5240]])
    """
    A, B = np.atleast_2d(np.asarray(A, float)), np.atleast_2d(np.asarray(B, float))
    scale = np.broadcast_to(np.asarray(length_scale, float), (A.shape[1],))
    r = np.sqrt(np.sum(_scaled_differences(A, B, scale) ** 2, axis=-1))
    return signal_variance * (1 + SQRT5 * r + 5.0 * r**2 / 3.0) * np.exp(-SQRT5 * r)


def _unpack(theta: np.ndarray) -> tuple[np.ndarray, float, float]:
    return np.exp(theta[:-2]), float(np.exp(theta[-2])), float(np.exp(theta[-1]))


def log_marginal_likelihood(theta: Any, X: Any, y: Any) -> tuple[float, np.ndarray]:
    """``log p(y | X, θ)`` of a zero-mean GP with the Matérn 5/2 kernel, and its gradient.

    Parameters
    ----------
    theta : array-like of shape (d + 2,)
        ``(log ℓ_1, …, log ℓ_d, log σ_f², log σ_n²)``.
    X : array-like of shape (n, d)
    y : array-like of shape (n,)

    Returns
    -------
    value : float
    gradient : ndarray of shape (d + 2,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.gp import log_marginal_likelihood
    >>> X = np.array([[0.0], [0.5], [1.0]]); y = np.array([0.0, 1.0, 0.0])
    >>> value, grad = log_marginal_likelihood(np.log([0.3, 1.0, 1e-4]), X, y)
    >>> round(value, 4), grad.shape
    (-3.2597, (3,))
    """
    theta = np.asarray(theta, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    length_scale, signal, noise = _unpack(theta)
    D = _scaled_differences(X, X, length_scale) ** 2  # (n, n, d)
    r = np.sqrt(D.sum(axis=-1))
    decay = np.exp(-SQRT5 * r)
    K = signal * (1 + SQRT5 * r + 5.0 * r**2 / 3.0) * decay
    n = y.size
    L = cholesky(K + (noise + JITTER) * np.eye(n), lower=True, check_finite=False)
    alpha = cho_solve((L, True), y, check_finite=False)
    value = -0.5 * y @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * n * math.log(2 * math.pi)
    W = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(n), check_finite=False)
    grad = np.empty(theta.size)
    dK_dlength = signal * (5.0 / 3.0) * (1 + SQRT5 * r) * decay  # times D_j
    grad[:-2] = 0.5 * np.einsum("ab,ab,abj->j", W, dK_dlength, D)
    grad[-2] = 0.5 * np.sum(W * K)
    grad[-1] = 0.5 * noise * np.trace(W)
    return float(value), grad


class GaussianProcessSurrogate:
    """GP regression with a Matérn 5/2 ARD kernel and fitted white noise, on [0, 1]^d inputs.

    Parameters
    ----------
    length_scale_bounds : (float, float), default=(1e-2, 1e2)
    signal_variance_bounds : (float, float), default=(1e-2, 1e2)
        Bounds of σ_f² for the standardised targets.
    noise_bounds : (float, float), default=(1e-6, 1.0)
        Bounds of σ_n² for the standardised targets (the lower bound keeps K_y
        well conditioned; pass a tiny one for noise-free data).
    n_restarts : int, default=2
        Random starts of the likelihood maximisation besides ``theta0``.
    theta0 : array-like of shape (d + 2,) or None, default=None
        First start, as log-hyperparameters (see :func:`log_marginal_likelihood`);
        None: length scales 0.3, σ_f² = 1, σ_n² = 0.01.
    random_state : None, int or RandomState

    Attributes
    ----------
    length_scale_ : ndarray of shape (d,)
    signal_variance_, noise_variance_ : float
        On the standardised scale.
    log_marginal_likelihood_ : float
    y_mean_, y_scale_ : float
        Standardisation of the targets.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.gp import GaussianProcessSurrogate
    >>> X = np.linspace(0, 1, 8)[:, None]; y = np.sin(6 * X.ravel())
    >>> gp = GaussianProcessSurrogate(noise_bounds=(1e-10, 1e-8), random_state=0).fit(X, y)
    >>> mean, std = gp.predict(X, return_std=True)
    >>> bool(np.allclose(mean, y, atol=1e-4)), bool(std.max() < 1e-2)
    (True, True)
    """

    def __init__(
        self,
        length_scale_bounds: tuple[float, float] = (1e-2, 1e2),
        signal_variance_bounds: tuple[float, float] = (1e-2, 1e2),
        noise_bounds: tuple[float, float] = (1e-6, 1.0),
        n_restarts: int = 2,
        theta0: Any = None,
        random_state: Any = None,
    ):
        self.length_scale_bounds = length_scale_bounds
        self.signal_variance_bounds = signal_variance_bounds
        self.noise_bounds = noise_bounds
        self.n_restarts = n_restarts
        self.theta0 = theta0
        self.random_state = random_state

    def _bounds(self, d: int) -> np.ndarray:
        pairs = [self.length_scale_bounds] * d + [self.signal_variance_bounds, self.noise_bounds]
        return np.log(np.asarray(pairs, dtype=float))

    def fit(self, X: Any, y: Any) -> GaussianProcessSurrogate:
        """Standardise y, maximise the log marginal likelihood, factor K_y.

        Parameters
        ----------
        X : array-like of shape (n, d)
        y : array-like of shape (n,)

        Returns
        -------
        self
        """
        X, y = np.atleast_2d(np.asarray(X, dtype=float)), np.asarray(y, dtype=float).ravel()
        if X.shape[0] != y.size or y.size == 0 or not np.all(np.isfinite(y)):
            raise DataValidationError(
                f"The GP needs one finite target per row of X; got X of shape {X.shape} and "
                f"{y.size} targets ({int(np.sum(~np.isfinite(y)))} not finite)."
            )
        self.y_mean_ = float(y.mean())
        self.y_scale_ = float(y.std()) or 1.0
        z = (y - self.y_mean_) / self.y_scale_
        bounds = self._bounds(X.shape[1])
        rng = check_random_state(self.random_state)
        default = np.r_[np.full(X.shape[1], math.log(0.3)), 0.0, math.log(1e-2)]
        first = default if self.theta0 is None else np.asarray(self.theta0, dtype=float)
        starts = [np.clip(first, bounds[:, 0], bounds[:, 1])]
        starts += [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(self.n_restarts)]

        def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = log_marginal_likelihood(theta, X, z)
            return -value, -grad

        runs = [
            minimize(
                negative, start, method="lbfgs", bounds=bounds, tol=1e-3, max_iter=100, warn=False
            )
            for start in starts
        ]
        best = min(runs, key=lambda run: run.fun)
        self.theta_ = best.x
        self.length_scale_, self.signal_variance_, self.noise_variance_ = _unpack(best.x)
        self.log_marginal_likelihood_ = -float(best.fun)
        self.X_train_ = X
        K = matern52(X, X, self.length_scale_, self.signal_variance_)
        self.L_ = cholesky(K + (self.noise_variance_ + JITTER) * np.eye(y.size), lower=True)
        self.alpha_ = cho_solve((self.L_, True), z)
        return self

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """Posterior mean (and standard deviation of f, without the noise) at X.

        Parameters
        ----------
        X : array-like of shape (m, d)
        return_std : bool, default=False

        Returns
        -------
        mean : ndarray of shape (m,)
        std : ndarray of shape (m,), only when ``return_std``
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        k_star = matern52(X, self.X_train_, self.length_scale_, self.signal_variance_)
        mean = self.y_mean_ + self.y_scale_ * (k_star @ self.alpha_)
        if not return_std:
            return mean
        v = solve_triangular(self.L_, k_star.T, lower=True)
        variance = np.maximum(self.signal_variance_ - np.sum(v**2, axis=0), 0.0)
        return mean, self.y_scale_ * np.sqrt(variance)

    def predict_with_gradient(self, x: Any) -> tuple[float, float, np.ndarray, np.ndarray]:
        """Mean and standard deviation at one point x, and their gradients in x.

        Parameters
        ----------
        x : array-like of shape (d,)

        Returns
        -------
        mean, std : float
        mean_gradient, std_gradient : ndarray of shape (d,)
        """
        x = np.asarray(x, dtype=float).ravel()
        diff = (x[None, :] - self.X_train_) / self.length_scale_**2  # (n, d)
        r = np.sqrt(np.sum(diff**2 * self.length_scale_**2, axis=1))
        decay = np.exp(-SQRT5 * r)
        k_star = self.signal_variance_ * (1 + SQRT5 * r + 5.0 * r**2 / 3.0) * decay
        dk = -(self.signal_variance_ * (5.0 / 3.0) * (1 + SQRT5 * r) * decay)[:, None] * diff
        mean = float(k_star @ self.alpha_)
        solved = cho_solve((self.L_, True), k_star, check_finite=False)
        variance = self.signal_variance_ - float(k_star @ solved)
        std = math.sqrt(max(variance, 1e-300))
        std_gradient = (-2.0 * dk.T @ solved) / (2.0 * std)
        return (
            self.y_mean_ + self.y_scale_ * mean,
            self.y_scale_ * std,
            self.y_scale_ * (dk.T @ self.alpha_),
            self.y_scale_ * std_gradient,
        )
