"""Layers of a feed-forward network, each with its forward map and, next to it, its backward step.

A network is a composition ``f = f_L ∘ … ∘ f_1`` applied to a batch: ``A₀ = X`` (n rows,
one per sample) and ``A_k = f_k(A_{k−1}; θ_k)``. For a scalar objective ``J`` of the
output, the chain rule gives, layer by layer from the top,

    ∂J/∂A_{k−1} = (∂A_k/∂A_{k−1})ᵀ ∂J/∂A_k          (passed down to the layer below)
    ∂J/∂θ_k     = (∂A_k/∂θ_k)ᵀ    ∂J/∂A_k          (stored for the optimizer)

so a layer never forms a Jacobian: its ``backward(G)`` receives ``G = ∂J/∂A_k`` and
returns the vector-Jacobian product ``∂J/∂A_{k−1}``, storing ``∂J/∂θ_k`` in ``grads``.
``forward(x, training=True)`` keeps what ``backward`` will need. The products, for the
layers of this module (rows are samples; ``1`` is a column of ones):

* :class:`Dense`, ``Z = XW + 1bᵀ``:  ``∂J/∂W = XᵀG``, ``∂J/∂b = Gᵀ1``, ``∂J/∂X = GWᵀ``.
* :class:`Dropout` (inverted dropout, rate ``r``), ``Y = X ⊙ M`` with ``Mᵢⱼ = Bᵢⱼ/(1 − r)``,
  ``Bᵢⱼ ~ Bernoulli(1 − r)``: ``∂J/∂X = G ⊙ M``; the identity when not training.
* :class:`BatchNormalization`, per column over the batch (Ioffe & Szegedy 2015):
  ``μ = mean(x)``, ``σ² = mean((x − μ)²)``, ``s = √(σ² + ε)``, ``x̂ = (x − μ)/s``,
  ``y = γx̂ + β``. Then ``∂J/∂β = Σᵢ gᵢ``, ``∂J/∂γ = Σᵢ gᵢx̂ᵢ``, and with
  ``h = ∂J/∂x̂ = γg``: since ``∂σ²/∂xᵢ = 2(xᵢ − μ)/n`` (the μ-term sums to zero),
  ``∂x̂ₖ/∂xᵢ = (δᵢₖ − 1/n − x̂ₖx̂ᵢ/n)/s``, so

      ∂J/∂xᵢ = Σₖ hₖ ∂x̂ₖ/∂xᵢ = (1/s)·(hᵢ − mean(h) − x̂ᵢ·mean(h ⊙ x̂))
             = (γ/s)·(gᵢ − (∂J/∂β)/n − x̂ᵢ·(∂J/∂γ)/n).

  Outside training it uses running averages of μ and σ² (``momentum`` m:
  ``μ_run ← m·μ_run + (1 − m)·μ``; σ² enters with Bessel's factor ``n/(n − 1)``), an
  affine map.

The activations (elementwise maps and the softmax) are in
:mod:`lemma.models.neural.activations`; :class:`~lemma.models.neural.sequential.Sequential`
chains the layers. References: Rumelhart, Hinton & Williams, "Learning representations by
back-propagating errors", Nature 323 (1986); Srivastava et al., "Dropout", JMLR 15 (2014);
Ioffe & Szegedy, "Batch normalization", ICML 2015.

Examples
--------
>>> import numpy as np
>>> from lemma.models.neural.layers import Dense
>>> layer = Dense(2)
>>> layer.build(3, np.random.RandomState(0), np.float64)
2
>>> x = np.ones((4, 3))
>>> z = layer.forward(x, training=True)
>>> grad_x = layer.backward(np.ones_like(z))       # G = 1: ∂J/∂b counts the rows
>>> layer.grads[1], grad_x.shape
(array([4., 4.]), (4, 3))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import Interval, Options, validate_params
from lemma.models.neural.init import INITIALIZERS

__all__ = ["BatchNormalization", "Dense", "Dropout", "Layer"]


class Layer:
    """Base class: a map ``A_k = f(A_{k−1}; θ)`` with its vector-Jacobian products.

    Attributes
    ----------
    params : list of ndarray
        Trainable arrays θ (updated in place by the optimizer).
    grads : list of ndarray
        ``∂J/∂θ`` from the last ``backward``, one per array of ``params``.
    penalized : tuple of bool
        Which ``params`` the L2 penalty ``alpha`` applies to (Dense weights only).
    buffers : list of ndarray
        State that is not trained but learned (batch-norm running moments).
    propagate : bool
        Whether ``backward`` returns ``∂J/∂input``; a network sets it to False on its
        first layer, where nothing below needs it.
    """

    propagate: bool = True

    def build(self, n_inputs: int, random_state: np.random.RandomState, dtype: Any) -> int:
        """Create the parameters for ``n_inputs`` input columns; return the output width."""
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.penalized: tuple[bool, ...] = ()
        self.buffers: list[np.ndarray] = []
        return n_inputs

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Output for a batch ``x`` of shape (n, n_inputs); with ``training`` keep what
        :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        """Store ``∂J/∂θ`` in ``grads`` and return ``∂J/∂x`` (None if not ``propagate``).

        Uses what the last ``forward(x, training=True)`` kept.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer ``Z = XW + 1bᵀ``.

    Parameters
    ----------
    units : int
        Output width m.
    init : {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal"}
        Initialiser of W (:mod:`lemma.models.neural.init`); b starts at 0.

    Attributes
    ----------
    coef : ndarray of shape (n_inputs, units)
        W (``params[0]``), penalised by the network's ``alpha``.
    intercept : ndarray of shape (units,)
        b (``params[1]``).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neural.layers import Dense
    >>> layer = Dense(1)
    >>> _ = layer.build(2, np.random.RandomState(0), np.float64)
    >>> layer.coef[:] = [[2.0], [-1.0]]
    >>> layer.forward(np.array([[1.0, 1.0], [3.0, 0.0]]))
    array([[1.],
           [6.]])
    """

    def __init__(self, units: int, init: str = "glorot_uniform") -> None:
        validate_params(
            {"units": [Interval(int, 1, None)], "init": [Options(INITIALIZERS)]},
            {"units": units, "init": init},
            "Dense",
        )
        self.units = units
        self.init = init

    def build(self, n_inputs: int, random_state: np.random.RandomState, dtype: Any) -> int:
        super().build(n_inputs, random_state, dtype)
        coef = INITIALIZERS[self.init](n_inputs, self.units, random_state, dtype)
        intercept = np.zeros(self.units, dtype=dtype)
        self.params = [coef, intercept]
        self.grads = [np.zeros_like(coef), np.zeros_like(intercept)]
        self.penalized = (True, False)
        return self.units

    @property
    def coef(self) -> np.ndarray:
        return self.params[0]

    @property
    def intercept(self) -> np.ndarray:
        return self.params[1]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self.x = x
        z = x @ self.params[0]
        z += self.params[1]
        return z

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        np.matmul(self.x.T, grad_output, out=self.grads[0])  # ∂J/∂W = XᵀG
        np.sum(grad_output, axis=0, out=self.grads[1])  # ∂J/∂b = Gᵀ1
        if not self.propagate:
            return None
        return grad_output @ self.params[0].T  # ∂J/∂X = GWᵀ

    def __repr__(self) -> str:
        init = "" if self.init == "glorot_uniform" else f", init={self.init!r}"
        return f"Dense({self.units}{init})"


class Dropout(Layer):
    """Inverted dropout: zero each entry with probability ``rate`` while training.

    Kept entries are divided by ``1 − rate`` so that the expected output equals the
    input, and the layer is the identity outside training.

    Parameters
    ----------
    rate : float, default=0.5
        Probability of dropping an entry, in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neural.layers import Dropout
    >>> layer = Dropout(0.5)
    >>> _ = layer.build(4, np.random.RandomState(1), np.float64)
    >>> layer.forward(np.ones((1, 4)), training=True)   # kept entries doubled
    array([[2., 0., 2., 2.]])
    >>> layer.forward(np.ones((1, 4)))
    array([[1., 1., 1., 1.]])
    """

    def __init__(self, rate: float = 0.5) -> None:
        validate_params({"rate": [Interval(float, 0, 1, closed="left")]}, {"rate": rate}, "Dropout")
        self.rate = rate

    def build(self, n_inputs: int, random_state: np.random.RandomState, dtype: Any) -> int:
        super().build(n_inputs, random_state, dtype)
        self.random_state = random_state
        return n_inputs

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training:
            return x
        if self.rate == 0:
            self.mask = None
            return x
        keep = 1.0 - self.rate
        kept = self.random_state.random_sample(x.shape) < keep
        self.mask = np.multiply(kept, 1.0 / keep, dtype=x.dtype)  # M = B/(1 − r)
        return x * self.mask

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        if self.mask is None:
            return grad_output
        return grad_output * self.mask  # ∂J/∂X = G ⊙ M

    def __repr__(self) -> str:
        return f"Dropout({self.rate!r})"


class BatchNormalization(Layer):
    """Batch normalisation ``y = γ(x − μ)/√(σ² + ε) + β`` per column (Ioffe & Szegedy 2015).

    Training uses the batch's mean and variance; prediction uses their running
    averages. The backward step is derived in the module docstring.

    Parameters
    ----------
    momentum : float, default=0.9
        Weight m of the old value in the running averages, in [0, 1).
    epsilon : float, default=1e-5
        ε, added to the variance.

    Attributes
    ----------
    params : [gamma, beta]
        Scale γ (starts at 1) and shift β (starts at 0), not penalised.
    buffers : [running_mean, running_var]

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neural.layers import BatchNormalization
    >>> layer = BatchNormalization()
    >>> _ = layer.build(1, np.random.RandomState(0), np.float64)
    >>> y = layer.forward(np.array([[1.0], [3.0]]), training=True)
    >>> np.round(y, 4).ravel()          # (x − 2)/√(1 + 1e-5)
    array([-1.,  1.])
    """

    def __init__(self, momentum: float = 0.9, epsilon: float = 1e-5) -> None:
        validate_params(
            {
                "momentum": [Interval(float, 0, 1, closed="left")],
                "epsilon": [Interval(float, 0, None, closed="neither")],
            },
            {"momentum": momentum, "epsilon": epsilon},
            "BatchNormalization",
        )
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, n_inputs: int, random_state: np.random.RandomState, dtype: Any) -> int:
        super().build(n_inputs, random_state, dtype)
        self.params = [np.ones(n_inputs, dtype=dtype), np.zeros(n_inputs, dtype=dtype)]
        self.grads = [np.zeros(n_inputs, dtype=dtype), np.zeros(n_inputs, dtype=dtype)]
        self.penalized = (False, False)
        self.buffers = [np.zeros(n_inputs, dtype=dtype), np.ones(n_inputs, dtype=dtype)]
        return n_inputs

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        gamma, beta = self.params
        running_mean, running_var = self.buffers
        if not training:
            scale = gamma / np.sqrt(running_var + self.epsilon)
            return (x - running_mean) * scale + beta
        n = x.shape[0]
        mean = x.mean(axis=0)
        centred = x - mean
        var = np.mean(centred * centred, axis=0)
        self.inv_std = 1.0 / np.sqrt(var + self.epsilon)  # 1/s
        self.x_hat = centred * self.inv_std  # x̂ = (x − μ)/s
        m = self.momentum
        running_mean *= m
        running_mean += (1.0 - m) * mean
        running_var *= m
        running_var += (1.0 - m) * var * (n / max(n - 1, 1))
        return self.x_hat * gamma + beta

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        gamma = self.params[0]
        n = grad_output.shape[0]
        np.sum(grad_output * self.x_hat, axis=0, out=self.grads[0])  # ∂J/∂γ = Σ g x̂
        np.sum(grad_output, axis=0, out=self.grads[1])  # ∂J/∂β = Σ g
        if not self.propagate:
            return None
        # ∂J/∂x = (γ/s)·(g − (∂J/∂β)/n − x̂·(∂J/∂γ)/n)
        grad_input = grad_output - self.grads[1] / n
        grad_input -= self.x_hat * (self.grads[0] / n)
        grad_input *= gamma * self.inv_std
        return grad_input

    def __repr__(self) -> str:
        return "BatchNormalization()"
