"""PCA on Dask collections: the SVD of the centred data from a tall-skinny QR.

With the column means x̄ from a first pass, the centred data ``X̃ = X − 1x̄ᵀ`` are
factorised by TSQR (each partition's R, combined up a tree:
:func:`lemma.distributed.linear.tsqr`), ``X̃ = QR``, and the d × d factor's SVD
``R = U_R S Vᵀ`` gives ``X̃ = (QU_R) S Vᵀ``: the singular values and principal axes
of the whole data, exactly, from d² numbers per partition. The variances are
``λ_j = s_j²/(n − 1)`` and the rest is the in-memory PCA (sign convention, variance
ratio, n_components as a share of variance, noise variance).

``svd_solver="covariance_eigh"`` instead sums each partition's centred Gram matrix
``(X_b − 1x̄ᵀ)ᵀ(X_b − 1x̄ᵀ)`` (no ``XᵀX − n x̄x̄ᵀ`` cancellation) and takes its
eigenvectors. The randomised and ARPACK solvers approximate this exact SVD, so on
Dask data they use it.

Reference: Demmel, Grigori, Hoemmen & Langou, "Communication-optimal parallel and
sequential QR and LU factorizations", SIAM J. Sci. Comput. 34 (2012); Jolliffe,
*Principal Component Analysis*, 2nd ed., 2002, ch. 1–3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.distributed._collections import row_blocks
from lemma.distributed.linear import _triangle, record_features, tsqr
from lemma.exceptions import DataValidationError
from lemma.linalg import weighted_gram
from lemma.models.decomposition.pca import _check_n_components, svd_flip
from lemma.validation import check_array

__all__ = ["fit_pca"]


def _block(Xb: Any) -> np.ndarray:
    return np.asarray(check_array(Xb, estimator_name="PCA", ensure_min_samples=0,
                                  dtype=(np.float64, np.float32)), dtype=np.float64)  # fmt: skip


def _sum_block(Xb, yb, wb):
    X = _block(Xb)
    return X.shape[0], X.sum(axis=0)


def _add(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def _centred_triangle(Xb, yb, wb, mean):
    return _triangle(_block(Xb) - mean)


def _centred_gram(Xb, yb, wb, mean):
    return weighted_gram(_block(Xb), center=mean)[0]


def _svd(blocks, mean, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Singular values and axes of the centred data (all min(n, d)), and the variances."""
    R = tsqr(blocks.map(_centred_triangle, mean))
    _, S, Vt = np.linalg.svd(R)
    rank = min(n, d)
    S, Vt = S[:rank], Vt[:rank]
    return S, Vt, S**2 / (n - 1)


def _eigh(blocks, mean, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvectors of the covariance ``Σ_b X̃_bᵀX̃_b / (n − 1)``, largest first."""
    from lemma.distributed._collections import compute, tree_reduce

    gram = compute(tree_reduce(blocks.map(_centred_gram, mean), lambda a, b: a + b))
    eigenvalues, eigenvectors = np.linalg.eigh(gram / (n - 1))
    variance = np.maximum(eigenvalues[::-1], 0.0)
    return np.sqrt(variance * (n - 1)), eigenvectors[:, ::-1].T, variance


def fit_pca(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`PCA.fit` on a Dask collection (module docstring)."""
    model._validate_params()
    blocks = row_blocks(X, owner="PCA")
    n, sums = blocks.reduce(_sum_block, _add)
    if n < 2:
        raise DataValidationError(
            f"X has {n} sample(s) while a minimum of 2 is required by PCA; pass more rows."
        )
    record_features(model, blocks)
    d = blocks.n_features
    rank = min(n, d)
    q = rank if model.n_components is None else model.n_components
    solver = model._solver(n, d, q)
    _check_n_components(q, rank, solver, (n, d))
    mean = sums / n
    S, Vt, variance = (_eigh if solver == "covariance_eigh" else _svd)(blocks, mean, n, d)
    total = float(variance.sum())
    _, Vt = svd_flip(None, Vt)
    ratio = variance / total if total > 0 else np.zeros_like(variance)
    if isinstance(q, float):
        q = min(int(np.searchsorted(np.cumsum(ratio), q, side="right") + 1), rank)
    model.noise_variance_ = float(variance[q:].mean()) if q < rank else 0.0
    dtype = blocks.dtype if blocks.dtype == np.float32 else np.dtype(np.float64)
    model.mean_ = mean.astype(dtype)
    model.n_samples_ = n
    model.n_components_ = int(q)
    model.components_ = np.ascontiguousarray(Vt[:q], dtype=dtype)
    model.explained_variance_ = variance[:q].astype(dtype)
    model.explained_variance_ratio_ = ratio[:q].astype(dtype)
    model.singular_values_ = S[:q].astype(dtype)
    model._n_features_out = model.n_components_
    return model
