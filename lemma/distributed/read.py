"""Tables bigger than memory: CSV and Parquet collections read through Dask DataFrame.

``lemma study --engine dask`` and ``lemma predict --engine dask`` read DATA with
:func:`read_collection` instead of :func:`lemma.io.read.read_table`. DATA is one
file, a folder of files or a glob (``"sales/2024-*.csv"``); CSV is parsed exactly
as :func:`~lemma.io.read.read_table` parses it (the delimiter sniffed from the first
file, the same missing markers, a byte-order mark dropped), Parquet by pyarrow. The
result is lazy: a partition of about ``blocksize`` bytes is read when a task needs
it, by whichever process computes it (the cluster's workers under
:func:`lemma.distributed.use`, so they must see the same files).

A study fits dozens of models on the table held in memory, so on a collection larger
than ``max_rows`` it studies a uniform random sample (:func:`sample_rows`: each
partition keeps the same fraction of its rows, drawn with the study's seed) and says
so; ``lemma predict`` streams every row, one partition at a time.

Reference: the Dask DataFrame documentation (https://docs.dask.org/en/stable/dataframe.html).
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

import pandas as pd

from lemma.io.read import (
    _PARQUET_MAGIC,
    _PARQUET_SUFFIXES,
    MISSING_MARKERS,
    FileFormatError,
    _check_text,
    _head,
    _sniff_delimiter,
)

__all__ = [
    "BLOCKSIZE",
    "as_pandas_types",
    "collection_files",
    "read_collection",
    "sample_rows",
]

#: Bytes of CSV text per partition.
BLOCKSIZE = "64MB"
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".gz")


def _error(source: str, problem: str, remedy: str) -> FileFormatError:
    return FileFormatError(f"DATA {source!r} {problem}; {remedy}.")


def collection_files(source: str | os.PathLike) -> list[Path]:
    """The files of a collection: one file, a folder's data files, or a glob's matches.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.csv", "notes.md"):
    ...     _ = (folder / name).write_text("x\\n1\\n")
    >>> [p.name for p in collection_files(folder)]
    ['a.csv', 'b.csv']
    """
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in _TEXT_SUFFIXES + _PARQUET_SUFFIXES
        )
        if not files:
            raise _error(text, "is a folder without CSV or Parquet files", "check the path")
        return files
    if path.is_file():
        return [path]
    files = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
    if not files:
        raise _error(text, "matches no file", "check the path or the glob pattern")
    return files


def _is_parquet(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == _PARQUET_MAGIC or path.suffix.lower() in _PARQUET_SUFFIXES


def read_collection(source: str | os.PathLike, *, blocksize: str | int = BLOCKSIZE) -> Any:
    """DATA as a lazy Dask DataFrame (CSV or Parquet; one file, a folder or a glob).

    Parameters
    ----------
    source : str or path-like
    blocksize : str or int, default=BLOCKSIZE
        Bytes of uncompressed CSV per partition (a gzip file is one partition).

    Returns
    -------
    dask.dataframe.DataFrame
        Columns typed from the first block (integers read as floats, so a missing value
        in a later block cannot break the type).

    Raises
    ------
    FileFormatError
        No file, an empty, binary or zip file, or a Parquet collection without pyarrow.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "part-1.csv").write_text("age;city\\n31;Oslo\\n45;?\\n")
    >>> _ = (folder / "part-2.csv").write_text("age;city\\n28;Rome\\n")
    >>> frame = read_collection(folder)
    >>> frame.npartitions, len(frame), int(frame["city"].isna().sum().compute())
    (2, 3, 1)
    """
    import dask.dataframe as dd

    text = os.fspath(source)
    files = collection_files(text)
    if _is_parquet(files[0]):
        try:
            return dd.read_parquet([str(p) for p in files])
        except ImportError as exc:
            raise _error(
                text, "is Parquet, and reading it needs pyarrow", "pip install pyarrow"
            ) from exc
    head, compression = _head(files[0], text)
    _check_text(head, text)
    return dd.read_csv(
        [str(p) for p in files],
        sep=_sniff_delimiter(head),
        na_values=list(MISSING_MARKERS),
        keep_default_na=False,
        skipinitialspace=True,
        encoding="utf-8-sig",
        compression=compression,
        blocksize=None if compression else blocksize,
        assume_missing=True,
    )


def as_pandas_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns in pandas' own ``str`` dtype (missing = NaN), as ``read_table`` gives.

    Dask reads text as a string dtype whose missing value is ``pd.NA``; the rest of
    lemma sees tables as pandas reads them.

    Examples
    --------
    >>> text = pd.Series(["a", None], dtype=pd.StringDtype(na_value=pd.NA))
    >>> as_pandas_types(pd.DataFrame({"g": text}))["g"].tolist()
    ['a', nan]
    """
    text = [
        c
        for c, dtype in frame.dtypes.items()
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA
    ]
    return frame.astype(dict.fromkeys(text, "str")) if text else frame


def sample_rows(frame: Any, max_rows: int, seed: int) -> tuple[pd.DataFrame, int]:
    """At most about ``max_rows`` rows of ``frame`` in memory, and its number of rows.

    The rows come in pandas' types (:func:`as_pandas_types`).

    A collection of n ≤ ``max_rows`` rows is computed whole. A larger one gives a
    uniform sample: every partition keeps the fraction ``max_rows / n`` of its rows,
    drawn with ``seed`` (so the sample is reproducible for the same partitions).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> frame = dd.from_pandas(pd.DataFrame({"x": range(1000)}), npartitions=4)
    >>> sample, n = sample_rows(frame, 100, seed=0)
    >>> len(sample), n, bool(sample["x"].is_unique)
    (100, 1000, True)
    """
    n = int(frame.shape[0].compute())
    if n > max_rows:
        frame = frame.sample(frac=max_rows / n, random_state=seed)
    return as_pandas_types(frame.compute().reset_index(drop=True)), n
