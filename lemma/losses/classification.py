"""Classification losses: logistic, softmax cross-entropy, hinge and squared hinge.

Binary targets are ``y ∈ {0, 1}``; where a formula uses labels ``±1`` it is
``s = 2y − 1``. ``r`` is the raw score, ``σ(r) = 1/(1 + e^{−r})`` the logistic
function and ``r⁺ = max(r, 0)``.

* logistic (binomial deviance / 2, log-loss): ``ℓ = log(1 + eʳ) − y·r``,
  ``ℓ' = σ(r) − y``, ``ℓ'' = σ(r)·σ(−r)``. Computed as
  ``ℓ = (r⁺ − y·r) + log1p(e^{−|r|})`` and ``ℓ' = (1 − y)·σ(r) − y·σ(−r)`` with
  both σ(±r) formed from ``e^{−|r|}``: nothing overflows, and for binary y no
  term cancels, so ℓ and ℓ' keep full relative precision even where they are
  ~1e-300.
* softmax cross-entropy, K classes, ``y ∈ {0, …, K−1}``, ``r ∈ ℝᴷ``:
  ``ℓ = logsumexp(r) − r_y``, ``∇ℓ = p − e_y`` with ``p = softmax(r)``, and
  ``∇²ℓ = diag(p) − ppᵀ``, so ``∇²ℓ·v = p ⊙ v − p (pᵀv)``. With ``m = max r`` and
  ``t = Σ_{j ≠ argmax} e^{r_j − m}``: ``logsumexp(r) − m = log1p(t)``, and when
  ``y`` is the argmax, ``1 − p_y = t / (1 + t)`` — again no cancellation.
* hinge: ``ℓ = max(0, 1 − s·r)``; a subgradient is ``−s`` where ``1 − s·r > 0`` and
  0 elsewhere (0 is taken at the kink ``s·r = 1``); the Hessian is 0. Not smooth.
* squared hinge: ``ℓ = max(0, 1 − s·r)²``, ``ℓ' = −2s·max(0, 1 − s·r)`` (continuous),
  generalised Hessian ``ℓ'' = 2·1[1 − s·r > 0]``.

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
2nd ed., 2009, §4.4 (logistic and multinomial regression) and §12.3.2 (hinge
loss); Blanchard, Higham & Higham, "Accurately computing the log-sum-exp and
softmax functions", IMA J. Numer. Anal. 41 (2021).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.special import expit

from lemma._constraints import Interval, validate_params
from lemma.exceptions import DataValidationError
from lemma.losses._base import Loss, as_raw

__all__ = ["HingeLoss", "LogisticLoss", "SoftmaxCrossEntropy", "SquaredHingeLoss"]

_EPS = np.finfo(np.float64).eps


def _check_binary(y: np.ndarray, owner: str) -> None:
    y = np.asarray(y)
    bad = (y != 0) & (y != 1)
    if np.any(bad):
        shown = np.unique(y[bad])[:5].tolist()
        raise DataValidationError(
            f"{owner} needs binary targets y in {{0, 1}}; got other values {shown}. "
            "Encode the classes first (lemma.validation.encode_classes)."
        )


def _weighted_mean(y: np.ndarray, sample_weight: np.ndarray | None) -> float:
    return float(np.average(np.asarray(y, dtype=np.float64), weights=sample_weight))


def _exp_neg_abs(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``e = exp(−|r|)`` and ``d = 1/(1 + e) = σ(|r|)``; then ``σ(−|r|) = e·d``."""
    e = np.abs(raw)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1
    np.reciprocal(d, out=d)
    return e, d


def _logistic_gradient(y: np.ndarray, raw: np.ndarray, d: np.ndarray, small: np.ndarray):
    """``(1 − y)·σ(r) − y·σ(−r)`` from ``d = σ(|r|)`` and ``small = σ(−|r|)``."""
    nonneg = raw >= 0
    p = np.where(nonneg, d, small)
    q = np.where(nonneg, small, d)
    grad = np.subtract(1, y, dtype=raw.dtype)
    grad *= p
    q *= y
    grad -= q
    return grad


@numba.njit(cache=True, nogil=True, inline="always")
def logistic_terms(r, y):  # pragma: no cover - compiled
    """``(ℓ, ℓ', ℓ'')`` of one row by the formulas above: with ``e = exp(−|r|)``,
    ``d = σ(|r|) = 1/(1 + e)`` and ``s = σ(−|r|) = e·d``, ``ℓ = max(r, 0) − yr + log1p(e)``,
    ``ℓ' = (1 − y)σ(r) − yσ(−r)`` and ``ℓ'' = σ(r)σ(−r) = d·s`` (no cancellation)."""
    e = math.exp(-abs(r))
    d = 1.0 / (1.0 + e)  # σ(|r|)
    small = e * d  # σ(−|r|)
    loss = max(r, 0.0) - y * r + math.log1p(e)
    if r >= 0:
        gradient = (1.0 - y) * d - y * small
    else:
        gradient = (1.0 - y) * small - y * d
    return loss, gradient, d * small


@numba.njit(cache=True, nogil=True)
def _fused_logistic(y, raw, loss, grad):  # pragma: no cover - compiled
    """ℓ and ℓ' of every row in one pass (no n-sized temporaries)."""
    for i in range(raw.size):
        loss[i], grad[i], _ = logistic_terms(raw[i], y[i])


@numba.njit(cache=True, nogil=True)
def _fused_logistic_mean(y, raw, w, grad):  # pragma: no cover - compiled
    """``Σwᵢℓᵢ / Σw`` (returned) and ``wᵢℓ'ᵢ / Σw`` (into ``grad``) in one pass, without
    the n-vector of losses; ``w`` empty means equal weights. Sums run in blocks of 512
    rows, so their rounding error grows with the number of blocks, not of rows."""
    n = raw.size
    weighted = w.size > 0
    total_w = 0.0
    if weighted:
        for start in range(0, n, 512):
            part_w = 0.0
            for i in range(start, min(start + 512, n)):
                part_w += w[i]
            total_w += part_w
    else:
        total_w = float(n)
    inv = 1.0 / total_w
    total = 0.0
    for start in range(0, n, 512):
        part = 0.0
        for i in range(start, min(start + 512, n)):
            wi = w[i] if weighted else 1.0
            loss, gradient, _ = logistic_terms(raw[i], y[i])
            part += wi * loss
            grad[i] = wi * inv * gradient
        total += part
    return total * inv


@numba.njit(cache=True, nogil=True)
def logistic_newton_terms(y, raw, w, gradients, hessians):  # pragma: no cover - compiled
    """``Σ wᵢℓᵢ`` (returned), ``wᵢℓ'ᵢ`` and ``wᵢℓ''ᵢ`` of every row in one pass, for
    boosting's Newton steps. (In this file with :func:`logistic_terms`: Numba's cache
    is invalidated by a change to the kernel's own file only.)"""
    total = 0.0
    for i in range(raw.size):
        loss, gradient, hessian = logistic_terms(raw[i], y[i])
        total += w[i] * loss
        gradients[i] = w[i] * gradient
        hessians[i] = w[i] * hessian
    return total


@numba.njit(cache=True, nogil=True)
def _fused_softmax(y, raw, loss, grad):  # pragma: no cover - compiled
    """Cross-entropy and its gradient of every row in one pass (the module's formulas)."""
    n, k = raw.shape
    for i in range(n):
        top, m = 0, raw[i, 0]
        for j in range(1, k):
            if raw[i, j] > m:
                top, m = j, raw[i, j]
        t = 0.0  # Σ_{j ≠ top} e^{r_j − m}
        for j in range(k):
            if j != top:
                grad[i, j] = math.exp(raw[i, j] - m)
                t += grad[i, j]
        for j in range(k):
            grad[i, j] = 1.0 / (1.0 + t) if j == top else grad[i, j] / (1.0 + t)
        yi = y[i]
        loss[i] = math.log1p(t) + (m - raw[i, yi])
        grad[i, yi] = -(t / (1.0 + t)) if yi == top else grad[i, yi] - 1.0


class LogisticLoss(Loss):
    """Logistic loss ``ℓ = log(1 + eʳ) − y·r`` for ``y ∈ {0, 1}``, logit link.

    Examples
    --------
    >>> import numpy as np
    >>> loss = LogisticLoss()
    >>> y, raw = np.array([1.0, 0.0]), np.array([0.0, 30.0])
    >>> print(np.round(loss.pointwise(y, raw), 6))
    [ 0.693147 30.      ]
    >>> print(loss.gradient_pointwise(y, raw))
    [-0.5  1. ]
    >>> float(loss.pointwise(np.array([1.0]), np.array([40.0]))[0])  # log1p(e⁻⁴⁰), not 0
    4.24835e-18
    """

    name = "logistic"
    is_classification = True

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        y = np.asarray(y, dtype=raw.dtype)
        e, _ = _exp_neg_abs(raw)
        loss = np.maximum(raw, 0)
        loss -= y * raw
        loss += np.log1p(e, out=e)
        return loss

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        e, d = _exp_neg_abs(raw)
        e *= d
        return _logistic_gradient(np.asarray(y, dtype=raw.dtype), raw, d, e)

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        e, d = _exp_neg_abs(as_raw(raw))
        e *= d
        e *= d
        return e

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raw = as_raw(raw)
        y = np.asarray(y, dtype=raw.dtype)
        if y.shape == raw.shape and raw.dtype == np.float64:  # the solvers' hot path
            loss, grad = np.empty(raw.size), np.empty(raw.size)  # C order: ravel is a view
            _fused_logistic(y.ravel(), raw.ravel(), loss, grad)
            return loss.reshape(raw.shape), grad.reshape(raw.shape)
        e, d = _exp_neg_abs(raw)
        loss = np.maximum(raw, 0)
        loss -= y * raw
        loss += np.log1p(e)
        e *= d
        return loss, _logistic_gradient(y, raw, d, e)

    def loss_gradient(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``(value, gradient)`` as :meth:`Loss.loss_gradient`; on float64 the weighted mean
        is summed inside the fused pass, so no n-vector of losses is made."""
        raw = as_raw(raw)
        y = np.asarray(y, dtype=raw.dtype)
        one_column = raw.ndim == 1 or raw.shape[1] == 1
        if y.shape == raw.shape and raw.dtype == np.float64 and one_column and raw.size:
            w = np.empty(0) if sample_weight is None else np.asarray(sample_weight, np.float64)
            if sample_weight is None or (w.size == raw.size and w.sum() > 0):
                grad = np.empty(raw.size)
                value = _fused_logistic_mean(
                    np.ascontiguousarray(y).ravel(), np.ascontiguousarray(raw).ravel(),
                    np.ascontiguousarray(w).ravel(), grad,
                )  # fmt: skip
                return float(value), grad.reshape(raw.shape)
        return super().loss_gradient(y, raw, sample_weight)

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """The probability ``P(y = 1) = σ(raw)``."""
        return expit(as_raw(raw))

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """The log-odds of the weighted class-1 frequency, clipped to ``[ε, 1 − ε]``."""
        p = min(max(_weighted_mean(y, sample_weight), _EPS), 1 - _EPS)
        return float(np.log(p / (1 - p)))

    def check_target(self, y: np.ndarray) -> None:
        """Raise :class:`~lemma.exceptions.DataValidationError` unless ``y ∈ {0, 1}``."""
        _check_binary(y, "LogisticLoss")


class SoftmaxCrossEntropy(Loss):
    """Multinomial cross-entropy ``ℓ = logsumexp(r) − r_y`` over ``n_classes`` scores.

    Parameters
    ----------
    n_classes : int
        Number of classes K ≥ 2; raw predictions have shape (n, K) and targets
        are integer codes 0 … K−1.

    Examples
    --------
    >>> import numpy as np
    >>> loss = SoftmaxCrossEntropy(3)
    >>> raw = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, -1.0]])
    >>> print(np.round(loss.pointwise(np.array([0, 1]), raw), 6))
    [1.098612 2.169846]
    >>> print(np.round(loss.inverse_link(raw)[1], 4))
    [0.8438 0.1142 0.042 ]
    """

    name = "softmax"
    is_classification = True

    def __init__(self, n_classes: int):
        validate_params(
            {"n_classes": [Interval(int, 2, None, closed="left")]},
            {"n_classes": n_classes},
            "SoftmaxCrossEntropy",
        )
        self.n_classes = int(n_classes)
        self.n_outputs = self.n_classes

    @staticmethod
    def _codes(y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        return y if y.dtype.kind in "iu" else y.astype(np.intp)

    @staticmethod
    def _parts(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Probabilities ``p``, ``log1p(t)``, ``t`` and the row argmax (see module notes)."""
        rows = np.arange(raw.shape[0])
        top = np.argmax(raw, axis=1)
        p = raw - raw[rows, top][:, None]
        np.exp(p, out=p)
        p[rows, top] = 0
        t = p.sum(axis=1)
        p[rows, top] = 1
        p /= (1 + t)[:, None]
        return p, np.log1p(t), t, top

    def _loss_from_parts(self, y, raw, log_norm, top) -> np.ndarray:
        rows = np.arange(raw.shape[0])
        # logsumexp(r) − r_y = log1p(t) + (max r − r_y), a sum of two non-negative terms.
        gap = raw[rows, top] - raw[rows, y]
        gap += log_norm
        return gap

    @staticmethod
    def _gradient_from_parts(y, p, t, top) -> np.ndarray:
        rows = np.arange(p.shape[0])
        at_y = p[rows, y] - 1
        hit = y == top
        at_y[hit] = -(t[hit] / (1 + t[hit]))
        p[rows, y] = at_y
        return p

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        raw = as_raw(raw)
        _, log_norm, _, top = self._parts(raw)
        return self._loss_from_parts(self._codes(y), raw, log_norm, top)

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        p, _, t, top = self._parts(as_raw(raw))
        return self._gradient_from_parts(self._codes(y), p, t, top)

    def loss_gradient_pointwise(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raw = as_raw(raw)
        y = self._codes(y)
        fused = raw.ndim == 2 and raw.dtype == np.float64 and y.shape == raw.shape[:1]
        if fused and y.size and 0 <= y.min() and y.max() < raw.shape[1]:  # no bounds checks
            raw = np.ascontiguousarray(raw)  # the solvers' hot path: one pass, no temporaries
            loss, grad = np.empty(raw.shape[0]), np.empty(raw.shape)
            _fused_softmax(np.ascontiguousarray(y, dtype=np.intp), raw, loss, grad)
            return loss, grad
        p, log_norm, t, top = self._parts(raw)
        loss = self._loss_from_parts(y, raw, log_norm, top)
        return loss, self._gradient_from_parts(y, p, t, top)

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Not defined: each sample's Hessian is K×K; raises ParameterError."""
        raise self._no_diagonal_hessian()

    def hessp_pointwise(self, y: np.ndarray, raw: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Rows ``p ⊙ v − p (pᵀv)``, shape (n, K)."""
        p = self._parts(as_raw(raw))[0]
        v = np.asarray(v, dtype=p.dtype)
        pv = np.einsum("ij,ij->i", p, v)
        out = v - pv[:, None]
        out *= p
        return out

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """Class probabilities ``softmax(raw)`` row-wise, shape (n, K)."""
        return self._parts(as_raw(raw))[0]

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
        """Centred log class frequencies (floored at ``ε``), shape (K,)."""
        counts = np.bincount(self._codes(y), weights=sample_weight, minlength=self.n_classes)
        log_freq = np.log(np.maximum(counts / counts.sum(), _EPS))
        return log_freq - log_freq.mean()

    def check_target(self, y: np.ndarray) -> None:
        """Raise :class:`~lemma.exceptions.DataValidationError` unless ``y`` holds
        integer codes in ``0 … n_classes − 1``."""
        y = np.asarray(y)
        if y.ndim != 1:
            raise DataValidationError(
                f"SoftmaxCrossEntropy needs a 1-D array of class codes; got shape {y.shape}."
            )
        bad = (y != np.round(y)) | (y < 0) | (y >= self.n_classes)
        if np.any(bad):
            shown = np.unique(y[bad])[:5].tolist()
            raise DataValidationError(
                f"SoftmaxCrossEntropy({self.n_classes}) needs integer class codes in "
                f"0..{self.n_classes - 1}; got {shown}. Encode the classes first "
                "(lemma.validation.encode_classes)."
            )

    def __repr__(self) -> str:
        return f"SoftmaxCrossEntropy(n_classes={self.n_classes})"


class _MarginLoss(Loss):
    """Shared parts of the hinge losses: labels ``s = 2y − 1`` and ``1 − s·r``."""

    is_classification = True

    @staticmethod
    def _sign_margin(y: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.asarray(y, dtype=raw.dtype) * 2
        s -= 1
        margin = s * raw
        np.subtract(1, margin, out=margin)
        return s, margin

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """The raw score itself (a margin; the predicted class is ``raw > 0``)."""
        return as_raw(raw).copy()

    def check_target(self, y: np.ndarray) -> None:
        """Raise :class:`~lemma.exceptions.DataValidationError` unless ``y ∈ {0, 1}``."""
        _check_binary(y, type(self).__name__)


class HingeLoss(_MarginLoss):
    """Hinge loss ``ℓ = max(0, 1 − s·r)``, ``s = 2y − 1``; subgradient only.

    Examples
    --------
    >>> import numpy as np
    >>> loss = HingeLoss()
    >>> y, raw = np.array([1.0, 0.0, 1.0]), np.array([0.5, 0.5, 2.0])
    >>> loss.pointwise(y, raw)
    array([0.5, 1.5, 0. ])
    >>> loss.gradient_pointwise(y, raw)
    array([-1.,  1.,  0.])
    """

    name = "hinge"
    is_smooth = False

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        _, margin = self._sign_margin(y, as_raw(raw))
        return np.maximum(margin, 0, out=margin)

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """The subgradient ``−s·1[1 − s·r > 0]``."""
        s, margin = self._sign_margin(y, as_raw(raw))
        np.negative(s, out=s)
        s[margin <= 0] = 0
        return s

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return np.zeros_like(as_raw(raw))

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """``sign(Σ wᵢ sᵢ)``: +1 or −1 towards the heavier class, 0 on a tie."""
        return float(np.sign(2 * _weighted_mean(y, sample_weight) - 1))


class SquaredHingeLoss(_MarginLoss):
    """Squared hinge loss ``ℓ = max(0, 1 − s·r)²``, ``s = 2y − 1``.

    Examples
    --------
    >>> import numpy as np
    >>> loss = SquaredHingeLoss()
    >>> y, raw = np.array([1.0, 0.0, 1.0]), np.array([0.5, 0.5, 2.0])
    >>> loss.pointwise(y, raw)
    array([0.25, 2.25, 0.  ])
    >>> loss.gradient_pointwise(y, raw)
    array([-1.,  3.,  0.])
    """

    name = "squared_hinge"

    def pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        _, margin = self._sign_margin(y, as_raw(raw))
        np.maximum(margin, 0, out=margin)
        margin *= margin
        return margin

    def gradient_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """``−2s·max(0, 1 − s·r)``."""
        s, margin = self._sign_margin(y, as_raw(raw))
        active = margin > 0
        s *= -2
        s *= margin
        s[~active] = 0
        return s

    def hessian_pointwise(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """The generalised Hessian ``2·1[1 − s·r > 0]``."""
        raw = as_raw(raw)
        _, margin = self._sign_margin(y, raw)
        return np.multiply(margin > 0, 2, dtype=raw.dtype)

    def init_raw(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """``Σ wᵢ sᵢ / Σ wᵢ`` (in [−1, 1], where every sample is on the active side)."""
        return float(2 * _weighted_mean(y, sample_weight) - 1)
