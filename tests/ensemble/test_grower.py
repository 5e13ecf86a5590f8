"""One tree: leaves partition the rows, the flat arrays predict what the grower fitted."""

from __future__ import annotations

import time

import numba
import numpy as np
import pytest

from lemma.models.ensemble import _grower, _histogram, _predictor
from lemma.models.ensemble._binning import bin_data, fit_bin_thresholds
from lemma.models.ensemble._grower import Buffers, GrowerSettings, TreeGrower, add_leaf_values
from lemma.models.ensemble._predictor import concatenate_trees, predict_raw


def _data(rng, n=2000, missing=0.1, categorical=True):
    X = rng.normal(size=(n, 4))
    X[rng.random((n, 4)) < missing] = np.nan
    is_categorical = np.array([False, False, False, categorical])
    if categorical:
        X[:, 3] = np.where(np.isnan(X[:, 3]), np.nan, rng.integers(0, 6, size=n))
    signal = np.nan_to_num(X[:, 0]) + np.where(np.isnan(X[:, 1]), 2.0, X[:, 1] ** 2)
    if categorical:
        signal += np.isin(X[:, 3], [1, 4]) * 1.5
    y = signal + 0.1 * rng.normal(size=n)
    return X, y, is_categorical


def _grow(X, y, is_categorical, **limits):
    n_categories = np.where(is_categorical, 6, 0)
    thresholds, n_bins = fit_bin_thresholds(
        X, is_categorical, n_categories, 63, None, 10**6, np.random.default_rng(0)
    )
    binned = bin_data(X, thresholds, is_categorical, 63)
    settings = GrowerSettings(
        n_bins=64,
        n_bins_non_missing=n_bins,
        has_missing=(binned == 63).any(axis=0),
        is_categorical=is_categorical,
        monotonic_cst=np.zeros(X.shape[1], np.int8),
        interaction_groups=limits.pop("interaction_groups", None),
        max_leaf_nodes=limits.pop("max_leaf_nodes", 31),
        max_depth=limits.pop("max_depth", None),
        min_samples_leaf=limits.pop("min_samples_leaf", 20),
        l2_regularization=limits.pop("l2_regularization", 0.0),
        max_features=1.0,
        learning_rate=limits.pop("learning_rate", 1.0),
    )
    gradients, hessians = -(y - y.mean()), np.ones_like(y)  # squared loss at the mean
    buffers = Buffers(X.shape[0])
    grower = TreeGrower(binned, gradients, hessians, settings, buffers, np.random.default_rng(0))
    return grower.grow(), buffers, thresholds


def test_flat_arrays_predict_the_training_partition(rng):
    X, y, is_categorical = _data(rng)
    grower, buffers, thresholds = _grow(X, y, is_categorical)
    starts, stops, values = grower.leaf_ranges()
    fitted = np.zeros(X.shape[0])
    add_leaf_values(fitted, buffers.partition, starts, stops, values)
    forest = concatenate_trees([grower.to_arrays(thresholds)], [0])
    predicted = predict_raw(X, forest, np.zeros((X.shape[0], 1)))[:, 0]
    np.testing.assert_array_equal(predicted, fitted)
    assert np.any(forest["bitset_row"] >= 0)  # the categorical feature was used
    assert np.any(np.isinf(forest["threshold"]) | (forest["missing_left"] == 1))


def test_leaves_partition_the_rows_with_newton_values(rng):
    X, y, is_categorical = _data(rng)
    grower, buffers, _ = _grow(X, y, is_categorical, l2_regularization=3.0, learning_rate=0.5)
    seen = np.concatenate([buffers.partition[leaf.start : leaf.stop] for leaf in grower.leaves])
    np.testing.assert_array_equal(np.sort(seen), np.arange(X.shape[0]))
    residual = y - y.mean()
    for leaf in grower.leaves:
        rows = buffers.partition[leaf.start : leaf.stop]
        newton = residual[rows].sum() / (rows.size + 3.0)  # −G/(H + λ) with g = −residual
        np.testing.assert_allclose(leaf.value, 0.5 * newton, rtol=1e-10, atol=1e-14)
        assert rows.size >= 20
        assert np.all(np.diff(rows.astype(np.int64)) > 0)  # stable partition: rows stay sorted


@pytest.mark.parametrize(("max_leaf_nodes", "max_depth"), [(7, None), (None, 3), (31, 2)])
def test_growth_limits(rng, max_leaf_nodes, max_depth):
    X, y, is_categorical = _data(rng, missing=0.0)
    grower, *_ = _grow(X, y, is_categorical, max_leaf_nodes=max_leaf_nodes, max_depth=max_depth)
    depth_limit = max_depth if max_depth is not None else np.inf
    most = min(max_leaf_nodes or np.inf, 2**depth_limit)
    assert max(leaf.depth for leaf in grower.leaves) <= depth_limit
    assert len(grower.leaves) <= most
    if max_depth is None:
        assert len(grower.leaves) == max_leaf_nodes  # enough signal to reach the limit


def test_root_stays_a_leaf_when_too_small(rng):
    X, y, is_categorical = _data(rng, n=39)
    grower, *_ = _grow(X, y, is_categorical)
    assert len(grower.leaves) == 1
    np.testing.assert_allclose(grower.leaves[0].value, 0.0, atol=1e-12)


@pytest.mark.parametrize("variant", [0, 1])
def test_one_thread_and_all_threads_grow_the_same_tree(rng, monkeypatch, variant):
    X, y, is_categorical = _data(rng, n=3000)
    reference, *_ = _grow(X, y, is_categorical)

    def forced(kind, work, serial, parallel, *args):
        return (serial, parallel)[variant](*args)

    for module in (_grower, _histogram, _predictor):
        monkeypatch.setattr(module, "run_kernel", forced)
    grower, buffers, thresholds = _grow(X, y, is_categorical)
    for u, v in zip(reference.leaf_ranges(), grower.leaf_ranges(), strict=True):
        np.testing.assert_array_equal(u, v)
    forest = concatenate_trees([grower.to_arrays(thresholds)], [0])
    fitted = np.zeros(X.shape[0])
    add_leaf_values(fitted, buffers.partition, *grower.leaf_ranges())
    np.testing.assert_array_equal(predict_raw(X, forest, np.zeros((3000, 1)))[:, 0], fitted)


def test_run_kernel_picks_the_faster_variant(monkeypatch):
    if numba.get_num_threads() == 1:
        pytest.skip("one Numba thread: run_kernel never starts a parallel region")
    monkeypatch.setattr(_histogram, "_COSTS", {})
    calls = []

    def slow(*args):
        calls.append("slow")
        time.sleep(0.002)

    def fast(*args):
        calls.append("fast")

    for _ in range(40):
        _histogram.run_kernel("probe", 10**7, slow, fast)
    assert calls[:2] == ["fast", "slow"]  # both variants are timed first
    assert calls.count("slow") <= 4  # then the faster one runs, the other retried rarely
    _histogram.run_kernel("probe", 10, slow, fast)
    assert calls[-1] == "slow"  # small work: one thread, no timing


def test_interaction_groups_hold_on_every_path(rng):
    X, y, is_categorical = _data(rng, missing=0.0, categorical=False)
    groups = [np.array([0, 1]), np.array([2, 3])]
    grower, _, thresholds = _grow(X, y, is_categorical, interaction_groups=groups)
    tree = grower.to_arrays(thresholds)

    def paths(node, used):
        if tree["left"][node] < 0:
            yield used
            return
        used = used | {int(tree["feature"][node])}
        yield from paths(tree["left"][node], used)
        yield from paths(tree["right"][node], used)

    for used in paths(0, frozenset()):
        assert used <= {0, 1} or used <= {2, 3}
    assert len(grower.leaves) > 4
