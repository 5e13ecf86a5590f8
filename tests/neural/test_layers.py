"""Layers and activations one at a time: finite-difference gradients, reference values, init.

Each layer's backward step is checked against central differences of
``J = Σ R ⊙ layer.forward(x)`` (R a fixed random upstream gradient) with respect to
its input and to each parameter (lemma.calculus, float64, relative error < 1e-6).
Forward values are checked against SciPy (``expit``, ``ndtr``, ``softmax``) and
closed forms written here; the initialisers against their stated variances.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from lemma.calculus import check_grad
from lemma.exceptions import ParameterError
from lemma.models.neural import (
    GELU,
    BatchNormalization,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from lemma.models.neural.activations import ACTIVATIONS, make_activation
from lemma.models.neural.init import INITIALIZERS

N_IN = 5

LAYERS = {
    "dense": lambda: Dense(4),
    "dense_he": lambda: Dense(3, init="he_normal"),
    "dropout": lambda: Dropout(0.4),
    "batchnorm": lambda: BatchNormalization(),
    "identity": Identity,
    "relu": ReLU,
    "leaky_relu": lambda: LeakyReLU(0.2),
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "gelu": GELU,
    "softmax": Softmax,
}


def _built(name: str, seed: int):
    layer = LAYERS[name]()
    layer.build(N_IN, np.random.RandomState(seed), np.float64)
    if layer.params:  # move the parameters away from their special starting values
        rng = np.random.default_rng(seed + 1)
        for p in layer.params:
            p[...] = rng.normal(size=p.shape)
    return layer


def _objective(layer, upstream, seed):
    """``J(x) = Σ R ⊙ f(x)`` with dropout's mask redrawn identically on every call."""

    def value(x):
        if isinstance(layer, Dropout):
            layer.random_state = np.random.RandomState(seed)
        return float(np.sum(upstream * layer.forward(x, training=True)))

    return value


def _away_from_kinks(rng, shape):
    """Inputs with |x| ≥ 0.2, so that ReLU-type kinks are out of the finite differences' reach."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.2, np.sign(x) * 0.2 + x, x)


@pytest.mark.parametrize("name", list(LAYERS))
def test_input_gradient_matches_finite_differences(name, rng, seed):
    layer = _built(name, seed)
    x = _away_from_kinks(rng, (7, N_IN))
    upstream = rng.normal(size=layer.forward(x).shape)
    fun = _objective(layer, upstream, seed)

    def grad(z):
        fun(z)
        return layer.backward(upstream)

    check = check_grad(fun, grad, x)
    assert check.rel_error < 1e-6, check


@pytest.mark.parametrize("name", ["dense", "dense_he", "batchnorm"])
def test_parameter_gradients_match_finite_differences(name, rng, seed):
    layer = _built(name, seed)
    x = rng.normal(size=(9, N_IN))
    upstream = rng.normal(size=np.shape(layer.forward(x, training=True)))
    for k, param in enumerate(layer.params):

        def fun(theta, k=k):
            layer.params[k][...] = theta
            return float(np.sum(upstream * layer.forward(x, training=True)))

        def grad(theta, k=k):
            fun(theta)
            layer.backward(upstream)
            return layer.grads[k].copy()

        check = check_grad(fun, grad, param.copy())
        assert check.rel_error < 1e-6, (k, check)


def test_first_layer_skips_input_gradient_but_keeps_parameter_gradients(rng):
    layer = _built("dense", 0)
    layer.propagate = False
    x = rng.normal(size=(3, N_IN))
    z = layer.forward(x, training=True)
    assert layer.backward(np.ones_like(z)) is None
    np.testing.assert_allclose(layer.grads[0], x.T @ np.ones_like(z))


def test_activation_values_against_scipy_and_closed_forms(rng):
    z = rng.normal(scale=3.0, size=(6, 4))
    expected = {
        "identity": z,
        "relu": np.where(z > 0, z, 0.0),
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "tanh": np.tanh(z),
        "logistic": special.expit(z),
        "gelu": 0.5 * z * special.erfc(-z / np.sqrt(2.0)),  # exact form, z·Φ(z)
        "softmax": special.softmax(z, axis=1),
    }
    for name in ACTIVATIONS:
        np.testing.assert_allclose(make_activation(name).forward(z), expected[name], rtol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_write_into_out_when_asked(name, rng):
    z = rng.normal(size=(4, 3))
    expected = make_activation(name).forward(z)
    buffer = np.empty_like(z)
    assert make_activation(name).forward(z, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, expected)
    in_place = z.copy()
    make_activation(name).forward(in_place, out=in_place)
    np.testing.assert_array_equal(in_place, expected)


def test_gelu_is_the_exact_form_not_the_tanh_approximation():
    z = np.array([[1.5]])
    approx = 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    assert abs(GELU().forward(z) - approx)[0, 0] > 1e-5
    np.testing.assert_allclose(GELU().forward(z), z * special.ndtr(z), rtol=1e-15)


def test_dense_and_batchnorm_forward_against_formulas(rng):
    x = rng.normal(size=(8, N_IN))
    dense = _built("dense", 1)
    np.testing.assert_allclose(dense.forward(x), x @ dense.coef + dense.intercept)
    bn = _built("batchnorm", 2)
    gamma, beta = bn.params
    y = bn.forward(x, training=True)
    reference = gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + bn.epsilon) + beta
    np.testing.assert_allclose(y, reference, rtol=1e-12)
    # running moments after one step: m·start + (1 − m)·batch (unbiased variance)
    np.testing.assert_allclose(bn.buffers[0], 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.buffers[1], 0.9 + 0.1 * x.var(0, ddof=1))
    # prediction uses the running moments
    expected = gamma * (x - bn.buffers[0]) / np.sqrt(bn.buffers[1] + bn.epsilon) + beta
    np.testing.assert_allclose(bn.forward(x), expected, rtol=1e-12)


def test_dropout_keeps_the_expectation_and_is_identity_when_predicting(rng):
    layer = Dropout(0.3)
    layer.build(4, np.random.RandomState(0), np.float64)
    x = np.ones((20000, 4))
    y = layer.forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.7}
    assert abs(float(np.mean(y == 0)) - 0.3) < 0.01
    assert abs(float(y.mean()) - 1.0) < 0.02
    assert layer.forward(x) is x


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, (5, 3), elements=st.floats(-30, 30)), st.floats(-50, 50))
def test_softmax_rows_sum_to_one_and_ignore_a_common_shift(z, shift):
    s = Softmax().forward(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Softmax().forward(z + shift), s, rtol=1e-9, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, (6, 2), elements=st.floats(-1e3, 1e3)))
def test_batchnorm_standardises_each_column_of_a_batch(x):
    spread = x.std(axis=0)
    layer = BatchNormalization()
    layer.build(2, np.random.RandomState(0), np.float64)
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-8)
    expected = spread / np.sqrt(spread**2 + layer.epsilon)  # the standard deviation of x̂
    np.testing.assert_allclose(y.std(axis=0), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_initialisers_have_their_stated_variance(name):
    fan_in, fan_out = 300, 200
    W = INITIALIZERS[name](fan_in, fan_out, np.random.RandomState(0), np.float32)
    assert W.dtype == np.float32 and W.shape == (fan_in, fan_out)
    variance = 2.0 / (fan_in + fan_out) if name.startswith("glorot") else 2.0 / fan_in
    assert abs(float(W.var()) / variance - 1.0) < 0.02
    if name.endswith("uniform"):
        assert float(np.abs(W).max()) <= np.sqrt(3 * variance) + 1e-7


def test_initialisers_give_the_same_weights_in_both_precisions():
    w32 = INITIALIZERS["he_uniform"](4, 3, np.random.RandomState(5), np.float32)
    w64 = INITIALIZERS["he_uniform"](4, 3, np.random.RandomState(5), np.float64)
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Dense(0), "'units' parameter of Dense must be an int in \\[1, inf\\)"),
        (lambda: Dense(3, init="zeros"), "'init' parameter of Dense must be one of"),
        (lambda: Dropout(1.0), "'rate' parameter of Dropout must be a float in \\[0, 1\\)"),
        (lambda: LeakyReLU(-0.1), "'negative_slope' parameter of LeakyReLU"),
        (lambda: BatchNormalization(epsilon=0), "'epsilon' parameter of BatchNormalization"),
    ],
)
def test_bad_layer_parameters_are_refused(make, match):
    with pytest.raises(ParameterError, match=match):
        make()
