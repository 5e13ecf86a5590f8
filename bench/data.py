"""Deterministic synthetic data for the benchmarks, made in one vectorised pass.

Every generator takes ``(n, d, seed)`` and returns float64 features ``X ~ N(0, I_d)``
with a linear signal on ``k = min(10, d)`` informative columns:

- regression:      ``y = 2 + Xβ + ε``, ``|βⱼ| ~ U(1, 3)`` on the informative columns,
  ``ε ~ N(0, 1)``;
- classification:  logits ``η = b + XW`` with ``W`` of scale ``2/√k`` on the informative
  columns; binary ``y ~ Bernoulli(σ(η))``, multiclass ``y = argmax_c(η_c + G_c)`` with
  Gumbel noise ``G`` (the Gumbel-max trick draws ``y`` from ``softmax(η)``).

The rows are i.i.d., so the first 80 % are the training set and the last 20 % the test
set (views of one C-contiguous array: no copy). Nothing is cached on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

__all__ = ["GENERATORS", "Split", "make_classification", "make_regression"]

TRAIN_FRACTION = 0.8


@dataclass(frozen=True)
class Split:
    """A train/test split of one synthetic data set.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, d)
    y_train : ndarray of shape (n_train,)
    X_test : ndarray of shape (n_test, d)
    y_test : ndarray of shape (n_test,)
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _split(X: np.ndarray, y: np.ndarray) -> Split:
    cut = round(TRAIN_FRACTION * X.shape[0])
    return Split(X[:cut], y[:cut], X[cut:], y[cut:])


def _informative(rng: np.random.Generator, d: int) -> np.ndarray:
    """Indices of the ``min(10, d)`` informative columns."""
    return np.sort(rng.choice(d, size=min(10, d), replace=False))


def make_regression(n: int, d: int, seed: int = 0) -> Split:
    """Linear regression data ``y = 2 + Xβ + ε`` with ``min(10, d)`` non-zero ``βⱼ``.

    Parameters
    ----------
    n : int
        Number of rows (train and test together).
    d : int
        Number of features.
    seed : int, default=0

    Returns
    -------
    Split

    Examples
    --------
    >>> from bench.data import make_regression
    >>> data = make_regression(100, 3, seed=0)
    >>> data.X_train.shape, data.X_test.shape, data.y_train.dtype
    ((80, 3), (20, 3), dtype('float64'))
    """
    rng = np.random.default_rng(seed)
    informative = _informative(rng, d)
    coef = np.zeros(d)
    size = informative.size
    coef[informative] = rng.uniform(1.0, 3.0, size) * rng.choice([-1.0, 1.0], size)
    X = rng.standard_normal((n, d))
    y = X @ coef
    y += 2.0 + rng.standard_normal(n)
    return _split(X, y)


def make_classification(n: int, d: int, seed: int = 0, *, n_classes: int = 2) -> Split:
    """Classes drawn from a linear-logit model (logistic or softmax).

    Parameters
    ----------
    n : int
        Number of rows (train and test together).
    d : int
        Number of features.
    seed : int, default=0
    n_classes : int, default=2

    Returns
    -------
    Split
        Labels are int64 in ``0 .. n_classes − 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from bench.data import make_classification
    >>> data = make_classification(1000, 5, seed=0, n_classes=3)
    >>> np.unique(data.y_train).tolist()
    [0, 1, 2]
    """
    rng = np.random.default_rng(seed)
    informative = _informative(rng, d)
    n_logits = 1 if n_classes == 2 else n_classes
    weights = np.zeros((d, n_logits))
    scale = 2.0 / np.sqrt(informative.size)
    weights[informative] = scale * rng.standard_normal((informative.size, n_logits))
    bias = 0.5 * rng.standard_normal(n_logits)
    X = rng.standard_normal((n, d))
    logits = X @ weights + bias
    if n_classes == 2:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logits[:, 0]))).astype(np.int64)
    else:
        gumbel = -np.log(-np.log(rng.random((n, n_classes))))
        y = np.argmax(logits + gumbel, axis=1).astype(np.int64)
    return _split(X, y)


#: Task name -> generator ``(n, d, seed) -> Split``.
GENERATORS: dict[str, Callable[[int, int, int], Split]] = {
    "regression": make_regression,
    "binary": partial(make_classification, n_classes=2),
    "multiclass": partial(make_classification, n_classes=3),
}
