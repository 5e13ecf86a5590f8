"""LinearSVC: against scikit-learn at tight tolerance, L-BFGS = dual coordinate descent,
duality and KKT conditions, weights as repeated rows, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import svm as sksvm

from lemma.exceptions import ConvergenceWarning, ParameterError
from lemma.models.svm import LinearSVC

TIGHT = {"tol": 1e-10, "max_iter": 200_000}
CD = {"solver": "cd", **TIGHT}


def _data(rng, n=200, d=5, n_classes=2):
    X = rng.standard_normal((n, d))
    score = X @ rng.standard_normal(d) + 0.7 * rng.standard_normal(n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def _primal(model, X, y01, costs):
    """½‖v‖² + Σ Cᵢ ℓ(sᵢ vᵀzᵢ) of a binary model (intercept_scaling = 1)."""
    s = 2.0 * y01 - 1.0
    margin = s * model.decision_function(X)
    loss = np.maximum(0.0, 1.0 - margin)
    loss = loss**2 if model.loss == "squared_hinge" else loss
    v = np.append(model.coef_.ravel(), model.intercept_[0] / model.intercept_scaling)
    return 0.5 * v @ v + costs @ loss


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_same_as_sklearn(rng, loss, n_classes):
    X, y = _data(rng, n_classes=n_classes)
    ours = LinearSVC(loss=loss, C=0.5, random_state=0, **CD).fit(X, y)
    ref = sksvm.LinearSVC(loss=loss, C=0.5, random_state=0, **TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    scores = np.sort(ref.decision_function(X).reshape(len(y), -1), axis=1)
    runner_up = scores[:, -2] if n_classes > 2 else -scores[:, 0]
    clear = np.abs(scores[:, -1] - runner_up) > 1e-5  # hinge: rows on two margins tie
    np.testing.assert_array_equal(ours.predict(X)[clear], ref.predict(X)[clear])


@pytest.mark.parametrize(
    "params",
    [
        {"class_weight": "balanced"},
        {"class_weight": {0: 3.0}},
        {"intercept_scaling": 5.0},
        {"fit_intercept": False},
        {"C": 20.0},
    ],
)
def test_options_same_as_sklearn(rng, params):
    X, y = _data(rng, n_classes=3)
    w = rng.uniform(0.2, 2.0, y.size)
    for loss in ("squared_hinge", "hinge"):
        ours = LinearSVC(loss=loss, **params, **CD).fit(X, y, sample_weight=w)
        ref = sksvm.LinearSVC(loss=loss, **params, **TIGHT).fit(X, y, sample_weight=w)
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)


def test_automatic_solver(rng):
    X, y = _data(rng, n=30, d=4)
    assert LinearSVC().fit(X, y).solver_ == "lbfgs"
    assert LinearSVC(loss="hinge").fit(X, y).solver_ == "cd"
    assert LinearSVC().fit(X[:3], [0, 1, 1]).solver_ == "cd"  # fewer rows than features
    ours = LinearSVC(tol=1e-8).fit(X, y)
    ref = sksvm.LinearSVC(**TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-4)


def test_lbfgs_same_as_dual_coordinate_descent(rng):
    X, y = _data(rng, n_classes=3)
    w = rng.uniform(0.2, 2.0, y.size)
    dual = LinearSVC(**CD).fit(X, y, sample_weight=w)
    primal = LinearSVC(solver="lbfgs", tol=1e-7, max_iter=5000).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(primal.decision_function(X), dual.decision_function(X), atol=1e-4)
    assert np.all(np.diff(primal.history_[0]) <= 1e-12)


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
def test_strong_duality_and_kkt(rng, loss):
    X, y = _data(rng, n=150)
    w = rng.uniform(0.5, 2.0, y.size)
    C = 0.8
    model = LinearSVC(loss=loss, C=C, **CD).fit(X, y, sample_weight=w)
    costs = C * w
    alpha = model.dual_coef_[0]
    s = 2.0 * y - 1.0
    history = model.history_[0]
    assert np.all(np.diff(history) <= 1e-10)  # exact coordinate minimisation: f never rises
    assert _primal(model, X, y, costs) == pytest.approx(-history[-1], rel=1e-8)
    Z = np.column_stack([X, np.ones(len(y))])
    v = np.append(model.coef_.ravel(), model.intercept_[0])
    np.testing.assert_allclose(Z.T @ (alpha * s), v, atol=1e-10)  # v = Σ αᵢ sᵢ zᵢ
    margin = s * model.decision_function(X)
    assert np.all(alpha >= 0)
    if loss == "hinge":
        assert np.all(alpha <= costs + 1e-12)
        inside = (alpha > 1e-8) & (alpha < costs - 1e-8)
        np.testing.assert_allclose(margin[inside], 1.0, atol=1e-6)  # on the margin
        assert np.all(margin[alpha <= 1e-8] >= 1 - 1e-6)
        assert np.all(margin[alpha >= costs - 1e-8] <= 1 + 1e-6)
    else:  # αᵢ = 2Cᵢ max(0, 1 − mᵢ)
        np.testing.assert_allclose(alpha, 2 * costs * np.maximum(0, 1 - margin), atol=1e-6)


def test_integer_weights_equal_repeated_rows(rng):
    X, y = _data(rng, n=80)
    w = rng.integers(0, 3, y.size)
    w[:4] = [1, 1, 2, 2]
    y[:2] = [0, 1]
    weighted = LinearSVC(**CD).fit(X, y, sample_weight=w)
    repeated = LinearSVC(**CD).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.decision_function(X), repeated.decision_function(X),
                               atol=1e-7)  # fmt: skip


def test_bad_input(rng):
    X, y = _data(rng, n=50)
    with pytest.raises(ParameterError, match="needs a differentiable loss"):
        LinearSVC(loss="hinge", solver="lbfgs").fit(X, y)
    with pytest.raises(ParameterError, match="'C' parameter"):
        LinearSVC(C=0.0).fit(X, y)
    with pytest.raises(ParameterError, match=r"labels \['7'\] that are not classes"):
        LinearSVC(class_weight={"7": 2.0}).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="max_iter=1 epochs"):
        LinearSVC(solver="cd", max_iter=1, tol=1e-12).fit(X, y)
