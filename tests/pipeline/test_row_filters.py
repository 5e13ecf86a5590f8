"""Row filters inside a Pipeline: fitted on the kept rows, identity when predicting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from lemma.base import BaseEstimator, RegressorMixin, SampleFilterMixin
from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.linear import Ridge
from lemma.pipeline import Pipeline, RowRemoval

TOL = dict(rtol=1e-12, atol=1e-12)


def _rows(values, keep):
    if values is None:
        return None
    return values.iloc[keep] if hasattr(values, "iloc") else np.asarray(values)[keep]


class DropEvenRows(SampleFilterMixin, BaseEstimator):
    """Removes the rows at even positions of its input (0, 2, 4, ...)."""

    def fit_resample(self, X, y=None, sample_weight=None):
        n = len(X)
        self.removed_rows_ = np.arange(0, n, 2)
        self.n_removed_ = len(self.removed_rows_)
        keep = np.arange(1, n, 2)
        return _rows(X, keep), _rows(y, keep), _rows(sample_weight, keep)


class DropAbove(SampleFilterMixin, BaseEstimator):
    """Removes rows whose first column exceeds ``threshold`` (an irregular pattern)."""

    def __init__(self, threshold=1.0):
        self.threshold = threshold

    def fit_resample(self, X, y=None, sample_weight=None):
        first = np.asarray(X)[:, 0]
        self.removed_rows_ = np.flatnonzero(first > self.threshold)
        self.n_removed_ = len(self.removed_rows_)
        keep = np.flatnonzero(first <= self.threshold)
        return _rows(X, keep), _rows(y, keep), _rows(sample_weight, keep)


class Forgetful(SampleFilterMixin, BaseEstimator):
    """Drops the first row but records nothing (breaks the filter contract)."""

    def fit_resample(self, X, y=None, sample_weight=None):
        return X[1:], None if y is None else y[1:], sample_weight


class Liar(SampleFilterMixin, BaseEstimator):
    """Claims to remove row 0 but returns every row."""

    def fit_resample(self, X, y=None, sample_weight=None):
        self.removed_rows_ = np.array([0])
        return X, y, sample_weight


class Mean(RegressorMixin, BaseEstimator):
    """Weighted mean of y; keeps the fit parameter ``tag`` it was given."""

    def fit(self, X, y, sample_weight=None, tag=None):
        self.mean_ = float(np.average(y, weights=sample_weight))
        self.n_rows_ = len(y)
        self.tag_ = tag
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(41, 3))
    y = X @ np.array([1.0, 2.0, -1.0]) + rng.normal(scale=0.1, size=41)
    return X, y


def test_fit_sees_only_kept_rows_and_predict_every_row(data):
    X, y = data
    pipe = Pipeline([("drop", DropEvenRows()), ("scale", StandardScaler()), ("model", Ridge())])
    pipe.fit(X, y)
    kept = np.arange(1, 41, 2)
    scale = StandardScaler().fit(X[kept])
    model = SkRidge().fit(scale.transform(X[kept]), y[kept])
    np.testing.assert_allclose(pipe.named_steps.scale.mean_, scale.mean_, **TOL)
    np.testing.assert_allclose(pipe.named_steps.model.coef_, model.coef_, rtol=1e-10)
    prediction = pipe.predict(X)
    assert prediction.shape == (41,)
    np.testing.assert_allclose(prediction, model.predict(scale.transform(X)), rtol=1e-10)
    np.testing.assert_array_equal(pipe.kept_rows_, kept)
    assert pipe.n_removed_ == 21


def test_removal_record_maps_positions_through_two_filters(data):
    X, y = data
    pipe = Pipeline([("first", DropEvenRows()), ("second", DropEvenRows()), ("model", Mean())]).fit(
        X, y
    )
    first, second = pipe.removed_["first"], pipe.removed_["second"]
    assert isinstance(first, RowRemoval)
    np.testing.assert_array_equal(first.rows, np.arange(0, 41, 2))
    # the second filter drops every other survivor of the first: rows 1, 5, 9, ...
    np.testing.assert_array_equal(second.rows, np.arange(1, 41, 4))
    np.testing.assert_array_equal(second.step_rows, np.arange(0, 20, 2))
    assert (first.n_input, first.n_removed, first.n_kept) == (41, 21, 20)
    assert (second.n_input, second.n_removed, second.n_kept) == (20, 10, 10)
    np.testing.assert_array_equal(pipe.kept_rows_, np.arange(3, 41, 4))
    assert pipe.named_steps.model.n_rows_ == 10
    assert pipe.named_steps.model.mean_ == pytest.approx(y[3::4].mean(), abs=1e-12)
    assert repr(first).startswith("RowRemoval(step='first', n_input=41, n_removed=21, rows=[0,")


def test_irregular_filter_then_even_filter(data):
    X, y = data
    pipe = Pipeline([("above", DropAbove(0.3)), ("even", DropEvenRows()), ("model", Mean())]).fit(
        X, y
    )
    survivors = np.flatnonzero(X[:, 0] <= 0.3)
    np.testing.assert_array_equal(pipe.removed_["above"].rows, np.flatnonzero(X[:, 0] > 0.3))
    np.testing.assert_array_equal(pipe.removed_["even"].rows, survivors[0::2])
    np.testing.assert_array_equal(pipe.kept_rows_, survivors[1::2])
    assert pipe.named_steps.model.mean_ == pytest.approx(y[survivors[1::2]].mean(), abs=1e-12)


def test_sample_weight_and_row_aligned_params_are_filtered(data):
    X, y = data
    w = np.linspace(0.5, 4.0, 41)
    tags = np.arange(41) * 10
    pipe = Pipeline([("drop", DropEvenRows()), ("model", Mean())])
    pipe.fit(X, y, sample_weight=w, model__tag=tags)
    kept = np.arange(1, 41, 2)
    assert pipe.named_steps.model.mean_ == pytest.approx(np.average(y[kept], weights=w[kept]))
    np.testing.assert_array_equal(pipe.named_steps.model.tag_, tags[kept])
    scaled = Pipeline([("drop", DropEvenRows()), ("scale", StandardScaler()), ("model", Ridge())])
    scaled.fit(X, y, sample_weight=w)
    ref_scale = StandardScaler().fit(X[kept], sample_weight=w[kept])
    ref = SkRidge().fit(ref_scale.transform(X[kept]), y[kept], sample_weight=w[kept])
    np.testing.assert_allclose(scaled.named_steps.scale.mean_, ref_scale.mean_, **TOL)
    np.testing.assert_allclose(scaled.named_steps.model.coef_, ref.coef_, rtol=1e-10)


def test_fit_transform_returns_kept_rows_and_transform_every_row(data):
    X, _ = data
    pipe = Pipeline([("drop", DropEvenRows()), ("scale", StandardScaler())])
    kept_out = pipe.fit_transform(X)
    np.testing.assert_allclose(kept_out, StandardScaler().fit_transform(X[1::2]), **TOL)
    assert pipe.transform(X).shape == (41, 3)
    final_filter = Pipeline([("scale", StandardScaler()), ("drop", DropEvenRows())])
    assert final_filter.fit_transform(X).shape == (20, 3)
    assert final_filter.transform(X).shape == (41, 3)
    np.testing.assert_array_equal(final_filter.removed_["drop"].rows, np.arange(0, 41, 2))


def test_dataframe_rows_and_index(data):
    X, y = data
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=[f"r{i}" for i in range(41)])
    pipe = Pipeline([("above", DropAbove(0.0)), ("model", Mean())]).fit(frame, pd.Series(y))
    removed = frame.index[pipe.removed_["above"].rows]
    assert list(removed) == list(frame.index[frame["a"] > 0.0])
    assert pipe.predict(frame).shape == (41,)


def test_cross_validation_scores_every_validation_row(data):
    X, y = data
    pipe = Pipeline([("drop", DropEvenRows()), ("model", Mean())])
    scores = cross_val_score(pipe, X, y, cv=KFold(3), scoring="neg_mean_squared_error")
    expected = []
    for train, test in KFold(3).split(X):
        mean = y[train][1::2].mean()
        expected.append(-np.mean((y[test] - mean) ** 2))
    np.testing.assert_allclose(scores, expected, **TOL)


def test_filters_that_break_the_contract(data):
    X, y = data
    with pytest.raises(ParameterError, match="did not set removed_rows_"):
        Pipeline([("bad", Forgetful()), ("model", Mean())]).fit(X, y)
    with pytest.raises(DataValidationError, match="reported removing 1 of 41 rows but returned"):
        Pipeline([("bad", Liar()), ("model", Mean())]).fit(X, y)
