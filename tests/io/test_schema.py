"""FeatureSchema: inference on Adult, every mismatch reported in one error, JSON round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import DataValidationError
from lemma.io.datasets import load_adult
from lemma.io.schema import ColumnSchema, FeatureSchema, SchemaError


@pytest.fixture(scope="module")
def adult_train() -> pd.DataFrame:
    return load_adult("train")


@pytest.fixture(scope="module")
def schema(adult_train) -> FeatureSchema:
    return FeatureSchema.from_frame(adult_train, target="income")


def test_adult_schema_records_kinds_categories_ranges_and_missing(schema, adult_train):
    kinds = {c.name: c.kind for c in schema.columns}
    assert schema.names == [c for c in adult_train.columns if c != "income"]
    assert kinds["age"] == kinds["hours_per_week"] == "integer"
    assert kinds["workclass"] == kinds["sex"] == kinds["native_country"] == "categorical"
    by_name = {c.name: c for c in schema.columns}
    assert by_name["sex"].categories == ("Female", "Male")
    assert by_name["workclass"].categories == tuple(sorted(adult_train.workclass.dropna().unique()))
    assert (by_name["age"].min, by_name["age"].max) == (17.0, 90.0)  # UCI adult.names
    assert by_name["workclass"].nullable and not by_name["age"].nullable
    assert by_name["age"].categories is None and by_name["sex"].min is None


def test_adult_test_split_matches_the_training_schema(schema):
    problems = schema.validate(load_adult("test"))
    assert [p.severity for p in problems] == ["warning"]  # one fnlwgt beyond the training max
    assert problems[0].kind == "out_of_range" and problems[0].column == "fnlwgt"
    assert schema.check(load_adult("test")) == problems


def test_every_problem_is_listed_in_one_error(schema, adult_train):
    data = adult_train.drop(columns=["age", "income"]).head(50).copy()
    data["favourite_colour"] = "blue"
    data["hours_per_week"] = data["hours_per_week"].astype(object)
    data.loc[[3, 9], "hours_per_week"] = ["forty", "lots"]
    data.loc[[5, 6], "workclass"] = "Space-force"
    data.loc[7, "race"] = "Martian"
    with pytest.raises(SchemaError) as info:
        schema.check(data)
    error = info.value
    assert isinstance(error, ValueError)
    assert [p.kind for p in error.problems] == [
        "missing_column",
        "extra_column",
        "unseen_categories",  # workclass, then the columns in training order
        "unseen_categories",
        "wrong_type",
    ]
    message = str(error)
    assert "\n" not in message and message.startswith(
        "the data do not match the model's training schema (5 problems)"
    )
    assert "missing columns ['age']" in message
    assert "extra columns ['favourite_colour']" in message
    assert "'workclass' has categories not seen in training: 'Space-force' (2 rows)" in message
    assert "'race' has categories not seen in training: 'Martian' (1 row)" in message
    assert (
        "'hours_per_week' expects whole numbers but holds other values in 2 rows "
        "(row 3: 'forty', row 9: 'lots')" in message
    )


def test_warnings_do_not_raise_and_extra_columns_can_be_allowed(schema, adult_train):
    data = adult_train.head(20).copy()
    data.loc[0, "age"] = 120
    data.loc[1, "education"] = None
    data["note"] = "x"
    assert [p.kind for p in schema.validate(data)] == [
        "extra_column",
        "out_of_range",
        "unexpected_missing",
    ]
    warnings = schema.check(data, allow_extra=True)
    assert {p.severity for p in warnings} == {"warning"}
    assert "1 value outside the training range [17, 90] (e.g. 120)" in str(warnings[1])


def test_conform_orders_columns_and_restores_types():
    train = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "x": [0.5, 1.5, 2.5],
            "flag": [True, False, True],
            "when": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]),
            "colour": ["red", "blue", "red"],
        }
    )
    schema = FeatureSchema.from_frame(train)
    assert [c.kind for c in schema.columns] == [
        "integer",
        "numeric",
        "boolean",
        "datetime",
        "categorical",
    ]
    text = pd.DataFrame(
        {
            "colour": ["blue"],
            "when": ["2020-01-15"],
            "flag": ["False"],
            "x": ["1.25"],
            "n": ["2"],
        }
    )
    out = schema.conform(text)
    assert list(out.columns) == ["n", "x", "flag", "when", "colour"]
    assert out.loc[0, "x"] == 1.25 and out.loc[0, "n"] == 2
    assert out.loc[0, "flag"] is False or out.loc[0, "flag"] == np.False_
    assert out.loc[0, "when"] == pd.Timestamp("2020-01-15")
    bad = text.assign(flag=["maybe"], when=["not a date"], x=[True])
    kinds = [(p.column, p.kind) for p in schema.validate(bad)]
    assert kinds == [("x", "wrong_type"), ("flag", "wrong_type"), ("when", "wrong_type")]


def test_text_columns_accept_anything_and_the_target_is_ignored():
    train = pd.DataFrame({"note": [f"note {i}" for i in range(30)], "y": range(30)})
    schema = FeatureSchema.from_frame(train, target="y", max_categories=10)
    assert schema.columns == (ColumnSchema("note", "text"),)
    assert schema.validate(pd.DataFrame({"note": ["new", 3], "y": [1, 2]})) == []


def test_json_round_trip(schema):
    text = schema.to_json()
    again = FeatureSchema.from_json(text)
    assert again == schema and again.target == "income"
    assert again.to_json() == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{", "invalid JSON"),
        ('{"columns": 3}', "expected"),
        ('{"columns": [{"name": "a", "kind": "complex"}]}', "unknown column kind"),
        ('{"columns": [{"name": "a", "kind": "categorical", "categories": [1]}]}', "strings"),
        ('{"columns": [{"name": "a", "kind": "numeric", "min": "0"}]}', "numbers"),
        ('{"columns": [{"name": "a", "kind": "text"}, {"name": "a", "kind": "text"}]}', "distinct"),
    ],
)
def test_malformed_json_is_refused(text, match):
    with pytest.raises(DataValidationError, match=match):
        FeatureSchema.from_json(text)


def test_polars_frames_give_the_same_schema():
    pl = pytest.importorskip("polars")
    data = {
        "n": [1, None, 3],
        "x": [0.5, 1.5, None],
        "c": ["a", "b", None],
        "b": [True, False, None],
    }
    from_polars = FeatureSchema.from_frame(pl.DataFrame(data))
    from_pandas = FeatureSchema.from_frame(
        pd.DataFrame(data).astype({"n": "Int64", "b": "boolean"})
    )
    assert from_polars == from_pandas
    assert [c.kind for c in from_polars.columns] == ["integer", "numeric", "categorical", "boolean"]
    assert from_polars.validate(pl.DataFrame(data)) == []


def test_non_frames_are_refused():
    with pytest.raises(DataValidationError, match="expected a pandas or polars DataFrame"):
        FeatureSchema.from_frame(np.zeros((2, 2)))


_cells = {
    "int": st.integers(-1000, 1000),
    "float": st.floats(-1e6, 1e6, allow_nan=False),
    "text": st.sampled_from(["a", "b", "c", "d"]),
    "bool": st.booleans(),
}


@st.composite
def _frames(draw):
    n_rows = draw(st.integers(1, 8))
    columns = {}
    for j in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(sorted(_cells)))
        values = draw(st.lists(_cells[kind], min_size=n_rows, max_size=n_rows))
        if kind in ("float", "text") and draw(st.booleans()):
            values[0] = None
        columns[f"c{j}"] = values
    return pd.DataFrame(columns)


@settings(max_examples=40, deadline=None)
@given(_frames())
def test_a_frame_always_matches_its_own_schema(frame):
    schema = FeatureSchema.from_frame(frame)
    assert schema.validate(frame) == []
    assert FeatureSchema.from_json(schema.to_json()) == schema
    pd.testing.assert_frame_equal(schema.conform(frame), frame, check_dtype=False)
