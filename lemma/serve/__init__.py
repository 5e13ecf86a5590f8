"""Serving a saved model over HTTP: ``lemma serve MODEL`` and its Python client.

``lemma serve model.lemma`` loads the file with the safe loader (a tampered or
foreign file is refused, exit code 2, before the port is bound) and serves it with
Uvicorn: ``POST /predict`` and ``POST /explain`` (JSON rows or CSV, checked field by
field against the training schema), ``GET /model``, ``/health``, ``/ready``,
``/metrics`` and the OpenAPI document at ``/docs``.

Modules: :mod:`~lemma.serve.app` (the FastAPI application), :mod:`~lemma.serve.schema`
(row models generated from the schema), :mod:`~lemma.serve.body` (request bodies and
their 4xx answers), :mod:`~lemma.serve.results` (the work of each endpoint),
:mod:`~lemma.serve.explain` (contributions), :mod:`~lemma.serve.model` (loading, hashing,
atomic reload), :mod:`~lemma.serve.openapi`, :mod:`~lemma.serve.middleware`,
:mod:`~lemma.serve.metrics`, :mod:`~lemma.serve.logging`, :mod:`~lemma.serve.server`
(running Uvicorn) and :mod:`~lemma.serve.client` (:class:`Client`).

Needs the ``serve`` extra (``pip install lemma[serve]``: FastAPI, Uvicorn); the
client needs only httpx. Names load lazily, so ``from lemma.serve import Client``
does not import FastAPI.

Examples
--------
>>> import lemma.serve
>>> sorted(lemma.serve.__all__)
['Client', 'ServedModel', 'Settings', 'create_app', 'serve']
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Client", "ServedModel", "Settings", "create_app", "serve"]

_HOMES = {
    "Client": "lemma.serve.client",
    "ServedModel": "lemma.serve.model",
    "Settings": "lemma.serve.app",
    "create_app": "lemma.serve.app",
    "serve": "lemma.serve.server",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lemma.serve' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
