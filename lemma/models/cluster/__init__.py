"""Clustering: k-means (Lloyd, Elkan, mini-batch), Gaussian mixtures by EM, DBSCAN,
agglomerative clustering, choosing k, and cluster profiles — each file opens with its
mathematics."""

from lemma.models.cluster.dbscan import DBSCAN
from lemma.models.cluster.kmeans import KMeans, kmeans_plusplus
from lemma.models.cluster.minibatch import MiniBatchKMeans
from lemma.models.cluster.mixture import GaussianMixture

__all__ = ["DBSCAN", "GaussianMixture", "KMeans", "MiniBatchKMeans", "kmeans_plusplus"]
