"""The added cv_results_ columns: intervals, p-values vs the best, Holm, ties, one-SE rule."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge as SkRidge

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import LemmaWarning, ParameterError
from lemma.selection import (
    FitFailedWarning,
    GridSearchCV,
    KFold,
    RepeatedKFold,
    corrected_t_interval,
)
from lemma.stats import corrected_resampled_ttest, holm


@pytest.fixture
def data(rng):
    X = rng.normal(size=(200, 6))
    y = X @ [1.5, -1.0, 0.5, 0.2, 0.0, 0.0] + rng.normal(scale=1.5, size=200)
    return X, y


ALPHAS = [1e-3, 0.1, 1.0, 10.0, 50.0, 300.0, 3e3]


def _fold_scores(results, metric, n_splits):
    return np.column_stack([results[f"split{j}_test_{metric}"] for j in range(n_splits)])


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_columns_equal_the_interval_and_test_functions(data, seed, confidence):
    X, y = data
    cv = RepeatedKFold(n_splits=5, n_repeats=2, random_state=seed)
    search = GridSearchCV(
        SkRidge(),
        {"alpha": ALPHAS},
        cv=cv,
        confidence=confidence,
        scoring=["r2", "neg_mean_absolute_error"],
        refit="r2",
    ).fit(X, y)
    results = search.cv_results_
    n_train, n_test = 160, 40
    for metric in ("r2", "neg_mean_absolute_error"):
        scores = _fold_scores(results, metric, 10)
        best = int(np.argmax(scores.mean(axis=1)))
        assert results[f"rank_test_{metric}"][best] == 1
        p_values = np.empty(len(ALPHAS))
        for i, row in enumerate(scores):
            ci = corrected_t_interval(row, n_train, n_test, confidence=confidence)
            assert results[f"ci_low_test_{metric}"][i] == pytest.approx(ci.ci_low, rel=1e-12)
            assert results[f"ci_high_test_{metric}"][i] == pytest.approx(ci.ci_high, rel=1e-12)
            assert results[f"std_err_test_{metric}"][i] == pytest.approx(ci.std_err, rel=1e-12)
            if i != best:
                test = corrected_resampled_ttest(scores[best], row, n_train=n_train, n_test=n_test)
                p_values[i] = test.p_value
        p_values[best] = 1.0
        np.testing.assert_allclose(results[f"p_value_vs_best_{metric}"], p_values, rtol=1e-12)
        others = np.arange(len(ALPHAS)) != best
        adjusted = holm(p_values[others], alpha=1 - confidence).p_adjusted
        holm_column = results[f"p_value_vs_best_{metric}_holm"]
        np.testing.assert_allclose(holm_column[others], adjusted, rtol=1e-12)
        assert holm_column[best] == 1.0
        expected_tied = np.ones(len(ALPHAS), dtype=bool)
        expected_tied[others] = adjusted > 1 - confidence
        assert np.array_equal(results[f"tied_with_best_{metric}"], expected_tied)


def test_intervals_cover_the_mean_and_p_values_are_probabilities(data):
    X, y = data
    results = GridSearchCV(SkRidge(), {"alpha": ALPHAS}, cv=5).fit(X, y).cv_results_
    mean = results["mean_test_score"]
    assert np.all(results["ci_low_test_score"] < mean)
    assert np.all(mean < results["ci_high_test_score"])
    p = results["p_value_vs_best_score"]
    assert np.all((0 <= p) & (p <= 1))
    assert np.all(results["p_value_vs_best_score_holm"] >= p)
    worst = np.argmin(mean)
    assert not results["tied_with_best_score"][worst]  # alpha = 3000 shrinks to nothing


@pytest.fixture
def tied_data(rng):
    """Strong signal, many rows: the tiny alphas are indistinguishable, the huge one is not."""
    X = rng.normal(size=(400, 3))
    y = X @ [2.0, -1.0, 1.0] + rng.normal(scale=0.5, size=400)
    return X, y


TIED_ALPHAS = [1e-4, 1e-3, 1e-2, 1e5]


def test_one_se_rule_picks_the_simplest_tied_candidate(tied_data):
    X, y = tied_data
    grid = {"alpha": TIED_ALPHAS}
    best = GridSearchCV(SkRidge(), grid, cv=5).fit(X, y)
    assert list(best.cv_results_["tied_with_best_score"]) == [True, True, True, False]
    one_se = GridSearchCV(SkRidge(), grid, cv=5, select="one_se", complexity="-alpha").fit(X, y)
    assert one_se.best_params_ == {"alpha": 1e-2}
    assert one_se.best_score_ == one_se.cv_results_["mean_test_score"][2]
    assert one_se.best_estimator_.alpha == 1e-2
    # the rule by hand: the simplest candidate with mean >= best mean - its corrected std_err
    results = one_se.cv_results_
    top = int(np.argmax(results["mean_test_score"]))
    ci = corrected_t_interval(_fold_scores(results, "score", 5)[top], 320, 80)
    floor = results["mean_test_score"][top] - ci.std_err
    within = [a for a, m in zip(TIED_ALPHAS, results["mean_test_score"], strict=True) if m >= floor]
    assert one_se.best_params_["alpha"] == max(within)
    tied = GridSearchCV(
        SkRidge(), grid, cv=5, select="simplest_tied", complexity=lambda p: -np.log(p["alpha"])
    ).fit(X, y)
    assert tied.best_params_ == {"alpha": 1e-2}
    summary = one_se.summary()
    assert list(summary["rank"]) == sorted(summary["rank"])
    assert summary.loc[summary["selected"], "params"].item() == "alpha=0.01"
    assert summary.attrs["conclusion"].startswith("2 candidates are statistically tied")
    assert "picks alpha=0.01, the simplest candidate" in one_se.conclusion_


def test_one_se_without_complexity_takes_the_first_and_says_so(tied_data):
    X, y = tied_data
    grid = {"alpha": list(reversed(TIED_ALPHAS))}
    with pytest.warns(LemmaWarning, match="without complexity="):
        search = GridSearchCV(SkRidge(), grid, cv=5, select="one_se").fit(X, y)
    assert search.best_params_ == {"alpha": 1e-2}  # first in candidate order among the tied
    assert "first (in candidate order: no complexity= given)" in search.conclusion_


def test_select_callable_and_bad_returns(tied_data):
    X, y = tied_data
    grid = {"alpha": TIED_ALPHAS}

    def last(results):
        return len(results["params"]) - 1

    search = GridSearchCV(SkRidge(), grid, cv=3, select=last).fit(X, y)
    assert search.best_index_ == 3 and search.best_params_ == {"alpha": 1e5}
    with pytest.raises(ParameterError, match="must return the index"):
        GridSearchCV(SkRidge(), grid, cv=3, select=lambda results: 7).fit(X, y)
    with pytest.raises(ParameterError, match="names a parameter that this candidate does not"):
        GridSearchCV(SkRidge(), grid, cv=3, select="one_se", complexity="C").fit(X, y)


def test_identical_candidates_are_tied_without_warnings(tied_data):
    X, y = tied_data
    search = GridSearchCV(SkRidge(), {"alpha": [1.0, 1.0, 1e6]}, cv=4).fit(X, y)
    results = search.cv_results_
    assert list(results["p_value_vs_best_score"][:2]) == [1.0, 1.0]
    assert list(results["tied_with_best_score"]) == [True, True, False]


class FailsForLargeAlpha(RegressorMixin, BaseEstimator):
    """Predicts the mean of y; refuses alpha > 1 (to test failed fits)."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        if self.alpha > 1:
            raise ValueError("alpha too large")
        self.mean_ = float(np.mean(y)) * (1 - self.alpha / 10)
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_failed_candidates_get_nan_statistics(tied_data):
    X, y = tied_data
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 9"):
        search = GridSearchCV(FailsForLargeAlpha(), {"alpha": [0.0, 0.5, 5.0]}, cv=3).fit(X, y)
    results = search.cv_results_
    assert np.isnan(results["p_value_vs_best_score"][2])
    assert np.isnan(results["ci_low_test_score"][2])
    assert not results["tied_with_best_score"][2]
    assert results["rank_test_score"][2] == 3
    assert search.best_index_ == np.nanargmax(results["mean_test_score"]) != 2


def test_summary_for_multimetric_without_refit(tied_data):
    X, y = tied_data
    search = GridSearchCV(
        SkRidge(),
        {"alpha": TIED_ALPHAS},
        cv=KFold(3),
        scoring=["r2", "explained_variance"],
        refit=False,
    ).fit(X, y)
    summary = search.summary()
    assert not summary["selected"].any()
    assert len(summary) == len(TIED_ALPHAS)
