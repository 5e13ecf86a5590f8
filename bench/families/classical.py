"""Classical family: Gaussian naive Bayes, k-nearest neighbours and the kernel SVM
against scikit-learn's.

Same settings on both sides, the library defaults otherwise:

- GaussianNB, three classes. Targets (issue 7): fit and predict ratio ≤ 1.0.
- KNeighborsClassifier, k = 5, "auto" search on both sides (scikit-learn: its KD-tree
  for d ≤ 15, brute force above; lemma: the rule of :mod:`lemma.models.neighbors._search`,
  brute force at n = 1e5 for d ≥ 10). Run for n ≤ 1e5 (brute force is O(n²)). Target:
  **predict** ratio ≤ 1.0 (``fit`` only stores the rows); the harness checks fit and
  memory, so the predict ratio is read from the row.
- SVC, RBF kernel, C = 1, ``gamma="scale"``, ``tol=1e-3``, 200 MB kernel cache, and
  ``probability=True`` on both sides (the harness scores log-loss with
  ``predict_proba``; both fit five more SVMs for Platt scaling). Run for n ≤ 1e4.
  Target: fit ratio ≤ 1.5. The accuracy may differ by a few test rows (each SMO stops
  within tol of the optimum), hence a tolerance of 0.002.

Peak memory: the harness traces Python's and NumPy's allocations (tracemalloc). Numba
arrays are traced; libsvm's kernel cache (C++ ``malloc``) is not. So the SVC row
compares lemma's kernel cache (up to ``cache_size`` MB) with scikit-learn's Python-side
arrays only; ``python -m bench.families.classical`` measures the peak resident memory
of both fits in fresh processes, which counts both caches.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sklearn import naive_bayes, neighbors, svm

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = ["SPECS", "cases", "peak_rss_mb"]


@dataclass(frozen=True)
class Spec:
    """One estimator pair: row label, lemma name, scikit-learn class, task and limits."""

    label: str
    name: str
    sklearn_cls: Any
    task: str
    params: dict[str, Any] = field(default_factory=dict)
    max_n: int | None = None
    fit_ratio_target: float = 1.0
    metric_tolerance: float = 1e-4


_SVC = {"C": 1.0, "kernel": "rbf", "gamma": "scale", "tol": 1e-3, "cache_size": 200,
        "probability": True, "random_state": 0}  # fmt: skip

SPECS: tuple[Spec, ...] = (
    Spec("GaussianNB", "GaussianNB", naive_bayes.GaussianNB, "multiclass"),
    Spec("KNeighborsClassifier", "KNeighborsClassifier", neighbors.KNeighborsClassifier,
         "binary", {"n_neighbors": 5}, max_n=100_000),
    Spec("SVC (rbf, probability)", "SVC", svm.SVC, "binary", _SVC, max_n=10_000,
         fit_ratio_target=1.5, metric_tolerance=0.002),
)  # fmt: skip


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The classical cases at the sizes each estimator is run at, and skip notes.

    Parameters
    ----------
    sizes : list of (int, int)
        ``(n, d)`` pairs asked for; an estimator with ``max_n`` runs only those with
        ``n ≤ max_n``.
    seed : int, default=0
        Seed of the synthetic data.

    Returns
    -------
    cases : list of Case
    notes : list of str

    Examples
    --------
    >>> from bench.families.classical import cases
    >>> found, notes = cases([(10_000, 10), (1_000_000, 10)])
    >>> [(case.name, case.n) for case in found]  # doctest: +NORMALIZE_WHITESPACE
    [('GaussianNB', 10000), ('GaussianNB', 1000000), ('KNeighborsClassifier', 10000),
     ('SVC (rbf, probability)', 10000)]
    """
    found: list[Case] = []
    notes: list[str] = []
    for spec in SPECS:
        if spec.name not in PUBLIC:
            notes.append(f"skipped {spec.label}: lemma.{spec.name} does not exist yet")
            continue
        make_lemma = partial(resolve(spec.name), **spec.params)
        make_sklearn = partial(spec.sklearn_cls, **spec.params)
        kept = [(n, d) for n, d in sizes if spec.max_n is None or n <= spec.max_n]
        if len(kept) < len(sizes):
            notes.append(f"{spec.label}: run for n <= {spec.max_n:g} only")
        for n, d in kept:
            found.append(Case(spec.label, "classical", n, d, spec.task, make_lemma, make_sklearn,
                              fit_ratio_target=spec.fit_ratio_target,
                              metric_tolerance=spec.metric_tolerance, seed=seed))  # fmt: skip
    return found, notes


_PROBE = """
import sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from bench.data import GENERATORS
side, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if side == "lemma":
    from lemma.models.svm import SVC
else:
    from sklearn.svm import SVC
data = GENERATORS["binary"](n, d, 0)
SVC().fit(data.X_train[:50], data.y_train[:50])  # imports and Numba's first call

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024

Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
before = status("VmRSS:")
SVC(cache_size=200).fit(data.X_train, data.y_train)
print(status("VmHWM:") - before)
"""


def peak_rss_mb(side: str, n: int = 10_000, d: int = 10) -> float:
    """Growth of the peak resident memory (MB) during one SVC fit, in a fresh process
    (Linux: the peak is reset through ``/proc/self/clear_refs`` after a warm-up fit).

    Parameters
    ----------
    side : {"lemma", "sklearn"}
    n, d : int
        Size of the synthetic binary data set (80 % of the rows train).
    """
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, side, str(n), str(d)], capture_output=True, text=True,
        check=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    return float(out.stdout.split()[-1])


def main() -> None:
    """Print the peak resident memory of one SVC fit (n = 1e4) on each side."""
    for d in (10, 100):
        lemma_mb, sklearn_mb = peak_rss_mb("lemma", d=d), peak_rss_mb("sklearn", d=d)
        print(f"SVC fit, n = 1e4, d = {d}: peak RSS growth lemma {lemma_mb:.0f} MB, "
              f"scikit-learn {sklearn_mb:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
