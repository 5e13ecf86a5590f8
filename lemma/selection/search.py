"""Hyperparameter search by cross-validation, with the uncertainty of every score.

A search scores each candidate θ₁, …, θ_C on the same J train/test splits,

    s_{c,j} = score(f̂_θc fitted on T_j; V_j),     ŝ_c = (1/J) Σ_j s_{c,j},

and keeps ``argmax_c ŝ_c`` — or, since neighbouring candidates are often
indistinguishable, the simplest candidate statistically tied with it
(:mod:`lemma.selection.search_stats`: corrected t-intervals, corrected
resampled t-tests against the best, Holm's adjustment, the one-standard-error
rule). All folds of all candidates go to one parallel map
(:func:`~lemma.selection.run_parallel`), so ``n_jobs`` spreads both, and a
Ctrl-C keeps the candidates whose folds all finished.

* :class:`GridSearchCV` tries every combination of a :class:`ParameterGrid`
  (a dict of lists, or a list of such dicts), in scikit-learn's order.
* :class:`RandomizedSearchCV` draws ``n_iter`` candidates with a
  :class:`ParameterSampler`: lists are sampled uniformly, distributions by their
  ``rvs`` (scipy.stats or :mod:`lemma.selection.distributions`). A space of lists
  only is sampled without replacement, as scikit-learn does; the candidates drawn
  for a given ``random_state`` are not the same as scikit-learn's.

Reference: J. Bergstra & Y. Bengio, "Random search for hyper-parameter
optimization", JMLR 13 (2012) 281–305.
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import BOOL, CALLABLE, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, Tags, clone, is_classifier
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.pipeline._composition import tags_of
from lemma.selection.distributions import ParameterGrid, ParameterSampler
from lemma.selection.parallel import Interrupted, run_parallel
from lemma.selection.search_stats import (
    SELECTIONS,
    add_statistics,
    conclusion,
    format_results,
    select_index,
    summary_frame,
)
from lemma.selection.split import check_cv
from lemma.selection.validate import _check_lengths, check_scoring, fold_tasks, report_fit_failures
from lemma.validation import check_is_fitted

__all__ = [
    "BaseSearchCV",
    "GridSearchCV",
    "ParameterGrid",
    "ParameterSampler",
    "RandomizedSearchCV",
]


# ------------------------------------------------------------------------- the base search
def _check_error_score(value: Any) -> bool:
    return (isinstance(value, str) and value == "raise") or (
        isinstance(value, numbers.Real) and not isinstance(value, bool)
    )


class _Record:
    """The candidates evaluated so far: parameters, fold results, extra columns."""

    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []
        self.folds: list[list[Any]] = []
        self.more: dict[str, list[Any]] = {}
        self.submitted = 0

    def add(self, params: dict[str, Any], folds: list[Any], more: dict[str, Any]) -> None:
        self.params.append(params)
        self.folds.append(folds)
        for key, value in more.items():
            self.more.setdefault(key, []).append(value)


class SearchRun:
    """One ``fit`` of a search: the data, the splits, and ``evaluate`` for the strategy.

    A search strategy (``_run_search``) reads ``X``, ``y`` and ``splits`` and calls
    :meth:`evaluate` with each batch of candidates it wants scored.
    """

    def __init__(
        self, search: BaseSearchCV, X: Any, y: Any, splits: list, scorers: dict, fit_params: dict
    ) -> None:
        self.search, self.X, self.y = search, X, y
        self.splits, self.scorers, self.fit_params = splits, scorers, fit_params
        self.record = _Record()
        self.valid_names = set(search.estimator.get_params(deep=True))

    def _check_names(self, candidates: list[dict[str, Any]]) -> None:
        for params in candidates:
            unknown = sorted(set(params) - self.valid_names)
            if unknown:
                raise ParameterError(
                    f"Invalid parameter {unknown[0]!r} for estimator "
                    f"{type(self.search.estimator).__name__}. Valid parameters are: "
                    f"{sorted(self.valid_names)!r}."
                )

    def evaluate(
        self,
        candidates: Sequence[dict[str, Any]],
        splits: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
        more_results: dict[str, Sequence[Any]] | None = None,
    ) -> dict[str, Any]:
        """Cross-validate ``candidates`` (on ``splits``, default the search's) and record them.

        Returns ``cv_results_`` (scikit-learn's columns) of every candidate so far.
        """
        search, candidates = self.search, [dict(c) for c in candidates]
        splits = self.splits if splits is None else list(splits)
        self._check_names(candidates)
        tasks = []
        for params in candidates:
            tasks += fold_tasks(
                search.estimator,
                self.X,
                self.y,
                splits,
                self.scorers,
                parameters=params,
                fit_params=self.fit_params,
                return_train_score=search.return_train_score,
                error_score=search.error_score,
            )
        self.record.submitted += len(candidates)
        interrupted = None
        description = f"{len(candidates)} candidates × {len(splits)} folds"
        try:
            flat = run_parallel(
                tasks, search.n_jobs, progress=search.progress, description=description
            )
        except Interrupted as exc:
            flat, interrupted = exc.results, exc
        more = more_results or {}
        kept = []
        for i, params in enumerate(candidates):
            folds = flat[i * len(splits) : (i + 1) * len(splits)]
            if all(fold is not None for fold in folds):
                kept.extend(folds)
                self.record.add(params, folds, {k: v[i] for k, v in more.items()})
        if kept:
            report_fit_failures(kept, search.error_score)
        if interrupted is not None:
            raise interrupted
        return self.results()

    def results(self) -> dict[str, Any]:
        """``cv_results_`` of the recorded candidates, without the added statistics."""
        return format_results(
            self.record.params,
            self.record.folds,
            metrics=list(self.scorers),
            return_train_score=self.search.return_train_score,
            more_results=self.record.more,
        )


def _best_has(method: str) -> Callable[[Any], bool]:
    def check(search: Any) -> bool:
        if getattr(search, "refit", True) is False:
            return False
        target = getattr(search, "best_estimator_", None)
        if target is None:
            target = search.estimator
        return hasattr(target, method)

    return check


class _if_best_has:
    """Expose a method only when the (best) estimator has it, as scikit-learn's searches do."""

    def __init__(self, method: str):
        self.check = _best_has(method)
        self.method = method

    def __call__(self, function: Callable) -> _if_best_has:
        self.function = function
        self.__doc__ = function.__doc__
        return self

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self.function
        if not self.check(obj):
            raise AttributeError(
                f"{type(obj).__name__} has no {self.method!r}: the estimator "
                f"{type(obj.estimator).__name__} lacks it, or refit=False."
            )
        return self.function.__get__(obj, owner)


class BaseSearchCV(BaseEstimator):
    """Shared machinery of the searches; a subclass defines ``_run_search(run)``.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    scoring : str, list of str, dict, callable or None, default=None
        None uses ``estimator.score``; several metrics give multimetric results.
    n_jobs : int or None, default=None
        Parallel fits over all folds of all candidates.
    refit : bool or str, default=True
        Refit the selected candidate on all the data (``best_estimator_``). With
        several metrics, the name of the metric that selects it (or False).
    cv : int, splitter, iterable of (train, test) or None, default=None
        5 folds (stratified for classifiers) when None.
    error_score : "raise" or float, default=np.nan
        Score recorded when a fit fails.
    return_train_score : bool, default=False
    progress : bool, default=False
        Rich progress bar on a terminal.
    confidence : float, default=0.95
        Coverage of the intervals; the ties are tested at α = 1 − confidence.
    select : {"best", "one_se", "simplest_tied"} or callable, default="best"
        How ``best_index_`` is chosen (:data:`lemma.selection.search_stats.SELECTIONS`);
        a callable receives ``cv_results_`` and returns an index.
    complexity : str, callable or None, default=None
        What "simplest" means for ``one_se`` and ``simplest_tied``: a parameter
        name (smaller is simpler; ``"-alpha"`` when larger is simpler), or a
        function ``params -> number``. Typical choices: ``"-alpha"`` for Ridge,
        Lasso and ElasticNet, ``"C"`` for LogisticRegression and SVC,
        ``"max_depth"`` for trees, ``"-n_neighbors"`` for k-nearest neighbours.
    """

    _parameter_constraints = {
        "scoring": [None, str, list, tuple, dict, CALLABLE],
        "n_jobs": [None, Interval(int, None, None)],
        "refit": [BOOL, str],
        "error_score": [satisfies(_check_error_score, "'raise' or a number")],
        "return_train_score": [BOOL],
        "progress": [BOOL],
        "confidence": [Interval(float, 0, 1, closed="neither")],
        "select": [Options(SELECTIONS), CALLABLE],
        "complexity": [None, str, CALLABLE],
    }

    def _run_search(self, run: SearchRun) -> None:
        """Call ``run.evaluate(candidates, splits=None, more_results=None)`` once or more."""
        raise NotImplementedError

    def _eligible(self, results: dict[str, Any]) -> np.ndarray | None:
        """Candidates that may be selected (all, unless a subclass says otherwise)."""
        return None

    # ------------------------------------------------------------------ fit
    def _refit_metric(self, scorers: dict[str, Any]) -> str:
        if not self.multimetric_:
            return "score"
        if isinstance(self.refit, str) and self.refit in scorers:
            return self.refit
        if self.refit is False:
            return next(iter(scorers))
        raise ParameterError(
            f"With several metrics, refit must be the name of the metric that selects the "
            f"candidate, one of {list(scorers)}, or False; got refit={self.refit!r}."
        )

    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> Any:
        """Evaluate the candidates, select one, and refit it on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
        groups : array-like of shape (n_samples,) or None
            Group labels for group splitters.
        **fit_params
            Passed to the estimator's ``fit``; per-row values are sliced per fold.
            Test scores are unweighted, as in :func:`~lemma.selection.cross_validate`
            (scikit-learn 1.9's searches also weigh them by ``sample_weight``).

        Returns
        -------
        self
        """
        self._validate_params()
        if y is None and tags_of(self.estimator).requires_y:
            raise DataValidationError(
                f"{type(self.estimator).__name__} requires y to be passed, but the target y is "
                "None; pass the target as the second argument of fit."
            )
        scorers = check_scoring(self.estimator, self.scoring)
        self.multimetric_ = not (
            self.scoring is None or isinstance(self.scoring, str) or callable(self.scoring)
        )
        metric = self._metric = self._refit_metric(scorers)
        _check_lengths(X, y, groups)
        splitter = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(splitter.split(X, y, groups))
        self.n_splits_ = len(splits)
        run = SearchRun(self, X, y, splits, scorers, fit_params)
        self.interrupted_ = False
        try:
            self._run_search(run)
        except KeyboardInterrupt:
            if not run.record.params:
                raise
            self.interrupted_ = True
        self._store_results(run, metric)
        self.scorer_ = scorers if self.multimetric_ else scorers["score"]
        if self.refit:
            self._refit(X, y, fit_params)
        return self

    def _store_results(self, run: SearchRun, metric: str) -> None:
        results = run.results()
        metrics = list(run.scorers)
        add_statistics(
            results,
            run.record.folds,
            metrics,
            confidence=self.confidence,
            groups=results.get("iter"),
        )
        self.cv_results_ = results
        if self.interrupted_:
            warnings.warn(
                f"The search was interrupted: {len(run.record.params)} of the "
                f"{run.record.submitted} candidates submitted finished all their folds. "
                "cv_results_ holds those; the selection is made among them.",
                LemmaWarning,
                stacklevel=3,
            )
        if self.refit is False and self.multimetric_:
            self.conclusion_ = ""
            return
        index, how = select_index(
            self.select,
            results,
            metric,
            eligible=self._eligible(results),
            complexity=self.complexity,
            confidence=self.confidence,
        )
        self.best_index_ = index
        self.best_params_ = results["params"][index]
        self.best_score_ = float(results[f"mean_test_{metric}"][index])
        self.conclusion_ = conclusion(results, metric, index, how, self.confidence)

    def _refit(self, X: Any, y: Any, fit_params: dict[str, Any]) -> None:
        best = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
        start = time.perf_counter()
        if y is None:
            best.fit(X, **fit_params)
        else:
            best.fit(X, y, **fit_params)
        self.refit_time_ = time.perf_counter() - start
        self.best_estimator_ = best

    # ------------------------------------------------------------------ reporting
    def summary(self) -> pd.DataFrame:
        """Candidates by rank with intervals, p-values vs the best and tie flags.

        Returns
        -------
        DataFrame
            Columns rank, params, mean, std, std_err, ci_low, ci_high,
            p_value_vs_best, p_value_holm, tied_with_best, selected (and iter for
            a halving search), for the metric that selects; the one-sentence
            conclusion is in ``frame.attrs["conclusion"]``.
        """
        check_is_fitted(self, "cv_results_")
        return summary_frame(
            self.cv_results_, self._metric, getattr(self, "best_index_", None), self.conclusion_
        )

    # ------------------------------------------------------------------ delegation
    def _best(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    @_if_best_has("predict")
    def predict(self, X: Any) -> Any:
        """``best_estimator_.predict(X)``."""
        return self._best().predict(X)

    @_if_best_has("predict_proba")
    def predict_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_proba(X)``."""
        return self._best().predict_proba(X)

    @_if_best_has("predict_log_proba")
    def predict_log_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_log_proba(X)``."""
        return self._best().predict_log_proba(X)

    @_if_best_has("decision_function")
    def decision_function(self, X: Any) -> Any:
        """``best_estimator_.decision_function(X)``."""
        return self._best().decision_function(X)

    @_if_best_has("transform")
    def transform(self, X: Any) -> Any:
        """``best_estimator_.transform(X)``."""
        return self._best().transform(X)

    @_if_best_has("inverse_transform")
    def inverse_transform(self, X: Any) -> Any:
        """``best_estimator_.inverse_transform(X)``."""
        return self._best().inverse_transform(X)

    @_if_best_has("score")
    def score(self, X: Any, y: Any = None) -> float:
        """The selecting metric of ``best_estimator_`` on (X, y), as during the search."""
        scorer = self.scorer_[self._metric] if self.multimetric_ else self.scorer_
        return float(scorer(self._best(), X) if y is None else scorer(self._best(), X, y))

    @property
    def classes_(self) -> np.ndarray:
        """Classes of ``best_estimator_``."""
        return self._best().classes_

    @property
    def n_features_in_(self) -> int:
        """Features seen by ``best_estimator_``."""
        return self._best().n_features_in_

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        inner = tags_of(self.estimator)
        for name in (
            "estimator_type",
            "requires_y",
            "allow_nan",
            "string_input",
            "pairwise",
            "multi_output",
            "non_deterministic",
            "positive_X",
        ):
            setattr(tags, name, getattr(inner, name))
        return tags


# ----------------------------------------------------------------------------- searches
class GridSearchCV(BaseSearchCV):
    """Exhaustive search over a grid, with intervals and tests on every candidate's score.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    param_grid : dict of str -> list, or list of such dicts
        See :class:`ParameterGrid`.
    scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`BaseSearchCV`.

    Attributes
    ----------
    cv_results_ : dict of str -> ndarray
        scikit-learn's keys (``params``, ``param_<name>``, ``split<j>_test_<m>``,
        ``mean_test_<m>``, ``std_test_<m>``, ``rank_test_<m>``,
        ``mean_fit_time``, ...) plus, per metric, ``std_err_test_<m>``,
        ``ci_low_test_<m>``, ``ci_high_test_<m>``, ``p_value_vs_best_<m>``,
        ``p_value_vs_best_<m>_holm`` and ``tied_with_best_<m>``
        (:mod:`lemma.selection.search_stats`).
    best_index_, best_params_, best_score_ : int, dict, float
        The selected candidate (by ``select``) and its mean score.
    best_estimator_ : estimator
        Refitted on all the data (when ``refit``).
    conclusion_ : str
        One sentence: how many candidates are tied with the best and what was selected.
    scorer_, n_splits_, refit_time_, multimetric_, interrupted_

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import GridSearchCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 5)); y = X @ [1.0, 0.5, 0.0, 0.0, 0.0] + rng.normal(size=120)
    >>> search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0, 30.0, 100.0, 1000.0]},
    ...                       select="one_se", complexity="-alpha").fit(X, y)
    >>> search.best_params_
    {'alpha': 30.0}
    >>> print(search.conclusion_)
    4 candidates are statistically tied with the best, alpha=10 (corrected t-test, Holm, α = 0.05); the one-standard-error rule picks alpha=30, the simplest candidate whose mean is within one standard error (0.0626) of the best.
    """  # noqa: E501

    _parameter_constraints = {"param_grid": [dict, list]}

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        progress: bool = False,
        confidence: float = 0.95,
        select: Any = "best",
        complexity: Any = None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.progress = progress
        self.confidence = confidence
        self.select = select
        self.complexity = complexity

    def _run_search(self, run: SearchRun) -> None:
        run.evaluate(list(ParameterGrid(self.param_grid)))


class RandomizedSearchCV(BaseSearchCV):
    """Search over ``n_iter`` candidates drawn from lists and distributions.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    param_distributions : dict of str -> (list or distribution), or list of such dicts
        See :class:`ParameterSampler`; use :func:`lemma.selection.distributions.loguniform`
        (or ``scipy.stats.loguniform``) for scale parameters such as ``alpha`` and ``C``.
    n_iter : int, default=10
        Candidates drawn.
    random_state : None, int or RandomState, default=None
        Seed of the draws (the candidates differ from scikit-learn's for the same seed).
    scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`BaseSearchCV`.

    Attributes
    ----------
    cv_results_, best_index_, best_params_, best_score_, best_estimator_, conclusion_
        As :class:`GridSearchCV`.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import RandomizedSearchCV
    >>> from lemma.selection.distributions import loguniform
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3)); y = X @ [1.0, 2.0, 0.0] + rng.normal(size=100)
    >>> search = RandomizedSearchCV(Ridge(), {"alpha": loguniform(1e-3, 1e3)}, n_iter=8,
    ...                             random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"]), search.best_params_["alpha"] < 10
    (8, True)
    """

    _parameter_constraints = {
        "param_distributions": [dict, list],
        "n_iter": [Interval(int, 1, None)],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_iter: int = 10,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        progress: bool = False,
        random_state: Any = None,
        confidence: float = 0.95,
        select: Any = "best",
        complexity: Any = None,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.progress = progress
        self.random_state = random_state
        self.confidence = confidence
        self.select = select
        self.complexity = complexity

    def _run_search(self, run: SearchRun) -> None:
        sampler = ParameterSampler(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        run.evaluate(list(sampler))
