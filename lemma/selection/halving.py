"""Successive halving: many candidates on a small budget, the best few on a large one.

With C₀ candidates, a reduction factor η (``factor``) and a budget r (rows of the
training data, or an iteration count such as ``max_iter``), round i = 0, 1, …
evaluates the C_i surviving candidates with

    r_i = min(η^i · r_min, r_max)    resources each,
    C_{i+1} = ⌈C_i / η⌉             candidates kept: the best by mean CV score,

until one round would be left with a single candidate (``n_required`` rounds,
``1 + ⌊log_η C₀⌋``) or the budget runs out (``n_possible`` rounds,
``1 + ⌊log_η (r_max / r_min)⌋``), whichever comes first. ``min_resources="exhaust"``
raises r_min so that the last round uses as much of r_max as possible;
``aggressive_elimination`` runs all ``n_required`` rounds, repeating the first
budget, so that few candidates reach the last round even when the budget is
short. With ``resource="n_samples"`` each round subsamples every training and test
part to the fraction r_i / n of its rows (the same splits, thinned); with a
parameter as resource, it is set to r_i on every candidate.

The statistics of ``cv_results_`` (intervals, p-values vs the best, ties) are
computed within each round, since rounds use different data; ``best_index_`` is
selected among the last round's candidates. Logarithms here are exact integer
ones (the largest k with η^k ≤ x), so a round count is never lost to rounding.

Reference: K. Jamieson & A. Talwalkar, "Non-stochastic best arm identification
and hyperparameter optimization", AISTATS 2016; L. Li et al., "Hyperband: a novel
bandit-based approach to hyperparameter optimization", JMLR 18 (2018).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options
from lemma.base import is_classifier
from lemma.exceptions import ParameterError
from lemma.selection.distributions import ParameterGrid, ParameterSampler
from lemma.selection.search import BaseSearchCV, SearchRun
from lemma.selection.split import num_samples
from lemma.validation import check_random_state

__all__ = ["HalvingGridSearchCV", "HalvingRandomSearchCV", "halving_schedule"]


def _floor_log(x: float, base: float) -> int:
    """The largest integer k ≥ 0 with base**k ≤ x (x ≥ 1, base > 1), without rounding error."""
    k = 0
    while base ** (k + 1) <= x:
        k += 1
    return k


def halving_schedule(
    n_candidates: int,
    min_resources: int,
    max_resources: int,
    factor: float = 3,
    *,
    exhaust: bool = False,
    aggressive_elimination: bool = False,
) -> dict[str, Any]:
    """Resources and candidates of each round of successive halving.

    Parameters
    ----------
    n_candidates : int
        Candidates of the first round C₀.
    min_resources, max_resources : int
        Budget of the first round and the largest budget.
    factor : float, default=3
        Reduction factor η.
    exhaust : bool, default=False
        Raise ``min_resources`` so that the last round uses about ``max_resources``.
    aggressive_elimination : bool, default=False

    Returns
    -------
    dict
        ``n_resources`` and ``n_candidates`` (lists, one entry per round — the
        candidate counts assume nothing fails), ``min_resources``,
        ``n_required_iterations``, ``n_possible_iterations``, ``n_iterations``.

    Examples
    --------
    >>> from lemma.selection.halving import halving_schedule
    >>> plan = halving_schedule(30, 20, 1000, factor=3)
    >>> plan["n_resources"], plan["n_candidates"]
    ([20, 60, 180, 540], [30, 10, 4, 2])
    """
    n_required = 1 + _floor_log(n_candidates, factor)
    if exhaust:
        min_resources = max(min_resources, int(max_resources // factor ** (n_required - 1)))
    n_possible = 1 + _floor_log(max_resources // min_resources, factor)
    n_iterations = n_required if aggressive_elimination else min(n_possible, n_required)
    resources, candidates, n = [], [], n_candidates
    for itr in range(n_iterations):
        power = max(0, itr - n_required + n_possible) if aggressive_elimination else itr
        resources.append(min(int(factor**power * min_resources), max_resources))
        candidates.append(n)
        n = math.ceil(n / factor)
    return {
        "n_resources": resources,
        "n_candidates": candidates,
        "min_resources": min_resources,
        "n_required_iterations": n_required,
        "n_possible_iterations": n_possible,
        "n_iterations": n_iterations,
    }


def _subsample(splits: list, fraction: float, rng: np.random.RandomState) -> list:
    """Each training and test part thinned to ``fraction`` of its rows (sorted, no repeats)."""
    thinned = []
    for train, test in splits:
        parts = []
        for rows in (train, test):
            size = int(fraction * len(rows))
            parts.append(np.sort(rng.choice(rows, size=size, replace=False)))
        thinned.append((parts[0], parts[1]))
    return thinned


def _top(results: dict[str, Any], itr: int, k: int) -> list[dict[str, Any]]:
    """The k best candidates of round ``itr`` by mean score (NaN last), in candidate order."""
    rows = np.flatnonzero(np.asarray(results["iter"]) == itr)
    means = np.asarray(results["mean_test_score"], dtype=float)[rows]
    order = np.argsort(np.where(np.isnan(means), -np.inf, -means), kind="stable")
    kept = np.sort(rows[order[:k]])
    return [dict(results["params"][i]) for i in kept]


class BaseSuccessiveHalving(BaseSearchCV):
    """Successive halving over the candidates of a subclass (``_candidates``).

    Parameters
    ----------
    factor : float, default=3
        Reduction factor η: each round keeps ⌈C/η⌉ candidates and multiplies the
        budget by η.
    resource : str, default="n_samples"
        "n_samples" (rows) or the name of an integer parameter (e.g. "max_iter").
    max_resources : int or "auto", default="auto"
        Largest budget; "auto" is the number of rows (resource="n_samples" only).
    min_resources : int, "smallest" or "exhaust"
        First budget. "smallest": 2 × n_splits rows (× the number of classes for
        a classifier), or 1 for a parameter; "exhaust": the largest first budget
        that lets the last round use max_resources.
    aggressive_elimination : bool, default=False
        Run all the rounds needed to reach one candidate, repeating the first budget.
    random_state : None, int or RandomState
        Subsampling of the rows (and the draws of a random search).
    scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`~lemma.selection.search.BaseSearchCV`; one metric only.

    Attributes
    ----------
    cv_results_ : dict
        As :class:`~lemma.selection.GridSearchCV`'s, with ``iter`` (the round) and
        ``n_resources``; the statistics compare candidates within a round.
    n_resources_, n_candidates_ : list of int
        Budget and number of candidates of each round.
    min_resources_, max_resources_ : int
        First and largest budget.
    n_iterations_, n_required_iterations_, n_possible_iterations_ : int
        Rounds run, rounds needed to reach one candidate, rounds the budget allows.
    n_remaining_candidates_ : int
        Candidates kept after the last round.
    best_index_, best_params_, best_score_, best_estimator_, conclusion_
        Selected among the last round's candidates.
    """

    _parameter_constraints = {
        "factor": [Interval(float, 1, None, closed="neither")],
        "resource": [str],
        "max_resources": [Options({"auto"}), Interval(int, 1, None)],
        "min_resources": [Options({"exhaust", "smallest"}), Interval(int, 1, None)],
        "aggressive_elimination": [BOOL],
        "random_state": [RANDOM_STATE],
    }

    def _candidates(self, min_resources: int, max_resources: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _eligible(self, results: dict[str, Any]) -> np.ndarray | None:
        iters = np.asarray(results["iter"])
        return np.flatnonzero(iters == iters.max())

    def _budget(self, run: SearchRun) -> tuple[int, int]:
        """``min_resources_`` (before "exhaust") and ``max_resources_``."""
        if self.resource != "n_samples" and self.resource not in self.estimator.get_params():
            raise ParameterError(
                f"resource={self.resource!r} is neither 'n_samples' nor a parameter of "
                f"{type(self.estimator).__name__}; its parameters are "
                f"{sorted(self.estimator.get_params())!r}."
            )
        low = self.min_resources
        if low in ("smallest", "exhaust"):
            low = 1
            if self.resource == "n_samples":
                low = 2 * len(run.splits)
                if is_classifier(self.estimator) and run.y is not None:
                    low *= np.unique(np.asarray(run.y)).size
        high = self.max_resources
        if high == "auto":
            if self.resource != "n_samples":
                raise ParameterError(
                    f"max_resources='auto' only works with resource='n_samples'; give the "
                    f"largest {self.resource} as max_resources."
                )
            high = num_samples(run.X)
        if low > high:
            raise ParameterError(
                f"min_resources_={low} is greater than max_resources_={high}; lower "
                "min_resources or raise max_resources."
            )
        return int(low), int(high)

    def _run_search(self, run: SearchRun) -> None:
        if self.multimetric_:
            raise ParameterError(
                f"{type(self).__name__} ranks candidates by one metric; pass scoring as one "
                "name or callable."
            )
        low, high = self._budget(run)
        self.max_resources_ = high
        candidates = self._candidates(low, high)
        if self.resource != "n_samples" and any(self.resource in c for c in candidates):
            raise ParameterError(
                f"The resource {self.resource!r} is also a searched parameter; remove it from "
                "the search space."
            )
        plan = halving_schedule(
            len(candidates),
            low,
            high,
            self.factor,
            exhaust=self.min_resources == "exhaust",
            aggressive_elimination=self.aggressive_elimination,
        )
        self.min_resources_ = plan["min_resources"]
        self.n_required_iterations_ = plan["n_required_iterations"]
        self.n_possible_iterations_ = plan["n_possible_iterations"]
        self.n_iterations_ = plan["n_iterations"]
        self.n_resources_, self.n_candidates_ = [], []
        rng = check_random_state(self.random_state)
        n_samples = num_samples(run.X)
        for itr, resources in enumerate(plan["n_resources"]):
            self.n_resources_.append(resources)
            self.n_candidates_.append(len(candidates))
            splits = None
            if self.resource == "n_samples":
                splits = _subsample(run.splits, resources / n_samples, rng)
            else:
                candidates = [{**c, self.resource: resources} for c in candidates]
            more = {"iter": [itr] * len(candidates), "n_resources": [resources] * len(candidates)}
            results = run.evaluate(candidates, splits, more)
            candidates = _top(results, itr, math.ceil(len(candidates) / self.factor))
        self.n_remaining_candidates_ = len(candidates)


class HalvingGridSearchCV(BaseSuccessiveHalving):
    """Successive halving over every combination of a parameter grid.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    param_grid : dict of str -> list, or list of such dicts
    factor, resource, max_resources, min_resources, aggressive_elimination, \
random_state, scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`BaseSuccessiveHalving` (min_resources defaults to "exhaust").

    Attributes
    ----------
    cv_results_, n_resources_, n_candidates_, best_params_, ...
        See :class:`BaseSuccessiveHalving`.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import HalvingGridSearchCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 4)); y = X @ [1.0, 2.0, 0.0, -1.0] + rng.normal(size=600)
    >>> search = HalvingGridSearchCV(Ridge(), {"alpha": list(np.logspace(-2, 4, 9))},
    ...                              random_state=0).fit(X, y)
    >>> search.n_resources_, search.n_candidates_
    ([66, 198, 594], [9, 3, 1])
    >>> round(float(search.best_params_["alpha"]), 3)
    1.778
    """

    _parameter_constraints = {"param_grid": [dict, list]}

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        factor: float = 3,
        resource: str = "n_samples",
        max_resources: Any = "auto",
        min_resources: Any = "exhaust",
        aggressive_elimination: bool = False,
        cv: Any = 5,
        scoring: Any = None,
        refit: bool = True,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        random_state: Any = None,
        n_jobs: int | None = None,
        progress: bool = False,
        confidence: float = 0.95,
        select: Any = "best",
        complexity: Any = None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.confidence = confidence
        self.select = select
        self.complexity = complexity

    def _candidates(self, min_resources: int, max_resources: int) -> list[dict[str, Any]]:
        return list(ParameterGrid(self.param_grid))


class HalvingRandomSearchCV(BaseSuccessiveHalving):
    """Successive halving over candidates drawn from lists and distributions.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    param_distributions : dict of str -> (list or distribution), or list of such dicts
        See :class:`~lemma.selection.ParameterSampler`.
    n_candidates : int or "exhaust", default="exhaust"
        Candidates of the first round; "exhaust": max_resources // min_resources,
        so that the last round can use the whole budget.
    factor, resource, max_resources, min_resources, aggressive_elimination, \
random_state, scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`BaseSuccessiveHalving` (min_resources defaults to "smallest").

    Attributes
    ----------
    cv_results_, n_resources_, n_candidates_, best_params_, ...
        See :class:`BaseSuccessiveHalving`.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import HalvingRandomSearchCV
    >>> from lemma.selection.distributions import loguniform
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)); y = X @ [1.0, 2.0, 0.0] + rng.normal(size=300)
    >>> search = HalvingRandomSearchCV(Ridge(), {"alpha": loguniform(1e-3, 1e3)},
    ...                                n_candidates=10, random_state=0).fit(X, y)
    >>> search.n_candidates_, len(search.cv_results_["params"])
    ([10, 4, 2], 16)
    """

    _parameter_constraints = {
        "param_distributions": [dict, list],
        "n_candidates": [Options({"exhaust"}), Interval(int, 1, None)],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_candidates: Any = "exhaust",
        factor: float = 3,
        resource: str = "n_samples",
        max_resources: Any = "auto",
        min_resources: Any = "smallest",
        aggressive_elimination: bool = False,
        cv: Any = 5,
        scoring: Any = None,
        refit: bool = True,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        random_state: Any = None,
        n_jobs: int | None = None,
        progress: bool = False,
        confidence: float = 0.95,
        select: Any = "best",
        complexity: Any = None,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_candidates = n_candidates
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.confidence = confidence
        self.select = select
        self.complexity = complexity

    def _candidates(self, min_resources: int, max_resources: int) -> list[dict[str, Any]]:
        if self.n_candidates == "exhaust" and self.min_resources == "exhaust":
            raise ParameterError(
                "n_candidates and min_resources cannot both be 'exhaust': one of them must "
                "fix the budget of the first round."
            )
        n = self.n_candidates
        if n == "exhaust":
            n = max(max_resources // min_resources, 1)
        sampler = ParameterSampler(self.param_distributions, n, random_state=self.random_state)
        return list(sampler)
