"""Grow one regression tree on gradients and Hessians, best leaf first.

A boosting iteration fits a tree ``f`` to the second-order expansion of the loss
around the current predictions,

    Σᵢ [gᵢ f(xᵢ) + ½ hᵢ f(xᵢ)²] + ½ λ Σ_leaves v²,

whose minimiser on a fixed partition gives each leaf the Newton value
``v = −G/(H + λ)`` (sums over the leaf's rows) and lowers the objective by
``½ G²/(H + λ)`` per leaf (see :mod:`lemma.models.ensemble._histogram`). The
partition itself is grown greedily and *leaf-wise*: every open leaf knows its
best split and its gain, and the leaf with the largest gain is split next, until
``max_leaf_nodes`` leaves exist or no leaf can be split (gain ≤ 0, fewer than
``2 × min_samples_leaf`` rows, Hessian sum below ``min_hessian_to_split``, or
``max_depth`` reached). Leaf values are multiplied by the learning rate at the end.

Rows of each node are a contiguous range of one ``partition`` array; splitting a
node reorders its range stably (left rows first) in parallel chunks. Monotonic
constraints follow scikit-learn: after a split on a constrained feature, the
children's descendants are bounded by the midpoint of the two children's values
(below it on the left for an increasing constraint, above it on the right), so
every leaf to the left stays below every leaf to the right. Interaction
constraints: a node's descendants may only split on features sharing a group
with every feature split on along the path.

Reference: Shi, "Best-first decision tree learning", MSc thesis, Waikato 2007;
Ke et al., "LightGBM", NeurIPS 2017 (leaf-wise growth); scikit-learn's
``TreeGrower`` (bounds for monotonic constraints).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from lemma.models.ensemble._histogram import (
    find_node_split,
    histograms,
    node_value,
    run_kernel,
)

__all__ = ["Buffers", "GrowerSettings", "TreeGrower", "add_leaf_values"]


@numba.njit(cache=True)
def _partition_chunk(
    binned,
    partition,
    a,
    b,
    feature,
    bin_threshold,
    missing_left,
    bitset,
    is_categorical,
    missing_bin,
    left_buffer,
    right_buffer,
):
    """Rows of ``partition[a:b]`` going left to ``left_buffer[a:]``, the others to
    ``right_buffer[a:]``, in order; returns both counts.

    Branch-free: every row is written to both buffers and only the count of its side
    advances (which side a row takes is unpredictable, a branch would stall).
    """
    n_left = 0
    n_right = 0
    column = binned[:, feature]
    missing = np.int64(missing_left)
    for t in range(a, b):
        i = partition[t]
        code = column[i]
        if is_categorical:
            goes_left = np.int64((bitset[code >> 5] >> (code & 31)) & 1)
        else:
            goes_left = np.int64(code <= bin_threshold) | (missing & np.int64(code == missing_bin))
        left_buffer[a + n_left] = i
        right_buffer[a + n_right] = i
        n_left += goes_left
        n_right += 1 - goes_left
    return n_left, n_right


@numba.njit(cache=True)
def _split_rows_serial(
    binned,
    partition,
    start,
    stop,
    feature,
    bin_threshold,
    missing_left,
    bitset,
    is_categorical,
    missing_bin,
    n_chunks,
    left_buffer,
    right_buffer,
):
    n_left, n_right = _partition_chunk(
        binned,
        partition,
        start,
        stop,
        feature,
        bin_threshold,
        missing_left,
        bitset,
        is_categorical,
        missing_bin,
        left_buffer,
        right_buffer,
    )
    partition[start : start + n_left] = left_buffer[start : start + n_left]
    partition[start + n_left : stop] = right_buffer[start : start + n_right]
    return n_left


@numba.njit(parallel=True, cache=True)
def _split_rows_parallel(
    binned,
    partition,
    start,
    stop,
    feature,
    bin_threshold,
    missing_left,
    bitset,
    is_categorical,
    missing_bin,
    n_chunks,
    left_buffer,
    right_buffer,
):
    chunk = (stop - start + n_chunks - 1) // n_chunks
    counts = np.zeros((n_chunks, 2), np.int64)
    for c in numba.prange(n_chunks):
        a = start + c * chunk
        b = min(a + chunk, stop)
        counts[c, 0], counts[c, 1] = _partition_chunk(
            binned,
            partition,
            a,
            b,
            feature,
            bin_threshold,
            missing_left,
            bitset,
            is_categorical,
            missing_bin,
            left_buffer,
            right_buffer,
        )
    offsets = np.empty((n_chunks, 2), np.int64)
    offsets[0, 0] = start
    offsets[0, 1] = start + counts[:, 0].sum()
    for c in range(1, n_chunks):
        offsets[c, 0] = offsets[c - 1, 0] + counts[c - 1, 0]
        offsets[c, 1] = offsets[c - 1, 1] + counts[c - 1, 1]
    for c in numba.prange(n_chunks):
        a = start + c * chunk
        partition[offsets[c, 0] : offsets[c, 0] + counts[c, 0]] = left_buffer[a : a + counts[c, 0]]
        partition[offsets[c, 1] : offsets[c, 1] + counts[c, 1]] = right_buffer[a : a + counts[c, 1]]
    return offsets[0, 1] - start


@numba.njit(cache=True)
def _fill_range(partition):
    """``partition[i] = i`` (without the temporary of ``np.arange``)."""
    for i in range(partition.size):
        partition[i] = i


@numba.njit(cache=True)
def add_leaf_values(raw, partition, starts, stops, values):
    """``raw[partition[starts[l]:stops[l]]] += values[l]`` for every leaf ``l``."""
    for leaf in range(starts.size):
        for t in range(starts[leaf], stops[leaf]):
            raw[partition[t]] += values[leaf]


@dataclass
class GrowerSettings:
    """What every tree of a fit shares: feature metadata and growth limits."""

    n_bins: int
    n_bins_non_missing: np.ndarray
    has_missing: np.ndarray
    is_categorical: np.ndarray
    monotonic_cst: np.ndarray
    interaction_groups: list[np.ndarray] | None
    max_leaf_nodes: int | None
    max_depth: int | None
    min_samples_leaf: int
    l2_regularization: float
    max_features: float
    learning_rate: float
    min_hessian_to_split: float = 1e-3


@dataclass
class Buffers:
    """Work arrays reused by every tree of a fit.

    ``partition``, ``left`` and ``right`` hold row numbers (length n); the ordered
    gradients and Hessians only ever hold a smaller child's rows (length n/2 + 1).
    """

    n_samples: int
    grad_dtype: Any = np.float64
    partition: np.ndarray = field(init=False)
    left: np.ndarray = field(init=False)
    right: np.ndarray = field(init=False)
    ordered_gradients: np.ndarray = field(init=False)
    ordered_hessians: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.n_samples
        self.partition = np.empty(n, np.uint32)
        self.left = np.empty(n, np.uint32)
        self.right = np.empty(n, np.uint32)
        self.ordered_gradients = np.empty(n // 2 + 1, self.grad_dtype)
        self.ordered_hessians = np.empty(n // 2 + 1, self.grad_dtype)


class _Node:
    __slots__ = (
        "depth",
        "features",
        "groups",
        "hist",
        "left",
        "lower",
        "right",
        "split",
        "start",
        "stop",
        "sums",
        "upper",
        "value",
    )

    def __init__(self, start, stop, depth, sums, value, features, groups):
        self.start, self.stop, self.depth = start, stop, depth
        self.sums, self.value = sums, value
        self.lower, self.upper = -math.inf, math.inf
        self.hist = None
        self.split = None
        self.features, self.groups = features, groups
        self.left = self.right = None

    @property
    def n_rows(self) -> int:
        return self.stop - self.start


class TreeGrower:
    """Grows one tree on ``(gradients, hessians)`` over binned data.

    Parameters
    ----------
    binned : ndarray of uint8, shape (n, d), Fortran-ordered
    gradients, hessians : ndarray of shape (n,)
        Weighted first and second derivatives of the loss at the current raw
        predictions.
    settings : GrowerSettings
    buffers : Buffers
    rng : numpy.random.Generator
        Draws the features considered at each split when ``max_features < 1``.

    Attributes
    ----------
    leaves : list
        Leaf nodes after :meth:`grow`; each has ``start``, ``stop`` (its rows are
        ``buffers.partition[start:stop]``) and ``value``.
    """

    def __init__(self, binned, gradients, hessians, settings, buffers, rng):
        self.binned = binned
        self.gradients = gradients
        self.hessians = hessians
        self.s = settings
        self.buffers = buffers
        self.rng = rng
        self.leaves: list[_Node] = []
        self._heap: list[tuple[float, int, _Node]] = []
        self._pushed = 0
        self._n_features = binned.shape[1]
        self._n_threads = numba.get_num_threads()

    # ------------------------------------------------------------------ growth
    def grow(self) -> TreeGrower:
        """Grow leaf-wise until the limits stop it; leaf values include the learning rate."""
        _fill_range(self.buffers.partition)
        self.root = self._make_root()
        self._consider(self.root)
        while self._heap:
            _, _, node = heapq.heappop(self._heap)
            self._split(node)
        for leaf in self.leaves:
            leaf.value *= self.s.learning_rate
        return self

    def _make_root(self) -> _Node:
        s = self.s
        if s.interaction_groups is None:
            features, groups = np.arange(self._n_features, dtype=np.int64), None
        else:
            groups = list(range(len(s.interaction_groups)))
            features = np.unique(np.concatenate(s.interaction_groups)).astype(np.int64)
        hist = np.empty((self._n_features, s.n_bins, 3))
        histograms(self.binned, self.gradients, self.hessians, features, hist)
        sums = hist[features[0]].sum(axis=0)
        n = self.binned.shape[0]
        value = node_value(sums[0], sums[1], -math.inf, math.inf, s.l2_regularization)
        root = _Node(0, n, 0, (float(sums[0]), float(sums[1]), float(n)), value, features, groups)
        root.hist = hist
        return root

    def _splittable(self, node: _Node) -> bool:
        s = self.s
        return (
            node.n_rows >= 2 * s.min_samples_leaf
            and node.sums[1] >= s.min_hessian_to_split
            and (s.max_depth is None or node.depth < s.max_depth)
        )

    def _consider(self, node: _Node) -> None:
        """Find the node's best split; queue it, or make the node a leaf."""
        if not self._splittable(node):
            self._make_leaf(node)
            return
        s = self.s
        allowed = np.zeros(self._n_features, np.uint8)
        features = node.features
        if s.max_features < 1.0:
            k = max(1, math.ceil(s.max_features * features.size))
            features = self.rng.choice(features, size=k, replace=False)
        allowed[features] = 1
        node.split = find_node_split(
            node.hist,
            s.n_bins_non_missing,
            s.has_missing,
            s.is_categorical,
            s.monotonic_cst,
            allowed,
            node.sums,
            node.value,
            (node.lower, node.upper),
            s.l2_regularization,
            (float(s.min_samples_leaf), s.min_hessian_to_split),
            s.n_bins - 1,
        )
        if node.split[0] <= 0.0:
            self._make_leaf(node)
            return
        heapq.heappush(self._heap, (-node.split[0], self._pushed, node))
        self._pushed += 1

    def _make_leaf(self, node: _Node) -> None:
        node.hist = None
        self.leaves.append(node)

    def _split(self, node: _Node) -> None:
        s = self.s
        gain, feature, bin_, missing_left, g_left, h_left, n_left, bitset = node.split
        count = run_kernel(
            "partition",
            4 * node.n_rows,
            _split_rows_serial,
            _split_rows_parallel,
            self.binned,
            self.buffers.partition,
            node.start,
            node.stop,
            feature,
            bin_,
            missing_left,
            bitset,
            bool(s.is_categorical[feature]),
            s.n_bins - 1,
            self._n_threads,
            self.buffers.left,
            self.buffers.right,
        )
        middle = node.start + int(count)
        sums_left = (g_left, h_left, n_left)
        sums_right = tuple(t - u for t, u in zip(node.sums, sums_left, strict=True))
        features, groups = self._child_features(node, feature)
        values = [
            node_value(sums[0], sums[1], node.lower, node.upper, s.l2_regularization)
            for sums in (sums_left, sums_right)
        ]
        left = _Node(node.start, middle, node.depth + 1, sums_left, values[0], features, groups)
        right = _Node(middle, node.stop, node.depth + 1, sums_right, values[1], features, groups)
        if not s.has_missing[feature]:
            missing_left = left.n_rows > right.n_rows
        node.split = (gain, feature, bin_, bool(missing_left), g_left, h_left, n_left, bitset)
        node.left, node.right = left, right
        self._set_bounds(node, feature, left, right)
        n_leaves = len(self.leaves) + len(self._heap) + 2
        if s.max_leaf_nodes is not None and n_leaves >= s.max_leaf_nodes:
            node.hist = None
            self._make_leaf(left)
            self._make_leaf(right)
            while self._heap:
                self._make_leaf(heapq.heappop(self._heap)[2])
            return
        self._child_histograms(node, left, right)
        self._consider(left)
        self._consider(right)

    def _set_bounds(self, node: _Node, feature: int, left: _Node, right: _Node) -> None:
        cst = self.s.monotonic_cst[feature]
        left.lower, left.upper = node.lower, node.upper
        right.lower, right.upper = node.lower, node.upper
        if cst == 0:
            return
        middle = 0.5 * (left.value + right.value)
        if cst == 1:
            left.upper, right.lower = middle, middle
        else:
            left.lower, right.upper = middle, middle

    def _child_features(self, node: _Node, feature: int):
        groups_all = self.s.interaction_groups
        if groups_all is None:
            return node.features, None
        groups = [g for g in node.groups if feature in groups_all[g]]
        features = np.unique(np.concatenate([groups_all[g] for g in groups])).astype(np.int64)
        return features, groups

    def _child_histograms(self, node: _Node, left: _Node, right: _Node) -> None:
        """Build the smaller child's histograms from rows, the other's by subtraction."""
        if not (self._splittable(left) or self._splittable(right)):
            node.hist = None
            return
        small, large = (left, right) if left.n_rows < right.n_rows else (right, left)
        b = self.buffers
        small.hist = np.empty_like(node.hist)
        histograms(
            self.binned,
            self.gradients,
            self.hessians,
            small.features,
            small.hist,
            rows=b.partition[small.start : small.stop],
            ordered=(b.ordered_gradients, b.ordered_hessians),
        )
        large.hist = node.hist
        node.hist = None
        features = large.features
        if features.size == self._n_features:
            np.subtract(large.hist, small.hist, out=large.hist)
        else:
            large.hist[features] -= small.hist[features]

    # ------------------------------------------------------------------ output
    def leaf_ranges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(starts, stops, values)`` of the leaves, for updating raw predictions."""
        starts = np.array([leaf.start for leaf in self.leaves], dtype=np.int64)
        stops = np.array([leaf.stop for leaf in self.leaves], dtype=np.int64)
        values = np.array([leaf.value for leaf in self.leaves], dtype=np.float64)
        return starts, stops, values

    def to_arrays(self, thresholds: list[np.ndarray]) -> dict[str, np.ndarray]:
        """The tree as flat node arrays in breadth-first order (see ``_predictor``).

        Siblings are numbered consecutively (``right = left + 1``). Numeric splits get
        the real threshold ``edges[bin]`` (``+inf`` when every non-missing value goes
        left); categorical splits a row of ``bitsets``.
        """
        order: list[_Node] = [self.root]
        for node in order:  # the list grows while it is read: breadth-first
            if node.left is not None:
                order += [node.left, node.right]
        index = {id(node): k for k, node in enumerate(order)}
        size = len(order)
        arrays = {
            "feature": np.full(size, -1, np.int32),
            "threshold": np.full(size, np.nan),
            "missing_left": np.zeros(size, np.uint8),
            "bitset_row": np.full(size, -1, np.int32),
            "left": np.full(size, -1, np.int32),
            "right": np.full(size, -1, np.int32),
            "value": np.zeros(size),
            "gain": np.zeros(size),
            "count": np.zeros(size),
        }
        bitsets = []
        for k, node in enumerate(order):
            arrays["count"][k] = node.n_rows
            if node.left is None:
                arrays["value"][k] = node.value  # already scaled by the learning rate
                continue
            arrays["value"][k] = node.value * self.s.learning_rate
            gain, feature, bin_, missing_left, *_, bitset = node.split
            arrays["feature"][k] = feature
            arrays["missing_left"][k] = missing_left
            arrays["left"][k] = index[id(node.left)]
            arrays["right"][k] = index[id(node.right)]
            arrays["gain"][k] = gain
            if self.s.is_categorical[feature]:
                arrays["bitset_row"][k] = len(bitsets)
                bitsets.append(bitset)
            else:
                edges = thresholds[feature]
                arrays["threshold"][k] = edges[bin_] if bin_ < edges.size else np.inf
        arrays["bitsets"] = (
            np.array(bitsets, dtype=np.uint32).reshape(-1, 8)
            if bitsets
            else np.zeros((0, 8), np.uint32)
        )
        return arrays
