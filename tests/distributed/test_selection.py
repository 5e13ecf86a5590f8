"""Model selection on a Dask cluster: the same cv_results_ and scores as a local run, with
the fits running in the worker processes; large arguments are sent once."""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest

from lemma.distributed import use
from lemma.distributed.backend import SCATTER_BYTES, _attach, _detach, _Ref
from lemma.exceptions import DataTypeError
from lemma.models.linear import LogisticRegression, Ridge
from lemma.selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
    parallel_backend,
    run_parallel,
)
from lemma.selection.parallel import BACKENDS

TIMES = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")


def _same_results(distributed: dict, local: dict) -> None:
    assert set(distributed) == set(local)
    for key, value in local.items():
        if key in TIMES or key.endswith("_time"):
            continue
        if key == "params":
            assert distributed[key] == value
            continue
        ours = np.asarray(distributed[key])
        if ours.dtype.kind in "fc":
            np.testing.assert_array_equal(ours, np.asarray(value), err_msg=key)
        else:
            assert ours.tolist() == np.asarray(value).tolist(), key


def _classification(rng, n=240, p=5):
    X = rng.normal(size=(n, p))
    y = (X @ np.linspace(-1, 1, p) + rng.logistic(size=n) > 0).astype(int)
    return X, y


def test_tasks_run_on_the_workers_in_task_order(client):
    with use(client):
        pids = run_parallel([os.getpid] * 6)
        values = run_parallel([functools.partial(pow, 2, k) for k in range(8)])
    assert values == [2**k for k in range(8)]
    assert os.getpid() not in pids
    assert set(pids) <= set(client.run(os.getpid).values())
    assert run_parallel([os.getpid]) == [os.getpid()]  # the session is over: local again


def test_grid_search_on_the_cluster_equals_the_local_run(client, rng):
    X, y = _classification(rng)
    grid = {"C": [0.01, 0.1, 1.0, 10.0], "penalty": ["l2", "l1"]}
    local = GridSearchCV(LogisticRegression(), grid, cv=KFold(4, shuffle=True, random_state=0))
    local.fit(X, y)
    with use(client):
        remote = GridSearchCV(LogisticRegression(), grid, cv=KFold(4, shuffle=True, random_state=0))
        remote.fit(X, y)
    _same_results(remote.cv_results_, local.cv_results_)
    assert remote.best_params_ == local.best_params_


def test_randomized_search_with_shared_large_data(client, rng):
    """X above SCATTER_BYTES is scattered once and every task refers to it."""
    n = SCATTER_BYTES // (8 * 4) + 500
    X = rng.normal(size=(n, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=n)
    space = {"alpha": [0.01, 0.1, 1.0, 10.0, 100.0]}
    search = functools.partial(RandomizedSearchCV, Ridge(), space, n_iter=4, cv=3, random_state=3)
    local = search().fit(X, y)
    with use(client):
        remote = search().fit(X, y)
    _same_results(remote.cv_results_, local.cv_results_)


def test_cross_validate_through_parallel_backend(client, rng):
    X, y = _classification(rng, n=150)
    local = cross_validate(LogisticRegression(C=0.5), X, y, cv=5, return_train_score=True)
    with use(client), parallel_backend("dask"):
        remote = cross_validate(LogisticRegression(C=0.5), X, y, cv=5, return_train_score=True)
    for key in ("test_score", "train_score"):
        np.testing.assert_array_equal(remote[key], local[key])


def test_large_arguments_are_detached_and_put_back():
    big = np.zeros(SCATTER_BYTES // 8 + 1)
    small = np.ones(3)
    inner = functools.partial(_head_dot, big, small)
    task = functools.partial(_call, inner, extra=big)  # as run_parallel wraps each task
    found: dict = {}
    skeleton = _detach(task, found)
    assert len(found) == 1  # the same array twice is sent once
    assert isinstance(skeleton.args[0].args[0], _Ref) and skeleton.args[0].args[1] is small
    assert isinstance(skeleton.keywords["extra"], _Ref)
    key, value = next(iter(found.values()))
    rebuilt = _attach(skeleton, {key: value})
    assert rebuilt.args[0].args[0] is big and rebuilt.keywords["extra"] is big
    assert rebuilt() == 0.0


def _head_dot(a, b):
    return float(a[: b.size] @ b)


def _call(task, extra=None):
    return task()


def test_use_refuses_what_is_not_a_client():
    with pytest.raises(DataTypeError, match=r"distributed\.Client"):
        use(42)


def test_the_dask_backend_is_registered_by_use(client):
    with use(client):
        assert "dask" in BACKENDS


def test_the_study_candidate_loop_on_the_cluster_equals_the_local_run(
    client, rng, tmp_path, monkeypatch
):
    """The study's tuning submits its fits to the cluster and finds what a local run finds.

    The study sizes each search from its time budget and a timed probe fit, which
    differs between runs; with a budget far above what any search needs, every
    candidate gets the cap, so both runs try the same configurations (the cap is
    lowered to keep the test short)."""
    import distributed
    import pandas as pd

    from lemma.study import study

    monkeypatch.setattr("lemma.study.stages_model.MAX_CONFIGS", 3)
    n = 240
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(0, 10, size=n),
                          "colour": rng.choice(["red", "green", "blue"], size=n)})  # fmt: skip
    logit = frame["x1"] - 0.3 * frame["x2"] + 1.5 + np.where(frame["colour"] == "red", 1, -1)
    frame["y"] = np.where(logit + rng.logistic(size=n) > 0, "yes", "no")
    run = functools.partial(study, frame, "y", time_budget=1e6, seed=4, n_jobs=1)
    local = run(out=str(tmp_path / "local"))
    with use(client), distributed.get_task_stream(client) as stream:
        remote = run(out=str(tmp_path / "remote"))
    fits = [task for task in stream.data if str(task["key"]).startswith("_run-")]
    n_fits = sum(c.n_evaluated for c in local.candidates) * local.config.cv_folds
    assert len(local.candidates) >= 2 and len(fits) >= n_fits  # every CV fit ran there
    assert [c.name for c in remote.candidates] == [c.name for c in local.candidates]
    for ours, reference in zip(remote.candidates, local.candidates, strict=True):
        assert ours.n_evaluated == reference.n_evaluated == 3
        assert ours.best_params == reference.best_params
        np.testing.assert_array_equal(ours.fold_scores, reference.fold_scores)
        pd.testing.assert_frame_equal(ours.search_table, reference.search_table)
        np.testing.assert_equal(ours.p_value, reference.p_value)  # NaN for the best
    assert remote.chosen.name == local.chosen.name
    assert remote.test_metrics == local.test_metrics
