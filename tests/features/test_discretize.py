"""KBinsDiscretizer against scikit-learn; SupervisedBinner against scikit-learn's pruned tree."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import preprocessing as skp
from sklearn.isotonic import IsotonicRegression
from sklearn.tree import DecisionTreeRegressor as SkTree

from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.features import KBinsDiscretizer, SupervisedBinner
from lemma.features.discretize import pool_adjacent_violators, weighted_quantile

TOL = 1e-10


def _same_edges(ours, theirs, tol=TOL):
    assert len(ours.bin_edges_) == len(theirs.bin_edges_)
    for a, b in zip(ours.bin_edges_, theirs.bin_edges_, strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    np.testing.assert_array_equal(ours.n_bins_, theirs.n_bins_)


def _data(rng, n=300):
    return np.column_stack(
        [rng.normal(size=n), rng.exponential(size=n), rng.integers(0, 20, size=n).astype(float)]
    )


# ----------------------------------------------------------------------------- k bins
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("encode", ["onehot-dense", "ordinal"])
def test_kbins_matches_sklearn(rng, strategy, encode):
    X = _data(rng)
    ours = KBinsDiscretizer(n_bins=[3, 5, 4], strategy=strategy, encode=encode).fit(X)
    theirs = skp.KBinsDiscretizer(n_bins=[3, 5, 4], strategy=strategy, encode=encode).fit(X)
    _same_edges(ours, theirs)
    X_new = _data(rng, 50) * 1.5  # values outside the fitted range too
    np.testing.assert_array_equal(ours.transform(X_new), theirs.transform(X_new))
    assert ours.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    Xt = theirs.transform(X_new)
    np.testing.assert_allclose(ours.inverse_transform(Xt), theirs.inverse_transform(Xt), rtol=TOL)


@pytest.mark.parametrize(
    "method", ["linear", "inverted_cdf", "averaged_inverted_cdf", "hazen", "median_unbiased"]
)
def test_kbins_quantile_methods_match_sklearn(rng, method):
    X = rng.normal(size=(101, 2))
    ours = KBinsDiscretizer(6, quantile_method=method).fit(X)
    _same_edges(ours, skp.KBinsDiscretizer(6, quantile_method=method).fit(X))


@pytest.mark.parametrize("method", ["inverted_cdf", "averaged_inverted_cdf"])
def test_kbins_weighted_quantiles_match_sklearn(rng, method):
    X = _data(rng)
    w = rng.random(X.shape[0])
    w[::7] = 0.0
    ours = KBinsDiscretizer(4, quantile_method=method).fit(X, sample_weight=w)
    _same_edges(ours, skp.KBinsDiscretizer(4, quantile_method=method).fit(X, sample_weight=w))


def test_kbins_uniform_weights_ignore_zero_weight_rows(rng):
    X = rng.normal(size=(80, 2))
    w = np.ones(80)
    w[np.argmax(X[:, 0])] = 0.0
    ours = KBinsDiscretizer(3, strategy="uniform").fit(X, sample_weight=w)
    theirs = skp.KBinsDiscretizer(n_bins=3, strategy="uniform").fit(X, sample_weight=w)
    _same_edges(ours, theirs)


def test_kbins_subsample_draws_like_sklearn(rng):
    X, w = _data(rng), rng.random(300)
    ours = KBinsDiscretizer(4, subsample=60, random_state=7).fit(X, sample_weight=w)
    theirs = skp.KBinsDiscretizer(4, subsample=60, random_state=7).fit(X, sample_weight=w)
    _same_edges(ours, theirs)


def test_kbins_kmeans_close_to_sklearn(rng):
    X = np.column_stack(
        [rng.normal(size=400), np.concatenate([rng.normal(0, 1, 200), rng.normal(8, 1, 200)])]
    )
    ours = KBinsDiscretizer(4, strategy="kmeans", encode="ordinal").fit(X)
    theirs = skp.KBinsDiscretizer(4, strategy="kmeans", encode="ordinal").fit(X)
    _same_edges(ours, theirs, tol=1e-8)


def test_kbins_quantile_bins_hold_equal_counts(rng):
    x = rng.normal(size=(1000, 1))
    counts = np.bincount(KBinsDiscretizer(5, encode="ordinal").fit_transform(x).ravel().astype(int))
    np.testing.assert_array_equal(counts, [200] * 5)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=5, max_size=60, unique=True),
       st.sampled_from(["uniform", "quantile", "kmeans"]))  # fmt: skip
def test_kbins_codes_are_monotone_in_x(values, strategy):
    x = np.sort(np.asarray(values))[:, None]
    binner = KBinsDiscretizer(3, encode="ordinal", strategy=strategy, subsample=None)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LemmaWarning)  # narrow bins merged
            codes = binner.fit_transform(x).ravel()
    assert np.all(np.diff(codes) >= 0)
    assert codes.min() == 0 and codes.max() == binner.n_bins_[0] - 1


def test_kbins_keeps_float32_and_dataframe_names(rng):
    X = pd.DataFrame(rng.normal(size=(40, 2)).astype(np.float32), columns=["a", "b"])
    out = KBinsDiscretizer(2).fit_transform(X)
    assert list(out.columns) == ["a_0.0", "a_1.0", "b_0.0", "b_1.0"]
    assert out.to_numpy().dtype == np.float32
    assert KBinsDiscretizer(2, dtype=np.float64).fit_transform(X).to_numpy().dtype == np.float64


def test_kbins_constant_column_warns_and_is_one_bin():
    X = np.column_stack([np.full(10, 3.0), np.arange(10.0)])
    with pytest.warns(LemmaWarning, match="'x0' is constant"):
        binner = KBinsDiscretizer(3, encode="ordinal").fit(X)
    assert binner.n_bins_.tolist() == [1, 3]
    np.testing.assert_array_equal(binner.transform(X)[:, 0], 0.0)


def test_kbins_narrow_bins_merged_with_warning():
    X = np.array([[0.0]] * 8 + [[1.0], [2.0]])
    with pytest.warns(LemmaWarning, match="merged"):
        binner = KBinsDiscretizer(4).fit(X)
    theirs = pytest.importorskip("sklearn.preprocessing").KBinsDiscretizer(4)
    with pytest.warns(UserWarning):
        theirs.fit(X)
    _same_edges(binner, theirs)


def test_kbins_bad_input():
    X = np.arange(10.0).reshape(-1, 1)
    with pytest.raises(ParameterError, match="n_bins"):
        KBinsDiscretizer(1).fit(X)
    with pytest.raises(ParameterError, match="at least 2"):
        KBinsDiscretizer([1]).fit(X)
    with pytest.raises(ParameterError, match="one whole number per column"):
        KBinsDiscretizer([2, 3]).fit(X)
    with pytest.raises(ParameterError, match="quantile_method"):
        KBinsDiscretizer(2, quantile_method="linear").fit(X, sample_weight=np.ones(10))
    with pytest.raises(DataValidationError, match="NaN"):
        KBinsDiscretizer(2).fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(DataValidationError, match="expects 2"):
        KBinsDiscretizer(2).fit(X).inverse_transform(np.zeros((3, 5)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=1, max_size=40),
       st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.73, 1.0]))  # fmt: skip
def test_weighted_quantile_with_unit_weights_is_numpys(values, q):
    x = np.asarray(values, dtype=float)
    for method, average in (("inverted_cdf", False), ("averaged_inverted_cdf", True)):
        expected = np.percentile(x, 100 * q, method=method)
        got = weighted_quantile(x, np.ones(x.size), np.array([q]), average=average)[0]
        assert got == pytest.approx(expected, abs=1e-12)


def test_weighted_quantile_integer_weights_are_repeated_rows(rng):
    x = rng.normal(size=30)
    w = rng.integers(1, 4, size=30)
    levels = np.array([0.0, 0.25, 0.5, 0.75, 1.0])  # exact in binary: no rounding of q·W
    repeated = np.repeat(x, w)
    for method, average in (("inverted_cdf", False), ("averaged_inverted_cdf", True)):
        np.testing.assert_allclose(
            weighted_quantile(x, w.astype(float), levels, average=average),
            np.percentile(repeated, 100 * levels, method=method),
        )


# ----------------------------------------------------------------------------- PAV
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(0.1, 5)), min_size=1, max_size=15))
def test_pav_pooled_means_are_isotonic_regression(pairs):
    means = np.array([m for m, _ in pairs])
    weights = np.array([w for _, w in pairs])
    blocks = pool_adjacent_violators(means, weights)
    assert [i for block in blocks for i in block] == list(range(means.size))
    pooled = np.concatenate(
        [np.full(len(b), np.average(means[b], weights=weights[b])) for b in blocks]
    )
    expected = IsotonicRegression().fit_transform(
        np.arange(means.size), means, sample_weight=weights
    )
    np.testing.assert_allclose(pooled, expected, atol=1e-9)


# ----------------------------------------------------------------------------- supervised
def _sklearn_cuts(x, y, max_bins, min_samples_leaf):
    """scikit-learn's tree of the same depth, pruned to the largest subtree with ≤ max_bins."""
    depth = math.ceil(math.log2(max_bins))
    tree = SkTree(max_depth=depth, min_samples_leaf=min_samples_leaf).fit(x[:, None], y)
    for alpha in tree.cost_complexity_pruning_path(x[:, None], y).ccp_alphas:
        if tree.get_n_leaves() <= max_bins:
            break
        tree = SkTree(max_depth=depth, min_samples_leaf=min_samples_leaf, ccp_alpha=alpha)
        tree.fit(x[:, None], y)
    t = tree.tree_
    return np.unique(t.threshold[t.children_left != -1])


@pytest.mark.parametrize("max_bins", [2, 3, 5, 8])
def test_supervised_cuts_match_sklearn_pruned_tree(rng, max_bins):
    x = rng.uniform(0, 10, size=400)
    y = np.sin(x) + rng.normal(0, 0.3, size=400)
    binner = SupervisedBinner(max_bins=max_bins, min_samples_leaf=20, encode="ordinal")
    binner.fit(x[:, None], y)
    expected = _sklearn_cuts(x, y, max_bins, 20)
    cuts = binner.bin_edges_[0][1:-1]
    assert binner.n_bins_[0] == expected.size + 1 <= max_bins
    # scikit-learn stores float32 thresholds: the same cuts up to that rounding, and the
    # same partition of the training rows
    np.testing.assert_allclose(cuts, expected, rtol=1e-6)
    np.testing.assert_array_equal(
        np.searchsorted(cuts, x, side="left"), np.searchsorted(expected, x, side="left")
    )


def test_supervised_finds_planted_steps_and_bin_statistics(rng):
    x = rng.uniform(0, 10, size=600)
    y = np.select([x < 3, x < 7], [0.0, 2.0], 1.0)
    binner = SupervisedBinner(max_bins=3, encode="ordinal").fit(x[:, None], y)
    cuts = binner.bin_edges_[0][1:-1]
    assert np.all(np.abs(cuts - [3.0, 7.0]) < 0.1)
    np.testing.assert_allclose(binner.bin_target_means_[0], [0.0, 2.0, 1.0], atol=1e-12)
    codes = binner.transform(x[:, None]).ravel().astype(int)
    np.testing.assert_allclose(binner.bin_counts_[0], np.bincount(codes))


def test_supervised_monotonic_means_are_monotone(rng):
    x = rng.uniform(0, 10, size=600)
    y = np.select([x < 3, x < 7], [0.0, 2.0], 1.0) + rng.normal(0, 0.2, 600)
    free = SupervisedBinner(max_bins=3).fit(x[:, None], y)
    assert not np.all(np.diff(free.bin_target_means_[0]) >= 0)
    up = SupervisedBinner(max_bins=3, monotonic=True).fit(x[:, None], y)
    assert np.all(np.diff(up.bin_target_means_[0]) >= 0)
    assert up.n_bins_[0] == 2
    down = SupervisedBinner(max_bins=3, monotonic="decreasing").fit(x[:, None], y)
    assert np.all(np.diff(down.bin_target_means_[0]) <= 0)


def test_supervised_binary_target_names_and_classes(rng):
    X = pd.DataFrame({"age": rng.uniform(18, 80, size=500)})
    y = np.where(X["age"] + rng.normal(0, 5, 500) > 45, "yes", "no")
    binner = SupervisedBinner(max_bins=4, monotonic=True).fit(X, y)
    assert binner.classes_.tolist() == ["no", "yes"]
    assert np.all(np.diff(binner.bin_target_means_[0]) >= 0)
    names = binner.get_feature_names_out().tolist()
    assert names[0].startswith("age_(-inf, ") and names[-1].endswith(", inf)")
    out = binner.transform(X)
    assert list(out.columns) == names
    np.testing.assert_array_equal(out.sum(axis=1), 1.0)


def test_supervised_multiclass_shares(rng):
    x = rng.uniform(0, 3, size=300)
    y = np.floor(x).astype(int)  # integers: class labels
    binner = SupervisedBinner(max_bins=4, min_samples_leaf=5).fit(x[:, None], y)
    means = binner.bin_target_means_[0]
    assert means.shape == (binner.n_bins_[0], 3)
    np.testing.assert_allclose(means.sum(axis=1), 1.0)


def test_supervised_float_whole_numbers_are_a_numeric_target(rng):
    x = rng.uniform(0, 10, size=(200, 1))
    y = np.floor(x.ravel())
    binner = SupervisedBinner(max_bins=2).fit(x, y)
    assert binner.classes_ is None and binner.bin_target_means_[0].ndim == 1
    assert SupervisedBinner().fit(x, (y > 4).astype(float)).classes_.tolist() == [0.0, 1.0]


def test_supervised_bad_input(rng):
    x = rng.normal(size=(50, 1))
    with pytest.raises(ParameterError, match="more than two classes"):
        SupervisedBinner(monotonic=True).fit(x, rng.integers(0, 3, size=50))
    with pytest.raises(DataValidationError, match="requires y"):
        SupervisedBinner().fit(x, None)
    with pytest.raises(ParameterError, match="max_bins"):
        SupervisedBinner(max_bins=1).fit(x, x.ravel())
    with pytest.raises(ParameterError, match="monotonic"):
        SupervisedBinner(monotonic="up").fit(x, x.ravel())
