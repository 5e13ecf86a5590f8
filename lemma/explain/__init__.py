"""Transparency: what a fitted model relies on and how its predictions respond to its inputs.

* :func:`permutation_importance` (:mod:`lemma.explain.permutation`) — the drop in score
  when one input column is shuffled, with a t interval over the repeats.
"""

from lemma.explain.permutation import PermutationImportance, permutation_importance

__all__ = [
    "PermutationImportance",
    "permutation_importance",
]
