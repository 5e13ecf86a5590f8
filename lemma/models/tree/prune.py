"""Minimal cost-complexity (weakest-link) pruning of a grown tree.

For a tree ``T`` with leaves ``T̃``, the resubstitution risk is
``R(T) = Σ_{t ∈ T̃} W_t / W · I(t)`` (each leaf's impurity weighted by its share of the
total weight) and the cost-complexity criterion is

    R_α(T) = R(T) + α |T̃|.

Collapsing the branch ``T_t`` below an internal node ``t`` into a leaf changes ``R`` by
``R(t) − R(T_t)`` and removes ``|T̃_t| − 1`` leaves, so it pays off for every
``α ≥ g(t) = (R(t) − R(T_t)) / (|T̃_t| − 1)``, the node's *effective alpha*. Weakest-link
pruning repeatedly collapses the node with the smallest ``g`` (the first in node order
on ties), recomputing ``R(T_t)`` and ``|T̃_t|`` of its ancestors, until only the root is
left. The effective alphas are nondecreasing along the way; the subtree kept for a
given ``ccp_alpha`` is the one reached after every collapse with ``g ≤ ccp_alpha``.
This is scikit-learn's procedure, so ``ccp_alphas`` and ``impurities`` (``R`` of each
subtree, starting with the full tree at α = 0) agree with its
``cost_complexity_pruning_path``.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*,
1984, ch. 3.3 ("minimal cost-complexity pruning").

Examples
--------
>>> import numpy as np
>>> from lemma.models.tree import DecisionTreeClassifier
>>> from lemma.models.tree.prune import pruning_path
>>> X = np.arange(8.0).reshape(-1, 1)
>>> tree = DecisionTreeClassifier(random_state=0).fit(X, [0, 0, 1, 0, 1, 1, 0, 1]).tree_
>>> path = pruning_path(tree)
>>> path.ccp_alphas.round(4).tolist(), path.impurities.round(4).tolist()
([0.0, 0.0833, 0.1667], [0.0, 0.3333, 0.5])
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from lemma.models.tree._builder import TREE_LEAF, TREE_UNDEFINED
from lemma.models.tree._structure import Tree

__all__ = ["PruningPath", "prune_tree", "pruning_path"]


@dataclass(frozen=True)
class PruningPath:
    """The weakest-link pruning sequence of a tree.

    Attributes
    ----------
    ccp_alphas : ndarray of shape (n_steps,)
        Effective alpha of each collapse, starting with 0 for the full tree.
    impurities : ndarray of shape (n_steps,)
        Total leaf impurity ``R`` of the subtree after each collapse.
    """

    ccp_alphas: np.ndarray
    impurities: np.ndarray

    def __getitem__(self, key: str) -> np.ndarray:
        """Dictionary-style access, as scikit-learn's ``Bunch``: ``path["ccp_alphas"]``."""
        if key not in ("ccp_alphas", "impurities"):
            raise KeyError(key)
        return getattr(self, key)


@numba.njit(cache=True, nogil=True)
def _weakest_link(children_left, children_right, weighted, impurity, ccp_alpha):  # pragma: no cover
    """Collapse weakest links while their alpha is ≤ ``ccp_alpha``.

    Returns the nodes kept, the leaves of the pruned tree, and the path (alphas, R).
    """
    n_nodes = children_left.shape[0]
    r_node = weighted * impurity / weighted[0]
    parent = np.full(n_nodes, -1, dtype=np.int64)
    is_leaf = children_left == TREE_LEAF
    for node in range(n_nodes):
        if not is_leaf[node]:
            parent[children_left[node]] = node
            parent[children_right[node]] = node
    n_leaves = np.zeros(n_nodes, dtype=np.int64)
    r_branch = np.zeros(n_nodes)
    for leaf in range(n_nodes):
        if not is_leaf[leaf]:
            continue
        r_branch[leaf] = r_node[leaf]
        node = leaf
        while node != 0:
            node = parent[node]
            r_branch[node] += r_node[leaf]
            n_leaves[node] += 1
    candidate = ~is_leaf
    kept = np.ones(n_nodes, dtype=np.bool_)
    alphas = np.empty(n_nodes)
    risks = np.empty(n_nodes)
    alphas[0], risks[0] = 0.0, r_branch[0]
    n_steps = 1
    stack = np.empty(n_nodes, dtype=np.int64)
    while candidate[0]:
        weakest, effective = 0, np.finfo(np.float64).max
        for node in range(n_nodes):
            if candidate[node]:
                g = (r_node[node] - r_branch[node]) / (n_leaves[node] - 1)
                if g < effective:
                    weakest, effective = node, g
        if ccp_alpha < effective:
            break
        stack[0] = weakest
        top = 1
        while top > 0:  # the branch below the weakest link leaves the tree
            top -= 1
            node = stack[top]
            if not kept[node]:
                continue
            candidate[node] = is_leaf[node] = kept[node] = False
            if children_left[node] != TREE_LEAF:
                stack[top] = children_left[node]
                stack[top + 1] = children_right[node]
                top += 2
        is_leaf[weakest] = kept[weakest] = True
        n_removed = n_leaves[weakest] - 1
        n_leaves[weakest] = 0
        r_diff = r_node[weakest] - r_branch[weakest]
        r_branch[weakest] = r_node[weakest]
        node = parent[weakest]
        while node != -1:
            n_leaves[node] -= n_removed
            r_branch[node] += r_diff
            node = parent[node]
        alphas[n_steps], risks[n_steps] = effective, r_branch[0]
        n_steps += 1
    return kept, is_leaf, alphas[:n_steps].copy(), risks[:n_steps].copy()


def _run(tree: Tree, ccp_alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return _weakest_link(
        tree.children_left,
        tree.children_right,
        np.asarray(tree.weighted_n_node_samples, dtype=np.float64),
        np.asarray(tree.impurity, dtype=np.float64),
        float(ccp_alpha),
    )


def pruning_path(tree: Tree) -> PruningPath:
    """Effective alphas and subtree impurities of weakest-link pruning, down to the root.

    Parameters
    ----------
    tree : Tree
        A grown tree (``estimator.tree_``).

    Returns
    -------
    PruningPath
        ``ccp_alphas`` (nondecreasing, first 0) and ``impurities`` (``R`` of each subtree).
    """
    _, _, alphas, risks = _run(tree, np.inf)
    return PruningPath(ccp_alphas=alphas, impurities=risks)


def prune_tree(tree: Tree, ccp_alpha: float) -> Tree:
    """The subtree minimising ``R_α`` for ``α = ccp_alpha`` (the tree itself if nothing goes).

    Parameters
    ----------
    tree : Tree
        A tree whose nodes are numbered in depth-first preorder (as grown).
    ccp_alpha : float
        Complexity parameter, ≥ 0.

    Returns
    -------
    Tree
        The pruned tree, numbered in preorder; collapsed nodes keep their value.
    """
    kept, leaves, _, _ = _run(tree, ccp_alpha)
    if kept.all() and np.array_equal(leaves, tree.children_left == TREE_LEAF):
        return tree
    # In preorder a collapsed branch is removed whole, so the kept nodes in their old
    # order are the preorder of the pruned tree.
    old = np.flatnonzero(kept)
    new_id = np.cumsum(kept) - 1
    is_leaf = leaves[old]
    left = np.where(is_leaf, TREE_LEAF, new_id[np.maximum(tree.children_left[old], 0)])
    right = np.where(is_leaf, TREE_LEAF, new_id[np.maximum(tree.children_right[old], 0)])
    depth = np.zeros(old.size, dtype=np.int64)
    for node in np.flatnonzero(~is_leaf):  # parents come before children in preorder
        depth[left[node]] = depth[right[node]] = depth[node] + 1
    return Tree(
        left.astype(np.int64),
        right.astype(np.int64),
        np.where(is_leaf, TREE_UNDEFINED, tree.feature[old]).astype(np.int64),
        np.where(is_leaf, float(TREE_UNDEFINED), tree.threshold[old]),
        tree.impurity[old].copy(),
        tree.n_node_samples[old].copy(),
        tree.weighted_n_node_samples[old].copy(),
        tree.value[old].copy(),
        tree.n_features,
        int(depth.max()),
    )
