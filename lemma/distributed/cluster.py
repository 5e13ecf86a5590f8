"""k-means on Dask collections (k-means|| seeding, Lloyd's iterations), and ``partial_fit``
over partitions for the models that learn from batches.

**Lloyd.** One pass per iteration: each partition labels its rows by their nearest
centre (the in-memory kernel, :func:`lemma.models.cluster._kmeans_kernels.assign`)
and returns, per cluster, ``Σ wᵢxᵢ`` and ``Σ wᵢ`` and its inertia — k·d + k + 1
numbers; the client forms the weighted means. From the same initial centres the
labels at every iteration are the in-memory ones, so the run stops at the same
iteration with the same centres up to the rounding of the sums. Lloyd's stopping
rule "no label changed" is tested as "no centre moved": equal labels give equal
sums, hence equal centres. An empty cluster takes the rows farthest from their
centres (a pass finds each partition's farthest rows; ties to the first row, as
in memory). ``algorithm="elkan"`` gives Lloyd's labels, so Lloyd's iterations are run.

**k-means|| seeding** (Bahmani et al. 2012) replaces k-means++, whose k sequential
draws would each need a pass. A first centre is drawn with probability ∝ wᵢ; then,
for ``KMEANS_PARALLEL_ROUNDS`` rounds, every row joins the candidates independently
with probability ``min(1, ℓ·wᵢD(xᵢ)²/φ)``, ``φ = Σ wᵢD(xᵢ)²``, ``ℓ = 2k`` — one pass
per round, since a partition can pick its candidates before φ is known (it keeps the
rows that qualify for its own share φ_b ≤ φ; the reduction applies the final φ).
The candidates, weighted by the rows nearest to them, are reduced to k centres by
weighted k-means++ and Lloyd's iterations in memory. Its expected cost is within a
constant factor of the optimum, like k-means++'s.

**partial_fit** chains ``estimator.partial_fit`` over the partitions in order as Dask
tasks: the (small) estimator travels to the worker holding each partition.

Reference: Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28
(1982); Bahmani, Moseley, Vattani, Kumar & Vassilvitskii, "Scalable k-means++",
PVLDB 5(7), 2012.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from lemma.distributed._collections import (
    RowBlocks,
    block_weights,
    compute,
    lazy_apply,
    row_blocks,
)
from lemma.distributed.linear import record_features
from lemma.exceptions import ConvergenceWarning, DataValidationError, interop
from lemma.models.cluster import _kmeans_kernels as kernels
from lemma.models.cluster.kmeans import (
    _plusplus_indices,
    _run_kmeans,
    check_init_array,
    check_n_clusters,
)
from lemma.prep.scale import batch_moments, combine_moments
from lemma.validation import check_array, check_random_state

__all__ = ["KMEANS_PARALLEL_ROUNDS", "fit_kmeans", "kmeans_parallel", "partial_fit"]

#: Sampling rounds of the k-means|| seeding.
KMEANS_PARALLEL_ROUNDS = 5


def _read(Xb: Any, wb: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.ascontiguousarray(check_array(Xb, estimator_name="KMeans", ensure_min_samples=0),
                             dtype=np.float64)  # fmt: skip
    w = block_weights(wb, X.shape[0], "KMeans")
    return X, np.ones(X.shape[0]) if w is None else w


# ----------------------------------------------------------------------------- scan
def _scan_block(Xb, yb, wb):
    """Rows, positive-weight rows and unweighted column moments of one partition."""
    X, w = _read(Xb, wb)
    return X.shape[0], int(np.count_nonzero(w)), batch_moments(X)


def _merge_scan(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1], combine_moments(a[2], b[2])


def _lengths_block(Xb, yb, wb):
    return [len(Xb)]


# ----------------------------------------------------------------------------- seeding
def _streams(rng: np.random.RandomState, blocks: RowBlocks) -> np.ndarray:
    """One seed per partition, drawn from the estimator's generator."""
    return rng.randint(0, 2**31 - 1, size=blocks.n_partitions)


def _smallest_keys(Xb, yb, wb, b, seeds, size):
    """The ``size`` rows of smallest key ``Eᵢ/wᵢ`` (Eᵢ exponential): a weighted draw
    without replacement (Efraimidis & Spirakis 2006); zero weights never drawn."""
    X, w = _read(Xb, wb)
    keys = np.random.RandomState(seeds[b]).exponential(size=X.shape[0])
    with np.errstate(divide="ignore"):
        keys = np.where(w > 0, keys / w, np.inf)
    order = np.argsort(keys, kind="stable")[:size]
    order = order[np.isfinite(keys[order])]
    return keys[order], X[order]


def _merge_smallest(a: tuple, b: tuple) -> tuple:
    keys = np.r_[a[0], b[0]]
    order = np.argsort(keys, kind="stable")[: max(a[0].size, b[0].size)]
    return keys[order], np.vstack([a[1], b[1]])[order]


def _draw(blocks: RowBlocks, rng, size: int) -> np.ndarray:
    _, rows = blocks.reduce(_smallest_keys, _merge_smallest, _streams(rng, blocks), size,
                               with_index=True)  # fmt: skip
    return rows


def _candidates_block(Xb, yb, wb, b, seeds, centers, oversampling):
    """Rows that join the candidates for any φ ≥ this partition's φ_b, with their ratio."""
    X, w = _read(Xb, wb)
    closest = kernels.squared_distances_to(X, centers).min(axis=1)
    cost = float(w @ closest)
    u = np.random.RandomState(seeds[b]).uniform(size=X.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w * closest > 0, u / (w * closest), np.inf)
    keep = ratio < oversampling / cost if cost > 0 else np.zeros(X.shape[0], dtype=bool)
    return cost, ratio[keep], X[keep]


def _merge_candidates(a: tuple, b: tuple, oversampling: float) -> tuple:
    """Candidates of two groups of partitions, kept for their joint φ (still ≤ the total)."""
    cost = a[0] + b[0]
    ratio = np.r_[a[1], b[1]]
    rows = np.vstack([a[2], b[2]])
    keep = ratio < (oversampling / cost if cost > 0 else np.inf)
    return cost, ratio[keep], rows[keep]


def _nearest_weight_block(Xb, yb, wb, centers):
    """Total weight of the rows nearest to each candidate."""
    X, w = _read(Xb, wb)
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    kernels.assign(X, w, centers, labels, accumulate=False)
    return np.bincount(labels, weights=w, minlength=centers.shape[0])


def kmeans_parallel(blocks: RowBlocks, n_clusters: int, rng: np.random.RandomState,
                    rounds: int = KMEANS_PARALLEL_ROUNDS) -> np.ndarray:  # fmt: skip
    """Initial centres by k-means|| (module docstring), shape (n_clusters, n_features).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from lemma.distributed._collections import row_blocks
    >>> X = np.r_[np.zeros((50, 2)), np.full((50, 2), 10.0)] + np.arange(100)[:, None] * 1e-3
    >>> blocks = row_blocks(da.from_array(X, chunks=25), owner="demo")
    >>> centers = kmeans_parallel(blocks, 2, np.random.RandomState(0))
    >>> sorted(np.round(centers[:, 0]).tolist())
    [0.0, 10.0]
    """
    from lemma.distributed._collections import tree_reduce

    oversampling = 2.0 * n_clusters
    centers = _draw(blocks, rng, 1)
    merge = functools.partial(_merge_candidates, oversampling=oversampling)
    for _ in range(rounds):
        parts = blocks.map(_candidates_block, _streams(rng, blocks), centers, oversampling,
                           with_index=True)  # fmt: skip
        cost, _, rows = compute(tree_reduce(parts, merge))
        if cost == 0 or rows.shape[0] == 0:
            break
        centers = np.vstack([centers, rows])
    if centers.shape[0] < n_clusters:
        centers = np.vstack([centers, _draw(blocks, rng, n_clusters)])[: max(n_clusters, 1)]
    weights = blocks.reduce(_nearest_weight_block, lambda a, b: a + b, centers)
    seeds = _plusplus_indices(centers, weights + 1e-12 * weights.max(), n_clusters, rng)
    run = _run_kmeans(centers, weights, centers[seeds].copy(), 100, 0.0, "lloyd")
    return run["centers"]


# ----------------------------------------------------------------------------- Lloyd
def _lloyd_block(Xb, yb, wb, centers):
    """Per-cluster weighted sums, weights and row counts, and the inertia, of one partition."""
    X, w = _read(Xb, wb)
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    inertia, _, sums, weights = kernels.assign(X, w, centers, labels)
    return inertia, sums, weights, np.bincount(labels, minlength=centers.shape[0])


def _add_all(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _farthest_block(Xb, yb, wb, b, offsets, centers, size):
    """The ``size`` rows farthest from their nearest centre: distance, global row, row,
    weight and label."""
    X, w = _read(Xb, wb)
    labels = np.full(X.shape[0], -1, dtype=np.int32)
    kernels.assign(X, w, centers, labels, accumulate=False)
    diff = X - centers[labels]
    distances = np.einsum("ij,ij->i", diff, diff)
    order = np.argsort(-distances, kind="stable")[:size]
    return distances[order], offsets[b] + order, X[order], w[order], labels[order]


def _merge_farthest(a: tuple, b: tuple) -> tuple:
    distances, rows = np.r_[a[0], b[0]], np.r_[a[1], b[1]]
    order = np.lexsort((rows, -distances))[: max(a[0].size, b[0].size)]
    return (distances[order], rows[order], np.vstack([a[2], b[2]])[order], np.r_[a[3], b[3]][order],
            np.r_[a[4], b[4]][order])  # fmt: skip


def _relocate(blocks, offsets, centers, sums, weights) -> None:
    """In-memory ``_new_centers``'s relocation: empty clusters take the farthest rows."""
    empty = np.flatnonzero(weights == 0)
    _, _, rows, w, labels = blocks.reduce(_farthest_block, _merge_farthest, offsets, centers,
                                          empty.size, with_index=True)  # fmt: skip
    for cluster, x, weight, old in zip(empty, rows, w, labels, strict=False):
        sums[old] -= weight * x
        weights[old] -= weight
        sums[cluster] = weight * x
        weights[cluster] = weight


def _lloyd(blocks, offsets, centers, max_iter: int, tol: float) -> dict[str, Any]:
    """One run of Lloyd's iterations from ``centers`` (the in-memory ``_run_kmeans``)."""
    history: list[float] = []
    strict = converged = relocated = False
    shift = np.inf
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        inertia, sums, weights, counts = blocks.reduce(_lloyd_block, _add_all, centers)
        history.append(float(inertia))
        relocated = bool(np.any(weights == 0))
        if relocated:
            _relocate(blocks, offsets, centers, sums, weights)
        safe = np.where(weights > 0, weights, 1.0)
        new = np.where(weights[:, None] > 0, sums / safe[:, None], centers)
        shift = float(((new - centers) ** 2).sum())
        centers = new
        if shift == 0.0 and not relocated:
            strict = converged = True
            break
        if shift <= tol:
            converged = True
            break
    if not strict or relocated:
        inertia, _, _, counts = blocks.reduce(_lloyd_block, _add_all, centers)
    history.append(float(inertia))
    return {"inertia": float(inertia), "centers": centers, "n_iter": n_iter,
            "history": np.asarray(history), "converged": converged, "shift": shift,
            "distinct": int(np.count_nonzero(counts))}  # fmt: skip


def _initial(model, blocks, init, rng, n_positive: int) -> np.ndarray:
    if not isinstance(init, str):
        return init
    if init == "k-means++":
        return kmeans_parallel(blocks, model.n_clusters, rng)
    if n_positive < model.n_clusters:
        raise DataValidationError(
            f"init='random' needs n_clusters={model.n_clusters} rows of positive weight; "
            f"sample_weight has {n_positive}. Use init='k-means++' or fewer clusters."
        )
    return _draw(blocks, rng, model.n_clusters)


def fit_kmeans(model: Any, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """:meth:`KMeans.fit` on Dask collections (module docstring). ``labels_`` is lazy."""
    model._validate_params()
    blocks = row_blocks(X, None, sample_weight, owner="KMeans")
    n, n_positive, (count, _, m2) = blocks.reduce(_scan_block, _merge_scan)
    check_n_clusters(n, model.n_clusters, "KMeans")
    record_features(model, blocks)
    lengths = blocks.reduce(_lengths_block, lambda a, b: a + b)
    offsets = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    init = model.init
    if not isinstance(init, str):
        init = check_init_array(init, model.n_clusters, blocks.n_features, "KMeans")
    rng = check_random_state(model.random_state)
    tol = model.tol * float(np.mean(np.maximum(m2, 0.0) / count)) if model.tol > 0 else 0.0
    best: dict[str, Any] | None = None
    for _ in range(model._n_runs(default=10)):
        centers = np.array(_initial(model, blocks, init, rng, n_positive), dtype=np.float64)
        run = _lloyd(blocks, offsets, centers, model.max_iter, tol)
        if best is None or run["inertia"] < best["inertia"]:
            best = run
    if not best["converged"]:
        warnings.warn(
            f"KMeans did not converge in max_iter={model.max_iter} iterations: the last "
            f"squared centre shift was {best['shift']:.3g} (tolerance {tol:.3g}). Raise "
            "max_iter or tol.",
            interop(ConvergenceWarning),
            stacklevel=4,
        )
    if best["distinct"] < model.n_clusters:
        model._warn_distinct(np.arange(best["distinct"]))
    dtype = blocks.dtype if blocks.dtype == np.float32 else np.dtype(np.float64)
    model.cluster_centers_ = best["centers"].astype(dtype)
    model.inertia_ = best["inertia"]
    model.n_iter_ = best["n_iter"]
    model.history_ = best["history"]
    model.converged_ = best["converged"]
    model._n_features_out = model.n_clusters
    model.labels_ = lazy_apply(model, "predict", X)
    return model


# ----------------------------------------------------------------------------- partial_fit
def _partial_fit_block(estimator, Xb, yb, wb, batch_size, options):
    """``estimator.partial_fit`` on one partition, in batches of ``batch_size`` rows."""
    n = len(Xb)
    step = n if batch_size is None else batch_size
    for start in range(0, n, max(step, 1)):
        rows = slice(start, start + step)
        X = Xb.iloc[rows] if hasattr(Xb, "iloc") else Xb[rows]
        args = [] if yb is None else [yb.iloc[rows] if hasattr(yb, "iloc") else yb[rows]]
        extra = dict(options)
        if wb is not None:
            extra["sample_weight"] = wb.iloc[rows] if hasattr(wb, "iloc") else wb[rows]
        estimator.partial_fit(X, *args, **extra)
    return estimator


def partial_fit(estimator: Any, X: Any, y: Any = None, *, sample_weight: Any = None,
                epochs: int = 1, batch_size: int | None = None, **options: Any) -> Any:  # fmt: skip
    """Train ``estimator`` by ``partial_fit`` on every partition of Dask X, in order.

    The steps run as a chain of Dask tasks, each on the worker holding its partition;
    only the estimator moves between them.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        MiniBatchKMeans, StandardScaler, MLPClassifier, ... (its state is updated).
    X : dask array or dask DataFrame
    y : dask array or Series, optional
        Partitioned like X (classifiers: pass ``classes=`` on the first call).
    sample_weight : dask array or Series, optional
    epochs : int, default=1
        Passes over the partitions.
    batch_size : int, optional
        Rows per ``partial_fit`` call within a partition (default: the whole partition).
    **options
        Passed to every ``partial_fit`` call (e.g. ``classes``).

    Returns
    -------
    estimator

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from lemma.models.cluster import MiniBatchKMeans
    >>> X = np.tile([[0.0, 0.0], [5.0, 5.0]], (40, 1))
    >>> model = MiniBatchKMeans(2, init=np.array([[1.0, 1.0], [4.0, 4.0]]), reassignment_ratio=0)
    >>> model = partial_fit(model, da.from_array(X, chunks=20), batch_size=10)
    >>> model.cluster_centers_.round(3).tolist(), model.n_steps_
    ([[0.0, 0.0], [5.0, 5.0]], 8)
    """
    from dask import delayed

    if not hasattr(estimator, "partial_fit"):
        raise DataValidationError(
            f"{type(estimator).__name__} has no partial_fit; fit it with its own fit (on Dask "
            "input when lemma.distributed supports it) instead."
        )
    if batch_size is not None and batch_size < 1:
        raise DataValidationError(f"batch_size must be a positive int or None; got {batch_size}.")
    blocks = row_blocks(X, y, sample_weight, owner=type(estimator).__name__)
    step = delayed(_partial_fit_block, pure=True)
    state: Any = estimator
    ys = blocks.y or [None] * blocks.n_partitions
    ws = blocks.w or [None] * blocks.n_partitions
    for _ in range(epochs):
        for Xb, yb, wb in zip(blocks.X, ys, ws, strict=True):
            state = step(state, Xb, yb, wb, batch_size, options)
    fitted = compute(state)
    estimator.__dict__.update(fitted.__dict__)
    return estimator
