"""Datasets bundled with lemma, as pandas DataFrames with documented targets.

Sources and licenses are in ``lemma/io/data/SOURCES.md``.

Examples
--------
>>> from lemma.io.datasets import load_longley
>>> load_longley().shape
(16, 7)
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_longley"]


def _path(name: str):
    return resources.files("lemma.io") / "data" / name


def load_longley() -> pd.DataFrame:
    """Longley's macroeconomic data (1947-1962), the classic ill-conditioned regression.

    Target ``employed`` (total employment); six predictors (GNP deflator, GNP,
    unemployed, armed forces, population, year), highly collinear. NIST StRD
    certifies the least-squares coefficients to 15 digits.

    Returns
    -------
    DataFrame of shape (16, 7)
    """
    with _path("longley.csv").open("rb") as f:
        return pd.read_csv(f, dtype="float64")
