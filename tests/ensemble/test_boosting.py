"""Gradient boosting: descent, constraints, native missing values and categories, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

LOSSES = ["squared_error", "absolute_error", "huber", "poisson"]


def _regression(rng, n=600, d=4):
    X = rng.normal(size=(n, d))
    y = np.exp(0.5 * X[:, 0] + 0.3 * np.sin(2 * X[:, 1])) + 0.2 * rng.normal(size=n) ** 2
    return X, y


def _classification(rng, n=600, d=4, n_classes=2):
    X = rng.normal(size=(n, d))
    score = X[:, 0] + X[:, 1] ** 2 + 0.5 * rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


# ------------------------------------------------------------------------------ descent
@pytest.mark.parametrize("loss", LOSSES)
def test_training_loss_never_increases_regression(rng, loss):
    X, y = _regression(rng)
    model = GradientBoostingRegressor(loss=loss, max_iter=60, early_stopping=False).fit(X, y)
    history = model.history_["train_loss"]
    assert history.size == model.n_iter_ + 1 == 61
    assert np.all(np.diff(history) <= 1e-12 * history[:-1])
    assert history[-1] < 0.8 * history[0]


@pytest.mark.parametrize("l2_regularization", [0.0, 0.5])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_training_loss_never_increases_classification(rng, n_classes, l2_regularization):
    X, y = _classification(rng, n_classes=n_classes)
    model = GradientBoostingClassifier(max_iter=60, l2_regularization=l2_regularization)
    model.fit(X, y)
    history = model.history_["train_loss"]
    assert np.all(np.diff(history) <= 1e-12 * history[:-1])
    assert history[-1] < 0.5 * history[0]


def test_compiled_log_loss_pass_equals_the_loss_formulas(rng):
    """Binary log-loss boosting fills gradients and Hessians in one Numba pass; it equals
    lemma.losses.LogisticLoss's pointwise formulas (weighted), across row blocks."""
    from lemma.losses import LogisticLoss
    from lemma.models.ensemble._losses import BOOSTING_LOSSES, CHUNK_ROWS, BoostingLoss

    n = CHUNK_ROWS + 1000
    y = (rng.random(n) < 0.4).astype(float)
    raw = rng.normal(scale=6.0, size=(n, 1))
    w = rng.uniform(0.0, 2.0, n)
    compiled = BOOSTING_LOSSES["log_loss"](y, w, 2, 0.9)
    assert type(compiled) is not BoostingLoss  # the fused pass is the one tested
    g, h = np.empty((n, 1)), np.empty((n, 1))
    value = compiled.loss_gradient_hessian(y, raw, w, g, h)
    g_ref, h_ref = np.empty((n, 1)), np.empty((n, 1))
    reference = BoostingLoss(LogisticLoss()).loss_gradient_hessian(y, raw, w, g_ref, h_ref)
    assert value == pytest.approx(reference, rel=1e-13)
    np.testing.assert_allclose(g, g_ref, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(h, h_ref, rtol=1e-14, atol=1e-300)


def test_first_loss_is_the_best_constant(rng):
    """F₀ minimises the loss over constants: the mean, the median, log of the mean."""
    X, y = _regression(rng)
    expected = {
        "squared_error": np.mean(y),
        "absolute_error": np.median(y),
        "poisson": np.log(np.mean(y)),
    }
    for loss, baseline in expected.items():
        model = GradientBoostingRegressor(loss=loss, max_iter=1).fit(X, y)
        np.testing.assert_allclose(model.baseline_prediction_, [baseline], rtol=1e-12)


def test_l2_regularisation_shrinks_the_first_tree(rng):
    X, y = _regression(rng)
    plain = GradientBoostingRegressor(max_iter=1, learning_rate=1.0).fit(X, y)
    shrunk = GradientBoostingRegressor(max_iter=1, learning_rate=1.0, l2_regularization=1e4)
    shrunk.fit(X, y)
    spread = np.ptp(plain.predict(X))
    assert np.ptp(shrunk.predict(X)) < 0.2 * spread


def test_huber_resists_outliers(rng):
    X, y = _regression(rng, n=800)
    clean = y.copy()
    y = y.copy()
    y[rng.choice(800, size=40, replace=False)] += 50.0
    errors = {}
    for loss in ("squared_error", "huber"):
        model = GradientBoostingRegressor(loss=loss, max_iter=80).fit(X, y)
        errors[loss] = np.mean((model.predict(X) - clean) ** 2)
    assert errors["huber"] < 0.3 * errors["squared_error"]


# --------------------------------------------------------------------------- constraints
def _grid_predictions(model, X, feature):
    """Predictions as ``feature`` sweeps a grid, the other features held at rows of X."""
    grid = np.linspace(-3, 3, 61)
    rows = np.repeat(X[:20], grid.size, axis=0)
    rows[:, feature] = np.tile(grid, 20)
    out = model.decision_function(rows) if hasattr(model, "classes_") else model.predict(rows)
    return out.reshape(20, grid.size)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_monotonic_constraints_hold_on_a_grid(rng, kind):
    X = rng.normal(size=(1000, 3))
    signal = np.sin(3 * X[:, 0]) + X[:, 0] - np.cos(3 * X[:, 1]) - X[:, 1] + X[:, 2]
    if kind == "regressor":
        model = GradientBoostingRegressor(monotonic_cst=[1, -1, 0], max_iter=50)
        model.fit(X, signal + 0.3 * rng.normal(size=1000))
    else:
        model = GradientBoostingClassifier(monotonic_cst={0: 1, 1: -1}, max_iter=50)
        model.fit(X, (signal + 0.3 * rng.normal(size=1000) > 0).astype(int))
    assert np.all(np.diff(_grid_predictions(model, X, 0), axis=1) >= -1e-12)
    assert np.all(np.diff(_grid_predictions(model, X, 1), axis=1) <= 1e-12)
    free = GradientBoostingRegressor(max_iter=50).fit(X, signal)
    assert np.any(np.diff(_grid_predictions(free, X, 0), axis=1) < -1e-3)  # sine wiggles


def test_monotonic_constraint_by_feature_name(rng):
    X = pd.DataFrame(rng.normal(size=(500, 2)), columns=["dose", "age"])
    y = np.sin(3 * X["dose"]) + X["dose"]
    model = GradientBoostingRegressor(monotonic_cst={"dose": 1}, max_iter=30).fit(X, y)
    grid = pd.DataFrame({"dose": np.linspace(-3, 3, 50), "age": 0.0})
    assert np.all(np.diff(model.predict(grid)) >= -1e-12)


def test_interaction_constraints_make_an_additive_model(rng):
    X = rng.normal(size=(800, 2))
    y = X[:, 0] * X[:, 1] + X[:, 0] ** 2 + np.sin(X[:, 1])
    model = GradientBoostingRegressor(interaction_cst="no_interactions", max_iter=60).fit(X, y)
    # additive in x0 and x1: f(a, b) − f(a, c) does not depend on a
    a = np.linspace(-2, 2, 9)
    f_b = model.predict(np.column_stack([a, np.full(9, 0.5)]))
    f_c = model.predict(np.column_stack([a, np.full(9, -1.0)]))
    np.testing.assert_allclose(f_b - f_c, (f_b - f_c)[0], atol=1e-12)


def test_growth_limits_are_respected(rng):
    X, y = _regression(rng, n=2000)
    model = GradientBoostingRegressor(max_iter=5, max_leaf_nodes=6, min_samples_leaf=50)
    trees = model.fit(X, y).trees_
    leaves = trees["left"] < 0
    assert np.all(trees["count"][leaves] >= 50)
    for start, stop in zip(trees["roots"], [*trees["roots"][1:], leaves.size], strict=True):
        assert leaves[start:stop].sum() <= 6
    deep = GradientBoostingRegressor(max_iter=3, max_depth=1, max_leaf_nodes=None).fit(X, y)
    assert deep.trees_["feature"].size == 3 * 3  # stumps: a root and two leaves each


# ------------------------------------------------------------------ missing / categorical
def test_missing_values_go_to_the_side_that_fits_them(rng):
    X = rng.normal(size=(2000, 2))
    y = X[:, 0].copy()
    missing = rng.random(2000) < 0.2
    X[missing, 0] = np.nan
    y[missing] = 3.0  # rows with a missing x0 all have a large target
    model = GradientBoostingRegressor(max_iter=80).fit(X, y)
    np.testing.assert_allclose(model.predict(X[missing]), 3.0, atol=0.15)
    low = model.predict(np.array([[-2.5, 0.0]]))[0]
    assert low < 0  # a NaN bin of its own, not lumped with the smallest values


def test_missing_at_predict_without_missing_at_fit_follows_the_larger_child(rng):
    X = rng.normal(size=(500, 1))
    y = (X[:, 0] > 1.0).astype(float)  # most rows left of the split
    model = GradientBoostingRegressor(max_iter=1, max_leaf_nodes=2, learning_rate=1.0).fit(X, y)
    assert model.predict(np.array([[np.nan]]))[0] == model.predict(np.array([[-1.0]]))[0]


def test_a_planted_category_subset_is_recovered(rng):
    colours = np.array(list("abcdefgh"))
    X = pd.DataFrame({"colour": rng.choice(colours, size=3000), "noise": rng.normal(size=3000)})
    y = X["colour"].isin(["b", "d", "g"]).astype(int)
    stump = GradientBoostingClassifier(max_iter=1, max_leaf_nodes=2).fit(X, y)
    assert stump.is_categorical_.tolist() == [True, False]
    probe = pd.DataFrame({"colour": colours, "noise": 0.0})
    scores = stump.decision_function(probe)
    assert set(colours[scores > scores.mean()]) == {"b", "d", "g"}


def test_categories_from_strings_category_dtype_and_codes_agree(rng):
    colours = rng.choice(["red", "green", "blue", None], size=1500)
    x = rng.normal(size=1500)
    y = x + (colours == "red") * 2.0 - (colours == "blue") + 0.1 * rng.normal(size=1500)
    as_str = pd.DataFrame({"colour": pd.Series(colours, dtype="str"), "x": x})
    as_cat = as_str.astype({"colour": "category"})
    codes = pd.Series(colours).map({"blue": 0.0, "green": 1.0, "red": 2.0}).to_numpy()
    as_codes = np.column_stack([codes, x])
    settings = {"max_iter": 30}
    a = GradientBoostingRegressor(**settings).fit(as_str, y).predict(as_str)
    b = GradientBoostingRegressor(**settings).fit(as_cat, y).predict(as_cat)
    c = GradientBoostingRegressor(categorical_features=[0], **settings).fit(as_codes, y)
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, c.predict(as_codes))


def test_unseen_category_is_treated_as_missing(rng):
    X = pd.DataFrame({"city": rng.choice(["Oslo", "Rome", None], size=600), "x": 0.0})
    y = (X["city"] == "Rome").astype(float) + X["city"].isna() * 2.0
    model = GradientBoostingRegressor(max_iter=20, min_samples_leaf=5).fit(X, y)
    unseen = model.predict(pd.DataFrame({"city": ["Lima"], "x": [0.0]}))
    missing = model.predict(pd.DataFrame({"city": [None], "x": [0.0]}))
    np.testing.assert_array_equal(unseen, missing)


def test_polars_frames_are_read_like_pandas(rng):
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame({"kind": rng.choice(["u", "v", "w"], size=400), "x": rng.normal(size=400)})
    y = frame["x"] + (frame["kind"] == "v")
    ours = GradientBoostingRegressor(max_iter=10).fit(frame, y).predict(frame)
    table = pl.DataFrame({"kind": frame["kind"].tolist(), "x": frame["x"].to_numpy()})
    polars = GradientBoostingRegressor(max_iter=10).fit(table, y)
    assert polars.is_categorical_.tolist() == [True, False]
    np.testing.assert_allclose(polars.predict(table), ours)


# --------------------------------------------------------------- staging and determinism
def test_staged_predictions_equal_shorter_fits(rng):
    X, y = _classification(rng, n_classes=3)
    full = GradientBoostingClassifier(max_iter=12, random_state=0).fit(X, y)
    stages = list(full.staged_predict_proba(X))
    assert len(stages) == 12
    np.testing.assert_allclose(stages[-1], full.predict_proba(X), rtol=1e-12)
    for m in (1, 5):
        short = GradientBoostingClassifier(max_iter=m, random_state=0).fit(X, y)
        np.testing.assert_allclose(stages[m - 1], short.predict_proba(X), rtol=1e-12)
    labels = list(full.staged_predict(X))
    np.testing.assert_array_equal(labels[-1], full.predict(X))
    scores = list(full.staged_decision_function(X))
    np.testing.assert_allclose(scores[-1], full.decision_function(X))
    Xr, yr = _regression(rng)
    reg = GradientBoostingRegressor(max_iter=7).fit(Xr, yr)
    np.testing.assert_allclose(list(reg.staged_predict(Xr))[-1], reg.predict(Xr))


def test_same_random_state_same_model(rng, seed):
    X, y = _classification(rng, n=12_000)  # > 10 000 rows: early stopping on a random split
    settings = {"max_features": 0.5, "max_iter": 30, "random_state": seed}
    a = GradientBoostingClassifier(**settings).fit(X, y)
    b = GradientBoostingClassifier(**settings).fit(X, y)
    for name, values in a.trees_.items():
        np.testing.assert_array_equal(values, b.trees_[name], err_msg=name)
    other = GradientBoostingClassifier(**{**settings, "random_state": seed + 1}).fit(X, y)
    assert other.trees_["feature"].size != a.trees_["feature"].size or np.any(
        other.trees_["threshold"] != a.trees_["threshold"]
    )


# ---------------------------------------------------------------------- early stopping
def test_early_stopping_on_held_out_loss(rng):
    X = rng.normal(size=(12_000, 3))
    y = (X[:, 0] + rng.normal(size=12_000) > 0).astype(int)  # little to learn beyond x0
    model = GradientBoostingClassifier(max_iter=500, learning_rate=0.3).fit(X, y)
    assert model.do_early_stopping_
    assert model.n_iter_ < 500
    validation = model.history_["validation_loss"]
    assert validation.size == model.n_iter_ + 1
    best = validation[: -model.n_iter_no_change].min()
    assert np.all(validation[-model.n_iter_no_change :] > best - model.tol)
    np.testing.assert_allclose(model.validation_score_, -validation)
    assert model.history_["train_loss"].size == model.n_iter_ + 1


def test_early_stopping_choices(rng):
    X, y = _regression(rng, n=400)
    off = GradientBoostingRegressor(max_iter=30).fit(X, y)  # "auto": off below 10 000 rows
    assert not off.do_early_stopping_ and off.n_iter_ == 30
    assert off.history_["validation_loss"].size == 0
    y_noise = rng.normal(size=400)
    on_train = GradientBoostingRegressor(
        early_stopping=True, validation_fraction=None, max_iter=2000, tol=1e-3
    ).fit(X, y_noise)
    assert on_train.n_iter_ < 2000
    assert on_train.history_["train_loss"].size == on_train.n_iter_ + 1


# ------------------------------------------------------------------------- importances
def test_feature_importances(rng):
    X, y = _regression(rng, d=5)
    model = GradientBoostingRegressor(max_iter=40).fit(X, y)
    gain = model.feature_importances_
    np.testing.assert_allclose(gain.sum(), 1.0)
    assert gain[0] > 0.5 and gain[2:].max() < 0.1
    splits = model.feature_importances("split")
    internal = model.trees_["feature"][model.trees_["feature"] >= 0]
    np.testing.assert_allclose(splits, np.bincount(internal, minlength=5) / internal.size)
    with pytest.raises(ParameterError, match="'gain' or 'split'"):
        model.feature_importances("permutation")


def test_class_weight_equals_sample_weight(rng):
    X, y = _classification(rng, n_classes=3)
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    a = GradientBoostingClassifier(class_weight=weights, max_iter=20).fit(X, y)
    b = GradientBoostingClassifier(max_iter=20).fit(
        X, y, sample_weight=np.vectorize(weights.get)(y)
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    balanced = GradientBoostingClassifier(class_weight="balanced", max_iter=5).fit(X, y)
    assert balanced.n_iter_ == 5


def test_string_labels_and_probabilities(rng):
    X, y = _classification(rng)
    labels = np.array(["no", "yes"])[y]
    model = GradientBoostingClassifier(max_iter=20).fit(X, labels)
    assert model.classes_.tolist() == ["no", "yes"]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-model.decision_function(X))))
    np.testing.assert_array_equal(model.predict(X), model.classes_[(proba[:, 1] > 0.5) * 1])


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"learning_rate": 0.0}, ParameterError, "learning_rate"),
        ({"max_bins": 256}, ParameterError, "max_bins"),
        ({"loss": "log_loss"}, ParameterError, "loss"),
        ({"monotonic_cst": [1, 0]}, ParameterError, "one entry per feature"),
        ({"monotonic_cst": [2, 0, 0, 0]}, ParameterError, "-1, 0 or 1"),
        ({"monotonic_cst": {"dose": 1}}, ParameterError, "'dose'"),
        ({"interaction_cst": [[0, 9]]}, ParameterError, "feature indices"),
        ({"categorical_features": [7]}, ParameterError, "outside"),
        ({"monotonic_cst": [1, 0, 0, 0], "categorical_features": [0]}, ParameterError, "Categ"),
    ],
)
def test_bad_parameters_are_refused(rng, params, error, message):
    X, y = _regression(rng, n=100)
    with pytest.raises(error, match=message):
        GradientBoostingRegressor(**params).fit(X, y)


def test_bad_data_is_refused(rng):
    X, y = _regression(rng, n=100)
    with pytest.raises(DataValidationError, match="non-negative"):
        GradientBoostingRegressor(loss="poisson").fit(X, y - 10)
    with pytest.raises(DataValidationError, match="all zero"):
        GradientBoostingRegressor(loss="poisson").fit(X, np.zeros(100))
    with pytest.raises(DataValidationError, match="infinite"):
        GradientBoostingRegressor().fit(np.where(X > 2, np.inf, X), y)
    model = GradientBoostingRegressor(max_iter=2).fit(X, y)
    with pytest.raises(DataValidationError, match="expecting 4 features"):
        model.predict(X[:, :3])
    Xc, yc = _classification(rng, n_classes=3)
    with pytest.raises(ParameterError, match="multiclass"):
        GradientBoostingClassifier(monotonic_cst=[1, 0, 0, 0]).fit(Xc, yc)
    with pytest.raises(ParameterError, match=r"\[7\]"):
        GradientBoostingClassifier(class_weight={7: 2.0}).fit(Xc, yc)
    with pytest.raises(DataValidationError, match="at least 2 classes"):
        GradientBoostingClassifier().fit(Xc, np.zeros(Xc.shape[0]))


def test_strings_in_an_array_without_categorical_features_are_refused():
    X = np.array([["a", 1.0], ["b", 2.0]], dtype=object)
    from lemma.exceptions import DataTypeError

    with pytest.raises(DataTypeError, match="not numbers"):
        GradientBoostingRegressor().fit(X, [1.0, 2.0])


# -------------------------------------------------------------------------- invariances
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_increasing_transforms_of_features_change_nothing(seed):
    """Trees see only the order of a feature's values (here ≤ 255 distinct: one bin each)."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(300, 3)), 1)
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=300)
    model = GradientBoostingRegressor(max_iter=20, min_samples_leaf=5)
    before = model.fit(X, y).predict(X)
    transformed = np.column_stack([np.exp(X[:, 0]), X[:, 1] ** 3, 5 * X[:, 2] - 2])
    np.testing.assert_allclose(model.fit(transformed, y).predict(transformed), before)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_changes_nothing(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 3))
    X[rng.random((300, 3)) < 0.1] = np.nan
    y = np.nan_to_num(X[:, 0]) + np.isnan(X[:, 1]) + 0.1 * rng.normal(size=300)
    order = rng.permutation(300)
    model = GradientBoostingRegressor(max_iter=20, min_samples_leaf=5)
    before = model.fit(X, y).predict(X)
    after = model.fit(X[order], y[order]).predict(X)
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9)
