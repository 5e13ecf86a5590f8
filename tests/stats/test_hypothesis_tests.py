"""Classical tests against SciPy, and their effect sizes and intervals against the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss

import lemma.stats as ls
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError

TOL = {"rtol": 1e-10, "atol": 1e-12}
ALTERNATIVES = ["two-sided", "less", "greater"]


def close(a, b):
    np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_1samp(rng, alternative):
    x = rng.normal(0.3, 1.0, size=17)
    ours = ls.ttest_1samp(x, 0.1, alternative=alternative)
    ref = ss.ttest_1samp(x, 0.1, alternative=alternative)
    close([ours.statistic, ours.p_value, ours.df], [ref.statistic, ref.pvalue, 16])
    close(ours.confidence_interval(0.9), ref.confidence_interval(0.9))
    close(ours.effect_size, (x.mean() - 0.1) / x.std(ddof=1))
    # by hand: t = (mean - mu0) / (s / sqrt(n))
    close(ours.statistic, (x.mean() - 0.1) / (x.std(ddof=1) / math.sqrt(17)))


@pytest.mark.parametrize("equal_var", [True, False])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_ind(rng, equal_var, alternative):
    a, b = rng.normal(0, 1, size=12), rng.normal(0.5, 2, size=20)
    ours = ls.ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
    ref = ss.ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
    close([ours.statistic, ours.p_value, ours.df], [ref.statistic, ref.pvalue, ref.df])
    close(ours.confidence_interval(0.95), ref.confidence_interval(0.95))
    pooled = math.sqrt((11 * a.var(ddof=1) + 19 * b.var(ddof=1)) / 30)
    close(ours.effect_size, (a.mean() - b.mean()) / pooled)
    close(ours.estimate, a.mean() - b.mean())
    if not equal_var:  # Welch–Satterthwaite by hand
        va, vb = a.var(ddof=1) / 12, b.var(ddof=1) / 20
        close(ours.df, (va + vb) ** 2 / (va**2 / 11 + vb**2 / 19))


def test_ttest_ind_defaults_to_welch():
    assert ls.ttest_ind([1, 2, 3, 4], [2, 4, 9, 1, 7]).test.startswith("Welch")


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_rel(rng, alternative):
    a = rng.normal(size=15)
    b = a + rng.normal(0.2, 0.5, size=15)
    ours = ls.ttest_rel(a, b, alternative=alternative)
    ref = ss.ttest_rel(a, b, alternative=alternative)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    close(ours.confidence_interval(0.99), ref.confidence_interval(0.99))
    d = a - b
    close(ours.effect_size, d.mean() / d.std(ddof=1))


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("method", ["asymptotic", "exact"])
def test_mannwhitneyu(rng, alternative, method):
    x, y = rng.normal(0.5, 1, size=9), rng.normal(0, 1, size=11)
    ours = ls.mannwhitneyu(x, y, alternative=alternative, method=method)
    ref = ss.mannwhitneyu(x, y, alternative=alternative, method=method)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    # U by counting pairs, rank-biserial r = 2U/(n1 n2) - 1
    u = (x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum()
    close(ours.statistic, u)
    close(ours.effect_size, 2 * u / 99 - 1)
    pairs = sorted(xi - yj for xi in x for yj in y)
    close(ours.estimate, np.median(pairs))
    if alternative == "two-sided":
        # Hollander–Wolfe: C = floor(n1 n2/2 - z sqrt(n1 n2 (n1+n2+1)/12)), CI = (D_C, D_{N+1-C})
        c = math.floor(99 / 2 - 1.959963984540054 * math.sqrt(99 * 21 / 12))
        close(ours.confidence_interval(0.95), (pairs[c - 1], pairs[99 - c]))


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon(rng, zero_method, alternative):
    x = np.round(rng.normal(0.4, 1, size=14), 1)
    y = np.round(rng.normal(0.0, 1, size=14), 1)
    y[:2] = x[:2]  # zero differences
    ours = ls.wilcoxon(x, y, zero_method=zero_method, alternative=alternative)
    ref = ss.wilcoxon(x, y, zero_method=zero_method, alternative=alternative)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])


def test_wilcoxon_effect_size_and_interval(rng):
    d = rng.normal(0.5, 1, size=20)
    ours = ls.wilcoxon(d)
    ranks = ss.rankdata(np.abs(d))
    w_plus, w_minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    close(ours.effect_size, (w_plus - w_minus) / (w_plus + w_minus))
    walsh = sorted((d[i] + d[j]) / 2 for i in range(20) for j in range(i, 20))
    close(ours.estimate, np.median(walsh))
    k = math.floor(20 * 21 / 4 - 1.959963984540054 * math.sqrt(20 * 21 * 41 / 24))
    close(ours.confidence_interval(), (walsh[k - 1], walsh[len(walsh) - k]))


def test_rank_interval_covers_at_nominal_rate(seed):
    rng = np.random.default_rng(seed)
    covered = 0
    for _ in range(300):
        x, y = rng.exponential(size=15) + 1.0, rng.exponential(size=12)
        low, high = ls.mannwhitneyu(x, y).confidence_interval(0.9)
        covered += low <= 1.0 <= high
    # normal-approximation rank interval: coverage close to 0.90 (binomial sd ~ 0.017)
    assert 0.84 <= covered / 300 <= 0.97


def test_f_oneway_and_kruskal(rng):
    groups = [rng.normal(m, 1, size=n) for m, n in [(0, 8), (0.5, 10), (1.5, 7)]]
    ours, ref = ls.f_oneway(*groups), ss.f_oneway(*groups)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    assert ours.df == (2.0, 22.0)
    allv = np.concatenate(groups)
    ss_between = sum(len(g) * (g.mean() - allv.mean()) ** 2 for g in groups)
    close(ours.effect_size, ss_between / ((allv - allv.mean()) ** 2).sum())
    # F from eta^2: F = (eta2/(k-1)) / ((1-eta2)/(N-k))
    eta2 = ours.effect_size
    close(ours.statistic, (eta2 / 2) / ((1 - eta2) / 22))

    ours, ref = ls.kruskal(*groups), ss.kruskal(*groups)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    close(ours.effect_size, ref.statistic * (25 + 1) / (25**2 - 1))


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_pearsonr(rng, alternative):
    x = rng.normal(size=25)
    y = 0.4 * x + rng.normal(size=25)
    ours = ls.pearsonr(x, y, alternative=alternative)
    ref = ss.pearsonr(x, y, alternative=alternative)
    close([ours.estimate, ours.p_value], [ref.statistic, ref.pvalue])
    close(ours.confidence_interval(0.9), ref.confidence_interval(0.9))
    r = ref.statistic
    close(ours.statistic, r * math.sqrt(23 / (1 - r * r)))
    # the t statistic reproduces the p-value through Student's t on n - 2 df
    if alternative == "two-sided":
        close(ours.p_value, 2 * ss.t.sf(abs(ours.statistic), 23))


def test_spearmanr(rng):
    x = rng.normal(size=30)
    y = np.exp(x) + rng.normal(scale=0.5, size=30)
    ours, ref = ls.spearmanr(x, y), ss.spearmanr(x, y)
    close([ours.estimate, ours.p_value], [ref.statistic, ref.pvalue])
    z, half = math.atanh(ref.statistic), 1.959963984540054 * math.sqrt(1.06 / 27)
    close(ours.confidence_interval(), (math.tanh(z - half), math.tanh(z + half)))


def test_shapiro(rng):
    x = rng.gamma(2.0, size=40)
    ours, ref = ls.shapiro(x), ss.shapiro(x)
    close([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue])
    assert not ours.has_confidence_interval
    with pytest.raises(ParameterError, match="gives no confidence interval"):
        ours.confidence_interval()


def test_result_unpacks_and_one_sided_interval():
    statistic, p_value = ls.ttest_1samp([1.0, 2.0, 3.0, 4.0], 0.0, alternative="greater")
    assert statistic > 0 and p_value < 0.05
    low, high = ls.ttest_1samp([1.0, 2.0, 3.0, 4.0], alternative="greater").confidence_interval()
    assert math.isinf(high) and low > 0


def test_conclusions_on_clear_cases():
    clear = ls.ttest_ind([10.1, 10.3, 9.9, 10.2, 10.0], [5.0, 5.2, 4.9, 5.1, 5.3])
    text = str(clear)
    assert text.startswith("The means differ:")
    assert f"Welch t({clear.df:.3g}) = " in text and "p < 0.001" in text
    assert "95% CI" in text and "Cohen's d" in text and text.count(".") >= 1

    null = ls.ttest_ind([1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 2.0])
    text = null.conclusion()
    assert text.startswith("No evidence that the means differ:")
    assert f"p = {null.p_value:.3f}" in text
    assert f"= {null.statistic:.3g}" in text

    assert ls.shapiro(np.linspace(0, 1, 20) ** 8).conclusion().startswith("The data are not")
    assert (
        ls.pearsonr([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
        .conclusion(alpha=0.01)
        .startswith("No evidence that the variables are correlated")
    )
    assert "99% CI" in ls.pearsonr([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]).conclusion(alpha=0.01)


def test_bad_input():
    with pytest.raises(DataValidationError, match="NaN or infinite"):
        ls.ttest_1samp([1.0, np.nan, 3.0])
    with pytest.raises(DataValidationError, match="at least 2"):
        ls.ttest_ind([1.0], [2.0, 3.0])
    with pytest.raises(DataValidationError, match="same length"):
        ls.ttest_rel([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(DataValidationError, match="must be 1-D"):
        ls.mannwhitneyu([[1.0, 2.0]], [1.0, 2.0])
    with pytest.raises(DataTypeError, match="must be numbers"):
        ls.wilcoxon(["a", "b"])
    with pytest.raises(ParameterError, match="'alternative' parameter"):
        ls.ttest_1samp([1.0, 2.0], alternative="two_sided")
    with pytest.raises(DataValidationError, match="at least two samples"):
        ls.f_oneway([1.0, 2.0])
    with pytest.raises(DataValidationError, match="constant"):
        ls.pearsonr([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="'level' parameter"):
        ls.ttest_1samp([1.0, 2.0, 4.0]).confidence_interval(95)
