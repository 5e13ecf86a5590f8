"""Binning: from raw columns (numbers and categories) to one-byte bin codes.

Histogram gradient boosting never looks at a raw value while growing a tree: each
feature is cut once, before the first tree, into at most ``max_bins`` bins, and a
split is a choice of bin. With ``b = max_bins`` (≤ 255):

* numeric feature, values ``x``: bin edges ``t₀ < t₁ < … < t_{m−2}`` and code
  ``c(x) = #{k : t_k < x}``, so ``x`` lands in bin ``c`` iff ``t_{c−1} < x ≤ t_c``.
  With at most ``b`` distinct values the edges are the midpoints between
  neighbours (every value its own bin); otherwise they are the quantiles at
  ``k/b``, ``k = 1 … b−1``, of the (weighted) values — equal-mass bins. A split
  "code ≤ c" is then the real split "x ≤ t_c", which is how a fitted tree
  predicts from raw data.
* categorical feature: the category codes ``0 … m−1`` are the bins themselves.
* missing value (NaN, or a category unseen at fit): its own bin, code ``b``.

Quantiles use the averaged inverse of the empirical distribution function:
with values sorted and cumulative weights ``W_i``, the ``q``-quantile is the first
``x_i`` with ``W_i ≥ q·W``, averaged with ``x_{i+1}`` when ``W_i = q·W`` exactly
(NumPy's ``"averaged_inverted_cdf"``; for unit weights it is the usual median
rule). Above ``subsample`` rows the quantiles come from a random subsample (drawn
with replacement, weight-proportional), as scikit-learn does: bin edges are
stable long before every row is read.

Categorical columns are encoded to codes ``0 … m−1`` by the categories learned at
fit (sorted); a category unseen at fit becomes missing.

Reference: Ke et al., "LightGBM: A highly efficient gradient boosting decision
tree", NeurIPS 2017 (histogram algorithm); scikit-learn's
``HistGradientBoosting*`` binning (same edges, same missing-value bin).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError

#: Values above which binning runs on every thread (a binary search is ~10 ns).
_PARALLEL_VALUES = 100_000

__all__ = [
    "bin_data",
    "bin_thresholds",
    "categorical_mask",
    "encode_categories",
    "fit_bin_thresholds",
    "learn_categories",
    "weighted_quantiles",
]


# ----------------------------------------------------------------------------- quantiles
def weighted_quantiles(
    values: np.ndarray, weights: np.ndarray | None, probabilities: np.ndarray
) -> np.ndarray:
    """Quantiles by the averaged inverse empirical distribution function.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Finite values, in any order.
    weights : ndarray of shape (n,) or None
        Non-negative weights (None: all ones).
    probabilities : ndarray of shape (k,)
        Levels in [0, 1].

    Returns
    -------
    ndarray of shape (k,)

    Examples
    --------
    >>> import numpy as np
    >>> weighted_quantiles(np.array([3.0, 1.0, 2.0, 4.0]), None, np.array([0.5]))
    array([2.5])
    >>> weighted_quantiles(np.array([1.0, 2.0]), np.array([3.0, 1.0]), np.array([0.5]))
    array([1.])
    """
    order = np.argsort(values, kind="stable")
    w = None if weights is None else np.asarray(weights, np.float64)[order]
    return _sorted_quantiles(values[order], w, probabilities)


def _sorted_quantiles(x: np.ndarray, w: np.ndarray | None, probabilities: np.ndarray):
    """:func:`weighted_quantiles` of values already sorted."""
    cumulative = np.arange(1.0, x.size + 1.0) if w is None else np.cumsum(w)
    targets = np.asarray(probabilities, np.float64) * cumulative[-1]
    first = np.searchsorted(cumulative, targets, side="left")
    first = np.minimum(first, x.size - 1)
    exact = (cumulative[first] == targets) & (first + 1 < x.size)
    upper = np.minimum(first + 1, x.size - 1)
    return np.where(exact, 0.5 * (x[first] + x[upper]), x[first])


def bin_thresholds(
    column: np.ndarray, max_bins: int, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """Bin edges of one numeric column: midpoints or quantiles (module docstring).

    Parameters
    ----------
    column : ndarray of shape (n,)
        Values; NaN are ignored (they get the missing bin).
    max_bins : int
        Bins for non-missing values, 2 … 255.
    sample_weight : ndarray of shape (n,), optional
        Rows of weight 0 do not count.

    Returns
    -------
    ndarray of shape (m − 1,)
        Increasing edges, ``m ≤ max_bins`` bins.

    Examples
    --------
    >>> import numpy as np
    >>> bin_thresholds(np.array([1.0, 2.0, 2.0, 5.0, np.nan]), max_bins=255)
    array([1.5, 3.5])
    """
    keep = ~np.isnan(column)
    if sample_weight is not None:
        keep &= sample_weight > 0
    values = column[keep]
    if sample_weight is None:  # one sort for the distinct values and the quantiles
        order, x = None, np.sort(values)  # NumPy's SIMD sort, ~5x an argsort and gather
    else:
        order = np.argsort(values, kind="stable")
        x = values[order]
    distinct = x[np.concatenate([[True], x[1:] != x[:-1]])] if x.size else x
    if distinct.size <= 1:
        return np.empty(0, np.float64)
    if distinct.size <= max_bins:
        return 0.5 * (distinct[:-1] + distinct[1:])
    weights = None if order is None else sample_weight[keep][order]
    levels = np.linspace(0.0, 100.0, max_bins + 1)[1:-1] / 100.0  # NumPy's rounding of q
    return np.unique(_sorted_quantiles(x, weights, levels))


def fit_bin_thresholds(
    X: np.ndarray,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    max_bins: int,
    sample_weight: np.ndarray | None,
    subsample: int,
    rng: np.random.Generator,
    rows: np.ndarray | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Bin edges of every column and the number of non-missing bins of each.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Rows; categorical columns hold codes ``0 … m−1`` or NaN.
    is_categorical : ndarray of bool, shape (d,)
    n_categories : ndarray of int, shape (d,)
        Categories of each categorical column (ignored for numeric ones).
    max_bins : int
    sample_weight : ndarray of shape (n,) or None
        Equal weights count as None (the same quantiles, from exact row counts).
    subsample : int
        Rows used for the quantiles at most (drawn with replacement above it).
    rng : numpy.random.Generator
    rows : ndarray of int, optional
        The training rows of X (None: all); X is not copied.

    Returns
    -------
    thresholds : list of d ndarrays
        Edges of numeric columns; empty arrays for categorical ones.
    n_bins_non_missing : ndarray of int, shape (d,)
    """
    if sample_weight is not None and rows is not None:
        sample_weight = sample_weight[rows]
    w = sample_weight
    if w is not None and w.size and w[0] > 0 and np.all(w == w[0]):
        sample_weight = None  # equal weights: the unweighted quantiles, with exact counts
    n = X.shape[0] if rows is None else rows.size
    if n > subsample:
        p = None if sample_weight is None else sample_weight / sample_weight.sum()
        chosen = rng.choice(n, size=subsample, replace=True, p=p)
        rows = chosen if rows is None else rows[chosen]
        sample_weight = None
    thresholds = []
    n_bins = np.empty(X.shape[1], np.int64)
    for j in range(X.shape[1]):
        if is_categorical[j]:
            thresholds.append(np.empty(0, np.float64))
            n_bins[j] = max(int(n_categories[j]), 1)
        else:
            column = X[:, j] if rows is None else X[rows, j]
            edges = bin_thresholds(np.ascontiguousarray(column), max_bins, sample_weight)
            thresholds.append(edges)
            n_bins[j] = edges.size + 1
    return thresholds, n_bins


@numba.njit(cache=True)
def _bin_row(X, i, k, edges, offsets, is_categorical, missing_bin, out):
    """``out[k, j]`` = code of ``X[i, j]``: binary search in the column's edges."""
    for j in range(X.shape[1]):
        x = X[i, j]
        if np.isnan(x):
            out[k, j] = missing_bin
        elif is_categorical[j]:
            out[k, j] = np.uint8(x)
        else:
            lo = offsets[j]
            hi = offsets[j + 1]
            while lo < hi:
                mid = (lo + hi) // 2
                if x <= edges[mid]:
                    hi = mid
                else:
                    lo = mid + 1
            out[k, j] = np.uint8(lo - offsets[j])


@numba.njit(cache=True)
def _bin_rows_serial(X, rows, edges, offsets, is_categorical, missing_bin, out):
    for k in range(out.shape[0]):
        i = rows[k] if rows.size else np.int64(k)
        _bin_row(X, i, k, edges, offsets, is_categorical, missing_bin, out)


@numba.njit(parallel=True, cache=True)
def _bin_rows_parallel(X, rows, edges, offsets, is_categorical, missing_bin, out):
    for k in numba.prange(out.shape[0]):
        i = rows[k] if rows.size else np.int64(k)
        _bin_row(X, i, k, edges, offsets, is_categorical, missing_bin, out)


def bin_data(
    X: np.ndarray,
    thresholds: list[np.ndarray],
    is_categorical: np.ndarray,
    missing_bin: int,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Bin codes of every value: uint8, Fortran order (one column = one contiguous run).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        float64; categorical columns hold codes or NaN.
    thresholds : list of d ndarrays
        From :func:`fit_bin_thresholds`.
    is_categorical : ndarray of bool, shape (d,)
    missing_bin : int
        Code of missing values (``max_bins``).
    rows : ndarray of int, optional
        Bin only these rows of X, in this order (None: all); X is not copied.

    Returns
    -------
    ndarray of uint8, shape (n_rows, d), Fortran-ordered

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.5], [2.0], [np.nan]])
    >>> bin_data(X, [np.array([1.0, 3.0])], np.array([False]), 255).ravel()
    array([  0,   1, 255], dtype=uint8)
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    sizes = np.array([t.size for t in thresholds], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    edges = np.concatenate([np.asarray(t, np.float64) for t in thresholds] + [np.empty(0)])
    rows = np.empty(0, np.int64) if rows is None else np.asarray(rows, np.int64)
    out = np.empty((rows.size or X.shape[0], X.shape[1]), dtype=np.uint8, order="F")
    kernel = _bin_rows_parallel if out.size >= _PARALLEL_VALUES else _bin_rows_serial
    kernel(X, rows, edges, offsets, np.asarray(is_categorical, np.bool_), missing_bin, out)
    return out


# --------------------------------------------------------------------------- categories
def _is_frame(X: Any) -> bool:
    return type(X).__module__.split(".")[0] in ("pandas", "polars") and hasattr(X, "columns")


def _categorical_dtype(dtype: Any) -> bool:
    """pandas category, string and object dtypes; polars String/Categorical/Enum."""
    if type(dtype).__module__.split(".")[0] == "polars":
        return str(dtype).split("(")[0] in ("String", "Utf8", "Categorical", "Enum")
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
    )


def categorical_mask(X: Any, categorical_features: Any, n_features: int) -> np.ndarray:
    """Which columns are categorical, from ``categorical_features``.

    Parameters
    ----------
    X : array-like or DataFrame
        The input of ``fit`` (dtypes and column names are read from it).
    categorical_features : "from_dtype", None, or array-like
        "from_dtype": the DataFrame columns of category, string or object dtype
        (none for arrays); None: no categorical feature; otherwise column
        indices, column names or a boolean mask of length ``n_features``.
    n_features : int

    Returns
    -------
    ndarray of bool, shape (n_features,)

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [30, 40], "city": ["Oslo", "Rome"]})
    >>> categorical_mask(frame, "from_dtype", 2)
    array([False,  True])
    >>> categorical_mask(frame, ["age"], 2)
    array([ True, False])
    """
    mask = np.zeros(n_features, dtype=bool)
    if categorical_features is None:
        return mask
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ParameterError(
                f"categorical_features must be 'from_dtype', None, indices, names or a "
                f"boolean mask; got the string {categorical_features!r}."
            )
        if _is_frame(X):
            mask[:] = [_categorical_dtype(dt) for dt in X.dtypes]
        return mask
    chosen = np.asarray(categorical_features)
    if chosen.size == 0:
        return mask
    if chosen.dtype == bool:
        if chosen.shape != (n_features,):
            raise ParameterError(
                f"categorical_features as a boolean mask needs one entry per feature "
                f"({n_features}); got shape {chosen.shape}."
            )
        return chosen.copy()
    if chosen.dtype.kind in "iu":
        bad = chosen[(chosen < 0) | (chosen >= n_features)]
        if bad.size:
            raise ParameterError(
                f"categorical_features has indices {bad.tolist()} outside 0..{n_features - 1}."
            )
        mask[chosen] = True
        return mask
    if chosen.dtype.kind in "OU":
        names = list(X.columns) if _is_frame(X) else None
        if names is None:
            raise ParameterError(
                "categorical_features names columns, but X has no column names; pass a "
                "DataFrame or give column indices."
            )
        unknown = [c for c in chosen.tolist() if c not in names]
        if unknown:
            raise ParameterError(
                f"categorical_features names columns {unknown} that X does not have "
                f"(columns: {names[:10]}{' ...' if len(names) > 10 else ''})."
            )
        mask[[names.index(c) for c in chosen.tolist()]] = True
        return mask
    raise ParameterError(
        f"categorical_features must be 'from_dtype', None, indices, names or a boolean mask; "
        f"got an array of dtype {chosen.dtype}."
    )


def _missing(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def learn_categories(column: np.ndarray, name: Any, max_bins: int) -> np.ndarray:
    """The sorted distinct non-missing values of a categorical column.

    Parameters
    ----------
    column : ndarray of shape (n,)
        Values (strings, numbers or other hashable objects; None/NaN are missing).
    name : str or int
        Column name or position, for messages.
    max_bins : int
        Most categories allowed (one bin each).

    Returns
    -------
    ndarray of shape (m,)

    Raises
    ------
    DataValidationError
        If the column has more than ``max_bins`` categories.

    Examples
    --------
    >>> import numpy as np
    >>> learn_categories(np.array(["b", None, "a", "b"], dtype=object), "city", 255)
    array(['a', 'b'], dtype=object)
    """
    values = np.asarray(column)
    values = values[~_missing(values)]
    try:
        categories = pd.unique(pd.Series(values, dtype=values.dtype))
    except TypeError as error:
        raise DataValidationError(
            f"Categorical column {name!r} has values that cannot be compared ({error}); "
            "categories must be hashable (strings or numbers)."
        ) from None
    categories = np.asarray(categories)
    try:
        categories = np.sort(categories)
    except TypeError:  # mixed types (e.g. strings and numbers): keep first-seen order
        pass
    if categories.size > max_bins:
        raise DataValidationError(
            f"Categorical column {name!r} has {categories.size} categories, more than "
            f"max_bins={max_bins} bins can hold. Group rare categories together, raise "
            "max_bins (at most 255), or treat the column as numeric "
            "(categorical_features)."
        )
    return categories


def encode_categories(column: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Codes ``0 … m−1`` of a column's values; missing or unseen values become NaN.

    Examples
    --------
    >>> import numpy as np
    >>> cats = np.array(["a", "b"], dtype=object)
    >>> encode_categories(np.array(["b", "z", None, "a"], dtype=object), cats)
    array([ 1., nan, nan,  0.])
    """
    codes = pd.Index(categories).get_indexer(np.asarray(column))
    out = codes.astype(np.float64)
    out[codes < 0] = np.nan
    return out
