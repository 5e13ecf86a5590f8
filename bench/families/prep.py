"""Preparation family: scalers, imputer, encoders and transforms against scikit-learn's.

The harness times ``fit(X, y)`` and ``predict(X_test)``; a transformer is wrapped so
that *fit* is its ``fit`` on the training rows and *predict* is its ``transform`` of
the test rows (the "predict" columns of the table are transform times). The data are
the regression task's standard-normal features; the encoders see them rounded to
integers in [−3, 3] (7 categories per column), a cheap step paid equally by both
sides inside the timings. The imputer sees 10 % of the entries set to NaN by
a fixed mask (also inside the timings, both sides).

The test "metric" of a transformer row is R² of the row sums of its transformed
test rows against y — meaningless in itself, but equal on both sides exactly when
the two outputs agree (up to column order), so Δ ≠ 0 flags a disagreement. Targets
(issue 3): fit ratio ≤ 1.0 for StandardScaler, OneHotEncoder, PolynomialFeatures and
SimpleImputer; the other rows are informative (target 1.0 too). Outputs are dense on both sides
(scikit-learn's OneHotEncoder with ``sparse_output=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from sklearn import impute as sk_impute
from sklearn import preprocessing as skp

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = ["SPECS", "cases"]


def _identity(X: np.ndarray) -> np.ndarray:
    return X


def _categories(X: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(X), -3.0, 3.0)


def _with_missing(X: np.ndarray) -> np.ndarray:
    out = X.copy()
    out[::10] = np.nan  # every tenth row...
    out[5::10, ::2] = np.nan  # ...and half the columns of a few more
    return out


@dataclass(frozen=True)
class Spec:
    """One transformer pair: row label, lemma name, scikit-learn factory, data step."""

    label: str
    name: str
    sklearn: Callable[..., Any]
    params: dict[str, Any] = field(default_factory=dict)
    sklearn_params: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[np.ndarray], np.ndarray] = _identity
    max_d: int | None = None  # wider inputs are skipped (output too large)


SPECS: tuple[Spec, ...] = (
    Spec("StandardScaler", "StandardScaler", skp.StandardScaler),
    Spec("MinMaxScaler", "MinMaxScaler", skp.MinMaxScaler),
    Spec("RobustScaler", "RobustScaler", skp.RobustScaler),
    Spec("SimpleImputer (mean)", "SimpleImputer", sk_impute.SimpleImputer,
         prepare=_with_missing),
    Spec("OneHotEncoder", "OneHotEncoder", skp.OneHotEncoder,
         sklearn_params={"sparse_output": False}, prepare=_categories),
    Spec("OrdinalEncoder", "OrdinalEncoder", skp.OrdinalEncoder, prepare=_categories),
    Spec("QuantileTransformer", "QuantileTransformer", skp.QuantileTransformer,
         params={"random_state": 0}, sklearn_params={"random_state": 0}),
    # degree 2 of d = 100 is 5,151 columns (33 GB at n = 1e6): d = 10 only (66 columns)
    Spec("PolynomialFeatures (degree 2)", "PolynomialFeatures", skp.PolynomialFeatures,
         max_d=10),
)  # fmt: skip


class _Step:
    """A transformer seen by the harness as a model: fit → fit, predict → transform."""

    make: Callable[[], Any]
    prepare: Callable[[np.ndarray], np.ndarray]

    def __init__(self) -> None:
        self.step = type(self).make()

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Step:
        self.step.fit(type(self).prepare(X))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.step.transform(type(self).prepare(X))).sum(axis=1)


def _adapter(side: str, spec: Spec, make: Callable[[], Any]) -> type:
    """A ``_Step`` subclass per side and estimator (the harness warms each class up once)."""
    return type(f"{side}_{spec.name}", (_Step,), {
        "make": staticmethod(make), "prepare": staticmethod(spec.prepare)})  # fmt: skip


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The preparation cases at each ``(n, d)``, estimator by estimator, and skip notes.

    Parameters
    ----------
    sizes : list of (int, int)
        ``(n, d)`` pairs, run in the order given.
    seed : int, default=0
        Seed of the synthetic data.

    Returns
    -------
    cases : list of Case
    notes : list of str

    Examples
    --------
    >>> from bench.families.prep import cases
    >>> found, notes = cases([(1_000, 5)])
    >>> found[0].name, found[0].n
    ('StandardScaler', 1000)
    """
    found: list[Case] = []
    notes: list[str] = []
    for spec in SPECS:
        if spec.name not in PUBLIC:
            notes.append(f"skipped {spec.label}: lemma.{spec.name} does not exist yet")
            continue
        lemma_side = _adapter("lemma", spec, partial(resolve(spec.name), **spec.params))
        sklearn_side = _adapter("sklearn", spec, partial(spec.sklearn, **spec.sklearn_params))
        if spec.max_d is not None and any(d > spec.max_d for _, d in sizes):
            notes.append(f"{spec.label}: run for d <= {spec.max_d} only")
        for n, d in sizes:
            if spec.max_d is not None and d > spec.max_d:
                continue
            found.append(Case(spec.label, "prep", n, d, "regression", lemma_side, sklearn_side,
                              metric_tolerance=1e-8, seed=seed))  # fmt: skip
    return found, notes
