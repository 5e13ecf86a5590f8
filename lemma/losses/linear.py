"""The objective of a linear model: a loss of ``Xβ + b`` plus a smooth penalty on β.

With design ``X`` (n × d), targets ``y``, weights ``w`` (``W = Σ wᵢ``), a loss ℓ,
a smooth penalty P and a constant ``c`` (``scale``):

    f(β, b) = c · Σᵢ wᵢ ℓ(yᵢ, rᵢ) / W + P(β),        r = Xβ + b      (b never penalised)

    ∇_β f = c · Xᵀg + ∇P(β),     ∇_b f = c · Σᵢ gᵢ,     gᵢ = wᵢ ℓ'(yᵢ, rᵢ) / W
    ∇²f   = c · [X 1]ᵀ diag(h) [X 1] + diag(∇²P(β), 0),  hᵢ = wᵢ ℓ''(yᵢ, rᵢ) / W

For a loss with K outputs (softmax), ``B`` is K × d, ``r = XBᵀ + 1bᵀ`` is n × K,
``∇_B f = c · GᵀX + ∇P(B)`` with ``G`` the n × K matrix of ``gᵢₖ``, and the Hessian
block of classes (k, l) is ``c · [X 1]ᵀ diag(h⁽ᵏˡ⁾) [X 1]`` with
``hᵢ⁽ᵏˡ⁾ = wᵢ (pᵢₖ δₖₗ − pᵢₖ pᵢₗ) / W``. The whole chain rule is
"raw-space derivative of the loss, then one product with X".

The parameters are one flat vector ``x``: the coefficients (``d``, or ``K·d`` in
row-major order, class by class), then the intercept(s) when ``fit_intercept``.

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §2.5
(score and information of a linear predictor); scikit-learn's ``LinearModelLoss``
uses the same normalisation by ``Σ wᵢ``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import Interval, validate_params
from lemma.exceptions import DataValidationError, ParameterError
from lemma.losses._base import Loss
from lemma.penalties import NoPenalty, Penalty

__all__ = ["LinearModelObjective"]


def _sandwich(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``Xᵀ diag(h) X`` as float64."""
    return np.asarray(X.T @ (X * h[:, None]), dtype=np.float64)


def _as_design(X: Any) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise DataValidationError(
            f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X


class LinearModelObjective:
    """``f(β, b) = scale · loss.value(y, Xβ + b, w) + penalty.value(β)`` for the optimizers.

    Parameters
    ----------
    loss : Loss or str
        The pointwise loss (a name from :data:`lemma.losses.LOSSES` builds it
        without arguments).
    X : ndarray of shape (n_samples, n_features)
        Design matrix; used as given (not copied), float32 kept.
    y : ndarray of shape (n_samples,)
        Targets (integer codes for the softmax loss).
    penalty : Penalty, optional
        A smooth penalty (:class:`~lemma.penalties.L2` or
        :class:`~lemma.penalties.NoPenalty`) on the coefficients. A non-smooth one
        (L1, elastic net) belongs to a proximal or coordinate-descent optimizer.
    sample_weight : ndarray of shape (n_samples,), optional
        Non-negative weights with a positive sum.
    fit_intercept : bool, default=True
        Whether the parameters end with an (unpenalised) intercept per output.
    scale : float, default=1.0
        Positive factor ``c`` on the mean loss.

    Attributes
    ----------
    n_params : int
        ``n_outputs·n_features + n_outputs·fit_intercept``.
    n_outputs : int
        ``loss.n_outputs`` (1, or K for softmax).
    n_samples, n_features : int
        Shape of ``X``.
    n_coef : int
        ``n_outputs·n_features``, the leading (penalised) entries of x.
    n_fev : int
        Calls to :meth:`value` and :meth:`value_and_gradient` so far.

    Notes
    -----
    ``raw(x)`` is cached for the last ``x``, so a :meth:`hessp` or :meth:`hessian`
    after a :meth:`value_and_gradient` at the same point costs no product with
    ``X``. The gradient of a non-smooth loss (hinge) is a subgradient.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.losses import LinearModelObjective, LogisticLoss
    >>> from lemma.penalties import L2
    >>> X = np.array([[1.0, 2.0], [2.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([0.0, 1.0, 1.0])
    >>> objective = LinearModelObjective(LogisticLoss(), X, y, penalty=L2(0.1))
    >>> objective.n_params
    3
    >>> value, grad = objective.value_and_gradient(np.zeros(3))
    >>> round(value, 6), np.round(grad, 4)
    (0.693147, array([-0.3333,  0.1667, -0.1667]))
    """

    def __init__(
        self,
        loss: Loss | str,
        X: np.ndarray,
        y: np.ndarray,
        *,
        penalty: Penalty | None = None,
        sample_weight: np.ndarray | None = None,
        fit_intercept: bool = True,
        scale: float = 1.0,
    ) -> None:
        from lemma.losses import get_loss

        self.loss = get_loss(loss)
        self.X = _as_design(X)
        self.n_samples, self.n_features = self.X.shape
        self.n_outputs = int(self.loss.n_outputs)
        self.y = self._as_target(y)
        self.sample_weight = self._as_weight(sample_weight)
        self.penalty = self._as_penalty(penalty)
        validate_params(
            {"scale": [Interval(float, 0, None, closed="neither")]},
            {"scale": scale},
            "LinearModelObjective",
        )
        self.fit_intercept = bool(fit_intercept)
        self.scale = float(scale)
        self.n_coef = self.n_outputs * self.n_features
        self.n_params = self.n_coef + self.n_outputs * self.fit_intercept
        self.n_fev = 0
        self._cached_x: np.ndarray | None = None
        self._raw_buffer: np.ndarray | None = None

    # ------------------------------------------------------------- validation
    def _as_target(self, y: Any) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (self.n_samples,):
            raise DataValidationError(
                f"y must have shape ({self.n_samples},) to match X's {self.n_samples} rows; "
                f"got {y.shape}."
            )
        if self.n_outputs > 1:
            return y if y.dtype.kind in "iu" else y.astype(np.intp)
        return np.asarray(y, dtype=self.X.dtype)

    def _as_weight(self, sample_weight: Any) -> np.ndarray | None:
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (self.n_samples,):
            raise DataValidationError(
                f"sample_weight must have shape ({self.n_samples},); got {w.shape}."
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.sum(w) > 0:
            raise DataValidationError(
                "sample_weight must be finite and non-negative with a positive sum."
            )
        return w

    @staticmethod
    def _as_penalty(penalty: Any) -> Penalty:
        if penalty is None:
            return NoPenalty()
        if not isinstance(penalty, Penalty):
            raise ParameterError(
                f"penalty must be a lemma.penalties.Penalty or None; got {penalty!r}."
            )
        if not penalty.is_smooth:
            raise ParameterError(
                f"LinearModelObjective takes only a smooth penalty; {penalty!r} is not smooth. "
                "Pass it to a proximal or coordinate-descent optimizer instead (e.g. "
                "lemma.optim.minimize(..., penalty=...)), or keep its smooth part from "
                "penalty.split()."
            )
        return penalty

    # ------------------------------------------------------------- parameters
    def pack(self, coef: Any, intercept: Any = 0.0) -> np.ndarray:
        """The flat parameter vector from ``coef`` ((d,) or (K, d)) and ``intercept``.

        Examples
        --------
        >>> import numpy as np
        >>> from lemma.losses import LinearModelObjective
        >>> objective = LinearModelObjective("squared", np.ones((3, 2)), np.zeros(3))
        >>> objective.pack([1.0, 2.0], 3.0)
        array([1., 2., 3.])
        """
        x = np.empty(self.n_params)
        x[: self.n_coef] = np.ravel(coef)
        if self.fit_intercept:
            x[self.n_coef :] = intercept
        return x

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """``(coef, intercept)`` from ``x``: coef (d,) or (K, d) (a view), intercept a
        float or (K,) array (0.0 / zeros without an intercept)."""
        x = np.asarray(x)
        coef = x[: self.n_coef]
        if self.n_outputs > 1:
            coef = coef.reshape(self.n_outputs, self.n_features)
            intercept = x[self.n_coef :] if self.fit_intercept else np.zeros(self.n_outputs)
        else:
            intercept = float(x[self.n_coef]) if self.fit_intercept else 0.0
        return coef, intercept

    def initial_params(self) -> np.ndarray:
        """Zero coefficients and the best constant intercept ``loss.init_raw(y, w)``."""
        intercept = self.loss.init_raw(self.y, self.sample_weight) if self.fit_intercept else 0.0
        return self.pack(np.zeros(self.n_coef), intercept)

    # ------------------------------------------------------------ evaluations
    def _raw(self, x: np.ndarray) -> np.ndarray:
        """``Xβ + b`` in a reused buffer (valid until the next call at another x)."""
        if self._cached_x is not None and np.array_equal(x, self._cached_x):
            return self._raw_buffer
        coef, intercept = self.unpack(x)
        coef = coef.astype(self.X.dtype, copy=False)
        if self._raw_buffer is None:
            shape = (self.n_samples,) if self.n_outputs == 1 else (self.n_samples, self.n_outputs)
            self._raw_buffer = np.empty(shape, dtype=self.X.dtype)
        raw = np.matmul(self.X, coef if self.n_outputs == 1 else coef.T, out=self._raw_buffer)
        if self.fit_intercept:
            raw += intercept
        self._cached_x = np.array(x, copy=True)
        return raw

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The raw predictions ``Xβ + b``, shape (n,) or (n, K) (a new array)."""
        return self._raw(np.asarray(x)).copy()

    def _backward(self, g_raw: np.ndarray, x: np.ndarray, X: np.ndarray) -> np.ndarray:
        """``(Xᵀg, Σg)`` packed like x, for a raw-space vector ``g`` ((n,) or (n, K))."""
        out = np.empty(self.n_params, dtype=np.result_type(x.dtype, X.dtype))
        if self.n_outputs == 1:
            out[: self.n_coef] = X.T @ g_raw
            if self.fit_intercept:
                out[self.n_coef] = g_raw.sum()
        else:
            out[: self.n_coef] = (g_raw.T @ X).ravel()
            if self.fit_intercept:
                out[self.n_coef :] = g_raw.sum(axis=0)
        return out

    def _add_penalty_gradient(self, grad: np.ndarray, x: np.ndarray) -> np.ndarray:
        if not isinstance(self.penalty, NoPenalty):
            grad[: self.n_coef] += self.penalty.gradient(x[: self.n_coef])
        return grad

    def value(self, x: np.ndarray) -> float:
        """``f(x)``."""
        x = np.asarray(x)
        self.n_fev += 1
        loss = self.loss.value(self.y, self._raw(x), self.sample_weight)
        return self.scale * loss + self.penalty.value(x[: self.n_coef])

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """``∇f(x)``, shape (n_params,)."""
        x = np.asarray(x)
        g_raw = self.loss.gradient(self.y, self._raw(x), self.sample_weight)
        if self.scale != 1.0:
            g_raw *= self.scale
        return self._add_penalty_gradient(self._backward(g_raw, x, self.X), x)

    def value_and_gradient(
        self, x: np.ndarray, batch: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``(f(x), ∇f(x))`` from one pass over the data.

        Parameters
        ----------
        x : ndarray of shape (n_params,)
        batch : ndarray of int, optional
            Rows of a mini-batch ``B`` (for stochastic optimizers): the loss term is
            then ``c·|B|⁻¹ Σ_{i∈B} (n wᵢ / W) ℓᵢ``, an unbiased estimate of the
            full one; the penalty is added in full.
        """
        x = np.asarray(x)
        self.n_fev += 1
        if batch is not None:
            return self._batch_value_and_gradient(x, np.asarray(batch))
        loss, g_raw = self.loss.loss_gradient(self.y, self._raw(x), self.sample_weight)
        if self.scale != 1.0:
            g_raw *= self.scale
        grad = self._add_penalty_gradient(self._backward(g_raw, x, self.X), x)
        return self.scale * loss + self.penalty.value(x[: self.n_coef]), grad

    def _batch_value_and_gradient(
        self, x: np.ndarray, batch: np.ndarray
    ) -> tuple[float, np.ndarray]:
        X = self.X[batch]
        coef, intercept = self.unpack(x)
        coef = coef.astype(X.dtype, copy=False)
        raw = X @ (coef if self.n_outputs == 1 else coef.T)
        if self.fit_intercept:
            raw += intercept
        loss, g_raw = self.loss.loss_gradient_pointwise(self.y[batch], raw)
        factor = np.full(len(batch), self.scale / len(batch))
        if self.sample_weight is not None:
            w = self.sample_weight
            factor *= w[batch] * (self.n_samples / np.sum(w))
        value = float(np.dot(factor, loss))
        g_raw *= factor[:, None] if g_raw.ndim == 2 else factor
        grad = self._add_penalty_gradient(self._backward(g_raw, x, X), x)
        return value + self.penalty.value(x[: self.n_coef]), grad

    def hessp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``∇²f(x) v``, shape (n_params,)."""
        x = np.asarray(x)
        raw = self._raw(x)
        v = np.asarray(v, dtype=np.float64)
        v_coef, v_intercept = self.unpack(v)
        v_coef_x = v_coef.astype(self.X.dtype, copy=False)
        direction = self.X @ (v_coef_x if self.n_outputs == 1 else v_coef_x.T)
        if self.fit_intercept:
            direction += v_intercept
        h_dir = self.loss.hessp(self.y, raw, direction, self.sample_weight)
        if self.scale != 1.0:
            h_dir *= self.scale
        out = self._backward(h_dir, v, self.X)
        if not isinstance(self.penalty, NoPenalty):
            out[: self.n_coef] += (
                self.penalty.hessian_diag(x[: self.n_coef]) * v[: self.n_coef]
            ).ravel()
        return out

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """``∇²f(x)``, dense (n_params, n_params) float64 (K² blocks for softmax)."""
        x = np.asarray(x)
        raw = self._raw(x)
        K, d = self.n_outputs, self.n_features
        H = np.zeros((self.n_params, self.n_params))
        if K == 1:
            columns = [self.loss.hessian(self.y, raw, self.sample_weight)[:, None]]
        else:
            columns = []
            for col in range(K):
                unit = np.zeros_like(raw)
                unit[:, col] = 1
                columns.append(self.loss.hessp(self.y, raw, unit, self.sample_weight))
        for col, h_col in enumerate(columns):  # h_col[:, row] = per-sample H_(row, col)
            for row in range(K):
                h = self.scale * h_col[:, row]
                rows, cols = slice(row * d, (row + 1) * d), slice(col * d, (col + 1) * d)
                H[rows, cols] = _sandwich(self.X, h)
                if self.fit_intercept:
                    cross = self.X.T @ h
                    H[rows, self.n_coef + col] = cross
                    H[self.n_coef + row, cols] = cross
                    H[self.n_coef + row, self.n_coef + col] = h.sum()
        if not isinstance(self.penalty, NoPenalty):
            diag = np.arange(self.n_coef)
            H[diag, diag] += np.ravel(self.penalty.hessian_diag(x[: self.n_coef]))
        return H

    def __repr__(self) -> str:
        return (
            f"LinearModelObjective(loss={self.loss!r}, X.shape={self.X.shape}, "
            f"penalty={self.penalty!r}, fit_intercept={self.fit_intercept}, scale={self.scale})"
        )
