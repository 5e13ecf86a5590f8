"""Dimensionality reduction: PCA (full, covariance, randomized and Lanczos solvers) and
truncated SVD — the singular value decomposition of the data, in :mod:`.pca`."""

from lemma.models.decomposition.pca import PCA, TruncatedSVD, randomized_svd

__all__ = ["PCA", "TruncatedSVD", "randomized_svd"]
