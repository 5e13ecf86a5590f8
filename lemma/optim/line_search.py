"""Backtracking line searches: how far to move along a direction.

**Armijo (sufficient decrease).** Given ``x``, ``f = f(x)``, ``g = ∇f(x)`` and a
descent direction ``d`` (``gᵀd < 0``), try ``t = t₀, t₀/2, t₀/4, ...`` and accept
the first ``t`` with

    f(x + t d) ≤ f(x) + c·t·gᵀd,        c = 10⁻⁴

(Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, Algorithm 3.1).

**Proximal (quadratic upper bound).** For ``F = f + h`` with ``h`` non-smooth, the
step from ``y`` is ``z = prox_{t h}(y − t ∇f(y))``; accept the first ``t`` with

    f(z) ≤ f(y) + ∇f(y)ᵀ(z − y) + ‖z − y‖² / (2t)

which holds once ``t ≤ 1/L`` (L the Lipschitz constant of ∇f) and guarantees
``F(z) ≤ F(y)`` (Beck & Teboulle, "A fast iterative shrinkage-thresholding
algorithm for linear inverse problems", SIAM J. Imaging Sci. 2, 2009, §4).

Near a minimum the quantities these tests compare fall to the rounding of ``f``
and the tests become coin flips: a too-long step passes by luck and undoes the
progress, or a good step fails and the step size collapses. There the searches
use the trial gradient instead (every trial point is evaluated with
``value_and_gradient``, so it is at hand), in tests that are equivalent for a
quadratic: ``∇f(x + t d)ᵀd ≤ (2c − 1) gᵀd`` (the "approximate Armijo" condition of
Hager & Zhang, SIAM J. Optim. 16, 2005) when ``|f(x + t d) − f(x)| ≤ 100·ε·|f(x)|``,
and ``(∇f(z) − ∇f(y))ᵀ(z − y) ≤ ‖z − y‖²/t`` when ``‖z − y‖²/(2t) ≤ 100·ε·|f(y)|``.

Examples
--------
>>> import numpy as np
>>> from lemma.optim import as_objective
>>> from lemma.optim.line_search import armijo
>>> objective = as_objective(lambda x: (float(x @ x), 2 * x))
>>> x = np.array([1.0]); f, g = objective.value_and_gradient(x)
>>> found = armijo(objective, x, f, g, -g)
>>> found.step, found.x, found.success
(0.5, array([0.]), True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LineSearchResult", "armijo", "proximal_backtracking"]

#: A change of f smaller than this times |f| is treated as rounding noise.
_ROUNDING = 100 * np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class LineSearchResult:
    """The accepted step and the objective there.

    Attributes
    ----------
    step : float
        The accepted step ``t`` (the last one tried when ``success`` is False).
    x : ndarray of shape (p,)
        The new point (the old one when ``success`` is False).
    fun : float
        ``f`` at ``x``.
    grad : ndarray of shape (p,)
        ``∇f`` at ``x``.
    n_fev : int
        Evaluations made by the search.
    success : bool
        Whether a step passed the test within ``max_backtracks`` halvings.
    """

    step: float
    x: np.ndarray
    fun: float
    grad: np.ndarray
    n_fev: int
    success: bool


def _is_rounding(f_new: float, f_old: float) -> bool:
    return abs(f_new - f_old) <= _ROUNDING * max(abs(f_old), np.finfo(float).tiny)


def armijo(
    objective: Any,
    x: np.ndarray,
    fun: float,
    grad: np.ndarray,
    direction: np.ndarray,
    *,
    step: float = 1.0,
    c: float = 1e-4,
    shrink: float = 0.5,
    max_backtracks: int = 50,
) -> LineSearchResult:
    """Backtrack from ``step`` until the Armijo sufficient-decrease condition holds.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The function being minimised.
    x : ndarray of shape (p,)
        The current point.
    fun : float
        ``f(x)``.
    grad : ndarray of shape (p,)
        ``∇f(x)``.
    direction : ndarray of shape (p,)
        A descent direction (``gradᵀdirection < 0``).
    step : float, default=1.0
        The first step tried.
    c : float, default=1e-4
        Sufficient-decrease constant.
    shrink : float, default=0.5
        Factor applied to the step after each rejection (0.5 halves it).
    max_backtracks : int, default=50
        Rejections allowed before giving up.

    Returns
    -------
    LineSearchResult
        ``success=False`` (and the old point) when ``direction`` is not a
        descent direction or no step passed. Trial points with a NaN or
        infinite value are rejected like any other.
    """
    slope = float(grad @ direction)
    if not slope < 0:
        return LineSearchResult(step, x, fun, grad, 0, False)
    t = float(step)
    for n_fev in range(1, max_backtracks + 2):
        x_new = x + t * direction
        f_new, g_new = objective.value_and_gradient(x_new)
        if _is_rounding(f_new, fun):
            accept = g_new @ direction <= (2 * c - 1) * slope
        else:
            accept = f_new <= fun + c * t * slope
        if accept:
            return LineSearchResult(t, x_new, f_new, g_new, n_fev, True)
        t *= shrink
    return LineSearchResult(t / shrink, x, fun, grad, max_backtracks + 1, False)


def proximal_backtracking(
    objective: Any,
    prox: Callable[[np.ndarray, float], np.ndarray],
    y: np.ndarray,
    fun: float,
    grad: np.ndarray,
    *,
    step: float = 1.0,
    shrink: float = 0.5,
    max_backtracks: int = 50,
) -> LineSearchResult:
    """Backtrack a proximal-gradient step until the quadratic upper bound holds.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)``
        The smooth part ``f``.
    prox : callable
        ``prox(v, t) = argmin_z h(z) + ‖z − v‖²/(2t)`` for the non-smooth part ``h``.
    y : ndarray of shape (p,)
        The point the step starts from.
    fun : float
        ``f(y)``.
    grad : ndarray of shape (p,)
        ``∇f(y)``.
    step : float, default=1.0
        The first step tried.
    shrink : float, default=0.5
        Factor applied to the step after each rejection.
    max_backtracks : int, default=50
        Rejections allowed before giving up.

    Returns
    -------
    LineSearchResult
        ``x = z = prox(y − t∇f(y), t)`` with ``f(z)``, ``∇f(z)`` and the accepted ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import as_objective
    >>> from lemma.optim.line_search import proximal_backtracking
    >>> objective = as_objective(lambda x: (0.5 * float(x @ x), x))
    >>> soft = lambda v, t: np.sign(v) * np.maximum(np.abs(v) - t, 0.0)
    >>> y = np.array([3.0]); f, g = objective.value_and_gradient(y)
    >>> proximal_backtracking(objective, soft, y, f, g, step=1.0).x
    array([0.])
    """
    t = float(step)
    for n_fev in range(1, max_backtracks + 2):
        z = prox(y - t * grad, t)
        d = z - y
        f_z, g_z = objective.value_and_gradient(z)
        gap = float(d @ d) / (2 * t)
        if gap <= _ROUNDING * max(abs(fun), np.finfo(float).tiny):
            accept = float((g_z - grad) @ d) <= 2 * gap
        else:
            accept = f_z <= fun + float(grad @ d) + gap
        if accept:
            return LineSearchResult(t, z, f_z, g_z, n_fev, True)
        t *= shrink
    return LineSearchResult(t / shrink, y, fun, grad, max_backtracks + 1, False)
