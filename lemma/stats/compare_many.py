"""Comparing k models over N datasets by their ranks: Friedman test and Nemenyi post-hoc.

Rank the k models within each dataset (1 = best, ties get their average rank) and
average over the N datasets: ``R_j``. Under H₀ (all models equivalent) every
``R_j`` has mean ``(k + 1)/2``.

* Friedman: ``χ²_F = 12N/(k(k+1)) · [Σⱼ R_j² − k(k+1)²/4]`` on k − 1 df, divided by
  ``1 − Σ(t³ − t)/(N k (k² − 1))`` over tie groups of size t (as SciPy). Iman &
  Davenport's less conservative ``F_F = (N − 1)χ²_F / (N(k − 1) − χ²_F)`` on
  ``(k − 1, (k − 1)(N − 1))`` df is in ``details``. Effect size Kendall's
  ``W = χ²_F / (N(k − 1))``, from 0 (no agreement between datasets) to 1.
* Nemenyi: two models differ when ``|R_i − R_j| > CD``, with the critical
  difference ``CD = q_α √(k(k+1)/(6N))``, ``q_α = Q_{1−α}(k, ∞)/√2`` and ``Q`` the
  studentized range distribution; pairwise p-values ``P(Q(k, ∞) > √2 |R_i − R_j| /
  √(k(k+1)/(6N)))``.

Scores are compared within datasets only, so they need not be on one scale across
datasets; the datasets are the independent units (never CV folds of one dataset).

Reference: Demšar, "Statistical comparisons of classifiers over multiple data
sets", *JMLR* 7, 2006; Friedman, *JASA* 32, 1937; Nemenyi, PhD thesis, 1963.

Examples
--------
>>> import pandas as pd
>>> from lemma.stats import friedman_test
>>> scores = pd.DataFrame(
...     [[0.81, 0.92, 0.77, 0.85, 0.70], [0.84, 0.95, 0.80, 0.86, 0.74],
...      [0.79, 0.90, 0.75, 0.80, 0.71]],
...     index=["ridge", "forest", "knn"])
>>> print(friedman_test(scores))
The models' ranks differ: Friedman χ²(2) = 8.4, p = 0.015, Kendall's W = 0.84.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from lemma.exceptions import DataValidationError
from lemma.stats._checks import check_level
from lemma.stats._result import HypothesisTestResult

__all__ = ["NemenyiResult", "friedman_test", "nemenyi_posthoc", "rank_models"]


def _score_matrix(scores: Any) -> tuple[np.ndarray, list]:
    names = list(scores.index) if hasattr(scores, "index") and hasattr(scores, "columns") else None
    try:
        matrix = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataValidationError(
            "scores must be a numeric (n_models, n_datasets) array or DataFrame."
        ) from None
    if matrix.ndim != 2 or matrix.shape[0] < 2 or matrix.shape[1] < 2:
        raise DataValidationError(
            f"scores must have shape (n_models, n_datasets) with at least 2 of each; got "
            f"shape {matrix.shape}. Rows are models, columns datasets."
        )
    if not np.all(np.isfinite(matrix)):
        raise DataValidationError(
            "scores has NaN or infinite values; every model needs a score on every dataset."
        )
    return matrix, names if names is not None else [f"model {i}" for i in range(len(matrix))]


def rank_models(scores: Any, *, greater_is_better: bool = True) -> pd.DataFrame:
    """Rank models within each dataset (1 = best; ties share their average rank).

    Parameters
    ----------
    scores : array-like or DataFrame of shape (n_models, n_datasets)
        Rows are models (the DataFrame index names them), columns datasets.
    greater_is_better : bool, default=True
        False for losses (e.g. error rates).

    Returns
    -------
    DataFrame of shape (n_models, n_datasets)

    Examples
    --------
    >>> from lemma.stats import rank_models
    >>> rank_models([[0.9, 0.7], [0.8, 0.7], [0.6, 0.5]]).to_numpy()
    array([[1. , 1.5],
           [2. , 1.5],
           [3. , 3. ]])
    """
    matrix, names = _score_matrix(scores)
    ranks = stats.rankdata(-matrix if greater_is_better else matrix, axis=0)
    columns = list(scores.columns) if hasattr(scores, "columns") else None
    return pd.DataFrame(ranks, index=names, columns=columns)


def friedman_test(scores: Any, *, greater_is_better: bool = True) -> HypothesisTestResult:
    """Friedman test that k models perform equally well over N datasets.

    Parameters
    ----------
    scores : array-like or DataFrame of shape (n_models, n_datasets)
        Rows are models, columns datasets.
    greater_is_better : bool, default=True

    Returns
    -------
    HypothesisTestResult
        χ²_F on k − 1 df (equal to ``scipy.stats.friedmanchisquare(*scores)``);
        effect size Kendall's W; ``details`` holds ``average_ranks`` (Series),
        ``iman_davenport_f``, its ``iman_davenport_df`` and ``iman_davenport_p_value``.

    Examples
    --------
    >>> from lemma.stats import friedman_test
    >>> result = friedman_test([[1, 2, 3, 4], [2, 3, 4, 5], [3, 1, 5, 6]])
    >>> round(result.statistic, 3), round(result.p_value, 4)
    (3.5, 0.1738)
    """
    ranks = rank_models(scores, greater_is_better=greater_is_better)
    k, n = ranks.shape
    average = ranks.mean(axis=1)
    chi2 = 12 * n / (k * (k + 1)) * ((average**2).sum() - k * (k + 1) ** 2 / 4)
    ties = 0.0
    for column in ranks.to_numpy().T:
        _, counts = np.unique(column, return_counts=True)
        ties += (counts**3 - counts).sum()
    chi2 /= 1 - ties / (n * k * (k * k - 1))
    with np.errstate(divide="ignore"):
        f_id = (n - 1) * chi2 / (n * (k - 1) - chi2)
    df_id = (float(k - 1), float((k - 1) * (n - 1)))
    return HypothesisTestResult(
        test="Friedman test",
        statistic=float(chi2),
        p_value=float(stats.chi2.sf(chi2, k - 1)),
        df=float(k - 1),
        statistic_name="Friedman χ²",
        claim="the models' ranks differ",
        effect_size=float(chi2 / (n * (k - 1))),
        effect_size_name="Kendall's W",
        details={
            "average_ranks": average,
            "iman_davenport_f": float(f_id),
            "iman_davenport_df": df_id,
            "iman_davenport_p_value": float(stats.f.sf(f_id, *df_id)),
        },
    )


@dataclass(frozen=True)
class NemenyiResult:
    """Pairwise Nemenyi comparisons of k models over N datasets.

    Attributes
    ----------
    average_ranks : Series of shape (k,)
        Average rank of each model (1 = best).
    p_values : DataFrame of shape (k, k)
        Pairwise p-values (1 on the diagonal), adjusted for all k(k−1)/2 pairs.
    critical_difference : float
        Two models differ at ``alpha`` when their average ranks differ by more.
    alpha : float
    n_datasets : int
    """

    average_ranks: pd.Series
    p_values: pd.DataFrame
    critical_difference: float
    alpha: float
    n_datasets: int

    @property
    def significant(self) -> pd.DataFrame:
        """Boolean table: True where two models' ranks differ by more than the CD."""
        ranks = self.average_ranks.to_numpy()
        gaps = np.abs(ranks[:, None] - ranks[None, :])
        index = self.average_ranks.index
        return pd.DataFrame(gaps > self.critical_difference, index=index, columns=index)

    def __str__(self) -> str:
        order = self.average_ranks.sort_values()
        ranks = ", ".join(f"{name} {rank:.2f}" for name, rank in order.items())
        return (
            f"Average ranks (1 = best): {ranks}. Critical difference "
            f"{self.critical_difference:.3f} at alpha = {self.alpha:g} over "
            f"{self.n_datasets} datasets (Nemenyi)."
        )


def nemenyi_posthoc(
    scores: Any, *, alpha: float = 0.05, greater_is_better: bool = True
) -> NemenyiResult:
    """Nemenyi post-hoc test after a Friedman test: which models differ?

    Parameters
    ----------
    scores : array-like or DataFrame of shape (n_models, n_datasets)
        Rows are models, columns datasets.
    alpha : float, default=0.05
        Family-wise error rate for the critical difference.
    greater_is_better : bool, default=True

    Returns
    -------
    NemenyiResult

    Examples
    --------
    >>> from lemma.stats import nemenyi_posthoc
    >>> scores = [[0.81, 0.92, 0.77, 0.85, 0.70], [0.84, 0.95, 0.80, 0.86, 0.74],
    ...           [0.79, 0.90, 0.75, 0.80, 0.71]]
    >>> result = nemenyi_posthoc(scores)
    >>> round(result.critical_difference, 3)
    1.482
    >>> print(result)
    Average ranks (1 = best): model 1 1.00, model 0 2.20, model 2 2.80. Critical difference 1.482 at alpha = 0.05 over 5 datasets (Nemenyi).
    """  # noqa: E501
    alpha = check_level(alpha, "alpha")
    ranks = rank_models(scores, greater_is_better=greater_is_better)
    k, n = ranks.shape
    average = ranks.mean(axis=1)
    scale = np.sqrt(k * (k + 1) / (6 * n))
    q_alpha = stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    gaps = np.abs(average.to_numpy()[:, None] - average.to_numpy()[None, :])
    p_values = np.ones((k, k))
    upper = np.triu_indices(k, 1)
    p_values[upper] = stats.studentized_range.sf(np.sqrt(2) * gaps[upper] / scale, k, np.inf)
    p_values.T[upper] = p_values[upper]
    return NemenyiResult(
        average_ranks=average,
        p_values=pd.DataFrame(p_values, index=average.index, columns=average.index),
        critical_difference=float(q_alpha * scale),
        alpha=alpha,
        n_datasets=n,
    )
