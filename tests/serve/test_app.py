"""The application in-process (httpx over ASGI): endpoints, partial batches, OpenAPI, reload.

The real server (Uvicorn in a subprocess) is exercised in test_server.py; here the
same application is called without a network, to check its answers in detail.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil

import httpx
import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.explain import linear_shap
from lemma.io.persist import load_file
from lemma.models.linear import LogisticRegression
from lemma.pipeline import Pipeline
from lemma.serve.app import create_app
from lemma.serve.model import ModelHolder, ServedModel
from lemma.serve.schema import PROBLEMS


class Caller:
    """Sends requests to an ASGI application, one event loop per request."""

    def __init__(self, app) -> None:
        self.transport = httpx.ASGITransport(app)

    def __call__(self, method: str, path: str, **kwargs) -> httpx.Response:
        async def send():
            async with httpx.AsyncClient(transport=self.transport, base_url="http://t") as c:
                return await c.request(method, path, **kwargs)

        return asyncio.run(send())


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


@pytest.fixture(scope="module")
def logistic(models):
    path, model = models["logistic"]
    return Caller(create_app(path, max_rows=50, max_explain_rows=10)), model, path


@pytest.fixture(scope="module")
def boosting(models):
    path, model = models["boosting"]
    return Caller(create_app(path)), model, path


def _is_error_body(response: httpx.Response) -> bool:
    body = response.json()
    return (
        isinstance(body["detail"], str)
        and len(body["detail"]) > 15
        and body["errors"]
        and all(e["problem"] in PROBLEMS for e in body["errors"])
    )


# ------------------------------------------------------------------------------ predict
def test_predict_equals_the_model_bit_for_bit(logistic, new_rows):
    call, model, _ = logistic
    answer = call("POST", "/predict", json={"rows": records(new_rows)}).json()
    assert answer["predictions"] == model.predict(new_rows).tolist()
    assert answer["classes"] == model.classes_.tolist()
    expected = model.predict_proba(new_rows)
    assert np.asarray(answer["probabilities"]).tobytes() == expected.tobytes()
    assert answer["rows"] == list(range(len(new_rows))) and answer["errors"] == []


def test_partial_predicts_the_good_rows_and_lists_the_others(logistic, new_rows):
    call, model, _ = logistic
    rows = records(new_rows.head(5))
    rows[1]["age"] = "old"
    rows[3]["sex"] = "Unknown"
    refused = call("POST", "/predict", json={"rows": rows})
    assert refused.status_code == 422 and _is_error_body(refused)
    assert "2 of 5 rows" in refused.json()["detail"] and "partial=true" in refused.json()["detail"]
    answer = call("POST", "/predict", params={"partial": "true"}, json={"rows": rows}).json()
    assert answer["rows"] == [0, 2, 4] and answer["n_rows"] == 5
    good = new_rows.iloc[[0, 2, 4]]
    assert np.asarray(answer["probabilities"]).tobytes() == model.predict_proba(good).tobytes()
    assert [(e["row"], e["field"], e["problem"]) for e in answer["errors"]] == [
        (1, "age", "wrong_type"),
        (3, "sex", "unseen_category"),
    ]


def test_partial_with_no_good_row_is_still_refused(logistic):
    call, _, _ = logistic
    answer = call("POST", "/predict", params={"partial": "true"}, json={"rows": [{"age": 1}]})
    assert answer.status_code == 422 and "nothing was predicted" in answer.json()["detail"]


def test_csv_body_gives_the_same_answer_as_json(boosting, new_rows):
    call, model, _ = boosting
    answer = call(
        "POST",
        "/predict",
        content=new_rows.to_csv(index=False),
        headers={"content-type": "text/csv"},
    ).json()
    assert answer["predictions"] == model.predict(new_rows).tolist()
    assert np.asarray(answer["probabilities"]).tobytes() == model.predict_proba(new_rows).tobytes()


def test_out_of_range_values_are_warnings_not_errors(logistic, new_rows):
    call, _, _ = logistic
    rows = records(new_rows.head(2))
    rows[1]["age"] = 150
    answer = call("POST", "/predict", json={"rows": rows})
    assert answer.status_code == 200
    warning = answer.json()["warnings"][0]
    assert (warning["row"], warning["field"], warning["problem"]) == (1, "age", "out_of_range")


def test_batch_limit_is_413(logistic, new_rows):
    call, _, _ = logistic
    rows = records(new_rows.head(1)) * 51
    answer = call("POST", "/predict", json={"rows": rows})
    assert answer.status_code == 413 and answer.json()["errors"][0]["problem"] == "too_large"


def test_a_bad_query_parameter_is_422_in_the_same_format(logistic, new_rows):
    call, _, _ = logistic
    answer = call("POST", "/predict", params={"partial": "maybe"}, json={"rows": []})
    assert answer.status_code == 422 and _is_error_body(answer)
    assert answer.json()["errors"][0] == {
        "row": None,
        "field": "partial",
        "problem": "invalid_parameter",
        "message": answer.json()["errors"][0]["message"],
    }


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nope", 404), ("GET", "/predict", 405)]
)
def test_unknown_paths_and_methods_answer_in_the_error_format(logistic, method, path, status):
    call, _, _ = logistic
    answer = call(method, path)
    assert answer.status_code == status and _is_error_body(answer)


# ------------------------------------------------------------------------------ explain
def test_explain_linear_equals_linear_shap_against_the_baseline(logistic, new_rows):
    call, model, _ = logistic
    rows = new_rows.head(4)
    answer = call("POST", "/explain", json={"rows": records(rows)}).json()
    assert answer["method"] == "linear_exact" and answer["scale"] == "log-odds"
    baseline = pd.DataFrame([answer["baseline"]]).astype(rows.dtypes.to_dict())
    shap = linear_shap(model, rows, background=baseline)
    np.testing.assert_array_equal(np.asarray(answer["contributions"])[:, 0, :], shap.values)
    assert answer["features"] == shap.feature_names
    logit = np.log(model.predict_proba(rows)[:, 1] / model.predict_proba(rows)[:, 0])
    np.testing.assert_allclose(np.asarray(answer["values"])[:, 0], logit, rtol=1e-9)


def test_explain_boosting_contributions_add_up_to_the_probability_change(boosting, new_rows):
    call, model, _ = boosting
    rows = new_rows.head(3)
    baseline = records(new_rows.iloc[[10]])[0]
    answer = call("POST", "/explain", json={"rows": records(rows), "baseline": baseline}).json()
    assert answer["method"] == "baseline_shapley_exact" and answer["features"] == list(rows.columns)
    assert answer["baseline"] == baseline and answer["outputs"] == model.classes_.tolist()
    contributions = np.asarray(answer["contributions"])
    np.testing.assert_array_equal(answer["values"], model.predict_proba(rows))
    np.testing.assert_array_equal(
        answer["base_values"], model.predict_proba(new_rows.iloc[[10]])[0]
    )
    total = np.asarray(answer["base_values"]) + contributions.sum(axis=2)
    np.testing.assert_allclose(total, answer["values"], rtol=0, atol=1e-12)


def test_explain_refuses_a_bad_baseline_and_too_many_rows(logistic, new_rows):
    call, _, _ = logistic
    answer = call(
        "POST", "/explain", json={"rows": records(new_rows.head(1)), "baseline": {"age": 3}}
    )
    assert answer.status_code == 422 and _is_error_body(answer)
    assert all(e["message"].startswith("baseline:") for e in answer.json()["errors"])
    answer = call("POST", "/explain", json={"rows": records(new_rows.head(11))})
    assert answer.status_code == 413


# ------------------------------------------------------------------------------ the model
def test_model_describes_the_file(logistic):
    call, model, path = logistic
    info = call("GET", "/model").json()
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert info["sha256"] == sha256 and info["model_version"] == sha256[:12]
    assert info["schema"] == load_file(path).schema.to_dict()
    assert info["classes"] == model.classes_.tolist() and info["task"] == "classification"
    assert info["metrics"] == {"note": "logistic test model"} and info["explain"] == "linear_exact"
    page = call("GET", "/model", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "<table>" in page.text
    assert call("GET", "/model", params={"format": "html"}).text == page.text


def test_model_html_renders_a_saved_model_card(models, adult, tmp_path):
    from lemma.explain import ModelCard

    model = models["logistic"][1]
    X = adult[list(model.feature_names_in_)]
    card = ModelCard.from_evaluation(
        model, X_train=X, y_train=adult["income"], metrics={"accuracy": 0.8}, intended_use="tests"
    )
    carded = lemma.save(model, tmp_path / "carded.lemma", schema=X, card=card.to_dict())
    page = Caller(create_app(carded))("GET", "/model", params={"format": "html"}).text
    assert page == card.to_html()


def test_health_ready_and_metrics(logistic, new_rows):
    call, _, path = logistic
    assert call("GET", "/health").json() == {"status": "ok"}
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert call("GET", "/ready").json() == {"status": "ready", "model_version": version}
    call("POST", "/predict", json={"rows": records(new_rows.head(3))})
    call("POST", "/predict", json={"rows": [{"age": "x"}]})
    text = call("GET", "/metrics").text
    assert 'lemma_http_requests_total{method="POST",path="/predict",status="200"}' in text
    assert 'lemma_request_errors_total{path="/predict",problem="wrong_type"}' in text
    assert (
        'lemma_http_request_duration_seconds_bucket{method="POST",path="/predict",le="+Inf"}'
        in text
    )
    predicted = next(line for line in text.splitlines() if line.startswith("lemma_rows_predicted"))
    assert int(predicted.split()[-1]) >= 3
    assert f'lemma_model_info{{version="{version}",model="Pipeline"}} 1' in text


def test_request_ids_are_echoed_or_made(logistic):
    call, _, _ = logistic
    assert (
        call("GET", "/health", headers={"x-request-id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = call("GET", "/health", headers={"x-request-id": "bad id\twith spaces"}).headers
    assert len(made["x-request-id"]) == 32


def test_openapi_shows_the_model_fields_and_types(logistic, adult):
    call, model, _ = logistic
    document = call("GET", "/openapi.json").json()
    schemas = document["components"]["schemas"]
    row = schemas["Row"]
    assert list(row["properties"]) == list(model.feature_names_in_)
    assert row["properties"]["age"]["type"] == "integer" and row["additionalProperties"] is False
    sexes = sorted(adult["sex"].unique())
    assert row["properties"]["sex"]["enum"] == sexes
    assert "workclass" not in row["required"] and "age" in row["required"]
    assert schemas["PredictResponse"]["properties"]["predictions"]["items"]["enum"] == [
        "<=50K",
        ">50K",
    ]
    body = document["paths"]["/predict"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "text/csv"}
    assert schemas["PredictRequest"]["properties"]["rows"]["maxItems"] == 50


def test_a_model_saved_without_a_schema_is_served_by_its_input_names(rng, tmp_path):
    X = pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "v"])
    model = lemma.Ridge(alpha=0.1).fit(X, X["u"] - X["v"])
    path = lemma.save(model, tmp_path / "ridge.lemma")
    answer = Caller(create_app(path))("POST", "/predict", json={"rows": records(X.head(3))}).json()
    assert np.asarray(answer["predictions"]).tobytes() == model.predict(X.head(3)).tobytes()


# ------------------------------------------------------------------------------ reload
def test_reload_swaps_a_changed_file_and_refuses_a_bad_one(models, adult, tmp_path):
    source, model = models["logistic"]
    path = tmp_path / "model.lemma"
    shutil.copy(source, path)
    holder = ModelHolder(ServedModel.load(path))
    first = holder.current
    assert holder.reload_if_changed() is None
    X = adult[list(model.feature_names_in_)]
    other = Pipeline([("prep", model[0]), ("model", LogisticRegression(C=0.01))]).fit(
        X, adult["income"]
    )
    lemma.save(other, path, schema=X)
    os.utime(path, ns=(1, 1))  # a new modification time even on a coarse clock
    kind, message = holder.reload_if_changed()
    assert kind == "reloaded" and holder.current is not first
    assert holder.current.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.version in message and holder.current.version in message
    second = holder.current
    # a damaged file: refused once, the model in place keeps serving
    path.write_bytes(path.read_bytes()[:-100])
    kind, message = holder.reload_if_changed()
    assert kind == "refused" and "cannot load" in message and holder.current is second
    assert holder.reload_if_changed() is None
    # another schema: refused
    lemma.save(
        lemma.Ridge().fit(adult[["age"]], adult["hours_per_week"]), path, schema=adult[["age"]]
    )
    os.utime(path, ns=(2, 2))
    kind, message = holder.reload_if_changed()
    assert kind == "refused" and "schema" in message and holder.current is second


def test_a_request_uses_one_model_throughout(models, new_rows):
    """The handler reads the holder once: swapping the reference mid-request changes nothing."""
    path, model = models["logistic"]
    app = create_app(path)
    served = app.state.holder.current
    original_predict = served.predict

    def predict_then_swap(X):
        result = original_predict(X)
        app.state.holder.current = ServedModel.load(models["boosting"][0])
        return result

    object.__setattr__(served, "predict", predict_then_swap)
    answer = Caller(app)("POST", "/predict", json={"rows": records(new_rows.head(2))}).json()
    assert answer["model_version"] == served.version
    assert (
        np.asarray(answer["probabilities"]).tobytes()
        == model.predict_proba(new_rows.head(2)).tobytes()
    )
    assert json.loads(Caller(app)("GET", "/ready").text)["model_version"] != served.version


def test_an_unexpected_fault_is_a_logged_500_in_the_error_format(models, new_rows, caplog):
    path = models["logistic"][0]
    app = create_app(path)
    served = app.state.holder.current

    def broken(X):
        raise RuntimeError("a bug")

    object.__setattr__(served, "predict", broken)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)

    async def send():
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/predict", json={"rows": records(new_rows.head(1))})

    response = asyncio.run(send())
    assert response.status_code == 500
    assert response.json()["errors"][0]["problem"] == "internal_error"
    assert "request id" in response.json()["detail"]
    assert any(r.levelname == "ERROR" and "500" in r.getMessage() for r in caplog.records)
