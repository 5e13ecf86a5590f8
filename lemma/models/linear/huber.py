"""Huber regression with a concomitant scale: least squares that outliers in y cannot drag.

Objective (scikit-learn's ``HuberRegressor``; threshold ε ≥ 1, penalty α ≥ 0)::

    minimise over (β, b, σ > 0)   F = Σᵢ wᵢ (σ + σ·H(zᵢ)) + α‖β‖²,    zᵢ = (yᵢ − xᵢᵀβ − b) / σ

    H(z) = z²               |z| ≤ ε
         = 2ε|z| − ε²       |z| > ε

``H = 2ρ`` with ρ lemma's :class:`~lemma.losses.HuberLoss` (δ = ε), and
``H'(z) = 2ψ(z)``, ``ψ(z) = clip(z, −ε, ε)``. The term ``σ(1 + H(e/σ))`` is the
perspective of a convex function, so F is jointly convex in (β, b, σ); minimising
over σ makes σ̂ a robust scale of the residuals, so ε is measured in units of σ̂ and
the fit is equivariant to rescaling y (Owen's concomitant scale). The gradient::

    ∂F/∂β = −2 Σᵢ wᵢ ψ(zᵢ) xᵢ + 2αβ
    ∂F/∂b = −2 Σᵢ wᵢ ψ(zᵢ)
    ∂F/∂σ = Σᵢ wᵢ (1 + H(zᵢ) − zᵢH'(zᵢ)) = Σᵢ wᵢ (1 − min(zᵢ², ε²))

is continuous (F is once, not twice, differentiable), so the fit is L-BFGS-B
(``lemma.optim`` method ``"lbfgs"``) with the bound ``σ ≥ 10·ε_mach``, in float64
(float32 input is converted; ``coef_`` is returned in the input's type). The
optimizer sees ``F/Σw``: the same minimiser, but ``tol`` then bounds the gradient of
a mean, which L-BFGS can reach whatever n (the gradient of the sum cannot fall much
below ``√(ε_mach·F·L)``, which grows with n; scikit-learn's L-BFGS-B instead stops
on a relative decrease of F). Rows with ``|zᵢ| > ε`` at the solution are the outliers.

Reference: Owen, "A robust hybrid of lasso and ridge regression", Contemporary
Mathematics 443 (2007); Huber & Ronchetti, *Robust Statistics*, 2nd ed., 2009, §7.7.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import BOOL, Interval
from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import ConvergenceWarning, NumericalWarning, interop
from lemma.losses import HuberLoss
from lemma.models.linear._base import LinearPredictorMixin
from lemma.optim import minimize
from lemma.stats.inference.summary import Summary
from lemma.validation import check_sample_weight, validate_data

__all__ = ["HuberRegressor", "huber_objective"]

#: Lower bound on σ.
SIGMA_MIN = 10 * np.finfo(np.float64).eps
#: σ below this times the spread of y means the scale collapsed (an exact fit).
COLLAPSED_SCALE = 1e-8


def huber_objective(
    params: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    epsilon: float,
    alpha: float,
    fit_intercept: bool = True,
) -> tuple[float, np.ndarray]:
    """F and its gradient (see the module docstring).

    Parameters
    ----------
    params : ndarray of shape (n_features + fit_intercept + 1,)
        ``(β, b, σ)``, or ``(β, σ)`` without an intercept.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,)
    epsilon : float
    alpha : float
    fit_intercept : bool, default=True

    Returns
    -------
    value : float
    gradient : ndarray of params' shape

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 5.0])
    >>> value, grad = huber_objective(np.array([1.0, 0.0, 1.0]), X, y, np.ones(3), 1.35, 0.0)
    >>> round(value, 4), grad.round(4)  # the third residual (3) is an outlier
    (9.2775, array([-5.4   , -2.7   ,  1.1775]))
    """
    d = X.shape[1]
    beta, sigma = params[:d], params[-1]
    residual = y - X @ beta.astype(X.dtype, copy=False)
    if fit_intercept:
        residual = residual - params[d]
    z = np.asarray(residual, dtype=np.float64) / sigma
    rho, psi = HuberLoss(epsilon).loss_gradient_pointwise(0.0, z)
    weighted_psi = sample_weight * psi
    value = float(np.dot(sample_weight, sigma * (1 + 2 * rho))) + alpha * float(beta @ beta)
    grad = np.empty_like(params, dtype=np.float64)
    grad[:d] = -2 * np.asarray(weighted_psi.astype(X.dtype) @ X, dtype=np.float64)
    grad[:d] += 2 * alpha * beta
    if fit_intercept:
        grad[d] = -2 * weighted_psi.sum()
    grad[-1] = float(np.dot(sample_weight, 1 - np.minimum(z * z, epsilon * epsilon)))
    return value, grad


class HuberRegressor(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Linear regression robust to outliers: Huber loss with a jointly estimated scale.

    Minimises ``Σ wᵢ(σ + σ·H((yᵢ − xᵢᵀβ − b)/σ)) + α‖β‖²`` over (β, b, σ) (see the
    module docstring).

    Parameters
    ----------
    epsilon : float, default=1.35
        Threshold ε ≥ 1 in units of σ: residuals beyond εσ count linearly. 1.35
        gives 95% efficiency at normal errors.
    max_iter : int, default=100
        Maximum L-BFGS-B iterations.
    alpha : float, default=1e-4
        L2 penalty strength on β (≥ 0).
    warm_start : bool, default=False
        Start from the previous fit's (β, b, σ).
    fit_intercept : bool, default=True
        Fit the unpenalised constant b.
    tol : float, default=1e-5
        Stop when the ∞-norm of the projected gradient of ``F/Σw`` is at most ``tol``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    scale_ : float
        σ̂.
    outliers_ : ndarray of bool, shape (n_samples,)
        Rows with ``|yᵢ − xᵢᵀβ − b| > ε·σ̂``.
    n_iter_ : int
    history_ : ndarray of shape (n_iter_ + 1,)
        F (the sum over rows) after each iteration.
    converged_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import HuberRegressor
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = 2 * X[:, 0] + 1 + np.array([0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.3, -0.3, 0.1])
    >>> y[9] = 100.0  # one gross outlier
    >>> model = HuberRegressor().fit(X, y)
    >>> round(float(model.coef_[0]), 2), bool(model.outliers_[9])
    (2.02, True)
    """

    _parameter_constraints = {
        "epsilon": [Interval(float, 1, None, closed="left")],
        "max_iter": [Interval(int, 1, None)],
        "alpha": [Interval(float, 0, None, closed="left")],
        "warm_start": [BOOL],
        "fit_intercept": [BOOL],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        epsilon: float = 1.35,
        max_iter: int = 100,
        alpha: float = 1e-4,
        warm_start: bool = False,
        fit_intercept: bool = True,
        tol: float = 1e-5,
    ):
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.alpha = alpha
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> HuberRegressor:
        """Fit by L-BFGS-B on (β, b, σ).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._validate_params()
        self._target = str(getattr(y, "name", None) or "y")
        X, y = validate_data(self, X, y, y_numeric=True, dtype=(np.float64, np.float32))
        w = check_sample_weight(sample_weight, X.shape[0])
        d = X.shape[1]
        x0 = np.zeros(d + int(self.fit_intercept) + 1)
        x0[-1] = 1.0
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (d,):
            x0[:d] = self.coef_
            x0[-1] = self.scale_
            if self.fit_intercept:
                x0[d] = self.intercept_
        bounds = [(None, None)] * (x0.size - 1) + [(SIGMA_MIN, None)]
        X64, y64, total = np.asarray(X, np.float64), np.asarray(y, np.float64), float(w.sum())

        def mean_objective(params: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = huber_objective(params, X64, y64, w, self.epsilon, self.alpha,
                                          self.fit_intercept)  # fmt: skip
            return value / total, grad / total

        result = minimize(mean_objective, x0, method="lbfgs", tol=self.tol,
                          max_iter=self.max_iter, owner="HuberRegressor", bounds=bounds,
                          warn=False)  # fmt: skip
        self.coef_ = result.x[:d].astype(X.dtype)
        self.intercept_ = float(result.x[d]) if self.fit_intercept else 0.0
        self.scale_ = float(result.x[-1])
        residual = y - X @ self.coef_ - self.intercept_
        self.outliers_ = np.abs(residual) > self.epsilon * self.scale_
        self.n_iter_ = int(result.n_iter)
        self.history_ = result.history * total
        self.converged_ = bool(result.converged)
        self._warn_unconverged(result, y64, n_rows=int(np.count_nonzero(w > 0)))
        return self

    def _warn_unconverged(self, result, y: np.ndarray, n_rows: int) -> None:
        """ConvergenceWarning, or a NumericalWarning when σ collapses (an exact fit)."""
        n_params = result.x.size - 1
        if n_rows <= n_params:
            warnings.warn(
                f"HuberRegressor: {n_rows} rows with positive weight for {n_params} "
                "coefficients: the fit can interpolate the data, the scale collapses to 0 "
                "and the coefficients are not identifiable. Use fewer features or more rows.",
                NumericalWarning,
                stacklevel=3,
            )
            return
        if result.converged:
            return
        spread = float(np.max(np.abs(y - np.median(y)), initial=0.0))
        if self.scale_ <= COLLAPSED_SCALE * max(spread, 1.0):
            warnings.warn(
                f"HuberRegressor: the scale fell to {self.scale_:.2g}: the non-outlying rows "
                "are fitted exactly, so the fit is a least-absolute-deviation fit whose "
                "scale_ means nothing and whose optimum L-BFGS cannot certify "
                f"({result.message}). Check whether y is an exact function of X.",
                NumericalWarning,
                stacklevel=3,
            )
            return
        warnings.warn(
            f"HuberRegressor: lbfgs did not converge ({result.message}); increase max_iter, "
            "loosen tol, or scale the features.",
            interop(ConvergenceWarning),
            stacklevel=3,
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values ``Xβ + b``, shape (n_samples,)."""
        return self._linear_predictor(X)

    def summary(self, level: float = 0.95) -> Summary:
        """Coefficients, scale and outlier count (no standard errors: M-estimation
        inference is not implemented). ``level`` is accepted for a common signature."""
        self._check_is_fitted()
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else [f"x{j}" for j in range(self.n_features_in_)]
        rows = (["intercept"] if self.fit_intercept else []) + names
        values = ([self.intercept_] if self.fit_intercept else []) + list(self.coef_)
        table = pd.DataFrame({"coef": np.asarray(values, dtype=np.float64)}, index=rows)
        info = [
            ("Epsilon", float(self.epsilon)),
            ("Scale", self.scale_),
            ("Penalty alpha", float(self.alpha)),
            ("Outliers", int(self.outliers_.sum())),
            ("Observations", int(self.outliers_.size)),
            ("Iterations", self.n_iter_),
        ]
        note = (
            f"Rows whose residual exceeds epsilon × scale = {self.epsilon * self.scale_:.4g} "
            "count linearly (outliers). Standard errors are not shown: they would need the "
            "M-estimator's sandwich covariance; bootstrap the fit for intervals."
        )
        return Summary(f"Huber regression: {self._target}", info, table, [note])
