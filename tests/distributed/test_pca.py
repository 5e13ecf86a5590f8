"""PCA on a Dask cluster: the in-memory components, variances and scores to 1e-8."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.exceptions import DataValidationError
from lemma.models.decomposition import PCA
from tests.distributed.helpers import dask_array, dask_frame


def _correlated(rng, n=600, d=6):
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 3.0


@pytest.mark.parametrize(
    "params",
    [
        {"svd_solver": "full"},
        {"n_components": 3, "whiten": True},
        {"n_components": 0.9, "svd_solver": "full"},
        {"n_components": 2, "svd_solver": "randomized", "random_state": 0},
    ],
)
def test_pca_matches_in_memory(client, rng, params):
    X = _correlated(rng)
    memory = PCA(**params).fit(X)
    distributed = PCA(**params).fit(dask_array(X, 7))
    assert distributed.n_components_ == memory.n_components_
    for name in ("components_", "explained_variance_", "explained_variance_ratio_",
                 "singular_values_", "mean_"):  # fmt: skip
        np.testing.assert_allclose(getattr(distributed, name), getattr(memory, name),
                                   rtol=1e-8, atol=1e-12, err_msg=name)  # fmt: skip
    np.testing.assert_allclose(distributed.noise_variance_, memory.noise_variance_, rtol=1e-8)
    scores = distributed.transform(dask_array(X, 7))
    np.testing.assert_allclose(scores.compute(), memory.transform(X), rtol=1e-7, atol=1e-9)


def test_pca_wide_data_and_dataframe_names(client, rng):
    frame = pd.DataFrame(_correlated(rng, n=8, d=6), columns=list("abcdef"))
    memory = PCA().fit(frame)
    distributed = PCA().fit(dask_frame(frame, 3))
    assert distributed.n_components_ == memory.n_components_ == 6
    np.testing.assert_allclose(distributed.singular_values_, memory.singular_values_, rtol=1e-8,
                               atol=1e-12)  # fmt: skip
    out = distributed.transform(dask_frame(frame, 3)).compute()
    assert list(out.columns) == [f"pca{j}" for j in range(6)]


def test_pca_refuses_one_row(client):
    with pytest.raises(DataValidationError, match="minimum of 2"):
        PCA().fit(dask_array(np.ones((1, 3)), 1))
