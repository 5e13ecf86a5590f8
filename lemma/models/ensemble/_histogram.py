"""Gradient histograms and the best split of a node (Numba kernels).

A node holds rows ``I``; row ``i`` carries the gradient ``gᵢ`` and Hessian ``hᵢ``
of the loss at the current prediction (weights already multiplied in). For
feature ``j`` and bin ``b`` the histogram holds

    G[j, b] = Σ_{i ∈ I, code(i, j) = b} gᵢ,   H[j, b] = Σ … hᵢ,   N[j, b] = #rows,

stored as ``hist[j, b] = (G, H, N)`` in float64. Every candidate split of the
node is a prefix sum over bins, so one pass over ``I`` per feature finds them
all. The two children of a split partition the parent's rows, hence
``hist(sibling) = hist(parent) − hist(child)``: only the smaller child is built
from rows (the subtraction trick, halving the work at least).

Split gain. Replacing the node's prediction ``v`` by a shift, the loss changes
to second order by ``L(v) = G v + ½ (H + λ) v²`` (G, H: the node's sums; λ: the
L2 penalty on leaf values). Its minimiser is the Newton leaf value
``v* = −G / (H + λ)`` with ``L(v*) = −½ G² / (H + λ)``, so splitting into left
and right children reduces the loss by

    gain = L(v_parent) − L(v_left) − L(v_right)
         = ½ [G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)]   (unconstrained values).

Under a monotonic constraint the child values are clipped to the node's bounds
``[lower, upper]``, a split whose clipped values break the order is refused, and
the gain is ``L`` evaluated at the clipped values (the exact quadratic, not the
formula above).

Missing values (their own bin) are tried on both sides: a left-to-right scan
over bins with missing rows sent right, and a right-to-left scan sending them
left; the better gain wins (XGBoost's sparsity-aware split finding, Algorithm 3).
Categorical features: categories with support ≥ 10 are sorted by
``G_c / (H_c + 10)`` and scanned as if ordered, from both ends up to the middle;
after Fisher (1958) the best binary partition of categories for a quadratic
objective is contiguous in that order. Low-support categories always go right;
the left set is stored as a 256-bit bitset.

Floating point: histogram sums are float64 (gradients may be float32); no
``fastmath``, so sums are reproducible for a given thread count's chunking.

Reference: Chen & Guestrin, "XGBoost: A scalable tree boosting system", KDD 2016,
eqs. (5)–(7) and Algorithm 3; Fisher, "On grouping for maximum homogeneity",
JASA 53 (1958).
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

__all__ = [
    "MIN_CATEGORY_SUPPORT",
    "PARALLEL_WORK",
    "find_node_split",
    "histograms",
    "node_value",
    "run_kernel",
]

#: Effective rows a category needs to be ordered and scanned (LightGBM's cat_smooth).
MIN_CATEGORY_SUPPORT = 10.0


# --------------------------------------------------------------------------- histograms
#: Work (in histogram updates, ~1 ns each) below which a kernel runs on one thread.
PARALLEL_WORK = 1_000_000
#: Every this many calls, :func:`run_kernel` times the variant it currently rejects.
_RETRY_EVERY = 16
_COSTS: dict[str, list[float]] = {}  # kernel kind -> [one thread, all threads] s per unit
_CALLS = [0]


def run_kernel(kind: str, work: float, serial, parallel, *args):
    """Run ``serial(*args)`` or ``parallel(*args)``, whichever has been faster per unit.

    A parallel region costs microseconds on an idle machine but milliseconds on a busy
    one, where each region waits until all its threads are scheduled. So work below
    :data:`PARALLEL_WORK` runs on one thread, and above it the time per unit of work
    of both variants is measured (an exponential average per ``kind``; the rejected
    variant is retried every :data:`_RETRY_EVERY` calls) and the faster one runs.
    Both variants compute the same numbers, so the choice never changes a result.
    """
    if work < PARALLEL_WORK or numba.get_num_threads() == 1:
        return serial(*args)
    costs = _COSTS.setdefault(kind, [math.nan, math.nan])
    _CALLS[0] += 1
    if math.isnan(costs[1]) or math.isnan(costs[0]):
        pick = 1 if math.isnan(costs[1]) else 0
    else:
        pick = int(costs[1] < costs[0])
        if _CALLS[0] % _RETRY_EVERY == 0:
            pick = 1 - pick
    start = time.perf_counter()
    out = (parallel if pick else serial)(*args)
    cost = (time.perf_counter() - start) / work
    costs[pick] = cost if math.isnan(costs[pick]) else 0.7 * costs[pick] + 0.3 * cost
    return out


@numba.njit(cache=True)
def _feature_histogram(binned, rows, gradients, hessians, j, out):
    """One feature's histogram over ``rows`` (all rows when ``rows`` is empty).

    Row ``t`` of the node reads gradient ``t`` (the root's own, or the node's gathered
    ones). Even and odd rows go to two copies summed at the end: consecutive rows
    often share a bin, and with one copy each addition would wait for the previous.
    """
    out[:, :] = 0.0
    other = np.zeros_like(out)
    column = binned[:, j]
    root = rows.size == 0
    m = column.size if root else rows.size
    if root:
        for t in range(0, m - m % 2, 2):
            b = column[t]
            c = column[t + 1]
            out[b, 0] += gradients[t]
            out[b, 1] += hessians[t]
            out[b, 2] += 1.0
            other[c, 0] += gradients[t + 1]
            other[c, 1] += hessians[t + 1]
            other[c, 2] += 1.0
    else:
        for t in range(0, m - m % 2, 2):
            b = column[rows[t]]
            c = column[rows[t + 1]]
            out[b, 0] += gradients[t]
            out[b, 1] += hessians[t]
            out[b, 2] += 1.0
            other[c, 0] += gradients[t + 1]
            other[c, 1] += hessians[t + 1]
            other[c, 2] += 1.0
    if m % 2:
        b = column[m - 1] if root else column[rows[m - 1]]
        out[b, 0] += gradients[m - 1]
        out[b, 1] += hessians[m - 1]
        out[b, 2] += 1.0
    out += other


@numba.njit(cache=True)
def _histograms_serial(binned, rows, gradients, hessians, features, hist):
    for k in range(features.size):
        _feature_histogram(binned, rows, gradients, hessians, features[k], hist[features[k]])


@numba.njit(parallel=True, cache=True)
def _histograms_parallel(binned, rows, gradients, hessians, features, hist):
    for k in numba.prange(features.size):
        _feature_histogram(binned, rows, gradients, hessians, features[k], hist[features[k]])


@numba.njit(cache=True)
def _gather(rows, gradients, hessians, ordered_g, ordered_h):
    """A node's gradients in row order (memory-bound: one thread is as fast)."""
    for k in range(rows.size):
        ordered_g[k] = gradients[rows[k]]
        ordered_h[k] = hessians[rows[k]]


_NO_ROWS = np.empty(0, np.uint32)


def histograms(binned, gradients, hessians, features, hist, rows=None, ordered=None) -> None:
    """Fill ``hist[j]`` for every ``j`` in ``features`` (in place).

    Parameters
    ----------
    binned : ndarray of uint8, shape (n, d), Fortran-ordered
    gradients, hessians : ndarray of shape (n,)
    features : ndarray of int64
        Features whose histograms are needed.
    hist : ndarray of shape (d, n_bins, 3)
    rows : ndarray of uint32, optional
        The node's rows; None for the root (every row, no indirection).
    ordered : tuple of two ndarrays, optional
        Work arrays of length ≥ ``rows.size`` receiving the node's gradients and
        Hessians in row order (read contiguously by every feature).
    """
    if rows is None:
        work = binned.shape[0] * features.size
        run_kernel(
            "histograms",
            work,
            _histograms_serial,
            _histograms_parallel,
            binned,
            _NO_ROWS,
            gradients,
            hessians,
            features,
            hist,
        )
        return
    m = rows.size
    if m == 0:  # an empty node: its histograms are zero
        hist[features] = 0.0
        return
    ordered_g, ordered_h = ordered[0][:m], ordered[1][:m]
    _gather(rows, gradients, hessians, ordered_g, ordered_h)
    run_kernel(
        "histograms",
        m * features.size,
        _histograms_serial,
        _histograms_parallel,
        binned,
        rows,
        ordered_g,
        ordered_h,
        features,
        hist,
    )


# ------------------------------------------------------------------------- split finding
@numba.njit(cache=True, inline="always")
def node_value(sum_gradients, sum_hessians, lower, upper, l2):
    """Newton value ``−G/(H + λ)`` clipped to ``[lower, upper]`` (0 if H + λ = 0)."""
    denominator = sum_hessians + l2
    value = -sum_gradients / denominator if denominator > 0.0 else 0.0
    if value < lower:
        value = lower
    elif value > upper:
        value = upper
    return value


@numba.njit(cache=True, inline="always")
def _loss_at(sum_gradients, sum_hessians, value, l2):
    """Second-order loss change ``G v + ½ (H + λ) v²`` of predicting ``v`` more."""
    return sum_gradients * value + 0.5 * (sum_hessians + l2) * value * value


@numba.njit(cache=True, inline="always")
def _gain(g_left, h_left, g_right, h_right, parent_loss, cst, lower, upper, l2):
    """Loss reduction of a split, or −1 if it breaks the monotonic constraint ``cst``."""
    if cst == 0 and lower == -np.inf and upper == np.inf:  # unclipped: L(v*) = −½G²/(H + λ)
        return parent_loss + 0.5 * (
            g_left * g_left / (h_left + l2) + g_right * g_right / (h_right + l2)
        )
    v_left = node_value(g_left, h_left, lower, upper, l2)
    v_right = node_value(g_right, h_right, lower, upper, l2)
    if (cst == 1 and v_left > v_right) or (cst == -1 and v_left < v_right):
        return -1.0
    return (
        parent_loss - _loss_at(g_left, h_left, v_left, l2) - _loss_at(g_right, h_right, v_right, l2)
    )


@numba.njit(cache=True)
def _numeric_split(
    hist_j, n_bins_non_missing, has_missing, totals, parent_loss, cst, bounds, l2, limits
):
    """Best threshold bin of one numeric feature: (gain, bin, missing_left, G_L, H_L, N_L)."""
    g_total, h_total, n_total = totals
    lower, upper = bounds
    min_rows, min_hessian = limits
    best = (-1.0, 0, False, 0.0, 0.0, 0.0)
    g_left = 0.0
    h_left = 0.0
    n_left = 0.0
    # left to right: missing rows (if any) go right
    for b in range(n_bins_non_missing - 1 + has_missing):
        if hist_j[b, 2] == 0.0:  # an empty bin moves no row: same split as the last one
            continue
        g_left += hist_j[b, 0]
        h_left += hist_j[b, 1]
        n_left += hist_j[b, 2]
        if n_left < min_rows or h_left < min_hessian:
            continue
        if n_total - n_left < min_rows or h_total - h_left < min_hessian:
            break
        gain = _gain(
            g_left, h_left, g_total - g_left, h_total - h_left, parent_loss, cst, lower, upper, l2
        )
        if gain > best[0] and gain > 0.0:
            best = (gain, b, False, g_left, h_left, n_left)
    if not has_missing:
        return best
    # right to left: missing rows go left
    g_right = 0.0
    h_right = 0.0
    n_right = 0.0
    for b in range(n_bins_non_missing - 2, -1, -1):
        if hist_j[b + 1, 2] == 0.0:
            continue
        g_right += hist_j[b + 1, 0]
        h_right += hist_j[b + 1, 1]
        n_right += hist_j[b + 1, 2]
        if n_right < min_rows or h_right < min_hessian:
            continue
        if n_total - n_right < min_rows or h_total - h_right < min_hessian:
            break
        gain = _gain(
            g_total - g_right,
            h_total - h_right,
            g_right,
            h_right,
            parent_loss,
            cst,
            lower,
            upper,
            l2,
        )
        if gain > best[0] and gain > 0.0:
            best = (gain, b, True, g_total - g_right, h_total - h_right, n_total - n_right)
    return best


@numba.njit(cache=True)
def _categorical_split(
    hist_j,
    n_bins_non_missing,
    has_missing,
    missing_bin,
    totals,
    parent_loss,
    bounds,
    l2,
    limits,
    bitset,
):
    """Best category subset of one feature (left set written to ``bitset``)."""
    g_total, h_total, n_total = totals
    lower, upper = bounds
    min_rows, min_hessian = limits
    best = (-1.0, 0, False, 0.0, 0.0, 0.0)
    support_factor = n_total / h_total if h_total > 0.0 else 0.0
    candidates = np.empty(n_bins_non_missing + 1, np.int64)
    scores = np.empty(n_bins_non_missing + 1, np.float64)
    used = 0
    for b in range(n_bins_non_missing + 1):
        if b == n_bins_non_missing:
            if not has_missing:
                break
            b = missing_bin
        h_bin = hist_j[b, 1]
        if h_bin * support_factor >= MIN_CATEGORY_SUPPORT:
            candidates[used] = b
            scores[used] = hist_j[b, 0] / (h_bin + MIN_CATEGORY_SUPPORT)
            used += 1
    if used <= 1:
        return best
    order = candidates[:used][np.argsort(scores[:used], kind="mergesort")]
    best_end = -1
    best_direction = 1
    for direction in (1, -1):
        middle = (used + 1) // 2 if direction == 1 else (used + 1) // 2 - 1
        g_left = 0.0
        h_left = 0.0
        n_left = 0.0
        for k in range(middle):
            b = order[k] if direction == 1 else order[used - 1 - k]
            g_left += hist_j[b, 0]
            h_left += hist_j[b, 1]
            n_left += hist_j[b, 2]
            if n_left < min_rows or h_left < min_hessian:
                continue
            if n_total - n_left < min_rows or h_total - h_left < min_hessian:
                break
            gain = _gain(
                g_left, h_left, g_total - g_left, h_total - h_left, parent_loss, 0, lower, upper, l2
            )
            if gain > best[0] and gain > 0.0:
                best = (gain, 0, False, g_left, h_left, n_left)
                best_end = k
                best_direction = direction
    if best_end < 0:
        return best
    bitset[:] = 0
    missing_left = False
    for k in range(best_end + 1):
        b = order[k] if best_direction == 1 else order[used - 1 - k]
        bitset[b >> 5] |= np.uint32(1) << np.uint32(b & 31)
        if b == missing_bin:
            missing_left = True
    return (best[0], 0, missing_left, best[3], best[4], best[5])


@numba.njit(cache=True)
def _feature_split(
    hist,
    n_bins_non_missing,
    has_missing,
    is_categorical,
    monotonic_cst,
    totals,
    parent_loss,
    bounds,
    l2,
    limits,
    missing_bin,
    j,
    bitset,
):
    if is_categorical[j]:
        return _categorical_split(
            hist[j],
            n_bins_non_missing[j],
            has_missing[j],
            missing_bin,
            totals,
            parent_loss,
            bounds,
            l2,
            limits,
            bitset,
        )
    return _numeric_split(
        hist[j],
        n_bins_non_missing[j],
        has_missing[j],
        totals,
        parent_loss,
        monotonic_cst[j],
        bounds,
        l2,
        limits,
    )


@numba.njit(cache=True)
def _record(j, found, gains, bins, missing_left, left_sums):
    gains[j] = found[0]
    bins[j] = found[1]
    missing_left[j] = found[2]
    left_sums[j, 0] = found[3]
    left_sums[j, 1] = found[4]
    left_sums[j, 2] = found[5]


@numba.njit(cache=True)
def _best_of(gains, bins, missing_left, left_sums, bitsets):
    """The feature with the largest gain (the first one on ties)."""
    best = 0
    for j in range(1, gains.size):
        if gains[j] > gains[best]:
            best = j
    return (
        gains[best],
        best,
        bins[best],
        missing_left[best],
        left_sums[best, 0],
        left_sums[best, 1],
        left_sums[best, 2],
        bitsets[best].copy(),
    )


@numba.njit(cache=True)
def _find_serial(
    hist,
    n_bins_non_missing,
    has_missing,
    is_categorical,
    monotonic_cst,
    allowed,
    totals,
    value,
    bounds,
    l2,
    limits,
    missing_bin,
):
    d = hist.shape[0]
    parent_loss = _loss_at(totals[0], totals[1], value, l2)
    gains, bins = np.full(d, -1.0), np.zeros(d, np.int64)
    missing_left, left_sums = np.zeros(d, np.bool_), np.zeros((d, 3))
    bitsets = np.zeros((d, 8), np.uint32)
    for j in range(d):
        if allowed[j]:
            found = _feature_split(
                hist,
                n_bins_non_missing,
                has_missing,
                is_categorical,
                monotonic_cst,
                totals,
                parent_loss,
                bounds,
                l2,
                limits,
                missing_bin,
                j,
                bitsets[j],
            )
            _record(j, found, gains, bins, missing_left, left_sums)
    return _best_of(gains, bins, missing_left, left_sums, bitsets)


@numba.njit(parallel=True, cache=True)
def _find_parallel(
    hist,
    n_bins_non_missing,
    has_missing,
    is_categorical,
    monotonic_cst,
    allowed,
    totals,
    value,
    bounds,
    l2,
    limits,
    missing_bin,
):
    d = hist.shape[0]
    parent_loss = _loss_at(totals[0], totals[1], value, l2)
    gains, bins = np.full(d, -1.0), np.zeros(d, np.int64)
    missing_left, left_sums = np.zeros(d, np.bool_), np.zeros((d, 3))
    bitsets = np.zeros((d, 8), np.uint32)
    for j in numba.prange(d):
        if allowed[j]:
            found = _feature_split(
                hist,
                n_bins_non_missing,
                has_missing,
                is_categorical,
                monotonic_cst,
                totals,
                parent_loss,
                bounds,
                l2,
                limits,
                missing_bin,
                j,
                bitsets[j],
            )
            _record(j, found, gains, bins, missing_left, left_sums)
    return _best_of(gains, bins, missing_left, left_sums, bitsets)


def find_node_split(
    hist,
    n_bins_non_missing,
    has_missing,
    is_categorical,
    monotonic_cst,
    allowed,
    totals,
    value,
    bounds,
    l2,
    limits,
    missing_bin,
):
    """The best split of a node over the allowed features.

    Parameters
    ----------
    hist : ndarray of shape (d, n_bins, 3)
        The node's histograms.
    n_bins_non_missing, has_missing, is_categorical, monotonic_cst : ndarrays (d,)
    allowed : ndarray of uint8 (d,)
        Features this node may split on (interaction constraints, max_features).
    totals : tuple (G, H, N)
        The node's sums.
    value : float
        The node's own (clipped) value; its loss is the gain's baseline.
    bounds : tuple (lower, upper)
        Bounds on the children's values (monotonic constraints).
    l2 : float
    limits : tuple (min_samples_leaf, min_hessian_to_split)
    missing_bin : int

    Returns
    -------
    tuple
        ``(gain, feature, bin, missing_left, G_L, H_L, N_L, bitset)``; gain ≤ 0
        when no split satisfies the constraints.
    """
    work = 8 * hist.shape[0] * hist.shape[1]  # two scans of every bin, a few ns per bin
    args = (
        hist,
        n_bins_non_missing,
        has_missing,
        is_categorical,
        monotonic_cst,
        allowed,
        totals,
        value,
        bounds,
        l2,
        limits,
        missing_bin,
    )
    return run_kernel("splits", work, _find_serial, _find_parallel, *args)
