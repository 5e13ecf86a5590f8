"""Impurity criteria of CART: Gini, entropy and squared error, on weighted node statistics.

A node ``t`` holds rows with weights ``wᵢ``; ``W_t = Σ wᵢ``. Its impurity ``I(t)`` is

* Gini (classification): ``1 − Σ_k p_k²``, with ``p_k = (Σ_{yᵢ=k} wᵢ) / W_t``;
* entropy (classification, also called log loss): ``−Σ_k p_k log₂ p_k`` (0·log 0 = 0);
* squared error (regression): the weighted variance ``Σ wᵢ yᵢ² / W_t − ȳ_t²``,
  ``ȳ_t = Σ wᵢ yᵢ / W_t``.

Each is computed from a small vector of *statistics* that is additive over rows, so
the statistics of a left child grow by one row at a time while a sorted feature is
swept, and the right child's are the node's minus the left's:

* classification: ``s = (Σ_{yᵢ=0} wᵢ, …, Σ_{yᵢ=K−1} wᵢ)`` (K entries);
* regression: ``s = (Σ wᵢ yᵢ, Σ wᵢ yᵢ²)``.

Splitting ``t`` into ``L`` and ``R`` decreases the impurity, weighted by the share of
the total weight ``W`` that reaches ``t``, by

    ΔI = W_t / W · (I(t) − W_L / W_t · I(L) − W_R / W_t · I(R)).

Within a node ``W_t`` and ``I(t)`` are constant, so the best split maximises the
*proxy* ``−(W_L I(L) + W_R I(R))``; for squared error this equals
``(Σ_L wy)² / W_L + (Σ_R wy)² / W_R`` up to the constant ``−Σ_t wy²`` and is cheaper.
Entropy uses base-2 logarithms, as scikit-learn does, so impurities agree.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*,
Wadsworth, 1984, ch. 4 (Gini, entropy) and ch. 8 (least squares).

Examples
--------
>>> import numpy as np
>>> from lemma.models.tree._criteria import CRITERIA, impurity
>>> counts = np.array([3.0, 1.0])              # three rows of class 0, one of class 1
>>> round(impurity(counts, 4.0, CRITERIA["gini"]), 4)
0.375
>>> round(impurity(counts, 4.0, CRITERIA["entropy"]), 4)
0.8113
>>> y = np.array([1.0, 2.0, 4.0])
>>> round(impurity(np.array([y.sum(), (y**2).sum()]), 3.0, CRITERIA["squared_error"]), 4)
1.5556
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "CLASSIFICATION_CRITERIA",
    "CRITERIA",
    "ENTROPY",
    "GINI",
    "REGRESSION_CRITERIA",
    "SQUARED_ERROR",
    "add_row",
    "impurity",
    "n_statistics",
    "proxy_improvement",
]

GINI = 0
ENTROPY = 1
SQUARED_ERROR = 2

#: Criterion name -> code used by the compiled builder.
CRITERIA: dict[str, int] = {
    "gini": GINI,
    "entropy": ENTROPY,
    "log_loss": ENTROPY,
    "squared_error": SQUARED_ERROR,
}
CLASSIFICATION_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error",)

_LN2 = math.log(2.0)


def n_statistics(criterion: int, n_classes: int) -> int:
    """Length of the statistics vector: K for a classification criterion, 2 for regression."""
    return 2 if criterion == SQUARED_ERROR else n_classes


@numba.njit(cache=True, nogil=True)
def impurity(stats: np.ndarray, weight: float, criterion: int) -> float:  # pragma: no cover
    """Impurity ``I`` of a node with statistics ``stats`` and total weight ``weight``."""
    if criterion == SQUARED_ERROR:
        mean = stats[0] / weight
        return stats[1] / weight - mean * mean
    total = 0.0
    if criterion == GINI:  # 1 − Σ s_k² / W², the sum of squares first (scikit-learn's order)
        for k in range(stats.shape[0]):
            total += stats[k] * stats[k]
        return 1.0 - total / (weight * weight)
    for k in range(stats.shape[0]):
        if stats[k] > 0.0:
            p = stats[k] / weight
            total -= p * (math.log(p) / _LN2)
    return total


@numba.njit(cache=True, nogil=True)
def proxy_improvement(
    left: np.ndarray, right: np.ndarray, w_left: float, w_right: float, criterion: int
) -> float:  # pragma: no cover
    """The proxy ``−(W_L I(L) + W_R I(R))`` (squared error: ``S_L²/W_L + S_R²/W_R``)."""
    if criterion == SQUARED_ERROR:
        return left[0] * left[0] / w_left + right[0] * right[0] / w_right
    impurity_left = impurity(left, w_left, criterion)
    impurity_right = impurity(right, w_right, criterion)
    return -(w_left * impurity_left + w_right * impurity_right)


@numba.njit(cache=True, nogil=True)
def add_row(
    stats: np.ndarray, target: float, weight: float, criterion: int
) -> None:  # pragma: no cover
    """Add one row (class code or value ``target``, weight ``weight``) to ``stats``."""
    if criterion == SQUARED_ERROR:
        wy = weight * target
        stats[0] += wy
        stats[1] += wy * target
    else:
        stats[int(target)] += weight
