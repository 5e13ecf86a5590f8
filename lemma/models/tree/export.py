"""A fitted tree as text rules and as a drawing.

:func:`export_text` writes the rules top down, one line per branch, in scikit-learn's
format: a split on feature ``x`` at threshold ``s`` gives the line ``x <= s`` above its
left branch and ``x >  s`` above its right branch, indented by depth, and each leaf a
line ``class: k`` (classifier) or ``value: [v]`` (regressor).

:func:`plot_tree` draws the tree with matplotlib: each node is a box with its split
rule, impurity, number of rows and value, placed by :func:`tree_layout` — leaves
evenly spaced from left to right in depth-first order, each internal node centred
above its children, depth downwards — with an edge to each child.

Reference: Breiman, Friedman, Olshen & Stone, *Classification and Regression Trees*,
1984, §2.3 (trees as rule sets).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.base import is_classifier
from lemma.exceptions import ParameterError
from lemma.models.tree._builder import TREE_LEAF
from lemma.validation import check_is_fitted

__all__ = ["export_text", "plot_tree", "tree_layout"]


def _feature_names(estimator: Any, feature_names: Any, default: str) -> list[str]:
    n_features = estimator.tree_.n_features
    if feature_names is None:
        fitted = getattr(estimator, "feature_names_in_", None)
        if fitted is not None:
            return [str(name) for name in fitted]
        return [default.format(j) for j in range(n_features)]
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ParameterError(f"feature_names must contain {n_features} elements, got {len(names)}.")
    return names


def _class_names(estimator: Any, class_names: Any) -> list[str] | None:
    if not is_classifier(estimator):
        return None
    if class_names is None:
        return [str(c) for c in estimator.classes_]
    names = [str(c) for c in class_names]
    if len(names) != len(estimator.classes_):
        raise ParameterError(
            f"class_names must contain as many items as classes_ ({len(estimator.classes_)}); "
            f"got {len(names)}."
        )
    return names


def _subtree_depth(tree: Any, node: int) -> int:
    """Levels below and including ``node`` (a leaf has 1)."""
    depth, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        depth = max(depth, level)
        if tree.children_left[current] != TREE_LEAF:
            stack.append((tree.children_left[current], level + 1))
            stack.append((tree.children_right[current], level + 1))
    return depth


def export_text(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int = 10,
    spacing: int = 3,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """The rules of a fitted decision tree as indented text (scikit-learn's format).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted tree.
    feature_names : sequence of str, optional
        Names of the features; default ``feature_names_in_`` if the tree was fitted on
        a DataFrame, else ``feature_0, feature_1, ...`` (scikit-learn always uses the
        latter).
    class_names : sequence of str, optional
        Names of the classes in the order of ``classes_`` (default: ``classes_``).
    max_depth : int, default=10
        Branches deeper than this are summarised as "truncated branch of depth d".
    spacing : int, default=3
        Width of one indentation level.
    decimals : int, default=2
        Digits after the point for thresholds and values.
    show_weights : bool, default=False
        Show the weighted class counts at each leaf (classifiers).

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.tree import DecisionTreeClassifier, export_text
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, ["no", "no", "yes", "yes"])
    >>> print(export_text(model, feature_names=["age"]))
    |--- age <= 2.50
    |   |--- class: no
    |--- age >  2.50
    |   |--- class: yes
    <BLANKLINE>
    """
    check_is_fitted(decision_tree)
    if not isinstance(spacing, int) or spacing < 1:
        raise ParameterError(f"spacing must be an int >= 1; got {spacing!r}.")
    if not isinstance(max_depth, int) or max_depth < 0:
        raise ParameterError(f"max_depth must be an int >= 0; got {max_depth!r}.")
    tree = decision_tree.tree_
    names = _feature_names(decision_tree, feature_names, "feature_{}")
    classes = _class_names(decision_tree, class_names)
    lines: list[str] = []

    def leaf(node: int, indent: str) -> None:
        value = tree.value[node, 0]
        if classes is None:
            lines.append(f"{indent} value: [{', '.join(f'{v:.{decimals}f}' for v in value)}]")
            return
        weights = ""
        if show_weights:
            counts = value * tree.weighted_n_node_samples[node]
            weights = f" weights: [{', '.join(f'{v:.{decimals}f}' for v in counts)}]"
        lines.append(f"{indent}{weights} class: {classes[int(np.argmax(value))]}")

    stack = [(0, 1, None)]
    while stack:
        node, depth, rule = stack.pop()
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        if rule is not None:  # the "x >  s" line above a right branch
            lines.append(rule)
        if depth > max_depth + 1:
            levels = _subtree_depth(tree, node)
            if levels == 1:
                leaf(node, indent)
            else:
                lines.append(f"{indent} truncated branch of depth {levels}")
        elif tree.children_left[node] == TREE_LEAF:
            leaf(node, indent)
        else:
            name = names[tree.feature[node]]
            threshold = f"{tree.threshold[node]:.{decimals}f}"
            lines.append(f"{indent} {name} <= {threshold}")
            stack.append((tree.children_right[node], depth + 1, f"{indent} {name} >  {threshold}"))
            stack.append((tree.children_left[node], depth + 1, None))
    return "\n".join(lines) + "\n"


def tree_layout(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int | None = None,
    impurity: bool = True,
    precision: int = 3,
) -> list[dict[str, Any]]:
    """Positions and labels of the nodes drawn by :func:`plot_tree`.

    Returns
    -------
    list of dict
        One per drawn node, in preorder: ``node``, ``parent`` (−1 for the root),
        ``x`` in [0, 1], ``depth``, ``label`` (text of the box), ``color_value`` (the
        majority class's proportion, or the value, used by ``filled``) and ``klass``
        (majority class index or None).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.tree import DecisionTreeRegressor
    >>> from lemma.models.tree.export import tree_layout
    >>> model = DecisionTreeRegressor(max_depth=1).fit([[0.0], [1.0]], [0.0, 2.0])
    >>> [(box["x"], box["depth"]) for box in tree_layout(model)]
    [(0.5, 0), (0.25, 1), (0.75, 1)]
    >>> print(tree_layout(model)[0]["label"])
    x0 <= 0.5
    squared_error = 1.0
    samples = 2
    value = 1.0
    """
    check_is_fitted(decision_tree)
    tree = decision_tree.tree_
    names = _feature_names(decision_tree, feature_names, "x{}")
    classes = _class_names(decision_tree, class_names)
    limit = np.inf if max_depth is None else max_depth
    boxes: list[dict[str, Any]] = []
    stack = [(0, -1, 0)]
    while stack:
        node, parent, depth = stack.pop()
        boxes.append({"node": node, "parent": parent, "depth": depth})
        if tree.children_left[node] != TREE_LEAF and depth < limit:
            stack.append((tree.children_right[node], node, depth + 1))
            stack.append((tree.children_left[node], node, depth + 1))
    drawn = {box["node"]: box for box in boxes}
    ends = [box for box in boxes if tree.children_left[box["node"]] not in drawn]
    for position, box in enumerate(ends):  # drawn leaves, left to right
        box["x"] = position
    n_leaves = len(ends)
    for box in reversed(boxes):  # children before parents
        node = box["node"]
        if "x" not in box:
            left, right = tree.children_left[node], tree.children_right[node]
            box["x"] = (drawn[left]["x"] + drawn[right]["x"]) / 2.0
    for box in boxes:
        box["x"] = (box["x"] + 0.5) / n_leaves
        box.update(_label(decision_tree, box["node"], names, classes, impurity, precision))
        box["truncated"] = tree.children_left[box["node"]] != TREE_LEAF and box["depth"] >= limit
    return boxes


def _label(estimator, node, names, classes, impurity, precision) -> dict[str, Any]:
    tree = estimator.tree_
    lines = []
    if tree.children_left[node] != TREE_LEAF:
        lines.append(f"{names[tree.feature[node]]} <= {round(tree.threshold[node], precision)}")
    if impurity:
        lines.append(f"{estimator.criterion} = {round(float(tree.impurity[node]), precision)}")
    lines.append(f"samples = {int(tree.n_node_samples[node])}")
    value = tree.value[node, 0]
    if classes is None:
        lines.append(f"value = {round(float(value[0]), precision)}")
        return {"label": "\n".join(lines), "color_value": float(value[0]), "klass": None}
    shown = ", ".join(str(round(float(v), precision)) for v in value)
    klass = int(np.argmax(value))
    lines.append(f"value = [{shown}]")
    lines.append(f"class = {classes[klass]}")
    return {"label": "\n".join(lines), "color_value": float(value[klass]), "klass": klass}


def plot_tree(
    decision_tree: Any,
    *,
    max_depth: int | None = None,
    feature_names: Any = None,
    class_names: Any = None,
    filled: bool = False,
    impurity: bool = True,
    precision: int = 3,
    fontsize: float | None = None,
    ax: Any = None,
) -> list[Any]:
    """Draw a fitted decision tree with matplotlib.

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
    max_depth : int, optional
        Draw only this many levels below the root ("(...)" marks cut branches).
    feature_names, class_names : sequence of str, optional
        As in :func:`export_text` (default names ``x0, x1, ...``).
    filled : bool, default=False
        Colour each box by its majority class (shade: its proportion) or, for a
        regressor, by its value.
    impurity : bool, default=True
        Show each node's impurity.
    precision : int, default=3
        Digits of thresholds, impurities and values.
    fontsize : float, optional
    ax : matplotlib Axes, optional
        Where to draw (default: the current Axes).

    Returns
    -------
    list of matplotlib Annotation
        One per box.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from lemma.models.tree import DecisionTreeRegressor, plot_tree
    >>> model = DecisionTreeRegressor(max_depth=2).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 4.0])
    >>> fig, ax = plt.subplots()
    >>> boxes = plot_tree(model, filled=True, ax=ax)
    >>> len(boxes), boxes[0].get_text().splitlines()[0]
    (5, 'x0 <= 1.5')
    >>> plt.close(fig)
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plot_tree needs matplotlib, which is not installed; install it "
            "(pip install matplotlib) or print the rules with export_text."
        ) from None
    boxes = tree_layout(decision_tree, feature_names=feature_names, class_names=class_names,
                        max_depth=max_depth, impurity=impurity, precision=precision)  # fmt: skip
    ax = plt.gca() if ax is None else ax
    ax.set_axis_off()
    n_levels = max(box["depth"] for box in boxes) + 1
    colours = _fill_colours(decision_tree, boxes, plt) if filled else {}
    position = {box["node"]: (box["x"], 1.0 - (box["depth"] + 0.5) / n_levels) for box in boxes}
    artists: list[Any] = []
    drawn: dict[int, Any] = {}
    for box in boxes:
        style = {"boxstyle": "round", "fc": colours.get(box["node"], "white"), "ec": "black"}
        kwargs: dict[str, Any] = {"ha": "center", "va": "center", "bbox": style, "zorder": 3}
        if fontsize is not None:
            kwargs["fontsize"] = fontsize
        if box["parent"] >= 0:  # the edge runs from the parent's box to this one
            kwargs["xytext"] = position[box["node"]]
            parent_box = drawn[box["parent"]].get_bbox_patch()
            kwargs["arrowprops"] = {"arrowstyle": "<-", "color": "black", "patchB": parent_box}
            artist = ax.annotate(box["label"], position[box["parent"]], **kwargs)
        else:
            artist = ax.annotate(box["label"], position[box["node"]], **kwargs)
        drawn[box["node"]] = artist
        artists.append(artist)
        if box["truncated"]:
            x, y = position[box["node"]]
            ax.annotate("(...)", (x, y - 0.5 / n_levels), ha="center", va="center")
    return artists


def _fill_colours(estimator: Any, boxes: list[dict[str, Any]], plt: Any) -> dict[int, Any]:
    """Box colours: class hue shaded by purity, or value on a colour map (regressors)."""
    values = np.array([box["color_value"] for box in boxes])
    if boxes[0]["klass"] is None:
        span = values.max() - values.min()
        shade = (values - values.min()) / span if span > 0 else np.zeros_like(values)
        cmap = plt.get_cmap("Oranges")
        return {box["node"]: cmap(0.1 + 0.8 * s) for box, s in zip(boxes, shade, strict=True)}
    palette = plt.get_cmap("tab10")
    n_classes = len(estimator.classes_)
    out = {}
    for box, proportion in zip(boxes, values, strict=True):
        red, green, blue, _ = palette(box["klass"] % 10)
        purity = (proportion - 1.0 / n_classes) / (1.0 - 1.0 / n_classes)
        out[box["node"]] = (red, green, blue, float(np.clip(purity, 0.0, 1.0)))
    return out
