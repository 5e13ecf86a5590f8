"""SVC: against scikit-learn (same support vectors, decision values), the dual constraints
and KKT conditions at the solution, Platt probabilities (calibration and ordering), bad
input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import svm as sksvm

from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError
from lemma.models.svm import SVC
from lemma.models.svm._kernels import kernel_matrix

KERNELS = [
    {"kernel": "rbf"},
    {"kernel": "linear"},
    {"kernel": "poly", "degree": 2, "coef0": 1.0},
    {"kernel": "sigmoid", "gamma": 0.1, "coef0": -0.5},
]


def _data(rng, n=240, d=4, n_classes=2):
    X = rng.standard_normal((n, d))
    score = X[:, 0] + X[:, 1] ** 2 - 1.0 + 0.6 * rng.standard_normal(n)
    cuts = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.digitize(score, cuts)


def _sklearn_proba(X, y, X_new, **params):
    """scikit-learn's Platt probabilities (its 1.9 deprecates probability=True)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return sksvm.SVC(probability=True, **params).fit(X, y).predict_proba(X_new)


@pytest.mark.parametrize("params", KERNELS, ids=lambda p: p["kernel"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_same_as_sklearn(rng, params, n_classes):
    X, y = _data(rng, n_classes=n_classes)
    ours = SVC(tol=1e-6, **params).fit(X, y)
    ref = sksvm.SVC(tol=1e-6, **params).fit(X, y)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    X_new = rng.standard_normal((100, X.shape[1]))
    np.testing.assert_allclose(ours.decision_function(X_new), ref.decision_function(X_new),
                               atol=1e-3)  # fmt: skip
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-3)
    np.testing.assert_array_equal(ours.predict(X_new), ref.predict(X_new))
    if params["kernel"] == "linear":
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3)


def test_default_tolerance_same_as_sklearn(rng):
    X, y = _data(rng, n=400, n_classes=3)
    ours, ref = SVC().fit(X, y), sksvm.SVC().fit(X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-2)
    assert abs(int(ours.n_iter_.sum()) - int(ref.n_iter_.sum())) < 0.2 * ref.n_iter_.sum()


@pytest.mark.parametrize(
    "params",
    [{"class_weight": "balanced"}, {"class_weight": {0: 0.3, 2: 4.0}}, {"C": 30.0}],
)
def test_weights_same_as_sklearn(rng, params):
    X, y = _data(rng, n_classes=3)
    w = rng.uniform(0.2, 3.0, y.size)
    w[:10] = 0.0  # rows of weight 0 are left out
    ours = SVC(tol=1e-6, **params).fit(X, y, sample_weight=w)
    ref = sksvm.SVC(tol=1e-6, **params).fit(X, y, sample_weight=w)
    kept = np.flatnonzero(w > 0)  # scikit-learn numbers the rows left after dropping w = 0
    np.testing.assert_array_equal(ours.support_, kept[ref.support_])
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-3)
    assert not np.isin(np.arange(10), ours.support_).any()


@pytest.mark.parametrize("shape", ["ovo", "ovr"])
def test_decision_shapes_and_break_ties_as_sklearn(rng, shape):
    X, y = _data(rng, n_classes=4)
    ours = SVC(tol=1e-6, decision_function_shape=shape).fit(X, y)
    ref = sksvm.SVC(tol=1e-6, decision_function_shape=shape).fit(X, y)
    X_new = rng.standard_normal((100, X.shape[1]))
    np.testing.assert_allclose(ours.decision_function(X_new), ref.decision_function(X_new),
                               atol=1e-3)  # fmt: skip
    if shape == "ovr":
        tied = SVC(tol=1e-6, break_ties=True).fit(X, y)
        ref_tied = sksvm.SVC(tol=1e-6, break_ties=True).fit(X, y)
        np.testing.assert_array_equal(tied.predict(X_new), ref_tied.predict(X_new))


@pytest.mark.parametrize("params", KERNELS[:3], ids=lambda p: p["kernel"])
def test_dual_constraints_and_kkt(rng, params):
    X, y = _data(rng, n=200)
    w = rng.uniform(0.5, 2.0, y.size)
    C, tol = 2.0, 1e-6
    model = SVC(C=C, tol=tol, **params).fit(X, y, sample_weight=w)
    bound = C * w[model.support_]
    coef = model.dual_coef_[0]  # sᵢαᵢ, sᵢ = +1 for class 1
    alpha = np.abs(coef)
    assert np.all(alpha > 0) and np.all(alpha <= bound * (1 + 1e-12))
    assert abs(coef.sum()) < 1e-10  # Σ yᵢαᵢ = 0
    s = 2.0 * y - 1.0
    margin = s * model.decision_function(X)
    full = np.zeros(y.size)
    full[model.support_] = alpha
    free = (full > 1e-9) & (full < C * w - 1e-9)
    assert free.any()
    slack = 10 * tol  # the kernel cache is float32 (libsvm's): ~1e-7 relative per value
    np.testing.assert_allclose(margin[free], 1.0, atol=slack)
    assert np.all(margin[full == 0] >= 1 - slack)
    assert np.all(margin[full >= C * w - 1e-9] <= 1 + slack)
    history = model.history_[0]
    assert np.all(np.diff(history) <= 1e-12)  # every SMO step lowers the dual objective
    sv = model.support_vectors_
    K = kernel_matrix(sv, sv, params["kernel"], model._gamma, model.coef0, model.degree)
    assert history[-1] == pytest.approx(0.5 * coef @ K @ coef - alpha.sum(), rel=1e-6)


def test_integer_weights_equal_repeated_rows(rng):
    X, y = _data(rng, n=80)
    w = rng.integers(0, 3, y.size)
    w[:4] = [1, 1, 2, 2]
    # a fixed gamma: "scale" reads Var(X), which the repeated rows change
    weighted = SVC(gamma=0.3, tol=1e-9).fit(X, y, sample_weight=w)
    repeated = SVC(gamma=0.3, tol=1e-9).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.decision_function(X), repeated.decision_function(X),
                               atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("n_classes", [2, 3])
def test_probabilities_calibrated_and_ordered(rng, n_classes):
    X, y = _data(rng, n=1500, d=3, n_classes=n_classes)
    train, test = slice(0, 1000), slice(1000, None)
    model = SVC(probability=True, random_state=0).fit(X[train], y[train])
    proba = model.predict_proba(X[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-10)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X[test])), proba, rtol=1e-12)
    ref_proba = _sklearn_proba(X[train], y[train], X[test], random_state=0)
    assert np.mean(np.abs(proba - ref_proba)) < 0.03  # other CV folds: close, not equal
    assert np.mean(proba.argmax(axis=1) == ref_proba.argmax(axis=1)) > 0.95
    onehot = np.eye(n_classes)[y[test]]
    brier, ref_brier = (np.mean(np.sum((p - onehot) ** 2, axis=1)) for p in (proba, ref_proba))
    assert brier < ref_brier + 0.01  # as good a probability forecast as scikit-learn's
    np.testing.assert_allclose(proba.mean(axis=0), ref_proba.mean(axis=0), atol=0.02)
    confidence = proba.max(axis=1)  # confident rows: confidence ≈ accuracy
    sure = confidence >= 0.9
    correct = proba.argmax(axis=1) == y[test]
    assert abs(correct[sure].mean() - confidence[sure].mean()) < 0.05
    if n_classes == 2:  # Platt's sigmoid is monotone in the decision value
        order = np.argsort(model.decision_function(X[test]))
        assert np.all(np.diff(proba[order, 1]) >= -1e-12)


def test_bad_input(rng):
    X, y = _data(rng, n=60)
    with pytest.raises(ParameterError, match="break_ties=True needs"):
        SVC(break_ties=True, decision_function_shape="ovo").fit(X, y)
    with pytest.raises(ParameterError, match="'gamma' parameter"):
        SVC(gamma=-1.0).fit(X, y)
    with pytest.raises(ParameterError, match="'kernel' parameter"):
        SVC(kernel="precomputed").fit(X, y)
    model = SVC().fit(X, y)
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError, match="probability=False"):
        model.predict_proba(X)
    with pytest.raises(AttributeError, match="linear kernel"):
        _ = model.coef_
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        SVC(max_iter=2).fit(X, y)
    y3 = y.copy()
    y3[:5] = 2
    with pytest.raises(DataValidationError, match="class 2 has no row of positive weight"):
        SVC().fit(X, y3, sample_weight=np.where(y3 == 2, 0.0, 1.0))
