"""Learning and validation curves, and a plain verdict: under-fitting, over-fitting or fine.

For each train/test split j and each point l of the curve — a training size
``m_l`` (learning curve: the first ``m_l`` rows of the split's training part) or
a hyperparameter value (validation curve: the whole training part) — the model
is fitted and scored on its own training rows and on the split's test rows:

    T_{l,j} (train score),   V_{l,j} (validation score).

A constant predictor (the training mean, or the class frequencies) is fitted and
scored the same way, giving the baseline ``B_{l,j}`` on the training rows. Means
over splits carry the Nadeau–Bengio corrected t-interval
(:mod:`lemma.selection.intervals`, ``n_train = m_l``).

The verdict at a point (:func:`diagnose_fit`; by default the largest training
size, or the hyperparameter value with the best mean validation score), with all
scores oriented so that greater is better:

    gain_j = T_j − B_j      what the model learned beyond a constant, on its training rows
    gap_j  = T_j − V_j      how much of it does not carry over to unseen rows
    fraction = mean(gain) / (S* − mean(B))   share of the way to the perfect score S*
                                             (known for named metrics: 1, or 0 for losses)

1. **under-fitting** if the corrected interval of the gain does not lie above 0
   (the model fits its own training data no better than a constant), or if
   ``fraction < min_train_fraction`` (default 0.5: it covers less than half the
   way from a constant predictor to a perfect score on the rows it was fitted on);
2. else **over-fitting** if ``mean(gap) > max_gap · mean(gain)`` (default 0.1:
   it loses more than 10% of its training gain on unseen rows) and the corrected
   interval of the gap lies above 0 (the gap is not fold noise); when the gap is
   that large but its interval reaches 0, the verdict is "undetermined" (too few
   or too noisy test rows to tell: use more folds, repeats or data);
3. else **fine**.

``S*`` can be replaced by a reachable score (``reference_score``) when the
perfect score is out of reach or unknown (a custom scorer).

Learning curves also report whether the validation score is still rising: the
corrected interval of ``V_{L,j} − V_{L−1,j}`` (last two sizes) lies above 0 —
then more data should help. A low training score can also mean the target is
mostly noise, which no model can fit; the verdict cannot tell the two apart (if a
more flexible model does no better, the target is noisy). With fewer than two
splits or missing scores the verdict is "undetermined".

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed. (2009), §7.2–7.3 (bias, variance, training versus test error);
Nadeau & Bengio, Machine Learning 52 (2003) for the intervals.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from lemma.exceptions import LemmaWarning, ParameterError
from lemma.metrics.scorers import SCORERS
from lemma.selection.intervals import ScoreInterval, corrected_t_interval
from lemma.selection.parallel import run_parallel
from lemma.selection.split import check_cv, num_samples, take_rows
from lemma.selection.validate import (
    _check_error_score,
    _check_lengths,
    check_scoring,
    fit_and_score,
    report_fit_failures,
)
from lemma.validation import check_random_state

__all__ = [
    "FitDiagnosis",
    "LearningCurveResult",
    "ValidationCurveResult",
    "diagnose_fit",
    "learning_curve",
    "validation_curve",
]

#: Default training sizes of a learning curve (fractions of the largest training part).
DEFAULT_TRAIN_SIZES = np.linspace(0.1, 1.0, 5)

#: Best possible value of each named scorer: 0 for losses (``neg_…``), else 1.
PERFECT_SCORES: dict[str, float] = {
    name: 0.0 if name.startswith("neg_") else 1.0 for name in SCORERS
}


# ----------------------------------------------------------------------------- baseline
class _MeanRegressor(RegressorMixin, BaseEstimator):
    """Predicts the training mean (the baseline of a regressor)."""

    def fit(self, X: Any, y: Any) -> _MeanRegressor:
        self.mean_ = np.mean(np.asarray(y, dtype=float), axis=0)
        return self

    def predict(self, X: Any) -> np.ndarray:
        n = num_samples(X)
        return np.full(n, self.mean_) if np.ndim(self.mean_) == 0 else np.tile(self.mean_, (n, 1))


class _PriorClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the most frequent class and the class frequencies (a classifier's baseline)."""

    def fit(self, X: Any, y: Any) -> _PriorClassifier:
        self.classes_, counts = np.unique(np.asarray(y), return_counts=True)
        self.prior_ = counts / counts.sum()
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(num_samples(X), self.classes_[np.argmax(self.prior_)])

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile(self.prior_, (num_samples(X), 1))


def _baseline_for(estimator: Any) -> Any:
    if is_classifier(estimator):
        return _PriorClassifier()
    if is_regressor(estimator):
        return _MeanRegressor()
    return None


def _baseline_score(estimator: Any, X: Any, y: Any, rows: np.ndarray, scorer: Any) -> float:
    """Score of the constant predictor fitted and scored on ``rows`` (NaN if impossible)."""
    baseline = _baseline_for(estimator)
    if baseline is None or y is None:
        return math.nan
    X_rows, y_rows = take_rows(X, rows), take_rows(y, rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(scorer(baseline.fit(X_rows, y_rows), X_rows, y_rows))
    except Exception:
        return math.nan


def _perfect_score(estimator: Any, scoring: Any) -> float | None:
    if scoring is None:
        return 1.0 if (is_classifier(estimator) or is_regressor(estimator)) else None
    return PERFECT_SCORES.get(scoring) if isinstance(scoring, str) else None


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class FitDiagnosis:
    """The verdict on one point of a curve and the numbers behind it.

    Attributes
    ----------
    verdict : {"under-fitting", "over-fitting", "fine", "undetermined"}
    reason : str
        The verdict in a sentence, with the numbers.
    at : str
        Where the verdict applies ("train size 160", "alpha=0.1").
    train_score, validation_score, baseline_train_score : float
        Mean over splits.
    gap, train_gain : ScoreInterval
        Corrected t-intervals of ``T − V`` and ``T − B``.
    relative_gap : float
        ``mean(gap) / mean(gain)``.
    train_fraction : float
        ``mean(gain) / (S* − mean(B))``; NaN when the perfect score is unknown.
    validation_rise : ScoreInterval or None
        Change of the validation score over the last step of a learning curve.
    max_gap, min_train_fraction : float
        The thresholds used.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import learning_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ [1.0, 1.0] + 0.3 * rng.normal(size=100)
    >>> diagnosis = learning_curve(Ridge(), X, y).diagnose()
    >>> diagnosis.verdict, diagnosis.at
    ('fine', 'train size 80')
    """

    verdict: str
    reason: str
    at: str
    train_score: float
    validation_score: float
    baseline_train_score: float
    gap: ScoreInterval
    train_gain: ScoreInterval
    relative_gap: float
    train_fraction: float
    validation_rise: ScoreInterval | None
    max_gap: float
    min_train_fraction: float

    def __str__(self) -> str:
        return f"{self.verdict} at {self.at}: {self.reason}"


@dataclass(frozen=True, eq=False)
class _Curve:
    """Scores of a curve: arrays of shape (n_points, n_splits)."""

    train_scores: np.ndarray
    test_scores: np.ndarray
    baseline_train_scores: np.ndarray
    n_train: np.ndarray
    n_test: np.ndarray
    fit_times: np.ndarray
    confidence: float
    perfect_score: float | None

    def interval(self, index: int, *, part: str = "test") -> ScoreInterval:
        """Corrected t-interval of the mean ``part`` score ("test" or "train") at a point."""
        scores = {"test": self.test_scores, "train": self.train_scores}[part][index]
        return corrected_t_interval(
            scores, self.n_train[index], self.n_test, confidence=self.confidence
        )

    def _points(self) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _label(self, index: int) -> str:
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """One row per point: mean and interval of train and test scores, and the verdict."""
        rows = []
        column, points = self._points()
        for index, point in enumerate(points):
            train, test = self.interval(index, part="train"), self.interval(index)
            rows.append(
                {
                    column: point,
                    "train_mean": train.mean,
                    "train_ci_low": train.ci_low,
                    "train_ci_high": train.ci_high,
                    "test_mean": test.mean,
                    "test_ci_low": test.ci_low,
                    "test_ci_high": test.ci_high,
                    "verdict": diagnose_fit(self, index).verdict,
                }
            )
        return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class LearningCurveResult(_Curve):
    """A learning curve; unpacks as scikit-learn's ``(train_sizes, train_scores, test_scores)``.

    Attributes
    ----------
    train_sizes : ndarray of int, shape (n_sizes,)
    train_scores, test_scores : ndarray of shape (n_sizes, n_splits)
    baseline_train_scores : ndarray of shape (n_sizes, n_splits)
        The constant predictor's score on the same training rows.
    fit_times : ndarray of shape (n_sizes, n_splits)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import learning_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2)); y = X.sum(axis=1) + rng.normal(size=50)
    >>> curve = learning_curve(Ridge(), X, y, train_sizes=[10, 40])
    >>> list(curve.to_frame().columns[:3])
    ['train_size', 'train_mean', 'train_ci_low']
    """

    train_sizes: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.train_sizes, self.train_scores, self.test_scores))

    def _points(self) -> tuple[str, list[Any]]:
        return "train_size", self.train_sizes.tolist()

    def _label(self, index: int) -> str:
        return f"train size {self.train_sizes[index]}"

    def diagnose(self, index: int = -1, **thresholds: float) -> FitDiagnosis:
        """:func:`diagnose_fit` at a training size (default: the largest)."""
        return diagnose_fit(self, index, **thresholds)


@dataclass(frozen=True, eq=False)
class ValidationCurveResult(_Curve):
    """A validation curve; unpacks as scikit-learn's ``(train_scores, test_scores)``.

    Attributes
    ----------
    param_name : str
    param_range : list
    train_scores, test_scores, baseline_train_scores, fit_times : ndarray
        Shape (n_values, n_splits).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import validation_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2)); y = X.sum(axis=1) + rng.normal(size=50)
    >>> train, test = validation_curve(Ridge(), X, y, param_name="alpha", param_range=[1, 10])
    >>> train.shape
    (2, 5)
    """

    param_name: str
    param_range: list

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.train_scores, self.test_scores))

    def _points(self) -> tuple[str, list[Any]]:
        return self.param_name, list(self.param_range)

    def _label(self, index: int) -> str:
        return f"{self.param_name}={self.param_range[index]!r}"

    def diagnose(self, index: int | None = None, **thresholds: float) -> FitDiagnosis:
        """:func:`diagnose_fit` at a value (default: the best mean validation score)."""
        return diagnose_fit(self, index, **thresholds)


# ----------------------------------------------------------------------------- verdict
def _default_index(result: _Curve) -> int:
    """The largest training size, or the value with the best mean validation score."""
    if isinstance(result, LearningCurveResult):
        return result.train_sizes.size - 1
    means = [row.mean() if np.all(np.isfinite(row)) else -np.inf for row in result.test_scores]
    return int(np.argmax(means))


def _rise(result: _Curve, index: int) -> ScoreInterval | None:
    if not isinstance(result, LearningCurveResult) or index % result.train_sizes.size == 0:
        return None
    change = result.test_scores[index] - result.test_scores[index - 1]
    return corrected_t_interval(
        change, result.n_train[index], result.n_test, confidence=result.confidence
    )


def _reason(verdict: str, d: dict[str, Any]) -> str:
    rising = d["rise"] is not None and d["rise"].ci_low > 0
    more_data = " The validation score is still rising: more data should help." if rising else ""
    gap, gain = d["gap"], d["gain"]
    if verdict == "under-fitting":
        share = "" if math.isnan(d["fraction"]) else f" ({d['fraction']:.0%} of the way to perfect)"
        return (
            f"on its own training rows it scores {d['T']:.4g}, only {gain.mean:.4g} above a "
            f"constant predictor ({d['B']:.4g}){share}; it misses the signal, or the target "
            f"is mostly noise. Try a more flexible model or better features.{more_data}"
        )
    if verdict == "undetermined":
        return (
            f"training score {d['T']:.4g} against validation {d['V']:.4g}: the gap "
            f"{gap.mean:.4g} is {d['relative']:.0%} of what it learned beyond a constant "
            f"predictor, but its interval [{gap.ci_low:.4g}, {gap.ci_high:.4g}] reaches 0: "
            "too few or too noisy test rows to tell. Use more folds (RepeatedKFold) or more data."
        )
    if verdict == "over-fitting":
        return (
            f"training score {d['T']:.4g} against validation {d['V']:.4g}: a gap of "
            f"{gap.mean:.4g} [{gap.ci_low:.4g}, {gap.ci_high:.4g}], {d['relative']:.0%} of what "
            f"it learned beyond a constant predictor, beyond fold noise. Regularise or simplify "
            f"the model.{more_data}"
        )
    return (
        f"training {d['T']:.4g} and validation {d['V']:.4g} are close (gap {gap.mean:.4g}, "
        f"{d['relative']:.0%} of the gain over a constant predictor) and well above the "
        f"constant ({d['B']:.4g}).{more_data}"
    )


def diagnose_fit(
    result: LearningCurveResult | ValidationCurveResult,
    index: int | None = None,
    *,
    max_gap: float = 0.1,
    min_train_fraction: float = 0.5,
    reference_score: float | None = None,
) -> FitDiagnosis:
    """Under-fitting, over-fitting or fine at one point of a curve (rule in the module notes).

    Parameters
    ----------
    result : LearningCurveResult or ValidationCurveResult
    index : int or None
        The point; None: the largest training size, or the best validation mean.
    max_gap : float, default=0.1
        Largest share of the training gain that may be lost on unseen rows.
    min_train_fraction : float, default=0.5
        Smallest share of the way to a perfect score the model must cover on its
        training rows (used when the metric's perfect score is known).
    reference_score : float or None
        The best reachable score S*; None: the metric's perfect score (1, or 0 for
        losses; unknown for a custom scorer).

    Returns
    -------
    FitDiagnosis

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.selection import diagnose_fit, learning_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = X @ [2.0, -1.0, 1.0] + 0.5 * rng.normal(size=200)
    >>> diagnose_fit(learning_curve(LinearRegression(), X, y)).verdict
    'fine'
    """
    index = _default_index(result) if index is None else index
    T, V = result.train_scores[index], result.test_scores[index]
    B = result.baseline_train_scores[index]
    n_train, n_test, level = result.n_train[index], result.n_test, result.confidence
    gap = corrected_t_interval(T - V, n_train, n_test, confidence=level)
    gain = corrected_t_interval(T - B, n_train, n_test, confidence=level)
    best = result.perfect_score if reference_score is None else reference_score
    room = (best - float(np.mean(B))) if best is not None else math.nan
    d = {
        "T": float(np.mean(T)),
        "V": float(np.mean(V)),
        "B": float(np.mean(B)),
        "gap": gap,
        "gain": gain,
        "rise": _rise(result, index),
        "fraction": gain.mean / room if room > 0 else math.nan,
        "relative": gap.mean / gain.mean if gain.mean > 0 else math.nan,
    }
    if any(math.isnan(x) for x in (gap.ci_low, gain.ci_low, d["B"])):
        verdict = "undetermined"
        reason = (
            "needs at least two splits and finite train, validation and constant-predictor "
            "scores (a fit or a score failed, or there is a single split)."
        )
    else:
        if gain.ci_low <= 0 or d["fraction"] < min_train_fraction:
            verdict = "under-fitting"
        elif gap.mean > max_gap * gain.mean:
            verdict = "over-fitting" if gap.ci_low > 0 else "undetermined"
        else:
            verdict = "fine"
        reason = _reason(verdict, d)
    return FitDiagnosis(
        verdict=verdict,
        reason=reason,
        at=result._label(index),
        train_score=d["T"],
        validation_score=d["V"],
        baseline_train_score=d["B"],
        gap=gap,
        train_gain=gain,
        relative_gap=d["relative"],
        train_fraction=d["fraction"],
        validation_rise=d["rise"],
        max_gap=max_gap,
        min_train_fraction=min_train_fraction,
    )


# ------------------------------------------------------------------------------ curves
def _absolute_sizes(train_sizes: Any, n_max: int) -> np.ndarray:
    """Training sizes as row counts: fractions of ``n_max`` (floats) or counts (ints)."""
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ParameterError(f"train_sizes must be a non-empty 1-D sequence; got {train_sizes!r}.")
    if np.issubdtype(sizes.dtype, np.floating):
        if sizes.min() <= 0 or sizes.max() > 1:
            raise ParameterError(
                "train_sizes given as floats are fractions of the largest training part and "
                f"must be within (0, 1]; got [{sizes.min()}, {sizes.max()}]."
            )
        counts = np.clip((sizes * n_max).astype(int), 1, n_max)
    else:
        if sizes.min() <= 0 or sizes.max() > n_max:
            raise ParameterError(
                f"train_sizes given as ints are row counts and must be within (0, {n_max}] "
                f"(the largest training part); got [{sizes.min()}, {sizes.max()}]."
            )
        counts = sizes.astype(int)
    unique = np.unique(counts)
    if unique.size < sizes.size:
        warnings.warn(
            f"Removed duplicate entries from train_sizes: {unique.size} sizes instead of "
            f"{sizes.size}.",
            LemmaWarning,
            stacklevel=3,
        )
    return unique


def _evaluate_points(estimator, X, y, jobs, scorers, options, n_jobs, progress, n_points):
    """Fit the model at every (split, point) job and the baseline at the same rows.

    ``jobs`` lists ``(train_rows, test_rows, parameters)`` split by split, point by point.
    Returns arrays of shape (n_points, n_splits).
    """
    tasks = [
        partial(fit_and_score, estimator, X, y, train, test, scorers, parameters=params, **options)
        for train, test, params in jobs
    ]
    folds = run_parallel(tasks, n_jobs, progress=progress, description="curve")
    report_fit_failures(folds, options["error_score"])
    name, scorer = next(iter(scorers.items()))
    base = [_baseline_score(estimator, X, y, train, scorer) for train, _, _ in jobs]

    def grid(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float).reshape(-1, n_points).T

    return {
        "train_scores": grid([f.train_scores[name] for f in folds]),
        "test_scores": grid([f.test_scores[name] for f in folds]),
        "baseline_train_scores": grid(list(base)),
        "n_train": grid([f.n_train for f in folds]).astype(int),
        "fit_times": grid([f.fit_time for f in folds]),
    }


def _one_scorer(estimator: Any, scoring: Any) -> dict:
    if isinstance(scoring, list | tuple | set | dict):
        raise ParameterError(
            f"Curves take one metric (a name or a callable); got scoring={scoring!r}."
        )
    return check_scoring(estimator, scoring)


def learning_curve(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    train_sizes: Any = DEFAULT_TRAIN_SIZES,
    cv: Any = None,
    scoring: Any = None,
    n_jobs: int | None = None,
    shuffle: bool = False,
    random_state: Any = None,
    error_score: Any = np.nan,
    params: dict[str, Any] | None = None,
    confidence: float = 0.95,
    progress: bool = False,
) -> LearningCurveResult:
    """Train and validation scores as the training set grows.

    Parameters
    ----------
    estimator, X, y, groups, cv, scoring, n_jobs, error_score, params, confidence, progress
        As in :func:`~lemma.selection.cross_validate` (one metric).
    train_sizes : array-like, default=np.linspace(0.1, 1.0, 5)
        Fractions (floats in (0, 1]) of the largest training part, or row counts.
    shuffle : bool, default=False
        Shuffle each training part before taking its first rows.
    random_state : int, RandomState or None
        Seed of that shuffle.

    Returns
    -------
    LearningCurveResult
        Unpacks as ``train_sizes, train_scores, test_scores`` (scikit-learn's).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import learning_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ [1.0, 1.0] + rng.normal(size=100)
    >>> sizes, train, test = learning_curve(Ridge(), X, y, train_sizes=[0.5, 1.0], cv=4)
    >>> sizes, train.shape
    (array([37, 75]), (2, 4))
    """
    _check_error_score(error_score)
    _check_lengths(X, y, groups)
    scorers = _one_scorer(estimator, scoring)
    splits = list(check_cv(cv, y, classifier=is_classifier(estimator)).split(X, y, groups))
    sizes = _absolute_sizes(train_sizes, len(splits[0][0]))
    if shuffle:
        rng = check_random_state(random_state)
        splits = [(rng.permutation(train), test) for train, test in splits]
    jobs = [(train[:m], test, None) for train, test in splits for m in sizes]
    options = {"fit_params": params, "return_train_score": True, "error_score": error_score}
    arrays = _evaluate_points(estimator, X, y, jobs, scorers, options, n_jobs, progress, sizes.size)
    return LearningCurveResult(
        **arrays,
        n_test=np.array([len(test) for _, test in splits]),
        confidence=confidence,
        perfect_score=_perfect_score(estimator, scoring),
        train_sizes=sizes,
    )


def validation_curve(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    param_name: str,
    param_range: Any,
    groups: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_jobs: int | None = None,
    error_score: Any = np.nan,
    params: dict[str, Any] | None = None,
    confidence: float = 0.95,
    progress: bool = False,
) -> ValidationCurveResult:
    """Train and validation scores across the values of one hyperparameter.

    Parameters
    ----------
    param_name : str
        A parameter of ``estimator`` (``step__param`` for nested ones).
    param_range : array-like
        The values to try.
    estimator, X, y, groups, cv, scoring, n_jobs, error_score, params, confidence, progress
        As in :func:`learning_curve`.

    Returns
    -------
    ValidationCurveResult
        Unpacks as ``train_scores, test_scores`` (scikit-learn's).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import validation_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)); y = X @ [1.0, 1.0] + rng.normal(size=60)
    >>> curve = validation_curve(Ridge(), X, y, param_name="alpha", param_range=[0.1, 1e4])
    >>> curve.diagnose(1).verdict
    'under-fitting'
    """
    if param_name not in estimator.get_params(deep=True):
        raise ParameterError(
            f"{type(estimator).__name__} has no parameter {param_name!r}; valid names are "
            f"{sorted(estimator.get_params(deep=True))!r}."
        )
    _check_error_score(error_score)
    _check_lengths(X, y, groups)
    scorers = _one_scorer(estimator, scoring)
    values = list(param_range)
    splits = list(check_cv(cv, y, classifier=is_classifier(estimator)).split(X, y, groups))
    jobs = [(train, test, {param_name: v}) for train, test in splits for v in values]
    options = {"fit_params": params, "return_train_score": True, "error_score": error_score}
    arrays = _evaluate_points(
        estimator, X, y, jobs, scorers, options, n_jobs, progress, len(values)
    )
    return ValidationCurveResult(
        **arrays,
        n_test=np.array([len(test) for _, test in splits]),
        confidence=confidence,
        perfect_score=_perfect_score(estimator, scoring),
        param_name=param_name,
        param_range=values,
    )
