"""Multiple testing: adjusted p-values that control the family-wise error or the FDR.

With m p-values sorted as ``p₍₁₎ ≤ … ≤ p₍ₘ₎``:

* Holm (1979), step-down, controls the family-wise error rate (FWER, the chance
  of one or more false rejections) under any dependence:
  ``p̃₍ᵢ₎ = min(1, maxⱼ≤ᵢ (m − j + 1) p₍ⱼ₎)``; reject H₍₁₎..H₍ₖ₋₁₎ where k is the
  first index with ``p₍ₖ₎ > α / (m − k + 1)``.
* Benjamini & Hochberg (1995), step-up, controls the false discovery rate (FDR,
  the expected share of false rejections among the rejections) for independent
  or positively dependent tests: ``p̃₍ᵢ₎ = min(1, minⱼ≥ᵢ m p₍ⱼ₎ / j)``; reject
  H₍₁₎..H₍ₖ₎ with k the largest index such that ``p₍ₖ₎ ≤ k α / m``.

In both, H₍ᵢ₎ is rejected exactly when ``p̃₍ᵢ₎ ≤ α``. Results equal statsmodels'
``multipletests(method="holm" | "fdr_bh")``.

Reference: Holm, "A simple sequentially rejective multiple test procedure",
*Scand. J. Statist.* 6, 1979; Benjamini & Hochberg, "Controlling the false
discovery rate", *JRSS B* 57, 1995.

Examples
--------
>>> from lemma.stats import benjamini_hochberg
>>> benjamini_hochberg([0.01, 0.04, 0.03, 0.20]).p_adjusted
array([0.04      , 0.05333333, 0.05333333, 0.2       ])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from lemma.exceptions import DataValidationError
from lemma.stats._checks import check_level

__all__ = ["MultipleTestingResult", "benjamini_hochberg", "holm"]


@dataclass(frozen=True)
class MultipleTestingResult:
    """Adjusted p-values and rejections (unpacks as ``reject, p_adjusted``).

    Attributes
    ----------
    reject : ndarray of bool, shape (m,)
        True where the hypothesis is rejected at ``alpha``.
    p_adjusted : ndarray of shape (m,)
        Adjusted p-values, in the input order.
    alpha : float
        Error rate controlled (FWER for Holm, FDR for Benjamini–Hochberg).
    method : str
    """

    reject: np.ndarray
    p_adjusted: np.ndarray
    alpha: float
    method: str

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.reject, self.p_adjusted))


def _sorted_p_values(p_values: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        p = np.asarray(p_values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise DataValidationError(
            f"p_values must be numbers in [0, 1]; got {type(p_values).__name__}."
        ) from None
    if p.size == 0:
        raise DataValidationError("p_values is empty; pass at least one p-value.")
    bad = ~((p >= 0) & (p <= 1))
    if bad.any():
        raise DataValidationError(
            f"p_values must lie in [0, 1] (no NaN); {int(bad.sum())} do not, first at "
            f"position {int(np.flatnonzero(bad)[0])} ({p[bad][0]!r})."
        )
    order = np.argsort(p, kind="stable")
    return p[order], order


def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[order] = values
    return out


def holm(p_values: Any, alpha: float = 0.05) -> MultipleTestingResult:
    """Holm's step-down adjustment (controls the family-wise error rate).

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Unadjusted p-values in [0, 1].
    alpha : float, default=0.05
        Family-wise error rate.

    Returns
    -------
    MultipleTestingResult

    Examples
    --------
    >>> from lemma.stats import holm
    >>> result = holm([0.01, 0.04, 0.03, 0.005])
    >>> result.p_adjusted
    array([0.03, 0.06, 0.06, 0.02])
    >>> result.reject
    array([ True, False, False,  True])
    """
    alpha = check_level(alpha, "alpha")
    p_sorted, order = _sorted_p_values(p_values)
    m = p_sorted.size
    factors = np.arange(m, 0, -1, dtype=np.float64)  # m - i + 1 for i = 1..m
    adjusted = np.minimum(np.maximum.accumulate(factors * p_sorted), 1.0)
    above = np.flatnonzero(p_sorted > alpha / factors)
    first_kept = above[0] if above.size else m
    reject = np.arange(m) < first_kept
    return MultipleTestingResult(_unsort(reject, order), _unsort(adjusted, order), alpha, "holm")


def benjamini_hochberg(p_values: Any, alpha: float = 0.05) -> MultipleTestingResult:
    """Benjamini–Hochberg step-up adjustment (controls the false discovery rate).

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Unadjusted p-values in [0, 1].
    alpha : float, default=0.05
        False discovery rate.

    Returns
    -------
    MultipleTestingResult

    Examples
    --------
    >>> from lemma.stats import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005]).reject
    array([ True,  True,  True,  True])
    """
    alpha = check_level(alpha, "alpha")
    p_sorted, order = _sorted_p_values(p_values)
    m = p_sorted.size
    rank = np.arange(1, m + 1, dtype=np.float64)
    raw = p_sorted * m / rank
    adjusted = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    below = np.flatnonzero(p_sorted <= rank * alpha / m)
    last_rejected = below[-1] if below.size else -1
    reject = np.arange(m) <= last_rejected
    return MultipleTestingResult(
        _unsort(reject, order), _unsort(adjusted, order), alpha, "benjamini_hochberg"
    )
