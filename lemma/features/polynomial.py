"""Polynomial and interaction features: products of powers of the input columns.

For inputs x₁ … x_d and a maximum degree D the polynomial features are every monomial

    x^α = x₁^α₁ x₂^α₂ ⋯ x_d^α_d,     min_degree ≤ |α| = α₁ + … + α_d ≤ D,

plus the constant 1 (``include_bias``); with ``interaction_only`` each αⱼ ∈ {0, 1}
(products of distinct columns only). There are C(d + D, D) monomials of degree ≤ D
(C(d, k) of degree k without repeats). They are listed degree by degree, each degree
in lexicographic order of its sorted index tuple (i₁ ≤ i₂ ≤ … ≤ i_k), as scikit-learn
does, and computed by one product each from a monomial of the degree below:

    x_{i₁} x_{i₂} ⋯ x_{i_k} = x_{i₁} · (x_{i₂} ⋯ x_{i_k}),

so a row of degree-D features costs one multiplication per feature. The rows are
independent, and the kernel fills them in parallel (Numba) in the same order of
operations as scikit-learn, so the two agree to the last bit.

:class:`InteractionFeatures` gives the products x_a x_b of chosen pairs of columns,
or of all pairs among chosen columns, next to the inputs — the degree-2 interaction
terms of a linear model without its squares.

Reference: T. Hastie, R. Tibshirani and J. Friedman, *The Elements of Statistical
Learning*, 2nd ed. (2009), §5.1 (basis expansions).
"""

from __future__ import annotations

from itertools import chain, combinations, combinations_with_replacement
from typing import Any

import numba
import numpy as np

from lemma._constraints import BOOL, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names
from lemma.exceptions import DataValidationError, ParameterError
from lemma.validation import check_is_fitted, validate_data

__all__ = ["InteractionFeatures", "PolynomialFeatures", "monomial_powers"]

#: Rows × output columns above which the kernel runs on every thread.
_PARALLEL_MIN_SIZE = 1_000_000


# ----------------------------------------------------------------------------- monomials
def monomial_powers(
    n_features: int, min_degree: int, max_degree: int, interaction_only: bool, include_bias: bool
) -> list[tuple[int, ...]]:
    """Index tuples of the monomials in output order (``()`` is the constant 1).

    Parameters
    ----------
    n_features : int
    min_degree, max_degree : int
    interaction_only : bool
    include_bias : bool

    Returns
    -------
    list of tuple of int
        Each tuple lists the (sorted) columns multiplied together.

    Examples
    --------
    >>> monomial_powers(2, 1, 2, False, True)
    [(), (0,), (1,), (0, 0), (0, 1), (1, 1)]
    """
    pick = combinations if interaction_only else combinations_with_replacement
    degrees = range(max(1, min_degree), max_degree + 1)
    terms = chain.from_iterable(pick(range(n_features), k) for k in degrees)
    return ([()] if include_bias else []) + list(terms)


def _recipe(terms: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """For every term: its first column and the position of the rest among ``terms``.

    Degree-1 terms get source −1 (a copy of the column), the constant first = −1.
    """
    position = {term: k for k, term in enumerate(terms)}
    first = np.empty(len(terms), dtype=np.int64)
    source = np.empty(len(terms), dtype=np.int64)
    for k, term in enumerate(terms):
        first[k] = term[0] if term else -1
        source[k] = position[term[1:]] if len(term) > 1 else -1
    return first, source


@numba.njit(cache=True, nogil=True)
def _fill_row(x, out, i, first, source):  # pragma: no cover - compiled
    for k in range(first.size):
        j = first[k]
        if j < 0:
            out[i, k] = 1.0
        elif source[k] < 0:
            out[i, k] = x[i, j]
        else:
            out[i, k] = out[i, source[k]] * x[i, j]


@numba.njit(cache=True, nogil=True)
def _expand_serial(x, out, first, source):  # pragma: no cover - compiled
    for i in range(x.shape[0]):
        _fill_row(x, out, i, first, source)


@numba.njit(cache=True, nogil=True, parallel=True)
def _expand_parallel(x, out, first, source):  # pragma: no cover - compiled
    n_blocks = (x.shape[0] + 255) // 256
    for b in numba.prange(n_blocks):
        for i in range(b * 256, min((b + 1) * 256, x.shape[0])):
            _fill_row(x, out, i, first, source)


def _expand(X: np.ndarray, first: np.ndarray, source: np.ndarray) -> np.ndarray:
    out = np.empty((X.shape[0], first.size), dtype=X.dtype)
    kernel = _expand_parallel if out.size >= _PARALLEL_MIN_SIZE else _expand_serial
    kernel(np.ascontiguousarray(X), out, first, source)
    return out


def _term_name(term: tuple[int, ...], names: np.ndarray) -> str:
    if not term:
        return "1"
    columns, powers = np.unique(np.asarray(term), return_counts=True)
    return " ".join(
        str(names[j]) if p == 1 else f"{names[j]}^{p}" for j, p in zip(columns, powers, strict=True)
    )


def _is_degree(value: Any) -> bool:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return value >= 0
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1]
    )


# ----------------------------------------------------------------------------- polynomial
class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """Every monomial of the input columns up to a degree (scikit-learn's order and names).

    Parameters
    ----------
    degree : int or tuple (min_degree, max_degree), default=2
        Highest degree, or the range of degrees kept.
    interaction_only : bool, default=False
        Products of distinct columns only (no powers above 1).
    include_bias : bool, default=True
        Start with the constant column of ones.

    Attributes
    ----------
    powers_ : ndarray of int, shape (n_output_features_, n_features_in_)
        Exponent of each input column in each output column.
    n_output_features_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import PolynomialFeatures
    >>> poly = PolynomialFeatures(degree=2).fit(np.array([[2.0, 3.0]]))
    >>> poly.get_feature_names_out().tolist()
    ['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']
    >>> poly.transform([[2.0, 3.0]])
    array([[1., 2., 3., 4., 6., 9.]])
    """

    _parameter_constraints = {
        "degree": [satisfies(_is_degree, "an int ≥ 0 or a tuple (min_degree, max_degree)")],
        "interaction_only": [BOOL],
        "include_bias": [BOOL],
    }

    def __init__(
        self,
        degree: int | tuple[int, int] = 2,
        *,
        interaction_only: bool = False,
        include_bias: bool = True,
    ):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Enumerate the monomials of the columns of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        data = validate_data(self, X)
        low, high = self.degree if isinstance(self.degree, tuple) else (0, self.degree)
        if high == 0 and not self.include_bias:
            raise ParameterError(
                "PolynomialFeatures(degree=0, include_bias=False) would output no column; "
                "raise degree or set include_bias=True."
            )
        d = data.shape[1]
        self._terms = monomial_powers(d, low, high, self.interaction_only, self.include_bias)
        full = monomial_powers(d, 1, high, self.interaction_only, self.include_bias)
        self._first, self._source = _recipe(full)
        position = {term: k for k, term in enumerate(full)}
        self._keep = np.asarray([position[term] for term in self._terms], dtype=np.int64)
        self.powers_ = np.zeros((len(self._terms), d), dtype=np.int64)
        for k, term in enumerate(self._terms):
            np.add.at(self.powers_[k], list(term), 1)
        self.n_output_features_ = len(self._terms)
        return self

    def transform(self, X: Any) -> Any:
        """The monomials of every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_output_features_)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False)
        out = _expand(data, self._first, self._source)
        if self._keep.size != self._first.size:
            out = out[:, self._keep]
        return self._wrap_output(out, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``1``, ``x0``, ``x0^2``, ``x0 x1``, ... (scikit-learn's names)."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        return np.asarray([_term_name(term, names) for term in self._terms], dtype=object)


# ----------------------------------------------------------------------------- interactions
def _is_pairs(value: Any) -> bool:
    return value is None or (
        isinstance(value, list | tuple)
        and all(isinstance(p, list | tuple) and len(p) == 2 for p in value)
    )


def _is_columns(value: Any) -> bool:
    return value is None or (isinstance(value, list | tuple) and not isinstance(value, str))


def resolve_columns(estimator: Any, refs: Any, what: str) -> list[int]:
    """Positions of the columns named or indexed by ``refs`` (names need a DataFrame fit).

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.features import InteractionFeatures
    >>> step = InteractionFeatures().fit(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    >>> resolve_columns(step, ["b", 0], "columns")
    [1, 0]
    """
    names = getattr(estimator, "feature_names_in_", None)
    n = estimator.n_features_in_
    owner = type(estimator).__name__
    positions = []
    for ref in refs:
        if isinstance(ref, int | np.integer) and not isinstance(ref, bool):
            if not -n <= ref < n:
                raise ParameterError(
                    f"{owner}: {what} refers to column {ref}, but X has {n} columns."
                )
            positions.append(int(ref) % n)
        elif isinstance(ref, str) and names is not None and ref in set(names):
            positions.append(int(np.flatnonzero(names == ref)[0]))
        else:
            known = "" if names is None else f" Known columns: {list(names)[:20]}."
            raise ParameterError(
                f"{owner}: {what} refers to {ref!r}, which is not a column of X (give column "
                f"names when fitting a DataFrame, positions otherwise).{known}"
            )
    return positions


class InteractionFeatures(TransformerMixin, BaseEstimator):
    """Products x_a·x_b of chosen pairs of columns, or of all pairs of chosen columns.

    Parameters
    ----------
    pairs : list of (column, column) or None, default=None
        The pairs to multiply (names with DataFrame input, or positions).
    columns : list of column or None, default=None
        Without ``pairs``: every pair among these columns (None: all columns).
    include_input : bool, default=True
        Output the input columns first, then the products.

    Attributes
    ----------
    pairs_ : ndarray of int, shape (n_pairs, 2)
        Positions of the multiplied columns, in output order.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.features import InteractionFeatures
    >>> X = pd.DataFrame({"age": [30.0, 40.0], "income": [2.0, 3.0], "kids": [1.0, 0.0]})
    >>> step = InteractionFeatures([("age", "income")], include_input=False).fit(X)
    >>> step.transform(X)
       age income
    0       60.0
    1      120.0
    >>> InteractionFeatures(columns=["age", "kids", "income"]).fit(X).pairs_.tolist()
    [[0, 2], [0, 1], [2, 1]]
    """

    _parameter_constraints = {
        "pairs": [satisfies(_is_pairs, "a list of (column, column) pairs or None")],
        "columns": [satisfies(_is_columns, "a list of columns or None")],
        "include_input": [BOOL],
    }

    def __init__(self, pairs: Any = None, *, columns: Any = None, include_input: bool = True):
        self.pairs = pairs
        self.columns = columns
        self.include_input = include_input

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def fit(self, X: Any, y: Any = None) -> InteractionFeatures:
        """Resolve the pairs against the columns of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        validate_data(self, X)
        if self.pairs is not None:
            flat = resolve_columns(self, [ref for pair in self.pairs for ref in pair], "pairs")
            pairs = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
        else:
            chosen = range(self.n_features_in_) if self.columns is None else self.columns
            positions = resolve_columns(self, list(chosen), "columns")
            if len(set(positions)) != len(positions):
                raise ParameterError(f"InteractionFeatures: columns repeats a column: {chosen}.")
            pairs = np.asarray(list(combinations(positions, 2)), dtype=np.int64).reshape(-1, 2)
        same = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
        if same.size:
            raise ParameterError(
                f"InteractionFeatures: pair {self.pairs[same[0]]!r} multiplies a column by "
                "itself; use PolynomialFeatures for squares."
            )
        if pairs.shape[0] == 0 and not self.include_input:
            raise DataValidationError(
                "InteractionFeatures has no pair to multiply (fewer than two columns chosen) "
                "and include_input=False, so it would output nothing."
            )
        self.pairs_ = pairs
        return self

    def transform(self, X: Any) -> Any:
        """The inputs (if ``include_input``) followed by the products of the pairs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False)
        products = data[:, self.pairs_[:, 0]] * data[:, self.pairs_[:, 1]]
        out = np.hstack([data, products]) if self.include_input else products
        return self._wrap_output(out, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names (if kept), then ``a b`` for each product."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        products = [f"{names[a]} {names[b]}" for a, b in self.pairs_]
        kept = list(names) if self.include_input else []
        return np.asarray(kept + products, dtype=object)
