"""export_text against scikit-learn's text, the layout of plot_tree, and its drawing."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import ParameterError
from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text, plot_tree
from lemma.models.tree.export import tree_layout
from tests.tree.compare import data_without_ties

sk_tree = pytest.importorskip("sklearn.tree")

OPTIONS = [
    {},
    {"max_depth": 1},
    {"decimals": 4, "spacing": 2},
    {"show_weights": True},
    {"feature_names": ["a", "b", "c", "d"]},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_export_text_is_scikit_learns(task, options, rng):
    X, y = data_without_ties(rng, n=60, d=4, task=task)
    if task == "classification":
        y = np.array(["low", "mid", "high"])[y]
        ours = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
        theirs = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    else:
        options = {k: v for k, v in options.items() if k != "show_weights"}
        ours = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
        theirs = sk_tree.DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    assert export_text(ours, **options) == sk_tree.export_text(theirs, **options)


def test_class_names_and_fitted_column_names(rng):
    X, y = data_without_ties(rng, n=40, d=4)
    frame = pd.DataFrame(X, columns=["age", "income", "hours", "tenure"])
    model = DecisionTreeClassifier(max_depth=1, random_state=0).fit(frame, y)
    text = export_text(model, class_names=["no", "maybe", "yes"])
    assert text.splitlines()[0].startswith("|--- " + frame.columns[model.tree_.feature[0]])
    shown = {line.split("class: ")[1] for line in text.splitlines() if "class: " in line}
    assert shown and shown <= {"no", "maybe", "yes"}
    with pytest.raises(ParameterError, match="feature_names must contain 4 elements, got 2"):
        export_text(model, feature_names=["a", "b"])
    with pytest.raises(ParameterError, match="class_names must contain as many items"):
        export_text(model, class_names=["no"])


def test_layout_centres_parents_over_children(rng):
    X, y = data_without_ties(rng, n=80, task="regression")
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    boxes = tree_layout(model)
    assert len(boxes) == model.tree_.node_count
    by_node = {box["node"]: box for box in boxes}
    tree = model.tree_
    for box in boxes:
        node = box["node"]
        if tree.children_left[node] != -1:
            left, right = by_node[tree.children_left[node]], by_node[tree.children_right[node]]
            assert box["x"] == pytest.approx((left["x"] + right["x"]) / 2)
            assert left["x"] < box["x"] < right["x"]
            assert left["depth"] == right["depth"] == box["depth"] + 1
    leaves = sorted(box["x"] for box in boxes if tree.children_left[box["node"]] == -1)
    np.testing.assert_allclose(np.diff(leaves), 1 / len(leaves))
    short = tree_layout(model, max_depth=1)
    assert len(short) == 3 and all(box["truncated"] for box in short[1:])


def test_layout_labels_say_the_rule_and_the_class(rng):
    X, y = data_without_ties(rng, n=80)
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    root = tree_layout(model, feature_names=list("abcde"))[0]
    rule = f"{'abcde'[model.tree_.feature[0]]} <= {round(model.tree_.threshold[0], 3)}"
    assert root["label"].splitlines()[0] == rule
    assert root["label"].splitlines()[1] == f"gini = {round(model.tree_.impurity[0], 3)}"
    assert root["label"].splitlines()[-1] == f"class = {model.classes_[root['klass']]}"


def test_plot_tree_without_matplotlib_says_what_to_do(rng, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # as if not installed
    X, y = data_without_ties(rng, n=30)
    model = DecisionTreeClassifier(max_depth=2).fit(X, y)
    with pytest.raises(ImportError, match="plot_tree needs matplotlib"):
        plot_tree(model)


def test_plot_tree_draws_one_box_per_node(rng):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data_without_ties(rng, n=60)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    fig, ax = plt.subplots()
    artists = plot_tree(model, filled=True, ax=ax)
    assert len(artists) == model.tree_.node_count
    assert artists[0].get_text() == tree_layout(model)[0]["label"]
    plt.close(fig)
