"""Power and sample size of t tests and proportion tests.

The power of a level-α test is the chance it rejects H₀ when the true effect is
``d``. With a critical value c (``c = q_{1−α/2}`` two-sided, ``q_{1−α}`` one-sided):

* t tests: the statistic follows a noncentral t with ν degrees of freedom and
  noncentrality ``λ = d √ñ``; one-sample and paired tests have ``ν = n − 1``,
  ``ñ = n`` (d = mean/sd, or mean difference / sd of differences); two samples of
  n₁ and ``n₂ = ratio · n₁`` have ``ν = n₁ + n₂ − 2`` and ``ñ = n₁n₂/(n₁ + n₂)``
  (d is Cohen's d with the pooled sd).
  Power ``= P(T_{ν,λ} > c) + P(T_{ν,λ} < −c)`` (two-sided; one term one-sided).
* Proportion tests, normal approximation on the arcsine scale with Cohen's
  ``h = 2 asin√p₁ − 2 asin√p₂``: ``λ = h √ñ`` (ñ as above; ñ = n for one sample
  against p₂ = p₀), power ``= Φ(λ − z_c) + Φ(−λ − z_c)`` two-sided.

Given any two of effect size, n and power (at fixed α), the third is found by
root finding on the monotone power curve (n is returned unrounded: round up).

Reference: Cohen, *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.,
Erlbaum 1988, ch. 2 and 6.

Examples
--------
>>> from lemma.stats import power_ttest
>>> round(power_ttest(0.5, n=64), 4)   # Cohen's "medium" effect, 64 per group
0.8015
>>> round(power_ttest(0.5, power=0.8), 2)   # n per group for 80% power
63.77
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from scipy import optimize, stats

from lemma.exceptions import ParameterError
from lemma.stats._checks import check_alternative, check_choice, check_level

__all__ = ["power_proportions", "power_ttest"]

_LARGEST_N = 1e9
_LARGEST_EFFECT = 64.0


def _two_sample_sizes(n: float, ratio: float) -> tuple[float, float]:
    """(degrees of freedom, effective size ñ) for n₁ = n and n₂ = ratio·n."""
    n2 = ratio * n
    return n + n2 - 2, n * n2 / (n + n2)


#: kind → (df, ñ) as functions of n (and ratio); and the smallest n (one df).
_T_DESIGNS: dict[str, tuple[Callable[[float, float], tuple[float, float]], Callable]] = {
    "one-sample": (lambda n, ratio: (n - 1, n), lambda ratio: 2.0),
    "paired": (lambda n, ratio: (n - 1, n), lambda ratio: 2.0),
    "two-sample": (_two_sample_sizes, lambda ratio: 3 / (1 + ratio)),  # one df at least
}

_Z_DESIGNS: dict[str, tuple[Callable[[float, float], float], Callable]] = {
    "one-sample": (lambda n, ratio: n, lambda ratio: 1.0),
    "two-sample": (lambda n, ratio: n * ratio * n / (n + ratio * n), lambda ratio: 1.0),
}


def _t_power(effect: float, n: float, alpha: float, alternative: str, kind: str, ratio: float):
    df, size = _T_DESIGNS[kind][0](n, ratio)
    nc = effect * math.sqrt(size)
    two_sided = alternative == "two-sided"
    crit = stats.t.ppf(1 - alpha / 2 if two_sided else 1 - alpha, df)
    upper = stats.nct.sf(crit, df, nc) if alternative != "less" else 0.0
    lower = stats.nct.cdf(-crit, df, nc) if alternative != "greater" else 0.0
    return float(upper + lower)


def _z_power(effect: float, n: float, alpha: float, alternative: str, kind: str, ratio: float):
    nc = effect * math.sqrt(_Z_DESIGNS[kind][0](n, ratio))
    two_sided = alternative == "two-sided"
    crit = stats.norm.ppf(1 - alpha / 2 if two_sided else 1 - alpha)
    upper = stats.norm.sf(crit - nc) if alternative != "less" else 0.0
    lower = stats.norm.cdf(-crit - nc) if alternative != "greater" else 0.0
    return float(upper + lower)


def _check_given(effect_size: Any, n: Any, power: Any, smallest_n: float) -> None:
    missing = [
        name for name, v in (("effect_size", effect_size), ("n", n), ("power", power)) if v is None
    ]
    if len(missing) != 1:
        raise ParameterError(
            "Leave exactly one of effect_size, n and power as None (the one to solve for); "
            f"got {len(missing)} None: {missing}."
        )
    if effect_size is not None and not isinstance(effect_size, numbers.Real):
        raise ParameterError(f"effect_size must be a number; got {effect_size!r}.")
    if n is not None and (not isinstance(n, numbers.Real) or n < smallest_n):
        raise ParameterError(f"n must be a number >= {smallest_n:.3g}; got {n!r}.")
    if power is not None:
        check_level(power, "power")


def _solve(
    curve: Callable[..., float],
    effect_size: Any,
    n: Any,
    alpha: float,
    power: Any,
    alternative: str,
    kind: str,
    ratio: float,
    smallest_n: float,
) -> float:
    """Return the power, or the n or effect size at which the power curve hits ``power``."""
    if power is None:
        return curve(float(effect_size), float(n), alpha, alternative, kind, ratio)
    if n is None:

        def gap(x: float) -> float:
            return curve(float(effect_size), x, alpha, alternative, kind, ratio) - power

        low, high = smallest_n, 2 * smallest_n + 10
        if gap(low) >= 0:
            return low
        while gap(high) < 0:
            if high > _LARGEST_N:
                raise ParameterError(
                    f"No sample size up to {_LARGEST_N:.0e} reaches power {power} for effect "
                    f"size {effect_size} with alternative={alternative!r}; a one-sided "
                    "alternative needs an effect in its direction."
                )
            low, high = high, 4 * high
        return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-14))

    def effect_gap(x: float) -> float:
        return curve(x, float(n), alpha, alternative, kind, ratio) - power

    sign = -1.0 if alternative == "less" else 1.0
    floor = effect_gap(0.0)
    if floor >= 0:
        raise ParameterError(
            f"Power {power} is not above the power at effect size 0 ({floor + power:.3g}, "
            "i.e. alpha); ask for more power than alpha gives."
        )
    high = 1.0
    while effect_gap(sign * high) < 0:
        if high >= _LARGEST_EFFECT:
            raise ParameterError(
                f"No effect size up to {_LARGEST_EFFECT:g} standard deviations reaches power "
                f"{power} with n={n}."
            )
        high *= 2
    bracket = sorted((0.0, sign * high))
    return float(optimize.brentq(effect_gap, *bracket, xtol=1e-12, rtol=1e-14))


def _check_common(alpha: float, alternative: str, ratio: Any) -> float:
    check_level(alpha, "alpha")
    check_alternative(alternative)
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not float(ratio) > 0:
        raise ParameterError(f"ratio (n2/n1) must be a positive number; got {ratio!r}.")
    return float(ratio)


def power_ttest(
    effect_size: float | None = None,
    n: float | None = None,
    alpha: float = 0.05,
    power: float | None = None,
    *,
    kind: str = "two-sample",
    alternative: str = "two-sided",
    ratio: float = 1.0,
) -> float:
    """Power of a t test, or the sample size or effect size that gives a power.

    Leave exactly one of ``effect_size``, ``n``, ``power`` as None; it is returned.

    Parameters
    ----------
    effect_size : float or None
        Cohen's d: the mean difference in standard deviations (pooled sd for two
        samples, sd of the differences when paired).
    n : float or None
        Sample size (pairs when paired; the first group when two-sample).
    alpha : float, default=0.05
    power : float or None
    kind : {"two-sample", "one-sample", "paired"}, default="two-sample"
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
    ratio : float, default=1.0
        Two-sample only: n₂ = ratio · n₁.

    Returns
    -------
    float
        The quantity left as None (n unrounded).

    Examples
    --------
    >>> from lemma.stats import power_ttest
    >>> round(power_ttest(n=30, power=0.9, kind="paired"), 4)
    0.6124
    """
    ratio = _check_common(alpha, alternative, ratio)
    kind = check_choice(kind, "kind", _T_DESIGNS)
    smallest = _T_DESIGNS[kind][1](ratio)
    _check_given(effect_size, n, power, smallest)
    return _solve(_t_power, effect_size, n, alpha, power, alternative, kind, ratio, smallest)


def power_proportions(
    effect_size: float | None = None,
    n: float | None = None,
    alpha: float = 0.05,
    power: float | None = None,
    *,
    kind: str = "two-sample",
    alternative: str = "two-sided",
    ratio: float = 1.0,
) -> float:
    """Power of a proportion z test (normal approximation), or the n or h for a power.

    Leave exactly one of ``effect_size``, ``n``, ``power`` as None; it is returned.

    Parameters
    ----------
    effect_size : float or None
        Cohen's h (:func:`lemma.stats.cohens_h`), ``2 asin√p₁ − 2 asin√p₂``.
    n : float or None
        Sample size (the first group when two-sample).
    alpha : float, default=0.05
    power : float or None
    kind : {"two-sample", "one-sample"}, default="two-sample"
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
    ratio : float, default=1.0
        Two-sample only: n₂ = ratio · n₁.

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from lemma.stats import cohens_h, power_proportions
    >>> h = cohens_h(0.65, 0.5)
    >>> math.ceil(power_proportions(h, power=0.8))   # per group, to detect 65% vs 50%
    170
    """
    ratio = _check_common(alpha, alternative, ratio)
    kind = check_choice(kind, "kind", _Z_DESIGNS)
    smallest = _Z_DESIGNS[kind][1](ratio)
    _check_given(effect_size, n, power, smallest)
    return _solve(_z_power, effect_size, n, alpha, power, alternative, kind, ratio, smallest)
