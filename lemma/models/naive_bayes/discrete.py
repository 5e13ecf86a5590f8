"""Naive Bayes for counts, binary features and categories, with additive smoothing.

All three models learn weighted counts ``N`` per class and smooth them with
``α > 0`` (Laplace for α = 1, Lidstone otherwise) so that an outcome unseen in a
class keeps a positive probability. Their joint log-likelihoods are linear in X (or
in indicators of X), so prediction is one matrix product. ``Wₖ = Σ_{yᵢ=k} wᵢ``.

Multinomial (word counts; ``xⱼ ≥ 0``)::

    Nₖⱼ = Σ_{yᵢ=k} wᵢ xᵢⱼ,    log θₖⱼ = log(Nₖⱼ + α) − log Σₗ (Nₖₗ + α),
    jllₖ(x) = log πₖ + Σⱼ xⱼ log θₖⱼ.

Bernoulli (``xⱼ ∈ {0, 1}``, after thresholding at ``binarize``)::

    log pₖⱼ = log(Nₖⱼ + α) − log(Wₖ + 2α),
    jllₖ(x) = log πₖ + Σⱼ [xⱼ log pₖⱼ + (1 − xⱼ) log(1 − pₖⱼ)].

Categorical (``xⱼ ∈ {0, …, mⱼ − 1}``; ``Nₖⱼc`` the weight of class-k rows with
``xⱼ = c``)::

    log pₖⱼc = log(Nₖⱼc + α) − log(Σ_c' Nₖⱼc' + α mⱼ),
    jllₖ(x) = log πₖ + Σⱼ log pₖⱼ,xⱼ.

The priors ``πₖ`` are ``class_prior`` if given, else ``Wₖ / Σ W`` with
``fit_prior=True``, else uniform. The posterior is Bayes' rule in log space
(:mod:`lemma.models.naive_bayes._base`).

Reference: Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008,
§13.2–13.3 (multinomial and Bernoulli models).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lemma._constraints import ARRAY_LIKE, BOOL, Interval
from lemma.base import BaseEstimator, ClassifierMixin, Tags
from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.models.naive_bayes._base import NaiveBayesMixin, class_log_prior
from lemma.validation import check_is_fitted, check_sample_weight, encode_classes, validate_data

__all__ = ["BernoulliNB", "CategoricalNB", "MultinomialNB"]

#: Smallest α used when ``force_alpha=False`` (scikit-learn's value).
ALPHA_MIN = 1e-10


def _check_non_negative(X: np.ndarray, owner: str, what: str) -> None:
    negative = X < 0
    if negative.any():
        columns = np.flatnonzero(negative.any(axis=0))
        rows = int(negative.any(axis=1).sum())
        raise DataValidationError(
            f"Negative values in data passed to {owner}: X has negative entries in columns "
            f"{columns[:10].tolist()} ({rows} rows); {owner} needs {what}. Shift or clip the "
            "data, or use GaussianNB for real-valued features."
        )


def one_hot_weights(codes: np.ndarray, w: np.ndarray, n_classes: int) -> np.ndarray:
    """The ``n × K`` matrix ``Y`` with ``Yᵢₖ = wᵢ`` if ``yᵢ = k`` else 0.

    Examples
    --------
    >>> import numpy as np
    >>> one_hot_weights(np.array([1, 0]), np.array([2.0, 1.0]), 2).tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    Y = np.zeros((codes.size, n_classes))
    Y[np.arange(codes.size), codes] = w
    return Y


class _DiscreteNB(NaiveBayesMixin, ClassifierMixin, BaseEstimator):
    """Shared fit of the count-based models: counts per class, smoothing, priors."""

    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="left")],
        "force_alpha": [BOOL],
        "fit_prior": [BOOL],
        "class_prior": [ARRAY_LIKE, None],
    }

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.positive_X = True
        tags.poor_score = True  # count models on scikit-learn's Gaussian check data
        return tags

    def _alpha(self) -> float:
        """α, raised to :data:`ALPHA_MIN` (with a warning) unless ``force_alpha``."""
        if self.alpha < ALPHA_MIN and not self.force_alpha:
            warnings.warn(
                f"{type(self).__name__}: alpha={self.alpha:g} is below {ALPHA_MIN:g}, which "
                f"risks log(0); using alpha={ALPHA_MIN:g}. Set force_alpha=True to keep it.",
                NumericalWarning,
                stacklevel=3,
            )
            return ALPHA_MIN
        return float(self.alpha)

    def _prepare(self, X: np.ndarray, reset: bool) -> np.ndarray:
        """Model-specific checks and transformation of validated X."""
        raise NotImplementedError  # pragma: no cover - abstract

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _DiscreteNB:
        """Count the features per class, smooth the counts and set the priors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights (a row of weight 2 counts twice).

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        w = check_sample_weight(sample_weight, X.shape[0])
        self.classes_, codes = encode_classes(y, w, type(self).__name__)
        X = self._prepare(X, reset=True)
        Y = one_hot_weights(codes, w, self.classes_.size)
        self.class_count_ = Y.sum(axis=0)
        self._count(X, Y, codes, w)
        self._smooth(self._alpha())
        self.class_log_prior_ = class_log_prior(
            self.class_count_, self.fit_prior, self.class_prior, type(self).__name__
        )
        return self

    def _count(self, X: np.ndarray, Y: np.ndarray, codes: np.ndarray, w: np.ndarray) -> None:
        self.feature_count_ = Y.T @ X

    def _smooth(self, alpha: float) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _validated(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self._prepare(X, reset=False)


class MultinomialNB(_DiscreteNB):
    """Multinomial naive Bayes for counts (word counts, event frequencies).

    Learns smoothed per-class feature probabilities ``θₖⱼ`` (module docstring).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing α ≥ 0 (1: Laplace).
    force_alpha : bool, default=True
        Keep α as given even when below 1e-10 (else it is raised to 1e-10 with a
        warning).
    fit_prior : bool, default=True
        Learn the class priors; False: uniform priors.
    class_prior : array-like of shape (n_classes,) or None, default=None
        Fixed priors (override ``fit_prior``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_ : ndarray of shape (n_classes, n_features)
        Weighted counts ``Nₖⱼ``.
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        ``log θₖⱼ``.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.naive_bayes import MultinomialNB
    >>> X = np.array([[3, 0, 1], [2, 0, 0], [0, 4, 1], [0, 3, 2]])
    >>> y = np.array(["sport", "sport", "money", "money"])
    >>> model = MultinomialNB().fit(X, y)
    >>> model.predict([[1, 0, 0], [0, 2, 1]]).tolist()
    ['sport', 'money']
    >>> model.classes_.tolist(), model.predict_proba([[1, 1, 1]]).round(3).tolist()
    (['money', 'sport'], [[0.469, 0.531]])
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior: Any = None,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _prepare(self, X: np.ndarray, reset: bool) -> np.ndarray:
        _check_non_negative(X, "MultinomialNB", "non-negative counts")
        return X

    def _smooth(self, alpha: float) -> None:
        smoothed = self.feature_count_ + alpha
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:
        X = self._validated(X)
        return X @ self.feature_log_prob_.T + self.class_log_prior_


class BernoulliNB(_DiscreteNB):
    """Bernoulli naive Bayes for binary features (presence or absence).

    Absent features count too: ``(1 − xⱼ) log(1 − pₖⱼ)`` (module docstring).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing α ≥ 0.
    force_alpha : bool, default=True
        Keep α as given even when below 1e-10.
    binarize : float or None, default=0.0
        Threshold: ``xⱼ > binarize`` is 1, else 0. None: X is already 0/1.
    fit_prior : bool, default=True
        Learn the class priors; False: uniform priors.
    class_prior : array-like of shape (n_classes,) or None, default=None
        Fixed priors (override ``fit_prior``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_ : ndarray of shape (n_classes, n_features)
        Weighted number of class-k rows with feature j present.
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        ``log pₖⱼ``.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.naive_bayes import BernoulliNB
    >>> X = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]])
    >>> y = np.array([0, 0, 1, 1])
    >>> model = BernoulliNB().fit(X, y)
    >>> model.predict([[1, 0, 0], [0, 0, 1]]).tolist()
    [0, 1]
    >>> np.exp(model.feature_log_prob_).round(2).tolist()
    [[0.75, 0.5, 0.25], [0.25, 0.5, 0.75]]
    """

    _parameter_constraints = {
        **_DiscreteNB._parameter_constraints,
        "binarize": [Interval(float, None, None), None],
    }

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        binarize: float | None = 0.0,
        fit_prior: bool = True,
        class_prior: Any = None,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.positive_X = False
        return tags

    def _prepare(self, X: np.ndarray, reset: bool) -> np.ndarray:
        if self.binarize is None:
            return X
        return (X > self.binarize).astype(np.float64)

    def _smooth(self, alpha: float) -> None:
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(self.feature_count_ + alpha) - np.log(
                self.class_count_ + 2.0 * alpha
            ).reshape(-1, 1)

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:
        X = self._validated(X)
        with np.errstate(divide="ignore"):
            log_absent = np.log1p(-np.exp(self.feature_log_prob_))
        return X @ (self.feature_log_prob_ - log_absent).T + (
            self.class_log_prior_ + log_absent.sum(axis=1)
        )


class CategoricalNB(_DiscreteNB):
    """Categorical naive Bayes: each feature a category code ``0, 1, …, mⱼ − 1``.

    Learns smoothed per-class category probabilities ``pₖⱼc`` (module docstring).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing α ≥ 0.
    force_alpha : bool, default=True
        Keep α as given even when below 1e-10.
    fit_prior : bool, default=True
        Learn the class priors; False: uniform priors.
    class_prior : array-like of shape (n_classes,) or None, default=None
        Fixed priors (override ``fit_prior``).
    min_categories : int, array-like of shape (n_features,) or None, default=None
        Least number of categories ``mⱼ`` per feature (categories above the largest
        code seen in training get probability ``α / (Σ N + α mⱼ)``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    n_categories_ : ndarray of int, shape (n_features,)
        ``mⱼ``: the largest code seen + 1, at least ``min_categories``.
    category_count_ : list of ndarray of shape (n_classes, mⱼ)
    feature_log_prob_ : list of ndarray of shape (n_classes, mⱼ)
        ``log pₖⱼc``.
    n_features_in_ : int

    Notes
    -----
    X holds category codes, e.g. from :class:`lemma.prep.OrdinalEncoder`. Like
    scikit-learn, values are truncated to integers (1.7 is category 1); negative
    values are refused, and so are codes at prediction beyond ``n_categories_ − 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.naive_bayes import CategoricalNB
    >>> X = np.array([[0, 2], [0, 1], [1, 0], [2, 0], [2, 1]])
    >>> y = np.array(["no", "no", "yes", "yes", "yes"])
    >>> model = CategoricalNB().fit(X, y)
    >>> model.n_categories_.tolist()
    [3, 3]
    >>> model.predict([[0, 2], [2, 0]]).tolist()
    ['no', 'yes']
    """

    _parameter_constraints = {
        **_DiscreteNB._parameter_constraints,
        "min_categories": [Interval(int, 1, None), ARRAY_LIKE, None],
    }

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior: Any = None,
        min_categories: Any = None,
    ):
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.min_categories = min_categories

    def _prepare(self, X: np.ndarray, reset: bool) -> np.ndarray:
        _check_non_negative(X, "CategoricalNB", "category codes 0, 1, 2, ...")
        codes = X.astype(np.int64)
        if reset:
            self.n_categories_ = self._n_categories(codes)
        else:
            beyond = codes >= self.n_categories_
            if beyond.any():
                j = int(np.flatnonzero(beyond.any(axis=0))[0])
                raise DataValidationError(
                    f"CategoricalNB: feature {j} has category {int(codes[:, j].max())} at "
                    f"prediction, but only codes 0..{self.n_categories_[j] - 1} were known at "
                    "fit; set min_categories to cover every category."
                )
        return codes

    def _n_categories(self, codes: np.ndarray) -> np.ndarray:
        seen = codes.max(axis=0) + 1
        if self.min_categories is None:
            return seen
        least = np.asarray(self.min_categories)
        if least.ndim > 1 or least.size not in (1, seen.size):
            raise ParameterError(
                f"CategoricalNB: min_categories has shape {np.shape(self.min_categories)} but X "
                f"has {seen.size} features; give an int or one value per feature."
            )
        return np.maximum(seen, least.astype(np.int64))

    def _count(self, X: np.ndarray, Y: np.ndarray, codes: np.ndarray, w: np.ndarray) -> None:
        n_classes = Y.shape[1]
        self.category_count_ = [
            np.bincount(codes * m + X[:, j], weights=w, minlength=n_classes * m).reshape(
                n_classes, m
            )
            for j, m in enumerate(self.n_categories_)
        ]

    def _smooth(self, alpha: float) -> None:
        self.feature_log_prob_ = []
        for counts in self.category_count_:
            smoothed = counts + alpha
            with np.errstate(divide="ignore"):
                log_prob = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
            self.feature_log_prob_.append(log_prob)

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:
        X = self._validated(X)
        jll = np.tile(self.class_log_prior_, (X.shape[0], 1))
        for j, log_prob in enumerate(self.feature_log_prob_):
            jll += log_prob[:, X[:, j]].T
        return jll
