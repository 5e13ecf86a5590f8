"""Power and sample size against statsmodels.stats.power and the noncentral-t formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss
from statsmodels.stats.power import NormalIndPower, TTestIndPower, TTestPower

from lemma.exceptions import ParameterError
from lemma.stats import cohens_h, power_proportions, power_ttest

SM_ALTERNATIVE = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}
ALTERNATIVES = list(SM_ALTERNATIVE)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("effect", [0.2, 0.5, -0.3, 1.1])
@pytest.mark.parametrize("n", [5, 12.5, 80])
def test_t_power_matches_statsmodels(alternative, effect, n):
    sm = SM_ALTERNATIVE[alternative]
    one = power_ttest(effect, n, 0.05, kind="one-sample", alternative=alternative)
    ref = TTestPower().power(effect, n, 0.05, alternative=sm)
    if np.isnan(ref):  # statsmodels returns NaN once the power saturates (n=80, d=1.1)
        assert one == pytest.approx(1.0, abs=1e-12)
    else:
        assert one == pytest.approx(ref, rel=1e-10)
    paired = power_ttest(effect, n, 0.01, kind="paired", alternative=alternative)
    assert paired == pytest.approx(TTestPower().power(effect, n, 0.01, alternative=sm), rel=1e-10)
    two = power_ttest(effect, n, 0.05, alternative=alternative, ratio=1.5)
    ref = TTestIndPower().power(effect, n, 0.05, ratio=1.5, alternative=sm)
    assert two == pytest.approx(ref, rel=1e-10)


def test_t_power_by_the_noncentral_t_formula():
    # two samples of 20, d = 0.6: df = 38, λ = 0.6·√(20·20/40)
    df, nc = 38, 0.6 * math.sqrt(10)
    crit = ss.t.ppf(0.975, df)
    expected = ss.nct.sf(crit, df, nc) + ss.nct.cdf(-crit, df, nc)
    assert power_ttest(0.6, 20) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kind", ["one-sample", "paired", "two-sample"])
@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_t_solve_for_n_and_effect(kind, alternative):
    sm = SM_ALTERNATIVE[alternative]
    reference = TTestIndPower() if kind == "two-sample" else TTestPower()
    size = "nobs1" if kind == "two-sample" else "nobs"
    n = power_ttest(0.4, power=0.85, kind=kind, alternative=alternative)
    assert power_ttest(0.4, n, kind=kind, alternative=alternative) == pytest.approx(0.85, abs=1e-12)
    ref_n = reference.solve_power(0.4, alpha=0.05, power=0.85, alternative=sm, **{size: None})
    assert n == pytest.approx(ref_n, rel=1e-7)
    effect = power_ttest(n=40, power=0.7, kind=kind, alternative=alternative)
    assert power_ttest(effect, 40, kind=kind, alternative=alternative) == pytest.approx(
        0.7, abs=1e-12
    )
    # statsmodels stops its root finder early (its answer's power is off by ~2e-6)
    ref_effect = reference.solve_power(None, alpha=0.05, power=0.7, alternative=sm, **{size: 40})
    assert effect == pytest.approx(ref_effect, rel=1e-5)


def test_less_alternative_solves_a_negative_effect():
    effect = power_ttest(n=25, power=0.8, kind="one-sample", alternative="less")
    assert effect < 0
    assert power_ttest(effect, 25, kind="one-sample", alternative="less") == pytest.approx(0.8)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("ratio", [1.0, 0.5, 3.0])
def test_proportion_power_matches_statsmodels(alternative, ratio):
    sm = SM_ALTERNATIVE[alternative]
    h = cohens_h(0.6, 0.45)
    ours = power_proportions(h, 70, 0.05, alternative=alternative, ratio=ratio)
    ref = NormalIndPower().power(h, 70, 0.05, ratio=ratio, alternative=sm)
    assert ours == pytest.approx(ref, rel=1e-10)
    one = power_proportions(h, 70, 0.05, kind="one-sample", alternative=alternative)
    assert one == pytest.approx(NormalIndPower().power(h, 70, 0.05, ratio=0, alternative=sm))
    n = power_proportions(
        h, power=0.9, alternative=alternative if alternative != "less" else "greater", ratio=ratio
    )
    ref_n = NormalIndPower().solve_power(
        h,
        nobs1=None,
        alpha=0.05,
        power=0.9,
        ratio=ratio,
        alternative=sm if alternative != "less" else "larger",
    )
    assert n == pytest.approx(ref_n, rel=1e-7)


def test_one_sided_proportion_n_has_a_closed_form():
    # one-sided, one sample: n = ((z_{1-α} + z_{power}) / h)²
    h = 0.25
    expected = ((ss.norm.ppf(0.95) + ss.norm.ppf(0.8)) / h) ** 2
    ours = power_proportions(h, power=0.8, kind="one-sample", alternative="greater")
    assert ours == pytest.approx(expected, rel=1e-10)


def test_power_grows_with_n_and_effect():
    ns = np.arange(5, 200, 15)
    powers = [power_ttest(0.3, n) for n in ns]
    assert np.all(np.diff(powers) > 0)
    effects = np.linspace(0.05, 1.5, 10)
    assert np.all(np.diff([power_proportions(e, 50) for e in effects]) > 0)


def test_bad_input():
    with pytest.raises(ParameterError, match="exactly one of effect_size, n and power"):
        power_ttest(0.5)
    with pytest.raises(ParameterError, match="exactly one"):
        power_ttest(0.5, 10, power=0.8)
    with pytest.raises(ParameterError, match="'kind' parameter"):
        power_ttest(0.5, 10, kind="welch")
    with pytest.raises(ParameterError, match="'kind' parameter"):
        power_proportions(0.5, 10, kind="paired")
    with pytest.raises(ParameterError, match="n must be a number >= 2"):
        power_ttest(0.5, 1, kind="paired")
    with pytest.raises(ParameterError, match="'power' parameter"):
        power_ttest(0.5, power=1.2)
    with pytest.raises(ParameterError, match="No sample size"):
        power_ttest(0.5, power=0.8, alternative="less")
    with pytest.raises(ParameterError, match="more power than alpha"):
        power_ttest(n=20, power=0.01)
    with pytest.raises(ParameterError, match="ratio"):
        power_ttest(0.5, 10, ratio=0)
