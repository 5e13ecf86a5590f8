"""LinearRegression against statsmodels OLS/WLS (every summary statistic, HC0-HC3),
scikit-learn, and its mathematical properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.models.linear import LinearRegression
from tests.linear.exact import exact_ols

RTOL = 1e-8


def _well_conditioned(rng, n=200, p=4):
    X = rng.normal(size=(n, p)) * np.array([1.0, 3.0, 0.5, 10.0])[:p]
    # heteroskedastic noise so that the HC covariances differ from the classical one
    noise = rng.normal(size=n) * (0.5 + np.abs(X[:, 0]))
    y = 1.5 + X @ np.linspace(-1, 2, p) + noise
    return X, y


def _longley():
    data = sm.datasets.longley.load_pandas()
    return data.exog, data.endog


def _compare_with_statsmodels(model, reference):
    res = model.result_
    # statsmodels puts the constant first when we prepend it with add_constant.
    np.testing.assert_allclose(res.params.to_numpy(), np.asarray(reference.params), rtol=RTOL)
    np.testing.assert_allclose(res.std_err.to_numpy(), np.asarray(reference.bse), rtol=RTOL)
    np.testing.assert_allclose(res.t.to_numpy(), np.asarray(reference.tvalues), rtol=RTOL)
    np.testing.assert_allclose(res.p_value.to_numpy(), np.asarray(reference.pvalues), rtol=1e-7)
    np.testing.assert_allclose(
        res.conf_int(0.9).to_numpy(), np.asarray(reference.conf_int(0.1)), rtol=RTOL
    )
    for ours, theirs in [
        (res.rsquared, reference.rsquared),
        (res.rsquared_adj, reference.rsquared_adj),
        (res.fvalue, reference.fvalue),
        (res.f_pvalue, reference.f_pvalue),
        (res.llf, reference.llf),
        (res.aic, reference.aic),
        (res.bic, reference.bic),
        (res.scale, reference.scale),
        (res.df_model, reference.df_model),
        (res.df_resid, reference.df_resid),
    ]:
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    np.testing.assert_allclose(res.condition_number, reference.condition_number, rtol=1e-6)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3"])
def test_matches_statsmodels_ols(rng, cov_type):
    X, y = _well_conditioned(rng)
    model = LinearRegression(cov_type=cov_type).fit(X, y)
    reference = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type)
    _compare_with_statsmodels(model, reference)


def test_matches_statsmodels_on_longley():
    X, y = _longley()
    model = LinearRegression().fit(X, y)
    reference = sm.OLS(y, sm.add_constant(X)).fit()
    _compare_with_statsmodels(model, reference)
    assert list(model.result_.params.index) == ["intercept", *X.columns]


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3"])
def test_longley_standard_errors_are_exact(cov_type):
    """Longley's raw condition number is 4.9e9. Against exact rational arithmetic on the
    same float64 data, lemma's standard errors are right to 1e-10; statsmodels' robust ones
    (via the pseudo-inverse of X) are off by up to ~1e-7 — so on Longley the robust
    comparison with statsmodels can only hold to its own accuracy, 1e-6."""
    X, y = _longley()
    exact_coef, exact_se = exact_ols(X.to_numpy(), y.to_numpy(), cov_type)
    result = LinearRegression(cov_type=cov_type).fit(X, y).result_
    np.testing.assert_allclose(result.params.to_numpy(), exact_coef, rtol=1e-11)
    np.testing.assert_allclose(result.std_err.to_numpy(), exact_se, rtol=1e-10)
    reference = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type)
    np.testing.assert_allclose(result.std_err.to_numpy(), reference.bse, rtol=1e-6)
    np.testing.assert_allclose(result.p_value.to_numpy(), reference.pvalues, rtol=1e-5)
    np.testing.assert_allclose(result.fvalue, reference.fvalue, rtol=1e-6)


def test_residual_diagnostics_match_statsmodels(rng):
    from statsmodels.stats.stattools import durbin_watson, jarque_bera, omni_normtest

    X, y = _well_conditioned(rng)
    model = LinearRegression().fit(X, y)
    resid = y - model.predict(X)
    diag = model.result_.diagnostics
    jb, jb_p, skew, kurt = jarque_bera(resid)
    omni, omni_p = omni_normtest(resid)
    np.testing.assert_allclose(
        [
            diag["durbin_watson"],
            diag["jarque_bera"],
            diag["jarque_bera_p_value"],
            diag["skew"],
            diag["kurtosis"],
            diag["omnibus"],
            diag["omnibus_p_value"],
        ],
        [durbin_watson(resid), jb, jb_p, skew, kurt, omni, omni_p],
        rtol=1e-8,
    )


def test_weighted_matches_statsmodels_wls(rng):
    X, y = _well_conditioned(rng)
    w = rng.uniform(0.2, 3.0, size=len(y))
    for cov_type in ("nonrobust", "HC1", "HC3"):
        model = LinearRegression(cov_type=cov_type).fit(X, y, sample_weight=w)
        reference = sm.WLS(y, sm.add_constant(X), weights=w).fit(cov_type=cov_type)
        _compare_with_statsmodels(model, reference)


def test_no_intercept_matches_statsmodels(rng):
    X, y = _well_conditioned(rng)
    model = LinearRegression(fit_intercept=False).fit(X, y)
    reference = sm.OLS(y, X).fit()
    _compare_with_statsmodels(model, reference)


@pytest.mark.parametrize("solver", ["qr", "svd", "cholesky"])
def test_solvers_agree_with_scikit_learn(rng, solver):
    from sklearn.linear_model import LinearRegression as SkLinearRegression

    X, y = _well_conditioned(rng)
    w = rng.uniform(0.5, 2.0, size=len(y))
    ours = LinearRegression(solver=solver).fit(X, y, sample_weight=w)
    theirs = SkLinearRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)


def test_multi_target_equals_separate_fits(rng):
    X, y = _well_conditioned(rng)
    Y = np.column_stack([y, 2 * y - X[:, 1]])
    both = LinearRegression().fit(X, Y)
    assert both.coef_.shape == (2, X.shape[1]) and both.intercept_.shape == (2,)
    for k in range(2):
        single = LinearRegression().fit(X, Y[:, k])
        np.testing.assert_allclose(both.coef_[k], single.coef_, rtol=1e-10)
        np.testing.assert_allclose(both.intercept_[k], single.intercept_, rtol=1e-10)
    with pytest.raises(ParameterError, match="several targets"):
        both.summary()


def test_rank_deficient_warns_naming_columns_and_matches_scikit_learn(rng):
    from sklearn.linear_model import LinearRegression as SkLinearRegression

    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    X["a_plus_b"] = X["a"] + X["b"]
    y = X["a"] - X["c"] + rng.normal(size=50)
    with pytest.warns(NumericalWarning, match=r"rank 4 of 5.*'a', 'b'.*'a_plus_b'"):
        model = LinearRegression().fit(X, y)
    reference = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=1e-10)
    summary = model.summary()
    assert (
        summary.to_frame().loc["a_plus_b", "std_err"]
        != summary.to_frame().loc["a_plus_b", "std_err"]
    )
    assert any("Not identifiable" in note for note in summary.notes)


def test_more_columns_than_rows_reports_no_inference(rng):
    X = rng.normal(size=(5, 8))
    y = rng.normal(size=5)
    with pytest.warns(NumericalWarning, match="more coefficients"):
        model = LinearRegression().fit(X, y)
    summary = model.summary()
    assert list(summary.to_frame().columns) == ["coef"]
    assert "not defined" in summary.notes[0]


def test_float32_stays_float32(rng):
    X, y = _well_conditioned(rng)
    model = LinearRegression().fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-4)


def test_summary_renders_text_frame_and_html():
    X, y = _longley()
    summary = LinearRegression().fit(X, y).summary()
    text = summary.as_text()
    assert "Least squares: TOTEMP" in text and "R-squared" in text and "GNP" in text
    frame = summary.to_frame()
    assert {"coef", "std_err", "t", "p_value"} <= set(frame.columns)
    html = summary._repr_html_()
    assert "<table" in html and "Notes" in html
    assert any("Condition number" in note for note in summary.notes)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_change_the_fit(seed):
    rng = np.random.default_rng(seed)
    X, y = _well_conditioned(rng, n=60, p=3)
    perm = rng.permutation(len(y))
    a = LinearRegression().fit(X, y)
    b = LinearRegression().fit(X[perm], y[perm])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)
    np.testing.assert_allclose(a.result_.std_err, b.result_.std_err, rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_duplicated_rows_equal_doubled_weights(seed):
    rng = np.random.default_rng(seed)
    X, y = _well_conditioned(rng, n=40, p=3)
    twice = rng.integers(0, 2, size=len(y)).astype(bool)
    X_rep = np.vstack([X, X[twice]])
    y_rep = np.concatenate([y, y[twice]])
    weights = 1.0 + twice
    a = LinearRegression().fit(X_rep, y_rep)
    b = LinearRegression().fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-10)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones((3, 2)), [1.0, 2.0], "X has 3 rows but y has 2"),
        ([[1.0, np.nan], [2.0, 3.0]], [1.0, 2.0], "X has NaN"),
        ([[1.0], [2.0]], [np.inf, 1.0], "y has infinite values"),
        (np.arange(3.0), [1.0, 2.0, 3.0], "Reshape your data"),
        (np.empty((0, 2)), [], "0 sample"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(DataValidationError, match=match):
        LinearRegression().fit(X, y)


def test_bad_parameters_and_predict_shape():
    with pytest.raises(ParameterError, match="'solver' parameter of LinearRegression"):
        LinearRegression(solver="magic").fit([[1.0], [2.0]], [1.0, 2.0])
    model = LinearRegression().fit([[1.0, 0.0], [2.0, 1.0], [3.0, 5.0]], [1.0, 2.0, 4.0])
    with pytest.raises(DataValidationError, match="X has 1 features, but LinearRegression is"):
        model.predict([[1.0]])
    with pytest.raises(DataValidationError, match="negative"):
        LinearRegression().fit([[1.0], [2.0]], [1.0, 2.0], sample_weight=[1.0, -1.0])


@pytest.mark.parametrize("n", [20, 57, 1000])
def test_omnibus_normality_test_matches_scipy(rng, n):
    """lemma writes D'Agostino-Pearson's K² from the paper's formulas; SciPy is the reference."""
    from scipy import stats

    from lemma.stats.inference import residual_diagnostics

    for sample in (rng.normal(size=n), rng.exponential(size=n), rng.standard_t(3, size=n)):
        diag = residual_diagnostics(sample)
        k2, p = stats.normaltest(sample)
        np.testing.assert_allclose([diag["omnibus"], diag["omnibus_p_value"]], [k2, p], rtol=1e-10)
