"""Splitters: which rows train and which rows test, fold by fold.

A splitter partitions the row indices ``{0, …, n−1}`` into J train/test pairs.
K-fold cuts the (optionally shuffled) rows into K consecutive blocks of sizes
``⌈n/K⌉`` (the first ``n mod K`` blocks) and ``⌊n/K⌋``; block k is the test set
of fold k and the other rows train, so every row is tested exactly once. The
variants keep one more property each:

* stratified: in every test fold class k has ``⌊c_k/K⌋`` or ``⌈c_k/K⌉`` rows
  (``c_k`` rows of class k overall), so class shares match the whole data;
* grouped: all rows of a group fall on the same side (no leakage between
  repeated measurements of one patient, customer, ...);
* time-ordered: every training row precedes every test row, optionally with a
  ``gap`` of unused rows in between, in an expanding or a sliding window.

Unshuffled splitters give exactly scikit-learn's indices; shuffled ones keep
their documented properties, drawing randomness only from ``random_state``.

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed. (2009), §7.10; the API is scikit-learn's (Pedregosa et al.,
JMLR 12, 2011).
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.validation import check_random_state, type_of_target

__all__ = [
    "BaseCrossValidator",
    "GroupKFold",
    "KFold",
    "LeaveOneOut",
    "PredefinedSplits",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "StratifiedGroupKFold",
    "StratifiedKFold",
    "TimeSeriesSplit",
    "check_cv",
]

Split = tuple[np.ndarray, np.ndarray]


# ----------------------------------------------------------------------------- helpers
def num_samples(data: Any) -> int:
    """Number of rows of an array, DataFrame, sparse matrix or list."""
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    try:
        return len(data)
    except TypeError:
        raise DataValidationError(
            f"Expected an array-like with rows, got {type(data).__name__}; pass a NumPy "
            "array, a DataFrame or a list."
        ) from None


def take_rows(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of ``data`` in its own container (``None`` stays ``None``)."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if type(data).__module__.split(".")[0] == "polars":
        return data[indices.tolist()]
    if hasattr(data, "shape"):
        return data[indices]
    return [data[i] for i in indices]


def _check_n_splits(n_splits: Any, owner: str) -> None:
    if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool) or n_splits < 2:
        raise ParameterError(
            f"The 'n_splits' parameter of {owner} must be an int in [2, inf). Got "
            f"{n_splits!r} instead; k-fold needs at least one train/test split of 2 folds."
        )


def _check_shuffle(shuffle: Any, random_state: Any, owner: str) -> None:
    if not isinstance(shuffle, bool | np.bool_):
        raise ParameterError(f"The 'shuffle' parameter of {owner} must be a bool. Got {shuffle!r}.")
    if not shuffle and random_state is not None:
        raise ParameterError(
            f"Setting random_state has no effect since {owner} has shuffle=False. Leave "
            "random_state at None, or set shuffle=True."
        )


def _class_labels(y: Any, owner: str) -> np.ndarray:
    """Class indices of a 1-D label vector, refusing continuous targets."""
    if y is None:
        raise DataValidationError(f"{owner} stratifies on y, but y is None; pass the labels.")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass"):
        raise DataValidationError(
            f"{owner} needs class labels in y (binary or multiclass), got a {kind!r} target. "
            "For a numeric target use KFold (or bin y first)."
        )
    return y


def _encode_by_appearance(y: np.ndarray) -> np.ndarray:
    """Classes numbered 0, 1, … in order of first appearance (label-invariant)."""
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse.reshape(-1)]


def _group_codes(groups: Any, n_samples: int, owner: str) -> np.ndarray:
    if groups is None:
        raise DataValidationError(
            f"{owner} keeps groups apart, but groups is None; pass groups=... with one group "
            "label per row (e.g. a patient or customer id)."
        )
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise DataValidationError(
            f"groups has shape {groups.shape} but X has {n_samples} rows; pass one group "
            "label per row."
        )
    return np.unique(groups, return_inverse=True)[1].reshape(-1)


def _warn_groups_ignored(groups: Any, owner: str) -> None:
    if groups is not None:
        warnings.warn(
            f"The groups parameter is ignored by {owner}; use GroupKFold or "
            "StratifiedGroupKFold to keep groups apart.",
            LemmaWarning,
            stacklevel=4,
        )


# ------------------------------------------------------------------------------- base
class BaseCrossValidator:
    """Base of lemma's splitters: ``split`` yields (train, test) index arrays.

    Subclasses implement ``_test_folds(n_samples, y, groups)``, yielding the test
    indices of each fold; the training set is every other row. Both arrays come
    out sorted.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import BaseCrossValidator
    >>> class EvenOdd(BaseCrossValidator):
    ...     n_splits = 2
    ...     def _test_folds(self, n_samples, y, groups):
    ...         yield np.arange(0, n_samples, 2)
    ...         yield np.arange(1, n_samples, 2)
    >>> [test.tolist() for _, test in EvenOdd().split(np.zeros((5, 1)))]
    [[0, 2, 4], [1, 3]]
    """

    def __repr__(self) -> str:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        shown = ", ".join(f"{p}={getattr(self, p)!r}" for p in names)
        return f"{type(self).__name__}({shown})"

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Yield ``(train, test)`` index arrays, one pair per fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its number of rows is used.
        y : array-like of shape (n_samples,), default=None
            Class labels (stratified splitters).
        groups : array-like of shape (n_samples,), default=None
            Group labels (group splitters).

        Yields
        ------
        train, test : ndarray of int
        """
        n_samples = num_samples(X)
        self._check_size(n_samples)
        indices = np.arange(n_samples)
        for test in self._test_folds(n_samples, y, groups):
            mask = np.zeros(n_samples, dtype=bool)
            mask[test] = True
            yield indices[~mask], indices[mask]

    def _check_size(self, n_samples: int) -> None:
        n_splits = getattr(self, "n_splits", 2)
        if n_splits > n_samples:
            raise DataValidationError(
                f"Cannot have number of splits n_splits={n_splits} greater than the number "
                f"of samples: n_samples={n_samples}. Lower n_splits or use more rows."
            )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of (train, test) pairs ``split`` yields."""
        return int(self.n_splits)  # type: ignore[attr-defined]

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterable[np.ndarray]:
        raise NotImplementedError


# ---------------------------------------------------------------------------- k-folds
class KFold(BaseCrossValidator):
    """K consecutive folds; each serves once as the test set.

    The first ``n_samples % n_splits`` folds have ``n_samples // n_splits + 1``
    rows, the others ``n_samples // n_splits``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Shuffle the rows once before cutting the folds.
    random_state : int, RandomState or None, default=None
        Seed of the shuffle (only with ``shuffle=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import KFold
    >>> for train, test in KFold(n_splits=3).split(np.zeros((5, 1))):
    ...     print(train, test)
    [2 3 4] [0 1]
    [0 1 4] [2 3]
    [0 1 2 3] [4]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None):
        _check_n_splits(n_splits, type(self).__name__)
        _check_shuffle(shuffle, random_state, type(self).__name__)
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        _warn_groups_ignored(groups, type(self).__name__)
        return super().split(X, y, None)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterator[np.ndarray]:
        order = np.arange(n_samples)
        if self.shuffle:
            check_random_state(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        stops = np.cumsum(sizes)
        for start, stop in zip(stops - sizes, stops, strict=True):
            yield order[start:stop]


class StratifiedKFold(KFold):
    """K folds with the class shares of y in every test fold.

    Rows of class k are dealt to the folds in blocks, fold i receiving as many as
    the positions ``i, i+K, i+2K, …`` of the class-sorted labels hold, i.e.
    ``⌊c_k/K⌋`` or ``⌈c_k/K⌉``. Classes are taken in order of first appearance,
    so relabelling y does not change the folds. With ``shuffle=True`` each class's
    fold assignment is shuffled.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=False
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import StratifiedKFold
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> for train, test in StratifiedKFold(n_splits=2).split(np.zeros((6, 1)), y):
    ...     print(test, y[test])
    [0 1 4] [0 0 1]
    [2 3 5] [0 0 1]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        _warn_groups_ignored(groups, type(self).__name__)
        y = _class_labels(y, type(self).__name__)
        if y.shape[0] != num_samples(X):
            raise DataValidationError(
                f"X has {num_samples(X)} rows but y has {y.shape[0]}; pass one label per row."
            )
        return BaseCrossValidator.split(self, X, y, None)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterator[np.ndarray]:
        codes = _encode_by_appearance(y)
        counts = np.bincount(codes)
        if np.all(counts < self.n_splits):
            raise DataValidationError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                f"each class (largest class has {counts.max()}); lower n_splits."
            )
        if counts.min() < self.n_splits:
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is "
                f"less than n_splits={self.n_splits}; some test folds will miss it.",
                LemmaWarning,
                stacklevel=4,
            )
        # Round robin over the class-sorted labels: allocation[i, k] rows of class k in fold i.
        allocation = np.zeros((self.n_splits, counts.size), dtype=int)
        np.add.at(allocation, (np.arange(n_samples) % self.n_splits, np.sort(codes)), 1)
        rng = check_random_state(self.random_state)
        fold_of = np.empty(n_samples, dtype=int)
        for k in range(counts.size):
            folds = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if self.shuffle:
                rng.shuffle(folds)
            fold_of[codes == k] = folds
        for i in range(self.n_splits):
            yield np.flatnonzero(fold_of == i)


class GroupKFold(KFold):
    """K folds that never split a group; each group is tested exactly once.

    Unshuffled, groups are dealt largest first to the fold with the fewest rows so
    far (scikit-learn's greedy balancing). Shuffled, the distinct groups are
    permuted and cut into K nearly equal sets of groups.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=False
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import GroupKFold
    >>> groups = np.array([0, 0, 2, 2, 3, 3])
    >>> for train, test in GroupKFold(n_splits=2).split(np.zeros((6, 1)), groups=groups):
    ...     print(groups[test])
    [0 0 3 3]
    [2 2]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        return BaseCrossValidator.split(self, X, y, groups)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterator[np.ndarray]:
        codes = _group_codes(groups, n_samples, type(self).__name__)
        sizes = np.bincount(codes)
        if self.n_splits > sizes.size:
            raise DataValidationError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of groups: {sizes.size}. Lower n_splits."
            )
        if self.shuffle:
            permuted = check_random_state(self.random_state).permutation(sizes.size)
            fold_of_group = np.empty(sizes.size, dtype=int)
            for i, chunk in enumerate(np.array_split(permuted, self.n_splits)):
                fold_of_group[chunk] = i
        else:
            fold_rows = np.zeros(self.n_splits)
            fold_of_group = np.zeros(sizes.size, dtype=int)
            # Largest group first; among equal sizes the later group first (sklearn's order).
            for g in np.argsort(sizes, kind="stable")[::-1]:
                lightest = int(np.argmin(fold_rows))
                fold_rows[lightest] += sizes[g]
                fold_of_group[g] = lightest
        fold_of = fold_of_group[codes]
        for i in range(self.n_splits):
            yield np.flatnonzero(fold_of == i)


class StratifiedGroupKFold(KFold):
    """K folds that keep groups whole while matching class shares as well as they can.

    Groups are taken in decreasing order of the spread (standard deviation) of their
    class counts and each goes to the fold that minimises the mean over classes of
    the standard deviation, across folds, of the fold's share of that class; ties
    go to the fold with fewer rows. With ``shuffle=True`` groups of equal spread are
    visited in random order.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=False
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import StratifiedGroupKFold
    >>> y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    >>> groups = np.array([1, 1, 2, 2, 3, 3, 4, 4])
    >>> cv = StratifiedGroupKFold(n_splits=2)
    >>> [y[test].tolist() for _, test in cv.split(np.zeros((8, 1)), y, groups)]
    [[0, 0, 1, 1], [1, 1, 0, 0]]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        y = _class_labels(y, type(self).__name__)
        return BaseCrossValidator.split(self, X, y, groups)

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterator[np.ndarray]:
        codes = _group_codes(groups, n_samples, type(self).__name__)
        classes = np.unique(y, return_inverse=True)[1].reshape(-1)
        class_totals = np.bincount(classes)
        if np.all(class_totals < self.n_splits):
            raise DataValidationError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                "each class; lower n_splits."
            )
        n_groups = codes.max() + 1
        if self.n_splits > n_groups:
            raise DataValidationError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of groups: {n_groups}. Lower n_splits."
            )
        counts = np.zeros((n_groups, class_totals.size))
        np.add.at(counts, (codes, classes), 1)
        order = np.arange(n_groups)
        if self.shuffle:
            order = check_random_state(self.random_state).permutation(n_groups)
        order = order[np.argsort(-np.std(counts[order], axis=1), kind="stable")]
        fold_counts = np.zeros((self.n_splits, class_totals.size))
        fold_of_group = np.zeros(n_groups, dtype=int)
        for g in order:
            best = self._best_fold(fold_counts, class_totals, counts[g])
            fold_counts[best] += counts[g]
            fold_of_group[g] = best
        fold_of = fold_of_group[codes]
        for i in range(self.n_splits):
            yield np.flatnonzero(fold_of == i)

    def _best_fold(self, fold_counts: np.ndarray, totals: np.ndarray, group: np.ndarray) -> int:
        best, best_spread, best_rows = 0, np.inf, np.inf
        for i in range(self.n_splits):
            fold_counts[i] += group
            spread = np.mean(np.std(fold_counts / totals, axis=0))
            fold_counts[i] -= group
            rows = fold_counts[i].sum()
            if spread < best_spread or (np.isclose(spread, best_spread) and rows < best_rows):
                best, best_spread, best_rows = i, spread, rows
        return best


# --------------------------------------------------------------------------- repeated
class RepeatedKFold(BaseCrossValidator):
    """Shuffled K-fold repeated ``n_repeats`` times with fresh shuffles.

    One random stream (from ``random_state``) drives all repetitions, so the
    ``n_splits × n_repeats`` splits are reproducible from one seed.

    Parameters
    ----------
    n_splits : int, default=5
    n_repeats : int, default=10
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import RepeatedKFold
    >>> cv = RepeatedKFold(n_splits=2, n_repeats=3, random_state=0)
    >>> cv.get_n_splits(), len(list(cv.split(np.zeros((6, 1)))))
    (6, 6)
    """

    _fold_class: type[KFold] = KFold

    def __init__(self, n_splits: int = 5, *, n_repeats: int = 10, random_state: Any = None):
        owner = type(self).__name__
        _check_n_splits(n_splits, owner)
        if not isinstance(n_repeats, numbers.Integral) or n_repeats < 1:
            raise ParameterError(
                f"The 'n_repeats' parameter of {owner} must be an int in [1, inf). Got "
                f"{n_repeats!r} instead."
            )
        self.n_splits = int(n_splits)
        self.n_repeats = int(n_repeats)
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        rng = check_random_state(self.random_state)
        for _ in range(self.n_repeats):
            folds = self._fold_class(self.n_splits, shuffle=True, random_state=rng)
            yield from folds.split(X, y, groups)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_splits * self.n_repeats


class RepeatedStratifiedKFold(RepeatedKFold):
    """Shuffled stratified K-fold repeated ``n_repeats`` times.

    Parameters
    ----------
    n_splits : int, default=5
    n_repeats : int, default=10
    random_state : int, RandomState or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import RepeatedStratifiedKFold
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=1)
    >>> sorted({int(y[test].sum()) for _, test in cv.split(np.zeros((6, 1)), y)})
    [1]
    """

    _fold_class = StratifiedKFold


# --------------------------------------------------------------------- ordered splits
class TimeSeriesSplit(BaseCrossValidator):
    """Walk-forward splits: train on the past, test on the block that follows.

    The last ``n_splits × test_size`` rows are cut into consecutive test blocks;
    the training rows of a block end ``gap`` rows before it. With
    ``window="expanding"`` training starts at row 0 (at most ``max_train_size``
    rows, the most recent ones); with ``window="sliding"`` every training window
    has the same length: ``max_train_size`` if given, else the length available to
    the first split — the fixed window of a walk-forward backtest.

    Parameters
    ----------
    n_splits : int, default=5
    max_train_size : int or None, default=None
    test_size : int or None, default=None
        Defaults to ``n_samples // (n_splits + 1)``.
    gap : int, default=0
        Rows left out between the end of training and the start of the test block.
    window : {"expanding", "sliding"}, default="expanding"

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import TimeSeriesSplit
    >>> cv = TimeSeriesSplit(n_splits=3, test_size=2, gap=1, window="sliding")
    >>> for train, test in cv.split(np.zeros((10, 1))):
    ...     print(train, test)
    [0 1 2] [4 5]
    [2 3 4] [6 7]
    [4 5 6] [8 9]
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        max_train_size: int | None = None,
        test_size: int | None = None,
        gap: int = 0,
        window: str = "expanding",
    ):
        _check_n_splits(n_splits, "TimeSeriesSplit")
        for name, value, low in (
            ("max_train_size", max_train_size, 1),
            ("test_size", test_size, 1),
        ):
            if value is not None and (not isinstance(value, numbers.Integral) or value < low):
                raise ParameterError(
                    f"The {name!r} parameter of TimeSeriesSplit must be None or an int in "
                    f"[{low}, inf). Got {value!r} instead."
                )
        if not isinstance(gap, numbers.Integral) or gap < 0:
            raise ParameterError(
                f"The 'gap' parameter of TimeSeriesSplit must be an int in [0, inf). Got {gap!r}."
            )
        if window not in ("expanding", "sliding"):
            raise ParameterError(
                "The 'window' parameter of TimeSeriesSplit must be one of {'expanding', "
                f"'sliding'}}. Got {window!r} instead."
            )
        self.n_splits = int(n_splits)
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = int(gap)
        self.window = window

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        _warn_groups_ignored(groups, "TimeSeriesSplit")
        n = num_samples(X)
        if self.n_splits + 1 > n:
            raise DataValidationError(
                f"Cannot have number of folds={self.n_splits + 1} greater than the number of "
                f"samples={n}; lower n_splits."
            )
        test_size = self.test_size if self.test_size is not None else n // (self.n_splits + 1)
        first_end = n - self.n_splits * test_size - self.gap
        if first_end <= 0:
            raise DataValidationError(
                f"Too many splits={self.n_splits} for number of samples={n} with "
                f"test_size={test_size} and gap={self.gap}; lower one of them."
            )
        length = self.max_train_size
        if self.window == "sliding":
            length = first_end if length is None else length
            if length > first_end:
                raise DataValidationError(
                    f"A sliding window of max_train_size={length} rows does not fit before the "
                    f"first test block (only {first_end} rows); lower max_train_size."
                )
        indices = np.arange(n)
        for test_start in range(n - self.n_splits * test_size, n, test_size):
            train_end = test_start - self.gap
            train_start = max(train_end - length, 0) if length else 0
            yield indices[train_start:train_end], indices[test_start : test_start + test_size]


class LeaveOneOut(BaseCrossValidator):
    """n folds, each testing one row: K-fold with K = n.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import LeaveOneOut
    >>> [test.tolist() for _, test in LeaveOneOut().split(np.zeros((3, 1)))]
    [[0], [1], [2]]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        _warn_groups_ignored(groups, "LeaveOneOut")
        return super().split(X, y, None)

    def _check_size(self, n_samples: int) -> None:
        if n_samples < 2:
            raise DataValidationError(
                f"LeaveOneOut needs at least 2 samples, got n_samples={n_samples}."
            )

    def _test_folds(self, n_samples: int, y: Any, groups: Any) -> Iterator[np.ndarray]:
        for i in range(n_samples):
            yield np.array([i])

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        if X is None:
            raise DataValidationError("LeaveOneOut.get_n_splits needs X (one split per row).")
        return num_samples(X)


# --------------------------------------------------------------------- user-given splits
class PredefinedSplits(BaseCrossValidator):
    """An iterable of (train, test) pairs, materialised once so it can be reused.

    Examples
    --------
    >>> from lemma.selection.split import PredefinedSplits
    >>> cv = PredefinedSplits([([0, 1], [2]), ([1, 2], [0])])
    >>> cv.get_n_splits()
    2
    """

    def __init__(self, splits: Iterable[Any]):
        self.splits = [(np.asarray(tr, dtype=int), np.asarray(te, dtype=int)) for tr, te in splits]
        self.n_splits = len(self.splits)

    def __repr__(self) -> str:
        return f"PredefinedSplits(<{self.n_splits} splits>)"

    def split(self, X: Any = None, y: Any = None, groups: Any = None) -> Iterator[Split]:
        yield from ((train.copy(), test.copy()) for train, test in self.splits)


def check_cv(cv: Any = 5, y: Any = None, *, classifier: bool = False) -> Any:
    """Turn ``cv`` into a splitter (scikit-learn's rules).

    Parameters
    ----------
    cv : int, None, splitter or iterable of (train, test)
        None means 5. An int gives :class:`StratifiedKFold` when ``classifier`` and
        y is binary or multiclass, else :class:`KFold` (both unshuffled). An object
        with ``split`` and ``get_n_splits`` (lemma's or scikit-learn's) is returned
        as is; an iterable of index pairs is materialised.
    y : array-like or None
    classifier : bool, default=False

    Returns
    -------
    splitter

    Examples
    --------
    >>> from lemma.selection import check_cv
    >>> check_cv(3, [0, 1, 0, 1, 1, 0], classifier=True)
    StratifiedKFold(n_splits=3, shuffle=False, random_state=None)
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        stratify = classifier and y is not None
        if stratify:
            y_arr = np.asarray(y)
            stratify = y_arr.ndim == 1 and type_of_target(y_arr) in ("binary", "multiclass")
        return StratifiedKFold(int(cv)) if stratify else KFold(int(cv))
    if hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        return cv
    if isinstance(cv, Iterable) and not isinstance(cv, str):
        return PredefinedSplits(cv)
    raise ParameterError(
        f"cv must be an int, None, a splitter with split/get_n_splits or an iterable of "
        f"(train, test) index pairs; got {cv!r}."
    )
