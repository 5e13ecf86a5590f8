"""Separation detection against a closed-form answer in one dimension, and constructed cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.stats.inference import detect_separation


def _separated_1d(x: np.ndarray, y: np.ndarray) -> bool:
    """With a constant and one predictor, the classes are (quasi-)separated exactly when
    one class is empty, or their x ranges do not overlap (touching allowed) and not every
    x is equal (then no direction gives any row a strictly positive margin)."""
    x0, x1 = x[y == 0], x[y == 1]
    if x0.size == 0 or x1.size == 0:
        return True
    if np.all(x == x[0]):
        return False
    return bool(x0.max() <= x1.min() or x1.max() <= x0.min())


@settings(max_examples=50, deadline=None)
@given(
    x=st.lists(st.integers(-5, 5), min_size=4, max_size=12),
    y=st.lists(st.integers(0, 1), min_size=4, max_size=12),
)
def test_matches_closed_form_in_one_dimension(x, y):
    n = min(len(x), len(y))
    x = np.asarray(x[:n], dtype=float)
    y = np.asarray(y[:n])
    Z = np.column_stack([np.ones(n), x])
    assert detect_separation(Z, y).separated == _separated_1d(x, y)


def test_complete_and_quasi_complete():
    Z = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    complete = detect_separation(Z, np.array([0, 0, 0, 1, 1, 1]), names=["intercept", "x"])
    assert complete.separated and complete.complete and "x" in complete.columns
    # a tie at the boundary (x = 3 in both classes) makes it quasi-complete
    Zq = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 3.0, 5.0, 6.0]])
    quasi = detect_separation(Zq, np.array([0, 0, 0, 1, 1, 1]))
    assert quasi.separated and not quasi.complete and quasi.n_separated_rows == 4


def test_a_dummy_that_is_always_one_class_separates(rng):
    n = 200
    x = rng.normal(size=n)
    dummy = (rng.uniform(size=n) < 0.1).astype(float)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-x))).astype(int)
    y[dummy == 1] = 1  # every row with the dummy is class 1: quasi-separation
    Z = np.column_stack([np.ones(n), x, dummy])
    result = detect_separation(Z, y, names=["intercept", "x", "dummy"])
    assert result.separated and not result.complete
    assert "dummy" in result.columns


def test_overlapping_classes_are_not_separated(rng):
    n = 300
    X = rng.normal(size=(n, 3))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    assert not detect_separation(np.column_stack([np.ones(n), X]), y).separated
