"""Selection family: the overhead of lemma's cross-validation and grid search over scikit-learn's.

Both sides run the same cheap model — scikit-learn's ``Ridge`` — so the rows time the
machinery around the fits, not the fits: ``cross_validate`` with 5 folds, and
``GridSearchCV`` over 20 values of ``alpha`` × 5 folds (100 fits and the refit). The
harness's *fit* is the search's ``fit`` (for cross_validate: the 5-fold evaluation and
one fit on all training rows), its *predict* the refitted model's. Both sides are
sequential (``n_jobs=None``). Target (issue 4): fit ratio ≤ 1.1. Peak memory: ≤ 1.1×
for cross_validate; ≤ 1.5× for GridSearchCV, whose statistics (intervals and one
corrected t-test per candidate) allocate about 0.15 MB at n = 1000 — mostly the frozen
``scipy.stats.t`` that ``lemma.stats.corrected_resampled_ttest`` builds per call — next
to scikit-learn's 0.4 MB; the fits themselves use the same memory on both sides.

Sizes: the issue's ``n = 1000, d = 10`` always; of the sizes asked on the command line
those with n ≤ 10 000 are added (the searches refit 100 models per repeat).

``python -m bench.families.selection`` measures the parallel speed-up instead: a
CPU-bound grid search (random forests) with ``n_jobs=1`` and ``n_jobs=2``, lemma's and
scikit-learn's, and prints the median times and the ratios.
"""

from __future__ import annotations

import statistics
import sys
import time
from functools import partial
from typing import Any

import numpy as np
from sklearn import model_selection as skms
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge

from bench.harness import Case
from lemma import selection

__all__ = ["ALPHAS", "ISSUE_SIZE", "cases", "parallel_speedup"]

#: The size of issue 4.
ISSUE_SIZE = (1_000, 10)
#: The 20 candidates of the grid.
ALPHAS = [float(a) for a in np.logspace(-3, 3, 20)]


class _CrossValidateThenFit:
    """A model whose fit is a 5-fold cross_validate of Ridge, then Ridge on all rows."""

    cross_validate: Any = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> _CrossValidateThenFit:
        self.scores_ = type(self).cross_validate(Ridge(), X, y, cv=5)["test_score"]
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)


def _cross_validate_side(side: str) -> type:
    function = selection.cross_validate if side == "lemma" else skms.cross_validate
    return type(
        f"{side}_cross_validate",
        (_CrossValidateThenFit,),
        {"cross_validate": staticmethod(function)},
    )


def _sizes(sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept = [ISSUE_SIZE] + [size for size in sizes if size[0] <= 10_000 and size != ISSUE_SIZE]
    return kept


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The selection cases at the issue's size and the small sizes asked, and skip notes.

    Examples
    --------
    >>> from bench.families.selection import cases
    >>> found, notes = cases([(100_000, 10)])
    >>> [(case.name, case.n) for case in found]
    [('cross_validate (Ridge, 5 folds)', 1000), ('GridSearchCV (Ridge, 20 × 5 folds)', 1000)]
    """
    grid = {"alpha": ALPHAS}
    found: list[Case] = []
    notes = [f"skipped n={n}, d={d}: searches run at n <= 10 000" for n, d in sizes if n > 10_000]
    for n, d in _sizes(sizes):
        found.append(
            Case(
                "cross_validate (Ridge, 5 folds)",
                "selection",
                n,
                d,
                "regression",
                _cross_validate_side("lemma"),
                _cross_validate_side("sklearn"),
                fit_ratio_target=1.1,
                seed=seed,
            )
        )
        found.append(
            Case(
                "GridSearchCV (Ridge, 20 × 5 folds)",
                "selection",
                n,
                d,
                "regression",
                partial(selection.GridSearchCV, Ridge(), grid, cv=5),
                partial(skms.GridSearchCV, Ridge(), grid, cv=5),
                fit_ratio_target=1.1,
                memory_ratio_target=1.5,
                seed=seed,
            )
        )
    return found, notes


def parallel_speedup(repeats: int = 3, n: int = 2_000, d: int = 10) -> dict[str, float]:
    """Median fit times of a CPU-bound grid search with n_jobs=1 and 2, both libraries.

    The model is a 50-tree random forest (``n_jobs=1`` inside), the grid 4 values of
    ``max_features`` × 5 folds: 20 fits of about the same cost.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    y = X[:, :3] @ [1.0, -1.0, 0.5] + rng.normal(size=n)
    grid = {"max_features": [0.25, 0.5, 0.75, 1.0]}
    model = RandomForestRegressor(n_estimators=50, random_state=0)
    searches = {"lemma": selection.GridSearchCV, "sklearn": skms.GridSearchCV}
    settings = [(name, n_jobs) for name in searches for n_jobs in (1, 2)]
    runs: dict[str, list[float]] = {f"{name} n_jobs={n_jobs}": [] for name, n_jobs in settings}
    for name, n_jobs in settings:  # warm-up: imports, worker processes
        searches[name](model, grid, cv=5, n_jobs=n_jobs).fit(X, y)
    for _ in range(repeats):  # interleaved, so a change of machine load hits every setting
        for name, n_jobs in settings:
            start = time.perf_counter()
            searches[name](model, grid, cv=5, n_jobs=n_jobs).fit(X, y)
            runs[f"{name} n_jobs={n_jobs}"].append(time.perf_counter() - start)
    times = {key: statistics.median(values) for key, values in runs.items()}
    return times


if __name__ == "__main__":  # pragma: no cover - manual measurement
    measured = parallel_speedup(repeats=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    for key, seconds in measured.items():
        print(f"{key:>20}: {seconds:.3f} s")
    for name in ("lemma", "sklearn"):
        speedup = measured[f"{name} n_jobs=1"] / measured[f"{name} n_jobs=2"]
        print(f"{name} speed-up with n_jobs=2: {speedup:.2f}x")
    ratio = measured["lemma n_jobs=2"] / measured["sklearn n_jobs=2"]
    print(f"lemma / scikit-learn at n_jobs=2: {ratio:.2f}")
