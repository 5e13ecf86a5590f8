"""Metrics: how good predictions are, with scikit-learn's names and conventions.

* Regression (:mod:`lemma.metrics.regression`): :func:`mean_squared_error`,
  :func:`root_mean_squared_error`, :func:`mean_absolute_error`,
  :func:`mean_absolute_percentage_error`, :func:`r2_score`,
  :func:`explained_variance_score`.
* Classification (:mod:`lemma.metrics.classification`): :func:`accuracy_score`,
  :func:`balanced_accuracy_score`, :func:`precision_score`, :func:`recall_score`,
  :func:`f1_score`, :func:`fbeta_score`, :func:`precision_recall_fscore_support`,
  :func:`confusion_matrix`, :func:`matthews_corrcoef`, :func:`log_loss`,
  :func:`brier_score_loss`, :func:`classification_report` (a DataFrame).
* Ranking (:mod:`lemma.metrics.ranking`): :func:`roc_curve`, :func:`roc_auc_score`
  (binary, one-vs-rest, one-vs-one), :func:`precision_recall_curve`,
  :func:`average_precision_score` (the PR AUC), :func:`auc`.
* Scorers (:mod:`lemma.metrics.scorers`): :class:`Scorer`, the name table
  :data:`SCORERS` with scikit-learn's scoring names, :func:`get_scorer`.

Every metric takes ``(y_true, y_pred, *, sample_weight=None)`` and accepts NumPy
arrays, lists and pandas Series; bad input raises
:class:`~lemma.exceptions.DataValidationError` with what is wrong and how to fix it.

Examples
--------
>>> from lemma.metrics import confusion_matrix, roc_auc_score
>>> confusion_matrix(["no", "yes", "yes"], ["no", "yes", "no"])
array([[1, 0],
       [1, 1]])
>>> roc_auc_score(["no", "yes", "yes"], [0.2, 0.9, 0.4])
1.0
"""

from lemma.metrics._validation import UndefinedMetricWarning
from lemma.metrics.classification import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    classification_report,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    matthews_corrcoef,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from lemma.metrics.cluster import (
    adjusted_rand_score,
    calinski_harabasz_score,
    completeness_score,
    contingency_matrix,
    davies_bouldin_score,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    rand_score,
    silhouette_samples,
    silhouette_score,
    v_measure_score,
)
from lemma.metrics.ranking import (
    auc,
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from lemma.metrics.regression import (
    explained_variance_score,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)
from lemma.metrics.scorers import SCORERS, Scorer, get_scorer, get_scorer_names

__all__ = [
    "SCORERS",
    "Scorer",
    "UndefinedMetricWarning",
    "accuracy_score",
    "adjusted_rand_score",
    "auc",
    "average_precision_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "calinski_harabasz_score",
    "classification_report",
    "completeness_score",
    "confusion_matrix",
    "contingency_matrix",
    "davies_bouldin_score",
    "explained_variance_score",
    "f1_score",
    "fbeta_score",
    "get_scorer",
    "get_scorer_names",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "log_loss",
    "matthews_corrcoef",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "rand_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "root_mean_squared_error",
    "silhouette_samples",
    "silhouette_score",
    "v_measure_score",
]
