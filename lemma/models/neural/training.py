"""The training loop of a network: epochs of mini-batch steps, the record, the stopping rule.

Each epoch visits the training rows once, in a new random order (``shuffle``), in
mini-batches of ``batch_size``; on each batch the network does one forward pass, one
backward pass and one step of its update rule
(:meth:`~lemma.models.neural.sequential.Sequential.fit`). The loop keeps the record:
the epoch's training loss (the mean of the batch objectives, weighted by batch size)
and, given validation data, a validation score — accuracy for classification losses,
R² otherwise (:mod:`lemma.metrics`).

Stopping (scikit-learn's MLP rule). The monitored value is the validation score if
there is one, else minus the training loss. An epoch improves on the best value so far
only by at least ``tol``; after ``n_iter_no_change`` consecutive epochs without
improvement the loop stops (or, ``on_plateau="reduce_learning_rate"``, divides the
learning rate by 5 and goes on until it falls to 10⁻⁶ — scikit-learn's
``learning_rate="adaptive"``). With validation data the weights of the best epoch are
restored at the end (early stopping; Prechelt 1998). scikit-learn stops one epoch
later: it acts when the count *exceeds* ``n_iter_no_change``. A training loss that
becomes NaN or infinite raises :class:`~lemma.optim.OptimizationError`; running out
of epochs before the rule stops warns with
:class:`~lemma.exceptions.ConvergenceWarning`.

Reference: Prechelt, "Early stopping — but when?", in *Neural Networks: Tricks of the
Trade*, Springer, 1998; Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press,
2016, §7.8 (early stopping) and §8.1.3 (mini-batches).

Examples
--------
>>> import numpy as np
>>> from lemma.models.neural import Dense, Sequential
>>> from lemma.models.neural.training import train
>>> from lemma.optim import SGD
>>> X = np.linspace(-1, 1, 40).reshape(-1, 1)
>>> net = Sequential([Dense(1)], optimizer=SGD(0.2), dtype="float64", random_state=0).build(1)
>>> train(net, X, 3 * X[:, 0] + 1, epochs=50, batch_size=10, tol=None)
>>> len(net.history_["train_loss"]), np.round(net.get_parameters(), 4)  # y = 3x + 1
(50, array([3., 1.]))
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lemma.exceptions import ConvergenceWarning, DataValidationError, interop
from lemma.optim import OptimizationError

if TYPE_CHECKING:
    from lemma.models.neural.sequential import Sequential

__all__ = ["MIN_LEARNING_RATE", "encode_labels", "train"]

#: Smallest learning rate ``on_plateau="reduce_learning_rate"`` goes down to (scikit-learn's).
MIN_LEARNING_RATE = 1e-6


# ------------------------------------------------------------------------------ labels
def encode_labels(classes: np.ndarray, y: np.ndarray, owner: str) -> np.ndarray:
    """Codes ``0 … K−1`` of labels ``y`` among known ``classes`` (sorted).

    Raises
    ------
    DataValidationError
        If ``y`` holds labels that are not in ``classes``.

    Examples
    --------
    >>> import numpy as np
    >>> encode_labels(np.array(["a", "b"]), np.array(["b", "a", "b"]), "model").tolist()
    [1, 0, 1]
    """
    y = np.asarray(y)
    try:
        codes = np.searchsorted(classes, y)
        codes = np.minimum(codes, classes.size - 1)
        unseen = classes[codes] != y
    except TypeError:  # labels of another type than the classes (str vs numbers)
        unseen = np.ones(y.shape, dtype=bool)
        codes = np.zeros(y.shape, dtype=np.intp)
    if np.any(unseen):
        shown = np.unique(y[unseen].astype(object).astype(str))[:5].tolist()
        raise DataValidationError(
            f"y has labels {shown} that {owner} did not see when it was first fitted (its "
            f"classes are {classes.tolist()}); a network cannot add outputs for new classes. "
            "Fit again from scratch with fit(), or pass every class to the first "
            "partial_fit call with classes=."
        )
    return codes.astype(np.intp)


# ----------------------------------------------------------------------- training loop
class _Plateau:
    """scikit-learn's stopping rule on a value to maximise (a score, or minus a loss)."""

    def __init__(self, tol: float, patience: int) -> None:
        self.tol = tol
        self.patience = patience
        self.best = -np.inf
        self.count = 0

    def update(self, value: float) -> bool:
        """Record an epoch's value; True once it has stalled for ``patience`` epochs."""
        self.count = self.count + 1 if value < self.best + self.tol else 0
        self.best = max(self.best, value)
        return self.count >= self.patience


def train(
    network: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    epochs: int,
    batch_size: int,
    shuffle: bool = True,
    validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
    tol: float | None = 1e-4,
    n_iter_no_change: int = 10,
    on_plateau: str = "stop",
    restore_best_weights: bool = True,
    callbacks: Sequence[Callable[[Sequential], Any]] = (),
    warn: bool = True,
    owner: str = "Sequential",
) -> None:
    """The training loop: epochs of mini-batch steps, the record, and the stopping rule.

    Parameters
    ----------
    network : Sequential
        A built network (see :meth:`Sequential.build`); trained in place.
    X : ndarray of shape (n_samples, n_features)
        Rows in the network's dtype.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets as the loss expects them (class codes for classification losses).
    sample_weight : ndarray of shape (n_samples,), optional
    epochs : int
        Most epochs to run.
    batch_size : int
        Rows per mini-batch (the last one may be smaller).
    shuffle : bool, default=True
        Visit the rows in a new random order each epoch (``network.random_``).
    validation : (X_val, y_val, w_val), optional
        Held-out rows, encoded like ``X`` and ``y``; their score is recorded after every
        epoch and drives the stopping rule.
    tol : float or None, default=1e-4
        Smallest improvement that counts; None runs all ``epochs`` (no stopping test,
        no warning).
    n_iter_no_change : int, default=10
        Epochs without improvement before the plateau rule acts.
    on_plateau : {"stop", "reduce_learning_rate"}, default="stop"
        Stop, or divide the learning rate by 5 and go on until it falls to
        :data:`MIN_LEARNING_RATE` (scikit-learn's ``learning_rate="adaptive"``).
    restore_best_weights : bool, default=True
        With validation data, end with the weights (and batch-norm statistics) of the
        epoch with the best validation score.
    callbacks : sequence of callable, default=()
        Each called as ``callback(network)`` after every epoch; raising
        ``StopIteration`` ends training without a warning.
    warn : bool, default=True
        Warn with :class:`~lemma.exceptions.ConvergenceWarning` if ``epochs`` run out
        before the plateau rule stops training.
    owner : str, default="Sequential"
        Name put in front of messages.

    Notes
    -----
    Appends to ``network.history_["train_loss"]`` and ``["validation_score"]`` and sets
    ``network.n_epochs_`` (epochs of this call), ``network.converged_`` and
    ``network.stop_message_``.
    """
    n = X.shape[0]
    size = max(1, min(batch_size, n))
    plateau = _Plateau(tol if tol is not None else 0.0, n_iter_no_change)
    best_score, best = -np.inf, None
    history = network.history_
    network.converged_, network.stop_message_ = False, f"ran epochs={epochs}"
    network._ensure_linked()
    for epoch in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            loss = network._train_epoch(X, y, sample_weight, size, shuffle)
            score = None if validation is None else network._score_encoded(*validation)
        if not math.isfinite(loss):
            raise OptimizationError(
                f"{owner}: the training loss became {loss} in epoch "
                f"{len(history['train_loss']) + 1}; the steps diverged. Lower the learning "
                "rate, or scale the features (lemma.prep.StandardScaler)."
            )
        history["train_loss"].append(loss)
        monitored = -loss
        if score is not None:
            monitored = score
            history["validation_score"].append(score)
            if restore_best_weights and score > best_score:
                best_score, best = score, network._snapshot()
        network.n_epochs_ = epoch
        try:
            for callback in callbacks:
                callback(network)
        except StopIteration:
            network.stop_message_ = f"stopped by a callback after epoch {epoch}"
            break
        if tol is None or not plateau.update(monitored):
            continue
        rule = network.optimizer_
        if on_plateau == "reduce_learning_rate" and rule.learning_rate > MIN_LEARNING_RATE:
            rule.learning_rate /= 5.0
            plateau.count = 0
            continue
        network.converged_ = True
        watched = "validation score" if validation is not None else "training loss"
        network.stop_message_ = (
            f"converged: the {watched} did not improve by tol={tol:g} for "
            f"{n_iter_no_change} consecutive epochs"
        )
        break
    else:
        if warn and tol is not None:
            warnings.warn(
                f"{owner}: training stopped at the maximum of {epochs} epochs before the "
                f"{'validation score' if validation is not None else 'training loss'} "
                f"stopped improving by tol={tol:g} (last training loss "
                f"{history['train_loss'][-1]:.6g}); increase max_iter/epochs, or raise tol.",
                interop(ConvergenceWarning),
                stacklevel=3,
            )
    if best is not None:
        network._restore(best)
