"""Is model A better than model B on one held-out test set?

All three tests pair the two models' predictions on the same n test cases.

* McNemar (1947): with b = #(A right, B wrong) and c = #(A wrong, B right), only
  the discordant cases carry information. Exact:
  ``p = min(1, 2 P(Bin(b + c, ½) ≤ min(b, c)))``; asymptotic:
  ``χ² = (|b − c| − 1)²/(b + c)`` on 1 df (Edwards' correction). The accuracy
  difference ``(b − c)/n`` has standard error ``√(b + c − (b − c)²/n)/n``.
* DeLong, DeLong & Clarke-Pearson (1988) for two correlated ROC AUCs, with m
  positives X and n negatives Y: structural components
  ``V₁₀(Xᵢ) = mean_j ψ(Xᵢ, Yⱼ)`` and ``V₀₁(Yⱼ) = mean_i ψ(Xᵢ, Yⱼ)`` (ψ = 1, ½, 0
  for >, =, <), their covariance matrices S₁₀, S₀₁ across the two models, and
  ``Var(Â − B̂) = cᵀ(S₁₀/m + S₀₁/n)c`` with ``c = (1, −1)``; z on N(0, 1). The
  components come from midranks in O(N log N) (Sun & Xu 2014):
  ``V₁₀ = (T_Z − T_X)/n`` and ``V₀₁ = 1 − (T_Z − T_Y)/m``, with T the midranks
  within the positives (X), the negatives (Y) and all cases (Z).
* Paired bootstrap of any metric difference θ̂ = metric(y, A) − metric(y, B),
  with Hall & Wilson's (1991) p-value ``(1 + #{|θ* − θ̂| ≥ |θ̂|})/(1 + B)`` from
  the bootstrap distribution shifted to the null.

Reference: McNemar, *Psychometrika* 12, 1947; DeLong, DeLong & Clarke-Pearson,
*Biometrics* 44, 1988; Sun & Xu, *IEEE Signal Processing Letters* 21(11), 2014;
Hall & Wilson, *Biometrics* 47, 1991.

Examples
--------
>>> from lemma.stats import delong_test
>>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
>>> a = [0.1, 0.3, 0.2, 0.4, 0.8, 0.7, 0.9, 0.6, 0.5, 0.65]
>>> b = [0.3, 0.2, 0.6, 0.4, 0.5, 0.7, 0.45, 0.35, 0.5, 0.55]
>>> print(delong_test(y, a, b))
No evidence that the AUCs differ: AUC difference 0.3 (95% CI -0.0614 to 0.661), z = 1.63, p = 0.104.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from lemma.exceptions import DataValidationError, ParameterError
from lemma.stats._checks import (
    as_labels,
    as_sample,
    check_alternative,
    check_choice,
    same_length,
    warn_zero_variance,
)
from lemma.stats._result import HypothesisTestResult, symmetric_interval, tail_p_value
from lemma.stats.bootstrap import (
    INTERVALS,
    bootstrap_interval,
    bootstrap_replicates,
    jackknife_acceleration,
)

__all__ = ["bootstrap_difference", "delong_test", "mcnemar"]


def _exact_mcnemar_interval(b: int, c: int, n: int):
    share = (b + c) / n

    def interval(level: float) -> tuple[float, float]:
        if b + c == 0:
            return 0.0, 0.0  # no discordant pairs: the accuracies are equal
        low, high = stats.binomtest(c, b + c, 0.5).proportion_ci(level, method="exact")
        return share * (1 - 2 * high), share * (1 - 2 * low)

    return interval


def mcnemar(
    y_true: Any, pred_a: Any, pred_b: Any, *, exact: bool | None = None, correction: bool = True
) -> HypothesisTestResult:
    """McNemar's test that two classifiers are equally accurate on the same test set.

    Parameters
    ----------
    y_true, pred_a, pred_b : array-like of shape (n_samples,)
        True labels and the two models' predicted labels.
    exact : bool or None, default=None
        Exact binomial test; None chooses it when the discordant count b + c < 25.
    correction : bool, default=True
        Edwards' continuity correction of the χ² statistic.

    Returns
    -------
    HypothesisTestResult
        ``statistic`` is min(b, c) (exact) or χ² on 1 df (as statsmodels);
        ``estimate`` the accuracy difference ``(b − c)/n``, with the Wald interval
        (χ²) or, for the exact test, the Clopper–Pearson interval for
        ``c/(b + c)`` mapped to ``((b + c)/n)(1 − 2π)`` (conditional on b + c, so
        it agrees with the exact p-value);
        effect size the discordant odds ratio ``b/c``; ``details`` holds b, c and
        the 2 × 2 table of correct/wrong.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats import mcnemar
    >>> y = np.zeros(60, dtype=int)
    >>> a, b = y.copy(), y.copy()
    >>> a[:4] = 1    # A is wrong on 4 rows where B is right
    >>> b[4:20] = 1  # B is wrong on 16 rows where A is right
    >>> result = mcnemar(y, a, b)
    >>> result.details["b"], result.details["c"], round(result.p_value, 4)
    (16, 4, 0.0118)
    """
    truth = as_labels(y_true, "y_true")
    first, second = as_labels(pred_a, "pred_a"), as_labels(pred_b, "pred_b")
    same_length(("y_true", truth), ("pred_a", first), ("pred_b", second))
    right_a, right_b = first == truth, second == truth
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    n = truth.size
    discordant = b + c
    use_exact = discordant < 25 if exact is None else bool(exact)
    if discordant == 0:
        statistic, p_value = 0.0, 1.0
    elif use_exact:
        statistic = float(min(b, c))
        p_value = float(stats.binomtest(min(b, c), discordant, 0.5).pvalue)
    else:
        gap = max(abs(b - c) - (1 if correction else 0), 0)
        statistic = gap**2 / discordant
        p_value = float(stats.chi2.sf(statistic, 1))
    if use_exact:
        interval = _exact_mcnemar_interval(b, c, n)
    else:
        std_err = math.sqrt(discordant - (b - c) ** 2 / n) / n
        interval = symmetric_interval((b - c) / n, std_err, "two-sided")
    table = np.array(
        [[np.sum(right_a & right_b), b], [c, np.sum(~right_a & ~right_b)]], dtype=np.int64
    )
    return HypothesisTestResult(
        test="exact McNemar test" if use_exact else "McNemar χ² test",
        statistic=statistic,
        p_value=p_value,
        df=None if use_exact else 1.0,
        statistic_name="min(b, c)" if use_exact else "χ²",
        claim="the models' accuracies differ",
        estimate=(b - c) / n,
        estimate_name="accuracy difference",
        effect_size=b / c if c else (math.inf if b else float("nan")),
        effect_size_name="discordant odds ratio b/c",
        ci_function=interval,
        details={"b": b, "c": c, "n": n, "table": table},
    )


def _binary_truth(y_true: Any, pos_label: Any) -> np.ndarray:
    truth = as_labels(y_true, "y_true")
    classes = np.unique(truth)
    if classes.size != 2:
        raise DataValidationError(
            f"y_true must have exactly two classes for an ROC AUC; got {classes.size} "
            f"({classes[:5].tolist()})."
        )
    positive = classes[-1] if pos_label is None else pos_label
    if positive not in classes:
        raise ParameterError(f"pos_label={pos_label!r} is not one of {classes.tolist()}.")
    is_positive = truth == positive
    if min(is_positive.sum(), (~is_positive).sum()) < 2:
        raise DataValidationError(
            "DeLong's variance needs at least 2 positive and 2 negative cases; got "
            f"{int(is_positive.sum())} and {int((~is_positive).sum())}."
        )
    return is_positive


def _structural_components(score: np.ndarray, is_positive: np.ndarray):
    """AUC and DeLong's components (V₁₀ over positives, V₀₁ over negatives) by midranks."""
    m, n = int(is_positive.sum()), int((~is_positive).sum())
    rank_all = stats.rankdata(score)
    rank_pos = stats.rankdata(score[is_positive])
    rank_neg = stats.rankdata(score[~is_positive])
    auc = (rank_all[is_positive].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (rank_all[is_positive] - rank_pos) / n
    v01 = 1 - (rank_all[~is_positive] - rank_neg) / m
    return auc, v10, v01


def delong_test(
    y_true: Any,
    score_a: Any,
    score_b: Any,
    *,
    pos_label: Any = None,
    alternative: str = "two-sided",
) -> HypothesisTestResult:
    """DeLong's test of two correlated ROC AUCs measured on the same cases.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    score_a, score_b : array-like of shape (n_samples,)
        The two models' scores (greater means more likely positive).
    pos_label : label, optional
        The positive class; default the greater label.
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        "greater" means AUC_A > AUC_B.

    Returns
    -------
    HypothesisTestResult
        z statistic; ``estimate`` is ``AUC_A − AUC_B`` with the Wald interval;
        ``details`` holds both AUCs and the standard error.

    Examples
    --------
    >>> from lemma.stats import delong_test
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]
    >>> a = [0.1, 0.3, 0.2, 0.4, 0.8, 0.7, 0.9, 0.6, 0.5, 0.65]
    >>> b = [0.3, 0.2, 0.6, 0.4, 0.5, 0.7, 0.45, 0.35, 0.5, 0.55]
    >>> result = delong_test(y, a, b)
    >>> round(result.estimate, 2), round(result.details["auc_a"], 2)
    (0.3, 1.0)
    """
    alternative = check_alternative(alternative)
    is_positive = _binary_truth(y_true, pos_label)
    scores = [as_sample(s, name) for s, name in ((score_a, "score_a"), (score_b, "score_b"))]
    same_length(("y_true", is_positive), ("score_a", scores[0]), ("score_b", scores[1]))
    parts = [_structural_components(s, is_positive) for s in scores]
    aucs = np.array([part[0] for part in parts])
    s10 = np.cov(np.vstack([part[1] for part in parts]))
    s01 = np.cov(np.vstack([part[2] for part in parts]))
    contrast = np.array([1.0, -1.0])
    m, n = int(is_positive.sum()), int((~is_positive).sum())
    variance = float(contrast @ (s10 / m + s01 / n) @ contrast)
    difference = float(aucs[0] - aucs[1])
    std_err = math.sqrt(max(variance, 0.0))
    if std_err == 0:
        warn_zero_variance("AUC difference's structural components")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = float(np.float64(difference) / np.float64(std_err))
    return HypothesisTestResult(
        test="DeLong test",
        statistic=z,
        p_value=tail_p_value(z, alternative),
        statistic_name="z",
        alternative=alternative,
        claim={
            "two-sided": "the AUCs differ",
            "greater": "model A has the higher AUC",
            "less": "model A has the lower AUC",
        }[alternative],
        estimate=difference,
        estimate_name="AUC difference",
        ci_function=symmetric_interval(difference, std_err, alternative),
        details={"auc_a": float(aucs[0]), "auc_b": float(aucs[1]), "std_err": std_err},
    )


def bootstrap_difference(
    metric: Callable[[Any, Any], float],
    y_true: Any,
    pred_a: Any,
    pred_b: Any,
    *,
    n_boot: int = 2000,
    method: str = "percentile",
    random_state: Any = None,
) -> HypothesisTestResult:
    """Paired bootstrap of ``metric(y, pred_a) − metric(y, pred_b)`` on one test set.

    Works for any metric, including those without a variance formula (F1, AUC,
    MAPE). Rows are resampled together; the p-value is Hall & Wilson's, from the
    bootstrap distribution shifted to the null.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred) -> float`` (e.g. ``lemma.metrics.f1_score``).
    y_true, pred_a, pred_b : array-like of shape (n_samples,) or (n_samples, k)
        Truth and the two models' predictions (labels, scores or probabilities).
    n_boot : int, default=2000
    method : {"percentile", "basic", "bca"}, default="percentile"
        Interval method (see :func:`lemma.stats.bootstrap_ci`).
    random_state : int, RandomState, Generator or None

    Returns
    -------
    HypothesisTestResult
        ``estimate`` is the metric difference with its bootstrap interval;
        ``statistic`` the difference over its bootstrap standard error (z).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats import bootstrap_difference
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=200)
    >>> a = np.where(rng.random(200) < 0.9, y, 1 - y)   # about 90% accurate
    >>> b = np.where(rng.random(200) < 0.7, y, 1 - y)   # about 70% accurate
    >>> accuracy = lambda t, p: np.mean(t == p)
    >>> result = bootstrap_difference(accuracy, y, a, b, n_boot=500, random_state=0)
    >>> result.p_value < 0.01, round(result.estimate, 3)
    (True, 0.155)
    """
    method = check_choice(method, "method", INTERVALS)
    names = ("y_true", "pred_a", "pred_b")
    values = (y_true, pred_a, pred_b)
    samples = [as_labels(v, name, ndim=(1, 2)) for v, name in zip(values, names, strict=True)]
    same_length(*zip(names, samples, strict=True))

    def difference(truth, first, second) -> float:
        return float(metric(truth, first)) - float(metric(truth, second))

    estimate = difference(*samples)
    replicates = bootstrap_replicates(
        difference, *samples, n_boot=n_boot, random_state=random_state
    )
    acceleration = 0.0
    if method == "bca":
        acceleration = jackknife_acceleration(difference, samples, True, False)
    std_err = float(replicates.std(ddof=1))
    extreme = np.count_nonzero(np.abs(replicates - estimate) >= abs(estimate))
    name = getattr(metric, "__name__", "metric")
    name = "metric" if name == "<lambda>" else name
    return HypothesisTestResult(
        test="paired bootstrap test",
        statistic=estimate / std_err if std_err > 0 else float("nan"),
        p_value=float((1 + extreme) / (replicates.size + 1)),
        statistic_name="bootstrap z",
        claim="the models differ",
        estimate=estimate,
        estimate_name=f"{name} difference",
        ci_function=lambda level: bootstrap_interval(
            replicates, estimate, level, method, acceleration
        ),
        details={"replicates": replicates, "std_err": std_err},
    )
