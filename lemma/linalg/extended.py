"""Householder QR in extended precision (NumPy ``longdouble``).

LAPACK works in float32/float64 only. For small, badly conditioned least-squares
problems whose data are known to more than 16 digits (the NIST StRD files are
exact decimals), lemma factorises in ``np.longdouble`` instead: on x86-64 Linux an
80-bit float with a 64-bit mantissa, unit round-off 5.4e-20, three more digits
than float64. (On platforms where ``longdouble`` is float64 this gains nothing;
:func:`extended_precision_digits` says which.)

For ``A`` of shape (n, p) the Householder reflector for column ``k`` is
``H_k = I - 2 v vᵀ / (vᵀ v)`` with ``v = a - α e_1``, ``α = -sign(a_1)‖a‖``;
``Q = H_1 ⋯ H_p`` and ``R`` is what remains of ``A`` (Golub & Van Loan,
*Matrix Computations*, 4th ed., §5.1-5.2). The loop is over columns, vectorised
over rows, so the cost is O(n p²) NumPy operations - fine for p in the tens.

Examples
--------
>>> import numpy as np
>>> from lemma.linalg.extended import householder_qr
>>> A = np.array([[3.0, 1.0], [4.0, 2.0]], dtype=np.longdouble)
>>> R, apply_qt, apply_q = householder_qr(A)
>>> [round(float(v), 6) for v in np.abs(np.diag(R))]
[5.0, 0.4]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["extended_precision_digits", "householder_qr", "solve_lower", "solve_upper"]


def extended_precision_digits() -> float:
    """Decimal digits carried by ``np.longdouble`` on this platform."""
    return float(-np.log10(np.finfo(np.longdouble).eps))


def householder_qr(
    A: np.ndarray,
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """Factor ``A = Q R`` by Householder reflections, in ``A``'s dtype.

    Parameters
    ----------
    A : ndarray of shape (n, p), n >= p

    Returns
    -------
    R : ndarray of shape (p, p)
        Upper-triangular factor.
    apply_qt, apply_q : callable
        ``apply_qt(b)`` returns ``Qᵀ b`` and ``apply_q(b)`` returns ``Q b`` for ``b`` of
        shape (n,) or (n, k) (Q is n × n, never formed).
    """
    A = np.array(A, copy=True)
    p = A.shape[1]
    reflectors: list[tuple[np.ndarray, np.ndarray] | None] = []
    for k in range(p):
        x = A[k:, k]
        norm = np.sqrt(np.dot(x, x))
        if norm == 0:
            reflectors.append(None)
            continue
        alpha = -norm if x[0] >= 0 else norm
        v = x.copy()
        v[0] -= alpha
        beta = 2 / np.dot(v, v)
        A[k:, k:] -= np.outer(v, beta * (v @ A[k:, k:]))
        reflectors.append((v, beta))

    def reflect(b: np.ndarray, order: range) -> np.ndarray:
        out = np.array(b, dtype=A.dtype, copy=True)
        for k in order:
            if reflectors[k] is None:
                continue
            v, beta = reflectors[k]
            out[k:] -= np.multiply.outer(v, beta * (v @ out[k:]))
        return out

    def apply_qt(b: np.ndarray) -> np.ndarray:
        return reflect(b, range(p))

    def apply_q(b: np.ndarray) -> np.ndarray:
        return reflect(b, range(p - 1, -1, -1))

    return np.triu(A[:p, :p]), apply_qt, apply_q


def solve_upper(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``R x = b`` by back substitution in ``R``'s dtype (b of shape (p,) or (p, k))."""
    x = np.zeros(np.shape(b), dtype=np.result_type(R, b))
    p = R.shape[0]
    for i in range(p - 1, -1, -1):
        x[i] = (b[i] - R[i, i + 1 :] @ x[i + 1 :]) / R[i, i]
    return x


def solve_lower(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``L x = b`` by forward substitution in ``L``'s dtype (b of shape (p,) or (p, k))."""
    x = np.zeros(np.shape(b), dtype=np.result_type(L, b))
    for i in range(L.shape[0]):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
    return x
