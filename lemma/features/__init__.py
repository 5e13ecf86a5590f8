"""Feature engineering and feature selection.

* Discretisation (:mod:`lemma.features.discretize`): :class:`KBinsDiscretizer`
  (uniform, quantile, k-means bins) and :class:`SupervisedBinner` (bins chosen
  against the target by a pruned tree, optionally monotone).
"""

from lemma.features.discretize import KBinsDiscretizer, SupervisedBinner

__all__ = ["KBinsDiscretizer", "SupervisedBinner"]
