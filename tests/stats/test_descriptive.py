"""describe against pandas and SciPy; the median interval against the binomial argument."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.stats import describe
from lemma.stats.descriptive import median_interval


def test_matches_pandas_and_scipy(rng):
    x = rng.gamma(2.0, size=57)
    x[[3, 10]] = np.nan
    frame = pd.DataFrame({"x": x, "y": rng.normal(size=57)})
    ours = describe(frame, level=0.9)
    for name in frame:
        column = frame[name]
        values = column.dropna().to_numpy()
        got = ours[name]
        assert got["count"] == column.count() and got["missing"] == column.isna().sum()
        for ours_key, theirs in [
            ("mean", column.mean()),
            ("std", column.std()),
            ("min", column.min()),
            ("25%", column.quantile(0.25)),
            ("median", column.median()),
            ("75%", column.quantile(0.75)),
            ("max", column.max()),
            ("skew", column.skew()),
            ("kurtosis", column.kurt()),
        ]:
            assert got[ours_key] == pytest.approx(theirs, rel=1e-12), ours_key
        ci = ss.ttest_1samp(values, 0.0).confidence_interval(0.9)
        assert (got["mean_ci_low"], got["mean_ci_high"]) == pytest.approx(tuple(ci), rel=1e-12)
        ci = ss.quantile_test(values, p=0.5).confidence_interval(0.9)
        assert (got["median_ci_low"], got["median_ci_high"]) == pytest.approx(tuple(ci))


@pytest.mark.parametrize("n", [6, 7, 10, 17, 30, 101])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_median_interval_is_the_binomial_order_statistic_interval(n, level):
    x = np.arange(1.0, n + 1)  # x_(i) = i
    low, high = median_interval(x, level)
    if math.isnan(low):
        assert 2 * ss.binom.cdf(0, n, 0.5) > 1 - level  # even [min, max] falls short
        return
    j = int(low)
    assert high == n - j + 1
    coverage = 1 - 2 * ss.binom.cdf(j - 1, n, 0.5)
    assert coverage >= level
    assert 1 - 2 * ss.binom.cdf(j, n, 0.5) < level  # j is the largest that qualifies


def test_median_interval_covers(seed):
    rng = np.random.default_rng(seed)
    true_median = ss.lognorm(1.0).median()
    hits = sum(
        low <= true_median <= high
        for low, high in (median_interval(rng.lognormal(size=25), 0.9) for _ in range(300))
    )
    assert hits / 300 >= 0.86  # at least 0.90 by construction, less Monte Carlo error


def test_small_and_edge_cases():
    table = describe([1.0, 2.0, 3.0])
    assert np.isnan(table.loc["median_ci_low", "x"]) and np.isnan(table.loc["kurtosis", "x"])
    assert table.loc["skew", "x"] == pytest.approx(0.0)
    series = describe(pd.Series([1.0, np.nan, 3.0], name="age"))
    assert list(series.columns) == ["age"] and series.loc["missing", "age"] == 1
    constant = describe([2.0, 2.0, 2.0, 2.0, 2.0])
    assert constant.loc["std", "x"] == 0 and np.isnan(constant.loc["skew", "x"])
    matrix = describe(np.arange(12.0).reshape(6, 2), quantiles=(0.1, 0.5))
    assert list(matrix.columns) == [0, 1] and "10%" in matrix.index


def test_bad_input():
    with pytest.raises(DataTypeError, match=r"\['name'\] are not"):
        describe(pd.DataFrame({"name": ["a", "b"], "x": [1.0, 2.0]}))
    with pytest.raises(DataValidationError, match="infinite"):
        describe([1.0, np.inf])
    with pytest.raises(DataValidationError, match="1-D or 2-D"):
        describe(np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError, match="quantiles"):
        describe([1.0, 2.0], quantiles=(50,))
    with pytest.raises(ParameterError, match="'level' parameter"):
        describe([1.0, 2.0], level=0)
