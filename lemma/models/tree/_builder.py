"""Growing one CART tree depth first, compiled with Numba.

The builder keeps the rows of the node being split as a contiguous range
``samples[start:end]`` of one index array. At each node it

1. sums the node's statistics (:mod:`lemma.models.tree._criteria`) and stops
   (makes a leaf) if the depth limit, ``min_samples_split``, ``2·min_samples_leaf``
   or ``2·min_weight_leaf`` is reached or the node is pure (impurity ≤ machine ε);
2. draws candidate features without replacement, skipping features already known to
   be constant in an ancestor, until ``max_features`` non-constant ones have been
   examined (more if all drawn so far were constant);
3. for each candidate sorts the node's rows by the feature — by its dense ranks,
   computed once per fit (:func:`rank_columns`), with a least-significant-digit radix
   sort on as many 8-bit digits as the node's range of ranks needs (one pass for a
   feature with at most 256 distinct values) for large nodes, quicksort for middle
   sized ones and insertion sort for small ones — and
   sweeps the sorted rows once, moving one row at a time from the right child to the
   left and evaluating the criterion's proxy at every position between two *distinct*
   values that leaves at least ``min_samples_leaf`` rows and ``min_weight_leaf``
   weight on each side;
   the threshold is the midpoint of the two values;
4. partitions the range by the best split, keeps the split if its weighted impurity
   decrease reaches ``min_impurity_decrease``, and pushes the right child then the
   left child on a stack — so nodes are numbered in depth-first preorder, left
   first, as scikit-learn's ``DepthFirstTreeBuilder`` numbers them.

Randomness follows scikit-learn exactly, so the same ``random_state`` visits features in
the same order: a 32-bit xorshift generator (Marsaglia, 2003; shifts 13, 17, 5) seeded
with ``RandomState(random_state).randint(0, 2³¹ − 1)`` draws ``rand_int(a, b) = a +
(xorshift() mod 2³¹) mod (b − a)``, and the feature array is permuted in place by a
Fisher–Yates draw that keeps the constant features found so far at its front. The order
matters only when two splits are exactly equally good (a tie is kept by the feature
visited first); with ``max_features < n_features`` it decides which features are seen.

Rows with zero weight are left out before building (they count in no node), as in
scikit-learn. The sums of the chosen split's children are formed in scikit-learn's order
(the smaller child summed, the other by difference) and the impurities with its
formulas, so impurities agree to the last bit and the two builders make the same
decisions. One consequence, shared with scikit-learn: with fractional weights a pure
child computed by difference can carry a rounding residue (|I| of order 1e-16); if it
exceeds ε the node is split once more into pure children that predict the same.

Unlike scikit-learn, which converts X to float32 and treats values closer than 1e-7 as
equal, lemma splits X in its own precision (float32 or float64) and treats only equal
values as ties.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*,
1984, ch. 2-4; Knuth, *The Art of Computer Programming* vol. 3, 2nd ed., 1998, §5.2.5
(radix sorting); Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lemma.models.tree._criteria import (
    GINI,
    SQUARED_ERROR,
    add_row,
    impurity,
    proxy_improvement,
)

__all__ = [
    "EPSILON",
    "RAND_R_MAX",
    "TREE_LEAF",
    "TREE_UNDEFINED",
    "add_leaf_values",
    "apply_rows",
    "build_tree",
    "pack_nodes",
    "rank_columns",
    "sort_by_rank",
    "thresholds",
]

#: Children of a leaf.
TREE_LEAF = -1
#: Feature and threshold of a leaf.
TREE_UNDEFINED = -2
#: Seeds of the xorshift generator are drawn in [0, RAND_R_MAX).
RAND_R_MAX = 2**31 - 1
#: A node whose impurity is at most this is pure; a split must beat
#: ``min_impurity_decrease`` by more than this (scikit-learn's tolerances).
EPSILON = float(np.finfo(np.float64).eps)

_INSERTION_ROWS = 16
_RADIX_ROWS = 512
_RADIX_BITS = 8
_RADIX_MASK = (1 << _RADIX_BITS) - 1
_STATE_MASK = 0xFFFFFFFF
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_LN2 = math.log(2.0)


# ----------------------------------------------------------------------------- random
@numba.njit(cache=True, nogil=True)
def _rand_int(low: int, high: int, state: np.ndarray) -> int:  # pragma: no cover
    """An integer in [low, high) from the 32-bit xorshift generator in ``state[0]``."""
    s = state[0]
    if s == 0:
        s = 1
    s ^= (s << 13) & _STATE_MASK
    s ^= s >> 17
    s ^= (s << 5) & _STATE_MASK
    state[0] = s
    return low + (s % (RAND_R_MAX + 1)) % (high - low)


# ----------------------------------------------------------------------------- ranks
def rank_columns(X: np.ndarray) -> np.ndarray:
    """Dense ranks of each column of X: equal values share a rank, order is kept.

    A column of whole numbers spanning fewer than 4n values is ranked by counting (which
    values occur, then a cumulative sum), in O(n); any other column by sorting.

    Returns
    -------
    ndarray of shape (n_features, n_samples), uint32
        ``ranks[j, i] < ranks[j, k]`` exactly when ``X[i, j] < X[k, j]``.
    """
    n_samples, n_features = X.shape
    ranks = np.empty((n_features, n_samples), dtype=np.uint32)
    for j in range(n_features):
        column = np.ascontiguousarray(X[:, j])  # one column at a time: no copy of X
        low, high = column.min(), column.max()
        if high - low < 4 * n_samples and np.array_equal(column, np.floor(column)):
            codes = (column - low).astype(np.int64)
            occurs = np.zeros(int(high - low) + 1, dtype=np.uint32)
            occurs[codes] = 1
            ranks[j] = (np.cumsum(occurs, dtype=np.uint32) - 1)[codes]
            continue
        order = np.argsort(column)
        ordered = column[order]
        new_value = np.empty(n_samples, dtype=np.uint32)
        new_value[0] = 0
        new_value[1:] = ordered[1:] != ordered[:-1]
        ranks[j, order] = np.cumsum(new_value, dtype=np.uint32)
    return ranks


# ----------------------------------------------------------------------------- sorting
@numba.njit(cache=True, nogil=True)
def _insertion_sort(keys, lo, hi):  # pragma: no cover
    for i in range(lo + 1, hi):
        key = keys[i]
        j = i - 1
        while j >= lo and keys[j] > key:
            keys[j + 1] = keys[j]
            j -= 1
        keys[j + 1] = key


@numba.njit(cache=True, nogil=True)
def _quicksort(keys, lo, hi):  # pragma: no cover
    """Sort ``keys[lo:hi]`` (distinct int64): median-of-three quicksort, Hoare partition."""
    stack = np.empty((64, 2), dtype=np.int64)
    top = 0
    while True:
        while hi - lo > _INSERTION_ROWS:
            mid = (lo + hi) // 2
            a, b, c = keys[lo], keys[mid], keys[hi - 1]
            pivot = max(min(a, b), min(max(a, b), c))
            i, j = lo, hi - 1
            while True:
                while keys[i] < pivot:
                    i += 1
                while keys[j] > pivot:
                    j -= 1
                if i >= j:
                    break
                keys[i], keys[j] = keys[j], keys[i]
                i += 1
                j -= 1
            split = j + 1  # keys[lo:split] <= pivot <= keys[split:hi]
            if split - lo < hi - split:  # keep the larger part for later
                stack[top, 0], stack[top, 1] = split, hi
                hi = split
            else:
                stack[top, 0], stack[top, 1] = lo, split
                lo = split
            top += 1
        _insertion_sort(keys, lo, hi)
        if top == 0:
            return
        top -= 1
        lo, hi = stack[top, 0], stack[top, 1]


@numba.njit(cache=True, nogil=True)
def _radix_sort(keys, buffer, counts, lo, hi, low, n_bits):  # pragma: no cover
    """Sort ``keys[lo:hi]`` stably by ``(key >> 32) − low`` (< 2^n_bits), 8 bits a pass."""
    source, target = keys, buffer
    n_passes = 0
    mask = np.uint64(_RADIX_MASK)
    for bits in range(0, n_bits, _RADIX_BITS):
        shift = np.uint64(bits)
        counts[:] = 0
        for p in range(lo, hi):
            counts[(((source[p] >> _SHIFT32) - low) >> shift) & mask] += 1
        offset = lo
        for digit in range(_RADIX_MASK + 1):
            offset, counts[digit] = offset + counts[digit], offset
        for p in range(lo, hi):
            digit = (((source[p] >> _SHIFT32) - low) >> shift) & mask
            target[counts[digit]] = source[p]
            counts[digit] += 1
        source, target = target, source
        n_passes += 1
    if n_passes % 2 == 1:
        keys[lo:hi] = buffer[lo:hi]


@numba.njit(cache=True, nogil=True)
def sort_by_rank(rank, samples, start, end, keys, buffer, counts):  # pragma: no cover
    """Sort the rows ``samples[start:end]`` by ``rank[row]`` into ``keys[start:end]``.

    Each row becomes the key ``rank · 2³² + row`` (all keys distinct). Keys are sorted by
    quicksort below 512 rows and otherwise by an LSD radix sort on as many 8-bit digits
    as the node's range of ranks needs. Afterwards ``keys[p] >> 32`` is the p-th smallest
    rank and ``keys[p] & (2³² − 1)`` its row; ``samples`` is left as it was. Returns
    False, without sorting, when all ranks are equal.
    """
    low = high = np.uint64(rank[samples[start]])
    for p in range(start, end):
        r = np.uint64(rank[samples[p]])
        keys[p] = (r << _SHIFT32) | np.uint64(samples[p])
        low = min(low, r)
        high = max(high, r)
    if high == low:
        return False
    n_rows = end - start
    n_bits = int(np.log2(np.float64(high - low))) + 1
    n_passes = (n_bits + _RADIX_BITS - 1) // _RADIX_BITS
    # radix: about (2 n + 2·256) steps a pass; quicksort: about 3 n log₂ n
    if n_rows <= _INSERTION_ROWS or n_passes * (2 * n_rows + 512) > 3 * n_rows * np.log2(n_rows):
        _quicksort(keys, start, end)
    else:
        _radix_sort(keys, buffer, counts, start, end, low, n_bits)
    return True


# ----------------------------------------------------------------------------- splitting
@numba.njit(cache=True, nogil=True, inline="always")
def _offer(keys, p, proxy, best):  # pragma: no cover
    """Record the split after position p: proxy, position, the rank going left last, and
    the rows of the two values around the threshold (``thresholds`` computes it)."""
    best[0], best[1], best[2] = proxy, p + 1, keys[p] >> _SHIFT32
    best[3], best[4] = keys[p] & _MASK32, keys[p + 1] & _MASK32


@numba.njit(cache=True, nogil=True, inline="always")
def _two_class_impurity(count_0, count_1, weight, criterion):  # pragma: no cover
    """:func:`~lemma.models.tree._criteria.impurity` for two classes, on scalars.

    The same operations in the same order, so the same value to the last bit; the sweep
    evaluates it at every candidate position, where scalars stay in registers.
    """
    if criterion == GINI:
        return 1.0 - (count_0 * count_0 + count_1 * count_1) / (weight * weight)
    total = 0.0
    if count_0 > 0.0:
        p = count_0 / weight
        total -= p * (math.log(p) / _LN2)
    if count_1 > 0.0:
        p = count_1 / weight
        total -= p * (math.log(p) / _LN2)
    return total


@numba.njit(cache=True, nogil=True)
def _sweep(target, weight, keys, start, end, node_stats, w_node, min_samples_leaf,
           min_weight_leaf, criterion, left, right, best):  # fmt: skip  # pragma: no cover
    """Sweep the rows sorted by one feature (``keys``); improve ``best`` if possible.

    ``best`` is (proxy, position, threshold, rank of the last value going left). The
    left child's statistics are scalars for squared error (Σwy) and for two classes,
    the ``left`` array otherwise.
    """
    mode = 0 if criterion == SQUARED_ERROR else (1 if left.shape[0] == 2 else 2)
    left[:] = 0.0
    sum_left = count_0 = count_1 = w_left = 0.0
    found = False
    for p in range(start, end - 1):
        i = keys[p] & _MASK32
        if mode == 0:
            sum_left += weight[i] * target[i]
        elif mode == 1:
            if target[i] == 0.0:
                count_0 += weight[i]
            else:
                count_1 += weight[i]
        else:
            left[int(target[i])] += weight[i]
        w_left += weight[i]
        if keys[p + 1] >> _SHIFT32 == keys[p] >> _SHIFT32:
            continue  # equal values: no threshold between them
        if p + 1 - start < min_samples_leaf:
            continue
        if end - p - 1 < min_samples_leaf:
            break
        w_right = w_node - w_left
        if w_left < min_weight_leaf or w_right < min_weight_leaf:
            continue
        if mode == 0:  # the proxy S_L²/W_L + S_R²/W_R of _criteria
            sum_right = node_stats[0] - sum_left
            proxy = sum_left * sum_left / w_left + sum_right * sum_right / w_right
        elif mode == 1:
            impurity_left = _two_class_impurity(count_0, count_1, w_left, criterion)
            impurity_right = _two_class_impurity(
                node_stats[0] - count_0, node_stats[1] - count_1, w_right, criterion
            )
            proxy = -(w_left * impurity_left + w_right * impurity_right)
        else:
            for k in range(left.shape[0]):
                right[k] = node_stats[k] - left[k]
            proxy = proxy_improvement(left, right, w_left, w_right, criterion)
        if proxy > best[0]:
            _offer(keys, p, proxy, best)
            found = True
    return found


@numba.njit(cache=True, nogil=True)
def _best_split(data, work, start, end, node_stats, w_node, features, constant_features,
                n_known_constants, rng, settings):  # fmt: skip  # pragma: no cover
    """Best split of ``samples[start:end]``: (position, feature, rank, threshold, n constants).

    The position is ``end`` when no split is allowed. On return the rows are ordered by
    the last feature sorted (as scikit-learn leaves them), ready to be partitioned.
    """
    ranks, target, weight, samples = data
    keys, buffer, counts, left, right = work
    max_features, min_samples_leaf, min_weight_leaf, criterion = settings
    best = np.array([-np.inf, float(end), 0.0, 0.0, 0.0])
    best_feature = 0
    sorted_any = False
    f_i = ranks.shape[0]
    n_visited = n_found_constants = n_drawn_constants = 0
    n_total_constants = n_known_constants
    while f_i > n_total_constants and (
        n_visited < max_features or n_visited <= n_found_constants + n_drawn_constants
    ):
        n_visited += 1
        f_j = _rand_int(n_drawn_constants, f_i - n_found_constants, rng)
        if f_j < n_known_constants:  # a feature known to be constant: set it aside
            features[n_drawn_constants], features[f_j] = features[f_j], features[n_drawn_constants]
            n_drawn_constants += 1
            continue
        f_j += n_found_constants
        feature = features[f_j]
        if not sort_by_rank(ranks[feature], samples, start, end, keys, buffer, counts):
            # constant in this node: kept at the front for the descendants
            features[f_j], features[n_total_constants] = features[n_total_constants], features[f_j]
            n_found_constants += 1
            n_total_constants += 1
            continue
        sorted_any = True
        f_i -= 1
        features[f_i], features[f_j] = features[f_j], features[f_i]
        if _sweep(target, weight, keys, start, end, node_stats, w_node,
                  min_samples_leaf, min_weight_leaf, criterion, left, right, best):  # fmt: skip
            best_feature = feature
    if sorted_any:
        for p in range(start, end):
            samples[p] = keys[p] & _MASK32
    features[:n_known_constants] = constant_features[:n_known_constants]
    constant_features[n_known_constants:n_total_constants] = features[
        n_known_constants:n_total_constants
    ]
    return int(best[1]), best_feature, int(best[2]), int(best[3]), int(best[4]), n_total_constants


@numba.njit(cache=True, nogil=True)
def _partition(rank, samples, start, end, last_left):  # pragma: no cover
    """Reorder ``samples[start:end]`` so rows with ``rank ≤ last_left`` come first."""
    i, j = start, end
    while i < j:
        if rank[samples[i]] <= last_left:
            i += 1
        else:
            j -= 1
            samples[i], samples[j] = samples[j], samples[i]
    return i


@numba.njit(cache=True, nogil=True)
def _node_statistics(
    target, weight, samples, start, end, criterion, node_stats
):  # pragma: no cover
    """Statistics of ``samples[start:end]`` into ``node_stats``; returns their weight."""
    node_stats[:] = 0.0
    w_node = 0.0
    for p in range(start, end):
        add_row(node_stats, target[samples[p]], weight[samples[p]], criterion)
        w_node += weight[samples[p]]
    return w_node


@numba.njit(cache=True, nogil=True)
def _left_statistics(
    target, weight, samples, start, pos, end, node_stats, w_node, criterion, left
):  # pragma: no cover
    """Statistics of ``samples[start:pos]`` into ``left``; returns their weight.

    Sums the smaller child's rows: the left's directly, or the node's minus the right's
    (rows taken from the end), in scikit-learn's order, so that rounding agrees.
    """
    if pos - start <= end - pos:
        left[:] = 0.0
        w_left = 0.0
        for p in range(start, pos):
            add_row(left, target[samples[p]], weight[samples[p]], criterion)
            w_left += weight[samples[p]]
    else:
        left[:] = node_stats
        w_left = w_node
        for p in range(end - 1, pos - 1, -1):
            add_row(left, target[samples[p]], -weight[samples[p]], criterion)
            w_left -= weight[samples[p]]
    if criterion == SQUARED_ERROR:  # Σwy² of the left rows is always summed directly
        left[1] = 0.0
        for p in range(start, pos):
            wy = weight[samples[p]] * target[samples[p]]
            left[1] += wy * target[samples[p]]
    return w_left


@numba.njit(cache=True, nogil=True, inline="always")
def _push(stack, stack_impurity, top, start, end, depth, parent, is_left, n_constants,
          node_impurity):  # fmt: skip  # pragma: no cover
    stack[top, 0], stack[top, 1], stack[top, 2] = start, end, depth
    stack[top, 3], stack[top, 4], stack[top, 5] = parent, is_left, n_constants
    stack_impurity[top, 0] = node_impurity
    return top + 1


@numba.njit(cache=True, nogil=True)
def _grow_fields(array, capacity):  # pragma: no cover
    """``array`` (one row per field) with room for ``capacity`` nodes."""
    out = np.empty((array.shape[0], capacity), dtype=array.dtype)
    out[:, : array.shape[1]] = array
    return out


@numba.njit(cache=True, nogil=True)
def _grow(array, capacity):  # pragma: no cover
    out = np.empty((capacity, array.shape[1]), dtype=array.dtype)
    out[: array.shape[0]] = array
    return out


# ----------------------------------------------------------------------------- building
@numba.njit(cache=True, nogil=True)
def build_tree(ranks, target, weight, samples, n_stats, criterion, max_features, max_depth,
               min_samples_split, min_samples_leaf, min_weight_leaf, min_impurity_decrease,
               seed):  # fmt: skip  # pragma: no cover
    """Grow a tree depth first on ``samples`` (rows with positive weight; reordered).

    Parameters
    ----------
    ranks : ndarray of shape (n_features, n_rows), uint32
        :func:`rank_columns` of X: one contiguous row per feature.
    target : ndarray of shape (n_rows,), float64
        Class codes 0..K-1 (classification) or values (regression).
    weight : ndarray of shape (n_rows,), float64
    samples : ndarray of shape (n_samples,), int64
        The rows to grow on; permuted in place.
    n_stats, criterion : int
        Length of the statistics vector and the criterion code (see ``_criteria``).
    max_features, max_depth, min_samples_split, min_samples_leaf : int
    min_weight_leaf, min_impurity_decrease : float
    seed : int
        Seed of the xorshift generator, in [0, 2³¹ − 1).

    Returns
    -------
    nodes : ndarray of shape (6, n_nodes), int64
        children_left, children_right, feature, n_node_samples, and the rows holding the
        values just below and just above the threshold (for :func:`thresholds`).
    reals : ndarray of shape (2, n_nodes), float64
        impurity, weighted_n_node_samples.
    stats : ndarray of shape (n_nodes, n_stats), float64
        Statistics of each node (class weights, or Σwy and Σwy²).
    max_depth_seen : int
    """
    n_samples = samples.shape[0]
    n_features = ranks.shape[0]
    w_total = 0.0
    for p in range(n_samples):
        w_total += weight[samples[p]]
    capacity = min(2 * n_samples - 1, 1023)
    nodes = np.empty((6, capacity), dtype=np.int64)  # one row per field: no copy later
    reals = np.empty((2, capacity), dtype=np.float64)
    stats = np.empty((capacity, n_stats), dtype=np.float64)
    data = (ranks, target, weight, samples)
    left, right, node_stats = np.empty(n_stats), np.empty(n_stats), np.empty(n_stats)
    counts = np.empty(_RADIX_MASK + 1, dtype=np.int64)
    work = (np.empty(n_samples, np.uint64), np.empty(n_samples, np.uint64), counts, left, right)
    settings = (max_features, min_samples_leaf, min_weight_leaf, criterion)
    features = np.arange(n_features)
    constant_features = np.empty(n_features, dtype=np.int64)
    rng = np.array([seed], dtype=np.int64)
    # stack of nodes to grow: start, end, depth, parent, is_left, n_constants; impurity
    stack = np.empty((64, 6), dtype=np.int64)
    stack_impurity = np.empty((64, 1))
    top = _push(stack, stack_impurity, 0, 0, n_samples, 0, -1, 0, 0, np.inf)
    n_nodes = 0
    max_depth_seen = -1
    while top > 0:
        top -= 1
        start, end, depth = stack[top, 0], stack[top, 1], stack[top, 2]
        parent, is_left, n_constants = stack[top, 3], stack[top, 4], stack[top, 5]
        node_impurity = stack_impurity[top, 0]
        n_node = end - start
        w_node = _node_statistics(target, weight, samples, start, end, criterion, node_stats)
        is_leaf = (depth >= max_depth or n_node < min_samples_split
                   or n_node < 2 * min_samples_leaf or w_node < 2 * min_weight_leaf)  # fmt: skip
        if n_nodes == 0:
            node_impurity = impurity(node_stats, w_node, criterion)
        is_leaf = is_leaf or node_impurity <= EPSILON
        pos, feature, row_low, row_high = end, TREE_UNDEFINED, -1, -1
        impurity_left = impurity_right = 0.0
        if not is_leaf:
            pos, feature, last_left, row_low, row_high, n_constants = _best_split(
                data, work, start, end, node_stats, w_node, features, constant_features,
                n_constants, rng, settings,
            )  # fmt: skip
            is_leaf = pos >= end
        if not is_leaf:
            pos = _partition(ranks[feature], samples, start, end, last_left)
            w_left = _left_statistics(target, weight, samples, start, pos, end, node_stats,
                                      w_node, criterion, left)  # fmt: skip
            w_right = w_node - w_left
            for k in range(n_stats):
                right[k] = node_stats[k] - left[k]
            impurity_left = impurity(left, w_left, criterion)
            impurity_right = impurity(right, w_right, criterion)
            decrease = (w_node / w_total) * (
                node_impurity - w_right / w_node * impurity_right - w_left / w_node * impurity_left
            )
            is_leaf = decrease + EPSILON < min_impurity_decrease
        if is_leaf:
            feature, row_low, row_high = TREE_UNDEFINED, -1, -1
        if n_nodes == capacity:
            capacity = min(2 * capacity, 2 * n_samples - 1)
            nodes = _grow_fields(nodes, capacity)
            reals = _grow_fields(reals, capacity)
            stats = _grow(stats, capacity)
        node = n_nodes
        n_nodes += 1
        if parent >= 0:
            nodes[0 if is_left else 1, parent] = node
        nodes[0, node] = nodes[1, node] = TREE_LEAF
        nodes[2, node], nodes[3, node] = feature, n_node
        nodes[4, node], nodes[5, node] = row_low, row_high
        reals[0, node], reals[1, node] = node_impurity, w_node
        stats[node] = node_stats
        if top + 2 > stack.shape[0]:  # the stack is as deep as the tree: grow it
            stack = _grow(stack, 2 * stack.shape[0])
            stack_impurity = _grow(stack_impurity, 2 * stack.shape[0])
        if not is_leaf:  # right pushed first: the left child is grown next
            top = _push(stack, stack_impurity, top, pos, end, depth + 1, node, 0, n_constants,
                        impurity_right)  # fmt: skip
            top = _push(stack, stack_impurity, top, start, pos, depth + 1, node, 1, n_constants,
                        impurity_left)  # fmt: skip
        max_depth_seen = max(max_depth_seen, depth)
    if n_nodes < capacity:
        nodes, reals, stats = (
            nodes[:, :n_nodes].copy(),
            reals[:, :n_nodes].copy(),
            stats[:n_nodes].copy(),
        )
    return nodes, reals, stats, max_depth_seen


def thresholds(X: np.ndarray, feature: np.ndarray, row_low: np.ndarray, row_high: np.ndarray):
    """Split thresholds: midpoints ``x_low/2 + x_high/2`` of the two values around each
    split (−2 at leaves), in float64 whatever X's precision.

    If the midpoint of two adjacent floats rounds up to the upper value, the lower value
    is the threshold, so that ``x ≤ threshold`` still sends the lower value left only.
    """
    out = np.full(feature.shape[0], float(TREE_UNDEFINED))
    split = feature >= 0
    low = X[row_low[split], feature[split]].astype(np.float64)
    high = X[row_high[split], feature[split]].astype(np.float64)
    middle = low / 2.0 + high / 2.0
    out[split] = np.where(middle >= high, low, middle)
    return out


# ----------------------------------------------------------------------------- predicting
def pack_nodes(children_left, children_right, feature, threshold):
    """The nodes as a traversal reads them: 16 bytes each, four to a cache line.

    Nodes are numbered in depth-first preorder (as grown and as pruned), so a left child
    is always the next node and only the right child is stored: per node the int32 pair
    (right child, feature; feature −1 at a leaf) and the float64 threshold.

    Returns
    -------
    ints : ndarray of shape (4 · n_nodes,), int32
        ``ints[4t]`` is the right child of node t, ``ints[4t + 1]`` its feature.
    thresholds : ndarray of shape (n_nodes, 2), float64
        The same buffer: ``thresholds[t, 1]`` is node t's threshold.
    """
    internal = np.flatnonzero(children_left != TREE_LEAF)
    if not np.array_equal(children_left[internal], internal + 1):
        raise ValueError(
            "the tree's nodes are not numbered in depth-first preorder (each left child "
            "next to its parent), which lemma's trees always are; rebuild it with fit."
        )
    table = np.zeros(children_left.shape[0], dtype=[("right", np.int32), ("feature", np.int32),
                                                    ("threshold", np.float64)])  # fmt: skip
    table["right"] = children_right
    table["feature"] = np.where(children_left != TREE_LEAF, feature, -1)
    table["threshold"] = threshold
    return table.view(np.int32), table.view(np.float64).reshape(-1, 2)


@numba.njit(cache=True, nogil=True, inline="always")
def _leaf(row, ints, thresholds):  # pragma: no cover
    node = 0
    while True:
        feature = ints[4 * node + 1]
        if feature < 0:
            return node
        if row[feature] <= thresholds[node, 1]:
            node += 1  # the left child comes next in preorder
        else:
            node = ints[4 * node]


@numba.njit(cache=True, nogil=True)
def apply_rows(X, ints, thresholds):  # pragma: no cover
    """Leaf reached by each row of ``X`` (C-contiguous): left when ``x_f ≤ threshold``.

    ``ints`` and ``thresholds`` are :func:`pack_nodes`.
    """
    out = np.empty(X.shape[0], dtype=np.int64)
    for i in range(X.shape[0]):
        out[i] = _leaf(X[i], ints, thresholds)
    return out


@numba.njit(cache=True, nogil=True)
def add_leaf_values(X, ints, thresholds, values, out):  # pragma: no cover
    """``out[i] += values[leaf reached by row i]`` (a forest sums its trees in place)."""
    for i in range(X.shape[0]):
        node = _leaf(X[i], ints, thresholds)
        for k in range(values.shape[1]):
            out[i, k] += values[node, k]
