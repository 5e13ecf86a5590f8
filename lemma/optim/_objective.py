"""The objectives the optimizers consume.

A deterministic objective is a smooth function ``f : ℝᵖ → ℝ`` given by an object
with

* ``value_and_gradient(x) -> (f(x), ∇f(x))`` (required; one pass over the data
  gives both for every loss in lemma),
* ``value(x)`` and ``gradient(x)`` (the protocol's other two methods; the
  optimizers themselves only call ``value_and_gradient``),
* optionally ``hessian(x) -> ∇²f(x)`` of shape (p, p) or ``hessp(x, v) -> ∇²f(x) v``
  (Newton's method needs one of them).

A stochastic objective is an average over ``n_samples`` rows,
``f(x) = n⁻¹ Σᵢ ℓᵢ(x)``, with ``value_and_gradient(x, batch)`` returning the mean
over the rows ``batch`` (an index array), ``f_B(x) = |B|⁻¹ Σ_{i∈B} ℓᵢ(x)``, and
over all rows when ``batch is None``; ``f_B`` and ``∇f_B`` are unbiased estimates
of ``f`` and ``∇f`` for a uniformly drawn batch (Bottou, Curtis & Nocedal,
"Optimization methods for large-scale machine learning", SIAM Review 60, 2018).

:func:`as_objective` turns plain callables into a :class:`FunctionObjective`.
Evaluations are counted by a wrapper inside the optimizers, so every result
reports ``n_fev``; an objective that keeps its own ``n_fev`` counter is trusted
instead.

Examples
--------
>>> import numpy as np
>>> from lemma.optim import as_objective
>>> objective = as_objective(lambda x: (x @ x, 2 * x))
>>> objective.value_and_gradient(np.array([1.0, 2.0]))
(5.0, array([2., 4.]))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError

__all__ = [
    "CountedObjective",
    "FunctionObjective",
    "Objective",
    "PenalizedObjective",
    "StochasticObjective",
    "accepts_batch",
    "as_objective",
    "hessian_function",
]


@runtime_checkable
class Objective(Protocol):
    """A smooth function with its gradient (``hessian``/``hessp`` optional)."""

    def value(self, x: np.ndarray) -> float:
        """f(x)."""

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """∇f(x), shape (p,)."""

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """(f(x), ∇f(x)) from one evaluation."""


@runtime_checkable
class StochasticObjective(Protocol):
    """A mean over ``n_samples`` rows that can be evaluated on a mini-batch of them."""

    n_samples: int

    def value_and_gradient(
        self, x: np.ndarray, batch: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """Mean loss and its gradient over the rows ``batch`` (all rows if None)."""


# ------------------------------------------------------------------------ functions
def _scalar(f: Any) -> float:
    """The objective value as a float, or a clear error."""
    f_arr = np.asarray(f, dtype=float)
    if f_arr.size != 1:
        raise DataValidationError(
            f"The objective must return a scalar value; got an array of shape {f_arr.shape}. "
            "Return the total (or mean) loss as one number."
        )
    return float(f_arr.reshape(()))


def _vector(g: Any, x: np.ndarray) -> np.ndarray:
    """The gradient as a float array of x's shape, or a clear error."""
    g = np.asarray(g, dtype=float)
    if g.shape != x.shape:
        raise DataValidationError(
            f"The gradient has shape {g.shape} but x has shape {x.shape}; return one "
            "partial derivative per parameter."
        )
    return g


def _hessian_from_products(hessp: Callable, x: np.ndarray) -> np.ndarray:
    """The Hessian built column by column from ``p`` Hessian-vector products."""
    columns = [np.asarray(hessp(x, e), dtype=float) for e in np.eye(x.size)]
    H = np.column_stack(columns)
    return 0.5 * (H + H.T)


def hessian_function(objective: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """``x -> ∇²f(x)`` from the objective's ``hessian``, else from ``hessp``, else None.

    Built from ``hessp`` it costs ``p`` products per call, which is what Newton's
    method with a dense factorisation needs anyway.
    """
    hessian = getattr(objective, "hessian", None)
    if callable(hessian):
        return hessian
    hessp = getattr(objective, "hessp", None)
    if callable(hessp):
        return lambda x: _hessian_from_products(hessp, x)
    return None


def accepts_batch(objective: Any) -> bool:
    """Whether ``objective`` is a stochastic objective (``n_samples`` and a ``batch`` argument)."""
    method = getattr(objective, "value_and_gradient", None)
    if not callable(method) or not hasattr(objective, "n_samples"):
        return False
    try:
        return "batch" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def as_objective(
    objective: Any,
    grad: Callable | None = None,
    hess: Callable | None = None,
    hessp: Callable | None = None,
) -> Any:
    """Accept an objective object or plain callables, return an objective object.

    Parameters
    ----------
    objective : object with ``value_and_gradient``, or callable
        An objective object is returned unchanged. A callable ``fun(x)`` is
        wrapped in a :class:`FunctionObjective`: it must return ``(f, g)`` when
        ``grad`` is None, else the value only.
    grad, hess, hessp : callable, optional
        ``grad(x)``, ``hess(x)`` and ``hessp(x, v)`` for a callable ``objective``.

    Returns
    -------
    object
        Something with ``value``, ``gradient`` and ``value_and_gradient``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import as_objective
    >>> objective = as_objective(lambda x: x @ x, grad=lambda x: 2 * x)
    >>> objective.gradient(np.array([3.0]))
    array([6.])
    """
    if callable(getattr(objective, "value_and_gradient", None)):
        if grad is not None or hess is not None or hessp is not None:
            raise ParameterError(
                f"{type(objective).__name__} is already an objective object; pass grad, "
                "hess and hessp only with a plain function."
            )
        return objective
    if callable(objective):
        return FunctionObjective(objective, grad=grad, hess=hess, hessp=hessp)
    raise DataTypeError(
        f"The objective must be a callable fun(x) -> (f, g) or an object with a "
        f"value_and_gradient(x) method; got {type(objective).__name__}."
    )


# -------------------------------------------------------------------------- classes
class FunctionObjective:
    """An objective made of plain callables.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> f`` when ``grad`` is given; ``fun(x) -> (f, g)`` when ``grad``
        is None (the value and the gradient from one call).
    grad : callable, optional
        ``grad(x) -> ndarray of shape (p,)``.
    hess : callable, optional
        ``hess(x) -> ndarray of shape (p, p)``.
    hessp : callable, optional
        ``hessp(x, v) -> ndarray of shape (p,)``, the Hessian times ``v``.

    Attributes
    ----------
    hessian, hessp : callable or None
        The Hessian callables given (None when not given).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import rosen, rosen_der, rosen_hess
    >>> from lemma.optim import FunctionObjective
    >>> objective = FunctionObjective(rosen, grad=rosen_der, hess=rosen_hess)
    >>> objective.value(np.ones(2)), objective.gradient(np.ones(2))
    (0.0, array([0., 0.]))
    """

    def __init__(
        self,
        fun: Callable,
        grad: Callable | None = None,
        hess: Callable | None = None,
        hessp: Callable | None = None,
    ) -> None:
        self.fun = fun
        self.grad = grad
        self.hessian = hess
        self.hessp = hessp

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``(f(x), ∇f(x))``."""
        if self.grad is None:
            out = self.fun(x)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise DataTypeError(
                    "Without grad, fun(x) must return a pair (value, gradient); got "
                    f"{type(out).__name__}. Return both, or pass grad=."
                )
            return _scalar(out[0]), _vector(out[1], x)
        return _scalar(self.fun(x)), _vector(self.grad(x), x)

    def value(self, x: np.ndarray) -> float:
        """``f(x)``."""
        if self.grad is None:
            return self.value_and_gradient(x)[0]
        return _scalar(self.fun(x))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """``∇f(x)``."""
        if self.grad is None:
            return self.value_and_gradient(x)[1]
        return _vector(self.grad(x), x)


class CountedObjective:
    """The objective seen by the optimizers: counts evaluations, checks shapes.

    ``n_fev`` is the number of ``value_and_gradient`` calls made through it, or
    the increase of the wrapped objective's own ``n_fev`` counter if it has one.
    Keyword arguments (``batch``) pass through.
    """

    def __init__(self, objective: Any) -> None:
        self.objective = objective
        self.hessian = hessian_function(objective)
        self.n_samples = getattr(objective, "n_samples", None)
        self._calls = 0
        self._own_start = getattr(objective, "n_fev", None)

    @property
    def n_fev(self) -> int:
        if self._own_start is not None:
            return int(self.objective.n_fev - self._own_start)
        return self._calls

    def value_and_gradient(self, x: np.ndarray, **kwargs: Any) -> tuple[float, np.ndarray]:
        self._calls += 1
        f, g = self.objective.value_and_gradient(x, **kwargs)
        return _scalar(f), _vector(g, x)


class PenalizedObjective:
    """``f(x) + P(x[:m])`` for a smooth penalty ``P`` with ``value``/``gradient``.

    ``m = penalty_size`` (all of x when None), so trailing parameters such as an
    intercept stay unpenalised. The Hessian is available when both ``f`` and
    ``P`` have one (a 1-D penalty Hessian is read as a diagonal).
    """

    def __init__(self, objective: Any, penalty: Any, penalty_size: int | None) -> None:
        self.objective = objective
        self.penalty = penalty
        self.size = penalty_size
        self.n_samples = getattr(objective, "n_samples", None)
        inner = hessian_function(objective)
        has_own = callable(getattr(penalty, "hessian", None))
        self.hessian = self._hessian if (inner is not None and has_own) else None
        self._inner_hessian = inner

    def value_and_gradient(self, x: np.ndarray, **kwargs: Any) -> tuple[float, np.ndarray]:
        f, g = self.objective.value_and_gradient(x, **kwargs)
        w = x[: self.size]
        g = np.array(g, dtype=float)
        g[: w.size] += np.asarray(self.penalty.gradient(w), dtype=float)
        return float(f) + float(self.penalty.value(w)), g

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        H = np.array(self._inner_hessian(x), dtype=float)
        w = x[: self.size]
        block = np.asarray(self.penalty.hessian(w), dtype=float)
        if block.ndim == 1:
            block = np.diag(block)
        H[: w.size, : w.size] += block
        return H
