"""Composition: pipelines, column-wise transformers and column selectors.

A :class:`Pipeline` chains preparation steps and a model so that cross-validating it
fits the preparation inside each training fold; row filters (duplicates, outliers)
drop rows while fitting and never while predicting. A :class:`ColumnTransformer`
prepares groups of columns differently (scale the numbers, one-hot encode the
categories) and stacks the results; :func:`make_column_selector` picks those groups
by name, dtype or inferred kind (:func:`infer_kind`). A :class:`FeatureUnion` stacks
several transformations of the same columns.

Examples
--------
>>> import pandas as pd
>>> from lemma.pipeline import infer_kind
>>> infer_kind(pd.Series([1.5, 2.0, 3.25]))
'numeric'
"""

from __future__ import annotations

from lemma.pipeline._composition import Bunch
from lemma.pipeline.column import ColumnTransformer, make_column_transformer
from lemma.pipeline.pipeline import Pipeline, RowRemoval, make_pipeline
from lemma.pipeline.selectors import KINDS, ColumnSelector, infer_kind, make_column_selector
from lemma.pipeline.union import FeatureUnion, make_union

__all__ = [
    "KINDS",
    "Bunch",
    "ColumnSelector",
    "ColumnTransformer",
    "FeatureUnion",
    "Pipeline",
    "RowRemoval",
    "infer_kind",
    "make_column_selector",
    "make_column_transformer",
    "make_pipeline",
    "make_union",
]
