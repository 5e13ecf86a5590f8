"""Proxies of a sensitive attribute, and a plain compliance checklist.

Dropping the sensitive attribute A from the features does not make a model blind
to it: other features may carry it (a postcode for race, a first name for sex).
:func:`find_proxies` measures, for every feature X_j alone, how well it predicts A:

    AUC_j = cross-validated area under the ROC curve of P̂(A | X_j)

(one-vs-rest, macro-averaged over groups when A has more than two), where P̂(A | X_j)
is the share of each group among the training rows in the same bin of X_j — ten
quantile bins of a numeric feature, one bin per category of a categorical one,
missing values a bin of their own — with add-one (Laplace) smoothing. The table is
fitted on two folds and scored on the third, in turn (``cv=3``, folds stratified by
group), so a high AUC is predictive power, not memorised noise. AUC 0.5 means no
information; a feature with AUC ≥ 0.7 is flagged a *proxy*, ≥ 0.8 a *strong proxy*
(conventional "acceptable" and "excellent" discrimination, Hosmer & Lemeshow).
A feature that *is* the sensitive attribute (same name, or the same grouping of
the rows under other labels) is flagged as such.

:func:`compliance_checklist` turns an audit into pass / warn / fail items, each
with the sentence that justifies it:

* four-fifths rule: fail if the selection-rate ratio is below 0.8, warn if it is
  above but its confidence interval reaches below 0.8, else pass;
* groups too small to judge: warn if any group has fewer than ``min_group_size``
  rows (it was not assessed), else pass;
* calibration gaps: |mean predicted − observed rate| per group; pass up to
  :data:`CALIBRATION_WARN` = 0.05, warn up to :data:`CALIBRATION_FAIL` = 0.10,
  fail above; warn when no probabilities were given;
* equalized-odds gap: fail if the interval of the equalized-odds difference lies
  above :data:`EQUALIZED_ODDS_GAP` = 0.10, pass if it lies below, else warn
  (without intervals: the estimate against 0.10);
* proxies: fail if the sensitive attribute is a feature, warn if any feature is a
  proxy, pass otherwise; warn when no features were given.

Reference: Hosmer, Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd ed.,
Wiley 2013, §5.2.4 (AUC scale); Barocas & Selbst, "Big data's disparate impact",
*California Law Review* 104, 2016 (proxies); 29 CFR 1607.4(D) (four-fifths rule).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from lemma.fairness import find_proxies
>>> rng = np.random.default_rng(0)
>>> sex = rng.choice(["F", "M"], 600)
>>> X = pd.DataFrame({"height": rng.normal(170, 8, 600) + 10 * (sex == "M"),
...                   "noise": rng.normal(size=600)})
>>> table = find_proxies(X, sex, random_state=0)
>>> table[["feature", "flag"]].to_dict("records")
[{'feature': 'height', 'flag': 'strong proxy'}, {'feature': 'noise', 'flag': ''}]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError
from lemma.fairness._groups import SensitiveGroups, as_groups
from lemma.fairness.metrics import FOUR_FIFTHS
from lemma.metrics import roc_auc_score
from lemma.validation import check_random_state

__all__ = [
    "CALIBRATION_FAIL",
    "CALIBRATION_WARN",
    "EQUALIZED_ODDS_GAP",
    "PROXY_AUC",
    "STRONG_PROXY_AUC",
    "ChecklistItem",
    "compliance_checklist",
    "find_proxies",
]

#: A feature predicting the sensitive attribute with at least this AUC is a proxy.
PROXY_AUC = 0.7
#: ... and with at least this AUC a strong proxy.
STRONG_PROXY_AUC = 0.8
#: Calibration gaps (|mean predicted − observed|) above these warn / fail.
CALIBRATION_WARN, CALIBRATION_FAIL = 0.05, 0.10
#: An equalized-odds difference above this fails.
EQUALIZED_ODDS_GAP = 0.10


# ----------------------------------------------------------------------- proxies
def _feature_columns(X: Any) -> list[tuple[str, pd.Series]]:
    if isinstance(X, pd.DataFrame):
        return [(str(c), X.iloc[:, j].reset_index(drop=True)) for j, c in enumerate(X.columns)]
    if hasattr(X, "to_pandas") and hasattr(X, "columns"):  # polars
        return _feature_columns(X.to_pandas())
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise DataValidationError(f"X must be 2-D (rows × features); got shape {arr.shape}.")
    return [(f"x{j}", pd.Series(arr[:, j])) for j in range(arr.shape[1])]


def _folds(codes: np.ndarray, cv: int, rs: np.random.RandomState) -> np.ndarray:
    """Fold of each row: each group's rows shuffled and dealt to the folds in turn."""
    fold = np.empty(codes.size, dtype=np.int64)
    for g in np.unique(codes):
        rows = rs.permutation(np.flatnonzero(codes == g))
        fold[rows] = np.arange(rows.size) % cv
    return fold


def _is_numeric(values: pd.Series, n_bins: int) -> bool:
    return (
        pd.api.types.is_numeric_dtype(values)
        and not pd.api.types.is_bool_dtype(values)
        and values.nunique() > n_bins
    )


def _bins(values: pd.Series, train: np.ndarray, n_bins: int, numeric: bool) -> np.ndarray:
    """Bin of each row: quantile bins of the training rows, or categories; NaN its own bin."""
    missing = values.isna().to_numpy()
    if numeric:
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        seen = x[train & ~missing]
        edges = np.unique(np.quantile(seen, np.linspace(0, 1, n_bins + 1)[1:-1]))
        codes = np.searchsorted(edges, x, side="right")
    else:
        codes, _ = pd.factorize(values, use_na_sentinel=True)
    return np.where(missing, codes.max(initial=0) + 1, codes)


def _auc(codes: np.ndarray, prob: np.ndarray) -> float:
    if prob.shape[1] == 2:
        return float(roc_auc_score(codes, prob[:, 1]))
    return float(roc_auc_score(codes, prob, multi_class="ovr", labels=np.arange(prob.shape[1])))


def _same_grouping(values: pd.Series, groups: SensitiveGroups) -> bool:
    """The column splits the rows exactly as the sensitive feature does (any labels)."""
    if values.isna().any():
        return False
    codes, uniques = pd.factorize(values)
    if len(uniques) != groups.n_groups:
        return False
    pairs = np.unique(codes * groups.n_groups + groups.codes)
    return pairs.size == groups.n_groups


def find_proxies(
    X: Any,
    sensitive_features: Any,
    *,
    cv: int = 3,
    n_bins: int = 10,
    random_state: Any = None,
) -> pd.DataFrame:
    """Rank features by how well each alone predicts the sensitive attribute.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        Features as the model sees them (numbers or categories; NaN allowed).
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
    cv : int, default=3
        Folds of the cross-fitting (at least 2).
    n_bins : int, default=10
        Quantile bins of a numeric feature (features with at most ``n_bins``
        distinct values are treated as categories).
    random_state : int, Generator or None
        Shuffles the rows into folds.

    Returns
    -------
    DataFrame
        One row per feature, highest AUC first: ``feature, auc, kind, flag``
        (``"sensitive attribute"``, ``"strong proxy"``, ``"proxy"`` or ``""``).
        ``attrs`` record the measure and thresholds.

    Examples
    --------
    See the module docstring.
    """
    if isinstance(cv, bool) or not isinstance(cv, int | np.integer) or cv < 2:
        raise ParameterError(f"The 'cv' parameter must be an int >= 2. Got {cv!r} instead.")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 2:
        raise ParameterError(f"The 'n_bins' parameter must be an int >= 2. Got {n_bins!r} instead.")
    columns = _feature_columns(X)
    n = len(columns[0][1]) if columns else 0
    groups = as_groups(sensitive_features, n, min_group_size=1)
    G = groups.n_groups
    smallest = int(groups.sizes.min())
    if smallest < cv:
        raise DataValidationError(
            f"A group of {groups.name!r} has {smallest} rows, fewer than cv={cv} folds; lower cv "
            "or merge small groups."
        )
    fold = _folds(groups.codes, cv, check_random_state(random_state))
    sensitive_names = {name.lower() for name in groups.columns}
    rows = []
    for name, values in columns:
        numeric = _is_numeric(values, n_bins)
        prob = np.empty((n, G))
        for k in range(cv):
            train = fold != k
            bins = _bins(values, train, n_bins, numeric)
            counts = np.bincount(
                bins[train] * G + groups.codes[train], minlength=(bins.max() + 1) * G
            ).reshape(-1, G)
            table = (counts + 1) / (counts.sum(axis=1, keepdims=True) + G)
            prob[~train] = table[bins[~train]]
        auc = _auc(groups.codes, prob)
        if name.lower() in sensitive_names or _same_grouping(values, groups):
            flag = "sensitive attribute"
        else:
            flag = (
                "strong proxy" if auc >= STRONG_PROXY_AUC else ("proxy" if auc >= PROXY_AUC else "")
            )
        rows.append({"feature": name, "auc": auc, "kind": "numeric" if numeric else "categorical",
                     "flag": flag})  # fmt: skip
    table = pd.DataFrame(rows, columns=["feature", "auc", "kind", "flag"])
    table = table.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(
        measure=f"{cv}-fold cross-validated AUC of P(A | feature) from a binned frequency table",
        proxy_auc=PROXY_AUC,
        strong_proxy_auc=STRONG_PROXY_AUC,
        sensitive_feature=groups.name,
    )
    return table


# ------------------------------------------------------------------------ checklist
@dataclass(frozen=True)
class ChecklistItem:
    """One compliance check: its name, ``"pass"``/``"warn"``/``"fail"``, and why.

    ``checked`` is False when the audit lacked what the check needs (probabilities
    for calibration, features for proxies); the status is then "warn".
    """

    name: str
    status: str
    evidence: str
    checked: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``{"check", "status", "evidence", "checked"}``."""
        return {
            "check": self.name,
            "status": self.status,
            "evidence": self.evidence,
            "checked": self.checked,
        }

    def __str__(self) -> str:
        return f"[{self.status.upper()}] {self.name}: {self.evidence}"


def _ci_text(low: float, high: float, level: float) -> str:
    if np.isnan(low):
        return ""
    return f" ({100 * level:g}% CI {low:.2f} to {high:.2f})"


def _four_fifths(audit: Any) -> ChecklistItem:
    di = audit.disparate_impact
    ratio, low, high = di["ratio"], di["ci_low"], di["ci_high"]
    evidence = (
        f"the lowest selection rate ({di['lowest_group']}, {di['lowest_rate']:.3f}) is "
        f"{ratio:.2f} times the highest ({di['highest_group']}, {di['highest_rate']:.3f})"
        f"{_ci_text(low, high, audit.level)}"
    )
    if ratio < FOUR_FIFTHS:
        return ChecklistItem("four-fifths rule", "fail", f"{evidence}; below 0.8.")
    if not np.isnan(low) and low < FOUR_FIFTHS:
        return ChecklistItem(
            "four-fifths rule", "warn", f"{evidence}; the interval reaches below 0.8."
        )
    return ChecklistItem("four-fifths rule", "pass", f"{evidence}; at least 0.8.")


def _small_groups(audit: Any) -> ChecklistItem:
    small = audit.too_small
    if len(small) == 0:
        return ChecklistItem(
            "groups too small", "pass",
            f"every group has at least {audit.min_group_size} rows and was assessed.",
        )  # fmt: skip
    listed = ", ".join(f"{g} ({n} rows)" for g, n in small.items())
    return ChecklistItem(
        "groups too small", "warn",
        f"{listed} below min_group_size={audit.min_group_size}: not assessed, not cleared.",
    )  # fmt: skip


def _calibration(audit: Any) -> ChecklistItem:
    table = audit.calibration
    if table is None:
        return ChecklistItem(
            "calibration gaps", "warn",
            "no predicted probabilities were given, so calibration was not checked.", False,
        )  # fmt: skip
    gaps = table.loc[~table["too_small"], "calibration_gap"]
    worst = gaps.abs().idxmax()
    value = float(gaps[worst])
    evidence = (
        f"largest gap between mean predicted probability and observed rate: {value:+.3f} ({worst})"
    )
    if abs(value) > CALIBRATION_FAIL:
        return ChecklistItem("calibration gaps", "fail", f"{evidence}; above {CALIBRATION_FAIL}.")
    if abs(value) > CALIBRATION_WARN:
        return ChecklistItem("calibration gaps", "warn", f"{evidence}; above {CALIBRATION_WARN}.")
    return ChecklistItem("calibration gaps", "pass", f"{evidence}; within {CALIBRATION_WARN}.")


def _equalized_odds(audit: Any) -> ChecklistItem:
    row = audit.disparities.loc["equalized_odds_difference"]
    estimate, low, high = row["estimate"], row["ci_low"], row["ci_high"]
    evidence = (
        f"the largest TPR or FPR difference between groups is {estimate:.3f}"
        f"{_ci_text(low, high, audit.level)}"
    )
    if np.isnan(low):
        low = high = estimate
    if low > EQUALIZED_ODDS_GAP:
        return ChecklistItem(
            "equalized-odds gap", "fail", f"{evidence}; above {EQUALIZED_ODDS_GAP}."
        )
    if high < EQUALIZED_ODDS_GAP or (high == EQUALIZED_ODDS_GAP == low):
        return ChecklistItem(
            "equalized-odds gap", "pass", f"{evidence}; below {EQUALIZED_ODDS_GAP}."
        )
    return ChecklistItem(
        "equalized-odds gap", "warn", f"{evidence}; the interval straddles {EQUALIZED_ODDS_GAP}."
    )


def _proxies(audit: Any) -> ChecklistItem:
    table = audit.proxies
    if table is None:
        return ChecklistItem(
            "proxies", "warn", "no features were given, so proxies were not looked for.", False
        )
    itself = table[table["flag"] == "sensitive attribute"]
    if len(itself):
        return ChecklistItem(
            "proxies", "fail",
            f"the sensitive attribute is a feature of the model ({', '.join(itself['feature'])}).",
        )  # fmt: skip
    found = table[table["flag"] != ""]
    if len(found):
        listed = ", ".join(f"{f} (AUC {a:.2f})" for f, a in zip(found["feature"], found["auc"],
                                                                   strict=True))  # fmt: skip
        return ChecklistItem(
            "proxies", "warn", f"features that predict {audit.sensitive_feature}: {listed}."
        )
    best = table.iloc[0]
    return ChecklistItem(
        "proxies", "pass",
        f"no feature predicts {audit.sensitive_feature} with AUC ≥ {PROXY_AUC} (highest: "
        f"{best['feature']}, {best['auc']:.2f}).",
    )  # fmt: skip


#: The checks, in the order they are listed.
CHECKS = (_four_fifths, _small_groups, _calibration, _equalized_odds, _proxies)


def compliance_checklist(audit: Any) -> list[ChecklistItem]:
    """Pass / warn / fail items for a :class:`~lemma.fairness.auditing.FairnessAudit`.

    The checks and their thresholds are listed in the module docstring.

    Parameters
    ----------
    audit : FairnessAudit

    Returns
    -------
    list of ChecklistItem

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness import audit, compliance_checklist
    >>> rng = np.random.default_rng(0)
    >>> sex = rng.choice(["F", "M"], 400)
    >>> y = rng.integers(0, 2, 400)
    >>> result = audit(y, y, sensitive_features=sex, n_boot=0)
    >>> [item.status for item in compliance_checklist(result)]
    ['pass', 'pass', 'warn', 'pass', 'warn']
    """
    return [check(audit) for check in CHECKS]
