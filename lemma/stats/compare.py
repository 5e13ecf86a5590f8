"""Is model A better than model B? Tests on cross-validated scores.

Resampled scores are not independent: folds share training data, so the naive
paired t-test on J fold differences ``dⱼ = a_j − b_j`` underestimates their
variance and rejects far too often. Each test here accounts for that.

* Corrected resampled t (Nadeau & Bengio 2003): with training and test sizes
  n₁, n₂, ``t = d̄ / √((1/J + n₂/n₁) σ̂²)``, ``σ̂² = Σ(dⱼ − d̄)²/(J − 1)``, on J − 1
  df; the term n₂/n₁ stands for the correlation ``ρ = n₂/(n₁ + n₂)`` between folds
  (``1/J + ρ/(1 − ρ)``), which the naive ``1/J`` ignores.
* 5×2cv paired t (Dietterich 1998): five replications of 2-fold CV give
  differences p_i⁽¹⁾, p_i⁽²⁾ with ``p̄ᵢ = (p_i⁽¹⁾ + p_i⁽²⁾)/2`` and
  ``sᵢ² = (p_i⁽¹⁾ − p̄ᵢ)² + (p_i⁽²⁾ − p̄ᵢ)²``; ``t = p₁⁽¹⁾ / √(Σsᵢ²/5)`` on 5 df.
* Combined 5×2cv F (Alpaydın 1999): ``F = Σᵢⱼ (p_i⁽ʲ⁾)² / (2 Σᵢ sᵢ²)`` on (10, 5) df.
* Permutation test (Ojala & Garriga 2010): ``p = (1 + #{s(π) ≥ s})/(1 + P)`` over P
  label permutations π: does the model beat chance at all?

Use the corrected t on repeated k-fold scores, 5×2cv when training is cheap and
you want Dietterich's guarantees. With one held-out test set, use
:mod:`lemma.stats.compare_holdout` (McNemar, DeLong, paired bootstrap); over many
datasets, :mod:`lemma.stats.compare_many` (Friedman, Nemenyi).

Reference: Nadeau & Bengio, "Inference for the generalization error", *Machine
Learning* 52, 2003; Dietterich, *Neural Computation* 10(7), 1998; Alpaydın,
*Neural Computation* 11(8), 1999; Ojala & Garriga, *JMLR* 11, 2010.

Examples
--------
>>> from lemma.stats import corrected_resampled_ttest
>>> a = [0.81, 0.84, 0.79, 0.86, 0.83, 0.85, 0.80, 0.84, 0.82, 0.86]
>>> b = [0.80, 0.81, 0.79, 0.83, 0.80, 0.84, 0.78, 0.82, 0.80, 0.83]
>>> print(corrected_resampled_ttest(a, b, n_train=900, n_test=100))
The models differ: mean score difference 0.02 (95% CI 0.00904 to 0.031), corrected resampled t(9) = 4.13, p = 0.003, Cohen's d_z = 1.9.
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy import stats

from lemma.base import clone
from lemma.exceptions import DataValidationError, ParameterError
from lemma.stats._checks import (
    as_labels,
    as_sample,
    check_alternative,
    check_positive_int,
    same_length,
    warn_zero_variance,
)
from lemma.stats._result import HypothesisTestResult, symmetric_interval, tail_p_value
from lemma.validation import check_random_state

__all__ = [
    "combined_ftest_5x2cv",
    "corrected_resampled_ttest",
    "paired_ttest_5x2cv",
    "permutation_test",
    "scores_5x2cv",
]

_CLAIMS = {
    "two-sided": "the models differ",
    "greater": "model A scores higher",
    "less": "model A scores lower",
}


# ---------------------------------------------------------------------------- helpers
def _fold_scores(scores: Any, name: str) -> np.ndarray:
    """Scores from an array, a ``{"test_score": ...}`` mapping or a CV result object."""
    if isinstance(scores, Mapping) and "test_score" in scores:
        scores = scores["test_score"]
    elif hasattr(scores, "test_score"):
        scores = scores.test_score
    try:
        arr = np.asarray(scores, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise DataValidationError(
            f"{name} must be fold scores: an array, a dict with 'test_score', or a "
            f"cross-validation result; got {type(scores).__name__}."
        ) from None
    return as_sample(arr, name, min_size=2)


def _size(value: Any, from_result: Any, name: str) -> float:
    """Mean fold size: the argument, else the CV result's, else a clear error."""
    if value is None:
        value = from_result
    if value is None:
        raise ParameterError(
            f"Pass {name} (rows used to {'train' if name == 'n_train' else 'test'} on each "
            "fold), or pass a lemma.selection.CVResult, which records it."
        )
    try:
        size = float(np.mean(np.asarray(value, dtype=np.float64)))
    except (TypeError, ValueError):
        size = float("nan")
    if not size > 0 or isinstance(value, bool):
        raise ParameterError(
            f"The {name!r} parameter must be a positive number of rows (or one per fold). "
            f"Got {value!r} instead."
        )
    return size


# ---------------------------------------------------------------- corrected resampled t
def corrected_resampled_ttest(
    scores_a: Any,
    scores_b: Any,
    *,
    n_train: Any = None,
    n_test: Any = None,
    alternative: str = "two-sided",
) -> HypothesisTestResult:
    """Nadeau–Bengio corrected resampled t-test on paired fold scores.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (n_folds,) or (n_repeats, n_folds)
        Scores of the two models on the same folds (greater is better), or a
        cross-validation result holding them as ``test_score`` (attribute or key).
    n_train, n_test : float or array-like of shape (n_folds,), optional
        Rows used to train and to test on each fold (averaged if they vary). Taken
        from ``scores_a.n_train`` / ``scores_a.n_test`` when ``scores_a`` is a
        :class:`lemma.selection.CVResult`; required otherwise.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means model A scores higher.

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is the mean score difference with the corrected interval
        ``d̄ ± t_{J−1} √((1/J + n_test/n_train) σ̂²)``; effect size ``d̄/σ̂``.

    See Also
    --------
    lemma.selection.intervals : the same variance correction as an interval for one
        model's mean score.

    Examples
    --------
    >>> from lemma.stats import corrected_resampled_ttest
    >>> result = corrected_resampled_ttest([0.8, 0.9, 0.85], [0.7, 0.8, 0.8], n_train=80, n_test=20)
    >>> round(result.statistic, 3), result.df
    (3.78, 2.0)
    """
    alternative = check_alternative(alternative)
    a, b = _fold_scores(scores_a, "scores_a"), _fold_scores(scores_b, "scores_b")
    same_length(("scores_a", a), ("scores_b", b))
    n_train = _size(n_train, getattr(scores_a, "n_train", None), "n_train")
    n_test = _size(n_test, getattr(scores_a, "n_test", None), "n_test")
    ratio = n_test / n_train
    d = a - b
    j = d.size
    mean, var = float(d.mean()), float(d.var(ddof=1))
    std_err = math.sqrt((1 / j + ratio) * var)
    if std_err == 0:
        warn_zero_variance("score differences")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.float64(mean) / np.float64(std_err)
    return HypothesisTestResult(
        test="corrected resampled t-test",
        statistic=float(t),
        p_value=tail_p_value(float(t), alternative, stats.t(j - 1)),
        df=float(j - 1),
        statistic_name="corrected resampled t",
        alternative=alternative,
        claim=_CLAIMS[alternative],
        estimate=mean,
        estimate_name="mean score difference",
        effect_size=mean / math.sqrt(var) if var > 0 else float("nan"),
        effect_size_name="Cohen's d_z",
        ci_function=symmetric_interval(mean, std_err, alternative, stats.t(j - 1)),
        details={"std_err": std_err, "n_train": n_train, "n_test": n_test},
    )


# ----------------------------------------------------------------------------- 5 × 2 cv
def _scorer(scoring: Any) -> Callable[[Any, Any, Any], float]:
    if scoring is None:
        return lambda estimator, X, y: float(estimator.score(X, y))
    if isinstance(scoring, str):
        from lemma.metrics import get_scorer  # practice layer: imported only when named

        return get_scorer(scoring)
    if callable(scoring):
        return scoring
    raise ParameterError(
        "The 'scoring' parameter must be None (the estimator's score method), a scorer "
        f"name such as 'accuracy', or a callable scorer(estimator, X, y). Got {scoring!r}."
    )


def _rows(data: Any, index: np.ndarray) -> Any:
    return data.iloc[index] if hasattr(data, "iloc") else np.asarray(data)[index]


def scores_5x2cv(
    estimator_a: Any,
    estimator_b: Any,
    X: Any,
    y: Any,
    *,
    scoring: Any = None,
    random_state: Any = None,
) -> np.ndarray:
    """Score differences (A − B) from five replications of 2-fold cross-validation.

    Each replication shuffles the rows with ``random_state`` and halves them into
    S₁ and S₂; column 0 trains on S₁ and tests on S₂, column 1 the reverse. Both
    models see the same splits; each fit uses a fresh clone.

    Parameters
    ----------
    estimator_a, estimator_b : estimator
        Unfitted models with ``fit`` (cloned, never modified).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    scoring : None, str or callable, default=None
        None uses each estimator's ``score``; a name from lemma.metrics' scorer
        table ("accuracy", "roc_auc", ...) or ``scorer(estimator, X, y)``.
    random_state : int, RandomState, Generator or None

    Returns
    -------
    ndarray of shape (5, 2)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats import scores_5x2cv
    >>> class Mean:  # predicts the training mean
    ...     def get_params(self, deep=True):
    ...         return {}
    ...     def fit(self, X, y):
    ...         self.mean_ = np.mean(y)
    ...         return self
    ...     def score(self, X, y):
    ...         return -np.mean((np.asarray(y) - self.mean_) ** 2)
    >>> X, y = np.zeros((20, 1)), np.arange(20.0)
    >>> scores_5x2cv(Mean(), Mean(), X, y, random_state=0).shape
    (5, 2)
    """
    scorer = _scorer(scoring)
    n = len(y)
    if n < 4:
        raise DataValidationError(f"5×2 cross-validation needs at least 4 rows; got {n}.")
    rs = check_random_state(random_state)
    differences = np.empty((5, 2))
    for i in range(5):
        order = rs.permutation(n)
        halves = (order[: n // 2], order[n // 2 :])
        for j, (train, test) in enumerate((halves, halves[::-1])):
            X_train, y_train = _rows(X, train), _rows(y, train)
            X_test, y_test = _rows(X, test), _rows(y, test)
            score_a = scorer(clone(estimator_a).fit(X_train, y_train), X_test, y_test)
            score_b = scorer(clone(estimator_b).fit(X_train, y_train), X_test, y_test)
            differences[i, j] = score_a - score_b
    return differences


def _five_by_two(differences: Any, estimators: dict[str, Any], kwargs: dict[str, Any]):
    given = {k: v for k, v in estimators.items() if v is not None}
    if differences is not None and given:
        raise ParameterError(
            "Pass either the 5×2 score differences or the estimators and data, not both."
        )
    if differences is None:
        missing = sorted(set(estimators) - set(given))
        if missing:
            raise ParameterError(
                f"Pass the (5, 2) score differences, or all of estimator_a, estimator_b, X "
                f"and y; missing {missing}."
            )
        return scores_5x2cv(
            given["estimator_a"], given["estimator_b"], given["X"], given["y"], **kwargs
        )
    p = np.asarray(differences, dtype=np.float64)
    if p.shape != (5, 2) or not np.all(np.isfinite(p)):
        raise DataValidationError(
            f"differences must be a finite array of shape (5, 2) (replication × fold); got "
            f"shape {p.shape}. Compute them with lemma.stats.scores_5x2cv."
        )
    return p


def _five_by_two_variances(p: np.ndarray) -> np.ndarray:
    """``sᵢ² = Σⱼ (p_i⁽ʲ⁾ − p̄ᵢ)²`` for each replication."""
    return ((p - p.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)


def paired_ttest_5x2cv(
    differences: Any = None,
    *,
    estimator_a: Any = None,
    estimator_b: Any = None,
    X: Any = None,
    y: Any = None,
    scoring: Any = None,
    random_state: Any = None,
    alternative: str = "two-sided",
) -> HypothesisTestResult:
    """Dietterich's 5×2cv paired t-test.

    Parameters
    ----------
    differences : array-like of shape (5, 2), optional
        Score differences A − B (see :func:`scores_5x2cv`); or pass the estimators.
    estimator_a, estimator_b, X, y, scoring, random_state
        Run the 5×2 cross-validation here (see :func:`scores_5x2cv`).
    alternative : {"two-sided", "less", "greater"}, default="two-sided"

    Returns
    -------
    HypothesisTestResult
        t on 5 df; ``estimate`` is the mean of the ten differences (no interval:
        the test is built on the first difference alone).

    Examples
    --------
    >>> from lemma.stats import paired_ttest_5x2cv
    >>> p = [[0.02, 0.03], [0.01, 0.04], [0.03, 0.02], [0.02, 0.02], [0.00, 0.03]]
    >>> round(paired_ttest_5x2cv(p).statistic, 4)
    1.4142
    """
    alternative = check_alternative(alternative)
    p = _five_by_two(
        differences,
        {"estimator_a": estimator_a, "estimator_b": estimator_b, "X": X, "y": y},
        {"scoring": scoring, "random_state": random_state},
    )
    variance = _five_by_two_variances(p).mean()
    if variance == 0:
        warn_zero_variance("within-replication differences")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.float64(p[0, 0]) / np.sqrt(np.float64(variance))
    return HypothesisTestResult(
        test="5×2cv paired t-test",
        statistic=float(t),
        p_value=tail_p_value(float(t), alternative, stats.t(5)),
        df=5.0,
        statistic_name="5×2cv t",
        alternative=alternative,
        claim=_CLAIMS[alternative],
        estimate=float(p.mean()),
        estimate_name="mean score difference",
        details={"differences": p},
    )


def combined_ftest_5x2cv(
    differences: Any = None,
    *,
    estimator_a: Any = None,
    estimator_b: Any = None,
    X: Any = None,
    y: Any = None,
    scoring: Any = None,
    random_state: Any = None,
) -> HypothesisTestResult:
    """Alpaydın's combined 5×2cv F test (uses all ten differences; more robust than t).

    Parameters
    ----------
    differences : array-like of shape (5, 2), optional
        Score differences A − B (see :func:`scores_5x2cv`); or pass the estimators.
    estimator_a, estimator_b, X, y, scoring, random_state
        Run the 5×2 cross-validation here (see :func:`scores_5x2cv`).

    Returns
    -------
    HypothesisTestResult
        F on (10, 5) df; ``estimate`` is the mean of the ten differences.

    Examples
    --------
    >>> from lemma.stats import combined_ftest_5x2cv
    >>> p = [[0.02, 0.03], [0.01, 0.04], [0.03, 0.02], [0.02, 0.02], [0.00, 0.03]]
    >>> round(combined_ftest_5x2cv(p).statistic, 4)
    3.0
    """
    p = _five_by_two(
        differences,
        {"estimator_a": estimator_a, "estimator_b": estimator_b, "X": X, "y": y},
        {"scoring": scoring, "random_state": random_state},
    )
    denominator = 2 * _five_by_two_variances(p).sum()
    if denominator == 0:
        warn_zero_variance("within-replication differences")
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.float64((p**2).sum()) / np.float64(denominator)
    return HypothesisTestResult(
        test="combined 5×2cv F test",
        statistic=float(f),
        p_value=float(stats.f.sf(f, 10, 5)),
        df=(10.0, 5.0),
        statistic_name="5×2cv F",
        claim=_CLAIMS["two-sided"],
        estimate=float(p.mean()),
        estimate_name="mean score difference",
        details={"differences": p},
    )


# ---------------------------------------------------------------- permutation test
def permutation_test(
    score_func: Callable[[Any, Any], float],
    X: Any,
    y: Any,
    *,
    n_permutations: int = 100,
    groups: Any = None,
    random_state: Any = None,
) -> HypothesisTestResult:
    """Permutation test that a model's (cross-validated) score beats chance.

    Refits on ``P`` copies of the data with ``y`` shuffled (within ``groups`` if
    given), which breaks any link between X and y, and counts how often the
    shuffled score reaches the real one (Ojala & Garriga's test 1).

    Parameters
    ----------
    score_func : callable
        ``score_func(X, y) -> float``, greater is better; typically the mean
        cross-validated score, e.g.
        ``lambda X, y: cross_val_score(model, X, y, cv=5).mean()`` with
        ``lemma.selection`` or scikit-learn. Keeping the cross-validation in the
        callable keeps this test free of any splitter.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    n_permutations : int, default=100
        The smallest attainable p-value is ``1/(n_permutations + 1)``.
    groups : array-like of shape (n_samples,), optional
        Permute only within groups (exchangeable units).
    random_state : int, RandomState, Generator or None

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is the real score; ``details["permutation_scores"]`` the null
        scores.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats import permutation_test
    >>> x = np.arange(30.0)
    >>> y = x + np.random.default_rng(0).normal(size=30)
    >>> correlation = lambda X, y: np.corrcoef(X[:, 0], y)[0, 1]
    >>> result = permutation_test(correlation, x[:, None], y, n_permutations=99, random_state=0)
    >>> round(result.p_value, 2)
    0.01
    """
    n_permutations = check_positive_int(n_permutations, "n_permutations")
    target = as_labels(y, "y")
    rs = check_random_state(random_state)
    members = None
    if groups is not None:
        group_labels = as_labels(groups, "groups")
        same_length(("y", target), ("groups", group_labels))
        members = [np.flatnonzero(group_labels == g) for g in np.unique(group_labels)]
    observed = float(score_func(X, target))
    null = np.empty(n_permutations)
    for k in range(n_permutations):
        if members is None:
            order = rs.permutation(target.size)
        else:
            order = np.arange(target.size)
            for idx in members:
                order[idx] = idx[rs.permutation(idx.size)]
        null[k] = score_func(X, target[order])
    p_value = (1 + np.count_nonzero(null >= observed)) / (n_permutations + 1)
    return HypothesisTestResult(
        test="permutation test",
        statistic=observed,
        p_value=float(p_value),
        statistic_name="score",
        alternative="greater",
        claim="the model does better than chance",
        details={"permutation_scores": null, "null_mean": float(null.mean())},
    )
