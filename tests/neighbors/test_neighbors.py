"""k-NN: neighbours and predictions against scikit-learn (indices identical, distances to
1e-10), brute force = KD-tree, the automatic choice, persistence of the tree, bad input."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import neighbors as skn

import lemma
from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.neighbors import KNeighborsClassifier, KNeighborsRegressor
from lemma.models.neighbors._search import brute_kneighbors, choose_algorithm

METRICS = [("minkowski", 2), ("minkowski", 1), ("minkowski", 3.5), ("chebyshev", 2)]


def _data(rng, n=400, d=4, n_classes=3):
    X = rng.standard_normal((n, d))
    y = (X[:, 0] + 0.5 * rng.standard_normal(n) > 0).astype(int) + (X[:, 1] > 0.8) * (n_classes - 2)
    return X, y


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
@pytest.mark.parametrize(("metric", "p"), METRICS)
def test_kneighbors_same_as_sklearn(rng, algorithm, metric, p):
    X, y = _data(rng)
    Q = rng.standard_normal((150, X.shape[1]))
    ours = KNeighborsClassifier(7, algorithm=algorithm, metric=metric, p=p).fit(X, y)
    ref = skn.KNeighborsClassifier(7, algorithm=algorithm, metric=metric, p=p).fit(X, y)
    dist, ind = ours.kneighbors(Q)
    ref_dist, ref_ind = ref.kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


def test_parallel_brute_force_same_as_sklearn(rng):
    X = rng.standard_normal((6000, 30))
    Q = rng.standard_normal((700, 30)) * 1.5 + 3.0  # far from the origin: cancellation
    dist, ind = brute_kneighbors(Q, X, 4, 2.0)
    ref_dist, ref_ind = skn.NearestNeighbors(n_neighbors=4, algorithm="brute").fit(X).kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=0, atol=1e-10)
    exact = np.linalg.norm(Q[:, None, :] - X[ind], axis=2)
    np.testing.assert_allclose(dist, exact, rtol=1e-14)


def test_training_rows_are_not_their_own_neighbours(rng):
    X, y = _data(rng, n=200)
    for algorithm in ("brute", "kd_tree"):
        dist, ind = KNeighborsClassifier(algorithm=algorithm).fit(X, y).kneighbors()
        ref_dist, ref_ind = skn.KNeighborsClassifier().fit(X, y).kneighbors()
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_allclose(dist, ref_dist, atol=1e-10)
        assert not np.any(ind == np.arange(200)[:, None])


@pytest.mark.parametrize("weights", ["uniform", "distance", lambda d: np.exp(-d)])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_classifier_same_as_sklearn(rng, weights, n_classes):
    X, y = _data(rng, n_classes=n_classes)
    labels = np.array(["a", "b", "c", "d"])[y]
    Q = rng.standard_normal((200, X.shape[1]))
    ours = KNeighborsClassifier(6, weights=weights).fit(X, labels)
    ref = skn.KNeighborsClassifier(6, weights=weights).fit(X, labels)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), atol=1e-12)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_regressor_same_as_sklearn(rng, weights, algorithm):
    X = rng.standard_normal((300, 3))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5], np.sin(X[:, 0])])
    Q = rng.standard_normal((100, 3))
    for target in (Y[:, 0], Y):
        ours = KNeighborsRegressor(4, weights=weights, algorithm=algorithm).fit(X, target)
        ref = skn.KNeighborsRegressor(4, weights=weights, algorithm=algorithm).fit(X, target)
        np.testing.assert_allclose(ours.predict(Q), ref.predict(Q), rtol=1e-12, atol=1e-12)


def test_distance_weights_at_a_training_point(rng):
    X, y = _data(rng, n=50)
    model = KNeighborsClassifier(5, weights="distance").fit(X, y)
    np.testing.assert_array_equal(model.predict(X), y)  # each row is its own nearest
    reg = KNeighborsRegressor(5, weights="distance").fit(X, X[:, 0])
    np.testing.assert_allclose(reg.predict(X), X[:, 0])


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    k=st.integers(1, 8),
    p=st.sampled_from([1.0, 2.0, 2.5, np.inf]),
    d=st.integers(1, 6),
)
def test_brute_force_equals_kd_tree(seed, k, p, d):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, d))
    Q = rng.standard_normal((20, d))
    metric = {"p": p} if np.isfinite(p) else {"metric": "chebyshev"}
    kwargs = {"n_neighbors": k, **metric}
    brute = KNeighborsRegressor(algorithm="brute", **kwargs).fit(X, X[:, 0])
    tree = KNeighborsRegressor(algorithm="kd_tree", **kwargs).fit(X, X[:, 0])
    d_b, i_b = brute.kneighbors(Q)
    d_t, i_t = tree.kneighbors(Q)
    np.testing.assert_allclose(d_b, d_t, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(i_b, i_t)
    assert np.all(np.diff(d_b, axis=1) >= 0)


def test_automatic_choice():
    assert choose_algorithm("auto", 100_000, 9, 5) == "kd_tree"
    assert choose_algorithm("auto", 100_000, 10, 5) == "brute"
    assert choose_algorithm("auto", 100, 2, 60) == "brute"  # k ≥ n / 2
    assert choose_algorithm("auto", 10**9, 16, 5) == "brute"
    assert choose_algorithm("brute", 100_000, 2, 5) == "brute"
    X = np.random.default_rng(0).standard_normal((2000, 3))
    assert KNeighborsRegressor().fit(X, X[:, 0])._fit_method == "kd_tree"


def test_kd_tree_is_rebuilt_after_copy_and_save(rng, tmp_path):
    X, y = _data(rng, n=300, d=2)
    model = KNeighborsClassifier(algorithm="kd_tree").fit(X, y)
    Q = rng.standard_normal((50, 2))
    expected = model.kneighbors(Q)
    for other in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert getattr(other, "_kd_tree", None) is None
        np.testing.assert_array_equal(other.kneighbors(Q)[1], expected[1])
    lemma.save(model, tmp_path / "knn.lemma")
    loaded = lemma.load(tmp_path / "knn.lemma")
    np.testing.assert_array_equal(loaded.predict(Q), model.predict(Q))


def test_bad_input(rng):
    X, y = _data(rng, n=10)
    with pytest.raises(DataValidationError, match="n_neighbors = 11, n_samples_fit = 10"):
        KNeighborsClassifier(11).fit(X, y).predict(X)
    with pytest.raises(DataValidationError, match="not its own neighbour"):
        KNeighborsClassifier(10).fit(X, y).kneighbors()
    with pytest.raises(ParameterError, match="'p' parameter"):
        KNeighborsClassifier(p=0.5).fit(X, y)
    with pytest.raises(ParameterError, match="'weights' parameter"):
        KNeighborsClassifier(weights="gaussian").fit(X, y)
    with pytest.raises(ParameterError, match="one weight per neighbour"):
        KNeighborsClassifier(weights=lambda d: d[:, 0]).fit(X, y).predict(X)
    with pytest.raises(ParameterError, match="positive int"):
        KNeighborsClassifier().fit(X, y).kneighbors(X, n_neighbors=0)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(DataValidationError, match="NaN"):
        KNeighborsRegressor().fit(X_nan, y)
    with pytest.raises(DataValidationError, match="4 features"):
        KNeighborsRegressor().fit(X, y).predict(X[:, :2])
