"""read_table: delimiters, missing markers, compression, bundled names, and every bad file.

References: pandas' own ``read_csv`` with the delimiter and markers spelled out, and
the bundled loaders of lemma.io.datasets.
"""

from __future__ import annotations

import gzip
import sys

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataValidationError, LemmaError
from lemma.io.datasets import load_german_credit
from lemma.io.read import MISSING_MARKERS, FileFormatError, read_table

ROWS = [["31", "Oslo", "?"], ["45", "", "52000"], ["NA", "Rome", "61000"], ["27", "None", "n/a"]]


def _write_rows(path, sep, rows=ROWS, header=("age", "city", "income")):
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path, sep):
    path = _write_rows(tmp_path / "t.csv", sep)
    table = read_table(path)
    expected = pd.read_csv(path, sep=sep, na_values=list(MISSING_MARKERS), keep_default_na=False)
    assert list(table.columns) == ["age", "city", "income"]
    pd.testing.assert_frame_equal(table, expected)


def test_exactly_the_listed_markers_are_missing(tmp_path):
    path = _write_rows(tmp_path / "t.csv", ",")
    table = read_table(path)
    # "?", "" and "NA" are markers; "None" is a category and "n/a" is not listed.
    assert table.isna().to_numpy().tolist() == [
        [False, False, True],
        [False, True, False],
        [True, False, False],
        [False, False, False],
    ]
    assert table.loc[3, "city"] == "None" and table.loc[3, "income"] == "n/a"
    only_question = read_table(path, missing_markers=["?"])
    assert int(only_question.isna().sum().sum()) == 1
    assert only_question.loc[2, "age"] == "NA"


def test_an_explicit_separator_wins_over_sniffing(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a;b,c\n1;2,3\n")
    assert list(read_table(path, sep=";").columns) == ["a", "b,c"]
    assert list(read_table(path, sep=",").columns) == ["a;b", "c"]


def test_gzip_compressed_csv(tmp_path):
    plain = _write_rows(tmp_path / "t.csv", ";")
    packed = tmp_path / "t.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    pd.testing.assert_frame_equal(read_table(packed), read_table(plain))


def test_a_byte_order_mark_and_spaces_after_delimiters_are_dropped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffx, y\n1, a\n2, b\n".encode())
    table = read_table(path)
    assert list(table.columns) == ["x", "y"] and table["y"].tolist() == ["a", "b"]


def test_a_bundled_name_loads_the_dataset():
    pd.testing.assert_frame_equal(read_table("german-credit"), load_german_credit())


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]})
    frame.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), frame)


# ---------------------------------------------------------------------- bad files
BAD_FILES = {
    "missing": (None, "does not exist and is not a bundled dataset"),
    "empty": (b"", r"is empty \(0 bytes\)"),
    "blank": ("\n\n", "holds no columns"),
    "header only": ("size,age\n", "has a header but no rows"),
    "unparsable": ("size,age\n1,2\n3,4,5,6\n", r"not a readable CSV file \(.*Expected 2 fields"),
    "binary": (bytes(range(256)) * 4, "is a binary file, not CSV text"),
    "latin-1": ("size,city\n1,caf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
    "zip": (b"PK\x03\x04" + b"\x00" * 30, r"is a zip archive"),
    "damaged gzip": (b"\x1f\x8b" + b"\x07" * 30, "is a damaged gzip file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_raise_a_clear_error(tmp_path, case):
    content, match = BAD_FILES[case]
    path = tmp_path / "data.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(FileFormatError, match=match) as info:
        read_table(path)
    assert isinstance(info.value, DataValidationError | LemmaError)
    assert str(path) in str(info.value)


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(FileFormatError, match="is a directory"):
        read_table(tmp_path)


def test_parquet_without_an_engine_says_how_to_fix_it(tmp_path, monkeypatch):
    for engine in ("pyarrow", "fastparquet"):  # as if neither were installed
        monkeypatch.setitem(sys.modules, engine, None)
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 20)
    with pytest.raises(FileFormatError, match="pip install pyarrow, or convert the file to CSV"):
        read_table(path)
