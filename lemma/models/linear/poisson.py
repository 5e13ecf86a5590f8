"""Poisson regression: a log-linear model for counts, optionally with an L2 penalty.

Model: ``yᵢ ~ Poisson(μᵢ)``, ``log μᵢ = ηᵢ = xᵢᵀβ + b``. Objective (scikit-learn's;
the intercept b is not penalised)::

    minimise over (β, b)   1/(2Σw) Σᵢ wᵢ dev(yᵢ, μᵢ) + (α/2)‖β‖²,
    dev(y, μ) = 2(y log(y/μ) − y + μ)                   (the unit deviance; 0·log 0 = 0)

Half the unit deviance is lemma's :class:`~lemma.losses.PoissonLoss`,
``ℓ = e^η − yη + y log y − y`` with ``ℓ' = μ − y`` and ``ℓ'' = μ``, so with
``Z = [X, 1]``::

    ∇ = Zᵀ(w ⊙ (μ − y)) / Σw + (αβ, 0),     ∇² = Zᵀ diag(w ⊙ μ) Z / Σw + diag(α, …, α, 0).

Newton's method on it is IRLS with working weights ``wᵢμᵢ``. With ``α = 0`` the fit is
maximum likelihood: the log-likelihood is ``Σ wᵢ(yᵢ log μᵢ − μᵢ − log yᵢ!)``, the
Fisher information ``Zᵀ diag(w ⊙ μ) Z``, and ``summary()`` gives Wald inference
(:class:`~lemma.stats.inference.GLMResults`, as statsmodels' ``GLM(family=Poisson())``;
sample weights are frequency weights, nobs = Σw).

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §2.5
(IRLS) and ch. 6 (log-linear models for counts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaln, xlogy

from lemma._constraints import BOOL, Interval, Options
from lemma.base import BaseEstimator, RegressorMixin, Tags
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import DataValidationError
from lemma.losses import PoissonLoss
from lemma.models.linear._base import LinearPredictorMixin
from lemma.models.linear._glm import (
    SOLVERS,
    GLMObjective,
    choose_solver,
    covariance,
    design_information,
    fit_glm,
    penalised_summary,
)
from lemma.penalties import L2, NoPenalty
from lemma.stats.inference import GLMResults
from lemma.stats.inference.summary import Summary
from lemma.validation import check_sample_weight, validate_data

__all__ = ["PoissonRegressor"]


def _half_deviance(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``y log(y/μ) − y + μ`` per row (half the unit deviance)."""
    return xlogy(y, y) - xlogy(y, mu) - y + mu


class PoissonRegressor(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Poisson regression with log link: mean half deviance plus ``(α/2)‖β‖²``.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty strength (≥ 0); 0 fits by maximum likelihood, with inference.
    fit_intercept : bool, default=True
        Fit the unpenalised constant b.
    solver : {"auto", "newton", "lbfgs", "lbfgs+newton", "gd", "fista", "proximal"}, \
default="auto"
        A method of :func:`lemma.optim.minimize`; "newton" is IRLS, "lbfgs+newton"
        runs L-BFGS for up to 15 iterations, then Newton. "auto" is "lbfgs+newton"
        up to 200 parameters (a Hessian costs n·p² per step), L-BFGS beyond.
    max_iter : int, default=100
        Maximum solver iterations.
    tol : float, default=1e-4
        Stop when the ∞-norm of the objective's gradient is at most ``tol``.
    warm_start : bool, default=False
        Start from the previous fit's coefficients.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    history_ : ndarray of shape (n_iter_ + 1,)
        The objective after each iteration.
    converged_ : bool
    solver_ : str
        The method used ("auto" resolved).
    result_ : GLMResults or None
        Maximum-likelihood inference (``alpha=0`` only).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import PoissonRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> y = np.array([1.0, 1.0, 3.0, 4.0, 9.0])
    >>> model = PoissonRegressor(alpha=0.0).fit(X, y)
    >>> print(np.round(model.predict([[5.0]]), 2))
    [15.81]
    >>> round(model.result_.deviance, 4)
    0.3902
    """

    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="left")],
        "fit_intercept": [BOOL],
        "solver": [Options({"auto", *SOLVERS})],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None, closed="left")],
        "warm_start": [BOOL],
    }

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        solver: str = "auto",
        max_iter: int = 100,
        tol: float = 1e-4,
        warm_start: bool = False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> PoissonRegressor:
        """Fit by minimising the objective of the module docstring.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Non-negative counts or rates.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights (frequency weights for the inference).

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        target = str(getattr(y, "name", None) or "y")
        X, y = validate_data(self, X, y, y_numeric=True, dtype=(np.float64, np.float32))
        self._check_target(y)
        w = None if sample_weight is None else check_sample_weight(sample_weight, X.shape[0])
        objective = GLMObjective(
            PoissonLoss(), X, y, sample_weight=w, fit_intercept=self.fit_intercept
        )
        x0 = objective.initial_params()
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (X.shape[1],):
            x0 = objective.pack(self.coef_, self.intercept_)
        penalty = L2(self.alpha) if self.alpha > 0 else NoPenalty()
        self.solver_ = choose_solver(self.solver, smooth=True, n_params=objective.n_params)
        result = fit_glm(objective, penalty, x0, solver=self.solver_, n_penalised=X.shape[1],
                         tol=self.tol, max_iter=self.max_iter,
                         owner="PoissonRegressor")  # fmt: skip
        coef, intercept = objective.unpack(result.x)
        self.coef_ = np.asarray(coef, dtype=X.dtype)
        self.intercept_ = float(intercept)
        self.n_iter_ = int(result.n_iter)
        self.history_ = result.history
        self.converged_ = bool(result.converged)
        self.result_ = self._inference(X, y, w, target) if self.alpha == 0 else None
        return self

    @staticmethod
    def _check_target(y: np.ndarray) -> None:
        negative = np.flatnonzero(y < 0)
        if negative.size:
            raise DataValidationError(
                f"PoissonRegressor needs y >= 0 (counts or rates); y has {negative.size} "
                f"negative values (first at row {int(negative[0])}: {float(y[negative[0]])!r}). "
                "For real-valued targets use LinearRegression or HuberRegressor."
            )

    def _names(self) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else [f"x{j}" for j in range(self.n_features_in_)]
        return (["intercept"] if self.fit_intercept else []) + names

    def _inference(self, X: np.ndarray, y: np.ndarray, w: Any, target: str) -> GLMResults:
        """Maximum-likelihood inference; llf includes the ``−log y!`` term (as statsmodels)."""
        weights = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        mu = np.exp(np.asarray(X @ self.coef_ + self.intercept_, dtype=np.float64))
        mean = float(np.dot(weights, y) / weights.sum())
        log_factorial = gammaln(y + 1)
        params = np.r_[self.intercept_, self.coef_] if self.fit_intercept else self.coef_
        return GLMResults(
            family="Poisson regression",
            params=pd.Series(
                np.asarray(params, dtype=np.float64), index=self._names(), name="coef"
            ),
            cov=covariance(design_information(X, weights * mu, self.fit_intercept)),
            llf=float(np.dot(weights, xlogy(y, mu) - mu - log_factorial)),
            llnull=float(np.dot(weights, xlogy(y, mean) - mean - log_factorial)),
            nobs=float(weights.sum()),
            df_model=X.shape[1],
            target=target,
            converged=self.converged_,
            n_iter=self.n_iter_,
            deviance=float(2 * np.dot(weights, _half_deviance(y, mu))),
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted means ``exp(Xβ + b)``, shape (n_samples,)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        return np.exp(self._linear_predictor(X))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """D², the share of Poisson deviance explained: ``1 − D(y, μ̂) / D(y, ȳ)``
        (scikit-learn's score for this model; 1 is perfect, 0 is the mean's score)."""
        mu = self.predict(X)
        y = np.asarray(y, dtype=np.float64)
        w = None if sample_weight is None else check_sample_weight(sample_weight, y.shape[0])
        mean = np.full_like(y, np.average(y, weights=w))
        fitted = np.average(_half_deviance(y, mu), weights=w)
        null = np.average(_half_deviance(y, mean), weights=w)
        return float(1 - fitted / null) if null > 0 else float("nan")

    def summary(self, level: float = 0.95) -> Summary:
        """Inference table (``alpha=0``), or the coefficients of the penalised fit.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of the intervals (unpenalised fits).
        """
        self._check_is_fitted()
        if self.result_ is not None:
            return self.result_.summary(level)
        values = np.r_[self.intercept_, self.coef_] if self.fit_intercept else self.coef_
        info = [
            ("Penalty alpha", float(self.alpha)),
            ("Features", self.n_features_in_),
            ("Iterations", self.n_iter_),
            ("Converged", self.converged_),
        ]
        return penalised_summary("Poisson regression (L2 penalty)", self._names(),
                                 np.asarray(values)[:, None], ["coef"], info, "L2 penalty",
                                 "alpha=0 (maximum likelihood)")  # fmt: skip

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.positive_y = True
        return tags
