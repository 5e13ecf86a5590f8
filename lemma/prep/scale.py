"""Scalers: centre and scale each column by a location and a spread learnt at fit.

Standard scaling (weights wᵢ ≥ 0, observed entries only)::

    z = (x − μ) / σ,   μ = Σ wᵢ xᵢ / Σ wᵢ,   σ² = M₂ / Σ wᵢ,   M₂ = Σ wᵢ (xᵢ − μ)²

M₂ of one batch is the corrected two-pass sum ``Σ wᵢ (xᵢ − x̄)² − (Σ wᵢ (xᵢ − x̄))² / Σ wᵢ``
(the second term removes the rounding error of x̄). Batches A and B combine by the
pairwise update of Chan, Golub & LeVeque (1983, eq. 1.5a,b), which is what
``partial_fit`` does::

    n = n_A + n_B,   μ = (n_A μ_A + n_B μ_B) / n,   M₂ = M₂_A + M₂_B + (n_A n_B / n)(μ_A − μ_B)²

Min-max scaling maps [min, max] of each column onto ``feature_range = (a, b)``::

    x' = a + (x − min) (b − a) / (max − min)

Robust scaling uses the median and an inter-quantile range (by default the
inter-quartile range Q₃ − Q₁), optionally divided by Φ⁻¹(q_max) − Φ⁻¹(q_min) so that a
normal column gets unit variance::

    x' = (x − median) / (Q_{q_max} − Q_{q_min})

A spread that is zero up to rounding (a constant column) is replaced by 1, so
the column is only centred. Missing values (NaN) are ignored when fitting and
pass through ``transform``. As in scikit-learn, σ uses the divisor Σ wᵢ (ddof = 0).

Reference: T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing the
sample variance: analysis and recommendations", The American Statistician 37 (1983).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import BOOL, satisfies
from lemma.base import BaseEstimator, OneToOneFeatureMixin, Tags, TransformerMixin
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError, ParameterError
from lemma.validation import check_array, check_is_fitted, check_sample_weight, validate_data

__all__ = ["MinMaxScaler", "RobustScaler", "StandardScaler", "batch_moments", "combine_moments"]

_EPS = np.finfo(np.float64).eps


# ----------------------------------------------------------------------------- moments
def batch_moments(
    X: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column weight total, mean and centred sum of squares M₂ of one batch.

    NaN entries are left out. Accumulates in float64 whatever the dtype of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    count, mean, m2 : ndarray of shape (n_features,)
        ``count`` is the number of observed rows (or the sum of their weights).

    Examples
    --------
    >>> import numpy as np
    >>> count, mean, m2 = batch_moments(np.array([[1.0], [2.0], [np.nan], [6.0]]))
    >>> count, mean, m2
    (array([3.]), array([3.]), array([14.]))
    """
    observed = ~np.isnan(X) if np.isnan(X.sum()) else None
    if sample_weight is None:
        if observed is None:
            count = np.full(X.shape[1], float(X.shape[0]))
            total = X.sum(axis=0, dtype=np.float64)
        else:
            count = observed.sum(axis=0).astype(np.float64)
            total = X.sum(axis=0, dtype=np.float64, where=observed)
    else:
        w = sample_weight.astype(np.float64)
        if observed is None:
            count = np.full(X.shape[1], w.sum())
            total = w @ X
        else:
            count = w @ observed
            total = w @ np.where(observed, X, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    centred = X - mean
    if observed is not None:
        centred[~observed] = 0.0
    if sample_weight is None:
        correction = centred.sum(axis=0)
        squares = np.einsum("ij,ij->j", centred, centred)
    else:
        correction = w @ centred
        squares = w @ (centred * centred)
    with np.errstate(invalid="ignore", divide="ignore"):
        m2 = squares - correction**2 / count
    return count, mean, m2


def combine_moments(
    a: tuple[np.ndarray, np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chan–Golub–LeVeque pairwise update of (count, mean, M₂) for two batches.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0], [2.0], [4.0], [7.0]])
    >>> merged = combine_moments(batch_moments(x[:1]), batch_moments(x[1:]))
    >>> [float(v[0]) for v in merged], [float(v[0]) for v in batch_moments(x)]
    ([4.0, 3.5, 21.0], [4.0, 3.5, 21.0])
    """
    n_a, mean_a, m2_a = a
    n_b, mean_b, m2_b = b
    n = n_a + n_b
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (n_a * mean_a + n_b * mean_b) / n
        m2 = m2_a + m2_b + n_a * n_b / n * (mean_a - mean_b) ** 2
    m2 = np.where(n_a == 0, m2_b, np.where(n_b == 0, m2_a, m2))
    mean = np.where(n_a == 0, mean_b, np.where(n_b == 0, mean_a, mean))
    return n, mean, m2


def _is_constant(var: np.ndarray, mean: np.ndarray, n: Any) -> np.ndarray:
    """Variance indistinguishable from 0 given the rounding error bound of the two-pass sum."""
    return var <= n * _EPS * var + (n * mean * _EPS) ** 2


def _safe_scale(scale: np.ndarray, constant: np.ndarray | None = None) -> np.ndarray:
    """Replace a zero (or rounding-level) spread by 1."""
    scale = np.array(scale, copy=True)
    if constant is None:
        constant = scale < 10 * np.finfo(scale.dtype).eps
    scale[constant] = 1.0
    return scale


def _read(estimator: Any, X: Any, reset: bool) -> np.ndarray:
    return validate_data(estimator, X, reset=reset, allow_nan=True)


def _read_inverse(estimator: Any, X: Any) -> np.ndarray:
    X = check_array(X, allow_nan=True, estimator_name=type(estimator).__name__)
    if X.shape[1] != estimator.n_features_in_:
        raise DataValidationError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return X


class _Scaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Shared tags: NaN passes through, float32 stays float32."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.preserves_dtype = ["float64", "float32"]
        return tags


# ----------------------------------------------------------------------------- standard
class StandardScaler(_Scaler):
    """Standardise each column: ``z = (x − μ) / σ`` (see the module docstring).

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation (a constant column gets σ = 1).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        Weighted mean of each column (None when neither centring nor scaling).
    var_ : ndarray of shape (n_features,) or None
        Weighted variance (divisor Σ wᵢ); None when ``with_std=False``.
    scale_ : ndarray of shape (n_features,) or None
        σ, with 1 for constant columns; None when ``with_std=False``.
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Rows seen per column (sum of weights when weighted); one number when it is
        the same for every column.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import StandardScaler
    >>> X = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    >>> scaler = StandardScaler().fit(X)
    >>> scaler.mean_, scaler.scale_.round(4)
    (array([ 2., 10.]), array([1.633, 1.   ]))
    >>> scaler.transform([[4.0, 10.0]]).round(4)
    array([[1.2247, 0.    ]])
    """

    _parameter_constraints = {"with_mean": [BOOL], "with_std": [BOOL]}

    def __init__(self, *, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Compute the mean and standard deviation of each column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        for name in ("mean_", "var_", "scale_", "n_samples_seen_", "_moments"):
            self.__dict__.pop(name, None)
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Update the mean and variance with one more batch (Chan–Golub–LeVeque).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._validate_params()
        first = not hasattr(self, "_moments")
        X = _read(self, X, reset=first)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X.shape[0], dtype=np.float64)
        batch = batch_moments(X, w)
        self._weighted = getattr(self, "_weighted", False) if not first else False
        self._weighted = self._weighted or w is not None
        self._moments = batch if first else combine_moments(self._moments, batch)
        count, mean, m2 = self._moments
        seen = count if self._weighted else count.astype(np.int64)
        self.n_samples_seen_ = seen[0] if np.all(seen == seen[0]) else seen
        if not (self.with_mean or self.with_std):
            self.mean_ = self.var_ = self.scale_ = None
            return self
        self.mean_ = mean
        if self.with_std:
            with np.errstate(invalid="ignore", divide="ignore"):
                self.var_ = m2 / count
            constant = _is_constant(self.var_, self.mean_, self.n_samples_seen_)
            self.scale_ = _safe_scale(np.sqrt(self.var_), constant)
        else:
            self.var_ = self.scale_ = None
        return self

    def transform(self, X: Any) -> Any:
        """Centre and scale ``X`` with the fitted mean and σ (NaN stays NaN).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features)
        """
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        check_is_fitted(self)
        data = _read(self, X, reset=False)
        out = data - self.mean_.astype(data.dtype) if self.with_mean else data.copy()
        if self.with_std:
            out /= self.scale_.astype(data.dtype)
        return self._wrap_output(out, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``x = z σ + μ``."""
        check_is_fitted(self)
        data = _read_inverse(self, X)
        out = data * self.scale_.astype(data.dtype) if self.with_std else data.copy()
        if self.with_mean:
            out += self.mean_.astype(data.dtype)
        return out


# ----------------------------------------------------------------------------- min-max
def _valid_range(value: Any) -> bool:
    try:
        low, high = value
        return float(low) < float(high)
    except (TypeError, ValueError):
        return False


class MinMaxScaler(_Scaler):
    """Map each column's [min, max] onto ``feature_range`` (see the module docstring).

    Parameters
    ----------
    feature_range : tuple (a, b), default=(0, 1)
        Target interval, a < b.
    clip : bool, default=False
        Clip transformed values to ``feature_range`` (new data beyond the fitted
        min or max would otherwise land outside it).

    Attributes
    ----------
    data_min_, data_max_, data_range_ : ndarray of shape (n_features,)
        Per-column minimum, maximum and their difference (NaN ignored).
    scale_ : ndarray of shape (n_features,)
        ``(b − a) / data_range_`` (range 1 for constant columns).
    min_ : ndarray of shape (n_features,)
        ``a − data_min_ · scale_``, so that ``x' = x · scale_ + min_``.
    n_samples_seen_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import MinMaxScaler
    >>> MinMaxScaler().fit_transform(np.array([[1.0], [3.0], [5.0]])).ravel()
    array([0. , 0.5, 1. ])
    """

    _parameter_constraints = {
        "feature_range": [satisfies(_valid_range, "a pair (a, b) with a < b")],
        "clip": [BOOL],
    }

    def __init__(self, feature_range: tuple[float, float] = (0, 1), *, clip: bool = False):
        self.feature_range = feature_range
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Compute each column's minimum and maximum.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y)
        for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
            self.__dict__.pop(name, None)
        self.__dict__.pop("n_samples_seen_", None)
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Update the minimum and maximum with one more batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        first = not hasattr(self, "n_samples_seen_")
        X = _read(self, X, reset=first)
        data_min = np.fmin.reduce(X, axis=0)
        data_max = np.fmax.reduce(X, axis=0)
        if first:
            self.n_samples_seen_ = X.shape[0]
        else:
            data_min = np.fmin(self.data_min_, data_min)
            data_max = np.fmax(self.data_max_, data_max)
            self.n_samples_seen_ += X.shape[0]
        low, high = (float(v) for v in self.feature_range)
        self.data_min_ = data_min
        self.data_max_ = data_max
        self.data_range_ = data_max - data_min
        self.scale_ = ((high - low) / _safe_scale(self.data_range_)).astype(X.dtype)
        self.min_ = (low - data_min * self.scale_).astype(X.dtype)
        return self

    def transform(self, X: Any) -> Any:
        """``x' = x · scale_ + min_`` (clipped to ``feature_range`` if ``clip``)."""
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        check_is_fitted(self)
        data = _read(self, X, reset=False)
        out = data * self.scale_.astype(data.dtype)
        out += self.min_.astype(data.dtype)
        if self.clip:
            np.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return self._wrap_output(out, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``x = (x' − min_) / scale_``."""
        check_is_fitted(self)
        data = _read_inverse(self, X)
        return (data - self.min_.astype(data.dtype)) / self.scale_.astype(data.dtype)


# ----------------------------------------------------------------------------- robust
def _valid_quantiles(value: Any) -> bool:
    try:
        q_min, q_max = (float(v) for v in value)
    except (TypeError, ValueError):
        return False
    return 0.0 <= q_min <= q_max <= 100.0


def _column_percentiles(X: np.ndarray, q: list[float]) -> np.ndarray:
    """Percentiles ``q`` of each column, NaN ignored (NaN for an all-NaN column).

    Returns an array of shape (len(q), n_features).
    """
    out = np.full((len(q), X.shape[1]), np.nan, dtype=X.dtype)
    for j in range(X.shape[1]):
        column = np.ascontiguousarray(X[:, j])
        observed = column[~np.isnan(column)] if np.isnan(column.sum()) else column
        if observed.size:
            out[:, j] = np.percentile(observed, q)
    return out


class RobustScaler(_Scaler):
    """Centre on the median and divide by an inter-quantile range (see the module docstring).

    Parameters
    ----------
    with_centering : bool, default=True
        Subtract the median.
    with_scaling : bool, default=True
        Divide by the range between the quantiles ``quantile_range``.
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0)
        Percentiles, 0 ≤ q_min ≤ q_max ≤ 100.
    unit_variance : bool, default=False
        Also divide by Φ⁻¹(q_max/100) − Φ⁻¹(q_min/100), so that normal data end with
        variance 1.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,) or None
        Median of each column.
    scale_ : ndarray of shape (n_features,) or None
        Inter-quantile range (1 for a column where it is 0).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import RobustScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> RobustScaler().fit_transform(X).ravel()
    array([-1. , -0.5,  0. ,  0.5, 48.5])
    """

    _parameter_constraints = {
        "with_centering": [BOOL],
        "with_scaling": [BOOL],
        "quantile_range": [satisfies(_valid_quantiles, "a pair with 0 <= q_min <= q_max <= 100")],
        "unit_variance": [BOOL],
    }

    def __init__(
        self,
        *,
        with_centering: bool = True,
        with_scaling: bool = True,
        quantile_range: tuple[float, float] = (25.0, 75.0),
        unit_variance: bool = False,
    ):
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.unit_variance = unit_variance

    def fit(self, X: Any, y: Any = None) -> RobustScaler:
        """Compute each column's median and inter-quantile range (NaN ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        X = _read(self, X, reset=True)
        q_min, q_max = (float(q) for q in self.quantile_range)
        center, low, high = _column_percentiles(X, [50.0, q_min, q_max])
        self.center_ = center if self.with_centering else None
        if not self.with_scaling:
            self.scale_ = None
            return self
        self.scale_ = _safe_scale(high - low)
        if self.unit_variance:
            from scipy.special import ndtri  # Φ⁻¹

            adjust = ndtri(q_max / 100.0) - ndtri(q_min / 100.0)
            if not adjust > 0:
                raise ParameterError(
                    f"unit_variance=True needs q_min < q_max in quantile_range; got "
                    f"{self.quantile_range}."
                )
            self.scale_ = self.scale_ / adjust
        return self

    def transform(self, X: Any) -> Any:
        """``x' = (x − center_) / scale_`` (NaN stays NaN)."""
        check_is_fitted(self)
        data = _read(self, X, reset=False)
        out = data - self.center_.astype(data.dtype) if self.with_centering else data.copy()
        if self.with_scaling:
            out /= self.scale_.astype(data.dtype)
        return self._wrap_output(out, X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``x = x' · scale_ + center_``."""
        check_is_fitted(self)
        data = _read_inverse(self, X)
        out = data * self.scale_.astype(data.dtype) if self.with_scaling else data.copy()
        if self.with_centering:
            out += self.center_.astype(data.dtype)
        return out
