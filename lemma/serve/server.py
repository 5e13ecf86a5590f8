"""Running a served model with Uvicorn: one process or N workers, reload, graceful shutdown.

:func:`serve` loads the model file with the safe loader *before* it binds the port,
so a tampered, damaged or foreign file stops it with a lemma error (``lemma serve``
prints one line and exits with code 2) and no socket is ever opened. Then:

* one process (``workers=1``): Uvicorn runs the application built from the model
  already loaded;
* ``workers=N``: Uvicorn binds the port once and starts N worker processes; each
  builds the application with :func:`app_from_environment`, which reads the options
  from the environment variable :data:`ENVIRONMENT_VARIABLE` and loads the file
  itself, with the same safe loader.

Shutdown: on SIGTERM or SIGINT Uvicorn stops accepting connections, lets every
request already received (or still being uploaded) finish and answer, and closes
idle connections; requests still running after ``graceful_timeout`` seconds are
cancelled. The process then exits with code 0 after SIGTERM (Uvicorn alone would
re-raise the signal, ending with status 143) and 130 after Ctrl-C, as ``lemma``
commands do when interrupted. ``reload_on_change`` starts, in each process, the watcher of
:class:`lemma.serve.model.ModelHolder`: a changed file that loads safely and keeps
the schema replaces the model in one reference swap; anything else is logged and
the old model keeps serving.

Logs are JSON lines on standard error (:mod:`lemma.serve.logging`), Uvicorn's own
messages included.

Examples
--------
>>> from lemma.serve.server import uvicorn_options
>>> options = uvicorn_options(host="127.0.0.1", port=8000, log_level="info",
...                           graceful_timeout=30.0)
>>> options["access_log"], options["timeout_graceful_shutdown"]
(False, 30)
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from lemma.exceptions import ParameterError
from lemma.serve.app import Settings, create_app
from lemma.serve.logging import LEVELS, logging_config
from lemma.serve.model import ServedModel

__all__ = ["ENVIRONMENT_VARIABLE", "app_from_environment", "serve", "uvicorn_options"]

#: Carries the model path and settings to worker processes (JSON).
ENVIRONMENT_VARIABLE = "LEMMA_SERVE_OPTIONS"


def uvicorn_options(
    *, host: str, port: int, log_level: str, graceful_timeout: float
) -> dict[str, Any]:
    """Keyword arguments for :class:`uvicorn.Config` shared by both ways of running."""
    if log_level not in LEVELS:
        raise ParameterError(f"log_level must be one of {list(LEVELS)}; got {log_level!r}.")
    return {
        "host": host,
        "port": port,
        "log_config": logging_config(log_level),
        "log_level": log_level,
        "access_log": False,
        "server_header": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": max(1, round(graceful_timeout)),
    }


def app_from_environment() -> FastAPI:
    """The application of a worker process (options from :data:`ENVIRONMENT_VARIABLE`)."""
    options = json.loads(os.environ[ENVIRONMENT_VARIABLE])
    return create_app(options["model"], **options["settings"])


def _exit_zero(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _check(workers: int, settings: Settings) -> None:
    if workers < 1:
        raise ParameterError(f"workers must be at least 1; got {workers}.")
    for name in ("max_rows", "max_explain_rows", "max_body_bytes"):
        if getattr(settings, name) < 1:
            raise ParameterError(f"{name} must be at least 1; got {getattr(settings, name)}.")
    if settings.reload_interval is not None and not settings.reload_interval > 0:
        raise ParameterError(
            f"the reload interval must be a positive number of seconds; got "
            f"{settings.reload_interval}."
        )


def serve(
    model: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload_on_change: bool = False,
    reload_interval: float = 2.0,
    log_level: str = "info",
    graceful_timeout: float = 30.0,
    **settings: Any,
) -> None:
    """Serve a ``.lemma`` file over HTTP until SIGTERM or SIGINT.

    Parameters
    ----------
    model : str or path-like
    host : str, default="127.0.0.1"
        Interface to bind (loopback only by default).
    port : int, default=8000
    workers : int, default=1
        Uvicorn worker processes, each loading the model.
    reload_on_change : bool, default=False
        Watch the file and swap in a changed model (see the module docstring).
    reload_interval : float, default=2.0
        Seconds between looks at the file.
    log_level : str, default="info"
    graceful_timeout : float, default=30.0
        Seconds in-flight requests get to finish at shutdown.
    **settings
        ``max_rows``, ``max_explain_rows``, ``max_body_bytes`` (:class:`Settings`).

    Raises
    ------
    ModelFileError, DataValidationError
        Before binding the port, when the file cannot be served.
    """
    config = Settings(reload_interval=reload_interval if reload_on_change else None, **settings)
    _check(workers, config)
    served = ServedModel.load(model)  # refuses a bad file before the port is bound
    options = uvicorn_options(
        host=host, port=port, log_level=log_level, graceful_timeout=graceful_timeout
    )
    if threading.current_thread() is threading.main_thread():
        # Uvicorn handles SIGTERM while it serves, then re-raises it: end with code 0 then
        signal.signal(signal.SIGTERM, _exit_zero)
    if workers == 1:
        app = create_app(served, **vars(config))
        uvicorn.Server(uvicorn.Config(app, **options)).run()
        return
    os.environ[ENVIRONMENT_VARIABLE] = json.dumps(
        {"model": str(Path(model).resolve()), "settings": vars(config)}
    )
    uvicorn.run("lemma.serve.server:app_from_environment", factory=True, workers=workers, **options)
