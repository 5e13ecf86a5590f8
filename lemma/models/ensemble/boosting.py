"""Histogram gradient boosting: gradient descent in function space, one tree per step.

Gradient boosting is gradient descent in function space. The model is a raw
score ``F(x)`` and the objective the empirical risk

    R(F) = Σᵢ wᵢ ℓ(yᵢ, F(xᵢ)).

Gradient descent on the vector of training predictions would step
``F(xᵢ) ← F(xᵢ) − η gᵢ`` with ``gᵢ = ∂ℓ(yᵢ, F(xᵢ))/∂F(xᵢ)``; a step known only at the
training points does not generalise, so each step is a regression tree fitted to
it, and ``F_m = F_{m−1} + η f_m`` with learning rate ``η``, starting from the best
constant ``F₀ = argmin_c Σᵢ wᵢ ℓ(yᵢ, c)``.

Newton leaf values. With ``hᵢ = ∂²ℓ/∂F(xᵢ)²`` at ``F_{m−1}``, a second-order Taylor
expansion of the risk around the current predictions gives

    R(F_{m−1} + f) ≈ R(F_{m−1}) + Σᵢ [gᵢ f(xᵢ) + ½ hᵢ f(xᵢ)²] + ½ λ Σⱼ vⱼ²,

the last term an L2 penalty (``l2_regularization = λ``) on the leaf values. A tree
with leaves ``R₁ … R_J`` predicts ``f(x) = vⱼ`` on ``Rⱼ``, so the expansion splits
into one parabola per leaf, ``Gⱼ vⱼ + ½ (Hⱼ + λ) vⱼ²`` with ``Gⱼ = Σ_{i∈Rⱼ} gᵢ`` and
``Hⱼ = Σ_{i∈Rⱼ} hᵢ``. Setting its derivative ``Gⱼ + (Hⱼ + λ) vⱼ`` to zero gives the
Newton step

    vⱼ = −Gⱼ / (Hⱼ + λ),   which lowers the risk by ½ Gⱼ² / (Hⱼ + λ),

hence the gain of splitting a leaf into L and R,
``½ [G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)]``, which grows each tree (leaf-wise,
best gain first: :mod:`lemma.models.ensemble._grower`). For the squared loss
``hᵢ = 1`` and ``vⱼ`` is the leaf's mean residual: the expansion is exact and each
step is plain gradient descent. The leaves are then shrunk, ``η vⱼ``.

Features are binned once into at most ``max_bins`` quantile bins plus a bin for
missing values (:mod:`~lemma.models.ensemble._binning`); splits are searched on
gradient histograms (:mod:`~lemma.models.ensemble._histogram`), NaN rows going to
the side that gains most, categories split as sets. Early stopping holds out
``validation_fraction`` of the rows and stops when the validation loss has not
improved by ``tol`` on its value ``n_iter_no_change`` iterations before.

Reference: Friedman, "Greedy function approximation: a gradient boosting
machine", Ann. Statist. 29 (2001); Chen & Guestrin, "XGBoost: a scalable tree
boosting system", KDD 2016, §2.2 (second-order leaf values and gain).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import ARRAY_LIKE, BOOL, DICT, RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin, RegressorMixin, Tags
from lemma.exceptions import DataValidationError, ParameterError
from lemma.losses import LogisticLoss, PoissonLoss, SoftmaxCrossEntropy
from lemma.models.ensemble._binning import (
    bin_data,
    categorical_mask,
    encode_categories,
    fit_bin_thresholds,
    learn_categories,
)
from lemma.models.ensemble._grower import Buffers, GrowerSettings, TreeGrower, add_leaf_values
from lemma.models.ensemble._losses import BOOSTING_LOSSES
from lemma.models.ensemble._predictor import concatenate_trees, predict_raw
from lemma.validation import (
    check_random_state,
    check_sample_weight,
    check_y,
    encode_classes,
    validate_data,
)

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]

#: Rows above which ``early_stopping="auto"`` turns early stopping on (as scikit-learn).
AUTO_EARLY_STOPPING_ROWS = 10_000
#: Rows used at most to find the quantile bin edges.
BINNING_SUBSAMPLE = 200_000


# ------------------------------------------------------------------------------ helpers
def _should_stop(losses: list[float], n_iter_no_change: int, tol: float) -> bool:
    """True when none of the last ``n_iter_no_change`` losses beat the one before them by tol."""
    if len(losses) <= n_iter_no_change:
        return False
    reference = losses[-n_iter_no_change - 1] - tol
    return not any(value < reference for value in losses[-n_iter_no_change:])


def _validation_rows(n: int, fraction: float, classes: np.ndarray | None, rng) -> np.ndarray:
    """Boolean mask of held-out rows: a random ``fraction``, stratified by class if given."""
    held_out = np.zeros(n, dtype=bool)
    order = rng.permutation(n)
    if classes is None:
        held_out[order[: max(1, int(np.ceil(fraction * n)))]] = True
        return held_out
    order = order[np.argsort(classes[order], kind="stable")]
    counts = np.bincount(classes)
    start = 0
    for count in counts:
        take = min(count - 1, int(np.ceil(fraction * count))) if count > 1 else 0
        held_out[order[start : start + take]] = True
        start += count
    return held_out


def _monotonic_array(monotonic_cst: Any, n_features: int, names: Any) -> np.ndarray:
    """Constraints as an int8 array: +1 increasing, −1 decreasing, 0 free."""
    cst = np.zeros(n_features, dtype=np.int8)
    if monotonic_cst is None:
        return cst
    if isinstance(monotonic_cst, dict):
        known = [] if names is None else list(names)
        for key, value in monotonic_cst.items():
            if isinstance(key, str) and key not in known:
                raise ParameterError(
                    f"monotonic_cst names feature {key!r}, which X does not have "
                    f"(features: {known[:10]})."
                )
            index = known.index(key) if isinstance(key, str) else int(key)
            if not 0 <= index < n_features:
                raise ParameterError(f"monotonic_cst has feature index {key} out of range.")
            cst[index] = value
        values = np.asarray(list(monotonic_cst.values()))
    else:
        values = np.asarray(monotonic_cst)
        if values.shape != (n_features,):
            raise ParameterError(
                f"monotonic_cst needs one entry per feature ({n_features}); got shape "
                f"{values.shape}."
            )
        cst[:] = values
    if not np.isin(values, (-1, 0, 1)).all():
        raise ParameterError(f"monotonic_cst values must be -1, 0 or 1; got {values.tolist()}.")
    return cst


def _interaction_groups(interaction_cst: Any, n_features: int) -> list[np.ndarray] | None:
    """Groups of features allowed to interact; unlisted features form one more group."""
    if interaction_cst is None:
        return None
    if isinstance(interaction_cst, str):
        if interaction_cst == "no_interactions":
            return [np.array([j]) for j in range(n_features)]
        return [np.array([i, j]) for i in range(n_features) for j in range(i + 1, n_features)]
    groups = []
    for group in interaction_cst:
        members = np.asarray(sorted(set(group)), dtype=np.int64)
        if members.size == 0 or members.min() < 0 or members.max() >= n_features:
            raise ParameterError(
                f"interaction_cst groups must hold feature indices in 0..{n_features - 1}; "
                f"got {list(group)}."
            )
        groups.append(members)
    listed = np.unique(np.concatenate(groups)) if groups else np.empty(0, np.int64)
    rest = np.setdiff1d(np.arange(n_features), listed)
    if rest.size:
        groups.append(rest)
    return groups


def _frame_column(X: Any, j: int) -> Any:
    """Column ``j`` of a DataFrame: a pandas Series (dtype kept) or a NumPy array (polars)."""
    if type(X).__module__.split(".")[0] == "polars":
        return X.to_series(j).to_numpy()
    return X.iloc[:, j]


# ---------------------------------------------------------------------------- estimators
class _GradientBoosting(BaseEstimator):
    """Shared fitting and prediction of the gradient boosting estimators."""

    _parameter_constraints = {
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "max_leaf_nodes": [Interval(int, 2, None, closed="left"), None],
        "max_depth": [Interval(int, 1, None, closed="left"), None],
        "min_samples_leaf": [Interval(int, 1, None, closed="left")],
        "l2_regularization": [Interval(float, 0, None, closed="left")],
        "max_features": [Interval(float, 0, 1, closed="right")],
        "max_bins": [Interval(int, 2, 255, closed="both")],
        "categorical_features": [Options({"from_dtype"}), ARRAY_LIKE, None],
        "monotonic_cst": [ARRAY_LIKE, DICT, None],
        "interaction_cst": [Options({"pairwise", "no_interactions"}), ARRAY_LIKE, None],
        "early_stopping": [Options({"auto"}), BOOL],
        "scoring": [Options({"loss"})],
        "validation_fraction": [Interval(float, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(int, 1, None, closed="left")],
        "tol": [Interval(float, 0, None, closed="left")],
        "random_state": [RANDOM_STATE],
    }

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _GradientBoosting:
        """Fit ``max_iter`` boosting iterations (fewer with early stopping).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            NaN allowed; DataFrame columns of category or string dtype are
            categorical (``categorical_features="from_dtype"``).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._encode_features(X, reset=True)
        y, w, n_classes = self._check_target(y, sample_weight, X.shape[0])
        loss = BOOSTING_LOSSES[self.loss](y, w, n_classes, getattr(self, "alpha", 0.9))
        if loss.loss is not None:
            loss.loss.check_target(y)
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        train, held_out = self._split_rows(y, rng)
        binned, n_bins_non_missing = self._bin(X, w, train, rng)
        settings = self._grower_settings(binned, n_bins_non_missing, loss.n_trees)
        validation = None
        if train is not None:
            validation = (X[held_out], y[held_out], w[held_out])
            y, w = y[train], w[train]
        self._boost(binned, y, w, validation, loss, settings, rng)
        return self

    def _split_rows(self, y: np.ndarray, rng) -> tuple[np.ndarray | None, np.ndarray]:
        """Training rows (None: all of them) and the held-out mask for early stopping."""
        n = y.shape[0]
        auto = n > AUTO_EARLY_STOPPING_ROWS
        self.do_early_stopping_ = auto if self.early_stopping == "auto" else self.early_stopping
        held_out = np.zeros(n, dtype=bool)
        if self.do_early_stopping_ and self.validation_fraction is not None:
            strata = y.astype(np.int64) if isinstance(self, ClassifierMixin) else None
            held_out = _validation_rows(n, self.validation_fraction, strata, rng)
        return (np.flatnonzero(~held_out) if held_out.any() else None), held_out

    def _bin(self, X, w, train, rng) -> tuple[np.ndarray, np.ndarray]:
        """Bin edges from the training rows (``bin_thresholds_``) and their bin codes."""
        n_categories = np.array([0 if c is None else len(c) for c in self.categories_])
        self.bin_thresholds_, n_bins_non_missing = fit_bin_thresholds(
            X,
            self.is_categorical_,
            n_categories,
            self.max_bins,
            w,
            BINNING_SUBSAMPLE,
            rng,
            rows=train,
        )
        binned = bin_data(X, self.bin_thresholds_, self.is_categorical_, self.max_bins, train)
        return binned, n_bins_non_missing

    def _grower_settings(self, binned, n_bins_non_missing, n_trees) -> GrowerSettings:
        d = binned.shape[1]
        names = getattr(self, "feature_names_in_", None)
        monotonic = _monotonic_array(self.monotonic_cst, d, names)
        if np.any(monotonic[self.is_categorical_] != 0):
            raise ParameterError("Categorical features cannot have monotonic constraints.")
        if n_trees > 1 and np.any(monotonic != 0):
            raise ParameterError(
                "monotonic_cst is not supported for multiclass classification: each class "
                "score is a separate model; use it for regression or binary classification."
            )
        has_missing = np.array([(column == self.max_bins).any() for column in binned.T])
        return GrowerSettings(
            n_bins=self.max_bins + 1,
            n_bins_non_missing=n_bins_non_missing,
            has_missing=has_missing,
            is_categorical=np.asarray(self.is_categorical_, dtype=np.bool_),
            monotonic_cst=monotonic,
            interaction_groups=_interaction_groups(self.interaction_cst, d),
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=float(self.l2_regularization),
            max_features=float(self.max_features),
            learning_rate=float(self.learning_rate),
        )

    def _boost(self, binned, y, w, validation, loss, settings, rng) -> None:
        """The boosting loop: gradients, one tree per raw-score column, early stopping."""
        n, n_trees = binned.shape[0], loss.n_trees
        self.baseline_prediction_ = loss.baseline(y, w)
        raw = np.empty((n, n_trees), order="F")
        raw[:] = self.baseline_prediction_
        gradients = np.empty((n, n_trees), order="F")
        hessians = np.empty((n, n_trees), order="F")
        buffers = Buffers(n)
        trees: list[dict] = []
        train_loss: list[float] = []
        validation_loss: list[float] = []
        if validation is not None:
            X_val, y_val, w_val = validation
            raw_val = np.empty((X_val.shape[0], n_trees))
            raw_val[:] = self.baseline_prediction_
            validation_loss.append(loss.value(y_val, raw_val, w_val))
        stopped = False
        for _ in range(self.max_iter):
            train_loss.append(loss.loss_gradient_hessian(y, raw, w, gradients, hessians))
            if self.do_early_stopping_ and validation is None:
                if _should_stop(train_loss, self.n_iter_no_change, self.tol):
                    stopped = True
                    break
            new = [
                self._grow(binned, y, w, raw, gradients, hessians, k, loss, settings, buffers, rng)
                for k in range(n_trees)
            ]
            trees += new
            if validation is not None:
                predict_raw(X_val, concatenate_trees(new, list(range(n_trees))), raw_val)
                validation_loss.append(loss.value(y_val, raw_val, w_val))
                if self.do_early_stopping_ and _should_stop(
                    validation_loss, self.n_iter_no_change, self.tol
                ):
                    break
        if not stopped:
            train_loss.append(loss.value(y, raw, w))
        self.n_trees_per_iteration_ = n_trees
        self.n_iter_ = len(trees) // n_trees
        self.trees_ = concatenate_trees(trees, [t % n_trees for t in range(len(trees))])
        self.history_ = {
            "train_loss": np.asarray(train_loss),
            "validation_loss": np.asarray(validation_loss),
        }
        self.train_score_ = -self.history_["train_loss"]
        self.validation_score_ = -self.history_["validation_loss"]

    def _grow(self, binned, y, w, raw, gradients, hessians, k, loss, settings, buffers, rng):
        """Grow the tree of raw-score column ``k`` and add its leaves to ``raw``."""
        grower = TreeGrower(binned, gradients[:, k], hessians[:, k], settings, buffers, rng)
        grower.grow()
        starts, stops, values = grower.leaf_ranges()
        if loss.updates_leaves:
            partition = buffers.partition
            rows = [partition[a:b].astype(np.intp) for a, b in zip(starts, stops, strict=True)]
            values = loss.update_leaf_values(y, raw[:, k], w, rows, self.learning_rate)
            for leaf, value in zip(grower.leaves, values, strict=True):
                leaf.value = value
        add_leaf_values(raw[:, k], buffers.partition, starts, stops, values)
        return grower.to_arrays(self.bin_thresholds_)

    # ---------------------------------------------------------- features in
    def _encode_features(self, X: Any, *, reset: bool) -> np.ndarray:
        """Validate X and turn categorical columns into codes (NaN: missing or unseen)."""
        is_frame = hasattr(X, "columns") and type(X).__module__.split(".")[0] in (
            "pandas",
            "polars",
        )
        if reset:
            if is_frame:
                n_features = len(X.columns)
            elif self.categorical_features is None or isinstance(self.categorical_features, str):
                n_features = None  # no categorical column possible: learnt from X below
            else:
                array = np.asarray(X)
                n_features = array.shape[1] if array.ndim == 2 else 0
            self.is_categorical_ = (
                None
                if n_features is None
                else categorical_mask(X, self.categorical_features, n_features)
            )
        mask = self.is_categorical_
        if mask is None or not mask.any() or (is_frame and len(X.columns) != mask.size):
            out = np.asarray(validate_data(self, X, reset=reset, allow_nan=True), np.float64)
            if reset:
                self.is_categorical_ = np.zeros(out.shape[1], dtype=bool)
                self.categories_ = [None] * out.shape[1]
            return out
        if is_frame:
            columns = {name: _frame_column(X, j) for j, name in enumerate(X.columns)}
        else:
            array = np.asarray(X)
            if array.ndim != 2 or array.shape[1] != mask.size:
                return np.asarray(validate_data(self, X, reset=reset, allow_nan=True))
            columns = {j: array[:, j] for j in range(array.shape[1])}
        keys = list(columns)
        if reset:
            self.categories_ = [
                learn_categories(columns[key], key, self.max_bins) if mask[j] else None
                for j, key in enumerate(keys)
            ]
        for j, key in enumerate(keys):
            if mask[j]:
                columns[key] = encode_categories(columns[key], self.categories_[j])
        table = pd.DataFrame(columns) if is_frame else np.column_stack(list(columns.values()))
        out = validate_data(self, table, reset=reset, allow_nan=True)
        return np.asarray(out, dtype=np.float64)

    # ----------------------------------------------------------- prediction
    def _raw_predict(self, X: Any) -> np.ndarray:
        self._check_is_fitted()
        X = self._encode_features(X, reset=False)
        raw = np.empty((X.shape[0], self.n_trees_per_iteration_))
        raw[:] = self.baseline_prediction_
        return predict_raw(X, self.trees_, raw)

    def _staged_raw_predict(self, X: Any) -> Iterator[np.ndarray]:
        self._check_is_fitted()
        X = self._encode_features(X, reset=False)
        k = self.n_trees_per_iteration_
        raw = np.empty((X.shape[0], k))
        raw[:] = self.baseline_prediction_
        for m in range(self.n_iter_):
            predict_raw(X, self.trees_, raw, slice(m * k, (m + 1) * k))
            yield raw.copy()

    # ------------------------------------------------------- introspection
    def feature_importances(self, kind: str = "gain") -> np.ndarray:
        """Importance of each feature over all trees, normalised to sum to 1.

        Parameters
        ----------
        kind : {"gain", "split"}, default="gain"
            "gain": total loss reduction of the splits on the feature (the
            second-order gain of the module docstring) — permutation-free and
            the boosting analogue of impurity importance; "split": how many
            splits use the feature.

        Returns
        -------
        ndarray of shape (n_features_in_,)
        """
        self._check_is_fitted()
        if kind not in ("gain", "split"):
            raise ParameterError(f"kind must be 'gain' or 'split'; got {kind!r}.")
        feature = self.trees_["feature"]
        internal = feature >= 0
        weights = self.trees_["gain"][internal] if kind == "gain" else None
        total = np.bincount(feature[internal], weights=weights, minlength=self.n_features_in_)
        total = total.astype(np.float64)
        return total / total.sum() if total.sum() > 0 else total

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total-gain importance, normalised (:meth:`feature_importances` with "gain")."""
        return self.feature_importances("gain")

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.string_input = True
        return tags

    def __sklearn_tags__(self) -> Any:
        # Strings are read from DataFrame columns; a NumPy object array is read as numbers.
        tags = super().__sklearn_tags__()
        tags.input_tags.string = False
        return tags


class GradientBoostingClassifier(ClassifierMixin, _GradientBoosting):
    """Histogram gradient boosting for classification (log-loss, Newton leaves).

    Binary targets get one tree per iteration on the logistic loss; K > 2
    classes get K trees per iteration on the softmax cross-entropy.

    Parameters
    ----------
    loss : {"log_loss"}, default="log_loss"
    learning_rate : float, default=0.1
        Shrinkage ``η`` of each tree's leaf values.
    max_iter : int, default=100
        Boosting iterations (trees per class).
    max_leaf_nodes : int or None, default=31
        Leaves per tree (leaf-wise growth stops there).
    max_depth : int or None, default=None
        Edges from the root to the deepest leaf.
    min_samples_leaf : int, default=20
        Fewest training rows in a leaf.
    l2_regularization : float, default=0.0
        ``λ`` in the leaf value ``−G/(H + λ)``.
    max_features : float, default=1.0
        Share of the features (drawn afresh at every split) searched for a split.
    max_bins : int, default=255
        Bins for non-missing values per feature (2 … 255); missing values get one more.
    categorical_features : "from_dtype", None or array-like, default="from_dtype"
        "from_dtype": DataFrame columns of category, string or object dtype;
        otherwise column indices, names or a boolean mask. Categories are learned at
        fit; at predict, categories unseen at fit are treated as missing values.
    monotonic_cst : array-like of int or dict, default=None
        Per feature +1 (score non-decreasing in it), −1 (non-increasing) or 0;
        a dict maps names or indices to constraints. Binary classification only.
    interaction_cst : {"pairwise", "no_interactions"} or list of lists of int, default=None
        Groups of features allowed to interact along a tree path.
    early_stopping : "auto" or bool, default="auto"
        "auto": on when there are more than 10 000 rows.
    scoring : {"loss"}, default="loss"
        Early stopping watches the held-out log-loss.
    validation_fraction : float or None, default=0.1
        Share of rows held out (stratified) for early stopping; None watches
        the training loss.
    n_iter_no_change : int, default=10
        Stop when none of the last ``n_iter_no_change`` losses is ``tol`` below the
        one before them.
    tol : float, default=1e-7
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` per class ("balanced": ``n / (K n_k)``).
    random_state : int, RandomState, Generator or None, default=None
        Binning subsample, validation split and feature subsampling.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Iterations fitted.
    n_trees_per_iteration_ : int
        1 for binary targets, K otherwise.
    history_ : dict
        ``"train_loss"`` and ``"validation_loss"``: mean loss after 0, 1, …,
        ``n_iter_`` iterations (the validation entry is empty without a
        held-out set).
    train_score_, validation_score_ : ndarray
        Minus those losses (scikit-learn's convention: higher is better).
    baseline_prediction_ : ndarray of shape (n_trees_per_iteration_,)
        The constant raw score ``F₀`` (log-odds, or centred log class frequencies).
    trees_ : dict of ndarray
        All trees as flat node arrays (layout in ``_predictor``).
    feature_importances_ : ndarray of shape (n_features_in_,)
        Total gain per feature, normalised.
    is_categorical_ : ndarray of bool, categories_ : list
        Which features are categorical and their categories (None for numeric).
    bin_thresholds_ : list of ndarray
        Bin edges of each numeric feature.
    do_early_stopping_ : bool
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.ensemble import GradientBoostingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 3))
    >>> y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    >>> model = GradientBoostingClassifier(max_iter=50).fit(X[:400], y[:400])
    >>> model.n_iter_, round(model.score(X[400:], y[400:]), 2)  # test accuracy
    (50, 0.93)
    >>> model.history_["train_loss"][[0, 10, 50]].round(3)  # log-loss after 0, 10, 50 trees
    array([0.659, 0.264, 0.019])
    """

    _parameter_constraints = {
        **_GradientBoosting._parameter_constraints,
        "loss": [Options({"log_loss"})],
        "class_weight": [Options({"balanced"}), DICT, None],
    }

    def __init__(
        self,
        loss: str = "log_loss",
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_features: float = 1.0,
        max_bins: int = 255,
        categorical_features: Any = "from_dtype",
        monotonic_cst: Any = None,
        interaction_cst: Any = None,
        early_stopping: str | bool = "auto",
        scoring: str = "loss",
        validation_fraction: float | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        class_weight: dict | str | None = None,
        random_state: Any = None,
    ):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_features = max_features
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.monotonic_cst = monotonic_cst
        self.interaction_cst = interaction_cst
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state

    def _check_target(self, y, sample_weight, n):
        y = check_y(y, estimator_name=type(self).__name__, n_samples=n)
        w = check_sample_weight(sample_weight, n)
        self.classes_, codes = encode_classes(y, w, type(self).__name__)
        if self.class_weight is not None:
            w = w * self._class_weights(codes)
        codes = codes.astype(np.float64) if self.classes_.size == 2 else codes.astype(np.intp)
        return codes, w, self.classes_.size

    def _class_weights(self, codes: np.ndarray) -> np.ndarray:
        if isinstance(self.class_weight, str):
            counts = np.bincount(codes, minlength=self.classes_.size)
            per_class = codes.size / (self.classes_.size * np.maximum(counts, 1))
        else:
            unknown = [c for c in self.class_weight if c not in set(self.classes_.tolist())]
            if unknown:
                raise ParameterError(
                    f"class_weight names classes {unknown} that y does not have "
                    f"(classes: {self.classes_.tolist()})."
                )
            per_class = np.array([float(self.class_weight.get(c, 1.0)) for c in self.classes_])
        return per_class[codes]

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores: log-odds of ``classes_[1]`` (binary, shape (n,)) or (n, K) scores."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        return self._proba(self._raw_predict(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def staged_decision_function(self, X: Any) -> Iterator[np.ndarray]:
        """Raw scores after each iteration (1, 2, …, ``n_iter_`` trees per class)."""
        for raw in self._staged_raw_predict(X):
            yield raw[:, 0] if raw.shape[1] == 1 else raw

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """Class probabilities after each iteration."""
        for raw in self._staged_raw_predict(X):
            yield self._proba(raw)

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """Predicted classes after each iteration."""
        for raw in self._staged_raw_predict(X):
            yield self.classes_[np.argmax(self._proba(raw), axis=1)]

    def _proba(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            p = LogisticLoss().inverse_link(raw[:, 0])
            return np.column_stack([1.0 - p, p])
        return SoftmaxCrossEntropy(raw.shape[1]).inverse_link(raw)


class GradientBoostingRegressor(RegressorMixin, _GradientBoosting):
    """Histogram gradient boosting for regression (Newton leaves, native NaN and categories).

    Parameters
    ----------
    loss : {"squared_error", "absolute_error", "huber", "poisson"}, default="squared_error"
        "absolute_error" sets each leaf to the median of its residuals; "huber"
        uses a fixed ``δ`` (see ``alpha``); "poisson" has a log link (y ≥ 0).
    alpha : float, default=0.9
        For ``loss="huber"``: ``δ`` is the ``alpha``-quantile of ``|y − median(y)|``.
    learning_rate, max_iter, max_leaf_nodes, max_depth, min_samples_leaf
    l2_regularization, max_features, max_bins, categorical_features
    monotonic_cst, interaction_cst, early_stopping, scoring
    validation_fraction, n_iter_no_change, tol, random_state
        As in :class:`GradientBoostingClassifier` (early stopping watches the
        held-out loss, the split is not stratified).

    Attributes
    ----------
    n_iter_ : int
    history_ : dict
        ``"train_loss"`` and ``"validation_loss"`` after 0, 1, …, ``n_iter_`` iterations.
    train_score_, validation_score_ : ndarray
    baseline_prediction_ : ndarray of shape (1,)
        ``F₀``: the mean (squared error), the median (absolute error, huber) or
        the log of the mean (poisson).
    trees_ : dict of ndarray
    feature_importances_ : ndarray of shape (n_features_in_,)
    is_categorical_, categories_, bin_thresholds_
    do_early_stopping_, n_trees_per_iteration_, n_features_in_, feature_names_in_
        As in :class:`GradientBoostingClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.ensemble import GradientBoostingRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, size=(600, 2))
    >>> y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=600)  # the second feature is noise
    >>> model = GradientBoostingRegressor().fit(X[:400], y[:400])
    >>> round(model.score(X[400:], y[400:]), 2)  # test R²
    0.98
    >>> model.feature_importances_.round(2)
    array([1., 0.])
    """

    _parameter_constraints = {
        **_GradientBoosting._parameter_constraints,
        "loss": [Options(set(BOOSTING_LOSSES) - {"log_loss"})],
        "alpha": [Interval(float, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        alpha: float = 0.9,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_features: float = 1.0,
        max_bins: int = 255,
        categorical_features: Any = "from_dtype",
        monotonic_cst: Any = None,
        interaction_cst: Any = None,
        early_stopping: str | bool = "auto",
        scoring: str = "loss",
        validation_fraction: float | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
    ):
        self.loss = loss
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_features = max_features
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.monotonic_cst = monotonic_cst
        self.interaction_cst = interaction_cst
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    def _check_target(self, y, sample_weight, n):
        y = check_y(y, estimator_name=type(self).__name__, y_numeric=True, n_samples=n)
        y = np.asarray(y, dtype=np.float64)
        if self.loss == "poisson" and np.all(y == 0):
            raise DataValidationError(
                "loss='poisson' needs some positive targets; y is all zero, so the log of "
                "its mean is -inf."
            )
        return y, check_sample_weight(sample_weight, n), 0

    def predict(self, X: Any) -> np.ndarray:
        """Predicted mean: the raw score, or ``exp`` of it for ``loss="poisson"``."""
        return self._link(self._raw_predict(X)[:, 0])

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """Predictions after each iteration (1, 2, …, ``n_iter_`` trees)."""
        for raw in self._staged_raw_predict(X):
            yield self._link(raw[:, 0])

    def _link(self, raw: np.ndarray) -> np.ndarray:
        return PoissonLoss().inverse_link(raw) if self.loss == "poisson" else raw

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.positive_y = self.loss == "poisson"
        return tags
