"""Score intervals: the Nadeau–Bengio formula by hand, SciPy's bootstrap, coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression

from lemma.exceptions import DataValidationError, ParameterError
from lemma.selection import (
    KFold,
    bootstrap_interval,
    corrected_std_err,
    corrected_t_interval,
    cross_validate,
    score_interval,
)


def test_corrected_t_matches_the_formula(rng):
    scores = rng.normal(0.8, 0.05, size=10)
    n_train, n_test = 90, 10
    ci = corrected_t_interval(scores, n_train, n_test, confidence=0.9)
    J = scores.size
    variance = np.var(scores, ddof=1) * (1 / J + n_test / n_train)
    half = stats.t.ppf(0.95, J - 1) * math.sqrt(variance)
    assert ci.mean == pytest.approx(scores.mean(), rel=1e-14)
    assert ci.std_err == pytest.approx(math.sqrt(variance), rel=1e-14)
    assert ci.conf_int == pytest.approx((scores.mean() - half, scores.mean() + half), rel=1e-13)
    assert ci.df == J - 1 and ci.n_splits == J and ci.method == "corrected_t"
    assert corrected_std_err(scores, [n_train] * J, [n_test] * J) == pytest.approx(ci.std_err)


def test_corrected_is_wider_than_the_naive_t(rng):
    scores = rng.normal(size=5)
    ci = corrected_t_interval(scores, 80, 20)
    naive = stats.t.interval(0.95, 4, loc=scores.mean(), scale=stats.sem(scores))
    assert ci.ci_low < naive[0] and ci.ci_high > naive[1]


def test_bootstrap_agrees_with_scipy_percentile(rng):
    scores = rng.normal(0.7, 0.1, size=8)
    ours = bootstrap_interval(scores, n_resamples=20000, random_state=1)
    theirs = stats.bootstrap(
        (scores,), np.mean, n_resamples=20000, method="percentile", random_state=2
    ).confidence_interval
    assert ours.ci_low == pytest.approx(theirs.low, abs=0.01)
    assert ours.ci_high == pytest.approx(theirs.high, abs=0.01)
    assert scores.min() <= ours.ci_low < ours.mean < ours.ci_high <= scores.max()


def test_bootstrap_is_reproducible_and_nested_in_confidence(rng):
    scores = rng.normal(size=6)
    assert bootstrap_interval(scores) == bootstrap_interval(scores)
    narrow, wide = bootstrap_interval(scores, confidence=0.8), bootstrap_interval(scores)
    assert wide.ci_low <= narrow.ci_low and narrow.ci_high <= wide.ci_high


def test_constant_nan_and_single_scores():
    flat = corrected_t_interval([0.5, 0.5, 0.5], 10, 5)
    assert flat.conf_int == (0.5, 0.5)
    single = corrected_t_interval([0.5], 10, 5)
    assert single.mean == 0.5 and math.isnan(single.ci_low) and math.isnan(single.std)
    failed = score_interval([0.5, np.nan, 0.7], 10, 5, method="bootstrap")
    assert math.isnan(failed.mean) and math.isnan(failed.ci_high)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="confidence"):
        corrected_t_interval([0.1, 0.2], 10, 5, confidence=95)
    with pytest.raises(ParameterError, match="Unknown interval method"):
        score_interval([0.1, 0.2], 10, 5, method="wald")
    with pytest.raises(DataValidationError, match="positive sizes"):
        corrected_t_interval([0.1, 0.2], 0, 5)
    with pytest.raises(DataValidationError, match="non-empty"):
        bootstrap_interval([])


def test_corrected_interval_coverage_of_the_true_generalisation_error(seed):
    """OLS without intercept on x ~ N(0, I_p), y = xᵀβ + ε, ε ~ N(0, σ²).

    The expected test MSE of the fit on m rows is σ²(1 + p/(m − p − 1)) (the
    mean of an inverse Wishart), the quantity 5-fold CV estimates. The corrected
    95% interval should cover it in most repetitions (about 1.5 s).
    """
    rng = np.random.default_rng(seed)
    n, p, sigma, repeats = 60, 3, 1.0, 150
    m = n * 4 // 5
    truth = -(sigma**2) * (1 + p / (m - p - 1))
    covered = naive_covered = 0
    for _ in range(repeats):
        X = rng.normal(size=(n, p))
        y = X @ np.ones(p) + sigma * rng.normal(size=n)
        result = cross_validate(
            LinearRegression(fit_intercept=False),
            X,
            y,
            scoring="neg_mean_squared_error",
            cv=KFold(5, shuffle=True, random_state=int(rng.integers(2**31))),
        )
        ci = result.interval()
        covered += ci.ci_low <= truth <= ci.ci_high
        scores = result["test_score"]
        naive = stats.t.interval(0.95, 4, loc=scores.mean(), scale=stats.sem(scores))
        naive_covered += naive[0] <= truth <= naive[1]
    assert covered / repeats >= 0.85
    assert covered >= naive_covered  # same centre, wider interval
