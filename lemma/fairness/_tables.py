"""The group tables behind every fairness metric: checked inputs, rates, comparisons.

A row i contributes ``vᵢ = wᵢ·[TN, FP, FN, TP one-hot, pᵢ]`` (its weighted cell of
the confusion matrix, and its predicted probability when given); a group's table
is ``T_a = Σ_{i ∈ a} vᵢ``. Every rate of :mod:`lemma.fairness.metrics` is a
function of one table (:data:`RATES`) and every disparity a function of the judged
groups' tables and the overall table (:data:`DISPARITIES`), vectorised over leading
axes so that the bootstrap (:mod:`lemma.fairness.intervals`) evaluates the same
formulas on a stack of resampled tables. The formulas are written once, here.

Reference: Barocas, Hardt & Narayanan, *Fairness and Machine Learning*, MIT Press
2023, ch. 3.

Examples
--------
>>> import numpy as np
>>> from lemma.fairness._tables import RATES, group_sums, row_values
>>> values = row_values(np.array([1.0, 0, 1]), np.array([1.0, 1, 0]), np.ones(3), None)
>>> table = group_sums(values, np.array([0, 0, 1]), 2)
>>> RATES["selection_rate"](table).tolist()
[1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError
from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE, SensitiveGroups, as_groups
from lemma.validation import check_sample_weight

__all__ = [
    "DIFFERENCES",
    "DISPARITIES",
    "PROBABILITY_DISPARITIES",
    "RATES",
    "RATIOS",
    "FairnessInputs",
    "binary_outcomes",
    "check_method",
    "group_max",
    "group_min",
    "group_sums",
    "prepare_inputs",
    "ratio_between",
    "row_values",
]

# Columns of a group table: weighted TN, FP, FN, TP counts and the sum of w·p (y_prob).
TN, FP, FN, TP, PROB = range(5)


# ----------------------------------------------------------------------- inputs
def _outcome_array(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if arr.ndim != 1:
        raise DataValidationError(f"{name} must be 1-D (one value per row); got shape {arr.shape}.")
    if pd.isna(arr).any():
        raise DataValidationError(
            f"{name} has missing values ({int(pd.isna(arr).sum())} rows); drop those rows first."
        )
    return arr


def binary_outcomes(y_true: Any, y_pred: Any, pos_label: Any = 1) -> tuple[np.ndarray, np.ndarray]:
    """``y_true == pos_label`` and ``y_pred == pos_label`` as 0/1 floats, checked.

    Raises
    ------
    DataValidationError
        Unequal lengths, more than two distinct values, or ``pos_label`` in neither.
    """
    yt = _outcome_array(y_true, "y_true")
    yp = _outcome_array(y_pred, "y_pred")
    if yt.shape[0] != yp.shape[0]:
        raise DataValidationError(
            f"y_true has {yt.shape[0]} values but y_pred has {yp.shape[0]}; they must describe "
            "the same rows."
        )
    if yt.shape[0] == 0:
        raise DataValidationError("y_true and y_pred are empty; pass at least one row.")
    seen = []
    for name, arr in (("y_true", yt), ("y_pred", yp)):
        values = pd.unique(arr)
        if len(values) > 2:
            raise DataValidationError(
                f"{name} has {len(values)} distinct values (e.g. {list(values[:4])}); these "
                "fairness metrics are for a binary outcome. Pass class labels (probabilities "
                "go to y_prob), or binarise a multiclass target first."
            )
        seen.extend(values.tolist())
    if not any(v == pos_label for v in seen):
        raise DataValidationError(
            f"pos_label={pos_label!r} is not a value of y_true or y_pred (values: "
            f"{sorted({str(v) for v in seen})}); pass the favourable outcome as pos_label."
        )
    return (yt == pos_label).astype(np.float64), (yp == pos_label).astype(np.float64)


def row_values(
    y_true01: np.ndarray, y_pred01: np.ndarray, weight: np.ndarray, y_prob: np.ndarray | None
) -> np.ndarray:
    """Per-row contributions to a group table, shape (n, 5): w·[TN, FP, FN, TP], w·p.

    ``y_pred01`` may be a probability of predicting 1 (a randomised classifier):
    the row then adds ``w·(1 − ŷ)`` to its "predicted 0" cell and ``w·ŷ`` to its
    "predicted 1" cell, so the tables hold expected counts.
    """
    negative = 2 * y_true01.astype(np.int64)
    rows = np.arange(negative.size)
    values = np.zeros((negative.size, 5))
    values[rows, negative] = weight * (1 - y_pred01)
    values[rows, negative + 1] = weight * y_pred01
    if y_prob is not None:
        values[:, PROB] = weight * y_prob
    return values


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (n, k) within each group: shape (n_groups, k)."""
    return np.stack(
        [
            np.bincount(codes, weights=values[:, j], minlength=n_groups)
            for j in range(values.shape[1])
        ],
        axis=1,
    )


def _rate(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )


def _total(t: np.ndarray) -> np.ndarray:
    return t[..., TN] + t[..., FP] + t[..., FN] + t[..., TP]


#: Rate name -> function of a table (..., 5) returning (...).
RATES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "selection_rate": lambda t: _rate(t[..., TP] + t[..., FP], _total(t)),
    "true_positive_rate": lambda t: _rate(t[..., TP], t[..., TP] + t[..., FN]),
    "false_positive_rate": lambda t: _rate(t[..., FP], t[..., FP] + t[..., TN]),
    "false_negative_rate": lambda t: _rate(t[..., FN], t[..., TP] + t[..., FN]),
    "true_negative_rate": lambda t: _rate(t[..., TN], t[..., FP] + t[..., TN]),
    "positive_predictive_value": lambda t: _rate(t[..., TP], t[..., TP] + t[..., FP]),
    "accuracy": lambda t: _rate(t[..., TP] + t[..., TN], _total(t)),
    "base_rate": lambda t: _rate(t[..., TP] + t[..., FN], _total(t)),
    "mean_prediction": lambda t: _rate(t[..., PROB], _total(t)),
    "calibration_gap": lambda t: _rate(t[..., PROB] - t[..., TP] - t[..., FN], _total(t)),
}


# ------------------------------------------------------------ across groups
def _extreme(values: np.ndarray, reducer: Callable[..., np.ndarray], fill: float) -> np.ndarray:
    """max/min over the last axis ignoring NaN; NaN where every value is NaN."""
    missing = np.isnan(values)
    out = reducer(np.where(missing, fill, values), axis=-1)
    return np.where(missing.all(axis=-1), np.nan, out)


def group_max(values: np.ndarray) -> np.ndarray:
    """Largest rate over groups (last axis), NaN ignored."""
    return _extreme(values, np.max, -np.inf)


def group_min(values: np.ndarray) -> np.ndarray:
    """Smallest rate over groups (last axis), NaN ignored."""
    return _extreme(values, np.min, np.inf)


def _difference_between(values: np.ndarray, overall: np.ndarray) -> np.ndarray:
    return group_max(values) - group_min(values)


def _difference_to_overall(values: np.ndarray, overall: np.ndarray) -> np.ndarray:
    return group_max(np.abs(values - np.asarray(overall)[..., None]))


def ratio_between(values: np.ndarray, overall: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return group_min(values) / group_max(values)


def _ratio_to_overall(values: np.ndarray, overall: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values / np.asarray(overall)[..., None]
        return group_min(np.where(ratio > 1, 1 / ratio, ratio))


DIFFERENCES = {"between_groups": _difference_between, "to_overall": _difference_to_overall}
RATIOS = {"between_groups": ratio_between, "to_overall": _ratio_to_overall}


def check_method(method: str) -> str:
    """``"between_groups"`` or ``"to_overall"``, or a clear error."""
    if method not in DIFFERENCES:
        raise ParameterError(
            f"The 'method' parameter must be one of {sorted(DIFFERENCES)}. Got {method!r} instead."
        )
    return method


def _compare(rate: str, kind: str) -> Callable[[np.ndarray, np.ndarray, str], np.ndarray]:
    table = DIFFERENCES if kind == "difference" else RATIOS

    def disparity(groups: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        return table[method](RATES[rate](groups), RATES[rate](overall))

    return disparity


def _equalized_odds(kind: str) -> Callable[[np.ndarray, np.ndarray, str], np.ndarray]:
    tpr, fpr = _compare("true_positive_rate", kind), _compare("false_positive_rate", kind)
    worst = np.fmax if kind == "difference" else np.fmin

    def disparity(groups: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        return worst(tpr(groups, overall, method), fpr(groups, overall, method))

    return disparity


#: Disparity name -> function(group tables (..., G, 5), overall table (..., 5), method).
DISPARITIES: dict[str, Callable[[np.ndarray, np.ndarray, str], np.ndarray]] = {
    "demographic_parity_difference": _compare("selection_rate", "difference"),
    "demographic_parity_ratio": _compare("selection_rate", "ratio"),
    "equalized_odds_difference": _equalized_odds("difference"),
    "equalized_odds_ratio": _equalized_odds("ratio"),
    "equal_opportunity_difference": _compare("true_positive_rate", "difference"),
    "equal_opportunity_ratio": _compare("true_positive_rate", "ratio"),
    "predictive_parity_difference": _compare("positive_predictive_value", "difference"),
    "false_positive_rate_difference": _compare("false_positive_rate", "difference"),
    "false_negative_rate_difference": _compare("false_negative_rate", "difference"),
    "accuracy_difference": _compare("accuracy", "difference"),
}

#: Disparities that need predicted probabilities (y_prob).
PROBABILITY_DISPARITIES: dict[str, Callable[[np.ndarray, np.ndarray, str], np.ndarray]] = {
    "calibration_difference": _compare("calibration_gap", "difference"),
}


# ------------------------------------------------------------------ prepared inputs
@dataclass(frozen=True)
class FairnessInputs:
    """Checked inputs of a fairness metric: groups and per-row table contributions.

    Attributes
    ----------
    groups : SensitiveGroups
    values : ndarray of shape (n_samples, 5)
        ``w·[TN, FP, FN, TP]`` one-hot and ``w·y_prob`` per row.
    sample_weight : ndarray of shape (n_samples,)
    """

    groups: SensitiveGroups
    values: np.ndarray
    sample_weight: np.ndarray

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Tables of the judged groups (G', 5) and the overall table (5,)."""
        sums = group_sums(self.values, self.groups.codes, self.groups.n_groups)
        return sums[self.groups.judged], sums.sum(axis=0)

    def disparity(self, name: str, method: str = "between_groups") -> float:
        """A disparity of :data:`DISPARITIES` (or ``calibration_difference``)."""
        judged, overall = self.tables()
        return float(_DISPARITY_TABLE[name](judged, overall, check_method(method)))


_DISPARITY_TABLE = {**DISPARITIES, **PROBABILITY_DISPARITIES}


def _probabilities(y_prob: Any, n: int) -> np.ndarray:
    p = np.asarray(y_prob.to_numpy() if hasattr(y_prob, "to_numpy") else y_prob, dtype=np.float64)
    if p.ndim == 2 and p.shape[1] == 2:
        p = p[:, 1]
    if p.ndim != 1 or p.shape[0] != n:
        raise DataValidationError(
            f"y_prob must hold one probability of the favourable outcome per row ({n}); got "
            f"shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise DataValidationError(
            "y_prob must be probabilities in [0, 1] without NaN; got values in "
            f"[{np.nanmin(p):.3g}, {np.nanmax(p):.3g}]."
        )
    return p


def prepare_inputs(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    sample_weight: Any = None,
    y_prob: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> FairnessInputs:
    """Check the inputs of a fairness metric once and build the per-row table values.

    ``y_pred`` may be None when only ``y_prob`` matters (calibration); it then
    counts as all-negative.
    """
    if y_pred is None:
        y_true01, _ = binary_outcomes(y_true, y_true, pos_label)
        y_pred01 = np.zeros_like(y_true01)
    else:
        y_true01, y_pred01 = binary_outcomes(y_true, y_pred, pos_label)
    n = y_true01.shape[0]
    groups = as_groups(sensitive_features, n, min_group_size=min_group_size)
    weight = check_sample_weight(sample_weight, n)
    prob = None if y_prob is None else _probabilities(y_prob, n)
    return FairnessInputs(groups, row_values(y_true01, y_pred01, weight, prob), weight)
