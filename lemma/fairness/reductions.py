"""Exponentiated-gradient reduction (Agarwal et al. 2018): fair classification as a game.

Find a randomised classifier Q (a distribution over classifiers h) that minimises
the weighted error subject to a fairness constraint:

    minimise  err(Q) = Σᵢ wᵢ |Q(xᵢ) − yᵢ| / W    subject to   |γ_c(Q)| ≤ ε  for every c,

with moments γ_c, for c = (event e, group a):

    demographic parity:  γ_a     = E[h | A=a] − E[h]                (one event: all rows)
    equalized odds:      γ_{y,a} = E[h | A=a, Y=y] − E[h | Y=y]     (events Y=0 and Y=1)

Linear in h, so ``γ(h) = Mᵀh`` with ``M_ic = wᵢ(1{i ∈ c}/W_c − 1{eᵢ = e_c}/W_{e_c})``.
Each |γ_c| ≤ ε is two constraints, +γ_c ≤ ε and −γ_c ≤ ε, with multipliers
λ = (λ⁺, λ⁻) ≥ 0, ‖λ‖₁ ≤ B = 1/ε. The Lagrangian

    L(Q, λ) = err(Q) + Σ_c (λ⁺_c − λ⁻_c) γ_c(Q) − ε Σ_c (λ⁺_c + λ⁻_c)

is a zero-sum game: Q minimises, λ maximises. The players:

* the learner best-responds to λ with a *cost-sensitive classification*: predicting
  1 on row i instead of 0 changes L by ``cᵢ = wᵢ(1 − 2yᵢ)/W + (Mμ)ᵢ``, μ = λ⁺ − λ⁻,
  so the best h labels row i with 1{cᵢ < 0} and weighs it |cᵢ| — one call of
  ``estimator.fit(X, labels, sample_weight=n·|c|/Σ|c|)``;
* λ plays exponentiated gradient: ``θ ← θ + η (G(h_t) − ε)`` with G = (γ, −γ),
  ``λ = B exp(θ)/(1 + Σ exp(θ))``; the learning rate starts at η₀/B and is
  multiplied by 0.8 when the duality gap stops shrinking by 20 %.

After t rounds Q̂ is the uniform mixture of h₁..h_t and λ̂ the mean of λ₁..λ_t. The
duality gap ``max(L(Q̂, λ̂) − min_h L(h, λ̂), max_λ L(Q̂, λ) − L(Q̂, λ̂))`` bounds how
far (Q̂, λ̂) is from the saddle point; the game stops when it falls below ν
(default ``½ · std(|h₁(x) − y|)/√n``, the statistical noise of the error). With
``run_linprog_step`` each round also solves the linear program over the
classifiers found so far, ``min_{q ∈ simplex, z ≥ 0} errᵀq + B z`` subject to
``(G − ε)q ≤ z``, and keeps it when its gap is smaller (its duals are λ). The
result is the mixture of the round with the smallest gap.

Reference: A. Agarwal, A. Beygelzimer, M. Dudík, J. Langford & H. Wallach, "A
reductions approach to fair classification", ICML 2018, Algorithm 1; fairlearn's
``ExponentiatedGradient`` (same game, its step-size schedule and LP step).

Examples
--------
>>> import numpy as np
>>> from lemma.fairness import ExponentiatedGradient
>>> from lemma.models.linear import LogisticRegression
>>> rng = np.random.default_rng(0)
>>> group = rng.choice(["a", "b"], 500)
>>> X = np.column_stack([rng.normal(size=500) + (group == "a"), rng.normal(size=500)])
>>> y = (X[:, 0] + rng.normal(size=500) > 0.5).astype(int)
>>> eg = ExponentiatedGradient(LogisticRegression(), eps=0.02, random_state=0)
>>> _ = eg.fit(X, y, sensitive_features=group)
>>> print(eg.fit_report_)
demographic parity difference 0.448 → 0.036; accuracy 0.806 → 0.548.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, ClassifierMixin, Tags, clone
from lemma.exceptions import ConvergenceWarning, interop
from lemma.fairness._groups import as_groups, binary_fit_inputs
from lemma.fairness._tables import row_values
from lemma.fairness.intervals import TradeoffReport, tradeoff_from_values
from lemma.fairness.threshold import CONSTRAINT_DISPARITY
from lemma.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_y,
)

__all__ = ["ExponentiatedGradient"]

_MIN_ITER = 5  # never stop before this many rounds
_SHRINK = 0.8  # learning-rate factor, and the gap reduction expected between checks
_PRECISION = 1e-8


class ConstantClassifier:
    """Predicts one label for every row: the best response when every cost has one sign."""

    def __init__(self, label: int):
        self.label = label

    def predict(self, X: Any) -> np.ndarray:
        """``label`` for each row of X."""
        return np.full(len(X), self.label)


# ----------------------------------------------------------------------- moments
def moment_matrix(
    events: np.ndarray, groups: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``M`` (n, C) with ``γ(h) = Mᵀh``, and the (event, group) of each column."""
    cells = sorted(set(zip(events.tolist(), groups.tolist(), strict=True)))
    matrix = np.zeros((events.size, len(cells)))
    for c, (e, a) in enumerate(cells):
        in_event = events == e
        in_cell = in_event & (groups == a)
        matrix[:, c] = w * (in_cell / w[in_cell].sum() - in_event / w[in_event].sum())
    return matrix, cells


#: constraint -> the event of each row (DP: one event; EO: the label).
EVENTS = {
    "demographic_parity": lambda y: np.zeros(y.size, dtype=np.int64),
    "equalized_odds": lambda y: y.astype(np.int64),
}


@dataclass
class _Game:
    """The data of the game and the classifiers found so far."""

    X: Any
    y: np.ndarray
    w: np.ndarray
    moments: np.ndarray  # M, (n, C)
    estimator: Any
    eps: float
    bound: float  # B
    predictors: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    gammas: list = field(default_factory=list)  # G(h) = (γ, −γ), each (2C,)
    n_oracle_calls: int = 0

    def stats(self, h: np.ndarray) -> tuple[float, np.ndarray]:
        gamma = self.moments.T @ h
        return float(self.w @ np.abs(h - self.y) / self.w.sum()), np.r_[gamma, -gamma]

    def oracle(self, lam: np.ndarray) -> Any:
        """Best response to λ: a cost-sensitive classification solved by the estimator."""
        C = self.moments.shape[1]
        cost = self.w * (1 - 2 * self.y) / self.w.sum() + self.moments @ (lam[:C] - lam[C:])
        labels = (cost < 0).astype(np.int64)
        weight = np.abs(cost)
        self.n_oracle_calls += 1
        present = np.unique(labels[weight > 0])
        if present.size < 2:
            return ConstantClassifier(int(present[0]) if present.size else 0)
        weight = self.y.size * weight / weight.sum()
        return clone(self.estimator).fit(self.X, labels, sample_weight=weight)

    def best_h(self, lam: np.ndarray) -> int:
        """Index of the best response to λ (a stored classifier unless the new one is better)."""
        predictor = self.oracle(lam)
        error, gamma = self.stats(np.asarray(predictor.predict(self.X), dtype=np.float64))
        value = error + lam @ gamma
        if self.predictors:
            stored = np.asarray(self.errors) + np.asarray(self.gammas) @ lam
            best = int(np.argmin(stored))
            if value >= stored[best] - _PRECISION:
                return best
        self.predictors.append(predictor)
        self.errors.append(error)
        self.gammas.append(gamma)
        return len(self.predictors) - 1

    def lagrangian(self, q: np.ndarray, lam: np.ndarray) -> tuple[float, float]:
        """``L(Q, λ)`` (λ's opposite-sign pairs netted out) and ``max_λ L(Q, λ)``."""
        q = np.r_[q, np.zeros(len(self.errors) - q.size)]  # classifiers found since Q was formed
        error = float(np.asarray(self.errors) @ q)
        gamma = np.asarray(self.gammas).T @ q
        C = gamma.size // 2
        net = lam[:C] - lam[C:]
        lam = np.r_[np.maximum(net, 0), np.maximum(-net, 0)]
        violation = gamma - self.eps
        return error + lam @ violation, error + self.bound * max(float(violation.max()), 0.0)

    def gap(self, q: np.ndarray, lam: np.ndarray, nu: float) -> float:
        """Duality gap of (Q, λ); the learner's side tries λ, 2λ, 5λ, 10λ while the gap ≤ ν."""
        value, high = self.lagrangian(q, lam)
        low = value
        for multiple in (1.0, 2.0, 5.0, 10.0):
            h = self.best_h(multiple * lam)
            one = np.zeros(len(self.predictors))
            one[h] = 1.0
            low = min(low, self.lagrangian(one, lam)[0])
            if max(value - low, high - value) > nu + _PRECISION:
                break
        return max(value - low, high - value)

    def linprog_step(self) -> tuple[np.ndarray, np.ndarray]:
        """Best mixture of the classifiers found so far, and its dual λ."""
        k = len(self.predictors)
        G = np.asarray(self.gammas).T  # (2C, k)
        result = linprog(
            np.r_[self.errors, self.bound],
            A_ub=np.column_stack([G - self.eps, -np.ones(G.shape[0])]),
            b_ub=np.zeros(G.shape[0]),
            A_eq=np.r_[np.ones(k), 0.0][None, :],
            b_eq=[1.0],
            method="highs",
        )
        q = np.maximum(result.x[:k], 0)
        return q / q.sum(), -result.ineqlin.marginals


class ExponentiatedGradient(ClassifierMixin, BaseEstimator):
    """A randomised classifier with a fairness constraint, by the reductions approach.

    See the module docstring for the game it plays.

    Parameters
    ----------
    estimator : estimator
        A classifier whose ``fit`` accepts ``sample_weight`` (any lemma classifier).
    constraints : {"demographic_parity", "equalized_odds"}, default="demographic_parity"
    eps : float, default=0.01
        Allowed constraint violation; also sets the multipliers' bound B = 1/eps.
    max_iter : int, default=50
    nu : float or None, default=None
        Duality-gap tolerance (None: ½·std(|h₁(x) − y|)/√n).
    eta0 : float, default=2.0
        Initial learning rate (divided by B).
    run_linprog_step : bool, default=True
    random_state : int, RandomState or None
        Draws the randomised decisions of ``predict``.

    Attributes
    ----------
    predictors_ : list
        The classifiers of the mixture (fitted clones of ``estimator``, or constants).
    weights_ : ndarray of shape (n_predictors,)
        Their probabilities in the mixture.
    lambda_ : ndarray of shape (2 n_constraints,)
        Multipliers (λ⁺ then λ⁻) of the chosen round.
    n_iter_ : int
    history_ : ndarray of shape (n_iter_,)
        Duality gap of each round.
    best_gap_ : float
    nu_ : float
    n_oracle_calls_ : int
    baseline_ : estimator
        ``estimator`` fitted without the constraint (the "before" of the trade-off).
    fit_report_ : TradeoffReport
        On the fit data, without intervals: disparity and accuracy of the baseline
        and of the mixture's expected decisions.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness import ExponentiatedGradient
    >>> from lemma.models.linear import LogisticRegression
    >>> rng = np.random.default_rng(2)
    >>> group = rng.choice(["a", "b"], 300)
    >>> X = rng.normal(size=(300, 2)) + (group == "a")[:, None]
    >>> y = (X[:, 0] + rng.normal(size=300) > 0.5).astype(int)
    >>> eg = ExponentiatedGradient(LogisticRegression(), eps=0.05, random_state=0)
    >>> eg.fit(X, y, sensitive_features=group).predict(X[:5])
    array([0, 0, 0, 0, 1])
    """

    _parameter_constraints = {
        "estimator": [satisfies(lambda v: hasattr(v, "fit"), "an estimator with fit")],
        "constraints": [Options(CONSTRAINT_DISPARITY)],
        "eps": [Interval(float, 0, None, closed="neither")],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "nu": [Interval(float, 0, None, closed="neither"), None],
        "eta0": [Interval(float, 0, None, closed="neither")],
        "run_linprog_step": [BOOL],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        constraints: str = "demographic_parity",
        eps: float = 0.01,
        max_iter: int = 50,
        nu: float | None = None,
        eta0: float = 2.0,
        run_linprog_step: bool = True,
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.constraints = constraints
        self.eps = eps
        self.max_iter = max_iter
        self.nu = nu
        self.eta0 = eta0
        self.run_linprog_step = run_linprog_step
        self.random_state = random_state

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.non_deterministic = self.random_state is None
        tags.multi_class = False
        return tags

    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> ExponentiatedGradient:
        """Play the game on (X, y) and keep the mixture with the smallest duality gap.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Passed to the estimator as given.
        y : array-like of shape (n_samples,)
            Two classes; the second of ``classes_`` is the favourable one.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        self._validate_params()
        self.classes_, codes, w, groups = binary_fit_inputs(
            y, sample_weight, sensitive_features, "ExponentiatedGradient"
        )
        y01 = codes.astype(np.float64)
        moments, _ = moment_matrix(EVENTS[self.constraints](codes), groups.codes, w)
        game = _Game(X, y01, w, moments, self.estimator, float(self.eps), 1.0 / self.eps)
        self._play(game)
        self.predictors_ = game.predictors
        self.n_oracle_calls_ = game.n_oracle_calls
        self.baseline_ = clone(self.estimator).fit(X, y01, sample_weight=w)
        before = np.asarray(self.baseline_.predict(X), dtype=np.float64)
        expected = self._pmf_predict(X)[:, 1]
        self.fit_report_ = tradeoff_from_values(
            row_values(y01, before, w, None),
            row_values(y01, expected, w, None),
            groups,
            [CONSTRAINT_DISPARITY[self.constraints]],
        )
        return self

    def _play(self, game: _Game) -> None:
        """Algorithm 1 of Agarwal et al. with fairlearn's step-size schedule and LP step."""
        theta = np.zeros(2 * game.moments.shape[1])
        lam_sum = np.zeros_like(theta)
        counts: dict[int, float] = {}
        mixtures, lambdas, gaps, eg_gaps = [], [], [], []
        last_check, last_gap = 5, np.inf
        for t in range(self.max_iter):
            lam = game.bound * np.exp(theta) / (1 + np.exp(theta).sum())
            lam_sum += lam
            lam_hat = lam_sum / (t + 1)
            h = game.best_h(lam)
            if t == 0:
                nu = self.nu if self.nu is not None else self._default_nu(game, h)
                eta = self.eta0 / game.bound
            counts[h] = counts.get(h, 0.0) + 1.0
            q = np.zeros(len(game.predictors))
            for index, count in counts.items():
                q[index] = count / (t + 1)
            candidates = [(game.gap(q, lam_hat, nu), q, lam_hat)]
            eg_gaps.append(candidates[0][0])
            if t > 0 and self.run_linprog_step:
                q_lp, lam_lp = game.linprog_step()
                candidates.append((game.gap(q_lp, lam_lp, nu), q_lp, lam_lp))
            gap, q_best, lam_best = min(candidates, key=lambda c: c[0])
            mixtures.append(q_best)
            lambdas.append(lam_best)
            gaps.append(gap)
            if gap < nu and t >= _MIN_ITER:
                break
            if t >= last_check * 1.6:
                if min(eg_gaps) > last_gap * _SHRINK:
                    eta *= _SHRINK
                last_check, last_gap = t, min(eg_gaps)
            theta += eta * (game.gammas[h] - game.eps)
        history = np.asarray(gaps)
        best = int(np.flatnonzero(history <= history.min() + _PRECISION)[-1])
        weights = np.zeros(len(game.predictors))
        weights[: mixtures[best].size] = mixtures[best]
        self.weights_, self.lambda_ = weights, lambdas[best]
        self.history_, self.best_gap_, self.nu_ = history, float(history[best]), float(nu)
        self.n_iter_ = history.size
        if self.best_gap_ >= nu:
            warnings.warn(
                f"ExponentiatedGradient stopped after {self.n_iter_} rounds with duality gap "
                f"{self.best_gap_:.3g} > nu = {nu:.3g}; the mixture returned is the best found. "
                "Increase max_iter, or eps (a looser constraint converges faster).",
                interop(ConvergenceWarning),
                stacklevel=3,
            )

    @staticmethod
    def _default_nu(game: _Game, h: int) -> float:
        miss = np.abs(np.asarray(game.predictors[h].predict(game.X), dtype=float) - game.y)
        mean = np.average(miss, weights=game.w)
        spread = np.sqrt(np.average((miss - mean) ** 2, weights=game.w))
        return float(0.5 * spread / np.sqrt(game.y.size))

    def _pmf_predict(self, X: Any) -> np.ndarray:
        """Probabilities of predicting ``classes_[0]`` and ``classes_[1]``: shape (n, 2).

        ``P(ŷ = 1 | x) = Σ_k weights_[k] · h_k(x)``.
        """
        check_is_fitted(self, "weights_")
        p = np.zeros(len(X))
        for weight, predictor in zip(self.weights_, self.predictors_, strict=True):
            if weight > 0:
                p += weight * np.asarray(predictor.predict(X), dtype=np.float64)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Randomised decisions (drawn with ``random_state``): class labels, shape (n,)."""
        p = self._pmf_predict(X)[:, 1]
        draws = check_random_state(self.random_state).random_sample(p.size)
        return self.classes_[(draws < p).astype(np.int64)]

    def tradeoff(
        self,
        X: Any,
        y: Any,
        *,
        sensitive_features: Any,
        sample_weight: Any = None,
        n_boot: int = 1000,
        level: float = 0.95,
        random_state: Any = None,
    ) -> TradeoffReport:
        """Disparity and accuracy of ``baseline_`` (before) and the mixture (after).

        Evaluate on held-out rows; the mixture is scored by its expected decisions,
        with paired stratified-bootstrap intervals.

        Returns
        -------
        TradeoffReport
        """
        p = self._pmf_predict(X)[:, 1]
        labels = check_y(y, estimator_name="ExponentiatedGradient", n_samples=p.size)
        w = check_sample_weight(sample_weight, p.size)
        groups = as_groups(sensitive_features, p.size, min_group_size=1)
        y01 = (labels == self.classes_[1]).astype(np.float64)
        before = np.asarray(self.baseline_.predict(X), dtype=np.float64)
        return tradeoff_from_values(
            row_values(y01, before, w, None), row_values(y01, p, w, None), groups,
            [CONSTRAINT_DISPARITY[self.constraints]],
            n_boot=n_boot, level=level, random_state=random_state,
        )  # fmt: skip
