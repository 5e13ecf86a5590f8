"""Univariate scores against scikit-learn, SciPy and their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn import feature_selection as skfs

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.features import (
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
    r_regression,
)

TOL = 1e-10


def _close(a, b, tol=TOL):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _classification(rng, n=200, d=5, k=3):
    y = rng.integers(0, k, size=n)
    X = rng.normal(size=(n, d))
    X[:, 0] += y
    X[:, 2] -= 0.3 * y
    return X, y


def test_f_classif_matches_sklearn_and_scipy(rng):
    X, y = _classification(rng)
    f, p = f_classif(X, y)
    f_sk, p_sk = skfs.f_classif(X, y)
    _close(f, f_sk)
    _close(p, p_sk)
    for j in range(X.shape[1]):
        expected = stats.f_oneway(*(X[y == c, j] for c in np.unique(y)))
        assert f[j] == pytest.approx(expected.statistic, rel=1e-12)


def test_f_classif_string_labels_and_degenerate_columns():
    X = np.array([[1.0, 5.0, 2.0], [1.0, 5.0, 2.0], [1.0, 7.0, 3.0], [1.0, 7.0, 5.0]])
    y = np.array(["a", "a", "b", "b"])
    with pytest.warns(NumericalWarning, match=r"Features \[0\] are constant"):
        f, p = f_classif(X, y)
    assert np.isnan(f[0]) and np.isnan(p[0])
    assert f[1] == np.inf and p[1] == 0.0  # constant within each class, not overall
    assert np.isfinite(f[2])


def test_f_regression_matches_sklearn(rng):
    X = rng.normal(size=(100, 4)) + np.array([0.0, 5.0, -3.0, 0.0])
    y = X[:, 0] - 0.5 * X[:, 2] + rng.normal(size=100)
    for center in (True, False):
        f, p = f_regression(X, y, center=center)
        f_sk, p_sk = skfs.f_regression(X, y, center=center)
        _close(f, f_sk, 1e-9)
        _close(p, p_sk, 1e-9)
        _close(r_regression(X, y, center=center), skfs.r_regression(X, y, center=center), 1e-12)
    slope = stats.linregress(X[:, 0], y)
    assert f_regression(X, y)[1][0] == pytest.approx(slope.pvalue, rel=1e-10)


def test_f_regression_force_finite(rng):
    x = rng.normal(size=20)
    X = np.column_stack([x, np.ones(20), rng.normal(size=20)])
    f, p = f_regression(X, 2 * x + 1)
    assert f[0] > 1e14 and p[0] < 1e-100  # r = 1 up to rounding
    assert f[1] == 0.0 and p[1] == 1.0  # constant feature
    assert skfs.f_regression(X, 2 * x + 1)[0][1] == 0.0
    exact = np.array([[1.0], [-1.0], [1.0], [-1.0]])  # r = 1 exactly
    f, p = f_regression(exact, exact.ravel())
    assert f[0] == np.finfo(np.float64).max and p[0] == 0.0
    with np.errstate(all="ignore"):
        f_raw, _ = f_regression(X[:, 1:], 2 * x + 1, force_finite=False)
        assert np.isinf(f_regression(exact, exact.ravel(), force_finite=False)[0][0])
    assert np.isnan(f_raw[0])


@pytest.mark.parametrize("k", [2, 4])
def test_chi2_matches_sklearn_and_contingency_test(rng, k):
    y = rng.integers(0, k, size=150)
    X = rng.poisson(lam=2.0, size=(150, 3)).astype(float)
    X[:, 1] += y
    stat, p = chi2(X, y)
    stat_sk, p_sk = skfs.chi2(X, y)
    _close(stat, stat_sk)
    _close(p, p_sk)
    # for 0/1 features, the statistic on column j is Pearson's χ² of the table of
    # (class, x_j = 1) counts against proportional expectation: scipy's chisquare
    indicator = (X[:, :1] > 2).astype(float)
    observed = np.array([indicator[y == c, 0].sum() for c in range(k)])
    expected = np.bincount(y, minlength=k) / y.size * indicator.sum()
    assert chi2(indicator, y)[0][0] == pytest.approx(stats.chisquare(observed, expected)[0])


def test_chi2_refuses_negative_values():
    with pytest.raises(DataValidationError, match=r"columns \[1\] have negative"):
        chi2(np.array([[1.0, -1.0], [2.0, 3.0]]), [0, 1])


def test_mutual_information_equals_sklearn_for_the_same_seed(seed):
    rng = np.random.default_rng(seed)
    X, y = _classification(rng, n=300)
    X[:, 3] = rng.integers(0, 4, size=300)
    y_num = X[:, 0] ** 2 + rng.normal(size=300)
    for discrete in ("auto", [3], np.array([False, False, False, True, False])):
        _close(
            mutual_info_classif(X, y, discrete_features=discrete, random_state=seed),
            skfs.mutual_info_classif(X, y, discrete_features=discrete, random_state=seed),
        )
        _close(mutual_info_regression(X, y_num, discrete_features=discrete, random_state=seed),
               skfs.mutual_info_regression(X, y_num, discrete_features=discrete,
                                           random_state=seed))  # fmt: skip
    both = mutual_info_classif(X[:, [3]], y, discrete_features=True, random_state=seed)
    _close(both, skfs.mutual_info_classif(X[:, [3]], y, discrete_features=True))


def test_mutual_information_of_gaussians_is_the_closed_form(rng):
    # I(X; Y) = −½ log(1 − ρ²) for a bivariate normal with correlation ρ
    rho = 0.8
    x = rng.normal(size=4000)
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=4000)
    estimate = mutual_info_regression(x[:, None], y, random_state=0)[0]
    assert estimate == pytest.approx(-0.5 * np.log(1 - rho**2), abs=0.05)
    independent = mutual_info_regression(rng.normal(size=(2000, 1)), y[:2000], random_state=0)
    assert independent[0] < 0.03


def test_mutual_information_bad_input(rng):
    X, y = _classification(rng, n=30)
    with pytest.raises(ParameterError, match="n_neighbors"):
        mutual_info_classif(X, y, n_neighbors=0)
    with pytest.raises(ParameterError, match="discrete_features"):
        mutual_info_classif(X, y, discrete_features="some")
    with pytest.raises(ParameterError, match="mask needs 5"):
        mutual_info_classif(X, y, discrete_features=np.array([True, False]))
