"""Ridge regression: least squares with an L2 penalty on the slopes.

Objective (scikit-learn's scaling; the intercept b is not penalised)::

    minimise over (b, β)   Σᵢ wᵢ (yᵢ − b − xᵢᵀβ)² + α ‖β‖²

With X and y centred about their weighted means (``X̃``, ``ỹ``, which removes b),
the gradient ``−2X̃ᵀW(ỹ − X̃β) + 2αβ`` vanishes at the closed form

    primal (n ≥ p):  β = (X̃ᵀWX̃ + αI)⁻¹ X̃ᵀWỹ             (p × p system)
    dual   (n < p):  β = X̃ᵀW^½ (W^½X̃X̃ᵀW^½ + αI)⁻¹ W^½ỹ     (n × n system)

and ``b = ȳ − x̄ᵀβ``. For α > 0 the system is positive definite, so Cholesky
solves it; ``solver="svd"`` uses ``X̃ = USVᵀ`` and ``β = V diag(s/(s² + α)) Uᵀỹ``,
stable even as α → 0, where ridge becomes the minimum-norm least-squares fit.
The effective degrees of freedom ``df(α) = Σ s²/(s² + α)`` fall from p (α = 0) to
0 (α → ∞).

Reference: Hoerl & Kennard, "Ridge regression", Technometrics 12 (1970); Hastie,
Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., §3.4.1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla

from lemma._constraints import ARRAY_LIKE, BOOL, Interval, Options
from lemma.base import BaseEstimator, RegressorMixin, Tags
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError
from lemma.linalg import weighted_gram
from lemma.models.linear._base import LinearPredictorMixin
from lemma.stats.inference.summary import Summary
from lemma.validation import check_sample_weight, validate_data

__all__ = ["Ridge"]


def _centre(X, y, w, fit_intercept):
    if not fit_intercept:
        return np.zeros(X.shape[1], X.dtype), np.zeros(y.shape[1:], y.dtype)
    x_mean = np.average(X, axis=0, weights=w).astype(X.dtype)
    y_mean = np.average(y, axis=0, weights=w).astype(y.dtype)
    return x_mean, y_mean


def _solve_primal(X, y, w, x_mean, y_mean, alpha):
    """Cholesky on ``X̃ᵀWX̃ + αI``; also returns the eigenvalues of ``X̃ᵀWX̃`` (= s²)."""
    gram, xty = weighted_gram(X, y - y_mean, w, center=x_mean)
    sq_singular = np.linalg.eigvalsh(gram.astype(np.float64))
    alphas = np.atleast_1d(alpha)
    coefs = []
    for k, a in enumerate(alphas):
        system = gram.copy()
        system.flat[:: system.shape[0] + 1] += a
        rhs = xty if alphas.size == 1 else xty[:, k]
        coefs.append(sla.solve(system, rhs, assume_a="pos", overwrite_a=True))
    coef = coefs[0] if alphas.size == 1 else np.column_stack(coefs)
    return coef, sq_singular


def _scaled_centred(X, y, w, x_mean, y_mean):
    sw = np.ones(X.shape[0], X.dtype) if w is None else np.sqrt(w).astype(X.dtype)
    Xs = (X - x_mean) * sw[:, None]
    ys = (y - y_mean) * (sw[:, None] if y.ndim == 2 else sw)
    return Xs, ys


def _solve_dual(X, y, w, x_mean, y_mean, alpha):
    """Cholesky on the n × n kernel ``W^½X̃X̃ᵀW^½ + αI``; its eigenvalues are s² too."""
    Xs, ys = _scaled_centred(X, y, w, x_mean, y_mean)
    kernel = Xs @ Xs.T
    sq_singular = np.linalg.eigvalsh(kernel.astype(np.float64))
    alphas = np.atleast_1d(alpha)
    duals = []
    for k, a in enumerate(alphas):
        system = kernel.copy()
        system.flat[:: system.shape[0] + 1] += a
        rhs = ys if alphas.size == 1 else ys[:, k]
        duals.append(sla.solve(system, rhs, assume_a="pos", overwrite_a=True))
    dual = duals[0] if alphas.size == 1 else np.column_stack(duals)
    return Xs.T @ dual, sq_singular


def _solve_svd(X, y, w, x_mean, y_mean, alpha):
    """``β = V diag(s/(s² + α)) Uᵀỹ`` (zero weight on null directions)."""
    Xs, ys = _scaled_centred(X, y, w, x_mean, y_mean)
    U, s, Vt = sla.svd(Xs, full_matrices=False, lapack_driver="gesdd")
    uty = U.T @ ys
    alphas = np.asarray(alpha, dtype=X.dtype)
    denom = s**2 if uty.ndim == 1 else (s**2)[:, None]
    denom = denom + (alphas if uty.ndim == 1 else alphas[None, :] * np.ones((1, uty.shape[1])))
    keep = (s > 0) if uty.ndim == 1 else (s > 0)[:, None]
    safe = np.where(keep, denom, 1.0)
    shrink = np.where(keep, (s if uty.ndim == 1 else s[:, None]) / safe, 0.0)
    return Vt.T @ (shrink * uty), s.astype(np.float64) ** 2


_SOLVERS = {"cholesky": _solve_primal, "dual": _solve_dual, "svd": _solve_svd}


class Ridge(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Least squares with an L2 penalty, ``Σ wᵢ(yᵢ − b − xᵢᵀβ)² + α‖β‖²``.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength (≥ 0); one per target if an array.
    fit_intercept : bool, default=True
        Fit an unpenalised constant.
    solver : {"auto", "cholesky", "svd"}, default="auto"
        "auto": Cholesky on the p × p normal equations when n ≥ p, on the n × n
        kernel (dual) system otherwise; "svd": the singular value decomposition
        (stable for tiny alpha).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    effective_df_ : float or ndarray
        Effective degrees of freedom ``Σ s²/(s² + α)`` of the slopes.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 5.0, 6.0])
    >>> Ridge(alpha=1.0).fit(X, y).coef_.round(4)
    array([1.4118, 0.5294])
    """

    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="left"), ARRAY_LIKE],
        "fit_intercept": [BOOL],
        "solver": [Options({"auto", "cholesky", "svd"})],
    }

    def __init__(
        self, alpha: float | Any = 1.0, *, fit_intercept: bool = True, solver: str = "auto"
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit by the closed form (see the module docstring).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        X, y = validate_data(self, X, y, y_numeric=True, multi_output=True)
        w = (
            None
            if sample_weight is None
            else check_sample_weight(sample_weight, X.shape[0], X.dtype)
        )
        alpha = self._check_alpha(y)
        x_mean, y_mean = _centre(X, y, w, self.fit_intercept)
        solver = self.solver
        if solver == "auto":
            solver = "cholesky" if X.shape[0] >= X.shape[1] else "dual"
        if solver == "cholesky" and np.any(alpha == 0):
            solver = "svd"  # the normal equations may be singular without a penalty
        coef, sq_singular = _SOLVERS[solver](X, y, w, x_mean, y_mean, alpha)
        coef = coef.astype(X.dtype)
        self.coef_ = coef.T.copy() if coef.ndim == 2 else coef
        intercept = y_mean - x_mean @ coef
        self.intercept_ = intercept if intercept.ndim else intercept.item()
        self.effective_df_ = self._effective_df(sq_singular, alpha)
        self._target = str(getattr(y, "name", None) or "y")
        return self

    def _check_alpha(self, y: np.ndarray) -> np.ndarray:
        alpha = np.asarray(self.alpha, dtype=np.float64)
        if alpha.ndim == 0:
            return alpha
        n_targets = 1 if y.ndim == 1 else y.shape[1]
        if alpha.shape != (n_targets,) or np.any(alpha < 0) or not np.all(np.isfinite(alpha)):
            raise DataValidationError(
                f"alpha must be a non-negative number or one per target ({n_targets}); got "
                f"{self.alpha!r}."
            )
        return alpha if n_targets > 1 else alpha[0]

    @staticmethod
    def _effective_df(sq_singular: np.ndarray, alpha) -> float | np.ndarray:
        """``Σ s²/(s² + α)`` from the squared singular values the solver produced."""
        eig = np.clip(sq_singular, 0, None)
        eig = eig[eig > 1e-12 * max(eig.max(initial=0.0), 1e-300)]
        df = np.array([np.sum(eig / (eig + a)) for a in np.atleast_1d(alpha)])
        return float(df[0]) if np.ndim(alpha) == 0 else df

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values ``b + Xβ``."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        return self._linear_predictor(X)

    def summary(self, level: float = 0.95) -> Summary:
        """Coefficients and effective degrees of freedom; no p-values (penalised fit)."""
        self._check_is_fitted()
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(self.n_features_in_)]
        )
        coef = np.atleast_2d(self.coef_)
        intercept = np.atleast_1d(self.intercept_)
        columns = ["coef"] if coef.shape[0] == 1 else [f"coef[{k}]" for k in range(coef.shape[0])]
        rows = (["intercept"] if self.fit_intercept else []) + names
        values = np.vstack([intercept[None, :], coef.T]) if self.fit_intercept else coef.T
        table = pd.DataFrame(values, index=rows, columns=columns)
        info = [
            ("Penalty alpha", float(np.mean(self.alpha))),
            ("Effective df", float(np.mean(self.effective_df_))),
            ("Features", self.n_features_in_),
        ]
        note = (
            "Penalised fit: the L2 penalty shrinks coefficients towards 0, so classical "
            "standard errors, t statistics and p-values would be misleading and are not "
            "shown. For inference refit with LinearRegression (alpha = 0), or bootstrap."
        )
        return Summary(f"Ridge regression: {self._target}", info, table, [note])

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.multi_output = True
        return tags
