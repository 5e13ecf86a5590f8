"""Clustering metrics: how compact and separated clusters are, and how they match known classes.

Internal criteria (data X, labels, no ground truth; k clusters, centroids c_j,
overall mean x̄, n_j rows in cluster j):

    silhouette   s(i) = (b(i) − a(i)) / max(a(i), b(i)), a(i) the mean distance from row i
                 to the other rows of its cluster, b(i) the smallest mean distance to the
                 rows of another cluster; s(i) = 0 in a cluster of one. Score: mean s(i).
    Davies–Bouldin   DB = (1/k) Σ_i max_{j≠i} (S_i + S_j) / ‖c_i − c_j‖,
                 S_i the mean distance of cluster i's rows to c_i (lower is better).
    Calinski–Harabasz   CH = [B / (k − 1)] / [W / (n − k)],
                 B = Σ_j n_j ‖c_j − x̄‖², W = Σ_i ‖xᵢ − c_{label(i)}‖² (higher is better).

External criteria (true classes C, predicted clusters K; contingency table n_ck,
row sums a_c, column sums b_k, entropies with natural logarithms):

    Rand index over pairs: RI = (pairs together in both + pairs apart in both) / C(n, 2);
    ARI = (Σ C(n_ck, 2) − E) / (½[Σ C(a_c, 2) + Σ C(b_k, 2)] − E),
          E = Σ C(a_c, 2) Σ C(b_k, 2) / C(n, 2)   (0 in expectation for random labels).
    mutual information I(C; K) = Σ (n_ck / n) log(n n_ck / (a_c b_k));
    NMI = I / mean(H(C), H(K)) (arithmetic mean by default; geometric, min or max);
    homogeneity h = I / H(C) (each cluster holds one class), completeness c = I / H(K)
    (each class sits in one cluster), V-measure = (1 + β) h c / (β h + c).

Conventions follow scikit-learn's so values agree with it: a labelling compared with
itself, or two single-cluster labellings, scores 1; h (or c) is 1 when H(C) (or H(K))
is 0. ``silhouette_score(sample_size=m)`` is the silhouette of m rows drawn without
replacement (``random_state.permutation(n)[:m]``, scikit-learn's draw), an estimate
of the full mean whose Monte-Carlo error is about ``sd(s)/√m``.

Reference: Rousseeuw, "Silhouettes", J. Comput. Appl. Math. 20 (1987); Davies &
Bouldin, IEEE PAMI 1 (1979); Caliński & Harabasz, Comm. Stat. 3 (1974); Hubert &
Arabie, "Comparing partitions", J. Classification 2 (1985); Vinh, Epps & Bailey,
JMLR 11 (2010); Rosenberg & Hirschberg, "V-measure", EMNLP 2007.

Examples
--------
>>> from lemma.metrics import adjusted_rand_score, normalized_mutual_info_score
>>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
1.0
>>> round(normalized_mutual_info_score([0, 0, 1, 1], [0, 0, 1, 2]), 6)
0.8
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from lemma.exceptions import DataValidationError, ParameterError
from lemma.metrics._validation import as_label_array, check_lengths, unique_codes
from lemma.validation import check_array, check_random_state

__all__ = [
    "adjusted_rand_score",
    "calinski_harabasz_score",
    "completeness_score",
    "contingency_matrix",
    "davies_bouldin_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "rand_score",
    "silhouette_samples",
    "silhouette_score",
    "v_measure_score",
]

#: Metric name → SciPy's ``cdist`` name.
_DISTANCES = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "cityblock",
    "cityblock": "cityblock",
    "l1": "cityblock",
    "cosine": "cosine",
    "chebyshev": "chebyshev",
    "sqeuclidean": "sqeuclidean",
}

#: Floats per block of pairwise distances (64 MB).
_BLOCK_FLOATS = 2**23


# ------------------------------------------------------------------- internal criteria
def _check_X_labels(X: Any, labels: Any, metric: str) -> tuple[np.ndarray, np.ndarray, int]:
    """X validated, labels as codes ``0..k-1``, and k (which must be in [2, n − 1])."""
    X = check_array(X, estimator_name=metric)
    labels_arr, _ = as_label_array(labels, "labels", metric)
    check_lengths(X=X, labels=labels_arr)
    _, codes = unique_codes(labels_arr)
    k = int(codes.max()) + 1
    n = X.shape[0]
    if not 2 <= k <= n - 1:
        raise DataValidationError(
            f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive) = "
            f"{n - 1}: {metric} compares clusters, so it needs at least 2 clusters and at "
            "least one cluster with 2 rows."
        )
    return X, codes, k


def _distance_rows(X: np.ndarray, rows: slice, metric: str) -> np.ndarray:
    if metric == "precomputed":
        return X[rows]
    return cdist(X[rows], X, metric=_DISTANCES[metric])


def _check_metric(X: np.ndarray, metric: str) -> None:
    if metric != "precomputed" and metric not in _DISTANCES:
        raise ParameterError(
            f"metric must be 'precomputed' or one of {sorted(_DISTANCES)}; got {metric!r}."
        )
    if metric == "precomputed":
        if X.shape[0] != X.shape[1]:
            raise DataValidationError(
                f"With metric='precomputed', X must be a square distance matrix; got shape "
                f"{X.shape}."
            )
        if np.any(np.abs(np.diag(X)) > 100 * np.finfo(X.dtype).eps):
            raise DataValidationError(
                "The precomputed distance matrix contains non-zero elements on the diagonal; "
                "a row's distance to itself must be 0."
            )


def silhouette_samples(X: Any, labels: Any, *, metric: str = "euclidean") -> np.ndarray:
    """Silhouette ``s(i) = (b − a) / max(a, b)`` of every row.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
        Rows, or distances when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
        Cluster of each row (2 to n − 1 distinct values).
    metric : str, default="euclidean"
        "euclidean", "manhattan", "cosine", "chebyshev", "sqeuclidean" or "precomputed".

    Returns
    -------
    ndarray of shape (n_samples,)
        Values in [−1, 1]; 0 for a row alone in its cluster.

    Examples
    --------
    >>> from lemma.metrics import silhouette_samples
    >>> silhouette_samples([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]).round(3)
    array([0.905, 0.895, 0.895, 0.905])
    """
    X, codes, k = _check_X_labels(X, labels, "silhouette_samples")
    _check_metric(X, metric)
    n = X.shape[0]
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    out = np.empty(n)
    block = max(1, min(n, _BLOCK_FLOATS // n))
    for first in range(0, n, block):
        rows = slice(first, min(first + block, n))
        sums = np.add.reduceat(_distance_rows(X, rows, metric)[:, order], starts, axis=1)
        own = codes[rows]
        index = np.arange(own.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = sums[index, own] / (sizes[own] - 1)
            sums[index, own] = np.inf
            b = (sums / sizes).min(axis=1)
            out[rows] = (b - a) / np.maximum(a, b)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def silhouette_score(
    X: Any,
    labels: Any,
    *,
    metric: str = "euclidean",
    sample_size: int | None = None,
    random_state: Any = None,
) -> float:
    """Mean silhouette of all rows, or of ``sample_size`` rows drawn at random.

    Parameters
    ----------
    X, labels, metric
        As in :func:`silhouette_samples`.
    sample_size : int, optional
        Score a random subset of this many rows (the silhouette computed within the
        subset, as scikit-learn does); O(m²) instead of O(n²) work.
    random_state : int, RandomState or None
        Seeds the subset.

    Returns
    -------
    float
        In [−1, 1]; higher means tighter, better separated clusters.

    Examples
    --------
    >>> from lemma.metrics import silhouette_score
    >>> round(silhouette_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.8997
    """
    if sample_size is not None:
        X = check_array(X, estimator_name="silhouette_score")
        labels_arr, _ = as_label_array(labels, "labels", "silhouette_score")
        check_lengths(X=X, labels=labels_arr)
        if not 2 <= int(sample_size) <= X.shape[0]:
            raise ParameterError(
                f"sample_size must be between 2 and n_samples={X.shape[0]}; got {sample_size}."
            )
        rows = check_random_state(random_state).permutation(X.shape[0])[: int(sample_size)]
        X = X[rows][:, rows] if metric == "precomputed" else X[rows]
        labels = labels_arr[rows]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))


def _centroids(X: np.ndarray, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, codes, X)
    return sums / sizes[:, None], sizes


def davies_bouldin_score(X: Any, labels: Any) -> float:
    """Davies–Bouldin index: mean over clusters of the worst (S_i + S_j)/‖c_i − c_j‖.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)

    Returns
    -------
    float
        ≥ 0; lower means more compact, better separated clusters.

    Examples
    --------
    >>> from lemma.metrics import davies_bouldin_score
    >>> round(davies_bouldin_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.1
    """
    X, codes, k = _check_X_labels(X, labels, "davies_bouldin_score")
    centroids, sizes = _centroids(X, codes, k)
    spread = np.bincount(codes, weights=np.linalg.norm(X - centroids[codes], axis=1),
                         minlength=k) / sizes  # fmt: skip
    gaps = cdist(centroids, centroids)
    if np.allclose(spread, 0) or np.allclose(gaps, 0):
        return 0.0
    gaps[gaps == 0] = np.inf
    ratios = (spread[:, None] + spread[None, :]) / gaps
    return float(np.mean(ratios.max(axis=1)))


def calinski_harabasz_score(X: Any, labels: Any) -> float:
    """Calinski–Harabasz index (variance ratio): ``[B/(k − 1)] / [W/(n − k)]``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)

    Returns
    -------
    float
        Higher means clusters far apart relative to their spread (1.0 if W = 0).

    Examples
    --------
    >>> from lemma.metrics import calinski_harabasz_score
    >>> calinski_harabasz_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1])
    200.0
    """
    X, codes, k = _check_X_labels(X, labels, "calinski_harabasz_score")
    n = X.shape[0]
    centroids, sizes = _centroids(X, codes, k)
    between = float(np.sum(sizes * ((centroids - X.mean(axis=0)) ** 2).sum(axis=1)))
    within = float(((X - centroids[codes]) ** 2).sum())
    if within == 0.0:
        return 1.0
    return between * (n - k) / (within * (k - 1))


# ------------------------------------------------------------------- external criteria
def _table(labels_true: Any, labels_pred: Any, metric: str):
    """Sparse contingency table: cell rows, columns, counts, and the two margins."""
    true, _ = as_label_array(labels_true, "labels_true", metric)
    pred, _ = as_label_array(labels_pred, "labels_pred", metric)
    check_lengths(labels_true=true, labels_pred=pred)
    _, true_codes = unique_codes(true)
    _, pred_codes = unique_codes(pred)
    n_pred = int(pred_codes.max()) + 1
    cells, counts = np.unique(true_codes * n_pred + pred_codes, return_counts=True)
    rows, cols = np.divmod(cells, n_pred)
    a = np.bincount(true_codes).astype(np.float64)
    b = np.bincount(pred_codes).astype(np.float64)
    return rows, cols, counts.astype(np.float64), a, b


def contingency_matrix(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Counts ``n_ck`` of rows in class c (sorted) and cluster k (sorted).

    Examples
    --------
    >>> from lemma.metrics import contingency_matrix
    >>> contingency_matrix(["a", "a", "b"], [1, 0, 0])
    array([[1, 1],
           [1, 0]])
    """
    rows, cols, counts, a, b = _table(labels_true, labels_pred, "contingency_matrix")
    table = np.zeros((a.size, b.size), dtype=np.int64)
    table[rows, cols] = counts.astype(np.int64)
    return table


def _pairs(x: np.ndarray) -> float:
    return float(np.sum(x * (x - 1) / 2))


def rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index: share of row pairs on which the two labellings agree.

    Examples
    --------
    >>> from lemma.metrics import rand_score
    >>> round(rand_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.8333
    """
    _, _, counts, a, b = _table(labels_true, labels_pred, "rand_score")
    n = a.sum()
    total = n * (n - 1) / 2
    if total == 0 or (_pairs(a) == _pairs(b) == _pairs(counts)):
        return 1.0
    together = _pairs(counts)
    apart = total - _pairs(a) - _pairs(b) + together
    return float((together + apart) / total)


def adjusted_rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Adjusted Rand index: the Rand index corrected for chance (0 random, 1 identical).

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)

    Returns
    -------
    float
        In [−0.5, 1].

    Examples
    --------
    >>> from lemma.metrics import adjusted_rand_score
    >>> round(adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.5714
    """
    _, _, counts, a, b = _table(labels_true, labels_pred, "adjusted_rand_score")
    index, rows, cols = _pairs(counts), _pairs(a), _pairs(b)
    if rows == cols == index:  # the labellings put every pair alike
        return 1.0
    n = a.sum()
    expected = rows * cols / (n * (n - 1) / 2)
    return float((index - expected) / ((rows + cols) / 2 - expected))


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log(p))) if p.size > 1 else 0.0


def _mutual_information(rows, cols, counts, a, b) -> float:
    n = a.sum()
    # n·n_ck / (a_c b_k) is a ratio of exact integers: exactly 1 (log 0) when a labelling is
    # constant, so independent labellings do not leave rounding noise in I
    terms = counts / n * np.log(n * counts / (a[rows] * b[cols]))
    terms[np.abs(terms) < np.finfo(np.float64).eps] = 0.0
    return float(max(terms.sum(), 0.0))


def mutual_info_score(labels_true: Any, labels_pred: Any) -> float:
    """Mutual information ``Σ (n_ck/n) log(n n_ck / (a_c b_k))`` in nats.

    Examples
    --------
    >>> from lemma.metrics import mutual_info_score
    >>> round(mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 6)   # log 2
    0.693147
    """
    return _mutual_information(*_table(labels_true, labels_pred, "mutual_info_score"))


_AVERAGES = {
    "arithmetic": lambda u, v: (u + v) / 2,
    "geometric": lambda u, v: np.sqrt(u * v),
    "min": min,
    "max": max,
}


def normalized_mutual_info_score(
    labels_true: Any, labels_pred: Any, *, average_method: str = "arithmetic"
) -> float:
    """Mutual information divided by a mean of the two entropies (in [0, 1]).

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
    average_method : {"arithmetic", "geometric", "min", "max"}, default="arithmetic"

    Returns
    -------
    float

    Examples
    --------
    >>> from lemma.metrics import normalized_mutual_info_score
    >>> normalized_mutual_info_score([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    """
    if average_method not in _AVERAGES:
        raise ParameterError(
            f"average_method must be one of {sorted(_AVERAGES)}; got {average_method!r}."
        )
    rows, cols, counts, a, b = _table(labels_true, labels_pred, "normalized_mutual_info_score")
    if a.size == b.size == 1:
        return 1.0
    mutual = _mutual_information(rows, cols, counts, a, b)
    if mutual <= 0:
        return 0.0
    normaliser = _AVERAGES[average_method](_entropy(a), _entropy(b))
    return float(mutual / max(normaliser, np.finfo(np.float64).eps))


def homogeneity_completeness_v_measure(
    labels_true: Any, labels_pred: Any, *, beta: float = 1.0
) -> tuple[float, float, float]:
    """Homogeneity ``I/H(C)``, completeness ``I/H(K)`` and their weighted harmonic mean.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
    beta : float, default=1.0
        Weight of completeness relative to homogeneity in the V-measure.

    Returns
    -------
    homogeneity, completeness, v_measure : float

    Examples
    --------
    >>> from lemma.metrics import homogeneity_completeness_v_measure
    >>> [round(v, 4) for v in homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 1, 2, 3])]
    [1.0, 0.5, 0.6667]
    """
    table = _table(labels_true, labels_pred, "homogeneity_completeness_v_measure")
    mutual = _mutual_information(*table)
    entropy_true, entropy_pred = _entropy(table[3]), _entropy(table[4])
    homogeneity = mutual / entropy_true if entropy_true else 1.0
    completeness = mutual / entropy_pred if entropy_pred else 1.0
    if homogeneity + completeness == 0.0:
        return homogeneity, completeness, 0.0
    v = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return float(homogeneity), float(completeness), float(v)


def homogeneity_score(labels_true: Any, labels_pred: Any) -> float:
    """Homogeneity: 1 when every cluster holds rows of a single class.

    Examples
    --------
    >>> from lemma.metrics import homogeneity_score
    >>> homogeneity_score([0, 0, 1, 1], [0, 1, 2, 3])
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true: Any, labels_pred: Any) -> float:
    """Completeness: 1 when all rows of each class sit in a single cluster.

    Examples
    --------
    >>> from lemma.metrics import completeness_score
    >>> completeness_score([0, 0, 1, 1], [0, 0, 0, 0])
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true: Any, labels_pred: Any, *, beta: float = 1.0) -> float:
    """V-measure: ``(1 + β) h c / (β h + c)`` of homogeneity h and completeness c.

    Examples
    --------
    >>> from lemma.metrics import v_measure_score
    >>> round(v_measure_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.8
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]
