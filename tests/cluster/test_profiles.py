"""cluster_profiles: means, modes and standardised differences, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataValidationError
from lemma.models.cluster import cluster_profiles


@pytest.fixture
def frame(rng):
    n = 300
    labels = rng.integers(0, 3, n)
    data = pd.DataFrame({
        "age": rng.normal(40, 10, n) + 15 * (labels == 2),
        "smoker": rng.random(n) < 0.3,
        "city": np.where(labels == 1, "Paris", rng.choice(["Lyon", "Nice", "Paris"], n)),
    })  # fmt: skip
    data.loc[::17, "age"] = np.nan
    return data, labels


def test_table_means_and_modes(frame):
    data, labels = frame
    profiles = cluster_profiles(data, labels)
    grouped = data.groupby(labels)
    np.testing.assert_allclose(profiles.table.loc[[0, 1, 2], "age"], grouped["age"].mean())
    np.testing.assert_allclose(profiles.table.loc[[0, 1, 2], "smoker"],
                               grouped["smoker"].mean())  # fmt: skip
    assert profiles.table.loc[1, "city"] == "Paris"
    assert profiles.table.loc["all", "size"] == 300
    assert profiles.table["share"].iloc[:3].sum() == pytest.approx(1.0)
    assert profiles.table.loc["all", "age"] == pytest.approx(data["age"].mean())


def test_differences_are_standardised(frame):
    data, labels = frame
    profiles = cluster_profiles(data, labels)
    age = data["age"]
    expected = (age[labels == 2].mean() - age.mean()) / age.std(ddof=0)
    assert profiles.differences.loc[2, "age"] == pytest.approx(expected)
    paris = (data["city"] == "Paris").astype(float)
    expected = (paris[labels == 1].mean() - paris.mean()) / np.sqrt(
        paris.mean() * (1 - paris.mean())
    )
    assert profiles.differences.loc[1, "city"] == pytest.approx(expected)
    assert "higher age" in profiles.descriptions[2]
    assert "mostly city = 'Paris'" in profiles.descriptions[1]


def test_array_input_and_noise_label():
    X = np.array([[0.0, 1.0], [0.1, 1.0], [5.0, 1.0], [9.0, 1.0]])
    profiles = cluster_profiles(X, [0, 0, -1, 1])
    assert list(profiles.table.columns) == ["size", "share", "x0", "x1"]
    assert profiles.table.loc[-1, "size"] == 1
    assert profiles.differences["x1"].abs().max() == 0.0  # a constant column differs nowhere
    assert profiles.descriptions[-1] == "cluster -1: 1 row (25%); close to the overall profile"
    assert profiles.descriptions[1].endswith("higher x0 (+1.5 sd)")


def test_labels_must_match_rows():
    with pytest.raises(DataValidationError, match="one cluster per row"):
        cluster_profiles(pd.DataFrame({"a": [1, 2, 3]}), [0, 1])
