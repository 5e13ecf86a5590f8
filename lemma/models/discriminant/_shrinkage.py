"""Covariance estimates for discriminant analysis: empirical, shrunk, Ledoit–Wolf.

Empirical (maximum-likelihood) covariance of rows ``xᵢ`` with mean ``x̄``::

    S = (1/n) Σᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ.

Shrinkage towards a multiple of the identity, ``μ = tr(S)/p``, ``0 ≤ γ ≤ 1``::

    S_γ = (1 − γ) S + γ μ I.

Ledoit–Wolf choose γ to minimise the expected Frobenius loss. With centred rows::

    δ² = ‖S − μI‖²_F / p,
    β̄² = (1/(n² p)) Σᵢ ‖xᵢxᵢᵀ − S‖²_F = (Σᵢ ‖xᵢ‖⁴ / n − ‖S‖²_F) / (n p),
    γ = min(β̄², δ²) / δ²   (0 when δ² = 0).

For discriminant analysis (``shrinkage="auto"``) the features are first scaled to unit
variance, the Ledoit–Wolf estimate is computed on the scaled data and scaled back,
as scikit-learn does: ``Σ = D S_γ(Z) D`` with ``Z = (X − x̄) D⁻¹``, ``D = diag(σ)``.

Reference: Ledoit & Wolf, "A well-conditioned estimator for large-dimensional
covariance matrices", *Journal of Multivariate Analysis* 88, 2004, 365–411.
"""

from __future__ import annotations

import numpy as np

__all__ = ["covariance", "empirical_covariance", "ledoit_wolf", "shrunk_covariance"]


def empirical_covariance(X: np.ndarray) -> np.ndarray:
    """``S = (1/n) Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ``, shape (n_features, n_features).

    Examples
    --------
    >>> import numpy as np
    >>> empirical_covariance(np.array([[0.0, 1.0], [2.0, 1.0]])).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    centred = X - X.mean(axis=0)
    return centred.T @ centred / X.shape[0]


def shrunk_covariance(S: np.ndarray, shrinkage: float) -> np.ndarray:
    """``(1 − γ) S + γ (tr S / p) I``.

    Examples
    --------
    >>> import numpy as np
    >>> shrunk_covariance(np.array([[2.0, 1.0], [1.0, 4.0]]), 0.5).tolist()
    [[2.5, 0.5], [0.5, 3.5]]
    """
    p = S.shape[0]
    out = (1.0 - shrinkage) * S
    out[np.diag_indices(p)] += shrinkage * np.trace(S) / p
    return out


def ledoit_wolf(X: np.ndarray) -> tuple[np.ndarray, float]:
    """Ledoit–Wolf shrunk covariance and its shrinkage γ (module docstring).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows (centred here).

    Returns
    -------
    covariance : ndarray of shape (n_features, n_features)
    shrinkage : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((10, 4))
    >>> _, gamma = ledoit_wolf(X)
    >>> 0.0 <= gamma <= 1.0
    True
    """
    n, p = X.shape
    centred = X - X.mean(axis=0)
    S = centred.T @ centred / n
    mu = np.trace(S) / p
    S_norm2 = float(np.sum(S * S))
    fourth = float(np.sum(np.einsum("ij,ij->i", centred, centred) ** 2))
    beta = (fourth / n - S_norm2) / (n * p)
    delta = (S_norm2 - 2.0 * mu * np.trace(S) + p * mu * mu) / p
    gamma = 0.0 if delta <= 0.0 else min(beta, delta) / delta
    gamma = max(gamma, 0.0)
    return shrunk_covariance(S, gamma), float(gamma)


def covariance(X: np.ndarray, shrinkage: str | float | None) -> np.ndarray:
    """Covariance of the rows of X: empirical (None), Ledoit–Wolf on standardised
    features ("auto") or shrunk by a fixed γ (a float).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [2.0, 1.0], [4.0, 5.0]])
    >>> covariance(X, 1.0).round(4).tolist()  # γ = 1: the mean variance on the diagonal
    [[3.6667, 0.0], [0.0, 3.6667]]
    """
    if shrinkage is None:
        return empirical_covariance(X)
    if isinstance(shrinkage, str):
        scale = X.std(axis=0)
        scale[scale == 0.0] = 1.0
        shrunk, _ = ledoit_wolf((X - X.mean(axis=0)) / scale)
        return scale[:, None] * shrunk * scale[None, :]
    return shrunk_covariance(empirical_covariance(X), float(shrinkage))
