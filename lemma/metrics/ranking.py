"""Ranking metrics: how well scores order the positive class above the negative.

Sort the rows by score, highest first, and lower a threshold t through the distinct
scores. With positives weighing P = Σ_{y=1} w and negatives N = Σ_{y=0} w:

    TP(t) = Σ_{y=1, s≥t} w,   FP(t) = Σ_{y=0, s≥t} w
    ROC curve:  (FPR, TPR) = (FP/N, TP/P), from (0, 0) to (1, 1)
    AUC = trapezoid area under the ROC steps
        = P(s₊ > s₋) + ½ P(s₊ = s₋)            (s₊, s₋ a random positive, negative)
        = U / (n₊ n₋)                            (U the Mann–Whitney statistic)

Ties in the score move the curve diagonally, and a diagonal step's trapezoid gives
each tied (positive, negative) pair half credit: that is why the area equals the
Mann–Whitney U with mid-ranks (Hanley & McNeil, *Radiology* 143, 1982). One sort
gives all of it: O(n log n).

Precision–recall: precision(t) = TP/(TP + FP), recall(t) = TP/P, and average
precision is the step-function area (no interpolation), over the distinct
thresholds t_1 > t_2 > … (recall R_0 = 0):

    AP = Σ_k (R_k − R_{k−1}) · precision_k

Multiclass ROC AUC (probabilities over K classes): one-vs-rest averages the K
binary AUCs of "class k against the rest" (``"macro"`` plainly, ``"weighted"`` by
class prevalence, ``"micro"`` by pooling all K·n decisions); one-vs-one averages
over class pairs (a, b) the mean of AUC(a vs b on score a) and AUC(b vs a on
score b) (Hand & Till, *Machine Learning* 45, 2001).

Reference: Fawcett, "An introduction to ROC analysis", *Pattern Recognition
Letters* 27(8), 2006; conventions of scikit-learn's ``sklearn.metrics``.

Examples
--------
>>> from lemma.metrics import roc_auc_score, average_precision_score
>>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
>>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 6)
0.833333
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from lemma.exceptions import DataValidationError, ParameterError, interop
from lemma.metrics._validation import (
    UndefinedMetricWarning,
    as_float_array,
    as_label_array,
    check_lengths,
    check_sample_weight,
    codes_in,
    position_of,
    resolve_pos_label,
    unique_codes,
)

__all__ = [
    "auc",
    "average_precision_score",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]


# ------------------------------------------------------------------ shared pieces
def _labels_scores(
    y_true: Any, y_score: Any, sample_weight: Any, metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Checked labels, scores of shape (n,) or (n, k) and weights."""
    labels, _ = as_label_array(y_true, "y_true", metric)
    scores = as_float_array(y_score, "y_score")
    n = check_lengths(y_true=labels, y_score=scores)
    return labels, scores, check_sample_weight(sample_weight, n)


def _one_score_column(scores: np.ndarray, metric: str) -> np.ndarray:
    if scores.ndim == 2 and scores.shape[1] == 1:
        return scores.ravel()
    if scores.ndim != 1:
        raise DataValidationError(
            f"y_score has shape {scores.shape} but y_true is binary; {metric} needs one "
            "score per row for the positive class, e.g. model.predict_proba(X)[:, 1]."
        )
    return scores


def _threshold_counts(
    positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FP and TP weights at each distinct score (descending), and those scores.

    Rows of zero weight are dropped first, so they create no threshold.
    """
    if weight is not None:
        keep = weight != 0
        positive, score, weight = positive[keep], score[keep], weight[keep]
    order = np.argsort(score)[::-1]
    score = score[order]
    positive = positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]
    if weight is None:
        tps = np.cumsum(positive, dtype=np.float64)[last]
        fps = 1.0 + last - tps
    else:
        weight = weight[order]
        tps = np.cumsum(weight * positive)[last]
        fps = np.cumsum(weight * ~positive)[last]
    return fps, tps, score[last]


def _rates(fps: np.ndarray, tps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC points (FPR, TPR) starting at (0, 0); NaN (with a warning) if undefined."""
    fps = np.r_[0.0, fps]
    tps = np.r_[0.0, tps]
    rates = []
    for counts, side in ((fps, "negative"), (tps, "positive")):
        if counts[-1] <= 0:
            warnings.warn(
                f"No {side} samples in y_true, {'false' if side == 'negative' else 'true'} "
                "positive value should be meaningless",
                interop(UndefinedMetricWarning),
                stacklevel=3,
            )
            rates.append(np.full(counts.shape, np.nan))
        else:
            rates.append(counts / counts[-1])
    return rates[0], rates[1]


def _binary_auc(
    positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None, max_fpr: Any = None
) -> float:
    """ROC AUC of one binary problem; NaN if y_true has one class (caller decides)."""
    fps, tps, _ = _threshold_counts(positive, score, weight)
    if fps[-1] <= 0 or tps[-1] <= 0:
        return float("nan")
    fpr = np.r_[0.0, fps] / fps[-1]
    tpr = np.r_[0.0, tps] / tps[-1]
    if max_fpr is None or max_fpr == 1:
        return float(np.trapezoid(tpr, fpr))
    # Partial AUC up to max_fpr, standardised (McClish, Med. Decis. Making 9, 1989).
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr_at = np.interp(max_fpr, fpr[stop - 1 : stop + 1], tpr[stop - 1 : stop + 1])
    partial = np.trapezoid(np.r_[tpr[:stop], tpr_at], np.r_[fpr[:stop], max_fpr])
    min_area = 0.5 * max_fpr**2
    return float(0.5 * (1 + (partial - min_area) / (max_fpr - min_area)))


def _positive_mask(labels: np.ndarray, pos_label: Any, metric: str) -> np.ndarray:
    classes, codes = unique_codes(labels)
    positive = resolve_pos_label(classes, pos_label, metric)
    return codes == position_of(positive, classes)


# ---------------------------------------------------------------------- curves
def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: false and true positive rates by threshold.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; in {0, 1} or {-1, 1} unless ``pos_label`` is given.
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning more likely positive (probabilities or decision values).
    pos_label : label, default=None
        The positive class (default 1).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    drop_intermediate : bool, default=True
        Drop points collinear with their neighbours (the curve and its area stay
        the same).

    Returns
    -------
    fpr, tpr : ndarray of shape (n_points,)
        Increasing rates; point i is the classifier "positive if score ≥ thresholds[i]".
    thresholds : ndarray of shape (n_points,)
        Decreasing; the first is ``inf`` (nothing predicted positive).

    Examples
    --------
    >>> from lemma.metrics import roc_curve
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr, tpr
    (array([0. , 0. , 0.5, 0.5, 1. ]), array([0. , 0.5, 0.5, 1. , 1. ]))
    """
    labels, scores, weight = _labels_scores(y_true, y_score, sample_weight, "roc_curve")
    scores = _one_score_column(scores, "roc_curve")
    positive = _positive_mask(labels, pos_label, "roc_curve")
    fps, tps, thresholds = _threshold_counts(positive, scores, weight)
    if drop_intermediate and fps.size > 2:
        corner = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
        keep = np.flatnonzero(np.r_[True, corner, True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fpr, tpr = _rates(fps, tps)
    return fpr, tpr, np.r_[np.inf, thresholds.astype(np.float64)]


def precision_recall_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall for every threshold on the scores.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; in {0, 1} or {-1, 1} unless ``pos_label`` is given.
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning more likely positive.
    pos_label : label, default=None
        The positive class (default 1).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.
    drop_intermediate : bool, default=False
        Keep only the first and last threshold of each recall level.

    Returns
    -------
    precision, recall : ndarray of shape (n_thresholds + 1,)
        By increasing threshold; the last point is (precision 1, recall 0).
    thresholds : ndarray of shape (n_thresholds,)
        Increasing distinct scores.

    Examples
    --------
    >>> from lemma.metrics import precision_recall_curve
    >>> precision, recall, thresholds = precision_recall_curve([0, 0, 1, 1],
    ...                                                        [0.1, 0.4, 0.35, 0.8])
    >>> precision.round(4), recall
    (array([0.5   , 0.6667, 0.5   , 1.    , 1.    ]), array([1. , 1. , 0.5, 0.5, 0. ]))
    """
    labels, scores, weight = _labels_scores(
        y_true, y_score, sample_weight, "precision_recall_curve"
    )
    scores = _one_score_column(scores, "precision_recall_curve")
    positive = _positive_mask(labels, pos_label, "precision_recall_curve")
    fps, tps, thresholds = _threshold_counts(positive, scores, weight)
    if drop_intermediate and fps.size > 2:
        changes = np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:]))
        keep = np.flatnonzero(np.r_[True, changes, True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    precision, recall = _precision_recall(fps, tps)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def _precision_recall(fps: np.ndarray, tps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            interop(UndefinedMetricWarning),
            stacklevel=4,
        )
        return precision, np.ones_like(tps)
    return precision, tps / tps[-1]


def auc(x: Any, y: Any) -> float:
    """Area under the curve through the points (x, y), by the trapezoidal rule.

    ``x`` must be monotonic (increasing or decreasing). For the area under a ROC
    curve from scores use :func:`roc_auc_score`.

    Examples
    --------
    >>> from lemma.metrics import auc
    >>> auc([0.0, 0.5, 1.0], [0.0, 1.0, 1.0])
    0.75
    """
    xs = as_float_array(x, "x", allow_2d=False)
    ys = as_float_array(y, "y", allow_2d=False)
    check_lengths(x=xs, y=ys)
    if xs.size < 2:
        raise DataValidationError(
            f"At least 2 points are needed to compute area under curve, but x has {xs.size}."
        )
    steps = np.diff(xs)
    direction = 1.0
    if np.any(steps < 0):
        if not np.all(steps <= 0):
            raise DataValidationError(
                "x is neither increasing nor decreasing; sort the points by x first."
            )
        direction = -1.0
    return float(direction * np.trapezoid(ys, xs))


# ---------------------------------------------------------------------- scores
def _undefined_auc(classes: Any) -> DataValidationError:
    return DataValidationError(
        f"ROC AUC is undefined when y_true has only one class ({classes!r}): it needs both "
        "positive and negative rows. Check the split (a stratified split keeps both classes)."
    )


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve: the chance a random positive outscores a random negative.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels. Binary: the greater label is the positive class.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: scores of the positive class. Multiclass: probabilities over the
        classes (rows sum to 1), columns in sorted class order.
    average : {"macro", "weighted", "micro"} or None, default="macro"
        Multiclass averaging (``"micro"`` for one-vs-rest only; None returns the
        per-class one-vs-rest AUCs).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights (not with ``multi_class="ovo"``).
    max_fpr : float in (0, 1], default=None
        Binary only: standardised partial AUC over FPR ≤ max_fpr (McClish).
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Multiclass strategy; "raise" refuses a multiclass target.
    labels : array-like, default=None
        Multiclass: the classes of y_score's columns, sorted.

    Returns
    -------
    float or ndarray

    Raises
    ------
    DataValidationError
        If y_true has a single class: the AUC is undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.metrics import roc_auc_score
    >>> roc_auc_score(["no", "no", "yes", "yes"], [0.2, 0.6, 0.6, 0.9])  # tie counts half
    0.875
    >>> proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]])
    >>> round(roc_auc_score(["a", "b", "c", "c"], proba, multi_class="ovr"), 6)
    0.958333
    """
    true, scores, weight = _labels_scores(y_true, y_score, sample_weight, "roc_auc_score")
    classes, codes = unique_codes(true)
    if (scores.ndim == 2 and scores.shape[1] > 2) or classes.size > 2:
        if max_fpr is not None and max_fpr != 1:
            raise ParameterError(
                f"Partial AUC (max_fpr={max_fpr!r}) is only available for a binary target."
            )
        return _multiclass_auc(true, codes, scores, weight, average, multi_class, labels)
    if classes.size < 2:
        raise _undefined_auc(classes.tolist())
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ParameterError(f"Expected max_fpr in range (0, 1], got {max_fpr!r}.")
    scores = _one_score_column(scores, "roc_auc_score")
    return _binary_auc(codes == 1, scores, weight, max_fpr)


_OVR_AVERAGES = ("macro", "weighted", "micro", None)
_OVO_AVERAGES = ("macro", "weighted")


def _multiclass_auc(
    true: np.ndarray,
    codes: np.ndarray,
    scores: np.ndarray,
    weight: np.ndarray | None,
    average: Any,
    multi_class: str,
    labels: Any,
) -> Any:
    strategies = {"ovr": (_ovr_auc, _OVR_AVERAGES), "ovo": (_ovo_auc, _OVO_AVERAGES)}
    if multi_class not in strategies:
        raise ParameterError(
            f"y_true is multiclass; set multi_class='ovr' or 'ovo' (got {multi_class!r})."
        )
    strategy, averages = strategies[multi_class]
    if average not in averages:
        raise ParameterError(
            f"average must be one of {list(averages)!r} for multi_class={multi_class!r}; "
            f"got {average!r}."
        )
    if scores.ndim != 2:
        raise DataValidationError(
            "y_score needs shape (n_samples, n_classes) since y_true has more than two "
            f"classes; got shape {scores.shape}."
        )
    if not np.allclose(1, scores.sum(axis=1)):
        raise DataValidationError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
            "sum up to 1.0 over classes (use predict_proba)."
        )
    if labels is None:
        classes = np.unique(true)
    else:
        classes = np.asarray(labels)
        if classes.ndim != 1 or np.any(classes[:-1] >= classes[1:]):
            raise ParameterError(f"labels must be distinct and sorted; got {labels!r}.")
        codes = codes_in(true, classes)
        if np.any(codes < 0):
            unknown = sorted(set(true[codes < 0].tolist()))
            raise DataValidationError(f"y_true contains labels {unknown!r} not in labels.")
    if classes.size != scores.shape[1]:
        raise DataValidationError(
            f"There are {classes.size} classes {classes.tolist()!r} but y_score has "
            f"{scores.shape[1]} columns; pass labels= naming the columns."
        )
    return strategy(codes, scores, weight, average, classes)


def _ovr_auc(
    codes: np.ndarray,
    scores: np.ndarray,
    weight: np.ndarray | None,
    average: str | None,
    classes: np.ndarray,
) -> Any:
    k = scores.shape[1]
    onehot = codes[:, None] == np.arange(k)
    if average == "micro":
        repeated = None if weight is None else np.repeat(weight, k)
        return _binary_auc(onehot.ravel(), scores.ravel(), repeated)
    per_class = np.array([_binary_auc(onehot[:, c], scores[:, c], weight) for c in range(k)])
    prevalence = onehot.sum(axis=0) if weight is None else weight @ onehot
    undefined = np.isnan(per_class) & (prevalence > 0 if average == "weighted" else True)
    if undefined.any():
        raise _undefined_auc_for(classes[undefined])
    if average is None:
        return per_class
    if average == "weighted":
        return float(np.average(np.where(prevalence > 0, per_class, 0.0), weights=prevalence))
    return float(np.mean(per_class))


def _undefined_auc_for(classes: np.ndarray) -> DataValidationError:
    return DataValidationError(
        f"ROC AUC is undefined for classes {classes.tolist()!r}: one-vs-rest needs each class "
        "both present and absent in y_true. Use average='weighted' or a stratified split."
    )


def _ovo_auc(
    codes: np.ndarray,
    scores: np.ndarray,
    weight: np.ndarray | None,
    average: str | None,
    classes: np.ndarray,
) -> float:
    if weight is not None:
        raise ParameterError("sample_weight is not supported for multi_class='ovo'.")
    present = np.unique(codes)
    if present.size < 2:
        raise _undefined_auc(classes[present].tolist())
    pair_scores = []
    prevalence = []
    for a, b in itertools.combinations(present, 2):
        rows = (codes == a) | (codes == b)
        is_a = codes[rows] == a
        a_vs_b = _binary_auc(is_a, scores[rows, a], None)
        b_vs_a = _binary_auc(~is_a, scores[rows, b], None)
        pair_scores.append((a_vs_b + b_vs_a) / 2)
        prevalence.append(rows.mean())
    weights = prevalence if average == "weighted" else None
    return float(np.average(pair_scores, weights=weights))


def _binary_average_precision(
    positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None
) -> float:
    fps, tps, _ = _threshold_counts(positive, score, weight)
    precision, recall = _precision_recall(fps, tps)
    return max(0.0, float(np.sum(np.diff(np.r_[0.0, recall]) * precision)))


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """Average precision: the step-function area under the precision–recall curve.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: scores of ``pos_label``. Multiclass: one column per class (sorted),
        each class scored against the rest.
    average : {"macro", "weighted", "micro"} or None, default="macro"
        Multiclass averaging over classes (weighted by class prevalence).
    pos_label : label, default=1
        The positive class of a binary target.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from lemma.metrics import average_precision_score
    >>> average_precision_score(["b", "a", "b", "a"], [0.9, 0.8, 0.4, 0.1], pos_label="b")
    0.8333333333333333
    """
    true, scores, weight = _labels_scores(y_true, y_score, sample_weight, "average_precision_score")
    classes, codes = unique_codes(true)
    if classes.size > 2 or (scores.ndim == 2 and scores.shape[1] > 1):
        return _multiclass_average_precision(codes, classes, scores, weight, average, pos_label)
    position = position_of(pos_label, classes)
    if position < 0 and classes.size == 2:
        raise ParameterError(
            f"pos_label={pos_label!r} is not a valid label. It should be one of "
            f"{classes.tolist()!r}."
        )
    scores = _one_score_column(scores, "average_precision_score")
    return _binary_average_precision(codes == position, scores, weight)


def _multiclass_average_precision(
    codes: np.ndarray,
    classes: np.ndarray,
    scores: np.ndarray,
    weight: np.ndarray | None,
    average: str | None,
    pos_label: Any,
) -> Any:
    if pos_label != 1:
        raise ParameterError(
            "Parameter pos_label is fixed to 1 for multiclass y_true. Do not set pos_label "
            "or set pos_label to 1."
        )
    if average not in _OVR_AVERAGES:
        raise ParameterError(f"average must be one of {list(_OVR_AVERAGES)!r}; got {average!r}.")
    if scores.ndim != 2 or scores.shape[1] != classes.size:
        raise DataValidationError(
            f"y_score needs shape (n_samples, n_classes) = ({codes.size}, {classes.size}) "
            f"since y_true has classes {classes.tolist()!r}; got shape {scores.shape}."
        )
    onehot = codes[:, None] == np.arange(classes.size)
    if average == "micro":
        repeated = None if weight is None else np.repeat(weight, classes.size)
        return _binary_average_precision(onehot.ravel(), scores.ravel(), repeated)
    per_class = np.array(
        [_binary_average_precision(onehot[:, c], scores[:, c], weight) for c in range(classes.size)]
    )
    if average is None:
        return per_class
    prevalence = onehot.sum(axis=0) if weight is None else weight @ onehot
    if average == "weighted":
        return float(np.average(np.where(prevalence > 0, per_class, 0.0), weights=prevalence))
    return float(np.mean(per_class))
