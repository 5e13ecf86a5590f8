"""Tests on counts: contingency tables and proportions.

* χ² test of independence in an r × c table of counts O with expected counts
  ``E = (row total × column total)/n``: ``χ² = Σ (O − E)²/E`` on ``(r−1)(c−1)`` df
  (Yates' ``Σ (|O − E| − ½)²/E`` for 1 df when ``correction=True``, as SciPy).
  Effect size Cramér's ``V = √(χ²/(n (min(r, c) − 1)))`` from the uncorrected χ².
* Fisher's exact test of a 2 × 2 table: the conditional (hypergeometric)
  distribution of the top-left count given the margins; the odds ratio is the
  conditional maximum-likelihood estimate with its exact interval.
* Proportions, ``p̂ = x/n``. One sample: score test
  ``z = (p̂ − p₀)/√(p₀(1 − p₀)/n)`` and Wilson's interval
  ``(p̂ + z²/2n ± z√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)``. Two samples:
  ``z = (p̂₁ − p̂₂)/√(p̄(1 − p̄)(1/n₁ + 1/n₂))`` with the pooled p̄, and Newcombe's
  hybrid score interval for ``p₁ − p₂`` built from the two Wilson intervals
  ``(lᵢ, uᵢ)``: ``δ̂ − √((p̂₁ − l₁)² + (u₂ − p̂₂)²)`` to
  ``δ̂ + √((u₁ − p̂₁)² + (p̂₂ − l₂)²)``. Effect size Cohen's ``h = 2 asin√p̂₁ − 2 asin√p₂``.

Reference: Agresti, *Categorical Data Analysis*, 3rd ed., Wiley 2013, ch. 1-3;
Newcombe, "Interval estimation for the difference between independent
proportions", *Statistics in Medicine* 17, 1998 (method 10).

Examples
--------
>>> from lemma.stats import chi2_contingency
>>> print(chi2_contingency([[30, 10], [15, 25]]))
The variables are associated: χ²(1) = 9.96, p = 0.002, Cramér's V = 0.378.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import stats

from lemma.exceptions import DataValidationError, InferenceWarning, ParameterError
from lemma.stats._checks import check_alternative
from lemma.stats._result import HypothesisTestResult, critical_value, one_sided, tail_p_value

__all__ = ["chi2_contingency", "cohens_h", "fisher_exact", "proportions_ztest", "wilson_interval"]


# ---------------------------------------------------------------------------- helpers
def _table(table: Any, *, two_by_two: bool = False) -> np.ndarray:
    try:
        counts = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataValidationError(
            "table must be a 2-D array of counts (e.g. pandas.crosstab(x, y))."
        ) from None
    if counts.ndim != 2 or min(counts.shape) < 2:
        raise DataValidationError(
            f"table must be 2-D with at least 2 rows and 2 columns; got shape {counts.shape}."
        )
    if two_by_two and counts.shape != (2, 2):
        raise DataValidationError(
            f"Fisher's exact test here needs a 2 × 2 table; got shape {counts.shape}. "
            "Use chi2_contingency for larger tables."
        )
    if not np.all(np.isfinite(counts)) or (counts < 0).any():
        raise DataValidationError("table must hold finite, non-negative counts.")
    for axis, label in ((1, "rows"), (0, "columns")):
        empty = np.flatnonzero(counts.sum(axis=axis) == 0)
        if empty.size:
            raise DataValidationError(
                f"table has empty {label} {empty.tolist()} (all counts zero); drop them first."
            )
    return counts


def wilson_interval(count: float, nobs: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion at normal quantile ``z``.

    Examples
    --------
    >>> from lemma.stats.categorical import wilson_interval
    >>> [round(v, 4) for v in wilson_interval(7, 20, 1.959963984540054)]
    [0.1812, 0.5671]
    """
    p = count / nobs
    center = (p + z * z / (2 * nobs)) / (1 + z * z / nobs)
    half = z / (1 + z * z / nobs) * math.sqrt(p * (1 - p) / nobs + z * z / (4 * nobs * nobs))
    return center - half, center + half


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's effect size for two proportions, ``h = 2 asin√p₁ − 2 asin√p₂``.

    Examples
    --------
    >>> from lemma.stats import cohens_h
    >>> round(cohens_h(0.65, 0.45), 4)
    0.4049
    """
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0 <= p <= 1:
            raise ParameterError(f"{name} must be a proportion in [0, 1]; got {p!r}.")
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def _counts(count: Any, nobs: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.atleast_1d(np.asarray(count, dtype=np.float64))
    n = np.atleast_1d(np.asarray(nobs, dtype=np.float64))
    if x.ndim != 1 or x.shape != n.shape or x.size not in (1, 2):
        raise DataValidationError(
            f"count and nobs must both be scalars (one sample) or both have length 2 (two "
            f"samples); got shapes {x.shape} and {n.shape}."
        )
    if not (np.all(np.isfinite(x)) and np.all(n >= 1) and np.all((x >= 0) & (x <= n))):
        raise DataValidationError(
            f"Need 0 <= count <= nobs and nobs >= 1; got count={x.tolist()}, nobs={n.tolist()}."
        )
    return x, n


# ------------------------------------------------------------------------------- tests
def chi2_contingency(table: Any, *, correction: bool = True) -> HypothesisTestResult:
    """χ² test of independence of the rows and columns of a contingency table.

    Warns (:class:`~lemma.exceptions.InferenceWarning`) when more than 20% of the
    expected counts are below 5 or any is below 1 (Cochran's rule), where the χ²
    approximation is poor.

    Parameters
    ----------
    table : array-like of shape (r, c)
        Counts, e.g. ``pandas.crosstab(x, y)``.
    correction : bool, default=True
        Yates' continuity correction when the test has 1 degree of freedom.

    Returns
    -------
    HypothesisTestResult
        Effect size Cramér's V; ``details["expected"]`` holds the expected counts.

    Examples
    --------
    >>> from lemma.stats import chi2_contingency
    >>> result = chi2_contingency([[12, 5, 8], [6, 14, 9]])
    >>> round(result.statistic, 3), result.df, round(result.effect_size, 3)
    (6.059, 2.0, 0.335)
    """
    counts = _table(table)
    res = stats.chi2_contingency(counts, correction=correction)
    expected = res.expected_freq
    small = int((expected < 5).sum())
    if small > 0.2 * expected.size or expected.min() < 1:
        warnings.warn(
            f"{small} of {expected.size} expected counts are below 5 (smallest "
            f"{expected.min():.3g}); the χ² approximation may be poor. Merge sparse "
            "categories, or use fisher_exact for a 2 × 2 table.",
            InferenceWarning,
            stacklevel=2,
        )
    plain = ((counts - expected) ** 2 / expected).sum()
    n = counts.sum()
    return HypothesisTestResult(
        test="χ² test of independence",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=float(res.dof),
        statistic_name="χ²",
        claim="the variables are associated",
        effect_size=float(math.sqrt(plain / (n * (min(counts.shape) - 1)))),
        effect_size_name="Cramér's V",
        details={"expected": expected},
    )


def fisher_exact(table: Any, *, alternative: str = "two-sided") -> HypothesisTestResult:
    """Fisher's exact test of independence in a 2 × 2 table, with the odds ratio.

    Parameters
    ----------
    table : array-like of shape (2, 2)
        Counts ``[[a, b], [c, d]]``; the odds ratio is ``(a/b)/(c/d)``.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means an odds ratio above 1.

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is the sample odds ratio ``ad/(bc)``; ``estimate`` (and the
        effect size) the conditional maximum-likelihood odds ratio with its exact
        interval (as R's ``fisher.test``).

    Examples
    --------
    >>> from lemma.stats import fisher_exact
    >>> result = fisher_exact([[8, 2], [1, 5]])
    >>> round(result.p_value, 4), round(result.estimate, 3)
    (0.035, 15.46)
    """
    alternative = check_alternative(alternative)
    counts = _table(table, two_by_two=True)
    res = stats.fisher_exact(counts, alternative=alternative)
    conditional = stats.contingency.odds_ratio(counts.astype(np.int64), kind="conditional")

    def interval(level: float) -> tuple[float, float]:
        low, high = conditional.confidence_interval(level, alternative=alternative)
        return float(low), float(high)

    return HypothesisTestResult(
        test="Fisher's exact test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        statistic_name="sample odds ratio",
        alternative=alternative,
        claim={
            "two-sided": "the variables are associated",
            "greater": "the odds ratio is greater than 1",
            "less": "the odds ratio is less than 1",
        }[alternative],
        estimate=float(conditional.statistic),
        estimate_name="odds ratio",
        effect_size=float(conditional.statistic),
        effect_size_name="odds ratio",
        ci_function=interval,
    )


def proportions_ztest(
    count: Any, nobs: Any, value: float | None = None, *, alternative: str = "two-sided"
) -> HypothesisTestResult:
    """z test for one proportion (score test) or for the difference of two.

    Parameters
    ----------
    count : int or array-like of 2 ints
        Successes (one sample, or one per sample).
    nobs : int or array-like of 2 ints
        Trials, matching ``count``.
    value : float, optional
        One sample: the null proportion p₀ (default 0.5). Two samples: must be 0
        or None (the null hypothesis is p₁ = p₂).
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means p > p₀ (or p₁ > p₂).

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is p̂ with Wilson's interval (one sample) or p̂₁ − p̂₂ with
        Newcombe's interval (two samples); effect size Cohen's h.

    Examples
    --------
    >>> from lemma.stats import proportions_ztest
    >>> print(proportions_ztest([45, 30], [100, 100]))
    The first proportion differs from the second: difference in proportions 0.15 (95% CI 0.0159 to 0.277), z = 2.19, p = 0.028, Cohen's h = 0.311.
    """  # noqa: E501
    alternative = check_alternative(alternative)
    x, n = _counts(count, nobs)
    p = x / n
    if x.size == 1:
        p0 = 0.5 if value is None else float(value)
        if not 0 < p0 < 1:
            raise ParameterError(f"value (the null proportion) must be in (0, 1); got {value!r}.")
        z = (p[0] - p0) / math.sqrt(p0 * (1 - p0) / n[0])

        def interval(level: float) -> tuple[float, float]:
            low, high = wilson_interval(x[0], n[0], critical_value(level, alternative))
            return one_sided(low, high, alternative, 0.0, 1.0)

        test, estimate, estimate_name = "one-sample proportion z-test", p[0], "proportion"
        claim = _proportion_claim(alternative, "the proportion", f"{p0:g}")
        h = cohens_h(p[0], p0)
    else:
        if value not in (None, 0):
            raise ParameterError(
                f"The two-sample test is of p1 = p2; value must be 0 or None, got {value!r}."
            )
        pooled = x.sum() / n.sum()
        if pooled in (0.0, 1.0):
            raise DataValidationError(
                "Both samples are all failures or all successes; the z test is undefined. "
                "Use fisher_exact on the 2 × 2 table instead."
            )
        z = (p[0] - p[1]) / math.sqrt(pooled * (1 - pooled) * (1 / n[0] + 1 / n[1]))

        def interval(level: float) -> tuple[float, float]:
            q = critical_value(level, alternative)
            l1, u1 = wilson_interval(x[0], n[0], q)
            l2, u2 = wilson_interval(x[1], n[1], q)
            delta = p[0] - p[1]
            low = delta - math.sqrt((p[0] - l1) ** 2 + (u2 - p[1]) ** 2)
            high = delta + math.sqrt((u1 - p[0]) ** 2 + (p[1] - l2) ** 2)
            return one_sided(low, high, alternative, -1.0, 1.0)

        test, estimate = "two-sample proportion z-test", p[0] - p[1]
        estimate_name = "difference in proportions"
        claim = _proportion_claim(alternative, "the first proportion", "the second")
        h = cohens_h(p[0], p[1])
    return HypothesisTestResult(
        test=test,
        statistic=float(z),
        p_value=tail_p_value(z, alternative),
        statistic_name="z",
        alternative=alternative,
        claim=claim,
        estimate=float(estimate),
        estimate_name=estimate_name,
        effect_size=float(h),
        effect_size_name="Cohen's h",
        ci_function=interval,
    )


def _proportion_claim(alternative: str, subject: str, other: str) -> str:
    relation = {"two-sided": "differs from", "greater": "is greater than", "less": "is less than"}
    return f"{subject} {relation[alternative]} {other}"
