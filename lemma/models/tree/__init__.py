"""Decision trees: CART for classification and regression, cost-complexity pruning, and
text and matplotlib renderings of a fitted tree — each file opens with its mathematics."""

from lemma.models.tree._structure import Tree
from lemma.models.tree.export import export_text, plot_tree
from lemma.models.tree.prune import PruningPath, prune_tree, pruning_path
from lemma.models.tree.tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "PruningPath",
    "Tree",
    "export_text",
    "plot_tree",
    "prune_tree",
    "pruning_path",
]
