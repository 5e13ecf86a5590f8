"""Principal component analysis and truncated SVD: the singular value decomposition of X.

PCA. Centre the data, ``X̃ = X − 1x̄ᵀ``, and take its thin SVD ``X̃ = U S Vᵀ``
(singular values s₁ ≥ s₂ ≥ … ≥ 0). The rows of Vᵀ are the principal axes: v₁
maximises the variance ``‖X̃v‖²/(n − 1)`` over unit vectors, v₂ does so orthogonally
to v₁, and so on; the variance along v_j is

    λ_j = s_j² / (n − 1),   explained_variance_ratio_j = λ_j / Σ_i Var(x_i),

the λ_j being the eigenvalues of the sample covariance ``C = X̃ᵀX̃ / (n − 1)``. Keeping
q axes, ``transform(x) = Vᵀ_q (x − x̄)`` (divided by √λ_j when whitening, so the
scores have unit variance) and ``inverse_transform(z) = V_q z + x̄`` (times √λ_j)
is the best rank-q reconstruction in squared error (Eckart–Young). Each axis is
signed so that its largest-magnitude coordinate is positive.

Solvers: "full" — LAPACK's SVD of X̃ (gesdd); "covariance_eigh" — the eigenvectors of
C, formed as ``XᵀX − n x̄x̄ᵀ`` without copying X (fast when n ≫ d; it squares the
condition number, so tiny variances lose digits); "randomized" — Halko, Martinsson &
Tropp's range finder: ``Y = X̃Ω`` for a Gaussian d × (q + p) matrix Ω, ``n_iter``
power iterations ``Y ← X̃(X̃ᵀY)`` (re-normalised by LU or QR), ``Q = orth(Y)``, then
the SVD of the small ``QᵀX̃``; "arpack" — SciPy's Lanczos ``svds``. "auto" picks
covariance_eigh when d ≤ 1000 and n ≥ 10 d, full when max(n, d) ≤ 500, randomized when
q < 0.8 min(n, d), else full (scikit-learn's rule). With q < min(n, d) the noise
variance σ² is the mean of the discarded λ_j (the probabilistic PCA estimate, Tipping
& Bishop 1999), giving the model covariance ``V_q (Λ_q − σ²I) V_qᵀ + σ²I`` used by
``score_samples``.

TruncatedSVD does the same without centring (suited to data whose mean is not
meaningful, e.g. term counts): ``X ≈ U_q S_q V_qᵀ``, ``transform(x) = V_qᵀ x``.

Reference: Jolliffe, *Principal Component Analysis*, 2nd ed. (2002), ch. 1–3;
Halko, Martinsson & Tropp, "Finding structure with randomness", SIAM Review 53 (2011);
Tipping & Bishop, "Probabilistic principal component analysis", JRSS B 61 (1999).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
from scipy.sparse.linalg import svds

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, Tags, TransformerMixin
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError
from lemma.models.decomposition._names import ClassNamePrefixFeaturesOutMixin
from lemma.validation import check_random_state, validate_data

__all__ = ["PCA", "TruncatedSVD", "randomized_svd"]


# ----------------------------------------------------------------------------- SVDs
def svd_flip(U: np.ndarray | None, Vt: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Sign each axis (row of Vt, column of U) so its largest-magnitude entry is positive."""
    biggest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), biggest])
    signs[signs == 0] = 1.0
    return (None if U is None else U * signs), Vt * signs[:, None]


def _orthonormal(Y: np.ndarray, how: str) -> np.ndarray:
    if how == "QR":
        return sla.qr(Y, mode="economic", overwrite_a=True, check_finite=False)[0]
    if how == "LU":
        return sla.lu(Y, permute_l=True, overwrite_a=True, check_finite=False)[0]
    return Y


def randomized_svd(
    M: np.ndarray,
    n_components: int,
    *,
    n_oversamples: int = 10,
    n_iter: int | str = "auto",
    power_iteration_normalizer: str = "auto",
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Approximate top singular triplets by a randomized range finder (Halko et al.).

    Parameters
    ----------
    M : ndarray of shape (n, d)
    n_components : int
    n_oversamples : int, default=10
        Extra random directions p (the sketch has q + p columns).
    n_iter : int or "auto", default="auto"
        Power iterations; "auto": 7 if q < 0.1 min(n, d), else 4.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
        Re-normalisation between power iterations ("auto": none up to 2, else LU).
    random_state : int, RandomState or None

    Returns
    -------
    U : ndarray of shape (n, n_components)
    S : ndarray of shape (n_components,)
    Vt : ndarray of shape (n_components, d)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.decomposition import randomized_svd
    >>> M = np.diag([5.0, 3.0, 1.0, 0.5])
    >>> randomized_svd(M, 2, random_state=0)[1].round(6)
    array([5., 3.])
    """
    rng = check_random_state(random_state)
    size = n_components + n_oversamples
    if n_iter == "auto":
        n_iter = 7 if n_components < 0.1 * min(M.shape) else 4
    how = power_iteration_normalizer
    if how == "auto":
        how = "none" if n_iter <= 2 else "LU"
    Q = M @ rng.normal(size=(M.shape[1], size)).astype(M.dtype, copy=False)
    for _ in range(n_iter):
        Q = M @ _orthonormal(M.T @ _orthonormal(Q, how), how)
    Q = sla.qr(Q, mode="economic", check_finite=False)[0]
    U_small, S, Vt = sla.svd(Q.T @ M, full_matrices=False, check_finite=False)
    return (Q @ U_small)[:, :n_components], S[:n_components], Vt[:n_components]


def _arpack(M: np.ndarray, n_components: int, tol: float, rng) -> tuple:
    start = rng.uniform(-1, 1, min(M.shape))
    U, S, Vt = svds(M, k=n_components, tol=tol, v0=start)
    order = np.argsort(S)[::-1]
    return U[:, order], S[order], Vt[order]


# ----------------------------------------------------------------------------- PCA solvers
def _full(X, mean, q, est):
    """SVD of the centred data; all min(n, d) axes."""
    centred = X - mean
    _, S, Vt = sla.svd(centred, full_matrices=False, check_finite=False)
    variance = S**2 / (X.shape[0] - 1)
    return S, Vt, variance, float(variance.sum())


def _covariance_eigh(X, mean, q, est):
    """Eigenvectors of ``C = (XᵀX − n x̄x̄ᵀ)/(n − 1)``, largest first; all d axes."""
    n = X.shape[0]
    C = X.T @ X
    C -= n * np.outer(mean, mean).astype(C.dtype, copy=False)
    C /= n - 1
    eigenvalues, eigenvectors = np.linalg.eigh(C)
    variance = np.maximum(eigenvalues[::-1], 0.0)
    S = np.sqrt(variance * (n - 1))
    return S, eigenvectors[:, ::-1].T, variance, float(variance.sum())


def _column_variance_total(X, mean) -> float:
    total = 0.0
    for start in range(0, X.shape[0], 65_536):
        part = X[start : start + 65_536] - mean
        total += float(np.einsum("ij,ij->", part, part))
    return total / (X.shape[0] - 1)


def _randomized(X, mean, q, est):
    centred = X - mean
    _, S, Vt = randomized_svd(
        centred, q, n_oversamples=est.n_oversamples, n_iter=est.iterated_power,
        power_iteration_normalizer=est.power_iteration_normalizer,
        random_state=est.random_state,
    )  # fmt: skip
    return S, Vt, S**2 / (X.shape[0] - 1), _column_variance_total(X, mean)


def _arpack_solver(X, mean, q, est):
    centred = X - mean
    _, S, Vt = _arpack(centred, q, est.tol, check_random_state(est.random_state))
    return S, Vt, S**2 / (X.shape[0] - 1), _column_variance_total(X, mean)


_SOLVERS = {
    "full": _full,
    "covariance_eigh": _covariance_eigh,
    "randomized": _randomized,
    "arpack": _arpack_solver,
}


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Principal component analysis by the SVD of the centred data.

    Parameters
    ----------
    n_components : int, float in (0, 1) or None, default=None
        Axes kept: a number; the fewest axes explaining more than this share of the
        variance; or all ``min(n, d)``.
    whiten : bool, default=False
        Scale the scores to unit variance (divide by √λ_j).
    svd_solver : {"auto", "full", "covariance_eigh", "randomized", "arpack"}
        See the module docstring.
    tol : float, default=0.0
        Tolerance of the arpack solver.
    iterated_power : int or "auto", default="auto"
        Power iterations of the randomized solver.
    n_oversamples : int, default=10
        Extra random directions of the randomized solver.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
    random_state : int, RandomState or None
        Seeds the randomized and arpack solvers.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes (rows), by decreasing variance.
    explained_variance_ : ndarray of shape (n_components_,)
        λ_j = s_j² / (n − 1).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
    singular_values_ : ndarray of shape (n_components_,)
    mean_ : ndarray of shape (n_features,)
    n_components_ : int
    n_samples_ : int
    noise_variance_ : float
        Mean of the discarded λ_j (0 when every axis is kept).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.decomposition import PCA
    >>> X = np.array([[-1.0, -1.0], [-2.0, -1.0], [-3.0, -2.0],
    ...               [1.0, 1.0], [2.0, 1.0], [3.0, 2.0]])
    >>> pca = PCA(n_components=2).fit(X)
    >>> pca.explained_variance_ratio_.round(4)
    array([0.9924, 0.0076])
    >>> pca.get_feature_names_out().tolist()
    ['pca0', 'pca1']
    """

    _parameter_constraints = {
        "n_components": [
            Interval(int, 0, None, closed="left"),
            Interval(float, 0, 1, closed="neither"),
            None,
        ],
        "whiten": [BOOL],
        "svd_solver": [Options({"auto", *_SOLVERS})],
        "tol": [Interval(float, 0, None, closed="left")],
        "iterated_power": [Interval(int, 0, None, closed="left"), Options({"auto"})],
        "n_oversamples": [Interval(int, 1, None, closed="left")],
        "power_iteration_normalizer": [Options({"auto", "QR", "LU", "none"})],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        n_components: int | float | None = None,
        *,
        whiten: bool = False,
        svd_solver: str = "auto",
        tol: float = 0.0,
        iterated_power: int | str = "auto",
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        random_state: Any = None,
    ):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.tol = tol
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _solver(self, n: int, d: int, q: int | float) -> str:
        """scikit-learn's "auto" rule (module docstring)."""
        if self.svd_solver != "auto":
            return self.svd_solver
        if d <= 1000 and n >= 10 * d:
            return "covariance_eigh"
        if max(n, d) <= 500:
            return "full"
        if isinstance(q, int) and 1 <= q < 0.8 * min(n, d):
            return "randomized"
        return "full"

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Find the principal axes of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y)
        self._validate_params()
        X = validate_data(self, X, dtype=(np.float64, np.float32), ensure_min_samples=2)
        n, d = X.shape
        rank = min(n, d)
        q = rank if self.n_components is None else self.n_components
        solver = self._solver(n, d, q)
        truncated = solver in ("randomized", "arpack")
        _check_n_components(q, rank, solver, X.shape)
        mean = X.mean(axis=0)
        S, Vt, variance, total = _SOLVERS[solver](X, mean, q, self)
        _, Vt = svd_flip(None, Vt)
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        if isinstance(q, float):
            q = min(int(np.searchsorted(np.cumsum(ratio), q, side="right") + 1), rank)
        if q >= rank:
            self.noise_variance_ = 0.0
        elif truncated:  # only q variances are known: spread the rest evenly
            self.noise_variance_ = float((total - variance.sum()) / (rank - q))
        else:
            self.noise_variance_ = float(variance[q:].mean())
        self.mean_ = mean
        self.n_samples_ = n
        self.n_components_ = int(q)
        self.components_ = np.ascontiguousarray(Vt[:q])
        self.explained_variance_ = variance[:q].copy()
        self.explained_variance_ratio_ = ratio[:q].copy()
        self.singular_values_ = S[:q].copy()
        self._n_features_out = self.n_components_
        return self

    def _scale(self) -> np.ndarray:
        scale = np.sqrt(self.explained_variance_)
        return np.maximum(scale, np.finfo(scale.dtype).eps)

    def transform(self, X: Any) -> Any:
        """Scores ``Vᵀ_q (x − x̄)`` (÷ √λ_j when whitening), shape (n_samples, n_components_)."""
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        self._check_is_fitted()
        Xa = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        scores = Xa @ self.components_.T  # (x − x̄)ᵀV = xᵀV − x̄ᵀV: no centred copy of X
        scores -= self.mean_ @ self.components_.T
        if self.whiten:
            scores /= self._scale()
        return self._wrap_output(scores, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to the input space: ``V_q z + x̄`` (z × √λ_j first when whitening)."""
        self._check_is_fitted()
        Z = np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X, dtype=self.mean_.dtype)
        if Z.ndim != 2 or Z.shape[1] != self.n_components_:
            raise DataValidationError(
                f"inverse_transform needs scores of shape (n, {self.n_components_}); got "
                f"shape {Z.shape}."
            )
        if self.whiten:
            Z = Z * self._scale()
        return Z @ self.components_ + self.mean_

    def get_covariance(self) -> np.ndarray:
        """Model covariance ``V_q (Λ_q − σ²I) V_qᵀ + σ²I`` (the sample covariance if q = d).

        Whitening changes the scores, not the model: the covariance is the same.
        """
        self._check_is_fitted()
        excess = np.maximum(self.explained_variance_ - self.noise_variance_, 0.0)
        covariance = (self.components_.T * excess) @ self.components_
        covariance.flat[:: covariance.shape[0] + 1] += self.noise_variance_
        return covariance

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of each row under the Gaussian N(x̄, get_covariance())."""
        self._check_is_fitted()
        Xa = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        centred = Xa - self.mean_
        factor = sla.cholesky(self.get_covariance(), lower=True)
        solved = sla.solve_triangular(factor, centred.T, lower=True, check_finite=False)
        log_det = 2.0 * np.log(np.diag(factor)).sum()
        d = Xa.shape[1]
        return -0.5 * ((solved**2).sum(axis=0) + log_det + d * np.log(2 * np.pi))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-density of the rows of X (see :meth:`score_samples`)."""
        return float(np.mean(self.score_samples(X)))


def _check_n_components(q: int | float, rank: int, solver: str, shape: tuple) -> None:
    """Integers in [0, min(n, d)] ([1, min(n, d) − 1] for arpack); fractions: full solvers."""
    if isinstance(q, float):
        if solver in ("randomized", "arpack"):
            raise DataValidationError(
                f"n_components={q} (a share of variance) needs svd_solver 'full' or "
                f"'covariance_eigh', not {solver!r}; pass a number of components instead."
            )
        return
    low = 1 if solver in ("randomized", "arpack") else 0
    high = rank - 1 if solver == "arpack" else rank
    if not low <= q <= high:
        raise DataValidationError(
            f"n_components={q} must be between {low} and {high} with svd_solver={solver!r} "
            f"(X has shape {shape}, so min(n_samples, n_features)={rank})."
        )


class TruncatedSVD(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Rank-q SVD ``X ≈ U_q S_q V_qᵀ`` without centring (latent semantic analysis).

    Parameters
    ----------
    n_components : int, default=2
    algorithm : {"randomized", "arpack"}, default="randomized"
        Halko et al.'s range finder, or SciPy's Lanczos ``svds`` (exact to ``tol``;
        needs n_components < min(n, d)).
    n_iter : int, default=5
        Power iterations of the randomized algorithm.
    n_oversamples : int, default=10
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
    random_state : int, RandomState or None
    tol : float, default=0.0
        Tolerance of arpack (0: machine precision).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    singular_values_ : ndarray of shape (n_components,)
    explained_variance_ : ndarray of shape (n_components,)
        Variance of each column of ``transform(X)``.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Over the total variance of the columns of X.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.decomposition import TruncatedSVD
    >>> X = np.array([[3.0, 0.0, 1.0], [0.0, 2.0, 0.0], [3.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    >>> svd = TruncatedSVD(n_components=2, algorithm="arpack", random_state=0).fit(X)
    >>> svd.singular_values_.round(4)
    array([4.4721, 2.8284])
    """

    _parameter_constraints = {
        "n_components": [Interval(int, 1, None, closed="left")],
        "algorithm": [Options({"randomized", "arpack"})],
        "n_iter": [Interval(int, 0, None, closed="left")],
        "n_oversamples": [Interval(int, 1, None, closed="left")],
        "power_iteration_normalizer": [Options({"auto", "QR", "LU", "none"})],
        "random_state": [RANDOM_STATE],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components: int = 2,
        *,
        algorithm: str = "randomized",
        n_iter: int = 5,
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        random_state: Any = None,
        tol: float = 0.0,
    ):
        self.n_components = n_components
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state
        self.tol = tol

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def fit(self, X: Any, y: Any = None) -> TruncatedSVD:
        """Fit on X (see :meth:`fit_transform`)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """Fit and return ``U_q S_q``, the coordinates of the rows on the q axes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        self._validate_params()
        Xa = validate_data(self, X, dtype=(np.float64, np.float32))
        q, rank = self.n_components, min(Xa.shape)
        limit = rank - 1 if self.algorithm == "arpack" else Xa.shape[1]
        if q > limit:
            raise DataValidationError(
                f"n_components={q} must be at most {limit} with algorithm="
                f"{self.algorithm!r} (X has shape {Xa.shape})."
            )
        if self.algorithm == "arpack":
            U, S, Vt = _arpack(Xa, q, self.tol, check_random_state(self.random_state))
        else:
            U, S, Vt = randomized_svd(
                Xa, q, n_oversamples=self.n_oversamples, n_iter=self.n_iter,
                power_iteration_normalizer=self.power_iteration_normalizer,
                random_state=self.random_state,
            )  # fmt: skip
        U, Vt = svd_flip(U, Vt)
        scores = U * S
        self.components_ = np.ascontiguousarray(Vt)
        self.singular_values_ = S
        self.explained_variance_ = np.var(scores, axis=0)
        self.explained_variance_ratio_ = self.explained_variance_ / np.var(Xa, axis=0).sum()
        self._n_features_out = q
        return self._wrap_output(scores.astype(Xa.dtype, copy=False), X)

    def transform(self, X: Any) -> Any:
        """Coordinates ``X V_q`` of new rows, shape (n_samples, n_components)."""
        self._check_is_fitted()
        Xa = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self._wrap_output(Xa @ self.components_.T, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to the input space: ``Z V_qᵀ``."""
        self._check_is_fitted()
        Z = np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X)
        if Z.ndim != 2 or Z.shape[1] != self.components_.shape[0]:
            raise DataValidationError(
                f"inverse_transform needs coordinates of shape (n, "
                f"{self.components_.shape[0]}); got shape {Z.shape}."
            )
        return Z @ self.components_
