"""Penalties on coefficients: ridge (L2), lasso (L1), elastic net, none.

For coefficients ``w`` (any shape; sums run over all entries), strength ``α ≥ 0``
and mixing ``ρ ∈ [0, 1]``:

    L2:          P(w) = (α/2)‖w‖²,                ∇P = αw,       ∇²P = αI
    L1:          P(w) = α‖w‖₁,                    ∂P ∋ α·sign(w)  (any value in [−α, α] at 0)
    ElasticNet:  P(w) = α(ρ‖w‖₁ + (1−ρ)/2·‖w‖²)   (scikit-learn's convention)

The proximal operator ``prox(w, t) = argmin_z ½‖z − w‖² + t·P(z)`` is what
proximal-gradient and coordinate-descent methods use for the non-smooth ones:

    L2:          prox = w / (1 + tα)
    L1:          prox = S(w, tα) = sign(w)·max(|w| − tα, 0)      (soft-thresholding)
    ElasticNet:  prox = S(w, tαρ) / (1 + tα(1 − ρ))

``gradient`` of a non-smooth penalty returns the minimum-norm subgradient
(``α·sign(w)``, 0 at ``wⱼ = 0``); ``hessian_diag`` exists only for smooth ones.

Reference: Parikh & Boyd, "Proximal Algorithms", Found. Trends Optim. 1(3), 2014,
§6.1 (prox of norms) and §6.5.3 (elastic net); Zou & Hastie (2005) for the
elastic net itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import Interval, validate_params
from lemma.exceptions import ParameterError

__all__ = [
    "L1",
    "L2",
    "PENALTIES",
    "ElasticNet",
    "NoPenalty",
    "Penalty",
    "get_penalty",
    "soft_threshold",
]

_ALPHA = [Interval(float, 0, None, closed="left")]
_L1_RATIO = [Interval(float, 0, 1, closed="both")]


def _as_float(w: Any) -> np.ndarray:
    """``w`` as a float array (float32 kept, anything else float64)."""
    w = np.asarray(w)
    return w if w.dtype in (np.float32, np.float64) else w.astype(np.float64)


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """``sign(w)·max(|w| − threshold, 0)`` elementwise.

    Examples
    --------
    >>> import numpy as np
    >>> soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0)
    array([-2.,  0.,  1.])
    """
    w = _as_float(w)
    # (w − t)₊ − (−w − t)₊: at most one term is non-zero, and zeros come out as +0.
    upper = np.maximum(w - threshold, 0)
    upper += np.minimum(w + threshold, 0)
    return upper


def _squared_norm(w: np.ndarray) -> float:
    flat = np.ravel(w)
    return float(np.dot(flat, flat))


class Penalty:
    """Base class of penalties ``P(w)`` on coefficients.

    Attributes
    ----------
    alpha : float
        Overall strength α ≥ 0.
    is_smooth : bool
        Whether P is differentiable everywhere (then ``gradient`` and
        ``hessian_diag`` are exact and a smooth optimizer may use it).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.penalties import L2
    >>> penalty = L2(alpha=2.0)
    >>> penalty.value(np.array([1.0, 2.0])), penalty.gradient(np.array([1.0, 2.0]))
    (5.0, array([2., 4.]))
    """

    name: str = ""
    is_smooth: bool = True
    alpha: float = 0.0

    def value(self, w: np.ndarray) -> float:
        """``P(w)``."""
        raise NotImplementedError

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """``∇P(w)`` (the minimum-norm subgradient for a non-smooth P), w's shape."""
        raise NotImplementedError

    def hessian_diag(self, w: np.ndarray) -> np.ndarray:
        """Diagonal of ``∇²P(w)``, w's shape (the Hessian of these penalties is diagonal)."""
        raise ParameterError(
            f"{self!r} is not smooth and has no Hessian; handle it with a proximal or "
            "coordinate-descent optimizer (its prox method), or split() it."
        )

    def hessian(self, w: np.ndarray) -> np.ndarray:
        """Same as :meth:`hessian_diag` (the name ``lemma.optim`` looks for)."""
        return self.hessian_diag(w)

    def prox(self, w: np.ndarray, step: float) -> np.ndarray:
        """``argmin_z ½‖z − w‖² + step·P(z)``, w's shape."""
        raise NotImplementedError

    def split(self) -> tuple[Penalty, Penalty]:
        """``(smooth part, non-smooth part)`` with ``P = smooth + non-smooth``."""
        if self.is_smooth:
            return self, NoPenalty()
        return NoPenalty(), self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha!r})"


class NoPenalty(Penalty):
    """``P(w) = 0``; prox is the identity.

    Examples
    --------
    >>> import numpy as np
    >>> NoPenalty().prox(np.array([1.0, -2.0]), step=10.0)
    array([ 1., -2.])
    """

    name = "none"

    def value(self, w: np.ndarray) -> float:
        return 0.0

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(_as_float(w))

    def hessian_diag(self, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(_as_float(w))

    def prox(self, w: np.ndarray, step: float) -> np.ndarray:
        return _as_float(w).copy()

    def __repr__(self) -> str:
        return "NoPenalty()"


class L2(Penalty):
    """Ridge penalty ``P(w) = (α/2)‖w‖²``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength α ≥ 0.

    Examples
    --------
    >>> import numpy as np
    >>> L2(alpha=1.0).prox(np.array([2.0, -4.0]), step=1.0)
    array([ 1., -2.])
    """

    name = "l2"

    def __init__(self, alpha: float = 1.0):
        validate_params({"alpha": _ALPHA}, {"alpha": alpha}, "L2")
        self.alpha = float(alpha)

    def value(self, w: np.ndarray) -> float:
        return 0.5 * self.alpha * _squared_norm(w)

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return self.alpha * _as_float(w)

    def hessian_diag(self, w: np.ndarray) -> np.ndarray:
        w = _as_float(w)
        return np.full(w.shape, self.alpha, dtype=w.dtype)

    def prox(self, w: np.ndarray, step: float) -> np.ndarray:
        return _as_float(w) / (1.0 + step * self.alpha)


class L1(Penalty):
    """Lasso penalty ``P(w) = α‖w‖₁``; prox is soft-thresholding at ``step·α``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength α ≥ 0.

    Examples
    --------
    >>> import numpy as np
    >>> L1(alpha=1.0).prox(np.array([3.0, -0.5, -2.0]), step=1.0)
    array([ 2.,  0., -1.])
    >>> L1(alpha=1.0).gradient(np.array([3.0, 0.0, -2.0]))  # minimum-norm subgradient
    array([ 1.,  0., -1.])
    """

    name = "l1"
    is_smooth = False

    def __init__(self, alpha: float = 1.0):
        validate_params({"alpha": _ALPHA}, {"alpha": alpha}, "L1")
        self.alpha = float(alpha)

    def value(self, w: np.ndarray) -> float:
        return self.alpha * float(np.sum(np.abs(w)))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """``α·sign(w)``: the minimum-norm subgradient (0 where ``wⱼ = 0``)."""
        return self.alpha * np.sign(_as_float(w))

    def prox(self, w: np.ndarray, step: float) -> np.ndarray:
        return soft_threshold(_as_float(w), step * self.alpha)


class ElasticNet(Penalty):
    """Elastic net ``P(w) = α(ρ‖w‖₁ + (1−ρ)/2·‖w‖²)`` with ``ρ = l1_ratio``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength α ≥ 0.
    l1_ratio : float, default=0.5
        Mixing ρ ∈ [0, 1]: 1 is the lasso, 0 is ridge.

    Examples
    --------
    >>> import numpy as np
    >>> penalty = ElasticNet(alpha=2.0, l1_ratio=0.5)
    >>> penalty.prox(np.array([3.0, -0.5]), step=1.0)  # S(w, 1) / (1 + 1)
    array([1., 0.])
    >>> penalty.split()
    (L2(alpha=1.0), L1(alpha=1.0))
    """

    name = "elasticnet"
    is_smooth = False

    def __init__(self, alpha: float = 1.0, l1_ratio: float = 0.5):
        validate_params(
            {"alpha": _ALPHA, "l1_ratio": _L1_RATIO},
            {"alpha": alpha, "l1_ratio": l1_ratio},
            "ElasticNet",
        )
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)

    def value(self, w: np.ndarray) -> float:
        rho = self.l1_ratio
        l1 = float(np.sum(np.abs(w)))
        return self.alpha * (rho * l1 + 0.5 * (1.0 - rho) * _squared_norm(w))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """``α(ρ·sign(w) + (1−ρ)w)``: the minimum-norm subgradient."""
        w = _as_float(w)
        rho = self.l1_ratio
        return self.alpha * (rho * np.sign(w) + (1.0 - rho) * w)

    def prox(self, w: np.ndarray, step: float) -> np.ndarray:
        shrunk = soft_threshold(_as_float(w), step * self.alpha * self.l1_ratio)
        shrunk /= 1.0 + step * self.alpha * (1.0 - self.l1_ratio)
        return shrunk

    def split(self) -> tuple[L2, L1]:
        """``(L2(α(1−ρ)), L1(αρ))``: the smooth and the non-smooth part."""
        return L2(self.alpha * (1.0 - self.l1_ratio)), L1(self.alpha * self.l1_ratio)

    def __repr__(self) -> str:
        return f"ElasticNet(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r})"


#: Name → factory ``(alpha, l1_ratio) -> Penalty``; ``None`` is an alias of ``"none"``.
PENALTIES: dict[str | None, Any] = {
    "l2": lambda alpha, l1_ratio: L2(alpha),
    "l1": lambda alpha, l1_ratio: L1(alpha),
    "elasticnet": lambda alpha, l1_ratio: ElasticNet(alpha, l1_ratio),
    "none": lambda alpha, l1_ratio: NoPenalty(),
    None: lambda alpha, l1_ratio: NoPenalty(),
}


def get_penalty(name: str | Penalty | None, alpha: float = 1.0, l1_ratio: float = 0.5) -> Penalty:
    """The penalty called ``name`` (a key of :data:`PENALTIES`) with strength ``alpha``.

    Parameters
    ----------
    name : {"l2", "l1", "elasticnet", "none", None} or Penalty
        A :class:`Penalty` instance is returned unchanged.
    alpha : float, default=1.0
        Strength α ≥ 0 (ignored by ``"none"``).
    l1_ratio : float, default=0.5
        Mixing ρ for ``"elasticnet"`` only.

    Returns
    -------
    Penalty

    Raises
    ------
    ParameterError
        For an unknown name (listing the valid ones) or an out-of-range α, ρ.

    Examples
    --------
    >>> get_penalty("elasticnet", alpha=0.1, l1_ratio=0.9)
    ElasticNet(alpha=0.1, l1_ratio=0.9)
    >>> get_penalty(None)
    NoPenalty()
    """
    if isinstance(name, Penalty):
        return name
    factory = PENALTIES.get(name) if isinstance(name, str | None) else None
    if factory is None:
        valid = ", ".join(repr(key) for key in PENALTIES)
        raise ParameterError(f"Unknown penalty {name!r}. Valid names: {valid}.")
    return factory(alpha, l1_ratio)
