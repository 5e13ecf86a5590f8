"""The losses boosting descends: gradients and Hessians per row, from lemma.losses.

Each iteration needs, at the current raw predictions ``r``, the weighted
gradient ``wᵢ ∂ℓ/∂rᵢ`` and Hessian ``wᵢ ∂²ℓ/∂rᵢ²`` of every row, and the mean
loss for ``history_``. The formulas live in :mod:`lemma.losses`; this module
adapts them to boosting:

* ``squared_error`` (:class:`~lemma.losses.SquaredLoss`): ``g = r − y``, ``h = 1``;
  the Newton leaf value is the leaf's mean residual.
* ``poisson`` (:class:`~lemma.losses.PoissonLoss`, log link): ``g = eʳ − y``, ``h = eʳ``.
* ``log_loss``, binary (:class:`~lemma.losses.LogisticLoss`): ``g = σ(r) − y``,
  ``h = σ(r)(1 − σ(r))``; multiclass (:class:`~lemma.losses.SoftmaxCrossEntropy`,
  one tree per class and iteration): ``g_k = p_k − 1[y = k]`` and the diagonal of
  the Hessian ``h_k = p_k (1 − p_k)`` (each class's tree is fitted as if the other
  scores were fixed, as in Friedman's multiclass algorithm).
* ``huber`` (:class:`~lemma.losses.HuberLoss`): ``g = clip(r − y, −δ, δ)`` and
  ``h = 1`` rather than the true ``1[|y − r| ≤ δ]``, which vanishes on leaves made
  of outliers and would make ``−G/H`` unbounded; with ``h = 1`` the leaf value is
  the mean clipped residual, a step that never increases the loss because the
  Huber loss has curvature at most 1. ``δ`` is the ``alpha``-quantile of
  ``|y − median(y)|``, fixed at the start so that the loss in ``history_`` is one
  function (Friedman 2001 re-estimates it each iteration).
* ``absolute_error``: ``ℓ = |y − r|``, ``g = sign(r − y)``, ``h = 1`` to grow the
  tree; each leaf value is then replaced by the weighted median of the leaf's
  residuals (the exact line search of Friedman 2001, Algorithm 3), times the
  learning rate, as scikit-learn does.

Reference: Friedman, "Greedy function approximation: a gradient boosting
machine", Ann. Statist. 29 (2001), §4 (algorithms per loss).
"""

from __future__ import annotations

import numpy as np

from lemma.losses import HuberLoss, LogisticLoss, PoissonLoss, SoftmaxCrossEntropy, SquaredLoss
from lemma.losses.classification import logistic_newton_terms
from lemma.models.ensemble._binning import weighted_quantiles

__all__ = ["BOOSTING_LOSSES", "CHUNK_ROWS", "BoostingLoss"]


#: Rows per block when evaluating a loss: the temporaries of a block stay in cache.
CHUNK_ROWS = 32_768


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    return float(weighted_quantiles(values, weights, np.array([0.5]))[0])


def _weighted_sum(w: np.ndarray, values: np.ndarray) -> float:
    """``Σ wᵢ vᵢ`` by pairwise summation (a BLAS dot would start its thread pool)."""
    return float(np.sum(w * values))


class BoostingLoss:
    """A lemma loss seen by boosting: baseline, weighted gradients and Hessians.

    Parameters
    ----------
    loss : lemma.losses.Loss
        The loss whose formulas are used.
    n_trees : int, default=1
        Trees per iteration (raw-score columns).
    """

    #: Leaf values are recomputed after growing (non-smooth losses).
    updates_leaves = False

    def __init__(self, loss, n_trees: int = 1):
        self.loss = loss
        self.n_trees = n_trees

    def baseline(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The best constant raw prediction, shape (n_trees,)."""
        return np.atleast_1d(np.asarray(self.loss.init_raw(y, w), dtype=np.float64))

    def loss_gradient_hessian(self, y, raw, w, gradients, hessians) -> float:
        """Fill ``gradients`` and ``hessians`` (n, n_trees) with ``w·ℓ'`` and ``w·ℓ''``.

        Rows are processed in blocks of :data:`CHUNK_ROWS`. Returns the weighted
        mean loss at ``raw`` (n, n_trees).
        """
        total = 0.0
        for a in range(0, y.shape[0], CHUNK_ROWS):
            b = a + CHUNK_ROWS
            total += self._block(y[a:b], raw[a:b], w[a:b], gradients[a:b], hessians[a:b])
        return total / float(np.sum(w))

    def _block(self, y, raw, w, gradients, hessians) -> float:
        r = raw[:, 0]
        pointwise, gradient = self.loss.loss_gradient_pointwise(y, r)
        np.multiply(gradient, w, out=gradients[:, 0])
        np.multiply(self._hessian(y, r), w, out=hessians[:, 0])
        return _weighted_sum(w, pointwise)

    def _hessian(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return self.loss.hessian_pointwise(y, raw)

    def value(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray) -> float:
        """Weighted mean loss at ``raw`` (n, n_trees), in blocks of :data:`CHUNK_ROWS`."""
        total = 0.0
        for a in range(0, y.shape[0], CHUNK_ROWS):
            b = a + CHUNK_ROWS
            total += self._block_value(y[a:b], raw[a:b], w[a:b])
        return total / float(np.sum(w))

    def _block_value(self, y, raw, w) -> float:
        r = raw[:, 0] if self.n_trees == 1 else raw
        return _weighted_sum(w, self.loss.pointwise(y, r))

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        """Predictions on the response scale from raw scores (n, n_trees)."""
        return self.loss.inverse_link(raw[:, 0] if self.n_trees == 1 else raw)


class _UnitHessian(BoostingLoss):
    def _hessian(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return np.ones_like(raw)


class _Huber(_UnitHessian):
    """Huber loss with ``δ`` from the residuals about the median, baseline the median."""

    def __init__(self, y: np.ndarray, w: np.ndarray, alpha: float):
        median = _weighted_median(y, w)
        spread = np.abs(y - median)
        delta = float(weighted_quantiles(spread, w, np.array([alpha]))[0])
        if delta <= 0:
            delta = float(spread.max()) or 1.0
        super().__init__(HuberLoss(delta=delta))
        self._median = median

    def baseline(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.array([self._median])


class _Softmax(BoostingLoss):
    def _block(self, y, raw, w, gradients, hessians) -> float:
        pointwise, gradient = self.loss.loss_gradient_pointwise(y, raw)
        probability = gradient.copy()
        probability[np.arange(y.size), y] += 1.0
        np.multiply(gradient, w[:, None], out=gradients)
        probability *= 1.0 - probability
        np.multiply(probability, w[:, None], out=hessians)
        return _weighted_sum(w, pointwise)


class _AbsoluteError(BoostingLoss):
    """``ℓ = |y − r|`` with leaf values by the median of residuals."""

    updates_leaves = True

    def __init__(self) -> None:
        super().__init__(loss=None)

    def baseline(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.array([_weighted_median(y, w)])

    def _block(self, y, raw, w, gradients, hessians) -> float:
        residual = y - raw[:, 0]
        np.multiply(-np.sign(residual), w, out=gradients[:, 0])
        hessians[:, 0] = w
        return _weighted_sum(w, np.abs(residual))

    def _block_value(self, y, raw, w) -> float:
        return _weighted_sum(w, np.abs(y - raw[:, 0]))

    def inverse_link(self, raw: np.ndarray) -> np.ndarray:
        return raw[:, 0].copy()

    def update_leaf_values(self, y, raw, w, rows_of_leaves, learning_rate) -> np.ndarray:
        """Leaf values ``learning_rate × weighted median(y − raw)`` over each leaf's rows."""
        values = np.empty(len(rows_of_leaves))
        for k, rows in enumerate(rows_of_leaves):
            values[k] = learning_rate * _weighted_median(y[rows] - raw[rows], w[rows])
        return values


class _Logistic(BoostingLoss):
    """Binary log-loss: loss, gradient and Hessian of a block in one compiled pass (the
    separate NumPy calls made six n-sized temporaries per block and iteration)."""

    def _block(self, y, raw, w, gradients, hessians) -> float:
        y = np.asarray(y, dtype=np.float64)
        return logistic_newton_terms(y, raw[:, 0], w, gradients[:, 0], hessians[:, 0])


def _log_loss(y, w, n_classes, alpha):
    if n_classes <= 2:
        return _Logistic(LogisticLoss())
    return _Softmax(SoftmaxCrossEntropy(n_classes), n_trees=n_classes)


#: Loss name → factory ``(y, w, n_classes, alpha) -> BoostingLoss``.
BOOSTING_LOSSES = {
    "squared_error": lambda y, w, n_classes, alpha: _UnitHessian(SquaredLoss()),
    "absolute_error": lambda y, w, n_classes, alpha: _AbsoluteError(),
    "huber": lambda y, w, n_classes, alpha: _Huber(y, w, alpha),
    "poisson": lambda y, w, n_classes, alpha: BoostingLoss(PoissonLoss()),
    "log_loss": _log_loss,
}
