"""Numba kernels of k-means: nearest centres, centre sums, Elkan's bounds, k-means++ seeding.

Nearest centre by matrix products. For a row x and centres c₁ … c_k,

    ‖x − c_j‖² = ‖x‖² − 2 x·c_j + ‖c_j‖²,

and ‖x‖² is the same for every j, so the nearest centre is
``argmin_j (‖c_j‖² − 2 x·c_j)``: the products of a block of 256 rows with the d × k
matrix of centres are one BLAS matrix product (in X's dtype, as scikit-learn does).
Ties go to the lowest index. The squared distance to the chosen centre
is then recomputed directly as ``Σ (x − c)²`` (no cancellation) for the inertia
``Σᵢ wᵢ ‖xᵢ − c_{label(i)}‖²``.

Elkan's bounds (Elkan 2003). With ``u(x) ≥ d(x, c_a)`` (a: the current centre) and
``l(x, c) ≤ d(x, c)`` for every centre, the triangle inequality gives: if
``u(x) ≤ ½ min_{c≠a} d(c_a, c)`` no centre can be closer than c_a; and centre c can
be skipped when ``u(x) ≤ l(x, c)`` or ``u(x) ≤ ½ d(c_a, c)``. After the centres
move by ``δ_c``, ``u ← u + δ_a`` and ``l(x, c) ← max(l(x, c) − δ_c, 0)`` keep the
bounds valid. Every label equals Lloyd's (the bounds only skip distances that
cannot win).

Parallel work is split into row blocks fixed by ``n`` alone (not by the number of
threads); each block keeps its own centre sums, added in block order afterwards,
so a result does not depend on the thread count. No ``fastmath``: sums are
reproducible. Everything accumulates in float64, whatever the dtype of X.

Reference: Elkan, "Using the triangle inequality to accelerate k-means", ICML 2003;
Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "PARALLEL_WORK",
    "assign",
    "candidate_potentials",
    "elkan_assign",
    "mean_column_variance",
    "row_blocks",
    "squared_distances_to",
]

#: Multiply-adds (≈ 1 ns each) below which a kernel runs on one thread: a parallel
#: region costs milliseconds on a busy machine, so only larger work is shared.
PARALLEL_WORK = 2_000_000

#: Row blocks of a parallel kernel (each block keeps its own partial sums).
MAX_BLOCKS = 32


def row_blocks(n: int, work_per_row: int) -> tuple[np.ndarray, bool]:
    """Block boundaries (depending on ``n`` only) and whether to run in parallel."""
    n_blocks = int(max(1, min(MAX_BLOCKS, n // 4096)))
    bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
    return bounds, n * work_per_row >= PARALLEL_WORK


# ----------------------------------------------------------------------------- Lloyd
#: Rows per matrix product in the assignment (a 256 × k block of products fits in cache).
PRODUCT_ROWS = 256


@numba.njit(cache=True)
def _assign_block(X, w, centers, centers_t, c_sq, start, stop, labels, sums, weights):
    """Nearest centre of rows ``start:stop``; returns (inertia, labels changed)."""
    k = centers.shape[0]
    d = X.shape[1]
    inertia = 0.0
    changed = 0
    for first in range(start, stop, PRODUCT_ROWS):
        last = min(first + PRODUCT_ROWS, stop)
        products = np.dot(X[first:last], centers_t)
        for r in range(last - first):
            best = 0
            best_value = c_sq[0] - 2.0 * products[r, 0]
            for c in range(1, k):
                value = c_sq[c] - 2.0 * products[r, c]
                if value < best_value:
                    best_value = value
                    best = c
            i = first + r
            if labels[i] != best:
                changed += 1
                labels[i] = best
            dist = 0.0
            for j in range(d):
                diff = X[i, j] - centers[best, j]
                dist += diff * diff
            inertia += w[i] * dist
            if sums.shape[0] > 0:
                weights[best] += w[i]
                for j in range(d):
                    sums[best, j] += w[i] * X[i, j]
    return inertia, changed


@numba.njit(cache=True)
def _assign_serial(X, w, centers, bounds, labels, sums, weights, inertia, changed):
    centers_t = np.ascontiguousarray(centers.T).astype(X.dtype)
    c_sq = (centers * centers).sum(axis=1)
    for b in range(bounds.size - 1):
        inertia[b], changed[b] = _assign_block(
            X, w, centers, centers_t, c_sq, bounds[b], bounds[b + 1], labels, sums[b], weights[b]
        )


@numba.njit(cache=True, parallel=True)
def _assign_parallel(X, w, centers, bounds, labels, sums, weights, inertia, changed):
    centers_t = np.ascontiguousarray(centers.T).astype(X.dtype)
    c_sq = (centers * centers).sum(axis=1)
    for b in numba.prange(bounds.size - 1):
        inertia[b], changed[b] = _assign_block(
            X, w, centers, centers_t, c_sq, bounds[b], bounds[b + 1], labels, sums[b], weights[b]
        )


def assign(
    X: np.ndarray,
    w: np.ndarray,
    centers: np.ndarray,
    labels: np.ndarray,
    accumulate: bool = True,
) -> tuple[float, int, np.ndarray | None, np.ndarray | None]:
    """Label every row with its nearest centre (in place); one Lloyd E-step.

    Parameters
    ----------
    X : ndarray of shape (n, d), C-contiguous
    w : ndarray of shape (n,)
        Sample weights.
    centers : ndarray of float64, shape (k, d)
    labels : ndarray of int32, shape (n,)
        Overwritten with the nearest centre of each row.
    accumulate : bool, default=True
        Also return the weighted sum of the rows of each cluster and its weight.

    Returns
    -------
    inertia : float
        ``Σᵢ wᵢ ‖xᵢ − c_{label(i)}‖²`` for the new labels.
    changed : int
        Rows whose label changed.
    sums : ndarray of shape (k, d) or None
    weights : ndarray of shape (k,) or None
    """
    k, d = centers.shape
    bounds, parallel = row_blocks(X.shape[0], k * d)
    n_blocks = bounds.size - 1
    shape = (n_blocks, k, d) if accumulate else (n_blocks, 0, 0)
    sums = np.zeros(shape)
    weights = np.zeros(shape[:2])
    inertia = np.zeros(n_blocks)
    changed = np.zeros(n_blocks, np.int64)
    kernel = _assign_parallel if parallel else _assign_serial
    kernel(X, w, centers, bounds, labels, sums, weights, inertia, changed)
    total = float(inertia.sum())
    if not accumulate:
        return total, int(changed.sum()), None, None
    return total, int(changed.sum()), sums.sum(axis=0), weights.sum(axis=0)


# ----------------------------------------------------------------------------- Elkan
@numba.njit(cache=True)
def _distance(X, i, centers, c):
    total = 0.0
    for j in range(X.shape[1]):
        diff = X[i, j] - centers[c, j]
        total += diff * diff
    return np.sqrt(total)


@numba.njit(cache=True)
def _elkan_block(X, w, centers, half, next_half, shift, first, start, stop, labels,
                 upper, lower, sums, weights):  # fmt: skip
    """One Elkan E-step on rows ``start:stop``; returns (inertia, labels changed)."""
    k = centers.shape[0]
    d = X.shape[1]
    inertia = 0.0
    changed = 0
    for i in range(start, stop):
        if first:
            a = 0
            for c in range(k):
                lower[i, c] = _distance(X, i, centers, c)
                if lower[i, c] < lower[i, a]:
                    a = c
            u = lower[i, a]
        else:
            a = labels[i]
            u = upper[i] + shift[a]
            for c in range(k):
                lower[i, c] = max(lower[i, c] - shift[c], 0.0)
            if u > next_half[a]:
                tight = False
                for c in range(k):
                    if c == a or u <= lower[i, c] or u <= half[a, c]:
                        continue
                    if not tight:
                        u = _distance(X, i, centers, a)
                        lower[i, a] = u
                        tight = True
                        if u <= lower[i, c] or u <= half[a, c]:
                            continue
                    dist = _distance(X, i, centers, c)
                    lower[i, c] = dist
                    if dist < u:
                        a = c
                        u = dist
        upper[i] = u
        if labels[i] != a:
            changed += 1
            labels[i] = a
        dist2 = 0.0
        for j in range(d):
            diff = X[i, j] - centers[a, j]
            dist2 += diff * diff
        inertia += w[i] * dist2
        weights[a] += w[i]
        for j in range(d):
            sums[a, j] += w[i] * X[i, j]
    return inertia, changed


@numba.njit(cache=True)
def _elkan_serial(X, w, centers, half, next_half, shift, first, bounds, labels, upper, lower,
                  sums, weights, inertia, changed):  # fmt: skip
    for b in range(bounds.size - 1):
        inertia[b], changed[b] = _elkan_block(
            X, w, centers, half, next_half, shift, first, bounds[b], bounds[b + 1], labels,
            upper, lower, sums[b], weights[b],
        )  # fmt: skip


@numba.njit(cache=True, parallel=True)
def _elkan_parallel(X, w, centers, half, next_half, shift, first, bounds, labels, upper, lower,
                    sums, weights, inertia, changed):  # fmt: skip
    for b in numba.prange(bounds.size - 1):
        inertia[b], changed[b] = _elkan_block(
            X, w, centers, half, next_half, shift, first, bounds[b], bounds[b + 1], labels,
            upper, lower, sums[b], weights[b],
        )  # fmt: skip


def elkan_assign(
    X: np.ndarray,
    w: np.ndarray,
    centers: np.ndarray,
    shift: np.ndarray,
    labels: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    first: bool,
) -> tuple[float, int, np.ndarray, np.ndarray]:
    """One Elkan E-step: labels and bounds updated in place, centre sums returned.

    Parameters
    ----------
    X, w, centers, labels
        As in :func:`assign`.
    shift : ndarray of shape (k,)
        How far each centre moved since the bounds were last valid (ignored when
        ``first``).
    upper : ndarray of shape (n,)
        Upper bounds on the distance to the assigned centre.
    lower : ndarray of shape (n, k)
        Lower bounds on the distance to each centre.
    first : bool
        Compute every distance (the bounds are not yet set).

    Returns
    -------
    inertia, changed, sums, weights
        As in :func:`assign`.
    """
    k, d = centers.shape
    diff = centers[:, None, :] - centers[None, :, :]
    half = 0.5 * np.sqrt((diff * diff).sum(axis=2))
    masked = half + np.diag(np.full(k, np.inf))
    next_half = masked.min(axis=1)
    bounds, parallel = row_blocks(X.shape[0], k * d)
    n_blocks = bounds.size - 1
    sums = np.zeros((n_blocks, k, d))
    weights = np.zeros((n_blocks, k))
    inertia = np.zeros(n_blocks)
    changed = np.zeros(n_blocks, np.int64)
    kernel = _elkan_parallel if parallel else _elkan_serial
    kernel(X, w, centers, half, next_half, shift, first, bounds, labels, upper, lower, sums,
           weights, inertia, changed)  # fmt: skip
    return float(inertia.sum()), int(changed.sum()), sums.sum(axis=0), weights.sum(axis=0)


# ----------------------------------------------------------------------------- distances
@numba.njit(cache=True)
def _closest_block(X, centers, start, stop, out):
    for i in range(start, stop):
        for c in range(centers.shape[0]):
            dist = 0.0
            for j in range(X.shape[1]):
                diff = X[i, j] - centers[c, j]
                dist += diff * diff
            out[i - start, c] = dist


@numba.njit(cache=True, parallel=True)
def _closest_parallel(X, centers, bounds, out):
    for b in numba.prange(bounds.size - 1):
        _closest_block(X, centers, bounds[b], bounds[b + 1], out[bounds[b] : bounds[b + 1]])


def squared_distances_to(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """``‖xᵢ − c_j‖²`` for every row and centre, computed directly (n × k, float64)."""
    k, d = centers.shape
    bounds, parallel = row_blocks(X.shape[0], k * d)
    out = np.empty((X.shape[0], k))
    if parallel:
        _closest_parallel(X, centers, bounds, out)
    else:
        _closest_block(X, centers, 0, X.shape[0], out)
    return out


@numba.njit(cache=True)
def _potential_block(X, w, candidates, closest, start, stop, out):
    for i in range(start, stop):
        for t in range(candidates.shape[0]):
            dist = 0.0
            for j in range(X.shape[1]):
                diff = X[i, j] - candidates[t, j]
                dist += diff * diff
            out[t] += w[i] * min(dist, closest[i])


@numba.njit(cache=True, parallel=True)
def _potential_parallel(X, w, candidates, closest, bounds, out):
    for b in numba.prange(bounds.size - 1):
        _potential_block(X, w, candidates, closest, bounds[b], bounds[b + 1], out[b])


def candidate_potentials(
    X: np.ndarray, w: np.ndarray, candidates: np.ndarray, closest: np.ndarray
) -> np.ndarray:
    """k-means++ potential ``Σᵢ wᵢ min(D(xᵢ)², ‖xᵢ − z‖²)`` of each candidate centre z.

    ``closest[i]`` is ``D(xᵢ)²``, the squared distance to the nearest chosen centre.
    """
    t, d = candidates.shape
    bounds, parallel = row_blocks(X.shape[0], t * d)
    out = np.zeros((bounds.size - 1, t))
    if parallel:
        _potential_parallel(X, w, candidates, closest, bounds, out)
    else:
        for b in range(bounds.size - 1):
            _potential_block(X, w, candidates, closest, bounds[b], bounds[b + 1], out[b])
    return out.sum(axis=0)


@numba.njit(cache=True)
def _moments_block(X, start, stop, out):
    for i in range(start, stop):
        for j in range(X.shape[1]):
            value = X[i, j] - X[0, j]
            out[0, j] += value
            out[1, j] += value * value


@numba.njit(cache=True, parallel=True)
def _moments_parallel(X, bounds, out):
    for b in numba.prange(bounds.size - 1):
        _moments_block(X, bounds[b], bounds[b + 1], out[b])


def mean_column_variance(X: np.ndarray) -> float:
    """Mean over columns of the column variances (divisor n), in one pass over X.

    Sums of ``x − x₀`` and ``(x − x₀)²`` (x₀: the first row, a shift that keeps the
    cancellation in ``Σv² − (Σv)²/n`` small) give ``Var = (Σv² − (Σv)²/n) / n``.
    """
    bounds, parallel = row_blocks(X.shape[0], X.shape[1])
    out = np.zeros((bounds.size - 1, 2, X.shape[1]))
    if parallel:
        _moments_parallel(X, bounds, out)
    else:
        for b in range(bounds.size - 1):
            _moments_block(X, bounds[b], bounds[b + 1], out[b])
    first, second = out.sum(axis=0)
    n = X.shape[0]
    return float(np.mean(np.maximum(second - first * first / n, 0.0) / n))
