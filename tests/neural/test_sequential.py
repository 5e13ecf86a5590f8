"""Sequential networks: whole-network gradients, the output losses, the training loop.

The whole-network gradient of ``J_B`` (loss + penalty) is checked against central
differences (lemma.calculus, float64, relative error < 1e-6) for every layer and
activation, with and without weight decay and batch normalisation. The output-layer
gradient is checked against the closed form ``Xᵀ(P − Y)/n`` of multinomial logistic
regression; the loop's stopping, early-stopping restoration, callbacks, warnings and
divergence are checked on constructed cases.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy import special

from lemma.calculus import check_grad
from lemma.exceptions import (
    ConvergenceWarning,
    DataTypeError,
    DataValidationError,
    NotFittedError,
    ParameterError,
)
from lemma.models.neural import (
    GELU,
    BatchNormalization,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    train,
)
from lemma.optim import SGD, Adam, OptimizationError
from lemma.optim.schedules import ExponentialDecay

ACTIVATIONS = {
    "identity": Identity,
    "relu": ReLU,
    "leaky_relu": lambda: LeakyReLU(0.1),
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "gelu": GELU,
    "softmax": Softmax,
}


def _gradient_check(net, X, y, w=None, seed=0):
    """Relative error of the network's gradient against central differences.

    The check is made at a generic point: every parameter is moved from its start
    (zero intercepts put a ReLU network's rows with no active unit exactly on a kink).
    """

    def evaluate(theta):
        for layer in net.layers:  # the same dropout mask at every evaluation
            if isinstance(layer, Dropout):
                layer.random_state = np.random.RandomState(seed)
        net.set_parameters(theta)
        return net.loss_gradient(X, y, w)

    theta = net.get_parameters()
    theta += 0.1 * np.random.default_rng(seed).normal(size=theta.size)
    return check_grad(lambda t: evaluate(t)[0], lambda t: evaluate(t)[1], theta)


def _targets(rng, loss, n):
    kind = {
        "squared": lambda: rng.normal(size=n),
        "logistic": lambda: rng.integers(0, 2, n).astype(float),
        "softmax": lambda: rng.integers(0, 3, n),
        "poisson": lambda: rng.poisson(2.0, n).astype(float),
    }
    return kind[loss]()


@pytest.mark.parametrize("alpha", [0.0, 0.7])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_whole_network_gradient_for_every_activation(activation, alpha, rng, seed):
    make = ACTIVATIONS[activation]
    net = Sequential([Dense(5), make(), Dense(4), make(), Dense(1)], alpha=alpha,
                     dtype="float64", random_state=seed).build(3)  # fmt: skip
    X = rng.normal(size=(12, 3))
    y, w = rng.normal(size=12), rng.uniform(0.2, 2.0, 12)
    check = _gradient_check(net, X, y, w=w, seed=seed)
    assert check.rel_error < 1e-6, check


@pytest.mark.parametrize("alpha", [0.0, 0.7])
@pytest.mark.parametrize(
    "layers",
    [
        lambda: [Dense(6), BatchNormalization(), ReLU(), Dense(3)],
        lambda: [BatchNormalization(), Dense(6), Tanh(), BatchNormalization(), Dense(3)],
        lambda: [Dense(6), GELU(), Dropout(0.3), Dense(5), BatchNormalization(), Dense(3)],
    ],
    ids=["bn_after_dense", "bn_first_and_inside", "dropout_and_bn"],
)
def test_whole_network_gradient_with_batch_norm_and_dropout(layers, alpha, rng, seed):
    net = Sequential(layers(), loss="softmax", alpha=alpha, dtype="float64",
                     random_state=seed).build(4)  # fmt: skip
    X = rng.normal(size=(15, 4))
    check = _gradient_check(net, X, rng.integers(0, 3, 15), seed=seed)
    assert check.rel_error < 1e-6, check


@pytest.mark.parametrize("loss", ["squared", "logistic", "softmax", "poisson"])
def test_whole_network_gradient_for_each_output_loss(loss, rng, seed):
    outputs = 3 if loss == "softmax" else 1
    net = Sequential([Dense(6), Tanh(), Dense(outputs)], loss=loss, alpha=0.3,
                     dtype="float64", random_state=seed).build(2)  # fmt: skip
    X = rng.normal(size=(10, 2))
    y, w = _targets(rng, loss, 10), rng.uniform(0.5, 1.5, 10)
    check = _gradient_check(net, X, y, w=w, seed=seed)
    assert check.rel_error < 1e-6, check


def test_multi_output_regression_gradient_and_loss_sum_over_outputs(rng, seed):
    net = Sequential([Dense(4), Tanh(), Dense(2)], dtype="float64", random_state=seed).build(3)
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    assert _gradient_check(net, X, Y, seed=seed).rel_error < 1e-6
    value, _ = net.loss_gradient(X, Y)
    np.testing.assert_allclose(value, 0.5 * np.sum((net.forward(X) - Y) ** 2) / 9)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_predicting_in_place_gives_the_training_output_and_spares_the_input(activation, rng):
    make = ACTIVATIONS[activation]
    net = Sequential([make(), Dense(6), make(), Dense(5), make(), Dense(2)], dtype="float64",
                     random_state=0).build(3)  # fmt: skip
    X = rng.normal(size=(8, 3))
    before = X.copy()
    np.testing.assert_array_equal(net.forward(X), net.forward(X, training=True))
    np.testing.assert_array_equal(X, before)


def test_softmax_output_gradient_is_multinomial_logistic_regression(rng):
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 4, 20)
    net = Sequential([Dense(4)], loss="softmax", dtype="float64", random_state=0).build(3)
    value, grad = net.loss_gradient(X, y)
    W, b = net.parameters
    P = special.softmax(X @ W + b, axis=1)
    Y = np.eye(4)[y]
    np.testing.assert_allclose(value, -np.mean(np.log(P[np.arange(20), y])), rtol=1e-12)
    np.testing.assert_allclose(grad, np.r_[(X.T @ (P - Y)).ravel(), (P - Y).sum(0)] / 20,
                               rtol=1e-10, atol=1e-14)  # fmt: skip


def test_penalty_is_alpha_over_twice_the_batch_weight(rng):
    X, y, w = rng.normal(size=(8, 2)), rng.normal(size=8), rng.uniform(0.5, 3.0, 8)
    plain = Sequential([Dense(3), Tanh(), Dense(1)], dtype="float64", random_state=0).build(2)
    penalised = Sequential([Dense(3), Tanh(), Dense(1)], alpha=0.4, dtype="float64",
                           random_state=0).build(2)  # fmt: skip
    weights = [layer.coef for layer in penalised.layers if isinstance(layer, Dense)]
    expected = 0.4 / (2 * w.sum()) * sum(float(np.sum(W**2)) for W in weights)
    difference = penalised.loss_gradient(X, y, w)[0] - plain.loss_gradient(X, y, w)[0]
    np.testing.assert_allclose(difference, expected, rtol=1e-12)


def test_integer_weights_equal_repeated_rows(rng):
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 3, 10)
    counts = rng.integers(0, 4, 10)
    net = Sequential([Dense(5), ReLU(), Dense(3)], loss="softmax", alpha=0.2,
                     dtype="float64", random_state=0).build(3)  # fmt: skip
    weighted = net.loss_gradient(X, y, counts.astype(float))
    repeated = net.loss_gradient(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted[0], repeated[0], rtol=1e-12)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-10, atol=1e-15)


def test_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array(["same", "different", "different", "same"])
    net = Sequential([Dense(8), Tanh(), Dense(1)], loss="logistic",
                     optimizer=Adam(learning_rate=0.05), random_state=1)  # fmt: skip
    net.fit(X, y, epochs=400, batch_size=4, tol=None)
    assert net.predict(X).tolist() == y.tolist()
    assert net.predict_proba(X).shape == (4, 2)


def test_same_seed_same_network(rng):
    X, y = rng.normal(size=(150, 4)), rng.normal(size=150)

    def fitted():
        net = Sequential([Dense(8), Dropout(0.2), ReLU(), Dense(1)], random_state=3)
        return net.fit(X, y, epochs=5, batch_size=32, tol=None).get_parameters()

    np.testing.assert_array_equal(fitted(), fitted())


def test_each_fit_call_goes_on_from_the_current_weights(rng):
    X, y = rng.normal(size=(64, 2)), rng.normal(size=64)
    net = Sequential([Dense(1)], optimizer=SGD(0.05), dtype="float64", random_state=0)
    net.fit(X, y, epochs=2, batch_size=64, tol=None)
    after_two = net.get_parameters()
    net.fit(X, y, epochs=1, batch_size=64, tol=None)
    assert len(net.history_["train_loss"]) == 3
    assert not np.allclose(net.get_parameters(), after_two)


def test_stops_on_a_plateau_of_the_training_loss(rng):
    X = rng.normal(size=(100, 2))
    y = X @ np.array([1.0, -2.0])
    net = Sequential([Dense(1)], optimizer=Adam(0.05), dtype="float64", random_state=0)
    net.fit(X, y, epochs=2000, batch_size=20, tol=1e-3, n_iter_no_change=5)
    losses = np.array(net.history_["train_loss"])
    assert net.converged_ and net.n_epochs_ == losses.size < 2000
    for k in range(losses.size - 5, losses.size):  # five epochs without improving by tol
        assert losses[k] > losses[:k].min() - 1e-3


def test_early_stopping_restores_the_weights_of_the_best_validation_score(rng):
    X, y = rng.normal(size=(20, 5)), rng.normal(size=20)  # pure noise: it can only overfit
    X_val, y_val = rng.normal(size=(200, 5)), rng.normal(size=200)
    seen = []
    net = Sequential([Dense(64), ReLU(), Dense(1)], optimizer=Adam(0.01), random_state=0)
    net.fit(X, y, epochs=60, batch_size=20, validation_data=(X_val, y_val), tol=None,
            callbacks=[lambda network: seen.append(network.get_parameters())])  # fmt: skip
    scores = np.array(net.history_["validation_score"])
    best = int(np.argmax(scores))
    assert best < scores.size - 1  # the last epoch is not the best one
    np.testing.assert_array_equal(net.get_parameters(), seen[best])
    prediction = net.predict(X_val)
    r2 = 1 - np.sum((y_val - prediction) ** 2) / np.sum((y_val - y_val.mean()) ** 2)
    np.testing.assert_allclose(r2, scores[best], rtol=1e-5)


def test_early_stopping_stops_when_the_validation_score_stalls(rng):
    X, y = rng.normal(size=(60, 3)), rng.normal(size=60)
    X_val, y_val = rng.normal(size=(60, 3)), rng.normal(size=60)
    net = Sequential([Dense(32), ReLU(), Dense(1)], optimizer=Adam(0.01), random_state=0)
    net.fit(X, y, epochs=500, batch_size=20, validation_data=(X_val, y_val), n_iter_no_change=4)
    assert net.converged_ and net.n_epochs_ < 500
    assert "validation score" in net.stop_message_


def test_reduce_learning_rate_on_plateau_divides_by_five_down_to_1e6(rng):
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    net = Sequential([Dense(1)], optimizer=SGD(1e-3), random_state=0).build(2)
    rates = []
    train(net, X.astype(np.float32), y.astype(np.float32), epochs=100, batch_size=30,
          tol=100.0, n_iter_no_change=1, on_plateau="reduce_learning_rate",
          callbacks=[lambda network: rates.append(network.optimizer_.learning_rate)])  # fmt: skip
    assert net.converged_
    np.testing.assert_allclose(sorted(set(rates), reverse=True),
                               [1e-3 / 5**k for k in range(6)], rtol=1e-12)  # fmt: skip
    assert net.optimizer_.learning_rate == pytest.approx(1e-3 / 5**5)


def test_the_optimizer_and_its_schedule_are_used_as_given(rng):
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    rule = SGD(0.1, momentum=0.5, schedule=ExponentialDecay(rate=0.5))
    net = Sequential([Dense(1)], optimizer=rule, dtype="float64", random_state=0)
    net.fit(X, y, epochs=3, batch_size=10, tol=None)  # 4 updates per epoch
    assert net.optimizer_ is rule and rule.t == 12
    assert rule.current_learning_rate() == pytest.approx(0.1 * 0.5**12)


def test_a_callback_ends_training_with_stop_iteration(rng):
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)

    def stop_after_three(network):
        if network.n_epochs_ == 3:
            raise StopIteration

    net = Sequential([Dense(1)], random_state=0)
    net.fit(X, y, epochs=50, tol=None, callbacks=[stop_after_three])
    assert net.n_epochs_ == 3 and "callback" in net.stop_message_


def test_running_out_of_epochs_warns(rng):
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    with pytest.warns(ConvergenceWarning, match="maximum of 3 epochs"):
        Sequential([Dense(1)], random_state=0).fit(X, y, epochs=3)


def test_divergence_raises_optimization_error(rng):
    X, y = rng.normal(size=(50, 3)) * 100, rng.normal(size=50) * 100
    net = Sequential([Dense(16), ReLU(), Dense(1)], optimizer=SGD(10.0), random_state=0)
    with pytest.raises(OptimizationError, match=r"diverged\. Lower the learning rate"):
        net.fit(X, y, epochs=50, batch_size=10, tol=None)


def test_pickled_network_predicts_the_same_and_trains_on(rng):
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, 40)
    net = Sequential([Dense(6), BatchNormalization(), ReLU(), Dense(3)], loss="softmax",
                     random_state=0).fit(X, y, epochs=3, tol=None)  # fmt: skip
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))
    before = [p.copy() for p in copy.parameters]
    copy.fit(X, y, epochs=2, tol=None)
    assert all(not np.array_equal(a, b) for a, b in zip(before, copy.parameters, strict=True))
    assert all(p.base is copy._flat for p in copy.parameters)


def test_float32_by_default_and_float64_on_request(rng):
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    net32 = Sequential([Dense(3), ReLU(), Dense(1)], random_state=0).fit(X, y, epochs=2, tol=None)
    net64 = Sequential([Dense(3), ReLU(), Dense(1)], dtype="float64", random_state=0)
    net64.fit(X, y, epochs=2, tol=None)
    assert {p.dtype for p in net32.parameters} == {np.dtype(np.float32)}
    assert net32.predict(X).dtype == np.float32
    assert {p.dtype for p in net64.parameters} == {np.dtype(np.float64)}
    np.testing.assert_allclose(net32.predict(X), net64.predict(X), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------- bad input
def test_bad_networks_are_refused():
    with pytest.raises(DataTypeError, match="needs a list of layers"):
        Sequential(["Dense"])
    with pytest.raises(ParameterError, match="at least one layer"):
        Sequential([])
    with pytest.raises(ParameterError, match="'loss' parameter of Sequential"):
        Sequential([Dense(1)], loss="cross_entropy")
    with pytest.raises(ParameterError, match="'optimizer' parameter of Sequential"):
        Sequential([Dense(1)], optimizer="lbfgs")
    with pytest.raises(ParameterError, match="loss='softmax' needs one raw output per class"):
        Sequential([Dense(1)], loss="softmax").build(2)


def test_bad_data_gets_clear_errors(rng):
    X, y = rng.normal(size=(10, 2)), np.arange(10) % 3
    with pytest.raises(NotFittedError, match="not built yet"):
        Sequential([Dense(3)]).predict(X)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(DataValidationError, match="X has NaN in columns \\[1\\]"):
        Sequential([Dense(1)]).fit(bad, y)
    two_outputs = Sequential([Dense(2)], loss="softmax", random_state=0)
    with pytest.raises(DataValidationError, match="y has 3 classes but the network has 2"):
        two_outputs.fit(X, y)
    two_outputs.fit(X, y % 2, epochs=1, tol=None)  # the failed call left nothing behind
    assert two_outputs.classes_.tolist() == [0, 1]
    net = Sequential([Dense(3)], loss="softmax", random_state=0).fit(X, y, epochs=1, tol=None)
    with pytest.raises(DataValidationError, match="labels \\['7'\\] that Sequential did not"):
        net.fit(X, np.full(10, 7), epochs=1)
    with pytest.raises(DataValidationError, match="X has 3 features, but the network was"):
        net.fit(rng.normal(size=(10, 3)), y, epochs=1)
    with pytest.raises(DataValidationError, match="has 9 parameters"):
        net.set_parameters(np.zeros(4))
    with pytest.raises(ParameterError, match="predict_proba needs loss='logistic'"):
        Sequential([Dense(1)]).fit(X, y.astype(float), epochs=1, tol=None).predict_proba(X)
