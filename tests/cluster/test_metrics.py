"""Clustering metrics against scikit-learn's, their symmetries, the sampled silhouette, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn import metrics as skm
from sklearn.datasets import make_blobs

import lemma.metrics as lm
from lemma.exceptions import DataValidationError, ParameterError

X_BLOBS, Y_BLOBS = make_blobs(n_samples=400, n_features=3, centers=4, random_state=8)
RANDOM_LABELS = np.random.default_rng(8).integers(0, 5, 400)
INTERNAL = ["silhouette_score", "davies_bouldin_score", "calinski_harabasz_score"]
EXTERNAL = ["adjusted_rand_score", "rand_score", "mutual_info_score",
            "normalized_mutual_info_score", "homogeneity_score", "completeness_score",
            "v_measure_score"]  # fmt: skip


@pytest.mark.parametrize("name", INTERNAL)
@pytest.mark.parametrize("labels", [Y_BLOBS, RANDOM_LABELS, np.where(Y_BLOBS == 0, 0, 1)])
def test_internal_metrics_equal_sklearn(name, labels):
    ours = getattr(lm, name)(X_BLOBS, labels)
    ref = getattr(skm, name)(X_BLOBS, labels)
    assert ours == pytest.approx(ref, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "chebyshev"])
def test_silhouette_samples_equal_sklearn(metric):
    ours = lm.silhouette_samples(X_BLOBS, RANDOM_LABELS, metric=metric)
    ref = skm.silhouette_samples(X_BLOBS, RANDOM_LABELS, metric=metric)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    distances = cdist(X_BLOBS, X_BLOBS, metric={"manhattan": "cityblock"}.get(metric, metric))
    pre = lm.silhouette_samples(distances, RANDOM_LABELS, metric="precomputed")
    np.testing.assert_allclose(pre, ours, rtol=1e-12, atol=1e-14)


def test_silhouette_singletons_and_duplicates_like_sklearn():
    X = np.array([[0.0], [0.0], [1.0], [5.0], [5.0]])
    labels = np.array([0, 1, 1, 2, 3])  # a singleton cluster and points shared across clusters
    np.testing.assert_allclose(lm.silhouette_samples(X, labels),
                               skm.silhouette_samples(X, labels), atol=1e-12)  # fmt: skip


def test_sampled_silhouette_same_draw_as_sklearn_and_within_monte_carlo_error(seed):
    X, y = make_blobs(n_samples=3000, n_features=2, centers=5, cluster_std=2.0,
                      random_state=seed)  # fmt: skip
    sampled = lm.silhouette_score(X, y, sample_size=400, random_state=seed)
    ref = skm.silhouette_score(X, y, sample_size=400, random_state=seed)
    assert sampled == pytest.approx(ref, rel=1e-10)
    full = lm.silhouette_samples(X, y)
    standard_error = full.std() / np.sqrt(400)
    assert abs(sampled - full.mean()) < 4 * standard_error


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 60), k_true=st.integers(1, 6),
       k_pred=st.integers(1, 6))  # fmt: skip
def test_external_metrics_equal_sklearn(seed, n, k_true, k_pred):
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k_true, n)
    pred = rng.integers(0, k_pred, n)
    for name in EXTERNAL:
        ours, ref = getattr(lm, name)(true, pred), getattr(skm, name)(true, pred)
        assert ours == pytest.approx(ref, rel=1e-10, abs=1e-12), name
    for method in ["arithmetic", "geometric", "min", "max"]:
        ours = lm.normalized_mutual_info_score(true, pred, average_method=method)
        ref = skm.normalized_mutual_info_score(true, pred, average_method=method)
        assert ours == pytest.approx(ref, rel=1e-10, abs=1e-12)
    np.testing.assert_array_equal(lm.contingency_matrix(true, pred),
                                  skm.cluster.contingency_matrix(true, pred))  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_symmetries(seed):
    rng = np.random.default_rng(seed)
    true, pred = rng.integers(0, 4, 50), rng.integers(0, 3, 50)
    renamed = np.array(["a", "b", "c", "d"])[rng.permutation(4)][pred]  # same partition
    assert lm.adjusted_rand_score(true, pred) == pytest.approx(lm.adjusted_rand_score(pred, true))
    assert lm.adjusted_rand_score(true, renamed) == pytest.approx(
        lm.adjusted_rand_score(true, pred), abs=1e-14
    )
    assert lm.homogeneity_score(true, pred) == pytest.approx(lm.completeness_score(pred, true))
    assert 0.0 <= lm.normalized_mutual_info_score(true, pred) <= 1.0
    assert lm.adjusted_rand_score(true, true) == 1.0


def test_v_measure_beta_and_strings():
    true = ["cat", "cat", "dog", "dog", "dog"]
    pred = [1, 1, 1, 2, 2]
    h, c, _ = lm.homogeneity_completeness_v_measure(true, pred, beta=2.0)
    ref = skm.homogeneity_completeness_v_measure(true, pred, beta=2.0)
    np.testing.assert_allclose([h, c, lm.v_measure_score(true, pred, beta=2.0)], ref, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: lm.silhouette_score(X_BLOBS, np.zeros(400)), DataValidationError,
         "Number of labels is 1"),
        (lambda: lm.davies_bouldin_score(X_BLOBS[:3], [0, 1, 2]), DataValidationError,
         "Number of labels is 3"),
        (lambda: lm.calinski_harabasz_score(X_BLOBS, Y_BLOBS[:10]), DataValidationError,
         "X has 400 values but labels has 10"),
        (lambda: lm.adjusted_rand_score([0, 1], [0, 1, 1]), DataValidationError,
         "labels_true has 2 values but labels_pred has 3"),
        (lambda: lm.silhouette_score(np.ones((3, 3)), [0, 0, 1], metric="precomputed"),
         DataValidationError, "non-zero elements on the diagonal"),
        (lambda: lm.silhouette_score(X_BLOBS, Y_BLOBS, metric="hamming"), ParameterError,
         "metric must be"),
        (lambda: lm.silhouette_score(X_BLOBS, Y_BLOBS, sample_size=1), ParameterError,
         "sample_size must be between 2"),
        (lambda: lm.normalized_mutual_info_score([0], [0], average_method="mean"),
         ParameterError, "average_method"),
        (lambda: lm.adjusted_rand_score([0.5, 1.0], [0, 1]), DataValidationError,
         "continuous"),
    ],
)  # fmt: skip
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "min", "max"])
def test_a_constant_labelling_shares_no_information(method):
    true = np.random.default_rng(0).integers(0, 2, 57)
    constant = np.zeros(57, dtype=int)
    assert lm.mutual_info_score(true, constant) == 0.0
    assert lm.normalized_mutual_info_score(true, constant, average_method=method) == 0.0
