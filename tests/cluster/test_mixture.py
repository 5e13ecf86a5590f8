"""GaussianMixture: EM against scikit-learn from the same start, monotone likelihood, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from sklearn import mixture as skm
from sklearn.datasets import make_blobs

from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError
from lemma.models.cluster import GaussianMixture

X_BLOBS, Y_BLOBS = make_blobs(n_samples=1500, n_features=3, centers=3,
                              cluster_std=[1.0, 2.0, 0.5], random_state=2)  # fmt: skip
MEANS = X_BLOBS[[10, 500, 1000]].copy()
WEIGHTS = np.array([0.3, 0.3, 0.4])
PRECISIONS = {
    "full": np.stack([np.eye(3), 0.5 * np.eye(3) + 0.1, 2.0 * np.eye(3)]),
    "tied": 0.5 * np.eye(3) + 0.1,
    "diag": np.array([[1.0, 0.5, 2.0], [0.3, 0.3, 0.3], [2.0, 1.0, 1.0]]),
    "spherical": np.array([1.0, 0.5, 2.0]),
}
COVARIANCE_TYPES = list(PRECISIONS)


def _start(kind: str, **extra) -> dict:
    return dict(n_components=3, covariance_type=kind, weights_init=WEIGHTS, means_init=MEANS,
                precisions_init=PRECISIONS[kind], tol=1e-7, max_iter=1000, **extra)  # fmt: skip


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_same_as_sklearn_from_same_parameters(kind):
    ours = GaussianMixture(**_start(kind)).fit(X_BLOBS)
    ref = skm.GaussianMixture(**_start(kind)).fit(X_BLOBS)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.score_samples(X_BLOBS), ref.score_samples(X_BLOBS),
                               rtol=0, atol=1e-8)  # fmt: skip
    assert ours.lower_bound_ == pytest.approx(ref.lower_bound_, abs=1e-10)
    np.testing.assert_allclose(ours.history_[:-1], ref.lower_bounds_, atol=1e-10)
    np.testing.assert_allclose(ours.means_, ref.means_, atol=1e-8)
    np.testing.assert_allclose(ours.weights_, ref.weights_, atol=1e-10)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, atol=1e-8)
    np.testing.assert_allclose(ours.precisions_, ref.precisions_, rtol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X_BLOBS), ref.predict_proba(X_BLOBS),
                               atol=1e-8)  # fmt: skip
    np.testing.assert_array_equal(ours.labels_, ref.predict(X_BLOBS))
    assert ours.bic(X_BLOBS) == pytest.approx(ref.bic(X_BLOBS), rel=1e-10)
    assert ours.aic(X_BLOBS) == pytest.approx(ref.aic(X_BLOBS), rel=1e-10)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_same_as_sklearn_with_means_only_and_random_start(kind):
    """Only means_init given: weights and covariances come from the same random start."""
    params = dict(n_components=3, covariance_type=kind, means_init=MEANS,
                  init_params="random_from_data", random_state=4)  # fmt: skip
    ours = GaussianMixture(**params).fit(X_BLOBS)
    ref = skm.GaussianMixture(**params).fit(X_BLOBS)
    np.testing.assert_allclose(ours.score_samples(X_BLOBS), ref.score_samples(X_BLOBS),
                               atol=1e-8)  # fmt: skip


@pytest.mark.filterwarnings("ignore::lemma.exceptions.ConvergenceWarning")
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), kind=st.sampled_from(COVARIANCE_TYPES),
       k=st.integers(1, 4))  # fmt: skip
def test_em_never_decreases_the_likelihood(seed, kind, k):
    """With reg_covar = 0 every EM step is an exact maximisation (Dempster et al. 1977)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((200, 2)) * rng.uniform(0.5, 2.0, 2)
    X[:100] += rng.uniform(2, 6, 2)
    model = GaussianMixture(k, covariance_type=kind, reg_covar=0.0, tol=1e-10,
                            max_iter=60, init_params="random", random_state=seed)  # fmt: skip
    try:
        model.fit(X)
    except DataValidationError:
        # A component collapsed onto one row: with reg_covar = 0 the likelihood is
        # unbounded there and the property is vacuous (the error is tested elsewhere).
        reject()
    history = model.history_
    assert len(history) == model.n_iter_ + 1
    assert np.all(np.diff(history) >= -1e-10 * np.abs(history[:-1]).max())
    assert history[-1] == pytest.approx(model.score(X), rel=1e-12)


def test_sampling_reproduces_the_mixture(seed):
    model = GaussianMixture(**_start("full", random_state=seed)).fit(X_BLOBS)
    X, y = model.sample(60_000)
    again, _ = model.sample(60_000)
    np.testing.assert_array_equal(X, again)
    counts = np.bincount(y, minlength=3) / 60_000
    np.testing.assert_allclose(counts, model.weights_, atol=4 * np.sqrt(0.25 / 60_000))
    for k in range(3):
        rows = X[y == k]
        standard_error = np.sqrt(np.diag(model.covariances_[k]) / rows.shape[0])
        assert np.all(np.abs(rows.mean(axis=0) - model.means_[k]) < 5 * standard_error)
        np.testing.assert_allclose(np.cov(rows.T), model.covariances_[k], atol=0.1)


@pytest.mark.parametrize("kind", ["diag", "spherical", "tied"])
def test_sampling_other_covariances(kind):
    model = GaussianMixture(**_start(kind, random_state=0)).fit(X_BLOBS)
    X, y = model.sample(40_000)
    for k in range(3):
        covariance = model.covariances_ if kind == "tied" else model.covariances_[k]
        expected = np.diag(covariance) if kind == "tied" else covariance
        got = X[y == k].var(axis=0)
        np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=0.1)


def test_bic_prefers_the_planted_number_of_components(seed):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, 1.0, (150, 2)) for c in (0.0, 8.0, 16.0)])
    bics = [GaussianMixture(k, random_state=seed).fit(X).bic(X) for k in range(1, 6)]
    assert int(np.argmin(bics)) + 1 == 3


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_parameter_count_as_sklearn(kind):
    ours = GaussianMixture(**_start(kind)).fit(X_BLOBS)
    ref = skm.GaussianMixture(**_start(kind)).fit(X_BLOBS)
    assert ours._n_parameters() == ref._n_parameters()


def test_float32_kept():
    X32 = X_BLOBS.astype(np.float32)
    ours = GaussianMixture(3, random_state=0).fit(X32)
    ref = skm.GaussianMixture(3, random_state=0).fit(X32)
    assert ours.means_.dtype == ref.means_.dtype == np.float32
    assert ours.score(X32) == pytest.approx(ref.score(X32), rel=1e-3)


def test_warm_start_continues():
    params = dict(n_components=3, random_state=0, max_iter=2, warm_start=True)
    model = GaussianMixture(**params)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=2"):
        model.fit(X_BLOBS)
    first = model.history_[-1]
    model.set_params(max_iter=100).fit(X_BLOBS)
    assert model.converged_
    assert model.history_[0] == pytest.approx(first, rel=1e-12)


@pytest.mark.parametrize(
    ("X", "params", "error", "match"),
    [
        (np.eye(3), {"n_components": 5}, DataValidationError,
         "n_samples=3 should be >= n_components=5"),
        (np.ones((1, 4)), {}, DataValidationError, "1 sample"),
        (X_BLOBS, {"n_components": 3, "weights_init": [0.5, 0.6, 0.1]}, DataValidationError,
         "weights_init must be k=3 probabilities that sum to 1"),
        (X_BLOBS, {"n_components": 3, "means_init": np.zeros((2, 3))}, DataValidationError,
         r"means_init has shape \(2, 3\)"),
        (X_BLOBS, {"n_components": 3, "covariance_type": "diag",
                   "precisions_init": -np.ones((3, 3))}, DataValidationError, "positive"),
        (X_BLOBS, {"covariance_type": "block"}, ParameterError, "'covariance_type' parameter"),
        (np.repeat(np.eye(3), 4, axis=0), {"n_components": 3, "reg_covar": 0.0},
         DataValidationError, "ill-defined empirical covariance"),
    ],
)  # fmt: skip
def test_bad_input(X, params, error, match):
    with pytest.raises(error, match=match):
        GaussianMixture(**params).fit(X)
