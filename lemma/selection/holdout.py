"""Hold-out splits: one random train part and one test part, drawn once or repeatedly.

A hold-out split draws ``n_test`` rows for testing and ``n_train`` of the others
for training. Sizes are fractions of the rows (test rounded up, train rounded
down) or counts. :class:`ShuffleSplit` repeats independent draws (test sets may
overlap across splits); :func:`train_test_split` draws once and can keep

* class shares (``stratify``): class k gets ``n_test · c_k / n`` test rows rounded
  by largest remainder (ties broken at random), so it is within one row of its
  exact share, and the rest of the class is shared out the same way for training;
* groups (``groups``): whole groups are drawn, so no group sits on both sides
  (sizes then count groups, as scikit-learn's ``GroupShuffleSplit``).

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed. (2009), §7.2; the API is scikit-learn's.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from lemma.exceptions import DataValidationError, ParameterError
from lemma.selection.split import (
    BaseCrossValidator,
    Split,
    _warn_groups_ignored,
    num_samples,
    take_rows,
)
from lemma.validation import check_random_state

__all__ = ["ShuffleSplit", "train_test_split"]


# ---------------------------------------------------------------------- random splits
def _split_sizes(n: int, test_size: Any, train_size: Any, default_test: float) -> tuple[int, int]:
    """(n_train, n_test): fractions of n (test rounded up, train down) or counts."""
    if test_size is None and train_size is None:
        test_size = default_test
    sizes = {"test_size": test_size, "train_size": train_size}
    for name, value in sizes.items():
        if value is None:
            continue
        is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        is_frac = isinstance(value, numbers.Real) and not is_int and 0 < value < 1
        if not ((is_int and 0 < value < n) or is_frac):
            raise ParameterError(
                f"{name}={value!r} should be either a positive int smaller than the number "
                f"of samples {n} or a float in the (0, 1) range."
            )
    n_test = _size(test_size, n, math.ceil)
    n_train = _size(train_size, n, math.floor)
    n_test = n - n_train if n_test is None else n_test
    n_train = n - n_test if n_train is None else n_train
    if n_train + n_test > n:
        raise ParameterError(
            f"train_size and test_size ask for {n_train + n_test} rows but there are only "
            f"{n}; reduce test_size and/or train_size."
        )
    if n_train == 0 or n_test == 0:
        raise ParameterError(
            f"With n_samples={n}, test_size={test_size} and train_size={train_size}, one side "
            "of the split is empty; adjust the sizes."
        )
    return n_train, n_test


def _size(value: Any, n: int, rounding: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return int(rounding(value * n))


class ShuffleSplit(BaseCrossValidator):
    """Independent random train/test splits (test sets may overlap across splits).

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffles.
    test_size, train_size : float, int or None
        Fraction of rows (float, test rounded up, train down) or row count (int);
        each defaults to the complement of the other, test to 0.1 if both are None.
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import ShuffleSplit
    >>> cv = ShuffleSplit(n_splits=3, test_size=0.25, random_state=0)
    >>> [(len(tr), len(te)) for tr, te in cv.split(np.zeros((10, 1)))]
    [(7, 3), (7, 3), (7, 3)]
    """

    def __init__(
        self,
        n_splits: int = 10,
        *,
        test_size: float | int | None = None,
        train_size: float | int | None = None,
        random_state: Any = None,
    ):
        if not isinstance(n_splits, numbers.Integral) or n_splits < 1:
            raise ParameterError(
                f"The 'n_splits' parameter of ShuffleSplit must be an int in [1, inf). Got "
                f"{n_splits!r} instead."
            )
        self.n_splits = int(n_splits)
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        _warn_groups_ignored(groups, "ShuffleSplit")
        n = num_samples(X)
        n_train, n_test = _split_sizes(n, self.test_size, self.train_size, 0.1)
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            order = rng.permutation(n)
            yield np.sort(order[n_test : n_test + n_train]), np.sort(order[:n_test])


# --------------------------------------------------------------------- train/test split
def _allocate(total: int, counts: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Split ``total`` over classes proportionally to ``counts`` (largest remainder)."""
    exact = total * counts / counts.sum()
    base = np.floor(exact).astype(int)
    remainder = exact - base
    extra = total - base.sum()
    order = np.lexsort((rng.random_sample(counts.size), -remainder))
    base[order[:extra]] += 1
    return base


def _stratified_split(stratify: Any, n_train: int, n_test: int, rng: Any) -> Split:
    labels = np.asarray(stratify)
    if labels.ndim == 2:
        labels = np.array([" ".join(map(str, row)) for row in labels])
    classes, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(-1)
    counts = np.bincount(codes)
    if counts.min() < 2:
        raise DataValidationError(
            f"The least populated class in stratify ({classes[np.argmin(counts)]!r}) has only "
            "1 member, which is too few: every class needs at least 2 rows to appear on "
            "both sides. Merge rare classes or drop stratify."
        )
    if n_test < classes.size or n_train < classes.size:
        raise ParameterError(
            f"A stratified split needs at least one row per class on each side: "
            f"n_train={n_train}, n_test={n_test}, {classes.size} classes. Enlarge the sides."
        )
    test_counts = _allocate(n_test, counts, rng)
    train_counts = _allocate(n_train, counts - test_counts, rng)
    train, test = [], []
    for k in range(classes.size):
        rows = rng.permutation(np.flatnonzero(codes == k))
        test.append(rows[: test_counts[k]])
        train.append(rows[test_counts[k] : test_counts[k] + train_counts[k]])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _group_split(groups: Any, n: int, test_size: Any, train_size: Any, shuffle: bool, rng: Any):
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise DataValidationError(
            f"groups has shape {groups.shape} but the arrays have {n} rows; pass one group "
            "label per row."
        )
    _, first, codes = np.unique(groups, return_index=True, return_inverse=True)
    codes = codes.reshape(-1)
    n_groups = first.size
    if n_groups < 2:
        raise DataValidationError("A group split needs at least 2 distinct groups; got 1.")
    n_train_g, n_test_g = _split_sizes(n_groups, test_size, train_size, 0.25)
    if shuffle:  # random groups: the first ones drawn test, the next ones train
        order = rng.permutation(n_groups)
        test_groups, train_groups = order[:n_test_g], order[n_test_g : n_test_g + n_train_g]
    else:  # groups in order of first appearance: the earliest train, the next ones test
        order = np.argsort(first)
        train_groups, test_groups = order[:n_train_g], order[n_train_g : n_train_g + n_test_g]
    return np.flatnonzero(np.isin(codes, train_groups)), np.flatnonzero(np.isin(codes, test_groups))


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
    groups: Any = None,
) -> list[Any]:
    """Split arrays into one random train part and one test part.

    Parameters
    ----------
    *arrays : array-likes with the same number of rows
        NumPy arrays, DataFrames, Series, lists; each is split in its own type.
    test_size, train_size : float, int or None
        Fraction (float) or count (int) of rows — of groups when ``groups`` is
        given; test defaults to 0.25, train to the complement.
    random_state : int, RandomState or None, default=None
    shuffle : bool, default=True
        False keeps the row order: the first rows train, the last ones test.
    stratify : array-like of shape (n_samples,) or None
        Class labels whose shares both parts keep (largest-remainder rounding, so
        each class's test count is within one row of its exact share).
    groups : array-like of shape (n_samples,) or None
        Group labels; no group ends up on both sides.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, …]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import train_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
    >>> y_train, y_test
    (array([0, 1, 2, 3, 4, 5, 6]), array([7, 8, 9]))
    """
    if not arrays:
        raise ParameterError("train_test_split needs at least one array to split.")
    n = num_samples(arrays[0])
    lengths = [num_samples(a) for a in arrays]
    if any(length != n for length in lengths):
        raise DataValidationError(
            f"Found input variables with inconsistent numbers of samples: {lengths}; every "
            "array must have one entry per row."
        )
    if stratify is not None and groups is not None:
        raise ParameterError(
            "stratify and groups cannot be combined in train_test_split; use "
            "StratifiedGroupKFold and take one fold."
        )
    if not shuffle and stratify is not None:
        raise ParameterError("Stratified train/test split needs shuffle=True.")
    rng = check_random_state(random_state)
    if groups is not None:
        train, test = _group_split(groups, n, test_size, train_size, shuffle, rng)
    else:
        n_train, n_test = _split_sizes(n, test_size, train_size, 0.25)
        if stratify is not None:
            train, test = _stratified_split(stratify, n_train, n_test, rng)
        elif shuffle:
            order = rng.permutation(n)
            train, test = order[n_test : n_test + n_train], order[:n_test]
        else:
            train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    out = []
    for a in arrays:
        out.extend([take_rows(a, train), take_rows(a, test)])
    return out
