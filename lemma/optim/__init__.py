"""Optimizers: minimise an objective ``F(x) = f(x) + h(x[:m])`` from a start ``x₀``.

``f`` is smooth (a loss, given by its value and gradient, sometimes its Hessian);
``h`` is an optional penalty. One entry point, :func:`minimize`, picks a method
from the table :data:`METHODS`; every method returns an :class:`OptimizeResult`
whose fields are always present. The methods, in order of increasing machinery:

========== ===================================================== ==========================
method     update rule                                           stops when
========== ===================================================== ==========================
gd         x ← x − t∇f(x), t by Armijo backtracking or fixed      ‖∇F‖∞ ≤ tol
momentum   Polyak's heavy ball                                    ‖∇F‖∞ ≤ tol
nesterov   Nesterov momentum (Sutskever et al. 2013)              ‖∇F‖∞ ≤ tol
newton     Newton + Armijo, Levenberg shift; alias irls           ‖∇F‖∞ ≤ tol
lbfgs      SciPy's L-BFGS-B (bounds allowed)                      ‖projected ∇F‖∞ ≤ tol
proximal   x ← prox_{th}(x − t∇f(x)), backtracking (ISTA)         ‖gradient mapping‖∞ ≤ tol
fista      accelerated proximal gradient (Beck & Teboulle 2009)   ‖gradient mapping‖∞ ≤ tol
sgd        mini-batch SGD, optional (Nesterov) momentum           loss plateau
adagrad    AdaGrad (Duchi et al. 2011)                            loss plateau
rmsprop    RMSProp (Tieleman & Hinton 2012)                       loss plateau
adam       Adam (Kingma & Ba 2015)                                loss plateau
========== ===================================================== ==========================

Stopping, in detail: the smooth deterministic methods stop when the ∞-norm of
the gradient is at most ``tol`` (L-BFGS-B: of the projected gradient, with
SciPy's ``gtol = tol`` and its relative-reduction ``ftol`` at machine epsilon so
that the gradient test rules). The proximal methods need ``penalty``
(``value(w)`` and ``prox(w, step)``) and stop when the ∞-norm of the gradient
mapping ``(x − prox_{th}(x − t∇f(x)))/t`` is at most ``tol``. The stochastic
methods run epochs over shuffled mini-batches (``max_iter`` counts epochs) and
stop on a loss plateau: the epoch-mean loss has not improved by more than ``tol``
for ``n_iter_no_change`` (default 10) consecutive epochs, as scikit-learn's MLP
and SGD estimators do. A smooth penalty (``penalty.is_smooth``, with ``value``
and ``gradient``) is added to ``f`` by the smooth and stochastic methods; a
non-smooth one is refused there.

Examples
--------
>>> import numpy as np
>>> from scipy.optimize import rosen, rosen_der
>>> from lemma.optim import as_objective, minimize
>>> result = minimize(as_objective(rosen, grad=rosen_der), np.array([-1.2, 1.0]),
...                   method="gd", tol=1e-3, max_iter=100_000)
>>> result.converged, result.x.round(2)
(True, array([1., 1.]))
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma._constraints import BOOL, Interval, validate_params
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.optim._driver import Method
from lemma.optim._objective import (
    CountedObjective,
    FunctionObjective,
    Objective,
    PenalizedObjective,
    StochasticObjective,
    accepts_batch,
    as_objective,
)
from lemma.optim._result import OptimizationError, OptimizeResult
from lemma.optim.first_order import GradientDescent, HeavyBall, Nesterov
from lemma.optim.lbfgs import LBFGS
from lemma.optim.newton import Newton
from lemma.optim.proximal import FISTA, ProximalGradient
from lemma.optim.stochastic import (
    SGD,
    AdaGrad,
    Adam,
    MiniBatchAdaGrad,
    MiniBatchAdam,
    MiniBatchRMSProp,
    MiniBatchSGD,
    RMSProp,
    UpdateRule,
)

__all__ = [
    "FISTA",
    "LBFGS",
    "METHODS",
    "SGD",
    "AdaGrad",
    "Adam",
    "FunctionObjective",
    "GradientDescent",
    "HeavyBall",
    "Nesterov",
    "Newton",
    "Objective",
    "OptimizationError",
    "OptimizeResult",
    "ProximalGradient",
    "RMSProp",
    "StochasticObjective",
    "UpdateRule",
    "as_objective",
    "minimize",
]

#: Method name -> the class holding its update rule.
METHODS: dict[str, type[Method]] = {
    "gd": GradientDescent,
    "momentum": HeavyBall,
    "nesterov": Nesterov,
    "newton": Newton,
    "irls": Newton,
    "lbfgs": LBFGS,
    "proximal": ProximalGradient,
    "fista": FISTA,
    "sgd": MiniBatchSGD,
    "adagrad": MiniBatchAdaGrad,
    "rmsprop": MiniBatchRMSProp,
    "adam": MiniBatchAdam,
}

_ARGUMENTS = {
    "tol": [Interval(float, 0, None, closed="left")],
    "max_iter": [Interval(int, 1, None)],
    "warn": [BOOL],
    "owner": [None, str],
}


def _start_point(x0: Any) -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise DataTypeError(
            f"x0 must be a 1-D array of numbers; got {type(x0).__name__} that does not "
            "convert to float."
        ) from None
    if x.ndim != 1 or x.size == 0:
        raise DataValidationError(
            f"x0 must be a non-empty 1-D array of parameters; got shape {x.shape}. "
            "Flatten the parameters into one vector (x0.ravel())."
        )
    if not np.all(np.isfinite(x)):
        raise DataValidationError("x0 has NaN or infinite entries; start from finite values.")
    return x


def _penalty_size(size: Any, p: int, penalty: Any) -> int | None:
    if size is None:
        return None
    if penalty is None:
        raise ParameterError("penalty_size was given without a penalty; pass penalty= too.")
    if not isinstance(size, numbers.Integral) or not 0 <= size <= p:
        raise ParameterError(
            f"penalty_size must be an int in [0, {p}] (the number of leading entries of x "
            f"that are penalised); got {size!r}."
        )
    return int(size)


def _build(
    cls: type[Method], objective: Any, penalty: Any, size: int | None, name: str
) -> tuple[Any, CountedObjective, dict[str, Any]]:
    """The objective the method sees, the counter, and the extra constructor arguments."""
    if cls.stochastic and not accepts_batch(objective):
        raise ParameterError(
            f"method={name!r} needs a stochastic objective with n_samples and "
            "value_and_gradient(x, batch=None); got "
            f"{type(objective).__name__}. Use a full-batch method such as 'lbfgs' instead."
        )
    counted = CountedObjective(objective if cls.stochastic else as_objective(objective))
    if penalty is None:
        if cls.uses_prox:
            raise ParameterError(
                f"method={name!r} needs a penalty with a prox(w, step) method; pass penalty=, "
                "or use a smooth method such as 'lbfgs'."
            )
        return counted, counted, {}
    if cls.uses_prox:
        if not callable(getattr(penalty, "prox", None)):
            raise ParameterError(
                f"method={name!r} needs the penalty's prox(w, step); "
                f"{type(penalty).__name__} has none."
            )
        return counted, counted, {"penalty": penalty, "penalty_size": size}
    if not getattr(penalty, "is_smooth", False):
        raise ParameterError(
            f"The penalty {type(penalty).__name__} is not smooth, so method={name!r} cannot "
            "use its gradient; use method='proximal' or 'fista', which use its prox."
        )
    return PenalizedObjective(counted, penalty, size), counted, {}


def minimize(
    objective: Any,
    x0: Any,
    *,
    method: str = "lbfgs",
    tol: float = 1e-6,
    max_iter: int = 1000,
    callback: Callable[[OptimizeResult], Any] | None = None,
    penalty: Any = None,
    warn: bool = True,
    owner: str | None = None,
    random_state: Any = None,
    **options: Any,
) -> OptimizeResult:
    """Minimise ``f(x) + h(x[:penalty_size])`` from ``x0`` with the named method.

    Parameters
    ----------
    objective : object or callable
        An object with ``value_and_gradient(x)`` (and ``hessian(x)`` or
        ``hessp(x, v)`` for Newton), or a callable ``fun(x) -> (f, g)``; see
        :func:`as_objective`. Stochastic methods need a
        :class:`StochasticObjective` (``n_samples``, ``value_and_gradient(x, batch)``).
    x0 : array-like of shape (p,)
        Starting point (not modified).
    method : str, default="lbfgs"
        A key of :data:`METHODS`.
    tol : float, default=1e-6
        Tolerance of the method's stopping test (see the table above).
    max_iter : int, default=1000
        Maximum iterations (epochs for stochastic methods).
    callback : callable, optional
        ``callback(intermediate: OptimizeResult)`` after every iteration; raising
        ``StopIteration`` ends the run with ``converged=False`` and the message
        "stopped by callback", without a warning.
    penalty : object, optional
        A penalty ``h`` with ``value(w)`` and either ``prox(w, step)`` (used by the
        proximal methods) or ``is_smooth = True`` and ``gradient(w)`` (added to
        ``f`` by the smooth methods; ``hessian(w)`` too for Newton). It applies to
        the first ``penalty_size`` entries of x when that option is given, so an
        intercept stored last stays unpenalised.
    warn : bool, default=True
        Warn with ConvergenceWarning when the run ends unconverged.
    owner : str, optional
        Name put in front of messages (the estimator calling, e.g. "LogisticRegression").
    random_state : None, int, RandomState or Generator
        Shuffling of the stochastic methods; the same seed gives the same result.
    **options
        Method options (``learning_rate``, ``bounds``, ``batch_size``, ...; see the
        method's class) and ``penalty_size``.

    Returns
    -------
    OptimizeResult

    Raises
    ------
    ParameterError
        For an unknown method or option, an option out of range, a missing or
        unusable penalty, or a full-batch objective given to a stochastic method.
    OptimizationError
        When the objective or its gradient becomes NaN or infinite.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim import minimize
    >>> result = minimize(lambda x: (float((x - 3) @ (x - 3)), 2 * (x - 3)), np.zeros(2),
    ...                   method="gd")
    >>> result.x, result.n_iter, len(result.history)
    (array([3., 3.]), 1, 2)
    """
    cls = METHODS.get(method) if isinstance(method, str) else None
    if cls is None:
        raise ParameterError(f"Unknown method {method!r}; choose one of {sorted(METHODS)}.")
    validate_params(
        _ARGUMENTS, {"tol": tol, "max_iter": max_iter, "warn": warn, "owner": owner}, "minimize"
    )
    if callback is not None and not callable(callback):
        raise ParameterError(f"callback must be callable or None; got {callback!r}.")
    x = _start_point(x0)
    size = _penalty_size(options.pop("penalty_size", None), x.size, penalty)
    unknown = sorted(set(options) - set(cls.option_names()))
    if unknown:
        raise ParameterError(
            f"Unknown option {unknown[0]!r} for method={method!r}; its options are "
            f"{sorted(cls.option_names())}."
        )
    validate_params(cls.constraints, options, f"minimize(method={method!r})")
    smooth, counted, extra = _build(cls, objective, penalty, size, method)
    if cls.stochastic:
        extra["random_state"] = random_state
    solver = cls(smooth, **extra, **options)
    return solver.solve(
        x,
        tol=tol,
        max_iter=max_iter,
        callback=callback,
        warn=warn,
        owner=owner,
        n_fev=lambda: counted.n_fev,
    )
