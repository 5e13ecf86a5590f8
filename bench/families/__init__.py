"""Benchmark families, one module each, registered by name.

A family module defines ``cases(sizes, seed=0) -> (cases, notes)``: a
:class:`bench.harness.Case` for each of its estimators at each ``(n, d)`` in ``sizes``,
and one line of note for each estimator it had to skip. A new family adds one line
to :data:`FAMILIES`.

Examples
--------
>>> from bench.families import load
>>> cases, notes = load("linear").cases([(1_000, 5)])
>>> cases[0].name, cases[0].n, cases[0].d
('LinearRegression', 1000, 5)
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["FAMILIES", "load"]

#: Family name -> module defining ``cases``.
FAMILIES: dict[str, str] = {
    "linear": "bench.families.linear",
    "prep": "bench.families.prep",
    "selection": "bench.families.selection",
    "trees": "bench.families.trees",
    "neural": "bench.families.neural",
    "cluster": "bench.families.cluster",
    "classical": "bench.families.classical",
}


def load(name: str) -> ModuleType:
    """The module of a registered family."""
    return importlib.import_module(FAMILIES[name])
