"""What every naive Bayes classifier shares: Bayes' rule in log space.

A naive Bayes model assumes the features independent given the class ``k``, so the
joint log-likelihood of a row ``x`` and class ``k`` is a sum over features::

    jllₖ(x) = log πₖ + Σⱼ log p(xⱼ | k),

and Bayes' rule gives the posterior by normalising in log space (no underflow)::

    log P(k | x) = jllₖ(x) − logsumexp_l jll_l(x),      ŷ = argmaxₖ jllₖ(x).

Each model (:mod:`~lemma.models.naive_bayes.gaussian`,
:mod:`~lemma.models.naive_bayes.discrete`) defines ``p(xⱼ | k)``; the priors πₖ are
the weighted class frequencies unless given.

Reference: Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008,
ch. 13.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logsumexp

from lemma.distributed import apply_distributed, is_dask_collection
from lemma.exceptions import ParameterError

__all__ = ["NaiveBayesMixin", "check_priors", "class_log_prior"]


def class_log_prior(
    class_count: np.ndarray, fit_prior: bool, class_prior: Any, owner: str
) -> np.ndarray:
    """``log πₖ``: given priors, the weighted class frequencies, or uniform.

    Parameters
    ----------
    class_count : ndarray of shape (n_classes,)
        Weighted number of training rows per class.
    fit_prior : bool
        Learn the priors from the class frequencies (else uniform), unless
        ``class_prior`` is given.
    class_prior : array-like of shape (n_classes,) or None
        Prior probabilities: non-negative, summing to 1.
    owner : str
        Estimator name for error messages.

    Returns
    -------
    ndarray of shape (n_classes,)

    Examples
    --------
    >>> import numpy as np
    >>> class_log_prior(np.array([1.0, 3.0]), True, None, "MultinomialNB").round(4).tolist()
    [-1.3863, -0.2877]
    """
    n_classes = class_count.size
    if class_prior is not None:
        prior = check_priors(class_prior, n_classes, owner, "class_prior")
        with np.errstate(divide="ignore"):
            return np.log(prior)
    if not fit_prior:
        return np.full(n_classes, -np.log(n_classes))
    with np.errstate(divide="ignore"):
        return np.log(class_count) - np.log(class_count.sum())


def check_priors(priors: Any, n_classes: int, owner: str, name: str) -> np.ndarray:
    """Priors as an array: one per class, non-negative, summing to 1 (within 1e-8)."""
    prior = np.asarray(priors, dtype=np.float64).reshape(-1)
    if prior.size != n_classes:
        raise ParameterError(
            f"{owner}: {name} has {prior.size} values but y has {n_classes} classes; give "
            "one prior probability per class, in the order of classes_."
        )
    if np.any(prior < 0) or not np.all(np.isfinite(prior)):
        raise ParameterError(
            f"{owner}: {name} must be non-negative probabilities; got {prior.tolist()}."
        )
    if not np.isclose(prior.sum(), 1.0, rtol=0.0, atol=1e-8):
        raise ParameterError(
            f"{owner}: the {name} must sum to 1; they sum to {prior.sum():.6g}. Divide "
            "them by their sum."
        )
    return prior


class NaiveBayesMixin:
    """Posterior probabilities and predictions from ``_joint_log_likelihood``.

    A subclass sets ``classes_`` in ``fit`` and defines
    ``_joint_log_likelihood(X) -> ndarray of shape (n_samples, n_classes)`` on raw
    input (it validates X).
    """

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """``log πₖ + log p(x | k)`` for each row and class, shape (n_samples, n_classes)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict_joint_log_proba", X)
        return self._joint_log_likelihood(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log posterior ``log P(k | x)``, normalised in log space; shape (n_samples, n_classes)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict_log_proba", X)
        jll = self._joint_log_likelihood(X)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior ``P(k | x)``; rows sum to 1; shape (n_samples, n_classes)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict_proba", X)
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class of largest posterior for each row, shape (n_samples,)."""
        if is_dask_collection(X):
            return apply_distributed(self, "predict", X)
        jll = self._joint_log_likelihood(X)
        return self.classes_[np.argmax(jll, axis=1)]  # type: ignore[attr-defined]
