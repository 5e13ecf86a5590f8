"""Gaussian mixtures fitted by expectation–maximisation (EM).

Model. Each row is drawn from one of k Gaussian components, chosen with
probabilities π₁ … π_k:

    p(x) = Σ_k π_k N(x | μ_k, Σ_k),    ℓ(θ) = (1/n) Σᵢ log p(xᵢ)   (mean log-likelihood).

With the precision Cholesky factor ``Σ_k⁻¹ = L_k L_kᵀ`` (L_k lower triangular),

    log N(x | μ, Σ) = −½ d log 2π + Σ_j log (L)_jj − ½ ‖L_kᵀ(x − μ)‖².

EM alternates (Dempster, Laird & Rubin 1977):

    E-step   r_ik = π_k N(xᵢ | μ_k, Σ_k) / p(xᵢ)                (responsibilities)
    M-step   N_k = Σᵢ r_ik,   π_k = N_k / n,   μ_k = Σᵢ r_ik xᵢ / N_k,
             Σ_k = Σᵢ r_ik (xᵢ − μ_k)(xᵢ − μ_k)ᵀ / N_k + λ I     (λ = reg_covar)

Covariance types: "full" (one Σ_k each), "tied" (one Σ for all, the pooled
within-component scatter / n), "diag" (Σ_k diagonal, the per-feature variances),
"spherical" (Σ_k = σ_k² I, σ_k² the mean of the diagonal). N_k carries ``10·eps`` so
that an empty component does not divide by zero.

With λ = 0 every EM iteration is the exact maximiser of the expected complete-data
log-likelihood, so ℓ never decreases. λ > 0 (scikit-learn's regularisation, which
keeps Σ_k positive definite when a component collapses onto few points) shifts the
M-step by λI: ℓ then rises up to terms of order λ. ``history_`` records ℓ at every
iterate θ₀, θ₁, …; EM stops when ℓ changes by less than ``tol``.

Model choice: ``bic = −2 n ℓ + p log n`` and ``aic = −2 n ℓ + 2p`` with p free
parameters: (k − 1) weights, k d means, and k d(d+1)/2 (full), d(d+1)/2 (tied),
k d (diag) or k (spherical) covariance parameters.

Reference: Dempster, Laird & Rubin, "Maximum likelihood from incomplete data via the
EM algorithm", JRSS B 39 (1977); Bishop, *Pattern Recognition and Machine Learning*
(2006), §9.2; Schwarz, "Estimating the dimension of a model", Ann. Stat. 6 (1978).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.linalg as sla

from lemma._constraints import ARRAY_LIKE, BOOL, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClusterMixin
from lemma.exceptions import ConvergenceWarning, DataValidationError, interop
from lemma.models.cluster.kmeans import KMeans, _plusplus_indices, check_n_clusters
from lemma.validation import check_array, check_random_state, validate_data

__all__ = ["GaussianMixture"]

#: Rows per block in the E-step and the covariance sums (temporaries stay in cache).
_BLOCK = 8192


# ------------------------------------------------------------------------ covariances
def _full(X, resp, nk, means, reg):
    d = X.shape[1]
    covariances = np.empty((means.shape[0], d, d), dtype=X.dtype)
    for k in range(means.shape[0]):
        scatter = np.zeros((d, d), dtype=X.dtype)
        for start in range(0, X.shape[0], _BLOCK):
            diff = X[start : start + _BLOCK] - means[k]
            scatter += (diff * resp[start : start + _BLOCK, k, None]).T @ diff
        covariances[k] = scatter / nk[k]
        covariances[k].flat[:: d + 1] += reg
    return covariances


def _tied(X, resp, nk, means, reg):
    scatter = X.T @ X - (nk * means.T) @ means
    covariance = scatter / nk.sum()
    covariance.flat[:: X.shape[1] + 1] += reg
    return covariance


def _diag(X, resp, nk, means, reg):
    # Centred sums Σᵢ r_ik (x_ij − μ_kj)², not E[x²] − μ²: the one-pass form cancels
    # catastrophically when a component collapses (a singleton gets variance ~1e-14 of
    # rounding noise instead of 0, and the likelihood moves by noise, up or down).
    variances = np.zeros_like(means)
    for start in range(0, X.shape[0], _BLOCK):
        block = X[start : start + _BLOCK]
        r = resp[start : start + _BLOCK]
        for k in range(means.shape[0]):
            diff = block - means[k]
            variances[k] += r[:, k] @ (diff * diff)
    variances = variances / nk[:, None] + reg
    # A σ within a few dozen rounding units of its mean is a point mass: μ itself carries
    # that much rounding (a weighted mean over n rows), so (x − μ)/σ and the likelihood are
    # noise there (and unbounded in exact arithmetic). Seen as EM "decreasing" ℓ by 1e-4.
    if np.any(variances <= (64 * np.finfo(X.dtype).eps * np.abs(means)) ** 2):
        raise DataValidationError(_ILL_DEFINED)
    return variances


def _spherical(X, resp, nk, means, reg):
    return _diag(X, resp, nk, means, reg).mean(axis=1)


_COVARIANCES = {"full": _full, "tied": _tied, "diag": _diag, "spherical": _spherical}


def estimate_parameters(X, resp, reg_covar, covariance_type):
    """M-step: component weights N_k, means and covariances from responsibilities."""
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ X) / nk[:, None]
    covariances = _COVARIANCES[covariance_type](X, resp, nk, means, reg_covar)
    return nk, means, covariances


_ILL_DEFINED = (
    "GaussianMixture failed: some components have an ill-defined empirical covariance "
    "(not positive definite; singleton or collapsed rows). Decrease n_components, "
    "increase reg_covar, or scale the input data."
)


def _cholesky_inverse(covariance: np.ndarray) -> np.ndarray:
    """Lower-triangular L with ``L Lᵀ = covariance⁻¹`` (via Σ = C Cᵀ, L = C⁻ᵀ).

    C⁻¹ comes from LAPACK's triangular inverse (``?trtri``), much cheaper for the
    small d × d factors here than a general triangular solve.
    """
    try:
        factor = sla.cholesky(covariance, lower=True)
    except sla.LinAlgError:
        raise DataValidationError(_ILL_DEFINED) from None
    (trtri,) = sla.get_lapack_funcs(("trtri",), (factor,))
    inverse, info = trtri(factor, lower=1)
    if info != 0:
        raise DataValidationError(_ILL_DEFINED)
    return np.ascontiguousarray(np.tril(inverse).T)  # C order: the layout a saved model reloads


def _positive(variances: np.ndarray) -> np.ndarray:
    if np.any(variances <= 0.0):
        raise DataValidationError(_ILL_DEFINED)
    return 1.0 / np.sqrt(variances)


_PRECISION_CHOLESKY = {
    "full": lambda c: np.stack([_cholesky_inverse(c_k) for c_k in c]),
    "tied": _cholesky_inverse,
    "diag": _positive,
    "spherical": _positive,
}


def precision_cholesky(covariances, covariance_type):
    """The precision Cholesky factors L_k (``Σ_k⁻¹ = L_k L_kᵀ``); 1/σ for diag/spherical."""
    return _PRECISION_CHOLESKY[covariance_type](covariances)


# ----------------------------------------------------------------------- log densities
def _log_prob_full(X, means, prec_chol):
    out = np.empty((X.shape[0], means.shape[0]), dtype=X.dtype)
    for k in range(means.shape[0]):
        chol = prec_chol if prec_chol.ndim == 2 else prec_chol[k]
        shift = means[k] @ chol
        for start in range(0, X.shape[0], _BLOCK):
            y = X[start : start + _BLOCK] @ chol
            y -= shift
            out[start : start + _BLOCK, k] = np.einsum("ij,ij->i", y, y)
    return out


def _log_prob_diag(X, means, prec_chol):
    # ‖(x − μ_k) ⊙ L_k‖² as (x ⊙ L_k − μ_k ⊙ L_k)², not the expansion μ²p − 2xμp + x²p:
    # that one loses eps·x²/σ² to cancellation, which is garbage once a component's σ
    # collapses towards a single row (the likelihood then jumps by 1e11 and falls back).
    prec_chol = np.broadcast_to(
        prec_chol[:, None] if prec_chol.ndim == 1 else prec_chol, means.shape
    )
    out = np.empty((X.shape[0], means.shape[0]), dtype=X.dtype)
    for k in range(means.shape[0]):
        shift = means[k] * prec_chol[k]
        for start in range(0, X.shape[0], _BLOCK):
            y = X[start : start + _BLOCK] * prec_chol[k]
            y -= shift
            out[start : start + _BLOCK, k] = np.einsum("ij,ij->i", y, y)
    return out


_MAHALANOBIS = {
    "full": _log_prob_full,
    "tied": _log_prob_full,
    "diag": _log_prob_diag,
    "spherical": _log_prob_diag,
}


def _log_det(prec_chol, covariance_type, d):
    """Σ_j log (L_k)_jj per component (a scalar for tied)."""
    if covariance_type == "full":
        return np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diag(prec_chol)).sum()
    if covariance_type == "diag":
        return np.log(prec_chol).sum(axis=1)
    return d * np.log(prec_chol)


def weighted_log_prob(X, weights, means, prec_chol, covariance_type):
    """``log π_k + log N(xᵢ | μ_k, Σ_k)`` for every row and component."""
    d = X.shape[1]
    squared = _MAHALANOBIS[covariance_type](X, means, prec_chol)
    log_det = _log_det(prec_chol, covariance_type, d)
    out = squared
    out *= -0.5
    out += log_det - 0.5 * d * np.log(2 * np.pi) + np.log(weights)
    return out


def log_normaliser(weighted: np.ndarray) -> np.ndarray:
    """``log Σ_k exp(weighted[:, k])`` per row, shifted by the row maximum (no overflow)."""
    top = weighted.max(axis=1)
    top[~np.isfinite(top)] = 0.0
    return top + np.log(np.exp(weighted - top[:, None]).sum(axis=1))


_N_COVARIANCE_PARAMETERS = {
    "full": lambda k, d: k * d * (d + 1) / 2,
    "tied": lambda k, d: d * (d + 1) / 2,
    "diag": lambda k, d: k * d,
    "spherical": lambda k, d: k,
}


# ----------------------------------------------------------------------------- estimator
class GaussianMixture(ClusterMixin, BaseEstimator):
    """A mixture of k Gaussians fitted by EM, with BIC/AIC, densities and sampling.

    Parameters
    ----------
    n_components : int, default=1
        Number of components k.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    tol : float, default=1e-3
        Stop when the mean log-likelihood changes by less than this.
    reg_covar : float, default=1e-6
        Added to every covariance diagonal (λ in the module docstring).
    max_iter : int, default=100
        EM iterations per initialisation.
    n_init : int, default=1
        Initialisations; the one with the highest final ℓ is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        Starting responsibilities: k-means labels, one k-means++ seed row per
        component, random proportions, or one random row per component.
    weights_init, means_init, precisions_init : array-like, optional
        Starting parameters (override those from ``init_params``). Precisions have
        shape (k, d, d) for full, (d, d) tied, (k, d) diag, (k,) spherical.
    random_state : int, RandomState or None
    warm_start : bool, default=False
        Refit from the last solution (one initialisation).

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        Shapes as for ``precisions_init``.
    converged_ : bool
    n_iter_ : int
        EM iterations of the best initialisation.
    lower_bound_ : float
        ℓ of the parameters before the last M-step (scikit-learn's convention).
    history_ : ndarray of shape (n_iter_ + 1,)
        ℓ(θ₀), ℓ(θ₁), …, ℓ(θ_{n_iter_}): the mean log-likelihood of each iterate.
    labels_ : ndarray of shape (n_samples,)
        Most probable component of each training row.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(8, 1, (100, 2))])
    >>> model = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.sort(model.means_[:, 0]).round(0)
    array([0., 8.])
    >>> bool(model.bic(X) < GaussianMixture(1).fit(X).bic(X))
    True
    """

    _parameter_constraints = {
        "n_components": [Interval(int, 1, None, closed="left")],
        "covariance_type": [Options(set(_COVARIANCES))],
        "tol": [Interval(float, 0, None, closed="left")],
        "reg_covar": [Interval(float, 0, None, closed="left")],
        "max_iter": [Interval(int, 0, None, closed="left")],
        "n_init": [Interval(int, 1, None, closed="left")],
        "init_params": [Options({"kmeans", "k-means++", "random", "random_from_data"})],
        "weights_init": [ARRAY_LIKE, None],
        "means_init": [ARRAY_LIKE, None],
        "precisions_init": [ARRAY_LIKE, None],
        "random_state": [RANDOM_STATE],
        "warm_start": [BOOL],
    }

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None) -> GaussianMixture:
        """Fit by EM from ``n_init`` starts and keep the best (highest ℓ).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        warm = self.warm_start and hasattr(self, "converged_")
        X = validate_data(self, X, dtype=(np.float64, np.float32), ensure_min_samples=2,
                          reset=not warm)  # fmt: skip
        check_n_clusters(X.shape[0], self.n_components, "GaussianMixture", "components")
        rng = check_random_state(self.random_state)
        best = None
        for _ in range(1 if warm else self.n_init):
            start = self._parameters() if warm else self._initial_parameters(X, rng)
            run = self._em(X, start, self.lower_bound_ if warm else -np.inf)
            if best is None or run["lower_bound"] > best["lower_bound"]:
                best = run
        if not best["converged"] and self.max_iter > 0:
            warnings.warn(
                f"GaussianMixture did not converge in max_iter={self.max_iter} iterations: "
                f"the mean log-likelihood last changed by {best['change']:.3g} (tol="
                f"{self.tol:g}). Raise max_iter or tol, or try other initial parameters.",
                interop(ConvergenceWarning),
                stacklevel=2,
            )
        self._set_parameters(best["params"])
        self.converged_ = best["converged"]
        self.n_iter_ = best["n_iter"]
        self.lower_bound_ = best["lower_bound"]
        log_norm, log_resp = self._e_step(X, best["params"])
        self.history_ = np.append(best["history"], log_norm.mean())
        self.labels_ = log_resp.argmax(axis=1)
        return self

    def _em(self, X, params, lower_bound) -> dict[str, Any]:
        """EM iterations from ``params``: E-step, M-step, stop when ℓ changes < tol."""
        history: list[float] = []
        converged, change = False, np.inf
        for _ in range(self.max_iter):
            previous = lower_bound
            log_norm, log_resp = self._e_step(X, params)
            params = self._m_step(X, np.exp(log_resp))
            lower_bound = float(log_norm.mean())
            history.append(lower_bound)
            change = lower_bound - previous
            if abs(change) < self.tol:
                converged = True
                break
        if self.max_iter == 0:
            lower_bound = float(self._e_step(X, params)[0].mean())
        return {
            "params": params,
            "lower_bound": lower_bound,
            "converged": converged,
            "n_iter": len(history),
            "history": np.asarray(history),
            "change": change,
        }

    def _e_step(self, X, params) -> tuple[np.ndarray, np.ndarray]:
        weights, means, _, prec_chol = params
        weighted = weighted_log_prob(X, weights, means, prec_chol, self.covariance_type)
        log_norm = log_normaliser(weighted)
        weighted -= log_norm[:, None]
        return log_norm, weighted

    def _m_step(self, X, resp) -> tuple:
        nk, means, covariances = estimate_parameters(X, resp, self.reg_covar, self.covariance_type)
        weights = nk / nk.sum()
        return weights, means, covariances, precision_cholesky(covariances, self.covariance_type)

    def _initial_parameters(self, X, rng) -> tuple:
        """Parameters from ``init_params`` responsibilities, overridden by the *_init ones."""
        k = self.n_components
        user = self._user_parameters(X.shape[1], X.dtype)
        if all(value is not None for value in user):
            weights, means, precisions = user
            covariances, prec_chol = self._from_precisions(precisions)
            return weights, means, covariances, prec_chol
        resp = _INITIAL_RESPONSIBILITIES[self.init_params](X, k, rng)
        nk, means, covariances = estimate_parameters(X, resp, self.reg_covar,
                                                     self.covariance_type)  # fmt: skip
        weights = nk / X.shape[0]
        weights = weights if user[0] is None else user[0]
        means = means if user[1] is None else user[1]
        if user[2] is None:
            return (
                weights,
                means,
                covariances,
                precision_cholesky(covariances, self.covariance_type),
            )
        covariances, prec_chol = self._from_precisions(user[2])
        return weights, means, covariances, prec_chol

    def _from_precisions(self, precisions) -> tuple[np.ndarray, np.ndarray]:
        kind = self.covariance_type
        if kind in ("diag", "spherical"):
            return 1.0 / precisions, np.sqrt(precisions)
        if kind == "tied":
            chol = sla.cholesky(precisions, lower=True)
            return np.linalg.inv(precisions), chol
        chol = np.stack([sla.cholesky(p, lower=True) for p in precisions])
        return np.linalg.inv(precisions), chol

    def _user_parameters(self, d: int, dtype) -> tuple:
        """weights_init, means_init, precisions_init checked (None where not given)."""
        k, kind = self.n_components, self.covariance_type
        weights = means = precisions = None
        if self.weights_init is not None:
            weights = _checked(self.weights_init, "weights_init", (k,), dtype)
            if np.any(weights < 0) or np.any(weights > 1) or not np.isclose(weights.sum(), 1):
                raise DataValidationError(
                    f"weights_init must be k={k} probabilities that sum to 1; got sum "
                    f"{weights.sum():.6g} and range [{weights.min():.3g}, {weights.max():.3g}]."
                )
        if self.means_init is not None:
            means = _checked(self.means_init, "means_init", (k, d), dtype)
        if self.precisions_init is not None:
            shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
            precisions = _checked(self.precisions_init, "precisions_init", shapes[kind], dtype)
            _check_positive(precisions, kind)
        return weights, means, precisions

    def _parameters(self) -> tuple:
        return self.weights_, self.means_, self.covariances_, self.precisions_cholesky_

    def _set_parameters(self, params) -> None:
        params = [np.ascontiguousarray(p) for p in params]
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = params
        chol = self.precisions_cholesky_
        if self.covariance_type == "full":
            self.precisions_ = np.einsum("kij,klj->kil", chol, chol)
        elif self.covariance_type == "tied":
            self.precisions_ = chol @ chol.T
        else:
            self.precisions_ = chol**2

    # ------------------------------------------------------------------ using the model
    def _check_new(self, X: Any) -> np.ndarray:
        self._check_is_fitted()
        return validate_data(self, X, dtype=(np.float64, np.float32), reset=False)

    def _weighted(self, X: Any) -> np.ndarray:
        return weighted_log_prob(self._check_new(X), self.weights_, self.means_,
                                 self.precisions_cholesky_, self.covariance_type)  # fmt: skip

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density ``log p(x)`` of each row, shape (n_samples,)."""
        return log_normaliser(self._weighted(X))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood ℓ of X under the fitted mixture."""
        return float(self.score_samples(X).mean())

    def _criterion(self, X: Any, penalty_per_parameter: float | None) -> float:
        log_density = self.score_samples(X)
        n = log_density.shape[0]
        per_parameter = np.log(n) if penalty_per_parameter is None else penalty_per_parameter
        return float(-2.0 * log_density.sum() + self._n_parameters() * per_parameter)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each row (argmax of the responsibilities)."""
        return self._weighted(X).argmax(axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Responsibilities r_ik, shape (n_samples, n_components); rows sum to 1."""
        weighted = self._weighted(X)
        return np.exp(weighted - log_normaliser(weighted)[:, None])

    def _n_parameters(self) -> int:
        k, d = self.means_.shape
        covariance = _N_COVARIANCE_PARAMETERS[self.covariance_type](k, d)
        return int(covariance + k * d + k - 1)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion ``−2 n ℓ + p log n`` (lower is better)."""
        return self._criterion(X, None)

    def aic(self, X: Any) -> float:
        """Akaike information criterion ``−2 n ℓ + 2p`` (lower is better)."""
        return self._criterion(X, 2.0)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw rows from the fitted mixture (seeded by ``random_state``).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            Component of each row (rows are grouped by component).
        """
        self._check_is_fitted()
        if int(n_samples) < 1:
            raise DataValidationError(f"n_samples must be at least 1; got {n_samples}.")
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(int(n_samples), self.weights_)
        d = self.means_.shape[1]
        rows = []
        for k, count in enumerate(counts):
            z = rng.standard_normal((count, d))
            rows.append(self.means_[k] + self._scale(z, k))
        labels = np.repeat(np.arange(len(counts)), counts)
        return np.vstack(rows).astype(self.means_.dtype), labels

    def _scale(self, z: np.ndarray, k: int) -> np.ndarray:
        """``z Cᵀ`` with ``C Cᵀ = Σ_k``: standard normal rows → N(0, Σ_k)."""
        kind = self.covariance_type
        if kind == "full":
            return z @ sla.cholesky(self.covariances_[k], lower=True).T
        if kind == "tied":
            return z @ sla.cholesky(self.covariances_, lower=True).T
        return z * np.sqrt(self.covariances_[k])


# --------------------------------------------------------------- initial responsibilities
def _resp_kmeans(X, k, rng):
    labels = KMeans(k, n_init=1, random_state=rng).fit(X).labels_
    resp = np.zeros((X.shape[0], k), dtype=X.dtype)
    resp[np.arange(X.shape[0]), labels] = 1
    return resp


def _resp_plusplus(X, k, rng):
    indices = _plusplus_indices(np.ascontiguousarray(X), np.ones(X.shape[0]), k, rng)
    resp = np.zeros((X.shape[0], k), dtype=X.dtype)
    resp[indices, np.arange(k)] = 1
    return resp


def _resp_random(X, k, rng):
    resp = rng.uniform(size=(X.shape[0], k)).astype(X.dtype)
    return resp / resp.sum(axis=1, keepdims=True)


def _resp_from_data(X, k, rng):
    resp = np.zeros((X.shape[0], k), dtype=X.dtype)
    resp[rng.choice(X.shape[0], size=k, replace=False), np.arange(k)] = 1
    return resp


_INITIAL_RESPONSIBILITIES = {
    "kmeans": _resp_kmeans,
    "k-means++": _resp_plusplus,
    "random": _resp_random,
    "random_from_data": _resp_from_data,
}


def _checked(value, name, shape, dtype) -> np.ndarray:
    array = check_array(value, name=name, ensure_2d=False, dtype=dtype, copy=True)
    if array.shape != shape:
        raise DataValidationError(
            f"{name} has shape {array.shape}; GaussianMixture needs shape {shape} here."
        )
    return array


def _check_positive(precisions: np.ndarray, kind: str) -> None:
    """Precisions must be positive (diag, spherical) or symmetric positive definite."""
    if kind in ("diag", "spherical"):
        if np.any(precisions <= 0):
            raise DataValidationError(f"precisions_init ({kind}) must be positive.")
        return
    for matrix in precisions.reshape(-1, *precisions.shape[-2:]):
        if not np.allclose(matrix, matrix.T) or np.any(np.linalg.eigvalsh(matrix) <= 0):
            raise DataValidationError(
                f"precisions_init ({kind}) must hold symmetric positive-definite matrices."
            )
