"""Data preparation fitted on Dask collections: one or a few passes of per-partition summaries.

* **StandardScaler**: per partition ``(Σw, mean, M₂)`` of every column, combined by
  the Chan-Golub-LeVeque update ``M₂ = M₂ᵃ + M₂ᵇ + (nₐn_b/n)(μₐ − μ_b)²`` — the
  in-memory ``partial_fit`` rule, so the moments carry no ``Σx² − n x̄²``
  cancellation. **MinMaxScaler**: column minima and maxima.
* **SimpleImputer**: per column the observed count and missing flags; then the
  statistic. Mean: sums over counts. Most frequent: value counts merged across
  partitions, ties to the smallest value as in memory. Median: an exact selection
  of the middle order statistics — each pass counts the observed values of a
  column in ``MEDIAN_BINS`` equal bins of the interval known to hold the k-th
  smallest, narrowing it to one bin, until it holds at most ``MEDIAN_COLLECT``
  values, which are gathered and sorted (a handful of passes; the answer equals
  ``np.median``).
* **OneHotEncoder**, **OrdinalEncoder**: each partition's sorted categories with their
  counts (:func:`lemma.prep._categories.fit_column`), merged by re-sorting the union
  and adding the counts; the estimator's own steps then find the infrequent and
  dropped categories.

Reference: Chan, Golub & LeVeque, "Algorithms for computing the sample variance:
analysis and recommendations", The American Statistician 37 (1983); Floyd & Rivest,
"Expected time bounds for selection", CACM 18 (1975) (selection by narrowing).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import clone
from lemma.distributed._collections import RowBlocks, block_weights, row_blocks
from lemma.distributed.linear import record_features
from lemma.exceptions import DataValidationError
from lemma.prep._categories import check_categories, encode_column, fit_column
from lemma.prep._table import column_labels, read_columns
from lemma.prep.impute import _missing_mask, _safe_min
from lemma.prep.scale import _is_constant, _safe_scale, batch_moments, combine_moments
from lemma.validation import check_array

__all__ = [
    "fit_min_max_scaler",
    "fit_one_hot_encoder",
    "fit_ordinal_encoder",
    "fit_simple_imputer",
    "fit_standard_scaler",
]

#: Bins per column and pass of the exact median selection.
MEDIAN_BINS = 1024
#: Values of a column gathered to finish the selection (at most this many in the interval).
MEDIAN_COLLECT = 8192


def _numbers(Xb: Any, owner: str) -> np.ndarray:
    return check_array(Xb, estimator_name=owner, allow_nan=True, ensure_min_samples=0,
                       dtype=(np.float64, np.float32))  # fmt: skip


def _no_rows(blocks: RowBlocks, n_rows: int, owner: str) -> None:
    if n_rows == 0:
        raise DataValidationError(f"{owner}: X has no rows; nothing to fit.")


# ----------------------------------------------------------------------------- scalers
def _moments_block(Xb, yb, wb, owner):
    X = _numbers(Xb, owner)
    return batch_moments(X, block_weights(wb, X.shape[0], owner)), X.shape[0], X.dtype


def _merge_moments(a: tuple, b: tuple) -> tuple:
    return combine_moments(a[0], b[0]), a[1] + b[1], np.promote_types(a[2], b[2])


def fit_standard_scaler(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`StandardScaler.fit` on a Dask collection (Chan-Golub-LeVeque over partitions)."""
    model._validate_params()
    owner = "StandardScaler"
    for name in ("mean_", "var_", "scale_", "n_samples_seen_", "_moments"):
        model.__dict__.pop(name, None)
    blocks = row_blocks(X, None, sample_weight, owner=owner)
    moments, n_rows, _ = blocks.reduce(_moments_block, _merge_moments, owner)
    _no_rows(blocks, n_rows, owner)
    record_features(model, blocks)
    model._weighted = sample_weight is not None
    model._moments = moments
    count, mean, m2 = moments
    seen = count if model._weighted else count.astype(np.int64)
    model.n_samples_seen_ = seen[0] if np.all(seen == seen[0]) else seen
    if not (model.with_mean or model.with_std):
        model.mean_ = model.var_ = model.scale_ = None
        return model
    model.mean_ = mean
    model.var_ = model.scale_ = None
    if model.with_std:
        with np.errstate(invalid="ignore", divide="ignore"):
            model.var_ = m2 / count
        constant = _is_constant(model.var_, model.mean_, model.n_samples_seen_)
        model.scale_ = _safe_scale(np.sqrt(model.var_), constant)
    return model


def _range_block(Xb, yb, wb, owner):
    X = _numbers(Xb, owner)
    return np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0), X.shape[0], X.dtype


def _merge_range(a: tuple, b: tuple) -> tuple:
    return np.fmin(a[0], b[0]), np.fmax(a[1], b[1]), a[2] + b[2], np.promote_types(a[3], b[3])


def fit_min_max_scaler(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`MinMaxScaler.fit` on a Dask collection (column minima and maxima)."""
    model._validate_params()
    owner = "MinMaxScaler"
    blocks = row_blocks(X, owner=owner)
    low, high, n_rows, dtype = blocks.reduce(_range_block, _merge_range, owner)
    _no_rows(blocks, n_rows, owner)
    record_features(model, blocks)
    lo, hi = (float(v) for v in model.feature_range)
    model.n_samples_seen_ = n_rows
    model.data_min_, model.data_max_ = low, high
    model.data_range_ = high - low
    model.scale_ = ((hi - lo) / _safe_scale(model.data_range_)).astype(dtype)
    model.min_ = (lo - low * model.scale_).astype(dtype)
    return model


# ----------------------------------------------------------------------------- imputer
def _read_imputer(model: Any, Xb: Any) -> tuple[np.ndarray, np.ndarray]:
    """One partition as the imputer reads it, and its missing-value mask."""
    X = clone(model)._read(Xb, reset=True) if len(Xb) else _empty_like(model, Xb)
    return X, _missing_mask(X, model.missing_values)


def _empty_like(model: Any, Xb: Any) -> np.ndarray:
    kinds = {np.asarray(Xb[c]).dtype.kind for c in Xb.columns} if hasattr(Xb, "columns") else {
        np.asarray(Xb).dtype.kind}  # fmt: skip
    numeric = model.strategy in ("mean", "median") or kinds <= set("biuf")
    width = Xb.shape[1]
    return np.empty((0, width), dtype=np.float64 if numeric else object)


def _scan_imputer(Xb, yb, wb, model):
    """Rows, observed counts, column sums and the text flag of one partition."""
    X, mask = _read_imputer(model, Xb)
    observed = X.shape[0] - mask.sum(axis=0)
    sums = (X.sum(axis=0, dtype=np.float64, where=~mask) if X.dtype != object
            else np.zeros(X.shape[1]))  # fmt: skip
    return {"n": X.shape[0], "observed": observed, "missing": mask.any(axis=0), "sums": sums,
            "text": X.dtype == object}  # fmt: skip


def _merge_scan(a: dict, b: dict) -> dict:
    return {"n": a["n"] + b["n"], "observed": a["observed"] + b["observed"],
            "missing": a["missing"] | b["missing"], "sums": a["sums"] + b["sums"],
            "text": a["text"] or b["text"]}  # fmt: skip


def _counts_block(Xb, yb, wb, model):
    """Distinct observed values of every column with their counts."""
    X, mask = _read_imputer(model, Xb)
    out = []
    for j in range(X.shape[1]):
        column = X[~mask[:, j], j]
        if column.dtype == object:
            codes, uniques = pd.factorize(column)
            out.append((np.asarray(uniques, dtype=object), np.bincount(codes)))
        else:
            values, counts = np.unique(column, return_counts=True)
            out.append((values, counts))
    return out


def _merge_counts(a: list, b: list) -> list:
    merged = []
    for (va, ca), (vb, cb) in zip(a, b, strict=True):
        values = np.concatenate([va, vb]) if va.dtype == vb.dtype else np.concatenate(
            [va.astype(object), vb.astype(object)])  # fmt: skip
        counts = np.concatenate([ca, cb])
        if values.dtype == object:
            codes, uniques = pd.factorize(values)
            merged.append((np.asarray(uniques, dtype=object), np.bincount(codes, weights=counts)))
        else:
            uniques, codes = np.unique(values, return_inverse=True)
            merged.append((uniques, np.bincount(codes, weights=counts)))
    return merged


def _modes(blocks: RowBlocks, model: Any, text: bool) -> np.ndarray:
    """Most frequent observed value per column; ties to the smallest (in-memory rule)."""
    counted = blocks.reduce(_counts_block, _merge_counts, model)
    out = np.empty(len(counted), dtype=object if text else np.float64)
    for j, (values, counts) in enumerate(counted):
        if values.size == 0:
            out[j] = np.nan
        elif values.dtype == object:
            out[j] = _safe_min(list(values[counts == counts.max()]))
        else:
            out[j] = values[np.argmax(counts)]
    return out


def _keys(values: np.ndarray) -> np.ndarray:
    """Integers in the order of the floats: the bits, with negative numbers reflected."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    return np.where(bits < 0, np.int64(-1) - (bits & np.int64(0x7FFFFFFFFFFFFFFF)), bits)


def _value(key: int) -> float:
    """The float whose key is ``key`` (inverse of :func:`_keys`)."""
    bits = key if key >= 0 else (-1 - key) | -(2**63)
    return float(np.array([bits], dtype=np.int64).view(np.float64)[0])


def _edges(lo: int, hi: int) -> np.ndarray:
    """MEDIAN_BINS + 1 increasing integer edges from lo to hi (exact, no overflow)."""
    step = max(1, -(-(hi - lo) // MEDIAN_BINS))
    return np.array([min(lo + i * step, hi) for i in range(MEDIAN_BINS + 1)], dtype=np.int64)


def _interval_block(Xb, yb, wb, model, targets):
    """Per target (column, lo, hi, collect): the observed values of the column with keys in
    [lo, hi), counted by bin of ``_edges(lo, hi)``, or themselves when ``collect``."""
    X, mask = _read_imputer(model, Xb)
    out = []
    for j, lo, hi, collect in targets:
        column = X[~mask[:, j], j].astype(np.float64)
        keys = _keys(column)
        inside = (keys >= lo) & (keys < hi)
        if collect:
            out.append(np.sort(column[inside]))
        else:
            bins = np.searchsorted(_edges(lo, hi), keys[inside], side="right") - 1
            out.append(np.bincount(bins, minlength=MEDIAN_BINS))
    return out


def _merge_intervals(a: list, b: list) -> list:
    return [
        np.sort(np.r_[x, y]) if x.dtype.kind == "f" else x + y for x, y in zip(a, b, strict=True)
    ]


def _select(blocks: RowBlocks, model: Any, column: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The ``ranks[t]``-th smallest (0-based) observed value of column ``column[t]``.

    Works on integer keys ordered like the floats (:func:`_keys`), so every pass cuts
    the interval by MEDIAN_BINS whatever the spread of the values: at most
    ⌈64 / log₂ MEDIAN_BINS⌉ passes before the last one gathers the values.
    """
    lo = [-(2**63)] * ranks.size
    hi = [2**63 - 1] * ranks.size
    below = [0] * ranks.size
    inside = [np.inf] * ranks.size
    found = np.full(ranks.size, np.nan)
    pending = list(range(ranks.size))
    while pending:
        targets = [(int(column[t]), lo[t], hi[t], inside[t] <= MEDIAN_COLLECT) for t in pending]
        results = blocks.reduce(_interval_block, _merge_intervals, model, targets)
        still = []
        for t, target, result in zip(pending, targets, results, strict=True):
            rank = int(ranks[t]) - below[t]
            if target[3]:
                found[t] = result[rank]
                continue
            cumulative = np.cumsum(result)
            b = int(np.searchsorted(cumulative, rank, side="right"))
            edges = _edges(lo[t], hi[t])
            below[t] += int(cumulative[b - 1]) if b else 0
            inside[t] = int(result[b])
            lo[t], hi[t] = int(edges[b]), int(edges[b + 1])
            if hi[t] - lo[t] == 1:
                found[t] = _value(lo[t])  # one representable number left
            else:
                still.append(t)
        pending = still
    return found


def _medians(blocks: RowBlocks, model: Any, observed: np.ndarray) -> np.ndarray:
    """Exact column medians of the observed values (module docstring)."""
    columns = np.flatnonzero(observed > 0)
    n = observed[columns]
    lower, upper = (n - 1) // 2, n // 2
    ranks = np.r_[lower, upper]
    column = np.r_[columns, columns]
    values = _select(blocks, model, column, ranks)
    out = np.full(observed.size, np.nan)
    half = columns.size
    out[columns] = [np.mean([a, b]) for a, b in zip(values[:half], values[half:], strict=True)]
    return out


def fit_simple_imputer(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`SimpleImputer.fit` on a Dask collection (module docstring)."""
    model._validate_params()
    blocks = row_blocks(X, owner="SimpleImputer")
    scan = blocks.reduce(_scan_imputer, _merge_scan, model)
    _no_rows(blocks, scan["n"], "SimpleImputer")
    record_features(model, blocks)
    text = bool(scan["text"])
    model._fit_dtype = np.dtype(object) if text else np.dtype(np.float64)
    fill = model._fill_value(np.empty(0, dtype=model._fit_dtype))
    observed = scan["observed"]
    if model.strategy == "constant":
        statistics = np.full(observed.size, fill, dtype=object if text else float)
    elif model.strategy == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            statistics = np.where(observed > 0, scan["sums"] / np.maximum(observed, 1), np.nan)
    elif model.strategy == "median":
        statistics = _medians(blocks, model, observed)
    else:
        statistics = _modes(blocks, model, text)
    empty = observed == 0
    if empty.any():
        statistics[empty] = model._empty_fill(fill)
        if not model.keep_empty_features:
            model._warn_empty(np.flatnonzero(empty), observed.size)
    model.statistics_ = statistics
    model.indicator_features_ = np.flatnonzero(scan["missing"]) if model.add_indicator else None
    return model


# ----------------------------------------------------------------------------- encoders
def _categories_block(Xb, yb, wb, model, owner):
    """Sorted categories of every column of one partition, with their counts."""
    reader = clone(model)
    columns, n_rows = read_columns(reader, Xb, reset=True, ensure_min_samples=0)
    labels = column_labels(reader, range(len(columns)), len(columns))
    return [fit_column(values, labels[j], owner, counts=True) for j, values in
            enumerate(columns)], n_rows  # fmt: skip


def _merge_categories(a: tuple, b: tuple, owner: str, labels: list) -> tuple:
    merged = []
    for label, (ca, na), (cb, nb) in zip(labels, a[0], b[0], strict=True):
        both = (np.concatenate([ca, cb]) if ca.dtype == cb.dtype
                else np.concatenate([ca.astype(object), cb.astype(object)]))  # fmt: skip
        categories, _ = fit_column(both, label, owner)
        counts = np.zeros(categories.size, dtype=np.int64)
        for part, part_counts in ((ca, na), (cb, nb)):
            if part.size:
                np.add.at(counts, encode_column(part, categories), part_counts)
        merged.append((categories, counts))
    return merged, a[1] + b[1]


def _fit_categories(model: Any, X: Any, unknown_is_error: bool) -> int:
    """``categories_`` and ``_counts`` as ``_fit_categories`` sets them; returns n rows."""
    owner = type(model).__name__
    blocks = row_blocks(X, owner=owner)
    record_features(model, blocks)
    labels = column_labels(model, range(blocks.n_features), blocks.n_features)
    merge = functools.partial(_merge_categories, owner=owner, labels=labels)
    found, n_rows = blocks.reduce(_categories_block, merge, model, owner)
    _no_rows(blocks, n_rows, owner)
    if model.categories != "auto" and len(model.categories) != len(found):
        raise DataValidationError(
            f"categories has {len(model.categories)} lists but X has {len(found)} columns; give "
            "one list of categories per column."
        )
    with_counts = model.min_frequency is not None or model.max_categories is not None
    model.categories_, model._counts = [], []
    for j, (categories, counts) in enumerate(found):
        if model.categories != "auto":
            given, _ = check_categories(model.categories[j], categories, labels[j], owner)
            codes = encode_column(categories, given)
            if unknown_is_error and (codes < 0).any():
                model._raise_unknown(categories, codes, labels[j], "given categories")
            counts = np.bincount(codes[codes >= 0], weights=counts[codes >= 0],
                                 minlength=given.size).astype(np.int64)  # fmt: skip
            categories = given
        model.categories_.append(categories)
        model._counts.append(counts if with_counts or model.categories != "auto" else None)
    return n_rows


def fit_one_hot_encoder(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`OneHotEncoder.fit` on a Dask collection (categories from one pass)."""
    model._validate_params()
    n_rows = _fit_categories(model, X, unknown_is_error=model.handle_unknown == "error")
    model._fit_infrequent(n_rows, skip_missing=False)
    model._set_drop()
    model._n_out = [model._grouped(j).size - (d is not None) for j, d in enumerate(model._drop)]
    return model


def fit_ordinal_encoder(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`OrdinalEncoder.fit` on a Dask collection (categories from one pass)."""
    model._validate_params()
    model._check_unknown_value()
    n_rows = _fit_categories(model, X, unknown_is_error=model.handle_unknown == "error")
    model._fit_infrequent(n_rows, skip_missing=True)
    model._check_codes_free()
    return model
