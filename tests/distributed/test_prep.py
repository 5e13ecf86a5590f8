"""Preparation fitted on a Dask cluster equals the in-memory fit: scalers' moments and
ranges, the imputer's statistics (an exact median), the encoders' categories and counts;
transform is lazy and gives the in-memory output."""

from __future__ import annotations

import dask
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.base import clone
from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning
from lemma.prep import MinMaxScaler, OneHotEncoder, OrdinalEncoder, SimpleImputer, StandardScaler
from tests.distributed.helpers import dask_array, dask_frame


def _numbers(rng, n=900):
    frame = pd.DataFrame(
        {
            "big": rng.normal(size=n) + 5e6,  # mean ≫ spread: Σx² − n x̄² would lose 3 digits
            "counts": rng.integers(0, 6, n).astype(float),
            "skewed": rng.exponential(size=n) - 0.5,
        }
    )
    frame.loc[rng.choice(n, 90, replace=False), "big"] = np.nan
    frame.loc[rng.choice(n, 9, replace=False), "skewed"] = np.nan
    return frame


def _same_fitted(distributed, memory):
    for name, value in vars(memory).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        ours = getattr(distributed, name)
        if value is None:
            assert ours is None, name
            continue
        if isinstance(value, list):
            for a, b in zip(ours, value, strict=True):
                _same_array(a, b, name)
            continue
        _same_array(ours, value, name)


def _same_array(ours, reference, name):
    ours, reference = np.asarray(ours), np.asarray(reference)
    if reference.dtype.kind in "fc":
        np.testing.assert_allclose(ours, reference, rtol=1e-10, equal_nan=True, err_msg=name)
    else:
        assert ours.dtype == reference.dtype, name
        assert pd.isna(ours).tolist() == pd.isna(reference).tolist(), name
        assert ours[~pd.isna(ours)].tolist() == reference[~pd.isna(reference)].tolist(), name


def _same_output(lazy, expected):
    computed = lazy.compute()
    if isinstance(expected, pd.DataFrame):
        assert list(computed.columns) == list(expected.columns)
    np.testing.assert_array_equal(np.asarray(computed), np.asarray(expected))


@pytest.mark.parametrize("weighted", [False, True])
def test_standard_scaler_matches_in_memory(client, rng, weighted):
    frame = _numbers(rng)
    w = rng.uniform(0.1, 2.0, size=len(frame)) if weighted else None
    memory = StandardScaler().fit(frame, sample_weight=w)
    data = dask_frame(frame, 7)
    weights = None if w is None else dask_frame(pd.DataFrame({"w": w}), 7)["w"]
    distributed = StandardScaler().fit(data, sample_weight=weights)
    _same_fitted(distributed, memory)
    np.testing.assert_allclose(distributed.n_samples_seen_, memory.n_samples_seen_, rtol=1e-12)
    out = distributed.transform(data).compute()
    expected = memory.transform(frame).to_numpy()  # x̄ = 5e6 is known to ±1e-9: atol
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-8, atol=1e-8)


def test_min_max_scaler_on_a_dask_array(client, rng):
    X = _numbers(rng).to_numpy()
    memory = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    distributed = MinMaxScaler(feature_range=(-1, 1)).fit(dask_array(X, 5))
    _same_fitted(distributed, memory)
    _same_output(distributed.transform(dask_array(X, 5)), memory.transform(X))


@pytest.mark.parametrize(
    "params",
    [
        {"strategy": "mean"},
        {"strategy": "median", "add_indicator": True},
        {"strategy": "most_frequent"},
        {"strategy": "constant", "fill_value": -1.0},
    ],
)
def test_simple_imputer_on_numbers_matches_in_memory(client, rng, params):
    frame = _numbers(rng)
    memory = SimpleImputer(**params).fit(frame)
    data = dask_frame(frame, 6)
    distributed = SimpleImputer(**params).fit(data)
    _same_fitted(distributed, memory)
    _same_output(distributed.transform(data), memory.transform(frame))


def test_imputer_on_text_and_an_empty_column(client, rng):
    frame = pd.DataFrame(
        {
            "city": rng.choice(["Oslo", "Lima", "Pune", None], 300, p=[0.3, 0.3, 0.3, 0.1]),
            "empty": [None] * 300,
        }
    ).astype(object)
    frame.loc[:10, "city"] = "Lima"  # Lima leads: the mode is not a tie
    with pytest.warns(LemmaWarning, match="no observed values") as memory_warning:
        memory = SimpleImputer(strategy="most_frequent").fit(frame)
    with pytest.warns(LemmaWarning, match="no observed values") as ours:
        distributed = SimpleImputer(strategy="most_frequent").fit(dask_frame(frame, 4))
    assert str(ours[0].message) == str(memory_warning[0].message)
    _same_fitted(distributed, memory)


def test_most_frequent_ties_go_to_the_smallest_value(client):
    frame = pd.DataFrame({"x": [3.0, 1.0, 3.0, 1.0, 2.0, np.nan] * 5})
    distributed = SimpleImputer(strategy="most_frequent").fit(dask_frame(frame, 4))
    assert distributed.statistics_.tolist() == [1.0]


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.integers(-5, 5).map(float), min_size=1, max_size=60),
    n_partitions=st.integers(1, 7),
    scale=st.sampled_from([1e-300, 1.0, 1e300]),
)
def test_distributed_median_is_exact(values, n_partitions, scale):
    """Property: the selection equals np.median for any values and partitioning, including
    many ties and values spanning 600 orders of magnitude."""
    column = np.array(values) * scale
    column[::7] = column[::7] * 1e-300 if scale > 1 else column[::7]
    frame = pd.DataFrame({"x": column})
    with dask.config.set(scheduler="synchronous"):
        fitted = SimpleImputer(strategy="median").fit(dask_frame(frame, n_partitions))
    assert fitted.statistics_[0] == np.median(column)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"drop": "first", "min_frequency": 40, "handle_unknown": "infrequent_if_exist"},
        {"max_categories": 3, "handle_unknown": "ignore"},
        {"drop": "if_binary", "dtype": np.float32},
    ],
)
def test_one_hot_encoder_matches_in_memory(client, rng, params):
    n = 800
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "blue", "green", None], n, p=[0.5, 0.3, 0.15, 0.05]),
            "size": rng.choice([1.0, 2.0, 3.0, np.nan], n, p=[0.4, 0.3, 0.25, 0.05]),
            "grade": rng.choice(list("abcdefg"), n, p=[0.4, 0.3, 0.2, 0.04, 0.03, 0.02, 0.01]),
            "flag": rng.choice(["yes", "no"], n),
        }
    )
    memory = OneHotEncoder(**params).fit(frame)
    data = dask_frame(frame, 5)
    distributed = OneHotEncoder(**params).fit(data)
    for ours, reference in zip(distributed.categories_, memory.categories_, strict=True):
        _same_array(ours, reference, "categories_")
    assert distributed.get_feature_names_out().tolist() == memory.get_feature_names_out().tolist()
    if params.get("min_frequency") or params.get("max_categories"):
        for ours, reference in zip(
            distributed.infrequent_categories_, memory.infrequent_categories_, strict=True
        ):
            assert (ours is None) == (reference is None)
    _same_output(distributed.transform(data), memory.transform(frame))


def test_ordinal_encoder_matches_in_memory(client, rng):
    frame = pd.DataFrame({"a": rng.choice(["lo", "mid", "hi"], 300), "b": rng.integers(0, 4, 300)})
    encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    memory = clone(encoder).fit(frame)
    distributed = clone(encoder).fit(dask_frame(frame, 3))
    for ours, reference in zip(distributed.categories_, memory.categories_, strict=True):
        _same_array(ours, reference, "categories_")
    _same_output(distributed.transform(dask_frame(frame, 3)), memory.transform(frame))


def test_encoder_errors_name_the_column(client):
    frame = pd.DataFrame({"city": ["Oslo", "Lima", "Pune", "Oslo"]})
    given_categories = OneHotEncoder(categories=[["Oslo", "Lima"]])
    with pytest.raises(DataValidationError, match=r"'city'.*'Pune'"):
        given_categories.fit(dask_frame(frame, 2))
    mixed = pd.DataFrame({"code": pd.Series(["a", "b", 3, 4], dtype=object)})
    with dask.config.set({"dataframe.convert-string": False}):  # keep the objects as they are
        data = dask_frame(mixed, 2)  # one partition of text, one of numbers
    with pytest.raises(DataTypeError, match="mixes values of types"):
        OneHotEncoder().fit(data)
    with pytest.raises(DataTypeError, match="text"):
        SimpleImputer(strategy="mean").fit(dask_frame(frame, 2))
