"""Trees family: histogram gradient boosting, CART trees and random forests vs scikit-learn.

Both sides fit 100 iterations with the same settings — learning rate 0.1, 31 leaves,
255 bins, 20 rows per leaf, no L2 penalty — and early stopping off, so each fits
exactly 100 trees (one per iteration for binary classes). The harness runs both under
the same thread limit (OpenMP for scikit-learn, Numba for lemma).

Sizes (issue 9): ``n = 1e6, d = 10`` and ``n = 1e5, d = 100``. Of the sizes asked on
the command line the family keeps those two when present (the default suite holds
both; ``--quick`` the second); otherwise it runs the sizes asked. Targets: fit and
predict ratio ≤ 1.0; the test accuracy within half a point (ties among first-iteration
splits are broken by rounding, so the two libraries grow slightly different trees).

CART rows (issue 9): DecisionTreeClassifier/Regressor grown to full depth, and
RandomForestClassifier/Regressor with 100 trees on two threads (``n_jobs=2``), each
side with ``random_state=0`` and scikit-learn's defaults; sizes ``CART_SIZES`` (single
trees) and ``FOREST_SIZES`` (forests) whenever the issue's sizes are asked, else the
sizes asked. Targets: fit and predict ratio ≤ 1.0, test metric within half a point
(scikit-learn rounds X to float32 before splitting, lemma does not, so thresholds and a
few predictions differ on float64 data).

``python -m bench.families.trees`` measures Numba's first-call cost in fresh
processes, for the boosting and for the CART trees and forests: with an empty
compilation cache (compiling every kernel) and with the cache filled (``cache=True``:
loading machine code from disk).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from sklearn import ensemble, tree

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = [
    "CART_SIZES",
    "CART_SPECS",
    "FOREST_SIZES",
    "ISSUE_SIZES",
    "PARAMS",
    "cases",
    "first_call_seconds",
]

#: The sizes of issue 9.
ISSUE_SIZES = ((1_000_000, 10), (100_000, 100))

#: Settings shared by both sides.
PARAMS = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "max_bins": 255,
    "min_samples_leaf": 20,
    "l2_regularization": 0.0,
    "early_stopping": False,
}

#: Row label, lemma name, scikit-learn class, task.
SPECS = (
    ("GradientBoostingClassifier", "GradientBoostingClassifier",
     ensemble.HistGradientBoostingClassifier, "binary"),
)  # fmt: skip


#: Sizes of the single trees and of the forests (when the issue's sizes are asked).
CART_SIZES = ((100_000, 10), (20_000, 100))
FOREST_SIZES = ((20_000, 10), (5_000, 100))

_FOREST = {"n_estimators": 100, "n_jobs": 2, "random_state": 0}

#: Row label, lemma name, scikit-learn class, task, shared settings, sizes.
CART_SPECS = (
    ("DecisionTreeClassifier", "DecisionTreeClassifier", tree.DecisionTreeClassifier,
     "binary", {"random_state": 0}, CART_SIZES),
    ("DecisionTreeRegressor", "DecisionTreeRegressor", tree.DecisionTreeRegressor,
     "regression", {"random_state": 0}, CART_SIZES),
    ("RandomForestClassifier (100 trees, n_jobs=2)", "RandomForestClassifier",
     ensemble.RandomForestClassifier, "binary", _FOREST, FOREST_SIZES),
    ("RandomForestRegressor (100 trees, n_jobs=2)", "RandomForestRegressor",
     ensemble.RandomForestRegressor, "regression", _FOREST, FOREST_SIZES),
)  # fmt: skip


def _sizes(sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen = [size for size in sizes if size in ISSUE_SIZES]
    return chosen or list(sizes)


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The boosting cases at the issue's sizes among ``sizes`` (else ``sizes``), then CART.

    Parameters
    ----------
    sizes : list of (int, int)
        ``(n, d)`` pairs asked for.
    seed : int, default=0
        Seed of the synthetic data.

    Returns
    -------
    cases : list of Case
    notes : list of str

    Examples
    --------
    >>> from bench.families.trees import cases
    >>> found, notes = cases([(10_000, 10), (100_000, 100)])
    >>> [(case.name, case.n, case.d) for case in found][:3]
    [('GradientBoostingClassifier', 100000, 100), ('DecisionTreeClassifier', 100000, 10), \
('DecisionTreeClassifier', 20000, 100)]
    >>> {case.n for case in cases([(2_000, 5)])[0]}
    {2000}
    """
    found: list[Case] = []
    notes: list[str] = []
    for label, name, sklearn_cls, task in SPECS:
        if name not in PUBLIC:
            notes.append(f"skipped {label}: lemma.{name} does not exist yet")
            continue
        make_lemma = partial(resolve(name), **PARAMS)
        make_sklearn = partial(sklearn_cls, **PARAMS)
        for n, d in _sizes(sizes):
            found.append(Case(label, "trees", n, d, task, make_lemma, make_sklearn,
                              metric_tolerance=0.005, seed=seed))  # fmt: skip
    issue_sizes = any(size in ISSUE_SIZES for size in sizes)
    for label, name, sklearn_cls, task, params, own_sizes in CART_SPECS:
        if name not in PUBLIC:
            notes.append(f"skipped {label}: lemma.{name} does not exist yet")
            continue
        make_lemma = partial(resolve(name), **params)
        make_sklearn = partial(sklearn_cls, **params)
        for n, d in own_sizes if issue_sizes else sizes:
            found.append(Case(label, "trees", n, d, task, make_lemma, make_sklearn,
                              metric_tolerance=0.005, seed=seed))  # fmt: skip
    return found, notes


_PROBE = """
import time
start = time.perf_counter()
import numpy as np
from lemma.models.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
imported = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 4))
X[::7, 1] = np.nan
y = (X[:, 0] > 0).astype(int)
GradientBoostingClassifier(max_iter=3).fit(X, y).predict(X)
GradientBoostingClassifier(max_iter=3).fit(X, y % 3 + (X[:, 2] > 1)).predict(X)
GradientBoostingRegressor(max_iter=3, categorical_features=[3]).fit(
    np.column_stack([X[:, :3], rng.integers(0, 5, 2000)]), X[:, 0]).predict(X)
print(imported - start, time.perf_counter() - imported)
"""


_CART_PROBE = """
import time
start = time.perf_counter()
import numpy as np
from lemma.models.ensemble import RandomForestClassifier, RandomForestRegressor
from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor
imported = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 4))
y = (X[:, 0] > 0).astype(int)
DecisionTreeClassifier(ccp_alpha=0.01).fit(X, y).predict(X)
DecisionTreeClassifier(criterion="entropy").fit(X, y + (X[:, 1] > 1)).predict(X)
DecisionTreeRegressor().fit(X.astype(np.float32), X[:, 0]).predict(X.astype(np.float32))
RandomForestClassifier(n_estimators=3).fit(X, y).predict(X)
RandomForestRegressor(n_estimators=3).fit(X, X[:, 0]).predict(X)
print(imported - start, time.perf_counter() - imported)
"""

#: Probe name -> script timing the first fits of that part of the family.
PROBES = {"boosting": _PROBE, "cart": _CART_PROBE}


def first_call_seconds(
    cache_dir: str | None = None, probe: str = "boosting"
) -> tuple[float, float]:
    """``(import, first fits)`` in seconds, in a fresh Python process.

    Parameters
    ----------
    cache_dir : str, optional
        ``NUMBA_CACHE_DIR`` of the process; an empty directory measures compilation
        from scratch. None: Numba's default cache (next to the sources).
    probe : {"boosting", "cart"}, default="boosting"
        Which estimators the process fits: the boosting, or the CART trees and forests.
    """
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", PROBES[probe]], env=env, capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    imported, fitted = (float(v) for v in out.stdout.split())
    return imported, fitted


def main() -> None:
    """Print Numba's first-call cost: cold (empty cache) and warm (cache filled)."""
    for probe in PROBES:
        with tempfile.TemporaryDirectory() as empty:
            cold = first_call_seconds(empty, probe)
            warm = first_call_seconds(empty, probe)
        print(f"{probe}: first fits, empty Numba cache (compiles): {cold[1]:.2f} s "
              f"(import {cold[0]:.2f} s)")  # fmt: skip
        print(f"{probe}: first fits, cache filled (cache=True):    {warm[1]:.2f} s "
              f"(import {warm[0]:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
