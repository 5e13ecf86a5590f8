"""Clustering: k-means (Lloyd, Elkan, mini-batch), Gaussian mixtures by EM, DBSCAN,
agglomerative clustering, choosing k, and cluster profiles — each file opens with its
mathematics."""

from lemma.models.cluster.dbscan import DBSCAN
from lemma.models.cluster.hierarchical import AgglomerativeClustering, cut_tree, dendrogram
from lemma.models.cluster.k_selection import ChooseKResult, choose_k
from lemma.models.cluster.kmeans import KMeans, kmeans_plusplus
from lemma.models.cluster.minibatch import MiniBatchKMeans
from lemma.models.cluster.mixture import GaussianMixture
from lemma.models.cluster.profiles import ClusterProfiles, cluster_profiles

__all__ = [
    "DBSCAN",
    "AgglomerativeClustering",
    "ChooseKResult",
    "ClusterProfiles",
    "GaussianMixture",
    "KMeans",
    "MiniBatchKMeans",
    "choose_k",
    "cluster_profiles",
    "cut_tree",
    "dendrogram",
    "kmeans_plusplus",
]
