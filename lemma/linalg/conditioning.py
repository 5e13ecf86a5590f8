"""Conditioning of a design matrix, and sums of squares computed without a full copy.

The condition number ``κ(X) = s_max / s_min`` (ratio of extreme singular values)
bounds how much relative error in the data or rounding can grow in a least-squares
solution: roughly ``log10 κ`` of the 16 float64 digits are at risk. Scaling the
columns to unit norm first (``κ(X D⁻¹)``) removes the part of κ that is only
units, which is what the numerical method actually sees.

Examples
--------
>>> import numpy as np
>>> from lemma.linalg import condition_number
>>> X = np.array([[1.0, 1000.0], [1.0, 2000.0], [1.0, 3000.0]])
>>> round(condition_number(X, scale=False))
5715
>>> round(condition_number(X), 1)
5.1
"""

from __future__ import annotations

import numpy as np

__all__ = ["condition_number", "weighted_gram"]


def condition_number(X: np.ndarray, *, scale: bool = True) -> float:
    """Ratio of the largest to the smallest singular value of X.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    scale : bool, default=True
        Scale each column to unit 2-norm first (the conditioning the solver sees).

    Returns
    -------
    float
        ``inf`` when X is rank deficient.
    """
    A = np.asarray(X, dtype=np.float64)
    if scale:
        norms = np.linalg.norm(A, axis=0)
        A = A / np.where(norms > 0, norms, 1.0)
    s = np.linalg.svd(A, compute_uv=False)
    if s.size == 0 or s[-1] == 0:
        return float("inf")
    return float(s[0] / s[-1])


def weighted_gram(
    X: np.ndarray,
    y: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    *,
    center: np.ndarray | None = None,
    chunk_rows: int = 65536,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(X−c)ᵀ W (X−c)`` and ``(X−c)ᵀ W y`` accumulated over row blocks.

    Centering row blocks one at a time gives the centred Gram matrix exactly
    (no ``XᵀX − n·x̄x̄ᵀ`` cancellation) while holding only one block, not a copy
    of X.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,) or (n, k), optional
    sample_weight : ndarray of shape (n,), optional
    center : ndarray of shape (p,), optional
        Subtracted from every row (usually the weighted column means).
    chunk_rows : int
        Rows per block.

    Returns
    -------
    gram : ndarray of shape (p, p)
    xty : ndarray of shape (p,) or (p, k), or None
    """
    n, p = X.shape
    gram = np.zeros((p, p), dtype=X.dtype)
    xty = None if y is None else np.zeros((p, *y.shape[1:]), dtype=np.result_type(X, y))
    for start in range(0, n, chunk_rows):
        block = X[start : start + chunk_rows]
        if center is not None:
            block = block - center
        if sample_weight is not None:
            wb = block * sample_weight[start : start + chunk_rows, None]
        else:
            wb = block
        gram += wb.T @ block
        if y is not None:
            xty += wb.T @ y[start : start + chunk_rows]
    return gram, xty
