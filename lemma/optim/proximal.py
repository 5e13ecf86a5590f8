"""Proximal gradient (ISTA) and its accelerated form (FISTA) for ``F = f + h``.

``f`` is smooth; ``h`` is a penalty known through its proximal operator
``prox_{t h}(v) = argmin_z h(z) + ‖z − v‖² / (2t)`` (soft-thresholding for the
L1 norm). ``h`` applies to the first ``penalty_size`` entries of x (all of them
by default), so an intercept stored last stays unpenalised.

**Proximal gradient** (``"proximal"``)::

    x_{k+1} = prox_{t h}(x_k − t ∇f(x_k)),

``t`` by backtracking until ``f(x_{k+1}) ≤ f(x_k) + ∇f(x_k)ᵀd + ‖d‖²/(2t)``,
``d = x_{k+1} − x_k``, starting each search from twice the last accepted ``t``.
Monotone: ``F(x_{k+1}) ≤ F(x_k)``; ``F(x_k) − F* = O(1/k)``.

**FISTA** (``"fista"``; Beck & Teboulle, "A fast iterative shrinkage-thresholding
algorithm for linear inverse problems", SIAM J. Imaging Sci. 2, 2009, with
backtracking, their §4)::

    x_{k+1} = prox_{t h}(y_k − t ∇f(y_k))
    θ_{k+1} = (1 + √(1 + 4θ_k²)) / 2
    y_{k+1} = x_{k+1} + ((θ_k − 1)/θ_{k+1}) (x_{k+1} − x_k),

``t`` non-increasing, ``F(x_k) − F* = O(1/k²)``. FISTA is not monotone. Options:
``restart=True`` resets ``θ = 1`` whenever the momentum points uphill,
``(y_k − x_{k+1})ᵀ(x_{k+1} − x_k) > 0`` (the gradient scheme of O'Donoghue &
Candès, "Adaptive restart for accelerated gradient schemes", Found. Comput.
Math. 15, 2015), which restores linear convergence on strongly convex problems;
``monotone=True`` is MFISTA (Beck & Teboulle, IEEE Trans. Image Process. 18,
2009): keep ``x_k`` when the prox step would increase ``F``, so the history never
increases.

Both stop when the gradient mapping at the current point is small,
``‖(x − prox_{t h}(x − t∇f(x))) / t‖∞ ≤ tol`` — zero exactly at a minimiser of F,
and ``∇f(x)`` when ``h = 0``. The first step ``t₀`` is ``step_size`` if given,
else ``1/L̂`` with ``L̂ = ‖∇f(x₀ − δ∇f(x₀)) − ∇f(x₀)‖ / ‖δ∇f(x₀)‖``, a curvature
estimate that backtracking corrects.

Examples
--------
>>> import numpy as np
>>> from lemma.optim import minimize
>>> class L1:
...     def value(self, w): return float(np.abs(w).sum())
...     def prox(self, w, step): return np.sign(w) * np.maximum(np.abs(w) - step, 0.0)
>>> smooth = lambda x: (0.5 * float((x - 3) @ (x - 3)), x - 3)  # min ½(x−3)² + |x|: x = 2
>>> result = minimize(smooth, np.zeros(2), method="fista", penalty=L1(), tol=1e-10)
>>> result.x.round(8), result.converged
(array([2., 2.]), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import BOOL, Interval
from lemma.optim._driver import Iterate, Method, Stalled
from lemma.optim.line_search import proximal_backtracking

__all__ = ["FISTA", "ProximalGradient"]

#: MFISTA keeps x_k only when F(z) exceeds F(x_k) by more than rounding (100·ε·|F|).
_ROUNDING = 100 * np.finfo(float).eps


class _Proximal(Method):
    """What both proximal methods share: the penalty, its prox and the stopping measure."""

    measure_name = "gradient-mapping norm"
    uses_prox = True
    constraints = {
        "step_size": [None, Interval(float, 0, None, closed="neither")],
        "max_backtracks": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        objective: Any,
        penalty: Any,
        penalty_size: int | None = None,
        step_size: float | None = None,
        max_backtracks: int = 50,
    ) -> None:
        super().__init__(objective)
        self.penalty = penalty
        self.penalty_size = penalty_size
        self.step_size = step_size
        self.max_backtracks = max_backtracks

    def prox(self, v: np.ndarray, t: float) -> np.ndarray:
        """``prox_{t h}`` applied to the penalised entries, identity on the rest."""
        z = v.copy()
        m = v.size if self.penalty_size is None else self.penalty_size
        z[:m] = self.penalty.prox(v[:m], t)
        return z

    def total(self, x: np.ndarray, smooth: float) -> float:
        """``F(x) = f(x) + h(x[:m])``."""
        return smooth + float(self.penalty.value(x[: self.penalty_size]))

    def init(self, x0: np.ndarray) -> Iterate:
        f, g = self.objective.value_and_gradient(x0)
        self.t = self.step_size if self.step_size is not None else self._first_step(x0, g)
        self.smooth = f
        return Iterate(x0, self.total(x0, f), g)

    def _first_step(self, x0: np.ndarray, g: np.ndarray) -> float:
        """``1/L̂`` from the change of the gradient along ``−∇f(x₀)`` (1 if it is zero)."""
        shift = 1e-3 * g
        norm = float(np.linalg.norm(shift))
        if not norm > 0:
            return 1.0
        _, g_shifted = self.objective.value_and_gradient(x0 - shift)
        curvature = float(np.linalg.norm(g_shifted - g)) / norm
        return 1.0 / curvature if np.isfinite(curvature) and curvature > 0 else 1.0

    def measure(self, it: Iterate) -> float:
        """``‖(x − prox_{t h}(x − t∇f(x))) / t‖∞`` with the current step ``t``."""
        mapping = (it.x - self.prox(it.x - self.t * it.grad, self.t)) / self.t
        return float(np.max(np.abs(mapping), initial=0.0))

    def _search(self, y: np.ndarray, f_y: float, g_y: np.ndarray, step: float) -> Any:
        found = proximal_backtracking(
            self.objective, self.prox, y, f_y, g_y, step=step, max_backtracks=self.max_backtracks
        )
        if not found.success:
            raise Stalled(
                f"the proximal backtracking found no step in {self.max_backtracks} halvings"
            )
        self.t = found.step
        return found


class ProximalGradient(_Proximal):
    """Proximal gradient descent (ISTA) with backtracking; monotone.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth part ``f``.
    penalty : object with ``value(w)`` and ``prox(w, step)``
        The non-smooth part ``h``.
    penalty_size : int, optional
        ``h`` applies to ``x[:penalty_size]`` (all of x when None).
    step_size : float, optional
        First step tried; None estimates ``1/L`` at x0.
    max_backtracks : int, default=50
        Halvings allowed per search.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> class Box:  # h = indicator of [0, 1]²: the prox is a projection
    ...     def value(self, w): return 0.0
    ...     def prox(self, w, step): return np.clip(w, 0.0, 1.0)
    >>> fun = lambda x: (float((x - 2) @ (x - 2)), 2 * (x - 2))
    >>> minimize(fun, np.zeros(2), method="proximal", penalty=Box()).x
    array([1., 1.])
    """

    name = "proximal"

    def step(self, it: Iterate) -> Iterate:
        found = self._search(it.x, self.smooth, it.grad, 2.0 * self.t)
        self.smooth = found.fun
        return Iterate(found.x, self.total(found.x, found.fun), found.grad)


class FISTA(_Proximal):
    """Accelerated proximal gradient (Beck & Teboulle 2009) with backtracking.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth part ``f``.
    penalty : object with ``value(w)`` and ``prox(w, step)``
        The non-smooth part ``h``.
    penalty_size : int, optional
        ``h`` applies to ``x[:penalty_size]`` (all of x when None).
    step_size : float, optional
        First step; None estimates ``1/L`` at x0. Steps never increase.
    max_backtracks : int, default=50
        Halvings allowed per search.
    restart : bool, default=True
        Adaptive restart of the momentum (O'Donoghue & Candès 2015).
    monotone : bool, default=False
        MFISTA: never accept an increase of F.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> class Box:
    ...     def value(self, w): return 0.0
    ...     def prox(self, w, step): return np.clip(w, 0.0, 1.0)
    >>> fun = lambda x: (float((x - 2) @ (x - 2)), 2 * (x - 2))
    >>> minimize(fun, np.zeros(2), method="fista", penalty=Box(), monotone=True).x
    array([1., 1.])
    """

    name = "fista"
    constraints = {**_Proximal.constraints, "restart": [BOOL], "monotone": [BOOL]}

    def __init__(
        self,
        objective: Any,
        penalty: Any,
        penalty_size: int | None = None,
        step_size: float | None = None,
        max_backtracks: int = 50,
        restart: bool = True,
        monotone: bool = False,
    ) -> None:
        super().__init__(objective, penalty, penalty_size, step_size, max_backtracks)
        self.restart = restart
        self.monotone = monotone

    def init(self, x0: np.ndarray) -> Iterate:
        it = super().init(x0)
        self.theta = 1.0
        self.y = None  # None: the extrapolated point y equals x
        return it

    def step(self, it: Iterate) -> Iterate:
        if self.y is None:
            y, f_y, g_y = it.x, self.smooth, it.grad
        else:
            y = self.y
            f_y, g_y = self.objective.value_and_gradient(y)
        found = self._search(y, f_y, g_y, self.t)
        z, total_z = found.x, self.total(found.x, found.fun)
        theta = (1.0 + np.sqrt(1.0 + 4.0 * self.theta**2)) / 2.0
        if self.monotone and total_z > it.fun + _ROUNDING * abs(it.fun):
            new = it
        else:
            new = Iterate(z, total_z, found.grad)
            self.smooth = found.fun
        momentum = (z - new.x) * (self.theta / theta) + (new.x - it.x) * ((self.theta - 1) / theta)
        self.theta = theta
        self.y = new.x + momentum
        if self.restart and float((y - z) @ (z - it.x)) > 0:
            self.theta, self.y = 1.0, None
        return new
