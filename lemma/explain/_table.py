"""Column access shared by the explanation methods: arrays and DataFrames alike.

Explanations change one input column at a time (permute it, set it to a grid value)
and hand the table back to the model, so a pandas DataFrame must stay a DataFrame
(a pipeline selects its columns by name) with its dtypes, and an array an array.
polars input is turned into pandas once, at the start.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError

__all__ = ["as_table", "column", "column_names", "feature_positions", "set_column", "take_rows"]


def as_table(X: Any, name: str = "X") -> Any:
    """A pandas DataFrame (pandas or polars input) or a 2-D NumPy array."""
    if type(X).__module__.split(".")[0] == "polars" and hasattr(X, "to_pandas"):
        X = X.to_pandas()
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise DataValidationError(
            f"{name} must be a non-empty 2-D table (rows × columns); got shape {array.shape}. "
            "Reshape a single feature with X.reshape(-1, 1)."
        )
    return array


def column_names(X: Any) -> list[str]:
    """Column names of a DataFrame, else ``x0, x1, …``."""
    if isinstance(X, pd.DataFrame):
        return [str(c) for c in X.columns]
    return [f"x{j}" for j in range(X.shape[1])]


def feature_positions(X: Any, features: Any) -> np.ndarray:
    """Positions of ``features`` (an int, a name, or a list of either) among X's columns."""
    items = [features] if isinstance(features, str | int | np.integer) else list(features)
    if not items:
        raise ParameterError("features must name at least one column (an index or a name).")
    names = column_names(X)
    positions = []
    for item in items:
        if isinstance(item, str):
            if not isinstance(X, pd.DataFrame) or item not in names:
                where = f"the columns {names}" if isinstance(X, pd.DataFrame) else "an array"
                raise ParameterError(
                    f"Feature {item!r} is not a column of X ({where}); pass a column name "
                    "of the DataFrame or an integer position."
                )
            positions.append(names.index(item))
        elif isinstance(item, int | np.integer) and not isinstance(item, bool):
            if not 0 <= item < X.shape[1]:
                raise ParameterError(
                    f"Feature position {item} is out of range: X has {X.shape[1]} columns "
                    f"(positions 0 to {X.shape[1] - 1})."
                )
            positions.append(int(item))
        else:
            raise ParameterError(
                f"features must be column positions or names; got {item!r} ({type(item).__name__})."
            )
    return np.asarray(positions, dtype=np.intp)


def column(X: Any, j: int) -> np.ndarray:
    """The values of column ``j`` as a 1-D array."""
    return X.iloc[:, j].to_numpy() if isinstance(X, pd.DataFrame) else X[:, j]


def set_column(X: Any, j: int, values: Any) -> None:
    """Replace column ``j`` of ``X`` in place (a DataFrame keeps the column's dtype)."""
    if isinstance(X, pd.DataFrame):
        original = X.iloc[:, j]
        series = pd.Series(np.asarray(values), index=X.index)
        if isinstance(original.dtype, pd.CategoricalDtype):
            series = series.astype(original.dtype)
        X.isetitem(j, series)
    else:
        X[:, j] = values


def take_rows(X: Any, rows: np.ndarray) -> Any:
    """Rows at positions ``rows`` (a copy)."""
    return X.iloc[rows].copy() if isinstance(X, pd.DataFrame) else X[rows].copy()
