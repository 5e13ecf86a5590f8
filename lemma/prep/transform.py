"""Column transforms that reshape distributions: power, quantile, logarithm, clipping.

Power transforms (one λ per column). Yeo–Johnson, for any real x::

    ψ(λ, x) = ((1 + x)^λ − 1) / λ               x ≥ 0, λ ≠ 0     (log(1 + x) at λ = 0)
    ψ(λ, x) = −((1 − x)^(2−λ) − 1) / (2 − λ)     x < 0, λ ≠ 2     (−log(1 − x) at λ = 2)

Box–Cox, for x > 0: ψ(λ, x) = (x^λ − 1) / λ (log x at λ = 0). λ maximises the profile
log-likelihood of a normal model for ψ(λ, x) (its mean and variance at their MLEs)::

    ℓ(λ) = −(n/2) log σ̂²(λ) + (λ − 1) Σᵢ sign(xᵢ) log(1 + |xᵢ|)     (Yeo–Johnson)
    ℓ(λ) = −(n/2) log σ̂²(λ) + (λ − 1) Σᵢ log xᵢ                     (Box–Cox)

with σ̂²(λ) the variance (divisor n) of ψ(λ, xᵢ); the second term is the log-Jacobian.
It is maximised by Brent's method, as SciPy and scikit-learn do: on a bracket
starting at (−2, 2) for Box–Cox, and within bounds that keep ψ from overflowing
for Yeo–Johnson (SciPy's ``yeojohnson_normmax`` rule), to x-tolerance 1.48e-8.

Quantile transform: the fitted quantiles q_k of each column at probabilities
p_k = k/(K − 1) define a piecewise-linear estimate F̂ of the distribution function;
x ↦ F̂(x) is uniform on [0, 1] and x ↦ Φ⁻¹(F̂(x)) standard normal. Where quantiles
repeat, F̂ is averaged over the forward and backward interpolation, as in
scikit-learn.

Log transform: x ↦ log(x + c) or log(1 + x + c). Outlier clipping: each column is
clipped to fitted bounds, either quantiles (winsorising) or Tukey's fences
[Q₁ − k·IQR, Q₃ + k·IQR].

References: I.-K. Yeo and R. A. Johnson, "A new family of power transformations to
improve normality or symmetry", Biometrika 87 (2000); G. E. P. Box and D. R. Cox,
"An analysis of transformations", JRSS B 26 (1964).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, OneToOneFeatureMixin, Tags, TransformerMixin
from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.prep._table import column_labels
from lemma.prep.scale import StandardScaler, _column_percentiles, _is_constant, _read_inverse
from lemma.validation import check_is_fitted, check_random_state, validate_data

__all__ = [
    "LogTransformer",
    "OutlierClipper",
    "PowerTransformer",
    "QuantileTransformer",
    "box_cox",
    "yeo_johnson",
]

_EPS = np.finfo(np.float64).eps
_BRENT_XTOL = 1.48e-8  # scipy.optimize.brent's default tolerance
_BOUNDS_THRESHOLD = 1e-7  # QuantileTransformer: distance from 0 and 1 kept by "normal"


# ----------------------------------------------------------------------------- power
def yeo_johnson(x: np.ndarray, lmbda: float) -> np.ndarray:
    """ψ(λ, x) of Yeo–Johnson, written with log1p/expm1 for accuracy near 0.

    Examples
    --------
    >>> import numpy as np
    >>> yeo_johnson(np.array([-1.0, 0.0, 3.0]), 0.5)
    array([-1.21895142,  0.        ,  2.        ])
    """
    out = np.zeros_like(x, dtype=np.float64)
    positive = x >= 0
    xp, xn = x[positive], x[~positive]
    if abs(lmbda) < _EPS:
        out[positive] = np.log1p(xp)
    else:
        out[positive] = np.expm1(lmbda * np.log1p(xp)) / lmbda
    if abs(lmbda - 2) > _EPS:
        out[~positive] = -np.expm1((2 - lmbda) * np.log1p(-xn)) / (2 - lmbda)
    else:
        out[~positive] = -np.log1p(-xn)
    return out


def _yeo_johnson_inverse(y: np.ndarray, lmbda: float) -> np.ndarray:
    out = np.zeros_like(y, dtype=np.float64)
    positive = y >= 0
    yp, yn = y[positive], y[~positive]
    if abs(lmbda) < _EPS:
        out[positive] = np.expm1(yp)
    else:
        out[positive] = np.expm1(np.log1p(lmbda * yp) / lmbda)
    if abs(lmbda - 2) > _EPS:
        out[~positive] = -np.expm1(np.log1p(-(2 - lmbda) * yn) / (2 - lmbda))
    else:
        out[~positive] = -np.expm1(-yn)
    return out


def box_cox(x: np.ndarray, lmbda: float) -> np.ndarray:
    """ψ(λ, x) of Box–Cox for x > 0.

    Examples
    --------
    >>> import numpy as np
    >>> box_cox(np.array([1.0, 4.0]), 0.5)
    array([0., 2.])
    """
    if lmbda == 0:
        return np.log(x)
    return np.expm1(lmbda * np.log(x)) / lmbda


def _box_cox_inverse(y: np.ndarray, lmbda: float) -> np.ndarray:
    if lmbda == 0:
        return np.exp(y)
    with np.errstate(invalid="ignore"):
        return np.exp(np.log1p(lmbda * y) / lmbda)


def _yeo_johnson_loglik(lmbda: float, x: np.ndarray, jacobian: float) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        variance = np.var(yeo_johnson(x, lmbda))
        if not np.finfo(np.float64).tiny <= variance < np.inf:
            return -np.inf
        return -x.size / 2 * np.log(variance) + (lmbda - 1) * jacobian


def _log_variance_of_power(log_x: np.ndarray, lmbda: float) -> float:
    """log var(x^λ) computed from a = λ log x in log space, so x^λ never overflows.

    log x̄ = logsumexp(a) − log n, log|x − x̄| = logsumexp((a, log x̄), weights (1, −1)),
    log var = logsumexp(2 log|x − x̄|) − log n (the same steps as SciPy's ``boxcox_llf``).
    """
    from scipy.special import logsumexp

    a = lmbda * log_x
    log_n = np.log(a.size)
    log_mean = np.broadcast_to(logsumexp(a) - log_n, a.shape)
    ones = np.ones_like(a)
    log_deviation, _ = logsumexp(
        np.stack((a, log_mean)), axis=0, b=np.stack((ones, -ones)), return_sign=True
    )
    return float(logsumexp(2 * log_deviation) - log_n)


def _box_cox_loglik(lmbda: float, log_x: np.ndarray, jacobian: float) -> float:
    if lmbda == 0:
        log_variance = np.log(np.var(log_x))
    else:
        log_variance = _log_variance_of_power(log_x, lmbda) - 2 * np.log(abs(lmbda))
    return -log_x.size / 2 * log_variance + (lmbda - 1) * jacobian


def _yeo_johnson_lambda(x: np.ndarray) -> float:
    """argmax ℓ(λ) by bounded Brent; bounds keep ψ(λ, 20·max|x|) finite (SciPy's rule)."""
    if np.all(x == 0):
        return 1.0
    jacobian = float(np.sum(np.sign(x) * np.log1p(np.abs(x))))
    log1p_max = np.log1p(20 * np.max(np.abs(x)))
    log_eps = np.log(_EPS)
    low = (np.log(np.finfo(np.float64).tiny) - log_eps) / 2 / log1p_max
    high = (np.log(np.finfo(np.float64).max) + log_eps) / 2 / log1p_max
    if np.all(x < 0):
        low, high = 2 - high, 2 - low
    elif np.any(x < 0):
        low, high = max(2 - high, low), min(2 - low, high)
    from scipy.optimize import fminbound

    with np.errstate(invalid="ignore"):  # infinite log-likelihoods at extreme λ
        lmbda = fminbound(
            lambda lam: -_yeo_johnson_loglik(lam, x, jacobian), low, high, xtol=_BRENT_XTOL
        )
    return float(lmbda)


def _box_cox_lambda(x: np.ndarray) -> float:
    """argmax ℓ(λ) by Brent's method from the bracket (−2, 2)."""
    log_x = np.log(x)
    jacobian = float(log_x.sum())
    from scipy.optimize import brent

    with np.errstate(invalid="ignore", over="ignore"):
        lmbda = brent(lambda lam: -_box_cox_loglik(lam, log_x, jacobian), brack=(-2.0, 2.0))
    return float(lmbda)


_METHODS = {
    "yeo-johnson": (_yeo_johnson_lambda, yeo_johnson, _yeo_johnson_inverse),
    "box-cox": (_box_cox_lambda, box_cox, _box_cox_inverse),
}


class _ColumnTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Shared tags: NaN passes through, float32 stays float32."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.preserves_dtype = ["float64", "float32"]
        return tags


class PowerTransformer(_ColumnTransformer):
    """Make columns more normal with a Yeo–Johnson or Box–Cox power λ fitted by ML.

    Parameters
    ----------
    method : {"yeo-johnson", "box-cox"}, default="yeo-johnson"
        Yeo–Johnson takes any real value; Box–Cox needs strictly positive values.
    standardize : bool, default=True
        Standardise the transformed columns to mean 0 and variance 1.

    Attributes
    ----------
    lambdas_ : ndarray of shape (n_features,)
        The maximum-likelihood λ of each column (1, the identity, for a constant column).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    The profile log-likelihood and the optimizer are in the module docstring. NaN
    is ignored when fitting and passes through.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import PowerTransformer
    >>> X = np.array([[1.0, 2.0], [3.0, 2.0], [4.0, 5.0]])
    >>> pt = PowerTransformer().fit(X)
    >>> pt.lambdas_.round(3)
    array([ 1.387, -3.101])
    >>> pt.transform(X).round(3)
    array([[-1.316, -0.707],
           [ 0.21 , -0.707],
           [ 1.106,  1.414]])
    """

    _parameter_constraints = {
        "method": [Options(set(_METHODS))],
        "standardize": [BOOL],
    }

    def __init__(self, method: str = "yeo-johnson", *, standardize: bool = True):
        self.method = method
        self.standardize = standardize

    def _read(self, X: Any, reset: bool) -> np.ndarray:
        data = validate_data(self, X, reset=reset, allow_nan=True)
        if self.method == "box-cox":
            with np.errstate(invalid="ignore"):
                bad = np.flatnonzero(np.any(data <= 0, axis=0))
            if bad.size:
                labels = column_labels(self, bad, data.shape[1])
                raise DataValidationError(
                    f"The Box-Cox transformation needs strictly positive data, but columns "
                    f"{labels} have values <= 0; use method='yeo-johnson', or shift them."
                )
        return data

    def fit(self, X: Any, y: Any = None) -> PowerTransformer:
        """Estimate λ of each column by maximum likelihood (then the scaler).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        data = self._read(X, reset=True)
        find_lambda, forward, _ = _METHODS[self.method]
        lambdas = np.ones(data.shape[1])
        transformed = np.empty(data.shape, dtype=np.float64)
        for j in range(data.shape[1]):
            column = data[:, j].astype(np.float64)
            observed = column[~np.isnan(column)]
            if observed.size == 0:
                label = column_labels(self, [j], data.shape[1])[0]
                raise DataValidationError(
                    f"Column {label!r} has no observed values (all NaN); PowerTransformer "
                    "cannot estimate its λ. Drop or impute it first."
                )
            if not _is_constant(np.var(observed), np.mean(observed), observed.size):
                lambdas[j] = find_lambda(observed)
            transformed[:, j] = self._apply(column, lambdas[j], forward)
        self.lambdas_ = lambdas.astype(data.dtype)
        if self.standardize:
            self._scaler = StandardScaler().fit(transformed)
        return self

    @staticmethod
    def _apply(column: np.ndarray, lmbda: float, function: Any) -> np.ndarray:
        out = np.full(column.shape, np.nan)
        observed = ~np.isnan(column)
        out[observed] = function(column[observed], float(lmbda))
        return out

    def transform(self, X: Any) -> Any:
        """ψ(λ, x) column by column (then standardised).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        data = self._read(X, reset=False)
        _, forward, _ = _METHODS[self.method]
        out = np.column_stack(
            [self._apply(data[:, j].astype(np.float64), lam, forward)
             for j, lam in enumerate(self.lambdas_)]
        )  # fmt: skip
        if self.standardize:
            out = self._scaler.transform(out)
        return self._wrap_output(out.astype(data.dtype, copy=False), X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform` (NaN, with a warning, where ψ has no inverse)."""
        check_is_fitted(self)
        data = _read_inverse(self, X)
        values = data.astype(np.float64)
        if self.standardize:
            values = self._scaler.inverse_transform(values)
        _, _, inverse = _METHODS[self.method]
        out = np.column_stack(
            [self._apply(values[:, j], lam, inverse) for j, lam in enumerate(self.lambdas_)]
        )
        invalid = np.flatnonzero(np.isnan(out).any(axis=0) & ~np.isnan(values).any(axis=0))
        if invalid.size:
            warnings.warn(
                f"Some inverse-transformed values of columns {column_labels(self, invalid)} "
                "are NaN: they lie outside the range of the power transform (extremely "
                f"skewed data, or values far beyond the training data; λ = "
                f"{self.lambdas_[invalid].tolist()}).",
                NumericalWarning,
                stacklevel=2,
            )
        return out.astype(data.dtype, copy=False)


# ----------------------------------------------------------------------------- quantile
class QuantileTransformer(_ColumnTransformer):
    """Map each column through its empirical distribution to a uniform or normal one.

    Parameters
    ----------
    n_quantiles : int, default=1000
        Number of quantiles K (capped at the number of rows used).
    output_distribution : {"uniform", "normal"}, default="uniform"
    subsample : int or None, default=10_000
        Fit on at most this many rows, drawn without replacement (scikit-learn's draw,
        so the same ``random_state`` picks the same rows); None uses all rows.
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    quantiles_ : ndarray of shape (n_quantiles_, n_features)
    references_ : ndarray of shape (n_quantiles_,)
        The probabilities p_k = k/(K − 1).
    n_quantiles_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import QuantileTransformer
    >>> X = np.array([[1.0], [2.0], [10.0], [100.0], [1000.0]])
    >>> QuantileTransformer(n_quantiles=5).fit_transform(X).ravel()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """

    _parameter_constraints = {
        "n_quantiles": [Interval(int, 1, None, closed="left")],
        "output_distribution": [Options({"uniform", "normal"})],
        "subsample": [Interval(int, 1, None, closed="left"), None],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        *,
        n_quantiles: int = 1000,
        output_distribution: str = "uniform",
        subsample: int | None = 10_000,
        random_state: Any = None,
    ):
        self.n_quantiles = n_quantiles
        self.output_distribution = output_distribution
        self.subsample = subsample
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> QuantileTransformer:
        """Compute the quantiles of each column (NaN ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        if self.subsample is not None and self.n_quantiles > self.subsample:
            raise ParameterError(
                f"n_quantiles={self.n_quantiles} is greater than subsample={self.subsample}, "
                "the number of rows used to estimate them; lower n_quantiles."
            )
        data = validate_data(self, X, reset=True, allow_nan=True)
        n_samples = data.shape[0]
        self.n_quantiles_ = max(1, min(self.n_quantiles, n_samples))
        self.references_ = np.linspace(0, 1, self.n_quantiles_, endpoint=True)
        if self.subsample is not None and self.subsample < n_samples:
            rows = np.arange(n_samples)
            check_random_state(self.random_state).shuffle(rows)
            data = data[rows[: self.subsample]]
        quantiles = _column_percentiles(data, list(self.references_ * 100))
        self.quantiles_ = np.maximum.accumulate(quantiles, axis=0)
        return self

    def _column(self, x: np.ndarray, quantiles: np.ndarray, inverse: bool) -> np.ndarray:
        from scipy.special import ndtr, ndtri  # Φ and Φ⁻¹

        normal = self.output_distribution == "normal"
        if inverse and normal:
            x = ndtr(x)
        low_x, high_x = (0.0, 1.0) if inverse else (quantiles[0], quantiles[-1])
        low_y, high_y = (quantiles[0], quantiles[-1]) if inverse else (0.0, 1.0)
        with np.errstate(invalid="ignore"):
            if normal:
                at_low = x - _BOUNDS_THRESHOLD < low_x
                at_high = x + _BOUNDS_THRESHOLD > high_x
            else:
                at_low, at_high = x == low_x, x == high_x
        out = np.array(x, dtype=np.float64)
        finite = ~np.isnan(x)
        values = x[finite]
        if inverse:
            out[finite] = np.interp(values, self.references_, quantiles)
        else:
            forward = np.interp(values, quantiles, self.references_)
            backward = np.interp(-values, -quantiles[::-1], -self.references_[::-1])
            out[finite] = 0.5 * (forward - backward)
        out[at_high] = high_y
        out[at_low] = low_y
        if normal and not inverse:
            with np.errstate(invalid="ignore", divide="ignore"):
                out = ndtri(out)
            limit = ndtri(_BOUNDS_THRESHOLD - np.spacing(1))
            out = np.clip(out, limit, -limit)
        return out

    def _transform(self, data: np.ndarray, inverse: bool) -> np.ndarray:
        out = np.empty(data.shape, dtype=np.float64)
        for j in range(data.shape[1]):
            out[:, j] = self._column(data[:, j].astype(np.float64), self.quantiles_[:, j], inverse)
        return out.astype(data.dtype, copy=False)

    def transform(self, X: Any) -> Any:
        """F̂(x) (uniform) or Φ⁻¹(F̂(x)) (normal), column by column."""
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, allow_nan=True)
        return self._wrap_output(self._transform(data, inverse=False), X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to the data's scale through the fitted quantiles."""
        check_is_fitted(self)
        return self._transform(_read_inverse(self, X), inverse=True)


# ----------------------------------------------------------------------------- log
_LOGS = {"log": (np.log, np.exp, 0.0), "log1p": (np.log1p, np.expm1, -1.0)}


class LogTransformer(_ColumnTransformer):
    """``log(x + offset)`` or ``log(1 + x + offset)`` of every column, with its inverse.

    Parameters
    ----------
    func : {"log1p", "log"}, default="log1p"
        "log" needs x + offset > 0; "log1p" needs x + offset > −1.
    offset : float, default=0.0
        Added before taking the logarithm (e.g. to move zeros into the domain).

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import LogTransformer
    >>> LogTransformer(func="log").fit_transform(np.array([[1.0], [np.e]])).ravel()
    array([0., 1.])
    """

    _parameter_constraints = {
        "func": [Options(set(_LOGS))],
        "offset": [Interval(float, None, None)],
    }

    def __init__(self, func: str = "log1p", *, offset: float = 0.0):
        self.func = func
        self.offset = offset

    def _read(self, X: Any, reset: bool) -> np.ndarray:
        data = validate_data(self, X, reset=reset, allow_nan=True)
        floor = _LOGS[self.func][2]
        with np.errstate(invalid="ignore"):
            outside = data + self.offset <= floor
        if outside.any():
            columns = np.flatnonzero(outside.any(axis=0))
            labels = column_labels(self, columns, data.shape[1])
            smallest = float(np.nanmin(data[:, columns]))
            advice = " or use func='log1p' for data with zeros" if self.func == "log" else ""
            raise DataValidationError(
                f"Negative values in data: LogTransformer(func={self.func!r}) needs "
                f"x + offset > {floor:g}, but columns "
                f"{labels} have {int(outside.sum())} values outside (smallest {smallest:g}, "
                f"offset {self.offset:g}); raise offset above {floor - smallest:g}{advice}."
            )
        return data

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.positive_X = True
        return tags

    def fit(self, X: Any, y: Any = None) -> LogTransformer:
        """Check that every value is in the logarithm's domain.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        self._read(X, reset=True)
        return self

    def transform(self, X: Any) -> Any:
        """The logarithm of ``X + offset`` (or of ``1 + X + offset``)."""
        check_is_fitted(self)
        data = self._read(X, reset=False)
        return self._wrap_output(_LOGS[self.func][0](data + data.dtype.type(self.offset)), X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """``exp(y) − offset`` (or ``expm1(y) − offset``)."""
        check_is_fitted(self)
        data = _read_inverse(self, X)
        return _LOGS[self.func][1](data) - data.dtype.type(self.offset)


# ----------------------------------------------------------------------------- clipping
class OutlierClipper(_ColumnTransformer):
    """Clip each column to bounds learnt at fit: quantiles (winsorising) or Tukey's fences.

    Parameters
    ----------
    method : {"quantile", "iqr"}, default="quantile"
        "quantile": bounds are the ``lower`` and ``upper`` quantiles; "iqr": bounds
        are Q₁ − factor·IQR and Q₃ + factor·IQR.
    lower, upper : float in [0, 1], default=0.01, 0.99
        Quantiles used by "quantile" (lower < upper).
    factor : float, default=1.5
        Fence width used by "iqr" (1.5: Tukey's inner fences; 3: outer fences).

    Attributes
    ----------
    lower_bounds_, upper_bounds_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import OutlierClipper
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> OutlierClipper(method="iqr").fit_transform(X).ravel()
    array([1., 2., 3., 4., 7.])
    """

    _parameter_constraints = {
        "method": [Options({"quantile", "iqr"})],
        "lower": [Interval(float, 0, 1)],
        "upper": [Interval(float, 0, 1)],
        "factor": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        method: str = "quantile",
        *,
        lower: float = 0.01,
        upper: float = 0.99,
        factor: float = 1.5,
    ):
        self.method = method
        self.lower = lower
        self.upper = upper
        self.factor = factor

    def fit(self, X: Any, y: Any = None) -> OutlierClipper:
        """Learn each column's clipping bounds (NaN ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        if self.method == "quantile" and not self.lower < self.upper:
            raise ParameterError(
                f"OutlierClipper needs lower < upper; got lower={self.lower}, upper={self.upper}."
            )
        data = validate_data(self, X, reset=True, allow_nan=True)
        if self.method == "quantile":
            low, high = _column_percentiles(data, [100 * self.lower, 100 * self.upper])
        else:
            q1, q3 = _column_percentiles(data, [25.0, 75.0])
            low, high = q1 - self.factor * (q3 - q1), q3 + self.factor * (q3 - q1)
        self.lower_bounds_, self.upper_bounds_ = low, high
        return self

    def transform(self, X: Any) -> Any:
        """``min(max(x, lower_bound), upper_bound)`` per column (NaN stays NaN)."""
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, allow_nan=True)
        out = np.clip(data, self.lower_bounds_.astype(data.dtype),
                      self.upper_bounds_.astype(data.dtype))  # fmt: skip
        return self._wrap_output(out, X)
