"""Reading a user's table: CSV (delimiter sniffed, missing markers), Parquet, or a bundled name.

:func:`read_table` is the one reader behind ``lemma profile``, ``lemma predict`` and
the study. A source is read as

* the name of a bundled dataset (:data:`lemma.io.datasets.DATASETS`) when no file of
  that name exists;
* Parquet when the file starts with the magic bytes ``PAR1`` or is named
  ``*.parquet`` / ``*.pq`` (needs pyarrow or fastparquet);
* otherwise delimited text (``.csv``, ``.tsv``, ``.txt``, optionally gzip-compressed):
  the delimiter is sniffed among ``, ; tab |`` from the first 64 KiB
  (:class:`csv.Sniffer`), a leading UTF-8 byte-order mark is dropped, spaces after a
  delimiter are skipped, and exactly the cells listed in ``missing_markers`` are read
  as missing.

The default markers are :data:`MISSING_MARKERS`: ``""`` (empty cell), ``"?"`` (UCI
files such as Adult), ``"NA"``, ``"N/A"``, ``"NaN"``, ``"nan"``, ``"NULL"`` and
``"null"``. ``"None"`` is deliberately *not* a marker: it is a real category in many
tables (Ames housing writes "no alley" as ``NA``, which lemma's loader keeps as the
category ``"None"``). pandas' own longer default list is not used, so what counts as
missing is exactly what the list says.

Every failure — a missing, empty, binary, non-UTF-8 or unparsable file, a zip
archive, a Parquet file without a Parquet engine, a header without rows — is a
:class:`FileFormatError` whose message says what is wrong and what to do.

Examples
--------
>>> import pathlib, tempfile
>>> from lemma.io.read import read_table
>>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
>>> _ = path.write_text("age;city;income\\n31;Oslo;?\\n45;;52000\\n")
>>> table = read_table(path)
>>> table.shape, int(table.isna().sum().sum())
((2, 3), 2)
>>> read_table("german_credit").shape
(1000, 23)
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lemma.exceptions import DataValidationError
from lemma.prep._profile_columns import MISSING_MARKERS

__all__ = ["MISSING_MARKERS", "FileFormatError", "read_table"]


_DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_PARQUET_SUFFIXES = (".parquet", ".pq")


class FileFormatError(DataValidationError):
    """A table file is missing, empty, binary, unparsable or of an unsupported format."""


def _error(source: str, problem: str, remedy: str) -> FileFormatError:
    return FileFormatError(f"{source!r} {problem}; {remedy}.")


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:
        raise _error(
            source,
            "is a Parquet file, and reading Parquet needs pyarrow, which is not installed",
            "pip install pyarrow, or convert the file to CSV",
        ) from exc
    except (OSError, ValueError) as exc:
        raise _error(source, f"is not a readable Parquet file ({exc})", "check it") from exc


def _sniff_delimiter(head: bytes) -> str:
    """The delimiter of the complete lines in ``head`` (a comma when nothing is clear)."""
    sample = head[: head.rfind(b"\n") + 1] or head
    try:
        return csv.Sniffer().sniff(sample.decode("utf-8-sig"), delimiters=_DELIMITERS).delimiter
    except (csv.Error, UnicodeDecodeError):
        return ","


def _read_csv(
    path: Path,
    source: str,
    head: bytes,
    sep: str | None,
    markers: Sequence[str],
    compression: str | None,
) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            sep=_sniff_delimiter(head) if sep is None else sep,
            na_values=list(markers),
            keep_default_na=False,
            skipinitialspace=True,
            encoding="utf-8-sig",
            compression=compression,
        )
    except UnicodeDecodeError as exc:
        raise _error(
            source,
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start})",
            "save it as UTF-8 CSV",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise _error(source, "holds no columns", "pass a CSV with a header row") from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise _error(
            source,
            f"is not a readable CSV file ({detail})",
            "check its delimiter, quoting and the number of fields per line",
        ) from exc
    if frame.empty:
        raise _error(source, "has a header but no rows", "pass a file with data rows")
    return frame


def _head(path: Path, source: str) -> tuple[bytes, str | None]:
    """The first bytes of the (decompressed) file and the compression to read it with."""
    with open(path, "rb") as f:
        head = f.read(_SAMPLE_BYTES)
    if not head.startswith(_GZIP_MAGIC):
        return head, None
    try:
        with gzip.open(path, "rb") as f:
            return f.read(_SAMPLE_BYTES), "gzip"
    except (OSError, EOFError) as exc:
        raise _error(source, f"is a damaged gzip file ({exc})", "re-create it") from exc


def _check_text(head: bytes, source: str) -> None:
    if not head:
        raise _error(source, "is empty (0 bytes)", "pass a CSV with a header row")
    if head.startswith(_ZIP_MAGIC):
        raise _error(
            source,
            "is a zip archive (a lemma model?), not CSV text",
            "unzip it, or if it is a model pass it as MODEL: lemma predict MODEL DATA",
        )
    if b"\x00" in head:
        raise _error(source, "is a binary file, not CSV text", "pass a CSV or Parquet file")


def read_table(
    source: str | os.PathLike,
    *,
    missing_markers: Sequence[str] = MISSING_MARKERS,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read a table from a CSV or Parquet file, or load a bundled dataset by name.

    Parameters
    ----------
    source : str or path-like
        A path (``.csv``, ``.tsv``, ``.txt``, any of them ``.gz``-compressed, or
        ``.parquet``), or a name listed by ``lemma datasets`` (used when no such
        file exists).
    missing_markers : sequence of str, default=MISSING_MARKERS
        Cells of a text file read as missing; exactly these (pass ``()`` for none).
        Not applied to Parquet files or bundled datasets, which record missing
        values themselves.
    sep : str, optional
        The delimiter of a text file; sniffed among ``, ; tab |`` when None.

    Returns
    -------
    DataFrame of shape (n_rows, n_columns)

    Raises
    ------
    FileFormatError
        The file is missing (and no dataset has that name), a folder, empty, binary,
        a zip archive, not UTF-8, not parsable, Parquet without an engine, or a
        header without rows; the message says which and what to do.

    Examples
    --------
    >>> from lemma.io.read import read_table
    >>> read_table("adult").attrs["target"]
    'income'
    """
    from lemma.io.datasets import DATASETS, load_dataset

    text = os.fspath(source)
    path = Path(text)
    if not path.exists():
        if isinstance(source, str) and source.lower().replace("-", "_") in DATASETS:
            return load_dataset(source)
        raise _error(
            text,
            "does not exist and is not a bundled dataset",
            f"check the path (bundled datasets: {', '.join(sorted(DATASETS))})",
        )
    if path.is_dir():
        raise _error(text, "is a directory", "pass a CSV or Parquet file")
    head, compression = _head(path, text)
    if head.startswith(_PARQUET_MAGIC) or path.suffix.lower() in _PARQUET_SUFFIXES:
        return _read_parquet(path, text)
    _check_text(head, text)
    return _read_csv(path, text, head, sep, missing_markers, compression)
