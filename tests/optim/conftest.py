"""Test problems shared by the optimizer tests."""

from __future__ import annotations

import numpy as np
import pytest


class Quadratic:
    """``f(x) = ½xᵀAx − bᵀx`` with gradient ``Ax − b`` and Hessian ``A``."""

    def __init__(self, A: np.ndarray, b: np.ndarray) -> None:
        self.A = A
        self.b = b

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        Ax = self.A @ x
        return 0.5 * float(x @ Ax) - float(self.b @ x), Ax - self.b

    def value(self, x: np.ndarray) -> float:
        return self.value_and_gradient(x)[0]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.value_and_gradient(x)[1]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        return self.A


@pytest.fixture
def quadratic(rng: np.random.Generator) -> Quadratic:
    """A random SPD quadratic in 20 dimensions, eigenvalues from 1 to 100 (κ = 100)."""
    d = 20
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * np.logspace(0, 2, d)) @ Q.T
    A = 0.5 * (A + A.T)
    return Quadratic(A, rng.normal(size=d))
