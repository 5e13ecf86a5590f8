"""LinearModelObjective (lemma.losses.linear): derivatives, scikit-learn reference, contract.

References: finite differences (lemma.calculus); scikit-learn's
``sklearn.linear_model._linear_loss.LinearModelLoss`` with ``sklearn._loss`` losses;
scikit-learn's ``Ridge`` (closed form) for one Newton step on the squared loss.
"""

from __future__ import annotations

import numpy as np
import pytest

from lemma.calculus import check_grad, check_hessian
from lemma.exceptions import DataValidationError, ParameterError
from lemma.losses import LinearModelObjective, get_loss
from lemma.penalties import L1, L2, ElasticNet, NoPenalty

K = 3
SMOOTH_LOSSES = ["squared", "huber", "poisson", "logistic", "softmax", "squared_hinge"]


def make_data(name: str, rng: np.random.Generator, n: int = 30, d: int = 3):
    X = rng.normal(size=(n, d))
    if name == "softmax":
        return X, rng.integers(0, K, n)
    eta = X @ rng.normal(0, 0.5, d)
    if name == "poisson":
        return X, rng.poisson(np.exp(eta)).astype(float)
    if name in ("logistic", "squared_hinge"):
        return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, eta + rng.normal(0, 1.5, n)


def make_objective(name, X, y, **kwargs) -> LinearModelObjective:
    loss = get_loss(name, n_classes=K) if name == "softmax" else get_loss(name)
    return LinearModelObjective(loss, X, y, **kwargs)


def kink_distance(objective: LinearModelObjective, x: np.ndarray) -> float:
    """How far the raw predictions are from a kink of ℓ'' (Huber, squared hinge)."""
    raw = objective.raw(x)
    if objective.loss.name == "huber":
        return float(np.min(np.abs(np.abs(objective.y - raw) - objective.loss.delta)))
    if objective.loss.name == "squared_hinge":
        return float(np.min(np.abs(1 - (2 * objective.y - 1) * raw)))
    return np.inf


def random_point(objective: LinearModelObjective, rng) -> np.ndarray:
    for _ in range(50):
        x = rng.normal(0, 0.5, objective.n_params)
        if kink_distance(objective, x) > 1e-3:
            return x
    raise AssertionError("no point away from the kinks")  # pragma: no cover


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalty", [None, L2(0.3)], ids=["none", "l2"])
@pytest.mark.parametrize("name", SMOOTH_LOSSES)
def test_derivatives_match_finite_differences(name, penalty, fit_intercept, rng):
    X, y = make_data(name, rng)
    w = rng.uniform(0.2, 3.0, len(y))
    objective = make_objective(
        name, X, y, penalty=penalty, sample_weight=w, fit_intercept=fit_intercept, scale=1.7
    )
    x = random_point(objective, rng)
    result = check_grad(objective.value, objective.gradient, x)
    assert result.passed(1e-6), result
    hess = check_hessian(objective.gradient, objective.hessian, x)
    assert hess.passed(1e-6), hess
    # hessp agrees with the dense Hessian, and value_and_gradient with the separate calls.
    v = rng.normal(size=x.size)
    np.testing.assert_allclose(objective.hessp(x, v), objective.hessian(x) @ v, rtol=1e-10)
    value, grad = objective.value_and_gradient(x)
    assert value == pytest.approx(objective.value(x), rel=1e-14)
    np.testing.assert_allclose(grad, objective.gradient(x), rtol=1e-13)


def test_unweighted_softmax_hessian_matches_finite_differences(rng):
    X, y = make_data("softmax", rng, n=25, d=4)
    objective = make_objective("softmax", X, y, penalty=L2(0.05))
    x = random_point(objective, rng)
    assert check_hessian(objective.gradient, objective.hessian, x).passed(1e-6)
    assert objective.n_params == K * 4 + K


def _sklearn_layout(objective: LinearModelObjective, x: np.ndarray) -> np.ndarray:
    """Our flat x as scikit-learn's coef: (n_dof,) or (K, n_dof), intercept last."""
    coef, intercept = objective.unpack(x)
    if objective.n_outputs == 1:
        return np.append(coef, intercept) if objective.fit_intercept else coef.copy()
    return np.column_stack([coef, intercept]) if objective.fit_intercept else coef.copy()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "name, sk_name",
    [
        ("squared", "HalfSquaredError"),
        ("logistic", "HalfBinomialLoss"),
        ("poisson", "HalfPoissonLoss"),
        ("softmax", "HalfMultinomialLoss"),
    ],
)
def test_matches_scikit_learn_linear_model_loss(name, sk_name, fit_intercept, weighted, rng):
    import sklearn._loss.loss as sk_loss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    X, y = make_data(name, rng, n=40, d=4)
    w = rng.uniform(0.2, 3.0, len(y)) if weighted else None
    alpha = 0.25
    # Mapping: scikit-learn's loss is (1/Σw)·Σ wᵢ ℓᵢ + ½·l2_reg_strength·‖β‖² — ours with
    # scale=1 and penalty=L2(l2_reg_strength); intercepts are unpenalised in both.
    objective = make_objective(
        name, X, y, penalty=L2(alpha), sample_weight=w, fit_intercept=fit_intercept
    )
    base = (
        getattr(sk_loss, sk_name)(n_classes=K) if name == "softmax" else getattr(sk_loss, sk_name)()
    )
    reference = LinearModelLoss(base_loss=base, fit_intercept=fit_intercept)
    x = random_point(objective, rng)
    y64 = np.asarray(y, dtype=float)
    sk_value, sk_grad = reference.loss_gradient(
        _sklearn_layout(objective, x), X, y64, sample_weight=w, l2_reg_strength=alpha
    )
    if name == "poisson":
        # scikit-learn's HalfPoissonLoss leaves out the constant y·log y − y of the deviance.
        sk_value += np.average(base.constant_to_optimal_zero(y64), weights=w)
    value, grad = objective.value_and_gradient(x)
    assert value == pytest.approx(sk_value, rel=1e-12)
    np.testing.assert_allclose(
        grad, objective.pack(*_unpack_sklearn(objective, sk_grad)), rtol=1e-10, atol=1e-14
    )


def _unpack_sklearn(objective: LinearModelObjective, sk_grad: np.ndarray):
    if objective.n_outputs == 1:
        if objective.fit_intercept:
            return sk_grad[:-1], sk_grad[-1]
        return sk_grad, 0.0
    if objective.fit_intercept:
        return sk_grad[:, :-1], sk_grad[:, -1]
    return sk_grad, 0.0


def test_one_newton_step_gives_scikit_learn_ridge(rng):
    from sklearn.linear_model import Ridge

    n, d, alpha = 50, 4, 0.3
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 2.0 + rng.normal(size=n)
    objective = LinearModelObjective("squared", X, y, penalty=L2(alpha))
    x0 = np.zeros(objective.n_params)
    x = x0 - np.linalg.solve(objective.hessian(x0), objective.gradient(x0))
    # Ours: (1/2n)‖y − Xβ − b‖² + (α/2)‖β‖²; scikit-learn's Ridge: ‖y − Xβ − b‖² + α'‖β‖²,
    # the same minimiser when α' = n·α.
    ridge = Ridge(alpha=n * alpha).fit(X, y)
    coef, intercept = objective.unpack(x)
    np.testing.assert_allclose(coef, ridge.coef_, rtol=1e-10)
    assert intercept == pytest.approx(ridge.intercept_, rel=1e-10)


# ----------------------------------------------------------------- contract
def test_pack_unpack_roundtrip_and_sizes(rng):
    X = rng.normal(size=(10, 4))
    single = LinearModelObjective("logistic", X, rng.integers(0, 2, 10))
    assert single.n_params == 5
    coef, intercept = single.unpack(single.pack(np.arange(4.0), 7.0))
    np.testing.assert_array_equal(coef, np.arange(4.0))
    assert intercept == 7.0 and isinstance(intercept, float)
    multi = LinearModelObjective(get_loss("softmax", n_classes=3), X, rng.integers(0, 3, 10))
    assert multi.n_params == 15
    B = np.arange(12.0).reshape(3, 4)
    x = multi.pack(B, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x[:4], B[0])  # row-major: class by class
    coef, intercept = multi.unpack(x)
    np.testing.assert_array_equal(coef, B)
    np.testing.assert_array_equal(intercept, [1.0, 2.0, 3.0])
    no_intercept = LinearModelObjective(
        get_loss("softmax", n_classes=3), X, rng.integers(0, 3, 10), fit_intercept=False
    )
    assert no_intercept.n_params == 12
    np.testing.assert_array_equal(no_intercept.unpack(np.zeros(12))[1], np.zeros(3))
    assert (
        LinearModelObjective("squared", X, np.zeros(10), fit_intercept=False).unpack(np.zeros(4))[1]
        == 0.0
    )


def test_raw_and_evaluation_counter(rng):
    X = rng.normal(size=(8, 2))
    objective = LinearModelObjective("squared", X, rng.normal(size=8))
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(objective.raw(x), X @ x[:2] + 0.5)
    assert objective.n_fev == 0
    objective.value(x)
    objective.value_and_gradient(x)
    objective.value_and_gradient(x + 1)
    objective.gradient(x)
    assert objective.n_fev == 3
    # The cache of raw predictions must follow x, including after in-place changes.
    x[0] = 3.0
    np.testing.assert_allclose(objective.raw(x), X @ x[:2] + 0.5)


def test_scale_and_penalty_enter_as_stated(rng):
    X, y = make_data("logistic", rng)
    x = rng.normal(size=4)
    plain = LinearModelObjective("logistic", X, y)
    scaled = LinearModelObjective("logistic", X, y, scale=3.0, penalty=L2(2.0))
    expected = 3.0 * plain.value(x) + 0.5 * 2.0 * np.sum(x[:3] ** 2)  # intercept unpenalised
    assert scaled.value(x) == pytest.approx(expected, rel=1e-14)
    assert LinearModelObjective("logistic", X, y, penalty=NoPenalty()).value(x) == pytest.approx(
        plain.value(x)
    )


@pytest.mark.parametrize("name", SMOOTH_LOSSES)
def test_initial_params_make_the_intercept_gradient_zero(name, rng):
    X, y = make_data(name, rng, n=60)
    w = rng.uniform(0.5, 2.0, len(y))
    objective = make_objective(name, X, y, sample_weight=w, penalty=L2(1.0))
    x0 = objective.initial_params()
    np.testing.assert_array_equal(x0[: objective.n_coef], 0.0)
    grad = objective.gradient(x0)
    np.testing.assert_allclose(grad[objective.n_coef :], 0.0, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", ["logistic", "softmax"])
def test_mini_batches_average_to_the_full_objective(name, weighted, rng):
    X, y = make_data(name, rng, n=24)
    w = rng.uniform(0.2, 3.0, len(y)) if weighted else None
    objective = make_objective(name, X, y, sample_weight=w, penalty=L2(0.5), scale=2.0)
    x = random_point(objective, rng)
    full_value, full_grad = objective.value_and_gradient(x)
    batches = np.array_split(rng.permutation(24), 4)
    parts = [objective.value_and_gradient(x, batch=b) for b in batches]
    assert np.mean([p[0] for p in parts]) == pytest.approx(full_value, rel=1e-12)
    np.testing.assert_allclose(np.mean([p[1] for p in parts], axis=0), full_grad, rtol=1e-10)
    everything = objective.value_and_gradient(x, batch=np.arange(24))
    assert everything[0] == pytest.approx(full_value, rel=1e-12)
    assert objective.n_samples == 24


@pytest.mark.parametrize("name", ["logistic", "softmax", "poisson"])
def test_float32_design_stays_float32(name, rng):
    X, y = make_data(name, rng)
    X32 = X.astype(np.float32)
    objective = make_objective(name, X32, y, penalty=L2(0.1))
    assert objective.X is X32  # not copied
    x = rng.normal(0, 0.3, objective.n_params)
    assert objective.raw(x).dtype == np.float32
    value, grad = objective.value_and_gradient(x)
    reference = make_objective(name, X, y, penalty=L2(0.1))
    assert value == pytest.approx(reference.value(x), rel=1e-5)
    np.testing.assert_allclose(grad, reference.gradient(x), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        objective.hessp(x, np.ones_like(x)),
        reference.hessp(x, np.ones_like(x)),
        rtol=1e-4,
        atol=1e-5,
    )


# ---------------------------------------------------------------- bad input
def test_non_smooth_penalties_are_refused(rng):
    X, y = make_data("squared", rng)
    for penalty in (L1(1.0), ElasticNet(1.0, 0.5)):
        with pytest.raises(ParameterError, match=r"only a smooth penalty.*proximal"):
            LinearModelObjective("squared", X, y, penalty=penalty)
    with pytest.raises(ParameterError, match="Penalty or None"):
        LinearModelObjective("squared", X, y, penalty="l2")


def test_bad_shapes_and_weights_are_refused(rng):
    X, y = make_data("squared", rng, n=10)
    with pytest.raises(DataValidationError, match="2-D"):
        LinearModelObjective("squared", X[:, 0], y)
    with pytest.raises(DataValidationError, match=r"y must have shape \(10,\)"):
        LinearModelObjective("squared", X, y[:5])
    with pytest.raises(DataValidationError, match=r"sample_weight must have shape \(10,\)"):
        LinearModelObjective("squared", X, y, sample_weight=np.ones(3))
    with pytest.raises(DataValidationError, match="non-negative"):
        LinearModelObjective("squared", X, y, sample_weight=-np.ones(10))
    with pytest.raises(DataValidationError, match="positive sum"):
        LinearModelObjective("squared", X, y, sample_weight=np.zeros(10))
    with pytest.raises(ParameterError, match="'scale' parameter"):
        LinearModelObjective("squared", X, y, scale=0.0)
    with pytest.raises(ParameterError, match="Unknown loss"):
        LinearModelObjective("nope", X, y)
