"""Categories of one column: find them, count them, code values by them, group rare ones.

The categories of a column are its distinct values in sorted order, with the
missing values last, ``None`` before ``nan`` (scikit-learn's order). A value's code
is its position in that list, ``-1`` for a value not in it (an unknown category).
Counting uses pandas' hash tables, so a million-row column is coded in
milliseconds rather than by a Python loop.

Infrequent categories: a category is infrequent when its count is below
``min_frequency`` (an int) or below ``min_frequency · n`` (a fraction), and, when
``max_categories`` is set, every category beyond the ``max_categories − 1`` most
frequent ones is infrequent too (ties keep the earlier category). The infrequent
categories merge into one, placed after the frequent ones.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from lemma.exceptions import DataTypeError, DataValidationError
from lemma.prep._table import value_types

__all__ = [
    "check_categories",
    "encode_column",
    "fit_column",
    "group_infrequent",
    "grouping_map",
    "is_nan",
]


def is_nan(value: Any) -> bool:
    """True for a float NaN (not for None)."""
    return isinstance(value, numbers.Real) and value != value


def _mixed_error(values: np.ndarray, label: Any, owner: str) -> DataTypeError:
    return DataTypeError(
        f"Column {label!r} mixes values of types {value_types(values)}; {owner} needs each "
        "column to hold only strings or only numbers (each argument must be a string or a "
        "number, uniformly per column). Convert it first, e.g. X[column].astype(str)."
    )


def _is_missing_value(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def fit_column(
    values: np.ndarray, label: Any, owner: str, *, counts: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """Sorted categories of one column (missing values last), and their counts if asked.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
    label : str or int
        Column name used in error messages.
    owner : str
        Estimator name used in error messages.
    counts : bool, default=False
        Also count the rows of each category.

    Returns
    -------
    categories : ndarray
        Numeric dtype for a numeric column, ``object`` otherwise.
    counts : ndarray of int64 or None
    """
    if values.dtype != object:
        categories = np.unique(values)  # NaNs collapse into one, sorted last
    else:
        try:
            distinct = set(values)
        except TypeError:  # unhashable objects (lists, dicts)
            raise _mixed_error(values, label, owner) from None
        missing = [v for v in distinct if _is_missing_value(v)]
        present = [v for v in distinct if not _is_missing_value(v)]
        texts = sum(isinstance(v, str) for v in present)
        numbers_ = sum(isinstance(v, numbers.Number) for v in present)
        if texts != len(present) and numbers_ != len(present):
            raise _mixed_error(values, label, owner)
        try:
            ordered = sorted(present)
        except TypeError:  # e.g. numbers of types that do not compare
            raise _mixed_error(values, label, owner) from None
        if any(v is None for v in missing):
            ordered.append(None)
        if any(v is not None for v in missing):
            ordered.append(np.nan)
        categories = np.empty(len(ordered), dtype=object)
        categories[:] = ordered
    if not counts:
        return categories, None
    codes = encode_column(values, categories)
    return categories, np.bincount(codes, minlength=categories.size).astype(np.int64)


def check_categories(
    given: Any, values: np.ndarray, label: Any, owner: str
) -> tuple[np.ndarray, np.ndarray]:
    """User-given categories of one column, checked, and the counts of ``values`` in them."""
    numeric = values.dtype != object
    try:
        categories = np.asarray(given, dtype=values.dtype if numeric else object)
    except (TypeError, ValueError):
        raise DataTypeError(
            f"categories for column {label!r} must be numbers like the column's values; got "
            f"{given!r}."
        ) from None
    if categories.ndim != 1 or categories.size == 0:
        raise DataValidationError(
            f"categories for column {label!r} must be a non-empty 1-D list; got {given!r}."
        )
    missing = np.asarray([v is None or is_nan(v) for v in categories], dtype=bool)
    if missing[: categories.size - missing.sum()].any():
        raise DataValidationError(
            f"categories for column {label!r} must list missing values (None, nan) last; got "
            f"{list(categories)}."
        )
    present = categories[~missing]
    n_none = sum(v is None for v in categories[missing])
    if len(pd.unique(present)) != present.size or n_none > 1 or missing.sum() - n_none > 1:
        raise DataValidationError(
            f"categories for column {label!r} contain duplicates: {list(categories)}."
        )
    if numeric and np.any(np.diff(present.astype(np.float64)) < 0):
        raise DataValidationError(
            f"categories for column {label!r} are numbers and must be sorted; got "
            f"{list(categories)}."
        )
    codes = encode_column(values, categories)
    counts = np.bincount(codes[codes >= 0], minlength=categories.size).astype(np.int64)
    return categories, counts


def encode_column(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Code of each value: its position in ``categories``, or -1 if it is not there.

    ``None`` matches a ``None`` category; ``nan``, ``pd.NA`` and ``NaT`` match a ``nan``
    category.

    Examples
    --------
    >>> import numpy as np
    >>> encode_column(np.array([2.0, np.nan, 5.0, 1.0]), np.array([1.0, 2.0, np.nan]))
    array([ 1,  2, -1,  0])
    """
    if values.dtype != object and categories.dtype != object:
        has_nan = categories.dtype.kind == "f" and categories.size and np.isnan(categories[-1])
        finite = categories[:-1] if has_nan else categories
        common = np.result_type(values.dtype, finite.dtype, np.int8)
        if common.kind == "b":
            common = np.dtype(np.int8)
        nan_code = categories.size - 1 if has_nan else -1
        return _encode_sorted(values.astype(common, copy=False), finite.astype(common), nan_code)
    values = values.astype(object, copy=False)
    missing_cat = np.asarray([_is_missing_value(v) for v in categories], dtype=bool)
    positions = np.flatnonzero(~missing_cat)
    index = pd.Index(categories[positions], dtype=object)
    codes = np.asarray(index.get_indexer(values), dtype=np.int64)
    known = codes >= 0
    codes[known] = positions[codes[known]]
    if missing_cat.all() or not known.all():
        rows = np.flatnonzero(~known)
        where = np.flatnonzero(missing_cat)
        none_code = next((int(k) for k in where if categories[k] is None), -1)
        nan_code = next((int(k) for k in where if categories[k] is not None), -1)
        missing = np.asarray(pd.isna(values[rows]), dtype=bool)
        for i in rows[missing]:
            codes[i] = none_code if values[i] is None else nan_code
    return codes


@njit(cache=True)
def _encode_sorted(values, categories, nan_code):  # pragma: no cover - compiled
    """Binary search of each value in sorted ``categories`` (-1 when absent)."""
    k = categories.shape[0]
    codes = np.empty(values.shape[0], dtype=np.int64)
    for i in range(values.shape[0]):
        v = values[i]
        if v != v:
            codes[i] = nan_code
            continue
        lo, hi = 0, k
        while lo < hi:
            mid = (lo + hi) >> 1
            if categories[mid] < v:
                lo = mid + 1
            else:
                hi = mid
        codes[i] = lo if lo < k and categories[lo] == v else -1
    return codes


def group_infrequent(
    counts: np.ndarray, n_samples: int, min_frequency: Any, max_categories: Any
) -> np.ndarray | None:
    """Positions of the infrequent categories (see the module docstring), or None.

    Examples
    --------
    >>> import numpy as np
    >>> group_infrequent(np.array([5, 20, 10, 3]), 38, None, 3)
    array([0, 3])
    """
    if isinstance(min_frequency, numbers.Integral):
        infrequent = counts < min_frequency
    elif isinstance(min_frequency, numbers.Real):
        infrequent = counts < n_samples * min_frequency
    else:
        infrequent = np.zeros(counts.shape[0], dtype=bool)
    n_out = counts.size - infrequent.sum() + 1
    if max_categories is not None and max_categories < n_out:
        keep = max_categories - 1
        if keep == 0:
            infrequent[:] = True
        else:
            infrequent[np.argsort(counts, kind="mergesort")[:-keep]] = True
    positions = np.flatnonzero(infrequent)
    return positions if positions.size else None


def grouping_map(n_categories: int, infrequent: np.ndarray | None) -> np.ndarray | None:
    """Code → grouped code: frequent categories keep their order, infrequent ones go last."""
    if infrequent is None:
        return None
    mapping = np.empty(n_categories, dtype=np.int64)
    frequent = np.setdiff1d(np.arange(n_categories), infrequent)
    mapping[frequent] = np.arange(frequent.size)
    mapping[infrequent] = frequent.size
    return mapping
