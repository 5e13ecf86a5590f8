"""lemma.serve.Client against a real server: DataFrames in, DataFrames out, errors raised."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from lemma.cli_predict import predict_file
from lemma.serve import Client
from lemma.serve.client import ServeError


@pytest.fixture(scope="module")
def client(logistic_server):
    with Client(logistic_server.url) as connected:
        yield connected


def test_predict_frame_equals_lemma_predict(client, models, new_rows, tmp_path):
    path, model = models["logistic"]
    rows = new_rows.set_axis(range(100, 100 + len(new_rows)))  # the index is kept
    result = client.predict(rows)
    new_rows.to_csv(tmp_path / "rows.csv", index=False)
    expected, _ = predict_file(path, str(tmp_path / "rows.csv"))
    assert list(result.index) == list(rows.index)
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected, check_exact=True)
    assert result.attrs["model_version"] == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert (
        result["proba_>50K"].to_numpy().tobytes() == model.predict_proba(new_rows)[:, 1].tobytes()
    )


def test_predict_takes_records_and_one_dict(client, new_rows):
    first = new_rows.head(1).astype(object).where(new_rows.head(1).notna(), None)
    record = first.to_dict(orient="records")[0]
    assert (
        client.predict(record)["prediction"].tolist()
        == client.predict([record])["prediction"].tolist()
    )


def test_refusals_raise_serve_error_with_every_problem(client, new_rows):
    rows = new_rows.head(3).copy()
    rows["age"] = rows["age"].astype(object)
    rows.loc[1, "age"] = "old"
    with pytest.raises(ServeError, match="1 of 3 rows") as caught:
        client.predict(rows)
    assert caught.value.status == 422
    assert [(e["row"], e["field"], e["problem"]) for e in caught.value.errors] == [
        (1, "age", "wrong_type")
    ]
    partial = client.predict(rows, partial=True)
    assert list(partial.index) == [0, 2] and partial.attrs["errors"][0]["row"] == 1


def test_missing_values_travel_as_null(client, new_rows):
    rows = new_rows[new_rows["workclass"].isna()].head(2)
    assert len(rows) == 2 and len(client.predict(rows)) == 2


def test_explain_frame(client, new_rows):
    frame = client.explain(new_rows.head(2), baseline=new_rows.iloc[5].to_dict())
    assert frame.index.names == ["row", "output"] and len(frame) == 2
    assert frame.attrs["method"] == "linear_exact" and frame.attrs["scale"] == "log-odds"
    base = next(iter(frame.attrs["base_values"].values()))
    values = np.asarray(frame.attrs["values"])[:, 0]
    np.testing.assert_allclose(frame.sum(axis=1).to_numpy() + base, values, rtol=0, atol=1e-12)


def test_model_health_ready_metrics(client, models):
    path = models["logistic"][0]
    assert client.model()["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "<html" in client.model_card_html()
    assert client.health() == {"status": "ok"}
    assert client.ready()["status"] == "ready"
    assert "lemma_rows_predicted_total" in client.metrics()


def test_polars_frames_are_accepted(client, new_rows):
    polars = pytest.importorskip("polars")
    result = client.predict(polars.from_pandas(new_rows.head(3)))
    assert result["prediction"].tolist() == client.predict(new_rows.head(3))["prediction"].tolist()
