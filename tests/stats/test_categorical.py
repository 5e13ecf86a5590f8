"""χ², Fisher's exact test and proportion z tests against SciPy, statsmodels and R's numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

import lemma.stats as ls
from lemma.exceptions import DataValidationError, InferenceWarning, ParameterError

TOL = {"rtol": 1e-10, "atol": 1e-12}
ALTERNATIVES = ["two-sided", "less", "greater"]


def close(a, b):
    np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("correction", [True, False])
@pytest.mark.parametrize("shape", [(2, 2), (3, 4)])
def test_chi2_contingency(rng, correction, shape):
    table = rng.integers(8, 40, size=shape)
    ours = ls.chi2_contingency(table, correction=correction)
    ref = ss.chi2_contingency(table, correction=correction)
    close([ours.statistic, ours.p_value, ours.df], [ref.statistic, ref.pvalue, ref.dof])
    close(ours.effect_size, ss.contingency.association(table, method="cramer"))
    # Cramér's V by hand from the uncorrected statistic
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    chi2 = ((table - expected) ** 2 / expected).sum()
    close(ours.effect_size, math.sqrt(chi2 / (table.sum() * (min(shape) - 1))))


def test_chi2_warns_on_sparse_tables():
    with pytest.warns(InferenceWarning, match="expected counts are below 5"):
        ls.chi2_contingency([[1, 2], [3, 9]])


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_fisher_exact_against_scipy(rng, alternative):
    table = rng.integers(0, 15, size=(2, 2)) + 1
    ours = ls.fisher_exact(table, alternative=alternative)
    ref = ss.fisher_exact(table, alternative=alternative)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    conditional = ss.contingency.odds_ratio(table, kind="conditional")
    close(ours.estimate, conditional.statistic)
    close(ours.confidence_interval(0.9), conditional.confidence_interval(0.9, alternative))


def test_fisher_exact_tea_tasting_matches_r():
    # R's ?fisher.test example: fisher.test(TeaTasting, alternative = "greater") with
    # TeaTasting = matrix(c(3, 1, 1, 3), 2) -> p-value = 0.2429, odds ratio 6.408309,
    # 95 percent CI 0.3135693 Inf. R solves with uniroot's default tolerance, so the
    # agreement is to about 1e-5 relative; the two-sided p-value is 34/70.
    result = ls.fisher_exact([[3, 1], [1, 3]], alternative="greater")
    assert result.p_value == pytest.approx(17 / 70, rel=1e-12)
    assert result.estimate == pytest.approx(6.408309, rel=1e-5)
    low, high = result.confidence_interval()
    assert low == pytest.approx(0.3135693, rel=1e-4) and math.isinf(high)
    assert ls.fisher_exact([[3, 1], [1, 3]]).p_value == pytest.approx(34 / 70, rel=1e-12)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_one_sample_proportion(alternative):
    ours = ls.proportions_ztest(7, 20, 0.3, alternative=alternative)
    ref_z, ref_p = proportions_ztest(
        7,
        20,
        0.3,
        alternative={"less": "smaller", "greater": "larger"}.get(alternative, alternative),
        prop_var=0.3,
    )
    close([ours.statistic, ours.p_value], [ref_z, ref_p])
    if alternative == "two-sided":
        close(ours.confidence_interval(0.9), proportion_confint(7, 20, alpha=0.1, method="wilson"))
    close(ours.effect_size, 2 * math.asin(math.sqrt(0.35)) - 2 * math.asin(math.sqrt(0.3)))


@pytest.mark.parametrize("counts", [([45, 30], [100, 100]), ([3, 9], [25, 31]), ([0, 4], [10, 12])])
def test_two_sample_proportions(counts):
    count, nobs = counts
    ours = ls.proportions_ztest(count, nobs)
    ref_z, ref_p = proportions_ztest(count, nobs)
    close([ours.statistic, ours.p_value], [ref_z, ref_p])
    for level in (0.9, 0.95):
        ref = confint_proportions_2indep(
            count[0],
            nobs[0],
            count[1],
            nobs[1],
            method="newcomb",
            compare="diff",
            alpha=1 - level,
        )
        close(ours.confidence_interval(level), ref)


def test_wilson_interval_covers(seed):
    rng = np.random.default_rng(seed)
    hits = sum(
        lo <= 0.2 <= hi
        for lo, hi in (
            ls.proportions_ztest(rng.binomial(60, 0.2), 60, 0.2).confidence_interval()
            for _ in range(400)
        )
    )
    assert 0.90 <= hits / 400 <= 0.99


def test_conclusions():
    text = str(ls.proportions_ztest([45, 30], [100, 100]))
    assert text.startswith("The first proportion differs from the second:")
    assert "z = 2.19, p = 0.028" in text and "Cohen's h" in text
    text = str(ls.chi2_contingency([[20, 21], [19, 20]]))
    assert text.startswith("No evidence that the variables are associated")


def test_bad_input():
    with pytest.raises(DataValidationError, match="at least 2 rows"):
        ls.chi2_contingency([1, 2, 3])
    with pytest.raises(DataValidationError, match=r"empty rows \[1\]"):
        ls.chi2_contingency([[1, 2], [0, 0]])
    with pytest.raises(DataValidationError, match="non-negative"):
        ls.chi2_contingency([[1, -2], [3, 4]])
    with pytest.raises(DataValidationError, match="2 × 2"):
        ls.fisher_exact([[1, 2, 3], [3, 4, 5]])
    with pytest.raises(DataValidationError, match="0 <= count <= nobs"):
        ls.proportions_ztest(12, 10)
    with pytest.raises(DataValidationError, match="both have length 2"):
        ls.proportions_ztest([1, 2], 10)
    with pytest.raises(ParameterError, match="null proportion"):
        ls.proportions_ztest(3, 10, 1.0)
    with pytest.raises(ParameterError, match="p1 = p2"):
        ls.proportions_ztest([3, 4], [10, 10], 0.1)
    with pytest.raises(DataValidationError, match="all failures or all successes"):
        ls.proportions_ztest([0, 0], [10, 10])
