"""Group fairness metrics: rates per group, and their differences and ratios.

For a binary outcome Y, a prediction Ŷ and a sensitive feature A with groups a,
every metric here is a rate inside each group, computed from the group's weighted
confusion counts (TN, FP, FN, TP, with W = TN + FP + FN + TP):

    selection rate   P(Ŷ=1 | A=a) = (TP + FP) / W
    TPR              P(Ŷ=1 | Y=1, A=a) = TP / (TP + FN)       FNR = 1 − TPR
    FPR              P(Ŷ=1 | Y=0, A=a) = FP / (FP + TN)       TNR = 1 − FPR
    PPV              P(Y=1 | Ŷ=1, A=a) = TP / (TP + FP)
    accuracy         (TP + TN) / W

A rate over no rows (a group without positives for the TPR) is undefined, NaN,
and left out of comparisons (fairlearn reports 0 there, through scikit-learn's
``confusion_matrix``). A disparity compares a rate r_a across groups
(fairlearn's definitions):

    difference, between_groups = max_a r_a − min_a r_a
    difference, to_overall     = max_a |r_a − r_overall|
    ratio, between_groups      = min_a r_a / max_a r_a
    ratio, to_overall          = min_a min(r_a / r_overall, r_overall / r_a)

* demographic parity: the selection rate;
* equalized odds (Hardt, Price & Srebro 2016): TPR and FPR both — the difference
  is the larger of their two differences, the ratio the smaller of their ratios;
* equal opportunity: the TPR; predictive parity: the PPV; false positive / false
  negative rate parity: the FPR / FNR;
* disparate impact: the selection-rate ratio, with the four-fifths rule of the US
  Uniform Guidelines on Employee Selection (29 CFR 1607.4(D), 1978): a group
  selected at less than 4/5 of the rate of the most-selected group shows adverse
  impact;
* calibration by group: mean predicted probability against the observed rate of
  Y = 1 in each group (calibration in the large), and the expected calibration
  error over equal-width bins.

Groups with fewer than ``min_group_size`` rows are too small to judge and are
left out of every comparison (:mod:`lemma.fairness._groups`); the overall rate
uses every row. All metrics share fairlearn's signature
``(y_true, y_pred, *, sensitive_features, sample_weight=None)``.

Reference: Barocas, Hardt & Narayanan, *Fairness and Machine Learning*, MIT Press
2023, ch. 3; Bird et al., "Fairlearn: a toolkit for assessing and improving
fairness in AI", Microsoft Tech. Report MSR-TR-2020-32.

Examples
--------
>>> from lemma.fairness import demographic_parity_difference
>>> y_true = [1, 0, 1, 0, 1, 0, 1, 0]
>>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
>>> sex = ["F", "F", "F", "F", "M", "M", "M", "M"]
>>> demographic_parity_difference(y_true, y_pred, sensitive_features=sex, min_group_size=1)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import ParameterError
from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE
from lemma.fairness._tables import (
    FN,
    PROB,
    RATES,
    TP,
    binary_outcomes,
    group_sums,
    prepare_inputs,
    ratio_between,
    row_values,
)
from lemma.validation import check_sample_weight

__all__ = [
    "FOUR_FIFTHS",
    "DisparateImpact",
    "calibration_by_group",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_negative_rate_difference",
    "false_positive_rate",
    "false_positive_rate_difference",
    "positive_predictive_value",
    "predictive_parity_difference",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
]

#: Four-fifths rule: a selection-rate ratio below this shows adverse impact.
FOUR_FIFTHS = 0.8


# ------------------------------------------------------------------ base rates
def _one_rate(name: str, y_true: Any, y_pred: Any, pos_label: Any, sample_weight: Any) -> float:
    yt, yp = binary_outcomes(y_true, y_pred, pos_label)
    w = check_sample_weight(sample_weight, yt.shape[0])
    return float(RATES[name](row_values(yt, yp, w, None).sum(axis=0)))


def selection_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """Share of rows predicted ``pos_label``: P(Ŷ = 1).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True outcomes (checked, not used).
    y_pred : array-like of shape (n_samples,)
        Predicted outcomes.
    pos_label : scalar, default=1
        The favourable outcome.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.fairness import selection_rate
    >>> selection_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _one_rate("selection_rate", y_true, y_pred, pos_label, sample_weight)


def true_positive_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """P(Ŷ = 1 | Y = 1), the recall; NaN without positive rows. See :func:`selection_rate`.

    Examples
    --------
    >>> from lemma.fairness import true_positive_rate
    >>> true_positive_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _one_rate("true_positive_rate", y_true, y_pred, pos_label, sample_weight)


def false_positive_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """P(Ŷ = 1 | Y = 0); NaN without negative rows. See :func:`selection_rate`.

    Examples
    --------
    >>> from lemma.fairness import false_positive_rate
    >>> false_positive_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _one_rate("false_positive_rate", y_true, y_pred, pos_label, sample_weight)


def false_negative_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """P(Ŷ = 0 | Y = 1) = 1 − TPR; NaN without positive rows. See :func:`selection_rate`.

    Examples
    --------
    >>> from lemma.fairness import false_negative_rate
    >>> false_negative_rate([0, 1, 1, 1], [1, 1, 0, 0])
    0.6666666666666666
    """
    return _one_rate("false_negative_rate", y_true, y_pred, pos_label, sample_weight)


def true_negative_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """P(Ŷ = 0 | Y = 0) = 1 − FPR; NaN without negative rows. See :func:`selection_rate`.

    Examples
    --------
    >>> from lemma.fairness import true_negative_rate
    >>> true_negative_rate([0, 0, 1, 0], [1, 0, 0, 0])
    0.6666666666666666
    """
    return _one_rate("true_negative_rate", y_true, y_pred, pos_label, sample_weight)


def positive_predictive_value(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None
) -> float:
    """P(Y = 1 | Ŷ = 1), the precision; NaN without predicted positives.

    Examples
    --------
    >>> from lemma.fairness import positive_predictive_value
    >>> positive_predictive_value([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    """
    return _one_rate("positive_predictive_value", y_true, y_pred, pos_label, sample_weight)


# ---------------------------------------------------------------- disparities
def _named(
    name: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    pos_label: Any,
    min_group_size: int,
) -> float:
    inputs = prepare_inputs(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        min_group_size=min_group_size,
    )
    inputs.groups.require_judged()
    return inputs.disparity(name, method)


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Largest gap in selection rate P(Ŷ=1 | A=a) between groups (0 is parity).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True outcomes.
    y_pred : array-like of shape (n_samples,)
        Predicted outcomes (labels, not probabilities).
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        Group of each row; several columns give intersectional groups.
    method : {"between_groups", "to_overall"}, default="between_groups"
        ``max − min`` over groups, or the largest ``|group − overall|``.
    sample_weight : array-like of shape (n_samples,), default=None
    pos_label : scalar, default=1
        The favourable outcome.
    min_group_size : int, default=30
        Groups with fewer rows are too small to judge and left out.

    Returns
    -------
    float

    Raises
    ------
    DataValidationError
        Fewer than two groups have ``min_group_size`` rows; NaN in the sensitive
        feature; a single group.

    Examples
    --------
    >>> from lemma.fairness import demographic_parity_difference
    >>> demographic_parity_difference([0, 1, 0, 1], [1, 1, 0, 1],
    ...                               sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "demographic_parity_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Smallest selection rate over the largest (1 is parity).

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import demographic_parity_ratio
    >>> demographic_parity_ratio([0, 1, 0, 1], [1, 1, 0, 1],
    ...                          sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "demographic_parity_ratio",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """The larger of the TPR difference and the FPR difference between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import equalized_odds_difference
    >>> equalized_odds_difference([1, 0, 1, 0], [1, 1, 1, 0],
    ...                           sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    1.0
    """
    return _named(
        "equalized_odds_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """The smaller of the TPR ratio and the FPR ratio between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import equalized_odds_ratio
    >>> equalized_odds_ratio([1, 0, 1, 0], [1, 1, 1, 0],
    ...                      sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.0
    """
    return _named(
        "equalized_odds_ratio",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Largest gap in true positive rate P(Ŷ=1 | Y=1, A=a) between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import equal_opportunity_difference
    >>> equal_opportunity_difference([1, 1, 1, 1], [1, 1, 1, 0],
    ...                              sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "equal_opportunity_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Smallest true positive rate over the largest.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import equal_opportunity_ratio
    >>> equal_opportunity_ratio([1, 1, 1, 1], [1, 1, 1, 0],
    ...                         sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "equal_opportunity_ratio",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def predictive_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Largest gap in precision P(Y=1 | Ŷ=1, A=a) between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import predictive_parity_difference
    >>> predictive_parity_difference([1, 0, 1, 1], [1, 1, 1, 1],
    ...                              sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "predictive_parity_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def false_positive_rate_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Largest gap in false positive rate P(Ŷ=1 | Y=0, A=a) between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import false_positive_rate_difference
    >>> false_positive_rate_difference([0, 0, 0, 0], [1, 0, 0, 0],
    ...                                sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "false_positive_rate_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


def false_negative_rate_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> float:
    """Largest gap in false negative rate P(Ŷ=0 | Y=1, A=a) between groups.

    Parameters as :func:`demographic_parity_difference`.

    Examples
    --------
    >>> from lemma.fairness import false_negative_rate_difference
    >>> false_negative_rate_difference([1, 1, 1, 1], [0, 0, 1, 0],
    ...                                sensitive_features=["a", "a", "b", "b"], min_group_size=1)
    0.5
    """
    return _named(
        "false_negative_rate_difference",
        y_true, y_pred, sensitive_features, method, sample_weight, pos_label, min_group_size,
    )  # fmt: skip


# ----------------------------------------------------------- disparate impact
@dataclass(frozen=True)
class DisparateImpact:
    """Selection-rate ratio with the four-fifths rule.

    Attributes
    ----------
    ratio : float
        Lowest group selection rate over the highest.
    four_fifths_rule : bool
        True when ``ratio >= 0.8`` (no adverse impact by the rule).
    selection_rates : Series
        Selection rate of each judged group.
    lowest_group, highest_group : str
    too_small : Series
        Groups too small to judge, with their sizes.
    """

    ratio: float
    four_fifths_rule: bool
    selection_rates: pd.Series
    lowest_group: str
    highest_group: str
    too_small: pd.Series

    def __str__(self) -> str:
        verdict = "passes" if self.four_fifths_rule else "fails"
        return (
            f"{self.lowest_group} is selected at {self.ratio:.2f} times the rate of "
            f"{self.highest_group}: {verdict} the four-fifths rule."
        )


def disparate_impact(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> DisparateImpact:
    """Ratio of the lowest to the highest group selection rate, and the four-fifths rule.

    Parameters as :func:`demographic_parity_difference` (``method`` is always
    between groups: the rule compares each group with the most-selected one).

    Returns
    -------
    DisparateImpact

    Examples
    --------
    >>> from lemma.fairness import disparate_impact
    >>> result = disparate_impact([0] * 8, [1, 1, 1, 0, 1, 0, 0, 0],
    ...                           sensitive_features=list("aaaabbbb"), min_group_size=1)
    >>> print(result)
    b is selected at 0.33 times the rate of a: fails the four-fifths rule.
    """
    inputs = prepare_inputs(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        min_group_size=min_group_size,
    )
    inputs.groups.require_judged()
    judged, _ = inputs.tables()
    rates = pd.Series(
        RATES["selection_rate"](judged), index=inputs.groups.judged_labels(), name="selection_rate"
    )
    ratio = float(ratio_between(rates.to_numpy(), np.asarray(np.nan)))
    return DisparateImpact(
        ratio=ratio,
        four_fifths_rule=bool(ratio >= FOUR_FIFTHS),
        selection_rates=rates,
        lowest_group=str(rates.idxmin()),
        highest_group=str(rates.idxmax()),
        too_small=inputs.groups.too_small,
    )


# --------------------------------------------------------------- calibration
def calibration_by_group(
    y_true: Any,
    y_prob: Any,
    *,
    sensitive_features: Any,
    sample_weight: Any = None,
    pos_label: Any = 1,
    n_bins: int = 10,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Mean predicted probability against the observed rate of Y = 1, per group.

    ``calibration_gap = mean_predicted − observed_rate`` (calibration in the
    large: positive means the model over-predicts the favourable outcome for the
    group); ``ece`` is the expected calibration error, ``Σ_b (W_b/W) |p̄_b − ȳ_b|``
    over ``n_bins`` equal-width probability bins. Groups too small to judge keep
    their size and have NaN statistics.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_prob : array-like of shape (n_samples,) or (n_samples, 2)
        Predicted probability of ``pos_label``.
    sensitive_features, sample_weight, pos_label, min_group_size
        As :func:`demographic_parity_difference`.
    n_bins : int, default=10

    Returns
    -------
    DataFrame
        Index: groups; columns ``n_rows, mean_predicted, observed_rate,
        calibration_gap, ece, too_small``.

    Examples
    --------
    >>> from lemma.fairness import calibration_by_group
    >>> table = calibration_by_group([1, 0, 1, 1], [0.9, 0.1, 0.4, 0.6],
    ...                              sensitive_features=list("aabb"), min_group_size=1)
    >>> table["calibration_gap"].round(2).tolist()
    [0.0, -0.5]
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ParameterError(f"The 'n_bins' parameter must be an int >= 1. Got {n_bins!r} instead.")
    inputs = prepare_inputs(
        y_true,
        None,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        y_prob=y_prob,
        pos_label=pos_label,
        min_group_size=min_group_size,
    )
    groups, w = inputs.groups, inputs.sample_weight
    prob = inputs.values[:, PROB] / np.where(w > 0, w, 1)
    observed = inputs.values[:, TP] + inputs.values[:, FN]  # w · 1{y = 1}
    sums = group_sums(inputs.values, groups.codes, groups.n_groups)
    bins = np.minimum((prob * n_bins).astype(np.int64), n_bins - 1)
    cell = groups.codes * n_bins + bins
    size = groups.n_groups * n_bins
    w_bin = np.bincount(cell, weights=w, minlength=size).reshape(-1, n_bins)
    gap_bin = np.abs(
        np.bincount(cell, weights=inputs.values[:, PROB] - observed, minlength=size)
    ).reshape(-1, n_bins)
    ece = gap_bin.sum(axis=1) / w_bin.sum(axis=1)
    table = pd.DataFrame(
        {
            "n_rows": groups.sizes,
            "mean_predicted": RATES["mean_prediction"](sums),
            "observed_rate": RATES["base_rate"](sums),
            "calibration_gap": RATES["calibration_gap"](sums),
            "ece": ece,
            "too_small": ~groups.judged,
        },
        index=pd.Index(groups.labels, name=groups.name),
    )
    table.loc[~groups.judged, ["mean_predicted", "observed_rate", "calibration_gap", "ece"]] = (
        np.nan
    )
    return table
