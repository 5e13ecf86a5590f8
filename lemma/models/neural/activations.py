"""Activations: each map next to its derivative, the backward step of the chain rule.

An elementwise activation ``a = φ(z)`` has a diagonal Jacobian, so its backward step
is a product entry by entry, ``∂J/∂z = ∂J/∂a ⊙ φ'(z)``, with φ' written from what the
forward pass kept (the input or, cheaper, the output):

============== ============================== =================================================
class          φ(z)                           φ'(z)
============== ============================== =================================================
Identity       z                              1
ReLU           max(z, 0)                      1[z > 0]  (0 is taken at the kink)
LeakyReLU      z if z > 0 else s·z            1 if z > 0 else s
Tanh           tanh z                         1 − a²
Sigmoid        σ(z) = 1/(1 + e^{−z})          a(1 − a)
GELU           z·Φ(z)  (exact erf form)       Φ(z) + z·ϕ(z),  ϕ(z) = e^{−z²/2}/√(2π)
============== ============================== =================================================

GELU is the exact form with the normal CDF ``Φ(z) = ½(1 + erf(z/√2))`` (Hendrycks &
Gimpel 2016, PyTorch's default), not the tanh approximation
``½z(1 + tanh(√(2/π)(z + 0.044715z³)))``, which differs by up to ~5·10⁻⁴.

The softmax acts on a whole row, ``sⱼ = e^{zⱼ}/Σₖ e^{zₖ}``, with Jacobian
``∂sⱼ/∂zₖ = sⱼ(δⱼₖ − sₖ)``; its vector-Jacobian product needs no matrix:
``∂J/∂z = s ⊙ (g − (gᵀs)1)``. A classifier does not need it as a layer: the loss
:class:`~lemma.losses.SoftmaxCrossEntropy` takes the raw scores and returns the
stable gradient ``p − onehot(y)``, which is what ``Softmax`` followed by cross-entropy
would give.

Reference: Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press, 2016, §6.3
(hidden units) and §6.5 (back-propagation).

Examples
--------
>>> import numpy as np
>>> from lemma.models.neural.activations import Tanh
>>> layer = Tanh()
>>> a = layer.forward(np.array([[0.0, 1.0]]), training=True)
>>> np.round(layer.backward(np.ones_like(a)), 4)          # 1 − tanh²
array([[1.  , 0.42]])
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr

from lemma._constraints import Interval, validate_params
from lemma.models.neural.layers import Layer

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "Activation",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "make_activation",
]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


class Activation(Layer):
    """Base class: a map of each entry (softmax: of each row) with no parameters.

    ``forward(x, training, out)`` may write its result into ``out`` — ``x`` itself when
    a network predicts and ``x`` is an intermediate array it made (scikit-learn's MLP
    does the same), which saves a fresh array per layer on large inputs.
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        """``φ(x)``, written into ``out`` when given; with ``training`` keep what
        :meth:`backward` needs."""
        raise NotImplementedError


class Identity(Activation):
    """``a = z``; backward passes the gradient through.

    Examples
    --------
    >>> import numpy as np
    >>> Identity().forward(np.array([[-1.0, 2.0]]))
    array([[-1.,  2.]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        if out is None or out is x:
            return x
        np.copyto(out, x)
        return out

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        return grad_output if self.propagate else None


class ReLU(Activation):
    """Rectified linear unit ``a = max(z, 0)``, ``φ' = 1[z > 0]``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = ReLU()
    >>> layer.forward(np.array([[-1.0, 2.0]]), training=True)
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        result = np.maximum(x, 0, out=out)
        if training:
            self.out = result
        return result

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        return grad_output * (self.out > 0)  # φ'(z) = 1[z > 0] = 1[a > 0]


class LeakyReLU(Activation):
    """``a = z`` for ``z > 0`` and ``s·z`` otherwise; ``φ' = 1`` or ``s``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        s, the slope for negative inputs, in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> layer = LeakyReLU(0.1)
    >>> layer.forward(np.array([[-2.0, 3.0]]), training=True)
    array([[-0.2,  3. ]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[0.1, 1. ]])
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        validate_params(
            {"negative_slope": [Interval(float, 0, 1, closed="left")]},
            {"negative_slope": negative_slope},
            "LeakyReLU",
        )
        self.negative_slope = negative_slope

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        if training:
            self.positive = x > 0
        return np.maximum(x, x * self.negative_slope, out=out)  # max(z, s·z) for 0 ≤ s < 1

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        slope = np.where(self.positive, 1.0, self.negative_slope).astype(grad_output.dtype)
        return grad_output * slope  # φ'(z) = 1 or s

    def __repr__(self) -> str:
        return f"LeakyReLU({self.negative_slope!r})"


class Tanh(Activation):
    """Hyperbolic tangent ``a = tanh z``, ``φ' = 1 − a²``.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(Tanh().forward(np.array([[0.5]])), 4)
    array([[0.4621]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        result = np.tanh(x, out=out)
        if training:
            self.out = result
        return result

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        return grad_output * (1.0 - self.out * self.out)  # φ' = 1 − a²


class Sigmoid(Activation):
    """Logistic sigmoid ``a = σ(z) = 1/(1 + e^{−z})``, ``φ' = a(1 − a)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Sigmoid()
    >>> layer.forward(np.array([[0.0]]), training=True)
    array([[0.5]])
    >>> layer.backward(np.array([[1.0]]))
    array([[0.25]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        result = expit(x, out=out)
        if training:
            self.out = result
        return result

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        return grad_output * (self.out * (1.0 - self.out))  # φ' = a(1 − a)


class GELU(Activation):
    """Gaussian error linear unit, exact form ``a = z·Φ(z)``; ``φ' = Φ(z) + z·ϕ(z)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = GELU()
    >>> np.round(layer.forward(np.array([[-1.0, 0.0, 1.0]]), training=True), 4)
    array([[-0.1587,  0.    ,  0.8413]])
    >>> np.round(layer.backward(np.ones((1, 3))), 4)
    array([[-0.0833,  0.5   ,  1.0833]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        cdf = ndtr(x)  # Φ(z)
        if training:
            self.x, self.cdf = x, cdf
        return np.multiply(x, cdf, out=out)

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        x = self.x
        density = np.exp(-0.5 * x * x) * _INV_SQRT_2PI  # ϕ(z)
        return grad_output * (self.cdf + x * density)  # φ' = Φ(z) + z·ϕ(z)


class Softmax(Activation):
    """Row-wise softmax ``sⱼ = e^{zⱼ}/Σₖ e^{zₖ}``; backward ``s ⊙ (g − (gᵀs)1)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Softmax()
    >>> s = layer.forward(np.array([[0.0, np.log(3.0)]]), training=True)
    >>> s
    array([[0.25, 0.75]])
    >>> layer.backward(np.array([[1.0, 0.0]]))       # s₀(1 − s₀), −s₀s₁
    array([[ 0.1875, -0.1875]])
    """

    def forward(
        self, x: np.ndarray, training: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        result = np.subtract(x, x.max(axis=1, keepdims=True), out=out)  # s is shift-invariant
        np.exp(result, out=result)
        result /= result.sum(axis=1, keepdims=True)
        if training:
            self.out = result
        return result

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        if not self.propagate:
            return None
        s = self.out
        inner = np.sum(grad_output * s, axis=1, keepdims=True)  # gᵀs per row
        return s * (grad_output - inner)


#: Name -> activation class (scikit-learn's names where it has them).
ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "logistic": Sigmoid,
    "gelu": GELU,
    "softmax": Softmax,
}


def make_activation(name: str) -> Activation:
    """A new activation layer from its name in :data:`ACTIVATIONS`.

    Examples
    --------
    >>> make_activation("logistic")
    Sigmoid()
    """
    return ACTIVATIONS[name]()
