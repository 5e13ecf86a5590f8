"""Random forests: averages of CART trees grown on bootstrap samples with random features.

A forest of B trees predicts the average of its trees,

    f(x) = (1/B) Σ_b T_b(x),

class proportions for :class:`RandomForestClassifier` (the class with the largest mean
proportion is predicted) and values for :class:`RandomForestRegressor`. Tree ``b`` is a
CART tree (:mod:`lemma.models.tree`) grown to full depth by default on a bootstrap sample
— n rows drawn with replacement, given to the tree as weights equal to their counts —
and searches only ``max_features`` features drawn at random at each node. Averaging B
trees whose errors are correlated by ρ leaves the variance ρσ² + (1 − ρ)σ²/B; the two
sources of randomness lower ρ (Breiman, 2001, §4).

Each row is left out of about (1 − 1/n)ⁿ ≈ e⁻¹ ≈ 37 % of the bootstrap samples. Its
*out-of-bag* prediction averages only the trees that did not see it, so ``oob_score_``
(accuracy, or R²) estimates the forest's score on new data without a held-out set.

Randomness follows scikit-learn's ``RandomForest*``: the forest's ``random_state`` draws
one seed per tree (``randint(2³¹ − 1)`` in order), the seed draws the tree's bootstrap
(``RandomState(seed).randint(0, n, n)``, or ``choice(n, n, p=w/Σw)`` with sample weights,
which then act through the sampling only) and its feature order. Trees are grown in
parallel threads (the compiled builder releases the GIL); the result does not depend on
``n_jobs``.

Reference: Breiman, "Random Forests", *Machine Learning* 45(1), 2001.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from lemma._constraints import BOOL, DICT, Interval, Options, satisfies
from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, Tags
from lemma.exceptions import LemmaWarning, ParameterError
from lemma.metrics import accuracy_score, r2_score
from lemma.models.tree._builder import add_leaf_values, rank_columns
from lemma.models.tree._criteria import CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA
from lemma.models.tree.tree import (
    IMPORTANCES,
    BaseDecisionTree,
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    expand_class_weight,
)
from lemma.validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]

#: Tree seeds are drawn in [0, MAX_INT), as scikit-learn draws them.
MAX_INT = np.iinfo(np.int32).max

#: Hyperparameters passed on to every tree.
TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "min_impurity_decrease",
    "ccp_alpha",
)


def _nonzero_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value != 0


def bootstrap_indices(seed: int, n_samples: int, n_draws: int, weight: Any) -> np.ndarray:
    """Rows of one bootstrap sample: uniform draws, or proportional to ``weight``."""
    random = np.random.RandomState(seed)
    if weight is None:
        return random.randint(0, n_samples, n_draws)
    return random.choice(n_samples, n_draws, replace=True, p=weight / np.sum(weight))


def _subsample_class_weight(codes: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Per row, its class's "balanced" weight within one bootstrap sample (absent: 0)."""
    counts = np.bincount(codes[drawn], minlength=codes.max() + 1).astype(np.float64)
    present = counts > 0
    per_class = np.zeros(counts.size)
    per_class[present] = drawn.size / (np.count_nonzero(present) * counts[present])
    return per_class[codes]


class BaseForest(BaseEstimator):
    """Bagging, fitting in parallel, out-of-bag estimates and importances of both forests."""

    _parameter_constraints = {
        **BaseDecisionTree._parameter_constraints,
        "n_estimators": [Interval(int, 1, None)],
        "bootstrap": [BOOL],
        "oob_score": [BOOL],
        "n_jobs": [satisfies(_nonzero_int, "an int other than 0 (-1: all cores)"), None],
        "max_samples": [
            Interval(int, 1, None),
            satisfies(lambda v: isinstance(v, float) and 0.0 < v <= 1.0, "a float in (0, 1]"),
            None,
        ],
    }

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ------------------------------------------------------------------ fitting
    def _check_bagging(self) -> None:
        if not self.bootstrap and (self.oob_score or self.max_samples is not None):
            raise ParameterError(
                f"{type(self).__name__}(bootstrap=False) has no out-of-bag rows and draws no "
                "sample: oob_score and max_samples need bootstrap=True."
            )

    def _bootstrap_size(self, n_samples: int, weight: Any) -> int:
        if self.max_samples is None:
            return n_samples
        if isinstance(self.max_samples, int):
            return self.max_samples
        total = n_samples if weight is None else float(np.sum(weight))
        return max(int(self.max_samples * total), 1)

    def _fit_forest(self, X: np.ndarray, target: np.ndarray, weight: Any, codes: Any = None):
        """Grow the trees in parallel on ``X`` (validated) and score them out of bag."""
        X = np.ascontiguousarray(X)
        ranks = rank_columns(X)
        self._n_draws_ = self._bootstrap_size(X.shape[0], weight)
        seeds = check_random_state(self.random_state).randint(MAX_INT, size=self.n_estimators)
        fit_one = delayed(self._fit_tree)
        self.estimators_ = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            fit_one(int(seed), X, ranks, target, weight, codes) for seed in seeds
        )
        if self.oob_score:
            self._score_out_of_bag(X, target, weight)
        return self

    def _fit_tree(self, seed: int, X, ranks, target, weight, codes) -> BaseDecisionTree:
        tree = self._make_tree(seed)
        if not self.bootstrap:
            tree_weight = np.ones(X.shape[0]) if weight is None else weight
        else:
            drawn = bootstrap_indices(seed, X.shape[0], self._n_draws_, weight)
            tree_weight = np.bincount(drawn, minlength=X.shape[0]).astype(np.float64)
            if getattr(self, "class_weight", None) == "balanced_subsample":
                tree_weight = tree_weight * _subsample_class_weight(codes, drawn)
        return tree._fit_prepared(X, ranks, target, tree_weight, getattr(self, "classes_", None))

    def _unsampled(self, tree: BaseDecisionTree, n_samples: int, weight: Any) -> np.ndarray:
        drawn = bootstrap_indices(tree.random_state, n_samples, self._n_draws_, weight)
        return np.flatnonzero(np.bincount(drawn, minlength=n_samples) == 0)

    def _score_out_of_bag(self, X: np.ndarray, target: np.ndarray, weight: Any) -> None:
        n_samples = X.shape[0]

        def predict_left_out(tree):
            rows = self._unsampled(tree, n_samples, weight)
            return rows, tree.tree_.predict(X[rows])

        total = np.zeros((n_samples, self._n_outputs_per_row()))
        n_trees = np.zeros(n_samples)
        jobs = (delayed(predict_left_out)(tree) for tree in self.estimators_)
        for rows, predicted in Parallel(n_jobs=self.n_jobs, prefer="threads")(jobs):
            total[rows] += predicted
            n_trees[rows] += 1
        missing = int(np.count_nonzero(n_trees == 0))
        if missing:
            warnings.warn(
                f"{missing} of {n_samples} rows were in every bootstrap sample and have no "
                f"out-of-bag prediction (n_estimators={self.n_estimators}); their OOB "
                "prediction is 0 — use more trees for a reliable oob_score_.",
                LemmaWarning,
                stacklevel=3,
            )
        self._store_out_of_bag(total / np.maximum(n_trees, 1)[:, None], target)

    # ------------------------------------------------------------------ predicting
    def _validate_X_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return np.ascontiguousarray(
            validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        )

    def _mean_of_trees(self, X: np.ndarray) -> np.ndarray:
        """Average of the trees' leaf values.

        The trees are cut into at most 8 fixed groups, whatever ``n_jobs``; threads sum
        the groups (each tree's nodes stay in one core's cache while it walks every row),
        and the group sums are added in order, so the result does not depend on
        ``n_jobs``. Rows go by blocks of 65 536, which bounds the group sums' memory.
        """
        n_rows, n_values = X.shape[0], self._n_outputs_per_row()
        groups = np.array_split(np.arange(len(self.estimators_)), min(8, len(self.estimators_)))
        traversals = [tree.tree_.traversal() for tree in self.estimators_]
        block = min(n_rows, 65_536)
        sums = np.empty((len(groups), block, n_values))
        total = np.empty((n_rows, n_values))

        def add_group(group: int, rows: slice) -> None:
            out = sums[group, : rows.stop - rows.start]
            out[:] = 0.0
            for b in groups[group]:
                add_leaf_values(X[rows], *traversals[b], out)

        threads = effective_n_jobs(self.n_jobs) > 1 and n_rows * len(traversals) >= 100_000
        with Parallel(n_jobs=self.n_jobs if threads else 1, prefer="threads") as parallel:
            for start in range(0, n_rows, block):
                rows = slice(start, min(start + block, n_rows))
                parallel(delayed(add_group)(g, rows) for g in range(len(groups)))
                total[rows] = sums[:, : rows.stop - rows.start].sum(axis=0)
        return total / len(self.estimators_)

    def apply(self, X: Any) -> np.ndarray:
        """Leaf of each row in each tree, shape (n_samples, n_estimators)."""
        X = self._validate_X_predict(X)
        return np.column_stack([tree.tree_.apply(X) for tree in self.estimators_])

    # ------------------------------------------------------------------ importances
    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean impurity importance of the trees (those with a split), normalised to 1."""
        check_is_fitted(self)
        per_tree = [t.feature_importances_ for t in self.estimators_ if t.tree_.node_count > 1]
        if not per_tree:
            return np.zeros(self.n_features_in_)
        mean = np.mean(per_tree, axis=0)
        return mean / np.sum(mean)

    def feature_importances(self, kind: str = "impurity") -> np.ndarray:
        """Permutation-free importances: "impurity" (shares, sum 1) or "gain" (mean total gain).

        "gain" is the mean over the trees of each tree's total weighted impurity decrease
        on the feature (see :meth:`DecisionTreeClassifier.feature_importances`), in units
        of weight × impurity, not normalised.
        """
        if kind not in IMPORTANCES:
            raise ParameterError(f"kind must be one of {sorted(IMPORTANCES)}; got {kind!r}.")
        check_is_fitted(self)
        if kind == "impurity":
            return self.feature_importances_
        return np.mean([IMPORTANCES[kind](tree.tree_) for tree in self.estimators_], axis=0)


class RandomForestClassifier(ClassifierMixin, BaseForest):
    """A random forest of CART classification trees (mean of their class proportions).

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees B.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, \
min_impurity_decrease, ccp_alpha
        Passed to every tree (:class:`~lemma.models.tree.DecisionTreeClassifier`).
    max_features : int, float, {"sqrt", "log2"} or None, default="sqrt"
        Features searched at each node of each tree.
    bootstrap : bool, default=True
        Grow each tree on a bootstrap sample (False: on all rows).
    oob_score : bool, default=False
        Compute ``oob_score_`` (accuracy) and ``oob_decision_function_``.
    n_jobs : int or None, default=None
        Threads growing (and predicting with) the trees; None is 1, -1 all cores.
    random_state : None, int or Generator, default=None
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        "balanced" weighs class k by ``Σw / (K · Σ_k w)`` (with bootstrap, through the
        sampling probabilities); "balanced_subsample" recomputes "balanced" weights on
        each bootstrap sample and gives them to the tree.
    max_samples : int, float or None, default=None
        Rows drawn per bootstrap sample (a float: that share of n, or of Σw); None: n.

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
        The trees; ``estimators_[b].random_state`` is tree b's seed.
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_outputs_ : int
    oob_score_ : float
        Accuracy of the out-of-bag predictions (``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class proportions (``oob_score=True``).
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.ensemble import RandomForestClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    >>> forest = RandomForestClassifier(n_estimators=50, oob_score=True, random_state=0)
    >>> forest = forest.fit(X, y)
    >>> print(f"{forest.oob_score_:.2f}", forest.predict([[2.0, 0.0, 0.0], [-2.0, 0.0, 0.0]]))
    0.9... [1 0]
    """

    _parameter_constraints = {
        **BaseForest._parameter_constraints,
        "criterion": [Options(set(CLASSIFICATION_CRITERIA))],
        "class_weight": [DICT, Options({"balanced", "balanced_subsample"}), None],
    }

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = "sqrt",
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        class_weight: dict | str | None = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RandomForestClassifier:
        """Grow the forest on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights: with bootstrap, rows are drawn with probability
            proportional to them; without, they weight the trees' criteria.

        Returns
        -------
        self
        """
        self._validate_params()
        self._check_bagging()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y, type(self).__name__)
        self.classes_, codes = np.unique(y, return_inverse=True)
        codes = codes.reshape(-1)
        self.n_classes_ = int(self.classes_.size)
        self.n_outputs_ = 1
        weight = None
        if sample_weight is not None:
            weight = check_sample_weight(sample_weight, X.shape[0])
        rule = self.class_weight
        if rule == "balanced_subsample":  # per tree, from its sample; without one: "balanced"
            rule = None if self.bootstrap else "balanced"
        expanded = expand_class_weight(rule, self.classes_, codes, weight)
        if expanded is not None:
            weight = expanded if weight is None else weight * expanded
        return self._fit_forest(X, codes.astype(np.float64), weight, codes)

    def _make_tree(self, seed: int) -> DecisionTreeClassifier:
        params = {name: getattr(self, name) for name in TREE_PARAMS}
        return DecisionTreeClassifier(random_state=seed, **params)

    def _n_outputs_per_row(self) -> int:
        return self.n_classes_

    def _store_out_of_bag(self, predicted: np.ndarray, target: np.ndarray) -> None:
        self.oob_decision_function_ = predicted
        self.oob_score_ = accuracy_score(target, np.argmax(predicted, axis=1))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the trees' class proportions, shape (n_samples, n_classes)."""
        return self._mean_of_trees(self._validate_X_predict(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest mean proportion."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class RandomForestRegressor(RegressorMixin, BaseForest):
    """A random forest of CART regression trees (mean of their predictions).

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {"squared_error"}, default="squared_error"
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, \
min_impurity_decrease, ccp_alpha
        Passed to every tree (:class:`~lemma.models.tree.DecisionTreeRegressor`).
    max_features : int, float, {"sqrt", "log2"} or None, default=1.0
        Features searched at each node (1.0: all, scikit-learn's default).
    bootstrap, oob_score, n_jobs, random_state, max_samples
        As for :class:`RandomForestClassifier`; ``oob_score_`` is R².

    Attributes
    ----------
    estimators_ : list of DecisionTreeRegressor
    n_outputs_ : int
    oob_score_ : float
        R² of the out-of-bag predictions (``oob_score=True``).
    oob_prediction_ : ndarray of shape (n_samples,)
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.ensemble import RandomForestRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = X[:, 0] ** 2 + 0.1 * rng.normal(size=300)
    >>> forest = RandomForestRegressor(n_estimators=50, random_state=0).fit(X, y)
    >>> forest.predict([[0.0, 0.0], [1.5, 0.0]]).round(1).tolist()
    [0.0, 2.2]
    >>> forest.feature_importances_.round(3).tolist()
    [0.998, 0.002]
    """

    _parameter_constraints = {
        **BaseForest._parameter_constraints,
        "criterion": [Options(set(REGRESSION_CRITERIA))],
    }

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = 1.0,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RandomForestRegressor:
        """Grow the forest on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            As for :meth:`RandomForestClassifier.fit`.

        Returns
        -------
        self
        """
        self._validate_params()
        self._check_bagging()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), y_numeric=True)
        self.n_outputs_ = 1
        weight = None
        if sample_weight is not None:
            weight = check_sample_weight(sample_weight, X.shape[0])
        return self._fit_forest(X, np.asarray(y, dtype=np.float64), weight)

    def _make_tree(self, seed: int) -> DecisionTreeRegressor:
        params = {name: getattr(self, name) for name in TREE_PARAMS}
        return DecisionTreeRegressor(random_state=seed, **params)

    def _n_outputs_per_row(self) -> int:
        return 1

    def _store_out_of_bag(self, predicted: np.ndarray, target: np.ndarray) -> None:
        self.oob_prediction_ = predicted[:, 0]
        self.oob_score_ = r2_score(target, self.oob_prediction_)

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the trees' predictions."""
        return self._mean_of_trees(self._validate_X_predict(X))[:, 0]
