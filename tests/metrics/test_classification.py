"""Classification metrics against scikit-learn, their edge cases and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.exceptions
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import lemma.metrics as lm
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.metrics import UndefinedMetricWarning

TOL = {"rtol": 1e-12, "atol": 1e-12}
ALPHABETS = {
    "int": [0, 1, 2, 3],
    "str": ["ant", "bee", "cat", "dog"],
    "pm1": [-1, 1],
}


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with warnings silenced (both libraries warn on the same edge cases)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@st.composite
def label_data(draw, max_classes: int = 4, min_n: int = 1):
    alphabet = ALPHABETS[draw(st.sampled_from(["int", "str", "pm1"]))]
    k = draw(st.integers(2, max_classes))
    n = draw(st.integers(min_n, 50))
    classes = st.sampled_from(alphabet[:k])
    y_true = np.array(draw(st.lists(classes, min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(classes, min_size=n, max_size=n)))
    weight = None
    if draw(st.booleans()):
        weight = np.array(draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)))
        weight[draw(st.integers(0, n - 1))] += 0.5
    return y_true, y_pred, weight


def assert_same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs, **TOL)


# ------------------------------------------------------------- reference: sklearn
@settings(max_examples=50, deadline=None)
@given(data=label_data(), normalize=st.booleans())
def test_accuracy_matches_sklearn(data, normalize):
    y_true, y_pred, w = data
    ours = lm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w)
    assert_same(ours, skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w))


@settings(max_examples=50, deadline=None)
@given(data=label_data(), adjusted=st.booleans())
def test_balanced_accuracy_matches_sklearn(data, adjusted):
    y_true, y_pred, w = data
    ours = quiet(lm.balanced_accuracy_score, y_true, y_pred, sample_weight=w, adjusted=adjusted)
    theirs = quiet(skm.balanced_accuracy_score, y_true, y_pred, sample_weight=w, adjusted=adjusted)
    assert_same(ours, theirs)


@settings(max_examples=50, deadline=None)
@given(data=label_data(), normalize=st.sampled_from([None, "true", "pred", "all"]))
def test_confusion_matrix_matches_sklearn(data, normalize):
    y_true, y_pred, w = data
    ours = quiet(lm.confusion_matrix, y_true, y_pred, sample_weight=w, normalize=normalize)
    theirs = quiet(skm.confusion_matrix, y_true, y_pred, sample_weight=w, normalize=normalize)
    assert ours.shape == theirs.shape
    assert_same(ours, theirs)
    if w is None and normalize is None:
        assert ours.dtype.kind == "i"


@settings(max_examples=30, deadline=None)
@given(data=label_data(min_n=5))
def test_confusion_matrix_with_labels_matches_sklearn(data):
    y_true, y_pred, w = data
    labels = [y_true[0], y_pred[-1], "zebra" if y_true.dtype.kind == "U" else 99]
    labels = list(dict.fromkeys(labels))  # distinct, order kept
    ours = quiet(lm.confusion_matrix, y_true, y_pred, labels=labels, sample_weight=w)
    theirs = quiet(skm.confusion_matrix, y_true, y_pred, labels=labels, sample_weight=w)
    assert_same(ours, theirs)


@settings(max_examples=50, deadline=None)
@given(data=label_data())
def test_matthews_matches_sklearn(data):
    y_true, y_pred, w = data
    assert_same(
        lm.matthews_corrcoef(y_true, y_pred, sample_weight=w),
        quiet(skm.matthews_corrcoef, y_true, y_pred, sample_weight=w),
    )


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("zero_division", [0, 1, np.nan])
@settings(max_examples=25, deadline=None)
@given(data=label_data(), beta=st.sampled_from([0.5, 1.0, 2.0]))
def test_prfs_multiclass_matches_sklearn(average, zero_division, data, beta):
    y_true, y_pred, w = data
    kwargs = {"beta": beta, "average": average, "sample_weight": w}
    ours = lm.precision_recall_fscore_support(y_true, y_pred, zero_division=zero_division, **kwargs)
    theirs = skm.precision_recall_fscore_support(
        y_true, y_pred, zero_division=zero_division, **kwargs
    )
    for a, b in zip(ours, theirs, strict=True):
        if b is None:
            assert a is None
        else:
            assert_same(a, b)


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score"])
@pytest.mark.parametrize("zero_division", [0, 1, np.nan])
@settings(max_examples=25, deadline=None)
@given(data=label_data(max_classes=2), pos_first=st.booleans())
def test_binary_scores_match_sklearn(name, zero_division, data, pos_first):
    y_true, y_pred, w = data
    if y_true.dtype.kind == "U":
        alphabet = ALPHABETS["str"]
    elif np.any(np.r_[y_true, y_pred] < 0):
        alphabet = ALPHABETS["pm1"]
    else:
        alphabet = ALPHABETS["int"]
    pos_label = alphabet[0] if pos_first else alphabet[1]
    kwargs = {"pos_label": pos_label, "sample_weight": w, "zero_division": zero_division}
    assert_same(
        getattr(lm, name)(y_true, y_pred, **kwargs), getattr(skm, name)(y_true, y_pred, **kwargs)
    )


def test_labels_subset_and_unseen_label_match_sklearn(rng):
    y_true = rng.choice(["a", "b", "c"], size=40)
    y_pred = rng.choice(["a", "b", "c"], size=40)
    for labels in (["c", "a"], ["b", "z"]):
        for average in (None, "micro", "macro", "weighted"):
            kwargs = {"labels": labels, "average": average, "zero_division": 0}
            for ours, theirs in zip(
                lm.precision_recall_fscore_support(y_true, y_pred, **kwargs),
                skm.precision_recall_fscore_support(y_true, y_pred, **kwargs),
                strict=True,
            ):
                if theirs is not None:
                    assert_same(ours, theirs)


def test_fbeta_matches_sklearn(rng):
    y_true = rng.integers(0, 2, size=60)
    y_pred = rng.integers(0, 2, size=60)
    for beta in (0.0, 0.5, 2.0, np.inf):
        assert_same(
            lm.fbeta_score(y_true, y_pred, beta=beta), skm.fbeta_score(y_true, y_pred, beta=beta)
        )


def _dirichlet(rng, n, k):
    return rng.dirichlet(np.ones(k), size=n)


@pytest.mark.parametrize("weighted", [False, True])
def test_log_loss_matches_sklearn(rng, weighted):
    n = 80
    w = rng.uniform(0, 2, size=n) if weighted else None
    y_str = rng.choice(["ant", "bee", "cat"], size=n)
    proba = _dirichlet(rng, n, 3)
    proba[0] = [1.0, 0.0, 0.0]  # a certain prediction: clipping decides the loss
    assert_same(
        lm.log_loss(y_str, proba, sample_weight=w), skm.log_loss(y_str, proba, sample_weight=w)
    )
    assert_same(
        lm.log_loss(y_str, proba, sample_weight=w, normalize=False),
        skm.log_loss(y_str, proba, sample_weight=w, normalize=False),
    )
    y_bin = rng.integers(0, 2, size=n)
    p1 = rng.uniform(size=n)
    assert_same(lm.log_loss(y_bin, p1, sample_weight=w), skm.log_loss(y_bin, p1, sample_weight=w))
    # a class missing from y_true: labels name the columns
    y_two = np.where(y_str == "cat", "bee", y_str)
    labels = ["ant", "bee", "cat"]
    assert_same(lm.log_loss(y_two, proba, labels=labels), skm.log_loss(y_two, proba, labels=labels))


def test_log_loss_clipping_eps():
    """A confident wrong answer costs -log(eps), eps = machine epsilon of the dtype."""
    assert lm.log_loss([0, 1], [1.0, 1.0]) == pytest.approx(
        (-np.log(np.finfo(np.float64).eps) - np.log1p(-np.finfo(np.float64).eps)) / 2
    )
    p32 = np.array([1.0, 1.0], dtype=np.float32)
    assert lm.log_loss([0, 1], p32) == pytest.approx(skm.log_loss([0, 1], p32), rel=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_brier_matches_sklearn(rng, weighted):
    n = 70
    w = rng.uniform(0, 2, size=n) if weighted else None
    y_bin = rng.integers(0, 2, size=n)
    p1 = rng.uniform(size=n)
    for kwargs in ({}, {"pos_label": 0}, {"scale_by_half": False}):
        assert_same(
            lm.brier_score_loss(y_bin, p1, sample_weight=w, **kwargs),
            skm.brier_score_loss(y_bin, p1, sample_weight=w, **kwargs),
        )
    y_str = np.where(y_bin == 1, "spam", "ham")
    assert_same(
        lm.brier_score_loss(y_str, p1, pos_label="spam", sample_weight=w),
        skm.brier_score_loss(y_str, p1, pos_label="spam", sample_weight=w),
    )
    y_multi = rng.choice(["a", "b", "c"], size=n)
    proba = _dirichlet(rng, n, 3)
    for kwargs in ({}, {"scale_by_half": True}):
        assert_same(
            lm.brier_score_loss(y_multi, proba, sample_weight=w, **kwargs),
            skm.brier_score_loss(y_multi, proba, sample_weight=w, **kwargs),
        )


def test_classification_report_matches_sklearn(rng):
    y_true = rng.choice(["a", "b", "c"], size=50)
    y_pred = rng.choice(["a", "b", "c"], size=50)
    w = rng.uniform(0.5, 2, size=50)
    for labels in (None, ["a", "c"]):
        ours = lm.classification_report(y_true, y_pred, labels=labels, sample_weight=w)
        theirs = skm.classification_report(
            y_true, y_pred, labels=labels, sample_weight=w, output_dict=True
        )
        assert list(ours.index) == list(theirs)
        for row, values in theirs.items():
            if row == "accuracy":
                assert_same(ours.loc[row, "f1-score"], values)
                continue
            for column, value in values.items():
                assert_same(ours.loc[row, column], value)


# ------------------------------------------------------------------- properties
def test_perfect_predictions(rng):
    y = rng.choice(["x", "y", "z"], size=30)
    assert lm.accuracy_score(y, y) == 1.0
    assert lm.balanced_accuracy_score(y, y, adjusted=True) == 1.0
    assert lm.matthews_corrcoef(y, y) == 1.0
    assert lm.f1_score(y, y, average="macro") == 1.0
    np.testing.assert_array_equal(
        lm.confusion_matrix(y, y), np.diag(np.bincount(np.unique(y, return_inverse=True)[1]))
    )


def test_micro_f1_equals_accuracy(rng):
    y_true = rng.integers(0, 4, size=50)
    y_pred = rng.integers(0, 4, size=50)
    assert lm.f1_score(y_true, y_pred, average="micro") == pytest.approx(
        lm.accuracy_score(y_true, y_pred), rel=1e-14
    )


def test_weights_equal_repeated_rows(rng):
    y_true = rng.integers(0, 3, size=20)
    y_pred = rng.integers(0, 3, size=20)
    counts = rng.integers(1, 4, size=20)
    rep = (np.repeat(y_true, counts), np.repeat(y_pred, counts))
    for fn in (lm.matthews_corrcoef, lm.balanced_accuracy_score, lm.accuracy_score):
        assert fn(y_true, y_pred, sample_weight=counts) == pytest.approx(fn(*rep), rel=1e-12)
    np.testing.assert_allclose(
        lm.confusion_matrix(y_true, y_pred, sample_weight=counts), lm.confusion_matrix(*rep)
    )


def test_binary_mcc_is_phi_coefficient(rng):
    y_true = rng.integers(0, 2, size=100)
    y_pred = rng.integers(0, 2, size=100)
    phi = np.corrcoef(y_true, y_pred)[0, 1]
    assert lm.matthews_corrcoef(y_true, y_pred) == pytest.approx(phi, rel=1e-12)


def test_all_one_class_predictions_zero_division():
    y_true = [0, 1, 1, 0]
    y_pred = [0, 0, 0, 0]
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        assert lm.precision_score(y_true, y_pred) == 0.0
    assert lm.precision_score(y_true, y_pred, zero_division=1) == 1.0
    assert np.isnan(lm.precision_score(y_true, y_pred, zero_division=np.nan))
    with pytest.warns(UndefinedMetricWarning, match="F-score is ill-defined"):
        assert lm.f1_score([0, 0], [0, 0]) == 0.0
    assert lm.f1_score([0, 0], [0, 0], zero_division=1.0) == 1.0
    # NaN scores are left out of a macro average
    assert lm.precision_score(
        [0, 1, 2], [0, 0, 0], average="macro", zero_division=np.nan
    ) == skm.precision_score([0, 1, 2], [0, 0, 0], average="macro", zero_division=np.nan)


def test_undefined_metric_warning_is_sklearn_compatible():
    with pytest.warns(sklearn.exceptions.UndefinedMetricWarning):
        lm.recall_score([0, 0], [1, 1])


def test_balanced_accuracy_warns_on_unseen_prediction():
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        assert lm.balanced_accuracy_score([0, 0, 1], [0, 2, 1]) == 0.75


def test_confusion_matrix_single_label_warns():
    with pytest.warns(UserWarning, match="single label"):
        lm.confusion_matrix([1, 1], [1, 1])


def test_accepts_series_lists_and_categoricals():
    y_true = pd.Series(["a", "b", "a"], dtype="category")
    y_pred = pd.Series(["a", "b", "b"])
    assert lm.accuracy_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert lm.f1_score([1, 0, 1], pd.Series([1.0, 0.0, 0.0])) == pytest.approx(2 / 3)
    assert lm.accuracy_score([True, False], [True, True]) == 0.5


def test_large_integer_labels_take_sorting_path():
    y = np.array([10**12, 5, 10**12, 5])
    np.testing.assert_array_equal(lm.confusion_matrix(y, y[::-1]), [[0, 2], [2, 0]])


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "fn",
    [
        lm.accuracy_score,
        lm.f1_score,
        lm.confusion_matrix,
        lm.matthews_corrcoef,
        lm.balanced_accuracy_score,
    ],
)
def test_continuous_y_true(fn):
    with pytest.raises(DataValidationError, match="Unknown label type: y_true is continuous"):
        fn([0.5, 1.2, 3.3], [0, 1, 1])


def test_probabilities_given_as_predictions():
    with pytest.raises(DataValidationError, match=r"y_pred is continuous.*model.predict\(X\)"):
        lm.accuracy_score([0, 1, 1], [0.2, 0.7, 0.9])


def test_length_mismatch():
    with pytest.raises(DataValidationError, match="y_true has 100 values but y_pred has 99"):
        lm.accuracy_score(np.zeros(100, dtype=int), np.zeros(99, dtype=int))


def test_empty():
    with pytest.raises(DataValidationError, match="empty"):
        lm.f1_score([], [])


def test_missing_labels_counted():
    with pytest.raises(DataValidationError, match=r"y_true has missing values .* in 2 rows"):
        lm.accuracy_score(["a", None, np.nan, "b"], ["a", "b", "a", "b"])
    with pytest.raises(DataValidationError, match="y_pred has NaN in 1 row"):
        lm.accuracy_score([0, 1, 1], [0.0, np.nan, 1.0])


def test_mixed_label_types():
    with pytest.raises(DataTypeError, match="same type"):
        lm.accuracy_score(["a", "b"], [0, 1])
    with pytest.raises(DataTypeError, match="mixes value types"):
        lm.accuracy_score(np.array(["a", 1], dtype=object), ["a", "b"])


def test_multilabel_refused():
    with pytest.raises(DataValidationError, match="multilabel"):
        lm.accuracy_score(np.eye(3, dtype=int), np.eye(3, dtype=int))


def test_bad_average_and_pos_label():
    with pytest.raises(ParameterError, match="average='binary'"):
        lm.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ParameterError, match="pos_label=1 is not a valid label"):
        lm.f1_score(["a", "b"], ["a", "b"])
    with pytest.raises(ParameterError, match="average has to be one of"):
        lm.f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ParameterError, match="zero_division"):
        lm.f1_score([0, 1], [0, 1], zero_division=0.5)
    with pytest.warns(UserWarning, match=r"pos_label .* is ignored"):
        lm.f1_score([0, 1, 2], [0, 1, 2], average="macro", pos_label=2)


def test_confusion_matrix_bad_labels():
    with pytest.raises(DataValidationError, match="None of labels"):
        lm.confusion_matrix([0, 1], [0, 1], labels=[5, 6])
    with pytest.raises(ParameterError, match="normalize"):
        lm.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ParameterError, match="repeated"):
        lm.confusion_matrix([0, 1], [0, 1], labels=[0, 0])


def test_log_loss_bad_probabilities():
    with pytest.raises(DataValidationError, match=r"outside \[0, 1\] in 1 row"):
        lm.log_loss([0, 1], [0.2, 1.3])
    with pytest.raises(DataValidationError, match="rows do not sum to 1 in 1 row"):
        lm.log_loss([0, 1], [[0.2, 0.8], [0.5, 0.6]])
    with pytest.raises(DataValidationError, match="only one label"):
        lm.log_loss([1, 1], [0.2, 0.3])
    with pytest.raises(DataValidationError, match=r"3 classes .* but y_proba has 2 columns"):
        lm.log_loss([0, 1, 2], [[0.5, 0.5]] * 3)
    with pytest.raises(DataValidationError, match="not in labels"):
        lm.log_loss([0, 1, 2], [[0.5, 0.5]] * 3, labels=[0, 1])
    with pytest.raises(ParameterError, match="sorted"):
        lm.log_loss([0, 1], [[0.5, 0.5]] * 2, labels=[1, 0])
    with pytest.raises(DataValidationError, match="y_proba has NaN in 1 row"):
        lm.log_loss([0, 1], [0.5, np.nan])
    with pytest.raises(DataValidationError, match="y_true has 2 values but y_proba has 3"):
        lm.log_loss([0, 1], [0.5, 0.5, 0.5])


def test_brier_needs_pos_label_for_strings():
    with pytest.raises(ParameterError, match="pass pos_label"):
        lm.brier_score_loss(["a", "b"], [0.1, 0.9])
    with pytest.raises(DataValidationError, match="3 classes but y_proba is 1-D"):
        lm.brier_score_loss([0, 1, 2], [0.1, 0.9, 0.5])
