"""KMeans on a Dask cluster: from the same initial centres the in-memory labels, centres
and iterations; k-means|| seeding finds the clusters; partial_fit over partitions equals the
same partial_fit calls in memory."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from lemma.distributed import partial_fit
from lemma.exceptions import ConvergenceWarning, DataValidationError
from lemma.models.cluster import KMeans, MiniBatchKMeans
from lemma.models.decomposition import PCA
from lemma.prep import StandardScaler
from tests.distributed.helpers import dask_array


def _blobs(rng, k=4, per=150, d=3):
    centres = rng.normal(size=(k, d)) * 6
    X = np.vstack([c + rng.normal(size=(per, d)) for c in centres])
    return X[rng.permutation(len(X))], centres


@pytest.mark.parametrize("params", [{}, {"tol": 0.0}, {"algorithm": "elkan", "max_iter": 4}])
def test_kmeans_from_the_same_centres_is_identical(client, rng, params):
    X, _ = _blobs(rng)
    w = rng.uniform(0.5, 2.0, size=len(X))
    init = X[:4] + 0.5
    with pytest.warns(ConvergenceWarning) if params.get("max_iter") else contextlib.nullcontext():
        memory = KMeans(4, init=init, **params).fit(X, sample_weight=w)
    with pytest.warns(ConvergenceWarning) if params.get("max_iter") else contextlib.nullcontext():
        distributed = KMeans(4, init=init, **params).fit(
            dask_array(X, 6), sample_weight=dask_array(w, 6)
        )
    assert distributed.n_iter_ == memory.n_iter_
    assert distributed.converged_ == memory.converged_
    np.testing.assert_array_equal(distributed.labels_.compute(), memory.labels_)
    np.testing.assert_allclose(distributed.cluster_centers_, memory.cluster_centers_, rtol=1e-12)
    np.testing.assert_allclose(distributed.inertia_, memory.inertia_, rtol=1e-12)
    np.testing.assert_allclose(distributed.history_, memory.history_, rtol=1e-12)
    assert distributed.predict(X).tolist() == memory.predict(X).tolist()


def test_kmeans_relocates_an_empty_cluster_as_in_memory(client, rng):
    X, _ = _blobs(rng)
    init = np.vstack([X[:3], np.full((1, 3), 1e3)])  # the far centre gets no rows
    memory = KMeans(4, init=init).fit(X)
    distributed = KMeans(4, init=init).fit(dask_array(X, 5))
    np.testing.assert_array_equal(distributed.labels_.compute(), memory.labels_)
    np.testing.assert_allclose(distributed.cluster_centers_, memory.cluster_centers_, rtol=1e-12)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_seeding_finds_the_blobs(client, rng, init):
    """k-means|| (and weighted random draws) over partitions: every true centre is found,
    and the inertia is within 1% of the in-memory k-means++ fit."""
    X, centres = _blobs(rng)
    memory = KMeans(4, random_state=0, n_init=2).fit(X)
    distributed = KMeans(4, init=init, random_state=0, n_init=2).fit(dask_array(X, 6))
    assert distributed.inertia_ <= 1.01 * memory.inertia_
    nearest = np.linalg.norm(distributed.cluster_centers_[:, None] - centres[None], axis=2)
    assert sorted(nearest.argmin(axis=1).tolist()) == [0, 1, 2, 3]
    again = KMeans(4, init=init, random_state=0, n_init=2).fit(dask_array(X, 6))
    np.testing.assert_array_equal(again.cluster_centers_, distributed.cluster_centers_)


def test_minibatch_kmeans_by_partial_fit_over_partitions(client, rng):
    """partial_fit over partitions in batches = the same partial_fit calls in memory."""
    X, _ = _blobs(rng)
    init = X[:4].copy()
    memory = MiniBatchKMeans(4, init=init, random_state=1)
    for _ in range(2):
        for start in range(0, len(X), 100):
            memory.partial_fit(X[start : start + 100])
    distributed = partial_fit(MiniBatchKMeans(4, init=init, random_state=1), dask_array(X, 3),
                              epochs=2, batch_size=100)  # fmt: skip
    np.testing.assert_array_equal(distributed.cluster_centers_, memory.cluster_centers_)
    assert distributed.n_steps_ == memory.n_steps_ == 12
    scaler = partial_fit(StandardScaler(), dask_array(X, 4))
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-12)


def test_partial_fit_needs_the_method(client, rng):
    with pytest.raises(DataValidationError, match="no partial_fit"):
        partial_fit(PCA(), dask_array(np.ones((4, 2)), 2))
