"""The compiled pieces of the CART builder: criteria, sorting, the random generator, growth.

References: closed forms (Gini, base-2 entropy via SciPy, weighted variance via NumPy),
SciPy's dense ranks, NumPy's sort, and scikit-learn's xorshift generator
(``sklearn.utils._random``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import entropy, rankdata

from lemma.models.tree._builder import (
    TREE_LEAF,
    _quicksort,
    _rand_int,
    apply_rows,
    build_tree,
    pack_nodes,
    rank_columns,
    sort_by_rank,
    thresholds,
)
from lemma.models.tree._criteria import (
    CRITERIA,
    ENTROPY,
    GINI,
    SQUARED_ERROR,
    impurity,
    proxy_improvement,
)

_WEIGHTS = arrays(np.float64, st.integers(1, 30), elements=st.floats(0.01, 100.0))


@given(counts=arrays(np.float64, st.integers(2, 6), elements=st.just(0.0) | st.floats(1e-3, 50.0)))
@settings(max_examples=40, deadline=None)
def test_classification_impurities_match_closed_forms(counts):
    weight = counts.sum()
    if weight <= 0:
        return
    p = counts / weight
    assert impurity(counts, weight, GINI) == pytest.approx(1 - np.sum(p**2), abs=1e-12)
    assert impurity(counts, weight, ENTROPY) == pytest.approx(entropy(p, base=2), abs=1e-12)


@given(w=_WEIGHTS, data=st.data())
@settings(max_examples=40, deadline=None)
def test_squared_error_is_the_weighted_variance(w, data):
    y = data.draw(arrays(np.float64, w.size, elements=st.floats(-10, 10)))
    stats = np.array([np.sum(w * y), np.sum(w * y * y)])
    expected = np.average((y - np.average(y, weights=w)) ** 2, weights=w)
    assert impurity(stats, w.sum(), SQUARED_ERROR) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("criterion", ["gini", "entropy", "squared_error"])
def test_proxy_differs_from_the_impurity_decrease_by_a_constant(criterion, rng):
    """Maximising the proxy maximises the decrease: their difference is the same per split."""
    code = CRITERIA[criterion]
    n = 40
    w = rng.uniform(0.5, 2.0, n)
    y = rng.integers(0, 3, n).astype(float) if code != SQUARED_ERROR else rng.normal(size=n)

    def stats(rows):
        if code == SQUARED_ERROR:
            return np.array([np.sum(w[rows] * y[rows]), np.sum(w[rows] * y[rows] ** 2)])
        return np.bincount(y[rows].astype(int), weights=w[rows], minlength=3)

    gaps = []
    for cut in range(1, n):
        left, right = np.arange(cut), np.arange(cut, n)
        wl, wr = w[left].sum(), w[right].sum()
        sl, sr = stats(left), stats(right)
        children = wl * impurity(sl, wl, code) + wr * impurity(sr, wr, code)
        gaps.append(proxy_improvement(sl, sr, wl, wr, code) + children)
    assert np.ptp(gaps) < 1e-9


@given(X=arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 3)),
                elements=st.integers(-3, 3) | st.floats(-1, 1)))  # fmt: skip
@settings(max_examples=40, deadline=None)
def test_ranks_are_scipys_dense_ranks(X):
    """Columns of whole numbers (ranked by counting) and of fractions (by sorting)."""
    expected = np.column_stack([rankdata(X[:, j], method="dense") - 1 for j in range(X.shape[1])])
    np.testing.assert_array_equal(rank_columns(X), expected.T)


@given(ranks=arrays(np.uint32, st.integers(1, 1500), elements=st.integers(0, 2**20)),
       data=st.data())  # fmt: skip
@settings(max_examples=40, deadline=None)
def test_sort_by_rank_orders_the_rows(ranks, data):
    """Quicksort and radix sort (by node size) both order the rows by rank."""
    n = ranks.size
    start = data.draw(st.integers(0, n - 1))
    samples = np.random.default_rng(n).permutation(n).astype(np.int64)
    before = samples.copy()
    keys, buffer, counts = np.empty(n, np.uint64), np.empty(n, np.uint64), np.empty(256, np.int64)
    varied = sort_by_rank(ranks, samples, start, n, keys, buffer, counts)
    assert varied == (np.unique(ranks[before[start:]]).size > 1)
    np.testing.assert_array_equal(samples, before)
    if varied:
        rows = keys[start:] & 0xFFFFFFFF
        np.testing.assert_array_equal(np.sort(rows), np.sort(before[start:]))
        np.testing.assert_array_equal(keys[start:] >> np.uint64(32), ranks[rows])
        assert np.all(np.diff((keys[start:] >> np.uint64(32)).astype(np.int64)) >= 0)


@pytest.mark.parametrize("n", [17, 100, 511])
def test_quicksort_sorts_distinct_keys(n, rng):
    keys = rng.permutation(10 * n)[:n].astype(np.int64)
    out = keys.copy()
    _quicksort(out, 0, n)
    np.testing.assert_array_equal(out, np.sort(keys))


@pytest.mark.parametrize("state", [1, 12345, 1273642419, 2**31 - 2])
def test_xorshift_draws_equal_scikit_learns(state):
    sk_random = pytest.importorskip("sklearn.utils._random")
    generator = np.array([state], dtype=np.int64)
    assert _rand_int(0, 2**31, generator) == sk_random._our_rand_r_py(state)


def _grow(X, y, w, criterion="gini", min_samples_leaf=1, max_features=None, seed=0):
    code = CRITERIA[criterion]
    n_stats = 2 if code == SQUARED_ERROR else int(y.max()) + 1
    samples = np.flatnonzero(w > 0).astype(np.int64)
    features = max_features or X.shape[1]
    return build_tree(rank_columns(X), y.astype(float), w, samples, n_stats, code, features,
                      2**31 - 1, 2, min_samples_leaf, 0.0, 0.0, seed)  # fmt: skip


@pytest.mark.parametrize("min_samples_leaf", [1, 4])
def test_children_partition_their_parent(min_samples_leaf, rng):
    X = rng.normal(size=(200, 3))
    y = rng.integers(0, 3, 200)
    w = rng.uniform(0, 2, 200)
    w[:10] = 0.0
    nodes, reals, stats, _ = _grow(X, y, w, min_samples_leaf=min_samples_leaf)
    left, right, _, counts, _, _ = nodes
    internal = left != TREE_LEAF
    assert counts[0] == 190
    np.testing.assert_array_equal(
        counts[internal], counts[left[internal]] + counts[right[internal]]
    )
    np.testing.assert_allclose(stats[internal], stats[left[internal]] + stats[right[internal]])
    np.testing.assert_allclose(
        reals[1, internal], reals[1, left[internal]] + reals[1, right[internal]]
    )
    assert counts[~internal].min() >= min_samples_leaf
    pure = np.count_nonzero(stats > 0, axis=1) == 1
    # fractional weights: a pure child's impurity is formed by difference (rounding only)
    np.testing.assert_allclose(reals[0, pure], 0.0, atol=1e-12)


def test_pure_nodes_have_impurity_zero_and_are_leaves(rng):
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    w = rng.integers(1, 4, 300).astype(float)  # whole weights: sums are exact
    nodes, reals, stats, _ = _grow(X, y, w)
    pure = np.count_nonzero(stats > 0, axis=1) == 1
    assert pure.sum() > 2
    np.testing.assert_array_equal(reals[0, pure], 0.0)
    np.testing.assert_array_equal(nodes[0, pure], TREE_LEAF)


def test_rows_reach_the_leaf_their_thresholds_say(rng):
    X = rng.normal(size=(150, 4)).astype(np.float32)
    y = rng.normal(size=150)
    nodes = _grow(X, y, np.ones(150), criterion="squared_error", seed=7)[0]
    packed = pack_nodes(nodes[0], nodes[1], nodes[2], thresholds(X, nodes[2], nodes[4], nodes[5]))
    leaves = apply_rows(X, *packed)
    # a fully grown regression tree on distinct values puts every row alone in a leaf
    assert np.unique(leaves).size == 150
    assert np.all(nodes[0, leaves] == TREE_LEAF)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_threshold_between_adjacent_floats_separates_them(dtype):
    low = np.nextafter(dtype(1.0), dtype(2.0))  # odd last bit: a float64 midpoint rounds up
    high = np.nextafter(low, dtype(2.0))
    X = np.array([[low], [high], [low], [high]], dtype=dtype)
    y = np.array([0, 1, 0, 1])
    nodes = _grow(X, y, np.ones(4))[0]
    threshold = thresholds(X, nodes[2], nodes[4], nodes[5])[0]
    assert low <= threshold < high
    packed = pack_nodes(nodes[0], nodes[1], nodes[2], thresholds(X, nodes[2], nodes[4], nodes[5]))
    leaves = apply_rows(X, *packed)
    assert leaves[0] == leaves[2] != leaves[1] == leaves[3]
