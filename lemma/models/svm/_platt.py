"""Probabilities from SVM decision values: Platt scaling and pairwise coupling.

Platt scaling fits a sigmoid to decision values ``fᵢ`` of rows not used to train the
SVM (libsvm: 5-fold cross-validation), by maximum likelihood with regularised
targets (``N₊``, ``N₋`` the class counts)::

    P(y = +1 | f) = 1 / (1 + exp(A f + B)),
    tᵢ = (N₊ + 1)/(N₊ + 2) if yᵢ = +1 else 1/(N₋ + 2),
    minimise over (A, B)   −Σᵢ [tᵢ log pᵢ + (1 − tᵢ) log(1 − pᵢ)],

by Newton's method with a backtracking line search, the loss written so that no
exponential overflows (Lin, Lin & Weng 2007).

Pairwise coupling (K ≥ 3 classes, Wu, Lin & Weng 2004, method 2). From the pairwise
estimates ``rᵢⱼ ≈ P(y = i | y ∈ {i, j}, x)`` find p on the simplex minimising
``Σᵢ Σ_{j≠i} (rⱼᵢ pᵢ − rᵢⱼ pⱼ)²``: with ``Qₜₜ = Σ_{j≠t} rⱼₜ²``, ``Qₜⱼ = −rⱼₜ rₜⱼ``, the
optimality condition ``Qp = (pᵀQp) 1`` is solved by the fixed-point sweeps
``pₜ ← pₜ + (pᵀQp − (Qp)ₜ)/Qₜₜ`` followed by renormalisation.

Reference: Platt, "Probabilistic outputs for support vector machines", 1999; Lin,
Lin & Weng, "A note on Platt's probabilistic outputs for support vector machines",
Machine Learning 68, 2007; Wu, Lin & Weng, "Probability estimates for multi-class
classification by pairwise coupling", JMLR 5, 2004.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["MIN_PROB", "couple", "sigmoid_predict", "sigmoid_train"]

#: Pairwise probabilities are kept in [MIN_PROB, 1 − MIN_PROB] (libsvm's bound).
MIN_PROB = 1e-7


def _platt_loss(f: np.ndarray, t: np.ndarray, A: float, B: float) -> float:
    z = f * A + B
    return float(np.sum(np.where(z >= 0, t * z, (t - 1.0) * z) + np.log1p(np.exp(-np.abs(z)))))


def sigmoid_train(f: np.ndarray, positive: np.ndarray, max_iter: int = 100) -> tuple[float, float]:
    """Fit ``P(+1 | f) = 1/(1 + exp(A f + B))`` to decision values (module docstring).

    Parameters
    ----------
    f : ndarray of shape (n,)
        Decision values of held-out rows.
    positive : ndarray of bool, shape (n,)
        Whether each row is of the positive class.
    max_iter : int, default=100
        Newton iterations.

    Returns
    -------
    A, B : float

    Examples
    --------
    >>> import numpy as np
    >>> f = np.array([-2.0, -1.0, -0.5, 0.3, 1.0, 2.5])
    >>> A, B = sigmoid_train(f, f > 0)
    >>> A < 0
    True
    """
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    t = np.where(positive, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    A, B = 0.0, float(np.log((n_neg + 1.0) / (n_pos + 1.0)))
    value = _platt_loss(f, t, A, B)
    for _ in range(max_iter):
        z = f * A + B
        p = expit(-z)
        q = 1.0 - p
        d2 = p * q
        h11 = 1e-12 + np.sum(f * f * d2)
        h22 = 1e-12 + np.sum(d2)
        h21 = np.sum(f * d2)
        d1 = t - p
        g1 = np.sum(f * d1)
        g2 = np.sum(d1)
        if abs(g1) < 1e-5 and abs(g2) < 1e-5:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        slope = g1 * dA + g2 * dB
        step = 1.0
        while step >= 1e-10:
            new = _platt_loss(f, t, A + step * dA, B + step * dB)
            if new < value + 1e-4 * step * slope:
                A, B, value = A + step * dA, B + step * dB, new
                break
            step /= 2.0
        if step < 1e-10:
            break
    return float(A), float(B)


def sigmoid_predict(f: np.ndarray, A: float, B: float) -> np.ndarray:
    """``1 / (1 + exp(A f + B))`` without overflow, clipped to [MIN_PROB, 1 − MIN_PROB]."""
    return np.clip(expit(-(f * A + B)), MIN_PROB, 1.0 - MIN_PROB)


def couple(r: np.ndarray) -> np.ndarray:
    """Class probabilities from pairwise ones (module docstring).

    Parameters
    ----------
    r : ndarray of shape (n_samples, K, K)
        ``r[:, i, j] ≈ P(i | i or j)``, with ``r[:, j, i] = 1 − r[:, i, j]``.

    Returns
    -------
    ndarray of shape (n_samples, K)
        Rows on the probability simplex.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([0.5, 0.3, 0.2])
    >>> r = (p[:, None] / (p[:, None] + p[None, :]))[None]
    >>> couple(r).round(4).tolist()
    [[0.5, 0.3, 0.2]]
    """
    n, K, _ = r.shape
    off = ~np.eye(K, dtype=bool)
    Q = -r.transpose(0, 2, 1) * r
    Q[:, np.arange(K), np.arange(K)] = np.sum(np.where(off, r, 0.0) ** 2, axis=1)
    p = np.full((n, K), 1.0 / K)
    eps = 0.005 / K
    active = np.ones(n, dtype=bool)
    for _ in range(max(100, K)):
        Qp = np.einsum("ntj,nj->nt", Q, p)
        pQp = np.einsum("nt,nt->n", p, Qp)
        active &= np.max(np.abs(Qp - pQp[:, None]), axis=1) >= eps
        if not active.any():
            break
        for t in range(K):
            diff = np.where(active, (pQp - Qp[:, t]) / Q[:, t, t], 0.0)
            p[:, t] += diff
            pQp = (pQp + diff * (diff * Q[:, t, t] + 2.0 * Qp[:, t])) / (1.0 + diff) ** 2
            Qp = (Qp + diff[:, None] * Q[:, t, :]) / (1.0 + diff)[:, None]
            p /= (1.0 + diff)[:, None]
    return p
