"""Metrics: how good predictions are, with scikit-learn's names and conventions.

* Regression (:mod:`lemma.metrics.regression`): :func:`mean_squared_error`,
  :func:`root_mean_squared_error`, :func:`mean_absolute_error`,
  :func:`mean_absolute_percentage_error`, :func:`r2_score`,
  :func:`explained_variance_score`.

Every metric takes ``(y_true, y_pred, *, sample_weight=None)`` and accepts NumPy
arrays, lists and pandas Series; bad input raises
:class:`~lemma.exceptions.DataValidationError` with what is wrong and how to fix it.
"""

from lemma.metrics._validation import UndefinedMetricWarning
from lemma.metrics.regression import (
    explained_variance_score,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = [
    "UndefinedMetricWarning",
    "explained_variance_score",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "r2_score",
    "root_mean_squared_error",
]
