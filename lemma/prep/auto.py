"""Automatic preparation: a ColumnTransformer built from a data profile, with reasons.

``auto_prepare(df, target)`` profiles the table (:func:`lemma.prep.profile`) and decides,
column by column, by these rules (thresholds are the module constants):

* the target is excluded; columns of kind ``empty``, ``constant``, ``identifier``, free
  ``text`` and ``datetime`` are dropped (lemma.prep has no text or date-part step: add
  ``df[c].dt.year`` and the like yourself); so are columns that mix value types and, by
  default, suspected target leaks (one-feature score ≥ 0.98, see
  :mod:`lemma.prep._profile_warnings`);
* numbers: median imputation (plus a 0/1 missing indicator when more than
  ``INDICATOR_MIN_MISSING`` = 5% are missing), then either standardisation
  z = (x − x̄)/s, or, when |skewness G₁| > ``SKEW_THRESHOLD`` = 1, a Yeo–Johnson power
  transform with λ fitted by maximum likelihood, standardised (for non-negative x,
  λ = 0 is log(1 + x); unlike a plain logarithm it accepts any new value);
* booleans, and categories with two values at most 5% missing: most-frequent
  imputation, one 0/1 column;
* categories with at most ``ONEHOT_MAX_CATEGORIES`` = 20 distinct values: one-hot
  encoding; up to ``TARGET_ENCODE_MIN_CATEGORIES`` = 50 (or more without a target): one-hot
  of the 19 most frequent categories plus one "infrequent" column; more than 50 with a
  target: target encoding, cross-fitted while fitting (Micci-Barreca 2001; see
  :class:`lemma.prep.TargetEncoder`), standardised. Missing categories: most-frequent
  imputation up to 5% missing, their own category above. A category unseen while
  fitting is encoded as all zeros (or as "infrequent" where that column exists).

Every step is one of lemma's transformers, fitted inside the folds when the result sits
in a :class:`lemma.pipeline.Pipeline`. Each decision is kept as a :class:`Decision`
("age: numeric, 0.3% missing → median imputation, standardised").

Reference: D. Micci-Barreca, "A preprocessing scheme for high-cardinality categorical
attributes in classification and prediction problems", SIGKDD Explorations 3 (2001);
I.-K. Yeo and R. A. Johnson, "A new family of power transformations to improve
normality or symmetry", Biometrika 87 (2000), 954–959.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.pipeline import ColumnTransformer, make_pipeline
from lemma.prep import profiling
from lemma.prep._profile_columns import MISSING_MARKERS
from lemma.prep._profile_warnings import LEAKAGE_MIN_SCORE
from lemma.prep.encode import OneHotEncoder
from lemma.prep.impute import SimpleImputer
from lemma.prep.profiling import DataProfile
from lemma.prep.scale import StandardScaler
from lemma.prep.target_encoder import TargetEncoder
from lemma.prep.transform import PowerTransformer

__all__ = [
    "INDICATOR_MIN_MISSING",
    "ONEHOT_MAX_CATEGORIES",
    "SKEW_THRESHOLD",
    "TARGET_ENCODE_MIN_CATEGORIES",
    "Decision",
    "Preparation",
    "auto_prepare",
]

#: Numbers missing in more than this share of rows also get a missing-value indicator;
#: categories missing that often keep "missing" as a category of its own.
INDICATOR_MIN_MISSING = 0.05
#: Numbers with |skewness| above this get a Yeo–Johnson transform.
SKEW_THRESHOLD = 1.0
#: Categorical columns with at most this many categories are one-hot encoded in full.
ONEHOT_MAX_CATEGORIES = 20
#: ... with more than this many (and a target), target-encoded.
TARGET_ENCODE_MIN_CATEGORIES = 50

_DROPPED_KINDS = {
    "empty": "no values",
    "constant": "a single value",
    "identifier": "an identifier",
    "text": "free text (no text step in auto_prepare)",
    "datetime": "a date or time (no date-part step in lemma.prep; add df[c].dt.year etc.)",
}


@dataclass(frozen=True)
class Decision:
    """What auto_prepare does with one column, and why.

    Attributes
    ----------
    column : str
    kind : str
        The profile's kind of the column.
    action : str
        What is done ("median imputation, standardised", "dropped", ...).
    reason : str
        The facts behind it ("numeric, 0.3% missing").
    group : str or None
        The ColumnTransformer item that prepares it (None when dropped or the target).
    """

    column: str
    kind: str
    action: str
    reason: str
    group: str | None = None

    def __str__(self) -> str:
        return f"{self.column}: {self.reason} → {self.action}"


class Preparation(NamedTuple):
    """The result of :func:`auto_prepare`; unpacks as ``(transformer, decisions)``."""

    transformer: ColumnTransformer
    decisions: list[Decision]

    def as_text(self) -> str:
        """One line per column: facts → action."""
        return "\n".join(str(d) for d in self.decisions)


# ------------------------------------------------------------------------ the steps
def _most_frequent() -> SimpleImputer:
    return SimpleImputer(strategy="most_frequent")


#: Preparation of each group, by name: (steps factory, description of the steps).
_GROUPS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "scaled": (
        lambda rs: make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        "median imputation, standardised",
    ),
    "scaled_indicator": (
        lambda rs: make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
        ),
        "median imputation with a missing indicator, standardised",
    ),
    "power": (
        lambda rs: make_pipeline(SimpleImputer(strategy="median"), PowerTransformer()),
        "median imputation, Yeo–Johnson transform, standardised",
    ),
    "power_indicator": (
        lambda rs: make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), PowerTransformer()
        ),
        "median imputation with a missing indicator, Yeo–Johnson transform, standardised",
    ),
    "binary": (
        lambda rs: make_pipeline(
            _most_frequent(), OneHotEncoder(drop="if_binary", handle_unknown="ignore")
        ),
        "most-frequent imputation, one 0/1 column",
    ),
    "onehot": (
        lambda rs: make_pipeline(
            _most_frequent(), OneHotEncoder(handle_unknown="infrequent_if_exist")
        ),
        "most-frequent imputation, one-hot encoded",
    ),
    "onehot_nan": (
        lambda rs: OneHotEncoder(handle_unknown="infrequent_if_exist"),
        "one-hot encoded, missing as its own category",
    ),
    "onehot_top": (
        lambda rs: make_pipeline(
            _most_frequent(),
            OneHotEncoder(
                max_categories=ONEHOT_MAX_CATEGORIES, handle_unknown="infrequent_if_exist"
            ),
        ),
        f"most-frequent imputation, one-hot encoded ({ONEHOT_MAX_CATEGORIES - 1} most "
        "frequent categories + infrequent)",
    ),
    "onehot_top_nan": (
        lambda rs: OneHotEncoder(
            max_categories=ONEHOT_MAX_CATEGORIES, handle_unknown="infrequent_if_exist"
        ),
        f"one-hot encoded ({ONEHOT_MAX_CATEGORIES - 1} most frequent categories + "
        "infrequent), missing as its own category",
    ),
    "target": (
        lambda rs: make_pipeline(TargetEncoder(random_state=rs), StandardScaler()),
        "target encoded (cross-fitted), standardised",
    ),
}


# ------------------------------------------------------------------------ the rules
def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _numeric_group(facts: pd.Series) -> tuple[str, str]:
    missing = facts["missing_share"]
    reason = f"numeric, {_pct(missing)} missing"
    skew = facts["skewness"]
    skewed = np.isfinite(skew) and abs(skew) > SKEW_THRESHOLD
    if skewed:
        reason += f", skewness {skew:.2f}"
    group = "power" if skewed else "scaled"
    return group + ("_indicator" if missing > INDICATOR_MIN_MISSING else ""), reason


def _categorical_group(facts: pd.Series, has_target: bool) -> tuple[str, str]:
    missing = facts["missing_share"]
    n = int(facts["n_distinct"])
    reason = f"categorical, {n} categories, {_pct(missing)} missing"
    if n > TARGET_ENCODE_MIN_CATEGORIES and has_target:
        return "target", reason
    if n == 2 and missing <= INDICATOR_MIN_MISSING:
        return "binary", reason
    group = "onehot" if n <= ONEHOT_MAX_CATEGORIES else "onehot_top"
    return group + ("_nan" if missing > INDICATOR_MIN_MISSING else ""), reason


def _drop_reason(name: str, facts: pd.Series, report: DataProfile, drop_leaky: bool) -> str:
    """Why a column is dropped ("" when it is kept)."""
    if facts["kind"] in _DROPPED_KINDS:
        return f"{facts['kind']}: {_DROPPED_KINDS[facts['kind']]}"
    if report.findings("mixed_types", name):
        return "mixes value types (convert it to one type to use it)"
    score = facts["target_score"]
    if drop_leaky and np.isfinite(score) and score >= LEAKAGE_MIN_SCORE:
        return f"suspected target leakage (one-feature score {score:.3f} ≥ {LEAKAGE_MIN_SCORE})"
    return ""


def _decide(
    name: str, facts: pd.Series, report: DataProfile, target: str | None, drop_leaky: bool
) -> Decision:
    kind = facts["kind"]
    if name == target:
        return Decision(name, kind, "excluded", "the target")
    reason = _drop_reason(name, facts, report, drop_leaky)
    if reason:
        return Decision(name, kind, "dropped", reason)
    if kind == "numeric":
        group, reason = _numeric_group(facts)
    elif kind == "boolean":
        group, reason = "binary", f"boolean, {_pct(facts['missing_share'])} missing"
    else:
        group, reason = _categorical_group(facts, target is not None)
    return Decision(name, kind, _GROUPS[group][1], reason, group)


def _check_readable(report: DataProfile) -> None:
    """Refuse columns the transformer would read differently from the profile."""
    cols = report.columns
    infinite = cols.index[cols["n_infinite"].fillna(0) > 0].tolist()
    if infinite:
        raise DataValidationError(
            f"Columns {infinite} hold infinite values, which no imputer or scaler accepts; "
            "replace them first: df[c] = df[c].replace([np.inf, -np.inf], np.nan)."
        )
    marked = cols.index[cols["n_markers"] > 0].tolist()
    as_text = [f.columns[0] for f in report.findings("numbers_as_text")]
    if marked or as_text:
        markers = report.table["missing_markers"]
        raise DataValidationError(
            f"Columns {sorted(set(marked + as_text))} hold missing markers ({markers}) or "
            "numbers stored as text, which the preparation would not read as missing values "
            "or numbers; read the file with lemma.io.read_table, or clean the frame first "
            "(df = df.replace(markers, np.nan); df[c] = pd.to_numeric(df[c]))."
        )


def auto_prepare(
    df: Any,
    target: str | None = None,
    *,
    profile: DataProfile | None = None,
    missing_markers: Sequence[str] = MISSING_MARKERS,
    drop_leaky: bool = True,
    random_state: int | None = 0,
) -> Preparation:
    """Build a preparation ColumnTransformer from a table's profile, with a reason per column.

    Parameters
    ----------
    df : pandas DataFrame of shape (n_rows, n_columns)
        The table, target included (its missing values already NaN: read files with
        :func:`lemma.io.read_table`).
    target : str, optional
        The target column: excluded from the features, used to spot leaks and to
        target-encode high-cardinality categories.
    profile : DataProfile, optional
        A profile of ``df`` already computed (with the same target); computed if None.
    missing_markers : sequence of str, default=MISSING_MARKERS
        Passed to :func:`lemma.prep.profile` when it is computed here.
    drop_leaky : bool, default=True
        Drop columns the profile flags as target leaks.
    random_state : int or None, default=0
        Seed of the target encoder's cross-fitting folds.

    Returns
    -------
    Preparation
        A named tuple ``(transformer, decisions)``: an unfitted
        :class:`lemma.pipeline.ColumnTransformer` and one :class:`Decision` per column.

    Raises
    ------
    DataValidationError
        The table is empty, a column holds missing markers, numbers stored as text or
        infinite values, or no column is usable as a feature.
    DataTypeError
        A column name is not a string (columns are selected by name).

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.prep import auto_prepare
    >>> df = pd.DataFrame({"age": [31, 45, None, 27, 52, 38] * 5,
    ...                    "city": ["Oslo", "Rome", "Oslo", "Lima", "Rome", "Oslo"] * 5,
    ...                    "bought": ["yes", "no", "no", "yes", "no"] * 6})
    >>> transformer, decisions = auto_prepare(df, target="bought")
    >>> for decision in decisions:
    ...     print(decision)
    age: numeric, 16.7% missing → median imputation with a missing indicator, standardised
    city: categorical, 3 categories, 0.0% missing → most-frequent imputation, one-hot encoded
    bought: the target → excluded
    >>> for name in transformer.fit_transform(df).columns:
    ...     print(name)
    scaled_indicator__age
    scaled_indicator__missingindicator_age
    onehot__city_Lima
    onehot__city_Oslo
    onehot__city_Rome
    """
    if not isinstance(drop_leaky, bool):
        raise ParameterError(f"drop_leaky must be True or False; got {drop_leaky!r}.")
    not_text = [c for c in getattr(df, "columns", []) if not isinstance(c, str)]
    if not_text:
        raise DataTypeError(
            f"auto_prepare selects columns by name and needs text column names; columns "
            f"{not_text[:10]} are not strings. Rename them: df.columns = df.columns.astype(str)."
        )
    report = profile
    if report is None:
        report = profiling.profile(df, target, missing_markers=missing_markers)
    names = [str(c) for c in df.columns]
    if list(report.columns.index) != names:
        raise DataValidationError(
            "profile describes other columns than df; profile this table "
            "(lemma.prep.profile(df, target)) or leave profile=None."
        )
    _check_readable(report)
    decisions = [
        _decide(name, facts, report, target, drop_leaky)
        for name, facts in report.columns.iterrows()
    ]
    groups: dict[str, list[str]] = {}
    for decision in decisions:
        if decision.group is not None:
            groups.setdefault(decision.group, []).append(decision.column)
    if not groups:
        listed = "; ".join(str(d) for d in decisions)
        raise DataValidationError(f"No column is usable as a feature: {listed}.")
    items = [(name, _GROUPS[name][0](random_state), columns) for name, columns in groups.items()]
    return Preparation(ColumnTransformer(items, remainder="drop"), decisions)
