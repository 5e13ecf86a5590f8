"""Friedman test against SciPy and Nemenyi critical differences against Demšar (2006)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss

import lemma.stats as ls
from lemma.exceptions import DataValidationError, ParameterError

TOL = {"rtol": 1e-10, "atol": 1e-12}


@pytest.mark.parametrize("ties", [False, True])
def test_friedman_matches_scipy(rng, ties):
    scores = rng.normal(size=(5, 12)) + np.arange(5)[:, None] * 0.3
    if ties:
        scores = np.round(scores)  # many tied models within a dataset
    ours = ls.friedman_test(scores)
    ref = ss.friedmanchisquare(*scores)
    np.testing.assert_allclose([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue], **TOL)
    assert ours.df == 4.0


def test_kendalls_w_and_iman_davenport_by_hand(rng):
    k, n = 4, 10
    scores = rng.normal(size=(k, n))
    result = ls.friedman_test(scores)
    ranks = np.array([ss.rankdata(-scores[:, j]) for j in range(n)]).T  # 1 = best
    rank_sums = ranks.sum(axis=1)
    s = ((rank_sums - rank_sums.mean()) ** 2).sum()
    np.testing.assert_allclose(result.effect_size, 12 * s / (n**2 * (k**3 - k)), **TOL)
    chi2 = result.statistic
    np.testing.assert_allclose(
        result.details["iman_davenport_f"], (n - 1) * chi2 / (n * (k - 1) - chi2), **TOL
    )
    assert result.details["iman_davenport_df"] == (3.0, 27.0)
    np.testing.assert_allclose(result.details["average_ranks"].to_numpy(), ranks.mean(axis=1))


# Demšar (2006), Table 5: critical values q_α of the two-tailed Nemenyi test, printed to
# three decimals from older studentized-range tables (two entries are off by 7e-4).
DEMSAR_Q = {
    0.05: [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164],
    0.10: [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920],
}


@pytest.mark.parametrize("alpha", [0.05, 0.10])
@pytest.mark.parametrize("k", range(2, 11))
def test_nemenyi_critical_difference_matches_demsar_table(alpha, k):
    n = 7
    result = ls.nemenyi_posthoc(np.arange(k * n, dtype=float).reshape(k, n), alpha=alpha)
    q_alpha = result.critical_difference / math.sqrt(k * (k + 1) / (6 * n))
    assert q_alpha == pytest.approx(DEMSAR_Q[alpha][k - 2], abs=1e-3)


def test_demsar_worked_example_critical_difference():
    # Section 3.2.4: four methods on 14 data sets, CD = 2.569·√(4·5/(6·14)) = 1.25
    result = ls.nemenyi_posthoc(np.zeros((4, 14)))
    assert round(result.critical_difference, 2) == 1.25


def test_nemenyi_p_values_agree_with_the_critical_difference(rng):
    scores = pd.DataFrame(
        rng.normal(size=(5, 20)) + np.array([0, 0.1, 0.6, 1.0, 1.2])[:, None],
        index=["a", "b", "c", "d", "e"],
    )
    result = ls.nemenyi_posthoc(scores, alpha=0.05)
    p = result.p_values
    assert list(p.index) == ["a", "b", "c", "d", "e"]
    np.testing.assert_allclose(p.to_numpy(), p.to_numpy().T)
    assert np.all(np.diag(p.to_numpy()) == 1)
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_array_equal((p.to_numpy() < 0.05)[off], result.significant.to_numpy()[off])
    assert result.average_ranks["e"] < result.average_ranks["a"]  # e scores highest
    assert "Critical difference" in str(result)


def test_lower_is_better_reverses_the_ranks():
    errors = [[0.1, 0.2, 0.15], [0.3, 0.25, 0.35]]
    assert ls.rank_models(errors, greater_is_better=False).to_numpy()[0].tolist() == [1, 1, 1]
    assert ls.rank_models(errors).to_numpy()[0].tolist() == [2, 2, 2]


def test_conclusion():
    scores = [
        [0.81, 0.92, 0.77, 0.85, 0.70],
        [0.84, 0.95, 0.80, 0.86, 0.74],
        [0.79, 0.90, 0.75, 0.80, 0.71],
    ]
    text = str(ls.friedman_test(scores))
    assert text == "The models' ranks differ: Friedman χ²(2) = 8.4, p = 0.015, Kendall's W = 0.84."


def test_bad_input():
    with pytest.raises(DataValidationError, match="at least 2 of each"):
        ls.friedman_test([[1.0, 2.0, 3.0]])
    with pytest.raises(DataValidationError, match="NaN"):
        ls.friedman_test([[1.0, np.nan], [2.0, 3.0]])
    with pytest.raises(ParameterError, match="'alpha' parameter"):
        ls.nemenyi_posthoc([[1.0, 2.0], [2.0, 3.0]], alpha=5)
