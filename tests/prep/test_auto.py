"""auto_prepare: a working ColumnTransformer on Adult, German credit and Ames, by stated rules.

References: the rules are checked against pandas' own statistics (``skew()``,
``isna().mean()``, ``nunique()``); the prepared Adult data must support a logistic
regression as accurate as the published figures for it (test accuracy about 0.85).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.io.datasets import load_adult, load_ames_housing, load_german_credit
from lemma.models.linear import LogisticRegression
from lemma.pipeline import make_pipeline
from lemma.prep import Decision, Preparation, auto_prepare, profile
from lemma.prep.auto import INDICATOR_MIN_MISSING, SKEW_THRESHOLD


@pytest.fixture(scope="module")
def adult_train():
    return load_adult("train")


@pytest.fixture(scope="module")
def german():
    return load_german_credit()


@pytest.fixture(scope="module")
def ames():
    return load_ames_housing()


def _check_prepared(df, target):
    result = auto_prepare(df, target)
    transformer, decisions = result
    assert isinstance(result, Preparation) and isinstance(decisions[0], Decision)
    assert [d.column for d in decisions] == list(df.columns)
    assert sum(d.action == "excluded" for d in decisions) == 1
    out = transformer.fit_transform(df, df[target])
    values = out.to_numpy(dtype=float)
    assert np.isfinite(values).all() and values.shape[0] == len(df)
    assert list(out.columns) == list(transformer.get_feature_names_out())
    kept = {d.column for d in decisions if d.group is not None}
    used = {c for _, _, columns in transformer.transformers for c in columns}
    assert kept == used and target not in used
    return transformer, decisions, out


def test_adult(adult_train):
    _, decisions, _ = _check_prepared(adult_train, "income")
    by_column = {d.column: d for d in decisions}
    assert by_column["age"].group == "scaled"
    assert by_column["capital_gain"].group == "power"  # skewness about 12
    assert by_column["workclass"].group == "onehot_nan"  # 5.6% missing
    assert by_column["native_country"].group == "onehot_top"  # 41 countries
    assert by_column["sex"].group == "binary"
    assert str(by_column["age"]) == "age: numeric, 0.0% missing → median imputation, standardised"


def test_german_credit(german):
    _, decisions, out = _check_prepared(german, "credit_risk")
    by_column = {d.column: d for d in decisions}
    assert by_column["people_liable"].group == "binary"
    (column,) = [c for c in out.columns if c.startswith("binary__people_liable_")]
    assert float(column.rsplit("_", 1)[1]) == 2.0  # the indicator of the second value
    assert (out[column] == (german["people_liable"] == 2)).all()


def test_ames(ames):
    _, decisions, _ = _check_prepared(ames, "saleprice")
    by_column = {d.column: d for d in decisions}
    assert by_column["order"].action == "dropped" and "identifier" in by_column["order"].reason
    assert by_column["pid"].action == "dropped"
    assert by_column["neighborhood"].group == "onehot_top"  # 28 neighbourhoods


def test_numeric_rules_follow_pandas_statistics(ames):
    _, decisions = auto_prepare(ames, "saleprice")
    for d in decisions:
        if d.kind != "numeric" or d.group is None:
            continue
        skewed = abs(ames[d.column].skew()) > SKEW_THRESHOLD
        indicated = ames[d.column].isna().mean() > INDICATOR_MIN_MISSING
        expected = ("power" if skewed else "scaled") + ("_indicator" if indicated else "")
        assert d.group == expected, d


def test_adult_pipeline_scores_like_published_results():
    train, test = load_adult("train"), load_adult("test")
    transformer, _ = auto_prepare(train, "income")
    model = make_pipeline(transformer, LogisticRegression(max_iter=500))
    model.fit(train.drop(columns="income"), train["income"])
    accuracy = model.score(test.drop(columns="income"), test["income"])
    assert accuracy > 0.82


def test_a_fitted_preparation_saves_and_loads(german, tmp_path):
    transformer, _ = auto_prepare(german, "credit_risk")
    transformer.fit(german, german["credit_risk"])
    path = lemma.save(transformer, tmp_path / "prep.lemma")
    loaded = lemma.load(path)
    pd.testing.assert_frame_equal(loaded.transform(german), transformer.transform(german))


# ---------------------------------------------------------------------- awkward input
def _frame(rng, n=200):
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "many": "k" + pd.Series(rng.integers(0, 120, n)).astype(str),
            "y": rng.choice(["a", "b"], n),
        }
    )


def test_unknown_categories_are_encoded_as_zeros_or_infrequent(rng):
    df = _frame(rng)
    transformer, _ = auto_prepare(df.drop(columns="many"), "y")
    transformer.fit(df, df["y"])
    new = df.head(2).copy()
    new["colour"] = ["purple", "red"]
    out = transformer.transform(new)
    colour = [c for c in out.columns if "colour" in c]
    assert out.loc[0, colour].sum() == 0 and out.loc[1, colour].sum() == 1
    df["code"] = "c" + pd.Series(rng.integers(0, 30, len(df))).astype(str)
    transformer, decisions = auto_prepare(df.drop(columns="many"), "y")
    assert {d.column: d.group for d in decisions}["code"] == "onehot_top"
    transformer.fit(df, df["y"])
    new = df.head(1).copy()
    new["code"] = "never seen"
    out = transformer.transform(new)
    assert out.loc[0, "onehot_top__code_infrequent_sklearn"] == 1.0


def test_high_cardinality_is_target_encoded_only_with_a_target(rng):
    df = _frame(rng)
    _, decisions = auto_prepare(df, "y")
    assert {d.column: d.group for d in decisions}["many"] == "target"
    _, decisions = auto_prepare(df.drop(columns="y"))
    assert {d.column: d.group for d in decisions}["many"] == "onehot_top"


def test_empty_constant_mixed_datetime_and_leaky_columns_are_dropped_with_reasons(rng):
    df = _frame(rng)
    df["empty"] = np.nan
    df["same"] = "x"
    df["mixed"] = pd.Series([1, "a"] * (len(df) // 2), dtype=object)
    df["when"] = pd.date_range("2020-01-01", periods=len(df), freq="D")
    df["leak"] = df["y"].map({"a": 0.0, "b": 1.0})
    transformer, decisions = auto_prepare(df, "y")
    reasons = {d.column: d.reason for d in decisions if d.action == "dropped"}
    assert set(reasons) == {"empty", "same", "mixed", "when", "leak"}
    assert "no values" in reasons["empty"] and "single value" in reasons["same"]
    assert "mixes value types" in reasons["mixed"] and "date" in reasons["when"]
    assert "target leakage" in reasons["leak"]
    out = transformer.fit_transform(df, df["y"])
    assert np.isfinite(out.to_numpy(dtype=float)).all()
    _, decisions = auto_prepare(df, "y", drop_leaky=False)
    assert {d.column: d.group for d in decisions}["leak"] == "binary"


def test_an_empty_table_is_refused():
    with pytest.raises(DataValidationError, match="empty"):
        auto_prepare(pd.DataFrame({"a": [], "y": []}), "y")


def test_missing_markers_in_the_frame_are_refused_with_a_fix():
    df = pd.DataFrame({"x": ["1", "?", "3"] * 10, "y": [0, 1, 1] * 10})
    with pytest.raises(DataValidationError, match=r"\['x'\] hold missing markers.*read_table"):
        auto_prepare(df, "y")


def test_infinite_values_are_refused_with_a_fix(rng):
    df = _frame(rng)
    df.loc[3, "x"] = np.inf
    with pytest.raises(DataValidationError, match=r"\['x'\] hold infinite values.*replace"):
        auto_prepare(df, "y")


def test_no_usable_column_is_an_error():
    df = pd.DataFrame({"row": range(30), "y": [0, 1] * 15})
    with pytest.raises(DataValidationError, match=r"No column is usable.*row: identifier"):
        auto_prepare(df, "y")


def test_bad_arguments(rng):
    df = _frame(rng)
    with pytest.raises(DataValidationError, match="profile describes other columns"):
        auto_prepare(df, "y", profile=profile(df.drop(columns="x"), "y"))
    with pytest.raises(ParameterError, match="drop_leaky must be True or False"):
        auto_prepare(df, "y", drop_leaky="yes")
    with pytest.raises(DataTypeError, match=r"columns \[0\] are not strings"):
        auto_prepare(df.rename(columns={"x": 0}), "y")
    report = profile(df, "y")
    _, decisions = auto_prepare(df, "y", profile=report)
    assert len(decisions) == df.shape[1]
