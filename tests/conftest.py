"""Shared test fixtures.

Seeds come from one place: every test that takes ``seed`` (or ``rng``) runs once
per seed given with ``--seeds`` (default ``0``), so a sweep such as
``pytest --seeds 0-19`` re-runs the randomised tests over twenty seeds.

Hypothesis follows the same rule: by default its examples are derandomised (the same
examples on every run, so CI is reproducible); ``LEMMA_HYPOTHESIS=explore pytest ...``
draws fresh random examples, for hunting new counter-examples.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("LEMMA_HYPOTHESIS", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--seeds",
        default="0",
        help="seeds for randomised tests: a list '0,3,7' or a range '0-19' (default 0)",
    )


def _parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part.strip():
            seeds.append(int(part))
    return seeds


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        metafunc.parametrize("seed", _parse_seeds(metafunc.config.getoption("--seeds")))


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One BLAS thread per test process: `make test` runs two processes on two cores, and
    two-thread OpenBLAS in each oversubscribes them (small fits then slow down ~20x)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture
def rng(seed: int) -> np.random.Generator:
    """A NumPy Generator seeded from the ``--seeds`` sweep."""
    return np.random.default_rng(seed)
