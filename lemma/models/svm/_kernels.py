"""Kernels of the support vector machine: inner products in a feature space.

A kernel ``K(x, x') = ⟨φ(x), φ(x')⟩`` lets the SVM separate the rows linearly in the
space of φ without computing φ. With ``⟨x, x'⟩`` the dot product, γ > 0, c₀ and an
integer degree p::

    linear     K(x, x') = ⟨x, x'⟩
    poly       K(x, x') = (γ⟨x, x'⟩ + c₀)^p
    rbf        K(x, x') = exp(−γ‖x − x'‖²),     ‖x − x'‖² = ‖x‖² + ‖x'‖² − 2⟨x, x'⟩
    sigmoid    K(x, x') = tanh(γ⟨x, x'⟩ + c₀)    (not positive semi-definite for every γ, c₀)

``gamma="scale"`` is ``1 / (n_features · Var(X))`` (the variance of all entries of X),
``"auto"`` is ``1 / n_features`` (scikit-learn's conventions).

Every kernel is a function of the dot product (and, for the RBF, of the squared
norms), so a block of kernel values is one matrix product followed by an elementwise
map: :func:`kernel_matrix` for prediction, :func:`kernel_row` (Numba) for the rows the
SMO solver asks for.

Reference: Schölkopf & Smola, *Learning with Kernels*, MIT Press, 2002, ch. 2;
Chang & Lin, "LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011, §2.
"""

from __future__ import annotations

import numba
import numpy as np

from lemma.exceptions import ParameterError

__all__ = ["KERNELS", "kernel_matrix", "kernel_row", "resolve_gamma"]

#: Kernel name -> code used inside the Numba kernels.
KERNELS: dict[str, int] = {"linear": 0, "poly": 1, "rbf": 2, "sigmoid": 3}

#: Reassociation lets LLVM vectorise the dot products (as BLAS does).
_SUMS = {"reassoc", "contract"}


def resolve_gamma(gamma: str | float, X: np.ndarray) -> float:
    """γ as a number: "scale" → ``1/(d · Var(X))``, "auto" → ``1/d``, else as given.

    Examples
    --------
    >>> import numpy as np
    >>> resolve_gamma("auto", np.zeros((3, 4))), resolve_gamma("scale", np.eye(2))
    (0.25, 2.0)
    """
    if isinstance(gamma, str):
        d = X.shape[1]
        if gamma == "auto":
            return 1.0 / d
        variance = float(X.var())
        return 1.0 / (d * variance) if variance > 0.0 else 1.0
    if gamma <= 0:
        raise ParameterError(f"gamma must be > 0 (or 'scale' / 'auto'); got {gamma!r}.")
    return float(gamma)


@numba.njit(cache=True, inline="always")
def _apply(kind, dot, sq_a, sq_b, gamma, coef0, degree):
    """The kernel value from ⟨a, b⟩ (and ‖a‖², ‖b‖² for the RBF)."""
    if kind == 0:
        return dot
    if kind == 1:
        return (gamma * dot + coef0) ** degree
    if kind == 2:
        return np.exp(-gamma * max(sq_a + sq_b - 2.0 * dot, 0.0))
    return np.tanh(gamma * dot + coef0)


@numba.njit(cache=True, fastmath=_SUMS)
def _dot(X, i, j):
    total = 0.0
    for f in range(X.shape[1]):
        total += X[i, f] * X[j, f]
    return total


@numba.njit(cache=True)
def kernel_row(X, sq, i, kind, gamma, coef0, degree, out):
    """``out[j] = K(xᵢ, xⱼ)`` for every row j of X (sq: the squared row norms)."""
    for j in range(X.shape[0]):
        out[j] = _apply(kind, _dot(X, i, j), sq[i], sq[j], gamma, coef0, degree)


@numba.njit(cache=True)
def _map(G, sq_a, sq_b, kind, gamma, coef0, degree):
    for r in range(G.shape[0]):
        for c in range(G.shape[1]):
            G[r, c] = _apply(kind, G[r, c], sq_a[r], sq_b[c], gamma, coef0, degree)


def kernel_matrix(
    A: np.ndarray, B: np.ndarray, kernel: str, gamma: float, coef0: float, degree: int
) -> np.ndarray:
    """``K(aᵢ, bⱼ)`` for every row of A and of B, shape (n_A, n_B).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_matrix(A, A, "rbf", 1.0, 0.0, 3).round(4).tolist()
    [[1.0, 0.3679], [0.3679, 1.0]]
    """
    G = np.ascontiguousarray(A @ B.T, dtype=np.float64)
    sq_a = np.einsum("ij,ij->i", A, A)
    sq_b = np.einsum("ij,ij->i", B, B)
    _map(G, sq_a, sq_b, KERNELS[kernel], float(gamma), float(coef0), int(degree))
    return G
