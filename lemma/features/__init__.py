"""Feature engineering and feature selection.

* Discretisation (:mod:`lemma.features.discretize`): :class:`KBinsDiscretizer`
  (uniform, quantile, k-means bins) and :class:`SupervisedBinner` (bins chosen
  against the target by a pruned tree, optionally monotone).
* Basis expansions (:mod:`lemma.features.polynomial`): :class:`PolynomialFeatures`
  and :class:`InteractionFeatures`; B-splines (:mod:`lemma.features.splines`):
  :class:`SplineTransformer`.
* Univariate scores (:mod:`lemma.features.scores`): :func:`f_classif`,
  :func:`f_regression`, :func:`r_regression`, :func:`chi2`,
  :func:`mutual_info_classif`, :func:`mutual_info_regression`.
* Selection by a filter (:mod:`lemma.features.selection`): :class:`VarianceThreshold`,
  :class:`SelectKBest`, :class:`SelectPercentile`, :class:`SelectFromModel`; by
  recursive elimination (:mod:`lemma.features.elimination`): :class:`RFE`,
  :class:`RFECV`.
* Search (:mod:`lemma.features.search`): :class:`FeatureSearch`, forward or stepwise
  selection over candidate groups (columns, logs, squares, interactions, bins) scored by
  cross-validation or AIC/BIC, stopping when the gain is not significant.
"""

from lemma.features.discretize import KBinsDiscretizer, SupervisedBinner
from lemma.features.elimination import RFE, RFECV
from lemma.features.polynomial import InteractionFeatures, PolynomialFeatures
from lemma.features.scores import (
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
    r_regression,
)
from lemma.features.search import FeatureSearch, SearchSummary
from lemma.features.selection import (
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    feature_importances,
)
from lemma.features.splines import SplineTransformer

__all__ = [
    "RFE",
    "RFECV",
    "FeatureSearch",
    "InteractionFeatures",
    "KBinsDiscretizer",
    "PolynomialFeatures",
    "SearchSummary",
    "SelectFromModel",
    "SelectKBest",
    "SelectPercentile",
    "SplineTransformer",
    "SupervisedBinner",
    "VarianceThreshold",
    "chi2",
    "f_classif",
    "f_regression",
    "feature_importances",
    "mutual_info_classif",
    "mutual_info_regression",
    "r_regression",
]
