"""Per-column facts of a data profile: kind, missing values, distinct values, statistics.

For the m non-missing values x₍₁₎ ≤ … ≤ x₍ₘ₎ of a numeric column (sorted once):

* quantile q: linear interpolation between order statistics at h = (m − 1)q,
  ``x₍⌊h⌋₊₁₎ + (h − ⌊h⌋)(x₍⌊h⌋₊₂₎ − x₍⌊h⌋₊₁₎)`` (pandas' and NumPy's default);
* skewness, the bias-adjusted Fisher–Pearson coefficient pandas reports,
  G₁ = √(m(m−1)) / (m−2) · m₃ / m₂^{3/2} with central moments mₖ = Σ(xᵢ − x̄)ᵏ / m;
* IQR outliers (Tukey's fences): x < Q₁ − 1.5·IQR or x > Q₃ + 1.5·IQR, IQR = Q₃ − Q₁;
* robust-z outliers (Iglewicz & Hoaglin): |Mᵢ| > 3.5 with the modified z-score
  Mᵢ = 0.6745 (xᵢ − x̃) / MAD, MAD = median |xᵢ − x̃|; when MAD = 0 the mean absolute
  deviation stands in, Mᵢ = (xᵢ − x̃) / (1.253314 · meanAD).

Distinct values and the most frequent ones come from the runs of equal values in the
sorted array (numbers) or from a hash count (``value_counts``, everything else).

The kind of a column is :func:`lemma.pipeline.infer_kind`'s, refined twice:
a column with one distinct value is ``"constant"``, and an integer column whose values
are all distinct and either consecutive (a row number) or named like a key (``id``,
``key``, ``index``, ``pid``, ``uuid``) is ``"identifier"``.

Reference: B. Iglewicz and D. C. Hoaglin, *How to Detect and Handle Outliers*, ASQC
Quality Press (1993), §2.2; J. W. Tukey, *Exploratory Data Analysis* (1977), §2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lemma.pipeline import infer_kind

__all__ = [
    "IQR_FENCE",
    "MISSING_MARKERS",
    "ROBUST_Z_LIMIT",
    "TOP_VALUES",
    "ColumnFacts",
    "clean_column",
    "column_facts",
    "missing_patterns",
]

#: Text cells read as missing by default: exactly these. "None" is not one: it is a real
#: category in many tables (Ames housing's "no alley"). ``lemma.io.read_table`` uses the same.
MISSING_MARKERS: tuple[str, ...] = ("", "?", "NA", "N/A", "NaN", "nan", "NULL", "null")
#: Tukey's fence multiplier.
IQR_FENCE = 1.5
#: Modified z-scores above this (in absolute value) are outliers (Iglewicz & Hoaglin).
ROBUST_Z_LIMIT = 3.5
#: How many of the most frequent values a profile keeps per column.
TOP_VALUES = 10
_ID_NAME = re.compile(r"(^|[_\W])(id|key|index|pid|uuid)$", re.IGNORECASE)
_MIXED = {"mixed", "mixed-integer"}
_NUMBER_TYPES = {"integer", "floating", "mixed-integer-float", "decimal"}


class ColumnFacts(dict):
    """The facts about one column (a dict; keys are the columns of ``DataProfile.columns``)."""


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def clean_column(series: pd.Series, markers: Sequence[str]) -> tuple[pd.Series, int, str]:
    """The column with missing markers as NaN and numbers stored as text read as numbers.

    Returns the cleaned column, the number of marker cells found, and a note ("" or a
    sentence saying what was changed).
    """
    if not _is_text(series):
        return series, 0, ""
    note = ""
    n_markers = 0
    if markers:
        marked = series.isin(list(markers))
        n_markers = int(marked.sum())
        if n_markers:
            series = series.mask(marked)
    if _numbers_as_text(series.dropna()):
        series = pd.to_numeric(series, errors="coerce")
        note = "numbers stored as text, read as numbers"
    return series, n_markers, note


def _numbers_as_text(values: pd.Series) -> bool:
    """Whether every value is a string spelling a number (codes with leading zeros excepted)."""
    head = values.head(100)
    if not len(head) or pd.api.types.infer_dtype(head, skipna=True) != "string":
        return False
    if pd.to_numeric(head, errors="coerce").isna().any():
        return False
    if values.str.match(r"^\s*[+-]?0\d").any():
        return False
    return bool(pd.to_numeric(values, errors="coerce").notna().all())


def _numeric_values(values: pd.Series) -> np.ndarray:
    """The values of a numeric (or duration) column without missing ones, in their dtype."""
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        return values.dt.total_seconds().to_numpy(dtype=np.float64)
    dtype = getattr(values.dtype, "numpy_dtype", values.dtype)
    if np.dtype(dtype).kind in "iu":
        return values.to_numpy(dtype=dtype)
    return values.to_numpy(dtype=np.float64)


def _quantile(v: np.ndarray, q: float) -> float:
    h = (v.size - 1) * q
    lo = int(np.floor(h))
    hi = min(lo + 1, v.size - 1)
    return float(v[lo] + (h - lo) * (float(v[hi]) - float(v[lo])))


def _skewness(x: np.ndarray, mean: float) -> float:
    m = x.size
    if m < 3:
        return float("nan")
    d = x - mean
    d2 = d * d
    m2 = float(d2.sum()) / m
    if m2 <= 1e-14 * max(mean * mean, 1e-300):
        return float("nan")
    m3 = float((d2 * d).sum()) / m
    return float(np.sqrt(m * (m - 1)) / (m - 2) * m3 / m2**1.5)


def _count_outside(v: np.ndarray, low: float, high: float) -> int:
    """How many sorted values lie strictly below ``low`` or strictly above ``high``."""
    below = int(np.searchsorted(v, low, side="left"))
    above = v.size - int(np.searchsorted(v, high, side="right"))
    return below + above


def _robust_z_outliers(v: np.ndarray, median: float) -> int:
    deviation = np.abs(v - median)
    mad = float(np.median(deviation))
    if mad > 0:
        half_width = ROBUST_Z_LIMIT * mad / 0.6745
    else:
        mean_ad = float(deviation.mean())
        if mean_ad == 0:
            return 0
        half_width = ROBUST_Z_LIMIT * 1.253314 * mean_ad
    return _count_outside(v, median - half_width, median + half_width)


def _runs(v: np.ndarray, n_top: int) -> tuple[np.ndarray, list[tuple[Any, int]]]:
    """Distinct values and the ``n_top`` most frequent values of a sorted array."""
    starts = np.flatnonzero(np.concatenate(([True], v[1:] != v[:-1])))
    counts = np.diff(np.append(starts, v.size))
    order = np.argsort(-counts, kind="stable")[:n_top]
    return v[starts], [(v[starts[k]].item(), int(counts[k])) for k in order]


_NO_STATISTICS = dict.fromkeys(
    ("mean", "std", "min", "q25", "median", "q75", "max", "skewness"), float("nan")
) | {"n_zeros": 0, "n_outliers_iqr": 0, "n_outliers_robust_z": 0}


def _statistics(x: np.ndarray) -> dict[str, Any]:
    """Summary statistics of sorted finite numbers (see the module docstring)."""
    if x.size == 0:
        return dict(_NO_STATISTICS)
    mean = float(x.mean())
    q1, median, q3 = _quantile(x, 0.25), _quantile(x, 0.5), _quantile(x, 0.75)
    iqr = q3 - q1
    return {
        "mean": mean,
        "std": float(x.std(ddof=1)) if x.size > 1 else float("nan"),
        "min": float(x[0]),
        "q25": q1,
        "median": median,
        "q75": q3,
        "max": float(x[-1]),
        "skewness": _skewness(x, mean),
        "n_zeros": int(np.searchsorted(x, 0.0, "right") - np.searchsorted(x, 0.0, "left")),
        "n_outliers_iqr": _count_outside(x, q1 - IQR_FENCE * iqr, q3 + IQR_FENCE * iqr),
        "n_outliers_robust_z": _robust_z_outliers(x, median),
    }


def _numeric_facts(values: np.ndarray, n_top: int) -> tuple[dict[str, Any], np.ndarray]:
    """Summary statistics of the non-missing numbers, and their distinct values.

    Distinct and top values count every value; the statistics use the finite ones
    (``n_infinite`` counts the others).
    """
    v = np.sort(values)
    distinct, top = _runs(v, n_top)
    x = v.astype(np.float64, copy=False)
    finite = np.isfinite(x)
    n_infinite = int(x.size - np.count_nonzero(finite))
    facts = {"n_distinct": int(distinct.size), "top_values": top, "n_infinite": n_infinite}
    facts.update(_statistics(x[finite] if n_infinite else x))
    whole = v.dtype.kind in "iu" or bool(np.all(distinct == np.floor(distinct)))
    consecutive = distinct.size > 1 and float(x[-1] - x[0]) == distinct.size - 1
    facts["_row_number"] = whole and distinct.size == v.size and consecutive
    facts["_whole_unique"] = whole and distinct.size == v.size
    return facts, distinct


def _counted_facts(values: pd.Series, n_top: int) -> dict[str, Any]:
    counts = values.value_counts(sort=True, dropna=True)
    counts = counts[counts > 0]
    top = [(_plain(value), int(count)) for value, count in counts.head(n_top).items()]
    return {"n_distinct": int(counts.size), "top_values": top}


def _plain(value: Any) -> Any:
    """A NumPy or pandas scalar as a plain Python value (timestamps as ISO text)."""
    if isinstance(value, pd.Timestamp | pd.Period):
        return str(value)
    return value.item() if isinstance(value, np.generic) else value


def _refine_kind(kind: str, name: Any, facts: dict[str, Any]) -> str:
    if facts["n_distinct"] == 1:
        return "constant"
    key_like = facts.get("_row_number") or (
        facts.get("_whole_unique") and _ID_NAME.search(str(name)) is not None
    )
    if kind in ("numeric", "boolean") and facts["n_distinct"] >= 3 and key_like:
        return "identifier"
    return kind


def _datetime_note(values: pd.Series) -> str:
    order = "increasing" if values.is_monotonic_increasing else "not sorted"
    return f"{values.min()} to {values.max()}, {order}"


def _is_number_dtype(dtype: Any) -> bool:
    return (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ) or pd.api.types.is_timedelta64_dtype(dtype)


def _text_facts(values: pd.Series, note: str, n_top: int) -> tuple[dict[str, Any], str]:
    facts = _counted_facts(values, n_top)
    if pd.api.types.infer_dtype(values, skipna=True) in _MIXED:
        types = pd.Series([type(v).__name__ for v in values]).value_counts()
        listed = ", ".join(f"{t} ({c})" for t, c in types.items())
        note = "; ".join(filter(None, [note, f"mixes value types: {listed}"]))
    return facts, note


def column_facts(
    series: pd.Series,
    name: Any,
    note: str = "",
    n_top: int = TOP_VALUES,
    missing: np.ndarray | None = None,
) -> dict[str, Any]:
    """Kind, missing and distinct counts, top values and (numbers) summary statistics.

    Parameters
    ----------
    series : pandas.Series of shape (n_rows,)
        The column, already cleaned (:func:`clean_column`).
    name : hashable
        Its name (used to recognise key columns).
    note : str
        A note to keep (from cleaning).
    n_top : int
        How many most frequent values to keep.
    missing : ndarray of bool of shape (n_rows,), optional
        ``series.isna()``, if already known.

    Returns
    -------
    dict
        Keys ``kind, dtype, n_missing, n_present, missing_share, n_distinct,
        top_values, top_share, note`` and, for numbers, ``n_infinite, mean, std, min,
        q25, median, q75, max, skewness, n_zeros, n_outliers_iqr, n_outliers_robust_z``
        (statistics of the finite values).
    """
    n = len(series)
    missing = series.isna().to_numpy() if missing is None else missing
    n_missing = int(missing.sum())
    values = series[~missing] if n_missing else series
    facts: dict[str, Any] = {"dtype": str(series.dtype)}
    if n_missing == n:
        facts.update(kind="empty", n_distinct=0, top_values=[])
    elif _is_number_dtype(series.dtype) and not pd.api.types.is_timedelta64_dtype(series.dtype):
        numbers, distinct = _numeric_facts(_numeric_values(values), n_top)
        facts.update(numbers)
        # infer_kind reads only the dtype and the distinct values of a numeric column.
        facts["kind"] = infer_kind(pd.Series(distinct, dtype=series.dtype))
    elif pd.api.types.is_timedelta64_dtype(series.dtype):
        numbers, _ = _numeric_facts(_numeric_values(values), n_top)
        facts.update(numbers, kind=infer_kind(values))
    else:
        text, note = _text_facts(values, note, n_top)
        facts.update(text, kind=infer_kind(values))
        if facts["kind"] == "datetime":
            note = "; ".join(filter(None, [note, _datetime_note(values)]))
    if facts["kind"] != "empty":
        facts["kind"] = _refine_kind(facts["kind"], name, facts)
    facts.pop("_row_number", None)
    facts.pop("_whole_unique", None)
    top = facts["top_values"]
    present = n - n_missing
    facts.update(
        n_missing=n_missing,
        n_present=present,
        missing_share=n_missing / n if n else float("nan"),
        top_share=top[0][1] / present if top and present else float("nan"),
        note=note,
    )
    return facts


def is_mixed(series: pd.Series) -> bool:
    """Whether a text column's values mix types (numbers and strings, ...)."""
    if not _is_text(series):
        return False
    return pd.api.types.infer_dtype(series.dropna(), skipna=True) in _MIXED


def missing_patterns(missing: dict[str, np.ndarray], n_patterns: int = 10) -> pd.DataFrame:
    """Which columns go missing together: the most common sets of missing columns.

    Parameters
    ----------
    missing : dict of str to ndarray of bool of shape (n_rows,)
        Per column, True where a value is missing.
    n_patterns : int
        How many patterns to keep (most frequent first).

    Returns
    -------
    DataFrame with columns ``missing_columns`` (tuple of names), ``n_missing_columns``,
    ``n_rows`` and ``share``; only rows with at least one missing value count.
    """
    columns = ["missing_columns", "n_missing_columns", "n_rows", "share"]
    names = [name for name, mask in missing.items() if mask.any()]
    n = len(next(iter(missing.values()))) if missing else 0
    if not names or n == 0:
        return pd.DataFrame({c: [] for c in columns}).astype({"n_rows": int, "share": float})
    mask = np.column_stack([missing[name] for name in names])
    packed = np.ascontiguousarray(np.packbits(mask, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    labels = np.asarray(names, dtype=object)
    rows = []
    for k in np.argsort(-counts, kind="stable"):
        pattern = mask[first[k]]
        if not pattern.any():
            continue
        chosen = tuple(labels[pattern].tolist())
        rows.append((chosen, len(chosen), int(counts[k]), counts[k] / n))
        if len(rows) == n_patterns:
            break
    return pd.DataFrame(rows, columns=columns)
