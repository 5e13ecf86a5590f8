"""Classification metrics: counts of right and wrong labels, and probabilistic losses.

Every label metric is a function of the (weighted) confusion matrix C, where
``C[i, j]`` is the total weight of rows of true class i predicted as class j. For
one class k, with TP_k = C[k, k], predicted P̂_k = Σ_i C[i, k], true P_k = Σ_j C[k, j]:

    precision_k = TP_k / P̂_k        recall_k = TP_k / P_k
    F_β,k = (1 + β²) TP_k / (β² P_k + P̂_k)   (the weighted harmonic mean of the two)
    accuracy = Σ_k TP_k / Σ C        balanced accuracy = mean_k recall_k
    MCC = (c·s − t·p) / √((s² − p·p)(s² − t·t))   with t = row sums, p = column sums,
          c = trace, s = total (Gorodkin's R_K; the binary φ coefficient for K = 2)

Averages over classes: ``"macro"`` (plain mean of per-class scores), ``"weighted"``
(mean weighted by P_k, the support), ``"micro"`` (pool TP, P̂, P over classes first;
micro-F1 = accuracy), ``"binary"`` (only the class ``pos_label``), ``None`` (all).
A 0/0 (no predicted or no true rows of a class) is set by ``zero_division``:
``"warn"`` gives 0 and an :class:`UndefinedMetricWarning`; 0, 1 or NaN give that
value silently (NaN scores are left out of averages).

Probabilistic losses, for predicted class probabilities p_ik and one-hot truth T_ik:

    log loss = −Σ_i w_i log p_{i,y_i} / Σ w,  p clipped to [ε, 1 − ε], ε = machine
               epsilon of p's dtype (2.2e-16 for float64), so a confident mistake
               costs log(1/ε) ≈ 36 instead of inf
    Brier    = Σ_i w_i Σ_k (T_ik − p_ik)² / Σ w, halved for two classes so that it is
               the mean squared error of the positive-class probability

Reference: Sokolova & Lapalme, "A systematic analysis of performance measures for
classification tasks", *Information Processing & Management* 45(4), 2009;
conventions of scikit-learn's ``sklearn.metrics`` (Pedregosa et al., JMLR 12, 2011).

Examples
--------
>>> from lemma.metrics import accuracy_score, f1_score
>>> accuracy_score(["cat", "dog", "dog"], ["cat", "dog", "cat"])
0.6666666666666666
>>> f1_score([0, 1, 1, 0], [0, 1, 0, 0])
0.6666666666666666
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError, interop
from lemma.metrics._validation import (
    UndefinedMetricWarning,
    as_class_matrix,
    as_label_array,
    check_label_pair,
    check_lengths,
    check_probabilities,
    check_probability_classes,
    check_sample_weight,
    encode_labels,
    label_positions,
    position_of,
    resolve_pos_label,
    unique_codes,
    weighted_mean,
)

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "log_loss",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]


# ------------------------------------------------------------------- counting
def _bincount(codes: np.ndarray, weight: np.ndarray | None, size: int) -> np.ndarray:
    return np.bincount(codes, weights=weight, minlength=size)


def _class_counts(
    true: np.ndarray, pred: np.ndarray, weight: np.ndarray | None, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class true positives, predicted totals and true totals (weighted)."""
    hit = true == pred
    tp = _bincount(true[hit], None if weight is None else weight[hit], size)
    return tp, _bincount(pred, weight, size), _bincount(true, weight, size)


def _select(counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Counts at ``positions``, 0 where a position is -1 (a label absent from the data)."""
    out = np.zeros(positions.shape, dtype=np.float64)
    found = positions >= 0
    out[found] = counts[positions[found]]
    return out


# ---------------------------------------------------------------- accuracy and C
def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Share (or weighted count, if not ``normalize``) of rows predicted correctly.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels (numbers or strings).
    normalize : bool, default=True
        Return the share; otherwise the (weighted) number of correct rows.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import accuracy_score
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3], normalize=False)
    2.0
    """
    yt, yp, weight = check_label_pair(y_true, y_pred, sample_weight, "accuracy_score")
    correct = yt == yp
    if normalize:
        return float(weighted_mean(correct, weight))
    return float(correct.sum() if weight is None else weight[correct].sum())


_NORMALIZE: dict[str, Callable[[np.ndarray], Any]] = {
    "true": lambda cm: cm.sum(axis=1, keepdims=True),
    "pred": lambda cm: cm.sum(axis=0, keepdims=True),
    "all": lambda cm: cm.sum(),
}


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Confusion matrix ``C[i, j]`` = (weighted) number of rows of class i predicted j.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to show, in this order; rows of other classes are left out. By
        default the sorted union of the labels in y_true and y_pred.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    normalize : {"true", "pred", "all"} or None
        Divide by row sums (recall per class on the diagonal), column sums, or the
        total; 0/0 gives 0.

    Returns
    -------
    ndarray of shape (n_classes, n_classes)
        Integer counts without weights or normalisation, floats otherwise.

    Examples
    --------
    >>> from lemma.metrics import confusion_matrix
    >>> confusion_matrix(["cat", "ant", "cat", "cat", "ant", "bird"],
    ...                  ["ant", "ant", "cat", "cat", "ant", "cat"])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    if normalize is not None and normalize not in _NORMALIZE:
        raise ParameterError(
            f"normalize must be one of {sorted(_NORMALIZE)} or None; got {normalize!r}."
        )
    codes = encode_labels(y_true, y_pred, sample_weight, "confusion_matrix")
    true, pred, weight = codes.true, codes.pred, codes.weight
    size = codes.classes.size
    if labels is not None:
        positions = label_positions(labels, codes.classes)
        if not np.isin(positions[positions >= 0], true).any():
            raise DataValidationError(
                f"None of labels {list(labels)!r} occurs in y_true; at least one must."
            )
        row_of = np.full(size, -1, dtype=np.intp)
        row_of[positions[positions >= 0]] = np.flatnonzero(positions >= 0)
        true, pred = row_of[true], row_of[pred]
        keep = (true >= 0) & (pred >= 0)
        true, pred = true[keep], pred[keep]
        weight = None if weight is None else weight[keep]
        size = positions.size
    cm = _bincount(true * size + pred, weight, size * size).reshape(size, size)
    if normalize is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            cm = np.nan_to_num(cm / _NORMALIZE[normalize](cm))
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in y_true and y_pred; pass all known classes with "
            "labels= for the confusion matrix to have the right shape.",
            LemmaWarning,
            stacklevel=2,
        )
    return cm


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> float:
    """Mean recall over the classes present in y_true (Brodersen et al., 2010).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    adjusted : bool, default=False
        Rescale so that chance level (1/K) scores 0 and perfect scores 1.

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import balanced_accuracy_score
    >>> balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])
    0.625
    """
    codes = encode_labels(y_true, y_pred, sample_weight, "balanced_accuracy_score")
    tp, _, true_total = _class_counts(codes.true, codes.pred, codes.weight, codes.classes.size)
    present = true_total > 0
    if not present.all():
        warnings.warn("y_pred contains classes not in y_true", LemmaWarning, stacklevel=2)
    score = float(np.mean(tp[present] / true_total[present]))
    if adjusted:
        chance = 1 / int(present.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            score = float((np.float64(score) - chance) / np.float64(1 - chance))
    return score


def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Matthews correlation coefficient, binary or multiclass (Gorodkin's R_K).

    1 is perfect, 0 no better than chance, −1 total disagreement (binary). Defined
    as 0 when a class total makes the denominator 0 (e.g. one predicted class).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import matthews_corrcoef
    >>> round(matthews_corrcoef([1, 1, 1, -1], [1, -1, 1, 1]), 4)
    -0.3333
    """
    codes = encode_labels(y_true, y_pred, sample_weight, "matthews_corrcoef")
    size = codes.classes.size
    tp, p, t = _class_counts(codes.true, codes.pred, codes.weight, size)
    correct = tp.sum(dtype=np.float64)
    total = t.sum(dtype=np.float64)
    t = t.astype(np.float64)
    p = p.astype(np.float64)
    cov_tp = correct * total - t @ p
    cov_pp = total**2 - p @ p
    cov_tt = total**2 - t @ t
    denominator = cov_pp * cov_tt
    if denominator == 0:
        return 0.0
    return float(cov_tp / np.sqrt(denominator))


# ---------------------------------------------------- precision, recall and F-beta
def _check_zero_division(zero_division: Any) -> float:
    """The value a 0/0 becomes (0.0 for "warn")."""
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if zero_division in (0, 1) or np.isnan(zero_division):
            return float(zero_division)
    raise ParameterError(f"zero_division must be 'warn', 0, 1 or np.nan; got {zero_division!r}.")


def _divide(
    numerator: np.ndarray,
    denominator: np.ndarray,
    zero_division: Any,
    warning: str | None,
) -> np.ndarray:
    """numerator / denominator with 0/0 set by ``zero_division``; warn if asked."""
    empty = denominator == 0
    result = numerator / np.where(empty, 1.0, denominator)
    if empty.any():
        result[empty] = _check_zero_division(zero_division)
        if warning is not None and isinstance(zero_division, str):
            where = "due to" if result.size == 1 else "in labels with"
            warnings.warn(
                f"{warning[0]} is ill-defined and being set to 0.0 {where} no {warning[1]} "
                "samples. Use `zero_division` parameter to control this behavior.",
                interop(UndefinedMetricWarning),
                stacklevel=4,
            )
    return result


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN scores; all-zero weights fall back to a plain mean."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or not np.any(weights[keep]):
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


_AVERAGES = (None, "binary", "micro", "macro", "weighted")
_WARNINGS = {
    "precision": ("Precision", "predicted"),
    "recall": ("Recall", "true"),
    "f-score": ("F-score", "true nor predicted"),
}


def _selected_labels(codes: Any, labels: Any, pos_label: Any, average: Any) -> np.ndarray:
    """Positions (in ``codes.classes``) of the classes to score; -1 marks absent labels."""
    classes = codes.classes
    if average == "binary":
        if classes.size > 2:
            options = [a for a in _AVERAGES if a != "binary"]
            raise ParameterError(
                f"Target is multiclass ({classes.size} labels) but average='binary'. Please "
                f"choose another average setting, one of {options!r}."
            )
        position = position_of(pos_label, classes)
        if position < 0 and classes.size == 2:
            raise ParameterError(
                f"pos_label={pos_label!r} is not a valid label. It should be one of "
                f"{classes.tolist()!r}."
            )
        return np.array([position])
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            "class.",
            LemmaWarning,
            stacklevel=4,
        )
    if labels is None:
        return np.arange(classes.size)
    return label_positions(labels, classes)


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: tuple[str, ...] = ("precision", "recall", "f-score"),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support per class, or averaged over classes.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    beta : float, default=1.0
        Weight of recall relative to precision in F-beta (β = 1 gives F1).
    labels : array-like, default=None
        Classes to score and average over, in this order (default: all, sorted).
    pos_label : label, default=1
        The class scored when ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted"} or None, default=None
        How to combine classes (see module docstring); None returns per-class arrays.
    warn_for : tuple of str
        Which of "precision", "recall", "f-score" may warn on 0/0.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    zero_division : "warn", 0, 1 or np.nan, default="warn"
        Value of a 0/0.

    Returns
    -------
    precision, recall, fbeta : float or ndarray of shape (n_labels,)
    support : ndarray of shape (n_labels,) or None
        (Weighted) number of true rows per class; None when averaging.

    Examples
    --------
    >>> from lemma.metrics import precision_recall_fscore_support
    >>> p, r, f, s = precision_recall_fscore_support(["a", "b", "b", "c"],
    ...                                              ["a", "b", "c", "c"])
    >>> p, r, s
    (array([1. , 1. , 0.5]), array([1. , 0.5, 1. ]), array([1, 2, 1]))
    """
    if average not in _AVERAGES:
        raise ParameterError(f"average has to be one of {list(_AVERAGES)!r}; got {average!r}.")
    _check_zero_division(zero_division)
    if not (isinstance(beta, numbers.Real) and beta >= 0):
        raise ParameterError(f"beta must be a number >= 0; got {beta!r}.")
    codes = encode_labels(y_true, y_pred, sample_weight, "precision_recall_fscore_support")
    positions = _selected_labels(codes, labels, pos_label, average)
    counts = _class_counts(codes.true, codes.pred, codes.weight, codes.classes.size)
    tp, predicted, true = (_select(c, positions) for c in counts)
    if average == "micro":
        tp, predicted, true = (np.array([c.sum()]) for c in (tp, predicted, true))

    def warning(name: str) -> tuple[str, str] | None:
        return _WARNINGS[name] if name in warn_for else None

    precision = _divide(tp, predicted, zero_division, warning("precision"))
    recall = _divide(tp, true, zero_division, warning("recall"))
    if np.isposinf(beta):
        f_score = recall
    else:
        beta2 = beta**2
        f_score = _divide(
            (1 + beta2) * tp, beta2 * true + predicted, zero_division, warning("f-score")
        )
    if average is None:
        support = true if codes.weight is not None else true.astype(np.int64)
        return precision, recall, f_score, support
    weights = true if average == "weighted" else None
    return (
        _nan_average(precision, weights),
        _nan_average(recall, weights),
        _nan_average(f_score, weights),
        None,
    )


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F-beta score ``(1 + β²) TP / ((1 + β²) TP + β² FN + FP)``.

    Parameters as :func:`precision_recall_fscore_support` (``average="binary"``
    by default).

    Examples
    --------
    >>> from lemma.metrics import fbeta_score
    >>> round(fbeta_score([0, 1, 1, 0, 1], [0, 1, 0, 1, 1], beta=2.0), 6)
    0.666667
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1 score, the harmonic mean of precision and recall ``2 TP / (2 TP + FN + FP)``.

    Parameters as :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> from lemma.metrics import f1_score
    >>> f1_score(["a", "b", "b", "c"], ["a", "b", "c", "c"], average="macro")
    0.7777777777777777
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision ``TP / (TP + FP)``: the share of predicted positives that are right.

    Parameters as :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> from lemma.metrics import precision_score
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall ``TP / (TP + FN)``: the share of true positives that are found.

    Parameters as :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> from lemma.metrics import recall_score
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision, recall, F1 and support per class and averaged, as a DataFrame.

    Rows: one per class (named by ``target_names`` if given), then "accuracy"
    (micro-F1, shown in the f1-score column, when every class is reported;
    otherwise a "micro avg" row), "macro avg" and "weighted avg". The same
    numbers as scikit-learn's ``classification_report(output_dict=True)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    labels : array-like, default=None
        Classes to report (default: all, sorted).
    target_names : list of str, default=None
        Display names of ``labels``, same length.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    zero_division : "warn", 0, 1 or np.nan, default="warn"
        Value of a 0/0.

    Returns
    -------
    pandas.DataFrame
        Columns "precision", "recall", "f1-score", "support".

    Examples
    --------
    >>> from lemma.metrics import classification_report
    >>> report = classification_report(["a", "b", "b", "c"], ["a", "b", "c", "c"])
    >>> report.round(3)
                  precision  recall  f1-score  support
    a                 1.000   1.000     1.000      1.0
    b                 1.000   0.500     0.667      2.0
    c                 0.500   1.000     0.667      1.0
    accuracy            NaN     NaN     0.750      4.0
    macro avg         0.833   0.833     0.778      4.0
    weighted avg      0.875   0.750     0.750      4.0
    """
    import pandas as pd

    codes = encode_labels(y_true, y_pred, sample_weight, "classification_report")
    shown = codes.classes if labels is None else np.asarray(labels)
    names = [str(c) for c in shown] if target_names is None else list(target_names)
    if len(names) != len(shown):
        raise ParameterError(
            f"target_names has {len(names)} names but there are {len(shown)} labels; pass "
            "one name per label."
        )
    kwargs = {"sample_weight": sample_weight, "zero_division": zero_division}
    per_class = precision_recall_fscore_support(y_true, y_pred, labels=shown, **kwargs)
    rows = {name: [*(col[i] for col in per_class)] for i, name in enumerate(names)}
    total = float(np.sum(per_class[3]))
    covers_all = labels is None or bool(
        np.isin(np.arange(codes.classes.size), label_positions(labels, codes.classes)).all()
    )
    for average in ("micro", "macro", "weighted"):
        scores = precision_recall_fscore_support(
            y_true, y_pred, labels=shown, average=average, **kwargs
        )[:3]
        if average == "micro" and covers_all:
            rows["accuracy"] = [np.nan, np.nan, scores[2], total]
        else:
            rows[f"{average} avg"] = [*scores, total]
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["precision", "recall", "f1-score", "support"]
    )
    return table.astype({"support": np.float64})


# ------------------------------------------------------------ probabilistic losses
def log_loss(
    y_true: Any,
    y_proba: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
) -> float:
    """Log loss (cross-entropy) ``−Σ w_i log p_{i, y_i} / Σ w``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, columns in sorted class order (as
        ``predict_proba``); a vector is the probability of the greater of two
        classes. Values must lie in [0, 1] and rows sum to 1 (within √ε); they are
        clipped to [ε, 1 − ε], ε = ``np.finfo(y_proba.dtype).eps``.
    normalize : bool, default=True
        Mean loss per row; otherwise the (weighted) sum.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    labels : array-like, default=None
        All classes, sorted (needed when y_true misses some).

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import log_loss
    >>> round(log_loss(["spam", "ham", "ham", "spam"],
    ...                [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]), 5)
    0.21616
    """
    p = check_probabilities(y_proba, rows_sum_to_one=True)
    classes, index, weight = check_probability_classes(
        y_true, p.shape[0], sample_weight, labels, "log_loss"
    )
    p = as_class_matrix(p, classes)
    eps = np.finfo(p.dtype).eps
    chosen = np.clip(p[np.arange(p.shape[0]), index], eps, 1 - eps).astype(np.float64)
    loss = -np.log(chosen)
    if normalize:
        return float(weighted_mean(loss, weight))
    return float(loss.sum() if weight is None else loss @ weight)


def brier_score_loss(
    y_true: Any,
    y_proba: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> float:
    """Brier score: mean squared distance between probabilities and the one-hot truth.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Probability of the positive class (binary), or of every class (columns in
        sorted class order).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    pos_label : label, default=None
        Positive class for 1-D ``y_proba``; by default 1 for labels in {0, 1} or
        {-1, 1}, the greater label for other numbers; required for strings.
    labels : array-like, default=None
        All classes, sorted, for 2-D ``y_proba``.
    scale_by_half : bool or "auto", default="auto"
        Halve the sum over classes ("auto": for two classes), so the binary score
        is the mean of (t − p)² and lies in [0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import brier_score_loss
    >>> round(brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 6)
    0.0375
    >>> round(brier_score_loss(["spam", "ham", "ham", "spam"], [0.1, 0.9, 0.8, 0.3],
    ...                        pos_label="ham"), 6)
    0.0375
    """
    p = check_probabilities(y_proba, rows_sum_to_one=True)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p.ravel()
    if p.ndim == 1:
        yt, _ = as_label_array(y_true, "y_true", "brier_score_loss")
        n = check_lengths(y_true=yt, y_proba=p)
        weight = check_sample_weight(sample_weight, n)
        classes, _ = unique_codes(yt)
        if classes.size > 2:
            raise DataValidationError(
                f"y_true has {classes.size} classes but y_proba is 1-D (binary); pass "
                "y_proba of shape (n, n_classes) for a multiclass target."
            )
        positive = resolve_pos_label(
            classes, pos_label, "brier_score_loss", greater_if_numeric=True
        )
        target = (yt == positive).astype(np.float64)
        squared = 2 * (target - p) ** 2
        n_classes = 2
    else:
        classes, index, weight = check_probability_classes(
            y_true, p.shape[0], sample_weight, labels, "brier_score_loss"
        )
        p = as_class_matrix(p, classes)
        onehot = np.zeros(p.shape)
        onehot[np.arange(p.shape[0]), index] = 1.0
        squared = ((onehot - p) ** 2).sum(axis=1)
        n_classes = p.shape[1]
    if isinstance(scale_by_half, str):
        if scale_by_half != "auto":
            raise ParameterError(
                f"scale_by_half must be True, False or 'auto'; got {scale_by_half!r}."
            )
        scale_by_half = n_classes < 3
    score = float(weighted_mean(squared, weight))
    return 0.5 * score if scale_by_half else score
