"""First-order methods: gradient descent, heavy-ball momentum, Nesterov momentum.

Each minimises a smooth ``f`` using only ``∇f``, in order of increasing memory:

* **Gradient descent** (``"gd"``): ``x_{k+1} = x_k − t_k ∇f(x_k)``. The step
  ``t_k`` is the fixed ``learning_rate`` if given, otherwise found by Armijo
  backtracking starting from ``2·t_{k−1}`` (so the step can grow back after a
  cautious phase; Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, §3.1).
  With backtracking ``f(x_{k+1}) < f(x_k)``: the history never increases.
* **Heavy ball** (``"momentum"``; Polyak, "Some methods of speeding up the
  convergence of iteration methods", USSR Comput. Math. Math. Phys. 4, 1964)::

      v_{k+1} = μ v_k − η ∇f(x_k),      x_{k+1} = x_k + v_{k+1}.

* **Nesterov momentum** (``"nesterov"``) in the form of Sutskever, Martens, Dahl &
  Hinton, "On the importance of initialization and momentum in deep learning",
  ICML 2013, eq. (3)-(4): the gradient is taken at the look-ahead point,
  ``v_{k+1} = μ v_k − η ∇f(x_k + μ v_k)``, ``x_{k+1} = x_k + v_{k+1}``. Written in
  the look-ahead variable ``x̂_k = x_k + μ v_k`` (Bengio, Boulanger-Lewandowski &
  Pascanu, ICASSP 2013), which is what is stored and reported::

      v_{k+1} = μ v_k − η ∇f(x̂_k),      x̂_{k+1} = x̂_k + μ v_{k+1} − η ∇f(x̂_k),

  one gradient per iteration, and ``x̂ → x*`` as ``v → 0``.

The momentum methods use a fixed learning rate η and are not monotone. All three
stop when ``‖∇f(x_k)‖∞ ≤ tol``. For an L-smooth, μ-strongly convex ``f``, η = 1/L
and μ = (√κ − 1)/(√κ + 1), κ = L/μ, give the accelerated linear rate.

Examples
--------
>>> import numpy as np
>>> from lemma.optim import minimize
>>> quadratic = lambda x: (0.5 * x @ x - x.sum(), x - 1.0)
>>> result = minimize(quadratic, np.zeros(3), method="gd")
>>> result.x.round(6), result.converged
(array([1., 1., 1.]), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import Interval
from lemma.optim._driver import Iterate, Method, Stalled
from lemma.optim.line_search import armijo

__all__ = ["GradientDescent", "HeavyBall", "Nesterov"]

_POSITIVE = Interval(float, 0, None, closed="neither")
_MOMENTUM = Interval(float, 0, 1, closed="left")


class GradientDescent(Method):
    """Steepest descent with Armijo backtracking, or with a fixed learning rate.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth function to minimise.
    learning_rate : float, optional
        Fixed step η. None (default) finds the step by Armijo backtracking.
    max_backtracks : int, default=50
        Halvings allowed per line search.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> result = minimize(lambda x: (float(x @ x), 2 * x), np.ones(2), method="gd",
    ...                   learning_rate=0.25)
    >>> result.history[:3]
    array([2.   , 0.5  , 0.125])
    """

    name = "gd"
    constraints = {
        "learning_rate": [None, _POSITIVE],
        "max_backtracks": [Interval(int, 1, None)],
    }

    def __init__(
        self, objective: Any, learning_rate: float | None = None, max_backtracks: int = 50
    ) -> None:
        super().__init__(objective)
        self.learning_rate = learning_rate
        self.max_backtracks = max_backtracks

    def init(self, x0: np.ndarray) -> Iterate:
        self.step_size = 0.5
        return super().init(x0)

    def step(self, it: Iterate) -> Iterate:
        if self.learning_rate is not None:
            x = it.x - self.learning_rate * it.grad
            return Iterate(x, *self.objective.value_and_gradient(x))
        found = armijo(
            self.objective,
            it.x,
            it.fun,
            it.grad,
            -it.grad,
            step=2.0 * self.step_size,
            max_backtracks=self.max_backtracks,
        )
        if not found.success:
            raise Stalled(
                f"the Armijo line search found no decrease in {self.max_backtracks} halvings"
            )
        self.step_size = found.step
        return Iterate(found.x, found.fun, found.grad)


class HeavyBall(Method):
    """Polyak's heavy-ball momentum with a fixed learning rate.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth function to minimise.
    learning_rate : float, default=0.01
        Step η.
    momentum : float, default=0.9
        Momentum μ in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> result = minimize(lambda x: (float(x @ x), 2 * x), np.ones(2), method="momentum",
    ...                   learning_rate=0.1, momentum=0.5)
    >>> float(result.history[1])
    1.28
    """

    name = "momentum"
    constraints = {"learning_rate": [_POSITIVE], "momentum": [_MOMENTUM]}

    def __init__(self, objective: Any, learning_rate: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(objective)
        self.learning_rate = learning_rate
        self.momentum = momentum

    def init(self, x0: np.ndarray) -> Iterate:
        self.velocity = np.zeros_like(x0)
        return super().init(x0)

    def step(self, it: Iterate) -> Iterate:
        self.velocity = self.momentum * self.velocity - self.learning_rate * it.grad
        x = it.x + self.velocity
        return Iterate(x, *self.objective.value_and_gradient(x))


class Nesterov(HeavyBall):
    """Nesterov momentum (Sutskever et al. 2013), stored at the look-ahead point.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth function to minimise.
    learning_rate : float, default=0.01
        Step η.
    momentum : float, default=0.9
        Momentum μ in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> result = minimize(lambda x: (float(x @ x), 2 * x), np.ones(2), method="nesterov",
    ...                   learning_rate=0.1, momentum=0.5)
    >>> float(result.history[1])
    0.98
    """

    name = "nesterov"

    def step(self, it: Iterate) -> Iterate:
        self.velocity = self.momentum * self.velocity - self.learning_rate * it.grad
        x = it.x + self.momentum * self.velocity - self.learning_rate * it.grad
        return Iterate(x, *self.objective.value_and_gradient(x))
