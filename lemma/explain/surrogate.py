"""A global surrogate: a shallow decision tree that imitates a model, and how faithfully.

For a fitted model f and rows x₁, …, x_n, the surrogate is the CART tree g of depth at
most D fitted to the model's *outputs*, not to the true labels:

    g = argmin over trees of depth ≤ D of  Σ_{i ∈ train} ℓ(f(xᵢ), g(xᵢ)),

with f(x) the predicted class (classification tree, Gini) or the predicted value or
positive-class probability (regression tree, squared error). Its rules are a readable
approximation of f. How good an approximation is measured on held-out rows, against
the model (never against y):

    accuracy fidelity  = (1/m) Σ_{i ∈ test} 1[g(xᵢ) = f(xᵢ)]
    R² fidelity        = 1 − Σ (f(xᵢ) − g(xᵢ))² / Σ (f(xᵢ) − f̄)²

A fidelity near 1 means the rules describe what the model does on data like these;
a low one means the model is more complex than D levels of rules, and the rules must
not be read as its explanation. Fidelity says nothing about whether f (or g) is
accurate. Text columns of a DataFrame enter the tree one-hot encoded
(``column=value``), so the rules read as conditions on the original columns.

Reference: M. Craven & J. Shavlik, "Extracting tree-structured representations of
trained networks", NeurIPS 8 (1996); C. Molnar, *Interpretable Machine Learning*,
2nd ed. (2022), §8.6 (global surrogate).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import is_classifier
from lemma.exceptions import ParameterError
from lemma.explain._table import as_table, column_names
from lemma.validation import check_is_fitted

__all__ = ["Surrogate", "global_surrogate"]


def _labels(estimator: Any, X: Any) -> np.ndarray:
    return np.asarray(estimator.predict(X))


def _values(estimator: Any, X: Any) -> np.ndarray:
    return np.asarray(estimator.predict(X), dtype=np.float64)


def _positive_probability(estimator: Any, X: Any) -> np.ndarray:
    probabilities = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    if probabilities.shape[1] != 2:
        raise ParameterError(
            f"target='proba' imitates the probability of the positive class of a binary "
            f"classifier; this one has {probabilities.shape[1]} classes. Use target='label'."
        )
    return probabilities[:, 1]


@dataclass(frozen=True)
class _Target:
    """What the surrogate imitates: the model's output, the tree kind and the fidelity."""

    output: Callable[[Any, Any], np.ndarray]
    tree: str
    metric: str


#: target name → what the tree is fitted to and how its fidelity is measured.
TARGETS: dict[str, _Target] = {
    "label": _Target(_labels, "DecisionTreeClassifier", "accuracy"),
    "prediction": _Target(_values, "DecisionTreeRegressor", "r2"),
    "proba": _Target(_positive_probability, "DecisionTreeRegressor", "r2"),
}


def _fidelity(metric: str, model_output: np.ndarray, tree_output: np.ndarray) -> float:
    from lemma.metrics import accuracy_score, r2_score

    if metric == "accuracy":
        return float(accuracy_score(model_output, tree_output))
    return float(r2_score(model_output, tree_output))


def encode_for_tree(X: Any) -> pd.DataFrame:
    """Numeric columns as they are; text, categorical and boolean columns one-hot
    (``column=value``), as the surrogate tree sees them.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.explain.surrogate import encode_for_tree
    >>> encode_for_tree(pd.DataFrame({"age": [30.0, 40.0], "city": ["Oslo", "Rome"]}))
        age  city=Oslo  city=Rome
    0  30.0        1.0        0.0
    1  40.0        0.0        1.0
    """
    X = as_table(X)
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(X, columns=column_names(X))
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
    text += [c for c in X.columns if pd.api.types.is_bool_dtype(X[c].dtype)]
    encoded = pd.get_dummies(X, columns=text, prefix_sep="=", dtype=np.float64)
    return encoded.astype(np.float64).set_axis([str(c) for c in encoded.columns], axis=1)


def global_surrogate(
    estimator: Any,
    X: Any,
    *,
    max_depth: int = 3,
    target: str = "auto",
    test_size: float = 0.25,
    min_samples_leaf: int = 1,
    random_state: Any = None,
) -> Surrogate:
    """Fit a depth-limited decision tree to a model's outputs and measure its fidelity.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
    X : array-like or DataFrame of shape (n_samples, n_features)
        Rows to imitate the model on (the model's raw input).
    max_depth : int, default=3
        Depth of the surrogate tree (readability: at most 2**max_depth rules).
    target : {"auto", "label", "prediction", "proba"}, default="auto"
        What the tree imitates: "label" the predicted class (classification tree,
        fidelity = accuracy), "prediction" the predicted value (regression tree,
        fidelity = R²), "proba" a binary classifier's positive-class probability
        (regression tree, R²). "auto": "label" for classifiers, else "prediction".
    test_size : float, default=0.25
        Share of the rows held out to measure fidelity.
    min_samples_leaf : int, default=1
        Fewest rows in a leaf of the surrogate.
    random_state : int, RandomState or None
        Seeds the train/test split (and the tree's feature order).

    Returns
    -------
    Surrogate

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LogisticRegression
    >>> from lemma.explain import global_surrogate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> model = LogisticRegression().fit(X, (X[:, 0] > 0.3).astype(int))
    >>> surrogate = global_surrogate(model, X, max_depth=2, random_state=0)
    >>> surrogate.metric, surrogate.fidelity > 0.95
    ('accuracy', True)
    >>> print(surrogate.export_text().splitlines()[0])
    |--- x0 <= 0.3...
    """
    from lemma.models import tree as trees
    from lemma.selection import train_test_split

    check_is_fitted(estimator)
    name = ("label" if is_classifier(estimator) else "prediction") if target == "auto" else target
    if name not in TARGETS:
        raise ParameterError(f"target must be 'auto' or one of {sorted(TARGETS)}; got {target!r}.")
    if name in ("label", "proba") and not is_classifier(estimator):
        raise ParameterError(
            f"target={name!r} needs a classifier; {type(estimator).__name__} is not one. "
            "Use target='prediction'."
        )
    spec = TARGETS[name]
    X = as_table(X)
    output = spec.output(estimator, X)
    features = encode_for_tree(X)
    split = train_test_split(
        features, output, test_size=test_size, random_state=random_state
    )  # fmt: skip
    X_train, X_test, out_train, out_test = split
    tree = getattr(trees, spec.tree)(
        max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=random_state
    ).fit(X_train, out_train)
    return Surrogate(
        tree=tree,
        target=name,
        metric=spec.metric,
        fidelity=_fidelity(spec.metric, out_test, tree.predict(X_test)),
        fidelity_train=_fidelity(spec.metric, out_train, tree.predict(X_train)),
        n_train=int(X_train.shape[0]),
        n_test=int(X_test.shape[0]),
        feature_names=list(features.columns),
        max_depth=max_depth,
    )


@dataclass
class Surrogate:
    """A surrogate tree and its fidelity to the model (see :func:`global_surrogate`).

    Attributes
    ----------
    tree : DecisionTreeClassifier or DecisionTreeRegressor
        Fitted on the training part of the rows, to the model's outputs.
    target : str
        What it imitates: "label", "prediction" or "proba".
    metric : str
        "accuracy" or "r2".
    fidelity : float
        Agreement with the model on the held-out rows.
    fidelity_train : float
        Agreement on the rows it was fitted on.
    n_train, n_test : int
    feature_names : list of str
        The tree's features (text columns one-hot as ``column=value``).
    max_depth : int
    """

    tree: Any
    target: str
    metric: str
    fidelity: float
    fidelity_train: float
    n_train: int
    n_test: int
    feature_names: list[str]
    max_depth: int

    def export_text(self, decimals: int = 2) -> str:
        """The tree's rules as indented text (:func:`lemma.models.tree.export_text`)."""
        from lemma.models.tree import export_text

        return export_text(self.tree, feature_names=self.feature_names, decimals=decimals)

    def verdict(self) -> str:
        """One sentence on how far the rules can be trusted as a description of the model."""
        what = "accuracy" if self.metric == "accuracy" else "R²"
        level = (
            "the rules describe the model well"
            if self.fidelity >= 0.9
            else "the rules describe the model only roughly"
            if self.fidelity >= 0.7
            else "the model is more complex than these rules; do not read them as its explanation"
        )
        return (
            f"A depth-{self.max_depth} tree imitates the model with held-out {what} "
            f"{self.fidelity:.3f} ({self.n_test} rows): {level}."
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: fidelity, sizes and the rules."""
        return {
            "method": "global surrogate tree",
            "target": self.target,
            "metric": self.metric,
            "fidelity": self.fidelity,
            "fidelity_train": self.fidelity_train,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "max_depth": self.max_depth,
            "rules": self.export_text(),
            "verdict": self.verdict(),
        }

    def __str__(self) -> str:
        return f"{self.verdict()}\n{self.export_text()}"

    def _repr_html_(self) -> str:
        return (
            f"<div class='lemma-surrogate'><p>{html.escape(self.verdict())}</p>"
            f"<pre>{html.escape(self.export_text())}</pre></div>"
        )
