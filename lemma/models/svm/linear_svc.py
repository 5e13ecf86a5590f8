"""Linear support vector classification: the hinge losses with an L2 penalty.

Primal (two classes, labels ``sᵢ ∈ {−1, +1}``; with an intercept each row is extended
to ``zᵢ = [xᵢ, B]``, ``B = intercept_scaling``, and ``v = [w, w_B]``, so the intercept
``b = B·w_B`` is penalised too — liblinear's and scikit-learn's convention)::

    minimise over v   ½‖v‖² + Σᵢ Cᵢ ℓ(sᵢ vᵀzᵢ),      Cᵢ = C · sample_weightᵢ · class_weight[yᵢ],

    hinge            ℓ(m) = max(0, 1 − m),
    squared hinge    ℓ(m) = max(0, 1 − m)².

Dual (Lagrange multipliers αᵢ of the margin constraints; ``Q̄ = Q + D``,
``Qᵢⱼ = sᵢsⱼ zᵢᵀzⱼ``)::

    minimise over α   f(α) = ½ αᵀQ̄α − Σᵢ αᵢ     subject to 0 ≤ αᵢ ≤ Uᵢ,
    hinge: Uᵢ = Cᵢ, D = 0;     squared hinge: Uᵢ = ∞, Dᵢᵢ = 1/(2Cᵢ);
    v = Σᵢ αᵢ sᵢ zᵢ,           and at the optimum ½‖v‖² + Σ Cᵢℓᵢ = −f(α).

Solver "cd": dual coordinate descent (Hsieh et al. 2008, liblinear's solver). One
epoch visits the coordinates in random order; for coordinate i, with
``Gᵢ = sᵢ vᵀzᵢ − 1 + Dᵢᵢαᵢ`` (the partial derivative of f),

    αᵢ ← min(max(αᵢ − Gᵢ / Q̄ᵢᵢ, 0), Uᵢ),      v ← v + Δαᵢ sᵢ zᵢ,

an exact minimisation along the coordinate at O(d) cost. It stops when the projected
gradients (Gᵢ, clipped at the bounds) span at most ``tol``; coordinates at a bound
whose gradient pushes outwards are set aside ("shrinking") and checked again before
stopping. ``history_`` holds f(α) after each epoch.

Solver "lbfgs" (squared hinge only, which is differentiable; the default when
``n_samples ≥ n_features``, as scikit-learn's ``dual="auto"``): the primal objective,
divided by ``C·Σ(sample_weight · class_weight)``, minimised by L-BFGS from
:mod:`lemma.optim` with the squared hinge loss of :mod:`lemma.losses` and the L2
penalty of :mod:`lemma.penalties`; ``tol`` bounds the ∞-norm of its gradient.

More than two classes: one-vs-rest, class k against the others, K problems. With
class weights, problem k weighs its positive rows by ``class_weight[k]`` and the
others by 1 (liblinear's convention, which scikit-learn follows).

Reference: Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual coordinate descent
method for large-scale linear SVM", ICML 2008; Fan et al., "LIBLINEAR: a library for
large linear classification", JMLR 9, 2008.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numba
import numpy as np

from lemma._constraints import BOOL, DICT, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin
from lemma.exceptions import ConvergenceWarning, ParameterError, interop
from lemma.losses import LinearModelObjective, SquaredHingeLoss
from lemma.optim import minimize
from lemma.penalties import L2
from lemma.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    encode_classes,
    validate_data,
)

__all__ = ["LinearSVC", "class_weights", "dual_coordinate_descent"]


def class_weights(
    class_weight: Any, classes: np.ndarray, codes: np.ndarray, sample_weight: np.ndarray
) -> np.ndarray:
    """The weight of each class, shape (n_classes,).

    "balanced" gives class k the weight ``Σw / (K · Σ_{yᵢ=k} wᵢ)`` (w: the sample
    weights); a dict maps class labels to weights (missing classes weigh 1); None
    weighs every class 1.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([0, 0, 0, 1])
    >>> class_weights("balanced", np.array(["a", "b"]), codes, np.ones(4)).tolist()
    [0.6666666666666666, 2.0]
    """
    if class_weight is None:
        return np.ones(classes.size)
    if isinstance(class_weight, str):
        counts = np.bincount(codes, weights=sample_weight, minlength=classes.size)
        return counts.sum() / (classes.size * np.maximum(counts, np.finfo(float).tiny))
    labels = {str(c): k for k, c in enumerate(classes.tolist())}
    unknown = [key for key in class_weight if str(key) not in labels]
    if unknown:
        raise ParameterError(
            f"class_weight has labels {unknown} that are not classes of y "
            f"{classes.tolist()}; use the class labels as keys."
        )
    per_class = np.ones(classes.size)
    for key, value in class_weight.items():
        per_class[labels[str(key)]] = float(value)
    return per_class


@numba.njit(cache=True)
def _margin(X, i, v, bias):
    """``vᵀzᵢ`` with ``zᵢ = [xᵢ, bias]`` (v has d + 1 entries)."""
    total = v[X.shape[1]] * bias
    for j in range(X.shape[1]):
        total += v[j] * X[i, j]
    return total


@numba.njit(cache=True)
def dual_coordinate_descent(X, s, bias, upper, diag, tol, max_iter, seed, v, history):
    """Minimise the dual ``½ αᵀ(Q + D)α − Σα`` over ``0 ≤ α ≤ U`` (module docstring).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    s : ndarray of shape (n,)
        Labels ±1.
    bias : float
        B, the constant appended to every row (0 without an intercept).
    upper, diag : ndarray of shape (n,)
        ``Uᵢ`` and ``Dᵢᵢ``.
    tol : float
    max_iter : int
    seed : int
        Seed of the order of the coordinates.
    v : ndarray of shape (d + 1,)
        Zero on entry; ``Σ αᵢ sᵢ zᵢ`` on exit.
    history : ndarray of shape (max_iter,)
        The dual objective after each epoch (filled up to ``n_iter``).

    Returns
    -------
    n_iter : int
    alpha : ndarray of shape (n,)
    """
    n, d = X.shape
    np.random.seed(seed)  # noqa: NPY002 (Numba's own generator, seeded in the kernel)
    alpha = np.zeros(n)
    q_diag = np.empty(n)
    for i in range(n):
        q_diag[i] = diag[i] + bias * bias
        for j in range(d):
            q_diag[i] += X[i, j] * X[i, j]
    index = np.arange(n)
    active = n
    pg_max_old = np.inf
    pg_min_old = -np.inf
    n_iter = 0
    while n_iter < max_iter:
        pg_max = -np.inf
        pg_min = np.inf
        for a in range(active):  # random order of the active coordinates
            b = a + np.random.randint(active - a)  # noqa: NPY002
            index[a], index[b] = index[b], index[a]
        position = 0
        while position < active:
            i = index[position]
            gradient = s[i] * _margin(X, i, v, bias) - 1.0 + diag[i] * alpha[i]
            projected = gradient
            if alpha[i] == 0.0:
                if gradient > pg_max_old:  # stays at 0: set aside
                    active -= 1
                    index[position], index[active] = index[active], index[position]
                    continue
                projected = min(gradient, 0.0)
            elif alpha[i] == upper[i]:
                if gradient < pg_min_old:  # stays at U: set aside
                    active -= 1
                    index[position], index[active] = index[active], index[position]
                    continue
                projected = max(gradient, 0.0)
            pg_max = max(pg_max, projected)
            pg_min = min(pg_min, projected)
            if abs(projected) > 1e-12:
                old = alpha[i]
                alpha[i] = min(max(old - gradient / q_diag[i], 0.0), upper[i])
                step = (alpha[i] - old) * s[i]
                for j in range(d):
                    v[j] += step * X[i, j]
                v[d] += step * bias
            position += 1
        history[n_iter] = 0.5 * (np.dot(v, v) + np.sum(diag * alpha * alpha)) - np.sum(alpha)
        n_iter += 1
        if pg_max - pg_min <= tol:
            if active == n:
                break
            active = n  # check the set-aside coordinates before stopping
            pg_max_old = np.inf
            pg_min_old = -np.inf
            continue
        pg_max_old = pg_max if pg_max > 0.0 else np.inf
        pg_min_old = pg_min if pg_min < 0.0 else -np.inf
    return n_iter, alpha


class _Fit(NamedTuple):
    """One binary problem solved: ``v = [w, w_B]``, iterations, objective history, α."""

    v: np.ndarray
    n_iter: int
    history: np.ndarray
    alpha: np.ndarray | None
    converged: bool


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classifier (hinge or squared hinge loss, L2 penalty).

    Minimises ``½‖v‖² + Σ Cᵢ ℓ(sᵢ vᵀzᵢ)`` (module docstring), by dual coordinate
    descent (liblinear's method) or, for the squared hinge, by L-BFGS.

    Parameters
    ----------
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
    C : float, default=1.0
        Weight of the losses against the penalty, > 0.
    fit_intercept : bool, default=True
        Fit an intercept (penalised: see ``intercept_scaling``).
    intercept_scaling : float, default=1.0
        B, the constant feature whose weight is the intercept over B; a larger B
        penalises the intercept less.
    class_weight : dict, "balanced" or None, default=None
        Multiplies C for the rows of each class.
    solver : {"auto", "cd", "lbfgs"}, default="auto"
        Dual coordinate descent, or L-BFGS on the primal (squared hinge only). "auto":
        L-BFGS for the squared hinge when ``n_samples ≥ n_features`` (the primal has
        fewer unknowns; coordinate descent is slow on badly scaled features), else
        coordinate descent — scikit-learn's ``dual="auto"`` rule.
    tol : float, default=1e-4
        "cd": largest spread of the projected dual gradients; "lbfgs": ∞-norm of the
        gradient of the scaled primal.
    max_iter : int, default=1000
        Epochs ("cd") or iterations ("lbfgs") per one-vs-rest problem.
    random_state : None, int or Generator, default=None
        Order of the coordinates ("cd").

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
        Largest number of epochs (iterations) over the one-vs-rest problems.
    history_ : list of ndarray
        Per problem: the dual objective f(α) after each epoch ("cd"), or the scaled
        primal objective per iteration ("lbfgs").
    dual_coef_ : list of ndarray of shape (n_samples,)
        Per problem: the multipliers αᵢ ("cd" only).
    converged_ : bool
    solver_ : str
        The solver used ("auto" resolved).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.svm import LinearSVC
    >>> X = np.array([[0.0, 0.0], [1.0, 0.5], [0.5, 1.0], [3.0, 3.0], [4.0, 3.5], [3.5, 4.0]])
    >>> y = np.array(["no", "no", "no", "yes", "yes", "yes"])
    >>> model = LinearSVC(random_state=0).fit(X, y)
    >>> model.predict([[0.5, 0.2], [3.6, 3.1]]).tolist()
    ['no', 'yes']
    >>> bool(model.decision_function([[4.0, 4.0]])[0] > 1.0)
    True
    """

    _parameter_constraints = {
        "loss": [Options({"squared_hinge", "hinge"})],
        "C": [Interval(float, 0, None, closed="neither")],
        "fit_intercept": [BOOL],
        "intercept_scaling": [Interval(float, 0, None, closed="neither")],
        "class_weight": [Options({"balanced"}), DICT, None],
        "solver": [Options({"auto", "cd", "lbfgs"})],
        "tol": [Interval(float, 0, None, closed="neither")],
        "max_iter": [Interval(int, 1, None)],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        *,
        loss: str = "squared_hinge",
        C: float = 1.0,
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        class_weight: Any = None,
        solver: str = "auto",
        tol: float = 1e-4,
        max_iter: int = 1000,
        random_state: Any = None,
    ):
        self.loss = loss
        self.C = C
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearSVC:
        """Fit one linear SVM (two classes) or one per class against the rest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Multiplies C row by row.

        Returns
        -------
        self
        """
        self._validate_params()
        if self.solver == "lbfgs" and self.loss == "hinge":
            raise ParameterError(
                "LinearSVC: solver='lbfgs' needs a differentiable loss; the hinge is not. "
                "Use loss='squared_hinge' or solver='cd'."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        self.solver_ = self.solver
        if self.solver == "auto":
            primal = self.loss == "squared_hinge" and X.shape[0] >= X.shape[1]
            self.solver_ = "lbfgs" if primal else "cd"
        w = check_sample_weight(sample_weight, X.shape[0])
        self.classes_, codes = encode_classes(y, w, type(self).__name__)
        per_class = class_weights(self.class_weight, self.classes_, codes, w)
        rng = check_random_state(self.random_state)
        if self.classes_.size == 2:
            fits = [self._fit_binary(X, codes == 1, self.C * w * per_class[codes], rng)]
        else:  # class k against the rest: the rest weigh 1 (liblinear's convention)
            fits = [
                self._fit_binary(X, codes == k, self.C * w * np.where(codes == k, weight, 1.0), rng)
                for k, weight in enumerate(per_class)
            ]
        bias = self.intercept_scaling if self.fit_intercept else 0.0
        self.coef_ = np.array([fit.v[:-1] for fit in fits])
        self.intercept_ = np.array([bias * fit.v[-1] for fit in fits])
        self.n_iter_ = max(fit.n_iter for fit in fits)
        self.history_ = [fit.history for fit in fits]
        if self.solver_ == "cd":
            self.dual_coef_ = [fit.alpha for fit in fits]
        self.converged_ = all(fit.converged for fit in fits)
        if not self.converged_ and self.solver_ == "cd":
            warnings.warn(
                f"LinearSVC: dual coordinate descent stopped after max_iter={self.max_iter} "
                f"epochs before the projected gradients came within tol={self.tol:g}; "
                "increase max_iter, or scale the features.",
                interop(ConvergenceWarning),
                stacklevel=2,
            )
        return self

    def _fit_binary(self, X: np.ndarray, positive: np.ndarray, costs: np.ndarray, rng: Any):
        """One problem: class ``positive`` (+1) against the rest (−1)."""
        bias = self.intercept_scaling if self.fit_intercept else 0.0
        if self.solver_ == "lbfgs":
            return self._fit_lbfgs(X, positive, costs, bias)
        s = np.where(positive, 1.0, -1.0)
        kept = costs > 0.0  # a row of weight 0 has no constraint
        alpha = np.zeros(X.shape[0])
        if self.loss == "hinge":
            upper, diag = costs[kept], np.zeros(int(kept.sum()))
        else:
            upper, diag = np.full(int(kept.sum()), np.inf), 0.5 / costs[kept]
        v = np.zeros(X.shape[1] + 1)
        history = np.empty(self.max_iter)
        n_iter, alpha[kept] = dual_coordinate_descent(
            X if kept.all() else np.ascontiguousarray(X[kept]), s[kept], bias, upper, diag,
            self.tol, self.max_iter, rng.randint(np.iinfo(np.int32).max), v, history,
        )  # fmt: skip
        return _Fit(v, n_iter, history[:n_iter].copy(), alpha, n_iter < self.max_iter)

    def _fit_lbfgs(self, X: np.ndarray, positive: np.ndarray, costs: np.ndarray, bias: float):
        """The primal over ``Σ Cᵢ``: mean weighted squared hinge + ½‖v‖² / Σ Cᵢ."""
        Z = np.column_stack([X, np.full(X.shape[0], bias)]) if bias else X
        objective = LinearModelObjective(
            SquaredHingeLoss(), Z, positive.astype(np.float64), penalty=L2(1.0 / costs.sum()),
            sample_weight=costs, fit_intercept=False,
        )  # fmt: skip
        result = minimize(
            objective, np.zeros(Z.shape[1]), method="lbfgs", tol=self.tol,
            max_iter=self.max_iter, owner="LinearSVC",
        )  # fmt: skip
        v = result.x if bias else np.append(result.x, 0.0)
        return _Fit(v, result.n_iter, result.history, None, result.converged)

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed margins ``wᵀx + b``, shape (n_samples,) for two classes, else
        (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """The class on the positive side (two classes) or of the largest margin."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]
