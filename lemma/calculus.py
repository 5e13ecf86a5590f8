"""Finite differences: check an analytic gradient or Hessian against the definition.

For a function ``f : ℝⁿ → ℝ`` and a step ``hᵢ`` along the unit vector ``eᵢ``, the
central difference

    ∂f/∂xᵢ ≈ (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / (2hᵢ)

has truncation error ``hᵢ²·f'''/6`` and rounding error ``≈ ε_mach·|f| / hᵢ``; the two
balance at ``hᵢ ≈ ε_mach^{1/3}·max(1, |xᵢ|)`` (≈ 6·10⁻⁶ in float64), which leaves
about two thirds of the digits, ample to tell a right gradient (relative error
~10⁻¹⁰) from a wrong one (~1). A Hessian is the central difference of the
gradient, column by column, symmetrised as ``(H + Hᵀ)/2``; from function values
alone it is the second difference

    ∂²f/∂xᵢ∂xⱼ ≈ (f(x+hᵢeᵢ+hⱼeⱼ) − f(x+hᵢeᵢ−hⱼeⱼ) − f(x−hᵢeᵢ+hⱼeⱼ) + f(x−hᵢeᵢ−hⱼeⱼ))
                 / (4hᵢhⱼ)

with the larger step ``ε_mach^{1/4}·max(1, |xᵢ|)``. The agreement is summarised by
the relative error ``‖g_analytic − g_numerical‖₂ / max(‖g_analytic‖₂,
‖g_numerical‖₂, tiny)``.

Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, §8.1
(finite-difference derivative approximations and their step sizes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "GradientCheck",
    "check_grad",
    "check_hessian",
    "numerical_gradient",
    "numerical_hessian",
]

_EPS = np.finfo(np.float64).eps
_TINY = np.finfo(np.float64).tiny


def _steps(x: np.ndarray, eps: float | None, power: float) -> np.ndarray:
    """Steps ``ε^power·max(1, |xᵢ|)`` (or ``eps·max(1, |xᵢ|)``), exactly representable."""
    base = _EPS**power if eps is None else float(eps)
    h = base * np.maximum(1.0, np.abs(x))
    # (x + h) − x is the step actually taken in floating point; use it in the quotient.
    return (x + h) - x


def numerical_gradient(
    fun: Callable[[np.ndarray], float], x: np.ndarray, eps: float | None = None
) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``; called with arrays of ``x``'s shape.
    x : array-like of any shape
        Point of evaluation; computed in float64.
    eps : float, optional
        Relative step; default ``ε_mach^{1/3}`` (≈ 6.1e-6), scaled by ``max(1, |xᵢ|)``.

    Returns
    -------
    grad : ndarray of x's shape

    Examples
    --------
    >>> import numpy as np
    >>> g = numerical_gradient(lambda x: np.sum(x**3), np.array([1.0, 2.0]))
    >>> print(np.round(g, 6))
    [ 3. 12.]
    """
    x = np.array(x, dtype=np.float64)
    shape = x.shape
    flat = x.ravel()
    h = _steps(flat, eps, 1.0 / 3.0)
    grad = np.empty_like(flat)
    point = flat.copy()
    for i in range(flat.size):
        point[i] = flat[i] + h[i]
        f_plus = float(fun(point.reshape(shape)))
        point[i] = flat[i] - h[i]
        f_minus = float(fun(point.reshape(shape)))
        point[i] = flat[i]
        grad[i] = (f_plus - f_minus) / (2.0 * h[i])
    return grad.reshape(shape)


def _hessian_from_gradient(
    grad: Callable[[np.ndarray], np.ndarray], flat: np.ndarray, shape: tuple, eps: float | None
) -> np.ndarray:
    h = _steps(flat, eps, 1.0 / 3.0)
    hess = np.empty((flat.size, flat.size))
    point = flat.copy()
    for j in range(flat.size):
        point[j] = flat[j] + h[j]
        g_plus = np.asarray(grad(point.reshape(shape)), dtype=np.float64).ravel()
        point[j] = flat[j] - h[j]
        g_minus = np.asarray(grad(point.reshape(shape)), dtype=np.float64).ravel()
        point[j] = flat[j]
        hess[:, j] = (g_plus - g_minus) / (2.0 * h[j])
    return hess


def _hessian_from_values(
    fun: Callable[[np.ndarray], float], flat: np.ndarray, shape: tuple, eps: float | None
) -> np.ndarray:
    h = _steps(flat, eps, 0.25)
    n = flat.size
    hess = np.empty((n, n))
    point = flat.copy()

    def at(i: int, si: float, j: int, sj: float) -> float:
        point[i] += si * h[i]
        point[j] += sj * h[j]
        value = float(fun(point.reshape(shape)))
        point[i] = flat[i]
        point[j] = flat[j]
        return value

    for i in range(n):
        for j in range(i, n):
            if i == j:
                # Second difference with step 2hᵢ in the same stencil family as below.
                point[i] = flat[i] + 2 * h[i]
                f_pp = float(fun(point.reshape(shape)))
                point[i] = flat[i] - 2 * h[i]
                f_mm = float(fun(point.reshape(shape)))
                point[i] = flat[i]
                f_0 = float(fun(point.reshape(shape)))
                hess[i, i] = (f_pp - 2.0 * f_0 + f_mm) / (4.0 * h[i] * h[i])
            else:
                num = at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)
                hess[i, j] = hess[j, i] = num / (4.0 * h[i] * h[j])
    return hess


def numerical_hessian(
    fun_or_grad: Callable[[np.ndarray], float | np.ndarray],
    x: np.ndarray,
    eps: float | None = None,
    from_gradient: bool = True,
) -> np.ndarray:
    """Finite-difference Hessian, symmetrised.

    Parameters
    ----------
    fun_or_grad : callable
        The gradient ``grad(x) -> array of x's shape`` when ``from_gradient`` (central
        differences of the gradient, ``2n`` calls), else the function ``fun(x) ->
        float`` (second differences, ``O(n²)`` calls, fewer correct digits).
    x : array-like of any shape
        Point of evaluation, ``n = x.size`` entries; computed in float64.
    eps : float, optional
        Relative step; default ``ε_mach^{1/3}`` from the gradient, ``ε_mach^{1/4}``
        from values.
    from_gradient : bool, default=True
        Which of the two kinds of callable ``fun_or_grad`` is.

    Returns
    -------
    hessian : ndarray of shape (n, n)
        Rows and columns follow ``x.ravel()``; ``(H + Hᵀ)/2``.

    Examples
    --------
    >>> import numpy as np
    >>> H = numerical_hessian(lambda x: np.array([2 * x[0] * x[1], x[0] ** 2]), [1.0, 3.0])
    >>> print(np.round(H, 6))
    [[6. 2.]
     [2. 0.]]
    >>> H = numerical_hessian(lambda x: x[0] ** 2 * x[1], [1.0, 3.0], from_gradient=False)
    >>> print(np.round(H, 4))
    [[6. 2.]
     [2. 0.]]
    """
    x = np.array(x, dtype=np.float64)
    flat = x.ravel()
    if from_gradient:
        hess = _hessian_from_gradient(fun_or_grad, flat, x.shape, eps)
    else:
        hess = _hessian_from_values(fun_or_grad, flat, x.shape, eps)
    return 0.5 * (hess + hess.T)


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """The agreement between an analytic derivative and its finite-difference estimate.

    Attributes
    ----------
    rel_error : float
        ``‖analytic − numerical‖₂ / max(‖analytic‖₂, ‖numerical‖₂, tiny)``.
    abs_error : float
        ``‖analytic − numerical‖₂`` (Frobenius norm for a Hessian).
    analytic : ndarray
        The derivative as computed by the code under test.
    numerical : ndarray
        The finite-difference estimate, same shape.

    Examples
    --------
    >>> import numpy as np
    >>> result = check_grad(lambda x: x @ x, lambda x: 2 * x, np.ones(3))
    >>> result.passed()
    True
    """

    rel_error: float
    abs_error: float
    analytic: np.ndarray
    numerical: np.ndarray

    def passed(self, tol: float = 1e-6) -> bool:
        """Whether the relative error is at most ``tol``."""
        return bool(self.rel_error <= tol)

    def __repr__(self) -> str:
        return f"GradientCheck(rel_error={self.rel_error:.3g}, abs_error={self.abs_error:.3g})"


def _compare(analytic: np.ndarray, numerical: np.ndarray) -> GradientCheck:
    abs_error = float(np.linalg.norm((analytic - numerical).ravel()))
    scale = max(
        float(np.linalg.norm(analytic.ravel())), float(np.linalg.norm(numerical.ravel())), _TINY
    )
    return GradientCheck(abs_error / scale, abs_error, analytic, numerical)


def check_grad(
    fun: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    eps: float | None = None,
) -> GradientCheck:
    """Compare ``grad(x)`` with the central-difference gradient of ``fun`` at ``x``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``.
    grad : callable
        ``grad(x) -> array of x's shape``, the analytic gradient under test.
    x : array-like of any shape
        Point of evaluation (float64).
    eps : float, optional
        Relative finite-difference step (see :func:`numerical_gradient`).

    Returns
    -------
    GradientCheck
        ``analytic`` and ``numerical`` in x's shape.

    Examples
    --------
    >>> import numpy as np
    >>> fun = lambda x: np.sum(np.sin(x))
    >>> check_grad(fun, np.cos, np.array([0.1, 0.7])).passed()
    True
    >>> check_grad(fun, np.sin, np.array([0.1, 0.7])).rel_error > 0.5
    True
    """
    x = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad(x.copy()), dtype=np.float64).reshape(x.shape)
    numerical = numerical_gradient(fun, x, eps)
    return _compare(analytic, numerical)


def check_hessian(
    grad: Callable[[np.ndarray], np.ndarray],
    hess: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    eps: float | None = None,
) -> GradientCheck:
    """Compare ``hess(x)`` with the central-difference Jacobian of ``grad`` at ``x``.

    Parameters
    ----------
    grad : callable
        ``grad(x) -> array of x's shape``.
    hess : callable
        ``hess(x) -> array with n² entries`` (``n = x.size``), read as an (n, n)
        matrix over ``x.ravel()``.
    x : array-like of any shape
        Point of evaluation (float64).
    eps : float, optional
        Relative finite-difference step (see :func:`numerical_hessian`).

    Returns
    -------
    GradientCheck
        ``analytic`` and ``numerical`` of shape (n, n).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> check_hessian(lambda x: A @ x, lambda x: A, np.ones(2)).passed()
    True
    """
    x = np.array(x, dtype=np.float64)
    n = x.size
    analytic = np.asarray(hess(x.copy()), dtype=np.float64).reshape(n, n)
    numerical = numerical_hessian(grad, x, eps, from_gradient=True)
    return _compare(analytic, numerical)
