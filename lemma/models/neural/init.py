"""Weight initialisation: Glorot (Xavier) and He, uniform or normal.

A dense layer ``z = Wᵀx + b`` with ``fan_in`` inputs and ``fan_out`` outputs keeps the
variance of the signal from layer to layer when ``Var(Wᵢⱼ) = 2 / (fan_in + fan_out)``
for activations that are linear near 0 (tanh, sigmoid, identity; Glorot & Bengio
2010, eq. 12) and ``Var(Wᵢⱼ) = 2 / fan_in`` for rectifiers, which zero half of their
inputs (He et al. 2015, eq. 10). A uniform law on ``[−a, a]`` has variance ``a²/3``,
hence the bounds

    glorot_uniform: a = √(6 / (fan_in + fan_out))      glorot_normal: σ = √(2 / (fan_in + fan_out))
    he_uniform:     a = √(6 / fan_in)                  he_normal:     σ = √(2 / fan_in)

(scikit-learn's MLP uses ``glorot_uniform`` for every activation, with the bound
``√(2 / (fan_in + fan_out))`` for the logistic one.) Draws are made in float64 from a
``RandomState`` and cast, so a seed gives the same weights in float32 and float64.

References: Glorot & Bengio, "Understanding the difficulty of training deep
feedforward neural networks", AISTATS 2010; He, Zhang, Ren & Sun, "Delving deep into
rectifiers", ICCV 2015.

Examples
--------
>>> import numpy as np
>>> from lemma.models.neural.init import he_normal
>>> W = he_normal(400, 300, np.random.RandomState(0), np.float32)
>>> W.shape, W.dtype, round(float(W.std() * np.sqrt(400 / 2)), 1)
((400, 300), dtype('float32'), 1.0)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["INITIALIZERS", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform"]


def glorot_uniform(
    fan_in: int, fan_out: int, random_state: np.random.RandomState, dtype: type = np.float64
) -> np.ndarray:
    """Weights ``U(−a, a)``, ``a = √(6 / (fan_in + fan_out))``, shape (fan_in, fan_out).

    Examples
    --------
    >>> import numpy as np
    >>> W = glorot_uniform(3, 3, np.random.RandomState(0))
    >>> bool(np.all(np.abs(W) <= 1.0))
    True
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)


def glorot_normal(
    fan_in: int, fan_out: int, random_state: np.random.RandomState, dtype: type = np.float64
) -> np.ndarray:
    """Weights ``N(0, 2 / (fan_in + fan_out))``, shape (fan_in, fan_out).

    Examples
    --------
    >>> import numpy as np
    >>> W = glorot_normal(500, 500, np.random.RandomState(0))
    >>> round(float(W.var()) * 500, 2)
    1.0
    """
    scale = np.sqrt(2.0 / (fan_in + fan_out))
    return random_state.normal(0.0, scale, (fan_in, fan_out)).astype(dtype)


def he_uniform(
    fan_in: int, fan_out: int, random_state: np.random.RandomState, dtype: type = np.float64
) -> np.ndarray:
    """Weights ``U(−a, a)``, ``a = √(6 / fan_in)``, shape (fan_in, fan_out).

    Examples
    --------
    >>> import numpy as np
    >>> W = he_uniform(6, 2, np.random.RandomState(0))
    >>> bool(np.all(np.abs(W) <= 1.0))
    True
    """
    bound = np.sqrt(6.0 / fan_in)
    return random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)


def he_normal(
    fan_in: int, fan_out: int, random_state: np.random.RandomState, dtype: type = np.float64
) -> np.ndarray:
    """Weights ``N(0, 2 / fan_in)``, shape (fan_in, fan_out).

    Examples
    --------
    >>> import numpy as np
    >>> W = he_normal(1000, 200, np.random.RandomState(0))
    >>> round(float(W.var()) * 1000 / 2, 2)
    1.0
    """
    scale = np.sqrt(2.0 / fan_in)
    return random_state.normal(0.0, scale, (fan_in, fan_out)).astype(dtype)


#: Name -> initialiser ``(fan_in, fan_out, random_state, dtype) -> W``.
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}
