"""Cross-validation: fit on each training part, score on the matching test part.

For train/test splits ``(T_j, V_j)``, j = 1…J, a fresh copy of the estimator is
fitted on the rows ``T_j`` and scored on ``V_j``:

    s_j = score(f̂_{T_j}; X[V_j], y[V_j]),        ŝ_CV = (1/J) Σ_j s_j,

which estimates the score of the model trained on ``|T_j|`` rows. Fit
parameters with one value per row (``sample_weight``) are sliced to ``T_j``.
Every metric's mean comes with an interval (:mod:`lemma.selection.intervals`):
the Nadeau–Bengio corrected t-interval and the bootstrap over folds.

The pieces are reusable by the searches: :func:`fit_and_score` evaluates one
fold and returns a :class:`FoldResult`; :func:`fold_tasks` makes the tasks of one
candidate over all folds for :func:`~lemma.selection.run_parallel`;
:meth:`CVResult.from_folds` assembles their results; :func:`evaluate_candidate`
does all three. A search concatenates the tasks of every candidate, runs them in
one parallel map and cuts the results back into one :class:`CVResult` each.

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed. (2009), §7.10; C. Nadeau & Y. Bengio, Machine Learning 52 (2003).
"""

from __future__ import annotations

import numbers
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from lemma.base import clone, is_classifier
from lemma.exceptions import (
    DataTypeError,
    DataValidationError,
    LemmaError,
    LemmaWarning,
    ParameterError,
    interop,
)
from lemma.metrics.scorers import get_scorer
from lemma.selection.cv_result import CVResult
from lemma.selection.parallel import run_parallel
from lemma.selection.split import check_cv, num_samples, take_rows

__all__ = [
    "FitFailedError",
    "FitFailedWarning",
    "FoldResult",
    "check_scoring",
    "cross_val_predict",
    "cross_val_score",
    "cross_validate",
    "evaluate_candidate",
    "fit_and_score",
    "fold_tasks",
    "report_fit_failures",
]


class FitFailedWarning(LemmaWarning):
    """Some fits failed; their scores were set to ``error_score``."""


class FitFailedError(LemmaError, ValueError):
    """Every fit failed: the estimator is most likely misconfigured."""


@dataclass
class FoldResult:
    """What one fit-and-score on one split produced.

    Attributes
    ----------
    test_scores, train_scores : dict of str -> float
        Score per metric on the test part (and the training part, or None).
    fit_time, score_time : float
        Seconds spent fitting and scoring the test part.
    n_train, n_test : int
        Sizes of the two parts.
    estimator : fitted estimator or None
        Kept only when asked for.
    fit_error : str or None
        The traceback if the fit failed.
    parameters : dict or None
        Parameters set on the estimator before fitting (a search's candidate).

    Examples
    --------
    >>> from lemma.selection import FoldResult
    >>> FoldResult({"score": 0.9}, None, fit_time=0.01, score_time=0.001, n_train=80,
    ...            n_test=20).test_scores
    {'score': 0.9}
    """

    test_scores: dict[str, float]
    train_scores: dict[str, float] | None
    fit_time: float
    score_time: float
    n_train: int
    n_test: int
    estimator: Any = None
    fit_error: str | None = None
    parameters: dict[str, Any] | None = None


# ------------------------------------------------------------------------------- scoring
def _estimator_score(estimator: Any, X: Any, y: Any = None) -> float:
    """The estimator's own ``score`` (R² for regressors, accuracy for classifiers)."""
    return estimator.score(X) if y is None else estimator.score(X, y)


def check_scoring(estimator: Any, scoring: Any = None) -> dict[str, Callable[..., float]]:
    """Scorers by name from a name, a list of names, a dict, a callable or None.

    A single metric (name, callable or None) is named ``"score"``, so results have
    scikit-learn's keys (``test_score``); several metrics keep their names
    (``test_r2``, ``test_neg_mean_absolute_error``).

    Parameters
    ----------
    estimator : estimator
    scoring : str, list of str, dict of str -> (str or callable), callable or None
        None uses ``estimator.score``.

    Returns
    -------
    dict of str -> callable ``scorer(estimator, X, y)``

    Examples
    --------
    >>> from lemma.selection.validate import check_scoring
    >>> list(check_scoring(None, ["r2", "neg_mean_squared_error"]))
    ['r2', 'neg_mean_squared_error']
    """
    if scoring is None:
        if not hasattr(estimator, "score"):
            raise ParameterError(
                f"{type(estimator).__name__} has no score method; pass scoring= (a name "
                "such as 'accuracy' or 'r2', or a callable scorer(estimator, X, y))."
            )
        return {"score": _estimator_score}
    if isinstance(scoring, str) or callable(scoring):
        return {"score": get_scorer(scoring)}
    if isinstance(scoring, list | tuple | set):
        names = list(scoring)
        if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise ParameterError(
                f"A list of scorings must hold distinct metric names; got {scoring!r}."
            )
        return {name: get_scorer(name) for name in names}
    if isinstance(scoring, dict) and scoring:
        return {str(name): get_scorer(value) for name, value in scoring.items()}
    raise ParameterError(
        f"scoring must be a name, a list of names, a dict of name -> scorer, a callable or "
        f"None; got {scoring!r}."
    )


def _check_error_score(error_score: Any) -> None:
    if isinstance(error_score, str) and error_score == "raise":
        return
    if isinstance(error_score, numbers.Real) and not isinstance(error_score, bool):
        return
    raise ParameterError(
        f"error_score must be 'raise' or a number (np.nan records failed fits as NaN); got "
        f"{error_score!r}."
    )


def _as_number(value: Any, name: str) -> float:
    if hasattr(value, "item"):
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise DataTypeError(
            f"The scorer {name!r} must return a number, got {value!r} "
            f"({type(value).__name__}) instead."
        )
    return float(value)


def _score_all(estimator: Any, X: Any, y: Any, scorers: dict, error_score: Any) -> dict:
    scores = {}
    for name, scorer in scorers.items():
        try:
            value = scorer(estimator, X) if y is None else scorer(estimator, X, y)
        except Exception:
            if isinstance(error_score, str):
                raise
            warnings.warn(
                f"Scoring {name!r} failed; the score of this split is set to {error_score}. "
                f"Details:\n{traceback.format_exc()}",
                LemmaWarning,
                stacklevel=2,
            )
            value = error_score
        scores[name] = _as_number(value, name)
    return scores


# ------------------------------------------------------------------------- one fold
def _is_pairwise(estimator: Any) -> bool:
    """True for estimators fitted on a precomputed n × n kernel or distance matrix."""
    if hasattr(estimator, "__lemma_tags__"):
        return bool(estimator.__lemma_tags__().pairwise)
    try:
        return bool(estimator.__sklearn_tags__().input_tags.pairwise)
    except Exception:
        return False


def _split_rows(estimator: Any, X: Any, y: Any, train: np.ndarray, test: np.ndarray) -> tuple:
    if _is_pairwise(estimator):
        K = np.asarray(X)
        if K.ndim != 2 or K.shape[0] != K.shape[1]:
            raise DataValidationError(
                f"{type(estimator).__name__} takes a precomputed square kernel; X has shape "
                f"{K.shape}."
            )
        X_train, X_test = K[np.ix_(train, train)], K[np.ix_(test, train)]
    else:
        X_train, X_test = take_rows(X, train), take_rows(X, test)
    return X_train, take_rows(y, train), X_test, take_rows(y, test)


def _fold_params(params: dict | None, n_samples: int, rows: np.ndarray) -> dict:
    """Fit parameters with one value per row sliced to ``rows``; others passed as is."""
    if not params:
        return {}
    out = {}
    for name, value in params.items():
        per_row = (hasattr(value, "shape") or isinstance(value, list | tuple)) and not (
            isinstance(value, str)
        )
        if per_row and getattr(value, "ndim", 1) > 0 and num_samples(value) == n_samples:
            out[name] = take_rows(value if hasattr(value, "shape") else np.asarray(value), rows)
        else:
            out[name] = value
    return out


def fit_and_score(
    estimator: Any,
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    scorers: dict[str, Callable[..., float]],
    *,
    parameters: dict[str, Any] | None = None,
    fit_params: dict[str, Any] | None = None,
    return_train_score: bool = False,
    return_estimator: bool = False,
    error_score: Any = np.nan,
) -> FoldResult:
    """Fit a clone of ``estimator`` (with ``parameters`` set) on ``train``; score on ``test``.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn), left untouched
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or None
    train, test : ndarray of int
    scorers : dict of str -> callable
        From :func:`check_scoring`.
    parameters : dict or None
        Set on the clone before fitting (a search candidate).
    fit_params : dict or None
        Passed to ``fit``; values with one entry per row are sliced to ``train``.
    return_train_score, return_estimator : bool, default=False
    error_score : "raise" or float, default=np.nan
        Score recorded when the fit fails ("raise" re-raises).

    Returns
    -------
    FoldResult

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.selection.validate import check_scoring, fit_and_score
    >>> X = np.arange(10.0).reshape(-1, 1); y = 2 * X.ravel() + 1
    >>> fold = fit_and_score(LinearRegression(), X, y, np.arange(7), np.arange(7, 10),
    ...                      check_scoring(None, "r2"))
    >>> round(fold.test_scores["score"], 6), fold.n_train, fold.n_test
    (1.0, 7, 3)
    """
    estimator = clone(estimator)
    if parameters:
        estimator.set_params(**{k: clone(v, safe=False) for k, v in parameters.items()})
    X_train, y_train, X_test, y_test = _split_rows(estimator, X, y, train, test)
    kwargs = _fold_params(fit_params, num_samples(X), train)
    start = time.perf_counter()
    try:
        if y_train is None:
            estimator.fit(X_train, **kwargs)
        else:
            estimator.fit(X_train, y_train, **kwargs)
    except Exception:
        if isinstance(error_score, str):
            raise
        failed = dict.fromkeys(scorers, float(error_score))
        return FoldResult(
            test_scores=failed,
            train_scores=dict(failed) if return_train_score else None,
            fit_time=time.perf_counter() - start,
            score_time=0.0,
            n_train=len(train),
            n_test=len(test),
            estimator=estimator if return_estimator else None,
            fit_error=traceback.format_exc(),
            parameters=parameters,
        )
    fit_time = time.perf_counter() - start
    test_scores = _score_all(estimator, X_test, y_test, scorers, error_score)
    score_time = time.perf_counter() - start - fit_time
    train_scores = None
    if return_train_score:
        train_scores = _score_all(estimator, X_train, y_train, scorers, error_score)
    return FoldResult(
        test_scores=test_scores,
        train_scores=train_scores,
        fit_time=fit_time,
        score_time=score_time,
        n_train=len(train),
        n_test=len(test),
        estimator=estimator if return_estimator else None,
        parameters=parameters,
    )


def fold_tasks(
    estimator: Any,
    X: Any,
    y: Any,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    scorers: dict[str, Callable[..., float]],
    **options: Any,
) -> list[Callable[[], FoldResult]]:
    """One task per split, each calling :func:`fit_and_score` with ``options``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import KFold, run_parallel
    >>> from lemma.selection.validate import check_scoring, fold_tasks
    >>> X = np.random.default_rng(0).normal(size=(30, 2)); y = X @ [1.0, 2.0]
    >>> splits = list(KFold(3).split(X))
    >>> tasks = fold_tasks(Ridge(), X, y, splits, check_scoring(None, "r2"),
    ...                    parameters={"alpha": 0.1})
    >>> [fold.n_test for fold in run_parallel(tasks)]
    [10, 10, 10]
    """
    return [
        partial(fit_and_score, estimator, X, y, train, test, scorers, **options)
        for train, test in splits
    ]


def report_fit_failures(folds: Sequence[FoldResult], error_score: Any) -> None:
    """Warn (FitFailedWarning) if some fits failed; raise FitFailedError if all did.

    Failures are grouped by their last traceback line (the error type and message).

    Examples
    --------
    >>> from lemma.selection import FoldResult, report_fit_failures
    >>> failed = FoldResult({"score": float("nan")}, None, 0.0, 0.0, 8, 2,
    ...                     fit_error="ValueError: bad alpha")
    >>> report_fit_failures([failed, failed], error_score=float("nan"))
    Traceback (most recent call last):
    ...
    lemma.selection.validate.FitFailedError: All the 2 fits failed; ...
    """
    errors = [fold.fit_error for fold in folds if fold.fit_error is not None]
    if not errors:
        return
    counts = Counter(error.strip().splitlines()[-1] for error in errors)
    details = "\n".join(f"  {n} × {line}" for line, n in counts.items())
    if len(errors) == len(folds):
        raise FitFailedError(
            f"All the {len(folds)} fits failed; the estimator is very likely misconfigured. "
            f"Errors:\n{details}\nSet error_score='raise' to see the full traceback."
        )
    warnings.warn(
        f"{len(errors)} fits failed out of a total of {len(folds)}; their scores are set to "
        f"{error_score}. Errors:\n{details}\nThe full tracebacks are in the result's "
        "fit_errors; set error_score='raise' to stop at the first one.",
        interop(FitFailedWarning),
        stacklevel=3,
    )


def evaluate_candidate(
    estimator: Any,
    X: Any,
    y: Any,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    scorers: dict[str, Callable[..., float]],
    *,
    parameters: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    return_train_score: bool = False,
    return_estimator: bool = False,
    error_score: Any = np.nan,
    n_jobs: int | None = None,
    progress: bool = False,
    confidence: float = 0.95,
) -> CVResult:
    """Cross-validate one candidate (``estimator`` with ``parameters``) on fixed splits.

    Returns the :class:`CVResult` with per-fold scores and times; fit failures are
    reported by :func:`report_fit_failures`. A search evaluates each candidate on
    the same ``splits`` (materialised once) with its ``parameters``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import KFold, check_scoring, evaluate_candidate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)); y = X @ [1.0, -1.0] + rng.normal(size=40)
    >>> splits = list(KFold(4).split(X))
    >>> result = evaluate_candidate(Ridge(), X, y, splits, check_scoring(None, "r2"),
    ...                             parameters={"alpha": 100.0})
    >>> result["test_score"].shape, result.n_train.tolist()
    ((4,), [30, 30, 30, 30])
    """
    _check_error_score(error_score)
    tasks = fold_tasks(
        estimator,
        X,
        y,
        splits,
        scorers,
        parameters=parameters,
        fit_params=params,
        return_train_score=return_train_score,
        return_estimator=return_estimator,
        error_score=error_score,
    )
    folds = run_parallel(tasks, n_jobs, progress=progress, description="cross-validating")
    report_fit_failures(folds, error_score)
    return CVResult.from_folds(folds, confidence=confidence, return_estimator=return_estimator)


# ------------------------------------------------------------------------ public API
def _check_lengths(X: Any, y: Any, groups: Any) -> None:
    n = num_samples(X)
    for name, value in (("y", y), ("groups", groups)):
        if value is not None and num_samples(value) != n:
            raise DataValidationError(
                f"X has {n} rows but {name} has {num_samples(value)}; pass one entry per row."
            )


def cross_validate(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: int | None = None,
    return_train_score: bool = False,
    return_estimator: bool = False,
    return_indices: bool = False,
    params: dict[str, Any] | None = None,
    error_score: Any = np.nan,
    confidence: float = 0.95,
    progress: bool = False,
) -> CVResult:
    """Scores of ``estimator`` on every cross-validation split, with confidence intervals.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or None
    groups : array-like of shape (n_samples,) or None
        Group labels for group splitters.
    scoring : str, list of str, dict, callable or None
        None uses ``estimator.score``; see :func:`check_scoring`.
    cv : int, splitter, iterable of (train, test) or None
        See :func:`~lemma.selection.check_cv` (5 folds, stratified for classifiers).
    n_jobs : int or None
        Parallel fits (:func:`~lemma.selection.run_parallel`).
    return_train_score, return_estimator, return_indices : bool, default=False
    params : dict or None
        Fit parameters (e.g. ``sample_weight``), sliced per fold.
    error_score : "raise" or float, default=np.nan
    confidence : float, default=0.95
        Coverage of the intervals in ``summary()``.
    progress : bool, default=False
        Progress bar on a terminal.

    Returns
    -------
    CVResult
        A dict with scikit-learn's keys (``fit_time``, ``score_time``,
        ``test_<metric>``, ``train_<metric>``, ``estimator``, ``indices``) plus
        ``summary()``, ``interval()`` and ``to_frame()``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import cross_validate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3)); y = X @ [1.0, -1.0, 0.5] + rng.normal(size=100)
    >>> result = cross_validate(Ridge(), X, y, cv=5)
    >>> result["test_score"].shape
    (5,)
    >>> print(result.interval())
    0.71... [0.47..., 0.95...] (95% corrected t, 5 splits)
    """
    _check_error_score(error_score)
    _check_lengths(X, y, groups)
    scorers = check_scoring(estimator, scoring)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(splitter.split(X, y, groups))
    result = evaluate_candidate(
        estimator,
        X,
        y,
        splits,
        scorers,
        params=params,
        return_train_score=return_train_score,
        return_estimator=return_estimator,
        error_score=error_score,
        n_jobs=n_jobs,
        progress=progress,
        confidence=confidence,
    )
    if return_indices:
        result["indices"] = {
            "train": tuple(train for train, _ in splits),
            "test": tuple(test for _, test in splits),
        }
    return result


def cross_val_score(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: int | None = None,
    params: dict[str, Any] | None = None,
    error_score: Any = np.nan,
) -> np.ndarray:
    """Test score of each cross-validation split (one metric), as scikit-learn's.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.selection import cross_val_score
    >>> X = np.arange(20.0).reshape(-1, 1); y = 3 * X.ravel()
    >>> cross_val_score(LinearRegression(), X, y, cv=4, scoring="neg_mean_absolute_error").round(6)
    array([-0., -0., -0., -0.])
    """
    if scoring is not None and not (isinstance(scoring, str) or callable(scoring)):
        raise ParameterError(
            "cross_val_score takes one metric (a name or a callable); use cross_validate "
            f"for several. Got scoring={scoring!r}."
        )
    result = cross_validate(
        estimator,
        X,
        y,
        groups=groups,
        scoring=scoring,
        cv=cv,
        n_jobs=n_jobs,
        params=params,
        error_score=error_score,
    )
    return result["test_score"]


# ------------------------------------------------------------------ out-of-fold predictions
#: Prediction method → value for the columns of classes missing from a training fold.
_MISSING_CLASS_FILL: dict[str, Callable[[np.dtype], float]] = {
    "predict": lambda dtype: 0.0,
    "predict_proba": lambda dtype: 0.0,
    "predict_log_proba": lambda dtype: float(np.finfo(dtype).min),
    "decision_function": lambda dtype: float(np.finfo(dtype).min),
}


def _align_classes(pred: np.ndarray, fold_classes: Any, classes: np.ndarray, method: str):
    """Put the columns of a fold's classes at their place among all classes."""
    fold_classes = np.asarray(fold_classes)
    if fold_classes.size == classes.size:
        return pred
    warnings.warn(
        f"A training fold has {fold_classes.size} of the {classes.size} classes; the "
        f"{method} columns of the missing classes are filled. Use stratified folds.",
        LemmaWarning,
        stacklevel=2,
    )
    if method == "decision_function" and (pred.ndim == 1 or fold_classes.size <= 2):
        raise DataValidationError(
            f"Only {fold_classes.size} classes in a training fold but {classes.size} overall; "
            "decision_function cannot be aligned. Use stratified folds."
        )
    full = np.full((pred.shape[0], classes.size), _MISSING_CLASS_FILL[method](pred.dtype))
    full[:, np.searchsorted(classes, fold_classes)] = pred
    return full


def _fit_and_predict(estimator, X, y, train, test, params, method, classes) -> np.ndarray:
    estimator = clone(estimator)
    X_train, y_train, X_test, _ = _split_rows(estimator, X, y, train, test)
    kwargs = _fold_params(params, num_samples(X), train)
    if y_train is None:
        estimator.fit(X_train, **kwargs)
    else:
        estimator.fit(X_train, y_train, **kwargs)
    pred = getattr(estimator, method)(X_test)
    if isinstance(pred, list):
        raise DataTypeError(
            f"{type(estimator).__name__}.{method} returned a list (one array per output); "
            "cross_val_predict handles one output."
        )
    pred = np.asarray(pred)
    if classes is not None and hasattr(estimator, "classes_"):
        pred = _align_classes(pred, estimator.classes_, classes, method)
    return pred


def cross_val_predict(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    cv: Any = None,
    n_jobs: int | None = None,
    params: dict[str, Any] | None = None,
    method: str = "predict",
) -> np.ndarray:
    """Out-of-fold predictions: each row predicted by the model not trained on it.

    Parameters
    ----------
    estimator, X, y, groups, cv, n_jobs, params
        As in :func:`cross_validate`; ``cv`` must test every row exactly once.
    method : {"predict", "predict_proba", "predict_log_proba", "decision_function"}

    Returns
    -------
    ndarray of shape (n_samples,) or (n_samples, n_classes)
        For probability methods, columns follow the sorted classes of y; classes
        missing from a training fold get 0 probability (a warning says so).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.selection import cross_val_predict
    >>> X = np.arange(8.0).reshape(-1, 1); y = 2 * X.ravel()
    >>> cross_val_predict(LinearRegression(), X, y, cv=4).round(6)
    array([ 0.,  2.,  4.,  6.,  8., 10., 12., 14.])
    """
    if method not in _MISSING_CLASS_FILL:
        raise ParameterError(
            f"method must be one of {sorted(_MISSING_CLASS_FILL)}; got {method!r}."
        )
    if not hasattr(estimator, method):
        raise ParameterError(f"{type(estimator).__name__} has no method {method!r}.")
    _check_lengths(X, y, groups)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(splitter.split(X, y, groups))
    tested = np.concatenate([test for _, test in splits])
    n = num_samples(X)
    if tested.size != n or not np.array_equal(np.sort(tested), np.arange(n)):
        raise DataValidationError(
            "cross_val_predict only works for partitions: every row must be in exactly one "
            f"test fold, but {type(splitter).__name__} does not do that. Use a k-fold splitter."
        )
    y_arr = None if y is None else np.asarray(y)
    classes = None
    if method != "predict" and y_arr is not None and y_arr.ndim == 1:
        classes = np.unique(y_arr)
    tasks = [
        partial(_fit_and_predict, estimator, X, y, train, test, params, method, classes)
        for train, test in splits
    ]
    predictions = run_parallel(tasks, n_jobs, description="predicting")
    stacked = np.concatenate(predictions)
    order = np.empty(n, dtype=int)
    order[tested] = np.arange(n)
    return stacked[order]
