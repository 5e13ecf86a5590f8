"""Reader for NIST StRD linear least-squares files (tests/data/nist) and the LRE measure.

Each file's header gives the line ranges of its certified values and data. Data
are parsed twice: to float64 (what a user's CSV becomes) and straight from the
decimal text to ``np.longdouble`` (so the extended-precision path sees the exact
problem NIST certified, to 19 digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "nist"
FILES = [
    "Norris",
    "Pontius",
    "NoInt1",
    "NoInt2",
    "Filip",
    "Longley",
    "Wampler1",
    "Wampler2",
    "Wampler3",
    "Wampler4",
    "Wampler5",
]
#: Polynomial degree of the model in x (None: Longley's six predictors).
DEGREE = {
    "Norris": 1,
    "Pontius": 2,
    "NoInt1": 1,
    "NoInt2": 1,
    "Filip": 10,
    "Longley": None,
    "Wampler1": 5,
    "Wampler2": 5,
    "Wampler3": 5,
    "Wampler4": 5,
    "Wampler5": 5,
}


@dataclass
class Problem:
    name: str
    X: np.ndarray  # predictors without a constant column, float64
    y: np.ndarray
    X_ext: np.ndarray  # the same parsed to long double
    y_ext: np.ndarray
    fit_intercept: bool
    coef: np.ndarray  # certified, constant first when fit_intercept
    std_err: np.ndarray
    resid_sd: float
    r_squared: float


def _lines(text: str, label: str) -> tuple[int, int]:
    m = re.search(label + r"\s*\(lines\s+(\d+)\s+to\s+(\d+)\)", text)
    return int(m.group(1)), int(m.group(2))


def load(name: str) -> Problem:
    text = (DATA / f"{name}.dat").read_text()
    lines = text.splitlines()
    c0, c1 = _lines(text, "Certified Values")
    d0, d1 = _lines(text, "Data")
    cert = lines[c0 - 1 : c1]
    coef, se = [], []
    resid_sd = r2 = np.nan
    for line in cert:
        parts = line.split()
        if parts and re.fullmatch(r"B\d+", parts[0]):
            coef.append(float(parts[1]))
            se.append(float(parts[2]))
        elif "Residual" in line and "Deviation" in line:
            resid_sd = float(parts[-1])
        elif line.strip().startswith("R-Squared"):
            r2 = float(parts[-1])
    rows = [line.split() for line in lines[d0 - 1 : d1] if line.strip()]
    y64 = np.array([float(r[0]) for r in rows])
    yext = np.array([np.longdouble(r[0]) for r in rows])
    deg = DEGREE[name]
    if deg is None:
        X64 = np.array([[float(v) for v in r[1:]] for r in rows])
        Xext = np.array([[np.longdouble(v) for v in r[1:]] for r in rows])
    else:
        x64 = np.array([float(r[1]) for r in rows])
        xext = np.array([np.longdouble(r[1]) for r in rows])
        X64 = np.column_stack([x64**k for k in range(1, deg + 1)])
        Xext = np.column_stack([xext**k for k in range(1, deg + 1)])
    fit_intercept = name not in ("NoInt1", "NoInt2")
    return Problem(
        name, X64, y64, Xext, yext, fit_intercept, np.array(coef), np.array(se), resid_sd, r2
    )


def lre(estimate, certified) -> np.ndarray:
    """Log relative error: correct significant digits (absolute where certified is 0), cap 15."""
    estimate = np.asarray(estimate, dtype=np.float64)
    certified = np.asarray(certified, dtype=np.float64)
    err = np.abs(estimate - certified)
    rel = np.where(certified != 0, err / np.where(certified != 0, np.abs(certified), 1), err)
    with np.errstate(divide="ignore"):
        out = -np.log10(rel)
    return np.minimum(np.where(np.isfinite(out), out, 15.0), 15.0)
