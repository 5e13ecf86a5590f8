"""Pointwise losses (lemma.losses): derivatives, reference values, stability, dtypes, errors.

References: SciPy special functions (``log_expit``, ``expit``, ``logsumexp``,
``softmax``, ``huber``, ``xlogy``), ``scipy.stats.poisson.logpmf`` for the Poisson
deviance, scikit-learn's ``sklearn._loss`` losses and ``sklearn.metrics.hinge_loss``,
and closed forms written here; finite differences from ``lemma.calculus`` (itself
tested against SciPy's Rosenbrock derivatives).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from scipy.optimize import minimize, minimize_scalar

from lemma.calculus import check_grad, check_hessian
from lemma.exceptions import DataValidationError, ParameterError
from lemma.losses import (
    LOSSES,
    HingeLoss,
    HuberLoss,
    LogisticLoss,
    Loss,
    PoissonLoss,
    SoftmaxCrossEntropy,
    SquaredHingeLoss,
    SquaredLoss,
    get_loss,
)

K = 4
LOSS_NAMES = list(LOSSES)
SMOOTH_NAMES = [name for name in LOSS_NAMES if name != "hinge"]


def make_loss(name: str) -> Loss:
    kwargs = {"softmax": {"n_classes": K}, "huber": {"delta": 1.0}}.get(name, {})
    return get_loss(name, **kwargs)


def make_case(name: str, rng: np.random.Generator, n: int = 15):
    """A loss, targets and raw predictions away from its kinks (hinge, Huber)."""
    loss = make_loss(name)
    if name == "softmax":
        return loss, rng.integers(0, K, n), rng.normal(0, 2, (n, K))
    if name == "poisson":
        return loss, rng.poisson(2.0, n).astype(float), rng.normal(0.5, 1, n)
    if name in ("squared", "huber"):
        y, raw = rng.normal(0, 2, n), rng.normal(0, 1, n)
        e = y - raw
        y += np.where(np.abs(np.abs(e) - 1.0) < 0.05, 0.2 * np.sign(e), 0.0)
        return loss, y, raw
    y = rng.integers(0, 2, n).astype(float)
    raw = rng.normal(0, 2, n)
    if name in ("hinge", "squared_hinge"):
        s = 2 * y - 1
        raw += np.where(np.abs(1 - s * raw) < 0.05, 0.2 * s, 0.0)
    return loss, y, raw


def hessian_matrix(loss: Loss, y, raw, w) -> np.ndarray:
    """The full Hessian of ``value`` in raw space, column by column from ``hessp``."""
    flat = raw.ravel()
    columns = []
    for j in range(flat.size):
        unit = np.zeros(flat.size)
        unit[j] = 1.0
        columns.append(loss.hessp(y, raw, unit.reshape(raw.shape), w).ravel())
    return np.column_stack(columns)


# ----------------------------------------------------------------- derivatives
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_matches_finite_differences(name, weighted, rng):
    loss, y, raw = make_case(name, rng)
    w = rng.uniform(0.1, 3.0, len(y)) if weighted else None
    result = check_grad(lambda r: loss.value(y, r, w), lambda r: loss.gradient(y, r, w), raw)
    assert result.passed(1e-6), result


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", SMOOTH_NAMES)
def test_hessp_matches_finite_differences(name, weighted, rng):
    loss, y, raw = make_case(name, rng)
    w = rng.uniform(0.1, 3.0, len(y)) if weighted else None
    result = check_hessian(
        lambda r: loss.gradient(y, r, w), lambda r: hessian_matrix(loss, y, r, w), raw
    )
    assert result.passed(1e-6), result


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", [n for n in SMOOTH_NAMES if n != "softmax"])
def test_diagonal_hessian_matches_finite_differences_and_hessp(name, weighted, rng):
    loss, y, raw = make_case(name, rng)
    w = rng.uniform(0.1, 3.0, len(y)) if weighted else None
    result = check_hessian(
        lambda r: loss.gradient(y, r, w), lambda r: np.diag(loss.hessian(y, r, w)), raw
    )
    assert result.passed(1e-6), result
    v = rng.normal(size=raw.shape)
    np.testing.assert_allclose(loss.hessp(y, raw, v, w), loss.hessian(y, raw, w) * v)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_fused_loss_gradient_equals_separate_calls(name, rng):
    loss, y, raw = make_case(name, rng)
    w = rng.uniform(0.1, 3.0, len(y))
    value, grad = loss.loss_gradient(y, raw, w)
    assert value == pytest.approx(loss.value(y, raw, w), rel=1e-14)
    np.testing.assert_allclose(grad, loss.gradient(y, raw, w), rtol=1e-14, atol=1e-300)
    pointwise, grad_pointwise = loss.loss_gradient_pointwise(y, raw)
    np.testing.assert_allclose(pointwise, loss.pointwise(y, raw), rtol=1e-14)
    np.testing.assert_allclose(grad_pointwise, loss.gradient_pointwise(y, raw), rtol=1e-14)


@pytest.mark.parametrize("n", [1, 511, 512, 513, 5000])
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_mean_summed_in_the_fused_pass(n, weighted, rng):
    """LogisticLoss sums its weighted mean inside the Numba pass (no n-vector of losses):
    it equals the pairwise-summed mean of the pointwise losses across block edges."""
    y = (rng.random(n) < 0.3).astype(float)
    raw = rng.normal(scale=8.0, size=n)
    w = rng.uniform(0.0, 3.0, n) if weighted else None
    value, grad = LogisticLoss().loss_gradient(y, raw, w)
    weights = np.ones(n) if w is None else w
    expected = np.sum(weights * LogisticLoss().pointwise(y, raw)) / np.sum(weights)
    assert value == pytest.approx(expected, rel=1e-13)
    expected_grad = weights * LogisticLoss().gradient_pointwise(y, raw) / np.sum(weights)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-13, atol=1e-300)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(SMOOTH_NAMES),
    seed=st.integers(0, 2**32 - 1),
    spread=st.floats(0.1, 20.0),
    weighted=st.booleans(),
)
def test_derivatives_at_random_points(name, seed, spread, weighted):
    rng = np.random.default_rng(seed)
    loss, y, raw = make_case(name, rng, n=8)
    if name != "poisson":  # keep e^raw moderate for Poisson
        raw = raw * spread
        if name in ("huber", "squared_hinge"):  # re-draw the targets away from the kinks
            loss, y, raw = make_case(name, np.random.default_rng(seed), n=8)
    w = rng.uniform(0.01, 10.0, len(y)) if weighted else None
    assert check_grad(lambda r: loss.value(y, r, w), lambda r: loss.gradient(y, r, w), raw).passed()
    # Where σ(r)·σ(−r) < ~1e-12 the Hessian is below the rounding error of a
    # difference of gradients (≈ ε·|ℓ'| / h): compare only where it is measurable.
    raw = np.clip(raw, -25, 25)
    hess = check_hessian(
        lambda r: loss.gradient(y, r, w), lambda r: hessian_matrix(loss, y, r, w), raw
    )
    assert hess.passed(1e-6), hess


def test_sample_weights_equal_repeated_rows(rng):
    for name in LOSS_NAMES:
        loss, y, raw = make_case(name, rng, n=10)
        counts = rng.integers(1, 4, len(y))
        repeated = np.repeat(np.arange(len(y)), counts)
        assert loss.value(y, raw, counts.astype(float)) == pytest.approx(
            loss.value(y[repeated], raw[repeated]), rel=1e-12
        )
        grad_w = loss.gradient(y, raw, counts.astype(float))
        grad_rep = loss.gradient(y[repeated], raw[repeated])
        summed = np.zeros_like(grad_w)
        np.add.at(summed, repeated, grad_rep)
        np.testing.assert_allclose(grad_w, summed, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------ reference values
def test_logistic_matches_scipy(rng):
    y = rng.integers(0, 2, 50).astype(float)
    raw = rng.normal(0, 5, 50)
    loss = LogisticLoss()
    expected = -(y * special.log_expit(raw) + (1 - y) * special.log_expit(-raw))
    np.testing.assert_allclose(loss.pointwise(y, raw), expected, rtol=1e-13)
    # σ(r) − y, written without the cancellation of 1 − σ(r) when y = 1.
    expected_grad = np.where(y == 1, -special.expit(-raw), special.expit(raw))
    np.testing.assert_allclose(loss.gradient_pointwise(y, raw), expected_grad, rtol=1e-14)
    np.testing.assert_allclose(loss.gradient_pointwise(y, raw), special.expit(raw) - y, atol=1e-15)
    np.testing.assert_allclose(
        loss.hessian_pointwise(y, raw), special.expit(raw) * special.expit(-raw), rtol=1e-12
    )
    np.testing.assert_allclose(loss.inverse_link(raw), special.expit(raw), rtol=1e-15)


def test_softmax_matches_scipy(rng):
    raw = rng.normal(0, 3, (40, K))
    y = rng.integers(0, K, 40)
    loss = SoftmaxCrossEntropy(K)
    rows = np.arange(40)
    expected = special.logsumexp(raw, axis=1) - raw[rows, y]
    # The reference subtracts two O(|raw|) numbers: it is exact to ~ε·|raw| only.
    np.testing.assert_allclose(loss.pointwise(y, raw), expected, rtol=1e-13, atol=1e-14)
    p = special.softmax(raw, axis=1)
    np.testing.assert_allclose(loss.inverse_link(raw), p, rtol=1e-13)
    onehot = np.eye(K)[y]
    np.testing.assert_allclose(loss.gradient_pointwise(y, raw), p - onehot, rtol=1e-12, atol=1e-15)
    v = rng.normal(size=raw.shape)
    full = np.einsum("ik,kl->ikl", p, np.eye(K)) - np.einsum("ik,il->ikl", p, p)
    np.testing.assert_allclose(
        loss.hessp_pointwise(y, raw, v), np.einsum("ikl,il->ik", full, v), atol=1e-14
    )


def test_poisson_is_the_half_deviance_of_scipy_poisson(rng):
    y = rng.poisson(3.0, 60).astype(float)
    raw = rng.normal(1.0, 0.8, 60)
    mu = np.exp(raw)
    # ℓ = log P(y; μ=y) − log P(y; μ): the saturated log-likelihood minus the model's.
    saturated = np.where(y > 0, stats.poisson.logpmf(y, np.maximum(y, 1e-300)), 0.0)
    expected = saturated - stats.poisson.logpmf(y, mu)
    loss = PoissonLoss()
    np.testing.assert_allclose(loss.pointwise(y, raw), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.gradient_pointwise(y, raw), mu - y, rtol=1e-13)
    np.testing.assert_allclose(loss.hessian_pointwise(y, raw), mu, rtol=1e-15)
    np.testing.assert_allclose(
        loss.pointwise(y, raw), mu - y * raw + special.xlogy(y, y) - y, rtol=1e-13
    )


def test_squared_huber_hinge_match_closed_forms(rng):
    y = rng.normal(0, 3, 50)
    raw = rng.normal(0, 1, 50)
    np.testing.assert_allclose(SquaredLoss().pointwise(y, raw), 0.5 * (y - raw) ** 2, rtol=1e-15)
    for delta in (0.5, 1.35, 10.0):
        np.testing.assert_allclose(
            HuberLoss(delta).pointwise(y, raw), special.huber(delta, y - raw), rtol=1e-14
        )
    labels = rng.integers(0, 2, 50).astype(float)
    from sklearn.metrics import hinge_loss

    scores = rng.normal(0, 2, 50)
    assert HingeLoss().value(labels, scores) == pytest.approx(
        hinge_loss(2 * labels - 1, scores), rel=1e-14
    )
    expected = np.maximum(0, 1 - (2 * labels - 1) * scores) ** 2
    np.testing.assert_allclose(SquaredHingeLoss().pointwise(labels, scores), expected, rtol=1e-15)


@pytest.mark.parametrize(
    "name, sk_name",
    [
        ("squared", "HalfSquaredError"),
        ("logistic", "HalfBinomialLoss"),
        ("poisson", "HalfPoissonLoss"),
        ("softmax", "HalfMultinomialLoss"),
    ],
)
def test_losses_match_scikit_learn(name, sk_name, rng):
    import sklearn._loss.loss as sk_loss

    loss, y, raw = make_case(name, rng, n=30)
    kwargs = {"n_classes": K} if name == "softmax" else {}
    reference = getattr(sk_loss, sk_name)(**kwargs)
    y64, raw64 = np.ascontiguousarray(y, dtype=float), np.ascontiguousarray(raw)
    expected = reference.loss(y64, raw64)
    # sklearn's HalfPoissonLoss drops the constant y·log y − y; add it back.
    expected = expected + reference.constant_to_optimal_zero(y64) * (name == "poisson")
    np.testing.assert_allclose(loss.pointwise(y, raw), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        loss.gradient_pointwise(y, raw), reference.gradient(y64, raw64), rtol=1e-10, atol=1e-14
    )


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_init_raw_minimises_value_over_constants(name, rng):
    loss, y, _ = make_case(name, rng, n=40)
    w = rng.uniform(0.2, 2.0, len(y))
    c = loss.init_raw(y, w)
    if name == "softmax":
        assert c.shape == (K,)
        best = minimize(lambda v: loss.value(y, np.tile(v, (len(y), 1)), w), np.zeros(K))
        assert loss.value(y, np.tile(c, (len(y), 1)), w) <= best.fun + 1e-10
        assert abs(c.sum()) < 1e-12
        return
    best = minimize_scalar(
        lambda v: loss.value(y, np.full(len(y), v), w),
        bounds=(-10, 10),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert isinstance(c, float)
    assert loss.value(y, np.full(len(y), c), w) <= best.fun + 1e-10


def test_init_raw_known_values():
    y = np.array([0.0, 1.0, 1.0, 1.0])
    assert LogisticLoss().init_raw(y) == pytest.approx(np.log(3.0))
    assert SquaredLoss().init_raw(y, np.array([3.0, 1.0, 0.0, 0.0])) == pytest.approx(0.25)
    assert PoissonLoss().init_raw(np.array([2.0, 4.0])) == pytest.approx(np.log(3.0))
    assert HingeLoss().init_raw(y) == 1.0
    assert SquaredHingeLoss().init_raw(y) == pytest.approx(0.5)
    # Degenerate targets give finite starts instead of ±inf.
    assert np.isfinite(LogisticLoss().init_raw(np.ones(3)))
    assert np.isfinite(PoissonLoss().init_raw(np.zeros(3)))
    assert np.all(np.isfinite(SoftmaxCrossEntropy(3).init_raw(np.array([0, 0, 1]))))
    assert HuberLoss(1.0).init_raw(np.array([2.0, 2.0])) == 2.0
    # Huber location of {0, 0, 0, 10} with δ = 1: 3 samples pull c up by c, one down by 1.
    assert HuberLoss(1.0).init_raw(np.array([0.0, 0.0, 0.0, 10.0])) == pytest.approx(1 / 3)


# ------------------------------------------------------------------- stability
@pytest.mark.skipif(
    np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps / 100,
    reason="needs an extended-precision long double for the reference",
)
def test_logistic_and_softmax_keep_full_relative_precision(rng):
    # Reference: ℓ = log1p(Σ_{j≠y} exp(r_j − r_y)) (softmax) and log1p(exp(−s·r))
    # (logistic, s = 2y − 1) — sums of positive terms, no cancellation — evaluated in
    # extended precision, so even losses of ~1e-20 are known to full float64 precision.
    raw = rng.normal(0, 15, (200, 3))
    y = rng.integers(0, 3, 200)
    wide = raw.astype(np.longdouble)
    rows = np.arange(200)
    others = np.exp(wide - wide[rows, y][:, None])
    others[rows, y] = 0
    expected = np.log1p(others.sum(axis=1)).astype(np.float64)
    np.testing.assert_allclose(SoftmaxCrossEntropy(3).pointwise(y, raw), expected, rtol=1e-14)
    r, labels = raw[:, 0], (y == 0).astype(float)
    s = 2 * labels - 1
    expected = np.log1p(np.exp(-s * r.astype(np.longdouble))).astype(np.float64)
    np.testing.assert_allclose(LogisticLoss().pointwise(labels, r), expected, rtol=1e-14)


def test_logistic_is_stable_and_accurate_at_extreme_scores():
    loss = LogisticLoss()
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    raw = np.array([1e4, 1e4, -1e4, -1e4, 40.0, -40.0])
    value, grad = loss.loss_gradient_pointwise(y, raw)
    hess = loss.hessian_pointwise(y, raw)
    tail = np.log1p(np.exp(-40.0))  # ℓ = log(1 + e^{-40}) when the class is right
    np.testing.assert_allclose(value, [0.0, 1e4, 1e4, 0.0, tail, tail], rtol=1e-15, atol=0)
    np.testing.assert_allclose(
        grad, [0.0, 1.0, -1.0, 0.0, -special.expit(-40.0), special.expit(-40.0)], rtol=1e-15
    )
    np.testing.assert_allclose(hess, [0, 0, 0, 0, np.exp(-40.0), np.exp(-40.0)], rtol=1e-15)


def test_softmax_is_stable_and_accurate_at_extreme_scores():
    loss = SoftmaxCrossEntropy(3)
    raw = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4], [1e4, 1e4, -1e4], [40.0, 0.0, 0.0]])
    y = np.array([0, 2, 0, 0])
    value, grad = loss.loss_gradient_pointwise(y, raw)
    tail = np.log1p(2 * np.exp(-40.0))
    np.testing.assert_allclose(value, [0.0, 2e4, np.log(2.0), tail], rtol=1e-15, atol=0)
    expected = np.array(
        [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, -1.0],
            [-0.5, 0.5, 0.0],
            [-2 * np.exp(-40.0) / (1 + 2 * np.exp(-40.0)), np.exp(-40.0), np.exp(-40.0)],
        ]
    )
    np.testing.assert_allclose(grad, expected, rtol=1e-14, atol=1e-300)
    hv = loss.hessp_pointwise(y, raw, np.ones_like(raw))
    assert np.all(np.isfinite(hv))


@pytest.mark.parametrize("loss", [HingeLoss(), SquaredHingeLoss()])
def test_hinge_losses_are_finite_at_extreme_scores(loss):
    y = np.array([1.0, 0.0, 1.0, 0.0])
    raw = np.array([1e4, 1e4, -1e4, -1e4])
    margin = np.array([0.0, 1e4 + 1, 1e4 + 1, 0.0])
    power = 1 if isinstance(loss, HingeLoss) else 2
    np.testing.assert_array_equal(loss.pointwise(y, raw), margin**power)
    assert np.all(np.isfinite(loss.gradient_pointwise(y, raw)))
    assert np.all(np.isfinite(loss.hessian_pointwise(y, raw)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson_overflow_gives_inf_not_nan(dtype):
    loss = PoissonLoss()
    y = np.array([1.0, 2.0])
    raw = np.array([0.0, 800.0], dtype=dtype)
    value, grad = loss.loss_gradient_pointwise(y, raw)
    assert value[1] == np.inf and grad[1] == np.inf
    assert loss.hessian_pointwise(y, raw)[1] == np.inf
    assert loss.value(y, raw) == np.inf
    assert not np.any(np.isnan(loss.gradient(y, raw)))


# ---------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_float32_raw_gives_float32_outputs(name, rng):
    loss, y, raw = make_case(name, rng)
    raw32 = raw.astype(np.float32)
    w = rng.uniform(0.5, 2.0, len(y))
    outputs = [
        loss.pointwise(y, raw32),
        loss.gradient_pointwise(y, raw32),
        loss.hessp_pointwise(y, raw32, np.ones_like(raw32)),
        loss.gradient(y, raw32, w),
        loss.loss_gradient(y, raw32, w)[1],
        loss.hessp(y, raw32, np.ones_like(raw32), w),
        loss.inverse_link(raw32),
    ]
    if name != "softmax":
        outputs += [loss.hessian_pointwise(y, raw32), loss.hessian(y, raw32, w)]
    for out in outputs:
        assert out.dtype == np.float32
    assert isinstance(loss.value(y, raw32, w), float)
    assert loss.value(y, raw32) == pytest.approx(loss.value(y, raw), rel=1e-5)


def test_integer_raw_is_computed_in_float64():
    assert SquaredLoss().gradient_pointwise([1, 2], [0, 0]).dtype == np.float64


# ---------------------------------------------------------------- attributes
def test_names_and_attributes():
    for name, cls in LOSSES.items():
        loss = make_loss(name)
        assert type(loss) is cls
        assert loss.name == name
    assert SoftmaxCrossEntropy(5).n_outputs == 5
    assert LogisticLoss().n_outputs == 1
    assert HingeLoss().is_smooth is False
    assert SquaredHingeLoss().is_smooth is True
    assert LogisticLoss().is_classification and not PoissonLoss().is_classification
    assert repr(HuberLoss()) == "HuberLoss(delta=1.35)"
    assert repr(SoftmaxCrossEntropy(3)) == "SoftmaxCrossEntropy(n_classes=3)"


def test_get_loss_passes_instances_through():
    loss = HuberLoss(2.0)
    assert get_loss(loss) is loss
    with pytest.raises(ParameterError, match="either a configured instance"):
        get_loss(loss, delta=1.0)


# ------------------------------------------------------------------ bad input
def test_bad_targets_raise_clear_errors():
    with pytest.raises(DataValidationError, match=r"non-negative.*smallest -1\.0"):
        PoissonLoss().check_target(np.array([1.0, -1.0, 2.0]))
    PoissonLoss().check_target(np.array([0.0, 2.5]))
    with pytest.raises(DataValidationError, match=r"binary targets y in \{0, 1\}.*\[2\]"):
        LogisticLoss().check_target(np.array([0, 1, 2]))
    LogisticLoss().check_target(np.array([0.0, 1.0]))
    with pytest.raises(DataValidationError, match="HingeLoss needs binary"):
        HingeLoss().check_target(np.array([-1.0, 1.0]))
    with pytest.raises(DataValidationError, match=r"integer class codes in 0..2"):
        SoftmaxCrossEntropy(3).check_target(np.array([0, 3]))
    with pytest.raises(DataValidationError, match="integer class codes"):
        SoftmaxCrossEntropy(3).check_target(np.array([0.5, 1.0]))
    with pytest.raises(DataValidationError, match="1-D"):
        SoftmaxCrossEntropy(3).check_target(np.zeros((2, 3)))
    SoftmaxCrossEntropy(3).check_target(np.array([0.0, 2.0]))
    SquaredLoss().check_target(np.array([-5.0, 5.0]))


def test_bad_parameters_raise_parameter_error():
    with pytest.raises(ParameterError, match=r"Unknown loss 'nope'.*'squared', 'huber'"):
        get_loss("nope")
    with pytest.raises(ParameterError, match="Unknown loss"):
        get_loss(None)
    with pytest.raises(ParameterError, match="'delta' parameter of HuberLoss"):
        HuberLoss(delta=0.0)
    with pytest.raises(ParameterError, match="'n_classes' parameter of SoftmaxCrossEntropy"):
        SoftmaxCrossEntropy(1)
    loss = SoftmaxCrossEntropy(3)
    with pytest.raises(ParameterError, match=r"no diagonal Hessian.*hessp"):
        loss.hessian(np.array([0]), np.zeros((1, 3)))
    with pytest.raises(ParameterError, match="hessp_pointwise"):
        loss.hessian_pointwise(np.array([0]), np.zeros((1, 3)))
