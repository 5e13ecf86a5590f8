"""Cluster family: KMeans, GaussianMixture, PCA and DBSCAN against scikit-learn's.

The harness times ``fit(X, y)`` and ``predict(X_test)``; each estimator is wrapped so
that *fit* is its unsupervised ``fit`` and *predict* a per-row summary of the fitted
model on the test rows — KMeans: squared distance to the nearest centre; mixture:
log-density; PCA: squared norm of the scores (sign-free); DBSCAN (no predict): the
training labels of the first test-size rows. The "metric" is R² of that summary
against y: meaningless in itself, equal on both sides exactly when the two fitted
models agree (Δ ≠ 0 flags a disagreement).

Data: the harness's standard-normal features, moved to k planted centres (row i to
centre ``i mod k``, centres N(0, 3²) per coordinate, fixed seed) for KMeans and the
mixture; prepared once per data set, outside the timings and the memory peak.

- KMeans: k = 8, the same initial centres on both sides (rows 0–3 and 8–11: two
  centres in each of four planted clusters, so several iterations are needed),
  ``n_init=1``, default ``tol`` — both run the same Lloyd iterations.
- GaussianMixture: 4 full-covariance components from the same start (first four
  rows as means, equal weights, identity precisions), ``init_params="random_from_data"``
  (cheapest for scikit-learn, which still computes its own start), ``tol=1e-3``; run
  only for d ≤ 10 (a full d = 100 mixture on 1e5 rows takes minutes per side).
- PCA: 5 components, ``svd_solver="auto"`` (covariance eigh when n ≥ 10 d).
- DBSCAN: 2-d (a 2-column data set of the same n, n ≤ 1e5), ``min_samples=10`` and
  ``eps = √(60/n)`` (about 30 neighbours at the centre of the standard normal).

Targets (issue 7): fit ratio ≤ 1.0 and peak memory ≤ scikit-learn's + 10 % for each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn import cluster as skc
from sklearn import decomposition as skd
from sklearn import mixture as skm

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = ["SPECS", "cases"]

_PREPARED: dict[tuple, np.ndarray] = {}


def _planted(X: np.ndarray, k: int) -> np.ndarray:
    """X moved to k planted centres (cached: prepared once per data set)."""
    key = (id(X), X.shape, k)
    if key not in _PREPARED:
        if len(_PREPARED) > 4:
            _PREPARED.clear()
        centres = np.random.default_rng(0).normal(0.0, 3.0, (k, X.shape[1]))
        _PREPARED[key] = X + centres[np.arange(X.shape[0]) % k]
    return _PREPARED[key]


def _kmeans_params(X: np.ndarray) -> dict:
    return {"n_clusters": 8, "init": X[[0, 1, 2, 3, 8, 9, 10, 11]].copy(), "n_init": 1}


def _mixture_params(X: np.ndarray) -> dict:
    d = X.shape[1]
    return {"n_components": 4, "covariance_type": "full", "init_params": "random_from_data",
            "means_init": X[:4].copy(), "weights_init": np.full(4, 0.25),
            "precisions_init": np.stack([np.eye(d)] * 4), "random_state": 0}  # fmt: skip


def _nearest_centre(model: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(model.transform(X)).min(axis=1) ** 2


def _density(model: Any, X: np.ndarray) -> np.ndarray:
    return model.score_samples(X)


def _score_norms(model: Any, X: np.ndarray) -> np.ndarray:
    return (np.asarray(model.transform(X)) ** 2).sum(axis=1)


def _first_labels(model: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(model.labels_[: X.shape[0]], dtype=float)


@dataclass(frozen=True)
class Spec:
    """One estimator pair: row label, lemma name, scikit-learn class, data and summary."""

    label: str
    name: str
    sklearn: Callable[..., Any]
    params: Callable[[np.ndarray], dict]
    summary: Callable[[Any, np.ndarray], np.ndarray]
    planted: int = 0
    max_d: int | None = None
    two_d: bool = False


SPECS: tuple[Spec, ...] = (
    Spec("KMeans (k=8, same start)", "KMeans", skc.KMeans, _kmeans_params, _nearest_centre,
         planted=8),
    Spec("GaussianMixture (4 full, same start)", "GaussianMixture", skm.GaussianMixture,
         _mixture_params, _density, planted=8, max_d=10),
    Spec("PCA (5 components)", "PCA", skd.PCA, lambda X: {"n_components": 5}, _score_norms),
    Spec("DBSCAN (2-d)", "DBSCAN", skc.DBSCAN,
         lambda X: {"eps": float(np.sqrt(60.0 / X.shape[0])), "min_samples": 10},
         _first_labels, two_d=True),
)  # fmt: skip


class _Unsupervised:
    """An unsupervised estimator seen by the harness as a model (see the module docstring)."""

    make: Callable[..., Any]
    spec: Spec

    def __init__(self) -> None:
        self.model: Any = None

    def _data(self, X: np.ndarray) -> np.ndarray:
        return _planted(X, type(self).spec.planted) if type(self).spec.planted else X

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Unsupervised:
        data = self._data(X)
        self.model = type(self).make(**type(self).spec.params(data))
        self.model.fit(data)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return type(self).spec.summary(self.model, self._data(X))


def _adapter(side: str, spec: Spec, make: Callable[..., Any]) -> type:
    """A subclass per side and estimator (the harness warms each class up once)."""
    return type(f"{side}_{spec.name}", (_Unsupervised,),
                {"make": staticmethod(make), "spec": spec})  # fmt: skip


def _sizes_for(spec: Spec, sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if spec.two_d:
        return sorted({(n, 2) for n, _ in sizes if n <= 100_000})
    return [(n, d) for n, d in sizes if spec.max_d is None or d <= spec.max_d]


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The cluster cases at each ``(n, d)`` (see the module docstring), and skip notes.

    Parameters
    ----------
    sizes : list of (int, int)
    seed : int, default=0

    Returns
    -------
    cases : list of Case
    notes : list of str

    Examples
    --------
    >>> from bench.families.cluster import cases
    >>> found, notes = cases([(1_000, 5)])
    >>> [(case.name, case.d) for case in found][-1]
    ('DBSCAN (2-d)', 2)
    """
    found: list[Case] = []
    notes: list[str] = []
    for spec in SPECS:
        if spec.name not in PUBLIC:
            notes.append(f"skipped {spec.label}: lemma.{spec.name} does not exist yet")
            continue
        lemma_side = _adapter("lemma", spec, partial(resolve(spec.name)))
        sklearn_side = _adapter("sklearn", spec, spec.sklearn)
        chosen = _sizes_for(spec, sizes)
        if len(chosen) < len(sizes) and not spec.two_d:
            notes.append(f"{spec.label}: run for d ≤ {spec.max_d} only")
        for n, d in chosen:
            found.append(Case(spec.label, "cluster", n, d, "regression", lemma_side,
                              sklearn_side, metric_tolerance=1e-6, seed=seed))  # fmt: skip
    return found, notes
