"""Ordinary (and weighted) least squares.

Model: ``y = b + Xβ + ε``. Objective::

    minimise over (b, β)   Σᵢ wᵢ (yᵢ − b − xᵢᵀβ)²

Setting the gradient ``−2 Zᵀ W (y − Zθ)`` (``Z = [1, X]``, ``θ = (b, β)``) to zero
gives the normal equations ``ZᵀWZ θ = ZᵀWy``. lemma never forms ``ZᵀWZ``: it
solves the least-squares problem by Householder QR of the column-scaled design,
with extended-precision refinement (:func:`lemma.linalg.lstsq`), which keeps about
twice as many correct digits as the normal equations on ill-conditioned data.
Inference (:class:`lemma.stats.inference.OLSResults`): ``Var θ̂ = σ²(ZᵀWZ)⁻¹`` or a
heteroskedasticity-robust sandwich (``cov_type="HC0".."HC3"``).

Reference: Björck, *Numerical Methods for Least Squares Problems* (SIAM 1996);
Greene, *Econometric Analysis*, 8th ed., ch. 4.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import BOOL, Options
from lemma.base import BaseEstimator, RegressorMixin, Tags
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.linalg import lstsq
from lemma.models.linear._base import LinearPredictorMixin
from lemma.stats.inference import COV_TYPES, OLSResults, residual_diagnostics, robust_covariance
from lemma.validation import check_sample_weight, validate_data

__all__ = ["LinearRegression"]

#: solver name -> lstsq method ("auto" is QR: the accurate default).
_SOLVERS = {"auto": "qr", "qr": "qr", "svd": "svd", "cholesky": "cholesky"}


class LinearRegression(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Ordinary least squares with statistical inference.

    Minimises ``Σ wᵢ (yᵢ − b − xᵢᵀβ)²`` (see the module docstring).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit the constant b.
    solver : {"auto", "qr", "svd", "cholesky"}, default="auto"
        "auto"/"qr": Householder QR with column scaling and extended-precision
        refinement (most accurate); "svd": singular value decomposition;
        "cholesky": normal equations (fastest, loses accuracy as κ²).
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3"}, default="nonrobust"
        Covariance of the coefficients used by :meth:`summary`; the HC types are
        heteroskedasticity-robust and are computed during ``fit``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    rank_ : int
        Numerical rank of the design (with the constant column).
    singular_ : ndarray
        Singular values of the column-scaled design.
    cond_ : float
        Condition number of the column-scaled design.
    result_ : OLSResults or None
        Inference (None for several targets).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> from lemma.io.datasets import load_longley
    >>> from lemma.models.linear import LinearRegression
    >>> data = load_longley()
    >>> model = LinearRegression().fit(data.drop(columns="employed"), data["employed"])
    >>> round(model.result_.rsquared, 6)
    0.995479
    >>> model.summary().to_frame().loc["year", ["coef", "std_err"]].round(4).tolist()
    [1829.1515, 455.4785]
    """

    _parameter_constraints = {
        "fit_intercept": [BOOL],
        "solver": [Options(_SOLVERS)],
        "cov_type": [Options(COV_TYPES)],
    }
    _accepted_dtypes = (np.float64, np.float32, np.longdouble)

    def __init__(
        self, *, fit_intercept: bool = True, solver: str = "auto", cov_type: str = "nonrobust"
    ):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.cov_type = cov_type

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit by least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float64, float32, or np.longdouble for an extended-precision fit.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights (precision weights for inference).

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        target = str(getattr(y, "name", None) or "y")
        X, y = validate_data(
            self, X, y, y_numeric=True, multi_output=True, dtype=self._accepted_dtypes
        )
        w = (
            None
            if sample_weight is None
            else check_sample_weight(sample_weight, X.shape[0], X.dtype)
        )
        names = getattr(self, "feature_names_in_", None)
        solution = lstsq(
            X,
            y,
            sample_weight=w,
            fit_intercept=self.fit_intercept,
            method=_SOLVERS[self.solver],
            names=names,
        )
        coef = solution.coef
        start = int(self.fit_intercept)
        self.coef_ = coef[start:].T.copy() if coef.ndim == 2 else coef[start:].copy()
        if coef.ndim == 2:
            self.intercept_ = (
                coef[0].copy() if self.fit_intercept else np.zeros(coef.shape[1], X.dtype)
            )
        else:
            self.intercept_ = coef[0] if self.fit_intercept else X.dtype.type(0.0)
        self.rank_ = solution.rank
        self.singular_ = solution.singular_values
        self.cond_ = solution.cond
        self.result_ = self._inference(X, y, w, solution, target) if y.ndim == 1 else None
        return self

    def _inference(self, X, y, w, solution, target: str) -> OLSResults:
        """Everything inference needs from the data, computed once while X is at hand."""
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(X.shape[1])]
        )
        index = (["intercept"] if self.fit_intercept else []) + names
        sqrt_w = None if w is None else np.sqrt(w.astype(np.float64))
        wresid = (y - self._predict_raw(X)).astype(np.float64)
        if sqrt_w is not None:
            wresid *= sqrt_w
        w64 = np.ones(y.shape[0]) if w is None else w.astype(np.float64)
        y64 = y.astype(np.float64)
        centre = np.average(y64, weights=w64) if self.fit_intercept else 0.0
        tss = float(np.sum(w64 * (y64 - centre) ** 2))
        cov_unscaled = np.asarray(solution.cov_unscaled(), dtype=np.float64)
        nobs = int(np.count_nonzero(w64 > 0))
        robust = None
        if self.cov_type != "nonrobust" and nobs > solution.rank:
            robust = robust_covariance(
                X,
                wresid,
                self.cov_type,
                R=solution._R,
                scale=solution._scale,
                cov_unscaled=cov_unscaled,
                sqrt_weight=sqrt_w,
                fit_intercept=self.fit_intercept,
                df_resid=nobs - solution.rank,
            )
        raw = solution.raw_singular_values()
        collinear = sorted({index[j] for group in solution.collinear for j in group})
        return OLSResults(
            params=pd.Series(np.asarray(solution.coef, dtype=np.float64), index=index, name="coef"),
            cov_unscaled=cov_unscaled,
            residual_ss=float(solution.residual_ss),
            nobs=nobs,
            rank=solution.rank,
            fit_intercept=self.fit_intercept,
            tss=tss,
            cov_type=self.cov_type,
            robust_cov=robust,
            diagnostics=residual_diagnostics(wresid[w64 > 0]),
            condition_number=float(raw[0] / raw[-1]) if raw[-1] > 0 else np.inf,
            condition_number_scaled=solution.cond,
            sum_log_weights=float(np.sum(np.log(w64[w64 > 0]))),
            not_identifiable=collinear,
            target=target,
        )

    def _predict_raw(self, X: np.ndarray) -> np.ndarray:
        eta = X @ self.coef_.T if self.coef_.ndim == 2 else X @ self.coef_
        return eta + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values ``b + Xβ``, shape (n_samples,) or (n_samples, n_targets)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        return self._linear_predictor(X)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.multi_output = True
        return tags
