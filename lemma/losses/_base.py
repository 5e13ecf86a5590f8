"""The loss interface: a pointwise loss ℓ(y, r) and its weighted mean.

A loss compares a target ``yᵢ`` with a raw prediction ``rᵢ`` (the linear
predictor ``η = xᵢᵀβ + b`` of a linear model; a row of K scores for a multiclass
loss). Everything a model or an optimizer needs follows from ℓ and its first two
derivatives in ``r``:

    value(r)      = Σᵢ wᵢ ℓ(yᵢ, rᵢ) / Σᵢ wᵢ                  (the weighted mean)
    gradient(r)ᵢ  = wᵢ ℓ'(yᵢ, rᵢ) / Σⱼ wⱼ                     (∂value/∂rᵢ)
    hessian(r)ᵢ   = wᵢ ℓ''(yᵢ, rᵢ) / Σⱼ wⱼ                    (diagonal of ∂²value/∂r²)
    hessp(r, v)ᵢ  = wᵢ ∇²ℓ(yᵢ, rᵢ) vᵢ / Σⱼ wⱼ                 (Hessian-vector product)

with ``wᵢ = 1`` when no sample weights are given. A subclass writes only the
pointwise quantities (``pointwise``, ``gradient_pointwise``, ``hessian_pointwise``,
optionally a fused ``loss_gradient_pointwise`` and ``hessp_pointwise``), the
inverse link and the best constant; the base class does the weighting.

Losses are called in optimizers' inner loops, so they do not validate their
arguments: a model calls :meth:`Loss.check_target` once in ``fit``. Computations
stay in the precision of ``raw`` (float32 in, float32 out).

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
2nd ed., 2009, §10.6 (loss functions for regression and classification).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.exceptions import ParameterError

__all__ = ["Loss"]

_FLOATS = (np.float32, np.float64)


def as_raw(raw: Any) -> np.ndarray:
    """``raw`` as a float array, float32 kept, anything else as float64 (no copy if possible)."""
    raw = np.asarray(raw)
    if raw.dtype not in _FLOATS:
        raw = raw.astype(np.float64)
    return raw


def weighted_mean(values: np.ndarray, sample_weight: np.ndarray | None) -> float:
    """``Σ wᵢ vᵢ / Σ wᵢ`` (plain mean when ``sample_weight`` is None)."""
    if sample_weight is None:
        return float(np.mean(values))
    w = np.asarray(sample_weight)
    return float(np.dot(w, values) / np.sum(w))


def scale_rows(arr: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Multiply row ``i`` of ``arr`` by ``wᵢ / Σw`` (``1/n`` without weights), in place."""
    if sample_weight is None:
        arr /= arr.shape[0]
        return arr
    w = np.asarray(sample_weight)
    factor = w / np.sum(w)
    if arr.ndim == 2:
        factor = factor[:, None]
    arr *= factor
    return arr


class Loss:
    """Base class of pointwise losses ℓ(y, raw) and their weighted means.

    Attributes
    ----------
    name : str
        Key of the loss in :data:`lemma.losses.LOSSES`.
    n_outputs : int
        Raw predictions per sample: 1, or K for the multiclass softmax loss.
    is_smooth : bool
        False when ℓ has only a subgradient (the hinge loss).
    is_classification : bool
        True for losses of class labels.

    Notes
    -----
    Subclasses implement ``pointwise``, ``gradient_pointwise``,
    ``hessian_pointwise``, ``inverse_link`` and ``init_raw``; they may override
    ``loss_gradient_pointwise`` (shared intermediates computed once),
    ``hessp_pointwise`` (multi-output losses) and ``check_target``. Arrays
    returned by the pointwise methods are new arrays the caller owns.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.losses import SquaredLoss
    >>> loss = SquaredLoss()
    >>> loss.value(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    1.25
    >>> loss.gradient(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array([-0.5, -1. ])
    """

    name: str = ""
    n_outputs: int = 1
    is_smooth: bool = True
    is_classification: bool = False

    # -------------------------------------------------------------- pointwise
    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Per-sample loss ``ℓ(yᵢ, rawᵢ)``, shape (n,)."""
        raise NotImplementedError

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Per-sample derivative ``∂ℓᵢ/∂rawᵢ``, shape of ``raw``."""
        raise NotImplementedError

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Per-sample second derivative ``∂²ℓᵢ/∂rawᵢ²``, shape (n,)."""
        raise NotImplementedError

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(pointwise(y, raw), gradient_pointwise(y, raw))``, fused where it pays."""
        return self.pointwise(y, raw), self.gradient_pointwise(y, raw)

    def hessp_pointwise(self, y: np.ndarray, raw: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per-sample Hessian (in raw space) times ``v``, shape of ``raw``."""
        return self.hessian_pointwise(y, raw) * as_raw(v)

    # ------------------------------------------------------------ link, start
    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """The prediction on the response scale (mean, probability) from ``raw``."""
        raise NotImplementedError

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> Any:
        """The constant raw prediction minimising :meth:`value` (float, or (K,) array)."""
        raise NotImplementedError

    def check_target(self, y: np.ndarray) -> None:
        """Raise :class:`~lemma.exceptions.DataValidationError` if ``y`` is outside
        the loss's domain; call once in ``fit`` (no check here: any real y)."""

    # --------------------------------------------------------- weighted means
    def value(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> float:
        """Weighted mean loss ``Σ wᵢ ℓᵢ / Σ wᵢ``.

        Parameters
        ----------
        y : ndarray of shape (n,)
            Targets.
        raw : ndarray of shape (n,) or (n, n_outputs)
            Raw predictions.
        sample_weight : ndarray of shape (n,), optional
            Non-negative weights, not all zero; None means equal weights.

        Returns
        -------
        float
        """
        return weighted_mean(self.pointwise(y, raw), sample_weight)

    def gradient(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> np.ndarray:
        """``∂value/∂raw = wᵢ ℓ'ᵢ / Σw``, shape of ``raw``."""
        return scale_rows(self.gradient_pointwise(y, raw), sample_weight)

    def loss_gradient(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``(value, gradient)`` with the shared intermediates computed once."""
        loss, grad = self.loss_gradient_pointwise(y, raw)
        return weighted_mean(loss, sample_weight), scale_rows(grad, sample_weight)

    def hessian(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> np.ndarray:
        """Diagonal of ``∂²value/∂raw²``: ``wᵢ ℓ''ᵢ / Σw``, shape (n,)."""
        return scale_rows(self.hessian_pointwise(y, raw), sample_weight)

    def hessp(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        v: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> np.ndarray:
        """``(∂²value/∂raw²) v``, shape of ``raw``."""
        return scale_rows(self.hessp_pointwise(y, raw, v), sample_weight)

    def _no_diagonal_hessian(self) -> ParameterError:
        return ParameterError(
            f"{type(self).__name__} has no diagonal Hessian: each sample's Hessian is a "
            f"{self.n_outputs}×{self.n_outputs} matrix. Use hessp_pointwise(y, raw, v) or "
            "hessp(y, raw, v, sample_weight) for Hessian-vector products."
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
