"""Gradient boosting against scikit-learn's HistGradientBoosting* with matching settings.

With early stopping off, no feature subsampling and fewer than 200 000 rows, both
libraries bin the same way and grow trees by the same rule, so regression
predictions agree to rounding (the gradient arithmetic differs in the last bits).
Classification gradients at the first iteration take two values per class, so many
candidate splits tie exactly and rounding picks among them differently; there the
comparison is test accuracy, mean over five train/test splits.
"""

from __future__ import annotations

import numpy as np
import pytest

from lemma.models.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
sklearn_datasets = pytest.importorskip("sklearn.datasets")


def _diabetes(missing: bool):
    X, y = sklearn_datasets.load_diabetes(return_X_y=True)
    if missing:
        X = X.copy()
        X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan  # fixed data, fixed seed
    return X, y


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize(
    "params",
    [{}, {"l2_regularization": 1.0, "max_depth": 3}, {"max_leaf_nodes": 8, "min_samples_leaf": 5}],
)
@pytest.mark.parametrize("missing", [False, True])
def test_regression_predictions_match(loss, params, missing):
    X, y = _diabetes(missing)
    settings = {"loss": loss, "early_stopping": False, "max_iter": 50, **params}
    ours = GradientBoostingRegressor(**settings).fit(X, y).predict(X)
    theirs = sklearn_ensemble.HistGradientBoostingRegressor(**settings).fit(X, y).predict(X)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6 * np.abs(theirs).max())


def test_weighted_regression_matches_with_few_distinct_values(rng):
    X = np.round(rng.normal(size=(600, 4)), 1)  # < 255 distinct values: midpoint edges
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=600)
    w = rng.uniform(0.2, 3.0, size=600)
    settings = {"early_stopping": False, "max_iter": 40, "min_samples_leaf": 10}
    ours = GradientBoostingRegressor(**settings).fit(X, y, sample_weight=w).predict(X)
    theirs = sklearn_ensemble.HistGradientBoostingRegressor(**settings)
    theirs = theirs.fit(X, y, sample_weight=w).predict(X)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6 * np.abs(theirs).max())


def _split(X, y, seed, stratify=None):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)


@pytest.mark.parametrize(
    ("loader", "is_classifier"),
    [("load_breast_cancer", True), ("load_wine", True), ("load_diabetes", False)],
)
def test_test_scores_within_half_a_point_over_five_seeds(loader, is_classifier):
    X, y = getattr(sklearn_datasets, loader)(return_X_y=True)
    ours_cls = GradientBoostingClassifier if is_classifier else GradientBoostingRegressor
    theirs_cls = (
        sklearn_ensemble.HistGradientBoostingClassifier
        if is_classifier
        else sklearn_ensemble.HistGradientBoostingRegressor
    )
    settings = {"max_iter": 100, "early_stopping": False}
    ours, theirs = [], []
    for seed in range(5):
        X_train, X_test, y_train, y_test = _split(X, y, seed, y if is_classifier else None)
        ours.append(ours_cls(**settings).fit(X_train, y_train).score(X_test, y_test))
        theirs.append(theirs_cls(**settings).fit(X_train, y_train).score(X_test, y_test))
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.005, (ours, theirs)


def test_probabilities_and_scores_have_scikit_learn_shapes():
    X, y = sklearn_datasets.load_wine(return_X_y=True)
    ours = GradientBoostingClassifier(max_iter=10).fit(X, y)
    theirs = sklearn_ensemble.HistGradientBoostingClassifier(max_iter=10).fit(X, y)
    assert ours.decision_function(X).shape == theirs.decision_function(X).shape
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.mean(ours.predict(X) == theirs.predict(X)) > 0.97
    np.testing.assert_allclose(ours.baseline_prediction_, theirs._baseline_prediction.ravel())
