"""Splitters: scikit-learn's indices when unshuffled, documented properties when shuffled."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.model_selection as skms
from hypothesis import given, settings
from hypothesis import strategies as st

import lemma.selection as ls
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError

SETTINGS = settings(max_examples=40, deadline=None)


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _pairs(splitter, X, **kw):
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(X, **kw)]


@st.composite
def labelled(draw, min_rows=4, max_rows=60):
    """Rows, fold count, class labels and group labels."""
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(2, min(6, n)))
    n_classes = draw(st.integers(2, 4))
    y = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    n_groups = draw(st.integers(k, max(k, n)))
    groups = np.array(draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**31 - 1))
    return np.zeros((n, 2)), k, y, groups, seed


# ------------------------------------------------------------- exact scikit-learn indices
@SETTINGS
@given(labelled())
def test_unshuffled_kfold_family_matches_sklearn(case):
    X, k, y, groups, _ = case
    assert _pairs(ls.KFold(k), X) == _pairs(skms.KFold(k), X)
    if np.bincount(y).max() >= k:
        with _quiet():  # both warn about classes rarer than k
            ours = _pairs(ls.StratifiedKFold(k), X, y=y)
            theirs = _pairs(skms.StratifiedKFold(k), X, y=y)
        assert ours == theirs
    if np.unique(groups).size >= k:
        assert _pairs(ls.GroupKFold(k), X, groups=groups) == _pairs(
            skms.GroupKFold(k), X, groups=groups
        )


@SETTINGS
@given(
    n=st.integers(8, 80),
    k=st.integers(2, 6),
    gap=st.integers(0, 3),
    test_size=st.one_of(st.none(), st.integers(1, 6)),
    max_train_size=st.one_of(st.none(), st.integers(1, 30)),
)
def test_time_series_split_matches_sklearn(n, k, gap, test_size, max_train_size):
    X = np.zeros((n, 1))
    kwargs = {"gap": gap, "test_size": test_size, "max_train_size": max_train_size}
    try:
        theirs = _pairs(skms.TimeSeriesSplit(k, **kwargs), X)
    except ValueError:
        with pytest.raises(DataValidationError):
            _pairs(ls.TimeSeriesSplit(k, **kwargs), X)
        return
    assert _pairs(ls.TimeSeriesSplit(k, **kwargs), X) == theirs


@pytest.mark.parametrize("n", [2, 3, 7])
def test_leave_one_out_matches_sklearn(n):
    X = np.zeros((n, 1))
    assert _pairs(ls.LeaveOneOut(), X) == _pairs(skms.LeaveOneOut(), X)
    assert ls.LeaveOneOut().get_n_splits(X) == n


@SETTINGS
@given(labelled(min_rows=6))
def test_repeated_kfold_matches_sklearn(case):
    X, k, _y, _, seed = case
    ours = ls.RepeatedKFold(n_splits=k, n_repeats=3, random_state=seed)
    theirs = skms.RepeatedKFold(n_splits=k, n_repeats=3, random_state=seed)
    assert _pairs(ours, X) == _pairs(theirs, X)
    assert ours.get_n_splits() == theirs.get_n_splits() == 3 * k


# ----------------------------------------------------------- properties of shuffled splits
def _check_partition(splits, n, k):
    """Every row in exactly one test fold; train is the complement of test."""
    assert len(splits) == k
    tested = np.concatenate([test for _, test in splits])
    assert np.array_equal(np.sort(tested), np.arange(n))
    for train, test in splits:
        assert np.intersect1d(train, test).size == 0
        assert train.size + test.size == n


@SETTINGS
@given(labelled())
def test_shuffled_kfold_partitions(case):
    X, k, _, _, seed = case
    splits = list(ls.KFold(k, shuffle=True, random_state=seed).split(X))
    _check_partition(splits, X.shape[0], k)
    sizes = sorted(test.size for _, test in splits)
    assert sizes[-1] - sizes[0] <= 1


@SETTINGS
@given(labelled(min_rows=12), st.booleans())
def test_stratified_folds_keep_class_shares(case, shuffle):
    X, k, y, _, seed = case
    counts = np.bincount(y, minlength=y.max() + 1)
    if counts.min() < k:
        return
    cv = ls.StratifiedKFold(k, shuffle=shuffle, random_state=seed if shuffle else None)
    splits = list(cv.split(X, y))
    _check_partition(splits, X.shape[0], k)
    for _, test in splits:
        in_fold = np.bincount(y[test], minlength=counts.size)
        assert np.all(np.abs(in_fold - counts / k) < 1)


@SETTINGS
@given(labelled(min_rows=12))
def test_repeated_stratified_partitions_each_repetition(case):
    X, k, y, _, seed = case
    counts = np.bincount(y, minlength=y.max() + 1)
    if counts.min() < k:
        return
    splits = list(
        ls.RepeatedStratifiedKFold(n_splits=k, n_repeats=3, random_state=seed).split(X, y)
    )
    for r in range(3):
        block = splits[r * k : (r + 1) * k]
        _check_partition(block, X.shape[0], k)
        for _, test in block:
            assert np.all(np.abs(np.bincount(y[test], minlength=counts.size) - counts / k) < 1)


@SETTINGS
@given(labelled(), st.booleans())
def test_group_folds_never_split_a_group(case, shuffle):
    X, k, y, groups, seed = case
    if np.unique(groups).size < k:
        return
    rs = seed if shuffle else None
    for cv, kwargs in (
        (ls.GroupKFold(k, shuffle=shuffle, random_state=rs), {}),
        (ls.StratifiedGroupKFold(k, shuffle=shuffle, random_state=rs), {"y": y}),
    ):
        if "y" in kwargs and np.bincount(y).max() < k:
            continue
        with _quiet():
            splits = list(cv.split(X, groups=groups, **kwargs))
        _check_partition(splits, X.shape[0], k)
        for train, test in splits:
            assert np.intersect1d(groups[train], groups[test]).size == 0


@SETTINGS
@given(
    n=st.integers(10, 80),
    k=st.integers(2, 5),
    gap=st.integers(0, 3),
    test_size=st.integers(1, 5),
    length=st.one_of(st.none(), st.integers(1, 10)),
)
def test_time_series_order_gap_and_sliding_window(n, k, gap, test_size, length):
    X = np.zeros((n, 1))
    first_end = n - k * test_size - gap
    if first_end <= 0 or (length is not None and length > first_end):
        return
    expanding = list(ls.TimeSeriesSplit(k, test_size=test_size, gap=gap).split(X))
    sliding = list(
        ls.TimeSeriesSplit(
            k, test_size=test_size, gap=gap, max_train_size=length, window="sliding"
        ).split(X)
    )
    window = first_end if length is None else length
    for (train_e, test_e), (train_s, test_s) in zip(expanding, sliding, strict=True):
        assert np.array_equal(test_e, test_s)
        assert test_e.size == test_size
        assert train_e[0] == 0
        assert test_e[0] - train_e[-1] - 1 == gap
        assert test_s[0] - train_s[-1] - 1 == gap
        assert train_s.size == window
        assert np.array_equal(train_s, np.arange(train_s[0], train_s[0] + window))


def test_sliding_window_too_long_is_refused():
    cv = ls.TimeSeriesSplit(3, test_size=2, max_train_size=50, window="sliding")
    with pytest.raises(DataValidationError, match="sliding window"):
        list(cv.split(np.zeros((20, 1))))


# ----------------------------------------------------------------------- hold-out splits
@SETTINGS
@given(labelled(min_rows=20), st.floats(0.1, 0.5))
def test_train_test_split_stratified_keeps_shares(case, test_size):
    _X, _, y, _, seed = case
    counts = np.bincount(y, minlength=y.max() + 1)
    n = y.size
    n_test = int(np.ceil(test_size * n))
    if counts[counts > 0].min() < 2 or n_test < counts.size or n - n_test < counts.size:
        return
    rows = np.arange(n)
    r_train, r_test, y_train, y_test = ls.train_test_split(
        rows, y, test_size=test_size, stratify=y, random_state=seed
    )
    assert np.array_equal(y[r_train], y_train) and np.array_equal(y[r_test], y_test)
    assert r_test.size == n_test and r_train.size == n - n_test
    assert np.intersect1d(r_train, r_test).size == 0
    test_counts = np.bincount(y_test, minlength=counts.size)
    assert np.all(np.abs(test_counts - n_test * counts / n) < 1)


@SETTINGS
@given(labelled(min_rows=10), st.booleans())
def test_train_test_split_keeps_groups_apart(case, shuffle):
    _X, _, _, groups, seed = case
    if np.unique(groups).size < 2:
        return
    rows = np.arange(groups.size)
    rs = seed if shuffle else None
    r_train, r_test = ls.train_test_split(
        rows, groups=groups, test_size=0.3, shuffle=shuffle, random_state=rs
    )
    assert np.intersect1d(groups[r_train], groups[r_test]).size == 0
    assert r_train.size > 0 and r_test.size > 0


def test_train_test_split_keeps_containers_and_sklearn_order_unshuffled():
    frame = pd.DataFrame({"a": np.arange(10.0)}, index=list("abcdefghij"))
    series = pd.Series(np.arange(10), index=frame.index)
    f_train, _f_test, _s_train, s_test, l_train, _l_test = ls.train_test_split(
        frame, series, list(range(10)), test_size=3, shuffle=False
    )
    expected = skms.train_test_split(np.arange(10), test_size=3, shuffle=False)
    assert isinstance(f_train, pd.DataFrame) and isinstance(s_test, pd.Series)
    assert list(f_train.index) == list("abcdefg")
    assert np.array_equal(s_test.to_numpy(), expected[1])
    assert l_train == expected[0].tolist()


def test_shuffle_split_sizes_and_disjoint(seed):
    cv = ls.ShuffleSplit(n_splits=5, test_size=0.2, train_size=0.5, random_state=seed)
    for train, test in cv.split(np.zeros((41, 1))):
        assert test.size == 9 and train.size == 20
        assert np.intersect1d(train, test).size == 0


# ----------------------------------------------------------------------------- check_cv
def test_check_cv_rules():
    y_class = np.array([0, 1] * 10)
    assert isinstance(ls.check_cv(None, y_class, classifier=True), ls.StratifiedKFold)
    assert isinstance(ls.check_cv(3, y_class + 0.5, classifier=True), ls.KFold)
    assert type(ls.check_cv(3, y_class, classifier=False)) is ls.KFold
    sk = skms.KFold(4)
    assert ls.check_cv(sk) is sk
    fixed = ls.check_cv(iter([([0, 1], [2, 3]), ([2, 3], [0, 1])]))
    X = np.zeros((4, 1))
    assert _pairs(fixed, X) == _pairs(fixed, X) == [([0, 1], [2, 3]), ([2, 3], [0, 1])]
    with pytest.raises(ParameterError, match="cv must be"):
        ls.check_cv("five")


# ---------------------------------------------------------------------------- bad input
def test_more_splits_than_rows():
    with pytest.raises(DataValidationError, match="n_splits=5 greater than the number of samples"):
        list(ls.KFold(5).split(np.zeros((3, 1))))


def test_group_kfold_without_groups():
    with pytest.raises(DataValidationError, match="groups is None"):
        list(ls.GroupKFold(2).split(np.zeros((6, 1))))


def test_group_kfold_fewer_groups_than_folds():
    with pytest.raises(DataValidationError, match="number of groups: 2"):
        list(ls.GroupKFold(3).split(np.zeros((6, 1)), groups=[0, 0, 0, 1, 1, 1]))


def test_stratify_with_a_single_member_class():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2])
    with pytest.raises(DataValidationError, match="only 1 member"):
        ls.train_test_split(np.arange(9), stratify=y, test_size=0.5)


def test_stratified_kfold_refuses_continuous_y_and_warns_on_rare_class():
    X = np.zeros((6, 1))
    with pytest.raises(DataValidationError, match="continuous"):
        list(ls.StratifiedKFold(2).split(X, np.linspace(0, 1, 6)))
    with pytest.warns(LemmaWarning, match="least populated class"):
        list(ls.StratifiedKFold(3).split(X, [0, 0, 0, 0, 1, 1]))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ls.KFold(1), "n_splits"),
        (lambda: ls.KFold(3, random_state=0), "shuffle=False"),
        (lambda: ls.TimeSeriesSplit(3, window="rolling"), "window"),
        (lambda: ls.TimeSeriesSplit(3, gap=-1), "gap"),
        (lambda: ls.RepeatedKFold(n_repeats=0), "n_repeats"),
        (lambda: ls.train_test_split(np.arange(5), test_size=1.5), "test_size"),
        (lambda: ls.train_test_split(np.arange(5), np.arange(4)), "inconsistent"),
    ],
)
def test_bad_parameters(make, match):
    with pytest.raises((ParameterError, DataValidationError), match=match):
        make()


def test_groups_given_to_kfold_warns():
    with pytest.warns(LemmaWarning, match="groups parameter is ignored"):
        list(ls.KFold(2).split(np.zeros((4, 1)), groups=[0, 0, 1, 1]))
