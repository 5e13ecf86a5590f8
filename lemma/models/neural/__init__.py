"""Neural networks that show the chain rule: layers with their backward steps.

Read in this order: :mod:`~lemma.models.neural.layers` (the chain rule; Dense, Dropout,
BatchNormalization), :mod:`~lemma.models.neural.activations` (each φ next to φ') and
:mod:`~lemma.models.neural.init` (Glorot and He).
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

__all__ = [
    "GELU",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Identity",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
