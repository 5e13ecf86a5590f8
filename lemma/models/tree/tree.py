"""CART decision trees for classification and regression.

A tree partitions the feature space into boxes by greedy recursive binary splitting.
Starting from all rows at the root, each node ``t`` is split on the feature ``j`` and
threshold ``s`` (rows with ``x_j ≤ s`` go left) that maximise the weighted impurity
decrease

    ΔI(t; j, s) = N_t / N · (I(t) − N_L / N_t · I(L) − N_R / N_t · I(R)),

where ``N`` are sums of sample weights (the whole training set, the node, its two
children) and ``I`` is the node impurity:

* Gini ``1 − Σ_k p_k²`` or entropy ``−Σ_k p_k log₂ p_k`` (class proportions ``p_k``)
  for :class:`DecisionTreeClassifier`;
* squared error, the weighted variance ``Σ wᵢ (yᵢ − ȳ_t)² / N_t``, for
  :class:`DecisionTreeRegressor`.

Candidate thresholds are the midpoints between consecutive distinct values of the
feature in the node. Growth stops at a node that is pure, reaches ``max_depth``, has
fewer than ``min_samples_split`` rows, or whose best split would leave fewer than
``min_samples_leaf`` rows (or ``min_weight_fraction_leaf`` of the weight) in a child
or decrease the impurity by less than ``min_impurity_decrease``. A leaf predicts its
class proportions (the class with the largest) or its weighted mean. ``ccp_alpha > 0``
then prunes the tree by minimal cost complexity (:mod:`lemma.models.tree.prune`).

The tree is grown depth first and its nodes are numbered in preorder, as scikit-learn
numbers them, and ``tree_`` holds scikit-learn's node arrays. With
``max_features=None`` the best split at a node is the same whichever order the features
are visited in, unless two splits are exactly equally good: then the one met first
wins, and the visiting order is a random permutation drawn from ``random_state``
(scikit-learn's generator, reproduced; see :mod:`lemma.models.tree._builder`). On data
where the best split is unique at every node, lemma's tree is scikit-learn's tree:
same splits, same thresholds, same predictions. X is split in its own precision
(scikit-learn rounds it to float32 first). NaN in X is refused: impute first, or use
:class:`lemma.models.ensemble.GradientBoostingClassifier`, which handles missing values.
Not offered (scikit-learn has them): best-first growth (``max_leaf_nodes``), the random
splitter, monotonic constraints, multi-output y and the absolute-error, Friedman and
Poisson criteria.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*,
Wadsworth, 1984.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from lemma._constraints import DICT, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, Tags, clone
from lemma.exceptions import ParameterError
from lemma.models.tree._builder import RAND_R_MAX, TREE_LEAF, build_tree, rank_columns
from lemma.models.tree._criteria import (
    CLASSIFICATION_CRITERIA,
    CRITERIA,
    REGRESSION_CRITERIA,
    n_statistics,
)
from lemma.models.tree._structure import Tree
from lemma.models.tree.prune import PruningPath, prune_tree, pruning_path
from lemma.validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "expand_class_weight"]

_FRACTION = satisfies(lambda v: isinstance(v, float) and 0.0 < v <= 1.0, "a float in (0, 1]")
_OPEN_FRACTION = satisfies(lambda v: isinstance(v, float) and 0.0 < v < 1.0, "a float in (0, 1)")

#: Named rules for ``max_features`` (number of features d -> features per split).
MAX_FEATURES: dict[str, Any] = {
    "sqrt": lambda d: max(1, int(np.sqrt(d))),
    "log2": lambda d: max(1, int(np.log2(d))),
}


def _unnormalised_gain(tree: Tree) -> np.ndarray:
    internal = tree.children_left != TREE_LEAF
    decrease = tree.impurity_decrease()[internal]
    return np.bincount(tree.feature[internal], weights=decrease, minlength=tree.n_features)


#: Kinds of permutation-free importance: name -> function of a Tree.
IMPORTANCES: dict[str, Any] = {
    "impurity": lambda tree: tree.compute_feature_importances(normalize=True),
    "gain": lambda tree: _unnormalised_gain(tree).astype(np.float64),
}


def expand_class_weight(
    class_weight: dict | str | None,
    classes: np.ndarray,
    codes: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray | None:
    """One weight per row from ``class_weight`` (None when it is None).

    "balanced" gives class k the weight ``N / (K · N_k)``, with ``N_k`` the rows of class
    k weighted by ``sample_weight`` (scikit-learn's trees pass None: plain counts; its
    forests pass the sample weights); a dict maps class labels to weights, 1 for classes
    it does not name.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):
        counts = np.bincount(codes, weights=sample_weight, minlength=classes.size)
        counts = counts.astype(np.float64)
        per_class = counts.sum() / (classes.size * np.maximum(counts, np.finfo(float).tiny))
    else:
        labels = classes.tolist()
        unknown = [key for key in class_weight if key not in labels]
        if unknown:
            raise ParameterError(
                f"class_weight has labels {unknown} that are not classes of y {labels}; "
                "use the class labels as keys."
            )
        per_class = np.array([float(class_weight.get(c, 1.0)) for c in labels])
    return per_class[codes]


class BaseDecisionTree(BaseEstimator):
    """Hyperparameters, growing and inspection shared by the two CART estimators."""

    _parameter_constraints = {
        "max_depth": [Interval(int, 1, None), None],
        "min_samples_split": [Interval(int, 2, None), _FRACTION],
        "min_samples_leaf": [Interval(int, 1, None), _OPEN_FRACTION],
        "min_weight_fraction_leaf": [Interval(float, 0.0, 0.5)],
        "max_features": [Interval(int, 1, None), _FRACTION, Options(set(MAX_FEATURES)), None],
        "random_state": [RANDOM_STATE],
        "min_impurity_decrease": [Interval(float, 0.0, None)],
        "ccp_alpha": [Interval(float, 0.0, None)],
    }

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ------------------------------------------------------------------ growing
    def _settings(self, n_samples: int, n_features: int, weight: np.ndarray) -> dict[str, Any]:
        """Hyperparameters resolved to the numbers the builder takes."""
        leaf = self.min_samples_leaf
        min_samples_leaf = leaf if _is_int(leaf) else math.ceil(leaf * n_samples)
        split = self.min_samples_split
        min_samples_split = split if _is_int(split) else max(2, math.ceil(split * n_samples))
        max_features = self.max_features
        if max_features is None:
            max_features = n_features
        elif isinstance(max_features, str):
            max_features = MAX_FEATURES[max_features](n_features)
        elif not _is_int(max_features):
            max_features = max(1, int(max_features * n_features))
        if max_features > n_features:
            raise ParameterError(
                f"max_features={self.max_features} is more than the {n_features} features of X; "
                "use at most n_features (or a fraction, or None for all)."
            )
        return {
            "max_features": int(max_features),
            "max_depth": np.iinfo(np.int32).max if self.max_depth is None else self.max_depth,
            "min_samples_split": max(int(min_samples_split), 2 * int(min_samples_leaf)),
            "min_samples_leaf": int(min_samples_leaf),
            "min_weight_leaf": float(self.min_weight_fraction_leaf * weight.sum()),
            "min_impurity_decrease": float(self.min_impurity_decrease),
        }

    def _grow(
        self, X: np.ndarray, ranks: np.ndarray, target: np.ndarray, weight: np.ndarray, n_stats: int
    ):
        """Grow ``tree_`` (X with its :func:`rank_columns`), prune it if ``ccp_alpha > 0``."""
        n_samples, n_features = X.shape
        settings = self._settings(n_samples, n_features, weight)
        seed = check_random_state(self.random_state).randint(0, RAND_R_MAX)
        criterion = CRITERIA[self.criterion]
        samples = np.flatnonzero(weight > 0).astype(np.int64)
        nodes, reals, stats, depth = build_tree(
            ranks, target, weight, samples, n_stats, criterion, settings["max_features"],
            settings["max_depth"], settings["min_samples_split"], settings["min_samples_leaf"],
            settings["min_weight_leaf"], settings["min_impurity_decrease"], seed,
        )  # fmt: skip
        self.tree_ = Tree.from_builder(X, nodes, reals, stats, depth, criterion)
        self.max_features_ = settings["max_features"]
        if self.ccp_alpha > 0.0:
            self.tree_ = prune_tree(self.tree_, self.ccp_alpha)
        return self

    def _fit_prepared(
        self, X: np.ndarray, ranks: np.ndarray, target: np.ndarray, weight: np.ndarray,
        classes: np.ndarray | None = None,
    ):  # fmt: skip
        """Fit on data a forest has validated and ranked once for all its trees."""
        self.n_features_in_ = X.shape[1]
        self.n_outputs_ = 1
        if classes is not None:
            self.classes_ = classes
            self.n_classes_ = int(classes.size)
        n_stats = n_statistics(CRITERIA[self.criterion], 1 if classes is None else classes.size)
        return self._grow(X, ranks, target, weight, n_stats)

    def _validate_X_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=(np.float64, np.float32))

    # ------------------------------------------------------------------ inspection
    def apply(self, X: Any) -> np.ndarray:
        """Index of the leaf (in ``tree_``) that each row of X reaches."""
        X = self._validate_X_predict(X)
        return self.tree_.apply(X)

    def decision_path(self, X: Any) -> Any:
        """Sparse indicator (n_samples, n_nodes) of the nodes each row passes through."""
        X = self._validate_X_predict(X)
        return self.tree_.decision_path(X)

    def get_depth(self) -> int:
        """Depth of the tree (the longest path from the root to a leaf)."""
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self) -> np.ndarray:
        """Impurity importances (normalised to sum to 1; all 0 for a single leaf)."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances(normalize=True)

    def feature_importances(self, kind: str = "impurity") -> np.ndarray:
        """Permutation-free feature importances of the fitted tree.

        Parameters
        ----------
        kind : {"impurity", "gain"}, default="impurity"
            "impurity": each feature's share of the total weighted impurity decrease
            (sums to 1; equals ``feature_importances_`` and scikit-learn's). "gain":
            the total decrease itself, ``Σ (N_t I(t) − N_L I(L) − N_R I(R))`` over the
            splits on the feature, in units of weight × impurity (for squared error,
            the reduction of the residual sum of squares), not normalised, so it can be
            compared across trees fitted to the same data.

        Returns
        -------
        ndarray of shape (n_features,)
        """
        if kind not in IMPORTANCES:
            raise ParameterError(f"kind must be one of {sorted(IMPORTANCES)}; got {kind!r}.")
        check_is_fitted(self)
        return IMPORTANCES[kind](self.tree_)

    def cost_complexity_pruning_path(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> PruningPath:
        """Effective alphas and total leaf impurities of weakest-link pruning.

        Fits an unpruned copy of this tree (``ccp_alpha=0``, other settings kept) and
        prunes it down to the root; see :mod:`lemma.models.tree.prune`.

        Returns
        -------
        PruningPath
            ``ccp_alphas`` and ``impurities`` (arrays; also ``path["ccp_alphas"]``).
        """
        unpruned = clone(self).set_params(ccp_alpha=0.0).fit(X, y, sample_weight=sample_weight)
        return pruning_path(unpruned.tree_)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """A CART classification tree (Gini or entropy).

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Impurity ``I``; "log_loss" is another name for "entropy".
    max_depth : int or None, default=None
        Maximum depth (None: grow until the other rules stop it).
    min_samples_split : int or float, default=2
        Fewest rows a node needs to be split (a float: that share of the rows).
    min_samples_leaf : int or float, default=1
        Fewest rows in each child of a split (a float: that share of the rows).
    min_weight_fraction_leaf : float in [0, 0.5], default=0.0
        Least share of the total sample weight in each child of a split.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random (without replacement) and searched at each node;
        None searches all.
    random_state : None, int or Generator, default=None
        Seeds the order in which features are visited (and drawn).
    min_impurity_decrease : float, default=0.0
        Split a node only if ``ΔI`` (module docstring) is at least this.
    class_weight : dict, "balanced" or None, default=None
        Multiplies each row's weight by its class's weight; "balanced" uses
        ``n / (K · n_k)``.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning (0: no pruning).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    tree_ : Tree
        Node arrays in scikit-learn's layout (``value`` holds class proportions).
    max_features_ : int
    n_outputs_ : int
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.tree import DecisionTreeClassifier
    >>> X = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]])
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, ["a", "a", "b", "b"])
    >>> model.predict([[1.5, 0.0], [3.5, 1.0]]).tolist()
    ['a', 'b']
    >>> float(model.tree_.threshold[0]), model.feature_importances_.tolist()
    (2.5, [1.0, 0.0])
    """

    _parameter_constraints = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [Options(set(CLASSIFICATION_CRITERIA))],
        "class_weight": [DICT, Options({"balanced"}), None],
    }

    def __init__(
        self,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        min_impurity_decrease: float = 0.0,
        class_weight: dict | str | None = None,
        ccp_alpha: float = 0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeClassifier:
        """Grow the tree on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; rows of weight 0 are ignored.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y, type(self).__name__)
        self.classes_, codes = np.unique(y, return_inverse=True)
        codes = codes.reshape(-1)
        self.n_classes_ = int(self.classes_.size)
        self.n_outputs_ = 1
        weight = check_sample_weight(sample_weight, X.shape[0], copy=True)
        expanded = expand_class_weight(self.class_weight, self.classes_, codes)
        if expanded is not None:
            weight = weight * expanded
        X = np.ascontiguousarray(X)
        return self._grow(X, rank_columns(X), codes.astype(np.float64), weight, self.n_classes_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class proportions of the leaf each row reaches, shape (n_samples, n_classes)."""
        X = self._validate_X_predict(X)
        return self.tree_.predict(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (−inf for classes absent from the leaf)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most frequent (weighted) class of the leaf each row reaches."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """A CART regression tree (squared error).

    Parameters
    ----------
    criterion : {"squared_error"}, default="squared_error"
        Impurity ``I``: the weighted variance of y in the node.
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, \
max_features, random_state, min_impurity_decrease, ccp_alpha
        As for :class:`DecisionTreeClassifier`.

    Attributes
    ----------
    tree_ : Tree
        Node arrays in scikit-learn's layout (``value`` holds the weighted means).
    max_features_ : int
    n_outputs_ : int
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.tree import DecisionTreeRegressor
    >>> X = np.arange(8.0).reshape(-1, 1)
    >>> y = np.array([1.0, 1.2, 0.8, 1.0, 3.0, 3.2, 2.8, 3.0])
    >>> model = DecisionTreeRegressor(max_depth=1).fit(X, y)
    >>> model.predict([[2.0], [6.0]]).round(3).tolist()
    [1.0, 3.0]
    >>> model.feature_importances(kind="gain").round(3).tolist()   # RSS reduction
    [8.0]
    """

    _parameter_constraints = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [Options(set(REGRESSION_CRITERIA))],
    }

    def __init__(
        self,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeRegressor:
        """Grow the tree on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Numeric target.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; rows of weight 0 are ignored.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), y_numeric=True)
        self.n_outputs_ = 1
        weight = check_sample_weight(sample_weight, X.shape[0], copy=True)
        target = np.asarray(y, dtype=np.float64)
        n_stats = n_statistics(CRITERIA[self.criterion], 1)
        X = np.ascontiguousarray(X)
        return self._grow(X, rank_columns(X), target, weight, n_stats)

    def predict(self, X: Any) -> np.ndarray:
        """Weighted mean of y in the leaf each row reaches."""
        X = self._validate_X_predict(X)
        return self.tree_.predict(X)[:, 0]
