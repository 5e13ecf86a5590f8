"""IterativeImputer: recovery on low-rank data, scikit-learn agreement, replay, warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sklm
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer as SkIterativeImputer

from lemma.exceptions import ConvergenceWarning, LemmaWarning
from lemma.prep import IterativeImputer, SimpleImputer


def _low_rank(rng, n=300, d=6, rank=2, share=0.2):
    X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) + 0.2 * rng.normal(size=(n, d))
    missing = rng.random((n, d)) < share
    missing[missing.all(axis=1), 0] = False
    X_missing = X.copy()
    X_missing[missing] = np.nan
    return X, X_missing, missing


def test_recovers_low_rank_data_better_than_the_mean(rng):
    X, X_missing, missing = _low_rank(rng)
    iterative = IterativeImputer(max_iter=200, tol=1e-4).fit(X_missing)
    imputed = iterative.transform(X_missing)
    mean = SimpleImputer().fit_transform(X_missing)
    error = np.sqrt(np.mean((imputed[missing] - X[missing]) ** 2))
    baseline = np.sqrt(np.mean((mean[missing] - X[missing]) ** 2))
    assert error < 0.5 * baseline
    history = np.asarray(iterative.history_)
    assert iterative.n_iter_ == history.size and history[-1] < history[0]
    assert np.all(np.diff(history) <= 1e-12 * history[0])


def test_matches_sklearn_with_the_same_regressor(rng):
    _, X_missing, _ = _low_rank(rng, n=120, d=4)
    ours = IterativeImputer(max_iter=5, tol=0.0)
    theirs = SkIterativeImputer(estimator=sklm.Ridge(alpha=1.0), max_iter=5, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        got = ours.fit_transform(X_missing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs.fit_transform(X_missing)
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.transform(X_missing[:30]), theirs.transform(X_missing[:30]),
                               rtol=1e-8, atol=1e-10)  # fmt: skip


def test_transform_replays_the_fit(rng):
    _, X_missing, _ = _low_rank(rng, n=100, d=4)
    imputer = IterativeImputer(imputation_order="random", random_state=3, max_iter=200)
    first = imputer.fit_transform(X_missing)
    np.testing.assert_allclose(imputer.transform(X_missing), first, rtol=1e-12, atol=1e-12)
    again = IterativeImputer(imputation_order="random", random_state=3, max_iter=200)
    np.testing.assert_array_equal(again.fit_transform(X_missing), first)


def test_observed_values_untouched_and_no_missing_means_one_round(rng):
    X, X_missing, missing = _low_rank(rng, n=60, d=3)
    out = IterativeImputer(max_iter=200).fit_transform(X_missing)
    np.testing.assert_array_equal(out[~missing], X_missing[~missing])
    complete = IterativeImputer().fit(X)
    assert complete.n_iter_ == 1 and complete.history_ == [0.0]
    assert complete.imputation_sequence_ == []


def test_empty_column_dropped_with_warning(rng):
    _, X_missing, _ = _low_rank(rng, n=50, d=3)
    X_missing[:, 1] = np.nan
    with pytest.warns(LemmaWarning, match=r"Columns \[1\] have no observed values"):
        imputer = IterativeImputer(max_iter=200).fit(X_missing)
    assert list(imputer.get_feature_names_out()) == ["x0", "x2"]
    assert imputer.transform(X_missing).shape == (50, 2)


def test_convergence_warning_carries_the_change(rng):
    _, X_missing, _ = _low_rank(rng, n=80, d=4)
    with pytest.warns(ConvergenceWarning, match="largest change of an imputed value is"):
        IterativeImputer(max_iter=1, tol=0.0).fit(X_missing)
