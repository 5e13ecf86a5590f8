"""Decision trees: CART for classification and regression and cost-complexity pruning —
each file opens with its mathematics."""

from lemma.models.tree._structure import Tree
from lemma.models.tree.prune import PruningPath, prune_tree, pruning_path
from lemma.models.tree.tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "PruningPath",
    "Tree",
    "prune_tree",
    "pruning_path",
]
