"""LogisticRegression and PoissonRegressor on a Dask cluster equal the in-memory fits: same
solver path (iterations, history), same coefficients and summary(); the separation check
runs over the partitions and reaches the in-memory verdict."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lemma.distributed.glm import PartitionedObjective
from lemma.exceptions import DataValidationError, SeparationWarning
from lemma.losses import LogisticLoss
from lemma.models.linear import LogisticRegression, PoissonRegressor
from lemma.models.linear._glm import GLMObjective
from tests.distributed.helpers import dask_array, dask_frame

RTOL = 1e-8


def _data(rng, n=600, p=4):
    X = rng.normal(size=(n, p)) * np.array([1.0, 2.0, 0.5, 1.0])[:p]
    eta = X @ np.linspace(0.8, -0.6, p) + 0.3
    return X, eta


def _binary(rng, n=600):
    X, eta = _data(rng, n)
    return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)


def _assert_same_summary(distributed, memory, rtol=RTOL):
    ours, reference = distributed.summary().to_frame(), memory.summary().to_frame()
    assert list(ours.columns) == list(reference.columns)
    np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=rtol)
    for name in ("llf", "llnull", "aic", "bic", "pseudo_rsquared", "nobs"):
        np.testing.assert_allclose(
            getattr(distributed.result_, name), getattr(memory.result_, name), rtol=rtol
        )


@pytest.mark.parametrize(
    "params",
    [
        {"penalty": None, "tol": 1e-10},
        {"C": 0.3},
        {"penalty": "l1", "C": 0.05, "solver": "newton"},
        {"penalty": "elasticnet", "l1_ratio": 0.5, "solver": "fista", "tol": 1e-3},
        {"class_weight": "balanced", "solver": "lbfgs"},
    ],
)
def test_binary_logistic_matches_in_memory(client, rng, params):
    X, y = _binary(rng)
    w = rng.uniform(0.5, 2.0, size=y.size)
    memory = LogisticRegression(**params).fit(X, y, sample_weight=w)
    distributed = LogisticRegression(**params).fit(
        dask_array(X, 4), dask_array(y, 4), sample_weight=dask_array(w, 4)
    )
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=1e-7, atol=1e-12)
    assert distributed.solver_ == memory.solver_
    if params.get("tol", 1e-4) >= 1e-4:  # near a tolerance of 1e-10 rounding may add a step
        assert distributed.n_iter_ == memory.n_iter_
        np.testing.assert_allclose(distributed.history_, memory.history_, rtol=1e-10)
    if params.get("penalty", "l2") is None:
        _assert_same_summary(distributed, memory)


def test_multinomial_with_string_labels_on_a_dataframe(client, rng):
    X, eta = _data(rng)
    labels = np.array(["low", "mid", "high"])[np.digitize(eta + rng.logistic(size=eta.size),
                                                          [-0.5, 1.0])]  # fmt: skip
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=labels)
    memory = LogisticRegression(penalty=None, tol=1e-10).fit(frame[["a", "b", "c", "d"]],
                                                           frame["label"])  # fmt: skip
    data = dask_frame(frame, 3)
    distributed = LogisticRegression(penalty=None, tol=1e-10).fit(
        data[["a", "b", "c", "d"]], data["label"]
    )
    assert distributed.classes_.tolist() == memory.classes_.tolist() == ["high", "low", "mid"]
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
    _assert_same_summary(distributed, memory, rtol=1e-7)
    proba = distributed.predict_proba(data[["a", "b", "c", "d"]])
    assert list(proba.columns) == ["high", "low", "mid"]
    np.testing.assert_allclose(
        proba.compute().to_numpy(), memory.predict_proba(frame[["a", "b", "c", "d"]]), rtol=1e-7
    )
    assert distributed.predict(data[["a", "b", "c", "d"]]).compute().tolist() == (
        memory.predict(frame[["a", "b", "c", "d"]]).tolist()
    )


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_poisson_matches_in_memory(client, rng, alpha):
    X, eta = _data(rng)
    y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    w = rng.uniform(0.5, 2.0, size=y.size)
    memory = PoissonRegressor(alpha=alpha, tol=1e-10).fit(X, y, sample_weight=w)
    distributed = PoissonRegressor(alpha=alpha, tol=1e-10).fit(
        dask_array(X, 3), dask_array(y, 3), sample_weight=dask_array(w, 3)
    )
    np.testing.assert_allclose(distributed.coef_, memory.coef_, rtol=RTOL)
    np.testing.assert_allclose(distributed.intercept_, memory.intercept_, rtol=RTOL)
    if alpha == 0:
        _assert_same_summary(distributed, memory)
        np.testing.assert_allclose(distributed.result_.deviance, memory.result_.deviance, rtol=RTOL)
    lazy = distributed.predict(dask_array(X, 6))
    np.testing.assert_allclose(lazy.compute(), memory.predict(X), rtol=1e-7)


def test_complete_separation_found_over_partitions(client, rng):
    X = np.column_stack([np.r_[rng.normal(size=60) - 4, rng.normal(size=60) + 4],
                         rng.normal(size=120)])  # fmt: skip
    y = np.r_[np.zeros(60), np.ones(60)]
    with pytest.warns(SeparationWarning) as memory_warnings:
        memory = LogisticRegression(penalty=None).fit(X, y)
    with pytest.warns(SeparationWarning) as ours:
        distributed = LogisticRegression(penalty=None).fit(dask_array(X, 7), dask_array(y, 7))
    assert str(ours[0].message) == str(memory_warnings[0].message)
    assert distributed.result_.separation == memory.result_.separation
    assert "std_err" not in distributed.summary().to_frame().columns


def test_quasi_separation_found_over_partitions(client, rng):
    x = np.r_[rng.uniform(-3, 0, 80), rng.uniform(0, 3, 80)]
    y = (x > 0).astype(float)
    X = np.column_stack([x, rng.normal(size=160)])
    X[[10, 100]] = 0.0  # the same row in both classes: quasi-complete, not complete
    y[[10, 100]] = [0.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = LogisticRegression(penalty=None).fit(X, y)
        distributed = LogisticRegression(penalty=None).fit(dask_array(X, 9), dask_array(y, 9))
    assert memory.result_.separation.separated and not memory.result_.separation.complete
    assert distributed.result_.separation.separated
    assert not distributed.result_.separation.complete


def test_large_coefficients_without_separation_keep_inference(client, rng):
    """Signs of separation (|η| > 20) trigger the check, which clears the fit."""
    n = 400
    x = rng.normal(size=n) * 8
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-3 * x))).astype(int)
    X = np.column_stack([x, rng.normal(size=n)])
    memory = LogisticRegression(penalty=None).fit(X, y)
    distributed = LogisticRegression(penalty=None).fit(dask_array(X, 5), dask_array(y, 5))
    assert memory.result_.separation is not None and not memory.result_.separation.separated
    assert distributed.result_.separation == memory.result_.separation
    assert "std_err" in distributed.summary().to_frame().columns


def test_partitioned_objective_sums_to_the_in_memory_objective(rng):
    """Property: Σ_b (W_b/W) f_b equals f, with gradient and Hessian (any partitioning)."""
    import dask

    from lemma.distributed._collections import row_blocks
    from lemma.distributed.glm import ClassRows

    X, y = _binary(rng, n=97)
    w = rng.uniform(0.1, 3.0, size=97)
    x = rng.normal(size=5)
    reference = GLMObjective(LogisticLoss(), X, y.astype(float), sample_weight=w)
    blocks = row_blocks(dask_array(X, 6), dask_array(y, 6), dask_array(w, 6), owner="test")
    read = ClassRows("test", np.array([0, 1]))
    objective = PartitionedObjective(blocks, read, LogisticLoss(), fit_intercept=True,
                                     total_weight=w.sum(), initial=0.0)  # fmt: skip
    with dask.config.set(scheduler="synchronous"):
        f, g = objective.value_and_gradient(x)
        H = objective.hessian(x)
    f0, g0 = reference.value_and_gradient(x)
    np.testing.assert_allclose(f, f0, rtol=1e-12)
    np.testing.assert_allclose(g, g0, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(H, reference.hessian(x), rtol=1e-10, atol=1e-14)


def test_one_class_and_negative_counts_are_lemma_errors(client, rng):
    X, _ = _data(rng, n=40)
    with pytest.raises(DataValidationError, match="at least 2 classes"):
        LogisticRegression().fit(dask_array(X, 3), dask_array(np.ones(40), 3))
    y = np.abs(rng.normal(size=40))
    y[33] = -1.0
    with pytest.raises(DataValidationError, match="y >= 0"):
        PoissonRegressor().fit(dask_array(X, 3), dask_array(y, 3))
    with pytest.raises(DataValidationError, match="continuous"):
        LogisticRegression().fit(dask_array(X, 3), dask_array(rng.normal(size=40), 3))
