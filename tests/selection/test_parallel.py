"""run_parallel: same results whatever the backend, pluggable backends, Ctrl-C keeps results."""

from __future__ import annotations

import threading
from functools import partial

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier

from lemma.base import BaseEstimator, RegressorMixin
from lemma.exceptions import ParameterError
from lemma.selection import (
    BACKENDS,
    Interrupted,
    KFold,
    cross_validate,
    effective_n_jobs,
    parallel_backend,
    register_backend,
    run_parallel,
)


class InterruptOnFit(RegressorMixin, BaseEstimator):
    """Predicts the mean; the k-th fit (counted over all instances) raises KeyboardInterrupt."""

    calls = 0
    lock = threading.Lock()

    def __init__(self, k=3):
        self.k = k

    def fit(self, X, y):
        with type(self).lock:
            type(self).calls += 1
            call = type(self).calls
        if call == self.k:
            raise KeyboardInterrupt
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(120, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=120)
    return X, y


@pytest.mark.parametrize("backend", ["sequential", "threading", "loky"])
def test_results_in_task_order_for_every_backend(backend):
    tasks = [partial(pow, 3, k) for k in range(12)]
    assert run_parallel(tasks, n_jobs=2, backend=backend) == [3**k for k in range(12)]


def test_n_jobs_2_gives_identical_scores(data, seed):
    X, y = data
    model = RandomForestRegressor(n_estimators=10, max_features=2, random_state=seed)
    one = cross_validate(model, X, y, cv=KFold(4, shuffle=True, random_state=seed))
    two = cross_validate(model, X, y, cv=KFold(4, shuffle=True, random_state=seed), n_jobs=2)
    assert np.array_equal(one["test_score"], two["test_score"])
    tree = DecisionTreeClassifier(max_features=2, random_state=seed)
    labels = (y > 0).astype(int)
    first = cross_validate(tree, X, labels, scoring=["accuracy", "roc_auc"], n_jobs=1)
    second = cross_validate(tree, X, labels, scoring=["accuracy", "roc_auc"], n_jobs=2)
    for key in ("test_accuracy", "test_roc_auc"):
        assert np.array_equal(first[key], second[key])


def _finish(k):
    if k == 4:
        raise KeyboardInterrupt
    return k * 10


def test_interrupt_keeps_finished_results():
    with pytest.raises(Interrupted) as caught:
        run_parallel([partial(_finish, k) for k in range(8)])
    assert isinstance(caught.value, KeyboardInterrupt)
    assert caught.value.completed == [0, 1, 2, 3]
    assert caught.value.results == [0, 10, 20, 30, None, None, None, None]


def test_ctrl_c_in_the_main_loop_closes_the_backend():
    closed = []

    class CtrlCAfterTwo:
        def __init__(self, n_jobs):
            pass

        def imap_unordered(self, tasks):
            try:
                yield 1, tasks[1]()
                yield 0, tasks[0]()
                raise KeyboardInterrupt  # what Ctrl-C does while waiting for a worker
            finally:
                closed.append(True)

    register_backend("ctrl-c", CtrlCAfterTwo)
    try:
        with pytest.raises(Interrupted) as caught:
            run_parallel([partial(_finish, k) for k in range(5)], backend="ctrl-c")
    finally:
        del BACKENDS["ctrl-c"]
    assert caught.value.completed == [0, 1]
    assert caught.value.results == [0, 10, None, None, None]
    assert closed == [True]


@pytest.mark.parametrize(("n_jobs", "backend"), [(1, None), (2, "threading")])
def test_interrupt_during_cross_validation(data, n_jobs, backend):
    X, y = data
    InterruptOnFit.calls = 0
    with pytest.raises(Interrupted) as caught:
        with parallel_backend(backend or "sequential"):
            cross_validate(InterruptOnFit(k=3), X, y, cv=5, n_jobs=n_jobs)
    interrupted = caught.value
    if n_jobs == 1:
        assert interrupted.completed == [0, 1]
    assert 1 <= len(interrupted.completed) <= 4
    for i, fold in enumerate(interrupted.results):
        if i in interrupted.completed:
            assert np.isfinite(fold.test_scores["score"]) and fold.n_test == 24
        else:
            assert fold is None


def test_registered_backend_is_used_and_context_restores():
    seen = []

    class Recording:
        def __init__(self, n_jobs):
            seen.append(n_jobs)

        def imap_unordered(self, tasks):
            for i, task in enumerate(tasks):
                yield i, task()

    register_backend("recording", Recording)
    try:
        with parallel_backend("recording", n_jobs=3):
            assert run_parallel([lambda: 1, lambda: 2]) == [1, 2]
        assert run_parallel([lambda: 5]) == [5]
        assert seen == [3]
    finally:
        del BACKENDS["recording"]


def test_progress_bar_is_silent_without_a_terminal(capsys):
    assert run_parallel([lambda: 1] * 3, progress=True) == [1, 1, 1]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_bad_backend_and_n_jobs():
    with pytest.raises(ParameterError, match="Unknown parallel backend 'dask'"):
        run_parallel([lambda: 1], backend="dask")
    with pytest.raises(ParameterError, match="n_jobs"):
        effective_n_jobs(0)
    with pytest.raises(ParameterError, match="callable"):
        register_backend("broken", "not a factory")
    assert effective_n_jobs(-1) >= 1
