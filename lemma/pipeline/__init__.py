"""Composition: pipelines and column-wise transformers.

A :class:`Pipeline` chains preparation steps and a model so that cross-validating it
fits the preparation inside each training fold; row filters (duplicates, outliers)
drop rows while fitting and never while predicting. A :class:`ColumnTransformer`
prepares groups of columns differently (scale the numbers, one-hot encode the
categories) and stacks the results.

Examples
--------
>>> from lemma.pipeline import make_pipeline
>>> from lemma.models.linear import Ridge
>>> make_pipeline(Ridge())
Pipeline(steps=[('ridge', Ridge())])
"""

from __future__ import annotations

from lemma.pipeline._composition import Bunch
from lemma.pipeline.column import ColumnTransformer, make_column_transformer
from lemma.pipeline.pipeline import Pipeline, RowRemoval, make_pipeline

__all__ = [
    "Bunch",
    "ColumnTransformer",
    "Pipeline",
    "RowRemoval",
    "make_column_transformer",
    "make_pipeline",
]
