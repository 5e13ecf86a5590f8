"""Logistic regression: binary (sigmoid) and multinomial (softmax), with or without a penalty.

Objective (scikit-learn's; weights ``wᵢ`` = sample weight × class weight, C > 0)::

    minimise over (B, b)   C · Σᵢ wᵢ ℓ(yᵢ, ηᵢ) + P(B),        ηᵢ = Bxᵢ + b

* two classes: one linear predictor, ``ℓ = log(1 + e^η) − yη`` (y ∈ {0, 1}: the
  second class of ``classes_`` is 1), ``P(y = 1 | x) = σ(η)``;
* K ≥ 3 classes: K linear predictors, ``ℓ = logsumexp(η) − η_y``,
  ``P(y = k | x) = softmax(η)ₖ``;
* ``P(B)`` = ½‖B‖² (``"l2"``), ‖B‖₁ (``"l1"``), (1 − ρ)/2·‖B‖² + ρ‖B‖₁
  (``"elasticnet"``, ρ = ``l1_ratio``) or 0 (None); the intercepts are not penalised.

lemma divides the objective by ``C·Σw``: the optimizer sees the weighted mean loss
plus ``P(B)/(C·Σw)``. The minimiser is the same, but the objective is O(1) whatever n
and C, so ``tol`` (on the ∞-norm of its gradient) means the same on every data set.
Gradient and Hessian of the mean loss (binary; ``Z = [X, 1]``, ``p = σ(η)``)::

    ∇ = Zᵀ(w ⊙ (p − y)) / Σw,      ∇² = Zᵀ diag(w ⊙ p(1 − p)) Z / Σw,

and for the softmax the (k, l) block ``Zᵀ diag(w ⊙ pₖ(δₖₗ − pₗ)) Z / Σw``. The softmax
is unchanged by a common shift of the K predictors, so the fit fixes the first
class's intercept (and, without a penalty, its slopes) at 0 and afterwards centres
the intercepts (and the L2 or unpenalised slopes) across classes, as scikit-learn
reports them.

Without a penalty the fit is maximum likelihood and ``summary()`` gives Wald
inference from the inverse Fisher information (:class:`~lemma.stats.inference.GLMResults`;
for K ≥ 3 relative to the reference class ``classes_[0]``, like statsmodels'
``MNLogit``). The estimates do not exist when the classes are separated; lemma
checks by linear programming (:func:`~lemma.stats.inference.detect_separation`).

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
2nd ed., 2009, §4.4; McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989,
ch. 4 and 6.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit, log_softmax, softmax, xlogy

from lemma._constraints import BOOL, DICT, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import ConvergenceWarning, ParameterError, SeparationWarning, interop
from lemma.losses import LinearModelObjective, LogisticLoss, SoftmaxCrossEntropy
from lemma.models.linear._base import LinearPredictorMixin
from lemma.models.linear._glm import (
    SOLVERS,
    FreeParameters,
    GLMObjective,
    choose_solver,
    covariance,
    design_information,
    fit_glm,
    penalised_summary,
)
from lemma.penalties import get_penalty
from lemma.stats.inference import GLMResults, Separation, detect_separation
from lemma.stats.inference.summary import Summary
from lemma.validation import check_sample_weight, encode_classes, validate_data

__all__ = ["LogisticRegression", "logistic_path"]

#: A fitted probability beyond σ(±20) (within 2·10⁻⁹ of 0 or 1) is a sign of separation.
SEPARATION_ETA = 20.0


def _class_weights(class_weight: Any, classes: np.ndarray, codes: np.ndarray, w: Any) -> Any:
    """Per-row weights: ``sample_weight × class_weight[yᵢ]`` (None when both are None)."""
    if class_weight is None:
        return w
    counts = np.bincount(codes, weights=w, minlength=classes.size)
    if isinstance(class_weight, str):  # "balanced": Σw / (K · weighted count of the class)
        per_class = counts.sum() / (classes.size * np.maximum(counts, np.finfo(float).tiny))
    else:
        labels = {str(c): k for k, c in enumerate(classes)}
        unknown = [key for key in class_weight if str(key) not in labels]
        if unknown:
            raise ParameterError(
                f"class_weight has labels {unknown} that are not classes of y "
                f"{classes.tolist()}; use the class labels as keys."
            )
        per_class = np.ones(classes.size)
        for key, value in class_weight.items():
            per_class[labels[str(key)]] = float(value)
    row = per_class[codes]
    return row if w is None else row * w


def _free_mask(K: int, d: int, fit_intercept: bool, penalised: bool) -> np.ndarray:
    """Multinomial parameters left free: all but class 0's intercept (and slopes if unpenalised)."""
    free = np.ones(K * d + K * int(fit_intercept), dtype=bool)
    if not penalised:
        free[:d] = False
    if fit_intercept:
        free[K * d] = False
    return free


def _single_separators(X: np.ndarray, y: np.ndarray, names: list[str]) -> list[str]:
    """Columns on which a threshold splits the classes (max of one ≤ min of the other)."""
    ones, zeros = X[y > 0], X[y <= 0]
    low = ones.max(axis=0) <= zeros.min(axis=0)
    high = zeros.max(axis=0) <= ones.min(axis=0)
    return [names[j] for j in np.flatnonzero(low | high)]


class LogisticRegression(LinearPredictorMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression, binary or multinomial, with an L2, L1 or elastic-net penalty.

    Minimises ``C·Σ wᵢ ℓᵢ + P(B)`` (see the module docstring for ℓ, P and the scaling).

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The penalty P; None fits by maximum likelihood (with inference in ``summary()``).
    C : float, default=1.0
        Inverse penalty strength, > 0.
    l1_ratio : float in [0, 1] or None, default=None
        Mixing ρ of the elastic net (required for ``penalty="elasticnet"``, unused
        otherwise).
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    class_weight : dict, "balanced" or None, default=None
        Multiplies each row's weight by its class's weight; "balanced" uses
        ``Σw / (K · Σ_{class} w)``.
    solver : {"auto", "newton", "lbfgs", "lbfgs+newton", "gd", "fista", "proximal"}, \
default="auto"
        A method of :func:`lemma.optim.minimize`. "newton" is IRLS (smooth penalty)
        or proximal Newton with coordinate descent inside (L1 or elastic net);
        "lbfgs+newton" runs L-BFGS for up to 15 iterations, then Newton. "auto":
        up to 200 parameters "lbfgs+newton" (proximal Newton with an L1 part);
        beyond, L-BFGS (FISTA with an L1 part). Newton's Hessian costs n·p² per
        step, but it converges in a handful of steps where L-BFGS needs hundreds.
    max_iter : int, default=100
        Maximum iterations of the solver.
    tol : float, default=1e-4
        Stop when the ∞-norm of the gradient (the minimum-norm subgradient with an
        L1 part; the gradient mapping for fista/proximal) of the scaled objective is
        at most ``tol``.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when the classes are the same.
    random_state : None, int or Generator, default=None
        Unused (every solver is deterministic); kept for scikit-learn compatibility.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
        Solver iterations.
    history_ : ndarray of shape (n_iter_ + 1,)
        The scaled objective (mean loss + P/(C·Σw)) after each iteration.
    converged_ : bool
    solver_ : str
        The method used ("auto" resolved).
    result_ : GLMResults or None
        Maximum-likelihood inference (``penalty=None`` only). Sample weights are
        frequency weights: the number of observations is ``Σw``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Notes
    -----
    The optimizer minimises the objective divided by ``C·Σw`` (the weighted mean loss
    plus ``P/(C·Σw)``): same minimiser, better scaled, and ``tol`` means the same for
    every n and C. ``history_`` is in these units.

    An unpenalised two-class fit runs the separation LP only when the fit shows a
    sign of separation: the solver did not converge, some fitted ``|ηᵢ|`` exceeds
    :data:`SEPARATION_ETA` (a probability within 2·10⁻⁹ of 0 or 1), or the
    information matrix is singular. If the classes are separated it warns
    :class:`~lemma.exceptions.SeparationWarning` naming the diverging coefficients
    (and any feature that separates the classes on its own), and ``summary()`` shows
    no standard errors or p-values.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = np.array(["no", "no", "yes", "no", "yes", "yes"])
    >>> model = LogisticRegression(penalty=None).fit(X, y)
    >>> model.predict([[0.5], [4.5]]).tolist()
    ['no', 'yes']
    >>> model.summary().to_frame().loc["x0", ["coef", "std_err"]].round(4).tolist()
    [1.214, 0.9126]
    """

    _parameter_constraints = {
        "penalty": [Options({"l2", "l1", "elasticnet"}), None],
        "C": [Interval(float, 0, None, closed="neither")],
        "l1_ratio": [Interval(float, 0, 1, closed="both"), None],
        "fit_intercept": [BOOL],
        "class_weight": [DICT, Options({"balanced"}), None],
        "solver": [Options({"auto", *SOLVERS})],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None, closed="left")],
        "warm_start": [BOOL],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        penalty: str | None = "l2",
        *,
        C: float = 1.0,
        l1_ratio: float | None = None,
        fit_intercept: bool = True,
        class_weight: dict | str | None = None,
        solver: str = "auto",
        max_iter: int = 100,
        tol: float = 1e-4,
        warm_start: bool = False,
        random_state: Any = None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit by minimising the objective of the module docstring.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings), at least two classes.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights (frequency weights for the inference).

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ParameterError(
                "LogisticRegression(penalty='elasticnet') needs l1_ratio, the L1 share of the "
                "penalty in [0, 1]; e.g. l1_ratio=0.5."
            )
        target = str(getattr(y, "name", None) or "y")
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        w = None if sample_weight is None else check_sample_weight(sample_weight, X.shape[0])
        previous = getattr(self, "classes_", None)
        self.classes_, codes = encode_classes(y, w, "LogisticRegression")
        w = _class_weights(self.class_weight, self.classes_, codes, w)
        K, d = self.classes_.size, X.shape[1]
        sum_w = float(X.shape[0] if w is None else np.sum(w))
        penalty = get_penalty(self.penalty, 1.0 / (self.C * sum_w), self.l1_ratio or 0.0)
        loss = LogisticLoss() if K == 2 else SoftmaxCrossEntropy(K)
        labels = codes.astype(X.dtype) if K == 2 else codes
        objective = GLMObjective(loss, X, labels, sample_weight=w, fit_intercept=self.fit_intercept)
        problem, n_penalised = self._problem(objective, K, d)
        x0 = self._start(objective, problem, previous)
        self.solver_ = choose_solver(
            self.solver, smooth=penalty.is_smooth, n_params=problem.n_params
        )
        ml_binary = self.penalty is None and K == 2
        result = fit_glm(problem, penalty, x0, solver=self.solver_, n_penalised=n_penalised,
                         tol=self.tol, max_iter=self.max_iter, owner="LogisticRegression",
                         warn=not ml_binary)  # fmt: skip
        self._store(objective, problem, result, X.dtype)
        self.result_ = None
        if self.penalty is None:
            self.result_ = self._inference(X, codes, w, target)
        if ml_binary:
            self._check_convergence(result)
        return self

    # ------------------------------------------------------------------ fitting steps
    def _problem(self, objective: LinearModelObjective, K: int, d: int) -> tuple[Any, int]:
        """The function the solver minimises and its number of penalised leading entries."""
        if K == 2:
            return objective, d
        free = _free_mask(K, d, self.fit_intercept, self.penalty is not None)
        return FreeParameters(objective, free), int(free[: K * d].sum())

    def _start(self, objective: LinearModelObjective, problem: Any, previous: Any) -> np.ndarray:
        """Zero slopes and the best constant intercepts, or the previous fit (warm start)."""
        x = objective.initial_params()
        same = previous is not None and np.array_equal(previous, self.classes_)
        if self.warm_start and same and hasattr(self, "coef_"):
            x = objective.pack(self.coef_, self.intercept_)
        if not isinstance(problem, FreeParameters):
            return x
        coef, intercept = objective.unpack(x)
        coef = coef - coef[0] if self.penalty is None else coef
        intercept = np.asarray(intercept) - np.asarray(intercept)[0]
        return objective.pack(coef, intercept)[problem.free]

    def _store(self, objective, problem, result, dtype) -> None:
        """``coef_``, ``intercept_`` (centred across classes) and the solver's record."""
        x = problem.embed(result.x) if isinstance(problem, FreeParameters) else result.x
        coef, intercept = objective.unpack(x)
        coef = np.atleast_2d(coef)
        intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        if coef.shape[0] > 1:
            intercept = intercept - intercept.mean()
            if self.penalty in (None, "l2"):
                coef = coef - coef.mean(axis=0)
        self.coef_ = coef.astype(dtype)
        self.intercept_ = intercept.astype(dtype)
        self.n_iter_ = int(result.n_iter)
        self.history_ = result.history
        self.converged_ = bool(result.converged)
        self._fit_message = result.message

    # ------------------------------------------------------------------ inference
    def _names(self) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else [f"x{j}" for j in range(self.n_features_in_)]
        return (["intercept"] if self.fit_intercept else []) + names

    def _inference(self, X: np.ndarray, codes: np.ndarray, w: Any, target: str) -> GLMResults:
        """Maximum-likelihood inference (frequency weights: nobs = Σw)."""
        weights = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
        eta = np.asarray(self._raw(X), dtype=np.float64)
        rows = self._names()
        common = dict(nobs=float(weights.sum()), target=target, converged=self.converged_,
                      n_iter=self.n_iter_)  # fmt: skip
        if self.classes_.size == 2:
            p = expit(eta[:, 0])
            cov = covariance(design_information(X, weights * p * (1 - p), self.fit_intercept))
            params = np.r_[self.intercept_, self.coef_[0]] if self.fit_intercept else self.coef_[0]
            y = codes.astype(np.float64)
            mean = float(np.dot(weights, y) / weights.sum())
            loss = LogisticLoss().pointwise(y, eta[:, 0])
            separation, alone = self._separation(X, y, weights, eta[:, 0], cov, rows)
            extra = [f"Features that separate the classes on their own: {alone}."] if alone else []
            return GLMResults(
                family="Logistic regression",
                params=pd.Series(np.asarray(params, dtype=np.float64), index=rows, name="coef"),
                cov=cov,
                llf=-float(np.dot(weights, loss)),
                llnull=float(np.dot(weights, xlogy(y, mean) + xlogy(1 - y, 1 - mean))),
                df_model=X.shape[1],
                separation=separation,
                notes_extra=extra,
                **common,
            )
        K = self.classes_.size
        P = softmax(eta, axis=1)
        q = len(rows)
        info = np.zeros(((K - 1) * q, (K - 1) * q))
        for k in range(1, K):
            for m in range(k, K):
                v = weights * P[:, k] * (float(k == m) - P[:, m])
                block = design_information(X, v, self.fit_intercept)
                info[(k - 1) * q : k * q, (m - 1) * q : m * q] = block
                info[(m - 1) * q : m * q, (k - 1) * q : k * q] = block.T
        full = np.column_stack([self.intercept_, self.coef_]) if self.fit_intercept else self.coef_
        relative = (full[1:] - full[0]).T.astype(np.float64)
        class_totals = np.bincount(codes, weights=weights, minlength=K)
        return GLMResults(
            family="Multinomial logistic regression",
            params=pd.DataFrame(relative, index=rows, columns=[str(c) for c in self.classes_[1:]]),
            cov=covariance(info),
            llf=-float(np.dot(weights, SoftmaxCrossEntropy(K).pointwise(codes, eta))),
            llnull=float(np.sum(xlogy(class_totals, class_totals / class_totals.sum()))),
            df_model=(K - 1) * X.shape[1],
            reference_class=str(self.classes_[0]),
            **common,
        )

    def _separation(self, X, y, weights, eta, cov, rows) -> tuple[Separation | None, list[str]]:
        """Run the separation LP when the fit shows signs of it (:data:`SEPARATION_ETA`):
        no convergence, some ``|ηᵢ| > 20``, or a singular information matrix.

        Returns the LP's verdict (None when it was not run) and the features that
        separate the classes on their own (a threshold on one column splits them).
        """
        used = weights > 0
        signs = (
            not self.converged_
            or float(np.max(np.abs(eta[used]), initial=0.0)) > SEPARATION_ETA
            or not np.all(np.isfinite(cov))
        )
        if not signs:
            return None, []
        Z = np.asarray(X[used], dtype=np.float64)
        alone = _single_separators(Z, y[used], rows[int(self.fit_intercept) :])
        if self.fit_intercept:
            Z = np.column_stack([np.ones(Z.shape[0]), Z])
        separation = detect_separation(Z, y[used], names=rows)
        if separation.separated:
            kind = "completely" if separation.complete else "quasi-completely"
            by_itself = f"; on its own, {alone} separates them" if alone else ""
            warnings.warn(
                f"LogisticRegression: the classes are {kind} separated "
                f"({separation.n_separated_rows} rows predicted perfectly; diverging "
                f"coefficients {separation.columns}{by_itself}). Maximum-likelihood estimates "
                "do not exist, so summary() shows no standard errors or p-values. Use a "
                "penalty (penalty='l2'), or drop or merge the separating features.",
                SeparationWarning,
                stacklevel=4,
            )
        return separation, alone if separation.separated else []

    def _check_convergence(self, result) -> None:
        """The ConvergenceWarning held back for an unpenalised binary fit, unless separated."""
        separation = self.result_.separation if self.result_ is not None else None
        if result.converged or (separation is not None and separation.separated):
            return
        warnings.warn(
            f"LogisticRegression: {self.solver_} did not converge ({result.message}); "
            "increase max_iter, loosen tol, or scale the features.",
            interop(ConvergenceWarning),
            stacklevel=3,
        )

    # ------------------------------------------------------------------ prediction
    def _raw(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear predictors: shape (n_samples,) for two classes (log-odds of
        ``classes_[1]``), (n_samples, n_classes) otherwise."""
        if is_dask_collection(X):
            return apply_distributed(self, "decision_function", X)
        eta = self._linear_predictor(X)
        return eta[:, 0] if eta.shape[1] == 1 else eta

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns as ``classes_``."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict_proba", X)
        eta = self.decision_function(X)
        if eta.ndim == 1:
            return np.column_stack([expit(-eta), expit(eta)])
        return softmax(eta, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithms of :meth:`predict_proba`, computed without underflow."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict_log_proba", X)
        eta = self.decision_function(X)
        if eta.ndim == 1:
            return np.column_stack([log_expit(-eta), log_expit(eta)])
        return log_softmax(eta, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        eta = self.decision_function(X)
        index = (eta > 0).astype(np.intp) if eta.ndim == 1 else np.argmax(eta, axis=1)
        return self.classes_[index]

    def summary(self, level: float = 0.95) -> Summary:
        """Inference table (``penalty=None``), or the coefficients of a penalised fit.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of the intervals (unpenalised fits).
        """
        self._check_is_fitted()
        if self.result_ is not None:
            return self.result_.summary(level)
        binary = self.classes_.size == 2
        values = np.column_stack([self.intercept_, self.coef_]).T
        if not self.fit_intercept:
            values = values[1:]
        columns = ["coef"] if binary else [f"coef[{c}]" for c in self.classes_]
        info = [
            ("Penalty", self.penalty),
            ("C", float(self.C)),
            ("Classes", self.classes_.size),
            ("Iterations", self.n_iter_),
            ("Converged", self.converged_),
        ]
        if self.penalty == "elasticnet":
            info.insert(1, ("L1 ratio", float(self.l1_ratio)))
        kind = "Logistic" if binary else "Multinomial logistic"
        return penalised_summary(f"{kind} regression ({self.penalty} penalty)", self._names(),
                                 values, columns, info, f"{self.penalty} penalty",
                                 "penalty=None (maximum likelihood)")  # fmt: skip


def logistic_path(
    X: Any,
    y: Any,
    *,
    Cs: int | Any = 10,
    penalty: str = "l2",
    l1_ratio: float | None = None,
    fit_intercept: bool = True,
    class_weight: dict | str | None = None,
    sample_weight: Any = None,
    solver: str = "auto",
    tol: float = 1e-4,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression fitted over a grid of C, each fit warm-started from the last.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    Cs : int or array-like, default=10
        The grid; an int gives ``np.logspace(-4, 4, Cs)`` (scikit-learn's convention).
        Fits run in the order given (small C first is best: the zero-ish start).
    penalty : {"l2", "l1", "elasticnet"}, default="l2"
    l1_ratio, fit_intercept, class_weight, solver, tol, max_iter
        As in :class:`LogisticRegression`.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    Cs : ndarray of shape (n_Cs,)
    coefs : ndarray of shape (n_Cs, n_outputs, n_features + fit_intercept)
        ``coefs[i]`` = ``[coef_, intercept_]`` of the fit at ``Cs[i]`` (intercept in the
        last column); ``n_outputs`` is 1 for two classes, n_classes otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import logistic_path
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> Cs, coefs = logistic_path(X, y, Cs=[0.01, 1.0, 100.0])
    >>> coefs.shape, coefs[:, 0, 0].round(3).tolist()
    ((3, 1, 2), [0.034, 0.767, 1.204])
    """
    if penalty not in ("l2", "l1", "elasticnet"):
        raise ParameterError(
            f"logistic_path needs a penalty ('l2', 'l1' or 'elasticnet') for C to act on; got "
            f"penalty={penalty!r}."
        )
    grid = np.logspace(-4, 4, Cs) if isinstance(Cs, int | np.integer) else np.asarray(Cs, float)
    if grid.ndim != 1 or grid.size == 0:
        raise ParameterError(f"Cs must be a positive int or a 1-D array of C values; got {Cs!r}.")
    model = LogisticRegression(penalty, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                               class_weight=class_weight, solver=solver, tol=tol,
                               max_iter=max_iter, warm_start=True)  # fmt: skip
    coefs = []
    for C in grid:
        model.set_params(C=float(C)).fit(X, y, sample_weight=sample_weight)
        coef = model.coef_.astype(np.float64)
        coefs.append(np.column_stack([coef, model.intercept_]) if fit_intercept else coef)
    return grid, np.stack(coefs)
