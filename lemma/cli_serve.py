"""``lemma serve MODEL``: a saved model behind HTTP (FastAPI + Uvicorn).

The command checks its options, loads MODEL with the safe loader — a tampered,
damaged or foreign file is refused with one line and exit code 2 before any port is
bound — and serves it until SIGTERM or Ctrl-C (in-flight requests finish first).
Serving needs the ``serve`` extra: without FastAPI and Uvicorn the command says how
to install them and exits with code 2. See :mod:`lemma.serve` for the API.

Example (a shell)::

    lemma serve model.lemma --port 8000 --workers 2
    curl -s localhost:8000/predict -H 'content-type: application/json' \\
         -d '{"rows": [{"age": 39, "sex": "Male"}]}'

Examples
--------
>>> from lemma.cli_serve import options_to_settings
>>> options_to_settings(max_rows=500, max_explain_rows=50, max_body_mb=1.0)
{'max_rows': 500, 'max_explain_rows': 50, 'max_body_bytes': 1048576}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["options_to_settings", "run", "serve_options"]

_OPTIONS = [
    click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind."),
    click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Worker processes, each loading the model.",
    ),
    click.option(
        "--max-rows",
        type=click.IntRange(min=1),
        default=10_000,
        show_default=True,
        help="Rows per /predict batch (more: 413).",
    ),
    click.option(
        "--max-explain-rows",
        type=click.IntRange(min=1),
        default=100,
        show_default=True,
        help="Rows per /explain batch (more: 413).",
    ),
    click.option(
        "--max-body-mb",
        type=click.FloatRange(min=0.001),
        default=8.0,
        show_default=True,
        help="Request body limit in MiB (more: 413, before parsing).",
    ),
    click.option(
        "--reload-on-change",
        is_flag=True,
        help="Swap in the model file when it changes (atomic; a bad file is not loaded).",
    ),
    click.option(
        "--reload-interval",
        type=click.FloatRange(min=0.05),
        default=2.0,
        show_default=True,
        help="Seconds between looks at the model file.",
    ),
    click.option(
        "--log-level",
        type=click.Choice(["critical", "error", "warning", "info", "debug"]),
        default="info",
        show_default=True,
    ),
    click.option(
        "--graceful-timeout",
        type=click.FloatRange(min=1),
        default=30.0,
        show_default=True,
        help="Seconds in-flight requests get to finish at shutdown.",
    ),
    click.option("--debug", is_flag=True, hidden=True, help="Show full tracebacks on errors."),
]


def serve_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a click command with MODEL and every ``lemma serve`` option."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return click.argument("model")(command)


def options_to_settings(
    *, max_rows: int, max_explain_rows: int, max_body_mb: float
) -> dict[str, int]:
    """The server's limits from the command's options."""
    return {
        "max_rows": max_rows,
        "max_explain_rows": max_explain_rows,
        "max_body_bytes": int(max_body_mb * 2**20),
    }


def run(
    model: str,
    *,
    host: str,
    port: int,
    workers: int,
    max_rows: int,
    max_explain_rows: int,
    max_body_mb: float,
    reload_on_change: bool,
    reload_interval: float,
    log_level: str,
    graceful_timeout: float,
    debug: bool = False,
) -> None:
    """The ``lemma serve`` command (see the module docstring)."""
    try:
        from lemma.serve.server import serve
    except ImportError as exc:
        error = click.ClickException(
            f"lemma serve needs FastAPI and Uvicorn ({exc.name} is not installed); "
            "install them with: pip install 'lemma[serve]'"
        )
        error.exit_code = 2
        raise error from exc
    serve(
        model,
        host=host,
        port=port,
        workers=workers,
        reload_on_change=reload_on_change,
        reload_interval=reload_interval,
        log_level=log_level,
        graceful_timeout=graceful_timeout,
        **options_to_settings(
            max_rows=max_rows, max_explain_rows=max_explain_rows, max_body_mb=max_body_mb
        ),
    )
