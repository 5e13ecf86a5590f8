"""Exact rational arithmetic for small least-squares problems (an independent reference).

Every float64 is a rational number, so the least-squares solution, residuals and
sandwich covariances of float64 data can be computed exactly with ``fractions`` —
no rounding at all — and compared with floating-point implementations.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def _to_fractions(A) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(A)]


def _matmul(A, B):
    return [
        [sum(a * b for a, b in zip(row, col, strict=True)) for col in zip(*B, strict=True)]
        for row in A
    ]


def _transpose(A):
    return [list(col) for col in zip(*A, strict=True)]


def _inverse(A):
    n = len(A)
    M = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(A)]
    for c in range(n):
        pivot = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[pivot] = M[pivot], M[c]
        inv = 1 / M[c][c]
        M[c] = [v * inv for v in M[c]]
        for r in range(n):
            if r != c and M[r][c] != 0:
                factor = M[r][c]
                M[r] = [a - factor * b for a, b in zip(M[r], M[c], strict=True)]
    return [row[n:] for row in M]


def exact_ols(X: np.ndarray, y: np.ndarray, cov_type: str = "nonrobust"):
    """Coefficients and standard errors of OLS with a constant, computed exactly.

    Returns float64 arrays (converted only at the end; square roots in float).
    """
    n = X.shape[0]
    Z = _to_fractions(np.column_stack([np.ones(n), X]))
    yv = [[Fraction(float(v))] for v in y]
    Zt = _transpose(Z)
    bread = _inverse(_matmul(Zt, Z))
    beta = _matmul(bread, _matmul(Zt, yv))
    fitted = _matmul(Z, beta)
    resid = [yi[0] - fi[0] for yi, fi in zip(yv, fitted, strict=True)]
    q = len(Zt)
    if cov_type == "nonrobust":
        s2 = sum(e * e for e in resid) / (n - q)
        cov = [[v * s2 for v in row] for row in bread]
    else:
        weights = []
        for i, z in enumerate(Z):
            h = sum(z[a] * bread[a][b] * z[b] for a in range(q) for b in range(q))
            omega = {
                "HC0": 1,
                "HC1": Fraction(n, n - q),
                "HC2": 1 / (1 - h),
                "HC3": 1 / (1 - h) ** 2,
            }[cov_type]
            weights.append(resid[i] * resid[i] * omega)
        meat = [
            [sum(weights[i] * Z[i][a] * Z[i][b] for i in range(n)) for b in range(q)]
            for a in range(q)
        ]
        cov = _matmul(_matmul(bread, meat), bread)
    coef = np.array([float(b[0]) for b in beta])
    std_err = np.sqrt(np.array([float(cov[j][j]) for j in range(q)]))
    return coef, std_err
