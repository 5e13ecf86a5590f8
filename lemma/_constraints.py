"""Hyperparameter constraints: a table per estimator, checked once in ``fit``.

An estimator declares ``_parameter_constraints``, a dict mapping each
``__init__`` argument to a list of accepted constraints; a value is valid when
it satisfies any of them. :func:`validate_params` checks every parameter and
raises one message template (after scikit-learn's ``_parameter_constraints``)::

    The 'alpha' parameter of Ridge must be a float in [0, inf). Got -1 instead.

Examples
--------
>>> from lemma._constraints import Interval, Options, validate_params
>>> table = {"alpha": [Interval(float, 0, None, closed="left")]}
>>> validate_params(table, {"alpha": -1}, "Ridge")
Traceback (most recent call last):
...
lemma.exceptions.ParameterError: The 'alpha' parameter of Ridge must be a float in [0, inf). ...
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lemma.exceptions import ParameterError

__all__ = [
    "ARRAY_LIKE",
    "BOOL",
    "CALLABLE",
    "RANDOM_STATE",
    "Constraint",
    "Interval",
    "Options",
    "validate_params",
]


class Constraint:
    """A predicate on a parameter value with a human-readable description."""

    def is_satisfied_by(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


@dataclass(frozen=True)
class Interval(Constraint):
    """A number of a given kind (``int`` or ``float``) in an interval.

    ``float`` accepts any real number, integers included; ``int`` only integers.
    ``None`` for a bound means unbounded. ``closed`` is one of ``"both"``,
    ``"left"``, ``"right"``, ``"neither"``.
    """

    kind: type
    left: float | None
    right: float | None
    closed: Literal["both", "left", "right", "neither"] = "both"

    def is_satisfied_by(self, value: Any) -> bool:
        ok_type = _is_integer(value) if self.kind is int else _is_real(value)
        if not ok_type or (isinstance(value, float) and np.isnan(value)):
            return False
        if self.left is not None:
            if self.closed in ("both", "left") and value < self.left:
                return False
            if self.closed in ("right", "neither") and value <= self.left:
                return False
        if self.right is not None:
            if self.closed in ("both", "right") and value > self.right:
                return False
            if self.closed in ("left", "neither") and value >= self.right:
                return False
        return True

    def describe(self) -> str:
        kind = "an int" if self.kind is int else "a float"
        lbr = "[" if self.closed in ("both", "left") and self.left is not None else "("
        rbr = "]" if self.closed in ("both", "right") and self.right is not None else ")"
        left = "-inf" if self.left is None else _fmt(self.left)
        right = "inf" if self.right is None else _fmt(self.right)
        return f"{kind} in {lbr}{left}, {right}{rbr}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of values (strings, usually)."""

    values: frozenset

    def __init__(self, values: Iterable[Any]):
        object.__setattr__(self, "values", frozenset(values))

    def is_satisfied_by(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:  # unhashable
            return False

    def describe(self) -> str:
        shown = ", ".join(repr(v) for v in sorted(self.values, key=str))
        return f"one of {{{shown}}}"


@dataclass(frozen=True)
class _TypeConstraint(Constraint):
    types: tuple
    text: str

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, self.types)

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Predicate(Constraint):
    test: Callable[[Any], bool]
    text: str

    def is_satisfied_by(self, value: Any) -> bool:
        return bool(self.test(value))

    def describe(self) -> str:
        return self.text


def _is_array_like(value: Any) -> bool:
    return hasattr(value, "__array__") or (
        isinstance(value, list | tuple) and not isinstance(value, str)
    )


BOOL = _TypeConstraint((bool, np.bool_), "a bool")
CALLABLE = _Predicate(callable, "a callable")
ARRAY_LIKE = _Predicate(_is_array_like, "an array-like")
DICT = _TypeConstraint((dict,), "a dict")
RANDOM_STATE = _Predicate(
    lambda v: (
        v is None or _is_integer(v) or isinstance(v, np.random.RandomState | np.random.Generator)
    ),
    "None, an int or a numpy random Generator",
)
NONE = _Predicate(lambda v: v is None, "None")


def instance_of(*types: type, text: str | None = None) -> Constraint:
    """Accept instances of ``types``."""
    return _TypeConstraint(
        types, text or "an instance of " + " or ".join(t.__name__ for t in types)
    )


def satisfies(test: Callable[[Any], bool], text: str) -> Constraint:
    """Accept values for which ``test(value)`` is true."""
    return _Predicate(test, text)


def _as_constraint(c: Any) -> Constraint:
    if isinstance(c, Constraint):
        return c
    if c is None:
        return NONE
    if isinstance(c, type):
        return instance_of(c)
    raise TypeError(f"Cannot interpret {c!r} as a parameter constraint.")


def _join(descriptions: list[str]) -> str:
    if len(descriptions) == 1:
        return descriptions[0]
    return ", ".join(descriptions[:-1]) + " or " + descriptions[-1]


def validate_params(
    constraints: Mapping[str, list[Any]], params: Mapping[str, Any], owner: str
) -> None:
    """Check every parameter named in ``constraints`` against its accepted values.

    Parameters
    ----------
    constraints : dict of str -> list of constraints
        Accepted values per parameter; ``None`` in a list accepts ``None``, a
        type accepts its instances, :class:`Options` and :class:`Interval` the
        rest.
    params : dict of str -> value
        The values to check (usually ``estimator.get_params(deep=False)``).
    owner : str
        Name used in the message (the estimator's class name).

    Raises
    ------
    ParameterError
        On the first parameter whose value satisfies none of its constraints.
    """
    for name, accepted in constraints.items():
        if name not in params:
            continue
        value = params[name]
        options = [_as_constraint(c) for c in accepted]
        if any(c.is_satisfied_by(value) for c in options):
            continue
        wanted = _join([c.describe() for c in options])
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be {wanted}. Got {value!r} instead."
        )
