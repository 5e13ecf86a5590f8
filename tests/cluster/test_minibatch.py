"""MiniBatchKMeans: partial_fit against scikit-learn's, fit = the partial_fit steps it draws."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import cluster as skc
from sklearn.datasets import make_blobs

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.cluster import MiniBatchKMeans
from lemma.models.cluster.minibatch import _draw_batch

X_BLOBS, Y_BLOBS = make_blobs(n_samples=2000, n_features=4, centers=4, cluster_std=1.0,
                              random_state=3)  # fmt: skip
INIT = X_BLOBS[[0, 1, 2, 3]].copy()


def test_partial_fit_same_as_sklearn():
    weights = np.random.default_rng(2).uniform(0.5, 2.0, X_BLOBS.shape[0])
    ours = MiniBatchKMeans(4, init=INIT, reassignment_ratio=0.0)
    ref = skc.MiniBatchKMeans(4, init=INIT, reassignment_ratio=0.0, n_init=1)
    for start in range(0, 2000, 250):
        rows = slice(start, start + 250)
        ours.partial_fit(X_BLOBS[rows], sample_weight=weights[rows])
        ref.partial_fit(X_BLOBS[rows], sample_weight=weights[rows])
        np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-10)
        np.testing.assert_allclose(ours.counts_, ref._counts, rtol=1e-12)
        np.testing.assert_array_equal(ours.labels_, ref.labels_)
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    assert ours.n_steps_ == ref.n_steps_ == 8


def test_fit_is_the_partial_fit_steps_it_draws(seed):
    """The documented determinism: same centres, to the last bit."""
    params = dict(init=INIT, reassignment_ratio=0.0, tol=0.0, max_no_improvement=None)
    fitted = MiniBatchKMeans(4, max_iter=2, batch_size=300, random_state=seed, **params)
    fitted.fit(X_BLOBS)
    assert fitted.n_steps_ == 2 * 2000 // 300
    rng = np.random.RandomState(seed)
    cumulative = np.cumsum(np.ones(X_BLOBS.shape[0]))
    stepped = MiniBatchKMeans(4, **params)
    for _ in range(fitted.n_steps_):
        stepped.partial_fit(X_BLOBS[_draw_batch(rng, cumulative, 300)])
    np.testing.assert_array_equal(fitted.cluster_centers_, stepped.cluster_centers_)
    np.testing.assert_array_equal(fitted.counts_, stepped.counts_)
    np.testing.assert_array_equal(fitted.history_, stepped.history_)


def test_finds_the_blobs_like_sklearn(seed):
    ours = MiniBatchKMeans(4, random_state=seed, batch_size=256).fit(X_BLOBS)
    ref = skc.MiniBatchKMeans(4, random_state=seed, batch_size=256).fit(X_BLOBS)
    assert ours.inertia_ <= 1.05 * ref.inertia_
    full = skc.KMeans(4, random_state=seed).fit(X_BLOBS)
    assert ours.inertia_ <= 1.05 * full.inertia_
    pairs = set(zip(ours.labels_.tolist(), Y_BLOBS.tolist(), strict=True))
    assert len(pairs) == 4
    assert ours.history_.shape == (ours.n_steps_,)


def test_early_stop_by_smoothed_inertia():
    model = MiniBatchKMeans(4, random_state=0, batch_size=100, max_iter=50).fit(X_BLOBS)
    assert model.n_steps_ < 50 * 2000 // 100
    no_stop = MiniBatchKMeans(4, random_state=0, batch_size=100, max_iter=2,
                              max_no_improvement=None).fit(X_BLOBS)  # fmt: skip
    assert no_stop.n_steps_ == 2 * 2000 // 100


def test_reassignment_moves_starved_centre():
    init = np.vstack([INIT[:3], [[1e3, 1e3, 1e3, 1e3]]])  # the last centre attracts nothing
    model = MiniBatchKMeans(4, init=init, random_state=0, batch_size=200).fit(X_BLOBS)
    assert np.abs(model.cluster_centers_).max() < 100
    assert np.unique(model.labels_).size == 4


def test_compute_labels_false_keeps_predict():
    a = MiniBatchKMeans(3, random_state=1).fit(X_BLOBS)
    b = MiniBatchKMeans(3, random_state=1, compute_labels=False).fit(X_BLOBS)
    np.testing.assert_array_equal(a.predict(X_BLOBS), b.predict(X_BLOBS))
    assert not hasattr(b, "labels_")


def test_bad_input():
    with pytest.raises(DataValidationError, match="n_samples=2 should be >= n_clusters=3"):
        MiniBatchKMeans(3).partial_fit(np.eye(2))
    with pytest.raises(ParameterError, match="'reassignment_ratio' parameter"):
        MiniBatchKMeans(3, reassignment_ratio=2.0).fit(X_BLOBS)
    model = MiniBatchKMeans(3, random_state=0).partial_fit(X_BLOBS[:100])
    with pytest.raises(DataValidationError, match="X has 3 features"):
        model.partial_fit(X_BLOBS[:100, :3])
