"""Discriminant analysis: linear (shared covariance; also a supervised projection) and
quadratic (one covariance per class), with shrinkage — each file opens with its
mathematics."""

from lemma.models.discriminant.discriminant import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)

__all__ = ["LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis"]
