"""Linear least squares, accurate on ill-conditioned designs.

Solve ``min_β Σ w_i (y_i − b − x_iᵀβ)²`` for X of shape (n, p), optional weights w
and an optional intercept b (written as a leading column of ones).

Default method, chosen for accuracy (``method="qr"``):

1. **Scale the columns** of the weighted design ``[1, X]`` to unit 2-norm,
   ``A = W^½[1, X] D⁻¹``. The solution does not change (``β = D⁻¹z``) but the
   condition number can fall by orders of magnitude. A is written once, into one
   Fortran-ordered buffer (the only copy of the data made).
2. **Householder QR** ``A = QR`` (LAPACK ``geqrf``, blocked BLAS-3), ``Qᵀy`` applied
   without forming Q (``ormqr``). Backward stable: the error is O(ε·κ) plus
   O(ε·κ²·tan θ), θ the angle between y and the column space — unlike the normal
   equations, whose error is O(ε·κ²) always (Golub & Van Loan, *Matrix
   Computations*, 4th ed., §5.3).
3. **SVD of the small p × p factor R**: the singular values of A exactly, hence
   the condition number ``κ = s_max / s_min`` and the numerical rank (singular
   values above ``rcond·s_max``). A rank-deficient design gets the minimum-norm
   solution in the original units (as NumPy, scikit-learn and statsmodels give)
   and the null vectors name the collinear columns.
4. **Iterative refinement** of the augmented system ``r + Az = y, Aᵀr = 0`` with
   residuals accumulated in extended precision (Björck, *Numerical Methods for
   Least Squares Problems*, 1996, §2.9.3). Refining r as well as z is what makes
   it converge when the residual is large. Done always for tiny problems
   (n·q ≤ 10⁴) and otherwise when the error bound ε(κ + κ² tan θ) exceeds
   1e-11, so well-conditioned data pay nothing for it.

``method="svd"`` takes the SVD of A directly; ``method="cholesky"`` solves the
normal equations ``AᵀAz = Aᵀy`` (fastest, loses accuracy as κ²).

Data given as ``np.longdouble`` are factorised in extended precision
(:mod:`lemma.linalg.extended`; 19 digits on x86-64 instead of 16). That matters
when the data are known to more digits than float64 holds: NIST's Filip data
rounded to float64 already differ from the certified problem in the 8th digit.

Examples
--------
>>> import numpy as np
>>> from lemma.linalg import lstsq
>>> X = np.array([[0.0], [1.0], [2.0]])
>>> result = lstsq(X, np.array([1.0, 3.0, 5.0]), fit_intercept=True)
>>> result.coef.round(12), result.rank
(array([1., 2.]), 2)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.linalg.extended import householder_qr, solve_lower, solve_upper

__all__ = ["LstsqResult", "lstsq"]

#: Refine whenever n·q is at most this (tiny: NIST-sized), else only when the bound says so.
REFINE_SMALL = 10_000
_CHUNK = 65536


@dataclass(frozen=True)
class LstsqResult:
    """Solution of a least-squares problem and what the factorisation revealed.

    Attributes
    ----------
    coef : ndarray of shape (q,) or (q, k)
        Coefficients, intercept first when ``fit_intercept`` (q = p + 1), in the
        data's units; the minimum-norm solution if the design is rank deficient.
    rank : int
        Numerical rank of the (weighted) design.
    singular_values : ndarray of shape (q,)
        Singular values of the column-scaled design, descending.
    cond : float
        Condition number of the column-scaled design (``inf`` if rank deficient).
    collinear : list of list of int
        Groups of design columns (0 = intercept when fitted) that are linearly dependent.
    residual_ss : float or ndarray
        Weighted residual sum of squares, accumulated in extended precision.
    method : str
    n_refinements : int
        Iterative-refinement steps taken.
    """

    coef: np.ndarray
    rank: int
    singular_values: np.ndarray
    cond: float
    collinear: list[list[int]]
    residual_ss: float | np.ndarray
    method: str
    n_refinements: int
    _scale: np.ndarray = field(repr=False)
    _R: np.ndarray | None = field(repr=False, default=None)
    _Vt: np.ndarray | None = field(repr=False, default=None)

    def raw_singular_values(self) -> np.ndarray:
        """Singular values of the weighted design before column scaling, descending.

        From the small factor: ``AᵀA = V S² Vᵀ`` for the scaled design, so the
        unscaled one has the singular values of ``S Vᵀ D``.
        """
        M = (self.singular_values[:, None] * self._Vt) * self._scale[None, :]  # type: ignore[operator]
        return np.linalg.svd(M.astype(np.float64), compute_uv=False)

    def cov_unscaled(self) -> np.ndarray:
        """``(AᵀA)⁻¹`` for the unscaled weighted design (pseudo-inverse if rank deficient).

        Times the residual variance it is the covariance of ``coef``. Computed from
        the triangular factor, never by inverting a formed ``XᵀX``.
        """
        q = self._scale.shape[0]
        d_inv = 1.0 / self._scale
        if self.rank == q and self._R is not None:
            if self._R.dtype == np.longdouble:
                r_inv = solve_upper(self._R, np.eye(q, dtype=np.longdouble))
            else:
                r_inv = sla.solve_triangular(self._R, np.eye(q, dtype=self._R.dtype))
            return (d_inv[:, None] * r_inv) @ (r_inv.T * d_inv[None, :])
        s = self.singular_values[: self.rank]
        v = self._Vt[: self.rank].T  # type: ignore[index]
        gram = (self._scale[:, None] * v * s**2) @ (v.T * self._scale[None, :])
        return np.linalg.pinv(gram, hermitian=True)


# ----------------------------------------------------------------------- the design
@dataclass
class _Design:
    """The weighted design ``W^½ [1, X]`` described without materialising it."""

    X: np.ndarray
    sqrt_w: np.ndarray | None
    intercept: bool

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape[0], self.X.shape[1] + int(self.intercept)

    def column_scale(self) -> np.ndarray:
        X = self.X
        if self.sqrt_w is None:
            sq = np.einsum("ij,ij->j", X, X)
            ones = float(X.shape[0])
        else:
            w = self.sqrt_w**2
            sq = np.einsum("ij,ij,i->j", X, X, w)
            ones = float(w.sum())
        scale = np.sqrt(np.concatenate([[ones], sq]) if self.intercept else sq).astype(X.dtype)
        scale[scale == 0] = 1.0
        return scale

    def scaled(self, scale: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """``A = W^½[1, X] D⁻¹`` written into one Fortran-ordered buffer."""
        n, q = self.shape
        A = np.empty((n, q), dtype=dtype, order="F")
        j0 = int(self.intercept)
        if self.intercept:
            A[:, 0] = 1.0 / scale[0] if self.sqrt_w is None else self.sqrt_w / scale[0]
        np.divide(self.X, scale[j0:], out=A[:, j0:])
        if self.sqrt_w is not None:
            A[:, j0:] *= self.sqrt_w[:, None]
        return A

    def weighted(self, y: np.ndarray) -> np.ndarray:
        if self.sqrt_w is None:
            return y
        return y * (self.sqrt_w[:, None] if y.ndim == 2 else self.sqrt_w)

    def residual(self, y: np.ndarray, coef: np.ndarray, dtype: type = np.longdouble) -> np.ndarray:
        """``W^½(y − [1, X]β)`` accumulated in ``dtype``, by blocks of rows."""
        coef = coef.astype(dtype)
        j0 = int(self.intercept)
        r = np.empty(y.shape, dtype=dtype)
        for start in range(0, y.shape[0], _CHUNK):
            rows = slice(start, start + _CHUNK)
            fit = self.X[rows].astype(dtype, copy=False) @ coef[j0:]
            if self.intercept:
                fit = fit + coef[0]
            block = y[rows].astype(dtype) - fit
            if self.sqrt_w is not None:
                sw = self.sqrt_w[rows].astype(dtype)
                block = block * (sw[:, None] if block.ndim == 2 else sw)
            r[rows] = block
        return r

    def t_dot(self, r: np.ndarray, dtype: type = np.longdouble) -> np.ndarray:
        """``(W^½[1, X])ᵀ r`` accumulated in ``dtype``."""
        q = self.shape[1]
        out = np.zeros((q, *r.shape[1:]), dtype=dtype)
        j0 = int(self.intercept)
        for start in range(0, r.shape[0], _CHUNK):
            rows = slice(start, start + _CHUNK)
            rb = r[rows].astype(dtype)
            if self.sqrt_w is not None:
                sw = self.sqrt_w[rows].astype(dtype)
                rb = rb * (sw[:, None] if rb.ndim == 2 else sw)
            out[j0:] += self.X[rows].astype(dtype, copy=False).T @ rb
            if self.intercept:
                out[0] += rb.sum(axis=0)
        return out


# ----------------------------------------------------------------------- public entry
def lstsq(
    X: np.ndarray,
    y: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    fit_intercept: bool = False,
    method: str = "qr",
    rcond: float | None = None,
    refine: bool | str = "auto",
    names: Sequence[str] | None = None,
    warn: bool = True,
) -> LstsqResult:
    """Solve weighted least squares accurately; the module docstring gives the method.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Design without the constant column (float32, float64, or longdouble for
        extended precision).
    y : ndarray of shape (n,) or (n, k)
    sample_weight : ndarray of shape (n,), optional
        Non-negative weights w_i of the squared residuals.
    fit_intercept : bool, default=False
        Add a constant column in front (coefficient 0 of the result).
    method : {"qr", "svd", "cholesky"}, default="qr"
    rcond : float, optional
        Relative singular-value cut-off for the rank; default ``eps·max(n, q)``.
    refine : {"auto", True, False}, default="auto"
        Extended-precision iterative refinement (QR, float64 only).
    names : sequence of str, optional
        Names of X's columns for the rank-deficiency warning.
    warn : bool, default=True
        Warn (:class:`~lemma.exceptions.NumericalWarning`) on rank deficiency,
        naming the collinear columns.

    Returns
    -------
    LstsqResult
    """
    solver = _METHODS.get(method)
    if solver is None:
        raise ParameterError(f"Unknown lstsq method {method!r}; use one of {sorted(_METHODS)}.")
    sqrt_w = None if sample_weight is None else np.sqrt(np.asarray(sample_weight, X.dtype))
    design = _Design(X, sqrt_w, fit_intercept)
    n, q = design.shape
    if n < q and method == "cholesky":
        raise DataValidationError(
            f"method='cholesky' needs at least as many rows as coefficients (got {n} rows, "
            f"{q} coefficients); use method='qr' or 'svd'."
        )
    base = np.float64 if X.dtype == np.longdouble else X.dtype
    rcond = float(np.finfo(base).eps) * max(n, q) if rcond is None else rcond
    result = solver(design, y, design.column_scale(), rcond, refine)
    if warn and result.rank < q:
        n_positive = n if sample_weight is None else int(np.count_nonzero(sample_weight))
        _warn_rank(result, q, n_positive, names, fit_intercept)
    return result


def _warn_rank(result: LstsqResult, q: int, n: int, names, fit_intercept: bool) -> None:
    if q > n:
        what = (
            f"X has more coefficients ({q}) than rows with positive weight ({n}), so the "
            "least-squares solution is not unique."
        )
    else:

        def label(j: int) -> str:
            if fit_intercept:
                if j == 0:
                    return "'intercept'"
                j -= 1
            return repr(names[j]) if names is not None else f"x{j}"

        unique = [g for i, g in enumerate(result.collinear) if g not in result.collinear[:i]]
        shown = "; ".join(
            "[" + ", ".join(label(j) for j in g[:8]) + (", ...]" if len(g) > 8 else "]")
            for g in unique[:5]
        )
        what = (
            f"X is rank deficient (rank {result.rank} of {q} coefficients): linearly "
            f"dependent columns {shown}."
        )
    warnings.warn(
        f"{what} Coefficients are the minimum-norm solution and are not identifiable; drop "
        "redundant columns (or use a penalised model such as Ridge).",
        NumericalWarning,
        stacklevel=3,
    )


# ----------------------------------------------------------------------- helpers
def _rank_and_groups(s: np.ndarray, Vt: np.ndarray, rcond: float) -> tuple[int, list[list[int]]]:
    tol = rcond * s[0] if s.size and s[0] > 0 else 0.0
    rank = int(np.sum(s > tol))
    groups = []
    for v in Vt[rank:]:
        weight = np.abs(v)
        groups.append(sorted(np.flatnonzero(weight > 1e-3 * weight.max()).tolist()))
    return rank, groups


def _min_norm(design: _Design, y: np.ndarray, rank_tol: float) -> np.ndarray:
    """Minimum-norm least-squares coefficients of a rank-deficient design.

    The slopes have minimum 2-norm and the intercept is left free (as scikit-learn
    does): centre X and y about their weighted means, take the pseudo-inverse
    solution of the centred problem by SVD, then ``b = ȳ − x̄ᵀβ``. Rare path, so the
    centred copy is acceptable.
    """
    X = design.X.astype(np.float64)
    yy = y.astype(np.float64)
    w = None if design.sqrt_w is None else design.sqrt_w.astype(np.float64) ** 2
    if design.intercept:
        x_mean = np.average(X, axis=0, weights=w)
        y_mean = np.average(yy, axis=0, weights=w)
        X = X - x_mean
        yy = yy - y_mean
    if w is not None:
        X = X * np.sqrt(w)[:, None]
        yy = yy * (np.sqrt(w)[:, None] if yy.ndim == 2 else np.sqrt(w))
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > rank_tol * (s[0] if s.size else 0.0)
    uty = U[:, keep].T @ yy
    slopes = Vt[keep].T @ (uty / (s[keep, None] if uty.ndim == 2 else s[keep]))
    if not design.intercept:
        return slopes
    intercept = y_mean - x_mean @ slopes
    if slopes.ndim == 2:
        return np.vstack([intercept[None, :], slopes])
    return np.concatenate([[intercept], slopes])


def _col(v: np.ndarray, like: np.ndarray) -> np.ndarray:
    return v[:, None] if like.ndim == 2 else v


def _qr_lapack(A: np.ndarray):
    """Householder QR by LAPACK; R and functions applying Qᵀ and Q without forming Q."""
    geqrf, ormqr = sla.get_lapack_funcs(("geqrf", "ormqr"), (A,))
    # SciPy's default workspace (3 × columns) forces LAPACK's unblocked Householder loop
    # (level-2 BLAS); 64 × columns lets geqrf use its blocked, level-3 form.
    qr, tau, _, info = geqrf(A, lwork=max(1, 64 * A.shape[1]), overwrite_a=True)
    if info != 0:  # pragma: no cover - LAPACK argument error
        raise RuntimeError(f"LAPACK geqrf failed with info={info}")

    def apply(trans: str, b: np.ndarray) -> np.ndarray:
        b2 = np.asfortranarray(b.reshape(b.shape[0], -1), dtype=qr.dtype)
        out, _, info = ormqr("L", trans, qr, tau, b2, max(1, b2.shape[1]) * 64)
        if info != 0:  # pragma: no cover
            raise RuntimeError(f"LAPACK ormqr failed with info={info}")
        return out.reshape(b.shape)

    return np.triu(qr[: A.shape[1]]), (lambda b: apply("T", b)), (lambda b: apply("N", b))


def _needs_refining(n: int, q: int, qty: np.ndarray, yw: np.ndarray, cond: float) -> bool:
    """Refine small problems always; large ones when ε(κ + κ² tan θ) > 1e-11.

    ``tan θ = ‖r‖/‖Az‖`` with ``‖Az‖ = ‖(Qᵀy)₁‖`` and ``‖r‖² = ‖y‖² − ‖Az‖²``.
    """
    if n * q <= REFINE_SMALL:
        return True
    fitted_sq = float(np.sum(qty.astype(np.float64) ** 2))
    resid_sq = max(float(np.sum(yw.astype(np.float64) ** 2)) - fitted_sq, 0.0)
    tan_theta = np.sqrt(resid_sq / fitted_sq) if fitted_sq > 0 else np.inf
    return bool(np.finfo(np.float64).eps * (cond + cond**2 * tan_theta) > 1e-11)


def _refine(design: _Design, y, z, R, apply_qt_full, apply_q, scale, max_steps: int = 4):
    """Björck's refinement of ``r + Az = y_w, Aᵀr = 0`` with residuals in long double.

    Each step: ``f = y_w − r − Az``, ``g = −Aᵀr`` (extended precision), then from
    the QR factors ``h = R⁻ᵀg``, ``d = Qᵀf``, ``δz = R⁻¹(d₁ − h)``, ``δr = Q[h; d₂]``.
    With float64 factors this is mixed-precision refinement (it converges to the
    solution of the extended-precision residual equations when ε·κ < 1); with
    long-double factors it is fixed-precision refinement, which repairs an
    inaccurate first solve on large-residual problems.
    """
    q = R.shape[0]
    ext = np.longdouble
    work = R.dtype
    if work == ext:

        def solve_r(b):
            return solve_upper(R, b)

        def solve_rt(b):
            return solve_lower(R.T, b)
    else:

        def solve_r(b):
            return sla.solve_triangular(R, b)

        def solve_rt(b):
            return sla.solve_triangular(R, b, trans="T")

    z_ext = z.astype(ext)
    inv_scale = 1.0 / scale.astype(ext)

    def true_residual(z_now):
        return design.residual(y, z_now * _col(inv_scale, z_now))

    def normal_size(z_now, true_r):
        """Size of Aᵀr at z (zero at the solution)."""
        return float(np.max(np.abs(_col(inv_scale, z_now) * design.t_dot(true_r))))

    # Fixed-precision refinement can wander once it reaches its limit, so it keeps the
    # iterate with the smallest normal-equation residual; mixed precision converges.
    track_best = work == ext
    r = true_residual(z_ext)
    best_z, best_steps = z_ext, 0
    best_size = normal_size(z_ext, r) if track_best else np.inf
    true_r = r
    for step in range(1, max_steps + 1):
        f = true_r - r
        g = -_col(inv_scale, z_ext) * design.t_dot(r)
        h = solve_rt(g.astype(work))
        d = apply_qt_full(f.astype(work))
        dz = solve_r(d[:q] - h)
        d[:q] = h
        z_ext = z_ext + dz
        r = r + apply_q(d)
        true_r = true_residual(z_ext)
        if not track_best:
            best_z, best_steps = z_ext, step
        else:
            size = normal_size(z_ext, true_r)
            if size < best_size:
                best_z, best_size, best_steps = z_ext, size, step
        if np.max(np.abs(dz)) <= np.finfo(work).eps * np.max(np.abs(z_ext)):
            break
    return best_z * _col(inv_scale, best_z), best_steps


def _rss(design: _Design, y: np.ndarray, coef: np.ndarray) -> float | np.ndarray:
    """Weighted residual sum of squares, in long double for refined/extended fits
    (coef already long double), else in float64 with BLAS."""
    dtype = np.longdouble if coef.dtype == np.longdouble else np.float64
    r = design.residual(y, coef, dtype=dtype)
    out = np.sum(r * r, axis=0)
    return float(out) if np.ndim(out) == 0 else out.astype(np.float64)


# ----------------------------------------------------------------------- methods
def _solve_qr(design: _Design, y, scale, rcond, refine) -> LstsqResult:
    n, q = design.shape
    if n < q:
        return _solve_svd(design, y, scale, rcond, refine)
    extended = design.X.dtype == np.longdouble
    if extended:
        R, apply_qt_full, apply_q = householder_qr(design.scaled(scale, np.longdouble))
    else:
        R, apply_qt_full, apply_q = _qr_lapack(design.scaled(scale, design.X.dtype))
    yw = design.weighted(y)
    qty = apply_qt_full(yw)[:q]
    _, s, Vt = np.linalg.svd(R.astype(np.float64))
    rank, groups = _rank_and_groups(s, Vt, rcond)
    if rank < q:
        coef = _min_norm(design, y, rcond)
        return LstsqResult(
            coef, rank, s, np.inf, groups, _rss(design, y, coef), "qr", 0, scale, None, Vt
        )
    z = (solve_upper if extended else sla.solve_triangular)(R, qty)
    cond = float(s[0] / s[-1])
    steps = 0
    wants = refine is True or (refine == "auto" and _needs_refining(n, q, qty, yw, cond))
    if design.X.dtype in (np.float64, np.longdouble) and wants:
        coef_ext, steps = _refine(design, y, z, R, apply_qt_full, apply_q, scale)
        coef = coef_ext.astype(design.X.dtype)
    else:
        coef_ext = coef = z / _col(scale, z)
    return LstsqResult(
        coef, rank, s, cond, groups, _rss(design, y, coef_ext), "qr", steps, scale, R, Vt
    )


def _solve_svd(design: _Design, y, scale, rcond, refine) -> LstsqResult:
    dtype = np.float64 if design.X.dtype == np.longdouble else design.X.dtype
    A = design.scaled(scale, dtype)
    U, s, Vt = sla.svd(A, full_matrices=False, overwrite_a=True, lapack_driver="gesdd")
    rank, groups = _rank_and_groups(s, Vt, rcond)
    uty = U.T @ design.weighted(y).astype(dtype)
    if rank < A.shape[1]:
        coef = _min_norm(design, y, rcond)
        return LstsqResult(
            coef, rank, s, np.inf, groups, _rss(design, y, coef), "svd", 0, scale, None, Vt
        )
    z = Vt.T @ (uty / _col(s, uty))
    coef = z / _col(scale, z)
    R = np.triu(np.linalg.qr(s[:, None] * Vt, mode="r"))
    return LstsqResult(
        coef, rank, s, float(s[0] / s[-1]), groups, _rss(design, y, coef), "svd", 0, scale, R, Vt
    )


def _solve_cholesky(design: _Design, y, scale, rcond, refine) -> LstsqResult:
    A = design.scaled(scale, design.X.dtype)
    gram = A.T @ A
    rhs = A.T @ design.weighted(y)
    _, eig, Vt = np.linalg.svd(gram.astype(np.float64))
    s = np.sqrt(np.clip(eig, 0, None))
    # Singular values below sqrt(eps)·s_max are invisible to the normal equations.
    rank, groups = _rank_and_groups(s, Vt, max(rcond, np.sqrt(np.finfo(A.dtype).eps)))
    if rank < A.shape[1]:
        coef = _min_norm(design, y, rcond)
        return LstsqResult(
            coef, rank, s, np.inf, groups, _rss(design, y, coef), "cholesky", 0, scale, None, Vt
        )
    factor = sla.cho_factor(gram, lower=False, overwrite_a=True)
    z = sla.cho_solve(factor, rhs)
    coef = z / _col(scale, z)
    return LstsqResult(
        coef,
        rank,
        s,
        float(s[0] / s[-1]),
        groups,
        _rss(design, y, coef),
        "cholesky",
        0,
        scale,
        np.triu(factor[0]),
        Vt,
    )


_METHODS = {"qr": _solve_qr, "svd": _solve_svd, "cholesky": _solve_cholesky}
