"""One-hot and ordinal encoding of categorical columns.

A column with sorted categories c₀ < c₁ < … < c_{K−1} (missing values are a
category of their own, placed last) is encoded

    one-hot (dummy) coding   x ↦ e_k ∈ {0, 1}^K   where x = c_k
    ordinal coding           x ↦ k

With ``drop`` one category per column becomes the all-zero row (the reference
level of a regression with an intercept), leaving K − 1 columns, so that the
columns are not collinear with the intercept (Suits 1957). Rare categories can
be merged into one "infrequent" category, placed last (``min_frequency``,
``max_categories``; see :mod:`lemma.prep._categories`). The output is dense (a
NumPy array or a DataFrame); lemma has no sparse output.

Reference: D. B. Suits, "Use of dummy variables in regression equations", Journal
of the American Statistical Association 52 (1957), 548–551.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
from numba import njit

from lemma._constraints import Interval, Options, instance_of, satisfies
from lemma.base import BaseEstimator, OneToOneFeatureMixin, Tags, TransformerMixin, _input_names
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.prep._categories import (
    check_categories,
    encode_column,
    fit_column,
    group_infrequent,
    grouping_map,
    is_nan,
)
from lemma.prep._table import column_labels, read_columns
from lemma.validation import check_array, check_is_fitted

__all__ = ["OneHotEncoder", "OrdinalEncoder"]

_INFREQUENT = "infrequent_sklearn"


def _is_dtype(value: Any) -> bool:
    try:
        return np.dtype(value).kind in "biuf"
    except TypeError:
        return False


class _CategoricalEncoder(TransformerMixin, BaseEstimator):
    """Shared fit/encode logic: categories, counts, infrequent grouping, unknown values."""

    _parameter_constraints = {
        "categories": [Options({"auto"}), list],
        "dtype": [satisfies(_is_dtype, "a NumPy number dtype")],
        "min_frequency": [
            Interval(int, 1, None, closed="left"),
            Interval(float, 0, 1, closed="neither"),
            None,
        ],
        "max_categories": [Interval(int, 1, None, closed="left"), None],
    }

    def _fit_categories(self, X: Any, unknown_is_error: bool) -> tuple[list[np.ndarray], int]:
        """Learn ``categories_`` (and counts); returns the columns and the row count."""
        owner = type(self).__name__
        with_counts = (
            getattr(self, "min_frequency", None) is not None
            or getattr(self, "max_categories", None) is not None
        )
        columns, n_samples = read_columns(self, X, reset=True)
        labels = column_labels(self, range(len(columns)), len(columns))
        if self.categories != "auto" and len(self.categories) != len(columns):
            raise DataValidationError(
                f"categories has {len(self.categories)} lists but X has {len(columns)} "
                "columns; give one list of categories per column."
            )
        self.categories_, self._counts = [], []
        for j, values in enumerate(columns):
            if self.categories == "auto":
                categories, counts = fit_column(values, labels[j], owner, counts=with_counts)
            else:
                categories, counts = check_categories(self.categories[j], values, labels[j], owner)
                if unknown_is_error:
                    self._check_known(values, categories, labels[j], "given categories")
            self.categories_.append(categories)
            self._counts.append(counts)
        return columns, n_samples

    def _fit_infrequent(self, n_samples: int, skip_missing: bool) -> None:
        """Find infrequent categories per column (``_infrequent`` and ``_grouping``)."""
        min_frequency = getattr(self, "min_frequency", None)
        max_categories = getattr(self, "max_categories", None)
        self._infrequent_enabled = min_frequency is not None or max_categories is not None
        self._infrequent, self._grouping = [], []
        for categories, counts in zip(self.categories_, self._counts, strict=True):
            n = categories.size - int(skip_missing and _ends_with_nan(categories))
            infrequent = None
            if self._infrequent_enabled:
                infrequent = group_infrequent(counts[:n], n_samples, min_frequency, max_categories)
            self._infrequent.append(infrequent)
            self._grouping.append(grouping_map(n, infrequent))

    @property
    def infrequent_categories_(self) -> list[np.ndarray | None]:
        """The infrequent categories of each column (None where there are none)."""
        if not getattr(self, "_infrequent_enabled", False):
            raise AttributeError(
                "infrequent_categories_ exists only when min_frequency or max_categories is set."
            )
        return [
            None if positions is None else categories[positions]
            for categories, positions in zip(self.categories_, self._infrequent, strict=True)
        ]

    def _check_known(self, values: np.ndarray, categories: np.ndarray, label: Any, source: str):
        codes = encode_column(values, categories)
        if (codes < 0).any():
            self._raise_unknown(values, codes, label, source)

    def _raise_unknown(self, values: np.ndarray, codes: np.ndarray, label: Any, source: str):
        """Unknown values of a column: name them, count their rows, say what to do."""
        unknown = values[codes < 0]
        shown = list(dict.fromkeys(unknown.tolist()))
        more = f", ... ({len(shown) - 10} more)" if len(shown) > 10 else ""
        raise DataValidationError(
            f"Column {label!r} has values that are not among its {source}: {shown[:10]}{more} "
            f"({unknown.size} rows). {type(self).__name__}(handle_unknown='error') cannot encode "
            f"them; pass {self._unknown_advice()}, or fit on data that includes them."
        )

    def _codes(self, X: Any, columns: list | None = None) -> tuple[list[np.ndarray], int]:
        """Codes of every column of ``X`` against ``categories_`` (-1 for unknown values).

        ``columns`` are X's columns when already read (in ``fit``).
        """
        if columns is None:
            columns, n_samples = read_columns(self, X, reset=False)
        else:
            n_samples = columns[0].shape[0]
        labels = column_labels(self, range(len(columns)), len(columns))
        codes = []
        for j, values in enumerate(columns):
            column_codes = encode_column(values, self.categories_[j])
            if getattr(self, "handle_unknown", "ignore") == "error" and (column_codes < 0).any():
                self._raise_unknown(values, column_codes, labels[j], "categories seen at fit")
            codes.append(column_codes)
        return codes, n_samples

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.string_input = True
        return tags

    def __sklearn_tags__(self) -> Any:
        # scikit-learn's own encoders say "categorical, not string": its string check
        # expects any object in a column to be accepted, whereas lemma refuses a column
        # that mixes types (see the DataTypeError in _categories).
        tags = super().__sklearn_tags__()
        tags.input_tags.string = False
        tags.input_tags.categorical = True
        return tags


def _ends_with_nan(categories: np.ndarray) -> bool:
    return categories.size > 0 and is_nan(categories[-1])


# ----------------------------------------------------------------------------- one-hot
@njit(cache=True)
def _fill_one_hot(out, positions):  # pragma: no cover - compiled
    """Set ``out[i, positions[i, j]] = 1`` row by row (-1: leave the row's block at 0)."""
    for i in range(positions.shape[0]):
        for j in range(positions.shape[1]):
            if positions[i, j] >= 0:
                out[i, positions[i, j]] = 1


def _valid_drop(value: Any) -> bool:
    return value is None or value in ("first", "if_binary") or hasattr(value, "__len__")


class OneHotEncoder(_CategoricalEncoder):
    """Encode each categorical column as 0/1 indicator columns, one per category.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories of each column; "auto" takes the sorted distinct values seen at fit.
    drop : {"first", "if_binary"}, array-like or None, default=None
        Category to encode as the all-zero row: the first of each column, the first
        of two-category columns only, or ``drop[j]`` for column j. Applied after
        infrequent categories are merged.
    handle_unknown : {"error", "ignore", "infrequent_if_exist", "warn"}, default="error"
        A category not seen at fit: raise an error naming the column and the values;
        encode as all zeros ("ignore"); encode as the infrequent category if the
        column has one, else all zeros ("infrequent_if_exist"); or do the latter
        with a warning ("warn").
    min_frequency : int or float in (0, 1), default=None
        Categories seen fewer times (or in a smaller share of rows) are infrequent.
    max_categories : int, default=None
        At most this many output columns per input column, the infrequent one included.
    dtype : number type, default=np.float64
        Dtype of the output.
    sparse_output : bool, default=False
        Only False: lemma's output is dense. Accepted so that code written for
        scikit-learn (``sparse_output=False``) runs unchanged.

    Attributes
    ----------
    categories_ : list of ndarray
        Categories of each column (missing values last).
    drop_idx_ : ndarray of object or None
        Index in ``categories_[j]`` of the dropped category (None: nothing dropped).
    infrequent_categories_ : list of ndarray or None
        Only with ``min_frequency`` or ``max_categories``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    Output names are ``<column>_<category>`` (``str(category)``, so a missing value
    gives ``<column>_nan``); the merged rare categories are
    ``<column>_infrequent_sklearn``, scikit-learn's name. A column mixing strings
    and numbers is refused with a :class:`~lemma.exceptions.DataTypeError`.

    Examples
    --------
    >>> from lemma.prep import OneHotEncoder
    >>> X = [["Male", 1], ["Female", 3], ["Female", 2]]
    >>> encoder = OneHotEncoder(handle_unknown="ignore").fit(X)
    >>> encoder.get_feature_names_out(["gender", "group"]).tolist()
    ['gender_Female', 'gender_Male', 'group_1', 'group_2', 'group_3']
    >>> encoder.transform([["Female", 1], ["Male", 4]])
    array([[1., 0., 1., 0., 0.],
           [0., 1., 0., 0., 0.]])
    """

    _parameter_constraints = {
        **_CategoricalEncoder._parameter_constraints,
        "drop": [satisfies(_valid_drop, "'first', 'if_binary', an array-like or None")],
        "handle_unknown": [Options({"error", "ignore", "infrequent_if_exist", "warn"})],
        "sparse_output": [Options({False})],
    }

    def __init__(
        self,
        *,
        categories: str | list = "auto",
        drop: Any = None,
        handle_unknown: str = "error",
        min_frequency: int | float | None = None,
        max_categories: int | None = None,
        dtype: Any = np.float64,
        sparse_output: bool = False,
    ):
        self.categories = categories
        self.drop = drop
        self.handle_unknown = handle_unknown
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.dtype = dtype
        self.sparse_output = sparse_output

    def _unknown_advice(self) -> str:
        return "handle_unknown='ignore' (all-zero row) or 'infrequent_if_exist'"

    def fit(self, X: Any, y: Any = None) -> OneHotEncoder:
        """Learn the categories of each column (and the infrequent and dropped ones).

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
        _, n_samples = self._fit_categories(X, unknown_is_error=self.handle_unknown == "error")
        self._fit_infrequent(n_samples, skip_missing=False)
        self._set_drop()
        self._n_out = [self._grouped(j).size - (d is not None) for j, d in enumerate(self._drop)]
        return self

    def _grouped(self, j: int) -> np.ndarray:
        """Output categories of column j before dropping (infrequent ones merged, last)."""
        categories = self.categories_[j]
        mapping = self._grouping[j]
        if mapping is None:
            return categories
        frequent = categories[mapping < mapping.max()]
        return np.concatenate([frequent, np.asarray([_INFREQUENT], dtype=object)])

    def _set_drop(self) -> None:
        """``_drop`` (index after grouping, per column) and the public ``drop_idx_``."""
        n = len(self.categories_)
        if self.drop is None:
            self._drop, self.drop_idx_ = [None] * n, None
            return
        if isinstance(self.drop, str):
            sizes = [self._grouped(j).size for j in range(n)]
            rule = {"first": lambda k: 0, "if_binary": lambda k: 0 if k == 2 else None}
            self._drop = [rule[self.drop](k) for k in sizes]
        else:
            self._drop = self._drop_from_values()
        self.drop_idx_ = np.asarray(
            [self._original_index(j, d) for j, d in enumerate(self._drop)], dtype=object
        )

    def _drop_from_values(self) -> list[int]:
        values = list(self.drop)
        labels = column_labels(self, range(len(self.categories_)))
        if len(values) != len(self.categories_):
            raise ParameterError(
                f"drop has {len(values)} values but X has {len(self.categories_)} columns; "
                "give one category to drop per column."
            )
        out = []
        for j, value in enumerate(values):
            codes = encode_column(np.asarray([value], dtype=object), self.categories_[j])
            if codes[0] < 0:
                raise ParameterError(
                    f"drop asks to drop {value!r} from column {labels[j]!r}, but that category "
                    f"was not seen at fit (categories: {list(self.categories_[j])})."
                )
            infrequent = self._infrequent[j]
            if infrequent is not None and codes[0] in infrequent:
                raise ParameterError(
                    f"Unable to drop category {value!r} from column {labels[j]!r} because it "
                    "is infrequent; drop another category or lower min_frequency."
                )
            mapping = self._grouping[j]
            out.append(int(codes[0] if mapping is None else mapping[codes[0]]))
        return out

    def _original_index(self, j: int, dropped: int | None) -> int | None:
        mapping = self._grouping[j]
        if dropped is None or mapping is None:
            return dropped
        return int(np.flatnonzero(mapping == dropped)[0])

    def transform(self, X: Any) -> Any:
        """One 0/1 column per (kept) category of each input column.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features_out)
        """
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        check_is_fitted(self)
        codes, n_samples = self._codes(X)
        offsets = np.concatenate([[0], np.cumsum(self._n_out)]).astype(np.int64)
        positions = np.empty((n_samples, len(codes)), dtype=np.int64)
        unknown_columns = []
        for j, column_codes in enumerate(codes):
            grouped, had_unknown = self._output_codes(j, column_codes)
            if had_unknown:
                unknown_columns.append(j)
            positions[:, j] = np.where(grouped >= 0, grouped + offsets[j], -1)
        self._warn_unknown(unknown_columns)
        out = np.zeros((n_samples, int(offsets[-1])), dtype=self.dtype)
        _fill_one_hot(out, positions)
        return self._wrap_output(out, X)

    def _output_codes(self, j: int, codes: np.ndarray) -> tuple[np.ndarray, bool]:
        """Column j's output position per row (-1: all zeros) and whether it had unknowns."""
        unknown = codes < 0
        mapping, infrequent = self._grouping[j], self._infrequent[j]
        grouped = codes.copy() if mapping is None else mapping[np.maximum(codes, 0)]
        to_infrequent = self.handle_unknown in ("infrequent_if_exist", "warn")
        grouped[unknown] = mapping.max() if (to_infrequent and infrequent is not None) else -1
        dropped = self._drop[j]
        if dropped is not None:
            grouped[grouped == dropped] = -1
            grouped[grouped > dropped] -= 1
        return grouped, bool(unknown.any())

    def _warn_unknown(self, columns: list[int]) -> None:
        if not columns:
            return
        if self.handle_unknown != "warn" and self.drop is None:
            return
        into = "as the infrequent category" if self.handle_unknown != "ignore" else "as all zeros"
        labels = column_labels(self, columns)
        warnings.warn(
            f"Found unknown categories in columns {labels} during transform; they are encoded "
            f"{into} (with drop set, all zeros is also the dropped category's code).",
            LemmaWarning,
            stacklevel=3,
        )

    def inverse_transform(self, X: Any) -> np.ndarray:
        """The category of each row and column (None for an all-zero unknown row).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)

        Returns
        -------
        ndarray of object of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        data = check_array(X)
        if data.shape[1] != sum(self._n_out):
            raise DataValidationError(
                f"X has {data.shape[1]} columns but OneHotEncoder outputs {sum(self._n_out)}; "
                "pass the output of transform."
            )
        out = np.empty((data.shape[0], len(self.categories_)), dtype=object)
        start = 0
        for j, width in enumerate(self._n_out):
            grouped, dropped = self._grouped(j), self._drop[j]
            kept = grouped if dropped is None else np.delete(grouped, dropped)
            block = data[:, start : start + width]
            start += width
            zero = block.sum(axis=1) == 0 if width else np.ones(data.shape[0], dtype=bool)
            if width:
                out[:, j] = kept[block.argmax(axis=1)]
            if dropped is not None:
                out[zero, j] = grouped[dropped]
            elif zero.any() and self.handle_unknown == "error":
                raise DataValidationError(
                    f"Rows {np.flatnonzero(zero)[:10].tolist()} are all zeros for column "
                    f"{column_labels(self, [j])[0]!r}, which cannot be inverted when drop=None "
                    "and handle_unknown='error'."
                )
            else:
                out[zero, j] = None
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_<category>`` for every output column."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        out = []
        for j, name in enumerate(names):
            grouped = self._grouped(j)
            if self._drop[j] is not None:
                grouped = np.delete(grouped, self._drop[j])
            out.extend(f"{name}_{category}" for category in grouped)
        return np.asarray(out, dtype=object)


# ----------------------------------------------------------------------------- ordinal
class OrdinalEncoder(OneToOneFeatureMixin, _CategoricalEncoder):
    """Encode each categorical column as the integer position of its category.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories of each column; "auto" takes the sorted distinct values seen at fit.
    handle_unknown : {"error", "use_encoded_value"}, default="error"
        A category not seen at fit raises an error naming the column and the values,
        or is encoded as ``unknown_value``.
    unknown_value : int or np.nan, default=None
        Code of unknown categories with ``handle_unknown="use_encoded_value"``; it must
        not be the code of a known category.
    encoded_missing_value : int or np.nan, default=np.nan
        Code of a missing value (NaN), which is kept apart from the categories.
    min_frequency : int or float in (0, 1), default=None
        Categories seen fewer times (or in a smaller share of rows) share one code,
        after the frequent ones.
    max_categories : int, default=None
        At most this many codes per column, the infrequent one included.
    dtype : number type, default=np.float64
        Dtype of the output.

    Attributes
    ----------
    categories_ : list of ndarray
    infrequent_categories_ : list of ndarray or None
        Only with ``min_frequency`` or ``max_categories``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import OrdinalEncoder
    >>> X = np.array([["low"], ["high"], [np.nan], ["mid"]], dtype=object)
    >>> OrdinalEncoder().fit_transform(X).ravel()
    array([ 1.,  0., nan,  2.])
    """

    _parameter_constraints = {
        **_CategoricalEncoder._parameter_constraints,
        "handle_unknown": [Options({"error", "use_encoded_value"})],
        "unknown_value": [instance_of(numbers.Integral), satisfies(is_nan, "np.nan"), None],
        "encoded_missing_value": [instance_of(numbers.Integral), satisfies(is_nan, "np.nan")],
    }

    def __init__(
        self,
        *,
        categories: str | list = "auto",
        handle_unknown: str = "error",
        unknown_value: int | float | None = None,
        encoded_missing_value: int | float = np.nan,
        min_frequency: int | float | None = None,
        max_categories: int | None = None,
        dtype: Any = np.float64,
    ):
        self.categories = categories
        self.handle_unknown = handle_unknown
        self.unknown_value = unknown_value
        self.encoded_missing_value = encoded_missing_value
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.dtype = dtype

    def _unknown_advice(self) -> str:
        return "handle_unknown='use_encoded_value' with unknown_value=-1"

    def fit(self, X: Any, y: Any = None) -> OrdinalEncoder:
        """Learn the categories of each column.

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
        self._check_unknown_value()
        _, n_samples = self._fit_categories(X, unknown_is_error=self.handle_unknown == "error")
        self._fit_infrequent(n_samples, skip_missing=True)
        self._check_codes_free()
        return self

    def _check_unknown_value(self) -> None:
        floating = np.dtype(self.dtype).kind == "f"
        if self.handle_unknown == "use_encoded_value":
            if self.unknown_value is None:
                raise ParameterError(
                    "handle_unknown='use_encoded_value' needs unknown_value (an int such as -1, "
                    "or np.nan with a float dtype)."
                )
            if is_nan(self.unknown_value) and not floating:
                raise ParameterError(
                    f"unknown_value=np.nan needs a float dtype; got dtype={self.dtype}."
                )
        elif self.unknown_value is not None:
            raise ParameterError(
                "unknown_value is only used with handle_unknown='use_encoded_value'; got "
                f"unknown_value={self.unknown_value!r} with handle_unknown={self.handle_unknown!r}."
            )

    def _cardinality(self, j: int) -> int:
        mapping = self._grouping[j]
        return int(mapping.max()) + 1 if mapping is not None else self._n_categories(j)

    def _n_categories(self, j: int) -> int:
        return self.categories_[j].size - int(_ends_with_nan(self.categories_[j]))

    def _check_codes_free(self) -> None:
        """unknown_value and encoded_missing_value must not be codes of known categories."""
        labels = column_labels(self, range(len(self.categories_)))
        for j in range(len(self.categories_)):
            k = self._cardinality(j)
            if self.handle_unknown == "use_encoded_value" and 0 <= self.unknown_value < k:
                raise ParameterError(
                    f"unknown_value={self.unknown_value} is already the code of a category of "
                    f"column {labels[j]!r} (codes 0..{k - 1}); use a negative value or np.nan."
                )
            if not _ends_with_nan(self.categories_[j]):
                continue
            if is_nan(self.encoded_missing_value) and np.dtype(self.dtype).kind != "f":
                raise ParameterError(
                    f"Column {labels[j]!r} has missing values, encoded as np.nan, which needs a "
                    f"float dtype (got {self.dtype}); set encoded_missing_value to an int."
                )
            if 0 <= self.encoded_missing_value < k:
                raise ParameterError(
                    f"encoded_missing_value={self.encoded_missing_value} is already the code of "
                    f"a category of column {labels[j]!r}; use a negative value or np.nan."
                )

    def transform(self, X: Any) -> Any:
        """Category codes of each column (missing → encoded_missing_value).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features_in_)
        """
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        check_is_fitted(self)
        codes, n_samples = self._codes(X)
        out = np.empty((n_samples, len(codes)), dtype=self.dtype)
        for j, column_codes in enumerate(codes):
            unknown = column_codes < 0
            missing = _ends_with_nan(self.categories_[j]) & (column_codes == self._n_categories(j))
            mapping = self._grouping[j]
            values = column_codes.copy()
            if mapping is not None:
                regular = ~unknown & ~missing
                values[regular] = mapping[column_codes[regular]]
            out[:, j] = values
            out[missing, j] = self.encoded_missing_value
            if unknown.any():
                out[unknown, j] = self.unknown_value
        return self._wrap_output(out, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """The category of each code (None for unknown, "infrequent_sklearn" for merged).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of object of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        data = check_array(X, allow_nan=True)
        if data.shape[1] != len(self.categories_):
            raise DataValidationError(
                f"X has {data.shape[1]} columns but OrdinalEncoder was fitted on "
                f"{len(self.categories_)}; pass the output of transform."
            )
        out = np.empty(data.shape, dtype=object)
        for j, categories in enumerate(self.categories_):
            codes = data[:, j]
            missing = _same(codes, self.encoded_missing_value) & _ends_with_nan(categories)
            unknown = (
                _same(codes, self.unknown_value) & ~missing
                if self.handle_unknown == "use_encoded_value"
                else np.zeros(codes.shape, dtype=bool)
            )
            regular = ~missing & ~unknown
            labels = self._output_categories(j)
            out[regular, j] = labels[codes[regular].astype(np.int64)]
            out[missing, j] = np.nan
            out[unknown, j] = None
        return out

    def _output_categories(self, j: int) -> np.ndarray:
        categories = self.categories_[j][: self._n_categories(j)]
        mapping = self._grouping[j]
        if mapping is None:
            return categories
        frequent = categories[mapping < mapping.max()]
        return np.concatenate([frequent, np.asarray([_INFREQUENT], dtype=object)])


def _same(values: np.ndarray, target: Any) -> np.ndarray:
    return np.isnan(values) if is_nan(target) else values == target
