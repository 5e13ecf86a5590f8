"""Multi-layer perceptrons with scikit-learn's parameters, trained by back-propagation.

The model is a :class:`~lemma.models.neural.sequential.Sequential` network

    Dense(h₁) → φ → Dense(h₂) → φ → … → Dense(m)       (φ = ``activation``)

whose m raw outputs meet a loss of :mod:`lemma.losses` through its link:

* MLPRegressor: the identity link and the squared error ``½(y − r)²`` (summed over
  the outputs of a multi-output target);
* MLPClassifier, two classes: one output, ``P(y = classes_[1]) = σ(r)`` and the
  logistic loss ``log(1 + eʳ) − y·r``;
* MLPClassifier, K ≥ 3 classes: K outputs, ``P = softmax(r)`` and the cross-entropy
  ``logsumexp(r) − r_y``.

On each mini-batch B of ``batch_size`` rows (sample weights w, 1 by default) the
optimizer takes a step on scikit-learn's objective

    J_B = Σ_{i∈B} wᵢ ℓ(yᵢ, f(xᵢ)) / Σ_{i∈B} wᵢ  +  α/(2 Σ_{i∈B} wᵢ) · Σₖ ‖W_k‖²

(``alpha`` penalises the weights, not the intercepts, and is divided by the batch's
weight, as in scikit-learn's ``_backprop``), with the gradient from
back-propagation (:mod:`lemma.models.neural.layers`). Solvers are the update rules of
:mod:`lemma.optim`: ``"adam"`` (Adam), ``"sgd"`` (SGD with ``momentum``, Nesterov's
if ``nesterovs_momentum``) and ``"rmsprop"``. The weights start from He's uniform
law for the rectifiers (relu, leaky_relu, gelu) and Glorot's for the other
activations and the output layer; the intercepts start at 0 (scikit-learn draws
both from Glorot's law for every activation).

``max_iter`` counts epochs. Training stops, as in scikit-learn, once the training
loss (or, with ``early_stopping``, the validation score — accuracy or R² on a
``validation_fraction`` held out, stratified for classifiers) has not improved by at
least ``tol`` for ``n_iter_no_change`` consecutive epochs (scikit-learn waits for one
epoch more); early stopping then restores the weights of the best validation score.
With ``solver="sgd"``, ``learning_rate="invscaling"`` uses
``η_t = learning_rate_init/(t + 1)^power_t`` with t counting updates
(:class:`~lemma.optim.schedules.InverseScaling`; scikit-learn counts samples and
changes η once per epoch), and ``"adaptive"`` divides η by 5 at each plateau and
stops when it falls to 10⁻⁶.

Computations are in float32 by default (``dtype="float64"`` for double precision);
predictions come in the precision of the input X (float64 unless X is float32).
scikit-learn computes in float64 unless it is given float32 input, so comparisons
should use the same precision on both sides.

Reference: Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press, 2016, ch. 6
and 8; scikit-learn's ``sklearn/neural_network/_multilayer_perceptron.py`` for the
parameters and the stopping rule.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, Tags
from lemma.exceptions import DataConversionWarning, DataValidationError, ParameterError, interop
from lemma.models.neural.activations import ACTIVATIONS
from lemma.models.neural.layers import Dense, Layer
from lemma.models.neural.sequential import Sequential
from lemma.models.neural.training import encode_labels, train
from lemma.optim import SGD, Adam, RMSProp, UpdateRule
from lemma.optim.schedules import InverseScaling
from lemma.validation import check_sample_weight, encode_classes, validate_data

__all__ = ["MLPClassifier", "MLPRegressor"]

#: Hidden activations and the initialiser of the Dense layer feeding each.
HIDDEN_INIT: dict[str, str] = {
    "identity": "glorot_uniform",
    "logistic": "glorot_uniform",
    "tanh": "glorot_uniform",
    "relu": "he_uniform",
    "leaky_relu": "he_uniform",
    "gelu": "he_uniform",
}


def _adam(model: Any) -> UpdateRule:
    return Adam(model.learning_rate_init, model.beta_1, model.beta_2, model.epsilon)


def _sgd(model: Any) -> UpdateRule:
    schedule = InverseScaling(model.power_t) if model.learning_rate == "invscaling" else None
    return SGD(model.learning_rate_init, model.momentum, model.nesterovs_momentum,
               schedule=schedule)  # fmt: skip


def _rmsprop(model: Any) -> UpdateRule:
    return RMSProp(model.learning_rate_init, model.rho, model.epsilon)


#: Solver name -> the update rule it builds from the estimator's parameters.
SOLVERS = {"adam": _adam, "sgd": _sgd, "rmsprop": _rmsprop}


def _is_layer_sizes(value: Any) -> bool:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return False
    sizes = list(value)
    return all(
        isinstance(h, numbers.Integral) and not isinstance(h, bool) and h >= 1 for h in sizes
    )


class _BaseMLP(BaseEstimator):
    """Parameters, network building, training and fitted attributes shared by both MLPs."""

    _parameter_constraints = {
        "hidden_layer_sizes": [
            Interval(int, 1, None),
            satisfies(_is_layer_sizes, "a sequence of ints >= 1 (one per hidden layer)"),
        ],
        "activation": [Options(HIDDEN_INIT)],
        "solver": [Options(SOLVERS)],
        "alpha": [Interval(float, 0, None, closed="left")],
        "batch_size": [Options({"auto"}), Interval(int, 1, None)],
        "learning_rate": [Options({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(float, 0, None, closed="neither")],
        "power_t": [Interval(float, 0, None, closed="left")],
        "max_iter": [Interval(int, 1, None)],
        "shuffle": [BOOL],
        "random_state": [RANDOM_STATE],
        "tol": [Interval(float, 0, None, closed="left")],
        "warm_start": [BOOL],
        "momentum": [Interval(float, 0, 1, closed="left")],
        "nesterovs_momentum": [BOOL],
        "early_stopping": [BOOL],
        "validation_fraction": [Interval(float, 0, 1, closed="neither")],
        "beta_1": [Interval(float, 0, 1, closed="left")],
        "beta_2": [Interval(float, 0, 1, closed="left")],
        "epsilon": [Interval(float, 0, None, closed="neither")],
        "rho": [Interval(float, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(int, 1, None)],
        "dtype": [Options({"float32", "float64"})],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        rho: float = 0.9,
        n_iter_no_change: int = 10,
        dtype: str = "float32",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype

    # ------------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool, classes: Any) -> Any:
        """Validate → (re)build the network → train → store the fitted attributes."""
        self._validate_params()
        if incremental and self.early_stopping:
            raise ParameterError(
                f"{type(self).__name__}.partial_fit trains one epoch on the rows it is given, so "
                "it cannot hold out a validation set; set early_stopping=False, or use fit()."
            )
        reset = (
            not hasattr(self, "network_")
            or not (incremental or self.warm_start)
            or self._architecture_changed()
        )
        numeric = self._multi_output
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32),
                             multi_output=numeric, y_numeric=numeric)  # fmt: skip
        X = np.ascontiguousarray(X, dtype=self.dtype)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X.shape[0], dtype=self.dtype)
        target, n_outputs = self._encode_target(y, w, reset, classes)
        if reset:
            self.network_ = self._build_network(X.shape[1], n_outputs)
            self.t_ = 0
        elif not incremental:  # warm start: same weights, a fresh optimizer (scikit-learn's)
            self.network_.optimizer = self.network_.optimizer_ = SOLVERS[self.solver](self)
        self._train(X, target, w, incremental)
        self._store()
        return self

    def _build_network(self, n_features: int, n_outputs: int) -> Sequential:
        sizes = self._layer_sizes()
        layers: list[Layer] = []
        for units in sizes:
            layers += [Dense(units, init=HIDDEN_INIT[self.activation]),
                       ACTIVATIONS[self.activation]()]  # fmt: skip
        layers.append(Dense(n_outputs))
        network = Sequential(layers, loss=self._loss_name(n_outputs),
                             optimizer=SOLVERS[self.solver](self), alpha=self.alpha,
                             dtype=self.dtype, random_state=self.random_state)  # fmt: skip
        return network.build(n_features)

    def _architecture_changed(self) -> bool:
        """Whether hidden_layer_sizes or activation differ from the fitted network's."""
        layers = self.network_.layers
        hidden = [layer.units for layer in layers[:-1] if isinstance(layer, Dense)]
        kinds = {type(layer) for layer in layers[1::2]}
        return hidden != self._layer_sizes() or (
            bool(hidden) and kinds != {ACTIVATIONS[self.activation]}
        )

    def _layer_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        return [int(sizes)] if isinstance(sizes, numbers.Integral) else [int(h) for h in sizes]

    def _train(self, X: np.ndarray, y: np.ndarray, w: Any, incremental: bool) -> None:
        """Hold out the early-stopping rows if asked, then run the training loop."""
        validation = None
        if self.early_stopping:
            X, y, w, validation = self._split(X, y, w)
        adaptive = self.solver == "sgd" and self.learning_rate == "adaptive"
        batch = min(200, X.shape[0]) if self.batch_size == "auto" else self.batch_size
        train(self.network_, X, y, w,
              epochs=1 if incremental else self.max_iter,
              batch_size=min(batch, X.shape[0]), shuffle=self.shuffle, validation=validation,
              tol=self.tol, n_iter_no_change=self.n_iter_no_change,
              on_plateau="reduce_learning_rate" if adaptive else "stop",
              warn=not incremental, owner=type(self).__name__)  # fmt: skip
        self.t_ += X.shape[0] * self.network_.n_epochs_

    def _split(self, X: np.ndarray, y: np.ndarray, w: Any) -> tuple:
        """Training rows and the held-out ``(X_val, y_val, w_val)`` (stratified for classifiers)."""
        from lemma.selection import train_test_split

        n_val = math.ceil(self.validation_fraction * X.shape[0])  # the splitter's rounding
        if n_val < 2 or n_val >= X.shape[0]:
            raise DataValidationError(
                f"The early-stopping validation set would have {n_val} of the {X.shape[0]} rows "
                f"(validation_fraction={self.validation_fraction}); it needs at least 2, and "
                "rows left to train on. Change validation_fraction, or set early_stopping=False."
            )
        stratify = y if isinstance(self, ClassifierMixin) else None
        arrays = (X, y) if w is None else (X, y, w)
        parts = train_test_split(*arrays, test_size=self.validation_fraction,
                                 random_state=self.network_.random_, stratify=stratify)  # fmt: skip
        w_train, w_val = (None, None) if w is None else (parts[4], parts[5])
        return parts[0], parts[2], w_train, (parts[1], parts[3], w_val)

    def _store(self) -> None:
        network = self.network_
        dense = [layer for layer in network.layers if isinstance(layer, Dense)]
        self.coefs_ = [layer.coef for layer in dense]
        self.intercepts_ = [layer.intercept for layer in dense]
        self.n_layers_ = len(dense) + 1
        self.n_outputs_ = network.n_outputs_
        self.out_activation_ = self._out_activation()
        self.n_iter_ = network.n_epochs_
        self.loss_curve_ = list(network.history_["train_loss"])
        self.loss_ = self.loss_curve_[-1]
        scores = list(network.history_["validation_score"])
        self.validation_scores_ = scores if self.early_stopping else None
        self.best_validation_score_ = max(scores) if self.early_stopping else None
        self.best_loss_ = None if self.early_stopping else min(self.loss_curve_)
        self.history_ = {
            "train_loss": np.asarray(self.loss_curve_),
            "validation_score": np.asarray(scores),
        }

    def _raw(self, X: Any) -> np.ndarray:
        """The network's raw output, in X's precision (float32 X stays float32)."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        raw = self.network_.forward(np.ascontiguousarray(X, dtype=self.dtype))
        return raw.astype(X.dtype, copy=False)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.multi_output = self._multi_output
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier (logistic or softmax output, cross-entropy loss).

    The network, objective and training are described in the module docstring.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer (all ≥ 1; ``()`` gives a linear model).
    activation : {"relu", "leaky_relu", "gelu", "tanh", "logistic", "identity"}, default="relu"
        Hidden activation φ (:mod:`lemma.models.neural.activations`).
    solver : {"adam", "sgd", "rmsprop"}, default="adam"
        Update rule of :mod:`lemma.optim`.
    alpha : float, default=1e-4
        L2 penalty on the weights, ``α/(2Σw_B)·Σ‖W‖²`` per batch.
    batch_size : int or "auto", default="auto"
        Rows per mini-batch; "auto" is ``min(200, n)``, larger values are clipped to n.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the step size for ``solver="sgd"``.
    learning_rate_init : float, default=1e-3
        Initial step size η₀.
    power_t : float, default=0.5
        Exponent of "invscaling".
    max_iter : int, default=200
        Most epochs.
    shuffle : bool, default=True
        Reshuffle the rows before each epoch.
    random_state : None, int or RandomState
        Initial weights, shuffling and the early-stopping split.
    tol : float, default=1e-4
        Smallest improvement of the loss (or validation score) that counts.
    warm_start : bool, default=False
        ``fit`` continues from the current weights and optimizer state.
    momentum : float, default=0.9
        SGD momentum in [0, 1).
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for SGD.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified), stop on their
        accuracy and restore the best weights.
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates.
    epsilon : float, default=1e-8
        Adam's and RMSProp's ε.
    rho : float, default=0.9
        RMSProp's decay of the mean of squared gradients.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coefs_, intercepts_ : list of ndarray
        Weights and intercepts of each Dense layer (views of the network's parameters).
    network_ : Sequential
        The trained network (its layers show each forward and backward step).
    loss_ : float
        Training loss of the last epoch (mean over its batches, penalty included).
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float or None
        Smallest training loss (None with early stopping).
    validation_scores_ : list of float or None
        Validation accuracy per epoch (early stopping only).
    best_validation_score_ : float or None
    history_ : dict of ndarray
        ``"train_loss"`` and ``"validation_score"`` per epoch.
    n_iter_ : int
        Epochs run by the last ``fit`` (1 after ``partial_fit``).
    t_ : int
        Training rows seen, counted once per epoch.
    n_layers_, n_outputs_ : int
    out_activation_ : {"logistic", "softmax"}
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from lemma.models.neural import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X = (X - X.mean(axis=0)) / X.std(axis=0)
    >>> model = MLPClassifier((16,), learning_rate_init=0.02, random_state=0).fit(X, y)
    >>> model.out_activation_, model.n_iter_ < 200, round(model.score(X, y), 3)
    ('softmax', True, 0.987)
    """

    _multi_output = False

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on ``(X, y)`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels, at least two classes.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False, classes=None)

    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        classes : array-like, optional
            Every class, on the first call (default: the labels of this ``y``);
            later calls may not bring new labels.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _encode_target(self, y: Any, w: Any, reset: bool, classes: Any) -> tuple[np.ndarray, int]:
        name = type(self).__name__
        if reset and classes is None:
            self.classes_, codes = encode_classes(y, w, name)
        elif reset:
            self.classes_ = np.unique(np.asarray(classes))
            if self.classes_.size < 2:
                raise DataValidationError(
                    f"{name}.partial_fit got classes={self.classes_.tolist()}; a classifier "
                    "needs at least 2 classes."
                )
            codes = encode_labels(self.classes_, y, name)
        else:
            codes = encode_labels(self.classes_, y, name)
        if self.classes_.size == 2:
            return codes.astype(self.dtype), 1
        return codes, self.classes_.size

    def _loss_name(self, n_outputs: int) -> str:
        return "logistic" if n_outputs == 1 else "softmax"

    def _out_activation(self) -> str:
        return "logistic" if self.n_outputs_ == 1 else "softmax"

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        raw = self._raw(X)
        link = self.network_.loss_function_.inverse_link
        if raw.shape[1] > 1:
            return link(raw)
        p = link(raw[:, 0])
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        raw = self._raw(X)
        codes = (raw[:, 0] > 0).astype(np.intp) if raw.shape[1] == 1 else raw.argmax(axis=1)
        return self.classes_[codes]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor (identity output, squared-error loss).

    The network, objective and training are described in the module docstring;
    the parameters are :class:`MLPClassifier`'s, and ``early_stopping`` scores R².

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
    activation : {"relu", "leaky_relu", "gelu", "tanh", "logistic", "identity"}, default="relu"
    solver : {"adam", "sgd", "rmsprop"}, default="adam"
    alpha : float, default=1e-4
    batch_size : int or "auto", default="auto"
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
    learning_rate_init : float, default=1e-3
    power_t : float, default=0.5
    max_iter : int, default=200
    shuffle : bool, default=True
    random_state : None, int or RandomState
    tol : float, default=1e-4
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    rho : float, default=0.9
    n_iter_no_change : int, default=10
    dtype : {"float32", "float64"}, default="float32"

    Attributes
    ----------
    coefs_, intercepts_, network_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, history_, n_iter_, t_, n_layers_, n_outputs_
        As for :class:`MLPClassifier` (validation scores are R²).
    out_activation_ : "identity"
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neural import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-3, 3, size=(1000, 1))
    >>> y = np.sin(X[:, 0])
    >>> model = MLPRegressor((32, 32), learning_rate_init=0.01, max_iter=100,
    ...                      random_state=0).fit(X, y)
    >>> round(model.score(X, y), 2) >= 0.99
    True
    """

    _multi_output = True

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on ``(X, y)`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False, classes=None)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over ``(X, y)``, continuing from the current weights.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=None)

    def _encode_target(self, y: Any, w: Any, reset: bool, classes: Any) -> tuple[np.ndarray, int]:
        y = np.asarray(y, dtype=self.dtype)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is used as "
                "y.ravel().",
                interop(DataConversionWarning),
                stacklevel=4,
            )
            y = y.ravel()
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if not reset and n_outputs != self.n_outputs_:
            raise DataValidationError(
                f"y has {n_outputs} output(s) but {type(self).__name__} was fitted with "
                f"{self.n_outputs_}; pass targets with the same columns."
            )
        return y, n_outputs

    def _loss_name(self, n_outputs: int) -> str:
        return "squared"

    def _out_activation(self) -> str:
        return "identity"

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        raw = self._raw(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw
