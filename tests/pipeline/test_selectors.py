"""Kind inference and column selectors (against scikit-learn's make_column_selector)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import compose as sk_compose
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from lemma.exceptions import DataTypeError, ParameterError
from lemma.pipeline import KINDS, ColumnTransformer, infer_kind, make_column_selector
from lemma.pipeline.selectors import (
    CATEGORICAL_MAX_UNIQUE,
    CATEGORICAL_MAX_UNIQUE_RATIO,
    IDENTIFIER_MIN_UNIQUE_RATIO,
    TEXT_MIN_MEAN_LENGTH,
)

N = 40
SENTENCES = [
    f"customer number {i} wrote that the delivery was {'late' if i % 3 else 'fine'} again"
    for i in range(N)
]


@pytest.fixture
def frame():
    """One column of every kind, with the kind it must be read as in the name's suffix."""
    return pd.DataFrame(
        {
            "height_numeric": np.linspace(150.0, 190.0, N),
            "visits_numeric": np.arange(N) % 7,
            "churned_boolean": np.arange(N) % 2,
            "member_boolean": np.arange(N) % 3 == 0,
            "plan_categorical": pd.Categorical(["basic", "pro"] * (N // 2)),
            "city_categorical": ["Oslo", "Rome", "Lima", "Oslo"] * (N // 4),
            "review_text": SENTENCES,
            "customer_identifier": [f"C-{i:05d}" for i in range(N)],
            "joined_datetime": pd.date_range("2020-01-01", periods=N, freq="D"),
            "blank_empty": np.full(N, np.nan),
        }
    )


def test_each_kind_on_a_handcrafted_frame(frame):
    for name in frame.columns:
        assert infer_kind(frame[name]) == name.rsplit("_", 1)[1], name


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([np.nan, np.nan, np.nan], "empty"),
        ([None, None], "empty"),
        ([], "empty"),
        ([3.5] * 5, "numeric"),
        ([7], "numeric"),
        (["only"] * 5, "categorical"),
        ([True, None, False, None], "boolean"),
        ([1, 2.5, None, 4], "numeric"),
        ([0.0, 1.0, np.nan, 1.0], "boolean"),
        (pd.array([1, None, 0], dtype="Int64"), "boolean"),
        (pd.to_timedelta([1, 2, 3], unit="D"), "numeric"),
        (pd.period_range("2020-01", periods=3, freq="M"), "datetime"),
        ([pd.Timestamp("2020-01-01").date(), None], "datetime"),
    ],
)
def test_edge_cases(values, kind):
    empty = isinstance(values, list) and not values
    assert infer_kind(pd.Series(values, dtype=object if empty else None)) == kind


def test_thresholds_of_text_columns():
    n = 200
    few = [f"v{i % CATEGORICAL_MAX_UNIQUE}" for i in range(n)]
    assert infer_kind(pd.Series(few)) == "categorical"
    half = [f"v{i % int(CATEGORICAL_MAX_UNIQUE_RATIO * n)}" for i in range(n)]
    assert infer_kind(pd.Series(half)) == "categorical"
    unique = [f"k{i}" for i in range(n)]
    assert infer_kind(pd.Series(unique)) == "identifier"
    n_dup = int(np.floor((1 - IDENTIFIER_MIN_UNIQUE_RATIO) * n))
    nearly = unique[: n - n_dup] + unique[:n_dup]
    assert infer_kind(pd.Series(nearly)) == "identifier"
    mostly = unique[: int(0.7 * n)] + unique[: n - int(0.7 * n)]
    assert infer_kind(pd.Series(mostly)) == "categorical"
    prose = [f"word {i} " + "x" * TEXT_MIN_MEAN_LENGTH for i in range(n)]
    assert infer_kind(pd.Series(prose)) == "text"
    long_codes = [f"{i:0{TEXT_MIN_MEAN_LENGTH + 5}d}" for i in range(n)]
    assert infer_kind(pd.Series(long_codes)) == "identifier"


columns = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=False, width=32), max_size=40),
    st.lists(st.integers(-3, 3), max_size=40),
    st.lists(st.one_of(st.none(), st.text(max_size=25)), max_size=40),
    st.lists(st.one_of(st.none(), st.booleans()), max_size=40),
)


@settings(max_examples=40, deadline=None)
@given(values=columns, data=st.data())
def test_kind_ignores_row_order_and_is_a_known_kind(values, data):
    series = pd.Series(values, dtype=object if not values else None)
    order = data.draw(st.permutations(range(len(values))))
    kind = infer_kind(series)
    assert kind in KINDS
    assert infer_kind(series.iloc[list(order)].reset_index(drop=True)) == kind
    if series.dtype.kind == "f":
        padded = pd.concat([series, pd.Series([np.nan] * 3)], ignore_index=True)
        assert infer_kind(padded) == kind


# ------------------------------------------------------------------------------ selectors
@pytest.mark.parametrize(
    "criteria",
    [
        {"pattern": "_(?:numeric|boolean)$"},
        {"dtype_include": np.number},
        {"dtype_include": "category"},
        {"dtype_exclude": ["number", "bool"]},
        {"pattern": "^c", "dtype_include": "str"},
        {},
    ],
)
def test_pattern_and_dtype_match_sklearn(frame, criteria):
    expected = sk_compose.make_column_selector(**criteria)(frame)
    assert make_column_selector(**criteria)(frame) == expected


def test_select_by_kind(frame):
    assert make_column_selector(kind="numeric")(frame) == ["height_numeric", "visits_numeric"]
    both = make_column_selector(kind=["text", "identifier"])(frame)
    assert both == ["review_text", "customer_identifier"]
    assert make_column_selector("^c", kind="categorical")(frame) == ["city_categorical"]


def test_selectors_drive_a_column_transformer(frame):
    encoder = OneHotEncoder(sparse_output=False)
    ours = ColumnTransformer(
        [
            ("num", StandardScaler(), make_column_selector(kind="numeric")),
            ("cat", encoder, make_column_selector(kind="categorical")),
        ]
    )
    ref = ColumnTransformer(
        [
            ("num", StandardScaler(), ["height_numeric", "visits_numeric"]),
            ("cat", OneHotEncoder(sparse_output=False), ["plan_categorical", "city_categorical"]),
        ]
    )
    pd.testing.assert_frame_equal(ours.fit_transform(frame), ref.fit_transform(frame))
    assert ours.transformers_[0][2] == ["height_numeric", "visits_numeric"]


def test_polars_frames_select_by_pattern_and_kind(frame):
    pl = pytest.importorskip("polars")
    polars_frame = pl.DataFrame(
        {c: frame[c].to_numpy() for c in frame.columns if c != "plan_categorical"}
    )
    assert make_column_selector(kind="boolean")(polars_frame) == [
        "churned_boolean",
        "member_boolean",
    ]
    assert make_column_selector("city")(polars_frame) == ["city_categorical"]
    with pytest.raises(DataTypeError, match="for a polars DataFrame select by kind"):
        make_column_selector(dtype_include="number")(polars_frame)


def test_bad_input(frame):
    with pytest.raises(DataTypeError, match="is a ndarray without column names"):
        make_column_selector(kind="numeric")(frame.to_numpy())
    with pytest.raises(ParameterError, match="kind must be one of"):
        make_column_selector(kind="numbers")
    with pytest.raises(DataTypeError, match="infer_kind takes a pandas Series; got ndarray"):
        infer_kind(np.arange(3))
    assert (
        repr(make_column_selector("^a", kind="text")) == "make_column_selector('^a', kind='text')"
    )
