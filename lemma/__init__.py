"""lemma: math models for machine learning, from first principles to production.

Public names load lazily, so ``import lemma`` is fast and ``lemma.Ridge`` imports
only the linear models. See :mod:`lemma.registry` for the list of names and
:func:`all_estimators` for every estimator class.

Examples
--------
>>> import lemma
>>> lemma.__version__
'0.1.0'
"""

from __future__ import annotations

from typing import Any

from lemma._version import __version__
from lemma.registry import PUBLIC, all_estimators

__all__ = ["__version__", "all_estimators", *sorted(PUBLIC)]


def __getattr__(name: str) -> Any:
    if name in PUBLIC:
        from lemma.registry import resolve

        value = resolve(name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lemma' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(PUBLIC))
