"""DBSCAN: labels equal to scikit-learn's, the core/border/noise definitions, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn import cluster as skc

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.cluster import DBSCAN

_RNG = np.random.default_rng(17)  # fixed data for the reference comparisons
X_FIXED = np.vstack([_RNG.normal(0, 1, (1500, 2)), _RNG.normal(5, 0.5, (500, 2)),
                     _RNG.uniform(-6, 10, (200, 2))])  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"eps": 0.2, "min_samples": 5},
        {"eps": 0.35, "min_samples": 12, "metric": "manhattan"},
        {"eps": 0.15, "min_samples": 4, "metric": "chebyshev"},
        {"eps": 0.25, "min_samples": 6, "metric": "minkowski", "p": 3},
        {"eps": 0.3, "min_samples": 1},
        {"eps": 0.2, "min_samples": 5, "leaf_size": 2},
    ],
)
def test_labels_equal_sklearn(params):
    ours = DBSCAN(**params).fit(X_FIXED)
    ref = skc.DBSCAN(**params).fit(X_FIXED)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.core_sample_indices_, ref.core_sample_indices_)
    np.testing.assert_array_equal(ours.components_, ref.components_)
    assert ours.labels_.max() >= 1


def test_weights_and_precomputed_equal_sklearn():
    weights = np.random.default_rng(3).uniform(0.0, 2.0, X_FIXED.shape[0])
    ours = DBSCAN(eps=0.2, min_samples=5).fit(X_FIXED, sample_weight=weights)
    ref = skc.DBSCAN(eps=0.2, min_samples=5).fit(X_FIXED, sample_weight=weights)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    distances = cdist(X_FIXED[:600], X_FIXED[:600])
    ours = DBSCAN(eps=0.25, min_samples=4, metric="precomputed").fit(distances)
    ref = skc.DBSCAN(eps=0.25, min_samples=4, metric="precomputed").fit(distances)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


def test_float32_input_same_labels():
    X32 = X_FIXED.astype(np.float32)
    ours = DBSCAN(eps=0.2, min_samples=5).fit(X32)
    ref = skc.DBSCAN(eps=0.2, min_samples=5).fit(X32)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    share=st.floats(0.0, 1.0),
    min_samples=st.integers(1, 8),
    d=st.integers(1, 4),
    metric=st.sampled_from(["euclidean", "manhattan", "chebyshev"]),
)
def test_definitions_hold_and_match_brute_force(seed, share, min_samples, d, metric):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(0, 1, (120, d)), 1)  # rounded: duplicate rows happen
    # eps off the grid of distances 0.1·√m (a pair at exactly eps is a rounding coin toss)
    eps = 0.0537 + 0.9 * share
    model = DBSCAN(eps=eps, min_samples=min_samples, metric=metric, leaf_size=4).fit(X)
    ref = skc.DBSCAN(eps=eps, min_samples=min_samples, metric=metric, algorithm="brute")
    np.testing.assert_array_equal(model.labels_, ref.fit(X).labels_)
    name = {"manhattan": "cityblock"}.get(metric, metric)
    near = cdist(X, X, metric=name) <= eps
    core = near.sum(axis=1) >= min_samples
    np.testing.assert_array_equal(np.flatnonzero(core), model.core_sample_indices_)
    labels = model.labels_
    for i in range(len(X)):
        core_neighbours = np.flatnonzero(near[i] & core)
        if core[i]:  # a core point shares its cluster with every core neighbour
            assert np.all(labels[core_neighbours] == labels[i])
        elif core_neighbours.size:  # border: in the cluster of one of its core neighbours
            assert labels[i] in set(labels[core_neighbours].tolist())
        else:
            assert labels[i] == -1


def test_row_order_only_renames_clusters(rng):
    X = np.vstack([rng.normal(0, 0.3, (100, 2)), rng.normal(4, 0.3, (100, 2))])
    model = DBSCAN(eps=0.5, min_samples=3).fit(X)
    permutation = rng.permutation(200)
    again = DBSCAN(eps=0.5, min_samples=3).fit(X[permutation])
    core = np.zeros(200, dtype=bool)
    core[model.core_sample_indices_] = True
    pairs = set(zip(model.labels_[permutation][core[permutation]].tolist(),
                    again.labels_[core[permutation]].tolist(), strict=True))  # fmt: skip
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})


@pytest.mark.parametrize(
    ("X", "params", "error", "match"),
    [
        (np.eye(3), {"eps": 0.0}, ParameterError, "'eps' parameter of DBSCAN"),
        (np.ones((3, 2)), {"metric": "precomputed"}, DataValidationError, "square distance"),
        (-np.ones((3, 3)), {"metric": "precomputed"}, DataValidationError, "Negative values"),
        (np.array([[0.0, np.nan]]), {}, DataValidationError, "NaN"),
        (np.eye(3), {"metric": "cosine"}, ParameterError, "'metric' parameter"),
    ],
)
def test_bad_input(X, params, error, match):
    with pytest.raises(error, match=match):
        DBSCAN(**params).fit(X)


def test_one_row_is_noise_or_its_own_cluster():
    assert DBSCAN(min_samples=2).fit([[1.0, 2.0]]).labels_.tolist() == [-1]
    assert DBSCAN(min_samples=1).fit([[1.0, 2.0]]).labels_.tolist() == [0]
