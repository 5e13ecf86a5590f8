"""Descriptive statistics with intervals: what a column looks like, and how sure we are.

For the n non-missing values x₍₁₎ ≤ … ≤ x₍ₙ₎ of a variable:

* mean x̄ with the t interval ``x̄ ± t_{n−1} s/√n`` (s the sample sd, ddof = 1);
* median with the distribution-free interval ``[x₍ⱼ₎, x₍ₙ₋ⱼ₊₁₎]``, j the largest
  integer with ``P(B ≤ j − 1) ≤ α/2`` for B ~ Binomial(n, ½): the number of
  values below the true median is binomial, so the interval covers it with
  probability at least ``1 − α`` whatever the distribution (undefined, NaN, when
  n is too small for the level, e.g. n ≤ 5 at 95%);
* quantiles by linear interpolation (NumPy's and pandas' default);
* skewness ``G₁ = √(n(n−1))/(n−2) · m₃/m₂^{3/2}`` and excess kurtosis
  ``G₂ = (n−1)/((n−2)(n−3)) · ((n+1) m₄/m₂² − 3(n−1))`` (the adjusted estimators
  of pandas and Excel; m_k the central moments).

Reference: Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed.,
Wiley 2014, §3.6 (median interval); Joanes & Gill, "Comparing measures of sample
skewness and kurtosis", *The Statistician* 47, 1998 (G₁, G₂).

Examples
--------
>>> from lemma.stats import describe
>>> describe([2.1, 3.4, 1.9, 5.6, 4.4, 2.8, 3.9, 3.1, 2.5, 4.0]).round(3)
                     x
count           10.000
missing          0.000
mean             3.370
mean_ci_low      2.556
mean_ci_high     4.184
std              1.137
min              1.900
25%              2.575
median           3.250
median_ci_low    2.100
median_ci_high   4.400
75%              3.975
max              5.600
skew             0.613
kurtosis         0.102
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.stats._checks import check_level

__all__ = ["describe", "median_interval"]


def median_interval(values: Any, level: float = 0.95) -> tuple[float, float]:
    """Distribution-free (binomial order-statistic) confidence interval for the median.

    Parameters
    ----------
    values : array-like of shape (n,)
    level : float, default=0.95

    Returns
    -------
    tuple of float
        ``(x₍ⱼ₎, x₍ₙ₋ⱼ₊₁₎)``; ``(nan, nan)`` when n is too small for ``level``.

    Examples
    --------
    >>> from lemma.stats.descriptive import median_interval
    >>> median_interval(range(1, 21))
    (6.0, 15.0)
    """
    level = check_level(level)
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    if n == 0:
        return math.nan, math.nan
    half_alpha = (1 - level) / 2
    j = int(stats.binom.ppf(half_alpha, n, 0.5))
    if stats.binom.cdf(j, n, 0.5) <= half_alpha:
        j += 1  # P(B ≤ j) = α/2 exactly: one more order statistic still qualifies
    if j < 1:
        return math.nan, math.nan
    return float(x[j - 1]), float(x[n - j])


def _columns(data: Any) -> dict[Any, np.ndarray]:
    if isinstance(data, pd.DataFrame):
        numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
        other = [c for c in data.columns if c not in numeric]
        if other:
            raise DataTypeError(
                f"describe needs numeric columns; {other} are not. Select the numeric ones, "
                "e.g. describe(df.select_dtypes('number'))."
            )
        return {c: data[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in data.columns}
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else "x"
        return {name: data.to_numpy(dtype=np.float64, na_value=np.nan)}
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataTypeError(
            "describe needs numbers (an array, list, Series or DataFrame)."
        ) from None
    if arr.ndim == 1:
        return {"x": arr}
    if arr.ndim == 2:
        return {j: arr[:, j] for j in range(arr.shape[1])}
    raise DataValidationError(f"describe takes 1-D or 2-D data; got shape {arr.shape}.")


def _describe_one(values: np.ndarray, level: float, quantiles: Sequence[float]) -> dict:
    if np.isinf(values).any():
        raise DataValidationError("data has infinite values; replace or drop them first.")
    missing = int(np.isnan(values).sum())
    x = values[~np.isnan(values)]
    n = x.size
    row: dict[str, float] = {"count": float(n), "missing": float(missing)}
    nan = math.nan
    mean = x.mean() if n else nan
    std = x.std(ddof=1) if n > 1 else nan
    half = stats.t.ppf((1 + level) / 2, n - 1) * std / math.sqrt(n) if n > 1 else nan
    row.update(mean=mean, mean_ci_low=mean - half, mean_ci_high=mean + half, std=std)
    row["min"] = x.min() if n else nan
    low, high = median_interval(x, level)
    for q in quantiles:
        label = "median" if q == 0.5 else f"{100 * q:g}%"
        row[label] = float(np.quantile(x, q)) if n else nan
        if q == 0.5:
            row.update(median_ci_low=low, median_ci_high=high)
    row["max"] = x.max() if n else nan
    varies = n > 0 and np.ptp(x) > 0
    row["skew"] = float(stats.skew(x, bias=False)) if n > 2 and varies else nan
    row["kurtosis"] = float(stats.kurtosis(x, bias=False)) if n > 3 and varies else nan
    return row


def describe(
    data: Any, *, level: float = 0.95, quantiles: Sequence[float] = (0.25, 0.5, 0.75)
) -> pd.DataFrame:
    """Count, missing, mean (with t interval), spread, median (with order-statistic interval).

    Parameters
    ----------
    data : array-like of shape (n,) or (n, p), Series or DataFrame
        Numeric values; NaN counts as missing and is left out of every statistic.
    level : float, default=0.95
        Level of the mean and median intervals.
    quantiles : sequence of float, default=(0.25, 0.5, 0.75)
        Quantiles to report; 0.5 is labelled ``median`` and brings its interval.

    Returns
    -------
    DataFrame
        One column per variable; rows ``count``, ``missing``, ``mean``,
        ``mean_ci_low``, ``mean_ci_high``, ``std``, ``min``, the quantiles (with
        ``median_ci_low``/``median_ci_high``), ``max``, ``skew``, ``kurtosis``
        (excess).

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.stats import describe
    >>> frame = pd.DataFrame({"age": [23, 35, None, 41, 29], "hours": [40, 38, 45, 50, 20]})
    >>> describe(frame).loc[["count", "missing", "mean"]]
           age  hours
    count    4.0    5.0
    missing  1.0    0.0
    mean    32.0   38.6
    """
    level = check_level(level)
    quantiles = list(quantiles)
    if not all(isinstance(q, int | float) and 0 <= q <= 1 for q in quantiles):
        raise ParameterError(f"quantiles must be numbers in [0, 1]; got {quantiles!r}.")
    columns = _columns(data)
    return pd.DataFrame(
        {name: _describe_one(values, level, quantiles) for name, values in columns.items()}
    )
