"""Row filters: exact rows removed on constructed data, identity at predict time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataTypeError, ParameterError
from lemma.prep import DropDuplicates, OutlierRemover


# ----------------------------------------------------------------------------- duplicates
def test_drop_duplicates_removes_exact_rows_and_keeps_all_at_transform():
    X = pd.DataFrame(
        {"a": [1.0, 1.0, 2.0, np.nan, np.nan, 1.0], "b": ["x", "x", "y", "z", "z", "w"]},
        index=[10, 11, 12, 13, 14, 15],
    )
    w = np.arange(6.0)
    dd = DropDuplicates()
    X_kept, y_kept, w_kept = dd.fit_resample(X, None, w)
    assert dd.removed_rows_.tolist() == [1, 4]  # NaN matches NaN
    assert dd.n_removed_ == 2 and dd.summary_["by_reason"] == {"duplicate row": 2}
    assert list(X_kept.index) == [10, 12, 13, 15] and y_kept is None
    np.testing.assert_array_equal(w_kept, [0.0, 2.0, 3.0, 5.0])
    pd.testing.assert_frame_equal(X_kept, X.drop_duplicates())
    assert dd.transform(X) is X


@pytest.mark.parametrize("keep", ["first", "last", False])
def test_drop_duplicates_agrees_with_pandas(rng, keep):
    X = rng.integers(0, 3, size=(60, 2)).astype(float)
    dd = DropDuplicates(keep=keep).fit(X)
    expected = np.flatnonzero(pd.DataFrame(X).duplicated(keep=keep).to_numpy())
    np.testing.assert_array_equal(dd.removed_rows_, expected)
    assert dd.transform(X).shape == X.shape


def test_drop_duplicates_with_target_keeps_conflicting_labels():
    X = np.array([[1.0], [1.0], [1.0], [2.0]])
    y = np.array([0, 1, 0, 1])
    dd = DropDuplicates().fit(X, y)
    assert dd.removed_rows_.tolist() == [2]
    assert dd.summary_["by_reason"] == {"duplicate row and target": 1}
    assert DropDuplicates().fit(X).removed_rows_.tolist() == [1, 2]


def test_drop_duplicates_subset_by_name_and_position():
    X = pd.DataFrame({"id": [1, 2, 3], "city": ["a", "a", "b"]})
    assert DropDuplicates(subset=["city"]).fit(X).removed_rows_.tolist() == [1]
    assert DropDuplicates(subset=[1]).fit(X.to_numpy()).removed_rows_.tolist() == [1]
    with pytest.raises(ParameterError, match="Column 'town' is not in X"):
        DropDuplicates(subset=["town"]).fit(X)


# ----------------------------------------------------------------------------- outliers
def _with_outliers(rng):
    X = rng.normal(size=(200, 3))
    X[[5, 50], 0] = [12.0, -15.0]
    X[[50, 120], 2] = [40.0, 20.0]
    X[7, 1] = np.nan
    return X


@pytest.mark.parametrize("method", ["iqr", "zscore", "robust_z"])
def test_outlier_remover_removes_constructed_outliers(rng, method):
    X = _with_outliers(rng)
    y = np.arange(200)
    threshold = {"iqr": 3.0, "zscore": 4.0, "robust_z": 5.0}[method]
    remover = OutlierRemover(method, threshold=threshold)
    X_kept, y_kept, _ = remover.fit_resample(X, y)
    assert remover.removed_rows_.tolist() == [5, 50, 120]
    assert remover.summary_["by_column"] == {0: 2, 1: 0, 2: 2}
    assert X_kept.shape == (197, 3) and 7 in y_kept  # NaN is never an outlier
    np.testing.assert_array_equal(remover.transform(X), X)


def test_outlier_bounds_follow_their_formulas(rng):
    x = rng.normal(size=300)
    q1, q3 = np.percentile(x, [25, 75])
    iqr = OutlierRemover("iqr").fit(x[:, None])
    np.testing.assert_allclose(iqr.lower_bounds_, [q1 - 1.5 * (q3 - q1)], rtol=1e-12)
    z = OutlierRemover("zscore").fit(x[:, None])
    np.testing.assert_allclose(z.upper_bounds_, [x.mean() + 3 * x.std()], rtol=1e-12)
    robust = OutlierRemover("robust_z").fit(x[:, None])
    mad = np.median(np.abs(x - np.median(x)))
    np.testing.assert_allclose(robust.upper_bounds_, [np.median(x) + 3.5 * mad / 0.6745])


def test_robust_z_falls_back_to_mean_absolute_deviation():
    x = np.array([5.0] * 8 + [6.0, 50.0])  # MAD = 0
    remover = OutlierRemover("robust_z").fit(x[:, None])
    assert remover.removed_rows_.tolist() == [9]
    assert OutlierRemover("robust_z").fit(np.full((5, 1), 2.0)).n_removed_ == 0


def test_outlier_remover_skips_text_columns_and_refuses_them_when_named():
    X = pd.DataFrame({"city": ["a"] * 9 + ["b"], "income": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 90]})
    remover = OutlierRemover().fit(X)
    assert remover.columns_ == ["income"] and remover.removed_rows_.tolist() == [9]
    with pytest.raises(DataTypeError, match=r"columns \['city'\] hold text"):
        OutlierRemover(columns=["city"]).fit(X)
    assert remover.transform(X) is X
