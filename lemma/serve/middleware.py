"""ASGI middleware of the server: a body-size limit, and a log line and metrics per request.

:class:`BodyLimit` refuses a body over ``max_bytes`` with 413 before anything parses
it: at once when its ``Content-Length`` says so, else as soon as the bytes received
(a chunked upload) pass the limit. It reads and discards up to :data:`DRAIN_BYTES`
of the refused body first, so an HTTP client that writes its whole request before
reading receives the answer instead of a reset connection; beyond that the
connection is closed after the answer. A body within the limit is read whole and
handed on.

:class:`Observe` gives each request an id (the client's ``X-Request-ID`` when it is
1–64 characters of ``A–Z a–z 0–9 . _ -``, else a random one), returns it in the
answer's ``X-Request-ID`` header, times the request from its arrival to the end of
its answer, and then counts it in :class:`~lemma.serve.metrics.Metrics` and logs one
JSON line (:mod:`lemma.serve.logging`).

Reference: ASGI 3.0 specification, HTTP connection scope and messages,
https://asgi.readthedocs.io/en/latest/specs/www.html.

Examples
--------
>>> import asyncio
>>> from lemma.serve.middleware import BodyLimit
>>> async def echo(scope, receive, send):
...     message = await receive()
...     await send({"type": "http.response.start", "status": 200, "headers": []})
...     await send({"type": "http.response.body", "body": message["body"]})
>>> async def call(body):
...     chunks = [{"type": "http.request", "body": body, "more_body": False}]
...     sent = []
...     async def receive():
...         return chunks.pop(0)
...     async def send(message):
...         sent.append(message)
...     scope = {"type": "http", "method": "POST", "headers": []}
...     await BodyLimit(echo, max_bytes=4)(scope, receive, send)
...     return sent[0]["status"]
>>> asyncio.run(call(b"abc")), asyncio.run(call(b"abcdef"))
(200, 413)
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from lemma.serve.logging import log
from lemma.serve.schema import problem

__all__ = ["DRAIN_BYTES", "BodyLimit", "Observe"]

#: At most this many bytes of a refused body are read (and discarded) before answering.
DRAIN_BYTES = 64 * 2**20
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413; pass the others on, read whole.

    Parameters
    ----------
    app : ASGI application
    max_bytes : int
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Any, send: Any, seen: int) -> None:
        while seen <= DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        detail = (
            f"the body is over this server's limit of {self.max_bytes} bytes; send smaller batches"
        )
        body = {
            "detail": detail,
            "errors": [problem(None, None, "too_large", detail)],
            "warnings": [],
        }
        scope.setdefault("state", {})["problems"] = ["too_large"]
        headers = [(b"content-type", b"application/json")]
        if seen > DRAIN_BYTES:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") in _NO_BODY:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, 0)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                if message.get("more_body", False):
                    await self._refuse(scope, receive, send, size)
                else:
                    await self._refuse(scope, _finished, send, size)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _finished() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


class Observe:
    """Request ids, per-request metrics and one JSON log line per request.

    Parameters
    ----------
    app : ASGI application
    metrics : Metrics
    holder : ModelHolder
        For the model version in the log line.
    """

    def __init__(self, app: Any, metrics: Any, holder: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.holder = holder

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = _header(scope, b"x-request-id")
        request_id = given if given and _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - start, request_id)

    def _record(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        method, path = scope.get("method", ""), scope.get("path", "")
        state = scope.get("state") or {}
        self.metrics.observe(method, path, status, seconds)
        if status >= 400:
            default = "internal_error" if status >= 500 else "http_error"
            self.metrics.count_problems(path, set(state.get("problems", [default])))
        log(
            logging.ERROR if status >= 500 else logging.INFO,
            f"{method} {path} {status}",
            request_id=request_id,
            method=method,
            path=path,
            status=status,
            latency_ms=round(seconds * 1000, 3),
            rows=state.get("rows"),
            model_version=self.holder.current.version,
        )
