"""The work behind each endpoint: body → validated rows → model → JSON answer.

These functions run in a worker thread (:mod:`lemma.serve.app`) and either return
the answer's JSON content or raise :class:`~lemma.serve.body.ApiError`.

Numbers leave as JSON numbers written by Python's ``repr`` (the shortest decimal
that reads back to the same double, as ``json.dumps`` writes it), so a client that
parses the answer with a correct JSON reader gets the model's float64 values bit for
bit. A non-finite model output cannot be JSON: it is sent as ``null`` with a
``not_finite`` warning naming the row.

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> import lemma
>>> from lemma.serve import results
>>> from lemma.serve.model import ServedModel
>>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "line.lemma"
>>> _ = lemma.save(lemma.LinearRegression().fit(X, [1.0, 3.0, 5.0]), path, schema=X)
>>> served = ServedModel.load(path)
>>> content = results.predict(served, "text/csv", b"x\\n3\\n", max_rows=10)
>>> [round(p, 6) for p in content["predictions"]], content["warnings"][0]["problem"]
([7.0], 'out_of_range')
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
from typing import Any

import numpy as np

from lemma.explain.card import ModelCard, plain
from lemma.serve.body import ApiError, Rows, read_rows
from lemma.serve.explain import (
    Explanation,
    baseline_shapley,
    explain_method,
    linear_explanation,
)
from lemma.serve.logging import log
from lemma.serve.model import Prediction, ServedModel
from lemma.serve.schema import Batch, baseline_row, problem

__all__ = ["default_baseline", "explain", "model_html", "model_info", "predict", "warm_up"]


# ------------------------------------------------------------------------------ rows
def _remap(batch: Batch, rows: Rows) -> Batch:
    """Row numbers of the request (CSV lines left out of ``records`` included)."""
    position = rows.positions
    for record in batch.errors + batch.warnings:
        if record["row"] is not None:
            record["row"] = position[record["row"]]
    batch.rows = [position[i] for i in batch.rows]
    batch.errors = sorted(batch.errors + rows.errors, key=lambda e: (e["row"] is None, e["row"]))
    batch.n_rows = rows.n_rows
    return batch


def _validated(
    served: ServedModel,
    content_type: str | None,
    body: bytes,
    *,
    max_rows: int,
    partial: bool,
    allow_extra: bool,
    allow_baseline: bool = False,
) -> tuple[Batch, Rows]:
    rows = read_rows(content_type, body, max_rows=max_rows, allow_baseline=allow_baseline)
    batch = _remap(served.validator.validate(rows.records, allow_extra=allow_extra), rows)
    if batch.errors and (not partial or not batch.rows):
        n_bad = len({e["row"] for e in batch.errors})
        remedy = (
            "fix them, or pass ?partial=true to get answers for the other rows"
            if not partial
            else "no row passed, so nothing was predicted"
        )
        first = batch.errors[0]["message"]
        raise ApiError(
            422,
            f"{n_bad} of {batch.n_rows} rows do not match the model's training schema "
            f"(first: {first}); {remedy}",
            batch.errors,
            batch.warnings,
        )
    return batch, rows


def _model_error(exc: Exception) -> ApiError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ApiError(422, f"the model could not use these rows: {first}", code="model_error")


def _json_array(values: np.ndarray, rows: list[int], what: str, warnings: list) -> list:
    """``values`` as JSON lists; non-finite floats become null with a warning per row."""
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        if not finite.all():
            out = values.astype(object)
            out[~finite] = None
            for k in np.flatnonzero(~finite.reshape(len(values), -1).all(axis=1)):
                message = f"the model's {what} for row {rows[k]} is not finite; sent as null"
                warnings.append(problem(rows[k], None, "not_finite", message))
            return out.tolist()
        return values.tolist()
    if values.dtype.kind == "O" and not all(type(v) is str for v in values.flat):
        return plain(values)  # NumPy scalars, NaN, mixed labels: made JSON one by one
    return values.tolist()  # numbers, booleans, strings (class labels): already JSON


# ------------------------------------------------------------------------------ predict
def warm_up(served: ServedModel) -> Prediction | None:
    """Predict the schema's baseline row once (compiles and caches what the model needs).

    Returns the prediction (its shape documents the answers), or None if the model
    refused the row, which is logged.
    """
    batch = served.validator.validate([baseline_row(served.schema)])
    try:
        return served.predict(batch.frame)
    except Exception as exc:  # any failure here is reported, not fatal
        log(logging.WARNING, f"warm-up prediction failed: {exc}", model_version=served.version)
        return None


def predict(
    served: ServedModel,
    content_type: str | None,
    body: bytes,
    *,
    max_rows: int,
    partial: bool = False,
    allow_extra: bool = False,
) -> dict[str, Any]:
    """``POST /predict``: predictions (and probabilities) of the rows that pass."""
    batch, _ = _validated(
        served, content_type, body, max_rows=max_rows, partial=partial, allow_extra=allow_extra
    )
    try:
        result = served.predict(batch.frame)
    except (ValueError, TypeError) as exc:
        raise _model_error(exc) from exc
    warnings = batch.warnings
    content = {
        "model_version": served.version,
        "n_rows": batch.n_rows,
        "rows": batch.rows,
        "predictions": _json_array(result.predictions, batch.rows, "prediction", warnings),
        "classes": served.classes,
        "probabilities": None,
        "warnings": warnings,
        "errors": batch.errors,
    }
    if result.probabilities is not None:
        probabilities = _json_array(result.probabilities, batch.rows, "probabilities", warnings)
        content["probabilities"] = probabilities
    return content


# ------------------------------------------------------------------------------ explain
def default_baseline(served: ServedModel) -> dict[str, Any]:
    """``metadata["baseline"]`` of the file if it is a valid row, else the schema's row."""
    saved = served.saved.metadata.get("baseline")
    if isinstance(saved, dict) and not served.validator.validate([saved]).errors:
        return saved
    return baseline_row(served.schema)


def _baseline(served: ServedModel, given: Any) -> tuple[Batch, dict[str, Any]]:
    """The baseline row, validated: (as a one-row batch, as JSON)."""
    row = default_baseline(served) if given is None else given
    checked = served.validator.validate([row])
    if checked.errors:
        for error in checked.errors:
            error["row"] = None
            error["message"] = f"baseline: {error['message']}"
        raise ApiError(422, "the baseline row does not match the schema; fix it", checked.errors)
    echo = served.validator.strict_row.model_validate(row).model_dump(mode="json", by_alias=True)
    return checked, echo


def _contributions(served: ServedModel, method: str, X: Any, reference: Any) -> Explanation:
    if method == "linear_exact":
        return served.run(linear_explanation, served.model, X, reference)
    if served.classes is not None:
        outputs = [str(c) for c in served.classes]
        return baseline_shapley(
            lambda D: served.run(served.model.predict_proba, D),
            X,
            reference,
            outputs=outputs,
            scale="probability",
        )
    result = baseline_shapley(lambda D: served.run(served.model.predict, D), X, reference)
    k = len(result.outputs)
    outputs = ["prediction"] if k == 1 else [f"prediction_{j}" for j in range(k)]
    return dataclasses.replace(result, outputs=outputs)


def explain(
    served: ServedModel,
    content_type: str | None,
    body: bytes,
    *,
    max_rows: int,
    partial: bool = False,
    allow_extra: bool = False,
) -> dict[str, Any]:
    """``POST /explain``: contributions of each row against a baseline row."""
    method = explain_method(served.model)
    if method is None:
        raise ApiError(
            422,
            f"{type(served.model).__name__} has no explanation method (it is neither a "
            "linear model, nor a classifier with probabilities, nor a regressor)",
            code="model_error",
        )
    batch, rows = _validated(
        served,
        content_type,
        body,
        max_rows=max_rows,
        partial=partial,
        allow_extra=allow_extra,
        allow_baseline=True,
    )
    reference, baseline = _baseline(served, rows.baseline)
    try:
        result = _contributions(served, method, batch.frame, reference.frame)
    except (ValueError, TypeError) as exc:
        raise _model_error(exc) from exc
    return {
        "model_version": served.version,
        "method": result.method,
        "scale": result.scale,
        "baseline": baseline,
        "features": result.features,
        "outputs": result.outputs,
        "base_values": plain(result.base_values),
        "n_rows": batch.n_rows,
        "rows": batch.rows,
        "values": plain(result.values),
        "contributions": plain(result.contributions),
        "warnings": batch.warnings,
        "errors": batch.errors,
    }


# ------------------------------------------------------------------------------ the model
def _metrics(served: ServedModel) -> Any:
    metadata = served.saved.metadata
    for key in ("metrics", "test_metrics"):
        if key in metadata:
            return plain(metadata[key])
    card = served.saved.card
    return plain(card.get("metrics", {})) if isinstance(card, dict) else {}


def model_info(served: ServedModel, settings: Any) -> dict[str, Any]:
    """``GET /model`` as JSON: what the model is, where it came from, how it is served."""
    saved = served.saved
    return {
        "model_version": served.version,
        "sha256": served.sha256,
        "file": served.path.name,
        "model": type(served.model).__name__,
        "task": served.task,
        "classes": served.classes,
        "lemma_version": saved.lemma_version,
        "format_version": saved.format_version,
        "created": saved.created,
        "schema": served.schema.to_dict(),
        "metrics": _metrics(served),
        "card": plain(saved.card),
        "metadata": plain(saved.metadata),
        "explain": explain_method(served.model),
        "baseline": plain(default_baseline(served)),
        "limits": {
            "max_rows": settings.max_rows,
            "max_explain_rows": settings.max_explain_rows,
            "max_body_bytes": settings.max_body_bytes,
        },
    }


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>"
    )


def model_html(served: ServedModel) -> str:
    """``GET /model`` as HTML: the saved model card, or a page of the facts lemma has."""
    card = served.saved.card
    if isinstance(card, dict):
        try:
            return ModelCard.from_dict(card).to_html()
        except ValueError:
            pass  # a card in another format: shown as data below
    name = type(served.model).__name__
    rows = "".join(
        f"<tr><td>{html.escape(c.name)}</td><td>{c.kind}</td>"
        f"<td>{'' if c.min is None else f'{c.min:.10g} to {c.max:.10g}'}</td>"
        f"<td>{html.escape(', '.join(c.categories or ()))}</td></tr>"
        for c in served.schema.columns
    )
    card_text = card if isinstance(card, str) else json.dumps(plain(card), indent=1)
    body = (
        f"<h1>Model: {html.escape(name)}</h1>"
        f"<p>Version {served.version} (SHA-256 {served.sha256}), saved by lemma "
        f"{html.escape(served.saved.lemma_version)} on {html.escape(served.saved.created)}.</p>"
        "<h2>Inputs</h2><table><tr><th>field</th><th>kind</th><th>training range</th>"
        f"<th>categories</th></tr>{rows}</table>"
        f"<h2>Model card</h2><pre>{html.escape(card_text or 'No model card was saved.')}</pre>"
    )
    return _page(f"Model card: {name}", body)
