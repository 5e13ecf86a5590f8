"""Kernel support vector classification: the soft-margin SVM solved in its dual.

Primal (two classes, ``yᵢ = ±1``, a feature map φ with ``K(x, x') = ⟨φ(x), φ(x')⟩``,
``Cᵢ = C · sample_weightᵢ · class_weight[yᵢ]``)::

    minimise over (w, b, ξ)   ½‖w‖² + Σᵢ Cᵢ ξᵢ
    subject to                yᵢ(wᵀφ(xᵢ) + b) ≥ 1 − ξᵢ,   ξᵢ ≥ 0.

Lagrangian, with multipliers ``αᵢ ≥ 0`` for the margins and ``μᵢ ≥ 0`` for ``ξᵢ ≥ 0``::

    L(w, b, ξ, α, μ) = ½‖w‖² + Σ Cᵢξᵢ − Σ αᵢ [yᵢ(wᵀφ(xᵢ) + b) − 1 + ξᵢ] − Σ μᵢξᵢ.

Stationarity: ``∂L/∂w = 0 ⇒ w = Σ αᵢyᵢφ(xᵢ)``; ``∂L/∂b = 0 ⇒ Σ αᵢyᵢ = 0``;
``∂L/∂ξᵢ = 0 ⇒ αᵢ = Cᵢ − μᵢ ≤ Cᵢ``. Substituting gives the dual, which needs only K::

    minimise over α   ½ Σᵢ Σⱼ αᵢαⱼyᵢyⱼK(xᵢ, xⱼ) − Σᵢ αᵢ
    subject to        Σᵢ yᵢαᵢ = 0,   0 ≤ αᵢ ≤ Cᵢ,

solved by SMO (:mod:`~lemma.models.svm._smo`). The decision function is
``f(x) = Σᵢ αᵢyᵢK(xᵢ, x) + b``; the rows with ``αᵢ > 0`` are the support vectors.
Complementary slackness gives the KKT conditions checked at the solution:
``αᵢ = 0 ⇒ yᵢf(xᵢ) ≥ 1``, ``0 < αᵢ < Cᵢ ⇒ yᵢf(xᵢ) = 1``, ``αᵢ = Cᵢ ⇒ yᵢf(xᵢ) ≤ 1``.

K ≥ 3 classes: one-vs-one as libsvm, one SVM per pair of classes on the rows of those
two classes; ``predict`` takes the class with most pairwise wins (ties: the first
class). ``decision_function_shape="ovr"`` turns the pairwise values into one score per
class as scikit-learn does: ``votesₖ + sₖ / (3(|sₖ| + 1))``, sₖ the sum of the pairwise
values in favour of k.

Probabilities (``probability=True``): for each pair a sigmoid is fitted to decision
values from an internal 5-fold cross-validation (Platt scaling) and the pairwise
probabilities are coupled (:mod:`~lemma.models.svm._platt`). The folds are drawn
from ``random_state``, not libsvm's generator, so the probabilities are close to but
not equal to scikit-learn's; they need not agree with ``predict`` either.

Reference: Cortes & Vapnik, "Support-vector networks", Machine Learning 20, 1995;
Chang & Lin, "LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma._constraints import BOOL, DICT, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin
from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError, interop
from lemma.models.svm._kernels import KERNELS, kernel_matrix, resolve_gamma
from lemma.models.svm._platt import couple, sigmoid_predict, sigmoid_train
from lemma.models.svm._smo import smo
from lemma.models.svm.linear_svc import class_weights
from lemma.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    encode_classes,
    validate_data,
)

__all__ = ["SVC", "ovr_decision"]

#: Folds of the cross-validation behind Platt scaling (libsvm's 5).
PLATT_FOLDS = 5

#: Kernel values held at once when predicting (rows × support vectors), 16 MB.
PREDICT_BLOCK = 2**21


def ovr_decision(pairwise: np.ndarray, n_classes: int) -> np.ndarray:
    """One score per class from one-vs-one values (positive: the first class of the pair).

    ``votesₖ + sₖ / (3(|sₖ| + 1))`` with sₖ the sum of the values in favour of k: the
    votes decide, the bounded confidences only break ties (scikit-learn's rule).

    Examples
    --------
    >>> import numpy as np
    >>> ovr_decision(np.array([[1.5, 0.5, -2.0]]), 3).round(3).tolist()  # pairs 01, 02, 12
    [[2.222, -0.259, 1.2]]
    """
    n = pairwise.shape[0]
    votes = np.zeros((n, n_classes))
    sums = np.zeros((n, n_classes))
    pair = 0
    for a in range(n_classes):
        for b in range(a + 1, n_classes):
            value = pairwise[:, pair]
            sums[:, a] += value
            sums[:, b] -= value
            votes[:, a] += value > 0
            votes[:, b] += value <= 0
            pair += 1
    return votes + sums / (3.0 * (np.abs(sums) + 1.0))


class SVC(ClassifierMixin, BaseEstimator):
    """Kernel support vector classifier trained by SMO on the dual (libsvm's algorithm).

    See the module docstring for the primal, its Lagrangian and the dual.

    Parameters
    ----------
    C : float, default=1.0
        Bound on each multiplier (the weight of the margin violations), > 0.
    kernel : {"rbf", "linear", "poly", "sigmoid"}, default="rbf"
    degree : int, default=3
        Degree of "poly".
    gamma : "scale", "auto" or float, default="scale"
        γ of "rbf", "poly" and "sigmoid": ``1/(n_features · Var(X))``, ``1/n_features``
        or the value given.
    coef0 : float, default=0.0
        c₀ of "poly" and "sigmoid".
    probability : bool, default=False
        Fit Platt sigmoids (5 more SVMs per pair) so that ``predict_proba`` exists.
    tol : float, default=1e-3
        SMO stops when the maximal KKT violation ``m(α) − M(α)`` is below ``tol``.
    cache_size : float, default=200
        Megabytes of kernel rows kept per SVM.
    class_weight : dict, "balanced" or None, default=None
        Multiplies C for the rows of each class; "balanced": ``n / (K · n_k)`` with n_k
        the rows of class k (sample weights not counted, as scikit-learn's SVC).
    max_iter : int, default=-1
        Pair updates per SVM; -1: libsvm's cap ``max(10⁷, 100 n)``.
    decision_function_shape : {"ovr", "ovo"}, default="ovr"
        One score per class, or one per pair of classes.
    break_ties : bool, default=False
        With "ovr" and K ≥ 3 classes, predict the argmax of ``decision_function``
        instead of the class with most pairwise wins.
    random_state : None, int or Generator, default=None
        Folds of the Platt cross-validation.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors, grouped by class.
    support_vectors_ : ndarray of shape (n_SV, n_features)
    n_support_ : ndarray of shape (n_classes,)
    dual_coef_ : ndarray of shape (n_classes − 1, n_SV)
        ``yᵢαᵢ`` in libsvm's layout (for two classes, the sign of class 1 positive).
    intercept_ : ndarray of shape (n_pairs,)
        b of each pairwise SVM.
    probA_, probB_ : ndarray of shape (n_pairs,)
        Platt's A and B (empty without ``probability``).
    class_weight_ : ndarray of shape (n_classes,)
    n_iter_ : ndarray of shape (n_pairs,)
        SMO pair updates of each SVM.
    history_ : list of ndarray
        The dual objective after every SMO update, per pairwise SVM.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.svm import SVC
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> y = np.where(np.hypot(X[:, 0], X[:, 1]) < 1.0, "in", "out")
    >>> model = SVC(C=10.0).fit(X, y)
    >>> model.predict([[0.0, 0.1], [2.0, -2.0]]).tolist()
    ['in', 'out']
    """

    _parameter_constraints = {
        "C": [Interval(float, 0, None, closed="neither")],
        "kernel": [Options(set(KERNELS))],
        "degree": [Interval(int, 0, None)],
        "gamma": [Options({"scale", "auto"}), Interval(float, 0, None, closed="neither")],
        "coef0": [Interval(float, None, None)],
        "probability": [BOOL],
        "tol": [Interval(float, 0, None, closed="neither")],
        "cache_size": [Interval(float, 0, None, closed="neither")],
        "class_weight": [Options({"balanced"}), DICT, None],
        "max_iter": [Interval(int, -1, None)],
        "decision_function_shape": [Options({"ovr", "ovo"})],
        "break_ties": [BOOL],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        *,
        C: float = 1.0,
        kernel: str = "rbf",
        degree: int = 3,
        gamma: str | float = "scale",
        coef0: float = 0.0,
        probability: bool = False,
        tol: float = 1e-3,
        cache_size: float = 200,
        class_weight: Any = None,
        max_iter: int = -1,
        decision_function_shape: str = "ovr",
        break_ties: bool = False,
        random_state: Any = None,
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.probability = probability
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SVC:
        """Solve one dual per pair of classes; keep the support vectors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Multiplies C row by row; rows of weight 0 are left out.

        Returns
        -------
        self
        """
        self._validate_params()
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ParameterError(
                "SVC: break_ties=True needs decision_function_shape='ovr' (ties are broken "
                "with the one-vs-rest scores)."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        w = check_sample_weight(sample_weight, X.shape[0])
        self.classes_, codes = encode_classes(y, w, type(self).__name__)
        # "balanced" counts rows, not weights (scikit-learn's SVC)
        self.class_weight_ = class_weights(self.class_weight, self.classes_, codes, np.ones(w.size))
        costs = self.C * w * self.class_weight_[codes]
        empty = np.flatnonzero(np.bincount(codes, weights=costs, minlength=self.classes_.size) == 0)
        if empty.size:
            raise DataValidationError(
                f"SVC: class {self.classes_.tolist()[empty[0]]!r} has no row of positive weight "
                "(sample_weight × class_weight), so no SVM can separate it; drop it from y or "
                "give its rows positive weights."
            )
        self._gamma = resolve_gamma(self.gamma, X)
        rng = check_random_state(self.random_state)
        alphas, rhos, n_iter, self.history_, probA, probB = [], [], [], [], [], []
        for a, b in self._pairs():
            rows = np.flatnonzero((costs > 0) & ((codes == a) | (codes == b)))
            signs = np.where(codes[rows] == a, 1.0, -1.0)
            Xp = np.ascontiguousarray(X[rows])
            alpha, rho, iterations, history = self._solve(Xp, signs, costs[rows])
            alphas.append((rows, alpha))
            rhos.append(rho)
            n_iter.append(iterations)
            self.history_.append(history)
            if self.probability:
                A, B = self._platt(Xp, signs, costs[rows], rng)
                probA.append(A)
                probB.append(B)
        self.n_iter_ = np.array(n_iter)
        self.probA_, self.probB_ = np.array(probA), np.array(probB)
        self._store_support(X, codes, alphas, np.array(rhos))
        return self

    def _pairs(self) -> list[tuple[int, int]]:
        K = self.classes_.size
        return [(a, b) for a in range(K) for b in range(a + 1, K)]

    def _solve(self, X: np.ndarray, signs: np.ndarray, costs: np.ndarray):
        """One dual by SMO: ``(alpha, rho, n_iter, history)``."""
        n = X.shape[0]
        cap = max(10_000_000, 100 * n) if self.max_iter == -1 else self.max_iter
        slots = max(2, int(self.cache_size * 2**20 // (4 * max(n, 1))))  # float32 rows
        alpha, rho, n_iter, history = smo(
            X, signs, costs, KERNELS[self.kernel], self._gamma, float(self.coef0),
            int(self.degree), float(self.tol), int(cap), slots,
        )  # fmt: skip
        if n_iter >= cap:
            warnings.warn(
                f"SVC: SMO stopped after {n_iter} pair updates (max_iter) before the KKT "
                f"violation fell below tol={self.tol:g}; increase max_iter, scale the "
                "features, or lower C.",
                interop(ConvergenceWarning),
                stacklevel=3,
            )
        return alpha, rho, n_iter, history

    def _platt(self, X: np.ndarray, signs: np.ndarray, costs: np.ndarray, rng: Any):
        """Platt's (A, B) from decision values of a 5-fold cross-validation."""
        n = signs.size
        order = rng.permutation(n)
        decision = np.zeros(n)
        for fold in range(PLATT_FOLDS):
            held = order[fold * n // PLATT_FOLDS : (fold + 1) * n // PLATT_FOLDS]
            train = np.setdiff1d(order, held, assume_unique=True)
            n_pos = int(np.sum(signs[train] > 0))
            if n_pos == 0 or n_pos == train.size:  # one class left: libsvm's ±1 (0 if none)
                decision[held] = 0.0 if train.size == 0 else (1.0 if n_pos else -1.0)
                continue
            Xt = np.ascontiguousarray(X[train])
            alpha, rho, _, _ = self._solve(Xt, signs[train], costs[train])
            used = alpha > 0
            K = self._kernel(X[held], Xt[used])
            decision[held] = K @ (alpha[used] * signs[train][used]) - rho
        return sigmoid_train(decision, signs > 0)

    def _store_support(self, X, codes, alphas, rhos) -> None:
        """Support vectors grouped by class, libsvm's ``dual_coef_`` and the pair coefficients."""
        is_sv = np.zeros(X.shape[0], dtype=bool)
        for rows, alpha in alphas:
            is_sv[rows[alpha > 0]] = True
        self.support_ = np.concatenate(
            [np.flatnonzero(is_sv & (codes == k)) for k in range(self.classes_.size)]
        )
        self.n_support_ = np.bincount(codes[self.support_], minlength=self.classes_.size)
        self.support_vectors_ = X[self.support_]
        position = np.full(X.shape[0], -1)
        position[self.support_] = np.arange(self.support_.size)
        n_pairs = len(alphas)
        self._pair_coef = np.zeros((self.support_.size, n_pairs))
        dual = np.zeros((max(self.classes_.size - 1, 1), self.support_.size))
        for pair, ((a, b), (rows, alpha)) in enumerate(zip(self._pairs(), alphas, strict=True)):
            used = alpha > 0
            where = position[rows[used]]
            coef = np.where(codes[rows[used]] == a, 1.0, -1.0) * alpha[used]
            self._pair_coef[where, pair] = coef
            first = codes[rows[used]] == a
            dual[b - 1, where[first]] = coef[first]
            dual[a, where[~first]] = coef[~first]
        self._rho = rhos
        if self.classes_.size == 2:  # scikit-learn's sign: positive values mean class 1
            self.dual_coef_, self.intercept_ = -dual, rhos.copy()
        else:
            self.dual_coef_, self.intercept_ = dual, -rhos

    # ------------------------------------------------------------------ prediction
    def _kernel(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return kernel_matrix(A, B, self.kernel, self._gamma, self.coef0, self.degree)

    def _pairwise(self, X: Any) -> np.ndarray:
        """libsvm's decision values, one column per pair (positive: the first class)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        out = np.empty((X.shape[0], self._rho.size))
        step = max(1, PREDICT_BLOCK // max(self.support_.size, 1))
        for start in range(0, X.shape[0], step):
            K = self._kernel(X[start : start + step], self.support_vectors_)
            out[start : start + step] = K @ self._pair_coef - self._rho
        return out

    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values: shape (n_samples,) for two classes (positive: ``classes_[1]``),
        else (n_samples, n_classes) ("ovr") or (n_samples, n_pairs) ("ovo")."""
        pairwise = self._pairwise(X)
        if self.classes_.size == 2:
            return -pairwise[:, 0]
        if self.decision_function_shape == "ovo":
            return pairwise
        return ovr_decision(pairwise, self.classes_.size)

    def predict(self, X: Any) -> np.ndarray:
        """The class with most pairwise wins (ties: the first), or with ``break_ties`` the
        argmax of the one-vs-rest scores."""
        pairwise = self._pairwise(X)
        K = self.classes_.size
        if K == 2:
            return self.classes_[np.where(pairwise[:, 0] > 0, 0, 1)]
        if self.break_ties:
            return self.classes_[np.argmax(ovr_decision(pairwise, K), axis=1)]
        votes = np.zeros((pairwise.shape[0], K), dtype=np.int64)
        for pair, (a, b) in enumerate(self._pairs()):
            first = pairwise[:, pair] > 0
            votes[:, a] += first
            votes[:, b] += ~first
        return self.classes_[np.argmax(votes, axis=1)]

    @property
    def predict_proba(self) -> Callable[[Any], np.ndarray]:
        """Class probabilities, shape (n_samples, n_classes) (needs ``probability=True``)."""
        if not self.probability:
            raise AttributeError(
                "predict_proba is not available when probability=False; fit "
                "SVC(probability=True) to calibrate the decision values (Platt scaling)."
            )
        return self._predict_proba

    @property
    def predict_log_proba(self) -> Callable[[Any], np.ndarray]:
        """Logarithm of :attr:`predict_proba` (needs ``probability=True``)."""
        if not self.probability:
            raise AttributeError(
                "predict_log_proba is not available when probability=False; fit "
                "SVC(probability=True)."
            )
        return lambda X: np.log(self._predict_proba(X))

    def _predict_proba(self, X: Any) -> np.ndarray:
        pairwise = self._pairwise(X)
        if self.probA_.size == 0:
            raise AttributeError(
                "SVC was fitted with probability=False; refit with probability=True to get "
                "predict_proba."
            )
        r = np.stack(
            [sigmoid_predict(pairwise[:, k], A, B)
             for k, (A, B) in enumerate(zip(self.probA_, self.probB_, strict=True))],
            axis=1,
        )  # fmt: skip
        if self.classes_.size == 2:
            return np.column_stack([r[:, 0], 1.0 - r[:, 0]])
        K = self.classes_.size
        pair_prob = np.full((r.shape[0], K, K), 0.5)
        for k, (a, b) in enumerate(self._pairs()):
            pair_prob[:, a, b] = r[:, k]
            pair_prob[:, b, a] = 1.0 - r[:, k]
        return couple(pair_prob)

    @property
    def coef_(self) -> np.ndarray:
        """``w`` of each pairwise SVM, shape (n_pairs, n_features) (linear kernel only)."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel.")
        check_is_fitted(self)
        coef = self._pair_coef.T @ self.support_vectors_
        return -coef if self.classes_.size == 2 else coef
