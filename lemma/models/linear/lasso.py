"""Lasso and elastic net: least squares with an L1 (and L2) penalty on the slopes.

Objective (scikit-learn's scaling; ρ = ``l1_ratio``, ρ = 1 for the lasso; the
intercept b is not penalised)::

    minimise over (b, β)   1/(2Σw) Σᵢ wᵢ (yᵢ − b − xᵢᵀβ)²  +  αρ ‖β‖₁  +  α(1 − ρ)/2 ‖β‖²

scikit-learn rescales the weights to sum to n and divides by 2n, which is the same
objective. Centring X and y about their weighted means (``X̃``, ``ỹ``) removes b,
which is then ``b = ȳ − x̄ᵀβ``. The minimiser satisfies the KKT conditions, with
``gⱼ = x̃ⱼᵀW(ỹ − X̃β)/Σw − α(1 − ρ)βⱼ`` (minus the gradient of the smooth part)::

    gⱼ = αρ · sign(βⱼ)   if βⱼ ≠ 0,        |gⱼ| ≤ αρ   if βⱼ = 0,

so the L1 part sets coefficients exactly to zero (it selects features). At β = 0,
``gⱼ = x̃ⱼᵀWỹ/Σw``: every coefficient is zero once
``α ≥ α_max = maxⱼ |x̃ⱼᵀWỹ| / (Σw·ρ)``, where the regularisation path starts.

The fit is cyclic coordinate descent with soft-thresholding, stopped by the
duality gap (:mod:`lemma.optim.coordinate`).

Reference: Tibshirani, "Regression shrinkage and selection via the lasso", JRSS B 58
(1996); Zou & Hastie, "Regularization and variable selection via the elastic net",
JRSS B 67 (2005).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import (
    ARRAY_LIKE,
    BOOL,
    RANDOM_STATE,
    Interval,
    Options,
    validate_params,
)
from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import NumericalWarning, ParameterError
from lemma.models.linear._base import LinearPredictorMixin
from lemma.optim.coordinate import ElasticNetProblem, enet_problem
from lemma.stats.inference.summary import Summary
from lemma.validation import check_sample_weight, check_X_y, validate_data

__all__ = ["ElasticNet", "Lasso", "enet_path", "lasso_path"]


def _centre(X, y, w, fit_intercept):
    """Weighted column means of X and mean of y (zeros without an intercept)."""
    if not fit_intercept:
        return np.zeros(X.shape[1]), 0.0
    if w is None:
        return X.mean(axis=0, dtype=np.float64), float(np.mean(y, dtype=np.float64))
    sum_w = float(np.sum(w))
    x_mean = np.asarray(w.astype(X.dtype) @ X, dtype=np.float64) / sum_w
    return x_mean, float(np.dot(w, y)) / sum_w


def _alpha_grid(problem, l1_ratio, positive, eps, n_alphas):
    """``n_alphas`` values from α_max down to eps·α_max, evenly spaced in log scale."""
    if l1_ratio == 0:
        raise ParameterError(
            "The automatic alpha grid needs l1_ratio > 0 (α_max = max|x̃ⱼᵀWỹ|/(Σw·l1_ratio) "
            "is infinite for a pure L2 penalty); pass the alphas to use instead."
        )
    c = problem.xty
    top = max(float(np.max(c)), 0.0) if positive else float(np.max(np.abs(c)))
    alpha_max = top / l1_ratio
    tiny = np.finfo(np.float64).resolution
    if alpha_max <= tiny:
        return np.full(n_alphas, tiny)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


class ElasticNet(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Least squares with a mixed L1 + L2 penalty, fitted by coordinate descent.

    Minimises ``1/(2Σw) Σ wᵢ(yᵢ − b − xᵢᵀβ)² + αρ‖β‖₁ + α(1 − ρ)/2 ‖β‖²`` (see the
    module docstring). One target only: a 2-D y with several columns is refused.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (≥ 0). alpha = 0 is least squares: use LinearRegression.
    l1_ratio : float, default=0.5
        Mixing ρ in [0, 1]: 1 is the lasso, 0 ridge (with the 1/(2Σw) scaling).
    fit_intercept : bool, default=True
        Fit an unpenalised constant (by centring X and y).
    precompute : {"auto", True, False}, default="auto"
        Coordinate descent on the Gram matrix ``X̃ᵀWX̃`` (True) or on the residual
        (False); "auto": Gram when n > 2p and p ≤ 1000.
    max_iter : int, default=1000
        Maximum number of sweeps over the coefficients.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol·‖ỹ‖²_w/Σw`` (scikit-learn's test).
    warm_start : bool, default=False
        Start from the previous fit's ``coef_``.
    positive : bool, default=False
        Constrain the slopes to be ≥ 0.
    random_state : None, int or Generator
        Seed of the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Sweep the coefficients in order, or in a fresh random order each sweep.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Slopes; exact zeros are the features not selected.
    intercept_ : float
    n_iter_ : int
        Sweeps performed.
    dual_gap_ : float
        Duality gap at the solution (an upper bound on its excess objective).
    history_ : ndarray of shape (n_iter_ + 1,)
        Objective after each sweep (``history_[0]`` at the start); non-increasing.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 5.0, 6.0])
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.5).fit(X, y)
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([1.5862, 0.5517]), 0.569)
    """

    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="left")],
        "l1_ratio": [Interval(float, 0, 1, closed="both")],
        "fit_intercept": [BOOL],
        "precompute": [Options({"auto"}), BOOL],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None, closed="left")],
        "warm_start": [BOOL],
        "positive": [BOOL],
        "random_state": [RANDOM_STATE],
        "selection": [Options({"cyclic", "random"})],
    }

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        precompute: bool | str = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _mixing(self) -> float:
        """ρ, the L1 share of the penalty."""
        return float(self.l1_ratio)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ElasticNet:
        """Fit by coordinate descent (see :mod:`lemma.optim.coordinate`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; only their ratios matter.

        Returns
        -------
        self
        """
        self._validate_params()
        name = type(self).__name__
        target = str(getattr(y, "name", None) or "y")
        X, y = validate_data(self, X, y, y_numeric=True)
        w = (
            None
            if sample_weight is None
            else check_sample_weight(sample_weight, X.shape[0], np.float64)
        )
        if self.alpha == 0:
            warnings.warn(
                f"{name} with alpha=0 is unpenalised least squares, which coordinate descent "
                "solves slowly (and not uniquely when p ≥ n); use LinearRegression instead.",
                NumericalWarning,
                stacklevel=2,
            )
        x_mean, y_mean = _centre(X, y, w, self.fit_intercept)
        problem = enet_problem(
            X, y - y_mean, sample_weight=w, x_offset=x_mean, precompute=self.precompute
        )
        rho = self._mixing()
        result, gap = problem.solve(
            self.alpha * rho,
            self.alpha * (1.0 - rho),
            self._start(X.shape[1]),
            tol=self.tol,
            max_iter=self.max_iter,
            positive=self.positive,
            selection=self.selection,
            random_state=self.random_state,
            owner=name,
        )
        self.coef_ = result.x.astype(X.dtype)
        self.intercept_ = float(y_mean - x_mean @ result.x)
        self.n_iter_ = result.n_iter
        self.dual_gap_ = gap
        self.history_ = result.history
        self._target = target
        return self

    def _start(self, n_features: int) -> np.ndarray | None:
        coef = getattr(self, "coef_", None)
        if self.warm_start and coef is not None and coef.shape == (n_features,):
            return coef
        return None

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values ``b + Xβ``."""
        return self._linear_predictor(X)

    def summary(self, level: float = 0.95) -> Summary:
        """Coefficients, which of them are exactly zero, and the fit's duality gap.

        No standard errors or p-values: they are not valid after an L1 penalty has
        chosen the features. ``level`` is accepted for a common signature and unused.
        """
        self._check_is_fitted()
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(self.n_features_in_)]
        )
        rows = (["intercept"] if self.fit_intercept else []) + names
        values = ([self.intercept_] if self.fit_intercept else []) + list(self.coef_)
        table = pd.DataFrame({"coef": np.asarray(values, dtype=np.float64)}, index=rows)
        zero = [n for n, c in zip(names, self.coef_, strict=True) if c == 0]
        info = [
            ("Penalty alpha", float(self.alpha)),
            ("L1 ratio", self._mixing()),
            ("Features", self.n_features_in_),
            ("Non-zero slopes", self.n_features_in_ - len(zero)),
            ("Sweeps", self.n_iter_),
            ("Duality gap", self.dual_gap_),
        ]
        notes = [
            "Penalised fit: the penalty shrinks the coefficients and the L1 part chose "
            "which are non-zero, so classical standard errors, t statistics and p-values "
            "would be misleading and are not shown. For inference on the selected "
            "features, refit LinearRegression on fresh data, or bootstrap the whole fit."
        ]
        if zero:
            notes.append(f"Exactly zero (not selected): {', '.join(map(str, zero))}.")
        title = f"{type(self).__name__} regression: {self._target}"
        return Summary(title, info, table, notes)


class Lasso(ElasticNet):
    """Least squares with an L1 penalty, ``1/(2Σw) Σ wᵢ(yᵢ − b − xᵢᵀβ)² + α‖β‖₁``.

    The elastic net with ``l1_ratio = 1`` (see :class:`ElasticNet` for the
    parameters other than ``l1_ratio``, the attributes and the fit). One target
    only: a 2-D y with several columns is refused.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Lasso
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 5.0, 6.0])
    >>> model = Lasso(alpha=0.5).fit(X, y)
    >>> model.coef_.round(4), round(model.intercept_, 4)  # x1 is not selected
    (array([1.4, 0. ]), 1.4)
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        precompute: bool | str = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _mixing(self) -> float:
        return 1.0


# ---------------------------------------------------------------------------- the paths
_PATH_OPTIONS = {
    "l1_ratio": [Interval(float, 0, 1, closed="both")],
    "eps": [Interval(float, 0, None, closed="neither")],
    "n_alphas": [Interval(int, 1, None)],
    "alphas": [None, ARRAY_LIKE],
    "precompute": [Options({"auto"}), BOOL],
    "positive": [BOOL],
    "return_n_iter": [BOOL],
}


def enet_path(
    X: Any,
    y: Any,
    *,
    l1_ratio: float = 0.5,
    eps: float = 1e-3,
    n_alphas: int = 100,
    alphas: Any = None,
    precompute: bool | str = "auto",
    coef_init: Any = None,
    positive: bool = False,
    sample_weight: Any = None,
    return_n_iter: bool = False,
    **options: Any,
) -> tuple:
    """Elastic-net coefficients along a decreasing grid of alphas, each warm-started.

    As scikit-learn's ``enet_path``, this fits **no intercept**: X and y are used as
    given (centre them first to match a model with an intercept). It minimises
    ``1/(2Σw) Σ wᵢ(yᵢ − xᵢᵀβ)² + αρ‖β‖₁ + α(1 − ρ)/2 ‖β‖²`` for every α, starting
    each fit from the previous solution; the Gram matrix (or column norms) is
    computed once for the whole path.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l1_ratio : float, default=0.5
        ρ in [0, 1] (the default grid needs ρ > 0).
    eps : float, default=1e-3
        ``α_min / α_max`` of the default grid.
    n_alphas : int, default=100
        Length of the default grid, ``geomspace(α_max, eps·α_max)`` with
        ``α_max = max|xⱼᵀWy|/(Σw·ρ)`` (``max(xⱼᵀWy)`` with ``positive``).
    alphas : array-like, optional
        The alphas to use instead (sorted into decreasing order).
    precompute : {"auto", True, False}, default="auto"
        Gram or residual form (see :func:`lemma.optim.coordinate.enet_problem`).
    coef_init : array-like of shape (n_features,), optional
        Start of the first fit.
    positive : bool, default=False
        Constrain the coefficients to be ≥ 0.
    sample_weight : array-like of shape (n_samples,), optional
    return_n_iter : bool, default=False
        Also return the sweeps per alpha.
    **options
        ``tol`` (default 1e-4), ``max_iter`` (1000), ``selection``,
        ``random_state``: as in :class:`ElasticNet`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : list of int
        Only with ``return_n_iter=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import enet_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> alphas, coefs, gaps = enet_path(X, np.array([1.0, 0.3, 1.2, 2.5]), n_alphas=4)
    >>> alphas.round(3)
    array([3.6  , 0.36 , 0.036, 0.004])
    >>> coefs.round(3)
    array([[0.   , 0.892, 1.048, 1.065],
           [0.   , 0.163, 0.255, 0.265]])
    """
    validate_params(
        _PATH_OPTIONS,
        {
            "l1_ratio": l1_ratio,
            "eps": eps,
            "n_alphas": n_alphas,
            "alphas": alphas,
            "precompute": precompute,
            "positive": positive,
            "return_n_iter": return_n_iter,
        },
        "enet_path",
    )
    X, y = check_X_y(X, y, estimator_name="enet_path", y_numeric=True)
    w = None if sample_weight is None else check_sample_weight(sample_weight, X.shape[0])
    problem = enet_problem(X, y, sample_weight=w, precompute=precompute)
    if alphas is None:
        grid = _alpha_grid(problem, l1_ratio, positive, eps, n_alphas)
    else:
        grid = _check_alphas(alphas)
    coefs, gaps, n_iters = _follow(problem, grid, l1_ratio, coef_init, positive, options)
    out = (grid, coefs.astype(X.dtype), gaps)
    return (*out, n_iters) if return_n_iter else out


def lasso_path(X: Any, y: Any, **params: Any) -> tuple:
    """Lasso coefficients along a decreasing grid of alphas: ``enet_path`` with ρ = 1.

    Takes the parameters of :func:`enet_path` except ``l1_ratio``; fits no intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import lasso_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> alphas, coefs, gaps = lasso_path(X, np.array([1.0, 0.3, 1.2, 2.5]), n_alphas=3)
    >>> coefs.round(3)
    array([[0.   , 1.067, 1.067],
           [0.   , 0.191, 0.264]])
    """
    if "l1_ratio" in params:
        raise ParameterError("lasso_path has l1_ratio = 1; use enet_path for another mixing.")
    return enet_path(X, y, l1_ratio=1.0, **params)


def _check_alphas(alphas: Any) -> np.ndarray:
    grid = np.asarray(alphas, dtype=np.float64).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ParameterError(
            f"alphas must be a non-empty list of finite numbers ≥ 0; got {alphas!r}."
        )
    return np.sort(grid)[::-1].copy()


def _follow(
    problem: ElasticNetProblem,
    grid: np.ndarray,
    l1_ratio: float,
    coef_init: Any,
    positive: bool,
    options: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Solve along ``grid``, each fit starting from the previous solution."""
    coefs = np.empty((problem.n_features, grid.size))
    gaps = np.empty(grid.size)
    n_iters = []
    beta = coef_init
    for k, alpha in enumerate(grid):
        result, gaps[k] = problem.solve(
            alpha * l1_ratio,
            alpha * (1.0 - l1_ratio),
            beta,
            positive=positive,
            owner="enet_path",
            **options,
        )
        beta = result.x
        coefs[:, k] = beta
        n_iters.append(result.n_iter)
    return coefs, gaps, n_iters
