"""Argument checks shared by every metric: one place, cheap, with messages that help.

A metric compares n true values with n predictions, optionally weighted:

    metric(y_true, y_pred, w) = Σ_i w_i · loss(y_true_i, y_pred_i) / Σ_i w_i  (for most)

so every metric needs the same guarantees first: both arrays have n ≥ 1 rows, the
values are finite, the weights are finite and non-negative with a positive sum, and
class labels are labels (not continuous numbers). The checks here establish those
and turn class labels into integer codes ``0..K-1`` once, so the metrics themselves
are counting (``np.bincount``) and sorting, nothing else.

Metrics run inside cross-validation loops, so the checks are vectorised: a finite
sum proves there is no NaN or inf without a second pass, and small non-negative
integer labels are encoded with ``np.bincount`` instead of a sort.

The conventions follow scikit-learn's metrics (Pedregosa et al., *Scikit-learn:
Machine Learning in Python*, JMLR 12, 2011), so results agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning, ParameterError

__all__ = [
    "LabelCodes",
    "UndefinedMetricWarning",
    "as_class_matrix",
    "as_float_array",
    "as_label_array",
    "check_label_pair",
    "check_lengths",
    "check_probabilities",
    "check_probability_classes",
    "check_regression_targets",
    "check_sample_weight",
    "codes_in",
    "encode_labels",
    "label_positions",
    "position_of",
    "resolve_pos_label",
    "unique_codes",
    "weighted_mean",
]


class UndefinedMetricWarning(LemmaWarning):
    """A metric is undefined for the data given (0/0) and was set to a fixed value.

    Issued through :func:`lemma.exceptions.interop`, so scikit-learn's
    ``UndefinedMetricWarning`` filters catch it too.
    """


def _rows(k: int) -> str:
    return f"{k} row" if k == 1 else f"{k} rows"


# ------------------------------------------------------------------------ conversion
def _to_numpy(y: Any, name: str) -> np.ndarray:
    """Array view of a list, NumPy array, pandas/polars Series or one-column frame."""
    if y is None:
        raise DataValidationError(f"{name} is None; pass an array-like of values, one per row.")
    if type(y).__module__.startswith("scipy.sparse"):
        raise DataTypeError(
            f"{name} is a sparse matrix, which metrics do not accept; pass a dense array "
            f"({name}.toarray())."
        )
    try:
        arr = np.asarray(y)
    except ValueError as exc:
        raise DataValidationError(f"{name} could not be read as an array ({exc}).") from None
    if arr.ndim == 0:
        raise DataValidationError(
            f"{name} is a single value ({arr!r}); pass an array-like with one value per row."
        )
    if arr.dtype.kind == "c":
        raise DataValidationError(f"{name} has complex values; metrics need real numbers.")
    return arr


def check_lengths(**arrays: np.ndarray | None) -> int:
    """The common number of rows of the named arrays; refuse unequal or empty ones.

    Messages name the arrays as given: ``y_true has 100 values but y_pred has 99``.
    """
    named = [(name, len(a)) for name, a in arrays.items() if a is not None]
    first_name, n = named[0]
    for name, m in named[1:]:
        if m != n:
            raise DataValidationError(
                f"{first_name} has {n} values but {name} has {m}; they must describe the "
                "same rows (found input variables with inconsistent numbers of samples)."
            )
    if n == 0:
        names = " and ".join(name for name, _ in named[:2])
        raise DataValidationError(
            f"Found empty input: {names} have 0 rows; a metric needs at least 1 sample."
        )
    return n


def _check_finite_float(arr: np.ndarray, name: str) -> None:
    """Refuse NaN/inf in a float array, counting the rows that hold them."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if np.isfinite(total):
        return
    flat = arr.reshape(arr.shape[0], -1)
    nan_rows = int(np.isnan(flat).any(axis=1).sum())
    inf_rows = int(np.isinf(flat).any(axis=1).sum())
    if nan_rows == 0 and inf_rows == 0:  # the sum overflowed; values are finite
        return
    parts = []
    if nan_rows:
        parts.append(f"NaN in {_rows(nan_rows)}")
    if inf_rows:
        parts.append(f"infinite values in {_rows(inf_rows)}")
    first = int(np.flatnonzero(~np.isfinite(flat).all(axis=1))[0])
    raise DataValidationError(
        f"{name} has {' and '.join(parts)} (first at row {first}); metrics need finite "
        "values. Drop or fill those rows before scoring."
    )


def _check_missing_objects(arr: np.ndarray, name: str) -> None:
    """Refuse None/NaN/pd.NA in an object array, counting the rows."""
    import pandas as pd

    missing = pd.isna(arr)
    if missing.any():
        rows = missing.reshape(arr.shape[0], -1).any(axis=1)
        raise DataValidationError(
            f"{name} has missing values (None or NaN) in {_rows(int(rows.sum()))} (first at "
            f"row {int(np.flatnonzero(rows)[0])}); drop or fill those rows before scoring."
        )


def as_float_array(y: Any, name: str, *, allow_2d: bool = True) -> np.ndarray:
    """``y`` as a finite float array of shape (n,) or (n, k)."""
    arr = _to_numpy(y, name)
    if arr.dtype.kind not in "fiub":
        if arr.dtype.kind == "O":
            _check_missing_objects(arr, name)
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            example = next((v for v in arr.ravel() if not _is_number(v)), arr.ravel()[0])
            raise DataTypeError(
                f"{name} has values that are not numbers (e.g. {example!r}); this metric "
                "needs numeric values."
            ) from None
    elif arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim > 2 or (arr.ndim == 2 and not allow_2d):
        allowed = "(n,) or (n, n_outputs)" if allow_2d else "(n,)"
        raise DataValidationError(f"{name} must have shape {allowed}, got {arr.shape}.")
    _check_finite_float(arr, name)
    return arr


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _label_kind(arr: np.ndarray, name: str) -> tuple[np.ndarray, str]:
    """Classify a label array as 'number' or 'string' (object numbers become numeric)."""
    kind = arr.dtype.kind
    if kind in "biuf":
        return arr, "number"
    if kind in "US":
        return arr, "string"
    if kind != "O":
        raise DataTypeError(f"{name} has values of type {arr.dtype}; pass class labels.")
    import pandas as pd

    inferred = pd.api.types.infer_dtype(arr, skipna=False)
    if inferred == "string":
        return arr, "string"
    if inferred in ("integer", "boolean"):
        return arr.astype(np.int64), "number"
    if inferred in ("floating", "mixed-integer-float", "decimal"):
        return arr.astype(np.float64), "number"
    raise DataTypeError(
        f"Unknown label type: {name} mixes value types ({inferred}), e.g. strings and "
        "numbers; use one type for all class labels."
    )


def as_label_array(y: Any, name: str, metric: str) -> tuple[np.ndarray, str]:
    """``y`` as a 1-D array of class labels and its kind ('number' or 'string').

    Refuses missing values and continuous numbers ("Unknown label type: ...
    continuous") with advice.
    """
    arr = _to_numpy(y, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise DataValidationError(
            f"{name} must be 1-D with one class label per row, got shape {arr.shape}; "
            f"{metric} does not support multilabel or multioutput targets."
        )
    if arr.dtype.kind == "O":
        _check_missing_objects(arr, name)
    arr, kind = _label_kind(arr, name)
    if arr.dtype.kind == "f":
        _check_finite_float(arr, name)
        fractional = arr != np.floor(arr)
        if fractional.any():
            example = arr[np.flatnonzero(fractional)[0]]
            hint = (
                "pass predicted class labels (model.predict(X)), not probabilities or scores"
                if name == "y_pred"
                else "for a numeric target use a regression metric (e.g. mean_squared_error)"
            )
            raise DataValidationError(
                f"Unknown label type: {name} is continuous (values such as {example!r} that "
                f"are not whole numbers) but {metric} needs class labels; {hint}."
            )
    return arr, kind


# --------------------------------------------------------------------------- weights
def check_sample_weight(sample_weight: Any, n_samples: int, against: str = "y_true") -> Any:
    """Validated weights as float64 of shape (n,), or ``None`` when not given.

    Weights must be finite and non-negative with a positive sum.
    """
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight", allow_2d=False)
    if w.shape[0] != n_samples:
        raise DataValidationError(
            f"sample_weight has {w.shape[0]} values but {against} has {n_samples}; pass one "
            "weight per row."
        )
    if w.min() < 0:
        raise DataValidationError(
            f"sample_weight has {int((w < 0).sum())} negative values; weights must be >= 0."
        )
    if not w.any():
        raise DataValidationError(
            "sample_weight is all zero; at least one row needs a positive weight."
        )
    return w


def weighted_mean(values: np.ndarray, weight: np.ndarray | None, axis: int | None = 0) -> Any:
    """Mean of ``values`` along ``axis``, weighted by ``weight`` when given."""
    if weight is None:
        return np.mean(values, axis=axis)
    return np.average(values, axis=axis, weights=weight)


# ---------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class LabelCodes:
    """Class labels of y_true and y_pred encoded as integer codes.

    Attributes
    ----------
    classes : ndarray of shape (K,)
        Sorted union of the labels in y_true and y_pred.
    true, pred : ndarray of shape (n,)
        Codes in ``0..K-1`` with ``classes[true] == y_true``.
    weight : ndarray of shape (n,) or None
        Validated sample weights.
    """

    classes: np.ndarray
    true: np.ndarray
    pred: np.ndarray
    weight: np.ndarray | None


def unique_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and each value's index among them (``np.unique`` inverse).

    Integer labels spanning a small range are encoded by counting (O(n)), others by
    sorting (O(n log n)).
    """
    countable = values.dtype.kind in "iub" and values.size > 0
    if countable and values.dtype == np.uint64:
        countable = values.max() <= np.iinfo(np.int64).max
    if countable:
        as_int = values.astype(np.int64, copy=False)
        lo = int(as_int.min())
        span = int(as_int.max()) - lo + 1
        if span <= 2 * values.size + 1024:
            shifted = as_int - lo
            present = np.bincount(shifted, minlength=span) > 0
            classes = (np.flatnonzero(present) + lo).astype(values.dtype)
            lookup = np.cumsum(present) - 1
            return classes, lookup[shifted]
    classes, codes = np.unique(values, return_inverse=True)
    return classes, codes.reshape(-1)


def encode_labels(y_true: Any, y_pred: Any, sample_weight: Any, metric: str) -> LabelCodes:
    """Check a pair of label vectors (and weights) and encode both over one class list."""
    yt, yp, weight = check_label_pair(y_true, y_pred, sample_weight, metric)
    n = yt.shape[0]
    classes, codes = unique_codes(np.concatenate([yt, yp]))
    return LabelCodes(classes=classes, true=codes[:n], pred=codes[n:], weight=weight)


def _python_scalars(values: Any) -> list:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return [v.item() if isinstance(v, np.generic) else v for v in items]


def label_positions(labels: Any, classes: np.ndarray, name: str = "labels") -> np.ndarray:
    """Index of each of ``labels`` in ``classes``, ``-1`` where a label is absent.

    ``labels`` must be a non-empty list of distinct labels.
    """
    if isinstance(labels, str) or np.ndim(labels) != 1:
        raise ParameterError(f"'{name}' should be a 1-D list of class labels, got {labels!r}.")
    values = _python_scalars(labels)
    if not values:
        raise ParameterError(f"'{name}' should contain at least one label.")
    if len(set(values)) != len(values):
        raise ParameterError(f"'{name}' has repeated values: {values!r}.")
    index = {c: i for i, c in enumerate(_python_scalars(classes))}
    return np.array([index.get(v, -1) for v in values], dtype=np.intp)


def codes_in(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted ``classes`` (``-1`` where absent), by bisection."""
    if classes.size == 0:
        return np.full(values.shape, -1, dtype=np.intp)
    try:
        pos = np.minimum(np.searchsorted(classes, values), classes.size - 1)
    except TypeError:  # strings against numbers: nothing matches
        return np.full(values.shape, -1, dtype=np.intp)
    return np.where(classes[pos] == values, pos, -1)


def position_of(label: Any, classes: np.ndarray) -> int:
    """Index of one label in ``classes`` (``-1`` if absent); never raises on type mismatch."""
    if isinstance(label, np.generic):
        label = label.item()
    for i, c in enumerate(_python_scalars(classes)):
        if c == label:
            return i
    return -1


def resolve_pos_label(
    classes: np.ndarray, pos_label: Any, metric: str, *, greater_if_numeric: bool = False
) -> Any:
    """The positive class of a binary target with labels ``classes`` (sorted).

    An explicit ``pos_label`` is returned as is. Otherwise labels within {0, 1} or
    {-1, 1} make 1 positive; other numeric labels make the greater one positive
    when ``greater_if_numeric``; anything else (strings, more than two classes)
    must be told which class is positive.
    """
    if pos_label is not None:
        return pos_label
    if classes.dtype.kind in "biuf" and classes.size <= 2:
        values = set(_python_scalars(classes))
        if values <= {0, 1} or values <= {-1, 1}:
            return 1
        if greater_if_numeric:
            return classes[-1]
    raise ParameterError(
        f"y_true has labels {_python_scalars(classes)!r}, so {metric} cannot tell which "
        "class is positive; pass pos_label= (one of those labels)."
    )


def check_label_pair(
    y_true: Any, y_pred: Any, sample_weight: Any, metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check two label vectors of the same kind and length (and weights) without encoding."""
    yt, kind_true = as_label_array(y_true, "y_true", metric)
    yp, kind_pred = as_label_array(y_pred, "y_pred", metric)
    n = check_lengths(y_true=yt, y_pred=yp)
    if kind_true != kind_pred:
        raise DataTypeError(
            f"Labels in y_true and y_pred should be of the same type: y_true has "
            f"{kind_true}s (e.g. {yt[0]!r}) but y_pred has {kind_pred}s (e.g. {yp[0]!r})."
        )
    return yt, yp, check_sample_weight(sample_weight, n)


# ------------------------------------------------------------------------ regression
def check_regression_targets(
    y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any, metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Any]:
    """y_true and y_pred as float arrays of shape (n, k), weights, and ``multioutput``.

    ``multioutput`` is returned unchanged when it is a string and as a float array
    of k output weights otherwise.
    """
    yt = as_float_array(y_true, "y_true")
    yp = as_float_array(y_pred, "y_pred")
    n = check_lengths(y_true=yt, y_pred=yp)
    yt = yt.reshape(n, -1)
    yp = yp.reshape(n, -1)
    if yt.shape[1] != yp.shape[1]:
        raise DataValidationError(
            f"y_true has {yt.shape[1]} outputs (columns) but y_pred has {yp.shape[1]}; "
            f"{metric} compares them column by column."
        )
    weight = check_sample_weight(sample_weight, n)
    if not isinstance(multioutput, str):
        out = as_float_array(multioutput, "multioutput", allow_2d=False)
        if out.shape[0] != yt.shape[1]:
            raise ParameterError(
                f"multioutput has {out.shape[0]} weights but there are {yt.shape[1]} outputs; "
                "pass one weight per output column."
            )
        multioutput = out
    return yt, yp, weight, multioutput


# --------------------------------------------------------------------- probabilities
def check_probabilities(y_proba: Any, name: str = "y_proba", *, rows_sum_to_one: bool) -> Any:
    """Validated probabilities: finite, within [0, 1], rows summing to 1 if asked.

    Rows must sum to 1 within a relative tolerance of √ε (ε the dtype's machine
    epsilon, 1.5e-8 for float64), as scikit-learn checks.
    """
    p = _to_numpy(y_proba, name)
    if p.dtype != np.float32:
        p = as_float_array(p, name)
    else:
        _check_finite_float(p, name)
    if p.ndim > 2:
        raise DataValidationError(f"{name} must have shape (n,) or (n, n_classes), got {p.shape}.")
    low, high = (p.min(), p.max()) if p.size else (0.0, 0.0)
    if low < 0 or high > 1:
        outside = int(((p < 0) | (p > 1)).reshape(p.shape[0], -1).any(axis=1).sum())
        raise DataValidationError(
            f"{name} has values outside [0, 1] in {_rows(outside)} (min {low:.6g}, max "
            f"{high:.6g}); pass probabilities such as model.predict_proba(X), not scores."
        )
    if rows_sum_to_one and p.ndim == 2 and p.shape[1] > 1:
        sums = p.sum(axis=1)
        tol = float(np.sqrt(np.finfo(p.dtype).eps))
        off = np.abs(sums - 1) > tol
        if off.any():
            worst = float(sums[np.argmax(np.abs(sums - 1))])
            raise DataValidationError(
                f"{name} rows do not sum to 1 in {_rows(int(off.sum()))} (e.g. a row sums to "
                f"{worst:.6g}); pass probabilities over all classes, one row per sample."
            )
    return p


def check_probability_classes(
    y_true: Any, n_proba: int, sample_weight: Any, labels: Any, metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Classes (the columns of y_proba), each row's column index, and the weights.

    Classes are ``labels`` (which must be sorted, as ``predict_proba``'s columns
    are) or the sorted labels of y_true, of which there must be at least two.
    """
    yt, _ = as_label_array(y_true, "y_true", metric)
    n = check_lengths(y_true=yt, y_proba=np.empty(n_proba))
    weight = check_sample_weight(sample_weight, n)
    if labels is None:
        classes, index = unique_codes(yt)
        if classes.size < 2:
            raise DataValidationError(
                f"y_true contains only one label ({classes[0]!r}); pass all the classes "
                f"(the columns of y_proba) with labels= to compute {metric}."
            )
        return classes, index, weight
    classes = np.asarray(labels)
    if classes.size < 2:
        raise ParameterError(f"labels needs at least two classes; got {classes.tolist()!r}.")
    order = np.argsort(classes, kind="stable")
    if np.any(order != np.arange(classes.size)):
        raise ParameterError(
            f"labels must be sorted, as the columns of predict_proba are; got {classes.tolist()!r}."
        )
    found, index = unique_codes(yt)
    positions = label_positions(classes, found, "labels")
    missing = np.setdiff1d(np.arange(found.size), positions[positions >= 0])
    if missing.size:
        raise DataValidationError(
            f"y_true contains labels {found[missing].tolist()!r} that are not in labels "
            f"{classes.tolist()!r}."
        )
    to_column = np.empty(found.size, dtype=np.intp)
    to_column[positions[positions >= 0]] = np.flatnonzero(positions >= 0)
    return classes, to_column[index], weight


def as_class_matrix(p: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Probabilities as (n, K): a vector is the positive (greater) class of two."""
    if p.ndim == 2 and p.shape[1] == 1:
        p = p.ravel()
    if p.ndim == 1:
        if classes.size != 2:
            raise DataValidationError(
                f"y_proba is 1-D (one probability per row, for a binary target) but y_true "
                f"has {classes.size} classes; pass y_proba of shape (n, {classes.size})."
            )
        return np.column_stack([1 - p, p])
    if p.shape[1] != classes.size:
        raise DataValidationError(
            f"y_true has {classes.size} classes {classes.tolist()!r} but y_proba has "
            f"{p.shape[1]} columns; pass labels= with the classes of y_proba's columns."
        )
    return p
