"""profile(): counts against pandas, statistics against NumPy/SciPy, warnings on constructions.

References: pandas' own ``isna().sum()``, ``nunique()``, ``value_counts()``,
``duplicated().sum()``, ``describe()``, ``skew()`` and ``corr()``; NumPy percentiles
for Tukey's fences; SciPy's ``median_abs_deviation`` for the robust z-score;
scikit-learn's ``roc_auc_score`` for the one-feature leakage score.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import roc_auc_score

from lemma.cli import main
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.io.datasets import load_adult, load_ames_housing, load_german_credit
from lemma.prep import DataProfile, profile
from lemma.prep._profile_warnings import (
    LEAKAGE_MIN_SCORE,
    leakage_score,
    pairwise_correlation,
)
from lemma.prep.profiling import count_duplicate_rows


@pytest.fixture(scope="module")
def adult():
    return load_adult()


@pytest.fixture(scope="module")
def german():
    return load_german_credit()


@pytest.fixture(scope="module")
def adult_profile(adult):
    return profile(adult, target="income")


@pytest.fixture(scope="module")
def german_profile(german):
    return profile(german, target="credit_risk")


# ---------------------------------------------------------------------- counts = pandas
@pytest.mark.parametrize("name", ["adult", "german"])
def test_counts_equal_pandas(name, request):
    df = request.getfixturevalue(name)
    report = request.getfixturevalue(f"{name}_profile")
    assert report.table["n_rows"] == len(df)
    assert report.table["n_columns"] == df.shape[1]
    assert report.table["n_duplicate_rows"] == int(df.duplicated().sum())
    assert report.table["n_missing_cells"] == int(df.isna().sum().sum())
    assert report.table["n_complete_rows"] == int((~df.isna().any(axis=1)).sum())
    cols = report.columns
    assert cols["n_missing"].to_dict() == df.isna().sum().to_dict()
    assert cols["n_distinct"].to_dict() == df.nunique().to_dict()
    assert (cols["n_markers"] == 0).all()
    for column in df.columns:
        counts = df[column].value_counts()
        top = report.top_values[column]
        assert [c for _, c in top] == counts.head(len(top)).tolist()
        assert all(counts[value] == count for value, count in top)


def test_adult_has_its_documented_duplicates_and_missing_values(adult_profile):
    # Independent facts about the data: 2,799 missing workclass values, 29 repeated rows.
    assert adult_profile.columns.loc["workclass", "n_missing"] == 2799
    assert adult_profile.table["n_duplicate_rows"] == 29


def test_kinds(adult_profile, german_profile):
    kinds = adult_profile.columns["kind"]
    assert kinds["age"] == "numeric" and kinds["workclass"] == "categorical"
    assert kinds["income"] == "categorical"
    german_kinds = german_profile.columns["kind"]
    assert german_kinds["credit_amount"] == "numeric"
    assert german_kinds["people_liable"] == "boolean"
    assert german_kinds["purpose"] == "categorical"


@pytest.mark.parametrize("name,target", [("adult", "income"), ("german", "credit_risk")])
def test_target_class_balance_equals_value_counts(name, target, request):
    df = request.getfixturevalue(name)
    summary = request.getfixturevalue(f"{name}_profile").target
    assert summary["task"] == "classification"
    assert summary["class_counts"] == df[target].value_counts().to_dict()
    shares = df[target].value_counts(normalize=True)
    assert summary["class_shares"] == pytest.approx(shares.to_dict(), rel=1e-12)


@pytest.mark.parametrize("column", ["age", "fnlwgt", "capital_gain", "hours_per_week"])
def test_numeric_statistics_equal_pandas_numpy_and_scipy(adult, adult_profile, column):
    row = adult_profile.columns.loc[column]
    x = adult[column].to_numpy(dtype=float)
    described = adult[column].describe()
    for ours, theirs in [("mean", "mean"), ("std", "std"), ("min", "min"), ("max", "max")]:
        assert row[ours] == pytest.approx(described[theirs], rel=1e-12)
    for ours, q in [("q25", 25), ("median", 50), ("q75", 75)]:
        assert row[ours] == pytest.approx(np.percentile(x, q), rel=1e-12)
    assert row["skewness"] == pytest.approx(adult[column].skew(), rel=1e-9)
    q1, q3 = np.percentile(x, [25, 75])
    fences = (x < q1 - 1.5 * (q3 - q1)) | (x > q3 + 1.5 * (q3 - q1))
    assert row["n_outliers_iqr"] == int(fences.sum())
    median, mad = np.median(x), stats.median_abs_deviation(x)
    if mad > 0:
        modified_z = 0.6745 * (x - median) / mad
    else:
        modified_z = (x - median) / (1.253314 * np.mean(np.abs(x - median)))
    assert row["n_outliers_robust_z"] == int((np.abs(modified_z) > 3.5).sum())
    assert row["n_zeros"] == int((x == 0).sum())


def test_missing_patterns_equal_pandas_grouping(rng):
    df = pd.DataFrame(rng.normal(size=(500, 4)), columns=list("abcd"))
    df.loc[rng.random(500) < 0.2, ["a", "b"]] = np.nan
    df.loc[rng.random(500) < 0.1, "c"] = np.nan
    report = profile(df)
    mask = df.isna()
    keys = mask.apply(lambda r: tuple(mask.columns[r.to_numpy()]), axis=1)
    expected = keys[keys.map(len) > 0].value_counts()
    patterns = report.missing_patterns
    got = dict(zip(patterns["missing_columns"], patterns["n_rows"], strict=True))
    assert got == expected.to_dict()
    assert report.missing_patterns["n_rows"].is_monotonic_decreasing


# ---------------------------------------------------------------------- missing markers
def test_missing_markers_are_configurable():
    df = pd.DataFrame({"city": ["Oslo", "?", "", "None", "NA", "Rome"], "n": range(6)})
    report = profile(df)
    assert report.columns.loc["city", "n_missing"] == 3  # "?", "" and "NA"; "None" is a value
    assert report.columns.loc["city", "n_markers"] == 3
    assert ("None", 1) in report.top_values["city"]
    assert profile(df, missing_markers=()).columns.loc["city", "n_missing"] == 0
    assert profile(df, missing_markers="?").columns.loc["city", "n_missing"] == 1


def test_numbers_stored_as_text_with_a_marker_are_read_as_numbers():
    df = pd.DataFrame({"x": ["1.5", "?", "2.5", "4"] * 10, "code": ["010", "020", "7", "8"] * 10})
    report = profile(df)
    assert report.columns.loc["x", "kind"] == "numeric"
    assert report.columns.loc["x", "mean"] == pytest.approx(np.mean([1.5, 2.5, 4.0]))
    assert report.findings("numbers_as_text", "x")
    assert report.columns.loc["code", "kind"] == "categorical"  # leading zeros: a code


# ---------------------------------------------------------------------- leakage
def _adult_with_leaks(adult, rng):
    df = adult.copy()
    recoded = df["income"].map({">50K": "rich", "<=50K": "not rich"})
    flip = rng.random(len(df)) < 0.002
    df["recoded"] = recoded
    swapped = recoded.map({"rich": "not rich", "not rich": "rich"})
    df["noisy_copy"] = np.where(flip, swapped, recoded)
    df["score"] = (df["income"] == ">50K") + rng.normal(0, 0.01, len(df))
    df["noise_code"] = "k" + pd.Series(rng.integers(0, 5000, len(df))).astype(str)
    return df


def test_leakage_fires_on_columns_built_from_the_target_and_not_on_honest_ones(adult, rng):
    df = _adult_with_leaks(adult, rng)
    report = profile(df, target="income")
    flagged = {f.columns[0] for f in report.findings("target_leakage")}
    assert flagged == {"recoded", "noisy_copy", "score"}
    scores = report.columns["target_score"]
    honest = [c for c in adult.columns if c != "income"]
    # The strongest honest predictors stay far below the threshold.
    assert scores[honest].max() < 0.6
    assert scores["relationship"] > 0.4 and scores["capital_gain"] > 0.1
    assert scores["noise_code"] < 0.05
    assert all(f.severity == "fail" for f in report.findings("target_leakage"))


def test_leakage_score_of_a_number_is_the_gini_of_its_auc(adult):
    positive = (adult["income"] == ">50K").to_numpy()
    for column in ("age", "hours_per_week", "capital_gain"):
        area = roc_auc_score(positive, adult[column])
        expected = 2 * max(area, 1 - area) - 1
        score = leakage_score(adult[column], adult["income"], "classification", "numeric")
        assert score == pytest.approx(expected, abs=1e-12)


def test_leakage_score_of_categories_is_close_to_the_in_sample_gini(adult):
    positive = (adult["income"] == ">50K").to_numpy()
    for column in ("sex", "relationship", "marital_status"):
        share = adult.groupby(column)["income"].transform(lambda s: (s == ">50K").mean())
        expected = 2 * roc_auc_score(positive, share) - 1
        score = leakage_score(adult[column], adult["income"], "classification", "categorical")
        assert score == pytest.approx(expected, abs=0.02)


def test_leakage_on_a_regression_target(rng):
    ames = load_ames_housing()
    ames["price_plus_noise"] = ames["saleprice"] + rng.normal(0, 100, len(ames))
    ames["log_price"] = np.log(ames["saleprice"])
    report = profile(ames, target="saleprice")
    flagged = {f.columns[0] for f in report.findings("target_leakage")}
    assert flagged == {"price_plus_noise", "log_price"}
    assert report.target["task"] == "regression"
    assert report.target["mean"] == pytest.approx(ames["saleprice"].mean(), rel=1e-12)
    r = ames["gr_liv_area"].corr(ames["saleprice"])
    rho = ames["gr_liv_area"].corr(ames["saleprice"], method="spearman")
    assert report.columns.loc["gr_liv_area", "target_score"] == pytest.approx(
        max(r**2, rho**2), rel=1e-9
    )


def test_a_multiclass_target_recoded_fires(rng):
    y = pd.Series(rng.choice(["a", "b", "c"], 600))
    df = pd.DataFrame({"y": y, "copy": y.map({"a": 1, "b": 2, "c": 3}), "x": rng.normal(size=600)})
    report = profile(df, target="y")
    assert [f.columns for f in report.findings("target_leakage")] == [("copy",)]
    assert report.columns.loc["copy", "target_score"] >= LEAKAGE_MIN_SCORE


# ---------------------------------------------------------------------- other warnings
def _codes(report):
    return {(f.code, f.columns) for f in report.warnings}


def test_identifier_fires_on_a_row_id_and_not_on_a_measurement(rng):
    df = pd.DataFrame(
        {
            "row": np.arange(1000) + 1,
            "customer_id": rng.permutation(10**6)[:1000],
            "height": rng.normal(170, 10, 1000).round(1),
            "count": rng.integers(0, 1000, 1000),
        }
    )
    codes = _codes(profile(df))
    assert ("identifier", ("row",)) in codes and ("identifier", ("customer_id",)) in codes
    assert not any(code == "identifier" and cols[0] in ("height", "count") for code, cols in codes)


def test_near_constant_fires_above_99_percent_only(rng):
    mostly = np.zeros(1000)
    mostly[:5] = 1.0
    control = np.zeros(1000)
    control[:50] = 1.0
    codes = _codes(profile(pd.DataFrame({"mostly": mostly, "control": control})))
    assert ("near_constant", ("mostly",)) in codes
    assert ("near_constant", ("control",)) not in codes


def test_high_cardinality_categorical(rng):
    df = pd.DataFrame(
        {
            "many": "z" + pd.Series(rng.integers(0, 200, 2000)).astype(str),
            "few": "z" + pd.Series(rng.integers(0, 30, 2000)).astype(str),
        }
    )
    codes = _codes(profile(df))
    assert ("high_cardinality", ("many",)) in codes
    assert ("high_cardinality", ("few",)) not in codes


def test_near_collinear_pair(rng):
    a = rng.normal(size=500)
    df = pd.DataFrame(
        {"a": a, "a_again": 2 * a + rng.normal(0, 0.05, 500), "b": a + rng.normal(size=500)}
    )
    df.loc[::7, "b"] = np.nan
    codes = _codes(profile(df))
    assert ("collinear", ("a", "a_again")) in codes
    assert not any(code == "collinear" and "b" in cols for code, cols in codes)


def test_pairwise_correlation_equals_pandas(rng):
    shift = np.array([0.0, 1e4, -3.0, 0.0])
    df = pd.DataFrame(rng.normal(size=(300, 4)) + shift, columns=list("abcd"))
    df["c"] += df["a"]
    for column, share in zip("abcd", (0.1, 0.3, 0.0, 0.5), strict=True):
        df.loc[rng.random(300) < share, column] = np.nan
    np.testing.assert_allclose(
        pairwise_correlation(df.to_numpy()), df.corr().to_numpy(), rtol=1e-9, atol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 1.5, np.nan]),
            st.sampled_from(["a", "b", None]),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_duplicate_count_equals_pandas(rows):
    df = pd.DataFrame(rows, columns=["x", "s", "k"]).astype({"s": object})
    columns = {c: df[c] for c in df.columns}
    masks = {c: df[c].isna().to_numpy() for c in df.columns}
    assert count_duplicate_rows(columns, masks) == int(df.duplicated().sum())


# ---------------------------------------------------------------------- awkward input
def test_all_missing_and_constant_columns_are_documented_kinds():
    df = pd.DataFrame({"empty": [np.nan] * 30, "same": ["x"] * 30, "n": range(30)})
    report = profile(df)
    assert report.columns.loc["empty", "kind"] == "empty"
    assert report.columns.loc["same", "kind"] == "constant"
    assert {"empty", "constant"} <= {f.code for f in report.warnings}


def test_infinite_values_are_counted_and_left_out_of_the_statistics(rng):
    x = rng.normal(size=200)
    x[::10] = np.inf
    x[5::10] = -np.inf
    df = pd.DataFrame({"x": x, "y": rng.normal(size=200)})
    row = profile(df, target="y").columns.loc["x"]
    finite = pd.Series(x[np.isfinite(x)])
    assert row["n_infinite"] == 40 and row["n_distinct"] == df["x"].nunique()
    assert row["mean"] == pytest.approx(finite.mean(), rel=1e-12)
    assert row["max"] == finite.max() and row["skewness"] == pytest.approx(finite.skew())
    assert np.isfinite(row["target_score"])
    assert profile(df).findings("infinite_values", "x")


def test_mixed_types_are_counted_and_flagged():
    df = pd.DataFrame({"mixed": pd.Series([1, "a", 2.5, "a", None] * 6, dtype=object)})
    report = profile(df)
    assert report.columns.loc["mixed", "n_missing"] == 6
    assert report.columns.loc["mixed", "n_distinct"] == df["mixed"].nunique()
    (finding,) = report.findings("mixed_types")
    assert "str (12)" in finding.message and "int (6)" in finding.message


@pytest.mark.parametrize(
    "frame", [pd.DataFrame(), pd.DataFrame({"a": []}), pd.DataFrame(index=range(3))]
)
def test_an_empty_table_is_refused(frame):
    with pytest.raises(DataValidationError, match="empty"):
        profile(frame)


def test_bad_arguments_are_clear_errors():
    df = pd.DataFrame({"a": [1, 2, 3]})
    with pytest.raises(DataValidationError, match="'y' is not a column"):
        profile(df, target="y")
    with pytest.raises(DataTypeError, match="pandas or polars DataFrame"):
        profile(np.ones((3, 2)))
    with pytest.raises(ParameterError, match="sample must be a positive int"):
        profile(df, sample=0)
    with pytest.raises(ParameterError, match="missing_markers must be a list of strings"):
        profile(df, missing_markers=[None])
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(DataValidationError, match=r"\['a'\] appear more than once"):
        profile(twice)


def test_sample_profiles_a_random_subset(adult):
    report = profile(adult, sample=1000, random_state=1)
    assert report.table["n_rows"] == len(adult) and report.table["n_rows_profiled"] == 1000
    assert report.columns["n_missing"].sum() == report.table["n_missing_cells"]
    assert "a random sample of 1,000 rows" in report.as_text()


# ---------------------------------------------------------------------- rendering
def test_renderings(adult_profile):
    assert isinstance(adult_profile, DataProfile)
    text = adult_profile.as_text()
    assert "48,842 rows × 16 columns" in text and "29 duplicate rows" in text
    assert "Target 'income' (classification)" in text
    assert str(adult_profile) == text and "DataProfile(" in repr(adult_profile)
    pd.testing.assert_frame_equal(adult_profile.to_frame(), adult_profile.columns)
    page = adult_profile.to_html()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "http" not in page and "relationship" in page
    data = json.loads(json.dumps(adult_profile.to_dict(), allow_nan=False))
    assert data["table"]["n_rows"] == 48842
    assert {c["name"] for c in data["columns"]} == set(adult_profile.columns.index)
    assert data["target"]["class_counts"] == {"<=50K": 37155, ">50K": 11687}


def test_the_profile_command_prints_a_summary_and_writes_html(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("age;city;bought\n" + "31;Oslo;yes\n45;?;no\n27;Rome;no\n" * 10)
    out = tmp_path / "profile.html"
    assert main(["profile", str(path), "--target", "bought", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "30 rows × 3 columns" in printed and "Target 'bought' (classification)" in printed
    assert "city" in printed and f"HTML profile written to {out}" in printed
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert main(["profile", "german_credit"]) == 0
    assert "Target 'credit_risk'" in capsys.readouterr().out
    assert main(["profile", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_html_escapes_names():
    df = pd.DataFrame({"<b>x</b>": ["<script>", "b"] * 10})
    page = profile(df)._repr_html_()
    assert "<script>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
