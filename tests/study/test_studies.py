"""Whole studies on the bundled data: they complete, their files agree, their reports read.

German credit (classification with sensitive attributes) and Ames housing (regression)
run on small time budgets; Adult (the default study, target income, sensitive sex and
race) is marked slow. Each report is opened in a headless browser (tests/study/browser.py).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

import lemma
from lemma.cli import main
from tests.study.browser import check_report


def _run(name, tmp_path_factory, **options):
    out = tmp_path_factory.mktemp(name)
    study = lemma.study.study(name, out=str(out), seed=0, **options)
    return study, out


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    return _run("german_credit", tmp_path_factory, time_budget=15)


@pytest.fixture(scope="module")
def ames(tmp_path_factory):
    return _run("ames_housing", tmp_path_factory, time_budget=15)


def _check_files(study, out):
    for name in ("report.html", "study.json", "model.lemma", "model_card.md"):
        assert (out / name).exists(), name
    data = json.loads((out / "study.json").read_text())
    assert data["headline"]["test_score"] == study.headline["test_score"]
    assert data["chosen"] == study.chosen.name
    assert all(s["status"] in ("done", "skipped") for s in data["stages"]), data["stages"]
    # the saved model predicts exactly what the study's model predicts
    loaded = lemma.load(out / "model.lemma")
    rows = study.X_test if study.X_test is not None else study.X_train
    assert (loaded.predict(rows) == study.model.predict(rows)).all()
    return data


def test_german_credit_study(german):
    study, out = german
    data = _check_files(study, out)
    assert study.task == "classification" and data["metric"] == "roc_auc"
    assert 0.65 < study.headline["test_score"] < 0.95
    lo, hi = study.headline["test_ci_low"], study.headline["test_ci_high"]
    assert lo < study.headline["test_score"] < hi
    assert data["fairness"]["verdict"]
    assert "sex" not in study.split["features"]  # sensitive columns stay out of the features
    # the test metrics are the usual ones on the held-out rows (scikit-learn's values)
    y, pos, labels = np.asarray(study.y_test), study.positive_class, study.predictions["label"]
    proba = study.predictions["proba"][:, list(study.model.classes_).index(pos)]
    expected = {
        "roc_auc": skm.roc_auc_score(y == pos, proba),
        "f1": skm.f1_score(y, labels, pos_label=pos),
        "balanced_accuracy": skm.balanced_accuracy_score(y, labels),
        "log_loss": skm.log_loss(y, study.predictions["proba"], labels=study.model.classes_),
    }
    for name, value in expected.items():
        assert study.test_metrics[name]["estimate"] == pytest.approx(value, rel=1e-12), name
    check_report(out / "report.html", out / "study.json", "german_credit")


def test_ames_regression_study(ames):
    study, out = ames
    data = _check_files(study, out)
    assert study.task == "regression" and data["metric"] == "r2"
    assert study.headline["test_score"] > 0.8
    assert "order" not in study.split["features"] and "pid" not in study.split["features"]
    check_report(out / "report.html", out / "study.json", "ames_housing")


def test_clustering_study_recovers_planted_clusters(tmp_path_factory, rng):
    """A table without a target: four well-separated groups with a categorical column."""
    centres = np.array([[0, 0, 0], [5, 5, 0], [0, 6, 4], [6, 0, 5]])
    parts = []
    for k, centre in enumerate(centres):
        X = rng.normal(centre, 1.0, size=(120, 3))
        channel = rng.choice(["retail", "online"] if k % 2 else ["online", "phone"], size=120)
        parts.append(pd.DataFrame({"spend": X[:, 0], "visits": X[:, 1], "tenure": X[:, 2],
                                   "channel": channel, "truth": k}))
    df = pd.concat(parts, ignore_index=True)
    truth = df.pop("truth").to_numpy()
    out = tmp_path_factory.mktemp("clusters")
    study = lemma.study(df, out=str(out), seed=0)
    data = _check_files(study, out)
    assert study.task == "clustering" and data["diagnostics"]["choose_k"]["recommended_k"] == 4
    from lemma.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, study.labels) > 0.9
    check_report(out / "report.html", out / "study.json", "clustering")


def test_clustering_study_from_the_command_line(tmp_path, rng, capsys):
    """A clustering score has no interval: the terminal summary prints it without one
    (it raised a TypeError formatting the missing interval)."""
    frame = pd.DataFrame(rng.normal(size=(150, 2)), columns=["a", "b"])
    frame.loc[:74] += 6.0
    frame.to_csv(tmp_path / "points.csv", index=False)
    code = main(["study", str(tmp_path / "points.csv"), "--time-budget", "4",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "test silhouette" in err and "95% CI" not in err.split("test silhouette")[1][:40]
    assert (tmp_path / "out" / "model.lemma").exists()


@pytest.mark.slow
def test_adult_default_study_from_the_command_line(tmp_path, capsys):
    """`make run` is `lemma study` with no DATA: Adult, target income, sensitive sex and
    race. The same command (a shorter time budget) runs end to end and prints the report."""
    out = tmp_path / "adult"
    code = main(["study", "--time-budget", "30", "--seed", "0", "--out", str(out)])
    stdout = capsys.readouterr().out
    assert code == 0
    assert stdout.rstrip().splitlines()[-1] == f"Report: {out / 'report.html'}"
    data = json.loads((out / "study.json").read_text())
    assert data["config"]["target"] == "income" and data["config"]["sensitive"] == ["sex", "race"]
    assert data["headline"]["test_score"] > 0.85 and data["fairness"]["verdict"]
    rows = lemma.io.datasets.load_adult(split="test").head(500).drop(columns=["income"])
    probabilities = lemma.load(out / "model.lemma").predict_proba(rows)  # loads and predicts
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    check_report(out / "report.html", out / "study.json", "adult")
