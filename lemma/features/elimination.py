"""Recursive feature elimination: refit, drop the weakest features, repeat.

Starting from every column, RFE fits the model on the columns still in S, ranks them
by the squared weight w_j² of the fitted model (Σ_c w_cj² over the classes of a 2-D
``coef_``, or the squared ``feature_importances_``), removes the ``step`` weakest and
repeats until ``n_features_to_select`` remain. ``ranking_[j]`` is 1 for a kept column
and 1 + (number of rounds it survived before the last) otherwise — the order in which
the columns left (Guyon et al. 2002, SVM-RFE).

RFECV runs the same elimination inside every cross-validation fold, scoring each
subset size on the fold's held-out rows, and keeps the size with the best mean score
(the smallest such size on ties); the elimination is then rerun on all rows down to
that size. The mean score of each size comes with the Nadeau–Bengio corrected
t-interval (:func:`lemma.selection.corrected_t_interval`), so a plateau of sizes whose
intervals overlap is visible.

Reference: I. Guyon, J. Weston, S. Barnhill and V. Vapnik, "Gene selection for
cancer classification using support vector machines", Machine Learning 46 (2002).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from lemma._constraints import CALLABLE, Interval, Options, satisfies
from lemma.base import Tags, clone, is_classifier
from lemma.exceptions import ParameterError
from lemma.features.selection import _Selector, feature_importances
from lemma.pipeline._composition import available_if
from lemma.validation import check_is_fitted, validate_data

__all__ = ["RFE", "RFECV"]


@dataclass
class _Elimination:
    """What one run of the elimination found (with per-step scores when asked)."""

    support: np.ndarray
    ranking: np.ndarray
    estimator: Any
    n_features: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)


def _eliminate(
    estimator: Any,
    X: np.ndarray,
    y: np.ndarray,
    n_select: int,
    step: int,
    getter: Any,
    fit_params: dict[str, Any],
    score: Any = None,
) -> _Elimination:
    """Recursive elimination down to ``n_select`` columns (``score(model, columns)`` per step)."""
    support = np.ones(X.shape[1], dtype=bool)
    ranking = np.ones(X.shape[1], dtype=np.int64)
    result = _Elimination(support, ranking, None)
    while support.sum() > n_select:
        columns = np.flatnonzero(support)
        model = clone(estimator).fit(X[:, columns], y, **fit_params)
        if score is not None:
            result.n_features.append(columns.size)
            result.scores.append(score(model, columns))
        weights = feature_importances(model, getter, norm_order=2) ** 2
        weakest = columns[np.argsort(weights, kind="stable")]
        support[weakest[: min(step, int(support.sum()) - n_select)]] = False
        ranking[~support] += 1
    columns = np.flatnonzero(support)
    result.estimator = clone(estimator).fit(X[:, columns], y, **fit_params)
    if score is not None:
        result.n_features.append(columns.size)
        result.scores.append(score(result.estimator, columns))
    return result


def _estimator_has(method: str):
    def check(selector: Any) -> bool:
        fitted = getattr(selector, "estimator_", None)
        return hasattr(fitted if fitted is not None else selector.estimator, method)

    return check


def _is_step(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return value >= 1
    return isinstance(value, numbers.Real) and 0 < value < 1


def _is_n_select(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return value >= 1
    return isinstance(value, numbers.Real) and 0 < value <= 1


class _Eliminator(_Selector):
    """Shared pieces: parameters, the step size, delegation to the final model."""

    _parameter_constraints = {
        "step": [satisfies(_is_step, "an int ≥ 1 or a float in (0, 1)")],
        "importance_getter": [Options({"auto"}), str, CALLABLE],
    }

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.requires_y = True
        inner = getattr(self.estimator, "__lemma_tags__", None)
        if inner is not None:
            tags.estimator_type = inner().estimator_type
        elif is_classifier(self.estimator):
            tags.estimator_type = "classifier"
        return tags

    def _step(self, n_features: int) -> int:
        if isinstance(self.step, numbers.Integral):
            return int(self.step)
        return max(1, int(self.step * n_features))

    def _support_mask(self) -> np.ndarray:
        return self.support_

    @property
    def classes_(self) -> np.ndarray:
        """The final model's classes."""
        check_is_fitted(self)
        return self.estimator_.classes_

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any) -> np.ndarray:
        """Predict with the final model from the kept columns."""
        kept = self._kept(X)
        return self.estimator_.predict(kept)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the final model."""
        kept = self._kept(X)
        return self.estimator_.predict_proba(kept)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities of the final model."""
        kept = self._kept(X)
        return self.estimator_.predict_log_proba(kept)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision function of the final model."""
        kept = self._kept(X)
        return self.estimator_.decision_function(kept)

    @available_if(_estimator_has("score"))
    def score(self, X: Any, y: Any, **score_params: Any) -> float:
        """The final model's ``score`` on the kept columns."""
        kept = self._kept(X)
        return self.estimator_.score(kept, y, **score_params)

    def _kept(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False)[:, self.support_]


class RFE(_Eliminator):
    """Recursive feature elimination down to a given number of columns.

    Parameters
    ----------
    estimator : estimator
        Has ``coef_`` or ``feature_importances_`` once fitted.
    n_features_to_select : int, float or None, default=None
        Columns kept: a count, a share of the columns (float in (0, 1]), or half.
    step : int or float, default=1
        Columns removed per round (a float: that share of the columns, at least 1).
    importance_getter : "auto", str or callable, default="auto"
        Where to read the weights (see :func:`lemma.features.feature_importances`).

    Attributes
    ----------
    support_ : ndarray of bool, shape (n_features,)
    ranking_ : ndarray of int, shape (n_features,)
        1 for kept columns; larger for columns removed earlier.
    n_features_ : int
    estimator_ : estimator
        The model refitted on the kept columns (``predict``, ``score``, ... use it).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import RFE
    >>> from lemma.models.linear import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 5)); y = X @ [0.0, 4.0, 0.1, 3.0, 0.0]
    >>> rfe = RFE(LinearRegression(), n_features_to_select=2).fit(X, y)
    >>> rfe.get_support(indices=True), rfe.ranking_
    (array([1, 3]), array([4, 1, 2, 1, 3]))
    """

    _parameter_constraints = {
        **_Eliminator._parameter_constraints,
        "n_features_to_select": [satisfies(_is_n_select, "None, an int ≥ 1 or a float in (0, 1]")],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        n_features_to_select: int | float | None = None,
        step: int | float = 1,
        importance_getter: Any = "auto",
    ):
        self.estimator = estimator
        self.n_features_to_select = n_features_to_select
        self.step = step
        self.importance_getter = importance_getter

    def fit(self, X: Any, y: Any, **fit_params: Any) -> RFE:
        """Eliminate columns until ``n_features_to_select`` remain; refit on them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            At least two columns.
        y : array-like of shape (n_samples,)
        **fit_params
            Passed to every fit of the estimator.

        Returns
        -------
        self
        """
        self._validate_params()
        data, target = validate_data(self, X, y, ensure_min_features=2)
        n = data.shape[1]
        wanted = self.n_features_to_select
        if wanted is None:
            n_select = n // 2
        elif isinstance(wanted, numbers.Integral):
            n_select = min(int(wanted), n)
        else:
            n_select = max(1, int(n * wanted))
        found = _eliminate(self.estimator, data, target, n_select, self._step(n),
                           self.importance_getter, fit_params)  # fmt: skip
        self.support_, self.ranking_, self.estimator_ = (
            found.support,
            found.ranking,
            found.estimator,
        )
        self.n_features_ = int(self.support_.sum())
        return self


def _fold_elimination(estimator, X, y, train, test, n_select, step, getter, scorer) -> _Elimination:
    """The elimination on one fold's training rows, each step scored on its test rows."""

    def score(model: Any, columns: np.ndarray) -> float:
        return float(scorer(model, X[np.ix_(test, columns)], y[test]))

    return _eliminate(estimator, X[train], y[train], n_select, step, getter, {}, score)


class RFECV(_Eliminator):
    """Recursive feature elimination with the number of columns chosen by cross-validation.

    Parameters
    ----------
    estimator : estimator
        Has ``coef_`` or ``feature_importances_`` once fitted.
    step : int or float, default=1
        Columns removed per round.
    min_features_to_select : int, default=1
        Smallest subset size tried.
    cv : int, splitter or None, default=None
        5 folds (stratified for classifiers); see :func:`lemma.selection.check_cv`.
    scoring : str, callable or None, default=None
        One metric; None uses the estimator's ``score``.
    n_jobs : int or None, default=None
        Folds run in parallel (:func:`lemma.selection.run_parallel`).
    importance_getter : "auto", str or callable, default="auto"

    Attributes
    ----------
    cv_results_ : dict of ndarray
        Per subset size (ascending ``n_features``): ``mean_test_score``,
        ``std_test_score``, ``split<i>_test_score``, and the 95% corrected
        t-interval ``conf_int_low``/``conf_int_high`` of the mean.
    n_features_ : int
        The chosen size (best mean score; the smallest on ties).
    support_, ranking_, estimator_ : as in :class:`RFE`
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import RFECV
    >>> from lemma.models.linear import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 6)); y = X @ [3.0, 0, 0, 2.0, 0, 1.0] + rng.normal(size=120)
    >>> RFECV(LinearRegression()).fit(X, y).get_support(indices=True)
    array([0, 3, 5])
    """

    _parameter_constraints = {
        **_Eliminator._parameter_constraints,
        "min_features_to_select": [Interval(int, 1, None, closed="left")],
        "n_jobs": [int, None],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        step: int | float = 1,
        min_features_to_select: int = 1,
        cv: Any = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        importance_getter: Any = "auto",
    ):
        self.estimator = estimator
        self.step = step
        self.min_features_to_select = min_features_to_select
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.importance_getter = importance_getter

    def fit(self, X: Any, y: Any, groups: Any = None) -> RFECV:
        """Score every subset size by cross-validation, then eliminate down to the best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        groups : array-like of shape (n_samples,) or None
            Group labels for a group splitter.

        Returns
        -------
        self
        """
        from lemma.selection import check_cv, check_scoring, corrected_t_interval, run_parallel

        self._validate_params()
        data, target = validate_data(self, X, y, ensure_min_features=2)
        scorers = check_scoring(self.estimator, self.scoring)
        if len(scorers) != 1:
            raise ParameterError("RFECV scores with one metric; pass a single scoring.")
        scorer = next(iter(scorers.values()))
        n = data.shape[1]
        n_min, step = min(self.min_features_to_select, n), self._step(n)
        splitter = check_cv(self.cv, target, classifier=is_classifier(self.estimator))
        splits = list(splitter.split(data, target, groups))
        getter = self.importance_getter
        tasks = [
            partial(_fold_elimination, self.estimator, data, target, train, test, n_min, step,
                    getter, scorer)
            for train, test in splits
        ]  # fmt: skip
        folds = run_parallel(tasks, self.n_jobs, description="eliminating")
        scores = np.array([fold.scores[::-1] for fold in folds])  # ascending subset size
        sizes = np.array(folds[0].n_features[::-1])
        self.n_features_ = int(sizes[int(np.argmax(scores.sum(axis=0)))])
        found = _eliminate(self.estimator, data, target, self.n_features_, step,
                           self.importance_getter, {})  # fmt: skip
        self.support_, self.ranking_, self.estimator_ = (
            found.support,
            found.ranking,
            found.estimator,
        )
        n_train = np.mean([len(train) for train, _ in splits])
        n_test = np.mean([len(test) for _, test in splits])
        intervals = [corrected_t_interval(column, n_train, n_test) for column in scores.T]
        self.cv_results_ = {
            "mean_test_score": scores.mean(axis=0),
            "std_test_score": scores.std(axis=0),
            **{f"split{i}_test_score": row for i, row in enumerate(scores)},
            "conf_int_low": np.array([ci.ci_low for ci in intervals]),
            "conf_int_high": np.array([ci.ci_high for ci in intervals]),
            "n_features": sizes,
        }
        return self
