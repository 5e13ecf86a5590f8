"""Least squares and ridge regression on Dask collections, as exact as the in-memory fits.

**LinearRegression: TSQR.** With the weighted, column-scaled design
``A = W^½[1, X]D⁻¹`` (D the column norms) and ``y_w = W^½y`` split by rows into
partitions b, each worker factorises its block of the augmented matrix,
``[A_b, y_{w,b}] = Q_b T_b``, and the triangles are combined up a tree,
``[T_a; T_b] = Q T`` (a QR of 2(q + 1) rows). The same pass returns each partition's
sums (rows, weights, column norms, y's moments), so the blocks are factorised
unscaled and D is applied to the root: ``R(AD⁻¹) = R(A)D⁻¹``, and Householder QR is
column-wise backward stable (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2002, Thm 19.4), so scaling after is as accurate as before. The root
is the R factor of the whole augmented matrix::

    T = [ R   Qᵀy_w ]        R z = Qᵀy_w,   β = D⁻¹z,   ‖y_w − Az‖ = |ρ|
        [ 0   ρ     ]

so the least-squares problem is solved as backward stably as by one Householder QR
(Demmel, Grigori, Hoemmen & Langou 2012), with q × q numbers per partition sent.
The SVD of R gives the singular values, rank and condition number; R gives
``(AᵀA)⁻¹ = R⁻¹R⁻ᵀ`` for the covariance, as in :func:`lemma.linalg.lstsq`.
When the in-memory rule asks for refinement (ε(κ + κ² tan θ) > 10⁻¹¹) the
solution is refined by corrected semi-normal equations: a pass computes
``g = Aᵀ(y_w − Az)`` with the residuals in extended precision (from the user's X and
``β = D⁻¹z``, never from the rounded ``X/D``, which alone would cost digits), then
``z ← z + R⁻¹R⁻ᵀg`` (Björck, *Numerical Methods for Least Squares Problems*, 1996,
§6.6.5), keeping the iterate with the smallest ``‖D⁻¹g‖∞``. A rank-deficient design
gets the minimum-norm slopes from a TSQR of the centred design, as in memory.

Inference takes one more pass over the residuals ``e = W^½(y − Zβ)``: the residual
sum of squares, the central moments of e (combined by Pébay's pairwise formulas,
for skewness, kurtosis, Jarque-Bera and the omnibus test), the Durbin-Watson sums
(a partition reports its first and last residual so differences across
boundaries are counted), and for a robust ``cov_type`` each partition's part of
the sandwich ``Σ ωᵢeᵢ²z̃ᵢz̃ᵢᵀ`` in the orthogonal basis
(:func:`lemma.stats.inference.robust_covariance`).

**Ridge: sufficient statistics.** Two passes: the weighted means, then the centred
Gram matrix ``X̃ᵀWX̃`` and ``X̃ᵀWỹ`` (p² + p numbers per partition), solved by
Cholesky as in memory; with α = 0 or ``solver="svd"`` the TSQR of ``W^½[X̃, ỹ]``
gives the SVD ``X̃ = (QU)SVᵀ`` without forming the Gram matrix.

Reference: Demmel, Grigori, Hoemmen & Langou, "Communication-optimal parallel and
sequential QR and LU factorizations", SIAM J. Sci. Comput. 34 (2012); Pébay,
"Formulas for robust, one-pass parallel computation of covariances and
arbitrary-order statistical moments", Sandia report SAND2008-6212.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla

from lemma.distributed._collections import (
    RowBlocks,
    block_weights,
    compute,
    is_frame,
    row_blocks,
)
from lemma.exceptions import DataValidationError
from lemma.linalg import LstsqResult, weighted_gram
from lemma.linalg.lstsq import REFINE_SMALL, _rank_and_groups, _warn_rank
from lemma.prep.scale import batch_moments, combine_moments
from lemma.stats.inference import OLSResults, robust_covariance
from lemma.stats.inference.ols import _kurtosis_z, _skew_z, chi2_sf_2
from lemma.validation import check_array, check_y

__all__ = ["fit_linear_regression", "fit_ridge", "tsqr"]

#: Refinement passes allowed (as the in-memory refinement's steps).
MAX_REFINEMENTS = 4
_EPS = float(np.finfo(np.float64).eps)
#: Rows factorised at a time inside a partition (bounds a worker's working memory).
CHUNK_ROWS = 65536


# ----------------------------------------------------------------------------- blocks
def read_block(Xb: Any, yb: Any, wb: Any, owner: str, n_targets: int | None):
    """One partition as float64 ``(X, Y, w)``: Y of shape (n, k), w None or (n,)."""
    X = np.asarray(check_array(Xb, estimator_name=owner, ensure_min_samples=0), dtype=np.float64)
    Y = None
    if n_targets is not None:
        y = check_y(yb, estimator_name=owner, y_numeric=True, multi_output=True,
                    n_samples=X.shape[0])  # fmt: skip
        Y = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
    return X, Y, block_weights(wb, X.shape[0], owner)


def _triangle(M: np.ndarray) -> np.ndarray:
    """The R factor of M (rows ≥ columns padded with zero rows to a square)."""
    k = M.shape[1]
    if M.shape[0] == 0:
        return np.zeros((k, k))
    R = sla.qr(M, mode="r", overwrite_a=True, check_finite=False)[0]
    if R.shape[0] < k:
        R = np.vstack([R, np.zeros((k - R.shape[0], k))])
    return np.triu(R[:k])


def _stack_qr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _triangle(np.vstack([a, b]))


def tsqr(parts: list) -> np.ndarray:
    """R factor of the row-stacked blocks of ``parts`` (delayed arrays), by a QR tree.

    Examples
    --------
    >>> import numpy as np
    >>> from dask import delayed
    >>> M = np.random.default_rng(0).normal(size=(50, 3))
    >>> R = tsqr([delayed(_triangle)(M[i : i + 10]) for i in range(0, 50, 10)])
    >>> bool(np.allclose(R.T @ R, M.T @ M))
    True
    """
    from lemma.distributed._collections import tree_reduce

    return compute(tree_reduce(parts, _stack_qr))


# ----------------------------------------------------------------------------- pass 1: scan
def _scan_block(Xb, yb, wb, owner, n_targets):
    """Rows, weights, column sums and squares, and y's sums for one partition."""
    return _scan_arrays(*read_block(Xb, yb, wb, owner, n_targets))


def _scan_arrays(X: np.ndarray, Y: np.ndarray | None, w: np.ndarray | None) -> dict:
    ww = np.ones(X.shape[0]) if w is None else w
    positive = ww > 0
    return {
        "n": X.shape[0],
        "n_positive": int(positive.sum()),
        "sum_w": float(ww.sum()),
        "sum_log_w": float(np.sum(np.log(ww[positive]))),
        "x_sum": ww @ X,
        "x_sq": np.einsum("ij,ij,i->j", X, X, ww),
        "y_moments": batch_moments(Y, w) if Y is not None else None,
        "y_sq": np.einsum("ij,ij,i->j", Y, Y, ww) if Y is not None else None,
    }


def _add(a: dict, b: dict) -> dict:
    out = {k: (None if a[k] is None else a[k] + b[k]) for k in a if k != "y_moments"}
    moments = a["y_moments"]
    out["y_moments"] = None if moments is None else combine_moments(moments, b["y_moments"])
    return out


def _scan(blocks: RowBlocks, owner: str, n_targets: int) -> dict:
    return _checked_scan(blocks.reduce(_scan_block, _add, owner, n_targets), owner)


def _checked_scan(scan: dict, owner: str) -> dict:
    if scan["n"] == 0:
        raise DataValidationError(f"{owner}: X has no rows; nothing to fit.")
    if not scan["sum_w"] > 0:
        raise DataValidationError(
            f"{owner}: sample_weight is all zero; at least one row needs a positive weight."
        )
    return scan


def _column_scale(scan: dict, intercept: bool) -> np.ndarray:
    """D: the 2-norms of the weighted design's columns (1 for a zero column)."""
    squares = np.concatenate([[scan["sum_w"]], scan["x_sq"]]) if intercept else scan["x_sq"]
    scale = np.sqrt(squares)
    scale[scale == 0] = 1.0
    return scale


# ----------------------------------------------------------------------------- pass 2: TSQR
def _augmented(X: np.ndarray, Y: np.ndarray, w: np.ndarray | None, intercept: bool,
               scale: np.ndarray) -> np.ndarray:  # fmt: skip
    """``[W^½[1, X]D⁻¹, W^½Y]`` of some rows, written once into a Fortran-ordered buffer."""
    q = scale.size
    M = np.empty((X.shape[0], q + Y.shape[1]), order="F")
    j0 = int(intercept)
    if intercept:
        M[:, 0] = 1.0 / scale[0]
    np.divide(X, scale[j0:], out=M[:, j0:q])
    M[:, q:] = Y
    if w is not None:
        M *= np.sqrt(w)[:, None]
    return M


def _tsqr_block(Xb, yb, wb, owner, n_targets, intercept, scale, centre_x, centre_y):
    """R factor of one partition's augmented matrix, by QR of CHUNK_ROWS rows at a time
    (each chunk stacked under the triangle so far), so a partition needs little memory."""
    X, Y, w = read_block(Xb, yb, wb, owner, n_targets)
    if centre_x is not None:
        X = X - centre_x
        Y = Y - centre_y
    return _chunked_triangle(X, Y, w, intercept, scale)


def _chunked_triangle(X, Y, w, intercept: bool, scale: np.ndarray) -> np.ndarray:
    R = np.zeros((0, scale.size + Y.shape[1]))
    for rows in _chunks(X.shape[0]):
        chunk = _augmented(X[rows], Y[rows], None if w is None else w[rows], intercept, scale)
        R = _triangle(np.vstack([R, chunk]) if R.size else chunk)
    return R if R.size else _triangle(R)


def _chunks(n: int) -> list[slice]:
    return [slice(start, start + CHUNK_ROWS) for start in range(0, n, CHUNK_ROWS)]


def _scan_and_triangle_block(Xb, yb, wb, owner, n_targets, intercept):
    """The scan of one partition and the R factor of its unscaled ``[W^½[1, X], W^½Y]``."""
    X, Y, w = read_block(Xb, yb, wb, owner, n_targets)
    ones = np.ones(X.shape[1] + int(intercept))
    return {"scan": _scan_arrays(X, Y, w), "R": _chunked_triangle(X, Y, w, intercept, ones)}


def _add_scan_and_triangle(a: dict, b: dict) -> dict:
    return {"scan": _add(a["scan"], b["scan"]), "R": _stack_qr(a["R"], b["R"])}


def _factor(blocks, owner, k, intercept, scale, centre_x=None, centre_y=None) -> np.ndarray:
    return tsqr(blocks.map(_tsqr_block, owner, k, intercept, scale, centre_x, centre_y))


# ----------------------------------------------------------------------------- refinement
def _normal_block(Xb, yb, wb, owner, k, intercept, scale, z):
    """``Aᵀ(y_w − Az)`` and ``‖y_w − Az‖²`` of one block, in long double.

    A is never formed: rounding ``X/D`` to float64 would perturb the problem by ε per
    entry and cap the refined accuracy at ε·κ. The residual uses the user's X and
    ``β = D⁻¹z`` (``r = W^½(y − [1, X]β)``), and ``Aᵀr = D⁻¹[1, X]ᵀW^½r``.
    """
    X, Y, w = read_block(Xb, yb, wb, owner, k)
    ext = np.longdouble
    beta = z.astype(ext) / scale.astype(ext)[:, None]
    j0 = int(intercept)
    g = np.zeros((scale.size, k), dtype=ext)
    rss = np.zeros(k, dtype=ext)
    for rows in _chunks(X.shape[0]):
        Xc = X[rows].astype(ext)
        r = Y[rows].astype(ext) - Xc @ beta[j0:]
        if intercept:
            r -= beta[0]
        sqrt_w = None if w is None else np.sqrt(w[rows]).astype(ext)[:, None]
        if sqrt_w is not None:
            r *= sqrt_w  # r = W^½(y − [1, X]β)
        rss += np.sum(r * r, axis=0)
        if sqrt_w is not None:
            r *= sqrt_w  # W^½r, for [1, X]ᵀW^½r
        g[j0:] += Xc.T @ r
        if intercept:
            g[0] += r.sum(axis=0)
    return {"g": g / scale.astype(ext)[:, None], "rss": rss}


def _ldadd(a: dict, b: dict) -> dict:
    return {"g": a["g"] + b["g"], "rss": a["rss"] + b["rss"]}


def _refine(blocks, owner, k, intercept, scale, R, z) -> tuple[np.ndarray, int, np.ndarray]:
    """Corrected semi-normal equations (module docstring): the iterate with the smallest
    scaled normal-equation residual ``‖D⁻¹Aᵀr‖∞``, the number of steps to it, and its
    residual sum of squares (long double, as the in-memory refined fit reports it)."""
    z = z.astype(np.longdouble)  # the iterate is accumulated in extended precision
    best_z, best_step, best_size, best_rss = z, 0, np.inf, None
    for step in range(MAX_REFINEMENTS + 1):
        sums = blocks.reduce(_normal_block, _ldadd, owner, k, intercept, scale, z)
        g = sums["g"]
        size = float(np.max(np.abs(g / scale[:, None])))
        if not size < best_size:
            break  # the last step did not help: refinement has reached its limit
        best_z, best_step, best_size, best_rss = z, step, size, sums["rss"]
        dz = sla.solve_triangular(R, sla.solve_triangular(R, g.astype(np.float64), trans="T"))
        if step == MAX_REFINEMENTS or np.max(np.abs(dz)) <= _EPS * np.max(np.abs(z)):
            break
        z = z + dz
    return best_z, best_step, best_rss


def _needs_refining(n: int, q: int, qty: np.ndarray, rho: np.ndarray, cond: float) -> bool:
    """The in-memory rule: always when n·q ≤ 10⁴, else when ε(κ + κ² tan θ) > 10⁻¹¹."""
    if n * q <= REFINE_SMALL:
        return True
    fitted = float(np.sum(qty**2))
    tan_theta = np.sqrt(float(np.sum(rho**2)) / fitted) if fitted > 0 else np.inf
    return bool(np.finfo(np.float64).eps * (cond + cond**2 * tan_theta) > 1e-11)


# ----------------------------------------------------------------------------- the solve
def _minimum_norm(blocks, owner, k, intercept, scan, rcond) -> np.ndarray:
    """Minimum-norm slopes (intercept free) from a TSQR of the centred weighted design."""
    p = blocks.n_features
    x_mean = scan["x_sum"] / scan["sum_w"] if intercept else np.zeros(p)
    y_mean = scan["y_moments"][1] if intercept else np.zeros(k)
    T = _factor(blocks, owner, k, False, np.ones(p), x_mean, y_mean)
    U, s, Vt = np.linalg.svd(T[:p, :p])
    keep = s > rcond * (s[0] if s.size else 0.0)
    slopes = Vt[keep].T @ ((U[:, keep].T @ T[:p, p:]) / s[keep, None])
    if not intercept:
        return slopes
    return np.vstack([y_mean - x_mean @ slopes, slopes])


def solve_least_squares(blocks: RowBlocks, owner: str, k: int, intercept: bool,
                        names: Any = None) -> tuple[LstsqResult, dict]:  # fmt: skip
    """Distributed :func:`lemma.linalg.lstsq` (method "qr"); also returns the scan.

    Returns the :class:`~lemma.linalg.LstsqResult` with coefficients of shape (q, k)
    (intercept first) and the first pass's sums.
    """
    first = blocks.reduce(_scan_and_triangle_block, _add_scan_and_triangle, owner, k, intercept)
    scan = _checked_scan(first["scan"], owner)
    scale = _column_scale(scan, intercept)
    q = scale.size
    n = scan["n"]
    rcond = float(np.finfo(np.float64).eps) * max(n, q)
    T = first["R"]
    T[:, :q] /= scale  # R(AD⁻¹) = R(A)D⁻¹: Householder QR is column-wise backward stable
    R, qty, rho = T[:q, :q], T[:q, q:], T[q:, q:]
    _, s, Vt = np.linalg.svd(R)
    rank, groups = _rank_and_groups(s, Vt, rcond)
    if rank < q:
        coef = _minimum_norm(blocks, owner, k, intercept, scan, rcond)
        result = LstsqResult(coef, rank, s, np.inf, groups, np.nan, "qr", 0, scale, None, Vt)
        _warn_rank(result, q, scan["n_positive"], names, intercept)
        return result, scan
    z = sla.solve_triangular(R, qty)
    cond = float(s[0] / s[-1])
    steps, rss = 0, np.nan
    if _needs_refining(n, q, qty, rho, cond):
        z, steps, rss_ext = _refine(blocks, owner, k, intercept, scale, R, z)
        rss = float(rss_ext[0]) if k == 1 else rss_ext.astype(np.float64)
    coef = (z / scale[:, None]).astype(np.float64)
    return LstsqResult(coef, rank, s, cond, groups, rss, "qr", steps, scale, R, Vt), scan


# ----------------------------------------------------------------------------- inference pass
def _moments(e: np.ndarray) -> dict:
    """Count, mean, central sums M2-M4, first/last value and Σ(Δe)² of one block's residuals."""
    n = e.size
    if n == 0:
        return {"n": 0, "mean": 0.0, "m2": 0.0, "m3": 0.0, "m4": 0.0, "first": 0.0,
                "last": 0.0, "dsq": 0.0}  # fmt: skip
    c = e - e.mean()
    c2 = c * c
    return {"n": n, "mean": float(e.mean()), "m2": float(c2.sum()), "m3": float(c2 @ c),
            "m4": float(c2 @ c2), "first": float(e[0]), "last": float(e[-1]),
            "dsq": float(np.sum(np.diff(e) ** 2))}  # fmt: skip


def _combine_moments(a: dict, b: dict) -> dict:
    """Pébay's pairwise update of (n, mean, M2, M3, M4); Durbin-Watson sums joined in order."""
    if a["n"] == 0:
        return b
    if b["n"] == 0:
        return a
    na, nb = a["n"], b["n"]
    n = na + nb
    d = b["mean"] - a["mean"]
    m2 = a["m2"] + b["m2"] + d * d * na * nb / n
    m3 = (a["m3"] + b["m3"] + d**3 * na * nb * (na - nb) / n**2
          + 3 * d * (na * b["m2"] - nb * a["m2"]) / n)  # fmt: skip
    m4 = (a["m4"] + b["m4"] + d**4 * na * nb * (na * na - na * nb + nb * nb) / n**3
          + 6 * d * d * (na * na * b["m2"] + nb * nb * a["m2"]) / n**2
          + 4 * d * (na * b["m3"] - nb * a["m3"]) / n)  # fmt: skip
    return {"n": n, "mean": a["mean"] + d * nb / n, "m2": m2, "m3": m3, "m4": m4,
            "first": a["first"], "last": b["last"],
            "dsq": a["dsq"] + b["dsq"] + (b["first"] - a["last"]) ** 2}  # fmt: skip


def _inference_block(Xb, yb, wb, owner, coef, intercept, robust):
    """Residual sums, moments and (if asked) this block's part of the robust sandwich."""
    X, Y, w = read_block(Xb, yb, wb, owner, 1)
    slopes, constant = coef[int(intercept) :, 0], (coef[0, 0] if intercept else 0.0)
    sqrt_w = None if w is None else np.sqrt(w)
    e = Y[:, 0] - (X @ slopes + constant)
    if sqrt_w is not None:
        e *= sqrt_w
    rss = np.longdouble(0)
    for rows in _chunks(X.shape[0]):
        ext = Y[rows, 0].astype(np.longdouble) - (
            X[rows].astype(np.longdouble) @ slopes.astype(np.longdouble) + np.longdouble(constant)
        )
        if sqrt_w is not None:
            ext *= sqrt_w[rows].astype(np.longdouble)
        rss += np.sum(ext * ext)
    positive = np.ones(e.size, dtype=bool) if w is None else w > 0
    out = {"rss": rss, "moments": _moments(e[positive]), "sandwich": None}
    if robust is not None:
        cov_type, R, scale, cov_unscaled = robust
        out["sandwich"] = robust_covariance(
            X, e, "HC0" if cov_type == "HC1" else cov_type, R=R, scale=scale,
            cov_unscaled=cov_unscaled, sqrt_weight=sqrt_w, fit_intercept=intercept, df_resid=1,
        )  # fmt: skip
    return out


def _combine_inference(a: dict, b: dict) -> dict:
    sandwich = None if a["sandwich"] is None else a["sandwich"] + b["sandwich"]
    return {"rss": a["rss"] + b["rss"], "sandwich": sandwich,
            "moments": _combine_moments(a["moments"], b["moments"])}  # fmt: skip


def _diagnostics(m: dict, rss: float) -> dict[str, float]:
    """:func:`lemma.stats.inference.residual_diagnostics` from combined moments."""
    n = m["n"]
    out = {"durbin_watson": m["dsq"] / rss if n > 1 and rss > 0 else np.nan}
    m2 = m["m2"] / n if n else 0.0
    names = ("skew", "kurtosis", "jarque_bera", "jarque_bera_p_value", "omnibus",
             "omnibus_p_value")  # fmt: skip
    if n < 3 or m2 == 0:
        return out | dict.fromkeys(names, np.nan)
    skew = m["m3"] / n / m2**1.5
    kurtosis = m["m4"] / n / m2**2
    jb = n / 6 * (skew**2 + (kurtosis - 3) ** 2 / 4)
    out |= {"skew": skew, "kurtosis": kurtosis, "jarque_bera": float(jb),
            "jarque_bera_p_value": chi2_sf_2(jb)}  # fmt: skip
    if n >= 20:
        k2 = _skew_z(skew, n) ** 2 + _kurtosis_z(kurtosis, n) ** 2
        return out | {"omnibus": float(k2), "omnibus_p_value": chi2_sf_2(k2)}
    return out | {"omnibus": np.nan, "omnibus_p_value": np.nan}


def _inference(model, blocks, solution, scan, target: str) -> OLSResults:
    """OLSResults as :meth:`LinearRegression._inference` builds them, from one more pass."""
    intercept = model.fit_intercept
    names = (list(model.feature_names_in_) if hasattr(model, "feature_names_in_")
             else [f"x{j}" for j in range(blocks.n_features)])  # fmt: skip
    index = (["intercept"] if intercept else []) + names
    cov_unscaled = np.asarray(solution.cov_unscaled(), dtype=np.float64)
    nobs = scan["n_positive"]
    robust = None
    if model.cov_type != "nonrobust" and nobs > solution.rank:
        robust = (model.cov_type, solution._R, solution._scale, cov_unscaled)
    coef = solution.coef
    out = blocks.reduce(_inference_block, _combine_inference, "LinearRegression", coef,
                        intercept, robust)  # fmt: skip
    # A refined fit's RSS is the refinement's, from the long-double iterate (as in memory).
    refined = float(np.ravel(solution.residual_ss)[0])
    rss = float(out["rss"]) if np.isnan(refined) else refined
    robust_cov = out["sandwich"]
    if robust_cov is not None and model.cov_type == "HC1":
        robust_cov = robust_cov * scan["n"] / (nobs - solution.rank)
    tss = scan["y_moments"][2][0] if intercept else scan["y_sq"][0]
    raw = solution.raw_singular_values()
    collinear = sorted({index[j] for group in solution.collinear for j in group})
    return OLSResults(
        params=pd.Series(coef[:, 0].astype(np.float64), index=index, name="coef"),
        cov_unscaled=cov_unscaled,
        residual_ss=rss,
        nobs=nobs,
        rank=solution.rank,
        fit_intercept=intercept,
        tss=float(tss),
        cov_type=model.cov_type,
        robust_cov=robust_cov,
        diagnostics=_diagnostics(out["moments"], rss),
        condition_number=float(raw[0] / raw[-1]) if raw[-1] > 0 else np.inf,
        condition_number_scaled=solution.cond,
        sum_log_weights=scan["sum_log_w"],
        not_identifiable=collinear,
        target=target,
    )


# ----------------------------------------------------------------------------- estimators
def n_targets(y: Any, owner: str) -> int:
    """Columns of a Dask target: 1 for a Series or 1-D array; a DataFrame's width."""
    if y is None:
        raise DataValidationError(f"{owner} requires y to be passed, but the target y is None.")
    if getattr(y, "ndim", 1) != 2:
        return 1
    return len(y.columns) if is_frame(y) else int(y.shape[1])


def target_ndim(y: Any) -> int:
    return 2 if getattr(y, "ndim", 1) == 2 else 1


def record_features(model: Any, blocks: RowBlocks) -> None:
    """``n_features_in_`` and ``feature_names_in_`` as ``validate_data`` records them."""
    model.n_features_in_ = blocks.n_features
    if blocks.feature_names is not None:
        model.feature_names_in_ = blocks.feature_names
    elif hasattr(model, "feature_names_in_"):
        del model.feature_names_in_


def target_name(y: Any) -> str:
    return str(getattr(y, "name", None) or "y")


def fit_linear_regression(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """:meth:`LinearRegression.fit` on Dask collections (TSQR; module docstring).

    ``solver`` is not used: the distributed fit is always the QR method.
    """
    model._validate_params()
    owner = "LinearRegression"
    k = n_targets(y, owner)
    blocks = row_blocks(X, y, sample_weight, owner=owner)
    record_features(model, blocks)
    names = getattr(model, "feature_names_in_", None)
    solution, scan = solve_least_squares(blocks, owner, k, model.fit_intercept, names)
    dtype = blocks.dtype if blocks.dtype.kind == "f" else np.dtype(np.float64)
    coef = solution.coef.astype(dtype)
    start = int(model.fit_intercept)
    if target_ndim(y) == 2:
        model.coef_ = coef[start:].T.copy()
        model.intercept_ = coef[0].copy() if model.fit_intercept else np.zeros(k, dtype)
    else:
        model.coef_ = coef[start:, 0].copy()
        model.intercept_ = coef[0, 0] if model.fit_intercept else dtype.type(0.0)
    model.rank_ = solution.rank
    model.singular_ = solution.singular_values
    model.cond_ = solution.cond
    model.result_ = None
    if target_ndim(y) == 1:
        model.result_ = _inference(model, blocks, solution, scan, target_name(y))
    return model


# ----------------------------------------------------------------------------- ridge
def _gram_block(Xb, yb, wb, owner, k, x_mean, y_mean):
    X, Y, w = read_block(Xb, yb, wb, owner, k)
    return weighted_gram(X, Y - y_mean, w, center=x_mean)


def _add_pair(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def _ridge_svd(T: np.ndarray, p: int, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``β = V diag(s/(s² + α)) Uᵀỹ`` from the TSQR of ``W^½[X̃, ỹ]`` (zero s skipped)."""
    U, s, Vt = np.linalg.svd(T[:p, :p])
    uty = U.T @ T[:p, p:]
    alphas = np.broadcast_to(np.atleast_1d(alpha), (uty.shape[1],))
    denom = (s**2)[:, None] + alphas[None, :]
    keep = (s > 0)[:, None]
    shrink = np.where(keep, s[:, None] / np.where(keep, denom, 1.0), 0.0)
    return Vt.T @ (shrink * uty), s**2


def _ridge_cholesky(gram: np.ndarray, xty: np.ndarray, alpha: np.ndarray):
    sq_singular = np.linalg.eigvalsh(gram)
    alphas = np.broadcast_to(np.atleast_1d(alpha), (xty.shape[1],))
    coefs = []
    for j, a in enumerate(alphas):
        system = gram.copy()
        system.flat[:: system.shape[0] + 1] += a
        coefs.append(sla.solve(system, xty[:, j], assume_a="pos"))
    return np.column_stack(coefs), sq_singular


def fit_ridge(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """:meth:`Ridge.fit` on Dask collections (the centred Gram matrix, or TSQR for the SVD)."""
    model._validate_params()
    owner = "Ridge"
    k = n_targets(y, owner)
    blocks = row_blocks(X, y, sample_weight, owner=owner)
    record_features(model, blocks)
    two_d = target_ndim(y) == 2
    alpha = model._check_alpha(np.empty((0, k)) if two_d else np.empty(0))
    scan = _scan(blocks, owner, k)
    p = blocks.n_features
    x_mean = scan["x_sum"] / scan["sum_w"] if model.fit_intercept else np.zeros(p)
    y_mean = scan["y_moments"][1] if model.fit_intercept else np.zeros(k)
    solver = model.solver
    if solver == "auto":
        solver = "cholesky" if scan["n"] >= p else "svd"
    if solver == "svd" or np.any(alpha == 0):
        T = _factor(blocks, owner, k, False, np.ones(p), x_mean, y_mean)
        coef, sq_singular = _ridge_svd(T, p, alpha)
    else:
        gram, xty = blocks.reduce(_gram_block, _add_pair, owner, k, x_mean, y_mean)
        coef, sq_singular = _ridge_cholesky(gram, xty, alpha)
    dtype = blocks.dtype if blocks.dtype.kind == "f" else np.dtype(np.float64)
    coef = coef.astype(dtype)
    intercept = y_mean - x_mean @ coef
    model.coef_ = coef.T.copy() if two_d else coef[:, 0].copy()
    model.intercept_ = intercept if two_d else intercept.item()
    model.effective_df_ = model._effective_df(sq_singular, alpha)
    model._target = target_name(y)
    return model
