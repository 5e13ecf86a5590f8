"""Nested cross-validation: an honest score for a model whose hyperparameters were tuned.

A search picks the hyperparameters θ with the best inner cross-validated score;
that best score is optimistic (the maximum of noisy estimates). Nested
cross-validation puts the whole search, tuning included, inside an outer
cross-validation:

    for each outer split (T_k, V_k), k = 1…K:
        search.fit(X[T_k], y[T_k])             inner CV sees only T_k
        s_k = score(search, X[V_k], y[V_k])    the tuned model on unseen rows
        θ_k = search.best_params_

``mean s_k`` estimates the score of "the model this search would deliver",
with the Nadeau–Bengio corrected t-interval (``n_train = |T_k|``); the spread of
θ_k shows how stable the tuning is, and ``best_score_ − s_k`` (when the outer
scoring is the search's) how optimistic the inner score was.

Reference: S. Varma & R. Simon, "Bias in error estimation when using
cross-validation for model selection", BMC Bioinformatics 7:91 (2006).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError
from lemma.selection.cv_result import CVResult
from lemma.selection.intervals import ScoreInterval
from lemma.selection.validate import cross_validate

__all__ = ["NestedCVResult", "nested_cross_validate"]


@dataclass(frozen=True, eq=False)
class NestedCVResult:
    """Outer scores of a tuned model and the hyperparameters chosen in each outer split.

    Attributes
    ----------
    outer : CVResult
        Outer cross-validation of the search (scikit-learn's keys, intervals).
    best_params : list of dict
        ``best_params_`` of the search fitted on each outer training part (None
        where the fit failed).
    inner_best_scores : ndarray of shape (n_outer_splits,)
        ``best_score_`` of each fitted search (NaN when missing).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import nested_cross_validate
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(60, 2)); y = X @ [1.0, 2.0] + rng.normal(size=60)
    >>> result = nested_cross_validate(GridSearchCV(Ridge(), {"alpha": [0.1, 1e3]}, cv=3), X, y)
    >>> result.params_counts()
    best_params
    {'alpha': 0.1}    5
    Name: count, dtype: int64
    """

    outer: CVResult
    best_params: list[dict[str, Any] | None]
    inner_best_scores: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        """Outer test scores of the first metric."""
        return self.outer[f"test_{self.outer.metrics[0]}"]

    def interval(
        self,
        metric: str | None = None,
        *,
        method: str = "corrected_t",
        confidence: float | None = None,
    ) -> ScoreInterval:
        """Mean outer score with its interval (see :meth:`CVResult.interval`)."""
        return self.outer.interval(metric, method=method, confidence=confidence)

    def summary(self, confidence: float | None = None) -> pd.DataFrame:
        """Outer scores per metric and interval method (see :meth:`CVResult.summary`)."""
        return self.outer.summary(confidence)

    def to_frame(self) -> pd.DataFrame:
        """Per outer split: outer score, inner best score, their difference, the parameters."""
        frame = pd.DataFrame(
            {
                "split": np.arange(self.outer.n_splits),
                "outer_score": self.scores,
                "inner_best_score": self.inner_best_scores,
                "optimism": self.inner_best_scores - self.scores,
            }
        )
        params = pd.DataFrame([p or {} for p in self.best_params])
        return pd.concat([frame, params.add_prefix("param_")], axis=1)

    def params_counts(self) -> pd.Series:
        """How many outer splits chose each hyperparameter setting (stable tuning: one)."""
        labels = [repr(dict(sorted(p.items()))) if p else "failed" for p in self.best_params]
        return pd.Series(labels, name="best_params").value_counts()

    def __str__(self) -> str:
        ci = self.interval()
        lines = [
            f"Nested CV over {self.outer.n_splits} outer splits: {ci}",
            f"  inner best score (optimistic): {np.nanmean(self.inner_best_scores):.4g}",
            f"  settings chosen: {len(self.params_counts())} distinct",
        ]
        return "\n".join(lines)


def _fitted_attributes(search: Any) -> tuple[dict[str, Any] | None, float]:
    if search is None or not hasattr(search, "best_params_"):
        return None, math.nan
    score = getattr(search, "best_score_", math.nan)
    return dict(search.best_params_), float(score) if score is not None else math.nan


def nested_cross_validate(
    search: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    outer_cv: Any = 5,
    scoring: Any = None,
    n_jobs: int | None = None,
    params: dict[str, Any] | None = None,
    error_score: Any = np.nan,
    confidence: float = 0.95,
    progress: bool = False,
    return_estimator: bool = False,
) -> NestedCVResult:
    """Score a hyperparameter search by an outer cross-validation around it.

    Parameters
    ----------
    search : search object
        Anything with ``fit`` and ``get_params`` that exposes ``best_params_``
        (and ideally ``best_score_``) once fitted and predicts with its refitted
        best model: lemma's searches, scikit-learn's ``GridSearchCV``,
        ``RandomizedSearchCV``, ``HalvingGridSearchCV``, ...
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or None
    groups : array-like of shape (n_samples,) or None
        Group labels for the outer splitter; also passed, restricted to the outer
        training part, to ``search.fit(..., groups=...)`` for its inner splitter.
    outer_cv : int, splitter or iterable, default=5
    scoring : str, list, dict, callable or None
        Outer scoring; None uses ``search.score`` (the search's own metric).
    n_jobs : int or None
        Parallel outer folds (leave the search's own ``n_jobs`` at 1 then).
    params : dict or None
        Passed to ``search.fit``, sliced to each outer training part.
    error_score, confidence, progress, return_estimator
        As in :func:`~lemma.selection.cross_validate`.

    Returns
    -------
    NestedCVResult

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import nested_cross_validate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 3)); y = X @ [1.0, 0.0, -1.0] + rng.normal(size=80)
    >>> search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3)
    >>> result = nested_cross_validate(search, X, y, outer_cv=4)
    >>> result.scores.shape, len(result.best_params)
    ((4,), 4)
    """
    if not (hasattr(search, "fit") and hasattr(search, "get_params")):
        raise DataTypeError(
            f"search must be an estimator-like search object with fit and get_params (such as "
            f"GridSearchCV); got {type(search).__name__}."
        )
    fit_params = dict(params or {})
    if groups is not None:
        fit_params["groups"] = groups
    outer = cross_validate(
        search,
        X,
        y,
        groups=groups,
        scoring=scoring,
        cv=outer_cv,
        n_jobs=n_jobs,
        return_estimator=True,
        params=fit_params,
        error_score=error_score,
        confidence=confidence,
        progress=progress,
    )
    fitted = outer["estimator"]
    chosen = [
        _fitted_attributes(s) if error is None else (None, math.nan)
        for s, error in zip(fitted, outer.fit_errors, strict=True)
    ]
    if all(p is None for p, _ in chosen):
        raise DataTypeError(
            f"{type(search).__name__} has no best_params_ after fit; nested_cross_validate "
            "needs a search object (GridSearchCV-like) that records its choice."
        )
    if not return_estimator:
        del outer["estimator"]
    return NestedCVResult(
        outer=outer,
        best_params=[p for p, _ in chosen],
        inner_best_scores=np.array([s for _, s in chosen], dtype=float),
    )
