"""Minimal cost-complexity pruning.

Reference: scikit-learn's ``cost_complexity_pruning_path`` and its pruned trees
(``ccp_alpha``), node by node; the defining property of the path (each subtree minimises
R_α at its alpha among the nested subtrees).
"""

from __future__ import annotations

import numpy as np
import pytest

from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor
from lemma.models.tree.prune import prune_tree, pruning_path
from tests.tree.compare import assert_same_tree, data_without_ties

sk_tree = pytest.importorskip("sklearn.tree")

CASES = [
    ("gini", DecisionTreeClassifier, "DecisionTreeClassifier", "classification"),
    ("entropy", DecisionTreeClassifier, "DecisionTreeClassifier", "classification"),
    ("squared_error", DecisionTreeRegressor, "DecisionTreeRegressor", "regression"),
]


@pytest.mark.parametrize(("criterion", "cls", "sk_name", "task"), CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_path_and_pruned_trees_are_scikit_learns(criterion, cls, sk_name, task, weighted, rng):
    X, y = data_without_ties(rng, task=task)
    w = rng.uniform(0.3, 3.0, y.size) if weighted else None
    ours = cls(criterion=criterion, random_state=0).cost_complexity_pruning_path(X, y, w)
    sk_cls = getattr(sk_tree, sk_name)
    theirs = sk_cls(criterion=criterion, random_state=0).cost_complexity_pruning_path(X, y, w)
    np.testing.assert_allclose(ours.ccp_alphas, theirs.ccp_alphas, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.impurities, theirs.impurities, rtol=1e-12, atol=1e-12)
    alphas = ours.ccp_alphas
    for alpha in [alphas[len(alphas) // 3], (alphas[-3] + alphas[-2]) / 2, alphas[-1]]:
        pruned = cls(criterion=criterion, random_state=0, ccp_alpha=float(alpha)).fit(X, y, w)
        reference = sk_cls(criterion=criterion, random_state=0, ccp_alpha=float(alpha))
        assert_same_tree(pruned.tree_, reference.fit(X, y, w).tree_)


def _risk(tree):
    """R(T): the leaves' impurities weighted by their share of the root's weight."""
    leaves = tree.children_left == -1
    weights = tree.weighted_n_node_samples
    return np.sum(weights[leaves] * tree.impurity[leaves]) / weights[0]


def test_each_subtree_minimises_the_cost_complexity_at_its_alpha(rng):
    X, y = data_without_ties(rng, n=200)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    path = pruning_path(tree)
    assert np.all(np.diff(path.ccp_alphas) >= 0)
    assert np.all(np.diff(path.impurities) >= -1e-15)
    # equal alphas collapse together: the subtree at an alpha is the last one reached with it
    alphas, last = np.unique(path.ccp_alphas[::-1], return_index=True)
    subtrees = [prune_tree(tree, alpha) for alpha in alphas]
    risks = path.impurities[::-1][last]
    np.testing.assert_allclose([_risk(t) for t in subtrees], risks, atol=1e-12)
    assert subtrees[-1].node_count == 1
    for alpha in alphas:
        costs = [_risk(t) + alpha * t.n_leaves for t in subtrees]
        chosen = prune_tree(tree, alpha)
        assert _risk(chosen) + alpha * chosen.n_leaves == pytest.approx(min(costs), abs=1e-12)


def test_alpha_zero_keeps_the_tree_and_pruned_nodes_are_in_preorder(rng):
    X, y = data_without_ties(rng, task="regression")
    tree = DecisionTreeRegressor(random_state=0).fit(X, y).tree_
    assert prune_tree(tree, 0.0) is tree
    pruned = prune_tree(tree, float(np.median(pruning_path(tree).ccp_alphas)))
    internal = np.flatnonzero(pruned.children_left != -1)
    np.testing.assert_array_equal(pruned.children_left[internal], internal + 1)
    assert np.all(pruned.children_right[internal] > internal + 1)
    leaves = pruned.children_left == -1
    np.testing.assert_array_equal(pruned.feature[leaves], -2)
    np.testing.assert_array_equal(pruned.threshold[leaves], -2.0)
