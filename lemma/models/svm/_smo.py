"""Sequential minimal optimisation (SMO) of the SVM dual, as in libsvm.

The dual of the soft-margin SVM (labels ``yᵢ = ±1``, ``Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ)``)::

    minimise over α   f(α) = ½ αᵀQα − Σᵢ αᵢ
    subject to        Σᵢ yᵢαᵢ = 0,   0 ≤ αᵢ ≤ Cᵢ.

SMO changes two multipliers at a time — the fewest that can keep ``Σ yᵢαᵢ = 0`` —
and solves that two-variable problem exactly. With ``G = ∇f = Qα − 1``, the KKT
conditions say that α is optimal iff ``m(α) ≤ M(α)``, where

    m(α) = max_{t ∈ I_up}  −yₜGₜ,    I_up  = {t : yₜ = +1, αₜ < Cₜ  or  yₜ = −1, αₜ > 0},
    M(α) = min_{t ∈ I_low} −yₜGₜ,    I_low = {t : yₜ = +1, αₜ > 0   or  yₜ = −1, αₜ < Cₜ};

the solver stops when ``m(α) − M(α) < tol``. Working set (second-order rule, "WSS 2"
of Fan, Chen & Lin 2005, libsvm's): i is the maximiser of m; then j ∈ I_low with
``bⱼ = m − (−yⱼGⱼ) > 0`` minimising the decrease of f predicted along the pair,

    j = argmin −bⱼ² / aᵢⱼ,     aᵢⱼ = K(xᵢ, xᵢ) + K(xⱼ, xⱼ) − 2K(xᵢ, xⱼ)  (τ = 10⁻¹² if ≤ 0).

The pair update moves along ``yᵢΔαᵢ = −yⱼΔαⱼ`` by the Newton step and clips to the
box; then ``Gₜ += Qₜᵢ Δαᵢ + Qₜⱼ Δαⱼ`` for every t, and f changes by
``Gᵢ Δαᵢ + Gⱼ Δαⱼ + ½(QᵢᵢΔαᵢ² + QⱼⱼΔαⱼ² + 2QᵢⱼΔαᵢΔαⱼ)`` (kept in the history).
The bias is ``b = −ρ``, ρ the mean of ``yₜGₜ`` over free multipliers
(``0 < αₜ < Cₜ``), or the middle of the feasible interval if none is free; the
decision function is ``f(x) = Σᵢ yᵢαᵢ K(xᵢ, x) − ρ``.

Kernel rows are computed on demand (in float64) and kept in a least-recently-used
cache of at most ``cache_size`` MB, allocated in blocks as it fills. As in libsvm the
cache stores float32 (``Qfloat``): twice the rows for the memory, while α, G and the
objective stay in float64; the kernel values then carry a relative error of about
6·10⁻⁸, below any useful ``tol``.

Reference: Platt, "Fast training of support vector machines using sequential minimal
optimization", 1998; Fan, Chen & Lin, "Working set selection using second order
information for training support vector machines", JMLR 6, 2005; Chang & Lin,
"LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011, §4.
"""

from __future__ import annotations

import numba
import numpy as np

from lemma.models.svm._kernels import _apply, kernel_row

__all__ = ["CACHE_BLOCK", "TAU", "calculate_rho", "smo"]

#: Smallest curvature used along a pair (libsvm's τ).
TAU = 1e-12

#: Kernel rows allocated at a time as the cache fills.
CACHE_BLOCK = 64


@numba.njit(cache=True)
def _row(i, X, sq, kind, gamma, coef0, degree, blocks, slot_of, owner, stamp, clock, max_slots):
    """Kernel row i from the cache, computed (evicting the least recently used) if absent."""
    s = slot_of[i]
    if s < 0:
        used = len(blocks) * CACHE_BLOCK
        free = -1
        for t in range(min(used, max_slots)):
            if owner[t] < 0:
                free = t
                break
        if free < 0 and used < max_slots:
            blocks.append(np.empty((CACHE_BLOCK, X.shape[0]), dtype=np.float32))
            free = used
        if free < 0:
            free = int(np.argmin(stamp[:max_slots]))
            slot_of[owner[free]] = -1
        s = free
        owner[s] = i
        slot_of[i] = s
        kernel_row(X, sq, i, kind, gamma, coef0, degree, blocks[s // CACHE_BLOCK][s % CACHE_BLOCK])
    stamp[s] = clock
    return blocks[s // CACHE_BLOCK][s % CACHE_BLOCK]


@numba.njit(cache=True)
def calculate_rho(y, alpha, C, G):
    """ρ: mean ``yₜGₜ`` over free multipliers, else the middle of the feasible interval."""
    n_free = 0
    total = 0.0
    upper = np.inf
    lower = -np.inf
    for t in range(y.size):
        yg = y[t] * G[t]
        if alpha[t] >= C[t]:
            if y[t] < 0:
                upper = min(upper, yg)
            else:
                lower = max(lower, yg)
        elif alpha[t] <= 0.0:
            if y[t] > 0:
                upper = min(upper, yg)
            else:
                lower = max(lower, yg)
        else:
            n_free += 1
            total += yg
    if n_free > 0:
        return total / n_free
    return (upper + lower) / 2.0


@numba.njit(cache=True)
def _clip_pair(a_i, a_j, C_i, C_j, G_i, G_j, same_sign, quad):
    """libsvm's two-variable update: the Newton step along the pair, clipped to the box."""
    if not same_sign:
        delta = (-G_i - G_j) / quad
        diff = a_i - a_j
        a_i += delta
        a_j += delta
        if diff > 0.0:
            if a_j < 0.0:
                a_j = 0.0
                a_i = diff
        elif a_i < 0.0:
            a_i = 0.0
            a_j = -diff
        if diff > C_i - C_j:
            if a_i > C_i:
                a_i = C_i
                a_j = C_i - diff
        elif a_j > C_j:
            a_j = C_j
            a_i = C_j + diff
    else:
        delta = (G_i - G_j) / quad
        total = a_i + a_j
        a_i -= delta
        a_j += delta
        if total > C_i:
            if a_i > C_i:
                a_i = C_i
                a_j = total - C_i
        elif a_j < 0.0:
            a_j = 0.0
            a_i = total
        if total > C_j:
            if a_j > C_j:
                a_j = C_j
                a_i = total - C_j
        elif a_i < 0.0:
            a_i = 0.0
            a_j = total
    return a_i, a_j


@numba.njit(cache=True)
def smo(X, y, C, kind, gamma, coef0, degree, tol, max_iter, max_slots):
    """Solve the dual (module docstring) by SMO with second-order working sets.

    Parameters
    ----------
    X : ndarray of float64, shape (n, d), C-contiguous
    y : ndarray of shape (n,)
        Labels ±1.
    C : ndarray of shape (n,)
        Upper bounds Cᵢ > 0.
    kind, gamma, coef0, degree
        The kernel (:data:`~lemma.models.svm._kernels.KERNELS` code and parameters).
    tol : float
        Stop when ``m(α) − M(α) < tol``.
    max_iter : int
        Largest number of pair updates.
    max_slots : int
        Kernel rows the cache may hold (≥ 2).

    Returns
    -------
    alpha : ndarray of shape (n,)
    rho : float
    n_iter : int
    history : ndarray of shape (n_iter + 1,)
        f(α) at the start (0) and after every update.
    """
    n = X.shape[0]
    sq = np.empty(n)
    diag = np.empty(n)
    for t in range(n):
        sq[t] = 0.0
        for f in range(X.shape[1]):
            sq[t] += X[t, f] * X[t, f]
    for t in range(n):
        diag[t] = _apply(kind, sq[t], sq[t], sq[t], gamma, coef0, degree)
    alpha = np.zeros(n)
    G = -np.ones(n)
    blocks = [np.empty((CACHE_BLOCK, n), dtype=np.float32)]
    slot_of = np.full(n, -1, dtype=np.int64)
    owner = np.full(max_slots, -1, dtype=np.int64)
    stamp = np.full(max_slots, -1, dtype=np.int64)
    history = np.empty(1024)
    history[0] = 0.0
    objective = 0.0
    clock = 0
    n_iter = 0
    while n_iter < max_iter:
        g_max = -np.inf
        i = -1
        for t in range(n):
            if (y[t] > 0 and alpha[t] < C[t]) or (y[t] < 0 and alpha[t] > 0.0):
                if -y[t] * G[t] >= g_max:
                    g_max = -y[t] * G[t]
                    i = t
        if i < 0:
            break
        clock += 1
        K_i = _row(i, X, sq, kind, gamma, coef0, degree, blocks, slot_of, owner, stamp, clock,
                   max_slots)  # fmt: skip
        g_max2 = -np.inf
        j = -1
        best = np.inf
        for t in range(n):
            if (y[t] > 0 and alpha[t] > 0.0) or (y[t] < 0 and alpha[t] < C[t]):
                g_max2 = max(g_max2, y[t] * G[t])
                b = g_max + y[t] * G[t]
                if b > 0.0:
                    a = diag[i] + diag[t] - 2.0 * K_i[t]
                    decrease = -(b * b) / (a if a > 0.0 else TAU)
                    if decrease <= best:
                        best = decrease
                        j = t
        if g_max + g_max2 < tol or j < 0:
            break
        clock += 1
        K_j = _row(j, X, sq, kind, gamma, coef0, degree, blocks, slot_of, owner, stamp, clock,
                   max_slots)  # fmt: skip
        quad = diag[i] + diag[j] - 2.0 * K_i[j]
        if quad <= 0.0:
            quad = TAU
        old_i, old_j = alpha[i], alpha[j]
        alpha[i], alpha[j] = _clip_pair(old_i, old_j, C[i], C[j], G[i], G[j], y[i] == y[j], quad)
        d_i = alpha[i] - old_i
        d_j = alpha[j] - old_j
        q_ij = y[i] * y[j] * K_i[j]
        objective += (
            G[i] * d_i
            + G[j] * d_j
            + 0.5 * (diag[i] * d_i * d_i + diag[j] * d_j * d_j + 2.0 * q_ij * d_i * d_j)
        )
        step_i = y[i] * d_i
        step_j = y[j] * d_j
        for t in range(n):
            G[t] += y[t] * (K_i[t] * step_i + K_j[t] * step_j)
        n_iter += 1
        if n_iter >= history.size:
            grown = np.empty(2 * history.size)
            grown[: history.size] = history
            history = grown
        history[n_iter] = objective
    return alpha, calculate_rho(y, alpha, C, G), n_iter, history[: n_iter + 1].copy()
