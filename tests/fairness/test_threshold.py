"""ThresholdOptimizer: fairlearn's decisions, the constraint met on the fit data, less
disparity on held-out data, the hull, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lemma.fairness as lf
from lemma.exceptions import DataValidationError, NotFittedError, ParameterError
from lemma.fairness.threshold import upper_hull
from lemma.models.linear import LogisticRegression
from tests.fairness._planted import planted_bias

postprocessing = pytest.importorskip("fairlearn.postprocessing")

CONSTRAINTS = ["demographic_parity", "equalized_odds"]


def _three_groups(rng, n=1500):
    group = rng.choice(np.array(["a", "b", "c"]), n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 2)) + 0.8 * (group == "a")[:, None]
    y = (X[:, 0] + rng.normal(size=n) > 0.5).astype(int)
    return X, y, group


@pytest.mark.parametrize("constraints", CONSTRAINTS)
def test_operating_point_equals_fairlearn(seed, constraints):
    """Same common point, same expected accuracy, same group rates as fairlearn's.

    Per-row decisions agree too, except where three points of a group's curve are
    collinear up to rounding: then either pair of thresholds reaches the same
    point, and the two implementations may pick different pairs.
    """
    rng = np.random.default_rng(seed)
    X, y, group = _three_groups(rng)
    scorer = LogisticRegression().fit(X, y)
    ours = lf.ThresholdOptimizer(scorer, constraints=constraints, prefit=True)
    ours.fit(X, y, sensitive_features=group)
    ref = postprocessing.ThresholdOptimizer(
        estimator=scorer, constraints=constraints, prefit=True, predict_method="predict_proba"
    ).fit(X, y, sensitive_features=group)
    assert ours.rules_["x"].iloc[0] == pytest.approx(ref._x_best, abs=1e-12)
    p = ours._pmf_predict(X, sensitive_features=group)[:, 1]
    q = ref._pmf_predict(X, sensitive_features=group)[:, 1]
    assert np.mean(np.where(y == 1, p, 1 - p)) == pytest.approx(
        np.mean(np.where(y == 1, q, 1 - q)), abs=1e-12
    )
    for g in "abc":
        for mask in (group == g, (group == g) & (y == 1), (group == g) & (y == 0)):
            assert p[mask].mean() == pytest.approx(q[mask].mean(), abs=1e-12)
    assert np.mean(np.abs(p - q) < 1e-12) > 0.9


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("constraints", CONSTRAINTS)
def test_constraint_is_met_on_the_fit_data(rng, constraints, weighted):
    X, y, group = _three_groups(rng)
    w = rng.integers(1, 4, y.size).astype(float) if weighted else np.ones(y.size)
    model = lf.ThresholdOptimizer(LogisticRegression(), constraints=constraints, grid_size=500)
    model.fit(X, y, sensitive_features=group, sample_weight=w if weighted else None)
    p = model._pmf_predict(X, sensitive_features=group)[:, 1]

    def rate(mask):  # expected share of the rows in ``mask`` predicted positive
        return [np.average(p[mask & (group == g)], weights=w[mask & (group == g)]) for g in "abc"]

    everyone = np.ones(y.size, bool)
    conditions = [everyone] if constraints == "demographic_parity" else [y == 1, y == 0]
    for mask in conditions:
        rates = rate(mask)
        assert max(rates) - min(rates) < 1e-12, rates
    disparity = lf.threshold.CONSTRAINT_DISPARITY[constraints]
    assert model.fit_report_.table.loc[disparity, "after"] < 1e-12
    assert model.fit_report_.table.loc[disparity, "before"] > 0.05
    expected_accuracy = np.average(np.where(y == 1, p, 1 - p), weights=w)
    assert model.fit_report_.table.loc["accuracy", "after"] == pytest.approx(expected_accuracy)


@pytest.mark.parametrize("constraints", CONSTRAINTS)
def test_disparity_shrinks_on_held_out_data(seed, constraints):
    rng = np.random.default_rng(seed)
    X, y, group = planted_bias(rng, n=3000)
    train, test = slice(0, 1500), slice(1500, None)
    model = lf.ThresholdOptimizer(LogisticRegression(), constraints=constraints, random_state=seed)
    model.fit(X[train], y[train], sensitive_features=group[train])
    report = model.tradeoff(
        X[test], y[test], sensitive_features=group[test], n_boot=300, random_state=seed
    )
    name = lf.threshold.CONSTRAINT_DISPARITY[constraints]
    row = report.table.loc[name]
    assert row["after"] < row["before"] / 2
    assert row["change_high"] < 0  # the reduction is beyond the bootstrap noise
    # hard randomised decisions reduce it too
    decisions = model.predict(X[test], sensitive_features=group[test])
    metric = getattr(lf, name)
    assert metric(y[test], decisions, sensitive_features=group[test]) < row["before"]
    assert set(report.to_dict()) == {"level", "n_boot", "summary", "rows"}


def test_predictions_repeat_with_the_seed_and_keep_the_labels(rng):
    X, y, group = _three_groups(rng, n=400)
    labels = np.where(y == 1, "yes", "no")
    model = lf.ThresholdOptimizer(LogisticRegression(), random_state=3)
    model.fit(X, labels, sensitive_features=group)
    first = model.predict(X, sensitive_features=group)
    np.testing.assert_array_equal(first, model.predict(X, sensitive_features=group))
    assert set(first) <= {"no", "yes"}
    one_group = model.predict(X[:5], sensitive_features=["b"] * 5)  # one group is fine here
    assert one_group.shape == (5,)
    assert 0 <= model.score(X, labels, sensitive_features=group) <= 1
    with pytest.raises(DataValidationError, match="score needs sensitive_features"):
        model.score(X, labels)


def test_bad_input(rng):
    X, y, group = _three_groups(rng, n=300)
    with pytest.raises(NotFittedError):
        lf.ThresholdOptimizer(LogisticRegression()).predict(X, sensitive_features=group)
    with pytest.raises(ParameterError, match="'constraints' parameter"):
        lf.ThresholdOptimizer(LogisticRegression(), constraints="parity").fit(
            X, y, sensitive_features=group
        )
    model = lf.ThresholdOptimizer(LogisticRegression()).fit(X, y, sensitive_features=group)
    with pytest.raises(DataValidationError, match=r"groups \['d'\] that were not seen"):
        model.predict(X[:2], sensitive_features=["a", "d"])
    no_positives = np.where(group == "c", 0, y)
    with pytest.raises(DataValidationError, match="Group 'c' has no positive rows"):
        lf.ThresholdOptimizer(LogisticRegression(), constraints="equalized_odds").fit(
            X, no_positives, sensitive_features=group
        )
    with pytest.raises(DataValidationError, match="for two classes"):
        lf.ThresholdOptimizer(LogisticRegression()).fit(
            X, y + (group == "a"), sensitive_features=group
        )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=30))
def test_upper_hull_is_concave_and_covers_every_point(points):
    xy = np.array(sorted(points), dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    hull = upper_hull(x, y)
    hx, hy = x[hull], y[hull]
    assert np.all(np.diff(hx) > 0)  # one vertex per x
    slopes = np.diff(hy) / np.diff(hx)
    assert np.all(np.diff(slopes) < 0)  # strictly concave: no collinear vertex kept
    assert np.all(y <= np.interp(x, hx, hy) + 1e-12)  # every point lies on or under it
    assert hx[0] == x.min() and hx[-1] == x.max()
