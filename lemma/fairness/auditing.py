"""One fairness audit: group rates, every disparity with an interval, a checklist, a verdict.

:func:`audit` is what the study and the model card call. For a binary outcome and
a sensitive feature (one column, or several for intersectional groups) it reports

* per group (groups of at least ``min_group_size`` rows): size, selection rate,
  TPR, FPR, FNR, precision, accuracy and base rate (:mod:`lemma.fairness.metrics`),
  each with a stratified-bootstrap interval; the groups too small to judge, with
  their sizes;
* every disparity — demographic parity, equalized odds, equal opportunity,
  predictive parity, FPR/FNR parity, accuracy, and calibration when probabilities
  are given — with its interval (:mod:`lemma.fairness.intervals`);
* disparate impact with the four-fifths rule; calibration by group; proxies of
  the sensitive attribute among the features when X is given
  (:mod:`lemma.fairness.proxies`);
* a pass / warn / fail checklist and a one-sentence verdict.

A :class:`FairnessAudit` renders as text (``as_text``), as a DataFrame of the
disparities (``to_frame``), as HTML in Jupyter, and as JSON-ready data
(``to_dict``, NaN as null) that the study stores and the model card reads.

(The module is ``auditing``, not ``audit``, so that ``lemma.fairness.audit`` is always
the function: a submodule of the same name would shadow it whenever it is imported
on its own, as pytest's doctest collection does.)

Reference: Barocas, Hardt & Narayanan, *Fairness and Machine Learning*, MIT Press
2023; Raji et al., "Closing the AI accountability gap", FAT* 2020 (audits).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from lemma.fairness import audit
>>> rng = np.random.default_rng(0)
>>> sex = pd.Series(rng.choice(["Female", "Male"], 2000), name="sex")
>>> y_true = rng.integers(0, 2, 2000)
>>> y_pred = (rng.random(2000) < np.where(sex == "Female", 0.15, 0.45)).astype(int)
>>> result = audit(y_true, y_pred, sensitive_features=sex, n_boot=200, random_state=0)
>>> print(result.verdict)
sex = Female is selected at 0.32 times the rate of sex = Male (95% CI 0.27 to 0.36): fails the four-fifths rule. Also failing: equalized-odds gap. Not checked: calibration gaps, proxies.
>>> [item.status for item in result.checklist]
['fail', 'pass', 'warn', 'fail', 'warn']
"""  # noqa: E501

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lemma.fairness import _tables as fm
from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE
from lemma.fairness.intervals import check_interval_params, inputs_intervals
from lemma.fairness.metrics import FOUR_FIFTHS, calibration_by_group
from lemma.fairness.proxies import ChecklistItem, compliance_checklist, find_proxies

__all__ = ["GROUP_RATES", "FairnessAudit", "audit"]

#: Rates reported per group.
GROUP_RATES = [
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "positive_predictive_value",
    "accuracy",
    "base_rate",
]


def _plain(value: Any) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, NaN and inf as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame | None, index_name: str) -> list[dict] | None:
    if frame is None:
        return None
    out = frame.reset_index(names=index_name) if index_name else frame
    return [{k: _plain(v) for k, v in row.items()} for row in out.to_dict("records")]


@dataclass
class FairnessAudit:
    """The result of :func:`audit`; see the module docstring.

    Attributes
    ----------
    sensitive_feature : str
        ``"sex"``, or ``"sex, race"`` for intersections.
    columns : list of str
    n_rows, min_group_size, n_boot : int
    level : float
    group_sizes, too_small : Series
        Rows per group; the groups too small to judge.
    by_group : DataFrame
        Judged groups × (``n_rows`` and :data:`GROUP_RATES`).
    rate_intervals : DataFrame
        (rate, group) → estimate, ci_low, ci_high (empty when ``n_boot`` is 0).
    overall : Series
        The rates on every row.
    disparities : DataFrame
        Disparity → estimate, ci_low, ci_high, std_err.
    disparate_impact : dict
        ratio, ci_low, ci_high, four_fifths_rule, lowest/highest group and rate.
    calibration, proxies : DataFrame or None
    checklist : list of ChecklistItem
    """

    sensitive_feature: str
    columns: list[str]
    n_rows: int
    min_group_size: int
    n_boot: int
    level: float
    group_sizes: pd.Series
    too_small: pd.Series
    by_group: pd.DataFrame
    rate_intervals: pd.DataFrame
    overall: pd.Series
    disparities: pd.DataFrame
    disparate_impact: dict[str, Any]
    calibration: pd.DataFrame | None = None
    proxies: pd.DataFrame | None = None
    checklist: list[ChecklistItem] = field(default_factory=list)

    # ------------------------------------------------------------------ verdict
    def _label(self, group: str) -> str:
        return f"{self.sensitive_feature} = {group}"

    @property
    def verdict(self) -> str:
        """One sentence: the four-fifths rule first, then any other failed or warned check."""
        di = self.disparate_impact
        ci = ""
        if di["lowest_rate"] == 0.0 and di["highest_rate"] > 0.0:
            ci = self._zero_rate_bound(di)
        elif di["ci_low"] is not None and not np.isnan(di["ci_low"]):
            ci = f" ({100 * self.level:g}% CI {di['ci_low']:.2f} to {di['ci_high']:.2f})"
        low, high = self._label(di["lowest_group"]), self._label(di["highest_group"])
        if not di["four_fifths_rule"]:
            sentence = (
                f"{low} is selected at {di['ratio']:.2f} times the rate of {high}{ci}: fails "
                "the four-fifths rule."
            )
        else:
            sentence = (
                f"No disparity beyond the four-fifths rule: {low} is selected at "
                f"{di['ratio']:.2f} times the rate of {high}{ci}."
            )
        others = [item for item in self.checklist if item.name != "four-fifths rule"]
        for status, text in (("fail", "Also failing"), ("warn", "To look at")):
            names = [i.name for i in others if i.status == status and i.checked]
            if names:
                sentence += f" {text}: {', '.join(names)}."
        unchecked = [item.name for item in others if not item.checked]
        if unchecked:
            sentence += f" Not checked: {', '.join(unchecked)}."
        return sentence

    def _zero_rate_bound(self, di: dict[str, Any]) -> str:
        """A group nobody in which was selected: every bootstrap resample selects nobody
        either, so the percentile interval collapses to 0–0 and says nothing. The exact
        (Clopper–Pearson) bound of a rate with 0 successes in n rows is
        1 − ((1 − level)/2)^(1/n); divided by the highest group's rate it bounds the ratio."""
        sizes = {str(group): size for group, size in self.group_sizes.items()}
        n = int(sizes[di["lowest_group"]])
        upper = 1.0 - ((1.0 - self.level) / 2.0) ** (1.0 / n)
        return (
            f" (nobody among its {n:,} rows was selected, so the bootstrap gives no interval; "
            f"the exact {100 * self.level:g}% bound on its rate is {upper:.3f}, a ratio up to "
            f"{min(upper / di['highest_rate'], 1.0):.2f})"
        )

    # ------------------------------------------------------------------ renderings
    def to_frame(self) -> pd.DataFrame:
        """The disparities with their intervals."""
        return self.disparities.copy()

    def to_dict(self) -> dict[str, Any]:
        """Every number, JSON-ready (NaN as None), in the shape the model card reads."""
        rates = self.rate_intervals
        by_group = []
        for group, row in self.by_group.iterrows():
            for rate in GROUP_RATES:
                record = {"group": group, "n": int(row["n_rows"]), "metric": rate,
                          "estimate": _plain(row[rate])}  # fmt: skip
                if (rate, group) in rates.index:
                    record["ci_low"] = _plain(rates.loc[(rate, group), "ci_low"])
                    record["ci_high"] = _plain(rates.loc[(rate, group), "ci_high"])
                by_group.append(record)
        impact = {k: _plain(v) for k, v in self.disparate_impact.items()}
        return {
            "verdict": self.verdict,
            "sensitive_feature": self.sensitive_feature,
            "sensitive_features": list(self.columns),
            "n_rows": self.n_rows,
            "min_group_size": self.min_group_size,
            "n_boot": self.n_boot,
            "level": self.level,
            "disparate_impact": {self.sensitive_feature: impact},
            "disparities": _records(self.disparities, "disparity"),
            "by_group": by_group,
            "too_small": [{"group": g, "n_rows": int(n)} for g, n in self.too_small.items()],
            "overall": {k: _plain(v) for k, v in self.overall.items()},
            "calibration": _records(self.calibration, "group"),
            "proxies": _records(self.proxies, ""),
            "checklist": [item.to_dict() for item in self.checklist],
        }

    def _sections(self) -> list[tuple[str, pd.DataFrame | None]]:
        intervals = (
            f"{100 * self.level:g}% intervals, stratified bootstrap, {self.n_boot} resamples"
            if self.n_boot
            else "no intervals (n_boot=0)"
        )
        return [
            ("Groups", self.by_group),
            (f"Disparities ({intervals})", self.disparities.drop(columns="n_valid")),
            ("Calibration by group", self.calibration),
            ("Features that predict the sensitive attribute", self.proxies),
        ]

    def _header(self) -> str:
        small = (
            ", ".join(f"{g} ({n} rows)" for g, n in self.too_small.items())
            if len(self.too_small)
            else "none"
        )
        return (
            f"Fairness audit of {self.sensitive_feature}: {self.n_rows:,} rows, "
            f"{len(self.group_sizes)} groups; too small to judge (< {self.min_group_size} "
            f"rows): {small}."
        )

    def as_text(self) -> str:
        """The audit as plain text: header, verdict, tables, checklist."""
        parts = [self._header(), f"Verdict: {self.verdict}"]
        for title, table in self._sections():
            if table is not None:
                parts.append(f"{title}:\n{table.to_string(float_format='{:.4g}'.format)}")
        parts.append("Checklist:\n" + "\n".join(f"  {item}" for item in self.checklist))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        parts = [
            f"<p>{html.escape(self._header())}</p>",
            f"<p><b>Verdict:</b> {html.escape(self.verdict)}</p>",
        ]
        for title, table in self._sections():
            if table is not None:
                parts.append(f"<h4>{html.escape(title)}</h4>")
                parts.append(table.to_html(float_format=lambda v: f"{v:.4g}"))
        items = "".join(
            f"<li><b>{item.status.upper()}</b> {html.escape(item.name)}: "
            f"{html.escape(item.evidence)}</li>"
            for item in self.checklist
        )
        return "".join(parts) + f"<h4>Checklist</h4><ul>{items}</ul>"

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return f"FairnessAudit({self.sensitive_feature!r}: {self.verdict})"


def _disparate_impact(by_group: pd.DataFrame, disparities: pd.DataFrame) -> dict[str, Any]:
    rates = by_group["selection_rate"]
    row = disparities.loc["demographic_parity_ratio"]
    return {
        "ratio": float(row["estimate"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "four_fifths_rule": bool(row["estimate"] >= FOUR_FIFTHS),
        "lowest_group": str(rates.idxmin()),
        "lowest_rate": float(rates.min()),
        "highest_group": str(rates.idxmax()),
        "highest_rate": float(rates.max()),
    }


def audit(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    y_prob: Any = None,
    X: Any = None,
    sample_weight: Any = None,
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: Any = None,
) -> FairnessAudit:
    """Audit predictions for a sensitive feature: rates, disparities, checklist, verdict.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted outcomes (labels).
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        Several columns give intersectional groups.
    y_prob : array-like of shape (n_samples,) or (n_samples, 2), default=None
        Predicted probability of ``pos_label``: adds calibration.
    X : DataFrame or array-like of shape (n_samples, n_features), default=None
        The model's features: adds the proxy search.
    sample_weight : array-like of shape (n_samples,), default=None
    pos_label : scalar, default=1
        The favourable outcome.
    min_group_size : int, default=30
    n_boot : int, default=1000
        Bootstrap resamples for the intervals (0: none).
    level : float, default=0.95
    random_state : int, Generator or None

    Returns
    -------
    FairnessAudit

    Examples
    --------
    See the module docstring.
    """
    n_boot, level, _ = check_interval_params(n_boot, level, "percentile", allow_zero=True)
    inputs = fm.prepare_inputs(
        y_true, y_pred, sensitive_features=sensitive_features, sample_weight=sample_weight,
        y_prob=y_prob, pos_label=pos_label, min_group_size=min_group_size,
    )  # fmt: skip
    groups = inputs.groups
    groups.require_judged()
    judged, overall = inputs.tables()
    rates = list(GROUP_RATES)
    names = list(fm.DISPARITIES) + (["calibration_difference"] if y_prob is not None else [])
    by_group = pd.DataFrame(
        {"n_rows": groups.sizes[groups.judged], **{r: fm.RATES[r](judged) for r in rates}},
        index=pd.Index(groups.judged_labels(), name=groups.name),
    )
    if n_boot:
        disparities, rate_intervals = inputs_intervals(
            inputs, names, rates=rates, n_boot=n_boot, level=level, random_state=random_state
        )
    else:
        formulas = {**fm.DISPARITIES, **fm.PROBABILITY_DISPARITIES}
        estimates = [float(formulas[n](judged, overall, "between_groups")) for n in names]
        disparities = pd.DataFrame(
            {"estimate": estimates, "ci_low": np.nan, "ci_high": np.nan, "std_err": np.nan,
             "n_valid": 0},
            index=pd.Index(names, name="disparity"),
        )  # fmt: skip
        rate_intervals = pd.DataFrame(columns=["estimate", "ci_low", "ci_high"])
    result = FairnessAudit(
        sensitive_feature=groups.name,
        columns=list(groups.columns),
        n_rows=int(groups.codes.size),
        min_group_size=groups.min_group_size,
        n_boot=n_boot,
        level=level,
        group_sizes=pd.Series(groups.sizes, index=pd.Index(groups.labels), name="n_rows"),
        too_small=groups.too_small,
        by_group=by_group,
        rate_intervals=rate_intervals,
        overall=pd.Series({r: float(fm.RATES[r](overall)) for r in rates}),
        disparities=disparities,
        disparate_impact=_disparate_impact(by_group, disparities),
    )
    if y_prob is not None:
        result.calibration = calibration_by_group(
            y_true, y_prob, sensitive_features=sensitive_features, sample_weight=sample_weight,
            pos_label=pos_label, min_group_size=min_group_size,
        )  # fmt: skip
    if X is not None:
        result.proxies = find_proxies(X, sensitive_features, random_state=random_state)
    result.checklist = compliance_checklist(result)
    return result
