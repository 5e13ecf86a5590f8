"""The command line on Dask: ``--engine dask`` (collections read partition by partition)
and ``--cluster ADDRESS`` (the work submitted to a running scheduler)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.cli import main

distributed = pytest.importorskip("distributed")

N_PARTS = 4


@pytest.fixture
def training(rng):
    n = 240
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(0, 10, size=n)})
    frame["colour"] = rng.choice(["red", "green"], size=n)
    logit = frame["x1"] - 0.3 * frame["x2"] + 1.5 + np.where(frame["colour"] == "red", 1, -1)
    frame["y"] = np.where(logit + rng.logistic(size=n) > 0, "yes", "no")
    return frame


@pytest.fixture
def model_path(training, tmp_path):
    X = training[["x1", "x2"]]
    model = lemma.LogisticRegression().fit(X, training["y"])
    path = tmp_path / "model.lemma"
    lemma.save(model, path, schema=X)
    return path


def _parts(frame: pd.DataFrame, folder: Path, suffix: str) -> Path:
    """``frame`` as N_PARTS files in ``folder`` (CSV or Parquet), in row order."""
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(frame)), N_PARTS)):
        rows = frame.iloc[part]
        path = folder / f"part-{i}{suffix}"
        rows.to_parquet(path) if suffix == ".parquet" else rows.to_csv(path, index=False)
    return folder


def _new_data(rng, n=200):
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(0, 10, size=n)})
    frame.loc[[3, 190], "x2"] = 50.0  # outside the training range, in two partitions
    return frame


def test_predict_with_the_dask_engine_writes_what_the_pandas_engine_writes(
    model_path, rng, tmp_path, capsys
):
    new = _new_data(rng)
    whole = tmp_path / "new.csv"
    new.to_csv(whole, index=False)
    folder = _parts(new, tmp_path / "parts", ".csv")
    assert main(["predict", str(model_path), str(whole), "--out", str(tmp_path / "a.csv")]) == 0
    expected_err = capsys.readouterr().err
    code = main(["predict", str(model_path), str(folder / "part-*.csv"), "--engine", "dask",
                 "--out", str(tmp_path / "b.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0
    expected, got = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert list(got.columns) == list(expected.columns) and len(got) == len(new)
    np.testing.assert_array_equal(got["prediction"], expected["prediction"])
    np.testing.assert_allclose(got.iloc[:, 1:], expected.iloc[:, 1:], rtol=1e-12)  # BLAS blocks
    assert "values outside the training range" in expected_err
    assert "outside the training range" in err and "(in 2 partitions)" in err


def test_predict_on_the_cluster_reads_and_predicts_on_the_workers(
    client, model_path, rng, tmp_path, capsys
):
    new = _new_data(rng)
    folder = _parts(new, tmp_path / "parts", ".parquet")
    with distributed.get_task_stream(client) as stream:
        code = main(["predict", str(model_path), str(folder), "--cluster",
                     client.scheduler.address])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    predicted = pd.read_csv(io.StringIO(out))
    model = lemma.load(model_path)
    np.testing.assert_array_equal(predicted["prediction"], model.predict(new))
    np.testing.assert_allclose(predicted[["proba_no", "proba_yes"]], model.predict_proba(new))
    ran = [task["key"] for task in stream.data]
    assert sum("_predict_partition" in str(key) for key in ran) == N_PARTS


def test_a_study_on_the_cluster_samples_the_collection_and_tunes_there(
    client, training, tmp_path, capsys
):
    folder = _parts(training, tmp_path / "parts", ".csv")
    out = tmp_path / "study"
    with distributed.get_task_stream(client) as stream:
        code = main(["study", str(folder), "--target", "y", "--engine", "dask", "--max-rows",
                     "200", "--cluster", client.scheduler.address, "--time-budget", "4",
                     "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "has 240 rows; the study uses a uniform sample of" in err
    assert (out / "report.html").exists() and (out / "model.lemma").exists()
    fits = [task for task in stream.data if str(task["key"]).startswith("_run-")]
    assert len(fits) >= 5  # at least one configuration's cross-validation, fold by fold
    assert {task["worker"] for task in fits} <= set(client.scheduler_info()["workers"])


def _only_first_candidate(monkeypatch, keep: str | None = None):
    """The advisor shortlists one family: its first (the linear baseline), or ``keep``."""
    from lemma.study import advisor

    def advise(facts):
        advice = advisor.advise(facts)
        chosen = [c for c in advice.candidates if keep is None or c.name == keep]
        advice.candidates[:] = chosen[:1]
        return advice

    monkeypatch.setattr("lemma.study.stages_model.advise", advise)


def test_refit_collection_fits_the_chosen_linear_model_on_every_row(
    client, training, tmp_path, capsys, monkeypatch
):
    from lemma.base import clone

    _only_first_candidate(monkeypatch)
    folder = _parts(training, tmp_path / "parts", ".csv")
    out = tmp_path / "study"
    code = main(["study", str(folder), "--target", "y", "--engine", "dask", "--max-rows",
                 "160", "--time-budget", "4", "--refit-collection", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "refitted on" in err and "model-collection.lemma" in err
    sample_model = lemma.load(out / "model.lemma")
    whole_model = lemma.load(out / "model-collection.lemma")
    X, y = training.drop(columns="y"), training["y"]
    expected = clone(sample_model[-1]).fit(sample_model[:-1].transform(X), y)  # all 240 rows
    np.testing.assert_allclose(whole_model[-1].coef_, expected.coef_, rtol=1e-7)
    assert not np.allclose(whole_model[-1].coef_, sample_model[-1].coef_)
    np.testing.assert_allclose(whole_model.predict_proba(X), expected.predict_proba(
        sample_model[:-1].transform(X)), rtol=1e-7)  # fmt: skip


def test_refit_collection_keeps_a_model_without_a_distributed_fit(
    training, tmp_path, capsys, monkeypatch
):
    _only_first_candidate(monkeypatch, keep="gradient_boosting")
    folder = _parts(training, tmp_path / "parts", ".csv")
    out = tmp_path / "study"
    code = main(["study", str(folder), "--target", "y", "--engine", "dask", "--time-budget",
                 "4", "--refit-collection", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "is kept as fitted on the sample" in err and "cannot fit on Dask" in err
    assert (out / "model.lemma").exists() and not (out / "model-collection.lemma").exists()
    code = main(["study", str(folder / "part-0.csv"), "--target", "y", "--refit-collection"])
    assert code == 2 and "add --engine dask" in capsys.readouterr().err


def test_refit_collection_of_a_clustering_study_says_there_is_nothing_to_refit(
    training, tmp_path, capsys
):
    folder = _parts(training[["x1", "x2"]], tmp_path / "parts", ".csv")
    out = tmp_path / "study"
    code = main(["study", str(folder), "--engine", "dask", "--time-budget", "4",
                 "--refit-collection", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "--refit-collection: nothing to refit" in err
    assert (out / "model.lemma").exists() and not (out / "model-collection.lemma").exists()


@pytest.mark.parametrize(
    ("address", "expected"),
    [("tcp://127.0.0.1:9", "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'"),
     ("nonsense://x", "unknown address scheme")],
)  # fmt: skip
def test_an_unreachable_scheduler_is_one_line_with_exit_code_2(
    address, expected, model_path, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("lemma.cli_dask.CONNECT_TIMEOUT", 0.5)
    data = tmp_path / "new.csv"
    data.write_text("x1,x2\n0.1,2\n")
    code = main(["predict", str(model_path), str(data), "--cluster", address])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert expected in err and "start one with 'dask scheduler'" in err


def test_a_collection_that_matches_no_file_is_refused(model_path, tmp_path, capsys):
    code = main(["predict", str(model_path), str(tmp_path / "none-*.csv"), "--engine", "dask"])
    assert code == 2 and "matches no file" in capsys.readouterr().err
