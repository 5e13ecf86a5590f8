"""``--cluster`` and ``--engine dask``: the command line on a Dask cluster and on big data.

``--cluster tcp://host:8786`` connects to a running scheduler (``dask scheduler``
with ``dask worker tcp://host:8786`` on each machine) and makes it lemma's backend
for the command (:func:`lemma.distributed.use`): the study's cross-validation and
searches submit their fits as tasks there, and ``--engine dask`` reads and predicts
on the workers. An unreachable or malformed address is refused in
:data:`CONNECT_TIMEOUT` seconds with one line saying how to start a cluster.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import click

__all__ = ["CONNECT_TIMEOUT", "OptionError", "cluster_session", "require_dask", "total_threads"]

#: Seconds to reach the scheduler before giving up.
CONNECT_TIMEOUT = 10.0


class OptionError(click.ClickException):
    """An option that cannot be honoured here: one line, exit code 2."""

    exit_code = 2

    def __init__(self, option: str, message: str):
        super().__init__(f"{option}: {message}")


def require_dask(option: str) -> None:
    """Refuse ``option`` with an installation hint when Dask is not installed."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise OptionError(
            option, "needs Dask, which is not installed; pip install 'lemma[dask]'."
        ) from exc


@contextlib.contextmanager
def cluster_session(address: str | None, timeout: float | None = None) -> Iterator[Any]:
    """Inside the block lemma runs on the scheduler at ``address`` (nothing when None).

    Yields the ``distributed.Client`` (or None); it is closed when the block ends.
    ``timeout`` defaults to :data:`CONNECT_TIMEOUT`.
    """
    if address is None:
        yield None
        return
    require_dask("--cluster")
    from distributed import Client
    from distributed.comm import parse_address
    from distributed.comm.registry import get_backend

    from lemma.distributed import use

    try:
        # An unknown scheme is checked first: distributed's Client raises it only after
        # registering itself as the default client (and the global scheduler), which it
        # then never undoes — later Dask work in the process would look for a dead client.
        get_backend(parse_address(address)[0])
        client = Client(address, timeout=CONNECT_TIMEOUT if timeout is None else timeout)
    except (OSError, ValueError) as exc:  # a timeout is an OSError; a bad scheme a ValueError
        raise OptionError(
            "--cluster",
            f"cannot reach a Dask scheduler at {address!r} ({exc}); start one with "
            f"'dask scheduler' and workers with 'dask worker {address}', or check the address.",
        ) from exc
    with client, use(client):
        yield client


def total_threads(client: Any) -> int:
    """Tasks the cluster runs at once (its workers' threads); this machine's CPUs without one."""
    if client is None:
        return os.cpu_count() or 1
    return max(sum(client.nthreads().values()), 1)
