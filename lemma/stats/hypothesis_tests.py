"""Classical hypothesis tests with effect sizes, intervals and a plain conclusion.

The statistics and p-values come from SciPy where SciPy has the test; lemma adds
the uniform :class:`~lemma.stats.HypothesisTestResult`, the effect size, the
interval and the sentence. For samples ``x`` (size n₁, mean x̄, sd s₁) and ``y``:

* t tests: ``t = (x̄ − μ₀) / (s/√n)`` (one sample, df n − 1); Student
  ``t = (x̄ − ȳ) / (s_p √(1/n₁ + 1/n₂))``, ``s_p² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)``;
  Welch ``t = (x̄ − ȳ)/√(s₁²/n₁ + s₂²/n₂)`` with Welch–Satterthwaite df; paired:
  the one-sample test on ``d = x − y``. Effect size Cohen's d ``= (x̄ − ȳ)/s_p``
  (``d_z = d̄/s_d`` when paired).
* Rank tests: Mann–Whitney ``U₁ = #{xᵢ > yⱼ} + ½#{xᵢ = yⱼ}``, rank-biserial
  ``r = 2U₁/(n₁n₂) − 1``, Hodges–Lehmann shift ``median(xᵢ − yⱼ)``; Wilcoxon
  signed-rank on ranks of ``|dᵢ|``, matched-pairs ``r = (W₊ − W₋)/(W₊ + W₋)``,
  pseudo-median ``median((dᵢ + dⱼ)/2, i ≤ j)``. Their intervals are order
  statistics of those pairwise quantities (normal approximation for the rank).
* Several groups: one-way ANOVA ``F = (SS_between/(k−1)) / (SS_within/(N−k))``,
  ``η² = SS_between/SS_total``; Kruskal–Wallis H, ``ε² = H/(N − 1)``.
* Correlation: ``t = r √((n−2)/(1−r²))`` on n − 2 df; interval by Fisher's
  ``z = atanh r`` with standard error ``1/√(n−3)`` (``√(1.06/(n−3))`` for Spearman).
* Normality: Shapiro–Wilk W.

Tests on counts (χ², Fisher, proportions) are in :mod:`lemma.stats.categorical`.

Reference: Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed.,
Wiley 2014.

Examples
--------
>>> from lemma.stats import ttest_rel
>>> print(ttest_rel([72, 75, 80, 68, 77], [70, 74, 75, 66, 72]))
The mean difference is not zero: mean difference 3 (95% CI 0.677 to 5.32), t(4) = 3.59, p = 0.023, Cohen's d_z = 1.6.
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from lemma.exceptions import DataValidationError
from lemma.stats._checks import as_sample, check_alternative, same_length
from lemma.stats._result import HypothesisTestResult, critical_value, one_sided

__all__ = [
    "f_oneway",
    "kruskal",
    "mannwhitneyu",
    "pearsonr",
    "shapiro",
    "spearmanr",
    "ttest_1samp",
    "ttest_ind",
    "ttest_rel",
    "wilcoxon",
]

Interval = Callable[[float], tuple[float, float]]
_MAX_PAIRS = 10_000_000  # Hodges–Lehmann needs all pairwise differences


# ---------------------------------------------------------------------------- helpers
def _claim(alternative: str, two_sided: str, greater: str, less: str) -> str:
    return {"two-sided": two_sided, "greater": greater, "less": less}[alternative]


def _scipy_interval(result: Any) -> Interval:
    def interval(level: float) -> tuple[float, float]:
        low, high = result.confidence_interval(level)
        return float(low), float(high)

    return interval


def _order_statistic_interval(
    values: np.ndarray | None, center: float, sd: float, alternative: str
) -> Interval | None:
    """Interval ``(v₍ₖ₎, v₍N+1−k₎)`` with ``k = ⌊N/2 − z·sd⌋`` from sorted pairwise values."""
    if values is None:
        return None

    def interval(level: float) -> tuple[float, float]:
        z = critical_value(level, alternative)
        k = int(np.clip(np.floor(center - z * sd), 1, values.size))
        return one_sided(values[k - 1], values[values.size - k], alternative)

    return interval


def _fisher_z_interval(r: float, n: int, alternative: str, variance: float) -> Interval:
    def interval(level: float) -> tuple[float, float]:
        half = critical_value(level, alternative) * math.sqrt(variance / (n - 3))
        z = math.atanh(r)
        return one_sided(math.tanh(z - half), math.tanh(z + half), alternative, -1.0, 1.0)

    return interval


def _two_samples(a: Any, b: Any, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    return as_sample(a, "a", min_size=min_size), as_sample(b, "b", min_size=min_size)


def _groups(groups: tuple) -> list[np.ndarray]:
    if len(groups) < 2:
        raise DataValidationError(
            f"Got {len(groups)} group; pass at least two samples, e.g. f_oneway(a, b, c)."
        )
    return [as_sample(g, f"group {i}", min_size=1) for i, g in enumerate(groups)]


# ---------------------------------------------------------------------------- t tests
def ttest_1samp(
    a: Any, popmean: float = 0.0, *, alternative: str = "two-sided"
) -> HypothesisTestResult:
    """One-sample t-test of ``mean(a) = popmean``.

    Parameters
    ----------
    a : array-like of shape (n,)
    popmean : float, default=0.0
        Mean under the null hypothesis.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is the sample mean (interval for the population mean);
        effect size Cohen's d ``= (mean − popmean)/sd``.

    Examples
    --------
    >>> from lemma.stats import ttest_1samp
    >>> round(ttest_1samp([5.1, 4.9, 6.2, 5.8, 6.0], 5.0).p_value, 4)
    0.0782
    """
    alternative = check_alternative(alternative)
    x = as_sample(a, "a", min_size=2)
    res = stats.ttest_1samp(x, popmean, alternative=alternative)
    return HypothesisTestResult(
        test="one-sample t-test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=float(res.df),
        statistic_name="t",
        alternative=alternative,
        claim=_claim(
            alternative,
            f"the mean differs from {popmean:g}",
            f"the mean is greater than {popmean:g}",
            f"the mean is less than {popmean:g}",
        ),
        estimate=float(x.mean()),
        estimate_name="mean",
        effect_size=float((x.mean() - popmean) / x.std(ddof=1)),
        effect_size_name="Cohen's d",
        ci_function=_scipy_interval(res),
    )


def ttest_ind(
    a: Any, b: Any, *, equal_var: bool = False, alternative: str = "two-sided"
) -> HypothesisTestResult:
    """Two-sample t-test of equal means: Welch's (default) or Student's.

    Welch's test is the default because it keeps its error rate when the
    variances differ and loses almost nothing when they do not (Delacre, Lakens &
    Leys, *Int. Rev. Soc. Psych.* 30, 2017). SciPy's default is Student's.

    Parameters
    ----------
    a, b : array-like of shape (n_a,), (n_b,)
    equal_var : bool, default=False
        True for Student's pooled-variance test.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means mean(a) > mean(b).

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is ``mean(a) − mean(b)``; effect size Cohen's d (pooled sd).

    Examples
    --------
    >>> from lemma.stats import ttest_ind
    >>> result = ttest_ind([5.1, 4.9, 6.2, 5.8, 6.0], [4.1, 4.5, 3.9, 4.8, 4.2])
    >>> round(result.statistic, 3), round(result.df, 2)
    (4.333, 6.68)
    """
    alternative = check_alternative(alternative)
    x, y = _two_samples(a, b, min_size=2)
    res = stats.ttest_ind(x, y, equal_var=equal_var, alternative=alternative)
    n1, n2 = x.size, y.size
    pooled = ((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2)
    difference = float(x.mean() - y.mean())
    return HypothesisTestResult(
        test="Student two-sample t-test" if equal_var else "Welch two-sample t-test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=float(res.df),
        statistic_name="t" if equal_var else "Welch t",
        alternative=alternative,
        claim=_claim(
            alternative,
            "the means differ",
            "the first mean is greater",
            "the first mean is smaller",
        ),
        estimate=difference,
        estimate_name="mean difference",
        effect_size=difference / math.sqrt(pooled),
        effect_size_name="Cohen's d",
        ci_function=_scipy_interval(res),
        details={"mean_a": float(x.mean()), "mean_b": float(y.mean())},
    )


def ttest_rel(a: Any, b: Any, *, alternative: str = "two-sided") -> HypothesisTestResult:
    """Paired t-test: the one-sample t-test of ``d = a − b`` against 0.

    Parameters
    ----------
    a, b : array-like of shape (n,)
        Two measurements of the same n units.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is ``mean(a − b)``; effect size Cohen's ``d_z = mean(d)/sd(d)``.

    Examples
    --------
    >>> from lemma.stats import ttest_rel
    >>> round(ttest_rel([72, 75, 80, 68, 77], [70, 74, 75, 66, 72]).statistic, 4)
    3.5857
    """
    alternative = check_alternative(alternative)
    x, y = _two_samples(a, b, min_size=2)
    same_length(("a", x), ("b", y))
    res = stats.ttest_rel(x, y, alternative=alternative)
    d = x - y
    return HypothesisTestResult(
        test="paired t-test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=float(res.df),
        statistic_name="t",
        alternative=alternative,
        claim=_claim(
            alternative,
            "the mean difference is not zero",
            "the mean difference is positive",
            "the mean difference is negative",
        ),
        estimate=float(d.mean()),
        estimate_name="mean difference",
        effect_size=float(d.mean() / d.std(ddof=1)),
        effect_size_name="Cohen's d_z",
        ci_function=_scipy_interval(res),
    )


# -------------------------------------------------------------------------- rank tests
def mannwhitneyu(
    x: Any,
    y: Any,
    *,
    alternative: str = "two-sided",
    method: str = "auto",
    use_continuity: bool = True,
) -> HypothesisTestResult:
    """Mann–Whitney U (Wilcoxon rank-sum) test for a shift between two samples.

    Parameters
    ----------
    x, y : array-like of shape (n_x,), (n_y,)
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means x tends to be larger than y.
    method : {"auto", "asymptotic", "exact"}, default="auto"
        How SciPy computes the p-value.
    use_continuity : bool, default=True
        Continuity correction of the normal approximation.

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is U for x; ``estimate`` the Hodges–Lehmann shift
        ``median(xᵢ − yⱼ)`` with its distribution-free interval (omitted, with the
        estimate, above 10⁷ pairs); effect size the rank-biserial r.

    Examples
    --------
    >>> from lemma.stats import mannwhitneyu
    >>> result = mannwhitneyu([3.1, 4.2, 5.0, 6.3, 7.7], [1.2, 2.3, 2.9, 3.5, 4.0])
    >>> result.statistic, round(result.p_value, 4), round(result.effect_size, 2)
    (23.0, 0.0317, 0.84)
    """
    alternative = check_alternative(alternative)
    a, b = _two_samples(x, y, min_size=1)
    res = stats.mannwhitneyu(
        a, b, alternative=alternative, method=method, use_continuity=use_continuity
    )
    n1, n2 = a.size, b.size
    differences = None
    if n1 * n2 <= _MAX_PAIRS:
        differences = np.sort(np.subtract.outer(a, b).ravel())
    return HypothesisTestResult(
        test="Mann–Whitney U test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        statistic_name="U",
        alternative=alternative,
        claim=_claim(
            alternative,
            "the two samples differ in location",
            "the first sample tends to be larger",
            "the first sample tends to be smaller",
        ),
        estimate=None if differences is None else float(np.median(differences)),
        estimate_name="Hodges–Lehmann shift",
        effect_size=float(2 * res.statistic / (n1 * n2) - 1),
        effect_size_name="rank-biserial r",
        ci_function=_order_statistic_interval(
            differences, n1 * n2 / 2, math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12), alternative
        ),
    )


def _signed_rank_sums(d: np.ndarray, zero_method: str) -> tuple[float, float]:
    """``(W₊, W₋)``: rank sums of positive and negative differences."""
    if zero_method == "wilcox":
        d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    zero_share = 0.5 * ranks[d == 0].sum() if zero_method == "zsplit" else 0.0
    return ranks[d > 0].sum() + zero_share, ranks[d < 0].sum() + zero_share


def wilcoxon(
    x: Any,
    y: Any = None,
    *,
    alternative: str = "two-sided",
    zero_method: str = "wilcox",
    correction: bool = False,
    method: str = "auto",
) -> HypothesisTestResult:
    """Wilcoxon signed-rank test that ``x − y`` (or ``x``) is symmetric about zero.

    Parameters
    ----------
    x : array-like of shape (n,)
        Differences, or first measurements when ``y`` is given.
    y : array-like of shape (n,), optional
        Second measurements of the same units.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
    zero_method : {"wilcox", "pratt", "zsplit"}, default="wilcox"
        Treatment of zero differences (SciPy's options).
    correction : bool, default=False
        Continuity correction of the normal approximation.
    method : {"auto", "exact", "asymptotic"}, default="auto"

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is SciPy's (min(W₊, W₋) two-sided, W₊ one-sided);
        ``estimate`` the Hodges–Lehmann pseudo-median of the differences with its
        distribution-free interval; effect size the matched-pairs rank-biserial r.

    Examples
    --------
    >>> from lemma.stats import wilcoxon
    >>> result = wilcoxon([1.8, -0.4, 2.5, 1.1, 0.7, 3.2, 1.5, 0.9])
    >>> result.statistic, round(result.p_value, 4), round(result.effect_size, 3)
    (1.0, 0.0156, 0.944)
    """
    alternative = check_alternative(alternative)
    d = as_sample(x, "x", min_size=1)
    if y is not None:
        second = as_sample(y, "y", min_size=1)
        same_length(("x", d), ("y", second))
        d = d - second
    res = stats.wilcoxon(
        d, zero_method=zero_method, correction=correction, alternative=alternative, method=method
    )
    w_plus, w_minus = _signed_rank_sums(d, zero_method)
    n = d.size
    walsh = None
    if n * (n + 1) // 2 <= _MAX_PAIRS:
        upper = np.triu_indices(n)
        walsh = np.sort(((d[:, None] + d[None, :]) / 2)[upper])
    subject = "the values" if y is None else "the paired differences"
    return HypothesisTestResult(
        test="Wilcoxon signed-rank test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        statistic_name="W",
        alternative=alternative,
        claim=_claim(
            alternative,
            f"{subject} are not centred on zero",
            f"{subject} tend to be positive",
            f"{subject} tend to be negative",
        ),
        estimate=None if walsh is None else float(np.median(walsh)),
        estimate_name="pseudo-median",
        effect_size=float((w_plus - w_minus) / (w_plus + w_minus)),
        effect_size_name="rank-biserial r",
        ci_function=_order_statistic_interval(
            walsh, n * (n + 1) / 4, math.sqrt(n * (n + 1) * (2 * n + 1) / 24), alternative
        ),
        details={"w_plus": float(w_plus), "w_minus": float(w_minus)},
    )


# ----------------------------------------------------------------------- several groups
def f_oneway(*groups: Any) -> HypothesisTestResult:
    """One-way ANOVA F test that k groups share one mean.

    Parameters
    ----------
    *groups : array-like
        Two or more samples.

    Returns
    -------
    HypothesisTestResult
        ``df = (k − 1, N − k)``; effect size ``η² = SS_between / SS_total``.

    Examples
    --------
    >>> from lemma.stats import f_oneway
    >>> result = f_oneway([4.2, 4.8, 5.1, 4.6], [5.9, 6.3, 5.5, 6.1], [4.9, 5.2, 5.6, 5.0])
    >>> result.df, round(result.statistic, 2), round(result.effect_size, 3)
    ((2.0, 9.0), 13.95, 0.756)
    """
    samples = _groups(groups)
    res = stats.f_oneway(*samples)
    pooled = np.concatenate(samples)
    total = ((pooled - pooled.mean()) ** 2).sum()
    between = sum(s.size * (s.mean() - pooled.mean()) ** 2 for s in samples)
    return HypothesisTestResult(
        test="one-way ANOVA",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=(float(len(samples) - 1), float(pooled.size - len(samples))),
        statistic_name="F",
        claim="the group means differ",
        effect_size=float(between / total),
        effect_size_name="η²",
        details={"group_means": [float(s.mean()) for s in samples]},
    )


def kruskal(*groups: Any) -> HypothesisTestResult:
    """Kruskal–Wallis H test that k groups come from one distribution.

    Parameters
    ----------
    *groups : array-like
        Two or more samples.

    Returns
    -------
    HypothesisTestResult
        ``df = k − 1``; effect size ``ε² = H/(N − 1)`` (Tomczak & Tomczak, *Trends
        Sport Sci.* 21, 2014).

    Examples
    --------
    >>> from lemma.stats import kruskal
    >>> result = kruskal([4.2, 4.8, 5.1, 4.6], [5.9, 6.3, 5.5, 6.1], [4.9, 5.2, 5.6, 5.0])
    >>> round(result.statistic, 3), round(result.p_value, 4)
    (8.115, 0.0173)
    """
    samples = _groups(groups)
    res = stats.kruskal(*samples)
    n = sum(s.size for s in samples)
    return HypothesisTestResult(
        test="Kruskal–Wallis test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        df=float(len(samples) - 1),
        statistic_name="H",
        claim="the groups differ in location",
        effect_size=float(res.statistic / (n - 1)),
        effect_size_name="ε²",
    )


# --------------------------------------------------------------------------- correlation
def _correlation_result(
    test: str, name: str, r: float, p_value: float, n: int, alternative: str, variance: float
) -> HypothesisTestResult:
    if abs(r) < 1:
        t = r * math.sqrt((n - 2) / (1 - r * r))
    else:
        t = math.copysign(math.inf, r)
    return HypothesisTestResult(
        test=test,
        statistic=float(t),
        p_value=float(p_value),
        df=float(n - 2),
        statistic_name="t",
        alternative=alternative,
        claim=_claim(
            alternative,
            "the variables are correlated",
            "the correlation is positive",
            "the correlation is negative",
        ),
        estimate=float(r),
        estimate_name=name,
        effect_size=float(r),
        effect_size_name=name,
        ci_function=_fisher_z_interval(r, n, alternative, variance) if n > 3 else None,
    )


def _paired_samples(x: Any, y: Any, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    a = as_sample(x, "x", min_size=min_size)
    b = as_sample(y, "y", min_size=min_size)
    same_length(("x", a), ("y", b))
    for name, v in (("x", a), ("y", b)):
        if np.ptp(v) == 0:
            raise DataValidationError(
                f"{name} is constant ({v[0]!r}); a correlation with a constant is undefined."
            )
    return a, b


def pearsonr(x: Any, y: Any, *, alternative: str = "two-sided") -> HypothesisTestResult:
    """Test of zero Pearson correlation, with Fisher's z interval for r.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        n >= 3 paired observations.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is ``t = r√((n−2)/(1−r²))`` on n − 2 df (the p-value is
        SciPy's exact one, identical); ``estimate`` and effect size are r.

    Examples
    --------
    >>> from lemma.stats import pearsonr
    >>> result = pearsonr([1, 2, 3, 4, 5, 6], [2.1, 3.9, 6.2, 8.1, 9.8, 12.2])
    >>> round(result.estimate, 4), [round(v, 4) for v in result.confidence_interval()]
    (0.999, [0.9908, 0.9999])
    """
    alternative = check_alternative(alternative)
    a, b = _paired_samples(x, y, min_size=3)
    res = stats.pearsonr(a, b, alternative=alternative)
    return _correlation_result(
        "Pearson correlation test", "r", float(res.statistic), res.pvalue, a.size, alternative, 1.0
    )


def spearmanr(x: Any, y: Any, *, alternative: str = "two-sided") -> HypothesisTestResult:
    """Test of zero Spearman rank correlation ρ.

    The p-value is SciPy's (t approximation). The interval uses Fisher's z with
    the variance ``1.06/(n − 3)`` of Fieller, Hartley & Pearson (*Biometrika* 44,
    1957).

    Parameters
    ----------
    x, y : array-like of shape (n,)
        n >= 3 paired observations.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"

    Returns
    -------
    HypothesisTestResult

    Examples
    --------
    >>> from lemma.stats import spearmanr
    >>> round(spearmanr([1, 2, 3, 4, 5, 6], [1, 3, 2, 5, 4, 6]).estimate, 4)
    0.8857
    """
    alternative = check_alternative(alternative)
    a, b = _paired_samples(x, y, min_size=3)
    res = stats.spearmanr(a, b, alternative=alternative)
    return _correlation_result(
        "Spearman correlation test",
        "Spearman's ρ",
        float(res.statistic),
        res.pvalue,
        a.size,
        alternative,
        1.06,
    )


# ----------------------------------------------------------------------------- normality
def shapiro(x: Any) -> HypothesisTestResult:
    """Shapiro–Wilk test that a sample comes from a normal distribution.

    Large samples make tiny, harmless departures significant: look at a Q–Q plot
    (:func:`lemma.stats.qq_data`) too.

    Parameters
    ----------
    x : array-like of shape (n,)
        n >= 3 values.

    Returns
    -------
    HypothesisTestResult
        No interval or effect size.

    Examples
    --------
    >>> from lemma.stats import shapiro
    >>> print(shapiro([2.1, 2.5, 2.2, 2.9, 3.1, 2.4, 2.7, 2.6]))
    No evidence that the data are not normally distributed: W = 0.98, p = 0.962.
    """
    values = as_sample(x, "x", min_size=3)
    if np.ptp(values) == 0:
        raise DataValidationError(f"x is constant ({values[0]!r}); normality cannot be tested.")
    res = stats.shapiro(values)
    return HypothesisTestResult(
        test="Shapiro–Wilk test",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        statistic_name="W",
        claim="the data are not normally distributed",
    )
