"""Bad inputs to `lemma study` and `lemma profile`: exit code 2 and one line saying what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.cli import main


def _run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.err.strip()


def _csv(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture
def table(rng):
    n = 60
    return pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], size=n),
                         "y": rng.choice(["yes", "no"], size=n)})


def test_missing_file(tmp_path, capsys):
    code, err = _run(["study", str(tmp_path / "nope.csv"), "--target", "y"], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "nope.csv" in err


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, err = _run(["study", str(path), "--target", "y"], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "empty" in err.lower()


def test_no_such_target(tmp_path, table, capsys):
    code, err = _run(["study", _csv(tmp_path, table), "--target", "Y", "--out",
                      str(tmp_path / "o")], capsys)
    assert code == 2 and "No column named 'Y'" in err and "'y'" in err


def test_target_with_one_class(tmp_path, table, capsys):
    table["y"] = "yes"
    code, err = _run(["study", _csv(tmp_path, table), "--target", "y", "--task",
                      "classification", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "single class" in err


def test_all_nan_target(tmp_path, table, capsys):
    table["y"] = np.nan
    code, err = _run(["study", _csv(tmp_path, table), "--target", "y", "--out",
                      str(tmp_path / "o")], capsys)
    assert code == 2 and "empty" in err


def test_unparsable_and_binary_files(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n1,"2\n3,4,5,6\n')
    code, err = _run(["study", str(bad), "--target", "a"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    code, err = _run(["study", str(binary), "--target", "a"], capsys)
    assert code == 2 and len(err.splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path, capsys):
    code = main(["--debug", "study", str(tmp_path / "nope.csv"), "--target", "y"])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" in captured.err


def test_profile_command_bad_file(tmp_path, capsys):
    code, err = _run(["profile", str(tmp_path / "nope.csv")], capsys)
    assert code == 2 and len(err.splitlines()) == 1
