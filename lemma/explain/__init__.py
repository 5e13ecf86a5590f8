"""Transparency: what a fitted model relies on and how its predictions respond to its inputs.

* :func:`permutation_importance` (:mod:`lemma.explain.permutation`) — the drop in score
  when one input column is shuffled, with a t interval over the repeats.
* :func:`partial_dependence` (:mod:`lemma.explain.partial_dependence`) — partial
  dependence and ICE curves on scikit-learn's grid, :func:`plot_partial_dependence`.
"""

from lemma.explain.partial_dependence import (
    PartialDependence,
    partial_dependence,
    plot_partial_dependence,
)
from lemma.explain.permutation import PermutationImportance, permutation_importance

__all__ = [
    "PartialDependence",
    "PermutationImportance",
    "partial_dependence",
    "permutation_importance",
    "plot_partial_dependence",
]
