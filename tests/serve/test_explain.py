"""Contributions of POST /explain: Shapley's definition, efficiency, and linear exactness.

References: the permutation form of the Shapley value (every ordering of the fields,
written out here with itertools) and, for linear models, βⱼ (zⱼ(x) − zⱼ(r)) computed
from the fitted coefficients with NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import lemma.serve.explain as explain_module
from lemma.models.linear import LinearRegression, LogisticRegression
from lemma.serve.explain import baseline_shapley, explain_method, linear_explanation


def _nonadditive(D: pd.DataFrame) -> np.ndarray:
    A = D.to_numpy(dtype=float)
    first = np.sin(A[:, 0] * A[:, 1]) + A[:, 2] ** 2 * A[:, 3]
    return np.column_stack([first, A.prod(axis=1) - A[:, 1]])


def _shapley_by_orderings(f, x: np.ndarray, r: np.ndarray, columns) -> np.ndarray:
    """φ by definition: the average over all d! orderings of each field's marginal gain."""
    d = len(x)
    phi = np.zeros((2, d))
    orderings = list(itertools.permutations(range(d)))
    for order in orderings:
        z = r.copy()
        previous = f(pd.DataFrame([z], columns=columns))[0]
        for j in order:
            z[j] = x[j]
            current = f(pd.DataFrame([z], columns=columns))[0]
            phi[:, j] += current - previous
            previous = current
    return phi / len(orderings)


@pytest.fixture
def rows(rng):
    X = pd.DataFrame(rng.normal(size=(3, 4)), columns=list("abcd"))
    baseline = pd.DataFrame([rng.normal(size=4)], columns=list("abcd"))
    return X, baseline


def test_exact_values_equal_the_shapley_definition(rows):
    X, baseline = rows
    result = baseline_shapley(_nonadditive, X, baseline)
    assert result.method == "baseline_shapley_exact"
    for i in range(len(X)):
        expected = _shapley_by_orderings(
            _nonadditive, X.to_numpy()[i], baseline.to_numpy()[0], X.columns
        )
        np.testing.assert_allclose(result.contributions[i], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("max_exact", [10, 2])
def test_contributions_add_up_to_the_change_from_the_baseline(rows, monkeypatch, max_exact):
    monkeypatch.setattr(explain_module, "MAX_EXACT_FIELDS", max_exact)
    X, baseline = rows
    result = baseline_shapley(_nonadditive, X, baseline)
    np.testing.assert_allclose(result.values, _nonadditive(X), rtol=0, atol=0)
    np.testing.assert_allclose(result.base_values, _nonadditive(baseline)[0], rtol=0, atol=0)
    total = result.base_values + result.contributions.sum(axis=2)
    np.testing.assert_allclose(total, result.values, rtol=0, atol=1e-12)


def test_sampled_orderings_are_exact_for_an_additive_model(rows, monkeypatch):
    """For f = Σ gⱼ(xⱼ) every ordering gives φⱼ = gⱼ(xⱼ) − gⱼ(rⱼ): the estimate is exact."""
    monkeypatch.setattr(explain_module, "MAX_EXACT_FIELDS", 1)
    X, baseline = rows
    weights = np.array([1.0, -2.0, 0.5, 3.0])

    def additive(D):
        return np.sin(D.to_numpy(dtype=float)) @ weights

    result = baseline_shapley(additive, X, baseline)
    assert result.method == "baseline_shapley_sampled"
    expected = (np.sin(X.to_numpy()) - np.sin(baseline.to_numpy())) * weights
    np.testing.assert_allclose(result.contributions[:, 0, :], expected, rtol=0, atol=1e-12)


def test_a_field_equal_to_the_baseline_contributes_nothing(rows):
    X, baseline = rows
    X = X.assign(c=baseline["c"].iloc[0])
    result = baseline_shapley(_nonadditive, X, baseline)
    np.testing.assert_allclose(result.contributions[:, :, 2], 0.0, atol=1e-15)


def test_mixed_dtypes_keep_their_types_in_coalitions():
    seen = []

    def f(D):
        seen.append(D.dtypes.to_dict())
        return (D["n"] * (D["kind"] == "b")).to_numpy(dtype=float)

    X = pd.DataFrame({"n": np.array([2, 5], dtype=np.int64), "kind": pd.Series(["b", "a"])})
    baseline = pd.DataFrame({"n": np.array([1], dtype=np.int64), "kind": pd.Series(["a"])})
    result = baseline_shapley(f, X, baseline)
    assert seen[0] == X.dtypes.to_dict()
    # row 0: v(∅)=0, v(n)=0, v(kind)=1, v(both)=2 → φ_n = 0.5, φ_kind = 1.5
    np.testing.assert_allclose(result.contributions[0, 0], [0.5, 1.5])


def test_linear_contributions_are_coefficients_times_the_feature_change(rng):
    X = pd.DataFrame(rng.normal(size=(20, 3)), columns=["u", "v", "w"])
    y = X.to_numpy() @ [1.0, -2.0, 0.5] + rng.normal(size=20)
    model = LinearRegression().fit(X, y)
    baseline = pd.DataFrame([[0.3, -1.0, 2.0]], columns=X.columns)
    result = linear_explanation(model, X, baseline)
    expected = (X.to_numpy() - baseline.to_numpy()) * model.coef_
    np.testing.assert_allclose(result.contributions[:, 0, :], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.values[:, 0], model.predict(X), rtol=1e-12)
    np.testing.assert_allclose(result.base_values, model.predict(baseline), rtol=1e-12)


def test_binary_logistic_contributions_are_on_the_log_odds(rng):
    X = pd.DataFrame(rng.normal(size=(60, 2)), columns=["u", "v"])
    y = (X["u"] - X["v"] + rng.logistic(size=60) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    baseline = X.mean().to_frame().T
    result = linear_explanation(model, X, baseline)
    assert result.scale == "log-odds" and result.outputs == ["1"]
    np.testing.assert_allclose(result.values[:, 0], model.decision_function(X), rtol=1e-10)


def test_explain_method_by_model_kind(rng):
    X = rng.normal(size=(30, 2))
    assert explain_method(LinearRegression().fit(X, X[:, 0])) == "linear_exact"
    from lemma.models.tree import DecisionTreeRegressor

    assert explain_method(DecisionTreeRegressor(max_depth=2).fit(X, X[:, 0])) == "baseline_shapley"
    from lemma.models.cluster import KMeans

    assert explain_method(KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)) is None
