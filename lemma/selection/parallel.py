"""A parallel map for independent fits: pluggable backends, a progress bar, clean Ctrl-C.

Model selection is a map over independent tasks (one fit and score per fold, per
candidate). :func:`run_parallel` returns ``[task() for task in tasks]`` — the
same list, in task order, whatever the backend and the number of workers — so a
run is deterministic when each task carries its own seed.

* Backends are a name → factory table: ``"sequential"`` (a plain loop, no
  overhead), ``"loky"`` (joblib's process pool, the default for ``n_jobs > 1``)
  and ``"threading"``. :func:`register_backend` adds one (a Dask backend later)
  and :func:`parallel_backend` selects one for a block of code. A backend is any
  object with ``imap_unordered(tasks)`` yielding ``(index, result)`` pairs as
  tasks finish.
* ``progress=True`` shows a Rich bar (description, done/total, elapsed and
  remaining time) on a terminal and stays silent otherwise.
* A KeyboardInterrupt (Ctrl-C, or raised by a task) stops the run, keeps the
  results of the finished tasks and raises :class:`Interrupted` carrying them;
  it subclasses KeyboardInterrupt, so code that does not catch it stops as usual.

Reference: joblib (https://joblib.readthedocs.io), whose ``Parallel`` and loky
process pool run the tasks.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from lemma.exceptions import ParameterError

__all__ = [
    "BACKENDS",
    "Interrupted",
    "effective_n_jobs",
    "parallel_backend",
    "register_backend",
    "run_parallel",
]

Task = Callable[[], Any]


class Interrupted(KeyboardInterrupt):
    """A run stopped by KeyboardInterrupt, with the results of the tasks that finished.

    Attributes
    ----------
    results : list
        One entry per task, in task order: its result if it finished, else None.
    completed : list of int
        Indices of the finished tasks, in increasing order.

    Examples
    --------
    >>> from lemma.selection import Interrupted, run_parallel
    >>> def stop():
    ...     raise KeyboardInterrupt
    >>> try:
    ...     run_parallel([lambda: "a", stop, lambda: "c"])
    ... except Interrupted as exc:
    ...     print(exc.completed, exc.results)
    [0] ['a', None, None]
    """

    def __init__(self, results: list[Any], completed: list[int]):
        self.results = results
        self.completed = completed
        super().__init__(
            f"Interrupted after {len(completed)} of {len(results)} tasks; the finished "
            "results are in .results (None for the others)."
        )


class _Stopped:
    """What a task returns instead of raising KeyboardInterrupt inside a worker.

    Raising would make joblib drop results that finished but were not yet handed
    back; returning a marker lets the caller keep them and stop cleanly.
    """


def _guarded(task: Task) -> Any:
    try:
        return task()
    except KeyboardInterrupt:
        return _Stopped()


# ------------------------------------------------------------------------------ backends
def _indexed(index: int, task: Task) -> tuple[int, Any]:
    return index, task()


class SequentialBackend:
    """Run the tasks one after another in this process."""

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = 1

    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Any]]:
        for index, task in enumerate(tasks):
            yield index, task()


class JoblibBackend:
    """Run the tasks with ``joblib.Parallel`` (results streamed as they finish)."""

    def __init__(self, n_jobs: int, backend: str = "loky"):
        self.n_jobs = n_jobs
        self.backend = backend

    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Any]]:
        import joblib

        parallel = joblib.Parallel(
            n_jobs=self.n_jobs, backend=self.backend, return_as="generator_unordered"
        )
        stream = parallel(joblib.delayed(_indexed)(i, task) for i, task in enumerate(tasks))
        try:
            yield from stream
        finally:
            stream.close()  # on interrupt: cancel what has not started, stop the workers


#: Backend name → factory(n_jobs) returning an object with ``imap_unordered``.
BACKENDS: dict[str, Callable[[int], Any]] = {
    "sequential": SequentialBackend,
    "loky": lambda n_jobs: JoblibBackend(n_jobs, "loky"),
    "threading": lambda n_jobs: JoblibBackend(n_jobs, "threading"),
}

_ACTIVE: contextvars.ContextVar[tuple[str, int | None] | None] = contextvars.ContextVar(
    "lemma_parallel_backend", default=None
)


def register_backend(name: str, factory: Callable[[int], Any]) -> None:
    """Make a backend available to :func:`run_parallel` under ``name``.

    Parameters
    ----------
    name : str
    factory : callable
        ``factory(n_jobs)`` returns an object whose ``imap_unordered(tasks)``
        yields ``(index, task())`` pairs, in any order, and stops its workers when
        the iterator is closed.

    Examples
    --------
    >>> from lemma.selection import register_backend, run_parallel
    >>> class Reversed:
    ...     def __init__(self, n_jobs):
    ...         pass
    ...     def imap_unordered(self, tasks):
    ...         for i in reversed(range(len(tasks))):
    ...             yield i, tasks[i]()
    >>> register_backend("reversed", Reversed)
    >>> run_parallel([lambda: 1, lambda: 2], backend="reversed")
    [1, 2]
    >>> from lemma.selection.parallel import BACKENDS
    >>> del BACKENDS["reversed"]
    """
    if not callable(factory):
        raise ParameterError(f"factory must be callable(n_jobs); got {factory!r}.")
    BACKENDS[name] = factory


@contextlib.contextmanager
def parallel_backend(name: str, n_jobs: int | None = None) -> Iterator[None]:
    """Use backend ``name`` (and ``n_jobs`` when a call leaves it None) inside the block.

    Examples
    --------
    >>> from lemma.selection import parallel_backend, run_parallel
    >>> with parallel_backend("threading", n_jobs=2):
    ...     run_parallel([lambda: "a", lambda: "b"])
    ['a', 'b']
    """
    _check_backend(name)
    token = _ACTIVE.set((name, n_jobs))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _check_backend(name: str) -> None:
    if name not in BACKENDS:
        raise ParameterError(
            f"Unknown parallel backend {name!r}; choose one of {sorted(BACKENDS)} or add one "
            "with lemma.selection.register_backend."
        )


def effective_n_jobs(n_jobs: int | None) -> int:
    """Workers meant by ``n_jobs``: None → 1, −1 → all CPUs, −2 → all but one, …

    Examples
    --------
    >>> from lemma.selection import effective_n_jobs
    >>> effective_n_jobs(None), effective_n_jobs(3)
    (1, 3)
    """
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ParameterError(
            f"n_jobs must be None, a positive int or a negative int (-1 = all CPUs); got "
            f"{n_jobs!r}."
        )
    if n_jobs > 0:
        return n_jobs
    return max((os.cpu_count() or 1) + 1 + n_jobs, 1)


# ------------------------------------------------------------------------------ progress
@contextlib.contextmanager
def _progress_bar(enabled: bool, description: str, total: int) -> Iterator[Callable[[], None]]:
    """Yield ``advance()``; a Rich bar when enabled and stderr is a terminal."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        task_id = bar.add_task(description, total=total)
        yield lambda: bar.advance(task_id)


# ------------------------------------------------------------------------------ the map
def run_parallel(
    tasks: Sequence[Task],
    n_jobs: int | None = None,
    *,
    backend: str | None = None,
    progress: bool | None = None,
    description: str = "fitting",
) -> list[Any]:
    """``[task() for task in tasks]``, run by a parallel backend.

    Parameters
    ----------
    tasks : sequence of callables without arguments
        Independent tasks (e.g. ``functools.partial`` of a module-level function,
        so process backends can pickle them).
    n_jobs : int or None, default=None
        Workers; None means 1 (or the value set by :func:`parallel_backend`).
    backend : str or None, default=None
        A name in :data:`BACKENDS`. None: the :func:`parallel_backend` in force,
        else "sequential" for one worker or one task and "loky" otherwise.
    progress : bool or None, default=None
        Show a progress bar (only on a terminal).
    description : str, default="fitting"
        Label of the progress bar.

    Returns
    -------
    list
        The results in task order.

    Raises
    ------
    Interrupted
        On KeyboardInterrupt, with the results of the finished tasks.

    Examples
    --------
    >>> from functools import partial
    >>> from lemma.selection import run_parallel
    >>> run_parallel([partial(pow, 2, k) for k in range(5)], n_jobs=2, backend="threading")
    [1, 2, 4, 8, 16]
    """
    tasks = list(tasks)
    active = _ACTIVE.get()
    if n_jobs is None and active is not None:
        n_jobs = active[1]
    workers = effective_n_jobs(n_jobs)
    if backend is None:
        if active is not None:
            backend = active[0]
        else:
            backend = "sequential" if workers == 1 or len(tasks) <= 1 else "loky"
    _check_backend(backend)
    results: list[Any] = [None] * len(tasks)
    done: list[int] = []
    guarded = [partial(_guarded, task) for task in tasks]
    with _progress_bar(bool(progress), description, len(tasks)) as advance:
        stream = BACKENDS[backend](workers).imap_unordered(guarded)
        try:
            for index, value in stream:
                if isinstance(value, _Stopped):
                    raise KeyboardInterrupt(f"task {index} was interrupted")
                results[index] = value
                done.append(index)
                advance()
        except KeyboardInterrupt as exc:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            raise Interrupted(results, sorted(done)) from exc
    return results
