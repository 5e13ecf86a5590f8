"""global_surrogate: perfect fidelity for a model that is itself a shallow tree, lower for a
complex one, fidelity measured on held-out rows against the model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor

from lemma.exceptions import ParameterError
from lemma.explain import global_surrogate
from lemma.explain.surrogate import encode_for_tree
from lemma.models.linear import LinearRegression, LogisticRegression
from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor
from lemma.selection import train_test_split


def _grid_features(rng: np.random.Generator, n: int = 600) -> np.ndarray:
    # 5 values per feature, 125 cells each seen in training: a tree that agrees with the
    # model on the training rows agrees everywhere
    return rng.integers(0, 5, size=(n, 3)).astype(float)


def test_a_shallow_tree_is_imitated_perfectly(rng):
    X = _grid_features(rng)
    y = ((X[:, 0] > 2) & (X[:, 1] > 1)).astype(int) + (X[:, 2] > 3)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    surrogate = global_surrogate(model, X, max_depth=3, random_state=int(rng.integers(99)))
    assert surrogate.metric == "accuracy"
    assert surrogate.fidelity == 1.0 and surrogate.fidelity_train == 1.0
    regressor = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, X[:, 0] * X[:, 1])
    surrogate = global_surrogate(regressor, X, max_depth=3, random_state=int(rng.integers(99)))
    assert surrogate.metric == "r2" and surrogate.fidelity == pytest.approx(1.0, abs=1e-12)


def test_a_complex_model_is_imitated_less_well(rng):
    X = rng.uniform(-2, 2, size=(800, 3))
    y = np.sin(2 * X[:, 0]) * X[:, 1] + np.cos(3 * X[:, 2])
    forest = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    surrogate = global_surrogate(forest, X, max_depth=3, random_state=int(rng.integers(99)))
    assert surrogate.fidelity < 0.8
    assert "do not read them as its explanation" in surrogate.verdict()


def test_fidelity_is_agreement_with_the_model_on_the_held_out_rows(rng):
    X = rng.normal(size=(400, 2))
    model = LogisticRegression().fit(X, (X[:, 0] + X[:, 1] + rng.normal(size=400) > 0))
    seed = int(rng.integers(99))
    surrogate = global_surrogate(model, X, max_depth=2, test_size=0.3, random_state=seed)
    _, X_test = train_test_split(encode_for_tree(X), test_size=0.3, random_state=seed)
    agreement = np.mean(surrogate.tree.predict(X_test) == model.predict(X_test.to_numpy()))
    assert surrogate.fidelity == pytest.approx(agreement, abs=1e-15)
    assert surrogate.n_test == 120 and surrogate.n_train == 280
    assert 0.5 < surrogate.fidelity < 1.0  # an oblique boundary is not two axis-aligned splits


def test_probability_target_and_text_columns(rng):
    frame = pd.DataFrame(
        {
            "age": np.round(rng.normal(40, 10, 300)),
            "city": rng.choice(["Lima", "Oslo", "Rome"], 300),
        }
    )
    y = ((frame["city"] == "Rome") | (frame["age"] > 50)).astype(int).to_numpy()
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(encode_for_tree(frame), y)

    class OnRawFrame:  # the tree behind a one-hot step, as a pipeline would be
        classes_ = model.classes_

        def __sklearn_is_fitted__(self):
            return True

        def predict(self, X):
            return model.predict(encode_for_tree(X))

        def predict_proba(self, X):
            return model.predict_proba(encode_for_tree(X))

        def __lemma_tags__(self):
            return model.__lemma_tags__()

    surrogate = global_surrogate(OnRawFrame(), frame, target="proba", random_state=0)
    assert surrogate.metric == "r2" and surrogate.fidelity > 0.99
    assert "city=Rome" in surrogate.export_text()
    data = json.loads(json.dumps(surrogate.to_dict()))
    assert data["target"] == "proba" and data["rules"].startswith("|---")
    assert "<pre>" in surrogate._repr_html_()


def test_bad_targets(rng):
    X = rng.normal(size=(60, 2))
    with pytest.raises(ParameterError, match="target must be 'auto' or one of"):
        global_surrogate(LinearRegression().fit(X, X[:, 0]), X, target="labels")
    with pytest.raises(ParameterError, match="needs a classifier"):
        global_surrogate(LinearRegression().fit(X, X[:, 0]), X, target="label")
    labels = np.digitize(X[:, 0], [-0.5, 0.5])
    with pytest.raises(ParameterError, match="this one has 3 classes"):
        global_surrogate(LogisticRegression().fit(X, labels), X, target="proba")
