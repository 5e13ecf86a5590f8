"""Data profiling: what a table holds, and the warnings a practitioner needs before modelling.

``profile(df, target)`` reads every column once and reports

* per column: the kind (:func:`lemma.pipeline.infer_kind`, refined to ``"constant"``
  and ``"identifier"``), missing count and share, distinct count, the most frequent
  values, and for numbers the summary statistics, skewness G₁ and outlier counts by
  Tukey's fences and by the robust z-score (formulas in
  :mod:`lemma.prep._profile_columns`);
* for the table: rows, exact duplicate rows, missing cells, and the missing-value
  patterns (the sets of columns that go missing together);
* for the target: class balance (classification) or distribution (regression), and,
  for every other column, a one-feature leakage score s ∈ [0, 1] — the
  prevalence-weighted one-vs-rest Gini 2·AUC − 1, or R², of the feature alone, out of
  sample (formulas in :mod:`lemma.prep._profile_warnings`);
* warnings (:class:`Finding`): target leakage (s ≥ 0.98), identifier, constant,
  near-constant, high-cardinality categorical, near-collinear numeric pair
  (|r| ≥ 0.95), mostly missing, mixed value types, duplicates, imbalanced target.

Text cells listed in ``missing_markers`` (``?``, empty, ``NA``, ...; ``"None"`` is not
one) count as missing, and text columns holding only numbers are read as numbers.
Every count is exact; with ``sample=m`` the whole profile describes m random rows.

Documented handling of awkward input: an all-missing column is kind ``"empty"`` with a
warning; a constant column is kind ``"constant"`` with a warning; a column mixing value
types (numbers and strings) gets a ``mixed_types`` warning and is counted as given; an
empty table (no rows or no columns) and duplicate column names are a
:class:`~lemma.exceptions.DataValidationError`.

Reference: the profile follows the report of ydata-profiling (formerly
pandas-profiling; Brugman, 2019), with lemma's own leakage score.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.prep._profile_columns import (
    MISSING_MARKERS,
    TOP_VALUES,
    clean_column,
    column_facts,
    missing_patterns,
)
from lemma.prep._profile_warnings import (
    SEVERITIES,
    Finding,
    collinear_pairs,
    column_findings,
    encode_target,
    leakage_finding,
    leakage_score,
    table_findings,
)
from lemma.validation import check_random_state

__all__ = ["COLUMN_FIELDS", "DataProfile", "Finding", "profile"]

#: Columns of :attr:`DataProfile.columns`, in order.
COLUMN_FIELDS = (
    "kind",
    "dtype",
    "n_missing",
    "missing_share",
    "n_markers",
    "n_distinct",
    "n_infinite",
    "top_value",
    "top_share",
    "mean",
    "std",
    "min",
    "q25",
    "median",
    "q75",
    "max",
    "skewness",
    "n_zeros",
    "n_outliers_iqr",
    "n_outliers_robust_z",
    "target_score",
    "note",
)
#: A numeric target with at most this many distinct whole numbers is a class label.
TARGET_MAX_CLASSES = 20
_COUNTS = ("n_infinite", "n_zeros", "n_outliers_iqr", "n_outliers_robust_z")
_NUMERIC_KINDS = ("numeric", "boolean")


# ------------------------------------------------------------------------ JSON helper
def _json(value: Any) -> Any:
    """A value made JSON-serialisable: plain numbers, NaN → None, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if isinstance(value, float):
        if 1e4 <= abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.{digits}g}" if abs(value) < 1e15 else f"{value:.{digits}e}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%" if np.isfinite(share) else "—"


# ------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class DataProfile:
    """A table's profile; renders as text (``print``), DataFrame, HTML and a dict.

    Attributes
    ----------
    columns : DataFrame
        One row per column (index: column names), columns :data:`COLUMN_FIELDS`.
        Statistics are NaN where they do not apply (a mean of text).
    table : dict
        ``n_rows``, ``n_columns``, ``n_rows_profiled``, ``n_duplicate_rows``,
        ``n_missing_cells``, ``missing_cell_share``, ``n_complete_rows``, ``kinds``
        (kind → number of columns), ``missing_markers``.
    warnings : list of Finding
        Most serious first.
    target : dict or None
        ``column``, ``task``, ``n_missing`` and, for classification, ``class_counts``
        and ``class_shares`` (label → count / share, most frequent first); for
        regression ``mean, std, min, median, max, skewness``.
    missing_patterns : DataFrame
        The most common sets of columns missing together (``missing_columns``,
        ``n_missing_columns``, ``n_rows``, ``share``).
    top_values : dict of str to list of (value, count)
        The most frequent values of each column.
    """

    columns: pd.DataFrame
    table: dict[str, Any]
    warnings: list[Finding]
    target: dict[str, Any] | None
    missing_patterns: pd.DataFrame
    top_values: dict[str, list[tuple[Any, int]]]

    def to_frame(self) -> pd.DataFrame:
        """The per-column table (a copy of :attr:`columns`)."""
        return self.columns.copy()

    def findings(self, code: str | None = None, column: str | None = None) -> list[Finding]:
        """The warnings with this ``code`` and/or about this ``column``."""
        return [
            f
            for f in self.warnings
            if (code is None or f.code == code) and (column is None or column in f.columns)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Every number of the profile as JSON-serialisable plain types (NaN → None)."""
        columns = []
        for name, row in self.columns.iterrows():
            entry = {"name": name, **{k: row[k] for k in COLUMN_FIELDS}}
            entry["top_values"] = [list(pair) for pair in self.top_values[name]]
            columns.append(entry)
        patterns = [
            {"columns": list(r.missing_columns), "n_rows": r.n_rows, "share": r.share}
            for r in self.missing_patterns.itertuples()
        ]
        return _json(
            {
                "table": self.table,
                "target": self.target,
                "columns": columns,
                "missing_patterns": patterns,
                "warnings": [f.to_dict() for f in self.warnings],
            }
        )

    # -------------------------------------------------------------------- text
    def _headline(self) -> str:
        t = self.table
        sampled = (
            f" (a random sample of {t['n_rows_profiled']:,} rows)"
            if t["n_rows_profiled"] < t["n_rows"]
            else ""
        )
        return (
            f"{t['n_rows']:,} rows × {t['n_columns']:,} columns{sampled}; "
            f"{t['n_duplicate_rows']:,} duplicate rows, "
            f"{t['n_missing_cells']:,} missing cells ({_pct(t['missing_cell_share'])}), "
            f"{t['n_complete_rows']:,} complete rows"
        )

    def _target_line(self) -> str | None:
        target = self.target
        if target is None:
            return None
        head = f"target {target['column']!r} ({target['task']}"
        head += f", {target['n_missing']:,} missing): " if target["n_missing"] else "): "
        if target["task"] == "classification":
            parts = [
                f"{label} {count:,} ({_pct(target['class_shares'][label])})"
                for label, count in list(target["class_counts"].items())[:10]
            ]
            return head + ", ".join(parts)
        keys = ("mean", "std", "min", "median", "max", "skewness")
        return head + ", ".join(f"{k} {_fmt(target[k])}" for k in keys)

    def column_summary(self, name: str) -> str:
        """One line describing a column's values (statistics or top values)."""
        row = self.columns.loc[name]
        if np.isfinite(row["mean"]) and row["kind"] != "boolean":
            return (
                f"mean {_fmt(row['mean'])}, median {_fmt(row['median'])}, "
                f"[{_fmt(row['min'])}, {_fmt(row['max'])}], skew {_fmt(row['skewness'], 3)}"
            )
        present = self.columns.loc[name, "n_missing"]
        present = self.table["n_rows_profiled"] - present
        top = self.top_values[name][:3]
        shown = ", ".join(f"{value} {_pct(count / present)}" for value, count in top)
        return shown + (", …" if row["n_distinct"] > len(top) else "")

    def as_text(self) -> str:
        """The profile as plain text: headline, target, columns, missing patterns, warnings."""
        lines = [f"Data profile: {self._headline()}"]
        target_line = self._target_line()
        if target_line:
            lines.append(target_line[0].upper() + target_line[1:])
        width = max(len(str(n)) for n in self.columns.index) + 2
        lines.append("")
        lines.append(f"{'column':<{width}}{'kind':<13}{'missing':>16}{'distinct':>10}  summary")
        for name, row in self.columns.iterrows():
            missing = f"{row['n_missing']:,} ({_pct(row['missing_share'])})"
            lines.append(
                f"{name:<{width}}{row['kind']:<13}{missing:>16}{row['n_distinct']:>10,}  "
                f"{self.column_summary(name)}"
            )
        if len(self.missing_patterns):
            lines += ["", "Missing together (rows with missing values):"]
            for r in self.missing_patterns.head(5).itertuples():
                lines.append(f"  {', '.join(r.missing_columns)}: {r.n_rows:,} ({_pct(r.share)})")
        lines += ["", "Warnings:" if self.warnings else "Warnings: none"]
        lines += [f"  {finding}" for finding in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        counts = {s: sum(f.severity == s for f in self.warnings) for s in SEVERITIES}
        shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return f"DataProfile({self._headline()}; warnings: {shown or 'none'})"

    def __rich__(self) -> Any:
        """The profile for a Rich console: headline, column table, warnings."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Columns", title_justify="left")
        for header, justify in [("column", "left"), ("kind", "left"), ("missing", "right"),
                                ("distinct", "right"), ("summary", "left")]:  # fmt: skip
            table.add_column(header, justify=justify, overflow="fold")
        for name, row in self.columns.iterrows():
            missing = f"{row['n_missing']:,} ({_pct(row['missing_share'])})"
            table.add_row(
                str(name), row["kind"], missing, f"{row['n_distinct']:,}", self.column_summary(name)
            )
        parts: list[Any] = [Text(f"Data profile: {self._headline()}", style="bold")]
        target_line = self._target_line()
        if target_line:
            parts.append(Text(target_line[0].upper() + target_line[1:]))
        parts.append(table)
        styles = {"fail": "bold red", "warn": "yellow", "info": "cyan"}
        for finding in self.warnings:
            parts.append(Text(str(finding), style=styles[finding.severity]))
        return Group(*parts)

    # -------------------------------------------------------------------- HTML
    def _repr_html_(self) -> str:
        """A self-contained HTML fragment (no scripts, no external resources)."""
        return _html_fragment(self)

    def to_html(self, title: str = "Data profile") -> str:
        """A complete, self-contained HTML page of the profile."""
        return (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1>{_html_fragment(self)}</body></html>\n"
        )


# ------------------------------------------------------------------------ HTML pieces
_CSS = (
    ".lemma-profile{font-family:system-ui,sans-serif;font-size:13px}"
    ".lemma-profile table{border-collapse:collapse;margin:6px 0}"
    ".lemma-profile th,.lemma-profile td{padding:2px 8px;border-bottom:1px solid #ddd;"
    "text-align:left}.lemma-profile td.n{text-align:right}"
    ".lemma-profile .fail{color:#a40000}.lemma-profile .warn{color:#8a5a00}"
    ".lemma-profile .info{color:#335}"
)


def _bar(share: float, colour: str = "#c0392b", width: int = 60) -> str:
    filled = 0.0 if not np.isfinite(share) else width * min(max(share, 0.0), 1.0)
    return (
        f"<svg width='{width}' height='8' role='img' aria-label='{_pct(share)}'>"
        f"<rect width='{width}' height='8' fill='#eee'/>"
        f"<rect width='{filled:.1f}' height='8' fill='{colour}'/></svg>"
    )


def _html_fragment(p: DataProfile) -> str:
    e = html.escape
    parts = [f"<div class='lemma-profile'><style>{_CSS}</style>", f"<p>{e(p._headline())}</p>"]
    if p.warnings:
        items = "".join(
            f"<li class='{f.severity}'><b>{f.severity}</b> {e(f.message)}"
            + (f" <i>Fix: {e(f.fix)}</i>" if f.fix else "")
            + "</li>"
            for f in p.warnings
        )
        parts.append(f"<h3>Warnings</h3><ul>{items}</ul>")
    if p.target is not None:
        parts.append(f"<h3>Target</h3><p>{e(p._target_line() or '')}</p>")
        shares = p.target.get("class_shares") or {}
        rows = "".join(
            f"<tr><td>{e(str(label))}</td><td class='n'>{p.target['class_counts'][label]:,}</td>"
            f"<td>{_bar(share, '#2c7fb8')} {_pct(share)}</td></tr>"
            for label, share in list(shares.items())[:20]
        )
        if rows:
            parts.append(f"<table><tr><th>class</th><th>rows</th><th>share</th></tr>{rows}</table>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("column", "kind", "missing", "distinct", "summary", "outliers (IQR / robust z)")
    )
    body = []
    for name, row in p.columns.iterrows():
        outliers = (
            f"{row['n_outliers_iqr']:,} / {row['n_outliers_robust_z']:,}"
            if not pd.isna(row["n_outliers_iqr"])
            else "—"
        )
        body.append(
            f"<tr><td>{e(str(name))}</td><td>{e(row['kind'])}</td>"
            f"<td>{_bar(row['missing_share'])} {row['n_missing']:,}</td>"
            f"<td class='n'>{row['n_distinct']:,}</td><td>{e(p.column_summary(name))}</td>"
            f"<td class='n'>{outliers}</td></tr>"
        )
    parts.append(f"<h3>Columns</h3><table><tr>{head}</tr>{''.join(body)}</table>")
    if len(p.missing_patterns):
        rows = "".join(
            f"<tr><td>{e(', '.join(map(str, r.missing_columns)))}</td>"
            f"<td class='n'>{r.n_rows:,}</td><td>{_pct(r.share)}</td></tr>"
            for r in p.missing_patterns.itertuples()
        )
        parts.append(
            "<h3>Missing together</h3><table><tr><th>columns missing</th><th>rows</th>"
            f"<th>share</th></tr>{rows}</table>"
        )
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------------ profiling
def _as_frame(df: Any) -> pd.DataFrame:
    if isinstance(df, pd.DataFrame):
        frame = df
    elif type(df).__module__.split(".")[0] == "polars" and hasattr(df, "to_pandas"):
        frame = df.to_pandas()
    else:
        raise DataTypeError(
            f"profile takes a pandas or polars DataFrame; got {type(df).__name__}. "
            "Wrap arrays with pandas.DataFrame(X, columns=[...]) first."
        )
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataValidationError(
            f"The table is empty ({frame.shape[0]} rows × {frame.shape[1]} columns); "
            "there is nothing to profile. Check how it was read (delimiter, header, filters)."
        )
    names = [str(c) for c in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataValidationError(
            f"Column names {repeated} appear more than once; rename them so each column "
            "has its own name (df.columns = [...])."
        )
    return frame


def _check_options(missing_markers: Any, sample: Any) -> tuple[str, ...]:
    if isinstance(missing_markers, str):
        missing_markers = (missing_markers,)
    markers = tuple(missing_markers)
    if not all(isinstance(m, str) for m in markers):
        raise ParameterError(
            f"missing_markers must be a list of strings (cells read as missing); got "
            f"{missing_markers!r}."
        )
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, int | np.integer) or sample < 1
    ):
        raise ParameterError(f"sample must be a positive int or None; got {sample!r}.")
    return markers


def _target_task(series: pd.Series, kind: str, hint: str | None) -> str:
    if hint in ("classification", "regression"):
        return hint
    values = series.dropna()
    if kind == "numeric" and pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64)
        numbers = numbers[np.isfinite(numbers)]
        whole = bool(np.all(numbers == np.floor(numbers)))
        if values.nunique() > TARGET_MAX_CLASSES or not whole:
            return "regression"
    return "classification"


def _target_summary(series: pd.Series, facts: dict, task: str) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "column": str(series.name),
        "task": task,
        "n_missing": facts["n_missing"],
    }
    if task == "classification":
        counts = series.value_counts(dropna=True)
        total = int(counts.sum())
        summary["class_counts"] = {k.item() if hasattr(k, "item") else k: int(v)
                                   for k, v in counts.items()}  # fmt: skip
        summary["class_shares"] = {k: v / total for k, v in summary["class_counts"].items()}
    else:
        for key in ("mean", "std", "min", "median", "max", "skewness"):
            summary[key] = facts.get(key, float("nan"))
    return summary


def _score_target(
    data: dict[str, pd.Series], facts: dict[str, dict], target: str, attrs: dict
) -> tuple[dict[str, Any], list[Finding]]:
    """The target's summary, and every other column's leakage score (into ``facts``)."""
    hint = attrs.get("task") if attrs.get("target") == target else None
    task = _target_task(data[target], facts[target]["kind"], hint)
    encoded = encode_target(data[target], task)
    findings = []
    for name, f in facts.items():
        if name == target:
            continue
        score = leakage_score(data[name], encoded, task, f["kind"], f["n_distinct"])
        f["target_score"] = score
        found = leakage_finding(name, score, task)
        findings += [found] if found is not None else []
    return _target_summary(data[target], facts[target], task), findings


def _row_hashes(columns: dict[str, pd.Series], missing: dict[str, np.ndarray]) -> np.ndarray:
    """A 64-bit hash per row; equal rows (missing values and ±0 made canonical) hash equal."""
    n = len(next(iter(columns.values())))
    combined = np.zeros(n, dtype=np.uint64)
    for name, column in columns.items():
        values = column.to_numpy()
        if values.dtype.kind == "f":
            values = np.where(missing[name], np.nan, values + 0.0)
        elif values.dtype == object and missing[name].any():
            values = np.where(missing[name], None, values)
        combined = combined * np.uint64(1_000_003) ^ pd.util.hash_array(values)
    return combined


def _candidates(columns: dict[str, pd.Series], missing: dict[str, np.ndarray]) -> np.ndarray:
    """Positions of the rows whose hash repeats (every duplicated row is among them)."""
    hashes = _row_hashes(columns, missing)
    return np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())


def count_duplicate_rows(columns: dict[str, pd.Series], missing: dict[str, np.ndarray]) -> int:
    """Rows equal to an earlier row (pandas' ``duplicated().sum()``, computed faster).

    Each row gets a 64-bit hash (missing values and ±0 made canonical first); only the
    rows whose hash repeats are compared exactly, so the count is exact.
    """
    candidates = _candidates(columns, missing)
    if candidates.size == 0:
        return 0
    subset = pd.DataFrame({name: c.iloc[candidates] for name, c in columns.items()})
    return int(subset.duplicated().sum())


def row_groups(frame: pd.DataFrame) -> np.ndarray:
    """An id per row, equal for exactly equal rows (missing equals missing).

    Parameters
    ----------
    frame : DataFrame of shape (n_rows, n_columns)

    Returns
    -------
    ndarray of int of shape (n_rows,)
        Rows i and j have the same id if and only if they are equal in every column.
    """
    columns = {str(j): frame.iloc[:, j].reset_index(drop=True) for j in range(frame.shape[1])}
    missing = {name: c.isna().to_numpy() for name, c in columns.items()}
    n = frame.shape[0]
    ids = np.arange(n)
    candidates = _candidates(columns, missing)
    if candidates.size:
        subset = pd.DataFrame({name: c.iloc[candidates] for name, c in columns.items()})
        grouped = subset.groupby(list(subset.columns), dropna=False, sort=False).ngroup()
        ids[candidates] = n + grouped.to_numpy()
    return ids


def _collinear_candidates(
    frame: dict[str, pd.Series], facts: dict, target: str | None
) -> list[str]:
    return [
        name
        for name, f in facts.items()
        if name != target
        and f["kind"] in _NUMERIC_KINDS
        and pd.api.types.is_numeric_dtype(frame[name].dtype)
        and not pd.api.types.is_bool_dtype(frame[name].dtype)
    ]


def _columns_frame(facts: dict[str, dict]) -> pd.DataFrame:
    rows = {
        name: {k: f.get(k, float("nan")) for k in COLUMN_FIELDS if k != "top_value"}
        | {"top_value": f["top_values"][0][0] if f["top_values"] else None}
        for name, f in facts.items()
    }
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(COLUMN_FIELDS))
    frame = frame.astype({k: "Int64" for k in _COUNTS})
    frame["top_value"] = frame["top_value"].astype(object)
    return frame


def profile(
    df: Any,
    target: str | None = None,
    *,
    missing_markers: Sequence[str] = MISSING_MARKERS,
    sample: int | None = None,
    random_state: Any = 0,
    top_values: int = TOP_VALUES,
) -> DataProfile:
    """Profile a table: per-column facts, table facts, target balance and warnings.

    Parameters
    ----------
    df : pandas or polars DataFrame of shape (n_rows, n_columns)
    target : str, optional
        The target column: adds its class balance or distribution, and a leakage
        score for every other column.
    missing_markers : sequence of str, default=MISSING_MARKERS
        Text cells counted as missing (``""``, ``"?"``, ``"NA"``, ``"N/A"``, ``"NaN"``,
        ``"nan"``, ``"NULL"``, ``"null"``); pass ``()`` to count only real missing values.
    sample : int, optional
        Profile a uniform random sample of this many rows (for very large tables);
        None profiles every row.
    random_state : int, RandomState or None, default=0
        Seed of that sample.
    top_values : int, default=10
        How many most frequent values to keep per column.

    Returns
    -------
    DataProfile

    Raises
    ------
    DataValidationError
        The table has no rows or no columns, repeats a column name, or lacks ``target``.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.prep import profile
    >>> df = pd.DataFrame({"row": range(40), "age": [25, 32, 47, None] * 10,
    ...                    "city": ["Oslo", "?", "Rome", "Oslo"] * 10,
    ...                    "bought": ["yes", "no", "no", "yes", "no"] * 8})
    >>> report = profile(df, target="bought")
    >>> report.columns[["kind", "n_missing", "n_distinct"]]
              kind  n_missing  n_distinct
    row   identifier          0          40
    age      numeric         10           3
    city categorical         10           2
    bought categorical        0           2
    >>> [f.code for f in report.warnings]
    ['identifier']
    """
    frame = _as_frame(df)
    markers = _check_options(missing_markers, sample)
    n_rows = frame.shape[0]
    if sample is not None and sample < n_rows:
        rows = np.sort(check_random_state(random_state).choice(n_rows, sample, replace=False))
        frame = frame.iloc[rows]
    names = [str(c) for c in frame.columns]
    if target is not None and target not in names:
        raise DataValidationError(
            f"The target {target!r} is not a column of the table; its columns are "
            f"{', '.join(names[:20])}{', …' if len(names) > 20 else ''}."
        )
    cleaned, facts, masks = {}, {}, {}
    for name, column in zip(names, frame.columns, strict=True):
        series, n_markers, note = clean_column(frame[column].rename(name), markers)
        cleaned[name] = series.reset_index(drop=True)
        masks[name] = cleaned[name].isna().to_numpy()
        facts[name] = column_facts(cleaned[name], name, note, top_values, masks[name])
        facts[name]["n_markers"] = n_markers
    target_info, findings = None, []
    if target is not None:
        target_info, findings = _score_target(cleaned, facts, target, frame.attrs)
    for name in names:
        findings += column_findings(name, facts[name])
    n_missing_cells = sum(f["n_missing"] for f in facts.values())
    table = {
        "n_rows": n_rows,
        "n_columns": len(names),
        "n_rows_profiled": frame.shape[0],
        "n_duplicate_rows": count_duplicate_rows(cleaned, masks),
        "n_missing_cells": n_missing_cells,
        "missing_cell_share": n_missing_cells / frame.size,
        "n_complete_rows": int(frame.shape[0] - np.logical_or.reduce(list(masks.values())).sum()),
        "kinds": pd.Series([f["kind"] for f in facts.values()]).value_counts().to_dict(),
        "missing_markers": list(markers),
    }
    numbers = pd.DataFrame({c: cleaned[c] for c in _collinear_candidates(cleaned, facts, target)})
    findings += table_findings(table, target_info, collinear_pairs(numbers))
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))
    return DataProfile(
        columns=_columns_frame(facts),
        table=table,
        warnings=findings,
        target=target_info,
        missing_patterns=missing_patterns(masks),
        top_values={name: f["top_values"] for name, f in facts.items()},
    )
