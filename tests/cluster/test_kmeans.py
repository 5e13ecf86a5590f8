"""KMeans: against scikit-learn from the same initial centres, the monotone inertia, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import cluster as skc
from sklearn.datasets import make_blobs

from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError
from lemma.models.cluster import KMeans, kmeans_plusplus

# Fixed data for the reference comparisons (generated once, fixed seed).
X_BLOBS, Y_BLOBS = make_blobs(n_samples=3000, n_features=6, centers=5, cluster_std=2.5,
                              random_state=11)  # fmt: skip
INIT = X_BLOBS[[3, 100, 200, 1500, 2900]].copy()


def _separated_blobs(rng, n=600, k=5, d=4):
    """Blobs with centres 20 apart along the axes and unit spread (clearly separated)."""
    labels = rng.integers(0, k, n)
    centres = 20.0 * np.eye(k, d) if k <= d else 20.0 * rng.standard_normal((k, d))
    return centres[labels] + rng.standard_normal((n, d)), labels


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = {(int(x), int(y)) for x, y in zip(a, b, strict=True)}
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_same_as_sklearn_from_same_centres(algorithm):
    ours = KMeans(5, init=INIT, algorithm=algorithm).fit(X_BLOBS)
    ref = skc.KMeans(5, init=INIT, n_init=1, algorithm=algorithm).fit(X_BLOBS)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-10)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.transform(X_BLOBS[:50]), ref.transform(X_BLOBS[:50]),
                               rtol=1e-10)  # fmt: skip
    np.testing.assert_array_equal(ours.predict(X_BLOBS[::7]), ref.predict(X_BLOBS[::7]))
    assert ours.score(X_BLOBS) == pytest.approx(ref.score(X_BLOBS), rel=1e-10)


def test_same_as_sklearn_with_weights_and_max_iter():
    weights = np.random.default_rng(5).uniform(0.1, 3.0, X_BLOBS.shape[0])
    ours = KMeans(5, init=INIT, max_iter=2).fit
    ref = skc.KMeans(5, init=INIT, n_init=1, max_iter=2).fit(X_BLOBS, sample_weight=weights)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=2"):
        ours = ours(X_BLOBS, sample_weight=weights)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    assert ours.n_iter_ == ref.n_iter_ == 2


def test_float32_kept_like_sklearn():
    X32 = X_BLOBS.astype(np.float32)
    ours = KMeans(5, init=INIT.astype(np.float32)).fit(X32)
    ref = skc.KMeans(5, init=INIT.astype(np.float32), n_init=1).fit(X32)
    assert ours.cluster_centers_.dtype == ref.cluster_centers_.dtype == np.float32
    assert ours.transform(X32).dtype == np.float32
    assert _same_partition(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-4)


def test_elkan_equals_lloyd(rng):
    X = rng.standard_normal((400, 3)) + rng.integers(0, 4, 400)[:, None] * 3.0
    init = X[rng.choice(400, 4, replace=False)]
    lloyd = KMeans(4, init=init).fit(X)
    elkan = KMeans(4, init=init, algorithm="elkan").fit(X)
    np.testing.assert_array_equal(lloyd.labels_, elkan.labels_)
    np.testing.assert_allclose(lloyd.history_, elkan.history_, rtol=1e-12)
    assert lloyd.n_iter_ == elkan.n_iter_


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 6),
       algorithm=st.sampled_from(["lloyd", "elkan"]))  # fmt: skip
def test_inertia_never_increases(seed, k, algorithm):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((120, 3)) * rng.uniform(0.5, 3.0, 3)
    model = KMeans(k, init="random", n_init=1, tol=0.0, random_state=seed,
                   algorithm=algorithm).fit(X)  # fmt: skip
    assert len(model.history_) == model.n_iter_ + 1
    assert np.all(np.diff(model.history_) <= 1e-12 * model.history_[0])
    assert model.history_[-1] == pytest.approx(model.inertia_, rel=1e-12)
    # the inertia is Σ‖x − c_label‖² of the returned labels and centres
    direct = ((X - model.cluster_centers_[model.labels_]) ** 2).sum()
    assert model.inertia_ == pytest.approx(direct, rel=1e-10)
    # at convergence (tol=0: no label changed) every row is at its nearest centre
    distances = ((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2)
    assert np.all(distances[np.arange(120), model.labels_] <= distances.min(axis=1) + 1e-9)


def test_more_runs_never_worse(seed):
    X = X_BLOBS[:600]
    one = KMeans(5, init="random", n_init=1, random_state=seed).fit(X)
    many = KMeans(5, init="random", n_init=6, random_state=seed).fit(X)
    assert many.inertia_ <= one.inertia_ + 1e-9


def test_kmeans_plusplus_seeds_are_distinct_rows(rng, seed):
    X, y = _separated_blobs(rng, k=4)
    centers, indices = kmeans_plusplus(X, 4, random_state=seed)
    np.testing.assert_array_equal(centers, X[indices])
    assert np.unique(indices).size == 4
    # on well-separated blobs greedy k-means++ puts one seed in each blob
    assert np.unique(y[indices]).size == 4
    again, _ = kmeans_plusplus(X, 4, random_state=seed)
    np.testing.assert_array_equal(centers, again)


def test_recovers_blobs(rng, seed):
    X, y = _separated_blobs(rng, k=4)
    model = KMeans(4, random_state=seed).fit(X)
    assert _same_partition(model.labels_, y)


def test_empty_cluster_gets_the_farthest_row():
    X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1]])
    init = np.array([[0.1], [5.0], [100.0]])  # the third centre attracts nothing
    model = KMeans(3, init=init).fit(X)
    assert np.unique(model.labels_).size == 3
    assert model.inertia_ <= 0.02 + 0.005 + 1e-12


def test_duplicate_points_warn():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0)
    with pytest.warns(ConvergenceWarning, match="found 2 distinct clusters"):
        KMeans(3, random_state=0).fit(X)


def test_feature_names_out_and_frame_output():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X_BLOBS[:100], columns=[f"f{i}" for i in range(6)])
    model = KMeans(3, random_state=0).fit(frame)
    out = model.transform(frame)
    assert list(out.columns) == ["kmeans0", "kmeans1", "kmeans2"]


@pytest.mark.parametrize(
    ("X", "params", "error", "match"),
    [
        (np.zeros((5, 2)) + np.arange(5)[:, None], {"n_clusters": 8}, DataValidationError,
         "n_samples=5 should be >= n_clusters=8"),
        (np.ones((1, 3)), {}, DataValidationError, "n_samples=1 should be >= n_clusters=8"),
        (np.eye(4), {"n_clusters": 2, "init": np.zeros((3, 4))}, DataValidationError,
         r"init has shape \(3, 4\).*\(2, 4\)"),
        (np.array([[0.0, np.nan], [1.0, 2.0]]), {"n_clusters": 1}, DataValidationError, "NaN"),
        (np.eye(4), {"n_clusters": 0}, ParameterError, "'n_clusters' parameter of KMeans"),
        (np.eye(4), {"algorithm": "full"}, ParameterError, "'algorithm' parameter"),
    ],
)  # fmt: skip
def test_bad_input(X, params, error, match):
    with pytest.raises(error, match=match):
        KMeans(**params).fit(X)


def test_predict_needs_same_features():
    model = KMeans(2, random_state=0).fit(np.eye(4))
    with pytest.raises(DataValidationError, match="X has 3 features, but KMeans"):
        model.predict(np.eye(3))


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_integer_weights_equal_repeated_rows(rng, algorithm):
    X = rng.normal(size=(80, 3)) + rng.integers(0, 3, 80)[:, None] * 4.0
    counts = rng.integers(0, 4, 80)
    init = X[:3].copy()
    weighted = KMeans(3, init=init, algorithm=algorithm).fit(X, sample_weight=counts)
    repeated = KMeans(3, init=init, algorithm=algorithm).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, atol=1e-10)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-10)
