"""Nearest neighbours: k-NN classification and regression, with brute-force search by
chunked matrix products or a KD-tree — each file opens with its mathematics."""

from lemma.models.neighbors.neighbors import KNeighborsClassifier, KNeighborsRegressor

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]
