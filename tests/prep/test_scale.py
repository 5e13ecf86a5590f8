"""Scalers against scikit-learn's, with the mathematical properties they promise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import preprocessing as skp

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.prep import MinMaxScaler, RobustScaler, StandardScaler
from lemma.prep.scale import batch_moments, combine_moments

TOL = 1e-10


def _data(rng, n=80, d=4, nan_share=0.0):
    X = rng.normal(size=(n, d)) * [1.0, 100.0, 1e-3, 5.0][:d] + [0.0, 1e4, -3.0, 1.0][:d]
    if nan_share:
        X[rng.random((n, d)) < nan_share] = np.nan
    return X


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)


# ----------------------------------------------------------------------------- standard
@pytest.mark.parametrize("nan_share", [0.0, 0.15])
@pytest.mark.parametrize("weighted", [False, True])
def test_standard_matches_sklearn(rng, nan_share, weighted):
    X, X_new = _data(rng, nan_share=nan_share), _data(rng, n=10, nan_share=nan_share)
    w = rng.uniform(0.0, 3.0, size=X.shape[0]) if weighted else None
    ours = StandardScaler().fit(X, sample_weight=w)
    theirs = skp.StandardScaler().fit(X, sample_weight=w)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        _close(getattr(ours, name), getattr(theirs, name))
    _close(ours.transform(X_new), theirs.transform(X_new))
    _close(ours.inverse_transform(X_new), theirs.inverse_transform(X_new))


@pytest.mark.parametrize("weighted", [False, True])
def test_standard_partial_fit_matches_sklearn_and_one_batch(rng, weighted):
    X = _data(rng, n=120, nan_share=0.1)
    w = rng.uniform(0.5, 2.0, size=X.shape[0]) if weighted else None
    ours, theirs = StandardScaler(), skp.StandardScaler()
    for rows in np.array_split(np.arange(X.shape[0]), [17, 50, 90]):
        batch_w = None if w is None else w[rows]
        ours.partial_fit(X[rows], sample_weight=batch_w)
        theirs.partial_fit(X[rows], sample_weight=batch_w)
    whole = StandardScaler().fit(X, sample_weight=w)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        _close(getattr(ours, name), getattr(theirs, name))
        _close(getattr(ours, name), getattr(whole, name))


def test_standard_partial_fit_with_an_all_missing_batch_column(rng):
    # A batch where a column has no observed value leaves that column's statistics as
    # they were (scikit-learn 1.9 turns its variance into NaN: 0/0 in its update).
    X = _data(rng, n=40)
    X[30:, 0] = np.nan
    ours = StandardScaler().partial_fit(X[:30]).partial_fit(X[30:])
    whole = StandardScaler().fit(X)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        _close(getattr(ours, name), getattr(whole, name))
    assert np.isfinite(ours.var_).all()


@pytest.mark.parametrize(("with_mean", "with_std"), [(False, True), (True, False), (False, False)])
def test_standard_switches_match_sklearn(rng, with_mean, with_std):
    X = _data(rng)
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    theirs = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    for name in ("mean_", "var_", "scale_"):
        if getattr(theirs, name) is None:
            assert getattr(ours, name) is None
        else:
            _close(getattr(ours, name), getattr(theirs, name))
    _close(ours.transform(X), theirs.transform(X))


def test_standard_constant_column_gets_scale_one():
    X = np.column_stack([np.full(5, 3.3), np.arange(5.0)])
    scaler = StandardScaler().fit(X)
    assert scaler.scale_[0] == 1.0
    np.testing.assert_array_equal(scaler.transform(X)[:, 0], 0.0)


def test_combine_moments_is_chan_golub_leveque(rng):
    x = rng.normal(size=(50, 2)) + 1e6
    merged = combine_moments(batch_moments(x[:13]), batch_moments(x[13:]))
    _close(merged[1], x.mean(axis=0))
    np.testing.assert_allclose(merged[2] / 50, x.var(axis=0), rtol=1e-8)


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(3, 30), st.integers(1, 4)),
        elements=st.floats(-1e3, 1e3, allow_nan=False),
    )
)
def test_standard_output_has_mean_zero_std_one(X):
    Z = StandardScaler().fit_transform(X)
    spread = X.std(axis=0)
    varying = spread > 1e-6 * (1 + np.abs(X).max(axis=0))
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(Z[:, varying].std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_allclose(StandardScaler().fit(X).inverse_transform(Z), X, atol=1e-9)


def test_float32_kept_by_every_scaler(rng):
    X = _data(rng).astype(np.float32)
    for scaler in (StandardScaler(), MinMaxScaler(), RobustScaler()):
        assert scaler.fit_transform(X).dtype == np.float32


# ----------------------------------------------------------------------------- min-max
@pytest.mark.parametrize("feature_range", [(0, 1), (-2.0, 5.0)])
@pytest.mark.parametrize("clip", [False, True])
def test_minmax_matches_sklearn(rng, feature_range, clip):
    X, X_new = _data(rng, nan_share=0.1), 3 * _data(rng, n=15)
    ours = MinMaxScaler(feature_range, clip=clip).fit(X)
    theirs = skp.MinMaxScaler(feature_range=feature_range, clip=clip).fit(X)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        _close(getattr(ours, name), getattr(theirs, name))
    _close(ours.transform(X_new), theirs.transform(X_new))
    _close(ours.inverse_transform(X_new), theirs.inverse_transform(X_new))


def test_minmax_partial_fit_and_unit_interval(rng):
    X = _data(rng, n=60)
    ours, theirs = MinMaxScaler(), skp.MinMaxScaler()
    for rows in np.array_split(np.arange(60), 4):
        ours.partial_fit(X[rows])
        theirs.partial_fit(X[rows])
    _close(ours.scale_, theirs.scale_)
    Z = ours.transform(X)
    assert Z.min() == pytest.approx(0.0, abs=1e-12) and Z.max() == pytest.approx(1.0)
    _close(ours.inverse_transform(Z), X)


# ----------------------------------------------------------------------------- robust
@pytest.mark.parametrize("nan_share", [0.0, 0.2])
@pytest.mark.parametrize("unit_variance", [False, True])
@pytest.mark.parametrize("quantile_range", [(25.0, 75.0), (10.0, 95.0)])
def test_robust_matches_sklearn(rng, nan_share, unit_variance, quantile_range):
    X = _data(rng, nan_share=nan_share)
    params = {"unit_variance": unit_variance, "quantile_range": quantile_range}
    ours, theirs = RobustScaler(**params).fit(X), skp.RobustScaler(**params).fit(X)
    _close(ours.center_, theirs.center_)
    _close(ours.scale_, theirs.scale_)
    _close(ours.transform(X), theirs.transform(X))
    _close(ours.inverse_transform(ours.transform(X)), X)


def test_robust_constant_column_and_switches():
    X = np.column_stack([np.full(6, 2.0), np.arange(6.0)])
    scaler = RobustScaler().fit(X)
    assert scaler.scale_[0] == 1.0
    assert RobustScaler(with_centering=False).fit(X).center_ is None
    assert RobustScaler(with_scaling=False).fit(X).scale_ is None


# ----------------------------------------------------------------------------- frames, bad input
def test_dataframe_in_dataframe_out():
    X = pd.DataFrame({"age": [20.0, 30.0, 40.0], "hours": [1.0, 2.0, 6.0]}, index=[3, 1, 2])
    out = StandardScaler().fit_transform(X)
    assert list(out.columns) == ["age", "hours"] and list(out.index) == [3, 1, 2]


def test_nan_passes_through():
    X = np.array([[1.0], [np.nan], [3.0]])
    for scaler in (StandardScaler(), MinMaxScaler(), RobustScaler()):
        assert np.isnan(scaler.fit_transform(X)[1, 0])


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), RobustScaler()])
def test_all_missing_column_passes_through_silently(scaler):
    X = np.column_stack([np.full(5, np.nan), np.arange(5.0)])
    out = scaler.fit_transform(X)  # filterwarnings=error: no warning either
    assert np.isnan(out[:, 0]).all() and np.isfinite(out[:, 1]).all()


def test_bad_parameters_and_input():
    with pytest.raises(ParameterError, match="'feature_range' parameter of MinMaxScaler"):
        MinMaxScaler(feature_range=(2, 1)).fit([[0.0], [1.0]])
    with pytest.raises(ParameterError, match="'quantile_range' parameter of RobustScaler"):
        RobustScaler(quantile_range=(80, 20)).fit([[0.0], [1.0]])
    with pytest.raises(DataTypeError, match="non-numeric columns"):
        StandardScaler().fit(pd.DataFrame({"city": ["a", "b"]}))
    with pytest.raises(DataValidationError, match="0 sample"):
        StandardScaler().fit(np.empty((0, 3)))
    with pytest.raises(DataValidationError, match="infinite"):
        StandardScaler().fit(np.array([[1.0], [np.inf]]))
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(DataTypeError, match="sparse"):
        StandardScaler().fit(sparse.csr_matrix(np.eye(3)))
    with pytest.raises(DataValidationError, match="expecting 2 features"):
        StandardScaler().fit(np.ones((3, 2))).inverse_transform(np.ones((3, 1)))
