"""Row-level cleaning while fitting: drop duplicate rows and rows with outlying values.

Both steps are row filters (:class:`lemma.base.SampleFilterMixin`): inside a
:class:`lemma.pipeline.Pipeline` they remove training rows during ``fit`` (through
``fit_resample``) and do nothing at predict time, so every new row still gets a
prediction. Each records the positions it removed (``removed_rows_``), their
number (``n_removed_``) and a short ``summary_`` for reports.

Outlying values of a numeric column are those outside bounds [L, U] fitted on it
(missing values are never outliers), by one of three rules:

    iqr        L = Q₁ − k·IQR,        U = Q₃ + k·IQR             (Tukey's fences, k = 1.5)
    zscore     L = x̄ − t·s,           U = x̄ + t·s               (|z| > t, t = 3; s with ddof 0)
    robust_z   L = m − t·MAD/0.6745,   U = m + t·MAD/0.6745       (modified z-score, t = 3.5)

with m the median and MAD = median |x − m|; 0.6745 = Φ⁻¹(0.75) makes MAD/0.6745
estimate σ for normal data. When MAD = 0 the mean absolute deviation × 1.253314
replaces MAD/0.6745 (Iglewicz & Hoaglin); a column with no spread has no outliers.
A row is removed when any checked column is outlying.

References: J. W. Tukey, *Exploratory Data Analysis* (1977); B. Iglewicz and D. C.
Hoaglin, *How to Detect and Handle Outliers* (ASQC, 1993).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import ARRAY_LIKE, Interval, Options
from lemma.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    SampleFilterMixin,
    Tags,
    TransformerMixin,
)
from lemma.exceptions import DataTypeError, ParameterError
from lemma.prep._table import column_labels, read_columns, value_types
from lemma.validation import check_is_fitted, check_sample_weight, check_y, validate_data

__all__ = ["DropDuplicates", "OutlierRemover"]


def _take(values: Any, rows: np.ndarray) -> Any:
    """``values`` restricted to ``rows``, in its own container (DataFrame, array, list)."""
    if values is None:
        return None
    module = type(values).__module__.split(".")[0]
    if module == "pandas":
        return values.iloc[rows]
    if module == "polars" or isinstance(values, np.ndarray):
        return values[rows]
    if isinstance(values, list | tuple):
        return [values[i] for i in rows]
    return np.asarray(values)[rows]


class _RowFilter(SampleFilterMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Shared protocol: ``fit`` finds the rows to drop, ``fit_resample`` drops them."""

    def fit_resample(
        self, X: Any, y: Any = None, sample_weight: Any = None
    ) -> tuple[Any, Any, Any]:
        """Fit, then return X, y and sample_weight without the removed rows.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        X, y, sample_weight
            Each in its own container, rows in their original order.
        """
        self.fit(X, y, sample_weight=sample_weight)
        keep = np.setdiff1d(np.arange(self._n_rows), self.removed_rows_)
        return _take(X, keep), _take(y, keep), _take(sample_weight, keep)

    def _record(self, removed: np.ndarray, summary: dict[str, Any]) -> None:
        self._n_rows = removed.size
        self.removed_rows_ = np.flatnonzero(removed)
        self.n_removed_ = int(self.removed_rows_.size)
        self.summary_ = {"n_rows": int(removed.size), "n_removed": self.n_removed_, **summary}

    def _check_y(self, y: Any, n_samples: int, sample_weight: Any) -> np.ndarray | None:
        if sample_weight is not None:
            check_sample_weight(sample_weight, n_samples)
        if y is None:
            return None
        return check_y(y, estimator_name=type(self).__name__, n_samples=n_samples,
                       multi_output=True)  # fmt: skip

    def transform(self, X: Any) -> Any:
        """Identity (checked against the fitted columns): filters act only while fitting."""
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, dtype=None)
        if type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "columns"):
            if getattr(self, "_output_kind", "auto") != "default":
                return X
        return self._wrap_output(data, X)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.string_input = True
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def __sklearn_tags__(self) -> Any:
        # As for the encoders: text columns are accepted, but an object that is neither
        # a string nor a number is refused, which scikit-learn's string check forbids.
        tags = super().__sklearn_tags__()
        tags.input_tags.string = False
        return tags


# ----------------------------------------------------------------------------- duplicates
class DropDuplicates(_RowFilter):
    """Remove exact duplicate rows while fitting (of X, together with y when given).

    Parameters
    ----------
    subset : list of column names or positions, default=None
        Columns that define a duplicate (None: all columns).
    keep : {"first", "last", False}, default="first"
        Which copy survives: the first, the last, or none.

    Attributes
    ----------
    removed_rows_ : ndarray of int
        Positions (in the input of ``fit``) of the rows removed.
    n_removed_ : int
    summary_ : dict
        ``{"n_rows", "n_removed", "by_reason": {reason: count}}``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    When y is given, a row is a duplicate only if its X values (in ``subset``) *and*
    its target repeat another row: rows that agree on X but not on y are kept, since
    they carry information about the noise. Missing values match each other.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import DropDuplicates
    >>> X = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
    >>> X_kept, y_kept, _ = DropDuplicates().fit_resample(X, [0, 0, 1, 1])
    >>> X_kept.tolist(), y_kept
    ([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]], [0, 1, 1])
    """

    _parameter_constraints = {
        "subset": [ARRAY_LIKE, None],
        "keep": [Options({"first", "last", False})],
    }

    def __init__(self, subset: list | None = None, keep: str | bool = "first"):
        self.subset = subset
        self.keep = keep

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DropDuplicates:
        """Find the duplicate rows of the training data.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
        sample_weight : array-like of shape (n_samples,), optional
            Checked, not used: duplicates are judged on values only.

        Returns
        -------
        self
        """
        self._validate_params()
        data = validate_data(self, X, reset=True, dtype=None)
        target = self._check_y(y, data.shape[0], sample_weight)
        table = pd.DataFrame(data[:, self._subset_positions()])
        if target is not None:
            table = pd.concat([table, pd.DataFrame(target.reshape(data.shape[0], -1))], axis=1)
            table.columns = range(table.shape[1])
        try:
            removed = table.duplicated(keep=self.keep).to_numpy()
        except TypeError:
            raise DataTypeError(
                f"X has values of types {value_types(data.ravel())}; DropDuplicates compares "
                "rows by value, so each argument must be a string or a number."
            ) from None
        reason = "duplicate row and target" if target is not None else "duplicate row"
        self._record(removed, {"by_reason": {reason: int(removed.sum())}})
        return self

    def _subset_positions(self) -> np.ndarray:
        if self.subset is None:
            return np.arange(self.n_features_in_)
        return _positions(self, list(self.subset))


def _positions(estimator: Any, columns: list) -> np.ndarray:
    """Positions of ``columns`` (names in ``feature_names_in_``, or integer positions)."""
    names = list(getattr(estimator, "feature_names_in_", []))
    out = []
    for column in columns:
        if isinstance(column, str) and column in names:
            out.append(names.index(column))
        elif isinstance(column, numbers.Integral) and 0 <= column < estimator.n_features_in_:
            out.append(int(column))
        else:
            raise ParameterError(
                f"Column {column!r} is not in X (columns: {names or estimator.n_features_in_}); "
                "pass column names of a DataFrame or integer positions."
            )
    return np.asarray(out, dtype=np.intp)


# ----------------------------------------------------------------------------- outliers
def _iqr_bounds(x: np.ndarray, t: float) -> tuple[float, float]:
    q1, q3 = np.percentile(x, [25.0, 75.0])
    return q1 - t * (q3 - q1), q3 + t * (q3 - q1)


def _zscore_bounds(x: np.ndarray, t: float) -> tuple[float, float]:
    mean, std = x.mean(), x.std()
    return mean - t * std, mean + t * std


def _robust_z_bounds(x: np.ndarray, t: float) -> tuple[float, float]:
    median = np.median(x)
    deviation = np.abs(x - median)
    spread = np.median(deviation) / 0.6745
    if spread == 0:
        spread = 1.253314 * deviation.mean()
    return median - t * spread, median + t * spread


#: method -> (bounds of one column, default threshold).
_RULES = {
    "iqr": (_iqr_bounds, 1.5),
    "zscore": (_zscore_bounds, 3.0),
    "robust_z": (_robust_z_bounds, 3.5),
}


class OutlierRemover(_RowFilter):
    """Remove training rows with an outlying value in a numeric column (see module docstring).

    Parameters
    ----------
    method : {"iqr", "zscore", "robust_z"}, default="iqr"
        The rule defining the bounds of each column.
    threshold : float, default=None
        k of the fences (iqr) or t of the z-scores; None: 1.5, 3.0 or 3.5.
    columns : list of column names or positions, default=None
        Columns to check (None: every numeric column; text columns are skipped).

    Attributes
    ----------
    columns_ : list
        The columns checked (names, or positions).
    lower_bounds_, upper_bounds_ : ndarray of shape (len(columns_),)
    removed_rows_ : ndarray of int
        Positions (in the input of ``fit``) of the rows removed.
    n_removed_ : int
    summary_ : dict
        ``{"n_rows", "n_removed", "method", "threshold", "by_column": {column: count}}``;
        a row outlying in two columns counts in both.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import OutlierRemover
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> remover = OutlierRemover().fit(X)
    >>> remover.removed_rows_, remover.summary_["by_column"]
    (array([4]), {0: 1})
    """

    _parameter_constraints = {
        "method": [Options(set(_RULES))],
        "threshold": [Interval(float, 0, None, closed="neither"), None],
        "columns": [ARRAY_LIKE, None],
    }

    def __init__(
        self, method: str = "iqr", *, threshold: float | None = None, columns: list | None = None
    ):
        self.method = method
        self.threshold = threshold
        self.columns = columns

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> OutlierRemover:
        """Fit each checked column's bounds and find the rows outside them.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional (only its length is checked)
        sample_weight : array-like of shape (n_samples,), optional
            Checked, not used: the bounds are unweighted.

        Returns
        -------
        self
        """
        self._validate_params()
        columns, n_samples = read_columns(self, X, reset=True)
        self._check_y(y, n_samples, sample_weight)
        labels = column_labels(self, range(len(columns)), len(columns))
        numeric = [j for j, values in enumerate(columns) if self._numeric(values, labels[j])]
        if self.columns is None:
            chosen = numeric
        else:
            chosen = list(_positions(self, list(self.columns)))
            text = [labels[j] for j in chosen if j not in numeric]
            if text:
                raise DataTypeError(
                    f"OutlierRemover checks numbers, but columns {text} hold text; leave them "
                    "out of columns."
                )
        rule, default = _RULES[self.method]
        threshold = default if self.threshold is None else float(self.threshold)
        removed = np.zeros(n_samples, dtype=bool)
        lower, upper, by_column = [], [], {}
        for j in chosen:
            x = columns[j].astype(np.float64)
            observed = x[~np.isnan(x)]
            low, high = rule(observed, threshold) if observed.size else (-np.inf, np.inf)
            with np.errstate(invalid="ignore"):
                outlying = (x < low) | (x > high)
            lower.append(low)
            upper.append(high)
            by_column[labels[j]] = int(outlying.sum())
            removed |= outlying
        self.columns_ = [labels[j] for j in chosen]
        self.lower_bounds_, self.upper_bounds_ = np.asarray(lower), np.asarray(upper)
        summary = {"method": self.method, "threshold": threshold, "by_column": by_column}
        self._record(removed, summary)
        return self

    @staticmethod
    def _numeric(values: np.ndarray, label: Any) -> bool:
        """True for a numeric column, False for text; a column of other objects is refused."""
        if values.dtype.kind in "biuf":
            return True
        present = values[~pd.isna(values)]
        if all(isinstance(v, str) for v in present):
            return False
        if all(isinstance(v, numbers.Number) for v in present):
            return True
        raise DataTypeError(
            f"Column {label!r} holds values of types {value_types(values)}; each argument "
            "must be a string or a number for OutlierRemover."
        )

    def transform(self, X: Any) -> Any:
        """Identity (checked against the fitted columns): filters act only while fitting."""
        check_is_fitted(self)
        read_columns(self, X, reset=False)
        if type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "columns"):
            if getattr(self, "_output_kind", "auto") != "default":
                return X
        return self._wrap_output(np.asarray(validate_data(self, X, reset=False, dtype=None)), X)
