"""Dask collections as aligned row blocks: detect them, map over them, reduce the results.

Every distributed fit in lemma is a map-reduce over the row partitions of the data::

    partial_b = f(X_b, y_b, w_b)                  one task per partition b (on a worker)
    total     = combine(combine(p_1, p_2), ...)   a tree of fan-in SPLIT_EVERY, in row order

The partial results are small (a q × q triangle, a k × d table of sums), so only
they travel; the rows stay on the workers and no machine ever holds them all.
The tree keeps the partitions' order (adjacent results are combined), which
statistics that look across partition boundaries (Durbin-Watson) rely on.

Prediction is the map alone: :func:`lazy_apply` maps a fitted model's method over
the partitions and returns a Dask collection, computed only when asked.

Reference: Dean & Ghemawat, "MapReduce: simplified data processing on large
clusters", OSDI 2004; the Dask documentation (https://docs.dask.org) for the
collections and ``dask.delayed``.
"""

from __future__ import annotations

import copy
import functools
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lemma.exceptions import DataTypeError, DataValidationError, LemmaError

__all__ = [
    "SPLIT_EVERY",
    "ClusterError",
    "RowBlocks",
    "block_weights",
    "compute",
    "is_dask_collection",
    "is_frame",
    "lazy_apply",
    "row_blocks",
    "tree_reduce",
]

#: Partial results combined per node of the reduction tree.
SPLIT_EVERY = 16


class ClusterError(LemmaError, RuntimeError):
    """The cluster could not finish a computation (workers died, the scheduler is gone)."""


def is_dask_collection(obj: Any) -> bool:
    """True for a Dask array, DataFrame, Series or other collection; never imports Dask.

    A Dask collection can only exist once ``dask`` has been imported, so this is a
    dictionary look-up for every other input.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> is_dask_collection(np.ones(3)), is_dask_collection(da.ones(3))
    (False, True)
    """
    dask = sys.modules.get("dask")
    if dask is None or isinstance(obj, np.ndarray | list | tuple | dict | str | type(None)):
        return False
    return bool(dask.is_dask_collection(obj))


def is_frame(obj: Any) -> bool:
    """True for a Dask DataFrame or Series (partitioned by an index), False for an array."""
    return hasattr(obj, "divisions") and hasattr(obj, "map_partitions")


# ----------------------------------------------------------------------------- row blocks
@dataclass
class RowBlocks:
    """The partitions of X (and y, w) as lists of ``dask.delayed`` objects, aligned by row.

    Attributes
    ----------
    X, y, w : list of Delayed (y, w: or None)
        One entry per partition; partition b of y and w holds the rows of X's b.
    n_features : int
    feature_names : ndarray of str or None
        Column names of a Dask DataFrame with string names.
    dtype : numpy dtype
        The dtype of X (its meta).
    """

    X: list
    y: list | None
    w: list | None
    n_features: int
    feature_names: np.ndarray | None
    dtype: np.dtype

    @property
    def n_partitions(self) -> int:
        return len(self.X)

    def map(self, func: Callable[..., Any], *args: Any, with_index: bool = False) -> list:
        """``[delayed(func)(X_b, y_b, w_b, *args) for every partition b]``; with
        ``with_index`` the partition number b comes before ``args``."""
        from dask import delayed

        task = delayed(func, pure=True)
        ys = self.y if self.y is not None else [None] * self.n_partitions
        ws = self.w if self.w is not None else [None] * self.n_partitions
        parts = zip(self.X, ys, ws, strict=True)
        if with_index:
            return [task(x, y, w, b, *args) for b, (x, y, w) in enumerate(parts)]
        return [task(x, y, w, *args) for x, y, w in parts]

    def reduce(self, func: Callable[..., Any], combine: Callable[[Any, Any], Any], *args: Any,
               with_index: bool = False):  # fmt: skip
        """``combine`` over the partitions' ``func(X_b, y_b, w_b, *args)``, computed."""
        return compute(tree_reduce(self.map(func, *args, with_index=with_index), combine))


def _delayed_parts(collection: Any, what: str, owner: str) -> tuple[list, Any]:
    """Partitions of a Dask array (rows only: columns merged) or DataFrame/Series."""
    if is_frame(collection):
        return list(collection.to_delayed()), collection._meta
    if getattr(collection, "ndim", 0) == 2 and collection.numblocks[1] > 1:
        collection = collection.rechunk({1: -1})
    blocks = collection.to_delayed()
    parts = list(blocks[:, 0]) if blocks.ndim == 2 else list(blocks)
    return parts, collection._meta


def _aligned(other: Any, X: Any, parts: list, what: str, owner: str) -> list | None:
    """Partitions of y or sample_weight matching those of X."""
    if other is None:
        return None
    if not is_dask_collection(other):
        raise DataTypeError(
            f"{owner} got X as a Dask collection but {what} as {type(other).__name__}; pass "
            f"{what} as a Dask collection partitioned like X (e.g. a column of the same Dask "
            "DataFrame, or a Dask array with X's row chunks)."
        )
    if not is_frame(other) and not is_frame(X):
        known = not any(np.isnan(c) for c in X.chunks[0] + other.chunks[0])
        if known and other.chunks[0] != X.chunks[0]:
            other = other.rechunk({0: X.chunks[0]})
    other_parts, _ = _delayed_parts(other, what, owner)
    if len(other_parts) != len(parts):
        raise DataValidationError(
            f"{owner}: X has {len(parts)} partitions but {what} has {len(other_parts)}; "
            f"split them the same way (take {what} from the same Dask DataFrame as X, or "
            "rechunk the arrays alike)."
        )
    return other_parts


def row_blocks(X: Any, y: Any = None, sample_weight: Any = None, *, owner: str) -> RowBlocks:
    """Split Dask X (and y, sample_weight) into aligned row partitions.

    Parameters
    ----------
    X : dask array of shape (n, d) or dask DataFrame
    y, sample_weight : dask array, Series or DataFrame, optional
        Partitioned like X (same number of partitions, the same rows in each).
    owner : str
        Estimator name for error messages.

    Returns
    -------
    RowBlocks

    Examples
    --------
    >>> import dask.array as da
    >>> blocks = row_blocks(da.ones((10, 3), chunks=(4, 2)), owner="demo")
    >>> blocks.n_partitions, blocks.n_features
    (3, 3)
    """
    from lemma.validation import get_feature_names

    if not is_frame(X) and getattr(X, "ndim", 2) != 2:
        raise DataValidationError(
            f"{owner} needs a 2-D X; got a Dask array of shape {X.shape}. Reshape it to "
            "(n_samples, n_features)."
        )
    parts, meta = _delayed_parts(X, "X", owner)
    n_features = len(meta.columns) if hasattr(meta, "columns") else int(X.shape[1])
    if n_features < 1 or (not hasattr(meta, "columns") and np.isnan(X.shape[1])):
        raise DataValidationError(f"{owner} needs X with at least one column of known width.")
    names = get_feature_names(meta) if hasattr(meta, "columns") else None
    return RowBlocks(
        X=parts,
        y=_aligned(y, X, parts, "y", owner),
        w=_aligned(sample_weight, X, parts, "sample_weight", owner),
        n_features=n_features,
        feature_names=names,
        dtype=_common_dtype(meta),
    )


def _common_dtype(meta: Any) -> np.dtype:
    """The NumPy dtype X converts to: its common number type, else ``object``."""
    try:
        dtype = np.result_type(*meta.dtypes) if hasattr(meta, "dtypes") else np.dtype(meta.dtype)
    except TypeError:  # pandas extension types (strings, categories)
        return np.dtype(object)
    return dtype if dtype.kind in "fiub" else np.dtype(object)


def block_weights(w: Any, n_rows: int, owner: str) -> np.ndarray | None:
    """One partition's sample weights as float64 (None stays None), checked."""
    if w is None:
        return None
    values = np.asarray(w.to_numpy() if hasattr(w, "to_numpy") else w, dtype=np.float64)
    values = values.reshape(-1)
    if values.shape[0] != n_rows:
        raise DataValidationError(
            f"{owner}: a partition of sample_weight has {values.shape[0]} rows but the "
            f"matching partition of X has {n_rows}; partition them alike."
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise DataValidationError(
            f"{owner}: sample_weight has negative or non-finite values; weights must be "
            "finite and >= 0."
        )
    return values


# ----------------------------------------------------------------------------- reduce, compute
def _combine_all(combine: Callable[[Any, Any], Any], *items: Any) -> Any:
    return functools.reduce(combine, items)


def tree_reduce(parts: list, combine: Callable[[Any, Any], Any], split_every: int = SPLIT_EVERY):
    """A ``dask.delayed`` tree combining ``parts`` in order, ``split_every`` per node.

    Examples
    --------
    >>> from dask import delayed
    >>> parts = [delayed(v) for v in "abcdefg"]
    >>> compute(tree_reduce(parts, lambda a, b: a + b, split_every=3))
    'abcdefg'
    """
    from dask import delayed

    if not parts:
        raise DataValidationError("The Dask collection has no partitions; nothing to fit.")
    node = delayed(_combine_all, pure=True)
    while len(parts) > 1:
        parts = [
            node(combine, *parts[i : i + split_every]) for i in range(0, len(parts), split_every)
        ]
    return parts[0]


def compute(*objects: Any) -> Any:
    """Compute Dask objects on the client set by :func:`lemma.distributed.use` (else Dask's
    default scheduler); one object gives its value, several a tuple.

    A cluster that keeps losing the workers running a task (``KilledWorker``) or goes
    away raises :class:`ClusterError` saying so; errors raised by lemma inside a task
    (bad data in a partition) reach the caller unchanged.
    """
    import dask

    from lemma.distributed.backend import get_client

    client = get_client()
    try:
        if client is not None:
            values = tuple(client.compute(list(objects), sync=True))
        else:
            values = dask.compute(*objects)
    except Exception as exc:
        raise _cluster_error(exc) from exc
    return values[0] if len(values) == 1 else values


def _cluster_error(exc: Exception) -> Exception:
    """The lemma error for a cluster failure; any other exception unchanged."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return ClusterError(
            f"The cluster lost the workers running a task several times ({exc}); they are "
            "probably running out of memory. Give the workers more memory, use smaller "
            "partitions (X.repartition / X.rechunk), or use fewer threads per worker."
        )
    if name in ("CommClosedError", "CancelledError", "FutureCancelledError"):
        return ClusterError(
            f"The connection to the Dask cluster broke while computing ({name}: {exc}); check "
            "that the scheduler and workers are running, then fit again."
        )
    return exc


# ----------------------------------------------------------------------------- lazy apply
def _trial(estimator: Any, method: str, sample: Any) -> Any:
    """The method's output on a tiny sample (for the output's shape and dtype), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(getattr(estimator, method)(sample))
    except Exception:
        return None


def _fallback_spec(estimator: Any, method: str) -> tuple[int | None, np.dtype]:
    """Output width (None: 1-D) and dtype from the fitted attributes."""
    classes = getattr(estimator, "classes_", None)
    if method == "transform":
        return len(estimator.get_feature_names_out()), np.dtype(np.float64)
    if method in ("predict_proba", "predict_log_proba"):
        return classes.size, np.dtype(np.float64)
    if method == "decision_function" and classes is not None:
        return (None if classes.size == 2 else classes.size), np.dtype(np.float64)
    if method == "predict" and classes is not None:
        return None, classes.dtype
    if method == "predict" and hasattr(estimator, "cluster_centers_"):
        return None, np.dtype(np.int32)
    coef = getattr(estimator, "coef_", None)
    width = coef.shape[0] if coef is not None and coef.ndim == 2 else None
    return width, np.dtype(np.float64)


def _output_spec(estimator: Any, method: str, sample: Any) -> tuple[int | None, np.dtype]:
    out = _trial(estimator, method, sample)
    if out is None or out.ndim not in (1, 2):
        return _fallback_spec(estimator, method)
    return (out.shape[1] if out.ndim == 2 else None), out.dtype


def _apply_frame_partition(part: Any, estimator: Any, method: str, columns: list | None) -> Any:
    import pandas as pd

    out = getattr(estimator, method)(part)
    if isinstance(out, pd.DataFrame | pd.Series):
        return out.set_axis(part.index, axis=0)
    out = np.asarray(out)
    if out.ndim == 1:
        return pd.Series(out, index=part.index, name=method)
    return pd.DataFrame(out, index=part.index, columns=columns)


def _apply_block(block: np.ndarray, estimator: Any, method: str) -> np.ndarray:
    return np.asarray(getattr(estimator, method)(block))


def _column_names(estimator: Any, method: str, width: int) -> list:
    if method == "transform" and hasattr(estimator, "get_feature_names_out"):
        return [str(c) for c in estimator.get_feature_names_out()]
    classes = getattr(estimator, "classes_", None)
    if classes is not None and classes.size == width:
        return [str(c) for c in classes]
    return [f"{method}_{k}" for k in range(width)]


def lazy_apply(estimator: Any, method: str, X: Any) -> Any:
    """A fitted model's ``method`` mapped over the partitions of Dask X, not yet computed.

    Parameters
    ----------
    estimator : fitted estimator
    method : str
        "predict", "predict_proba", "transform", ...
    X : dask array or dask DataFrame

    Returns
    -------
    dask array (for a Dask array X) or dask Series/DataFrame (for a Dask DataFrame X)
        Row partitions as X's; 1-D for a 1-D output.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from lemma.models.linear import LinearRegression
    >>> model = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), [1.0, 3.0, 5.0])
    >>> lazy = lazy_apply(model, "predict", da.from_array(np.array([[3.0], [4.0]]), chunks=1))
    >>> type(lazy).__name__, lazy.compute().round(6).tolist()
    ('Array', [7.0, 9.0])
    """
    estimator = _without_collections(estimator)
    if is_frame(X):
        width, dtype = _output_spec(estimator, method, X._meta_nonempty.iloc[:1])
        columns = None if width is None else _column_names(estimator, method, width)
        if width is None:
            meta = _series_meta(dtype, method)
        else:
            meta = _frame_meta(columns, dtype)
        return X.map_partitions(
            _apply_frame_partition, estimator, method, columns, meta=meta, align_dataframes=False
        )
    if X.ndim != 2:
        raise DataValidationError(f"{method} needs a 2-D X; got a Dask array of shape {X.shape}.")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    width, dtype = _output_spec(estimator, method, np.zeros((1, X.shape[1]), dtype=X.dtype))
    if width is None:
        return X.map_blocks(_apply_block, estimator, method, drop_axis=1, dtype=dtype)
    return X.map_blocks(
        _apply_block, estimator, method, chunks=(X.chunks[0], (width,)), dtype=dtype
    )


def _without_collections(estimator: Any) -> Any:
    """A shallow copy to ship to the workers: later changes to the estimator do not reach
    the graph, and lazy attributes (a KMeans's ``labels_``) are left out."""
    shipped = copy.copy(estimator)
    for name, value in vars(estimator).items():
        if is_dask_collection(value):
            delattr(shipped, name)
    return shipped


def _series_meta(dtype: np.dtype, name: str) -> Any:
    import pandas as pd

    return pd.Series(np.empty(0, dtype=dtype), name=name)


def _frame_meta(columns: list, dtype: np.dtype) -> Any:
    import pandas as pd

    return pd.DataFrame(np.empty((0, len(columns)), dtype=dtype), columns=columns)
