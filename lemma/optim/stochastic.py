"""Stochastic gradient methods: update rules on mini-batch gradients, and their epoch loop.

For ``f(θ) = n⁻¹ Σᵢ ℓᵢ(θ)`` a mini-batch ``B`` gives the unbiased estimate
``g = ∇f_B(θ) = |B|⁻¹ Σ_{i∈B} ∇ℓᵢ(θ)``. Each rule turns the stream of such ``g`` into
updates of the parameters, in place, with η_t the learning rate of update ``t``
(from ``schedule(η, t)``, :mod:`lemma.optim.schedules`; t counts updates from 0)
and ``weight_decay`` λ adding ``λθ`` to ``g`` (the gradient of ``½λ‖θ‖²``):

* **SGD** with momentum μ (Polyak's heavy ball; Nesterov's in the form of
  Sutskever, Martens, Dahl & Hinton, ICML 2013, at the look-ahead point)::

      v ← μ v − η_t g;    θ ← θ + v               (heavy ball)
                          θ ← θ + μ v − η_t g      (Nesterov)

* **AdaGrad** (Duchi, Hazan & Singer, JMLR 12, 2011)::

      G ← G + g²;   θ ← θ − η_t g / (√G + eps)

* **RMSProp** (Tieleman & Hinton, Coursera NN lecture 6.5, 2012)::

      E ← ρ E + (1 − ρ) g²;   θ ← θ − η_t g / (√E + eps)

* **Adam** (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015,
  Algorithm 1 in the efficient form of their §2, with ε added to √v)::

      m ← β₁ m + (1 − β₁) g;   v ← β₂ v + (1 − β₂) g²
      θ ← θ − η_t · √(1 − β₂^{t+1}) / (1 − β₁^{t+1}) · m / (√v + ε)

The rules work on lists of arrays so the neural networks can use them directly.
:func:`lemma.optim.minimize` runs them (``method="sgd"``, ``"adagrad"``,
``"rmsprop"``, ``"adam"``) over epochs: each epoch visits the rows once, in
mini-batches of ``batch_size`` (default ``min(200, n)``), shuffled with
``random_state``; ``history`` holds the epoch-mean mini-batch loss, and the run
stops when it has not improved by more than ``tol`` for ``n_iter_no_change``
consecutive epochs (as scikit-learn's MLP and SGD estimators do). ``fun`` and
``grad_norm`` of the result are then evaluated on all rows.

Examples
--------
>>> import numpy as np
>>> from lemma.optim.stochastic import Adam
>>> theta = [np.array([1.0, -1.0])]
>>> Adam(learning_rate=0.1).step(theta, [np.array([0.5, -2.0])])
>>> theta[0].round(6)  # the first Adam step moves each entry by η against the sign of g
array([ 0.9, -0.9])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma._constraints import BOOL, CALLABLE, Interval, validate_params
from lemma.exceptions import DataTypeError, DataValidationError
from lemma.optim._driver import Iterate, Method
from lemma.validation import check_random_state

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "MiniBatch",
    "RMSProp",
    "UpdateRule",
]

_POSITIVE = Interval(float, 0, None, closed="neither")
_NON_NEGATIVE = Interval(float, 0, None, closed="left")
_FRACTION = Interval(float, 0, 1, closed="left")


# ------------------------------------------------------------------------- update rules
class UpdateRule:
    """Base class: learning rate, schedule, weight decay, the update count and state.

    Subclasses define ``slots`` (names of per-parameter state arrays, created as
    zeros on the first step) and ``_update(i, param, grad, lr)``.
    """

    slots: tuple[str, ...] = ()
    constraints: dict[str, list] = {
        "learning_rate": [_POSITIVE],
        "weight_decay": [_NON_NEGATIVE],
        "schedule": [None, CALLABLE],
    }

    def __init__(
        self,
        learning_rate: float,
        weight_decay: float = 0.0,
        schedule: Callable[[float, int], float] | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.reset()

    def _validate(self) -> None:
        params = {name: getattr(self, name) for name in self.constraints}
        validate_params(self.constraints, params, type(self).__name__)

    def reset(self) -> None:
        """Forget the state (velocities, moment estimates) and the update count."""
        self.t = 0
        self.state: dict[str, list[np.ndarray]] | None = None

    def current_learning_rate(self) -> float:
        """η_t for the next update."""
        if self.schedule is None:
            return float(self.learning_rate)
        return float(self.schedule(self.learning_rate, self.t))

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every array of ``params`` in place from the matching gradient.

        Parameters
        ----------
        params : list of ndarray
            Float arrays, updated in place.
        grads : list of ndarray
            Gradients, one per array of ``params``, of the same shapes.
        """
        if len(params) != len(grads):
            raise DataValidationError(
                f"{type(self).__name__}.step got {len(params)} parameter arrays but "
                f"{len(grads)} gradients; pass one gradient per parameter array."
            )
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if not (isinstance(param, np.ndarray) and param.dtype.kind == "f"):
                raise DataTypeError(
                    f"params[{i}] must be a float NumPy array to be updated in place; got "
                    f"{type(param).__name__}."
                )
            if np.shape(grad) != param.shape:
                raise DataValidationError(
                    f"grads[{i}] has shape {np.shape(grad)} but params[{i}] has shape "
                    f"{param.shape}."
                )
        if self.state is None:
            self.state = {name: [np.zeros_like(p) for p in params] for name in self.slots}
        lr = self.current_learning_rate()
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            grad = np.asarray(grad, dtype=param.dtype)
            if self.weight_decay:
                grad = grad + self.weight_decay * param
            self._update(i, param, grad, lr)
        self.t += 1

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError


class SGD(UpdateRule):
    """Stochastic gradient descent with optional heavy-ball or Nesterov momentum.

    Parameters
    ----------
    learning_rate : float, default=0.01
        η.
    momentum : float, default=0.0
        μ in [0, 1).
    nesterov : bool, default=False
        Nesterov momentum (Sutskever et al. 2013) instead of heavy ball.
    weight_decay : float, default=0.0
        λ, adds ``λθ`` to the gradient.
    schedule : callable, optional
        ``schedule(learning_rate, t) -> η_t``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.stochastic import SGD
    >>> theta = [np.array([1.0])]
    >>> rule = SGD(learning_rate=0.1, momentum=0.5)
    >>> rule.step(theta, [np.array([1.0])]); rule.step(theta, [np.array([1.0])])
    >>> theta[0]  # 1 − 0.1 − (0.5·0.1 + 0.1)
    array([0.75])
    """

    slots = ("velocity",)
    constraints = {**UpdateRule.constraints, "momentum": [_FRACTION], "nesterov": [BOOL]}

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        schedule: Callable[[float, int], float] | None = None,
    ) -> None:
        super().__init__(learning_rate, weight_decay, schedule)
        self.momentum = momentum
        self.nesterov = nesterov
        self._validate()

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        velocity = self.state["velocity"][i]
        velocity *= self.momentum
        velocity -= lr * grad
        if self.nesterov:
            param += self.momentum * velocity - lr * grad
        else:
            param += velocity


class AdaGrad(UpdateRule):
    """AdaGrad: per-coordinate steps shrinking with the sum of squared gradients.

    Parameters
    ----------
    learning_rate : float, default=0.01
        η.
    eps : float, default=1e-10
        Added to the denominator.
    weight_decay : float, default=0.0
        λ, adds ``λθ`` to the gradient.
    schedule : callable, optional
        ``schedule(learning_rate, t) -> η_t``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.stochastic import AdaGrad
    >>> theta = [np.zeros(2)]
    >>> AdaGrad(learning_rate=0.1).step(theta, [np.array([4.0, -0.01])])
    >>> theta[0].round(8)  # the first step is η·sign(g) whatever the scale of g
    array([-0.1,  0.1])
    """

    slots = ("sum_squares",)
    constraints = {**UpdateRule.constraints, "eps": [_POSITIVE]}

    def __init__(
        self,
        learning_rate: float = 0.01,
        eps: float = 1e-10,
        weight_decay: float = 0.0,
        schedule: Callable[[float, int], float] | None = None,
    ) -> None:
        super().__init__(learning_rate, weight_decay, schedule)
        self.eps = eps
        self._validate()

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        sum_squares = self.state["sum_squares"][i]
        sum_squares += grad * grad
        param -= lr * grad / (np.sqrt(sum_squares) + self.eps)


class RMSProp(UpdateRule):
    """RMSProp: steps scaled by a running root mean square of the gradients.

    Parameters
    ----------
    learning_rate : float, default=0.001
        η.
    rho : float, default=0.9
        Decay ρ in [0, 1) of the running mean of g².
    eps : float, default=1e-8
        Added to the denominator.
    weight_decay : float, default=0.0
        λ, adds ``λθ`` to the gradient.
    schedule : callable, optional
        ``schedule(learning_rate, t) -> η_t``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.stochastic import RMSProp
    >>> theta = [np.zeros(1)]
    >>> RMSProp(learning_rate=0.01, rho=0.75).step(theta, [np.array([3.0])])
    >>> theta[0].round(8)  # −η·g/√((1 − ρ)g²) = −0.01/0.5
    array([-0.02])
    """

    slots = ("mean_squares",)
    constraints = {**UpdateRule.constraints, "rho": [_FRACTION], "eps": [_POSITIVE]}

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        schedule: Callable[[float, int], float] | None = None,
    ) -> None:
        super().__init__(learning_rate, weight_decay, schedule)
        self.rho = rho
        self.eps = eps
        self._validate()

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        mean_squares = self.state["mean_squares"][i]
        mean_squares *= self.rho
        mean_squares += (1.0 - self.rho) * grad * grad
        param -= lr * grad / (np.sqrt(mean_squares) + self.eps)


class Adam(UpdateRule):
    """Adam: bias-corrected running means of g and g² (Kingma & Ba 2015).

    Parameters
    ----------
    learning_rate : float, default=0.001
        η.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decays in [0, 1) of the first and second moment estimates.
    epsilon : float, default=1e-8
        Added to √v.
    weight_decay : float, default=0.0
        λ, adds ``λθ`` to the gradient (L2 regularisation, not AdamW's decoupled decay).
    schedule : callable, optional
        ``schedule(learning_rate, t) -> η_t``, before the bias correction.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.optim.stochastic import Adam
    >>> theta = [np.zeros(1)]
    >>> rule = Adam(learning_rate=0.01)
    >>> for _ in range(3):
    ...     rule.step(theta, [np.array([2.0])])
    >>> theta[0].round(6), rule.t  # a constant gradient moves θ by η per step
    (array([-0.03]), 3)
    """

    slots = ("m", "v")
    constraints = {
        **UpdateRule.constraints,
        "beta_1": [_FRACTION],
        "beta_2": [_FRACTION],
        "epsilon": [_POSITIVE],
    }

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        schedule: Callable[[float, int], float] | None = None,
    ) -> None:
        super().__init__(learning_rate, weight_decay, schedule)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._validate()

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        m, v = self.state["m"][i], self.state["v"][i]
        m *= self.beta_1
        m += (1.0 - self.beta_1) * grad
        v *= self.beta_2
        v += (1.0 - self.beta_2) * grad * grad
        t = self.t + 1
        lr_t = lr * np.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        param -= lr_t * m / (np.sqrt(v) + self.epsilon)


# ------------------------------------------------------------------------ epoch loop
class MiniBatch(Method):
    """Epochs of shuffled mini-batches fed to an update rule; one iteration = one epoch.

    Subclasses set ``name`` and ``rule`` (an :class:`UpdateRule` class); the
    rule's own parameters are options too.

    Parameters
    ----------
    objective : StochasticObjective
        ``n_samples`` and ``value_and_gradient(x, batch=None)``.
    random_state : None, int, RandomState or Generator
        Shuffling; the same seed gives the same result.
    batch_size : int, optional
        Rows per mini-batch; ``min(200, n_samples)`` when None, at most ``n_samples``.
    n_iter_no_change : int, default=10
        Epochs without an improvement of more than ``tol`` before stopping.
    shuffle : bool, default=True
        Shuffle the rows before each epoch.
    **rule_options
        Parameters of the update rule (``learning_rate``, ``momentum``, ...).
    """

    rule: type[UpdateRule] = SGD
    stochastic = True
    iteration_word = "epochs"
    constraints = {
        "batch_size": [None, Interval(int, 1, None)],
        "n_iter_no_change": [Interval(int, 1, None)],
        "shuffle": [BOOL],
    }

    def __init__(
        self,
        objective: Any,
        random_state: Any = None,
        batch_size: int | None = None,
        n_iter_no_change: int = 10,
        shuffle: bool = True,
        **rule_options: Any,
    ) -> None:
        super().__init__(objective)
        self.random_state = random_state
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.update_rule = self.rule(**rule_options)
        self.n_samples = int(objective.n_samples)
        if self.n_samples < 1:
            raise DataValidationError(
                f"The stochastic objective has n_samples={self.n_samples}; it needs at least "
                "one row."
            )

    @classmethod
    def option_names(cls) -> list[str]:
        """The epoch loop's options and the update rule's parameters."""
        return super().option_names() + list(inspect.signature(cls.rule).parameters)

    def init(self, x0: np.ndarray) -> Iterate:
        self.random = check_random_state(self.random_state)
        self.update_rule.reset()
        self.best_loss = np.inf
        self.no_improvement = 0
        self.first = True
        f, g = self.objective.value_and_gradient(x0, batch=None)
        return Iterate(x0, f, g)

    def step(self, it: Iterate) -> Iterate:
        x = it.x.copy()
        n = self.n_samples
        size = min(self.batch_size or 200, n)
        order = self.random.permutation(n) if self.shuffle else np.arange(n)
        loss, grad = 0.0, np.zeros_like(x)
        for start in range(0, n, size):
            batch = order[start : start + size]
            f, g = self.objective.value_and_gradient(x, batch=batch)
            loss += f * (batch.size / n)
            grad += g * (batch.size / n)
            self.update_rule.step([x], [g])
        return Iterate(x, loss, grad)

    def converged(self, it: Iterate, tol: float) -> bool:
        """No improvement of the epoch-mean loss by more than tol for n_iter_no_change epochs."""
        if self.first:  # the start point is not an epoch
            self.first = False
            return False
        self.no_improvement = self.no_improvement + 1 if it.fun > self.best_loss - tol else 0
        self.best_loss = min(self.best_loss, it.fun)
        return self.no_improvement >= self.n_iter_no_change

    def reason(self, it: Iterate, tol: float) -> str:
        return (
            f"the epoch-mean loss still improved by more than tol={tol:g} within the last "
            f"{self.n_iter_no_change} epochs; {self.measure_name} {self.measure(it):.1e}"
        )

    def success(self, it: Iterate, tol: float) -> str:
        return (
            f"converged: the epoch-mean loss improved by less than tol={tol:g} for "
            f"{self.n_iter_no_change} consecutive epochs ({self.measure_name} "
            f"{self.measure(it):.1e})"
        )

    def finish(self, it: Iterate) -> Iterate:
        """The loss and gradient on all rows at the final parameters."""
        f, g = self.objective.value_and_gradient(it.x, batch=None)
        return Iterate(it.x, f, g)


class MiniBatchSGD(MiniBatch):
    """``method="sgd"``: :class:`SGD` over epochs of mini-batches."""

    name = "sgd"
    rule = SGD


class MiniBatchAdaGrad(MiniBatch):
    """``method="adagrad"``: :class:`AdaGrad` over epochs of mini-batches."""

    name = "adagrad"
    rule = AdaGrad


class MiniBatchRMSProp(MiniBatch):
    """``method="rmsprop"``: :class:`RMSProp` over epochs of mini-batches."""

    name = "rmsprop"
    rule = RMSProp


class MiniBatchAdam(MiniBatch):
    """``method="adam"``: :class:`Adam` over epochs of mini-batches."""

    name = "adam"
    rule = Adam
