"""Neural networks that show the chain rule: layers with their backward steps, a
``Sequential`` stack and its training loop.

Read in this order: :mod:`~lemma.models.neural.layers` (the chain rule; Dense, Dropout,
BatchNormalization), :mod:`~lemma.models.neural.activations` (each φ next to φ'),
:mod:`~lemma.models.neural.init` (Glorot and He), :mod:`~lemma.models.neural.sequential`
(forward, backward) and :mod:`~lemma.models.neural.training` (the loop).
"""

from lemma.models.neural.activations import (
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from lemma.models.neural.layers import BatchNormalization, Dense, Dropout, Layer
from lemma.models.neural.sequential import Sequential, train

__all__ = [
    "GELU",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Identity",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "train",
]
