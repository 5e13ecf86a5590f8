"""The estimator contract on small estimators written here (lemma.base, lemma.validation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma._constraints import Interval, Options
from lemma.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
)
from lemma.exceptions import DataTypeError, DataValidationError, NotFittedError, ParameterError
from lemma.validation import check_array, check_sample_weight, validate_data


class Mean(RegressorMixin, BaseEstimator):
    """Predicts the weighted mean of y; the smallest estimator that obeys the contract."""

    _parameter_constraints = {
        "shift": [Interval(float, 0, None, closed="left")],
        "mode": [Options({"mean", "zero"})],
    }

    def __init__(self, shift=0.0, mode="mean"):
        self.shift = shift
        self.mode = mode

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        X, y = validate_data(self, X, y, y_numeric=True)
        w = check_sample_weight(sample_weight, X.shape[0])
        self.mean_ = float(np.average(y, weights=w)) + self.shift
        return self

    def predict(self, X):
        self._check_is_fitted()
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.mean_)


def test_params_round_trip_and_clone():
    model = Mean(shift=2.0)
    assert model.get_params() == {"mode": "mean", "shift": 2.0}
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert repr(model.set_params(mode="zero")) == "Mean(mode='zero', shift=2.0)"
    with pytest.raises(ParameterError, match="Invalid parameter 'alpha' for estimator Mean"):
        model.set_params(alpha=1)


def test_constraint_message_names_parameter_and_value():
    with pytest.raises(
        ParameterError,
        match=r"The 'shift' parameter of Mean must be a float in \[0, inf\)\. Got -1 instead\.",
    ):
        Mean(shift=-1).fit([[0.0], [1.0]], [0.0, 1.0])
    with pytest.raises(ParameterError, match=r"'mode' parameter of Mean must be one of"):
        Mean(mode="median").fit([[0.0], [1.0]], [0.0, 1.0])


def test_not_fitted_error_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Mean().predict([[1.0]])


def test_feature_names_recorded_and_checked():
    X = pd.DataFrame({"age": [1.0, 2.0, 3.0], "hours": [4.0, 5.0, 6.0]})
    model = Mean().fit(X, [1.0, 2.0, 3.0])
    assert list(model.feature_names_in_) == ["age", "hours"]
    with pytest.raises(DataValidationError, match="must be in the same order"):
        model.predict(X[["hours", "age"]])
    with pytest.raises(DataValidationError, match="X has 1 features, but Mean is expecting 2"):
        model.predict(np.ones((2, 1)))


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (
            np.array([[1.0, np.nan], [np.nan, 2.0], [3.0, 4.0]]),
            DataValidationError,
            r"X has NaN in columns \[0, 1\] \(2 rows\)",
        ),
        (
            np.array([[1.0, np.inf]]),
            DataValidationError,
            r"infinite values \(inf\) in columns \[1\]",
        ),
        (np.empty((0, 3)), DataValidationError, "0 sample"),
        (np.empty((3, 0)), DataValidationError, r"0 feature\(s\)"),
        (np.arange(3.0), DataValidationError, "Reshape your data"),
        (np.ones((2, 2, 2)), DataValidationError, "3 dimensions"),
        ([[1.0, 2.0], [3.0]], DataValidationError, "rectangular"),
        (np.array([[1 + 2j]]), DataValidationError, "Complex data not supported"),
        (
            pd.DataFrame({"a": [1.0, 2.0], "job": ["x", "y"]}),
            DataTypeError,
            r"non-numeric columns \['job'\]",
        ),
        (np.array([["1.5", "spam"]], dtype=object), DataTypeError, r"columns \[1\]"),
    ],
)
def test_bad_X_gets_clear_error(X, error, match):
    with pytest.raises(error, match=match):
        check_array(X)


def test_nan_names_dataframe_columns_and_counts_rows():
    X = pd.DataFrame({"age": [1.0, np.nan, np.nan], "hours": [1.0, 2.0, np.nan], "ok": [1.0] * 3})
    with pytest.raises(DataValidationError, match=r"\['age', 'hours'\] \(2 rows\)"):
        check_array(X)


def test_dtypes_kept_and_converted():
    assert check_array(np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert check_array(np.ones((2, 2), dtype=np.int64)).dtype == np.float64
    nullable = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    with pytest.raises(DataValidationError, match="NaN"):
        check_array(nullable)


def test_y_problems():
    X = np.ones((3, 1))
    with pytest.raises(DataValidationError, match="X has 3 rows but y has 2"):
        Mean().fit(X, [1.0, 2.0])
    with pytest.raises(DataValidationError, match="y has NaN"):
        Mean().fit(X, [1.0, np.nan, 2.0])
    with pytest.raises(DataValidationError, match="requires y to be passed"):
        Mean().fit(X, None)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, -1.0, 1.0], r"1 negative values \(rows \[1\]\)"),
        ([1.0, 1.0], "has 2 values but X has 3"),
        ([0.0, 0.0, 0.0], "all zero"),
        ([1.0, np.nan, 1.0], "NaN"),
    ],
)
def test_sample_weight_problems(weights, match):
    with pytest.raises(DataValidationError, match=match):
        check_sample_weight(weights, 3)


def test_polars_input_keeps_names():
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    model = Mean().fit(X, [1.0, 2.0, 3.0])
    assert list(model.feature_names_in_) == ["a", "b"]
    assert model.predict(X).shape == (3,)


class Centre(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Subtracts column means; the smallest transformer that obeys the contract."""

    def fit(self, X, y=None):
        X = validate_data(self, X)
        self.mean_ = X.mean(axis=0)
        return self

    def transform(self, X):
        self._check_is_fitted()
        Xa = validate_data(self, X, reset=False)
        return self._wrap_output(Xa - self.mean_, X)


def test_transformer_output_follows_input_and_set_output():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 0.0, 3.0]}, index=[10, 11, 12])
    out = Centre().fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b"]
    assert list(out.index) == [10, 11, 12]
    assert isinstance(Centre().fit_transform(frame.to_numpy()), np.ndarray)
    as_array = clone(Centre().set_output(transform="default")).fit_transform(frame)
    assert isinstance(as_array, np.ndarray)
    as_frame = Centre().set_output(transform="pandas").fit_transform(frame.to_numpy())
    assert list(as_frame.columns) == ["x0", "x1"]
    with pytest.raises(ParameterError, match="set_output"):
        Centre().set_output(transform="polars")


def test_integer_target_becomes_float_for_regressors():
    model = Mean().fit([[0.0], [1.0]], np.array([1, 2]))
    assert model.mean_ == 1.5


def test_scikit_learn_clone_keeps_output_setting():
    from sklearn.base import clone as sk_clone

    copy = sk_clone(Centre().set_output(transform="pandas"))
    assert isinstance(copy.fit_transform(np.ones((3, 2))), pd.DataFrame)
