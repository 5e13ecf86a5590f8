"""Lasso and ElasticNet against scikit-learn, their KKT conditions, invariances and paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import (
    ConvergenceWarning,
    DataValidationError,
    NumericalWarning,
    ParameterError,
)
from lemma.models.linear import ElasticNet, Lasso, LinearRegression, enet_path, lasso_path

TIGHT = {"tol": 1e-12, "max_iter": 100_000}


def _data(rng, n, p):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p) + rng.normal(size=p)
    y = 3 * X[:, 0] - 2 * X[:, 1] + X[:, 2] + rng.normal(size=n) + 5.0
    return X, y


def _ours_and_theirs(alpha, l1_ratio, **params):
    from sklearn import linear_model

    if l1_ratio == 1:
        return Lasso(alpha, **params), linear_model.Lasso(alpha, **params)
    return (
        ElasticNet(alpha, l1_ratio=l1_ratio, **params),
        linear_model.ElasticNet(alpha, l1_ratio=l1_ratio, **params),
    )


def _kkt(model, X, y, w, alpha, l1_ratio):
    """g = X̃ᵀW(y − ŷ)/Σw − α(1−ρ)β must be αρ·sign(β) off zero and within ±αρ at zero."""
    w = np.ones(len(y)) if w is None else w
    x_mean = np.average(X, axis=0, weights=w)
    resid = y - model.predict(X)
    g = (X - x_mean).T @ (w * resid) / w.sum() - alpha * (1 - l1_ratio) * model.coef_
    beta = model.coef_
    on = beta != 0
    return g, on, abs(np.sum(w * resid)) / w.sum()


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("alpha", [0.01, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("n", "p"), [(90, 12), (25, 40)])
def test_matches_scikit_learn(rng, l1_ratio, alpha, weighted, n, p):
    X, y = _data(rng, n, p)
    w = rng.uniform(0.2, 3.0, size=n) if weighted else None
    ours, theirs = _ours_and_theirs(alpha, l1_ratio, **TIGHT)
    ours.fit(X, y, sample_weight=w)
    theirs.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize(("n", "p"), [(90, 12), (25, 40)])
def test_matches_scikit_learn_positive_and_both_forms(rng, precompute, l1_ratio, n, p):
    X, y = _data(rng, n, p)
    w = rng.uniform(0.2, 3.0, size=n)
    for positive in (False, True):
        ours, theirs = _ours_and_theirs(0.05, l1_ratio, positive=positive, **TIGHT)
        ours.set_params(precompute=precompute).fit(X, y, sample_weight=w)
        theirs.fit(X, y, sample_weight=w)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-8)
        assert np.all(ours.coef_ >= 0) or not positive


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_kkt_conditions_hold(rng, l1_ratio):
    X, y = _data(rng, 70, 15)
    w = rng.uniform(0.5, 2.0, size=70)
    alpha = 0.2 / l1_ratio
    model = ElasticNet(alpha, l1_ratio=l1_ratio, **TIGHT).fit(X, y, sample_weight=w)
    g, on, intercept_condition = _kkt(model, X, y, w, alpha, l1_ratio)
    assert 0 < on.sum() < 15  # some selected, some not: both conditions are exercised
    np.testing.assert_allclose(g[on], alpha * l1_ratio * np.sign(model.coef_[on]), atol=1e-7)
    assert np.all(np.abs(g[~on]) <= alpha * l1_ratio + 1e-7)
    assert intercept_condition < 1e-10


def test_history_never_increases(rng):
    X, y = _data(rng, 25, 40)
    model = Lasso(alpha=0.05, **TIGHT).fit(X, y)
    assert len(model.history_) == model.n_iter_ + 1 > 2
    assert np.all(np.diff(model.history_) <= 1e-13 * model.history_[0])


def test_alpha_max_gives_all_zero_and_just_below_does_not(rng):
    X, y = _data(rng, 60, 8)
    w = rng.uniform(0.5, 2.0, size=60)
    xc = X - np.average(X, axis=0, weights=w)
    yc = y - np.average(y, weights=w)
    for l1_ratio in (1.0, 0.4):
        alpha_max = np.max(np.abs(xc.T @ (w * yc))) / (w.sum() * l1_ratio)
        at = ElasticNet(alpha_max, l1_ratio=l1_ratio).fit(X, y, sample_weight=w)
        # tight tol: just below alpha_max, β = 0 already meets tol=1e-4 (gap ≈ ½(1%)²‖y‖²)
        below = ElasticNet(alpha_max * 0.99, l1_ratio=l1_ratio, tol=1e-8)
        below.fit(X, y, sample_weight=w)
        assert np.all(at.coef_ == 0) and at.n_iter_ == 0
        assert at.intercept_ == pytest.approx(np.average(y, weights=w))
        assert np.count_nonzero(below.coef_) >= 1


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_duplicated_rows_equal_doubled_weights(seed):
    rng = np.random.default_rng(seed)
    X, y = _data(rng, 30, 5)
    twice = rng.integers(0, 2, size=30).astype(bool)
    a = Lasso(alpha=0.1, **TIGHT).fit(np.vstack([X, X[twice]]), np.concatenate([y, y[twice]]))
    b = Lasso(alpha=0.1, **TIGHT).fit(X, y, sample_weight=1.0 + twice)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-7)


def test_row_order_and_weight_scale_do_not_matter(rng):
    X, y = _data(rng, 50, 6)
    w = rng.uniform(0.5, 2.0, size=50)
    order = rng.permutation(50)
    base = ElasticNet(0.1, **TIGHT).fit(X, y, sample_weight=w)
    shuffled = ElasticNet(0.1, **TIGHT).fit(X[order], y[order], sample_weight=w[order])
    scaled = ElasticNet(0.1, **TIGHT).fit(X, y, sample_weight=7.5 * w)
    for other in (shuffled, scaled):
        np.testing.assert_allclose(other.coef_, base.coef_, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(other.intercept_, base.intercept_, rtol=1e-8)


def test_warm_start_continues_from_the_previous_fit(rng):
    X, y = _data(rng, 25, 40)
    cold = Lasso(alpha=0.02, tol=1e-8, max_iter=100_000).fit(X, y)
    warm = Lasso(alpha=0.02, tol=1e-8, max_iter=100_000, warm_start=True).fit(X, y)
    assert warm.n_iter_ == cold.n_iter_ > 0
    warm.fit(X, y)  # already at the solution: no sweep needed
    assert warm.n_iter_ == 0
    np.testing.assert_array_equal(warm.coef_, cold.coef_)
    # stopped early twice in a row, the second fit picks up where the first ended
    steps = Lasso(alpha=0.02, max_iter=3, tol=1e-12, warm_start=True)
    with pytest.warns(ConvergenceWarning):
        first = steps.fit(X, y).history_.copy()
    with pytest.warns(ConvergenceWarning):
        second = steps.fit(X, y).history_
    assert second[0] == pytest.approx(first[-1], rel=1e-12) and second[-1] < first[-1]


def test_random_selection_is_reproducible(rng):
    X, y = _data(rng, 40, 25)
    a = Lasso(0.05, selection="random", random_state=7).fit(X, y)
    b = Lasso(0.05, selection="random", random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.history_, b.history_)


def test_alpha_zero_warns_and_gives_least_squares(rng):
    X, y = _data(rng, 60, 4)
    with pytest.warns(NumericalWarning, match="use LinearRegression"):
        model = Lasso(alpha=0.0, **TIGHT).fit(X, y)
    np.testing.assert_allclose(model.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-6)


def test_float32_kept(rng):
    X, y = _data(rng, 40, 5)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    model = ElasticNet(alpha=0.1).fit(X32, y32)
    assert model.coef_.dtype == np.float32 and model.predict(X32).dtype == np.float32
    np.testing.assert_allclose(model.coef_, ElasticNet(alpha=0.1).fit(X, y).coef_, rtol=1e-4)


def test_convergence_warning_names_max_iter_and_tol(rng):
    X, y = _data(rng, 30, 40)
    with pytest.warns(ConvergenceWarning, match=r"Lasso: .*max_iter=1 .*tol=1e-06"):
        model = Lasso(alpha=0.01, max_iter=1, tol=1e-6).fit(X, y)
    assert model.n_iter_ == 1 and model.dual_gap_ > 0


def test_summary_shows_selected_features_and_no_p_values(rng):
    X, y = _data(rng, 60, 6)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    model = Lasso(alpha=0.5).fit(frame, y)
    summary = model.summary()
    table = summary.to_frame()
    assert list(table.columns) == ["coef"]
    assert list(table.index) == ["intercept", *frame.columns]
    np.testing.assert_array_equal(table["coef"].to_numpy()[1:], model.coef_)
    zero = [name for name, c in zip(frame.columns, model.coef_, strict=True) if c == 0]
    assert zero and "Penalised fit" in summary.notes[0]
    assert summary.notes[1] == f"Exactly zero (not selected): {', '.join(zero)}."


def test_bad_parameters_and_targets():
    X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 2.5]
    with pytest.raises(ParameterError, match="'alpha' parameter of Lasso"):
        Lasso(alpha=-1.0).fit(X, y)
    with pytest.raises(ParameterError, match="'l1_ratio' parameter of ElasticNet"):
        ElasticNet(l1_ratio=1.5).fit(X, y)
    with pytest.raises(ParameterError, match="'selection' parameter"):
        ElasticNet(selection="greedy").fit(X, y)
    with pytest.raises(DataValidationError, match=r"shape \(3, 2\).*Lasso predicts one target"):
        Lasso().fit(X, np.ones((3, 2)))
    with pytest.raises(ParameterError, match="needs l1_ratio > 0"):
        enet_path(X, y, l1_ratio=0.0)


# ---------------------------------------------------------------------------- the paths
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize(("n", "p"), [(80, 10), (20, 30)])
def test_path_matches_scikit_learn(rng, l1_ratio, n, p):
    from sklearn.linear_model import enet_path as sk_enet_path

    X, y = _data(rng, n, p)
    alphas, coefs, gaps = enet_path(X, y, l1_ratio=l1_ratio, eps=1e-2, n_alphas=30, **TIGHT)
    sk_alphas, sk_coefs, sk_gaps = sk_enet_path(
        X, y, l1_ratio=l1_ratio, eps=1e-2, alphas=30, **TIGHT
    )
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-12)
    assert coefs.shape == (p, 30)
    np.testing.assert_allclose(coefs, sk_coefs, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(gaps, sk_gaps, atol=1e-9)


def test_lasso_path_is_enet_path_with_ratio_one_and_given_alphas_sorted(rng):
    from sklearn.linear_model import lasso_path as sk_lasso_path

    X, y = _data(rng, 50, 8)
    grid = [0.01, 1.0, 0.1]
    alphas, coefs, _ = lasso_path(X, y, alphas=grid, **TIGHT)
    _, sk_coefs, _ = sk_lasso_path(X, y, alphas=grid, **TIGHT)
    np.testing.assert_array_equal(alphas, [1.0, 0.1, 0.01])
    np.testing.assert_allclose(coefs, sk_coefs, rtol=1e-5, atol=1e-8)
    same = enet_path(X, y, l1_ratio=1.0, alphas=grid, **TIGHT)[1]
    np.testing.assert_array_equal(coefs, same)


def test_path_positive_and_n_iter(rng):
    from sklearn.linear_model import enet_path as sk_enet_path

    X, y = _data(rng, 60, 8)
    _, coefs, _, n_iters = enet_path(X, y, positive=True, n_alphas=10, return_n_iter=True, **TIGHT)
    sk_coefs = sk_enet_path(X, y, positive=True, alphas=10, **TIGHT)[1]
    np.testing.assert_allclose(coefs, sk_coefs, rtol=1e-5, atol=1e-8)
    assert np.all(coefs >= 0) and len(n_iters) == 10 and n_iters[0] == 0
