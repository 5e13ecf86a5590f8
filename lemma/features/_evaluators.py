"""How FeatureSearch scores a set of feature groups and compares two nested sets.

For a set S of candidate groups (:mod:`lemma.features._candidates`):

* cross-validation: scoreₖ(S) is the held-out score on fold k of a Pipeline
  ``FeatureBuilder(S) → estimator`` fitted on the training rows of fold k (so bin
  edges, categories and log floors are learnt inside the fold), and score(S) is their
  mean over the K fixed folds; the empty set is a model predicting the training mean
  (regression) or the training class shares (classification). Two nested sets
  S ⊂ S' are compared by the paired differences dₖ = scoreₖ(S') − scoreₖ(S) with the
  Nadeau–Bengio corrected t-statistic t = d̄ / √((1/K + n_test/n_train) s_d²) on K − 1
  degrees of freedom and a one-sided p-value for "S' scores higher";
* information criteria: AIC(S) = −2ℓ(S) + 2k(S) and BIC(S) = −2ℓ(S) + k(S) log n of
  the estimator fitted on every row (k counts the fitted parameters); the empty set
  is the intercept-only model. S ⊂ S' are compared by the criterion's fall and by the
  likelihood-ratio statistic 2(ℓ(S') − ℓ(S)) ~ χ²_{k(S') − k(S)}.

References: C. Nadeau and Y. Bengio, "Inference for the generalization error",
Machine Learning 52 (2003); S. Holm, Scand. J. Statist. 6 (1979).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
from lemma.exceptions import ParameterError
from lemma.features._candidates import FeatureBuilder, FeatureSpec

__all__ = ["EVALUATORS", "Comparison"]


# ----------------------------------------------------------------------------- null models
class _MeanModel(RegressorMixin, BaseEstimator):
    """The empty feature set of a regression: predict the training mean."""

    def fit(self, X: Any, y: Any) -> _MeanModel:
        self.mean_ = float(np.mean(np.asarray(y, dtype=np.float64)))
        return self

    def predict(self, X: Any) -> np.ndarray:
        from lemma.selection.split import num_samples

        return np.full(num_samples(X), self.mean_)


class _PriorModel(ClassifierMixin, BaseEstimator):
    """The empty feature set of a classification: the class shares of the training rows."""

    def fit(self, X: Any, y: Any) -> _PriorModel:
        self.classes_, counts = np.unique(np.asarray(y), return_counts=True)
        self.priors_ = counts / counts.sum()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        from lemma.selection.split import num_samples

        return np.tile(self.priors_, (num_samples(X), 1))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# ----------------------------------------------------------------------------- evaluators
@dataclass(frozen=True)
class Comparison:
    """A larger set against a smaller one: gain, its 95% interval, one-sided p-value."""

    improvement: float
    ci_low: float
    ci_high: float
    p_value: float


class _Evaluator:
    """Scores of feature sets, computed once per set (a set is unordered)."""

    lower_is_better = False

    def __init__(self, search: Any, X: Any, y: np.ndarray, candidates: list[FeatureSpec]):
        self.search, self.X, self.y, self.candidates = search, X, y, candidates
        self._cache: dict[frozenset, Any] = {}

    def records(self, sets: list[tuple[FeatureSpec, ...]]) -> list[Any]:
        """The record (fold scores or a fit) of every set, evaluating only new ones."""
        new = [s for s in dict.fromkeys(frozenset(s) for s in sets) if s not in self._cache]
        if new:
            ordered = [next(s for s in sets if frozenset(s) == key) for key in new]
            self._cache.update(zip(new, self.evaluate(ordered), strict=True))
        return [self._cache[frozenset(s)] for s in sets]

    def evaluate(self, sets: list[tuple[FeatureSpec, ...]]) -> list[Any]:
        raise NotImplementedError  # pragma: no cover - each criterion defines it


class _CrossValidated(_Evaluator):
    """score(S) = mean held-out score over fixed folds; paired corrected t-tests."""

    def __init__(self, search: Any, X: Any, y: np.ndarray, candidates: list[FeatureSpec]):
        from lemma.selection import KFold, StratifiedKFold, check_cv, check_scoring

        super().__init__(search, X, y, candidates)
        self.scorers = check_scoring(search.estimator, search.scoring)
        if len(self.scorers) != 1:
            raise ParameterError(
                f"FeatureSearch scores with one metric; got scoring={search.scoring!r}. "
                "Pass a single name or callable."
            )
        classifier = is_classifier(search.estimator)
        if isinstance(search.cv, int) and not isinstance(search.cv, bool):
            kind = StratifiedKFold if classifier else KFold
            splitter = kind(search.cv, shuffle=True, random_state=search.random_state)
        else:
            splitter = check_cv(search.cv, y, classifier=classifier)
        self.splits = list(splitter.split(np.zeros((y.shape[0], 1)), y))
        self.n_train = float(np.mean([len(train) for train, _ in self.splits]))
        self.n_test = float(np.mean([len(test) for _, test in self.splits]))
        self.null = _PriorModel() if classifier else _MeanModel()

    def describe(self) -> str:
        name = self.search.scoring if isinstance(self.search.scoring, str) else "score"
        return f"{len(self.splits)}-fold cross-validated {name}"

    def evaluate(self, sets: list[tuple[FeatureSpec, ...]]) -> list[np.ndarray]:
        from lemma.pipeline import Pipeline
        from lemma.selection import fold_tasks, run_parallel

        tasks = []
        for specs in sets:
            model = self.null
            if specs:
                steps = [("features", FeatureBuilder(specs)), ("model", self.search.estimator)]
                model = Pipeline(steps)
            tasks += fold_tasks(model, self.X, self.y, self.splits, self.scorers,
                                error_score="raise")  # fmt: skip
        folds = run_parallel(tasks, self.search.n_jobs, description="feature search")
        scores = np.array([fold.test_scores["score"] for fold in folds], dtype=np.float64)
        return list(scores.reshape(len(sets), len(self.splits)))

    def value(self, record: np.ndarray) -> float:
        return float(np.mean(record))

    def compare(self, larger: np.ndarray, smaller: np.ndarray) -> Comparison:
        from lemma.stats import corrected_resampled_ttest

        d = larger - smaller
        mean, k = float(d.mean()), d.size
        if np.ptp(d) == 0:  # the same gain on every fold: no variance to test against
            return Comparison(mean, mean, mean, 0.0 if mean > 0 else 1.0)
        test = corrected_resampled_ttest(larger, smaller, n_train=self.n_train,
                                         n_test=self.n_test, alternative="greater")  # fmt: skip
        half = stats.t.ppf(0.975, k - 1) * test.details["std_err"]
        return Comparison(mean, mean - half, mean + half, float(test.p_value))

    def admissible(self, comparisons: list[Comparison]) -> tuple[np.ndarray, np.ndarray]:
        """Candidates significant at alpha (after Holm across them), and adjusted p-values."""
        from lemma.stats import holm

        p = np.array([c.p_value for c in comparisons])
        if self.search.multiple_testing == "holm":
            adjusted = holm(p, alpha=self.search.alpha)
            return adjusted.reject, adjusted.p_adjusted
        return p < self.search.alpha, p

    def keeps(self, comparison: Comparison) -> bool:
        return comparison.p_value < self.search.alpha

    def weakness(self, comparison: Comparison) -> float:
        return comparison.p_value


@dataclass(frozen=True)
class _Fit:
    """An information criterion with the log-likelihood and parameter count behind it."""

    value: float
    llf: float
    k: float


class _InformationCriterion(_Evaluator):
    """score(S) = AIC or BIC of the estimator fitted on all rows (lower is better)."""

    lower_is_better = True

    def __init__(self, search: Any, X: Any, y: np.ndarray, candidates: list[FeatureSpec]):
        super().__init__(search, X, y, candidates)
        self.name = search.criterion.upper()
        self.null: _Fit | None = None

    def describe(self) -> str:
        return self.name

    def _penalty(self, nobs: float) -> float:
        return 2.0 if self.name == "AIC" else math.log(nobs)

    def _fit(self, specs: tuple[FeatureSpec, ...]) -> _Fit:
        Z = FeatureBuilder(specs).set_output(transform="default").fit_transform(self.X)
        model = clone(self.search.estimator).fit(Z, self.y)
        result = getattr(model, "result_", None)
        if result is None or not hasattr(result, "aic"):
            raise ParameterError(
                f"criterion={self.search.criterion!r} needs an estimator whose fitted result_ "
                "has aic and bic: lemma's LinearRegression, LogisticRegression(penalty=None) or "
                f"PoissonRegressor(alpha=0); {type(model).__name__} has none. Use criterion='cv'."
            )
        k = (result.aic + 2 * result.llf) / 2
        if self.null is None:
            self.null = self._null(result, k)
        return _Fit(float(getattr(result, self.name.lower())), float(result.llf), float(k))

    def _null(self, result: Any, k: float) -> _Fit:
        """The intercept-only fit, from the null log-likelihood of a fitted result."""
        n = float(result.nobs)
        if hasattr(result, "llnull"):
            llf, k0 = float(result.llnull), k - result.df_model
        else:  # least squares: the Gaussian likelihood of the total sum of squares
            llf = -n / 2 * (math.log(2 * math.pi * result.tss / n) + 1)
            llf += getattr(result, "sum_log_weights", 0.0) / 2
            k0 = float(result.k_constant)
        return _Fit(-2 * llf + self._penalty(n) * k0, llf, float(k0))

    def evaluate(self, sets: list[tuple[FeatureSpec, ...]]) -> list[_Fit]:
        fits: list[_Fit | None] = [None if not s else self._fit(s) for s in sets]
        if self.null is None:  # only the empty set asked for: fit one group to learn it
            self._fit(tuple(self.candidates[:1]))
        return [self.null if f is None else f for f in fits]

    def value(self, record: _Fit) -> float:
        return record.value

    def compare(self, larger: _Fit, smaller: _Fit) -> Comparison:
        df = larger.k - smaller.k
        statistic = 2 * (larger.llf - smaller.llf)
        p = float(stats.chi2.sf(statistic, df)) if df > 0 else math.nan
        return Comparison(smaller.value - larger.value, math.nan, math.nan, p)

    def admissible(self, comparisons: list[Comparison]) -> tuple[np.ndarray, np.ndarray]:
        gains = np.array([c.improvement for c in comparisons])
        return gains > 0, np.full(gains.size, math.nan)

    def keeps(self, comparison: Comparison) -> bool:
        return comparison.improvement > 0

    def weakness(self, comparison: Comparison) -> float:
        return -comparison.improvement


#: criterion -> evaluator.
EVALUATORS: dict[str, type[_Evaluator]] = {
    "cv": _CrossValidated,
    "aic": _InformationCriterion,
    "bic": _InformationCriterion,
}
