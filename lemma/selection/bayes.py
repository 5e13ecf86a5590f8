"""Bayesian optimisation: a Gaussian-process surrogate and expected improvement.

To maximise an expensive f over a search space coded to u ∈ [0, 1]^d
(:mod:`lemma.selection.distributions`):

1. evaluate f at ``n_initial_points`` points of a Latin hypercube (one point in
   each of n equal slices of every axis, slices paired at random) or at random;
2. fit a GP to the observations (:mod:`lemma.selection.gp`), giving at every u a
   posterior mean μ(u) and standard deviation σ(u);
3. evaluate f next where the expected improvement over the best value f⁺ is largest,

       EI(u) = E[max(f(u) − f⁺ − ξ, 0)] = (μ − f⁺ − ξ) Φ(z) + σ φ(z),   z = (μ − f⁺ − ξ)/σ,
       ∇EI = Φ(z) ∇μ + φ(z) ∇σ,

   maximised by scoring many random points and refining the best few with
   L-BFGS-B in [0, 1]^d (ξ > 0 trades exploitation for exploration; it is in units
   of the standard deviation of the observed values);
4. repeat 2–3 until ``n_iter`` evaluations.

A point is decoded to parameter values (integers and categories rounded to
their cell) and coded back, so the GP sees the point actually evaluated; a point
already evaluated is replaced by the best new random point. Failed evaluations
(NaN) enter the GP as the worst value seen. :func:`minimize_bayes` minimises a
function on a box; :class:`BayesSearchCV` maximises a cross-validated score.
scikit-learn has no such search (its issue #26170); scikit-optimize's
``BayesSearchCV`` is the model for the interface.

Reference: D. R. Jones, M. Schonlau & W. J. Welch, "Efficient global optimization
of expensive black-box functions", J. Global Optim. 13 (1998) 455–492;
J. Snoek, H. Larochelle & R. P. Adams, "Practical Bayesian optimization of
machine learning algorithms", NeurIPS 2012.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from lemma._constraints import RANDOM_STATE, Interval, Options
from lemma.exceptions import ParameterError
from lemma.optim import minimize
from lemma.selection.distributions import Dimension, Uniform, check_space
from lemma.selection.gp import GaussianProcessSurrogate
from lemma.selection.search import BaseSearchCV, SearchRun
from lemma.validation import check_random_state

__all__ = [
    "ACQUISITIONS",
    "BayesResult",
    "BayesSearchCV",
    "BayesianOptimizer",
    "expected_improvement",
    "latin_hypercube",
    "minimize_bayes",
]

#: Random points scored by the acquisition before the best few are refined.
N_RANDOM_POINTS = 2000
#: Points drawn around the best observations, their number of centres and step sizes.
N_LOCAL_POINTS = 1000
N_LOCAL_CENTRES = 3
LOCAL_STEPS = (0.01, 0.05, 0.2)
#: Points refined by L-BFGS-B.
N_REFINED = 5
SQRT_2PI = math.sqrt(2 * math.pi)


def expected_improvement(mean: Any, std: Any, best: float, xi: float = 0.01) -> np.ndarray:
    """``E[max(f − best − ξ, 0)]`` for f ~ N(mean, std²) (maximisation).

    Parameters
    ----------
    mean, std : array-like of shape (m,)
        Posterior mean and standard deviation.
    best : float
        Best value observed, f⁺.
    xi : float, default=0.01

    Returns
    -------
    ndarray of shape (m,)

    Examples
    --------
    >>> from lemma.selection.bayes import expected_improvement
    >>> expected_improvement([0.0, 1.0], [1.0, 0.0], best=0.0, xi=0.0).round(4)
    array([0.3989, 1.    ])
    """
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    gain = mean - best - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, gain / std, 0.0)
    return np.where(std > 0, gain * ndtr(z) + std * _phi(z), np.maximum(gain, 0.0))


def _phi(z: Any) -> Any:
    """The standard normal density φ(z)."""
    return np.exp(-0.5 * np.square(z)) / SQRT_2PI


def _expected_improvement_and_gradient(
    gp: GaussianProcessSurrogate, u: np.ndarray, best: float, xi: float
) -> tuple[float, np.ndarray]:
    mean, std, mean_grad, std_grad = gp.predict_with_gradient(u)
    gain = mean - best - xi
    z = gain / std
    cdf, pdf = float(ndtr(z)), float(_phi(z))
    return gain * cdf + std * pdf, cdf * mean_grad + pdf * std_grad


#: Acquisition name → (values on many points, value and gradient at one point).
ACQUISITIONS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., Any]]] = {
    "ei": (expected_improvement, _expected_improvement_and_gradient),
}


def latin_hypercube(n: int, d: int, random_state: Any = None) -> np.ndarray:
    """n points in [0, 1]^d with exactly one point in each of n slices of every axis.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.bayes import latin_hypercube
    >>> U = latin_hypercube(5, 2, random_state=0)
    >>> np.sort(np.floor(U * 5), axis=0).T
    array([[0., 1., 2., 3., 4.],
           [0., 1., 2., 3., 4.]])
    """
    rng = check_random_state(random_state)
    slices = np.column_stack([rng.permutation(n) for _ in range(d)])
    return (slices + rng.uniform(size=(n, d))) / n


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Single-threaded BLAS for the small matrices of the GP (threads only add waiting).

    Measured on a loaded two-core machine: a 20-evaluation run took 8.3 s with two
    OpenBLAS threads and 1.0 s with one. Uses threadpoolctl when it is installed.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


_DESIGNS = {
    "lhs": latin_hypercube,
    "random": lambda n, d, rng: check_random_state(rng).uniform(size=(n, d)),
}


class BayesianOptimizer:
    """Ask for the next point, tell its value: the loop of Bayesian optimisation (maximising).

    Parameters
    ----------
    dimensions : list of Dimension
    n_initial_points : int, default=8
    initial_design : {"lhs", "random"}, default="lhs"
    acq : {"ei"}, default="ei"
    xi : float, default=0.01
    random_state : None, int or RandomState

    Examples
    --------
    >>> from lemma.selection.bayes import BayesianOptimizer
    >>> from lemma.selection.distributions import uniform
    >>> opt = BayesianOptimizer([uniform(-2.0, 2.0)], n_initial_points=4, random_state=0)
    >>> for point in opt.ask_initial():
    ...     opt.tell(point, -point[0] ** 2)
    >>> for _ in range(6):
    ...     point = opt.ask()
    ...     opt.tell(point, -point[0] ** 2)
    >>> abs(opt.best()[0][0]) < 0.05
    True
    """

    def __init__(
        self,
        dimensions: Sequence[Dimension],
        *,
        n_initial_points: int = 8,
        initial_design: str = "lhs",
        acq: str = "ei",
        xi: float = 0.01,
        random_state: Any = None,
    ):
        self.dimensions = list(dimensions)
        self.n_initial_points = n_initial_points
        self.initial_design = initial_design
        self.acq = acq
        self.xi = xi
        self.rng = check_random_state(random_state)
        self.points: list[list[Any]] = []
        self.units: list[np.ndarray] = []
        self.values: list[float] = []
        self.theta_: np.ndarray | None = None

    def _decode(self, u: np.ndarray) -> list[Any]:
        return [dim.from_unit([u_j])[0] for dim, u_j in zip(self.dimensions, u, strict=True)]

    def _encode(self, point: Sequence[Any]) -> np.ndarray:
        return np.array(
            [dim.to_unit([v])[0] for dim, v in zip(self.dimensions, point, strict=True)]
        )

    def ask_initial(self) -> list[list[Any]]:
        """The distinct points of the initial design (a Latin hypercube or uniform draws)."""
        design = _DESIGNS[self.initial_design](
            self.n_initial_points, len(self.dimensions), self.rng
        )
        points: list[list[Any]] = []
        seen: list[np.ndarray] = []
        for u in design:
            point = self._decode(u)
            code = self._encode(point)
            if not any(np.allclose(code, other, atol=1e-9) for other in seen):
                points.append(point)
                seen.append(code)
        return points

    def tell(self, point: Sequence[Any], value: float) -> None:
        """Record the value of f (greater is better; NaN for a failed evaluation) at point."""
        self.points.append(list(point))
        self.units.append(self._encode(point))
        self.values.append(float(value))

    def best(self) -> tuple[list[Any], float]:
        """The best point and value so far."""
        values = np.asarray(self.values)
        index = int(np.nanargmax(values)) if np.isfinite(values).any() else 0
        return self.points[index], float(values[index])

    def _is_new(self, u: np.ndarray) -> bool:
        return not any(np.allclose(u, seen, atol=1e-9) for seen in self.units)

    def fit_surrogate(self) -> GaussianProcessSurrogate:
        """The GP fitted to the observations (failed ones at the worst value seen).

        The likelihood maximisation starts from the previous fit's hyperparameters,
        plus one random start.
        """
        y = np.asarray(self.values)
        y = np.where(np.isfinite(y), y, np.nanmin(y))
        gp = GaussianProcessSurrogate(n_restarts=2, theta0=self.theta_, random_state=self.rng)
        gp.fit(np.array(self.units), y)
        self.theta_ = gp.theta_
        return gp

    def ask(self) -> list[Any] | None:
        """The next point: the maximiser of the acquisition (a random one before any data).

        None when no point not yet evaluated turns up (a small discrete space is
        exhausted).
        """
        if not np.isfinite(self.values).any():
            return self._decode(self.rng.uniform(size=len(self.dimensions)))
        with _one_blas_thread():
            return self._maximise_acquisition()

    def _candidate_points(self, d: int) -> np.ndarray:
        """Uniform points, and points around the best observations (Gaussian steps)."""
        uniform = self.rng.uniform(size=(N_RANDOM_POINTS, d))
        values = np.nan_to_num(np.asarray(self.values), nan=-np.inf)
        top = np.array(self.units)[np.argsort(-values, kind="stable")[:N_LOCAL_CENTRES]]
        steps = self.rng.normal(size=(N_LOCAL_POINTS, d)) * self.rng.choice(
            LOCAL_STEPS, size=(N_LOCAL_POINTS, 1)
        )
        local = top[self.rng.randint(len(top), size=N_LOCAL_POINTS)] + steps
        return np.vstack([uniform, np.clip(local, 0.0, 1.0)])

    def _maximise_acquisition(self) -> list[Any] | None:
        d = len(self.dimensions)
        gp = self.fit_surrogate()
        values_of, value_and_gradient = ACQUISITIONS[self.acq]
        best, xi = float(np.nanmax(self.values)), self.xi * gp.y_scale_
        candidates = self._candidate_points(d)
        scores = values_of(*gp.predict(candidates, return_std=True), best, xi)
        order = np.argsort(-scores, kind="stable")
        scale = max(float(scores[order[0]]), 1e-12)

        def negative(u: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = value_and_gradient(gp, u, best, xi)
            return -value / scale, -grad / scale

        refined = [
            minimize(
                negative,
                candidates[i],
                method="lbfgs",
                bounds=[(0.0, 1.0)] * d,
                tol=1e-5,
                max_iter=50,
                warn=False,
            )
            for i in order[:N_REFINED]
        ]
        ranked = [run.x for run in sorted(refined, key=lambda run: run.fun)]
        ranked += [candidates[i] for i in order]
        for u in ranked:
            point = self._decode(np.clip(u, 0.0, 1.0))
            if self._is_new(self._encode(point)):
                return point
        return None


@dataclass(frozen=True, eq=False)
class BayesResult:
    """The outcome of :func:`minimize_bayes`.

    Attributes
    ----------
    x : ndarray of shape (d,)
        Best point found.
    fun : float
        f at ``x``.
    n_iter : int
        Evaluations of f.
    history : ndarray of shape (n_iter,)
        f at each evaluation, in order.
    best_history : ndarray of shape (n_iter,)
        Best value so far after each evaluation.
    x_iters : ndarray of shape (n_iter, d)
        The points evaluated, in order.
    """

    x: np.ndarray
    fun: float
    n_iter: int
    history: np.ndarray
    best_history: np.ndarray
    x_iters: np.ndarray


def _as_dimensions(bounds: Sequence[Any]) -> list[Dimension]:
    dims = []
    for j, bound in enumerate(bounds):
        if isinstance(bound, Dimension):
            dims.append(bound)
        elif isinstance(bound, Sequence) and len(bound) == 2:
            dims.append(Uniform(*bound))
        else:
            raise ParameterError(
                f"bounds[{j}] must be a (low, high) pair or a lemma.selection.distributions "
                f"dimension; got {bound!r}."
            )
    if not dims:
        raise ParameterError("bounds is empty; give one (low, high) pair per coordinate.")
    return dims


def _as_x(point: Sequence[Any]) -> np.ndarray:
    """A point as a float array, or an object array when it holds categories."""
    numeric = all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in point)
    return np.array(point, dtype=float if numeric else object)


def _check_budget(n_calls: Any, n_initial_points: Any, initial_design: Any, acq: Any) -> None:
    for name, value in (("n_calls", n_calls), ("n_initial_points", n_initial_points)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name} must be an int >= 1; got {value!r}.")
    if initial_design not in _DESIGNS:
        raise ParameterError(
            f"initial_design must be one of {sorted(_DESIGNS)}; got {initial_design!r}."
        )
    if acq not in ACQUISITIONS:
        raise ParameterError(f"acq must be one of {sorted(ACQUISITIONS)}; got {acq!r}.")


def minimize_bayes(
    func: Callable[[np.ndarray], float],
    bounds: Sequence[Any],
    *,
    n_calls: int = 32,
    n_initial_points: int = 8,
    initial_design: str = "lhs",
    acq: str = "ei",
    xi: float = 0.01,
    random_state: Any = None,
) -> BayesResult:
    """Minimise ``func`` on a box by Bayesian optimisation (GP surrogate, expected improvement).

    Parameters
    ----------
    func : callable
        ``func(x) -> float`` with x an ndarray of shape (d,) (of dtype object when
        a coordinate is categorical).
    bounds : list of (low, high) pairs or Dimension
        One per coordinate; a pair is a uniform coordinate.
    n_calls : int, default=32
        Evaluations of ``func``, the initial design included.
    n_initial_points : int, default=8
    initial_design : {"lhs", "random"}, default="lhs"
    acq : {"ei"}, default="ei"
    xi : float, default=0.01
    random_state : None, int or RandomState

    Returns
    -------
    BayesResult

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.bayes import minimize_bayes
    >>> result = minimize_bayes(lambda x: float(np.sum((x - 0.3) ** 2)), [(-1, 1), (-1, 1)],
    ...                         n_calls=20, random_state=0)
    >>> result.x.round(1), result.fun < 1e-3
    (array([0.3, 0.3]), True)
    """
    _check_budget(n_calls, n_initial_points, initial_design, acq)
    opt = BayesianOptimizer(
        _as_dimensions(bounds),
        n_initial_points=min(n_initial_points, n_calls),
        initial_design=initial_design,
        acq=acq,
        xi=xi,
        random_state=random_state,
    )
    for point in opt.ask_initial():
        opt.tell(point, -float(func(_as_x(point))))
    while len(opt.values) < n_calls:
        point = opt.ask()
        if point is None:
            break
        opt.tell(point, -float(func(_as_x(point))))
    history = -np.asarray(opt.values)
    best_point, best_value = opt.best()
    return BayesResult(
        x=_as_x(best_point),
        fun=-best_value,
        n_iter=len(history),
        history=history,
        best_history=np.fmin.accumulate(history),
        x_iters=np.array([_as_x(point) for point in opt.points]),
    )


class BayesSearchCV(BaseSearchCV):
    """Hyperparameter search by Bayesian optimisation of the cross-validated score.

    Parameters
    ----------
    estimator : estimator (lemma or scikit-learn)
    search_spaces : dict of str -> (list, distribution or Dimension)
        Lists are categories; use :func:`~lemma.selection.distributions.loguniform`
        for scale parameters and ``randint`` for integers; frozen scipy.stats
        distributions are coded by their quantiles.
    n_iter : int, default=32
        Candidates evaluated, the initial design included.
    n_initial_points : int, default=8
        Candidates of the initial design (evaluated in one parallel batch).
    initial_design : {"lhs", "random"}, default="lhs"
    acq : {"ei"}, default="ei"
        Acquisition function (:data:`ACQUISITIONS`).
    xi : float, default=0.01
        Exploration margin of EI, in standard deviations of the observed scores.
    random_state : None, int or RandomState, default=None
    scoring, n_jobs, refit, cv, error_score, return_train_score, progress, \
confidence, select, complexity
        See :class:`~lemma.selection.search.BaseSearchCV`; with several metrics
        the GP models the one named by ``refit``.

    Attributes
    ----------
    cv_results_, best_index_, best_params_, best_score_, best_estimator_, conclusion_
        As :class:`~lemma.selection.GridSearchCV` (rows in evaluation order).
    history_ : DataFrame
        ``score`` of each evaluation and ``best_so_far``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import Ridge
    >>> from lemma.selection import BayesSearchCV
    >>> from lemma.selection.distributions import loguniform
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 20)); y = X[:, :3] @ [2.0, -1.0, 1.0] + 3 * rng.normal(size=80)
    >>> search = BayesSearchCV(Ridge(), {"alpha": loguniform(1e-3, 1e4)}, n_iter=12,
    ...                        n_initial_points=5, random_state=0).fit(X, y)
    >>> len(search.history_), bool(search.history_["best_so_far"].is_monotonic_increasing)
    (12, True)
    """

    _parameter_constraints = {
        "search_spaces": [dict],
        "n_iter": [Interval(int, 1, None)],
        "n_initial_points": [Interval(int, 1, None)],
        "initial_design": [Options(_DESIGNS)],
        "acq": [Options(ACQUISITIONS)],
        "xi": [Interval(float, 0, None, closed="left")],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_iter: int = 32,
        n_initial_points: int = 8,
        initial_design: str = "lhs",
        acq: str = "ei",
        xi: float = 0.01,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        progress: bool = False,
        random_state: Any = None,
        confidence: float = 0.95,
        select: Any = "best",
        complexity: Any = None,
    ):
        self.estimator = estimator
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.n_initial_points = n_initial_points
        self.initial_design = initial_design
        self.acq = acq
        self.xi = xi
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.progress = progress
        self.random_state = random_state
        self.confidence = confidence
        self.select = select
        self.complexity = complexity

    def _run_search(self, run: SearchRun) -> None:
        space = check_space(self.search_spaces, type(self).__name__)
        names = list(space)
        opt = BayesianOptimizer(
            list(space.values()),
            n_initial_points=min(self.n_initial_points, self.n_iter),
            initial_design=self.initial_design,
            acq=self.acq,
            xi=self.xi,
            random_state=self.random_state,
        )
        key = f"mean_test_{self._metric}"
        batch = opt.ask_initial()
        while batch:
            results = run.evaluate([dict(zip(names, point, strict=True)) for point in batch])
            for point, score in zip(batch, results[key][-len(batch) :], strict=True):
                opt.tell(point, score)
            point = opt.ask() if len(opt.values) < self.n_iter else None
            batch = [] if point is None else [point]

    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> Any:
        """Run the Bayesian optimisation, select a candidate and refit it.

        Parameters
        ----------
        X, y, groups, **fit_params
            As :meth:`BaseSearchCV.fit`.

        Returns
        -------
        self
        """
        super().fit(X, y, groups=groups, **fit_params)
        scores = np.asarray(self.cv_results_[f"mean_test_{self._metric}"], dtype=float)
        self.history_ = pd.DataFrame({"score": scores, "best_so_far": np.fmax.accumulate(scores)})
        return self
