"""check_leakage: each leak is found on a construction where it matters, and nothing on honest work.

References: the leaky and honest scores are recomputed by hand, split by split, with
plain fit/score loops; duplicates across splits are counted by brute force over row
pairs; the time-order check is compared with the splitter's own definition.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataValidationError, ParameterError
from lemma.io.datasets import load_german_credit
from lemma.models.linear import LogisticRegression, Ridge
from lemma.pipeline import make_pipeline
from lemma.prep import (
    LeakageReport,
    StandardScaler,
    TargetEncoder,
    auto_prepare,
    check_leakage,
)
from lemma.prep.leakage import check_duplicates_across_splits
from lemma.selection import KFold, StratifiedKFold, TimeSeriesSplit


def _noise_code(rng, n=800, n_codes=300):
    """A high-cardinality categorical unrelated to a binary target."""
    X = pd.DataFrame({"code": "c" + pd.Series(rng.integers(0, n_codes, n)).astype(str)})
    y = rng.integers(0, 2, n)
    return X, y


# ---------------------------------------------------------------------- check 1
def test_target_encoding_fitted_on_all_rows_is_caught_and_scores_higher(rng):
    X, y = _noise_code(rng)
    encoder = TargetEncoder(random_state=0).fit(X, y)
    cv = StratifiedKFold(5, shuffle=True, random_state=1)
    report = check_leakage([encoder, LogisticRegression()], X, y, cv=cv)
    (finding,) = report.by_code("preprocessing_before_split")
    assert finding.severity == "fail" and not report.passed
    assert "fitted on all 800 rows" in finding.message and "make_pipeline" in finding.fix
    # The same two arrangements by hand, split by split.
    encoded = encoder.transform(X)
    leaky, honest = [], []
    for train, test in cv.split(X, y):
        model = LogisticRegression().fit(encoded.iloc[train], y[train])
        leaky.append(model.score(encoded.iloc[test], y[test]))
        pipe = make_pipeline(TargetEncoder(random_state=0), LogisticRegression())
        pipe.fit(X.iloc[train], y[train])
        honest.append(pipe.score(X.iloc[test], y[test]))
    np.testing.assert_allclose(report.scores["leaky_per_split"], leaky, rtol=1e-12)
    np.testing.assert_allclose(report.scores["honest_per_split"], honest, rtol=1e-12)
    # The leak matters here: the target is noise, yet the leaky score looks good.
    assert np.mean(leaky) > np.mean(honest) + 0.15
    assert report.scores["optimism"] == pytest.approx(np.mean(leaky) - np.mean(honest))


def test_a_scaler_fitted_on_all_rows_is_caught(rng):
    X = rng.normal(size=(300, 4)) * [1, 10, 100, 1000]
    y = X @ [1.0, 0.1, 0.01, 0.001] + rng.normal(size=300)
    scaler = StandardScaler().fit(X)
    report = check_leakage([("scale", scaler), ("ridge", Ridge())], X, y, cv=5)
    (finding,) = report.by_code("preprocessing_before_split")
    assert finding.severity in ("fail", "warn")
    assert "scale (StandardScaler)" in finding.message
    assert set(report.scores) >= {"leaky", "honest", "optimism", "std_err"}


def test_a_step_fitted_on_other_data_is_not_a_leak(rng):
    X = rng.normal(size=(300, 3))
    y = X.sum(axis=1) + rng.normal(size=300)
    scaler = StandardScaler().fit(rng.normal(size=(100, 3)))
    report = check_leakage([scaler, Ridge()], X, y, cv=5)
    assert not report.by_code("preprocessing_before_split")
    assert [f.severity for f in report.by_code("prefitted_steps")] == ["info"]
    assert report.passed


def test_an_honest_pipeline_has_no_failures():
    german = load_german_credit()
    X, y = german.drop(columns="credit_risk"), german["credit_risk"]
    transformer, _ = auto_prepare(german, "credit_risk")
    model = make_pipeline(transformer, LogisticRegression(max_iter=300))
    report = check_leakage(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert report.passed and not [f for f in report.findings if f.severity != "info"]
    assert report.scores == {}


# ---------------------------------------------------------------------- check 2
def _equal(a, b):
    return all((u == v) or (pd.isna(u) and pd.isna(v)) for u, v in zip(a, b, strict=True))


def _brute_force_copies(X, splits):
    total = 0
    for train, test in splits:
        total += sum(any(_equal(X[i], X[j]) for j in train) for i in test)
    return total


def test_duplicates_across_splits_are_counted_exactly(rng):
    X = rng.normal(size=(120, 3))
    X[rng.random((120, 3)) < 0.05] = np.nan
    copies = rng.integers(0, 120, 25)
    X = np.vstack([X, X[copies]])
    splits = list(KFold(4, shuffle=True, random_state=2).split(X))
    found = check_duplicates_across_splits(X, splits)
    expected = _brute_force_copies(X, splits)
    assert expected > 0
    (finding,) = found
    assert finding.value == expected
    assert finding.severity == "fail"  # over 5% of the test rows
    assert check_duplicates_across_splits(X[:120], list(KFold(4).split(X[:120]))) == []


def test_duplicates_of_coarse_rows_are_only_information(rng):
    X = rng.integers(0, 3, size=(200, 2))
    (finding,) = check_duplicates_across_splits(X, list(KFold(5).split(X)))
    assert finding.severity == "info" and "few distinct values" in finding.message


# ---------------------------------------------------------------------- check 3
def test_a_feature_built_from_the_target_is_found(rng):
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = X["a"] + rng.normal(size=400)
    X["y_copy"] = y + rng.normal(0, 1e-3, 400)
    report = check_leakage(Ridge(), X, y, cv=5)
    assert [f.columns for f in report.by_code("target_leakage")] == [("y_copy",)]
    assert not report.passed
    honest = check_leakage(Ridge(), X.drop(columns="y_copy"), y, cv=5)
    assert honest.passed and not honest.by_code("target_leakage")


# ---------------------------------------------------------------------- check 4
def _timed(rng, n=200):
    X = pd.DataFrame(
        {"when": pd.date_range("2020-01-01", periods=n, freq="D"), "x": rng.normal(size=n)}
    )
    return X, rng.normal(size=n)


def test_a_shuffled_split_of_dated_rows_breaks_time_order(rng):
    X, y = _timed(rng)
    model = make_pipeline(StandardScaler(), Ridge())
    cv = KFold(5, shuffle=True, random_state=0)
    report = check_leakage(model, X[["x"]], y, cv=cv, time_column=X["when"])
    (finding,) = report.by_code("time_order")
    assert finding.severity == "fail" and "TimeSeriesSplit" in finding.fix
    broken = sum(X["when"].iloc[tr].max() > X["when"].iloc[te].min() for tr, te in cv.split(X))
    assert finding.value == broken == 5


def test_a_datetime_column_is_found_without_being_named(rng):
    X, y = _timed(rng)
    X["day"] = X["when"]
    report = check_leakage(make_pipeline(Ridge()), X[["day", "x"]], y)
    # Unshuffled KFold trains the first four folds on later rows.
    (finding,) = report.by_code("time_order")
    assert finding.severity == "warn" and finding.columns == ("day",) and finding.value == 4


def test_a_time_ordered_split_keeps_time_order(rng):
    X, y = _timed(rng)
    report = check_leakage(Ridge(), X[["x"]], y, cv=TimeSeriesSplit(5), time_column=X["when"])
    assert not report.by_code("time_order")


# ---------------------------------------------------------------------- bad input, output
def test_bad_arguments(rng):
    X = rng.normal(size=(50, 2))
    y = rng.normal(size=50)
    with pytest.raises(ParameterError, match="pipeline_or_steps is empty"):
        check_leakage([], X, y)
    with pytest.raises(ParameterError, match="must be an estimator or a list of steps"):
        check_leakage("ridge", X, y)
    fitted = StandardScaler().fit(X)
    with pytest.raises(ParameterError, match="fitted but come after an unfitted step"):
        check_leakage([StandardScaler(), fitted, Ridge()], X, y)
    with pytest.raises(DataValidationError, match="X has 50 rows but y has 49"):
        check_leakage(Ridge(), X, y[:49])
    with pytest.raises(DataValidationError, match="time_column 'when' is not a column"):
        check_leakage(Ridge(), pd.DataFrame(X, columns=["a", "b"]), y, time_column="when")
    with pytest.raises(DataValidationError, match="time_column has 3 values"):
        check_leakage(Ridge(), X, y, time_column=[1, 2, 3])


def test_report_renderings(rng):
    X, y = _noise_code(rng, n=300, n_codes=100)
    report = check_leakage([TargetEncoder(random_state=0).fit(X, y), LogisticRegression()], X, y)
    assert isinstance(report, LeakageReport) and report.n_splits == 5
    text = report.as_text()
    assert text.startswith("Leakage check over 5 splits:") and "[fail]" in text
    frame = report.to_frame()
    assert list(frame["code"]) == [f.code for f in report.findings]
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["passed"] is False and data["scores"]["leaky"] > data["scores"]["honest"]
    assert "<script" not in report._repr_html_()
