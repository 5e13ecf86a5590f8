"""partial_dependence against scikit-learn's brute method (1e-10), and the curves' mathematics."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer as SkColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import OneHotEncoder as SkOneHotEncoder

from lemma.exceptions import DataValidationError, ParameterError
from lemma.explain import partial_dependence, plot_partial_dependence
from lemma.models.linear import LinearRegression, LogisticRegression, Ridge
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, StandardScaler

TOL = 1e-10


def _assert_same(ours, estimator, X, features, **options):
    ref = sk_partial_dependence(estimator, X, features, method="brute", kind="both", **options)
    for mine, theirs in zip(ours.grid_values, ref["grid_values"], strict=True):
        if mine.dtype.kind == "f":
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=TOL)
        else:
            assert mine.tolist() == list(theirs)
    np.testing.assert_allclose(ours.average, ref["average"], rtol=0, atol=TOL)
    np.testing.assert_allclose(ours.individual, ref["individual"], rtol=0, atol=TOL)


@pytest.fixture(scope="module")
def numeric():
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(150, 3))
    y = X[:, 0] ** 2 + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=150)
    return X, y


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(54321)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, 160),
            "city": rng.choice(["Lima", "Oslo", "Rome"], 160),
            "hours": rng.normal(35, 5, 160),
        }
    )
    eta = 0.1 * (frame["age"] - 40) + (frame["city"] == "Rome") - 0.05 * (frame["hours"] - 35)
    y = (eta + rng.logistic(size=160) > 0).astype(int).to_numpy()
    return frame, y


# ------------------------------------------------------------------ scikit-learn models
@pytest.mark.parametrize("features", [[0], [1, 2], 2])
def test_scikit_learn_regressor(numeric, features):
    X, y = numeric
    model = RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0).fit(X, y)
    ours = partial_dependence(model, X, features, kind="both", grid_resolution=15)
    _assert_same(ours, model, X, features, grid_resolution=15)
    assert ours.output_names == ["prediction"]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("response_method", ["auto", "decision_function"])
def test_scikit_learn_classifier(numeric, n_classes, response_method):
    X, y = numeric
    labels = np.digitize(y, [0.5, 1.5][: n_classes - 1])
    model = SkLogisticRegression().fit(X, labels)
    options = {"grid_resolution": 9, "response_method": response_method}
    ours = partial_dependence(model, X, [0, 2], kind="both", **options)
    _assert_same(ours, model, X, [0, 2], **options)
    assert ours.average.shape == (1 if n_classes == 2 else n_classes, 9, 9)


def test_scikit_learn_pipeline_on_a_dataframe_with_a_categorical_column(mixed):
    frame, y = mixed
    model = sk_make_pipeline(
        SkColumnTransformer([("cat", SkOneHotEncoder(), ["city"])], remainder="passthrough"),
        RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0),
    ).fit(frame, y)
    for features in (["city"], ["age", "city"]):
        options = {"grid_resolution": 12, "categorical_features": ["city"]}
        ours = partial_dependence(model, frame, features, kind="both", **options)
        _assert_same(ours, model, frame, features, **options)
    assert ours.features == ["age", "city"] and ours.is_categorical == [False, True]


# ------------------------------------------------------------------ lemma models
@pytest.mark.parametrize("model", [LinearRegression(), Ridge(alpha=3.0)])
def test_lemma_regressors(numeric, model):
    X, y = numeric
    model.fit(X, y)
    ours = partial_dependence(model, X, [1, 0], kind="both", grid_resolution=11)
    _assert_same(ours, model, X, [1, 0], grid_resolution=11)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_lemma_logistic_regression(numeric, n_classes):
    X, y = numeric
    model = LogisticRegression().fit(X, np.digitize(y, [0.5, 1.5][: n_classes - 1]))
    ours = partial_dependence(model, X, [2], kind="both", grid_resolution=20)
    _assert_same(ours, model, X, [2], grid_resolution=20)


def test_lemma_pipeline_on_a_dataframe_with_weights(mixed):
    frame, y = mixed
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["age", "hours"]),
                        ("cat", OneHotEncoder(), ["city"]),
                    ]
                ),
            ),
            ("model", LogisticRegression()),
        ]
    ).fit(frame, y)
    weight = np.random.default_rng(3).uniform(0.2, 3.0, len(frame))
    options = {"grid_resolution": 10, "categorical_features": ["city"], "sample_weight": weight}
    ours = partial_dependence(model, frame, ["hours", "city"], kind="both", **options)
    _assert_same(ours, model, frame, ["hours", "city"], **options)


def test_integer_column_is_evaluated_as_floats(numeric):
    X, y = numeric
    Xi = np.column_stack([np.round(10 * X[:, 0]).astype(int), np.arange(150) % 7])
    model = LinearRegression().fit(Xi, y)
    ours = partial_dependence(model, Xi, [0], kind="both", grid_resolution=5)
    _assert_same(ours, model, Xi.astype(float), [0], grid_resolution=5)


def test_custom_values_as_scikit_learn(numeric):
    X, y = numeric
    model = LinearRegression().fit(X, y)
    values = {1: [-1.0, 0.0, 2.5]}
    ours = partial_dependence(model, X, [1], kind="both", custom_values=values)
    _assert_same(ours, model, X, [1], custom_values=values)


# ------------------------------------------------------------------ mathematics
def test_linear_model_pd_is_the_closed_form_and_ice_curves_are_parallel(rng):
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 1.0 + rng.normal(size=80)
    model = LinearRegression().fit(X, y)
    result = partial_dependence(model, X, [1], kind="both", grid_resolution=25)
    z = result.grid_values[0]
    others = model.intercept_ + X[:, [0, 2]].mean(axis=0) @ model.coef_[[0, 2]]
    np.testing.assert_allclose(result.average[0], others + model.coef_[1] * z, atol=1e-12)
    centred = result.individual[0] - result.individual[0][:, :1]
    np.testing.assert_allclose(centred, np.tile(centred[0], (80, 1)), atol=1e-12)


def test_weights_only_change_the_average(rng):
    X = rng.normal(size=(60, 2))
    model = LogisticRegression().fit(X, (X[:, 0] + rng.normal(size=60) > 0).astype(int))
    weight = rng.uniform(0.1, 2.0, 60)
    plain = partial_dependence(model, X, 0, kind="both", grid_resolution=6)
    weighted = partial_dependence(model, X, 0, kind="both", grid_resolution=6, sample_weight=weight)
    np.testing.assert_array_equal(plain.individual, weighted.individual)
    expected = np.average(plain.individual[0], axis=0, weights=weight)
    np.testing.assert_allclose(weighted.average[0], expected, atol=1e-14)


def test_result_views_and_plots(mixed):
    frame, y = mixed
    model = LogisticRegression().fit(frame[["age", "hours"]], y)
    one = partial_dependence(model, frame[["age", "hours"]], "age", kind="both", grid_resolution=8)
    table = one.to_frame()
    assert list(table.columns) == ["age", "output", "average"] and len(table) == 8
    assert one["average"] is one.average
    with pytest.raises(KeyError):
        partial_dependence(model, frame[["age", "hours"]], "age")["individual"]
    fig, axes = plt.subplots(1, 2)
    plot_partial_dependence(one, ax=axes[0])
    assert len(axes[0].lines) == 1 + 100  # PD + at most max_ice_lines ICE curves
    two = partial_dependence(model, frame[["age", "hours"]], ["age", "hours"], grid_resolution=5)
    two.plot(ax=axes[1])
    assert axes[1].get_xlabel() == "age" and axes[1].get_ylabel() == "hours"
    plt.close(fig)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"kind": "mean"}, ParameterError, "kind must be one of"),
        ({"grid_resolution": 1}, ParameterError, "grid_resolution must be an int > 1"),
        ({"percentiles": (0.9, 0.1)}, ParameterError, "two increasing numbers"),
        ({"response_method": "predict_proba"}, ParameterError, "applies to classifiers"),
        ({"features": "age"}, ParameterError, "is not a column of X"),
        ({"features": [5]}, ParameterError, "out of range: X has 2 columns"),
        ({"sample_weight": [1.0, 2.0]}, DataValidationError, "one per row of X"),
        ({"categorical_features": []}, ParameterError, "categorical_features=\\[\\]"),
    ],
)
def test_bad_options(options, error, match):
    X = np.random.default_rng(0).normal(size=(30, 2))
    model = LinearRegression().fit(X, X[:, 0])
    options = {"features": [0], **options}
    with pytest.raises(error, match=match):
        partial_dependence(model, X, **options)


def test_text_column_needs_to_be_declared_categorical():
    frame = pd.DataFrame({"code": [f"c{i:03d}" for i in range(120)], "x": np.arange(120.0)})
    model = Pipeline(
        [("prep", ColumnTransformer([("num", "passthrough", ["x"])])), ("m", LinearRegression())]
    ).fit(frame, np.arange(120.0))
    with pytest.raises(DataValidationError, match="list it in categorical_features"):
        partial_dependence(model, frame, "code")
    constant = pd.DataFrame({"code": ["a"] * 120, "x": np.r_[np.zeros(119), 1.0]})
    with pytest.raises(ParameterError, match="choose percentiles further apart"):
        partial_dependence(model, constant, "x", grid_resolution=2)
