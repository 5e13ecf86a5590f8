"""What every optimizer returns: one :class:`OptimizeResult`, and the error for divergence.

An optimizer minimises ``F(x)`` from a start ``x₀`` and reports the last iterate
``x``, ``F(x)``, the stationarity measure that decides convergence (the ∞-norm of
the gradient, of the projected gradient under bounds, or of the gradient mapping
for proximal methods) and the objective after every iteration::

    history[0] = F(x₀),  history[k] = F(x_k),  len(history) = n_iter + 1.

The fields are always present, whatever the method (SciPy's names, without its
solver-dependent dictionary keys; Nocedal & Wright, *Numerical Optimization*, 2nd
ed., 2006, §2 for the optimality conditions behind the measures).

Examples
--------
>>> import numpy as np
>>> from lemma.optim import OptimizeResult
>>> result = OptimizeResult(
...     x=np.zeros(2), fun=0.0, grad_norm=0.0, n_iter=1, n_fev=2, converged=True,
...     message="converged", history=np.array([1.0, 0.0]))
>>> result
OptimizeResult(converged=True, fun=0, grad_norm=0, n_iter=1, n_fev=2, ..., x=array([0., 0.]))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lemma.exceptions import LemmaError

__all__ = ["OptimizationError", "OptimizeResult"]


class OptimizationError(LemmaError, RuntimeError):
    """An optimisation diverged: the objective or its gradient became NaN or infinite.

    The message names the method and the iteration and suggests a remedy (a
    smaller learning rate, scaled features).
    """


@dataclass(frozen=True, eq=False)
class OptimizeResult:
    """The outcome of one run of an optimizer.

    Attributes
    ----------
    x : ndarray of shape (n_params,)
        The last iterate (the solution when ``converged``).
    fun : float
        The objective at ``x`` (smooth part plus penalty for proximal methods).
    grad_norm : float
        The stationarity measure at ``x`` that is compared with ``tol``: the
        ∞-norm of the gradient (projected gradient under bounds; gradient mapping
        for proximal methods).
    n_iter : int
        Iterations performed (epochs for stochastic methods).
    n_fev : int
        Evaluations of the objective (calls of ``value``, ``gradient`` or
        ``value_and_gradient``; mini-batch evaluations for stochastic methods).
    converged : bool
        Whether the stopping test was met.
    message : str
        Why the run stopped, in words.
    history : ndarray of shape (n_iter + 1,)
        ``history[0]`` is the objective at the start, ``history[k]`` after
        iteration ``k`` (the epoch-mean mini-batch loss for stochastic methods).
    """

    x: np.ndarray
    fun: float
    grad_norm: float
    n_iter: int
    n_fev: int
    converged: bool
    message: str
    history: np.ndarray

    def __repr__(self) -> str:
        x = np.array2string(np.asarray(self.x), precision=4, threshold=6, separator=", ")
        return (
            f"OptimizeResult(converged={self.converged}, fun={self.fun:.6g}, "
            f"grad_norm={self.grad_norm:.3g}, n_iter={self.n_iter}, n_fev={self.n_fev}, "
            f"message={self.message!r}, x=array({x}))"
        )
