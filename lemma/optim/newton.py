"""Newton's method with an Armijo line search (and IRLS, which is the same thing for GLMs).

Each iteration minimises the local quadratic model of ``f``::

    (∇²f(x_k) + τ_k I) d_k = −∇f(x_k),      x_{k+1} = x_k + t_k d_k,

solving by Cholesky with ``τ_k = 0`` whenever the Hessian is positive definite.
If the factorisation fails, ``τ`` grows from ``10⁻³·max|diag ∇²f|`` by factors of
10 until it succeeds (a Levenberg-style shift; Nocedal & Wright, *Numerical
Optimization*, 2nd ed., 2006, Algorithm 3.3), so ``d_k`` is always a descent
direction. ``t_k`` comes from Armijo backtracking starting at the full step
``t = 1``, which is accepted near the minimum, where convergence is quadratic.
Stops when ``‖∇f(x)‖∞ ≤ tol``.

**IRLS.** For a generalised linear model with canonical link (logistic, Poisson,
...), the negative log-likelihood has ``∇f = Xᵀ(μ − y)`` and ``∇²f = XᵀWX``
with ``W = diag(Var(μᵢ))``; the Newton step ``β + (XᵀWX)⁻¹Xᵀ(y − μ)`` is the
weighted least-squares solution for the working response
``z = Xβ + W⁻¹(y − μ)``. Newton's method *is* iteratively reweighted least
squares (McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §2.5),
hence the alias ``method="irls"``.

Examples
--------
>>> import numpy as np
>>> from scipy.optimize import rosen, rosen_der, rosen_hess
>>> from lemma.optim import FunctionObjective, minimize
>>> objective = FunctionObjective(rosen, grad=rosen_der, hess=rosen_hess)
>>> result = minimize(objective, np.array([-1.2, 1.0]), method="newton", tol=1e-10)
>>> result.x, result.converged
(array([1., 1.]), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla

from lemma._constraints import Interval
from lemma.exceptions import ParameterError
from lemma.optim._driver import Iterate, Method, NonFinite, Stalled
from lemma.optim._objective import hessian_function
from lemma.optim.line_search import armijo

__all__ = ["Newton", "newton_direction"]


def newton_direction(hessian: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, float]:
    """Solve ``(H + τI) d = −g`` by Cholesky with the smallest shift τ that works.

    Parameters
    ----------
    hessian : ndarray of shape (p, p)
        Symmetric Hessian ``H``.
    grad : ndarray of shape (p,)
        Gradient ``g``.

    Returns
    -------
    direction : ndarray of shape (p,)
        ``d``, a descent direction.
    shift : float
        ``τ`` (0 when ``H`` is positive definite).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.newton import newton_direction
    >>> newton_direction(np.diag([2.0, 4.0]), np.array([2.0, 4.0]))
    (array([-1., -1.]), 0.0)
    >>> d, shift = newton_direction(np.diag([1.0, -1.0]), np.array([1.0, 1.0]))
    >>> bool(shift > 1.0), bool(d @ np.array([1.0, 1.0]) < 0)
    (True, True)
    """
    if not np.all(np.isfinite(hessian)):
        raise NonFinite("Hessian")
    diagonal = np.diag(hessian)
    beta = 1e-3 * max(float(np.abs(diagonal).max(initial=0.0)), np.finfo(float).tiny)
    shift = 0.0 if diagonal.min(initial=1.0) > 0 else beta - float(diagonal.min())
    eye = np.eye(grad.size)
    for _ in range(100):
        try:
            factor = sla.cho_factor(hessian + shift * eye, check_finite=False)
        except sla.LinAlgError:
            shift = max(10.0 * shift, beta)
            continue
        return -sla.cho_solve(factor, grad, check_finite=False), shift
    raise NonFinite("Hessian (no shift made it positive definite)")


class Newton(Method):
    """Newton's method with Armijo backtracking and a Levenberg-style shift.

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)`` and ``hessian(x)`` or ``hessp(x, v)``
        The smooth function to minimise. With only ``hessp``, the Hessian is
        built from ``p`` products per iteration.
    max_backtracks : int, default=50
        Halvings allowed per line search.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import FunctionObjective, minimize
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]]); b = np.array([1.0, 1.0])
    >>> objective = FunctionObjective(lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b),
    ...                               hess=lambda x: A)
    >>> result = minimize(objective, np.zeros(2), method="irls")
    >>> result.n_iter, np.allclose(result.x, np.linalg.solve(A, b))
    (1, True)
    """

    name = "newton"
    constraints = {"max_backtracks": [Interval(int, 1, None)]}

    def __init__(self, objective: Any, max_backtracks: int = 50) -> None:
        super().__init__(objective)
        self.max_backtracks = max_backtracks
        self.hessian = hessian_function(objective)
        if self.hessian is None:
            raise ParameterError(
                "method='newton' needs second derivatives: the objective has "
                "no hessian(x) or hessp(x, v) (with a smooth penalty, the penalty needs "
                "hessian(w) too). Pass hess= to as_objective, or use method='lbfgs'."
            )

    def step(self, it: Iterate) -> Iterate:
        H = np.asarray(self.hessian(it.x), dtype=float)
        direction, _ = newton_direction(0.5 * (H + H.T), it.grad)
        found = armijo(
            self.objective, it.x, it.fun, it.grad, direction,
            step=1.0, max_backtracks=self.max_backtracks,
        )  # fmt: skip
        if not found.success:
            raise Stalled(
                f"the Armijo line search found no decrease in {self.max_backtracks} halvings"
            )
        return Iterate(found.x, found.fun, found.grad)
