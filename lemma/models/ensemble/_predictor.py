"""Fitted trees as flat arrays, and prediction from raw (unbinned) data.

A boosted model predicts the raw score ``F(x) = F₀ + Σₘ fₘ(x)`` (one sum per
class for multiclass models), each ``fₘ`` a tree. All trees of a model live in
one set of node arrays of equal length, indexed by a global node number:

=============== ======== ===================================================
array           dtype    meaning (at node k)
=============== ======== ===================================================
``feature``     int32    column split on; −1 at a leaf
``threshold``   float64  numeric split: go left iff ``x ≤ threshold``
``missing_left`` uint8   NaN (or an unseen category) goes left
``bitset_row``  int32    categorical split: row of ``bitsets``; −1 otherwise
``left/right``  int32    children (global numbers, ``right = left + 1``); −1 at a leaf
``value``       float64  leaf value (learning rate included)
``gain``        float64  loss reduction of the split (0 at a leaf)
``count``       float64  training rows reaching the node
=============== ======== ===================================================

``bitsets`` has shape (n_categorical_splits, 8), uint32: category code ``c``
goes left iff bit ``c mod 32`` of word ``c // 32`` is set. ``roots[t]`` is the
root of tree ``t`` and ``outputs[t]`` the raw-score column it adds to.

Traversal: blocks of rows in parallel; within a block, tree after tree, every row
of the block (the block of X and the current tree's nodes stay in cache).
"""

from __future__ import annotations

import numba
import numpy as np

from lemma.models.ensemble._histogram import run_kernel

__all__ = ["NODE_ARRAYS", "concatenate_trees", "predict_raw"]

#: Node arrays every tree has (``bitsets`` is per categorical split).
NODE_ARRAYS = (
    "feature",
    "threshold",
    "missing_left",
    "bitset_row",
    "left",
    "right",
    "value",
    "gain",
    "count",
)


def concatenate_trees(trees: list[dict[str, np.ndarray]], outputs: list[int]) -> dict:
    """One set of node arrays from per-tree arrays (global node and bitset numbers).

    Parameters
    ----------
    trees : list of dict
        Per-tree arrays (local numbering), as made by the grower.
    outputs : list of int
        Raw-score column of each tree.

    Returns
    -------
    dict of ndarray
        :data:`NODE_ARRAYS`, ``bitsets``, ``roots`` and ``outputs``.

    Examples
    --------
    >>> import numpy as np
    >>> leaf = {"feature": np.array([-1], np.int32), "threshold": np.array([np.nan]),
    ...         "missing_left": np.array([0], np.uint8), "bitset_row": np.array([-1], np.int32),
    ...         "left": np.array([-1], np.int32), "right": np.array([-1], np.int32),
    ...         "value": np.array([0.5]), "gain": np.array([0.0]), "count": np.array([3.0]),
    ...         "bitsets": np.zeros((0, 8), np.uint32)}
    >>> forest = concatenate_trees([leaf, leaf], [0, 0])
    >>> forest["roots"], forest["value"]
    (array([0, 1], dtype=int32), array([0.5, 0.5]))
    """
    out: dict[str, list[np.ndarray]] = {name: [] for name in NODE_ARRAYS}
    bitsets, roots = [], []
    n_nodes = 0
    n_bitsets = 0
    for tree in trees:
        roots.append(n_nodes)
        for name in NODE_ARRAYS:
            values = tree[name]
            if name in ("left", "right"):
                values = np.where(values >= 0, values + n_nodes, -1).astype(np.int32)
            elif name == "bitset_row":
                values = np.where(values >= 0, values + n_bitsets, -1).astype(np.int32)
            out[name].append(values)
        bitsets.append(tree["bitsets"])
        n_nodes += tree["feature"].size
        n_bitsets += tree["bitsets"].shape[0]
    forest = {
        name: np.concatenate(parts) if parts else np.empty(0, _DTYPES[name])
        for name, parts in out.items()
    }
    forest["bitsets"] = np.concatenate(bitsets) if bitsets else np.zeros((0, 8), np.uint32)
    forest["roots"] = np.asarray(roots, dtype=np.int32)
    forest["outputs"] = np.asarray(outputs, dtype=np.int32)
    return forest


#: Arrays a traversal reads, in the order ``_predict_block`` unpacks them.
_TRAVERSAL = ("feature", "threshold", "missing_left", "bitset_row", "bitsets", "left", "value")
#: Rough cost of one row through one tree, in the units of ``PARALLEL_WORK``.
_NS_PER_TREE = 20

_DTYPES = {
    "feature": np.int32,
    "threshold": np.float64,
    "missing_left": np.uint8,
    "bitset_row": np.int32,
    "left": np.int32,
    "right": np.int32,
    "value": np.float64,
    "gain": np.float64,
    "count": np.float64,
}


#: Rows predicted together, tree after tree (a block of X stays in cache, and one tree's
#: nodes stay hot while it sorts the block's rows).
_BLOCK_ROWS = 4096


@numba.njit(cache=True)
def _predict_block(X, block, trees, roots, outputs, raw):
    feature, threshold, missing_left, bitset_row, bitsets, left, value = trees
    start = block * _BLOCK_ROWS
    stop = min(start + _BLOCK_ROWS, X.shape[0])
    for t in range(roots.size):
        k = outputs[t]
        for i in range(start, stop):
            node = roots[t]
            while left[node] >= 0:
                v = X[i, feature[node]]
                if np.isnan(v):
                    goes_left = missing_left[node] == 1
                elif bitset_row[node] >= 0:
                    code = np.int64(v)
                    goes_left = (bitsets[bitset_row[node], code >> 5] >> (code & 31)) & 1 == 1
                else:
                    goes_left = v <= threshold[node]
                node = left[node] + (0 if goes_left else 1)  # siblings are consecutive
            raw[i, k] += value[node]


@numba.njit(cache=True)
def _predict_serial(X, trees, roots, outputs, raw):
    for block in range((X.shape[0] + _BLOCK_ROWS - 1) // _BLOCK_ROWS):
        _predict_block(X, block, trees, roots, outputs, raw)


@numba.njit(parallel=True, cache=True)
def _predict_parallel(X, trees, roots, outputs, raw):
    for block in numba.prange((X.shape[0] + _BLOCK_ROWS - 1) // _BLOCK_ROWS):
        _predict_block(X, block, trees, roots, outputs, raw)


def predict_raw(
    X: np.ndarray, forest: dict, raw: np.ndarray, trees: slice = slice(None)
) -> np.ndarray:
    """Add the predictions of ``forest``'s trees (``trees``: a slice of them) to ``raw``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        float64 rows; categorical columns hold category codes or NaN.
    forest : dict
        From :func:`concatenate_trees`.
    raw : ndarray of shape (n, n_outputs)
        Updated in place and returned.
    trees : slice, default=slice(None)
        Which trees (in fitting order) to add.

    Returns
    -------
    ndarray
        ``raw``.
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    roots = np.ascontiguousarray(forest["roots"][trees])
    outputs = np.ascontiguousarray(forest["outputs"][trees])
    arrays = tuple(forest[name] for name in _TRAVERSAL)
    work = X.shape[0] * roots.size * _NS_PER_TREE
    run_kernel("predict", work, _predict_serial, _predict_parallel, X, arrays, roots, outputs, raw)
    return raw
