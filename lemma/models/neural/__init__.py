"""Neural networks that show the chain rule: layers with their backward steps, a
``Sequential`` stack and its training loop, and scikit-learn's MLP estimators on top.

Read in this order: :mod:`~lemma.models.neural.layers` (the chain rule; Dense, Dropout,
BatchNormalization), :mod:`~lemma.models.neural.activations` (each φ next to φ'),
:mod:`~lemma.models.neural.init` (Glorot and He), :mod:`~lemma.models.neural.sequential`
(forward, backward, the training loop) and :mod:`~lemma.models.neural.mlp`.
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
from lemma.models.neural.mlp import MLPClassifier, MLPRegressor
from lemma.models.neural.sequential import Sequential, train

__all__ = [
    "GELU",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Identity",
    "Layer",
    "LeakyReLU",
    "MLPClassifier",
    "MLPRegressor",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "train",
]
