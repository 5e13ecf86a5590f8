"""ExponentiatedGradient: less disparity on planted bias, agreement with fairlearn, the
moments, the game's bookkeeping and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import lemma.fairness as lf
from lemma.exceptions import ConvergenceWarning, DataValidationError, ParameterError
from lemma.fairness.reductions import moment_matrix
from lemma.models.linear import LogisticRegression
from tests.fairness._planted import planted_bias

reductions = pytest.importorskip("fairlearn.reductions")

FAIRLEARN_MOMENTS = {
    "demographic_parity": reductions.DemographicParity,
    "equalized_odds": reductions.EqualizedOdds,
}


def _expected_rates(p, y, group, constraints):
    """Expected disparity of a randomised classifier with P(ŷ=1) = p, and its error."""
    name = lf.threshold.CONSTRAINT_DISPARITY[constraints]
    tables = lf._tables.row_values(y.astype(float), p, np.ones(y.size), None)
    inputs = lf._tables.FairnessInputs(
        lf._groups.as_groups(group, min_group_size=1), tables, np.ones(y.size)
    )
    return inputs.disparity(name), float(np.mean(np.abs(p - y)))


@pytest.mark.parametrize("constraints", ["demographic_parity", "equalized_odds"])
def test_disparity_falls_and_agrees_with_fairlearn(rng, constraints):
    """Over three planted-bias data sets: same direction and size as fairlearn's reduction."""
    for _ in range(3):
        X, y, group = planted_bias(rng, n=600)
        baseline = LogisticRegression().fit(X, y).predict(X).astype(float)
        before, _ = _expected_rates(baseline, y, group, constraints)
        ours = lf.ExponentiatedGradient(LogisticRegression(), constraints=constraints)
        ours.fit(X, y, sensitive_features=group)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fairlearn's own FutureWarnings
            ref = reductions.ExponentiatedGradient(
                LogisticRegression(), constraints=FAIRLEARN_MOMENTS[constraints]()
            ).fit(X, y, sensitive_features=group)
        ours_disparity, ours_error = _expected_rates(
            ours._pmf_predict(X)[:, 1], y, group, constraints
        )
        ref_disparity, ref_error = _expected_rates(ref._pmf_predict(X)[:, 1], y, group, constraints)
        assert before > 0.1
        assert ours_disparity < before / 3
        assert ours_disparity == pytest.approx(ref_disparity, abs=0.01)
        assert ours_error == pytest.approx(ref_error, abs=0.01)
        report = ours.fit_report_.table
        assert report.loc[
            lf.threshold.CONSTRAINT_DISPARITY[constraints], "before"
        ] == pytest.approx(before)
        assert report.loc[lf.threshold.CONSTRAINT_DISPARITY[constraints], "after"] == pytest.approx(
            ours_disparity
        )


def test_moments_are_conditional_means(rng):
    """γ(h) = Mᵀh equals E[h | A=a, Y=y] − E[h | Y=y], computed by pandas."""
    n = 200
    y = rng.integers(0, 2, n)
    group = rng.choice(["a", "b", "c"], n)
    w = rng.integers(1, 4, n).astype(float)
    h = rng.integers(0, 2, n).astype(float)
    M, cells = moment_matrix(y, lf._groups.as_groups(group, min_group_size=1).codes, w)
    frame = pd.DataFrame({"y": y, "g": group, "w": w, "hw": h * w})
    labels = sorted(set(group))
    for c, (event, code) in enumerate(cells):
        cell = frame[(frame.y == event) & (frame.g == labels[code])]
        in_event = frame[frame.y == event]
        expected = cell.hw.sum() / cell.w.sum() - in_event.hw.sum() / in_event.w.sum()
        assert M[:, c] @ h == pytest.approx(expected, abs=1e-12)


def test_mixture_and_history(rng):
    X, y, group = planted_bias(rng, n=400)
    model = lf.ExponentiatedGradient(LogisticRegression(), eps=0.05, random_state=1)
    labels = np.where(y == 1, "high", "low")
    model.fit(X, labels, sensitive_features=group)
    assert model.weights_.sum() == pytest.approx(1.0)
    assert (model.weights_ >= 0).all() and len(model.weights_) == len(model.predictors_)
    assert model.history_.shape == (model.n_iter_,)
    assert model.best_gap_ == pytest.approx(model.history_.min(), abs=1e-8)
    assert model.best_gap_ < model.nu_
    first = model.predict(X)
    np.testing.assert_array_equal(first, model.predict(X))  # the same draws with random_state
    assert set(first) <= {"high", "low"}
    p = model._pmf_predict(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # classes_ are sorted: "high" is classes_[0], so P(ŷ = classes_[1]) is p[:, 1]
    assert list(model.classes_) == ["high", "low"]


def test_unconverged_game_warns_with_the_gap(rng):
    X, y, group = planted_bias(rng, n=400)
    model = lf.ExponentiatedGradient(LogisticRegression(), max_iter=1, nu=1e-9)
    with pytest.warns(ConvergenceWarning, match=r"after 1 rounds with duality gap .* > nu"):
        model.fit(X, y, sensitive_features=group)


def test_bad_input(rng):
    X, y, group = planted_bias(rng, n=100)
    with pytest.raises(ParameterError, match="'eps' parameter"):
        lf.ExponentiatedGradient(LogisticRegression(), eps=0).fit(X, y, sensitive_features=group)
    with pytest.raises(ParameterError, match="'constraints' parameter"):
        lf.ExponentiatedGradient(LogisticRegression(), constraints="parity").fit(
            X, y, sensitive_features=group
        )
    with pytest.raises(DataValidationError, match="single group"):
        lf.ExponentiatedGradient(LogisticRegression()).fit(X, y, sensitive_features=["a"] * 100)
    with pytest.raises(DataValidationError, match="for two classes"):
        lf.ExponentiatedGradient(LogisticRegression()).fit(
            X, y + (group == "a"), sensitive_features=group
        )
