"""Maximum-likelihood inference of LogisticRegression and PoissonRegressor against statsmodels.

statsmodels' ``Logit``, ``MNLogit`` and ``GLM`` (with ``freq_weights`` for weighted
fits) are the references; lemma's sample weights are frequency weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.calculus import numerical_hessian
from lemma.exceptions import SeparationWarning
from lemma.models.linear import LogisticRegression, PoissonRegressor

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-6


def _design(rng, n=300, d=3):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d)
    return X, sm.add_constant(X)


def _binary(rng, n=300, d=3):
    X, Z = _design(rng, n, d)
    eta = 0.3 + X @ rng.normal(scale=0.7, size=d)
    return X, Z, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)


def _close(ours, theirs, rtol=RTOL):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=rtol)


def _close_p(ours, theirs):
    """p-values compared on the log scale: a p of 1e-74 has no 6 significant digits
    (a relative error δ in z moves it by z²δ); both must underflow to 0 together."""
    ours, theirs = np.ravel(np.asarray(ours, float)), np.ravel(np.asarray(theirs, float))
    assert np.array_equal(ours == 0, theirs == 0)
    _close(-np.log(ours[theirs > 0]), -np.log(theirs[theirs > 0]))


def test_binary_matches_statsmodels_logit(rng):
    X, Z, y = _binary(rng)
    res = LogisticRegression(None, tol=1e-10).fit(X, y).result_
    ref = sm.Logit(y, Z).fit(disp=0, method="newton", tol=1e-12)
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close(res.z, ref.tvalues)
    _close_p(res.p_value, ref.pvalues)
    _close(res.conf_int(), ref.conf_int())
    for name in ("llf", "llnull", "llr", "aic", "bic"):
        _close(getattr(res, name), getattr(ref, name))
    _close_p(res.llr_pvalue, ref.llr_pvalue)
    _close(res.pseudo_rsquared, ref.prsquared)
    assert res.nobs == ref.nobs and res.df_model == ref.df_model


def test_binary_without_intercept_matches_statsmodels(rng):
    X, _, y = _binary(rng)
    res = LogisticRegression(None, fit_intercept=False, tol=1e-10).fit(X, y).result_
    ref = sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-12)
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close(res.llf, ref.llf)


def test_weighted_binary_matches_glm_with_frequency_weights(rng):
    X, Z, y = _binary(rng)
    w = rng.integers(1, 5, size=y.size).astype(float)
    res = LogisticRegression(None, tol=1e-10).fit(X, y, sample_weight=w).result_
    ref = sm.GLM(y, Z, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-13)
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close_p(res.p_value, ref.pvalues)
    _close(res.llf, ref.llf)
    _close(res.llnull, ref.llnull)
    _close(res.aic, ref.aic)
    _close(res.bic, ref.bic_llf)
    assert res.nobs == ref.model.wnobs == w.sum()


def _multinomial(rng, n=400, d=3, K=4):
    X, Z = _design(rng, n, d)
    y = np.argmax(X @ rng.normal(size=(d, K)) + rng.gumbel(size=(n, K)), axis=1)
    return X, Z, np.array(["a", "b", "c", "d"])[y]


@pytest.mark.parametrize("solver", ["auto", "newton"])
def test_multinomial_matches_statsmodels_mnlogit(rng, solver):
    X, Z, y = _multinomial(rng)
    model = LogisticRegression(None, solver=solver, tol=1e-10).fit(X, y)
    res = model.result_
    ref = sm.MNLogit(pd.Categorical(y).codes, Z).fit(disp=0, method="newton", tol=1e-12)
    assert list(res.params.columns) == ["b", "c", "d"] and res.reference_class == "a"
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close(res.z, ref.tvalues)
    _close_p(res.p_value, ref.pvalues)
    _close(res.cov_params(), ref.cov_params())
    for name in ("llf", "llnull", "llr", "aic", "bic"):
        _close(getattr(res, name), getattr(ref, name))
    _close(res.pseudo_rsquared, ref.prsquared)
    assert res.df_model == ref.df_model
    assert "relative to the reference class 'a'" in str(model.summary())


def test_weighted_multinomial_equals_replicated_rows(rng):
    """Integer frequency weights: MNLogit on each row repeated wᵢ times is the reference."""
    X, Z, y = _multinomial(rng, n=200)
    w = rng.integers(1, 4, size=y.size)
    res = LogisticRegression(None, tol=1e-10).fit(X, y, sample_weight=w.astype(float)).result_
    rows = np.repeat(np.arange(y.size), w)
    ref = sm.MNLogit(pd.Categorical(y[rows]).codes, Z[rows]).fit(disp=0, method="newton",
                                                                   tol=1e-12)  # fmt: skip
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close(res.llf, ref.llf)
    _close(res.bic, ref.bic)
    assert res.nobs == w.sum()


@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_matches_statsmodels_glm(rng, weighted):
    X, Z = _design(rng)
    y = rng.poisson(np.exp(0.4 + X @ rng.normal(scale=0.3, size=X.shape[1]))).astype(float)
    w = rng.integers(1, 5, size=y.size).astype(float) if weighted else None
    res = PoissonRegressor(alpha=0.0, tol=1e-10).fit(X, y, sample_weight=w).result_
    ref = sm.GLM(y, Z, family=sm.families.Poisson(), freq_weights=w).fit(tol=1e-13)
    _close(res.params, ref.params)
    _close(res.std_err, ref.bse)
    _close_p(res.p_value, ref.pvalues)
    _close(res.conf_int(), ref.conf_int())
    for ours, theirs in [("llf", "llf"), ("llnull", "llnull"), ("aic", "aic"),
                         ("deviance", "deviance"), ("bic", "bic_llf")]:  # fmt: skip
        _close(getattr(res, ours), getattr(ref, theirs))
    assert res.nobs == ref.model.wnobs


@pytest.mark.parametrize("K", [2, 3])
def test_covariance_is_the_inverse_hessian_of_the_log_likelihood(rng, K):
    """The Fisher information of a canonical-link GLM is −∇²ℓ (a finite-difference check)."""
    X, _ = _design(rng, n=120, d=2)
    y = np.argmax(X @ rng.normal(size=(2, K)) + rng.gumbel(size=(120, K)), axis=1)
    model = LogisticRegression(None, tol=1e-10).fit(X, y)
    theta0 = np.asarray(model.result_.params).ravel(order="F")

    def negative_log_likelihood(theta):
        B = theta.reshape(3, K - 1, order="F")  # rows: intercept, x0, x1
        eta = np.column_stack([np.zeros(len(y)), B[0] + X @ B[1:]])
        return float(np.sum(np.logaddexp.reduce(eta, axis=1) - eta[np.arange(len(y)), y]))

    hessian = numerical_hessian(negative_log_likelihood, theta0, from_gradient=False)
    np.testing.assert_allclose(model.result_.cov, np.linalg.inv(hessian), rtol=1e-4)


def test_unpenalised_summary_has_inference_and_penalised_does_not(rng):
    X, _, y = _binary(rng)
    ml = LogisticRegression(None).fit(X, y).summary().to_frame()
    assert {"coef", "std_err", "z", "p_value"} <= set(ml.columns)
    assert list(ml.index) == ["intercept", "x0", "x1", "x2"]
    penalised = LogisticRegression(C=1.0).fit(X, y).summary().to_frame()
    assert list(penalised.columns) == ["coef"]


# ---------------------------------------------------------------- separation
def _separated(rng, n=80):
    y = rng.integers(0, 2, size=n)
    y[:2] = [0, 1]
    frame = pd.DataFrame({
        "age": rng.normal(size=n),
        "score": rng.normal(size=n),
        "planted": (2 * y - 1) * rng.uniform(0.2, 2.0, size=n),
    })  # fmt: skip
    return frame, y


def test_separation_is_detected_and_named(rng):
    X, y = _separated(rng)
    with pytest.warns(SeparationWarning, match=r"on its own, \['planted'\] separates"):
        model = LogisticRegression(None).fit(X, y)
    result = model.result_
    assert result.separation.separated and "planted" in result.separation.columns
    assert not result.inference_valid
    table = model.summary().to_frame()
    assert list(table.columns) == ["coef"]
    assert "separation" in str(model.summary())


def test_quasi_separation_is_detected(rng):
    X, y = _separated(rng)
    X = X[["planted"]].copy()
    X.loc[0, "planted"] = 0.0
    X.loc[1, "planted"] = 0.0  # one row of each class on the boundary: quasi-complete
    with pytest.warns(SeparationWarning, match="quasi-completely separated"):
        model = LogisticRegression(None).fit(X, y)
    assert model.result_.separation.separated and not model.result_.separation.complete


def test_penalised_fit_on_separated_data_is_fine(rng):
    X, y = _separated(rng)
    model = LogisticRegression(C=1.0).fit(X, y)  # no warning (warnings are errors here)
    assert np.all(np.isfinite(model.coef_)) and model.converged_
    assert model.score(X, y) == 1.0
