"""Mini-batch k-means: the k-means objective followed on random batches (Sculley 2010).

Objective: the inertia ``J(c) = Σᵢ wᵢ min_j ‖xᵢ − c_j‖²`` of k-means
(:mod:`lemma.models.cluster.kmeans`). Each step takes a batch B, labels its rows
by their nearest centre, and moves every centre to the running weighted mean of all
the rows it has ever been given:

    N_j ← N_j + Σ_{i∈B, a(i)=j} wᵢ
    c_j ← c_j + Σ_{i∈B, a(i)=j} wᵢ (xᵢ − c_j) / N_j        (per-centre step size wᵢ/N_j)

— a stochastic gradient step on J with learning rate ``1/N_j``. ``N_j`` is the weight
seen so far by centre j (``counts_``).

Batches. ``fit`` draws batch t as ``searchsorted(cumsum(w), U·Σw)`` with
``U = random_state.uniform(size=batch_size)``: rows drawn with replacement, with
probability ∝ wᵢ, then counted with unit weight. ``partial_fit(B)`` performs one
step on exactly the rows of B (with their weights). Hence, from the same initial
centres (``init`` an array, so seeding draws nothing), with ``reassignment_ratio=0``
(no random reassignment), ``tol=0`` and ``max_no_improvement=None`` (no early stop),
``fit(X)`` equals ``partial_fit(X[b₁])``, ``partial_fit(X[b₂])``, … on the batches
``b_t`` it draws, to the last bit: both call the same step. That is the determinism
guaranteed; other settings add random reassignments or an early stop.

Reassignment (scikit-learn's heuristic): every ``10 k`` rows seen (and whenever a
centre has seen nothing), centres whose count is below ``reassignment_ratio ×
max_j N_j`` jump to random rows of the batch and get the smallest other count.
Early stop: when the squared centre move of a step is at most ``tol ×
mean_j Var(x_{·j})``, or when an exponentially weighted average of the batch
inertia (weight ``2·batch_size/(n + 1)``) has not improved for
``max_no_improvement`` steps.

Reference: Sculley, "Web-scale k-means clustering", WWW 2010.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma._constraints import ARRAY_LIKE, BOOL, RANDOM_STATE, Interval, Options
from lemma.models.cluster import _kmeans_kernels as kernels
from lemma.models.cluster.kmeans import _BaseKMeans, _initial_centers, check_init_array
from lemma.validation import check_random_state, check_sample_weight, validate_data

__all__ = ["MiniBatchKMeans"]


def _draw_batch(rng: np.random.RandomState, cumulative: np.ndarray, size: int) -> np.ndarray:
    """Rows drawn with replacement with probability ∝ weight (``cumulative = cumsum(w)``)."""
    draws = rng.uniform(size=size) * cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, draws, side="right"), cumulative.size - 1)


def _step(X, w, centers, counts, rng, reassign: bool, ratio: float) -> tuple[float, np.ndarray]:
    """One mini-batch step (in place on ``centers`` and ``counts``).

    Returns the batch inertia with respect to the centres before the step and the
    batch's labels.
    """
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    inertia, _, sums, weights = kernels.assign(X, w, centers, labels)
    seen = weights > 0
    total = counts[seen] + weights[seen]
    centers[seen] = (centers[seen] * counts[seen, None] + sums[seen]) / total[:, None]
    counts[seen] = total
    if reassign and ratio > 0:
        low = counts < ratio * counts.max()
        if low.sum() > 0.5 * X.shape[0]:
            low[np.argsort(counts, kind="stable")[int(0.5 * X.shape[0]) :]] = False
        if low.any():
            rows = rng.choice(X.shape[0], size=int(low.sum()), replace=False)
            centers[low] = X[rows]
            counts[low] = counts[~low].min()
    return inertia, labels


class MiniBatchKMeans(_BaseKMeans):
    """k-means on random mini-batches, with ``partial_fit`` for data that arrive in pieces.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features)
        Seeding, run on ``init_size`` random rows.
    max_iter : int, default=100
        Passes over the data: ``max_iter · n / batch_size`` steps at most.
    batch_size : int, default=1024
    compute_labels : bool, default=True
        Label every row (and compute ``inertia_``) after fitting.
    random_state : int, RandomState or None
    tol : float, default=0.0
        Stop when a step moves the centres (squared, summed) by at most
        ``tol × mean feature variance``; 0 disables the rule.
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch
        inertia; None disables the rule.
    init_size : int or None, default=None
        Rows used for seeding; default ``3 · batch_size`` (at least ``3k``).
    n_init : "auto" or int, default="auto"
        Seedings tried (the best on a validation sample wins); "auto": 1 for
        k-means++, 3 for "random".
    reassignment_ratio : float in [0, 1], default=0.01
        Centres with fewer than this share of the largest count are moved to
        random rows.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of int32, shape (n_samples,)
        When ``compute_labels``.
    inertia_ : float
        Inertia of the training rows (when ``compute_labels``), else the smoothed
        batch inertia times the total weight.
    counts_ : ndarray of shape (n_clusters,)
        Weight each centre has absorbed.
    n_steps_ : int
        Mini-batch steps performed.
    n_iter_ : int
        Passes over the data, ``⌈n_steps_ · batch_size / n⌉``.
    history_ : ndarray of shape (n_steps_,)
        Mean inertia of each batch before its step (a noisy estimate of the
        objective per row; it need not decrease at every step).

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import MiniBatchKMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> model = MiniBatchKMeans(n_clusters=2, batch_size=6, random_state=0).fit(X)
    >>> sorted(model.cluster_centers_.round(0).tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None, closed="left")],
        "init": [Options({"k-means++", "random"}), ARRAY_LIKE],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "batch_size": [Interval(int, 1, None, closed="left")],
        "compute_labels": [BOOL],
        "random_state": [RANDOM_STATE],
        "tol": [Interval(float, 0, None, closed="left")],
        "max_no_improvement": [Interval(int, 0, None, closed="left"), None],
        "init_size": [Interval(int, 1, None, closed="left"), None],
        "n_init": [Options({"auto"}), Interval(int, 1, None, closed="left")],
        "reassignment_ratio": [Interval(float, 0, 1, closed="both")],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: str | int = "auto",
        reassignment_ratio: float = 0.01,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio

    def _init_rows(self, n_samples: int, batch_size: int) -> int:
        size = self.init_size if self.init_size is not None else 3 * batch_size
        return min(max(size, 3 * self.n_clusters), n_samples)

    def _seed(self, X, w, rng, batch_size) -> np.ndarray:
        """Initial centres: given, or the best of ``n_init`` seedings on random subsets."""
        if not isinstance(self.init, str):
            return check_init_array(self.init, self.n_clusters, X.shape[1], type(self).__name__)
        size = self._init_rows(X.shape[0], batch_size)
        valid = rng.randint(0, X.shape[0], size)
        labels = np.full(size, -1, dtype=np.int32)
        best, best_inertia = None, np.inf
        for _ in range(self._n_runs(default=3)):
            subset = rng.randint(0, X.shape[0], size)
            centers = _initial_centers(X[subset], w[subset], self.n_clusters, self.init, rng)
            inertia = kernels.assign(X[valid], w[valid], centers, labels, accumulate=False)[0]
            if best is None or inertia < best_inertia:
                best, best_inertia = centers, inertia
        return best

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Seed, then take mini-batch steps until a stopping rule or ``max_iter`` passes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Batches are drawn with probability ∝ weight.

        Returns
        -------
        self
        """
        self._validate_params()
        X, w = self._check_fit_input(X, sample_weight)
        n = X.shape[0]
        rng = check_random_state(self.random_state)
        batch_size = min(self.batch_size, n)
        centers = self._seed(X, w, rng, batch_size)
        counts = np.zeros(self.n_clusters)
        tol = self.tol * kernels.mean_column_variance(X) if self.tol > 0 else 0.0
        cumulative = np.cumsum(w)
        unit = np.ones(batch_size)
        monitor = _EarlyStop(n, batch_size, tol, self.max_no_improvement)
        history = []
        since_reassign = 0
        n_steps = max(1, (self.max_iter * n) // batch_size)
        for _ in range(n_steps):
            since_reassign += batch_size
            reassign = bool((counts == 0).any()) or since_reassign >= 10 * self.n_clusters
            if reassign:
                since_reassign = 0
            before = centers.copy() if tol > 0 else centers
            batch = X[_draw_batch(rng, cumulative, batch_size)]
            inertia, _ = _step(batch, unit, centers, counts, rng, reassign,
                               self.reassignment_ratio)  # fmt: skip
            history.append(inertia / batch_size)
            moved = float(((centers - before) ** 2).sum()) if tol > 0 else 0.0
            if monitor.stop(inertia / batch_size, moved):
                break
        self.n_steps_ = len(history)
        self.n_iter_ = int(np.ceil(self.n_steps_ * batch_size / n))
        self.history_ = np.asarray(history)
        self.counts_ = counts
        self._rng_state, self._since_reassign = rng.get_state(), since_reassign  # partial_fit
        self._finish(X, w, centers, monitor.ewa)
        return self

    def _finish(self, X, w, centers, ewa) -> None:
        self.cluster_centers_ = centers.astype(X.dtype)
        self._n_features_out = self.n_clusters
        if self.compute_labels:
            labels = np.full(X.shape[0], -1, dtype=np.int32)
            self.inertia_ = kernels.assign(X, w, centers, labels, accumulate=False)[0]
            self.labels_ = labels
            self._warn_distinct(labels)
        else:
            self.inertia_ = float(ewa * w.sum())

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """One mini-batch step on the rows of X (seeding from X on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        first = not hasattr(self, "cluster_centers_")
        if first:
            self._validate_params()
            X, w = self._check_fit_input(X, sample_weight)
            rng = check_random_state(self.random_state)
            centers = self._seed(X, w, rng, X.shape[0])
            self.counts_ = np.zeros(self.n_clusters)
            self.n_steps_ = 0
            self._since_reassign = 0
            self.history_ = np.empty(0)
        else:
            X = validate_data(self, X, dtype=(np.float64, np.float32), order="C", reset=False)
            w = check_sample_weight(sample_weight, X.shape[0])
            centers = self.cluster_centers_.astype(np.float64)
            rng = np.random.RandomState()
            rng.set_state(self._rng_state)
        self._since_reassign += X.shape[0]
        reassign = bool((self.counts_ == 0).any()) or self._since_reassign >= 10 * self.n_clusters
        if reassign:
            self._since_reassign = 0
        inertia, labels = _step(X, w, centers, self.counts_, rng, reassign,
                                self.reassignment_ratio)  # fmt: skip
        self._rng_state = rng.get_state()  # kept as plain values: a saved model reloads it
        self.n_steps_ += 1
        self.n_iter_ = self.n_steps_
        self.history_ = np.append(self.history_, inertia / w.sum())
        self.cluster_centers_ = centers.astype(X.dtype)
        self._n_features_out = self.n_clusters
        if self.compute_labels:
            self.inertia_ = kernels.assign(X, w, centers, labels, accumulate=False)[0]
            self.labels_ = labels
        return self


class _EarlyStop:
    """scikit-learn's two stopping rules of mini-batch k-means (see the module docstring)."""

    def __init__(self, n: int, batch_size: int, tol: float, patience: int | None):
        self.alpha = min(2.0 * batch_size / (n + 1), 1.0)
        self.tol = tol
        self.patience = patience
        self.ewa: float = np.nan
        self.best = np.inf
        self.stale = 0
        self.steps = 0

    def stop(self, batch_inertia: float, moved: float) -> bool:
        """Record one step; True when a rule says stop (the first step is never judged)."""
        self.steps += 1
        if self.steps == 1:
            self.ewa = batch_inertia  # inertia of the seeding: not judged
            return False
        if self.steps == 2:
            self.ewa = batch_inertia
        else:
            self.ewa = self.ewa * (1 - self.alpha) + batch_inertia * self.alpha
        if self.tol > 0 and moved <= self.tol:
            return True
        if self.ewa < self.best:
            self.best, self.stale = self.ewa, 0
        else:
            self.stale += 1
        return self.patience is not None and self.stale >= self.patience
