"""Reading a request body into rows, and the 4xx answers of a bad one.

``POST /predict`` and ``POST /explain`` take a batch in one of two forms:

* JSON (``Content-Type: application/json``): ``{"rows": [{field: value, ...}, ...]}``
  (``/explain`` also takes ``"baseline": {field: value, ...}``). Only standard JSON
  is read: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259 §6) and are
  refused with **400**, as any malformed JSON is; send ``null`` for a missing value.
* CSV (``Content-Type: text/csv``): a header row of field names, then one line per
  row, comma-separated, UTF-8; an empty cell, ``?`` or ``NA`` is a missing value
  (as ``lemma predict`` reads CSV); values are coerced to the field's kind.

A body is refused, as a whole, with

====== ========================== ==================================================
status problem                    when
====== ========================== ==================================================
400    ``empty_body``             no bytes (or only whitespace)
400    ``invalid_json``           not standard JSON, or not UTF-8
400    ``invalid_csv``            CSV that cannot be read (unclosed quote, no header)
413    ``too_large``              over the byte limit (checked before parsing) or
                                  more rows than the batch limit
415    ``unsupported_media_type`` any other content type
422    ``invalid_body``           JSON that is not ``{"rows": [...]}``
422    ``no_rows``                an empty list of rows
====== ========================== ==================================================

and the rows themselves are checked field by field
(:class:`lemma.serve.schema.RowValidator`). Every 4xx body is an
:class:`~lemma.serve.schema.ErrorResponse`: ``{"detail", "errors", "warnings"}``.

Reference: T. Bray (ed.), RFC 8259, *The JavaScript Object Notation (JSON) Data
Interchange Format* (2017); Y. Shafranovich, RFC 4180, *Common Format and MIME Type
for Comma-Separated Values (CSV) Files* (2005).

Examples
--------
>>> from lemma.serve.body import ApiError, read_rows
>>> read_rows("application/json", b'{"rows": [{"x": 1}]}', max_rows=10).records
[{'x': 1}]
>>> try:
...     read_rows("application/json", b'{"rows": [{"x": NaN}]}', max_rows=10)
... except ApiError as error:
...     print(error.status, error.errors[0]["problem"])
400 invalid_json
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from lemma.serve.schema import problem

__all__ = ["ApiError", "Rows", "media_type", "read_rows"]

#: CSV cells read as missing, as ``lemma predict`` reads them (besides "").
CSV_MISSING = frozenset({"", "?", "NA"})
_JSON_TYPES = ("application/json",)
_CSV_TYPES = ("text/csv", "application/csv")


class ApiError(Exception):
    """A 4xx answer: status, one-sentence detail, problem records (and warnings)."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        warnings: list[dict[str, Any]] | None = None,
        *,
        code: str = "invalid_body",
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors if errors is not None else [problem(None, None, code, detail)]
        self.warnings = warnings or []

    def content(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"detail": self.detail, "errors": self.errors, "warnings": self.warnings}


@dataclass
class Rows:
    """Rows read from a body.

    Attributes
    ----------
    records : list
        The rows to validate (dicts, or whatever JSON held).
    positions : list of int
        Position of each record in the request (CSV lines with a wrong number of
        cells are left out of ``records`` and reported in ``errors``).
    errors : list of dict
    baseline : dict or None
        The ``baseline`` member of a JSON body, when allowed.
    """

    records: list[Any]
    positions: list[int]
    errors: list[dict[str, Any]] = field(default_factory=list)
    baseline: Any = None

    @property
    def n_rows(self) -> int:
        return len(self.positions) + len(self.errors)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value (use null for a missing value)")


def _too_many(n: int, max_rows: int) -> ApiError:
    return ApiError(
        413,
        f"the batch has {n} rows, over this server's limit of {max_rows}; split it into "
        "smaller batches",
        code="too_large",
    )


def _read_json(body: bytes, max_rows: int, allow_baseline: bool) -> Rows:
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            f"the body is not UTF-8 text ({exc.reason} at byte {exc.start})",
            code="invalid_json",
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise ApiError(
            400,
            f'the body is not standard JSON ({exc}); send {{"rows": [{{field: value}}, ...]}}',
            code="invalid_json",
        ) from exc
    allowed = {"rows", "baseline"} if allow_baseline else {"rows"}
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ApiError(422, 'the body must be a JSON object {"rows": [{field: value, ...}, ...]}')
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApiError(
            422, f"the body has unknown members {unknown}; expected only {sorted(allowed)}"
        )
    rows = data["rows"]
    if not rows:
        raise ApiError(422, "the body holds no rows; send at least one", code="no_rows")
    if len(rows) > max_rows:
        raise _too_many(len(rows), max_rows)
    return Rows(rows, list(range(len(rows))), baseline=data.get("baseline"))


def _read_csv(body: bytes, max_rows: int) -> Rows:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            f"the CSV body is not UTF-8 text ({exc.reason} at byte {exc.start})",
            code="invalid_csv",
        ) from exc
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise ApiError(400, f"the CSV body cannot be read ({exc})", code="invalid_csv") from exc
    lines = [line for line in lines if line]  # blank lines carry no row
    header = [name.strip() for name in lines[0]] if lines else []
    if not header or len(set(header)) != len(header):
        raise ApiError(
            400, "the CSV body needs a header row of distinct field names", code="invalid_csv"
        )
    data = lines[1:]
    if not data:
        raise ApiError(422, "the CSV body has a header but no rows", code="no_rows")
    if len(data) > max_rows:
        raise _too_many(len(data), max_rows)
    rows = Rows([], [])
    for i, cells in enumerate(data):
        if len(cells) != len(header):
            message = f"CSV row {i} has {len(cells)} cells but the header names {len(header)}"
            rows.errors.append(problem(i, None, "invalid_csv", message))
            continue
        rows.records.append(
            {k: None if v.strip() in CSV_MISSING else v for k, v in zip(header, cells, strict=True)}
        )
        rows.positions.append(i)
    return rows


def read_rows(
    content_type: str | None, body: bytes, *, max_rows: int, allow_baseline: bool = False
) -> Rows:
    """Read a request body into rows, or raise the :class:`ApiError` that refuses it.

    Parameters
    ----------
    content_type : str or None
        The request's Content-Type header.
    body : bytes
    max_rows : int
        The batch limit (more rows: 413).
    allow_baseline : bool, default=False
        Accept a ``baseline`` member in a JSON body (``/explain``).

    Returns
    -------
    Rows
    """
    kind = media_type(content_type)
    if kind not in _JSON_TYPES + _CSV_TYPES and not kind.endswith("+json"):
        shown = f"{kind!r}" if kind else "no Content-Type"
        raise ApiError(
            415,
            f'the body has {shown}; send application/json ({{"rows": [...]}}) or text/csv',
            code="unsupported_media_type",
        )
    if not body.strip():
        raise ApiError(400, "the body is empty; send rows to predict on", code="empty_body")
    if kind in _CSV_TYPES:
        return _read_csv(body, max_rows)
    return _read_json(body, max_rows, allow_baseline)
