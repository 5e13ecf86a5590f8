"""ROC and precision-recall metrics against scikit-learn and the Mann-Whitney U statistic."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import lemma.metrics as lm
from lemma.exceptions import DataValidationError, ParameterError
from lemma.metrics import UndefinedMetricWarning

TOL = {"rtol": 1e-12, "atol": 1e-12}


@st.composite
def binary_scores(draw, min_n: int = 2):
    """Binary labels with both classes, scores with many ties, optional weights."""
    n = draw(st.integers(min_n, 60))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[0], y[1] = 0, 1
    levels = draw(st.sampled_from([3, 10, 1000]))  # few levels -> many ties
    score = np.array(draw(st.lists(st.integers(0, levels), min_size=n, max_size=n))) / levels
    weight = None
    if draw(st.booleans()):
        weight = np.array(
            draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=n, max_size=n))
        )
        weight[0] = weight[1] = 1.0  # keep both classes
    return y, score, weight


def assert_same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs, **TOL)


# ------------------------------------------------------------- reference: sklearn
@settings(max_examples=50, deadline=None)
@given(data=binary_scores(), drop=st.booleans())
def test_roc_curve_matches_sklearn(data, drop):
    y, score, w = data
    for ours, theirs in zip(
        lm.roc_curve(y, score, sample_weight=w, drop_intermediate=drop),
        skm.roc_curve(y, score, sample_weight=w, drop_intermediate=drop),
        strict=True,
    ):
        assert ours.shape == theirs.shape
        assert_same(ours, theirs)


@settings(max_examples=50, deadline=None)
@given(data=binary_scores(), drop=st.booleans())
def test_precision_recall_curve_matches_sklearn(data, drop):
    y, score, w = data
    for ours, theirs in zip(
        lm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop),
        skm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop),
        strict=True,
    ):
        assert ours.shape == theirs.shape
        assert_same(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(data=binary_scores())
def test_roc_auc_and_average_precision_match_sklearn(data):
    y, score, w = data
    assert_same(
        lm.roc_auc_score(y, score, sample_weight=w), skm.roc_auc_score(y, score, sample_weight=w)
    )
    assert_same(
        lm.average_precision_score(y, score, sample_weight=w),
        skm.average_precision_score(y, score, sample_weight=w),
    )


@settings(max_examples=30, deadline=None)
@given(data=binary_scores(min_n=4), max_fpr=st.sampled_from([0.05, 0.3, 0.5, 1.0]))
def test_partial_auc_matches_sklearn(data, max_fpr):
    y, score, w = data
    assert_same(
        lm.roc_auc_score(y, score, sample_weight=w, max_fpr=max_fpr),
        skm.roc_auc_score(y, score, sample_weight=w, max_fpr=max_fpr),
    )


def test_string_labels_match_sklearn(rng):
    y = rng.choice(["ham", "spam"], size=50)
    score = rng.integers(0, 5, size=50) / 5
    assert_same(lm.roc_auc_score(y, score), skm.roc_auc_score(y, score))
    for fn in ("roc_curve", "precision_recall_curve"):
        for ours, theirs in zip(
            getattr(lm, fn)(y, score, pos_label="ham"),
            getattr(skm, fn)(y, score, pos_label="ham"),
            strict=True,
        ):
            assert_same(ours, theirs)
    assert_same(
        lm.average_precision_score(y, score, pos_label="ham"),
        skm.average_precision_score(y, score, pos_label="ham"),
    )


def _multiclass(rng, n=90, classes=("ant", "bee", "cat", "dog")):
    y = rng.choice(classes, size=n)
    proba = rng.dirichlet(np.ones(len(classes)), size=n)
    proba = np.round(proba, 1)  # ties
    proba[:, -1] = 1 - proba[:, :-1].sum(axis=1)
    proba = np.clip(proba, 0, 1)
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_ovr_matches_sklearn(rng, average, weighted):
    y, proba = _multiclass(rng)
    w = rng.uniform(0, 2, size=y.size) if weighted else None
    kwargs = {"multi_class": "ovr", "average": average, "sample_weight": w}
    assert_same(lm.roc_auc_score(y, proba, **kwargs), skm.roc_auc_score(y, proba, **kwargs))
    kwargs.pop("multi_class")
    assert_same(
        lm.average_precision_score(y, proba, **kwargs),
        skm.average_precision_score(y, proba, **kwargs),
    )


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_multiclass_ovo_matches_sklearn(rng, average):
    y, proba = _multiclass(rng)
    kwargs = {"multi_class": "ovo", "average": average}
    assert_same(lm.roc_auc_score(y, proba, **kwargs), skm.roc_auc_score(y, proba, **kwargs))


def test_multiclass_labels_with_absent_class(rng):
    """labels name the columns when a fold lacks a class (weighted average skips it)."""
    y, proba = _multiclass(rng)
    y = np.where(y == "dog", "cat", y)
    labels = ["ant", "bee", "cat", "dog"]
    kwargs = {"multi_class": "ovr", "average": "weighted", "labels": labels}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns about the absent class
        theirs = skm.roc_auc_score(y, proba, **kwargs)
    assert_same(lm.roc_auc_score(y, proba, **kwargs), theirs)
    kwargs["multi_class"] = "ovo"
    assert_same(lm.roc_auc_score(y, proba, **kwargs), skm.roc_auc_score(y, proba, **kwargs))
    with pytest.raises(DataValidationError, match=r"undefined for classes \['dog'\]"):
        lm.roc_auc_score(y, proba, multi_class="ovr", labels=labels)


def test_binary_problem_with_three_probability_columns(rng):
    """Two classes present, three columns: scored as multiclass with labels, like sklearn."""
    y = rng.choice([0, 1], size=40)
    proba = rng.dirichlet(np.ones(3), size=40)
    kwargs = {"multi_class": "ovo", "labels": [0, 1, 2]}
    assert_same(lm.roc_auc_score(y, proba, **kwargs), skm.roc_auc_score(y, proba, **kwargs))


def test_auc_matches_sklearn(rng):
    x = np.sort(rng.uniform(size=20))
    y = rng.uniform(size=20)
    assert_same(lm.auc(x, y), skm.auc(x, y))
    assert_same(lm.auc(x[::-1], y[::-1]), skm.auc(x[::-1], y[::-1]))


# --------------------------------------------------- mathematics: Mann-Whitney U
@settings(max_examples=50, deadline=None)
@given(data=binary_scores())
def test_auc_equals_mann_whitney_u(data):
    y, score, _ = data
    positives, negatives = score[y == 1], score[y == 0]
    u = scipy.stats.mannwhitneyu(positives, negatives).statistic
    assert lm.roc_auc_score(y, score) == pytest.approx(
        u / (positives.size * negatives.size), rel=1e-12
    )


def test_auc_is_trapezoid_over_roc_points(rng):
    y = rng.integers(0, 2, size=200)
    score = rng.integers(0, 7, size=200)
    fpr, tpr, _ = lm.roc_curve(y, score)
    assert lm.roc_auc_score(y, score) == pytest.approx(np.trapezoid(tpr, fpr), rel=1e-14)


def test_weights_equal_repeated_rows(rng):
    y = rng.integers(0, 2, size=30)
    y[:2] = [0, 1]
    score = rng.integers(0, 5, size=30).astype(float)
    counts = rng.integers(1, 4, size=30)
    rep = (np.repeat(y, counts), np.repeat(score, counts))
    for fn in (lm.roc_auc_score, lm.average_precision_score):
        assert fn(y, score, sample_weight=counts) == pytest.approx(fn(*rep), rel=1e-12)


def test_perfect_and_reversed_scores():
    y = np.array([0, 0, 1, 1])
    assert lm.roc_auc_score(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert lm.roc_auc_score(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert lm.roc_auc_score(y, [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert lm.average_precision_score(y, [0.1, 0.2, 0.8, 0.9]) == 1.0


def test_one_sort_for_a_million_rows(rng, monkeypatch):
    """roc_auc_score is O(n log n): exactly one sort of the scores, none of the labels."""
    n = 1_000_000
    y = rng.integers(0, 2, size=n)
    score = rng.normal(size=n) + 0.5 * y
    calls = []
    for name in ("argsort", "sort", "unique"):
        original = getattr(np, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(np, name, counting)
    value = lm.roc_auc_score(y, score)
    monkeypatch.undo()
    assert calls == ["argsort"]
    ranks = scipy.stats.rankdata(score)
    n_pos = int(y.sum())
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2
    assert value == pytest.approx(u / (n_pos * (n - n_pos)), rel=1e-10)


# ---------------------------------------------------------------------- bad input
def test_one_class_auc_is_an_error():
    with pytest.raises(DataValidationError, match=r"ROC AUC is undefined .* only one class"):
        lm.roc_auc_score([1, 1, 1], [0.2, 0.5, 0.9])


def test_one_class_curves_warn():
    with pytest.warns(UndefinedMetricWarning, match="No negative samples"):
        fpr, _, _ = lm.roc_curve([1, 1], [0.2, 0.4])
    assert np.isnan(fpr).all()
    with pytest.warns(UndefinedMetricWarning, match="No positive class found"):
        assert lm.average_precision_score([0, 0], [0.2, 0.4]) == 0.0


def test_multiclass_needs_strategy_and_probabilities(rng):
    y, proba = _multiclass(rng)
    with pytest.raises(ParameterError, match="multi_class='ovr' or 'ovo'"):
        lm.roc_auc_score(y, proba)
    with pytest.raises(DataValidationError, match=r"sum up to 1\.0"):
        lm.roc_auc_score(y, proba * 2, multi_class="ovr")
    with pytest.raises(ParameterError, match="sample_weight is not supported"):
        lm.roc_auc_score(y, proba, multi_class="ovo", sample_weight=np.ones(y.size))
    with pytest.raises(ParameterError, match="average must be one of"):
        lm.roc_auc_score(y, proba, multi_class="ovo", average="micro")
    with pytest.raises(DataValidationError, match=r"4 classes .* but y_score has 3 columns"):
        lm.roc_auc_score(y, np.full((y.size, 3), 1 / 3), multi_class="ovr")
    with pytest.raises(ParameterError, match="sorted"):
        lm.roc_auc_score(y, proba, multi_class="ovr", labels=["dog", "cat", "bee", "ant"])
    with pytest.raises(ParameterError, match="max_fpr"):
        lm.roc_auc_score(y, proba, multi_class="ovr", max_fpr=0.5)


def test_binary_with_two_columns_is_explained():
    with pytest.raises(DataValidationError, match=r"predict_proba\(X\)\[:, 1\]"):
        lm.roc_auc_score([0, 1], [[0.8, 0.2], [0.3, 0.7]])


def test_pos_label_needed_for_strings():
    with pytest.raises(ParameterError, match="pass pos_label"):
        lm.roc_curve(["a", "b"], [0.1, 0.9])
    with pytest.raises(ParameterError, match="pos_label=1 is not a valid label"):
        lm.average_precision_score(["a", "b"], [0.1, 0.9])


def test_bad_scores_and_lengths():
    with pytest.raises(DataValidationError, match="y_score has NaN in 1 row"):
        lm.roc_auc_score([0, 1, 1], [0.1, np.nan, 0.3])
    with pytest.raises(DataValidationError, match="y_true has 3 values but y_score has 2"):
        lm.roc_auc_score([0, 1, 1], [0.1, 0.3])
    with pytest.raises(DataValidationError, match="Unknown label type: y_true is continuous"):
        lm.roc_auc_score([0.1, 0.7, 0.3], [0.1, 0.2, 0.3])
    with pytest.raises(ParameterError, match="max_fpr"):
        lm.roc_auc_score([0, 1], [0.1, 0.2], max_fpr=0.0)


def test_auc_bad_x():
    with pytest.raises(DataValidationError, match="neither increasing nor decreasing"):
        lm.auc([0, 2, 1], [0, 1, 1])
    with pytest.raises(DataValidationError, match="At least 2 points"):
        lm.auc([0], [1])
