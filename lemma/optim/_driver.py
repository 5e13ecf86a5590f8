"""One driver loop for every iterative optimizer.

An optimizer is an update rule ``x_{k+1} = step(x_k)`` plus a stationarity
measure ``m(x)`` that is zero exactly at a solution. The loop is the same for
all of them::

    x₀ → evaluate f(x₀), ∇f(x₀) → history[0] = f(x₀)
    for k = 1, 2, ..., max_iter:
        x_k = step(x_{k-1})                    (the method's update rule)
        stop with OptimizationError if f(x_k) or ∇f(x_k) is NaN or infinite
        history[k] = f(x_k)
        converged if m(x_k) ≤ tol               (the method's stopping test)
        callback(result so far)                 (StopIteration ends the run)
    ConvergenceWarning if max_iter was reached unconverged

The method classes hold only their update rule and its memory (a velocity, a
step size); this module owns iteration counting, history, stopping, callbacks,
warnings and the :class:`OptimizeResult` (after river's ``optim`` and tinygrad's
optimizers: a short rule each, one loop for the bookkeeping).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lemma.exceptions import ConvergenceWarning, interop
from lemma.optim._result import OptimizationError, OptimizeResult

__all__ = [
    "Iterate",
    "Method",
    "NonFinite",
    "Stalled",
    "make_result",
    "run",
    "warn_unconverged",
]


@dataclass
class Iterate:
    """What the driver sees of the current point.

    Attributes
    ----------
    x : ndarray of shape (p,)
        The point.
    fun : float
        The objective at ``x`` (smooth part plus penalty for proximal methods;
        the epoch-mean mini-batch loss for stochastic methods).
    grad : ndarray of shape (p,)
        The gradient of the smooth part at ``x`` (the epoch-mean mini-batch
        gradient for stochastic methods).
    """

    x: np.ndarray
    fun: float
    grad: np.ndarray


class Stalled(Exception):
    """Raised by a step that cannot make progress (a line search found no decrease)."""


class NonFinite(Exception):
    """Raised by a step that met a NaN or infinity (its argument names the quantity)."""


class Method:
    """Base class of an update rule run by :func:`run`.

    Subclasses set ``name`` and implement :meth:`step`; they may override the
    stationarity measure, the stopping test and :meth:`finish`.
    """

    name = "method"
    measure_name = "gradient norm"
    iteration_word = "iterations"
    #: Option name -> accepted values (lemma._constraints), checked by ``minimize``.
    constraints: dict[str, list] = {}
    #: Takes ``penalty`` and ``penalty_size`` and handles the penalty by its prox.
    uses_prox = False
    #: Takes a stochastic objective and ``random_state``.
    stochastic = False

    @classmethod
    def option_names(cls) -> list[str]:
        """The options ``minimize`` passes on to this method."""
        params = inspect.signature(cls.__init__).parameters
        return [
            name
            for name, p in params.items()
            if name not in ("self", "objective", "penalty", "random_state")
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]

    def __init__(self, objective: Any) -> None:
        self.objective = objective

    def init(self, x0: np.ndarray) -> Iterate:
        """Evaluate the start point and reset the method's memory."""
        f, g = self.objective.value_and_gradient(x0)
        return Iterate(x0, f, g)

    def step(self, it: Iterate) -> Iterate:
        """One iteration of the update rule."""
        raise NotImplementedError

    def measure(self, it: Iterate) -> float:
        """Stationarity measure compared with ``tol``: here ``‖∇f(x)‖∞``."""
        return float(np.max(np.abs(it.grad), initial=0.0))

    def converged(self, it: Iterate, tol: float) -> bool:
        """Whether to stop at ``it``; called once per iterate."""
        return self.measure(it) <= tol

    def reason(self, it: Iterate, tol: float) -> str:
        """Why ``it`` is not converged, with the numbers."""
        return f"{self.measure_name} {self.measure(it):.1e} > tol={tol:g}"

    def success(self, it: Iterate, tol: float) -> str:
        """The message of a converged run."""
        return f"converged: {self.measure_name} {self.measure(it):.1e} <= tol={tol:g}"

    def finish(self, it: Iterate) -> Iterate:
        """The iterate to report once the loop has ended."""
        return it

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
        """Run this method from ``x0`` (see :func:`run`)."""
        return run(
            self,
            x0,
            tol=tol,
            max_iter=max_iter,
            callback=callback,
            warn=warn,
            owner=owner,
            n_fev=n_fev,
        )


def _prefix(owner: str | None) -> str:
    return f"{owner}: " if owner else ""


def _check_finite(method: Method, it: Iterate, k: int, owner: str | None) -> None:
    if np.isfinite(it.fun) and np.all(np.isfinite(it.grad)):
        return
    what = "objective" if not np.isfinite(it.fun) else "gradient"
    value = it.fun if not np.isfinite(it.fun) else it.grad[~np.isfinite(it.grad)][0]
    if k == 0:
        raise OptimizationError(
            f"{_prefix(owner)}{method.name}: the {what} is {value} at the starting point "
            "(iteration 0); check the objective, the data and x0."
        )
    raise OptimizationError(
        f"{_prefix(owner)}{method.name} diverged: the {what} became {value} at "
        f"{method.iteration_word[:-1]} {k}; use a smaller learning_rate, or scale the features."
    )


def warn_unconverged(
    name: str,
    owner: str | None,
    max_iter: int,
    reason: str,
    word: str = "iterations",
    stacklevel: int = 5,
) -> None:
    """Issue the ConvergenceWarning of a run that reached ``max_iter`` unconverged."""
    warnings.warn(
        f"{_prefix(owner)}{name} did not converge in max_iter={max_iter} {word} ({reason}); "
        "increase max_iter, loosen tol, or scale the features.",
        interop(ConvergenceWarning),
        stacklevel=stacklevel,
    )


def make_result(
    method: Method, it: Iterate, history: list[float], n_fev: int, converged: bool, message: str
) -> OptimizeResult:
    """The OptimizeResult of ``method`` at ``it`` (``x`` and ``history`` copied)."""
    return OptimizeResult(
        x=it.x.copy(),
        fun=float(it.fun),
        grad_norm=method.measure(it),
        n_iter=len(history) - 1,
        n_fev=n_fev,
        converged=converged,
        message=message,
        history=np.array(history, dtype=float),
    )


def run(
    method: Method,
    x0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callable[[OptimizeResult], Any] | None = None,
    warn: bool = True,
    owner: str | None = None,
    n_fev: Callable[[], int] = lambda: 0,
) -> OptimizeResult:
    """Iterate ``method`` from ``x0`` until its stopping test, ``max_iter`` or the callback.

    Parameters
    ----------
    method : Method
        The update rule, bound to its objective.
    x0 : ndarray of shape (p,)
        Starting point (not modified).
    tol : float
        Tolerance of the method's stopping test.
    max_iter : int
        Maximum number of iterations (epochs for stochastic methods).
    callback : callable, optional
        ``callback(intermediate: OptimizeResult)`` after every iteration;
        raising ``StopIteration`` ends the run unconverged, without a warning.
    warn : bool, default=True
        Issue a ConvergenceWarning when the run ends unconverged.
    owner : str, optional
        Prefix of messages (the estimator's name).
    n_fev : callable
        Returns the evaluations made so far.

    Returns
    -------
    OptimizeResult

    Raises
    ------
    OptimizationError
        When the objective or its gradient becomes NaN or infinite.
    """
    it = method.init(np.array(x0, dtype=float))
    _check_finite(method, it, 0, owner)
    history = [it.fun]
    converged = method.converged(it, tol)
    message = ""
    stalled = False
    for k in range(1, max_iter + 1):
        if converged:
            break
        try:
            it = method.step(it)
        except Stalled as exc:
            message, stalled = str(exc), True
            break
        except NonFinite as exc:
            raise OptimizationError(
                f"{_prefix(owner)}{method.name} diverged: the {exc} became NaN or infinite at "
                f"{method.iteration_word[:-1]} {k}; scale the features or check the objective."
            ) from None
        _check_finite(method, it, k, owner)
        history.append(it.fun)
        converged = method.converged(it, tol)
        if callback is None:
            continue
        try:
            callback(make_result(method, it, history, n_fev(), converged, "running"))
        except StopIteration:
            if not converged:
                message = "stopped by callback"
            break
    it = method.finish(it)
    if converged:
        message = method.success(it, tol)
    elif not message:
        message = f"max_iter={max_iter} reached ({method.reason(it, tol)})"
        if warn:
            warn_unconverged(
                method.name, owner, max_iter, method.reason(it, tol), method.iteration_word
            )
    elif stalled and warn:
        warnings.warn(
            f"{_prefix(owner)}{method.name} stopped before converging: {message} "
            f"({method.reason(it, tol)}); loosen tol, or scale the features.",
            interop(ConvergenceWarning),
            stacklevel=4,
        )
    return make_result(method, it, history, n_fev(), converged, message)
