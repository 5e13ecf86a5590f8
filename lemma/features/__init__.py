"""Feature engineering and feature selection.

* Discretisation (:mod:`lemma.features.discretize`): :class:`KBinsDiscretizer`
  (uniform, quantile, k-means bins) and :class:`SupervisedBinner` (bins chosen
  against the target by a pruned tree, optionally monotone).
* Basis expansions (:mod:`lemma.features.polynomial`): :class:`PolynomialFeatures`
  and :class:`InteractionFeatures`; B-splines (:mod:`lemma.features.splines`):
  :class:`SplineTransformer`.
"""

from lemma.features.discretize import KBinsDiscretizer, SupervisedBinner
from lemma.features.polynomial import InteractionFeatures, PolynomialFeatures
from lemma.features.splines import SplineTransformer

__all__ = [
    "InteractionFeatures",
    "KBinsDiscretizer",
    "PolynomialFeatures",
    "SplineTransformer",
    "SupervisedBinner",
]
