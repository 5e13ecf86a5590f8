"""Dimensionality reduction: PCA and truncated SVD."""
