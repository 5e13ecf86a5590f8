"""AgglomerativeClustering: scikit-learn's partitions and heights, nested cuts, Ward's sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster import hierarchy
from scipy.spatial.distance import cdist
from sklearn import cluster as skc

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.cluster import AgglomerativeClustering, cut_tree, dendrogram

_RNG = np.random.default_rng(23)  # fixed data (continuous: no tied distances)
X_FIXED = np.vstack([_RNG.normal(0, 1, (120, 3)), _RNG.normal(4, 1, (80, 3))])


def _relabelled(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``ref`` renamed to ours' names when the two partitions agree (else a mismatch)."""
    mapping = {}
    for a, b in zip(ours.tolist(), ref.tolist(), strict=True):
        mapping.setdefault(b, a)
    return np.array([mapping[b] for b in ref.tolist()])


@pytest.mark.parametrize("linkage", ["ward", "complete", "average", "single"])
@pytest.mark.parametrize("n_clusters", [2, 4, 9])
def test_labels_equal_sklearn(linkage, n_clusters):
    ours = AgglomerativeClustering(n_clusters, linkage=linkage).fit(X_FIXED)
    ref = skc.AgglomerativeClustering(n_clusters, linkage=linkage, compute_distances=True)
    ref.fit(X_FIXED)
    np.testing.assert_array_equal(ours.labels_, _relabelled(ours.labels_, ref.labels_))
    assert np.unique(ours.labels_).size == n_clusters == ours.n_clusters_
    np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-10)


@pytest.mark.parametrize(
    ("metric", "linkage"),
    [("manhattan", "average"), ("cosine", "complete"), ("chebyshev", "single")],
)
def test_other_metrics_and_precomputed_equal_sklearn(metric, linkage):
    ours = AgglomerativeClustering(3, metric=metric, linkage=linkage).fit(X_FIXED)
    ref = skc.AgglomerativeClustering(3, metric=metric, linkage=linkage).fit(X_FIXED)
    np.testing.assert_array_equal(ours.labels_, _relabelled(ours.labels_, ref.labels_))
    name = {"manhattan": "cityblock"}.get(metric, metric)
    distances = cdist(X_FIXED, X_FIXED, metric=name)
    pre = AgglomerativeClustering(3, metric="precomputed", linkage=linkage).fit(distances)
    np.testing.assert_array_equal(pre.labels_, ours.labels_)


@pytest.mark.parametrize("linkage", ["ward", "average"])
def test_distance_threshold_equal_sklearn(linkage):
    params = dict(n_clusters=None, distance_threshold=2.5, linkage=linkage)
    ours = AgglomerativeClustering(**params).fit(X_FIXED)
    ref = skc.AgglomerativeClustering(**params).fit(X_FIXED)
    assert ours.n_clusters_ == ref.n_clusters_ > 2
    np.testing.assert_array_equal(ours.labels_, _relabelled(ours.labels_, ref.labels_))


def test_ward_heights_add_up_to_the_total_sum_of_squares(rng):
    """Each Ward merge adds h²/2 to the within-cluster sum of squares; all of them, the TSS."""
    X = rng.normal(size=(60, 4))
    model = AgglomerativeClustering(linkage="ward").fit(X)
    total = ((X - X.mean(axis=0)) ** 2).sum()
    assert (model.distances_**2).sum() / 2 == pytest.approx(total, rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), linkage=st.sampled_from(["ward", "complete", "single"]),
       k=st.integers(1, 10))  # fmt: skip
def test_cuts_are_nested(seed, linkage, k):
    X = np.random.default_rng(seed).normal(size=(40, 2))
    model = AgglomerativeClustering(linkage=linkage).fit(X)
    coarse = cut_tree(model.children_, 40, k)
    fine = cut_tree(model.children_, 40, k + 1)
    assert np.unique(coarse).size == k and np.unique(fine).size == k + 1
    for cluster in np.unique(fine):  # every finer cluster sits inside one coarser cluster
        assert np.unique(coarse[fine == cluster]).size == 1
    assert coarse[0] == 0  # clusters are numbered by their first row


def test_dendrogram_is_scipys():
    model = AgglomerativeClustering(linkage="average").fit(X_FIXED[:30])
    ours = dendrogram(model, truncate_mode="lastp", p=8)
    ref = hierarchy.dendrogram(hierarchy.linkage(X_FIXED[:30], "average"), p=8,
                               truncate_mode="lastp", no_plot=True)  # fmt: skip
    assert ours["ivl"] == ref["ivl"]
    np.testing.assert_allclose(ours["dcoord"], ref["dcoord"], rtol=1e-12)


def test_dendrogram_draws_on_axes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    tree = dendrogram(AgglomerativeClustering().fit(X_FIXED[:10]), ax=ax)
    assert len(ax.collections) + len(ax.lines) > 0
    assert len(tree["leaves"]) == 10
    plt.close(figure)


@pytest.mark.parametrize(
    ("X", "params", "error", "match"),
    [
        (X_FIXED, {"n_clusters": 2, "distance_threshold": 1.0}, ParameterError,
         "Exactly one of n_clusters and distance_threshold"),
        (X_FIXED, {"n_clusters": None}, ParameterError, "Exactly one of"),
        (X_FIXED, {"metric": "manhattan"}, ParameterError, "ward' works only with Euclidean"),
        (np.ones((1, 3)), {}, DataValidationError, "1 sample"),
        (np.eye(3), {"n_clusters": 5}, DataValidationError, "n_samples=3 should be >= n_clu"),
        (np.ones((4, 3)), {"metric": "precomputed", "linkage": "average"},
         DataValidationError, "square distance matrix"),
    ],
)  # fmt: skip
def test_bad_input(X, params, error, match):
    with pytest.raises(error, match=match):
        AgglomerativeClustering(**params).fit(X)


def test_dendrogram_refuses_other_input():
    with pytest.raises(DataValidationError, match="linkage matrix"):
        dendrogram(np.zeros((3, 2)))
