"""L-BFGS-B: SciPy's limited-memory quasi-Newton method, reporting our OptimizeResult.

L-BFGS keeps the last ``m`` pairs ``s_k = x_{k+1} − x_k``, ``y_k = ∇f(x_{k+1}) −
∇f(x_k)`` and applies the BFGS inverse-Hessian approximation they define to the
gradient by the two-loop recursion, ``d_k = −H_k ∇f(x_k)``, then searches along
``d_k`` for a step meeting the strong Wolfe conditions (Nocedal & Wright,
*Numerical Optimization*, 2nd ed., 2006, Algorithm 7.4; bounds by projection,
Byrd, Lu, Nocedal & Zhu, SIAM J. Sci. Comput. 16, 1995).

This is the documented exception to "one driver loop": SciPy's L-BFGS-B runs its
own loop, so :class:`LBFGS` overrides ``solve``, records the history through
SciPy's callback and builds the same :class:`OptimizeResult`, with the same
stopping rule, callback, warning and error conventions as the other methods:

* converged when the ∞-norm of the projected gradient
  ``P(x − ∇f(x)) − x`` (``P`` the projection on the bounds; the gradient itself
  without bounds) is ``≤ tol`` — SciPy's ``gtol = tol``, with its relative
  reduction test ``(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol`` set to
  ``ftol = ε`` (one rounding unit) so that the gradient test rules;
* ``max_iter`` is SciPy's ``maxiter``.

The Wolfe line search compares values of ``f``, so it cannot make progress once
the decrease per step is below the rounding of ``f``: gradients much below
``√(ε·max(|f|, 1)·L)`` (L the largest curvature; about 1e-7 for a problem with
|f| ~ 1 and L ~ 100) are out of its reach. Such a run stops on SciPy's
reduction test or an abnormal line search and reports ``converged=False`` with a
ConvergenceWarning; Newton's method, whose step needs no line search near the
minimum, reaches tighter tolerances.

Examples
--------
>>> import numpy as np
>>> from scipy.optimize import rosen, rosen_der
>>> from lemma.optim import FunctionObjective, minimize
>>> result = minimize(FunctionObjective(rosen, grad=rosen_der), np.array([-1.2, 1.0]))
>>> result.x.round(5), result.converged, len(result.history) == result.n_iter + 1
(array([1., 1.]), True, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import Bounds
from scipy.optimize import minimize as scipy_minimize

from lemma._constraints import Interval
from lemma.exceptions import ConvergenceWarning, ParameterError, interop
from lemma.optim._driver import Iterate, Method, make_result, warn_unconverged
from lemma.optim._result import OptimizationError, OptimizeResult

__all__ = ["LBFGS"]

#: SciPy's relative-reduction tolerance, tiny so the gradient test decides convergence.
FTOL = np.finfo(float).eps


def _bounds_arrays(bounds: Any, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds as arrays of length p (None means unbounded)."""
    if isinstance(bounds, Bounds):
        lower = np.broadcast_to(np.asarray(bounds.lb, dtype=float), (p,))
        upper = np.broadcast_to(np.asarray(bounds.ub, dtype=float), (p,))
        return lower.copy(), upper.copy()
    pairs = list(bounds)
    if len(pairs) != p or any(np.ndim(pair) != 1 or len(pair) != 2 for pair in pairs):
        raise ParameterError(
            f"bounds must be {p} (low, high) pairs, one per parameter (None for no bound), "
            "or a scipy.optimize.Bounds."
        )
    lower = np.array([-np.inf if lo is None else lo for lo, _ in pairs], dtype=float)
    upper = np.array([np.inf if hi is None else hi for _, hi in pairs], dtype=float)
    if np.any(lower > upper):
        j = int(np.flatnonzero(lower > upper)[0])
        raise ParameterError(
            f"bounds[{j}] has low {lower[j]} > high {upper[j]}; give each pair as (low, high)."
        )
    return lower, upper


class LBFGS(Method):
    """L-BFGS-B (SciPy), with bounds, wrapped to return an :class:`OptimizeResult`.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth function to minimise.
    bounds : sequence of (low, high) pairs or scipy.optimize.Bounds, optional
        Box constraints, one pair per parameter (None for no bound); x0 is
        clipped into them.
    maxcor : int, default=10
        Number of correction pairs ``m`` kept.
    maxls : int, default=20
        Line-search steps allowed per iteration.
    maxfun : int, default=15000
        Evaluations allowed in total.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> fun = lambda x: (float((x - 2) @ (x - 2)), 2 * (x - 2))
    >>> minimize(fun, np.zeros(2), method="lbfgs", bounds=[(None, 1), (0, None)]).x
    array([1., 2.])
    """

    name = "lbfgs"
    constraints = {
        "maxcor": [Interval(int, 1, None)],
        "maxls": [Interval(int, 1, None)],
        "maxfun": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        objective: Any,
        bounds: Any = None,
        maxcor: int = 10,
        maxls: int = 20,
        maxfun: int = 15000,
    ) -> None:
        super().__init__(objective)
        self.bounds = bounds
        self.maxcor = maxcor
        self.maxls = maxls
        self.maxfun = maxfun
        if bounds is not None:
            self.measure_name = "projected gradient norm"

    def measure(self, it: Iterate) -> float:
        """``‖P(x − ∇f(x)) − x‖∞``, the projected gradient (the gradient without bounds)."""
        if self.bounds is None:
            return super().measure(it)
        return float(np.abs(np.clip(it.x - it.grad, self.lower, self.upper) - it.x).max())

    def solve(
        self,
        x0: np.ndarray,
        *,
        tol: float,
        max_iter: int,
        callback: Callable[[OptimizeResult], Any] | None,
        warn: bool,
        owner: str | None,
        n_fev: Callable[[], int],
    ) -> OptimizeResult:
        """Run SciPy's L-BFGS-B from ``x0``; the bookkeeping of :func:`run`, adapted."""
        if self.bounds is not None:
            self.lower, self.upper = _bounds_arrays(self.bounds, x0.size)
            x0 = np.clip(x0, self.lower, self.upper)
        history: list[float] = []
        last: list[Iterate] = []
        stopped_by_callback: list[bool] = []
        prefix = f"{owner}: " if owner else ""

        def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
            f, g = self.objective.value_and_gradient(x.copy())
            if not (np.isfinite(f) and np.all(np.isfinite(g))):
                where = "at the starting point (iteration 0); check the objective, the data and x0"
                if history:
                    where = (
                        f"at iteration {len(history)}; scale the features or check the objective"
                    )
                raise OptimizationError(
                    f"{prefix}lbfgs: the objective or its gradient became NaN or infinite {where}."
                )
            last[:] = [Iterate(x.copy(), f, g)]
            if not history:
                history.append(f)
            return f, g

        def at(x: np.ndarray) -> Iterate:
            if last and np.array_equal(last[0].x, x):
                return last[0]
            return Iterate(x.copy(), *fun(x))

        def on_iteration(intermediate_result: Any) -> None:
            history.append(float(intermediate_result.fun))
            if callback is None:
                return
            it = at(intermediate_result.x)
            converged = self.measure(it) <= tol
            try:
                callback(make_result(self, it, history, n_fev(), converged, "running"))
            except StopIteration:
                if not converged:
                    stopped_by_callback.append(True)
                raise

        out = scipy_minimize(
            fun, x0, jac=True, method="L-BFGS-B", callback=on_iteration,
            bounds=None if self.bounds is None else Bounds(self.lower, self.upper),
            options={"maxiter": max_iter, "gtol": tol, "ftol": FTOL, "maxcor": self.maxcor,
                     "maxls": self.maxls, "maxfun": self.maxfun},
        )  # fmt: skip
        it = Iterate(np.asarray(out.x, dtype=float).copy(), float(out.fun), np.asarray(out.jac))
        converged = self.measure(it) <= tol
        if converged:
            message = self.success(it, tol)
        elif stopped_by_callback:
            message = "stopped by callback"
        elif len(history) - 1 >= max_iter:
            message = f"max_iter={max_iter} reached ({self.reason(it, tol)})"
            if warn:
                warn_unconverged(self.name, owner, max_iter, self.reason(it, tol), stacklevel=4)
        else:
            message = f"L-BFGS-B stopped: {out.message}"
            if warn:
                warnings.warn(
                    f"{prefix}lbfgs stopped before converging ({out.message}; "
                    f"{self.reason(it, tol)}); increase maxfun, loosen tol, or scale the "
                    "features.",
                    interop(ConvergenceWarning),
                    stacklevel=3,
                )
        return make_result(self, it, history, n_fev(), converged, message)
