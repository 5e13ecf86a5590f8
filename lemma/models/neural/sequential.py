"""Sequential networks: forward through the layers, backward in reverse — the chain rule.

A network ``f = f_L ∘ … ∘ f_1`` with parameters θ is trained on mini-batches ``B`` of
rows (weights ``wᵢ``, 1 by default) to minimise, batch after batch,

    J_B(θ) = Σ_{i∈B} wᵢ ℓ(yᵢ, f(xᵢ; θ)) / Σ_{i∈B} wᵢ  +  α / (2 Σ_{i∈B} wᵢ) · Σ_Dense ‖W‖²

with ℓ a loss of :mod:`lemma.losses` applied to the raw output (the last layer's
values: a mean, a log-odds, K class scores) and α the L2 penalty on the Dense
weights, divided by the batch's weight as in scikit-learn's MLP. A multi-output ℓ
is summed over the outputs. One step of training is

1. forward: ``A₀ = X_B``, ``A_k = f_k(A_{k−1})`` — each layer keeps what it needs;
2. the loss gives ``G_L = ∂J_B/∂A_L`` on the raw output, row i scaled by ``wᵢ/Σw``
   (for the softmax cross-entropy ``p − onehot(y)``, for the logistic loss
   ``σ(r) − y``, for the squared loss ``r − y``: the stable forms, no division by p);
3. backward: for ``k = L, …, 1``: ``G_{k−1} = f_k.backward(G_k)`` (the layer's
   vector-Jacobian product, which also stores ``∂J_B/∂θ_k``), then ``α W/Σw`` is
   added to the gradient of every Dense weight;
4. the update rule of :mod:`lemma.optim` (SGD with momentum or Nesterov, AdaGrad,
   RMSProp, Adam) moves all parameters at once — they live in one flat vector, of
   which each layer's arrays are views.

:meth:`Sequential.fit` repeats this over epochs of shuffled mini-batches with the
training loop of :mod:`lemma.models.neural.training` (record, stopping rule, early
stopping).

Reference: Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press, 2016, §6.5
(back-propagation).

Examples
--------
>>> import numpy as np
>>> from lemma.models.neural import Dense, Sequential, Tanh
>>> from lemma.optim import Adam
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> y = np.array([0, 1, 1, 0])                                   # XOR
>>> net = Sequential([Dense(8), Tanh(), Dense(1)], loss="logistic",
...                  optimizer=Adam(learning_rate=0.05), random_state=0)
>>> net.fit(X, y, epochs=300, batch_size=4, tol=None).predict(X).tolist()
[0, 1, 1, 0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lemma._constraints import Interval, Options, satisfies, validate_params
from lemma.exceptions import (
    DataTypeError,
    DataValidationError,
    NotFittedError,
    ParameterError,
    interop,
)
from lemma.losses import LOSSES, Loss, SoftmaxCrossEntropy, get_loss
from lemma.models.neural.activations import Activation
from lemma.models.neural.layers import Layer
from lemma.models.neural.training import encode_labels, train
from lemma.optim import SGD, AdaGrad, Adam, RMSProp, UpdateRule
from lemma.validation import (
    check_array,
    check_random_state,
    check_sample_weight,
    check_y,
    encode_classes,
)

__all__ = ["OPTIMIZERS", "Sequential"]

#: Name -> update rule of :mod:`lemma.optim`, built with its default parameters.
OPTIMIZERS: dict[str, type[UpdateRule]] = {
    "sgd": SGD,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adam": Adam,
}

_DTYPES = {"float32": np.float32, "float64": np.float64}


# ----------------------------------------------------------------------------- network
def _is_loss(value: Any) -> bool:
    return isinstance(value, Loss) or (isinstance(value, str) and value in LOSSES)


def _is_rule(value: Any) -> bool:
    return isinstance(value, UpdateRule) or (isinstance(value, str) and value in OPTIMIZERS)


def _not_built() -> Exception:
    """The error for a network used before ``build`` or ``fit``."""
    return interop(NotFittedError)(
        "This Sequential network is not built yet; call fit(X, y) or build(n_features) first."
    )


_CONSTRAINTS = {
    "loss": [satisfies(_is_loss, f"a Loss or one of {sorted(LOSSES)}")],
    "optimizer": [satisfies(_is_rule, f"a lemma.optim UpdateRule or one of {sorted(OPTIMIZERS)}")],
    "alpha": [Interval(float, 0, None, closed="left")],
    "dtype": [Options(_DTYPES)],
}
_FIT_CONSTRAINTS = {
    "epochs": [Interval(int, 1, None)],
    "batch_size": [Interval(int, 1, None)],
    "tol": [Interval(float, 0, None, closed="left"), None],
    "n_iter_no_change": [Interval(int, 1, None)],
}


class Sequential:
    """A stack of layers trained by back-propagation on mini-batches.

    Parameters
    ----------
    layers : list of Layer
        :class:`~lemma.models.neural.layers.Dense`, activations, ``Dropout``,
        ``BatchNormalization``, in order. End with the raw output the loss expects:
        ``Dense(1)`` for ``"squared"`` and ``"logistic"``, ``Dense(K)`` for
        ``"softmax"`` (the loss applies the link).
    loss : str or Loss, default="squared"
        A name of :data:`lemma.losses.LOSSES` (``"squared"``, ``"huber"``, ``"poisson"``,
        ``"logistic"``, ``"softmax"``, …) or a loss object. With a classification loss
        ``y`` holds class labels, encoded as ``classes_``.
    optimizer : str or UpdateRule, default="adam"
        ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` (default parameters) or a
        configured rule such as ``lemma.optim.SGD(0.1, momentum=0.9, nesterov=True,
        schedule=...)``; it is used as given and keeps its state between ``fit`` calls.
    alpha : float, default=0.0
        L2 penalty on the Dense weights (see the module docstring for its scaling).
    dtype : {"float32", "float64"}, default="float32"
        Precision of parameters and computations.
    random_state : None, int or RandomState
        Initial weights, shuffling and dropout masks.

    Attributes
    ----------
    classes_ : ndarray
        Class labels (classification losses).
    n_features_in_, n_outputs_ : int
    loss_function_ : Loss
    optimizer_ : UpdateRule
    random_ : RandomState
    history_ : dict of list
        ``"train_loss"`` (mean over each epoch's batches, penalty included) and
        ``"validation_score"`` per epoch, over all ``fit`` calls.
    n_epochs_ : int
        Epochs run by the last ``fit``.
    converged_ : bool
    stop_message_ : str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neural import Dense, ReLU, Sequential
    >>> from lemma.optim import Adam
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, size=(500, 1))
    >>> y = np.sin(2 * X[:, 0])
    >>> net = Sequential([Dense(32, init="he_uniform"), ReLU(), Dense(1)],
    ...                  optimizer=Adam(learning_rate=0.01), dtype="float64", random_state=0)
    >>> _ = net.fit(X, y, epochs=300, batch_size=50, tol=None)
    >>> round(float(np.sqrt(np.mean((net.predict(X) - y) ** 2))), 1)
    0.0
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        *,
        loss: str | Loss = "squared",
        optimizer: str | UpdateRule = "adam",
        alpha: float = 0.0,
        dtype: str = "float32",
        random_state: Any = None,
    ) -> None:
        if isinstance(layers, Layer) or not all(isinstance(layer, Layer) for layer in layers):
            raise DataTypeError(
                "Sequential needs a list of layers (Dense, ReLU, Dropout, ...) from "
                "lemma.models.neural; got "
                f"{[type(layer).__name__ for layer in np.atleast_1d(layers)]}."
            )
        if len(layers) == 0:
            raise ParameterError("Sequential needs at least one layer, e.g. [Dense(1)].")
        validate_params(
            _CONSTRAINTS,
            {"loss": loss, "optimizer": optimizer, "alpha": alpha, "dtype": dtype},
            "Sequential",
        )
        self.layers = list(layers)
        self.loss = loss
        self.optimizer = optimizer
        self.alpha = alpha
        self.dtype = dtype
        self.random_state = random_state

    # ------------------------------------------------------------------ building
    def build(self, n_features: int) -> Sequential:
        """Create every layer's parameters for ``n_features`` inputs (fresh weights).

        Examples
        --------
        >>> from lemma.models.neural import Dense, Sequential
        >>> net = Sequential([Dense(3), Dense(2)], random_state=0).build(4)
        >>> [p.shape for p in net.parameters]
        [(4, 3), (3,), (3, 2), (2,)]
        """
        dtype = _DTYPES[self.dtype]
        self.random_ = check_random_state(self.random_state)
        width = int(n_features)
        for layer in self.layers:
            layer.propagate = True
            width = layer.build(width, self.random_, dtype)
        self.layers[0].propagate = False  # nothing below the first layer needs ∂J/∂X
        self.n_features_in_, self.n_outputs_ = int(n_features), width
        self.loss_function_ = self._make_loss(width)
        rule = self.optimizer
        self.optimizer_ = OPTIMIZERS[rule]() if isinstance(rule, str) else rule
        self.optimizer_.reset()
        self.history_: dict[str, list[float]] = {"train_loss": [], "validation_score": []}
        self._link()
        return self

    def _make_loss(self, n_outputs: int) -> Loss:
        if isinstance(self.loss, Loss):
            return self.loss
        if self.loss == "softmax":
            if n_outputs < 2:
                raise ParameterError(
                    "loss='softmax' needs one raw output per class; the network ends with "
                    f"{n_outputs} output. End it with Dense(K) for K classes, or use "
                    "loss='logistic' with Dense(1) for two classes."
                )
            return SoftmaxCrossEntropy(n_outputs)
        return get_loss(self.loss)

    def _link(self) -> None:
        """Put every parameter (penalised ones first) and gradient in one flat vector."""
        dtype = _DTYPES[self.dtype]
        entries = [(layer, i) for layer in self.layers for i in range(len(layer.params))]
        entries.sort(key=lambda entry: not entry[0].penalized[entry[1]])
        sizes = [layer.params[i].size for layer, i in entries]
        self._flat = np.empty(sum(sizes), dtype=dtype)
        self._flat_grad = np.zeros(sum(sizes), dtype=dtype)
        offset = 0
        for (layer, i), size in zip(entries, sizes, strict=True):
            shape = layer.params[i].shape
            self._flat[offset : offset + size] = layer.params[i].ravel()
            layer.params[i] = self._flat[offset : offset + size].reshape(shape)
            layer.grads[i] = self._flat_grad[offset : offset + size].reshape(shape)
            offset += size
        self._n_penalized = sum(
            size for (layer, i), size in zip(entries, sizes, strict=True) if layer.penalized[i]
        )

    def _ensure_linked(self) -> None:
        """Re-link after a copy (pickling or saving turns the views into separate arrays)."""
        linked = all(
            p.base is self._flat and g.base is self._flat_grad
            for layer in self.layers
            for p, g in zip(layer.params, layer.grads, strict=True)
        )
        if not linked:
            self._link()

    def _check_built(self) -> None:
        if not hasattr(self, "optimizer_"):
            raise _not_built()

    # ---------------------------------------------------------------- parameters
    @property
    def parameters(self) -> list[np.ndarray]:
        """Every trainable array, layer by layer (views: changing them changes the network)."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def gradients(self) -> list[np.ndarray]:
        """``∂J/∂θ`` of the last backward pass, matching :attr:`parameters`."""
        return [g for layer in self.layers for g in layer.grads]

    def get_parameters(self) -> np.ndarray:
        """A copy of all parameters as one vector (penalised Dense weights first)."""
        self._check_built()
        self._ensure_linked()
        return self._flat.copy()

    def set_parameters(self, vector: np.ndarray) -> None:
        """Set all parameters from a vector laid out as :meth:`get_parameters`'."""
        self._check_built()
        self._ensure_linked()
        vector = np.asarray(vector)
        if vector.shape != self._flat.shape:
            raise DataValidationError(
                f"The parameter vector has shape {vector.shape}; this network has "
                f"{self._flat.size} parameters. Use get_parameters() for the layout."
            )
        self._flat[:] = vector

    def _snapshot(self) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._flat.copy(), [b.copy() for layer in self.layers for b in layer.buffers]

    def _restore(self, snapshot: tuple[np.ndarray, list[np.ndarray]]) -> None:
        flat, buffers = snapshot
        self._flat[:] = flat
        current = [b for layer in self.layers for b in layer.buffers]
        for target, saved in zip(current, buffers, strict=True):
            target[:] = saved

    # ---------------------------------------------------------------- chain rule
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """The raw output: every layer's ``forward`` in order.

        Parameters
        ----------
        X : ndarray of shape (n, n_features_in_)
            In the network's dtype.
        training : bool, default=False
            Batch statistics and dropout, and keep what :meth:`backward` needs. When
            predicting, activations write over the arrays the network made itself
            (never over ``X``).

        Returns
        -------
        ndarray of shape (n, n_outputs_)
        """
        out = X
        for layer in self.layers:
            if not training and out is not X and isinstance(layer, Activation):
                out = layer.forward(out, out=out)  # predicting: overwrite our own array
            else:
                out = layer.forward(out, training)
        return out

    def backward(self, grad_output: np.ndarray) -> None:
        """Every layer's ``backward`` in reverse order, from ``G_L = ∂J/∂output``.

        Each layer stores its ``∂J/∂θ`` (see :attr:`gradients`) and hands
        ``∂J/∂input`` to the layer below: the chain rule, one product per layer.
        """
        grad = grad_output
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def _output_gradient(
        self, raw: np.ndarray, y: np.ndarray, w: np.ndarray | None
    ) -> tuple[float, np.ndarray, float]:
        """Weighted mean loss, its gradient ``∂J/∂raw`` (rows times wᵢ/Σw), and Σw."""
        n = raw.shape[0]
        single = raw.shape[1] == 1 and self.loss_function_.n_outputs == 1
        loss, grad = self.loss_function_.loss_gradient_pointwise(
            y, raw.reshape(n) if single else raw
        )
        if w is None:
            total = float(n)
            value = float(loss.sum()) / total
            grad *= 1.0 / total
        else:
            total = float(w.sum())
            per_row = loss if loss.ndim == 1 else loss.sum(axis=1)
            value = float(w @ per_row) / total
            scale = w * (1.0 / total)
            grad *= scale if grad.ndim == 1 else scale[:, None]
        return value, grad.reshape(raw.shape), total

    def _penalty(self, total: float) -> float:
        """Add ``α W/Σw`` to the Dense weights' gradients; return ``α/(2Σw)·Σ‖W‖²``."""
        if not self.alpha:
            return 0.0
        coefs = self._flat[: self._n_penalized]
        scale = self.alpha / total
        self._flat_grad[: self._n_penalized] += scale * coefs
        return 0.5 * scale * float(coefs @ coefs)

    def loss_gradient(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``J_B`` and ``∂J_B/∂θ`` on one batch (training mode), as a value and a vector.

        ``y`` is encoded as the loss expects (class codes for classification losses).
        The vector follows :meth:`get_parameters`' layout; the network's parameters
        are not changed (batch-norm running averages are updated).

        Examples
        --------
        >>> import numpy as np
        >>> from lemma.calculus import check_grad
        >>> from lemma.models.neural import Dense, Sequential, Tanh
        >>> net = Sequential([Dense(3), Tanh(), Dense(1)], dtype="float64",
        ...                  random_state=0).build(2)
        >>> X, y = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.0, -1.0])
        >>> def fun(theta):
        ...     net.set_parameters(theta)
        ...     return net.loss_gradient(X, y)[0]
        >>> def grad(theta):
        ...     net.set_parameters(theta)
        ...     return net.loss_gradient(X, y)[1]
        >>> check_grad(fun, grad, net.get_parameters()).rel_error < 1e-8
        True
        """
        self._check_built()
        self._ensure_linked()
        value, _ = self._backpropagate(X, y, sample_weight)
        return value, self._flat_grad.copy()

    def _backpropagate(
        self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None
    ) -> tuple[float, float]:
        """Forward, loss, backward and penalty on one batch: ``(J_B, Σw)``; grads stored."""
        raw = self.forward(X, training=True)
        value, grad, total = self._output_gradient(raw, y, w)
        self.backward(grad)
        return value + self._penalty(total), total

    def _train_epoch(
        self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, size: int, shuffle: bool
    ) -> float:
        """One pass over the rows in mini-batches; the mean of the batch objectives."""
        n = X.shape[0]
        order = self.random_.permutation(n) if shuffle else None
        step = self.optimizer_.step
        params, grads = [self._flat], [self._flat_grad]
        total = 0.0
        for start in range(0, n, size):
            stop = min(start + size, n)
            rows = slice(start, stop) if order is None else order[start:stop]
            w_batch = None if w is None else w[rows]
            if w_batch is not None and not w_batch.any():
                continue  # a batch of zero weight has no gradient
            value, _ = self._backpropagate(X[rows], y[rows], w_batch)
            step(params, grads)
            total += value * (stop - start)
        return total / n

    # --------------------------------------------------------------- fit, predict
    @property
    def _is_classifier(self) -> bool:
        return bool(getattr(self.loss_function_, "is_classification", False))

    def _prepare_X(self, X: Any) -> np.ndarray:
        X = check_array(X, dtype=(np.float64, np.float32), estimator_name="Sequential")
        return np.ascontiguousarray(X, dtype=_DTYPES[self.dtype])

    def _encode_y(self, y: Any, n: int, first: bool) -> np.ndarray:
        """Targets as the loss expects them: class codes, or floats of the network dtype."""
        multi = not self._is_classifier
        y = check_y(y, estimator_name="Sequential", multi_output=multi, n_samples=n,
                    y_numeric=multi)  # fmt: skip
        if self._is_classifier:
            if first or not hasattr(self, "classes_"):
                classes, codes = encode_classes(y, None, "Sequential")
            else:
                classes, codes = self.classes_, encode_labels(self.classes_, y, "Sequential")
            expected = self.n_outputs_ if self.n_outputs_ > 1 else 2
            if classes.size != expected:
                raise DataValidationError(
                    f"y has {classes.size} classes but the network has {self.n_outputs_} "
                    f"output(s) for loss {self.loss_function_!r}; end it with "
                    f"Dense({classes.size}) and loss='softmax'"
                    f"{' (or Dense(1) and loss=logistic)' if classes.size == 2 else ''}."
                )
            self.classes_ = classes
            if isinstance(self.loss_function_, SoftmaxCrossEntropy):
                return codes
            return codes.astype(_DTYPES[self.dtype])
        y = np.asarray(y, dtype=_DTYPES[self.dtype])
        width = 1 if y.ndim == 1 else y.shape[1]
        if width != self.n_outputs_:
            raise DataValidationError(
                f"y has {width} column(s) but the network has {self.n_outputs_} output(s); "
                f"end it with Dense({width})."
            )
        self.loss_function_.check_target(y)
        return y if y.ndim == 1 or self.n_outputs_ > 1 else y.ravel()

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        epochs: int = 200,
        batch_size: int = 200,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 10,
        restore_best_weights: bool = True,
        callbacks: Sequence[Callable[[Sequential], Any]] = (),
    ) -> Sequential:
        """Train with :func:`train`; the first call builds the network, later calls go on.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels for a classification loss, numbers otherwise.
        sample_weight : array-like of shape (n_samples,), optional
        epochs : int, default=200
        batch_size : int, default=200
        shuffle : bool, default=True
        validation_data : (X_val, y_val), optional
            Scored after every epoch (accuracy or R²); drives stopping.
        tol : float or None, default=1e-4
            None: run exactly ``epochs`` epochs.
        n_iter_no_change : int, default=10
        restore_best_weights : bool, default=True
        callbacks : sequence of callable
            ``callback(network)`` after each epoch; ``StopIteration`` stops.

        Returns
        -------
        self
        """
        validate_params(
            _FIT_CONSTRAINTS,
            {"epochs": epochs, "batch_size": batch_size, "tol": tol,
             "n_iter_no_change": n_iter_no_change},
            "Sequential.fit",
        )  # fmt: skip
        X = self._prepare_X(X)
        first = not hasattr(self, "optimizer_")
        if first:
            self.build(X.shape[1])
        elif X.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X has {X.shape[1]} features, but the network was built for {self.n_features_in_}."
            )
        y = self._encode_y(y, X.shape[0], first)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X.shape[0], dtype=_DTYPES[self.dtype])
        validation = None
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val = self._prepare_X(X_val)
            validation = (X_val, self._encode_y(y_val, X_val.shape[0], False), None)
        train(self, X, y, w, epochs=epochs, batch_size=batch_size, shuffle=shuffle,
              validation=validation, tol=tol, n_iter_no_change=n_iter_no_change,
              restore_best_weights=restore_best_weights, callbacks=callbacks)  # fmt: skip
        return self

    def _predict_codes(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            return (raw[:, 0] > 0).astype(np.intp)
        return np.argmax(raw, axis=1)

    def _score_encoded(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        """Accuracy (classification losses) or R² of the network on encoded data."""
        from lemma.metrics import accuracy_score, r2_score

        raw = self.forward(X)
        if self._is_classifier:
            return float(accuracy_score(y.astype(np.intp), self._predict_codes(raw),
                                        sample_weight=w))  # fmt: skip
        prediction = self.loss_function_.inverse_link(raw if y.ndim == 2 else raw[:, 0])
        if not np.all(np.isfinite(prediction)):
            return float("nan")
        return float(r2_score(y, prediction, sample_weight=w))

    def predict(self, X: Any) -> np.ndarray:
        """Class labels for classification losses; the mean prediction otherwise.

        Returns
        -------
        ndarray of shape (n,) or (n, n_outputs_)
        """
        self._check_built()
        raw = self.forward(self._prepare_X(X))
        if self._is_classifier:
            return self.classes_[self._predict_codes(raw)]
        return self.loss_function_.inverse_link(raw[:, 0] if raw.shape[1] == 1 else raw)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (logistic or softmax loss), shape (n, n_classes)."""
        self._check_built()
        if self.loss_function_.name not in ("logistic", "softmax"):
            raise ParameterError(
                f"predict_proba needs loss='logistic' or 'softmax'; this network uses "
                f"{self.loss_function_!r}, which gives no probabilities."
            )
        raw = self.forward(self._prepare_X(X))
        if raw.shape[1] == 1:
            p = self.loss_function_.inverse_link(raw[:, 0])
            return np.column_stack([1.0 - p, p])
        return self.loss_function_.inverse_link(raw)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{layers}], loss={self.loss!r})"
