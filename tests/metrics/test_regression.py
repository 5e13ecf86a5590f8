"""Regression metrics against scikit-learn, their edge cases and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lemma.metrics as lm
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.metrics import UndefinedMetricWarning

METRICS = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "r2_score",
    "explained_variance_score",
]
TOL = {"rtol": 1e-12, "atol": 1e-12}

values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def regression_data(draw, outputs: int = 1):
    n = draw(st.integers(2, 40))
    shape = (n,) if outputs == 1 else (n, outputs)
    y_true = draw(arrays(np.float64, shape, elements=values))
    y_pred = draw(arrays(np.float64, shape, elements=values))
    weighted = draw(st.booleans())
    weight = None
    if weighted:
        weight = draw(arrays(np.float64, (n,), elements=st.floats(0, 10)))
        weight[draw(st.integers(0, n - 1))] += 1.0  # at least one positive weight
    return y_true, y_pred, weight


@pytest.mark.parametrize("name", METRICS)
@settings(max_examples=40, deadline=None)
@given(data=regression_data())
def test_matches_sklearn_single_output(name, data):
    y_true, y_pred, weight = data
    ours = getattr(lm, name)(y_true, y_pred, sample_weight=weight)
    with np.errstate(over="ignore"):  # SS_tot may round to a subnormal number
        theirs = getattr(skm, name)(y_true, y_pred, sample_weight=weight)
    assert isinstance(ours, float)
    np.testing.assert_allclose(ours, theirs, **TOL)


@pytest.mark.parametrize("name", METRICS)
@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", [0.2, 0.3, 0.5]])
@settings(max_examples=15, deadline=None)
@given(data=regression_data(outputs=3))
def test_matches_sklearn_multioutput(name, multioutput, data):
    y_true, y_pred, weight = data
    ours = getattr(lm, name)(y_true, y_pred, sample_weight=weight, multioutput=multioutput)
    with np.errstate(over="ignore"):  # SS_tot may round to a subnormal number
        theirs = getattr(skm, name)(y_true, y_pred, sample_weight=weight, multioutput=multioutput)
    np.testing.assert_allclose(ours, theirs, **TOL)


@pytest.mark.parametrize("name", ["r2_score", "explained_variance_score"])
def test_variance_weighted_matches_sklearn(name, rng):
    y_true = rng.normal(size=(30, 3)) * [1.0, 5.0, 0.1]
    y_pred = y_true + rng.normal(size=(30, 3))
    y_true[:, 2] = 4.0  # one constant output: weight 0 in the variance-weighted mean
    for mo in ("variance_weighted", "raw_values"):
        np.testing.assert_allclose(
            getattr(lm, name)(y_true, y_pred, multioutput=mo),
            getattr(skm, name)(y_true, y_pred, multioutput=mo),
            **TOL,
        )


@pytest.mark.parametrize("name", ["r2_score", "explained_variance_score"])
@pytest.mark.parametrize("force_finite", [True, False])
@pytest.mark.parametrize(
    "y_pred",
    [[-2.0, -2.0, -2.0], [-2.0, -2.0, -2.0 + 1e-8]],
    ids=["perfect", "imperfect"],
)
def test_constant_y_true_rule_matches_sklearn(name, force_finite, y_pred):
    y_true = [-2.0, -2.0, -2.0]
    ours = getattr(lm, name)(y_true, y_pred, force_finite=force_finite)
    with np.errstate(all="ignore"):  # scikit-learn divides by zero here
        theirs = getattr(skm, name)(y_true, y_pred, force_finite=force_finite)
    np.testing.assert_equal(ours, theirs)  # 1.0 / 0.0, or NaN / -inf without forcing


def test_constant_y_true_values():
    assert lm.r2_score([3.0, 3.0], [3.0, 3.0]) == 1.0
    assert lm.r2_score([3.0, 3.0], [3.0, 4.0]) == 0.0


def test_perfect_predictions(rng):
    y = rng.normal(size=20)
    assert lm.r2_score(y, y) == 1.0
    assert lm.explained_variance_score(y, y) == 1.0
    for name in METRICS[:4]:
        assert getattr(lm, name)(y, y) == 0.0


def test_r2_closed_form(rng):
    """R² of the least-squares fit with intercept equals the squared correlation."""
    x = rng.normal(size=50)
    y = 2 * x + rng.normal(size=50)
    slope, intercept = np.polyfit(x, y, 1)
    r = np.corrcoef(x, y)[0, 1]
    assert lm.r2_score(y, slope * x + intercept) == pytest.approx(r**2, rel=1e-12)


def test_weights_equal_repeated_rows(rng):
    y_true = rng.normal(size=10)
    y_pred = rng.normal(size=10)
    counts = rng.integers(1, 4, size=10)
    for name in METRICS:
        metric = getattr(lm, name)
        weighted = metric(y_true, y_pred, sample_weight=counts)
        repeated = metric(np.repeat(y_true, counts), np.repeat(y_pred, counts))
        assert weighted == pytest.approx(repeated, rel=1e-12)


def test_r2_one_sample_warns_and_is_nan():
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(lm.r2_score([1.0], [2.0]))


def test_mape_zero_true_is_large_not_inf():
    value = lm.mean_absolute_percentage_error([0.0, 1.0], [1.0, 1.0])
    assert np.isfinite(value) and value > 1e15
    assert value == skm.mean_absolute_percentage_error([0.0, 1.0], [1.0, 1.0])


def test_accepts_lists_and_series():
    y_true = pd.Series([1.0, 2.0, 3.0], name="y")
    assert lm.mean_squared_error(y_true, [1.0, 2.0, 4.0]) == pytest.approx(1 / 3)
    assert lm.r2_score(pd.Series([1, 2, 3]), np.array([1, 2, 3])) == 1.0


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", METRICS)
def test_length_mismatch(name):
    with pytest.raises(DataValidationError, match="y_true has 100 values but y_pred has 99"):
        getattr(lm, name)(np.ones(100), np.ones(99))


@pytest.mark.parametrize("name", METRICS)
def test_empty(name):
    with pytest.raises(DataValidationError, match="empty"):
        getattr(lm, name)([], [])


@pytest.mark.parametrize("where", ["y_true", "y_pred"])
def test_nan_and_inf_counted(where):
    good = np.ones(10)
    bad = np.ones(10)
    bad[[2, 5]] = np.nan
    bad[7] = np.inf
    args = (bad, good) if where == "y_true" else (good, bad)
    with pytest.raises(DataValidationError, match=rf"{where} has NaN in 2 rows and infinite"):
        lm.mean_squared_error(*args)


def test_huge_but_finite_values_are_accepted():
    y = np.array([1e308, 1e308, -1e308])
    assert lm.mean_absolute_error(y, y) == 0.0


def test_non_numeric():
    with pytest.raises(DataTypeError, match="not numbers"):
        lm.mean_absolute_error(["a", "b"], [1.0, 2.0])


def test_output_count_mismatch():
    with pytest.raises(DataValidationError, match=r"y_true has 2 outputs .* y_pred has 3"):
        lm.r2_score(np.ones((4, 2)), np.ones((4, 3)))


def test_bad_multioutput():
    with pytest.raises(ParameterError, match="multioutput must be one of"):
        lm.mean_squared_error(np.ones((4, 2)), np.ones((4, 2)), multioutput="variance_weighted")
    with pytest.raises(ParameterError, match="3 weights but there are 2 outputs"):
        lm.r2_score(np.ones((4, 2)), np.ones((4, 2)), multioutput=[1, 1, 1])


def test_bad_sample_weight():
    with pytest.raises(DataValidationError, match="sample_weight has 2 values but y_true has 3"):
        lm.r2_score([1, 2, 3], [1, 2, 3], sample_weight=[1, 1])
    with pytest.raises(DataValidationError, match="negative"):
        lm.r2_score([1, 2, 3], [1, 2, 3], sample_weight=[1, -1, 1])
    with pytest.raises(DataValidationError, match="all zero"):
        lm.r2_score([1, 2, 3], [1, 2, 3], sample_weight=[0, 0, 0])
    with pytest.raises(DataValidationError, match="sample_weight has NaN in 1 row"):
        lm.r2_score([1, 2, 3], [1, 2, 3], sample_weight=[1, np.nan, 1])


def test_missing_values_in_object_input():
    with pytest.raises(DataValidationError, match="missing values"):
        lm.mean_squared_error(np.array([1.0, None], dtype=object), [1.0, 2.0])
