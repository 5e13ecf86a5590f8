"""Dask collections made from in-memory test data."""

from __future__ import annotations

import numpy as np


def dask_array(values: np.ndarray, n_partitions: int):
    """``values`` as a Dask array split by rows into about ``n_partitions`` blocks."""
    import dask.array as da

    rows = max(1, -(-values.shape[0] // n_partitions))
    chunks = (rows,) if values.ndim == 1 else (rows, values.shape[1])
    return da.from_array(values, chunks=chunks)


def dask_frame(frame, n_partitions: int):
    import dask.dataframe as dd

    return dd.from_pandas(frame, npartitions=n_partitions, sort=False)


def start_cluster(**options):
    """A LocalCluster of 2 worker processes with 1 thread each, and its client."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", **options
    )
    return cluster, Client(cluster)
