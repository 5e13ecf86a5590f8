"""Row validation and request bodies: every bad value is one {row, field, problem, message}.

The DataFrame built from validated JSON values must equal, dtype for dtype, the one
pandas holds in-process, since predictions are compared with the in-process model's
bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.io.schema import ColumnSchema, FeatureSchema
from lemma.serve.body import ApiError, read_rows
from lemma.serve.schema import PROBLEMS, RowValidator, baseline_row

SCHEMA = FeatureSchema(
    [
        ColumnSchema("x", "numeric", False, None, 0.0, 1.0),
        ColumnSchema("n", "integer", True, None, 0.0, 10.0),
        ColumnSchema("flag", "boolean"),
        ColumnSchema("colour", "categorical", True, tuple(f"c{k:02d}" for k in range(12))),
        ColumnSchema("when", "datetime"),
        ColumnSchema("note", "text"),
    ],
    target="y",
)
GOOD = {
    "x": 0.5,
    "n": 3,
    "flag": True,
    "colour": "c01",
    "when": "2020-01-02T03:04:05",
    "note": "hi",
}


@pytest.fixture(scope="module")
def validator() -> RowValidator:
    return RowValidator(SCHEMA)


def _only_error(validator, row, **options):
    batch = validator.validate([row], **options)
    assert batch.rows == []
    assert len(batch.errors) == 1, batch.errors
    return batch.errors[0]


# ------------------------------------------------------------------------------ values
@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("x", "abc", "wrong_type"),
        ("x", True, "wrong_type"),
        ("x", float("nan"), "not_finite"),
        ("x", float("inf"), "not_finite"),
        ("x", "-Infinity", "not_finite"),
        ("x", None, "missing_value"),
        ("n", 2.5, "wrong_type"),
        ("n", False, "wrong_type"),
        ("n", 2**63, "wrong_type"),
        ("flag", "perhaps", "wrong_type"),
        ("colour", "purple", "unseen_category"),
        ("colour", 3, "wrong_type"),
        ("when", "yesterday", "wrong_type"),
        ("note", 5, "wrong_type"),
    ],
)
def test_a_bad_value_is_reported_by_row_field_and_problem(validator, field, value, problem):
    error = _only_error(validator, {**GOOD, field: value})
    assert (error["row"], error["field"], error["problem"]) == (0, field, problem)
    assert problem in PROBLEMS and field in error["message"]


def test_unseen_category_lists_the_known_ones_truncated(validator):
    message = _only_error(validator, {**GOOD, "colour": "purple"})["message"]
    assert "'c00', 'c01'" in message and "c07" in message and "c08" not in message
    assert "(12 in all)" in message


def test_missing_and_extra_fields(validator):
    row = {k: v for k, v in GOOD.items() if k != "when"} | {"shoe_size": 44}
    batch = validator.validate([row])
    found = {(e["field"], e["problem"]) for e in batch.errors}
    assert found == {("when", "missing_field"), ("shoe_size", "extra_field")}
    assert "allow_extra" in next(e for e in batch.errors if e["field"] == "shoe_size")["message"]
    lenient = validator.validate([row], allow_extra=True)
    assert [(e["field"], e["problem"]) for e in lenient.errors] == [("when", "missing_field")]


def test_nullable_fields_may_be_null_or_absent_and_the_target_is_ignored(validator):
    batch = validator.validate(
        [{**GOOD, "n": None, "colour": None, "y": 1}, {k: v for k, v in GOOD.items() if k != "n"}]
    )
    assert batch.errors == [] and batch.rows == [0, 1]
    assert batch.frame["n"].isna().all() and batch.frame["colour"].isna().iloc[0]


def test_rows_that_are_not_objects(validator):
    batch = validator.validate([GOOD, [1, 2], "text", None])
    assert batch.rows == [0]
    assert [(e["row"], e["problem"]) for e in batch.errors] == [
        (1, "not_an_object"),
        (2, "not_an_object"),
        (3, "not_an_object"),
    ]


def test_out_of_range_is_a_warning_per_row_and_field(validator):
    batch = validator.validate([{**GOOD, "x": 1.5}, GOOD, {**GOOD, "n": -1, "x": -2.0}])
    assert batch.errors == [] and batch.rows == [0, 1, 2]
    assert [(w["row"], w["field"], w["problem"]) for w in batch.warnings] == [
        (0, "x", "out_of_range"),
        (2, "x", "out_of_range"),
        (2, "n", "out_of_range"),
    ]


def test_every_problem_of_a_batch_is_listed_in_row_order(validator):
    rows = [GOOD, {**GOOD, "x": "a", "flag": "b"}, GOOD, {**GOOD, "note": None}]
    batch = validator.validate(rows)
    assert batch.rows == [0, 2]
    assert [(e["row"], e["field"]) for e in batch.errors] == [(1, "x"), (1, "flag"), (3, "note")]


# ------------------------------------------------------------------------------ frames
def test_frame_has_the_dtypes_pandas_gives_the_same_values(validator):
    """The frame the model sees equals, dtype and value, the frame pandas builds in-process."""
    rows = [GOOD, {**GOOD, "x": 0.25, "n": 7, "flag": False, "colour": "c03", "note": "yo"}]
    frame = validator.validate(rows).frame
    expected = pd.DataFrame(rows).drop(columns=[])
    expected["when"] = pd.to_datetime(expected["when"]).astype(frame["when"].dtype)
    pd.testing.assert_frame_equal(frame, expected[SCHEMA.names])


def test_integers_with_gaps_become_floats_as_pandas_reads_them(validator):
    frame = validator.validate([GOOD, {**GOOD, "n": None}]).frame
    pd.testing.assert_series_equal(frame["n"], pd.Series([3.0, np.nan], name="n"))


def test_aware_datetimes_are_converted_to_utc(validator):
    frame = validator.validate([{**GOOD, "when": "2020-01-01T02:00:00+02:00"}]).frame
    assert frame["when"].iloc[0] == pd.Timestamp("2020-01-01T00:00:00")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "x": st.floats(allow_nan=False, allow_infinity=False),
                "n": st.none() | st.integers(-(2**63), 2**63 - 1),
                "flag": st.booleans(),
                "colour": st.sampled_from(SCHEMA.columns[3].categories),
                "when": st.datetimes().map(lambda t: t.isoformat()),
                "note": st.text(),
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_valid_rows_pass_and_keep_their_values_exactly(rows):
    batch = RowValidator(SCHEMA).validate(rows)
    assert batch.errors == [] and batch.rows == list(range(len(rows)))
    x = batch.frame["x"].to_numpy()
    assert x.tobytes() == np.array([r["x"] for r in rows], dtype=np.float64).tobytes()
    assert batch.frame["note"].tolist() == [r["note"] for r in rows]


def test_baseline_row_is_valid_for_its_schema(validator):
    row = baseline_row(SCHEMA)
    assert row["x"] == 0.5 and row["n"] == 5 and row["colour"] == "c00"
    assert validator.validate([row]).errors == []


# ------------------------------------------------------------------------------ bodies
@pytest.mark.parametrize(
    ("content_type", "body", "status", "problem"),
    [
        ("application/json", b"", 400, "empty_body"),
        ("application/json", b"  \n", 400, "empty_body"),
        ("application/json", b'{"rows": [', 400, "invalid_json"),
        ("application/json", b'{"rows": [{"x": NaN}]}', 400, "invalid_json"),
        ("application/json", b'{"rows": [{"x": Infinity}]}', 400, "invalid_json"),
        ("application/json", b'{"rows": [{"x": -Infinity}]}', 400, "invalid_json"),
        ("application/json", b"\xff\xfe{}", 400, "invalid_json"),
        ("application/json", b'[{"x": 1}]', 422, "invalid_body"),
        ("application/json", b'{"rows": 5}', 422, "invalid_body"),
        ("application/json", b'{"rows": [], "limit": 3}', 422, "invalid_body"),
        ("application/json", b'{"rows": []}', 422, "no_rows"),
        ("application/json", b'{"rows": [{}, {}, {}, {}]}', 413, "too_large"),
        ("text/plain", b'{"rows": [{}]}', 415, "unsupported_media_type"),
        (None, b'{"rows": [{}]}', 415, "unsupported_media_type"),
        ("text/csv", b'"x,n\n1,2\n', 400, "invalid_csv"),
        ("text/csv", b"x,x\n1,2\n", 400, "invalid_csv"),
        ("text/csv", b"x,n\n", 422, "no_rows"),
    ],
)
def test_a_bad_body_is_refused_with_its_documented_status(content_type, body, status, problem):
    with pytest.raises(ApiError) as caught:
        read_rows(content_type, body, max_rows=3)
    assert caught.value.status == status
    assert [e["problem"] for e in caught.value.errors] == [problem]
    assert problem in PROBLEMS and len(caught.value.detail) > 20


def test_json_numbers_too_large_for_a_double_are_not_finite(validator):
    rows = read_rows("application/json", b'{"rows": [{"x": 1e999}]}', max_rows=3).records
    assert _only_error(validator, {**GOOD, **rows[0]})["problem"] == "not_finite"


def test_csv_cells_are_coerced_and_markers_are_missing(validator):
    text = (
        "x,n,flag,colour,when,note\n"
        "0.5,3,true,c01,2020-01-02T03:04:05,hi\n"
        "0.25,NA,no,?,2021-01-01,yo\n"
    )
    rows = read_rows("text/csv; charset=utf-8", text.encode(), max_rows=3)
    batch = validator.validate(rows.records)
    assert batch.errors == []
    assert batch.frame["n"].isna().tolist() == [False, True]
    assert batch.frame["flag"].tolist() == [True, False] and batch.frame["n"].iloc[0] == 3


def test_csv_lines_with_a_wrong_cell_count_are_row_errors():
    rows = read_rows("text/csv", b"x,n\n1,2\n1,2,3\n4,5\n", max_rows=5)
    assert rows.positions == [0, 2]
    assert [(e["row"], e["problem"]) for e in rows.errors] == [(1, "invalid_csv")]


def test_vendor_json_media_types_are_json():
    body = json.dumps({"rows": [GOOD]}).encode()
    assert read_rows("application/vnd.api+json", body, max_rows=3).records == [GOOD]
