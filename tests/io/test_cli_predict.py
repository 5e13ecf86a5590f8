"""``lemma predict``: predictions equal model.predict; every bad input is one line, exit 2."""

from __future__ import annotations

import io
import pickle
import re
import sys

import numpy as np
import pandas as pd
import pytest

import lemma
from lemma.cli import main
from lemma.cli_predict import read_data
from lemma.io.datasets import load_longley
from lemma.io.schema import FeatureSchema

ONE_LINE_ERROR = re.compile(r"lemma: error: [^\n]+ \(run with --debug for the traceback\)\n")


@pytest.fixture
def training(rng) -> pd.DataFrame:
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["size", "age", "rooms"])
    X["rooms"] = rng.integers(1, 6, size=30)
    return X.assign(price=X @ np.array([2.0, -1.0, 0.5]) + rng.normal(scale=0.1, size=30))


@pytest.fixture
def model_path(training, tmp_path):
    X, y = training.drop(columns="price"), training["price"]
    model = lemma.Ridge(alpha=0.3).fit(X, y)
    schema = FeatureSchema.from_frame(training, target="price")
    return lemma.save(model, tmp_path / "ridge.lemma", schema=schema)


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _read_predictions(text_or_path) -> pd.DataFrame:
    # pandas 3 parses floats exactly by default; older pandas needs asking
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(text_or_path, **exact)


# ---------------------------------------------------------------------- predictions
def test_predictions_written_to_a_file_equal_model_predict(model_path, training, tmp_path, capsys):
    data = training.drop(columns="price").sample(frac=1.0, axis=1, random_state=0)  # reordered
    data.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "predictions.csv"
    code, stdout, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv", "--out", out)
    assert code == 0, stderr
    assert stdout == "" and f"wrote 30 predictions to {out}" in stderr
    expected = lemma.load(model_path).predict(training.drop(columns="price"))
    written = _read_predictions(out)
    assert list(written.columns) == ["prediction"]
    np.testing.assert_array_equal(written["prediction"].to_numpy(), expected)


def test_semicolon_csv_with_the_target_column_goes_to_stdout(
    model_path, training, tmp_path, capsys
):
    training.to_csv(tmp_path / "new.csv", index=False, sep=";")
    code, stdout, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv")
    assert code == 0, stderr
    expected = lemma.load(model_path).predict(training.drop(columns="price"))
    np.testing.assert_array_equal(_read_predictions(io.StringIO(stdout)).iloc[:, 0], expected)


def test_a_bundled_dataset_name_is_accepted_as_data(tmp_path, capsys):
    data = load_longley()
    X = data.drop(columns="employed")
    model = lemma.LinearRegression().fit(X, data["employed"])
    path = lemma.save(
        model, tmp_path / "ols.lemma", schema=FeatureSchema.from_frame(data, target="employed")
    )
    code, stdout, stderr = _run(capsys, "predict", path, "longley")
    assert code == 0, stderr
    predicted = _read_predictions(io.StringIO(stdout))["prediction"].to_numpy()
    np.testing.assert_array_equal(predicted, model.predict(X))


def test_classifiers_add_one_probability_column_per_class(tmp_path, rng, capsys):
    cls = lemma.LogisticRegression
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["u", "v"])
    y = np.where(X["u"] + rng.normal(scale=0.5, size=40) > 0, "yes", "no")
    model = cls().fit(X, y)
    path = lemma.save(model, tmp_path / "clf.lemma", schema=X)
    X.to_csv(tmp_path / "new.csv", index=False)
    code, stdout, stderr = _run(capsys, "predict", path, tmp_path / "new.csv")
    assert code == 0, stderr
    written = _read_predictions(io.StringIO(stdout))
    np.testing.assert_array_equal(written["prediction"].to_numpy(), model.predict(X))
    if hasattr(model, "predict_proba"):
        assert list(written.columns) == ["prediction", "proba_no", "proba_yes"]
        np.testing.assert_array_equal(written[["proba_no", "proba_yes"]], model.predict_proba(X))
    code, stdout, _ = _run(capsys, "predict", path, tmp_path / "new.csv", "--no-proba")
    assert list(_read_predictions(io.StringIO(stdout)).columns) == ["prediction"]


def test_without_a_schema_the_fitted_column_names_select_the_data(training, tmp_path, capsys):
    X = training.drop(columns="price")
    model = lemma.Ridge().fit(X, training["price"])
    path = lemma.save(model, tmp_path / "plain.lemma")
    training.to_csv(tmp_path / "new.csv", index=False)
    code, stdout, stderr = _run(capsys, "predict", path, tmp_path / "new.csv")
    assert code == 0
    assert "lemma: warning: ignoring columns ['price'] (not used by the model)" in stderr
    np.testing.assert_array_equal(
        _read_predictions(io.StringIO(stdout))["prediction"].to_numpy(), model.predict(X)
    )
    X.drop(columns="age").to_csv(tmp_path / "less.csv", index=False)
    code, _, stderr = _run(capsys, "predict", path, tmp_path / "less.csv")
    assert code == 2 and "DATA lacks columns the model was fitted on: ['age']" in stderr


def test_missing_markers_are_missing_values(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,c\n1,?,x\nNA,2,\n")
    frame = read_data(str(tmp_path / "d.csv"))
    assert frame.isna().to_numpy().tolist() == [[False, True, False], [True, False, True]]
    assert frame["b"].dtype == np.float64


def test_schema_warnings_are_printed_but_predictions_are_made(
    model_path, training, tmp_path, capsys
):
    data = training.drop(columns="price").copy()
    data.loc[0, "size"] = 1e6
    data.to_csv(tmp_path / "new.csv", index=False)
    code, stdout, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv")
    assert code == 0
    assert "lemma: warning: column 'size' has 1 value outside the training range" in stderr
    assert len(_read_predictions(io.StringIO(stdout))) == 30


# ---------------------------------------------------------------------- bad inputs
def test_a_schema_mismatch_lists_every_problem_on_one_line(model_path, training, tmp_path, capsys):
    data = training.drop(columns=["price", "age"]).astype({"rooms": object})
    data.loc[[2, 5], "rooms"] = "many"
    data["colour"] = "red"
    data.to_csv(tmp_path / "new.csv", index=False)
    code, stdout, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv")
    assert code == 2 and stdout == ""
    assert ONE_LINE_ERROR.fullmatch(stderr), stderr
    assert "(3 problems)" in stderr
    assert "missing columns ['age']" in stderr and "extra columns ['colour']" in stderr
    assert "column 'rooms' expects whole numbers but holds other values in 2 rows" in stderr
    assert "or pass --allow-extra to ignore the extra columns" in stderr
    code, _, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv", "--allow-extra")
    assert code == 2 and "extra columns" not in stderr


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


BAD_DATA = {
    "missing": (None, "does not exist and is not a bundled dataset"),
    "empty": (b"", r"is empty \(0 bytes\)"),
    "blank": ("\n\n", "holds no columns"),
    "header only": ("size,age,rooms\n", "has a header but no rows"),
    "unparsable": ("size,age\n1,2\n3,4,5,6\n", r"not a readable CSV file \(.*Expected 2 fields"),
    "binary": (bytes(range(256)) * 4, "is a binary file, not CSV text"),
    "latin-1": ("size,age,rooms\n1,2,caf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
    "a model": ("model", r"is a zip archive \(a lemma model\?\)"),
    "parquet": (b"PAR1" + b"\x00" * 20, "Parquet"),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_is_one_line_with_exit_code_2(case, model_path, tmp_path, capsys):
    content, match = BAD_DATA[case]
    path = tmp_path / "data.csv"
    if content == "model":
        path = model_path
    elif content is not None:
        _write(path, content)
    code, stdout, stderr = _run(capsys, "predict", model_path, path)
    assert code == 2 and stdout == ""
    assert ONE_LINE_ERROR.fullmatch(stderr), stderr
    assert re.search(match, stderr), stderr
    assert "Traceback" not in stderr


def test_parquet_without_pyarrow_says_how_to_fix_it(model_path, tmp_path, capsys, monkeypatch):
    for engine in ("pyarrow", "fastparquet"):  # as if neither were installed
        monkeypatch.setitem(sys.modules, engine, None)
    path = _write(tmp_path / "data.parquet", b"PAR1" + b"\x00" * 20)
    code, _, stderr = _run(capsys, "predict", model_path, path)
    assert code == 2 and "pip install pyarrow, or convert the file to CSV" in stderr


BAD_MODELS = {
    "missing": (None, "the file does not exist; check the path"),
    "empty": (b"", r"the file is empty \(0 bytes\)"),
    "csv": ("a,b\n1,2\n", r"not a lemma model file \(not a zip archive\)"),
    "pickle": (pickle.dumps({"coef": [1.0]}), "looks like a Python pickle"),
    "truncated": ("truncate", "truncated or damaged"),
}


@pytest.mark.parametrize("case", list(BAD_MODELS))
def test_bad_models_are_one_line_with_exit_code_2(case, model_path, training, tmp_path, capsys):
    content, match = BAD_MODELS[case]
    training.to_csv(tmp_path / "new.csv", index=False)
    path = tmp_path / "bad.lemma"
    if content == "truncate":
        _write(path, model_path.read_bytes()[:200])
    elif content is not None:
        _write(path, content)
    code, stdout, stderr = _run(capsys, "predict", path, tmp_path / "new.csv")
    assert code == 2 and stdout == ""
    assert ONE_LINE_ERROR.fullmatch(stderr), stderr
    assert re.search(match, stderr), stderr


def test_a_transformer_is_not_a_model_to_predict_with(training, tmp_path, capsys):
    transformers = lemma.all_estimators("transformer")
    X = training.drop(columns="price")
    path = lemma.save(transformers[0][1]().fit(X), tmp_path / "t.lemma")
    X.to_csv(tmp_path / "new.csv", index=False)
    code, _, stderr = _run(capsys, "predict", path, tmp_path / "new.csv")
    assert code == 2 and "which has no predict method" in stderr


def test_an_unwritable_output_is_one_line(model_path, training, tmp_path, capsys):
    training.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "no" / "such" / "folder.csv"
    code, _, stderr = _run(capsys, "predict", model_path, tmp_path / "new.csv", "-o", out)
    assert code == 2 and ONE_LINE_ERROR.fullmatch(stderr)
    assert "check that its folder exists" in stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(where, model_path, tmp_path, capsys):
    args = ["predict", model_path, tmp_path / "absent.csv"]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    code, _, stderr = _run(capsys, *args)
    assert code == 2
    assert stderr.startswith("Traceback (most recent call last)")
    assert "DataValidationError: DATA" in stderr
