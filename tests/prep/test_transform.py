"""Power, quantile, log and clipping transforms against SciPy/scikit-learn and their math."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import preprocessing as skp

from lemma.exceptions import DataValidationError, ParameterError
from lemma.prep import LogTransformer, OutlierClipper, PowerTransformer, QuantileTransformer
from lemma.prep.transform import _yeo_johnson_loglik

TOL = 1e-10


def _close(a, b, tol=TOL):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _skewed(rng, n=200, nan_share=0.0):
    X = np.column_stack(
        [rng.lognormal(size=n), rng.gamma(2.0, size=n) + 0.1, 100 * rng.exponential(size=n) + 1]
    )
    if nan_share:
        X[rng.random(X.shape) < nan_share] = np.nan
    return X


# ----------------------------------------------------------------------------- power
@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("nan_share", [0.0, 0.1])
def test_power_matches_sklearn(rng, method, standardize, nan_share):
    X = _skewed(rng, nan_share=nan_share)
    if method == "yeo-johnson":
        X[:, 0] -= 2.0  # negative values too
    ours = PowerTransformer(method, standardize=standardize).fit(X)
    theirs = skp.PowerTransformer(method=method, standardize=standardize).fit(X)
    _close(ours.lambdas_, theirs.lambdas_)
    _close(ours.transform(X), theirs.transform(X))
    _close(ours.inverse_transform(ours.transform(X)), X, tol=1e-9)


def test_yeo_johnson_lambda_maximises_the_likelihood(rng):
    x = rng.gamma(1.5, size=300) - 0.5
    lam = PowerTransformer(standardize=False).fit(x[:, None]).lambdas_[0]
    assert lam == pytest.approx(stats.yeojohnson_normmax(x), abs=1e-7)
    grid = np.linspace(lam - 1, lam + 1, 201)
    best = stats.yeojohnson_llf(lam, x)
    assert np.all([stats.yeojohnson_llf(g, x) <= best + 1e-9 for g in grid])
    jacobian = np.sum(np.sign(x) * np.log1p(np.abs(x)))
    assert _yeo_johnson_loglik(lam, x, jacobian) == pytest.approx(best, rel=1e-12)


def test_box_cox_lambda_maximises_the_likelihood(rng):
    x = rng.lognormal(sigma=0.7, size=300)
    lam = PowerTransformer("box-cox").fit(x[:, None]).lambdas_[0]
    grid = np.linspace(lam - 1, lam + 1, 201)
    assert np.all([stats.boxcox_llf(g, x) <= stats.boxcox_llf(lam, x) + 1e-9 for g in grid])


def test_power_output_standardised_and_constant_column():
    X = np.column_stack([np.full(20, 3.0), np.linspace(1.0, 50.0, 20) ** 2])
    pt = PowerTransformer().fit(X)
    assert pt.lambdas_[0] == 1.0
    Z = pt.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 1].std(), 1.0, rtol=1e-12)


def test_box_cox_refuses_non_positive_naming_columns():
    X = pd.DataFrame({"ok": [1.0, 2.0, 3.0], "income": [0.0, 5.0, 7.0]})
    with pytest.raises(DataValidationError, match=r"strictly positive.*\['income'\]"):
        PowerTransformer("box-cox").fit(X)


def test_power_all_nan_column_refused():
    X = np.column_stack([np.full(4, np.nan), np.arange(4.0)])
    with pytest.raises(DataValidationError, match="Column 0 has no observed values"):
        PowerTransformer().fit(X)


# ----------------------------------------------------------------------------- quantile
@pytest.mark.parametrize("output_distribution", ["uniform", "normal"])
@pytest.mark.parametrize("n_quantiles", [50, 1000])
def test_quantile_matches_sklearn(rng, output_distribution, n_quantiles):
    X = _skewed(rng, n=300, nan_share=0.05)
    X[:40, 1] = 2.0  # repeated values: repeated quantiles
    X_new = _skewed(rng, n=50) * 1.5
    params = {"n_quantiles": n_quantiles, "output_distribution": output_distribution}
    ours, theirs = QuantileTransformer(**params).fit(X), skp.QuantileTransformer(**params)
    with pytest.warns(UserWarning) if n_quantiles > 300 else _quiet():
        theirs.fit(X)
    _close(ours.quantiles_, theirs.quantiles_)
    _close(ours.transform(X_new), theirs.transform(X_new))
    Z = ours.transform(X)
    _close(ours.inverse_transform(Z), theirs.inverse_transform(Z))


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def test_quantile_subsample_draws_sklearns_rows(rng, seed):
    X = _skewed(rng, n=500)
    params = {"n_quantiles": 30, "subsample": 120, "random_state": seed}
    ours, theirs = QuantileTransformer(**params).fit(X), skp.QuantileTransformer(**params).fit(X)
    _close(ours.quantiles_, theirs.quantiles_)
    _close(ours.transform(X), theirs.transform(X))


def test_quantile_uniform_output_and_round_trip(rng):
    X = rng.normal(size=(400, 2))
    qt = QuantileTransformer(n_quantiles=400).fit(X)
    U = qt.transform(X)
    assert U.min() == 0.0 and U.max() == 1.0
    np.testing.assert_allclose(np.sort(U[:, 0]), np.linspace(0, 1, 400), atol=1e-12)
    _close(qt.inverse_transform(U), X, tol=1e-9)


def test_quantile_bad_parameters():
    with pytest.raises(ParameterError, match="greater than subsample"):
        QuantileTransformer(n_quantiles=100, subsample=10).fit(np.ones((5, 1)))


# ----------------------------------------------------------------------------- log
def test_log_transformer_is_log_and_inverts(rng):
    X = rng.exponential(size=(30, 2))
    _close(LogTransformer().fit_transform(X), np.log1p(X))
    _close(LogTransformer("log", offset=1.0).fit_transform(X), np.log(X + 1.0))
    lt = LogTransformer("log", offset=0.5).fit(X)
    _close(lt.inverse_transform(lt.transform(X)), X)


def test_log_refuses_values_outside_its_domain_naming_columns():
    X = pd.DataFrame({"price": [1.0, 3.0], "change": [0.0, -2.0]})
    with pytest.raises(DataValidationError, match=r"columns \['change'\].*raise offset above 2"):
        LogTransformer("log").fit(X)
    LogTransformer("log", offset=2.5).fit(X)
    with pytest.raises(DataValidationError, match=r"x \+ offset > -1"):
        LogTransformer().fit(X)


# ----------------------------------------------------------------------------- clipping
def test_clipper_quantile_bounds_are_percentiles(rng):
    X = rng.standard_t(2, size=(500, 3))
    X[::17, 1] = np.nan
    clipper = OutlierClipper(lower=0.05, upper=0.9).fit(X)
    _close(clipper.lower_bounds_, np.nanpercentile(X, 5, axis=0))
    _close(clipper.upper_bounds_, np.nanpercentile(X, 90, axis=0))
    Z = clipper.transform(X)
    assert np.array_equal(np.isnan(Z), np.isnan(X))
    assert np.all(np.nanmin(Z, axis=0) >= clipper.lower_bounds_)
    assert np.all(np.nanmax(Z, axis=0) <= clipper.upper_bounds_)


def test_clipper_iqr_fences(rng):
    X = rng.normal(size=(200, 2))
    q1, q3 = np.percentile(X, [25, 75], axis=0)
    clipper = OutlierClipper("iqr", factor=3.0).fit(X)
    _close(clipper.lower_bounds_, q1 - 3 * (q3 - q1))
    _close(clipper.upper_bounds_, q3 + 3 * (q3 - q1))
    with pytest.raises(ParameterError, match="lower < upper"):
        OutlierClipper(lower=0.9, upper=0.1).fit(X)
