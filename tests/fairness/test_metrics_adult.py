"""Every fairness metric equals fairlearn's on Adult, for sex, race and their intersection.

A fixed model (lemma's LogisticRegression on five standardised numeric columns,
fitted once per module on Adult's training file) predicts Adult's test file
(16,281 rows); fairlearn's ``MetricFrame`` and named functions are the reference,
to 1e-12, unweighted and weighted by the census weight ``fnlwgt``. fairlearn takes
about a second per call here, so the full grid (weighted, ``to_overall``) is
marked slow; the default run covers every metric for every grouping.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")

import lemma.fairness as lf  # noqa: E402
from lemma.io.datasets import load_adult  # noqa: E402
from lemma.metrics import accuracy_score  # noqa: E402
from lemma.models.linear import LogisticRegression  # noqa: E402

TOL = 1e-12
NUMERIC = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]
FEATURES = {"sex": ["sex"], "race": ["race"], "sex x race": ["sex", "race"]}


@pytest.fixture(scope="module")
def adult():
    train, df = load_adult("train"), load_adult("test")
    X_train = train[NUMERIC].to_numpy(dtype=float)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    y_train = (train["income"] == ">50K").to_numpy().astype(int)
    model = LogisticRegression().fit((X_train - mean) / std, y_train)
    X = (df[NUMERIC].to_numpy(dtype=float) - mean) / std
    return {
        "y_true": (df["income"] == ">50K").to_numpy().astype(int),
        "y_pred": model.predict(X),
        "y_prob": model.predict_proba(X)[:, 1],
        "frame": df,
        "weight": df["fnlwgt"].to_numpy(dtype=float),
    }


def _sensitive(adult, key):
    columns = FEATURES[key]
    frame = adult["frame"]
    return frame[columns[0]] if len(columns) == 1 else frame[columns]


def _weights(adult, weighted):
    return adult["weight"] if weighted else None


# (our metric, fairlearn's) evaluated per group by GroupMetrics and MetricFrame
PAIRS = {
    "selection_rate": (lf.selection_rate, fairlearn_metrics.selection_rate),
    "true_positive_rate": (lf.true_positive_rate, fairlearn_metrics.true_positive_rate),
    "false_positive_rate": (lf.false_positive_rate, fairlearn_metrics.false_positive_rate),
    "false_negative_rate": (lf.false_negative_rate, fairlearn_metrics.false_negative_rate),
    "true_negative_rate": (lf.true_negative_rate, fairlearn_metrics.true_negative_rate),
    "positive_predictive_value": (lf.positive_predictive_value, skm.precision_score),
    "accuracy": (accuracy_score, skm.accuracy_score),
}


def _flat_index(frame):
    """fairlearn's (Multi)Index as lemma's labels ("Female, Black"); empty combinations dropped."""
    frame = frame.dropna(how="all")
    if isinstance(frame.index, pd.MultiIndex):
        frame.index = [", ".join(str(v) for v in key) for key in frame.index]
    else:
        frame.index = [str(v) for v in frame.index]
    return frame


def _grid(*axes):
    """Parameter combinations; all but the first value of each later axis marked slow."""
    combos = [()]
    for axis in axes:
        combos = [(*c, v) for c in combos for v in axis]
    firsts = tuple(axis[0] for axis in axes)
    return [pytest.param(*c, marks=() if c[1:] == firsts[1:] else pytest.mark.slow) for c in combos]


@pytest.mark.parametrize(("key", "weighted"), _grid(list(FEATURES), [False, True]))
def test_group_metrics_equal_metric_frame(adult, key, weighted):
    sf = _sensitive(adult, key)
    w = _weights(adult, weighted)
    ours = lf.GroupMetrics(
        {name: pair[0] for name, pair in PAIRS.items()},
        adult["y_true"],
        adult["y_pred"],
        sensitive_features=sf,
        sample_weight=w,
    )
    ref = fairlearn_metrics.MetricFrame(
        metrics={name: pair[1] for name, pair in PAIRS.items()},
        y_true=adult["y_true"],
        y_pred=adult["y_pred"],
        sensitive_features=sf,
        sample_params={name: {"sample_weight": w} for name in PAIRS} if weighted else None,
    )
    assert len(ours.too_small) == 0  # every Adult group has >= 30 rows: all are compared
    by_group = _flat_index(ref.by_group.astype(float))
    assert not ours.by_group.isna().any().any()  # every rate is defined: a real comparison
    pd.testing.assert_frame_equal(
        ours.by_group, by_group, check_names=False, check_index_type=False, rtol=TOL, atol=TOL
    )
    np.testing.assert_allclose(ours.overall[list(PAIRS)], ref.overall.astype(float), rtol=TOL)
    for method in ("between_groups", "to_overall"):
        np.testing.assert_allclose(
            ours.difference(method), ref.difference(method=method).astype(float), rtol=TOL
        )
        np.testing.assert_allclose(
            ours.ratio(method), ref.ratio(method=method).astype(float), rtol=TOL
        )
    np.testing.assert_allclose(ours.group_min(), ref.group_min().astype(float), rtol=TOL)
    np.testing.assert_allclose(ours.group_max(), ref.group_max().astype(float), rtol=TOL)


NAMED = [
    ("demographic_parity_difference", fairlearn_metrics.demographic_parity_difference),
    ("demographic_parity_ratio", fairlearn_metrics.demographic_parity_ratio),
    ("equalized_odds_difference", fairlearn_metrics.equalized_odds_difference),
    ("equalized_odds_ratio", fairlearn_metrics.equalized_odds_ratio),
    ("equal_opportunity_difference", fairlearn_metrics.equal_opportunity_difference),
    ("equal_opportunity_ratio", fairlearn_metrics.equal_opportunity_ratio),
    ("false_positive_rate_difference", fairlearn_metrics.false_positive_rate_difference),
    ("false_negative_rate_difference", fairlearn_metrics.false_negative_rate_difference),
]


@pytest.mark.parametrize(
    ("key", "method", "weighted"),
    _grid(list(FEATURES), ["between_groups", "to_overall"], [False, True]),
)
@pytest.mark.parametrize(("name", "reference"), NAMED, ids=[n for n, _ in NAMED])
def test_named_metrics_equal_fairlearn(adult, name, reference, key, method, weighted):
    sf = _sensitive(adult, key)
    w = _weights(adult, weighted)
    ours = getattr(lf, name)(
        adult["y_true"], adult["y_pred"], sensitive_features=sf, method=method, sample_weight=w
    )
    expected = reference(
        adult["y_true"], adult["y_pred"], sensitive_features=sf, method=method, sample_weight=w
    )
    assert ours == pytest.approx(float(expected), rel=TOL, abs=TOL)


@pytest.mark.parametrize("key", list(FEATURES))
def test_predictive_parity_and_disparate_impact_equal_fairlearn(adult, key):
    sf = _sensitive(adult, key)
    frame = fairlearn_metrics.MetricFrame(
        metrics={"ppv": skm.precision_score, "selection": fairlearn_metrics.selection_rate},
        y_true=adult["y_true"],
        y_pred=adult["y_pred"],
        sensitive_features=sf,
    )
    ppv = lf.predictive_parity_difference(adult["y_true"], adult["y_pred"], sensitive_features=sf)
    assert ppv == pytest.approx(float(frame.difference()["ppv"]), rel=TOL)
    impact = lf.disparate_impact(adult["y_true"], adult["y_pred"], sensitive_features=sf)
    assert impact.ratio == pytest.approx(float(frame.ratio()["selection"]), rel=TOL)
    rates = _flat_index(frame.by_group[["selection"]].astype(float))["selection"]
    assert impact.lowest_group == rates.idxmin()
    assert impact.highest_group == rates.idxmax()
    assert impact.four_fifths_rule == (float(frame.ratio()["selection"]) >= 0.8)


@pytest.mark.parametrize("key", list(FEATURES))
def test_calibration_by_group_equals_group_means(adult, key):
    sf = _sensitive(adult, key)
    table = lf.calibration_by_group(adult["y_true"], adult["y_prob"], sensitive_features=sf)
    frame = fairlearn_metrics.MetricFrame(
        metrics={
            "mean_predicted": fairlearn_metrics.mean_prediction,
            "observed_rate": lambda y_true, y_pred: float(np.mean(y_true)),
        },
        y_true=adult["y_true"],
        y_pred=adult["y_prob"],
        sensitive_features=sf,
    )
    ref = _flat_index(frame.by_group.astype(float))
    np.testing.assert_allclose(table["mean_predicted"], ref["mean_predicted"], rtol=TOL)
    np.testing.assert_allclose(table["observed_rate"], ref["observed_rate"], rtol=TOL)
    np.testing.assert_allclose(
        table["calibration_gap"], ref["mean_predicted"] - ref["observed_rate"], atol=TOL
    )
