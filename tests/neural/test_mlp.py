"""MLPClassifier and MLPRegressor against scikit-learn, on learning tasks, and on bad input.

References: scikit-learn's ``MLPClassifier``/``MLPRegressor`` — the objective and its
gradient (``_backprop``, an independent implementation of back-propagation) at the same
weights, and test accuracy on its bundled digits data with the same architecture,
epochs and optimiser settings. Learning tasks with known answers: XOR, two
interleaved spirals, and a smooth 1-D function fitted to a stated error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from lemma.exceptions import (
    ConvergenceWarning,
    DataValidationError,
    NotFittedError,
    ParameterError,
)
from lemma.models.neural import Dense, MLPClassifier, MLPRegressor
from lemma.optim.schedules import InverseScaling


def _spirals(n, rng, noise=0.02):
    """Two interleaved spirals of n points each (Lang & Witbrock's benchmark)."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    arm = np.c_[t * np.cos(t), t * np.sin(t)] / (3 * np.pi) + noise * rng.normal(size=(n, 2))
    return np.r_[arm, -arm], np.r_[np.zeros(n, int), np.ones(n, int)]


def _sklearn_objective(sk, X, Y, w):
    """scikit-learn's loss and packed gradient at its current coefs_ and intercepts_."""
    n_layers = len(sk.coefs_) + 1
    activations = [X] + [None] * (n_layers - 1)
    deltas = [None] * (n_layers - 1)
    coef_grads = [np.empty_like(W) for W in sk.coefs_]
    intercept_grads = [np.empty_like(b) for b in sk.intercepts_]
    loss, coef_grads, intercept_grads = sk._backprop(
        X, Y, w, activations, deltas, coef_grads, intercept_grads
    )
    return loss, np.concatenate([g.ravel() for g in coef_grads + intercept_grads])


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_classes", [2, 3, 0], ids=["binary", "multiclass", "regression"])
def test_objective_and_gradient_equal_scikit_learns_backprop(activation, n_classes, rng, seed):
    X = rng.normal(size=(30, 4))
    w = rng.uniform(0.5, 2.0, 30)
    if n_classes:
        y = np.arange(30) % n_classes
        ours = MLPClassifier((5, 3), activation, alpha=0.3, dtype="float64", random_state=seed)
        sk = SkMLPClassifier(hidden_layer_sizes=(5, 3), activation=activation, alpha=0.3)
        target = y.astype(float) if n_classes == 2 else y
        Y = y[:, None].astype(float) if n_classes == 2 else np.eye(n_classes)[y]
        sk.out_activation_ = "logistic" if n_classes == 2 else "softmax"
    else:
        y = rng.normal(size=30)
        ours = MLPRegressor((5, 3), activation, alpha=0.3, dtype="float64", random_state=seed)
        sk = SkMLPRegressor(hidden_layer_sizes=(5, 3), activation=activation, alpha=0.3)
        target, Y = y, y[:, None]
        sk.out_activation_ = "identity"
    ours.partial_fit(X, y)
    net = ours.network_
    theta = rng.normal(scale=0.7, size=net.get_parameters().size)
    net.set_parameters(theta)
    sk.coefs_ = [W.copy() for W in ours.coefs_]
    sk.intercepts_ = [b.copy() for b in ours.intercepts_]
    sk.n_layers_ = 4
    value, grad = net.loss_gradient(X, target, w)
    sk_value, sk_grad = _sklearn_objective(sk, X, Y, w)
    np.testing.assert_allclose(value, sk_value, rtol=1e-8)  # scikit-learn's log(p) loses digits
    np.testing.assert_allclose(grad, sk_grad, rtol=1e-9, atol=1e-13)


def test_digits_accuracy_matches_scikit_learn_over_five_seeds(seed):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    epochs = 100
    settings = dict(hidden_layer_sizes=(64,), activation="relu", solver="adam",
                    learning_rate_init=1e-3, batch_size=200, alpha=1e-4, max_iter=epochs,
                    tol=0.0, n_iter_no_change=epochs)  # fmt: skip
    ours, theirs = [], []
    with warnings.catch_warnings():  # both run all `epochs` epochs, and both warn about it
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", category=Warning, module="sklearn")
        for run in range(5):
            state = 5 * seed + run
            model = MLPClassifier(dtype="float64", random_state=state, **settings)
            ours.append(model.fit(X_train, y_train).score(X_test, y_test))
            reference = SkMLPClassifier(random_state=state, **settings)
            theirs.append(reference.fit(X_train, y_train).score(X_test, y_test))
            assert model.n_iter_ == reference.n_iter_ == epochs
    assert np.mean(ours) >= np.mean(theirs) - 0.005, (ours, theirs)


def test_learns_xor(seed):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    model = MLPClassifier((8,), "tanh", learning_rate_init=0.05, max_iter=3000,
                          random_state=seed).fit(X, y)  # fmt: skip
    assert model.predict(X).tolist() == [0, 1, 1, 0]
    assert model.out_activation_ == "logistic" and model.coefs_[-1].shape == (8, 1)


def test_learns_two_spirals(rng, seed):
    X, y = _spirals(300, rng)
    X_test, y_test = _spirals(300, rng)
    model = MLPClassifier((64, 64), learning_rate_init=0.01, max_iter=1000, random_state=seed)
    model.fit(X, y)
    assert model.score(X, y) >= 0.98
    assert model.score(X_test, y_test) >= 0.95


def test_fits_a_smooth_function_to_a_stated_error(rng, seed):
    def f(x):
        return np.sin(2 * x) + 0.5 * x  # on [−3, 3]: range ≈ ±2.5, standard deviation ≈ 1.1

    x = rng.uniform(-3, 3, size=(1000, 1))
    settings = dict(learning_rate_init=0.003, batch_size=50, tol=1e-6, n_iter_no_change=20)
    model = MLPRegressor((32, 32), "tanh", max_iter=1000, random_state=seed, **settings)
    model.fit(x, f(x[:, 0]))
    grid = np.linspace(-3, 3, 1001).reshape(-1, 1)
    error = model.predict(grid) - f(grid[:, 0])
    assert np.sqrt(np.mean(error**2)) < 0.05  # root mean squared error on the interval
    assert np.max(np.abs(error)) < 0.2


def test_early_stopping_stops_and_restores_the_best_weights(rng, seed):
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] + 0.8 * rng.normal(size=300) > 0).astype(int)  # noisy: it overfits
    settings = dict(hidden_layer_sizes=(64,), learning_rate_init=0.01, early_stopping=True,
                    n_iter_no_change=5, random_state=seed)  # fmt: skip
    model = MLPClassifier(max_iter=500, **settings).fit(X, y)
    scores = model.validation_scores_
    best = int(np.argmax(scores))
    assert model.n_iter_ == len(scores) < 500 and model.best_loss_ is None
    assert model.best_validation_score_ == scores[best] and best < model.n_iter_ - 1
    # The same run cut at the best epoch ends with the weights of that epoch.
    with pytest.warns(ConvergenceWarning, match=f"maximum of {best + 1} epochs"):
        cut = MLPClassifier(max_iter=best + 1, **settings).fit(X, y)
    for ours, at_best in zip(model.coefs_ + model.intercepts_, cut.coefs_ + cut.intercepts_,
                             strict=True):  # fmt: skip
        np.testing.assert_array_equal(ours, at_best)


def test_partial_fit_is_one_epoch_of_fit(rng, seed):
    X, y = rng.normal(size=(120, 3)), np.arange(120) % 3
    stepwise = MLPClassifier((10,), random_state=seed)
    for _ in range(3):
        stepwise.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.warns(ConvergenceWarning, match="maximum of 3 epochs"):
        whole = MLPClassifier((10,), max_iter=3, random_state=seed).fit(X, y)
    assert stepwise.n_iter_ == 1 and stepwise.t_ == whole.t_ == 360
    assert len(stepwise.loss_curve_) == 3
    for a, b in zip(stepwise.coefs_, whole.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_takes_classes_from_the_first_call(rng):
    X = rng.normal(size=(20, 2))
    model = MLPClassifier((4,), random_state=0)
    model.partial_fit(X[:10], np.zeros(10, int), classes=[0, 1, 2])
    model.partial_fit(X[10:], np.r_[np.ones(5, int), np.full(5, 2)])
    assert model.classes_.tolist() == [0, 1, 2] and model.predict_proba(X).shape == (20, 3)
    with pytest.raises(DataValidationError, match=r"y has labels \['5'\] that MLPClassifier did"):
        model.partial_fit(X[:2], np.array([5, 0]))
    regressor = MLPRegressor((4,), random_state=0).partial_fit(X, X[:, 0])
    regressor.partial_fit(X, X[:, 1])
    assert regressor.t_ == 40 and len(regressor.loss_curve_) == 2


def test_warm_start_goes_on_from_the_previous_weights(rng):
    X, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    model = MLPRegressor((8,), max_iter=2, warm_start=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    first = [W.copy() for W in model.coefs_]
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert len(model.loss_curve_) == 4
    assert all(not np.array_equal(a, b) for a, b in zip(first, model.coefs_, strict=True))
    model.set_params(hidden_layer_sizes=(5, 2))  # a new architecture starts afresh
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert [W.shape for W in model.coefs_] == [(3, 5), (5, 2), (2, 1)]
    assert len(model.loss_curve_) == 2


def test_same_seed_same_model_and_float32_by_default(rng):
    X, y = rng.normal(size=(200, 4)), rng.integers(0, 2, 200)
    first = MLPClassifier((16,), max_iter=30, tol=0.01, random_state=7).fit(X, y)
    second = MLPClassifier((16,), max_iter=30, tol=0.01, random_state=7).fit(X, y)
    for a, b in zip(first.coefs_, second.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.coefs_[0].dtype == np.float32
    assert first.predict_proba(X).dtype == np.float64  # the precision of X
    assert first.predict_proba(X.astype(np.float32)).dtype == np.float32
    double = MLPClassifier((16,), max_iter=30, tol=0.01, dtype="float64", random_state=7)
    assert double.fit(X, y).coefs_[0].dtype == np.float64


def test_fitted_attributes_follow_scikit_learn(rng):
    X, y = rng.normal(size=(150, 4)), np.arange(150) % 3
    model = MLPClassifier((6, 5), max_iter=50, tol=0.1, random_state=0).fit(X, y)
    assert [W.shape for W in model.coefs_] == [(4, 6), (6, 5), (5, 3)]
    assert [b.shape for b in model.intercepts_] == [(6,), (5,), (3,)]
    assert model.n_layers_ == 4 and model.n_outputs_ == 3 and model.out_activation_ == "softmax"
    assert model.loss_ == model.loss_curve_[-1] and model.best_loss_ == min(model.loss_curve_)
    assert model.validation_scores_ is None and model.best_validation_score_ is None
    np.testing.assert_array_equal(model.history_["train_loss"], model.loss_curve_)
    assert model.t_ == 150 * model.n_iter_
    assert isinstance(model.network_.layers[0], Dense)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba))


def test_multi_output_regression(rng):
    X = rng.normal(size=(300, 3))
    Y = np.c_[X[:, 0] - X[:, 1], X[:, 2] ** 2]
    model = MLPRegressor((32,), learning_rate_init=0.01, max_iter=400, random_state=0).fit(X, Y)
    assert model.predict(X).shape == (300, 2) and model.n_outputs_ == 2
    assert model.score(X, Y) > 0.9


def test_solvers_and_learning_rate_schedules(rng):
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    for solver in ("sgd", "rmsprop"):
        model = MLPClassifier((16,), solver=solver, learning_rate_init=0.05, tol=1e-3,
                              random_state=0).fit(X, y)  # fmt: skip
        assert model.score(X, y) > 0.9, solver
    invscaling = MLPClassifier((4,), solver="sgd", learning_rate="invscaling", max_iter=1,
                               tol=1.0, random_state=0)  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        invscaling.fit(X, y)
    assert isinstance(invscaling.network_.optimizer_.schedule, InverseScaling)
    adaptive = MLPClassifier((4,), solver="sgd", learning_rate="adaptive", tol=10.0,
                             n_iter_no_change=1, random_state=0).fit(X, y)  # fmt: skip
    assert adaptive.network_.optimizer_.learning_rate <= 1e-6 < adaptive.learning_rate_init


def test_weights_equal_repeated_rows_in_float64(rng):
    X, y = rng.normal(size=(15, 3)), rng.normal(size=15)
    counts = rng.integers(0, 4, 15)
    settings = dict(hidden_layer_sizes=(8,), dtype="float64", batch_size=100, shuffle=False,
                    max_iter=50, tol=0.0, n_iter_no_change=50, random_state=0)  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        weighted = MLPRegressor(**settings).fit(X, y, sample_weight=counts)
    with pytest.warns(ConvergenceWarning):
        repeated = MLPRegressor(**settings).fit(np.repeat(X, counts, 0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-9)


def test_running_out_of_epochs_warns(rng):
    X, y = rng.normal(size=(50, 2)), rng.integers(0, 2, 50)
    with pytest.warns(ConvergenceWarning, match="MLPClassifier: training stopped at the max"):
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)


# ------------------------------------------------------------------------------- bad input
def test_nan_in_X_is_refused_with_the_column(rng):
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    X[4, 2] = np.nan
    with pytest.raises(DataValidationError, match=r"X has NaN in columns \[2\] \(1 row\)"):
        MLPClassifier().fit(X, y)
    model = MLPRegressor((3,), tol=10.0, n_iter_no_change=1).fit(np.nan_to_num(X), y * 1.0)
    with pytest.raises(DataValidationError, match="X has NaN"):
        model.predict(X)


@pytest.mark.parametrize("sizes", [(10, 0), 0, (5, -1), "64"])
def test_hidden_layer_sizes_must_be_positive(sizes, rng):
    X, y = rng.normal(size=(10, 2)), np.arange(10) % 2
    with pytest.raises(ParameterError, match="'hidden_layer_sizes' parameter of MLPClassifier"):
        MLPClassifier(hidden_layer_sizes=sizes).fit(X, y)


def test_other_bad_input_gets_clear_errors(rng):
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    with pytest.raises(NotFittedError, match="not fitted yet"):
        MLPClassifier().predict(X)
    with pytest.raises(ParameterError, match="partial_fit trains one epoch"):
        MLPClassifier(early_stopping=True).partial_fit(X, y)
    with pytest.raises(DataValidationError, match="needs at least 2 classes"):
        MLPClassifier().fit(X, np.zeros(20))
    with pytest.raises(DataValidationError, match="validation set would have 1 of the 5 rows"):
        MLPClassifier(early_stopping=True, validation_fraction=0.01).fit(X[:5], y[:5])
    model = MLPClassifier((3,), tol=10.0, n_iter_no_change=1, random_state=0).fit(X, y)
    with pytest.raises(DataValidationError, match="X has 2 features, but MLPClassifier"):
        model.predict(X[:, :2])
    with pytest.raises(ParameterError, match="'solver' parameter of MLPClassifier"):
        MLPClassifier(solver="lbfgs").fit(X, y)
