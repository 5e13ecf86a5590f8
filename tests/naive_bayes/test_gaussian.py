"""GaussianNB: against scikit-learn (probabilities to 1e-10), normalised log posteriors,
weights as repeated rows, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from sklearn import naive_bayes as sknb

from lemma.exceptions import DataValidationError, NotFittedError, ParameterError
from lemma.models.naive_bayes import GaussianNB
from lemma.models.naive_bayes.gaussian import class_moments


def _data(rng, n=400, d=5, n_classes=3):
    y = rng.integers(0, n_classes, n)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d) + y[:, None] * 0.8
    return X, y


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_as_sklearn(rng, n_classes, weighted):
    X, y = _data(rng, n_classes=n_classes)
    w = rng.uniform(0.1, 3.0, y.size) if weighted else None
    ours = GaussianNB().fit(X, y, sample_weight=w)
    ref = sknb.GaussianNB().fit(X, y, sample_weight=w)
    X_new = rng.standard_normal((200, X.shape[1])) * 2
    np.testing.assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-10)
    np.testing.assert_allclose(ours.theta_, ref.theta_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-11)
    np.testing.assert_allclose(ours.class_prior_, ref.class_prior_, rtol=1e-14)
    assert ours.epsilon_ == pytest.approx(ref.epsilon_, rel=1e-12)
    np.testing.assert_array_equal(ours.predict(X_new), ref.predict(X_new))
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(X_new), ref.predict_joint_log_proba(X_new), rtol=1e-11
    )


def test_priors_and_smoothing_as_sklearn(rng):
    X, y = _data(rng, n_classes=3)
    priors = [0.2, 0.5, 0.3]
    ours = GaussianNB(priors=priors, var_smoothing=1e-3).fit(X, y)
    ref = sknb.GaussianNB(priors=priors, var_smoothing=1e-3).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)


def test_float32_and_string_labels(rng):
    X, y = _data(rng, n_classes=2)
    labels = np.array(["no", "yes"])[y]
    ours = GaussianNB().fit(X.astype(np.float32), labels)
    ref = sknb.GaussianNB().fit(X.astype(np.float32).astype(np.float64), labels)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    assert set(ours.predict(X)) <= {"no", "yes"}


def test_large_data_uses_parallel_kernels_and_agrees(rng):
    X, y = _data(rng, n=30_000, d=40, n_classes=3)
    ours = GaussianNB().fit(X, y)
    ref = sknb.GaussianNB().fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_classes=st.integers(2, 5))
def test_log_posterior_is_normalised(seed, n_classes):
    rng = np.random.default_rng(seed)
    X, y = _data(rng, n=60, d=3, n_classes=n_classes)
    if np.unique(y).size < 2:
        return
    log_post = GaussianNB().fit(X, y).predict_log_proba(X * 5)
    np.testing.assert_allclose(logsumexp(log_post, axis=1), 0.0, atol=1e-12)


def test_integer_weights_equal_repeated_rows(rng):
    X, y = _data(rng, n=100)
    w = rng.integers(0, 4, y.size)
    w[:3] = 1
    weighted = GaussianNB().fit(X, y, sample_weight=w)
    repeated = GaussianNB(var_smoothing=0.0).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    weighted0 = GaussianNB(var_smoothing=0.0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(weighted0.theta_, repeated.theta_, rtol=1e-12)
    np.testing.assert_allclose(weighted0.var_, repeated.var_, rtol=1e-10)
    assert weighted.class_count_.sum() == w.sum()


def test_class_moments_against_numpy(rng):
    X = rng.standard_normal((50, 3)) + 10.0
    codes = rng.integers(0, 2, 50)
    w = rng.uniform(0, 1, 50)
    count, mean, var = class_moments(X, codes, w, 2)
    for k in range(2):
        m = codes == k
        np.testing.assert_allclose(mean[k], np.average(X[m], axis=0, weights=w[m]), rtol=1e-13)
        expected = np.average((X[m] - mean[k]) ** 2, axis=0, weights=w[m])
        np.testing.assert_allclose(var[k], expected, rtol=1e-12)
        assert count[k] == pytest.approx(w[m].sum())


def test_constant_column_without_smoothing_is_refused():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 4.0]])
    y = np.array([0, 0, 1, 1])
    with pytest.raises(DataValidationError, match="feature 0 has zero variance"):
        GaussianNB(var_smoothing=0.0).fit(X, y)
    GaussianNB().fit(X, y)  # smoothing rescues a constant column next to a varying one


def test_all_constant_columns_are_refused():
    X = np.ones((6, 2))
    with pytest.raises(DataValidationError, match="zero variance"):
        GaussianNB().fit(X, [0, 1, 0, 1, 0, 1])


@pytest.mark.parametrize(
    ("priors", "match"),
    [([0.5, 0.5, 0.0], "2 classes"), ([0.6, 0.6], "sum to 1"), ([1.5, -0.5], "non-negative")],
)
def test_bad_priors(priors, match):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    with pytest.raises(ParameterError, match=match):
        GaussianNB(priors=priors).fit(X, [0, 0, 1, 1])


def test_bad_input():
    X = np.array([[0.0], [np.nan], [2.0], [3.0]])
    with pytest.raises(DataValidationError, match="NaN"):
        GaussianNB().fit(X, [0, 0, 1, 1])
    with pytest.raises(NotFittedError):
        GaussianNB().predict(X)
    with pytest.raises(ParameterError, match="var_smoothing"):
        GaussianNB(var_smoothing=-1.0).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(DataValidationError, match="2 features"):
        GaussianNB().fit([[0.0, 1.0], [1.0, 0.0]], [0, 1]).predict([[0.0]])
