"""The fairness tests fit many small models: run BLAS on one thread.

ExponentiatedGradient and the reference fits call L-BFGS-B dozens of times on a few
parameters; on a machine shared with other work, each BLAS call waits for its
threads to be scheduled, which made a 0.15 s fit take 3 s here. One thread changes
no result.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_blas_thread():
    try:
        import threadpoolctl
    except ImportError:  # without it, BLAS keeps its default threads
        yield
        return
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        yield
