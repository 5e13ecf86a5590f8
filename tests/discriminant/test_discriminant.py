"""LDA and QDA: against scikit-learn (probabilities to 1e-8), Ledoit–Wolf against
scikit-learn's, Fisher's criterion of the projection, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import covariance as skcov
from sklearn import discriminant_analysis as skda

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.models.discriminant import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)
from lemma.models.discriminant._shrinkage import covariance, ledoit_wolf

LDA_SETTINGS = [
    {"solver": "svd"},
    {"solver": "lsqr"},
    {"solver": "eigen"},
    {"solver": "lsqr", "shrinkage": "auto"},
    {"solver": "eigen", "shrinkage": "auto"},
    {"solver": "lsqr", "shrinkage": 0.3},
    {"solver": "eigen", "shrinkage": 0.7},
]


def _data(rng, n=300, d=5, n_classes=3):
    y = rng.integers(0, n_classes, n)
    mixing = rng.standard_normal((d, d))
    centres = rng.standard_normal((n_classes, d)) * 1.5
    X = centres[y] + rng.standard_normal((n, d)) @ mixing
    return X, y


@pytest.mark.parametrize("settings", LDA_SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
@pytest.mark.parametrize("n_classes", [2, 4])
def test_lda_same_as_sklearn(rng, settings, n_classes):
    X, y = _data(rng, n_classes=n_classes)
    ours = LinearDiscriminantAnalysis(**settings).fit(X, y)
    ref = skda.LinearDiscriminantAnalysis(**settings).fit(X, y)
    X_new, _ = _data(rng, n=100)
    np.testing.assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-8)
    np.testing.assert_allclose(
        ours.decision_function(X_new), ref.decision_function(X_new), rtol=1e-8, atol=1e-8
    )
    np.testing.assert_array_equal(ours.predict(X_new), ref.predict(X_new))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        np.exp(ours.predict_log_proba(X_new)), ref.predict_proba(X_new), atol=1e-8
    )
    if settings["solver"] != "lsqr":
        np.testing.assert_allclose(
            ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-8, atol=1e-12
        )
        ours_t, ref_t = ours.transform(X_new), ref.transform(X_new)
        assert ours_t.shape == ref_t.shape
        signs = np.sign(np.sum(ours_t * ref_t, axis=0))  # directions are defined up to sign
        np.testing.assert_allclose(ours_t * signs, ref_t, rtol=1e-7, atol=1e-8)


def test_lda_priors_components_and_covariance(rng):
    X, y = _data(rng, n_classes=3)
    kwargs = {"priors": [0.5, 0.2, 0.3], "n_components": 1, "store_covariance": True}
    ours = LinearDiscriminantAnalysis(**kwargs).fit(X, y)
    ref = skda.LinearDiscriminantAnalysis(**kwargs).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    np.testing.assert_allclose(ours.covariance_, ref.covariance_, rtol=1e-10)
    assert ours.transform(X).shape == (X.shape[0], 1)
    assert ours.get_feature_names_out().tolist() == ["lineardiscriminantanalysis0"]


@pytest.mark.parametrize(
    "settings",
    [{"solver": "svd"}, {"solver": "svd", "reg_param": 0.2}, {"solver": "eigen"},
     {"solver": "eigen", "shrinkage": "auto"}, {"solver": "eigen", "shrinkage": 0.4}],
    ids=lambda s: "-".join(map(str, s.values())),
)  # fmt: skip
@pytest.mark.parametrize("n_classes", [2, 3])
def test_qda_same_as_sklearn(rng, settings, n_classes):
    X, y = _data(rng, n_classes=n_classes)
    X[y == 1] *= 2.0  # different class covariances
    ours = QuadraticDiscriminantAnalysis(store_covariance=True, **settings).fit(X, y)
    ref = skda.QuadraticDiscriminantAnalysis(store_covariance=True, **settings).fit(X, y)
    X_new, _ = _data(rng, n=100)
    np.testing.assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-8)
    np.testing.assert_allclose(
        ours.decision_function(X_new), ref.decision_function(X_new), rtol=1e-8, atol=1e-8
    )
    np.testing.assert_array_equal(ours.predict(X_new), ref.predict(X_new))
    for a, b in zip(ours.covariance_, ref.covariance_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_qda_priors(rng):
    X, y = _data(rng, n_classes=2)
    ours = QuadraticDiscriminantAnalysis(priors=[0.9, 0.1]).fit(X, y)
    ref = skda.QuadraticDiscriminantAnalysis(priors=[0.9, 0.1]).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize(("n", "p"), [(40, 5), (8, 20), (100, 1)])
def test_ledoit_wolf_same_as_sklearn(rng, n, p):
    X = rng.standard_normal((n, p)) @ rng.standard_normal((p, p)) + 3.0
    ours, gamma = ledoit_wolf(X)
    ref, ref_gamma = skcov.ledoit_wolf(X)
    assert gamma == pytest.approx(ref_gamma, rel=1e-10, abs=1e-14)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_shrinkage_one_gives_scaled_identity(rng):
    X = rng.standard_normal((30, 4)) * [1.0, 2.0, 3.0, 4.0]
    S = covariance(X, 1.0)
    np.testing.assert_allclose(S, np.eye(4) * np.var(X, axis=0).mean(), rtol=1e-12)


@pytest.mark.parametrize("solver", ["svd", "eigen"])
def test_first_direction_maximises_fisher_criterion(rng, solver):
    X, y = _data(rng, n=500, d=4, n_classes=3)
    lda = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    means = np.array([X[y == k].mean(axis=0) for k in range(3)])
    priors = np.bincount(y) / y.size
    within = sum(p * np.cov(X[y == k].T, bias=True) for k, p in enumerate(priors))
    centred = means - priors @ means
    between = (centred.T * priors) @ centred

    def fisher(v):
        return (v @ between @ v) / (v @ within @ v)

    best = fisher(lda.scalings_[:, 0])
    others = rng.standard_normal((500, 4))
    assert best >= max(fisher(u) for u in others)
    projected = lda.transform(X)  # the class means are separated along the projection
    projected_means = np.array([projected[y == k].mean(axis=0) for k in range(3)])
    spread = np.array([projected[y == k].std(axis=0) for k in range(3)]).max()
    assert np.ptp(projected_means[:, 0]) > 2 * spread


def test_svd_projection_whitens_the_within_class_covariance(rng):
    X, y = _data(rng, n=400, d=4, n_classes=5)
    Z = LinearDiscriminantAnalysis().fit(X, y).transform(X)
    within = sum(np.cov(Z[y == k].T, bias=True) * np.mean(y == k) for k in range(5))
    np.testing.assert_allclose(within, np.eye(Z.shape[1]), atol=1e-10)  # up to 4 directions


def test_collinear_features_warn_with_the_rank(rng):
    X, y = _data(rng, d=3)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.warns(NumericalWarning, match="rank 3 < 4"):
        LinearDiscriminantAnalysis().fit(X, y)


def test_bad_input(rng):
    X, y = _data(rng, n=60, d=3, n_classes=3)
    with pytest.raises(ParameterError, match="n_components=3 is more than"):
        LinearDiscriminantAnalysis(n_components=3).fit(X, y)
    with pytest.raises(ParameterError, match="shrinkage needs solver"):
        LinearDiscriminantAnalysis(shrinkage="auto").fit(X, y)
    with pytest.raises(ParameterError, match="does not compute the discriminant directions"):
        LinearDiscriminantAnalysis(solver="lsqr").fit(X, y).transform(X)
    with pytest.raises(ParameterError, match="'shrinkage' parameter"):
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage=1.5).fit(X, y)
    with pytest.raises(ParameterError, match="sum to 1"):
        LinearDiscriminantAnalysis(priors=[0.5, 0.5, 0.5]).fit(X, y)
    with pytest.raises(DataValidationError, match="more rows than classes"):
        LinearDiscriminantAnalysis().fit(X[:2], [0, 1])


def test_qda_bad_input(rng):
    X, y = _data(rng, n=60, d=3, n_classes=2)
    singular = np.column_stack([X, X[:, 0] - X[:, 2]])
    with pytest.raises(DataValidationError, match="covariance of class 0 is singular"):
        QuadraticDiscriminantAnalysis().fit(singular, y)
    QuadraticDiscriminantAnalysis(reg_param=0.1).fit(singular, y)  # regularised: fine
    with pytest.raises(DataValidationError, match="class 2 has 1 row"):
        QuadraticDiscriminantAnalysis().fit(X[:7], [0, 0, 0, 1, 1, 1, 2])
    with pytest.raises(ParameterError, match="reg_param applies to solver='svd'"):
        QuadraticDiscriminantAnalysis(solver="eigen", reg_param=0.1).fit(X, y)
    with pytest.raises(ParameterError, match="shrinkage needs solver='eigen'"):
        QuadraticDiscriminantAnalysis(shrinkage=0.1).fit(X, y)
