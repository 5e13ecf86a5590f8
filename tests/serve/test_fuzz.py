"""Property-based fuzzing of a running server from its own OpenAPI document (Schemathesis).

For every operation, Schemathesis generates requests that follow the document and
requests that break it; the server must never answer 5xx, every 4xx must carry a
useful message ({detail, errors: [{row, field, problem, message}]}), and every
answer must match the schema the document declares for it. Two servers: the Adult
logistic pipeline, and a model whose schema has every column kind (numbers, whole
numbers, booleans, categories with gaps, datetimes, text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

import lemma
from lemma.models.linear import Ridge
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, StandardScaler
from lemma.serve.schema import PROBLEMS

schemathesis.serializer.alias("text/csv", "text/plain")


@pytest.fixture(scope="module")
def every_kind_server(tmp_path_factory, start_server):
    """A Ridge pipeline whose schema has one column of every kind (dates and text unused)."""
    rng = np.random.default_rng(0)
    n = 200
    data = pd.DataFrame(
        {
            "size m2": rng.normal(80, 20, n),
            "rooms": rng.integers(1, 6, n),
            "garden": rng.random(n) > 0.5,
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n)).where(rng.random(n) > 0.1),
            "built": pd.Timestamp("2000-01-01")
            + pd.to_timedelta(rng.integers(0, 5000, n), unit="D"),
            "note": [f"note {i}" for i in range(n)],
        }
    )
    price = 2 * data["size m2"] + 10 * data["rooms"] + 5 * data["garden"]
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), ["size m2", "rooms"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
            ("flag", "passthrough", ["garden"]),
        ],
        remainder="drop",
    )
    model = Pipeline([("prep", prep), ("model", Ridge(alpha=1.0))]).fit(data, price)
    path = lemma.save(model, tmp_path_factory.mktemp("kinds") / "kinds.lemma", schema=data)
    return start_server(path)


OPERATIONS = [
    ("POST", "/predict", "positive"),
    ("POST", "/predict", "negative"),
    ("POST", "/explain", "positive"),
    ("POST", "/explain", "negative"),
    ("GET", "/model", "positive"),
    ("GET", "/model", "negative"),
    ("GET", "/health", "positive"),
    ("GET", "/ready", "positive"),
    ("GET", "/metrics", "positive"),
]


@pytest.fixture(scope="module", params=["logistic_server", "every_kind_server"])
def api(request):
    server = request.getfixturevalue(request.param)
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


def _check_answer(response) -> None:
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:500]}"
    if status >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and len(body["detail"]) > 15, body
        assert body["errors"], body
        for error in body["errors"]:
            assert error["problem"] in PROBLEMS and len(error["message"]) > 10, error


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
def test_no_server_error_and_every_refusal_explains_itself(api, method, path, mode):
    operation = api[path][method]

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=GenerationMode(mode)))
    def fuzz(case):
        response = case.call(timeout=60)
        _check_answer(response)
        case.validate_response(
            response, checks=[response_schema_conformance, content_type_conformance]
        )

    fuzz()
