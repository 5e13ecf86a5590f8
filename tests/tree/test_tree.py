"""DecisionTreeClassifier and DecisionTreeRegressor.

Reference: scikit-learn's trees, node by node, on data without tied values (where the
best split at every node is unique, so the trees must be the same); closed forms for the
importances; mathematical properties; bad input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError, NotFittedError, ParameterError
from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor
from tests.tree.compare import assert_same_tree, data_without_ties

sk_tree = pytest.importorskip("sklearn.tree")

SETTINGS = [
    {},
    {"max_depth": 4},
    {"min_samples_leaf": 7},
    {"min_samples_split": 0.1},
    {"min_impurity_decrease": 0.004},
    {"min_weight_fraction_leaf": 0.02},
    {"max_features": 2},
]


def _pair(lemma_cls, sk_cls, criterion, params, X, y, sample_weight=None):
    ours = lemma_cls(criterion=criterion, random_state=3, **params)
    theirs = sk_cls(criterion=criterion, random_state=3, **params)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)
    return ours, theirs


@pytest.mark.parametrize("params", SETTINGS)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_is_scikit_learns_tree(criterion, params, weighted, n_classes, rng):
    X, y = data_without_ties(rng)
    y = np.minimum(y, n_classes - 1)  # two classes: the sweep's scalar path
    w = rng.uniform(0.2, 3.0, y.size) if weighted else None
    ours, theirs = _pair(
        DecisionTreeClassifier, sk_tree.DecisionTreeClassifier, criterion, params, X, y, w
    )
    assert_same_tree(ours.tree_, theirs.tree_)
    X_new, _ = data_without_ties(rng)
    X_new += 1 / 16  # between the training values: no row sits on a threshold
    np.testing.assert_array_equal(ours.predict(X_new), theirs.predict(X_new))
    np.testing.assert_array_equal(ours.predict_proba(X_new), theirs.predict_proba(X_new))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-12)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.5, 2: 0.7}])
def test_class_weight_is_scikit_learns(class_weight, rng):
    X, y = data_without_ties(rng)
    w = rng.uniform(0.5, 2.0, y.size)
    params = {"class_weight": class_weight, "max_depth": 6}
    ours, theirs = _pair(
        DecisionTreeClassifier, sk_tree.DecisionTreeClassifier, "gini", params, X, y, w
    )
    assert_same_tree(ours.tree_, theirs.tree_)


@pytest.mark.parametrize("params", SETTINGS)
@pytest.mark.parametrize("weighted", [False, True])
def test_regressor_is_scikit_learns_tree(params, weighted, rng):
    X, y = data_without_ties(rng, task="regression")
    w = rng.uniform(0.2, 3.0, y.size) if weighted else None
    ours, theirs = _pair(
        DecisionTreeRegressor, sk_tree.DecisionTreeRegressor, "squared_error", params, X, y, w
    )
    assert_same_tree(ours.tree_, theirs.tree_)
    X_new, _ = data_without_ties(rng)
    X_new += 1 / 16
    np.testing.assert_array_equal(ours.predict(X_new), theirs.predict(X_new))
    np.testing.assert_array_equal(ours.apply(X_new), theirs.apply(X_new))
    np.testing.assert_array_equal(
        ours.decision_path(X_new).toarray(), theirs.decision_path(X_new).toarray()
    )


def test_a_chain_deeper_than_the_initial_stack_is_scikit_learns():
    """y = 1.5^x: every best split cuts off the largest values, so the tree is a chain."""
    X = np.arange(300.0).reshape(-1, 1)
    y = 1.5 ** X[:, 0]
    ours = DecisionTreeRegressor(random_state=0).fit(X, y)
    theirs = sk_tree.DecisionTreeRegressor(random_state=0).fit(X, y)
    assert ours.get_depth() > 64
    assert_same_tree(ours.tree_, theirs.tree_)


def test_string_labels_and_a_dataframe(rng):
    X, y = data_without_ties(rng, d=3)
    frame = pd.DataFrame(X, columns=["age", "income", "hours"])
    labels = np.array(["low", "mid", "high"])[y]
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(frame, labels)
    reference = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, labels)
    np.testing.assert_array_equal(model.classes_, ["high", "low", "mid"])
    np.testing.assert_array_equal(model.feature_names_in_, ["age", "income", "hours"])
    np.testing.assert_array_equal(model.predict(frame), reference.predict(X))


# ----------------------------------------------------------------------------- properties
def test_same_random_state_same_tree_and_the_state_matters(rng):
    X, y = data_without_ties(rng, d=8)
    first = DecisionTreeClassifier(max_features=2, random_state=11).fit(X, y)
    again = DecisionTreeClassifier(max_features=2, random_state=11).fit(X, y)
    assert_same_tree(first.tree_, again.tree_, rtol=0)
    others = [DecisionTreeClassifier(max_features=2, random_state=s).fit(X, y) for s in range(5)]
    assert len({m.tree_.node_count for m in others} | {first.tree_.node_count}) > 1


@given(min_samples_leaf=st.integers(1, 20), seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_every_leaf_respects_min_samples_leaf(min_samples_leaf, seed):
    X, y = data_without_ties(np.random.default_rng(seed), n=120, d=3)
    tree = DecisionTreeClassifier(min_samples_leaf=min_samples_leaf).fit(X, y).tree_
    leaves = tree.children_left == -1
    assert tree.n_node_samples[leaves].min() >= min_samples_leaf


def test_pure_nodes_have_impurity_zero(rng):
    X, y = data_without_ties(rng)
    tree = DecisionTreeClassifier(criterion="entropy").fit(X, y).tree_
    pure = np.max(tree.value[:, 0, :], axis=1) == 1.0
    assert pure.sum() > 5
    np.testing.assert_array_equal(tree.impurity[pure], 0.0)
    np.testing.assert_array_equal(tree.children_left[pure], -1)


def test_importances_sum_to_one_and_gain_telescopes(rng):
    X, y = data_without_ties(rng, task="regression")
    w = rng.uniform(0.5, 2.0, y.size)
    model = DecisionTreeRegressor(max_depth=5).fit(X, y, sample_weight=w)
    assert model.feature_importances_.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(model.feature_importances("impurity"), model.feature_importances_)
    # total gain = weighted RSS about the mean − weighted RSS about the leaf means
    rss_root = np.sum(w * (y - np.average(y, weights=w)) ** 2)
    rss_leaves = np.sum(w * (y - model.predict(X)) ** 2)
    gain = model.feature_importances(kind="gain")
    assert gain.sum() == pytest.approx(rss_root - rss_leaves, rel=1e-9)
    np.testing.assert_allclose(gain / gain.sum(), model.feature_importances_, atol=1e-12)


def test_duplicated_rows_equal_doubled_weights(rng):
    X, y = data_without_ties(rng, n=150)
    doubled = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=np.full(150, 2.0))
    repeated = DecisionTreeClassifier(random_state=0).fit(np.vstack([X, X]), np.r_[y, y])
    for name in ("children_left", "feature", "threshold", "value", "weighted_n_node_samples"):
        np.testing.assert_array_equal(getattr(doubled.tree_, name), getattr(repeated.tree_, name))


def test_float32_input_gives_the_float64_tree(rng):
    X, y = data_without_ties(rng, task="regression")
    y = y.astype(np.float32).astype(np.float64)  # a float32 X makes y float32 too
    wide = DecisionTreeRegressor(random_state=0).fit(X, y)
    narrow = DecisionTreeRegressor(random_state=0).fit(X.astype(np.float32), y)
    assert_same_tree(narrow.tree_, wide.tree_, rtol=0)
    np.testing.assert_array_equal(narrow.predict(X.astype(np.float32)), wide.predict(X))


def test_zero_weight_rows_are_ignored(rng):
    X, y = data_without_ties(rng)
    w = np.ones(y.size)
    w[::3] = 0.0
    weighted = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w)
    dropped = DecisionTreeClassifier(random_state=0).fit(X[w > 0], y[w > 0])
    assert_same_tree(weighted.tree_, dropped.tree_, rtol=0)


def test_pruning_path_method_and_ccp_alpha(rng):
    X, y = data_without_ties(rng)
    model = DecisionTreeClassifier(random_state=0)
    path = model.cost_complexity_pruning_path(X, y)
    reference = sk_tree.DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(path["ccp_alphas"], reference["ccp_alphas"], atol=1e-12)
    pruned = model.set_params(ccp_alpha=float(path.ccp_alphas[-2])).fit(X, y)
    assert pruned.get_n_leaves() == 2 and pruned.get_depth() == 1


# ----------------------------------------------------------------------------- bad input
def test_nan_in_X_is_refused_with_advice(rng):
    X, y = data_without_ties(rng)
    X[4, 1] = np.nan
    with pytest.raises(DataValidationError, match=r"NaN .*SimpleImputer"):
        DecisionTreeClassifier().fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"max_depth": 0}, "'max_depth' parameter"),
        ({"min_samples_split": 1}, "'min_samples_split' parameter"),
        ({"min_samples_leaf": 1.5}, "'min_samples_leaf' parameter"),
        ({"max_features": "auto"}, "'max_features' parameter"),
        ({"criterion": "squared_error"}, "'criterion' parameter"),
        ({"ccp_alpha": -0.1}, "'ccp_alpha' parameter"),
        ({"max_features": 9}, "max_features=9 is more than the 5 features"),
    ],
)
def test_bad_hyperparameters_are_named(params, match, rng):
    X, y = data_without_ties(rng, n=30)
    with pytest.raises(ParameterError, match=match):
        DecisionTreeClassifier(**params).fit(X, y)


def test_unknown_class_weight_label_and_continuous_y(rng):
    X, y = data_without_ties(rng, n=30)
    with pytest.raises(ParameterError, match="class_weight has labels \\[7\\]"):
        DecisionTreeClassifier(class_weight={7: 2.0}).fit(X, y)
    with pytest.raises(DataValidationError, match="looks continuous"):
        DecisionTreeClassifier().fit(X, y + 0.5)


def test_wrong_feature_count_unfitted_and_unknown_importance(rng):
    X, y = data_without_ties(rng, n=30)
    with pytest.raises(NotFittedError):
        DecisionTreeRegressor().predict(X)
    model = DecisionTreeRegressor().fit(X, y.astype(float))
    with pytest.raises(DataValidationError, match="X has 4 features"):
        model.predict(X[:, :4])
    with pytest.raises(ParameterError, match="kind must be one of"):
        model.feature_importances(kind="permutation")
