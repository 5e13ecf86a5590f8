"""Gaussian naive Bayes: each feature normal within each class.

Model. Given class ``k``, the features are independent normals,
``xⱼ | k ~ N(θₖⱼ, σ²ₖⱼ)``, so the joint log-likelihood of a row is::

    jllₖ(x) = log πₖ − ½ Σⱼ log(2π σ²ₖⱼ) − ½ Σⱼ (xⱼ − θₖⱼ)² / σ²ₖⱼ.

Fit (maximum likelihood with weights ``wᵢ``; ``Wₖ = Σ_{yᵢ=k} wᵢ``)::

    θₖⱼ = Σ_{yᵢ=k} wᵢ xᵢⱼ / Wₖ,    σ²ₖⱼ = Σ_{yᵢ=k} wᵢ (xᵢⱼ − θₖⱼ)² / Wₖ + ε,
    πₖ = Wₖ / Σₗ Wₗ  (unless ``priors`` are given),

with ``ε = var_smoothing · maxⱼ Var(x·ⱼ)`` (the largest unweighted variance of a
column over all rows) keeping the variances away from 0, as scikit-learn does.
The posterior is Bayes' rule in log space (:mod:`lemma.models.naive_bayes._base`).

The moments are two passes over X in Numba (means, then squared deviations from
them: no cancellation) over row blocks fixed by ``n``; the log-likelihoods one pass
over the rows, without an ``n × d`` temporary.

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
2nd ed., 2009, §6.6.3; Chan, Golub & LeVeque, "Updating formulae and a pairwise
algorithm for computing sample variances", 1979 (the two-pass variance).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from lemma._constraints import ARRAY_LIKE, Interval
from lemma.base import BaseEstimator, ClassifierMixin
from lemma.distributed import fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError
from lemma.models.naive_bayes._base import NaiveBayesMixin, check_priors
from lemma.validation import check_is_fitted, check_sample_weight, encode_classes, validate_data

__all__ = ["GaussianNB"]

#: Multiply-adds below which a kernel runs on one thread (a parallel region costs
#: about a millisecond on a busy machine).
PARALLEL_WORK = 2_000_000


def _row_blocks(n: int, work_per_row: int) -> tuple[np.ndarray, bool]:
    """Row-block bounds (depending on ``n`` only) and whether to run them in parallel."""
    n_blocks = int(max(1, min(32, n // 4096)))
    return np.linspace(0, n, n_blocks + 1).astype(np.int64), n * work_per_row >= PARALLEL_WORK


@numba.njit(cache=True)
def _sums_block(X, codes, w, start, stop, weight, sums):
    for i in range(start, stop):
        k = codes[i]
        weight[k] += w[i]
        for j in range(X.shape[1]):
            sums[k, j] += w[i] * X[i, j]


@numba.njit(cache=True)
def _squares_block(X, codes, w, mean, start, stop, squares):
    for i in range(start, stop):
        k = codes[i]
        for j in range(X.shape[1]):
            diff = X[i, j] - mean[k, j]
            squares[k, j] += w[i] * diff * diff


@numba.njit(cache=True, parallel=True)
def _moments_parallel(X, codes, w, n_classes, bounds):
    n_blocks = bounds.size - 1
    d = X.shape[1]
    weight = np.zeros((n_blocks, n_classes))
    sums = np.zeros((n_blocks, n_classes, d))
    for b in numba.prange(n_blocks):
        _sums_block(X, codes, w, bounds[b], bounds[b + 1], weight[b], sums[b])
    total = weight.sum(axis=0)
    mean = sums.sum(axis=0) / np.maximum(total, 1e-300).reshape(-1, 1)
    squares = np.zeros((n_blocks, n_classes, d))
    for b in numba.prange(n_blocks):
        _squares_block(X, codes, w, mean, bounds[b], bounds[b + 1], squares[b])
    return total, mean, squares.sum(axis=0) / np.maximum(total, 1e-300).reshape(-1, 1)


@numba.njit(cache=True)
def _moments_serial(X, codes, w, n_classes, bounds):
    d = X.shape[1]
    total = np.zeros(n_classes)
    sums = np.zeros((n_classes, d))
    _sums_block(X, codes, w, 0, X.shape[0], total, sums)
    mean = sums / np.maximum(total, 1e-300).reshape(-1, 1)
    squares = np.zeros((n_classes, d))
    _squares_block(X, codes, w, mean, 0, X.shape[0], squares)
    return total, mean, squares / np.maximum(total, 1e-300).reshape(-1, 1)


def class_moments(
    X: np.ndarray, codes: np.ndarray, w: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted count, mean and (biased) variance of every column within every class.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    codes : ndarray of int64, shape (n_samples,)
        Class of each row, in ``0..n_classes-1``.
    w : ndarray of float64, shape (n_samples,)
    n_classes : int

    Returns
    -------
    count : ndarray of shape (n_classes,)
    mean, var : ndarray of shape (n_classes, n_features)
        Zero for a class of zero weight.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [2.0], [5.0]])
    >>> count, mean, var = class_moments(X, np.array([0, 0, 1]), np.ones(3), 2)
    >>> count.tolist(), mean.ravel().tolist(), var.ravel().tolist()
    ([2.0, 1.0], [1.0, 5.0], [1.0, 0.0])
    """
    bounds, parallel = _row_blocks(X.shape[0], 2 * X.shape[1])
    kernel = _moments_parallel if parallel else _moments_serial
    return kernel(np.ascontiguousarray(X), codes, w, n_classes, bounds)


@numba.njit(cache=True)
def _jll_block(X, theta, precision, const, start, stop, out):
    n_classes, d = theta.shape
    for i in range(start, stop):
        for k in range(n_classes):
            total = 0.0
            for j in range(d):
                diff = X[i, j] - theta[k, j]
                total += diff * diff * precision[k, j]
            out[i, k] = const[k] - 0.5 * total


@numba.njit(cache=True, parallel=True)
def _jll_parallel(X, theta, precision, const, bounds, out):
    for b in numba.prange(bounds.size - 1):
        _jll_block(X, theta, precision, const, bounds[b], bounds[b + 1], out)


@numba.njit(cache=True)
def _jll_serial(X, theta, precision, const, bounds, out):
    _jll_block(X, theta, precision, const, 0, X.shape[0], out)


def gaussian_log_likelihood(
    X: np.ndarray, theta: np.ndarray, var: np.ndarray, log_prior: np.ndarray
) -> np.ndarray:
    """``log πₖ − ½ Σⱼ log(2π σ²ₖⱼ) − ½ Σⱼ (xⱼ − θₖⱼ)²/σ²ₖⱼ``, shape (n_samples, n_classes).

    Examples
    --------
    >>> import numpy as np
    >>> jll = gaussian_log_likelihood(np.array([[0.0]]), np.array([[0.0]]),
    ...                               np.array([[1.0]]), np.array([0.0]))
    >>> round(float(jll[0, 0]), 6)  # log of the standard normal density at 0
    -0.918939
    """
    const = log_prior - 0.5 * np.log(2.0 * np.pi * var).sum(axis=1)
    out = np.empty((X.shape[0], theta.shape[0]))
    bounds, parallel = _row_blocks(X.shape[0], theta.size)
    kernel = _jll_parallel if parallel else _jll_serial
    kernel(np.ascontiguousarray(X), theta, 1.0 / var, const, bounds, out)
    return out


class GaussianNB(NaiveBayesMixin, ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes: independent normal features within each class.

    See the module docstring for the model and its maximum-likelihood fit.

    Parameters
    ----------
    priors : array-like of shape (n_classes,) or None, default=None
        Prior probabilities of the classes (non-negative, summing to 1); None: the
        weighted class frequencies.
    var_smoothing : float, default=1e-9
        ``ε = var_smoothing · (largest variance of a column)`` is added to every
        variance.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
        Weighted number of training rows per class.
    class_prior_ : ndarray of shape (n_classes,)
    theta_ : ndarray of shape (n_classes, n_features)
        Class means.
    var_ : ndarray of shape (n_classes, n_features)
        Class variances, ε included.
    epsilon_ : float
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.naive_bayes import GaussianNB
    >>> X = np.array([[-2.0, 1.0], [-1.0, 0.5], [-1.5, 1.5], [2.0, 0.0], [1.0, -0.5], [1.5, 0.2]])
    >>> y = np.array(["a", "a", "a", "b", "b", "b"])
    >>> model = GaussianNB().fit(X, y)
    >>> model.predict([[-1.0, 1.0], [1.2, 0.0]]).tolist()
    ['a', 'b']
    >>> model.theta_.round(3).tolist()
    [[-1.5, 1.0], [1.5, -0.1]]
    """

    _parameter_constraints = {
        "priors": [ARRAY_LIKE, None],
        "var_smoothing": [Interval(float, 0, None, closed="left")],
    }

    def __init__(self, *, priors: Any = None, var_smoothing: float = 1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GaussianNB:
        """Estimate class priors, means and variances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights.

        Returns
        -------
        self

        Raises
        ------
        DataValidationError
            When a variance is 0 after smoothing (every column constant, or
            ``var_smoothing=0`` with a column constant within a class).
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        w = check_sample_weight(sample_weight, X.shape[0])
        self.classes_, codes = encode_classes(y, w, type(self).__name__)
        n_classes = self.classes_.size
        _, _, overall = class_moments(X, np.zeros(X.shape[0], np.int64), np.ones(X.shape[0]), 1)
        self.epsilon_ = float(self.var_smoothing * overall.max())
        count, self.theta_, var = class_moments(X, codes.astype(np.int64), w, n_classes)
        self.var_ = var + self.epsilon_
        self._check_variances()
        self.class_count_ = count
        if self.priors is None:
            self.class_prior_ = count / count.sum()
        else:
            self.class_prior_ = check_priors(self.priors, n_classes, "GaussianNB", "priors")
        return self

    def _check_variances(self) -> None:
        zero = np.argwhere(self.var_ <= 0.0)
        if zero.size:
            k, j = zero[0]
            raise DataValidationError(
                f"GaussianNB: feature {j} has zero variance in class {self.classes_.tolist()[k]!r} "
                f"({zero.shape[0]} (class, feature) pairs in all) and var_smoothing="
                f"{self.var_smoothing} adds ε = {self.epsilon_:g}, so its normal density is "
                "degenerate. Drop constant columns, or use var_smoothing > 0 with at least "
                "one non-constant column."
            )

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)
        return gaussian_log_likelihood(X, self.theta_, self.var_, log_prior)
