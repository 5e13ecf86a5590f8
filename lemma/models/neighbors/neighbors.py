"""k-nearest neighbours: classification by a vote, regression by an average.

Model. For a query ``x`` let ``N_k(x)`` be the k training rows nearest to it in the
Minkowski distance ``d_p`` (:mod:`~lemma.models.neighbors._search`), with weights
``wᵢ = 1`` ("uniform"), ``wᵢ = 1 / d(x, xᵢ)`` ("distance"; a query at distance 0 of
some training rows gives those rows weight 1 and the others 0) or ``f(d)`` (a
callable). Then::

    P(y = c | x) = Σ_{i ∈ N_k(x)} wᵢ [yᵢ = c] / Σ_{i ∈ N_k(x)} wᵢ,    ŷ = argmax_c P(c | x),
    f̂(x) = Σ_{i ∈ N_k(x)} wᵢ yᵢ / Σ_{i ∈ N_k(x)} wᵢ     (regression).

There is nothing to minimise: ``fit`` stores the training rows (and builds a
KD-tree for low dimensions); all the work is the neighbour search at prediction.
A tie between classes goes to the first class of ``classes_``.

Reference: Cover & Hart, "Nearest neighbor pattern classification", *IEEE Trans.
Information Theory* 13(1), 1967; Hastie, Tibshirani & Friedman, *The Elements of
Statistical Learning*, 2nd ed., 2009, §13.3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lemma._constraints import CALLABLE, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, Tags
from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.neighbors._search import (
    brute_kneighbors,
    build_kd_tree,
    choose_algorithm,
    kd_tree_kneighbors,
)
from lemma.validation import check_is_fitted, encode_classes, validate_data

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor", "neighbor_weights"]

#: Metric name -> Minkowski order p ("minkowski" takes the estimator's ``p``).
METRIC_ORDER: dict[str, float | None] = {
    "minkowski": None,
    "euclidean": 2.0,
    "manhattan": 1.0,
    "cityblock": 1.0,
    "chebyshev": np.inf,
}


def _inverse_distance(dist: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        weights = 1.0 / dist
    exact = np.isinf(weights)
    rows = exact.any(axis=1)
    weights[rows] = exact[rows]
    return weights


#: Weighting name -> function of the neighbour distances (None: all ones).
WEIGHTS: dict[str, Callable[[np.ndarray], np.ndarray] | None] = {
    "uniform": None,
    "distance": _inverse_distance,
}


def neighbor_weights(dist: np.ndarray, weights: str | Callable) -> np.ndarray | None:
    """Weights of the neighbours from their distances (None for uniform weights).

    Parameters
    ----------
    dist : ndarray of shape (n_queries, k)
    weights : {"uniform", "distance"} or callable
        A callable maps the distance array to an array of the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> neighbor_weights(np.array([[0.5, 2.0], [0.0, 1.0]]), "distance").tolist()
    [[2.0, 0.5], [1.0, 0.0]]
    """
    if callable(weights):
        out = np.asarray(weights(dist), dtype=np.float64)
        if out.shape != dist.shape:
            raise ParameterError(
                f"The weights callable returned shape {out.shape} for distances of shape "
                f"{dist.shape}; it must return one weight per neighbour."
            )
        return out
    rule = WEIGHTS[weights]
    return None if rule is None else rule(dist)


class _KNeighbors(BaseEstimator):
    """Training rows, the search structure and ``kneighbors``, shared by both models.

    The KD-tree is a cache kept outside ``__dict__`` (in a slot): it is rebuilt from
    the training rows when missing (after a copy, or loading a saved model), and is
    never part of a saved file.
    """

    __slots__ = ("_kd_tree",)

    _parameter_constraints = {
        "n_neighbors": [Interval(int, 1, None)],
        "weights": [Options(set(WEIGHTS)), CALLABLE],
        "algorithm": [Options({"auto", "brute", "kd_tree"})],
        "leaf_size": [Interval(int, 1, None)],
        "p": [Interval(float, 1, None, closed="both")],
        "metric": [Options(set(METRIC_ORDER))],
        "n_jobs": [Interval(int, None, None), None],
    }

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str | Callable = "uniform",
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float = 2,
        metric: str = "minkowski",
        n_jobs: int | None = None,
    ):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.metric = metric
        self.n_jobs = n_jobs

    def _store(self, X: np.ndarray) -> None:
        """Keep the training rows; choose the search and build its structure."""
        order = METRIC_ORDER[self.metric]
        self.effective_p_ = float(self.p if order is None else order)
        self._fit_X = np.ascontiguousarray(X, dtype=np.float64)
        self.n_samples_fit_ = X.shape[0]
        self._fit_method = choose_algorithm(
            self.algorithm, X.shape[0], X.shape[1], self.n_neighbors
        )
        self._kd_tree = None
        if self._fit_method == "kd_tree":
            self._kd_tree = build_kd_tree(self._fit_X, self.leaf_size)

    def _tree(self) -> Any:
        if getattr(self, "_kd_tree", None) is None:
            self._kd_tree = build_kd_tree(self._fit_X, self.leaf_size)
        return self._kd_tree

    def _search(self, Q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._fit_method == "kd_tree":
            workers = 1 if self.n_jobs is None else self.n_jobs
            return kd_tree_kneighbors(self._tree(), Q, k, self.effective_p_, workers)
        return brute_kneighbors(Q, self._fit_X, k, self.effective_p_)

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """The nearest training rows of each query row.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features) or None
            Query rows; None: the training rows, each excluded from its own
            neighbours.
        n_neighbors : int, optional
            Neighbours per query (default ``self.n_neighbors``).
        return_distance : bool, default=True
            Also return the distances.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Increasing along each row (only if ``return_distance``).
        indices : ndarray of int64, shape (n_queries, n_neighbors)
            Rows of the training data.
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if not isinstance(k, int | np.integer) or k < 1:
            raise ParameterError(f"n_neighbors must be a positive int; got {k!r}.")
        exclude_self = X is None
        Q = self._fit_X if exclude_self else self._validated(X)
        wanted = k + int(exclude_self)
        if wanted > self.n_samples_fit_:
            raise DataValidationError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {wanted}, "
                f"n_samples_fit = {self.n_samples_fit_} (training rows); ask for fewer "
                "neighbours" + (" (a row is not its own neighbour)." if exclude_self else ".")
            )
        dist, index = self._search(Q, wanted)
        if exclude_self:
            dist, index = _drop_self(dist, index)
        return (dist, index) if return_distance else index

    def _validated(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.ascontiguousarray(X)

    def _neighbours(self, X: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Indices of the neighbours of each query and their weights (None: uniform)."""
        dist, index = self.kneighbors(X)
        return index, neighbor_weights(dist, self.weights)


def _drop_self(dist: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each training row from its own neighbour list (the last one if absent)."""
    n, k = index.shape
    is_self = index == np.arange(n)[:, None]
    is_self[~is_self.any(axis=1), k - 1] = True
    first = np.argmax(is_self, axis=1)
    keep = np.ones((n, k), dtype=bool)
    keep[np.arange(n), first] = False
    return dist[keep].reshape(n, k - 1), index[keep].reshape(n, k - 1)


class KNeighborsClassifier(ClassifierMixin, _KNeighbors):
    """k-nearest-neighbour classifier: the weighted vote of the k nearest training rows.

    See the module docstring for the vote and the weights, and
    :mod:`~lemma.models.neighbors._search` for the search.

    Parameters
    ----------
    n_neighbors : int, default=5
        k.
    weights : {"uniform", "distance"} or callable, default="uniform"
        Vote weights: equal, ``1/d``, or a function of the distance array.
    algorithm : {"auto", "brute", "kd_tree"}, default="auto"
        "auto": the KD-tree when ``n_features ≤ 15``, ``n_samples ≥ 100 · 2^n_features``
        and ``k < n_samples / 2``, brute force (chunked BLAS products) otherwise (the
        rule and its measurements: :mod:`lemma.models.neighbors._search`).
    leaf_size : int, default=30
        Rows per KD-tree leaf.
    p : float, default=2
        Order of the Minkowski distance (``metric="minkowski"``), ≥ 1.
    metric : {"minkowski", "euclidean", "manhattan", "cityblock", "chebyshev"}, \
default="minkowski"
        The distance; the named ones fix p (2, 1, 1, ∞).
    n_jobs : int or None, default=None
        Threads of the KD-tree queries (None: 1, -1: all). Brute force uses Numba's
        threads.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_samples_fit_ : int
    effective_p_ : float
        The Minkowski order used.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neighbors import KNeighborsClassifier
    >>> X = np.array([[0.0], [0.5], [1.0], [4.0], [4.5], [5.0]])
    >>> y = np.array(["low", "low", "low", "high", "high", "high"])
    >>> model = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    >>> model.predict([[0.8], [4.1]]).tolist()
    ['low', 'high']
    >>> model.predict_proba([[2.6]]).round(3).tolist()  # classes_ = ['high', 'low']
    [[0.667, 0.333]]
    """

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training rows and their classes (and build the KD-tree if used).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, self._y = encode_classes(y, None, type(self).__name__)
        self._store(X)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Weighted share of each class among the neighbours, shape (n_queries, n_classes)."""
        index, weights = self._neighbours(X)
        votes = self._y[index]
        if weights is None:
            weights = np.ones(index.shape)
        n_queries = index.shape[0]
        proba = np.zeros((n_queries, self.classes_.size))
        np.add.at(proba, (np.repeat(np.arange(n_queries), index.shape[1]), votes.ravel()),
                  weights.ravel())  # fmt: skip
        total = proba.sum(axis=1, keepdims=True)
        total[total == 0.0] = 1.0
        return proba / total

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest weighted vote (ties: the first in ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KNeighborsRegressor(RegressorMixin, _KNeighbors):
    """k-nearest-neighbour regression: the weighted mean target of the k nearest rows.

    See the module docstring for the estimate; the parameters are those of
    :class:`KNeighborsClassifier`.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"} or callable, default="uniform"
    algorithm : {"auto", "brute", "kd_tree"}, default="auto"
    leaf_size : int, default=30
    p : float, default=2
    metric : {"minkowski", "euclidean", "manhattan", "cityblock", "chebyshev"}, \
default="minkowski"
    n_jobs : int or None, default=None

    Attributes
    ----------
    n_samples_fit_ : int
    effective_p_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.neighbors import KNeighborsRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.0, 1.0, 4.0, 9.0])
    >>> model = KNeighborsRegressor(n_neighbors=2).fit(X, y)
    >>> model.predict([[0.4], [2.6]]).tolist()
    [0.5, 6.5]
    """

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        """Store the training rows and targets (and build the KD-tree if used).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, multi_output=True)
        self._y = np.asarray(y, dtype=np.float64)
        self._store(X)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Weighted mean of the neighbours' targets, shape (n_queries,) or (n_queries, n_out)."""
        index, weights = self._neighbours(X)
        targets = self._y[index]  # (n_queries, k) or (n_queries, k, n_outputs)
        if weights is None:
            return targets.mean(axis=1)
        if targets.ndim == 3:
            weights = weights[:, :, None]
        return np.sum(targets * weights, axis=1) / np.sum(weights, axis=1)
