"""The fitted tree: node arrays in scikit-learn's layout, traversal and importances.

Node ``t`` (numbered in depth-first preorder, root 0) stores ``children_left[t]``,
``children_right[t]`` (−1 at a leaf), ``feature[t]`` and ``threshold[t]`` (−2 at a
leaf; a row goes left when ``x[feature] ≤ threshold``), ``impurity[t]``,
``n_node_samples[t]`` (rows with positive weight), ``weighted_n_node_samples[t]``
(their total weight ``W_t``) and ``value[t]`` of shape ``(1, K)``: the class
proportions (classification) or ``(1, 1)``: the weighted mean of y (regression).

The impurity importance of feature j sums, over the splits on j, the weighted impurity
decrease ``W_t I(t) − W_L I(L) − W_R I(R)`` (Breiman et al., 1984, §5.3.4). Divided by
the root's weight ``W`` it is scikit-learn's unnormalised importance; normalised to sum to
one, scikit-learn's ``feature_importances_``.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*, 1984.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from lemma.models.tree._builder import (
    TREE_LEAF,
    add_leaf_values,
    apply_rows,
    pack_nodes,
    thresholds,
)
from lemma.models.tree._criteria import SQUARED_ERROR

__all__ = ["Tree"]


class Tree:
    """Array representation of a binary decision tree (scikit-learn's ``tree_`` layout).

    Parameters
    ----------
    children_left, children_right, feature, n_node_samples : ndarray of int64, (n_nodes,)
    threshold, impurity, weighted_n_node_samples : ndarray of float64, (n_nodes,)
    value : ndarray of shape (n_nodes, 1, n_values)
        Class proportions (n_values = K) or the mean target (n_values = 1).
    n_features : int
    max_depth : int
        Depth of the deepest leaf (the root has depth 0).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.tree import DecisionTreeRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> tree = DecisionTreeRegressor(max_depth=1).fit(X, [1.0, 1.0, 5.0, 5.0]).tree_
    >>> tree.node_count, float(tree.threshold[0]), tree.value[:, 0, 0].tolist()
    (3, 1.5, [3.0, 1.0, 5.0])
    """

    def __init__(
        self,
        children_left: np.ndarray,
        children_right: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        impurity: np.ndarray,
        n_node_samples: np.ndarray,
        weighted_n_node_samples: np.ndarray,
        value: np.ndarray,
        n_features: int,
        max_depth: int,
    ):
        self.children_left = children_left
        self.children_right = children_right
        self.feature = feature
        self.threshold = threshold
        self.impurity = impurity
        self.n_node_samples = n_node_samples
        self.weighted_n_node_samples = weighted_n_node_samples
        self.value = value
        self.n_features = n_features
        self.max_depth = max_depth

    @classmethod
    def from_builder(
        cls, X: np.ndarray, nodes: np.ndarray, reals: np.ndarray, stats: np.ndarray,
        max_depth: int, criterion: int,
    ) -> Tree:  # fmt: skip
        """Wrap the builder's arrays (no copies): thresholds from X, statistics become
        proportions or means."""
        weight = reals[1]
        if criterion == SQUARED_ERROR:
            value = (stats[:, 0] / weight)[:, None, None]
        else:
            value = (stats / weight[:, None])[:, None, :]
        threshold = thresholds(X, nodes[2], nodes[4], nodes[5])
        return cls(nodes[0], nodes[1], nodes[2], threshold, reals[0], nodes[3], weight, value,
                   X.shape[1], max_depth)  # fmt: skip

    # ------------------------------------------------------------------ sizes
    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return int(self.children_left.shape[0])

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.count_nonzero(self.children_left == TREE_LEAF))

    @property
    def n_outputs(self) -> int:
        """Number of outputs (always 1)."""
        return 1

    # ------------------------------------------------------------------ traversal
    def _packed(self) -> tuple[np.ndarray, np.ndarray]:
        return pack_nodes(self.children_left, self.children_right, self.feature, self.threshold)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Index of the leaf each row of ``X`` (validated, float) falls into."""
        return apply_rows(np.ascontiguousarray(X), *self._packed())

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``value`` of the leaf of each row: shape (n_samples, n_values)."""
        return np.take(self.value[:, 0, :], self.apply(X), axis=0)

    def traversal(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What :func:`add_predictions` reads: packed nodes, their float view, leaf values.

        A forest prepares these once per prediction and reuses them for every block of
        rows.
        """
        return (*self._packed(), np.ascontiguousarray(self.value[:, 0, :]))

    def add_predictions(self, X: np.ndarray, out: np.ndarray, traversal: tuple = ()) -> None:
        """Add the leaf value of each row of ``X`` (C-contiguous) to ``out`` in place."""
        add_leaf_values(X, *(traversal or self.traversal()), out)

    def decision_path(self, X: np.ndarray) -> sparse.csr_matrix:
        """Sparse indicator (n_samples, n_nodes): 1 where a row passes through a node."""
        leaves = self.apply(X)
        parent = np.full(self.node_count, -1, dtype=np.int64)
        internal = np.flatnonzero(self.children_left != TREE_LEAF)
        parent[self.children_left[internal]] = internal
        parent[self.children_right[internal]] = internal
        rows, nodes = [], []
        row, node = np.arange(leaves.shape[0]), leaves
        while row.size:
            rows.append(row)
            nodes.append(node)
            keep = parent[node] >= 0
            row, node = row[keep], parent[node[keep]]
        row, node = np.concatenate(rows), np.concatenate(nodes)
        data = np.ones(row.size, dtype=np.int64)
        shape = (leaves.shape[0], self.node_count)
        return sparse.csr_matrix((data, (row, node)), shape=shape)

    # ------------------------------------------------------------------ importances
    def impurity_decrease(self) -> np.ndarray:
        """Per node, ``W_t I(t) − W_L I(L) − W_R I(R)`` (0 at leaves)."""
        out = np.zeros(self.node_count)
        internal = np.flatnonzero(self.children_left != TREE_LEAF)
        weighted = self.weighted_n_node_samples * self.impurity
        left, right = self.children_left[internal], self.children_right[internal]
        out[internal] = weighted[internal] - weighted[left] - weighted[right]
        return out

    def compute_feature_importances(self, normalize: bool = True) -> np.ndarray:
        """Impurity importance per feature (scikit-learn's definition).

        Parameters
        ----------
        normalize : bool, default=True
            Divide by the sum so the importances sum to one (all zero for a tree that
            is a single leaf); otherwise divide by the root's weight only.
        """
        internal = self.children_left != TREE_LEAF
        importances = np.bincount(
            self.feature[internal],
            weights=self.impurity_decrease()[internal],
            minlength=self.n_features,
        ).astype(np.float64)
        importances /= self.weighted_n_node_samples[0]
        total = importances.sum()
        if normalize and total > 0.0:
            importances /= total
        return importances
