"""DBSCAN: clusters as connected regions of high density, with noise.

Definitions (Ester et al. 1996). With a distance d and radius ε, the ε-neighbourhood
of a row is ``N(x) = {y : d(x, y) ≤ ε}`` (x included). With row weights wᵢ (1 by
default):

* x is a **core** point when ``Σ_{y ∈ N(x)} w(y) ≥ min_samples``;
* core points x, y are **directly connected** when ``y ∈ N(x)``; a cluster is a
  connected component of this graph on core points;
* a non-core point in the neighbourhood of a core point is a **border** point of
  that core point's cluster; every other point is **noise** (label −1).

A border point near two clusters joins the one found first. Clusters are found in
row order: the first unlabelled core row (lowest index) starts a depth-first
expansion through core points, labelling every point it reaches; labels count up
from 0 in that order (scikit-learn's order, so labels agree exactly, not only up to
renaming).

Neighbourhoods come from a KD-tree: SciPy's ``cKDTree`` builds it (sliding-midpoint
splits, ``leaf_size`` rows per leaf); Numba kernels walk it, pruning a node when the
distance from the query row to the node's bounding box exceeds ε (Minkowski
distances: Euclidean, Manhattan, Chebyshev, any p ≥ 1, compared in their reduced
form, e.g. ``Σ (x − y)² ≤ ε²``). Nothing of size "number of neighbour pairs" is
stored: a first pass counts each row's neighbourhood weight (in parallel), a second
enumerates the neighbours of each core row once, as the expansion reaches it. Memory
is O(n). With ``metric="precomputed"`` X is the n × n distance matrix and its rows
are the neighbourhoods.

Reference: Ester, Kriegel, Sander & Xu, "A density-based algorithm for discovering
clusters in large spatial databases with noise", KDD 1996; Schubert et al.,
"DBSCAN revisited, revisited", ACM TODS 42 (2017).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from scipy.spatial import cKDTree

from lemma._constraints import Interval, Options
from lemma.base import BaseEstimator, ClusterMixin, Tags
from lemma.exceptions import DataValidationError
from lemma.validation import check_sample_weight, validate_data

__all__ = ["DBSCAN"]

#: Metric name → Minkowski power p used by the KD-tree ("minkowski" takes ``p``).
_POWERS = {
    "euclidean": 2.0,
    "l2": 2.0,
    "manhattan": 1.0,
    "cityblock": 1.0,
    "l1": 1.0,
    "chebyshev": np.inf,
    "minkowski": None,
}


# ----------------------------------------------------------------------------- kernels
#: Reduced distance: 0 squared Euclidean, 1 Manhattan, 2 Chebyshev, 3 Σ|d|^p.
_REDUCTIONS = {2.0: 0, 1.0: 1, np.inf: 2}


@numba.njit(cache=True, inline="always")
def _reduce(total, diff, kind, p):
    if kind == 0:
        return total + diff * diff
    if kind == 1:
        return total + abs(diff)
    if kind == 2:
        return max(total, abs(diff))
    return total + abs(diff) ** p


@numba.njit(cache=True)
def _node_boxes(points, start, end, left, right):
    """Bounding box of every node (children come after their parent in ``start``)."""
    n_nodes, d = start.size, points.shape[1]
    lower = np.empty((n_nodes, d))
    upper = np.empty((n_nodes, d))
    for node in range(n_nodes - 1, -1, -1):
        if left[node] < 0:
            for j in range(d):
                lower[node, j] = np.inf
                upper[node, j] = -np.inf
            for t in range(start[node], end[node]):
                for j in range(d):
                    lower[node, j] = min(lower[node, j], points[t, j])
                    upper[node, j] = max(upper[node, j], points[t, j])
        else:
            for j in range(d):
                lower[node, j] = min(lower[left[node], j], lower[right[node], j])
                upper[node, j] = max(upper[left[node], j], upper[right[node], j])
    return lower, upper


@numba.njit(cache=True)
def _visit(x, tree, radius, kind, p, stack, out, weights, count_only):
    """Rows within the reduced ``radius`` of the point x.

    With ``count_only`` returns their total weight (a node whose box lies entirely
    within the radius adds its precomputed weight); otherwise writes their tree
    positions to ``out`` and returns how many.
    """
    points, start, end, left, right, lower, upper, node_weight = tree
    d = points.shape[1]
    total = 0.0
    found = 0
    top = 1
    stack[0] = 0
    while top > 0:
        top -= 1
        node = stack[top]
        near = 0.0
        far = 0.0
        for j in range(d):
            below = lower[node, j] - x[j]
            above = x[j] - upper[node, j]
            near = _reduce(near, max(below, 0.0, above), kind, p)
            far = _reduce(far, max(-below, -above), kind, p)
        if near > radius:
            continue
        if far <= radius:  # the whole box is within the radius
            if count_only:
                total += node_weight[node]
            else:
                for t in range(start[node], end[node]):
                    out[found] = t
                    found += 1
            continue
        if left[node] >= 0:
            stack[top] = right[node]
            stack[top + 1] = left[node]
            top += 2
            continue
        for t in range(start[node], end[node]):
            dist = 0.0
            for j in range(d):
                dist = _reduce(dist, x[j] - points[t, j], kind, p)
            if dist <= radius:
                if count_only:
                    total += weights[t]
                else:
                    out[found] = t
                    found += 1
    return total if count_only else float(found)


@numba.njit(cache=True)
def _weights_block(tree, weights, radius, kind, p, depth, block, totals):
    points = tree[0]
    stack = np.empty(2 * depth + 2, dtype=np.int64)
    unused = np.empty(0, dtype=np.int64)
    for t in range(block * 1024, min(points.shape[0], (block + 1) * 1024)):
        totals[t] = _visit(points[t], tree, radius, kind, p, stack, unused, weights, True)


@numba.njit(cache=True, parallel=True)
def _weights_parallel(tree, weights, radius, kind, p, depth, totals):
    for block in numba.prange((totals.size + 1023) // 1024):
        _weights_block(tree, weights, radius, kind, p, depth, block, totals)


@numba.njit(cache=True)
def _weights_serial(tree, weights, radius, kind, p, depth, totals):
    for block in range((totals.size + 1023) // 1024):
        _weights_block(tree, weights, radius, kind, p, depth, block, totals)


#: Rows from which the neighbourhood weights are computed on every thread (a parallel
#: region costs milliseconds on a busy machine).
PARALLEL_ROWS = 20_000


def neighbourhood_weights(tree, weights, radius, kind, p, depth) -> np.ndarray:
    """Total weight within the radius of every row (tree order)."""
    totals = np.zeros(weights.size)
    kernel = _weights_parallel if weights.size >= PARALLEL_ROWS else _weights_serial
    kernel(tree, weights, radius, kind, p, depth, totals)
    return totals


@numba.njit(cache=True)
def _expand_tree(tree, radius, kind, p, depth, core):
    """Labels (tree order) by depth-first expansion from core rows (−1: noise).

    Seeds are taken in the order of ``rank`` (the original row order), so clusters
    are numbered as in a row-order scan.
    """
    points, rank = tree[0], tree[-1]
    n = core.size
    labels = np.full(n, -1, dtype=np.int64)
    pending = np.empty(n, dtype=np.int64)
    stack = np.empty(2 * depth + 2, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    unused = np.empty(0)
    label = 0
    for r in range(n):
        seed = rank[r]
        if labels[seed] != -1 or not core[seed]:
            continue
        labels[seed] = label
        pending[0] = seed
        top = 1
        while top > 0:
            top -= 1
            i = pending[top]
            if not core[i]:
                continue
            found = int(_visit(points[i], tree[:-1], radius, kind, p, stack, out, unused, False))
            for t in range(found):
                j = out[t]
                if labels[j] == -1:
                    labels[j] = label
                    pending[top] = j
                    top += 1
        label += 1
    return labels


@numba.njit(cache=True)
def _expand_dense(D, eps, core):
    """As :func:`_expand_tree`, the neighbours of row i being ``D[i] ≤ eps``."""
    n = core.size
    labels = np.full(n, -1, dtype=np.int64)
    pending = np.empty(n, dtype=np.int64)
    label = 0
    for seed in range(n):
        if labels[seed] != -1 or not core[seed]:
            continue
        labels[seed] = label
        pending[0] = seed
        top = 1
        while top > 0:
            top -= 1
            i = pending[top]
            if not core[i]:
                continue
            for j in range(n):
                if D[i, j] <= eps and labels[j] == -1:
                    labels[j] = label
                    pending[top] = j
                    top += 1
        label += 1
    return labels


# ----------------------------------------------------------------------------- helpers
def kd_tree(X: np.ndarray, weights: np.ndarray, leaf_size: int) -> tuple[tuple, np.ndarray, int]:
    """SciPy's KD-tree as flat arrays for the kernels.

    Returns ``(points, start, end, left, right, lower, upper, node_weight, rank)`` —
    the rows in tree order (leaves contiguous), each node's range of positions, its
    children (−1 at a leaf), bounding box and total weight, and ``rank[i]``, the
    tree position of row i — together with the row order and the tree depth.
    """
    tree = cKDTree(X, leafsize=leaf_size)
    start, end, left, right = [], [], [], []
    depth = 0
    pending = [(tree.tree, -1, 0, 0)]  # node, parent, side, level
    while pending:
        node, parent, side, level = pending.pop()
        index = len(start)
        depth = max(depth, level)
        if parent >= 0:
            (left if side == 0 else right)[parent] = index
        start.append(node.start_idx)
        end.append(node.end_idx)
        left.append(-1)
        right.append(-1)
        if node.split_dim != -1:
            pending.append((node.greater, index, 1, level + 1))
            pending.append((node.lesser, index, 0, level + 1))
    ranges = [np.asarray(a, dtype=np.int64) for a in (start, end, left, right)]
    order = np.asarray(tree.indices, dtype=np.int64)
    del tree
    points = np.ascontiguousarray(X[order], dtype=np.float64)
    lower, upper = _node_boxes(points, *ranges)
    cumulative = np.concatenate([[0.0], np.cumsum(weights[order])])
    node_weight = cumulative[ranges[1]] - cumulative[ranges[0]]
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return (points, *ranges, lower, upper, node_weight, rank), order, depth


def _check_precomputed(D: np.ndarray) -> None:
    if D.shape[0] != D.shape[1]:
        raise DataValidationError(
            f"With metric='precomputed', X must be a square distance matrix; got shape "
            f"{D.shape}. Pass the n × n matrix of pairwise distances."
        )
    if np.any(D < 0):
        raise DataValidationError(
            f"Negative values in data passed to DBSCAN (minimum {D.min():.3g}): with "
            "metric='precomputed', X holds distances, which cannot be negative."
        )


class DBSCAN(ClusterMixin, BaseEstimator):
    """Density-based clustering with noise: core points within ε of each other connect.

    Parameters
    ----------
    eps : float, default=0.5
        Neighbourhood radius ε (> 0); a pair at distance exactly ε is neighbours.
    min_samples : int, default=5
        Weight (row count) a neighbourhood needs, the row itself included, for its
        centre to be a core point.
    metric : {"euclidean", "manhattan", "chebyshev", "minkowski", "precomputed", ...}
        Distance; "minkowski" uses ``p``; "precomputed": X is a distance matrix.
    p : float or None, default=None
        Minkowski power (≥ 1) for ``metric="minkowski"`` (None: 2).
    leaf_size : int, default=30
        Leaf size of the KD-tree.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n_samples,)
        Cluster of each row, −1 for noise.
    core_sample_indices_ : ndarray of shape (n_core,)
    components_ : ndarray of shape (n_core, n_features)
        The core rows.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import DBSCAN
    >>> X = np.array([[1.0, 2.0], [2.0, 2.0], [2.0, 3.0],
    ...               [8.0, 7.0], [8.0, 8.0], [25.0, 80.0]])
    >>> model = DBSCAN(eps=3, min_samples=2).fit(X)
    >>> model.labels_.tolist()
    [0, 0, 0, 1, 1, -1]
    """

    _parameter_constraints = {
        "eps": [Interval(float, 0, None, closed="neither")],
        "min_samples": [Interval(int, 1, None, closed="left")],
        "metric": [Options({*_POWERS, "precomputed"})],
        "p": [Interval(float, 1, None, closed="left"), None],
        "leaf_size": [Interval(int, 1, None, closed="left")],
    }

    def __init__(
        self,
        eps: float = 0.5,
        *,
        min_samples: int = 5,
        metric: str = "euclidean",
        p: float | None = None,
        leaf_size: int = 30,
    ):
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.p = p
        self.leaf_size = leaf_size

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.pairwise = self.metric == "precomputed"
        tags.positive_X = self.metric == "precomputed"
        return tags

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DBSCAN:
        """Find core points, connect them, attach border points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
            Rows, or distances when ``metric="precomputed"``.
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Weight of each row in the neighbourhood counts.

        Returns
        -------
        self
        """
        self._validate_params()
        X = validate_data(self, X, dtype=(np.float64, np.float32))
        w = check_sample_weight(sample_weight, X.shape[0])
        if self.metric == "precomputed":
            _check_precomputed(X)
            core = (X <= self.eps) @ w >= self.min_samples
            self.labels_ = _expand_dense(X, self.eps, core)
        else:
            power = _POWERS[self.metric]
            power = (2.0 if self.p is None else float(self.p)) if power is None else power
            kind = _REDUCTIONS.get(power, 3)
            radius = self.eps**2 if kind == 0 else (self.eps if kind < 3 else self.eps**power)
            tree, order, depth = kd_tree(X, w, self.leaf_size)
            totals = neighbourhood_weights(tree[:-1], w[order], radius, kind, power, depth)
            core_sorted = totals >= self.min_samples
            labels = _expand_tree(tree, radius, kind, power, depth, core_sorted)
            self.labels_ = np.empty_like(labels)
            self.labels_[order] = labels
            core = np.empty_like(core_sorted)
            core[order] = core_sorted
        self.core_sample_indices_ = np.flatnonzero(core)
        self.components_ = X[core].copy()
        return self
