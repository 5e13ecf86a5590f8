"""Errors and warnings raised by lemma.

Every user error is a :class:`LemmaError` that also subclasses the built-in
exception it means (``ValueError``, ``TypeError``), so ``except ValueError``
keeps working, and its message says what is wrong, where (columns, rows) and
what to do. Numerical trouble is a warning carrying the number that shows it.

Examples
--------
>>> from lemma.exceptions import NotFittedError
>>> issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)
True
"""

from __future__ import annotations

import sys

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "DataValidationError",
    "InferenceWarning",
    "LemmaError",
    "LemmaWarning",
    "ModelFileError",
    "ModelSaveError",
    "NotFittedError",
    "NumericalWarning",
    "ParameterError",
    "SeparationWarning",
    "interop",
]


class LemmaError(Exception):
    """Base class of every error lemma raises on purpose."""


class DataValidationError(LemmaError, ValueError):
    """Input data are unusable as given (NaN, wrong shape, wrong length, ...)."""


class DataTypeError(LemmaError, TypeError):
    """Input data have a type lemma cannot use (text in a numeric model, ...)."""


class ParameterError(LemmaError, ValueError):
    """A hyperparameter is outside its documented domain."""


class ModelFileError(LemmaError, ValueError):
    """A model file is damaged, tampered with, foreign or too new; nothing in it was run."""


class ModelSaveError(LemmaError, TypeError):
    """A model holds a value lemma cannot save safely (a function, a foreign class, ...)."""


class NotFittedError(LemmaError, ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``.

    Subclasses ``AttributeError`` too, so ``hasattr(model, "predict_proba")``
    style probes and scikit-learn's checks behave as they do for its own
    estimators.
    """


class LemmaWarning(UserWarning):
    """Base class of every warning lemma issues."""


class ConvergenceWarning(LemmaWarning):
    """An iterative routine stopped before meeting its tolerance."""


class NumericalWarning(LemmaWarning):
    """Ill-conditioning, rank deficiency or another numerical hazard."""


class SeparationWarning(NumericalWarning):
    """Classes are (quasi-)perfectly separated; maximum likelihood does not exist."""


class InferenceWarning(LemmaWarning):
    """Statistical inference was requested where it is not valid."""


class DataConversionWarning(LemmaWarning):
    """Input was converted to the shape or type an estimator expects."""


# scikit-learn's common checks and user code written for scikit-learn catch its own
# classes (``sklearn.exceptions.NotFittedError``, ``ConvergenceWarning``). When
# scikit-learn is already loaded, lemma raises and warns with a subclass of both, so
# ``except lemma.exceptions.NotFittedError`` and scikit-learn's handlers both work;
# lemma never imports scikit-learn itself.
_BRIDGED: dict[type, type] = {}


def interop(cls: type) -> type:
    """``cls``, or a subclass of it and of scikit-learn's same-named class if loaded."""
    if "sklearn" not in sys.modules:
        return cls
    if cls not in _BRIDGED:
        try:
            from sklearn import exceptions as sk_exceptions
        except ImportError:  # pragma: no cover - partially installed scikit-learn
            return cls
        sk_cls = getattr(sk_exceptions, cls.__name__, None)
        if sk_cls is None:
            return cls
        _BRIDGED[cls] = type(
            cls.__name__, (cls, sk_cls), {"__module__": cls.__module__, "__doc__": cls.__doc__}
        )
    return _BRIDGED[cls]
