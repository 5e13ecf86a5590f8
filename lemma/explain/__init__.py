"""Transparency: what a fitted model relies on and how its predictions respond to its inputs.

* :func:`permutation_importance` (:mod:`lemma.explain.permutation`) — the drop in score
  when one input column is shuffled, with a t interval over the repeats.
* :func:`partial_dependence` (:mod:`lemma.explain.partial_dependence`) — partial
  dependence and ICE curves on scikit-learn's grid, :func:`plot_partial_dependence`.
* :func:`coefficient_table` and :func:`linear_shap` (:mod:`lemma.explain.linear`) —
  standardised coefficients and odds ratios with intervals, exact Shapley values.
* :func:`global_surrogate` (:mod:`lemma.explain.surrogate`) — a shallow tree that
  imitates the model, with its held-out fidelity.
* :class:`ModelCard` (:mod:`lemma.explain.card`) — the model card of Mitchell et al.
  (2019), in Markdown and self-contained HTML, saved with the model as JSON.
"""

from lemma.explain.card import ModelCard
from lemma.explain.linear import CoefficientTable, LinearShap, coefficient_table, linear_shap
from lemma.explain.partial_dependence import (
    PartialDependence,
    partial_dependence,
    plot_partial_dependence,
)
from lemma.explain.permutation import PermutationImportance, permutation_importance
from lemma.explain.surrogate import Surrogate, global_surrogate

__all__ = [
    "CoefficientTable",
    "LinearShap",
    "ModelCard",
    "PartialDependence",
    "PermutationImportance",
    "Surrogate",
    "coefficient_table",
    "global_surrogate",
    "linear_shap",
    "partial_dependence",
    "permutation_importance",
    "plot_partial_dependence",
]
