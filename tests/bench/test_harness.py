"""The benchmark machinery on a tiny case (not a speed test): every field is filled,
the two sides are scored on the same data, and the tables render."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression as SkLinearRegression

from bench.data import GENERATORS
from bench.harness import ROW_FIELDS, Case, misses, render_markdown, render_text, run_case
from lemma.models.linear import LinearRegression


@pytest.fixture(scope="module")
def row() -> dict:
    case = Case("LinearRegression", "linear", 200, 3, "regression",
                LinearRegression, SkLinearRegression)  # fmt: skip
    return run_case(case, repeats=2)


def test_row_has_every_field_and_positive_ratios(row):
    assert set(row) == set(ROW_FIELDS)
    assert row["repeats"] == 2
    for side in ("lemma", "sklearn"):
        assert len(row["times"][side]["fit"]) == 2
        assert len(row["times"][side]["predict"]) == 2
        assert row["first_call"][side] is not None  # no class was warmed up before
        assert row[f"peak_mb_{side}"] > 0
    assert row["fit_ratio"] > 0
    assert row["predict_ratio"] > 0
    assert row["memory_ratio"] > 0
    json.dumps(row)  # the raw record is JSON-serialisable


def test_metrics_agree_with_scikit_learn(row):
    assert row["metric"] == "r2"
    assert 0.5 < row["metric_sklearn"] <= 1.0
    assert row["metric_lemma"] == pytest.approx(row["metric_sklearn"], abs=1e-8)
    assert abs(row["metric_diff"]) <= 1e-8


def test_tables_render(row):
    markdown = render_markdown([row, row]).splitlines()
    assert len(markdown) == 4
    assert markdown[0].startswith("| estimator | n | d | fit lemma |")
    assert all(line.startswith("| ") and line.endswith(" |") for line in markdown)
    assert len({line.count(" | ") for line in markdown}) == 1  # same number of cells
    assert "| LinearRegression | 200 | 3 |" in markdown[2]
    text = render_text([row]).splitlines()
    assert len(text) == 3
    assert text[2].startswith("LinearRegression")


def test_warmed_classes_are_not_warmed_again():
    case = Case("LinearRegression", "linear", 100, 2, "regression",
                LinearRegression, SkLinearRegression)  # fmt: skip
    warmed = {LinearRegression, SkLinearRegression}
    result = run_case(case, repeats=1, warmed=warmed)
    assert result["first_call"] == {"lemma": None, "sklearn": None}


def test_misses_name_each_target_missed():
    row = {
        "fit_ratio": 1.5,
        "memory_ratio": 1.3,
        "metric_diff": 2e-3,
        "targets": {"fit_ratio": 1.0, "memory_ratio": 1.1, "metric_tolerance": 1e-4},
    }
    found = misses(row)
    assert len(found) == 3
    assert "fit time 1.50×" in found[1]
    row.update(fit_ratio=0.9, memory_ratio=1.05, metric_diff=5e-5)
    assert misses(row) == []


@pytest.mark.parametrize("task", sorted(GENERATORS))
def test_data_is_deterministic_and_split_80_20(task, seed):
    first = GENERATORS[task](50, 4, seed)
    second = GENERATORS[task](50, 4, seed)
    assert first.X_train.shape == (40, 4)
    assert first.X_test.shape == (10, 4)
    assert first.X_train.dtype == np.float64
    np.testing.assert_array_equal(first.X_train, second.X_train)
    np.testing.assert_array_equal(first.y_test, second.y_test)


def test_timed_repeats_alternate_which_side_fits_first():
    """ABBA order: the first fit of a pair can pay for the other side's freed memory."""
    order: list[str] = []

    def recording(side, base):
        class Recorded(base):
            def fit(self, X, y, **kwargs):
                order.append(side)
                return super().fit(X, y, **kwargs)

        return Recorded

    case = Case("LinearRegression", "linear", 100, 2, "regression",
                recording("lemma", LinearRegression),
                recording("sklearn", SkLinearRegression))  # fmt: skip
    run_case(case, repeats=4, warmed=set())
    timed = order[2:10]  # after the two warm-up fits; the peak-memory fits follow
    assert timed == ["lemma", "sklearn", "sklearn", "lemma"] * 2
