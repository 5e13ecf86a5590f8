"""``python -m bench.serve_load``: ``lemma serve`` under load, and hand-written baselines.

Not a test (nothing is asserted): it measures and prints a Markdown table for
BENCHMARKS.md (``python -m bench`` runs estimator families in one process; serving
needs servers in other processes, hence this separate entry point). Six servers, each
a subprocess on loopback with one Uvicorn worker and one BLAS/Numba thread, the load
coming from this (second) process:

* ``lemma serve`` with a LogisticRegression pipeline (StandardScaler on four numeric
  columns, OneHotEncoder on three categorical ones) and with a GradientBoostingClassifier
  pipeline (OrdinalEncoder), both fitted on 5,000 Adult training rows;
* the same two saved lemma models behind a minimal hand-written FastAPI endpoint —
  ``def predict(body: dict)``, a DataFrame from the rows, ``predict`` and
  ``predict_proba``, no checks — so the cost of lemma's validation, logs and metrics
  is visible on its own;
* the same pipelines built with scikit-learn (LogisticRegression,
  HistGradientBoostingClassifier, same preprocessing and data) behind that same
  hand-written endpoint.

Three phases per server and round:

1. latency — one client, sequential single-row requests (keep-alive) for
   ``--latency-seconds`` (bounded by ``--max-requests``): p50, p99;
2. load — ``--clients`` concurrent clients (50) for ``--duration`` seconds (20; bounded
   by ``--max-requests``), single-row requests: completed requests per second,
   p50 and p99 latency under load, failed requests (any non-200 or broken connection);
3. batch — 10,000-row JSON requests, sequential: rows per second, seconds per batch.

All servers are started first; then ``--rounds`` rounds (3) run every server's phases in
turn, so a change in the machine's load falls on every server alike. The table shows
the **median over rounds** of each figure (failed requests: the sum); ``--json`` keeps
every round.

The client is a small HTTP/1.1 client on asyncio streams (pre-encoded requests,
Content-Length bodies) so that it costs the shared CPU as little as possible; on a
two-core machine client and server still share the cores, so the figures are a lower
bound of what the server can do alone.

Run from the repository root::

    .venv/bin/python -m bench.serve_load                  # about fifteen minutes
    .venv/bin/python -m bench.serve_load --quick          # one round of 5 s phases
    .venv/bin/python -m bench.serve_load --json serve.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

NUMERIC = ["age", "education_num", "hours_per_week", "capital_gain"]
CATEGORICAL = ["workclass", "sex", "race"]
TRAIN_ROWS = 5_000
BATCH_ROWS = 10_000


# ------------------------------------------------------------------------------ data, models
def adult() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows with the target, rows to predict on) from the bundled Adult data."""
    from lemma.io.datasets import load_adult

    data = load_adult()
    train = data[data["split"] == "train"].head(TRAIN_ROWS).reset_index(drop=True)
    known = data["workclass"].isin(train["workclass"].dropna()) | data["workclass"].isna()
    test = data[(data["split"] == "test") & known][NUMERIC + CATEGORICAL]
    return train, test.reset_index(drop=True)


def lemma_model(kind: str, train: pd.DataFrame):
    from lemma.models.ensemble import GradientBoostingClassifier
    from lemma.models.linear import LogisticRegression
    from lemma.pipeline import ColumnTransformer, Pipeline
    from lemma.prep import OneHotEncoder, OrdinalEncoder, StandardScaler

    if kind == "linear":
        prep = ColumnTransformer(
            [
                ("num", StandardScaler(), NUMERIC),
                ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
            ]
        )
        final = LogisticRegression()
    else:
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        prep = ColumnTransformer([("num", "passthrough", NUMERIC), ("cat", encoder, CATEGORICAL)])
        final = GradientBoostingClassifier(max_iter=100, random_state=0)
    X = train[NUMERIC + CATEGORICAL]
    return Pipeline([("prep", prep), ("model", final)]).fit(X, train["income"])


def sklearn_model(kind: str, train: pd.DataFrame):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    if kind == "linear":
        prep = ColumnTransformer(
            [
                ("num", StandardScaler(), NUMERIC),
                ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
            ]
        )
        final = LogisticRegression()
    else:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
        )
        prep = ColumnTransformer([("num", "passthrough", NUMERIC), ("cat", encoder, CATEGORICAL)])
        final = HistGradientBoostingClassifier(max_iter=100, random_state=0)
    X = train[NUMERIC + CATEGORICAL]
    return Pipeline([("prep", prep), ("model", final)]).fit(X, train["income"])


def baseline_app(kind: str, model_path: str | None = None):
    """The hand-written endpoint: FastAPI parses the body, the model predicts, no checks.

    ``model_path``: a saved lemma model (read with ``lemma.load``); without it, the
    scikit-learn pipeline of ``kind`` fitted on the same rows.
    """
    from fastapi import FastAPI

    if model_path is None:
        model = sklearn_model(kind, adult()[0])
    else:
        import lemma

        model = lemma.load(model_path)
    app = FastAPI()

    @app.post("/predict")
    def predict(body: dict) -> dict:
        X = pd.DataFrame(body["rows"])
        return {
            "predictions": model.predict(X).tolist(),
            "probabilities": model.predict_proba(X).tolist(),
        }

    return app


# ------------------------------------------------------------------------------ servers
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment() -> dict[str, str]:
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**os.environ, **threads, "NUMBA_NUM_THREADS": "1"}


def start(command: list[str], port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=_environment()
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited with {process.returncode}: {log.read_text()[-2000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server not up after 180 s: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ------------------------------------------------------------------------------ client
def request_bytes(port: int, rows: list[dict]) -> bytes:
    body = json.dumps({"rows": rows}).encode()
    head = (
        f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader, writer, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length"
    )
    await reader.readexactly(length)
    return status


@dataclass
class Phase:
    """Latencies (seconds) and counts of one phase."""

    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0

    def summary(self, rows_per_request: int = 1) -> dict:
        values = np.asarray(self.latencies) * 1000
        done = len(self.latencies)
        return {
            "requests": done,
            "failed": self.failed,
            "p50_ms": float(np.percentile(values, 50)) if done else None,
            "p99_ms": float(np.percentile(values, 99)) if done else None,
            "requests_per_s": done / self.seconds if self.seconds else None,
            "rows_per_s": done * rows_per_request / self.seconds if self.seconds else None,
        }


async def _client(
    port: int, requests: list[bytes], phase: Phase, until: float, budget: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    k = 0
    try:
        while time.perf_counter() < until and budget[0] > 0:
            budget[0] -= 1
            began = time.perf_counter()
            try:
                status = await _exchange(reader, writer, requests[k % len(requests)])
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                phase.failed += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            if status == 200:
                phase.latencies.append(time.perf_counter() - began)
            else:
                phase.failed += 1
            k += 1
    finally:
        writer.close()


async def run_phase(
    port: int, requests: list[bytes], clients: int, seconds: float, max_requests: int
) -> Phase:
    phase = Phase()
    began = time.perf_counter()
    budget = [max_requests]
    await asyncio.gather(
        *(
            _client(port, requests[i::clients] or requests, phase, began + seconds, budget)
            for i in range(clients)
        )
    )
    phase.seconds = time.perf_counter() - began
    return phase


# ------------------------------------------------------------------------------ a run
@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    process: subprocess.Popen | None = None
    rounds: list[dict] = field(default_factory=list)


def requests_for(port: int, test: pd.DataFrame) -> tuple[list[bytes], list[bytes]]:
    """Single-row requests (2,000 distinct rows) and one 10,000-row request."""
    rows = test.astype(object).where(test.notna(), None).to_dict(orient="records")
    singles = [request_bytes(port, [row]) for row in rows[:2000]]
    batch = [request_bytes(port, (rows * (BATCH_ROWS // len(rows) + 1))[:BATCH_ROWS])]
    return singles, batch


def measure_round(server: Server, test: pd.DataFrame, options) -> dict:
    """The three phases, once, on a running server."""
    singles, batch = requests_for(server.port, test)
    port = server.port
    asyncio.run(run_phase(port, singles, 1, 2.0, 200))  # warm-up, not counted
    latency = asyncio.run(
        run_phase(port, singles, 1, options.latency_seconds, options.max_requests)
    )
    load = asyncio.run(
        run_phase(port, singles, options.clients, options.duration, options.max_requests)
    )
    batches = asyncio.run(run_phase(port, batch, 1, options.batch_seconds, options.batches))
    return {
        "latency": latency.summary(),
        "load": load.summary(),
        "batch": batches.summary(BATCH_ROWS),
    }


def _median(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.median(known)) if known else None


def combine(rounds: list[dict]) -> dict:
    """Median over rounds of every figure; failed requests and request counts summed."""
    combined = {}
    for phase in ("latency", "load", "batch"):
        figures = [r[phase] for r in rounds]
        combined[phase] = {
            key: (
                sum(f[key] for f in figures)
                if key in ("requests", "failed")
                else _median([f[key] for f in figures])
            )
            for key in figures[0]
        }
    return combined


def _cell(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(results: list[dict], clients: int, duration: float, rounds: int) -> str:
    lines = [
        "| server | 1 row p50 (ms) | 1 row p99 (ms) | "
        f"{clients} clients: req/s | p50 (ms) | p99 (ms) | failed | "
        f"{BATCH_ROWS:,}-row batch: rows/s | s per batch |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lat, load, batch = r["latency"], r["load"], r["batch"]
        per_batch = None if batch["p50_ms"] is None else batch["p50_ms"] / 1000
        lines.append(
            f"| {r['server']} | {_cell(lat['p50_ms'], 2)} | {_cell(lat['p99_ms'], 2)} | "
            f"{_cell(load['requests_per_s'], 0)} | {_cell(load['p50_ms'])} | "
            f"{_cell(load['p99_ms'])} | {load['failed']} | {_cell(batch['rows_per_s'], 0)} | "
            f"{_cell(per_batch, 2)} |"
        )
    lines.append(
        f"\nMedians over {rounds} round(s); load phase: {clients} clients for {duration:g} s "
        "(single-row requests); failed: summed over rounds."
    )
    return "\n".join(lines)


def _lemma_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", *arguments]


def _servers(folder: Path, train: pd.DataFrame) -> list[Server]:
    import lemma

    labels = {"linear": "LogisticRegression", "boosting": "GradientBoostingClassifier"}
    sklearn_labels = {"linear": "LogisticRegression", "boosting": "HistGradientBoostingClassifier"}
    servers = []
    for kind in ("linear", "boosting"):
        X = train[NUMERIC + CATEGORICAL]
        path = lemma.save(lemma_model(kind, train), folder / f"{kind}.lemma", schema=X)
        port = free_port()
        command = _lemma_command(
            "lemma.cli", "serve", str(path), "--port", str(port), "--log-level", "warning"
        )
        servers.append(Server(f"lemma serve, {labels[kind]}", command, port))
        port = free_port()
        command = _lemma_command(
            "bench.serve_load", "--baseline-server", kind, "--model", str(path), "--port", str(port)
        )
        servers.append(Server(f"hand-written FastAPI + lemma, {labels[kind]}", command, port))
        port = free_port()
        command = _lemma_command("bench.serve_load", "--baseline-server", kind, "--port", str(port))
        servers.append(
            Server(f"hand-written FastAPI + scikit-learn, {sklearn_labels[kind]}", command, port)
        )
    return servers


def _run_rounds(servers: list[Server], test: pd.DataFrame, options, folder: Path) -> None:
    try:
        for server in servers:
            print(f"[{server.name}] starting", file=sys.stderr, flush=True)
            server.process = start(server.command, server.port, folder / f"{server.port}.log")
        for index in range(options.rounds):
            for server in servers:
                server.rounds.append(measure_round(server, test, options))
                figures = {k: _rounded(v) for k, v in server.rounds[-1].items()}
                print(f"[round {index + 1}, {server.name}] {figures}", file=sys.stderr, flush=True)
    finally:
        for server in servers:
            if server.process is not None:
                stop(server.process)


def _rounded(figures: dict) -> dict:
    return {k: v if v is None or isinstance(v, int) else round(v, 2) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the load phase")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--batch-seconds", type=float, default=15.0)
    parser.add_argument("--batches", type=int, default=10, help="at most this many batches")
    parser.add_argument("--max-requests", type=int, default=200_000, help="bound per phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all servers")
    parser.add_argument("--quick", action="store_true", help="one round of 5 s phases")
    parser.add_argument("--json", help="write every figure of every round here")
    parser.add_argument("--baseline-server", choices=["linear", "boosting"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.baseline_server:
        import uvicorn

        uvicorn.run(
            baseline_app(options.baseline_server, options.model),
            host="127.0.0.1",
            port=options.port,
            log_level="warning",
            access_log=False,
        )
        return 0
    if options.quick:
        options.duration = options.latency_seconds = options.batch_seconds = 5.0
        options.rounds = 1
    from bench.harness import describe_machine, machine_info

    info = machine_info()
    train, test = adult()
    with tempfile.TemporaryDirectory() as folder:
        servers = _servers(Path(folder), train)
        _run_rounds(servers, test, options, Path(folder))
    results = [{"server": s.name, **combine(s.rounds)} for s in servers]
    print("\n".join(describe_machine(info)))
    print()
    print(markdown(results, options.clients, options.duration, options.rounds))
    if options.json:
        record = {
            "machine": info,
            "settings": {k: v for k, v in vars(options).items() if k not in ("port", "model")},
            "results": results,
            "rounds": {s.name: s.rounds for s in servers},
        }
        Path(options.json).write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
