"""Request and response models generated from a saved model's feature schema.

A saved model's :class:`~lemma.io.schema.FeatureSchema` lists its input columns with
a kind each. :func:`row_model` turns it into a pydantic model of one input row, whose
fields carry the columns' names and whose JSON Schema (in the server's OpenAPI
document) shows a client the real field names and types:

=========== ================ ======================================= ======================
kind        JSON Schema      accepted (coerced)                      refused
=========== ================ ======================================= ======================
numeric     number           numbers; numeric text                   NaN, ±Infinity, true
integer     integer (int64)  whole numbers (3.0 too); numeric text   fractions, true/false
boolean     boolean          true/false; "yes"/"no", "1"/"0" text    anything else
categorical string, enum     a category seen in training             unseen categories
datetime    string date-time ISO 8601 (aware times → UTC, naive)     anything else
text        string           any text
=========== ================ ======================================= ======================

A field of a column that had missing values in training accepts ``null`` and may be
left out; every other field is required and not null. Fields the model was not
trained on are refused (or ignored with ``allow_extra``); the schema's target column
is ignored.

:class:`RowValidator` checks a batch of rows at once and reports every problem as one
``{row, field, problem, message}`` record — errors (:data:`PROBLEMS`) and the warning
``out_of_range`` (a finite value outside the range seen in training). The rows that
pass become a DataFrame with the training dtypes (int64, float64, bool, str,
datetime64), built the way ``pandas`` builds one from the same values in-process, so a
prediction through HTTP equals ``model.predict`` on that DataFrame bit for bit.

Reference: OpenAPI Specification 3.1.0 (2021), §4.8.24, Schema Object (JSON Schema
2020-12).

Examples
--------
>>> import pandas as pd
>>> from lemma.io.schema import FeatureSchema
>>> from lemma.serve.schema import RowValidator
>>> schema = FeatureSchema.from_frame(pd.DataFrame({"age": [25, 61], "sex": ["F", "M"]}))
>>> batch = RowValidator(schema).validate([{"age": 30, "sex": "F"}, {"age": 2.5, "sex": "X"}])
>>> batch.rows, batch.frame.dtypes["age"]
([0], dtype('int64'))
>>> for error in batch.errors:
...     print(error["row"], error["field"], error["problem"])
1 age wrong_type
1 sex unseen_category
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic import create_model as _pydantic_model

from lemma.io.schema import ColumnSchema, FeatureSchema

__all__ = [
    "PROBLEMS",
    "Batch",
    "ErrorResponse",
    "FieldProblem",
    "RowValidator",
    "baseline_row",
    "build_frame",
    "problem",
    "row_model",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_SHOWN_CATEGORIES = 8
_SHOWN_CHARS = 60

#: Problem codes of a request's errors, with what each means.
PROBLEMS = {
    "missing_field": "a required field is absent",
    "missing_value": "null in a field that had no missing values in training",
    "extra_field": "a field the model was not trained on",
    "wrong_type": "a value of the wrong type for the field's kind",
    "not_finite": "NaN or an infinity in a numeric field",
    "unseen_category": "a category not seen in training",
    "not_an_object": "a row that is not a JSON object",
    "invalid_body": "a body that is not {'rows': [...]} or a CSV table",
    "invalid_json": "a body that is not standard JSON (NaN and Infinity are not JSON)",
    "invalid_csv": "a CSV body that cannot be read, or a line with a wrong number of cells",
    "empty_body": "a body with no content",
    "no_rows": "a body with no rows",
    "too_large": "a body or batch over the server's limit",
    "unsupported_media_type": "a content type other than JSON or CSV",
    "model_error": "the model could not use a row that passed the schema",
    "invalid_parameter": "a query parameter with a wrong value",
    "not_found": "an unknown path",
    "method_not_allowed": "a method the path does not take",
    "http_error": "another refusal of the HTTP layer",
    "internal_error": "a fault of the server (5xx), logged with its traceback",
}


# ------------------------------------------------------------------------- response models
class FieldProblem(BaseModel):
    """One problem of a request: which row (0-based) and field, a code and a message."""

    row: int | None = Field(description="0-based row of the batch; null: the whole request")
    field: str | None = Field(description="field name; null: the whole row or request")
    problem: str = Field(description="a code: " + ", ".join(PROBLEMS))
    message: str = Field(description="what is wrong and what to do, in one sentence")


class ErrorResponse(BaseModel):
    """The body of every 4xx answer."""

    detail: str = Field(description="one sentence: what is wrong and what to do")
    errors: list[FieldProblem] = Field(description="every problem, by row and field")
    warnings: list[FieldProblem] = Field(default_factory=list)


def problem(row: int | None, name: str | None, code: str, message: str) -> dict[str, Any]:
    """A ``{row, field, problem, message}`` record (see :class:`FieldProblem`)."""
    return {"row": row, "field": name, "problem": code, "message": message}


# ------------------------------------------------------------------------- field types
def _not_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


_Number = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_not_boolean)]
_Integer = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX), BeforeValidator(_not_boolean)]


def _category_type(spec: ColumnSchema) -> Any:
    return Literal[tuple(spec.categories)] if spec.categories else str


#: kind -> (pydantic type of a field, what the field expects in words).
_FIELD_TYPES: dict[str, tuple[Callable[[ColumnSchema], Any], str]] = {
    "numeric": (lambda spec: _Number, "a finite number"),
    "integer": (lambda spec: _Integer, "a whole number (int64)"),
    "boolean": (lambda spec: bool, "true or false"),
    "categorical": (_category_type, "one of the categories seen in training"),
    "datetime": (lambda spec: datetime.datetime, "a date and time (ISO 8601)"),
    "text": (lambda spec: str, "text"),
}


def _describe(spec: ColumnSchema) -> str:
    parts = [f"{spec.kind} column of the training data"]
    if spec.min is not None and spec.max is not None:
        parts.append(f"training range [{spec.min:.10g}, {spec.max:.10g}] (outside: a warning)")
    if spec.nullable:
        parts.append("may be null")
    return "; ".join(parts)


def row_model(schema: FeatureSchema, *, extra: str = "forbid") -> type[BaseModel]:
    """A pydantic model of one input row of ``schema`` (field ``c<j>`` aliased to column j).

    Parameters
    ----------
    schema : FeatureSchema
    extra : {"forbid", "ignore"}, default="forbid"
        What to do with fields the model was not trained on.

    Returns
    -------
    type of BaseModel
        Named ``Row``; validates by the columns' names.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.io.schema import FeatureSchema
    >>> from lemma.serve.schema import row_model
    >>> schema = FeatureSchema.from_frame(pd.DataFrame({"size m2": [50.5, 80.0]}))
    >>> row_model(schema).model_json_schema()["properties"]["size m2"]["type"]
    'number'
    """
    fields = {}
    for j, spec in enumerate(schema.columns):
        kind_type = _FIELD_TYPES[spec.kind][0](spec)
        options = {"alias": spec.name, "title": spec.name, "description": _describe(spec)}
        if spec.nullable:
            fields[f"c{j}"] = (kind_type | None, Field(default=None, **options))
        else:
            fields[f"c{j}"] = (kind_type, Field(**options))
    config = ConfigDict(extra=extra, populate_by_name=False, hide_input_in_errors=False)
    return _pydantic_model("Row", __config__=config, **fields)


# ------------------------------------------------------------------------- error messages
def _shown(value: Any) -> str:
    text = json.dumps(value, allow_nan=True, default=str, ensure_ascii=False)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _known(spec: ColumnSchema) -> str:
    categories = list(spec.categories or ())
    listed = ", ".join(repr(c) for c in categories[:_SHOWN_CATEGORIES])
    more = f", ... ({len(categories)} in all)" if len(categories) > _SHOWN_CATEGORIES else ""
    return listed + more


def _message_missing(spec: ColumnSchema, value: Any) -> str:
    return f"required field {spec.name!r} is missing; add it ({_FIELD_TYPES[spec.kind][1]})"


def _message_null(spec: ColumnSchema, value: Any) -> str:
    return (
        f"{spec.name!r} is null, but the model saw no missing values there in training; "
        f"send {_FIELD_TYPES[spec.kind][1]}"
    )


def _message_category(spec: ColumnSchema, value: Any) -> str:
    return (
        f"{spec.name!r} has the category {_shown(value)}, not seen in training; "
        f"known categories: {_known(spec)}"
    )


def _message_finite(spec: ColumnSchema, value: Any) -> str:
    return f"{spec.name!r} must be a finite number, got {_shown(value)}"


def _message_type(spec: ColumnSchema, value: Any) -> str:
    return f"{spec.name!r} expects {_FIELD_TYPES[spec.kind][1]}, got {_shown(value)}"


#: pydantic error type -> (problem code, message writer).
_FIELD_ERRORS: dict[str, tuple[str, Callable[[ColumnSchema, Any], str]]] = {
    "missing": ("missing_field", _message_missing),
    "literal_error": ("unseen_category", _message_category),
    "finite_number": ("not_finite", _message_finite),
}
_NOT_AN_OBJECT = ("model_type", "model_attributes_type", "dict_type")


def _translate(error: dict[str, Any], by_name: dict[str, ColumnSchema], names: str) -> dict:
    """One pydantic error of ``list[Row]`` validation as a FieldProblem record."""
    location = error["loc"]
    row = location[0] if location and isinstance(location[0], int) else None
    name = str(location[1]) if len(location) > 1 else None
    value = error.get("input")
    if name is None or error["type"] in _NOT_AN_OBJECT:
        message = f"row {row} must be a JSON object of field: value pairs, got {_shown(value)}"
        return problem(row, None, "not_an_object", message)
    if error["type"] == "extra_forbidden" or name not in by_name:
        message = (
            f"{name!r} is not an input of the model (inputs: {names}); remove it, or pass "
            "?allow_extra=true to ignore such fields"
        )
        return problem(row, name, "extra_field", message)
    spec = by_name[name]
    if value is None and error["type"] != "missing":
        return problem(row, name, "missing_value", _message_null(spec, value))
    code, writer = _FIELD_ERRORS.get(error["type"], ("wrong_type", _message_type))
    if code == "unseen_category" and not isinstance(value, str):  # a number is not a category
        code, writer = "wrong_type", _message_type
    return problem(row, name, code, writer(spec, value))


# ------------------------------------------------------------------------- frames
def _numbers(values: list[Any]) -> np.ndarray:
    return np.array(values, dtype=np.float64)  # None becomes NaN


def _integers(values: list[Any]) -> Any:
    if any(v is None for v in values):
        return np.array(values, dtype=np.float64)  # as pandas reads an integer column with gaps
    return np.array(values, dtype=np.int64)


def _booleans(values: list[Any]) -> Any:
    if any(v is None for v in values):  # as pandas holds a boolean column with gaps
        return np.array([np.nan if v is None else v for v in values], dtype=object)
    return np.array(values, dtype=bool)


def _datetimes(values: list[Any]) -> Any:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    return stamps.dt.tz_localize(None).to_numpy()


def _texts(values: list[Any]) -> Any:
    return values  # pandas infers the same str dtype as for the training column


#: kind -> builder of a DataFrame column from validated Python values.
_COLUMN_BUILDERS: dict[str, Callable[[list[Any]], Any]] = {
    "numeric": _numbers,
    "integer": _integers,
    "boolean": _booleans,
    "datetime": _datetimes,
    "categorical": _texts,
    "text": _texts,
}


def _column_data(schema: FeatureSchema, columns: list[list[Any]]) -> dict[str, Any]:
    return {
        spec.name: _COLUMN_BUILDERS[spec.kind](values)
        for spec, values in zip(schema.columns, columns, strict=True)
    }


def build_frame(schema: FeatureSchema, columns: list[list[Any]]) -> pd.DataFrame:
    """A DataFrame with the schema's columns, in order, from validated values per column."""
    return pd.DataFrame(_column_data(schema, columns), copy=False)


def _range_warnings(schema: FeatureSchema, data: dict[str, Any], rows: list[int]) -> list[dict]:
    warnings = []
    for spec in schema.columns:
        if spec.min is None or spec.max is None:
            continue
        numbers = np.asarray(data[spec.name], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            outside = np.flatnonzero((numbers < spec.min) | (numbers > spec.max))
        for k in outside:
            message = (
                f"{spec.name!r} = {numbers[k]:.10g} is outside the training range "
                f"[{spec.min:.10g}, {spec.max:.10g}]; the prediction is an extrapolation"
            )
            warnings.append(problem(rows[k], spec.name, "out_of_range", message))
    return sorted(warnings, key=lambda w: w["row"])  # stable: fields in schema order


# ------------------------------------------------------------------------- baseline row
def _midpoint(spec: ColumnSchema) -> float:
    if spec.min is None or spec.max is None:
        return 0.0
    return spec.min / 2 + spec.max / 2


#: kind -> a column's value in the default baseline row.
_BASELINES: dict[str, Callable[[ColumnSchema], Any]] = {
    "numeric": _midpoint,
    "integer": lambda spec: int(np.floor(_midpoint(spec))),
    "boolean": lambda spec: False,
    "categorical": lambda spec: spec.categories[0] if spec.categories else "",
    "datetime": lambda spec: "1970-01-01T00:00:00",
    "text": lambda spec: "",
}


def baseline_row(schema: FeatureSchema) -> dict[str, Any]:
    """A reference row built from the schema alone.

    Numbers take the middle of their training range (integers rounded down), booleans
    false, categories the first seen (alphabetically), dates the Unix epoch, text "".
    Explanations measure contributions from this row unless another is given; the
    server predicts it once at start to warm the model up.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.io.schema import FeatureSchema
    >>> from lemma.serve.schema import baseline_row
    >>> baseline_row(FeatureSchema.from_frame(pd.DataFrame({"age": [20, 61], "sex": ["M", "F"]})))
    {'age': 40, 'sex': 'F'}
    """
    return {spec.name: _BASELINES[spec.kind](spec) for spec in schema.columns}


# ------------------------------------------------------------------------- validation
@dataclass
class Batch:
    """A validated batch: the good rows as a DataFrame, and every problem.

    Attributes
    ----------
    frame : DataFrame of shape (len(rows), n_columns)
        The rows that passed, typed as in training.
    rows : list of int
        Their positions in the request.
    errors, warnings : list of dict
        ``{row, field, problem, message}`` records.
    n_rows : int
        Rows in the request.
    """

    frame: pd.DataFrame
    rows: list[int]
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    n_rows: int = 0


class RowValidator:
    """Validates batches of rows (dicts) against a feature schema.

    Parameters
    ----------
    schema : FeatureSchema

    Attributes
    ----------
    strict_row, lenient_row : type of BaseModel
        The row model refusing, and ignoring, fields the model was not trained on.

    Examples
    --------
    See the module docstring.
    """

    def __init__(self, schema: FeatureSchema) -> None:
        self.schema = schema
        self.strict_row = row_model(schema, extra="forbid")
        self.lenient_row = row_model(schema, extra="ignore")
        self._adapters = {
            False: TypeAdapter(list[self.strict_row]),
            True: TypeAdapter(list[self.lenient_row]),
        }
        self._by_name = {spec.name: spec for spec in schema.columns}
        shown = [repr(n) for n in schema.names[:_SHOWN_CATEGORIES]]
        more = f", ... ({len(schema.names)} in all)" if len(schema.names) > len(shown) else ""
        self._names = ", ".join(shown) + more

    def _without_target(self, records: list[Any]) -> list[Any]:
        target = self.schema.target
        if target is None or target in self._by_name:
            return records
        return [
            {k: v for k, v in r.items() if k != target} if isinstance(r, dict) else r
            for r in records
        ]

    def validate(self, records: list[Any], *, allow_extra: bool = False) -> Batch:
        """Check every row; return the good ones as a DataFrame with every problem.

        Parameters
        ----------
        records : list
            Rows, each a dict of field → value (as decoded from JSON or CSV).
        allow_extra : bool, default=False
            Ignore fields the model was not trained on instead of refusing them.

        Returns
        -------
        Batch
        """
        records = self._without_target(records)
        adapter = self._adapters[bool(allow_extra)]
        errors: list[dict[str, Any]] = []
        good = list(range(len(records)))
        try:
            parsed = adapter.validate_python(records)
        except ValidationError as exc:
            errors = [
                _translate(e, self._by_name, self._names)
                for e in exc.errors(include_url=False, include_context=False)
            ]
            bad = {e["row"] for e in errors}
            good = [i for i in good if i not in bad]
            parsed = adapter.validate_python([records[i] for i in good])
        names = [f"c{j}" for j in range(len(self.schema.columns))]
        data = _column_data(self.schema, [[row.__dict__[name] for row in parsed] for name in names])
        warnings = _range_warnings(self.schema, data, good)
        return Batch(pd.DataFrame(data, copy=False), good, errors, warnings, len(records))
