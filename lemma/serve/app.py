"""The HTTP application: a saved model behind FastAPI (``create_app``).

Endpoints
---------
``POST /predict``  rows (JSON ``{"rows": [...]}`` or CSV) → ``predictions`` (and
                   ``classes`` with ``probabilities``), ``model_version``, ``warnings``.
                   Rows failing the schema → 422 with every ``{row, field, problem,
                   message}``; with ``?partial=true`` the good rows are predicted and
                   the others listed in ``errors`` (422 only if none is good).
``POST /explain``  the same rows (and an optional ``baseline`` row) → per-row
                   contributions (:mod:`lemma.serve.explain`).
``GET /model``     the model card, schema, metrics, version and SHA-256 of the file;
                   JSON, or HTML with ``?format=html`` or ``Accept: text/html``.
``GET /health``    the process answers (liveness).
``GET /ready``     a model is loaded and warmed up (readiness), with its version.
``GET /metrics``   Prometheus text (:mod:`lemma.serve.metrics`).
``GET /docs``      the OpenAPI document (``/openapi.json``) rendered; its schemas
                   carry the model's field names and types.

Limits: a body over ``max_body_bytes`` is refused with 413 before it is parsed (its
Content-Length, else a running count of the bytes received); a batch over
``max_rows`` rows (``max_explain_rows`` for ``/explain``) with 413. The body formats
and their 4xx answers are those of :mod:`lemma.serve.body`. A model that raises on
rows that passed the schema gives 422 ``model_error``; anything else is a 500 whose
traceback goes to the log, and the server keeps serving.

Parsing, validation and the model run in a worker thread, so the event loop keeps
answering ``/health`` and ``/metrics`` during a large batch. Each answer carries an
``X-Request-ID`` header (the client's, if it sent a safe one), also in the log line.

Reference: FastAPI, https://fastapi.tiangolo.com/ (S. Ramírez); ASGI 3.0
specification, https://asgi.readthedocs.io/.

Examples
--------
>>> import asyncio, pathlib, tempfile
>>> import httpx, pandas as pd
>>> import lemma
>>> from lemma.serve.app import create_app
>>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "line.lemma"
>>> _ = lemma.save(lemma.LinearRegression().fit(X, [1.0, 3.0, 5.0]), path, schema=X)
>>> async def post(app, rows):  # in-process; a real client would use the server's URL
...     transport = httpx.ASGITransport(app)
...     async with httpx.AsyncClient(transport=transport, base_url="http://model") as client:
...         return await client.post("/predict", json={"rows": rows})
>>> app = create_app(path)
>>> [round(p, 6) for p in asyncio.run(post(app, [{"x": 3.0}])).json()["predictions"]]
[7.0]
>>> refused = asyncio.run(post(app, [{"x": "three"}]))
>>> error = refused.json()["errors"][0]
>>> refused.status_code, error["row"], error["field"], error["problem"]
(422, 0, 'x', 'wrong_type')
>>> print(error["message"])
'x' expects a finite number, got "three"
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lemma.serve import results
from lemma.serve.body import ApiError
from lemma.serve.logging import log
from lemma.serve.metrics import CONTENT_TYPE, Metrics
from lemma.serve.middleware import BodyLimit, Observe
from lemma.serve.model import ModelHolder, ServedModel
from lemma.serve.openapi import add_schemas, error_responses, model_responses, request_body

__all__ = ["Settings", "create_app"]

_PATHS = ("/predict", "/explain", "/model", "/health", "/ready", "/metrics")


@dataclass(frozen=True)
class Settings:
    """Limits and options of a server.

    Attributes
    ----------
    max_rows : int, default=10000
        Rows per ``/predict`` batch (more: 413).
    max_explain_rows : int, default=100
        Rows per ``/explain`` batch (more: 413).
    max_body_bytes : int, default=8 MiB
        Bytes per request body (more: 413, before parsing).
    reload_interval : float or None, default=None
        Seconds between looks at the model file for a change (None: never reload).
    """

    max_rows: int = 10_000
    max_explain_rows: int = 100
    max_body_bytes: int = 8 * 2**20
    reload_interval: float | None = None


def _parameter_error(exc: RequestValidationError) -> ApiError:
    errors = []
    for error in exc.errors():
        name = str(error.get("loc", ("", "?"))[-1])
        message = f"query parameter {name!r}: {error.get('msg', 'invalid')}"
        errors.append(
            {"row": None, "field": name, "problem": "invalid_parameter", "message": message}
        )
    return ApiError(422, "; ".join(e["message"] for e in errors) or "invalid parameters", errors)


def _http_error(exc: StarletteHTTPException) -> ApiError:
    codes = {404: "not_found", 405: "method_not_allowed"}
    detail = str(exc.detail)
    if exc.status_code == 404:
        detail = f"no such path; the API is {', '.join(_PATHS)} (see /docs)"
    elif exc.status_code == 405:
        detail = "this method is not allowed on this path (see /docs)"
    return ApiError(exc.status_code, detail, code=codes.get(exc.status_code, "http_error"))


def _install_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        request.state.problems = [e["problem"] for e in exc.errors]
        return JSONResponse(exc.content(), status_code=exc.status)

    async def parameter_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return await api_error(request, _parameter_error(exc))

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = await api_error(request, _http_error(exc))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        request_id = request.state.request_id if hasattr(request.state, "request_id") else "?"
        detail = (
            f"the server failed on this request (request id {request_id}); the traceback is in "
            "its log, and it keeps serving other requests"
        )
        return JSONResponse(ApiError(500, detail, code="internal_error").content(), 500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(Exception, internal_error)
    app.add_exception_handler(RequestValidationError, parameter_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    holder: ModelHolder = app.state.holder
    interval = app.state.settings.reload_interval
    served = holder.current
    log(
        logging.INFO,
        "serving model",
        model_version=served.version,
        path=str(served.path),
        model=type(served.model).__name__,
        pid=os.getpid(),
    )
    task = asyncio.create_task(_watch(app, interval)) if interval else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _watch(app: FastAPI, interval: float) -> None:
    """Look at the model file every ``interval`` seconds; swap in a changed, valid one."""
    holder: ModelHolder = app.state.holder
    metrics: Metrics = app.state.metrics
    while True:
        await asyncio.sleep(interval)
        try:
            outcome = await run_in_threadpool(holder.reload_if_changed)
        except Exception:  # keep watching whatever happens to one look
            logging.getLogger("lemma.serve").exception("model reload failed")
            continue
        if outcome is None:
            continue
        kind, message = outcome
        metrics.reloads[kind] += 1
        level = logging.INFO if kind == "reloaded" else logging.ERROR
        log(level, f"model {kind}: {message}", model_version=holder.current.version)


def _wants_html(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def create_app(model: str | os.PathLike | ServedModel, **settings: Any) -> FastAPI:
    """The FastAPI application serving a saved model.

    Parameters
    ----------
    model : str, path-like or ServedModel
        A ``.lemma`` file (loaded with the safe loader) or an already loaded one.
    **settings
        Fields of :class:`Settings`: ``max_rows``, ``max_explain_rows``,
        ``max_body_bytes``, ``reload_interval``.

    Returns
    -------
    FastAPI

    Raises
    ------
    ModelFileError
        The file is tampered with, damaged or foreign.
    DataValidationError
        The model cannot be served (no predict, unknown inputs).
    """
    config = Settings(**settings)
    served = model if isinstance(model, ServedModel) else ServedModel.load(model)
    sample = results.warm_up(served)
    app = FastAPI(
        title=f"lemma serve: {type(served.model).__name__}",
        version=served.version,
        description=(
            f"Predictions of the model in {served.path.name} (SHA-256 {served.sha256}). "
            "Rows are checked against the model's training schema; every 4xx answer is "
            '{"detail", "errors": [{row, field, problem, message}], "warnings"}.'
        ),
        lifespan=_lifespan,
    )
    app.state.holder = ModelHolder(served)
    app.state.settings = config
    app.state.metrics = Metrics(_PATHS)
    _install_handlers(app)
    _add_routes(app, config)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(Observe, metrics=app.state.metrics, holder=app.state.holder)
    add_schemas(app, served, config, sample)
    return app


def _add_routes(app: FastAPI, config: Settings) -> None:
    holder: ModelHolder = app.state.holder
    metrics: Metrics = app.state.metrics
    partial_help = "Predict the rows that pass and list the others in errors (default: 422)."
    extra_help = "Ignore fields the model was not trained on (default: refuse them)."

    @app.post(
        "/predict",
        openapi_extra=request_body("PredictRequest"),
        responses=error_responses("PredictResponse", "Predictions, in the order of the rows."),
        summary="Predict rows",
    )
    async def predict(
        request: Request,
        partial: bool = Query(False, description=partial_help),
        allow_extra: bool = Query(False, description=extra_help),
    ) -> JSONResponse:
        served = holder.current  # one model for the whole request, whatever reloads do
        body = await request.body()
        content = await run_in_threadpool(
            results.predict,
            served,
            request.headers.get("content-type"),
            body,
            max_rows=config.max_rows,
            partial=partial,
            allow_extra=allow_extra,
        )
        request.state.rows = len(content["rows"])
        metrics.rows["predicted"] += len(content["rows"])
        return JSONResponse(content)

    @app.post(
        "/explain",
        openapi_extra=request_body("ExplainRequest"),
        responses=error_responses("ExplainResponse", "Contributions per row, output, feature."),
        summary="Explain rows",
    )
    async def explain(
        request: Request,
        partial: bool = Query(False, description=partial_help),
        allow_extra: bool = Query(False, description=extra_help),
    ) -> JSONResponse:
        served = holder.current
        body = await request.body()
        content = await run_in_threadpool(
            results.explain,
            served,
            request.headers.get("content-type"),
            body,
            max_rows=config.max_explain_rows,
            partial=partial,
            allow_extra=allow_extra,
        )
        request.state.rows = len(content["rows"])
        metrics.rows["explained"] += len(content["rows"])
        return JSONResponse(content)

    @app.get(
        "/model",
        summary="The model card, schema, metrics, version and hash",
        responses=model_responses(),
    )
    async def model_info(
        request: Request,
        format: str | None = Query(
            None, pattern="^(json|html)$", description="json (default) or html"
        ),
    ) -> Response:
        served = holder.current
        if _wants_html(request, format):
            return HTMLResponse(results.model_html(served))
        return JSONResponse(results.model_info(served, config))

    @app.get("/health", summary="Liveness: the process answers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", summary="Readiness: a model is loaded and warmed up")
    async def ready() -> dict[str, str]:
        served = holder.current
        return {"status": "ready", "model_version": served.version}

    @app.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}},
    )
    async def prometheus() -> Response:
        served = holder.current
        text = metrics.render(version=served.version, model=type(served.model).__name__)
        return Response(text, media_type=CONTENT_TYPE)
