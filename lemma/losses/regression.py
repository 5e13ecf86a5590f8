"""Regression losses: squared error, Huber and Poisson deviance.

With target ``y``, raw prediction ``r`` and residual ``e = y − r``:

* squared error: ``ℓ = ½(y − r)²``, ``ℓ' = r − y``, ``ℓ'' = 1``; the mean
  prediction is ``r`` itself (identity link).
* Huber (threshold ``δ > 0``): ``ℓ = ½e²`` for ``|e| ≤ δ`` and ``δ|e| − ½δ²``
  beyond; ``ℓ' = −clip(e, −δ, δ)``, ``ℓ'' = 1[|e| ≤ δ]`` (ℓ'' jumps at ``|e| = δ``;
  the value 1 is taken there). Quadratic near zero, linear in the tails, so an
  outlier pulls with force at most δ.
* Poisson, half the deviance with log link (mean ``μ = eʳ``, ``y ≥ 0``):
  ``ℓ = eʳ − y·r + (y·log y − y)``, ``ℓ' = eʳ − y``, ``ℓ'' = eʳ``. The constant
  ``y·log y − y`` (0 at y = 0) makes ℓ ≥ 0 with ℓ = 0 at ``r = log y``; it equals
  ``−log P(y; μ) + log P(y; y)`` for the Poisson law. ``eʳ`` overflows for
  ``r ≳ 709.78`` (float64) or ``88.7`` (float32): value, gradient and Hessian are
  then ``+inf`` — a genuine overflow, reported as ``inf``, never NaN.

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989,
§2.3 (deviance) and §6.2 (Poisson); Huber, "Robust estimation of a location
parameter", Ann. Math. Statist. 35 (1964).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import xlogy

from lemma._constraints import Interval, validate_params
from lemma.exceptions import DataValidationError
from lemma.losses._base import Loss, as_raw

__all__ = ["HuberLoss", "PoissonLoss", "SquaredLoss"]


def _weighted_average(y: np.ndarray, sample_weight: np.ndarray | None) -> float:
    return float(np.average(y, weights=sample_weight))


class SquaredLoss(Loss):
    """Half squared error ``ℓ = ½(y − r)²`` with identity link.

    Examples
    --------
    >>> import numpy as np
    >>> loss = SquaredLoss()
    >>> loss.pointwise(np.array([3.0, -1.0]), np.array([1.0, 0.0]))
    array([2. , 0.5])
    >>> loss.init_raw(np.array([1.0, 2.0, 6.0]))
    3.0
    """

    name = "squared"

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        e = np.asarray(y, dtype=raw.dtype) - raw
        e *= e
        e *= 0.5
        return e

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        return raw - np.asarray(y, dtype=raw.dtype)

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return np.ones_like(as_raw(raw))

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        grad = self.gradient_pointwise(y, raw)
        loss = grad * grad
        loss *= 0.5
        return loss, grad

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        return as_raw(raw).copy()

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """The weighted mean of ``y``."""
        return _weighted_average(y, sample_weight)


class HuberLoss(Loss):
    """Huber loss: quadratic for residuals up to ``delta``, linear beyond.

    Parameters
    ----------
    delta : float, default=1.35
        Threshold between the quadratic and linear parts, > 0 (1.35 gives 95%
        efficiency at the normal model for unit-variance residuals).

    Examples
    --------
    >>> import numpy as np
    >>> loss = HuberLoss(delta=1.0)
    >>> loss.pointwise(np.array([0.5, 3.0]), np.zeros(2))
    array([0.125, 2.5  ])
    >>> loss.gradient_pointwise(np.array([0.5, 3.0]), np.zeros(2))
    array([-0.5, -1. ])
    """

    name = "huber"

    def __init__(self, delta: float = 1.35):
        validate_params(
            {"delta": [Interval(float, 0, None, closed="neither")]}, {"delta": delta}, "HuberLoss"
        )
        self.delta = float(delta)

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        delta = self.delta
        abs_e = np.abs(np.asarray(y, dtype=raw.dtype) - raw)
        quadratic = abs_e <= delta
        return np.where(quadratic, 0.5 * abs_e * abs_e, delta * (abs_e - 0.5 * delta))

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        grad = raw - np.asarray(y, dtype=raw.dtype)
        return np.clip(grad, -self.delta, self.delta, out=grad)

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        abs_e = np.abs(np.asarray(y, dtype=raw.dtype) - raw)
        return (abs_e <= self.delta).astype(raw.dtype)

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raw = as_raw(raw)
        delta = self.delta
        minus_e = raw - np.asarray(y, dtype=raw.dtype)
        abs_e = np.abs(minus_e)
        loss = np.where(abs_e <= delta, 0.5 * abs_e * abs_e, delta * (abs_e - 0.5 * delta))
        return loss, np.clip(minus_e, -delta, delta, out=minus_e)

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        return as_raw(raw).copy()

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """The Huber M-estimate of location: the root ``c`` of ``Σ wᵢ clip(yᵢ − c, ±δ)``.

        The left side is continuous and non-increasing in ``c``, non-negative at
        ``min y`` and non-positive at ``max y``; Brent's method finds the root.
        """
        y = np.asarray(y, dtype=np.float64)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, np.float64)
        low, high = float(np.min(y)), float(np.max(y))
        if low == high:
            return low

        def score(c: float) -> float:
            return float(np.dot(w, np.clip(y - c, -self.delta, self.delta)))

        return float(brentq(score, low, high, xtol=1e-14 * max(1.0, high - low), rtol=1e-15))

    def __repr__(self) -> str:
        return f"HuberLoss(delta={self.delta!r})"


class PoissonLoss(Loss):
    """Half Poisson deviance with log link: ``ℓ = eʳ − y·r + y·log y − y``, ``y ≥ 0``.

    Examples
    --------
    >>> import numpy as np
    >>> loss = PoissonLoss()
    >>> y = np.array([0.0, 2.0])
    >>> print(np.round(loss.pointwise(y, np.log([1.0, 2.0])), 6))
    [1. 0.]
    >>> print(round(loss.init_raw(np.array([1.0, 3.0])), 6))  # log 2
    0.693147
    """

    name = "poisson"

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        y = np.asarray(y, dtype=raw.dtype)
        with np.errstate(over="ignore"):
            loss = np.exp(raw)
        loss -= y * raw
        loss += xlogy(y, y)
        loss -= y
        return loss

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        with np.errstate(over="ignore"):
            grad = np.exp(raw)
        grad -= np.asarray(y, dtype=raw.dtype)
        return grad

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return self.inverse_link(raw)

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raw = as_raw(raw)
        y = np.asarray(y, dtype=raw.dtype)
        mean = self.inverse_link(raw)
        loss = mean - y * raw
        loss += xlogy(y, y)
        loss -= y
        mean -= y
        return loss, mean

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """The mean ``μ = exp(raw)`` (``inf`` past the overflow threshold)."""
        with np.errstate(over="ignore"):
            return np.exp(as_raw(raw))

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """``log`` of the weighted mean of ``y``, floored at ``log ε_mach ≈ −36``
        (all-zero targets would otherwise give ``−inf``)."""
        mean = _weighted_average(y, sample_weight)
        return float(np.log(max(mean, np.finfo(np.float64).eps)))

    def check_target(self, y: np.ndarray) -> None:
        """Raise :class:`~lemma.exceptions.DataValidationError` unless every ``y ≥ 0``."""
        y = np.asarray(y)
        negative = y < 0
        if np.any(negative):
            raise DataValidationError(
                f"PoissonLoss needs non-negative targets (counts or rates); y has "
                f"{int(np.count_nonzero(negative))} negative values (smallest {float(y.min())!r}). "
                "Use a loss for real-valued targets such as 'squared' or 'huber'."
            )
