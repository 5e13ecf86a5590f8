"""Univariate imputation: fill each column's missing entries with one statistic of the column.

For column j with observed rows O_j (the entries that are not ``missing_values``)
the fill value is

    mean            x̄_j = Σ_{i∈O_j} x_ij / |O_j|
    median          the middle order statistic of {x_ij : i ∈ O_j} (mean of the two
                    middle ones when |O_j| is even)
    most_frequent   the mode of {x_ij : i ∈ O_j}; ties go to the smallest value
    constant        a value given by the user (``fill_value``)

and every missing x_ij is replaced by it. A column with no observed value
(|O_j| = 0) has no statistic: it is dropped from the output, with a warning naming
it, unless ``keep_empty_features=True`` (then it is filled with 0, or with
``fill_value``). ``add_indicator=True`` appends one 0/1 column per column that had
missing values at fit, so a model can still see where values were missing.

Single imputation shrinks the variance of the filled column and weakens its
correlation with the others (Little & Rubin, *Statistical Analysis with Missing Data*,
3rd ed., 2019, §4.2); :class:`lemma.prep.IterativeImputer` uses the other columns.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import BOOL, Options, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning, ParameterError
from lemma.prep._table import column_labels
from lemma.validation import check_array, check_is_fitted, validate_data

__all__ = ["SimpleImputer"]


# ----------------------------------------------------------------------------- statistics
def _safe_min(values: list) -> Any:
    """The smallest value; by (type name, text) when the types cannot be compared."""
    try:
        return min(values)
    except TypeError:
        return min(values, key=lambda v: (type(v).__name__, str(v)))


def _means(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Column means over the observed entries (``nan`` for an empty column)."""
    counts = X.shape[0] - mask.sum(axis=0)
    sums = X.sum(axis=0, dtype=np.float64, where=~mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _medians(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Column medians over the observed entries (``nan`` for an empty column)."""
    out = np.full(X.shape[1], np.nan)
    for j in range(X.shape[1]):
        column = X[~mask[:, j], j] if mask[:, j].any() else X[:, j]
        if column.size:
            out[j] = np.median(column.astype(np.float64))
    return out


def _modes(X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Most frequent observed value of each column (``nan`` for an empty column)."""
    out = np.empty(X.shape[1], dtype=object if X.dtype == object else np.float64)
    for j in range(X.shape[1]):
        out[j] = _most_frequent(X[~mask[:, j], j] if mask[:, j].any() else X[:, j])
    return out


def _most_frequent(column: np.ndarray) -> Any:
    """The most frequent value; the smallest among ties (scikit-learn's rule)."""
    if column.size == 0:
        return np.nan
    if column.dtype != object:
        values, counts = np.unique(column, return_counts=True)
        return values[np.argmax(counts)]
    codes, uniques = pd.factorize(column)
    counts = np.bincount(codes)
    return _safe_min(list(uniques[counts == counts.max()]))


_STATISTICS = {"mean": _means, "median": _medians, "most_frequent": _modes}


def _missing_mask(X: np.ndarray, missing_values: Any) -> np.ndarray:
    """Where ``X`` equals ``missing_values`` (``nan``/``None``/``pd.NA`` mean any missing)."""
    if missing_values is None or missing_values is pd.NA or _is_nan(missing_values):
        if X.dtype.kind == "f":
            return np.isnan(X)
        if X.dtype == object:
            return np.asarray(pd.isna(X), dtype=bool)
        return np.zeros(X.shape, dtype=bool)
    if X.dtype == object:
        return np.frompyfunc(lambda v: _equal(v, missing_values), 1, 1)(X).astype(bool)
    if isinstance(missing_values, str):
        return np.zeros(X.shape, dtype=bool)
    return X == missing_values


def _equal(value: Any, target: Any) -> bool:
    try:
        return bool(value == target)
    except (TypeError, ValueError):
        return False


def _is_nan(value: Any) -> bool:
    return isinstance(value, numbers.Real) and value != value


class SimpleImputer(TransformerMixin, BaseEstimator):
    """Fill missing values with each column's mean, median, mode or a constant.

    Parameters
    ----------
    strategy : {"mean", "median", "most_frequent", "constant"}, default="mean"
        The statistic (see the module docstring). "mean" and "median" need numbers;
        "most_frequent" and "constant" also work on text columns.
    fill_value : str or number, default=None
        The value for ``strategy="constant"``; None means 0 for numeric data and
        ``"missing_value"`` for text.
    add_indicator : bool, default=False
        Append a 0/1 column ``missingindicator_<column>`` for every column that had
        missing values at fit.
    missing_values : number, str, None or np.nan, default=np.nan
        The placeholder for a missing entry. ``np.nan``, ``None`` and ``pd.NA`` all
        mean "any missing value" (``NaN``, ``None``, ``pd.NA``).
    keep_empty_features : bool, default=False
        Keep columns that are entirely missing at fit (filled with 0, or
        ``fill_value`` for "constant") instead of dropping them.

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features_in_,)
        The fill value of each column; ``nan`` for a dropped (empty) column.
    indicator_features_ : ndarray of int or None
        Columns that get a missing-value indicator (those with missing values at fit).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Notes
    -----
    Text columns that mix strings and numbers are accepted by "most_frequent"
    (values are counted whatever their type; ties go to the smallest value, or to
    the smallest by (type name, text) when the types cannot be compared) and by
    "constant"; "mean" and "median" refuse any text with a :class:`DataTypeError`.
    ``None`` counts as missing as ``NaN`` does.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import SimpleImputer
    >>> X = np.array([[7.0, 2.0], [4.0, np.nan], [10.0, 5.0]])
    >>> SimpleImputer(strategy="mean").fit_transform(X)
    array([[ 7. ,  2. ],
           [ 4. ,  3.5],
           [10. ,  5. ]])
    >>> SimpleImputer(strategy="most_frequent").fit_transform([["a"], [None], ["a"], ["b"]])
    array([['a'],
           ['a'],
           ['a'],
           ['b']], dtype=object)
    """

    _parameter_constraints = {
        "strategy": [Options({"mean", "median", "most_frequent", "constant"})],
        "fill_value": [None, str, satisfies(lambda v: isinstance(v, numbers.Number), "a number")],
        "add_indicator": [BOOL],
        "missing_values": [
            None,
            str,
            satisfies(lambda v: isinstance(v, numbers.Number) or v is pd.NA, "a number"),
        ],
        "keep_empty_features": [BOOL],
    }

    def __init__(
        self,
        *,
        strategy: str = "mean",
        fill_value: Any = None,
        add_indicator: bool = False,
        missing_values: Any = np.nan,
        keep_empty_features: bool = False,
    ):
        self.strategy = strategy
        self.fill_value = fill_value
        self.add_indicator = add_indicator
        self.missing_values = missing_values
        self.keep_empty_features = keep_empty_features

    # ------------------------------------------------------------------ reading
    def _read(self, X: Any, reset: bool) -> np.ndarray:
        """X as a float array ("mean"/"median") or as float/object (the other strategies)."""
        name = type(self).__name__
        if self.strategy in ("mean", "median"):
            try:
                return validate_data(self, X, reset=reset, allow_nan=True)
            except DataTypeError as error:
                raise DataTypeError(
                    f"{error} SimpleImputer(strategy={self.strategy!r}) averages numbers; for "
                    "text columns use strategy='most_frequent' or 'constant'."
                ) from None
        X = validate_data(self, X, reset=reset, dtype=None)
        if X.dtype.kind in "US":
            X = X.astype(object)
        elif X.dtype.kind in "biu":
            X = X.astype(np.float64)
        elif X.dtype.kind not in "fO":
            raise DataTypeError(f"X has dtype {X.dtype}; {name} needs numbers or strings.")
        if X.dtype.kind == "f":
            X = check_array(X, allow_nan=True, estimator_name=name, dtype=(X.dtype,))
        if not reset and self._fit_dtype.kind == "O" and X.dtype.kind != "O":
            X = X.astype(object)
        if not reset and self._fit_dtype.kind != "O" and X.dtype.kind == "O":
            raise DataTypeError(
                f"X has text values but {name} was fitted on numbers; pass the same kind of "
                "data as at fit."
            )
        return X

    def _fill_value(self, X: np.ndarray) -> Any:
        if self.fill_value is None:
            return "missing_value" if X.dtype == object else 0.0
        if X.dtype != object and isinstance(self.fill_value, str):
            raise DataTypeError(
                f"fill_value={self.fill_value!r} is text but X holds numbers; pass a number "
                "as fill_value, or impute text columns separately."
            )
        return self.fill_value

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None) -> SimpleImputer:
        """Compute each column's fill value.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y)
        self._validate_params()
        X = self._read(X, reset=True)
        self._fit_dtype = X.dtype if X.dtype == object else np.dtype(np.float64)
        mask = _missing_mask(X, self.missing_values)
        fill = self._fill_value(X)
        if self.strategy == "constant":
            statistics = np.full(X.shape[1], fill, dtype=object if X.dtype == object else float)
        else:
            statistics = _STATISTICS[self.strategy](X, mask)
        empty = mask.all(axis=0)
        if empty.any():
            statistics[empty] = self._empty_fill(fill)
            if not self.keep_empty_features:
                self._warn_empty(np.flatnonzero(empty), X.shape[1])
        self.statistics_ = statistics
        any_missing = mask.any(axis=0)
        self.indicator_features_ = np.flatnonzero(any_missing) if self.add_indicator else None
        return self

    def _empty_fill(self, fill: Any) -> Any:
        if not self.keep_empty_features:
            return np.nan
        return fill if self.strategy == "constant" else 0

    def _warn_empty(self, columns: np.ndarray, n_features: int) -> None:
        labels = column_labels(self, columns, n_features)
        warnings.warn(
            f"Columns {labels} have no observed values at fit (all missing); "
            f"SimpleImputer(strategy={self.strategy!r}) drops them from its output (see "
            "get_feature_names_out). Pass keep_empty_features=True to keep them filled with "
            f"{'fill_value' if self.strategy == 'constant' else '0'}, or drop the columns "
            "before imputing.",
            LemmaWarning,
            stacklevel=3,
        )

    def _kept(self) -> np.ndarray:
        return ~np.asarray(pd.isna(self.statistics_), dtype=bool)

    # ------------------------------------------------------------------ transform
    def transform(self, X: Any) -> Any:
        """Replace missing entries by the fitted statistics (and append indicators).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features_out)
            Columns dropped at fit (all missing) are left out.
        """
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        check_is_fitted(self)
        data = self._read(X, reset=False)
        mask = _missing_mask(data, self.missing_values)
        kept = self._kept()
        if data.dtype == object:
            out = data.copy()
            for j in np.flatnonzero(mask.any(axis=0) & kept):
                out[mask[:, j], j] = self.statistics_[j]
        else:
            fill = np.where(kept, self.statistics_, 0).astype(data.dtype)
            out = np.where(mask, fill, data)
        if not kept.all():
            out = out[:, kept]
        if self.add_indicator:
            indicator = mask[:, self.indicator_features_]
            out = np.hstack([out, indicator.astype(out.dtype)])
        result = self._wrap_output(out, X)
        if isinstance(result, pd.DataFrame) and out.dtype == object:
            result = result.infer_objects()
        return result

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Put ``missing_values`` back where the indicator columns say values were missing.

        Only available with ``add_indicator=True``. Columns dropped at fit come back
        entirely missing.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        if not self.add_indicator:
            raise ParameterError(
                "inverse_transform needs the missing-value indicators: fit SimpleImputer with "
                "add_indicator=True."
            )
        data = check_array(X, dtype=None, allow_nan=True)
        kept = np.flatnonzero(self._kept())
        n_indicators = self.indicator_features_.size
        if data.shape[1] != kept.size + n_indicators:
            raise DataValidationError(
                f"X has {data.shape[1]} columns but SimpleImputer outputs "
                f"{kept.size + n_indicators}; pass the output of transform."
            )
        dtype = object if data.dtype == object else np.float64
        out = np.full((data.shape[0], self.n_features_in_), self.missing_values, dtype=dtype)
        out[:, kept] = data[:, : kept.size]
        missing = data[:, kept.size :].astype(np.float64) > 0.5
        for k, j in enumerate(self.indicator_features_):
            out[missing[:, k], j] = self.missing_values
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Kept input columns, then ``missingindicator_<column>`` for each indicator."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        out = list(names[self._kept()])
        if self.add_indicator:
            out += [f"missingindicator_{names[j]}" for j in self.indicator_features_]
        return np.asarray(out, dtype=object)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.string_input = self.strategy in ("most_frequent", "constant")
        tags.preserves_dtype = ["float64", "float32"]
        return tags
