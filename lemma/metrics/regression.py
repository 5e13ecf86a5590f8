"""Regression metrics: errors and the share of variance explained.

For true values y_i, predictions ŷ_i and weights w_i (all 1 by default), with
W = Σ_i w_i and the weighted mean ȳ = Σ_i w_i y_i / W:

    MSE  = Σ w_i (y_i − ŷ_i)² / W                 RMSE = √MSE
    MAE  = Σ w_i |y_i − ŷ_i| / W
    MAPE = Σ w_i |y_i − ŷ_i| / max(|y_i|, ε) / W  (ε = 2.2e-16: y_i = 0 gives a huge
                                                  value, not inf; a fraction, not %)
    R²   = 1 − SS_res / SS_tot,   SS_res = Σ w_i (y_i − ŷ_i)²,  SS_tot = Σ w_i (y_i − ȳ)²
    EV   = 1 − Var_w(y − ŷ) / Var_w(y)          (explained variance: R² that ignores a
                                                  constant bias in ŷ)

R² is 1 for perfect predictions, 0 for predicting ȳ everywhere and negative for
worse. It is undefined when y is constant (SS_tot = 0); like scikit-learn 1.9
(``force_finite=True``) lemma then returns 1.0 if the predictions are perfect
(SS_res = 0) and 0.0 otherwise; ``force_finite=False`` gives the raw ratio
(NaN or −inf). With fewer than two samples R² is NaN with an
:class:`UndefinedMetricWarning`. Explained variance follows the same rule.

A 2-D y of shape (n, k) is scored column by column; ``multioutput`` then says how
the k scores are combined: ``"uniform_average"`` (mean), ``"raw_values"`` (all k),
an array of k weights, or, for R² and EV, ``"variance_weighted"`` (weights SS_tot).

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed., 2009, §2.4 and §3.2; conventions of scikit-learn's
``sklearn.metrics`` (Pedregosa et al., JMLR 12, 2011).

Examples
--------
>>> from lemma.metrics import mean_squared_error, r2_score
>>> mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
0.375
>>> round(r2_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 6)
0.948608
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma.exceptions import ParameterError, interop
from lemma.metrics._validation import (
    UndefinedMetricWarning,
    check_regression_targets,
    weighted_mean,
)

__all__ = [
    "explained_variance_score",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "r2_score",
    "root_mean_squared_error",
]

_ERROR_AVERAGES = ("raw_values", "uniform_average")
_SCORE_AVERAGES = ("raw_values", "uniform_average", "variance_weighted")


def _combine_outputs(
    values: np.ndarray, multioutput: Any, allowed: tuple[str, ...], variances: Any = None
) -> Any:
    """Combine per-output values as ``multioutput`` says (float, or array for raw_values)."""
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ParameterError(
                f"multioutput must be one of {list(allowed)} or an array of output weights; "
                f"got {multioutput!r}."
            )
        if multioutput == "raw_values":
            return values
        weights = None
        if multioutput == "variance_weighted" and np.any(variances != 0):
            weights = variances
    else:
        weights = multioutput
    return float(np.average(values, weights=weights))


def _mean_error(
    elementwise: Callable[[np.ndarray, np.ndarray], np.ndarray], metric: str
) -> Callable[..., Any]:
    """A metric that averages a per-element error over rows (weighted), then outputs."""

    def compute(y_true, y_pred, sample_weight, multioutput):
        yt, yp, w, multioutput = check_regression_targets(
            y_true, y_pred, sample_weight, multioutput, metric
        )
        per_output = weighted_mean(elementwise(yt, yp), w, axis=0)
        return _combine_outputs(per_output, multioutput, _ERROR_AVERAGES)

    return compute


def _squared(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    return (yt - yp) ** 2


def _absolute(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    return np.abs(yt - yp)


def _absolute_percentage(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    return np.abs(yp - yt) / np.maximum(np.abs(yt), np.finfo(np.float64).eps)


_mse = _mean_error(_squared, "mean_squared_error")
_mae = _mean_error(_absolute, "mean_absolute_error")
_mape = _mean_error(_absolute_percentage, "mean_absolute_percentage_error")


def mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean squared error ``Σ w (y − ŷ)² / Σ w``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape (n_outputs,)
        How to combine the errors of several outputs.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error (0 is perfect); an array for ``multioutput="raw_values"``.

    Examples
    --------
    >>> from lemma.metrics import mean_squared_error
    >>> mean_squared_error([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]],
    ...                    multioutput="raw_values")
    array([0.41666667, 1.        ])
    """
    return _mse(y_true, y_pred, sample_weight, multioutput)


def root_mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Root mean squared error ``√(Σ w (y − ŷ)² / Σ w)``, in the units of y.

    With several outputs the square root is taken per output, then combined.
    Parameters and return as :func:`mean_squared_error`.

    Examples
    --------
    >>> from lemma.metrics import root_mean_squared_error
    >>> round(root_mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 6)
    0.612372
    """
    per_output = np.sqrt(_mse(y_true, y_pred, sample_weight, "raw_values"))
    return _combine_outputs(per_output, multioutput, _ERROR_AVERAGES)


def mean_absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute error ``Σ w |y − ŷ| / Σ w``.

    Parameters and return as :func:`mean_squared_error`.

    Examples
    --------
    >>> from lemma.metrics import mean_absolute_error
    >>> mean_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    return _mae(y_true, y_pred, sample_weight, multioutput)


def mean_absolute_percentage_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute percentage error ``Σ w |y − ŷ| / max(|y|, ε) / Σ w``.

    A fraction, not a percentage (0.25 means 25 %). Where y = 0 the error is
    divided by ε = 2.2e-16 (machine epsilon), giving a huge value rather than inf.
    Parameters and return as :func:`mean_squared_error`.

    Examples
    --------
    >>> from lemma.metrics import mean_absolute_percentage_error
    >>> round(mean_absolute_percentage_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 6)
    0.327381
    """
    return _mape(y_true, y_pred, sample_weight, multioutput)


def _fraction_explained(
    residual: np.ndarray, total: np.ndarray, multioutput: Any, force_finite: bool
) -> Any:
    """``1 − residual / total`` per output, with the constant-y rule, then combined."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scores = 1 - residual / total
    if force_finite:
        scores[residual == 0] = 1.0
        scores[(residual != 0) & (total == 0)] = 0.0
    return _combine_outputs(scores, multioutput, _SCORE_AVERAGES, variances=total)


def r2_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Coefficient of determination ``R² = 1 − SS_res / SS_tot``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    multioutput : {"uniform_average", "raw_values", "variance_weighted"} or array-like
        How to combine the scores of several outputs.
    force_finite : bool, default=True
        For constant y_true (SS_tot = 0) return 1.0 if the predictions are perfect
        and 0.0 otherwise (scikit-learn 1.9's rule) instead of NaN / −inf.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        1 is perfect, 0 is as good as predicting the mean, negative is worse.
        NaN (with an :class:`UndefinedMetricWarning`) for fewer than 2 samples.

    Examples
    --------
    >>> from lemma.metrics import r2_score
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    >>> r2_score([-2.0, -2.0, -2.0], [-2.0, -2.0, -1.9])  # constant y_true, imperfect
    0.0
    """
    yt, yp, w, multioutput = check_regression_targets(
        y_true, y_pred, sample_weight, multioutput, "r2_score"
    )
    if yt.shape[0] < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples; returning NaN.",
            interop(UndefinedMetricWarning),
            stacklevel=2,
        )
        return float("nan")
    weight = 1.0 if w is None else w[:, None]
    residual = np.sum(weight * (yt - yp) ** 2, axis=0)
    total = np.sum(weight * (yt - weighted_mean(yt, w, axis=0)) ** 2, axis=0)
    return _fraction_explained(residual, total, multioutput, force_finite)


def explained_variance_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Explained variance ``1 − Var_w(y − ŷ) / Var_w(y)``.

    Equals R² when the residuals have weighted mean zero; unlike R² it does not
    penalise a constant bias. Parameters, constant-y rule and return as
    :func:`r2_score`.

    Examples
    --------
    >>> from lemma.metrics import explained_variance_score
    >>> explained_variance_score([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])  # biased but exact shape
    1.0
    """
    yt, yp, w, multioutput = check_regression_targets(
        y_true, y_pred, sample_weight, multioutput, "explained_variance_score"
    )
    diff = yt - yp
    residual = weighted_mean((diff - weighted_mean(diff, w, axis=0)) ** 2, w, axis=0)
    total = weighted_mean((yt - weighted_mean(yt, w, axis=0)) ** 2, w, axis=0)
    return _fraction_explained(residual, total, multioutput, force_finite)
