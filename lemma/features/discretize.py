"""Discretisation: cut each numeric column into bins, chosen from x alone or against y.

A column x is cut at edges e₀ < e₁ < … < e_K into K bins, and x ↦ the index k of its
bin (``ordinal``) or the indicator vector e_k ∈ {0, 1}^K (``onehot``). The unsupervised
strategies of :class:`KBinsDiscretizer` choose the edges from x alone:

    uniform     e_k = min x + k (max x − min x) / K
    quantile    e_k = Q(k / K), the empirical quantile (NumPy's ``method``; with
                weights, the weighted inverted or averaged inverted CDF)
    k-means     1-D k-means (Lloyd) from the K centres of the uniform bins; the edges
                are the midpoints between sorted centres, e₀ = min x, e_K = max x

(bin k is [e_k, e_{k+1}), the first and last open to ±∞ when transforming). Edges
closer than 1e-8 are merged (quantile, k-means), as in scikit-learn.

:class:`SupervisedBinner` chooses the edges against the target y: a depth-limited
decision tree on x alone (entropy for class labels, squared error for a numeric
target) is grown to depth ⌈log₂ K⌉ and pruned by minimal cost-complexity
(:mod:`lemma.models.tree.prune`) to the largest subtree with at most K leaves; its
split thresholds t₁ < … < t_{K−1} are the edges, bin k being (t_k, t_{k+1}] (a row goes
left when x ≤ t). With ``monotonic`` the bin means of y (the share of the positive
class for a binary target) are made monotone by pooling adjacent violators (PAV):
adjacent bins whose means break the order are merged, weighted by their size, until
the sequence is monotone — the isotonic regression of the bin means on the bin order.
Entropy-based tree splitting is the recursive idea behind Fayyad & Irani's MDLP
discretisation; the tree's ``min_samples_leaf`` and the bin budget K play the part
of MDLP's stopping rule.

References: U. M. Fayyad and K. B. Irani, "Multi-interval discretization of
continuous-valued attributes for classification learning", IJCAI (1993); M. Ayer et
al., "An empirical distribution function for sampling with incomplete information",
Ann. Math. Statist. 26 (1955) (pool adjacent violators).
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np

from lemma._constraints import RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.validation import (
    check_array,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    type_of_target,
    validate_data,
)

__all__ = ["KBinsDiscretizer", "SupervisedBinner", "pool_adjacent_violators", "weighted_quantile"]

_MIN_WIDTH = 1e-8  # scikit-learn's threshold for merging bins
_QUANTILE_METHODS = (
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "linear",
    "median_unbiased",
    "normal_unbiased",
)
_ENCODINGS = ("onehot", "onehot-dense", "ordinal")


# ----------------------------------------------------------------------------- helpers
def weighted_quantile(
    x: np.ndarray, sample_weight: np.ndarray, levels: np.ndarray, *, average: bool = False
) -> np.ndarray:
    """Weighted quantiles by the inverted CDF (or its averaged, symmetric version).

    With sorted values x₍₁₎ ≤ … ≤ x₍ₙ₎, cumulative weights Wᵢ = Σ_{j≤i} w₍ⱼ₎ and
    target ``q·W_n``, the inverted CDF is x₍ᵢ₎ for the first i with Wᵢ ≥ q·W_n; the
    averaged version returns (x₍ᵢ₎ + x₍ᵢ₊₁₎)/2 when Wᵢ equals the target (up to
    machine epsilon), i₊₁ skipping zero weights. With unit weights these are NumPy's
    ``inverted_cdf`` and ``averaged_inverted_cdf`` (Hyndman & Fan 1996, types 1 and 2).

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,)
    levels : ndarray of shape (n_levels,)
        Probabilities in [0, 1].
    average : bool, default=False

    Returns
    -------
    ndarray of shape (n_levels,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0, 4.0])
    >>> weighted_quantile(x, np.ones(4), np.array([0.5]), average=True)
    array([2.5])
    >>> weighted_quantile(x, np.array([1.0, 1.0, 1.0, 5.0]), np.array([0.5]))
    array([4.])
    """
    order = np.argsort(x, kind="stable")
    values, cdf = x[order], np.cumsum(sample_weight[order])
    target = np.asarray(levels, dtype=np.float64) * cdf[-1]
    target[target == 0] = np.nextafter(0.0, 1.0)
    last = values.size - 1
    index = np.minimum(np.searchsorted(cdf, target), last)
    out = values[index]
    if average:
        on_point = cdf[index] - target <= np.finfo(np.float64).eps
        following = np.searchsorted(cdf, cdf[index], side="right")
        following = np.where(following > last, index, following)
        out = np.where(on_point, (values[index] + values[following]) / 2, out)
    return out


def pool_adjacent_violators(means: np.ndarray, weights: np.ndarray) -> list[list[int]]:
    """Blocks of adjacent positions whose pooled means are nondecreasing (PAV).

    Parameters
    ----------
    means : ndarray of shape (n,)
    weights : ndarray of shape (n,)
        Positive weights (bin sizes).

    Returns
    -------
    list of list of int
        Consecutive positions pooled together, in order.

    Examples
    --------
    >>> import numpy as np
    >>> pool_adjacent_violators(np.array([1.0, 3.0, 2.0, 4.0]), np.ones(4))
    [[0], [1, 2], [3]]
    """
    blocks: list[list[int]] = []
    block_mean: list[float] = []
    block_weight: list[float] = []
    for i, (m, w) in enumerate(zip(means, weights, strict=True)):
        blocks.append([i])
        block_mean.append(float(m))
        block_weight.append(float(w))
        while len(blocks) > 1 and block_mean[-2] > block_mean[-1]:
            w_total = block_weight[-2] + block_weight[-1]
            merged = block_mean[-2] * block_weight[-2] + block_mean[-1] * block_weight[-1]
            block_mean[-2:] = [merged / w_total]
            block_weight[-2:] = [w_total]
            blocks[-2:] = [blocks[-2] + blocks[-1]]
    return blocks


def _one_hot(codes: np.ndarray, n_bins: np.ndarray, dtype: Any) -> np.ndarray:
    """Indicator columns of integer codes (column j has ``n_bins[j]`` bins)."""
    n = codes.shape[0]
    offsets = np.concatenate([[0], np.cumsum(n_bins)[:-1]]).astype(np.int64)
    out = np.zeros((n, int(np.sum(n_bins))), dtype=dtype)
    rows = np.arange(n)
    for j in range(codes.shape[1]):
        out[rows, offsets[j] + codes[:, j]] = 1
    return out


def _encode(codes: np.ndarray, n_bins: np.ndarray, encode: str, dtype: Any) -> np.ndarray:
    if encode == "ordinal":
        return codes.astype(dtype)
    return _one_hot(codes, n_bins, dtype)


def _onehot_names(names: np.ndarray, labels: list[list[str]]) -> np.ndarray:
    return np.asarray(
        [f"{name}_{label}" for name, column in zip(names, labels, strict=True) for label in column],
        dtype=object,
    )


def _is_valid_n_bins(value: Any) -> bool:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return value >= 2
    return hasattr(value, "__len__") and not isinstance(value, str)


class _Binner(TransformerMixin, BaseEstimator):
    """Shared transform and names for fitted bins (``bin_edges_``, ``n_bins_``, ``encode``)."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _codes(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - each binner defines its cut rule

    def transform(self, X: Any) -> Any:
        """Bin indices (``encode="ordinal"``) or their indicator columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features) or (n_samples, Σ n_bins_)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False)
        dtype = self._output_dtype(data)
        return self._wrap_output(_encode(self._codes(data), self.n_bins_, self.encode, dtype), X)

    def _output_dtype(self, data: np.ndarray) -> Any:
        wanted = getattr(self, "dtype", None)
        return data.dtype if wanted is None else np.dtype(wanted)

    def _bin_labels(self, j: int) -> list[str]:
        return [str(float(k)) for k in range(int(self.n_bins_[j]))]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names (ordinal) or ``<column>_<bin>`` for every indicator column."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        if self.encode == "ordinal":
            return names
        return _onehot_names(names, [self._bin_labels(j) for j in range(names.size)])


# ----------------------------------------------------------------------------- k bins
class KBinsDiscretizer(_Binner):
    """Cut every column into bins of equal width, equal count or by 1-D k-means.

    Parameters
    ----------
    n_bins : int or array-like of shape (n_features,), default=5
        Number of bins (≥ 2) of every column, or of each column.
    encode : {"onehot-dense", "onehot", "ordinal"}, default="onehot-dense"
        Indicator columns or the bin index. lemma's output is dense, so "onehot" (the
        sparse output of scikit-learn) also gives a dense array.
    strategy : {"quantile", "uniform", "kmeans"}, default="quantile"
        How the edges are chosen (module docstring).
    quantile_method : str, default="averaged_inverted_cdf"
        NumPy's quantile method for ``strategy="quantile"`` (scikit-learn 1.9's
        default); with sample weights only "inverted_cdf" and "averaged_inverted_cdf".
    dtype : {np.float64, np.float32} or None, default=None
        Output dtype (None: the input's).
    subsample : int or None, default=200_000
        Fit on this many rows drawn with replacement (with probability ∝ weight) when
        X has more; None uses every row.
    random_state : int, RandomState or None
        Seeds the subsample (the same draw as scikit-learn's for the same seed).

    Attributes
    ----------
    bin_edges_ : ndarray of object, shape (n_features,)
        Edges of each column, from its minimum to its maximum (``[-inf, inf]`` for a
        constant column).
    n_bins_ : ndarray of int, shape (n_features,)
        Bins per column after merging bins narrower than 1e-8.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import KBinsDiscretizer
    >>> X = np.array([[-2.0], [-1.0], [0.0], [1.0]])
    >>> binner = KBinsDiscretizer(n_bins=3, encode="ordinal", strategy="uniform").fit(X)
    >>> binner.bin_edges_[0], binner.transform(X).ravel()
    (array([-2., -1.,  0.,  1.]), array([0., 1., 2., 2.]))
    """

    _parameter_constraints = {
        "n_bins": [satisfies(_is_valid_n_bins, "an int ≥ 2 or an array-like")],
        "encode": [Options(_ENCODINGS)],
        "strategy": [Options({"uniform", "quantile", "kmeans"})],
        "quantile_method": [Options(_QUANTILE_METHODS)],
        "dtype": [Options({np.float64, np.float32}), None],
        "subsample": [Interval(int, 1, None, closed="left"), None],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        n_bins: int | Any = 5,
        *,
        encode: str = "onehot-dense",
        strategy: str = "quantile",
        quantile_method: str = "averaged_inverted_cdf",
        dtype: Any = None,
        subsample: int | None = 200_000,
        random_state: Any = None,
    ):
        self.n_bins = n_bins
        self.encode = encode
        self.strategy = strategy
        self.quantile_method = quantile_method
        self.dtype = dtype
        self.subsample = subsample
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KBinsDiscretizer:
        """Find the edges of every column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Row weights (quantiles, k-means; zero-weight rows do not set min and max).

        Returns
        -------
        self
        """
        self._validate_params()
        data = validate_data(self, X)
        weight = None
        if sample_weight is not None:
            weight = check_sample_weight(sample_weight, data.shape[0])
        weighted_method = self.quantile_method in ("inverted_cdf", "averaged_inverted_cdf")
        if self.strategy == "quantile" and weight is not None and not weighted_method:
            raise ParameterError(
                "KBinsDiscretizer(strategy='quantile') with sample_weight needs "
                "quantile_method 'inverted_cdf' or 'averaged_inverted_cdf'; got "
                f"{self.quantile_method!r}."
            )
        if self.subsample is not None and data.shape[0] > self.subsample:
            rng = check_random_state(self.random_state)
            p = None if weight is None else weight / weight.sum()
            data = data[rng.choice(data.shape[0], size=self.subsample, p=p, replace=True)]
            weight = None  # the weights were used by the draw
        n_bins = self._n_bins(data.shape[1])
        edges = np.empty(data.shape[1], dtype=object)
        for j in range(data.shape[1]):
            edges[j], n_bins[j] = self._column_edges(data[:, j], weight, int(n_bins[j]), j)
        self.bin_edges_, self.n_bins_ = edges, n_bins
        return self

    def _n_bins(self, n_features: int) -> np.ndarray:
        if not hasattr(self.n_bins, "__len__"):
            return np.full(n_features, int(self.n_bins), dtype=np.int64)
        given = np.asarray(self.n_bins)
        bad = given.ndim != 1 or given.shape[0] != n_features
        if bad or given.dtype.kind not in "iuf" or np.any(given != np.round(given)):
            raise ParameterError(
                f"n_bins must be an int or one whole number per column ({n_features}); got "
                f"{self.n_bins!r}."
            )
        small = np.flatnonzero(given < 2)
        if small.size:
            raise ParameterError(
                f"n_bins must be at least 2 for every column; got {given[small].tolist()} at "
                f"columns {small.tolist()}."
            )
        return given.astype(np.int64)

    def _column_edges(
        self, x: np.ndarray, weight: np.ndarray | None, k: int, j: int
    ) -> tuple[np.ndarray, int]:
        support = x if weight is None or self.strategy == "quantile" else x[weight != 0]
        low, high = float(support.min()), float(support.max())
        label = _input_names(self)[j]
        if low == high:
            warnings.warn(
                f"Feature {label!r} is constant ({low:g}); it is put in one bin (0).",
                LemmaWarning,
                stacklevel=3,
            )
            return np.array([-np.inf, np.inf]), 1
        edges = _STRATEGIES[self.strategy](self, x, weight, k, low, high)
        if self.strategy == "uniform":
            return edges, k
        edges = edges[np.diff(edges, prepend=-np.inf) > _MIN_WIDTH]
        if edges.size - 1 != k:
            warnings.warn(
                f"Bins narrower than 1e-8 in feature {label!r} were merged ({k} asked, "
                f"{edges.size - 1} kept); ask for fewer bins.",
                LemmaWarning,
                stacklevel=3,
            )
        return edges, edges.size - 1

    def _uniform(self, x, weight, k, low, high) -> np.ndarray:
        return np.linspace(low, high, k + 1)

    def _quantile(self, x, weight, k, low, high) -> np.ndarray:
        levels = np.linspace(0, 100, k + 1)
        if weight is None:
            return np.asarray(np.percentile(x, levels, method=self.quantile_method), np.float64)
        average = self.quantile_method == "averaged_inverted_cdf"
        return weighted_quantile(x, weight, levels / 100, average=average)

    def _kmeans(self, x, weight, k, low, high) -> np.ndarray:
        from lemma.models.cluster import KMeans

        uniform = np.linspace(low, high, k + 1)
        init = ((uniform[1:] + uniform[:-1]) * 0.5)[:, None]
        model = KMeans(n_clusters=k, init=init, n_init=1).fit(x[:, None], sample_weight=weight)
        centres = np.sort(model.cluster_centers_[:, 0])
        return np.concatenate([[low], (centres[1:] + centres[:-1]) * 0.5, [high]])

    def _codes(self, X: np.ndarray) -> np.ndarray:
        codes = np.empty(X.shape, dtype=np.int64)
        for j in range(X.shape[1]):
            codes[:, j] = np.searchsorted(self.bin_edges_[j][1:-1], X[:, j], side="right")
        return codes

    def inverse_transform(self, X: Any) -> np.ndarray:
        """The centre of each row's bin (the original values are not recoverable).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, Σ n_bins_)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        data = check_array(X, estimator_name="KBinsDiscretizer", dtype=(np.float64, np.float32))
        width = int(self.n_bins_.sum()) if self.encode != "ordinal" else self.n_features_in_
        if data.shape[1] != width:
            raise DataValidationError(
                f"X has {data.shape[1]} columns but KBinsDiscretizer.inverse_transform "
                f"expects {width} (its transform output)."
            )
        if self.encode != "ordinal":
            bounds = np.concatenate([[0], np.cumsum(self.n_bins_)])
            data = np.column_stack(
                [np.argmax(data[:, a:b], axis=1) for a, b in itertools.pairwise(bounds)]
            ).astype(data.dtype)
        out = np.empty_like(data)
        for j in range(self.n_features_in_):
            edges = self.bin_edges_[j]
            centres = (edges[1:] + edges[:-1]) * 0.5
            out[:, j] = centres[data[:, j].astype(np.int64)]
        return out


#: strategy -> method computing the edges of one column.
_STRATEGIES = {
    "uniform": KBinsDiscretizer._uniform,
    "quantile": KBinsDiscretizer._quantile,
    "kmeans": KBinsDiscretizer._kmeans,
}


# ----------------------------------------------------------------------------- supervised
def _is_monotonic_option(value: Any) -> bool:
    return isinstance(value, bool | np.bool_) or value in ("increasing", "decreasing")


def _target_kind(y: np.ndarray) -> str:
    """Class labels, unless y is floating point with more than two values (a number)."""
    kind = type_of_target(y)
    if kind == "multiclass" and np.asarray(y).dtype.kind == "f":
        return "continuous"
    return kind


def _format_edge(value: float) -> str:
    return f"{value:.4g}"


class SupervisedBinner(_Binner):
    """Bins chosen against the target: a depth-limited tree per column, optionally monotone.

    Parameters
    ----------
    max_bins : int, default=8
        Most bins per column (≥ 2); a column gets fewer when splits do not pay.
    min_samples_leaf : int or float, default=0.05
        Smallest bin: a number of rows (int), or a share of the total sample weight
        (float, so that weights act as repeated rows).
    monotonic : bool, "increasing" or "decreasing", default=False
        Pool adjacent bins until the mean target of the bins is monotone (True: in
        the direction of the trend of the bin means). Needs a numeric or binary target.
    encode : {"onehot-dense", "onehot", "ordinal"}, default="onehot-dense"
        Indicator columns (dense either way) or the bin index.

    Attributes
    ----------
    bin_edges_ : list of ndarray
        Per column: minimum, thresholds t₁ < … < t_{K−1}, maximum (bin k is
        (t_k, t_{k+1}]).
    n_bins_ : ndarray of int, shape (n_features,)
    bin_counts_ : list of ndarray
        Weight of the training rows in each bin.
    bin_target_means_ : list of ndarray
        Mean target per bin (share of ``classes_[1]`` for a binary target; for
        more classes an array of shape (n_bins, n_classes) of class shares).
    classes_ : ndarray or None
        Class labels when y holds classes.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    Output names give each bin's interval: ``age_(-inf, 31.5]``, ``age_(31.5, inf)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import SupervisedBinner
    >>> x = np.arange(100.0).reshape(-1, 1)
    >>> y = (x.ravel() >= 60).astype(float)
    >>> binner = SupervisedBinner(max_bins=4, encode="ordinal").fit(x, y)
    >>> binner.bin_edges_[0][1:-1], binner.get_feature_names_out()
    (array([59.5]), array(['x0'], dtype=object))
    >>> SupervisedBinner(max_bins=4).fit(x, y).get_feature_names_out().tolist()
    ['x0_(-inf, 59.5]', 'x0_(59.5, inf)']
    """

    _parameter_constraints = {
        "max_bins": [Interval(int, 2, None, closed="left")],
        "min_samples_leaf": [
            Interval(int, 1, None, closed="left"),
            Interval(float, 0, 0.5, closed="right"),
        ],
        "monotonic": [satisfies(_is_monotonic_option, "a bool, 'increasing' or 'decreasing'")],
        "encode": [Options(_ENCODINGS)],
    }

    def __init__(
        self,
        max_bins: int = 8,
        *,
        min_samples_leaf: int | float = 0.05,
        monotonic: bool | str = False,
        encode: str = "onehot-dense",
    ):
        self.max_bins = max_bins
        self.min_samples_leaf = min_samples_leaf
        self.monotonic = monotonic
        self.encode = encode

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.requires_y = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SupervisedBinner:
        """Grow, prune and (optionally) pool the bins of each column against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (integers, strings, booleans, or floats taking two values) or
            a numeric target (floats taking more than two values).
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._validate_params()
        data, target = validate_data(self, X, y, dtype=(np.float64, np.float32))
        weight = check_sample_weight(sample_weight, data.shape[0])
        kind = _target_kind(target)
        if kind not in ("binary", "multiclass", "continuous"):
            raise DataValidationError(
                f"SupervisedBinner needs one class label or one number per row; y is {kind!r}."
            )
        if self.monotonic is not False and kind == "multiclass":
            raise ParameterError(
                "SupervisedBinner(monotonic=...) orders the bins by their mean target, which "
                "needs a numeric or binary y; y has more than two classes. Use monotonic=False."
            )
        self.classes_ = None
        response = target.astype(np.float64) if kind == "continuous" else None
        if kind != "continuous":
            self.classes_, codes = np.unique(target, return_inverse=True)
            response = np.eye(self.classes_.size)[codes]
        edges, counts, means = [], [], []
        for j in range(data.shape[1]):
            cuts = self._tree_cuts(data[:, j], target, weight, kind)
            cuts, count, mean = self._bin_statistics(data[:, j], cuts, response, weight)
            edges.append(np.concatenate([[data[:, j].min()], cuts, [data[:, j].max()]]))
            counts.append(count)
            means.append(mean if kind == "multiclass" else mean[:, -1])
        self.bin_edges_, self.bin_counts_, self.bin_target_means_ = edges, counts, means
        self.n_bins_ = np.asarray([e.size - 1 for e in edges], dtype=np.int64)
        return self

    def _tree_cuts(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray, kind: str):
        """Thresholds of the depth-limited tree of ``y`` on ``x``, pruned to ≤ max_bins leaves."""
        from lemma.models.tree import DecisionTreeClassifier, DecisionTreeRegressor
        from lemma.models.tree.prune import prune_tree, pruning_path

        depth = max(1, math.ceil(math.log2(self.max_bins)))
        leaf = {"min_samples_leaf": self.min_samples_leaf}
        if isinstance(self.min_samples_leaf, float):
            leaf = {"min_weight_fraction_leaf": self.min_samples_leaf}
        if kind == "continuous":
            model = DecisionTreeRegressor(max_depth=depth, **leaf)
        else:
            model = DecisionTreeClassifier(criterion="entropy", max_depth=depth, **leaf)
        grown = model.fit(x[:, None], y, sample_weight=weight).tree_
        tree = grown
        for alpha in pruning_path(grown).ccp_alphas:
            tree = prune_tree(grown, float(alpha))
            if tree.n_leaves <= self.max_bins:
                break
        internal = tree.children_left != -1
        return np.unique(tree.threshold[internal])

    def _bin_statistics(
        self, x: np.ndarray, cuts: np.ndarray, response: np.ndarray, weight: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Bin weights and mean responses; adjacent bins pooled when ``monotonic`` asks."""
        while True:
            codes = np.searchsorted(cuts, x, side="left")
            count = np.bincount(codes, weights=weight, minlength=cuts.size + 1)
            responses = response.reshape(x.size, -1).T
            sums = np.stack(
                [
                    np.bincount(codes, weights=weight * r, minlength=cuts.size + 1)
                    for r in responses
                ],
                axis=1,
            )
            mean = sums / np.maximum(count, np.finfo(np.float64).tiny)[:, None]
            if self.monotonic is False or cuts.size == 0:
                return cuts, count, mean
            level = mean[:, -1]
            if self._decreasing(level, count):
                level = -level
            blocks = pool_adjacent_violators(level, count)
            if len(blocks) == cuts.size + 1:
                return cuts, count, mean
            cuts = cuts[[block[-1] for block in blocks[:-1]]]

    def _decreasing(self, level: np.ndarray, count: np.ndarray) -> bool:
        if self.monotonic in ("increasing", "decreasing"):
            return self.monotonic == "decreasing"
        position = np.arange(level.size, dtype=np.float64)
        centre = np.average(position, weights=count)
        slope = np.sum(count * (position - centre) * (level - np.average(level, weights=count)))
        return bool(slope < 0)

    def _codes(self, X: np.ndarray) -> np.ndarray:
        codes = np.empty(X.shape, dtype=np.int64)
        for j in range(X.shape[1]):
            codes[:, j] = np.searchsorted(self.bin_edges_[j][1:-1], X[:, j], side="left")
        return codes

    def _bin_labels(self, j: int) -> list[str]:
        inner = [_format_edge(v) for v in self.bin_edges_[j][1:-1]]
        bounds = ["-inf", *inner, "inf"]
        closing = ["]"] * len(inner) + [")"]
        return [f"({a}, {b}{c}" for a, b, c in zip(bounds, bounds[1:], closing, strict=False)]
