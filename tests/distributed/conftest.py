"""A real Dask cluster for the distributed tests: two worker processes, one thread each.

Each test module starts its own cluster (module scope) and closes it afterwards;
while it runs, its client is Dask's default scheduler, so every distributed fit in
the module computes on the worker processes.
"""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """A client of a LocalCluster with 2 worker processes (closed after the module)."""
    from tests.distributed.helpers import start_cluster

    cluster, client = start_cluster()
    try:
        yield client
    finally:
        client.close()
        cluster.close()
