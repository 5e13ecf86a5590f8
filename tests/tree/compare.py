"""Helpers of the tree tests: data without ties, and node-by-node comparison of two trees."""

from __future__ import annotations

import numpy as np

#: Node arrays compared exactly (integers) and to 1e-12 (reals).
INTEGER_ARRAYS = ("children_left", "children_right", "feature", "n_node_samples")
REAL_ARRAYS = ("threshold", "impurity", "weighted_n_node_samples", "value")


def data_without_ties(rng, n=300, d=5, task="classification"):
    """X whose columns are permutations of a grid (no tied values), and a noisy target.

    Grid steps of 1/8 are exact in float32, so scikit-learn's float32 copy of X is X.
    """
    X = np.column_stack([rng.permutation(n) / 8.0 - n / 16.0 for _ in range(d)])
    signal = X[:, 0] - 0.5 * np.abs(X[:, 1]) + 0.3 * X[:, 1] * (X[:, -1] > 0)
    noisy = signal + rng.normal(scale=n / 40.0, size=n)
    if task == "regression":
        return X, noisy
    return X, np.digitize(noisy, np.quantile(noisy, [0.4, 0.8]))


def assert_same_tree(ours, theirs, rtol=1e-12):
    """Every node array equal: integers exactly, reals to ``rtol`` (absolute near 0)."""
    assert ours.node_count == theirs.node_count, (ours.node_count, theirs.node_count)
    assert ours.max_depth == theirs.max_depth
    for name in INTEGER_ARRAYS:
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name), err_msg=name)
    for name in REAL_ARRAYS:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), rtol=rtol, atol=rtol, err_msg=name
        )
