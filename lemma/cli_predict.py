"""``lemma predict MODEL DATA``: predictions from a saved model, with the data checked first.

Steps: load MODEL safely (:func:`lemma.io.persist.load_file`) → read DATA, a CSV
file (delimiter sniffed among ``, ; tab |``; ``?``, ``NA`` and empty cells are
missing), a Parquet file (needs pyarrow) or the name of a bundled dataset
(:func:`lemma.io.datasets.load_dataset`) → check it against the model's training
schema, if saved, listing every problem in one error (without a schema, the
model's ``feature_names_in_`` select the columns) → predict → write CSV: a
``prediction`` column (``prediction_<k>`` for several targets) and, for
classifiers, one ``proba_<class>`` column per class.

Every failure — a missing, empty, binary or unparsable file, a file that is not
a model, a schema mismatch — is a lemma error whose one-line message the command
line prints with exit code 2.

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> import lemma
>>> from lemma.cli_predict import predict_file
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 3.0, 5.0]})
>>> model = lemma.LinearRegression().fit(train[["x"]], train["y"])
>>> _ = lemma.save(model, folder / "line.lemma", schema=train[["x"]])
>>> _ = (folder / "new.csv").write_text("x\\n3\\n10\\n")
>>> predictions, warnings = predict_file(folder / "line.lemma", str(folder / "new.csv"))
>>> predictions.round(6)
   prediction
0         7.0
1        21.0
>>> for warning in warnings:
...     print(warning)
column 'x' has 2 values outside the training range [0, 2] (e.g. 3)
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError
from lemma.io.persist import load_file
from lemma.io.schema import Problem, SchemaError

__all__ = ["predict_collection", "predict_file", "read_data", "run"]

#: Cells read as missing, besides pandas' defaults ("", "NA", "NaN", "null", ...).
MISSING_MARKERS = ["?", "", "NA"]
_DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 64 * 1024


# ---------------------------------------------------------------------- reading DATA
def _data_error(source: str, problem: str, remedy: str) -> DataValidationError:
    return DataValidationError(f"DATA {source!r} {problem}; {remedy}.")


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:
        raise _data_error(
            source,
            "is a Parquet file, and reading Parquet needs pyarrow, which is not installed",
            "pip install pyarrow, or convert the file to CSV",
        ) from exc
    except (OSError, ValueError) as exc:
        raise _data_error(source, f"is not a readable Parquet file ({exc})", "check it") from exc


def _sniff_delimiter(head: bytes) -> str:
    sample = head[: head.rfind(b"\n") + 1] or head
    try:
        return csv.Sniffer().sniff(sample.decode("utf-8-sig"), delimiters=_DELIMITERS).delimiter
    except (csv.Error, UnicodeDecodeError):
        return ","


def _read_csv(path: Path, source: str, head: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            sep=_sniff_delimiter(head),
            na_values=MISSING_MARKERS,
            skipinitialspace=True,
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError as exc:
        raise _data_error(
            source,
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start})",
            "save it as UTF-8 CSV",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise _data_error(source, "holds no columns", "pass a CSV with a header row") from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise _data_error(
            source,
            f"is not a readable CSV file ({detail})",
            "check its delimiter, quoting and the number of fields per line",
        ) from exc
    if frame.empty:
        raise _data_error(source, "has a header but no rows", "pass rows to predict on")
    return frame


def read_data(source: str) -> pd.DataFrame:
    """Read DATA: a CSV or Parquet file, or the name of a bundled dataset.

    Parameters
    ----------
    source : str
        A path, or a name listed by ``lemma datasets`` (used when no such file
        exists).

    Returns
    -------
    DataFrame

    Raises
    ------
    DataValidationError
        The file is missing, empty, binary, not UTF-8, or not parsable; the
        message says which and what to do.

    Examples
    --------
    >>> from lemma.cli_predict import read_data
    >>> read_data("longley").shape
    (16, 7)
    """
    from lemma.io.datasets import DATASETS, load_dataset

    path = Path(source)
    if not path.exists():
        if source.lower().replace("-", "_") in DATASETS:
            return load_dataset(source)
        raise _data_error(
            source,
            "does not exist and is not a bundled dataset",
            f"check the path (bundled datasets: {', '.join(sorted(DATASETS))})",
        )
    if path.is_dir():
        raise _data_error(source, "is a directory", "pass a CSV or Parquet file")
    with open(path, "rb") as f:
        head = f.read(_SAMPLE_BYTES)
    if not head:
        raise _data_error(source, "is empty (0 bytes)", "pass a CSV with a header row")
    if head.startswith(b"PAR1") or path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path, source)
    if head.startswith(b"PK\x03\x04"):
        raise _data_error(
            source,
            "is a zip archive (a lemma model?), not CSV text",
            "pass the model first and the data second: lemma predict MODEL DATA",
        )
    if b"\x00" in head:
        raise _data_error(source, "is a binary file, not CSV text", "pass a CSV or Parquet file")
    return _read_csv(path, source, head)


# ---------------------------------------------------------------------- predicting
def _select_columns(model: Any, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Without a saved schema: the columns the model was fitted on, by name when known."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return frame, []
    names = [str(n) for n in names]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DataValidationError(
            f"DATA lacks columns the model was fitted on: {missing}; add them to the data."
        )
    extra = [str(c) for c in frame.columns if str(c) not in set(names)]
    notes = []
    if extra:
        notes.append(
            Problem("extra_column", None, f"ignoring columns {extra} (not used by the model)")
        )
    return frame[names], notes


def _output_frame(model: Any, X: pd.DataFrame, proba: bool) -> pd.DataFrame:
    predictions = np.asarray(model.predict(X))
    if predictions.ndim == 2:
        columns = {f"prediction_{k}": predictions[:, k] for k in range(predictions.shape[1])}
    else:
        columns = {"prediction": predictions}
    classes = getattr(model, "classes_", None)
    if proba and classes is not None and hasattr(model, "predict_proba"):
        probabilities = np.asarray(model.predict_proba(X))
        for k, label in enumerate(classes):
            columns[f"proba_{label}"] = probabilities[:, k]
    return pd.DataFrame(columns)


def predict_file(
    model_path: str | os.PathLike,
    data: str,
    *,
    proba: bool = True,
    allow_extra: bool = False,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Predictions of a saved model on DATA, after checking DATA against its schema.

    Parameters
    ----------
    model_path : str or path-like
        A ``.lemma`` file written by :func:`lemma.save`.
    data : str
        DATA as :func:`read_data` reads it.
    proba : bool, default=True
        Add ``proba_<class>`` columns for classifiers that give probabilities.
    allow_extra : bool, default=False
        Ignore columns the model was not trained on instead of refusing them.

    Returns
    -------
    predictions : DataFrame
    warnings : list of Problem
        Schema warnings (values outside the training range, unexpected missing
        values, ignored columns).

    Raises
    ------
    ModelFileError, DataValidationError, SchemaError
    """
    saved = _load_predictor(model_path)
    X, notes = _checked(saved, read_data(data), allow_extra)
    return _output_frame(saved.model, X, proba), notes


def _load_predictor(model_path: str | os.PathLike) -> Any:
    saved = load_file(model_path)
    if not hasattr(saved.model, "predict"):
        raise DataValidationError(
            f"MODEL {str(model_path)!r} holds a {type(saved.model).__name__}, which has no "
            "predict method; save a model (or a pipeline ending in one) to use lemma predict."
        )
    return saved


def _checked(saved: Any, frame: pd.DataFrame, allow_extra: bool) -> tuple[Any, list[Problem]]:
    """The model's input columns of ``frame``, checked against the saved schema if any."""
    if saved.schema is None:
        return _select_columns(saved.model, frame)
    try:
        notes = saved.schema.check(frame, allow_extra=allow_extra)
    except SchemaError as exc:
        if any(p.kind == "extra_column" for p in exc.problems):
            remedy = "fix the data, or pass --allow-extra to ignore the extra columns"
            raise SchemaError(exc.problems, remedy) from exc
        raise
    return saved.schema.conform(frame, allow_extra=allow_extra), notes


# ---------------------------------------------------------------------- --engine dask
def _predict_partition(saved: Any, frame: pd.DataFrame, proba: bool, allow_extra: bool):
    """Predictions and schema warnings of one partition (runs where the partition is)."""
    from lemma.distributed.read import as_pandas_types

    X, notes = _checked(saved, as_pandas_types(frame), allow_extra)
    return _output_frame(saved.model, X, proba), notes


def predict_collection(
    model_path: str | os.PathLike,
    data: str,
    write: Any,
    *,
    proba: bool = True,
    allow_extra: bool = False,
    batch: int = 2,
) -> tuple[int, list[str]]:
    """Predict on DATA read through Dask DataFrame, partition by partition, in row order.

    Each partition is checked against the schema and predicted where it is read (on
    the cluster's workers under :func:`lemma.distributed.use`); ``batch`` partitions
    are computed at a time and handed to ``write(predictions, first)`` in order, so
    memory holds a few partitions' predictions, never DATA.

    Parameters
    ----------
    model_path : str or path-like
    data : str
        A CSV or Parquet file, folder or glob (:func:`lemma.distributed.read.read_collection`).
    write : callable
        ``write(predictions: DataFrame, first: bool)``.
    proba, allow_extra : bool
        As in :func:`predict_file`.
    batch : int, default=2
        Partitions computed together.

    Returns
    -------
    n_rows : int
    warnings : list of str
        Each schema warning once, with the number of partitions it came from.
        Row numbers in messages count within a partition.
    """
    from dask import delayed

    from lemma.distributed._collections import compute
    from lemma.distributed.read import read_collection

    saved = _load_predictor(model_path)
    parts = read_collection(data).to_delayed()
    task = delayed(_predict_partition, pure=True)
    seen: dict[tuple, list] = {}
    n_rows = 0
    for start in range(0, len(parts), batch):
        chunk = [task(saved, part, proba, allow_extra) for part in parts[start : start + batch]]
        values = compute(*chunk)
        for predictions, notes in values if len(chunk) > 1 else (values,):
            write(predictions, n_rows == 0)
            n_rows += len(predictions)
            for note in notes:
                seen.setdefault((note.kind, note.column), [str(note), 0])[1] += 1
    warnings = [text if n == 1 else f"{text} (in {n} partitions)" for text, n in seen.values()]
    return n_rows, warnings


def run(
    model_path: str,
    data: str,
    *,
    out: str | None,
    proba: bool,
    allow_extra: bool,
    engine: str = "pandas",
    cluster: str | None = None,
) -> None:
    """The ``lemma predict`` command: warnings to stderr, CSV to ``out`` or stdout.

    ``engine="dask"`` (implied by ``cluster``) streams :func:`predict_collection`.
    """
    import click

    from lemma.cli_dask import cluster_session, require_dask, total_threads

    if cluster is not None:
        engine = "dask"  # the partitions are read and predicted on the cluster's workers
    if engine == "dask":
        require_dask("--engine dask")
    with cluster_session(cluster) as client:
        if engine == "dask":
            with _sink(out) as sink:
                n_rows, notes = predict_collection(
                    model_path, data, sink, proba=proba, allow_extra=allow_extra,
                    batch=total_threads(client),
                )  # fmt: skip
        else:
            predictions, problems = predict_file(
                model_path, data, proba=proba, allow_extra=allow_extra
            )
            with _sink(out) as sink:
                sink(predictions, True)
            n_rows, notes = len(predictions), [str(p) for p in problems]
    for note in notes:
        click.echo(f"lemma: warning: {note}", err=True)
    if out is not None:
        click.echo(f"lemma: wrote {n_rows} predictions to {out}", err=True)


@contextlib.contextmanager
def _sink(out: str | None) -> Iterator[Any]:
    """``write(predictions, first)`` appending CSV to ``out`` (stdout when None); a file
    left unfinished by an error is removed."""
    import click

    if out is None:
        yield lambda frame, first: click.echo(frame.to_csv(index=False, header=first), nl=False)
        return
    try:
        handle = open(out, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise DataValidationError(
            f"cannot write the predictions to {out!r} ({exc.strerror}); check that its folder "
            "exists and is writable."
        ) from exc
    try:
        with handle:
            yield lambda frame, first: frame.to_csv(handle, index=False, header=first)
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise
