"""Logistic and Poisson regression on Dask collections: the in-memory solvers on a gradient
and Hessian summed over partitions.

The objective of a GLM in lemma is a weighted mean of pointwise losses (plus a
penalty the optimizer adds), so it splits over the row partitions b::

    f(x) = Σ_b (W_b / W) f_b(x),    ∇f = Σ_b (W_b / W) ∇f_b,    ∇²f = Σ_b (W_b / W) ∇²f_b,

``W_b`` the weight of partition b and ``f_b`` the in-memory
:class:`~lemma.models.linear._glm.GLMObjective` of its rows. Each evaluation is one
pass: the workers return ``(f_b, ∇f_b)`` — and ``∇²f_b`` once the solver has asked
for a Hessian (Newton / IRLS), so a Newton step costs one pass, not two — and the
client sums them. The solver is the estimator's own (:func:`fit_glm`: L-BFGS,
Newton, proximal Newton for L1, FISTA, ...), so iterations, ``history_`` and
convergence are as in memory, up to the rounding of the sums.

Inference (no penalty) takes one more pass for the Fisher information
``Σ_b Z_bᵀ diag(v) Z_b`` and the log-likelihoods. The separation check of a binary
fit — a linear program over all rows — is solved by constraint generation: the LP
on a working set of rows (those nearest the decision boundary) either finds no
separating direction, which settles it (a subset of separable rows is separable),
or finds one that a pass over all rows confirms; rows it misclassifies join the
working set and the LP is solved again.

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §2.5;
Albert & Anderson, "On the existence of maximum likelihood estimates in logistic
regression models", Biometrika 71 (1984).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, gammaln, softmax, xlogy

from lemma.distributed._collections import RowBlocks, block_weights, row_blocks
from lemma.distributed.linear import record_features, target_name
from lemma.exceptions import DataValidationError, ParameterError, SeparationWarning
from lemma.losses import LinearModelObjective, LogisticLoss, PoissonLoss, SoftmaxCrossEntropy
from lemma.models.linear._glm import (
    GLMObjective,
    choose_solver,
    covariance,
    design_information,
    fit_glm,
)
from lemma.models.linear.logistic import SEPARATION_ETA, _class_weights
from lemma.penalties import L2, NoPenalty, get_penalty
from lemma.stats.inference import GLMResults, Separation
from lemma.validation import check_array, check_classification_targets, check_y

__all__ = ["PartitionedObjective", "fit_logistic", "fit_poisson"]

#: Rows of each class put in the first working set of the separation LP.
SEPARATION_ROWS = 2000
#: Working-set rounds before the separation check gives up.
SEPARATION_ROUNDS = 6


# ----------------------------------------------------------------------------- reading rows
@dataclass(frozen=True)
class ClassRows:
    """Reads one partition for a classifier: float64 X, class codes, row weights."""

    owner: str
    classes: np.ndarray | None = None
    per_class: np.ndarray | None = None

    def labels(self, yb: Any, n_rows: int) -> np.ndarray:
        y = check_y(yb, estimator_name=self.owner, n_samples=n_rows)
        if n_rows:
            check_classification_targets(y, self.owner)
        return y

    def __call__(self, Xb: Any, yb: Any, wb: Any):
        X = np.asarray(check_array(Xb, estimator_name=self.owner, ensure_min_samples=0),
                       dtype=np.float64)  # fmt: skip
        y = self.labels(yb, X.shape[0])
        codes = np.searchsorted(self.classes, y)
        w = block_weights(wb, X.shape[0], self.owner)
        if self.per_class is not None:
            w = self.per_class[codes] * (1.0 if w is None else w)
        return X, codes, w


@dataclass(frozen=True)
class CountRows:
    """Reads one partition for Poisson regression: float64 X, y ≥ 0, weights."""

    owner: str

    def __call__(self, Xb: Any, yb: Any, wb: Any):
        X = np.asarray(check_array(Xb, estimator_name=self.owner, ensure_min_samples=0),
                       dtype=np.float64)  # fmt: skip
        y = np.asarray(check_y(yb, estimator_name=self.owner, y_numeric=True,
                               n_samples=X.shape[0]), dtype=np.float64)  # fmt: skip
        negative = np.flatnonzero(y < 0)
        if negative.size:
            raise DataValidationError(
                f"PoissonRegressor needs y >= 0 (counts or rates); a partition of y has "
                f"{negative.size} negative values (e.g. {float(y[negative[0]])!r}). For "
                "real-valued targets use LinearRegression or HuberRegressor."
            )
        return X, y, block_weights(wb, X.shape[0], self.owner)


# ----------------------------------------------------------------------------- the objective
def _evaluate_block(Xb, yb, wb, read, loss, fit_intercept, total, x, with_hessian):
    """``(W_b/W)·(f_b, ∇f_b[, ∇²f_b])`` of one partition (zeros if it has no weight)."""
    X, labels, w = read(Xb, yb, wb)
    weight = float(X.shape[0] if w is None else w.sum())
    if weight == 0:
        return 0.0, np.zeros(x.size), (np.zeros((x.size, x.size)) if with_hessian else None)
    if loss.n_outputs == 1:
        labels = np.asarray(labels, dtype=np.float64)
    part = GLMObjective(loss, X, labels, sample_weight=w, fit_intercept=fit_intercept,
                        scale=weight / total)  # fmt: skip
    f, g = part.value_and_gradient(x)
    return f, g, (part.hessian(x) if with_hessian else None)


def _add_evaluations(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1], (None if a[2] is None else a[2] + b[2])


class PartitionedObjective:
    """A GLM's mean loss over the partitions of Dask data (module docstring).

    Has what the optimizers and the estimators use of
    :class:`~lemma.losses.LinearModelObjective`: ``value_and_gradient``, ``hessian``,
    ``value``, ``gradient``, ``pack``, ``unpack``, ``initial_params``, ``n_params``.

    Parameters
    ----------
    blocks : RowBlocks
    read : callable
        ``read(X_b, y_b, w_b) -> (X, labels, w)`` for one partition.
    loss : Loss
    fit_intercept : bool
    total_weight : float
        W, the weight of all rows.
    initial : float or ndarray
        The best constant raw prediction (``loss.init_raw`` of the whole target).
    """

    def __init__(self, blocks: RowBlocks, read: Any, loss: Any, *, fit_intercept: bool,
                 total_weight: float, initial: Any) -> None:  # fmt: skip
        self.blocks = blocks
        self.read = read
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.total_weight = float(total_weight)
        self.initial = initial
        self.n_features = blocks.n_features
        dummy_y = np.zeros(1)
        self._layout = LinearModelObjective(loss, np.zeros((1, self.n_features)), dummy_y,
                                            fit_intercept=fit_intercept)  # fmt: skip
        self.n_outputs = self._layout.n_outputs
        self.n_coef = self._layout.n_coef
        self.n_params = self._layout.n_params
        self.n_fev = 0
        self.n_passes = 0
        self._want_hessian = False
        self._cache: dict[bytes, tuple] = {}

    def pack(self, coef: Any, intercept: Any = 0.0) -> np.ndarray:
        return self._layout.pack(coef, intercept)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        return self._layout.unpack(x)

    def initial_params(self) -> np.ndarray:
        """Zero slopes and the best constant intercepts."""
        intercept = self.initial if self.fit_intercept else 0.0
        return self.pack(np.zeros(self.n_coef), intercept)

    def _evaluate(self, x: np.ndarray, with_hessian: bool) -> tuple:
        key = np.asarray(x, dtype=np.float64).tobytes()
        cached = self._cache.get(key)
        if cached is not None and (cached[2] is not None or not with_hessian):
            return cached
        self.n_passes += 1
        out = self.blocks.reduce(_evaluate_block, _add_evaluations, self.read, self.loss,
                                 self.fit_intercept, self.total_weight,
                                 np.asarray(x, dtype=np.float64), with_hessian)  # fmt: skip
        self._cache = {key: (float(out[0]), out[1], out[2])}
        return self._cache[key]

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``(f(x), ∇f(x))``: one pass (with the Hessian once Newton has asked for one)."""
        self.n_fev += 1
        f, g, _ = self._evaluate(x, self._want_hessian)
        return f, g.copy()

    def value(self, x: np.ndarray) -> float:
        return self.value_and_gradient(x)[0]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.value_and_gradient(x)[1]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """``∇²f(x)``, dense float64 (from the pass that gave f at x when it was kept)."""
        self._want_hessian = True
        return self._evaluate(x, True)[2].copy()


# ----------------------------------------------------------------------------- classes
def _class_block(Xb, yb, wb, read):
    """Distinct labels of one partition with their row counts and weights."""
    n_rows = len(Xb)
    y = read.labels(yb, n_rows)
    w = block_weights(wb, n_rows, read.owner)
    labels, codes = np.unique(y, return_inverse=True)
    weights = np.bincount(codes.reshape(-1), weights=w, minlength=labels.size)
    positive = np.bincount(codes.reshape(-1), weights=None if w is None else (w > 0),
                           minlength=labels.size)  # fmt: skip
    return labels, weights, positive


def _merge_classes(a: tuple, b: tuple) -> tuple:
    labels, codes = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    weights = np.bincount(codes, weights=np.concatenate([a[1], b[1]]), minlength=labels.size)
    positive = np.bincount(codes, weights=np.concatenate([a[2], b[2]]), minlength=labels.size)
    return labels, weights, positive


def _classes(blocks: RowBlocks, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted classes and their total weights; at least two with positive weight."""
    classes, totals, positive = blocks.reduce(_class_block, _merge_classes, ClassRows(owner))
    present = classes[positive > 0]
    if present.size < 2:
        only = present[0] if present.size else classes[0]
        raise DataValidationError(
            f"{owner} needs at least 2 classes in y, got 1 class ({only!r}"
            f"{' after removing zero-weight rows' if blocks.w is not None else ''}); a "
            "classifier cannot learn from one class."
        )
    return classes, totals


def _per_class(model: Any, classes: np.ndarray, totals: np.ndarray) -> np.ndarray | None:
    """Each class's weight factor from ``class_weight`` (None without class weights)."""
    if model.class_weight is None:
        return None
    codes = np.arange(classes.size)
    rows = _class_weights(model.class_weight, classes, codes, totals)
    return np.where(totals > 0, rows / np.where(totals > 0, totals, 1.0), 1.0)


# ----------------------------------------------------------------------------- logistic
def fit_logistic(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """:meth:`LogisticRegression.fit` on Dask collections (module docstring)."""
    model._validate_params()
    owner = "LogisticRegression"
    if model.penalty == "elasticnet" and model.l1_ratio is None:
        raise ParameterError(
            "LogisticRegression(penalty='elasticnet') needs l1_ratio, the L1 share of the "
            "penalty in [0, 1]; e.g. l1_ratio=0.5."
        )
    blocks = row_blocks(X, y, sample_weight, owner=owner)
    record_features(model, blocks)
    previous = getattr(model, "classes_", None)
    model.classes_, totals = _classes(blocks, owner)
    per_class = _per_class(model, model.classes_, totals)
    K, d = model.classes_.size, blocks.n_features
    class_totals = totals if per_class is None else totals * per_class
    sum_w = float(class_totals.sum())
    penalty = get_penalty(model.penalty, 1.0 / (model.C * sum_w), model.l1_ratio or 0.0)
    loss = LogisticLoss() if K == 2 else SoftmaxCrossEntropy(K)
    surrogate = np.arange(K, dtype=np.float64 if K == 2 else np.intp)
    objective = PartitionedObjective(
        blocks, ClassRows(owner, model.classes_, per_class), loss,
        fit_intercept=model.fit_intercept, total_weight=sum_w,
        initial=loss.init_raw(surrogate, class_totals),
    )  # fmt: skip
    problem, n_penalised = model._problem(objective, K, d)
    x0 = model._start(objective, problem, previous)
    model.solver_ = choose_solver(model.solver, smooth=penalty.is_smooth, n_params=problem.n_params)
    ml_binary = model.penalty is None and K == 2
    result = fit_glm(problem, penalty, x0, solver=model.solver_, n_penalised=n_penalised,
                     tol=model.tol, max_iter=model.max_iter, owner=owner,
                     warn=not ml_binary)  # fmt: skip
    model._store(objective, problem, result, np.dtype(np.float64))
    model.result_ = None
    if model.penalty is None:
        model.result_ = _logistic_inference(model, blocks, objective.read, class_totals,
                                            target_name(y))  # fmt: skip
    if ml_binary:
        model._check_convergence(result)
    return model


def _information_block(Xb, yb, wb, read, coef, intercept, fit_intercept, K):
    """Fisher information, weighted loss and largest |η| of one partition."""
    X, codes, w = read(Xb, yb, wb)
    weights = np.ones(X.shape[0]) if w is None else w
    eta = X @ coef.T + intercept
    q = X.shape[1] + int(fit_intercept)
    if K == 2:
        p = expit(eta[:, 0])
        info = design_information(X, weights * p * (1 - p), fit_intercept)
        loss = float(weights @ LogisticLoss().pointwise(codes.astype(np.float64), eta[:, 0]))
        used = weights > 0
        return info, loss, float(np.max(np.abs(eta[used, 0]), initial=0.0))
    P = softmax(eta, axis=1)
    info = np.zeros(((K - 1) * q, (K - 1) * q))
    for k in range(1, K):
        for m in range(k, K):
            block = design_information(X, weights * P[:, k] * (float(k == m) - P[:, m]),
                                       fit_intercept)  # fmt: skip
            info[(k - 1) * q : k * q, (m - 1) * q : m * q] = block
            info[(m - 1) * q : m * q, (k - 1) * q : k * q] = block.T
    loss = float(weights @ SoftmaxCrossEntropy(K).pointwise(codes, eta))
    return info, loss, 0.0


def _add_information(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1], max(a[2], b[2])


def _logistic_inference(model, blocks, read, class_totals, target) -> GLMResults:
    K = model.classes_.size
    info, loss, max_eta = blocks.reduce(_information_block, _add_information, read,
                                        model.coef_.astype(np.float64),
                                        model.intercept_.astype(np.float64),
                                        model.fit_intercept, K)  # fmt: skip
    rows = model._names()
    common = dict(nobs=float(class_totals.sum()), target=target, converged=model.converged_,
                  n_iter=model.n_iter_)  # fmt: skip
    cov = covariance(info)
    if K == 2:
        params = np.r_[model.intercept_, model.coef_[0]] if model.fit_intercept else model.coef_[0]
        mean = class_totals[1] / class_totals.sum()
        llnull = float(xlogy(class_totals[1], mean) + xlogy(class_totals[0], 1 - mean))
        separation, alone = _separation(model, blocks, read, max_eta, cov, rows)
        extra = [f"Features that separate the classes on their own: {alone}."] if alone else []
        return GLMResults(
            family="Logistic regression",
            params=pd.Series(np.asarray(params, dtype=np.float64), index=rows, name="coef"),
            cov=cov, llf=-loss, llnull=llnull, df_model=blocks.n_features,
            separation=separation, notes_extra=extra, **common,
        )  # fmt: skip
    full = (np.column_stack([model.intercept_, model.coef_]) if model.fit_intercept
            else model.coef_)  # fmt: skip
    relative = (full[1:] - full[0]).T.astype(np.float64)
    return GLMResults(
        family="Multinomial logistic regression",
        params=pd.DataFrame(relative, index=rows, columns=[str(c) for c in model.classes_[1:]]),
        cov=cov, llf=-loss,
        llnull=float(np.sum(xlogy(class_totals, class_totals / class_totals.sum()))),
        df_model=(K - 1) * blocks.n_features, reference_class=str(model.classes_[0]), **common,
    )  # fmt: skip


# ----------------------------------------------------------------------------- poisson
def _count_block(Xb, yb, wb, read):
    X, y, w = read(Xb, yb, wb)
    weights = np.ones(X.shape[0]) if w is None else w
    return np.array([weights.sum(), weights @ y])


def _add(a: Any, b: Any) -> Any:
    return a + b


def fit_poisson(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """:meth:`PoissonRegressor.fit` on Dask collections (module docstring)."""
    model._validate_params()
    owner = "PoissonRegressor"
    blocks = row_blocks(X, y, sample_weight, owner=owner)
    record_features(model, blocks)
    read = CountRows(owner)
    sum_w, sum_wy = blocks.reduce(_count_block, _add, read)
    if not sum_w > 0:
        raise DataValidationError(f"{owner}: the rows have no positive weight; nothing to fit.")
    loss = PoissonLoss()
    objective = PartitionedObjective(blocks, read, loss, fit_intercept=model.fit_intercept,
                                     total_weight=sum_w,
                                     initial=loss.init_raw(np.array([sum_wy / sum_w])))  # fmt: skip
    x0 = objective.initial_params()
    d = blocks.n_features
    if model.warm_start and hasattr(model, "coef_") and model.coef_.shape == (d,):
        x0 = objective.pack(model.coef_, model.intercept_)
    penalty = L2(model.alpha) if model.alpha > 0 else NoPenalty()
    model.solver_ = choose_solver(model.solver, smooth=True, n_params=objective.n_params)
    result = fit_glm(objective, penalty, x0, solver=model.solver_, n_penalised=d, tol=model.tol,
                     max_iter=model.max_iter, owner=owner)  # fmt: skip
    coef, intercept = objective.unpack(result.x)
    model.coef_ = np.asarray(coef, dtype=np.float64)
    model.intercept_ = float(intercept)
    model.n_iter_ = int(result.n_iter)
    model.history_ = result.history
    model.converged_ = bool(result.converged)
    model.result_ = None
    if model.alpha == 0:
        model.result_ = _poisson_inference(model, blocks, read, sum_w, sum_wy, target_name(y))
    return model


def _poisson_block(Xb, yb, wb, read, coef, intercept, fit_intercept, mean):
    """Information, log-likelihoods (fitted, null) and deviance of one partition."""
    X, y, w = read(Xb, yb, wb)
    weights = np.ones(X.shape[0]) if w is None else w
    mu = np.exp(X @ coef + intercept)
    log_factorial = gammaln(y + 1)
    half_deviance = xlogy(y, y) - xlogy(y, mu) - y + mu
    sums = np.array([weights @ (xlogy(y, mu) - mu - log_factorial),
                     weights @ (xlogy(y, mean) - mean - log_factorial),
                     2 * weights @ half_deviance])  # fmt: skip
    return design_information(X, weights * mu, fit_intercept), sums


def _add_pair(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def _poisson_inference(model, blocks, read, sum_w, sum_wy, target) -> GLMResults:
    info, (llf, llnull, deviance) = blocks.reduce(
        _poisson_block, _add_pair, read, model.coef_, model.intercept_, model.fit_intercept,
        sum_wy / sum_w,
    )  # fmt: skip
    params = np.r_[model.intercept_, model.coef_] if model.fit_intercept else model.coef_
    return GLMResults(
        family="Poisson regression",
        params=pd.Series(np.asarray(params, dtype=np.float64), index=model._names(), name="coef"),
        cov=covariance(info), llf=float(llf), llnull=float(llnull), nobs=float(sum_w),
        df_model=blocks.n_features, target=target, converged=model.converged_,
        n_iter=model.n_iter_, deviance=float(deviance),
    )  # fmt: skip


# ----------------------------------------------------------------------------- separation
def _design_rows(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    return np.column_stack([np.ones(X.shape[0]), X]) if fit_intercept else X


def _boundary_block(Xb, yb, wb, read, coef, intercept, fit_intercept):
    """Each class's SEPARATION_ROWS rows of smallest |η| (positive weight) as design rows,
    the class's column minima and maxima, and the number of positive-weight rows."""
    X, codes, w = read(Xb, yb, wb)
    used = np.ones(X.shape[0], dtype=bool) if w is None else w > 0
    X, codes = X[used], codes[used]
    eta = np.abs(X @ coef[0] + intercept[0])
    extremes = np.full((2, 2, X.shape[1]), np.nan)
    for k in (0, 1):
        if np.any(codes == k):
            extremes[k] = X[codes == k].min(axis=0), X[codes == k].max(axis=0)
    keep = _nearest(codes, eta)
    return _design_rows(X[keep], fit_intercept), codes[keep], eta[keep], extremes, X.shape[0]


def _nearest(codes: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Positions of the SEPARATION_ROWS smallest |η| of each class."""
    chosen = []
    for k in (0, 1):
        rows = np.flatnonzero(codes == k)
        chosen.append(rows[np.argsort(eta[rows], kind="stable")[:SEPARATION_ROWS]])
    return np.concatenate(chosen)


def _merge_boundary(a: tuple, b: tuple) -> tuple:
    Z, codes, eta = np.vstack([a[0], b[0]]), np.concatenate([a[1], b[1]]), np.r_[a[2], b[2]]
    keep = _nearest(codes, eta)
    extremes = np.stack([np.fmin(a[3][:, 0], b[3][:, 0]), np.fmax(a[3][:, 1], b[3][:, 1])], 1)
    return Z[keep], codes[keep], eta[keep], extremes, a[4] + b[4]


def _separating_direction(Z: np.ndarray, codes: np.ndarray, scale: np.ndarray, tol: float):
    """The in-memory LPs on the rows Z: β maximising Σ margins with every margin ≥ 0 (None
    if there is none), and a β giving every row a margin ≥ t > 0 (None if none)."""
    A = (Z / scale) * np.where(codes > 0, 1.0, -1.0)[:, None]
    n, q = A.shape
    first = optimize.linprog(c=-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(n),
                             bounds=[(-1, 1)] * q, method="highs")  # fmt: skip
    if first.status != 0 or -first.fun <= tol * n:
        return None, None
    worst = optimize.linprog(c=np.r_[np.zeros(q), -1.0], A_ub=np.c_[-A, np.ones(n)],
                             b_ub=np.zeros(n), bounds=[(-1, 1)] * q + [(None, 1)],
                             method="highs")  # fmt: skip
    complete = worst.x[:q] if worst.status == 0 and -worst.fun > tol else None
    return first.x, complete


def _margins_block(Xb, yb, wb, read, fit_intercept, B, scale, threshold, n_rows):
    """For directions B (q × m): each one's smallest and largest margin over the partition,
    how many margins of the first exceed ``threshold``, and the rows of smallest margin."""
    X, codes, w = read(Xb, yb, wb)
    used = np.ones(X.shape[0], dtype=bool) if w is None else w > 0
    Z, codes = _design_rows(X[used], fit_intercept), codes[used]
    margins = ((Z / scale) * np.where(codes > 0, 1.0, -1.0)[:, None]) @ B
    key = margins.min(axis=1) if margins.size else np.zeros(0)
    order = np.argsort(key)[:n_rows]
    low = margins.min(axis=0, initial=np.inf)
    high = margins.max(axis=0, initial=-np.inf)
    return low, high, int(np.sum(margins[:, 0] > threshold)), Z[order], codes[order], key[order]


def _merge_margins(a: tuple, b: tuple) -> tuple:
    key = np.concatenate([a[5], b[5]])
    order = np.argsort(key)[: max(a[5].size, b[5].size)]
    Z, codes = np.vstack([a[3], b[3]]), np.concatenate([a[4], b[4]])
    return (np.minimum(a[0], b[0]), np.maximum(a[1], b[1]), a[2] + b[2], Z[order],
            codes[order], key[order])  # fmt: skip


def _decide(model, blocks, read, Z, codes, scale, rows, n_rows) -> Separation | None:
    """Constraint generation (module docstring): the LP on a working set of rows, checked
    against every row; None when it has not decided within SEPARATION_ROUNDS rounds."""
    tol = 1e-7
    labels = list(rows)
    for _ in range(SEPARATION_ROUNDS):
        beta, complete = _separating_direction(Z, codes, scale, tol)
        if beta is None:
            return Separation(False)  # a subset of separable rows would be separable
        B = np.column_stack([beta] if complete is None else [beta, complete])
        low, high, _, worst_Z, worst_codes, worst = blocks.reduce(
            _margins_block, _merge_margins, read, model.fit_intercept, B, scale, np.inf,
            SEPARATION_ROWS,
        )  # fmt: skip
        slack = 1e-9 * max(1.0, float(np.max(high)))
        if np.all(low >= -slack):
            strict = 1e3 * tol * high[0]
            counted = blocks.reduce(_margins_block, _merge_margins, read, model.fit_intercept,
                                    B[:, :1], scale, strict, 1)[2]  # fmt: skip
            big = np.abs(beta) > 1e3 * tol * np.abs(beta).max()
            return Separation(
                separated=True,
                complete=complete is not None,
                n_separated_rows=n_rows if complete is not None else counted,
                columns=[labels[j] for j in np.flatnonzero(big)],
            )
        violated = worst < -slack
        Z = np.vstack([Z, worst_Z[violated]])
        codes = np.concatenate([codes, worst_codes[violated]])
    return None


def _separation(model, blocks, read, max_eta, cov, rows) -> tuple[Separation | None, list[str]]:
    """The in-memory separation check (signs first, then the LP) over all partitions."""
    signs = not model.converged_ or max_eta > SEPARATION_ETA or not np.all(np.isfinite(cov))
    if not signs:
        return None, []
    coef = model.coef_.astype(np.float64)
    intercept = model.intercept_.astype(np.float64)
    Z, codes, _, extremes, n_rows = blocks.reduce(
        _boundary_block, _merge_boundary, read, coef, intercept, model.fit_intercept
    )
    names = rows[int(model.fit_intercept) :]
    low = extremes[1, 0] >= extremes[0, 1]
    high = extremes[0, 0] >= extremes[1, 1]
    alone = [names[j] for j in np.flatnonzero(low | high)]
    scale = np.nanmax(np.abs(extremes), axis=(0, 1))
    scale = np.r_[1.0, scale] if model.fit_intercept else scale
    scale[scale == 0] = 1.0
    separation = _decide(model, blocks, read, Z, codes, scale, rows, n_rows)
    if separation is None:
        return _undecided(), []
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
            stacklevel=5,
        )
    return separation, alone if separation.separated else []


def _undecided() -> Separation:
    """Treated as separated (inference withheld) when the check could not decide."""
    warnings.warn(
        "LogisticRegression: the fit shows signs of separation and the check over the Dask "
        f"partitions did not settle it in {SEPARATION_ROUNDS} rounds, so summary() shows no "
        "standard errors or p-values. Fit a penalised model (penalty='l2'), or run the check "
        "in memory on the rows near the decision boundary.",
        SeparationWarning,
        stacklevel=6,
    )
    return Separation(separated=True, complete=False, n_separated_rows=0, columns=[])
