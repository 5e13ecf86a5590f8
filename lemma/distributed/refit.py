"""Refit a fitted pipeline's model on a whole Dask collection, keeping its preparation.

A study on a collection too big for memory tunes and evaluates on a uniform sample
(``lemma study --engine dask``). When the chosen model is one that fits on Dask
collections (linear and generalised linear models, Gaussian naive Bayes: sums over
rows), its coefficients can then be estimated from every row::

    Z = prepare(X)                       # the preparation fitted on the sample, per partition
    model* = argmin_θ Σ_{all rows} ℓ(y, f_θ(Z))

The preparation (imputation values, scales, categories, Yeo–Johnson λ, target
encodings) stays as fitted on the sample: estimates of a median or a category's
frequency from a million-row sample are already exact to a few parts in a thousand,
and keeping them fixed means the refitted model sees the same features the study
validated. Only the last step is refitted, by its distributed method
(:data:`lemma.distributed.FITTERS`); its inference (``summary()``) then covers every row.
"""

from __future__ import annotations

import copy
from typing import Any

from lemma.base import clone
from lemma.distributed import _fitter, apply_distributed, is_dask_collection
from lemma.exceptions import DataTypeError

__all__ = ["refit_on_collection"]


def refit_on_collection(model: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
    """A copy of fitted ``model`` whose last step is refitted on Dask ``X`` and ``y``.

    Parameters
    ----------
    model : Pipeline or estimator
        A fitted :class:`~lemma.pipeline.Pipeline` (its earlier steps are kept as
        fitted and applied to each partition), or a bare estimator (cloned and fitted).
    X : dask DataFrame or dask array of shape (n_samples, n_features)
        The whole collection, with the columns the pipeline was fitted on.
    y : dask Series or dask array of shape (n_samples,)
    sample_weight : dask Series or dask array of shape (n_samples,), optional

    Returns
    -------
    Pipeline or estimator
        The same structure as ``model``; ``model`` itself is not modified.

    Raises
    ------
    DataTypeError
        If X is not a Dask collection, or the last step cannot fit on one (the message
        lists the models that can).

    Examples
    --------
    >>> import dask, dask.dataframe as dd, numpy as np, pandas as pd
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.pipeline import make_pipeline
    >>> from lemma.prep import StandardScaler
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": rng.normal(size=400)})
    >>> frame["y"] = 2.0 * frame["x"] + rng.normal(size=400)
    >>> sample = frame.iloc[:100]
    >>> fitted = make_pipeline(StandardScaler(), LinearRegression()).fit(sample[["x"]], sample["y"])
    >>> whole = dd.from_pandas(frame, npartitions=4)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     refitted = refit_on_collection(fitted, whole[["x"]], whole["y"])
    >>> refitted[-1].result_.nobs
    400
    """
    if not is_dask_collection(X):
        raise DataTypeError(
            "refit_on_collection needs X as a Dask DataFrame or array (the whole collection); "
            f"got {type(X).__name__}. For data in memory, fit the model directly."
        )
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    _fitter(final)  # refuses a model without a distributed fit before any work
    if not steps:
        return clone(model).fit(X, y, sample_weight=sample_weight)
    refitted = copy.deepcopy(model)
    features = apply_distributed(refitted[:-1], "transform", X) if len(steps) > 1 else X
    name = steps[-1][0]
    new_final = clone(final).fit(features, y, sample_weight=sample_weight)
    refitted.steps[-1] = (name, new_final)
    return refitted
