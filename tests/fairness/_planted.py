"""Synthetic data with planted bias, shared by the mitigation tests."""

from __future__ import annotations

import numpy as np


def planted_bias(rng: np.random.Generator, n: int = 800):
    """Group "a" (60 %) has higher feature values and more positives; x2 is a proxy of A.

    Returns X (n, 3), y (n,), group (n,) with a logistic model's predictions far
    from demographic parity (selection rates differ by about 0.3).
    """
    group = rng.choice(np.array(["a", "b"]), n, p=[0.6, 0.4])
    in_a = (group == "a").astype(float)
    X = np.column_stack(
        [rng.normal(size=n) + in_a, rng.normal(size=n), in_a + 0.5 * rng.normal(size=n)]
    )
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.5 * in_a + rng.normal(size=n) > 0.8).astype(int)
    return X, y, group
