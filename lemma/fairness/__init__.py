"""Fairness: metrics by group with intervals, mitigation, proxies and an audit.

* Metrics (:mod:`lemma.fairness.metrics`), with fairlearn's signature
  ``(y_true, y_pred, *, sensitive_features, sample_weight=None)``: selection
  rate, demographic parity, equalized odds, equal opportunity, predictive parity,
  false positive / negative rate parity, disparate impact with the four-fifths
  rule, calibration by group. Groups may be intersections (``sex × race``);
  groups smaller than ``min_group_size`` are reported as too small to judge.
* :class:`GroupMetrics` (:mod:`lemma.fairness.frame`): any metric per group,
  overall, differences, ratios, with bootstrap intervals.
* :func:`disparity_intervals` (:mod:`lemma.fairness.intervals`): a stratified
  bootstrap interval for every disparity, composite ones included;
  :func:`mitigation_tradeoff`: disparity and accuracy before and after a
  mitigation, with paired intervals.
* Mitigation before training: :class:`Reweighing` (Kamiran & Calders), weights
  for any lemma classifier's ``sample_weight``; after training:
  :class:`ThresholdOptimizer` (Hardt, Price & Srebro), group-specific randomised
  thresholds for demographic parity or equalized odds; during training:
  :class:`ExponentiatedGradient` (Agarwal et al.), a randomised classifier from
  any lemma classifier that accepts ``sample_weight``.

* Proxies and compliance (:mod:`lemma.fairness.proxies`): :func:`find_proxies`
  ranks features by how well each alone predicts the sensitive attribute;
  :func:`compliance_checklist` gives pass / warn / fail items.
* :func:`audit` (:mod:`lemma.fairness.auditing`): all of it in one
  :class:`FairnessAudit` with a one-sentence verdict — what the study and the
  model card call.

Examples
--------
>>> from lemma.fairness import equalized_odds_difference
>>> equalized_odds_difference([1, 0, 1, 0], [1, 0, 0, 0],
...                           sensitive_features=["a", "a", "b", "b"], min_group_size=1)
1.0
"""

from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE
from lemma.fairness.auditing import FairnessAudit, audit
from lemma.fairness.frame import GroupMetrics
from lemma.fairness.intervals import TradeoffReport, disparity_intervals, mitigation_tradeoff
from lemma.fairness.metrics import (
    DisparateImpact,
    calibration_by_group,
    demographic_parity_difference,
    demographic_parity_ratio,
    disparate_impact,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_negative_rate_difference,
    false_positive_rate,
    false_positive_rate_difference,
    positive_predictive_value,
    predictive_parity_difference,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from lemma.fairness.proxies import ChecklistItem, compliance_checklist, find_proxies
from lemma.fairness.reductions import ExponentiatedGradient
from lemma.fairness.reweighing import Reweighing, reweighing_weights
from lemma.fairness.threshold import ThresholdOptimizer

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "ChecklistItem",
    "DisparateImpact",
    "ExponentiatedGradient",
    "FairnessAudit",
    "GroupMetrics",
    "Reweighing",
    "ThresholdOptimizer",
    "TradeoffReport",
    "audit",
    "calibration_by_group",
    "compliance_checklist",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact",
    "disparity_intervals",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_negative_rate_difference",
    "false_positive_rate",
    "false_positive_rate_difference",
    "find_proxies",
    "mitigation_tradeoff",
    "positive_predictive_value",
    "predictive_parity_difference",
    "reweighing_weights",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
]
