"""Coordinate descent for the elastic net: least squares with an L1 and an L2 penalty.

Problem (scikit-learn's scaling; the rows ``x̃ᵢ = xᵢ − m`` are centred by the caller's
offset ``m``, ``Σw = Σᵢ wᵢ``; an intercept is handled by the model through centring)::

    P(β) = 1/(2Σw) Σᵢ wᵢ (yᵢ − x̃ᵢᵀβ)²  +  l1 ‖β‖₁  +  (l2/2) ‖β‖²

with ``l1 = αρ`` and ``l2 = α(1 − ρ)`` for an elastic net of strength α and mixing ρ.

**Coordinate-wise minimiser.** With every coefficient but βⱼ held fixed, P is a
parabola in βⱼ plus ``l1|βⱼ|``, minimised by soft-thresholding::

    zⱼ = x̃ⱼᵀ W r / Σw + dⱼ βⱼ        (correlation with the partial residual r + x̃ⱼβⱼ)
    βⱼ ← S(zⱼ, l1) / (dⱼ + l2),      dⱼ = ‖x̃ⱼ‖²_w / Σw,   r = y − X̃β
    S(z, t) = sign(z) · max(|z| − t, 0)      (max(z − t, 0) when β ≥ 0 is imposed)

A sweep updates j = 1, …, p in turn (``selection="random"``: in a fresh random order
each sweep). No update increases P, so the objective history never increases. The
same update has two forms:

* **residual form** keeps ``r``; one update costs O(n) (a dot product and an axpy
  over a column of X, read in Fortran order);
* **Gram form** keeps ``G = X̃ᵀWX̃/Σw``, ``c = X̃ᵀWy/Σw`` and ``Gβ``, with
  ``zⱼ = cⱼ − (Gβ)ⱼ + Gⱼⱼβⱼ``; one update costs O(p), after O(np²) once to build G by
  :func:`lemma.linalg.weighted_gram` (row blocks, no copy of X).
  ``precompute="auto"`` takes the Gram form when ``n > 2p`` and
  ``p ≤ GRAM_MAX_FEATURES``: building G is then one BLAS-3 pass over X, cheaper
  than a few memory-bound residual sweeps, and every later sweep no longer reads X.

**Stopping: the duality gap** (scikit-learn's ``enet_coordinate_descent``; Fercoq,
Gramfort & Salmon 2015). With ``‖r‖² = rᵀWr/Σw``, ``ν = ‖X̃ᵀWr/Σw − l2β‖∞`` and the
dual point ``θ = s·r``, ``s = min(1, l1/ν)``::

    P(β) = ½(‖r‖² + l2‖β‖²) + l1‖β‖₁
    D(θ) = −½ s² (‖r‖² + l2‖β‖²) + s · rᵀWy/Σw
    gap  = P(β) − D(θ)  ≥  P(β) − min P  ≥ 0,   and gap = 0 at the solution.

After a sweep whose largest change ``max|Δβⱼ|`` is at most ``tol·max|βⱼ|`` the gap is
computed, and the run stops when ``gap ≤ tol·‖y‖²_w/Σw`` (the gap of β = 0 is at most
½‖y‖²_w/Σw). At the same ``tol`` this stops where scikit-learn's solver does. Without
an L1 part (l1 = 0, l2 > 0) the gap of the dual ``D(r) = −½‖r‖² + rᵀWy/Σw −
‖X̃ᵀWr/Σw‖²/(2 l2)`` is used; with no penalty at all, ``‖X̃ᵀWr/Σw‖²``.

Each gap also screens: a coordinate whose correlation with the dual point stays
below l1 over the whole ball of radius ``√(2·gap)`` around it is zero at the
solution, so it is set to 0 and left out of later sweeps (gap safe rules, Ndiaye et
al. 2017, as in scikit-learn). This changes no solution; it makes sweeps of wide
problems cheaper.

Reference: Friedman, Hastie & Tibshirani, "Regularization paths for generalized linear
models via coordinate descent", *Journal of Statistical Software* 33(1), 2010.

Examples
--------
>>> import numpy as np
>>> from lemma.optim.coordinate import enet_coordinate_descent
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
>>> y = np.array([1.0, 0.3, 1.2, 2.5])
>>> result, gap = enet_coordinate_descent(X, y, l1=0.1, l2=0.0, tol=1e-10)
>>> result.x.round(4), result.converged, len(result.history) == result.n_iter + 1
(array([1.0667, 0.1333]), True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options, validate_params
from lemma.exceptions import DataValidationError
from lemma.linalg import weighted_gram
from lemma.optim._driver import warn_unconverged
from lemma.optim._result import OptimizationError, OptimizeResult
from lemma.validation import check_random_state

__all__ = [
    "GRAM_MAX_FEATURES",
    "ElasticNetProblem",
    "GramProblem",
    "ResidualProblem",
    "enet_coordinate_descent",
    "enet_gram_cd",
    "enet_problem",
]

#: Largest number of features for which ``precompute="auto"`` builds the Gram matrix.
GRAM_MAX_FEATURES = 1000

_SOLVE_OPTIONS = {
    "l1": [Interval(float, 0, None, closed="left")],
    "l2": [Interval(float, 0, None, closed="left")],
    "tol": [Interval(float, 0, None, closed="left")],
    "max_iter": [Interval(int, 1, None)],
    "positive": [BOOL],
    "selection": [Options({"cyclic", "random"})],
    "random_state": [RANDOM_STATE],
    "warn": [BOOL],
    "owner": [None, str],
}


# ------------------------------------------------------------------------ Numba kernels
#: Floating-point freedom for long sums over rows: reassociation lets LLVM vectorise
#: them (as BLAS does); no assumptions about NaN or infinity are made.
_SUMS = {"reassoc", "contract"}


@njit(cache=True)
def _threshold(z, l1, positive):
    """S(z, l1): the minimiser of ½(b − z)² + l1|b| (over b ≥ 0 if positive)."""
    if z > l1:
        return z - l1
    if z < -l1 and not positive:
        return z + l1
    return 0.0


@njit(cache=True)
def _order(active, rng, shuffle):
    """Coordinates of one sweep: the active ones in order, or randomly permuted."""
    if shuffle:
        return rng.permutation(active)
    return active


@njit(cache=True)
def _gap(r2, ry, l1_norm, l2_norm2, nu, xtr2, l1, l2):
    """Duality gap from the residual's norms (see the module docstring)."""
    if l1 > 0.0:
        s = l1 / nu if nu > l1 else 1.0
        quad = r2 + l2 * l2_norm2
        return 0.5 * quad + l1 * l1_norm - (-0.5 * s * s * quad + s * ry)
    if l2 > 0.0:
        return r2 + 0.5 * l2 * l2_norm2 - ry + xtr2 / (2.0 * l2)
    return xtr2


@njit(cache=True)
def _violation(grad, b, l1, positive):
    """Distance from 0 to the subdifferential of P along one coordinate."""
    if b > 0.0:
        return abs(grad + l1)
    if b < 0.0:
        return abs(grad - l1)
    if positive:
        return max(-grad - l1, 0.0)
    return max(abs(grad) - l1, 0.0)


@njit(cache=True)
def _dual_terms(xtr, beta, l1, l2, positive):
    """From X̃ᵀWr/Σw: ν, ‖X̃ᵀWr/Σw‖², ‖β‖₁, ‖β‖² and the stationarity measure."""
    nu = -np.inf
    xtr2 = 0.0
    l1_norm = 0.0
    l2_norm2 = 0.0
    grad_norm = 0.0
    for j in range(beta.shape[0]):
        b = beta[j]
        a = xtr[j] - l2 * b
        nu = max(nu, a if positive else abs(a))
        xtr2 += xtr[j] * xtr[j]
        l1_norm += abs(b)
        l2_norm2 += b * b
        grad_norm = max(grad_norm, _violation(-a, b, l1, positive))
    return nu, xtr2, l1_norm, l2_norm2, grad_norm


@njit(cache=True)
def _gram_primal(c, y2, beta, gb, l1, l2):
    """P(β) = ½(y2 − 2cᵀβ + βᵀGβ) + l1‖β‖₁ + (l2/2)‖β‖², from Gβ in O(p)."""
    value = 0.5 * y2
    for j in range(beta.shape[0]):
        b = beta[j]
        value += b * (0.5 * gb[j] - c[j]) + l1 * abs(b) + 0.5 * l2 * b * b
    return value


@njit(cache=True)
def _gram_sweeps(
    G, c, y2, beta, gb, l1, l2, positive, tol, max_sweeps, active, rng, shuffle, history
):
    """Sweeps of the Gram form until max|Δβ| ≤ tol·max|β| or max_sweeps; returns the count.

    Updates ``beta`` and ``gb = Gβ`` in place; ``history[k]`` gets P after sweep k + 1.
    """
    p = beta.shape[0]
    for sweep in range(max_sweeps):
        dw_max = 0.0
        w_max = 0.0
        for j in _order(active, rng, shuffle):
            old = beta[j]
            denom = G[j, j] + l2
            new = 0.0
            if denom > 0.0:
                new = _threshold(c[j] - gb[j] + G[j, j] * old, l1, positive) / denom
            if new != old:
                delta = new - old
                for i in range(p):
                    gb[i] += delta * G[j, i]
                beta[j] = new
            dw_max = max(dw_max, abs(new - old))
            w_max = max(w_max, abs(new))
        history[sweep] = _gram_primal(c, y2, beta, gb, l1, l2)
        if w_max == 0.0 or dw_max <= tol * w_max:
            return sweep + 1
    return max_sweeps


@njit(cache=True)
def _gram_measures(c, y2, beta, gb, l1, l2, positive):
    """(P(β), duality gap, stationarity measure, ν, X̃ᵀWr/Σw) in the Gram form, O(p)."""
    xtr = c - gb
    nu, xtr2, l1_norm, l2_norm2, grad_norm = _dual_terms(xtr, beta, l1, l2, positive)
    cb = 0.0
    bgb = 0.0
    for j in range(beta.shape[0]):
        cb += c[j] * beta[j]
        bgb += beta[j] * gb[j]
    r2 = y2 - 2.0 * cb + bgb
    gap = _gap(r2, y2 - cb, l1_norm, l2_norm2, nu, xtr2, l1, l2)
    return _gram_primal(c, y2, beta, gb, l1, l2), gap, grad_norm, nu, xtr


@njit(cache=True, fastmath=_SUMS)
def _column_dot(X, j, m, w, v):
    """Σᵢ (X[i, j] − m) wᵢ vᵢ (no weights when w is empty)."""
    acc = 0.0
    if w.shape[0] == 0:
        for i in range(X.shape[0]):
            acc += (X[i, j] - m) * v[i]
    else:
        for i in range(X.shape[0]):
            acc += (X[i, j] - m) * w[i] * v[i]
    return acc


@njit(cache=True, fastmath=_SUMS)
def _column_stats(X, offset, w, y):
    """Σᵢ wᵢ x̃ᵢⱼ² and Σᵢ wᵢ x̃ᵢⱼ yᵢ for every column j (x̃ = x − offset), one pass over X."""
    n, p = X.shape
    weighted = w.shape[0] > 0
    norms = np.empty(p)
    xty = np.empty(p)
    for j in range(p):
        m = offset[j]
        s2 = 0.0
        sy = 0.0
        if weighted:
            for i in range(n):
                wd = w[i] * (X[i, j] - m)
                s2 += wd * (X[i, j] - m)
                sy += wd * y[i]
        else:
            for i in range(n):
                d = X[i, j] - m
                s2 += d * d
                sy += d * y[i]
        norms[j] = s2
        xty[j] = sy
    return norms, xty


@njit(cache=True, fastmath=_SUMS)
def _residual_primal(r, w, inv_sw, beta, l1, l2):
    """P(β) = ½ rᵀWr/Σw + l1‖β‖₁ + (l2/2)‖β‖², O(n + p)."""
    r2 = 0.0
    if w.shape[0] == 0:
        for i in range(r.shape[0]):
            r2 += r[i] * r[i]
    else:
        for i in range(r.shape[0]):
            r2 += w[i] * r[i] * r[i]
    value = 0.5 * r2 * inv_sw
    for j in range(beta.shape[0]):
        value += l1 * abs(beta[j]) + 0.5 * l2 * beta[j] * beta[j]
    return value


@njit(cache=True)
def _residual_sweeps(
    X,
    offset,
    w,
    inv_sw,
    norms,
    r,
    beta,
    l1,
    l2,
    positive,
    tol,
    max_sweeps,
    active,
    rng,
    shuffle,
    history,
):
    """Sweeps of the residual form (X in Fortran order); see :func:`_gram_sweeps`.

    Updates ``beta`` and ``r = y − X̃β`` in place.
    """
    n = X.shape[0]
    for sweep in range(max_sweeps):
        dw_max = 0.0
        w_max = 0.0
        for j in _order(active, rng, shuffle):
            old = beta[j]
            m = offset[j]
            denom = norms[j] + l2
            new = 0.0
            if denom > 0.0:
                z = _column_dot(X, j, m, w, r) * inv_sw + norms[j] * old
                new = _threshold(z, l1, positive) / denom
            if new != old:
                delta = new - old
                for i in range(n):
                    r[i] -= delta * (X[i, j] - m)
                beta[j] = new
            dw_max = max(dw_max, abs(new - old))
            w_max = max(w_max, abs(new))
        history[sweep] = _residual_primal(r, w, inv_sw, beta, l1, l2)
        if w_max == 0.0 or dw_max <= tol * w_max:
            return sweep + 1
    return max_sweeps


@njit(cache=True, fastmath=_SUMS)
def _residual_measures(X, offset, w, inv_sw, y, r, beta, l1, l2, positive):
    """(P(β), duality gap, stationarity measure, ν, X̃ᵀWr/Σw) in the residual form, O(np)."""
    p = beta.shape[0]
    xtr = np.empty(p)
    for j in range(p):
        xtr[j] = _column_dot(X, j, offset[j], w, r) * inv_sw
    nu, xtr2, l1_norm, l2_norm2, grad_norm = _dual_terms(xtr, beta, l1, l2, positive)
    r2 = 0.0
    ry = 0.0
    weighted = w.shape[0] > 0
    for i in range(r.shape[0]):
        wi = w[i] if weighted else 1.0
        r2 += wi * r[i] * r[i]
        ry += wi * r[i] * y[i]
    gap = _gap(r2 * inv_sw, ry * inv_sw, l1_norm, l2_norm2, nu, xtr2, l1, l2)
    return _residual_primal(r, w, inv_sw, beta, l1, l2), gap, grad_norm, nu, xtr


# ------------------------------------------------------------------------ the problems
class ElasticNetProblem:
    """The elastic-net problem of the module docstring, ready for coordinate descent.

    Built by :func:`enet_problem` (from X and y) or directly as a :class:`GramProblem`;
    :meth:`solve` runs the descent for one pair of penalties, so a path of penalties
    reuses the same prepared data (and Gram matrix).

    Attributes
    ----------
    n_features : int
    xty : ndarray of shape (n_features,)
        ``c = X̃ᵀWy/Σw``; ``max|cⱼ|/ρ`` is the smallest α giving β = 0.
    y_norm2 : float or None
        ``‖y‖²_w/Σw``, which scales the gap tolerance (None: stop on stationarity).
    """

    form = "abstract"
    n_features: int
    xty: np.ndarray
    y_norm2: float | None

    def _start(self, beta: np.ndarray) -> np.ndarray:
        """The kept quantity at β (Gβ or the residual)."""
        raise NotImplementedError

    def _sweeps(self, beta, kept, l1, l2, positive, tol, budget, active, rng, shuffle, history):
        """Sweeps over ``active`` until the change test or ``budget``; returns their count."""
        raise NotImplementedError

    def _measures(self, beta, kept, l1, l2, positive):
        """(P(β), gap, stationarity measure, ν, X̃ᵀWr/Σw) at β."""
        raise NotImplementedError

    def _diagonal(self) -> np.ndarray:
        """``dⱼ = ‖x̃ⱼ‖²_w/Σw`` (the diagonal of G)."""
        raise NotImplementedError

    def _zero(self, beta: np.ndarray, kept: np.ndarray, idx: np.ndarray) -> None:
        """Set ``beta[idx] = 0`` and update the kept quantity."""
        raise NotImplementedError

    def solve(
        self,
        l1: float,
        l2: float,
        beta0: Any = None,
        *,
        tol: float = 1e-4,
        max_iter: int = 1000,
        positive: bool = False,
        selection: str = "cyclic",
        random_state: Any = None,
        warn: bool = True,
        owner: str | None = None,
    ) -> tuple[OptimizeResult, float]:
        """Minimise P(β) by coordinate descent from ``beta0`` (zeros by default).

        Parameters
        ----------
        l1, l2 : float
            Penalty strengths (≥ 0): ``l1‖β‖₁ + (l2/2)‖β‖²``.
        beta0 : array-like of shape (n_features,), optional
            Start (a warm start); not modified.
        tol : float, default=1e-4
            Stop when, after a sweep with ``max|Δβⱼ| ≤ tol·max|βⱼ|``, the duality gap
            is at most ``tol·y_norm2`` (or, without ``y_norm2``, the stationarity
            measure is at most ``tol``).
        max_iter : int, default=1000
            Maximum number of sweeps.
        positive : bool, default=False
            Constrain every βⱼ ≥ 0.
        selection : {"cyclic", "random"}, default="cyclic"
            Order of the coordinates in a sweep: 1..p, or a fresh random permutation.
        random_state : None, int or Generator
            Seed of the random order.
        warn : bool, default=True
            ConvergenceWarning when ``max_iter`` sweeps end unconverged.
        owner : str, optional
            Name put in front of the warning (the calling estimator).

        Returns
        -------
        result : OptimizeResult
            ``x`` = β; ``fun`` = P(β); ``grad_norm`` = the ∞-norm of the
            minimum-norm subgradient of P; ``history[k]`` = P after k sweeps;
            ``n_fev = n_iter + 1`` objective evaluations.
        gap : float
            The final duality gap (NaN when ``y_norm2`` is None).
        """
        given = locals()
        validate_params(_SOLVE_OPTIONS, {k: given[k] for k in _SOLVE_OPTIONS}, "coordinate descent")
        beta = self._start_point(beta0)
        kept = self._start(beta)
        l1, l2 = float(l1), float(l2)
        shuffle = selection == "random"
        seed = check_random_state(random_state).randint(2**31 - 1) if shuffle else 0
        rng = np.random.default_rng(seed)
        use_gap = self.y_norm2 is not None
        bound = tol * self.y_norm2 if use_gap else tol
        history = np.empty(max_iter + 1)
        active = np.arange(self.n_features)
        fun, gap, grad_norm, nu, xtr = self._measures(beta, kept, l1, l2, positive)
        history[0] = fun
        n_iter = 0
        converged = (gap if use_gap else grad_norm) <= bound
        while not converged and n_iter < max_iter:
            if use_gap:
                active = self._screen(beta, kept, active, gap, nu, xtr, l1, l2)
            budget, record = max_iter - n_iter, history[n_iter + 1 :]
            pen = (l1, l2, positive)
            n_iter += self._sweeps(beta, kept, *pen, tol, budget, active, rng, shuffle, record)
            fun, gap, grad_norm, nu, xtr = self._measures(beta, kept, l1, l2, positive)
            if not np.isfinite(fun):
                raise OptimizationError(
                    f"{owner + ': ' if owner else ''}coordinate descent diverged: the objective "
                    f"became {fun} after {n_iter} sweeps; the data may hold huge values, "
                    "scale the features."
                )
            converged = (gap if use_gap else grad_norm) <= bound
        test = f"duality gap {gap:.3e}" if use_gap else f"stationarity measure {grad_norm:.3e}"
        limit = f"tol·‖y‖²_w/Σw = {bound:.3e} (tol={tol:g})" if use_gap else f"tol={tol:g}"
        if converged:
            message = f"converged: {test} <= {limit}"
        else:
            message = f"max_iter={max_iter} reached: {test} > {limit}"
            if warn:
                reason = f"{test} > {limit}"
                warn_unconverged("coordinate descent", owner, max_iter, reason, "sweeps", 3)
        result = OptimizeResult(
            x=beta,
            fun=float(fun),
            grad_norm=float(grad_norm),
            n_iter=n_iter,
            n_fev=n_iter + 1,
            converged=converged,
            message=message,
            history=history[: n_iter + 1].copy(),
        )
        return result, float(gap) if use_gap else float("nan")

    def _screen(self, beta, kept, active, gap, nu, xtr, l1, l2) -> np.ndarray:
        """Gap safe screening: drop the coordinates that are provably 0 at the solution.

        With the scaled dual point ``θ = r/max(l1, ν)``, coordinate j is zero at the
        solution when ``(1 − |x̃ⱼᵀWθ/Σw − l2βⱼ/max(l1, ν)|) / √(dⱼ + l2) > √(2·gap)/l1``
        (Ndiaye, Fercoq, Gramfort & Salmon, "Gap safe screening rules for sparsity
        enforcing penalties", JMLR 18, 2017, eq. 11; as scikit-learn does). A smaller
        gap drops more coordinates, and a dropped one stays dropped.
        """
        if l1 <= 0.0:
            return active
        theta = (xtr[active] - l2 * beta[active]) / max(l1, nu)
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = (1.0 - np.abs(theta)) / np.sqrt(self._diagonal()[active] + l2)
        keep = distance <= np.sqrt(2.0 * abs(gap)) / l1
        dropped = active[~keep]
        self._zero(beta, kept, dropped[beta[dropped] != 0])
        return active[keep]

    def _start_point(self, beta0: Any) -> np.ndarray:
        if beta0 is None:
            return np.zeros(self.n_features)
        beta = np.array(beta0, dtype=np.float64).ravel()
        if beta.shape != (self.n_features,) or not np.all(np.isfinite(beta)):
            raise DataValidationError(
                f"beta0 must hold {self.n_features} finite coefficients (one per feature); "
                f"got shape {np.shape(beta0)}."
            )
        return beta


class GramProblem(ElasticNetProblem):
    """``½βᵀGβ − cᵀβ + ½·y_norm2 + l1‖β‖₁ + (l2/2)‖β‖²`` (the Gram form).

    With ``G = X̃ᵀWX̃/Σw``, ``c = X̃ᵀWy/Σw`` and ``y_norm2 = ‖y‖²_w/Σw`` this is the
    elastic net of the module docstring; any symmetric positive semi-definite G
    and vector c define a valid problem.

    Parameters
    ----------
    G : ndarray of shape (p, p)
    c : ndarray of shape (p,)
    y_norm2 : float or None
        The constant that makes the quadratic a squared residual; needed for the
        duality gap. None: stop on the stationarity measure instead.
    """

    form = "gram"

    def __init__(self, G: np.ndarray, c: np.ndarray, y_norm2: float | None = None):
        self.G = np.ascontiguousarray(G, dtype=np.float64)
        self.xty = np.ascontiguousarray(c, dtype=np.float64).ravel()
        self.n_features = self.xty.shape[0]
        if self.G.shape != (self.n_features, self.n_features):
            raise DataValidationError(
                f"G must be a square matrix matching c: c has {self.n_features} entries "
                f"but G has shape {self.G.shape}."
            )
        if not (np.all(np.isfinite(self.G)) and np.all(np.isfinite(self.xty))):
            raise DataValidationError("G or c has NaN or infinite entries.")
        self.y_norm2 = None if y_norm2 is None else float(y_norm2)

    def _start(self, beta):
        return self.G @ beta

    def _sweeps(self, beta, kept, l1, l2, positive, tol, budget, active, rng, shuffle, history):
        y2 = 0.0 if self.y_norm2 is None else self.y_norm2
        args = (beta, kept, l1, l2, positive, tol, budget, active, rng, shuffle, history)
        return _gram_sweeps(self.G, self.xty, y2, *args)

    def _measures(self, beta, kept, l1, l2, positive):
        y2 = 0.0 if self.y_norm2 is None else self.y_norm2
        return _gram_measures(self.xty, y2, beta, kept, l1, l2, positive)

    def _diagonal(self):
        return np.diag(self.G)

    def _zero(self, beta, kept, idx):
        if idx.size:
            kept -= self.G[:, idx] @ beta[idx]
            beta[idx] = 0.0


class ResidualProblem(ElasticNetProblem):
    """The residual form: keeps ``r = y − X̃β``; X is read column by column.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Copied to Fortran order if it is not already.
    y : ndarray of shape (n,)
    sample_weight : ndarray of shape (n,) or None
    x_offset : ndarray of shape (p,) or None
        ``m``, subtracted from every row on the fly (X is not modified).
    """

    form = "residual"

    def __init__(self, X, y, sample_weight=None, x_offset=None):
        n, p = X.shape
        self.X = np.asfortranarray(X)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        self.w = (
            np.empty(0)
            if sample_weight is None
            else np.ascontiguousarray(sample_weight, dtype=np.float64)
        )
        self.inv_sw = 1.0 / (n if sample_weight is None else float(np.sum(self.w)))
        self.offset = np.zeros(p) if x_offset is None else np.asarray(x_offset, dtype=np.float64)
        self.n_features = p
        self.norms, self.xty = _column_stats(self.X, self.offset, self.w, self.y)
        self.norms *= self.inv_sw
        self.xty *= self.inv_sw
        wy = self.y if sample_weight is None else self.w * self.y
        self.y_norm2 = float(wy @ self.y) * self.inv_sw

    def _start(self, beta):
        if not np.any(beta):
            return self.y.copy()
        return self.y - (self.X @ beta - self.offset @ beta)

    def _sweeps(self, beta, kept, l1, l2, positive, tol, budget, active, rng, shuffle, history):
        args = (kept, beta, l1, l2, positive, tol, budget, active, rng, shuffle, history)
        return _residual_sweeps(self.X, self.offset, self.w, self.inv_sw, self.norms, *args)

    def _measures(self, beta, kept, l1, l2, positive):
        return _residual_measures(
            self.X, self.offset, self.w, self.inv_sw, self.y, kept, beta, l1, l2, positive
        )

    def _diagonal(self):
        return self.norms

    def _zero(self, beta, kept, idx):
        if idx.size:
            kept += self.X[:, idx] @ beta[idx] - self.offset[idx] @ beta[idx]
            beta[idx] = 0.0


# --------------------------------------------------------------------- public functions
def enet_problem(
    X: np.ndarray,
    y: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    x_offset: np.ndarray | None = None,
    precompute: bool | str = "auto",
) -> ElasticNetProblem:
    """Prepare ``1/(2Σw) Σ wᵢ(yᵢ − (xᵢ − m)ᵀβ)²`` for coordinate descent.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Validated, finite (float64 or float32).
    y : ndarray of shape (n,)
    sample_weight : ndarray of shape (n,), optional
        Non-negative weights; only their ratios matter.
    x_offset : ndarray of shape (p,), optional
        ``m`` (the weighted column means when the model fits an intercept).
    precompute : {"auto", True, False}, default="auto"
        True: Gram form; False: residual form; "auto": Gram when
        ``n > 2p`` and ``p ≤ GRAM_MAX_FEATURES``.

    Returns
    -------
    GramProblem or ResidualProblem
    """
    n, p = X.shape
    gram = precompute if isinstance(precompute, bool) else (n > 2 * p and p <= GRAM_MAX_FEATURES)
    if not gram:
        return ResidualProblem(X, y, sample_weight, x_offset)
    G, c = weighted_gram(X, y, sample_weight, center=x_offset)
    sum_w = n if sample_weight is None else float(np.sum(sample_weight))
    wy = y if sample_weight is None else sample_weight * y
    y_norm2 = float(np.dot(wy, y)) / sum_w
    return GramProblem(G.astype(np.float64) / sum_w, c.astype(np.float64) / sum_w, y_norm2)


def enet_coordinate_descent(
    X: np.ndarray,
    y: np.ndarray,
    l1: float,
    l2: float,
    beta0: Any = None,
    *,
    sample_weight: np.ndarray | None = None,
    x_offset: np.ndarray | None = None,
    precompute: bool | str = "auto",
    **options: Any,
) -> tuple[OptimizeResult, float]:
    """Minimise the elastic net of the module docstring by coordinate descent.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    l1, l2 : float
        ``l1‖β‖₁ + (l2/2)‖β‖²`` (for scikit-learn's α and l1_ratio ρ: l1 = αρ,
        l2 = α(1 − ρ)).
    beta0 : array-like of shape (p,), optional
        Start (zeros by default).
    sample_weight, x_offset, precompute
        See :func:`enet_problem`.
    **options
        ``tol``, ``max_iter``, ``positive``, ``selection``, ``random_state``,
        ``warn``, ``owner``: see :meth:`ElasticNetProblem.solve`.

    Returns
    -------
    result : OptimizeResult
    gap : float
        The final duality gap.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.coordinate import enet_coordinate_descent
    >>> X = np.eye(3)
    >>> result, gap = enet_coordinate_descent(X, np.array([3.0, 0.6, -1.5]), l1=0.2, l2=0.0)
    >>> result.x.round(6)  # orthogonal columns: soft-thresholding of y at n·l1 = 0.6
    array([ 2.4,  0. , -0.9])
    """
    problem = enet_problem(
        X, y, sample_weight=sample_weight, x_offset=x_offset, precompute=precompute
    )
    return problem.solve(l1, l2, beta0, **options)


def enet_gram_cd(
    G: np.ndarray,
    c: np.ndarray,
    l1: float,
    l2: float,
    beta0: Any = None,
    *,
    y_norm2: float | None = None,
    **options: Any,
) -> tuple[OptimizeResult, float]:
    """Minimise ``½βᵀGβ − cᵀβ + l1‖β‖₁ + (l2/2)‖β‖²`` by coordinate descent on G.

    This is the inner solver of proximal Newton for L1-penalised models: with a
    Hessian (or its Gauss-Newton approximation) ``G`` and ``c = Gβ_k − ∇f(β_k)``,
    the minimiser is the next proximal-Newton point. Every update costs O(p).

    Parameters
    ----------
    G : ndarray of shape (p, p)
        Symmetric positive semi-definite.
    c : ndarray of shape (p,)
    l1, l2 : float
        Penalty strengths (≥ 0).
    beta0 : array-like of shape (p,), optional
        Start (zeros by default); a warm start from the current iterate is usual.
    y_norm2 : float, optional
        ``‖y‖²`` when ``G = XᵀX``, ``c = Xᵀy`` come from a least-squares problem
        ``½‖y − Xβ‖²``: then the run stops on the duality gap, ``gap ≤ tol·y_norm2``
        (scikit-learn's test). Without it, the run stops when the stationarity
        measure ``max_j dist(0, ∂ⱼP(β))`` is at most ``tol`` (an absolute
        tolerance on the gradient scale), and ``history`` omits the constant.
    **options
        ``tol``, ``max_iter``, ``positive``, ``selection``, ``random_state``,
        ``warn``, ``owner``: see :meth:`ElasticNetProblem.solve`.

    Returns
    -------
    result : OptimizeResult
        ``grad_norm`` is the stationarity measure.
    gap : float
        The duality gap (NaN without ``y_norm2``).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.coordinate import enet_gram_cd
    >>> G = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> result, _ = enet_gram_cd(G, np.array([2.0, 0.2]), l1=0.3, l2=0.0, tol=1e-12)
    >>> result.x.round(6), result.grad_norm < 1e-12
    (array([0.85, 0.  ]), True)
    """
    return GramProblem(G, c, y_norm2).solve(l1, l2, beta0, **options)
