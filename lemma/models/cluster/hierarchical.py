"""Agglomerative (hierarchical) clustering and its dendrogram.

Start with every row its own cluster; repeatedly merge the two closest clusters A, B
until one remains. The merges form a binary tree (the dendrogram); cutting it gives
k clusters. "Closest" is the linkage:

    single     D(A, B) = min_{a∈A, b∈B} d(a, b)
    complete   D(A, B) = max_{a∈A, b∈B} d(a, b)
    average    D(A, B) = (1/|A||B|) Σ_{a∈A, b∈B} d(a, b)
    ward       D(A, B) = √(2|A||B| / (|A| + |B|)) ‖μ_A − μ_B‖   (Euclidean only)

Ward's merge is the one that least increases the within-cluster sum of squares
(the k-means objective): the increase is ``|A||B|/(|A|+|B|) ‖μ_A − μ_B‖²``, and the
recorded height is its square root times √2 (the Lance–Williams form SciPy uses).

The merges come from SciPy's ``linkage`` (nearest-neighbour chain for ward,
complete and average; minimum spanning tree for single; O(n²) memory for the
pairwise distances), stored as ``children_`` (merge i joins nodes ``children_[i]``
into node ``n + i``; nodes below n are rows) and ``distances_`` (merge heights).
Cutting for k clusters undoes the last k − 1 merges; a ``distance_threshold`` t
keeps the merges with height < t. Clusters are numbered in the order of their first
row (row 0 is in cluster 0).

Reference: Müllner, "Modern hierarchical, agglomerative clustering algorithms",
arXiv:1109.2378 (2011); Ward, "Hierarchical grouping to optimize an objective
function", JASA 58 (1963).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from lemma._constraints import Interval, Options
from lemma.base import BaseEstimator, ClusterMixin, Tags
from lemma.exceptions import DataValidationError, ParameterError
from lemma.validation import validate_data

__all__ = ["AgglomerativeClustering", "cut_tree", "dendrogram"]

#: Metric name → SciPy's ``pdist`` name.
_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "cityblock",
    "cityblock": "cityblock",
    "l1": "cityblock",
    "cosine": "cosine",
    "chebyshev": "chebyshev",
    "precomputed": "precomputed",
}


def cut_tree(children: np.ndarray, n_leaves: int, n_clusters: int) -> np.ndarray:
    """Cluster of each row after the first ``n_leaves − n_clusters`` merges.

    Parameters
    ----------
    children : ndarray of shape (n_leaves - 1, 2)
        Merge i joins these two nodes into node ``n_leaves + i``.
    n_leaves : int
    n_clusters : int

    Returns
    -------
    ndarray of int64, shape (n_leaves,)
        Labels ``0 … n_clusters − 1`` in the order of each cluster's first row.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import cut_tree
    >>> children = np.array([[0, 1], [2, 3], [4, 5]])   # (0,1), (2,3), then both
    >>> cut_tree(children, 4, 2).tolist()
    [0, 0, 1, 1]
    """
    kept = n_leaves - n_clusters
    owner = np.full(n_leaves + kept, -1, dtype=np.int64)
    merged = np.zeros(n_leaves + kept, dtype=bool)
    merged[children[:kept].ravel()] = True
    alive = np.flatnonzero(~merged)
    owner[alive] = np.arange(alive.size)
    for i in range(kept - 1, -1, -1):
        owner[children[i]] = owner[n_leaves + i]
    labels = owner[:n_leaves]
    _, first = np.unique(labels, return_index=True)  # first row of each cluster
    rank = np.empty(alive.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(alive.size)
    return rank[labels]


class AgglomerativeClustering(ClusterMixin, BaseEstimator):
    """Bottom-up merging by a linkage (ward, complete, average, single), cut at k clusters.

    Parameters
    ----------
    n_clusters : int or None, default=2
        Clusters to cut the tree into; None when ``distance_threshold`` is given.
    metric : {"euclidean", "manhattan", "cosine", "chebyshev", "precomputed", ...}
        Distance between rows ("precomputed": X is the n × n distance matrix).
        Ward needs "euclidean".
    linkage : {"ward", "complete", "average", "single"}, default="ward"
    distance_threshold : float or None, default=None
        Cut where merge heights reach this value (``n_clusters`` must be None).

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n_samples,)
    n_clusters_ : int
    n_leaves_ : int
    n_connected_components_ : int
        Always 1 (no connectivity constraint).
    children_ : ndarray of shape (n_samples - 1, 2)
    distances_ : ndarray of shape (n_samples - 1,)
        Height of each merge.
    linkage_matrix_ : ndarray of shape (n_samples - 1, 4)
        SciPy's linkage matrix (children, height, size), for
        :func:`dendrogram` or ``scipy.cluster.hierarchy``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import AgglomerativeClustering
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [4.0, 2.0], [4.0, 4.0], [4.0, 0.0]])
    >>> AgglomerativeClustering().fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None, closed="left"), None],
        "metric": [Options(set(_METRICS))],
        "linkage": [Options({"ward", "complete", "average", "single"})],
        "distance_threshold": [Interval(float, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: str = "euclidean",
        linkage: str = "ward",
        distance_threshold: float | None = None,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.linkage = linkage
        self.distance_threshold = distance_threshold

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.pairwise = self.metric == "precomputed"
        return tags

    def _check_settings(self, n_samples: int) -> None:
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ParameterError(
                "Exactly one of n_clusters and distance_threshold has to be set, and the "
                f"other None; got n_clusters={self.n_clusters!r}, distance_threshold="
                f"{self.distance_threshold!r}."
            )
        if self.linkage == "ward" and _METRICS[self.metric] != "euclidean":
            raise ParameterError(
                f"linkage='ward' works only with Euclidean distances; got metric="
                f"{self.metric!r}. Use linkage='average' or 'complete' for other metrics."
            )
        if self.n_clusters is not None and self.n_clusters > n_samples:
            raise DataValidationError(
                f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}: the tree "
                f"of {n_samples} rows cannot be cut into {self.n_clusters} clusters."
            )

    def fit(self, X: Any, y: Any = None) -> AgglomerativeClustering:
        """Build the merge tree with SciPy's linkage and cut it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
            Rows, or distances when ``metric="precomputed"``.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        self._check_settings(X.shape[0])
        metric = _METRICS[self.metric]
        if metric == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise DataValidationError(
                    f"With metric='precomputed', X must be a square distance matrix; got "
                    f"shape {X.shape}."
                )
            Z = hierarchy.linkage(squareform(X, checks=False), method=self.linkage)
        else:
            Z = hierarchy.linkage(X, method=self.linkage, metric=metric)
        n = X.shape[0]
        self.linkage_matrix_ = Z
        self.children_ = Z[:, :2].astype(np.intp)
        self.distances_ = Z[:, 2].copy()
        self.n_leaves_ = n
        self.n_connected_components_ = 1
        if self.n_clusters is None:
            self.n_clusters_ = int(np.count_nonzero(self.distances_ >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = self.n_clusters
        self.labels_ = cut_tree(self.children_, n, self.n_clusters_)
        return self


def dendrogram(
    model: Any,
    *,
    truncate_mode: str | None = None,
    p: int = 30,
    labels: Any = None,
    orientation: str = "top",
    color_threshold: float | None = None,
    ax: Any = None,
) -> dict[str, Any]:
    """The dendrogram of a fitted AgglomerativeClustering (or a SciPy linkage matrix).

    Parameters
    ----------
    model : AgglomerativeClustering or ndarray of shape (n - 1, 4)
    truncate_mode : {None, "lastp", "level"}
        Show only the last ``p`` merges ("lastp") or ``p`` levels ("level").
    p : int, default=30
    labels : sequence of str, optional
        Leaf names (one per row).
    orientation : {"top", "bottom", "left", "right"}, default="top"
    color_threshold : float, optional
        Colour the subtrees below this height (SciPy's default: 0.7 × max height).
    ax : matplotlib Axes, optional
        Draw into it; without it nothing is drawn (matplotlib is not imported).

    Returns
    -------
    dict
        SciPy's dendrogram data: ``icoord``, ``dcoord`` (the U-shaped links),
        ``ivl`` (leaf labels left to right), ``leaves``, ``color_list``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import AgglomerativeClustering, dendrogram
    >>> X = np.array([[0.0], [0.5], [5.0], [5.4]])
    >>> tree = dendrogram(AgglomerativeClustering(linkage="single").fit(X))
    >>> tree["ivl"], [round(float(h), 2) for h in sorted(max(d) for d in tree["dcoord"])]
    (['2', '3', '0', '1'], [0.4, 0.5, 4.5])
    """
    Z = model.linkage_matrix_ if hasattr(model, "linkage_matrix_") else np.asarray(model)
    if Z.ndim != 2 or Z.shape[1] != 4:
        raise DataValidationError(
            f"dendrogram needs a fitted AgglomerativeClustering or a SciPy linkage matrix "
            f"of shape (n - 1, 4); got an array of shape {Z.shape}."
        )
    return hierarchy.dendrogram(
        Z,
        p=p,
        truncate_mode=truncate_mode,
        labels=labels,
        orientation=orientation,
        color_threshold=color_threshold,
        no_plot=ax is None,
        ax=ax,
    )
