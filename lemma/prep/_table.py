"""Reading tables column by column, for the steps that take strings as well as numbers.

Numeric transformers read their input with :func:`lemma.validation.validate_data`,
which turns a table into one float array. Encoders and imputers must keep each
column's own type (an integer column next to a text column), so they read a table
into a list of 1-D columns instead:

* a pandas or polars DataFrame gives one NumPy array per column (numbers stay
  numbers, text becomes an ``object`` array);
* an array or nested list is read as a whole; fixed-width text (``<U``) becomes
  ``object``.

A column is *numeric* (numbers, possibly ``nan``), *text* (strings, possibly missing)
or *mixed*; mixed columns are refused by the encoders with a message naming the
column and the types found.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning
from lemma.validation import _check_feature_names, check_array

__all__ = [
    "column_labels",
    "is_missing",
    "read_columns",
    "value_types",
]


def _is_frame(X: Any) -> bool:
    module = type(X).__module__.split(".")[0]
    return module in ("pandas", "polars") and hasattr(X, "columns")


def _frame_column(X: Any, j: int) -> np.ndarray:
    """Column ``j`` of a pandas or polars DataFrame as a 1-D NumPy array."""
    if type(X).__module__.split(".")[0] == "polars":
        return np.asarray(X.to_series(j).to_numpy())
    series = X.iloc[:, j]
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = np.asarray(series.astype(object).to_numpy())
    elif pd.api.types.is_bool_dtype(dtype) and not series.hasnans:
        values = series.to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
        if series.hasnans and np.dtype(numpy_dtype).kind in "iub":
            numpy_dtype = np.float64
        values = series.to_numpy(dtype=numpy_dtype, na_value=np.nan)
    else:
        values = np.asarray(series.to_numpy(), dtype=object)
    return values


def read_columns(
    estimator: Any, X: Any, *, reset: bool, ensure_min_samples: int = 1
) -> tuple[list[np.ndarray], int]:
    """Validate a table and return its columns (each a 1-D array) and its row count.

    Records (``reset=True``) or checks ``n_features_in_`` and ``feature_names_in_``
    as :func:`lemma.validation.validate_data` does. Numeric columns may hold ``nan``
    but not ``inf``.

    Parameters
    ----------
    estimator : estimator
        Receives or checks ``n_features_in_`` / ``feature_names_in_``.
    X : array-like or DataFrame of shape (n_samples, n_features)
    reset : bool
        True in ``fit``, False in ``transform``.
    ensure_min_samples : int, default=1

    Returns
    -------
    columns : list of ndarray of shape (n_samples,)
    n_samples : int
    """
    name = type(estimator).__name__
    names_warning = _check_feature_names(estimator, X, reset)
    if _is_frame(X):
        n_samples, n_features = X.shape
        columns = [_frame_column(X, j) for j in range(n_features)]
        if n_samples < ensure_min_samples or n_features < 1:
            raise DataValidationError(
                f"X has shape {X.shape} while {name} needs at least {ensure_min_samples} "
                "row(s) and 1 column; pass a non-empty table."
            )
    else:
        array = check_array(
            X, dtype=None, estimator_name=name, ensure_min_samples=ensure_min_samples
        )
        if array.dtype.kind in "US":
            # A list mixing text and numbers: keep each value's own type, not its text.
            array = np.asarray(X, dtype=object) if not hasattr(X, "dtype") else array
            array = array.astype(object)
        elif array.dtype.kind not in "biufO":
            raise DataTypeError(
                f"X has dtype {array.dtype}, which {name} cannot read; pass numbers or strings."
            )
        n_samples, n_features = array.shape
        columns = [array[:, j] for j in range(n_features)]
        if array.dtype.kind == "f" and np.isfinite(array.sum()):
            return _record_width(estimator, columns, n_samples, n_features, reset, names_warning)
    for j, col in enumerate(columns):
        if col.dtype.kind == "f" and np.isinf(col).any():
            label = column_labels(estimator, [j], n_features)[0]
            raise DataValidationError(
                f"X has infinite values (inf) in column {label!r}; replace or clip them "
                "(lemma.prep.OutlierClipper) or drop those rows."
            )
    return _record_width(estimator, columns, n_samples, n_features, reset, names_warning)


def _record_width(
    estimator: Any,
    columns: list[np.ndarray],
    n_samples: int,
    n_features: int,
    reset: bool,
    names_warning: str | None,
) -> tuple[list[np.ndarray], int]:
    """Record (fit) or check (transform) the number of columns; give the names warning."""
    name = type(estimator).__name__
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise DataValidationError(
            f"X has {n_features} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input (it was fitted with "
            f"{estimator.n_features_in_}); pass the same columns as at fit."
        )
    if names_warning is not None:
        warnings.warn(names_warning, LemmaWarning, stacklevel=4)
    return columns, n_samples


def column_labels(estimator: Any, positions: Any, n_features: int | None = None) -> list:
    """Names of the columns at ``positions`` (``feature_names_in_``), else the positions."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and (n_features is None or len(names) == n_features):
        return [str(names[j]) for j in positions]
    return [int(j) for j in positions]


def is_missing(values: np.ndarray) -> np.ndarray:
    """Boolean mask of missing entries: ``nan`` in numbers; ``nan``/``None`` in objects."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype == object:
        return np.asarray(pd.isna(values), dtype=bool)
    return np.zeros(values.shape, dtype=bool)


def value_types(values: np.ndarray) -> list[str]:
    """Sorted names of the Python types of the non-missing values (for messages)."""
    present = values[~is_missing(values)]
    return sorted({type(v).__name__ for v in present})
