"""Findings of a data profile, and the one-feature score behind the target-leakage warning.

**Leakage score** s(x, y) ∈ [0, 1]: how well the feature x *alone* predicts the target y
out of sample (rows where x or y is missing are left out; at least
:data:`MIN_SCORED_ROWS` rows are needed).

* Class target with classes k = 1…K of shares pₖ: s = Σₖ pₖ (2·AUCₖ − 1)⁺, the
  prevalence-weighted one-vs-rest Gini coefficient, where AUCₖ is the Mann–Whitney area
  A = P(score of a class-k row > score of another row) + ½ P(tie) of a one-feature score:

  - numbers: the value itself, in the better direction, max(A, 1 − A) (one choice, no
    fitted parameter);
  - categories (and numbers with at most :data:`FEW_LEVELS` distinct values; a missing
    value is a category): the cross-fitted share of class k in the row's category,
    eᵢₖ = n⁽⁻ᶠ⁾_{c,k} / n⁽⁻ᶠ⁾_c counted on the rows outside the row's fold f
    (:data:`SCORE_FOLDS` interleaved folds, row i in fold i mod 5), pₖ when the
    category has no row outside the fold. Not reoriented: a category's share measured
    on other rows carries no information about a category that is noise, so many small
    categories (an identifier, a random code) score about 0.

* Numeric target: numbers score max(r², ρ²), squared Pearson and Spearman correlation;
  categories score the leave-one-out R² = 1 − Σ(yᵢ − ŷ₋ᵢ)² / Σ(yᵢ − ȳ)² with
  ŷ₋ᵢ = (S_c − yᵢ) / (n_c − 1), the mean of the other rows of the category (ȳ for a
  category seen once), floored at 0.

A feature with s ≥ :data:`LEAKAGE_MIN_SCORE` = 0.98 (for a class target an AUC of at
least 0.99) is flagged: an honest predictor is rarely that good on its own, while a
recoding, copy or noisy copy of the target scores about 1. On UCI Adult the strongest
honest features score far lower (``relationship`` 0.55, ``marital_status`` 0.53,
``capital_gain`` 0.18; a copy of ``income`` with 0.2% of its labels flipped scores
0.996), so the threshold separates them by a wide margin. On Ames housing the best
honest predictor of the sale price, ``overall_qual``, scores 0.70.

The area is computed from counts per distinct score value (sorted once), with ties
counted one half: A = Σⱼ pos_j (neg_{<j} + ½ neg_j) / (P·N) (Hanley & McNeil 1982).

Reference: J. A. Hanley and B. J. McNeil, "The meaning and use of the area under a
receiver operating characteristic (ROC) curve", Radiology 143 (1982), 29–36.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "COLLINEAR_MIN_CORRELATION",
    "FEW_LEVELS",
    "HIGH_CARDINALITY",
    "IMBALANCE_MIN_SHARE",
    "LEAKAGE_MIN_SCORE",
    "MIN_SCORED_ROWS",
    "MOSTLY_MISSING_SHARE",
    "NEAR_CONSTANT_SHARE",
    "SEVERITIES",
    "EncodedTarget",
    "Finding",
    "collinear_pairs",
    "column_findings",
    "encode_target",
    "leakage_finding",
    "leakage_score",
    "pairwise_correlation",
    "table_findings",
]

#: A feature scoring at least this (one-feature Gini or R², see above) is a suspected leak.
LEAKAGE_MIN_SCORE = 0.98
#: Numbers with at most this many distinct values are also scored as categories.
FEW_LEVELS = 20
#: Folds of the cross-fitted category shares (row i is in fold i mod SCORE_FOLDS).
SCORE_FOLDS = 5
#: Fewer scored rows than this: no leakage score.
MIN_SCORED_ROWS = 20
#: A column whose most frequent value fills at least this share of its values is near-constant.
NEAR_CONSTANT_SHARE = 0.99
#: Categorical columns with more distinct values than this are high-cardinality.
HIGH_CARDINALITY = 50
#: Columns missing in at least this share of rows are mostly missing.
MOSTLY_MISSING_SHARE = 0.5
#: Numeric pairs with |Pearson r| at least this are near-collinear.
COLLINEAR_MIN_CORRELATION = 0.95
#: Duplicate rows above this share of the table are a warning (below: information).
DUPLICATE_WARN_SHARE = 0.01
#: A class below this share of the labelled rows makes the target imbalanced.
IMBALANCE_MIN_SHARE = 0.1
#: Severity levels, most serious first.
SEVERITIES = ("fail", "warn", "info")


@dataclass(frozen=True)
class Finding:
    """One thing a practitioner should know: what, where, how much, and how to fix it.

    Attributes
    ----------
    code : str
        Short stable name (``"target_leakage"``, ``"identifier"``, ...).
    severity : {"fail", "warn", "info"}
        "fail": results would be wrong if ignored; "warn": likely a problem;
        "info": worth knowing.
    columns : tuple of str
        The columns concerned (empty for the whole table).
    message : str
        What was found, where and how much.
    fix : str
        What to do about it.
    value : float or None
        The number behind the finding (a score, a share, a count).
    """

    code: str
    severity: str
    columns: tuple[str, ...]
    message: str
    fix: str = ""
    value: float | None = None

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message}" + (f" Fix: {self.fix}" if self.fix else "")

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-serialisable dict."""
        out = asdict(self)
        out["columns"] = list(self.columns)
        if self.value is not None and not np.isfinite(self.value):
            out["value"] = None
        return out


# ------------------------------------------------------------------------ leakage score
def _auc_sorted(pos_j: np.ndarray, neg_j: np.ndarray) -> float:
    """Mann–Whitney area from positives and negatives per distinct score, scores ascending."""
    n_pos, n_neg = pos_j.sum(), neg_j.sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    neg_below = np.cumsum(neg_j) - neg_j
    return float(np.dot(pos_j, neg_below + 0.5 * neg_j) / (n_pos * n_neg))


def _grouped_auc(scores: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> float:
    """Mann–Whitney area from (score, positives, negatives) groups; ties count one half."""
    values, inverse = np.unique(scores, return_inverse=True)
    pos_j = np.bincount(inverse, weights=pos, minlength=values.size)
    neg_j = np.bincount(inverse, weights=neg, minlength=values.size)
    return _auc_sorted(pos_j, neg_j)


@dataclass(frozen=True)
class EncodedTarget:
    """A target prepared once for scoring many features.

    ``labelled`` marks the rows with a target; ``classes`` holds class codes 0…K−1
    (−1 where missing) for a class target, ``values`` the numbers of a numeric one.
    """

    task: str
    labelled: np.ndarray
    classes: np.ndarray | None = None
    n_classes: int = 0
    values: np.ndarray | None = None


def encode_target(target: pd.Series, task: str) -> EncodedTarget:
    """Prepare ``target`` for :func:`leakage_score` ("classification" or "regression")."""
    labelled = target.notna().to_numpy()
    if task == "classification":
        codes, labels = pd.factorize(target)
        return EncodedTarget(task, labelled, classes=codes, n_classes=len(labels))
    values = target.to_numpy(dtype=np.float64, na_value=np.nan)
    return EncodedTarget(task, labelled, values=values)


def _scored_classes(n_classes: int) -> range:
    """Classes whose one-vs-rest areas are needed: with two, one area serves both."""
    return range(1) if n_classes == 2 else range(n_classes)


def _weight(shares: np.ndarray, k: int) -> float:
    """Weight of class k's area (1 for the single area of a binary target)."""
    return 1.0 if shares.size == 2 else float(shares[k])


def _class_score_numbers(x: np.ndarray, classes: np.ndarray, shares: np.ndarray) -> float:
    values, inverse = np.unique(x, return_inverse=True)
    K = shares.size
    counts = np.bincount(inverse * K + classes, minlength=values.size * K).reshape(-1, K)
    totals = counts.sum(axis=1)
    score = 0.0
    for k in _scored_classes(K):
        area = _auc_sorted(counts[:, k], totals - counts[:, k])
        if np.isfinite(area):
            score += _weight(shares, k) * max(2 * max(area, 1 - area) - 1, 0.0)
    return score


def _class_score_categories(codes: np.ndarray, classes: np.ndarray, shares: np.ndarray) -> float:
    n_cat, K = int(codes.max()) + 1, shares.size
    folds = np.arange(codes.size) % SCORE_FOLDS
    cells = (folds * n_cat + codes) * K + classes
    per_fold = np.bincount(cells, minlength=SCORE_FOLDS * n_cat * K).reshape(SCORE_FOLDS, n_cat, K)
    others = per_fold.sum(axis=0, keepdims=True) - per_fold
    others_total = others.sum(axis=2)
    in_fold_total = per_fold.sum(axis=2).ravel()
    score = 0.0
    for k in _scored_classes(K):
        with np.errstate(invalid="ignore", divide="ignore"):
            encoded = np.where(others_total > 0, others[:, :, k] / others_total, shares[k])
        positives = per_fold[:, :, k].ravel()
        area = _grouped_auc(encoded.ravel(), positives, in_fold_total - positives)
        if np.isfinite(area):
            score += _weight(shares, k) * max(2 * area - 1, 0.0)
    return score


def _regression_score_numbers(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    pearson = float(np.corrcoef(x, y)[0, 1])
    rank_x = pd.Series(x).rank().to_numpy()
    rank_y = pd.Series(y).rank().to_numpy()
    spearman = float(np.corrcoef(rank_x, rank_y)[0, 1])
    return max(pearson**2, spearman**2)


def _regression_score_categories(codes: np.ndarray, y: np.ndarray) -> float:
    totals = np.bincount(codes).astype(np.float64)
    sums = np.bincount(codes, weights=y)
    n_c, s_c = totals[codes], sums[codes]
    prediction = np.where(n_c > 1, (s_c - y) / np.maximum(n_c - 1, 1), y.mean())
    total = float(np.sum((y - y.mean()) ** 2))
    if total == 0:
        return 0.0
    return max(1.0 - float(np.sum((y - prediction) ** 2)) / total, 0.0)


def _codes(values: pd.Series) -> np.ndarray:
    """Category codes 0…C−1, a missing value being a category of its own."""
    return pd.factorize(values, use_na_sentinel=False)[0]


def _is_numbers(feature: pd.Series) -> bool:
    dtype = feature.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def leakage_score(
    feature: pd.Series,
    target: pd.Series | EncodedTarget,
    task: str,
    kind: str,
    n_distinct: int | None = None,
) -> float:
    """How well one feature alone predicts the target, out of sample (module docstring).

    Rows where the target is missing, or a number is missing or infinite, are left out.

    Parameters
    ----------
    feature : pandas.Series of shape (n_samples,)
    target : pandas.Series of shape (n_samples,), or its :func:`encode_target`
    task : {"classification", "regression"}
    kind : str
        The feature's kind (:func:`lemma.pipeline.infer_kind` or the profile's).
    n_distinct : int, optional
        The feature's number of distinct values, if known.

    Returns
    -------
    float
        The score in [0, 1]; nan when fewer than ``MIN_SCORED_ROWS`` rows are usable or
        the feature is empty, constant, free text or a datetime.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.prep._profile_warnings import leakage_score
    >>> y = pd.Series(["yes", "no"] * 20)
    >>> leakage_score(y.map({"yes": "Y", "no": "N"}), y, "classification", "categorical")
    1.0
    >>> round(leakage_score(pd.Series(range(40)), y, "classification", "numeric"), 3)
    0.05
    """
    if kind in ("empty", "constant", "text", "datetime"):
        return float("nan")
    encoded = target if isinstance(target, EncodedTarget) else encode_target(target, task)
    numbers = _is_numbers(feature)
    present = encoded.labelled
    if numbers:
        values = feature.to_numpy(dtype=np.float64, na_value=np.nan)
        present = present & np.isfinite(values)
    if present.sum() < MIN_SCORED_ROWS:
        return float("nan")
    x = feature.to_numpy()[present]
    if n_distinct is None:
        n_distinct = int(pd.Series(x).nunique()) if numbers else FEW_LEVELS + 1
    codes = _codes(feature[present]) if not numbers or n_distinct <= FEW_LEVELS else None
    scores = []
    if task == "classification":
        classes = encoded.classes[present]
        shares = np.bincount(classes, minlength=encoded.n_classes) / classes.size
        if numbers:
            scores.append(_class_score_numbers(x.astype(np.float64), classes, shares))
        if codes is not None:
            scores.append(_class_score_categories(codes, classes, shares))
    else:
        y = encoded.values[present]
        if numbers:
            scores.append(_regression_score_numbers(x.astype(np.float64), y))
        if codes is not None:
            scores.append(_regression_score_categories(codes, y))
    return float(min(max(scores), 1.0))


def leakage_finding(column: str, score: float, task: str) -> Finding | None:
    """The target-leakage finding for a column's score, or None below the threshold."""
    if not np.isfinite(score) or score < LEAKAGE_MIN_SCORE:
        return None
    measure = (
        f"one-feature Gini {score:.3f} (AUC {(score + 1) / 2:.3f})"
        if task == "classification"
        else f"one-feature R² {score:.3f}"
    )
    return Finding(
        "target_leakage",
        "fail",
        (column,),
        f"Column {column!r} predicts the target almost perfectly on its own ({measure}, "
        f"threshold {LEAKAGE_MIN_SCORE}); it is probably derived from the target or only "
        "known after the outcome.",
        f"check how {column!r} is recorded; drop it unless it is known at prediction time.",
        score,
    )


# ------------------------------------------------------------------------ column rules
def _share(value: float) -> str:
    return f"{100 * value:.1f}%"


def _empty(name: str, facts: dict) -> Finding | None:
    if facts["kind"] != "empty":
        return None
    return Finding(
        "empty", "warn", (name,), f"Column {name!r} has no values (all missing).",
        "drop it.", 1.0,
    )  # fmt: skip


def _constant(name: str, facts: dict) -> Finding | None:
    if facts["kind"] != "constant":
        return None
    value = facts["top_values"][0][0]
    return Finding(
        "constant", "warn", (name,), f"Column {name!r} holds one value ({value!r}).",
        "drop it: it carries no information.", 1.0,
    )  # fmt: skip


def _identifier(name: str, facts: dict) -> Finding | None:
    if facts["kind"] != "identifier":
        return None
    return Finding(
        "identifier",
        "warn",
        (name,),
        f"Column {name!r} looks like an identifier ({facts['n_distinct']:,} distinct values"
        f" in {facts['n_present']:,} rows).",
        "drop it from the features; use it as groups= in cross-validation if rows repeat.",
        facts["n_distinct"] / max(facts["n_present"], 1),
    )


def _near_constant(name: str, facts: dict) -> Finding | None:
    share = facts["top_share"]
    if facts["kind"] in ("constant", "empty") or not share >= NEAR_CONSTANT_SHARE:
        return None
    value = facts["top_values"][0][0]
    return Finding(
        "near_constant",
        "warn",
        (name,),
        f"Column {name!r} is near-constant: {value!r} fills {_share(share)} of its values "
        f"(threshold {_share(NEAR_CONSTANT_SHARE)}).",
        "drop it, or keep it only if the rare values matter.",
        share,
    )


def _high_cardinality(name: str, facts: dict) -> Finding | None:
    if facts["kind"] != "categorical" or facts["n_distinct"] <= HIGH_CARDINALITY:
        return None
    return Finding(
        "high_cardinality",
        "warn",
        (name,),
        f"Categorical column {name!r} has {facts['n_distinct']:,} distinct values "
        f"(threshold {HIGH_CARDINALITY}).",
        "target-encode it (lemma.prep.TargetEncoder) or merge rare categories "
        "(OneHotEncoder(min_frequency=...)).",
        float(facts["n_distinct"]),
    )


def _mostly_missing(name: str, facts: dict) -> Finding | None:
    share = facts["missing_share"]
    if facts["kind"] == "empty" or not share >= MOSTLY_MISSING_SHARE:
        return None
    return Finding(
        "mostly_missing",
        "warn",
        (name,),
        f"Column {name!r} is missing in {_share(share)} of rows.",
        "drop it, or impute it with a missing-value indicator.",
        share,
    )


def _mixed_types(name: str, facts: dict) -> Finding | None:
    parts = [part for part in facts["note"].split("; ") if part.startswith("mixes value types")]
    if not parts:
        return None
    return Finding(
        "mixed_types",
        "warn",
        (name,),
        f"Column {name!r} {parts[0]}.",
        f"convert it to one type: pd.to_numeric(df[{name!r}], errors='coerce') for numbers, "
        f"df[{name!r}].astype(str) for categories.",
    )


def _infinite(name: str, facts: dict) -> Finding | None:
    count = facts.get("n_infinite", 0)
    if not count:
        return None
    return Finding(
        "infinite_values",
        "warn",
        (name,),
        f"Column {name!r} holds {count:,} infinite values; its statistics leave them out.",
        "replace them (df[c].replace([np.inf, -np.inf], np.nan)) and impute, or find the "
        "division that made them.",
        float(count),
    )


def _text(name: str, facts: dict) -> Finding | None:
    if facts["kind"] != "text":
        return None
    return Finding(
        "free_text",
        "info",
        (name,),
        f"Column {name!r} holds free text.",
        "engineer features from it (length, keywords) or drop it.",
    )


def _numbers_as_text(name: str, facts: dict) -> Finding | None:
    if "numbers stored as text" not in facts["note"]:
        return None
    return Finding(
        "numbers_as_text",
        "info",
        (name,),
        f"Column {name!r} stores numbers as text; the profile read them as numbers.",
        f"convert it when reading: pd.to_numeric(df[{name!r}]) or lemma.io.read_table.",
    )


_COLUMN_RULES = (
    _empty,
    _constant,
    _identifier,
    _near_constant,
    _high_cardinality,
    _mostly_missing,
    _mixed_types,
    _infinite,
    _text,
    _numbers_as_text,
)


def column_findings(name: str, facts: dict) -> list[Finding]:
    """Every per-column finding (empty, constant, identifier, near-constant, ...)."""
    found = (rule(name, facts) for rule in _COLUMN_RULES)
    return [finding for finding in found if finding is not None]


# ------------------------------------------------------------------------ table rules
def pairwise_correlation(data: np.ndarray) -> np.ndarray:
    """Pearson correlations over pairwise-complete rows, by matrix products.

    With Mᵢⱼ = 1 where column j of row i is present and the columns centred by their
    means, the sums over the rows where both a and b are present are n_ab = (MᵀM)_ab,
    Σx_a = (XᵀM)_ab, Σx_a² = ((X∘X)ᵀM)_ab and Σx_a x_b = (XᵀX)_ab (X with missing
    entries set to 0); r_ab = (n Σx_a x_b − Σx_a Σx_b) / √((n Σx_a² − (Σx_a)²)
    (n Σx_b² − (Σx_b)²)). Pairs with fewer than ``MIN_SCORED_ROWS`` rows get nan.
    """
    present = ~np.isnan(data)
    mask = present.astype(np.float64)
    centred = np.where(present, data - np.nanmean(data, axis=0), 0.0)
    n = mask.T @ mask
    sums = centred.T @ mask
    squares = (centred * centred).T @ mask
    products = centred.T @ centred
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = n * products - sums * sums.T
        variance = n * squares - sums * sums
        r = covariance / np.sqrt(variance * variance.T)
    r[n < MIN_SCORED_ROWS] = np.nan
    return r


def collinear_pairs(numbers: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Pairs of columns with |Pearson r| ≥ ``COLLINEAR_MIN_CORRELATION``, strongest first.

    Correlations use the rows where both columns are present and finite
    (:func:`pairwise_correlation`).
    """
    if numbers.shape[1] < 2:
        return []
    data = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    r = pairwise_correlation(np.where(np.isfinite(data), data, np.nan))
    names = [str(c) for c in numbers.columns]
    upper = np.triu(np.abs(np.nan_to_num(r)) >= COLLINEAR_MIN_CORRELATION, k=1)
    pairs = [(names[i], names[j], float(r[i, j])) for i, j in zip(*np.nonzero(upper), strict=True)]
    return sorted(pairs, key=lambda pair: -abs(pair[2]))


def table_findings(
    table: dict, target: dict | None, pairs: list[tuple[str, str, float]]
) -> list[Finding]:
    """Findings about the whole table: duplicates, collinear pairs, the target."""
    found = []
    n_duplicates = table["n_duplicate_rows"]
    if n_duplicates:
        share = n_duplicates / table["n_rows"]
        found.append(
            Finding(
                "duplicate_rows",
                "warn" if share >= DUPLICATE_WARN_SHARE else "info",
                (),
                f"{n_duplicates:,} rows ({_share(share)}) exactly repeat an earlier row.",
                "drop them if they are copies (df.drop_duplicates()), or keep copies "
                "together in one fold (GroupKFold) so a row is never tested against itself.",
                float(n_duplicates),
            )
        )
    for a, b, r in pairs:
        found.append(
            Finding(
                "collinear",
                "warn",
                (a, b),
                f"Columns {a!r} and {b!r} are near-collinear (Pearson r = {r:.3f}, "
                f"threshold |r| ≥ {COLLINEAR_MIN_CORRELATION}).",
                "keep one of them, or use a penalised model (Ridge) whose estimates stay stable.",
                r,
            )
        )
    if target is not None:
        found.extend(_target_findings(target))
    return found


def _target_findings(target: dict) -> list[Finding]:
    found = []
    name = target["column"]
    if target["n_missing"]:
        found.append(
            Finding(
                "target_missing",
                "warn",
                (name,),
                f"The target {name!r} is missing in {target['n_missing']:,} rows.",
                "drop those rows before fitting; they cannot be learned from or scored.",
                float(target["n_missing"]),
            )
        )
    shares = target.get("class_shares")
    if shares:
        label, smallest = min(shares.items(), key=lambda item: item[1])
        if smallest < IMBALANCE_MIN_SHARE:
            found.append(
                Finding(
                    "imbalanced_target",
                    "info",
                    (name,),
                    f"Class {label!r} of the target is {_share(smallest)} of the labelled "
                    f"rows (below {_share(IMBALANCE_MIN_SHARE)}).",
                    "use stratified folds, and judge models by balanced accuracy, recall "
                    "or average precision rather than accuracy.",
                    smallest,
                )
            )
    return found
