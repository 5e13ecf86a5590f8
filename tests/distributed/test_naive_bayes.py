"""GaussianNB on a Dask cluster: the in-memory class moments, priors and predictions."""

from __future__ import annotations

import numpy as np
import pytest

from lemma.exceptions import DataValidationError
from lemma.models.naive_bayes import GaussianNB
from tests.distributed.helpers import dask_array


def test_gaussian_nb_matches_in_memory(client, rng):
    X = rng.normal(size=(900, 4)) + 1e4  # large means: the moments combine without cancellation
    y = rng.choice(["a", "b", "c"], size=900)
    X[y == "b"] += 0.5
    w = rng.uniform(0.0, 2.0, size=900)
    memory = GaussianNB().fit(X, y, sample_weight=w)
    distributed = GaussianNB().fit(dask_array(X, 8), dask_array(y, 8),
                                   sample_weight=dask_array(w, 8))  # fmt: skip
    assert distributed.classes_.tolist() == memory.classes_.tolist()
    for name in ("theta_", "var_", "class_count_", "class_prior_", "epsilon_"):
        np.testing.assert_allclose(getattr(distributed, name), getattr(memory, name), rtol=1e-10,
                                   err_msg=name)  # fmt: skip
    proba = distributed.predict_proba(dask_array(X, 8)).compute()
    np.testing.assert_allclose(proba, memory.predict_proba(X), rtol=1e-8, atol=1e-12)
    assert distributed.predict(dask_array(X, 8)).compute().tolist() == memory.predict(X).tolist()


def test_gaussian_nb_constant_feature_is_a_lemma_error(client):
    X = np.column_stack([np.ones(20), np.arange(20.0)])
    y = np.repeat([0, 1], 10)
    with pytest.raises(DataValidationError, match="zero variance"):
        GaussianNB(var_smoothing=0.0).fit(dask_array(X, 3), dask_array(y, 3))
