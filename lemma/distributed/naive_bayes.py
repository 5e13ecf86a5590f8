"""Gaussian naive Bayes on Dask collections: per-class moments from one pass.

GaussianNB needs, per class k and feature j, the weight ``Wₖ``, the mean ``θₖⱼ`` and
the variance ``σ²ₖⱼ`` (:mod:`lemma.models.naive_bayes.gaussian`). Each partition
computes them for its rows (the in-memory two-pass kernel,
:func:`~lemma.models.naive_bayes.gaussian.class_moments`), and partitions combine by
the Chan-Golub-LeVeque update applied class by class::

    W = Wᵃ + Wᵇ,   θ = (Wᵃθᵃ + Wᵇθᵇ)/W,   M₂ = M₂ᵃ + M₂ᵇ + (WᵃWᵇ/W)(θᵃ − θᵇ)²,

``M₂ = W σ²``. The smoothing ``ε = var_smoothing · maxⱼ Var(x·ⱼ)`` uses the unweighted
moments of all rows, from the same pass. K·d·2 + K numbers travel per partition.

Reference: Chan, Golub & LeVeque, "Updating formulae and a pairwise algorithm for
computing sample variances", Stanford CS report STAN-CS-79-773 (1979); Hastie,
Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., §6.6.3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.distributed._collections import row_blocks
from lemma.distributed.glm import ClassRows, _classes
from lemma.distributed.linear import record_features
from lemma.models.naive_bayes._base import check_priors
from lemma.models.naive_bayes.gaussian import class_moments
from lemma.prep.scale import batch_moments, combine_moments

__all__ = ["fit_gaussian_nb"]


def _moments_block(Xb, yb, wb, read, n_classes):
    """Per-class (weight, mean, M₂) and overall unweighted moments of one partition."""
    X, codes, w = read(Xb, yb, wb)
    weights = np.ones(X.shape[0]) if w is None else w
    count, mean, var = class_moments(X, codes.astype(np.int64), weights, n_classes)
    total = np.broadcast_to(count[:, None], mean.shape).copy()
    return (total, mean, var * total), batch_moments(X)


def _merge(a: tuple, b: tuple) -> tuple:
    return combine_moments(a[0], b[0]), combine_moments(a[1], b[1])


def fit_gaussian_nb(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """:meth:`GaussianNB.fit` on Dask collections (module docstring)."""
    model._validate_params()
    owner = type(model).__name__
    blocks = row_blocks(X, y, sample_weight, owner=owner)
    record_features(model, blocks)
    model.classes_, _ = _classes(blocks, owner)
    K = model.classes_.size
    read = ClassRows(owner, model.classes_)
    (count, mean, m2), (n, _, overall) = blocks.reduce(_moments_block, _merge, read, K)
    model.epsilon_ = float(model.var_smoothing * np.max(np.maximum(overall, 0.0) / n))
    weight = count[:, 0]
    present = weight > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(present[:, None], m2 / count, 0.0)
    model.theta_ = np.where(present[:, None], mean, 0.0)
    model.var_ = var + model.epsilon_
    model._check_variances()
    model.class_count_ = weight
    if model.priors is None:
        model.class_prior_ = weight / weight.sum()
    else:
        model.class_prior_ = check_priors(model.priors, K, owner, "priors")
    return model
