"""The real server: ``lemma serve`` in a subprocess on loopback, called with httpx.

Predictions equal the in-process model's to the last bit; every bad input gets its
documented 4xx and the server keeps serving; a tampered file stops the command with
exit code 2 before it binds; SIGTERM lets an in-flight request finish; a changed file
is swapped in atomically; several workers serve; logs are JSON lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile

import httpx
import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.models.linear import LogisticRegression
from lemma.pipeline import Pipeline
from lemma.serve.schema import PROBLEMS


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _bits(values) -> bytes:
    return np.asarray(values, dtype=np.float64).tobytes()


def _useful_4xx(response: httpx.Response, status: int, problem: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert len(body["detail"]) > 15 and problem in {e["problem"] for e in body["errors"]}
    assert all(e["problem"] in PROBLEMS and e["message"] for e in body["errors"])


# ------------------------------------------------------------------------------ exactness
@pytest.fixture(scope="module")
def linear_server(models, start_server):
    return start_server(models["linear"][0])


@pytest.mark.parametrize("name", ["logistic", "boosting", "linear"])
def test_predictions_equal_the_in_process_model_to_the_last_bit(name, models, new_rows, request):
    model = models[name][1]
    server = request.getfixturevalue(f"{name}_server")
    X = new_rows[list(model.feature_names_in_)]
    answer = httpx.post(f"{server.url}/predict", json={"rows": records(X)}, timeout=30).json()
    expected = model.predict(X)
    if name == "linear":
        assert _bits(answer["predictions"]) == _bits(expected)
    else:
        assert answer["predictions"] == expected.tolist()
        assert _bits(answer["probabilities"]) == _bits(model.predict_proba(X))
    csv = httpx.post(
        f"{server.url}/predict",
        content=X.to_csv(index=False),
        headers={"content-type": "text/csv"},
        timeout=30,
    ).json()
    assert csv["predictions"] == answer["predictions"]
    one = httpx.post(f"{server.url}/predict", json={"rows": records(X.head(1))}, timeout=30)
    assert one.json()["predictions"] == [answer["predictions"][0]]


def test_every_endpoint_answers(logistic_server, models, new_rows):
    path, model = models["logistic"]
    url = logistic_server.url
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert httpx.get(f"{url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{url}/ready").json() == {"status": "ready", "model_version": sha256[:12]}
    info = httpx.get(f"{url}/model").json()
    assert info["sha256"] == sha256 and info["schema"]["columns"][0]["name"] == "age"
    assert "<html" in httpx.get(f"{url}/model", headers={"accept": "text/html"}).text
    explained = httpx.post(f"{url}/explain", json={"rows": records(new_rows.head(2))}, timeout=30)
    assert explained.status_code == 200 and explained.json()["method"] == "linear_exact"
    document = httpx.get(f"{url}/openapi.json").json()
    assert list(document["components"]["schemas"]["Row"]["properties"]) == list(
        model.feature_names_in_
    )
    assert httpx.get(f"{url}/docs").status_code == 200
    text = httpx.get(f"{url}/metrics").text
    assert (
        httpx.get(f"{url}/metrics").headers["content-type"].startswith("text/plain; version=0.0.4")
    )
    assert 'lemma_http_requests_total{method="GET",path="/health",status="200"}' in text


# ------------------------------------------------------------------------------ bad inputs
def _row(new_rows) -> dict:
    return records(new_rows.head(1))[0]


def _bad_requests(new_rows) -> list[tuple[str, dict, int, str]]:
    """(what, request, status, problem) of every bad input of the issue, and a few more."""
    good = _row(new_rows)
    as_json = {"content-type": "application/json"}
    as_csv = {"content-type": "text/csv"}

    def rows(*values: dict) -> dict:
        return {"content": json.dumps({"rows": list(values)}).encode(), "headers": as_json}

    def raw(text: bytes, headers: dict | None = None) -> dict:
        return {"content": text, "headers": as_json if headers is None else headers}

    without_age = {k: v for k, v in good.items() if k != "age"}
    big = b'{"rows": [' + b" " * (10 * 2**20) + b"]}"
    chunks = [big[i : i + 2**20] for i in range(0, len(big), 2**20)]
    return [
        ("wrong type", rows({**good, "age": "old"}), 422, "wrong_type"),
        ("fraction in an integer", rows({**good, "age": 30.5}), 422, "wrong_type"),
        ("missing field", rows(without_age), 422, "missing_field"),
        ("extra field", rows({**good, "shoe": 44}), 422, "extra_field"),
        ("null", rows({**good, "sex": None}), 422, "missing_value"),
        ("unseen category", rows({**good, "race": "Martian"}), 422, "unseen_category"),
        ("NaN", raw(b'{"rows": [{"age": NaN}]}'), 400, "invalid_json"),
        ("Infinity", raw(b'{"rows": [{"age": Infinity}]}'), 400, "invalid_json"),
        ("-Infinity", raw(b'{"rows": [{"age": -Infinity}]}'), 400, "invalid_json"),
        (
            "1e999",
            raw(rows({**good, "age": 0})["content"].replace(b'"age": 0', b'"age": 1e999')),
            422,
            "not_finite",
        ),
        ("empty body", raw(b""), 400, "empty_body"),
        ("malformed JSON", raw(b'{"rows": [{"age": 3,}]}'), 400, "invalid_json"),
        ("not UTF-8", raw(b'{"rows": [{"sex": "\xff"}]}'), 400, "invalid_json"),
        ("not rows", raw(b'{"data": []}'), 422, "invalid_body"),
        ("no rows", raw(b'{"rows": []}'), 422, "no_rows"),
        (
            "wrong content type",
            {**rows(good), "headers": {"content-type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
        ("no content type", {"content": rows(good)["content"]}, 415, "unsupported_media_type"),
        ("10 MB body", raw(big), 413, "too_large"),
        ("10 MB chunked", {"content": iter(chunks), "headers": as_json}, 413, "too_large"),
        ("too many rows", rows(*[good] * 10_001), 413, "too_large"),
        ("bad CSV line", raw(b"age,sex\n1,2,3\n", as_csv), 422, "invalid_csv"),
        ("CSV unseen category", raw(b"race\nMartian\n", as_csv), 422, "unseen_category"),
    ]


def test_bad_inputs_get_their_documented_4xx_and_the_server_keeps_serving(
    logistic_server, new_rows
):
    good = {"rows": [_row(new_rows)]}
    with httpx.Client(base_url=logistic_server.url, timeout=60) as client:
        for name, request, status, problem in _bad_requests(new_rows):
            response = client.post("/predict", **request)
            try:
                _useful_4xx(response, status, problem)
            except (AssertionError, ValueError) as exc:
                raise AssertionError(f"{name}: {exc}") from exc
            assert client.post("/predict", json=good).status_code == 200, name
        assert client.get("/health").status_code == 200
    assert logistic_server.process.poll() is None


# ------------------------------------------------------------------------------ start
def _tamper(source, target) -> None:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["model.json"] = members["model.json"].replace(b'"', b"'", 1)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _serve_and_exit(path, port) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "lemma.cli", "serve", str(path), "--port", str(port)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_tampered_or_foreign_file_exits_2_before_binding_the_port(models, tmp_path):
    """The test holds the port: had the command tried to bind it, Uvicorn would fail (exit 1)."""
    tampered = tmp_path / "tampered.lemma"
    _tamper(models["logistic"][0], tampered)
    foreign = tmp_path / "foreign.lemma"
    foreign.write_bytes(pickle.dumps({"weights": [1, 2]}))
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        for path, expected in [(tampered, "SHA-256"), (foreign, "pickle")]:
            done = _serve_and_exit(path, port)
            assert done.returncode == 2, done.stderr
            assert done.stdout == "" and done.stderr.count("\n") == 1
            assert done.stderr.startswith("lemma: error: cannot ") and expected in done.stderr


# ------------------------------------------------------------------------------ shutdown
def test_sigterm_lets_an_in_flight_request_finish(models, new_rows, start_server):
    """A request whose body is still arriving when SIGTERM comes is answered, then exit 0."""
    server = start_server(models["logistic"][0], "--graceful-timeout", "20")
    body = json.dumps({"rows": records(new_rows.head(3))}).encode()
    uploading = threading.Event()

    def slow_body():
        yield body[:10]
        uploading.set()
        time.sleep(2.0)  # SIGTERM arrives while the rest of the body is on its way
        yield body[10:]

    answer = {}

    def send():
        answer["response"] = httpx.post(
            f"{server.url}/predict",
            content=slow_body(),
            headers={"content-type": "application/json"},
            timeout=60,
        )

    client = threading.Thread(target=send)
    client.start()
    assert uploading.wait(30)
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    client.join(60)
    response = answer["response"]
    assert response.status_code == 200 and len(response.json()["predictions"]) == 3
    assert server.process.wait(60) == 0
    assert "Shutting down" in server.log()


# ------------------------------------------------------------------------------ reload
def _other_model(models, adult):
    model = models["logistic"][1]
    X = adult[list(model.feature_names_in_)]
    return Pipeline([("prep", model[0]), ("model", LogisticRegression(C=0.01))]).fit(
        X, adult["income"]
    ), X


def _wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_reload_on_change_swaps_atomically_and_keeps_serving(
    models, adult, new_rows, start_server, tmp_path
):
    path = tmp_path / "served.lemma"
    shutil.copy(models["logistic"][0], path)
    first_model = models["logistic"][1]
    second_model, X_train = _other_model(models, adult)
    server = start_server(path, "--reload-on-change", "--reload-interval", "0.2")
    X = new_rows.head(5)
    expected = {
        hashlib.sha256(path.read_bytes()).hexdigest()[:12]: _bits(first_model.predict_proba(X))
    }
    answers, stop = [], threading.Event()

    def hammer():
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                answers.append(client.post("/predict", json={"rows": records(X)}))

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        staged = tmp_path / "staged.lemma"
        lemma.save(second_model, staged, schema=X_train)
        second = hashlib.sha256(staged.read_bytes()).hexdigest()[:12]
        expected[second] = _bits(second_model.predict_proba(X))
        os.replace(staged, path)  # as lemma.save itself replaces a file: atomically

        def serving(version):
            return httpx.get(f"{server.url}/ready").json()["model_version"] == version

        assert _wait_for(lambda: serving(second)), server.log()
        # a damaged file and one with another schema are refused; the model keeps serving
        shutil.copy(path, staged)
        staged.write_bytes(staged.read_bytes()[:-50])
        os.replace(staged, path)
        assert _wait_for(lambda: server.log().count("model refused") >= 1), server.log()
        lemma.save(
            lemma.Ridge().fit(adult[["age"]], adult["hours_per_week"]),
            staged,
            schema=adult[["age"]],
        )
        os.replace(staged, path)
        assert _wait_for(lambda: server.log().count("model refused") >= 2), server.log()
        assert serving(second)
    finally:
        stop.set()
        worker.join(60)
    assert answers and all(a.status_code == 200 for a in answers)
    for answer in answers:  # every answer is one model's, whole: never a mixture
        content = answer.json()
        assert _bits(content["probabilities"]) == expected[content["model_version"]]
    assert {a.json()["model_version"] for a in answers} <= set(expected)
    assert (
        'lemma_model_reloads_total{outcome="refused"} 2' in httpx.get(f"{server.url}/metrics").text
    )


# ------------------------------------------------------------------------------ workers, logs
@pytest.mark.slow
def test_two_workers_each_load_the_model_and_serve(models, new_rows, start_server):
    path, model = models["boosting"]
    server = start_server(path, "--workers", "2")
    X = new_rows.head(4)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(20):
            answer = client.post(
                "/predict", json={"rows": records(X)}, headers={"connection": "close"}
            )
            assert _bits(answer.json()["probabilities"]) == _bits(model.predict_proba(X))
    assert _wait_for(lambda: server.log().count('"message": "serving model"') == 2), server.log()
    serving = [json.loads(line) for line in server.log().splitlines() if "serving model" in line]
    assert len({entry["pid"] for entry in serving}) == 2


def test_logs_are_json_lines_with_request_fields(logistic_server, new_rows):
    response = httpx.post(
        f"{logistic_server.url}/predict",
        json={"rows": records(new_rows.head(2))},
        headers={"x-request-id": "test-log-1"},
    )
    assert response.headers["x-request-id"] == "test-log-1"
    assert _wait_for(lambda: "test-log-1" in logistic_server.log())
    entries = [json.loads(line) for line in logistic_server.log().splitlines()]
    entry = next(e for e in entries if e.get("request_id") == "test-log-1")
    assert entry["method"] == "POST" and entry["path"] == "/predict" and entry["status"] == 200
    assert entry["rows"] == 2 and entry["latency_ms"] > 0 and entry["level"] == "info"
    assert {e["logger"] for e in entries} >= {"lemma.serve", "uvicorn.error"}


# ------------------------------------------------------------------------------ command line
def test_serve_help_and_bad_options(capsys, models):
    from lemma.cli import main

    assert main(["serve", "--help"]) == 0
    assert "--reload-on-change" in capsys.readouterr().out
    assert main(["serve", str(models["logistic"][0]), "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_without_the_serve_extra_the_command_says_what_to_install(capsys, models, monkeypatch):
    from lemma.cli import main

    monkeypatch.setitem(sys.modules, "lemma.serve.server", None)  # as if FastAPI were absent
    assert main(["serve", str(models["logistic"][0])]) == 2
    assert "pip install 'lemma[serve]'" in capsys.readouterr().err
