"""Clustering: k-means (Lloyd, Elkan, mini-batch), Gaussian mixtures by EM, DBSCAN,
agglomerative clustering, choosing k, and cluster profiles — each file opens with its
mathematics."""

from lemma.models.cluster.dbscan import DBSCAN
from lemma.models.cluster.hierarchical import AgglomerativeClustering, cut_tree, dendrogram
from lemma.models.cluster.kmeans import KMeans, kmeans_plusplus
from lemma.models.cluster.minibatch import MiniBatchKMeans
from lemma.models.cluster.mixture import GaussianMixture

__all__ = [
    "DBSCAN",
    "AgglomerativeClustering",
    "GaussianMixture",
    "KMeans",
    "MiniBatchKMeans",
    "cut_tree",
    "dendrogram",
    "kmeans_plusplus",
]
