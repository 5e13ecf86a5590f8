"""Permutation importance: how much a model's score drops when one input column is shuffled.

For a fitted model f, evaluation rows (X, y) and a score s (greater is better), the
importance of column j under a permutation π of the rows is

    I_j(π) = s(f, X, y) − s(f, X^{(j, π)}, y),

where ``X^{(j, π)}`` is X with column j replaced by its values in the order π: the
column keeps its distribution but loses its link to y and to the other columns.
With R independent uniformly random permutations π₁, …, π_R the importance is the
mean ``Ī_j = (1/R) Σ_r I_j(π_r)``, reported with

    std     = √((1/R) Σ_r (I_j(π_r) − Ī_j)²)           (scikit-learn's importances_std)
    std_err = √(Σ_r (I_j(π_r) − Ī_j)² / (R − 1)) / √R
    interval  Ī_j ± t_{R−1, (1+c)/2} · std_err           (c = confidence).

What the interval covers: the randomness of the permutations. It estimates the
importance averaged over all permutations, for this fitted model on these rows. It
does not cover the variability from the sample — other evaluation rows, or a model
refitted on other training rows give other importances; for that, compute the
importance on cross-validation folds or bootstrap the rows.

The same R permutations are used for every column (common random numbers), so the
comparison of two columns is not blurred by permutation noise. Each permutation is
the previous one shuffled again by ``RandomState.shuffle`` from one drawn seed, which
is scikit-learn's stream: with the same integer ``random_state`` (and
``max_samples=1.0``) the importances equal ``sklearn.inspection.permutation_importance``'s.
For a pipeline the columns permuted are its *input* columns, so a raw feature's
importance includes everything the preparation derives from it.

Reference: L. Breiman, "Random forests", Machine Learning 45 (2001) 5–32, §10;
A. Fisher, C. Rudin & F. Dominici, "All models are wrong, but many are useful",
JMLR 20 (2019) 1–81 (model reliance).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from lemma.exceptions import DataValidationError, ParameterError
from lemma.explain._table import as_table, column, column_names, set_column, take_rows
from lemma.validation import check_is_fitted, check_random_state

__all__ = ["PermutationImportance", "permutation_importance"]


def _weighted_score(estimator: Any, X: Any, y: Any, sample_weight: Any = None) -> float:
    """The estimator's own ``score`` (R² or accuracy), weighted when weights are given."""
    if sample_weight is None:
        return float(estimator.score(X, y))
    return float(estimator.score(X, y, sample_weight=sample_weight))


def _scorers(estimator: Any, scoring: Any) -> dict[str, Callable[..., float]]:
    """Name → ``scorer(estimator, X, y[, sample_weight])`` (None: the estimator's score)."""
    from lemma.selection.validate import check_scoring

    scorers = check_scoring(estimator, scoring)
    if scoring is None:
        return {"score": _weighted_score}
    return scorers


def _score(scorer: Callable[..., float], estimator: Any, X: Any, y: Any, weight: Any) -> float:
    if weight is None:
        return float(scorer(estimator, X, y))
    return float(scorer(estimator, X, y, sample_weight=weight))


def _permutations(seed: int, n_rows: int, n_repeats: int) -> np.ndarray:
    """R permutations of ``range(n_rows)``, each the previous one shuffled again."""
    random = np.random.RandomState(seed)
    step = np.arange(n_rows)
    current = np.arange(n_rows)
    out = np.empty((n_repeats, n_rows), dtype=np.intp)
    for r in range(n_repeats):
        random.shuffle(step)
        current = current[step]
        out[r] = current
    return out


def _permuted_scores(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    sample_weight: Any,
    j: int,
    permutations: np.ndarray,
    scorers: dict[str, Callable[..., float]],
) -> np.ndarray:
    """Scores with column j permuted, shape (n_metrics, n_repeats)."""
    permuted = X.copy()
    original = column(X, j)
    out = np.empty((len(scorers), permutations.shape[0]))
    for r, order in enumerate(permutations):
        set_column(permuted, j, original[order])
        for k, scorer in enumerate(scorers.values()):
            out[k, r] = _score(scorer, estimator, permuted, y, sample_weight)
    return out


def _n_rows_used(max_samples: Any, n: int) -> int:
    if isinstance(max_samples, bool) or not isinstance(max_samples, int | float | np.number):
        raise ParameterError(
            f"max_samples must be a float in (0, 1] or an int in [1, n_samples]; got "
            f"{max_samples!r}."
        )
    if isinstance(max_samples, int | np.integer):
        if not 1 <= max_samples <= n:
            raise ParameterError(
                f"max_samples={max_samples} rows is not in [1, {n}] (X has {n} rows)."
            )
        return int(max_samples)
    if not 0 < max_samples <= 1:
        raise ParameterError(
            f"max_samples must be a share of the rows in (0, 1]; got {max_samples!r}."
        )
    return max(int(max_samples * n), 1)


def _check_options(n_repeats: Any, confidence: Any) -> None:
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer) or n_repeats < 1:
        raise ParameterError(
            f"n_repeats must be an int >= 1 (use >= 2 for an interval); got {n_repeats!r}."
        )
    if not isinstance(confidence, float | int) or not 0 < confidence < 1:
        raise ParameterError(
            f"confidence must be a float in (0, 1), e.g. 0.95; got {confidence!r}."
        )


def permutation_importance(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    scoring: Any = None,
    n_repeats: int = 5,
    n_jobs: int | None = None,
    random_state: Any = None,
    sample_weight: Any = None,
    max_samples: float | int = 1.0,
    confidence: float = 0.95,
) -> PermutationImportance | dict[str, PermutationImportance]:
    """Permutation importance of every input column, with an interval over the repeats.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        Any fitted model (lemma or scikit-learn); for a pipeline the input columns
        of the pipeline are permuted.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Evaluation rows, ideally held out from training.
    y : array-like of shape (n_samples,)
    scoring : str, callable, list or dict, optional
        A scorer name ("r2", "roc_auc", ...), a callable ``scorer(estimator, X, y)``,
        or several (a result per metric). None uses ``estimator.score``.
    n_repeats : int, default=5
        Permutations per column R.
    n_jobs : int, optional
        Columns scored in parallel (:func:`lemma.selection.run_parallel`).
    random_state : int, RandomState or None
        Seed of the permutations (and of the row subsample).
    sample_weight : array-like of shape (n_samples,), optional
        Passed to the scorer.
    max_samples : float or int, default=1.0
        Rows used: a share of the rows or a number, drawn once without replacement
        and used for every column and repeat.
    confidence : float, default=0.95
        Coverage of the intervals (t interval over the R repeats; see the module
        docstring for what it does and does not cover).

    Returns
    -------
    PermutationImportance, or dict of str to PermutationImportance for several metrics

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.explain import permutation_importance
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = 3 * X[:, 0] + rng.normal(size=200)
    >>> model = LinearRegression().fit(X, y)
    >>> result = permutation_importance(model, X, y, n_repeats=10, random_state=0)
    >>> result.to_frame().index.tolist()
    ['x0', 'x1']
    >>> bool(result.ci_low[0] > 1), bool(result.ci_low[1] < 0.01)
    (True, True)
    """
    from lemma.selection.parallel import run_parallel

    check_is_fitted(estimator)
    _check_options(n_repeats, confidence)
    X = as_table(X)
    y = np.asarray(y)
    n = X.shape[0]
    if y.shape[0] != n:
        raise DataValidationError(f"X has {n} rows but y has {y.shape[0]}; pass matching rows.")
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if weight is not None and weight.shape != (n,):
        raise DataValidationError(
            f"sample_weight must have one weight per row of X ({n}); got shape {weight.shape}."
        )
    m = _n_rows_used(max_samples, n)
    random = check_random_state(random_state)
    seed = random.randint(np.iinfo(np.int32).max + 1)
    if m < n:
        rows = np.random.RandomState(seed).choice(n, m, replace=False)
        X, y = take_rows(X, rows), y[rows]
        weight = None if weight is None else weight[rows]
    scorers = _scorers(estimator, scoring)
    baseline = {name: _score(scorer, estimator, X, y, weight) for name, scorer in scorers.items()}
    permutations = _permutations(seed, m, int(n_repeats))
    tasks = [
        partial(_permuted_scores, estimator, X, y, weight, j, permutations, scorers)
        for j in range(X.shape[1])
    ]
    scores = np.stack(run_parallel(tasks, n_jobs, description="permuting"))  # (p, metrics, R)
    results = {
        name: PermutationImportance.from_scores(
            baseline[name] - scores[:, k, :],
            baseline_score=baseline[name],
            feature_names=column_names(X),
            scoring=_scoring_name(scoring, name),
            confidence=confidence,
            n_samples=m,
        )
        for k, name in enumerate(scorers)
    }
    return results if len(results) > 1 else next(iter(results.values()))


def _scoring_name(scoring: Any, name: str) -> str:
    if scoring is None:
        return "estimator.score"
    if isinstance(scoring, str):
        return scoring
    if callable(scoring):
        return str(getattr(scoring, "name", getattr(scoring, "__name__", "callable scorer")))
    return name


@dataclass
class PermutationImportance:
    """Permutation importances with a t interval over the repeats.

    Attributes
    ----------
    importances : ndarray of shape (n_features, n_repeats)
        Drop in score for each column and permutation.
    importances_mean : ndarray of shape (n_features,)
    importances_std : ndarray of shape (n_features,)
        Standard deviation over the repeats (``ddof=0``, as scikit-learn).
    std_err : ndarray of shape (n_features,)
        Standard error of the mean (``ddof=1``), NaN with one repeat.
    ci_low, ci_high : ndarray of shape (n_features,)
        Interval for the mean over permutations (see the module docstring).
    baseline_score : float
        Score without permutation.
    feature_names : list of str
    scoring : str
    confidence : float
    n_samples : int
        Rows the importances were computed on.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.explain.permutation import PermutationImportance
    >>> result = PermutationImportance.from_scores(
    ...     np.array([[0.5, 0.7, 0.6], [0.0, 0.01, -0.01]]), baseline_score=0.9,
    ...     feature_names=["a", "b"], scoring="r2")
    >>> result.to_frame()[["mean", "ci_low", "ci_high"]].round(3)
             mean  ci_low  ci_high
    feature
    a         0.6   0.352    0.848
    b         0.0  -0.025    0.025
    """

    importances: np.ndarray
    importances_mean: np.ndarray
    importances_std: np.ndarray
    std_err: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    baseline_score: float
    feature_names: list[str]
    scoring: str
    confidence: float = 0.95
    n_samples: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_scores(
        cls,
        importances: np.ndarray,
        *,
        baseline_score: float,
        feature_names: list[str],
        scoring: str,
        confidence: float = 0.95,
        n_samples: int = 0,
    ) -> PermutationImportance:
        """Means, spreads and t intervals from the (n_features, n_repeats) importances."""
        importances = np.asarray(importances, dtype=np.float64)
        R = importances.shape[1]
        mean = importances.mean(axis=1)
        if R > 1:
            std_err = importances.std(axis=1, ddof=1) / np.sqrt(R)
            half = stdtrit(R - 1, 0.5 + confidence / 2) * std_err
        else:
            std_err = half = np.full(mean.shape, np.nan)
        return cls(
            importances=importances,
            importances_mean=mean,
            importances_std=importances.std(axis=1),
            std_err=std_err,
            ci_low=mean - half,
            ci_high=mean + half,
            baseline_score=float(baseline_score),
            feature_names=list(feature_names),
            scoring=scoring,
            confidence=confidence,
            n_samples=n_samples,
            notes=[
                f"{100 * confidence:g}% t intervals over {R} permutations per column: they "
                "cover the randomness of the permutations, not the variability of the data "
                "sample or of refitting the model."
            ],
        )

    @property
    def n_repeats(self) -> int:
        """Permutations per column."""
        return int(self.importances.shape[1])

    def to_frame(self) -> pd.DataFrame:
        """One row per column, most important first: mean, std, std_err, ci_low, ci_high."""
        frame = pd.DataFrame(
            {
                "mean": self.importances_mean,
                "std": self.importances_std,
                "std_err": self.std_err,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            },
            index=pd.Index(self.feature_names, name="feature"),
        )
        return frame.sort_values("mean", ascending=False, kind="stable")

    def top(self, k: int = 5) -> list[str]:
        """Names of the k columns with the largest mean importance."""
        return self.to_frame().index[:k].tolist()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (most important first), as a model card stores it."""
        frame = self.to_frame()
        return {
            "method": "permutation importance",
            "scoring": self.scoring,
            "baseline_score": self.baseline_score,
            "n_repeats": self.n_repeats,
            "n_samples": self.n_samples,
            "confidence": self.confidence,
            "features": [
                {"feature": str(name), **{k: _plain(v) for k, v in row.items()}}
                for name, row in frame.iterrows()
            ],
            "notes": list(self.notes),
        }

    def as_text(self) -> str:
        """Fixed-width table with the notes."""
        head = (
            f"Permutation importance ({self.scoring}; baseline {self.baseline_score:.4g}; "
            f"{self.n_repeats} repeats, {self.n_samples} rows)"
        )
        body = self.to_frame().to_string(float_format=lambda v: f"{v:.4g}")
        return "\n".join([head, body, *self.notes])

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(border=0, float_format=lambda v: f"{v:.4g}")
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes)
        title = html.escape(f"Permutation importance ({self.scoring})")
        return f"<div class='lemma-importance'><h4>{title}</h4>{table}{notes}</div>"


def _plain(value: Any) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value
