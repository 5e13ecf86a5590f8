"""Column kinds and column selectors.

:func:`infer_kind` names what a column holds, from its dtype and its values, by
these rules (``n`` non-missing values, ``u`` distinct ones; thresholds are the
module constants below):

* no non-missing value → ``"empty"``;
* boolean dtype → ``"boolean"``; datetime or period dtype → ``"datetime"``;
  category dtype → ``"categorical"``;
* numbers (numeric dtype, or an object column holding only numbers; durations
  count as numbers) → ``"boolean"`` when ``u = 2``, else ``"numeric"``;
* text values (object or string dtype):

  1. ``u ≤ CATEGORICAL_MAX_UNIQUE`` or ``u ≤ CATEGORICAL_MAX_UNIQUE_RATIO · n`` →
     ``"categorical"`` (few distinct values);
  2. mean length ``≥ TEXT_MIN_MEAN_LENGTH`` characters and at least
     ``TEXT_MIN_SPACE_SHARE`` of the values contain whitespace → ``"text"`` (prose);
  3. ``u ≥ IDENTIFIER_MIN_UNIQUE_RATIO · n`` → ``"identifier"`` (all, or nearly all,
     unique short strings: keys, codes, names of individuals);
  4. otherwise → ``"categorical"`` (many distinct short labels, some repeated).

A constant column keeps the kind of its dtype (a single number is ``"numeric"``).
The rules follow the type detection of dataset profilers such as
ydata-profiling's ``typeset`` (Brugman et al., *visions*, 2019).

:func:`make_column_selector` selects the columns of a DataFrame by name pattern,
dtype and kind, for :class:`lemma.pipeline.ColumnTransformer`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, ParameterError

__all__ = [
    "CATEGORICAL_MAX_UNIQUE",
    "CATEGORICAL_MAX_UNIQUE_RATIO",
    "IDENTIFIER_MIN_UNIQUE_RATIO",
    "KINDS",
    "TEXT_MIN_MEAN_LENGTH",
    "TEXT_MIN_SPACE_SHARE",
    "ColumnSelector",
    "infer_kind",
    "make_column_selector",
]

#: Every kind :func:`infer_kind` returns.
KINDS = ("numeric", "boolean", "categorical", "datetime", "text", "identifier", "empty")

#: Text columns with at most this many distinct values are categorical.
CATEGORICAL_MAX_UNIQUE = 20
#: ... as are text columns whose distinct values are at most this share of the rows.
CATEGORICAL_MAX_UNIQUE_RATIO = 0.5
#: Text columns whose values average at least this many characters may be prose ...
TEXT_MIN_MEAN_LENGTH = 20
#: ... when at least this share of the values contain whitespace.
TEXT_MIN_SPACE_SHARE = 0.5
#: Short-text columns whose distinct values are at least this share of the rows are identifiers.
IDENTIFIER_MIN_UNIQUE_RATIO = 0.95

#: pandas.api.types.infer_dtype name -> how an object column's values are read.
_OBJECT_VALUES = {
    "boolean": "boolean",
    "integer": "number",
    "floating": "number",
    "mixed-integer-float": "number",
    "decimal": "number",
    "timedelta": "number",
    "datetime": "datetime",
    "datetime64": "datetime",
    "date": "datetime",
    "period": "datetime",
}


def _numeric_kind(values: pd.Series) -> str:
    return "boolean" if values.nunique() == 2 else "numeric"


def _text_kind(values: pd.Series) -> str:
    text = values.astype(str)
    n = len(text)
    n_unique = text.nunique()
    if n_unique <= CATEGORICAL_MAX_UNIQUE or n_unique <= CATEGORICAL_MAX_UNIQUE_RATIO * n:
        return "categorical"
    mean_length = float(text.str.len().mean())
    space_share = float(text.str.contains(r"\s", regex=True).mean())
    if mean_length >= TEXT_MIN_MEAN_LENGTH and space_share >= TEXT_MIN_SPACE_SHARE:
        return "text"
    if n_unique >= IDENTIFIER_MIN_UNIQUE_RATIO * n:
        return "identifier"
    return "categorical"


def infer_kind(column: pd.Series) -> str:
    """The kind of values a column holds (see the module docstring for the rules).

    Parameters
    ----------
    column : pandas.Series

    Returns
    -------
    str
        One of :data:`KINDS`: ``"numeric"``, ``"boolean"``, ``"categorical"``,
        ``"datetime"``, ``"text"``, ``"identifier"`` or ``"empty"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.pipeline import infer_kind
    >>> infer_kind(pd.Series([0, 1, 1, 0]))
    'boolean'
    >>> infer_kind(pd.Series(["red", "green", "red", None]))
    'categorical'
    >>> infer_kind(pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])))
    'datetime'
    """
    if not isinstance(column, pd.Series):
        raise DataTypeError(
            f"infer_kind takes a pandas Series; got {type(column).__name__}. For a DataFrame "
            "use {name: infer_kind(df[name]) for name in df.columns}."
        )
    dtype = column.dtype
    values = column.dropna()
    if len(values) == 0:
        return "empty"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return _numeric_kind(values)
    read_as = _OBJECT_VALUES.get(pd.api.types.infer_dtype(values, skipna=True), "text")
    if read_as == "boolean":
        return "boolean"
    if read_as == "datetime":
        return "datetime"
    if read_as == "number":
        return _numeric_kind(values)
    return _text_kind(values)


def _as_kinds(kind: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if kind is None:
        return None
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ParameterError(f"kind must be one of {list(KINDS)} or a list of them; got {kind!r}.")
    return kinds


def _pandas_column(X: Any, j: int) -> pd.Series:
    """Column ``j`` of a pandas or polars DataFrame as a pandas Series."""
    if hasattr(X, "iloc"):
        return X.iloc[:, j]
    series = X.to_series(j)
    return pd.Series(series.to_numpy(), name=series.name)


class ColumnSelector:
    """Callable selecting DataFrame columns by name pattern, dtype and inferred kind.

    Build it with :func:`make_column_selector`; calling it on a DataFrame returns the
    names of the columns meeting every given criterion, in the frame's order.
    """

    def __init__(
        self,
        pattern: str | None = None,
        *,
        dtype_include: Any = None,
        dtype_exclude: Any = None,
        kind: str | Sequence[str] | None = None,
    ):
        self.pattern = pattern
        self.dtype_include = dtype_include
        self.dtype_exclude = dtype_exclude
        self.kind = kind

    def __call__(self, X: Any) -> list[str]:
        """Names of the columns of ``X`` that match (a list of str)."""
        module = type(X).__module__.split(".")[0]
        if not hasattr(X, "columns") or module not in ("pandas", "polars"):
            raise DataTypeError(
                f"{self!r} selects the columns of a DataFrame by name, dtype or kind, but X "
                f"is a {type(X).__name__} without column names; pass a pandas or polars "
                "DataFrame, or select columns by position."
            )
        names = list(X.columns)
        keep = np.ones(len(names), dtype=bool)
        if self.pattern is not None:
            keep &= [re.search(self.pattern, str(name)) is not None for name in names]
        if self.dtype_include is not None or self.dtype_exclude is not None:
            if module != "pandas":
                raise DataTypeError(
                    "dtype_include/dtype_exclude select pandas dtypes; for a polars DataFrame "
                    "select by kind (make_column_selector(kind='numeric')) or by pattern."
                )
            chosen = X.select_dtypes(include=self.dtype_include, exclude=self.dtype_exclude)
            keep &= np.asarray(X.columns.isin(chosen.columns))
        kinds = _as_kinds(self.kind)
        if kinds is not None:
            keep &= [
                bool(keep[j]) and infer_kind(_pandas_column(X, j)) in kinds
                for j in range(len(names))
            ]
        return [name for name, ok in zip(names, keep, strict=True) if ok]

    def __repr__(self) -> str:
        shown = [repr(self.pattern)] if self.pattern is not None else []
        for name in ("dtype_include", "dtype_exclude", "kind"):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        return f"make_column_selector({', '.join(shown)})"


def make_column_selector(
    pattern: str | None = None,
    *,
    dtype_include: Any = None,
    dtype_exclude: Any = None,
    kind: str | Sequence[str] | None = None,
) -> ColumnSelector:
    """A callable choosing DataFrame columns, for a ColumnTransformer's column lists.

    Criteria combine with "and"; leaving all of them out selects every column.

    Parameters
    ----------
    pattern : str, optional
        Regular expression searched in each column name (``re.search``).
    dtype_include, dtype_exclude : dtype, str or list of them, optional
        pandas dtypes to keep or drop (``DataFrame.select_dtypes``: "number",
        "category", "object", "datetime", ...). pandas DataFrames only.
    kind : str or list of str, optional
        Inferred kinds to keep, among :data:`KINDS` (see :func:`infer_kind`).

    Returns
    -------
    ColumnSelector

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.pipeline import make_column_selector
    >>> df = pd.DataFrame({"age": [31, 45, 27], "city": ["Oslo", "Rome", "Oslo"],
    ...                    "smoker": [0, 1, 0], "age_group": ["30s", "40s", "20s"]})
    >>> make_column_selector(kind="numeric")(df)
    ['age']
    >>> make_column_selector("^age", dtype_exclude="number")(df)
    ['age_group']
    """
    _as_kinds(kind)
    return ColumnSelector(
        pattern, dtype_include=dtype_include, dtype_exclude=dtype_exclude, kind=kind
    )
