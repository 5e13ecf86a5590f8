"""Histograms against bincount; best splits against an exhaustive search in NumPy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.models.ensemble import _histogram as H

INF = math.inf


def _binned(rng, n, d, n_bins=16, missing=0.0):
    codes = rng.integers(0, n_bins - 1, size=(n, d)).astype(np.uint8)
    codes[rng.random((n, d)) < missing] = n_bins - 1
    return np.asfortranarray(codes)


def _reference_histograms(binned, rows, g, h, n_bins):
    d = binned.shape[1]
    out = np.zeros((d, n_bins, 3))
    for j in range(d):
        codes = binned[rows, j]
        out[j, :, 0] = np.bincount(codes, weights=g[rows], minlength=n_bins)
        out[j, :, 1] = np.bincount(codes, weights=h[rows], minlength=n_bins)
        out[j, :, 2] = np.bincount(codes, minlength=n_bins)
    return out


@pytest.mark.parametrize("kernel", ["serial", "parallel"])
def test_histograms_match_bincount(rng, kernel, monkeypatch):
    monkeypatch.setattr(H, "PARALLEL_WORK", 0 if kernel == "parallel" else 10**12)
    binned = _binned(rng, 3000, 5, missing=0.1)
    g, h = rng.normal(size=3000), rng.uniform(0.1, 1, size=3000)
    features = np.arange(5)
    root = np.empty((5, 16, 3))
    H.histograms(binned, g, h, features, root)
    everything = np.arange(3000)
    np.testing.assert_allclose(root, _reference_histograms(binned, everything, g, h, 16))
    rows = np.sort(rng.choice(3000, size=700, replace=False)).astype(np.uint32)
    node = np.empty((5, 16, 3))
    work = (np.empty(3000), np.empty(3000))
    H.histograms(binned, g, h, features, node, rows=rows, ordered=work)
    np.testing.assert_allclose(node, _reference_histograms(binned, rows, g, h, 16))
    # the subtraction trick: the sibling's histograms are the parent's minus the node's
    sibling = np.setdiff1d(everything, rows)
    np.testing.assert_allclose(root - node, _reference_histograms(binned, sibling, g, h, 16))


def test_only_listed_features_are_filled(rng):
    binned = _binned(rng, 200, 4)
    hist = np.full((4, 16, 3), -7.0)
    H.histograms(binned, np.ones(200), np.ones(200), np.array([1, 3]), hist)
    assert np.all(hist[[0, 2]] == -7.0)
    assert hist[1, :, 2].sum() == 200 and hist[3, :, 2].sum() == 200


def _best_numeric(hist_j, n_non_missing, has_missing, totals, lam, min_rows, cst=0):
    """Every threshold, missing rows right then left: the largest unconstrained gain."""
    G, Hs, _ = totals
    best = (-1.0, None, None)
    sides = [False, True] if has_missing else [False]
    for missing_left in sides:
        for b in range(n_non_missing - (0 if (has_missing and not missing_left) else 1)):
            left = hist_j[: b + 1].sum(axis=0)
            if missing_left:
                left = left + hist_j[-1]
            right = np.array(totals) - left
            if left[2] < min_rows or right[2] < min_rows or min(left[1], right[1]) < 1e-3:
                continue
            v_left, v_right = -left[0] / (left[1] + lam), -right[0] / (right[1] + lam)
            if (cst == 1 and v_left > v_right) or (cst == -1 and v_left < v_right):
                continue
            gain = 0.5 * (
                left[0] ** 2 / (left[1] + lam)
                + right[0] ** 2 / (right[1] + lam)
                - G**2 / (Hs + lam)
            )
            if gain > best[0] + 1e-12:
                best = (gain, b, missing_left)
    return best


def _find(hist, n_non_missing, has_missing, categorical=None, cst=None, lam=0.0, min_rows=1):
    d = hist.shape[0]
    totals = tuple(hist[0].sum(axis=0))
    value = -totals[0] / (totals[1] + lam)
    return H.find_node_split(
        hist,
        np.full(d, n_non_missing),
        np.full(d, has_missing),
        np.zeros(d, bool) if categorical is None else categorical,
        np.zeros(d, np.int8) if cst is None else cst,
        np.ones(d, np.uint8),
        totals,
        value,
        (-INF, INF),
        lam,
        (float(min_rows), 1e-3),
        hist.shape[1] - 1,
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), has_missing=st.booleans(), lam=st.sampled_from([0.0, 2.0]))
def test_best_split_is_the_exhaustive_best(seed, has_missing, lam):
    rng = np.random.default_rng(seed)
    binned = _binned(rng, 400, 3, n_bins=9, missing=0.15 if has_missing else 0.0)
    g, h = rng.normal(size=400), rng.uniform(0.2, 1.0, size=400)
    hist = _reference_histograms(binned, np.arange(400), g, h, 9)
    gain, feature, bin_, missing_left, g_left, *_ = _find(hist, 8, has_missing, lam=lam, min_rows=5)
    totals = tuple(hist[0].sum(axis=0))
    expected = [_best_numeric(hist[j], 8, has_missing, totals, lam, 5) for j in range(3)]
    best_feature = int(np.argmax([e[0] for e in expected]))
    np.testing.assert_allclose(gain, expected[best_feature][0], rtol=1e-9)
    assert feature == best_feature
    assert (bin_, missing_left) == expected[best_feature][1:]
    left_rows = binned[:, feature] <= bin_
    left_rows = np.where(binned[:, feature] == 8, missing_left, left_rows)
    np.testing.assert_allclose(g_left, g[left_rows].sum(), rtol=1e-9)


def test_no_split_when_leaves_would_be_too_small(rng):
    binned = _binned(rng, 30, 2)
    hist = _reference_histograms(binned, np.arange(30), rng.normal(size=30), np.ones(30), 16)
    assert _find(hist, 15, False, min_rows=16)[0] <= 0


def test_split_breaking_a_monotonic_constraint_is_refused():
    # one feature, two bins: left rows want +1, right rows want -1 (a decreasing step)
    hist = np.zeros((1, 3, 3))
    hist[0, 0] = (-10.0, 10.0, 10.0)
    hist[0, 1] = (10.0, 10.0, 10.0)
    assert _find(hist, 2, False)[0] > 0
    assert _find(hist, 2, False, cst=np.array([1], np.int8))[0] <= 0
    assert _find(hist, 2, False, cst=np.array([-1], np.int8))[0] > 0


def test_gain_under_bounds_uses_the_clipped_values():
    hist = np.zeros((1, 3, 3))
    hist[0, 0] = (-10.0, 10.0, 10.0)  # wants +1
    hist[0, 1] = (-2.0, 10.0, 10.0)  # wants +0.2
    totals = tuple(hist[0].sum(axis=0))
    found = H.find_node_split(
        hist, np.array([2]), np.array([False]), np.array([False]), np.array([0], np.int8),
        np.ones(1, np.uint8), totals, 0.5, (0.0, 0.5), 0.0, (1.0, 1e-3), 2,
    )  # fmt: skip
    v_left, v_right = 0.5, 0.2  # the left value is clipped to the upper bound
    parent = -12.0 * 0.5 + 0.5 * 20.0 * 0.25
    children = (-10 * v_left + 5.0 * v_left**2) + (-2 * v_right + 5.0 * v_right**2)
    np.testing.assert_allclose(found[0], parent - children, rtol=1e-12)


def _exhaustive_categorical(hist_j, categories, lam):
    totals = hist_j[categories].sum(axis=0)
    best = -1.0
    for size in range(1, len(categories)):
        for subset in itertools.combinations(categories, size):
            left = hist_j[list(subset)].sum(axis=0)
            right = totals - left
            gain = 0.5 * (
                left[0] ** 2 / (left[1] + lam)
                + right[0] ** 2 / (right[1] + lam)
                - totals[0] ** 2 / (totals[1] + lam)
            )
            best = max(best, gain)
    return best


def test_categorical_split_is_the_best_subset(rng):
    """Fisher: with enough rows per category, sorting by G/H loses nothing."""
    hist = np.zeros((1, 256, 3))
    means = rng.permutation(np.array([-2.0, -1.0, 0.3, 0.5, 1.5, 2.5]))
    for c, mean in enumerate(means):
        rows = 200 + 50 * c
        hist[0, c] = (mean * rows, rows, rows)
    found = _find(hist, 6, False, categorical=np.array([True]))
    np.testing.assert_allclose(found[0], _exhaustive_categorical(hist[0], range(6), 0.0))
    bitset = found[-1]
    left = [c for c in range(6) if (bitset[c >> 5] >> (c & 31)) & 1]
    signs = np.sign(means[left])
    assert len(set(signs)) == 1  # the split separates negative from positive gradients


def test_missing_category_and_rare_categories():
    hist = np.zeros((1, 256, 3))
    hist[0, 0] = (30.0, 30.0, 30.0)
    hist[0, 1] = (-30.0, 30.0, 30.0)
    hist[0, 2] = (5.0, 3.0, 3.0)  # three rows: below the support of 10, always right
    hist[0, 255] = (-40.0, 40.0, 40.0)  # missing values, a category of their own
    found = _find(hist, 3, True, categorical=np.array([True]))
    bitset = found[-1]
    in_left = [c for c in (0, 1, 2, 255) if (bitset[c >> 5] >> (c & 31)) & 1]
    assert found[3] == (255 in in_left)
    assert 2 not in in_left
    assert sorted(in_left) in ([1, 255], [0])
