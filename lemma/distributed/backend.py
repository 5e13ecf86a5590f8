"""A Dask cluster as lemma's parallel backend, and the client every distributed fit uses.

Model selection is a map over independent tasks (one fit and score per fold and
candidate; :func:`lemma.selection.run_parallel`). :class:`DaskBackend` submits each
task to a ``dask.distributed`` cluster and yields the results as they finish, so
``cross_validate``, the searches and the study's tuning run on the cluster's
workers. Each task carries its own seed, so the results equal a local run's.

The data the tasks share (X and y, the same arrays in every task) are sent to the
cluster once: every NumPy array or pandas object of at least :data:`SCATTER_BYTES`
found in a task's ``functools.partial`` arguments is scattered, and the tasks
refer to it, instead of being pickled into each task.

A worker that dies while running a task (killed, out of memory) is replaced by its
nanny and the scheduler reruns the task elsewhere; only a task that kills workers
repeatedly fails, and it fails with :class:`~lemma.distributed.ClusterError`.

Reference: Rocklin, "Dask: parallel computation with blocked algorithms and task
scheduling", SciPy 2015; the ``dask.distributed`` documentation.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

from lemma.exceptions import DataTypeError

__all__ = ["SCATTER_BYTES", "DaskBackend", "Session", "get_client", "register", "use"]

#: Arguments at least this large are scattered to the cluster once instead of pickled
#: into every task.
SCATTER_BYTES = 1 << 20

_STATE: dict[str, Any] = {"client": None}


def get_client() -> Any:
    """The client set by :func:`use` (None when none is set).

    Examples
    --------
    >>> get_client() is None
    True
    """
    return _STATE["client"]


# ----------------------------------------------------------------------------- task shipping
class _Ref:
    """Placeholder for a scattered argument inside a task skeleton."""

    def __init__(self, key: str):
        self.key = key


def _size(value: Any) -> int:
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    memory_usage = getattr(value, "memory_usage", None)
    if callable(memory_usage) and hasattr(value, "columns"):
        try:
            return int(memory_usage(deep=False).sum())
        except TypeError:
            return 0
    return 0


def _is_data(value: Any) -> bool:
    module = type(value).__module__.split(".")[0]
    return module in ("numpy", "pandas") and _size(value) >= SCATTER_BYTES


def _detach(task: Any, found: dict[int, tuple[str, Any]]) -> Any:
    """``task`` with its large data arguments replaced by :class:`_Ref` (nested partials too)."""
    if not isinstance(task, functools.partial):
        return task

    def swap(value: Any) -> Any:
        if isinstance(value, functools.partial):
            return _detach(value, found)
        if _is_data(value):
            key = found.setdefault(id(value), (f"lemma-data-{len(found)}", value))[0]
            return _Ref(key)
        return value

    args = tuple(swap(a) for a in task.args)
    keywords = {k: swap(v) for k, v in task.keywords.items()}
    return functools.partial(swap(task.func), *args, **keywords)


def _attach(task: Any, data: dict[str, Any]) -> Any:
    if not isinstance(task, functools.partial):
        return task

    def swap(value: Any) -> Any:
        if isinstance(value, functools.partial):
            return _attach(value, data)
        return data[value.key] if isinstance(value, _Ref) else value

    args = tuple(swap(a) for a in task.args)
    keywords = {k: swap(v) for k, v in task.keywords.items()}
    return functools.partial(task.func, *args, **keywords)


def _run(skeleton: Any, data: dict[str, Any]) -> Any:
    """Run on a worker: put the scattered data back into the task and call it."""
    return _attach(skeleton, data)()


class DaskBackend:
    """Run :func:`~lemma.selection.run_parallel` tasks on a ``dask.distributed`` client.

    Parameters
    ----------
    n_jobs : int
        Ignored: the cluster's workers decide how many tasks run at once.
    client : distributed.Client, optional
        Default: the client set by :func:`use`, else ``distributed``'s current client.
    """

    def __init__(self, n_jobs: int = 1, client: Any = None):
        self.n_jobs = n_jobs
        self.client = client

    def _client(self) -> Any:
        if self.client is not None:
            return self.client
        if get_client() is not None:
            return get_client()
        from distributed import get_client as current

        return current()

    def imap_unordered(self, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        from lemma.distributed._collections import _cluster_error

        client = self._client()
        found: dict[int, tuple[str, Any]] = {}
        skeletons = [_detach(task, found) for task in tasks]
        data = {}
        if found:
            keys = [key for key, _ in found.values()]
            futures = client.scatter([value for _, value in found.values()], broadcast=False)
            data = dict(zip(keys, futures, strict=True))
        submitted = [client.submit(_run, s, data, pure=False) for s in skeletons]
        index = {future.key: i for i, future in enumerate(submitted)}
        try:
            for future in as_completed(submitted):
                try:
                    value = future.result()
                except Exception as exc:
                    raise _cluster_error(exc) from exc
                yield index[future.key], value
        finally:
            client.cancel([f for f in submitted if not f.done()])


def register() -> None:
    """Add ``"dask"`` to :data:`lemma.selection.parallel.BACKENDS` (idempotent).

    Examples
    --------
    >>> from lemma.selection.parallel import BACKENDS
    >>> register()
    >>> "dask" in BACKENDS
    True
    """
    from lemma.selection.parallel import register_backend

    register_backend("dask", DaskBackend)


class Session:
    """What :func:`use` returns: the active client; closing it restores the previous one.

    Usable as a context manager. Closing closes the client only if :func:`use` made it
    (from an address); a client passed in may be shared and is left open.
    """

    def __init__(self, client: Any, previous: Any, stack: contextlib.ExitStack):
        self.client = client
        self._previous = previous
        self._stack = stack

    def close(self) -> None:
        """Stop sending work to this client; the previous setting comes back."""
        self._stack.close()
        _STATE["client"] = self._previous

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def use(client: Any) -> Session:
    """Run lemma's model selection and distributed fits on a Dask cluster.

    Parameters
    ----------
    client : distributed.Client or str
        A client, or a scheduler address such as ``"tcp://10.0.0.5:8786"`` (a client
        connecting to it is made).

    Returns
    -------
    Session
        Use it in a ``with`` block, or call ``close()``, to stop; until then
        ``run_parallel`` (``cross_validate``, the searches, the study's tuning)
        submits its tasks to the cluster and distributed fits compute there.

    Examples
    --------
    >>> from distributed import Client, LocalCluster
    >>> from lemma.selection import run_parallel
    >>> cluster = LocalCluster(n_workers=1, processes=False, dashboard_address=":0")
    >>> with Client(cluster) as client, use(client):
    ...     print(run_parallel([lambda: 1, lambda: 2]))
    [1, 2]
    >>> cluster.close()
    """
    stack = contextlib.ExitStack()
    if isinstance(client, str):
        from distributed import Client

        client = stack.enter_context(Client(client))
    elif not hasattr(client, "submit") or not hasattr(client, "scatter"):
        raise DataTypeError(
            f"use() needs a distributed.Client or a scheduler address such as "
            f"'tcp://host:8786'; got {type(client).__name__}."
        )
    from lemma.selection.parallel import parallel_backend

    register()
    previous = _STATE["client"]
    stack.enter_context(parallel_backend("dask"))
    _STATE["client"] = client
    return Session(client, previous, stack)
