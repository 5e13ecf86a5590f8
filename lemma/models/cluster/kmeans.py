"""k-means: the within-cluster sum of squares, minimised by Lloyd's alternation or Elkan's.

Objective. For rows x₁ … x_n with weights wᵢ, k centres c₁ … c_k and a label
``a(i) ∈ {1 … k}`` per row, minimise the inertia

    J(a, c) = Σᵢ wᵢ ‖xᵢ − c_{a(i)}‖².

Lloyd's algorithm alternates the two exact partial minimisations:

    E-step  a(i) ← argmin_j ‖xᵢ − c_j‖²               (nearest centre; ties → lowest j)
    M-step  c_j ← Σ_{a(i)=j} wᵢ xᵢ / Σ_{a(i)=j} wᵢ    (weighted mean of the cluster)

Each step can only lower J, so ``J(a_t, c_t)`` never increases; ``history_[t]`` is
``J(a_t, c_t)`` with ``a_t`` the assignment to the centres ``c_t`` of iteration t.
Distances are ``‖x‖² − 2x·c + ‖c‖²`` (one matrix product per row block; see
:mod:`lemma.models.cluster._kmeans_kernels`). Elkan's variant gives the same labels
while skipping distances that the triangle inequality rules out. An empty cluster
is given the rows farthest from their centres.

Stopping (scikit-learn's rule): after an M-step, stop when no label changed
("strict convergence"), or when the total squared centre shift ``Σ_j ‖c_j⁺ − c_j‖²``
is at most ``tol × mean_j Var(x_{·j})``; in the second case one more E-step makes
the labels those of the final centres.

k-means++ seeding (greedy variant): the first centre is a row drawn with
probability ∝ wᵢ; each next one is the best, by the resulting inertia, of
``2 + ⌊ln k⌋`` rows drawn with probability ∝ wᵢ D(xᵢ)², D being the distance to the
nearest centre chosen so far. The expected inertia of plain k-means++ is within
``8(ln k + 2)`` of the optimum.

Reference: Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28
(1982); Elkan, ICML 2003; Arthur & Vassilvitskii, SODA 2007.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lemma._constraints import ARRAY_LIKE, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClusterMixin, Tags, TransformerMixin
from lemma.distributed import apply_distributed, fit_distributed, is_dask_collection
from lemma.exceptions import ConvergenceWarning, DataValidationError, interop
from lemma.models.cluster import _kmeans_kernels as kernels
from lemma.models.decomposition._names import ClassNamePrefixFeaturesOutMixin
from lemma.validation import (
    check_array,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["KMeans", "kmeans_plusplus"]


# ----------------------------------------------------------------------------- helpers
def check_n_clusters(n_samples: int, n_clusters: int, owner: str, what: str = "clusters") -> None:
    """Refuse more clusters (or components) than rows, saying what to do."""
    if n_samples < n_clusters:
        raise DataValidationError(
            f"n_samples={n_samples} should be >= n_{what}={n_clusters}: {owner} cannot form "
            f"{n_clusters} {what} from {n_samples} rows. Lower n_{what} or pass more rows."
        )


def kmeans_plusplus(
    X: Any,
    n_clusters: int,
    *,
    sample_weight: Any = None,
    random_state: Any = None,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Initial centres by greedy k-means++ seeding.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
        Number of centres (at most ``n_samples``).
    sample_weight : array-like of shape (n_samples,), optional
    random_state : int, RandomState or None
    n_local_trials : int, optional
        Candidates tried per centre; default ``2 + ⌊ln k⌋``.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Rows of X (in X's dtype).
    indices : ndarray of shape (n_clusters,)
        Their positions in X.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import kmeans_plusplus
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]])
    >>> centers, indices = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(int(i) // 2 for i in indices)   # one centre from each pair
    [0, 1]
    """
    X = check_array(X, estimator_name="kmeans_plusplus", order="C")
    check_n_clusters(X.shape[0], n_clusters, "kmeans_plusplus")
    w = check_sample_weight(sample_weight, X.shape[0])
    rng = check_random_state(random_state)
    indices = _plusplus_indices(X, w, n_clusters, rng, n_local_trials)
    return X[indices].copy(), indices


def _plusplus_indices(X, w, k, rng, n_local_trials=None) -> np.ndarray:
    """Row positions of the greedy k-means++ centres (see the module docstring)."""
    n_trials = 2 + int(np.log(k)) if n_local_trials is None else n_local_trials
    indices = np.empty(k, dtype=np.int64)
    indices[0] = rng.choice(X.shape[0], p=w / w.sum())
    closest = kernels.squared_distances_to(X, X[indices[:1]].astype(np.float64))[:, 0]
    for c in range(1, k):
        cumulative = np.cumsum(w * closest)
        draws = rng.uniform(size=n_trials) * cumulative[-1]
        candidates = np.minimum(np.searchsorted(cumulative, draws), X.shape[0] - 1)
        potentials = kernels.candidate_potentials(X, w, X[candidates].astype(np.float64), closest)
        indices[c] = candidates[int(np.argmin(potentials))]
        new = kernels.squared_distances_to(X, X[indices[c : c + 1]].astype(np.float64))
        np.minimum(closest, new[:, 0], out=closest)
    return indices


def _random_indices(X, w, k, rng) -> np.ndarray:
    """k distinct rows drawn with probability ∝ wᵢ."""
    positive = int(np.count_nonzero(w))
    if positive < k:
        raise DataValidationError(
            f"init='random' needs n_clusters={k} rows of positive weight; sample_weight has "
            f"{positive}. Use init='k-means++' or fewer clusters."
        )
    return rng.choice(X.shape[0], size=k, replace=False, p=w / w.sum())


def _initial_centers(X, w, k, init, rng) -> np.ndarray:
    if isinstance(init, str):
        pick = _plusplus_indices if init == "k-means++" else _random_indices
        return X[pick(X, w, k, rng)].astype(np.float64)
    return init


def check_init_array(init: Any, n_clusters: int, n_features: int, owner: str) -> np.ndarray:
    """Validate explicit initial centres: shape (n_clusters, n_features), finite."""
    centers = check_array(init, name="init", estimator_name=owner, dtype=np.float64, copy=True)
    if centers.shape != (n_clusters, n_features):
        raise DataValidationError(
            f"init has shape {centers.shape}, but {owner} needs one centre per cluster and "
            f"one value per feature: shape ({n_clusters}, {n_features})."
        )
    return centers


def _new_centers(X, w, centers, labels, sums, weights) -> tuple[np.ndarray, bool]:
    """M-step: weighted means; empty clusters take the rows farthest from their centre."""
    empty = np.flatnonzero(weights == 0)
    if empty.size:
        diff = X - centers[labels]
        distances = np.einsum("ij,ij->i", diff, diff)
        farthest = np.argsort(-distances, kind="stable")[: empty.size]
        for cluster, row in zip(empty, farthest, strict=False):
            old = labels[row]
            sums[old] -= w[row] * X[row]
            weights[old] -= w[row]
            sums[cluster] = w[row] * X[row]
            weights[cluster] = w[row]
    safe = np.where(weights > 0, weights, 1.0)
    new = np.where(weights[:, None] > 0, sums / safe[:, None], centers)
    return new, bool(empty.size)


def _run_kmeans(X, w, centers, max_iter, tol, algorithm) -> dict[str, Any]:
    """One k-means run from ``centers``: labels, inertia, centres, iterations, history."""
    n, k = X.shape[0], centers.shape[0]
    labels = np.full(n, -1, dtype=np.int32)
    elkan = algorithm == "elkan"
    if elkan:
        upper, lower, shift = np.zeros(n), np.zeros((n, k)), np.zeros(k)
    history: list[float] = []
    strict = converged = relocated = False
    centre_shift = np.inf
    for iteration in range(max_iter):
        if elkan:
            inertia, changed, sums, weights = kernels.elkan_assign(
                X, w, centers, shift, labels, upper, lower, first=iteration == 0
            )
        else:
            inertia, changed, sums, weights = kernels.assign(X, w, centers, labels)
        history.append(inertia)
        new, relocated = _new_centers(X, w, centers, labels, sums, weights)
        moves = ((new - centers) ** 2).sum(axis=1)
        centre_shift = float(moves.sum())
        if elkan:
            shift = np.sqrt(moves)
        centers = new
        if changed == 0:
            strict = converged = True
            break
        if centre_shift <= tol:
            converged = True
            break
    if not strict or relocated:
        inertia = kernels.assign(X, w, centers, labels, accumulate=False)[0]
    history.append(inertia)
    return {
        "labels": labels,
        "inertia": inertia,
        "centers": centers,
        "n_iter": iteration + 1,
        "history": np.asarray(history),
        "converged": converged,
        "shift": centre_shift,
    }


# ----------------------------------------------------------------------------- estimators
class _BaseKMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """What KMeans and MiniBatchKMeans share: prediction, distances, score, checks."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_fit_input(self, X: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray]:
        X = validate_data(self, X, dtype=(np.float64, np.float32), order="C")
        check_n_clusters(X.shape[0], self.n_clusters, type(self).__name__)
        w = check_sample_weight(sample_weight, X.shape[0])
        return X, w

    def _n_runs(self, default: int) -> int:
        if not isinstance(self.init, str):
            return 1  # every run would start from the same centres
        if self.n_init == "auto":
            return 1 if self.init == "k-means++" else default
        return self.n_init

    def _check_new(self, X: Any) -> np.ndarray:
        self._check_is_fitted()
        return validate_data(self, X, dtype=(np.float64, np.float32), order="C", reset=False)

    def _warn_distinct(self, labels: np.ndarray) -> None:
        found = np.unique(labels).size
        if found < self.n_clusters:
            warnings.warn(
                f"{type(self).__name__} found {found} distinct clusters, fewer than "
                f"n_clusters={self.n_clusters}: X probably has duplicate rows (fewer distinct "
                "points than clusters). Lower n_clusters.",
                interop(ConvergenceWarning),
                stacklevel=3,
            )

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest centre of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int32, shape (n_samples,)
        """
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        X = self._check_new(X)
        labels = np.full(X.shape[0], -1, dtype=np.int32)
        centers = self.cluster_centers_.astype(np.float64)
        kernels.assign(X, np.ones(X.shape[0]), centers, labels, accumulate=False)
        return labels

    def transform(self, X: Any) -> Any:
        """Euclidean distance of each row to each centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
            In X's dtype; a DataFrame ``kmeans0, ...`` for DataFrame input.
        """
        if is_dask_collection(X):
            return apply_distributed(self, "transform", X)
        Xa = self._check_new(X)
        squared = kernels.squared_distances_to(Xa, self.cluster_centers_.astype(np.float64))
        return self._wrap_output(np.sqrt(squared).astype(Xa.dtype, copy=False), X)

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """Fit, then return the distances of the training rows to the centres."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Minus the inertia of X with respect to the fitted centres (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        X = self._check_new(X)
        w = check_sample_weight(sample_weight, X.shape[0])
        labels = np.full(X.shape[0], -1, dtype=np.int32)
        centers = self.cluster_centers_.astype(np.float64)
        return -kernels.assign(X, w, centers, labels, accumulate=False)[0]


class KMeans(_BaseKMeans):
    """k-means clustering: minimise ``Σᵢ wᵢ ‖xᵢ − c_{a(i)}‖²`` (Lloyd or Elkan iterations).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters k (at most the number of rows).
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features)
        Seeding: greedy k-means++, k distinct rows at random, or given centres.
    n_init : "auto" or int, default="auto"
        Runs from different seeds; the lowest inertia wins. "auto": 1 for
        k-means++ and given centres, 10 for "random". Given centres always run once.
    max_iter : int, default=300
        Iterations (E-step + M-step) per run.
    tol : float, default=1e-4
        Stop when the total squared centre shift is at most ``tol`` times the mean
        feature variance (or when no label changes).
    algorithm : {"lloyd", "elkan"}, default="lloyd"
        Elkan's bounds skip distances (same labels; fewer distance computations,
        n × k memory for the bounds).
    random_state : int, RandomState or None
        Seeds the initialisation.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of int32, shape (n_samples,)
    inertia_ : float
        ``Σᵢ wᵢ ‖xᵢ − c_{labels_[i]}‖²``.
    n_iter_ : int
        Iterations of the best run.
    history_ : ndarray of shape (n_iter_ + 1,)
        Inertia after each E-step of the best run, then ``inertia_``; never increases.
    converged_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import KMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> model = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(model.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> float(model.inertia_), model.predict([[0.0, 0.0]]).tolist() == [model.labels_[0]]
    (16.0, True)
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None, closed="left")],
        "init": [Options({"k-means++", "random"}), ARRAY_LIKE],
        "n_init": [Options({"auto"}), Interval(int, 1, None, closed="left")],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "tol": [Interval(float, 0, None, closed="left")],
        "algorithm": [Options({"lloyd", "elkan"})],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | Any = "k-means++",
        n_init: str | int = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        algorithm: str = "lloyd",
        random_state: Any = None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.algorithm = algorithm
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Cluster X: ``n_init`` runs of Lloyd's (or Elkan's) iterations, keep the best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Row weights in the inertia and the centre means (and in k-means++ draws).

        Returns
        -------
        self
        """
        if is_dask_collection(X):
            return fit_distributed(self, X, y, sample_weight)
        self._validate_params()
        X, w = self._check_fit_input(X, sample_weight)
        init = self.init
        if not isinstance(init, str):
            init = check_init_array(init, self.n_clusters, X.shape[1], "KMeans")
        rng = check_random_state(self.random_state)
        tol = self.tol * kernels.mean_column_variance(X) if self.tol > 0 else 0.0
        best: dict[str, Any] | None = None
        for _ in range(self._n_runs(default=10)):
            centers = _initial_centers(X, w, self.n_clusters, init, rng)
            run = _run_kmeans(X, w, centers, self.max_iter, tol, self.algorithm)
            if best is None or run["inertia"] < best["inertia"]:
                best = run
        if not best["converged"]:
            warnings.warn(
                f"KMeans did not converge in max_iter={self.max_iter} iterations: the last "
                f"squared centre shift was {best['shift']:.3g} (tolerance {tol:.3g}). Raise "
                "max_iter or tol.",
                interop(ConvergenceWarning),
                stacklevel=2,
            )
        self._warn_distinct(best["labels"])
        self.cluster_centers_ = best["centers"].astype(X.dtype)
        self.labels_ = best["labels"]
        self.inertia_ = float(best["inertia"])
        self.n_iter_ = best["n_iter"]
        self.history_ = best["history"]
        self.converged_ = best["converged"]
        self._n_features_out = self.n_clusters
        return self
