"""Reference fits run scikit-learn on one OpenMP thread.

scikit-learn's histogram boosting opens several OpenMP parallel regions per tree node;
on a machine shared with other work each region waits for its threads to be
scheduled, which turns a fit of half a second into a minute. One thread keeps the
reference fits fast and changes no result (its histograms sum per feature).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        yield
