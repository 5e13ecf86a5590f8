"""lemma on a Dask cluster: the same models fitted on data spread over many machines.

Many of lemma's models need only sums over rows — ``XᵀX`` and ``Xᵀy``, a
gradient ``Σ ∇ℓᵢ``, a Hessian ``Σ hᵢzᵢzᵢᵀ``, per-class counts and moments — and a
sum over rows is a map-reduce: each worker sums its partitions, and the small
partial sums are combined (:mod:`lemma.distributed._collections`). An estimator
given a Dask array or DataFrame dispatches here from the first line of its
``fit``; the fitted model is an ordinary lemma model that predicts on NumPy and
pandas as usual and on Dask collections lazily (:func:`apply_distributed`).

===================================  =====================================================
estimator                            distributed method
===================================  =====================================================
LinearRegression                     TSQR of ``W^½[1, X]`` + refinement; inference
                                     (:mod:`~lemma.distributed.linear`)
Ridge                                centred Gram matrix (sufficient statistics), or TSQR
LogisticRegression, PoissonRegressor the in-memory solvers on a distributed gradient
                                     and Hessian (:mod:`~lemma.distributed.glm`)
StandardScaler, MinMaxScaler,        per-partition moments, ranges, counts, categories;
SimpleImputer, OneHotEncoder,        an exact distributed median
OrdinalEncoder                       (:mod:`~lemma.distributed.prep`)
PCA                                  TSQR then the SVD of R
                                     (:mod:`~lemma.distributed.decomposition`)
KMeans                               k-means|| seeding, Lloyd's iterations
                                     (:mod:`~lemma.distributed.cluster`)
GaussianNB                           per-class moments (:mod:`~lemma.distributed.naive_bayes`)
anything with ``partial_fit``        :func:`~lemma.distributed.cluster.partial_fit` over
                                     the partitions, in order
===================================  =====================================================

:func:`use` sends model selection (``cross_validate``, the searches, the study's
tuning) to the cluster too (:mod:`~lemma.distributed.backend`);
:mod:`~lemma.distributed.read` reads CSV/Parquet collections of any size for
``lemma study`` and ``lemma predict`` (``--engine dask``, ``--cluster ADDRESS``);
:func:`~lemma.distributed.refit.refit_on_collection` refits a fitted pipeline's model on
a whole collection (``lemma study --refit-collection``).
Importing lemma never imports Dask: only a Dask input or :func:`use` does. How to
start a cluster, and what does not run distributed: ``docs/distributed.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

from lemma.distributed._collections import ClusterError, is_dask_collection
from lemma.exceptions import DataTypeError

__all__ = [
    "ClusterError",
    "apply_distributed",
    "fit_distributed",
    "get_client",
    "is_dask_collection",
    "partial_fit",
    "use",
]

#: "module.Class" of an estimator → "module:function" fitting it on Dask collections.
FITTERS: dict[str, str] = {
    "lemma.models.linear.ols.LinearRegression": "lemma.distributed.linear:fit_linear_regression",
    "lemma.models.linear.ridge.Ridge": "lemma.distributed.linear:fit_ridge",
    "lemma.models.linear.logistic.LogisticRegression": "lemma.distributed.glm:fit_logistic",
    "lemma.models.linear.poisson.PoissonRegressor": "lemma.distributed.glm:fit_poisson",
    "lemma.prep.scale.StandardScaler": "lemma.distributed.prep:fit_standard_scaler",
    "lemma.prep.scale.MinMaxScaler": "lemma.distributed.prep:fit_min_max_scaler",
    "lemma.prep.impute.SimpleImputer": "lemma.distributed.prep:fit_simple_imputer",
    "lemma.prep.encode.OneHotEncoder": "lemma.distributed.prep:fit_one_hot_encoder",
    "lemma.prep.encode.OrdinalEncoder": "lemma.distributed.prep:fit_ordinal_encoder",
    "lemma.models.decomposition.pca.PCA": "lemma.distributed.decomposition:fit_pca",
    "lemma.models.cluster.kmeans.KMeans": "lemma.distributed.cluster:fit_kmeans",
    "lemma.models.naive_bayes.gaussian.GaussianNB": "lemma.distributed.naive_bayes:fit_gaussian_nb",
}


def _fitter(estimator: Any) -> Any:
    for klass in type(estimator).__mro__:
        target = FITTERS.get(f"{klass.__module__}.{klass.__qualname__}")
        if target is not None:
            module, name = target.split(":")
            return getattr(importlib.import_module(module), name)
    supported = sorted(key.rsplit(".", 1)[1] for key in FITTERS)
    raise DataTypeError(
        f"{type(estimator).__name__} cannot fit on Dask collections; the models that can are "
        f"{supported} (and anything with partial_fit, through lemma.distributed.partial_fit). "
        "Compute a sample that fits in memory (X.sample(frac=...).compute()) for the others."
    )


def fit_distributed(estimator: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Fit ``estimator`` on Dask ``X`` (and ``y``, ``sample_weight``); returns the estimator.

    Called from the first line of a supported estimator's ``fit`` when X is a Dask
    collection; the module docstring lists the methods.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from lemma.models.linear import LinearRegression
    >>> X = da.from_array(np.arange(12.0).reshape(6, 2) ** 0.5, chunks=2)
    >>> y = X @ da.from_array(np.array([1.0, -2.0]), chunks=2) + 3.0
    >>> model = LinearRegression().fit(X, y)        # dispatches here
    >>> model.coef_.round(8).tolist(), round(float(model.intercept_), 8)
    ([1.0, -2.0], 3.0)
    """
    return _fitter(estimator)(estimator, X, y, sample_weight)


def apply_distributed(estimator: Any, method: str, X: Any) -> Any:
    """``estimator.method`` over the partitions of Dask ``X``, lazily (a Dask collection).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from lemma.prep import StandardScaler
    >>> scaler = StandardScaler().fit(np.array([[0.0], [2.0]]))
    >>> lazy = apply_distributed(scaler, "transform", da.from_array(np.array([[4.0]]), chunks=1))
    >>> lazy.compute().tolist()
    [[3.0]]
    """
    from lemma.distributed._collections import lazy_apply

    return lazy_apply(estimator, method, X)


def use(client: Any) -> Any:
    """Send model selection and distributed fits to a Dask cluster
    (:func:`lemma.distributed.backend.use`)."""
    from lemma.distributed.backend import use as _use

    return _use(client)


def get_client() -> Any:
    """The client set by :func:`use`, or None (:func:`lemma.distributed.backend.get_client`)."""
    from lemma.distributed.backend import get_client as _get

    return _get()


def partial_fit(estimator: Any, X: Any, y: Any = None, **options: Any) -> Any:
    """``estimator.partial_fit`` on every partition of Dask X, in order
    (:func:`lemma.distributed.cluster.partial_fit`)."""
    from lemma.distributed.cluster import partial_fit as _partial_fit

    return _partial_fit(estimator, X, y, **options)
