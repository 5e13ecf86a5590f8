"""LinearRegression and Ridge on a Dask cluster equal the in-memory fits (coefficients and
every number of summary()), whatever the partitioning; bad partitions give lemma errors.

The reference is the in-memory fit on the same data, itself tested against statsmodels
and scikit-learn in tests/linear.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataTypeError, DataValidationError, NumericalWarning
from lemma.io.datasets import load_longley
from lemma.models.linear import LinearRegression, Ridge
from tests.distributed.helpers import dask_array, dask_frame
from tests.nist import FILES, load, lre

dd = pytest.importorskip("dask.dataframe")
RTOL = 1e-8


def _regression(rng, n=400, p=4):
    X = rng.normal(size=(n, p)) * np.array([1.0, 3.0, 0.5, 10.0])[:p] + 2.0
    noise = rng.normal(size=n) * (0.5 + np.abs(X[:, 0]))  # heteroskedastic: HC types differ
    return X, 1.5 + X @ np.linspace(-1, 2, p) + noise


def _assert_same_summary(distributed, memory):
    ours, reference = distributed.summary().to_frame(), memory.summary().to_frame()
    assert list(ours.columns) == list(reference.columns)
    np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=RTOL, atol=1e-300)
    for name in ("rsquared", "rsquared_adj", "fvalue", "llf", "aic", "bic", "scale",
                 "condition_number", "condition_number_scaled"):  # fmt: skip
        np.testing.assert_allclose(
            getattr(distributed.result_, name), getattr(memory.result_, name), rtol=RTOL
        )
    assert distributed.result_.nobs == memory.result_.nobs
    for key, value in memory.result_.diagnostics.items():
        np.testing.assert_allclose(distributed.result_.diagnostics[key], value, rtol=1e-7)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3"])
def test_linear_regression_matches_in_memory(client, rng, cov_type):
    X, y = _regression(rng)
    w = rng.uniform(0.0, 2.0, size=y.size)
    w[:5] = 0.0  # zero-weight rows count in HC1's n, not in nobs
    memory = LinearRegression(cov_type=cov_type).fit(X, y, sample_weight=w)
    distributed = LinearRegression(cov_type=cov_type).fit(
        dask_array(X, 20), dask_array(y, 20), sample_weight=dask_array(w, 20)
    )
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
    np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=RTOL)
    np.testing.assert_allclose(distributed.singular_, memory.singular_, rtol=RTOL)
    assert distributed.rank_ == memory.rank_
    _assert_same_summary(distributed, memory)


def test_longley_dataframe_keeps_in_memory_accuracy(client):
    """Longley (condition number ~1e7 after scaling): refinement keeps the digits."""
    data = load_longley()
    X, y = data.drop(columns="employed"), data["employed"]
    memory = LinearRegression(cov_type="HC3").fit(X, y)
    frame = dask_frame(data, 4)
    distributed = LinearRegression(cov_type="HC3").fit(
        frame.drop(columns="employed"), frame["employed"]
    )
    assert list(distributed.feature_names_in_) == list(X.columns)
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=1e-9)
    _assert_same_summary(distributed, memory)
    assert distributed.summary().to_frame().index[0] == "intercept"


@pytest.mark.parametrize("n_partitions", [3, 7])
def test_nist_files_keep_the_in_memory_digits(client, n_partitions):
    """Every NIST StRD linear file, certified values as the judge: the distributed fit's
    correct digits (coefficients and standard errors) are within one digit of the
    in-memory fit's. Refinement residuals from the rounded scaled design ``X/D`` (the
    earlier code) lost up to 3.3 digits here (Wampler1 10.5 vs 13.8)."""
    for name in FILES:
        problem = load(name)
        memory = LinearRegression(fit_intercept=problem.fit_intercept).fit(problem.X, problem.y)
        distributed = LinearRegression(fit_intercept=problem.fit_intercept).fit(
            dask_array(problem.X, n_partitions), dask_array(problem.y, n_partitions)
        )
        for attribute, certified in (("params", problem.coef), ("std_err", problem.std_err)):
            ours = lre(getattr(distributed.result_, attribute).to_numpy(), certified).min()
            reference = lre(getattr(memory.result_, attribute).to_numpy(), certified).min()
            assert ours >= reference - 1.0, (name, attribute, ours, reference)


def test_rank_deficient_design_gets_the_minimum_norm_solution(client, rng):
    X, y = _regression(rng, n=120, p=3)
    X = np.column_stack([X, X[:, 0] - 2 * X[:, 1]])
    with pytest.warns(NumericalWarning, match="rank deficient") as memory_warning:
        memory = LinearRegression().fit(X, y)
    with pytest.warns(NumericalWarning, match="rank deficient") as ours_warning:
        distributed = LinearRegression().fit(dask_array(X, 6), dask_array(y, 6))
    assert str(ours_warning[0].message) == str(memory_warning[0].message)
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=1e-8, atol=1e-10)
    assert distributed.rank_ == memory.rank_ == 4


def test_several_targets_and_no_intercept(client, rng):
    X, y = _regression(rng, n=150)
    Y = np.column_stack([y, -0.5 * y + rng.normal(size=y.size)])
    for fit_intercept in (True, False):
        memory = LinearRegression(fit_intercept=fit_intercept).fit(X, Y)
        distributed = LinearRegression(fit_intercept=fit_intercept).fit(
            dask_array(X, 7), dask_array(Y, 7)
        )
        assert distributed.coef_.shape == memory.coef_.shape == (2, 4)
        np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
        np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=RTOL, atol=0)
        assert distributed.result_ is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"alpha": 10.0, "fit_intercept": False},
        {"alpha": 0.0},
        {"solver": "svd"},
        {"alpha": 1e-3, "solver": "cholesky"},
    ],
)
def test_ridge_matches_in_memory(client, rng, params):
    X, y = _regression(rng)
    w = rng.uniform(0.5, 1.5, size=y.size)
    memory = Ridge(**params).fit(X, y, sample_weight=w)
    distributed = Ridge(**params).fit(
        dask_array(X, 9), dask_array(y, 9), sample_weight=dask_array(w, 9)
    )
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
    np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(distributed.effective_df_, memory.effective_df_, rtol=RTOL)


def test_ridge_one_alpha_per_target_on_a_dataframe(client, rng):
    X, y = _regression(rng, n=200, p=3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y1=y, y2=2 * y)
    memory = Ridge(alpha=[0.5, 50.0]).fit(frame[["a", "b", "c"]], frame[["y1", "y2"]])
    data = dask_frame(frame, 5)
    distributed = Ridge(alpha=[0.5, 50.0]).fit(data[["a", "b", "c"]], data[["y1", "y2"]])
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
    np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=RTOL)


def test_fitted_models_predict_on_numpy_and_lazily_on_dask(client, rng):
    X, y = _regression(rng, n=100)
    model = LinearRegression().fit(dask_array(X, 4), dask_array(y, 4))
    memory = LinearRegression().fit(X, y)
    lazy = model.predict(dask_array(X, 4))
    assert type(lazy).__name__ == "Array"
    np.testing.assert_allclose(lazy.compute(), memory.predict(X), rtol=1e-10)
    np.testing.assert_allclose(model.predict(X), memory.predict(X), rtol=1e-10)
    frame = dask_frame(pd.DataFrame(X, columns=list("abcd")), 3)
    named = Ridge().fit(frame, dask_frame(pd.DataFrame({"y": y}), 3)["y"])
    series = named.predict(frame)
    assert type(series).__name__ == "Series"
    expected = named.predict(pd.DataFrame(X, columns=list("abcd")))
    np.testing.assert_allclose(series.compute().to_numpy(), expected, rtol=1e-12)
    assert series.compute().index.tolist() == list(range(100))


def test_result_does_not_depend_on_partitioning(client, rng):
    X, y = _regression(rng, n=300)
    fits = [LinearRegression().fit(dask_array(X, k), dask_array(y, k)).coef_ for k in (1, 3, 40)]
    for coef in fits[1:]:
        np.testing.assert_allclose(coef, fits[0], rtol=1e-10)


def test_nan_in_a_partition_is_a_lemma_error(client, rng):
    X, y = _regression(rng, n=60)
    X[45, 2] = np.nan
    with pytest.raises(DataValidationError, match="NaN"):
        LinearRegression().fit(dask_array(X, 4), dask_array(y, 4))


def test_misaligned_or_in_memory_targets_are_refused(client, rng):
    X, y = _regression(rng, n=60)
    frame = dask_frame(pd.DataFrame(X), 4)
    other = dask_frame(pd.DataFrame({"y": y}), 3)["y"]
    with pytest.raises(DataValidationError, match="partitions"):
        LinearRegression().fit(frame, other)
    with pytest.raises(DataTypeError, match="Dask collection partitioned like X"):
        Ridge().fit(dask_array(X, 4), y)


def test_negative_weight_in_a_partition_is_refused(client, rng):
    X, y = _regression(rng, n=60)
    w = np.ones(60)
    w[50] = -1.0
    with pytest.raises(DataValidationError, match="sample_weight"):
        LinearRegression().fit(dask_array(X, 3), dask_array(y, 3), dask_array(w, 3))


def test_importing_and_fitting_on_numpy_never_imports_dask():
    code = (
        "import sys, numpy as np, lemma\n"
        "from lemma.models.linear import LinearRegression, LogisticRegression\n"
        "from lemma.prep import StandardScaler\n"
        "LinearRegression().fit(np.arange(6.0).reshape(3, 2), [1.0, 2.0, 4.0])\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
