"""Input validation: one place that turns user input into clean arrays.

Every estimator calls :func:`validate_data` at the top of ``fit`` (``reset=True``:
records ``n_features_in_`` and ``feature_names_in_``) and of every method that
takes new data (``reset=False``: checks the columns match). Errors say what is
wrong, where (columns, rows) and what to do, e.g.::

    X has NaN in columns ['age', 'hours'] (37 rows); impute them
    (lemma.prep.SimpleImputer) or drop them.

Accepted inputs: NumPy arrays, nested lists, pandas DataFrames/Series and polars
DataFrames/Series (column names kept). float32 stays float32; integers and
booleans become float64.

Examples
--------
>>> import numpy as np
>>> from lemma.validation import check_array
>>> check_array([[1, 2], [3, 4]]).dtype
dtype('float64')
>>> check_array(np.array([[1.0, np.nan]]))
Traceback (most recent call last):
...
lemma.exceptions.DataValidationError: X has NaN in columns [1] (1 row); impute them ...
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from lemma.exceptions import (
    DataConversionWarning,
    DataTypeError,
    DataValidationError,
    LemmaWarning,
    NotFittedError,
    interop,
)

__all__ = [
    "check_X_y",
    "check_array",
    "check_classification_targets",
    "check_is_fitted",
    "check_random_state",
    "check_sample_weight",
    "check_y",
    "encode_classes",
    "get_feature_names",
    "type_of_target",
    "validate_data",
]

_FLOATS = (np.float64, np.float32)


# ----------------------------------------------------------------------------- helpers
def _is_polars(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "polars"


def _is_pandas_df(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas" and hasattr(obj, "columns")


def _is_pandas_series(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas" and type(obj).__name__ == "Series"


def _is_sparse(obj: Any) -> bool:
    return type(obj).__module__.startswith("scipy.sparse")


def get_feature_names(X: Any) -> np.ndarray | None:
    """Column names of a pandas or polars DataFrame as an object array, else ``None``.

    Names are kept only when every column name is a string (as scikit-learn does);
    integer-named columns are treated as unnamed.
    """
    if not (_is_pandas_df(X) or (_is_polars(X) and hasattr(X, "columns"))):
        return None
    names = list(X.columns)
    if len(names) == 0 or not all(isinstance(n, str) for n in names):
        return None
    return np.asarray(names, dtype=object)


def _label(names: Sequence[Any] | None, cols: np.ndarray) -> list:
    """Column labels for a message: names where known, else positions."""
    if names is not None:
        return [names[j] for j in cols]
    return [int(j) for j in cols]


def _rows(k: int) -> str:
    return f"{k} row" if k == 1 else f"{k} rows"


def _shorten(items: list, limit: int = 10) -> str:
    if len(items) <= limit:
        return repr(items)
    return repr(items[:limit])[:-1] + f", ... ({len(items) - limit} more)]"


# ----------------------------------------------------------------------- table inputs
def _frame_to_array(X: Any, name: str, dtype: Any, estimator_name: str) -> np.ndarray:
    """Convert a pandas/polars DataFrame to an array, naming non-numeric columns."""
    columns = list(X.columns)
    if _is_polars(X):
        numeric = [dt.is_numeric() or str(dt) == "Boolean" for dt in X.dtypes]
    else:
        import pandas as pd

        numeric = [
            pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt) for dt in X.dtypes
        ]
    if dtype is not None and not all(numeric):
        bad = [c for c, ok in zip(columns, numeric, strict=True) if not ok]
        raise DataTypeError(
            f"{name} has non-numeric columns {_shorten(bad)}; {estimator_name} needs numbers. "
            "Encode them first (lemma.prep.OneHotEncoder or OrdinalEncoder), for example "
            "inside a lemma.pipeline.Pipeline."
        )
    if dtype is None:
        return np.asarray(X.to_numpy())
    if _is_polars(X):
        out = X.to_numpy()
    else:
        kinds = {
            np.dtype(dt) if not hasattr(dt, "numpy_dtype") else dt.numpy_dtype for dt in X.dtypes
        }
        target = np.float32 if kinds == {np.dtype(np.float32)} else np.float64
        # Nullable pandas dtypes (Int64, boolean, Float64) hold pd.NA: map it to NaN.
        out = X.to_numpy(dtype=target, na_value=np.nan)
    return out


def _object_to_float(X: np.ndarray, name: str, names: Any) -> np.ndarray:
    """Convert an object array of numbers (or numeric strings) to float64."""
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError):
        pass
    flat = X.reshape(len(X), -1) if X.ndim >= 1 else X.reshape(1, 1)
    bad_cols: list[int] = []
    example = None
    for j in range(flat.shape[1]):
        for i, v in enumerate(flat[:, j]):
            try:
                float(v)
            except (TypeError, ValueError):
                bad_cols.append(j)
                if example is None:
                    example = (v, i)
                break
    v, i = example if example is not None else ("?", 0)
    cols = _label(names, np.asarray(bad_cols, dtype=int))
    raise DataTypeError(
        f"{name} has values that are not numbers in columns {_shorten(cols)} "
        f"(e.g. {v!r} in row {i}): each argument must be a string or a number that "
        "converts to float. Encode categorical columns first (lemma.prep.OneHotEncoder)."
    )


def _check_finite(X: np.ndarray, name: str, names: Any, allow_nan: bool) -> None:
    """Raise a clear error naming columns and counting rows with NaN or inf."""
    if X.dtype.kind not in "fc":
        return
    # Fast path: a finite sum means no NaN/inf (an overflowing sum falls through).
    with np.errstate(over="ignore", invalid="ignore"):
        total = X.sum()
    if np.isfinite(total):
        return
    if X.ndim == 1:
        X2 = X.reshape(-1, 1)
    else:
        X2 = X.reshape(X.shape[0], -1)
    nan = np.isnan(X2)
    inf = np.isinf(X2)
    if nan.any() and not allow_nan:
        cols = _label(names, np.flatnonzero(nan.any(axis=0)))
        rows = int(nan.any(axis=1).sum())
        where = f"in columns {_shorten(cols)} " if X.ndim > 1 else ""
        raise DataValidationError(
            f"{name} has NaN {where}({_rows(rows)}); impute them "
            "(lemma.prep.SimpleImputer) or drop them."
        )
    if inf.any():
        cols = _label(names, np.flatnonzero(inf.any(axis=0)))
        rows = int(inf.any(axis=1).sum())
        where = f"in columns {_shorten(cols)} " if X.ndim > 1 else ""
        raise DataValidationError(
            f"{name} has infinite values (inf) {where}({_rows(rows)}); replace or clip "
            "them (lemma.prep has clippers and imputers), or drop those rows."
        )


def check_array(
    X: Any,
    *,
    name: str = "X",
    dtype: Any = "numeric",
    ensure_2d: bool = True,
    allow_nan: bool = False,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    estimator_name: str = "this estimator",
    copy: bool = False,
    order: str | None = None,
) -> np.ndarray:
    """Validate an array-like and return it as a NumPy array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NumPy array, nested list, pandas or polars DataFrame.
    name : str, default="X"
        Name used in error messages.
    dtype : "numeric", dtype, tuple of dtypes or None, default="numeric"
        "numeric" keeps float32/float64 and converts other numbers to float64; a
        tuple keeps any listed dtype and converts the rest to the first; None keeps
        whatever dtype the input has (no numeric check).
    ensure_2d : bool, default=True
        Refuse 1-D input with a message on how to reshape it.
    allow_nan : bool, default=False
        Accept NaN (infinities are always refused for numeric input).
    ensure_min_samples, ensure_min_features : int, default=1
        Minimum rows and columns.
    estimator_name : str
        Name used in messages ("Ridge needs numbers").
    copy : bool, default=False
        Return a copy even when no conversion was needed.
    order : {"C", "F"} or None
        Memory layout of the result.

    Returns
    -------
    ndarray
        The validated array.
    """
    if X is None:
        raise DataValidationError(
            f"{name} is None; pass a 2-D array-like (NumPy array, list of rows or DataFrame)."
        )
    if _is_sparse(X):
        raise DataTypeError(
            f"{name} is a sparse matrix, which {estimator_name} does not accept; "
            f"convert it with {name}.toarray() if it fits in memory."
        )
    names = get_feature_names(X)
    if _is_pandas_df(X) or (_is_polars(X) and hasattr(X, "columns")):
        arr = _frame_to_array(X, name, dtype, estimator_name)
    elif _is_pandas_series(X) or (_is_polars(X) and hasattr(X, "to_numpy")):
        arr = np.asarray(X.to_numpy())
    else:
        try:
            arr = np.asarray(X)
        except ValueError as exc:  # ragged nested lists
            raise DataValidationError(
                f"{name} could not be read as a rectangular array ({exc}); every row "
                "must have the same number of values."
            ) from None
    if np.iscomplexobj(arr):
        raise DataValidationError(
            f"Complex data not supported: {name} has complex values; pass real numbers "
            "(e.g. the real part and the imaginary part as two columns)."
        )

    if dtype is not None:
        if arr.dtype.kind in "OUS":
            arr = _object_to_float(arr, name, names)
        if isinstance(dtype, str) and dtype == "numeric":
            accepted: tuple = _FLOATS
        elif isinstance(dtype, tuple | list):
            accepted = tuple(dtype)
        else:
            accepted = (dtype,)
        if arr.dtype not in [np.dtype(d) for d in accepted]:
            arr = arr.astype(accepted[0])
    if ensure_2d:
        if arr.ndim == 0:
            raise DataValidationError(
                f"Expected a 2-D array for {name}, got a scalar ({arr!r}). Pass a table "
                "of shape (n_samples, n_features)."
            )
        if arr.ndim == 1:
            raise DataValidationError(
                f"Expected a 2-D array for {name}, got a 1-D array of shape {arr.shape}. "
                f"Reshape your data either using {name}.reshape(-1, 1) if it has a single "
                f"feature or {name}.reshape(1, -1) if it is a single sample."
            )
        if arr.ndim > 2:
            raise DataValidationError(
                f"Expected a 2-D array for {name}, got {arr.ndim} dimensions (shape "
                f"{arr.shape}); flatten the extra dimensions into features first."
            )
    n = arr.shape[0] if arr.ndim >= 1 else 1
    if n < ensure_min_samples:
        raise DataValidationError(
            f"{name} has {n} sample(s) (shape={arr.shape}) while a minimum of "
            f"{ensure_min_samples} is required by {estimator_name}."
        )
    if arr.ndim == 2 and arr.shape[1] < ensure_min_features:
        raise DataValidationError(
            f"{name} has {arr.shape[1]} feature(s) (shape={arr.shape}) while a minimum of "
            f"{ensure_min_features} is required by {estimator_name}."
        )
    if dtype is not None:
        _check_finite(arr, name, names, allow_nan)
    if order is not None or copy:
        arr = np.array(arr, order=order or "K", copy=copy or None)
    return arr


# ----------------------------------------------------------------------------- targets
def check_y(
    y: Any,
    *,
    estimator_name: str = "this estimator",
    y_numeric: bool = False,
    multi_output: bool = False,
    n_samples: int | None = None,
) -> np.ndarray:
    """Validate a target vector: 1-D (or 2-D when ``multi_output``), finite, right length."""
    if y is None:
        raise DataValidationError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )
    if _is_pandas_series(y) or _is_pandas_df(y) or _is_polars(y):
        arr = np.asarray(y.to_numpy())
    else:
        arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise DataValidationError("Complex data not supported: y has complex values.")
    if arr.ndim == 2 and arr.shape[1] == 1 and not multi_output:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            interop(DataConversionWarning),
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim == 0 or (arr.ndim != 1 and not multi_output) or arr.ndim > 2:
        raise DataValidationError(
            f"y should be a 1d array, got an array of shape {arr.shape} instead; "
            f"{estimator_name} predicts one target."
        )
    if n_samples is not None and arr.shape[0] != n_samples:
        raise DataValidationError(
            f"X has {n_samples} rows but y has {arr.shape[0]}; they must describe the same "
            "samples (found input variables with inconsistent numbers of samples)."
        )
    if y_numeric and arr.dtype.kind in "OUSbiu":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise DataTypeError(
                f"y has values that are not numbers; {estimator_name} is a regressor and "
                "needs a numeric target. For class labels use a classifier."
            ) from None
    if arr.dtype.kind in "fc":
        _check_finite(arr, "y", None, allow_nan=False)
    elif arr.dtype.kind == "O":
        mask = np.array([isinstance(v, float) and not np.isfinite(v) for v in arr.ravel()])
        if mask.any():
            raise DataValidationError(
                f"y has NaN or infinite values ({_rows(int(mask.sum()))}); drop those rows "
                "or impute the target before fitting."
            )
    return arr


def check_X_y(
    X: Any,
    y: Any,
    *,
    estimator_name: str = "this estimator",
    y_numeric: bool = False,
    multi_output: bool = False,
    **check_params: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate X with :func:`check_array` and y with :func:`check_y` together."""
    if y is None:
        raise DataValidationError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )
    Xa = check_array(X, estimator_name=estimator_name, **check_params)
    ya = check_y(
        y,
        estimator_name=estimator_name,
        y_numeric=y_numeric,
        multi_output=multi_output,
        n_samples=Xa.shape[0],
    )
    if y_numeric and ya.dtype.kind == "f" and ya.dtype != Xa.dtype and Xa.dtype.kind == "f":
        ya = ya.astype(Xa.dtype)
    return Xa, ya


def _check_feature_names(estimator: Any, X: Any, reset: bool) -> str | None:
    """Record (reset) or check column names; return a warning to issue once X is valid."""
    names = get_feature_names(X)
    cls = type(estimator).__name__
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            delattr(estimator, "feature_names_in_")
        return None
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is None:
        return None
    if fitted is not None and names is None:
        return (
            f"X does not have valid feature names, but {cls} was fitted with feature names; "
            "columns are taken in the order seen at fit."
        )
    if fitted is None:
        return f"X has feature names, but {cls} was fitted without feature names."
    if len(fitted) == len(names) and np.array_equal(fitted, names):
        return None
    seen, now = set(fitted), set(names)
    msg = "The feature names should match those that were passed during fit.\n"
    unexpected = sorted(now - seen)
    missing = sorted(seen - now)
    if unexpected:
        msg += "Feature names unseen at fit time:\n" + "".join(f"- {n}\n" for n in unexpected[:5])
    if missing:
        msg += "Feature names seen at fit time, yet now missing:\n" + "".join(
            f"- {n}\n" for n in missing[:5]
        )
    if not unexpected and not missing:
        msg += "Feature names must be in the same order as they were in fit.\n"
    raise DataValidationError(msg + f"Pass the columns {cls} was fitted with, in that order.")


def validate_data(
    estimator: Any,
    X: Any,
    y: Any = "no_validation",
    *,
    reset: bool = True,
    y_numeric: bool = False,
    multi_output: bool = False,
    **check_params: Any,
) -> Any:
    """Validate X (and y) for ``estimator`` and record or check its input schema.

    With ``reset=True`` (in ``fit``) sets ``n_features_in_`` and, for DataFrames with
    string column names, ``feature_names_in_``. With ``reset=False`` (in ``predict``,
    ``transform``, ...) checks the column count and names against those.

    Returns
    -------
    X or (X, y)
        Validated arrays; ``y`` only if it was passed.
    """
    est_name = type(estimator).__name__
    names_warning = _check_feature_names(estimator, X, reset)
    if y is None or (isinstance(y, str) and y == "no_validation"):
        if y is None and getattr(estimator, "_requires_y", lambda: False)():
            raise DataValidationError(
                f"{est_name} requires y to be passed, but the target y is None."
            )
        out = check_array(X, estimator_name=est_name, **check_params)
    else:
        out = check_X_y(
            X,
            y,
            estimator_name=est_name,
            y_numeric=y_numeric,
            multi_output=multi_output,
            **check_params,
        )
    Xa = out[0] if isinstance(out, tuple) else out
    n_features = Xa.shape[1] if Xa.ndim == 2 else 1
    if reset:
        estimator.n_features_in_ = n_features
    else:
        expected = getattr(estimator, "n_features_in_", None)
        if expected is not None and n_features != expected:
            raise DataValidationError(
                f"X has {n_features} features, but {est_name} is expecting {expected} "
                f"features as input (it was fitted with {expected}); pass the same columns "
                "as at fit."
            )
    if names_warning is not None:
        warnings.warn(names_warning, LemmaWarning, stacklevel=3)
    return out


# ----------------------------------------------------------------------- sample weights
def check_sample_weight(
    sample_weight: Any, n_samples: int, dtype: Any = np.float64, *, copy: bool = False
) -> np.ndarray:
    """Validate sample weights: 1-D, length ``n_samples``, finite, non-negative, not all zero.

    ``None`` gives ones and a scalar gives a constant vector.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, sample_weight, dtype=dtype)
    w = check_array(
        sample_weight, name="sample_weight", ensure_2d=False, dtype=(np.float64, np.float32)
    )
    w = np.asarray(w, dtype=dtype)
    if w.ndim != 1:
        raise DataValidationError(
            f"sample_weight must be 1-D with one weight per row, got shape {w.shape}."
        )
    if w.shape[0] != n_samples:
        raise DataValidationError(
            f"sample_weight has {w.shape[0]} values but X has {n_samples} rows; pass one "
            "weight per row."
        )
    neg = np.flatnonzero(w < 0)
    if neg.size:
        raise DataValidationError(
            f"sample_weight has {neg.size} negative values (rows {_shorten(neg.tolist(), 5)}); "
            "weights must be >= 0."
        )
    if not np.any(w > 0):
        raise DataValidationError(
            "sample_weight is all zero; at least one sample needs a positive weight."
        )
    return w.copy() if copy else w


# ----------------------------------------------------------------------------- fitted?
def check_is_fitted(estimator: Any, attributes: str | Sequence[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    Fitted means: the given ``attributes`` exist, or (by default) the estimator has
    at least one attribute whose name ends with ``_`` (learned state).
    """
    if isinstance(attributes, str):
        attributes = [attributes]
    if attributes is not None:
        fitted = all(hasattr(estimator, a) for a in attributes)
    elif hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        raise interop(NotFittedError)(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


# ----------------------------------------------------------------------- class targets
def type_of_target(y: np.ndarray) -> str:
    """Kind of target: 'binary', 'multiclass', 'continuous', 'multilabel-indicator' or 'unknown'.

    Floats that are all whole numbers count as class labels; any other float makes
    the target 'continuous'.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        if y.dtype.kind in "biuf" and np.isin(y, (0, 1)).all():
            return "multilabel-indicator"
        return "unknown"
    y = y.ravel()
    if y.dtype.kind == "f" or (
        y.dtype.kind == "O"
        and y.size
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in y)
    ):
        yf = y.astype(np.float64)
        if not np.all(np.isfinite(yf)) or np.any(yf != np.round(yf)):
            return "continuous"
    if y.dtype.kind == "O" and y.size and not all(isinstance(v, str | numbers.Number) for v in y):
        return "unknown"
    try:
        n_classes = np.unique(y).size
    except TypeError:  # mixed str and numbers
        return "unknown"
    return "binary" if n_classes <= 2 else "multiclass"


def check_classification_targets(y: np.ndarray, estimator_name: str = "this estimator") -> None:
    """Refuse continuous, unknown or multilabel targets for a classifier, with advice."""
    kind = type_of_target(y)
    if kind == "continuous":
        example = next(v for v in np.asarray(y).ravel() if float(v) != round(float(v)))
        raise DataValidationError(
            f"Unknown label type: y looks continuous (values such as {example!r} that are not "
            f"whole numbers) but {estimator_name} is a classifier and needs class labels. "
            "For a numeric target use a regressor; to classify, bin y first."
        )
    if kind not in ("binary", "multiclass"):
        raise DataValidationError(
            f"Unknown label type: {kind!r}. {estimator_name} needs one class label per row "
            "(numbers or strings, not a mix)."
        )


def check_random_state(seed: Any) -> np.random.RandomState:
    """Turn ``None``, an int or a RandomState/Generator into a ``RandomState``.

    lemma draws all randomness through ``random_state``; the same seed gives the
    same result.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(seed.integers(2**31 - 1))
    raise DataTypeError(f"random_state must be None, an int or a RandomState; got {seed!r}.")


#: Integer labels spanning at most this many values (or the number of rows, if more) are
#: encoded by counting instead of sorting.
COUNT_CLASSES_SPAN = 1 << 16


def _count_integer_classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(classes, y_index)`` of integer or boolean labels in a small range, by
    counting: one n-vector of codes instead of np.unique's sorted copy, argsort and
    inverse (1e6 rows: 8 MB against about 33 MB). None for other targets."""
    y = np.asarray(y)
    if y.dtype.kind not in "iub" or y.size == 0 or (y.ndim == 2 and y.shape[1] != 1):
        return None
    y = y.ravel()
    lo, hi = int(y.min()), int(y.max())
    if hi - lo > max(y.size, COUNT_CLASSES_SPAN) or hi > np.iinfo(np.intp).max:
        return None  # a wide range, or unsigned labels beyond intp: np.unique sorts them
    codes = y.astype(np.intp)
    codes -= lo
    counts = np.bincount(codes, minlength=hi - lo + 1)
    present = counts > 0
    np.take(np.cumsum(present) - 1, codes, out=codes)
    return (np.flatnonzero(present) + lo).astype(y.dtype), codes


def encode_classes(
    y: np.ndarray, sample_weight: np.ndarray | None = None, estimator_name: str = "this estimator"
) -> tuple[np.ndarray, np.ndarray]:
    """Check a classification target and encode it as ``0..K-1``.

    Returns ``(classes, y_index)`` with ``classes`` sorted, so that
    ``classes[y_index] == y``. Refuses continuous targets and targets with fewer
    than two classes carrying positive weight.
    """
    counted = _count_integer_classes(y)
    if counted is not None:  # integer labels are always binary or multiclass
        classes, y_index = counted
    else:
        check_classification_targets(y, estimator_name)
        classes, y_index = np.unique(y, return_inverse=True)
        y_index = y_index.reshape(-1)
    positive = None if sample_weight is None else np.asarray(sample_weight) > 0
    counts = np.bincount(y_index, weights=positive, minlength=classes.size)
    if np.count_nonzero(counts) < 2:
        only = classes[np.flatnonzero(counts)[0]] if counts.any() else classes[0]
        raise DataValidationError(
            f"{estimator_name} needs at least 2 classes in y, got 1 class ({only!r}"
            f"{' after removing zero-weight rows' if sample_weight is not None else ''}); "
            "a classifier cannot learn from one class."
        )
    return classes, y_index.reshape(-1)
