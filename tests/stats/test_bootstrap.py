"""Bootstrap intervals against scipy.stats.bootstrap (same resamples) and by coverage."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as ss

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.stats import bootstrap_ci
from lemma.stats.bootstrap import jackknife_acceleration

METHODS = ["percentile", "basic", "bca"]


def mean_difference(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


@pytest.mark.parametrize("method", METHODS)
def test_one_sample_matches_scipy(seed, method):
    x = np.random.default_rng(seed).lognormal(size=40)
    ours = bootstrap_ci(np.median, x, n_boot=999, method=method, random_state=seed + 1)
    ref = ss.bootstrap(
        (x,),
        np.median,
        n_resamples=999,
        method=method,
        random_state=np.random.RandomState(seed + 1),
        vectorized=False,
    )
    np.testing.assert_allclose(ours.conf_int, tuple(ref.confidence_interval), rtol=1e-10)
    np.testing.assert_allclose(ours.replicates, ref.bootstrap_distribution, rtol=1e-12)
    np.testing.assert_allclose(ours.std_err, ref.standard_error, rtol=1e-10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("paired", [True, False])
@pytest.mark.parametrize("vectorized", [True, False])
def test_two_samples_match_scipy(seed, method, paired, vectorized):
    rng = np.random.default_rng(seed)
    x, y = rng.gamma(2.0, size=30), rng.normal(size=30 if paired else 25)
    statistic = mean_difference if vectorized else (lambda a, b: a.mean() - b.mean())
    ours = bootstrap_ci(
        statistic,
        x,
        y,
        n_boot=500,
        level=0.9,
        method=method,
        random_state=7,
        paired=paired,
        vectorized=vectorized,
    )
    ref = ss.bootstrap(
        (x, y),
        mean_difference,
        n_resamples=500,
        confidence_level=0.9,
        method=method,
        random_state=np.random.RandomState(7),
        paired=paired,
    )
    np.testing.assert_allclose(ours.conf_int, tuple(ref.confidence_interval), rtol=1e-10)


def test_acceleration_is_efrons_formula(rng):
    x = rng.exponential(size=25)
    theta = np.array([np.delete(x, i).var() for i in range(25)])
    d = theta.mean() - theta
    expected = (d**3).sum() / (6 * (d**2).sum() ** 1.5)
    got = jackknife_acceleration(lambda s: s.var(), [x], True, False)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_coverage_of_the_mean(seed, method):
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(200):
        x = rng.normal(1.0, 2.0, size=40)
        low, high = bootstrap_ci(
            np.mean,
            x,
            n_boot=400,
            level=0.9,
            method=method,
            random_state=rng,
            vectorized=True,
        ).conf_int
        hits += low <= 1.0 <= high
    # nominal 0.90; bootstrap intervals run slightly short at n = 40 (binomial sd 0.021)
    assert 0.82 <= hits / 200 <= 0.96


def test_result_fields(rng):
    x = rng.normal(size=30)
    result = bootstrap_ci(np.mean, x, n_boot=300, random_state=0, vectorized=True)
    assert result.estimate == pytest.approx(x.mean())
    assert result.bias == pytest.approx(result.replicates.mean() - x.mean())
    assert result.replicates.shape == (300,) and result.method == "percentile"
    # the same seed gives the same interval
    again = bootstrap_ci(np.mean, x, n_boot=300, random_state=0, vectorized=True)
    assert again.conf_int == result.conf_int


def test_bca_warns_when_undefined():
    x = np.arange(20.0)  # every resample has fewer distinct values than the sample
    with pytest.warns(NumericalWarning, match="BCa interval is undefined"):
        result = bootstrap_ci(lambda s: np.unique(s).size, x, n_boot=200, method="bca")
    assert np.isnan(result.conf_int).all()


def test_bad_input():
    with pytest.raises(ParameterError, match="'method' parameter"):
        bootstrap_ci(np.mean, [1.0, 2.0, 3.0], method="studentized")
    with pytest.raises(ParameterError, match="'n_boot' parameter"):
        bootstrap_ci(np.mean, [1.0, 2.0, 3.0], n_boot=0)
    with pytest.raises(DataValidationError, match="same length"):
        bootstrap_ci(mean_difference, [1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(DataValidationError, match="at least 2"):
        bootstrap_ci(np.mean, [1.0])
    with pytest.raises(DataValidationError, match="at least one sample"):
        bootstrap_ci(np.mean)
