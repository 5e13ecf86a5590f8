"""Binning: quantile edges against NumPy and scikit-learn, codes, categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.ensemble._binning import (
    bin_data,
    bin_thresholds,
    categorical_mask,
    encode_categories,
    fit_bin_thresholds,
    learn_categories,
    weighted_quantiles,
)


def test_unweighted_quantiles_match_numpy(rng):
    values = rng.normal(size=101)
    levels = np.linspace(0, 1, 17)
    expected = np.percentile(values, 100 * levels, method="averaged_inverted_cdf")
    np.testing.assert_allclose(weighted_quantiles(values, None, levels), expected, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(-20, 20), min_size=1, max_size=30),
    weights=st.lists(st.integers(1, 4), min_size=30, max_size=30),
    level=st.floats(0.0, 1.0),
)
def test_integer_weights_are_repetitions(values, weights, level):
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights[: x.size], dtype=float)
    repeated = np.repeat(x, w.astype(int))
    level = np.array([level])
    np.testing.assert_allclose(
        weighted_quantiles(x, w, level), weighted_quantiles(repeated, None, level)
    )


def test_edges_match_scikit_learn(rng):
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

    X = np.column_stack(
        [
            rng.normal(size=3000),  # many distinct values: quantiles
            rng.integers(0, 7, size=3000).astype(float),  # few: midpoints
            np.where(rng.random(3000) < 0.2, np.nan, rng.exponential(size=3000)),
        ]
    )
    mapper = _BinMapper(n_bins=256, random_state=0).fit(X)
    for j in range(X.shape[1]):
        ours = bin_thresholds(X[:, j], max_bins=255)
        np.testing.assert_allclose(ours, mapper.bin_thresholds_[j], rtol=1e-12)
    thresholds = [bin_thresholds(X[:, j], 255) for j in range(3)]
    codes = bin_data(X, thresholds, np.zeros(3, bool), missing_bin=255)
    np.testing.assert_array_equal(codes, mapper.transform(X))
    assert codes.flags.f_contiguous and codes.dtype == np.uint8


def test_codes_are_left_searchsorted_and_nan_is_last_bin(rng):
    x = rng.normal(size=500)
    x[::7] = np.nan
    edges = bin_thresholds(x, max_bins=16)
    assert edges.size == 15
    codes = bin_data(x[:, None], [edges], np.array([False]), missing_bin=16)[:, 0]
    finite = ~np.isnan(x)
    np.testing.assert_array_equal(codes[finite], np.searchsorted(edges, x[finite], side="left"))
    assert np.all(codes[~finite] == 16)


def test_quantile_bins_hold_about_equal_counts(rng):
    x = rng.uniform(size=20_000)
    edges = bin_thresholds(x, max_bins=10)
    counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=10)
    assert counts.min() > 0.97 * x.size / 10


def test_constant_column_has_no_edges_and_zero_weights_are_ignored():
    assert bin_thresholds(np.full(5, 3.0), 255).size == 0
    x = np.array([1.0, 2.0, 100.0])
    np.testing.assert_allclose(bin_thresholds(x, 255, np.array([1.0, 1.0, 0.0])), [1.5])


def test_subsample_bounds_the_rows_read(rng):
    X = rng.normal(size=(5000, 2))
    thresholds, n_bins = fit_bin_thresholds(
        X, np.zeros(2, bool), np.zeros(2, int), 255, None, 1000, np.random.default_rng(0)
    )
    assert list(n_bins) == [255, 255]
    full = bin_thresholds(X[:, 0], 255)
    assert np.abs(np.interp(0.5, np.linspace(0, 1, 254), thresholds[0])) < 0.15
    assert not np.allclose(thresholds[0], full)  # a subsample, not every row


def test_categorical_columns_bin_to_their_codes():
    X = np.array([[0.0], [2.0], [np.nan], [1.0]])
    thresholds, n_bins = fit_bin_thresholds(
        X, np.array([True]), np.array([3]), 255, None, 10, np.random.default_rng(0)
    )
    assert n_bins.tolist() == [3] and thresholds[0].size == 0
    codes = bin_data(X, thresholds, np.array([True]), missing_bin=255)
    assert codes.ravel().tolist() == [0, 2, 255, 1]


# ---------------------------------------------------------------------------- categories
def test_categorical_mask_from_dtypes_and_lists():
    frame = pd.DataFrame(
        {
            "n": [1.0, 2.0],
            "s": pd.Series(["a", "b"], dtype="str"),
            "c": pd.Categorical(["u", "v"]),
            "o": np.array(["p", "q"], dtype=object),
            "b": [True, False],
        }
    )
    assert categorical_mask(frame, "from_dtype", 5).tolist() == [0, 1, 1, 1, 0]
    assert categorical_mask(frame, None, 5).tolist() == [0] * 5
    assert categorical_mask(frame, ["n", "b"], 5).tolist() == [1, 0, 0, 0, 1]
    assert categorical_mask(np.zeros((2, 3)), [2], 3).tolist() == [0, 0, 1]
    assert categorical_mask(np.zeros((2, 3)), "from_dtype", 3).tolist() == [0, 0, 0]
    mask = np.array([True, False, True])
    assert categorical_mask(np.zeros((2, 3)), mask, 3).tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([5], "outside 0..2"),
        (["x"], "no column names"),
        (np.array([True, False]), "one entry per feature"),
        ("auto", "from_dtype"),
        ([0.5], "dtype float64"),
    ],
)
def test_categorical_mask_refuses_bad_choices(chosen, message):
    with pytest.raises(ParameterError, match=message):
        categorical_mask(np.zeros((2, 3)), chosen, 3)


def test_unknown_column_name_is_named():
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    with pytest.raises(ParameterError, match=r"\['zz'\]"):
        categorical_mask(frame, ["zz"], 2)


def test_categories_sorted_and_unseen_values_missing():
    column = np.array(["red", None, "blue", "red", np.nan], dtype=object)
    categories = learn_categories(column, "colour", 255)
    assert categories.tolist() == ["blue", "red"]
    codes = encode_categories(np.array(["red", "green", None], dtype=object), categories)
    np.testing.assert_array_equal(codes, [1.0, np.nan, np.nan])
    numeric = learn_categories(np.array([3.0, 1.0, np.nan, 3.0]), 0, 255)
    assert numeric.tolist() == [1.0, 3.0]


def test_too_many_categories_is_an_error():
    column = np.array([f"c{k}" for k in range(20)], dtype=object)
    with pytest.raises(DataValidationError, match=r"'city' has 20 categories.*max_bins=10"):
        learn_categories(column, "city", 10)


def test_unhashable_categories_are_refused():
    column = np.array([{"a": 1}, "b"], dtype=object)
    with pytest.raises(DataValidationError, match="hashable"):
        learn_categories(column, "c", 255)


def test_rows_bin_like_a_copy_of_them(rng):
    X = rng.normal(size=(400, 3))
    X[rng.random((400, 3)) < 0.1] = np.nan
    rows = np.sort(rng.choice(400, size=150, replace=False))
    mask = np.zeros(3, bool)
    copy = fit_bin_thresholds(X[rows], mask, np.zeros(3), 31, None, 10**6, None)
    view = fit_bin_thresholds(X, mask, np.zeros(3), 31, None, 10**6, None, rows=rows)
    for a, b in zip(copy[0], view[0], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        bin_data(X[rows], copy[0], mask, 31), bin_data(X, view[0], mask, 31, rows=rows)
    )


def test_equal_weights_give_the_unweighted_edges(rng):
    X = rng.normal(size=(3000, 2))
    X[:, 1] = np.round(X[:, 1], 2)  # ties between quantile levels
    mask, counts = np.zeros(2, bool), np.zeros(2)
    unweighted = fit_bin_thresholds(X, mask, counts, 255, None, 10**6, None)[0]
    for weight in [1.0, 0.3, 7.0]:
        weighted = fit_bin_thresholds(X, mask, counts, 255, np.full(3000, weight), 10**6, None)
        for ours, reference in zip(weighted[0], unweighted, strict=True):
            np.testing.assert_array_equal(ours, reference)
    for column, edges in zip(X.T, unweighted, strict=True):  # and NumPy's quantiles
        levels = np.linspace(0, 100, 256)[1:-1]
        expected = np.unique(np.percentile(column, levels, method="averaged_inverted_cdf"))
        np.testing.assert_allclose(edges, expected, rtol=0, atol=0)
