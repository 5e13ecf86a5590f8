"""Feature selection by a filter: variance, univariate scores, or a fitted model's weights.

Every selector learns a boolean mask m ∈ {0, 1}^d over the d input columns and keeps
the columns with m_j = 1:

* :class:`VarianceThreshold` — m_j = [Var(x_j) > τ] (with τ = 0, also requiring
  max x_j > min x_j, so that rounding noise does not keep a constant column);
* :class:`SelectKBest` — the k columns with the largest univariate score s_j (ties
  broken by position, the later column first, as a stable sort);
* :class:`SelectPercentile` — the columns whose score exceeds the (100 − q)-th
  percentile of the scores, ties filled up to ⌊d·q/100⌋ columns;
* :class:`SelectFromModel` — m_j = [w_j ≥ τ] for the importance w_j of a fitted model
  (|coef_j|, the ℓ_p norm of column j of a 2-D ``coef_``, or ``feature_importances_``),
  τ a number, the mean or median of the w (optionally scaled: "1.25*mean"), or 1e-5
  for an ℓ₁-penalised model, whose discarded weights are exactly 0 (the Lasso's
  selection, Tibshirani 1996).

The scores of :mod:`lemma.features.scores` (F tests, χ², mutual information) feed the
univariate selectors. These are scikit-learn's rules, so the masks agree with its
selectors on the same scores.

Reference: I. Guyon and A. Elisseeff, "An introduction to variable and feature
selection", JMLR 3 (2003), 1157–1182.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import numpy as np

from lemma._constraints import CALLABLE, Interval, Options, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names, clone
from lemma.exceptions import DataValidationError, LemmaWarning, ParameterError
from lemma.features import scores as _scores
from lemma.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "SCORE_FUNCTIONS",
    "SelectFromModel",
    "SelectKBest",
    "SelectPercentile",
    "VarianceThreshold",
    "feature_importances",
]

#: Score function names accepted by SelectKBest and SelectPercentile.
SCORE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "f_classif": _scores.f_classif,
    "f_regression": _scores.f_regression,
    "chi2": _scores.chi2,
    "mutual_info_classif": _scores.mutual_info_classif,
    "mutual_info_regression": _scores.mutual_info_regression,
}


# ----------------------------------------------------------------------------- base
class _Selector(TransformerMixin, BaseEstimator):
    """Keep the columns of a learnt mask: transform, inverse_transform, names."""

    _allow_nan = False

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = self._allow_nan
        tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _support_mask(self) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - each selector defines its rule

    def get_support(self, indices: bool = False) -> np.ndarray:
        """Mask (or positions, with ``indices=True``) of the kept columns."""
        check_is_fitted(self)
        mask = self._support_mask()
        return np.flatnonzero(mask) if indices else mask

    def transform(self, X: Any) -> Any:
        """The kept columns of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_selected)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, allow_nan=self._allow_nan)
        mask = self.get_support()
        if not mask.any():
            warnings.warn(
                f"No features were selected by {type(self).__name__}: the data may be too "
                "noisy or the selection rule too strict; the output has no columns.",
                LemmaWarning,
                stacklevel=2,
            )
        return self._wrap_output(data[:, mask], X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Put the kept columns back in place, with zeros in the dropped ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_selected)

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        mask = self.get_support()
        data = check_array(X, allow_nan=self._allow_nan, ensure_min_features=0,
                           estimator_name=type(self).__name__)  # fmt: skip
        if data.shape[1] != mask.sum():
            raise DataValidationError(
                f"X has {data.shape[1]} columns but {type(self).__name__} kept "
                f"{int(mask.sum())}; pass the output of transform."
            )
        out = np.zeros((data.shape[0], mask.size), dtype=data.dtype)
        out[:, mask] = data
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the kept columns."""
        check_is_fitted(self)
        return _input_names(self, input_features)[self.get_support()]


# ----------------------------------------------------------------------------- variance
class VarianceThreshold(_Selector):
    """Drop the columns whose variance is at most ``threshold`` (by default, constants).

    Parameters
    ----------
    threshold : float, default=0.0
        Keep columns with a larger (population) variance. NaN entries are ignored.

    Attributes
    ----------
    variances_ : ndarray of shape (n_features,)
        Variance of each column (with threshold 0: the smaller of the variance and
        the range, so a column constant up to rounding counts as constant).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import VarianceThreshold
    >>> X = np.array([[0.0, 2.0, 0.0, 3.0], [0.0, 1.0, 4.0, 3.0], [0.0, 1.0, 1.0, 3.0]])
    >>> VarianceThreshold().fit_transform(X)
    array([[2., 0.],
           [1., 4.],
           [1., 1.]])
    """

    _allow_nan = True
    _parameter_constraints = {"threshold": [Interval(float, 0, None, closed="left")]}

    def __init__(self, threshold: float = 0.0):
        self.threshold = threshold

    def fit(self, X: Any, y: Any = None) -> VarianceThreshold:
        """Compute the variance of every column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        data = validate_data(self, X, allow_nan=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
            variances = np.nanvar(data, axis=0)
            if self.threshold == 0:
                spread = np.nanmax(data, axis=0) - np.nanmin(data, axis=0)
                variances = np.nanmin(np.vstack([variances, spread]), axis=0)
        self.variances_ = variances
        if not np.any(variances > self.threshold):
            detail = " (X has only 1 sample)" if data.shape[0] == 1 else ""
            raise DataValidationError(
                f"No feature in X has a variance above the threshold {self.threshold:.5f}"
                f"{detail}; lower the threshold."
            )
        return self

    def _support_mask(self) -> np.ndarray:
        return self.variances_ > self.threshold


# ----------------------------------------------------------------------------- univariate
def _is_k(value: Any) -> bool:
    if isinstance(value, str):
        return value == "all"
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def _is_score_function(value: Any) -> bool:
    return callable(value) or (isinstance(value, str) and value in SCORE_FUNCTIONS)


def _ranked(scores: np.ndarray) -> np.ndarray:
    """Scores with NaN replaced by the lowest float (ranked last, as scikit-learn)."""
    out = np.array(scores, dtype=np.float64, copy=True)
    out[np.isnan(out)] = np.finfo(np.float64).min
    return out


class _UnivariateSelector(_Selector):
    """Score every column against y once; the subclass turns the scores into a mask."""

    _parameter_constraints = {
        "score_func": [
            satisfies(_is_score_function, f"a callable or one of {sorted(SCORE_FUNCTIONS)}")
        ],
    }

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.requires_y = True
        return tags

    def fit(self, X: Any, y: Any) -> Any:
        """Score every column of ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        self._validate_params()
        data, target = validate_data(self, X, y)
        self._check_size(data.shape[1])
        func = self.score_func
        if isinstance(func, str):
            func = SCORE_FUNCTIONS[func]
        result = func(data, target)
        if isinstance(result, tuple | list):
            self.scores_, self.pvalues_ = np.asarray(result[0]), np.asarray(result[1])
        else:
            self.scores_, self.pvalues_ = np.asarray(result), None
        return self

    def _check_size(self, n_features: int) -> None:
        """Nothing to check by default."""


class SelectKBest(_UnivariateSelector):
    """Keep the k columns with the highest univariate score.

    Parameters
    ----------
    score_func : str or callable, default="f_classif"
        A name from :data:`SCORE_FUNCTIONS` ("f_regression", "chi2",
        "mutual_info_classif", ...), or ``score_func(X, y)`` returning scores (and
        p-values). Give lemma's functions by name: :func:`lemma.save` stores names but no
        Python functions, so a selector holding a function cannot be saved.
    k : int or "all", default=10
        Number of columns kept.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features,)
    pvalues_ : ndarray of shape (n_features,) or None
        None when the score function gives no p-values (mutual information).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import SelectKBest
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 4)); y = (X[:, 2] > 0).astype(int)
    >>> SelectKBest(k=1).fit(X, y).get_support(indices=True)
    array([2])
    """

    _parameter_constraints = {
        **_UnivariateSelector._parameter_constraints,
        "k": [satisfies(_is_k, "an int ≥ 0 or 'all'")],
    }

    def __init__(self, score_func: str | Callable[..., Any] = "f_classif", *, k: Any = 10):
        self.score_func = score_func
        self.k = k

    def _check_size(self, n_features: int) -> None:
        if self.k != "all" and self.k > n_features:
            warnings.warn(
                f"SelectKBest(k={self.k}) asks for more columns than X has ({n_features}); "
                "all of them are kept.",
                LemmaWarning,
                stacklevel=3,
            )

    def _support_mask(self) -> np.ndarray:
        mask = np.zeros(self.scores_.shape, dtype=bool)
        if self.k == "all":
            mask[:] = True
        elif self.k > 0:
            mask[np.argsort(_ranked(self.scores_), kind="stable")[-self.k :]] = True
        return mask


class SelectPercentile(_UnivariateSelector):
    """Keep the columns whose univariate score is in the top ``percentile`` percent.

    Parameters
    ----------
    score_func : str or callable, default="f_classif"
        As in :class:`SelectKBest` (a name can be saved, a function cannot).
    percentile : float in [0, 100], default=10
        Share of the columns kept.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features,)
    pvalues_ : ndarray of shape (n_features,) or None
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import SelectPercentile
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 10)); y = X[:, 3] + 0.1 * rng.normal(size=100)
    >>> SelectPercentile("f_regression", percentile=20).fit(X, y).get_support().sum()
    np.int64(2)
    """

    _parameter_constraints = {
        **_UnivariateSelector._parameter_constraints,
        "percentile": [Interval(float, 0, 100)],
    }

    def __init__(
        self, score_func: str | Callable[..., Any] = "f_classif", *, percentile: float = 10
    ):
        self.score_func = score_func
        self.percentile = percentile

    def _support_mask(self) -> np.ndarray:
        n = self.scores_.size
        if self.percentile == 100:
            return np.ones(n, dtype=bool)
        if self.percentile == 0:
            return np.zeros(n, dtype=bool)
        scores = _ranked(self.scores_)
        threshold = np.percentile(scores, 100 - self.percentile)
        mask = scores > threshold
        ties = np.flatnonzero(scores == threshold)
        room = int(n * self.percentile / 100) - int(mask.sum())
        mask[ties[: max(room, 0)]] = True
        return mask


# ----------------------------------------------------------------------------- from a model
def feature_importances(
    estimator: Any, getter: str | Callable[[Any], Any] = "auto", norm_order: float = 1
) -> np.ndarray:
    """Non-negative importance of each feature of a fitted model.

    Parameters
    ----------
    estimator : fitted estimator
    getter : "auto", attribute name (dots allowed) or callable, default="auto"
        "auto" reads ``coef_``, else ``feature_importances_``.
    norm_order : float, default=1
        Norm over the rows of a 2-D ``coef_`` (one row per class).

    Returns
    -------
    ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> model = LinearRegression(fit_intercept=False).fit(np.eye(3), [3.0, -2.0, 1.0])
    >>> feature_importances(model).round(6)
    array([3., 2., 1.])
    """
    if callable(getter):
        values = getter(estimator)
    elif getter == "auto":
        name = next((a for a in ("coef_", "feature_importances_") if hasattr(estimator, a)), None)
        if name is None:
            raise ParameterError(
                f"{type(estimator).__name__} has neither coef_ nor feature_importances_; fit "
                "it first, or pass importance_getter (an attribute name or a callable)."
            )
        values = getattr(estimator, name)
    else:
        values = attrgetter(getter)(estimator)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return np.abs(values)
    return np.linalg.norm(values, axis=0, ord=norm_order)


def _is_l1(estimator: Any) -> bool:
    """True for models whose penalty sets unselected weights exactly to zero."""
    name = type(estimator).__name__
    if getattr(estimator, "penalty", None) == "l1" or "Lasso" in name:
        return True
    l1_ratio = getattr(estimator, "l1_ratio", None)
    mixed = name in ("ElasticNet", "LogisticRegression")
    return mixed and isinstance(l1_ratio, numbers.Real) and bool(np.isclose(l1_ratio, 1.0))


#: threshold reference name -> statistic of the importances.
_REFERENCES = {"mean": np.mean, "median": np.median}


def _threshold(estimator: Any, importances: np.ndarray, threshold: Any) -> float:
    if threshold is None:
        threshold = 1e-5 if _is_l1(estimator) else "mean"
    if not isinstance(threshold, str):
        return float(threshold)
    scale_text, _, reference = threshold.rpartition("*")
    reference = reference.strip()
    if reference not in _REFERENCES:
        raise ParameterError(
            f"threshold {threshold!r} must be a number, 'mean', 'median' or a scaled "
            "reference such as '1.25*mean'."
        )
    try:
        scale = float(scale_text) if scale_text.strip() else 1.0
    except ValueError:
        raise ParameterError(f"threshold {threshold!r}: {scale_text!r} is not a number.") from None
    return scale * float(_REFERENCES[reference](importances))


def _is_threshold(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str | numbers.Real) and not isinstance(value, bool)


class SelectFromModel(_Selector):
    """Keep the columns a fitted model weighs at least ``threshold`` (e.g. Lasso's non-zeros).

    Parameters
    ----------
    estimator : estimator
        Has ``coef_`` or ``feature_importances_`` once fitted (lemma's or scikit-learn's).
    threshold : float, str or None, default=None
        A number, "mean", "median" or "<scale>*mean"/"<scale>*median"; None: 1e-5 for
        an ℓ₁-penalised model (Lasso, ``penalty="l1"``), "mean" otherwise.
    prefit : bool, default=False
        ``estimator`` is already fitted: ``fit`` copies it instead of refitting.
    norm_order : float, default=1
        Norm over the classes of a 2-D ``coef_``.
    max_features : int, callable or None, default=None
        Keep at most this many columns (the most important), or ``max_features(X)``.
    importance_getter : "auto", str or callable, default="auto"
        Where to read the importances (see :func:`feature_importances`).

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    threshold_ : float
        The threshold applied.
    max_features_ : int or None
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import SelectFromModel
    >>> from lemma.models.linear import Lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)); y = 3 * X[:, 0] - 2 * X[:, 3] + rng.normal(size=200)
    >>> SelectFromModel(Lasso(alpha=0.3)).fit(X, y).get_support(indices=True)
    array([0, 3])
    """

    _parameter_constraints = {
        "threshold": [satisfies(_is_threshold, "a float, a string or None")],
        "prefit": [bool],
        "norm_order": [Interval(float, None, None)],
        "max_features": [Interval(int, 0, None, closed="left"), CALLABLE, None],
        "importance_getter": [Options({"auto"}), str, CALLABLE],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        threshold: Any = None,
        prefit: bool = False,
        norm_order: float = 1,
        max_features: Any = None,
        importance_getter: Any = "auto",
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.prefit = prefit
        self.norm_order = norm_order
        self.max_features = max_features
        self.importance_getter = importance_getter

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        inner = getattr(self.estimator, "__lemma_tags__", None)
        tags.requires_y = True if inner is None else inner().requires_y
        return tags

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> SelectFromModel:
        """Fit the model (unless ``prefit``) and fix the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
        **fit_params
            Passed to the model's ``fit`` (e.g. ``sample_weight``).

        Returns
        -------
        self
        """
        self._validate_params()
        if y is not None:
            data = validate_data(self, X, y)[0]
        else:  # None is refused when the model needs y, unless it is already fitted
            data = validate_data(self, X, "no_validation" if self.prefit else None)
        if self.prefit:
            self.estimator_ = copy.deepcopy(self.estimator)
        else:
            self.estimator_ = clone(self.estimator)
            if y is None:
                self.estimator_.fit(X, **fit_params)
            else:
                self.estimator_.fit(X, y, **fit_params)
        limit = self.max_features
        self.max_features_ = limit(data) if callable(limit) else limit
        if self.max_features_ is not None and not (
            isinstance(self.max_features_, numbers.Integral) and self.max_features_ >= 0
        ):
            raise ParameterError(
                f"max_features(X) must return an int ≥ 0; got {self.max_features_!r}."
            )
        importances = self._importances()
        if importances.size != data.shape[1]:
            raise DataValidationError(
                f"{type(self.estimator_).__name__} gives {importances.size} importances for "
                f"{data.shape[1]} columns of X; was it fitted on other data (prefit=True)?"
            )
        self.threshold_ = _threshold(self.estimator_, importances, self.threshold)
        return self

    def _importances(self) -> np.ndarray:
        return feature_importances(self.estimator_, self.importance_getter, self.norm_order)

    def _support_mask(self) -> np.ndarray:
        scores = self._importances()
        mask = np.ones(scores.size, dtype=bool)
        if self.max_features_ is not None:
            mask[:] = False
            mask[np.argsort(-scores, kind="stable")[: self.max_features_]] = True
        mask[scores < self.threshold_] = False
        return mask
