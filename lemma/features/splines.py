"""B-spline features: each column expanded into a basis of piecewise polynomials.

For a degree k and knots t₀ ≤ t₁ ≤ … ≤ t_{m−1} the B-splines are defined by the
Cox–de Boor recursion

    B_{i,0}(x) = 1 if t_i ≤ x < t_{i+1}, else 0
    B_{i,k}(x) = (x − t_i)/(t_{i+k} − t_i) · B_{i,k−1}(x)
               + (t_{i+k+1} − x)/(t_{i+k+1} − t_{i+1}) · B_{i+1,k−1}(x),

with derivative B'_{i,k} = k [B_{i,k−1}/(t_{i+k} − t_i) − B_{i+1,k−1}/(t_{i+k+1} − t_{i+1})].
On [t_l, t_{l+1}) only B_{l−k,k} … B_{l,k} are non-zero; they are computed together by
de Boor's triangular scheme (BSPLVB) in O(k²) per value, and they sum to 1 (a
partition of unity, so the basis contains the constant).

Knots: n_knots "base" knots from the minimum to the maximum of the column, evenly
spaced (``uniform``) or at evenly spaced quantiles (``quantile``), extended by k knots
on each side at the spacing of the end intervals, so that there are
n_knots + k − 1 basis functions per column. Outside [first, last base knot] the
features are held at their boundary values (``constant``), continued along their
tangent there (``linear``), evaluated from the end polynomial pieces (``continue``),
refused (``error``), or, for ``periodic`` splines, computed at x modulo the period
(last − first base knot), the basis being wrapped so that the k first and k last
functions coincide (n_knots − 1 functions). This is scikit-learn's
``SplineTransformer``.

Reference: C. de Boor, *A Practical Guide to Splines*, revised ed., Springer (2001),
ch. IX–X.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import BOOL, Interval, Options, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names
from lemma.exceptions import DataValidationError, ParameterError
from lemma.features.discretize import weighted_quantile
from lemma.validation import check_array, check_is_fitted, check_sample_weight, validate_data

__all__ = ["SplineTransformer", "bspline_basis"]

_EXTRAPOLATIONS = ("error", "constant", "linear", "continue", "periodic")


# ----------------------------------------------------------------------------- basis
def _interval(t: np.ndarray, k: int, x: np.ndarray) -> np.ndarray:
    """Index l of the knot interval [t_l, t_{l+1}) holding x, clipped to the non-empty
    intervals of the base range (so x outside uses the end pieces)."""
    n_basis = t.size - k - 1
    candidates = np.arange(k, n_basis)
    open_ = candidates[t[candidates] < t[candidates + 1]]
    return np.clip(np.searchsorted(t, x, side="right") - 1, open_[0], open_[-1])


def _nonzero_basis(t: np.ndarray, k: int, x: np.ndarray, l: np.ndarray) -> np.ndarray:
    """B_{l−k,k}(x) … B_{l,k}(x) by de Boor's BSPLVB recurrence, shape (n, k + 1)."""
    b = np.zeros((x.size, k + 1))
    b[:, 0] = 1.0
    left = np.zeros((x.size, k + 1))
    right = np.zeros((x.size, k + 1))
    for j in range(1, k + 1):
        left[:, j] = x - t[l + 1 - j]
        right[:, j] = t[l + j] - x
        saved = np.zeros(x.size)
        for r in range(j):
            term = b[:, r] / (right[:, r + 1] + left[:, j - r])
            b[:, r] = saved + right[:, r + 1] * term
            saved = left[:, j - r] * term
        b[:, j] = saved
    return b


def bspline_basis(t: np.ndarray, k: int, x: np.ndarray, derivative: bool = False) -> np.ndarray:
    """Every B-spline of degree k on knots t (or its derivative) at the points x.

    Points outside [t_k, t_{m−k−1}] are evaluated from the end polynomial pieces.

    Parameters
    ----------
    t : ndarray of shape (m,)
        Nondecreasing knots.
    k : int
        Degree.
    x : ndarray of shape (n,)
    derivative : bool, default=False
        Return B'_{i,k}(x) instead.

    Returns
    -------
    ndarray of shape (n, m − k − 1)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.0, 0.0, 1.0, 2.0, 2.0])  # degree 1: hat functions
    >>> bspline_basis(t, 1, np.array([0.5, 1.0, 2.0]))
    array([[0.5, 0.5, 0. ],
           [0. , 1. , 0. ],
           [0. , 0. , 1. ]])
    """
    n_basis = t.size - k - 1
    l = _interval(t, k, x)
    if derivative:
        if k == 0:
            return np.zeros((x.size, n_basis))
        lower = _nonzero_basis(t, k - 1, x, l)  # B_{l−k+1,k−1} … B_{l,k−1}
        padded = np.zeros((x.size, k + 2))
        padded[:, 1:-1] = lower  # B_{l−k,k−1} = B_{l+1,k−1} = 0 on this interval
        i = l[:, None] - k + np.arange(k + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.where(t[i + k] > t[i], padded[:, :-1] / (t[i + k] - t[i]), 0.0)
            second = np.where(
                t[i + k + 1] > t[i + 1], padded[:, 1:] / (t[i + k + 1] - t[i + 1]), 0.0
            )
        values = k * (first - second)
    else:
        values = _nonzero_basis(t, k, x, l)
    out = np.zeros((x.size, n_basis))
    columns = l[:, None] - k + np.arange(k + 1)
    np.put_along_axis(out, columns, values, axis=1)
    return out


def _full_knots(base: np.ndarray, k: int, periodic: bool) -> np.ndarray:
    """Base knots extended by k knots on each side (shape (n_knots + 2k,))."""
    if periodic:
        period = base[-1] - base[0]
        return np.concatenate([base[-(k + 1) : -1] - period, base, base[1 : k + 1] + period])
    low_step, high_step = base[1] - base[0], base[-1] - base[-2]
    return np.concatenate(
        [
            np.linspace(base[0] - k * low_step, base[0] - low_step, num=k),
            base,
            np.linspace(base[-1] + high_step, base[-1] + k * high_step, num=k),
        ]
    )


def _is_knots(value: Any) -> bool:
    if isinstance(value, str):
        return value in ("uniform", "quantile")
    return hasattr(value, "__len__")


# ----------------------------------------------------------------------------- transformer
class SplineTransformer(TransformerMixin, BaseEstimator):
    """Expand every column into B-spline basis functions (scikit-learn's SplineTransformer).

    Parameters
    ----------
    n_knots : int, default=5
        Base knots per column (≥ 2), when ``knots`` is "uniform" or "quantile".
    degree : int, default=3
        Polynomial degree of the pieces (3: cubic splines).
    knots : {"uniform", "quantile"} or array-like of shape (n_knots, n_features)
        Knot placement, or the sorted base knots of every column.
    extrapolation : {"constant", "linear", "continue", "periodic", "error"}, default="constant"
        Features outside the base knots (module docstring).
    include_bias : bool, default=True
        Keep every basis function; False drops the last one of each column (the
        basis sums to 1, so with an intercept one is redundant).

    Attributes
    ----------
    knots_ : ndarray of shape (n_knots + 2·degree, n_features)
        Full knot vector of each column.
    n_splines_ : int
        Basis functions per column before ``include_bias``.
    n_features_out_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import SplineTransformer
    >>> X = np.linspace(0.0, 1.0, 5).reshape(-1, 1)
    >>> splines = SplineTransformer(n_knots=3, degree=2).fit(X)
    >>> splines.get_feature_names_out().tolist()
    ['x0_sp_0', 'x0_sp_1', 'x0_sp_2', 'x0_sp_3']
    >>> splines.transform(X).sum(axis=1)  # a partition of unity
    array([1., 1., 1., 1., 1.])
    """

    _parameter_constraints = {
        "n_knots": [Interval(int, 2, None, closed="left")],
        "degree": [Interval(int, 0, None, closed="left")],
        "knots": [satisfies(_is_knots, "'uniform', 'quantile' or an array-like")],
        "extrapolation": [Options(_EXTRAPOLATIONS)],
        "include_bias": [BOOL],
    }

    def __init__(
        self,
        n_knots: int = 5,
        degree: int = 3,
        *,
        knots: str | Any = "uniform",
        extrapolation: str = "constant",
        include_bias: bool = True,
    ):
        self.n_knots = n_knots
        self.degree = degree
        self.knots = knots
        self.extrapolation = extrapolation
        self.include_bias = include_bias

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> SplineTransformer:
        """Place the knots of every column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the quantile knots; zero-weight rows do not set uniform knots.

        Returns
        -------
        self
        """
        self._validate_params()
        data = validate_data(self, X, ensure_min_samples=2)
        weight = None if sample_weight is None else check_sample_weight(sample_weight, len(data))
        base = self._base_knots(data, weight)
        k, periodic = self.degree, self.extrapolation == "periodic"
        if periodic and base.shape[0] <= k:
            raise ParameterError(
                f"Periodic splines need degree < n_knots; got n_knots={base.shape[0]} and "
                f"degree={k}."
            )
        columns = [_full_knots(base[:, j], k, periodic) for j in range(data.shape[1])]
        self.knots_ = np.column_stack(columns)
        self.n_splines_ = base.shape[0] - 1 + (0 if periodic else k)
        self.n_features_out_ = data.shape[1] * (self.n_splines_ - (not self.include_bias))
        return self

    def _base_knots(self, data: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
        if isinstance(self.knots, str) and self.knots == "quantile":
            levels = np.linspace(0.0, 1.0, self.n_knots)
            if weight is None:
                return np.percentile(data, 100 * levels, axis=0).astype(np.float64)
            return np.column_stack(
                [weighted_quantile(col, weight, levels) for col in data.T]
            ).astype(np.float64)
        if isinstance(self.knots, str):
            rows = data if weight is None else data[weight > 0]
            return np.linspace(rows.min(axis=0), rows.max(axis=0), self.n_knots).astype(np.float64)
        base = check_array(self.knots, name="knots", dtype=np.float64)
        if base.shape[0] < 2 or base.shape[1] != data.shape[1]:
            raise ParameterError(
                f"knots must have shape (n_knots ≥ 2, n_features = {data.shape[1]}); got "
                f"{base.shape}."
            )
        if not np.all(np.diff(base, axis=0) > 0):
            raise ParameterError("knots must be sorted (increasing) in every column, no repeats.")
        return base

    def transform(self, X: Any) -> Any:
        """The basis functions of every column, column after column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features_out_)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False)
        blocks = [self._column(data[:, j].astype(np.float64), j) for j in range(data.shape[1])]
        out = np.hstack(blocks).astype(data.dtype, copy=False)
        return self._wrap_output(out, X)

    def _column(self, x: np.ndarray, j: int) -> np.ndarray:
        t, k = self.knots_[:, j], self.degree
        low, high = t[k], t[t.size - k - 1]
        if self.extrapolation == "periodic":
            x = low + (x - low) % (high - low) if high > low else np.zeros_like(x)
            basis = bspline_basis(t, k, x)
            wrapped = np.zeros((x.size, self.n_splines_))
            np.add.at(wrapped.T, np.arange(basis.shape[1]) % self.n_splines_, basis.T)
            basis = wrapped
        else:
            basis = self._extrapolated(t, k, x, low, high, j)
        return basis if self.include_bias else basis[:, :-1]

    def _extrapolated(self, t, k, x, low, high, j) -> np.ndarray:
        below, above = x < low, x > high
        if self.extrapolation == "error" and (below.any() or above.any()):
            label = _input_names(self)[j]
            raise DataValidationError(
                f"Column {label!r} has values outside the knots [{low:g}, {high:g}] "
                f"({int(below.sum() + above.sum())} rows) and extrapolation='error'; choose "
                "another extrapolation or fit on data covering them."
            )
        basis = bspline_basis(t, k, x)
        if self.extrapolation in ("continue", "error"):
            return basis
        for mask, edge in ((below, low), (above, high)):
            if not mask.any():
                continue
            point = np.array([edge])
            value = bspline_basis(t, k, point)
            if self.extrapolation == "linear":
                slope = bspline_basis(t, k, point, derivative=True)
                basis[mask] = value + (x[mask] - edge)[:, None] * slope
            else:
                basis[mask] = value
        return basis

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_sp_<j>`` for every basis function (scikit-learn's names)."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        width = self.n_splines_ - (not self.include_bias)
        return np.asarray([f"{name}_sp_{i}" for name in names for i in range(width)], dtype=object)
