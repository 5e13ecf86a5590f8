"""Neural family: MLPClassifier against scikit-learn's, time per epoch in float32.

Both sides train the same architecture — one hidden layer of 64 or of 256 ReLU units,
softmax output — with Adam (learning rate 1e-3, α = 1e-4) on mini-batches of 200 rows
(scikit-learn's default), for exactly :data:`EPOCHS` epochs: ``tol=0`` and
``n_iter_no_change`` larger than the epochs, so neither stops early (both then warn
that they did not converge; the harness records it). A fit is therefore ``EPOCHS``
epochs plus a set-up that is small beside them, and the fit ratio is the ratio of the
times per epoch.

Both sides compute in float32: the features are cast once per process, outside the
timings (a wrapper class per side keeps the cast copy), so scikit-learn, which keeps
float32 input in float32, and lemma (``dtype="float32"``, its default) see the same
arrays. The data are the harness's three-class linear-logit task.

Sizes (issue 8): ``n = 1e5, d = 100``. Of the sizes asked on the command line the family
keeps that one when present; otherwise it runs the sizes asked. Targets: time per epoch
ratio ≤ 1.0 and peak memory ≤ scikit-learn's + 10 %; the test accuracies differ by the
random initialisations (lemma uses He's, scikit-learn Glorot's), so they are compared at
two points of accuracy, not to 1e-4.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from sklearn import neural_network

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = ["EPOCHS", "ISSUE_SIZES", "cases"]

#: The size of issue 8.
ISSUE_SIZES = ((100_000, 100),)

#: Epochs of every fit (both sides).
EPOCHS = 5

#: Hidden layer widths benchmarked.
HIDDEN = (64, 256)


def _params(hidden: int) -> dict[str, Any]:
    return {
        "hidden_layer_sizes": (hidden,),
        "batch_size": 200,
        "learning_rate_init": 1e-3,
        "alpha": 1e-4,
        "max_iter": EPOCHS,
        "tol": 0.0,
        "n_iter_no_change": EPOCHS + 1,
        "random_state": 0,
    }


class _Float32:
    """A model fitted and asked on float32 copies of the arrays (one cast per array)."""

    make: Any
    _copies: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __init__(self) -> None:
        self.model = type(self).make()

    @classmethod
    def _float32(cls, X: np.ndarray) -> np.ndarray:
        key = id(X)
        if key not in cls._copies or cls._copies[key][0] is not X:
            cls._copies[key] = (X, np.ascontiguousarray(X, dtype=np.float32))
        return cls._copies[key][1]

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Float32:
        self.model.fit(self._float32(X), y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict(self._float32(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(self._float32(X))

    @property
    def classes_(self) -> np.ndarray:
        return self.model.classes_


def _side(side: str, label: str, make: Any) -> type:
    """A ``_Float32`` subclass per side and row (the harness warms each class up once)."""
    return type(f"{side}_{label}", (_Float32,), {"make": staticmethod(make), "_copies": {}})


def _sizes(sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen = [size for size in sizes if size in ISSUE_SIZES]
    return chosen or list(sizes)


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The MLPClassifier cases (hidden 64 and 256) at the chosen sizes, and skip notes.

    Parameters
    ----------
    sizes : list of (int, int)
        ``(n, d)`` pairs asked; ``(100000, 100)`` alone is kept when present.
    seed : int, default=0
        Seed of the synthetic data.

    Returns
    -------
    cases : list of Case
    notes : list of str

    Examples
    --------
    >>> from bench.families.neural import cases
    >>> found, notes = cases([(1_000, 5)])
    >>> [(case.name, case.n, case.task) for case in found]
    [('MLPClassifier (64)', 1000, 'multiclass'), ('MLPClassifier (256)', 1000, 'multiclass')]
    """
    if "MLPClassifier" not in PUBLIC:
        return [], ["skipped MLPClassifier: lemma.MLPClassifier does not exist yet"]
    found: list[Case] = []
    for hidden in HIDDEN:
        label = f"MLPClassifier ({hidden})"
        params = _params(hidden)
        lemma_side = _side("lemma", label, partial(resolve("MLPClassifier"), **params))
        sklearn_side = _side("sklearn", label,
                             partial(neural_network.MLPClassifier, **params))  # fmt: skip
        for n, d in _sizes(sizes):
            found.append(Case(label, "neural", n, d, "multiclass", lemma_side, sklearn_side,
                              metric_tolerance=0.02, seed=seed))  # fmt: skip
    return found, []
