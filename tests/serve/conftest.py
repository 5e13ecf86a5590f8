"""Fixtures of the serving tests: models saved from a slice of Adult, and real servers.

A server is ``python -m lemma.cli serve MODEL --port P`` in a subprocess on a free
loopback port (a socket bound to port 0 names one), waited for on ``/ready``, and
always stopped (SIGTERM, then kill) by the fixture's finalizer. Its JSON-lines log
goes to a file the tests can read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest

import lemma
from lemma.io.datasets import load_adult
from lemma.models.ensemble import GradientBoostingClassifier
from lemma.models.linear import LinearRegression, LogisticRegression
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, OrdinalEncoder, StandardScaler

NUMERIC = ["age", "education_num", "hours_per_week", "capital_gain"]
CATEGORICAL = ["workclass", "sex", "race"]
READY_TIMEOUT = 120.0  # seconds; the machine is shared, and a cold start imports Numba


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """Training rows: the first 600 of Adult's training split (workclass has gaps)."""
    data = load_adult()
    return data[data["split"] == "train"].head(600).reset_index(drop=True)


@pytest.fixture(scope="session")
def new_rows(adult) -> pd.DataFrame:
    """Rows to predict on: 40 test-split rows of the training columns, with missing workclass."""
    data = load_adult()
    test = data[data["split"] == "test"]
    known = test["workclass"].isin(adult["workclass"].dropna()) | test["workclass"].isna()
    rows = pd.concat([test[known].head(36), test[test["workclass"].isna()].head(4)])
    return rows[NUMERIC + CATEGORICAL].reset_index(drop=True)


def _fit_models(adult: pd.DataFrame) -> dict[str, object]:
    X, income = adult[NUMERIC + CATEGORICAL], adult["income"]
    one_hot = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    ordinal = ColumnTransformer(
        [
            ("num", "passthrough", NUMERIC),
            (
                "cat",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                CATEGORICAL,
            ),
        ]
    )
    regression_inputs = [c for c in NUMERIC if c != "hours_per_week"]
    one_hot_regression = ColumnTransformer(
        [
            ("num", StandardScaler(), regression_inputs),
            ("cat", OneHotEncoder(drop="first"), CATEGORICAL),
        ]
    )
    return {
        "logistic": Pipeline([("prep", one_hot), ("model", LogisticRegression())]).fit(X, income),
        "boosting": Pipeline(
            [("prep", ordinal), ("model", GradientBoostingClassifier(max_iter=30, random_state=0))]
        ).fit(X, income),
        "linear": Pipeline([("prep", one_hot_regression), ("model", LinearRegression())]).fit(
            adult[regression_inputs + CATEGORICAL], adult["hours_per_week"]
        ),
    }


@pytest.fixture(scope="session")
def models(adult, tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """name → (path of the saved file, the fitted model in this process)."""
    folder = tmp_path_factory.mktemp("models")
    saved = {}
    for name, model in _fit_models(adult).items():
        inputs = list(model.feature_names_in_)
        path = lemma.save(
            model,
            folder / f"{name}.lemma",
            schema=adult[inputs],
            metadata={"metrics": {"note": f"{name} test model"}},
        )
        saved[name] = (path, model)
    return saved


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A ``lemma serve`` subprocess on loopback."""

    def __init__(self, model: Path, *options: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        command = [sys.executable, "-m", "lemma.cli", "serve", str(model), "--port", str(self.port)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(log, "wb") as sink:
            self.process = subprocess.Popen(
                [*command, *options], stdout=sink, stderr=subprocess.STDOUT, env=env
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/ready", timeout=2.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready after {timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """A factory of servers, ready; every server it started is stopped at the end."""
    started: list[Server] = []
    folder = tmp_path_factory.mktemp("logs")

    def start(model: Path, *options: str, wait: bool = True) -> Server:
        server = Server(model, *options, log=folder / f"server-{len(started)}.log")
        started.append(server)
        return server.wait_ready() if wait else server

    yield start
    for server in started:  # all at once: each waits for its own graceful shutdown
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def logistic_server(models, start_server) -> Server:
    return start_server(models["logistic"][0])


@pytest.fixture(scope="session")
def boosting_server(models, start_server) -> Server:
    return start_server(models["boosting"][0])
