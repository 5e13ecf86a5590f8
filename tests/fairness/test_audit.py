"""The audit, its checklist and the proxy search."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import lemma.fairness as lf
from lemma.exceptions import DataValidationError, ParameterError
from lemma.fairness.proxies import CALIBRATION_FAIL, CALIBRATION_WARN


def _population(rng, n=3000, rates=(0.30, 0.45)):
    sex = pd.Series(rng.choice(["Female", "Male"], n), name="sex")
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < np.where(sex == "Female", *rates)).astype(int)
    return y_true, y_pred, sex


# ---------------------------------------------------------------------------- proxies
def test_a_noisy_copy_of_the_attribute_has_the_closed_form_auc(rng):
    """A binary feature equal to A except for 10 % flips: AUC = (1 + TPR − FPR)/2 = 0.9."""
    n = 6000
    a = rng.choice(["a", "b"], n)
    copy = np.where(rng.random(n) < 0.1, np.where(a == "a", "b", "a"), a)
    X = pd.DataFrame({"copy": copy, "noise": rng.normal(size=n), "age": rng.integers(18, 80, n)})
    table = lf.find_proxies(X, a, random_state=rng).set_index("feature")
    assert table.loc["copy", "auc"] == pytest.approx(0.9, abs=0.015)
    assert table.loc["copy", "flag"] == "strong proxy"
    for name in ("noise", "age"):
        assert abs(table.loc[name, "auc"] - 0.5) < 0.04 and table.loc[name, "flag"] == ""
    assert table.loc["age", "kind"] == "numeric"


def test_the_attribute_itself_is_recognised(rng):
    n = 600
    race = pd.Series(rng.choice(["w", "b", "o"], n), name="race")
    X = pd.DataFrame(
        {
            "Race": race.to_numpy(),  # by name (case-insensitive)
            "code": race.map({"w": 0, "b": 1, "o": 2}),  # same grouping under other labels
            "income": rng.normal(size=n) + (race == "b"),  # a numeric, nonlinear-free proxy
            "spare": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),  # NaN is a bin
        }
    )
    table = lf.find_proxies(X, race, random_state=rng).set_index("feature")
    assert table.loc["Race", "flag"] == table.loc["code", "flag"] == "sensitive attribute"
    assert table.loc["Race", "auc"] == pytest.approx(1.0)
    assert table.loc["income", "auc"] > 0.6
    assert list(table["auc"]) == sorted(table["auc"], reverse=True)


def test_find_proxies_bad_input(rng):
    X = rng.normal(size=(20, 2))
    with pytest.raises(ParameterError, match="'cv' parameter"):
        lf.find_proxies(X, ["a", "b"] * 10, cv=1)
    with pytest.raises(DataValidationError, match="fewer than cv=3 folds"):
        lf.find_proxies(X, ["a"] * 18 + ["b"] * 2)


# ---------------------------------------------------------------------------- audit
def test_failing_audit_verdict_and_numbers(rng):
    y_true, y_pred, sex = _population(rng, rates=(0.15, 0.45))
    result = lf.audit(y_true, y_pred, sensitive_features=sex, n_boot=300, random_state=rng)
    di = result.disparate_impact
    assert not di["four_fifths_rule"]
    assert di["lowest_group"] == "Female" and di["highest_group"] == "Male"
    assert di["ratio"] == pytest.approx(
        lf.demographic_parity_ratio(y_true, y_pred, sensitive_features=sex)
    )
    assert di["ci_low"] < di["ratio"] < di["ci_high"] < 0.8
    assert result.verdict.startswith(
        f"sex = Female is selected at {di['ratio']:.2f} times the rate of sex = Male (95% CI "
    )
    assert "fails the four-fifths rule" in result.verdict
    for name in ("equalized_odds_difference", "predictive_parity_difference"):
        assert result.disparities.loc[name, "estimate"] == pytest.approx(
            getattr(lf, name)(y_true, y_pred, sensitive_features=sex)
        )
    gm = lf.GroupMetrics(
        ["selection_rate", "true_positive_rate"], y_true, y_pred, sensitive_features=sex
    )
    pd.testing.assert_frame_equal(
        result.by_group[["selection_rate", "true_positive_rate"]], gm.by_group, check_names=False
    )
    status = {item.name: item.status for item in result.checklist}
    assert status["four-fifths rule"] == "fail"


def test_passing_audit_says_so(rng):
    y_true, y_pred, sex = _population(rng, rates=(0.40, 0.41))
    result = lf.audit(y_true, y_pred, sensitive_features=sex, n_boot=0)
    assert result.verdict.startswith("No disparity beyond the four-fifths rule: ")
    assert result.disparities["ci_low"].isna().all()  # no intervals asked for
    status = {item.name: item.status for item in result.checklist}
    assert status == {
        "four-fifths rule": "pass",
        "groups too small": "pass",
        "calibration gaps": "warn",
        "equalized-odds gap": "pass",
        "proxies": "warn",
    }
    assert "Not checked: calibration gaps, proxies." in result.verdict


def test_small_intersection_is_reported_not_judged(rng):
    n = 2000
    frame = pd.DataFrame(
        {"sex": rng.choice(["F", "M"], n), "race": np.where(np.arange(n) < 12, "x", "y")}
    )
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < 0.4).astype(int)
    y_pred[:12] = 0  # the tiny groups are never selected: a ratio of 0 if they were compared
    result = lf.audit(y_true, y_pred, sensitive_features=frame, n_boot=0)
    assert set(result.too_small.index) == {"F, x", "M, x"}
    assert set(result.by_group.index) == {"F, y", "M, y"}
    assert result.disparate_impact["ratio"] > 0.8
    item = next(i for i in result.checklist if i.name == "groups too small")
    assert item.status == "warn" and "F, x" in item.evidence and "not assessed" in item.evidence


@pytest.mark.parametrize(("shift", "status"), [(0.0, "pass"), (0.075, "warn"), (0.2, "fail")])
def test_calibration_check_thresholds(rng, shift, status):
    """Women's probabilities shifted up by ``shift``: the gap is ``shift`` ± 0.008 (1 s.e.)."""
    n = 8000
    sex = rng.choice(["F", "M"], n)
    prob = rng.uniform(0.1, 0.75, n)
    y_true = (rng.random(n) < prob).astype(int)
    y_prob = np.clip(prob + np.where(sex == "F", shift, 0.0), 0, 1)
    result = lf.audit(
        y_true, (y_prob > 0.5).astype(int), sensitive_features=sex, y_prob=y_prob, n_boot=0
    )
    item = next(i for i in result.checklist if i.name == "calibration gaps")
    assert item.status == status, item.evidence
    gap = result.calibration["calibration_gap"].abs().max()
    assert (gap <= CALIBRATION_WARN) == (status == "pass")
    assert (gap > CALIBRATION_FAIL) == (status == "fail")


def test_proxy_check_in_the_audit(rng):
    y_true, y_pred, sex = _population(rng, n=1500, rates=(0.4, 0.41))
    X = pd.DataFrame({"sex": sex, "noise": rng.normal(size=1500)})
    item = next(
        i
        for i in lf.audit(y_true, y_pred, sensitive_features=sex, X=X, n_boot=0).checklist
        if i.name == "proxies"
    )
    assert item.status == "fail" and "sensitive attribute is a feature" in item.evidence
    clean = lf.audit(y_true, y_pred, sensitive_features=sex, X=X[["noise"]], n_boot=0)
    assert clean.checklist[-1].status == "pass"


def test_renderings_and_the_model_card(rng):
    y_true, y_pred, sex = _population(rng, n=1500, rates=(0.15, 0.45))
    y_prob = np.clip(y_pred * 0.6 + 0.2, 0, 1)
    result = lf.audit(
        y_true, y_pred, sensitive_features=sex, y_prob=y_prob, n_boot=100, random_state=rng
    )
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["verdict"] == result.verdict
    assert data["sensitive_features"] == ["sex"]
    assert data["disparate_impact"]["sex"]["four_fifths_rule"] is False
    assert {"group", "n", "metric", "estimate", "ci_low", "ci_high"} <= set(data["by_group"][0])
    assert len(data["checklist"]) == 5 and len(data["disparities"]) == 11
    text = result.as_text()
    assert result.verdict in text and "Checklist:" in text and "[FAIL] four-fifths rule" in text
    assert "<table" in result._repr_html_()
    assert list(result.to_frame().index) == list(result.disparities.index)
    from lemma.explain import _evidence

    sentences = _evidence.collect_evidence({"fairness": data})["ethical"]
    assert any("Fails the four-fifths rule for sex" in s for s in sentences)


def test_a_group_nobody_in_which_is_selected_gets_an_exact_bound(rng):
    """The bootstrap interval of a zero rate collapses to 0–0; the verdict gives the
    Clopper–Pearson bound instead (the Beta(1, n) quantile, as SciPy computes it)."""
    from scipy import stats

    group = np.repeat(["a", "b"], [400, 60])
    y_pred = np.r_[(rng.random(400) < 0.4).astype(int), np.zeros(60, int)]
    y_true = rng.integers(0, 2, 460)
    result = lf.audit(y_true, y_pred, sensitive_features=group, n_boot=200, random_state=0)
    upper = stats.beta.ppf(0.975, 1, 60)
    assert result.disparate_impact["ci_high"] == 0.0  # what the bootstrap alone would say
    assert (
        f"nobody among its 60 rows was selected, so the bootstrap gives no interval; "
        f"the exact 95% bound on its rate is {upper:.3f}, a ratio up to "
        f"{upper / y_pred[:400].mean():.2f})" in result.verdict
    )
    assert "fails the four-fifths rule" in result.verdict
