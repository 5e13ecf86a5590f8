"""What every linear model shares: the linear predictor and its summary hook.

A linear model predicts through ``η = Xβ + b`` (one column per target or class).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.exceptions import ParameterError
from lemma.validation import validate_data

__all__ = ["LinearPredictorMixin"]


class LinearPredictorMixin:
    """``decision_function``-style linear predictor ``Xβ + b`` from ``coef_``/``intercept_``."""

    _accepted_dtypes: tuple = (np.float64, np.float32)

    def _linear_predictor(self, X: Any) -> np.ndarray:
        self._check_is_fitted()  # type: ignore[attr-defined]
        X = validate_data(self, X, reset=False, dtype=self._accepted_dtypes)
        coef = self.coef_  # type: ignore[attr-defined]
        eta = X @ coef.T if coef.ndim == 2 else X @ coef
        return eta + self.intercept_  # type: ignore[attr-defined]

    def summary(self, level: float = 0.95) -> Any:
        """Coefficient table with inference where valid, as text, DataFrame and HTML.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of the intervals.
        """
        self._check_is_fitted()  # type: ignore[attr-defined]
        result = getattr(self, "result_", None)
        if result is None:
            raise ParameterError(
                f"summary() describes a model of one target; this {type(self).__name__} was "
                "fitted on several targets (2-D y). Fit one model per target to get inference."
            )
        return result.summary(level)
