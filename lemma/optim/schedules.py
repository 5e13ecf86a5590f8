"""Learning-rate schedules: the step size η_t of update ``t`` from a base rate η₀.

A schedule is a callable ``schedule(base_lr, t) -> lr`` with ``t = 0, 1, 2, ...``
the number of updates already made (so ``t = 0`` is the first update and every
schedule starts at ``η₀``). The update rules of :mod:`lemma.optim.stochastic`
take one as ``schedule=``; any callable with that signature works.

* :class:`Constant`: ``η_t = η₀``;
* :class:`InverseScaling`: ``η_t = η₀ / (t + 1)^power_t`` (scikit-learn's ``invscaling``);
* :class:`ExponentialDecay`: ``η_t = η₀ · rate^(t / decay_steps)`` (as in Keras);
* :class:`StepDecay`: ``η_t = η₀ · factor^⌊t / step⌋`` (PyTorch's ``StepLR``);
* :class:`CosineAnnealing`: ``η_t = min_lr + (η₀ − min_lr)(1 + cos(π·(t mod period)/period))/2``
  (Loshchilov & Hutter, SGDR, ICLR 2017).

Robbins & Monro ("A stochastic approximation method", Ann. Math. Statist. 22,
1951) showed SGD converges when ``Σ η_t = ∞`` and ``Σ η_t² < ∞``; ``InverseScaling``
with ``½ < power_t ≤ 1`` satisfies both, a constant rate only reaches a
neighbourhood of the minimum whose size scales with η.

Examples
--------
>>> from lemma.optim.schedules import CosineAnnealing, InverseScaling, StepDecay
>>> [InverseScaling(power_t=1.0)(0.1, t) for t in range(3)]
[0.1, 0.05, 0.03333333333333333]
>>> [StepDecay(step=2, factor=0.5)(1.0, t) for t in range(5)]
[1.0, 1.0, 0.5, 0.5, 0.25]
>>> round(CosineAnnealing(period=4)(1.0, 2), 12)
0.5
"""

from __future__ import annotations

import math

from lemma._constraints import Interval, validate_params

__all__ = ["Constant", "CosineAnnealing", "ExponentialDecay", "InverseScaling", "StepDecay"]

_RATE = Interval(float, 0, 1, closed="right")
_POSITIVE_INT = Interval(int, 1, None)


class Constant:
    """``η_t = η₀``.

    Examples
    --------
    >>> from lemma.optim.schedules import Constant
    >>> Constant()(0.01, 1000)
    0.01
    """

    def __call__(self, base_lr: float, t: int) -> float:
        return float(base_lr)

    def __repr__(self) -> str:
        return "Constant()"


class InverseScaling:
    """``η_t = η₀ / (t + 1)^power_t`` (scikit-learn's ``invscaling``, counted in updates).

    Parameters
    ----------
    power_t : float, default=0.5
        Exponent; in (½, 1] the Robbins-Monro conditions hold.

    Examples
    --------
    >>> from lemma.optim.schedules import InverseScaling
    >>> InverseScaling()(1.0, 3)
    0.5
    """

    def __init__(self, power_t: float = 0.5) -> None:
        validate_params({"power_t": [Interval(float, 0, None)]}, {"power_t": power_t},
                        "InverseScaling")  # fmt: skip
        self.power_t = power_t

    def __call__(self, base_lr: float, t: int) -> float:
        return base_lr / (t + 1) ** self.power_t

    def __repr__(self) -> str:
        return f"InverseScaling(power_t={self.power_t!r})"


class ExponentialDecay:
    """``η_t = η₀ · rate^(t / decay_steps)``.

    Parameters
    ----------
    rate : float
        Factor in (0, 1] applied every ``decay_steps`` updates.
    decay_steps : int, default=1
        Updates over which the rate is applied once.

    Examples
    --------
    >>> from lemma.optim.schedules import ExponentialDecay
    >>> ExponentialDecay(rate=0.5, decay_steps=10)(1.0, 20)
    0.25
    """

    def __init__(self, rate: float, decay_steps: int = 1) -> None:
        validate_params({"rate": [_RATE], "decay_steps": [_POSITIVE_INT]},
                        {"rate": rate, "decay_steps": decay_steps}, "ExponentialDecay")  # fmt: skip
        self.rate = rate
        self.decay_steps = decay_steps

    def __call__(self, base_lr: float, t: int) -> float:
        return base_lr * self.rate ** (t / self.decay_steps)

    def __repr__(self) -> str:
        return f"ExponentialDecay(rate={self.rate!r}, decay_steps={self.decay_steps!r})"


class StepDecay:
    """``η_t = η₀ · factor^⌊t / step⌋``: multiply by ``factor`` every ``step`` updates.

    Parameters
    ----------
    step : int
        Updates between two decays.
    factor : float, default=0.1
        Multiplier in (0, 1].

    Examples
    --------
    >>> from lemma.optim.schedules import StepDecay
    >>> StepDecay(step=100)(1.0, 250)
    0.010000000000000002
    """

    def __init__(self, step: int, factor: float = 0.1) -> None:
        validate_params({"step": [_POSITIVE_INT], "factor": [_RATE]},
                        {"step": step, "factor": factor}, "StepDecay")  # fmt: skip
        self.step = step
        self.factor = factor

    def __call__(self, base_lr: float, t: int) -> float:
        return base_lr * self.factor ** (t // self.step)

    def __repr__(self) -> str:
        return f"StepDecay(step={self.step!r}, factor={self.factor!r})"


class CosineAnnealing:
    """Cosine decay from η₀ to ``min_lr`` over ``period`` updates, then a warm restart.

    ``η_t = min_lr + (η₀ − min_lr)(1 + cos(π·(t mod period)/period))/2``
    (Loshchilov & Hutter, "SGDR: stochastic gradient descent with warm restarts",
    ICLR 2017).

    Parameters
    ----------
    period : int
        Updates per cycle.
    min_lr : float, default=0.0
        Rate approached at the end of each cycle.

    Examples
    --------
    >>> from lemma.optim.schedules import CosineAnnealing
    >>> schedule = CosineAnnealing(period=10, min_lr=0.001)
    >>> schedule(0.1, 0), schedule(0.1, 10)
    (0.1, 0.1)
    """

    def __init__(self, period: int, min_lr: float = 0.0) -> None:
        validate_params({"period": [_POSITIVE_INT], "min_lr": [Interval(float, 0, None)]},
                        {"period": period, "min_lr": min_lr}, "CosineAnnealing")  # fmt: skip
        self.period = period
        self.min_lr = min_lr

    def __call__(self, base_lr: float, t: int) -> float:
        phase = (t % self.period) / self.period
        return self.min_lr + (base_lr - self.min_lr) * (1.0 + math.cos(math.pi * phase)) / 2.0

    def __repr__(self) -> str:
        return f"CosineAnnealing(period={self.period!r}, min_lr={self.min_lr!r})"
