"""Composition: pipelines of preparation steps and a model.

A :class:`Pipeline` chains preparation steps and a model so that cross-validating it
fits the preparation inside each training fold; row filters (duplicates, outliers)
drop rows while fitting and never while predicting.

Examples
--------
>>> from lemma.pipeline import make_pipeline
>>> from lemma.models.linear import Ridge
>>> make_pipeline(Ridge())
Pipeline(steps=[('ridge', Ridge())])
"""

from __future__ import annotations

from lemma.pipeline._composition import Bunch
from lemma.pipeline.pipeline import Pipeline, RowRemoval, make_pipeline

__all__ = ["Bunch", "Pipeline", "RowRemoval", "make_pipeline"]
