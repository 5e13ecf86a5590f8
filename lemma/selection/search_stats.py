"""The statistics of a hyperparameter search: which candidates are tied with the best?

Each candidate c is scored on the same J splits, ``s_{c,1}, …, s_{c,J}``
(training and test sizes n₁, n₂). For every metric, ``cv_results_`` keeps
scikit-learn's columns (``split<j>_test_<m>``, ``mean_test_<m>``, ``std_test_<m>``
with ddof = 0, ``rank_test_<m>``) and adds:

* the Nadeau–Bengio corrected standard error and t-interval of the mean score,
  ``std_err = √((1/J + n₂/n₁) σ̂²)`` and ``s̄ ± t_{J−1,(1+c)/2} · std_err``
  (:func:`lemma.selection.corrected_t_interval`);
* the p-value of the difference from the best candidate b (highest mean),
  paired by split: ``d_j = s_{b,j} − s_{c,j}``, corrected resampled
  ``t = d̄ / √((1/J + n₂/n₁) σ̂_d²)`` on J − 1 df, **two-sided**
  (:func:`lemma.stats.corrected_resampled_ttest`). Two-sided because b was chosen
  after looking at the scores: the data already favour b, so halving the p-value
  in its favour would overstate the evidence. b's own p-value is 1 (d ≡ 0:
  no evidence of a difference); identical scores give 1, a constant non-zero
  difference gives 0; a candidate with a failed (NaN) score gets NaN;
* the Holm adjustment of those p-values over the m = C − 1 comparisons with b
  (b's own adjusted p-value is 1), and ``tied_with_best``: Holm-adjusted
  p > α = 1 − confidence (b itself is tied with itself).

Candidates compared must share their splits: a successive-halving search runs
each round on different subsamples, so its statistics are computed within each
round (``iter``), against that round's best.

The choice of ``best_index_`` is a name → rule table, :data:`SELECTIONS`:
``"best"`` (highest mean, scikit-learn's choice), ``"one_se"`` (the
one-standard-error rule: the simplest candidate whose mean is at least
``s̄_b − std_err_b``, the standard error being the corrected one), and
``"simplest_tied"`` (the simplest candidate statistically tied with b).
"Simplest" is the smallest ``complexity``; without it, the first in candidate
order, and a warning says so.

Reference: C. Nadeau & Y. Bengio, "Inference for the generalization error",
Machine Learning 52 (2003) 239–281; T. Hastie, R. Tibshirani & J. Friedman,
*The Elements of Statistical Learning*, 2nd ed. (2009), §7.10 (the one-standard-
error rule); S. Holm, Scand. J. Statist. 6 (1979) 65–70.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from lemma.exceptions import LemmaWarning, ParameterError
from lemma.selection.intervals import corrected_t_interval
from lemma.stats import corrected_resampled_ttest, holm

__all__ = [
    "SELECTIONS",
    "add_statistics",
    "conclusion",
    "format_params",
    "format_results",
    "select_index",
    "summary_frame",
]


# --------------------------------------------------------------- scikit-learn's columns
def _param_columns(candidate_params: Sequence[dict[str, Any]]) -> dict[str, np.ma.MaskedArray]:
    """``param_<name>``: one masked array per parameter, masked where a candidate lacks it.

    The dtype is the one NumPy infers from the values, except text and
    sequence-valued parameters, which are kept as objects (scikit-learn's layout).
    """
    values: dict[str, dict[int, Any]] = defaultdict(dict)
    for index, params in enumerate(candidate_params):
        for name, value in params.items():
            values[f"param_{name}"][index] = value
    columns = {}
    for key, by_index in values.items():
        try:
            inferred = np.array(list(by_index.values()))
            dtype = inferred.dtype if inferred.dtype.kind != "U" and inferred.ndim == 1 else object
        except ValueError:  # sequences of different lengths
            dtype = np.dtype(object)
        column = np.ma.MaskedArray(np.empty(len(candidate_params), dtype=dtype), mask=True)
        for index, value in by_index.items():
            column[index] = value
        columns[key] = column
    return columns


def _rank(means: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest mean; ties share the lowest rank; NaN ranks last."""
    if np.isnan(means).all():
        return np.ones(means.size, dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return rankdata(-filled, method="min").astype(np.int32)


def _store(results: dict, key: str, array: np.ndarray, *, splits: bool, rank: bool) -> None:
    if splits:
        for j in range(array.shape[1]):
            results[f"split{j}_{key}"] = array[:, j]
    means = array.mean(axis=1)
    results[f"mean_{key}"] = means
    results[f"std_{key}"] = np.sqrt(((array - means[:, None]) ** 2).mean(axis=1))
    if rank:
        results[f"rank_{key}"] = _rank(means)


def format_results(
    candidate_params: Sequence[dict[str, Any]],
    folds: Sequence[Sequence[Any]],
    *,
    metrics: Sequence[str],
    return_train_score: bool = False,
    more_results: dict[str, Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """``cv_results_`` with scikit-learn's keys from the fold results of each candidate.

    Parameters
    ----------
    candidate_params : list of dict, length n_candidates
    folds : list of lists of FoldResult, shape (n_candidates, n_splits)
    metrics : list of str
    return_train_score : bool, default=False
    more_results : dict of str -> list, optional
        Extra columns (a halving search's ``iter`` and ``n_resources``).

    Returns
    -------
    dict
        ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
        ``std_score_time``, ``param_<name>``, ``params``, and per metric
        ``split<j>_test_<m>``, ``mean_test_<m>``, ``std_test_<m>``,
        ``rank_test_<m>`` (and the train columns).

    Examples
    --------
    >>> from lemma.selection import FoldResult
    >>> from lemma.selection.search_stats import format_results
    >>> fold = lambda s: FoldResult({"score": s}, None, 0.1, 0.01, 8, 2)
    >>> results = format_results([{"alpha": 1.0}, {"alpha": 2.0}],
    ...                          [[fold(0.5), fold(0.7)], [fold(0.9), fold(0.8)]],
    ...                          metrics=["score"])
    >>> results["mean_test_score"], results["rank_test_score"]
    (array([0.6 , 0.85]), array([2, 1], dtype=int32))
    """
    results: dict[str, Any] = {key: np.asarray(v) for key, v in (more_results or {}).items()}
    for key in ("fit_time", "score_time"):
        times = np.array([[getattr(f, key) for f in row] for row in folds], dtype=np.float64)
        _store(results, key, times, splits=False, rank=False)
    results.update(_param_columns(candidate_params))
    results["params"] = list(candidate_params)
    for name in metrics:
        test = np.array([[f.test_scores[name] for f in row] for row in folds], dtype=np.float64)
        _store(results, f"test_{name}", test, splits=True, rank=True)
        if return_train_score:
            train = [[f.train_scores[name] for f in row] for row in folds]
            train_scores = np.array(train, dtype=np.float64)
            _store(results, f"train_{name}", train_scores, splits=True, rank=False)
    return results


# ------------------------------------------------------------------- the added statistics
def _p_value_vs(best: np.ndarray, other: np.ndarray, n_train: float, n_test: float) -> float:
    """Two-sided corrected resampled t-test p-value of best − other (degenerate cases first)."""
    if not (np.all(np.isfinite(best)) and np.all(np.isfinite(other))) or best.size < 2:
        return math.nan
    d = best - other
    if np.all(d == 0):
        return 1.0
    if np.var(d) == 0:  # a constant non-zero difference: infinite t
        return 0.0
    test = corrected_resampled_ttest(best, other, n_train=n_train, n_test=n_test)
    return test.p_value


def _group_statistics(
    scores: np.ndarray, n_train: np.ndarray, n_test: np.ndarray, confidence: float
) -> dict[str, np.ndarray]:
    """Intervals, p-values vs the best, Holm and ties for candidates sharing their splits."""
    n = scores.shape[0]
    out = {k: np.full(n, np.nan) for k in ("std_err", "ci_low", "ci_high", "p", "p_holm")}
    out["tied"] = np.zeros(n, dtype=bool)
    for i in range(n):
        ci = corrected_t_interval(scores[i], n_train[i], n_test[i], confidence=confidence)
        out["std_err"][i], out["ci_low"][i], out["ci_high"][i] = ci.std_err, *ci.conf_int
    means = scores.mean(axis=1)
    if np.isnan(means).all():
        return out
    best = int(np.nanargmax(means))
    sizes = float(np.mean(n_train[best])), float(np.mean(n_test[best]))
    for i in range(n):
        out["p"][i] = 1.0 if i == best else _p_value_vs(scores[best], scores[i], *sizes)
    others = np.flatnonzero(np.isfinite(out["p"]) & (np.arange(n) != best))
    if others.size:
        out["p_holm"][others] = holm(out["p"][others], alpha=1 - confidence).p_adjusted
    out["p_holm"][best] = 1.0
    out["tied"] = np.nan_to_num(out["p_holm"], nan=0.0) > 1 - confidence
    return out


def add_statistics(
    results: dict[str, Any],
    folds: Sequence[Sequence[Any]],
    metrics: Sequence[str],
    *,
    confidence: float = 0.95,
    groups: Any = None,
) -> None:
    """Add the interval, p-value, Holm and tie columns of every metric to ``results``.

    Parameters
    ----------
    results : dict
        From :func:`format_results` (modified in place).
    folds : list of lists of FoldResult, shape (n_candidates, n_splits)
    metrics : list of str
    confidence : float, default=0.95
        Coverage of the intervals; the tests use α = 1 − confidence.
    groups : array-like of shape (n_candidates,), optional
        Candidates compared with each other only within a group (the round of a
        halving search); None: one group.

    Examples
    --------
    >>> from lemma.selection import FoldResult
    >>> from lemma.selection.search_stats import add_statistics, format_results
    >>> fold = lambda s: FoldResult({"score": s}, None, 0.1, 0.01, 80, 20)
    >>> folds = [[fold(s) for s in row] for row in ([.80, .83, .79], [.81, .80, .80])]
    >>> results = format_results([{"C": 1}, {"C": 2}], folds, metrics=["score"])
    >>> add_statistics(results, folds, ["score"])
    >>> results["p_value_vs_best_score"].round(3), results["tied_with_best_score"]
    (array([1.   , 0.868]), array([ True,  True]))
    """
    n_train = np.array([[f.n_train for f in row] for row in folds], dtype=np.float64)
    n_test = np.array([[f.n_test for f in row] for row in folds], dtype=np.float64)
    labels = np.zeros(len(folds), dtype=int) if groups is None else np.asarray(groups)
    for name in metrics:
        scores = np.array([[f.test_scores[name] for f in row] for row in folds], dtype=float)
        columns: dict[str, np.ndarray] = {
            f"std_err_test_{name}": np.full(len(folds), np.nan),
            f"ci_low_test_{name}": np.full(len(folds), np.nan),
            f"ci_high_test_{name}": np.full(len(folds), np.nan),
            f"p_value_vs_best_{name}": np.full(len(folds), np.nan),
            f"p_value_vs_best_{name}_holm": np.full(len(folds), np.nan),
            f"tied_with_best_{name}": np.zeros(len(folds), dtype=bool),
        }
        for label in np.unique(labels):
            rows = np.flatnonzero(labels == label)
            stats = _group_statistics(scores[rows], n_train[rows], n_test[rows], confidence)
            parts = ("std_err", "ci_low", "ci_high", "p", "p_holm", "tied")
            for key, part in zip(columns, parts, strict=True):
                columns[key][rows] = stats[part]
        results.update(columns)


# --------------------------------------------------------------------------- selection
def format_params(params: dict[str, Any]) -> str:
    """``alpha=10, kernel='rbf'``: a candidate in words (floats to 4 significant digits).

    Examples
    --------
    >>> from lemma.selection.search_stats import format_params
    >>> format_params({"alpha": 0.1234567, "kernel": "rbf"})
    "alpha=0.1235, kernel='rbf'"
    """
    if not params:
        return "the default parameters"
    shown = []
    for name, value in params.items():
        text = f"{value:.4g}" if isinstance(value, float | np.floating) else repr(value)
        shown.append(f"{name}={text}")
    return ", ".join(shown)


def _complexity(params: dict[str, Any], complexity: Any) -> float:
    if callable(complexity):
        return float(complexity(params))
    name, sign = (complexity[1:], -1.0) if complexity.startswith("-") else (complexity, 1.0)
    if name not in params:
        raise ParameterError(
            f"complexity={complexity!r} names a parameter that this candidate does not set: "
            f"{params!r}. Name one of {sorted(params)} (prefix '-' when larger is simpler) or "
            "pass a function params -> number."
        )
    return sign * float(params[name])


@dataclass(frozen=True)
class SelectionContext:
    """What a selection rule sees: the results, the metric, which candidates may win."""

    results: dict[str, Any]
    metric: str
    eligible: np.ndarray
    complexity: Any
    confidence: float

    def column(self, key: str) -> np.ndarray:
        """``results[f"{key}"]`` with ``{m}`` replaced by the metric."""
        return np.asarray(self.results[key.format(m=self.metric)])

    def best(self) -> int:
        """Eligible candidate with the highest mean (the first on ties; the first if all NaN)."""
        means = self.column("mean_test_{m}")[self.eligible]
        if np.isnan(means).all():
            return int(self.eligible[0])
        return int(self.eligible[np.nanargmax(means)])

    def simplest(self, indices: np.ndarray, rule: str) -> tuple[int, str]:
        """The simplest of ``indices`` and the word for how it was chosen."""
        if self.complexity is None:
            warnings.warn(
                f"select={rule!r} without complexity= cannot tell which model is simplest; it "
                "picked the first qualifying candidate in candidate order. Pass complexity= (a "
                "parameter name, '-alpha' when larger is simpler, or a function params -> "
                "number).",
                LemmaWarning,
                stacklevel=5,
            )
            return int(indices[0]), "first (in candidate order: no complexity= given)"
        params = self.results["params"]
        values = np.array([_complexity(params[i], self.complexity) for i in indices])
        return int(indices[np.argmin(values)]), "simplest"


def _select_best(ctx: SelectionContext) -> tuple[int, str]:
    return ctx.best(), "the best is selected"


def _select_one_se(ctx: SelectionContext) -> tuple[int, str]:
    best = ctx.best()
    means, std_err = ctx.column("mean_test_{m}"), ctx.column("std_err_test_{m}")
    floor = means[best] - std_err[best]
    within = [i for i in ctx.eligible if i == best or (np.isfinite(means[i]) and means[i] >= floor)]
    index, how = ctx.simplest(np.array(within), "one_se")
    return index, (
        f"the one-standard-error rule picks {format_params(ctx.results['params'][index])}, "
        f"the {how} candidate whose mean is within one standard error ({std_err[best]:.3g}) of "
        "the best"
    )


def _select_simplest_tied(ctx: SelectionContext) -> tuple[int, str]:
    tied = ctx.column("tied_with_best_{m}")
    best = ctx.best()
    within = np.array([i for i in ctx.eligible if i == best or tied[i]])
    index, how = ctx.simplest(within, "simplest_tied")
    chosen = format_params(ctx.results["params"][index])
    return index, f"select='simplest_tied' picks {chosen}, the {how} of the tied candidates"


#: Selection rule name → function(SelectionContext) -> (index, explanation).
SELECTIONS: dict[str, Callable[[SelectionContext], tuple[int, str]]] = {
    "best": _select_best,
    "one_se": _select_one_se,
    "simplest_tied": _select_simplest_tied,
}


def select_index(
    select: Any,
    results: dict[str, Any],
    metric: str,
    *,
    eligible: Any = None,
    complexity: Any = None,
    confidence: float = 0.95,
) -> tuple[int, str]:
    """``best_index_`` by a rule of :data:`SELECTIONS` or a callable, with the reason.

    Parameters
    ----------
    select : {"best", "one_se", "simplest_tied"} or callable
        A callable receives ``cv_results_`` and returns an index.
    results : dict
        ``cv_results_`` with the statistics of :func:`add_statistics`.
    metric : str
    eligible : array-like of int, optional
        Candidates that may be selected (a halving search's last round); all by default.
    complexity : None, str or callable
        Parameter name (``"-alpha"``: larger alpha is simpler) or ``params -> number``.
    confidence : float, default=0.95

    Returns
    -------
    (int, str)

    Examples
    --------
    >>> from lemma.selection import FoldResult
    >>> from lemma.selection.search_stats import add_statistics, format_results, select_index
    >>> fold = lambda s: FoldResult({"score": s}, None, 0.1, 0.01, 80, 20)
    >>> rows = ([.80, .83, .79], [.81, .80, .80], [.70, .72, .69])
    >>> folds = [[fold(s) for s in row] for row in rows]
    >>> results = format_results([{"alpha": a} for a in (0.1, 1.0, 10.0)], folds,
    ...                          metrics=["score"])
    >>> add_statistics(results, folds, ["score"])
    >>> select_index("one_se", results, "score", complexity="-alpha")[0]
    1
    """
    eligible = np.arange(len(results["params"])) if eligible is None else np.asarray(eligible)
    if callable(select):
        index = select(results)
        if not isinstance(index, int | np.integer) or not 0 <= index < len(results["params"]):
            raise ParameterError(
                f"select= must return the index of a candidate in [0, {len(results['params'])})"
                f"; got {index!r}."
            )
        name = getattr(select, "__name__", "callable")
        return int(index), f"select={name} picks {format_params(results['params'][index])}"
    ctx = SelectionContext(results, metric, eligible, complexity, confidence)
    return SELECTIONS[select](ctx)


def conclusion(
    results: dict[str, Any], metric: str, best_index: int, how: str, confidence: float
) -> str:
    """One sentence: how many candidates are tied with the best, and what was selected.

    Examples
    --------
    >>> results = {"params": [{"alpha": 1.0}, {"alpha": 10.0}], "mean_test_score": [0.8, 0.7],
    ...            "tied_with_best_score": [True, True]}
    >>> from lemma.selection.search_stats import conclusion
    >>> conclusion(results, "score", 0, "the best is selected", 0.95)
    '1 candidate is statistically tied with the best, alpha=1 (corrected t-test, Holm, α = 0.05); the best is selected.'
    """  # noqa: E501
    tied = np.asarray(results[f"tied_with_best_{metric}"], dtype=bool)
    groups = np.asarray(results.get("iter", np.zeros(tied.size, dtype=int)))
    same_group = groups == groups[best_index]
    rows = np.flatnonzero(same_group)
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)[rows]
    top = int(rows[np.nanargmax(means)]) if np.isfinite(means).any() else best_index
    n_tied = int(np.sum(tied & same_group)) - 1
    alpha = f"{1 - confidence:.3g}"
    subject = {0: "No candidate is", 1: "1 candidate is"}.get(n_tied, f"{n_tied} candidates are")
    return (
        f"{subject} statistically tied with the best, {format_params(results['params'][top])} "
        f"(corrected t-test, Holm, α = {alpha}); {how}."
    )


def summary_frame(
    results: dict[str, Any], metric: str, best_index: int | None, sentence: str
) -> pd.DataFrame:
    """Candidates sorted by rank, with intervals, p-values, tie flags and the selection.

    The sentence from :func:`conclusion` is kept in ``frame.attrs["conclusion"]``.

    Examples
    --------
    >>> from lemma.selection import FoldResult
    >>> from lemma.selection.search_stats import add_statistics, format_results, summary_frame
    >>> fold = lambda s: FoldResult({"score": s}, None, 0.1, 0.01, 80, 20)
    >>> folds = [[fold(s) for s in row] for row in ([.80, .82, .79], [.81, .80, .80])]
    >>> results = format_results([{"C": 1}, {"C": 2}], folds, metrics=["score"])
    >>> add_statistics(results, folds, ["score"])
    >>> list(summary_frame(results, "score", 0, "").columns)[:4]
    ['rank', 'params', 'mean', 'std']
    """
    frame = pd.DataFrame(
        {
            "rank": results[f"rank_test_{metric}"],
            "params": [format_params(p) for p in results["params"]],
            "mean": results[f"mean_test_{metric}"],
            "std": results[f"std_test_{metric}"],
            "std_err": results[f"std_err_test_{metric}"],
            "ci_low": results[f"ci_low_test_{metric}"],
            "ci_high": results[f"ci_high_test_{metric}"],
            "p_value_vs_best": results[f"p_value_vs_best_{metric}"],
            "p_value_holm": results[f"p_value_vs_best_{metric}_holm"],
            "tied_with_best": results[f"tied_with_best_{metric}"],
        }
    )
    if "iter" in results:
        frame.insert(0, "iter", results["iter"])
    frame["selected"] = np.arange(len(frame)) == best_index
    frame = frame.sort_values(["rank"], kind="stable")
    frame.attrs["conclusion"] = sentence
    return frame
