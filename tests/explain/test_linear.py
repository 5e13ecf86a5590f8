"""coefficient_table against statsmodels and lemma's inference; linear_shap against the
Shapley formula evaluated coalition by coalition."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lemma.exceptions import DataTypeError, ParameterError
from lemma.explain import coefficient_table, linear_shap
from lemma.models.linear import Lasso, LinearRegression, LogisticRegression, Ridge
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, StandardScaler


def _data(rng: np.random.Generator, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = rng.normal(size=(n, 3)) * [1.0, 3.0, 0.5] + [0.0, 5.0, -1.0]
    eta = X @ np.array([0.8, -0.3, 1.2]) + 0.4
    y_reg = eta + rng.normal(size=n)
    y_bin = (eta + rng.logistic(size=n) > 0).astype(int)
    return X, y_reg, y_bin


# ------------------------------------------------------------------ linear_shap
def _shapley_by_definition(predict, x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """φⱼ = Σ_S |S|!(p−|S|−1)!/p! (v(S ∪ {j}) − v(S)), v(S) = mean_b f(x_S, b_C)."""
    p = x.size

    def value(subset: tuple[int, ...]) -> float:
        rows = background.copy()
        rows[:, list(subset)] = x[list(subset)]
        return float(np.mean(predict(rows)))

    phi = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                phi[j] += weight * (value((*subset, j)) - value(subset))
    return phi


@pytest.mark.parametrize("kind", ["ols", "ridge", "logistic"])
def test_shap_sums_to_prediction_minus_mean_prediction(rng, kind):
    X, y_reg, y_bin = _data(rng)
    model = {
        "ols": lambda: LinearRegression().fit(X, y_reg),
        "ridge": lambda: Ridge(alpha=5.0).fit(X, y_reg),
        "logistic": lambda: LogisticRegression().fit(X, y_bin),
    }[kind]()
    f = model.decision_function if kind == "logistic" else model.predict
    shap = linear_shap(model, X)
    np.testing.assert_allclose(shap.values.sum(axis=1), f(X) - f(X).mean(), rtol=0, atol=1e-12)
    assert shap.base_value == pytest.approx(f(X).mean(), abs=1e-12)
    by_hand = np.ravel(model.coef_) * (X - X.mean(axis=0))
    np.testing.assert_allclose(shap.values, by_hand, rtol=0, atol=1e-12)
    assert shap.scale == ("log-odds" if kind == "logistic" else "prediction")


def test_shap_of_a_scaled_pipeline_is_on_the_transformed_features(rng):
    X, y, _ = _data(rng)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = Pipeline([("scale", StandardScaler()), ("ols", LinearRegression())]).fit(frame, y)
    shap = linear_shap(model, frame)
    np.testing.assert_allclose(
        shap.values.sum(axis=1), model.predict(frame) - model.predict(frame).mean(), atol=1e-12
    )
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    np.testing.assert_allclose(shap.values, Z * model[-1].coef_, atol=1e-12)
    assert shap.feature_names == ["a", "b", "c"]


def test_shap_equals_the_shapley_formula_with_a_background(rng):
    X, y, y_bin = _data(rng, 60)
    background = X[:25]
    for model, f in (
        (LinearRegression().fit(X, y), None),
        (LogisticRegression().fit(X, y_bin), "decision_function"),
    ):
        predict = model.predict if f is None else getattr(model, f)
        shap = linear_shap(model, X[25:30], background=background)
        for i, x in enumerate(X[25:30]):
            np.testing.assert_allclose(
                shap.values[i], _shapley_by_definition(predict, x, background), atol=1e-10
            )
        assert shap.base_value == pytest.approx(predict(background).mean(), abs=1e-12)


def test_multiclass_shap_has_one_slice_per_class(rng):
    X, y, _ = _data(rng)
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    model = LogisticRegression().fit(X, labels)
    shap = linear_shap(model, X)
    assert shap.values.shape == (200, 3, 3) and shap.output_names == ["0", "1", "2"]
    eta = model.decision_function(X)
    np.testing.assert_allclose(shap.values.sum(axis=1), eta - eta.mean(axis=0), atol=1e-12)
    ranking = shap.mean_abs(output=2)
    assert ranking.iloc[0] >= ranking.iloc[-1]
    assert set(json.loads(json.dumps(shap.to_dict()))["outputs"]) == {"0", "1", "2"}


# ------------------------------------------------------------------ coefficient_table
def test_odds_ratios_are_exp_of_the_wald_intervals(rng):
    X, _, y = _data(rng, 400)
    model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    table = coefficient_table(model, X, level=0.9).to_frame()
    ci = model.result_.conf_int(0.9).to_numpy()
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["coef"]), rtol=1e-15)
    np.testing.assert_allclose(table["odds_ratio_ci_low"], np.exp(ci[:, 0]), rtol=1e-12)
    np.testing.assert_allclose(table["odds_ratio_ci_high"], np.exp(ci[:, 1]), rtol=1e-12)
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(
        table[["ci_low", "ci_high"]].to_numpy(), reference.conf_int(0.1), rtol=1e-5, atol=1e-6
    )
    std_coef = model.coef_[0] * X.std(axis=0)
    np.testing.assert_allclose(table["std_coef"].to_numpy()[1:], std_coef, rtol=1e-14)
    assert np.isnan(table.loc["intercept", "std_coef"])


def test_least_squares_intervals_match_statsmodels(rng):
    X, y, _ = _data(rng)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    result = coefficient_table(LinearRegression().fit(frame, y), frame)
    reference = sm.OLS(y, sm.add_constant(X)).fit()
    table = result.to_frame()
    assert list(table.index) == ["intercept", "a", "b", "c"]
    np.testing.assert_allclose(table["coef"], reference.params, rtol=1e-9)
    np.testing.assert_allclose(table[["ci_low", "ci_high"]], reference.conf_int(), rtol=1e-9)
    np.testing.assert_allclose(table["p_value"], reference.pvalues, rtol=1e-6, atol=1e-300)
    assert "odds_ratio" not in table and result.inference.startswith("95% intervals")


@pytest.mark.parametrize(
    "model", [Ridge(alpha=1.0), Lasso(alpha=0.01), LogisticRegression(penalty="l2")]
)
def test_penalised_fit_has_no_interval(rng, model):
    X, y_reg, y_bin = _data(rng)
    model.fit(X, y_bin if isinstance(model, LogisticRegression) else y_reg)
    result = coefficient_table(model, X)
    assert result.inference == "no interval (penalised fit)"
    table = result.to_frame()
    assert table[["std_err", "ci_low", "ci_high", "p_value"]].isna().all().all()
    np.testing.assert_allclose(table["coef"].to_numpy()[1:], np.ravel(model.coef_))
    assert "no interval (penalised fit)" in result.as_text()


def test_pipeline_names_and_multinomial_rows(rng):
    X, y, _ = _data(rng, 300)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "city": rng.choice(["Lima", "Oslo"], 300)})
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    prep = ColumnTransformer(
        [("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(drop="first"), ["city"])]
    )
    model = Pipeline([("prep", prep), ("model", LogisticRegression(penalty=None))])
    model.fit(frame, labels)
    table = coefficient_table(model, frame).to_frame()
    terms = ["intercept", "num__a", "num__b", "cat__city_Oslo"]
    assert list(table.index) == [(k, t) for k in ("1", "2") for t in terms]
    params = model[-1].result_.params
    np.testing.assert_allclose(table["coef"], params.to_numpy().ravel(order="F"), atol=1e-12)
    np.testing.assert_allclose(table.loc[("1", "num__a"), "std_coef"], params.loc["num__a", "1"])
    data = json.loads(json.dumps(coefficient_table(model).to_dict()))
    assert data["rows"][0]["output"] == "1" and data["scale"] == "log-odds"


# ------------------------------------------------------------------ bad input
def test_bad_input(rng):
    X, y, _ = _data(rng, 50)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ParameterError, match="level must be in"):
        coefficient_table(model, level=1.5)
    with pytest.raises(ParameterError, match="X gives 2 model features"):
        linear_shap(model, X[:, :2])
    with pytest.raises(DataTypeError, match="is not a linear model"):
        linear_shap(Pipeline([("scale", StandardScaler())]).fit(X), X)
