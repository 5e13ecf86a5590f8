"""Pointwise losses ℓ(y, raw), their weighted means, and the linear-model objective.

Every loss has ``pointwise``, ``gradient_pointwise``, ``hessian_pointwise`` /
``hessp_pointwise`` (per sample), ``value``, ``gradient``, ``loss_gradient``,
``hessian``, ``hessp`` (weighted means over samples), ``inverse_link``,
``init_raw`` and ``check_target``; see :class:`Loss`. The formulas are stated in
:mod:`lemma.losses.regression` and :mod:`lemma.losses.classification`.
:class:`LinearModelObjective` turns a loss, a design matrix and a smooth penalty
into the function of the coefficients that optimizers minimise.

Examples
--------
>>> import numpy as np
>>> from lemma.losses import get_loss
>>> loss = get_loss("logistic")
>>> round(loss.value(np.array([0.0, 1.0]), np.array([0.0, 0.0])), 6)
0.693147
"""

from __future__ import annotations

from typing import Any

from lemma.exceptions import ParameterError
from lemma.losses._base import Loss
from lemma.losses.classification import (
    HingeLoss,
    LogisticLoss,
    SoftmaxCrossEntropy,
    SquaredHingeLoss,
)
from lemma.losses.linear import LinearModelObjective
from lemma.losses.regression import HuberLoss, PoissonLoss, SquaredLoss

__all__ = [
    "LOSSES",
    "HingeLoss",
    "HuberLoss",
    "LinearModelObjective",
    "LogisticLoss",
    "Loss",
    "PoissonLoss",
    "SoftmaxCrossEntropy",
    "SquaredHingeLoss",
    "SquaredLoss",
    "get_loss",
]

#: Name → loss class.
LOSSES: dict[str, type[Loss]] = {
    "squared": SquaredLoss,
    "huber": HuberLoss,
    "poisson": PoissonLoss,
    "logistic": LogisticLoss,
    "softmax": SoftmaxCrossEntropy,
    "hinge": HingeLoss,
    "squared_hinge": SquaredHingeLoss,
}


def get_loss(name: str | Loss, **kwargs: Any) -> Loss:
    """The loss called ``name`` in :data:`LOSSES`, built with ``kwargs``.

    Parameters
    ----------
    name : str or Loss
        A key of :data:`LOSSES`; a :class:`Loss` instance is returned unchanged
        (``kwargs`` must then be empty).
    **kwargs
        Constructor arguments, e.g. ``delta`` for ``"huber"``, ``n_classes`` for
        ``"softmax"``.

    Returns
    -------
    Loss

    Raises
    ------
    ParameterError
        For an unknown name, listing the valid ones.

    Examples
    --------
    >>> get_loss("huber", delta=2.0)
    HuberLoss(delta=2.0)
    >>> get_loss("nope")
    Traceback (most recent call last):
    ...
    lemma.exceptions.ParameterError: Unknown loss 'nope'. Valid names: 'squared', 'huber', ...
    """
    if isinstance(name, Loss):
        if kwargs:
            raise ParameterError(
                f"get_loss got a {type(name).__name__} instance and arguments {sorted(kwargs)}; "
                "pass either a configured instance or a name with arguments."
            )
        return name
    cls = LOSSES.get(name) if isinstance(name, str) else None
    if cls is None:
        valid = ", ".join(repr(key) for key in LOSSES)
        raise ParameterError(f"Unknown loss {name!r}. Valid names: {valid}.")
    return cls(**kwargs)
