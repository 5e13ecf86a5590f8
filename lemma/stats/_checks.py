"""Input checks shared by lemma.stats: samples, levels, alternatives.

Each check turns user input into what the formulas need or raises a lemma error
that says what is wrong and what to do.

Examples
--------
>>> from lemma.stats._checks import as_sample
>>> as_sample([1, 2, 3], "x")
array([1., 2., 3.])
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from lemma.exceptions import DataTypeError, DataValidationError, NumericalWarning, ParameterError

ALTERNATIVES = ("two-sided", "less", "greater")


def as_sample(x: Any, name: str, *, min_size: int = 1) -> np.ndarray:
    """A 1-D float64 array without NaN or inf, of at least ``min_size`` values."""
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataTypeError(
            f"{name} must be numbers (a 1-D array, list or Series); got {type(x).__name__} "
            "with values that do not convert to float."
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise DataValidationError(
            f"{name} must be 1-D; got an array of shape {arr.shape}. Pass one sample per "
            "argument (e.g. x.ravel() or one column)."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataValidationError(
            f"{name} has {int(bad.sum())} NaN or infinite values (first at position "
            f"{int(np.flatnonzero(bad)[0])}); drop or impute them first."
        )
    if arr.size < min_size:
        raise DataValidationError(f"{name} has {arr.size} values; this needs at least {min_size}.")
    return arr


def as_labels(values: Any, name: str, ndim: tuple[int, ...] = (1,)) -> np.ndarray:
    """A non-empty array of any dtype (labels, predictions) with an allowed ``ndim``."""
    arr = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if arr.ndim not in ndim or arr.size == 0:
        allowed = " or ".join(f"{d}-D" for d in ndim)
        raise DataValidationError(
            f"{name} must be a non-empty {allowed} array; got shape {arr.shape}."
        )
    return arr


def same_length(*pairs: tuple[str, np.ndarray]) -> None:
    """Raise if the named arrays do not all have the same length."""
    sizes = {name: len(arr) for name, arr in pairs}
    if len(set(sizes.values())) > 1:
        raise DataValidationError(
            f"Paired inputs must have the same length; got {sizes}. Each position must "
            "hold the two measurements of one unit."
        )


def check_level(level: float, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    if not isinstance(level, numbers.Real) or not 0 < float(level) < 1:
        raise ParameterError(
            f"The {name!r} parameter must be a float in (0, 1), e.g. 0.95. Got {level!r} instead."
        )
    return float(level)


def check_alternative(alternative: str) -> str:
    """One of 'two-sided', 'less', 'greater'."""
    if alternative not in ALTERNATIVES:
        raise ParameterError(
            f"The 'alternative' parameter must be one of {list(ALTERNATIVES)}. "
            f"Got {alternative!r} instead."
        )
    return alternative


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """An integer at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ParameterError(
            f"The {name!r} parameter must be an int >= {minimum}. Got {value!r} instead."
        )
    return int(value)


def check_choice(value: Any, name: str, choices: Any) -> Any:
    """``value`` if it is one of ``choices`` (a table's keys), else a clear error."""
    if not isinstance(value, str) or value not in choices:
        raise ParameterError(
            f"The {name!r} parameter must be one of {sorted(choices)}. Got {value!r} instead."
        )
    return value


def warn_zero_variance(what: str) -> None:
    """Warn that a test statistic divides by a zero variance (identical models?)."""
    warnings.warn(
        f"The {what} have zero variance, so the test statistic is undefined or infinite; "
        "the two models may be identical, or the scores may be rounded too coarsely.",
        NumericalWarning,
        stacklevel=3,
    )
