"""The result of a hypothesis test: numbers, an interval and one plain sentence.

A test of a null hypothesis H₀ against an alternative H₁ reduces the data to a
statistic T with a known distribution under H₀ and reports

* the p-value ``p = P_H₀(T at least as extreme as observed)``;
* the estimate θ̂ of the quantity the test is about (a mean difference, an AUC
  difference, an odds ratio) with a confidence interval ``CI(level)``, the set of
  values θ₀ the matching test would not reject at ``1 − level``;
* a named effect size (Cohen's d, rank-biserial r, Cramér's V, η², ...), a
  scale-free measure of how large the effect is, which a p-value is not.

``conclusion(alpha)`` puts them in one sentence: "The means differ: mean
difference 1.2 (95% CI 0.3 to 2.1), Welch t(17.3) = 2.8, p = 0.012, Cohen's
d = 0.81." A p-value at or above ``alpha`` gives "No evidence that ...", never
"the means are equal": absence of evidence is not evidence of absence.

Reference: Wasserstein & Lazar, "The ASA statement on p-values", *The American
Statistician* 70(2), 2016.

Examples
--------
>>> from lemma.stats import HypothesisTestResult
>>> result = HypothesisTestResult(
...     test="z-test", statistic=2.5, p_value=0.0124, statistic_name="z",
...     claim="the mean differs from 0", estimate=1.2, estimate_name="mean",
...     ci_function=lambda level: (0.26, 2.14))
>>> print(result)
The mean differs from 0: mean 1.2 (95% CI 0.26 to 2.14), z = 2.5, p = 0.012.
>>> statistic, p_value = result
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

from lemma.exceptions import ParameterError
from lemma.stats._checks import check_level

__all__ = [
    "HypothesisTestResult",
    "critical_value",
    "format_p_value",
    "format_value",
    "one_sided",
    "symmetric_interval",
    "tail_p_value",
]


def format_value(x: float) -> str:
    """Three significant digits; thousands as integers; ``inf`` and ``nan`` spelled out."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def format_p_value(p: float) -> str:
    """``p = 0.023`` style, with ``p < 0.001`` for small values."""
    p = float(p)
    if math.isnan(p):
        return "p = nan"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def one_sided(
    low: float, high: float, alternative: str, lower: float = -math.inf, upper: float = math.inf
) -> tuple[float, float]:
    """Keep the bound an alternative needs; the other becomes the parameter's limit."""
    if alternative == "less":
        return lower, high
    if alternative == "greater":
        return low, upper
    return low, high


def tail_p_value(statistic: float, alternative: str, distribution: Any = stats.norm) -> float:
    """p-value of ``statistic`` under a null ``distribution`` symmetric about 0."""
    if alternative == "greater":
        return float(distribution.sf(statistic))
    if alternative == "less":
        return float(distribution.cdf(statistic))
    return float(2 * distribution.sf(abs(statistic)))


def critical_value(level: float, alternative: str, distribution: Any = stats.norm) -> float:
    """Quantile that bounds a two-sided (or one-sided) interval of ``level``."""
    return float(distribution.ppf((1 + level) / 2 if alternative == "two-sided" else level))


def symmetric_interval(
    estimate: float, std_err: float, alternative: str, distribution: Any = stats.norm
) -> Callable[[float], tuple[float, float]]:
    """``level -> estimate ± q·std_err``, q from ``distribution`` (normal, or a frozen t)."""

    def interval(level: float) -> tuple[float, float]:
        half = critical_value(level, alternative, distribution) * std_err
        return one_sided(estimate - half, estimate + half, alternative)

    return interval


def _format_df(df: Any) -> str:
    if df is None:
        return ""
    values = df if isinstance(df, tuple) else (df,)
    text = ", ".join(
        f"{float(v):.0f}" if float(v) == round(float(v)) else f"{v:.3g}" for v in values
    )
    return f"({text})"


@dataclass(frozen=True)
class HypothesisTestResult:
    """Outcome of a hypothesis test (unpacks as ``statistic, p_value``).

    Attributes
    ----------
    test : str
        Name of the test, e.g. ``"Welch two-sample t-test"``.
    statistic : float
        Value of the test statistic.
    p_value : float
        Probability under H₀ of a statistic at least as extreme.
    df : float, tuple of float or None
        Degrees of freedom of the reference distribution (two for an F test).
    statistic_name : str
        Symbol used in the sentence, e.g. ``"Welch t"``, ``"χ²"``, ``"z"``.
    alternative : {"two-sided", "less", "greater"}
        The alternative hypothesis.
    claim : str
        What rejecting H₀ supports, e.g. ``"the means differ"``.
    estimate, estimate_name : float or None, str or None
        The quantity the confidence interval is about, and its name.
    effect_size, effect_size_name : float or None, str or None
        A standardised effect size and its name (``"Cohen's d"``, ``"Cramér's V"``).
    details : mapping
        Test-specific extras (group means, the contingency table, null scores...).
    ci_function : callable or None
        ``level -> (low, high)``; None when the test has no interval.
    """

    test: str
    statistic: float
    p_value: float
    df: float | tuple[float, ...] | None = None
    statistic_name: str = "statistic"
    alternative: str = "two-sided"
    claim: str = "there is an effect"
    estimate: float | None = None
    estimate_name: str | None = None
    effect_size: float | None = None
    effect_size_name: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    ci_function: Callable[[float], tuple[float, float]] | None = field(
        default=None, repr=False, compare=False
    )

    def __iter__(self) -> Iterator[float]:
        """Unpack as ``statistic, p_value`` (like SciPy's results)."""
        return iter((self.statistic, self.p_value))

    @property
    def has_confidence_interval(self) -> bool:
        """Whether :meth:`confidence_interval` is available for this test."""
        return self.ci_function is not None

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval ``(low, high)`` for :attr:`estimate`.

        One-sided alternatives give one-sided intervals (an infinite bound).

        Parameters
        ----------
        level : float, default=0.95
            Confidence level in (0, 1).

        Returns
        -------
        tuple of float
        """
        level = check_level(level)
        if self.ci_function is None:
            raise ParameterError(
                f"The {self.test} gives no confidence interval; use its effect size "
                f"({self.effect_size_name or 'none'}) or a bootstrap interval "
                "(lemma.stats.bootstrap_ci) instead."
            )
        low, high = self.ci_function(level)
        return float(low), float(high)

    def _interval_text(self, level: float) -> str:
        low, high = self.confidence_interval(level)
        pct = f"{100 * level:g}% CI"
        if math.isinf(low) and low < 0:
            return f" ({pct} up to {format_value(high)})"
        if math.isinf(high) and high > 0:
            return f" ({pct} from {format_value(low)})"
        return f" ({pct} {format_value(low)} to {format_value(high)})"

    def conclusion(self, alpha: float = 0.05) -> str:
        """One plain sentence: the verdict at ``alpha``, the estimate and its CI, the test.

        Parameters
        ----------
        alpha : float, default=0.05
            Significance level; the interval shown has level ``1 - alpha``.

        Returns
        -------
        str
        """
        alpha = check_level(alpha, "alpha")
        if self.p_value < alpha:
            verdict = self.claim[:1].upper() + self.claim[1:]
        else:
            verdict = f"No evidence that {self.claim}"
        parts = []
        if self.estimate is not None:
            text = f"{self.estimate_name} {format_value(self.estimate)}"
            if self.has_confidence_interval:
                text += self._interval_text(1 - alpha)
            parts.append(text)
        statistic = f"{self.statistic_name}{_format_df(self.df)} = {format_value(self.statistic)}"
        parts.append(f"{statistic}, {format_p_value(self.p_value)}")
        if self.effect_size is not None and self.effect_size_name != self.estimate_name:
            parts.append(f"{self.effect_size_name} = {format_value(self.effect_size)}")
        return f"{verdict}: {', '.join(parts)}."

    def __str__(self) -> str:
        return self.conclusion()
