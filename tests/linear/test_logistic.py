"""LogisticRegression against scikit-learn, its optimality conditions, and its contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, softmax

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.linear import LogisticRegression, logistic_path

#: Rounding allowance when checking that an objective history never increases.
ROUNDING = 1e-13


def _data(rng, n=160, d=4, K=2):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, size=d)
    B = rng.normal(size=(d, K))
    y = np.argmax(X @ B + rng.gumbel(size=(n, K)), axis=1)
    return X, y


def _sklearn(penalty, C, l1_ratio, **kwargs):
    """scikit-learn's LogisticRegression for the same objective (its 1.8+ spelling)."""
    from sklearn.linear_model import LogisticRegression as SkLogistic

    mixing = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio}[penalty]
    solver = "newton-cholesky" if penalty == "l2" else "saga"
    tol = 1e-12 if penalty == "l2" else 1e-10
    return SkLogistic(C=C, l1_ratio=mixing, solver=solver, tol=tol, max_iter=100_000, **kwargs)


def _smooth_gradient(model, X, y, w, C):
    """``C · Σ wᵢ ∇ℓᵢ`` with respect to (coef, intercept), from the fitted probabilities."""
    classes = model.classes_
    if classes.size == 2:
        residual = expit(model.decision_function(X)) - (y == classes[1])
        residual = residual[:, None]
    else:
        residual = softmax(model.decision_function(X), axis=1) - (y[:, None] == classes)
    residual = residual * (C * w)[:, None]
    return residual.T @ X, residual.sum(axis=0)


PENALTIES = [("l2", None), ("l1", None), ("elasticnet", 0.4)]


@pytest.mark.parametrize(("penalty", "l1_ratio"), PENALTIES)
@pytest.mark.parametrize("K", [2, 3])
def test_penalised_matches_scikit_learn(rng, penalty, l1_ratio, K):
    X, y = _data(rng, K=K)
    w = rng.uniform(0.5, 2.0, size=y.size)
    class_weight = "balanced" if K == 2 else {0: 2.0, 2: 0.5}
    ours = LogisticRegression(penalty, C=0.3, l1_ratio=l1_ratio, class_weight=class_weight,
                              tol=1e-8, max_iter=1000).fit(X, y, sample_weight=w)  # fmt: skip
    theirs = _sklearn(penalty, 0.3, l1_ratio, class_weight=class_weight)
    theirs.fit(X, y, sample_weight=w)
    assert ours.coef_.shape == theirs.coef_.shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l1", None), ("elasticnet", 0.6)])
@pytest.mark.parametrize("K", [2, 3])
def test_l1_fits_satisfy_kkt(rng, penalty, l1_ratio, K):
    """gⱼ + (1−ρ)βⱼ + ρ·sign(βⱼ) = 0 where βⱼ ≠ 0, |gⱼ + (1−ρ)βⱼ| ≤ ρ where βⱼ = 0."""
    X, y = _data(rng, d=3, K=K)
    X = np.column_stack([X, rng.normal(size=(y.size, 3))])  # three pure-noise features
    w = rng.uniform(0.5, 2.0, size=y.size)
    rho = 1.0 if penalty == "l1" else l1_ratio
    # Every slope is 0 once C·max|gⱼ(0)| ≤ ρ; three times that C keeps a few.
    null = LogisticRegression(penalty, C=1e-9, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, w)
    C = 3 * rho / np.abs(_smooth_gradient(null, X, y, w, 1.0)[0]).max()
    model = LogisticRegression(penalty, C=C, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, w)
    g_coef, g_intercept = _smooth_gradient(model, X, y, w, C)
    beta = model.coef_
    v = g_coef + (1 - rho) * beta
    active = beta != 0
    assert 0 < active.sum() < beta.size  # some selected, some dropped: the test bites
    np.testing.assert_allclose(v[active] + rho * np.sign(beta[active]), 0, atol=1e-7)
    assert np.all(np.abs(v[~active]) <= rho + 1e-7)
    np.testing.assert_allclose(g_intercept, 0, atol=1e-7)


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("penalty", ["l2", None])
def test_smooth_fits_have_zero_gradient(rng, K, penalty):
    X, y = _data(rng, K=K)
    w = rng.uniform(0.5, 2.0, size=y.size)
    model = LogisticRegression(penalty, C=2.0, tol=1e-10).fit(X, y, sample_weight=w)
    C = 2.0 if penalty else 1.0
    g_coef, g_intercept = _smooth_gradient(model, X, y, w, C)
    if penalty:
        g_coef = g_coef + model.coef_
    np.testing.assert_allclose(g_coef, 0, atol=1e-7)
    np.testing.assert_allclose(g_intercept, 0, atol=1e-7)


def test_softmax_parameters_are_centred(rng):
    X, y = _data(rng, K=3)
    model = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.intercept_.sum(), 0, atol=1e-12)
    np.testing.assert_allclose(model.coef_.sum(axis=0), 0, atol=1e-12)


@pytest.mark.parametrize(
    ("penalty", "solvers"),
    [("l2", ["newton", "lbfgs", "fista", "proximal"]), ("l1", ["newton", "fista", "proximal"])],
)
@pytest.mark.parametrize("K", [2, 3])
def test_solvers_agree(rng, penalty, solvers, K):
    X, y = _data(rng, n=100, d=3, K=K)
    fits = [
        LogisticRegression(penalty, C=0.5, solver=s, tol=1e-8, max_iter=20_000).fit(X, y)
        for s in solvers
    ]
    for fit in fits[1:]:
        np.testing.assert_allclose(fit.coef_, fits[0].coef_, atol=1e-6)
        np.testing.assert_allclose(fit.intercept_, fits[0].intercept_, atol=1e-6)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_unpenalised_solvers_reach_the_same_maximum(rng, solver):
    X, y = _data(rng, K=3)
    reference = LogisticRegression(None, solver="newton", tol=1e-10).fit(X, y)
    model = LogisticRegression(None, solver=solver, tol=1e-6, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-4)


def test_logistic_path_equals_separate_fits(rng):
    X, y = _data(rng, K=3)
    Cs, coefs = logistic_path(X, y, Cs=4, penalty="l1", tol=1e-10, max_iter=500)
    np.testing.assert_allclose(Cs, np.logspace(-4, 4, 4))
    assert coefs.shape == (4, 3, X.shape[1] + 1)
    for C, coef in zip(Cs, coefs, strict=True):
        alone = LogisticRegression("l1", C=C, tol=1e-10, max_iter=500).fit(X, y)
        np.testing.assert_allclose(coef[:, :-1], alone.coef_, atol=1e-7)
        np.testing.assert_allclose(coef[:, -1], alone.intercept_, atol=1e-7)


def test_logistic_path_binary_shape_and_no_intercept(rng):
    X, y = _data(rng)
    _, coefs = logistic_path(X, y, Cs=[0.1, 1.0], fit_intercept=False, tol=1e-10)
    assert coefs.shape == (2, 1, X.shape[1])
    alone = LogisticRegression(C=1.0, fit_intercept=False, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(coefs[1], alone.coef_, atol=1e-8)


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), K=st.sampled_from([2, 3]))
def test_row_order_does_not_matter(seed, K):
    rng = np.random.default_rng(seed)
    X, y = _data(rng, n=60, d=3, K=K)
    if np.unique(y).size < K:
        return
    order = rng.permutation(y.size)
    a = LogisticRegression(C=0.7, tol=1e-10).fit(X, y)
    b = LogisticRegression(C=0.7, tol=1e-10).fit(X[order], y[order])
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-8)


@pytest.mark.parametrize("penalty", ["l2", "l1", None])
def test_duplicated_rows_equal_doubled_weights(rng, penalty):
    X, y = _data(rng, K=3)
    twice = rng.random(y.size) < 0.3
    weights = np.where(twice, 2.0, 1.0)
    Xd = np.vstack([X, X[twice]])
    yd = np.concatenate([y, y[twice]])
    a = LogisticRegression(penalty, C=0.5, tol=1e-10).fit(X, y, sample_weight=weights)
    b = LogisticRegression(penalty, C=0.5, tol=1e-10).fit(Xd, yd)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-7)


def test_class_weight_is_a_sample_weight(rng):
    X, y = _data(rng, K=3)
    a = LogisticRegression(class_weight={0: 3.0, 1: 0.5}, tol=1e-10).fit(X, y)
    row = np.select([y == 0, y == 1], [3.0, 0.5], 1.0)
    b = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=row)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)


@pytest.mark.parametrize(
    ("penalty", "solver", "K"),
    [("l2", "newton", 2), ("l2", "newton", 3), (None, "newton", 2), ("l1", "newton", 2),
     ("l1", "newton", 3), ("elasticnet", "newton", 3), ("l1", "proximal", 2)],
)  # fmt: skip
def test_history_never_increases(rng, penalty, solver, K):
    X, y = _data(rng, K=K)
    model = LogisticRegression(penalty, C=0.2, l1_ratio=0.5, solver=solver, tol=1e-9,
                               max_iter=5000).fit(X, y)  # fmt: skip
    history = model.history_
    assert history.size == model.n_iter_ + 1 and model.n_iter_ > 1
    assert np.all(np.diff(history) <= ROUNDING * np.abs(history[:-1]))


@pytest.mark.parametrize("K", [2, 3])
def test_string_labels_and_prediction_consistency(rng, K):
    X, codes = _data(rng, K=K)
    names = np.array(["cat", "dog", "emu"][:K])
    y = names[codes]
    model = LogisticRegression(C=1.0).fit(X, y)
    assert model.classes_.tolist() == sorted(names.tolist())
    predicted = model.predict(X)
    assert set(predicted) <= set(names)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(model.classes_[np.argmax(proba, axis=1)], predicted)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)
    scores = model.decision_function(X)
    if K == 2:
        assert scores.shape == (X.shape[0],)
        assert np.array_equal(model.classes_[(scores > 0).astype(int)], predicted)
        assert model.coef_.shape == (1, X.shape[1]) and model.intercept_.shape == (1,)
    else:
        assert np.array_equal(model.classes_[np.argmax(scores, axis=1)], predicted)
    assert model.score(X, y) > 0.5


def test_float32_is_kept(rng):
    X, y = _data(rng)
    model = LogisticRegression().fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    reference = LogisticRegression(tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-2, atol=1e-2)


def test_warm_start_continues_from_the_last_fit(rng):
    X, y = _data(rng, K=3)
    model = LogisticRegression("l1", C=0.5, tol=1e-10, warm_start=True).fit(X, y)
    first = model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < first
    cold = LogisticRegression("l1", C=0.5, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-8)


def test_penalised_summary_has_no_p_values(rng):
    X, y = _data(rng)
    table = LogisticRegression(C=1.0).fit(X, y).summary().to_frame()
    assert list(table.columns) == ["coef"]
    assert "Penalised fit" in str(LogisticRegression(C=1.0).fit(X, y).summary())


# ------------------------------------------------------------------ bad input
def test_one_class_is_refused(rng):
    X, _ = _data(rng)
    with pytest.raises(DataValidationError, match=r"at least 2 classes.*'spam'"):
        LogisticRegression().fit(X, np.array(["spam"] * X.shape[0]))


def test_continuous_target_is_refused(rng):
    X, _ = _data(rng)
    with pytest.raises(DataValidationError, match="Unknown label type"):
        LogisticRegression().fit(X, rng.normal(size=X.shape[0]))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": 0.0}, "'C' parameter"),
        ({"C": -1.0}, "'C' parameter"),
        ({"penalty": "elasticnet"}, "needs l1_ratio"),
        ({"solver": "sag"}, "'solver' parameter"),
        ({"penalty": "l1", "solver": "lbfgs"}, "solver='lbfgs' needs a smooth objective"),
        ({"class_weight": {"unicorn": 2.0}}, "not classes of y"),
        ({"l1_ratio": 1.5, "penalty": "elasticnet"}, "'l1_ratio' parameter"),
    ],
)
def test_bad_parameters_are_refused(rng, params, match):
    X, y = _data(rng)
    with pytest.raises(ParameterError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_logistic_path_needs_a_penalty(rng):
    X, y = _data(rng)
    with pytest.raises(ParameterError, match="needs a penalty"):
        logistic_path(X, y, penalty=None)
