"""Groups, small groups, bad input and invariances of the fairness metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lemma.fairness as lf
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.fairness._groups import as_groups
from lemma.metrics import accuracy_score

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")


def _three_groups(rng, n_small=10):
    """Two large groups with selection rates near 0.3 and 0.5; a small group at 1.0."""
    group = np.array(["a"] * 200 + ["b"] * 200 + ["c"] * n_small)
    y_pred = np.concatenate(
        [rng.random(200) < 0.3, rng.random(200) < 0.5, np.ones(n_small, bool)]
    ).astype(int)
    y_true = rng.integers(0, 2, group.size)
    return y_true, y_pred, group


# ---------------------------------------------------------------------- small groups
def test_small_group_is_reported_not_compared(rng):
    y_true, y_pred, group = _three_groups(rng)
    gm = lf.GroupMetrics(lf.selection_rate, y_true, y_pred, sensitive_features=group)
    assert gm.too_small.to_dict() == {"c": 10}
    assert list(gm.by_group.index) == ["a", "b"]
    assert gm.group_sizes.to_dict() == {"a": 200, "b": 200, "c": 10}
    large = group != "c"
    expected = fairlearn_metrics.demographic_parity_difference(
        y_true[large], y_pred[large], sensitive_features=group[large]
    )
    # the small group's selection rate of 1.0 would dominate the difference if compared
    assert gm.difference()["selection_rate"] == pytest.approx(expected, abs=1e-12)
    assert lf.demographic_parity_difference(
        y_true, y_pred, sensitive_features=group
    ) == pytest.approx(expected, abs=1e-12)
    # but it counts in the overall rate
    assert gm.overall["selection_rate"] == pytest.approx(y_pred.mean())
    table = lf.calibration_by_group(y_true, y_pred * 0.5, sensitive_features=group)
    assert table.loc["c", "too_small"] and np.isnan(table.loc["c", "calibration_gap"])
    impact = lf.disparate_impact(y_true, y_pred, sensitive_features=group)
    assert "c" not in impact.selection_rates.index and impact.too_small.to_dict() == {"c": 10}


def test_min_group_size_one_compares_every_group(rng):
    y_true, y_pred, group = _three_groups(rng)
    ours = lf.demographic_parity_difference(
        y_true, y_pred, sensitive_features=group, min_group_size=1
    )
    ref = fairlearn_metrics.demographic_parity_difference(y_true, y_pred, sensitive_features=group)
    assert ours == pytest.approx(ref, abs=1e-12)


def test_fewer_than_two_judged_groups_is_a_clear_error(rng):
    y_true, y_pred, group = _three_groups(rng)
    with pytest.raises(DataValidationError, match=r"too small: 'b' .* rows"):
        lf.equalized_odds_difference(y_true[:220], y_pred[:220], sensitive_features=group[:220])


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("missing", [np.nan, None, pd.NA])
def test_nan_in_sensitive_feature_is_refused(missing):
    sex = pd.Series(["F", "M", missing, "M"] * 10, name="sex", dtype=object)
    y = np.arange(40) % 2
    with pytest.raises(DataValidationError, match=r"missing values .* column 'sex' .*10 rows"):
        lf.demographic_parity_difference(y, y, sensitive_features=sex, min_group_size=1)
    with pytest.raises(DataValidationError, match="missing values"):
        lf.GroupMetrics(lf.selection_rate, y, y, sensitive_features=sex)


def test_single_group_is_refused():
    y = np.arange(40) % 2
    with pytest.raises(DataValidationError, match="single group \\('F', 40 rows\\)"):
        lf.demographic_parity_ratio(y, y, sensitive_features=["F"] * 40)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"sensitive_features": ["a", "b"] * 5},
            DataValidationError,
            "has 10 rows but y_true has 12",
        ),
        ({"pos_label": "yes"}, DataValidationError, "pos_label='yes' is not a value"),
        ({"min_group_size": 0}, ParameterError, "min_group_size"),
        ({"method": "pairwise"}, ParameterError, "'method' parameter"),
        ({"sensitive_features": None}, DataValidationError, "sensitive_features is None"),
        ({"sensitive_features": np.zeros((12, 2, 2))}, DataValidationError, "1-D .* or 2-D"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    y = np.arange(12) % 2
    args = {"sensitive_features": ["a", "b"] * 6, "min_group_size": 1, **kwargs}
    with pytest.raises(error, match=match):
        lf.demographic_parity_difference(y, y, **args)


def test_probabilities_as_predictions_are_refused():
    with pytest.raises(DataValidationError, match=r"y_pred has 4 distinct values .* y_prob"):
        lf.selection_rate([0, 1, 1, 0], [0.1, 0.7, 0.8, 0.3])


def test_group_metrics_bad_metric_and_no_intervals():
    y = np.arange(40) % 2
    sf = ["a", "b"] * 20
    with pytest.raises(ParameterError, match="Unknown metric name 'auc'"):
        lf.GroupMetrics("auc", y, y, sensitive_features=sf)
    with pytest.raises(DataTypeError, match="returned an array"):
        lf.GroupMetrics(lambda t, p: np.array([1.0, 2.0]), y, y, sensitive_features=sf)
    with pytest.raises(ParameterError, match="n_boot=0"):
        lf.GroupMetrics(accuracy_score, y, y, sensitive_features=sf, min_group_size=1).intervals()


# ---------------------------------------------------------------------- intersections
def test_intersections_are_named_and_ordered_as_fairlearn():
    frame = pd.DataFrame({"sex": ["M", "F", "F", "M", "F"], "race": ["w", "b", "w", "w", "b"]})
    groups = as_groups(frame, min_group_size=1)
    assert groups.labels == ["F, b", "F, w", "M, w"]  # "M, b" does not occur: no group
    assert groups.codes.tolist() == [2, 0, 1, 2, 0]
    assert groups.name == "sex, race"
    assert groups.values[0] == ("F", "b")


def test_unsortable_values_still_group():
    groups = as_groups(["a", 1, "b", 1, 2.5], min_group_size=1)
    assert sorted(groups.labels) == ["1", "2.5", "a", "b"]
    assert groups.sizes[groups.labels.index("1")] == 2


# ---------------------------------------------------------------------- invariances
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_row_order_and_duplicated_rows(seed):
    rng = np.random.default_rng(seed)
    n = 60
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    group = rng.choice(["a", "b", "c"], n)
    if len(set(group)) < 2:
        return
    w = rng.integers(1, 3, n)
    for name in ("demographic_parity_difference", "equalized_odds_ratio"):
        metric = getattr(lf, name)
        base = metric(y_true, y_pred, sensitive_features=group, sample_weight=w, min_group_size=1)
        order = rng.permutation(n)
        shuffled = metric(
            y_true[order], y_pred[order], sensitive_features=group[order],
            sample_weight=w[order], min_group_size=1,
        )  # fmt: skip
        repeated = np.repeat(np.arange(n), w)
        duplicated = metric(
            y_true[repeated], y_pred[repeated], sensitive_features=group[repeated],
            min_group_size=1,
        )  # fmt: skip
        np.testing.assert_allclose([shuffled, duplicated], base, rtol=1e-12, equal_nan=True)
