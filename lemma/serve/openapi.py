"""The OpenAPI document of a server, with schemas generated from the model's own schema.

The request bodies of ``/predict`` and ``/explain`` are parsed by the server itself
(JSON or CSV, per-row errors, ``?partial=true``), so FastAPI cannot infer them; this
module writes them into the document: ``Row`` (one field per input column, named and
typed as in training, see :mod:`lemma.serve.schema`), ``PredictRequest``,
``ExplainRequest``, the answers ``PredictResponse`` (whose predictions are typed by
the model: the class labels as an enum, or numbers) and ``ExplainResponse``, and
``ErrorResponse`` for every 4xx. A client generator, or Schemathesis, reading
``/openapi.json`` sees the real field names, kinds, categories and limits.

Reference: OpenAPI Specification 3.1.0 (2021), §4.8.10 Operation Object and §4.8.7
Components Object.

Examples
--------
>>> from lemma.serve.openapi import request_body
>>> sorted(request_body("PredictRequest")["requestBody"]["content"])
['application/json', 'text/csv']
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema

from lemma.serve.schema import ErrorResponse, FieldProblem

__all__ = ["add_schemas", "error_responses", "model_responses", "request_body", "schemas"]

_REF = "#/components/schemas/{model}"
_CSV_HELP = (
    "A header row of field names, then one comma-separated line per row (UTF-8); an empty "
    "cell, ? or NA is a missing value."
)
_ERRORS = {
    400: "Empty body, or not standard JSON / readable CSV (NaN and Infinity are not JSON).",
    413: "Body over the byte limit, or more rows than the batch limit.",
    415: "Content-Type other than application/json or text/csv.",
    422: "Rows that do not match the training schema (every row and field listed), a body "
    "that is not {rows: [...]}, or a bad query parameter.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def request_body(name: str) -> dict[str, Any]:
    """``openapi_extra`` of an operation taking JSON (schema ``name``) or CSV rows."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ref(name)},
                "text/csv": {"schema": {"type": "string", "description": _CSV_HELP}},
            },
        }
    }


def error_responses(name: str, description: str) -> dict[int | str, dict[str, Any]]:
    """``responses`` of an operation: 200 with schema ``name``, 4xx with ErrorResponse."""
    answers: dict[int | str, dict[str, Any]] = {
        200: {"description": description, "content": {"application/json": {"schema": _ref(name)}}}
    }
    for status, text in _ERRORS.items():
        answers[status] = {
            "description": text,
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
    return answers


def model_responses() -> dict[int | str, dict[str, Any]]:
    """``responses`` of ``GET /model``: JSON or HTML; a bad ``format`` is an ErrorResponse."""
    return {
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        422: {
            "description": "A format other than json or html.",
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        },
    }


def _label_type(served: Any, sample: Any) -> Any:
    if served.classes is not None:
        return Literal[tuple(served.classes)]
    if sample is None or sample.predictions.dtype.kind not in "fiub":
        return Any
    return list[float | None] if sample.predictions.ndim == 2 else float | None


def schemas(served: Any, settings: Any, sample: Any) -> list[type[BaseModel]]:
    """The request and answer models of a served model."""
    row = served.validator.strict_row
    forbid = ConfigDict(extra="forbid")
    label = _label_type(served, sample)
    problems = (list[FieldProblem], Field(description="{row, field, problem, message}"))
    predict_request = create_model(
        "PredictRequest",
        __config__=forbid,
        rows=(list[row], Field(min_length=1, max_length=settings.max_rows)),
    )
    explain_request = create_model(
        "ExplainRequest",
        __config__=forbid,
        rows=(list[row], Field(min_length=1, max_length=settings.max_explain_rows)),
        baseline=(row | None, Field(None, description="the reference row (default: /model)")),
    )
    common = {
        "model_version": (str, Field(description="first 12 hex digits of the file's SHA-256")),
        "n_rows": (int, Field(description="rows in the request")),
        "rows": (list[int], Field(description="the request rows answered, in order")),
        "warnings": problems,
        "errors": (list[FieldProblem], Field(description="rows left out (?partial=true)")),
    }
    predict_response = create_model(
        "PredictResponse",
        predictions=(list[label], Field(description="one per answered row")),
        classes=(list[label] | None, Field(description="the classes, in probability order")),
        probabilities=(list[list[float | None]] | None, Field(description="(rows, classes)")),
        **common,
    )
    explain_response = create_model(
        "ExplainResponse",
        method=(str, Field(description="linear_exact or baseline_shapley_exact/_sampled")),
        scale=(str, Field(description="what is explained: prediction, log-odds, ...")),
        baseline=(dict[str, Any], Field(description="the reference row")),
        features=(list[str], ...),
        outputs=(list[str], ...),
        base_values=(list[float | None], Field(description="per output, at the baseline")),
        values=(list[list[float | None]], Field(description="(rows, outputs)")),
        contributions=(
            list[list[list[float | None]]],
            Field(description="(rows, outputs, features); sum + base_values = values"),
        ),
        **common,
    )
    return [predict_request, explain_request, predict_response, explain_response, ErrorResponse]


def add_schemas(app: FastAPI, served: Any, settings: Any, sample: Any) -> None:
    """Make ``app.openapi()`` include the generated models under components/schemas."""
    models = schemas(served, settings, sample)
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template=_REF
    )
    generated = definitions.get("$defs", {})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = FastAPI.openapi(app)
            document.setdefault("components", {}).setdefault("schemas", {}).update(generated)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
