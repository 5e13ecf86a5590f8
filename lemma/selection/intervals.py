"""Confidence intervals for a cross-validated score.

J train/test splits give scores ``s₁, …, s_J`` with mean and sample variance

    s̄ = (1/J) Σ s_j,        σ̂² = Σ (s_j − s̄)² / (J − 1).

The textbook t-interval ``s̄ ± t σ̂/√J`` is too narrow for cross-validation: the
training sets overlap, so the J scores are positively correlated (correlation ρ
close to ``n_test/n`` for random splits) and ``Var(s̄) = σ²(1/J + ρ/(1−ρ))``,
not ``σ²/J``. Nadeau & Bengio's corrected resampled t replaces ``ρ/(1−ρ)`` by
``n_test/n_train``:

    std_err = √((1/J + n_test/n_train) σ̂²),
    s̄ ± t_{J−1, (1+c)/2} · std_err          (c = confidence, J − 1 degrees of freedom)

with ``n_test`` and ``n_train`` the (mean) sizes of a test and a training part.
For repeated k-fold, J counts every split (Bouckaert & Frank, 2004).

The bootstrap interval resamples the J fold scores with replacement, B times,
and takes the ``(1−c)/2`` and ``(1+c)/2`` quantiles of the resampled means (the
percentile interval). It treats folds as independent, so it is narrower than the
corrected interval and is shown as a description of the fold spread, not as
inference about the generalisation score.

Reference: C. Nadeau & Y. Bengio, "Inference for the generalization error",
Machine Learning 52 (2003) 239–281; R. Bouckaert & E. Frank, "Evaluating the
replicability of significance tests for comparing learning algorithms", PAKDD 2004.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.special import stdtrit

from lemma.exceptions import DataValidationError, ParameterError
from lemma.validation import check_random_state

__all__ = [
    "INTERVALS",
    "ScoreInterval",
    "bootstrap_interval",
    "corrected_std_err",
    "corrected_t_interval",
    "score_interval",
]


@dataclass(frozen=True)
class ScoreInterval:
    """A mean score over splits with its confidence interval.

    Attributes
    ----------
    mean : float
        Mean of the split scores.
    std : float
        Standard deviation of the split scores (``ddof=1``).
    std_err : float
        Standard error of the mean the interval is built from (corrected for the
        t-interval; standard deviation of the resampled means for the bootstrap).
    ci_low, ci_high : float
        Interval bounds (NaN with fewer than two finite splits).
    confidence : float
        Coverage the interval aims at.
    method : str
        "corrected_t" or "bootstrap".
    n_splits : int
        Number of scores J.
    df : float
        Degrees of freedom of the t quantile (NaN for the bootstrap).

    Examples
    --------
    >>> from lemma.selection import corrected_t_interval
    >>> ci = corrected_t_interval([0.7, 0.8, 0.75], n_train=20, n_test=10)
    >>> round(ci.mean, 3), ci.df, [round(b, 3) for b in ci.conf_int]
    (0.75, 2.0, [0.56, 0.94])
    """

    mean: float
    std: float
    std_err: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str
    n_splits: int
    df: float

    @property
    def conf_int(self) -> tuple[float, float]:
        """``(ci_low, ci_high)``."""
        return (self.ci_low, self.ci_high)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)

    def __str__(self) -> str:
        level = f"{100 * self.confidence:g}%"
        return (
            f"{self.mean:.4g} [{self.ci_low:.4g}, {self.ci_high:.4g}] "
            f"({level} {self.method.replace('_', ' ')}, {self.n_splits} splits)"
        )


def _check_scores(scores: Any, confidence: float) -> np.ndarray:
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise ParameterError(
            f"confidence must be a float in (0, 1), e.g. 0.95; got {confidence!r}."
        )
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise DataValidationError(
            f"scores must be a non-empty 1-D array of split scores; got shape {values.shape}."
        )
    return values


def _mean_and_std(values: np.ndarray) -> tuple[float, float]:
    """Mean and ddof=1 standard deviation; NaN (without a warning) when undefined."""
    if not np.all(np.isfinite(values)):
        return math.nan, math.nan
    mean = float(np.mean(values))
    std = float(np.std(values, ddof=1)) if values.size > 1 else math.nan
    return mean, std


def _undefined(
    mean: float, std: float, confidence: float, method: str, n_splits: int, df: float
) -> ScoreInterval:
    """The interval of fewer than two finite scores: NaN bounds, said plainly."""
    nan = math.nan
    return ScoreInterval(mean, std, nan, nan, nan, confidence, method, n_splits, df)


def corrected_std_err(scores: Any, n_train: Any, n_test: Any) -> float:
    """Nadeau–Bengio standard error of the mean of J split scores.

    ``√((1/J + n_test/n_train) σ̂²)``, with per-split sizes averaged.

    Parameters
    ----------
    scores : array-like of shape (n_splits,)
    n_train, n_test : int or array-like of shape (n_splits,)
        Training and test sizes (of each split).

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.selection import corrected_std_err
    >>> round(corrected_std_err([0.80, 0.84, 0.78, 0.82, 0.81], 80, 20), 5)
    0.015
    """
    values = _check_scores(scores, 0.95)
    train, test = float(np.mean(n_train)), float(np.mean(n_test))
    if not (train > 0 and test > 0):
        raise DataValidationError(
            f"n_train and n_test must be positive sizes; got n_train={train}, n_test={test}."
        )
    _, std = _mean_and_std(values)
    return math.sqrt((1.0 / values.size + test / train) * std**2)


def corrected_t_interval(
    scores: Any, n_train: Any, n_test: Any, *, confidence: float = 0.95
) -> ScoreInterval:
    """Nadeau–Bengio corrected resampled t-interval for the mean split score.

    Parameters
    ----------
    scores : array-like of shape (n_splits,)
        One score per train/test split (or per-split differences of two models).
    n_train, n_test : int or array-like of shape (n_splits,)
        Training and test sizes.
    confidence : float, default=0.95

    Returns
    -------
    ScoreInterval

    Examples
    --------
    >>> from lemma.selection import corrected_t_interval
    >>> ci = corrected_t_interval([0.80, 0.84, 0.78, 0.82, 0.81], n_train=80, n_test=20)
    >>> print(ci)
    0.81 [0.7684, 0.8516] (95% corrected t, 5 splits)
    """
    values = _check_scores(scores, confidence)
    mean, std = _mean_and_std(values)
    df = float(values.size - 1)
    if math.isnan(std):
        return _undefined(mean, std, confidence, "corrected_t", values.size, df)
    std_err = corrected_std_err(values, n_train, n_test)
    half = float(stdtrit(df, (1 + confidence) / 2)) * std_err
    return ScoreInterval(
        mean=mean,
        std=std,
        std_err=std_err,
        ci_low=mean - half,
        ci_high=mean + half,
        confidence=confidence,
        method="corrected_t",
        n_splits=values.size,
        df=df,
    )


def bootstrap_interval(
    scores: Any,
    *,
    confidence: float = 0.95,
    n_resamples: int = 9999,
    random_state: Any = 0,
) -> ScoreInterval:
    """Percentile bootstrap interval of the mean over the split scores.

    Parameters
    ----------
    scores : array-like of shape (n_splits,)
    confidence : float, default=0.95
    n_resamples : int, default=9999
        Number of bootstrap resamples B.
    random_state : int, RandomState or None, default=0
        Seed of the resampling (fixed by default so the interval is reproducible).

    Returns
    -------
    ScoreInterval

    Notes
    -----
    Folds are resampled as if independent; with the few, correlated scores of
    cross-validation this interval is narrower than :func:`corrected_t_interval`
    and should be read as the spread of the folds.

    Examples
    --------
    >>> from lemma.selection import bootstrap_interval
    >>> ci = bootstrap_interval([0.80, 0.84, 0.78, 0.82, 0.81])
    >>> ci.ci_low < ci.mean < ci.ci_high
    True
    """
    values = _check_scores(scores, confidence)
    if not isinstance(n_resamples, int) or n_resamples < 1:
        raise ParameterError(f"n_resamples must be a positive int; got {n_resamples!r}.")
    mean, std = _mean_and_std(values)
    if math.isnan(std):
        return _undefined(mean, std, confidence, "bootstrap", values.size, math.nan)
    rng = check_random_state(random_state)
    draws = rng.randint(0, values.size, size=(n_resamples, values.size))
    means = values[draws].mean(axis=1)
    low, high = np.quantile(means, [(1 - confidence) / 2, (1 + confidence) / 2])
    return ScoreInterval(
        mean=mean,
        std=std,
        std_err=float(np.std(means, ddof=1)),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        method="bootstrap",
        n_splits=values.size,
        df=math.nan,
    )


def _corrected(scores: Any, n_train: Any, n_test: Any, confidence: float) -> ScoreInterval:
    return corrected_t_interval(scores, n_train, n_test, confidence=confidence)


def _bootstrap(scores: Any, n_train: Any, n_test: Any, confidence: float) -> ScoreInterval:
    return bootstrap_interval(scores, confidence=confidence)


#: Interval method name → function(scores, n_train, n_test, confidence).
INTERVALS: dict[str, Callable[..., ScoreInterval]] = {
    "corrected_t": _corrected,
    "bootstrap": _bootstrap,
}


def score_interval(
    scores: Any,
    n_train: Any,
    n_test: Any,
    *,
    method: str = "corrected_t",
    confidence: float = 0.95,
) -> ScoreInterval:
    """Interval for the mean split score by a method named in :data:`INTERVALS`.

    Examples
    --------
    >>> from lemma.selection import score_interval
    >>> score_interval([0.5, 0.7, 0.6], 20, 10, method="bootstrap").method
    'bootstrap'
    """
    if method not in INTERVALS:
        raise ParameterError(
            f"Unknown interval method {method!r}; choose one of {sorted(INTERVALS)}."
        )
    return INTERVALS[method](scores, n_train, n_test, confidence)
