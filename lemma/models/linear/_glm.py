"""Fitting machinery shared by the generalised linear models (logistic, Poisson).

A GLM here minimises ``F(x) = f(x) + h(β)`` over ``x = (β, b)``: ``f`` the weighted
mean loss of the linear predictor (:class:`lemma.losses.LinearModelObjective`), ``h``
the penalty on the slopes (the intercepts b are never penalised). ``solver`` names a
method of :func:`lemma.optim.minimize` through :data:`SOLVERS`; a smooth penalty is
added to ``f``, a non-smooth one (L1, elastic net) goes to a proximal method.
``"lbfgs+newton"`` runs L-BFGS for a few iterations and hands over to Newton if it
has not converged: cheap steps for well-conditioned problems, one Hessian per step
(quadratic convergence) for ill-conditioned ones.

**Proximal Newton** (``solver="newton"`` with an L1 part; glmnet's algorithm). At
``x_k`` with ``g = ∇f(x_k)`` and ``H = ∇²f(x_k)`` the quadratic model of f is
``q(x) = ½xᵀHx − cᵀx + const``, ``c = Hx_k − g``. The intercepts are unpenalised,
so q is first minimised over b, ``b(β) = H_bb⁻¹(c_b − H_bβ β)``, which leaves::

    ½βᵀGβ − c̃ᵀβ + l1‖β‖₁ + (l2/2)‖β‖²,   G = H_ββ − H_βb H_bb⁻¹ H_bβ,
                                          c̃ = c_β − H_βb H_bb⁻¹ c_b

(a Schur complement), minimised by coordinate descent on G
(:func:`lemma.optim.coordinate.enet_gram_cd`, O(p) per update). For the logistic
loss ``H = Zᵀdiag(hᵢ)Z`` with ``hᵢ = wᵢpᵢ(1 − pᵢ)/Σw``: the subproblem is a weighted
lasso on the IRLS working response. The step ``x_k + t·d`` (``d = x̂ − x_k``) takes
``t = 1, ½, ¼, …`` until ``F(x_k + td) ≤ F(x_k) + σtΔ`` with
``Δ = gᵀd + h(β̂) − h(β_k) < 0`` and ``σ = 10⁻⁴``. The run stops when the minimum-norm
subgradient of F, ``max_j dist(0, ∂ⱼF(x))``, is at most ``tol``.

**Inference.** For an unpenalised fit, the Fisher information of the linear
predictor's parameters is ``I = Zᵀ diag(vᵢ) Z`` (``Z = [1, X]``, ``vᵢ = wᵢ·Var(yᵢ)``,
intercept first, as :class:`lemma.stats.inference.GLMResults` expects), and
``Var θ̂ ≈ I⁻¹``.

Reference: Friedman, Hastie & Tibshirani, "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1), 2010, §3; Lee, Sun &
Saunders, "Proximal Newton-type methods for minimizing composite functions", SIAM J.
Optim. 24(3), 2014.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla

from lemma.exceptions import ParameterError
from lemma.losses import LinearModelObjective
from lemma.optim import OptimizeResult, minimize
from lemma.optim._driver import Iterate, Method, Stalled, run, warn_unconverged
from lemma.optim._objective import CountedObjective
from lemma.optim.coordinate import enet_gram_cd
from lemma.penalties import L1, ElasticNet, NoPenalty, Penalty
from lemma.stats.inference.summary import Summary

__all__ = [
    "HESSIAN_BLOCK_ROWS",
    "LBFGS_FIRST_ITER",
    "NEWTON_MAX_PARAMS",
    "SOLVERS",
    "FreeParameters",
    "GLMObjective",
    "ProximalNewton",
    "choose_solver",
    "covariance",
    "design_information",
    "fit_glm",
    "penalised_summary",
]

#: "auto" uses (proximal) Newton up to this many parameters: a Hessian costs n·p² per step.
NEWTON_MAX_PARAMS = 200
#: L-BFGS iterations "lbfgs+newton" allows before switching to Newton.
LBFGS_FIRST_ITER = 15
#: Rows per block when accumulating a Hessian (keeps the scaled copy of X small).
HESSIAN_BLOCK_ROWS = 8192
#: Relative change of F treated as rounding by the proximal-Newton line search.
_ROUNDING = 100 * np.finfo(float).eps


def choose_solver(solver: str, *, smooth: bool, n_params: int) -> str:
    """The solver ``"auto"`` stands for (any other name is returned unchanged).

    Up to :data:`NEWTON_MAX_PARAMS` parameters: ``"lbfgs+newton"`` for a smooth
    penalty (L-BFGS's cheap steps finish well-conditioned problems in a few
    iterations; on ill-conditioned ones, where L-BFGS needs hundreds, Newton takes
    over after :data:`LBFGS_FIRST_ITER` and converges in a handful) and proximal
    Newton for an L1 part. Beyond: L-BFGS, or FISTA for an L1 part.
    """
    if solver != "auto":
        return solver
    if n_params <= NEWTON_MAX_PARAMS:
        return "lbfgs+newton" if smooth else "newton"
    return "lbfgs" if smooth else "fista"


def _strengths(penalty: Penalty) -> tuple[float, float]:
    """``(l1, l2)`` of an L1 or elastic-net penalty ``l1‖β‖₁ + (l2/2)‖β‖²``."""
    if isinstance(penalty, ElasticNet):
        smooth, lasso = penalty.split()
        return lasso.alpha, smooth.alpha
    if isinstance(penalty, L1):
        return penalty.alpha, 0.0
    raise ParameterError(f"Proximal Newton handles L1 and elastic-net penalties; got {penalty!r}.")


def _smooth(method: str, objective: Any, penalty: Penalty, x0: np.ndarray, n_penalised: int,
            **run_options: Any) -> OptimizeResult:  # fmt: skip
    """A smooth method of :func:`lemma.optim.minimize`, the penalty added to f."""
    if not penalty.is_smooth:
        raise ParameterError(
            f"{run_options['owner']}: solver={method!r} needs a smooth objective, but "
            f"penalty={penalty!r} has an L1 part. Use solver='newton' (proximal Newton), "
            "'fista' or 'proximal'."
        )
    if isinstance(penalty, NoPenalty):
        return minimize(objective, x0, method=method, **run_options)
    return minimize(objective, x0, method=method, penalty=penalty, penalty_size=n_penalised,
                    **run_options)  # fmt: skip


def _proximal(method: str, objective: Any, penalty: Penalty, x0: np.ndarray, n_penalised: int,
              **run_options: Any) -> OptimizeResult:  # fmt: skip
    """A proximal method of :func:`lemma.optim.minimize`, the penalty by its prox."""
    return minimize(objective, x0, method=method, penalty=penalty, penalty_size=n_penalised,
                    **run_options)  # fmt: skip


def _newton(method: str, objective: Any, penalty: Penalty, x0: np.ndarray, n_penalised: int,
            **run_options: Any) -> OptimizeResult:  # fmt: skip
    """Newton (= IRLS) for a smooth penalty, proximal Newton for an L1 part."""
    if penalty.is_smooth:
        return _smooth("newton", objective, penalty, x0, n_penalised, **run_options)
    counted = CountedObjective(objective)
    l1, l2 = _strengths(penalty)
    rule = ProximalNewton(counted, l1=l1, l2=l2, n_penalised=n_penalised, tol=run_options["tol"])
    return run(rule, x0, n_fev=lambda: counted.n_fev, **run_options)


def _lbfgs_then_newton(method: str, objective: Any, penalty: Penalty, x0: np.ndarray,
                       n_penalised: int, **run_options: Any) -> OptimizeResult:  # fmt: skip
    """L-BFGS for up to :data:`LBFGS_FIRST_ITER` iterations, then Newton from there.

    The result's history and counts run through both phases.
    """
    if not penalty.is_smooth:
        return _newton("newton", objective, penalty, x0, n_penalised, **run_options)
    max_iter = run_options["max_iter"]
    first_options = {**run_options, "max_iter": min(LBFGS_FIRST_ITER, max_iter), "warn": False}
    first = _smooth("lbfgs", objective, penalty, x0, n_penalised, **first_options)
    if first.converged or first.n_iter >= max_iter:
        if not first.converged and run_options["warn"]:
            warn_unconverged("lbfgs", run_options["owner"], max_iter, first.message, stacklevel=4)
        return first
    second_options = {**run_options, "max_iter": max_iter - first.n_iter}
    second = _smooth("newton", objective, penalty, first.x, n_penalised, **second_options)
    return OptimizeResult(
        x=second.x,
        fun=second.fun,
        grad_norm=second.grad_norm,
        n_iter=first.n_iter + second.n_iter,
        n_fev=first.n_fev + second.n_fev,
        converged=second.converged,
        message=second.message,
        history=np.concatenate([first.history, second.history[1:]]),
    )


#: solver name -> routine(method, objective, penalty, x0, n_penalised, **run options).
SOLVERS: dict[str, Any] = {
    "newton": _newton,
    "lbfgs": _smooth,
    "gd": _smooth,
    "fista": _proximal,
    "proximal": _proximal,
    "lbfgs+newton": _lbfgs_then_newton,
}


def fit_glm(
    objective: Any,
    penalty: Penalty,
    x0: np.ndarray,
    *,
    solver: str,
    n_penalised: int,
    tol: float,
    max_iter: int,
    owner: str,
    warn: bool = True,
) -> OptimizeResult:
    """Minimise ``objective(x) + penalty(x[:n_penalised])`` with the named solver.

    Parameters
    ----------
    objective : object with ``value_and_gradient`` and ``hessian``
        The smooth mean loss (no penalty inside).
    penalty : Penalty
        Applied to the first ``n_penalised`` entries of x.
    x0 : ndarray of shape (n_params,)
    solver : str
        A key of :data:`SOLVERS` (``"auto"`` resolved by :func:`choose_solver`).
    n_penalised : int
    tol, max_iter, owner, warn
        As in :func:`lemma.optim.minimize`.

    Returns
    -------
    OptimizeResult
    """
    routine = SOLVERS[solver]
    return routine(solver, objective, penalty, x0, n_penalised, tol=tol, max_iter=max_iter,
                   owner=owner, warn=warn)  # fmt: skip


class ProximalNewton(Method):
    """Proximal Newton for ``f(x) + l1‖β‖₁ + (l2/2)‖β‖²`` (see the module docstring).

    Parameters
    ----------
    objective : object with ``value_and_gradient(x)`` and ``hessian(x)``
        The smooth part f.
    l1, l2 : float
        Penalty strengths on ``β = x[:n_penalised]``.
    n_penalised : int
        Leading entries of x that are penalised; the rest (intercepts) are free.
    tol : float
        The outer tolerance; the inner coordinate descent stops at
        ``max(tol/10, min(0.1, m)·m)`` with m the current subgradient norm
        (a forcing sequence: inexact far away, exact near the solution).
    max_backtracks : int, default=50
        Halvings allowed per line search.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import as_objective
    >>> from lemma.optim._driver import run
    >>> A = np.array([[2.0, 0.5], [0.5, 1.0]]); c = np.array([2.0, 0.2])
    >>> smooth = as_objective(lambda x: (0.5 * x @ A @ x - c @ x, A @ x - c), hess=lambda x: A)
    >>> method = ProximalNewton(smooth, l1=0.3, l2=0.0, n_penalised=2, tol=1e-10)
    >>> result = run(method, np.zeros(2), tol=1e-10, max_iter=20)
    >>> result.x.round(6), result.converged
    (array([0.85, 0.  ]), True)
    """

    name = "proximal newton"
    measure_name = "subgradient norm"

    def __init__(
        self,
        objective: Any,
        *,
        l1: float,
        l2: float,
        n_penalised: int,
        tol: float,
        max_backtracks: int = 50,
    ) -> None:
        super().__init__(objective)
        self.hessian = objective.hessian
        self.l1, self.l2 = float(l1), float(l2)
        self.m = int(n_penalised)
        self.tol = float(tol)
        self.max_backtracks = max_backtracks

    def penalty(self, x: np.ndarray) -> float:
        """``h(β) = l1‖β‖₁ + (l2/2)‖β‖²``."""
        beta = x[: self.m]
        return self.l1 * float(np.abs(beta).sum()) + 0.5 * self.l2 * float(beta @ beta)

    def init(self, x0: np.ndarray) -> Iterate:
        f, g = self.objective.value_and_gradient(x0)
        return Iterate(x0, f + self.penalty(x0), g)

    def measure(self, it: Iterate) -> float:
        """``max_j dist(0, ∂ⱼF(x))``: the minimum-norm subgradient of F."""
        beta = it.x[: self.m]
        v = it.grad[: self.m] + self.l2 * beta
        at_zero = np.maximum(np.abs(v) - self.l1, 0.0)
        off_zero = np.abs(v + self.l1 * np.sign(beta))
        worst = np.where(beta == 0, at_zero, off_zero)
        rest = np.abs(it.grad[self.m :])
        return float(max(worst.max(initial=0.0), rest.max(initial=0.0)))

    def _subproblem(self, it: Iterate, inner_tol: float) -> np.ndarray:
        """The minimiser x̂ of the quadratic model plus the penalty."""
        m = self.m
        H = np.asarray(self.hessian(it.x), dtype=np.float64)
        c = H @ it.x - it.grad
        if H.shape[0] == m:
            G, c_tilde, back, c_b = H, c, None, None
        else:
            H_bb, H_bbeta = H[m:, m:], H[m:, :m]
            solved = _solve_psd(H_bb, np.column_stack([H_bbeta, c[m:]]))
            back, c_b = solved[:, :m], solved[:, m]
            G = H[:m, :m] - H_bbeta.T @ back
            c_tilde = c[:m] - H_bbeta.T @ c_b
        inner, _ = enet_gram_cd(0.5 * (G + G.T), c_tilde, self.l1, self.l2, it.x[:m],
                                tol=inner_tol, max_iter=10_000, warn=False)  # fmt: skip
        beta = inner.x
        if back is None:
            return beta
        return np.concatenate([beta, c_b - back @ beta])

    def step(self, it: Iterate) -> Iterate:
        measure = self.measure(it)
        target = self._subproblem(it, max(0.1 * self.tol, min(0.1, measure) * measure))
        d = target - it.x
        decrease = float(it.grad @ d) + self.penalty(target) - self.penalty(it.x)
        t = 1.0
        for _ in range(self.max_backtracks):
            x = it.x + t * d
            f, g = self.objective.value_and_gradient(x)
            total = f + self.penalty(x)
            slack = _ROUNDING * max(abs(it.fun), np.finfo(float).tiny)
            if np.isfinite(total) and total <= it.fun + 1e-4 * t * min(decrease, 0.0) + slack:
                return Iterate(x, total, g)
            t *= 0.5
        raise Stalled(f"the line search found no decrease in {self.max_backtracks} halvings")


def _solve_psd(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A⁻¹B`` for a small symmetric positive semi-definite A (least squares if singular)."""
    try:
        return sla.solve(A, B, assume_a="pos")
    except (sla.LinAlgError, ValueError):
        return np.linalg.lstsq(A, B, rcond=None)[0]


class GLMObjective(LinearModelObjective):
    """:class:`~lemma.losses.LinearModelObjective` with a faster Hessian for one output.

    For a loss with ``ℓ'' ≥ 0`` (logistic, Poisson) the slope block
    ``Xᵀ diag(h) X = AᵀA`` with ``A = diag(√h) X`` is a symmetric rank-k update
    (half the flops of a general product), accumulated over blocks of
    :data:`HESSIAN_BLOCK_ROWS` rows so no n × p copy of X is made. Everything
    else is inherited.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.losses import LinearModelObjective, LogisticLoss
    >>> X = np.array([[1.0, 2.0], [2.0, 0.0], [1.0, 1.0]]); y = np.array([0.0, 1.0, 1.0])
    >>> x = np.array([0.3, -0.2, 0.1])
    >>> fast = GLMObjective(LogisticLoss(), X, y).hessian(x)
    >>> bool(np.allclose(fast, LinearModelObjective(LogisticLoss(), X, y).hessian(x)))
    True
    """

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """``∇²f(x)``, dense (n_params, n_params) float64."""
        if self.n_outputs > 1:
            return super().hessian(x)
        x = np.asarray(x)
        h = self.loss.hessian(self.y, self._raw(x), self.sample_weight)
        if self.scale != 1.0:
            h *= self.scale
        root = np.sqrt(np.maximum(h, 0))
        d = self.n_features
        H = np.zeros((self.n_params, self.n_params))
        for start in range(0, self.n_samples, HESSIAN_BLOCK_ROWS):
            rows = slice(start, start + HESSIAN_BLOCK_ROWS)
            A = self.X[rows] * root[rows, None]
            H[:d, :d] += A.T @ A
        if self.fit_intercept:
            cross = np.asarray(h @ self.X, dtype=np.float64)
            H[:d, d] = cross
            H[d, :d] = cross
            H[d, d] = float(h.sum())
        if not isinstance(self.penalty, NoPenalty):
            H[np.arange(d), np.arange(d)] += self.penalty.hessian_diag(x[:d])
        return H


class FreeParameters:
    """An objective as a function of some entries of its parameters, the others held at 0.

    Used for the multinomial model, whose softmax is unchanged by a common shift of
    the classes' linear predictors: fixing the reference class's intercept (and, for
    an unpenalised fit, its slopes) at 0 makes the minimiser unique and the Hessian
    non-singular without changing the fitted probabilities.

    Parameters
    ----------
    objective : LinearModelObjective
    free : ndarray of bool, shape (objective.n_params,)
        Which entries are parameters; the order of x is kept.
    """

    def __init__(self, objective: Any, free: np.ndarray) -> None:
        self.objective = objective
        self.free = np.asarray(free, dtype=bool)
        self.n_params = int(self.free.sum())

    @property
    def n_fev(self) -> int:
        return self.objective.n_fev

    def embed(self, theta: np.ndarray) -> np.ndarray:
        """The full parameter vector with ``theta`` in the free entries."""
        x = np.zeros(self.free.size)
        x[self.free] = theta
        return x

    def value(self, theta: np.ndarray) -> float:
        return self.objective.value(self.embed(theta))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.objective.gradient(self.embed(theta))[self.free]

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = self.objective.value_and_gradient(self.embed(theta))
        return f, g[self.free]

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        H = self.objective.hessian(self.embed(theta))
        return H[np.ix_(self.free, self.free)]


# ------------------------------------------------------------------------------ inference
def design_information(
    X: np.ndarray, v: np.ndarray, fit_intercept: bool, chunk_rows: int = 65536
) -> np.ndarray:
    """``Zᵀ diag(v) Z`` with ``Z = [1, X]`` (intercept first) or ``Z = X``, float64.

    Accumulated over row blocks, so no copy of X is held.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    v : ndarray of shape (n,)
        Per-row information weights ``wᵢ·Var(yᵢ)``.
    fit_intercept : bool

    Returns
    -------
    ndarray of shape (d + fit_intercept, d + fit_intercept)
    """
    n, d = X.shape
    q = d + int(fit_intercept)
    info = np.zeros((q, q))
    for start in range(0, n, chunk_rows):
        block = np.asarray(X[start : start + chunk_rows], dtype=np.float64)
        if fit_intercept:
            block = np.column_stack([np.ones(block.shape[0]), block])
        info += block.T @ (block * v[start : start + chunk_rows, None])
    return info


def covariance(info: np.ndarray, rcond: float = 1e-12) -> np.ndarray:
    """``I⁻¹``, or a matrix of ``inf`` when I is numerically singular.

    Singularity is judged on the correlation form ``D^{-½} I D^{-½}`` (D the
    diagonal), so the units of the features do not matter.
    """
    diag = np.diag(info)
    if diag.size == 0 or np.any(diag <= 0) or not np.all(np.isfinite(info)):
        return np.full(info.shape, np.inf)
    scale = 1.0 / np.sqrt(diag)
    corr = info * scale[:, None] * scale[None, :]
    eig = np.linalg.eigvalsh(corr)
    if eig[0] <= rcond * eig[-1]:
        return np.full(info.shape, np.inf)
    inv = sla.cho_solve(sla.cho_factor(corr), np.eye(diag.size))
    return inv * scale[:, None] * scale[None, :]


def penalised_summary(
    title: str,
    rows: list[str],
    values: np.ndarray,
    columns: list[str],
    info: list[tuple[str, object]],
    penalty_text: str,
    refit_with: str,
) -> Summary:
    """Coefficients only, with the note that inference after a penalty is not valid."""
    table = pd.DataFrame(np.asarray(values, dtype=np.float64), index=rows, columns=columns)
    note = (
        f"Penalised fit: the {penalty_text} shrinks the coefficients towards 0, so classical "
        "standard errors, z statistics and p-values would be misleading and are not shown. "
        f"For inference refit with {refit_with}, or bootstrap the whole fit."
    )
    return Summary(title, info, table, [note])
