"""Structured logs of a server: one JSON object per line, on standard error.

Every record — the server's own (``lemma.serve``) and Uvicorn's (start, shutdown,
errors) — is written as one line ``{"time", "level", "logger", "message", ...}``;
a request adds ``request_id``, ``method``, ``path``, ``status``, ``latency_ms``,
``rows`` and ``model_version``; an error adds ``exception`` (the traceback as text).
Times are UTC, ISO 8601, in milliseconds. Nothing else in :mod:`lemma.serve` prints.

Reference: JSON Lines, https://jsonlines.org/.

Examples
--------
>>> import logging
>>> from lemma.serve.logging import JsonFormatter
>>> record = logging.LogRecord("lemma.serve", logging.INFO, "", 0, "answered", None, None)
>>> record.fields = {"status": 200}
>>> line = JsonFormatter().format(record)
>>> import json; {k: v for k, v in json.loads(line).items() if k != "time"}
{'level': 'info', 'logger': 'lemma.serve', 'message': 'answered', 'status': 200}
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

__all__ = ["LOGGER_NAME", "JsonFormatter", "log", "logging_config"]

LOGGER_NAME = "lemma.serve"
LEVELS = ("critical", "error", "warning", "info", "debug")


class JsonFormatter(logging.Formatter):
    """Formats a log record as one line of JSON (extra data in ``record.fields``)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        entry: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def log(level: int, message: str, **fields: Any) -> None:
    """Log ``message`` with structured ``fields`` on the ``lemma.serve`` logger."""
    logging.getLogger(LOGGER_NAME).log(level, message, extra={"fields": fields})


def logging_config(level: str = "info") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for Uvicorn and lemma.serve: JSON lines to stderr.

    Uvicorn's access log is switched off: the server logs every request itself, with
    its id, latency and row count.

    Examples
    --------
    >>> from lemma.serve.logging import logging_config
    >>> sorted(logging_config()["loggers"])
    ['lemma.serve', 'uvicorn', 'uvicorn.access', 'uvicorn.error']
    """
    level = level.upper()
    handler = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            LOGGER_NAME: handler,
            "uvicorn": handler,
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
